//! The `checksums` input against `sha256sum -c` on the same files.

use std::collections::BTreeSet;
use std::process::Command;

use crate::util::{Gate, recorded_sha256, sha256sum_of};

const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// An artifacts folder: a model file, weights in a sub-folder, and the
/// validation set, with a checksums file of `lines` then the validation
/// set's own line, which a list must have.
fn artifacts(lines: &str) -> Gate {
    let sha = recorded_sha256("sample_validation.parquet");
    artifacts_listing(&format!("{lines}{sha}  sample_validation.parquet\n"))
}

/// [`artifacts`] with the checksums file exactly `lines`.
fn artifacts_listing(lines: &str) -> Gate {
    let gate = Gate::with_fixture("sample_validation.parquet");
    std::fs::create_dir_all(gate.path("artifacts/weights")).unwrap();
    std::fs::rename(
        gate.path("sample_validation.parquet"),
        gate.path("artifacts/sample_validation.parquet"),
    )
    .unwrap();
    std::fs::write(gate.path("artifacts/model.bin"), "").unwrap();
    std::fs::write(gate.path("artifacts/weights/w.bin"), "weights").unwrap();
    std::fs::write(gate.path("artifacts/checksums.txt"), lines).unwrap();
    gate.input("validation_set", "artifacts/sample_validation.parquet")
        .input("checksums", "artifacts/checksums.txt")
}

/// The names `sha256sum -c --strict` reports as failing, and its exit code.
fn sha256sum_failures(gate: &Gate) -> (BTreeSet<String>, i32) {
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "checksums.txt"])
        .current_dir(gate.path("artifacts"))
        .output()
        .expect("sha256sum runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let failed = stdout
        .lines()
        .filter_map(|l| {
            l.rsplit_once(": ").filter(|(_, s)| s.starts_with("FAILED")).map(|(n, _)| n.to_string())
        })
        .collect();
    (failed, out.status.code().unwrap())
}

fn weights_sha() -> String {
    sha256sum_of(b"weights")
}

#[test]
fn good_checksums_pass_like_sha256sum() {
    let lines =
        format!("# release artifacts\n{EMPTY}  model.bin\n{} *weights/w.bin\n", weights_sha());
    let gate = artifacts(&lines);
    let (failed, code) = sha256sum_failures(&gate);
    assert!(failed.is_empty() && code == 0, "sha256sum agrees the files are good: {failed:?}");
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(
        ran.stderr.contains("verified 3 files listed in `artifacts/checksums.txt`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn bad_and_missing_entries_fail_like_sha256sum_and_are_all_listed() {
    let lines = format!(
        "{EMPTY}  model.bin\n{}  weights/w.bin\n{EMPTY}  gone.bin\n{}  model.bin\n",
        "0".repeat(64),
        weights_sha()
    );
    let gate = artifacts(&lines);
    let (expected, code) = sha256sum_failures(&gate);
    assert_ne!(code, 0);
    let ran = gate.run();
    ran.assert_cannot_evaluate(
        "checksums file `artifacts/checksums.txt`: 3 of its lines failed verification",
    );
    let listed: BTreeSet<String> = ran
        .stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("line "))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    assert_eq!(listed, expected, "the same failing files as sha256sum -c: {}", ran.stderr);
    assert!(
        ran.stderr.contains("line 2: `weights/w.bin`: FAILED, expected 0000"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("line 3: `gone.bin`: No such file or directory"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("line 4: `model.bin` was listed on line 1 with another hash"),
        "{}",
        ran.stderr
    );
    assert!(ran.summary.contains("could not evaluate"));
}

#[test]
fn malformed_lines_fail_as_under_strict() {
    let gate = artifacts(&format!("{EMPTY}  model.bin\nthis is not a checksum line\n"));
    let (_, code) = sha256sum_failures(&gate);
    assert_ne!(code, 0, "sha256sum --strict rejects it too");
    let ran = gate.run();
    ran.assert_cannot_evaluate("line 2: improperly formatted: `this is not a checksum line`");
    assert!(ran.stderr.contains("expected `<64 hex digits>  <file name>`"), "{ran:#?}");
}

#[test]
fn the_validation_set_listed_in_checksums_is_verified_while_it_is_read() {
    let sha = recorded_sha256("sample_validation.parquet");
    let gate =
        artifacts_listing(&format!("{EMPTY}  model.bin\n{sha}  sample_validation.parquet\n"));
    let ran = gate.input("report_json", "r.json").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    assert_eq!(report["dataset"]["verified"], true);
    assert_eq!(report["dataset"]["checksums"], "artifacts/checksums.txt");
    // The summary says what the hash matched: the checksums line, not `dataset_hash`.
    assert!(
        ran.summary.contains(&format!(
            "| SHA-256 | `{sha}` ✅ matches line 2 of `artifacts/checksums.txt` |"
        )),
        "{}",
        ran.summary
    );

    let gate = artifacts_listing(&format!(
        "{EMPTY}  model.bin\n{}  sample_validation.parquet\n",
        "f".repeat(64)
    ));
    gate.run().assert_cannot_evaluate("does not match line 2 of `artifacts/checksums.txt`");
}

#[test]
fn missing_checksums_file() {
    let ran = Gate::with_fixture("sample_validation.parquet").input("checksums", "nope.txt").run();
    ran.assert_cannot_evaluate("cannot read checksums file `nope.txt`");
}
