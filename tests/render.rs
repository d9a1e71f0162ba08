//! The job summary, the model card and the verdict comment, rendered
//! in-process from a pinned report (version, time, run URL fixed), compared
//! with the golden files in `tests/snapshots/`. A version bump rewrites none
//! of them; refresh them on purpose with `SNAPSHOTS=overwrite`.
//!
//! The binary-level tests (`gate.rs`, `card.rs`) check exit codes, outputs
//! and files; this module checks the text.

use std::path::Path;

use er_precision_gate::Card;
use er_precision_gate::Drops;
use er_precision_gate::{BaselineSource, Settings, evaluate};
use er_precision_gate::{CardInputs, Report, Run, render};
use er_precision_gate::{INPUTS, Sha256};
use snapbox::assert_data_eq;

use crate::util::{fixture, recorded_sha256};

/// The pinned parts of every report here.
const VERSION: &str = "0.0.0-snapshot";
const RUN_URL: &str = "https://github.com/acme/entity-resolution/actions/runs/4242";
const SERVER_REPO: &str = "https://github.com/acme/entity-resolution";
/// 2025-10-15T12:00:00Z.
const EPOCH: i64 = 1_760_529_600;

/// The sample with the action's defaults, run from the repository root,
/// its recorded hash verified (the action requires one).
fn settings() -> Settings {
    let mut s = Settings::new("fixtures/sample_validation.parquet".into());
    s.dataset_hash = inputs_hash(&recorded_sha256("sample_validation.parquet"));
    s
}

/// The card inputs the card tests of the binary give.
fn card_inputs() -> CardInputs {
    CardInputs {
        path: Some("model_cards/er_{{dataset_date}}.md".into()),
        dataset_date: Some("20251015".into()),
        framework: Some("Splink 4.0".into()),
        architecture: Some("Fellegi-Sunter, 6 comparisons".into()),
        dataset_source: Some("clerical review of 2025-09 candidate pairs".into()),
        sampling_method: Some("stratified by score decile, 1,000 pairs a decile".into()),
        label_quality: Some("Cohen's kappa 0.87 on 500 double-labelled pairs".into()),
        training_changes: vec!["Added a phonetic name comparison.".into()],
        data_changes: vec!["Deduplicated the 2025-09 source records.".into()],
        training_run_id: Some("1234567".into()),
        ethical_considerations: vec![
            "Names are mostly of European origin.".into(),
            "A false match merges two people's records.".into(),
        ],
        deployment_date: Some("2025-10-20".into()),
        rollback_plan: Some("Re-point the `er-current` alias to er_20250901.".into()),
        ..CardInputs::default()
    }
}

fn report(settings: &Settings, card: &CardInputs) -> Report {
    assert!(fixture("sample_validation.parquet").exists());
    let now = chrono::DateTime::from_timestamp(EPOCH, 0).unwrap();
    let evaluation = evaluate(settings, now).unwrap();
    let run = Run { url: Some(RUN_URL.to_string()), ..Run::default() };
    let mut report = Report::new(&evaluation, card, &run);
    report.tool.version = VERSION;
    report
}

fn card_markdown(settings: &Settings, card: &CardInputs) -> String {
    let report = report(settings, card);
    render::model_card(&Card::new(&report, card, Some(SERVER_REPO)), None).unwrap()
}

