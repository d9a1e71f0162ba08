//! The cluster-robust variance of a metric and what it is worth in
//! independent pairs.
//!
//! Each metric is a ratio p = Σy/Σn over its pairs (precision: y the true
//! matches among the predicted ones, n the predicted ones; recall: among
//! the true matches; F1 through J = TP/(TP+FP+FN)). Pair i's residual is
//! e_i = (y_i − p·n_i)/Σn, weighted where weights are given, and
//!
//! - one id column: V = G/(G−1) · Σ_g (Σ_{i∈g} e_i)², G the clusters with a
//!   pair in the metric's denominator (statsmodels' OLS with
//!   `cov_type="cluster"` on those pairs gives the same for unweighted data);
//! - two record columns: V = R/(R−1) · (Σ_r (Σ_{i∋r} e_i)² − Σ_i e_i²), R the
//!   distinct records: each two pairs that share a record add their
//!   cross-product once (the dyadic-robust variance).
//!
//! The effective number of pairs is p(1−p)/V, at most what the pairs are
//! worth without correlation (their number; with weights, Kish's size);
//! the design effect is the pairs over it. Unweighted sums are counts, so
//! the variance is summed in exact integers and every run gives the same
//! bits, whatever order the threads read in.

use super::{Cells, Loose, Sums};
use crate::metrics::{Metric, PerMetric};

/// What a metric's correlated pairs are worth.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Design {
    /// The clusters (one column) or records (two columns) the variance
    /// sums over.
    pub clusters: u64,
    /// The metric's pairs over `effective_pairs`: at least 1.
    pub design_effect: f64,
    /// How many independent pairs the metric's pairs are worth.
    pub effective_pairs: f64,
}

/// The design of each metric, and the columns that grouped the pairs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Designs {
    /// The `cluster_by` columns: one id, or a pair's two record ids.
    pub columns: Vec<String>,
    /// Each metric's design; `null` where the metric is undefined.
    #[serde(flatten)]
    pub metrics: PerMetric<Option<Design>>,
}

/// The cells of a metric's denominator (its y is always TP's, cell 3).
pub fn denominator(metric: Metric) -> &'static [usize] {
    match metric {
        Metric::Precision => &[3, 1],
        Metric::Recall => &[3, 2],
        Metric::F1 => &[3, 1, 2],
    }
}

/// The true positives' cell.
pub const TP: usize = 3;

/// A metric's p, Σn and Σ_g (Σ_{i∈g} (y_i − p·n_i))²: its variance without
/// its factors.
type Spread = (f64, f64, f64);

impl Sums {
    /// Each metric's design: `pairs` the pairs in its denominator, `cap`
    /// what they are worth without correlation (their number, or Kish's
    /// size with weights).
    pub fn designs(
        &self,
        pairs: impl Fn(Metric) -> u64,
        cap: impl Fn(Metric) -> Option<f64>,
    ) -> Designs {
        // Unweighted, every metric's clusters and spread in one pass over
        // the ids (millions of them, with a record id column).
        let fused = if self.weighted { None } else { self.fused() };
        let metrics = PerMetric::from_fn(|m| {
            let (pairs, cap) = (pairs(m), cap(m)?);
            match &fused {
                Some(f) => {
                    let (clusters, spread) = f.get(m);
                    design_of(pairs, cap, clusters, spread)
                }
                None => self.design(m, pairs, cap),
            }
        });
        Designs { columns: self.columns.clone(), metrics }
    }

    /// Each metric's design when the sums count pairs (no weights, as a
    /// slice's): its pairs, worth at most their number.
    pub fn counted_designs(&self) -> Designs {
        let total = self.totals();
        let pairs = |m: Metric| denominator(m).iter().map(|&c| total[c] as u64).sum::<u64>();
        self.designs(pairs, |m| Some(pairs(m) as f64))
    }

    /// One metric's design; `None` when it has no pair.
    pub fn design(&self, metric: Metric, pairs: u64, cap: f64) -> Option<Design> {
        if pairs == 0 {
            return None;
        }
        design_of(pairs, cap, self.clusters(metric), self.spread(metric))
    }

    /// Each metric's clusters and exact spread ([`Self::exact_spread`]),
    /// for unweighted sums, in one pass over the ids. `None` past 128 bits.
    pub(super) fn fused(&self) -> Option<PerMetric<(u64, Spread)>> {
        let total = self.totals();
        let k = total[TP] as i64 as i128;
        let n: [i128; 3] =
            Metric::ALL.map(|m| denominator(m).iter().map(|&c| total[c] as i64 as i128).sum());
        let (mut ids, mut spread) = ([0u64; 3], [0i128; 3]);
        for c in &self.sums {
            // An id's counts are below 2^53: through i64, one instruction.
            let [_, fp, fn_, tp] = c.map(|w| w as i64);
            for (i, m) in [tp + fp, tp + fn_, tp + fp + fn_].into_iter().enumerate() {
                ids[i] += u64::from(self.dyadic || m != 0);
                let s =
                    n[i].checked_mul(i128::from(tp))?.checked_sub(k.checked_mul(i128::from(m))?)?;
                spread[i] = spread[i].checked_add(s.checked_mul(s)?)?;
            }
        }
        let mut out = [(0, (0.0, 0.0, 0.0)); 3];
        for (i, metric) in Metric::ALL.into_iter().enumerate() {
            let cells = denominator(metric);
            let (mut spread, n) = (spread[i], n[i]);
            let sign = if self.dyadic { -1 } else { 0 };
            for (loose, sign) in [(&self.singles, 1), (&self.twice, sign)] {
                for &c in cells {
                    let own = n.checked_mul(i128::from(c == TP))?.checked_sub(k)?;
                    let own = own.checked_mul(own)?.checked_mul(loose.rows[c] as i128)?;
                    spread = spread.checked_add(sign * own)?;
                }
            }
            let all: &[usize] = if self.dyadic { &[0, 1, 2, 3] } else { cells };
            let clusters = ids[i] + all.iter().map(|&c| self.singles.rows[c]).sum::<u64>();
            let nf = n as f64;
            out[i] = (clusters, (k as f64 / nf, nf, spread as f64 / (nf * nf)));
        }
        let [precision, recall, f1] = out;
        Some(PerMetric { precision, recall, f1 })
    }

