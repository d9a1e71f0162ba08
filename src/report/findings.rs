//! What the run wants a reader's attention for, as neutral findings.
//!
//! A [`Finding`] is a level, a title and a message: one per failed rule, a
//! warning for skipped rows or a baseline on other data, a notice on a pass.
//! How a finding is shown (a GitHub `::error` line, a plain `error:` line) is
//! the integrations' business, not this module's.

use crate::gate::{self, Check, OnInconclusive, Outcome, Rule, Status};
use crate::report::Report;
use crate::report::comparison::BaselineSearch;
use crate::report::format::{self, Units};
use crate::stats::Interval;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The gate failed, or the run could not evaluate.
    Error,
    /// Something a reader should know; the verdict stands.
    Warning,
    /// For information.
    Notice,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// A short title.
    pub title: String,
    pub message: String,
}

impl Report {
    /// One error per failed rule, a warning for skipped rows and for a
    /// baseline on another dataset, a notice on pass.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.rows_skipped > 0 {
            out.push(Finding {
                level: Level::Warning,
                title: "Rows skipped".to_string(),
                message: format!(
                    "{} of {} rows of `{}` were left out for missing values (null_policy: skip)",
                    self.rows_skipped,
                    self.rows + self.rows_skipped,
                    crate::untrusted::shown(&self.dataset.path)
                ),
            });
        }
        out.extend(self.percent_like());
        out.extend(self.baseline_search.iter().flat_map(search));
        if let Some(c) = self.baseline.as_ref().filter(|c| !c.same_dataset) {
            out.push(Finding {
                level: Level::Warning,
                title: "Baseline on another dataset".to_string(),
                message: format::different_dataset(
                    &c.dataset_sha256,
                    &self.dataset.sha256.to_string(),
                ),
            });
        }
        out.extend(gate::failures(&self.checks).map(|check| self.rule_finding(check)));
        out.extend(self.slices.iter().flat_map(slice_findings));
        out.extend(self.blocking.as_ref().and_then(blocking_finding));
        if self.outcome == Outcome::Passed {
            out.push(self.passed_finding());
        }
        out
    }

    /// A rule that did not pass: an error, or for an inconclusive one what
    /// `on_inconclusive` makes of it.
    fn rule_finding(&self, check: &Check) -> Finding {
        let (title, message) = match (check.status, check.change, check.interval) {
            (Status::Inconclusive, Some(change), _) => inconclusive_change(check, change),
            (Status::Inconclusive, None, Some(interval)) => inconclusive(check, interval),
            _ => failure(check, &self.counts_text()),
        };
        let level = match (check.status, self.on_inconclusive) {
            (Status::Inconclusive, OnInconclusive::Warn) => Level::Warning,
            (Status::Inconclusive, OnInconclusive::Pass) => Level::Notice,
            _ => Level::Error,
        };
        Finding { level, title, message }
    }

    /// The notice of a pass: every rule's value against its bound.
    fn passed_finding(&self) -> Finding {
        let parts: Vec<String> = self
            .checks
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    format::rule_title(c),
                    format::check_value(c, Units::Fraction),
                    format::rule_bound(c, Units::Fraction)
                )
            })
            .collect();
        Finding {
            level: Level::Notice,
            title: "ER precision gate passed".to_string(),
            message: format!("{} on {}", parts.join(", "), format::count(self.rows, "pair")),
        }
    }

    /// A warning when the scores look like percentages for a threshold on
    /// the 0-1 scale: the sweep's curve starts at or above 0 (no score
    /// below it) and ends above 1.001 but at most 100.1 (some score above
    /// 1, none above 100).
    fn percent_like(&self) -> Option<Finding> {
        let d = &self.decision;
        let threshold = d.threshold.filter(|t| (0.0..=1.0).contains(t) && d.scale.is_none())?;
        let curve = &self.sweep.as_ref()?.curve;
        let (first, last) = (curve.first()?.threshold, curve.last()?.threshold);
        (first >= 0.0 && last > 1.001 && last <= 100.1).then(|| Finding {
            level: Level::Warning,
            title: "Scores look like percentages".to_string(),
            message: format!(
                "every score of `{}` lies in [0, 100] and some are above 1, while decision_threshold {threshold} is on a 0-1 scale: if the scores are percentages, set `score_scale: percent` (each divided by 100) or `decision_threshold: {}`",
                crate::untrusted::shown(&d.column),
                format!("{:.6}", threshold * 100.0).trim_end_matches('0').trim_end_matches('.')
            ),
        })
    }

    fn counts_text(&self) -> String {
        let c = &self.counts;
        format!("TP {}, FP {}, FN {}, TN {}", c.tp, c.fp, c.fn_, c.tn)
    }
}

/// The title and message of a rule its interval cannot decide.
fn inconclusive(check: &Check, interval: Interval) -> (String, String) {
    let metric = check.metric();
    let floor = check.floor().unwrap_or(interval.lower);
    (
        format!("{} inconclusive", metric.title()),
        format!(
            "{} {} has the interval {}–{}, which holds min_{} {floor}: the data cannot tell whether the rule holds",
            metric.name(),
            format::check_value(check, Units::Fraction),
            Units::Fraction.against(interval.lower, floor),
            Units::Fraction.against(interval.upper, floor),
            metric.name(),
        ),
    )
}

