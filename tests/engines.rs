//! Counts computed by the engines where the data lives, with the queries of
//! `sql/` run as a user would (DuckDB, and PySpark in local mode): the
//! gate's verdict from those counts equals its verdict from the file, on
//! scores in [0, 1] and on log-odds.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, Float64Array, RecordBatch};

use crate::util::{Gate, fixture, read_parquet, write_batch};

/// The outputs that must not depend on who counted.
const SAME: &[&str] =
    &["passed", "verdict", "precision", "recall", "f1", "tp", "fp", "fn", "tn", "rows"];

/// slices.parquet with its scores spread as log-odds, 10^(5.5|u| - 1) with
/// u = 2 score - 1 and its sign: from ±0.1 to ±31623, so every range of the
/// sweep's grid holds scores (thousandths, hundredths, tenths, units, and
/// past ±9999).
fn log_odds(dir: &Path) -> PathBuf {
    let batch = read_parquet(&fixture("slices.parquet"));
    let at = batch.schema().index_of("score").unwrap();
    let scores = batch.column(at).as_any().downcast_ref::<Float64Array>().unwrap();
    let spread: Float64Array = scores
        .iter()
        .map(|s| {
            s.map(|p| (2.0 * p - 1.0).signum() * 10f64.powf((2.0 * p - 1.0).abs() * 5.5 - 1.0))
        })
        .collect();
    assert!(
        spread.iter().flatten().any(|s| s < -9999.0) && spread.iter().flatten().any(|s| s > 9999.0)
    );
    let mut columns = batch.columns().to_vec();
    columns[at] = Arc::new(spread);
    let path = dir.join("log_odds.parquet");
    write_batch(&path, &RecordBatch::try_new(batch.schema(), columns).unwrap());
    path
}

/// The gate on `file` and on `engine`'s counts of it, at each threshold.
fn compare(engine: &str, file: &Path, thresholds: &[&str]) {
    let data = tempfile::tempdir().unwrap();
    std::fs::copy(file, data.path().join(file.file_name().unwrap())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut args: Vec<&std::ffi::OsStr> =
        vec![engine.as_ref(), data.path().as_os_str(), out.path().as_os_str()];
    args.extend(thresholds.iter().map(std::ffi::OsStr::new));
    let made = Gate::python("engine_counts.py", &args, "duckdb and pyspark (and Java 17)");
    for &threshold in thresholds {
        let bar = |gate: Gate| {
            gate.input("decision_threshold", threshold)
                .input("min_precision", "0.9")
                .input("min_recall", "0.8")
                .input("min_f1", "0.85")
                .input("report_json", "r.json")
        };
        let file = bar(Gate::new())
            .reading(file.parent().unwrap())
            .input("validation_set", file.to_str().unwrap())
            .input("slice_columns", "entity_type,source")
            .run();
        let counts = made[threshold].as_str().unwrap();
        let engine_run = bar(Gate::new()).reading(out.path()).input("counts", counts).run();
        assert_eq!(engine_run.code, file.code, "{engine} at {threshold}: {engine_run:#?}");
        for output in SAME {
            assert_eq!(
                engine_run.outputs[*output], file.outputs[*output],
                "{engine} {threshold} {output}"
            );
        }
        let (a, b) = (file.json("r.json"), engine_run.json("r.json"));
        same_sweep(&a["sweep"], &b["sweep"], &format!("{engine} at {threshold}"));
        // Slices: the same counts per value (the engine gives values as text).
        let by_value = |report: &serde_json::Value| {
            let mut found = std::collections::BTreeMap::new();
            for column in report["slices"]["columns"].as_array().unwrap() {
                for slice in column["slices"].as_array().unwrap() {
                    let key = (column["column"].to_string(), slice["value"].to_string());
                    found.insert(key, (slice["counts"].clone(), slice["evaluated"].clone()));
                }
            }
            found
        };
        assert_eq!(by_value(&a), by_value(&b), "{engine} at {threshold}: the slices");
        assert!(engine_run.summary.contains("counted by the engine"), "{}", engine_run.summary);
    }
}

/// The engine's counts give the file's curve; its highest F1 and
/// recommended threshold are the grid's best, which the file's, exact over
/// every distinct score, can only beat.
fn same_sweep(file: &serde_json::Value, engine: &serde_json::Value, at: &str) {
    for key in ["curve", "best_precision_keeping_recall", "best_recall_keeping_precision"] {
        assert_eq!(file[key], engine[key], "{at}: {key}");
    }
    assert_eq!((&file["exact"], &engine["exact"]), (&true.into(), &false.into()), "{at}");
    for key in ["max_f1", "recommended"] {
        let f1 = |sweep: &serde_json::Value| sweep[key]["f1"].as_f64();
        assert!(f1(engine) <= f1(file), "{at}: {key} {} against {}", engine[key], file[key]);
    }
}

fn both(engine: &str) {
    compare(engine, &fixture("slices.parquet"), &["0.5", "0.7"]);
    let dir = tempfile::tempdir().unwrap();
    compare(engine, &log_odds(dir.path()), &["12.34", "-0.5", "1500"]);
}

#[test]
fn duckdb_counts_give_the_files_verdict() {
    both("duckdb");
}

#[test]
fn spark_counts_give_the_files_verdict() {
    both("spark");
}

#[test]
fn the_trino_query_parses_and_has_the_same_columns() {
    let columns = Gate::python("engine_counts.py", &["trino-syntax".as_ref()], "sqlglot");
    let header = std::fs::read_to_string(crate::util::root().join("sql/README.md")).unwrap();
    let listed: Vec<String> =
        columns.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    for column in &listed {
        assert!(header.contains(&format!("| `{column}` |")), "sql/README.md lacks `{column}`");
    }
    assert_eq!(listed.len(), 16);
}
