//! `errors_file`: the misclassified pairs to review, with every column of
//! the validation set, and nothing of them in the summary.

use arrow_array::{BooleanArray, Float64Array};

use crate::util::{Gate, col, read_parquet, write_parquet};

/// A gate on `v.parquet` (for the test to write) with `errors_file: e.parquet`.
fn errors_gate() -> Gate {
    Gate::new().input("validation_set", "v.parquet").input("errors_file", "e.parquet").any_metric()
}

#[test]
fn the_errors_file_holds_the_most_confident_of_each_kind() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("errors_file", "review/errors.parquet")
        .input("errors_limit", "25")
        .input("report_json", "r.json")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["errors_file"], "review/errors.parquet");
    let errors = ran.json("r.json")["errors"].clone();
    assert_eq!(errors["false_positives"], 25);
    assert_eq!(errors["false_positives_total"], 97);
    assert_eq!(errors["false_negatives_total"], 141);
    assert!(
        ran.summary.contains("25 of 97 false positives, highest scores first"),
        "{}",
        ran.summary
    );
    // Nothing of the rows themselves: no record id reaches the summary.
    assert!(!ran.summary.contains("rec-"), "{}", ran.summary);
}

#[test]
fn a_validation_set_with_an_error_or_rank_column_is_refused() {
    let gate = errors_gate();
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true, false]))),
            ("score", col(Float64Array::from(vec![0.2, 0.9]))),
            ("rank", col(Float64Array::from(vec![1.0, 2.0]))),
        ],
    );
    gate.run().assert_cannot_evaluate("has a column `rank`, which errors_file adds to every row");
}

#[test]
fn errors_limit_is_a_whole_number() {
    Gate::with_fixture("sample_validation.parquet")
        .input("errors_file", "e.parquet")
        .input("errors_limit", "-1")
        .run()
        .assert_cannot_evaluate("input `errors_limit`");
}

#[cfg(feature = "external-tests")]
#[test]
fn the_errors_file_equals_pandas_selection_of_the_same_rows() {
    for (fixture, decision, limit) in [
        ("sample_validation.parquet", "score:0.5", "40"),
        ("sample_validation.parquet", "score:0.3", "0"),
        ("slices.parquet", "score:0.5", "7"),
        ("int_labels.parquet", "prediction:prediction", "10"),
    ] {
        let mut gate = Gate::with_fixture(fixture)
            .input("errors_file", "e.parquet")
            .input("errors_limit", limit)
            .any_metric();
        gate = match decision.split_once(':').unwrap() {
            ("score", t) => gate.input("decision_threshold", t),
            (_, column) => gate.input("prediction_column", column),
        };
        let ran = gate.run();
        assert_eq!(ran.code, 0, "{ran:#?}");
        let file = ran.dir.join(fixture);
        let errors = ran.dir.join("e.parquet");
        let args = [file.as_os_str(), errors.as_os_str(), decision.as_ref(), limit.as_ref()];
        let out = Gate::python("errors_oracle.py", &args, "pandas and pyarrow");
        let expected = out["expected"].as_array().unwrap();
        assert!(!expected.is_empty(), "{fixture} {decision}");
        assert_eq!(out["actual"], out["expected"], "{fixture} {decision} {limit}");
    }
}

#[test]
fn display_columns_show_the_first_ten_of_each_kind_escaped() {
    use arrow_array::StringArray;
    // Rows 0-11 are false positives (score 0.99 down), 12-23 false negatives.
    let n = 24;
    let label: Vec<bool> = (0..n).map(|i| i >= 12).collect();
    let score: Vec<f64> = (0..n)
        .map(|i| if i < 12 { 0.99 - i as f64 * 0.01 } else { 0.01 * (i - 11) as f64 })
        .collect();
    let mut names: Vec<String> = (0..n).map(|i| format!("name {i}")).collect();
    names[0] = "a|b`c\n::error::forged".into();
    let gate = Gate::new()
        .input("validation_set", "v.parquet")
        .input("display_columns", "name")
        .any_metric();
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(label))),
            ("score", col(Float64Array::from(score))),
            ("name", col(StringArray::from(names))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let s = &ran.summary;
    assert!(s.contains("### Pairs to review"), "{s}");
    assert!(s.contains("| 1 | `0.99` | ``a\\|b`c\\n::error::forged`` |"), "{s}");
    assert!(s.contains("| 10 | `0.9` | `name 9` |"), "{s}");
    assert!(!s.contains("name 10"), "ten of each kind: {s}");
    assert!(s.contains("| 1 | `0.01` | `name 12` |"), "{s}");
    assert!(!ran.stdout.lines().any(|l| l.starts_with("::error::forged")), "{}", ran.stdout);
    assert!(!ran.outputs.contains_key("errors_file"), "no file without errors_file");
}

#[test]
fn display_columns_must_exist() {
    Gate::with_fixture("sample_validation.parquet")
        .input("display_columns", "left_id,left_name")
        .run()
        .assert_cannot_evaluate("no column `left_name` (input `display_columns`)");
}

