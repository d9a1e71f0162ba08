//! Recall through blocking (pair mode with `truth`): the true pairs among
//! the labelled records, the share blocking proposed, the share the model
//! found, and the labels the truth disputes.

use arrow_array::{BooleanArray, Float64Array, StringArray};

use crate::util::{Gate, col, write_parquet};

/// The outputs only a truth file in pair mode sets.
pub const BLOCKING_OUTPUTS: [&str; 9] = [
    "blocking_recall",
    "end_to_end_recall",
    "true_pairs",
    "label_disagreements",
    "closure_pairwise_precision",
    "closure_pairwise_recall",
    "closure_bcubed_precision",
    "closure_bcubed_recall",
    "closure_entities",
];

/// Records a1 a2 a3 a4 (entity A), b1 b2 (B), c1 (C): true pairs 6 + 1 =
/// 7. Candidates: a1-a2 (true, found), a2-a1 again (the same pair), a1-b1
/// (false, labelled true: disputed), a3-b2 (false), b1-b2 (true, missed),
/// a1-z9 (z9 outside the truth). a4 and c1 are in no candidate pair.
fn example(gate: &Gate) {
    let ids = |v: &[&str]| col(StringArray::from(v.to_vec()));
    write_parquet(
        &gate.path("pairs.parquet"),
        vec![
            ("left_id", ids(&["a1", "a2", "a1", "a3", "b1", "a1"])),
            ("right_id", ids(&["a2", "a1", "b1", "b2", "b2", "z9"])),
            ("score", col(Float64Array::from(vec![0.9, 0.9, 0.8, 0.1, 0.2, 0.1]))),
            ("label", col(BooleanArray::from(vec![true, true, true, false, true, false]))),
        ],
    );
    write_parquet(
        &gate.path("truth.parquet"),
        vec![
            ("record_id", ids(&["a1", "a2", "a3", "a4", "b1", "b2", "c1"])),
            ("true_entity_id", ids(&["A", "A", "A", "A", "B", "B", "C"])),
        ],
    );
}

fn gate() -> Gate {
    Gate::new()
        .input("validation_set", "pairs.parquet")
        .input("truth", "truth.parquet")
        .input("report_json", "r.json")
        .input("model_card", "card.md")
        .any_metric()
}

#[test]
fn blocking_and_end_to_end_recall_count_the_true_pairs_never_compared() {
    let gate = gate();
    example(&gate);
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // a1-a2 is one true pair, listed twice, and b1-b2 another: 2 of 7.
    assert_eq!(ran.outputs["true_pairs"], "7");
    assert_eq!(ran.number("blocking_recall"), 2.0 / 7.0);
    // TP: a1-a2, a2-a1 and a1-b1 (labelled true, predicted): 3 of 7, where
    // the candidates' recall is 3 of 4 (b1-b2 missed).
    assert_eq!(ran.number("end_to_end_recall"), 3.0 / 7.0);
    assert_eq!(ran.number("recall"), 0.75);
    assert_eq!(ran.outputs["label_disagreements"], "1");
    for name in &BLOCKING_OUTPUTS[..4] {
        assert!(ran.outputs.contains_key(*name), "{name}");
    }
    assert!(!ran.outputs.contains_key("closure_entities"), "closure: false");
    let b = &ran.json("r.json")["blocking"];
    assert_eq!(b["first_disagreements"], serde_json::json!([2]));
    assert_eq!(b["unresolved"], 1);
    assert_eq!(b["truth"]["missing"], 2);
    assert_eq!(b["truth"]["records"], 7);
    for text in [&ran.summary, &std::fs::read_to_string(ran.dir.join("card.md")).unwrap()] {
        assert!(text.contains("### Recall through blocking"), "{text}");
        assert!(
            text.contains("| Of them, candidate pairs (blocking recall) | 2 (28.6%) |"),
            "{text}"
        );
        assert!(text.contains("| Candidate pairs whose label the truth disputes | 1 (rows 2) |"));
        assert!(text.contains("| Truth records in no candidate pair | 2 of 7 |"), "{text}");
    }
    assert!(ran.stdout.contains("blocking recall 28.6% (2 of 7 true pairs are candidates)"));
}

