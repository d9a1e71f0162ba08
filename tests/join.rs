//! `predictions` joined to the labelled pairs on `key_columns`: the counts,
//! the hashes, and every way the two files can disagree.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array, StringArray,
};

use crate::util::{Gate, col, read_parquet, sha256sum, write_parquet};

/// Labelled pairs: (left, right, label).
const LABELLED: &[(i64, &str, bool)] = &[
    (1, "a", true),
    (2, "b", true),
    (3, "c", false),
    (4, "d", false),
    (5, "e", true),
    (6, "f", false),
];

fn labelled(path: &Path, rows: &[(i64, &str, bool)]) {
    write_parquet(
        path,
        vec![
            ("left_id", col(Int64Array::from_iter_values(rows.iter().map(|r| r.0)))),
            ("right_id", col(StringArray::from_iter_values(rows.iter().map(|r| r.1)))),
            ("label", col(BooleanArray::from_iter(rows.iter().map(|r| Some(r.2))))),
        ],
    );
}

/// Predictions: (left, right, score); left as int32 and right
/// dictionary-encoded, so the join compares values, not types.
fn predictions(path: &Path, rows: &[(i32, &str, f64)]) {
    let right: DictionaryArray<Int32Type> = rows.iter().map(|r| r.1).collect();
    write_parquet(
        path,
        vec![
            ("right_id", Arc::new(right) as ArrayRef),
            ("left_id", col(Int32Array::from_iter_values(rows.iter().map(|r| r.0)))),
            ("score", col(Float64Array::from_iter_values(rows.iter().map(|r| r.2)))),
        ],
    );
}

/// Every labelled pair scored, in another order, among unlabelled ones:
/// TP (1,a) (5,e); FN (2,b); FP (3,c); TN (4,d) (6,f).
const SCORED: &[(i32, &str, f64)] = &[
    (6, "f", 0.1),
    (9, "z", 0.99),
    (5, "e", 0.8),
    (4, "d", 0.2),
    (3, "c", 0.7),
    (2, "b", 0.4),
    (8, "y", 0.3),
    (1, "a", 0.9),
];

fn gate(scored: &[(i32, &str, f64)]) -> Gate {
    let gate = Gate::new()
        .input("validation_set", "labels.parquet")
        .input("predictions", "predictions.parquet")
        .any_metric();
    labelled(&gate.path("labels.parquet"), LABELLED);
    predictions(&gate.path("predictions.parquet"), scored);
    gate
}

#[test]
fn predictions_are_joined_on_the_keys_and_unlabelled_ones_left_out() {
    let gate = gate(SCORED).input("report_json", "r.json");
    let (labels, preds) = (gate.path("labels.parquet"), gate.path("predictions.parquet"));
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let counts: Vec<&str> =
        ["tp", "fp", "fn", "tn"].iter().map(|k| ran.outputs[*k].as_str()).collect();
    assert_eq!(counts, ["2", "1", "1", "2"]);
    assert_eq!(ran.outputs["dataset_hash"], sha256sum(&labels));
    assert_eq!(ran.outputs["predictions_hash"], sha256sum(&preds));
    let report = ran.json("r.json");
    let p = &report["predictions"];
    assert_eq!(
        (p["rows"].as_u64(), p["unlabelled"].as_u64(), p["unpredicted"].as_u64()),
        (Some(8), Some(2), Some(0))
    );
    assert_eq!(p["key_columns"], serde_json::json!(["left_id", "right_id"]));
}

#[test]
fn a_new_models_predictions_leave_the_dataset_hash_alone() {
    let first = gate(SCORED).run();
    let rescored: Vec<(i32, &str, f64)> =
        SCORED.iter().map(|(l, r, s)| (*l, *r, 1.0 - s)).collect();
    let second = gate(&rescored).run();
    assert_eq!(first.outputs["dataset_hash"], second.outputs["dataset_hash"]);
    assert_ne!(first.outputs["predictions_hash"], second.outputs["predictions_hash"]);
    assert_ne!(first.outputs["tp"], second.outputs["tp"]);
}

#[test]
fn a_labelled_pair_without_prediction_follows_the_null_policy() {
    let partial = &SCORED[..5]; // (2, b) and (1, a) unscored
    let ran = gate(partial).run();
    ran.assert_cannot_evaluate(
        "2 labelled pairs of `labels.parquet` have no prediction in `predictions.parquet` (first: (1, \"a\"), (2, \"b\"))",
    );
    let ran = gate(partial).input("null_policy", "skip").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["rows_skipped"], "2");
    assert_eq!(ran.outputs["rows"], "4");
    assert!(ran.summary.contains("no prediction"), "{}", ran.summary);
}

#[test]
fn a_key_twice_stops_the_gate() {
    let twice = [SCORED, &SCORED[..1]].concat();
    gate(&twice).run().assert_cannot_evaluate(
        "predictions file `predictions.parquet` holds key (6, \"f\") more than once (again at row 8)",
    );
    // Unlabelled pairs predicted twice change no count: not checked (that
    // would hold every prediction's key in memory).
    let twice = [SCORED, &SCORED[1..2]].concat();
    assert_eq!(gate(&twice).run().code, 0);
    let gate = gate(SCORED);
    labelled(&gate.path("labels.parquet"), &[LABELLED, &LABELLED[2..3]].concat());
    gate.run().assert_cannot_evaluate(
        "validation set `labels.parquet` holds key (3, \"c\") more than once (again at row 6)",
    );
}

