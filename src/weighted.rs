//! Weighted confusion sums, for validation sets sampled unevenly
//! (`weight_column`, e.g. inverse inclusion probabilities).
//!
//! Pure. Each cell holds the sum of the weights of its pairs and the sum of
//! their squares, which give Kish's effective sample size. Float sums
//! depend on their order, and workers read batches in no fixed order: each
//! batch is summed alone, row by row, and [`Batches`] adds the batches in
//! file order, so a run gives the same bits every time.

use std::collections::BTreeMap;

use arrow_buffer::BooleanBuffer;

use crate::dataset::columns::Pairs;
use crate::metrics::Metric;

/// The weighted confusion matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Weighted {
    /// Weight of the true matches predicted as matches.
    pub tp: f64,
    /// Weight of the non-matches predicted as matches.
    pub fp: f64,
    /// Weight of the true matches predicted as non-matches.
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// Weight of the non-matches predicted as non-matches.
    pub tn: f64,
    /// The sums of squared weights, cell by cell: TP, FP, FN, TN.
    #[serde(skip)]
    pub squares: [f64; 4],
}

impl Weighted {
    /// The sums of one batch's pairs that are `present` (all when `None`).
    pub fn of_batch(pairs: &Pairs, present: Option<&BooleanBuffer>) -> Weighted {
        let Some(weights) = &pairs.weights else { return Weighted::default() };
        let (mut sums, mut squares) = ([0.0f64; 4], [0.0f64; 4]);
        for (i, w) in weights.iter().enumerate() {
            if present.is_some_and(|p| !p.value(i)) {
                continue;
            }
            let cell = match (pairs.label.value(i), pairs.predicted.value(i)) {
                (true, true) => 0,
                (false, true) => 1,
                (true, false) => 2,
                (false, false) => 3,
            };
            sums[cell] += w;
            squares[cell] += w * w;
        }
        Weighted { tp: sums[0], fp: sums[1], fn_: sums[2], tn: sums[3], squares }
    }

    /// Both sums added.
    pub fn plus(self, other: &Weighted) -> Weighted {
        let mut squares = self.squares;
        squares.iter_mut().zip(other.squares).for_each(|(a, b)| *a += b);
        Weighted {
            tp: self.tp + other.tp,
            fp: self.fp + other.fp,
            fn_: self.fn_ + other.fn_,
            tn: self.tn + other.tn,
            squares,
        }
    }

    /// The weighted metric, as scikit-learn's `precision_recall_fscore_support`
    /// with `sample_weight` gives it; `None` when its denominator is 0.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        let (num, den) = match metric {
            Metric::Precision => (self.tp, self.tp + self.fp),
            Metric::Recall => (self.tp, self.tp + self.fn_),
            Metric::F1 => (2.0 * self.tp, 2.0 * self.tp + self.fp + self.fn_),
        };
        (den > 0.0).then(|| num / den)
    }

    /// The metric's proportion and Kish's effective sample size of its
    /// denominator's pairs, `(Σw)² / Σw²`: for precision the predicted
    /// matches, for recall the true matches, for F1 (through J =
    /// TP/(TP+FP+FN)) the union of both. `None` when there is no weight.
    pub fn proportion(&self, metric: Metric) -> Option<(f64, f64)> {
        let [tp2, fp2, fn2, _] = self.squares;
        let (k, n, n2) = match metric {
            Metric::Precision => (self.tp, self.tp + self.fp, tp2 + fp2),
            Metric::Recall => (self.tp, self.tp + self.fn_, tp2 + fn2),
            Metric::F1 => (self.tp, self.tp + self.fp + self.fn_, tp2 + fp2 + fn2),
        };
        (n > 0.0 && n2 > 0.0).then(|| (k / n, n * n / n2))
    }
}

/// Per-batch sums keyed by the batch's first file row, added in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batches(BTreeMap<u64, Weighted>);

impl Batches {
    /// Records one batch's sums.
    pub fn add(&mut self, first_row: u64, sums: Weighted) {
        self.0.insert(first_row, sums);
    }

    /// Takes in another worker's batches.
    pub fn merge(mut self, other: &Batches) -> Batches {
        self.0.extend(other.0.iter().map(|(k, v)| (*k, *v)));
        self
    }

    /// The sums of every batch, added in file order.
    pub fn total(&self) -> Weighted {
        self.0.values().fold(Weighted::default(), |acc, b| acc.plus(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_buffer::ScalarBuffer;

    #[test]
    fn cells_and_metrics_follow_their_definitions() {
        let bits = |v: &[bool]| BooleanBuffer::from_iter(v.iter().copied());
        let pairs = Pairs {
            len: 5,
            label: bits(&[true, true, false, false, true]),
            predicted: bits(&[true, false, true, false, true]),
            label_valid: None,
            decision_valid: None,
            not_nan: None,
            scores: None,
            weights: Some(ScalarBuffer::from(vec![2.0, 3.0, 4.0, 5.0, 1.0])),
            weight_valid: None,
            slices: Vec::new(),
            rows: None,
        };
        let w = Weighted::of_batch(&pairs, None);
        assert_eq!((w.tp, w.fp, w.fn_, w.tn), (3.0, 4.0, 3.0, 5.0));
        assert_eq!(w.squares, [5.0, 16.0, 9.0, 25.0]);
        assert_eq!(w.value(Metric::Precision), Some(3.0 / 7.0));
        assert_eq!(w.value(Metric::F1), Some(6.0 / 13.0));
        // Kish: (3 + 4)^2 / (5 + 16) predicted matches.
        assert_eq!(w.proportion(Metric::Precision), Some((3.0 / 7.0, 49.0 / 21.0)));
        let present = bits(&[false, true, true, true, true]);
        let w = Weighted::of_batch(&pairs, Some(&present));
        assert_eq!((w.tp, w.fp, w.fn_, w.tn), (1.0, 4.0, 3.0, 5.0));
    }

    #[test]
    fn batches_add_in_file_order_whoever_read_them() {
        let one = |tp| Weighted { tp, ..Weighted::default() };
        let (mut a, mut b) = (Batches::default(), Batches::default());
        a.add(200, one(1e-16));
        b.add(0, one(1.0));
        a.add(100, one(1e-16));
        let ab = a.clone().merge(&b).total();
        let ba = b.merge(&a).total();
        assert_eq!(ab.tp.to_bits(), ba.tp.to_bits());
    }
}
