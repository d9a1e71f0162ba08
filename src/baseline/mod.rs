//! The previous model's result, read from its JSON report or JSON model
//! card, for comparison.
//!
//! A baseline is the `report_json` of an earlier gate run, of a schema
//! version in [`READABLE_VERSIONS`], or its `model_card_json`, of a version
//! in [`READABLE_CARD_VERSIONS`]. Only what the comparison needs is read:
//! the metrics, the model id, the dataset it was evaluated on and when.
//! Anything else in the file is ignored, so newer files of the same schema
//! version still load. Failures are a [`BaselineError`]. [`latest`] finds
//! the newest card in a folder.

mod latest;
pub mod trials;

pub use latest::latest;

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::metrics::{Metric, PerMetric};
use crate::untrusted;

/// The JSON report schema versions a baseline may have; the report's own
/// version is among them (a test in `report` checks it).
pub const READABLE_VERSIONS: &[u32] = &[1, 2, 3];

/// The JSON model card schema versions a baseline may have; the card's own
/// version is among them (a test in `report` checks it).
pub const READABLE_CARD_VERSIONS: &[u32] = &[1];

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The baseline report could not be read.
    #[error("cannot read baseline `{}`", untrusted::path(path))]
    Read {
        /// The baseline file.
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The baseline is not a gate report.
    #[error("baseline `{}` is not a JSON report of er-precision-gate", untrusted::path(path))]
    Format {
        /// The baseline file.
        path: PathBuf,
        /// What the JSON parser reported.
        #[source]
        source: serde_json::Error,
    },

    /// A field of the baseline holds something no report of this program writes.
    #[error(
        "baseline `{}` has `{field}` = `{}`: expected {expected}",
        untrusted::path(path),
        untrusted::shown(value)
    )]
    Field {
        /// The baseline file.
        path: PathBuf,
        /// The field, dotted (`metrics.precision`).
        field: &'static str,
        /// The value found, as JSON text.
        value: String,
        /// What a report holds there.
        expected: &'static str,
    },

    /// The baseline has a schema version this program does not know.
    #[error(
        "baseline `{}` is a {kind} of schema version {found}: expected {}",
        untrusted::path(path),
        versions(known)
    )]
    Version {
        /// The baseline file.
        path: PathBuf,
        /// `JSON report` or `JSON model card`.
        kind: &'static str,
        /// The version found.
        found: String,
        /// The versions this program reads of that kind.
        known: &'static [u32],
    },
}

/// One line of text without control characters, at most 200 characters.
fn is_plain_text(s: &str) -> bool {
    s.chars().count() <= 200 && !s.chars().any(char::is_control)
}

/// Versions in prose: `1`, or `1 or 2`.
fn versions(known: &[u32]) -> String {
    known.iter().map(u32::to_string).collect::<Vec<_>>().join(" or ")
}

/// The previous model's metrics and provenance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Baseline {
    /// The baseline file.
    pub path: PathBuf,
    /// The previous model's id, when its report has one.
    pub model_id: Option<String>,
    /// The previous metrics; `None` where undefined.
    pub metrics: PerMetric<Option<f64>>,
    /// Each metric's trials (or effective pairs) in a JSON report; `None`
    /// for a card, which has no counts.
    #[serde(skip)]
    pub trials: PerMetric<Option<trials::Trials>>,
    /// The SHA-256 of the dataset it was evaluated on.
    pub dataset_sha256: String,
    /// When it was evaluated (RFC 3339, UTC), when the file says.
    #[serde(skip)]
    pub evaluated_at: Option<String>,
    /// Cluster mode with `name_column`: the previous model's homonymy and
    /// name variation rates, when its report has them.
    #[serde(skip)]
    pub names: Option<[Option<f64>; 2]>,
}

#[derive(Deserialize)]
struct Raw {
    schema_version: Option<u32>,
    metrics: RawMetrics,
    dataset: RawDataset,
    model: Option<RawModel>,
    evaluated_at: Option<String>,
}

/// A report's metrics are an object, a card's a list of rules.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawMetrics {
    Report { precision: Option<f64>, recall: Option<f64>, f1: Option<f64> },
    Card(Vec<RawRule>),
}

