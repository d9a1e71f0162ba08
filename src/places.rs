//! Where the run may read and write: the workspace and the runner's
//! temporary folder, never the system's own folders.
//!
//! A pull request controls every file it commits, links included: a
//! `checksums.txt` or card template committed as a link to
//! `/proc/self/environ` would otherwise be read, and quoted, like any other
//! file. So every path an input names is resolved (each link followed) and
//! must land inside one of the [`Places`]: `GITHUB_WORKSPACE` and
//! `RUNNER_TEMP` when either is set, the current folder otherwise; never
//! under `/proc`, `/sys` or `/dev`. A report's folder is resolved the same
//! way before anything is written into it. `main` sets the places once
//! ([`allow`]); a library caller that sets none keeps only the system
//! folders' rule.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use crate::env::Env;

/// The folders no input may resolve into, whatever the places.
const SYSTEM: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The folders the run may read and write in, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    roots: Vec<PathBuf>,
    /// How a refusal names them.
    named: &'static str,
}

static PLACES: OnceLock<Places> = OnceLock::new();

impl Places {
    /// `GITHUB_WORKSPACE` and `RUNNER_TEMP`, when either is set; else the
    /// current folder.
    pub fn from_env(env: &Env) -> Places {
        let runner: Vec<PathBuf> = ["GITHUB_WORKSPACE", "RUNNER_TEMP"]
            .iter()
            .filter_map(|name| env.non_empty(name))
            .filter_map(|dir| Path::new(dir).canonicalize().ok())
            .collect();
        if runner.is_empty() {
            let here = std::env::current_dir().and_then(|d| d.canonicalize());
            Places { roots: here.into_iter().collect(), named: "the current folder" }
        } else {
            Places {
                roots: runner,
                named: "the workspace (`GITHUB_WORKSPACE`) and the runner's temporary folder (`RUNNER_TEMP`)",
            }
        }
    }

    fn holds(&self, resolved: &Path) -> bool {
        self.roots.iter().any(|root| resolved.starts_with(root))
    }
}

/// Sets the places for the rest of the process; the first call wins.
pub fn allow(places: Places) {
    let _ = PLACES.set(places);
}

fn refused(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, why)
}

/// Checks a resolved path against the system folders and the places.
fn check(resolved: &Path) -> io::Result<()> {
    if SYSTEM.iter().any(|dir| resolved.starts_with(dir)) {
        return Err(refused(
            "it resolves into a system folder (/proc, /sys or /dev): expected a file of the repository"
                .to_string(),
        ));
    }
    match PLACES.get() {
        Some(places) if !places.holds(resolved) => {
            Err(refused(format!("it resolves outside {}", places.named)))
        }
        _ => Ok(()),
    }
}

/// The real path of an existing file or folder an input names, every link
/// followed; refused when it lands outside the places. The refusal never
/// names the link's target.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let resolved = path.canonicalize()?;
    check(&resolved)?;
    Ok(resolved)
}

/// Checks where a report at `path` would be written: its folder's deepest
/// existing ancestor is resolved (links followed), the rest of the folder
/// applied to it as written (`..` climbing), and the result must be inside
/// the places.
pub fn check_target(path: &Path) -> io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new(""));
    let parts: Vec<Component> = folder.components().collect();
    let mut split = parts.len();
    while split > 0 {
        match std::fs::symlink_metadata(parts[..split].iter().collect::<PathBuf>()) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::NotFound => split -= 1,
            Err(e) => return Err(e),
        }
    }
    let existing: PathBuf = match split {
        0 => PathBuf::from("."),
        _ => parts[..split].iter().collect(),
    };
    let mut real = existing.canonicalize()?;
    for part in &parts[split..] {
        match part {
            Component::Normal(name) => real.push(name),
            Component::ParentDir => drop(real.pop()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    check(&real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_folders_are_refused_whatever_the_places() {
        let err = resolve(Path::new("/proc/self/environ")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("system folder"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("checksums.txt");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let err = resolve(&link).unwrap_err().to_string();
        assert!(!err.contains("environ"), "never names the target: {err}");
        assert!(check_target(Path::new("/dev/shm/x/report.json")).is_err());
    }

    #[test]
    fn places_hold_what_is_below_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let places = Places { roots: vec![root.join("ws")], named: "the workspace" };
        assert!(places.holds(&root.join("ws/a/b")));
        assert!(!places.holds(&root.join("wsx/a")), "a prefix of a name is not a folder");
        assert!(!places.holds(&root));
        let env = Env::from_pairs([("RUNNER_TEMP", root.to_str().unwrap())]);
        assert_eq!(Places::from_env(&env).roots, [root]);
    }
}
