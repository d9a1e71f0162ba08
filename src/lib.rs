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

pub mod baseline;
pub mod dataset;
pub mod error;
pub mod gate;
pub mod inputs;
pub mod integrations;
pub mod metrics;
pub mod report;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::baseline::Baseline;
use crate::dataset::checksums;
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
    /// Whether `sha256` was checked against `dataset_hash` or a checksums line.
    pub verified: bool,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Rows in the file, from its footer.
    pub rows: u64,
    /// Row groups in the file.
    pub row_groups: usize,
    /// The checksums file whose every line was verified, if one was given.
    pub checksums: Option<String>,
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
    /// The previous model's result, when `baseline` was given.
    pub baseline: Option<Baseline>,
    /// When the evaluation ran.
    pub evaluated_at: chrono::DateTime<chrono::Utc>,
    /// Wall time from opening the file to the verdict.
    pub elapsed: Duration,
}

/// A hash the validation set must have, and where it was asked for.
struct Expected {
    sha256: Sha256,
    against: String,
}

/// Verifies the checksums file, loads the baseline, hashes and reads the
/// validation set and applies the gate. `now` is the evaluation time.
///
/// The hash and the metrics run at the same time on separate cores, from one
/// open file. When an expected hash is given (`dataset_hash`, or the
/// validation set's line in the checksums file), a mismatch wins over
/// anything the reading found: no number from unverified bytes is returned.
pub fn evaluate(inputs: &Inputs, now: chrono::DateTime<chrono::Utc>) -> Result<Evaluation, Error> {
    let start = Instant::now();
    let path = &inputs.validation_set;
    let baseline = inputs.baseline.as_deref().map(Baseline::load).transpose()?;
    let mut expected: Vec<Expected> = inputs
        .dataset_hash
        .map(|sha256| Expected { sha256, against: "`dataset_hash`".to_string() })
        .into_iter()
        .collect();
    if let Some(list) = &inputs.checksums {
        expected.extend(verify_checksums(list, path)?);
    }
    let (file, size) = Dataset::open_file(path)?;
    let file = Arc::new(file);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (hashed, scanned) = std::thread::scope(|s| {
        let hasher = s.spawn(|| Sha256::of_file(&file));
        let scanned = scan(inputs, file.clone(), size, workers);
        (hasher.join().expect("the hashing thread panicked"), scanned)
    });
    let sha256 = hashed.map_err(|source| Error::ReadDataset { path: path.clone(), source })?;
    log::debug!("sha256 {sha256} over {size} bytes in {:?}", start.elapsed());
    if let Some(e) = expected.iter().find(|e| e.sha256 != sha256) {
        return Err(Error::HashMismatch {
            path: path.clone(),
            against: e.against.clone(),
            expected: e.sha256.to_string(),
            actual: sha256.to_string(),
        });
    }
    let (dataset, tally) = scanned?;
    check_missing(inputs, &tally)?;
    let counts = tally.counts;
    if counts.rows() == 0 {
        return Err(Error::NoRows { path: path.clone(), skipped: tally.skipped.rows });
    }
    if counts.positives() == 0 {
        return Err(Error::NoTrueMatches {
            path: path.clone(),
            column: inputs.label_column.clone(),
            rows: counts.rows(),
        });
    }
    let previous = baseline.as_ref().map(|b| move |m| b.get(m));
    let previous = previous.as_ref().map(|f| f as &dyn Fn(metrics::Metric) -> Option<f64>);
    let verdict = gate::evaluate(&counts, &inputs.thresholds, &inputs.max_drop, previous);
    Ok(Evaluation {
        dataset: Provenance {
            path: path.display().to_string(),
            sha256,
            verified: !expected.is_empty(),
            size_bytes: size,
            rows: dataset.rows(),
            row_groups: dataset.row_groups(),
            checksums: inputs.checksums.as_ref().map(|p| p.display().to_string()),
        },
        tally,
        verdict,
        baseline,
        evaluated_at: now,
        elapsed: start.elapsed(),
    })
}

