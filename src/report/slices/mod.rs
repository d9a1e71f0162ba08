//! The slices in the report: each value's counts, metrics and intervals,
//! whether it had the support to be evaluated, and how far it falls below
//! the overall metrics; worst first.

#[cfg(test)]
mod clustered;
mod flags;

use crate::correlation::Designs;
use crate::evaluate::{self, Evaluation, SliceDesigns};
use crate::metrics::{Counts, Metric, PerMetric};
use crate::report::format::{self, code, percent};
use crate::slices::{SliceCheck, SliceColumn, SliceRule, SliceSettings, SliceStatus};
use crate::stats::{self, Interval};
use crate::untrusted::shown;
use flags::{DEFAULT_FLAG_CONFIDENCE, flag};

/// One slice column in the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SliceColumnReport {
    pub column: String,
    /// Distinct values, nulls counted as one.
    pub values: usize,
    /// The slices, evaluated ones worst F1 first, then the others by support.
    pub slices: Vec<SliceReport>,
}

/// One value of a slice column.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SliceReport {
    /// The value: JSON null for missing values, else a string, boolean or
    /// number (a string beyond 64 bits).
    pub value: serde_json::Value,
    /// The value as shown: `(null)` for missing values.
    #[serde(skip)]
    pub text: String,
    /// Its confusion matrix.
    pub counts: Counts,
    /// True matches (recall's denominator): the support.
    pub support: u64,
    /// Whether the support reaches `min_slice_support`; a slice that does
    /// not is shown, never judged.
    pub evaluated: bool,
    /// Its metrics; `null` where undefined.
    pub metrics: PerMetric<Option<f64>>,
    /// Each metric's interval, when `confidence` is set.
    pub intervals: Option<PerMetric<Option<Interval>>>,
    /// With `cluster_by`, what the slice's correlated pairs are worth: its
    /// intervals and flags count them so.
    pub cluster_by: Option<Designs>,
    /// How far each metric is below the overall value (positive: below).
    pub below_overall: PerMetric<Option<f64>>,
    /// The metrics whose interval lies wholly below the overall value
    /// minus `slice_limitation_gap`, Holm-adjusted over every metric of
    /// every evaluated slice (evaluated slices only).
    pub flagged: Vec<Metric>,
}

/// The slices of every slice column, and the settings they were judged by.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SlicesReport {
    /// `min_slice_support`.
    pub min_support: u64,
    /// `slice_limitation_gap`.
    pub flag_gap: f64,
    /// The two-sided level of the intervals a flag asks to lie below the
    /// overall value minus the gap: `confidence`, 0.95 when unset.
    pub flag_confidence: f64,
    /// The metrics of evaluated slices tested: the family whose chance of
    /// any false flag Holm's procedure holds to (1 - `flag_confidence`)/2.
    pub tested: usize,
    /// Each slice column, in the order given.
    pub columns: Vec<SliceColumnReport>,
    /// The slice rules of the config file, judged; a failed one fails the gate.
    pub checks: Vec<SliceCheck>,
}

impl SlicesReport {
    /// How many slice rules failed.
    pub fn failed(&self) -> usize {
        self.checks.iter().filter(|c| c.status == SliceStatus::Fail).count()
    }
}

/// The slices of the evaluation; `None` without `slice_columns`.
pub fn report(evaluation: &Evaluation) -> Option<SlicesReport> {
    let settings = &evaluation.settings;
    // The columns counted: `slice_columns`, or those of engine counts.
    if evaluation.slices.is_empty() {
        return None;
    }
    let overall = &evaluation.tally.counts;
    let mut columns: Vec<SliceColumnReport> = evaluation
        .slices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let designs = evaluation.slice_designs.get(i);
            column(c, overall, &settings.slices, settings.confidence, designs)
        })
        .collect();
    let flag_confidence = settings.confidence.unwrap_or(DEFAULT_FLAG_CONFIDENCE);
    let tested = flag(&mut columns, overall, settings.slices.flag_gap, flag_confidence);
    Some(SlicesReport {
        min_support: settings.slices.min_support,
        flag_gap: settings.slices.flag_gap,
        flag_confidence,
        tested,
        columns,
        checks: evaluation.slice_checks.clone(),
    })
}

fn column(
    c: &SliceColumn,
    overall: &Counts,
    settings: &SliceSettings,
    confidence: Option<f64>,
    designs: Option<&SliceDesigns>,
) -> SliceColumnReport {
    let mut slices: Vec<SliceReport> = c
        .slices
        .iter()
        .map(|s| {
            let counts = s.counts;
            let support = counts.positives();
            let evaluated = support >= settings.min_support && support > 0;
            let metrics = PerMetric::from_fn(|m| m.of(&counts));
            let below_overall =
                PerMetric::from_fn(|m| m.of(overall).zip(m.of(&counts)).map(|(o, v)| o - v));
            let cluster_by = designs.and_then(|d| d.get(&s.value)).cloned();
            let evidence = evaluate::counted(&counts, cluster_by.as_ref());
            SliceReport {
                value: s.value.to_json(),
                text: s.value.text(),
                counts,
                support,
                evaluated,
                metrics,
                intervals: confidence.map(|level| stats::intervals(&evidence, level)),
                cluster_by,
                below_overall,
                flagged: Vec::new(),
            }
        })
        .collect();
    slices.sort_by(|a, b| {
        let f1 = |s: &SliceReport| s.metrics.f1.unwrap_or(0.0);
        b.evaluated
            .cmp(&a.evaluated)
            .then(if a.evaluated { f1(a).total_cmp(&f1(b)) } else { b.support.cmp(&a.support) })
            .then_with(|| a.text.cmp(&b.text))
    });
    SliceColumnReport { column: c.column.clone(), values: c.slices.len(), slices }
}

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
pub(super) fn value_cell(value: &serde_json::Value, text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slices::{Slice, Value};

    fn slice(value: &str, tp: u64, fp: u64, fn_: u64) -> Slice {
        Slice { value: Value::Text(value.into()), counts: Counts { tp, fp, fn_, tn: 10 } }
    }

    #[test]
    fn evaluated_slices_come_worst_first_and_small_ones_are_never_judged() {
        let c = SliceColumn {
            column: "kind".into(),
            slices: vec![slice("good", 95, 5, 5), slice("rare", 1, 5, 9), slice("bad", 40, 10, 60)],
        };
        let overall = Counts { tp: 136, fp: 20, fn_: 74, tn: 30 };
        let settings = SliceSettings { min_support: 30, ..SliceSettings::default() };
        let mut columns = [column(&c, &overall, &settings, None, None)];
        let order: Vec<&str> = columns[0].slices.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(order, ["bad", "good", "rare"]);
        // Two evaluated slices, three metrics each.
        assert_eq!(flag(&mut columns, &overall, 0.05, 0.95), 6);
        let [r] = columns;
        assert!(!r.slices[2].evaluated && r.slices[2].flagged.is_empty());
        // bad: recall 0.4 against 136/210 = 0.648 overall, F1 0.533 against
        // 0.743: both far enough below to survive Holm's 0.025/6; its
        // precision 0.8 is within noise of 0.872 - 0.05.
        assert_eq!(r.slices[0].flagged, [Metric::Recall, Metric::F1]);
        assert!(r.slices[1].flagged.is_empty());
    }
}
