//! Joining the model's predictions to the labelled pairs on key columns.
//!
//! [`Labelled::load`] reads the validation set's keys and labels once into
//! an index, memory proportional to the labelled pairs; [`Labelled::pairs`]
//! then looks up every row of a predictions batch, so the predictions are
//! streamed however many there are. A key twice among the labelled pairs,
//! or a labelled pair predicted twice, is an error; predictions of pairs
//! nobody labelled are counted and left out (a model scores every candidate
//! pair, people label a sample). Keys are compared by value and kind:
//! integers of any width as integers, strings (plain, large, view or
//! dictionary-encoded) as their bytes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use arrow_schema::DataType;

use super::columns::{self, Decided, Kind, Pairs, Scores};
use super::{Dataset, DatasetError, Role};

/// A label that is null, beside 0 and 1.
const NULL_LABEL: u8 = 2;

/// The input that names the key columns.
const KEY_INPUT: &str = "key_columns";

/// The labelled pairs by key.
#[derive(Debug)]
pub struct Labelled {
    path: PathBuf,
    keys: Vec<String>,
    index: HashMap<Box<[u8]>, usize, ahash::RandomState>,
    /// Per labelled row: 0, 1 or [`NULL_LABEL`].
    labels: Vec<u8>,
    /// Per labelled row: whether a prediction has been found for it.
    seen: Vec<AtomicBool>,
}

/// Which labelled rows a predictions batch holds: `(batch row, labelled row)`.
pub type Matches = Vec<(usize, usize)>;

