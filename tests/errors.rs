//! `errors_file`: the misclassified pairs to review, with every column of
//! the validation set, and nothing of them in the summary.

use arrow_array::{BooleanArray, Float64Array};

use crate::util::{Gate, col, write_parquet};

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
    let gate = Gate::new()
        .input("validation_set", "v.parquet")
        .input("errors_file", "e.parquet")
        .any_metric();
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
fn errors_file_needs_scores_in_the_validation_set() {
    Gate::with_fixture("sample_validation.parquet")
        .input("errors_file", "e.parquet")
        .input("predictions", "p.parquet")
        .run()
        .assert_cannot_evaluate("inputs errors_file and predictions");
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
