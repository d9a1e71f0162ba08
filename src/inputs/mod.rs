//! Action inputs: the one table that names them, and their two-stage parsing.
//!
//! [`INPUTS`] is the single source of truth for every input: its `action.yml`
//! name, its `INPUT_<NAME>` variable, its `--kebab-case` flag, its default and
//! its help. Parsing is two stages (ripgrep's low/high args): [`RawInputs`]
//! gathers strings from the environment and the command line without I/O, then
//! [`Inputs::from_raw`] types and validates them. Reading the process
//! environment happens only in [`Env::from_process`]; everything else takes an
//! [`Env`] so tests inject one instead of calling `set_var`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::dataset::Sha256;
use crate::error::Error;
use crate::gate::Thresholds;

mod table;

pub use table::{INPUTS, InputSpec};

/// Extra inputs the runner may pass to every container action.
const RUNNER_INPUTS: &[&str] = &["entrypoint", "args"];

/// A snapshot of the environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// Reads the process environment. Non-UTF-8 values are converted lossily.
    pub fn from_process() -> Env {
        Env::from_pairs(
            std::env::vars_os()
                .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned())),
        )
    }

    /// Builds an environment from name/value pairs (for tests).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Whether the process runs as a GitHub Actions step.
    pub fn is_actions(&self) -> bool {
        self.get("GITHUB_ACTIONS") == Some("true")
    }

    /// The log filter: `RUST_LOG` if set, else `debug` when the runner asks for
    /// step debug logging (`RUNNER_DEBUG=1`), else `info`.
    pub fn log_filter(&self) -> String {
        match (self.get("RUST_LOG"), self.get("RUNNER_DEBUG")) {
            (Some(filter), _) if !filter.is_empty() => filter.to_string(),
            (_, Some("1")) => "debug".to_string(),
            _ => "info".to_string(),
        }
    }

    /// The evaluation time: `SOURCE_DATE_EPOCH` (seconds since 1970, the
    /// reproducible-builds convention) when set, else the clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.get("SOURCE_DATE_EPOCH")
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .unwrap_or_else(chrono::Utc::now)
    }

    fn inputs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().filter_map(|(k, v)| Some((k.strip_prefix("INPUT_")?, v.as_str())))
    }
}

/// Where an input's value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An `INPUT_*` environment variable.
    Env(String),
    /// A command-line flag.
    Flag(String),
    /// The default from the table.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(var) => write!(f, "from `{var}`"),
            Origin::Flag(flag) => write!(f, "from `{flag}`"),
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// The environment variable the runner sets for an input (GHA.md 1.1).
pub fn env_var(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// The command-line flag for an input.
pub fn flag(name: &str) -> String {
    format!("--{}", name.replace('_', "-"))
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Request {
    /// Evaluate with these inputs.
    Run(Box<Inputs>),
    /// Print this text (`--help`, `--version`) and exit 0.
    Print(String),
}

/// Input values as strings, before typing. Empty values are unset.
#[derive(Debug, Default)]
pub struct RawInputs {
    values: BTreeMap<&'static str, (String, Origin)>,
}

impl RawInputs {
    /// Gathers inputs from `INPUT_*` variables, then lets flags override them.
    ///
    /// Fails on an `INPUT_*` variable that names no input, and on a command
    /// line clap cannot parse. `--help` and `--version` return their text.
    pub fn load(
        env: &Env,
        args: impl IntoIterator<Item = OsString>,
    ) -> Result<Result<RawInputs, String>, Error> {
        let mut raw = RawInputs::default();
        for (suffix, value) in env.inputs() {
            let name = suffix.to_lowercase();
            let Some(spec) = INPUTS.iter().find(|s| s.name == name) else {
                if RUNNER_INPUTS.contains(&name.as_str()) {
                    continue;
                }
                let normalized = name.replace(['-', ' '], "_");
                let hint = INPUTS.iter().find(|s| s.name == normalized).map(|s| s.name);
                return Err(Error::UnknownInput { var: format!("INPUT_{suffix}"), name, hint });
            };
            raw.set(spec.name, value, Origin::Env(format!("INPUT_{suffix}")));
        }
        let matches = match command().try_get_matches_from(args) {
            Ok(m) => m,
            Err(e) => match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    return Ok(Err(e.to_string()));
                }
                _ => return Err(Error::Flags(e)),
            },
        };
        for spec in INPUTS {
            if let Some(value) = matches.get_one::<String>(spec.name) {
                raw.set(spec.name, value, Origin::Flag(flag(spec.name)));
            }
        }
        Ok(Ok(raw))
    }

    fn set(&mut self, name: &'static str, value: &str, origin: Origin) {
        let value = value.trim();
        if value.is_empty() {
            self.values.remove(name);
        } else {
            self.values.insert(name, (value.to_string(), origin));
        }
    }

    /// The value of `name` and its origin, or the table's default.
    fn get(&self, name: &'static str) -> Option<(&str, Origin)> {
        if let Some((value, origin)) = self.values.get(name) {
            return Some((value, origin.clone()));
        }
        let spec = INPUTS.iter().find(|s| s.name == name)?;
        spec.default.map(|d| (d, Origin::Default))
    }
}

