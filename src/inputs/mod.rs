//! Action inputs: the one table that names them, and their two-stage parsing.
//!
//! [`INPUTS`] is the single source of truth for every input: its `action.yml`
//! name, its `INPUT_<NAME>` variable, its `--kebab-case` flag, its default and
//! its help. Parsing is two stages (ripgrep's low/high args): [`RawInputs`]
//! gathers strings from the environment and the command line without I/O,
//! then [`Inputs::from_raw`] types and validates them into the configuration
//! types their consumers own: [`crate::evaluate::Settings`],
//! [`crate::report::CardInputs`], [`crate::integrations::push::PushInputs`].

mod clusters;
mod config;
mod correlation;
mod decision;
mod error;
mod evaluate;
mod latest;
mod origins;
mod provenance;
mod publish;
mod raw;
mod strata;
pub(crate) mod table;
mod truth;
mod values;
mod yaml;

use std::ffi::OsString;
use std::path::PathBuf;

use crate::dataset::stores::Credentials;
use crate::env::Env;
use crate::integrations::comment::CommentOn;
use crate::integrations::push::PushInputs;
use crate::report::CardInputs;
use crate::secret::Secret;

pub use error::InputError;
pub use raw::{Loaded, RawInputs, as_flags};
pub use table::{INPUTS, InputSpec};

/// The environment variables of each cloud's credentials that are
/// secret: masked in the log before anything is printed, whether or not
/// the validation set is in object storage.
const CLOUD_SECRETS: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_TOKEN",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
];

/// What the command line asked for.
#[derive(Debug)]
pub enum Request {
    /// Evaluate with these inputs.
    Run(Box<Inputs>),
    /// Print this text (`--help`, `--version`) and exit 0.
    Print(String),
}

/// Typed, validated inputs.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// What to evaluate and how.
    pub evaluate: crate::evaluate::Settings,
    /// Whether to write the job summary.
    pub summary: bool,
    /// Where to write the JSON result.
    pub report_json: Option<PathBuf>,
    /// Where to write the misclassified pairs to review.
    pub errors_file: Option<PathBuf>,
    /// Where to write the manifest of the evaluated files.
    pub manifest: Option<PathBuf>,
    /// What the model card needs.
    pub card: CardInputs,
    /// Where and how to push metrics.
    pub push: PushInputs,
    /// Where to comment.
    pub comment_on: Vec<CommentOn>,
    /// The token for comments.
    pub github_token: Option<Secret>,
    /// The cloud credentials in the environment that object storage may
    /// read (`AWS_SECRET_ACCESS_KEY`, …), to mask.
    pub cloud_secrets: Vec<Secret>,
    /// Whether a failed side effect (push, comment) makes the step exit 2.
    pub strict_side_effects: bool,
    /// Shadow mode: failures are warnings and the verdict exits 0.
    pub report_only: bool,
    /// The config file read, when one was.
    pub config: Option<PathBuf>,
}

