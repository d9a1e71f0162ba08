//! The result of a run as data: the JSON report, the step outputs and the
//! annotations, all from one [`Report`].
//!
//! The JSON report is versioned ([`SCHEMA_VERSION`], documented in the README);
//! fields are only ever added within a version. Human Markdown comes from
//! [`render`], which formats this same data.

pub mod render;

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::gate::{Check, Outcome, Status};
use crate::inputs::{Decision, Inputs, NullPolicy};
use crate::integrations::github::{Annotation, Level};
use crate::metrics::{Counts, Metric, Skipped};
use crate::{Evaluation, Provenance};

/// The version of the JSON report's schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Every step output with its description, in `action.yml` order.
pub const OUTPUTS: &[(&str, &str)] = &[
    (
        "passed",
        "`true` when every rule of the gate holds, else `false`.",
    ),
    (
        "precision",
        "TP / (TP + FP) as a decimal string; empty when undefined (no predicted match).",
    ),
    ("recall", "TP / (TP + FN) as a decimal string."),
    ("f1", "2TP / (2TP + FP + FN) as a decimal string."),
    ("tp", "True positives: true matches predicted as matches."),
    ("fp", "False positives: non-matches predicted as matches."),
    (
        "fn",
        "False negatives: true matches predicted as non-matches.",
    ),
    (
        "tn",
        "True negatives: non-matches predicted as non-matches.",
    ),
    ("rows", "Rows evaluated."),
    (
        "rows_skipped",
        "Rows left out for missing values (`null_policy: skip`).",
    ),
    (
        "dataset_hash",
        "SHA-256 of the evaluated file, always computed.",
    ),
    (
        "report_json",
        "Path of the JSON report, when `report_json` is set.",
    ),
];

/// The program that wrote a report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tool {
    /// `er-precision-gate`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// The metrics; `None` (JSON `null`) when undefined.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Metrics {
    /// TP / (TP + FP).
    pub precision: Option<f64>,
    /// TP / (TP + FN).
    pub recall: Option<f64>,
    /// 2TP / (2TP + FP + FN).
    pub f1: Option<f64>,
}

/// How predictions were made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionReport {
    /// `score` (score >= threshold) or `prediction` (a column of predictions).
    pub kind: &'static str,
    /// The deciding column.
    pub column: String,
    /// The decision threshold, for `score`.
    pub threshold: Option<f64>,
}

/// The complete result of a run (JSON report, schema version 1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// `passed` or `failed`.
    pub outcome: Outcome,
    /// Whether the gate passed.
    pub passed: bool,
    /// The metrics.
    pub metrics: Metrics,
    /// Each rule with its value and status.
    pub checks: Vec<Check>,
    /// The confusion matrix.
    pub counts: Counts,
    /// Rows evaluated.
    pub rows: u64,
    /// Rows left out for missing values.
    pub rows_skipped: u64,
    /// Why rows were left out.
    pub skipped: Skipped,
    /// The null policy in force.
    pub null_policy: NullPolicy,
    /// The label column.
    pub label_column: String,
    /// How predictions were made.
    pub decision: DecisionReport,
    /// The evaluated file.
    pub dataset: Provenance,
    /// This run's URL under Actions.
    pub run_url: Option<String>,
}

impl Report {
    /// Gathers the report of an evaluation.
    pub fn new(evaluation: &Evaluation, inputs: &Inputs, run_url: Option<&str>) -> Report {
        let counts = evaluation.tally.counts;
        let decision = match &inputs.decision {
            Decision::Score { column, threshold } => DecisionReport {
                kind: "score",
                column: column.clone(),
                threshold: Some(*threshold),
            },
            Decision::Prediction { column } => DecisionReport {
                kind: "prediction",
                column: column.clone(),
                threshold: None,
            },
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            outcome: evaluation.verdict.outcome,
            passed: evaluation.verdict.is_passed(),
            metrics: Metrics {
                precision: Metric::Precision.of(&counts),
                recall: Metric::Recall.of(&counts),
                f1: Metric::F1.of(&counts),
            },
            checks: evaluation.verdict.checks.clone(),
            counts,
            rows: counts.rows(),
            rows_skipped: evaluation.tally.skipped.rows,
            skipped: evaluation.tally.skipped,
            null_policy: inputs.null_policy,
            label_column: inputs.label_column.clone(),
            decision,
            dataset: evaluation.dataset.clone(),
            run_url: run_url.map(str::to_string),
        }
    }

    /// The step outputs, in `action.yml` order. Undefined metrics are empty.
    pub fn outputs(&self, report_json: Option<&Path>) -> Vec<(&'static str, String)> {
        let metric = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut outputs = vec![
            ("passed", self.passed.to_string()),
            ("precision", metric(self.metrics.precision)),
            ("recall", metric(self.metrics.recall)),
            ("f1", metric(self.metrics.f1)),
            ("tp", self.counts.tp.to_string()),
            ("fp", self.counts.fp.to_string()),
            ("fn", self.counts.fn_.to_string()),
            ("tn", self.counts.tn.to_string()),
            ("rows", self.rows.to_string()),
            ("rows_skipped", self.rows_skipped.to_string()),
            ("dataset_hash", self.dataset.sha256.to_string()),
        ];
        if let Some(path) = report_json {
            outputs.push(("report_json", path.display().to_string()));
        }
        outputs
    }

    /// One error per failed rule, a warning for skipped rows, a notice on pass.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out = Vec::new();
        if self.rows_skipped > 0 {
            out.push(Annotation {
                level: Level::Warning,
                title: "Rows skipped".to_string(),
                message: format!(
                    "{} of {} rows of `{}` were left out for missing values (null_policy: skip)",
                    self.rows_skipped,
                    self.rows + self.rows_skipped,
                    self.dataset.path
                ),
            });
        }
        for check in self.checks.iter().filter(|c| !c.is_pass()) {
            let metric = check.metric();
            let message = match (check.status, check.value) {
                (Status::Undefined, _) | (_, None) => {
                    format!(
                        "{} is undefined: {}",
                        metric.name(),
                        metric.undefined_reason()
                    )
                }
                (_, Some(value)) => format!(
                    "{} {} is below min_{} {} ({})",
                    metric.name(),
                    render::metric_value(value, check.threshold()),
                    metric.name(),
                    check.threshold(),
                    self.counts_text()
                ),
            };
            let title = format!("{} below threshold", metric.title());
            out.push(Annotation {
                level: Level::Error,
                title,
                message,
            });
        }
        if self.passed {
            let parts: Vec<String> = self
                .checks
                .iter()
                .map(|c| {
                    let value = c
                        .value
                        .map_or(String::new(), |v| render::metric_value(v, c.threshold()));
                    format!("{} {value} >= {}", c.metric().name(), c.threshold())
                })
                .collect();
            out.push(Annotation {
                level: Level::Notice,
                title: "ER precision gate passed".to_string(),
                message: format!("{} on {} pairs", parts.join(", "), self.rows),
            });
        }
        out
    }

    fn counts_text(&self) -> String {
        let c = &self.counts;
        format!("TP {}, FP {}, FN {}, TN {}", c.tp, c.fp, c.fn_, c.tn)
    }
}

/// Writes the JSON report to `path`, creating its folder, atomically: a
/// reader sees the old file or the whole new one, never half of it.
pub fn write_json(report: &Report, path: &Path) -> Result<(), Error> {
    let write_err = |source| Error::Write {
        what: "report_json",
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut json = serde_json::to_vec_pretty(report).expect("a report always serializes");
    json.push(b'\n');
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut file = std::fs::File::create(&tmp).map_err(write_err)?;
    file.write_all(&json).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}
