//! From arrow arrays to the bits the tally counts.
//!
//! [`Columns::resolve`] checks, once per file, that the label and the deciding
//! column exist and have a usable type, and builds the projection. Per batch,
//! [`Columns::extract`] turns them into [`Pairs`]: bitmaps of the true matches,
//! the predicted matches and which values are present. The comparison
//! `score >= threshold` is done here, in the score's own width widened to f64,
//! so it is exact for float32 and float64 alike.

use std::path::{Path, PathBuf};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use arrow_schema::DataType;

pub use super::arrays::{Scores, binary_bits, valid_bits, weights};
use super::arrays::{score_bits, scores};
use super::error::DatasetError;
use super::reader::{Dataset, Projection};

const BINARY_TYPES: &str = "boolean, an integer type (int8..int64, uint8..uint64) holding 0 and 1, or float32/float64 holding 0.0 and 1.0";
const SCORE_TYPES: &str = "float32 or float64";

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
        match self {
            Decision::Score { column, .. } => (column, "score_column", Kind::Score),
            Decision::Prediction { column } => (column, "prediction_column", Kind::Binary),
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
    slices: Vec<String>,
    slice_roots: Vec<usize>,
    mask: Projection,
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
}

impl Pairs {
    /// The rows whose label, score or prediction are all present (not null,
    /// not NaN); `None` when every row is.
    pub fn present(&self) -> Option<BooleanBuffer> {
        [&self.label_valid, &self.decision_valid, &self.not_nan, &self.weight_valid]
            .into_iter()
            .flatten()
            .fold(None, |acc: Option<BooleanBuffer>, b| {
                Some(acc.map_or_else(|| b.clone(), |a| &a & b))
            })
    }
}

/// What a column must hold, for [`find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A label or prediction: boolean, 0/1 integers or 0.0/1.0 floats.
    Binary,
    /// A score: float32 or float64.
    Score,
    /// A join key: a string or integer column.
    Key,
    /// A pair's weight: a float or integer column.
    Weight,
    /// A slice column: a string, boolean or integer column.
    Slice,
}

const WEIGHT_TYPES: &str = "float32, float64 or an integer type";
const SLICE_TYPES: &str =
    "a string (utf8, large utf8, utf8 view or dictionary of strings), boolean or integer column";
const KEY_TYPES: &str =
    "a string (utf8, large utf8, utf8 view or dictionary of strings) or integer column";

