//! Reading the validation set (and a predictions file): opened, hashed
//! and counted at the same time, the hashes then checked before anything
//! counted is given out.
//!
//! [`read`] runs four stages: [`expected`] gathers the hashes the input
//! must have, [`hash_and_scan`] hashes and counts at once, [`verify_hashes`]
//! checks every hash, and only then is anything counted given out.

use std::path::Path;

use super::clusters::{self, ClusterResult};
use super::earlier::Earlier;
use super::error::EvaluateError;
use super::evaluation::{Provenance, SliceDesigns};
use super::fold::Fold;
use super::join::{self, Facts};
use super::parts::Parts;
use super::predictions::PredictionsFile;
use super::review::Review;
use super::scan::{self, scan};
use super::settings::{ClusterBy, Settings};
use crate::correlation::{Designs, Sums};
use crate::dataset::checksums::{self, Expected};
use crate::dataset::{Dataset, DatasetError, Hashed, Role, Sha256, Source};
use crate::metrics::{Metric, Tally};
use crate::paired::{self, Comparison};
use crate::slices::{SliceColumn, Slices, Value};
use crate::strata::Stratified;
use crate::sweep::Histogram;
use crate::weighted::Weighted;

/// What reading gave, before the verdict: from the files, or from the
/// counts an engine made ([`super::engine`]).
pub struct Read {
    /// What is known of what was evaluated.
    pub dataset: Provenance,
    /// The counts and the skipped rows.
    pub tally: Tally,
    /// The scores' histogram, for the sweep.
    pub histogram: Option<Histogram>,
    /// The weighted sums, with `weight_column`.
    pub weighted: Option<Weighted>,
    /// What the correlated pairs are worth, with `cluster_by`.
    pub designs: Option<Designs>,
    /// The stratified estimate, with `strata_column`.
    pub stratified: Option<Stratified>,
    /// The model against the previous one on these pairs, with a baseline
    /// score or prediction column.
    pub paired: Option<Comparison>,
    /// Each slice column's slices.
    pub slices: Vec<SliceColumn>,
    /// With `cluster_by`, what each slice's correlated pairs are worth.
    pub slice_designs: Vec<SliceDesigns>,
    /// The misclassified pairs to review.
    pub review: Option<Review>,
    /// The clusters, in cluster mode.
    pub clusters: Option<ClusterResult>,
    /// The predictions file, when one was joined.
    pub predictions: Option<PredictionsFile>,
    /// The previous model's predictions file, with `baseline_predictions`.
    pub baseline_predictions: Option<PredictionsFile>,
    /// Recall through blocking, with `truth` in pair mode.
    pub blocking: Option<super::Blocking>,
}

/// Hashes and reads the validation set (and the predictions file), checks
/// the hashes, and gives what was counted.
pub fn read(settings: &Settings) -> Result<Read, EvaluateError> {
    let start = std::time::Instant::now();
    let path = &settings.validation_set;
    let source = Source::open(Role::ValidationSet, path, &settings.store)?;
    let mut expected = expected(settings, &source)?;
    let predictions = match &settings.predictions {
        Some(p) => Some(Source::open(Role::Predictions, p, &settings.store)?),
        None => None,
    };
    let (hashed, predictions_hashed, scanned) =
        hash_and_scan(settings, &source, predictions.as_ref());
    let hashed = hashed?;
    source.unchanged()?;
    if let Some(p) = &predictions {
        p.unchanged()?;
    }
    log::debug!("sha256 {} over {} bytes in {:?}", hashed.sha256, source.size(), start.elapsed());
    verify_hashes(settings, &source, &hashed, &mut expected)?;
    let Scanned { dataset, fold, joined, review, clusters, earlier } = scanned?;
    let Fold { mut tally, histogram, weighted, slices, correlated, flips, .. } = fold;
    let predictions = match (predictions, predictions_hashed, joined) {
        (Some(p), Some(hashed), Some(facts)) => {
            let hashed = hashed?;
            Some(facts.finish(settings, &p.path, p.size(), hashed.sha256, &mut tally)?)
        }
        _ => None,
    };
    let weighted = weighted.map(|b| b.total());
    if let (Some(w), Some(column)) = (&weighted, &settings.weight_column) {
        w.check().map_err(|problem| EvaluateError::Weights {
            path: settings.validation_set.clone(),
            column: column.clone(),
            problem,
        })?;
    }
    let (sums, slice_designs) = match correlated.map(|c| c.finish(weighted.is_some())) {
        Some((sums, sliced)) => (Some(sums), sliced.into_iter().map(slice_designs).collect()),
        None => (None, Vec::new()),
    };
    let designs = sums.as_ref().map(|s| designs(s, &tally, weighted.as_ref()));
    let paired = flips.map(|flips| {
        let split = sums.as_ref().and_then(|s| Some((s.paired.as_ref()?, s.dyadic)));
        let columns = sums.as_ref().map_or(&[][..], |s| &s.columns);
        paired::compare(&flips, split, columns, settings.confidence.unwrap_or(DEFAULT_LEVEL))
    });
    let mut slices = slices.map(Slices::finish).unwrap_or_default();
    let stratified = match &settings.strata {
        Some(strata) => Some(super::stratify::stratify(settings, strata, slices.pop())?),
        None => None,
    };
    let weighted = weighted.or_else(|| stratified.as_ref().map(|s| s.weighted));
    let blocking = match &settings.truth {
        Some(truth) => Some(super::blocking::measure(settings, truth, &source, tally.counts.tp)?),
        None => None,
    };
    let verified = expected.all.into_iter().map(|e| e.against).collect();
    Ok(Read {
        dataset: provenance(settings, &source, &dataset, &hashed, verified),
        tally,
        histogram,
        weighted,
        designs,
        stratified,
        paired,
        slices,
        slice_designs,
        review,
        clusters,
        predictions,
        baseline_predictions: earlier,
        blocking,
    })
}

