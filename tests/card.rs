//! The model card: the default template for passing and failing gates, with
//! and without a baseline; a user's template; template and baseline errors.

use crate::util::{Gate, Ran, recorded_sha256};

/// 2025-10-15T12:00:00Z, pinned so cards are reproducible.
const EPOCH: &str = "1760529600";

fn card_gate() -> Gate {
    Gate::with_fixture("sample_validation.parquet")
        .input("dataset_hash", &recorded_sha256("sample_validation.parquet"))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .input("model_card", "model_cards/er_{{dataset_date}}.md")
        .input("model_card_json", "model_cards/er_{{dataset_date}}.json")
        .input("dataset_date", "20251015")
        .input("framework", "Splink 4.0")
        .input("architecture", "Fellegi-Sunter, 6 comparisons")
        .input("dataset_source", "clerical review of 2025-09 candidate pairs")
        .input("training_run_id", "1234567")
        .input(
            "ethical_considerations",
            "Names are mostly of European origin.\nA false match merges two people's records.",
        )
        .input("deployment_date", "2025-10-20")
        .input("rollback_plan", "Re-point the `er-current` alias to er_20250901.")
}

fn card(ran: &Ran) -> String {
    std::fs::read_to_string(ran.dir.join("model_cards/er_20251015.md")).unwrap()
}

fn json_card(ran: &Ran) -> serde_json::Value {
    ran.json("model_cards/er_20251015.json")
}

/// A baseline report as an earlier run wrote it, on dataset `sha256`.
fn write_baseline_with(gate: &Gate, sha256: &str, precision: f64, recall: f64, f1: f64) {
    let json = serde_json::json!({
        "schema_version": 1,
        "model": { "id": "er_20250901", "dataset_date": "20250901" },
        "metrics": { "precision": precision, "recall": recall, "f1": f1 },
        "dataset": { "sha256": sha256 },
    });
    std::fs::write(gate.path("baseline.json"), json.to_string()).unwrap();
}

/// Precision 0.93, recall 0.90, F1 0.915: the sample's model is better.
fn write_baseline(gate: &Gate, sha256: &str) {
    write_baseline_with(gate, sha256, 0.93, 0.90, 0.915);
}

#[test]
fn passing_gate_card() {
    let ran = card_gate().run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["model_card"], "model_cards/er_20251015.md");
    assert_eq!(ran.outputs["model_card_json"], "model_cards/er_20251015.json");
    // The text itself is snapshot-tested in-process (render.rs).
    let md = card(&ran);
    assert!(md.starts_with("# Model card: er_20251015\n"), "{md}");
    assert!(md.contains("| Precision | 95.0% | ≥ 92.0% | ✅ |"), "{md}");
}

#[test]
fn failing_gate_card_says_so() {
    let ran = card_gate()
        .input("min_precision", "0.96")
        .input("limitations", "Trained on one country's addresses.")
        .run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    let md = card(&ran);
    assert!(md.contains("❌ Not approved for production: the gate failed"), "{md}");
    assert!(md.contains("- Trained on one country's addresses."), "{md}");
}

#[test]
fn card_with_a_baseline_shows_each_change_in_points() {
    let gate = card_gate().input("baseline", "baseline.json");
    write_baseline(&gate, &recorded_sha256("sample_validation.parquet"));
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let md = card(&ran);
    // 0.9503 - 0.93 = +2.0 points, 0.9293 - 0.90 = +2.9, 0.9397 - 0.915 = +2.5.
    assert!(md.contains("| Precision | 93.0% | 95.0% | +2.0 |"), "{md}");
    assert!(md.contains("| Recall | 90.0% | 92.9% | +2.9 |"), "{md}");
    assert!(md.contains("| F1 | 91.5% | 94.0% | +2.5 |"), "{md}");
    assert!(md.contains("Previous model: `er_20250901`. Both were evaluated on the same dataset"));
    assert!(ran.summary.contains("### Change from the previous model"), "{}", ran.summary);
}

