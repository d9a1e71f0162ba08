//! From arrow arrays to the bits the tally counts.
//!
//! [`Columns::resolve`] checks, once per file, that the label and the deciding
//! column exist and have a usable type, and builds the projection. Per batch,
//! [`Columns::extract`] turns them into [`Pairs`]: bitmaps of the true matches,
//! the predicted matches and which values are present. The comparison
//! `score >= threshold` is done here, in the score's own width widened to f64,
//! so it is exact for float32 and float64 alike.

use std::path::PathBuf;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};

pub use super::arrays::{Scores, binary_bits, label_bits, valid_bits, weights};
use super::arrays::{percent, score_bits, scores};
use super::error::DatasetError;
pub use super::kinds::{Kind, find, is_slice};
use super::reader::{Dataset, Projection};

/// How a pair becomes a predicted match.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// `score >= threshold`.
    Score {
        /// The score column.
        column: String,
        /// The decision threshold.
        threshold: f64,
    },
    /// A boolean or 0/1 column of predictions.
    Prediction {
        /// The prediction column.
        column: String,
    },
}

/// The scale of the scores (input `score_scale`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScoreScale {
    /// Compared with the threshold as they are.
    #[default]
    Raw,
    /// On a 0-100 scale: each divided by 100 before it is compared.
    Percent,
}

impl Decision {
    /// The column that decides.
    pub fn column(&self) -> &str {
        match self {
            Decision::Score { column, .. } | Decision::Prediction { column } => column,
        }
    }

    /// The input that named the deciding column.
    pub fn input(&self) -> &'static str {
        match self {
            Decision::Score { .. } => "score_column",
            Decision::Prediction { .. } => "prediction_column",
        }
    }

    /// The deciding column as [`find`] wants it.
    pub fn wanted(&self) -> (&str, &'static str, Kind) {
        (self.column(), self.input(), self.kind())
    }

    /// The previous model's deciding column as [`find`] wants it.
    pub fn wanted_previous(&self) -> (&str, &'static str, Kind) {
        let input = match self {
            Decision::Score { .. } => "baseline_score_column",
            Decision::Prediction { .. } => "baseline_prediction_column",
        };
        (self.column(), input, self.kind())
    }

    /// What the deciding column must hold: a score, or 0/1 predictions.
    pub fn kind(&self) -> Kind {
        match self {
            Decision::Score { .. } => Kind::Score,
            Decision::Prediction { .. } => Kind::Binary,
        }
    }
}

/// What to do with rows whose label, score or prediction is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NullPolicy {
    /// Stop with exit 2, naming the columns and counts.
    Fail,
    /// Leave the rows out, count and report them.
    Skip,
}

/// The resolved label and decision columns of one file.
#[derive(Debug)]
pub struct Columns {
    path: PathBuf,
    label: String,
    decision: Decision,
    weight: Option<String>,
    previous: Option<Decision>,
    slices: Vec<String>,
    slice_roots: Vec<usize>,
    mask: Projection,
    scale: ScoreScale,
    positive: Option<String>,
}

/// One batch as bitmaps, all of the batch's length.
#[derive(Debug)]
pub struct Pairs {
    /// Rows in the batch.
    pub len: usize,
    /// True matches (meaningless where the label is null).
    pub label: BooleanBuffer,
    /// Predicted matches (meaningless where the decision value is missing).
    pub predicted: BooleanBuffer,
    /// Where the label is not null; `None` when none is null.
    pub label_valid: Option<BooleanBuffer>,
    /// Where the score or prediction is not null; `None` when none is null.
    pub decision_valid: Option<BooleanBuffer>,
    /// Where the score is not NaN; `None` when none is NaN.
    pub not_nan: Option<BooleanBuffer>,
    /// The scores themselves, for the threshold sweep; `None` for predictions.
    pub scores: Option<Scores>,
    /// Each pair's weight (`weight_column`), finite and not negative where
    /// present; `None` without weights.
    pub weights: Option<ScalarBuffer<f64>>,
    /// Where the weight is not null; `None` when none is (or no weights).
    pub weight_valid: Option<BooleanBuffer>,
    /// The slice columns' arrays, in the order of `slice_columns`.
    pub slices: Vec<ArrayRef>,
    /// The validation set's row of each pair when the pairs are not a run
    /// of its rows (a join: the labelled rows a predictions batch matched);
    /// `None`: the batch's rows in file order.
    pub rows: Option<Vec<u64>>,
    /// The previous model's decisions, with a baseline score or
    /// prediction column.
    pub previous: Option<Previous>,
}

