//! Hostile and odd input: a validation set, a checksums file, a baseline or
//! inputs written by someone who wants a red gate to look green (issue #14).
//!
//! Every case asserts the exit code, that nothing the runner would take as a
//! workflow command reaches stdout or stderr, that the job summary renders
//! no data as Markdown, and, where files are involved, that nothing outside
//! the intended paths changed.

use arrow_array::{BooleanArray, Float64Array};

use crate::util::{Gate, Ran, col, fixture, recorded_sha256, tree, write_parquet};

/// Workflow commands hidden in a name: each would start its own line.
const FORGED: &str =
    "\n::set-output name=passed::true\n::add-mask::ER precision gate\n::warning::forged\n";
/// The legacy marker that would switch command processing off.
const STOP: &str = "##[stop-commands]tok";
/// A fake verdict and a link, for a Markdown renderer.
const MARKDOWN: &str =
    "\n\n## ✅ ER precision gate passed\n\n[Approved: deploy](https://evil.example)\n";

/// The commands the gate itself prints, all on stdout.
const OURS: &[&str] = &[
    "::error title=",
    "::warning title=",
    "::notice title=",
    "::add-mask::",
    "::group::ER precision gate: the verdict",
    "::endgroup::",
];

/// Nothing on stdout or stderr is a command the gate did not mean.
fn assert_inert(ran: &Ran) {
    for (stream, text) in [("stdout", &ran.stdout), ("stderr", &ran.stderr)] {
        assert!(!text.contains("##["), "{stream} holds a legacy command: {ran:#?}");
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("::") {
                let ours = stream == "stdout" && OURS.iter().any(|p| t.starts_with(p));
                assert!(ours, "{stream} line is a command: {line:?}\n{ran:#?}");
                assert!(!t.starts_with("::add-mask::ER"), "forged mask: {ran:#?}");
            }
        }
    }
    assert_summary_inert(&ran.summary);
}

/// Outside code blocks and code spans, the summary holds no forged heading
/// or link.
fn assert_summary_inert(summary: &str) {
    let mut fence: Option<usize> = None;
    for line in summary.lines() {
        let run = line.len() - line.trim_start_matches('`').len();
        match fence {
            Some(n) if run >= n && line.trim_start_matches('`').trim().is_empty() => fence = None,
            Some(_) => continue,
            None if run >= 3 => fence = Some(run),
            None => {
                let prose = without_code_spans(line);
                assert!(!prose.contains("evil.example"), "a live link: {line:?}\n{summary}");
                assert!(!line.starts_with("## ✅") || summary.starts_with(line), "{summary}");
            }
        }
    }
    assert!(fence.is_none(), "an unclosed code block: {summary}");
}

/// A line with its code spans (a run of n backticks to the next run of n) cut out.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let n = after.len() - after.trim_start_matches('`').len();
        let fence = "`".repeat(n);
        let body = &after[n..];
        match body.find(&fence) {
            Some(end) => rest = &body[end + n..],
            None => return out + after,
        }
    }
    out + rest
}

/// A validation set whose columns have these names, `label` and `score` typed.
fn with_columns(names: [&str; 2]) -> Gate {
    let gate = Gate::new().input("validation_set", "v.parquet");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            (names[0], col(BooleanArray::from(vec![true, false, true]))),
            (names[1], col(Float64Array::from(vec![0.9, 0.1, 0.2]))),
        ],
    );
    gate
}

#[test]
fn column_names_cannot_forge_commands_or_markdown() {
    for name in [FORGED, STOP, MARKDOWN] {
        let ran = with_columns([name, "score"]).run();
        ran.assert_cannot_evaluate("has no column `label`");
        assert_inert(&ran);
        // And named by an input, as the deciding column.
        let ran = with_columns(["label", "score"]).input("score_column", name).run();
        assert_eq!(ran.code, 2, "{ran:#?}");
        assert_inert(&ran);
    }
}

#[test]
fn a_column_named_by_input_that_exists_is_shown_inert_in_every_report() {
    // The runner trims inputs: the forged lines sit inside the name.
    let name =
        "x\n::set-output name=passed::true\n::add-mask::ER precision gate\n::warning::forged";
    let ran = with_columns(["label", name]).input("score_column", name).run();
    assert_eq!(ran.code, 1, "P = 1/2 fails: {ran:#?}");
    assert_inert(&ran);
    assert!(ran.summary.contains("| Decision | `x ::set-output"), "{}", ran.summary);
}

