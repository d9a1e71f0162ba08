//! A reader of one row group over the bytes its read needs: a local part
//! as it is; an object's projected column chunks fetched in one round of
//! concurrent range requests rather than a request per page. With a page
//! index and a selection of rows (reading chosen rows back), only the
//! dictionaries and the pages that hold selected rows are fetched.

use std::ops::Range;

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

use super::file::Storage;
use super::remote::Prefetched;

/// Rows per record batch: 32Ki rows of a float and a boolean is about
/// 260 KiB, so a batch's scores are still in the core's L2 cache when the
/// sweep reads them a second time. At 64Ki rows the sweep's pass varied from
/// 1.16x to 1.45x the pass without it, run to run (`bench/metrics.rs`, 100M
/// rows), and the pass without it was no faster.
const BATCH_ROWS: usize = 32 * 1024;

/// The decoded bytes a batch aims at, at most: a batch of wide rows (long
/// strings) has fewer rows, so 400 values of 2 MiB are decoded a few at a
/// time, never all 800 MiB at once.
const BATCH_BYTES: u64 = 16 << 20;

/// Rows per batch for `mask` of row group `group`: [`BATCH_ROWS`], fewer
/// when the footer's uncompressed sizes say its rows are wide.
fn batch_rows(meta: &ParquetMetaData, mask: &ProjectionMask, group: usize) -> usize {
    let chunks = meta.row_group(group);
    let bytes: u64 = (0..chunks.num_columns())
        .filter(|&i| mask.leaf_included(i))
        .map(|i| u64::try_from(chunks.column(i).uncompressed_size()).unwrap_or(0))
        .sum();
    let rows = u64::try_from(chunks.num_rows()).unwrap_or(0).max(1);
    let per_row = bytes.div_ceil(rows).max(1);
    usize::try_from(BATCH_BYTES / per_row).unwrap_or(BATCH_ROWS).clamp(1, BATCH_ROWS)
}

/// A reader of row group `group` of the part in `file` (described by
/// `meta`): the columns of `mask`, the rows of `selection` (all without).
pub(super) fn group_reader(
    file: &Storage,
    meta: &ArrowReaderMetadata,
    mask: &ProjectionMask,
    group: usize,
    selection: Option<RowSelection>,
) -> Result<ParquetRecordBatchReader, ParquetError> {
    fn build<T: ChunkReader + 'static>(
        reader: T,
        meta: &ArrowReaderMetadata,
        mask: &ProjectionMask,
        group: usize,
        selection: Option<RowSelection>,
    ) -> Result<ParquetRecordBatchReader, ParquetError> {
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(reader, meta.clone())
            .with_projection(mask.clone())
            .with_row_groups(vec![group])
            .with_batch_size(batch_rows(meta.metadata(), mask, group));
        match selection {
            Some(selection) => builder.with_row_selection(selection).build(),
            None => builder.build(),
        }
    }
    let ranges = needed(meta.metadata(), mask, group, selection.as_ref());
    match file {
        Storage::Local(file) => {
            check_pages(file, meta.metadata(), group, &ranges)?;
            build(file.clone(), meta, mask, group, selection)
        }
        Storage::Remote(object) => {
            let all = ranges.iter().map(|(_, range)| range.clone()).collect();
            let fetched =
                Prefetched::fetch(object, all).map_err(|e| ParquetError::External(Box::new(e)))?;
            check_pages(&fetched, meta.metadata(), group, &ranges)?;
            build(fetched, meta, mask, group, selection)
        }
    }
}

/// Checks the page headers in `ranges` of row group `group` before any
/// page of them is decoded.
fn check_pages(
    reader: &impl ChunkReader,
    meta: &ParquetMetaData,
    group: usize,
    ranges: &[(usize, Range<u64>)],
) -> Result<(), ParquetError> {
    let chunks = meta.row_group(group);
    for (column, range) in ranges {
        let chunk = chunks.column(*column);
        super::pages::check_pages(reader, chunk, chunks.num_rows(), range.clone())
            .map_err(ParquetError::General)?;
    }
    Ok(())
}

/// The byte ranges of row group `group` that reading `mask` needs, with
/// their column: each column chunk whole or, with a page index and a
/// selection, its dictionary and the pages that hold selected rows.
fn needed(
    meta: &ParquetMetaData,
    mask: &ProjectionMask,
    group: usize,
    selection: Option<&RowSelection>,
) -> Vec<(usize, Range<u64>)> {
    let chunks = meta.row_group(group);
    let index = meta.page_index_for_row_group(group);
    let mut ranges = Vec::new();
    for i in (0..chunks.num_columns()).filter(|&i| mask.leaf_included(i)) {
        let (start, len) = chunks.column(i).byte_range();
        match (selection, index.page_locations(i).filter(|p| !p.is_empty())) {
            (Some(selection), Some(pages)) => {
                let first = u64::try_from(pages[0].offset).unwrap_or(start);
                if first > start {
                    ranges.push((i, start..first));
                }
                ranges.extend(selection.scan_ranges(pages).into_iter().map(|r| (i, r)));
            }
            _ => ranges.push((i, start..start + len)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, RecordBatch};
    use bytes::Bytes;
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::{ArrowReaderOptions, RowSelector};
    use parquet::file::metadata::PageIndexPolicy;
    use parquet::file::properties::WriterProperties;

    use super::*;

    /// 1,000 rows of two plain columns in pages of 100, with a page index.
    fn paged() -> ArrowReaderMetadata {
        let ids = Arc::new(Int64Array::from_iter_values(0..1000));
        let batch = RecordBatch::try_from_iter([("a", ids.clone() as _), ("b", ids as _)]).unwrap();
        let pages = WriterProperties::builder()
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(100)
            .set_dictionary_enabled(false)
            .build();
        let mut bytes = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(pages)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let options = ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Required);
        ArrowReaderMetadata::load(&Bytes::from(bytes), options).unwrap()
    }

    #[test]
    fn a_selection_needs_only_the_pages_that_hold_its_rows() {
        let meta = paged();
        let pages = meta.metadata().page_index_for_row_group(0);
        let b = pages.page_locations(1).unwrap();
        assert_eq!(b.len(), 10);
        let range =
            |p: usize| b[p].offset as u64..(b[p].offset + b[p].compressed_page_size as i64) as u64;
        let mask = ProjectionMask::leaves(meta.parquet_schema(), [1]);
        // Rows 250 and 730: pages 2 and 7 of column `b`, nothing of `a`.
        let selection = RowSelection::from(vec![
            RowSelector::skip(250),
            RowSelector::select(1),
            RowSelector::skip(479),
            RowSelector::select(1),
        ]);
        let needed = needed(meta.metadata(), &mask, 0, Some(&selection));
        assert_eq!(needed, vec![(1, range(2)), (1, range(7))]);
        // Without a selection, the whole column chunk.
        let (start, len) = meta.metadata().row_group(0).column(1).byte_range();
        assert_eq!(super::needed(meta.metadata(), &mask, 0, None), vec![(1, start..start + len)]);
    }
}
