//! The model card: one [`Card`], written as Markdown (handlebars) and JSON.
//!
//! The JSON card is the card's data itself, and the same data is the context
//! of the Markdown template, the built-in one or a user's: what a template
//! can show, a tool can read without parsing Markdown. Values the program
//! cannot know are `null` in JSON and "not provided" in Markdown (the
//! `provided` helper). Limitations are derived from the data where the data
//! shows them, then the user's own are added.

use std::path::PathBuf;

use serde::Serialize;

use crate::metrics::Metric;
use crate::report::Tool;
use crate::stats::Interval;

mod build;

/// The version of the JSON card's schema.
pub const CARD_SCHEMA_VERSION: u32 = 1;

/// Model card inputs: where to write it and what the program cannot know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardInputs {
    /// The Markdown card's path, a handlebars template.
    pub path: Option<String>,
    /// A user's template.
    pub template: Option<PathBuf>,
    /// The JSON card's path, a handlebars template too.
    pub json: Option<String>,
    /// The model id.
    pub model_id: Option<String>,
    /// The model's version (free text, e.g. a registry version).
    pub model_version: Option<String>,
    /// The dataset version, YYYYMMDD.
    pub dataset_date: Option<String>,
    /// The framework.
    pub framework: Option<String>,
    /// The architecture.
    pub architecture: Option<String>,
    /// The validation set's source.
    pub dataset_source: Option<String>,
    /// How the labelled pairs were sampled.
    pub sampling_method: Option<String>,
    /// How reliable the labels are.
    pub label_quality: Option<String>,
    /// What changed in training, one item each.
    pub training_changes: Vec<String>,
    /// What changed in the data, one item each.
    pub data_changes: Vec<String>,
    /// The training run's duration, in seconds.
    pub training_duration_seconds: Option<f64>,
    /// The model's inference latency, in seconds.
    pub inference_latency_seconds: Option<f64>,
    /// The training run's Actions run id.
    pub training_run_id: Option<String>,
    /// Known limitations, one per line.
    pub limitations: Vec<String>,
    /// Ethical considerations, one per line.
    pub ethical_considerations: Vec<String>,
    /// Planned deployment date.
    pub deployment_date: Option<String>,
    /// Rollback plan.
    pub rollback_plan: Option<String>,
}

impl CardInputs {
    /// The dataset date (default: the day of `now`, `YYYYMMDD`) and the
    /// model id (default: `er_<dataset date>`).
    pub fn names(&self, now: chrono::DateTime<chrono::Utc>) -> (String, String) {
        let date = self.dataset_date.clone().unwrap_or_else(|| now.format("%Y%m%d").to_string());
        let id = self.model_id.clone().unwrap_or_else(|| format!("er_{date}"));
        (date, id)
    }
}

/// Everything the model card says.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// [`CARD_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// Model details.
    pub model: ModelDetails,
    /// The gate's verdict.
    pub verdict: CardVerdict,
    /// How predictions were made, in prose.
    pub decision: String,
    /// One entry per threshold rule.
    pub metrics: Vec<CardMetric>,
    /// One entry per rule against the previous model.
    pub drop_rules: Vec<CardMetric>,
    /// Precision and recall by decision threshold, a Mermaid chart.
    pub chart: Option<String>,
    /// What the chart's colours are.
    pub chart_legend: String,
    /// The confusion matrix.
    pub counts: crate::metrics::Counts,
    /// The validation set.
    pub dataset: CardDataset,
    /// Known limitations: derived ones first, then the user's.
    pub limitations: Vec<String>,
    /// How many of `limitations`, from the first, were derived from the data.
    pub derived_limitations: usize,
    /// The slice tables, with `slice_columns` (the JSON report has the numbers).
    pub slices: Vec<super::slices::SliceTable>,
    /// `pairs`, or `clusters` (`mode`).
    pub mode: &'static str,
    /// Every family of cluster metrics and the counts, in cluster mode.
    pub clusters: Option<super::clusters::ClustersView>,
    /// Recall through blocking, with `truth` in pair mode.
    pub blocking: Option<super::blocking::BlockingView>,
    /// The change from the previous model, when a baseline was given.
    pub changes: Option<CardChanges>,
    /// The change from the previous model on the same pairs, in prose,
    /// with a baseline score or prediction column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_changes: Option<String>,
    /// What changed in training since the previous model, as given.
    pub training_changes: Vec<String>,
    /// What changed in the data since the previous model, as given.
    pub data_changes: Vec<String>,
    /// Ethical considerations, as given.
    pub ethical_considerations: Vec<String>,
    /// Deployment status and plan.
    pub deployment: CardDeployment,
    /// Links and hashes.
    pub provenance: CardProvenance,
}

