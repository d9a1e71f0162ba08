//! Footers that lie (issue #31, items 9 and 10): row counts that are
//! negative, do not add up, claim past 2^60 or more than the pages hold
//! are exit 2 naming the file, never a panic or a huge allocation.

use arrow_array::{BooleanArray, Float64Array, Int64Array};
use bytes::Bytes;
use parquet::file::metadata::{
    FileMetaData, ParquetMetaData, ParquetMetaDataReader, ParquetMetaDataWriter,
};

use crate::util::{Gate, col, write_parquet};

/// Six pairs in one row group, every minimum 0.
fn six(gate: &Gate, name: &str) {
    write_parquet(
        &gate.path(name),
        vec![
            ("pair_id", col(Int64Array::from(vec![1, 2, 3, 4, 5, 6]))),
            ("label", col(BooleanArray::from(vec![true, true, false, false, true, false]))),
            ("score", col(Float64Array::from(vec![0.9, 0.2, 0.8, 0.1, 0.7, 0.3]))),
        ],
    );
}

/// Rewrites a file's footer with these row counts for its row groups (the
/// metadata writer sets the file's to their sum).
fn forge(path: &std::path::Path, groups: &[i64]) {
    let bytes = Bytes::from(std::fs::read(path).unwrap());
    let meta = ParquetMetaDataReader::new().parse_and_finish(&bytes).unwrap();
    let footer = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap());
    let start = bytes.len() - 8 - footer as usize;
    let row_groups = meta
        .row_groups()
        .iter()
        .zip(groups)
        .map(|(g, &n)| g.clone().into_builder().set_num_rows(n).build().unwrap())
        .collect();
    let f = meta.file_metadata();
    let file_meta = FileMetaData::new(
        f.version(),
        groups.iter().sum(),
        f.created_by().map(str::to_string),
        f.key_value_metadata().cloned(),
        f.schema_descr_ptr(),
        f.column_orders().cloned(),
    );
    let forged = ParquetMetaData::new(file_meta, row_groups);
    let mut out = bytes[..start].to_vec();
    ParquetMetaDataWriter::new(&mut out, &forged).finish().unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
fn row_counts_that_do_not_hold_are_refused_before_reading() {
    for (groups, why) in [
        (i64::MAX, "it claims 9223372036854775807 rows, more than 2^60"),
        (-6, "row group 0 claims -6 rows"),
    ] {
        let gate = Gate::new().any_metric().input("validation_set", "v.parquet");
        six(&gate, "v.parquet");
        forge(&gate.path("v.parquet"), &[groups]);
        let ran = gate.run();
        ran.assert_cannot_evaluate(
            "validation set `v.parquet` has a footer whose row counts do not hold",
        );
        assert!(ran.stderr.contains(why), "{why}: {ran:#?}");
    }
}

#[test]
fn a_claim_the_pages_do_not_hold_is_named_with_both_counts() {
    for (claim, said) in [
        (1i64 << 40, "the footer says 1099511627776 rows, the pages hold 6"),
        (7, "the footer says 7 rows, the pages hold 6"),
        // Fewer rows than a page's values: the page is refused before it is read.
        (5, "the page at byte 88 declares 6 values in a row group of 5 rows"),
    ] {
        let gate = Gate::new().any_metric().input("validation_set", "v.parquet");
        six(&gate, "v.parquet");
        forge(&gate.path("v.parquet"), &[claim]);
        let ran = gate.run();
        ran.assert_cannot_evaluate("validation set `v.parquet` is damaged in row group 0");
        assert!(ran.stderr.contains(said), "{ran:#?}");
    }
}

#[test]
fn a_join_never_reserves_for_a_claim() {
    // Six labelled pairs claiming 2^50 rows: the index is sized by the
    // file's bytes, the claim fails where the pages are read.
    let gate = Gate::new()
        .any_metric()
        .input("validation_set", "v.parquet")
        .input("predictions", "p.parquet")
        .input("key_columns", "pair_id");
    six(&gate, "v.parquet");
    write_parquet(
        &gate.path("p.parquet"),
        vec![
            ("pair_id", col(Int64Array::from(vec![1, 2, 3, 4, 5, 6]))),
            ("score", col(Float64Array::from(vec![0.9, 0.2, 0.8, 0.1, 0.7, 0.3]))),
        ],
    );
    forge(&gate.path("v.parquet"), &[1 << 50]);
    forge(&gate.path("p.parquet"), &[1 << 50]);
    let ran = gate.run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(
        ran.stderr.contains("the footer says 1125899906842624 rows, the pages hold 6"),
        "{ran:#?}"
    );
}