#[test]
fn failing_drop_rule_card_with_a_baseline_on_another_dataset() {
    let gate = card_gate()
        .input("baseline", "baseline.json")
        .input("max_recall_drop", "0.02")
        .input("max_precision_drop", "0.01");
    // Recall was 0.96: 0.9293 is 3.1 points below, 2 allowed.
    write_baseline_with(&gate, &"ab".repeat(32), 0.95, 0.96, 0.955);
    let ran = gate.run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    let errors = ran.errors();
    assert_eq!(errors.len(), 1, "{ran:#?}");
    assert!(
        errors[0].starts_with("::error title=Recall dropped below the baseline::recall 0.9293 is -3.1 points from the baseline's 0.9600 (max_recall_drop 0.02)"),
        "{ran:#?}"
    );
    assert!(ran.stdout.contains("::warning title=Baseline on another dataset::"), "{}", ran.stdout);
    // Only the drop rule failed: the advice says so, not that recall is low.
    assert!(
        ran.summary.contains("**Recall fell further below the previous model than allowed**"),
        "{}",
        ran.summary
    );
    assert!(!ran.summary.contains("Recall is low"), "{}", ran.summary);
    let md = card(&ran);
    assert!(md.contains("evaluated on a different dataset"), "{md}");
    assert!(
        md.contains("| Recall vs baseline | 92.9% | ≥ 94.0% (previous 96.0% − 2.0 pp) | ❌ |"),
        "{md}"
    );
}

#[test]
fn json_card_holds_the_same_content() {
    let gate = card_gate().input("baseline", "baseline.json");
    write_baseline(&gate, &recorded_sha256("sample_validation.parquet"));
    let ran = gate.run();
    let j = json_card(&ran);
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["model"]["id"], "er_20251015");
    assert_eq!(j["model"]["evaluated_at"], "2025-10-15T12:00:00Z");
    assert_eq!(j["model"]["framework"], "Splink 4.0");
    assert_eq!(j["verdict"]["passed"], true);
    assert_eq!(j["metrics"][0]["value"].as_f64(), Some(ran.number("precision")));
    assert_eq!(j["metrics"][0]["value_percent"], "95.0%");
    assert_eq!(j["dataset"]["sha256"], recorded_sha256("sample_validation.parquet"));
    assert_eq!(
        j["dataset"]["true_matches"].as_u64().unwrap(),
        ran.number("tp") as u64 + ran.number("fn") as u64
    );
    assert_eq!(j["changes"]["rows"][0]["points"], "+2.0");
    assert_eq!(j["changes"]["previous_model_id"], "er_20250901");
    assert_eq!(j["deployment"]["approved"], true);
    assert_eq!(
        j["provenance"]["training_run_url"],
        "https://github.com/acme/entity-resolution/actions/runs/1234567"
    );
    assert_eq!(
        j["provenance"]["gate_run_url"],
        "https://github.com/acme/entity-resolution/actions/runs/4242"
    );
    assert!(j["dataset"]["source"].is_string());
}

#[test]
fn a_gate_report_is_a_valid_baseline() {
    let first = Gate::with_fixture("sample_validation.parquet")
        .input("report_json", "report.json")
        .input("model_id", "er_old")
        .input("decision_threshold", "0.3")
        .input("min_precision", "0")
        .input("min_f1", "0")
        .run();
    assert_eq!(first.code, 0, "{first:#?}");
    let report = std::fs::read_to_string(first.dir.join("report.json")).unwrap();
    let gate = card_gate().input("baseline", "baseline.json").input("max_f1_drop", "0.5");
    std::fs::write(gate.path("baseline.json"), report).unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let md = card(&ran);
    assert!(
        md.contains("Previous model: `er_old`. Both were evaluated on the same dataset"),
        "{md}"
    );
}

