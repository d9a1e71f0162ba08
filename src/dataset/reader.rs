//! Streaming the parquet parts: projection, one row group at a time, in parallel.
//!
//! A dataset is one file or a folder's parts ([`super::source`]); its row
//! groups are numbered across the parts in order, and so are its rows.
//! Workers take row groups from a shared counter, so a worker slowed by the
//! hashing thread simply takes fewer; each holds one record batch of the
//! projected columns at a time, which bounds memory whatever the dataset's
//! size. Columns are matched across parts by name, and a folder's hive
//! partition keys are columns too: a constant per part, dictionary-encoded.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
};
use parquet::errors::ParquetError;

use super::error::DatasetError;
use super::error::Role;
use super::file::{Storage, guarded};
use super::parts::PartsError;
use super::source::Source;

/// An open parquet dataset whose footers have been read.
#[derive(Debug)]
pub struct Dataset {
    pub(super) role: Role,
    pub(super) path: PathBuf,
    pub(super) parts: Vec<Part>,
    /// The first part's schema, then the hive partition keys.
    schema: SchemaRef,
    /// How many of the schema's fields are the files' columns; the rest are
    /// hive partition keys.
    pub(super) file_columns: usize,
    /// Every row group of every part, in order.
    pub(super) groups: Vec<Group>,
    /// The hive partition keys of a folder, in the listing's order.
    pub(super) keys: Vec<String>,
}

/// One file of a dataset.
#[derive(Debug)]
pub(super) struct Part {
    pub(super) relative: String,
    pub(super) path: PathBuf,
    pub(super) file: Storage,
    pub(super) meta: ArrowReaderMetadata,
    /// Its hive partition values, one per key.
    pub(super) values: Vec<Option<String>>,
}

/// One row group of a dataset.
#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    pub(super) part: usize,
    pub(super) group: usize,
    pub(super) first_row: u64,
}

/// The columns to read, per part.
#[derive(Debug, Clone)]
pub struct Projection {
    parts: Vec<PartProjection>,
}

#[derive(Debug, Clone)]
struct PartProjection {
    mask: ProjectionMask,
    /// The hive keys to add, as (field, key index).
    keys: Vec<(Arc<Field>, usize)>,
}

