//! Verifying a `sha256sum` / `shasum -a 256` checksums file, like `sha256sum -c`.
//!
//! Artifacts ship with a `checksums.txt`; every file it lists is checked,
//! relative to the checksums file's folder, before the gate runs. Every
//! failing line is collected (not just the first), so one run tells a user
//! everything that is wrong. Blank lines and `#` comments are skipped; the
//! binary-mode `*` marker and GNU's backslash-escaped names are understood.
//! A line of any other form is a failure too, as under `sha256sum --strict`.

use std::path::{Path, PathBuf};

use super::checksum::Sha256;
use super::error::DatasetError;
pub use super::error::{Failure, Problem};
use super::parts::PartsError;
use super::source::OpenPart;
use super::source::Source;
use crate::untrusted;

/// A hash the validation set must have, and where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The hash.
    pub sha256: Sha256,
    /// Where it came from, in prose: `` `dataset_hash` `` or
    /// `` line 3 of `checksums.txt` ``.
    pub against: String,
}

/// One entry of a checksums file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number.
    pub line: usize,
    /// The file name as listed.
    pub name: String,
    /// The path, resolved against the checksums file's folder.
    pub path: PathBuf,
    /// The listed hash.
    pub expected: Sha256,
}

/// Parses a checksums file's text; `dir` is the folder names are relative to.
/// Returns the entries and the malformed lines.
pub fn parse(text: &str, dir: &Path) -> (Vec<Entry>, Vec<Failure>) {
    let mut entries = Vec::new();
    let mut malformed = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Some((expected, name)) => {
                entries.push(Entry { line: i + 1, path: dir.join(&name), name, expected })
            }
            None => malformed.push(Failure {
                line: i + 1,
                name: line.to_string(),
                problem: Problem::Malformed,
            }),
        }
    }
    (entries, malformed)
}

/// `<hash> <space or *><name>`, with GNU's `\` prefix for escaped names.
fn parse_line(line: &str) -> Option<(Sha256, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let hash = Sha256::from_hex(line.get(..64)?)?;
    let rest = line.get(64..)?;
    let name = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *"))?;
    if name.is_empty() {
        return None;
    }
    let name = if escaped { unescape(name)? } else { name.to_string() };
    Some((hash, name))
}

fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// Verifies every line of the checksums file `list` but those of the
/// validation set's files (the file, or a folder's parts), whose expected
/// hashes are returned, one per file, to be checked while the set is read
/// (so each is hashed once). Every failing line is reported, not just the
/// first. A list that names some of a folder's parts must name them all.
pub fn verify(list: &Path, source: &Source) -> Result<Vec<Option<Expected>>, DatasetError> {
    let own = verify_but(list, &source.parts)?;
    let unlisted: Vec<String> = source
        .parts
        .iter()
        .zip(&own)
        .filter(|(_, e)| e.is_none())
        .map(|(p, _)| p.relative.clone())
        .collect();
    if source.folder && !unlisted.is_empty() && unlisted.len() < own.len() {
        return Err(PartsError::NotListed {
            folder: source.path.clone(),
            list: list.to_path_buf(),
            parts: own.len(),
            unlisted,
        }
        .into());
    }
    Ok(own)
}

/// Verifies every line of the checksums file `list`, none of whose files
/// is read as the data (with engine counts).
pub fn verify_all(list: &Path) -> Result<(), DatasetError> {
    verify_but(list, &[]).map(|_| ())
}

/// Verifies every line of `list` but those of `parts`, whose expected
/// hashes are returned, one per part.
fn verify_but(list: &Path, parts: &[OpenPart]) -> Result<Vec<Option<Expected>>, DatasetError> {
    let text = crate::files::read_text(list)
        .map_err(|source| DatasetError::ReadChecksums { path: list.to_path_buf(), source })?;
    let dir = list.parent().unwrap_or(Path::new(""));
    let (entries, mut failures) = parse(&text, dir);
    if entries.is_empty() && failures.is_empty() {
        // `sha256sum -c --strict` rejects a list that checks nothing.
        return Err(DatasetError::EmptyChecksums { path: list.to_path_buf() });
    }
    let targets: Vec<Option<PathBuf>> =
        parts.iter().map(|p| std::fs::canonicalize(&p.path).ok()).collect();
    let mut own = vec![None; targets.len()];
    for entry in &entries {
        let canonical = std::fs::canonicalize(&entry.path).ok();
        match targets.iter().position(|t| t.is_some() && *t == canonical) {
            Some(i) => {
                own[i] = Some(Expected {
                    sha256: entry.expected,
                    against: format!("line {} of `{}`", entry.line, untrusted::path(list)),
                })
            }
            None => failures.extend(check(entry)),
        }
    }
    failures.sort_by_key(|f| f.line);
    if !failures.is_empty() {
        return Err(DatasetError::Checksums { path: list.to_path_buf(), failures });
    }
    log::info!("verified {} files listed in `{}`", entries.len(), untrusted::path(list));
    Ok(own)
}

/// Checks one entry's file.
pub fn check(entry: &Entry) -> Option<Failure> {
    let failure = |problem| Failure { line: entry.line, name: entry.name.clone(), problem };
    let hashed = crate::files::require_regular(&entry.path)
        .and_then(|_| std::fs::File::open(&entry.path))
        .and_then(|f| Sha256::of_file(&f));
    let actual = match hashed {
        Ok(actual) => actual,
        Err(e) => return Some(failure(Problem::Unreadable(e))),
    };
    (actual != entry.expected)
        .then(|| failure(Problem::Mismatch { expected: entry.expected, actual }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_text_binary_comments_and_escapes() {
        let text = format!(
            "# artifacts\n\n{A}  model.bin\n{A} *weights.bin\r\n\\{A}  dir\\\\a\\nb\nnot a line\n{A}   spaced name\n"
        );
        let (entries, malformed) = parse(&text, Path::new("art"));
        let names: Vec<(usize, &str)> = entries.iter().map(|e| (e.line, e.name.as_str())).collect();
        assert_eq!(
            names,
            [(3, "model.bin"), (4, "weights.bin"), (5, "dir\\a\nb"), (7, " spaced name")]
        );
        assert_eq!(entries[0].path, Path::new("art/model.bin"));
        assert_eq!(malformed.len(), 1);
        assert_eq!(malformed[0].line, 6);
    }

    #[test]
    fn names_resolve_under_the_folder_unless_absolute_as_under_sha256sum() {
        let (entries, _) = parse(&format!("{A}  a/b.bin\n{A}  /abs/c.bin\n"), Path::new("art"));
        assert_eq!(entries[0].path, Path::new("art/a/b.bin"));
        assert_eq!(entries[1].path, Path::new("/abs/c.bin"));
    }

    #[test]
    fn rejects_short_hashes_and_missing_names() {
        let (entries, malformed) = parse(&format!("{}  x\n{A}\n{A} x\n", &A[1..]), Path::new("."));
        assert!(entries.is_empty());
        assert_eq!(malformed.len(), 3);
    }
}
