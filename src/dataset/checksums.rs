//! Verifying a `sha256sum` / `shasum -a 256` checksums file, like `sha256sum -c`.
//!
//! Artifacts ship with a `checksums.txt`; every file it lists is checked,
//! relative to the checksums file's folder, before the gate runs. Every
//! failing line is collected (not just the first), so one run tells a user
//! everything that is wrong. Blank lines and `#` comments are skipped; the
//! binary-mode `*` marker and GNU's backslash-escaped names are understood.
//! A line of any other form is a failure too, as under `sha256sum --strict`.

use std::path::{Component, Path, PathBuf};

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
/// Returns the entries and the failing lines: malformed, naming a file
/// outside `dir` (an absolute name, or one with `..`), or naming a file a
/// second time with another hash (names compared with `./` removed).
pub fn parse(text: &str, dir: &Path) -> (Vec<Entry>, Vec<Failure>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut failures = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let failure =
            |name: &str, problem| Failure { line: i + 1, name: name.to_string(), problem };
        let Some((expected, name)) = parse_line(line) else {
            let problem = if i == 0 && line.starts_with('\u{feff}') {
                Problem::ByteOrderMark
            } else {
                Problem::Malformed
            };
            failures.push(failure(line, problem));
            continue;
        };
        let Some(normal) = inside(&name) else {
            failures.push(failure(&name, Problem::Outside));
            continue;
        };
        match entries.iter().find(|e| e.path == dir.join(&normal)) {
            Some(first) if first.expected != expected => {
                failures.push(failure(&name, Problem::Twice { first: first.line }))
            }
            Some(_) => {}
            None => entries.push(Entry { line: i + 1, path: dir.join(&normal), name, expected }),
        }
    }
    (entries, failures)
}

