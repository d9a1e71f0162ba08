//! `baseline_score_column` and `baseline_prediction_column`: the model
//! against the previous one on the same pairs.

use arrow_array::{BooleanArray, Float64Array, Int64Array};

use crate::util::{Gate, col, write_parquet};

/// The step outputs only a paired comparison sets.
pub const PAIRED_OUTPUTS: &[&str] = &[
    "precision_delta",
    "precision_delta_lower",
    "precision_delta_upper",
    "recall_delta",
    "recall_delta_lower",
    "recall_delta_upper",
    "f1_delta",
    "f1_delta_lower",
    "f1_delta_upper",
    "errors_fixed",
    "errors_introduced",
    "decisions_changed",
    "recall_mcnemar_p",
];

/// 40 blocks of 25 pairs: label every third pair; the new model right on
/// every pair, the previous one wrong on the first two of each block (a
/// false negative and, on the next, a false positive when it is no
/// match); `old` null on the last pair when `hole`.
fn two_models(gate: Gate, hole: bool) -> Gate {
    let (mut block, mut label, mut score, mut old, mut was) =
        (vec![], vec![], vec![], vec![], vec![]);
    for b in 0..40i64 {
        for i in 0..25 {
            let truth = (b * 25 + i) % 3 == 0;
            block.push(b);
            label.push(truth);
            score.push(if truth { 0.9 } else { 0.1 });
            let wrong = i < 2;
            let before = truth != wrong;
            old.push((!(hole && b == 39 && i == 24)).then_some(if before { 0.8 } else { 0.2 }));
            was.push(before);
        }
    }
    write_parquet(
        &gate.path("p.parquet"),
        vec![
            ("block", col(Int64Array::from(block))),
            ("label", col(BooleanArray::from(label))),
            ("score", col(Float64Array::from(score))),
            ("old_score", col(Float64Array::from(old))),
            ("old_match", col(BooleanArray::from(was))),
        ],
    );
    gate.input("validation_set", "p.parquet").input("report_json", "r.json").any_metric()
}

#[test]
fn the_flip_table_counts_what_changed_and_scores_and_predictions_agree() {
    let by_score = two_models(Gate::new(), false).input("baseline_score_column", "old_score").run();
    assert_eq!(by_score.code, 0, "{by_score:#?}");
    let report = by_score.json("r.json");
    let paired = &report["paired"];
    // In each block, pair 0 or 1 is a true match (every third pair): 40
    // false negatives fixed; the other of the two a false positive fixed.
    assert_eq!(paired["decisions_changed"], 80);
    assert_eq!(paired["errors_fixed"], 80);
    assert_eq!(paired["errors_introduced"], 0);
    let flips = &paired["flips"];
    let fixed = flips["newly_matched_true"].as_u64().unwrap();
    assert_eq!(fixed + flips["no_longer_matched_false"].as_u64().unwrap(), 80);
    assert_eq!(by_score.outputs["errors_fixed"], "80");
    for name in PAIRED_OUTPUTS {
        assert!(!by_score.outputs[*name].is_empty(), "{name}");
    }
    assert_eq!(
        by_score.outputs["recall_delta"],
        paired["recall"]["delta"].as_f64().unwrap().to_string()
    );
    assert_eq!(paired["previous_decision"]["column"], "old_score");
    assert!(
        by_score.summary.contains("Against the previous model, pair by pair"),
        "{}",
        by_score.summary
    );
    assert!(by_score.summary.contains("80 decisions changed: 80 errors fixed, 0 introduced"));
    let by_prediction =
        two_models(Gate::new(), false).input("baseline_prediction_column", "old_match").run();
    let other = by_prediction.json("r.json");
    assert_eq!(other["paired"]["flips"], report["paired"]["flips"]);
    assert_eq!(other["paired"]["recall"], report["paired"]["recall"]);
    assert_eq!(other["paired"]["previous_decision"]["kind"], "prediction");
}

#[test]
fn a_drop_is_a_non_inferiority_margin_on_the_paired_change() {
    // The new model is better: no margin is crossed, at any level.
    let ran = two_models(Gate::new(), false)
        .input("baseline_score_column", "old_score")
        .input("cluster_by", "block")
        .input("confidence", "0.95")
        .input("max_recall_drop", "0.0")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    let drop =
        report["checks"].as_array().unwrap().iter().find(|c| c["rule"]["kind"] == "max_drop");
    let drop = drop.expect("a drop rule");
    let change = &report["paired"]["recall"];
    assert_eq!(drop["change"]["lower"], change["interval"]["lower"], "{drop}");
    assert!(change["interval"]["lower"].as_f64().unwrap() > 0.0, "{change}");
    assert_eq!(report["paired"]["cluster_by"][0], "block");
    assert!(ran.summary.contains("paired interval of the change"), "{}", ran.summary);
    // Swapped, the previous model is the better one: the drop fails.
    let ran = two_models(Gate::new(), false)
        .input("score_column", "old_score")
        .input("baseline_score_column", "score")
        .input("cluster_by", "block")
        .input("confidence", "0.95")
        .input("max_recall_drop", "0.0")
        .run();
    assert_eq!(ran.code, 1, "{ran:#?}");
}

