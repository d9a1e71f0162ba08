//! `config`: a YAML file of inputs and slice rules; its precedence, the
//! rules that fail a gate, and the mistakes it refuses.

use crate::util::{Gate, root};

fn with_config(text: &str) -> Gate {
    let gate = Gate::with_fixture("slices.parquet")
        .input("config", "gate.yml")
        .input("report_json", "r.json");
    std::fs::write(gate.path("gate.yml"), text).unwrap();
    gate
}

/// The threshold of the `at_least` check on `metric` in the report.
fn minimum(report: &serde_json::Value, metric: &str) -> f64 {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"]["kind"] == "at_least" && c["rule"]["metric"] == metric)
        .unwrap()["rule"]["threshold"]
        .as_f64()
        .unwrap()
}

#[test]
fn flags_then_the_step_then_the_file_then_the_defaults() {
    let text = "min_precision: 0.5\nmin_recall: 0.4\nmin_f1: 0.3\n";
    // The runner passes every input, at its default when the step gives none:
    // a value equal to the default leaves the file's.
    let ran = with_config(text)
        .input("min_precision", "0.92")
        .input("min_recall", "0.6")
        .args(&["--min-f1", "0.2"])
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    assert_eq!(minimum(&report, "precision"), 0.5, "the file over a runner-filled default");
    assert_eq!(minimum(&report, "recall"), 0.6, "the step over the file");
    assert_eq!(minimum(&report, "f1"), 0.2, "the flag over all");
}

#[test]
fn the_example_config_validates_and_its_slice_rules_fail_the_gate() {
    let example = root().join("examples/config/er-precision-gate.yml");
    let gate = Gate::with_fixture("slices.parquet")
        .reading(&root().join("examples"))
        .input("config", example.to_str().unwrap())
        .input("report_json", "r.json")
        .input("min_recall", "0.5");
    let ran = gate.run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    // One `::error` per broken rule, its `%` escaped as the runner wants.
    let errors = ran.errors();
    assert_eq!(errors.len(), 3, "{ran:#?}");
    for message in [
        "Recall on `entity_type = organization` is 76.5%, below its minimum 80.0% (slice_minimums)",
        "Recall on `entity_type = organization` is 76.5%, 11.5 pp below overall 88.0%: more than max_slice_gap 5.0 pp",
        "Recall on `source = (null)` is 81.6%, 6.4 pp below overall 88.0%: more than max_slice_gap 5.0 pp",
    ] {
        let escaped = message.replace('%', "%25");
        assert!(errors.iter().any(|e| e.contains(&escaped)), "{message}: {errors:#?}");
    }
    // The overall checks pass: only the slices fail the gate.
    let report = ran.json("r.json");
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["status"] == "pass"));
    let checks = report["slices"]["checks"].as_array().unwrap();
    let null = checks.iter().find(|c| c["column"] == "source" && c["value"] == "(null)").unwrap();
    assert_eq!(
        (null["status"].as_str(), null["actual"].as_f64()),
        (Some("pass"), Some(62.0 / 76.0))
    );
    assert!(ran.summary.contains("❌ recall 76.5% < 80.0%"), "{}", ran.summary);
    assert!(ran.summary.contains("3 slice rules failed: the gate fails."), "{}", ran.summary);
    assert!(ran.stdout.contains("slice rules: 3 of "), "{}", ran.stdout);
}

#[test]
fn the_schema_lists_every_input_but_the_secrets_with_its_description() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/config.schema.json")).unwrap(),
    )
    .unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let secret = ["github_token", "pushgateway_token", "pushgateway_password", "config"];
    let mut expected: Vec<&str> = er_precision_gate::INPUTS
        .iter()
        .map(|s| s.name)
        .filter(|n| !secret.contains(n))
        .chain(["max_slice_gap", "slice_minimums"])
        .collect();
    let mut listed: Vec<&str> = properties.keys().map(String::as_str).collect();
    expected.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, expected, "schemas/config.schema.json and the input table differ");
    for spec in er_precision_gate::INPUTS.iter().filter(|s| !secret.contains(&s.name)) {
        assert_eq!(properties[spec.name]["description"], spec.help, "{}", spec.name);
    }
}

#[test]
fn a_wrong_key_stops_with_the_file_the_line_and_the_nearest_key() {
    with_config("min_precision: 0.5\nslice_colums: entity_type\n").run().assert_cannot_evaluate(
        "unknown key `slice_colums`: did you mean `slice_columns`? at line 2",
    );
}

#[test]
fn a_value_is_typed_like_the_input_and_names_the_file() {
    with_config("min_precision: high\n").run().assert_cannot_evaluate(
        "input `min_precision` (from line 1 of the config file `gate.yml`) is `high`: expected a number in [0, 1]",
    );
}

#[test]
fn a_slice_rule_needs_its_column_sliced() {
    with_config("slice_minimums:\n  region:\n    north: { recall: 0.8 }\n")
        .input("slice_columns", "entity_type")
        .run()
        .assert_cannot_evaluate(
            "has slice_minimums for column `region`: expected a column of slice_columns (`entity_type`)",
        );
    with_config("max_slice_gap: { f1: 0.1 }\n").run().assert_cannot_evaluate(
        "has max_slice_gap: expected a column of slice_columns (slice_columns is not set)",
    );
}

#[test]
fn a_missing_config_file_is_named() {
    Gate::with_fixture("slices.parquet")
        .input("config", "nowhere.yml")
        .run()
        .assert_cannot_evaluate("config file `nowhere.yml`");
}
