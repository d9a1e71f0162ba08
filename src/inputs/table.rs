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
    /// The default; `None` for no default.
    pub default: Option<&'static str>,
    /// The default `action.yml` declares, when the action's differs from
    /// the command line's (`default`): a check the action makes by default
    /// and a local trial need not.
    pub action_default: Option<&'static str>,
    /// The description shown in `action.yml`, docs/reference.md and `--help`.
    pub help: &'static str,
}

/// Declares each input as a constant named after it, and [`INPUTS`], in
/// the order given: `CONSTANT = "name" (default "value")? (action
/// "value")?: "help";`.
macro_rules! inputs {
    ($($constant:ident = $name:literal $(default $default:literal)? $(action $action:literal)?: $help:literal;)*) => {
        $(
            #[doc = concat!("Input `", $name, "`.")]
            pub const $constant: InputSpec = InputSpec {
                name: $name,
                default: inputs!(@default $($default)?),
                action_default: inputs!(@default $($action)?),
                help: $help,
            };
        )*

        /// Every input of the action, in `action.yml` order.
        pub const INPUTS: &[InputSpec] = &[$($constant),*];
    };
    (@default) => { None };
    (@default $default:literal) => { Some($default) };
}

inputs! {
    VALIDATION_SET = "validation_set":
        "Path to the validation set, relative to the working directory: a parquet file, or a folder of parquet parts (every *.parquet under it, hive key=value folders allowed, hidden and _-prefixed names skipped) read as one dataset. Required unless counts is given.";
    READ_TIMEOUT_SECONDS = "read_timeout_seconds" default "600":
        "Longest time, in seconds (1 to 86400), that reading a validation_set in object storage (s3://, gs://, az://, https://) may take in all, retries with backoff on 5xx and timeouts included; past it the run stops with exit 2.";
    COUNTS = "counts":
        "Path to the counts an engine computed where the data lives (CSV or JSON rows from the queries in sql/: TP/FP/FN/TN at the decision threshold, the dataset_version, optionally the sweep's histogram and slices), evaluated instead of validation_set; the data's bytes are then not verified by this tool.";
    CONFIG = "config":
        "YAML file (e.g. .github/er-precision-gate.yml) that sets any input under its own name, plus slice rules: max_slice_gap and slice_minimums. Flags and the step's inputs win over it; it wins over defaults.";
    MODE = "mode" default "pairs":
        "`pairs`: validation_set holds labelled candidate pairs; `clusters`: it holds one row per record with its true and predicted entity, and the gate judges the clustering (pairwise, B-cubed and exact-cluster metrics).";
    PREDICTIONS = "predictions":
        "Parquet file of the model's scores or predictions, joined to the labelled pairs of validation_set on key_columns; validation_set then holds the labels only, so its hash stays the same from model to model.";
    KEY_COLUMNS = "key_columns" default "left_id,right_id":
        "Columns that identify a pair in both validation_set and predictions, comma- or newline-separated; strings or integers.";
    DATASET_HASH = "dataset_hash":
        "Expected SHA-256 of the validation set (64 hex digits, or a whole sha256sum line `<hash>  <file>` naming the validation set's file): of the file, or for a folder of the manifest of its parts. When set, it must match before any metric is reported.";
    REQUIRE_DATASET_HASH = "require_dataset_hash" default "false" action "true":
        "Refuse to evaluate (exit 2) unless dataset_hash, or a checksums line, gives the validation set's SHA-256 to verify: a pass is then always about the bytes you recorded. `true` in the action (and the shipped workflows); `false` on the command line, for trials, where the model card then says the data was not verified and does not approve the model. Not for counts, whose provenance is the engine's dataset version.";
    MIN_PRECISION = "min_precision" default "0.92":
        "Lowest passing precision, inclusive, in [0, 1].";
    MIN_RECALL = "min_recall" default "0.88":
        "Lowest passing recall, inclusive, in [0, 1].";
    MIN_F1 = "min_f1" default "0.90":
        "Lowest passing F1, inclusive, in [0, 1].";
    CONFIDENCE = "confidence":
        "Two-sided level of a Wilson confidence interval for each metric, in (0, 1), e.g. 0.95; a metric then passes when its whole interval reaches the minimum, fails when it lies below, and is inconclusive otherwise. Unset: the point value decides.";
    CLUSTER_BY = "cluster_by":
        "Which pairs are correlated, for the intervals: one id column (an entity, block or cluster id: pairs with one value are correlated) or a pair's two record id columns, comma-separated (pairs that share a record are correlated); the intervals then count the pairs as the fewer independent ones they are worth (a cluster-robust variance) and the report gives each metric's design effect. `none`: pairs are independent trials. Unset with `confidence`: the two key_columns when validation_set has both.";
    ON_INCONCLUSIVE = "on_inconclusive" default "fail":
        "What an inconclusive verdict does (with `confidence`): `fail` the step, `warn` (exit 0 with a warning) or `pass`.";
    SWEEP = "sweep" default "true":
        "Count the threshold sweep in the same pass (score decisions only): the curve, the passing range and the recommended threshold (true or false).";
    LABEL_COLUMN = "label_column" default "label":
        "Ground-truth column: boolean, an integer type holding only 0 and 1, a float type holding only 0.0 and 1.0 (as a pandas join leaves labels), or text with positive_label.";
    SCORE_COLUMN = "score_column" default "score":
        "Model score column, float32 or float64; a pair is a predicted match when score >= decision_threshold.";
    PREDICTION_COLUMN = "prediction_column":
        "Boolean, 0/1 integer or 0.0/1.0 float prediction column; when set it is used instead of the score.";
    DECISION_THRESHOLD = "decision_threshold" default "0.5":
        "Score at or above which a pair is a predicted match; any finite number (probabilities or log-odds).";
    POSITIVE_LABEL = "positive_label":
        "The label value that means a match, when label_column holds text (e.g. `match`): every other value is a non-match, a null is missing.";
    SCORE_SCALE = "score_scale" default "raw":
        "`raw`: scores are compared with decision_threshold as they are; `percent`: scores on a 0-100 scale, each divided by 100 first (the score and baseline score columns), so thresholds stay on the 0-1 scale.";
    NULL_POLICY = "null_policy" default "fail":
        "`fail`: a null label, score or prediction, or a NaN score, stops with exit 2; `skip`: such rows are left out, counted and reported.";
    WEIGHT_COLUMN = "weight_column":
        "Column of validation_set with each pair's weight (e.g. its inverse inclusion probability when pairs were sampled by score stratum); metrics and the verdict are then weighted, raw counts stay.";
    STRATA_COLUMN = "strata_column":
        "Column of validation_set with each labelled pair's stratum, when pairs were sampled stratum by stratum at different rates (e.g. by score band); with strata_sizes, every metric becomes Cochran's combined ratio estimate of the population's (each pair weighted by its stratum's candidate pairs over its labelled ones) and its interval the stratified one. String, boolean or integer.";
    STRATA_SIZES = "strata_sizes":
        "Path to a CSV `stratum,pairs` giving each stratum's candidate pairs in the population (N_h), one line a stratum of strata_column; every stratum of the data must be listed, with at least as many pairs as were labelled.";
    SLICE_COLUMNS = "slice_columns":
        "Columns of validation_set to slice the pairs by (e.g. entity_type, source), comma- or newline-separated; string, boolean or integer. Each value gets its own counts and metrics, nulls as (null).";
    MAX_SLICES = "max_slices" default "1000":
        "Most distinct values a slice column may have (1 to 100000); more stops the run (exit 2) naming the column.";
    MIN_SLICE_SUPPORT = "min_slice_support" default "30":
        "Fewest true matches a slice needs to be evaluated (0 to 1000000000); a smaller one is shown with its counts and marked not evaluated.";
    SLICE_LIMITATION_GAP = "slice_limitation_gap" default "0.05":
        "How far below the overall value an evaluated slice's precision, recall or F1 must be shown to fall (its interval at confidence, 95% when unset, wholly below overall minus this, Holm-adjusted over every slice and metric tested) to be flagged in the slice table and listed among the model card's limitations, in [0, 1].";
    ERRORS_FILE = "errors_file":
        "Path where the misclassified pairs to review are written as parquet: every column of validation_set (and, with predictions, its deciding column) plus error (false_positive or false_negative) and rank; the most confident first (false positives with the highest scores, false negatives with the lowest; with prediction_column, the first in file order).";
    ERRORS_LIMIT = "errors_limit" default "1000":
        "How many misclassified pairs of each kind errors_file keeps (0 to 1000000); 0 keeps all of them.";
    DISPLAY_COLUMNS = "display_columns":
        "Columns of validation_set (e.g. left_name,right_name,entity_type) the job summary shows for the ten most confident false positives and false negatives, every cell escaped and cut; unset, no row of the data reaches the summary (job summaries are visible to everyone with read access).";
    RECORD_COLUMN = "record_column" default "record_id":
        "Cluster mode: the column that identifies each record, once per record; string or integer.";
    TRUE_ENTITY_COLUMN = "true_entity_column" default "true_entity_id":
        "Cluster mode: the column of each record's true entity (the hand-labelled benchmark); string or integer, compared by exact value.";
    PREDICTED_ENTITY_COLUMN = "predicted_entity_column" default "predicted_entity_id":
        "Cluster mode: the column of the entity the ER system put each record in; string or integer, compared by exact value.";
    CLUSTER_METRIC = "cluster_metric" default "pairwise":
        "Cluster mode: the family min_precision, min_recall and min_f1 apply to, and that the precision, recall and f1 outputs carry: `pairwise`, `bcubed` (record-averaged) or `cluster` (exact match).";
    NAME_COLUMN = "name_column":
        "Cluster mode (or pair mode with truth and closure: a column of the truth file): a column of each record's name, or any quasi-identifier (string or integer; nulls are no name); the summary and the JSON report then give the predicted clusters' homonymy rate (the share of clusters with a name that share a name with another cluster) and name variation rate (the share of clusters with more than one distinct name), as er-evaluation's summary statistics define them.";
    TRUTH = "truth":
        "A parquet file of records' true entities (columns record_column and true_entity_column), hashed and reported; a record listed twice or a null there is exit 2, and its records the data lacks are counted and listed. In pair mode: the labelled records' entities, joined on the pair's two key_columns; the report then gives the true pairs among them, blocking recall (the share that are candidate pairs), end-to-end recall (true positives over all of them) and the candidate pairs whose label the truth disputes. In cluster mode with truth_sampling: the sampled records' entities (and truth_weight_column with truth_sampling: weights), joined on record_column; validation_set then needs no true entity column.";
    MIN_BLOCKING_RECALL = "min_blocking_recall":
        "With truth in pair mode: the lowest passing blocking recall (the share of the true pairs among the truth's records that are candidate pairs), inclusive, in [0, 1]; below it the gate fails (widen blocking).";
    RECALL_SCOPE = "recall_scope" default "candidates":
        "Which recall min_recall judges and the recall output carries: `candidates` (over the labelled candidate pairs) or, with truth in pair mode, `end_to_end` (the true positives over every true pair among the truth's records, so pairs blocking never proposed count as missed).";
    CLOSURE = "closure" default "false":
        "With truth in pair mode: close the predicted matches at the decision threshold into clusters (connected components over record ids, as production ER does) and score them against the truth as cluster mode does (pairwise, B-cubed, exact clusters), naming the largest components and the weakest link that joined each; true or false. The decision must be in validation_set (not a predictions file).";
    TRUTH_SAMPLING = "truth_sampling":
        "Cluster mode: the true entities are a sample of the population's (a benchmark), drawn `uniform` (each entity equally likely), by `cluster_size` (in proportion to its size) or with `weights` (truth_weight_column); records outside the sample have a null true entity and must still carry their predicted entity. The metrics are then estimated for the whole population with er-evaluation's estimators, each with a standard deviation (and an interval with confidence), beside the naive ones of the sampled records.";
    TRUTH_WEIGHT_COLUMN = "truth_weight_column":
        "Cluster mode with truth_sampling: weights: the column of each sampled entity's weight (its inverse inclusion probability), the same on each of its records; float or integer, finite and not negative.";
    SUMMARY = "summary" default "true":
        "Write the job summary (true or false).";
    REPORT_JSON = "report_json":
        "Path where the machine-readable JSON result is written.";
    CHECKSUMS = "checksums":
        "Path to a sha256sum-format checksums file; every file it lists is verified, relative to its folder, before the gate runs. For a folder validation_set it may be the folder's manifest: it must then list every part.";
    MANIFEST = "manifest":
        "Path where the manifest of the evaluated files is written: one sha256sum line per part of a folder validation_set (a line for its one file otherwise); a folder's dataset_hash is the SHA-256 of this file, and sha256sum -c run in the folder verifies every part.";
    BASELINE = "baseline":
        "Previous model's result to compare with: the JSON report or JSON model card of its gate run, or `latest`: the newest model card JSON in the folder of this run's cards.";
    MAX_PRECISION_DROP = "max_precision_drop":
        "Largest allowed fall of precision below the baseline, absolute, in [0, 1]; needs baseline, or baseline_score_column or baseline_prediction_column (then, with confidence, a non-inferiority margin on the paired change).";
    MAX_RECALL_DROP = "max_recall_drop":
        "Largest allowed fall of recall below the baseline, absolute, in [0, 1]; needs baseline, or a baseline score or prediction column.";
    MAX_F1_DROP = "max_f1_drop":
        "Largest allowed fall of F1 below the baseline, absolute, in [0, 1]; needs baseline, or a baseline score or prediction column.";
    BASELINE_SCORE_COLUMN = "baseline_score_column":
        "The previous model's score column, beside the deciding column (in validation_set, or in predictions when joined): the two models are then compared pair by pair (decisions changed, errors fixed and introduced, each metric's change with a paired interval, McNemar's exact test for recall), and the max_*_drop rules judge that change; float32 or float64.";
    BASELINE_PREDICTION_COLUMN = "baseline_prediction_column":
        "The previous model's predictions instead of its scores, beside the deciding column: boolean, 0/1 integer or 0.0/1.0 float.";
    BASELINE_PREDICTIONS = "baseline_predictions":
        "Path to a parquet file of the previous model's scores or predictions, joined to the labelled pairs on key_columns as predictions is: its column is baseline_score_column or baseline_prediction_column when set, else score_column or prediction_column. The two models are then compared pair by pair; the file is hashed and reported, never required to match anything.";
    BASELINE_DECISION_THRESHOLD = "baseline_decision_threshold":
        "Score at or above which the previous model predicted a match (with baseline_score_column); decision_threshold when unset.";
    MODEL_CARD = "model_card":
        "Path of the Markdown model card to write, itself a handlebars template, e.g. model_cards/er_{{dataset_date}}.md.";
    MODEL_CARD_TEMPLATE = "model_card_template":
        "Path to your own handlebars template for the model card; the built-in one is used when unset.";
    MODEL_CARD_JSON = "model_card_json":
        "Path of the JSON model card to write: the same content as the Markdown card, for tools.";
    MODEL_ID = "model_id":
        "Model id; er_<dataset_date> when unset.";
    MODEL_VERSION = "model_version":
        "The model's version, free text (e.g. a model registry version); in the card, the report and as a metric label.";
    DATASET_DATE = "dataset_date":
        "Dataset version as YYYYMMDD; today (UTC) when unset.";
    FRAMEWORK = "framework":
        "Framework the model was built with, for the model card.";
    ARCHITECTURE = "architecture":
        "Model architecture, for the model card.";
    DATASET_SOURCE = "dataset_source":
        "Where the validation set comes from, for the model card.";
    SAMPLING_METHOD = "sampling_method":
        "How the labelled pairs were sampled (e.g. stratified by score decile), for the model card.";
    LABEL_QUALITY = "label_quality":
        "How reliable the labels are (e.g. Cohen's kappa 0.87 on 500 double-labelled pairs), for the model card.";
    TRAINING_RUN_ID = "training_run_id":
        "Actions run id of the training run, linked from the model card.";
    TRAINING_DURATION_SECONDS = "training_duration_seconds":
        "How long the model took to train, in seconds, measured by your training job; pushed beside the metrics for the dashboard.";
    INFERENCE_LATENCY_SECONDS = "inference_latency_seconds":
        "The model's inference latency in seconds (e.g. its p95 per pair), measured by your own job; pushed beside the metrics for the dashboard.";
    LIMITATIONS = "limitations":
        "Known limitations, one per line, added to those derived from the data.";
    TRAINING_CHANGES = "training_changes":
        "What changed in training since the previous model (new features, parameters), one item a line, for the model card.";
    DATA_CHANGES = "data_changes":
        "What changed in the data since the previous model (quality fixes, new sources), one item a line, for the model card.";
    ETHICAL_CONSIDERATIONS = "ethical_considerations":
        "Ethical considerations, one per line.";
    DEPLOYMENT_DATE = "deployment_date":
        "Planned deployment date, for the model card.";
    ROLLBACK_PLAN = "rollback_plan":
        "How to roll back this model, for the model card.";
    PUSHGATEWAY_URL = "pushgateway_url":
        "Prometheus Pushgateway base URL (http or https); unset: nothing is pushed.";
    PUSH_JOB = "push_job" default "er_precision_gate":
        "Pushgateway job name; metrics go to the group job/<push_job>/model_id/<model_id>.";
    PUSHGATEWAY_TOKEN = "pushgateway_token":
        "Bearer token for the Pushgateway (secret: masked, never logged).";
    PUSHGATEWAY_USERNAME = "pushgateway_username":
        "Basic-auth user name for the Pushgateway; needs pushgateway_password.";
    PUSHGATEWAY_PASSWORD = "pushgateway_password":
        "Basic-auth password for the Pushgateway (secret: masked, never logged).";
    METRICS_FILE = "metrics_file":
        "Path where the same metrics are written in the Prometheus text format (for node_exporter's textfile collector).";
    GITHUB_TOKEN = "github_token" default "${{ github.token }}":
        "Token for commenting on the tracking issue or pull request (secret: masked, never logged).";
    COMMENT_ON = "comment_on":
        "Where to post the verdict comment, updated in place on re-runs: `pr` (the event's pull request), an issue number, several of them separated by commas (e.g. `42, 57`), or empty for none.";
    STRICT_SIDE_EFFECTS = "strict_side_effects" default "false":
        "When true, a failed push or comment makes the step exit 2 after every report is written; when false, it is a warning and the exit code stays the verdict's (true or false).";
    REPORT_ONLY = "report_only" default "false":
        "Shadow mode: everything is computed, written and pushed, failures are annotated as warnings, and the step exits 0 whatever the verdict; `passed` and `verdict` still say what it was (true or false).";
}

#[cfg(test)]
mod tests {
    use super::*;

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