#[test]
fn missing_data_says_not_provided() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .unset("GITHUB_SERVER_URL")
        .input("model_card", "card.md")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let md = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(md.starts_with("# Model card: er_20251015\n"), "dataset_date defaults to today: {md}");
    for row in [
        "| Framework | not provided |",
        "| Architecture | not provided |",
        "| Source | not provided |",
        "| Planned date | not provided |",
    ] {
        assert!(md.contains(row), "{row} in {md}");
    }
    assert!(md.contains("- Training run: not provided"), "{md}");
    assert!(!md.contains("XX"), "no placeholder left: {md}");
}

#[test]
fn user_template_gets_the_card_data() {
    let gate = card_gate().input("model_card_template", "templates/card.hbs");
    std::fs::create_dir(gate.path("templates")).unwrap();
    std::fs::write(
        gate.path("templates/card.hbs"),
        "{{model.id}} {{verdict.icon}}\n{{#each metrics}}{{title}}={{value_percent}};{{/each}}\n{{provided model.framework}}/{{provided deployment.rollback_plan}}\n",
    )
    .unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(
        card(&ran),
        "er_20251015 ✅\nPrecision=95.0%;Recall=92.9%;F1=94.0%;\nSplink 4.0/Re-point the `er-current` alias to er_20250901.\n"
    );
}

fn template_error(template: &str) -> Ran {
    let gate = card_gate().input("model_card_template", "card.hbs");
    std::fs::write(gate.path("card.hbs"), template).unwrap();
    gate.run()
}

#[test]
fn unknown_helper_names_the_template_and_line() {
    let ran = template_error("# {{model.id}}\n\n{{shout model.id}}\n");
    ran.assert_cannot_evaluate("template `card.hbs` line 3");
    assert!(ran.errors()[0].contains("shout"), "{ran:#?}");
    assert!(!ran.dir.join("model_cards").exists(), "nothing half-written");
}

#[test]
fn missing_variable_fails_in_strict_mode() {
    let ran = template_error("ok\n{{model.no_such_field}}\n");
    ran.assert_cannot_evaluate("template `card.hbs` line 2");
}

#[test]
fn template_syntax_error_names_the_line() {
    let ran = template_error("a\nb\n{{#each metrics}}unclosed\n");
    ran.assert_cannot_evaluate("template `card.hbs` line 4, column 1: invalid handlebars syntax");
}

#[test]
fn unreadable_template() {
    let ran = card_gate().input("model_card_template", "nope.hbs").run();
    ran.assert_cannot_evaluate("cannot read template `nope.hbs`");
}

#[test]
fn bad_card_path_template() {
    let ran = card_gate().input("model_card", "cards/{{model_version}}.md").run();
    ran.assert_cannot_evaluate("template `input model_card`");
}

#[test]
fn missing_baseline() {
    let ran = card_gate().input("baseline", "nope.json").run();
    ran.assert_cannot_evaluate("cannot read baseline `nope.json`");
}

#[test]
fn malformed_baseline() {
    let gate = card_gate().input("baseline", "b.json");
    std::fs::write(gate.path("b.json"), "{\"schema_version\": 1, \"metrics\": ").unwrap();
    gate.run()
        .assert_cannot_evaluate("baseline `b.json` is not a JSON report of er-precision-gate");
}

#[test]
fn baseline_of_an_unknown_schema_version() {
    let gate = card_gate().input("baseline", "b.json");
    let json = r#"{"schema_version": 7, "metrics": {}, "dataset": {"sha256": "x"}}"#;
    std::fs::write(gate.path("b.json"), json).unwrap();
    gate.run().assert_cannot_evaluate(
        "baseline `b.json` is a JSON report of schema version 7: expected 1",
    );
}

#[test]
fn drop_rule_without_baseline() {
    let ran = card_gate().input("max_f1_drop", "0.01").run();
    ran.assert_cannot_evaluate("input `max_f1_drop` needs input `baseline`");
}