/// The clap command built from [`INPUTS`].
pub fn command() -> clap::Command {
    let mut cmd = clap::Command::new("er-precision-gate")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Gate an entity-resolution model on precision, recall and F1 over a parquet validation set.")
        .after_help(
            "Every flag is also read from INPUT_<NAME> (the GitHub Actions input); a flag wins.\n\
             Exit codes: 0 gate passed, 1 gate failed, 2 could not evaluate.",
        );
    for spec in INPUTS {
        // Defaults are applied in `RawInputs::get`, not by clap, so that a flag
        // overrides INPUT_* only when it is actually given.
        let help = match spec.default {
            Some(default) => format!("{} [default: {default}]", spec.help),
            None => spec.help.to_string(),
        };
        let arg = clap::Arg::new(spec.name)
            .long(spec.name.replace('_', "-"))
            .value_name("VALUE")
            .num_args(1)
            .help(help);
        cmd = cmd.arg(arg);
    }
    cmd
}

/// What to do with rows whose label, score or prediction is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NullPolicy {
    /// Stop with exit 2, naming the columns and counts.
    Fail,
    /// Leave the rows out, count and report them.
    Skip,
}

/// How a pair becomes a predicted match.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// `score >= threshold`.
    Score {
        /// The score column.
        column: String,
        /// The decision threshold.
        threshold: f64,
    },
    /// A boolean or 0/1 column of predictions.
    Prediction {
        /// The prediction column.
        column: String,
    },
}

impl Decision {
    /// The column that decides.
    pub fn column(&self) -> &str {
        match self {
            Decision::Score { column, .. } | Decision::Prediction { column } => column,
        }
    }

    /// The input that named the deciding column.
    pub fn input(&self) -> &'static str {
        match self {
            Decision::Score { .. } => "score_column",
            Decision::Prediction { .. } => "prediction_column",
        }
    }
}

/// Typed, validated inputs.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The parquet file to evaluate.
    pub validation_set: PathBuf,
    /// The SHA-256 the file must have, if given.
    pub dataset_hash: Option<Sha256>,
    /// The gate's thresholds.
    pub thresholds: Thresholds,
    /// The ground-truth column.
    pub label_column: String,
    /// How predictions are made.
    pub decision: Decision,
    /// What to do with missing values.
    pub null_policy: NullPolicy,
    /// Whether to write the job summary.
    pub summary: bool,
    /// Where to write the JSON result.
    pub report_json: Option<PathBuf>,
    /// A checksums file to verify first.
    pub checksums: Option<PathBuf>,
    /// The previous model's report.
    pub baseline: Option<PathBuf>,
    /// Largest allowed falls below the baseline.
    pub max_drop: Drops,
    /// What the model card needs.
    pub card: CardInputs,
    /// Where and how to push metrics.
    pub push: PushInputs,
    /// Where to comment.
    pub comment_on: Option<CommentOn>,
    /// The token for comments.
    pub github_token: Option<Secret>,
}

/// Which issue gets the verdict comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentOn {
    /// The pull request of the triggering event.
    PullRequest,
    /// This issue or pull request number.
    Issue(u64),
}

/// A secret value: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How to authenticate to the Pushgateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAuth {
    /// No authentication.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

impl PushAuth {
    /// The secret values, to mask.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            PushAuth::None => Vec::new(),
            PushAuth::Bearer(token) => vec![token.expose()],
            PushAuth::Basic { password, .. } => vec![password.expose()],
        }
    }
}