impl Inputs {
    /// Every secret value given, to mask before anything is printed: the
    /// token and password inputs, the clouds' secret variables, and the
    /// credentials in the URLs given (user information, signatures).
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> =
            self.push.auth.secrets().into_iter().map(str::to_string).collect();
        secrets.extend(self.github_token.as_ref().map(|s| s.expose().to_string()));
        secrets.extend(self.cloud_secrets.iter().map(|s| s.expose().to_string()));
        let e = &self.evaluate;
        let urls = [Some(&e.validation_set), e.predictions.as_ref()].into_iter().flatten();
        for url in urls.filter_map(|p| p.to_str()) {
            secrets.extend(crate::secret::in_url(url));
        }
        if let Some(url) = &self.push.url {
            secrets.extend(crate::secret::in_url(url.as_str()));
        }
        secrets
    }

    /// The secrets the environment holds before any input is typed (the
    /// token and password inputs, the clouds' secret variables, URL
    /// credentials), to redact even the messages of inputs that fail.
    pub fn secrets_in(env: &Env) -> Vec<String> {
        let inputs = ["GITHUB_TOKEN", "PUSHGATEWAY_TOKEN", "PUSHGATEWAY_PASSWORD"];
        let urls = ["VALIDATION_SET", "PREDICTIONS", "PUSHGATEWAY_URL"];
        let mut secrets: Vec<String> = inputs
            .iter()
            .map(|name| format!("INPUT_{name}"))
            .chain(CLOUD_SECRETS.iter().map(|name| name.to_string()))
            .filter_map(|name| env.non_empty(&name).map(str::to_string))
            .collect();
        for name in urls {
            secrets.extend(
                env.get(&format!("INPUT_{name}")).map(crate::secret::in_url).unwrap_or_default(),
            );
        }
        secrets
    }

    /// Every file the run reads: no report may be written onto one.
    pub fn read_paths(&self) -> Vec<&std::path::Path> {
        let e = &self.evaluate;
        let optional = [&e.predictions, &e.checksums, &e.counts, &self.config, &self.card.template];
        std::iter::once(e.validation_set.as_path())
            .chain(optional.into_iter().flatten().map(PathBuf::as_path))
            .chain(e.baseline.as_ref().and_then(|b| b.path()))
            .collect()
    }

    /// Reads and types the inputs from `env` and `args` (argv, program name first).
    pub fn load(
        env: &Env,
        args: impl IntoIterator<Item = OsString>,
    ) -> Result<Request, InputError> {
        match RawInputs::load(env, args)? {
            Loaded::Run(mut raw) => {
                let config = match raw.get(&table::CONFIG) {
                    Some((path, _)) => Some(config::load(std::path::Path::new(path))?),
                    None => None,
                };
                if let Some(config) = &config {
                    raw.fill_from(config);
                }
                let mut inputs = Inputs::from_raw(&raw, env.now())?;
                inputs.cloud_secrets = CLOUD_SECRETS
                    .iter()
                    .filter_map(|name| env.non_empty(name))
                    .map(|v| Secret::new(v.to_string()))
                    .collect();
                inputs.evaluate.store.credentials = Credentials::from_vars(env.with_prefix(""));
                inputs.config = config.as_ref().map(|c| c.path.clone());
                if let Some(config) = config {
                    inputs.evaluate.slices.rules = slice_rules(config, &inputs.evaluate.slices)?;
                }
                if inputs.evaluate.clusters.is_some() && !inputs.evaluate.slices.rules.is_empty() {
                    return Err(InputError::ConflictingInputs {
                        inputs: "mode: clusters and the config file's slice rules",
                        expected: "max_slice_gap and slice_minimums in pair mode only: in cluster mode slices are reported, not judged",
                    });
                }
                Ok(Request::Run(Box::new(inputs)))
            }
            Loaded::Print(text) => Ok(Request::Print(text)),
        }
    }

    /// Types and validates raw inputs; `now` gives the default dataset
    /// date, which the card paths `baseline: latest` looks beside may hold.
    pub fn from_raw(
        raw: &RawInputs,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Inputs, InputError> {
        let card = publish::card(raw)?;
        let report_json = values::path(raw, &table::REPORT_JSON);
        let mut evaluate = evaluate::settings(raw)?;
        if raw.get(&table::BASELINE).is_some_and(|(v, _)| v == latest::LATEST) {
            let source = latest::source(raw, &card, report_json.as_deref(), now)?;
            evaluate.baseline = Some(source);
        }
        Ok(Inputs {
            evaluate,
            summary: values::boolean(raw, &table::SUMMARY)?,
            report_json,
            errors_file: values::path(raw, &table::ERRORS_FILE),
            manifest: values::path(raw, &table::MANIFEST),
            card,
            push: publish::push(raw)?,
            comment_on: publish::comment_on(raw)?,
            github_token: publish::github_token(raw),
            cloud_secrets: Vec::new(),
            strict_side_effects: values::boolean(raw, &table::STRICT_SIDE_EFFECTS)?,
            report_only: values::boolean(raw, &table::REPORT_ONLY)?,
            config: None,
        })
    }
}

