//! The release's version guard, run as release.yml runs it, against a real
//! git origin and fake `gh` and `docker` on PATH.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::root;

/// A checkout whose `origin` holds `tags`, with `Cargo.toml` at `cargo`.
struct Repo {
    dir: tempfile::TempDir,
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

impl Repo {
    fn new(cargo: &str, tags: &[&str]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let (origin, work) = (dir.path().join("origin.git"), dir.path().join("work"));
        git(dir.path(), &["init", "--quiet", "--bare", origin.to_str().unwrap()]);
        git(dir.path(), &["init", "--quiet", "-b", "main", work.to_str().unwrap()]);
        std::fs::write(work.join("Cargo.toml"), format!("[package]\nversion = \"{cargo}\"\n"))
            .unwrap();
        for args in [
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "--quiet",
                "--allow-empty",
                "-m",
                "x",
            ][..],
            &["remote", "add", "origin", origin.to_str().unwrap()],
        ] {
            git(&work, args);
        }
        for tag in tags {
            git(&work, &["tag", tag]);
        }
        git(&work, &["push", "--quiet", "origin", "main", "--tags"]);
        // gh reports `main` as the default branch; docker finds only the
        // images listed in `images`.
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let script = |name: &str, body: &str| {
            let path = bin.join(name);
            std::fs::write(&path, format!("#!/bin/bash\n{body}\n")).unwrap();
            Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        };
        script("gh", r#"[ "$1 $2" = "repo view" ] && echo main"#);
        let images = dir.path().join("images");
        std::fs::write(&images, "").unwrap();
        script(
            "docker",
            &format!(r#"[ "$1 $2" = "manifest inspect" ] && grep -qxF "$3" {}"#, images.display()),
        );
        Repo { dir }
    }

    fn with_image(self, image: &str) -> Repo {
        std::fs::write(self.dir.path().join("images"), format!("{image}\n")).unwrap();
        self
    }

    fn guard(&self, version: &str, branch: &str) -> (Output, String) {
        let output = self.dir.path().join("github_output");
        let path =
            format!("{}:{}", self.dir.path().join("bin").display(), std::env::var("PATH").unwrap());
        let out = Command::new("bash")
            .arg(root().join(".github/scripts/release-guard.sh"))
            .current_dir(self.dir.path().join("work"))
            .env("PATH", path)
            .env("VERSION", version)
            .env("GITHUB_REF_NAME", branch)
            .env("GITHUB_REPOSITORY", "Acme/er")
            .env("GITHUB_REPOSITORY_OWNER", "Acme")
            .env("GITHUB_OUTPUT", &output)
            .output()
            .unwrap();
        (out, std::fs::read_to_string(output).unwrap_or_default())
    }
}

fn refused(out: &Output, why: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "allowed: {stdout}");
    assert!(stdout.contains("::error title=Release refused::"), "{stdout}");
    assert!(stdout.contains(why), "{stdout}");
}

#[test]
fn a_new_version_of_cargo_toml_from_the_default_branch_is_allowed() {
    let repo = Repo::new("1.3.0", &["v1.2.0", "v1.2.1"]);
    let (out, output) = repo.guard("1.3.0", "main");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(output, "move_major=true\n");
}

#[test]
fn a_patch_of_an_older_line_does_not_move_the_major_tag() {
    let repo = Repo::new("1.1.5", &["v1.2.0", "v1.1.4"]);
    let (out, output) = repo.guard("1.1.5", "main");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(output, "move_major=false\n");
}

#[test]
fn a_version_that_exists_is_never_replaced() {
    let repo = Repo::new("1.2.0", &["v1.2.0"]);
    refused(&repo.guard("1.2.0", "main").0, "tag v1.2.0 exists");
    let repo = Repo::new("1.2.0", &[]).with_image("ghcr.io/acme/er-precision-gate:1.2.0");
    refused(&repo.guard("1.2.0", "main").0, "image ghcr.io/acme/er-precision-gate:1.2.0 exists");
}

#[test]
fn a_malformed_version_a_stale_cargo_toml_or_another_branch_is_refused() {
    let repo = Repo::new("1.2.0", &[]);
    for bad in ["v1.2.0", "1.2", "01.2.0", "1.2.0-rc1", ""] {
        refused(&repo.guard(bad, "main").0, "version must be MAJOR.MINOR.PATCH");
    }
    refused(&repo.guard("1.3.0", "main").0, "Cargo.toml says version 1.2.0");
    refused(&repo.guard("1.2.0", "feature").0, "from the default branch main, not feature");
}
