//! Cluster mode on a sampled benchmark (`truth_sampling`): the metrics
//! estimated for the population with er-evaluation's estimators, beside
//! the naive ones of the sampled records, and every way the sample's
//! weights can be wrong.

use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};

use crate::util::{Gate, col, write_parquet};

/// er-evaluation's docstring example: records 1–8 predicted 1 1 2 3 2 4 4
/// 4; the benchmark samples c1 = {1,2,3}, c2 = {4,5}, c4 = {8}; records 6
/// and 7 are outside it (no true entity). `weight` per record.
fn example(gate: &Gate, weight: Vec<Option<f64>>) {
    let truth = vec![Some("c1"), Some("c1"), Some("c1"), Some("c2"), Some("c2"), None, None];
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("record_id", col(Int64Array::from((1..=8).collect::<Vec<i64>>()))),
        ("true_entity_id", col(StringArray::from([truth, vec![Some("c4")]].concat()))),
        ("predicted_entity_id", col(Int64Array::from(vec![1, 1, 2, 3, 2, 4, 4, 4]))),
        ("weight", col(Float64Array::from(weight))),
    ];
    write_parquet(&gate.path("c.parquet"), columns);
}

fn sampled_gate(sampling: &str) -> Gate {
    Gate::new()
        .input("validation_set", "c.parquet")
        .input("mode", "clusters")
        .input("truth_sampling", sampling)
        .input("report_json", "r.json")
        .any_metric()
}

#[test]
fn records_outside_the_sample_widen_the_predicted_entities_and_the_estimate_says_so() {
    let gate = sampled_gate("uniform").input("confidence", "0.95");
    example(&gate, vec![Some(1.0); 8]);
    let ran = gate.run();
    // Three entities tell little: the interval, [-0.11, 0.89], holds
    // even a minimum of 0.
    assert_eq!(ran.outputs["verdict"], "inconclusive", "{ran:#?}");
    // er-evaluation: (0.3888888888888889, 0.2545875386086578).
    let (value, std) = (ran.number("pairwise_precision"), ran.number("pairwise_precision_std"));
    assert!((value - 7.0 / 18.0).abs() < 1e-12, "{value}");
    assert!((std - 0.2545875386086578).abs() < 1e-12, "{std}");
    assert_eq!(ran.number("precision"), value);
    // The interval: the estimate ± 1.96 deviations.
    let z = 1.959963984540054;
    assert!((ran.number("precision_lower") - (value - z * std)).abs() < 1e-12);
    // Naive: six sampled records, of which {1,2} and {3,5} share a
    // predicted entity: pairwise precision 1/2 over them alone.
    let report = ran.json("r.json");
    let c = &report["clusters"];
    assert_eq!(c["families"]["pairwise"]["precision"], 0.5);
    assert_eq!(c["counts"]["records"], 6);
    assert_eq!(c["estimates"]["population_records"], 8);
    assert_eq!(c["estimates"]["entities"], 3);
    assert_eq!(c["sampling"], "uniform");
    // No B-cubed F estimator: the output is the harmonic mean, no sibling.
    assert!(!ran.outputs.contains_key("bcubed_f1_std"), "{ran:#?}");
    assert!(ran.summary.contains("| **Pairwise** (decides) | 38.9% ± 25.5 |"), "{}", ran.summary);
    assert!(ran.summary.contains("B-cubed, per sampled entity F1 has no standard deviation"));
    assert!(ran.summary.contains("| Pairwise | 50.0% |"), "{}", ran.summary);
    assert!(ran.summary.contains("3 sampled entities are fewer than the 400"), "{}", ran.summary);
}

#[test]
fn a_sample_of_one_entity_has_no_deviation_and_its_rule_falls_back_on_the_point() {
    let gate = sampled_gate("cluster_size").input("confidence", "0.95");
    let weights = vec![Some(1.0); 8];
    let truth: Vec<Option<&str>> = vec![Some("c1"), Some("c1"), Some("c1"), None, None, None, None];
    write_parquet(
        &gate.path("c.parquet"),
        vec![
            ("record_id", col(Int64Array::from((1..=8).collect::<Vec<i64>>()))),
            ("true_entity_id", col(StringArray::from([truth, vec![None]].concat()))),
            ("predicted_entity_id", col(Int64Array::from(vec![1, 1, 2, 3, 2, 4, 4, 4]))),
            ("weight", col(Float64Array::from(weights))),
        ],
    );
    let ran = gate.run();
    assert!(ran.code < 2, "{ran:#?}");
    assert_eq!(ran.outputs["pairwise_recall_std"], "");
    assert_eq!(ran.number("pairwise_recall"), 1.0 / 3.0);
    assert!(ran.summary.contains("one sampled entity: no spread to estimate it from"));
}

