//! The table of every action input: the one place that names each input,
//! its default and its help. `action.yml`, docs/reference.md's input table and
//! `--help` are checked against it by the tests.
//!
//! Each input is a constant, and the parsers name inputs only through these
//! constants: an input name typed wrong is a compile error, never a value
//! silently missing.

/// One action input.
#[derive(Debug)]
pub struct InputSpec {
    /// The `action.yml` name (snake_case).
    pub name: &'static str,
    /// The default, as `action.yml` declares it; `None` for no default.
    pub default: Option<&'static str>,
    /// Whether the input must be given.
    pub required: bool,
    /// The description shown in `action.yml`, docs/reference.md and `--help`.
    pub help: &'static str,
}

/// Input `config`.
pub const CONFIG: InputSpec = InputSpec {
    name: "config",
    default: None,
    required: false,
    help: "YAML file (e.g. .github/er-precision-gate.yml) that sets any input under its own name, plus slice rules: max_slice_gap and slice_minimums. Flags and the step's inputs win over it; it wins over defaults.",
};

/// Input `validation_set`.
pub const VALIDATION_SET: InputSpec = InputSpec {
    name: "validation_set",
    default: None,
    required: false,
    help: "Path to the validation set, relative to the working directory: a parquet file, or a folder of parquet parts (every *.parquet under it, hive key=value folders allowed, hidden and _-prefixed names skipped) read as one dataset. Required unless counts is given.",
};

/// Input `read_timeout_seconds`.
pub const READ_TIMEOUT_SECONDS: InputSpec = InputSpec {
    name: "read_timeout_seconds",
    default: Some("600"),
    required: false,
    help: "Longest time, in seconds, that reading a validation_set in object storage (s3://, gs://, az://, https://) may take in all, retries with backoff on 5xx and timeouts included; past it the run stops with exit 2.",
};

/// Input `counts`.
pub const COUNTS: InputSpec = InputSpec {
    name: "counts",
    default: None,
    required: false,
    help: "Path to the counts an engine computed where the data lives (CSV or JSON rows from the queries in sql/: TP/FP/FN/TN at the decision threshold, the dataset_version, optionally the sweep's histogram and slices), evaluated instead of validation_set; the data's bytes are then not verified by this tool.",
};

/// Input `predictions`.
pub const PREDICTIONS: InputSpec = InputSpec {
    name: "predictions",
    default: None,
    required: false,
    help: "Parquet file of the model's scores or predictions, joined to the labelled pairs of validation_set on key_columns; validation_set then holds the labels only, so its hash stays the same from model to model.",
};

/// Input `key_columns`.
pub const KEY_COLUMNS: InputSpec = InputSpec {
    name: "key_columns",
    default: Some("left_id,right_id"),
    required: false,
    help: "Columns that identify a pair in both validation_set and predictions, comma- or newline-separated; strings or integers.",
};

/// Input `weight_column`.
pub const WEIGHT_COLUMN: InputSpec = InputSpec {
    name: "weight_column",
    default: None,
    required: false,
    help: "Column of validation_set with each pair's weight (e.g. its inverse inclusion probability when pairs were sampled by score stratum); metrics and the verdict are then weighted, raw counts stay.",
};

/// Input `dataset_hash`.
pub const DATASET_HASH: InputSpec = InputSpec {
    name: "dataset_hash",
    default: None,
    required: false,
    help: "Expected SHA-256 of the validation set (64 hex digits): of the file, or for a folder of the manifest of its parts. When set, it must match before any metric is reported.",
};

/// Input `min_precision`.
pub const MIN_PRECISION: InputSpec = InputSpec {
    name: "min_precision",
    default: Some("0.92"),
    required: false,
    help: "Lowest passing precision, inclusive, in [0, 1].",
};

/// Input `min_recall`.
pub const MIN_RECALL: InputSpec = InputSpec {
    name: "min_recall",
    default: Some("0.88"),
    required: false,
    help: "Lowest passing recall, inclusive, in [0, 1].",
};

