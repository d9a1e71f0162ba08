//! Recall through blocking in the summary and the card (pair mode with
//! `truth`): the true pairs among the labelled records, how many blocking
//! proposed, how many the model found, and the labels the truth disputes.

use serde::Serialize;

use super::Report;
use super::format::{self, Units, code};
use crate::clusters::FamilyMetrics;
use crate::evaluate::{Blocking, Closure, RecallScope};

/// The section's data.
#[derive(Debug, Clone, Serialize)]
pub struct BlockingView {
    note: String,
    /// (what, value) rows.
    rows: Vec<(String, String)>,
}

/// The section, with `truth` in pair mode.
pub fn view(r: &Report) -> Option<BlockingView> {
    let b = r.blocking.as_ref()?;
    let share = |v: Option<f64>| Units::Percent.level_or_undefined(v);
    let mut rows = vec![
        ("True pairs among the truth's records".to_string(), b.true_pairs.to_string()),
        (
            "Of them, candidate pairs (blocking recall)".to_string(),
            format!("{} ({})", b.candidate_true_pairs, share(b.blocking_recall)),
        ),
        (
            "Of them, found by the model (end-to-end recall)".to_string(),
            format!("{} ({})", r.counts.tp, share(b.end_to_end_recall)),
        ),
        ("Candidate pairs whose label the truth disputes".to_string(), disputes(b)),
        ("Candidate pairs with a record outside the truth".to_string(), b.unresolved.to_string()),
        (
            "Truth records in no candidate pair".to_string(),
            format!("{} of {}", b.truth.missing, b.truth.records),
        ),
    ];
    rows.extend(rule_row(b));
    rows.extend(b.closure.iter().flat_map(closure_rows));
    let scope = match b.recall_scope {
        RecallScope::EndToEnd => {
            " The gate's recall (min_recall) is the end-to-end one (recall_scope: end_to_end)."
        }
        RecallScope::Candidates => "",
    };
    let note = format!(
        "The candidate pairs are the ones blocking proposed: recall over them cannot count a true pair never compared. The truth file {} (SHA-256 {}) gives every true pair among its records, so blocking recall says how many true pairs were ever compared, and end-to-end recall (true positives over all true pairs) how many the whole pipeline finds.{scope}",
        code(&b.truth.path),
        code(&b.truth.sha256.to_string())
    );
    Some(BlockingView { note, rows })
}

/// The closure's rows: the components, every family, the largest.
fn closure_rows(c: &Closure) -> Vec<(String, String)> {
    let value = |v| Units::Percent.level_or_undefined(v);
    let family = |name: &str, m: &FamilyMetrics| {
        (
            format!("After closure, {name} precision / recall / F1"),
            format!("{} / {} / {}", value(m.precision), value(m.recall), value(m.f1)),
        )
    };
    let f = &c.clusters.families;
    let largest: Vec<String> = c
        .largest
        .iter()
        .map(|k| match k.weakest {
            Some((score, row)) => format!("{} (weakest link {score} at row {row})", k.records),
            None => k.records.to_string(),
        })
        .collect();
    vec![
        (
            "After closure: connected components of the predicted matches".to_string(),
            format!(
                "{} over {} records; {} hold the truth's records",
                c.components, c.records, c.clusters.counts.predicted_clusters
            ),
        ),
        family("pairwise", &f.pairwise),
        family("B-cubed", &f.bcubed),
        family("exact-cluster", &f.cluster),
        ("Largest components, records".to_string(), largest.join(" · ")),
    ]
    .into_iter()
    .chain(c.names.as_ref().map(|n| super::clusters::name_rows(n, None)).unwrap_or_default())
    .collect()
}

/// The gate's blocking rule in the section's table, with `min_blocking_recall`.
fn rule_row(b: &Blocking) -> Option<(String, String)> {
    let min = b.min_blocking_recall?;
    let status = if b.blocking_passed == Some(true) { "✅ pass" } else { "❌ fail" };
    Some((
        "Minimum blocking recall (min_blocking_recall)".to_string(),
        format!("≥ {}: {status}", format::percent(min)),
    ))
}

/// The terminal's line: blocking and end-to-end recall.
pub fn terminal_line(b: &Blocking) -> String {
    let share = |v: Option<f64>| Units::Percent.level_or_undefined(v);
    format!(
        "blocking recall {} ({} of {} true pairs are candidates), end-to-end recall {}, {} labels the truth disputes",
        share(b.blocking_recall),
        b.candidate_true_pairs,
        b.true_pairs,
        share(b.end_to_end_recall),
        b.label_disagreements
    )
}

/// The disputed labels, with the first rows.
fn disputes(b: &Blocking) -> String {
    match b.label_disagreements {
        0 => "0".to_string(),
        n => {
            let rows: Vec<String> = b.first_disagreements.iter().map(u64::to_string).collect();
            let more = if n > rows.len() as u64 { ", …" } else { "" };
            format!("{n} (rows {}{more})", rows.join(", "))
        }
    }
}