#[test]
fn weights_name_their_rows_when_they_disagree_or_are_missing() {
    let weighted = || sampled_gate("weights").input("truth_weight_column", "weight");
    let gate = weighted();
    let w = |x: f64| Some(x);
    example(&gate, vec![w(2.0), w(2.0), w(2.0), w(1.0), w(1.0), None, None, w(4.0)]);
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // Weights 2, 1, 4 on c1, c2, c4 against er-evaluation's
    // pairwise_precision_estimator(prediction, sample, pd.Series({"c1": 2,
    // "c2": 1, "c4": 4})): N = (4, 0, 0), D = (6, 1, 8).
    let (n, d) = ([4.0f64, 0.0, 0.0], [6.0f64, 1.0, 8.0]);
    let (nm, dm) = (n.iter().sum::<f64>() / 3.0, d.iter().sum::<f64>() / 3.0);
    let adj =
        1.0 + n.iter().zip(&d).map(|(n, d)| d * (n / nm - d / dm)).sum::<f64>() / 3.0 / (2.0 * dm);
    assert!((ran.number("pairwise_precision") - adj * nm / dm).abs() < 1e-12);
    let gate = weighted();
    example(&gate, vec![w(2.0), w(2.0), w(3.0), w(1.0), w(1.0), None, None, w(4.0)]);
    gate.run().assert_cannot_evaluate(
        "gives one true entity two weights, 2 and 3, on the records at rows 0 and 2",
    );
    let gate = weighted();
    example(&gate, vec![w(2.0), w(2.0), w(2.0), None, w(1.0), None, None, w(4.0)]);
    gate.run().assert_cannot_evaluate("holds null at row 3: expected weights that are finite and not negative (input `truth_weight_column`)");
    let gate = weighted();
    example(&gate, vec![w(2.0), w(2.0), w(2.0), w(-1.0), w(-1.0), None, None, w(4.0)]);
    gate.run().assert_cannot_evaluate("holds -1 at row 3");
}

#[test]
fn sampling_inputs_are_refused_where_they_mean_nothing() {
    let gate = sampled_gate("uniform");
    example(&gate, vec![Some(1.0); 8]);
    let none = vec![None::<&str>; 8];
    write_parquet(
        &gate.path("c.parquet"),
        vec![
            ("record_id", col(Int64Array::from((1..=8).collect::<Vec<i64>>()))),
            ("true_entity_id", col(StringArray::from(none))),
            ("predicted_entity_id", col(Int64Array::from(vec![1, 1, 2, 3, 2, 4, 4, 4]))),
        ],
    );
    gate.run().assert_cannot_evaluate("has no record with a true entity in `true_entity_id`");
    let refused = |gate: Gate, needle: &str| {
        example(&gate, vec![Some(1.0); 8]);
        gate.run().assert_cannot_evaluate(needle);
    };
    refused(sampled_gate("everyone"), "input `truth_sampling`");
    refused(sampled_gate("weights"), "truth_weight_column");
    refused(
        sampled_gate("uniform").input("truth_weight_column", "weight"),
        "truth_weight_column only with truth_sampling: weights",
    );
    let plain = Gate::new().input("validation_set", "c.parquet").input("mode", "clusters");
    refused(
        plain.any_metric().input("confidence", "0.9"),
        "confidence in cluster mode with truth_sampling",
    );
    refused(
        Gate::with_fixture("sample_validation.parquet").input("truth_sampling", "uniform"),
        "truth_sampling and mode: pairs",
    );
    // Without truth_sampling, a record without a true entity is a null id.
    let plain = Gate::new().input("validation_set", "c.parquet").input("mode", "clusters");
    refused(plain.any_metric(), "true_entity_id");
}

