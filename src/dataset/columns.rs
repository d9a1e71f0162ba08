//! From arrow arrays to the bits the tally counts.
//!
//! [`Columns::resolve`] checks, once per file, that the label and the deciding
//! column exist and have a usable type, and builds the projection. Per batch,
//! [`Columns::extract`] turns them into [`Pairs`]: bitmaps of the true matches,
//! the predicted matches and which values are present. The comparison
//! `score >= threshold` is done here, in the score's own width widened to f64,
//! so it is exact for float32 and float64 alike.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;

use super::{Dataset, DatasetError};

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
    mask: ProjectionMask,
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

/// A batch's scores in their own width.
#[derive(Debug, Clone)]
pub enum Scores {
    /// float64 scores.
    F64(ScalarBuffer<f64>),
    /// float32 scores, compared widened to f64 as the gate compares them.
    F32(ScalarBuffer<f32>),
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
}

const WEIGHT_TYPES: &str = "float32, float64 or an integer type";
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
    ) -> Result<Columns, DatasetError> {
        let mut wanted = vec![(label, "label_column", Kind::Binary), decision.wanted()];
        wanted.extend(weight.map(|w| (w, "weight_column", Kind::Weight)));
        let indices = find(dataset, &wanted)?;
        Ok(Columns {
            path: dataset.path().to_path_buf(),
            label: label.to_string(),
            decision: decision.clone(),
            weight: weight.map(str::to_string),
            mask: dataset.projection(indices),
        })
    }

    /// The projection that reads only these columns.
    pub fn mask(&self) -> &ProjectionMask {
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
    pub fn decision_only(dataset: &Dataset, decision: &Decision, index: usize) -> Columns {
        Columns {
            path: dataset.path().to_path_buf(),
            label: String::new(),
            decision: decision.clone(),
            weight: None,
            mask: dataset.projection([index]),
        }
    }
}

/// A weight array as f64: every present value finite and not negative,
/// else an error naming `column` of `path` and the file row.
pub fn weights(
    path: &Path,
    column: &str,
    array: &dyn Array,
    first_row: u64,
) -> Result<ScalarBuffer<f64>, DatasetError> {
    macro_rules! widen {
        ($t:ty) => {
            array.as_primitive::<$t>().values().iter().map(|v| *v as f64).collect::<Vec<f64>>()
        };
    }
    let values: Vec<f64> = match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().values().to_vec(),
        DataType::Float32 => widen!(Float32Type),
        DataType::Int8 => widen!(Int8Type),
        DataType::Int16 => widen!(Int16Type),
        DataType::Int32 => widen!(Int32Type),
        DataType::Int64 => widen!(Int64Type),
        DataType::UInt8 => widen!(UInt8Type),
        DataType::UInt16 => widen!(UInt16Type),
        DataType::UInt32 => widen!(UInt32Type),
        DataType::UInt64 => widen!(UInt64Type),
        other => unreachable!("find() admitted {other} as a weight"),
    };
    let bad = |i: &usize| !(values[*i].is_finite() && values[*i] >= 0.0);
    let found = match array.nulls() {
        None => (0..values.len()).find(bad),
        Some(nulls) => nulls.valid_indices().find(bad),
    };
    match found {
        Some(i) => Err(DatasetError::BadWeight {
            path: path.to_path_buf(),
            column: column.to_string(),
            value: values[i].to_string(),
            row: first_row + i as u64,
        }),
        None => Ok(values.into()),
    }
}

