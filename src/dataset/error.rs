//! Why the validation set, or a file listed with it, could not be read.
//!
//! Every variant names the file and, where it applies, the column and the
//! row, with what was found and what was expected.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use super::checksums::Failure;
use crate::untrusted::{self, shown};

/// Why the dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The validation set could not be opened or read.
    #[error("cannot read validation set `{}`", untrusted::path(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The validation set has zero bytes.
    #[error(
        "validation set `{}` is empty (0 bytes): expected a parquet file",
        untrusted::path(path)
    )]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },

    /// The file is not parquet, or its footer or pages are damaged.
    #[error("validation set `{}` is not a readable parquet file", untrusted::path(path))]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the parquet reader reported.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// A row group's pages could not be read: a page whose CRC does not
    /// match its bytes, or data that does not decode.
    #[error(
        "validation set `{}` is damaged in row group {row_group}{}",
        untrusted::path(path),
        column.as_ref().map(|c| format!(", column `{}`", shown(c))).unwrap_or_default()
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The row group, from 0.
        row_group: usize,
        /// The column that fails when read alone, when one does.
        column: Option<String>,
        /// What the parquet reader reported.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// Columns the evaluation needs are absent (every one of them is named).
    #[error(
        "validation set `{}` has {}; its columns are: {}",
        untrusted::path(path),
        missing_list(missing),
        column_list(available)
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// Each column asked for and not found, with the input that named it.
        missing: Vec<(String, &'static str)>,
        /// The top-level columns the file does have.
        available: Vec<String>,
    },

    /// A column has a type the evaluation cannot use.
    #[error(
        "column `{}` of `{}` has type {}: expected {expected}",
        shown(column),
        untrusted::path(path),
        shown(&found.to_string())
    )]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The arrow type found.
        found: arrow_schema::DataType,
        /// The types accepted.
        expected: &'static str,
    },

    /// An integer label or prediction column holds something other than 0 or 1.
    #[error(
        "column `{}` of `{}` holds {value} at row {row}: expected only 0 and 1",
        shown(column),
        untrusted::path(path)
    )]
    NotBinary {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The offending value, as text.
        value: String,
        /// Its 0-based row number in the file.
        row: u64,
    },

    /// The checksums file could not be read.
    #[error("cannot read checksums file `{}`", untrusted::path(path))]
    ReadChecksums {
        /// The checksums file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The checksums file lists no file at all.
    #[error(
        "checksums file `{}` lists no file: expected lines of `<sha256>  <file>`",
        untrusted::path(path)
    )]
    EmptyChecksums {
        /// The checksums file.
        path: PathBuf,
    },

    /// Two columns of the file have the name of a column the gate reads.
    #[error(
        "validation set `{}` has {count} columns named `{}` (input `{input}`): expected one",
        untrusted::path(path),
        shown(column)
    )]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The column name.
        column: String,
        /// The input that named it.
        input: &'static str,
        /// How many columns have the name.
        count: usize,
    },

    /// Files listed in the checksums file are missing or differ.
    #[error("{}", checksums_message(path, failures))]
    Checksums {
        /// The checksums file.
        path: PathBuf,
        /// Every failing line.
        failures: Vec<Failure>,
    },
}

impl DatasetError {
    /// Whether the bytes differ from what was recorded (a checksum failure).
    pub fn is_checksum_failure(&self) -> bool {
        matches!(self, DatasetError::Checksums { .. } | DatasetError::EmptyChecksums { .. })
    }
}

/// `no column `a` (input `x`) and no column `b` (input `y`)`.
fn missing_list(missing: &[(String, &'static str)]) -> String {
    let each: Vec<String> = missing
        .iter()
        .map(|(c, input)| format!("no column `{}` (input `{input}`)", shown(c)))
        .collect();
    each.join(" and ")
}

/// How many column names a message lists before it only counts the rest.
const LISTED_COLUMNS: usize = 20;

/// `a`, `b`, … and N more: the first names, each shown safely.
fn column_list(names: &[String]) -> String {
    let mut list: Vec<String> =
        names.iter().take(LISTED_COLUMNS).map(|n| format!("`{}`", shown(n))).collect();
    if names.len() > LISTED_COLUMNS {
        list.push(format!("and {} more", names.len() - LISTED_COLUMNS));
    }
    list.join(", ")
}

fn checksums_message(path: &Path, failures: &[Failure]) -> String {
    let mut msg = format!(
        "checksums file `{}`: {} of its lines failed verification:",
        untrusted::path(path),
        failures.len()
    );
    for f in failures {
        let _ = write!(msg, "\n  {f}");
    }
    msg
}
