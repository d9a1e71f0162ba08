//! One evaluation: verify, hash, read, count, decide.
//!
//! [`evaluate`] verifies the checksums file, loads the baseline, hashes and
//! reads the validation set at the same time on separate cores, and applies
//! the gate, giving an [`Evaluation`]. It owns its configuration,
//! [`Settings`], which `inputs` fills; it never prints, reads the environment
//! or writes a file.

mod clusters;
mod engine;
mod error;
mod fold;
mod join;
mod parts;
mod read;
mod review;
mod scan;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::baseline::{self, Baseline};
use crate::clusters::ClusterSettings;
use crate::dataset::{Decision, NullPolicy, Sha256};
use crate::gate::{self, Drops, OnInconclusive, Status, Thresholds, Verdict};
use crate::metrics::{Counts, Metric, Tally};
use crate::review::ReviewSettings;
use crate::slices::{self, SliceCheck, SliceColumn, SliceSettings, SliceStatus};
use crate::stats::Evidence;
use crate::sweep::{self, Analysis, Histogram, Point};
use crate::weighted::Weighted;

pub use clusters::{ClusterResult, Repeat};
pub use error::{EvaluateError, Missing, MissingCount};
pub use fold::Fold;
pub use join::PredictionsFile;
pub use parts::{Part, Parts};
use read::Read;
pub use review::Review;
pub use scan::count;

/// What to evaluate and how: the validation set, its provenance checks, the
/// columns and the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The parquet file (or folder of parts) to evaluate: the labelled
    /// pairs, with their scores unless `predictions` is given; with
    /// `counts`, the counts file.
    pub validation_set: PathBuf,
    /// The counts an engine computed where the data lives, evaluated
    /// instead of a validation set.
    pub counts: Option<PathBuf>,
    /// The longest reading a validation set in object storage may take.
    pub read_timeout: Duration,
    /// The model's scores or predictions in a file of their own, joined to
    /// the labelled pairs on `key_columns`.
    pub predictions: Option<PathBuf>,
    /// The columns that identify a pair in both files.
    pub key_columns: Vec<String>,
    /// Each pair's weight, a column of the validation set: metrics and
    /// verdict are then weighted.
    pub weight_column: Option<String>,
    /// The SHA-256 the file must have, if given.
    pub dataset_hash: Option<Sha256>,
    /// A checksums file whose every line is verified first.
    pub checksums: Option<PathBuf>,
    /// The ground-truth column.
    pub label_column: String,
    /// How predictions are made.
    pub decision: Decision,
    /// What to do with missing values.
    pub null_policy: NullPolicy,
    /// The gate's thresholds.
    pub thresholds: Thresholds,
    /// The previous model's result.
    pub baseline: Option<BaselineSource>,
    /// Largest allowed falls below the baseline.
    pub max_drop: Drops,
    /// The two-sided level of each metric's interval; `None`: point values decide.
    pub confidence: Option<f64>,
    /// What an inconclusive verdict does to the step.
    pub on_inconclusive: OnInconclusive,
    /// Whether to count the threshold sweep (score decisions only).
    pub sweep: bool,
    /// The slice columns and their limits.
    pub slices: SliceSettings,
    /// How many misclassified pairs to keep for review, with `errors_file`.
    pub review: Option<ReviewSettings>,
    /// Cluster mode's columns and family, with `mode: clusters`.
    pub clusters: Option<ClusterSettings>,
}

impl Settings {
    /// Whether the threshold sweep is counted: asked for, a score decides,
    /// and pairs are not weighted (the sweep counts pairs).
    pub fn sweeps(&self) -> bool {
        self.sweep
            && matches!(self.decision, Decision::Score { .. })
            && self.weight_column.is_none()
    }
}

/// Where the previous model's result comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum BaselineSource {
    /// A JSON report or JSON model card.
    Path(PathBuf),
    /// `latest`: the newest model card JSON in these folders, other than the
    /// files this run writes (`except`); none found is no comparison.
    Latest {
        /// The folders of the cards this run writes.
        folders: Vec<PathBuf>,
        /// This run's own cards and report.
        except: Vec<PathBuf>,
    },
}

impl BaselineSource {
    /// The file given, for `Path`.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            BaselineSource::Path(p) => Some(p),
            BaselineSource::Latest { .. } => None,
        }
    }
}

