//! A sampled benchmark's truth in a file of its own (`truth`): each
//! sampled record's id and true entity (and, with `truth_weight_column`,
//! its entity's weight), joined to the validation set's records on
//! `record_column`. It is read whole before the pass (a benchmark is small
//! beside the records it is drawn from); each batch of records then gets
//! its true entities (and weights) as columns of its own, taken from the
//! file's arrays as they are (any key type), null for a record outside the
//! sample. Records of the file the validation set lacks are counted and
//! reported.

use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::{Array, ArrayRef, RecordBatch, new_null_array};
use arrow_schema::{Field, Schema};

use super::error::EvaluateError;
use crate::clusters::ids::{Key, Seen, key};
use crate::dataset::columns::{self, Kind};
use crate::dataset::values::{KeyColumn, key_column};
use crate::dataset::{Dataset, Sha256, Source};

/// Truth-file rows a report lists.
const SHOWN_ROWS: usize = 5;

/// The truth file, read.
pub(super) struct TruthFile {
    /// The true entity column of each batch, then one null.
    entities: Vec<ArrayRef>,
    /// The weight column of each batch, then one null, with weights.
    weights: Option<Vec<ArrayRef>>,
    /// The name column of each batch, then one null, with `name_column`.
    name_arrays: Option<Vec<ArrayRef>>,
    /// Each record id's batch and row.
    records: Seen<(u32, u32)>,
    /// Each batch's first row in the file.
    starts: Vec<u64>,
    /// Whether each row's record was in the validation set.
    found: Vec<AtomicBool>,
    /// The names the batches' new columns take.
    names: (String, Option<String>),
    pub report: TruthReport,
}

/// The truth file in the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TruthReport {
    /// The path as given (credentials removed).
    pub path: String,
    pub sha256: Sha256,
    pub size_bytes: u64,
    /// Its records.
    pub records: u64,
    /// Its records the validation set lacks (left out of every metric).
    pub missing: u64,
    /// The first of them, by row of the truth file.
    pub first_missing: Vec<u64>,
}

impl TruthFile {
    /// Reads `file`: `record`, `entity`, `weight` and `name` name its
    /// columns.
    pub fn load(
        file: &Source,
        (record, entity): (&str, &str),
        (weight, name): (Option<&str>, Option<&str>),
    ) -> Result<TruthFile, EvaluateError> {
        let dataset = Dataset::parse(file)?;
        let mut wanted =
            vec![(record, "record_column", Kind::Key), (entity, "true_entity_column", Kind::Key)];
        wanted.extend(weight.map(|w| (w, "truth_weight_column", Kind::Weight)));
        wanted.extend(name.map(|n| (n, "name_column", Kind::Key)));
        let projection = dataset.projection(columns::find(&dataset, &wanted)?)?;
        let mut batches = dataset
            .fold(&projection, 1, Vec::new, |all: &mut Vec<(u64, RecordBatch)>, batch, row| {
                all.push((row, batch.clone()));
                Ok(())
            })?
            .concat();
        batches.sort_by_key(|(row, _)| *row);
        let mut records = Seen::default();
        for (b, (start, batch)) in batches.iter().enumerate() {
            check(&dataset, batch, *start, (record, entity, weight))?;
            let ids = key_column(batch.column_by_name(record).expect("projected"));
            for i in 0..batch.num_rows() {
                let id = key(&ids, i).expect("checked: no null");
                if let Ok((earlier, at)) = records.get_or_insert(id, |_| (b as u32, i as u32)) {
                    return Err(EvaluateError::TruthRepeat {
                        path: file.path.clone(),
                        column: record.to_string(),
                        record: text(&ids, i),
                        rows: [batches[earlier as usize].0 + u64::from(at), start + i as u64],
                    });
                }
            }
        }
        let with_null = |name: &str| -> Vec<ArrayRef> {
            let mut arrays: Vec<ArrayRef> = batches
                .iter()
                .map(|(_, b)| b.column_by_name(name).expect("projected").clone())
                .collect();
            let kind = dataset.schema().field_with_name(name).expect("found").data_type().clone();
            arrays.push(new_null_array(&kind, 1));
            arrays
        };
        let hashed = file.hash(1)?;
        file.unchanged()?;
        let rows = dataset.rows();
        Ok(TruthFile {
            entities: with_null(entity),
            weights: weight.map(with_null),
            name_arrays: name.map(with_null),
            records,
            starts: batches.iter().map(|(row, _)| *row).collect(),
            found: (0..rows).map(|_| AtomicBool::new(false)).collect(),
            names: (entity.to_string(), weight.map(str::to_string)),
            report: TruthReport {
                path: crate::secret::url(&file.path.display().to_string()).into_owned(),
                sha256: hashed.sha256,
                size_bytes: file.size(),
                records: rows,
                missing: 0,
                first_missing: Vec::new(),
            },
        })
    }