/// Input `min_f1`.
pub const MIN_F1: InputSpec = InputSpec {
    name: "min_f1",
    default: Some("0.90"),
    required: false,
    help: "Lowest passing F1, inclusive, in [0, 1].",
};

/// Input `confidence`.
pub const CONFIDENCE: InputSpec = InputSpec {
    name: "confidence",
    default: None,
    required: false,
    help: "Two-sided level of a Wilson confidence interval for each metric, in (0, 1), e.g. 0.95; a metric then passes when its whole interval reaches the minimum, fails when it lies below, and is inconclusive otherwise. Unset: the point value decides.",
};

/// Input `on_inconclusive`.
pub const ON_INCONCLUSIVE: InputSpec = InputSpec {
    name: "on_inconclusive",
    default: Some("fail"),
    required: false,
    help: "What an inconclusive verdict does (with `confidence`): `fail` the step, `warn` (exit 0 with a warning) or `pass`.",
};

/// Input `sweep`.
pub const SWEEP: InputSpec = InputSpec {
    name: "sweep",
    default: Some("true"),
    required: false,
    help: "Count the threshold sweep in the same pass (score decisions only): the curve, the passing range and the recommended threshold (true or false).",
};

/// Input `slice_columns`.
pub const SLICE_COLUMNS: InputSpec = InputSpec {
    name: "slice_columns",
    default: None,
    required: false,
    help: "Columns of validation_set to slice the pairs by (e.g. entity_type, source), comma- or newline-separated; string, boolean or integer. Each value gets its own counts and metrics, nulls as (null).",
};

/// Input `max_slices`.
pub const MAX_SLICES: InputSpec = InputSpec {
    name: "max_slices",
    default: Some("1000"),
    required: false,
    help: "Most distinct values a slice column may have; more stops the run (exit 2) naming the column.",
};

/// Input `min_slice_support`.
pub const MIN_SLICE_SUPPORT: InputSpec = InputSpec {
    name: "min_slice_support",
    default: Some("30"),
    required: false,
    help: "Fewest true matches a slice needs to be evaluated; a smaller one is shown with its counts and marked not evaluated.",
};

/// Input `slice_limitation_gap`.
pub const SLICE_LIMITATION_GAP: InputSpec = InputSpec {
    name: "slice_limitation_gap",
    default: Some("0.05"),
    required: false,
    help: "How far below the overall value an evaluated slice's precision, recall or F1 must fall to be flagged in the slice table and listed among the model card's limitations, in [0, 1].",
};

/// Input `errors_file`.
pub const ERRORS_FILE: InputSpec = InputSpec {
    name: "errors_file",
    default: None,
    required: false,
    help: "Path where the misclassified pairs to review are written as parquet: every column of validation_set (and, with predictions, its deciding column) plus error (false_positive or false_negative) and rank; the most confident first (false positives with the highest scores, false negatives with the lowest; with prediction_column, the first in file order).",
};

/// Input `errors_limit`.
pub const ERRORS_LIMIT: InputSpec = InputSpec {
    name: "errors_limit",
    default: Some("1000"),
    required: false,
    help: "How many misclassified pairs of each kind errors_file keeps; 0 keeps all of them.",
};

/// Input `display_columns`.
pub const DISPLAY_COLUMNS: InputSpec = InputSpec {
    name: "display_columns",
    default: None,
    required: false,
    help: "Columns of validation_set (e.g. left_name,right_name,entity_type) the job summary shows for the ten most confident false positives and false negatives, every cell escaped and cut; unset, no row of the data reaches the summary (job summaries are visible to everyone with read access).",
};

/// Input `label_column`.
pub const LABEL_COLUMN: InputSpec = InputSpec {
    name: "label_column",
    default: Some("label"),
    required: false,
    help: "Ground-truth column: boolean, an integer type holding only 0 and 1, or a float type holding only 0.0 and 1.0 (as a pandas join leaves labels).",
};

