//! Why the validation set, the predictions file, or a file listed with them,
//! could not be read.
//!
//! Every variant names the file and, where it applies, the column and the
//! row, with what was found and what was expected.

use std::fmt::{self, Write as _};
use std::io;
use std::path::{Path, PathBuf};

use super::checksum::Sha256;
use super::parts::PartsError;
pub use super::role::Role;
use crate::untrusted::{self, shown};

/// Why the dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be opened or read.
    #[error("cannot read {role} `{}`", untrusted::path(path))]
    Read {
        role: Role,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The footer's row counts do not add up, or claim past 2^60 rows.
    #[error("{role} `{}` has a footer whose row counts do not hold: {why}", untrusted::path(path))]
    Footer { role: Role, path: PathBuf, why: String },

    /// The footer's schema nests deeper, or has more elements, than is read.
    #[error("{role} `{}` has a schema past what the gate reads: {why}", untrusted::path(path))]
    Schema { role: Role, path: PathBuf, why: String },

    /// The file has zero bytes.
    #[error("{role} `{}` is empty (0 bytes): expected a parquet file", untrusted::path(path))]
    EmptyFile { role: Role, path: PathBuf },

    /// The file is not parquet but something recognisable: a Git LFS
    /// pointer or text.
    #[error("{role} `{}` is not a parquet file: {}", untrusted::path(path), looks.fix(path))]
    NotParquet { role: Role, path: PathBuf, looks: super::sniff::Looks },

    /// The file is not parquet, or its footer or pages are damaged.
    #[error("{role} `{}` is not a readable parquet file", untrusted::path(path))]
    Parquet {
        role: Role,
        path: PathBuf,
        /// What the parquet reader reported.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// A row group's pages could not be read: a page whose CRC does not
    /// match its bytes, or data that does not decode.
    #[error(
        "{role} `{}` is damaged in row group {row_group}{}",
        untrusted::path(path),
        column.as_ref().map(|c| format!(", column `{}`", shown(c))).unwrap_or_default()
    )]
    Damaged {
        role: Role,
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
        "{role} `{}` has {}; its columns are: {}{}",
        untrusted::path(path),
        missing_list(missing, available),
        column_list(available),
        labels_only_hint(*role, missing, available)
    )]
    MissingColumn {
        role: Role,
        path: PathBuf,
        /// Each column asked for and not found, with the input that named it.
        missing: Vec<(String, &'static str)>,
        /// The top-level columns the file does have.
        available: Vec<String>,
    },

    /// A slice column has more distinct values than `max_slices`.
    #[error(
        "slice column `{}` of `{}` has more than {max} distinct values ({seen} seen before reading stopped): expected at most `max_slices` ({max}); slice by a column of fewer values, or raise `max_slices`",
        shown(column),
        untrusted::path(path)
    )]
    TooManySlices {
        path: PathBuf,
        column: String,
        /// Distinct values seen when reading stopped.
        seen: usize,
        /// `max_slices`.
        max: usize,
    },

    /// A column has a type the evaluation cannot use.
    #[error(
        "column `{}` of `{}` has type {}: expected {expected}",
        shown(column),
        untrusted::path(path),
        shown(&found.to_string())
    )]
    ColumnType {
        path: PathBuf,
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
        path: PathBuf,
        column: String,
        /// The offending value, as text.
        value: String,
        /// Its 0-based row number in the file.
        row: u64,
    },

    /// A text label column without `positive_label`.
    #[error(
        "column `{}` of `{}` holds text labels ({}): expected boolean, 0/1 or 0.0/1.0, or text with positive_label set to the value that means a match",
        shown(column),
        untrusted::path(path),
        seen.iter().map(|v| format!("`{}`", shown(v))).collect::<Vec<_>>().join(", ")
    )]
    TextLabels {
        path: PathBuf,
        column: String,
        /// The first distinct values seen.
        seen: Vec<String>,
    },

    /// `positive_label` with a label column that does not hold text.
    #[error(
        "positive_label is set but column `{}` of `{}` holds {found}, not text: leave positive_label unset",
        shown(column),
        untrusted::path(path)
    )]
    PositiveLabelNotText { path: PathBuf, column: String, found: arrow_schema::DataType },

    /// The checksums file could not be read.
    #[error("cannot read checksums file `{}`", untrusted::path(path))]
    ReadChecksums {
        /// The checksums file.
        path: PathBuf,
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

    /// The checksums file does not name the validation set (nor any part of it).
    #[error(
        "checksums file `{}` does not list `{}`: expected a line for it (for a folder, one per part) or for the `predictions` file, with a name relative to the checksums file's folder",
        untrusted::path(list),
        untrusted::path(set)
    )]
    Unlisted {
        /// The checksums file.
        list: PathBuf,
        /// The validation set.
        set: PathBuf,
    },

    /// Two columns of the file have the name of a column the gate reads.
    #[error(
        "{role} `{}` has {count} columns named `{}` (input `{input}`): expected one",
        untrusted::path(path),
        shown(column)
    )]
    DuplicateColumn {
        role: Role,
        path: PathBuf,
        column: String,
        /// The input that named it.
        input: &'static str,
        /// How many columns have the name.
        count: usize,
    },

    /// A weight is negative, NaN or infinite.
    #[error(
        "column `{}` of `{}` holds {} at row {row}: expected weights that are finite and not negative (input `{input}`)",
        shown(column),
        untrusted::path(path),
        shown(value)
    )]
    BadWeight {
        path: PathBuf,
        /// The weight column.
        column: String,
        /// The input that named it.
        input: &'static str,
        /// The value, as text.
        value: String,
        /// Its 0-based row number in the file.
        row: u64,
    },

    /// A join key column holds a null.
    #[error(
        "column `{}` of {role} `{}` is null at row {row}: expected every key column (input `key_columns`) to hold a value",
        shown(column),
        untrusted::path(path)
    )]
    NullKey {
        role: Role,
        path: PathBuf,
        /// The key column.
        column: String,
        /// Its 0-based row number in the file.
        row: u64,
    },

    /// A key appears twice among the labelled pairs, or twice among the
    /// predictions of labelled pairs.
    #[error(
        "{role} `{}` holds key {} more than once (again at row {row}): expected each pair once (input `key_columns`)",
        untrusted::path(path),
        shown(key)
    )]
    DuplicateKey {
        role: Role,
        path: PathBuf,
        /// The key, as `(a, b)` text.
        key: String,
        /// The 0-based file row it was seen again at.
        row: u64,
    },

    /// A key column is a string in one file and an integer in the other.
    #[error(
        "key column `{}` is {} in `{}` and {} in `{}`: expected the same kind, strings or integers, in both",
        shown(column),
        shown(&labelled.to_string()),
        untrusted::path(labelled_path),
        shown(&predicted.to_string()),
        untrusted::path(predictions_path)
    )]
    KeyTypes {
        /// The key column.
        column: String,
        /// Its type among the labelled pairs.
        labelled: arrow_schema::DataType,
        /// The validation set.
        labelled_path: PathBuf,
        /// Its type among the predictions.
        predicted: arrow_schema::DataType,
        /// The predictions file.
        predictions_path: PathBuf,
    },

    /// A folder's parts cannot be read as one dataset.
    #[error(transparent)]
    Parts(#[from] Box<PartsError>),

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
    /// An arrow error met while assembling what was read from `path`,
    /// reported as the file's parquet error.
    pub fn arrow(role: Role, path: &Path, error: arrow_schema::ArrowError) -> DatasetError {
        let source = parquet::errors::ParquetError::ArrowError(error.to_string());
        DatasetError::Parquet { role, path: path.to_path_buf(), source }
    }

    /// Whether the bytes differ from what was recorded (a checksum failure).
    pub fn is_checksum_failure(&self) -> bool {
        matches!(self, DatasetError::Checksums { .. } | DatasetError::EmptyChecksums { .. })
    }
}

