//! `weight_column`: weighted metrics and verdict, raw counts kept, and the
//! weights a gate refuses.

use arrow_array::{BooleanArray, Float64Array, Int64Array, StringArray};

use crate::util::{Gate, col, write_parquet};

const LABEL: [bool; 6] = [true, true, false, false, true, false];
const SCORE: [f64; 6] = [0.9, 0.2, 0.8, 0.1, 0.7, 0.3];

/// TP rows 0 and 4, FN row 1, FP row 2, TN rows 3 and 5.
fn gate(weights: Float64Array) -> Gate {
    let gate = Gate::new()
        .input("validation_set", "v.parquet")
        .input("weight_column", "w")
        .any_metric()
        .input("report_json", "r.json");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(LABEL.to_vec()))),
            ("score", col(Float64Array::from(SCORE.to_vec()))),
            ("w", col(weights)),
        ],
    );
    gate
}

#[test]
fn metrics_are_weighted_and_counts_stay_pairs() {
    let ran = gate(Float64Array::from(vec![1.0, 3.0, 2.0, 1.0, 1.0, 5.0])).run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // Weighted TP 2, FP 2, FN 3: precision 2/4, recall 2/5, F1 4/9.
    assert_eq!(ran.number("precision"), 0.5);
    assert_eq!(ran.number("recall"), 0.4);
    assert_eq!(ran.number("f1"), 4.0 / 9.0);
    assert_eq!((ran.outputs["tp"].as_str(), ran.outputs["fn"].as_str()), ("2", "1"));
    assert!(ran.summary.contains("Metrics are weighted by `w`"), "{}", ran.summary);
    assert!(ran.stdout.contains("weighted by w: TP 2  FP 2  FN 3  TN 6"), "{}", ran.stdout);
    let report = ran.json("r.json");
    assert_eq!(report["weights"]["counts"]["fn"], 3.0);
    assert!(report["sweep"].is_null());
}

#[test]
fn a_negative_nan_or_infinite_weight_stops_the_gate() {
    for (bad, shown) in [(-1.0, "-1"), (f64::NAN, "NaN"), (f64::INFINITY, "inf")] {
        let ran = gate(Float64Array::from(vec![1.0, 1.0, 1.0, bad, 1.0, 1.0])).run();
        ran.assert_cannot_evaluate(&format!(
            "column `w` of `v.parquet` holds {shown} at row 3: expected weights that are finite and not negative"
        ));
    }
}

#[test]
fn a_null_weight_follows_the_null_policy() {
    let weights =
        || Float64Array::from(vec![Some(1.0), None, Some(1.0), Some(1.0), Some(1.0), Some(1.0)]);
    gate(weights()).run().assert_cannot_evaluate("1 rows with null in `w`");
    let ran = gate(weights()).input("null_policy", "skip").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["rows_skipped"], "1");
    assert!(ran.summary.contains("null weight"), "{}", ran.summary);
}

#[test]
fn a_weight_column_of_text_is_refused() {
    let gate = Gate::new().input("validation_set", "v.parquet").input("weight_column", "w");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true]))),
            ("score", col(Float64Array::from(vec![0.9]))),
            ("w", col(StringArray::from(vec!["1"]))),
        ],
    );
    gate.run().assert_cannot_evaluate(
        "column `w` of `v.parquet` has type Utf8: expected float32, float64 or an integer type",
    );
}

#[test]
fn weights_travel_with_the_labels_when_predictions_are_joined() {
    let gate = Gate::new()
        .input("validation_set", "labels.parquet")
        .input("predictions", "p.parquet")
        .input("key_columns", "id")
        .input("weight_column", "w")
        .any_metric();
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("id", col(Int64Array::from_iter_values(0..6))),
            ("label", col(BooleanArray::from(LABEL.to_vec()))),
            ("w", col(Float64Array::from(vec![1.0, 3.0, 2.0, 1.0, 1.0, 5.0]))),
        ],
    );
    write_parquet(
        &gate.path("p.parquet"),
        vec![
            ("id", col(Int64Array::from_iter_values((0..6).rev()))),
            ("score", col(Float64Array::from(SCORE.iter().rev().copied().collect::<Vec<_>>()))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!((ran.number("precision"), ran.number("recall")), (0.5, 0.4));
}

#[test]
fn the_verdict_and_intervals_do_not_move_when_every_weight_is_multiplied() {
    let weights = [1.0, 3.0, 2.0, 1.0, 1.0, 5.0];
    let run = |c: f64| {
        gate(Float64Array::from(weights.map(|w| w * c).to_vec()))
            .input("min_precision", "0.3")
            .input("confidence", "0.9")
            .run()
    };
    let one = run(1.0);
    assert_eq!(one.code, 1, "six pairs cannot show precision 0.3 at 90%: {one:#?}");
    let interval = |ran: &crate::util::Ran| ran.json("r.json")["intervals"].clone();
    let close = |a: &serde_json::Value, b: &serde_json::Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-12,
        _ => false,
    };
    for exponent in [-300, -170, -100, -1, 1, 100, 170, 300] {
        let c = 10f64.powi(exponent);
        let ran = run(c);
        assert_eq!(ran.code, one.code, "{c}: {ran:#?}");
        assert_eq!(ran.outputs["passed"], one.outputs["passed"], "{c}");
        for metric in ["precision", "recall", "f1"] {
            assert!((ran.number(metric) - one.number(metric)).abs() < 1e-12, "{c} {metric}");
            for side in ["lower", "upper"] {
                let (a, b) = (&interval(&ran)[metric][side], &interval(&one)[metric][side]);
                assert!(close(a, b), "{c} {metric} {side}: {a} vs {b}");
            }
        }
    }
    let ran = gate(Float64Array::from(vec![0.0; 6])).run();
    ran.assert_cannot_evaluate("weight column `w` of `v.parquet` sums to 0");
    let ran = gate(Float64Array::from(vec![1.5e308; 6])).run();
    ran.assert_cannot_evaluate("sums past the largest number a float holds");
}