/// Input `score_column`.
pub const SCORE_COLUMN: InputSpec = InputSpec {
    name: "score_column",
    default: Some("score"),
    required: false,
    help: "Model score column, float32 or float64; a pair is a predicted match when score >= decision_threshold.",
};

/// Input `prediction_column`.
pub const PREDICTION_COLUMN: InputSpec = InputSpec {
    name: "prediction_column",
    default: None,
    required: false,
    help: "Boolean, 0/1 integer or 0.0/1.0 float prediction column; when set it is used instead of the score.",
};

/// Input `decision_threshold`.
pub const DECISION_THRESHOLD: InputSpec = InputSpec {
    name: "decision_threshold",
    default: Some("0.5"),
    required: false,
    help: "Score at or above which a pair is a predicted match; any finite number (probabilities or log-odds).",
};

/// Input `null_policy`.
pub const NULL_POLICY: InputSpec = InputSpec {
    name: "null_policy",
    default: Some("fail"),
    required: false,
    help: "`fail`: a null label, score or prediction, or a NaN score, stops with exit 2; `skip`: such rows are left out, counted and reported.",
};

/// Input `summary`.
pub const SUMMARY: InputSpec = InputSpec {
    name: "summary",
    default: Some("true"),
    required: false,
    help: "Write the job summary (true or false).",
};

/// Input `report_json`.
pub const REPORT_JSON: InputSpec = InputSpec {
    name: "report_json",
    default: None,
    required: false,
    help: "Path where the machine-readable JSON result is written.",
};

/// Input `checksums`.
pub const CHECKSUMS: InputSpec = InputSpec {
    name: "checksums",
    default: None,
    required: false,
    help: "Path to a sha256sum-format checksums file; every file it lists is verified, relative to its folder, before the gate runs. For a folder validation_set it may be the folder's manifest: it must then list every part.",
};

/// Input `manifest`.
pub const MANIFEST: InputSpec = InputSpec {
    name: "manifest",
    default: None,
    required: false,
    help: "Path where the manifest of the evaluated files is written: one sha256sum line per part of a folder validation_set (a line for its one file otherwise); a folder's dataset_hash is the SHA-256 of this file, and sha256sum -c run in the folder verifies every part.",
};

/// Input `baseline`.
pub const BASELINE: InputSpec = InputSpec {
    name: "baseline",
    default: None,
    required: false,
    help: "Previous model's result to compare with: the JSON report or JSON model card of its gate run, or `latest`: the newest model card JSON in the folder of this run's cards.",
};

/// Input `max_precision_drop`.
pub const MAX_PRECISION_DROP: InputSpec = InputSpec {
    name: "max_precision_drop",
    default: None,
    required: false,
    help: "Largest allowed fall of precision below the baseline, absolute, in [0, 1]; needs baseline.",
};

/// Input `max_recall_drop`.
pub const MAX_RECALL_DROP: InputSpec = InputSpec {
    name: "max_recall_drop",
    default: None,
    required: false,
    help: "Largest allowed fall of recall below the baseline, absolute, in [0, 1]; needs baseline.",
};

/// Input `max_f1_drop`.
pub const MAX_F1_DROP: InputSpec = InputSpec {
    name: "max_f1_drop",
    default: None,
    required: false,
    help: "Largest allowed fall of F1 below the baseline, absolute, in [0, 1]; needs baseline.",
};

/// Input `model_card`.
pub const MODEL_CARD: InputSpec = InputSpec {
    name: "model_card",
    default: None,
    required: false,
    help: "Path of the Markdown model card to write, itself a handlebars template, e.g. model_cards/er_{{dataset_date}}.md.",
};

/// Input `model_card_template`.
pub const MODEL_CARD_TEMPLATE: InputSpec = InputSpec {
    name: "model_card_template",
    default: None,
    required: false,
    help: "Path to your own handlebars template for the model card; the built-in one is used when unset.",
};

