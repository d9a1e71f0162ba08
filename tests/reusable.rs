//! Every job that calls a reusable workflow of this repository grants what
//! the called jobs ask for and passes what the called workflow requires.
//! GitHub refuses such a run at start-up otherwise ("The nested job 'gate'
//! is requesting 'issues: write', but is only allowed 'issues: none'"): a
//! nested job may keep or reduce its caller's permissions, never add one.

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::Value;

use crate::util::root;

/// Every permission of `GITHUB_TOKEN` a workflow can set.
const SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

/// A permission's rank: `none` < `read` < `write`.
fn rank(level: &str) -> u8 {
    match level {
        "none" => 0,
        "read" => 1,
        "write" => 2,
        other => panic!("not a permission level: {other}"),
    }
}

/// What a `permissions:` value grants, scope by scope; `None` when it is
/// not set, so the level above decides.
fn granted(permissions: &Value) -> Option<BTreeMap<&'static str, u8>> {
    let all = |level: u8| Some(SCOPES.iter().map(|s| (*s, level)).collect());
    match permissions {
        Value::Null => None,
        Value::String(s) if s == "read-all" => all(1),
        Value::String(s) if s == "write-all" => all(2),
        Value::Mapping(m) => {
            for key in m.keys() {
                let key = key.as_str().unwrap_or_default();
                assert!(SCOPES.contains(&key), "unknown permission `{key}`");
            }
            let level = |scope: &str| m.get(scope).and_then(Value::as_str).map_or(0, rank);
            Some(SCOPES.iter().map(|s| (*s, level(s))).collect())
        }
        other => panic!("not a permissions value: {other:?}"),
    }
}

/// The token of a repository with restricted default permissions, which
/// GitHub gives new repositories and organisations.
fn restricted() -> BTreeMap<&'static str, u8> {
    SCOPES.iter().map(|s| (*s, u8::from(matches!(*s, "contents" | "packages")))).collect()
}

