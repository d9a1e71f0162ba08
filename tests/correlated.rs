//! `cluster_by`: intervals for pairs that are not independent, overall and
//! per slice, equal to statsmodels and the dyadic formula; the default that
//! takes the key columns, and the inputs it refuses.

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};

use crate::util::{Gate, Ran, col, write_parquet};

/// 100 blocks of 20 predicted matches: 90 blocks all right, 10 right 8
/// times in 20. Precision 0.94 over 2,000 pairs, but worth far fewer.
fn blocks(gate: Gate, blocks: i64) -> Gate {
    blocks_with(gate, blocks, Vec::new())
}

/// [`blocks`], with `extra` columns.
fn blocks_with(gate: Gate, blocks: i64, extra: Vec<(&str, ArrayRef)>) -> Gate {
    let per = 2000 / blocks;
    let block: Vec<i64> = (0..2000).map(|i| i / per).collect();
    let label: Vec<bool> =
        (0..2000).map(|i| i / per >= blocks / 10 || i % per < per * 2 / 5).collect();
    let columns = vec![
        ("block", col(Int64Array::from(block))),
        ("label", col(BooleanArray::from(label))),
        ("score", col(Float64Array::from(vec![0.9; 2000]))),
    ];
    write_parquet(&gate.path("b.parquet"), [columns, extra].concat());
    gate.input("validation_set", "b.parquet")
        .input("confidence", "0.95")
        .input("min_precision", "0.92")
        .input("min_recall", "0")
        .input("min_f1", "0")
        .input("report_json", "r.json")
}

#[test]
fn correlated_pairs_cannot_pass_on_the_independent_interval() {
    let independent = blocks(Gate::new(), 100).input("cluster_by", "none").run();
    assert_eq!((independent.code, independent.outputs["verdict"].as_str()), (0, "pass"));
    assert_eq!(independent.outputs["precision_design_effect"], "");
    assert!(
        independent.summary.contains("They assume independent pairs"),
        "{}",
        independent.summary
    );

    let ran = blocks(Gate::new(), 100).input("cluster_by", "block").run();
    assert_eq!((ran.code, ran.outputs["verdict"].as_str()), (1, "inconclusive"), "{ran:#?}");
    let effect: f64 = ran.outputs["precision_design_effect"].parse().unwrap();
    let worth: f64 = ran.outputs["precision_effective_pairs"].parse().unwrap();
    assert!(effect > 5.0 && (effect * worth - 2000.0).abs() < 1e-6, "{effect} {worth}");
    let report = ran.json("r.json");
    assert_eq!(report["intervals"]["method"], "wilson_cluster");
    assert_eq!(report["intervals"]["cluster_by"]["precision"]["clusters"], 100);
    assert!(
        ran.summary.contains(
            "pairs with one value of `block` are correlated. Precision: 2000 pairs, worth"
        ),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("Only 100 clusters: the simulation"), "{}", ran.summary);
    // More data: the independent pairs that give a Wilson bound an 80%
    // chance to clear 0.92 (the score test's sample size, at the interval's
    // critical value: scipy's t.isf(0.025, 99) for 100 blocks), as pairs of
    // this design effect, in proportionally more blocks.
    let needed = &report["inconclusive"][0];
    assert_eq!(needed["design_effect"].as_f64(), Some(effect));
    let (p, b, z) = (0.94f64, 0.92f64, (1.9842169515086827, 0.8416212335729143));
    let root = (z.0 * (b * (1.0 - b)).sqrt() + z.1 * (p * (1.0 - p)).sqrt()) / (p - b);
    let independent = (root * root).ceil();
    let expected = (independent * effect).ceil();
    assert_eq!(needed["trials_needed"].as_f64(), Some(expected), "{needed}");
    let blocks = (100.0 * expected / 2000.0).ceil() as u64 - 100;
    assert_eq!(needed["clusters"]["more"].as_u64(), Some(blocks), "{needed}");
    let said = format!("more labelled pairs like these in about {blocks} more clusters");
    assert!(ran.summary.contains(&said), "{said}: {}", ran.summary);
    assert!(ran.summary.contains("at the design effect of"), "{}", ran.summary);
}

#[test]
fn the_key_columns_group_the_pairs_by_default_when_the_data_has_them() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("confidence", "0.95")
        .input("report_json", "r.json")
        .run();
    let report = ran.json("r.json");
    assert_eq!(
        report["intervals"]["cluster_by"]["columns"],
        serde_json::json!(["left_id", "right_id"])
    );
    assert!(
        ran.summary.contains("pairs that share a record (`left_id` or `right_id`)"),
        "{}",
        ran.summary
    );
    // Without them (the block file has neither), the pairs are independent.
    let ran = blocks(Gate::new(), 100).run();
    assert!(ran.json("r.json")["intervals"]["cluster_by"].is_null());
    // Without confidence, no interval and no grouping.
    let ran = Gate::with_fixture("sample_validation.parquet").input("report_json", "r.json").run();
    assert!(ran.json("r.json")["intervals"].is_null());
}

