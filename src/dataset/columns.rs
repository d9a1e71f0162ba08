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
}

impl Pairs {
    /// The rows whose label, score or prediction are all present (not null,
    /// not NaN); `None` when every row is.
    pub fn present(&self) -> Option<BooleanBuffer> {
        [&self.label_valid, &self.decision_valid, &self.not_nan]
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

impl Columns {
    /// Checks the columns against the file's schema and builds the projection.
    pub fn resolve(
        dataset: &Dataset,
        label: &str,
        decision: &Decision,
    ) -> Result<Columns, DatasetError> {
        let schema = dataset.schema();
        let path = dataset.path();
        let wanted = [(label, "label_column"), (decision.column(), decision.input())];
        let missing: Vec<(String, &'static str)> = wanted
            .iter()
            .filter(|(column, _)| schema.index_of(column).is_err())
            .map(|(column, input)| (column.to_string(), *input))
            .collect();
        if !missing.is_empty() {
            return Err(DatasetError::MissingColumn {
                path: path.to_path_buf(),
                missing,
                available: schema.fields().iter().map(|f| f.name().clone()).collect(),
            });
        }
        let index = |column: &str| schema.index_of(column).expect("checked above");
        let (label_idx, decision_idx) = (index(label), index(decision.column()));
        for (column, input) in [(label, "label_column"), (decision.column(), decision.input())] {
            let count = schema.fields().iter().filter(|f| f.name() == column).count();
            if count > 1 {
                return Err(DatasetError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: column.to_string(),
                    input,
                    count,
                });
            }
        }
        check_type(path, label, schema.field(label_idx).data_type(), is_binary, BINARY_TYPES)?;
        match decision {
            Decision::Score { column, .. } => check_type(
                path,
                column,
                schema.field(decision_idx).data_type(),
                is_score,
                SCORE_TYPES,
            )?,
            Decision::Prediction { column } => check_type(
                path,
                column,
                schema.field(decision_idx).data_type(),
                is_binary,
                BINARY_TYPES,
            )?,
        }
        Ok(Columns {
            path: path.to_path_buf(),
            label: label.to_string(),
            decision: decision.clone(),
            mask: dataset.projection([label_idx, decision_idx]),
        })
    }

    /// The projection that reads only these columns.
    pub fn mask(&self) -> &ProjectionMask {
        &self.mask
    }

    /// Turns one projected batch into bitmaps. `first_row` is the file row of
    /// the batch's first row, for error messages.
    pub fn extract(&self, batch: &RecordBatch, first_row: u64) -> Result<Pairs, DatasetError> {
        let column = |name: &str| {
            batch.column_by_name(name).expect("the projection holds the resolved columns")
        };
        let label = column(&self.label);
        let label_bits = self.binary(&self.label, label.as_ref(), first_row)?;
        let decision = column(self.decision.column());
        let (predicted, not_nan, scores) = match &self.decision {
            Decision::Score { threshold, .. } => {
                let (predicted, not_nan) = score_bits(decision.as_ref(), *threshold);
                (predicted, not_nan, Some(scores(decision.as_ref())))
            }
            Decision::Prediction { column } => {
                (self.binary(column, decision.as_ref(), first_row)?, None, None)
            }
        };
        Ok(Pairs {
            len: batch.num_rows(),
            label: label_bits,
            predicted,
            label_valid: valid_bits(label.as_ref()),
            decision_valid: valid_bits(decision.as_ref()),
            not_nan,
            scores,
        })
    }

    fn binary(
        &self,
        name: &str,
        array: &dyn Array,
        first_row: u64,
    ) -> Result<BooleanBuffer, DatasetError> {
        let not_binary = |(index, value): (usize, String)| DatasetError::NotBinary {
            path: self.path.clone(),
            column: name.to_string(),
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
            DataType::Float32 => {
                float_bits(array.as_primitive::<Float32Type>()).map_err(not_binary)
            }
            DataType::Float64 => {
                float_bits(array.as_primitive::<Float64Type>()).map_err(not_binary)
            }
            other => unreachable!("resolve() admitted {other} as binary"),
        }
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

fn valid_bits(array: &dyn Array) -> Option<BooleanBuffer> {
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