/// The level of the paired changes' intervals without `confidence`.
const DEFAULT_LEVEL: f64 = 0.95;

/// Each metric's design: its pairs, worth at most their number (with
/// weights, Kish's size).
fn designs(sums: &Sums, tally: &Tally, weighted: Option<&Weighted>) -> Designs {
    let pairs = |m: Metric| m.trials(&tally.counts);
    let cap = |m: Metric| match weighted {
        Some(w) => w.proportion(m).map(|(_, n)| n),
        None => Some(pairs(m) as f64),
    };
    sums.designs(pairs, cap)
}

/// One slice column's designs, by value: its slices' sums count pairs.
fn slice_designs(column: Vec<(Value, Sums)>) -> SliceDesigns {
    column.into_iter().map(|(value, sums)| (value, sums.counted_designs())).collect()
}

/// The hashes an input must have: the whole input's (`dataset_hash`, a
/// single file's checksums line), and each part's of a folder.
struct ExpectedHashes {
    all: Vec<Expected>,
    parts: Vec<Option<Expected>>,
}

/// The hashes `settings` give for `source`, the checksums file verified
/// on the way (its every other line too).
fn expected(settings: &Settings, source: &Source) -> Result<ExpectedHashes, EvaluateError> {
    let mut all: Vec<Expected> = settings
        .dataset_hash
        .map(|sha256| Expected { sha256, against: "`dataset_hash`".to_string() })
        .into_iter()
        .collect();
    let mut parts = vec![None; source.parts.len()];
    if let Some(list) = &settings.checksums {
        let listed = checksums::verify(list, source, settings.predictions.as_deref())?;
        if !source.folder { all.extend(listed.into_iter().flatten()) } else { parts = listed }
    }
    let covered = !all.is_empty() || (source.folder && parts.iter().all(Option::is_some));
    if settings.require_hash && !covered {
        return Err(EvaluateError::Unverified {
            path: settings.validation_set.clone(),
            folder: source.folder,
        });
    }
    Ok(ExpectedHashes { all, parts })
}

/// What the metrics pass gave, its hash not yet checked.
struct Scanned {
    dataset: Dataset,
    fold: Fold,
    /// The join's facts, with a predictions file.
    joined: Option<Facts>,
    review: Option<Review>,
    clusters: Option<ClusterResult>,
    /// The previous model's predictions file, with `baseline_predictions`.
    earlier: Option<PredictionsFile>,
}

/// A hash's outcome.
type Hash = Result<Hashed, DatasetError>;

/// Hashes the validation set (and the predictions file) while the metrics
/// pass counts them, each on cores of its own.
fn hash_and_scan(
    settings: &Settings,
    source: &Source,
    predictions: Option<&Source>,
) -> (Hash, Option<Hash>, Result<Scanned, EvaluateError>) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // SHA-256 is one stream, about 1.3 GB/s on a core with SHA extensions,
    // while one core counts a file's pairs at about twice that (it reads
    // only the columns it needs): alone, a single file's hash gets a core
    // of its own and bounds the run. A folder's parts are hashed on every
    // core, and a join's probing or the sums per cluster id (`cluster_by`)
    // are slower than the hash: these count on every core too.
    let grouped = !matches!(settings.cluster_by, ClusterBy::Independent);
    let counting = match (predictions, source.folder, grouped) {
        (None, false, false) => workers.saturating_sub(1).max(1),
        _ => workers,
    };
    let hashing = |source: &Source| if source.folder { workers } else { 1 };
    std::thread::scope(|s| {
        let hasher = s.spawn(|| source.hash(hashing(source)));
        let predictions_hasher = predictions.map(|p| s.spawn(move || p.hash(hashing(p))));
        // The chosen errors are read back while the hash is still running;
        // a mismatch then discards them with everything else read.
        let scanned = metrics_pass(settings, source, predictions, counting);
        let predictions_hashed =
            predictions_hasher.map(|h| h.join().expect("the hashing thread panicked"));
        (hasher.join().expect("the hashing thread panicked"), predictions_hashed, scanned)
    })
}

