//! The one error type: everything that stops an evaluation before a verdict.
//!
//! A failed gate is not an error (see [`crate::gate::Verdict`]); every variant
//! here means "could not evaluate" and maps to exit code 2. Each variant carries
//! what a user needs to fix the input: the file, the column or the input name,
//! what was found and what was expected.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use crate::inputs::Origin;

/// Why an evaluation could not produce a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line did not parse (unknown flag, missing value).
    #[error("invalid command line")]
    Flags(#[source] clap::Error),

    /// An `INPUT_*` variable names no input of this action.
    #[error("unknown input `{name}` (from `{var}`){}", hint_suffix(.hint))]
    UnknownInput {
        /// The input name as the runner spelled it, lower-cased.
        name: String,
        /// The environment variable it came from.
        var: String,
        /// The declared input it was probably meant to be.
        hint: Option<&'static str>,
    },

    /// A required input has no value.
    #[error("input `{input}` is required: {expected}")]
    MissingInput {
        /// The input name.
        input: &'static str,
        /// What it should hold.
        expected: &'static str,
    },

    /// Inputs that cannot be given together, or not alone.
    #[error("inputs {inputs}: expected {expected}")]
    ConflictingInputs {
        /// The inputs involved.
        inputs: &'static str,
        /// What is accepted.
        expected: &'static str,
    },

    /// An input holds a value of the wrong form.
    #[error("input `{input}` ({origin}) is `{value}`: expected {expected}")]
    InvalidInput {
        /// The input name.
        input: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// The value as given (never a secret).
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },

    /// The validation set could not be opened or read.
    #[error("cannot read validation set `{path}`")]
    ReadDataset {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The validation set has zero bytes.
    #[error("validation set `{path}` is empty (0 bytes): expected a parquet file")]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },

    /// The file's SHA-256 differs from `dataset_hash` or its checksums line.
    #[error(
        "validation set `{path}` does not match {against}: expected sha256 {expected}, \
         the file has {actual}"
    )]
    HashMismatch {
        /// The file.
        path: PathBuf,
        /// Where the expected hash came from: `` `dataset_hash` `` or a checksums line.
        against: String,
        /// The expected hash, lower-case hex.
        expected: String,
        /// The computed hash, lower-case hex.
        actual: String,
    },

    /// The file is not parquet, or its footer or pages are damaged.
    #[error("validation set `{path}` is not a readable parquet file")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What the parquet reader reported.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// A column the evaluation needs is absent.
    #[error(
        "validation set `{path}` has no column `{column}` (input `{input}`); its columns are: {}",
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
    #[error("column `{column}` of `{path}` has type {found}: expected {expected}")]
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
    #[error("column `{column}` of `{path}` holds {value} at row {row}: expected only 0 and 1")]
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

    /// Nulls or NaN were found and `null_policy` is `fail`.
    #[error("{}", missing_message(path, counts))]
    MissingValues {
        /// The file.
        path: PathBuf,
        /// One entry per column and kind of missing value.
        counts: Vec<MissingCount>,
    },

    /// The file (after skipping rows) has no rows to evaluate.
    #[error("validation set `{path}` has no rows to evaluate{}", skipped_suffix(*skipped))]
    NoRows {
        /// The file.
        path: PathBuf,
        /// Rows left out under `null_policy: skip`.
        skipped: u64,
    },

    /// No row is a true match, so recall and F1 cannot be computed.
    #[error(
        "validation set `{path}` has no true match in column `{column}` ({rows} rows): \
         recall and F1 are undefined; expected at least one labelled match"
    )]
    NoTrueMatches {
        /// The file.
        path: PathBuf,
        /// The label column.
        column: String,
        /// Rows evaluated.
        rows: u64,
    },

    /// The checksums file could not be read.
    #[error("cannot read checksums file `{path}`")]
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
        failures: Vec<crate::dataset::checksums::Failure>,
    },

    /// The baseline report could not be read.
    #[error("cannot read baseline `{path}`")]
    ReadBaseline {
        /// The baseline file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The baseline is not a gate report.
    #[error("baseline `{path}` is not a JSON report of er-precision-gate")]
    BaselineFormat {
        /// The baseline file.
        path: PathBuf,
        /// What the JSON parser reported.
        #[source]
        source: serde_json::Error,
    },

    /// The baseline has a schema version this program does not know.
    #[error(
        "baseline `{path}` has schema version {found}: expected {}",
        crate::report::SCHEMA_VERSION
    )]
    BaselineVersion {
        /// The baseline file.
        path: PathBuf,
        /// The version found.
        found: String,
    },

    /// A `max_*_drop` rule was given without a baseline to compare with.
    #[error(
        "input `{input}` needs input `baseline`: a drop is measured from the previous model's result"
    )]
    DropWithoutBaseline {
        /// The input.
        input: &'static str,
    },

    /// A user template could not be read.
    #[error("cannot read template `{path}`")]
    ReadTemplate {
        /// The template file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// A template failed to parse or render.
    #[error("template `{name}`{}", template_detail(error))]
    Template {
        /// The template's path, or the input holding it.
        name: String,
        /// What handlebars reported (its reason is in the message; a parse
        /// error's reason gives the line and column itself).
        error: handlebars::RenderError,
    },

    /// The metrics could not be pushed (reported after every other report).
    #[error("metrics were not pushed")]
    Push(#[source] crate::integrations::push::PushError),

    /// The verdict comment could not be posted (reported after every other report).
    #[error("the verdict comment was not posted")]
    Comment(#[source] crate::integrations::comment::CommentError),

    /// A report could not be written.
    #[error("cannot write {what} `{path}`")]
    Write {
        /// Which report (`report_json`, job summary, step outputs).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// A value for a step output contains the heredoc delimiter (never expected).
    #[error("step output `{name}` contains its heredoc delimiter")]
    OutputDelimiter {
        /// The output name.
        name: String,
    },

    /// A built-in template failed to render.
    #[error("cannot render the {what}")]
    Render {
        /// Which template.
        what: &'static str,
        /// What handlebars reported.
        #[source]
        source: handlebars::RenderError,
    },
}

impl Error {
    /// The process exit code for this error: always 2, "could not evaluate".
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// The messages of the error's sources, outermost first.
    pub fn causes(&self) -> Vec<String> {
        sources(self)
    }

    /// A short title for the `::error` annotation.
    pub fn title(&self) -> &'static str {
        match self {
            Error::Flags(_)
            | Error::UnknownInput { .. }
            | Error::MissingInput { .. }
            | Error::InvalidInput { .. }
            | Error::ConflictingInputs { .. } => "Invalid input",
            Error::HashMismatch { .. } | Error::Checksums { .. } => "Checksum mismatch",
            Error::DropWithoutBaseline { .. } => "Invalid input",
            Error::ReadTemplate { .. } | Error::Template { .. } => "Template error",
            Error::Push(_) => "Metrics not pushed",
            Error::Comment(_) => "Comment not posted",
            Error::MissingValues { .. } => "Missing values in validation set",
            Error::Write { .. } | Error::OutputDelimiter { .. } | Error::Render { .. } => {
                "Cannot write report"
            }
            _ => "Cannot evaluate validation set",
        }
    }
}

/// The messages of an error's sources, outermost first.
pub fn sources(err: &dyn std::error::Error) -> Vec<String> {
    std::iter::successors(err.source(), |e| e.source()).map(|e| e.to_string()).collect()
}

/// How many values of one column are missing, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCount {
    /// The column.
    pub column: String,
    /// Null or NaN.
    pub kind: Missing,
    /// How many rows.
    pub rows: u64,
}

/// The kinds of missing value `null_policy` governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An arrow null.
    Null,
    /// A floating-point NaN score.
    NaN,
}