#[test]
fn keys_must_exist_in_both_files_and_be_of_one_kind() {
    let ran = gate(SCORED).input("key_columns", "left_id,pair").run();
    ran.assert_cannot_evaluate(
        "validation set `labels.parquet` has no column `pair` (input `key_columns`)",
    );
    let gate = gate(SCORED).input("key_columns", "left_id\nlabel_source");
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("left_id", col(StringArray::from_iter_values(["1", "2"]))),
            ("label_source", col(Int64Array::from_iter_values([1, 2]))),
            ("label", col(BooleanArray::from(vec![true, false]))),
        ],
    );
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "predictions file `predictions.parquet` has no column `label_source` (input `key_columns`)",
    );
    let gate = Gate::new()
        .input("validation_set", "labels.parquet")
        .input("predictions", "predictions.parquet")
        .input("key_columns", "left_id");
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("left_id", col(StringArray::from_iter_values(["1", "2"]))),
            ("label", col(BooleanArray::from(vec![true, false]))),
        ],
    );
    predictions(&gate.path("predictions.parquet"), SCORED);
    gate.run().assert_cannot_evaluate(
        "key column `left_id` is Utf8 in `labels.parquet` and Int32 in `predictions.parquet`: expected the same kind",
    );
}

#[test]
fn a_null_key_names_its_file_and_row() {
    let gate = gate(SCORED);
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("left_id", col(Int64Array::from(vec![Some(1), None]))),
            ("right_id", col(StringArray::from_iter_values(["a", "b"]))),
            ("label", col(BooleanArray::from(vec![true, false]))),
        ],
    );
    gate.run().assert_cannot_evaluate(
        "column `left_id` of validation set `labels.parquet` is null at row 1",
    );
}

#[test]
fn key_columns_without_predictions_is_a_mistake() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("key_columns", "pair_id").run();
    ran.assert_cannot_evaluate("inputs key_columns and predictions");
    // The runner passes the default of every input: that is no mistake.
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("key_columns", "left_id,right_id")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
}

#[test]
fn the_errors_of_a_join_carry_the_validation_sets_columns_and_the_score() {
    let ran = gate(SCORED)
        .input("errors_file", "e.parquet")
        .input("display_columns", "right_id,score")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let errors = read_parquet(&ran.dir.join("e.parquet"));
    let schema = errors.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["left_id", "right_id", "label", "score", "error", "rank"]);
    let text = |c: &str| {
        let array = errors.column_by_name(c).unwrap();
        let cell = |i| arrow_cast::display::array_value_to_string(array, i).unwrap();
        format!("{},{}", cell(0), cell(1))
    };
    // The false positive (3, c) scored 0.7, the false negative (2, b) 0.4.
    assert_eq!(text("left_id"), "3,2");
    assert_eq!(text("right_id"), "c,b");
    assert_eq!(text("label"), "false,true");
    assert_eq!(text("score"), "0.7,0.4");
    assert_eq!(text("error"), "false_positive,false_negative");
    assert!(ran.summary.contains("| 1 | `0.7` | `c` |"), "{}", ran.summary);
    assert!(ran.summary.contains("| 1 | `0.4` | `b` |"), "{}", ran.summary);
    // A validation set with a column named like the deciding one.
    let gate = gate(SCORED).input("errors_file", "e.parquet");
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("left_id", col(Int64Array::from(vec![1, 2]))),
            ("right_id", col(StringArray::from_iter_values(["a", "b"]))),
            ("label", col(BooleanArray::from(vec![true, false]))),
            ("score", col(Float64Array::from(vec![0.5, 0.5]))),
        ],
    );
    gate.run().assert_cannot_evaluate(
        "validation set `labels.parquet` has a column `score`, the name of the predictions file's deciding column",
    );
}

#[test]
fn a_joined_float_prediction_column_is_written_as_it_was_counted() {
    let gate = Gate::new()
        .input("validation_set", "labels.parquet")
        .input("predictions", "predictions.parquet")
        .input("prediction_column", "matched")
        .input("errors_file", "e.parquet")
        .any_metric();
    labelled(&gate.path("labels.parquet"), LABELLED);
    let scored = |f: fn(&(i32, &str, f64)) -> i32| SCORED.iter().map(f).collect::<Vec<_>>();
    write_parquet(
        &gate.path("predictions.parquet"),
        vec![
            ("left_id", col(Int32Array::from(scored(|r| r.0)))),
            ("right_id", col(StringArray::from_iter_values(SCORED.iter().map(|r| r.1)))),
            (
                "matched",
                col(arrow_array::Float32Array::from_iter_values(
                    SCORED.iter().map(|r| if r.2 >= 0.5 { 1.0 } else { 0.0 }),
                )),
            ),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let errors = read_parquet(&ran.dir.join("e.parquet"));
    let matched = errors.column_by_name("matched").unwrap();
    let matched = matched.as_any().downcast_ref::<arrow_array::Float32Array>().unwrap();
    assert_eq!(matched.values().to_vec(), [1.0, 0.0]);
}
