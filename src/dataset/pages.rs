//! What a file claims about its own size, checked before the claim is
//! trusted: each page header's sizes before its page is decompressed, and
//! the footer's schema shape before the schema is built.
//!
//! The parquet crate reserves a page's declared uncompressed size before it
//! decompresses it, inflates gzip pages to their end whatever they declare,
//! and builds the schema tree by recursion: a 60 KB file could make it hold
//! gigabytes, and a schema nested 20,000 deep overflows its stack. So every
//! page a read will decode is walked first (its header only, and for gzip
//! an inflate that stops one byte past the declared size), and a footer is
//! measured before it is parsed.

use std::io::{self, Read};
use std::ops::Range;

use parquet::basic::{Compression, Type as Physical};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::reader::ChunkReader;

use super::thrift::{Compact, kind};

/// The most bytes one page may declare uncompressed. Writers cut pages at
/// about 1 MiB (pyarrow, Spark, DuckDB, arrow-rs); only values of
/// megabytes each, written in batches, come near it.
const PAGE_BYTES: i64 = 128 << 20;

/// The most bytes a page header may take, statistics of long values
/// included.
const HEADER_BYTES: u64 = 64 << 20;

/// The deepest schema read (the root counts as one level).
const SCHEMA_DEPTH: usize = 64;

/// The most schema elements (columns and groups) read.
const SCHEMA_ELEMENTS: u64 = 100_000;

/// Page types, as parquet numbers them.
const DICTIONARY_PAGE: i64 = 2;
const DATA_PAGE_V2: i64 = 3;

/// A page header's claims.
#[derive(Debug, Default)]
struct Header {
    page_type: i64,
    uncompressed: i64,
    compressed: i64,
    /// Values in the page (a dictionary's entries for a dictionary page).
    values: i64,
    /// A v2 page's level bytes, stored uncompressed before the values.
    levels: i64,
    /// Whether a v2 page's values are compressed (always for v1 pages).
    compressed_values: bool,
}

