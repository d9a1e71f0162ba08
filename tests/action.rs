//! action.yml, the README, docs/reference.md and the code agree; the binary runs as the runner
//! starts a container action.

use std::collections::BTreeMap;

use er_precision_gate::INPUTS;
use er_precision_gate::OUTPUTS;
use serde::Deserialize;

use crate::util::{Gate, fixture, recorded_sha256, root};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    name: String,
    description: String,
    author: Option<String>,
    branding: Branding,
    inputs: serde_norway::Mapping,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Branding {
    icon: String,
    color: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    description: String,
    required: Option<bool>,
    default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    image: String,
}

fn action() -> Action {
    serde_norway::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap()
}

/// The inputs of action.yml in file order.
fn action_inputs(action: &Action) -> Vec<(String, Input)> {
    action
        .inputs
        .iter()
        .map(|(k, v)| {
            (k.as_str().unwrap().to_string(), serde_norway::from_value(v.clone()).unwrap())
        })
        .collect()
}

#[test]
fn action_yml_inputs_equal_the_input_table() {
    let action = action();
    assert!(!action.name.is_empty() && !action.description.is_empty());
    assert!(action.author.is_some());
    assert!(!action.branding.icon.is_empty() && !action.branding.color.is_empty());
    assert_eq!(action.runs.using, "docker");
    assert_eq!(action.runs.image, "Dockerfile");
    let inputs = action_inputs(&action);
    let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
    let table: Vec<&str> = INPUTS.iter().map(|s| s.name).collect();
    assert_eq!(names, table, "same inputs in the same order");
    for ((name, input), spec) in inputs.iter().zip(INPUTS) {
        assert_eq!(
            input.default.as_deref(),
            spec.action_default.or(spec.default),
            "default of {name}"
        );
        // None is required in action.yml: the program refuses a run that
        // misses one it needs (validation_set or counts) and names it.
        assert!(!input.required.unwrap_or(false), "required of {name}");
        assert_eq!(input.description.trim(), spec.help, "description of {name}");
    }
}

#[test]
fn action_yml_outputs_equal_the_output_table() {
    let action = action();
    let mut table: Vec<(&str, &str)> = OUTPUTS.to_vec();
    table.sort();
    let declared: Vec<(&str, &str)> =
        action.outputs.iter().map(|(k, v)| (k.as_str(), v.description.trim())).collect();
    assert_eq!(declared, table);
}

/// The rows of the first Markdown table after `heading` in docs/reference.md.
fn readme_table(heading: &str) -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("docs/reference.md")).unwrap();
    let start = readme.find(heading).unwrap_or_else(|| panic!("docs/reference.md lacks {heading}"));
    readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let mut cells: Vec<String> =
                l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect();
            cells[0] = cells[0].trim_matches('`').to_string();
            cells
        })
        .collect()
}