impl Dataset {
    /// Reads the footer of every file of `source`.
    pub fn parse(source: &Source) -> Result<Dataset, DatasetError> {
        let role = source.role;
        let mut parts = Vec::with_capacity(source.parts.len());
        let mut groups = Vec::new();
        let mut first_row = 0u64;
        for (index, open) in source.parts.iter().enumerate() {
            let file = open.file.clone();
            let parquet = |source| DatasetError::Parquet { role, path: open.path.clone(), source };
            super::pages::check_schema(&file).map_err(|why| DatasetError::Schema {
                role,
                path: open.path.clone(),
                why,
            })?;
            let meta = guarded(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
                .and_then(|loaded| loaded)
                .map_err(|e| match super::sniff::sniff(&file) {
                    Some(looks) => {
                        DatasetError::NotParquet { role, path: open.path.clone(), looks }
                    }
                    None => parquet(e),
                })?;
            let (relative, path, values) =
                (open.relative.clone(), open.path.clone(), open.values.clone());
            let part = Part { relative, path, file, meta, values };
            check_row_counts(&part).map_err(|why| DatasetError::Footer {
                role,
                path: part.path.clone(),
                why,
            })?;
            for group in 0..part.meta.metadata().num_row_groups() {
                let g = Group { part: index, group, first_row };
                groups.push(g);
                first_row += part_rows_in(&part, group);
            }
            parts.push(part);
        }
        let file_columns = parts[0].meta.schema().fields().len();
        let mut dataset = Dataset {
            role,
            path: source.path.clone(),
            parts,
            schema: Arc::new(Schema::empty()),
            file_columns,
            groups,
            keys: source.keys.clone(),
        };
        dataset.schema = dataset.schema_with_keys(&source.keys);
        Ok(dataset)
    }

    /// Which of the run's inputs this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The path as given: a file or a folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The arrow schema: the first part's columns, then the hive keys.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows in every part, from the footers.
    pub fn rows(&self) -> u64 {
        self.parts.iter().map(part_rows).sum()
    }

    /// Bytes in every part: a bound on what honest data can hold, where a
    /// footer's row count is only a claim.
    pub fn bytes(&self) -> u64 {
        use parquet::file::reader::Length;
        self.parts.iter().map(|p| p.file.len()).sum()
    }

    /// Rows in each part, from its footer.
    pub fn part_rows(&self) -> Vec<u64> {
        self.parts.iter().map(part_rows).collect()
    }

    /// Row groups in every part.
    pub fn row_groups(&self) -> usize {
        self.groups.len()
    }

    /// Reads the string columns among `roots` as dictionaries of strings,
    /// keeping the file's dictionary encoding where its pages have one: a
    /// column of few distinct values then costs a key per row, not a string.
    pub fn read_strings_as_dictionaries(&mut self, roots: &[usize]) -> Result<(), DatasetError> {
        let names: Vec<String> = roots
            .iter()
            .filter(|&&r| r < self.file_columns)
            .map(|&r| self.schema.field(r).name().clone())
            .collect();
        let role = self.role;
        for part in &mut self.parts {
            let schema = part.meta.schema();
            let is_string = |i: usize| {
                names.iter().any(|n| n == schema.field(i).name())
                    && matches!(schema.field(i).data_type(), DataType::Utf8 | DataType::LargeUtf8)
            };
            if !(0..schema.fields().len()).any(is_string) {
                continue;
            }
            let fields: Vec<Field> = (0..schema.fields().len())
                .map(|i| {
                    let field = schema.field(i).clone();
                    if is_string(i) {
                        let values = Box::new(field.data_type().clone());
                        let key = Box::new(DataType::Int32);
                        field.with_data_type(DataType::Dictionary(key, values))
                    } else {
                        field
                    }
                })
                .collect();
            let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
            let options = ArrowReaderOptions::new().with_schema(schema);
            let parquet = |source| DatasetError::Parquet { role, path: part.path.clone(), source };
            part.meta = ArrowReaderMetadata::try_new(part.meta.metadata().clone(), options)
                .map_err(parquet)?;
        }
        self.schema = self.schema_with_keys(&self.keys);
        Ok(())
    }

    /// Each part's index of the columns at `roots` (indices into
    /// [`Self::schema`] below the hive keys), matched by name; a part
    /// without one of them, or with another type, is an error naming both.
    pub(super) fn part_indices(
        &self,
        part: &Part,
        roots: &[usize],
    ) -> Result<Vec<usize>, DatasetError> {
        let schema = part.meta.schema();
        let first = &self.parts[0];
        roots
            .iter()
            .filter(|&&r| r < self.file_columns)
            .map(|&root| {
                let wanted = self.schema.field(root);
                let found = schema.index_of(wanted.name()).ok();
                let found_type = found.map(|i| schema.field(i).data_type());
                match found {
                    Some(i) if found_type == Some(wanted.data_type()) => Ok(i),
                    _ => Err(PartsError::Schema {
                        role: self.role,
                        folder: self.path.clone(),
                        part: part.relative.clone(),
                        first: first.relative.clone(),
                        column: wanted.name().clone(),
                        expected: wanted.data_type().to_string(),
                        found: found_type.map(DataType::to_string),
                    }
                    .into()),
                }
            })
            .collect()
    }

    /// A projection of the top-level columns at `roots` (indices into
    /// [`Self::schema`]); every part must hold them in the same type.
    pub fn projection(
        &self,
        roots: impl IntoIterator<Item = usize>,
    ) -> Result<Projection, DatasetError> {
        let roots: Vec<usize> = roots.into_iter().collect();
        let parts = self
            .parts
            .iter()
            .map(|part| {
                let indices = self.part_indices(part, &roots)?;
                let mask = ProjectionMask::roots(part.meta.parquet_schema(), indices);
                let keys = roots
                    .iter()
                    .filter(|&&r| r >= self.file_columns)
                    .map(|&r| (self.schema.fields()[r].clone(), self.key_index(r)))
                    .collect();
                Ok(PartProjection { mask, keys })
            })
            .collect::<Result<_, DatasetError>>()?;
        Ok(Projection { parts })
    }

    /// Folds every record batch of the projected columns into per-worker
    /// accumulators, `workers` row groups at a time.
    ///
    /// `step` gets the batch and the dataset row number of its first row.
    /// The returned accumulators are in no particular order; merge them. On
    /// error the other workers stop at their next batch, and the error of
    /// the earliest row group is returned, so the message does not depend
    /// on timing.
    pub fn fold<A, I, S>(
        &self,
        projection: &Projection,
        workers: usize,
        init: I,
        step: S,
    ) -> Result<Vec<A>, DatasetError>
    where
        A: Send,
        I: Fn() -> A + Sync,
        S: Fn(&mut A, &RecordBatch, u64) -> Result<(), DatasetError> + Sync,
    {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = || -> (A, Option<(usize, DatasetError)>) {
            let mut acc = init();
            loop {
                let group = next.fetch_add(1, Ordering::Relaxed);
                if group >= self.groups.len() || stop.load(Ordering::Relaxed) {
                    return (acc, None);
                }
                let g = self.groups[group];
                let folded = guarded(|| self.fold_group(projection, g, &mut acc, &step, &stop));
                let mask = &projection.parts[g.part].mask;
                let folded = folded.unwrap_or_else(|panic| Err(self.damaged(mask, g, panic)));
                if let Err(e) = folded {
                    stop.store(true, Ordering::Relaxed);
                    return (acc, Some((group, e)));
                }
            }
        };
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers.max(1)).map(|_| s.spawn(work)).collect();
            handles.into_iter().map(|h| h.join().expect("a reader thread panicked")).collect()
        });
        let mut accs = Vec::with_capacity(results.len());
        let mut first: Option<(usize, DatasetError)> = None;
        for (acc, err) in results {
            accs.push(acc);
            if let Some((group, e)) = err
                && first.as_ref().is_none_or(|(g, _)| group < *g)
            {
                first = Some((group, e));
            }
        }
        match first {
            Some((_, e)) => Err(e),
            None => Ok(accs),
        }
    }

    fn fold_group<A>(
        &self,
        projection: &Projection,
        g: Group,
        acc: &mut A,
        step: &(impl Fn(&mut A, &RecordBatch, u64) -> Result<(), DatasetError> + Sync),
        stop: &AtomicBool,
    ) -> Result<(), DatasetError> {
        let damaged = |source| self.damaged(&projection.parts[g.part].mask, g, source);
        let wanted = &projection.parts[g.part];
        let mut row = g.first_row;
        let claimed = self.group_rows(g);
        for batch in self.batches(&wanted.mask, g).map_err(damaged)? {
            let batch = batch.map_err(|e| damaged(ParquetError::ArrowError(e.to_string())))?;
            let batch = self.with_keys(batch, g.part, &wanted.keys)?;
            step(acc, &batch, row)?;
            row += batch.num_rows() as u64;
            super::progress::counted(batch.num_rows() as u64);
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
        let held = row - g.first_row;
        if held != claimed {
            let why = format!("the footer says {claimed} rows, the pages hold {held}");
            return Err(damaged(ParquetError::General(why)));
        }
        Ok(())
    }

    /// Rows in one row group.
    pub(super) fn group_rows(&self, g: Group) -> u64 {
        part_rows_in(&self.parts[g.part], g.group)
    }

    /// A reader of one row group's projected columns.
    fn batches(
        &self,
        mask: &ProjectionMask,
        g: Group,
    ) -> Result<ParquetRecordBatchReader, ParquetError> {
        let part = &self.parts[g.part];
        super::fetch::group_reader(&part.file, &part.meta, mask, g.group, None)
    }

    /// The error for a row group whose pages could not be read (a page CRC
    /// that does not match, data that does not decode), naming its file
    /// and the column that fails when read alone.
    pub(super) fn damaged(
        &self,
        mask: &ProjectionMask,
        g: Group,
        source: ParquetError,
    ) -> DatasetError {
        let part = &self.parts[g.part];
        let schema = part.meta.parquet_schema();
        let column = (0..schema.num_columns()).filter(|&i| mask.leaf_included(i)).find_map(|i| {
            let alone = ProjectionMask::leaves(schema, [i]);
            let fails =
                guarded(|| self.batches(&alone, g).map_or(true, |mut r| r.any(|b| b.is_err())));
            let fails = fails.unwrap_or(true);
            fails.then(|| schema.column(i).path().string())
        });
        let (role, path) = (self.role, part.path.clone());
        DatasetError::Damaged { role, path, row_group: g.group, column, source }
    }
}