/// A label or prediction array as bits: boolean as is, 0/1 integers and
/// 0.0/1.0 floats converted; any other value names `column` of `path` and
/// its file row (`first_row` is the batch's first).
pub fn binary_bits(
    path: &Path,
    column: &str,
    array: &dyn Array,
    first_row: u64,
) -> Result<BooleanBuffer, DatasetError> {
    let not_binary = |(index, value): (usize, String)| DatasetError::NotBinary {
        path: path.to_path_buf(),
        column: column.to_string(),
        value,
        row: first_row + index as u64,
    };
    match array.data_type() {
        DataType::Boolean => Ok(array.as_boolean().values().clone()),
        DataType::Int8 => int_bits(array.as_primitive::<Int8Type>()).map_err(not_binary),
        DataType::Int16 => int_bits(array.as_primitive::<Int16Type>()).map_err(not_binary),
        DataType::Int32 => int_bits(array.as_primitive::<Int32Type>()).map_err(not_binary),
        DataType::Int64 => int_bits(array.as_primitive::<Int64Type>()).map_err(not_binary),
        DataType::UInt8 => int_bits(array.as_primitive::<UInt8Type>()).map_err(not_binary),
        DataType::UInt16 => int_bits(array.as_primitive::<UInt16Type>()).map_err(not_binary),
        DataType::UInt32 => int_bits(array.as_primitive::<UInt32Type>()).map_err(not_binary),
        DataType::UInt64 => int_bits(array.as_primitive::<UInt64Type>()).map_err(not_binary),
        DataType::Float32 => float_bits(array.as_primitive::<Float32Type>()).map_err(not_binary),
        DataType::Float64 => float_bits(array.as_primitive::<Float64Type>()).map_err(not_binary),
        other => unreachable!("find() admitted {other} as binary"),
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

/// Where an array is not null; `None` when no value is null.
pub fn valid_bits(array: &dyn Array) -> Option<BooleanBuffer> {
    array.logical_nulls().filter(|n| n.null_count() > 0).map(|n| n.inner().clone())
}

/// 0/1 values as bits, where `one` says which a value is (`None`: neither);
/// the first other value in a non-null slot, as text, and its index otherwise.
fn bits<T>(
    array: &PrimitiveArray<T>,
    one: impl Fn(T::Native) -> Option<bool>,
) -> Result<BooleanBuffer, (usize, String)>
where
    T: ArrowPrimitiveType,
    T::Native: std::fmt::Display,
{
    let values = array.values();
    let is_bad = |i: usize| one(values[i]).is_none().then(|| (i, values[i].to_string()));
    let bad = match array.nulls() {
        None => (0..values.len()).find_map(is_bad),
        Some(nulls) => nulls.valid_indices().find_map(is_bad),
    };
    match bad {
        Some(found) => Err(found),
        None => Ok(BooleanBuffer::collect_bool(values.len(), |i| one(values[i]) == Some(true))),
    }
}

/// 0/1 integers as bits.
fn int_bits<T>(array: &PrimitiveArray<T>) -> Result<BooleanBuffer, (usize, String)>
where
    T: ArrowPrimitiveType,
    T::Native: Into<i128> + std::fmt::Display,
{
    bits(array, |v| match v.into() {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    })
}

/// 0.0/1.0 floats as bits: labels as a pandas join leaves them.
fn float_bits<T>(array: &PrimitiveArray<T>) -> Result<BooleanBuffer, (usize, String)>
where
    T: ArrowPrimitiveType,
    T::Native: Into<f64> + std::fmt::Display,
{
    bits(array, |v| match v.into() {
        0.0 => Some(false),
        1.0 => Some(true),
        _ => None,
    })
}

/// The score values, sharing the array's buffer.
fn scores(array: &dyn Array) -> Scores {
    match array.data_type() {
        DataType::Float64 => Scores::F64(array.as_primitive::<Float64Type>().values().clone()),
        DataType::Float32 => Scores::F32(array.as_primitive::<Float32Type>().values().clone()),
        other => unreachable!("resolve() admitted {other} as a score"),
    }
}

/// `score >= threshold` as bits, and where the score is not NaN if any is.
fn score_bits(array: &dyn Array, threshold: f64) -> (BooleanBuffer, Option<BooleanBuffer>) {
    match array.data_type() {
        DataType::Float64 => compare(array.as_primitive::<Float64Type>(), threshold),
        DataType::Float32 => compare(array.as_primitive::<Float32Type>(), threshold),
        other => unreachable!("resolve() admitted {other} as a score"),
    }
}

fn compare<T>(array: &PrimitiveArray<T>, threshold: f64) -> (BooleanBuffer, Option<BooleanBuffer>)
where
    T: ArrowPrimitiveType,
    T::Native: Into<f64>,
{
    let values = array.values();
    // NaN >= t is false, so a NaN score is never a predicted match; whether the
    // row counts at all is the null policy's call, through `not_nan`.
    let predicted = BooleanBuffer::collect_bool(values.len(), |i| values[i].into() >= threshold);
    let has_nan = values.iter().any(|v| (*v).into().is_nan());
    let not_nan =
        has_nan.then(|| BooleanBuffer::collect_bool(values.len(), |i| !values[i].into().is_nan()));
    (predicted, not_nan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float32Array, Int64Array, UInt8Array};

    #[test]
    fn integer_labels_must_be_zero_or_one() {
        let ok = UInt8Array::from(vec![0, 1, 1, 0]);
        let bits = int_bits(&ok).unwrap();
        assert_eq!(bits.iter().collect::<Vec<_>>(), [false, true, true, false]);
        let bad = Int64Array::from(vec![Some(1), None, Some(-1), Some(2)]);
        assert_eq!(int_bits(&bad).unwrap_err(), (2, "-1".to_string()));
        // A null slot's hidden value is not checked.
        let hidden = Int64Array::new(vec![1, 7, 0].into(), Some(vec![true, false, true].into()));
        assert!(int_bits(&hidden).is_ok());
    }

    #[test]
    fn float_labels_must_be_zero_or_one() {
        let ok = arrow_array::Float64Array::from(vec![Some(1.0), None, Some(0.0), Some(-0.0)]);
        assert_eq!(
            float_bits(&ok).unwrap().iter().collect::<Vec<_>>(),
            [true, false, false, false]
        );
        let bad = Float32Array::from(vec![1.0, 0.5]);
        assert_eq!(float_bits(&bad).unwrap_err(), (1, "0.5".to_string()));
        let nan = arrow_array::Float64Array::from(vec![f64::NAN]);
        assert_eq!(float_bits(&nan).unwrap_err(), (0, "NaN".to_string()));
    }

    #[test]
    fn score_equal_to_threshold_is_a_predicted_match() {
        let scores = Float32Array::from(vec![0.5, 0.49999997, f32::NAN, 0.7]);
        let (predicted, not_nan) = compare(&scores, 0.5);
        assert_eq!(predicted.iter().collect::<Vec<_>>(), [true, false, false, true]);
        assert_eq!(not_nan.unwrap().iter().collect::<Vec<_>>(), [true, true, false, true]);
        // float32 0.7 is 0.699999988..., below the float64 threshold 0.7.
        let (predicted, not_nan) = compare(&scores, 0.7);
        assert_eq!(predicted.iter().collect::<Vec<_>>(), [false, false, false, false]);
        assert!(compare(&Float32Array::from(vec![0.1]), 0.0).1.is_none());
        assert!(not_nan.is_some());
    }
}