#[test]
fn min_blocking_recall_fails_the_gate_and_recall_scope_judges_end_to_end() {
    // Blocking recall 2/7 = 28.6%.
    let ran = |gate: Gate| {
        example(&gate);
        gate.run()
    };
    let failed = ran(gate().input("min_blocking_recall", "0.3"));
    assert_eq!(failed.code, 1, "{failed:#?}");
    assert!(failed.stdout.contains("::error title=Blocking recall below its minimum::"));
    assert!(failed.summary.contains("Blocking recall is below its minimum: the gate fails."));
    assert!(
        failed
            .summary
            .contains("| Minimum blocking recall (min_blocking_recall) | ≥ 30.0%: ❌ fail |")
    );
    let passed = ran(gate().input("min_blocking_recall", "0.28"));
    assert_eq!(passed.code, 0, "{passed:#?}");
    assert!(passed.summary.contains("≥ 28.0%: ✅ pass |"), "{}", passed.summary);
    // min_recall 0.5: the candidates' recall (3/4) passes, end to end (3/7)
    // fails; with confidence the interval is Wilson's on the 7 true pairs.
    assert_eq!(ran(gate().input("min_recall", "0.5")).code, 0);
    let end = ran(gate().input("min_recall", "0.5").input("recall_scope", "end_to_end"));
    assert_eq!(end.code, 1, "{end:#?}");
    assert_eq!(end.number("recall"), 3.0 / 7.0);
    // (Pairs counted as independent: by default the intervals count the
    // candidates' shared records, cluster_by.)
    let end_to_end = gate().input("recall_scope", "end_to_end").input("confidence", "0.95");
    let sure = ran(end_to_end.input("cluster_by", "none"));
    let (q, n, z) = (3.0f64 / 7.0, 7.0f64, 1.959963984540054f64);
    let centre = (q + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (q * (1.0 - q) / n + z * z / (4.0 * n * n)).sqrt();
    assert!((sure.number("recall_lower") - (centre - half)).abs() < 1e-12, "{sure:#?}");
    assert!(sure.summary.contains("(recall_scope: end_to_end)"), "{}", sure.summary);
}

/// At 0.5 the example predicts a1-a2 (twice) and a1-b1: closed, one
/// component {a1, a2, b1} merges two entities; a3, a4, b2 and c1 stay
/// alone (z9's pair is not predicted).
#[test]
fn closure_merges_entities_through_chains_and_names_the_weakest_link() {
    let closed = gate().input("closure", "true");
    example(&closed);
    let ran = closed.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // Predicted pairs among the truth's records: 3, of which a1-a2 true;
    // true pairs 7.
    assert_eq!(ran.number("closure_pairwise_precision"), 1.0 / 3.0);
    assert_eq!(ran.number("closure_pairwise_recall"), 1.0 / 7.0);
    assert_eq!(ran.outputs["closure_entities"], "5");
    let c = &ran.json("r.json")["blocking"]["closure"];
    assert_eq!((c["components"].as_u64(), c["records"].as_u64()), (Some(5), Some(7)));
    assert_eq!(c["largest"][0], serde_json::json!({"records": 3, "weakest": [0.8, 2]}));
    assert!(
        ran.summary.contains(
            "| Largest components, records | 3 (weakest link 0.8 at row 2) · 1 · 1 · 1 · 1 |"
        ),
        "{}",
        ran.summary
    );
    let refused = Gate::with_fixture("sample_validation.parquet").input("closure", "true");
    refused.run().assert_cannot_evaluate("closure without truth in pair mode");
    let unclosed = gate().input("name_column", "name");
    example(&unclosed);
    unclosed.run().assert_cannot_evaluate("name_column and mode: pairs without closure");
}

#[test]
fn truth_in_pair_mode_needs_the_pairs_two_record_ids() {
    let refused = |gate: Gate, needle: &str| {
        example(&gate);
        gate.run().assert_cannot_evaluate(needle);
    };
    refused(gate().input("key_columns", "left_id"), "inputs truth and key_columns");
    refused(gate().input("key_columns", "left,right"), "has no column `left`");
    refused(gate().input("record_column", "id"), "has no column `id` (input `record_column`)");
    let without = Gate::new().input("validation_set", "pairs.parquet").any_metric();
    refused(without.input("min_blocking_recall", "0.9"), "min_blocking_recall without truth");
    let weighted = gate().input("recall_scope", "end_to_end").input("weight_column", "score");
    refused(weighted, "recall_scope: end_to_end and weight_column");
    refused(gate().input("recall_scope", "all"), "input `recall_scope`");
}

/// FEBRL4 blocked on postcode, against pandas (`tests/blocking_oracle.py`).
#[cfg(feature = "external-tests")]
#[test]
fn febrl4_blocked_on_postcode_counts_as_pandas_does() {
    let gate = Gate::new()
        .input("validation_set", "candidates.parquet")
        .input("truth", "truth.parquet")
        .input("decision_threshold", "0.6")
        .input("report_json", "r.json")
        .any_metric();
    let dir = gate.path("");
    let expected =
        Gate::python("blocking_oracle.py", &[dir.as_os_str()], "recordlinkage, pandas and pyarrow");
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let b = &ran.json("r.json")["blocking"];
    assert_eq!(b["true_pairs"], expected["true_pairs"]);
    assert_eq!(b["candidate_true_pairs"], expected["candidate_true_pairs"]);
    assert_eq!(ran.outputs["tp"], expected["tp"].to_string());
    let (t, c) = (
        expected["true_pairs"].as_f64().unwrap(),
        expected["candidate_true_pairs"].as_f64().unwrap(),
    );
    assert_eq!(ran.number("blocking_recall"), c / t);
    assert_eq!(ran.number("end_to_end_recall"), expected["tp"].as_f64().unwrap() / t);
    let flipped = expected["label_disagreements"].as_array().unwrap();
    assert_eq!(b["label_disagreements"], flipped.len());
    assert_eq!(b["first_disagreements"], serde_json::json!(flipped[..20]));
    assert_eq!(b["truth"]["missing"], expected["missing"]);
    assert_eq!(b["unresolved"], 0);
    // Closed at 0.2 (one field of five agrees), chains merge entities.
    let closed = Gate::new()
        .input("validation_set", "candidates.parquet")
        .input("truth", "truth.parquet")
        .input("closure", "true")
        .input("name_column", "name")
        .input("decision_threshold", "0.2")
        .input("report_json", "r.json")
        .any_metric();
    for file in ["candidates.parquet", "truth.parquet"] {
        std::fs::copy(dir.join(file), closed.path(file)).unwrap();
    }
    let ran = closed.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let want = &expected["closure"];
    let c = &ran.json("r.json")["blocking"]["closure"];
    assert_eq!(c["components"], want["components"]);
    let largest: Vec<&serde_json::Value> =
        c["largest"].as_array().unwrap().iter().map(|k| &k["records"]).collect();
    assert_eq!(serde_json::json!(largest), want["largest"]);
    assert_eq!(c["clusters"]["counts"]["predicted_clusters"], want["entities"]);
    assert_eq!(ran.outputs["closure_entities"], want["entities"].to_string());
    let families = &c["clusters"]["families"];
    for (family, metric) in [
        ("pairwise", "precision"),
        ("pairwise", "recall"),
        ("cluster", "precision"),
        ("cluster", "recall"),
        ("bcubed", "precision"),
        ("bcubed", "recall"),
        ("bcubed_cluster_averaged", "precision"),
    ] {
        let (ours, theirs) = (&families[family][metric], &want[format!("{family}_{metric}")]);
        assert!(
            (ours.as_f64().unwrap() - theirs.as_f64().unwrap()).abs() < 1e-12,
            "{family} {metric}"
        );
    }
    assert!(want["pairwise_precision"].as_f64().unwrap() < 0.9, "chains merge entities");
    assert_eq!(
        ran.number("closure_pairwise_precision"),
        families["pairwise"]["precision"].as_f64().unwrap()
    );
    // Every named component's weakest link is a predicted pair: at least 0.2.
    for k in c["largest"].as_array().unwrap() {
        assert!(k["weakest"][0].as_f64().unwrap() >= 0.2, "{k}");
    }
    assert!(ran.summary.contains("After closure, pairwise precision / recall / F1"));
    // er-evaluation's summary statistics of the components, by name.
    for key in ["homonymy_rate", "name_variation_rate"] {
        let (ours, theirs) = (ran.number(key), want[key].as_f64().unwrap());
        assert!((ours - theirs).abs() < 1e-12, "{key}: {ours} vs {theirs}");
    }
    assert!(ran.summary.contains("Homonymy rate (`name`)"), "{}", ran.summary);
}

/// A Splink model's `predict()` output on FEBRL4, as it comes (its pair
/// columns `rec_id_l`, `rec_id_r` and `match_probability`), against pandas.
#[cfg(feature = "external-tests")]
#[test]
fn a_splink_predict_output_is_measured_through_blocking() {
    let gate = Gate::new()
        .input("validation_set", "splink.parquet")
        .input("truth", "truth.parquet")
        .input("key_columns", "rec_id_l,rec_id_r")
        .input("record_column", "record_id")
        .input("score_column", "match_probability")
        .input("report_json", "r.json")
        .any_metric();
    let dir = gate.path("");
    let args = [std::ffi::OsStr::new("splink"), dir.as_os_str()];
    let expected = Gate::python("blocking_oracle.py", &args, "splink, recordlinkage and pandas");
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let b = &ran.json("r.json")["blocking"];
    for key in ["true_pairs", "candidate_true_pairs"] {
        assert_eq!(b[key], expected[key], "{key}");
    }
    assert_eq!(ran.outputs["tp"], expected["tp"].to_string());
    assert_eq!(b["truth"]["missing"], expected["missing"]);
    assert_eq!((b["label_disagreements"].as_u64(), b["unresolved"].as_u64()), (Some(0), Some(0)));
}