/// Model details.
#[derive(Debug, Clone, Serialize)]
pub struct ModelDetails {
    /// The model id.
    pub id: String,
    /// The dataset version, YYYYMMDD.
    pub dataset_date: String,
    /// When the evaluation ran, UTC, RFC 3339.
    pub evaluated_at: String,
    /// The framework, if given.
    pub framework: Option<String>,
    /// The architecture, if given.
    pub architecture: Option<String>,
    /// The model's version, if given.
    pub version: Option<String>,
    /// The commit, ref and attempt of the gate run, under Actions.
    pub run: crate::report::Run,
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub struct CardVerdict {
    /// Whether the gate passed.
    pub passed: bool,
    /// ✅ or ❌.
    pub icon: &'static str,
    /// In prose.
    pub text: String,
}

/// One rule of the gate.
#[derive(Debug, Clone, Serialize)]
pub struct CardMetric {
    pub metric: Metric,
    /// Row title.
    pub title: String,
    /// The value; `None` when undefined.
    pub value: Option<f64>,
    /// The value as a percentage with one decimal.
    pub value_percent: String,
    /// The confidence interval, when `confidence` is set.
    pub interval: Option<Interval>,
    /// The interval in prose: `94.0–95.9%, 95% CI` (`, design effect
    /// 4.14` with `cluster_by`).
    pub interval_text: Option<String>,
    /// What the metric's correlated pairs are worth, with `cluster_by`.
    pub design: Option<crate::correlation::Design>,
    /// The lowest passing value; `None` when it cannot be known.
    pub threshold: Option<f64>,
    /// The threshold as a percentage with one decimal.
    pub threshold_percent: String,
    /// The bound in prose.
    pub bound: String,
    /// Whether the rule holds.
    pub passed: bool,
    /// ✅ or ❌.
    pub icon: &'static str,
}

/// The validation set.
#[derive(Debug, Clone, Serialize)]
pub struct CardDataset {
    /// Where it comes from, if given.
    pub source: Option<String>,
    /// How its pairs were sampled, if given.
    pub sampling_method: Option<String>,
    /// How reliable its labels are, if given.
    pub label_quality: Option<String>,
    pub path: String,
    /// Its size in prose.
    pub size: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// A folder's parts and manifest; `None` for a single file.
    pub parts: Option<super::parts::CardParts>,
    /// With counts an engine made: the dataset version, in prose.
    pub engine: Option<String>,
    /// Its SHA-256.
    pub sha256: String,
    /// Whether the hash was checked against an expected one.
    pub verified: bool,
    /// How the hash was checked, in prose.
    pub verification: String,
    /// Rows in the file.
    pub rows_in_file: u64,
    pub rows_evaluated: u64,
    /// Rows left out, with reasons, in prose.
    pub skipped: String,
    /// Rows left out.
    pub rows_skipped: u64,
    /// True matches among the rows evaluated.
    pub true_matches: u64,
    /// True matches / rows evaluated.
    pub prevalence: f64,
    /// The prevalence as a percentage with one decimal.
    pub prevalence_percent: String,
    /// The model's predictions, when they came in a file of their own.
    pub predictions: Option<CardPredictions>,
    /// How pairs were weighted, in prose, with `weight_column`.
    pub weights: Option<String>,
}

/// A predictions file joined to the labelled pairs.
#[derive(Debug, Clone, Serialize)]
pub struct CardPredictions {
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in prose.
    pub size: String,
    /// The key columns, as code, comma-separated.
    pub keys: String,
    /// Rows in the file.
    pub rows: u64,
    /// Predictions of pairs nobody labelled, left out.
    pub unlabelled: u64,
}

/// The change from the previous model.
#[derive(Debug, Clone, Serialize)]
pub struct CardChanges {
    /// The previous model, in prose.
    pub previous_model: String,
    /// The previous model's id, when known.
    pub previous_model_id: Option<String>,
    /// Whether both were evaluated on the same dataset.
    pub same_dataset: bool,
    /// The comparison's caveat, in prose.
    pub dataset_note: String,
    /// One row per metric.
    pub rows: Vec<CardChange>,
}

/// One metric, before and now.
#[derive(Debug, Clone, Serialize)]
pub struct CardChange {
    pub metric: Metric,
    /// Row title.
    pub title: &'static str,
    /// The previous value as a percentage.
    pub previous_percent: String,
    /// This model's value as a percentage.
    pub current_percent: String,
    /// The change in percentage points (`+4.6`), or `undefined`.
    pub points: String,
    /// The change, absolute.
    pub delta: Option<f64>,
}

/// Deployment.
#[derive(Debug, Clone, Serialize)]
pub struct CardDeployment {
    /// Whether the gate approved the model for production.
    pub approved: bool,
    /// In prose.
    pub status: String,
    /// The planned date, if given.
    pub date: Option<String>,
    /// The rollback plan, if given.
    pub rollback_plan: Option<String>,
}

/// Links and hashes.
#[derive(Debug, Clone, Serialize)]
pub struct CardProvenance {
    /// The training run's Actions run id, if given.
    pub training_run_id: Option<String>,
    /// The training run's URL, when its id and the run context are known.
    pub training_run_url: Option<String>,
    /// This gate run's URL under Actions.
    pub gate_run_url: Option<String>,
    /// The checksums file, when one was verified.
    pub checksums: Option<String>,
    /// Where each threshold and switch that decided the verdict came from.
    pub settings: Vec<crate::evaluate::SettingOrigin>,
}
