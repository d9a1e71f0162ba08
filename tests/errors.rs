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
        .assert_cannot_evaluate("inputs errors_file or display_columns, and predictions");
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