/// The title and message of a drop rule whose change's interval holds the
/// margin.
fn inconclusive_change(check: &Check, change: Interval) -> (String, String) {
    let name = check.metric().name();
    let margin = match check.rule {
        Rule::MaxDrop { max_drop, .. } => max_drop,
        Rule::AtLeast { .. } => 0.0,
    };
    (
        format!("{} vs baseline inconclusive", check.metric().title()),
        format!(
            "the change in {name} has the interval {} to {} points, which holds -max_{name}_drop ({} points): the two samples cannot tell whether it dropped more than allowed",
            format::points(change.lower),
            format::points(change.upper),
            format::points(-margin),
        ),
    )
}

/// The title and message of a rule that did not pass.
fn failure(check: &Check, counts: &str) -> (String, String) {
    let metric = check.metric();
    let name = metric.name();
    match (check.rule, check.value) {
        (Rule::AtLeast { threshold, .. }, Some(value)) => (
            format!("{} below threshold", metric.title()),
            format!(
                "{name} {} is below min_{name} {threshold} ({counts})",
                format::metric_value(value, threshold)
            ),
        ),
        (Rule::MaxDrop { max_drop, baseline: Some(previous), .. }, Some(value)) => (
            format!("{} dropped below the baseline", metric.title()),
            format!(
                "{name} {} is {} points from the baseline's {} (max_{name}_drop {max_drop}) ({counts})",
                format::check_value(check, Units::Fraction),
                format::points(value - previous),
                Units::Fraction.level(previous),
            ),
        ),
        (Rule::MaxDrop { baseline: None, .. }, Some(_)) => (
            format!("{} baseline undefined", metric.title()),
            format!("the baseline's {name} is undefined, so max_{name}_drop cannot hold"),
        ),
        (_, None) => (
            format!("{} undefined", metric.title()),
            format!("{name} is undefined: {}", metric.undefined_reason()),
        ),
    }
}

/// What `baseline: latest` found: the card chosen or none, a notice; each
/// JSON file skipped, a warning.
fn search(s: &BaselineSearch) -> Vec<Finding> {
    let folders: Vec<String> = s.folders.iter().map(|f| format::code(f)).collect();
    let found = match &s.found {
        Some(path) => Finding {
            level: Level::Notice,
            title: "Baseline".to_string(),
            message: format!(
                "baseline: latest is {}, the newest earlier model card",
                format::code(path)
            ),
        },
        None => Finding {
            level: Level::Notice,
            title: "No baseline".to_string(),
            message: format!(
                "baseline: latest found no earlier model card JSON in {}: no comparison this run",
                folders.join(", ")
            ),
        },
    };
    let skipped = s.skipped.iter().map(|why| Finding {
        level: Level::Warning,
        title: "Not a baseline".to_string(),
        message: format!("baseline: latest skipped a file: {why}"),
    });
    std::iter::once(found).chain(skipped).collect()
}

/// An error per failed slice rule; a warning per minimum that could not be
/// judged (no such value, too few true matches, undefined).
fn slice_findings(r: &super::slices::SlicesReport) -> Vec<Finding> {
    use crate::slices::{SliceRule, SliceStatus};
    let mut out = Vec::new();
    for column in &r.columns {
        let evaluated = column.slices.iter().filter(|s| s.evaluated).count();
        let exported = super::exposition::exported(column).len();
        if exported < evaluated {
            out.push(Finding {
                level: Level::Notice,
                title: "Slice metrics left out of Prometheus".to_string(),
                message: format!(
                    "{exported} of {evaluated} evaluated slices of {} get er_gate_slice_* series (those with the most true matches); the JSON report has them all",
                    format::code(&crate::untrusted::shown(&column.column).to_string())
                ),
            });
        }
    }
    for c in &r.checks {
        match (c.status, c.rule) {
            (SliceStatus::Fail, _) => out.push(Finding {
                level: Level::Error,
                title: format!("Slice rule failed: {}", c.metric.title()),
                message: super::slices::failure(c),
            }),
            (SliceStatus::NotEvaluated, SliceRule::AtLeast { min }) => out.push(Finding {
                level: Level::Warning,
                title: "Slice rule not evaluated".to_string(),
                message: format!(
                    "{} on {} was not judged against its minimum {}: the slice is absent, has fewer than {} true matches, or the metric is undefined there",
                    c.metric.title(),
                    super::slices::slice_code(&c.column, &c.value),
                    format::percent(min),
                    r.min_support
                ),
            }),
            _ => {}
        }
    }
    out
}

/// An error when the blocking recall is below `min_blocking_recall`.
fn blocking_finding(b: &crate::evaluate::Blocking) -> Option<Finding> {
    let min = b.min_blocking_recall.filter(|_| b.blocking_passed == Some(false))?;
    Some(Finding {
        level: Level::Error,
        title: "Blocking recall below its minimum".to_string(),
        message: format!(
            "blocking recall {} ({} of the {} true pairs among the truth's records are candidate pairs) is below min_blocking_recall {}: widen blocking (more or looser blocking rules); a pair never compared can never be linked",
            Units::Percent.level_or_undefined(b.blocking_recall),
            b.candidate_true_pairs,
            b.true_pairs,
            format::percent(min)
        ),
    })
}
