//! Streaming the parquet file: projection, one row group at a time, in parallel.
//!
//! The file is opened once and shared by every reader through positional reads
//! ([`SharedFile`]), so the bytes that are hashed are the bytes that are
//! evaluated, and concurrent readers share no file offset (`File`'s own
//! `ChunkReader` clones the descriptor and seeks, which races across threads).
//! Workers take row groups from a shared counter, so a worker slowed by the
//! hashing thread simply takes fewer; each holds one record batch of the
//! projected columns at a time, which bounds memory whatever the file's size.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrow_array::RecordBatch;
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::DatasetError;
use super::error::Role;

/// Rows per record batch: 32Ki rows of a float and a boolean is about
/// 260 KiB, so a batch's scores are still in the core's L2 cache when the
/// sweep reads them a second time. At 64Ki rows the sweep's pass varied from
/// 1.16x to 1.45x the pass without it, run to run (`bench/metrics.rs`, 100M
/// rows), and the pass without it was no faster.
const BATCH_ROWS: usize = 32 * 1024;

/// An open parquet validation set whose footer has been read.
#[derive(Debug)]
pub struct Dataset {
    role: Role,
    path: PathBuf,
    file: SharedFile,
    meta: ArrowReaderMetadata,
}

impl Dataset {
    /// Opens `path` for reading. Fails on a missing or unreadable file and on a
    /// file of zero bytes; the footer is not read yet (see [`Dataset::parse`]).
    pub fn open_file(role: Role, path: &Path) -> Result<(File, u64), DatasetError> {
        let read_err = |source| DatasetError::Read { role, path: path.to_path_buf(), source };
        // Checked before opening: opening a FIFO would block.
        crate::files::require_regular(path).map_err(read_err)?;
        let file = File::open(path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        if !meta.is_file() {
            return Err(read_err(crate::files::not_regular(meta.file_type())));
        }
        if meta.len() == 0 {
            return Err(DatasetError::EmptyFile { role, path: path.to_path_buf() });
        }
        Ok((file, meta.len()))
    }

    /// Reads the parquet footer of an opened file.
    pub fn parse(
        role: Role,
        path: &Path,
        file: Arc<File>,
        size: u64,
    ) -> Result<Dataset, DatasetError> {
        let file = SharedFile { file, size };
        let meta = guarded(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
            .and_then(|loaded| loaded)
            .map_err(|source| DatasetError::Parquet { role, path: path.to_path_buf(), source })?;
        Ok(Dataset { role, path: path.to_path_buf(), file, meta })
    }

    /// Which of the run's files this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The file's path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The arrow schema of the file.
    pub fn schema(&self) -> &arrow_schema::SchemaRef {
        self.meta.schema()
    }

    /// Rows in the file, from the footer.
    pub fn rows(&self) -> u64 {
        let rows = self.meta.metadata().file_metadata().num_rows();
        u64::try_from(rows).unwrap_or(0)
    }

    /// Row groups in the file.
    pub fn row_groups(&self) -> usize {
        self.meta.metadata().num_row_groups()
    }

    /// Reads the string columns among `roots` as dictionaries of strings,
    /// keeping the file's dictionary encoding where its pages have one: a
    /// column of few distinct values then costs a key per row, not a string.
    pub fn read_strings_as_dictionaries(&mut self, roots: &[usize]) -> Result<(), DatasetError> {
        use arrow_schema::{DataType, Field, Schema};
        let schema = self.meta.schema();
        let is_string = |i: usize| {
            roots.contains(&i)
                && matches!(schema.field(i).data_type(), DataType::Utf8 | DataType::LargeUtf8)
        };
        if !(0..schema.fields().len()).any(is_string) {
            return Ok(());
        }
        let fields: Vec<Field> = (0..schema.fields().len())
            .map(|i| {
                let field = schema.field(i).clone();
                match is_string(i) {
                    true => {
                        let values = Box::new(field.data_type().clone());
                        field
                            .with_data_type(DataType::Dictionary(Box::new(DataType::Int32), values))
                    }
                    false => field,
                }
            })
            .collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        let options = ArrowReaderOptions::new().with_schema(schema);
        self.meta = ArrowReaderMetadata::try_new(self.meta.metadata().clone(), options).map_err(
            |source| DatasetError::Parquet { role: self.role, path: self.path.clone(), source },
        )?;
        Ok(())
    }

    /// The columns at `roots` (indices into [`Self::schema`], ascending) of
    /// the rows at `rows` (file row numbers, ascending, each once), in file
    /// order, with the file's own types. Only the row groups that hold them
    /// are read, `workers` at a time, and only those rows kept in the result.
    pub fn read_rows(
        &self,
        rows: &[u64],
        roots: &[usize],
        workers: usize,
    ) -> Result<RecordBatch, DatasetError> {
        use parquet::arrow::arrow_reader::{RowSelection, RowSelector};
        use parquet::file::metadata::PageIndexPolicy;
        let parquet =
            |source| DatasetError::Parquet { role: self.role, path: self.path.clone(), source };
        let arrow = |e: arrow_schema::ArrowError| ParquetError::ArrowError(e.to_string());
        // With the file's page index (offset index) loaded, the reader skips
        // every page that holds no chosen row, undecompressed; without one,
        // it decompresses every page of the row groups read.
        let has_index = self
            .meta
            .metadata()
            .row_groups()
            .iter()
            .any(|g| g.columns().iter().any(|c| c.offset_index_offset().is_some()));
        let meta = match has_index {
            true => ArrowReaderMetadata::load(
                &self.file,
                ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Optional),
            ),
            false => ArrowReaderMetadata::try_new(
                self.meta.metadata().clone(),
                ArrowReaderOptions::new(),
            ),
        }
        .map_err(parquet)?;
        // Each row group that holds chosen rows, with the selection of them.
        let mut wanted: Vec<(usize, Vec<RowSelector>)> = Vec::new();
        let (mut start, mut next) = (0u64, 0usize);
        for (group, g) in meta.metadata().row_groups().iter().enumerate() {
            let end = start + u64::try_from(g.num_rows()).unwrap_or(0);
            let (mut selectors, mut at) = (Vec::new(), start);
            while let Some(&row) = rows.get(next).filter(|r| **r < end) {
                if row > at {
                    selectors.push(RowSelector::skip((row - at) as usize));
                }
                selectors.push(RowSelector::select(1));
                (at, next) = (row + 1, next + 1);
            }
            if !selectors.is_empty() {
                wanted.push((group, selectors));
            }
            start = end;
        }
        let all = ProjectionMask::roots(meta.parquet_schema(), roots.iter().copied());
        let schema = Arc::new(meta.schema().project(roots).map_err(|e| parquet(arrow(e)))?);
        let read_group = |(group, selectors): &(usize, Vec<RowSelector>)| {
            let read = guarded(|| -> Result<Vec<RecordBatch>, ParquetError> {
                let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                    self.file.clone(),
                    meta.clone(),
                )
                .with_row_groups(vec![*group])
                .with_projection(all.clone())
                .with_row_selection(RowSelection::from(selectors.clone()))
                .with_batch_size(BATCH_ROWS)
                .build()?;
                let schema = arrow_array::RecordBatchReader::schema(&reader);
                let read: Vec<RecordBatch> =
                    reader.map(|b| b.map_err(arrow)).collect::<Result<_, _>>()?;
                // Copied into buffers of the rows kept (concat of one batch
                // would only slice it): a batch of a few rows read from a row
                // group keeps buffers sized for a whole batch, and 100 row
                // groups' of them took the peak from 18 to 73 MiB.
                let read = arrow_select::concat::concat_batches(&schema, &read).map_err(arrow)?;
                let all = arrow_array::UInt32Array::from_iter_values(0..read.num_rows() as u32);
                Ok(vec![arrow_select::take::take_record_batch(&read, &all).map_err(arrow)?])
            });
            read.and_then(|r| r).map_err(|source| self.damaged(&all, *group, source))
        };
        let next_group = AtomicUsize::new(0);
        let mut parts: Vec<(usize, Result<Vec<RecordBatch>, DatasetError>)> =
            std::thread::scope(|s| {
                let work = || {
                    let mut done = Vec::new();
                    while let Some(w) = wanted.get(next_group.fetch_add(1, Ordering::Relaxed)) {
                        done.push((w.0, read_group(w)));
                    }
                    done
                };
                let handles: Vec<_> = (0..workers.max(1)).map(|_| s.spawn(work)).collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("a reader thread panicked"))
                    .collect()
            });
        parts.sort_by_key(|(group, _)| *group);
        let mut batches = Vec::new();
        for (_, part) in parts {
            batches.extend(part?);
        }
        arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| parquet(arrow(e)))
    }

    /// A projection of the top-level columns at `roots` (indices into [`Self::schema`]).
    pub fn projection(&self, roots: impl IntoIterator<Item = usize>) -> ProjectionMask {
        ProjectionMask::roots(self.meta.parquet_schema(), roots)
    }

    /// Folds every record batch of the projected columns into per-worker
    /// accumulators, `workers` row groups at a time.
    ///
    /// `step` gets the batch and the file row number of its first row. The
    /// returned accumulators are in no particular order; merge them. On error
    /// the other workers stop at their next batch, and the error of the
    /// earliest row group is returned, so the message does not depend on timing.
    pub fn fold<A, I, S>(
        &self,
        mask: &ProjectionMask,
        workers: usize,
        init: I,
        step: S,
    ) -> Result<Vec<A>, DatasetError>
    where
        A: Send,
        I: Fn() -> A + Sync,
        S: Fn(&mut A, &RecordBatch, u64) -> Result<(), DatasetError> + Sync,
    {
        let groups = self.meta.metadata().row_groups();
        let mut starts = Vec::with_capacity(groups.len());
        let mut start = 0u64;
        for group in groups {
            starts.push(start);
            start += u64::try_from(group.num_rows()).unwrap_or(0);
        }
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = || -> (A, Option<(usize, DatasetError)>) {
            let mut acc = init();
            loop {
                let group = next.fetch_add(1, Ordering::Relaxed);
                if group >= groups.len() || stop.load(Ordering::Relaxed) {
                    return (acc, None);
                }
                let folded =
                    guarded(|| self.fold_group(mask, group, starts[group], &mut acc, &step, &stop));
                let folded = folded.unwrap_or_else(|panic| Err(self.damaged(mask, group, panic)));
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
        mask: &ProjectionMask,
        group: usize,
        mut row: u64,
        acc: &mut A,
        step: &(impl Fn(&mut A, &RecordBatch, u64) -> Result<(), DatasetError> + Sync),
        stop: &AtomicBool,
    ) -> Result<(), DatasetError> {
        let damaged = |source| self.damaged(mask, group, source);
        for batch in self.batches(mask, group).map_err(damaged)? {
            let batch = batch.map_err(|e| damaged(ParquetError::ArrowError(e.to_string())))?;
            step(acc, &batch, row)?;
            row += batch.num_rows() as u64;
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
        Ok(())
    }

    /// A reader of one row group's projected columns.
    fn batches(
        &self,
        mask: &ProjectionMask,
        group: usize,
    ) -> Result<ParquetRecordBatchReader, ParquetError> {
        ParquetRecordBatchReaderBuilder::new_with_metadata(self.file.clone(), self.meta.clone())
            .with_projection(mask.clone())
            .with_row_groups(vec![group])
            .with_batch_size(BATCH_ROWS)
            .build()
    }

    /// The error for a row group whose pages could not be read (a page CRC
    /// that does not match, data that does not decode), naming the column
    /// that fails when read alone.
    fn damaged(&self, mask: &ProjectionMask, group: usize, source: ParquetError) -> DatasetError {
        let schema = self.meta.parquet_schema();
        let column = (0..schema.num_columns()).filter(|&i| mask.leaf_included(i)).find_map(|i| {
            let alone = ProjectionMask::leaves(schema, [i]);
            let fails =
                guarded(|| self.batches(&alone, group).map_or(true, |mut r| r.any(|b| b.is_err())));
            let fails = fails.unwrap_or(true);
            fails.then(|| schema.column(i).path().string())
        });
        let (role, path) = (self.role, self.path.clone());
        DatasetError::Damaged { role, path, row_group: group, column, source }
    }
}

/// Runs `f`, turning a panic into an error. The parquet crate panics on
/// some malformed pages (its `get_vlq_int` asserts on an over-long integer,
/// found by the `evaluate` fuzz target): a hostile file must give exit 2
/// naming the row group, never a crash.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, ParquetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        ParquetError::General(format!("the parquet reader failed: {why}"))
    })
}

/// A file shared by several readers through positional reads.
#[derive(Debug, Clone)]
struct SharedFile {
    file: Arc<File>,
    size: u64,
}

impl Length for SharedFile {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for SharedFile {
    // Buffered: the page reader parses thrift page headers with small reads.
    type T = io::BufReader<ReadAt>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(io::BufReader::new(ReadAt { file: self.file.clone(), offset: start }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let mut buf = vec![0u8; length];
        self.file.read_exact_at(&mut buf, start).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => ParquetError::EOF(format!(
                "expected {length} bytes at offset {start}, the file has {}",
                self.size
            )),
            _ => ParquetError::External(Box::new(e)),
        })?;
        Ok(buf.into())
    }
}

/// A reader at its own offset of a shared file.
#[derive(Debug)]
struct ReadAt {
    file: Arc<File>,
    offset: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}
