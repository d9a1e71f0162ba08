//! Why a counts file cannot be used.

use std::path::PathBuf;

use crate::untrusted::{self, shown};

/// A counts file's parser failed: its own error, kept typed. Shown inside
/// [`CountsError::Parse`]'s message, escaped, so it is no source of it.
#[derive(Debug)]
pub enum ParseError {
    /// The CSV reader's.
    Csv(csv::Error),
    /// The JSON parser's.
    Json(serde_json::Error),
}

impl ParseError {
    /// The format that was being read: `CSV` or `JSON`.
    pub fn format(&self) -> &'static str {
        match self {
            ParseError::Csv(_) => "CSV",
            ParseError::Json(_) => "JSON",
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Csv(e) => e.fmt(f),
            ParseError::Json(e) => e.fmt(f),
        }
    }
}

/// Why the counts an engine computed cannot be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum CountsError {
    /// The file could not be read.
    #[error("cannot read counts file `{}`", untrusted::path(path))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is neither CSV with a header nor JSON rows of the expected columns.
    #[error(
        "counts file `{}` cannot be read as {}: {}; expected the columns of sql/README.md (kind, dataset_version, threshold, tp, fp, fn, tn, …)",
        untrusted::path(path),
        error.format(),
        shown(&error.to_string())
    )]
    Parse {
        path: PathBuf,
        /// The parser's error (its message may quote the file).
        error: ParseError,
    },

    /// A row lacks what its kind needs, or holds what no kind has.
    #[error(
        "counts file `{}`, row {row} (kind `{}`): {problem}",
        untrusted::path(path),
        shown(kind)
    )]
    Row {
        path: PathBuf,
        /// The row, from 1 (the header not counted).
        row: usize,
        kind: String,
        /// What is wrong, and what was expected.
        problem: &'static str,
    },

    /// Not exactly one `total` row.
    #[error(
        "counts file `{}` has {found} rows of kind `total`: expected exactly one, with dataset_version and the counts at the decision threshold",
        untrusted::path(path)
    )]
    Totals {
        path: PathBuf,
        /// How many there are.
        found: usize,
    },

    /// The counts were made at another threshold than the gate's.
    #[error(
        "counts file `{}` was counted at threshold {}, but decision_threshold is {}: expected the query's threshold to be the gate's",
        untrusted::path(path),
        counted.map_or("(none: a prediction column)".to_string(), |t| t.to_string()),
        decision.map_or("(none: prediction_column is set)".to_string(), |t| t.to_string())
    )]
    Threshold {
        path: PathBuf,
        /// The threshold in the file.
        counted: Option<f64>,
        /// The gate's.
        decision: Option<f64>,
    },

    /// Rows that should add up to the total do not.
    #[error(
        "counts file `{}`: {what} add up to {found}, but the total row gives {expected}: expected every pair counted once in each",
        untrusted::path(path)
    )]
    Sums {
        path: PathBuf,
        /// Which rows, in prose: `the score rows' matches`, `` the slices of `source` ``.
        what: String,
        /// Their sum.
        found: String,
        /// The total row's.
        expected: String,
    },

    /// A slice column asked for is not in the file.
    #[error(
        "counts file `{}` has no slice rows of column `{}` (input `slice_columns`); it has slices of: {}",
        untrusted::path(path),
        shown(column),
        if available.is_empty() { "no column".to_string() } else { available.iter().map(|c| format!("`{}`", shown(c))).collect::<Vec<_>>().join(", ") }
    )]
    NoSlices {
        path: PathBuf,
        column: String,
        /// The columns it has slices of.
        available: Vec<String>,
    },

    /// A slice column with more values than `max_slices`.
    #[error(
        "counts file `{}`: slice column `{}` has {seen} values, more than max_slices ({max})",
        untrusted::path(path),
        shown(column)
    )]
    TooManySlices {
        path: PathBuf,
        column: String,
        /// Its values.
        seen: usize,
        max: usize,
    },
}