/// Where and how to push metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct PushInputs {
    /// The Pushgateway's base URL; `None`: no push.
    pub url: Option<reqwest::Url>,
    /// The job name.
    pub job: String,
    /// Authentication.
    pub auth: PushAuth,
    /// Where to write the exposition too.
    pub metrics_file: Option<PathBuf>,
}

/// Largest allowed falls of each metric below the baseline; `None` = no rule.
pub type Drops = crate::metrics::PerMetric<Option<f64>>;

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
    /// The dataset version, YYYYMMDD.
    pub dataset_date: Option<String>,
    /// The framework.
    pub framework: Option<String>,
    /// The architecture.
    pub architecture: Option<String>,
    /// The validation set's source.
    pub dataset_source: Option<String>,
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

impl Inputs {
    /// Every secret value given, to mask before anything is printed.
    pub fn secrets(&self) -> Vec<&str> {
        let mut secrets = self.push.auth.secrets();
        secrets.extend(self.github_token.as_ref().map(Secret::expose));
        secrets
    }

    /// Reads and types the inputs from `env` and `args` (argv, program name first).
    pub fn load(env: &Env, args: impl IntoIterator<Item = OsString>) -> Result<Request, Error> {
        match RawInputs::load(env, args)? {
            Ok(raw) => Ok(Request::Run(Box::new(Inputs::from_raw(&raw)?))),
            Err(text) => Ok(Request::Print(text)),
        }
    }

    /// Types and validates raw inputs.
    pub fn from_raw(raw: &RawInputs) -> Result<Inputs, Error> {
        let validation_set = raw.get("validation_set").map(|(v, _)| PathBuf::from(v)).ok_or(
            Error::MissingInput {
                input: "validation_set",
                expected: "the path to a parquet validation set",
            },
        )?;
        let dataset_hash = match raw.get("dataset_hash") {
            None => None,
            Some((v, origin)) => Some(Sha256::from_hex(v).ok_or_else(|| Error::InvalidInput {
                input: "dataset_hash",
                origin,
                value: v.to_string(),
                expected: "a SHA-256 of 64 hex digits",
            })?),
        };
        let thresholds = Thresholds {
            precision: unit(raw, "min_precision")?,
            recall: unit(raw, "min_recall")?,
            f1: unit(raw, "min_f1")?,
        };
        let decision = match raw.get("prediction_column") {
            Some((column, _)) => Decision::Prediction { column: column.to_string() },
            None => Decision::Score {
                column: string(raw, "score_column"),
                threshold: finite(raw, "decision_threshold")?,
            },
        };
        let null_policy = match raw.get("null_policy") {
            Some(("fail", _)) | None => NullPolicy::Fail,
            Some(("skip", _)) => NullPolicy::Skip,
            Some((v, origin)) => {
                return Err(Error::InvalidInput {
                    input: "null_policy",
                    origin,
                    value: v.to_string(),
                    expected: "`fail` or `skip`",
                });
            }
        };
        Ok(Inputs {
            validation_set,
            dataset_hash,
            thresholds,
            label_column: string(raw, "label_column"),
            decision,
            null_policy,
            summary: boolean(raw, "summary")?,
            report_json: optional(raw, "report_json").map(PathBuf::from),
            checksums: optional(raw, "checksums").map(PathBuf::from),
            baseline: optional(raw, "baseline").map(PathBuf::from),
            max_drop: drops(raw)?,
            card: CardInputs {
                path: optional(raw, "model_card"),
                template: optional(raw, "model_card_template").map(PathBuf::from),
                json: optional(raw, "model_card_json"),
                model_id: optional(raw, "model_id"),
                dataset_date: date(raw, "dataset_date")?,
                framework: optional(raw, "framework"),
                architecture: optional(raw, "architecture"),
                dataset_source: optional(raw, "dataset_source"),
                training_run_id: optional(raw, "training_run_id"),
                limitations: lines(raw, "limitations"),
                ethical_considerations: lines(raw, "ethical_considerations"),
                deployment_date: optional(raw, "deployment_date"),
                rollback_plan: optional(raw, "rollback_plan"),
            },
            push: push(raw)?,
            comment_on: comment_on(raw)?,
            // The runner evaluates the `${{ github.token }}` default; run by
            // hand, the literal expression means no token.
            github_token: optional(raw, "github_token")
                .filter(|t| !t.starts_with("${{"))
                .map(Secret),
        })
    }
}

