//! Weighted confusion sums, for validation sets sampled unevenly
//! (`weight_column`, e.g. inverse inclusion probabilities).
//!
//! Pure. Each cell holds the sum of the weights of its pairs and the sum of
//! their squares, which give Kish's effective sample size. Float sums
//! depend on their order, and workers read batches in no fixed order: each
//! batch is summed alone, row by row, and [`Batches`] adds the batches in
//! file order, so a run gives the same bits every time.
//!
//! The sums are kept in units of the largest weight seen, rounded down to a
//! power of two so that dividing is exact ([`Weighted::scale`]): each batch
//! divides by its own, and two sums are added in the larger one's units. Weights of 1e-170 would otherwise square to 0 and
//! weights of 1e170 to infinity; scaled, every metric, effective size and
//! interval is the same whatever constant multiplies every weight (exactly
//! so for a power of two). [`Weighted::real`] gives the sums in the data's
//! units, for the report; [`Weighted::check`] refuses weights that sum to
//! zero or past what a float holds.

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
    /// The unit of the sums: the power of two at or below the largest
    /// weight seen (0 when none was).
    #[serde(skip)]
    pub scale: f64,
}

/// Why the weights cannot weigh the pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsProblem {
    /// Every weight is 0.
    Zero,
    /// A sum of weights is past the largest float.
    Overflow,
}

impl Weighted {
    /// The sums of one batch's pairs that are `present` (all when `None`).
    pub fn of_batch(pairs: &Pairs, present: Option<&BooleanBuffer>) -> Weighted {
        let Some(weights) = &pairs.weights else { return Weighted::default() };
        let kept = |i: usize| present.is_none_or(|p| p.value(i));
        let largest = weights
            .iter()
            .enumerate()
            .filter(|&(i, _)| kept(i))
            .fold(0.0f64, |m, (_, w)| m.max(*w));
        if largest == 0.0 {
            return Weighted::default();
        }
        let scale = power_of_two_below(largest);
        let (mut sums, mut squares) = ([0.0f64; 4], [0.0f64; 4]);
        for (i, w) in weights.iter().enumerate() {
            if !kept(i) {
                continue;
            }
            let w = w / scale;
            let cell = match (pairs.label.value(i), pairs.predicted.value(i)) {
                (true, true) => 0,
                (false, true) => 1,
                (true, false) => 2,
                (false, false) => 3,
            };
            sums[cell] += w;
            squares[cell] += w * w;
        }
        Weighted { tp: sums[0], fp: sums[1], fn_: sums[2], tn: sums[3], squares, scale }
    }

    /// Both sums added, in the units of the larger scale.
    pub fn plus(self, other: &Weighted) -> Weighted {
        let scale = self.scale.max(other.scale);
        if scale == 0.0 {
            return Weighted::default();
        }
        let (a, b) = (self.scale / scale, other.scale / scale);
        let mut squares = self.squares;
        squares.iter_mut().zip(other.squares).for_each(|(x, y)| *x = a * a * *x + b * b * y);
        Weighted {
            tp: a * self.tp + b * other.tp,
            fp: a * self.fp + b * other.fp,
            fn_: a * self.fn_ + b * other.fn_,
            tn: a * self.tn + b * other.tn,
            squares,
            scale,
        }
    }

    /// The sums in the data's own units (scale 1), for the report.
    pub fn real(&self) -> Weighted {
        let s = self.scale;
        Weighted {
            tp: self.tp * s,
            fp: self.fp * s,
            fn_: self.fn_ * s,
            tn: self.tn * s,
            squares: self.squares.map(|q| q * s * s),
            scale: 1.0,
        }
    }