    /// `batch` of records with each record's true entity (and weight) as
    /// columns of their own, null outside the sample.
    pub fn join(&self, batch: &RecordBatch, record: &str) -> RecordBatch {
        let ids = key_column(batch.column_by_name(record).expect("projected"));
        let outside = (self.entities.len() - 1, 0);
        let at: Vec<(usize, usize)> = (0..batch.num_rows())
            .map(|i| match key(&ids, i).and_then(|k| self.records.get(k)) {
                Some((b, r)) => {
                    self.mark(b, r);
                    (b as usize, r as usize)
                }
                None => outside,
            })
            .collect();
        let taken = |arrays: &[ArrayRef]| {
            let arrays: Vec<&dyn Array> = arrays.iter().map(AsRef::as_ref).collect();
            arrow_select::interleave::interleave(&arrays, &at).expect("one type")
        };
        let mut fields: Vec<Field> =
            batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        let mut columns = batch.columns().to_vec();
        let mut add = |name: &str, array: ArrayRef| {
            fields.push(Field::new(name, array.data_type().clone(), true));
            columns.push(array);
        };
        add(&self.names.0, taken(&self.entities));
        if let (Some(name), Some(weights)) = (&self.names.1, &self.weights) {
            add(name, taken(weights));
        }
        RecordBatch::try_new(Schema::new(fields).into(), columns)
            .expect("columns of the batch's length")
    }

    /// Marks the record of batch `b`, row `r` as in the validation set,
    /// and gives its row in the file.
    fn mark(&self, b: u32, r: u32) -> u64 {
        let row = self.starts[b as usize] + u64::from(r);
        self.found[row as usize].store(true, Ordering::Relaxed);
        row
    }

    /// The file's row of record `id` (now marked as in the validation
    /// set), if the file lists it.
    pub fn row(&self, id: Key) -> Option<u32> {
        let (b, r) = self.records.get(id)?;
        Some(self.mark(b, r) as u32)
    }

    /// Each row's name, with `name_column` (null: no name).
    pub fn names(&self) -> Option<Vec<(u64, Option<Key<'_>>)>> {
        let arrays = self.name_arrays.as_ref()?;
        let mut names = Vec::with_capacity(self.found.len());
        for (array, start) in arrays.iter().zip(&self.starts) {
            let column = key_column(array.as_ref());
            names.extend((0..array.len()).map(|i| (start + i as u64, key(&column, i))));
        }
        Some(names)
    }

    /// Every record id with its row in the file (in no particular order).
    pub fn records(&self) -> impl Iterator<Item = (Key<'_>, u64)> {
        self.records.entries().map(|(id, (b, r))| (id, self.starts[b as usize] + u64::from(r)))
    }

    /// Each row's true entity, numbered from 0, and each entity's records.
    pub fn numbered(&self) -> (Vec<u32>, Vec<u64>) {
        let mut seen = Seen::default();
        let (mut of_row, mut sizes) = (Vec::with_capacity(self.found.len()), Vec::new());
        for array in &self.entities[..self.entities.len() - 1] {
            let column = key_column(array.as_ref());
            for i in 0..array.len() {
                let id = key(&column, i).expect("checked: no null");
                let n = seen.get_or_insert(id, |n| n as u32).unwrap_or_else(|n| n);
                if n as usize == sizes.len() {
                    sizes.push(0);
                }
                sizes[n as usize] += 1;
                of_row.push(n);
            }
        }
        (of_row, sizes)
    }

    /// The report, with the records the validation set lacked.
    pub fn finish(self) -> TruthReport {
        let mut report = self.report;
        let missing = self.found.iter().enumerate().filter(|(_, f)| !f.load(Ordering::Relaxed));
        for (row, _) in missing {
            report.missing += 1;
            if report.first_missing.len() < SHOWN_ROWS {
                report.first_missing.push(row as u64);
            }
        }
        report
    }
}

/// Row `i`'s id as text (a string's bytes read as UTF-8, lossily).
fn text(column: &KeyColumn, i: usize) -> String {
    match column {
        KeyColumn::Int(value) => value(i).map(|v| v.to_string()),
        KeyColumn::Str(value) => value(i).map(|b| String::from_utf8_lossy(b).into_owned()),
    }
    .unwrap_or_default()
}

/// A null record id or true entity in the truth file is an error.
fn check(
    dataset: &Dataset,
    batch: &RecordBatch,
    start: u64,
    (record, entity, _): (&str, &str, Option<&str>),
) -> Result<(), EvaluateError> {
    for column in [record, entity] {
        let array = batch.column_by_name(column).expect("projected");
        if let Some(i) = (0..array.len()).find(|&i| array.is_null(i)) {
            return Err(EvaluateError::TruthNull {
                path: dataset.path().to_path_buf(),
                column: column.to_string(),
                row: start + i as u64,
            });
        }
    }
    Ok(())
}
