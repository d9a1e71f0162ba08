//! The summary's and the comment's data: every number and phrase formatted,
//! so the templates hold no logic.

use serde::Serialize;

use crate::gate::{self, Check, Outcome, Rule, Status};
use crate::metrics::Metric;
use crate::report::Report;
use crate::report::advice::{self, Advice};
use crate::report::chart;
use crate::report::format::{self, Units, code};
use crate::report::uncertainty::{CurvePoint, SweepReport};
use crate::stats::Decides;

/// The summary and comment data.
#[derive(Serialize)]
pub struct View {
    icon: &'static str,
    outcome: &'static str,
    headline: String,
    checks: Vec<CheckView>,
    undefined: Vec<String>,
    tp: u64,
    fp: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    tn: u64,
    path: String,
    rows: u64,
    skipped: String,
    size: String,
    parts: Option<String>,
    engine: Option<String>,
    sha256: String,
    verified: String,
    decision: String,
    label_column: String,
    advice: Vec<Advice>,
    comparison: Option<super::comparison::ComparisonView>,
    paired: Option<super::paired::PairedView>,
    version: &'static str,
    run_url: Option<String>,
    confidence: Option<String>,
    model_note: Option<String>,
    weights_note: Option<String>,
    inconclusive: Vec<String>,
    intervals_note: Option<String>,
    sweep: Option<SweepView>,
    slices: Vec<super::slices::SliceTable>,
    errors_note: Option<String>,
    pairs: Option<super::pairs::ShownPairs>,
    clusters: Option<super::clusters::ClustersView>,
    blocking: Option<super::blocking::BlockingView>,
    settings: Vec<crate::evaluate::SettingOrigin>,
}

#[derive(Serialize)]
struct CheckView {
    title: String,
    value: String,
    interval: String,
    threshold: String,
    icon: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
struct SweepView {
    headline: String,
    chart: Option<String>,
    caption: String,
    table: Vec<chart::Row>,
}

impl View {
    /// The view of a report.
    pub fn new(r: &Report) -> View {
        let level = r.intervals.as_ref().map(|i| format::level(i.level));
        View {
            icon: format::verdict_icon(r.outcome),
            outcome: match r.outcome {
                Outcome::Passed => "passed",
                Outcome::Failed => "failed",
                Outcome::Inconclusive => "inconclusive",
            },
            headline: headline(r),
            checks: r.checks.iter().map(check_view).collect(),
            undefined: undefined_notes(r),
            tp: r.counts.tp,
            fp: r.counts.fp,
            fn_: r.counts.fn_,
            tn: r.counts.tn,
            path: r.dataset.path.clone(),
            rows: r.rows,
            skipped: format::skipped_text(&r.skipped),
            size: format::size_text(r.dataset.size_bytes),
            parts: r.dataset.parts.as_ref().map(super::parts::text),
            engine: r.dataset.engine.as_ref().map(super::parts::engine_text),
            sha256: r.dataset.sha256.to_string(),
            verified: verified_text(&r.dataset.verified_against),
            decision: format::decision_text(&r.decision),
            label_column: r.label_column.clone(),
            advice: match &r.clusters {
                Some(c) => super::clusters::advice(r, c)
                    .into_iter()
                    .map(|(title, items)| Advice { title, items })
                    .collect(),
                None => advice::pairs(r),
            },
            clusters: super::clusters::view(r),
            blocking: super::blocking::view(r),
            comparison: r.baseline.as_ref().map(|c| c.view(&r.dataset.sha256)),
            paired: r.paired.as_ref().map(super::paired::view),
            version: r.tool.version,
            run_url: r.run_url.clone(),
            inconclusive: inconclusive_notes(r),
            model_note: r.model.id_defaulted.then(|| model_note(r)),
            weights_note: r
                .weights
                .as_ref()
                .map(weights_note)
                .or_else(|| r.strata.as_ref().map(super::uncertainty::strata_note)),
            intervals_note: level.as_ref().map(|l| intervals_note(r, l)),
            confidence: level,
            sweep: sweep_view(r),
            slices: r.slices.as_ref().map(super::slices::tables).unwrap_or_default(),
            pairs: r.shown_pairs.clone(),
            errors_note: r.errors.as_ref().map(errors_note),
            settings: r.settings.clone(),
        }
    }
}

/// The verdict in one line: how many checks failed or are inconclusive,
/// on how many pairs (records in cluster mode), and the slice rules.
fn headline(r: &Report) -> String {
    let pairs = match r.clusters {
        Some(_) => format::count(r.rows, "record"),
        None => format::count(r.rows, "candidate pair"),
    };
    let total = r.checks.len();
    let unsure = r.checks.iter().filter(|c| c.status == Status::Inconclusive).count();
    let headline = match (gate::failures(&r.checks).count() - unsure, unsure) {
        (0, 0) => format!("All {total} checks passed on {pairs}."),
        (0, 1) => format!(
            "1 of {total} checks is inconclusive on {pairs}: the data cannot tell whether it holds."
        ),
        (0, k) => format!(
            "{k} of {total} checks are inconclusive on {pairs}: the data cannot tell whether they hold."
        ),
        (n, 0) => format!("{n} of {total} checks failed on {pairs}."),
        (n, k) => format!("{n} of {total} checks failed and {k} are inconclusive on {pairs}."),
    };
    let headline = match r.blocking.as_ref().and_then(|b| b.blocking_passed) {
        Some(false) => format!("{headline} Blocking recall is below its minimum: the gate fails."),
        _ => headline,
    };
    match r.slices.as_ref().map_or(0, |s| s.failed()) {
        0 => headline,
        1 => format!("{headline} 1 slice rule failed: the gate fails."),
        n => format!("{headline} {n} slice rules failed: the gate fails."),
    }
}

/// One row of the checks table.
fn check_view(c: &Check) -> CheckView {
    CheckView {
        title: format::rule_title(c),
        value: format::check_value(c, Units::Fraction),
        interval: match (c.change, c.interval) {
            // A drop judged on the change: its interval, in points.
            (Some(d), _) => {
                format!("change {} to {} pp", format::points(d.lower), format::points(d.upper))
            }
            (None, Some(i)) => {
                let floor = c.floor().unwrap_or(i.lower);
                format!(
                    "{}–{}",
                    Units::Fraction.against(i.lower, floor),
                    Units::Fraction.against(i.upper, floor)
                )
            }
            (None, None) => String::new(),
        },
        threshold: format::rule_bound(c, Units::Fraction),
        icon: format::status_icon(c.status),
        status: match c.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Inconclusive => "inconclusive",
            Status::Undefined => "undefined",
        },
    }
}

