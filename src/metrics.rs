//! Exact confusion counts, folded batch by batch, and the metrics they define.
//!
//! Pure: no I/O, no printing. [`Tally`] is the per-worker accumulator; workers'
//! tallies [`Tally::merge`] in any order to the same result, because every
//! field is an integer count.

use arrow_buffer::BooleanBuffer;

use crate::dataset::columns::Pairs;

/// The confusion matrix of the evaluated rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// True matches predicted as matches.
    pub tp: u64,
    /// Non-matches predicted as matches.
    pub fp: u64,
    /// True matches predicted as non-matches.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Non-matches predicted as non-matches.
    pub tn: u64,
}

impl Counts {
    /// Rows counted.
    pub fn rows(&self) -> u64 {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// Rows labelled as true matches.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }

    /// Rows predicted as matches.
    pub fn predicted(&self) -> u64 {
        self.tp + self.fp
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.tn += other.tn;
    }
}

/// Rows left out of the counts, and why. A row with several missing values
/// counts once in `rows` and once in each column's count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Rows left out in all.
    pub rows: u64,
    /// Rows whose label is null.
    pub label_null: u64,
    /// Rows whose score or prediction is null.
    pub decision_null: u64,
    /// Rows whose score is NaN (and not null).
    pub score_nan: u64,
    /// Labelled pairs without a prediction (with a `predictions` file).
    pub no_prediction: u64,
    /// Rows whose weight is null (with `weight_column`).
    pub weight_null: u64,
    /// Rows whose previous model's score or prediction is null or NaN
    /// (with a baseline score or prediction column).
    #[serde(skip_serializing_if = "is_zero")]
    pub previous_missing: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A running fold of batches into counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Counts over rows with every value present.
    pub counts: Counts,
    /// Rows with a missing value, excluded from `counts`.
    pub skipped: Skipped,
}

impl Tally {
    /// Adds one batch.
    pub fn add(&mut self, pairs: &Pairs) {
        self.add_present(pairs, pairs.present().as_ref());
    }

    /// Adds one batch whose rows with every value present are `present`
    /// (`None`: all), as [`Pairs::present`] gives.
    pub fn add_present(&mut self, pairs: &Pairs, present: Option<&BooleanBuffer>) {
        let len = pairs.len as u64;
        let (tp, predicted, positives, rows) = match present {
            None => (
                count_and(&pairs.label, &pairs.predicted),
                pairs.predicted.count_set_bits() as u64,
                pairs.label.count_set_bits() as u64,
                len,
            ),
            Some(valid) => (
                count_and3(&pairs.label, &pairs.predicted, valid),
                count_and(&pairs.predicted, valid),
                count_and(&pairs.label, valid),
                valid.count_set_bits() as u64,
            ),
        };
        self.counts.tp += tp;
        self.counts.fp += predicted - tp;
        self.counts.fn_ += positives - tp;
        // Inclusion-exclusion, ordered so no step goes below zero: a batch
        // of true matches only has predicted + positives > rows (found by
        // the `evaluate` fuzz target).
        self.counts.tn += rows + tp - predicted - positives;
        if present.is_some() {
            let nulls = |v: &Option<BooleanBuffer>| {
                v.as_ref().map_or(0, |b| len - b.count_set_bits() as u64)
            };
            self.skipped.rows += len - rows;
            self.skipped.label_null += nulls(&pairs.label_valid);
            self.skipped.decision_null += nulls(&pairs.decision_valid);
            self.skipped.weight_null += nulls(&pairs.weight_valid);
            self.skipped.previous_missing +=
                nulls(&pairs.previous.as_ref().and_then(|p| p.valid.clone()));
            self.skipped.score_nan += match (&pairs.not_nan, &pairs.decision_valid) {
                (None, _) => 0,
                (Some(not_nan), None) => len - not_nan.count_set_bits() as u64,
                (Some(not_nan), Some(valid)) => {
                    valid.count_set_bits() as u64 - count_and(not_nan, valid)
                }
            };
        }
    }

