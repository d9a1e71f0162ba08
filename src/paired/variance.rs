//! One metric's change between the two models, and its paired interval.
//!
//! Each model's metric is a ratio p = Σy/Σn over its pairs, linearised per
//! pair as the cluster-robust variance does (`crate::correlation`):
//! e_i = (y_i − p·n_i)/Σn, and F1's through J = TP/(TP+FP+FN) times
//! dF1/dJ = 2/(1+J)². The change's linearisation is d_i = e_new,i −
//! e_old,i, and its variance the same rule over d: independent pairs,
//! V = G/(G−1) Σ_i d_i² (G the pairs in either model's denominator); one
//! id column, V = G/(G−1) Σ_g (Σ_{i∈g} d_i)²; a pair's two records,
//! V = R/(R−1) (Σ_r (Σ_{i∋r} d_i)² − Σ_i d_i²). The interval is the
//! change ± the critical value (Student's t on the clusters less one with
//! `cluster_by`, else normal) times √V. A pair's d depends only on its
//! label and the two decisions, so eight cells carry it.

use crate::correlation::{Cells, Loose, Split, TP, denominator, residual};
use crate::metrics::Metric;
use crate::stats::{Interval, critical};

use super::Flips;

/// One metric's change from the previous model to this one, on the same
/// pairs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Change {
    /// The previous model's value on these pairs.
    pub previous: f64,
    /// This model's value.
    pub current: f64,
    /// `current − previous`.
    pub delta: f64,
    /// The change's standard error (√V); `null` with fewer than two
    /// clusters (pairs, when independent).
    pub standard_error: Option<f64>,
    /// The change's interval at the comparison's level.
    pub interval: Option<Interval>,
    /// The clusters (records, for two columns; pairs, when independent)
    /// the variance summed over.
    pub clusters: u64,
}

/// A metric's two values and each (previous decision, cell)'s d.
struct Linear {
    current: f64,
    previous: f64,
    /// d of a pair by the previous decision and the cell.
    d: [Cells; 2],
    /// Whether such a pair is in either model's denominator.
    counted: [[bool; 4]; 2],
}

/// The metric's change and its interval at `confidence`; `None` when the
/// metric is undefined for either model.
pub(super) fn change(
    metric: Metric,
    flips: &Flips,
    split: Option<(&Split, bool)>,
    confidence: f64,
) -> Option<Change> {
    let linear = linear(metric, flips)?;
    let (clusters, spread) = match split {
        None => independent(&linear, flips),
        Some((split, dyadic)) => clustered(&linear, split, dyadic),
    };
    let delta = linear.current - linear.previous;
    let standard_error = (clusters >= 2).then(|| {
        let g = clusters as f64;
        (g / (g - 1.0) * spread).max(0.0).sqrt()
    });
    let degrees = split.map(|_| clusters.saturating_sub(1) as f64);
    let interval = standard_error.map(|se| {
        let half = critical(confidence, degrees) * se;
        Interval { lower: (delta - half).max(-1.0), upper: (delta + half).min(1.0) }
    });
    Some(Change {
        previous: linear.previous,
        current: linear.current,
        delta,
        standard_error,
        interval,
        clusters,
    })
}

/// The old model's cell of a pair in new cell `cell` whose previous
/// decision was `before`.
fn old_cell(cell: usize, before: usize) -> usize {
    (cell & 2) | before
}

fn linear(metric: Metric, flips: &Flips) -> Option<Linear> {
    let (mut new, mut old) = ([0.0; 4], [0.0; 4]);
    for before in 0..2 {
        for cell in 0..4 {
            let w = flips.cells[before].weights[cell];
            new[cell] += w;
            old[old_cell(cell, before)] += w;
        }
    }
    let cells = denominator(metric);
    // (p, Σn, the linearisation's scale, the metric's value)
    let side = |t: &Cells| {
        let n: f64 = cells.iter().map(|&c| t[c]).sum();
        let p = t[TP] / n;
        let (scale, value) = match metric {
            Metric::F1 => (2.0 / (1.0 + p).powi(2), 2.0 * p / (1.0 + p)),
            _ => (1.0, p),
        };
        (n > 0.0).then_some((p, n, scale, value))
    };
    let (now, before) = (side(&new)?, side(&old)?);
    let e = |cell: usize, (p, n, scale, _): (f64, f64, f64, f64)| {
        if cells.contains(&cell) { scale * residual(cell, p) / n } else { 0.0 }
    };
    let mut linear =
        Linear { current: now.3, previous: before.3, d: [[0.0; 4]; 2], counted: [[false; 4]; 2] };
    for b in 0..2 {
        for c in 0..4 {
            let old = old_cell(c, b);
            linear.d[b][c] = e(c, now) - e(old, before);
            linear.counted[b][c] = cells.contains(&c) || cells.contains(&old);
        }
    }
    Some(linear)
}

/// Σ over pairs of their weight² · d² for sums of pairs each their own
/// cluster, and how many such pairs are counted.
fn own(linear: &Linear, loose: &[Loose; 2]) -> (u64, f64) {
    let (mut rows, mut spread) = (0, 0.0);
    for (b, side) in loose.iter().enumerate() {
        for c in (0..4).filter(|&c| linear.counted[b][c]) {
            rows += side.rows[c];
            spread += side.squares[c] * linear.d[b][c].powi(2);
        }
    }
    (rows, spread)
}

/// Independent pairs: G and Σ_i d_i².
fn independent(linear: &Linear, flips: &Flips) -> (u64, f64) {
    own(linear, &flips.cells)
}

/// With `cluster_by`: G (or R) and the spread of the per-id sums of d.
/// The squares are summed smallest first, so that the threads' order of
/// reading never changes a bit.
fn clustered(linear: &Linear, split: &Split, dyadic: bool) -> (u64, f64) {
    let of = |sums: &[Cells; 2]| -> (bool, f64) {
        let mut counted = false;
        let mut sum = 0.0;
        for (b, cells) in sums.iter().enumerate() {
            for (c, &w) in cells.iter().enumerate() {
                counted |= linear.counted[b][c] && w != 0.0;
                sum += w * linear.d[b][c];
            }
        }
        (counted, sum)
    };
    let mut squares = Vec::with_capacity(split.sums.len());
    let mut ids = 0u64;
    for sums in &split.sums {
        let (counted, sum) = of(sums);
        ids += u64::from(counted || dyadic);
        squares.push(sum * sum);
    }
    squares.sort_unstable_by(f64::total_cmp);
    let mut spread: f64 = squares.iter().sum();
    let (single_rows, singles) = own(linear, &split.singles);
    spread += singles;
    if dyadic {
        spread -= own(linear, &split.twice).1;
        let every: u64 = split.singles.iter().flat_map(|l| l.rows).sum();
        return (ids + every, spread);
    }
    (ids + single_rows, spread)
}
