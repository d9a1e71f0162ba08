//! Writing the run's files: reports atomically, the runner's files by append.
//!
//! Owns [`WriteError`], which says which report could not be written where;
//! the integrations and `publish` share it, so a failed write reads the same
//! whichever file it was.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A report, an output file or a stream could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {what} `{}`", path.display())]
pub struct WriteError {
    /// Which report (`report_json`, job summary, step outputs, standard output).
    pub what: &'static str,
    /// The file (`-` for a stream).
    pub path: PathBuf,
    /// The I/O failure.
    #[source]
    pub source: io::Error,
}

/// Writes `bytes` to `path`, creating its folder, atomically: a reader sees
/// the old file or the whole new one, never half of it.
pub fn write_atomic(path: &Path, what: &'static str, bytes: &[u8]) -> Result<(), WriteError> {
    let write_err = |source| WriteError { what, path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut file = std::fs::File::create(&tmp).map_err(write_err)?;
    file.write_all(bytes).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

/// Appends `bytes` to an existing file; like `@actions/core`, a missing file
/// is an error, never created.
pub fn append(path: &Path, what: &'static str, bytes: &[u8]) -> Result<(), WriteError> {
    let write_err = |source| WriteError { what, path: path.to_path_buf(), source };
    let mut file = OpenOptions::new().append(true).open(path).map_err(write_err)?;
    file.write_all(bytes).map_err(write_err)
}

/// Writes `text` to a stream (standard output).
pub fn write_stream(out: &mut dyn Write, text: &str) -> Result<(), WriteError> {
    out.write_all(text.as_bytes()).map_err(|source| WriteError {
        what: "standard output",
        path: PathBuf::from("-"),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_the_folder_and_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/report.json");
        write_atomic(&path, "report_json", b"one").unwrap();
        write_atomic(&path, "report_json", b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temp left");
    }

    #[test]
    fn append_never_creates_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = append(&dir.path().join("missing"), "step outputs", b"x").unwrap_err();
        assert_eq!(err.what, "step outputs");
        assert_eq!(err.source.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with("cannot write step outputs `"), "{err}");
    }
}