fn parse(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

/// What is wrong with the calls `caller` (a workflow's text) makes to the
/// reusable workflows under `repository`; empty when nothing is.
fn problems(caller: &Value, repository: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let top = granted(&caller["permissions"]);
    for (id, job) in caller["jobs"].as_mapping().unwrap() {
        let id = id.as_str().unwrap();
        let Some(path) = job["uses"].as_str().and_then(|u| u.strip_prefix("./")) else { continue };
        let called = parse(&std::fs::read_to_string(repository.join(path)).unwrap());
        let allowed =
            granted(&job["permissions"]).or_else(|| top.clone()).unwrap_or_else(restricted);
        let called_top = granted(&called["permissions"]);
        for (nested, nested_job) in called["jobs"].as_mapping().unwrap() {
            let nested = nested.as_str().unwrap();
            let Some(asks) = granted(&nested_job["permissions"]).or_else(|| called_top.clone())
            else {
                continue; // inherits the caller's, whatever they are
            };
            for (scope, level) in asks {
                if level > allowed[scope] {
                    found.push(format!(
                        "job `{id}` calls {path}, whose job `{nested}` asks for `{scope}: {}`, more than `{id}` grants",
                        ["none", "read", "write"][usize::from(level)]
                    ));
                }
            }
        }
        found.extend(arguments(id, job, &called["on"]["workflow_call"], path));
    }
    found
}

/// The inputs and secrets job `id` passes against what `call` (the called
/// workflow's `workflow_call`) declares and requires.
fn arguments(id: &str, job: &Value, call: &Value, path: &str) -> Vec<String> {
    let mut found = Vec::new();
    let names = |v: &Value| -> Vec<String> {
        v.as_mapping()
            .into_iter()
            .flat_map(|m| m.keys().filter_map(Value::as_str))
            .map(String::from)
            .collect()
    };
    let required = |v: &Value| -> Vec<String> {
        let m = v.as_mapping().into_iter().flatten();
        m.filter(|(_, d)| d["required"] == true && d["default"].is_null())
            .filter_map(|(k, _)| k.as_str().map(String::from))
            .collect()
    };
    let (with, secrets) = (names(&job["with"]), names(&job["secrets"]));
    let inherit = job["secrets"] == "inherit";
    for name in &with {
        if call["inputs"][name.as_str()].is_null() {
            found.push(format!("job `{id}` passes input `{name}`, which {path} does not declare"));
        }
    }
    for name in required(&call["inputs"]).into_iter().filter(|n| !with.contains(n)) {
        found.push(format!("job `{id}` does not pass the input `{name}` {path} requires"));
    }
    for name in required(&call["secrets"]).into_iter().filter(|n| !inherit && !secrets.contains(n))
    {
        found.push(format!("job `{id}` does not pass the secret `{name}` {path} requires"));
    }
    for name in secrets.iter().filter(|n| call["secrets"][n.as_str()].is_null()) {
        found.push(format!("job `{id}` passes secret `{name}`, which {path} does not declare"));
    }
    found
}

/// Every workflow shipped: the repository's own and the examples, which
/// are copied next to them (so `./.github/workflows/…` resolves the same).
fn shipped() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for dir in [".github/workflows", "examples"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn every_call_of_a_reusable_workflow_grants_and_passes_what_it_needs() {
    let mut calls = 0;
    for path in shipped() {
        let caller = parse(&std::fs::read_to_string(&path).unwrap());
        calls +=
            caller["jobs"].as_mapping().unwrap().values().filter(|j| j["uses"].is_string()).count();
        let found = problems(&caller, &root());
        assert!(found.is_empty(), "{}:\n{}", path.display(), found.join("\n"));
    }
    assert!(calls > 0, "the deploy example calls the gate workflow");
}

/// The deploy example as it was: its caller job granted no `issues`, which
/// the gate job asks for to comment the verdict, and passed no
/// `training_run_id`.
const UNSTARTABLE: &str = "
permissions:
  contents: read
jobs:
  gate:
    uses: ./.github/workflows/er-precision-gate.yml
    permissions:
      contents: write
      pull-requests: write
      actions: read
    with:
      dataset_date: ${{ inputs.dataset_date }}
      dataset_hash: ${{ inputs.dataset_hash }}
      min_precision: 0.92
";

#[test]
fn the_check_refuses_what_github_refuses() {
    let found = problems(&parse(UNSTARTABLE), &root());
    let asks = |job: &str| {
        format!(
            "job `gate` calls .github/workflows/er-precision-gate.yml, whose job `{job}` asks for `issues: write`, more than `gate` grants"
        )
    };
    assert_eq!(found, [asks("gate"), asks("publish")]);
    // Without permissions at the job, the workflow's (contents: read) hold.
    let bare = UNSTARTABLE.replace("    permissions:\n      contents: write\n      pull-requests: write\n      actions: read\n", "");
    let found = problems(&parse(&bare), &root());
    assert!(found.iter().any(|p| p.contains("`pull-requests: write`")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("`actions: read`")), "{found:?}");
    // An input the called workflow does not declare, a required one left out.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("called.yml"),
        "on:\n  workflow_call:\n    inputs:\n      date: { type: string, required: true }\n    secrets:\n      TOKEN: { required: true }\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps: []\n",
    )
    .unwrap();
    let caller = parse("jobs:\n  call:\n    uses: ./called.yml\n    with:\n      dat: x\n");
    let found = problems(&caller, dir.path());
    assert_eq!(
        found,
        [
            "job `call` passes input `dat`, which called.yml does not declare",
            "job `call` does not pass the input `date` called.yml requires",
            "job `call` does not pass the secret `TOKEN` called.yml requires",
        ]
    );
    let inherit = parse(
        "jobs:\n  call:\n    uses: ./called.yml\n    with:\n      date: x\n    secrets: inherit\n",
    );
    assert!(problems(&inherit, dir.path()).is_empty());
}