#[derive(Deserialize)]
struct RawRule {
    metric: String,
    value: Option<f64>,
}

#[derive(Deserialize)]
struct RawDataset {
    sha256: String,
}

#[derive(Deserialize)]
struct RawModel {
    id: Option<String>,
    evaluated_at: Option<String>,
}

impl RawMetrics {
    /// The metrics, once the schema version is one this kind of file
    /// (report or card) is read at.
    fn checked(
        &self,
        path: &Path,
        version: Option<u32>,
    ) -> Result<PerMetric<Option<f64>>, BaselineError> {
        let (kind, known, fields) = match self {
            RawMetrics::Report { precision, recall, f1 } => (
                "JSON report",
                READABLE_VERSIONS,
                PerMetric::from_fn(|m| match m {
                    Metric::Precision => *precision,
                    Metric::Recall => *recall,
                    Metric::F1 => *f1,
                }),
            ),
            RawMetrics::Card(rules) => ("JSON model card", READABLE_CARD_VERSIONS, {
                PerMetric::from_fn(|m| {
                    rules.iter().find(|r| r.metric == m.name()).and_then(|r| r.value)
                })
            }),
        };
        match version {
            Some(v) if known.contains(&v) => Ok(fields),
            found => Err(BaselineError::Version {
                path: path.to_path_buf(),
                kind,
                found: found.map_or("none".to_string(), |v| v.to_string()),
                known,
            }),
        }
    }
}

