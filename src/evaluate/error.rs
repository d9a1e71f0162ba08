//! Why an evaluation stopped before a verdict.
//!
//! A failed gate is not an error (see [`crate::gate::Verdict`]); every
//! variant here means "could not evaluate". Reading failures of the dataset
//! and of the baseline keep their own types and messages.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::baseline::BaselineError;
use crate::dataset::DatasetError;
use crate::untrusted::{self, shown};

/// Why an evaluation could not produce a verdict.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// The validation set, or a file of the checksums list, could not be read.
    #[error(transparent)]
    Dataset(#[from] DatasetError),

    /// The counts an engine wrote could not be used.
    #[error(transparent)]
    Counts(#[from] crate::counts::CountsError),

    /// The baseline could not be used.
    #[error(transparent)]
    Baseline(#[from] BaselineError),

    /// The file's SHA-256 differs from `dataset_hash` or its checksums line.
    #[error(
        "validation set `{}` does not match {against}: expected sha256 {expected}, \
         the file has {actual}{}",
        untrusted::path(path),
        if against == "`dataset_hash`" { record_hint(path, *folder) } else { String::new() }
    )]
    HashMismatch {
        path: PathBuf,
        /// Where the expected hash came from: `` `dataset_hash` `` or a checksums line.
        against: String,
        /// The expected hash, lower-case hex.
        expected: String,
        /// The computed hash, lower-case hex.
        actual: String,
        /// Whether it is a folder of parts (its hash is its manifest's).
        folder: bool,
    },

    /// `require_dataset_hash` is on and nothing gives the validation set's
    /// SHA-256 to verify.
    #[error(
        "validation set `{}` has no recorded SHA-256 to verify, and `require_dataset_hash` is true: set `dataset_hash` to its hash (in a workflow, the repository variable: {}) or list it in `checksums`; set `require_dataset_hash: false` only for a trial, whose model card will not approve the model",
        untrusted::path(path),
        record_command(path, *folder)
    )]
    Unverified {
        path: PathBuf,
        /// Whether it is a folder of parts (its hash is its manifest's).
        folder: bool,
    },

    /// Nulls or NaN were found and `null_policy` is `fail`.
    #[error("{}", missing_message(path, counts))]
    MissingValues {
        path: PathBuf,
        /// One entry per column and kind of missing value.
        counts: Vec<MissingCount>,
    },

    /// Labelled pairs have no prediction, under `null_policy: fail`.
    #[error(
        "{rows} labelled {} of `{}` {} no prediction in `{}` (first: {}); set `null_policy: skip` to leave them out (they are then counted and reported)",
        if *rows == 1 { "pair" } else { "pairs" },
        untrusted::path(path),
        if *rows == 1 { "has" } else { "have" },
        untrusted::path(predictions),
        first.iter().map(|k| shown(k).to_string()).collect::<Vec<_>>().join(", ")
    )]
    Unpredicted {
        /// The validation set.
        path: PathBuf,
        /// The predictions file.
        predictions: PathBuf,
        /// Labelled pairs without a prediction.
        rows: u64,
        /// The keys of the first of them, in file order.
        first: Vec<String>,
    },

    /// The weights cannot weigh the pairs: all zero, or summing past the
    /// largest float.
    #[error(
        "weight column `{}` of `{}` {}",
        shown(column),
        untrusted::path(path),
        match problem {
            crate::weighted::WeightsProblem::Zero => "sums to 0: expected weights, such as inverse inclusion probabilities, of which some are positive",
            crate::weighted::WeightsProblem::Overflow => "sums past the largest number a float holds (about 1.8e308): expected weights on a smaller scale (every metric is the same whatever constant multiplies them all)",
        }
    )]
    Weights { path: PathBuf, column: String, problem: crate::weighted::WeightsProblem },

    /// The strata sizes file could not be read or is not `stratum,pairs`.
    #[error(
        "strata_sizes `{}`: {}: expected a CSV with the header `stratum,pairs` and one line a stratum with its candidate pairs",
        untrusted::path(path),
        shown(problem)
    )]
    StrataSizes { path: PathBuf, problem: String },

    /// The strata of the data and of the sizes file disagree.
    #[error(
        "column `{}` (strata_column) of validation set `{}` {}",
        shown(column),
        untrusted::path(path),
        strata_problem(problem, sizes)
    )]
    Strata { path: PathBuf, column: String, sizes: PathBuf, problem: crate::strata::StrataProblem },

    /// The file (after skipping rows) has no rows to evaluate.
    #[error("validation set `{}` has no rows to evaluate{}", untrusted::path(path), skipped_suffix(*skipped))]
    NoRows {
        path: PathBuf,
        /// Rows left out under `null_policy: skip`.
        skipped: u64,
    },

    /// No row is a true match, so recall and F1 cannot be computed.
    #[error(
        "validation set `{}` has no true match in column `{}` ({rows} rows): \
         recall and F1 are undefined; expected at least one labelled match",
        untrusted::path(path),
        shown(column)
    )]
    NoTrueMatches {
        path: PathBuf,
        /// The label column.
        column: String,
        rows: u64,
    },

    /// The validation set has a column the errors file adds.
    #[error(
        "validation set `{}` has a column `{column}`, which errors_file adds to every row: expected no column named `error` or `rank`",
        untrusted::path(path)
    )]
    ErrorsColumnTaken { path: PathBuf, column: &'static str },
    /// Cluster mode: ids that are null under `null_policy: fail`.
    #[error(
        "column `{}` of validation set `{}` is null in {rows} rows (first: {}): expected an id on every record; set `null_policy: skip` to leave those records out (they are then counted and reported)",
        untrusted::shown(column),
        untrusted::path(path),
        rows_list(first)
    )]
    NullIds {
        path: PathBuf,
        column: String,
        /// Rows with a null there.
        rows: u64,
        /// The first of them.
        first: Vec<u64>,
    },
    /// Cluster mode: a record id on more than one row.
    #[error(
        "validation set `{}` holds {rows} rows whose `{}` an earlier row already has (first: {}): expected each record once",
        untrusted::path(path),
        untrusted::shown(column),
        repeats_list(first)
    )]
    RepeatedRecords {
        path: PathBuf,
        /// The record column.
        column: String,
        /// Rows that repeat an earlier record id.
        rows: u64,
        /// The first of them.
        first: Vec<Repeat>,
    },
    /// With a joined predictions file, the errors file would add its
    /// deciding column to a validation set that has one of that name.
    #[error(
        "validation set `{}` has a column `{}`, the name of the predictions file's deciding column, which errors_file adds to every row: expected the two files to name it differently",
        untrusted::path(path),
        untrusted::shown(column)
    )]
    DecisionColumnTaken {
        /// The validation set.
        path: PathBuf,
        column: String,
    },
    /// With `truth_sampling`, no record has a true entity.
    #[error(
        "validation set `{}` has no record with a true entity in `{}` (or in the truth file): expected the sampled benchmark's entities there (truth_sampling), null for the records outside the sample",
        untrusted::path(path),
        untrusted::shown(column)
    )]
    NoSampledRecords { path: PathBuf, column: String },
    /// With `truth_weight_column`, two records of one true entity carry
    /// two weights.
    #[error(
        "column `{}` (truth_weight_column) gives one true entity two weights, {} and {}, on the records at rows {} and {} of validation set `{}`: expected one weight per true entity (its inverse inclusion probability) on each of its records",
        untrusted::shown(column),
        rows[0].1,
        rows[1].1,
        rows[0].0,
        rows[1].0,
        untrusted::path(path)
    )]
    TruthWeightsDiffer {
        path: PathBuf,
        column: String,
        /// The two rows and their weights, in file order.
        rows: [(u64, f64); 2],
    },
    /// The truth file lists a record twice.
    #[error(
        "truth file `{}` lists record `{}` of `{}` twice, at rows {} and {}: expected each sampled record once, with its one true entity",
        untrusted::path(path),
        untrusted::excerpt(record),
        untrusted::shown(column),
        rows[0],
        rows[1]
    )]
    TruthRepeat { path: PathBuf, column: String, record: String, rows: [u64; 2] },
    /// The truth file has a null record id or true entity.
    #[error(
        "column `{}` of truth file `{}` is null at row {row}: expected every sampled record's id and true entity (records outside the sample are left out of the file)",
        untrusted::shown(column),
        untrusted::path(path)
    )]
    TruthNull { path: PathBuf, column: String, row: u64 },
}

