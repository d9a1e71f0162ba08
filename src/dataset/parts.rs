//! A folder of part files read as one dataset, and its manifest.
//!
//! Spark, Splink and most pipelines write a dataset as a folder of parquet
//! parts, often under hive-style `key=value/` folders. [`list`] finds every
//! `*.parquet` under the folder, skipping hidden and `_`-prefixed names
//! (`_SUCCESS`, `_temporary/`, `.part-0.crc`), sorted by the bytes of the
//! path relative to the folder, which is the order its rows are numbered in.
//! The provenance of a folder is its [`manifest`]: one `sha256sum` line per
//! part, in that order; the dataset hash is the SHA-256 of that text, so
//! `sha256sum` alone reproduces it (README, "A folder of parts").

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::checksum::Sha256;
use super::role::Role;
use crate::untrusted::{self, shown};

/// The characters a manifest line cannot hold unescaped.
const UNLISTABLE: [char; 3] = ['\\', '\n', '\r'];

/// Whether a folder's listing skips a file or folder of this name: hidden
/// (`.crc` files) or `_`-prefixed (`_SUCCESS`, `_temporary/`), as Spark
/// and Hive write them. The counts' folders skip the same.
pub fn skipped(name: &str) -> bool {
    name.starts_with(['.', '_'])
}

/// The value Hive and Spark write for a null partition value.
const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// One part file of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartPath {
    /// The path relative to the folder, with `/` between names: the
    /// manifest's name for it.
    pub relative: String,
    /// The path to open.
    pub path: PathBuf,
    /// The hive partition values of its folders, in the order of
    /// [`Listing::keys`]; `None` for Hive's null.
    pub values: Vec<Option<String>>,
}

/// Every part of a folder and its hive partition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The parts, sorted by the bytes of their relative paths.
    pub parts: Vec<PartPath>,
    /// The hive partition keys every part's folders name (`key=value/`),
    /// outermost first; empty when the folders are not partitioned.
    pub keys: Vec<String>,
}

/// Why a folder cannot be read as one dataset.
#[derive(Debug, thiserror::Error)]
pub enum PartsError {
    /// A folder under it could not be listed.
    #[error("cannot list {role} folder `{}`", untrusted::path(path))]
    List {
        role: Role,
        /// The folder that failed.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// No part file under the folder.
    #[error(
        "{role} folder `{}` holds no `*.parquet` file (hidden and `_`-prefixed names are skipped): expected the parts of one dataset",
        untrusted::path(path)
    )]
    NoParts { role: Role, path: PathBuf },

    /// A name the manifest cannot hold, or a link the listing does not follow.
    #[error(
        "{role} folder `{}`: `{}` {why}: expected regular parquet files with names of UTF-8 text without `\\` or line breaks",
        untrusted::path(folder),
        untrusted::path(path)
    )]
    Unlisted {
        role: Role,
        folder: PathBuf,
        /// The entry.
        path: PathBuf,
        /// What is wrong with it.
        why: &'static str,
    },

    /// Two parts sit under different hive partition keys.
    #[error(
        "{role} folder `{}`: part `{}` is partitioned by {} but part `{}` by {}: expected the same `key=value/` folders above every part",
        untrusted::path(folder),
        shown(first),
        keys_list(first_keys),
        shown(other),
        keys_list(other_keys)
    )]
    Keys {
        role: Role,
        folder: PathBuf,
        /// The first part.
        first: String,
        first_keys: Vec<String>,
        /// A part with other keys.
        other: String,
        /// Those keys.
        other_keys: Vec<String>,
    },

    /// A part lacks a column the gate reads, or holds it in another type.
    #[error(
        "{role} folder `{}`: part `{}` {}: expected the type of the first part, `{}`, {expected}",
        untrusted::path(folder),
        shown(part),
        match found {
            Some(t) => format!("has column `{}` of type {t}", shown(column)),
            None => format!("has no column `{}`", shown(column)),
        },
        shown(first)
    )]
    Schema {
        role: Role,
        folder: PathBuf,
        /// The part that differs.
        part: String,
        /// The first part, whose schema is the dataset's.
        first: String,
        column: String,
        /// Its type in the first part, as arrow names it.
        expected: String,
        /// Its type in this part; `None` when absent.
        found: Option<String>,
    },

    /// A checksums list names some of a folder's parts but not all: the
    /// others would go unverified.
    #[error(
        "checksums file `{}` lists {} of the {parts} parts of folder `{}` but not {}: expected a line for every part (the folder's manifest lists them all)",
        untrusted::path(list),
        parts - unlisted.len(),
        untrusted::path(folder),
        first_names(unlisted)
    )]
    NotListed {
        folder: PathBuf,
        /// The checksums file.
        list: PathBuf,
        /// How many parts the folder has.
        parts: usize,
        /// The parts it does not list.
        unlisted: Vec<String>,
    },
}

/// How many part names a message lists before it only counts the rest.
const NAMED_PARTS: usize = 5;

fn first_names(names: &[String]) -> String {
    let mut list: Vec<String> =
        names.iter().take(NAMED_PARTS).map(|n| format!("`{}`", shown(n))).collect();
    if names.len() > NAMED_PARTS {
        list.push(format!("{} more", names.len() - NAMED_PARTS));
    }
    list.join(", ")
}

fn keys_list(keys: &[String]) -> String {
    if keys.is_empty() {
        "no key".to_string()
    } else {
        keys.iter().map(|k| format!("`{}`", shown(k))).collect::<Vec<_>>().join(", ")
    }
}

/// Finds the parts under `folder`. Symbolic links are refused rather than
/// followed (`find -type f` skips them, so a manifest made by hand would
/// leave them out), as are names no manifest line can hold.
pub fn list(role: Role, folder: &Path) -> Result<Listing, Box<PartsError>> {
    let mut found = Vec::new();
    walk(role, folder, folder, "", &mut found)?;
    arrange(role, folder, found)
}