/// Counts the input as its mode asks: records in cluster mode, pairs
/// joined to a predictions file, or pairs; the chosen errors read back.
fn metrics_pass(
    settings: &Settings,
    source: &Source,
    predictions: Option<&Source>,
    counting: usize,
) -> Result<Scanned, EvaluateError> {
    match (&settings.clusters, predictions) {
        (Some(c), _) => clusters::scan(settings, c, source).map(|(dataset, tally, result)| {
            let fold = Fold { tally, ..Fold::default() };
            let clusters = Some(result);
            Scanned { dataset, fold, joined: None, review: None, clusters, earlier: None }
        }),
        (None, None) => {
            let earlier = earlier(settings, source, counting)?;
            let (dataset, mut fold) = scan(settings, source, earlier.as_ref(), counting)?;
            let review = scan::read_back(settings, &dataset, &mut fold, None, counting)?;
            let earlier = earlier.map(|e| e.file);
            Ok(Scanned { dataset, fold, joined: None, review, clusters: None, earlier })
        }
        (None, Some(p)) => {
            let earlier = earlier(settings, source, counting)?;
            let mut j = join::scan(settings, source, p, earlier.as_ref(), counting)?;
            let (dataset, fold) = (&j.dataset, &mut j.fold);
            let review = scan::read_back(settings, dataset, fold, Some(&j.decided), counting)?;
            let (dataset, fold, joined) = (j.dataset, j.fold, Some(j.facts));
            let earlier = earlier.map(|e| e.file);
            Ok(Scanned { dataset, fold, joined, review, clusters: None, earlier })
        }
    }
}

/// The previous model's decisions, joined from `baseline_predictions`.
fn earlier(
    settings: &Settings,
    source: &Source,
    workers: usize,
) -> Result<Option<Earlier>, EvaluateError> {
    let Some(path) = &settings.baseline_predictions else {
        return Ok(None);
    };
    let file = Source::open(Role::BaselinePredictions, path, &settings.store)?;
    Earlier::load(settings, source, &file, workers).map(Some)
}

/// Checks the input's hash and each part's against what they must be. A
/// folder whose every part is listed is verified as a whole too.
fn verify_hashes(
    settings: &Settings,
    source: &Source,
    hashed: &Hashed,
    expected: &mut ExpectedHashes,
) -> Result<(), EvaluateError> {
    let sha256 = hashed.sha256;
    let mismatch = |path: &Path, e: &Expected, actual: Sha256| EvaluateError::HashMismatch {
        path: path.to_path_buf(),
        against: e.against.clone(),
        expected: e.sha256.to_string(),
        actual: actual.to_string(),
        folder: source.folder && path == settings.validation_set,
    };
    if let Some(e) = expected.all.iter().find(|e| e.sha256 != sha256) {
        return Err(mismatch(&settings.validation_set, e, sha256));
    }
    for ((part, e), actual) in source.parts.iter().zip(&expected.parts).zip(&hashed.parts) {
        if let Some(e) = e.as_ref().filter(|e| e.sha256 != *actual) {
            return Err(mismatch(&part.path, e, *actual));
        }
    }
    if let Some(list) = settings.checksums.as_ref().filter(|_| source.folder)
        && expected.parts.iter().all(Option::is_some)
    {
        let against = format!("each part's line of `{}`", crate::untrusted::path(list));
        expected.all.push(Expected { sha256, against });
    }
    Ok(())
}

/// What is known of the evaluated input; `verified_against` lists what
/// its hash was checked against.
fn provenance(
    settings: &Settings,
    source: &Source,
    dataset: &Dataset,
    hashed: &Hashed,
    verified_against: Vec<String>,
) -> Provenance {
    Provenance {
        path: crate::secret::url(&settings.validation_set.display().to_string()).into_owned(),
        sha256: hashed.sha256,
        verified: !verified_against.is_empty(),
        verified_against,
        size_bytes: source.size(),
        rows: dataset.rows(),
        row_groups: dataset.row_groups(),
        checksums: settings.checksums.as_ref().map(|p| p.display().to_string()),
        parts: Parts::of(source, dataset, hashed),
        engine: None,
    }
}
