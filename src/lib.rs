//! er-precision-gate: decide whether an entity-resolution model is good enough
//! to ship.
//!
//! It streams a parquet validation set of labelled candidate pairs, counts the
//! confusion matrix exactly, computes precision, recall and F1, and compares
//! them with thresholds. It runs as a Docker container GitHub Action (inputs
//! from `INPUT_*`) or as a command-line program (flags).
//!
//! The run is a flat list of stages: [`inputs`] types the inputs, [`evaluate`]
//! hashes and reads the file (at the same time, on separate cores) and gives a
//! [`gate::Verdict`], then [`publish`] writes the job summary, the JSON report,
//! the step outputs and the annotations.
//!
//! # Exit codes
//! - 0: the gate passed.
//! - 1: the gate failed (a metric below its threshold, or undefined).
//! - 2: could not evaluate: bad input, unreadable or mismatching file, or a
//!   report that could not be written.

#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod dataset;
pub mod error;
pub mod gate;
pub mod inputs;
pub mod integrations;
pub mod metrics;
pub mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dataset::columns::Columns;
use crate::dataset::{Dataset, Sha256};
use crate::error::{Error, Missing, MissingCount};
use crate::gate::Verdict;
use crate::inputs::{Inputs, NullPolicy};
use crate::metrics::Tally;

pub use crate::error::Error as GateError;

/// What is known of the evaluated file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    /// The path as given.
    pub path: String,
    /// The SHA-256 of the bytes that were evaluated.
    pub sha256: Sha256,
    /// Whether `sha256` was checked against `dataset_hash`.
    pub verified: bool,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Rows in the file, from its footer.
    pub rows: u64,
    /// Row groups in the file.
    pub row_groups: usize,
}

/// Everything an evaluation found.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The file.
    pub dataset: Provenance,
    /// The counts and the skipped rows.
    pub tally: Tally,
    /// The gate's verdict.
    pub verdict: Verdict,
    /// Wall time from opening the file to the verdict.
    pub elapsed: Duration,
}

/// Hashes and reads the validation set and applies the gate.
///
/// The hash and the metrics run at the same time on separate cores, from one
/// open file. When `dataset_hash` is set, a mismatch wins over anything the
/// reading found: no number from unverified bytes is ever returned.
pub fn evaluate(inputs: &Inputs) -> Result<Evaluation, Error> {
    let start = Instant::now();
    let path = &inputs.validation_set;
    let (file, size) = Dataset::open_file(path)?;
    let file = Arc::new(file);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (hashed, scanned) = std::thread::scope(|s| {
        let hasher = s.spawn(|| Sha256::of_file(&file));
        let scanned = scan(inputs, file.clone(), size, workers);
        (hasher.join().expect("the hashing thread panicked"), scanned)
    });
    let sha256 = hashed.map_err(|source| Error::ReadDataset {
        path: path.clone(),
        source,
    })?;
    log::debug!("sha256 {sha256} over {size} bytes in {:?}", start.elapsed());
    if let Some(expected) = inputs.dataset_hash
        && expected != sha256
    {
        return Err(Error::HashMismatch {
            path: path.clone(),
            expected: expected.to_string(),
            actual: sha256.to_string(),
        });
    }
    let (dataset, tally) = scanned?;
    check_missing(inputs, &tally)?;
    let counts = tally.counts;
    if counts.rows() == 0 {
        return Err(Error::NoRows {
            path: path.clone(),
            skipped: tally.skipped.rows,
        });
    }
    if counts.positives() == 0 {
        return Err(Error::NoTrueMatches {
            path: path.clone(),
            column: inputs.label_column.clone(),
            rows: counts.rows(),
        });
    }
    let verdict = gate::evaluate(&counts, &inputs.thresholds);
    Ok(Evaluation {
        dataset: Provenance {
            path: path.display().to_string(),
            sha256,
            verified: inputs.dataset_hash.is_some(),
            size_bytes: size,
            rows: dataset.rows(),
            row_groups: dataset.row_groups(),
        },
        tally,
        verdict,
        elapsed: start.elapsed(),
    })
}

fn scan(
    inputs: &Inputs,
    file: Arc<std::fs::File>,
    size: u64,
    workers: usize,
) -> Result<(Dataset, Tally), Error> {
    let dataset = Dataset::parse(&inputs.validation_set, file, size)?;
    let columns = Columns::resolve(&dataset, &inputs.label_column, &inputs.decision)?;
    log::debug!(
        "{} rows in {} row groups; reading `{}` and `{}` with {workers} workers",
        dataset.rows(),
        dataset.row_groups(),
        inputs.label_column,
        inputs.decision.column()
    );
    let tallies = dataset.fold(
        columns.mask(),
        workers,
        Tally::default,
        |tally, batch, row| {
            tally.add(&columns.extract(batch, row)?);
            Ok(())
        },
    )?;
    let tally = tallies.iter().fold(Tally::default(), Tally::merge);
    Ok((dataset, tally))
}

/// Under `null_policy: fail`, any missing value stops the evaluation.
fn check_missing(inputs: &Inputs, tally: &Tally) -> Result<(), Error> {
    let skipped = &tally.skipped;
    if inputs.null_policy == NullPolicy::Skip || skipped.rows == 0 {
        return Ok(());
    }
    let decision = inputs.decision.column();
    let counts = [
        (
            inputs.label_column.as_str(),
            Missing::Null,
            skipped.label_null,
        ),
        (decision, Missing::Null, skipped.decision_null),
        (decision, Missing::NaN, skipped.score_nan),
    ]
    .into_iter()
    .filter(|(_, _, rows)| *rows > 0)
    .map(|(column, kind, rows)| MissingCount {
        column: column.to_string(),
        kind,
        rows,
    })
    .collect();
    Err(Error::MissingValues {
        path: inputs.validation_set.clone(),
        counts,
    })
}

/// Writes every report of an evaluation: the job summary, the JSON report,
/// the step outputs (or a readable block outside Actions) and the annotations.
pub fn publish(
    evaluation: &Evaluation,
    inputs: &Inputs,
    actions: &integrations::github::Actions,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let report = report::Report::new(evaluation, inputs, actions.run_url());
    // The report file first: it is the one a user's path can make fail, and a
    // failure must not leave a summary that claims a finished run.
    if let Some(path) = &inputs.report_json {
        report::write_json(&report, path)?;
    }
    if inputs.summary {
        actions.append_summary(&report::render::summary(&report)?)?;
    }
    if !actions.is_enabled() {
        out.write_all(report::render::verdict_block(&report).as_bytes())
            .map_err(|source| Error::Write {
                what: "standard output",
                path: "-".into(),
                source,
            })?;
    }
    let outputs = report.outputs(inputs.report_json.as_deref());
    actions.set_outputs(&outputs, out)?;
    actions.annotate(&report.annotations(), out)
}