#[test]
fn a_missing_previous_decision_is_a_missing_value() {
    let ran = two_models(Gate::new(), true).input("baseline_score_column", "old_score").run();
    ran.assert_cannot_evaluate("`old_score`");
    let ran = two_models(Gate::new(), true)
        .input("baseline_score_column", "old_score")
        .input("null_policy", "skip")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.json("r.json")["skipped"]["previous_missing"], 1);
    let ran = two_models(Gate::new(), false).input("baseline_score_column", "nope").run();
    ran.assert_cannot_evaluate("baseline_score_column");
    let ran = two_models(Gate::new(), false).input("baseline_score_column", "old_match").run();
    assert_eq!(ran.code, 2, "a boolean is no score: {ran:#?}");
}

/// The flip table, McNemar's test and each change with its interval equal
/// pandas, statsmodels and scikit-learn, independent and clustered.
#[cfg(feature = "external-tests")]
#[test]
fn the_paired_comparison_equals_statsmodels_and_scikit_learn() {
    let close = |ours: &serde_json::Value, theirs: &serde_json::Value, what: &str| {
        crate::util::assert_close(ours, theirs, (1e-9, 1e-3), what);
    };
    for columns in ["none", "block", "left_id,right_id"] {
        let gate = Gate::new();
        let file = gate.path("c.parquet");
        let args = [file.as_os_str(), "0.9".as_ref()];
        let expected = Gate::python("paired_oracle.py", &args, "statsmodels, scikit-learn, pandas");
        let ran = gate
            .input("validation_set", "c.parquet")
            .input("baseline_score_column", "old_score")
            .input("cluster_by", columns)
            .input("confidence", "0.9")
            .input("report_json", "r.json")
            .any_metric()
            .run();
        assert_eq!(ran.code, 0, "{ran:#?}");
        let paired = &ran.json("r.json")["paired"];
        for key in ["flips", "errors_fixed", "errors_introduced", "decisions_changed"] {
            assert_eq!(paired[key], expected[key], "{key}");
        }
        let p = &paired["recall_mcnemar"]["p_value"];
        close(p, &expected["recall_mcnemar_p"], "McNemar");
        for metric in ["precision", "recall", "f1"] {
            let (ours, theirs) = (&paired[metric], &expected[columns][metric]);
            let at = format!("{columns} {metric}");
            close(&ours["delta"], &theirs["delta"], &at);
            assert_eq!(ours["clusters"], theirs["clusters"], "{at}");
            let se = ours["standard_error"].as_f64().unwrap();
            close(&(se * se).into(), &theirs["variance"], &at);
            for bound in ["lower", "upper"] {
                close(&ours["interval"][bound], &theirs[bound], &format!("{at} {bound}"));
                let output = &ran.outputs[&format!("{metric}_delta_{bound}")];
                assert_eq!(output, &ours["interval"][bound].as_f64().unwrap().to_string());
            }
        }
    }
}

/// The pairs of [`two_models`], labels in one file and both models'
/// scores in the other, in reverse order, joined on `pair_id`.
fn joined(gate: Gate) -> Gate {
    let (n, truth) = (1000i64, |k: i64| k % 3 == 0);
    let keys: Vec<i64> = (0..n).collect();
    let label: Vec<bool> = keys.iter().map(|&k| truth(k)).collect();
    write_parquet(
        &gate.path("labels.parquet"),
        vec![
            ("pair_id", col(Int64Array::from(keys.clone()))),
            ("label", col(BooleanArray::from(label))),
        ],
    );
    let reversed: Vec<i64> = keys.iter().rev().copied().collect();
    let score = reversed.iter().map(|&k| if truth(k) { 0.9 } else { 0.1 });
    let old = reversed.iter().map(|&k| if truth(k) != (k % 25 < 2) { 0.8 } else { 0.2 });
    write_parquet(
        &gate.path("predictions.parquet"),
        vec![
            ("pair_id", col(Int64Array::from(reversed.clone()))),
            ("score", col(Float64Array::from_iter_values(score))),
            ("old_score", col(Float64Array::from_iter_values(old))),
        ],
    );
    gate.input("validation_set", "labels.parquet")
        .input("predictions", "predictions.parquet")
        .input("key_columns", "pair_id")
        .input("report_json", "r.json")
        .any_metric()
}

