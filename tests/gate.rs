//! The gate end to end: verdicts, exit codes, outputs, summary, JSON report.

use arrow_array::{BooleanArray, Float64Array, Int32Array};

use crate::util::{Gate, col, recorded_sha256, write_parquet};

#[test]
fn sample_passes_with_the_default_thresholds() {
    let ran = Gate::with_fixture("sample_validation.parquet").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let o = &ran.outputs;
    assert_eq!(o["passed"], "true");
    let (tp, fp, fn_, tn): (u64, u64, u64, u64) = (
        o["tp"].parse().unwrap(),
        o["fp"].parse().unwrap(),
        o["fn"].parse().unwrap(),
        o["tn"].parse().unwrap(),
    );
    assert_eq!(tp + fp + fn_ + tn, 10_000);
    assert_eq!(o["rows"], "10000");
    assert_eq!(o["rows_skipped"], "0");
    assert_eq!(ran.number("precision"), tp as f64 / (tp + fp) as f64);
    assert_eq!(ran.number("recall"), tp as f64 / (tp + fn_) as f64);
    assert_eq!(ran.number("f1"), (2 * tp) as f64 / (2 * tp + fp + fn_) as f64);
    assert_eq!(o["dataset_hash"], recorded_sha256("sample_validation.parquet"));
    assert!(!o.contains_key("report_json"));
    assert!(ran.errors().is_empty(), "{ran:#?}");
    assert!(ran.stdout.contains("::notice title=ER precision gate passed::"), "{ran:#?}");
    // The text itself is snapshot-tested in-process (render.rs).
    assert!(ran.summary.starts_with("## ✅ ER precision gate passed\n"), "{}", ran.summary);
    assert!(ran.summary.contains("| Precision | 0.9503 | ≥ 0.9200 | ✅ pass |"), "{}", ran.summary);
    assert!(ran.summary.ends_with("/actions/runs/4242)</sub>\n"), "{}", ran.summary);
    // The verdict is in the log as well, folded.
    assert!(
        ran.stdout
            .starts_with("::group::ER precision gate: the verdict\nER precision gate PASSED\n"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("  dataset sample_validation.parquet, sha256 9932efa7"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("\n::endgroup::\n"), "{}", ran.stdout);
}

#[test]
fn a_metric_below_its_threshold_fails_the_step() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("min_precision", "0.97")
        .input("min_recall", "0.95")
        .run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    assert_eq!(ran.outputs["passed"], "false");
    let errors = ran.errors();
    assert_eq!(errors.len(), 2, "one annotation per failed metric: {ran:#?}");
    assert!(errors[0].starts_with(
        "::error title=Precision below threshold::precision 0.9503 is below min_precision 0.97"
    ));
    assert!(errors[1].starts_with(
        "::error title=Recall below threshold::recall 0.9293 is below min_recall 0.95"
    ));
    assert!(!ran.stdout.contains("::notice"));
    assert!(ran.summary.starts_with("## ❌ ER precision gate failed\n"), "{}", ran.summary);
    assert!(ran.summary.contains("2 of 3 checks failed on 10000 candidate pairs."));
    assert!(ran.summary.contains("**Precision is low: 97 false positives**"), "{}", ran.summary);
}

#[test]
fn dataset_hash_is_verified_before_metrics_are_reported() {
    let hash = recorded_sha256("sample_validation.parquet");
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("dataset_hash", &hash.to_uppercase())
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["dataset_hash"], hash);
    assert!(ran.summary.contains("✅ matches `dataset_hash`"), "{}", ran.summary);

    let wrong = format!("{}0", &hash[..63]);
    let wrong = if wrong == hash { format!("{}1", &hash[..63]) } else { wrong };
    let ran = Gate::with_fixture("sample_validation.parquet").input("dataset_hash", &wrong).run();
    ran.assert_cannot_evaluate("does not match `dataset_hash`");
    assert!(ran.errors()[0].contains(&wrong) && ran.errors()[0].contains(&hash), "{ran:#?}");
    assert!(!ran.summary.contains("Precision"), "no metric from unverified bytes: {}", ran.summary);
    // The mismatch says which file's hash is expected and how to record it.
    let command = "gh variable set ML_DATASET_HASH --body \"$(sha256sum sample_validation.parquet | cut -c1-64)\"";
    assert!(ran.errors()[0].contains(&command.replace('%', "%25")), "{ran:#?}");
    // A whole sha256sum line of the validation set is its hash; of another
    // file (the training data), refused.
    let line = format!("{hash}  sample_validation.parquet");
    let ran = Gate::with_fixture("sample_validation.parquet").input("dataset_hash", &line).run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let line = format!("{hash}  data/training/er_20251015.parquet");
    let ran = Gate::with_fixture("sample_validation.parquet").input("dataset_hash", &line).run();
    ran.assert_cannot_evaluate("drop the file name");
}