/// The objects under a prefix as a folder's parts: `objects` are the paths
/// below the prefix with what stands for each; those a folder would skip
/// are left out, as are the names no manifest line can hold refused.
pub fn of_objects<T>(
    role: Role,
    prefix: &Path,
    objects: Vec<(String, T)>,
) -> Result<(Listing, Vec<T>), Box<PartsError>> {
    let mut kept = Vec::new();
    for (relative, object) in objects {
        let segments: Vec<&str> = relative.split('/').collect();
        if segments.iter().any(|s| skipped(s) || s.is_empty()) || !relative.ends_with(".parquet") {
            continue;
        }
        if relative.contains(UNLISTABLE) {
            let (folder, path) = (prefix.to_path_buf(), PathBuf::from(&relative));
            let why = "has a name a manifest line cannot hold";
            return Err(Box::new(PartsError::Unlisted { role, folder, path, why }));
        }
        kept.push((relative, object));
    }
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let found = kept.iter().map(|(r, _)| (r.clone(), prefix.join(r))).collect();
    let listing = arrange(role, prefix, found)?;
    Ok((listing, kept.into_iter().map(|(_, o)| o).collect()))
}

/// Sorts the parts found, reads their hive keys and checks that they agree.
fn arrange(
    role: Role,
    folder: &Path,
    mut found: Vec<(String, PathBuf)>,
) -> Result<Listing, Box<PartsError>> {
    found.sort_by(|a: &(String, PathBuf), b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if found.is_empty() {
        return Err(Box::new(PartsError::NoParts { role, path: folder.to_path_buf() }));
    }
    let parsed: Vec<(Vec<String>, Vec<Option<String>>)> =
        found.iter().map(|(relative, _)| hive(relative)).collect();
    let keys = parsed[0].0.clone();
    if let Some((i, (other_keys, _))) = parsed.iter().enumerate().find(|(_, (k, _))| *k != keys) {
        return Err(Box::new(PartsError::Keys {
            role,
            folder: folder.to_path_buf(),
            first: found[0].0.clone(),
            first_keys: keys,
            other: found[i].0.clone(),
            other_keys: other_keys.clone(),
        }));
    }
    let parts = found
        .into_iter()
        .zip(parsed)
        .map(|((relative, path), (_, values))| PartPath { relative, path, values })
        .collect();
    Ok(Listing { parts, keys })
}

fn walk(
    role: Role,
    folder: &Path,
    dir: &Path,
    prefix: &str,
    found: &mut Vec<(String, PathBuf)>,
) -> Result<(), Box<PartsError>> {
    let list_err = |source| PartsError::List { role, path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(list_err)? {
        let entry = entry.map_err(list_err)?;
        let path = entry.path();
        let unlisted = |why| {
            let (folder, path) = (folder.to_path_buf(), path.clone());
            PartsError::Unlisted { role, folder, path, why }
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(Box::new(unlisted("is not named in UTF-8")));
        };
        if skipped(name) {
            continue;
        }
        let kind = entry.file_type().map_err(list_err)?;
        let is_part = name.ends_with(".parquet");
        if kind.is_symlink() {
            // A link is refused where it would have been read: a part, or
            // a folder of them.
            if is_part || std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                return Err(Box::new(unlisted("is a symbolic link")));
            } else {
                continue;
            }
        }
        if !(kind.is_dir() || is_part) {
            continue;
        }
        if name.contains(UNLISTABLE) {
            return Err(Box::new(unlisted("has a name a manifest line cannot hold")));
        }
        let relative = format!("{prefix}{name}");
        if kind.is_dir() {
            walk(role, folder, &path, &format!("{relative}/"), found)?;
        } else if kind.is_file() {
            found.push((relative, path));
        } else {
            return Err(Box::new(unlisted("is not a regular file")));
        }
    }
    Ok(())
}

/// The hive keys and values of a part's folders: `a=1/b=x/part.parquet`
/// gives `[a, b]` and `[1, x]`, percent-decoded as Spark writes them.
fn hive(relative: &str) -> (Vec<String>, Vec<Option<String>>) {
    let folders = relative.rsplit_once('/').map_or("", |(dirs, _)| dirs);
    folders
        .split('/')
        .filter_map(|segment| segment.split_once('='))
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, value)| {
            let value = percent_decoded(value);
            (percent_decoded(key), (value != HIVE_NULL).then_some(value))
        })
        .unzip()
}

/// `%2F` and the like as the bytes they stand for; a `%` not followed by two
/// hex digits, or bytes that are not UTF-8 once decoded, are kept as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match (bytes[i], hex) {
            (b'%', Some(h)) => {
                let digit = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
                out.push(digit(h[0]) << 4 | digit(h[1]));
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The manifest of hashed parts: `<sha256>  <relative path>` per line, in
/// the listing's order, as `sha256sum` prints them.
pub fn manifest<'a>(parts: impl IntoIterator<Item = (&'a str, Sha256)>) -> String {
    let mut text = String::new();
    for (relative, sha256) in parts {
        // GNU's form for a name with a backslash or a line break: the line
        // starts with `\` and the name is escaped (a folder's parts never
        // have one; a single file's name may).
        if !relative.contains(UNLISTABLE) {
            writeln!(text, "{sha256}  {relative}")
        } else {
            let escaped = relative.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
            writeln!(text, "\\{sha256}  {escaped}")
        }
        .expect("writing to a String");
    }
    text
}

/// The SHA-256 of a text.
pub fn sha256_of(text: &str) -> Sha256 {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    Sha256::from_bytes(digest.as_ref())
}

#[cfg(test)]
mod tests;
