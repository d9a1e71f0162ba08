//! GitHub Actions: step outputs, the job summary and workflow commands.
//!
//! Follows `@actions/core` to the letter (shared GHA.md): outputs are appended
//! to `GITHUB_OUTPUT` as `name<<delimiter` heredocs with a random delimiter,
//! the summary is appended to `GITHUB_STEP_SUMMARY`, and annotations are
//! `::error title=…::message` lines on stdout with `%`, CR and LF escaped (and
//! `:` and `,` in properties). Neither file is created: like the toolkit, a
//! missing file is an error. Outside Actions, outputs become a readable block
//! and findings plain `error:`/`warning:` lines. This is the one module that
//! knows the runner's command syntax.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Write;
use std::path::PathBuf;

use crate::env::Env;
use crate::files::{self, ReportFile, WriteError};
use crate::report::{Finding, Level, Run};

/// The runner refuses summaries over 1 MiB per step (GHA.md 1.3).
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// Why a step output, the summary or an annotation could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// A file or stream could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A value for a step output contains the heredoc delimiter (never expected).
    #[error("step output `{name}` contains its heredoc delimiter")]
    OutputDelimiter {
        /// The output name.
        name: String,
    },
}

/// The workflow command of a level.
fn level_command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    }
}

/// The Actions environment of this step.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    active: bool,
    output: Option<PathBuf>,
    summary: Option<PathBuf>,
    server_repo: Option<String>,
    run_url: Option<String>,
    commit: Option<String>,
    git_ref: Option<String>,
    attempt: Option<String>,
    api_url: String,
    repository: Option<String>,
    event_path: Option<PathBuf>,
    gate_name: String,
}

impl Actions {
    /// Reads `GITHUB_ACTIONS`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and the
    /// parts of the run URL.
    pub fn from_env(env: &Env) -> Actions {
        let path = |name| env.non_empty(name).map(PathBuf::from);
        let server_repo = match (env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")) {
            (Some(server), Some(repo)) if !server.is_empty() && !repo.is_empty() => {
                Some(format!("{}/{repo}", server.trim_end_matches('/')))
            }
            _ => None,
        };
        let run_url = match (&server_repo, env.get("GITHUB_RUN_ID")) {
            (Some(base), Some(run)) if !run.is_empty() => {
                Some(format!("{base}/actions/runs/{run}"))
            }
            _ => None,
        };
        Actions {
            active: env.get("GITHUB_ACTIONS") == Some("true"),
            output: path("GITHUB_OUTPUT"),
            summary: path("GITHUB_STEP_SUMMARY"),
            server_repo,
            run_url,
            commit: env.non_empty("GITHUB_SHA").map(str::to_string),
            git_ref: env.non_empty("GITHUB_REF").map(str::to_string),
            attempt: env.non_empty("GITHUB_RUN_ATTEMPT").map(str::to_string),
            api_url: env
                .non_empty("GITHUB_API_URL")
                .unwrap_or("https://api.github.com")
                .to_string(),
            repository: env.non_empty("GITHUB_REPOSITORY").map(str::to_string),
            event_path: path("GITHUB_EVENT_PATH"),
            gate_name: match (env.get("GITHUB_WORKFLOW"), env.get("GITHUB_JOB")) {
                (Some(workflow), Some(job)) => format!("{workflow}/{job}"),
                _ => "er-precision-gate".to_string(),
            },
        }
    }

    /// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`, when known.
    pub fn run_url(&self) -> Option<&str> {
        self.run_url.as_deref()
    }

    /// This run's page, commit, ref and attempt, for the report.
    pub fn run(&self) -> Run {
        Run {
            url: self.run_url.clone(),
            commit: self.commit.clone(),
            git_ref: self.git_ref.clone(),
            attempt: self.attempt.clone(),
        }
    }

    /// `GITHUB_API_URL`, or `https://api.github.com`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// `GITHUB_REPOSITORY` (`owner/name`), when known.
    pub fn repository(&self) -> Option<&str> {
        self.repository.as_deref()
    }

    /// The gate's name for its comment marker: `<workflow>/<job>`.
    pub fn gate_name(&self) -> &str {
        &self.gate_name
    }

