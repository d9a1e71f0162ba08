//! The result of a run as data: the JSON report, the step outputs and the
//! findings, all from one [`Report`].
//!
//! The JSON report is versioned ([`SCHEMA_VERSION`], documented in docs/reference.md);
//! fields are only ever added within a version. Human Markdown comes from
//! [`render`], the model card from [`card`], the Prometheus exposition from
//! [`exposition`], and every number and phrase they share from [`format`].
//! Nothing here knows GitHub's command syntax or writes a file.

mod advice;
mod blocking;
pub mod card;
mod chart;
pub(crate) mod clusters;
mod comparison;
mod estimates;
pub(crate) mod exposition;
mod findings;
pub mod format;
mod limitations;
mod outputs;
pub(crate) mod paired;
pub(crate) mod pairs;
mod partials;
mod parts;
pub mod render;
pub(crate) mod slices;
pub(crate) mod templates;
pub(crate) mod uncertainty;
mod view;

use crate::dataset::{Decision, NullPolicy, ScoreScale};
use crate::evaluate::{Evaluation, Provenance};
use crate::gate::{Check, OnInconclusive, Outcome, Rule};
use crate::metrics::{Counts, Metric, PerMetric, Skipped};
use crate::weighted::Weighted;

pub use card::CardInputs;
pub use clusters::ClustersReport;
pub use comparison::{BaselineSearch, Comparison};
pub use findings::{Finding, Level};
pub use outputs::OUTPUTS;
pub use templates::RenderError;

/// The version of the JSON report's schema.
pub const SCHEMA_VERSION: u32 = 3;

/// The program that wrote a report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tool {
    /// `er-precision-gate`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// The metrics; `None` (JSON `null`) when undefined.
pub type Metrics = PerMetric<Option<f64>>;

/// How predictions were made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionReport {
    /// `score` (score >= threshold) or `prediction` (a column of predictions).
    pub kind: &'static str,
    /// The deciding column.
    pub column: String,
    /// The decision threshold, for `score`.
    pub threshold: Option<f64>,
    /// `percent` when each score was divided by 100 before the comparison
    /// (`score_scale`); absent when the scores were compared as they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<&'static str>,
}

/// The complete result of a run (JSON report, schema version 1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// `passed`, `failed` or `inconclusive`.
    pub outcome: Outcome,
    /// `pass`, `fail` or `inconclusive`.
    pub verdict: &'static str,
    /// Whether the step succeeds on the verdict.
    pub passed: bool,
    /// What an inconclusive verdict does.
    pub on_inconclusive: OnInconclusive,
    /// The metrics.
    pub metrics: Metrics,
    /// Each rule with its value and status.
    pub checks: Vec<Check>,
    /// The confusion matrix.
    pub counts: Counts,
    /// Rows evaluated.
    pub rows: u64,
    /// Rows left out for missing values.
    pub rows_skipped: u64,
    /// Why rows were left out.
    pub skipped: Skipped,
    /// The null policy in force.
    pub null_policy: NullPolicy,
    /// The label column.
    pub label_column: String,
    /// How predictions were made.
    pub decision: DecisionReport,
    /// The evaluated file.
    pub dataset: Provenance,
    /// This run's URL under Actions.
    pub run_url: Option<String>,
    /// The commit, ref and attempt of this run under Actions.
    pub run: Run,
    /// The model evaluated.
    pub model: Model,
    /// When the evaluation ran, UTC, RFC 3339.
    pub evaluated_at: String,
    /// Wall time spent evaluating (hashing and reading), in seconds.
    pub duration_seconds: f64,
    /// The predictions file joined to the labelled pairs, when one was.
    pub predictions: Option<crate::evaluate::PredictionsFile>,
    /// The comparison with the previous model, when `baseline` was given.
    pub baseline: Option<Comparison>,
    /// What `baseline: latest` searched, when it was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_search: Option<BaselineSearch>,
    /// Each metric's interval, when `confidence` is set.
    pub intervals: Option<uncertainty::Intervals>,
    /// The weighted sums the metrics come from, with `weight_column`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<Weights>,
    /// The stratified estimate, with `strata_column`: the metrics are its.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strata: Option<crate::strata::Stratified>,
    /// The model against the previous one on these pairs, with a baseline
    /// score or prediction column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired: Option<paired::PairedReport>,
    /// For each inconclusive metric, the data that would decide it.
    pub inconclusive: Vec<uncertainty::Needed>,
    /// The threshold sweep, when the decision is a score.
    pub sweep: Option<uncertainty::SweepReport>,
    /// Each slice's counts and metrics, with `slice_columns`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slices: Option<slices::SlicesReport>,
    /// How many misclassified pairs `errors_file` holds, of how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<pairs::ErrorsKept>,
    /// `pairs`, or `clusters` (`mode`): then `counts` are of pairs of
    /// records and `metrics` of the family `clusters.family` names.
    pub mode: &'static str,
    /// The clusters' counts and every family's metrics, in cluster mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<ClustersReport>,
    /// Recall through blocking, with `truth` in pair mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking: Option<crate::evaluate::Blocking>,
    /// The pairs the summary shows (`display_columns`); never in the JSON.
    #[serde(skip)]
    pub shown_pairs: Option<pairs::ShownPairs>,
    /// Where each threshold and switch that decided the verdict came from.
    pub settings: Vec<crate::evaluate::SettingOrigin>,
}

