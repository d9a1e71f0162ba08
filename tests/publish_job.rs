//! The gate workflow's publish job, its script run as the runner runs it,
//! with `git` and `gh` replaced by stand-ins that log what they are asked
//! and answer as GitHub does: the push URL follows the server the run is
//! on, a repository that forbids Actions to open pull requests gets the
//! setting to change, and every tracking issue listed gets the card's link.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::gate_workflow_step;

/// What GitHub answers `gh pr create` when "Allow GitHub Actions to create
/// and approve pull requests" is off.
const REFUSED: &str = "pull request create failed: GraphQL: GitHub Actions is not permitted to create or approve pull requests (createPullRequest)";

const TOKEN: &str = "ghs_PublishT0ken";

/// Writes the stand-ins into `bin`: each logs its arguments to `log`.
fn stand_ins(bin: &Path, log: &Path, pr_create: &str) {
    std::fs::create_dir_all(bin).unwrap();
    let log = log.display();
    let git = format!(
        "#!/usr/bin/env bash\necho \"git $*\" >> {log}\ncase \"$*\" in\n  'diff --cached --quiet') exit 1 ;;\n  'rev-parse HEAD') echo 0123abc ;;\nesac\n"
    );
    let gh = format!(
        "#!/usr/bin/env bash\necho \"gh $*\" >> {log}\ncase \"$1 $2\" in\n  'pr create') {pr_create} ;;\n  'api --paginate') echo 991 ;;\n  'api repos/'*) echo 'the verdict' ;;\nesac\n"
    );
    for (name, text) in [("git", git), ("gh", gh)] {
        let path = bin.join(name);
        std::fs::write(&path, text).unwrap();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    }
}

/// Runs the step `Commit the card` in `dir` with the stand-ins first on
/// `PATH`; its output and the stand-ins' log.
fn publish(dir: &Path, pr_create: &str, comment_on: &str) -> (Output, String) {
    let step = gate_workflow_step("publish", "name", "Commit the card");
    let (bin, log) = (dir.join("bin"), dir.join("log"));
    stand_ins(&bin, &log, pr_create);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-e", "-c", step["run"].as_str().unwrap()])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("GH_TOKEN", TOKEN)
        .env("MODE", "pr")
        .env("DATE", "20251015")
        .env("SHA256", "ab".repeat(32))
        .env("PRECISION", "0.95")
        .env("RECALL", "0.93")
        .env("F1", "0.94")
        .env("BRANCH", "main")
        .env("REPOSITORY", "acme/entity-resolution")
        .env("SERVER", "https://ghe.example.com")
        .env("WORKFLOW", "ER Precision Gate")
        .env("COMMENT_ON", comment_on)
        .output()
        .expect("bash runs");
    (out, std::fs::read_to_string(log).unwrap_or_default())
}

#[test]
fn a_repository_that_forbids_actions_pull_requests_gets_the_setting_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let (out, log) = publish(dir.path(), &format!("echo '{REFUSED}' >&2; exit 1"), "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("::error title=Pull requests not allowed::"), "{stdout}");
    assert!(stdout.contains("Allow GitHub Actions to create and approve pull requests"));
    assert!(stdout.contains("can_approve_pull_request_reviews=true"), "{stdout}");
    assert!(stdout.contains("GitHub App"), "{stdout}");
    // The card was pushed before, to its branch, on the run's own server.
    let remote = format!(
        "git remote set-url origin https://x-access-token:{TOKEN}@ghe.example.com/acme/entity-resolution.git"
    );
    assert!(log.contains(&remote), "{log}");
    assert!(
        log.contains("git push --force origin HEAD:refs/heads/model-card/er_20251015"),
        "{log}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    // Any other failure of `gh pr create` fails the job without the advice.
    let (out, _) = publish(dir.path(), "echo 'HTTP 502' >&2; exit 1", "");
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Pull requests not allowed"));
}

#[test]
fn every_tracking_issue_listed_gets_the_cards_link() {
    let dir = tempfile::tempdir().unwrap();
    let (out, log) = publish(dir.path(), "exit 0", "12, #57 pr *");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for issue in ["12", "57"] {
        let list =
            format!("gh api --paginate repos/acme/entity-resolution/issues/{issue}/comments");
        assert!(log.contains(&list), "{log}");
    }
    let patches = log.lines().filter(|l| l.starts_with("gh api --method PATCH")).count();
    assert_eq!(patches, 2, "{log}");
    assert!(log.contains(
        "https://ghe.example.com/acme/entity-resolution/blob/0123abc/model_cards/er_20251015.md"
    ));
    assert!(!log.contains("issues/pr/") && !log.contains("issues/*/"), "{log}");
}
