//! Reading chosen rows back: only the row groups (and, with a page index,
//! the pages) that hold them; from an object, fetched a row group at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, RowSelection, RowSelector,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::PageIndexPolicy;

use super::error::DatasetError;
use super::fetch::group_reader;
use super::file::guarded;
use super::reader::Dataset;
use super::reader::Group;

/// One row group to read back, with the selection of its chosen rows.
struct Wanted {
    group: Group,
    selectors: Vec<RowSelector>,
}

impl Dataset {
    /// The columns at `roots` (indices into [`Self::schema`], ascending) of
    /// the rows at `rows` (dataset row numbers, ascending, each once), in
    /// order, with the files' own types. Only the row groups that hold them
    /// are read, `workers` at a time, and only those rows kept in the result.
    pub fn read_rows(
        &self,
        rows: &[u64],
        roots: &[usize],
        workers: usize,
    ) -> Result<RecordBatch, DatasetError> {
        let wanted = self.wanted(rows);
        // Per part read: its metadata in the file's own types (not the
        // dictionaries counting asked for), its projection, and where each
        // root's column lands among the columns read (in the part's order).
        let mut parts: Vec<Option<PartRead>> = (0..self.parts.len()).map(|_| None).collect();
        for part in std::iter::once(0).chain(wanted.iter().map(|w| w.group.part)) {
            if parts[part].is_none() {
                parts[part] = Some(self.part_read(part, roots)?);
            }
        }
        let schema = self.read_schema(parts[0].as_ref().expect("read above"), roots);
        let batches = in_parallel(&wanted, workers, |w| {
            let part = parts[w.group.part].as_ref().expect("read above");
            self.read_group(w, part, roots, &schema)
        })?;
        arrow_select::concat::concat_batches(&schema, &batches)
            .map_err(|e| DatasetError::arrow(self.role, &self.path, e))
    }

    /// Each row group that holds some of `rows`, with the selection of them.
    fn wanted(&self, rows: &[u64]) -> Vec<Wanted> {
        let mut wanted: Vec<Wanted> = Vec::new();
        let mut next = 0usize;
        for g in &self.groups {
            let end = g.first_row + self.group_rows(*g);
            let (mut selectors, mut at) = (Vec::new(), g.first_row);
            while let Some(&row) = rows.get(next).filter(|r| **r < end) {
                if row > at {
                    selectors.push(RowSelector::skip((row - at) as usize));
                }
                selectors.push(RowSelector::select(1));
                (at, next) = (row + 1, next + 1);
            }
            if !selectors.is_empty() {
                wanted.push(Wanted { group: *g, selectors });
            }
        }
        wanted
    }

    /// The schema of the rows read back: the first part's own types, each
    /// nullable where parts may differ, and the hive keys' fields.
    fn read_schema(&self, first: &PartRead, roots: &[usize]) -> Arc<Schema> {
        let one = self.parts.len() == 1;
        let fields: Vec<Arc<Field>> = roots
            .iter()
            .map(|&r| {
                if r < self.file_columns {
                    let name = self.schema().field(r).name();
                    let field = first.meta.schema().field_with_name(name).expect("matched by name");
                    // Parts may differ in nullability.
                    Arc::new(field.clone().with_nullable(!one || field.is_nullable()))
                } else {
                    self.schema().fields()[r].clone()
                }
            })
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The chosen rows of one row group, in `schema`.
    fn read_group(
        &self,
        w: &Wanted,
        part_read: &PartRead,
        roots: &[usize],
        schema: &Arc<Schema>,
    ) -> Result<RecordBatch, DatasetError> {
        let arrow = |e: arrow_schema::ArrowError| ParquetError::ArrowError(e.to_string());
        let PartRead { meta, mask, at } = part_read;
        let part = &self.parts[w.group.part];
        let read = guarded(|| -> Result<RecordBatch, ParquetError> {
            let selection = RowSelection::from(w.selectors.clone());
            let reader = group_reader(&part.file, meta, mask, w.group.group, Some(selection))?;
            let read_schema = arrow_array::RecordBatchReader::schema(&reader);
            let read: Vec<RecordBatch> =
                reader.map(|b| b.map_err(arrow)).collect::<Result<_, _>>()?;
            // Copied into buffers of the rows kept (concat of one batch
            // would only slice it): a batch of a few rows read from a row
            // group keeps buffers sized for a whole batch, and 100 row
            // groups' of them took the peak from 18 to 73 MiB.
            let read = arrow_select::concat::concat_batches(&read_schema, &read).map_err(arrow)?;
            let all = arrow_array::UInt32Array::from_iter_values(0..read.num_rows() as u32);
            let read = arrow_select::take::take_record_batch(&read, &all).map_err(arrow)?;
            let mut files = at.iter();
            let columns: Vec<ArrayRef> = roots
                .iter()
                .map(|&r| {
                    if r < self.file_columns {
                        read.column(*files.next().expect("one per file root")).clone()
                    } else {
                        self.key_column(w.group.part, self.key_index(r), read.num_rows())
                    }
                })
                .collect();
            let rows = RecordBatchOptions::new().with_row_count(Some(read.num_rows()));
            RecordBatch::try_new_with_options(schema.clone(), columns, &rows).map_err(arrow)
        });
        read.and_then(|r| r).map_err(|source| self.damaged(mask, w.group, source))
    }

    /// How to read rows back from a part: its metadata with its page index
    /// (offset index) loaded when it has one, so the reader skips every page
    /// that holds no chosen row, undecompressed; without one, it
    /// decompresses every page of the row groups read.
    fn part_read(&self, index: usize, roots: &[usize]) -> Result<PartRead, DatasetError> {
        let part = &self.parts[index];
        let has_index = part
            .meta
            .metadata()
            .row_groups()
            .iter()
            .any(|g| g.columns().iter().any(|c| c.offset_index_offset().is_some()));
        let meta = if has_index {
            ArrowReaderMetadata::load(
                &part.file,
                ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Optional),
            )
        } else {
            ArrowReaderMetadata::try_new(part.meta.metadata().clone(), ArrowReaderOptions::new())
        }
        .map_err(|source| DatasetError::Parquet {
            role: self.role,
            path: part.path.clone(),
            source,
        })?;
        let indices = self.part_indices(part, roots)?;
        let mut sorted = indices.clone();
        sorted.sort_unstable();
        let at = indices.iter().map(|i| sorted.binary_search(i).expect("among them")).collect();
        let mask = ProjectionMask::roots(meta.parquet_schema(), indices);
        Ok(PartRead { meta, mask, at })
    }
}

/// `read` of every row group wanted, `workers` at a time, in order; the
/// first failure in order wins.
fn in_parallel(
    wanted: &[Wanted],
    workers: usize,
    read: impl Fn(&Wanted) -> Result<RecordBatch, DatasetError> + Sync,
) -> Result<Vec<RecordBatch>, DatasetError> {
    let next_group = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<RecordBatch, DatasetError>)> = std::thread::scope(|s| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next_group.fetch_add(1, Ordering::Relaxed);
                let Some(w) = wanted.get(i) else { return done };
                done.push((i, read(w)));
            }
        };
        let handles: Vec<_> = (0..workers.max(1)).map(|_| s.spawn(work)).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a reader thread panicked")).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, b)| b).collect()
}

/// How one part's rows are read back.
struct PartRead {
    meta: ArrowReaderMetadata,
    mask: ProjectionMask,
    /// Per file root asked for, its position among the columns read.
    at: Vec<usize>,
}