fn comment_on(raw: &RawInputs) -> Result<Option<CommentOn>, Error> {
    match raw.get("comment_on") {
        None => Ok(None),
        Some(("pr", _)) => Ok(Some(CommentOn::PullRequest)),
        Some((value, origin)) => match value.trim_start_matches('#').parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(CommentOn::Issue(n))),
            _ => Err(Error::InvalidInput {
                input: "comment_on",
                origin,
                value: value.to_string(),
                expected: "`pr`, an issue number such as 42, or nothing",
            }),
        },
    }
}

fn push(raw: &RawInputs) -> Result<PushInputs, Error> {
    let url = match raw.get("pushgateway_url") {
        None => None,
        Some((value, origin)) => Some(
            reqwest::Url::parse(value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                .ok_or_else(|| Error::InvalidInput {
                    input: "pushgateway_url",
                    origin,
                    value: value.to_string(),
                    expected: "an http or https URL, such as http://pushgateway:9091",
                })?,
        ),
    };
    let secret = |name| optional(raw, name).map(Secret);
    let auth = match (
        secret("pushgateway_token"),
        optional(raw, "pushgateway_username"),
        secret("pushgateway_password"),
    ) {
        (None, None, None) => PushAuth::None,
        (Some(token), None, None) => PushAuth::Bearer(token),
        (None, Some(username), Some(password)) => PushAuth::Basic { username, password },
        (Some(_), _, _) => {
            return Err(Error::ConflictingInputs {
                inputs: "pushgateway_token and pushgateway_username/pushgateway_password",
                expected: "a bearer token or basic auth, not both",
            });
        }
        (None, _, _) => {
            return Err(Error::ConflictingInputs {
                inputs: "pushgateway_username and pushgateway_password",
                expected: "both, for basic auth",
            });
        }
    };
    Ok(PushInputs {
        url,
        job: string(raw, "push_job"),
        auth,
        metrics_file: optional(raw, "metrics_file").map(PathBuf::from),
    })
}

fn optional(raw: &RawInputs, name: &'static str) -> Option<String> {
    raw.get(name).map(|(v, _)| v.to_string())
}

/// `getMultilineInput`: one item per non-empty line, each trimmed.
fn lines(raw: &RawInputs, name: &'static str) -> Vec<String> {
    raw.get(name)
        .map(|(v, _)| {
            v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
        })
        .unwrap_or_default()
}

fn drops(raw: &RawInputs) -> Result<Drops, Error> {
    let drop = |name| match raw.get(name) {
        None => Ok(None),
        Some(_) => unit(raw, name).map(Some),
    };
    let drops = Drops {
        precision: drop("max_precision_drop")?,
        recall: drop("max_recall_drop")?,
        f1: drop("max_f1_drop")?,
    };
    if raw.get("baseline").is_none() {
        for (input, set) in [
            ("max_precision_drop", drops.precision),
            ("max_recall_drop", drops.recall),
            ("max_f1_drop", drops.f1),
        ] {
            if set.is_some() {
                return Err(Error::DropWithoutBaseline { input });
            }
        }
    }
    Ok(drops)
}

/// A calendar date written YYYYMMDD.
fn date(raw: &RawInputs, name: &'static str) -> Result<Option<String>, Error> {
    let Some((value, origin)) = raw.get(name) else {
        return Ok(None);
    };
    let valid = value.len() == 8
        && value.bytes().all(|b| b.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(value, "%Y%m%d").is_ok();
    if !valid {
        return Err(Error::InvalidInput {
            input: name,
            origin,
            value: value.to_string(),
            expected: "a date as YYYYMMDD, such as 20251015",
        });
    }
    Ok(Some(value.to_string()))
}

fn string(raw: &RawInputs, name: &'static str) -> String {
    raw.get(name).map(|(v, _)| v.to_string()).unwrap_or_default()
}

fn number(raw: &RawInputs, name: &'static str, expected: &'static str) -> Result<f64, Error> {
    let (value, origin) = raw.get(name).ok_or(Error::MissingInput { input: name, expected })?;
    value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| Error::InvalidInput {
        input: name,
        origin,
        value: value.to_string(),
        expected,
    })
}

fn finite(raw: &RawInputs, name: &'static str) -> Result<f64, Error> {
    number(raw, name, "a finite number, such as 0.5")
}

fn unit(raw: &RawInputs, name: &'static str) -> Result<f64, Error> {
    const EXPECTED: &str = "a number in [0, 1], such as 0.92";
    let v = number(raw, name, EXPECTED)?;
    if (0.0..=1.0).contains(&v) {
        return Ok(v);
    }
    let (value, origin) = raw.get(name).expect("number() found a value");
    Err(Error::InvalidInput { input: name, origin, value: value.to_string(), expected: EXPECTED })
}

/// A boolean as `@actions/core` `getBooleanInput` accepts it (YAML 1.2 core schema).
fn boolean(raw: &RawInputs, name: &'static str) -> Result<bool, Error> {
    const EXPECTED: &str = "one of true, True, TRUE, false, False, FALSE";
    match raw.get(name) {
        Some(("true" | "True" | "TRUE", _)) => Ok(true),
        Some(("false" | "False" | "FALSE", _)) => Ok(false),
        Some((v, origin)) => Err(Error::InvalidInput {
            input: name,
            origin,
            value: v.to_string(),
            expected: EXPECTED,
        }),
        None => Err(Error::MissingInput { input: name, expected: EXPECTED }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(env: &[(&str, &str)], flags: &[&str]) -> Result<Inputs, Error> {
        let env = Env::from_pairs(env.iter().copied());
        let args =
            std::iter::once("er-precision-gate").chain(flags.iter().copied()).map(OsString::from);
        match Inputs::load(&env, args)? {
            Request::Run(inputs) => Ok(*inputs),
            Request::Print(text) => panic!("unexpected print: {text}"),
        }
    }

    fn invalid(result: Result<Inputs, Error>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidInput { input, origin, .. }) => (input, origin.to_string()),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    const SET: (&str, &str) = ("INPUT_VALIDATION_SET", "v.parquet");

    #[test]
    fn defaults_apply_when_only_the_file_is_given() {
        let inputs = load(&[SET], &[]).unwrap();
        assert_eq!(inputs.validation_set, PathBuf::from("v.parquet"));
        assert_eq!(inputs.thresholds, Thresholds { precision: 0.92, recall: 0.88, f1: 0.90 });
        assert_eq!(inputs.label_column, "label");
        assert_eq!(inputs.decision, Decision::Score { column: "score".into(), threshold: 0.5 });
        assert_eq!(inputs.null_policy, NullPolicy::Fail);
        assert!(inputs.summary);
        assert_eq!(inputs.dataset_hash, None);
        assert_eq!(inputs.report_json, None);
    }

    #[test]
    fn validation_set_is_required() {
        let err = load(&[], &[]).unwrap_err();
        assert!(matches!(err, Error::MissingInput { input: "validation_set", .. }), "{err:?}");
        // The runner passes an unset input as an empty string; blank is unset too.
        let err = load(&[("INPUT_VALIDATION_SET", "  ")], &[]).unwrap_err();
        assert!(matches!(err, Error::MissingInput { input: "validation_set", .. }), "{err:?}");
    }

    #[test]
    fn values_are_trimmed() {
        let inputs = load(&[("INPUT_VALIDATION_SET", " v.parquet \n")], &[]).unwrap();
        assert_eq!(inputs.validation_set, PathBuf::from("v.parquet"));
    }

    #[test]
    fn flag_wins_over_environment() {
        let inputs =
            load(&[SET, ("INPUT_MIN_PRECISION", "0.5")], &["--min-precision", "0.75"]).unwrap();
        assert_eq!(inputs.thresholds.precision, 0.75);
        let inputs = load(&[], &["--validation-set", "x.parquet"]).unwrap();
        assert_eq!(inputs.validation_set, PathBuf::from("x.parquet"));
    }

    #[test]
    fn dataset_hash_accepts_either_case_and_rejects_bad_length() {
        let upper = "A".repeat(64);
        let inputs = load(&[SET, ("INPUT_DATASET_HASH", &upper)], &[]).unwrap();
        assert_eq!(inputs.dataset_hash.unwrap().to_string(), "a".repeat(64));
        let (input, origin) = invalid(load(&[SET, ("INPUT_DATASET_HASH", "abc")], &[]));
        assert_eq!((input, origin.as_str()), ("dataset_hash", "from `INPUT_DATASET_HASH`"));
        let (input, _) = invalid(load(&[SET, ("INPUT_DATASET_HASH", &"g".repeat(64))], &[]));
        assert_eq!(input, "dataset_hash");
    }

    #[test]
    fn thresholds_must_be_numbers_in_the_unit_interval() {
        for name in ["MIN_PRECISION", "MIN_RECALL", "MIN_F1"] {
            let var = format!("INPUT_{name}");
            for bad in ["abc", "1.5", "-0.1", "NaN", "inf", "0.9x"] {
                let (input, _) = invalid(load(&[SET, (&var, bad)], &[]));
                assert_eq!(input, name.to_lowercase());
            }
            for good in ["0", "1", "1.0", ".95", "0.925"] {
                load(&[SET, (&var, good)], &[]).unwrap();
            }
        }
    }

    #[test]
    fn decision_threshold_is_any_finite_number() {
        let inputs = load(&[SET, ("INPUT_DECISION_THRESHOLD", "-2.5")], &[]).unwrap();
        assert_eq!(inputs.decision, Decision::Score { column: "score".into(), threshold: -2.5 });
        let (input, _) = invalid(load(&[SET, ("INPUT_DECISION_THRESHOLD", "NaN")], &[]));
        assert_eq!(input, "decision_threshold");
        let (_, origin) = invalid(load(&[SET], &["--decision-threshold", "half"]));
        assert_eq!(origin, "from `--decision-threshold`");
    }

    #[test]
    fn prediction_column_replaces_the_score() {
        let inputs = load(&[SET, ("INPUT_PREDICTION_COLUMN", "is_match")], &[]).unwrap();
        assert_eq!(inputs.decision, Decision::Prediction { column: "is_match".into() });
    }

    #[test]
    fn label_and_score_columns_are_read() {
        let inputs = load(
            &[SET, ("INPUT_LABEL_COLUMN", "truth"), ("INPUT_SCORE_COLUMN", "match_probability")],
            &[],
        )
        .unwrap();
        assert_eq!(inputs.label_column, "truth");
        assert_eq!(inputs.decision.column(), "match_probability");
    }

    #[test]
    fn null_policy_is_fail_or_skip() {
        let inputs = load(&[SET, ("INPUT_NULL_POLICY", "skip")], &[]).unwrap();
        assert_eq!(inputs.null_policy, NullPolicy::Skip);
        let (input, _) = invalid(load(&[SET, ("INPUT_NULL_POLICY", "drop")], &[]));
        assert_eq!(input, "null_policy");
    }

    #[test]
    fn summary_takes_only_yaml_core_booleans() {
        for (value, expected) in
            [("false", false), ("False", false), ("FALSE", false), ("True", true)]
        {
            let inputs = load(&[SET, ("INPUT_SUMMARY", value)], &[]).unwrap();
            assert_eq!(inputs.summary, expected);
        }
        for bad in ["yes", "1", "no", "tRue"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_SUMMARY", bad)], &[]));
            assert_eq!(input, "summary");
        }
    }

    #[test]
    fn report_json_is_a_path() {
        let inputs = load(&[SET, ("INPUT_REPORT_JSON", "out/gate.json")], &[]).unwrap();
        assert_eq!(inputs.report_json, Some(PathBuf::from("out/gate.json")));
    }

    #[test]
    fn checksums_and_baseline_are_paths() {
        let inputs = load(
            &[SET, ("INPUT_CHECKSUMS", "art/checksums.txt"), ("INPUT_BASELINE", "prev.json")],
            &[],
        )
        .unwrap();
        assert_eq!(inputs.checksums, Some(PathBuf::from("art/checksums.txt")));
        assert_eq!(inputs.baseline, Some(PathBuf::from("prev.json")));
    }

    #[test]
    fn drops_are_unit_numbers_that_need_a_baseline() {
        let base = ("INPUT_BASELINE", "prev.json");
        let inputs = load(&[SET, base, ("INPUT_MAX_F1_DROP", "0.02")], &[]).unwrap();
        assert_eq!(inputs.max_drop, Drops { precision: None, recall: None, f1: Some(0.02) });
        let inputs = load(
            &[SET, base, ("INPUT_MAX_PRECISION_DROP", "0"), ("INPUT_MAX_RECALL_DROP", "1")],
            &[],
        )
        .unwrap();
        assert_eq!(inputs.max_drop.precision, Some(0.0));
        assert_eq!(inputs.max_drop.recall, Some(1.0));
        let (input, _) = invalid(load(&[SET, base, ("INPUT_MAX_RECALL_DROP", "-0.1")], &[]));
        assert_eq!(input, "max_recall_drop");
        let err = load(&[SET, ("INPUT_MAX_PRECISION_DROP", "0.01")], &[]).unwrap_err();
        assert!(
            matches!(err, Error::DropWithoutBaseline { input: "max_precision_drop" }),
            "{err:?}"
        );
    }

    #[test]
    fn model_card_inputs_are_read() {
        let inputs = load(
            &[
                SET,
                ("INPUT_MODEL_CARD", "model_cards/er_{{dataset_date}}.md"),
                ("INPUT_MODEL_CARD_TEMPLATE", "card.hbs"),
                ("INPUT_MODEL_CARD_JSON", "card.json"),
                ("INPUT_MODEL_ID", "er_v7"),
                ("INPUT_DATASET_DATE", "20251015"),
                ("INPUT_FRAMEWORK", "splink 4"),
                ("INPUT_ARCHITECTURE", "Fellegi-Sunter"),
                ("INPUT_DATASET_SOURCE", "clerical review"),
                ("INPUT_TRAINING_RUN_ID", "123"),
                ("INPUT_LIMITATIONS", "  first\n\n second  \n"),
                ("INPUT_ETHICAL_CONSIDERATIONS", "names from one country"),
                ("INPUT_DEPLOYMENT_DATE", "2025-10-20"),
                ("INPUT_ROLLBACK_PLAN", "re-point alias to er_20250901"),
            ],
            &[],
        )
        .unwrap();
        let c = &inputs.card;
        assert_eq!(c.path.as_deref(), Some("model_cards/er_{{dataset_date}}.md"));
        assert_eq!(c.template, Some(PathBuf::from("card.hbs")));
        assert_eq!(c.json.as_deref(), Some("card.json"));
        assert_eq!(c.model_id.as_deref(), Some("er_v7"));
        assert_eq!(c.dataset_date.as_deref(), Some("20251015"));
        assert_eq!(c.framework.as_deref(), Some("splink 4"));
        assert_eq!(c.architecture.as_deref(), Some("Fellegi-Sunter"));
        assert_eq!(c.dataset_source.as_deref(), Some("clerical review"));
        assert_eq!(c.training_run_id.as_deref(), Some("123"));
        assert_eq!(c.limitations, ["first", "second"]);
        assert_eq!(c.ethical_considerations, ["names from one country"]);
        assert_eq!(c.deployment_date.as_deref(), Some("2025-10-20"));
        assert_eq!(c.rollback_plan.as_deref(), Some("re-point alias to er_20250901"));
    }

    #[test]
    fn dataset_date_must_be_a_real_yyyymmdd_date() {
        for bad in ["2025-10-15", "20251315", "20250230", "2025101", "+2025101"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_DATASET_DATE", bad)], &[]));
            assert_eq!(input, "dataset_date", "{bad}");
        }
        assert_eq!(load(&[SET], &[]).unwrap().card.dataset_date, None);
    }

    #[test]
    fn push_inputs_are_read_and_secrets_stay_hidden() {
        let inputs = load(&[SET], &[]).unwrap();
        assert_eq!(inputs.push.url, None);
        assert_eq!(inputs.push.job, "er_precision_gate");
        assert_eq!(inputs.push.auth, PushAuth::None);
        let inputs = load(
            &[
                SET,
                ("INPUT_PUSHGATEWAY_URL", "http://127.0.0.1:9091"),
                ("INPUT_PUSH_JOB", "er_nightly"),
                ("INPUT_PUSHGATEWAY_TOKEN", "s3cr3t-token"),
                ("INPUT_METRICS_FILE", "/var/lib/node_exporter/er.prom"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(inputs.push.url.as_ref().unwrap().as_str(), "http://127.0.0.1:9091/");
        assert_eq!(inputs.push.job, "er_nightly");
        assert_eq!(inputs.push.metrics_file, Some(PathBuf::from("/var/lib/node_exporter/er.prom")));
        assert!(matches!(&inputs.push.auth, PushAuth::Bearer(t) if t.expose() == "s3cr3t-token"));
        assert!(!format!("{inputs:?}").contains("s3cr3t"), "Debug never shows a secret");
        let inputs = load(
            &[
                SET,
                ("INPUT_PUSHGATEWAY_USERNAME", "ci"),
                ("INPUT_PUSHGATEWAY_PASSWORD", "pw-123456"),
            ],
            &[],
        )
        .unwrap();
        assert!(matches!(&inputs.push.auth, PushAuth::Basic { username, .. } if username == "ci"));
        assert!(!format!("{inputs:?}").contains("pw-123456"));
    }

    #[test]
    fn comment_inputs_are_read() {
        let inputs = load(&[SET], &[]).unwrap();
        assert_eq!(inputs.comment_on, None);
        assert_eq!(inputs.github_token, None, "the literal default is no token");
        let inputs =
            load(&[SET, ("INPUT_COMMENT_ON", "pr"), ("INPUT_GITHUB_TOKEN", "ghs_abc123")], &[])
                .unwrap();
        assert_eq!(inputs.comment_on, Some(CommentOn::PullRequest));
        assert_eq!(inputs.github_token.as_ref().map(Secret::expose), Some("ghs_abc123"));
        assert!(!format!("{inputs:?}").contains("ghs_abc123"));
        let inputs = load(&[SET, ("INPUT_COMMENT_ON", "#42")], &[]).unwrap();
        assert_eq!(inputs.comment_on, Some(CommentOn::Issue(42)));
        for bad in ["0", "-3", "issue", "4.2"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_COMMENT_ON", bad)], &[]));
            assert_eq!(input, "comment_on");
        }
    }

    #[test]
    fn push_inputs_are_validated() {
        for bad in ["not a url", "ftp://host/", "unix:/run/push.sock"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_PUSHGATEWAY_URL", bad)], &[]));
            assert_eq!(input, "pushgateway_url");
        }
        let both = load(
            &[SET, ("INPUT_PUSHGATEWAY_TOKEN", "t"), ("INPUT_PUSHGATEWAY_USERNAME", "u")],
            &[],
        );
        assert!(matches!(both.unwrap_err(), Error::ConflictingInputs { .. }));
        let half = load(&[SET, ("INPUT_PUSHGATEWAY_USERNAME", "u")], &[]);
        assert!(matches!(half.unwrap_err(), Error::ConflictingInputs { .. }));
    }

    #[test]
    fn unknown_input_variable_is_an_error_with_a_hint() {
        match load(&[SET, ("INPUT_MIN-PRECISION", "0.9")], &[]).unwrap_err() {
            Error::UnknownInput { name, hint, .. } => {
                assert_eq!(name, "min-precision");
                assert_eq!(hint, Some("min_precision"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            load(&[SET, ("INPUT_THRESHOLD", "0.9")], &[]).unwrap_err(),
            Error::UnknownInput { hint: None, .. }
        ));
        // The runner's own extra inputs of container actions are not ours to reject.
        load(&[SET, ("INPUT_ENTRYPOINT", ""), ("INPUT_ARGS", "")], &[]).unwrap();
    }

    #[test]
    fn unknown_flag_is_an_error() {
        assert!(matches!(load(&[SET], &["--min-precison", "0.9"]).unwrap_err(), Error::Flags(_)));
    }

    #[test]
    fn help_and_version_short_circuit() {
        let env = Env::from_pairs([("INPUT_MIN_F1", "not a number")]);
        for flag in ["--help", "--version"] {
            let args = ["er-precision-gate", flag].map(OsString::from);
            assert!(matches!(Inputs::load(&env, args).unwrap(), Request::Print(_)));
        }
    }

    #[test]
    fn env_var_and_flag_names_follow_the_runner() {
        assert_eq!(env_var("min_f1"), "INPUT_MIN_F1");
        assert_eq!(env_var("min-f1"), "INPUT_MIN-F1");
        assert_eq!(flag("min_f1"), "--min-f1");
    }

    #[test]
    fn log_filter_follows_runner_debug() {
        assert_eq!(Env::from_pairs([("RUNNER_DEBUG", "1")]).log_filter(), "debug");
        assert_eq!(
            Env::from_pairs([("RUST_LOG", "trace"), ("RUNNER_DEBUG", "1")]).log_filter(),
            "trace"
        );
        assert_eq!(Env::default().log_filter(), "info");
    }
}