#[test]
fn paths_cannot_forge_commands() {
    for name in [FORGED, STOP, MARKDOWN] {
        let file = format!("v{}.parquet", name.replace('/', "_"));
        let gate = Gate::with_fixture("sample_validation.parquet");
        std::fs::rename(gate.path("sample_validation.parquet"), gate.path(&file)).unwrap();
        let ran = gate.input("validation_set", &file).input("min_precision", "0.99").run();
        assert_eq!(ran.code, 1, "{ran:#?}");
        assert_inert(&ran);
        let ran = Gate::new().input("validation_set", &file).run();
        ran.assert_cannot_evaluate("cannot read validation set");
        assert_inert(&ran);
    }
}

#[test]
fn checksums_entries_cannot_forge_commands() {
    let gate = Gate::with_fixture("sample_validation.parquet");
    let hash = "0".repeat(64);
    // GNU's escaped form puts a newline into the name; the plain form the rest.
    let lines = format!(
        "\\{hash}  x\\n::set-output name=passed::true\n{hash}  {STOP}\n{hash}  y{}\n",
        MARKDOWN.replace('\n', " ")
    );
    std::fs::write(gate.path("checksums.txt"), lines).unwrap();
    let ran = gate.input("checksums", "checksums.txt").run();
    ran.assert_cannot_evaluate("3 of its lines failed verification");
    assert_inert(&ran);
}

#[test]
fn baseline_fields_are_validated_before_they_reach_a_report() {
    let sha = recorded_sha256("sample_validation.parquet");
    for (field, json) in [
        ("dataset.sha256", serde_json::json!({ "sha256": format!("{sha}{MARKDOWN}") })),
        ("model.id", serde_json::json!({ "sha256": sha })),
        ("metrics.precision", serde_json::json!({ "sha256": sha })),
    ] {
        let gate = Gate::with_fixture("sample_validation.parquet").input("baseline", "b.json");
        let model = match field {
            "model.id" => serde_json::json!({ "id": FORGED }),
            _ => serde_json::json!({ "id": "er_1" }),
        };
        let precision = if field == "metrics.precision" { 1e308 } else { 0.9 };
        let baseline = serde_json::json!({
            "schema_version": 1, "model": model, "dataset": json,
            "metrics": { "precision": precision, "recall": 0.9, "f1": 0.9 },
        });
        std::fs::write(gate.path("b.json"), baseline.to_string()).unwrap();
        let ran = gate.run();
        ran.assert_cannot_evaluate(&format!("has `{field}` = `"));
        assert_inert(&ran);
        assert!(!ran.stdout.contains("1000000000000000000000000000000"), "{}", ran.stdout);
    }
}

#[test]
fn corrupted_page_bytes_stop_the_gate_naming_row_group_and_column() {
    let ran = Gate::with_fixture("crc_damaged.parquet").run();
    ran.assert_cannot_evaluate("is damaged in row group 0, column `score`");
    assert!(ran.stderr.contains("Page CRC checksum mismatch"), "{}", ran.stderr);
}

#[test]
fn a_report_never_replaces_an_input_a_link_or_a_device() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("sample_validation.parquet"), ws.path().join("v.parquet")).unwrap();
    std::fs::write(ws.path().join("target.json"), "kept").unwrap();
    std::os::unix::fs::symlink(ws.path().join("target.json"), ws.path().join("link.json")).unwrap();
    std::os::unix::fs::symlink("/dev/null", ws.path().join("null.json")).unwrap();
    std::fs::write(ws.path().join("card.hbs"), "{{model.id}}").unwrap();
    let before = tree(ws.path());
    for (input, value, why) in [
        ("report_json", "v.parquet", "it is an input of this run"),
        ("report_json", "./v.parquet", "it is an input of this run"),
        ("report_json", "link.json", "a symbolic link"),
        ("report_json", "/dev/null", "a system folder"),
        ("report_json", "/dev/stdout", "a system folder"),
        ("report_json", "null.json", "a symbolic link"),
        ("metrics_file", ".", "a directory"),
        ("model_card", "card.hbs", "it is an input of this run"),
    ] {
        let ran = Gate::new()
            .cwd(ws.path())
            .input("validation_set", "v.parquet")
            .input("model_card_template", "card.hbs")
            .input("report_json", "fine.json")
            .input(input, value)
            .run();
        ran.assert_cannot_evaluate(&format!("cannot write {input}"));
        assert!(ran.stderr.contains(why), "{why}: {ran:#?}");
        assert_eq!(tree(ws.path()), before, "{input} = {value} changed a file");
        assert!(!ran.summary.contains("passed"), "{}", ran.summary);
    }
}

#[test]
fn template_values_cannot_leave_the_cards_folder() {
    let gate = Gate::with_fixture("sample_validation.parquet")
        .input("model_card", "cards/{{model_id}}.md")
        .input("model_id", "../../../x");
    let before = tree(gate.dir.path());
    let ran = gate.run();
    ran.assert_cannot_evaluate("input `model_card` puts `model_id` = `../../../x` into a path");
    assert_eq!(tree(&ran.dir), before);
    // Written literally by the user, the same path is theirs to choose.
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("model_card", "cards/../card_{{dataset_date}}.md")
        .input("dataset_date", "20251015")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.dir.join("card_20251015.md").exists());
}

