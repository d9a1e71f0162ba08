//! The model against the previous one on the same pairs: which decisions
//! changed, which errors were fixed and which introduced, and each metric's
//! change with a paired interval.
//!
//! With a baseline score or prediction column every pair carries both
//! models' decisions. [`Flips`] counts them in the metrics pass by the
//! previous decision and the confusion cell (8 cells, rows, weights and
//! squared weights); with `cluster_by` the per-id sums split the same way
//! ([`crate::correlation::Split`]). [`compare`] turns them into a
//! [`Comparison`]: the flip table, McNemar's exact test on the true matches
//! whose decision changed (recall's discordant pairs), and each metric's
//! change new − old with an interval from the linearised difference
//! (`variance.rs`). Knows cells and sums, nothing of files or verdicts.

mod variance;

use arrow_buffer::BooleanBuffer;

use crate::correlation::{Bits, Loose, Split};
use crate::metrics::{Metric, PerMetric};
use crate::stats::Interval;

pub use variance::Change;

/// The pairs' weights, rows and squared weights by the previous model's
/// decision (not a match, then a match) and the confusion cell
/// (`label << 1 | predicted`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flips {
    /// By the previous decision.
    pub cells: [Loose; 2],
}

impl Flips {
    /// Adds one batch's pairs: `previous` in `bits` is required,
    /// `weights` each pair's weight (1 when `None`), `present` the rows
    /// counted (`None`: all).
    pub fn add(
        &mut self,
        len: usize,
        bits: Bits<'_>,
        weights: Option<&[f64]>,
        present: Option<&BooleanBuffer>,
    ) {
        for i in 0..len {
            if present.is_some_and(|p| !p.value(i)) {
                continue;
            }
            let (cell, before) = bits.cell(i);
            self.cells[before].add(cell, weights.map_or(1.0, |w| w[i]));
        }
    }

    /// Combines two threads' counts.
    pub fn merge(mut self, other: &Flips) -> Flips {
        for k in 0..2 {
            self.cells[k].plus(&other.cells[k]);
        }
        self
    }

    /// The rows of one previous decision and cell.
    fn rows(&self, before: usize, cell: usize) -> u64 {
        self.cells[before].rows[cell]
    }
}

/// The flip table: pairs whose decision changed, by label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FlipTable {
    /// Newly predicted a match: true matches (a false negative fixed).
    pub newly_matched_true: u64,
    /// Newly predicted a match: non-matches (a false positive introduced).
    pub newly_matched_false: u64,
    /// No longer predicted a match: true matches (a false negative
    /// introduced).
    pub no_longer_matched_true: u64,
    /// No longer predicted a match: non-matches (a false positive fixed).
    pub no_longer_matched_false: u64,
}

/// McNemar's exact test on recall's discordant pairs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct McNemar {
    /// True matches the previous model found and this one misses.
    pub lost: u64,
    /// True matches this model finds and the previous one missed.
    pub gained: u64,
    /// The two-sided exact p-value: min(1, 2·P(X ≤ min(lost, gained))),
    /// X ~ Binomial(lost + gained, 1/2).
    pub p_value: f64,
}

/// The model against the previous one on these pairs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The decisions that changed, by label.
    pub flips: FlipTable,
    /// Pairs whose decision changed.
    pub decisions_changed: u64,
    /// Errors of the previous model this one corrects.
    pub errors_fixed: u64,
    /// Errors this model makes that the previous one did not.
    pub errors_introduced: u64,
    /// Recall's change tested: McNemar's exact test.
    pub recall_mcnemar: McNemar,
    /// The two-sided level of the changes' intervals.
    pub confidence: f64,
    /// The `cluster_by` columns the variance grouped pairs by (empty:
    /// independent pairs).
    pub cluster_by: Vec<String>,
    /// Each metric's change; `null` where it is undefined for either model.
    #[serde(flatten)]
    pub metrics: PerMetric<Option<Change>>,
}

impl Comparison {
    /// A metric's change interval.
    pub fn interval(&self, metric: Metric) -> Option<Interval> {
        self.metrics.get(metric).and_then(|c| c.interval)
    }
}

/// Compares the two models: `flips` over every pair, `split` the per-id
/// sums with `cluster_by` (`None`: independent pairs) and `columns` its
/// columns, at `confidence`.
pub fn compare(
    flips: &Flips,
    split: Option<(&Split, bool)>,
    columns: &[String],
    confidence: f64,
) -> Comparison {
    let flips_table = FlipTable {
        newly_matched_true: flips.rows(0, 3),
        newly_matched_false: flips.rows(0, 1),
        no_longer_matched_true: flips.rows(1, 2),
        no_longer_matched_false: flips.rows(1, 0),
    };
    let t = flips_table;
    let (lost, gained) = (t.no_longer_matched_true, t.newly_matched_true);
    Comparison {
        flips: t,
        decisions_changed: t.newly_matched_true
            + t.newly_matched_false
            + t.no_longer_matched_true
            + t.no_longer_matched_false,
        errors_fixed: t.newly_matched_true + t.no_longer_matched_false,
        errors_introduced: t.newly_matched_false + t.no_longer_matched_true,
        recall_mcnemar: McNemar {
            lost,
            gained,
            p_value: crate::stats::mcnemar_exact(lost, gained),
        },
        confidence,
        cluster_by: columns.to_vec(),
        metrics: PerMetric::from_fn(|m| variance::change(m, flips, split, confidence)),
    }
}

#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;