/// A listed name with its `.` components removed, when it stays inside the
/// list's folder: not absolute, no `..`, not the folder itself.
fn inside(name: &str) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for part in Path::new(name).components() {
        match part {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!normal.as_os_str().is_empty()).then_some(normal)
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
/// first. The list must name the validation set (a folder's every part),
/// or the `predictions` file joined to it: a list that checks other files
/// only would let unverified data pass as verified.
pub fn verify(
    list: &Path,
    source: &Source,
    predictions: Option<&Path>,
) -> Result<Vec<Option<Expected>>, DatasetError> {
    let (own, others) = verify_but(list, &source.parts)?;
    let unlisted: Vec<String> = source
        .parts
        .iter()
        .zip(&own)
        .filter(|(_, e)| e.is_none())
        .map(|(p, _)| p.relative.clone())
        .collect();
    let predictions = predictions.and_then(|p| std::fs::canonicalize(p).ok());
    if unlisted.len() == own.len() && !predictions.is_some_and(|p| others.contains(&p)) {
        return Err(DatasetError::Unlisted { list: list.to_path_buf(), set: source.path.clone() });
    }
    if source.folder && !unlisted.is_empty() {
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

/// What [`verify_but`] gives: the parts' expected hashes, and the real
/// paths of the other files it verified.
type Verified = (Vec<Option<Expected>>, Vec<PathBuf>);

/// Verifies every line of `list` but those of `parts`, whose expected
/// hashes are returned, one per part.
fn verify_but(list: &Path, parts: &[OpenPart]) -> Result<Verified, DatasetError> {
    let text = crate::files::read_text(list)
        .map_err(|source| DatasetError::ReadChecksums { path: list.to_path_buf(), source })?;
    if text.contains("\r\n") {
        log::info!(
            "`{}` has Windows (CRLF) line ends: read as `sha256sum -c` reads them",
            untrusted::path(list)
        );
    }
    let dir = list.parent().unwrap_or(Path::new(""));
    let (entries, mut failures) = parse(&text, dir);
    if entries.is_empty() && failures.is_empty() {
        // `sha256sum -c --strict` rejects a list that checks nothing.
        return Err(DatasetError::EmptyChecksums { path: list.to_path_buf() });
    }
    let folder =
        crate::places::resolve(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
            .map_err(|source| DatasetError::ReadChecksums { path: list.to_path_buf(), source })?;
    let targets: Vec<Option<PathBuf>> =
        parts.iter().map(|p| std::fs::canonicalize(&p.path).ok()).collect();
    let mut own: Vec<Option<Expected>> = vec![None; targets.len()];
    let mut first_lines = vec![0; targets.len()];
    let mut others = Vec::new();
    for entry in &entries {
        let failure = |problem| Failure { line: entry.line, name: entry.name.clone(), problem };
        let real = match std::fs::canonicalize(&entry.path) {
            Ok(real) if !real.starts_with(&folder) => {
                failures.push(failure(Problem::Outside));
                continue;
            }
            real => real.ok(),
        };
        let Some(i) = targets.iter().position(|t| t.is_some() && *t == real) else {
            failures.extend(check(entry));
            others.extend(real);
            continue;
        };
        match &own[i] {
            Some(first) if first.sha256 != entry.expected => {
                failures.push(failure(Problem::Twice { first: first_lines[i] }))
            }
            Some(_) => {}
            None => {
                own[i] = Some(Expected {
                    sha256: entry.expected,
                    against: format!("line {} of `{}`", entry.line, untrusted::path(list)),
                });
                first_lines[i] = entry.line;
            }
        }
    }
    failures.sort_by_key(|f| f.line);
    if !failures.is_empty() {
        return Err(DatasetError::Checksums { path: list.to_path_buf(), failures });
    }
    log::info!("verified {} files listed in `{}`", entries.len(), untrusted::path(list));
    Ok((own, others))
}

/// Checks one entry's file, opened as every input's file is
/// ([`crate::files::open_regular`]).
pub fn check(entry: &Entry) -> Option<Failure> {
    let failure = |problem| Failure { line: entry.line, name: entry.name.clone(), problem };
    let hashed = crate::files::open_regular(&entry.path).and_then(|(f, _)| Sha256::of_file(&f));
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
    fn names_resolve_under_the_folder_and_never_outside_it() {
        let text = format!("{A}  a/b.bin\n{A}  /abs/c.bin\n{A}  ../up.bin\n{A}  a/../../x\n");
        let (entries, failures) = parse(&text, Path::new("art"));
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].path, Path::new("art/a/b.bin"));
        let outside: Vec<usize> = failures
            .iter()
            .filter(|f| matches!(f.problem, Problem::Outside))
            .map(|f| f.line)
            .collect();
        assert_eq!(outside, [2, 3, 4]);
    }

    #[test]
    fn a_name_twice_with_two_hashes_fails_whichever_comes_first() {
        let b = "b".repeat(64);
        for text in [
            format!("{A}  v.parquet\n{b}  ./v.parquet\n"),
            format!("{b}  ./v.parquet\n{A}  v.parquet\n"),
        ] {
            let (entries, failures) = parse(&text, Path::new("art"));
            assert_eq!(entries.len(), 1);
            assert_eq!(failures.len(), 1);
            assert!(matches!(failures[0].problem, Problem::Twice { first: 1 }), "{failures:?}");
            assert_eq!(failures[0].line, 2);
        }
        let (entries, failures) =
            parse(&format!("{A}  v.parquet\n{A}  ./v.parquet\n"), Path::new(""));
        assert_eq!((entries.len(), failures.len()), (1, 0), "the same hash twice is one entry");
    }

    #[test]
    fn a_byte_order_mark_is_named_and_a_long_line_is_cut() {
        let (_, failures) = parse(&format!("\u{feff}{A}  v.parquet\n"), Path::new(""));
        assert!(matches!(failures[0].problem, Problem::ByteOrderMark));
        assert!(failures[0].to_string().contains("byte-order mark"));
        let secret =
            format!("PATH=/usr/local/sbin:/usr/local/bin:/usr/bin\0TOKEN=ghs_{}", "x".repeat(9));
        let (_, failures) = parse(&secret, Path::new(""));
        let message = failures[0].to_string();
        assert!(!message.contains("ghs_"), "{message}");
        assert!(message.contains("… (32 more characters)"), "{message}");
    }

    #[test]
    fn rejects_short_hashes_and_missing_names() {
        let (entries, malformed) = parse(&format!("{}  x\n{A}\n{A} x\n", &A[1..]), Path::new("."));
        assert!(entries.is_empty());
        assert_eq!(malformed.len(), 3);
    }
}