    /// Combines two workers' tallies.
    pub fn merge(mut self, other: &Tally) -> Tally {
        self.counts += other.counts;
        self.skipped.rows += other.skipped.rows;
        self.skipped.label_null += other.skipped.label_null;
        self.skipped.decision_null += other.skipped.decision_null;
        self.skipped.score_nan += other.skipped.score_nan;
        self.skipped.no_prediction += other.skipped.no_prediction;
        self.skipped.weight_null += other.skipped.weight_null;
        self.skipped.previous_missing += other.skipped.previous_missing;
        self
    }
}

fn count_and(a: &BooleanBuffer, b: &BooleanBuffer) -> u64 {
    let (a, b) = (a.bit_chunks(), b.bit_chunks());
    a.iter_padded().zip(b.iter_padded()).map(|(x, y)| u64::from((x & y).count_ones())).sum()
}

fn count_and3(a: &BooleanBuffer, b: &BooleanBuffer, c: &BooleanBuffer) -> u64 {
    let (a, b, c) = (a.bit_chunks(), b.bit_chunks(), c.bit_chunks());
    a.iter_padded()
        .zip(b.iter_padded())
        .zip(c.iter_padded())
        .map(|((x, y), z)| u64::from((x & y & z).count_ones()))
        .sum()
}

/// One value per metric: thresholds, allowed drops, results.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PerMetric<T> {
    /// For precision.
    pub precision: T,
    /// For recall.
    pub recall: T,
    /// For F1.
    pub f1: T,
}

impl<T: Copy> PerMetric<T> {
    /// Builds one from a function of the metric.
    pub fn from_fn(f: impl Fn(Metric) -> T) -> PerMetric<T> {
        PerMetric { precision: f(Metric::Precision), recall: f(Metric::Recall), f1: f(Metric::F1) }
    }

    /// The value for `metric`.
    pub fn get(&self, metric: Metric) -> T {
        match metric {
            Metric::Precision => self.precision,
            Metric::Recall => self.recall,
            Metric::F1 => self.f1,
        }
    }
}

/// A metric of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// TP / (TP + FP).
    Precision,
    /// TP / (TP + FN).
    Recall,
    /// 2TP / (2TP + FP + FN).
    F1,
}

impl Metric {
    /// All metrics, in report order.
    pub const ALL: [Metric; 3] = [Metric::Precision, Metric::Recall, Metric::F1];