#[test]
fn without_a_recorded_hash_the_action_refuses_and_a_trial_is_not_approved() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("require_dataset_hash", "true")
        .input("model_card", "card.md")
        .run();
    ran.assert_cannot_evaluate("require_dataset_hash");
    assert!(ran.errors()[0].contains("gh variable set ML_DATASET_HASH"), "{ran:#?}");
    assert!(!ran.dir.join("card.md").exists(), "no card without verified data");
    // A checksums line covering the validation set is a recorded hash too.
    let gate = Gate::with_fixture("sample_validation.parquet");
    let hash = recorded_sha256("sample_validation.parquet");
    std::fs::write(gate.path("checksums.txt"), format!("{hash}  sample_validation.parquet\n"))
        .unwrap();
    let ran = gate.input("require_dataset_hash", "true").input("checksums", "checksums.txt").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // A trial without: it passes, and its card does not approve the model.
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("require_dataset_hash", "false")
        .input("model_card", "card.md")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("Not approved for production: data not verified"), "{card}");
    assert!(card.contains("The validation data was not verified"), "{card}");
}

#[test]
fn hash_mismatch_wins_over_a_broken_file() {
    let ran = Gate::with_fixture("truncated.parquet").input("dataset_hash", &"0".repeat(64)).run();
    ran.assert_cannot_evaluate("does not match `dataset_hash`");
}

#[test]
fn report_json_holds_the_same_numbers_as_the_outputs() {
    let ran =
        Gate::with_fixture("multi_row_groups.parquet").input("report_json", "out/gate.json").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["report_json"], "out/gate.json");
    let json = ran.json("out/gate.json");
    assert_eq!(json["schema_version"], 3);
    assert_eq!(json["passed"], true);
    assert_eq!(json["outcome"], "passed");
    for key in ["tp", "fp", "fn", "tn"] {
        assert_eq!(json["counts"][key].to_string(), ran.outputs[key], "{key}");
    }
    for key in ["precision", "recall", "f1"] {
        assert_eq!(json["metrics"][key].as_f64().unwrap(), ran.number(key), "{key}");
    }
    assert_eq!(json["dataset"]["row_groups"], 9);
    assert_eq!(json["dataset"]["rows"], 2500);
    assert_eq!(json["dataset"]["sha256"], recorded_sha256("multi_row_groups.parquet"));
    assert_eq!(json["dataset"]["verified"], false);
    assert_eq!(json["run_url"], "https://github.com/acme/entity-resolution/actions/runs/4242");
    assert_eq!(json["checks"][0]["rule"]["kind"], "at_least");
    assert_eq!(json["checks"][0]["status"], "pass");
    assert!(json["checks"].as_array().unwrap().len() == 3);
}

#[test]
fn integer_labels_and_float32_scores_are_read() {
    let ran = Gate::with_fixture("int_labels.parquet").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["rows"], "1000");
}

#[test]
fn prediction_column_decides_instead_of_the_score() {
    let gate = Gate::new()
        .input("validation_set", "p.parquet")
        .input("prediction_column", "is_match_pred");
    write_parquet(
        &gate.path("p.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true, true, false, false, true]))),
            ("score", col(Float64Array::from(vec![0.0; 5]))),
            ("is_match_pred", col(Int32Array::from(vec![1, 0, 1, 0, 1]))),
        ],
    );
    let ran = gate.any_metric().run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let cells: Vec<&str> =
        ["tp", "fp", "fn", "tn"].iter().map(|k| ran.outputs[*k].as_str()).collect();
    assert_eq!(cells, ["2", "1", "1", "1"]);
    assert!(
        ran.summary.contains("column `is_match_pred` (boolean or 0/1 predictions)"),
        "{}",
        ran.summary
    );
}

#[test]
fn no_predicted_match_leaves_precision_undefined_and_fails() {
    let ran =
        Gate::with_fixture("sample_validation.parquet").input("decision_threshold", "1.5").run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    assert_eq!(ran.outputs["precision"], "", "undefined is empty, never 0 or 1");
    assert_eq!(ran.outputs["recall"], "0");
    assert_eq!(ran.outputs["f1"], "0");
    assert!(
        ran.errors()[0].contains("precision is undefined: the model predicted no pair as a match"),
        "{ran:#?}"
    );
    assert!(
        ran.summary.contains("| Precision | undefined | ≥ 0.9200 | ❌ undefined |"),
        "{}",
        ran.summary
    );
}