/// Why each undefined metric is undefined.
fn undefined_notes(r: &Report) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Undefined)
        .map(|c| format!("{} is undefined: {}.", c.metric().title(), c.metric().undefined_reason()))
        .collect()
}

/// Why a model id should be set, when it was not.
fn model_note(r: &Report) -> String {
    format!(
        "`model_id` is not set: this run's id {} comes from the dataset date, so another model evaluated on the same dataset would share it, and its Pushgateway group. Set `model_id` (and `model_version`).",
        code(&r.model.id)
    )
}

/// Where the pairs to review are, and how many of each kind.
fn errors_note(e: &super::pairs::ErrorsKept) -> String {
    format!(
        "The pairs to review are in the errors file (output `errors_file`): {} of {} false positives, highest scores first, and {} of {} false negatives, lowest first, with every column. Rows are not shown here: validation sets often hold personal data.",
        e.false_positives, e.false_positives_total, e.false_negatives, e.false_negatives_total
    )
}

/// What the intervals at `level` are and assume.
fn intervals_note(r: &Report, level: &str) -> String {
    let note = assumed_note(r, level);
    if r.paired.is_some() && r.checks.iter().any(|c| c.change.is_some()) {
        return format!(
            "{note} Drops are judged on the paired interval of the change, both models on these pairs: a non-inferiority margin, passing when the interval lies wholly above minus the allowed drop."
        );
    }
    if r.checks.iter().any(|c| c.change.is_some()) {
        return format!(
            "{note} Drops against the baseline are judged on Newcombe's interval of the change, from this run's and the baseline report's trials: unpaired, as if the two runs were independent samples (on the same pairs they are not, and the interval is then wide)."
        );
    }
    note
}

/// What the intervals at `level` are, and what they assume of the pairs.
fn assumed_note(r: &Report, level: &str) -> String {
    let over = match r.weights {
        Some(_) => " over Kish's effective sample size of the weighted pairs",
        None => "",
    };
    if r.strata.is_some() {
        return format!(
            "Intervals: Wilson score, {level} two-sided, over the independent pairs each stratified estimate is worth."
        );
    }
    match r.intervals.as_ref().and_then(|i| i.cluster_by.as_ref()) {
        Some(designs) => format!(
            "Intervals: Wilson score, {level} two-sided{over}, counting correlated pairs as the independent pairs they are worth, at Student's t critical value on the clusters less one. {}",
            super::uncertainty::designs_note(designs)
        ),
        None => format!(
            "Intervals: Wilson score, {level} two-sided{over}. They assume independent pairs: pairs that share a record or an entity are not, and their intervals are then too narrow; `cluster_by` names the columns that say which pairs are correlated."
        ),
    }
}

/// How the pairs were weighted, in prose.
fn weights_note(w: &super::Weights) -> String {
    let c = &w.counts;
    format!(
        "Metrics are weighted by {}: weighted TP {}, FP {}, FN {}, TN {} (the counts below are pairs). Effective sample size (Kish): {}. The threshold sweep counts pairs, so it is off.",
        code(&w.column),
        format::weight(c.tp),
        format::weight(c.fp),
        format::weight(c.fn_),
        format::weight(c.tn),
        format::effective_sizes(&w.effective_size)
    )
}

