//! `counts`: the verdict from the counts an engine computed, what the run
//! says of their provenance, and every input that needs the data refused.

use crate::util::{Gate, sha256sum_of};

const HEADER: &str = "kind,dataset_version,threshold,slice_column,slice_value,tp,fp,fn,tn,skipped,label_null,decision_null,score_nan,bin,matches,non_matches\n";

/// The sample's confusion matrix at 0.5, as an engine would write it.
fn counts(gate: Gate, rows: &str) -> Gate {
    std::fs::write(gate.path("counts.csv"), format!("{HEADER}{rows}")).unwrap();
    gate.input("counts", "counts.csv")
}

const SAMPLE: &str = "total,orders@2025-10-15T00:00Z,0.5,,,1854,97,141,7908,0,0,0,0,,,\n";

#[test]
fn the_counts_decide_as_the_file_did() {
    let file = Gate::with_fixture("sample_validation.parquet").input("sweep", "false").run();
    let ran = counts(Gate::new(), SAMPLE)
        .input("model_card", "card.md")
        .input("report_json", "r.json")
        .run();
    assert_eq!(ran.code, file.code, "{ran:#?}");
    for output in ["passed", "precision", "recall", "f1", "tp", "fp", "fn", "tn", "rows"] {
        assert_eq!(ran.outputs[output], file.outputs[output], "{output}");
    }
    // The provenance is the dataset version, said to be the engine's.
    let version_hash = sha256sum_of(b"orders@2025-10-15T00:00Z");
    assert_eq!(ran.outputs["dataset_hash"], version_hash);
    assert_eq!(ran.outputs["dataset_verified"], "false");
    let said = "dataset version `orders@2025-10-15T00:00Z`, counted by the engine: the data's bytes were not verified by this tool";
    assert!(ran.summary.contains(said), "{}", ran.summary);
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains(said), "{card}");
    assert!(!card.contains("| SHA-256 |"), "no file hash is claimed: {card}");
    let engine = &ran.json("r.json")["dataset"]["engine"];
    assert_eq!(engine["dataset_version"], "orders@2025-10-15T00:00Z");
    assert_eq!(engine["counts_sha256"].as_str().unwrap().len(), 64);
    assert!(
        ran.stdout.contains("counted by the engine (bytes not verified here)"),
        "{}",
        ran.stdout
    );
}

#[test]
fn skipped_rows_follow_null_policy() {
    let rows = "total,v1,0.5,,,1854,97,141,7908,3,2,1,1,,,\n";
    counts(Gate::new(), rows)
        .run()
        .assert_cannot_evaluate("has missing values: 2 rows with null in `label`, 1 rows with null in `score`, 1 rows with NaN in `score`");
    let ran = counts(Gate::new(), rows).input("null_policy", "skip").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["rows_skipped"], "3");
}

#[test]
fn a_counts_file_that_does_not_add_up_is_named() {
    let rows = format!(
        "{SAMPLE}slice,,,source,crm,1000,50,100,4000,,,,,,,\nslice,,,source,web,854,47,41,3907,,,,,,,\n"
    );
    counts(Gate::new(), &rows).run().assert_cannot_evaluate(
        "counts file `counts.csv`: the slices of `source` add up to TP 1854, FP 97, FN 141, TN 7907, but the total row gives TP 1854, FP 97, FN 141, TN 7908",
    );
    let at_07 = counts(Gate::new(), SAMPLE).input("decision_threshold", "0.7").run();
    at_07.assert_cannot_evaluate(
        "counts file `counts.csv` was counted at threshold 0.5, but decision_threshold is 0.7",
    );
}

#[test]
fn inputs_that_need_the_data_are_refused() {
    for (input, value) in [
        ("validation_set", "v.parquet"),
        ("dataset_hash", &"0".repeat(64)),
        ("predictions", "p.parquet"),
        ("errors_file", "e.parquet"),
        ("manifest", "m.sha256"),
        ("mode", "clusters"),
    ] {
        let ran = counts(Gate::new(), SAMPLE).input(input, value).run();
        assert_eq!(ran.code, 2, "{input}: {ran:#?}");
        assert!(
            ran.stderr.contains(&format!("inputs counts and {input}")),
            "{input}: {}",
            ran.stderr
        );
    }
    let ran = Gate::new().run();
    assert!(ran.stderr.contains("or counts: the counts an engine computed"), "{}", ran.stderr);
}