impl EvaluateError {
    /// A short title for the annotation.
    pub fn title(&self) -> &'static str {
        match self {
            EvaluateError::HashMismatch { .. } => "Checksum mismatch",
            EvaluateError::Unverified { .. } => "Dataset hash required",
            EvaluateError::Dataset(e) if e.is_checksum_failure() => "Checksum mismatch",
            EvaluateError::MissingValues { .. } => "Missing values in validation set",
            EvaluateError::Unpredicted { .. } => "Missing predictions",
            _ => "Cannot evaluate validation set",
        }
    }
}

/// How many values of one column are missing, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCount {
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
    /// A null, or a NaN score: the previous model's decision.
    NullOrNaN,
}

/// How to record the hash of `path`: the command whose output
/// `dataset_hash` takes; a path that is not
/// [`pasteable`](untrusted::pasteable) is written `FILE`.
fn record_command(path: &Path, folder: bool) -> String {
    let shown = untrusted::pasteable(path).unwrap_or("FILE");
    if folder {
        format!(
            "`gh variable set ML_DATASET_HASH --body \"$(sha256sum MANIFEST | cut -c1-64)\"`, MANIFEST the file `manifest` writes for `{shown}`"
        )
    } else {
        format!("`gh variable set ML_DATASET_HASH --body \"$(sha256sum {shown} | cut -c1-64)\"`")
    }
}