/// The most rows a file may claim: as in a counts file, sums past 2^60
/// are no honest data's.
const MAX_ROWS: i64 = 1 << 60;

/// Checks a footer's row counts before anything is read: each row
/// group's is not negative, and they add up to the file's, at most 2^60.
fn check_row_counts(part: &Part) -> Result<(), String> {
    let metadata = part.meta.metadata();
    let mut sum: i64 = 0;
    for (group, meta) in metadata.row_groups().iter().enumerate() {
        let rows = meta.num_rows();
        if rows < 0 {
            return Err(format!("row group {group} claims {rows} rows"));
        }
        sum = sum.saturating_add(rows);
    }
    let claimed = metadata.file_metadata().num_rows();
    if sum != claimed {
        return Err(format!("its row groups hold {sum} rows, the file claims {claimed}"));
    }
    if claimed > MAX_ROWS {
        return Err(format!("it claims {claimed} rows, more than 2^60"));
    }
    Ok(())
}

fn part_rows_in(part: &Part, group: usize) -> u64 {
    u64::try_from(part.meta.metadata().row_group(group).num_rows()).unwrap_or(0)
}

fn part_rows(part: &Part) -> u64 {
    u64::try_from(part.meta.metadata().file_metadata().num_rows()).unwrap_or(0)
}