    /// G: the ids with a pair in the metric's denominator (one column), or
    /// R: every record (two columns); a null id is one of its own each time.
    pub(super) fn clusters(&self, metric: Metric) -> u64 {
        let cells: &[usize] = if self.dyadic { &[0, 1, 2, 3] } else { denominator(metric) };
        let ids = self.sums.iter().filter(|c| cells.iter().any(|&k| c[k] != 0.0)).count();
        ids as u64 + cells.iter().map(|&k| self.singles.rows[k]).sum::<u64>()
    }

    /// p, Σn and Σ_g (Σ_{i∈g} (y_i − p·n_i))² (less the pairs' own squares
    /// counted twice, for records): the variance without its factors.
    pub(super) fn spread(&self, metric: Metric) -> (f64, f64, f64) {
        let cells = denominator(metric);
        if !self.weighted
            && let Some(exact) = self.exact_spread(cells)
        {
            return exact;
        }
        let total = self.totals();
        let (k, n) = (total[TP], cells.iter().map(|&c| total[c]).sum::<f64>());
        let p = k / n;
        let of = |c: &Cells| c[TP] - p * cells.iter().map(|&k| c[k]).sum::<f64>();
        let own = |l: &Loose| cells.iter().map(|&c| l.squares[c] * residual(c, p).powi(2)).sum();
        let mut spread: f64 = self.sums.iter().map(|c| of(c).powi(2)).sum();
        spread += own(&self.singles) - if self.dyadic { own(&self.twice) } else { 0.0 };
        (p, n, spread)
    }

    /// The spread of unweighted pairs in integers: each residual times Σn
    /// is N·y − K·n, an integer. `None` past 128 bits.
    fn exact_spread(&self, cells: &[usize]) -> Option<(f64, f64, f64)> {
        let total = self.totals();
        let k = total[TP] as i128;
        let n = cells.iter().map(|&c| total[c] as i128).sum::<i128>();
        let scaled = |y: i128, m: i128| n.checked_mul(y)?.checked_sub(k.checked_mul(m)?);
        let square = |a: i128| a.checked_mul(a);
        let mut spread = 0i128;
        for c in &self.sums {
            // An id's counts are below 2^53: through i64, a conversion of
            // one instruction (to i128 directly is a call).
            let m: i64 = cells.iter().map(|&k| c[k] as i64).sum();
            let y = c[TP] as i64;
            spread = spread.checked_add(square(scaled(i128::from(y), i128::from(m))?)?)?;
        }
        for (loose, sign) in [(&self.singles, 1), (&self.twice, if self.dyadic { -1 } else { 0 })] {
            for &c in cells {
                let own = square(scaled(i128::from(c == TP), 1)?)?;
                spread = spread.checked_add(sign * own.checked_mul(loose.rows[c] as i128)?)?;
            }
        }
        let nf = n as f64;
        Some((k as f64 / nf, nf, spread as f64 / (nf * nf)))
    }

    /// Each cell's weight over every pair once: ids and singles count a
    /// pair of two records twice, which `twice` takes back.
    fn totals(&self) -> Cells {
        let mut total = self.singles.weights;
        for c in &self.sums {
            (0..4).for_each(|k| total[k] += c[k]);
        }
        if self.dyadic {
            (0..4).for_each(|k| total[k] -= self.twice.weights[k]);
        }
        total
    }
}

/// A metric's design from its `pairs`, what they are worth without
/// correlation (`cap`), its clusters and (p, Σn, spread).
fn design_of(
    pairs: u64,
    cap: f64,
    clusters: u64,
    (p, n, spread): (f64, f64, f64),
) -> Option<Design> {
    if pairs == 0 {
        return None;
    }
    let effective = match clusters {
        // One cluster: its pairs are worth one.
        0 | 1 => 1.0,
        g => {
            let g = g as f64;
            let variance = g / (g - 1.0) * spread / (n * n);
            let worth = p * (1.0 - p) / variance;
            if variance > 0.0 && worth.is_finite() { worth.min(cap) } else { cap }
        }
    };
    Some(Design { clusters, design_effect: pairs as f64 / effective, effective_pairs: effective })
}

/// y − p·n of one pair of a denominator cell: 1 − p for a TP, −p else.
pub fn residual(cell: usize, p: f64) -> f64 {
    f64::from(u8::from(cell == TP)) - p
}
