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

mod keys;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use keys::{Index, key_columns};

use super::columns::{self, Decided, Kind, Pairs, Previous, Scores};
use super::error::{DatasetError, Role};
use super::reader::Dataset;

/// A label that is null, beside 0 and 1.
const NULL_LABEL: u8 = 2;

/// The input that names the key columns.
const KEY_INPUT: &str = "key_columns";

/// The labelled pairs by key.
#[derive(Debug)]
pub struct Labelled {
    path: PathBuf,
    keys: Vec<String>,
    index: Index,
    /// Per labelled row: 0, 1 or [`NULL_LABEL`].
    labels: Vec<u8>,
    /// Per labelled row, with `weight_column`: its weight, NaN for null
    /// (weights are validated finite, so NaN stands for nothing else).
    weights: Option<Vec<f64>>,
    /// Per labelled row: whether a prediction has been found for it.
    seen: Vec<AtomicBool>,
    /// Per slice column, its value on every labelled row, in file order.
    slices: Vec<ArrayRef>,
}

/// Which labelled rows a predictions batch holds: `(batch row, labelled row)`.
pub type Matches = Vec<(usize, usize)>;

impl Labelled {
    /// Reads the key columns, the label (its column, and for text labels
    /// the value that means a match) and the slice columns of the
    /// validation set.
    pub fn load(
        dataset: &Dataset,
        keys: &[String],
        (label, positive): (&str, Option<&str>),
        weight: Option<&str>,
        slices: &[String],
    ) -> Result<Labelled, DatasetError> {
        let mut wanted: Vec<(&str, &'static str, Kind)> =
            keys.iter().map(|k| (k.as_str(), KEY_INPUT, Kind::Key)).collect();
        wanted.push((label, "label_column", Kind::Label));
        wanted.extend(weight.map(|w| (w, "weight_column", Kind::Weight)));
        wanted.extend(slices.iter().map(|c| (c.as_str(), "slice_columns", Kind::Slice)));
        let mask = dataset.projection(columns::find(dataset, &wanted)?)?;
        let path = dataset.path();
        let schema = dataset.schema();
        let types: Vec<&arrow_schema::DataType> =
            keys.iter().map(|k| schema.field_with_name(k).expect("found").data_type()).collect();
        // Sized for the rows the footer claims, but never for more than one
        // per byte of the files: a claim of billions from a small file
        // reserves nothing; the index grows with the keys it is given.
        let rows = usize::try_from(dataset.rows().min(dataset.bytes())).unwrap_or(0);
        let empty = || Loaded {
            index: Index::new(&types, rows),
            labels: Vec::new(),
            weighed: weight.map(|_| Vec::new()),
            sliced: vec![Vec::new(); slices.len()],
        };
        // One worker: rows arrive in file order, so a duplicate names the
        // row it is seen again at.
        let columns = LoadColumns { dataset, keys, label, positive, weight, slices };
        let mut folds = dataset.fold(&mask, 1, empty, |loaded, batch, first_row| {
            loaded.add(&columns, batch, first_row)
        })?;
        let Loaded { mut index, labels, weighed: weights, sliced } =
            folds.pop().unwrap_or_else(empty);
        if let Some((again, key)) = index.finish() {
            let (role, path) = (Role::ValidationSet, path.to_path_buf());
            return Err(DatasetError::DuplicateKey { role, path, key, row: u64::from(again) });
        }
        let seen = (0..labels.len()).map(|_| AtomicBool::new(false)).collect();
        let slices = concat_slices(dataset, slices, sliced)?;
        Ok(Labelled {
            path: path.to_path_buf(),
            keys: keys.to_vec(),
            index,
            labels,
            weights,
            seen,
            slices,
        })
    }

    /// Checks that the predictions file has the key columns, of the same
    /// kind as the labelled pairs', and the `deciding` columns (the model's,
    /// then the previous model's); gives their indices, keys first.
    pub fn resolve_predictions(
        &self,
        labelled: &Dataset,
        predictions: &Dataset,
        deciding: &[(&str, &'static str, Kind)],
    ) -> Result<Vec<usize>, DatasetError> {
        let mut wanted: Vec<(&str, &'static str, Kind)> =
            self.keys.iter().map(|k| (k.as_str(), KEY_INPUT, Kind::Key)).collect();
        wanted.extend_from_slice(deciding);
        let indices = columns::find(predictions, &wanted)?;
        for (key, index) in self.keys.iter().zip(&indices) {
            let ours = labelled.schema().field_with_name(key).expect("found at load").data_type();
            let theirs = predictions.schema().field(*index).data_type();
            // find() admitted both as keys: strings or integers.
            if ours.is_integer() != theirs.is_integer() {
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
        let found = self.index.find(&keyed, batch.num_rows());
        let matches: Matches = found
            .map_err(|(i, k)| null_key(predictions, &self.keys[k], first_row + i as u64))?
            .into_iter()
            .map(|(i, at)| (i, at as usize))
            .collect();
        for &(i, at) in &matches {
            if self.seen[at].swap(true, Ordering::Relaxed) {
                return Err(DatasetError::DuplicateKey {
                    role: Role::Predictions,
                    path: predictions.path().to_path_buf(),
                    key: self.index.show_row(&keyed, i),
                    row: first_row + i as u64,
                });
            }
        }
        let unlabelled = (batch.num_rows() - matches.len()) as u64;
        Ok((self.gather(decided, &matches)?, unlabelled))
    }

    /// The matched rows as one batch of pairs.
    fn gather(&self, decided: &Decided, matches: &Matches) -> Result<Pairs, DatasetError> {
        let n = matches.len();
        let slices = self
            .slices
            .iter()
            .map(|column| take_rows(column, matches))
            .collect::<Result<_, _>>()
            .map_err(|e| DatasetError::arrow(Role::ValidationSet, &self.path, e))?;
        let bits = |b: &BooleanBuffer| BooleanBuffer::collect_bool(n, |j| b.value(matches[j].0));
        let label = |j: usize| self.labels[matches[j].1];
        let has_null_label = matches.iter().any(|(_, at)| self.labels[*at] == NULL_LABEL);
        Ok(Pairs {
            len: n,
            label: BooleanBuffer::collect_bool(n, |j| label(j) == 1),
            predicted: bits(&decided.predicted),
            previous: decided.previous.as_ref().map(|p| Previous {
                predicted: bits(&p.predicted),
                valid: p.valid.as_ref().map(bits),
            }),
            label_valid: has_null_label
                .then(|| BooleanBuffer::collect_bool(n, |j| label(j) != NULL_LABEL)),
            decision_valid: decided.valid.as_ref().map(bits),
            not_nan: decided.not_nan.as_ref().map(bits),
            weights: self.weights.as_ref().map(|w| {
                ScalarBuffer::from_iter(
                    matches.iter().map(|m| w[m.1]).map(|v| if v.is_nan() { 0.0 } else { v }),
                )
            }),
            weight_valid: self
                .weights
                .as_ref()
                .filter(|w| matches.iter().any(|m| w[m.1].is_nan()))
                .map(|w| BooleanBuffer::collect_bool(n, |j| !w[matches[j].1].is_nan())),
            scores: decided.scores.as_ref().map(|s| match s {
                Scores::F64(v) => {
                    Scores::F64(ScalarBuffer::from_iter(matches.iter().map(|m| v[m.0])))
                }
                Scores::F32(v) => {
                    Scores::F32(ScalarBuffer::from_iter(matches.iter().map(|m| v[m.0])))
                }
            }),
            slices,
            rows: Some(matches.iter().map(|m| m.1 as u64).collect()),
        })
    }

    /// Labelled pairs in all.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The labelled pairs no prediction was found for: how many, and the
    /// keys of the first `shown` in file order.
    pub fn unpredicted(&self, shown: usize) -> (u64, Vec<String>) {
        let missing: Vec<u32> = (0..self.seen.len() as u32)
            .filter(|at| !self.seen[*at as usize].load(Ordering::Relaxed))
            .collect();
        let first = &missing[..missing.len().min(shown)];
        let mut keys = self.index.rows_where(|at| first.contains(&at));
        keys.sort_unstable();
        (missing.len() as u64, keys.into_iter().map(|(_, k)| k).collect())
    }
}

/// What [`Labelled::load`] folds the validation set into.
struct Loaded {
    index: Index,
    labels: Vec<u8>,
    weighed: Option<Vec<f64>>,
    /// Per slice column, its arrays batch by batch.
    sliced: Vec<Vec<ArrayRef>>,
}

/// The columns [`Labelled::load`] reads, by name.
struct LoadColumns<'a> {
    dataset: &'a Dataset,
    keys: &'a [String],
    label: &'a str,
    positive: Option<&'a str>,
    weight: Option<&'a str>,
    slices: &'a [String],
}

impl Loaded {
    /// One batch of the validation set, file row `first_row` its first:
    /// each row's key indexed (a key seen before is an error), its label,
    /// weight and slice values kept.
    fn add(
        &mut self,
        c: &LoadColumns,
        batch: &RecordBatch,
        first_row: u64,
    ) -> Result<(), DatasetError> {
        let Loaded { index, labels, weighed, sliced } = self;
        let (dataset, path) = (c.dataset, c.dataset.path());
        for (column, arrays) in c.slices.iter().zip(sliced.iter_mut()) {
            arrays.push(batch.column_by_name(column).expect("projected").clone());
        }
        if let (Some(w), Some(weighed)) = (c.weight, weighed.as_mut()) {
            let array = batch.column_by_name(w).expect("projected");
            let values = columns::weights(path, w, "weight_column", array.as_ref(), first_row)?;
            let valid = columns::valid_bits(array.as_ref());
            weighed.extend(values.iter().enumerate().map(|(i, v)| {
                if valid.as_ref().is_none_or(|b| b.value(i)) { *v } else { f64::NAN }
            }));
        }
        let array = batch.column_by_name(c.label).expect("projected");
        let bits = columns::label_bits(path, c.label, array.as_ref(), first_row, c.positive)?;
        let valid = columns::valid_bits(array.as_ref());
        let keyed = key_columns(batch, c.keys);
        for i in 0..batch.num_rows() {
            let row = first_row + i as u64;
            let at = u32::try_from(labels.len()).map_err(|_| too_many(dataset))?;
            let before =
                index.insert(&keyed, i, at).map_err(|k| null_key(dataset, &c.keys[k], row))?;
            if before.is_some() {
                return Err(DatasetError::DuplicateKey {
                    role: Role::ValidationSet,
                    path: path.to_path_buf(),
                    key: index.show_row(&keyed, i),
                    row,
                });
            }
            let present = valid.as_ref().is_none_or(|v| v.value(i));
            labels.push(if present { u8::from(bits.value(i)) } else { NULL_LABEL });
        }
        Ok(())
    }
}

/// Each slice column's values on every labelled row, as one array.
fn concat_slices(
    dataset: &Dataset,
    slices: &[String],
    sliced: Vec<Vec<ArrayRef>>,
) -> Result<Vec<ArrayRef>, DatasetError> {
    slices
        .iter()
        .zip(sliced)
        .map(|(column, arrays)| {
            let field = dataset.schema().field_with_name(column).expect("found").clone();
            let arrays: Vec<&dyn arrow_array::Array> = arrays.iter().map(|a| a.as_ref()).collect();
            if arrays.is_empty() {
                Ok(arrow_array::new_empty_array(field.data_type()))
            } else {
                arrow_select::concat::concat(&arrays)
            }
            .map_err(|e| DatasetError::arrow(Role::ValidationSet, dataset.path(), e))
        })
        .collect()
}

/// The slice values of the matched labelled rows, in match order (an
/// error only if their text overflows a string array's offsets).
fn take_rows(column: &ArrayRef, matches: &Matches) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let rows = arrow_array::UInt32Array::from_iter_values(matches.iter().map(|m| m.1 as u32));
    arrow_select::take::take(column.as_ref(), &rows, None)
}

/// Over 4,294,967,295 labelled pairs: more than the index counts.
fn too_many(dataset: &Dataset) -> DatasetError {
    DatasetError::Parquet {
        role: dataset.role(),
        path: dataset.path().to_path_buf(),
        source: parquet::errors::ParquetError::General(
            "more than 4,294,967,295 labelled pairs: expected fewer".to_string(),
        ),
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
