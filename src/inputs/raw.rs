//! The first stage of input parsing: strings from `INPUT_*` and flags, with
//! where each came from, no typing and no I/O (ripgrep's low-level args).
//!
//! Flags override `INPUT_*`; an empty value is unset; a value left unset
//! takes the table's default in [`RawInputs::get`]. `--help` and `--version`
//! short-circuit before anything can fail.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::error::{InputError, Origin};
use super::table::{INPUTS, InputSpec};
use crate::env::Env;

/// Extra inputs the runner may pass to every container action.
const RUNNER_INPUTS: &[&str] = &["entrypoint", "args"];

/// What the command line asked for.
#[derive(Debug)]
pub enum Loaded {
    /// Evaluate with these raw inputs.
    Run(RawInputs),
    /// Print this text (`--help`, `--version`) and exit 0.
    Print(String),
}

/// Input values as strings, before typing. Empty values are unset.
#[derive(Debug, Default)]
pub struct RawInputs {
    values: BTreeMap<&'static str, (String, Origin)>,
    /// `strata_sizes` as the config file's mapping, when no input or flag
    /// gave a path.
    pub strata_listed: Option<Vec<(String, u64)>>,
}

impl RawInputs {
    /// Gathers inputs from `INPUT_*` variables, then lets flags override them.
    ///
    /// Fails on an `INPUT_*` variable that names no input, and on a command
    /// line clap cannot parse. `--help` and `--version` return their text.
    pub fn load(env: &Env, args: impl IntoIterator<Item = OsString>) -> Result<Loaded, InputError> {
        let mut raw = RawInputs::default();
        for (suffix, value) in env.with_prefix("INPUT_") {
            let name = suffix.to_lowercase();
            let Some(spec) = INPUTS.iter().find(|s| s.name == name) else {
                if RUNNER_INPUTS.contains(&name.as_str()) {
                    continue;
                }
                let normalized = name.replace(['-', ' '], "_");
                let hint = INPUTS.iter().find(|s| s.name == normalized).map(|s| s.name);
                return Err(InputError::UnknownInput {
                    var: format!("INPUT_{suffix}"),
                    name,
                    hint,
                });
            };
            raw.set(spec.name, value, Origin::Env(format!("INPUT_{suffix}")));
        }
        let matches = match command().try_get_matches_from(numbers_joined(args)) {
            Ok(m) => m,
            Err(e) => match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    return Ok(Loaded::Print(e.to_string()));
                }
                _ => return Err(InputError::Flags(e)),
            },
        };
        for spec in INPUTS {
            if let Some(value) = matches.get_one::<String>(spec.name) {
                raw.set(spec.name, value, Origin::Flag(flag(spec.name)));
            }
        }
        Ok(Loaded::Run(raw))
    }

    fn set(&mut self, name: &'static str, value: &str, origin: Origin) {
        let value = value.trim();
        if value.is_empty() {
            self.values.remove(name);
        } else {
            self.values.insert(name, (value.to_string(), origin));
        }
    }

    /// Fills the inputs that neither a flag nor the step gave (or gave as
    /// their default) from the config file.
    pub fn fill_from(&mut self, config: &super::config::Config) {
        let path = config.path.display().to_string();
        for ((spec, value), line) in config.values.iter().zip(&config.lines) {
            if !self.is_given(spec) {
                self.set(spec.name, value, Origin::Config(path.clone(), *line));
            }
        }
        if !self.is_given(&super::table::STRATA_SIZES) {
            self.strata_listed.clone_from(&config.strata_sizes);
        }
    }

    /// The value of an input and its origin, or the table's default.
    pub fn get(&self, spec: &'static InputSpec) -> Option<(&str, Origin)> {
        if let Some((value, origin)) = self.values.get(spec.name) {
            return Some((value, origin.clone()));
        }
        spec.default.map(|d| (d, Origin::Default))
    }

    /// Whether the user gave an input other than its default. The runner
    /// sets `INPUT_<NAME>` to `action.yml`'s default for every input not in
    /// `with:`, so a value equal to the default may not have come from the
    /// user, and changes nothing anyway.
    pub fn is_given(&self, spec: &'static InputSpec) -> bool {
        let default = |v: &str| Some(v) == spec.default || Some(v) == spec.action_default;
        self.values.get(spec.name).is_some_and(|(v, _)| !default(v))
    }
}

