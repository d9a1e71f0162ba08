//! The shipped workflows: the gate workflow's triggers, inputs, check name and
//! output chain, the deploy example's gating, and the self-test.

use serde_norway::Value;

use crate::util::root;

fn workflow(path: &str) -> Value {
    serde_norway::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

/// The step of `steps` that uses `action` (a prefix such as
/// `actions/upload-artifact@`); `what` says what it is for.
fn using<'a>(steps: &'a [Value], action: &str, what: &str) -> &'a Value {
    let uses = |s: &&Value| s["uses"].as_str().is_some_and(|u| u.starts_with(action));
    steps.iter().find(uses).unwrap_or_else(|| panic!("{what}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// The runbook's threshold inputs and their defaults.
const RUNBOOK: &[(&str, &str)] =
    &[("min_precision", "0.92"), ("min_recall", "0.88"), ("min_f1", "0.90")];

/// The runbook's dispatch command (step 3.1), verbatim.
const DISPATCH: &str = r#"gh workflow run er-precision-gate.yml --ref main -f dataset_hash="$DATASET_HASH" -f min_precision="0.92" -f min_recall="0.88" -f min_f1="0.90""#;

#[test]
fn the_runbooks_dispatch_command_works_as_written() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    let inputs = wf["on"]["workflow_dispatch"]["inputs"].as_mapping().unwrap();
    let words: Vec<&str> = DISPATCH.split_whitespace().collect();
    let fields: Vec<&str> = words
        .windows(2)
        .filter(|w| w[0] == "-f")
        .map(|w| w[1].split('=').next().unwrap())
        .collect();
    assert_eq!(fields, ["dataset_hash", "min_precision", "min_recall", "min_f1"]);
    for field in &fields {
        assert!(inputs.contains_key(*field), "`-f {field}` names no input");
    }
    for (name, spec) in inputs {
        let required = spec["required"].as_bool().unwrap_or(false);
        assert!(!required || fields.contains(&text(name)), "input {} is required", text(name));
    }
    // What the command leaves out comes from the repository variables.
    let steps = wf["jobs"]["gate"]["steps"].as_sequence().unwrap();
    let resolve = steps.iter().find(|s| s["id"] == "dataset").expect("a dataset step");
    assert_eq!(
        text(&resolve["env"]["DATASET_DATE"]),
        "${{ inputs.dataset_date || vars.ML_DATASET_DATE }}"
    );
    assert_eq!(
        text(&resolve["env"]["DATASET_HASH"]),
        "${{ inputs.dataset_hash || vars.ML_DATASET_HASH }}"
    );
    assert!(text(&resolve["run"]).contains("::error title=No dataset version::"));
}

#[test]
fn the_required_check_runs_on_every_pull_request_and_in_the_merge_queue() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    for trigger in ["pull_request", "merge_group"] {
        let on = wf["on"].as_mapping().unwrap();
        assert!(on.contains_key(trigger), "no {trigger} trigger");
        // A filter would leave the required check pending on skipped runs.
        for filter in ["paths", "paths-ignore", "branches", "branches-ignore"] {
            assert!(wf["on"][trigger][filter].is_null(), "{trigger} has a {filter} filter");
        }
    }
}

#[test]
fn gate_workflow_is_dispatchable_and_reusable_with_the_runbook_inputs() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    let on = &wf["on"];
    for trigger in ["workflow_dispatch", "workflow_call"] {
        let inputs =
            on[trigger]["inputs"].as_mapping().unwrap_or_else(|| panic!("{trigger} inputs"));
        for name in [
            "dataset_hash",
            "min_precision",
            "min_recall",
            "min_f1",
            "validation_set",
            "dataset_date",
        ] {
            assert!(inputs.contains_key(name), "{trigger} lacks input {name}");
            assert!(inputs[name]["type"].is_string(), "{trigger}.{name} has a type");
            assert!(inputs[name]["description"].is_string(), "{trigger}.{name} has a description");
        }
        for (name, default) in RUNBOOK {
            // Dispatch inputs are strings; workflow_call thresholds are numbers.
            let found = match &inputs[*name]["default"] {
                Value::Number(n) => n.as_f64().unwrap(),
                other => text(other).parse().unwrap(),
            };
            assert_eq!(found, default.parse::<f64>().unwrap(), "{trigger}.{name} default");
        }
    }
    assert_eq!(text(&on["workflow_call"]["inputs"]["min_f1"]["type"]), "number");
    // GitHub rejects a workflow_dispatch event of more than 25 inputs.
    let dispatch = on["workflow_dispatch"]["inputs"].as_mapping().unwrap();
    assert!(dispatch.len() <= 25, "{} workflow_dispatch inputs", dispatch.len());
    // The adoption inputs a team sets without editing the workflow.
    for name in
        ["predictions", "key_columns", "baseline", "model_id", "model_version", "report_only"]
    {
        assert!(dispatch.contains_key(name), "workflow_dispatch lacks {name}");
    }
}