#[test]
fn unbounded_or_blocking_files_are_refused_at_once() {
    let fifo = |gate: &Gate, name: &str| {
        let status = std::process::Command::new("mkfifo").arg(gate.path(name)).status().unwrap();
        assert!(status.success());
    };
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("model_card", "card.md")
        .input("model_card_template", "/dev/zero")
        .run();
    ran.assert_cannot_evaluate("cannot read template `/dev/zero`");
    assert!(ran.stderr.contains("it resolves into a system folder"), "{ran:#?}");

    let gate = Gate::with_fixture("sample_validation.parquet");
    std::fs::write(gate.path("big.hbs"), vec![b'x'; 1024 * 1024 + 1]).unwrap();
    let ran = gate.input("model_card", "card.md").input("model_card_template", "big.hbs").run();
    ran.assert_cannot_evaluate("cannot read template `big.hbs`");
    assert!(ran.stderr.contains("larger than the 1 MiB limit"), "{ran:#?}");

    let gate = Gate::with_fixture("sample_validation.parquet");
    std::fs::write(gate.path("c.txt"), format!("{}  /dev/zero\n", "0".repeat(64))).unwrap();
    let ran = gate.input("checksums", "c.txt").run();
    ran.assert_cannot_evaluate("`/dev/zero` is outside the checksums file's folder");

    let gate = Gate::with_fixture("sample_validation.parquet");
    fifo(&gate, "f.bin");
    let sha = crate::util::recorded_sha256("sample_validation.parquet");
    let lines = format!("{}  f.bin\n{sha}  sample_validation.parquet\n", "0".repeat(64));
    std::fs::write(gate.path("c.txt"), lines).unwrap();
    let ran = gate.input("checksums", "c.txt").run();
    ran.assert_cannot_evaluate("`f.bin`: not a regular file: a FIFO");

    let gate = Gate::new().input("validation_set", "pipe.parquet");
    fifo(&gate, "pipe.parquet");
    let ran = gate.run();
    ran.assert_cannot_evaluate("cannot read validation set `pipe.parquet`");
    assert!(ran.stderr.contains("not a regular file: a FIFO"), "{ran:#?}");
    assert!(!ran.stderr.contains("empty (0 bytes)"), "{ran:#?}");

    let ran = Gate::new().input("validation_set", "/dev/zero").run();
    ran.assert_cannot_evaluate("it resolves into a system folder");

    let gate = Gate::with_fixture("sample_validation.parquet").input("baseline", "b.json");
    fifo(&gate, "b.json");
    gate.run().assert_cannot_evaluate("cannot read baseline `b.json`");
}

#[test]
fn duplicate_columns_are_refused_by_name() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    let labels = || col(BooleanArray::from(vec![true, false]));
    let scores = || col(Float64Array::from(vec![0.9, 0.1]));
    let batch = arrow_array::RecordBatch::try_new(
        std::sync::Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("label", arrow_schema::DataType::Boolean, true),
            arrow_schema::Field::new("score", arrow_schema::DataType::Float64, true),
            arrow_schema::Field::new("label", arrow_schema::DataType::Boolean, true),
            arrow_schema::Field::new("score", arrow_schema::DataType::Float64, true),
        ])),
        vec![labels(), scores(), labels(), scores()],
    )
    .unwrap();
    crate::util::write_batch(&gate.path("v.parquet"), &batch);
    gate.run().assert_cannot_evaluate(
        "validation set `v.parquet` has 2 columns named `label` (input `label_column`): expected one",
    );
}

#[test]
fn outputs_that_cannot_be_written_never_leave_a_contradicting_summary() {
    // GITHUB_OUTPUT is a folder: the step outputs fail after the annotations.
    let gate = Gate::with_fixture("sample_validation.parquet").input("report_json", "r.json");
    let outputs = gate.path("_file_commands/output");
    std::fs::remove_file(&outputs).unwrap();
    std::fs::create_dir(&outputs).unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(ran.stdout.contains("::error title=Cannot write report::cannot write step outputs"));
    assert!(!ran.summary.contains("passed"), "{}", ran.summary);
    assert!(ran.summary.contains("could not evaluate"), "{}", ran.summary);
    assert_eq!(ran.stderr.matches("error: ").count(), 1, "the error once: {}", ran.stderr);
    // The JSON report is whole: it was written before the outputs.
    ran.json("r.json");

    // No summary file: the failed metrics are still annotated.
    let ran = Gate::with_fixture("sample_validation.parquet")
        .env("GITHUB_STEP_SUMMARY", "/nonexistent/summary")
        .input("min_precision", "0.99")
        .run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(ran.stdout.contains("::error title=Precision below threshold::"), "{}", ran.stdout);
    assert_eq!(ran.stderr.matches("error: cannot write job summary").count(), 1, "{}", ran.stderr);
}

