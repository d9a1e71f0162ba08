//! The slices as the summary and the model card show them: a table per
//! column, the failed slice rules as sentences, and the card's limitations
//! derived from the flags.

use super::{SliceColumnReport, SliceReport, SlicesReport};
use crate::metrics::Metric;
use crate::report::format::{self, code, percent};
use crate::slices::{SliceCheck, SliceRule, SliceStatus};
use crate::untrusted::shown;

/// One slice column as the summary and the card show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SliceTable {
    /// The column, as code.
    pub column: String,
    /// What the table holds and how slices were judged, in prose.
    pub note: String,
    /// One row per value.
    pub rows: Vec<SliceRow>,
}

/// One value in a slice table; every cell formatted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SliceRow {
    /// The value, escaped, as code; `(null)` in italics for missing values.
    pub value: String,
    /// True matches.
    pub support: u64,
    /// Precision, recall and F1 as percentages (with intervals when set).
    pub precision: String,
    pub recall: String,
    /// F1.
    pub f1: String,
    /// TP, FP, FN.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// ✅, ⚠️ with what falls below overall, or — not evaluated.
    pub status: String,
}

/// The tables of the slices, one per column.
pub fn tables(r: &SlicesReport) -> Vec<SliceTable> {
    r.columns
        .iter()
        .map(|c| SliceTable {
            column: code(&shown(&c.column).to_string()),
            note: format!(
                "{}; a slice with fewer than {} true matches is not evaluated; ⚠️ marks a metric whose {}% interval lies wholly below overall minus {} pp, Holm-adjusted over the {} metrics of evaluated slices tested, so that slices no worse than that are flagged in at most {}% of runs.{}",
                format::count(c.values as u64, "value"),
                r.min_support,
                percent_level(r.flag_confidence),
                points(r.flag_gap),
                r.tested,
                percent_level((1.0 - r.flag_confidence) / 2.0),
                clustered(c),
            ),
            rows: c.slices.iter().map(|s| row(s, r, &c.column)).collect(),
        })
        .collect()
}

/// What the intervals of a column's slices count, with `cluster_by`.
fn clustered(c: &SliceColumnReport) -> String {
    let Some(designs) = c.slices.iter().find_map(|s| s.cluster_by.as_ref()) else {
        return String::new();
    };
    let columns: Vec<String> =
        designs.columns.iter().map(|c| code(&shown(c).to_string())).collect();
    format!(
        " Each slice's intervals count its correlated pairs (by {}) as the independent pairs they are worth, as the overall ones do.",
        columns.join(" and ")
    )
}

fn row(s: &SliceReport, r: &SlicesReport, column: &str) -> SliceRow {
    let min_support = r.min_support;
    let failed: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status == SliceStatus::Fail && c.column == column && c.value == s.text)
        .map(broken)
        .collect();
    let cell = |m: Metric| {
        let value = s.metrics.get(m).map_or_else(|| "—".to_string(), percent);
        match s.intervals.as_ref().and_then(|i| i.get(m)) {
            Some(i) => format!("{value} ({}–{})", percent(i.lower), percent(i.upper)),
            None => value,
        }
    };
    let status = if !failed.is_empty() {
        format!("❌ {}", failed.join(", "))
    } else if !s.evaluated {
        format!("— not evaluated: {} true matches, below {min_support}", s.support)
    } else if s.flagged.is_empty() {
        "✅".to_string()
    } else {
        let below: Vec<String> = s
            .flagged
            .iter()
            .map(|m| {
                let gap = s.below_overall.get(*m).unwrap_or(0.0);
                format!("{} {} pp below overall", m.name(), points(gap))
            })
            .collect();
        format!("⚠️ {}", below.join(", "))
    };
    SliceRow {
        value: value_cell(&s.value, &s.text),
        support: s.support,
        precision: cell(Metric::Precision),
        recall: cell(Metric::Recall),
        f1: cell(Metric::F1),
        tp: s.counts.tp,
        fp: s.counts.fp,
        fn_: s.counts.fn_,
        status,
    }
}