/// `no column `a` (input `x`) and no column `b` (input `y`)`.
fn missing_list(missing: &[(String, &'static str)], available: &[String]) -> String {
    let each: Vec<String> = missing
        .iter()
        .map(|(c, input)| match closest(c, available) {
            Some(near) => format!(
                "no column `{}` (input `{input}`; did you mean `{}`?)",
                shown(c),
                shown(near)
            ),
            None => format!("no column `{}` (input `{input}`)", shown(c)),
        })
        .collect();
    each.join(" and ")
}

/// A validation set with its labels but without the deciding column (and
/// nothing like it) may hold labels only: say where the model's scores go.
fn labels_only_hint(
    role: Role,
    missing: &[(String, &'static str)],
    available: &[String],
) -> &'static str {
    let deciding = |(c, input): &(String, &'static str)| {
        matches!(*input, "score_column" | "prediction_column") && closest(c, available).is_none()
    };
    let labelled = !missing.iter().any(|(_, input)| *input == "label_column");
    if role == Role::ValidationSet && labelled && missing.iter().any(deciding) {
        "; if it holds labels only, give the model's scores in a file of their own with input `predictions` (joined on input `key_columns`), or the training run that wrote them with input `training_run_id`"
    } else {
        ""
    }
}

/// The column most like `name`, when one is close enough to be a typo:
/// equal but for case, or within a few edits (about one in four
/// characters, Damerau-Levenshtein).
fn closest<'a>(name: &str, available: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let distance = |c: &String| strsim::damerau_levenshtein(&lower, &c.to_lowercase());
    let best = available.iter().min_by_key(|c| distance(c))?;
    let allowed = (name.chars().count() / 4).max(1);
    (distance(best) <= allowed).then_some(best.as_str())
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

/// Why one line failed.
#[derive(Debug)]
pub enum Problem {
    /// The line is not `<64 hex> <space><space or *><name>`.
    Malformed,
    /// The first line starts with a byte-order mark, which `sha256sum`
    /// does not read either.
    ByteOrderMark,
    /// The name is absolute, climbs out with `..`, or resolves (through a
    /// link) outside the checksums file's folder: never hashed.
    Outside,
    /// The file was named on an earlier line with another hash.
    Twice {
        /// That line.
        first: usize,
    },
    /// The file could not be read.
    Unreadable(io::Error),
    /// The file's hash differs.
    Mismatch {
        /// The listed hash.
        expected: Sha256,
        /// The file's hash.
        actual: Sha256,
    },
}

/// One failing line.
#[derive(Debug)]
pub struct Failure {
    /// 1-based line number.
    pub line: usize,
    /// The file name as listed, or the line itself when malformed.
    pub name: String,
    /// What went wrong.
    pub problem: Problem,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Malformed => write!(
                f,
                "line {}: improperly formatted: `{}`: expected `<64 hex digits>  <file name>`",
                self.line,
                untrusted::excerpt(&self.name)
            ),
            Problem::ByteOrderMark => write!(
                f,
                "line {}: the file starts with a byte-order mark (U+FEFF), which `sha256sum -c` does not read either: save it as UTF-8 without one",
                self.line
            ),
            Problem::Outside => write!(
                f,
                "line {}: `{}` is outside the checksums file's folder: expected a name relative to it, without `..` (the file was not read)",
                self.line,
                untrusted::excerpt(&self.name)
            ),
            Problem::Twice { first } => write!(
                f,
                "line {}: `{}` was listed on line {first} with another hash: expected each file once",
                self.line,
                untrusted::excerpt(&self.name)
            ),
            Problem::Unreadable(why) => {
                write!(f, "line {}: `{}`: {why}", self.line, untrusted::excerpt(&self.name))
            }
            Problem::Mismatch { expected, actual } => write!(
                f,
                "line {}: `{}`: FAILED, expected {expected}, the file has {actual}",
                self.line,
                untrusted::excerpt(&self.name)
            ),
        }
    }
}