/// The previous model's decisions on one batch.
#[derive(Debug, Clone)]
pub struct Previous {
    /// Its predicted matches (meaningless where the value is missing).
    pub predicted: BooleanBuffer,
    /// Where its score or prediction is present (not null, not NaN);
    /// `None` when it is everywhere.
    pub valid: Option<BooleanBuffer>,
}

impl Pairs {
    /// The rows whose label, score or prediction are all present (not null,
    /// not NaN); `None` when every row is.
    pub fn present(&self) -> Option<BooleanBuffer> {
        let previous = self.previous.as_ref().and_then(|p| p.valid.as_ref());
        [&self.label_valid, &self.decision_valid, &self.not_nan, &self.weight_valid]
            .into_iter()
            .flatten()
            .chain(previous)
            .fold(None, |acc: Option<BooleanBuffer>, b| {
                Some(acc.map_or_else(|| b.clone(), |a| &a & b))
            })
    }
}

impl Columns {
    /// Checks the columns against the file's schema and builds the
    /// projection: `previous` is the previous model's deciding column, for
    /// a paired comparison.
    pub fn resolve(
        dataset: &Dataset,
        label: &str,
        (decision, previous): (&Decision, Option<&Decision>),
        weight: Option<&str>,
        slices: &[String],
    ) -> Result<Columns, DatasetError> {
        let mut wanted = vec![(label, "label_column", Kind::Label), decision.wanted()];
        wanted.extend(previous.map(Decision::wanted_previous));
        wanted.extend(weight.map(|w| (w, "weight_column", Kind::Weight)));
        wanted.extend(slices.iter().map(|c| (c.as_str(), "slice_columns", Kind::Slice)));
        let indices = find(dataset, &wanted)?;
        Ok(Columns {
            path: dataset.path().to_path_buf(),
            label: label.to_string(),
            decision: decision.clone(),
            weight: weight.map(str::to_string),
            previous: previous.cloned(),
            slices: slices.to_vec(),
            slice_roots: indices[indices.len() - slices.len()..].to_vec(),
            mask: dataset.projection(indices)?,
            scale: ScoreScale::Raw,
            positive: None,
        })
    }

    /// The slice columns' indices in the file's schema.
    pub fn slice_roots(&self) -> &[usize] {
        &self.slice_roots
    }

    /// The projection that reads only these columns.
    pub fn mask(&self) -> &Projection {
        &self.mask
    }

    /// Turns one projected batch into bitmaps. `first_row` is the file row of
    /// the batch's first row, for error messages.
    pub fn extract(&self, batch: &RecordBatch, first_row: u64) -> Result<Pairs, DatasetError> {
        let label = batch.column_by_name(&self.label).expect("the projection holds the label");
        let decision = self.decide(batch, first_row)?;
        let (weights, weight_valid) = match &self.weight {
            Some(w) => {
                let array = batch.column_by_name(w).expect("the projection holds the weight");
                let values = weights(&self.path, w, "weight_column", array.as_ref(), first_row)?;
                (Some(values), valid_bits(array.as_ref()))
            }
            None => (None, None),
        };
        Ok(Pairs {
            len: batch.num_rows(),
            label: label_bits(
                &self.path,
                &self.label,
                label.as_ref(),
                first_row,
                self.positive.as_deref(),
            )?,
            predicted: decision.predicted,
            previous: decision.previous,
            label_valid: valid_bits(label.as_ref()),
            decision_valid: decision.valid,
            not_nan: decision.not_nan,
            scores: decision.scores,
            weights,
            weight_valid,
            slices: self
                .slices
                .iter()
                .map(|c| batch.column_by_name(c).expect("the projection holds the slices").clone())
                .collect(),
            rows: None,
        })
    }

