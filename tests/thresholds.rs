//! The highest F1 and the recommended threshold are exact over every
//! distinct score: equal to scikit-learn's `precision_recall_curve` where
//! the grid alone is far off (a million distinct scores inside one grid
//! cell), on log-odds, and on the bundled sample.

use std::path::Path;

use arrow_array::{BooleanArray, Float64Array};

use crate::util::{Gate, col, fixture, write_parquet};

/// `rows` pairs whose label leans on the score: `spread(u)` maps a uniform
/// draw to the score, and the label is a match with probability 0.1 + 0.8u.
fn leaning(path: &Path, rows: usize, spread: impl Fn(f64) -> f64) {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut label, mut score) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    for _ in 0..rows {
        let u = next();
        label.push(next() < 0.1 + 0.8 * u);
        score.push(spread(u));
    }
    let columns =
        vec![("label", col(BooleanArray::from(label))), ("score", col(Float64Array::from(score)))];
    write_parquet(path, columns);
}

/// The gate's sweep on `file` against the oracle's.
fn agrees(file: &Path, distinct_at_least: u64) {
    let (min_precision, min_recall) = ("0.8", "0.3");
    let args = [file.as_os_str(), min_precision.as_ref(), min_recall.as_ref()];
    let expected = Gate::python("threshold_oracle.py", &args, "scikit-learn and pyarrow");
    assert!(expected["thresholds"].as_u64().unwrap() >= distinct_at_least, "{expected}");
    let ran = Gate::new()
        .reading(file.parent().unwrap())
        .input("validation_set", file.to_str().unwrap())
        .input("min_precision", min_precision)
        .input("min_recall", min_recall)
        .input("min_f1", "0")
        .input("report_json", "r.json")
        .run();
    assert!(ran.code < 2, "{ran:#?}");
    let sweep = &ran.json("r.json")["sweep"];
    assert_eq!(sweep["exact"], true, "{sweep}");
    let close = |ours: &serde_json::Value, theirs: &serde_json::Value, what: &str| {
        let (a, b) = (ours.as_f64().unwrap(), theirs.as_f64().unwrap());
        assert!(
            (a - b).abs() <= 1e-12,
            "{}: {what} {a} against scikit-learn's {b}",
            file.display()
        );
    };
    close(&sweep["max_f1"]["f1"], &expected["max_f1"], "max F1");
    assert_eq!(ran.outputs["max_f1"], sweep["max_f1"]["f1"].to_string());
    if expected["recommended_f1"].is_null() {
        assert!(sweep["recommended"].is_null(), "{sweep}");
    } else {
        close(&sweep["recommended"]["f1"], &expected["recommended_f1"], "recommended F1");
    }
    // The recommended threshold, run again, gives the counts reported.
    let Some(threshold) = sweep["recommended"]["threshold"].as_f64() else { return };
    let rerun = Gate::new()
        .reading(file.parent().unwrap())
        .input("validation_set", file.to_str().unwrap())
        .input("decision_threshold", &threshold.to_string())
        .input("min_precision", min_precision)
        .input("min_recall", min_recall)
        .input("min_f1", "0")
        .input("sweep", "false")
        .run();
    assert_eq!(rerun.code, 0, "{rerun:#?}");
    for cell in ["tp", "fp", "fn", "tn"] {
        assert_eq!(rerun.outputs[cell], sweep["recommended"][cell].to_string(), "{cell}");
    }
}

#[test]
fn the_best_thresholds_equal_scikit_learns_over_every_distinct_score() {
    let dir = tempfile::tempdir().unwrap();
    let cell = dir.path().join("one_cell.parquet");
    // A million distinct scores in [0.999, 0.999999): one cell of the grid.
    leaning(&cell, 1_000_000, |u| 0.999 + u * 0.000_999);
    agrees(&cell, 999_000);
    let logits = dir.path().join("logits.parquet");
    leaning(&logits, 200_000, |u| (u - 0.5) * 40.0);
    agrees(&logits, 199_000);
    agrees(&fixture("sample_validation.parquet"), 1);
}