impl Labelled {
    /// Reads the key columns and the label of the validation set.
    pub fn load(dataset: &Dataset, keys: &[String], label: &str) -> Result<Labelled, DatasetError> {
        let mut wanted: Vec<(&str, &'static str, Kind)> =
            keys.iter().map(|k| (k.as_str(), KEY_INPUT, Kind::Key)).collect();
        wanted.push((label, "label_column", Kind::Binary));
        let mask = dataset.projection(columns::find(dataset, &wanted)?);
        let path = dataset.path();
        let empty = || (HashMap::with_hasher(ahash::RandomState::new()), Vec::new());
        // One worker: rows arrive in file order, so a duplicate names its
        // first row.
        let mut folds = dataset.fold(&mask, 1, empty, |(index, labels), batch, first_row| {
            let array = batch.column_by_name(label).expect("projected");
            let bits = columns::binary_bits(path, label, array.as_ref(), first_row)?;
            let valid = columns::valid_bits(array.as_ref());
            let keyed = key_columns(batch, keys);
            let mut buf = Vec::new();
            for i in 0..batch.num_rows() {
                let row = first_row + i as u64;
                encode(&keyed, i, &mut buf).map_err(|k| null_key(dataset, &keys[k], row))?;
                let at = labels.len();
                if index.insert(buf.clone().into_boxed_slice(), at).is_some() {
                    return Err(DatasetError::DuplicateKey {
                        role: Role::ValidationSet,
                        path: path.to_path_buf(),
                        key: show(&buf),
                        row,
                    });
                }
                let present = valid.as_ref().is_none_or(|v| v.value(i));
                labels.push(if present { u8::from(bits.value(i)) } else { NULL_LABEL });
            }
            Ok(())
        })?;
        let (index, labels) = folds.pop().unwrap_or_else(empty);
        let seen = (0..labels.len()).map(|_| AtomicBool::new(false)).collect();
        Ok(Labelled { path: path.to_path_buf(), keys: keys.to_vec(), index, labels, seen })
    }

    /// Checks that the predictions file has the key columns, of the same
    /// kind as the labelled pairs', and the deciding column; gives their
    /// indices, keys first.
    pub fn resolve_predictions(
        &self,
        labelled: &Dataset,
        predictions: &Dataset,
        decision: (&str, &'static str, Kind),
    ) -> Result<Vec<usize>, DatasetError> {
        let mut wanted: Vec<(&str, &'static str, Kind)> =
            self.keys.iter().map(|k| (k.as_str(), KEY_INPUT, Kind::Key)).collect();
        wanted.push(decision);
        let indices = columns::find(predictions, &wanted)?;
        for (key, index) in self.keys.iter().zip(&indices) {
            let ours = labelled.schema().field_with_name(key).expect("found at load").data_type();
            let theirs = predictions.schema().field(*index).data_type();
            if is_integer_key(ours) != is_integer_key(theirs) {
                return Err(DatasetError::KeyTypes {
                    column: key.clone(),
                    labelled: ours.clone(),
                    labelled_path: self.path.clone(),
                    predicted: theirs.clone(),
                    predictions_path: predictions.path().to_path_buf(),
                });
            }
        }
        Ok(indices)
    }

    /// The labelled pairs among one predictions batch, with their labels
    /// and the batch's decisions, and how many rows of the batch are of
    /// pairs nobody labelled.
    pub fn pairs(
        &self,
        predictions: &Dataset,
        batch: &RecordBatch,
        first_row: u64,
        decided: &Decided,
    ) -> Result<(Pairs, u64), DatasetError> {
        let keyed = key_columns(batch, &self.keys);
        let mut matches: Matches = Vec::new();
        let mut buf = Vec::new();
        for i in 0..batch.num_rows() {
            let row = first_row + i as u64;
            encode(&keyed, i, &mut buf).map_err(|k| null_key(predictions, &self.keys[k], row))?;
            let Some(&at) = self.index.get(buf.as_slice()) else { continue };
            if self.seen[at].swap(true, Ordering::Relaxed) {
                return Err(DatasetError::DuplicateKey {
                    role: Role::Predictions,
                    path: predictions.path().to_path_buf(),
                    key: show(&buf),
                    row,
                });
            }
            matches.push((i, at));
        }
        let unlabelled = (batch.num_rows() - matches.len()) as u64;
        Ok((self.gather(decided, &matches), unlabelled))
    }

    /// The matched rows as one batch of pairs.
    fn gather(&self, decided: &Decided, matches: &Matches) -> Pairs {
        let n = matches.len();
        let bits = |b: &BooleanBuffer| BooleanBuffer::collect_bool(n, |j| b.value(matches[j].0));
        let label = |j: usize| self.labels[matches[j].1];
        let has_null_label = matches.iter().any(|(_, at)| self.labels[*at] == NULL_LABEL);
        Pairs {
            len: n,
            label: BooleanBuffer::collect_bool(n, |j| label(j) == 1),
            predicted: bits(&decided.predicted),
            label_valid: has_null_label
                .then(|| BooleanBuffer::collect_bool(n, |j| label(j) != NULL_LABEL)),
            decision_valid: decided.valid.as_ref().map(bits),
            not_nan: decided.not_nan.as_ref().map(bits),
            scores: decided.scores.as_ref().map(|s| match s {
                Scores::F64(v) => {
                    Scores::F64(ScalarBuffer::from_iter(matches.iter().map(|m| v[m.0])))
                }
                Scores::F32(v) => {
                    Scores::F32(ScalarBuffer::from_iter(matches.iter().map(|m| v[m.0])))
                }
            }),
        }
    }

    /// Labelled pairs in all.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no labelled pairs.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labelled pairs no prediction was found for: how many, and the
    /// keys of the first `shown` in file order.
    pub fn unpredicted(&self, shown: usize) -> (u64, Vec<String>) {
        let missing = |at: &usize| !self.seen[*at].load(Ordering::Relaxed);
        let count = (0..self.labels.len()).filter(missing).count() as u64;
        let mut first: Vec<(usize, &[u8])> =
            self.index.iter().filter(|(_, at)| missing(at)).map(|(k, at)| (*at, &**k)).collect();
        first.sort_unstable();
        (count, first.iter().take(shown).map(|(_, k)| show(k)).collect())
    }
}

fn null_key(dataset: &Dataset, column: &str, row: u64) -> DatasetError {
    DatasetError::NullKey {
        role: dataset.role(),
        path: dataset.path().to_path_buf(),
        column: column.to_string(),
        row,
    }
}

fn is_integer_key(t: &DataType) -> bool {
    t.is_integer()
}

/// One key column of one batch, value by value.
enum KeyColumn<'a> {
    Int(Vec<Option<i128>>),
    Str(Box<dyn Fn(usize) -> Option<&'a [u8]> + 'a>),
}

fn key_columns<'a>(batch: &'a RecordBatch, keys: &[String]) -> Vec<KeyColumn<'a>> {
    keys.iter().map(|k| key_column(batch.column_by_name(k).expect("projected").as_ref())).collect()
}