/// What `baseline: latest` found, for the run's notices.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestSearch {
    /// The folders searched.
    pub folders: Vec<PathBuf>,
    /// Why each JSON file there that is no baseline was skipped, one line each.
    pub skipped: Vec<String>,
}

/// What is known of the evaluated file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    /// The path as given.
    pub path: String,
    /// The SHA-256 of the bytes that were evaluated.
    pub sha256: Sha256,
    /// Whether `sha256` was checked against `dataset_hash` or a checksums line.
    pub verified: bool,
    /// What `sha256` was checked against, in prose: `` `dataset_hash` ``,
    /// `` line 3 of `checksums.txt` ``; empty when not verified.
    #[serde(skip)]
    pub verified_against: Vec<String>,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Rows in the file, from its footer.
    pub rows: u64,
    /// Row groups in the file.
    pub row_groups: usize,
    /// The checksums file whose every line was verified, if one was given.
    pub checksums: Option<String>,
    /// A folder's parts and manifest; `None` for a single file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Parts>,
    /// With `counts`: what the engine counted; `sha256` is then that of
    /// the dataset version's text, and no byte of the data was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
}

/// The data an engine counted, as its counts file names it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Engine {
    /// The version of the data: a snapshot id, a table and a time.
    pub dataset_version: String,
    /// The SHA-256 of the counts file read.
    pub counts_sha256: Sha256,
}

impl Provenance {
    /// The manifest of the evaluated files: a folder's, or one line for a
    /// single file, named as in its folder.
    pub fn manifest(&self) -> String {
        match &self.parts {
            Some(parts) => parts.manifest.clone(),
            None => {
                let path = std::path::Path::new(&self.path);
                let name =
                    path.file_name().map_or(self.path.clone(), |n| n.to_string_lossy().into());
                crate::dataset::parts::manifest([(name.as_str(), self.sha256)])
            }
        }
    }
}

/// Everything an evaluation found.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// What was evaluated and how.
    pub settings: Settings,
    /// The file.
    pub dataset: Provenance,
    /// The counts and the skipped rows.
    pub tally: Tally,
    /// The gate's verdict.
    pub verdict: Verdict,
    /// The counts at every candidate threshold, when the decision is a score.
    pub curve: Vec<Point>,
    /// What the sweep says about the decision threshold.
    pub sweep: Option<Analysis>,
    /// The predictions file, when one was joined.
    pub predictions: Option<PredictionsFile>,
    /// The weighted sums, with `weight_column`: the verdict's evidence.
    pub weighted: Option<Weighted>,
    /// Each slice column's slices and their counts, with `slice_columns`.
    pub slices: Vec<SliceColumn>,
    /// The slice rules judged; a failed one fails the verdict.
    pub slice_checks: Vec<SliceCheck>,
    /// The misclassified pairs to review, with `errors_file`.
    pub review: Option<Review>,
    /// The clusters, in cluster mode: the tally then counts pairs of records.
    pub clusters: Option<ClusterResult>,
    /// The previous model's result, when `baseline` was given (or found).
    pub baseline: Option<Baseline>,
    /// What `baseline: latest` searched, when it was asked for.
    pub latest: Option<LatestSearch>,
    /// When the evaluation ran.
    pub evaluated_at: chrono::DateTime<chrono::Utc>,
    /// Wall time from opening the file to the verdict.
    pub elapsed: Duration,
}

impl Evaluation {
    /// What the verdict was decided on: in cluster mode the family
    /// `cluster_metric` names, with `weight_column` the weighted sums, else
    /// the counts.
    pub fn evidence(&self) -> &dyn Evidence {
        match (&self.clusters, &self.weighted) {
            (Some(c), _) => c.clusters.families.get(c.family),
            (None, Some(w)) => w,
            (None, None) => &self.tally.counts,
        }
    }
}

