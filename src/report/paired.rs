//! The model against the previous one on the same pairs (a baseline score
//! or prediction column): the JSON part, the step outputs and the
//! summary's section.

use serde::Serialize;

use super::DecisionReport;
use super::outputs::Outputs;
use crate::metrics::Metric;
use crate::paired::Comparison;
use crate::report::format;

/// The JSON report's `paired`: how the previous model decided, and the
/// comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PairedReport {
    /// How the previous model predicted a match.
    pub previous_decision: DecisionReport,
    /// The file its decisions came from, with `baseline_predictions`.
    pub previous_predictions: Option<crate::evaluate::PredictionsFile>,
    /// The flip table, McNemar's test and each metric's change.
    #[serde(flatten)]
    pub comparison: Comparison,
}

impl PairedReport {
    /// The step outputs: each metric's change and its interval's bounds,
    /// then the flip counts and McNemar's p-value.
    pub fn outputs(&self) -> Outputs {
        let c = &self.comparison;
        let mut outputs = Outputs::new();
        let names = [
            (
                Metric::Precision,
                ["precision_delta", "precision_delta_lower", "precision_delta_upper"],
            ),
            (Metric::Recall, ["recall_delta", "recall_delta_lower", "recall_delta_upper"]),
            (Metric::F1, ["f1_delta", "f1_delta_lower", "f1_delta_upper"]),
        ];
        for (metric, [delta, lower, upper]) in names {
            let change = c.metrics.get(metric);
            let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let interval = change.and_then(|ch| ch.interval);
            outputs.push((delta, text(change.map(|ch| ch.delta))));
            outputs.push((lower, text(interval.map(|i| i.lower))));
            outputs.push((upper, text(interval.map(|i| i.upper))));
        }
        outputs.push(("errors_fixed", c.errors_fixed.to_string()));
        outputs.push(("errors_introduced", c.errors_introduced.to_string()));
        outputs.push(("decisions_changed", c.decisions_changed.to_string()));
        outputs.push(("recall_mcnemar_p", c.recall_mcnemar.p_value.to_string()));
        outputs
    }
}

/// The summary's section.
#[derive(Serialize)]
pub struct PairedView {
    headline: String,
    flips: Vec<[String; 3]>,
    level: String,
    changes: Vec<[String; 5]>,
    notes: Vec<String>,
}

/// The summary's section of a paired comparison.
pub fn view(p: &PairedReport) -> PairedView {
    let c = &p.comparison;
    let d = &p.previous_decision;
    let headline = format!(
        "Both models decided the same pairs (the previous one: {}). {} decisions changed: {} errors fixed, {} introduced.",
        format::decision_text(d),
        c.decisions_changed,
        c.errors_fixed,
        c.errors_introduced
    );
    PairedView {
        headline,
        flips: flip_rows(c),
        level: format::level(c.confidence),
        changes: change_rows(c),
        notes: notes(p),
    }
}

/// The flip table's rows: what changed, among true matches and
/// non-matches.
fn flip_rows(c: &Comparison) -> Vec<[String; 3]> {
    let t = &c.flips;
    vec![
        [
            "Newly predicted a match".to_string(),
            format!("{} (fixed)", t.newly_matched_true),
            format!("{} (new false positives)", t.newly_matched_false),
        ],
        [
            "No longer predicted a match".to_string(),
            format!("{} (new false negatives)", t.no_longer_matched_true),
            format!("{} (fixed)", t.no_longer_matched_false),
        ],
    ]
}

/// Each metric before and now, its change and the change's interval, in
/// points.
fn change_rows(c: &Comparison) -> Vec<[String; 5]> {
    let points = format::points;
    Metric::ALL
        .into_iter()
        .map(|m| match c.metrics.get(m) {
            Some(ch) => [
                m.title().to_string(),
                format::plain(Some(ch.previous)),
                format::plain(Some(ch.current)),
                points(ch.delta),
                ch.interval.map_or_else(
                    || "(one cluster)".to_string(),
                    |i| format!("{} to {}", points(i.lower), points(i.upper)),
                ),
            ],
            None => [
                m.title().to_string(),
                String::new(),
                String::new(),
                "undefined".into(),
                String::new(),
            ],
        })
        .collect()
}

/// Where the previous decisions came from, McNemar's test, and what the
/// interval assumes.
fn notes(p: &PairedReport) -> Vec<String> {
    let c = &p.comparison;
    let m = &c.recall_mcnemar;
    let mut notes: Vec<String> = p.previous_predictions.iter().map(file_note).collect();
    notes.push(format!(
        "Recall: {} true matches found only now, {} only before; McNemar's exact test {}.",
        m.gained,
        m.lost,
        p_value(m.p_value)
    ));
    notes.push(match c.cluster_by.as_slice() {
        [] => "The change's interval is paired (each pair's contribution to both models' metrics, differenced) and treats pairs as independent.".to_string(),
        columns => format!(
            "The change's interval is paired (each pair's contribution to both models' metrics, differenced), its variance cluster-robust by {} at Student's t on the clusters less one.",
            columns.iter().map(|c| format::code(c)).collect::<Vec<_>>().join(" and ")
        ),
    });
    notes
}

/// A p-value in prose: `p = 0.0123`, or `p < 0.0001`.
fn p_value(p: f64) -> String {
    if p < 1e-4 { "p < 0.0001".to_string() } else { format!("p = {p:.4}") }
}

/// Each defined metric's change in points with its interval:
/// `Precision +5.8 pp (+5.0 to +6.7)`.
fn changes_text(c: &Comparison) -> String {
    let changes: Vec<String> = Metric::ALL
        .into_iter()
        .filter_map(|m| {
            let ch = c.metrics.get(m)?;
            let interval = ch.interval.map_or_else(String::new, |i| {
                format!(" ({} to {})", format::points(i.lower), format::points(i.upper))
            });
            Some(format!("{} {} pp{interval}", m.title(), format::points(ch.delta)))
        })
        .collect();
    changes.join(", ")
}

/// The terminal's line: what changed against the previous model.
pub fn terminal_line(p: &PairedReport) -> String {
    let c = &p.comparison;
    format!(
        "against the previous model on these pairs: {} decisions changed ({} errors fixed, {} introduced); {} at {}",
        c.decisions_changed,
        c.errors_fixed,
        c.errors_introduced,
        changes_text(c),
        format::level(c.confidence)
    )
}

/// The card's sentence: both models on the same pairs.
pub fn card_text(p: &PairedReport) -> String {
    let c = &p.comparison;
    let d = &p.previous_decision;
    format!(
        "On the same pairs as the previous model ({}): {} decisions changed, {} errors fixed, {} introduced; {}, at {} (paired).",
        format::decision_text(d),
        c.decisions_changed,
        c.errors_fixed,
        c.errors_introduced,
        changes_text(c),
        format::level(c.confidence)
    )
}

/// Where the previous decisions came from, with `baseline_predictions`.
fn file_note(f: &crate::evaluate::PredictionsFile) -> String {
    let keys: Vec<String> = f.key_columns.iter().map(|k| format::code(k)).collect();
    format!(
        "The previous model's decisions come from {} (SHA-256 {}), joined on {}: {} of its {} rows decide a labelled pair; {} labelled pairs have no decision there.",
        format::code(&f.path),
        format::code(&f.sha256.to_string()),
        keys.join(", "),
        f.rows - f.unlabelled,
        f.rows,
        f.unpredicted
    )
}