/// PatentsView: the 20211230 disambiguation's whole prediction (130,097
/// mentions), the benchmark's 401 inventors as the sample.
#[cfg(feature = "external-tests")]
#[test]
fn a_sampled_patentsview_benchmark_is_estimated_as_er_evaluation_estimates_it() {
    let probe = Gate::new();
    let dir = probe.path("");
    let args = [std::ffi::OsStr::new("sampled"), dir.as_os_str(), "20211230".as_ref()];
    let expected = Gate::python("clusters_oracle.py", &args, "er-evaluation and pyarrow");
    assert_eq!(expected["entities"], 401);
    // The true entities in the records file, then in a truth file of
    // their own (with three records the prediction lacks).
    let runs = [("uniform", false), ("cluster_size", false), ("weights", false), ("weights", true)];
    for (sampling, joined) in runs {
        let file = if joined { "pv_records.parquet" } else { "pv_sampled.parquet" };
        let mut gate = sampled_gate(sampling).input("validation_set", file);
        std::fs::copy(probe.path(file), gate.path(file)).unwrap();
        if joined {
            std::fs::copy(probe.path("pv_truth.parquet"), gate.path("pv_truth.parquet")).unwrap();
            gate = gate.input("truth", "pv_truth.parquet");
        }
        if sampling == "weights" {
            gate = gate.input("truth_weight_column", "weight");
        }
        let ran = gate.run();
        assert!(ran.code < 2, "{ran:#?}");
        let report = ran.json("r.json");
        let estimates = &report["clusters"]["estimates"];
        assert_eq!(estimates["population_records"], expected["records"]);
        assert_eq!(estimates["records"], expected["sampled_records"]);
        for (key, pair) in expected[sampling].as_object().unwrap() {
            let (family, metric) = key.split_once('_').unwrap();
            let ours = &estimates[family][metric];
            for (field, theirs) in [("value", &pair[0]), ("std", &pair[1])] {
                let (a, b) = (ours[field].as_f64().unwrap(), theirs.as_f64().unwrap());
                assert!((a - b).abs() <= 1e-9 * b.abs(), "{sampling} {key} {field}: {a} vs {b}");
            }
            let output = ran.number(key);
            assert_eq!(output, ours["value"].as_f64().unwrap(), "{sampling} {key}");
        }
        // 401 entities: enough for the simulation's uniform intervals.
        assert!(!ran.summary.contains("are fewer than the 400"), "{}", ran.summary);
        let by_size = ran.summary.contains("Sampled by size, cluster and B-cubed recall's");
        if joined {
            let truth = &report["clusters"]["truth"];
            assert_eq!(truth["records"], expected["sampled_records"].as_u64().unwrap() + 3);
            assert_eq!(truth["missing"], 3);
            let first = expected["sampled_records"].as_u64().unwrap();
            assert_eq!(truth["first_missing"], serde_json::json!([first, first + 1, first + 2]));
            let note = "3 of them are not in the validation set and count nowhere";
            assert!(ran.summary.contains(note), "{}", ran.summary);
        }
        assert_eq!(by_size, sampling == "cluster_size", "{}", ran.summary);
        for (key, theirs) in expected["naive"].as_object().unwrap() {
            let (family, metric) = key.split_once('_').unwrap();
            let ours = report["clusters"]["families"][family][metric].as_f64().unwrap();
            assert!((ours - theirs.as_f64().unwrap()).abs() <= 1e-12, "naive {key}");
        }
    }
}

/// The docstring example with its truth in a file of its own: records
/// 1–8 with their predicted entities, the truth file c1 = {1,2,3},
/// c2 = {4,5}, c4 = {8} and record 9, which the records lack.
#[test]
fn a_truth_file_joins_on_record_ids_and_counts_what_the_records_lack() {
    let write = |gate: &Gate, ids: Vec<Option<i64>>, truth: Vec<Option<&str>>| {
        write_parquet(
            &gate.path("c.parquet"),
            vec![
                ("record_id", col(Int64Array::from((1..=8).collect::<Vec<i64>>()))),
                ("predicted_entity_id", col(Int64Array::from(vec![1, 1, 2, 3, 2, 4, 4, 4]))),
            ],
        );
        write_parquet(
            &gate.path("t.parquet"),
            vec![
                ("record_id", col(Int64Array::from(ids))),
                ("true_entity_id", col(StringArray::from(truth))),
            ],
        );
    };
    let ids = |v: &[i64]| v.iter().map(|&i| Some(i)).collect::<Vec<_>>();
    let truth =
        vec![Some("c1"), Some("c1"), Some("c1"), Some("c2"), Some("c2"), Some("c4"), Some("c4")];
    let gate = sampled_gate("uniform").input("truth", "t.parquet");
    write(&gate, ids(&[1, 2, 3, 4, 5, 8, 9]), truth.clone());
    let ran = gate.run();
    assert!(ran.code < 2, "{ran:#?}");
    assert!((ran.number("pairwise_precision") - 7.0 / 18.0).abs() < 1e-12);
    let report = ran.json("r.json");
    let t = &report["clusters"]["truth"];
    assert_eq!((t["records"].as_u64(), t["missing"].as_u64()), (Some(7), Some(1)));
    assert_eq!(t["first_missing"], serde_json::json!([6]));
    assert_eq!(t["sha256"].as_str().unwrap().len(), 64);
    assert!(
        ran.summary.contains("1 of them are not in the validation set and count nowhere (rows 6)")
    );
    // A record twice, a null entity: exit 2 naming the rows.
    let gate = sampled_gate("uniform").input("truth", "t.parquet");
    write(&gate, ids(&[1, 2, 3, 4, 5, 8, 2]), truth.clone());
    gate.run().assert_cannot_evaluate("lists record `2` of `record_id` twice, at rows 1 and 6");
    let gate = sampled_gate("uniform").input("truth", "t.parquet");
    let mut holed = truth.clone();
    holed[3] = None;
    write(&gate, ids(&[1, 2, 3, 4, 5, 8, 9]), holed);
    gate.run().assert_cannot_evaluate(
        "column `true_entity_id` of truth file `t.parquet` is null at row 3",
    );
    // Without truth_sampling: refused (in pair mode, truth is the labelled
    // records', tests/blocking.rs).
    let gate = Gate::new().input("validation_set", "c.parquet").input("mode", "clusters");
    let gate = gate.input("truth", "t.parquet").any_metric();
    write(&gate, ids(&[1]), vec![Some("c1")]);
    gate.run().assert_cannot_evaluate("truth without truth_sampling");
}