/// Input `model_card_json`.
pub const MODEL_CARD_JSON: InputSpec = InputSpec {
    name: "model_card_json",
    default: None,
    required: false,
    help: "Path of the JSON model card to write: the same content as the Markdown card, for tools.",
};

/// Input `model_id`.
pub const MODEL_ID: InputSpec = InputSpec {
    name: "model_id",
    default: None,
    required: false,
    help: "Model id; er_<dataset_date> when unset.",
};

/// Input `model_version`.
pub const MODEL_VERSION: InputSpec = InputSpec {
    name: "model_version",
    default: None,
    required: false,
    help: "The model's version, free text (e.g. a model registry version); in the card, the report and as a metric label.",
};

/// Input `dataset_date`.
pub const DATASET_DATE: InputSpec = InputSpec {
    name: "dataset_date",
    default: None,
    required: false,
    help: "Dataset version as YYYYMMDD; today (UTC) when unset.",
};

/// Input `framework`.
pub const FRAMEWORK: InputSpec = InputSpec {
    name: "framework",
    default: None,
    required: false,
    help: "Framework the model was built with, for the model card.",
};

/// Input `architecture`.
pub const ARCHITECTURE: InputSpec = InputSpec {
    name: "architecture",
    default: None,
    required: false,
    help: "Model architecture, for the model card.",
};

/// Input `dataset_source`.
pub const DATASET_SOURCE: InputSpec = InputSpec {
    name: "dataset_source",
    default: None,
    required: false,
    help: "Where the validation set comes from, for the model card.",
};

/// Input `training_run_id`.
pub const TRAINING_RUN_ID: InputSpec = InputSpec {
    name: "training_run_id",
    default: None,
    required: false,
    help: "Actions run id of the training run, linked from the model card.",
};

/// Input `limitations`.
pub const LIMITATIONS: InputSpec = InputSpec {
    name: "limitations",
    default: None,
    required: false,
    help: "Known limitations, one per line, added to those derived from the data.",
};

/// Input `ethical_considerations`.
pub const ETHICAL_CONSIDERATIONS: InputSpec = InputSpec {
    name: "ethical_considerations",
    default: None,
    required: false,
    help: "Ethical considerations, one per line.",
};

/// Input `deployment_date`.
pub const DEPLOYMENT_DATE: InputSpec = InputSpec {
    name: "deployment_date",
    default: None,
    required: false,
    help: "Planned deployment date, for the model card.",
};

/// Input `sampling_method`.
pub const SAMPLING_METHOD: InputSpec = InputSpec {
    name: "sampling_method",
    default: None,
    required: false,
    help: "How the labelled pairs were sampled (e.g. stratified by score decile), for the model card.",
};

/// Input `label_quality`.
pub const LABEL_QUALITY: InputSpec = InputSpec {
    name: "label_quality",
    default: None,
    required: false,
    help: "How reliable the labels are (e.g. Cohen's kappa 0.87 on 500 double-labelled pairs), for the model card.",
};

/// Input `training_changes`.
pub const TRAINING_CHANGES: InputSpec = InputSpec {
    name: "training_changes",
    default: None,
    required: false,
    help: "What changed in training since the previous model (new features, parameters), one item a line, for the model card.",
};

/// Input `data_changes`.
pub const DATA_CHANGES: InputSpec = InputSpec {
    name: "data_changes",
    default: None,
    required: false,
    help: "What changed in the data since the previous model (quality fixes, new sources), one item a line, for the model card.",
};

/// Input `training_duration_seconds`.
pub const TRAINING_DURATION_SECONDS: InputSpec = InputSpec {
    name: "training_duration_seconds",
    default: None,
    required: false,
    help: "How long the model took to train, in seconds, measured by your training job; pushed beside the metrics for the dashboard.",
};

/// Input `inference_latency_seconds`.
pub const INFERENCE_LATENCY_SECONDS: InputSpec = InputSpec {
    name: "inference_latency_seconds",
    default: None,
    required: false,
    help: "The model's inference latency in seconds (e.g. its p95 per pair), measured by your own job; pushed beside the metrics for the dashboard.",
};

