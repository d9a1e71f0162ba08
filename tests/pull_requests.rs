//! The gate workflow's pull request contract, run as the runner runs it:
//! its step that decides what to gate, in bash, in a repository laid out as
//! the docs recommend (labels only committed), then the gate on what that
//! step chose. No model change: the check passes without evaluating; a
//! model change (a training run named in `.github/er-model-run`): the gate
//! runs on that run's predictions and fails a failing model.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::util::{Gate, col, gate_workflow_job, gate_workflow_step, sha256sum, write_parquet};
use arrow_array::{BooleanArray, Float64Array, StringArray};

const VALIDATION: &str = "data/validation/er_20251015.parquet";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A team's repository: a labels-only validation set (200 pairs, every
/// fourth a match) and a README, committed on `main`; the base commit.
fn repository(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("data/validation")).unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("r{i}")).collect();
    let label: Vec<bool> = (0..200).map(|i| i % 4 == 0).collect();
    write_parquet(
        &dir.join(VALIDATION),
        vec![
            ("left_id", col(StringArray::from(ids.clone()))),
            ("right_id", col(StringArray::from(ids))),
            ("label", col(BooleanArray::from(label))),
        ],
    );
    std::fs::write(dir.join("README.md"), "entity resolution\n").unwrap();
    git(dir, &["init", "--quiet", "--initial-branch=main"]);
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "base"]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Commits `files` on a branch of its own: the pull request's head.
fn pull_request(dir: &Path, files: &[(&str, &str)]) -> String {
    git(dir, &["switch", "--quiet", "--create", "change"]);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "change"]);
    git(dir, &["rev-parse", "HEAD"])
}

/// What the step with id `changes` did in `dir`: its exit status, its
/// outputs and its summary. The environment is the step's own, with the
/// repository variable `ML_MODEL_PATHS` unset (its default applies).
fn decide(
    dir: &Path,
    event: &str,
    base: &str,
    head: &str,
) -> (i32, BTreeMap<String, String>, String) {
    let step = gate_workflow_step("gate", "id", "changes");
    let paths = step["env"]["MODEL_PATHS"].as_str().unwrap();
    let default = paths.split('\'').nth(1).expect("a default in quotes");
    let files = tempfile::tempdir().unwrap();
    let (output, summary) = (files.path().join("output"), files.path().join("summary"));
    let ran = Command::new("bash")
        .args(["-e", "-c", step["run"].as_str().unwrap()])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("EVENT", event)
        .env("BASE_SHA", base)
        .env("HEAD_SHA", head)
        .env("MODEL_PATHS", default)
        .env("TRAINING_RUN_ID", "")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("bash runs");
    let outputs = std::fs::read_to_string(&output).unwrap_or_default();
    let outputs =
        outputs.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.into(), v.into()));
    let summary = std::fs::read_to_string(&summary).unwrap_or_default();
    (ran.status.code().unwrap(), outputs.collect(), summary + &String::from_utf8_lossy(&ran.stdout))
}

#[test]
fn a_pull_request_without_a_model_change_passes_without_evaluating() {
    let gate = Gate::new();
    let dir = gate.dir.path().to_path_buf();
    let base = repository(&dir);
    let head = pull_request(&dir, &[("README.md", "entity resolution, documented\n")]);
    for event in ["pull_request", "merge_group"] {
        let (code, outputs, summary) = decide(&dir, event, &base, &head);
        assert_eq!(code, 0, "{summary}");
        assert_eq!(outputs["gate"], "false", "{event}");
        assert!(summary.contains("no model change, gate not required"), "{summary}");
    }
    // Every later step is skipped by its own condition, so the job, and the
    // required check, succeed: a skipped job or workflow would not.
    let job = gate_workflow_job("gate");
    let steps = job["steps"].as_sequence().unwrap();
    let at = steps.iter().position(|s| s["id"] == "changes").unwrap();
    for step in &steps[at + 1..] {
        let condition = step["if"].as_str().unwrap_or_default();
        assert!(condition.contains("steps.changes.outputs.gate == 'true'"), "{step:?}");
    }
    assert!(job["if"].is_null(), "the job itself always runs");
    // What every pull request got before: labels only, nothing to gate.
    let ran = gate.input("validation_set", VALIDATION).input("dataset_hash", "").run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    // Started by hand, the gate always runs.
    let (_, outputs, _) = decide(&dir, "workflow_dispatch", "", "");
    assert_eq!(outputs["gate"], "true");
}

#[test]
fn a_pull_request_that_changes_the_model_gates_it_and_fails_a_failing_one() {
    let gate = Gate::new();
    let dir = gate.dir.path().to_path_buf();
    let base = repository(&dir);
    let head = pull_request(&dir, &[(".github/er-model-run", "4242\n")]);
    let (code, outputs, summary) = decide(&dir, "pull_request", &base, &head);
    assert_eq!((code, outputs["gate"].as_str()), (0, "true"), "{summary}");
    assert_eq!(outputs["training_run_id"], "4242");
    // The download step puts that run's artifact in er-model/: a model that
    // scores at random, with its checksums.
    std::fs::create_dir_all(dir.join("er-model")).unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("r{i}")).collect();
    let scores: Vec<f64> = (0..200).map(|i| f64::from((i * 37) % 100) / 100.0).collect();
    let predictions = dir.join("er-model/predictions.parquet");
    write_parquet(
        &predictions,
        vec![
            ("left_id", col(StringArray::from(ids.clone()))),
            ("right_id", col(StringArray::from(ids))),
            ("score", col(Float64Array::from(scores))),
        ],
    );
    let line = format!("{}  predictions.parquet\n", sha256sum(&predictions));
    std::fs::write(dir.join("er-model/checksums.txt"), line).unwrap();
    // The gate step's inputs when a training run is named.
    let ran = gate
        .input("validation_set", VALIDATION)
        .input("dataset_hash", &sha256sum(&dir.join(VALIDATION)))
        .input("predictions", "er-model/predictions.parquet")
        .input("checksums", "er-model/checksums.txt")
        .input("training_run_id", &outputs["training_run_id"])
        .input("min_precision", "0.92")
        .input("min_recall", "0.88")
        .input("min_f1", "0.90")
        .run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    // A file that is not a run id stops the job, before anything runs.
    git(&dir, &["switch", "--quiet", "main"]);
    git(&dir, &["branch", "--quiet", "--delete", "--force", "change"]);
    let head = pull_request(&dir, &[(".github/er-model-run", "4242; echo pwned\n")]);
    let (code, outputs, summary) = decide(&dir, "pull_request", &base, &head);
    assert_eq!(code, 1, "{summary}");
    assert!(summary.contains("::error title=Bad training run id::"), "{summary}");
    assert!(!outputs.contains_key("gate"));
}
