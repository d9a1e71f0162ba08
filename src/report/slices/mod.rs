//! The slices in the report: each value's counts, metrics and intervals,
//! whether it had the support to be evaluated, and how far it falls below
//! the overall metrics; worst first.

#[cfg(test)]
mod clustered;
mod flags;
mod table;

use crate::correlation::Designs;
use crate::evaluate::{self, Evaluation, SliceDesigns};
use crate::metrics::{Counts, Metric, PerMetric};
use crate::slices::{SliceCheck, SliceColumn, SliceSettings, SliceStatus};
use crate::stats::{self, Interval};
use flags::{DEFAULT_FLAG_CONFIDENCE, flag};
pub(in crate::report) use table::value_cell;
pub use table::{SliceTable, failure, limitations, slice_code, tables};

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