/// Input `rollback_plan`.
pub const ROLLBACK_PLAN: InputSpec = InputSpec {
    name: "rollback_plan",
    default: None,
    required: false,
    help: "How to roll back this model, for the model card.",
};

/// Input `pushgateway_url`.
pub const PUSHGATEWAY_URL: InputSpec = InputSpec {
    name: "pushgateway_url",
    default: None,
    required: false,
    help: "Prometheus Pushgateway base URL (http or https); unset: nothing is pushed.",
};

/// Input `push_job`.
pub const PUSH_JOB: InputSpec = InputSpec {
    name: "push_job",
    default: Some("er_precision_gate"),
    required: false,
    help: "Pushgateway job name; metrics go to the group job/<push_job>/model_id/<model_id>.",
};

/// Input `pushgateway_token`.
pub const PUSHGATEWAY_TOKEN: InputSpec = InputSpec {
    name: "pushgateway_token",
    default: None,
    required: false,
    help: "Bearer token for the Pushgateway (secret: masked, never logged).",
};

/// Input `pushgateway_username`.
pub const PUSHGATEWAY_USERNAME: InputSpec = InputSpec {
    name: "pushgateway_username",
    default: None,
    required: false,
    help: "Basic-auth user name for the Pushgateway; needs pushgateway_password.",
};

/// Input `pushgateway_password`.
pub const PUSHGATEWAY_PASSWORD: InputSpec = InputSpec {
    name: "pushgateway_password",
    default: None,
    required: false,
    help: "Basic-auth password for the Pushgateway (secret: masked, never logged).",
};

/// Input `metrics_file`.
pub const METRICS_FILE: InputSpec = InputSpec {
    name: "metrics_file",
    default: None,
    required: false,
    help: "Path where the same metrics are written in the Prometheus text format (for node_exporter's textfile collector).",
};

/// Input `github_token`.
pub const GITHUB_TOKEN: InputSpec = InputSpec {
    name: "github_token",
    default: Some("${{ github.token }}"),
    required: false,
    help: "Token for commenting on the tracking issue or pull request (secret: masked, never logged).",
};

/// Input `comment_on`.
pub const COMMENT_ON: InputSpec = InputSpec {
    name: "comment_on",
    default: None,
    required: false,
    help: "Where to post the verdict comment, updated in place on re-runs: `pr` (the event's pull request), an issue number, or empty for none.",
};

/// Input `strict_side_effects`.
pub const STRICT_SIDE_EFFECTS: InputSpec = InputSpec {
    name: "strict_side_effects",
    default: Some("false"),
    required: false,
    help: "When true, a failed push or comment makes the step exit 2 after every report is written; when false, it is a warning and the exit code stays the verdict's (true or false).",
};

/// Input `report_only`.
pub const REPORT_ONLY: InputSpec = InputSpec {
    name: "report_only",
    default: Some("false"),
    required: false,
    help: "Shadow mode: everything is computed, written and pushed, failures are annotated as warnings, and the step exits 0 whatever the verdict; `passed` and `verdict` still say what it was (true or false).",
};

/// Input `mode`.
pub const MODE: InputSpec = InputSpec {
    name: "mode",
    default: Some("pairs"),
    required: false,
    help: "`pairs`: validation_set holds labelled candidate pairs; `clusters`: it holds one row per record with its true and predicted entity, and the gate judges the clustering (pairwise, B-cubed and exact-cluster metrics).",
};

/// Input `record_column`.
pub const RECORD_COLUMN: InputSpec = InputSpec {
    name: "record_column",
    default: Some("record_id"),
    required: false,
    help: "Cluster mode: the column that identifies each record, once per record; string or integer.",
};

/// Input `true_entity_column`.
pub const TRUE_ENTITY_COLUMN: InputSpec = InputSpec {
    name: "true_entity_column",
    default: Some("true_entity_id"),
    required: false,
    help: "Cluster mode: the column of each record's true entity (the hand-labelled benchmark); string or integer, compared by exact value.",
};

