//! Reading the validation set (and a predictions file): opened, hashed
//! and counted at the same time, the hashes then checked before anything
//! counted is given out.

use super::scan::{self, scan};
use super::{ClusterResult, PredictionsFile, Review};
use super::{EvaluateError, Fold, Parts, Provenance, Settings, clusters, join};
use crate::dataset::checksums::{self, Expected};
use crate::dataset::{Dataset, Role, Sha256, Source};
use crate::metrics::Tally;
use crate::slices::{SliceColumn, Slices};
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
    /// Each slice column's slices.
    pub slices: Vec<SliceColumn>,
    /// The misclassified pairs to review.
    pub review: Option<Review>,
    /// The clusters, in cluster mode.
    pub clusters: Option<ClusterResult>,
    /// The predictions file, when one was joined.
    pub predictions: Option<PredictionsFile>,
}

/// Hashes and reads the validation set (and the predictions file), checks
/// the hashes, and gives what was counted.
pub fn read(settings: &Settings) -> Result<Read, EvaluateError> {
    let start = std::time::Instant::now();
    let path = &settings.validation_set;
    let mut expected: Vec<Expected> = settings
        .dataset_hash
        .map(|sha256| Expected { sha256, against: "`dataset_hash`".to_string() })
        .into_iter()
        .collect();
    let source = Source::open(Role::ValidationSet, path, settings.read_timeout)?;
    let mut part_expected = vec![None; source.parts.len()];
    if let Some(list) = &settings.checksums {
        let listed = checksums::verify(list, &source)?;
        match source.folder {
            false => expected.extend(listed.into_iter().flatten()),
            true => part_expected = listed,
        }
    }
    let predictions = match &settings.predictions {
        Some(p) => Some(Source::open(Role::Predictions, p, settings.read_timeout)?),
        None => None,
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // SHA-256 is one stream, about 1.3 GB/s on a core with SHA extensions,
    // while one core counts a file's pairs at about twice that (it reads
    // only the columns it needs): alone, a single file's hash gets a core
    // of its own and bounds the run. A folder's parts are hashed on every
    // core, and a join's probing is slower than the hashes of both files:
    // both count on every core too.
    let counting = match (&predictions, source.folder) {
        (None, false) => workers.saturating_sub(1).max(1),
        _ => workers,
    };
    let hashing = |source: &Source| if source.folder { workers } else { 1 };
    let (hashed, predictions_hashed, scanned) = std::thread::scope(|s| {
        let hasher = s.spawn(|| source.hash(hashing(&source)));
        let predictions_hasher = predictions.as_ref().map(|p| s.spawn(move || p.hash(hashing(p))));
        // The chosen errors are read back while the hash is still running;
        // a mismatch below discards them with everything else read.
        let read_back = |(dataset, mut fold): (Dataset, Fold)| {
            let review = scan::read_back(settings, &dataset, &mut fold, None, counting)?;
            Ok((dataset, fold, None, review, None))
        };
        let scanned = match (&settings.clusters, &predictions) {
            (Some(c), _) => clusters::scan(settings, c, &source).map(|scanned| {
                let (dataset, tally, result) = scanned;
                (dataset, Fold { tally, ..Fold::default() }, None, None, Some(result))
            }),
            (None, None) => scan(settings, &source, counting).and_then(read_back),
            (None, Some(p)) => join::scan(settings, &source, p, counting).and_then(|mut j| {
                let (dataset, fold) = (&j.dataset, &mut j.fold);
                let review = scan::read_back(settings, dataset, fold, Some(&j.decided), counting)?;
                Ok((j.dataset, j.fold, Some(j.facts), review, None))
            }),
        };
        let predictions_hashed =
            predictions_hasher.map(|h| h.join().expect("the hashing thread panicked"));
        (hasher.join().expect("the hashing thread panicked"), predictions_hashed, scanned)
    });
    let hashed = hashed?;
    let sha256 = hashed.sha256;
    log::debug!("sha256 {sha256} over {} bytes in {:?}", source.size(), start.elapsed());
    let mismatch =
        |path: &std::path::Path, e: &Expected, actual: Sha256| EvaluateError::HashMismatch {
            path: path.to_path_buf(),
            against: e.against.clone(),
            expected: e.sha256.to_string(),
            actual: actual.to_string(),
        };
    if let Some(e) = expected.iter().find(|e| e.sha256 != sha256) {
        return Err(mismatch(path, e, sha256));
    }
    for ((part, e), actual) in source.parts.iter().zip(&part_expected).zip(&hashed.parts) {
        if let Some(e) = e.as_ref().filter(|e| e.sha256 != *actual) {
            return Err(mismatch(&part.path, e, *actual));
        }
    }
    if let Some(list) = settings.checksums.as_ref().filter(|_| source.folder)
        && part_expected.iter().all(Option::is_some)
    {
        let against = format!("each part's line of `{}`", crate::untrusted::path(list));
        expected.push(Expected { sha256, against });
    }
    let (dataset, Fold { mut tally, histogram, weighted, slices, .. }, joined, review, clusters) =
        scanned?;
    let predictions = match (predictions, predictions_hashed, joined) {
        (Some(p), Some(hashed), Some(facts)) => {
            let hashed = hashed?;
            Some(facts.finish(settings, &p.path, p.size(), hashed.sha256, &mut tally)?)
        }
        _ => None,
    };
    Ok(Read {
        dataset: Provenance {
            path: path.display().to_string(),
            sha256,
            verified: !expected.is_empty(),
            verified_against: expected.into_iter().map(|e| e.against).collect(),
            size_bytes: source.size(),
            rows: dataset.rows(),
            row_groups: dataset.row_groups(),
            checksums: settings.checksums.as_ref().map(|p| p.display().to_string()),
            parts: Parts::of(&source, &dataset, &hashed),
            engine: None,
        },
        tally,
        histogram,
        weighted: weighted.map(|b| b.total()),
        slices: slices.map(Slices::finish).unwrap_or_default(),
        review,
        clusters,
        predictions,
    })
}