/// What a `dataset_hash` mismatch asks: the validation set's own hash.
fn record_hint(path: &Path, folder: bool) -> String {
    format!(
        "; `dataset_hash` must be the SHA-256 of the validation set itself (not of the training data): if these bytes are the ones you meant, record theirs with {}",
        record_command(path, folder)
    )
}

fn rows_list(rows: &[u64]) -> String {
    let rows: Vec<String> = rows.iter().map(u64::to_string).collect();
    format!("row {}", rows.join(", "))
}

fn repeats_list(repeats: &[Repeat]) -> String {
    let shown: Vec<String> = repeats
        .iter()
        .map(|r| {
            let entities = if r.same { "the same entities" } else { "other entities" };
            format!("row {} repeats row {} with {entities}", r.row, r.first)
        })
        .collect();
    shown.join("; ")
}

fn skipped_suffix(skipped: u64) -> String {
    match skipped {
        0 => String::new(),
        n => format!(" ({n} rows were skipped under `null_policy: skip`)"),
    }
}

fn missing_message(path: &Path, counts: &[MissingCount]) -> String {
    let mut msg = format!("validation set `{}` has missing values:", untrusted::path(path));
    for (i, c) in counts.iter().enumerate() {
        let kind = match c.kind {
            Missing::Null => "null",
            Missing::NaN => "NaN",
            Missing::NullOrNaN => "null or NaN",
        };
        let sep = if i == 0 { " " } else { ", " };
        let _ = write!(msg, "{sep}{} rows with {kind} in `{}`", c.rows, shown(&c.column));
    }
    msg.push_str(
        "; set `null_policy: skip` to leave those rows out (they are then counted and reported)",
    );
    msg
}

/// A record id seen again: its row, the first row with it, and whether
/// both rows name the same entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// The later row.
    pub row: u64,
    /// The first row with that record id.
    pub first: u64,
    /// Whether the two rows agree on both entities.
    pub same: bool,
}

/// What is wrong between the strata of the data and the sizes file.
fn strata_problem(problem: &crate::strata::StrataProblem, sizes: &Path) -> String {
    use crate::strata::StrataProblem as P;
    let sizes = untrusted::path(sizes);
    match problem {
        P::NotInSizes(s) => format!(
            "has the stratum `{}`, which strata_sizes `{sizes}` does not list: expected every stratum of the data with its candidate pairs",
            shown(s)
        ),
        P::NotInData(s) => format!(
            "has no labelled pair in the stratum `{}` that strata_sizes `{sizes}` lists: expected pairs labelled in every stratum (or the stratum left out of the sizes, and of the population the metrics are of)",
            shown(s)
        ),
        P::MoreThanPopulation { stratum, labelled, population } => format!(
            "has {labelled} labelled pairs in the stratum `{}`, more than the {population} candidate pairs strata_sizes `{sizes}` gives it: expected the stratum's size in the population",
            shown(stratum)
        ),
        P::Lonely(s) => format!(
            "has one labelled pair in the stratum `{}`, whose variance one pair cannot estimate: expected at least two (or the stratum merged with a neighbour)",
            shown(s)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_message_names_every_column() {
        let err = EvaluateError::MissingValues {
            path: "v.parquet".into(),
            counts: vec![
                MissingCount { column: "label".into(), kind: Missing::Null, rows: 4 },
                MissingCount { column: "score".into(), kind: Missing::NaN, rows: 3 },
            ],
        };
        assert_eq!(
            err.to_string(),
            "validation set `v.parquet` has missing values: 4 rows with null in `label`, \
             3 rows with NaN in `score`; set `null_policy: skip` to leave those rows out \
             (they are then counted and reported)"
        );
        assert_eq!(err.title(), "Missing values in validation set");
    }

    #[test]
    fn no_rows_says_how_many_were_skipped() {
        let err = EvaluateError::NoRows { path: "v.parquet".into(), skipped: 0 };
        assert_eq!(err.to_string(), "validation set `v.parquet` has no rows to evaluate");
        let err = EvaluateError::NoRows { path: "v.parquet".into(), skipped: 3 };
        assert!(err.to_string().ends_with(" (3 rows were skipped under `null_policy: skip`)"));
    }
}
