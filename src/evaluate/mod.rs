//! One evaluation: verify, hash, read, count, decide.
//!
//! [`evaluate`] verifies the checksums file, loads the baseline, hashes and
//! reads the validation set at the same time on separate cores, and applies
//! the gate, giving an [`Evaluation`]. It owns its configuration,
//! [`Settings`], which `inputs` fills; it never prints, reads the environment
//! or writes a file. This file only orchestrates: the settings, the result
//! and each stage live in files of their own.

mod blocking;
mod closure;
mod clusters;
mod correlate;
mod earlier;
mod engine;
mod error;
mod evaluation;
mod fold;
mod join;
mod parts;
mod predictions;
mod read;
mod repeats;
mod review;
mod scan;
mod settings;
mod stratify;
mod truth;
mod truth_file;

use std::time::Instant;

use crate::baseline::{self, Baseline};
use crate::causes;
use crate::dataset::NullPolicy;
use crate::gate::{self, Prior, Status, Verdict};
use crate::metrics::{Counts, Metric, Tally};
use crate::slices::{self, SliceStatus};
use crate::stats::{Deflated, Evidence};
use crate::sweep::{self, Analysis, Histogram, Point};

pub use blocking::{Blocking, EndToEnd, RecallScope, TruthSettings};
pub use closure::Closure;
pub use error::{EvaluateError, Missing, MissingCount};
pub use evaluation::{Engine, Evaluation, LatestSearch, Provenance, SliceDesigns, counted};
pub use parts::Parts;
pub use predictions::PredictionsFile;
use read::Read;
pub use review::Review;
pub use settings::{BaselineSource, ClusterBy, SettingOrigin, Settings};
pub use truth_file::TruthReport;

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
    let (baseline, latest) = previous(settings.baseline.as_ref())?;
    let read = match &settings.counts {
        Some(counts) => engine::read(settings, counts)?,
        None => read::read(settings)?,
    };
    check_read(settings, &read)?;
    let Decided { verdict, slice_checks, curve, sweep } =
        decide(settings, &read, baseline.as_ref());
    let Read {
        dataset,
        tally,
        histogram: _,
        weighted,
        designs,
        stratified,
        paired,
        slices,
        slice_designs,
        review,
        clusters,
        predictions,
        baseline_predictions,
        blocking,
    } = read;
    Ok(Evaluation {
        dataset,
        settings: settings.clone(),
        predictions,
        baseline_predictions,
        weighted,
        designs,
        stratified,
        paired,
        slices,
        slice_designs,
        slice_checks,
        review,
        clusters,
        blocking,
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

/// The metrics pass alone, hash excluded: reads and counts the validation
/// set and reads the chosen errors back, as [`evaluate`] does beside the
/// hash. The binary's wall time is bounded by the hash on large files, so
/// the library's benchmark (`bench/metrics.rs`) times this.
pub fn metrics_pass(settings: &Settings) -> Result<(Tally, Option<Review>), EvaluateError> {
    let (fold, review) = scan::count(settings)?;
    Ok((fold.tally, review))
}

/// What the rules made of what was read.
struct Decided {
    verdict: Verdict,
    slice_checks: Vec<slices::SliceCheck>,
    curve: Vec<Point>,
    sweep: Option<Analysis>,
}

/// Applies the gate to what was read: the thresholds and the baseline's
/// drops to the evidence, the slice rules to the slices, and every rule at
/// each of the sweep's candidate thresholds.
///
/// With both models' decisions on these pairs, the drop rules compare with
/// the previous model on them (with `confidence`, on the paired interval of
/// the change), whatever a baseline report says.
fn decide(settings: &Settings, read: &Read, baseline: Option<&Baseline>) -> Decided {
    let paired = read.paired.as_ref();
    let prior = |m: Metric| match paired {
        Some(p) => Prior {
            value: p.metrics.get(m).map(|c| c.previous),
            interval: None,
            change: settings.confidence.and(p.interval(m)),
        },
        None => Prior {
            value: baseline.and_then(|b| b.get(m)),
            interval: settings.confidence.and_then(|l| baseline.and_then(|b| b.interval(m, l))),
            change: None,
        },
    };
    let compared = paired.is_some() || baseline.is_some();
    let previous = compared.then_some(&prior as &dyn Fn(Metric) -> Prior);
    let decide = |evidence: &dyn Evidence| {
        let (t, d) = (&settings.thresholds, &settings.max_drop);
        gate::decide(evidence, t, d, previous, settings.confidence)
    };
    // At other thresholds the paired change is unknown: the previous
    // value alone.
    let point = |m: Metric| Prior { change: None, ..prior(m) };
    let point = compared.then_some(&point as &dyn Fn(Metric) -> Prior);
    let counts = &read.tally.counts;
    let base = evaluation::evidence(read.clusters.as_ref(), read.weighted.as_ref(), counts);
    let worth = evaluation::worth(read.designs.as_ref(), read.stratified.as_ref());
    let degrees = evaluation::degrees(read.designs.as_ref());
    let blocking = read.blocking.as_ref();
    let judged = evaluation::deflated(base, &worth, degrees);
    let mut verdict = decide(evaluation::scoped(judged, blocking, counts.tp).as_ref());
    if blocking.is_some_and(|b| b.blocking_passed == Some(false)) {
        verdict.outcome = gate::Outcome::Failed;
    }
    // The sweep's counts at other thresholds are worth the same share.
    let shrink = evaluation::shrink(base, &worth);
    let rules = &settings.slices.rules;
    let slice_checks = slices::judge(&read.slices, counts, rules, settings.slices.min_support);
    if slice_checks.iter().any(|c| c.status == SliceStatus::Fail) {
        verdict.outcome = gate::Outcome::Failed;
    }
    let curve = read.histogram.as_ref().map(Histogram::points).unwrap_or_default();
    let sweep = analyse(read.histogram.as_ref(), &curve, |counts: &Counts| {
        let (t, d) = (&settings.thresholds, &settings.max_drop);
        let evidence = Deflated { base: counts, shrink, degrees };
        let evidence = evaluation::scoped(evidence, blocking, counts.tp);
        gate::decide(evidence.as_ref(), t, d, point, settings.confidence)
    });
    Decided { verdict, slice_checks, curve, sweep }
}

/// Stops an evaluation that read nothing to judge: a missing value under
/// `null_policy: fail`, no row, or (in pair mode) no true match.
fn check_read(settings: &Settings, read: &Read) -> Result<(), EvaluateError> {
    let (tally, path) = (&read.tally, &settings.validation_set);
    check_missing(settings, tally)?;
    let counts = tally.counts;
    if counts.rows() == 0 && read.clusters.is_none() {
        return Err(EvaluateError::NoRows { path: path.clone(), skipped: tally.skipped.rows });
    }
    // In cluster mode no true pair is no input error: pairwise recall is
    // then undefined, and the other families still say something.
    if counts.positives() == 0 && read.clusters.is_none() {
        return Err(EvaluateError::NoTrueMatches {
            path: path.clone(),
            column: settings.label_column.clone(),
            rows: counts.rows(),
        });
    }
    Ok(())
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
            let skipped = found.skipped.iter().map(|e| causes::one_line(e)).collect();
            Ok((found.chosen, Some(LatestSearch { folders: found.folders, skipped })))
        }
    }
}