/// Finds the columns `wanted` (name, the input that named it, what it must
/// hold) in the file's schema: every missing one is named at once, then a
/// name two columns share, then a type that does not fit. Gives their indices.
pub fn find(
    dataset: &Dataset,
    wanted: &[(&str, &'static str, Kind)],
) -> Result<Vec<usize>, DatasetError> {
    let schema = dataset.schema();
    let path = dataset.path();
    let missing: Vec<(String, &'static str)> = wanted
        .iter()
        .filter(|(column, _, _)| schema.index_of(column).is_err())
        .map(|(column, input, _)| (column.to_string(), *input))
        .collect();
    if !missing.is_empty() {
        return Err(DatasetError::MissingColumn {
            role: dataset.role(),
            path: path.to_path_buf(),
            missing,
            available: schema.fields().iter().map(|f| f.name().clone()).collect(),
        });
    }
    for (column, input, _) in wanted {
        let count = schema.fields().iter().filter(|f| f.name() == column).count();
        if count > 1 {
            return Err(DatasetError::DuplicateColumn {
                role: dataset.role(),
                path: path.to_path_buf(),
                column: column.to_string(),
                input,
                count,
            });
        }
    }
    let mut indices = Vec::with_capacity(wanted.len());
    for (column, _, kind) in wanted {
        let index = schema.index_of(column).expect("checked above");
        let (accepts, expected): (fn(&DataType) -> bool, _) = match kind {
            Kind::Binary => (is_binary, BINARY_TYPES),
            Kind::Score => (is_score, SCORE_TYPES),
            Kind::Key => (is_key, KEY_TYPES),
            Kind::Weight => (is_weight, WEIGHT_TYPES),
            Kind::Slice => (is_slice, SLICE_TYPES),
        };
        check_type(path, column, schema.field(index).data_type(), accepts, expected)?;
        indices.push(index);
    }
    Ok(indices)
}

impl Columns {
    /// Checks the columns against the file's schema and builds the projection.
    pub fn resolve(
        dataset: &Dataset,
        label: &str,
        decision: &Decision,
        weight: Option<&str>,
        slices: &[String],
    ) -> Result<Columns, DatasetError> {
        let mut wanted = vec![(label, "label_column", Kind::Binary), decision.wanted()];
        wanted.extend(weight.map(|w| (w, "weight_column", Kind::Weight)));
        wanted.extend(slices.iter().map(|c| (c.as_str(), "slice_columns", Kind::Slice)));
        let indices = find(dataset, &wanted)?;
        Ok(Columns {
            path: dataset.path().to_path_buf(),
            label: label.to_string(),
            decision: decision.clone(),
            weight: weight.map(str::to_string),
            slices: slices.to_vec(),
            slice_roots: indices[indices.len() - slices.len()..].to_vec(),
            mask: dataset.projection(indices)?,
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
                let values = weights(&self.path, w, array.as_ref(), first_row)?;
                (Some(values), valid_bits(array.as_ref()))
            }
            None => (None, None),
        };
        Ok(Pairs {
            len: batch.num_rows(),
            label: binary_bits(&self.path, &self.label, label.as_ref(), first_row)?,
            predicted: decision.predicted,
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
                let (predicted, not_nan) = score_bits(decision.as_ref(), *threshold);
                (predicted, not_nan, Some(scores(decision.as_ref())))
            }
            Decision::Prediction { .. } => {
                (binary_bits(&self.path, column, decision.as_ref(), first_row)?, None, None)
            }
        };
        Ok(Decided { predicted, valid: valid_bits(decision.as_ref()), not_nan, scores })
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
}

impl Columns {
    /// A decision read from a file that holds no label: the predictions
    /// file of a join. [`Columns::extract`] must not be called on it.
    pub fn decision_only(
        dataset: &Dataset,
        decision: &Decision,
        index: usize,
    ) -> Result<Columns, DatasetError> {
        Ok(Columns {
            path: dataset.path().to_path_buf(),
            label: String::new(),
            decision: decision.clone(),
            weight: None,
            slices: Vec::new(),
            slice_roots: Vec::new(),
            mask: dataset.projection([index])?,
        })
    }
}

fn check_type(
    path: &Path,
    column: &str,
    found: &DataType,
    accepts: fn(&DataType) -> bool,
    expected: &'static str,
) -> Result<(), DatasetError> {
    if accepts(found) {
        return Ok(());
    }
    Err(DatasetError::ColumnType {
        path: path.to_path_buf(),
        column: column.to_string(),
        found: found.clone(),
        expected,
    })
}

fn is_binary(t: &DataType) -> bool {
    t == &DataType::Boolean || t.is_integer() || is_score(t)
}

fn is_score(t: &DataType) -> bool {
    matches!(t, DataType::Float32 | DataType::Float64)
}

fn is_weight(t: &DataType) -> bool {
    is_score(t) || t.is_integer()
}

/// A string or integer column, which a join key may be.
pub fn is_key(t: &DataType) -> bool {
    let is_string =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match t {
        DataType::Dictionary(_, values) => is_string(values),
        t => t.is_integer() || is_string(t),
    }
}

/// A string, boolean or integer column (or a dictionary of one), which a
/// slice column may be.
pub fn is_slice(t: &DataType) -> bool {
    let plain = |t: &DataType| {
        matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean)
            || t.is_integer()
    };
    match t {
        DataType::Dictionary(_, values) => plain(values),
        t => plain(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_booleans_integers_and_their_dictionaries_can_slice() {
        let dict = |v: DataType| DataType::Dictionary(Box::new(DataType::Int32), Box::new(v));
        for t in [DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View, DataType::Boolean] {
            assert!(is_slice(&t) && is_slice(&dict(t.clone())), "{t}");
        }
        assert!(is_slice(&DataType::UInt64) && is_slice(&DataType::Int8));
        assert!(!is_slice(&DataType::Float64) && !is_slice(&dict(DataType::Float32)));
    }
}