/// Verifies every line of a checksums file but the validation set's, whose
/// hash is returned to be checked while the set is read (hashing it once).
fn verify_checksums(list: &Path, validation_set: &Path) -> Result<Option<Expected>, Error> {
    let text = std::fs::read_to_string(list)
        .map_err(|source| Error::ReadChecksums { path: list.to_path_buf(), source })?;
    let dir = list.parent().unwrap_or(Path::new(""));
    let (entries, mut failures) = checksums::parse(&text, dir);
    let target = std::fs::canonicalize(validation_set).ok();
    let mut own = None;
    for entry in &entries {
        let is_target = target.is_some() && std::fs::canonicalize(&entry.path).ok() == target;
        if is_target {
            own = Some(Expected {
                sha256: entry.expected,
                against: format!("line {} of `{}`", entry.line, list.display()),
            });
        } else {
            failures.extend(checksums::check(entry));
        }
    }
    failures.sort_by_key(|f| f.line);
    if !failures.is_empty() {
        return Err(Error::Checksums { path: list.to_path_buf(), failures });
    }
    log::info!("verified {} files listed in `{}`", entries.len(), list.display());
    Ok(own)
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
    let tallies = dataset.fold(columns.mask(), workers, Tally::default, |tally, batch, row| {
        tally.add(&columns.extract(batch, row)?);
        Ok(())
    })?;
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
        (inputs.label_column.as_str(), Missing::Null, skipped.label_null),
        (decision, Missing::Null, skipped.decision_null),
        (decision, Missing::NaN, skipped.score_nan),
    ]
    .into_iter()
    .filter(|(_, _, rows)| *rows > 0)
    .map(|(column, kind, rows)| MissingCount { column: column.to_string(), kind, rows })
    .collect();
    Err(Error::MissingValues { path: inputs.validation_set.clone(), counts })
}

/// Writes every report of an evaluation: the JSON report, the model cards,
/// the job summary, the step outputs (or a readable block outside Actions)
/// and the annotations; returns the report and the outputs set. Everything
/// is rendered first, so a template error leaves no file and no summary
/// behind.
pub fn publish(
    evaluation: &Evaluation,
    inputs: &Inputs,
    actions: &integrations::github::Actions,
    out: &mut dyn std::io::Write,
) -> Result<(report::Report, report::Outputs), Error> {
    let report = report::Report::new(evaluation, inputs, actions.run_url());
    let mut files = Vec::new();
    if let Some(path) = &inputs.report_json {
        files.push(File {
            what: "report_json",
            path: path.clone(),
            bytes: report::to_json(&report),
        });
    }
    files.extend(render_card(&report, inputs, actions)?);
    if let Some(path) = &inputs.push.metrics_file {
        let bytes =
            integrations::push::exposition(&report, integrations::push::Target::File).into_bytes();
        files.push(File { what: "metrics_file", path: path.clone(), bytes });
    }
    let summary = match inputs.summary {
        true => Some(report::render::summary(&report)?),
        false => None,
    };
    let mut outputs = report.outputs();
    for file in &files {
        report::write_file(&file.path, file.what, &file.bytes)?;
        outputs.push((file.what, file.path.display().to_string()));
    }
    if let Some(markdown) = summary {
        actions.append_summary(&markdown)?;
    }
    if !actions.is_enabled() {
        out.write_all(report::render::verdict_block(&report).as_bytes())
            .map_err(|source| Error::Write { what: "standard output", path: "-".into(), source })?;
    }
    actions.set_outputs(&outputs, out)?;
    actions.annotate(&report.annotations(), out)?;
    Ok((report, outputs))
}

/// Pushes the metrics to the Pushgateway, when one is configured. A failure
/// is reported (warning annotation, summary line, `pushed=false`) and
/// returned, for the caller to turn into exit code 2; the gate's own outputs
/// are already written by then.
pub fn push_metrics(
    report: &report::Report,
    inputs: &Inputs,
    actions: &integrations::github::Actions,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let Some(base) = &inputs.push.url else {
        return Ok(());
    };
    let body = integrations::push::exposition(report, integrations::push::Target::Pushgateway);
    let result = integrations::push::push(&inputs.push, base, &report.model.id, &body);
    actions.set_outputs(&[("pushed", result.is_ok().to_string())], out)?;
    let Err(err) = result else {
        return Ok(());
    };
    warn(actions, inputs.summary, "Metrics not pushed", &err, out)?;
    Err(Error::Push(err))
}

