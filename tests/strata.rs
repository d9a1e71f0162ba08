//! `strata_column` and `strata_sizes`: a sample labelled stratum by stratum
//! at different rates is estimated as the population it was drawn from.

use arrow_array::{BooleanArray, Float64Array, StringArray};

use crate::util::{Gate, col, write_parquet};

/// Three score bands labelled at very different rates: 300 pairs of
/// `high`, 200 of `mid`, 500 of `low`; the sizes say the population has
/// 2,000, 10,000 and 500,000.
fn stratified(gate: Gate) -> Gate {
    let (mut band, mut label, mut score) = (Vec::new(), Vec::new(), Vec::new());
    for (name, n, predicted, right) in
        [("high", 300, 290, 280), ("mid", 200, 90, 60), ("low", 500, 3, 1)]
    {
        for i in 0..n {
            band.push(name);
            let is_predicted = i < predicted;
            score.push(if is_predicted { 0.9 } else { 0.1 });
            // Of the predicted ones the first `right` are matches; of the
            // others, one in ten in `high` and `mid`, one in fifty in `low`.
            let rare = if name == "low" { 50 } else { 10 };
            label.push(if is_predicted { i < right } else { i % rare == 0 });
        }
    }
    write_parquet(
        &gate.path("s.parquet"),
        vec![
            ("band", col(StringArray::from(band))),
            ("label", col(BooleanArray::from(label))),
            ("score", col(Float64Array::from(score))),
        ],
    );
    std::fs::write(gate.path("sizes.csv"), "stratum,pairs\nhigh,2000\nmid,10000\nlow,500000\n")
        .unwrap();
    gate.input("validation_set", "s.parquet")
        .input("strata_column", "band")
        .input("strata_sizes", "sizes.csv")
        .input("report_json", "r.json")
        .any_metric()
}

#[cfg(feature = "external-tests")]
#[test]
fn stratified_estimates_equal_scikit_learn_and_the_variance_a_direct_implementation() {
    let gate = stratified(Gate::new()).input("confidence", "0.9").input("model_card", "card.md");
    let args = [gate.path("s.parquet"), gate.path("sizes.csv"), "0.9".into()];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let expected = Gate::python("strata_oracle.py", &args, "pandas, scikit-learn and statsmodels");
    let report = ran.json("r.json");
    assert_eq!(report["intervals"]["method"], "wilson_stratified");
    let close = |a: f64, b: f64, what: &str| {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-300), "{what}: {a} vs {b}");
    };
    for metric in ["precision", "recall", "f1"] {
        let (ours, theirs) = (&report["strata"][metric], &expected[metric]);
        close(ran.number(metric), theirs["estimate"].as_f64().unwrap(), metric);
        for key in ["estimate", "variance", "effective_pairs"] {
            close(ours[key].as_f64().unwrap(), theirs[key].as_f64().unwrap(), key);
        }
        for bound in ["lower", "upper"] {
            let ours = report["intervals"][metric][bound].as_f64().unwrap();
            close(ours, theirs[bound].as_f64().unwrap(), bound);
        }
    }
    // The counts stay the labelled pairs'; the sweep counts pairs, so it is off.
    assert_eq!(report["counts"]["tp"], 280 + 60 + 1);
    assert!(report["sweep"].is_null());
    assert!(
        ran.summary
            .contains("Stratified by `band` (3 strata, 1000 of 512000 candidate pairs labelled)"),
        "{}",
        ran.summary
    );
    assert!(ran.stdout.contains("stratified by band: 3 strata"), "{}", ran.stdout);
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("| Sampling method | Stratified random sampling by band: 3 strata, 1000 of 512000 candidate pairs labelled"), "{card}");
}

#[test]
fn the_estimate_is_of_the_population_not_of_the_labelled_pairs() {
    let plain =
        stratified(Gate::new()).unset("INPUT_STRATA_COLUMN").unset("INPUT_STRATA_SIZES").run();
    let ran = stratified(Gate::new()).run();
    assert_eq!((plain.code, ran.code), (0, 0), "{ran:#?}");
    // The labelled pairs' recall counts each miss once; the population's
    // weighs the low band's rare misses 1,000 times.
    assert!(
        ran.number("recall") < plain.number("recall") - 0.2,
        "{} vs {}",
        ran.number("recall"),
        plain.number("recall")
    );
    assert!(
        plain.summary.contains("They assume independent pairs")
            || !plain.summary.contains("Stratified")
    );
}

#[test]
fn strata_that_disagree_with_their_sizes_stop_the_gate() {
    let sizes = |text: &str| {
        let gate = stratified(Gate::new());
        std::fs::write(gate.path("sizes.csv"), text).unwrap();
        gate.run()
    };
    sizes("stratum,pairs\nhigh,2000\nmid,10000\n").assert_cannot_evaluate(
        "column `band` (strata_column) of validation set `s.parquet` has the stratum `low`, which strata_sizes `sizes.csv` does not list",
    );
    sizes("stratum,pairs\nhigh,2000\nmid,10000\nlow,500000\nnone,9\n")
        .assert_cannot_evaluate("has no labelled pair in the stratum `none`");
    sizes("stratum,pairs\nhigh,200\nmid,10000\nlow,500000\n").assert_cannot_evaluate(
        "has 300 labelled pairs in the stratum `high`, more than the 200 candidate pairs",
    );
    sizes("band,pairs\nhigh,2000\n").assert_cannot_evaluate(
        "strata_sizes `sizes.csv`: line 1: expected the header `stratum,pairs`",
    );
    sizes("stratum,pairs\nhigh,many\n").assert_cannot_evaluate(
        "line 2: expected the stratum's candidate pairs, a whole number above 0",
    );
}

#[test]
fn strata_need_both_inputs_a_column_and_no_other_weighting() {
    stratified(Gate::new())
        .unset("INPUT_STRATA_SIZES")
        .run()
        .assert_cannot_evaluate("strata_column and strata_sizes");
    stratified(Gate::new())
        .input("strata_column", "stratum")
        .run()
        .assert_cannot_evaluate("strata_column");
    stratified(Gate::new())
        .input("weight_column", "score")
        .run()
        .assert_cannot_evaluate("strata_column and weight_column");
    stratified(Gate::new())
        .input("cluster_by", "band")
        .run()
        .assert_cannot_evaluate("strata_column and cluster_by");
    // A FIFO as the sizes file is refused, never waited on.
    let gate = stratified(Gate::new());
    std::fs::remove_file(gate.path("sizes.csv")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(gate.path("sizes.csv")).status().unwrap();
    assert!(status.success());
    gate.run().assert_cannot_evaluate("strata_sizes `sizes.csv`");
}

#[test]
fn the_sizes_may_be_a_mapping_in_the_config_file() {
    let from_csv = stratified(Gate::new()).run();
    let gate = stratified(Gate::new()).unset("INPUT_STRATA_SIZES").input("config", "gate.yml");
    let config = "strata_sizes:\n  high: 2000\n  mid: 10000\n  low: 500000\n";
    std::fs::write(gate.path("gate.yml"), config).unwrap();
    let ran = gate.run();
    assert_eq!((from_csv.code, ran.code), (0, 0), "{ran:#?}");
    for metric in ["precision", "recall", "f1"] {
        assert_eq!(ran.number(metric), from_csv.number(metric), "{metric}");
    }
    let zero = stratified(Gate::new()).unset("INPUT_STRATA_SIZES").input("config", "gate.yml");
    std::fs::write(zero.path("gate.yml"), "strata_sizes: { high: 0 }\n").unwrap();
    zero.run().assert_cannot_evaluate("expected a whole number above 0");
}