#[test]
fn readme_input_table_equals_the_input_table() {
    let rows = readme_table("\n## Inputs");
    let expected: Vec<Vec<String>> = INPUTS
        .iter()
        .map(|s| {
            let default = s.default.unwrap_or("(none)").to_string();
            let default = match s.action_default {
                Some(action) => format!("{default} (action: {action})"),
                None => default,
            };
            vec![s.name.to_string(), default, s.help.to_string()]
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn readme_output_table_equals_the_output_table() {
    let rows = readme_table("\n## Outputs");
    let expected: Vec<Vec<String>> =
        OUTPUTS.iter().map(|(n, d)| vec![n.to_string(), d.to_string()]).collect();
    assert_eq!(rows, expected);
}

#[test]
fn every_output_the_program_sets_is_declared() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("report_json", "r.json")
        .input("model_card", "card.md")
        .input("model_card_json", "card.json")
        .input("metrics_file", "gate.prom")
        .input("errors_file", "errors.parquet")
        .input("manifest", "manifest.sha256")
        .input("confidence", "0.95")
        .run();
    let mut declared: Vec<&str> = OUTPUTS.iter().map(|(n, _)| *n).collect();
    declared.sort();
    // `pushed` needs a Pushgateway and `comment_url` GitHub: their tests check them.
    declared.retain(|n| !["pushed", "comment_url"].contains(n));
    // Cluster mode's own: its test checks them.
    declared.retain(|n| !crate::clusters::CLUSTER_OUTPUTS.contains(n));
    // A paired comparison's own: its test checks them.
    declared.retain(|n| !crate::paired::PAIRED_OUTPUTS.contains(n));
    // Recall through blocking's own: its test checks them.
    declared.retain(|n| !crate::blocking::BLOCKING_OUTPUTS.contains(n));
    let set: Vec<&str> = ran.outputs.keys().map(String::as_str).collect();
    assert_eq!(set, declared);
}

#[test]
fn runs_as_the_runner_starts_a_container_action() {
    // Every declared input arrives as INPUT_*: the user's value, else the
    // action.yml default, else "". The working directory is the workspace.
    // CI sets ER_GATE_CONTAINER_WORKSPACE=/github/workspace to run in the
    // runner's real mount point, as root; elsewhere a temporary folder stands in.
    let real = std::env::var_os("ER_GATE_CONTAINER_WORKSPACE").map(std::path::PathBuf::from);
    let mut gate = Gate::new();
    let workspace = match &real {
        Some(dir) => {
            let dir = dir.join(format!("gate-test-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            gate = gate.cwd(&dir);
            dir
        }
        None => gate.path(""),
    };
    gate = gate.env("GITHUB_WORKSPACE", &workspace.display().to_string());
    std::fs::create_dir_all(workspace.join("data/validation")).unwrap();
    std::fs::copy(
        fixture("sample_validation.parquet"),
        workspace.join("data/validation/er_20251015.parquet"),
    )
    .unwrap();
    for (name, input) in action_inputs(&action()) {
        let value = match name.as_str() {
            "validation_set" => "data/validation/er_20251015.parquet".to_string(),
            // The action requires it by default.
            "dataset_hash" => recorded_sha256("sample_validation.parquet"),
            _ => input.default.unwrap_or_default(),
        };
        gate = gate.input(&name, &value);
    }
    let ran = gate.run();
    if real.is_some() {
        std::fs::remove_dir_all(&workspace).unwrap();
    }
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["passed"], "true");
    assert!(ran.summary.contains("`data/validation/er_20251015.parquet`"));
}

#[test]
fn dockerfile_follows_the_container_action_rules() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let lines: Vec<&str> = dockerfile.lines().map(str::trim).collect();
    assert!(!lines.iter().any(|l| l.starts_with("USER ")), "container actions run as root");
    let entrypoint =
        lines.iter().rev().find(|l| l.starts_with("ENTRYPOINT ")).expect("an ENTRYPOINT");
    assert!(
        entrypoint.starts_with("ENTRYPOINT [\"/"),
        "absolute exec-form ENTRYPOINT: {entrypoint}"
    );
    assert!(lines.iter().filter(|l| l.starts_with("FROM ")).count() >= 2, "multi-stage");
}

#[test]
fn one_compiler_for_ci_and_the_image() {
    let pinned = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap();
    let channel = pinned
        .lines()
        .find_map(|l| l.strip_prefix("channel = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("rust-toolchain.toml names a channel");
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let image = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("FROM rust:"))
        .and_then(|l| l.split_once("-slim"))
        .map(|(version, _)| version)
        .expect("the builder is FROM rust:<version>-slim-…");
    // The image tag follows a minor release's patches; the pin is one of them.
    assert!(
        channel.strip_prefix(image).is_some_and(|rest| rest.starts_with('.')),
        "rust-toolchain.toml pins {channel}, the Dockerfile builds with rust:{image}"
    );
    for component in ["clippy", "rustfmt"] {
        assert!(pinned.contains(&format!("\"{component}\"")), "{component} is pinned too");
    }
}

#[test]
fn fixtures_readme_lists_the_recorded_hashes() {
    let readme = std::fs::read_to_string(fixture("README.md")).unwrap();
    let checksums = std::fs::read_to_string(fixture("checksums.txt")).unwrap();
    for line in checksums.lines() {
        assert!(readme.contains(line), "fixtures/README.md lacks `{line}`");
    }
    // Every committed parquet fixture is listed, and nothing else.
    let mut listed: Vec<&str> = checksums.lines().map(|l| &l[66..]).collect();
    let mut parquet: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    listed.sort_unstable();
    parquet.sort_unstable();
    assert_eq!(listed, parquet);
}

#[test]
fn ci_runs_the_readmes_test_command_with_the_external_suites() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let quick = &readme[readme.find("## Quick start").unwrap()..];
    let block = &quick[quick.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let commands: Vec<&str> =
        block.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert_eq!(commands.len(), 2, "two commands for a newcomer: {commands:?}");
    let test = commands[1];
    assert!(test.contains("--features external-tests"), "{test}");
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert_eq!(ci.trim_end().lines().last(), Some(test), ".ci/run ends with the README's command");
}

#[test]
fn the_licences_cargo_names_are_there() {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(cargo.contains("license = \"MIT OR Apache-2.0\""));
    let mit = std::fs::read_to_string(root().join("LICENSE-MIT")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(root().join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Version 2.0, January 2004"));
}
