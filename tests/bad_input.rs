//! Bad input: one clear message naming the file, column or input, exit 2, an
//! `::error` annotation, and nothing half-written.

use arrow_array::{BooleanArray, Float32Array, Float64Array, Int64Array, StringArray};

use crate::util::{Gate, col, write_parquet};

fn with_file(columns: Vec<(&str, arrow_array::ArrayRef)>) -> Gate {
    let gate = Gate::new().input("validation_set", "v.parquet").input("report_json", "r.json");
    write_parquet(&gate.path("v.parquet"), columns);
    gate
}

#[test]
fn missing_file() {
    let ran = Gate::new().input("validation_set", "nope.parquet").run();
    ran.assert_cannot_evaluate("cannot read validation set `nope.parquet`");
    assert!(ran.stderr.contains("caused by: No such file or directory"), "{}", ran.stderr);
}

#[test]
fn missing_validation_set_input() {
    Gate::new().run().assert_cannot_evaluate("input `validation_set` is required");
}

#[test]
fn a_folder_without_parts() {
    let gate = Gate::new().input("validation_set", "data");
    std::fs::create_dir_all(gate.path("data/_temporary")).unwrap();
    std::fs::write(gate.path("data/_SUCCESS"), "").unwrap();
    std::fs::write(gate.path("data/_temporary/part-0.parquet"), "").unwrap();
    gate.run().assert_cannot_evaluate(
        "validation set folder `data` holds no `*.parquet` file (hidden and `_`-prefixed names are skipped)",
    );
}

#[test]
fn empty_file() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    std::fs::write(gate.path("v.parquet"), "").unwrap();
    gate.run().assert_cannot_evaluate("validation set `v.parquet` is empty (0 bytes)");
}

#[test]
fn not_parquet() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    std::fs::write(gate.path("v.parquet"), b"PAR1 not really\x00\x01").unwrap();
    gate.run().assert_cannot_evaluate("validation set `v.parquet` is not a readable parquet file");
}

#[test]
fn csv_and_lfs_pointers_are_named_with_their_fix() {
    let gate = Gate::new().input("validation_set", "pairs.csv");
    std::fs::write(gate.path("pairs.csv"), "left_id,right_id,label\n1,2,1\n").unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate("is not a parquet file: it is text (CSV?)");
    assert!(ran.errors()[0].contains("copy (from 'pairs.csv') to 'pairs.parquet'"), "{ran:#?}");
    let gate = Gate::new().input("validation_set", "v.parquet");
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    std::fs::write(gate.path("v.parquet"), pointer).unwrap();
    gate.run().assert_cannot_evaluate(
        "it is a Git LFS pointer, not the file: check the repository out with LFS objects",
    );
}

#[test]
fn truncated_file() {
    let ran = Gate::with_fixture("truncated.parquet").run();
    ran.assert_cannot_evaluate("`truncated.parquet` is not a readable parquet file");
}

#[test]
fn parquet_with_no_rows() {
    Gate::with_fixture("empty.parquet").run().assert_cannot_evaluate("has no rows to evaluate");
}

#[test]
fn missing_column_lists_the_columns_the_file_has() {
    let gate = with_file(vec![
        ("pair_id", col(Int64Array::from(vec![1, 2]))),
        ("is_match", col(BooleanArray::from(vec![true, false]))),
        ("match_probability", col(Float64Array::from(vec![0.9, 0.1]))),
    ]);
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "has no column `label` (input `label_column`) and no column `score` (input `score_column`); its columns are: `pair_id`, `is_match`, `match_probability`",
    );
    assert!(!ran.dir.join("r.json").exists(), "no report on error");
    // With the score named, only the label is missing.
    let gate = with_file(vec![
        ("is_match", col(BooleanArray::from(vec![true, false]))),
        ("match_probability", col(Float64Array::from(vec![0.9, 0.1]))),
    ]);
    gate.input("score_column", "match_probability").run().assert_cannot_evaluate(
        "has no column `label` (input `label_column`); its columns are: `is_match`, `match_probability`",
    );
}

#[test]
fn missing_score_column_names_the_score_input() {
    let gate = with_file(vec![("label", col(BooleanArray::from(vec![true])))]);
    gate.run().assert_cannot_evaluate("has no column `score` (input `score_column`)");
}

#[test]
fn wrong_label_type_names_found_and_accepted_types() {
    let gate = with_file(vec![
        ("label", col(StringArray::from(vec!["yes", "no"]))),
        ("score", col(Float64Array::from(vec![0.9, 0.1]))),
    ]);
    gate.run().assert_cannot_evaluate(
        "column `label` of `v.parquet` holds text labels (`yes`, `no`): expected boolean, 0/1 or 0.0/1.0, or text with positive_label set to the value that means a match",
    );
    let gate = with_file(vec![
        ("label", col(arrow_array::Date32Array::from(vec![1, 2]))),
        ("score", col(Float64Array::from(vec![0.9, 0.1]))),
    ]);
    gate.run().assert_cannot_evaluate(
        "column `label` of `v.parquet` has type Date32: expected boolean, an integer type (int8..int64, uint8..uint64) holding 0 and 1, float32/float64 holding 0.0 and 1.0, or text with positive_label",
    );
}

#[test]
fn wrong_score_type() {
    let gate = with_file(vec![
        ("label", col(BooleanArray::from(vec![true, false]))),
        ("score", col(Int64Array::from(vec![1, 0]))),
    ]);
    gate.run().assert_cannot_evaluate(
        "column `score` of `v.parquet` has type Int64: expected float32 or float64",
    );
}