impl Baseline {
    /// Reads a baseline report. Fails on a missing or unreadable file, on
    /// malformed JSON and on an unknown schema version.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = crate::files::read_text(path)
            .map_err(|source| BaselineError::Read { path: path.to_path_buf(), source })?;
        Baseline::from_text(path, &text)
    }

    /// Parses and validates a baseline's text; `path` names it in errors.
    pub fn from_text(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
        let raw: Raw = serde_json::from_str(text)
            .map_err(|source| BaselineError::Format { path: path.to_path_buf(), source })?;
        let fields = raw.metrics.checked(path, raw.schema_version)?;
        let field = |field, value: String, expected| BaselineError::Field {
            path: path.to_path_buf(),
            field,
            value,
            expected,
        };
        let metric = |name, value: Option<f64>| match value {
            Some(v) if !(0.0..=1.0).contains(&v) => {
                // As JSON writes it: 1e308, not 309 digits.
                Err(field(
                    name,
                    serde_json::Value::from(v).to_string(),
                    "a number in [0, 1], or null",
                ))
            }
            _ => Ok(value),
        };
        let metrics = PerMetric {
            precision: metric("metrics.precision", fields.precision)?,
            recall: metric("metrics.recall", fields.recall)?,
            f1: metric("metrics.f1", fields.f1)?,
        };
        let sha256 = raw.dataset.sha256;
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(field("dataset.sha256", sha256, "a SHA-256 of 64 hex digits"));
        }
        let (model_id, card_time) = raw.model.map_or((None, None), |m| (m.id, m.evaluated_at));
        if let Some(id) = model_id.as_ref().filter(|id| !is_plain_text(id)) {
            return Err(field("model.id", id.clone(), "one line of at most 200 characters"));
        }
        let report: serde_json::Value = serde_json::from_str(text)
            .map_err(|source| BaselineError::Format { path: path.to_path_buf(), source })?;
        let trials = trials::trials(&report)
            .map_err(|(name, value)| field(name, value, "a count of pairs, above 0"))?;
        let names = &report["clusters"]["names"];
        let rate = |key: &str| names.get(key).and_then(serde_json::Value::as_f64);
        let names = if names.is_object() {
            Some([
                metric("clusters.names.homonymy_rate", rate("homonymy_rate"))?,
                metric("clusters.names.name_variation_rate", rate("name_variation_rate"))?,
            ])
        } else {
            None
        };
        Ok(Baseline {
            path: path.to_path_buf(),
            model_id,
            metrics,
            trials,
            names,
            dataset_sha256: sha256.to_ascii_lowercase(),
            evaluated_at: raw.evaluated_at.or(card_time),
        })
    }

    /// The previous value of `metric`.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        self.metrics.get(metric)
    }

    /// The previous value's interval at two-sided level `confidence`: the
    /// Wilson interval of its proportion (F1's through J) over the trials
    /// it was measured on, at Student's t on its clusters − 1 degrees of
    /// freedom with `cluster_by`; `None` without them (a card) or a value.
    pub fn interval(&self, metric: Metric, confidence: f64) -> Option<crate::stats::Interval> {
        let (value, t) = (self.get(metric)?, self.trials.get(metric)?);
        crate::stats::metric_interval(metric, value, t.trials, t.degrees, confidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn reads_a_version_1_report() {
        let file = write(
            r#"{"schema_version": 1, "metrics": {"precision": 0.9, "recall": null, "f1": 0.5},
                "dataset": {"sha256": "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"},
                "model": {"id": "er_20250101"}, "extra": 1}"#,
        );
        let b = Baseline::load(file.path()).unwrap();
        assert_eq!(b.get(Metric::Precision), Some(0.9));
        assert_eq!(b.get(Metric::Recall), None);
        assert_eq!(b.model_id.as_deref(), Some("er_20250101"));
        assert_eq!(b.dataset_sha256, "ab".repeat(32));
    }

    /// What a report writes (serde_json) a baseline reads back to the bit:
    /// 600 metrics as counts give them, and the extremes.
    #[test]
    fn every_float_written_reads_back_exactly() {
        let mut floats: Vec<f64> = (1..=600u64).map(|k| k as f64 / (k as f64 + 7919.0)).collect();
        floats.extend([f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0, 5e-324, 0.1 + 0.2]);
        for value in floats {
            let report = serde_json::json!({
                "schema_version": 1,
                "metrics": {"precision": value, "recall": value, "f1": value},
                "dataset": {"sha256": "ab".repeat(32)},
            });
            let file = write(&serde_json::to_string(&report).unwrap());
            let read = Baseline::load(file.path()).unwrap().get(Metric::F1).unwrap();
            assert_eq!(read.to_bits(), value.to_bits(), "{value}");
        }
    }

    #[test]
    fn rejects_missing_malformed_and_unknown_versions() {
        let missing = Baseline::load(Path::new("/nonexistent/b.json")).unwrap_err();
        assert!(matches!(missing, BaselineError::Read { .. }), "{missing:?}");
        let bad = write("{not json");
        assert!(matches!(Baseline::load(bad.path()).unwrap_err(), BaselineError::Format { .. }));
        let v4 = write(r#"{"schema_version": 4, "metrics": {}, "dataset": {"sha256": "ab"}}"#);
        let err = Baseline::load(v4.path()).unwrap_err();
        assert!(
            err.to_string().contains("JSON report of schema version 4: expected 1 or 2 or 3"),
            "{err}"
        );
    }

    #[test]
    fn rejects_fields_no_report_holds() {
        let sha = "ab".repeat(32);
        let cases = [
            (
                format!(r#"{{"precision": 1e308}}, "dataset": {{"sha256": "{sha}"}}"#),
                "metrics.precision",
            ),
            (format!(r#"{{"f1": -0.5}}, "dataset": {{"sha256": "{sha}"}}"#), "metrics.f1"),
            (r#"{}, "dataset": {"sha256": "ab\n## Approved"}"#.to_string(), "dataset.sha256"),
            (
                format!(r#"{{}}, "dataset": {{"sha256": "{sha}"}}, "model": {{"id": "a\nb"}}"#),
                "model.id",
            ),
        ];
        for (rest, expected) in cases {
            let file = write(&format!(r#"{{"schema_version": 1, "metrics": {rest}}}"#));
            match Baseline::load(file.path()).unwrap_err() {
                BaselineError::Field { field, .. } => assert_eq!(field, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
        let file = write(r#"{"schema_version": 1, "metrics": {}, "dataset": {"sha256": "x\ny"}}"#);
        let message = Baseline::load(file.path()).unwrap_err().to_string();
        assert!(
            message
                .ends_with("has `dataset.sha256` = `x\\ny`: expected a SHA-256 of 64 hex digits"),
            "{message}"
        );
    }
}