#[test]
fn gate_job_has_the_static_check_name_and_chains_its_outputs() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    let jobs = wf["jobs"].as_mapping().unwrap();
    // The gate, then the card's publication.
    assert_eq!(jobs.keys().map(text).collect::<Vec<_>>(), ["gate", "publish"]);
    let (id, job) = jobs.iter().next().unwrap();
    let id = text(id);
    assert_eq!(
        text(&job["name"]),
        "ER Precision Gate",
        "the check name branch protection requires"
    );
    let steps = job["steps"].as_sequence().unwrap();
    let gate = steps.iter().find(|s| s["uses"] == "./").expect("a `uses: ./` step");
    let step_id = text(&gate["id"]);
    for output in ["passed", "precision", "recall", "f1"] {
        assert_eq!(
            text(&job["outputs"][output]),
            format!("${{{{ steps.{step_id}.outputs.{output} }}}}"),
            "job output {output}"
        );
        assert_eq!(
            text(&wf["on"]["workflow_call"]["outputs"][output]["value"]),
            format!("${{{{ jobs.{id}.outputs.{output} }}}}"),
            "workflow output {output}"
        );
    }
    // Every workflow input reaches the action, the dataset version through
    // the step that falls back to the repository variables.
    let mut with: Vec<&str> = gate["with"].as_mapping().unwrap().values().map(text).collect();
    for id in ["dataset", "changes"] {
        let step = steps.iter().find(|s| s["id"] == id).expect("a dataset and a changes step");
        with.extend(step["env"].as_mapping().unwrap().values().map(text));
    }
    // publish_card is the publish job's.
    for step in wf["jobs"]["publish"]["steps"].as_sequence().unwrap() {
        with.extend(step["env"].as_mapping().into_iter().flat_map(|e| e.values().map(text)));
    }
    for name in wf["on"]["workflow_dispatch"]["inputs"].as_mapping().unwrap().keys().map(text) {
        assert!(
            with.iter().any(|v| v.contains(&format!("inputs.{name}"))),
            "input {name} is not wired"
        );
    }
    // Every report the gate writes lies in a folder the artifact uploads.
    let upload = using(steps, "actions/upload-artifact@", "the reports are uploaded");
    let uploaded: Vec<&str> = text(&upload["with"]["path"]).lines().map(str::trim).collect();
    for report in ["report_json", "model_card", "model_card_json"] {
        let path = text(&gate["with"][report]);
        assert!(
            uploaded.iter().any(|dir| dir.ends_with('/') && path.starts_with(dir)),
            "{report} `{path}` is not under an uploaded folder {uploaded:?}"
        );
    }
    assert_eq!(text(&gate["with"]["report_json"]), "er-precision-gate/result.json");
}

#[test]
fn deploy_example_deploys_only_after_a_passed_gate() {
    let wf = workflow("examples/model-deploy.yml");
    let jobs = wf["jobs"].as_mapping().unwrap();
    let (gate_id, _) = jobs
        .iter()
        .find(|(_, j)| j["uses"] == "./.github/workflows/er-precision-gate.yml")
        .expect("a job calling the reusable workflow");
    let gate_id = text(gate_id);
    let deploy = jobs.values().find(|j| j["needs"] == gate_id).expect("a job needing the gate");
    let condition = text(&deploy["if"]);
    assert!(condition.contains(&format!("needs.{gate_id}.result == 'success'")), "{condition}");
    assert!(
        condition.contains(&format!("needs.{gate_id}.outputs.passed == 'true'")),
        "{condition}"
    );
    // It gates the training run it deploys, and deploys the artifact gated.
    let call = &jobs[gate_id];
    assert_eq!(text(&call["with"]["training_run_id"]), "${{ inputs.training_run_id }}");
    assert_eq!(wf["on"]["workflow_dispatch"]["inputs"]["training_run_id"]["required"], true);
    let steps = deploy["steps"].as_sequence().unwrap();
    let download = using(
        steps,
        "actions/download-artifact@",
        "the deploy job downloads the training artifact",
    );
    assert_eq!(text(&download["with"]["run-id"]), "${{ inputs.training_run_id }}");
    let check = steps.iter().position(|s| s["env"]["GATED"].is_string()).expect("a digest check");
    assert_eq!(
        text(&steps[check]["env"]["GATED"]),
        format!("${{{{ needs.{gate_id}.outputs.predictions_hash }}}}")
    );
    assert!(text(&steps[check]["run"]).contains("sha256sum --check --strict checksums.txt"));
    assert!(check + 1 < steps.len(), "the deploy comes after the check");
    let gate = workflow(".github/workflows/er-precision-gate.yml");
    assert_eq!(
        text(&gate["on"]["workflow_call"]["outputs"]["predictions_hash"]["value"]),
        "${{ jobs.gate.outputs.predictions_hash }}"
    );
    assert_eq!(
        text(&gate["jobs"]["gate"]["outputs"]["predictions_hash"]),
        "${{ steps.gate.outputs.predictions_hash }}"
    );
}