#[test]
fn null_policy_skip_leaves_rows_out_and_reports_them() {
    let ran = Gate::with_fixture("nulls.parquet").input("null_policy", "skip").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // Rows 3 (label and score null), 30, 300, 999 (label), 31 (score), 5, 50, 500 (NaN).
    assert_eq!(ran.outputs["rows_skipped"], "8");
    assert_eq!(ran.outputs["rows"], "992");
    assert!(ran.stdout.contains("::warning title=Rows skipped::8 of 1000 rows"), "{ran:#?}");
    assert!(
        ran.summary.contains("| Rows skipped | 8 (4 null label, 2 null score or prediction, 3 NaN score; `null_policy: skip`) |"),
        "{}",
        ran.summary
    );
}

#[test]
fn null_policy_fail_names_every_column_and_count() {
    let ran = Gate::with_fixture("nulls.parquet").run();
    ran.assert_cannot_evaluate(
        "4 rows with null in `label`, 2 rows with null in `score`, 3 rows with NaN in `score`",
    );
}

#[test]
fn summary_false_writes_no_summary() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("summary", "false").run();
    assert_eq!(ran.code, 0);
    assert_eq!(ran.summary, "");
    assert_eq!(ran.outputs["passed"], "true");
}

#[test]
fn outside_actions_outputs_are_printed_as_a_block() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .unset("GITHUB_ACTIONS")
        .unset("GITHUB_OUTPUT")
        .unset("GITHUB_STEP_SUMMARY")
        .args(&["--min-f1", "0.99"])
        .run();
    assert_eq!(ran.code, 1, "{ran:#?}");
    assert!(ran.stdout.starts_with("ER precision gate FAILED\n"), "{}", ran.stdout);
    let passed = ran.stdout.lines().skip_while(|l| *l != "outputs:").nth(1).unwrap_or_default();
    assert_eq!(
        passed.split_whitespace().collect::<Vec<_>>(),
        ["passed", "false"],
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("error: F1 below threshold: f1 0.9397 is below min_f1 0.99"),
        "{}",
        ran.stdout
    );
    assert!(!ran.stdout.contains("::"), "no workflow commands outside Actions: {}", ran.stdout);
}

#[test]
fn runner_debug_turns_on_debug_logs() {
    let ran = Gate::with_fixture("sample_validation.parquet").env("RUNNER_DEBUG", "1").run();
    assert_eq!(ran.code, 0);
    assert!(ran.stderr.contains("DEBUG"), "{}", ran.stderr);
    let quiet = Gate::with_fixture("sample_validation.parquet").run();
    assert!(!quiet.stderr.contains("DEBUG"), "{}", quiet.stderr);
}

#[test]
fn an_inconclusive_verdict_follows_on_inconclusive() {
    // Recall 0.9293 against 0.925 at 95%: the interval holds the minimum.
    let gate = || {
        Gate::with_fixture("sample_validation.parquet")
            .input("confidence", "0.95")
            .input("cluster_by", "none")
            .input("min_recall", "0.925")
    };
    let ran = gate().run();
    assert_eq!(ran.code, 1, "fail is the default: {ran:#?}");
    assert_eq!(
        (ran.outputs["verdict"].as_str(), ran.outputs["passed"].as_str()),
        ("inconclusive", "false")
    );
    assert!(ran.stdout.contains("::error title=Recall inconclusive::recall 0.9293 has the interval 0.9172–0.9398, which holds min_recall 0.925"), "{}", ran.stdout);
    assert!(
        ran.summary
            .contains("about 133675 more labelled pairs like these (26668 more true matches"),
        "{}",
        ran.summary
    );

    let ran = gate().input("on_inconclusive", "warn").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(
        (ran.outputs["verdict"].as_str(), ran.outputs["passed"].as_str()),
        ("inconclusive", "true")
    );
    assert!(ran.stdout.contains("::warning title=Recall inconclusive::"), "{}", ran.stdout);
    assert!(ran.errors().is_empty(), "{}", ran.stdout);

    let ran = gate().input("on_inconclusive", "pass").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.stdout.contains("::notice title=Recall inconclusive::"), "{}", ran.stdout);

    // Far from the minimum, the interval decides as the point value did.
    let ran = Gate::with_fixture("sample_validation.parquet").input("confidence", "0.95").run();
    assert_eq!((ran.code, ran.outputs["verdict"].as_str()), (0, "pass"), "{ran:#?}");
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("confidence", "0.95")
        .input("min_recall", "0.96")
        .run();
    assert_eq!((ran.code, ran.outputs["verdict"].as_str()), (1, "fail"), "{ran:#?}");
}