/// Reports a failed side effect: a `::warning` and, with the summary on, a
/// line appended to it (the verdict above it stands).
fn warn(
    actions: &integrations::github::Actions,
    summary: bool,
    title: &str,
    err: &dyn std::error::Error,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let message =
        std::iter::once(err.to_string()).chain(error::sources(err)).collect::<Vec<_>>().join(": ");
    let level = integrations::github::Level::Warning;
    let annotation = integrations::github::Annotation {
        level,
        title: title.to_string(),
        message: message.clone(),
    };
    actions.annotate(&[annotation], out)?;
    match summary {
        true => actions
            .append_summary(&format!("\n> ⚠️ **{title}**: {}.\n", report::render::cell(&message))),
        false => Ok(()),
    }
}

/// A rendered file, not yet written; `what` is also its output's name.
struct File {
    what: &'static str,
    path: std::path::PathBuf,
    bytes: Vec<u8>,
}

/// Renders the model cards that were asked for, with their paths.
fn render_card(
    report: &report::Report,
    inputs: &Inputs,
    actions: &integrations::github::Actions,
) -> Result<Vec<File>, Error> {
    let c = &inputs.card;
    if c.path.is_none() && c.json.is_none() {
        return Ok(Vec::new());
    }
    let card = report::card::Card::new(report, c, actions.server_repo());
    let mut files = Vec::new();
    if let Some(template) = &c.json {
        let path = report::render::path("model_card_json", template, &card)?;
        files.push(File { what: "model_card_json", path, bytes: report::to_json(&card) });
    }
    if let Some(template) = &c.path {
        let user = match &c.template {
            Some(p) => Some((
                p.as_path(),
                std::fs::read_to_string(p)
                    .map_err(|source| Error::ReadTemplate { path: p.clone(), source })?,
            )),
            None => None,
        };
        let markdown =
            report::render::model_card(&card, user.as_ref().map(|(p, t)| (*p, t.as_str())))?;
        let path = report::render::path("model_card", template, &card)?;
        files.push(File { what: "model_card", path, bytes: markdown.into_bytes() });
    }
    Ok(files)
}

/// Posts or updates the verdict comment, when `comment_on` asks for one;
/// `card` is the model card's path, to link. A `403` (a fork's read-only
/// token) ends in a warning; any other failure is reported and returned, for
/// exit code 2.
pub fn comment(
    report: &report::Report,
    card: Option<&str>,
    inputs: &Inputs,
    actions: &integrations::github::Actions,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    use integrations::comment::{self, CommentError, Posted};
    let Some(on) = inputs.comment_on else {
        return Ok(());
    };
    let warn = |err: &CommentError, out: &mut dyn std::io::Write| {
        warn(actions, inputs.summary, "Comment not posted", err, out)
    };
    let number = match on {
        inputs::CommentOn::Issue(n) => Some(n),
        inputs::CommentOn::PullRequest => actions.pull_request_number(),
    };
    let target = match (number, actions.repository(), &inputs.github_token) {
        (None, _, _) => Err("the triggering event has no pull request (`comment_on: pr`)"),
        (_, None, _) => Err("GITHUB_REPOSITORY is not set"),
        (_, _, None) => Err("`github_token` is empty"),
        (Some(number), Some(repository), Some(token)) => reqwest::Url::parse(actions.api_url())
            .map_err(|_| "GITHUB_API_URL is not a URL")
            .map(|api| comment::Target {
                api,
                repository: repository.to_string(),
                number,
                token: token.clone(),
                marker: comment::marker(actions.gate_name()),
            }),
    };
    let body = report::render::comment(report, card)?;
    let result = target
        .map_err(|why| CommentError::NotConfigured { why })
        .and_then(|target| comment::post(&target, &body));
    match result {
        Ok(Posted::Created { url } | Posted::Updated { url }) => {
            log::info!("verdict comment: {url}");
            actions.set_outputs(&[("comment_url", url)], out)
        }
        Err(err @ CommentError::Forbidden { .. }) => warn(&err, out),
        Err(err) => {
            warn(&err, out)?;
            Err(Error::Comment(err))
        }
    }
}
