//! The misclassified pairs to review, read back from the file whose bytes
//! are being hashed, as soon as counting has chosen them; a hash mismatch
//! discards them with everything else read.

use std::sync::Arc;

use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, BooleanArray, Float32Array, Float64Array, PrimitiveArray,
    RecordBatch,
};
use arrow_buffer::ArrowNativeType;
use arrow_schema::{DataType, Field, Schema};

use crate::dataset::{Dataset, DatasetError, Decision, Role};
use crate::review::{ADDED, Chosen, ReviewSettings};

use super::error::EvaluateError;
use super::settings::Settings;

/// The misclassified pairs chosen, with every column of their rows.
#[derive(Debug, Clone)]
pub struct Review {
    /// Which rows, by kind and rank, and how many of each kind there were.
    pub chosen: Chosen,
    /// Their rows with every column, `error` and `rank`.
    pub rows: arrow_array::RecordBatch,
}

impl Review {
    /// Reads the chosen rows back and assembles the errors file's rows.
    ///
    /// The label and the deciding column are not read again when counting
    /// already gave their values on the chosen rows (a false positive is
    /// labelled 0 and predicted, a false negative the reverse, and each
    /// kept its score): they are rebuilt in the file's own type, and only
    /// the other columns are read back. With a joined predictions file,
    /// `joined` is its deciding column, added after the validation set's.
    pub fn read(
        dataset: &Dataset,
        chosen: Chosen,
        settings: &Settings,
        joined: Option<&Field>,
        workers: usize,
    ) -> Result<Review, EvaluateError> {
        let schema = dataset.schema();
        if let Some(taken) = ADDED.iter().find(|c| schema.index_of(c).is_ok()) {
            return Err(EvaluateError::ErrorsColumnTaken {
                path: dataset.path().to_path_buf(),
                column: taken,
            });
        }
        let rows = chosen.rows();
        let label = labels(&chosen, &rows);
        let mut known = known_label(schema, &label, settings);
        let added = match joined {
            Some(field) => {
                if schema.index_of(field.name()).is_ok() {
                    return Err(EvaluateError::DecisionColumnTaken {
                        path: dataset.path().to_path_buf(),
                        column: field.name().clone(),
                    });
                }
                let t = field.data_type();
                let array = decision_as(&chosen, &label, t, settings)
                    .or_else(|| float_bits(&label.iter().map(|l| !l).collect::<Vec<_>>(), t))
                    .expect("a deciding column is boolean, integer or float");
                Some((field.clone(), array))
            }
            None => {
                let i = schema.index_of(settings.decision.column()).ok();
                let rebuilt = i.and_then(|i| {
                    decision_as(&chosen, &label, schema.field(i).data_type(), settings)
                        .map(|a| (i, a))
                });
                known.extend(rebuilt.filter(|(i, _)| !known.iter().any(|(k, _)| k == i)));
                None
            }
        };
        let read = read_others(dataset, &rows, &known, added, workers)?;
        let arrow = |e| DatasetError::arrow(Role::ValidationSet, dataset.path(), e);
        let rows = chosen.assemble(&read).map_err(arrow)?;
        Ok(Review { chosen, rows })
    }
}

/// The chosen rows with every column of the validation set: those `known`
/// (index, rebuilt values) as rebuilt, the others read back, and then the
/// joined predictions file's deciding column (`added`).
fn read_others(
    dataset: &Dataset,
    rows: &[u64],
    known: &[(usize, ArrayRef)],
    added: Option<(Field, ArrayRef)>,
    workers: usize,
) -> Result<RecordBatch, EvaluateError> {
    let schema = dataset.schema();
    let roots: Vec<usize> =
        (0..schema.fields().len()).filter(|i| !known.iter().any(|(k, _)| k == i)).collect();
    let arrow = |e| DatasetError::arrow(Role::ValidationSet, dataset.path(), e);
    let read = dataset.read_rows(rows, &roots, workers)?;
    // The columns read back come in the files' own types (not the
    // dictionaries counting may have read strings as).
    let read_schema = read.schema();
    let mut others = read.columns().iter().zip(read_schema.fields().iter());
    let (mut fields, mut columns): (Vec<Field>, Vec<ArrayRef>) = (0..schema.fields().len())
        .map(|i| match known.iter().find(|(k, _)| *k == i) {
            Some((_, rebuilt)) => (schema.field(i).clone(), rebuilt.clone()),
            None => {
                let (column, field) = others.next().expect("every other column was read");
                (field.as_ref().clone(), column.clone())
            }
        })
        .unzip();
    if let Some((field, array)) = added {
        fields.push(field);
        columns.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| arrow(e).into())
}

