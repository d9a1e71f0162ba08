//! The table of every action input: the one place that names each input,
//! its default and its help. `action.yml`, the README's input table and
//! `--help` are checked against it by the tests.

/// One action input.
#[derive(Debug)]
pub struct InputSpec {
    /// The `action.yml` name (snake_case).
    pub name: &'static str,
    /// The default, as `action.yml` declares it; `None` for no default.
    pub default: Option<&'static str>,
    /// Whether the input must be given.
    pub required: bool,
    /// The description shown in `action.yml`, the README and `--help`.
    pub help: &'static str,
}

/// Every input of the action, in `action.yml` order.
pub const INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "validation_set",
        default: None,
        required: true,
        help: "Path to the parquet validation set, relative to the working directory.",
    },
    InputSpec {
        name: "dataset_hash",
        default: None,
        required: false,
        help: "Expected SHA-256 of the validation set (64 hex digits). When set, the file must match before any metric is reported.",
    },
    InputSpec {
        name: "min_precision",
        default: Some("0.92"),
        required: false,
        help: "Lowest passing precision, inclusive, in [0, 1].",
    },
    InputSpec {
        name: "min_recall",
        default: Some("0.88"),
        required: false,
        help: "Lowest passing recall, inclusive, in [0, 1].",
    },
    InputSpec {
        name: "min_f1",
        default: Some("0.90"),
        required: false,
        help: "Lowest passing F1, inclusive, in [0, 1].",
    },
    InputSpec {
        name: "label_column",
        default: Some("label"),
        required: false,
        help: "Ground-truth column: boolean, or an integer type holding only 0 and 1.",
    },
    InputSpec {
        name: "score_column",
        default: Some("score"),
        required: false,
        help: "Model score column, float32 or float64; a pair is a predicted match when score >= decision_threshold.",
    },
    InputSpec {
        name: "prediction_column",
        default: None,
        required: false,
        help: "Boolean or 0/1 integer prediction column; when set it is used instead of the score.",
    },
    InputSpec {
        name: "decision_threshold",
        default: Some("0.5"),
        required: false,
        help: "Score at or above which a pair is a predicted match; any finite number (probabilities or log-odds).",
    },
    InputSpec {
        name: "null_policy",
        default: Some("fail"),
        required: false,
        help: "`fail`: a null label, score or prediction, or a NaN score, stops with exit 2; `skip`: such rows are left out, counted and reported.",
    },
    InputSpec {
        name: "summary",
        default: Some("true"),
        required: false,
        help: "Write the job summary (true or false).",
    },
    InputSpec {
        name: "report_json",
        default: None,
        required: false,
        help: "Path where the machine-readable JSON result is written.",
    },
    InputSpec {
        name: "checksums",
        default: None,
        required: false,
        help: "Path to a sha256sum-format checksums file; every file it lists is verified, relative to its folder, before the gate runs.",
    },
    InputSpec {
        name: "baseline",
        default: None,
        required: false,
        help: "Path to the JSON report of the previous model's gate run, to compare with.",
    },
    InputSpec {
        name: "max_precision_drop",
        default: None,
        required: false,
        help: "Largest allowed fall of precision below the baseline, absolute, in [0, 1]; needs baseline.",
    },
    InputSpec {
        name: "max_recall_drop",
        default: None,
        required: false,
        help: "Largest allowed fall of recall below the baseline, absolute, in [0, 1]; needs baseline.",
    },
    InputSpec {
        name: "max_f1_drop",
        default: None,
        required: false,
        help: "Largest allowed fall of F1 below the baseline, absolute, in [0, 1]; needs baseline.",
    },
    InputSpec {
        name: "model_card",
        default: None,
        required: false,
        help: "Path of the Markdown model card to write, itself a handlebars template, e.g. model_cards/er_{{dataset_date}}.md.",
    },
    InputSpec {
        name: "model_card_template",
        default: None,
        required: false,
        help: "Path to your own handlebars template for the model card; the built-in one is used when unset.",
    },
    InputSpec {
        name: "model_card_json",
        default: None,
        required: false,
        help: "Path of the JSON model card to write: the same content as the Markdown card, for tools.",
    },
    InputSpec {
        name: "model_id",
        default: None,
        required: false,
        help: "Model id; er_<dataset_date> when unset.",
    },
    InputSpec {
        name: "dataset_date",
        default: None,
        required: false,
        help: "Dataset version as YYYYMMDD; today (UTC) when unset.",
    },
    InputSpec {
        name: "framework",
        default: None,
        required: false,
        help: "Framework the model was built with, for the model card.",
    },
    InputSpec {
        name: "architecture",
        default: None,
        required: false,
        help: "Model architecture, for the model card.",
    },
    InputSpec {
        name: "dataset_source",
        default: None,
        required: false,
        help: "Where the validation set comes from, for the model card.",
    },
    InputSpec {
        name: "training_run_id",
        default: None,
        required: false,
        help: "Actions run id of the training run, linked from the model card.",
    },
    InputSpec {
        name: "limitations",
        default: None,
        required: false,
        help: "Known limitations, one per line, added to those derived from the data.",
    },
    InputSpec {
        name: "ethical_considerations",
        default: None,
        required: false,
        help: "Ethical considerations, one per line.",
    },
    InputSpec {
        name: "deployment_date",
        default: None,
        required: false,
        help: "Planned deployment date, for the model card.",
    },
    InputSpec {
        name: "rollback_plan",
        default: None,
        required: false,
        help: "How to roll back this model, for the model card.",
    },
    InputSpec {
        name: "pushgateway_url",
        default: None,
        required: false,
        help: "Prometheus Pushgateway base URL (http or https); unset: nothing is pushed.",
    },
    InputSpec {
        name: "push_job",
        default: Some("er_precision_gate"),
        required: false,
        help: "Pushgateway job name; metrics go to the group job/<push_job>/model_id/<model_id>.",
    },
    InputSpec {
        name: "pushgateway_token",
        default: None,
        required: false,
        help: "Bearer token for the Pushgateway (secret: masked, never logged).",
    },
    InputSpec {
        name: "pushgateway_username",
        default: None,
        required: false,
        help: "Basic-auth user name for the Pushgateway; needs pushgateway_password.",
    },
    InputSpec {
        name: "pushgateway_password",
        default: None,
        required: false,
        help: "Basic-auth password for the Pushgateway (secret: masked, never logged).",
    },
    InputSpec {
        name: "metrics_file",
        default: None,
        required: false,
        help: "Path where the same metrics are written in the Prometheus text format (for node_exporter's textfile collector).",
    },
    InputSpec {
        name: "github_token",
        default: Some("${{ github.token }}"),
        required: false,
        help: "Token for commenting on the tracking issue or pull request (secret: masked, never logged).",
    },
    InputSpec {
        name: "comment_on",
        default: None,
        required: false,
        help: "Where to post the verdict comment, updated in place on re-runs: `pr` (the event's pull request), an issue number, or empty for none.",
    },
];