/// For each inconclusive metric, what more data would do.
fn inconclusive_notes(r: &Report) -> Vec<String> {
    r.inconclusive
        .iter()
        .filter_map(|n| {
            let check = r.checks.iter().find(|c| {
                matches!(c.rule, Rule::AtLeast { metric, .. } if metric == n.metric)
            })?;
            let (value, floor) = (check.value?, check.floor()?);
            let name = n.metric.name();
            let value = format::metric_value(value, floor);
            let (below, side) = match n.decides {
                Decides::Pass => (String::new(), "at or above"),
                Decides::Fail => (format!(", and its point value {value} is below {floor}"), "below"),
            };
            let clusters = n
                .clusters
                .map(|c| format!(" in about {}", format::count(c.more, &format!("more {}", c.unit))))
                .unwrap_or_default();
            let design = n
                .design_effect
                .map(|d| format!(", at the design effect of {d:.2} `cluster_by` measured"))
                .unwrap_or_default();
            Some(format!(
                "{} is inconclusive{below}: about {} more labelled pairs like these{clusters} ({} more {}, {name}'s denominator{design}) would give an {:.0}% chance that the interval lies wholly {side} {floor}, if {name} stays at {value}.",
                n.metric.title(),
                n.labelled_pairs_more,
                n.more,
                n.denominator,
                n.power * 100.0,
            ))
        })
        .collect()
}

/// The decision threshold section: what the sweep says, and the curve.
fn sweep_view(r: &Report) -> Option<SweepView> {
    let s = r.sweep.as_ref()?;
    let headline = sweep_headline(r, s)?;
    let marks = chart::Marks::of(r);
    let gate_threshold = r.decision.threshold.map_or_else(String::new, |t| {
        format!(
            " The gate's threshold is {t}: precision {}, recall {}.",
            format::plain(r.metrics.precision),
            format::plain(r.metrics.recall)
        )
    });
    Some(SweepView {
        headline: format!(
            "{headline} A threshold chosen on this validation set is optimistic on it: confirm it on fresh labelled pairs."
        ),
        chart: chart::mermaid(&s.curve, marks),
        caption: format!("{}{gate_threshold}", chart::legend(marks)),
        table: chart::table(&s.curve),
    })
}

/// What the sweep says of the decision threshold: where the gate would
/// pass, or the best it can do; `None` when it says nothing.
fn sweep_headline(r: &Report, s: &SweepReport) -> Option<String> {
    let value = |p: &CurvePoint, m: Metric| format::plain(p.metrics.get(m));
    let minimum = |m: Metric| r.minimum(m);
    Some(match (&s.recommended, &s.passing_range, &s.max_f1) {
        (Some(best), Some(range), _) if !r.passed => format!(
            "At `decision_threshold` {} the gate would pass: precision {}, recall {}, F1 {} (exact counts on this validation set; every rule holds from {} to {}).",
            best.threshold,
            value(best, Metric::Precision),
            value(best, Metric::Recall),
            value(best, Metric::F1),
            range.lowest,
            range.highest
        ),
        (Some(best), Some(range), _) => format!(
            "Every rule holds for `decision_threshold` from {} to {}; F1 is highest there ({}) at {}.",
            range.lowest,
            range.highest,
            value(best, Metric::F1),
            best.threshold
        ),
        (_, _, Some(top)) => {
            let mut text = format!(
                "No decision threshold passes every rule. Best F1 {} at {}",
                value(top, Metric::F1),
                top.threshold
            );
            if let (Some(p), Some(min)) =
                (&s.best_precision_keeping_recall, minimum(Metric::Recall))
            {
                text.push_str(&format!(
                    "; where recall stays ≥ {min}, precision reaches at most {} (at {})",
                    value(p, Metric::Precision),
                    p.threshold
                ));
            }
            text + "."
        }
        _ => return None,
    })
}

/// What the hash was checked against: `✅ matches line 3 of `checksums.txt``.
fn verified_text(against: &[String]) -> String {
    match against {
        [] => "(not verified: `dataset_hash` not set)".to_string(),
        _ => format!("✅ matches {}", against.join(" and ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_text_names_what_the_hash_was_checked_against() {
        assert_eq!(verified_text(&[]), "(not verified: `dataset_hash` not set)");
        assert_eq!(verified_text(&["`dataset_hash`".into()]), "✅ matches `dataset_hash`");
        assert_eq!(
            verified_text(&["`dataset_hash`".into(), "line 2 of `c.txt`".into()]),
            "✅ matches `dataset_hash` and line 2 of `c.txt`"
        );
    }
}
