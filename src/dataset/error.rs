//! Why the validation set, or a file listed with it, could not be read.
//!
//! Every variant names the file and, where it applies, the column and the
//! row, with what was found and what was expected.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use super::checksums::Failure;

/// Why the dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The validation set could not be opened or read.
    #[error("cannot read validation set `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The validation set has zero bytes.
    #[error("validation set `{}` is empty (0 bytes): expected a parquet file", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },

    /// The file is not parquet, or its footer or pages are damaged.
    #[error("validation set `{}` is not a readable parquet file", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the parquet reader reported.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// A column the evaluation needs is absent.
    #[error(
        "validation set `{}` has no column `{column}` (input `{input}`); its columns are: {}",
        path.display(),
        available.join(", ")
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The input that named it.
        input: &'static str,
        /// The top-level columns the file does have.
        available: Vec<String>,
    },

    /// A column has a type the evaluation cannot use.
    #[error("column `{column}` of `{}` has type {found}: expected {expected}", path.display())]
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
        "column `{column}` of `{}` holds {value} at row {row}: expected only 0 and 1",
        path.display()
    )]
    NotBinary {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The offending value.
        value: i128,
        /// Its 0-based row number in the file.
        row: u64,
    },

    /// The checksums file could not be read.
    #[error("cannot read checksums file `{}`", path.display())]
    ReadChecksums {
        /// The checksums file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
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
        matches!(self, DatasetError::Checksums { .. })
    }
}

fn checksums_message(path: &Path, failures: &[Failure]) -> String {
    let mut msg = format!(
        "checksums file `{}`: {} of its lines failed verification:",
        path.display(),
        failures.len()
    );
    for f in failures {
        let _ = write!(msg, "\n  {f}");
    }
    msg
}
