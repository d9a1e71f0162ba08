//! Why the inputs could not be typed: what was given, where it came from and
//! what would have been accepted.

use std::fmt;

use crate::untrusted::shown;

/// Where an input's value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An `INPUT_*` environment variable.
    Env(String),
    /// A command-line flag.
    Flag(String),
    /// The config file, and the line, when found.
    Config(String, Option<usize>),
    /// The default from the table.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(var) => write!(f, "from `{}`", shown(var)),
            Origin::Flag(flag) => write!(f, "from `{flag}`"),
            Origin::Config(path, None) => write!(f, "from the config file `{}`", shown(path)),
            Origin::Config(path, Some(line)) => {
                write!(f, "from line {line} of the config file `{}`", shown(path))
            }
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// Why the inputs are unusable.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The command line did not parse (unknown flag, missing value).
    #[error("invalid command line")]
    Flags(#[source] clap::Error),

    /// An `INPUT_*` variable names no input of this action.
    #[error("unknown input `{}` (from `{}`){}", shown(name), shown(var), hint_suffix(.hint))]
    UnknownInput {
        /// The input name as the runner spelled it, lower-cased.
        name: String,
        /// The environment variable it came from.
        var: String,
        /// The declared input it was probably meant to be.
        hint: Option<&'static str>,
    },

    /// A required input has no value.
    #[error("input `{input}` is required: {expected}")]
    MissingInput {
        /// The input name.
        input: &'static str,
        /// What it should hold.
        expected: &'static str,
    },

    /// Inputs that cannot be given together, or not alone.
    #[error("inputs {inputs}: expected {expected}")]
    ConflictingInputs {
        /// The inputs involved.
        inputs: &'static str,
        /// What is accepted.
        expected: &'static str,
    },

    /// An input holds a value of the wrong form.
    #[error("input `{input}` ({origin}) is `{}`: expected {expected}", shown(value))]
    InvalidInput {
        /// The input name.
        input: &'static str,
        /// Where the value came from.
        origin: Origin,
        /// The value as given (never a secret).
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },

    /// A card path, rendered to find `baseline: latest`, is unsafe or malformed.
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),

    /// The config file cannot be read, or holds a key or value it cannot.
    #[error("config file `{}`: {}", crate::untrusted::path(path), shown(&problem.to_string()))]
    Config {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong, and where (line and column) when the parser knows.
        problem: ConfigProblem,
    },

    /// A slice rule of the config file with nothing to judge: its column is
    /// not sliced, or nothing is.
    #[error(
        "config file `{}` has {rule}: expected a column of slice_columns ({columns})",
        crate::untrusted::path(path)
    )]
    RuleWithoutSlices {
        /// The file.
        path: std::path::PathBuf,
        /// The rule, in prose (its column shown safely).
        rule: String,
        /// The slice columns, listed, or `slice_columns is not set`.
        columns: String,
    },

    /// A `max_*_drop` rule was given without a baseline to compare with.
    #[error(
        "input `{input}` needs input `baseline` (the previous model's report), or input `baseline_score_column` or input `baseline_prediction_column` (its decisions on these pairs): a drop is measured from the previous model's result"
    )]
    DropWithoutBaseline {
        /// The input.
        input: &'static str,
    },
}

fn hint_suffix(hint: &Option<&'static str>) -> String {
    match hint {
        Some(name) => format!(": did you mean `{name}`?"),
        None => ": see the inputs in action.yml or `--help`".to_string(),
    }
}

/// Why a config file cannot be used, its cause kept typed. Shown inside
/// [`InputError::Config`]'s message, escaped, so it is no source of it.
#[derive(Debug)]
pub enum ConfigProblem {
    /// It is not a regular file, or could not be read.
    Read(std::io::Error),
    /// It is larger than 1 MiB.
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// It is not YAML of the expected shape: the parser's message, with the
    /// line and column.
    Yaml(serde_norway::Error),
    /// Nested too deep, or uses aliases: refused before parsing.
    Shape(String),
    /// A key set twice in one mapping: the parser's message names the key
    /// and the second place; `first` is the line of the first, when the
    /// file's text shows it.
    Twice {
        /// The parser's message, at the second.
        error: serde_norway::Error,
        /// The line the key was first set on.
        first: Option<usize>,
    },
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigProblem::Read(e) => e.fmt(f),
            ConfigProblem::TooLarge { size } => {
                write!(f, "{size} bytes: expected a config file of at most 1 MiB")
            }
            ConfigProblem::Yaml(e) => e.fmt(f),
            ConfigProblem::Shape(why) => f.write_str(why),
            ConfigProblem::Twice { error, first: None } => error.fmt(f),
            ConfigProblem::Twice { error, first: Some(line) } => {
                write!(f, "{error}; it was first set on line {line}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_input_suggests_the_declared_name() {
        let err = InputError::UnknownInput {
            name: "min-precision".into(),
            var: "INPUT_MIN-PRECISION".into(),
            hint: Some("min_precision"),
        };
        assert_eq!(
            err.to_string(),
            "unknown input `min-precision` (from `INPUT_MIN-PRECISION`): did you mean `min_precision`?"
        );
        let err = InputError::UnknownInput {
            name: "threshold".into(),
            var: "INPUT_THRESHOLD".into(),
            hint: None,
        };
        assert!(err.to_string().ends_with(": see the inputs in action.yml or `--help`"), "{err}");
    }

    #[test]
    fn invalid_input_names_value_origin_and_expectation() {
        let err = InputError::InvalidInput {
            input: "min_f1",
            origin: Origin::Flag("--min-f1".into()),
            value: "x".into(),
            expected: "a number",
        };
        assert_eq!(err.to_string(), "input `min_f1` (from `--min-f1`) is `x`: expected a number");
    }
}