    /// Refuses weights that cannot weigh the pairs: all zero, or summing
    /// past the largest float in the data's units.
    pub fn check(&self) -> Result<(), WeightsProblem> {
        if self.scale == 0.0 || self.tp + self.fp + self.fn_ + self.tn == 0.0 {
            return Err(WeightsProblem::Zero);
        }
        let real = self.real();
        let total = real.tp + real.fp + real.fn_ + real.tn;
        if [real.tp, real.fp, real.fn_, real.tn, total].iter().any(|s| !s.is_finite()) {
            return Err(WeightsProblem::Overflow);
        }
        Ok(())
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

/// The power of two at or just below `x` (positive and finite): dividing
/// by it is exact, so scaled sums of ordinary weights carry no rounding
/// that unscaled ones would not. A subnormal `x` gives the smallest float.
fn power_of_two_below(x: f64) -> f64 {
    const EXPONENT: u64 = 0x7FF0_0000_0000_0000;
    if x >= f64::MIN_POSITIVE { f64::from_bits(x.to_bits() & EXPONENT) } else { f64::from_bits(1) }
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
            previous: None,
        };
        let w = Weighted::of_batch(&pairs, None).real();
        assert_eq!((w.tp, w.fp, w.fn_, w.tn), (3.0, 4.0, 3.0, 5.0));
        assert_eq!(w.squares, [5.0, 16.0, 9.0, 25.0]);
        assert_eq!(w.value(Metric::Precision), Some(3.0 / 7.0));
        assert_eq!(w.value(Metric::F1), Some(6.0 / 13.0));
        // Kish: (3 + 4)^2 / (5 + 16) predicted matches.
        assert_eq!(w.proportion(Metric::Precision), Some((3.0 / 7.0, 49.0 / 21.0)));
        let present = bits(&[false, true, true, true, true]);
        let w = Weighted::of_batch(&pairs, Some(&present)).real();
        assert_eq!((w.tp, w.fp, w.fn_, w.tn), (1.0, 4.0, 3.0, 5.0));
    }

    #[test]
    fn batches_add_in_file_order_whoever_read_them() {
        let one = |tp| Weighted { tp, scale: 1.0, ..Weighted::default() };
        let (mut a, mut b) = (Batches::default(), Batches::default());
        a.add(200, one(1e-16));
        b.add(0, one(1.0));
        a.add(100, one(1e-16));
        let ab = a.clone().merge(&b).total();
        let ba = b.merge(&a).total();
        assert_eq!(ab.tp.to_bits(), ba.tp.to_bits());
    }

    #[test]
    fn metrics_and_effective_sizes_do_not_move_when_every_weight_is_multiplied() {
        let bits = |v: &[bool]| BooleanBuffer::from_iter(v.iter().copied());
        let weighed = |c: f64| {
            let weights = [2.0, 3.0, 4.0, 5.0, 1.0, 0.5].map(|w| w * c);
            let pairs = Pairs {
                len: 6,
                label: bits(&[true, true, false, false, true, true]),
                predicted: bits(&[true, false, true, false, true, true]),
                label_valid: None,
                decision_valid: None,
                not_nan: None,
                scores: None,
                weights: Some(ScalarBuffer::from(weights.to_vec())),
                weight_valid: None,
                slices: Vec::new(),
                rows: None,
                previous: None,
            };
            // Two batches, added as the readers add them.
            let mut batches = Batches::default();
            batches.add(
                0,
                Weighted::of_batch(&pairs, Some(&bits(&[true, true, true, false, false, false]))),
            );
            batches.add(
                3,
                Weighted::of_batch(&pairs, Some(&bits(&[false, false, false, true, true, true]))),
            );
            batches.total()
        };
        let one = weighed(1.0);
        for exponent in (-300..=300).step_by(10) {
            let c = 10f64.powi(exponent);
            let w = weighed(c);
            assert_eq!(w.check(), Ok(()), "{c}");
            for metric in Metric::ALL {
                let (a, b) = (one.proportion(metric).unwrap(), w.proportion(metric).unwrap());
                assert!(
                    (a.0 - b.0).abs() < 1e-14 && (a.1 - b.1).abs() < 1e-12,
                    "{c} {metric:?}: {a:?} {b:?}"
                );
            }
        }
        assert_eq!(weighed(0.0).check(), Err(WeightsProblem::Zero));
        assert_eq!(
            weighed(3e307).check(),
            Err(WeightsProblem::Overflow),
            "each finite, not their sum"
        );
        // A power of two changes no bit.
        let two = weighed(2f64.powi(-1000));
        assert_eq!(two.proportion(Metric::F1), one.proportion(Metric::F1));
    }
}