    /// The pull request number of the triggering event (`pull_request`,
    /// `pull_request_target`, or an `issue_comment` on a pull request).
    pub fn pull_request_number(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.event_path.as_ref()?).ok()?;
        let event: serde_json::Value = serde_json::from_str(&text).ok()?;
        let number = |v: &serde_json::Value| v["number"].as_u64();
        number(&event["pull_request"])
            .or_else(|| event["issue"].get("pull_request").and_then(|_| number(&event["issue"])))
    }

    /// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY`, when known.
    pub fn server_repo(&self) -> Option<&str> {
        self.server_repo.as_deref()
    }

    /// Appends Markdown to the job summary; does nothing outside Actions.
    pub fn append_summary(&self, markdown: &str) -> Result<(), GithubError> {
        let Some(path) = &self.summary else {
            return Ok(());
        };
        let mut text = markdown.to_string();
        if text.len() > SUMMARY_LIMIT {
            let mut end = SUMMARY_LIMIT - 200;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push_str("\n\n> Summary truncated at the 1 MiB limit of job summaries.\n");
        }
        Ok(files::append(path, ReportFile::JobSummary, text.as_bytes())?)
    }

    /// Sets step outputs: heredocs in `GITHUB_OUTPUT`, else a readable block on `out`.
    pub fn set_outputs(
        &self,
        outputs: &[(&str, String)],
        out: &mut dyn Write,
    ) -> Result<(), GithubError> {
        match &self.output {
            Some(path) => {
                let mut text = String::new();
                for (name, value) in outputs {
                    text.push_str(&heredoc(name, value)?);
                }
                Ok(files::append(path, ReportFile::StepOutputs, text.as_bytes())?)
            }
            None => {
                let width = outputs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
                let mut text = String::from("outputs:\n");
                for (name, value) in outputs {
                    let value = if value.is_empty() { "(undefined)" } else { value };
                    text.push_str(&format!("  {name:<width$}  {value}\n"));
                }
                Ok(files::write_stream(out, &text)?)
            }
        }
    }

    /// Prints findings: annotations (workflow commands) under Actions, plain
    /// lines otherwise.
    pub fn annotate(&self, findings: &[Finding], out: &mut dyn Write) -> Result<(), GithubError> {
        let text: String = findings
            .iter()
            .map(|f| {
                if self.active {
                    format!("{}\n", command(f))
                } else {
                    format!("{}: {}: {}\n", level_command(f.level), f.title, f.message)
                }
            })
            .collect();
        Ok(files::write_stream(out, &text)?)
    }

    /// Prints `text` folded under `title` in the log (`::group::` …
    /// `::endgroup::`). The text's lines are the program's own, checked
    /// once more so none can be taken as a command.
    pub fn group(&self, title: &str, text: &str, out: &mut dyn Write) -> Result<(), GithubError> {
        let body = crate::untrusted::neutralize(text.trim_end_matches('\n'));
        let text = format!("::group::{}\n{body}\n::endgroup::\n", escape_data(title));
        Ok(files::write_stream(out, &text)?)
    }

    /// Registers secrets with the runner (`::add-mask::`) so no log line
    /// shows them; does nothing outside Actions.
    pub fn mask(&self, secrets: &[&str], out: &mut dyn Write) -> Result<(), GithubError> {
        if !self.active {
            return Ok(());
        }
        let text: String = secrets
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!("::add-mask::{}\n", escape_data(s)))
            .collect();
        Ok(files::write_unredacted(out, &text)?)
    }

    /// Whether this process runs as a GitHub Actions step (`GITHUB_ACTIONS=true`).
    pub fn is_active(&self) -> bool {
        self.active
    }
}

/// `name<<delimiter\nvalue\ndelimiter\n`, as `prepareKeyValueMessage` writes it.
fn heredoc(name: &str, value: &str) -> Result<String, GithubError> {
    let delimiter = delimiter();
    if name.contains(&delimiter) || value.contains(&delimiter) {
        return Err(GithubError::OutputDelimiter { name: name.to_string() });
    }
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// `ghadelimiter_` and 128 random bits in UUID form, like `crypto.randomUUID()`.
fn delimiter() -> String {
    let a = RandomState::new().hash_one(0u8);
    let b = RandomState::new().hash_one(1u8);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "ghadelimiter_{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A workflow command line (without the trailing newline). Besides the
/// toolkit's escaping, a legacy `##[` in the text is broken (see
/// [`crate::untrusted`]).
pub fn command(f: &Finding) -> String {
    let line = format!(
        "::{} title={}::{}",
        level_command(f.level),
        escape_property(&f.title),
        escape_data(&f.message)
    );
    line.replace("##[", "##\\[")
}

/// `escapeData`: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// `escapeProperty`: `escapeData` plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
        let a = Finding { level: Level::Error, title: "Low: P, R".into(), message: "x\ny".into() };
        assert_eq!(command(&a), "::error title=Low%3A P%2C R::x%0Ay");
    }

    #[test]
    fn heredoc_uses_a_fresh_delimiter() {
        let doc = heredoc("f1", "0.9").unwrap();
        let (first, rest) = doc.split_once('\n').unwrap();
        let delim = first.strip_prefix("f1<<").unwrap();
        assert!(delim.starts_with("ghadelimiter_") && delim.len() == 13 + 36, "{delim}");
        assert_eq!(rest, format!("0.9\n{delim}\n"));
        assert_ne!(delimiter(), delimiter());
    }

    #[test]
    fn run_url_needs_all_three_parts() {
        let env = Env::from_pairs([
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/er"),
            ("GITHUB_RUN_ID", "42"),
        ]);
        assert_eq!(
            Actions::from_env(&env).run_url(),
            Some("https://github.com/acme/er/actions/runs/42")
        );
        let env =
            Env::from_pairs([("GITHUB_SERVER_URL", "https://github.com"), ("GITHUB_RUN_ID", "42")]);
        assert_eq!(Actions::from_env(&env).run_url(), None);
    }

    #[test]
    fn outputs_outside_actions_are_a_readable_block() {
        let mut out = Vec::new();
        let outputs = [("passed", "true".to_string()), ("precision", String::new())];
        Actions::default().set_outputs(&outputs, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "outputs:\n  passed     true\n  precision  (undefined)\n"
        );
    }

    #[test]
    fn missing_output_file_is_an_error_like_the_toolkit() {
        let actions = Actions { output: Some("/nonexistent/out".into()), ..Actions::default() };
        let err = actions.set_outputs(&[("passed", "true".into())], &mut Vec::new()).unwrap_err();
        assert!(
            matches!(err, GithubError::Write(WriteError { what: ReportFile::StepOutputs, .. })),
            "{err:?}"
        );
    }
}