/// Input `predicted_entity_column`.
pub const PREDICTED_ENTITY_COLUMN: InputSpec = InputSpec {
    name: "predicted_entity_column",
    default: Some("predicted_entity_id"),
    required: false,
    help: "Cluster mode: the column of the entity the ER system put each record in; string or integer, compared by exact value.",
};

/// Input `cluster_metric`.
pub const CLUSTER_METRIC: InputSpec = InputSpec {
    name: "cluster_metric",
    default: Some("pairwise"),
    required: false,
    help: "Cluster mode: the family min_precision, min_recall and min_f1 apply to, and that the precision, recall and f1 outputs carry: `pairwise`, `bcubed` (record-averaged) or `cluster` (exact match).",
};

/// Every input of the action, in `action.yml` order.
pub const INPUTS: &[InputSpec] = &[
    VALIDATION_SET,
    READ_TIMEOUT_SECONDS,
    COUNTS,
    CONFIG,
    MODE,
    PREDICTIONS,
    KEY_COLUMNS,
    DATASET_HASH,
    MIN_PRECISION,
    MIN_RECALL,
    MIN_F1,
    CONFIDENCE,
    ON_INCONCLUSIVE,
    SWEEP,
    LABEL_COLUMN,
    SCORE_COLUMN,
    PREDICTION_COLUMN,
    DECISION_THRESHOLD,
    NULL_POLICY,
    WEIGHT_COLUMN,
    SLICE_COLUMNS,
    MAX_SLICES,
    MIN_SLICE_SUPPORT,
    SLICE_LIMITATION_GAP,
    ERRORS_FILE,
    ERRORS_LIMIT,
    DISPLAY_COLUMNS,
    RECORD_COLUMN,
    TRUE_ENTITY_COLUMN,
    PREDICTED_ENTITY_COLUMN,
    CLUSTER_METRIC,
    SUMMARY,
    REPORT_JSON,
    CHECKSUMS,
    MANIFEST,
    BASELINE,
    MAX_PRECISION_DROP,
    MAX_RECALL_DROP,
    MAX_F1_DROP,
    MODEL_CARD,
    MODEL_CARD_TEMPLATE,
    MODEL_CARD_JSON,
    MODEL_ID,
    MODEL_VERSION,
    DATASET_DATE,
    FRAMEWORK,
    ARCHITECTURE,
    DATASET_SOURCE,
    SAMPLING_METHOD,
    LABEL_QUALITY,
    TRAINING_RUN_ID,
    TRAINING_DURATION_SECONDS,
    INFERENCE_LATENCY_SECONDS,
    LIMITATIONS,
    TRAINING_CHANGES,
    DATA_CHANGES,
    ETHICAL_CONSIDERATIONS,
    DEPLOYMENT_DATE,
    ROLLBACK_PLAN,
    PUSHGATEWAY_URL,
    PUSH_JOB,
    PUSHGATEWAY_TOKEN,
    PUSHGATEWAY_USERNAME,
    PUSHGATEWAY_PASSWORD,
    METRICS_FILE,
    GITHUB_TOKEN,
    COMMENT_ON,
    STRICT_SIDE_EFFECTS,
    REPORT_ONLY,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_constant_is_in_the_table() {
        // A constant left out of INPUTS is an input nobody can set.
        let declared = include_str!("table.rs").matches(": InputSpec = InputSpec {").count();
        assert_eq!(declared - 1, INPUTS.len(), "one match is this test's own string");
    }

    #[test]
    fn names_are_unique_snake_case_and_described() {
        let mut seen = std::collections::BTreeSet::new();
        for spec in INPUTS {
            assert!(seen.insert(spec.name), "`{}` is listed twice", spec.name);
            assert!(
                spec.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "`{}` is not snake_case",
                spec.name
            );
            assert!(spec.help.ends_with('.'), "help of `{}` is not a sentence", spec.name);
        }
    }
}
