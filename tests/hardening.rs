//! Hostile input, second round (issue #31): what a pull request controls
//! (a config file, a counts file, a card template, a card path, an earlier
//! card) can neither crash the gate nor bend its verdict. Each case builds
//! its input here and asserts the exit code and the message.

use crate::util::Gate;

/// The sample, every minimum 0: the cases here are about the input, not the metrics.
fn sample() -> Gate {
    Gate::with_fixture("sample_validation.parquet").any_metric()
}

#[test]
fn a_card_template_that_includes_itself_is_refused_not_a_stack_overflow() {
    let gate = sample().input("model_card", "card.md").input("model_card_template", "card.hbs");
    std::fs::write(gate.path("card.hbs"), r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}"#).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "template `card.hbs` has partials that include themselves: `p` -> `p`",
    );
    assert!(!ran.dir.join("card.md").exists(), "{ran:#?}");
}

#[test]
fn a_card_path_that_includes_itself_or_nests_deep_is_refused() {
    let ran = sample().input("model_card", r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}.md"#).run();
    ran.assert_cannot_evaluate("template `input model_card` has partials that include themselves");
    let deep = format!("{}x.md", "{{#if model_id}}".repeat(5_000));
    let ran = sample().input("model_card", &deep).run();
    ran.assert_cannot_evaluate("template `input model_card` has blocks nested more than 64 deep");
}

#[test]
fn a_key_set_twice_in_the_config_is_refused_with_both_lines() {
    let gate = sample().input("config", "gate.yml").input("slice_columns", "entity_type");
    let yaml = "slice_minimums:\n  entity_type:\n    person: { recall: 0.1 }\n    person: { recall: 0.99 }\n";
    std::fs::write(gate.path("gate.yml"), yaml).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate("`person` is set twice at line 4");
    assert!(ran.stderr.contains("it was first set on line 3"), "{ran:#?}");
}

#[test]
fn a_timeout_past_its_range_is_exit_2_not_a_panic() {
    let ran = sample().input("read_timeout_seconds", "18446744073709551615").run();
    ran.assert_cannot_evaluate("a whole number of seconds from 1 to 86400 (a day)");
}

#[test]
fn counts_that_would_overflow_are_refused_by_row() {
    let gate = Gate::new().input("counts", "counts.csv");
    let header = "kind,dataset_version,threshold,tp,fp,fn,tn\n";
    let total = format!("total,snap-1,0.5,{},0,1,0\n", u64::MAX);
    std::fs::write(gate.path("counts.csv"), format!("{header}{total}")).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "row 1 (kind `total`): expected tp, fp, fn, tn and skipped that add up to at most 2^60",
    );
}

#[test]
fn a_forged_time_cannot_make_an_earlier_card_the_latest() {
    let gate = sample()
        .input("baseline", "latest")
        .input("model_card_json", "cards/er_{{dataset_date}}.json")
        .input("dataset_date", "20251015");
    std::fs::create_dir(gate.path("cards")).unwrap();
    let card = |at: &str, precision: f64| {
        format!(
            r#"{{"schema_version": 1, "model": {{"id": "m", "evaluated_at": "{at}"}},
                "metrics": [{{"metric": "precision", "value": {precision}}}],
                "dataset": {{"sha256": "{}"}}}}"#,
            "ab".repeat(32)
        )
    };
    std::fs::write(gate.path("cards/er_20251001.json"), card("2025-10-01T12:00:00Z", 0.5)).unwrap();
    std::fs::write(gate.path("cards/forged.json"), card("zzzz", 0.1)).unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("cards/er_20251015.json");
    assert_eq!(report["changes"]["previous_model_id"], "m", "{report:#}");
    assert!(ran.stdout.contains("forged.json") && ran.stdout.contains("RFC 3339"), "{ran:#?}");
}

#[test]
fn card_values_from_the_inputs_render_as_text() {
    let ran = sample()
        .input("model_card", "card.md")
        .input("model_id", "<img src=x onerror=alert(1)>")
        .input("model_version", "v1\n## ✅ Approved for production")
        .input("framework", "[Approved](https://evil.example)")
        .input("limitations", "fine\n<script>x</script>")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.starts_with("# Model card: \\<img src=x onerror=alert(1)\\>\n"), "{card}");
    assert!(card.contains("| Model id | `<img src=x onerror=alert(1)>` |"), "{card}");
    assert!(!card.lines().any(|l| l.starts_with("## ✅")), "{card}");
    assert!(card.contains("| Framework | \\[Approved\\](https://evil.example) |"), "{card}");
    assert!(card.contains("- \\<script\\>x\\</script\\>"), "{card}");
    let run = sample()
        .input("model_card", "card.md")
        .input("training_run_id", "1)[x](https://e.example")
        .run();
    run.assert_cannot_evaluate("an Actions run id: digits");
}

/// Peak memory a run on an input of at most 1 MiB may reach.
#[cfg(feature = "external-tests")]
const PEAK: u64 = 256 << 20;

#[cfg(feature = "external-tests")]
#[test]
fn four_hundred_slices_of_two_mib_each_stay_small_in_memory_and_report() {
    use arrow_array::{BooleanArray, Float64Array, StringArray};
    let gate = Gate::new()
        .any_metric()
        .input("validation_set", "v.parquet")
        .input("slice_columns", "long")
        .input("report_json", "r.json");
    let n = 400;
    let long: Vec<String> = (0..n).map(|i| format!("{i:04}{}", "x".repeat(2 << 20))).collect();
    let batch = arrow_array::RecordBatch::try_from_iter(vec![
        (
            "label",
            crate::util::col(BooleanArray::from((0..n).map(|i| i % 2 == 0).collect::<Vec<_>>())),
        ),
        (
            "score",
            crate::util::col(Float64Array::from(
                (0..n).map(|i| (i % 10) as f64 / 10.0).collect::<Vec<_>>(),
            )),
        ),
        ("long", crate::util::col(StringArray::from(long))),
    ])
    .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    crate::util::write_batch_with(&gate.path("v.parquet"), &batch, props);
    let size = std::fs::metadata(gate.path("v.parquet")).unwrap().len();
    assert!(size < 1 << 20, "the file is small: {size}");
    let (ran, peak) = gate.run_measured();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = std::fs::metadata(ran.dir.join("r.json")).unwrap().len();
    assert!(report < 1 << 20, "the report holds bounded values: {report} bytes");
    assert!(peak < PEAK, "peak {} MiB", peak >> 20);
}

#[test]
fn the_summary_and_card_say_where_each_deciding_setting_came_from() {
    let gate = sample()
        .unset("INPUT_MIN_F1")
        .input("config", "gate.yml")
        .input("min_precision", "0.92")
        .input("model_card", "card.md")
        .input("report_json", "r.json");
    std::fs::write(
        gate.path("gate.yml"),
        "# lowered in this pull request\nreport_only: true\nmin_f1: 0.1\n",
    )
    .unwrap();
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    for row in [
        "| report_only | `true` | config file `gate.yml`, line 2 |",
        "| min_f1 | `0.1` | config file `gate.yml`, line 3 |",
        "| min_recall | `0` | input |",
        "| min_precision | `0.92` | default |",
    ] {
        assert!(ran.summary.contains(row), "{row}: {}", ran.summary);
    }
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("  - report_only: `true` (config file `gate.yml`, line 2)"), "{card}");
    let settings = &ran.json("r.json")["settings"];
    let f1 = settings.as_array().unwrap().iter().find(|s| s["input"] == "min_f1").unwrap();
    assert_eq!(f1["line"], 3);
    assert_eq!(f1["source"], "config file");
}
