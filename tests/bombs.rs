//! Files whose claims about their own size would exhaust memory or stack
//! (issue #31, items 11 and 12): a page declaring more than 128 MiB, a gzip
//! page that inflates past its declared size, a schema nested 20,000 deep.
//! Each is a small file built here; each is exit 2 naming the file and the
//! page or the schema, before the claim is acted on.

use std::path::Path;

use arrow_array::{BooleanArray, Float64Array};
use bytes::Bytes;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::properties::WriterProperties;

use crate::util::{Gate, col, write_batch_with};

/// Rows of zeros whose one page of scores is 140 MB uncompressed.
const ROWS: usize = 17_500_000;

/// Writes `rows` pairs, every score 0, each column one page compressed with
/// `compression`: a file of a few hundred KB.
fn zeros(path: &Path, rows: usize, compression: Compression) {
    let batch = arrow_array::RecordBatch::try_from_iter(vec![
        ("label", col(BooleanArray::from(vec![false; rows]))),
        ("score", col(Float64Array::from(vec![0.0; rows]))),
    ])
    .unwrap();
    let one_page = WriterProperties::builder()
        .set_compression(compression)
        .set_dictionary_enabled(false)
        .set_data_page_size_limit(usize::MAX)
        .set_write_batch_size(rows)
        .set_max_row_group_row_count(Some(rows))
        .build();
    write_batch_with(path, &batch, one_page);
    let size = std::fs::metadata(path).unwrap().len();
    assert!(size < 1 << 20, "a small file: {size} bytes");
}

/// `v` as thrift's unsigned varint: seven bits a byte, low bits first.
fn varint(mut v: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    while v >= 0x80 {
        bytes.push((v as u8) | 0x80);
        v >>= 7;
    }
    bytes.push(v as u8);
    bytes
}

/// Rewrites the score page's declared uncompressed size to `declared`,
/// which must take as many varint bytes as the size it replaces.
fn declare(path: &Path, declared: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    let meta = ParquetMetaDataReader::new().parse_and_finish(&Bytes::from(bytes.clone())).unwrap();
    let at = meta.row_group(0).column(1).data_page_offset() as usize;
    // Field 1 (type, i32) = 0, then field 2 (uncompressed size, i32).
    assert_eq!(bytes[at..at + 3], [0x15, 0x00, 0x15]);
    let varint = varint(u64::from(declared) << 1);
    let old = bytes[at + 3..].iter().position(|b| b & 0x80 == 0).unwrap() + 1;
    assert_eq!(old, varint.len(), "the same varint length");
    bytes[at + 3..at + 3 + old].copy_from_slice(&varint);
    std::fs::write(path, bytes).unwrap();
}

fn gate() -> Gate {
    Gate::new().any_metric().input("validation_set", "v.parquet")
}

/// Runs `gate` and checks the score page is refused, saying `why`.
fn refused_at_the_score_page(gate: Gate, why: &str) {
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "validation set `v.parquet` is damaged in row group 0, column `score`",
    );
    assert!(ran.stderr.contains(why), "{why}: {ran:#?}");
}

#[test]
fn a_page_declaring_more_than_128_mib_is_refused_before_it_is_decompressed() {
    let gate = gate();
    zeros(&gate.path("v.parquet"), ROWS, Compression::ZSTD(ZstdLevel::default()));
    refused_at_the_score_page(
        gate,
        "declares 140000000 bytes uncompressed, more than the 128 MiB a page may hold",
    );
}

#[test]
fn a_gzip_page_that_inflates_past_its_declared_size_is_refused() {
    let gate = gate();
    // 100 MB of scores, declared as 3 MB (both sizes are 4-byte varints).
    zeros(&gate.path("v.parquet"), 12_500_000, Compression::GZIP(GzipLevel::default()));
    declare(&gate.path("v.parquet"), 3_000_000);
    refused_at_the_score_page(gate, "inflates past the 3000000 bytes its header declares");
}

#[test]
fn a_page_declaring_more_bytes_than_its_values_can_take_is_refused() {
    let gate = gate();
    // 140,000 doubles (1.12 MB) declared as 8 MB: more than 16 bytes a value.
    zeros(&gate.path("v.parquet"), 140_000, Compression::ZSTD(ZstdLevel::default()));
    declare(&gate.path("v.parquet"), 8_000_000);
    let why = "declares 8000000 bytes uncompressed for 140000 values of 8 bytes";
    refused_at_the_score_page(gate, why);
}

/// The smallest thrift compact encoding of a footer whose schema is a root,
/// `depth` nested groups and one INT32 leaf, with no row groups.
fn nested_footer(depth: usize) -> Vec<u8> {
    let element = |name: &[u8], children: Option<u8>| {
        // A group: field 3 (repetition, OPTIONAL), field 4 (name), field 5
        // (children). A leaf: field 1 (type, INT32), field 3, field 4.
        let mut e = match children {
            Some(_) => vec![0x35, 0x02],
            None => vec![0x15, 0x02, 0x25, 0x02],
        };
        e.extend([0x18, name.len() as u8]);
        e.extend(name);
        if let Some(n) = children {
            e.extend([0x15, n << 1]);
        }
        e.push(0);
        e
    };
    // Field 1 (version) = 1; field 2 (schema), a list of structs.
    let mut meta = vec![0x15, 0x02, 0x19, 0xfc];
    meta.extend(varint(depth as u64 + 2));
    meta.extend(element(b"schema", Some(1)));
    for _ in 0..depth {
        meta.extend(element(b"g", Some(1)));
    }
    meta.extend(element(b"score", None));
    // Field 3 (num_rows) = 0; field 4 (row_groups), an empty list; stop.
    meta.extend([0x16, 0x00, 0x19, 0x0c, 0x00]);
    let mut file = b"PAR1".to_vec();
    file.extend(&meta);
    file.extend((meta.len() as u32).to_le_bytes());
    file.extend(b"PAR1");
    file
}

#[test]
fn a_schema_nested_20000_deep_is_refused_before_it_is_built() {
    let gate = gate();
    std::fs::write(gate.path("v.parquet"), nested_footer(20_000)).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "validation set `v.parquet` has a schema past what the gate reads: its schema nests more than 64 levels deep",
    );
    // Shallower than the bound, the same footer is the parquet crate's to
    // read: it gets as far as the columns.
    let gate = self::gate();
    std::fs::write(gate.path("v.parquet"), nested_footer(10)).unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(!ran.stderr.contains("has a schema past"), "{ran:#?}");
    assert!(ran.stderr.contains("label"), "it reached the columns: {ran:#?}");
}

#[cfg(feature = "external-tests")]
#[test]
fn a_zstd_bomb_stays_far_below_its_declared_size_in_memory() {
    let gate = gate();
    zeros(&gate.path("v.parquet"), ROWS, Compression::ZSTD(ZstdLevel::default()));
    let (ran, peak) = gate.run_measured();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(peak < 64 << 20, "peak {} MiB", peak >> 20);
}