    /// The deciding column of one batch as bits: [`Decided`].
    pub fn decide(&self, batch: &RecordBatch, first_row: u64) -> Result<Decided, DatasetError> {
        let column = self.decision.column();
        let decision = batch.column_by_name(column).expect("the projection holds the decision");
        let (predicted, not_nan, scores) = match &self.decision {
            Decision::Score { threshold, .. } => {
                let decision = self.scaled_scores(decision);
                let (predicted, not_nan) = score_bits(decision.as_ref(), *threshold);
                (predicted, not_nan, Some(scores(decision.as_ref())))
            }
            Decision::Prediction { .. } => {
                (binary_bits(&self.path, column, decision.as_ref(), first_row)?, None, None)
            }
        };
        let previous = match &self.previous {
            Some(p) => Some(self.previous(p, batch, first_row)?),
            None => None,
        };
        let valid = valid_bits(decision.as_ref());
        Ok(Decided { predicted, valid, not_nan, scores, previous })
    }

    /// Scores are read on the 0-1 scale from here on (`score_scale`).
    pub fn scaled(mut self, scale: ScoreScale) -> Columns {
        self.scale = scale;
        self
    }

    /// Text labels are a match where they equal `positive`
    /// (`positive_label`).
    pub fn positive_label(mut self, positive: Option<&str>) -> Columns {
        self.positive = positive.map(str::to_string);
        self
    }

    /// A score column on the 0-1 scale: divided by 100 when in percent.
    fn scaled_scores(&self, array: &ArrayRef) -> ArrayRef {
        match self.scale {
            ScoreScale::Raw => array.clone(),
            ScoreScale::Percent => percent(array.as_ref()),
        }
    }

    /// The previous model's decisions in one batch.
    fn previous(
        &self,
        previous: &Decision,
        batch: &RecordBatch,
        first_row: u64,
    ) -> Result<Previous, DatasetError> {
        let column = previous.column();
        let array = batch.column_by_name(column).expect("the projection holds the baseline");
        let (predicted, not_nan) = match previous {
            Decision::Score { threshold, .. } => {
                score_bits(self.scaled_scores(array).as_ref(), *threshold)
            }
            Decision::Prediction { .. } => {
                (binary_bits(&self.path, column, array.as_ref(), first_row)?, None)
            }
        };
        let valid = match (valid_bits(array.as_ref()), not_nan) {
            (Some(v), Some(n)) => Some(&v & &n),
            (v, n) => v.or(n),
        };
        Ok(Previous { predicted, valid })
    }
}

/// One batch's deciding column as bits.
#[derive(Debug)]
pub struct Decided {
    /// Predicted matches (meaningless where the value is missing).
    pub predicted: BooleanBuffer,
    /// Where the score or prediction is not null; `None` when none is null.
    pub valid: Option<BooleanBuffer>,
    /// Where the score is not NaN; `None` when none is NaN.
    pub not_nan: Option<BooleanBuffer>,
    /// The scores, for the sweep; `None` for predictions.
    pub scores: Option<Scores>,
    /// The previous model's decisions, for a paired comparison.
    pub previous: Option<Previous>,
}

impl Columns {
    /// A decision (and the previous model's, `previous`) read from a file
    /// that holds no label: the predictions file of a join, whose
    /// `indices` are those columns. [`Columns::extract`] must not be
    /// called on it.
    pub fn decision_only(
        dataset: &Dataset,
        (decision, previous): (&Decision, Option<&Decision>),
        indices: &[usize],
    ) -> Result<Columns, DatasetError> {
        Ok(Columns {
            path: dataset.path().to_path_buf(),
            label: String::new(),
            decision: decision.clone(),
            previous: previous.cloned(),
            weight: None,
            slices: Vec::new(),
            slice_roots: Vec::new(),
            mask: dataset.projection(indices.iter().copied())?,
            scale: ScoreScale::Raw,
            positive: None,
        })
    }
}
