//! Scores on a 0-100 scale: recognised when the threshold is on the 0-1
//! scale (a warning that names the fix), and read as they are meant with
//! `score_scale: percent`, which gives the counts of the same scores on
//! the 0-1 scale, row for row.

use std::sync::Arc;

use arrow_array::{Float64Array, RecordBatch};

use crate::util::{Gate, fixture, read_parquet, write_batch};

/// The sample with its scores times 100, and its own 0-1 copy, written
/// into the gate's workspace.
fn percent_sample(gate: &Gate) {
    let batch = read_parquet(&fixture("sample_validation.parquet"));
    let at = batch.schema().index_of("score").unwrap();
    let unit = batch.column(at).as_any().downcast_ref::<Float64Array>().unwrap();
    // Exactly representable on both scales: each score rounded to 1e-4 of
    // the unit scale, so the two files decide every pair alike.
    let rounded: Float64Array = unit.iter().map(|s| s.map(|s| (s * 1e4).round() / 1e4)).collect();
    let percent: Float64Array =
        rounded.iter().map(|s| s.map(|s| (s * 1e4).round() / 1e2)).collect();
    for (name, scores) in [("unit.parquet", rounded), ("percent.parquet", percent)] {
        let mut columns = batch.columns().to_vec();
        columns[at] = Arc::new(scores);
        write_batch(&gate.path(name), &RecordBatch::try_new(batch.schema(), columns).unwrap());
    }
}

#[test]
fn percent_scores_are_recognised_and_read_as_meant() {
    let gate = Gate::new();
    percent_sample(&gate);
    let dir = gate.dir.path().to_path_buf();
    let run = |file: &str, scale: Option<&str>| {
        let report = format!("{file}-{}.json", scale.unwrap_or("raw"));
        let mut g = Gate::new().cwd(&dir).input("validation_set", file);
        g = g.input("report_json", &report);
        if let Some(scale) = scale {
            g = g.input("score_scale", scale);
        }
        g.run()
    };
    // As they are, at 0.5 every pair is a predicted match.
    let raw = run("percent.parquet", None);
    assert_eq!(raw.code, 1, "{raw:#?}");
    assert_eq!(raw.outputs["fn"], "0");
    assert!(
        raw.stdout.contains("::warning title=Scores look like percentages::every score of `score` lies in [0, 100] and some are above 1, while decision_threshold 0.5 is on a 0-1 scale: if the scores are percentages, set `score_scale: percent` (each divided by 100) or `decision_threshold: 50`"),
        "{}",
        raw.stdout
    );
    let meant = run("percent.parquet", Some("percent"));
    let unit = run("unit.parquet", None);
    assert_eq!(meant.code, unit.code, "{meant:#?}");
    for output in
        ["tp", "fp", "fn", "tn", "precision", "recall", "f1", "max_f1", "max_f1_threshold"]
    {
        assert_eq!(meant.outputs[output], unit.outputs[output], "{output}");
    }
    let report = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    assert!(!meant.stdout.contains("Scores look like percentages"));
    assert!(!unit.stdout.contains("Scores look like percentages"));
    assert_eq!(report("percent.parquet-percent.json")["decision"]["scale"], "percent");
    assert!(
        meant.summary.contains("`score` / 100 ≥ 0.5 is a predicted match"),
        "{}",
        meant.summary
    );
    assert!(report("unit.parquet-raw.json")["decision"]["scale"].is_null());
}

#[test]
fn a_scale_without_scores_is_refused() {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("prediction_column", "prediction")
        .input("score_scale", "percent")
        .run();
    ran.assert_cannot_evaluate("prediction_column and score_scale");
    let ran =
        Gate::with_fixture("sample_validation.parquet").input("score_scale", "basis-points").run();
    ran.assert_cannot_evaluate("score_scale");
}

/// The sample with its boolean labels as text, `match` and `non-match`.
fn text_labels(gate: &Gate) {
    let batch = read_parquet(&fixture("sample_validation.parquet"));
    let at = batch.schema().index_of("label").unwrap();
    let label = batch.column(at).as_any().downcast_ref::<arrow_array::BooleanArray>().unwrap();
    let text: arrow_array::StringArray =
        label.iter().map(|l| l.map(|l| if l { "match" } else { "non-match" })).collect();
    let mut fields: Vec<_> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields[at] = arrow_schema::Field::new("label", arrow_schema::DataType::Utf8, true);
    let mut columns = batch.columns().to_vec();
    columns[at] = Arc::new(text);
    let schema = Arc::new(arrow_schema::Schema::new(fields));
    write_batch(&gate.path("text.parquet"), &RecordBatch::try_new(schema, columns).unwrap());
}

#[test]
fn text_labels_name_their_values_and_count_with_positive_label() {
    let gate = Gate::new();
    text_labels(&gate);
    let dir = gate.dir.path().to_path_buf();
    let text = || Gate::new().cwd(&dir).input("validation_set", "text.parquet");
    text().run().assert_cannot_evaluate(
        "column `label` of `text.parquet` holds text labels (`non-match`, `match`): expected boolean, 0/1 or 0.0/1.0, or text with positive_label set to the value that means a match",
    );
    let read = text().input("positive_label", "match").run();
    let truth = Gate::with_fixture("sample_validation.parquet").run();
    assert_eq!(read.code, truth.code, "{read:#?}");
    for output in ["tp", "fp", "fn", "tn", "precision", "recall", "f1"] {
        assert_eq!(read.outputs[output], truth.outputs[output], "{output}");
    }
    // Joined to a predictions file, the same.
    std::fs::copy(fixture("sample_validation.parquet"), dir.join("scores.parquet")).unwrap();
    let joined = text()
        .input("positive_label", "match")
        .input("predictions", "scores.parquet")
        .input("key_columns", "left_id,right_id")
        .run();
    assert_eq!(joined.outputs["tp"], truth.outputs["tp"], "{joined:#?}");
    // A value no label has: no true match, which stops the run.
    text().input("positive_label", "Match").run().assert_cannot_evaluate("no true match");
    // positive_label on labels that are not text.
    Gate::with_fixture("sample_validation.parquet")
        .input("positive_label", "true")
        .run()
        .assert_cannot_evaluate("positive_label is set but column `label` of");
}
