//! The process environment, read once into a snapshot.
//!
//! Reading the process environment happens only in [`Env::from_process`];
//! every other module takes an [`Env`], so tests inject one instead of
//! calling `set_var` (ripgrep's `parse_low_raw`). This module knows no input
//! and no GitHub file: `inputs` picks the `INPUT_*` variables out of it and
//! `integrations::github` the runner's.

use std::collections::BTreeMap;

/// A snapshot of the environment.
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

    /// The value of `name`, if set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every variable whose name starts with `prefix`, the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.vars.iter().filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v.as_str())))
    }

    /// The log filter: `RUST_LOG` if set, else `debug` when the runner asks for
    /// step debug logging (`RUNNER_DEBUG=1`), else `info`.
    pub fn log_filter(&self) -> String {
        match (self.non_empty("RUST_LOG"), self.get("RUNNER_DEBUG")) {
            (Some(filter), _) => filter.to_string(),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_filter_follows_runner_debug() {
        assert_eq!(Env::from_pairs([("RUNNER_DEBUG", "1")]).log_filter(), "debug");
        assert_eq!(
            Env::from_pairs([("RUST_LOG", "trace"), ("RUNNER_DEBUG", "1")]).log_filter(),
            "trace"
        );
        assert_eq!(Env::default().log_filter(), "info");
    }

    #[test]
    fn source_date_epoch_pins_the_time() {
        let env = Env::from_pairs([("SOURCE_DATE_EPOCH", "1760529600")]);
        assert_eq!(env.now().to_rfc3339(), "2025-10-15T12:00:00+00:00");
    }

    #[test]
    fn prefix_lists_only_matching_names() {
        let env = Env::from_pairs([("INPUT_A", "1"), ("XINPUT_B", "2"), ("INPUT_", "3")]);
        let found: Vec<_> = env.with_prefix("INPUT_").collect();
        assert_eq!(found, [("", "3"), ("A", "1")]);
    }
}