/// What the sweep says: at each candidate threshold, a metric holds when
/// every one of its rules passes there, as `decide` judges; refined over
/// every distinct score when the histogram kept them; `None` without a
/// curve.
fn analyse(
    histogram: Option<&Histogram>,
    curve: &[Point],
    decide: impl Fn(&Counts) -> Verdict,
) -> Option<Analysis> {
    (!curve.is_empty()).then(|| {
        let holds = |metric: Metric, counts: &Counts| {
            let verdict = decide(counts);
            let mut checks = verdict.checks.iter().filter(|c| c.metric() == metric);
            checks.all(|c| c.status == Status::Pass)
        };
        let mut analysis = sweep::analyse(curve, holds);
        if let Some(histogram) = histogram {
            let passes =
                |counts: &Counts| decide(counts).checks.iter().all(|c| c.status == Status::Pass);
            sweep::refine(histogram, &mut analysis, passes);
        }
        analysis
    })
}

/// Under `null_policy: fail`, any missing value stops the evaluation.
fn check_missing(settings: &Settings, tally: &Tally) -> Result<(), EvaluateError> {
    let skipped = &tally.skipped;
    if settings.null_policy == NullPolicy::Skip || skipped.rows == 0 {
        return Ok(());
    }
    let decision = settings.decision.column();
    let previous = settings.previous.as_ref().map_or("", |p| p.column());
    let counts = [
        (settings.label_column.as_str(), Missing::Null, skipped.label_null),
        (decision, Missing::Null, skipped.decision_null),
        (decision, Missing::NaN, skipped.score_nan),
        (settings.weight_column.as_deref().unwrap_or_default(), Missing::Null, skipped.weight_null),
        (previous, Missing::NullOrNaN, skipped.previous_missing),
    ]
    .into_iter()
    .filter(|(_, _, rows)| *rows > 0)
    .map(|(column, kind, rows)| MissingCount { column: column.to_string(), kind, rows })
    .collect();
    Err(EvaluateError::MissingValues { path: settings.validation_set.clone(), counts })
}