/// A baseline report as an earlier run wrote it.
fn baseline(dir: &Path, sha256: &str, metrics: [f64; 3]) -> std::path::PathBuf {
    let json = serde_json::json!({
        "schema_version": 1,
        "model": { "id": "er_20250901", "dataset_date": "20250901" },
        "metrics": { "precision": metrics[0], "recall": metrics[1], "f1": metrics[2] },
        "dataset": { "sha256": sha256 },
    });
    let path = dir.join("baseline.json");
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

#[test]
fn summary_of_a_passing_gate() {
    let summary = render::summary(&report(&settings(), &CardInputs::default())).unwrap();
    assert_data_eq!(summary, snapbox::file!["snapshots/summary_pass.md"]);
}

#[test]
fn summary_of_a_failing_gate() {
    let mut s = settings();
    s.thresholds.precision = 0.97;
    s.thresholds.recall = 0.95;
    let summary = render::summary(&report(&s, &CardInputs::default())).unwrap();
    assert_data_eq!(summary, snapbox::file!["snapshots/summary_fail.md"]);
}

#[test]
fn summary_of_a_verified_dataset_says_what_it_matched() {
    let mut s = settings();
    s.dataset_hash = inputs_hash(&recorded_sha256("sample_validation.parquet"));
    let summary = render::summary(&report(&s, &CardInputs::default())).unwrap();
    assert!(summary.contains("| SHA-256 | `9932efa7e5bd06a7af1dc4accf0384dee1abfe25f464aa88371e0aa320a4c261` ✅ matches `dataset_hash` |"), "{summary}");
    s.checksums = Some("fixtures/checksums.txt".into());
    let summary = render::summary(&report(&s, &CardInputs::default())).unwrap();
    assert!(
        summary.contains("✅ matches `dataset_hash` and line 7 of `fixtures/checksums.txt` |"),
        "{summary}"
    );
}

fn inputs_hash(hex: &str) -> Option<Sha256> {
    let parsed = Sha256::from_hex(hex);
    assert!(parsed.is_some(), "{hex}");
    assert!(INPUTS.iter().any(|s| s.name == "dataset_hash"));
    parsed
}

#[test]
fn comment_links_the_card() {
    let card = card_inputs();
    let comment =
        render::comment(&report(&settings(), &card), Some(Path::new("model_cards/er_20251015.md")))
            .unwrap();
    assert_data_eq!(comment, snapbox::file!["snapshots/comment_pass.md"]);
}

#[test]
fn card_of_a_passing_gate() {
    assert_data_eq!(
        card_markdown(&settings(), &card_inputs()),
        snapbox::file!["snapshots/card_pass.md"]
    );
}

#[test]
fn card_of_a_failing_gate() {
    let mut s = settings();
    s.thresholds.precision = 0.96;
    let card = CardInputs {
        limitations: vec!["Trained on one country's addresses.".into()],
        ..card_inputs()
    };
    assert_data_eq!(card_markdown(&s, &card), snapbox::file!["snapshots/card_fail.md"]);
}

#[test]
fn card_with_a_baseline_on_the_same_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings();
    s.baseline = Some(BaselineSource::Path(baseline(
        dir.path(),
        &recorded_sha256("sample_validation.parquet"),
        [0.93, 0.90, 0.915],
    )));
    assert_data_eq!(
        card_markdown(&s, &card_inputs()),
        snapbox::file!["snapshots/card_pass_baseline.md"]
    );
}

#[test]
fn card_with_a_failing_drop_rule_and_a_baseline_on_another_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings();
    s.baseline =
        Some(BaselineSource::Path(baseline(dir.path(), &"ab".repeat(32), [0.95, 0.96, 0.955])));
    s.max_drop = Drops { precision: Some(0.01), recall: Some(0.02), f1: None };
    assert_data_eq!(
        card_markdown(&s, &card_inputs()),
        snapbox::file!["snapshots/card_fail_baseline.md"]
    );
}

#[test]
fn summary_and_card_of_an_inconclusive_gate() {
    // Recall 0.9293 against 0.925: its 95% interval (0.917-0.940) holds the minimum.
    let mut s = settings();
    s.thresholds.recall = 0.925;
    s.confidence = Some(0.95);
    let card = card_inputs();
    let report = report(&s, &card);
    assert_eq!(report.verdict, "inconclusive");
    assert!(!report.passed, "on_inconclusive: fail");
    let summary = render::summary(&report).unwrap();
    assert_data_eq!(summary, snapbox::file!["snapshots/summary_inconclusive.md"]);
    let md = render::model_card(&Card::new(&report, &card, Some(SERVER_REPO)), None).unwrap();
    assert!(md.contains("| Recall | 92.9% (91.7–94.0%, 95% CI) | ≥ 92.5% | ⚠️ |"), "{md}");
    assert!(
        md.contains(
            "⚠️ **The gate is inconclusive: the data cannot tell whether Recall meets the bar.**"
        ),
        "{md}"
    );
}
