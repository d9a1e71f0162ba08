//! The step outputs: their names and descriptions, the one list that
//! `action.yml` and docs/reference.md are checked against.

/// Step outputs as name and value, in the order they are set.
pub type Outputs = Vec<(&'static str, String)>;

/// Every step output with its description, in `action.yml` order.
pub const OUTPUTS: &[(&str, &str)] = &[
    (
        "passed",
        "`true` when the step succeeds on the verdict: `pass`, or `inconclusive` with `on_inconclusive` `warn` or `pass`; else `false`.",
    ),
    ("verdict", "`pass`, `fail` or `inconclusive` (only with `confidence`)."),
    ("precision", "TP / (TP + FP) as a decimal string; empty when undefined (no predicted match)."),
    ("recall", "TP / (TP + FN) as a decimal string."),
    ("f1", "2TP / (2TP + FP + FN) as a decimal string."),
    ("tp", "True positives: true matches predicted as matches."),
    ("fp", "False positives: non-matches predicted as matches."),
    ("fn", "False negatives: true matches predicted as non-matches."),
    ("tn", "True negatives: non-matches predicted as non-matches."),
    ("rows", "Rows evaluated."),
    (
        "rows_skipped",
        "Rows left out for missing values or a missing prediction (`null_policy: skip`).",
    ),
    (
        "dataset_hash",
        "SHA-256 of the evaluated file (of a folder, of its manifest), always computed.",
    ),
    (
        "dataset_verified",
        "`true` when the hash was checked against `dataset_hash` or `checksums`, else `false`.",
    ),
    ("dataset_size_bytes", "Size of the evaluated file (of a folder, of all its parts) in bytes."),
    ("version", "Version of er-precision-gate that evaluated."),
    ("run_url", "URL of this workflow run; empty outside Actions."),
    ("precision_lower", "Lower bound of precision's interval, when `confidence` is set."),
    ("precision_upper", "Upper bound of precision's interval, when `confidence` is set."),
    ("recall_lower", "Lower bound of recall's interval, when `confidence` is set."),
    ("recall_upper", "Upper bound of recall's interval, when `confidence` is set."),
    ("f1_lower", "Lower bound of F1's interval, when `confidence` is set."),
    ("f1_upper", "Upper bound of F1's interval, when `confidence` is set."),
    (
        "precision_design_effect",
        "With `confidence`: precision's pairs over the independent pairs they are worth (`cluster_by`); empty when pairs are treated as independent.",
    ),
    ("recall_design_effect", "The same for recall."),
    ("f1_design_effect", "The same for F1 (its pairs: TP + FP + FN)."),
    (
        "precision_effective_pairs",
        "With `confidence`: how many independent pairs precision's correlated pairs are worth; empty when pairs are treated as independent.",
    ),
    ("recall_effective_pairs", "The same for recall."),
    ("f1_effective_pairs", "The same for F1."),
    (
        "precision_delta",
        "With `baseline_score_column` or `baseline_prediction_column`: this model's precision less the previous model's, on the same pairs.",
    ),
    (
        "precision_delta_lower",
        "Lower bound of the paired interval of precision's change (at `confidence`, 95% when unset); empty with a single cluster.",
    ),
    ("precision_delta_upper", "Upper bound of the same interval."),
    ("recall_delta", "The same as `precision_delta` for recall."),
    ("recall_delta_lower", "The same as `precision_delta_lower` for recall."),
    ("recall_delta_upper", "The same as `precision_delta_upper` for recall."),
    ("f1_delta", "The same as `precision_delta` for F1."),
    ("f1_delta_lower", "The same as `precision_delta_lower` for F1."),
    ("f1_delta_upper", "The same as `precision_delta_upper` for F1."),
    (
        "errors_fixed",
        "With a baseline score or prediction column: pairs the previous model got wrong and this one gets right.",
    ),
    ("errors_introduced", "Pairs the previous model got right and this one gets wrong."),
    ("decisions_changed", "Pairs whose decision differs between the two models."),
    (
        "recall_mcnemar_p",
        "McNemar's exact two-sided p-value on the true matches only one of the two models finds.",
    ),
    (
        "recommended_threshold",
        "The decision threshold at which every rule holds with the highest F1; empty when none does or the decision is a prediction column.",
    ),
    (
        "max_f1_threshold",
        "The decision threshold with the highest F1 (over every distinct score up to 8,388,608 rows, else on the sweep's grid); empty for a prediction column.",
    ),
    ("max_f1", "The highest F1 over all decision thresholds; empty for a prediction column."),
    (
        "predictions_hash",
        "SHA-256 of the `predictions` file, when one was joined; never required to match.",
    ),
    (
        "blocking_recall",
        "With `truth` in pair mode: the true pairs among the truth's records (Σ C(size, 2) over its entities) that are candidate pairs, as a share of them; empty without true pairs.",
    ),
    (
        "end_to_end_recall",
        "With `truth` in pair mode: the model's true positives over the true pairs among the truth's records; recall through blocking and the model together.",
    ),
    ("true_pairs", "With `truth` in pair mode: the true pairs among the truth's records."),
    (
        "label_disagreements",
        "With `truth` in pair mode: candidate pairs whose label disagrees with the truth (label noise).",
    ),
    (
        "closure_pairwise_precision",
        "With `closure`: pairwise precision of the predicted matches' connected components against the truth, on the truth's records; empty when undefined.",
    ),
    (
        "closure_pairwise_recall",
        "With `closure`: pairwise recall of the connected components against the truth; empty when undefined.",
    ),
    (
        "closure_bcubed_precision",
        "With `closure`: B-cubed precision (record-averaged) of the connected components against the truth.",
    ),
    (
        "closure_bcubed_recall",
        "With `closure`: B-cubed recall (record-averaged) of the connected components against the truth.",
    ),
    (
        "closure_entities",
        "With `closure`: the connected components that hold the truth's records (predicted entities after closure).",
    ),
    (
        "pairwise_precision",
        "Cluster mode: shared pairs / predicted pairs; empty when undefined (all predicted singletons); with `truth_sampling`, er-evaluation's `pairwise_precision_estimator` for the population.",
    ),
    (
        "pairwise_recall",
        "Cluster mode: shared pairs / true pairs; empty when undefined (all true singletons); with `truth_sampling`, er-evaluation's `pairwise_recall_estimator` for the population.",
    ),
    (
        "pairwise_f1",
        "Cluster mode: 2 shared pairs / (true pairs + predicted pairs); with `truth_sampling`, er-evaluation's `pairwise_f_estimator` for the population.",
    ),
    (
        "bcubed_precision",
        "Cluster mode: B-cubed precision, averaged over records; with `truth_sampling`, er-evaluation's `b_cubed_precision_estimator` for the population.",
    ),
    (
        "bcubed_recall",
        "Cluster mode: B-cubed recall, averaged over records; with `truth_sampling`, er-evaluation's `b_cubed_recall_estimator` for the population.",
    ),
    (
        "bcubed_f1",
        "Cluster mode: the harmonic mean of B-cubed precision and recall; with `truth_sampling`, the harmonic mean of the two estimates (er-evaluation has no B-cubed F estimator).",
    ),
    (
        "cluster_precision",
        "Cluster mode: true entities predicted exactly / predicted entities; with `truth_sampling`, er-evaluation's `cluster_precision_estimator` for the population.",
    ),
    (
        "cluster_recall",
        "Cluster mode: true entities predicted exactly / true entities; with `truth_sampling`, er-evaluation's `cluster_recall_estimator` for the population.",
    ),
    (
        "cluster_f1",
        "Cluster mode: 2 exact matches / (true entities + predicted entities); with `truth_sampling`, er-evaluation's `cluster_f_estimator` for the population.",
    ),
    (
        "pairwise_precision_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the pairwise_precision estimate (er-evaluation's `pairwise_precision_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "pairwise_recall_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the pairwise_recall estimate (er-evaluation's `pairwise_recall_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "pairwise_f1_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the pairwise_f1 estimate (er-evaluation's `pairwise_f_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "bcubed_precision_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the bcubed_precision estimate (er-evaluation's `b_cubed_precision_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "bcubed_recall_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the bcubed_recall estimate (er-evaluation's `b_cubed_recall_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "cluster_precision_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the cluster_precision estimate (er-evaluation's `cluster_precision_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "cluster_recall_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the cluster_recall estimate (er-evaluation's `cluster_recall_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    (
        "cluster_f1_std",
        "Cluster mode with `truth_sampling`: the standard deviation of the cluster_f1 estimate (er-evaluation's `cluster_f_estimator`); empty where er-evaluation leaves it undefined (one sampled entity, a negative variance term).",
    ),
    ("records", "Cluster mode: records evaluated."),
    ("true_clusters", "Cluster mode: distinct true entities."),
    ("predicted_clusters", "Cluster mode: distinct predicted entities."),
    (
        "homonymy_rate",
        "Cluster mode (or closure) with `name_column`: the share of predicted clusters with a name that share a name with another cluster (er-evaluation's `homonymy_rate`).",
    ),
    (
        "name_variation_rate",
        "Cluster mode (or closure) with `name_column`: the share of predicted clusters with more than one distinct name (er-evaluation's `name_variation_rate`).",
    ),
    ("report_json", "Path of the JSON report, when `report_json` is set."),
    ("model_card", "Path of the Markdown model card, when `model_card` is set."),
    ("model_card_json", "Path of the JSON model card, when `model_card_json` is set."),
    ("metrics_file", "Path of the Prometheus metrics file, when `metrics_file` is set."),
    ("errors_file", "Path of the misclassified pairs to review, when `errors_file` is set."),
    ("manifest", "Path of the manifest of the evaluated files, when `manifest` is set."),
    (
        "comment_url",
        "URL of the verdict comment (the first one, when `comment_on` lists several), when `comment_on` is set and it was posted.",
    ),
    (
        "pushed",
        "`true` when the metrics reached the Pushgateway, `false` when the push failed; unset without `pushgateway_url`.",
    ),
];

/// The design outputs, with `confidence`: each metric's design effect and
/// effective pairs, empty where pairs are treated as independent.
pub fn designs(designs: Option<&crate::correlation::Designs>) -> Outputs {
    use crate::metrics::Metric;
    let names = [
        (Metric::Precision, "precision_design_effect", "precision_effective_pairs"),
        (Metric::Recall, "recall_design_effect", "recall_effective_pairs"),
        (Metric::F1, "f1_design_effect", "f1_effective_pairs"),
    ];
    let mut outputs = Outputs::new();
    for (metric, effect, pairs) in names {
        let design = designs.and_then(|d| d.metrics.get(metric));
        outputs.push((effect, design.map(|d| d.design_effect.to_string()).unwrap_or_default()));
        outputs.push((pairs, design.map(|d| d.effective_pairs.to_string()).unwrap_or_default()));
    }
    outputs
}

impl super::Report {
    /// The step outputs of the evaluation, in `action.yml` order; the paths
    /// of written files follow. Undefined metrics are empty.
    pub fn outputs(&self) -> Outputs {
        let metric = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut outputs = vec![
            ("passed", self.passed.to_string()),
            ("precision", metric(self.metrics.precision)),
            ("recall", metric(self.metrics.recall)),
            ("f1", metric(self.metrics.f1)),
            ("tp", self.counts.tp.to_string()),
            ("fp", self.counts.fp.to_string()),
            ("fn", self.counts.fn_.to_string()),
            ("tn", self.counts.tn.to_string()),
            ("rows", self.rows.to_string()),
            ("rows_skipped", self.rows_skipped.to_string()),
            ("dataset_hash", self.dataset.sha256.to_string()),
            ("dataset_verified", self.dataset.verified.to_string()),
            ("dataset_size_bytes", self.dataset.size_bytes.to_string()),
            ("version", self.tool.version.to_string()),
            ("run_url", self.run_url.clone().unwrap_or_default()),
        ];
        outputs.insert(1, ("verdict", self.verdict.to_string()));
        if let Some(i) = &self.intervals {
            for (metric, names) in [
                (i.metrics.precision, ["precision_lower", "precision_upper"]),
                (i.metrics.recall, ["recall_lower", "recall_upper"]),
                (i.metrics.f1, ["f1_lower", "f1_upper"]),
            ] {
                outputs.push((names[0], metric.map(|m| m.lower.to_string()).unwrap_or_default()));
                outputs.push((names[1], metric.map(|m| m.upper.to_string()).unwrap_or_default()));
            }
            outputs.extend(designs(i.cluster_by.as_ref()));
        }
        if let Some(p) = &self.paired {
            outputs.extend(p.outputs());
        }
        let sweep = self.sweep.as_ref();
        let threshold =
            |p: Option<&super::uncertainty::CurvePoint>| p.map(|p| p.threshold.to_string());
        outputs.push((
            "recommended_threshold",
            threshold(sweep.and_then(|s| s.recommended.as_ref())).unwrap_or_default(),
        ));
        outputs.push((
            "max_f1_threshold",
            threshold(sweep.and_then(|s| s.max_f1.as_ref())).unwrap_or_default(),
        ));
        let max_f1 = sweep.and_then(|s| s.max_f1.as_ref()).and_then(|p| p.metrics.f1);
        outputs.push(("max_f1", max_f1.map(|v| v.to_string()).unwrap_or_default()));
        let predictions = self.predictions.as_ref().map(|p| p.sha256.to_string());
        outputs.push(("predictions_hash", predictions.unwrap_or_default()));
        if let Some(b) = &self.blocking {
            outputs.extend(blocking(b));
        }
        if let Some(c) = &self.clusters {
            outputs.extend(c.outputs());
        }
        let closed = self.blocking.as_ref().and_then(|b| b.closure.as_ref());
        if let Some(n) = closed.and_then(|c| c.names.as_ref()) {
            outputs.push(("homonymy_rate", metric(n.homonymy_rate)));
            outputs.push(("name_variation_rate", metric(n.name_variation_rate)));
        }
        outputs
    }
}

/// The outputs of recall through blocking, with `truth` in pair mode.
fn blocking(b: &crate::evaluate::Blocking) -> Outputs {
    let metric = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        ("blocking_recall", metric(b.blocking_recall)),
        ("end_to_end_recall", metric(b.end_to_end_recall)),
        ("true_pairs", b.true_pairs.to_string()),
        ("label_disagreements", b.label_disagreements.to_string()),
    ]
    .into_iter()
    .chain(b.closure.iter().flat_map(|c| {
        let f = &c.clusters.families;
        [
            ("closure_pairwise_precision", metric(f.pairwise.precision)),
            ("closure_pairwise_recall", metric(f.pairwise.recall)),
            ("closure_bcubed_precision", metric(f.bcubed.precision)),
            ("closure_bcubed_recall", metric(f.bcubed.recall)),
            ("closure_entities", c.clusters.counts.predicted_clusters.to_string()),
        ]
    }))
    .collect()
}