/// A file with a page index and pages of 64 rows in row groups of 1,000:
/// the read-back skips every page without a chosen row, and still returns
/// exactly the chosen rows, with their ids, in rank order.
#[test]
fn the_read_back_through_a_page_index_returns_exactly_the_chosen_rows() {
    use arrow_array::{Array, Int64Array};
    use parquet::file::properties::WriterProperties;
    let n = 10_000usize;
    // A score spread with repeats, labels in a pattern unrelated to it.
    let score: Vec<f64> = (0..n).map(|i| ((i * 7_919) % 1_000) as f64 / 1_000.0).collect();
    let label: Vec<bool> = (0..n).map(|i| (i * 31 + i / 7) % 5 < 2).collect();
    let id: Vec<i64> = (0..n as i64).map(|i| 1_000_000 + i).collect();
    let gate = errors_gate().input("errors_limit", "30");
    let batch = arrow_array::RecordBatch::try_from_iter([
        ("pair_id", col(Int64Array::from(id.clone()))),
        ("label", col(BooleanArray::from(label.clone()))),
        ("score", col(Float64Array::from(score.clone()))),
    ])
    .unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(1_000))
        .set_data_page_row_count_limit(64)
        .set_write_batch_size(64)
        .set_dictionary_enabled(false)
        .build();
    crate::util::write_batch_with(&gate.path("v.parquet"), &batch, props);
    let written = std::fs::File::open(gate.path("v.parquet")).unwrap();
    let meta = parquet::file::metadata::ParquetMetaDataReader::new()
        .with_page_index_policy(parquet::file::metadata::PageIndexPolicy::Required)
        .parse_and_finish(&written)
        .unwrap();
    let pages = meta.page_index_for_row_group(0).page_locations(0).unwrap().len();
    assert!(pages >= 10, "pages of at most 64 rows: {pages}");
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // Expected: false positives by score descending, false negatives by
    // score ascending, ties by row, 30 of each.
    let predicted = |i: usize| score[i] >= 0.5;
    let mut fp: Vec<usize> = (0..n).filter(|&i| predicted(i) && !label[i]).collect();
    fp.sort_by(|a, b| score[*b].total_cmp(&score[*a]).then(a.cmp(b)));
    let mut fn_: Vec<usize> = (0..n).filter(|&i| !predicted(i) && label[i]).collect();
    fn_.sort_by(|a, b| score[*a].total_cmp(&score[*b]).then(a.cmp(b)));
    let expected: Vec<i64> = fp[..30].iter().chain(&fn_[..30]).map(|i| id[*i]).collect();
    let errors = read_parquet(&ran.dir.join("e.parquet"));
    let ids = errors.column_by_name("pair_id").unwrap();
    let ids = ids.as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(ids.values().to_vec(), expected);
}

/// The rows are read back while the hash runs; a hash that does not match
/// still stops the gate before anything of them is written.
#[test]
fn a_wrong_hash_writes_no_errors_file() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("errors_file", "e.parquet")
        .input("dataset_hash", &"0".repeat(64))
        .run();
    ran.assert_cannot_evaluate("does not match `dataset_hash`");
    assert!(!ran.dir.join("e.parquet").exists(), "no errors file from unverified bytes");
    assert!(!ran.outputs.contains_key("errors_file"), "{:?}", ran.outputs);
}

/// The label and score of the chosen rows are rebuilt, not read again,
/// where their type holds them exactly: a float32 score comes back bit for
/// bit, and a float label (whose zeros may be -0.0) is read back as it is.
#[test]
fn rebuilt_and_read_back_columns_keep_the_files_own_values() {
    use arrow_array::{Array, Float32Array, Int8Array};
    let n = 200usize;
    let score: Vec<f32> = (0..n).map(|i| ((i * 37) % 200) as f32 / 199.0 - 0.0).collect();
    let label: Vec<f64> = (0..n)
        .map(|i| {
            if i % 3 == 0 {
                1.0
            } else if i % 2 == 0 {
                -0.0
            } else {
                0.0
            }
        })
        .collect();
    let kind: Vec<i8> = (0..n).map(|i| (i % 5) as i8).collect();
    let gate = errors_gate().input("errors_limit", "0");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(Float64Array::from(label.clone()))),
            ("score", col(Float32Array::from(score.clone()))),
            ("kind", col(Int8Array::from(kind.clone()))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let batch = read_parquet(&ran.dir.join("e.parquet"));
    let get = |c: &str| batch.column_by_name(c).unwrap().clone();
    let (l, s, k) = (get("label"), get("score"), get("kind"));
    let l = l.as_any().downcast_ref::<Float64Array>().unwrap();
    let s = s.as_any().downcast_ref::<Float32Array>().unwrap();
    let k = k.as_any().downcast_ref::<Int8Array>().unwrap();
    let mut checked = 0;
    for r in 0..batch.num_rows() {
        // Find the row by its score and kind, then compare bit for bit.
        let i = (0..n)
            .find(|&i| score[i].to_bits() == s.value(r).to_bits() && kind[i] == k.value(r))
            .expect("every row comes from the file");
        assert_eq!(l.value(r).to_bits(), label[i].to_bits(), "row {i}");
        checked += 1;
    }
    let misclassified = (0..n).filter(|&i| (score[i] >= 0.5) != (label[i] == 1.0)).count();
    assert_eq!(checked, misclassified);
    assert!(checked > 20 && label.iter().any(|l| l.is_sign_negative()));
}

/// A validation set of a label and a score only: both are rebuilt and no
/// column is read back, and the errors file still holds every row chosen.
#[test]
fn a_file_of_only_label_and_score_needs_no_column_read_back() {
    let gate = errors_gate();
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true, false, true, false, true]))),
            ("score", col(Float64Array::from(vec![0.2, 0.9, 0.8, 0.1, 0.7]))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let batch = read_parquet(&ran.dir.join("e.parquet"));
    let score = batch.column_by_name("score").unwrap();
    let score = score.as_any().downcast_ref::<Float64Array>().unwrap();
    let label = batch.column_by_name("label").unwrap();
    let label = label.as_any().downcast_ref::<BooleanArray>().unwrap();
    assert_eq!(score.values().to_vec(), [0.9, 0.2]);
    assert_eq!((label.value(0), label.value(1)), (false, true));
}