/// The model evaluated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Model {
    /// `model_id`, or `er_<dataset_date>`.
    pub id: String,
    /// `dataset_date`, or the evaluation's UTC date, YYYYMMDD.
    pub dataset_date: String,
    /// `model_version` (free text, e.g. a registry version), when given.
    pub version: Option<String>,
    /// Whether `id` was derived from the dataset date because `model_id`
    /// was not set (another model on the same dataset would share it).
    pub id_defaulted: bool,
    /// The training run's duration in seconds, when given.
    pub training_duration_seconds: Option<f64>,
    /// The model's inference latency in seconds, when given.
    pub inference_latency_seconds: Option<f64>,
}

/// Where the run comes from: the Actions run and the commit it ran on.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Run {
    /// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`.
    #[serde(skip)]
    pub url: Option<String>,
    /// `GITHUB_SHA`.
    pub commit: Option<String>,
    /// `GITHUB_REF`.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// `GITHUB_RUN_ATTEMPT`.
    pub attempt: Option<String>,
}

/// The weighting of the pairs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Weights {
    /// The weight column.
    pub column: String,
    /// The weighted confusion matrix (sums of weights).
    pub counts: Weighted,
    /// Kish's effective sample size of each metric's denominator.
    pub effective_size: PerMetric<Option<f64>>,
}

impl Weights {
    fn new(settings: &crate::evaluate::Settings, w: &Weighted) -> Weights {
        Weights {
            column: settings.weight_column.clone().unwrap_or_default(),
            counts: w.real(),
            effective_size: PerMetric::from_fn(|m| w.proportion(m).map(|(_, n)| n)),
        }
    }
}

impl Report {
    /// The minimum the rules set for `metric` (`min_precision` and its
    /// siblings), when one does.
    pub fn minimum(&self, metric: Metric) -> Option<f64> {
        self.checks.iter().find_map(|c| match c.rule {
            Rule::AtLeast { metric: m, threshold } if m == metric => Some(threshold),
            _ => None,
        })
    }
}

impl DecisionReport {
    /// How `decision` predicts a match, its scores on `scale`.
    fn new(decision: &Decision, scale: ScoreScale) -> DecisionReport {
        match decision {
            Decision::Score { column, threshold } => DecisionReport {
                kind: "score",
                column: column.clone(),
                threshold: Some(*threshold),
                scale: (scale == ScoreScale::Percent).then_some("percent"),
            },
            Decision::Prediction { column } => DecisionReport {
                kind: "prediction",
                column: column.clone(),
                threshold: None,
                scale: None,
            },
        }
    }
}