/// What a failed rule found, short: `recall 76.5% < 80.0%`, `recall
/// 11.5 pp below overall > 5.0`.
fn broken(c: &SliceCheck) -> String {
    let actual = c.actual.map_or_else(|| "undefined".to_string(), percent);
    match c.rule {
        SliceRule::AtLeast { min } => format!("{} {actual} < {}", c.metric.name(), percent(min)),
        SliceRule::MaxGap { max_gap, overall } => format!(
            "{} {} pp below overall > {}",
            c.metric.name(),
            points(overall - c.actual.unwrap_or(overall)),
            points(max_gap)
        ),
    }
}

/// A failed slice rule as a sentence, for its `::error`: the slice, the
/// metric, what it is and what the rule asks.
pub fn failure(c: &SliceCheck) -> String {
    let slice = slice_code(&c.column, &c.value);
    let actual = c.actual.map_or_else(|| "undefined".to_string(), percent);
    match c.rule {
        SliceRule::AtLeast { min } => format!(
            "{} on {slice} is {actual}, below its minimum {} (slice_minimums)",
            c.metric.title(),
            percent(min)
        ),
        SliceRule::MaxGap { max_gap, overall } => format!(
            "{} on {slice} is {actual}, {} pp below overall {}: more than max_slice_gap {} pp",
            c.metric.title(),
            points(overall - c.actual.unwrap_or(overall)),
            percent(overall),
            points(max_gap)
        ),
    }
}

/// A value as shown: escaped, cut, as code; `(null)` in italics for a
/// missing value (a string "(null)" stays code).
/// A slice's value as a table cell: `(null)` in italics, else escaped code.
pub(in crate::report) fn value_cell(value: &serde_json::Value, text: &str) -> String {
    if value.is_null() { "*(null)*".to_string() } else { code(&format::data(text)) }
}

/// A slice as code, `` `column = value` ``, both escaped, the value cut.
pub fn slice_code(column: &str, value: &str) -> String {
    code(&format!("{} = {}", shown(column), format::data(value)))
}

fn true_matches(n: u64) -> String {
    match n {
        1 => "1 true match".to_string(),
        n => format!("{n} true matches"),
    }
}

/// A level as a percentage, as short as it is exact: `95`, `2.5`.
fn percent_level(fraction: f64) -> String {
    format!("{}", (fraction * 1000.0).round() / 10.0)
}

/// A fraction as percentage points, one decimal.
fn points(fraction: f64) -> String {
    format!("{:.1}", fraction * 100.0)
}

/// The card's derived limitations from one slice column: each metric of an
/// evaluated slice more than `slice_limitation_gap` below overall, then
/// each slice not evaluated for lack of support.
pub fn limitations(r: &SlicesReport) -> Vec<String> {
    let mut out = Vec::new();
    for c in &r.columns {
        let name = |s: &SliceReport| {
            if s.value.is_null() {
                code(&format!("{} is null", shown(&c.column)))
            } else {
                slice_code(&c.column, &s.text)
            }
        };
        for s in c.slices.iter().filter(|s| s.evaluated) {
            for m in &s.flagged {
                let (value, gap) = (s.metrics.get(*m), s.below_overall.get(*m));
                if let (Some(value), Some(gap)) = (value, gap) {
                    out.push(format!(
                        "{} on {} is {} ({}), {} pp below overall.",
                        m.title(),
                        name(s),
                        percent(value),
                        true_matches(s.support),
                        points(gap)
                    ));
                }
            }
        }
        for s in c.slices.iter().filter(|s| !s.evaluated) {
            out.push(format!(
                "Not evaluated on {}: {}, below the minimum of {}.",
                name(s),
                true_matches(s.support),
                r.min_support
            ));
        }
    }
    out
}