#[test]
fn with_a_predictions_file_the_previous_decision_is_read_beside_the_models() {
    let gate = two_models(Gate::new(), false);
    let alone = gate.input("baseline_score_column", "old_score").run().json("r.json");
    let ran = joined(Gate::new()).input("baseline_score_column", "old_score").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let joined_report = ran.json("r.json");
    for key in ["flips", "errors_fixed", "errors_introduced", "precision", "recall", "f1"] {
        assert_eq!(joined_report["paired"][key], alone["paired"][key], "{key}");
    }
    // The previous model's column is looked for in the predictions file.
    let ran = joined(Gate::new()).input("baseline_score_column", "label").run();
    ran.assert_cannot_evaluate("baseline_score_column");
    assert!(ran.errors()[0].contains("predictions.parquet"), "{}", ran.stdout);
}

/// The previous model's scores of [`joined`]'s pairs in a file of their
/// own, `old.parquet` (column `score`), in file order; `skip` pairs left
/// out, `twice` listed twice.
fn old_file(gate: &Gate, skip: &[i64], twice: &[i64]) {
    let keys: Vec<i64> =
        (0..1000).filter(|k| !skip.contains(k)).chain(twice.iter().copied()).collect();
    let old = keys.iter().map(|&k| if (k % 3 == 0) != (k % 25 < 2) { 0.8 } else { 0.2 });
    write_parquet(
        &gate.path("old.parquet"),
        vec![
            ("pair_id", col(Int64Array::from(keys.clone()))),
            ("score", col(Float64Array::from_iter_values(old))),
        ],
    );
}

#[test]
fn the_previous_models_own_file_is_joined_on_the_keys_and_reported() {
    let column = joined(Gate::new()).input("baseline_score_column", "old_score").run();
    let expected = column.json("r.json");
    // Joined to a predictions file, and to a validation set that holds the
    // model's scores.
    let gate = joined(Gate::new());
    old_file(&gate, &[], &[]);
    let ran = gate.input("baseline_predictions", "old.parquet").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    for key in ["flips", "errors_fixed", "precision", "recall", "f1"] {
        assert_eq!(report["paired"][key], expected["paired"][key], "{key}");
    }
    let file = &report["paired"]["previous_predictions"];
    assert_eq!((file["rows"].as_u64(), file["unpredicted"].as_u64()), (Some(1000), Some(0)));
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64);
    assert!(ran.summary.contains("decisions come from `old.parquet`"), "{}", ran.summary);
    // The model's scores in the validation set itself.
    let gate = Gate::new();
    let keys: Vec<i64> = (0..1000).collect();
    write_parquet(
        &gate.path("scored.parquet"),
        vec![
            ("pair_id", col(Int64Array::from(keys.clone()))),
            ("label", col(BooleanArray::from_iter(keys.iter().map(|k| Some(k % 3 == 0))))),
            (
                "score",
                col(Float64Array::from_iter_values(
                    keys.iter().map(|k| if k % 3 == 0 { 0.9 } else { 0.1 }),
                )),
            ),
        ],
    );
    old_file(&gate, &[], &[]);
    let gate = gate
        .input("validation_set", "scored.parquet")
        .input("key_columns", "pair_id")
        .input("report_json", "r.json")
        .any_metric();
    let ran = gate.input("baseline_predictions", "old.parquet").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.json("r.json")["paired"]["flips"], expected["paired"]["flips"]);
    let alone = two_models(Gate::new(), false);
    old_file(&alone, &[], &[]);
    let ran = alone.input("key_columns", "pair_id").input("baseline_predictions", "old.parquet");
    ran.run().assert_cannot_evaluate("pair_id");
}

#[test]
fn a_labelled_pair_the_previous_file_misses_or_repeats_is_refused_or_skipped() {
    let gate = joined(Gate::new());
    old_file(&gate, &[7, 8], &[]);
    let ran = gate.input("baseline_predictions", "old.parquet").run();
    ran.assert_cannot_evaluate("old.parquet");
    let gate = joined(Gate::new()).input("null_policy", "skip");
    old_file(&gate, &[7, 8], &[]);
    let ran = gate.input("baseline_predictions", "old.parquet").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    assert_eq!(report["skipped"]["previous_missing"], 2);
    assert_eq!(report["paired"]["previous_predictions"]["unpredicted"], 2);
    let gate = joined(Gate::new());
    old_file(&gate, &[], &[42]);
    let ran = gate.input("baseline_predictions", "old.parquet").run();
    ran.assert_cannot_evaluate("old.parquet");
}