fn checksums_message(
    path: &std::path::Path,
    failures: &[crate::dataset::checksums::Failure],
) -> String {
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

/// ` line L, column C: reason`, from a render error or the parse error inside it.
fn template_detail(e: &handlebars::RenderError) -> String {
    let (pos, reason) = match e.reason() {
        handlebars::RenderErrorReason::TemplateError(t) => (t.pos(), t.reason().to_string()),
        other => (e.line_no.zip(e.column_no), other.to_string()),
    };
    match pos {
        Some((line, column)) => format!(" line {line}, column {column}: {reason}"),
        None => format!(": {reason}"),
    }
}

fn hint_suffix(hint: &Option<&'static str>) -> String {
    match hint {
        Some(name) => format!(": did you mean `{name}`?"),
        None => ": see the inputs in action.yml or `--help`".to_string(),
    }
}

fn skipped_suffix(skipped: u64) -> String {
    match skipped {
        0 => String::new(),
        n => format!(" ({n} rows were skipped under `null_policy: skip`)"),
    }
}

fn missing_message(path: &std::path::Path, counts: &[MissingCount]) -> String {
    let mut msg = format!("validation set `{}` has missing values:", path.display());
    for (i, c) in counts.iter().enumerate() {
        let kind = match c.kind {
            Missing::Null => "null",
            Missing::NaN => "NaN",
        };
        let sep = if i == 0 { " " } else { ", " };
        let _ = write!(msg, "{sep}{} rows with {kind} in `{}`", c.rows, c.column);
    }
    msg.push_str(
        "; set `null_policy: skip` to leave those rows out (they are then counted and reported)",
    );
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_message_names_every_column() {
        let err = Error::MissingValues {
            path: "v.parquet".into(),
            counts: vec![
                MissingCount { column: "label".into(), kind: Missing::Null, rows: 4 },
                MissingCount { column: "score".into(), kind: Missing::NaN, rows: 3 },
            ],
        };
        let msg = err.to_string();
        assert!(msg.contains("4 rows with null in `label`, 3 rows with NaN in `score`"), "{msg}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn unknown_input_suggests_the_declared_name() {
        let err = Error::UnknownInput {
            name: "min-precision".into(),
            var: "INPUT_MIN-PRECISION".into(),
            hint: Some("min_precision"),
        };
        assert_eq!(
            err.to_string(),
            "unknown input `min-precision` (from `INPUT_MIN-PRECISION`): did you mean `min_precision`?"
        );
    }
}