    /// The metric's name in outputs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "f1",
        }
    }

    /// The metric's name in prose.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Precision => "Precision",
            Metric::Recall => "Recall",
            Metric::F1 => "F1",
        }
    }

    /// The metric's value for `counts`; `None` when its denominator is 0.
    pub fn of(self, c: &Counts) -> Option<f64> {
        let (num, den) = match self {
            Metric::Precision => (c.tp, c.tp + c.fp),
            Metric::Recall => (c.tp, c.tp + c.fn_),
            Metric::F1 => (2 * c.tp, 2 * c.tp + c.fp + c.fn_),
        };
        // u64 -> f64 is exact below 2^53 rows, far beyond any validation set.
        (den > 0).then(|| num as f64 / den as f64)
    }

    /// The pairs a metric is a proportion of: the predicted matches
    /// (precision), the true matches (recall), or either (F1, through
    /// J = TP/(TP+FP+FN)).
    pub fn trials(self, c: &Counts) -> u64 {
        match self {
            Metric::Precision => c.tp + c.fp,
            Metric::Recall => c.tp + c.fn_,
            Metric::F1 => c.tp + c.fp + c.fn_,
        }
    }

    /// Why the metric is undefined for `counts`, in prose.
    pub fn undefined_reason(self) -> &'static str {
        match self {
            Metric::Precision => "the model predicted no pair as a match (TP + FP = 0)",
            Metric::Recall => "the validation set has no true match (TP + FN = 0)",
            Metric::F1 => "there is no predicted and no true match (2TP + FP + FN = 0)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: &[u8]) -> BooleanBuffer {
        BooleanBuffer::from_iter(v.iter().map(|&b| b == 1))
    }

    fn pairs(label: &[u8], predicted: &[u8]) -> Pairs {
        Pairs {
            len: label.len(),
            label: bits(label),
            predicted: bits(predicted),
            label_valid: None,
            decision_valid: None,
            not_nan: None,
            scores: None,
            weights: None,
            weight_valid: None,
            slices: Vec::new(),
            rows: None,
            previous: None,
        }
    }

    #[test]
    fn counts_every_cell() {
        let mut tally = Tally::default();
        tally.add(&pairs(&[1, 1, 0, 0, 1], &[1, 0, 1, 0, 1]));
        assert_eq!(tally.counts, Counts { tp: 2, fp: 1, fn_: 1, tn: 1 });
        assert_eq!(tally.skipped, Skipped::default());
    }

    #[test]
    fn a_batch_without_true_negatives_counts_without_overflow() {
        let mut tally = Tally::default();
        tally.add(&pairs(&[1, 1, 1], &[1, 1, 1]));
        assert_eq!(tally.counts, Counts { tp: 3, fp: 0, fn_: 0, tn: 0 });
        let mut p = pairs(&[1, 1, 0], &[1, 0, 1]);
        p.label_valid = Some(bits(&[1, 1, 0]));
        tally.add(&p);
        assert_eq!(tally.counts, Counts { tp: 4, fp: 0, fn_: 1, tn: 0 });
    }

    #[test]
    fn counts_across_word_boundaries() {
        let label: Vec<u8> = (0..200).map(|i| u8::from(i % 3 == 0)).collect();
        let predicted: Vec<u8> = (0..200).map(|i| u8::from(i % 2 == 0)).collect();
        let mut tally = Tally::default();
        tally.add(&pairs(&label, &predicted));
        let tp = (0..200).filter(|i| i % 6 == 0).count() as u64;
        let pos = (0..200).filter(|i| i % 3 == 0).count() as u64;
        assert_eq!(tally.counts.tp, tp);
        assert_eq!(tally.counts.fp, 100 - tp);
        assert_eq!(tally.counts.fn_, pos - tp);
        assert_eq!(tally.counts.rows(), 200);
    }

    #[test]
    fn missing_values_are_left_out_and_counted() {
        let mut p = pairs(&[1, 1, 0, 0, 1, 0], &[1, 0, 1, 0, 0, 0]);
        p.label_valid = Some(bits(&[1, 0, 1, 1, 1, 1]));
        p.decision_valid = Some(bits(&[1, 0, 1, 1, 1, 0]));
        p.not_nan = Some(bits(&[1, 1, 1, 0, 1, 1]));
        let mut tally = Tally::default();
        tally.add(&p);
        // Rows 0, 2, 4 remain: (1,1) (0,1) (1,0).
        assert_eq!(tally.counts, Counts { tp: 1, fp: 1, fn_: 1, tn: 0 });
        assert_eq!(
            tally.skipped,
            Skipped {
                rows: 3,
                label_null: 1,
                decision_null: 2,
                score_nan: 1,
                no_prediction: 0,
                weight_null: 0,
                previous_missing: 0,
            }
        );
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Tally::default();
        a.add(&pairs(&[1, 0], &[1, 1]));
        let mut b = Tally::default();
        b.add(&pairs(&[1, 0], &[0, 0]));
        assert_eq!(a.merge(&b).counts, Counts { tp: 1, fp: 1, fn_: 1, tn: 1 });
    }

    #[test]
    fn metrics_follow_their_definitions() {
        let c = Counts { tp: 90, fp: 10, fn_: 30, tn: 870 };
        assert_eq!(Metric::Precision.of(&c), Some(0.9));
        assert_eq!(Metric::Recall.of(&c), Some(0.75));
        assert_eq!(Metric::F1.of(&c), Some(180.0 / 220.0));
    }

    #[test]
    fn no_predicted_match_leaves_precision_undefined() {
        let c = Counts { tp: 0, fp: 0, fn_: 5, tn: 10 };
        assert_eq!(Metric::Precision.of(&c), None);
        assert_eq!(Metric::Recall.of(&c), Some(0.0));
        assert_eq!(Metric::F1.of(&c), Some(0.0));
    }

    #[test]
    fn no_true_match_leaves_recall_undefined() {
        let c = Counts { tp: 0, fp: 3, fn_: 0, tn: 10 };
        assert_eq!(Metric::Precision.of(&c), Some(0.0));
        assert_eq!(Metric::Recall.of(&c), None);
        assert_eq!(Metric::F1.of(&c), Some(0.0));
        assert_eq!(Metric::F1.of(&Counts { tp: 0, fp: 0, fn_: 0, tn: 4 }), None);
    }
}