#[test]
fn self_test_runs_the_action_on_the_fixtures_expecting_pass_and_fail() {
    let wf = workflow(".github/workflows/ci.yml");
    let steps = wf["jobs"]["self-test"]["steps"].as_sequence().unwrap();
    let gates: Vec<&Value> = steps.iter().filter(|s| s["uses"] == "./").collect();
    assert_eq!(gates.len(), 2);
    assert_eq!(gates[1]["continue-on-error"], Value::Bool(true));
    assert!(gates[0].get("continue-on-error").is_none(), "the passing case must not hide failure");
    let assert_step = steps.last().unwrap();
    let env: Vec<&str> = assert_step["env"].as_mapping().unwrap().values().map(text).collect();
    for expected in [
        "steps.pass.outcome",
        "steps.fail.outcome",
        "steps.pass.outputs.passed",
        "steps.fail.outputs.passed",
    ] {
        assert!(env.iter().any(|v| v.contains(expected)), "{expected} is not asserted");
    }
    let script = text(&assert_step["run"]);
    assert!(script.contains("test \"$FAIL_OUTCOME\" = failure"), "{script}");
}

#[test]
fn only_the_publish_job_writes_code_and_only_after_a_passing_gate_outside_pull_requests() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    assert_eq!(text(&wf["permissions"]["contents"]), "read");
    let jobs = wf["jobs"].as_mapping().unwrap();
    let writers: Vec<&str> = jobs
        .iter()
        .filter(|(_, job)| {
            let p = &job["permissions"];
            p["contents"] == "write" || p["pull-requests"] == "write"
        })
        .map(|(id, _)| text(id))
        .collect();
    assert_eq!(writers, ["publish"]);
    // The gate job may comment on the tracking issue, nothing more.
    let gate: Vec<(&str, &str)> = wf["jobs"]["gate"]["permissions"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (text(k), text(v)))
        .collect();
    assert_eq!(gate, [("contents", "read"), ("actions", "read"), ("issues", "write")]);
    let publish = &wf["jobs"]["publish"];
    assert_eq!(text(&publish["needs"]), "gate");
    let condition = text(&publish["if"]);
    for part in [
        "needs.gate.outputs.passed == 'true'",
        "github.event_name != 'pull_request'",
        "github.event_name != 'merge_group'",
        "inputs.publish_card != 'none'",
    ] {
        assert!(condition.contains(part), "publish runs without `{part}`: {condition}");
    }
    let run: String =
        publish["steps"].as_sequence().unwrap().iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(run.contains("feat(ml): add model card for ER $DATE"), "the runbook's subject");
    for line in ["- Precision: ", "- Recall: ", "- F1: ", "- Dataset hash: $SHA256"] {
        assert!(run.contains(line), "commit body lacks `{line}`");
    }
    // The verdict comment links the card at the commit, found by the marker
    // the gate writes for its job.
    let marker = er_precision_gate::comment_marker("$WORKFLOW/gate");
    assert!(run.contains(&format!("marker=\"{marker}\"")), "the gate's marker");
    assert!(run.contains("blob/$(git rev-parse HEAD)/model_cards/er_$DATE.md"));
    // Every value from outside reaches the script through the environment.
    assert!(!run.contains("${{"), "an expression inside the script");
    for trigger in ["workflow_dispatch", "workflow_call"] {
        let input = &wf["on"][trigger]["inputs"]["publish_card"];
        assert_eq!(text(&input["default"]), "pr", "{trigger}");
    }
}