fn header<R: Read>(r: &mut Compact<R>) -> io::Result<Header> {
    let mut h = Header { compressed_values: true, ..Header::default() };
    r.fields(|r, id, ty| {
        match (id, ty) {
            (1, kind::I32) => h.page_type = r.int()?,
            (2, kind::I32) => h.uncompressed = r.int()?,
            (3, kind::I32) => h.compressed = r.int()?,
            // A data page's, a dictionary page's or a v2 data page's header.
            (5 | 7 | 8, kind::STRUCT) => r.fields(|r, inner, ty| match (id, inner, ty) {
                (_, 1, kind::I32) => r.int().map(|n| h.values = n).map(|_| true),
                (8, 5 | 6, kind::I32) => {
                    r.int().map(|n| h.levels = h.levels.saturating_add(n)).map(|_| true)
                }
                (8, 7, kind::TRUE | kind::FALSE) => {
                    h.compressed_values = ty == kind::TRUE;
                    Ok(true)
                }
                _ => Ok(false),
            })?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(h)
}

/// The bytes one value of `chunk`'s column takes, when its type fixes it.
fn width(chunk: &ColumnChunkMetaData) -> Option<i64> {
    match chunk.column_descr().physical_type() {
        Physical::BOOLEAN => Some(1),
        Physical::INT32 | Physical::FLOAT => Some(4),
        Physical::INT64 | Physical::DOUBLE => Some(8),
        Physical::INT96 => Some(12),
        Physical::FIXED_LEN_BYTE_ARRAY => Some(i64::from(chunk.column_descr().type_length())),
        Physical::BYTE_ARRAY => None,
    }
}

/// Checks one page's claims against the limits and against what its
/// column's type and its row group's `rows` allow.
fn check(h: &Header, chunk: &ColumnChunkMetaData, rows: i64) -> Result<(), String> {
    if h.uncompressed < 0 || h.compressed < 0 || h.values < 0 || h.levels < 0 {
        return Err("declares a negative size or count".to_string());
    }
    if h.uncompressed > PAGE_BYTES {
        return Err(format!(
            "declares {} bytes uncompressed, more than the {} MiB a page may hold: write smaller pages (pyarrow: `data_page_size` and `write_batch_size`; Spark: `parquet.page.size`)",
            h.uncompressed,
            PAGE_BYTES >> 20
        ));
    }
    // A data page of a flat column has at most one value a row. (Not a
    // dictionary: pyarrow writes an arrow dictionary whole, unused entries
    // included, into each row group.)
    let data = h.page_type != DICTIONARY_PAGE;
    if data && chunk.column_descr().max_rep_level() == 0 && h.values > rows {
        return Err(format!("declares {} values in a row group of {rows} rows", h.values));
    }
    // Plain values, dictionary indices in runs of one, delta blocks and
    // two bytes a value of levels all fit in `width + 8` bytes a value.
    if let Some(width) = width(chunk) {
        let most = h.values.saturating_mul(width.saturating_add(8)).saturating_add(64 << 10);
        if h.uncompressed > most {
            return Err(format!(
                "declares {} bytes uncompressed for {} values of {width} bytes",
                h.uncompressed, h.values
            ));
        }
    }
    Ok(())
}

/// Checks a gzip page's values inflate to no more than their declared size
/// (the parquet crate inflates to the end, whatever the header says).
fn check_inflated(body: &[u8], h: &Header) -> Result<(), String> {
    let declared = (h.uncompressed - h.levels).max(0) as u64;
    let mut inflated = flate2::read::MultiGzDecoder::new(body).take(declared + 1);
    match io::copy(&mut inflated, &mut io::sink()) {
        Ok(n) if n > declared => {
            Err(format!("inflates past the {declared} bytes its header declares"))
        }
        // A stream that does not inflate is the page reader's to report.
        _ => Ok(()),
    }
}

/// Walks the page headers in `range` of column chunk `chunk` (of a row
/// group of `rows` rows), read from `reader`: each page's claims are
/// checked before the parquet crate decodes it.
pub(super) fn check_pages(
    reader: &impl ChunkReader,
    chunk: &ColumnChunkMetaData,
    rows: i64,
    range: Range<u64>,
) -> Result<(), String> {
    let gzip = matches!(chunk.compression(), Compression::GZIP(_));
    let mut at = range.start;
    while at < range.end {
        let input = reader.get_read(at).map_err(|e| format!("byte {at}: {e}"))?;
        let mut input = Compact::new(input, HEADER_BYTES.min(range.end - at));
        let h = header(&mut input)
            .map_err(|e| format!("the page header at byte {at} does not decode: {e}"))?;
        check(&h, chunk, rows).map_err(|why| format!("the page at byte {at} {why}"))?;
        let data = at + input.read;
        let end = data.saturating_add(h.compressed as u64);
        let compressed = h.page_type != DATA_PAGE_V2 || h.compressed_values;
        if gzip && compressed && end <= range.end {
            let body = reader.get_bytes(data, h.compressed as usize).map_err(|e| e.to_string())?;
            let levels = (h.levels as usize).min(body.len());
            check_inflated(&body[levels..], &h)
                .map_err(|why| format!("the page at byte {at} {why}"))?;
        }
        at = end;
    }
    Ok(())
}

/// Measures the schema in the footer of the file `reader` reads, before the
/// parquet crate builds it: at most [`SCHEMA_DEPTH`] levels and
/// [`SCHEMA_ELEMENTS`] elements. A footer this cannot read is left to the
/// parquet crate to report.
pub(super) fn check_schema(reader: &impl ChunkReader) -> Result<(), String> {
    let len = reader.len();
    let Some(tail) = len.checked_sub(8).and_then(|at| reader.get_bytes(at, 8).ok()) else {
        return Ok(());
    };
    let footer = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    let Some(start) = len.checked_sub(8 + footer).filter(|_| &tail[4..] == b"PAR1") else {
        return Ok(());
    };
    let Ok(input) = reader.get_read(start) else { return Ok(()) };
    let mut r = Compact::new(input, footer);
    let mut shape = Ok(());
    let read = r.fields(|r, id, ty| {
        if (id, ty) != (2, kind::LIST) {
            return Ok(false);
        }
        shape = schema_shape(r)?;
        // Nothing after the schema is needed: stop reading here.
        Err(io::ErrorKind::Interrupted.into())
    });
    match read {
        Err(e) if e.kind() == io::ErrorKind::Interrupted => shape,
        _ => Ok(()),
    }
}

/// Reads the footer's schema list, element by element, keeping only how
/// many children each open group still has.
fn schema_shape<R: Read>(r: &mut Compact<R>) -> io::Result<Result<(), String>> {
    let (_, elements) = r.list()?;
    if elements > SCHEMA_ELEMENTS {
        return Ok(Err(format!(
            "it has {elements} schema elements; at most {SCHEMA_ELEMENTS} are read"
        )));
    }
    let mut open: Vec<i64> = Vec::new();
    for _ in 0..elements {
        let mut children = 0;
        r.fields(|r, id, ty| match (id, ty) {
            (5, kind::I32) => r.int().map(|n| children = n).map(|_| true),
            _ => Ok(false),
        })?;
        while open.last() == Some(&0) {
            open.pop();
        }
        if let Some(left) = open.last_mut() {
            *left -= 1;
        }
        if children > 0 {
            open.push(children);
            if open.len() > SCHEMA_DEPTH {
                return Ok(Err(format!(
                    "its schema nests more than {SCHEMA_DEPTH} levels deep; at most {SCHEMA_DEPTH} are read"
                )));
            }
        }
    }
    Ok(Ok(()))
}