/// The environment variable the runner sets for an input (GHA.md 1.1).
#[cfg(test)]
fn env_var(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// The command-line flag for an input.
pub fn flag(name: &str) -> String {
    format!("--{}", name.replace('_', "-"))
}

/// A message for a command-line user: each action input it names, as
/// `` input `null_policy` `` or `` `null_policy: skip` ``, becomes the flag
/// (`` `--null-policy` ``, `` `--null-policy skip` ``). Messages name inputs
/// in those two shapes only, so nothing else is touched.
pub fn as_flags(message: &str) -> String {
    let mut out = message.to_string();
    for spec in INPUTS {
        let flag = flag(spec.name);
        out = out
            .replace(&format!("input `{}`", spec.name), &format!("`{flag}`"))
            .replace(&format!("`{}: ", spec.name), &format!("`{flag} "));
    }
    out
}

/// The arguments with each flag followed by a negative number (`-3.7`,
/// `-.5`, `-0`) joined to it (`--decision-threshold=-3.7`): clap would
/// take `-.5` for a short flag.
fn numbers_joined(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    for arg in args {
        let negative = arg.to_str().is_some_and(|a| a.starts_with('-') && a.parse::<f64>().is_ok());
        let flag =
            out.last().and_then(|l| l.to_str()).filter(|l| l.starts_with("--") && !l.contains('='));
        match flag.filter(|_| negative).map(str::to_string) {
            Some(flag) => {
                *out.last_mut().expect("a flag") =
                    format!("{flag}={}", arg.to_string_lossy()).into()
            }
            None => out.push(arg),
        }
    }
    out
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
        // `${{ github.token }}` is the runner's to fill: on a command line
        // there is no such default.
        let help = match spec.default.filter(|d| !d.starts_with("${{")) {
            Some(default) => format!("{} [default: {default}]", spec.help),
            None => spec.help.to_string(),
        };
        let arg = clap::Arg::new(spec.name)
            .long(spec.name.replace('_', "-"))
            .value_name("VALUE")
            .num_args(1)
            // `--decision-threshold -3.7`: a logit threshold, not a flag.
            .allow_negative_numbers(true)
            .help(help);
        cmd = cmd.arg(arg);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::table::{MIN_PRECISION, VALIDATION_SET};

    fn load(env: &[(&str, &str)], flags: &[&str]) -> Result<Loaded, InputError> {
        let env = Env::from_pairs(env.iter().copied());
        let args =
            std::iter::once("er-precision-gate").chain(flags.iter().copied()).map(OsString::from);
        RawInputs::load(&env, args)
    }

    fn raw(env: &[(&str, &str)], flags: &[&str]) -> RawInputs {
        match load(env, flags).unwrap() {
            Loaded::Run(raw) => raw,
            Loaded::Print(text) => panic!("unexpected print: {text}"),
        }
    }

    #[test]
    fn values_are_trimmed_and_blank_is_unset() {
        let r = raw(&[("INPUT_VALIDATION_SET", " v.parquet \n")], &[]);
        assert_eq!(r.get(&VALIDATION_SET).map(|(v, _)| v), Some("v.parquet"));
        let r = raw(&[("INPUT_VALIDATION_SET", "  ")], &[]);
        assert_eq!(r.get(&VALIDATION_SET).map(|(v, _)| v), None);
        assert!(!r.is_given(&VALIDATION_SET));
    }

    #[test]
    fn a_negative_number_is_a_value_not_a_flag() {
        for value in ["-3.7", "-0.5", "-.5", "-0", "-1e3"] {
            let r = raw(&[], &["--min-precision", value]);
            assert_eq!(r.get(&MIN_PRECISION).map(|(v, _)| v), Some(value));
        }
        assert!(load(&[], &["--min-precision", "--min-recall"]).is_err(), "a flag stays a flag");
    }

    #[test]
    fn flag_wins_over_environment_and_defaults_fill_the_rest() {
        let r = raw(&[("INPUT_MIN_PRECISION", "0.5")], &["--min-precision", "0.75"]);
        assert_eq!(
            r.get(&MIN_PRECISION),
            Some(("0.75", Origin::Flag("--min-precision".to_string())))
        );
        let r = raw(&[], &[]);
        assert_eq!(r.get(&MIN_PRECISION), Some(("0.92", Origin::Default)));
        assert!(!r.is_given(&MIN_PRECISION));
    }

    #[test]
    fn unknown_input_variable_is_an_error_with_a_hint() {
        match load(&[("INPUT_MIN-PRECISION", "0.9")], &[]).unwrap_err() {
            InputError::UnknownInput { name, hint, var } => {
                assert_eq!(name, "min-precision");
                assert_eq!(var, "INPUT_MIN-PRECISION");
                assert_eq!(hint, Some("min_precision"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            load(&[("INPUT_THRESHOLD", "0.9")], &[]).unwrap_err(),
            InputError::UnknownInput { hint: None, .. }
        ));
        // The runner's own extra inputs of container actions are not ours to reject.
        raw(&[("INPUT_ENTRYPOINT", ""), ("INPUT_ARGS", "")], &[]);
    }

    #[test]
    fn unknown_flag_is_an_error() {
        assert!(matches!(load(&[], &["--min-precison", "0.9"]).unwrap_err(), InputError::Flags(_)));
    }

    #[test]
    fn help_and_version_short_circuit() {
        for flag in ["--help", "--version"] {
            let loaded = load(&[("INPUT_MIN_F1", "not a number")], &[flag]).unwrap();
            assert!(matches!(loaded, Loaded::Print(_)), "{flag}");
        }
    }

    #[test]
    fn help_shows_no_runner_expression_as_a_default() {
        let Loaded::Print(help) = load(&[], &["--help"]).unwrap() else { panic!("help prints") };
        assert!(!help.contains("${{"), "{help}");
        assert!(help.contains("[default: 0.92]"), "{help}");
    }

    #[test]
    fn command_line_messages_name_flags() {
        assert_eq!(
            as_flags("set `null_policy: skip` to leave those rows out"),
            "set `--null-policy skip` to leave those rows out"
        );
        assert_eq!(
            as_flags("input `max_f1_drop` needs input `baseline`: a drop is measured"),
            "`--max-f1-drop` needs `--baseline`: a drop is measured"
        );
        assert_eq!(as_flags("column `label` of `v.parquet`"), "column `label` of `v.parquet`");
    }

    #[test]
    fn env_var_and_flag_names_follow_the_runner() {
        assert_eq!(env_var("min_f1"), "INPUT_MIN_F1");
        assert_eq!(env_var("min-f1"), "INPUT_MIN-F1");
        assert_eq!(flag("min_f1"), "--min-f1");
    }
}