#[test]
fn label_that_is_neither_zero_nor_one() {
    let gate = with_file(vec![
        ("label", col(Int64Array::from(vec![0, 1, 1, 2, 0]))),
        ("score", col(Float32Array::from(vec![0.1, 0.9, 0.8, 0.7, 0.2]))),
    ]);
    gate.run().assert_cannot_evaluate(
        "column `label` of `v.parquet` holds 2 at row 3: expected only 0 and 1",
    );
}

#[test]
fn no_true_match() {
    let gate = with_file(vec![
        ("label", col(BooleanArray::from(vec![false, false]))),
        ("score", col(Float64Array::from(vec![0.9, 0.1]))),
    ]);
    gate.run().assert_cannot_evaluate("has no true match in column `label` (2 rows)");
}

#[test]
fn every_row_skipped_leaves_no_rows() {
    let gate = with_file(vec![
        ("label", col(BooleanArray::from(vec![Some(true), None]))),
        ("score", col(Float64Array::from(vec![f64::NAN, 0.5]))),
    ]);
    let ran = gate.input("null_policy", "skip").run();
    ran.assert_cannot_evaluate(
        "has no rows to evaluate (2 rows were skipped under `null_policy: skip`)",
    );
}

#[test]
fn malformed_number() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("min_recall", "0,88").run();
    ran.assert_cannot_evaluate(
        "input `min_recall` (from `INPUT_MIN_RECALL`) is `0,88`: expected a number in [0, 1]",
    );
}

#[test]
fn threshold_out_of_range() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("min_f1", "90").run();
    ran.assert_cannot_evaluate(
        "input `min_f1` (from `INPUT_MIN_F1`) is `90`: expected a number in [0, 1]",
    );
}

#[test]
fn malformed_boolean() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("summary", "yes").run();
    assert_eq!(ran.code, 2);
    assert!(ran.errors()[0].contains(
        "input `summary` (from `INPUT_SUMMARY`) is `yes`: expected one of true, True, TRUE"
    ));
}

#[test]
fn hash_that_is_not_64_hex_digits() {
    let ran =
        Gate::with_fixture("sample_validation.parquet").input("dataset_hash", "sha256:abc").run();
    ran.assert_cannot_evaluate("input `dataset_hash` (from `INPUT_DATASET_HASH`) is `sha256:abc`: expected a SHA-256 of 64 hex digits");
}

#[test]
fn unknown_input_name() {
    let ran =
        Gate::with_fixture("sample_validation.parquet").env("INPUT_MIN-PRECISION", "0.9").run();
    ran.assert_cannot_evaluate(
        "unknown input `min-precision` (from `INPUT_MIN-PRECISION`): did you mean `min_precision`?",
    );
}

#[test]
fn unknown_flag() {
    let ran =
        Gate::with_fixture("sample_validation.parquet").args(&["--min-precison", "0.9"]).run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(ran.stderr.contains("unexpected argument '--min-precison'"), "{}", ran.stderr);
    assert!(ran.stderr.contains("--min-precision"), "clap suggests the flag: {}", ran.stderr);
    assert_eq!(ran.errors().len(), 1);
    assert!(ran.outputs.is_empty());
}

#[test]
fn unwritable_report_json_is_an_error() {
    let gate = Gate::with_fixture("sample_validation.parquet")
        .input("report_json", "sample_validation.parquet/x.json");
    let ran = gate.run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(
        ran.errors()[0].contains("cannot write report_json `sample_validation.parquet/x.json`"),
        "{ran:#?}"
    );
}

#[test]
fn every_missing_column_is_named_at_once() {
    let ran = with_file(vec![("pair_id", col(Int64Array::from(vec![1, 2])))]).run();
    ran.assert_cannot_evaluate(
        "has no column `label` (input `label_column`) and no column `score` (input `score_column`); its columns are: `pair_id`",
    );
}

#[test]
fn float_labels_of_zero_and_one_are_labels_and_others_are_refused() {
    // What a pandas left join leaves: labels as float64 0.0 and 1.0.
    let ran = with_file(vec![
        ("label", col(Float64Array::from(vec![1.0, 0.0, 1.0, 0.0]))),
        ("score", col(Float64Array::from(vec![0.9, 0.1, 0.8, 0.7]))),
    ])
    .input("min_precision", "0.5")
    .input("min_f1", "0.5")
    .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let counts: Vec<&str> =
        ["tp", "fp", "fn", "tn"].iter().map(|k| ran.outputs[*k].as_str()).collect();
    assert_eq!(counts, ["2", "1", "0", "1"]);
    let ran = with_file(vec![
        ("label", col(Float32Array::from(vec![1.0, 0.5]))),
        ("score", col(Float64Array::from(vec![0.9, 0.1]))),
    ])
    .run();
    ran.assert_cannot_evaluate(
        "column `label` of `v.parquet` holds 0.5 at row 1: expected only 0 and 1",
    );
}

#[test]
fn a_column_typed_wrong_gets_the_nearest_name() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("score_column", "Scor").run();
    ran.assert_cannot_evaluate("no column `Scor` (input `score_column`; did you mean `score`?)");
    let ran =
        Gate::with_fixture("sample_validation.parquet").input("label_column", "is_match").run();
    ran.assert_cannot_evaluate("no column `is_match` (input `label_column`)");
}

#[test]
fn a_file_of_labels_only_is_told_where_the_scores_go() {
    let gate = Gate::new().input("validation_set", "labels.parquet");
    write_parquet(
        &gate.path("labels.parquet"),
        vec![("label", col(BooleanArray::from(vec![true, false])))],
    );
    let ran = gate.run();
    ran.assert_cannot_evaluate("no column `score` (input `score_column`)");
    assert!(ran.errors()[0].contains("if it holds labels only"), "{ran:#?}");
    assert!(ran.errors()[0].contains("input `predictions`"), "{ran:#?}");
}
