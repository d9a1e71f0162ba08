//! What each input's column must hold, and [`find`], which checks the
//! columns an evaluation reads against a file's schema: every missing one
//! named at once, then a name two columns share, then a type that does not
//! fit.

use std::path::Path;

use arrow_schema::DataType;

use super::error::DatasetError;
use super::reader::Dataset;

const BINARY_TYPES: &str = "boolean, an integer type (int8..int64, uint8..uint64) holding 0 and 1, or float32/float64 holding 0.0 and 1.0";
const SCORE_TYPES: &str = "float32 or float64";
const LABEL_TYPES: &str = "boolean, an integer type (int8..int64, uint8..uint64) holding 0 and 1, float32/float64 holding 0.0 and 1.0, or text with positive_label";

/// What a column must hold, for [`find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A label or prediction: boolean, 0/1 integers or 0.0/1.0 floats.
    Binary,
    /// A label: binary, or text with `positive_label`.
    Label,
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
            Kind::Label => (is_label, LABEL_TYPES),
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

fn is_label(t: &DataType) -> bool {
    is_binary(t) || is_text(t)
}

fn is_score(t: &DataType) -> bool {
    matches!(t, DataType::Float32 | DataType::Float64)
}

fn is_weight(t: &DataType) -> bool {
    is_score(t) || t.is_integer()
}

/// A string or integer column, which a join key may be.
pub fn is_key(t: &DataType) -> bool {
    t.is_integer() || is_text(t)
}

/// A string column (utf8, large utf8 or utf8 view), or a dictionary of one.
pub fn is_text(t: &DataType) -> bool {
    let plain =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match t {
        DataType::Dictionary(_, values) => plain(values),
        t => plain(t),
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
