//! What an evaluation found: [`Evaluation`], and what is known of the
//! evaluated data ([`Provenance`]).

use std::path::PathBuf;
use std::time::Duration;

use super::clusters::ClusterResult;
use super::parts::Parts;
use super::predictions::PredictionsFile;
use super::review::Review;
use super::settings::Settings;
use crate::baseline::Baseline;
use crate::correlation::Designs;
use crate::dataset::Sha256;
use crate::gate::Verdict;
use crate::metrics::{Counts, PerMetric, Tally};
use crate::paired::Comparison;
use crate::slices::{SliceCheck, SliceColumn, Value};
use crate::stats::{Deflated, Evidence};
use crate::strata::Stratified;
use crate::sweep::{Analysis, Point};
use crate::weighted::Weighted;

/// What `baseline: latest` found, for the run's notices.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestSearch {
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
    /// The previous model's predictions file, with `baseline_predictions`.
    pub baseline_predictions: Option<PredictionsFile>,
    /// The weighted sums, with `weight_column`: the verdict's evidence.
    pub weighted: Option<Weighted>,
    /// What the correlated pairs are worth, with `cluster_by`: the
    /// intervals count them so.
    pub designs: Option<Designs>,
    /// The stratified estimate, with `strata_column`: `weighted` then
    /// holds its weighted sums.
    pub stratified: Option<Stratified>,
    /// The model against the previous one on these pairs, with a baseline
    /// score or prediction column: the drop rules judge its changes.
    pub paired: Option<Comparison>,
    /// Each slice column's slices and their counts, with `slice_columns`.
    pub slices: Vec<SliceColumn>,
    /// With `cluster_by`, each slice column's (in `slices`' order) designs
    /// by value: the slices' intervals count their pairs so. Empty
    /// otherwise.
    pub slice_designs: Vec<SliceDesigns>,
    /// The slice rules judged; a failed one fails the verdict.
    pub slice_checks: Vec<SliceCheck>,
    /// The misclassified pairs to review, with `errors_file`.
    pub review: Option<Review>,
    /// The clusters, in cluster mode: the tally then counts pairs of records.
    pub clusters: Option<ClusterResult>,
    /// Recall through blocking, with `truth` in pair mode.
    pub blocking: Option<super::Blocking>,
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
    pub fn evidence(&self) -> Box<dyn Evidence + '_> {
        let base = evidence(self.clusters.as_ref(), self.weighted.as_ref(), &self.tally.counts);
        let worth = worth(self.designs.as_ref(), self.stratified.as_ref());
        let deflated = deflated(base, &worth, degrees(self.designs.as_ref()));
        scoped(deflated, self.blocking.as_ref(), self.tally.counts.tp)
    }
}

/// What each value's correlated pairs are worth in one slice column.
pub type SliceDesigns = std::collections::HashMap<Value, Designs>;

/// What a verdict is decided on: in cluster mode the family
/// `cluster_metric` names (estimated for the population with
/// `truth_sampling`), with weights the weighted sums, else the counts.
pub(super) fn evidence<'a>(
    clusters: Option<&'a ClusterResult>,
    weighted: Option<&'a Weighted>,
    counts: &'a Counts,
) -> &'a dyn Evidence {
    match (clusters, weighted) {
        (Some(c), _) => match &c.estimates {
            Some(e) => e.get(c.family),
            None => c.clusters.families.get(c.family),
        },
        (None, Some(w)) => w,
        (None, None) => counts,
    }
}

/// The evidence with its recall end to end under `recall_scope:
/// end_to_end` (the true positives `tp` over the truth's true pairs), as
/// it is otherwise.
pub(super) fn scoped<'a>(
    evidence: Deflated<'a>,
    blocking: Option<&super::Blocking>,
    tp: u64,
) -> Box<dyn Evidence + 'a> {
    match blocking.filter(|b| b.recall_scope == super::RecallScope::EndToEnd) {
        Some(b) => {
            let recall = crate::metrics::Metric::Recall;
            let (shrink, degrees) = (evidence.shrink.get(recall), evidence.degrees.get(recall));
            Box::new(super::EndToEnd {
                base: evidence,
                tp,
                true_pairs: b.true_pairs,
                shrink,
                degrees,
            })
        }
        None => Box::new(evidence),
    }
}

/// Counts (a slice's) as their correlated pairs are worth by `designs`;
/// as they are without.
pub fn counted<'a>(counts: &'a Counts, designs: Option<&Designs>) -> Deflated<'a> {
    deflated(counts, &worth(designs, None), degrees(designs))
}

/// Each metric's effective pairs where the pairs are worth other than
/// their count: by `cluster_by`'s design, or by the strata's variance.
pub(super) fn worth(
    designs: Option<&Designs>,
    stratified: Option<&Stratified>,
) -> PerMetric<Option<f64>> {
    PerMetric::from_fn(|m| match (designs, stratified) {
        (Some(d), _) => d.metrics.get(m).map(|d| d.effective_pairs),
        (None, Some(s)) => s.metrics.get(m).map(|e| e.effective_pairs),
        (None, None) => None,
    })
}

/// Each metric's degrees of freedom under `cluster_by`: its clusters (or
/// records) less one. The interval's critical value is then Student's t,
/// which the simulation in docs/metrics.md found closer to its level than
/// the normal's with few clusters (and equal with many).
pub(super) fn degrees(designs: Option<&Designs>) -> PerMetric<Option<f64>> {
    PerMetric::from_fn(|m| designs?.metrics.get(m).map(|d| d.clusters.saturating_sub(1) as f64))
}

/// The evidence as its pairs are worth ([`worth`]), with `degrees` of
/// freedom ([`degrees`]); otherwise as it is (no metric has a shrink).
pub(super) fn deflated<'a>(
    base: &'a dyn Evidence,
    worth: &PerMetric<Option<f64>>,
    degrees: PerMetric<Option<f64>>,
) -> Deflated<'a> {
    Deflated { base, shrink: shrink(base, worth), degrees }
}

/// Each metric's effective pairs over the trials `base` counts: the same
/// share of any counts' trials (the sweep's) is what they are worth. A
/// design's effective pairs are at most the trials; a stratified estimate's
/// may be more than Kish's size of its weighted pairs (the strata and the
/// finite population correction remove variance that weighting alone adds).
pub(super) fn shrink(
    base: &dyn Evidence,
    worth: &PerMetric<Option<f64>>,
) -> PerMetric<Option<f64>> {
    PerMetric::from_fn(|m| {
        let effective = worth.get(m)?;
        let (_, n) = base.proportion(m)?;
        Some(effective / n)
    })
}
