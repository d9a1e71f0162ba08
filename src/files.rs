//! Reading and writing the run's own files, safely.
//!
//! Reading: configuration-like files (templates, baselines, checksums lists)
//! must be regular files and are read up to [`READ_LIMIT`], so `/dev/zero`,
//! a FIFO or a huge file fails at once instead of hanging or growing.
//! Writing: every report is checked before anything is written (never onto
//! an input of the run, a symbolic link, a device or anything but a regular
//! file), then all are written to temporary files and renamed into place, so
//! each is whole or absent. Every byte of text written passes through
//! [`secret::redact`] first. Owns [`WriteError`], shared by the
//! integrations and `publish`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::{places, secret, untrusted};

/// The most bytes read from a template, baseline or checksums file.
pub const READ_LIMIT: u64 = 1024 * 1024;

/// A file or stream the run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFile {
    /// The JSON report (`report_json`).
    ReportJson,
    /// The misclassified pairs as parquet (`errors_file`).
    ErrorsFile,
    /// The evaluated files' manifest (`manifest`).
    Manifest,
    /// The Markdown model card (`model_card`).
    ModelCard,
    /// The JSON model card (`model_card_json`).
    ModelCardJson,
    /// The Prometheus text file (`metrics_file`).
    MetricsFile,
    /// The job summary (`GITHUB_STEP_SUMMARY`).
    JobSummary,
    /// The step outputs (`GITHUB_OUTPUT`).
    StepOutputs,
    /// Standard output.
    StandardOutput,
}

impl ReportFile {
    /// The step output that carries the file's path, named as its input;
    /// `None` for the runner's files and the stream.
    pub fn output_key(self) -> Option<&'static str> {
        match self {
            ReportFile::ReportJson => Some("report_json"),
            ReportFile::ErrorsFile => Some("errors_file"),
            ReportFile::Manifest => Some("manifest"),
            ReportFile::ModelCard => Some("model_card"),
            ReportFile::ModelCardJson => Some("model_card_json"),
            ReportFile::MetricsFile => Some("metrics_file"),
            ReportFile::JobSummary | ReportFile::StepOutputs | ReportFile::StandardOutput => None,
        }
    }
}

impl std::fmt::Display for ReportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReportFile::JobSummary => "job summary",
            ReportFile::StepOutputs => "step outputs",
            ReportFile::StandardOutput => "standard output",
            report => report.output_key().unwrap_or_default(),
        })
    }
}

/// A report, an output file or a stream could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {what} `{}`", untrusted::path(path))]
pub struct WriteError {
    pub what: ReportFile,
    /// The file (`-` for a stream).
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// What kind of thing is at a path that is not a regular file, in prose.
pub fn kind(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match file_type {
        t if t.is_dir() => "a directory",
        t if t.is_symlink() => "a symbolic link",
        t if t.is_fifo() => "a FIFO",
        t if t.is_char_device() => "a character device",
        t if t.is_block_device() => "a block device",
        t if t.is_socket() => "a socket",
        _ => "not a regular file",
    }
}

/// An I/O error that says a path is not a regular file.
pub fn not_regular(file_type: std::fs::FileType) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("not a regular file: {}", kind(file_type)))
}

/// Opens a file an input names, once: its real path (links followed) must
/// be inside the run's places ([`places::resolve`]), and it must be a
/// regular file, checked before opening (opening a FIFO would block) and
/// again on the open handle. Gives the handle and its metadata.
pub fn open_regular(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let real = places::resolve(path)?;
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let file = File::open(&real)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    Ok((file, meta))
}

