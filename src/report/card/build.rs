//! Building a [`Card`] from a report: the verdict, each metric against its
//! rule, the dataset, the changes since the baseline and the limitations.

use super::{
    CARD_SCHEMA_VERSION, Card, CardChange, CardChanges, CardDataset, CardDeployment, CardInputs,
    CardMetric, CardPredictions, CardProvenance, CardVerdict, ModelDetails,
};
use crate::correlation::Designs;
use crate::gate::{self, Check, Outcome, Rule};
use crate::report::format::{self, Units, percent};
use crate::report::{Comparison, Report, chart, limitations};

impl Card {
    /// Builds the card of a report. `server_repo` is
    /// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY`, for the training run link.
    pub fn new(r: &Report, inputs: &CardInputs, server_repo: Option<&str>) -> Card {
        let (metrics, drop_rules) =
            r.checks.iter().partition::<Vec<&Check>, _>(|c| matches!(c.rule, Rule::AtLeast { .. }));
        let level = r.intervals.as_ref().map(|i| i.level);
        let designs = r.intervals.as_ref().and_then(|i| i.cluster_by.as_ref());
        let card_metric = |c: &Check| card_metric(c, level, designs);
        let derived = limitations::derived(r);
        let marks = chart::Marks::of(r);
        Card {
            schema_version: CARD_SCHEMA_VERSION,
            tool: r.tool.clone(),
            model: model_details(r, inputs),
            verdict: verdict(r),
            decision: format::decision_text(&r.decision),
            metrics: metrics.into_iter().map(card_metric).collect(),
            drop_rules: drop_rules.into_iter().map(card_metric).collect(),
            chart: r.sweep.as_ref().and_then(|s| chart::mermaid(&s.curve, marks)),
            chart_legend: chart::legend(marks),
            counts: r.counts,
            dataset: dataset(r, inputs),
            derived_limitations: derived.len(),
            slices: r.slices.as_ref().map(crate::report::slices::tables).unwrap_or_default(),
            limitations: derived.into_iter().chain(inputs.limitations.iter().cloned()).collect(),
            mode: r.mode,
            clusters: crate::report::clusters::view(r),
            blocking: crate::report::blocking::view(r),
            changes: r.baseline.as_ref().map(|c| changes(c, r)),
            paired_changes: r.paired.as_ref().map(crate::report::paired::card_text),
            training_changes: inputs.training_changes.clone(),
            data_changes: inputs.data_changes.clone(),
            ethical_considerations: inputs.ethical_considerations.clone(),
            deployment: deployment(r, inputs),
            provenance: provenance(r, inputs, server_repo),
        }
    }
}

/// The model's identity, from the report and the card inputs.
fn model_details(r: &Report, inputs: &CardInputs) -> ModelDetails {
    ModelDetails {
        id: r.model.id.clone(),
        dataset_date: r.model.dataset_date.clone(),
        evaluated_at: r.evaluated_at.clone(),
        framework: inputs.framework.clone(),
        architecture: inputs.architecture.clone(),
        version: r.model.version.clone(),
        run: r.run.clone(),
    }
}

/// The verdict in a sentence, naming the rules that did not pass.
fn verdict(r: &Report) -> CardVerdict {
    let failed: Vec<String> = gate::failures(&r.checks).map(format::rule_title).collect();
    CardVerdict {
        passed: r.passed,
        icon: format::verdict_icon(r.outcome),
        text: match r.outcome {
            Outcome::Passed => "The gate passed: every metric meets its threshold".to_string(),
            Outcome::Failed => format!("The gate failed: {} below the bar", failed.join(", ")),
            Outcome::Inconclusive => format!(
                "The gate is inconclusive: the data cannot tell whether {} meets the bar",
                failed.join(", ")
            ),
        },
    }
}

/// How the pairs were sampled: with `strata_column`, the design the
/// metrics were estimated under (then what `sampling_method` adds);
/// otherwise what `sampling_method` says.
fn sampling_method(r: &Report, inputs: &CardInputs) -> Option<String> {
    let Some(s) = &r.strata else {
        return inputs.sampling_method.clone();
    };
    let (labelled, population) = s.labelled_of();
    let design = format!(
        "Stratified random sampling by {}: {} strata, {labelled} of {population} candidate pairs labelled; the metrics are combined ratio estimates of the population's",
        s.column,
        s.strata.len()
    );
    Some(match &inputs.sampling_method {
        Some(said) => format!("{design}. {said}"),
        None => design,
    })
}