#[test]
fn a_closed_stderr_keeps_the_verdicts_exit_code() {
    let sample = fixture("sample_validation.parquet");
    for (threshold, code) in [("0.5", 0), ("0.99", 1)] {
        let status = std::process::Command::new("sh")
            .args(["-c", "exec \"$0\" \"$@\" 2>&-"])
            .arg(env!("CARGO_BIN_EXE_er-precision-gate"))
            .args(["--validation-set", sample.to_str().unwrap(), "--min-precision", threshold])
            .env("RUST_LOG", "debug")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(code), "min_precision {threshold}");
    }
    let status = std::process::Command::new("sh")
        .args(["-c", "exec \"$0\" --validation-set missing.parquet 2>&-"])
        .arg(env!("CARGO_BIN_EXE_er-precision-gate"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn an_empty_checksums_list_is_refused_like_sha256sum_strict() {
    let gate = Gate::with_fixture("sample_validation.parquet");
    std::fs::write(gate.path("c.txt"), "# nothing listed\n\n").unwrap();
    gate.input("checksums", "c.txt").run().assert_cannot_evaluate("lists no file");
}

#[test]
fn odd_numbers_are_shown_or_refused_plainly() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("min_f1", "-0").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.summary.contains("| F1 | 0.9397 | ≥ 0.0000 | ✅ pass |"), "{}", ran.summary);
    let ran = Gate::with_fixture("sample_validation.parquet").input("min_f1", "1e-400").run();
    ran.assert_cannot_evaluate("input `min_f1` (from `INPUT_MIN_F1`) is `1e-400`");
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("prediction_column", "prediction")
        .input("decision_threshold", "0.7")
        .run();
    ran.assert_cannot_evaluate("inputs prediction_column and decision_threshold");
}

#[test]
fn one_pair_is_one_pair() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true]))),
            ("score", col(Float64Array::from(vec![0.9]))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.stdout.contains(" on 1 pair\n"), "{}", ran.stdout);
    assert!(ran.summary.contains("All 3 checks passed on 1 candidate pair."), "{}", ran.summary);
}

#[test]
fn thousands_of_columns_are_listed_twenty_at_a_time() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    let names: Vec<String> = (0..5_000).map(|i| format!("c{i}")).collect();
    write_parquet(
        &gate.path("v.parquet"),
        names.iter().map(|n| (n.as_str(), col(BooleanArray::from(vec![true])))).collect(),
    );
    let ran = gate.run();
    ran.assert_cannot_evaluate("its columns are: `c0`, `c1`");
    assert!(ran.errors()[0].ends_with("`c19`, and 4980 more"), "{}", ran.stdout);
}

/// Found by the `evaluate` fuzz target: a file of true matches only (no
/// true negative) overflowed the count of true negatives.
#[test]
fn a_file_of_true_matches_only_is_counted() {
    let gate = Gate::new().input("validation_set", "v.parquet");
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true; 5]))),
            ("score", col(Float64Array::from(vec![0.9, 0.8, 0.7, 0.6, 0.3]))),
        ],
    );
    let ran = gate.input("min_recall", "0.5").input("min_f1", "0.5").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!((ran.outputs["tp"].as_str(), ran.outputs["fn"].as_str()), ("4", "1"));
    assert_eq!((ran.outputs["fp"].as_str(), ran.outputs["tn"].as_str()), ("0", "0"));
}

/// Every input a fuzz target ever crashed on (tests/fuzz_regressions/, the
/// first byte picks the settings as in fuzz/fuzz_targets/evaluate.rs, the
/// rest is the file): the gate gives a verdict or exit 2, never a crash.
#[test]
fn inputs_the_fuzzer_crashed_on_give_a_verdict_or_exit_2() {
    let dir = crate::util::root().join("tests/fuzz_regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let gate = Gate::new().input("validation_set", "v.parquet").input("min_precision", "0");
        std::fs::write(gate.path("v.parquet"), &bytes[1..]).unwrap();
        let gate = match bytes[0] % 3 {
            2 => gate.input("prediction_column", "prediction"),
            1 => gate.input("decision_threshold", "-1e300"),
            _ => gate,
        };
        let ran = gate.run();
        assert!([0, 1, 2].contains(&ran.code), "{ran:#?}");
        assert!(!ran.stderr.contains("internal: "), "a panic: {}", ran.stderr);
        assert_inert(&ran);
        seen += 1;
    }
    assert!(seen >= 2, "{seen} regression inputs");
}