#[test]
fn the_recommended_threshold_passes_when_run_again_with_the_counts_reported() {
    // The sample fails min_recall 0.95 at 0.5; the sweep names a threshold that passes.
    for (inputs, passes) in [
        (&[("min_recall", "0.94"), ("min_precision", "0.93")][..], true),
        (&[("min_recall", "0.95"), ("min_precision", "0.92"), ("confidence", "0.9")][..], false),
        (&[("min_precision", "0.99"), ("min_recall", "0.5"), ("min_f1", "0.5")][..], true),
    ] {
        let mut gate =
            Gate::with_fixture("sample_validation.parquet").input("report_json", "r.json");
        for (name, value) in inputs {
            gate = gate.input(name, value);
        }
        let ran = gate.run();
        let report = ran.json("r.json");
        let recommended = &report["sweep"]["recommended"];
        assert_eq!(recommended.is_object(), passes, "{inputs:?}: {}", report["sweep"]);
        if !passes {
            assert_eq!(ran.outputs["recommended_threshold"], "");
            continue;
        }
        let threshold = ran.outputs["recommended_threshold"].clone();
        assert_eq!(recommended["threshold"].as_f64().unwrap().to_string(), threshold);
        let mut again =
            Gate::with_fixture("sample_validation.parquet").input("decision_threshold", &threshold);
        for (name, value) in inputs {
            again = again.input(name, value);
        }
        let rerun = again.run();
        assert_eq!(rerun.code, 0, "{inputs:?} at {threshold}: {rerun:#?}");
        for cell in ["tp", "fp", "fn", "tn"] {
            assert_eq!(rerun.outputs[cell], recommended[cell].to_string(), "{cell} at {threshold}");
        }
    }
}

#[test]
fn report_only_exits_0_whatever_the_verdict_and_says_what_it_was() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("min_precision", "0.99")
        .input("report_only", "true")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(
        (ran.outputs["passed"].as_str(), ran.outputs["verdict"].as_str()),
        ("false", "fail")
    );
    assert!(ran.errors().is_empty(), "failures are warnings: {}", ran.stdout);
    assert!(ran.stdout.contains("::warning title=Precision below threshold::"), "{}", ran.stdout);
    assert!(
        ran.summary
            .starts_with("## ❌ ER precision gate failed\n\n> Report only (`report_only: true`)"),
        "{}",
        ran.summary
    );
    // Could-not-evaluate stays exit 2: shadow mode hides a verdict, not a broken input.
    let ran =
        Gate::new().input("validation_set", "missing.parquet").input("report_only", "true").run();
    assert_eq!(ran.code, 2);
}

#[test]
fn the_model_and_the_commit_are_recorded_everywhere() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let ran = Gate::with_fixture("sample_validation.parquet")
        .env("GITHUB_SHA", sha)
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_RUN_ATTEMPT", "2")
        .input("model_id", "er_splink_v7")
        .input("model_version", "registry 12")
        .input("report_json", "r.json")
        .input("model_card", "card.md")
        .input("metrics_file", "gate.prom")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    assert_eq!(report["model"]["version"], "registry 12");
    assert_eq!(report["model"]["id_defaulted"], false);
    assert_eq!(
        report["run"],
        serde_json::json!({ "commit": sha, "ref": "refs/heads/main", "attempt": "2" })
    );
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains(&format!("| Commit | `{sha}` (refs/heads/main, attempt 2) |")), "{card}");
    assert!(card.contains("| Model version | registry 12 |"), "{card}");
    let metrics = std::fs::read_to_string(ran.dir.join("gate.prom")).unwrap();
    assert!(
        metrics.contains(&format!(
            "er_gate_f1{{model_id=\"er_splink_v7\",dataset_hash=\"{}\",dataset_date=",
            ran.outputs["dataset_hash"]
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(",model_version=\"registry 12\",commit=\"{sha}\"}}")),
        "{metrics}"
    );
    assert!(!ran.summary.contains("`model_id` is not set"), "{}", ran.summary);
}