#[test]
fn a_cluster_by_that_cannot_group_the_pairs_is_refused() {
    let ran = blocks(Gate::new(), 100).input("cluster_by", "entity").run();
    ran.assert_cannot_evaluate("`entity`");
    assert!(ran.errors()[0].contains("cluster_by"), "{}", ran.stdout);
    let ran = blocks(Gate::new(), 100).input("cluster_by", "score").run();
    assert_eq!(ran.code, 2, "a float is no id: {ran:#?}");
    let ran = blocks(Gate::new(), 100).input("cluster_by", "a,b,c").run();
    ran.assert_cannot_evaluate("cluster_by");
}

/// Slices under `cluster_by`: each slice's intervals count its own
/// clusters. The first half of the blocks holds every poor block, so its
/// precision is 6 points below overall: on 1,000 independent pairs that
/// would be shown, but its 50 blocks, 10 of them poor, do not show it.
#[test]
fn a_slice_of_correlated_pairs_is_judged_on_what_its_pairs_are_worth() {
    let run = |cluster_by: &str| {
        let half: Vec<&str> =
            (0..2000).map(|i| if i < 1000 { "first" } else { "second" }).collect();
        let half = vec![("half", col(StringArray::from(half)))];
        blocks_with(Gate::new(), 100, half)
            .input("cluster_by", cluster_by)
            .input("slice_columns", "half")
            .input("slice_limitation_gap", "0.01")
            .run()
    };
    let independent = run("none");
    let first = |ran: &Ran| ran.json("r.json")["slices"]["columns"][0]["slices"][0].clone();
    let flagged = serde_json::json!(["precision", "f1"]);
    assert_eq!(first(&independent)["flagged"], flagged, "{independent:#?}");
    assert!(first(&independent)["cluster_by"].is_null());
    let ran = run("block");
    let slice = first(&ran);
    assert_eq!(slice["value"], "first");
    assert_eq!(slice["flagged"], serde_json::json!([]), "{slice}");
    assert_eq!(slice["cluster_by"]["precision"]["clusters"], 50);
    let effect = slice["cluster_by"]["precision"]["design_effect"].as_f64().unwrap();
    let worth = slice["cluster_by"]["precision"]["effective_pairs"].as_f64().unwrap();
    assert!(effect > 5.0 && (effect * worth - 1000.0).abs() < 1e-6, "{slice}");
    let upper = slice["intervals"]["precision"]["upper"].as_f64().unwrap();
    assert!(upper > 0.93, "{slice}");
    assert!(
        ran.summary.contains("Each slice's intervals count its correlated pairs (by `block`)"),
        "{}",
        ran.summary
    );
}

/// `cluster_by` with one column equals statsmodels' cluster-robust OLS
/// variance; with two, the dyadic-robust variance computed directly; over
/// all the pairs and over each slice's.
#[cfg(feature = "external-tests")]
#[test]
fn cluster_robust_intervals_equal_statsmodels_and_the_dyadic_formula() {
    for columns in ["block", "left_id,right_id"] {
        let gate = Gate::new();
        let file = gate.path("c.parquet");
        let args = [file.as_os_str(), "0.9".as_ref()];
        let expected = Gate::python("cluster_oracle.py", &args, "statsmodels, pandas and pyarrow");
        let ran = gate
            .input("validation_set", "c.parquet")
            .input("cluster_by", columns)
            .input("slice_columns", "kind")
            .input("confidence", "0.9")
            .input("report_json", "r.json")
            .any_metric()
            .run();
        assert_eq!(ran.code, 0, "{ran:#?}");
        let report = ran.json("r.json");
        let intervals = &report["intervals"];
        assert_eq!(intervals["method"], "wilson_cluster");
        same_designs(&intervals["cluster_by"], intervals, &expected[columns], columns);
        for metric in ["precision", "recall", "f1"] {
            for key in ["effective_pairs", "design_effect"] {
                let ours = intervals["cluster_by"][metric][key].as_f64().unwrap();
                let output = ran.outputs[&format!("{metric}_{key}")].parse::<f64>().unwrap();
                assert_eq!(output, ours, "{metric}_{key}");
            }
        }
        let slices = report["slices"]["columns"][0]["slices"].as_array().unwrap();
        let theirs = expected[columns]["slices"].as_object().unwrap();
        assert_eq!(slices.len(), theirs.len(), "{theirs:?}");
        for slice in slices {
            let what = format!("{columns} kind {}", slice["value"]);
            let theirs = &theirs[&slice["value"].to_string()];
            same_designs(&slice["cluster_by"], &slice["intervals"], theirs, &what);
        }
        assert!(ran.summary.contains("worth"), "{}", ran.summary);
    }
}

/// A report's designs and intervals equal the oracle's, metric by metric.
#[cfg(feature = "external-tests")]
fn same_designs(
    designs: &serde_json::Value,
    intervals: &serde_json::Value,
    expected: &serde_json::Value,
    what: &str,
) {
    let close = |ours: &serde_json::Value, theirs: &serde_json::Value, what: &str| {
        crate::util::assert_close(ours, theirs, (1e-9, 1.0), what);
    };
    for metric in ["precision", "recall", "f1"] {
        let (ours, theirs) = (&designs[metric], &expected[metric]);
        assert_eq!(ours["clusters"], theirs["clusters"], "{what} {metric}");
        for key in ["effective_pairs", "design_effect"] {
            close(&ours[key], &theirs[key], &format!("{what} {metric} {key}"));
        }
        for bound in ["lower", "upper"] {
            close(&intervals[metric][bound], &theirs[bound], &format!("{what} {metric} {bound}"));
        }
    }
}
