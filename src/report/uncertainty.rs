//! What the report says beyond the point values: each metric's confidence
//! interval, how much more labelled data would decide an inconclusive
//! metric, and the threshold sweep (its curve and what it recommends).

use super::format;
use crate::correlation::{Designs, FEW_CLUSTERS};
use crate::evaluate::Evaluation;
use crate::gate::{Rule, Status};
use crate::metrics::{Counts, Metric, PerMetric};
use crate::stats::{self, Decides, Interval};
use crate::sweep::{self, Analysis, Point, Range};

/// Points of the curve kept in the JSON report.
pub const CURVE_POINTS: usize = 200;

/// The intervals and how they were computed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Intervals {
    /// `wilson` (F1: Wilson of TP in TP+FP+FN, mapped through 2J/(1+J));
    /// `wilson_kish` over Kish's effective size with weights; `_cluster`
    /// added when the trials are the effective pairs of `cluster_by` (the
    /// critical value then Student's t on the clusters less one);
    /// `wilson_stratified` over the effective pairs of the strata's
    /// variance.
    pub method: &'static str,
    /// The two-sided level.
    pub level: f64,
    /// With `cluster_by`: the columns and what each metric's correlated
    /// pairs are worth; `null` when pairs are independent trials.
    pub cluster_by: Option<Designs>,
    /// Each metric's interval; `null` when the metric is undefined.
    #[serde(flatten)]
    pub metrics: PerMetric<Option<Interval>>,
}

/// How much more data would decide an inconclusive metric, with
/// [`stats::POWER`] (80%) chance if the metric stays at its point value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Needed {
    pub metric: Metric,
    /// What its denominator counts: `predicted matches`, `true matches`, or
    /// `true or predicted matches` (TP+FP+FN, for F1).
    pub denominator: &'static str,
    /// Its denominator today.
    pub trials: u64,
    /// `pass` when the point value is above the minimum (more data would
    /// put the whole interval at or above it), `fail` when below (wholly
    /// below it).
    pub decides: Decides,
    /// The chance that the sizes below decide it: 0.8.
    pub power: f64,
    /// The denominator that would decide it; with `cluster_by`, counted at
    /// the design effect observed.
    pub trials_needed: u64,
    /// `trials_needed - trials`.
    pub more: u64,
    /// The labelled pairs evaluated today.
    pub labelled_pairs: u64,
    /// How many more labelled pairs like these (the same share of them in
    /// the metric's denominator) would decide it.
    pub labelled_pairs_more: u64,
    /// With `cluster_by`: the design effect the sizes are counted at (the
    /// one observed), each pair worth 1/design effect.
    pub design_effect: Option<f64>,
    /// With `cluster_by`: the clusters (or records) those pairs come in.
    pub clusters: Option<MoreClusters>,
}

/// Clusters now and more, at the pairs per cluster observed.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MoreClusters {
    /// `cluster` (one `cluster_by` column) or `record` (two).
    pub unit: &'static str,
    /// The metric's clusters today.
    pub now: u64,
    /// How many more would decide it.
    pub more: u64,
}

/// One point of the curve, as the JSON report lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CurvePoint {
    /// The decision threshold.
    pub threshold: f64,
    /// The confusion matrix a run with it gives.
    #[serde(flatten)]
    pub counts: Counts,
    /// Its metrics; `null` where undefined.
    #[serde(flatten)]
    pub metrics: PerMetric<Option<f64>>,
}

impl From<&Point> for CurvePoint {
    fn from(p: &Point) -> CurvePoint {
        CurvePoint {
            threshold: p.threshold,
            counts: p.counts,
            metrics: PerMetric::from_fn(|m| m.of(&p.counts)),
        }
    }
}

/// The threshold sweep in the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepReport {
    /// Candidate thresholds are 0.001 apart on [-1, 1], four significant
    /// digits beyond; every count is exact. The highest F1 and the
    /// recommended threshold are exact over every distinct score too when
    /// the validation set has at most 8,388,608 rows.
    pub resolution: &'static str,
    /// Whether the highest F1 and the recommended threshold are exact over
    /// every distinct score.
    pub exact: bool,
    /// At most [`CURVE_POINTS`] points, evenly spread, ascending.
    pub curve: Vec<CurvePoint>,
    /// The highest F1 and where.
    pub max_f1: Option<CurvePoint>,
    /// Where every rule holds.
    pub passing_range: Option<Range>,
    /// The passing threshold with the highest F1.
    pub recommended: Option<CurvePoint>,
    /// Where recall's rules hold, the highest precision.
    pub best_precision_keeping_recall: Option<CurvePoint>,
    /// Where precision's rules hold, the highest recall.
    pub best_recall_keeping_precision: Option<CurvePoint>,
}

/// Which pairs are correlated, and what each metric's pairs are worth, in
/// prose: `precision: 12000 pairs, worth 2900 independent ones (design
/// effect 4.1)`.
pub fn designs_note(designs: &Designs) -> String {
    let grouped = match designs.columns.as_slice() {
        [one] => format!("pairs with one value of {} are correlated", format::code(one)),
        columns => format!(
            "pairs that share a record ({}) are correlated",
            columns.iter().map(|c| format::code(c)).collect::<Vec<_>>().join(" or ")
        ),
    };
    let unit = if designs.columns.len() == 2 { "record" } else { "cluster" };
    let mut fewest = u64::MAX;
    let metrics: Vec<String> = Metric::ALL
        .into_iter()
        .filter_map(|m| Some((m, designs.metrics.get(m)?)))
        .map(|(m, d)| {
            fewest = fewest.min(d.clusters);
            let pairs = (d.design_effect * d.effective_pairs).round() as u64;
            format!(
                "{}: {}, worth {:.0} independent ones (design effect {:.2}, {})",
                m.title(),
                format::count(pairs, "pair"),
                d.effective_pairs,
                d.design_effect,
                format::count(d.clusters, unit)
            )
        })
        .collect();
    let few = if fewest < FEW_CLUSTERS {
        format!(
            " Only {}: the simulation in docs/metrics.md showed these intervals holding their level from {FEW_CLUSTERS} on, so with fewer they may still be too narrow.",
            format::count(fewest, unit)
        )
    } else {
        String::new()
    };
    format!("By `cluster_by`, {grouped}. {}.{few}", metrics.join("; "))
}

