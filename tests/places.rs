//! Files are read and written only where meant (issue #31, items 1, 4, 5
//! and 7): a link a pull request commits cannot make the gate read the
//! runner's environment or a file outside the workspace, a report cannot
//! replace a file the run reads, and a checksums list cannot name files
//! elsewhere or one file twice.

use std::path::Path;

use crate::util::{Gate, Ran, recorded_sha256, tree};

/// The token the runner would hold: it must appear in nothing the step
/// writes but its own `::add-mask::` command.
const TOKEN: &str = "ghs_n0tReallyAT0kenButS3cret";

/// The sample with every minimum 0 and a token in the environment.
fn sample() -> Gate {
    Gate::with_fixture("sample_validation.parquet").any_metric().input("github_token", TOKEN)
}

/// Asserts that the token shows nowhere but in its mask command: not on
/// stdout otherwise, not on stderr, not in the summary or the outputs,
/// not in any file of the workspace.
fn assert_secret_kept(ran: &Ran) {
    let stdout: Vec<&str> = ran.stdout.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
    assert!(!stdout.join("\n").contains(TOKEN), "{ran:#?}");
    assert!(!ran.stderr.contains(TOKEN), "{ran:#?}");
    assert!(!ran.summary.contains(TOKEN), "{ran:#?}");
    assert!(ran.outputs.values().all(|v| !v.contains(TOKEN)), "{ran:#?}");
    for (path, bytes) in tree(&ran.dir) {
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "{}", path.display());
    }
}

fn link(gate: &Gate, name: &str, target: &Path) {
    std::os::unix::fs::symlink(target, gate.path(name)).unwrap();
}

#[test]
fn an_input_linked_to_the_processs_environment_is_refused_unread() {
    let environ = Path::new("/proc/self/environ");
    for (input, name, extra) in [
        ("checksums", "checksums.txt", None),
        ("config", "gate.yml", None),
        ("baseline", "b.json", None),
        ("model_card_template", "card.hbs", Some(("model_card", "card.md"))),
    ] {
        let mut gate = sample().input(input, name).input("report_json", "r.json");
        if let Some((key, value)) = extra {
            gate = gate.input(key, value);
        }
        link(&gate, name, environ);
        let ran = gate.run();
        assert_eq!(ran.code, 2, "{input}: {ran:#?}");
        assert!(ran.errors()[0].contains(name), "{input}: {ran:#?}");
        assert!(ran.stderr.contains("it resolves into a system folder"), "{input}: {ran:#?}");
        assert!(!ran.dir.join("r.json").exists() && !ran.dir.join("card.md").exists());
        assert_secret_kept(&ran);
    }
    let gate = Gate::new().input("counts", "counts.csv").input("github_token", TOKEN);
    link(&gate, "counts.csv", environ);
    let ran = gate.run();
    ran.assert_cannot_evaluate("it resolves into a system folder");
    assert_secret_kept(&ran);
}

#[test]
fn a_validation_set_linked_outside_the_workspace_is_refused() {
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("v.parquet");
    std::fs::copy(crate::util::fixture("sample_validation.parquet"), &outside).unwrap();
    let gate = Gate::new().any_metric().input("validation_set", "v.parquet");
    link(&gate, "v.parquet", &outside);
    let ran = gate.run();
    ran.assert_cannot_evaluate("cannot read validation set `v.parquet`");
    assert!(ran.stderr.contains("it resolves outside the workspace"), "{ran:#?}");
    assert!(!ran.stderr.contains(elsewhere.path().to_str().unwrap()), "never names the target");
    // The runner's temporary folder is a place of the run too.
    let ran = Gate::new()
        .any_metric()
        .reading(elsewhere.path())
        .input("validation_set", outside.to_str().unwrap())
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    // So is the current folder, off Actions.
    let ran = Gate::new()
        .unset("GITHUB_WORKSPACE")
        .any_metric()
        .input("validation_set", outside.to_str().unwrap())
        .run();
    ran.assert_cannot_evaluate("it resolves outside the current folder");
}