fn key_column<'a>(array: &'a dyn Array) -> KeyColumn<'a> {
    macro_rules! ints {
        ($t:ty) => {
            KeyColumn::Int(array.as_primitive::<$t>().iter().map(|v| v.map(i128::from)).collect())
        };
    }
    match array.data_type() {
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Dictionary(..) => {
            let dictionary = array.as_any_dictionary();
            let keys = dictionary.normalized_keys();
            let value = strings(dictionary.values().as_ref());
            let nulls = array.logical_nulls();
            KeyColumn::Str(Box::new(move |i| {
                nulls.as_ref().is_none_or(|n| n.is_valid(i)).then(|| value(keys[i]))
            }))
        }
        _ => {
            let value = strings(array);
            KeyColumn::Str(Box::new(move |i| array.is_valid(i).then(|| value(i))))
        }
    }
}

/// The bytes of a string array's values.
fn strings<'a>(array: &'a dyn Array) -> Box<dyn Fn(usize) -> &'a [u8] + 'a> {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            Box::new(move |i| a.value(i).as_bytes())
        }
        other => unreachable!("find() admitted {other} as a key"),
    }
}

/// Writes row `i`'s key into `buf`: per column a tag (0 integer, 1 string),
/// then 16 bytes of integer or a 4-byte length and the string's bytes. The
/// index of a column that is null there otherwise.
fn encode(columns: &[KeyColumn], i: usize, buf: &mut Vec<u8>) -> Result<(), usize> {
    buf.clear();
    for (c, column) in columns.iter().enumerate() {
        match column {
            KeyColumn::Int(values) => {
                buf.push(0);
                buf.extend_from_slice(&values[i].ok_or(c)?.to_le_bytes());
            }
            KeyColumn::Str(value) => {
                let bytes = value(i).ok_or(c)?;
                buf.push(1);
                buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                buf.extend_from_slice(bytes);
            }
        }
    }
    Ok(())
}

/// An encoded key as text: `(12, "a b")`, one value bare.
fn show(mut key: &[u8]) -> String {
    let mut parts = Vec::new();
    while let Some((&tag, rest)) = key.split_first() {
        if tag == 0 && rest.len() >= 16 {
            let (value, rest) = rest.split_at(16);
            parts.push(i128::from_le_bytes(value.try_into().expect("16 bytes")).to_string());
            key = rest;
        } else if rest.len() >= 4 {
            let (len, rest) = rest.split_at(4);
            let len =
                (u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize).min(rest.len());
            parts.push(format!("{:?}", String::from_utf8_lossy(&rest[..len])));
            key = &rest[len..];
        } else {
            break;
        }
    }
    match parts.len() {
        1 => parts.remove(0),
        _ => format!("({})", parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_either_kind_round_trip_into_text() {
        let ints = KeyColumn::Int(vec![Some(-7), None]);
        let text: Vec<&[u8]> = vec![b"a \"b\"", b""];
        let strs = KeyColumn::Str(Box::new(move |i| Some(text[i])));
        let mut buf = Vec::new();
        encode(&[ints, strs], 0, &mut buf).unwrap();
        assert_eq!(show(&buf), r#"(-7, "a \"b\"")"#);
        let ints = KeyColumn::Int(vec![Some(-7), None]);
        assert_eq!(encode(&[ints], 1, &mut buf), Err(0));
    }
}