/// Verifies the checksums file, loads the baseline, hashes and reads the
/// validation set and applies the gate. `now` is the evaluation time.
///
/// The hash and the metrics run at the same time on separate cores, from one
/// open file. When an expected hash is given (`dataset_hash`, or the
/// validation set's line in the checksums file), a mismatch wins over
/// anything the reading found: no number from unverified bytes is returned.
pub fn evaluate(
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Evaluation, EvaluateError> {
    let start = Instant::now();
    let path = &settings.validation_set;
    let (baseline, latest) = previous(settings.baseline.as_ref())?;
    let Read { dataset, tally, histogram, weighted, slices, review, clusters, predictions } =
        match &settings.counts {
            Some(counts) => engine::read(settings, counts)?,
            None => read::read(settings)?,
        };
    check_missing(settings, &tally)?;
    let counts = tally.counts;
    if counts.rows() == 0 && clusters.is_none() {
        return Err(EvaluateError::NoRows { path: path.clone(), skipped: tally.skipped.rows });
    }
    // In cluster mode no true pair is no input error: pairwise recall is
    // then undefined, and the other families still say something.
    if counts.positives() == 0 && clusters.is_none() {
        return Err(EvaluateError::NoTrueMatches {
            path: path.clone(),
            column: settings.label_column.clone(),
            rows: counts.rows(),
        });
    }
    let previous = baseline.as_ref().map(|b| move |m| b.get(m));
    let previous = previous.as_ref().map(|f| f as &dyn Fn(Metric) -> Option<f64>);
    let decide = |evidence: &dyn Evidence| {
        let (t, d) = (&settings.thresholds, &settings.max_drop);
        gate::decide(evidence, t, d, previous, settings.confidence)
    };
    let mut verdict = match (&clusters, &weighted) {
        (Some(c), _) => decide(c.clusters.families.get(c.family)),
        (None, Some(w)) => decide(w),
        (None, None) => decide(&counts),
    };
    let rules = &settings.slices.rules;
    let slice_checks = slices::judge(&slices, &counts, rules, settings.slices.min_support);
    if slice_checks.iter().any(|c| c.status == SliceStatus::Fail) {
        verdict.outcome = gate::Outcome::Failed;
    }
    let curve = histogram.as_ref().map(Histogram::points).unwrap_or_default();
    let sweep = analyse(&curve, |counts: &Counts| decide(counts));
    Ok(Evaluation {
        dataset,
        settings: settings.clone(),
        predictions,
        weighted,
        slices,
        slice_checks,
        review,
        clusters,
        tally,
        verdict,
        curve,
        sweep,
        baseline,
        latest,
        evaluated_at: now,
        elapsed: start.elapsed(),
    })
}

/// Loads the baseline given, or finds the latest.
fn previous(
    source: Option<&BaselineSource>,
) -> Result<(Option<Baseline>, Option<LatestSearch>), EvaluateError> {
    match source {
        None => Ok((None, None)),
        Some(BaselineSource::Path(path)) => Ok((Some(Baseline::load(path)?), None)),
        Some(BaselineSource::Latest { folders, except }) => {
            let found = baseline::latest(folders, except)?;
            let skipped = found.skipped.iter().map(|e| sources_line(e)).collect();
            Ok((found.chosen, Some(LatestSearch { folders: found.folders, skipped })))
        }
    }
}

/// An error and its causes on one line: `a (caused by: b)`.
fn sources_line(err: &dyn std::error::Error) -> String {
    let mut line = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        line.push_str(&format!(" (caused by: {cause})"));
        source = cause.source();
    }
    line
}

/// What the sweep says: at each candidate threshold, a metric holds when
/// every one of its rules passes there, as `decide` judges; `None` without
/// a curve.
fn analyse(curve: &[Point], decide: impl Fn(&Counts) -> Verdict) -> Option<Analysis> {
    (!curve.is_empty()).then(|| {
        sweep::analyse(curve, |metric, counts| {
            let verdict = decide(counts);
            let mut checks = verdict.checks.iter().filter(|c| c.metric() == metric);
            checks.all(|c| c.status == Status::Pass)
        })
    })
}

/// Under `null_policy: fail`, any missing value stops the evaluation.
fn check_missing(settings: &Settings, tally: &Tally) -> Result<(), EvaluateError> {
    let skipped = &tally.skipped;
    if settings.null_policy == NullPolicy::Skip || skipped.rows == 0 {
        return Ok(());
    }
    let decision = settings.decision.column();
    let counts = [
        (settings.label_column.as_str(), Missing::Null, skipped.label_null),
        (decision, Missing::Null, skipped.decision_null),
        (decision, Missing::NaN, skipped.score_nan),
        (settings.weight_column.as_deref().unwrap_or_default(), Missing::Null, skipped.weight_null),
    ]
    .into_iter()
    .filter(|(_, _, rows)| *rows > 0)
    .map(|(column, kind, rows)| MissingCount { column: column.to_string(), kind, rows })
    .collect();
    Err(EvaluateError::MissingValues { path: settings.validation_set.clone(), counts })
}