/// The evaluated data: what the inputs say of it, and what was measured.
fn dataset(r: &Report, inputs: &CardInputs) -> CardDataset {
    let true_matches = r.counts.positives();
    // Of the pairs: in cluster mode `rows` counts records.
    let prevalence = true_matches as f64 / r.counts.rows() as f64;
    CardDataset {
        source: inputs.dataset_source.clone(),
        sampling_method: sampling_method(r, inputs),
        label_quality: inputs.label_quality.clone(),
        path: r.dataset.path.clone(),
        size: format::size_text(r.dataset.size_bytes),
        size_bytes: r.dataset.size_bytes,
        parts: r.dataset.parts.as_ref().map(crate::report::parts::CardParts::new),
        engine: r.dataset.engine.as_ref().map(crate::report::parts::engine_text),
        sha256: r.dataset.sha256.to_string(),
        verified: r.dataset.verified,
        verification: if r.dataset.verified {
            "verified before evaluation".to_string()
        } else {
            "computed, not verified: no expected hash was given".to_string()
        },
        rows_in_file: r.dataset.rows,
        rows_evaluated: r.rows,
        skipped: format::skipped_text(&r.skipped),
        rows_skipped: r.rows_skipped,
        true_matches,
        prevalence,
        prevalence_percent: percent(prevalence),
        weights: r.weights.as_ref().map(|w| {
            format!(
                "metrics weighted by {}; effective sample size (Kish): {}",
                format::code(&w.column),
                format::effective_sizes(&w.effective_size)
            )
        }),
        predictions: r.predictions.as_ref().map(|p| CardPredictions {
            path: p.path.clone(),
            sha256: p.sha256.to_string(),
            size: format::size_text(p.size_bytes),
            keys: p.key_columns.iter().map(|k| format::code(k)).collect::<Vec<_>>().join(", "),
            rows: p.rows,
            unlabelled: p.unlabelled,
        }),
    }
}

/// The changes since the previous model, each metric in percent.
fn changes(c: &Comparison, r: &Report) -> CardChanges {
    CardChanges {
        previous_model: c.previous_model(),
        previous_model_id: c.model_id.clone(),
        same_dataset: c.same_dataset,
        dataset_note: c.note(&r.dataset.sha256),
        rows: c
            .changes
            .iter()
            .map(|ch| CardChange {
                metric: ch.metric,
                title: ch.metric.title(),
                previous_percent: Units::Percent.level_or_undefined(ch.previous),
                current_percent: Units::Percent.level_or_undefined(ch.current),
                points: ch.points.clone().unwrap_or_else(|| "undefined".into()),
                delta: ch.delta,
            })
            .collect(),
    }
}

/// Whether the model may be deployed, and the plan around it.
/// A model whose gate passed on bytes nobody verified is not approved:
/// the pass may be of other data than the one recorded (counts are the
/// engine's, their provenance its dataset version).
fn deployment(r: &Report, inputs: &CardInputs) -> CardDeployment {
    let unverified = crate::report::limitations::unverified(r);
    CardDeployment {
        approved: r.passed && !unverified,
        status: match (r.passed, unverified) {
            (true, false) => "✅ Approved for production: the gate passed".to_string(),
            (true, true) => "⚠️ Not approved for production: data not verified (the gate passed on a validation set whose SHA-256 was not checked against a recorded one: set `dataset_hash`)".to_string(),
            (false, _) => "❌ Not approved for production: the gate failed".to_string(),
        },
        date: inputs.deployment_date.clone(),
        rollback_plan: inputs.rollback_plan.clone(),
    }
}

/// The runs that trained and gated the model, and the checksums file.
fn provenance(r: &Report, inputs: &CardInputs, server_repo: Option<&str>) -> CardProvenance {
    CardProvenance {
        training_run_id: inputs.training_run_id.clone(),
        training_run_url: inputs
            .training_run_id
            .as_ref()
            .zip(server_repo)
            .map(|(id, base)| format!("{base}/actions/runs/{id}")),
        gate_run_url: r.run_url.clone(),
        checksums: r.dataset.checksums.clone(),
        settings: r.settings.clone(),
    }
}

fn card_metric(c: &Check, level: Option<f64>, designs: Option<&Designs>) -> CardMetric {
    let floor = c.floor();
    let design = designs.and_then(|d| d.metrics.get(c.metric()));
    let interval_text = c.interval.zip(level).map(|(i, level)| {
        if let Some(d) = c.change {
            let (lower, upper) = (format::points(d.lower), format::points(d.upper));
            return format!("change {lower} to {upper} pp, {} CI, unpaired", format::level(level));
        }
        let floor = floor.unwrap_or(i.lower);
        let (lower, upper) =
            (Units::Percent.against(i.lower, floor), Units::Percent.against(i.upper, floor));
        let design = design.map(|d| format!(", design effect {:.2}", d.design_effect));
        let design = design.unwrap_or_default();
        format!("{}–{upper}, {} CI{design}", lower.trim_end_matches('%'), format::level(level))
    });
    CardMetric {
        metric: c.metric(),
        title: format::rule_title(c),
        value: c.value,
        value_percent: format::check_value(c, Units::Percent),
        interval: c.interval,
        interval_text,
        design,
        threshold: floor,
        threshold_percent: Units::Percent.level_or_undefined(floor),
        bound: format::rule_bound(c, Units::Percent),
        passed: c.is_pass(),
        icon: format::status_icon(c.status),
    }
}