/// The config file's slice rules, each on a column that is sliced.
fn slice_rules(
    config: config::Config,
    slices: &crate::slices::SliceSettings,
) -> Result<crate::slices::SliceRules, InputError> {
    let columns = &slices.columns;
    let listed = if columns.is_empty() {
        "slice_columns is not set".to_string()
    } else {
        columns
            .iter()
            .map(|c| format!("`{}`", crate::untrusted::shown(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unsliced = config.rules.minimums.iter().find(|m| !columns.contains(&m.column));
    let rule = match unsliced {
        Some(m) => {
            Some(format!("slice_minimums for column `{}`", crate::untrusted::shown(&m.column)))
        }
        None if columns.is_empty() && !config.rules.is_empty() => Some("max_slice_gap".into()),
        None => None,
    };
    match rule {
        Some(rule) => {
            Err(InputError::RuleWithoutSlices { path: config.path, rule, columns: listed })
        }
        None => Ok(config.rules),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Loads inputs from an environment and flags, as `main` does.
    pub fn load(env: &[(&str, &str)], flags: &[&str]) -> Result<Inputs, InputError> {
        let env = Env::from_pairs(env.iter().copied());
        let args =
            std::iter::once("er-precision-gate").chain(flags.iter().copied()).map(OsString::from);
        match Inputs::load(&env, args)? {
            Request::Run(inputs) => Ok(*inputs),
            Request::Print(text) => panic!("unexpected print: {text}"),
        }
    }

    /// The input and origin of an `InvalidInput`, or a panic.
    pub fn invalid<T: std::fmt::Debug>(result: Result<T, InputError>) -> (&'static str, String) {
        match result {
            Err(InputError::InvalidInput { input, origin, .. }) => (input, origin.to_string()),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    const SET: (&str, &str) = ("INPUT_VALIDATION_SET", "v.parquet");

    #[test]
    fn output_inputs_default_to_a_summary_and_nothing_else() {
        let inputs = load(&[SET], &[]).unwrap();
        assert!(inputs.summary);
        assert_eq!(inputs.report_json, None);
        assert_eq!(inputs.card, CardInputs::default());
        let inputs =
            load(&[SET, ("INPUT_SUMMARY", "false"), ("INPUT_REPORT_JSON", "out/gate.json")], &[])
                .unwrap();
        assert!(!inputs.summary);
        assert_eq!(inputs.report_json, Some(PathBuf::from("out/gate.json")));
        assert_eq!(invalid(load(&[SET, ("INPUT_SUMMARY", "yes")], &[])).0, "summary");
    }

    #[test]
    fn side_effects_warn_and_the_gate_blocks_unless_asked_otherwise() {
        let inputs = load(&[SET], &[]).unwrap();
        assert!(!inputs.strict_side_effects && !inputs.report_only);
        let inputs =
            load(&[SET, ("INPUT_STRICT_SIDE_EFFECTS", "true"), ("INPUT_REPORT_ONLY", "TRUE")], &[])
                .unwrap();
        assert!(inputs.strict_side_effects && inputs.report_only);
        assert_eq!(invalid(load(&[SET, ("INPUT_REPORT_ONLY", "1")], &[])).0, "report_only");
    }

    #[test]
    fn flags_and_environment_meet_in_one_set_of_inputs() {
        let inputs =
            load(&[("INPUT_MIN_PRECISION", "0.5")], &["--validation-set", "x.parquet"]).unwrap();
        assert_eq!(inputs.evaluate.validation_set, PathBuf::from("x.parquet"));
        assert_eq!(inputs.evaluate.thresholds.precision, 0.5);
        let (_, origin) = invalid(load(&[SET], &["--decision-threshold", "half"]));
        assert_eq!(origin, "from `--decision-threshold`");
    }

    #[test]
    fn help_and_version_short_circuit_before_typing() {
        let env = Env::from_pairs([("INPUT_MIN_F1", "not a number")]);
        for flag in ["--help", "--version"] {
            let args = ["er-precision-gate", flag].map(OsString::from);
            assert!(matches!(Inputs::load(&env, args).unwrap(), Request::Print(_)));
        }
    }
}