/// Reads a regular file of at most [`READ_LIMIT`] bytes as UTF-8 text,
/// opened by [`open_regular`].
pub fn read_text(path: &Path) -> io::Result<String> {
    let (file, _) = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(READ_LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > READ_LIMIT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the {} MiB limit", READ_LIMIT >> 20),
        ));
    }
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A report rendered and not yet written.
#[derive(Debug)]
pub struct Pending {
    pub what: ReportFile,
    /// Where it goes.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Refuses, before anything is written, a report whose path is one of
/// `inputs` (the validation set, a template…: the same file by device and
/// inode, however it is named) or inside an input that is a folder (a part
/// of the validation set), another report's, outside the run's places, or
/// anything but a regular file or a path that does not exist yet.
pub fn check_targets(reports: &[Pending], inputs: &[&Path]) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let refuse = |p: &Pending, why: String| WriteError {
        what: p.what,
        path: p.path.clone(),
        source: io::Error::new(io::ErrorKind::InvalidInput, why),
    };
    let read: Vec<(PathBuf, std::fs::Metadata)> = inputs
        .iter()
        .filter_map(|p| Some((p.canonicalize().ok()?, std::fs::metadata(p).ok()?)))
        .collect();
    for (i, report) in reports.iter().enumerate() {
        if let Some(other) = reports[..i].iter().find(|o| same_path(&o.path, &report.path)) {
            return Err(refuse(report, format!("`{}` writes to the same path", other.what)));
        }
        places::check_target(&report.path).map_err(|source| WriteError {
            what: report.what,
            path: report.path.clone(),
            source,
        })?;
        let folder = report.path.parent().filter(|d| !d.as_os_str().is_empty());
        let folder = folder.unwrap_or(Path::new(".")).canonicalize().ok();
        if folder.is_some_and(|f| read.iter().any(|(dir, m)| m.is_dir() && f.starts_with(dir))) {
            return Err(refuse(report, "it is inside a folder this run reads".to_string()));
        }
        let meta = match std::fs::symlink_metadata(&report.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(WriteError { what: report.what, path: report.path.clone(), source: e });
            }
            Ok(meta) => meta,
        };
        if !meta.file_type().is_file() {
            return Err(refuse(
                report,
                format!("it is {}, not a regular file", kind(meta.file_type())),
            ));
        }
        if read.iter().any(|(_, m)| m.dev() == meta.dev() && m.ino() == meta.ino()) {
            return Err(refuse(report, "it is an input of this run".to_string()));
        }
    }
    Ok(())
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok() == Some(a))
}