#[test]
fn the_gate_downloads_the_artifact_the_training_run_uploads() {
    let train = workflow("examples/entity-resolution-train.yml");
    let gate = workflow(".github/workflows/er-precision-gate.yml");
    let train_steps = train["jobs"]["train"]["steps"].as_sequence().unwrap();
    let upload =
        using(train_steps, "actions/upload-artifact@", "the training run uploads its artifact");
    assert_eq!(text(&upload["with"]["name"]), "er-model-${{ inputs.dataset_date }}");
    assert_eq!(text(&upload["with"]["path"]), "er-model/");
    let write = train_steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("examples/training/write-artifact.sh"))
        .expect("the artifact is written by the script the tests run");
    assert!(write.contains(" er-model "), "into the folder it uploads: {write}");
    let script =
        std::fs::read_to_string(root().join("examples/training/write-artifact.sh")).unwrap();
    assert!(script.contains("checksums.txt"));
    let predict = std::fs::read_to_string(root().join("examples/training/predict.py")).unwrap();
    assert!(predict.contains("\"predictions.parquet\""));

    let job = &gate["jobs"]["gate"];
    let steps = job["steps"].as_sequence().unwrap();
    let download =
        using(steps, "actions/download-artifact@", "the gate downloads the training artifact");
    // The same name for the same dataset date: the gate's date is the
    // resolved input (or variable).
    assert_eq!(text(&download["with"]["name"]), "er-model-${{ steps.dataset.outputs.date }}");
    // The run the input names, or on a pull request the run its
    // .github/er-model-run names (the step that decides what to gate).
    let run_id = "${{ steps.changes.outputs.training_run_id }}";
    assert_eq!(text(&download["with"]["run-id"]), run_id);
    assert_eq!(text(&download["with"]["path"]), "er-model");
    let with = &steps.iter().find(|s| s["uses"] == "./").unwrap()["with"];
    assert!(text(&with["predictions"]).contains("'er-model/predictions.parquet'"));
    assert!(text(&with["checksums"]).contains("'er-model/checksums.txt'"));
    assert_eq!(text(&with["training_run_id"]), run_id);
    let changes = steps.iter().find(|s| s["id"] == "changes").expect("the step that decides");
    assert_eq!(text(&changes["env"]["TRAINING_RUN_ID"]), "${{ inputs.training_run_id }}");
    // Reading another run's artifacts is the gate job's right alone.
    assert_eq!(text(&job["permissions"]["actions"]), "read");
    assert!(gate["permissions"]["actions"].is_null());
    assert!(gate["jobs"]["publish"]["permissions"]["actions"].is_null());
}

#[test]
fn the_documented_required_check_is_one_pull_requests_get() {
    let docs = std::fs::read_to_string(root().join("docs/workflows.md")).unwrap();
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    let name = text(&wf["jobs"]["gate"]["name"]);
    assert!(
        docs.contains(&format!("+ [{{context: \"{name}\"}}]")),
        "the branch-protection example requires `{name}`"
    );
    assert!(wf["on"].as_mapping().unwrap().contains_key("pull_request"));
}

#[test]
fn a_release_is_guarded_pinned_by_digest_and_checked_anonymously() {
    let wf = workflow(".github/workflows/release.yml");
    let guard = &wf["jobs"]["guard"];
    let runs: String =
        guard["steps"].as_sequence().unwrap().iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.contains(".github/scripts/release-guard.sh"), "the tested guard runs first");
    for job in ["image", "release"] {
        let needs = &wf["jobs"][job]["needs"];
        let needs: Vec<&str> = match needs.as_sequence() {
            Some(list) => list.iter().map(text).collect(),
            None => vec![text(needs)],
        };
        assert!(needs.contains(&"guard"), "{job} waits for the guard");
    }
    let release: String = wf["jobs"]["release"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(release.contains("image: docker://${image}@${digest}|"), "action.yml pinned by digest");
    assert!(release.contains("docker logout ghcr.io"), "pulled as a user would");
    assert!(release.contains("if [ \"$MOVE_MAJOR\" = true ]"), "v1 moves only for the highest 1.x");
}

#[test]
fn the_pairs_to_review_are_written_uploaded_and_linked_on_every_path() {
    let wf = workflow(".github/workflows/er-precision-gate.yml");
    let steps = wf["jobs"]["gate"]["steps"].as_sequence().unwrap();
    let gate = steps.iter().find(|s| s["uses"] == "./").unwrap();
    // Whatever the run gates (a training run, a predictions file, the
    // scores in the validation set): no condition on it.
    let errors = text(&gate["with"]["errors_file"]);
    assert_eq!(errors, "er-precision-gate/errors.parquet");
    let upload = steps.iter().find(|s| s["id"] == "upload").expect("an upload step with an id");
    assert!(text(&upload["with"]["path"]).lines().any(|l| errors.starts_with(l.trim())));
    let link = steps
        .iter()
        .find(|s| s["env"]["URL"] == "${{ steps.upload.outputs.artifact-url }}")
        .expect("a step that links the artifact");
    let run = text(&link["run"]);
    assert!(run.contains(&format!("[ -f {errors} ]")), "{run}");
    assert!(run.contains(">> \"$GITHUB_STEP_SUMMARY\""), "{run}");
}
