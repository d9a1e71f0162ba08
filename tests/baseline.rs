//! `baseline: latest`: the newest model card JSON already in the cards'
//! folder, other than this run's, found run after run.

use std::path::Path;

use crate::util::{Gate, Ran, fixture};

/// A gate run in `repo` (the checkout the cards are committed to) on
/// dataset version `date`, asking for the latest baseline; run `n` of a
/// series, a day after run `n - 1`.
fn run_in(repo: &Path, n: u64, date: &str, extra: &[(&str, &str)]) -> Ran {
    let mut gate = Gate::new()
        .cwd(repo)
        .env("SOURCE_DATE_EPOCH", &(1_760_000_000 + n * 86_400).to_string())
        .input("validation_set", "sample_validation.parquet")
        .input("model_card", "model_cards/er_{{dataset_date}}.md")
        .input("model_card_json", "model_cards/er_{{dataset_date}}.json")
        .input("dataset_date", date)
        .input("baseline", "latest");
    for (name, value) in extra {
        gate = gate.input(name, value);
    }
    gate.run()
}

fn repo() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("sample_validation.parquet"),
        repo.path().join("sample_validation.parquet"),
    )
    .unwrap();
    repo
}

fn report(repo: &Path, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(repo.join(name)).unwrap()).unwrap()
}

#[test]
fn the_first_run_has_no_baseline_and_says_so() {
    let repo = repo();
    let ran = run_in(repo.path(), 1, "20250101", &[("report_json", "out.json")]);
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(
        ran.stdout.contains("::notice title=No baseline::baseline: latest found no earlier model card JSON in `model_cards`"),
        "{}",
        ran.stdout
    );
    let r = report(repo.path(), "out.json");
    assert_eq!(r["baseline"], serde_json::Value::Null);
    assert_eq!(r["baseline_search"]["found"], serde_json::Value::Null);
    assert!(repo.path().join("model_cards/er_20250101.json").exists());
}

#[test]
fn later_runs_compare_with_the_newest_earlier_card_not_their_own() {
    let repo = repo();
    assert_eq!(run_in(repo.path(), 1, "20250101", &[]).code, 0);
    // A file of another tool in the folder is named, not silently skipped.
    std::fs::write(repo.path().join("model_cards/notes.json"), "{\"a\": 1}").unwrap();
    let drop = [("max_precision_drop", "0.01"), ("report_json", "second.json")];
    let ran = run_in(repo.path(), 2, "20250201", &drop);
    assert_eq!(ran.code, 0, "{ran:#?}");
    let r = report(repo.path(), "second.json");
    assert_eq!(r["baseline"]["path"], "model_cards/er_20250101.json");
    assert_eq!(r["baseline"]["model_id"], "er_20250101");
    assert_eq!(r["baseline"]["same_dataset"], true);
    assert!(ran.stdout.contains("::warning title=Not a baseline::"), "{}", ran.stdout);
    assert!(ran.stdout.contains("notes.json"), "{}", ran.stdout);
    // A re-run of the same dataset version skips its own earlier card.
    let ran = run_in(repo.path(), 3, "20250201", &[("report_json", "again.json")]);
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(
        report(repo.path(), "again.json")["baseline"]["path"],
        "model_cards/er_20250101.json"
    );
    // The newest by evaluation time, not by name: a card for an older
    // dataset version evaluated last is the one the next run compares with.
    assert_eq!(run_in(repo.path(), 4, "20241201", &[]).code, 0);
    let ran = run_in(repo.path(), 5, "20250301", &[("report_json", "third.json")]);
    assert_eq!(
        report(repo.path(), "third.json")["baseline"]["path"],
        "model_cards/er_20241201.json",
        "{ran:#?}"
    );
}

#[test]
fn latest_needs_a_card_path() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("baseline", "latest").run();
    ran.assert_cannot_evaluate("`latest` needs `model_card_json` or `model_card`");
}