/// Writes every report, creating folders, all or none: each goes to a
/// temporary file first, and only when all are written are they renamed
/// into place. A reader sees the old file or the whole new one.
pub fn write_all(reports: &[Pending]) -> Result<(), WriteError> {
    let mut staged: Vec<(PathBuf, &Pending)> = Vec::with_capacity(reports.len());
    let staging = (|| {
        for report in reports {
            let tmp = stage(report)?;
            staged.push((tmp, report));
        }
        Ok(())
    })();
    if let Err(e) = staging {
        staged.iter().for_each(|(tmp, _)| drop(std::fs::remove_file(tmp)));
        return Err(e);
    }
    for (tmp, report) in &staged {
        std::fs::rename(tmp, &report.path).map_err(|source| WriteError {
            what: report.what,
            path: report.path.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Writes a report's bytes to a temporary file beside its path.
fn stage(report: &Pending) -> Result<PathBuf, WriteError> {
    let write_err = |source| WriteError { what: report.what, path: report.path.clone(), source };
    if let Some(dir) = report.path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut tmp_name = report.path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = report.path.with_file_name(tmp_name);
    let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(write_err)?;
    if let Err(e) = file.write_all(&secret::redact_bytes(&report.bytes)) {
        drop(std::fs::remove_file(&tmp));
        return Err(write_err(e));
    }
    Ok(tmp)
}

/// Appends `bytes` to an existing file; like `@actions/core`, a missing file
/// is an error, never created.
pub fn append(path: &Path, what: ReportFile, bytes: &[u8]) -> Result<(), WriteError> {
    let write_err = |source| WriteError { what, path: path.to_path_buf(), source };
    let mut file = OpenOptions::new().append(true).open(path).map_err(write_err)?;
    file.write_all(&secret::redact_bytes(bytes)).map_err(write_err)
}

/// Writes `text` to a stream (standard output), every secret redacted.
pub fn write_stream(out: &mut dyn Write, text: &str) -> Result<(), WriteError> {
    write_unredacted(out, &secret::redact(text))
}

/// Writes `text` to a stream as it is: only for the `::add-mask::`
/// commands, which must carry the secrets they mask.
pub fn write_unredacted(out: &mut dyn Write, text: &str) -> Result<(), WriteError> {
    out.write_all(text.as_bytes()).map_err(|source| WriteError {
        what: ReportFile::StandardOutput,
        path: PathBuf::from("-"),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(what: ReportFile, path: PathBuf, bytes: &[u8]) -> Pending {
        Pending { what, path, bytes: bytes.to_vec() }
    }

    #[test]
    fn writes_create_folders_and_replace_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/report.json");
        write_all(&[pending(ReportFile::ReportJson, path.clone(), b"one")]).unwrap();
        write_all(&[pending(ReportFile::ReportJson, path.clone(), b"two")]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temp left");
    }

    #[test]
    fn one_unwritable_report_leaves_every_report_unwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("blocker"), "a file, not a folder").unwrap();
        let good = dir.path().join("good.json");
        let bad = dir.path().join("blocker/card.md");
        let err = write_all(&[
            pending(ReportFile::ReportJson, good.clone(), b"x"),
            pending(ReportFile::ModelCard, bad, b"y"),
        ])
        .unwrap_err();
        assert_eq!(err.what, ReportFile::ModelCard);
        assert!(!good.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
    }

    #[test]
    fn targets_that_are_inputs_links_or_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("v.parquet");
        std::fs::write(&input, "data").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let refused = |path: PathBuf| {
            check_targets(&[pending(ReportFile::ReportJson, path, b"")], &[&input])
                .unwrap_err()
                .source
                .to_string()
        };
        assert_eq!(refused(input.clone()), "it is an input of this run");
        assert_eq!(refused(dir.path().join("./v.parquet")), "it is an input of this run");
        assert_eq!(refused(link), "it is a symbolic link, not a regular file");
        assert!(refused("/dev/null".into()).contains("system folder"));
        let device = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &device).unwrap();
        assert_eq!(refused(device), "it is a symbolic link, not a regular file");
        assert_eq!(refused(dir.path().to_path_buf()), "it is a directory, not a regular file");
        let new = dir.path().join("new.json");
        check_targets(&[pending(ReportFile::ReportJson, new.clone(), b"")], &[&input]).unwrap();
        let twice = [
            pending(ReportFile::ReportJson, new.clone(), b""),
            pending(ReportFile::ModelCardJson, new, b""),
        ];
        assert_eq!(
            check_targets(&twice, &[]).unwrap_err().source.to_string(),
            "`report_json` writes to the same path"
        );
    }

    #[test]
    fn reads_are_bounded_and_only_of_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert_eq!(read_text(&fifo).unwrap_err().to_string(), "not a regular file: a FIFO");
        assert!(
            read_text(Path::new("/dev/zero")).unwrap_err().to_string().contains("system folder")
        );
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; READ_LIMIT as usize + 1]).unwrap();
        assert_eq!(read_text(&big).unwrap_err().to_string(), "larger than the 1 MiB limit");
        std::fs::write(&big, "small").unwrap();
        assert_eq!(read_text(&big).unwrap(), "small");
    }

    #[test]
    fn append_never_creates_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = append(&dir.path().join("missing"), ReportFile::StepOutputs, b"x").unwrap_err();
        assert_eq!(err.what, ReportFile::StepOutputs);
        assert_eq!(err.source.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with("cannot write step outputs `"), "{err}");
    }
}
