//! Arrow arrays as what the counts need: labels and predictions as bits
//! (0/1 integers and 0.0/1.0 floats converted, anything else an error
//! naming the row), scores compared with the decision threshold, weights
//! checked, validity bitmaps.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, Float64Array, PrimitiveArray};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use arrow_schema::DataType;

use super::error::DatasetError;
use super::kinds::is_text;

/// A batch's scores in their own width.
#[derive(Debug, Clone, PartialEq)]
pub enum Scores {
    /// float64 scores.
    F64(ScalarBuffer<f64>),
    /// float32 scores, compared widened to f64 as the gate compares them.
    F32(ScalarBuffer<f32>),
}

impl Scores {
    /// How many scores.
    pub fn len(&self) -> usize {
        match self {
            Scores::F64(v) => v.len(),
            Scores::F32(v) => v.len(),
        }
    }

    /// Score `i`, widened to f64.
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Scores::F64(v) => v[i],
            Scores::F32(v) => f64::from(v[i]),
        }
    }
}

/// A weight array as f64: every present value finite and not negative,
/// else an error naming `column` of `path` (the `input` that named it) and
/// the file row.
pub fn weights(
    path: &Path,
    column: &str,
    input: &'static str,
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
            input,
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

/// The labels of a column as bits: text labels are a match where they
/// equal `positive` (needed for text, refused for any other type), the
/// other types as [`binary_bits`] reads them.
pub fn label_bits(
    path: &Path,
    column: &str,
    array: &dyn Array,
    first_row: u64,
    positive: Option<&str>,
) -> Result<BooleanBuffer, DatasetError> {
    if !is_text(array.data_type()) {
        let Some(_) = positive else { return binary_bits(path, column, array, first_row) };
        let found = array.data_type().clone();
        return Err(DatasetError::PositiveLabelNotText {
            path: path.into(),
            column: column.into(),
            found,
        });
    }
    // Every text type casts to utf8 (a dictionary by its values); a cast
    // that fails shows no value.
    let text = arrow_cast::cast(array, &DataType::Utf8).ok();
    let empty = arrow_array::StringArray::from(Vec::<String>::new());
    let text = text.as_ref().map_or(&empty as &dyn Array, |t| t.as_ref());
    let text = text.as_string::<i32>();
    let Some(positive) = positive.filter(|_| text.len() == array.len()) else {
        let mut seen: Vec<String> = Vec::new();
        for value in text.iter().flatten() {
            if seen.len() == 5 {
                break;
            }
            // A value is data: at most 40 characters of it are shown.
            let value: String = value.chars().take(40).collect();
            if !seen.contains(&value) {
                seen.push(value);
            }
        }
        return Err(DatasetError::TextLabels { path: path.into(), column: column.into(), seen });
    };
    Ok(BooleanBuffer::collect_bool(text.len(), |i| text.value(i) == positive))
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
pub fn scores(array: &dyn Array) -> Scores {
    match array.data_type() {
        DataType::Float64 => Scores::F64(array.as_primitive::<Float64Type>().values().clone()),
        DataType::Float32 => Scores::F32(array.as_primitive::<Float32Type>().values().clone()),
        other => unreachable!("resolve() admitted {other} as a score"),
    }
}

/// A score column on a 0-100 scale as float64 scores on the 0-1 scale:
/// each value divided by 100, nulls kept.
pub fn percent(array: &dyn Array) -> ArrayRef {
    let divided: Float64Array = match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().unary(|v| v / 100.0),
        DataType::Float32 => array.as_primitive::<Float32Type>().unary(|v| f64::from(v) / 100.0),
        other => unreachable!("resolve() admitted {other} as a score"),
    };
    std::sync::Arc::new(divided)
}

/// `score >= threshold` as bits, and where the score is not NaN if any is.
pub fn score_bits(array: &dyn Array, threshold: f64) -> (BooleanBuffer, Option<BooleanBuffer>) {
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
    // In chunks the compiler vectorises, not a row-by-row early exit.
    let has_nan =
        values.chunks(1024).any(|c| c.iter().fold(false, |n, v| n | (*v).into().is_nan()));
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