impl Model {
    /// The model the card inputs name; its id and dataset date default
    /// from `evaluated_at`.
    fn new(card: &CardInputs, evaluated_at: chrono::DateTime<chrono::Utc>) -> Model {
        let (dataset_date, id) = card.names(evaluated_at);
        Model {
            id,
            dataset_date,
            version: card.model_version.clone(),
            id_defaulted: card.model_id.is_none(),
            training_duration_seconds: card.training_duration_seconds,
            inference_latency_seconds: card.inference_latency_seconds,
        }
    }
}

impl Report {
    /// Gathers the report of an evaluation; `card` gives the model's id,
    /// version and dataset date, `run` this run's page and commit.
    pub fn new(evaluation: &Evaluation, card: &CardInputs, run: &Run) -> Report {
        let counts = evaluation.tally.counts;
        let evidence = evaluation.evidence();
        let settings = &evaluation.settings;
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") },
            outcome: evaluation.verdict.outcome,
            verdict: evaluation.verdict.outcome.word(),
            passed: evaluation.verdict.is_success(settings.on_inconclusive),
            on_inconclusive: settings.on_inconclusive,
            metrics: PerMetric::from_fn(|m| evidence.value(m)),
            checks: evaluation.verdict.checks.clone(),
            counts,
            rows: match &evaluation.clusters {
                Some(c) => c.clusters.counts.records,
                None => counts.rows(),
            },
            rows_skipped: evaluation.tally.skipped.rows,
            skipped: evaluation.tally.skipped,
            null_policy: settings.null_policy,
            label_column: settings.label_column.clone(),
            decision: DecisionReport::new(&settings.decision, settings.score_scale),
            dataset: evaluation.dataset.clone(),
            run_url: run.url.clone(),
            run: run.clone(),
            model: Model::new(card, evaluation.evaluated_at),
            evaluated_at: evaluation
                .evaluated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            duration_seconds: evaluation.elapsed.as_secs_f64(),
            predictions: evaluation.predictions.clone(),
            baseline: evaluation
                .baseline
                .as_ref()
                .map(|b| comparison::compare(b, evidence.as_ref(), &evaluation.dataset)),
            baseline_search: BaselineSearch::of(evaluation),
            intervals: uncertainty::intervals(evaluation),
            weights: evaluation
                .weighted
                .as_ref()
                .filter(|_| settings.weight_column.is_some())
                .map(|w| Weights::new(settings, w)),
            strata: evaluation.stratified.clone(),
            paired: evaluation.paired.clone().zip(settings.previous.as_ref()).map(|(c, d)| {
                paired::PairedReport {
                    previous_decision: DecisionReport::new(d, settings.score_scale),
                    previous_predictions: evaluation.baseline_predictions.clone(),
                    comparison: c,
                }
            }),
            inconclusive: uncertainty::inconclusive(evaluation),
            sweep: uncertainty::sweep(evaluation),
            slices: slices::report(evaluation),
            errors: pairs::kept(evaluation),
            mode: if evaluation.clusters.is_some() { "clusters" } else { "pairs" },
            clusters: ClustersReport::of(evaluation),
            blocking: evaluation.blocking.clone(),
            shown_pairs: pairs::shown_pairs(evaluation),
            settings: settings.origins.clone(),
        }
    }
}

/// Pretty JSON with a final newline.
pub fn to_json(value: &impl serde::Serialize) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(value).expect("reports and cards always serialize");
    json.push(b'\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_or_card_of_this_version_can_be_the_next_runs_baseline() {
        assert!(crate::baseline::READABLE_VERSIONS.contains(&SCHEMA_VERSION));
        assert!(crate::baseline::READABLE_CARD_VERSIONS.contains(&card::CARD_SCHEMA_VERSION));
    }
}