#[test]
fn a_report_is_never_written_over_a_file_the_run_reads() {
    // The config, by its name and by a hard link.
    let gate = sample().input("config", "gate.yml").input("report_json", "gate.yml");
    std::fs::write(gate.path("gate.yml"), "min_precision: 0\n").unwrap();
    let before = tree(gate.dir.path());
    let ran = gate.run();
    ran.assert_cannot_evaluate("cannot write report_json `gate.yml`");
    assert!(ran.stderr.contains("it is an input of this run"), "{ran:#?}");
    assert_eq!(tree(&ran.dir), before);
    let gate = sample().input("config", "gate.yml").input("report_json", "hard.json");
    std::fs::write(gate.path("gate.yml"), "min_precision: 0\n").unwrap();
    std::fs::hard_link(gate.path("gate.yml"), gate.path("hard.json")).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate("cannot write report_json `hard.json`");
    assert!(ran.stderr.contains("it is an input of this run"), "{ran:#?}");
    // A part of a folder the run reads, and a new file inside it.
    for target in ["parts/part-0.parquet", "parts/new.parquet"] {
        let gate = Gate::new().any_metric().input("validation_set", "parts");
        std::fs::create_dir(gate.path("parts")).unwrap();
        std::fs::copy(
            crate::util::fixture("sample_validation.parquet"),
            gate.path("parts/part-0.parquet"),
        )
        .unwrap();
        let before = tree(gate.dir.path());
        let ran = gate.input("errors_file", target).run();
        ran.assert_cannot_evaluate("it is inside a folder this run reads");
        assert_eq!(tree(&ran.dir), before, "{target}");
    }
}

#[test]
fn a_report_through_a_linked_folder_is_refused_where_it_leaves_the_places() {
    let elsewhere = tempfile::tempdir().unwrap();
    let gate = sample().input("report_json", "out/report.json");
    link(&gate, "out", elsewhere.path());
    let ran = gate.run();
    ran.assert_cannot_evaluate("cannot write report_json `out/report.json`");
    assert!(ran.stderr.contains("it resolves outside the workspace"), "{ran:#?}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // `..` below a folder that does not exist yet climbs from where it is.
    let ran = sample().input("report_json", "new/../../report.json").run();
    ran.assert_cannot_evaluate("it resolves outside the workspace");
    // Inside the workspace, a linked folder is the user's to choose.
    let gate = sample().input("report_json", "out/report.json");
    std::fs::create_dir(gate.path("reports")).unwrap();
    link(&gate, "out", &gate.path("reports"));
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.dir.join("reports/report.json").exists());
}

/// The sample with a checksums list of `lines`.
fn listed(lines: &str) -> Ran {
    let gate = sample().input("checksums", "c.txt");
    std::fs::write(gate.path("c.txt"), lines).unwrap();
    gate.run()
}

#[test]
fn checksums_entries_outside_the_folder_are_never_hashed() {
    let sha = recorded_sha256("sample_validation.parquet");
    let hostname = std::fs::read("/etc/hostname").unwrap_or_default();
    let real = crate::util::sha256sum_of(&hostname);
    for name in ["/etc/hostname", "../../../../etc/hostname"] {
        let ran =
            listed(&format!("{}  {name}\n{sha}  sample_validation.parquet\n", "0".repeat(64)));
        ran.assert_cannot_evaluate("is outside the checksums file's folder");
        assert!(!ran.stderr.contains(&real), "the target's hash is never printed: {ran:#?}");
    }
    // A link inside the folder to a file outside it is outside too.
    let gate = sample().input("checksums", "c.txt");
    link(&gate, "host", Path::new("/etc/hostname"));
    let lines = format!("{}  host\n{sha}  sample_validation.parquet\n", "0".repeat(64));
    std::fs::write(gate.path("c.txt"), lines).unwrap();
    let ran = gate.run();
    ran.assert_cannot_evaluate("line 1: `host` is outside the checksums file's folder");
    assert!(!ran.stderr.contains(&real), "{ran:#?}");
}

#[test]
fn a_file_listed_twice_with_two_hashes_fails_in_either_order() {
    let sha = recorded_sha256("sample_validation.parquet");
    let wrong = "0".repeat(64);
    for lines in [
        format!("{wrong}  sample_validation.parquet\n{sha}  ./sample_validation.parquet\n"),
        format!("{sha}  ./sample_validation.parquet\n{wrong}  sample_validation.parquet\n"),
    ] {
        listed(&lines).assert_cannot_evaluate("line 2: `");
        assert!(listed(&lines).stderr.contains("was listed on line 1 with another hash"));
    }
}

#[test]
fn a_list_that_does_not_name_the_validation_set_is_refused() {
    let gate = sample().input("checksums", "c.txt");
    std::fs::write(gate.path("model.bin"), "").unwrap();
    let empty = crate::util::sha256sum_of(b"");
    std::fs::write(gate.path("c.txt"), format!("{empty}  model.bin\n")).unwrap();
    gate.run()
        .assert_cannot_evaluate("checksums file `c.txt` does not list `sample_validation.parquet`");
}

#[test]
fn a_byte_order_mark_is_named_and_crlf_line_ends_are_read() {
    let sha = recorded_sha256("sample_validation.parquet");
    let ran = listed(&format!("\u{feff}{sha}  sample_validation.parquet\n"));
    ran.assert_cannot_evaluate("line 1: the file starts with a byte-order mark (U+FEFF)");
    let ran = listed(&format!("{sha}  sample_validation.parquet\r\n"));
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.stderr.contains("has Windows (CRLF) line ends"), "{ran:#?}");
}