/// 0/1 values as an array of type `t` when it is boolean or integer (built
/// directly: arrow's generic cast kernel would add megabytes to the binary).
fn bits_as(values: &[bool], t: &DataType) -> Option<ArrayRef> {
    fn ints<T: ArrowPrimitiveType>(values: &[bool]) -> Option<ArrayRef> {
        let native = values.iter().map(|b| T::Native::usize_as(usize::from(*b)));
        Some(Arc::new(PrimitiveArray::<T>::from_iter_values(native)))
    }
    match t {
        DataType::Boolean => Some(Arc::new(BooleanArray::from(values.to_vec()))),
        DataType::Int8 => ints::<Int8Type>(values),
        DataType::Int16 => ints::<Int16Type>(values),
        DataType::Int32 => ints::<Int32Type>(values),
        DataType::Int64 => ints::<Int64Type>(values),
        DataType::UInt8 => ints::<UInt8Type>(values),
        DataType::UInt16 => ints::<UInt16Type>(values),
        DataType::UInt32 => ints::<UInt32Type>(values),
        DataType::UInt64 => ints::<UInt64Type>(values),
        _ => None,
    }
}

/// 0.0/1.0 values as a float array of type `t`: a float prediction column
/// of a joined predictions file, whose chosen rows are not read back.
fn float_bits(values: &[bool], t: &DataType) -> Option<ArrayRef> {
    let ones = values.iter().map(|b| f64::from(u8::from(*b)));
    match t {
        DataType::Float64 => Some(Arc::new(Float64Array::from_iter_values(ones))),
        DataType::Float32 => Some(Arc::new(Float32Array::from_iter_values(ones.map(|v| v as f32)))),
        _ => None,
    }
}

/// The label of each of `rows` (ascending): true for a false negative.
fn labels(chosen: &Chosen, rows: &[u64]) -> Vec<bool> {
    let mut false_negatives = chosen.false_negatives.clone();
    false_negatives.sort_unstable();
    rows.iter().map(|r| false_negatives.binary_search(r).is_ok()).collect()
}

/// The label column rebuilt, where its type holds the known values
/// exactly: booleans and integers. A float label is read back (its zero
/// may be -0.0).
fn known_label(
    schema: &arrow_schema::Schema,
    label: &[bool],
    settings: &Settings,
) -> Vec<(usize, ArrayRef)> {
    let i = schema.index_of(&settings.label_column).ok();
    i.and_then(|i| bits_as(label, schema.field(i).data_type()).map(|a| (i, a)))
        .into_iter()
        .collect()
}

/// The deciding column of the chosen rows as type `t`, where it holds the
/// known values exactly: the scores as floats, a prediction as booleans or
/// integers (predicted where the label is not).
fn decision_as(
    chosen: &Chosen,
    label: &[bool],
    t: &DataType,
    settings: &Settings,
) -> Option<ArrayRef> {
    match &settings.decision {
        Decision::Score { .. } => {
            let scores = chosen.scores.iter().copied();
            match t {
                DataType::Float64 => Some(Arc::new(Float64Array::from_iter_values(scores))),
                // Widened from f32 while counting: narrowing is exact.
                DataType::Float32 => {
                    Some(Arc::new(Float32Array::from_iter_values(scores.map(|s| s as f32))))
                }
                _ => None,
            }
        }
        Decision::Prediction { .. } => {
            let predicted: Vec<bool> = label.iter().map(|l| !l).collect();
            bits_as(&predicted, t)
        }
    }
}

/// The display columns must be columns of the validation set, or the
/// deciding column of a joined predictions file (`joined`).
pub fn check_display(
    dataset: &Dataset,
    review: &ReviewSettings,
    joined: Option<&str>,
) -> Result<(), DatasetError> {
    let schema = dataset.schema();
    let missing: Vec<(String, &'static str)> = review
        .display
        .iter()
        .filter(|c| schema.index_of(c).is_err() && joined != Some(c.as_str()))
        .map(|c| (c.clone(), "display_columns"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(DatasetError::MissingColumn {
        role: Role::ValidationSet,
        path: dataset.path().to_path_buf(),
        missing,
        available: schema.fields().iter().map(|f| f.name().clone()).collect(),
    })
}