/// The intervals of an evaluation, when `confidence` was set.
pub fn intervals(e: &Evaluation) -> Option<Intervals> {
    let level = e.settings.confidence?;
    let metrics = stats::intervals(e.evidence().as_ref(), level);
    let method = match (e.weighted.is_some(), e.designs.is_some()) {
        _ if e.stratified.is_some() => "wilson_stratified",
        (false, false) => "wilson",
        (true, false) => "wilson_kish",
        (false, true) => "wilson_cluster",
        (true, true) => "wilson_kish_cluster",
    };
    Some(Intervals { method, level, cluster_by: e.designs.clone(), metrics })
}

/// For each inconclusive metric of an evaluation, the data that would
/// decide it; none for weighted (or stratified) pairs: trials to decide a weighted metric
/// would be effective trials, which more sampling adds at a rate the gate
/// cannot know.
pub fn inconclusive(e: &Evaluation) -> Vec<Needed> {
    match (e.weighted.as_ref(), e.settings.confidence) {
        (None, Some(level)) => {
            let inconclusive = e.verdict.checks.iter().filter(|c| c.status == Status::Inconclusive);
            inconclusive
                .filter_map(|c| match c.rule {
                    Rule::AtLeast { metric, threshold } => Some((metric, threshold)),
                    Rule::MaxDrop { .. } => None,
                })
                .filter_map(|(metric, minimum)| {
                    needed(metric, minimum, &e.tally.counts, level, e.designs.as_ref())
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What would decide one metric against its minimum; `None` when nothing
/// would (its point value is the minimum).
fn needed(
    metric: Metric,
    minimum: f64,
    counts: &Counts,
    level: f64,
    designs: Option<&Designs>,
) -> Option<Needed> {
    let design = designs.and_then(|d| Some((d.columns.len(), d.metrics.get(metric)?)));
    // The interval's critical value: t on the clusters less one.
    let degrees = design.map(|(_, d)| d.clusters.saturating_sub(1) as f64);
    let decision = stats::metric_trials_to_decide(metric, counts, minimum, level, degrees)?;
    let denominator = match metric {
        Metric::Precision => "predicted matches",
        Metric::Recall => "true matches",
        Metric::F1 => "true or predicted matches",
    };
    let trials = metric.trials(counts);
    // Independent trials needed, as that many correlated pairs are worth at
    // the design effect observed.
    let scale = design.map_or(1.0, |(_, d)| d.design_effect);
    let trials_needed = (decision.trials as f64 * scale).ceil() as u64;
    // Pairs and clusters grow with the denominator, in today's shares.
    let grown = |now: u64| (now as f64 * trials_needed as f64 / trials as f64).ceil() as u64;
    let labelled_pairs = counts.rows();
    Some(Needed {
        metric,
        denominator,
        trials,
        decides: decision.decides,
        power: stats::POWER,
        trials_needed,
        more: trials_needed.saturating_sub(trials),
        labelled_pairs,
        labelled_pairs_more: grown(labelled_pairs).saturating_sub(labelled_pairs),
        design_effect: design.map(|(_, d)| d.design_effect),
        clusters: design.map(|(columns, d)| MoreClusters {
            unit: if columns == 2 { "record" } else { "cluster" },
            now: d.clusters,
            more: grown(d.clusters).saturating_sub(d.clusters),
        }),
    })
}

/// The sweep of an evaluation, when its decision is a score.
pub fn sweep(e: &Evaluation) -> Option<SweepReport> {
    let Analysis {
        max_f1,
        passing,
        recommended,
        best_precision_keeping_recall,
        best_recall_keeping_precision,
        exact,
    } = e.sweep.as_ref()?;
    let point = |p: &Option<Point>| p.as_ref().map(CurvePoint::from);
    Some(SweepReport {
        resolution: "0.001 on [-1, 1], four significant digits beyond",
        exact: *exact,
        curve: sweep::thin(&e.curve, CURVE_POINTS).iter().map(CurvePoint::from).collect(),
        max_f1: point(max_f1),
        passing_range: *passing,
        recommended: point(recommended),
        best_precision_keeping_recall: point(best_precision_keeping_recall),
        best_recall_keeping_precision: point(best_recall_keeping_precision),
    })
}

/// The strata and what each metric's estimate is worth, in prose.
pub fn strata_note(s: &crate::strata::Stratified) -> String {
    let (labelled, population) = s.labelled_of();
    let metrics: Vec<String> = Metric::ALL
        .into_iter()
        .filter_map(|m| Some((m, s.metrics.get(m)?)))
        .map(|(m, e)| format!("{} worth {:.0} independent pairs", m.name(), e.effective_pairs))
        .collect();
    format!(
        "Stratified by {} ({} strata, {labelled} of {population} candidate pairs labelled): each metric is Cochran's combined ratio estimate of the population's, each pair weighted by its stratum's candidate pairs over its labelled ones; by the stratified variance, {}. The confusion matrix counts the labelled pairs.",
        format::code(&s.column),
        s.strata.len(),
        metrics.join(", ")
    )
}
