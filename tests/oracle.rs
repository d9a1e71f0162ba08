//! The gate's counts and metrics equal scikit-learn's, bit for bit.
//!
//! `tests/oracle.py` reads each file with pyarrow and counts with scikit-learn
//! (installed by `bash tests/setup.sh`).

use std::process::Command;

use crate::util::{Gate, root};

struct Case {
    fixture: &'static str,
    inputs: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case { fixture: "sample_validation.parquet", inputs: &[] },
    Case { fixture: "sample_validation.parquet", inputs: &[("decision_threshold", "0.3")] },
    Case { fixture: "sample_validation.parquet", inputs: &[("decision_threshold", "0.77")] },
    Case { fixture: "sample_validation.parquet", inputs: &[("prediction_column", "prediction")] },
    Case { fixture: "multi_row_groups.parquet", inputs: &[("decision_threshold", "0.62")] },
    Case { fixture: "int_labels.parquet", inputs: &[("decision_threshold", "0.7")] },
    Case { fixture: "int_labels.parquet", inputs: &[("prediction_column", "prediction")] },
    Case { fixture: "nulls.parquet", inputs: &[("null_policy", "skip")] },
    Case {
        fixture: "nulls.parquet",
        inputs: &[("null_policy", "skip"), ("decision_threshold", "0.2")],
    },
];

fn oracle(case: &Case) -> serde_json::Value {
    let input = |name: &str, default: &str| {
        case.inputs
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(default.to_string(), |(_, v)| v.to_string())
    };
    let file = root().join("fixtures").join(case.fixture);
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("tests/oracle.py")).arg(file).arg("label");
    match input("prediction_column", "") {
        p if p.is_empty() => cmd.args(["score", "score", &input("decision_threshold", "0.5")]),
        p => cmd.args(["prediction", &p]),
    };
    cmd.arg(input("null_policy", "fail"));
    let out = cmd.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the oracle needs python3 with pyarrow and scikit-learn \
         (bash tests/setup.sh):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn counts_and_metrics_equal_scikit_learn() {
    for case in CASES {
        let expected = oracle(case);
        let mut gate = Gate::with_fixture(case.fixture)
            .input("report_json", "r.json")
            .input("min_precision", "0")
            .input("min_recall", "0")
            .input("min_f1", "0");
        for (name, value) in case.inputs {
            gate = gate.input(name, value);
        }
        let ran = gate.run();
        assert_eq!(ran.code, 0, "{}: {ran:#?}", case.fixture);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(ran.dir.join("r.json")).unwrap())
                .unwrap();
        let what = format!("{} {:?}", case.fixture, case.inputs);
        for key in ["tp", "fp", "fn", "tn"] {
            assert_eq!(report["counts"][key], expected[key], "{key} of {what}");
        }
        assert_eq!(report["rows_skipped"], expected["skipped"], "skipped of {what}");
        for key in ["precision", "recall", "f1"] {
            let ours = report["metrics"][key].as_f64().map(f64::to_bits);
            let theirs = expected[key].as_f64().map(f64::to_bits);
            assert_eq!(
                ours, theirs,
                "{key} of {what}: {} vs {}",
                report["metrics"][key], expected[key]
            );
        }
    }
}
