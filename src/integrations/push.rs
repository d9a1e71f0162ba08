//! Prometheus: the gate's metrics in the text exposition format, pushed to a
//! Pushgateway and/or written to a file for node_exporter's textfile
//! collector.
//!
//! One push is a `PUT` of the whole group `job/<push_job>/model_id/<model_id>`,
//! so a re-run replaces its own metrics and leaves other models' alone. Every
//! sample carries `dataset_hash` and `dataset_date`, which the dashboard's
//! dataset-version selector filters on. A failed push is retried a bounded
//! number of times with backoff; the caller reports a final failure and turns
//! it into exit code 2 after every report is written.

use std::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use reqwest::blocking::Client;

use crate::gate::Rule;
use crate::inputs::{PushAuth, PushInputs};
use crate::report::Report;

/// Attempts per push, and the pause before each retry.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];
/// Time limit of one request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a push failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The HTTP client could not be set up (for example, no TLS roots).
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
    /// No response (connection refused, DNS, timeout).
    #[error("cannot reach the Pushgateway at `{url}` after {attempts} attempts")]
    Unreachable {
        /// The push URL.
        url: String,
        /// Attempts made.
        attempts: usize,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The Pushgateway answered with an error status.
    #[error("the Pushgateway at `{url}` answered {status} after {attempts} attempts: {body}")]
    Status {
        /// The push URL.
        url: String,
        /// Attempts made.
        attempts: usize,
        /// The last status.
        status: reqwest::StatusCode,
        /// The start of the response body.
        body: String,
    },
}

/// Where an exposition goes, which decides its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The Pushgateway: `job` and `model_id` come from the grouping key.
    Pushgateway,
    /// A file for node_exporter's textfile collector: `model_id` is a label.
    File,
}

/// The exposition of a report: HELP and TYPE lines, then the samples.
pub fn exposition(r: &Report, target: Target) -> String {
    let mut labels = format!(
        "dataset_hash=\"{}\",dataset_date=\"{}\"",
        escape(&r.dataset.sha256.to_string()),
        escape(&r.model.dataset_date)
    );
    if target == Target::File {
        labels = format!("model_id=\"{}\",{labels}", escape(&r.model.id));
    }
    let mut e = Exposition { out: String::new(), labels };
    let metrics = [
        (
            "er_gate_precision",
            "Precision TP/(TP+FP) on the validation set; NaN when undefined.",
            r.metrics.precision,
        ),
        (
            "er_gate_recall",
            "Recall TP/(TP+FN) on the validation set; NaN when undefined.",
            r.metrics.recall,
        ),
        (
            "er_gate_f1",
            "F1 2TP/(2TP+FP+FN) on the validation set; NaN when undefined.",
            r.metrics.f1,
        ),
    ];
    for (name, help, value) in metrics {
        e.family(name, help);
        e.sample(name, None, value.unwrap_or(f64::NAN));
    }
    e.family("er_gate_threshold", "Lowest passing value of each metric.");
    for c in &r.checks {
        if let Rule::AtLeast { metric, threshold } = c.rule {
            e.sample("er_gate_threshold", Some(("metric", metric.name())), threshold);
        }
    }
    e.family("er_gate_passed", "1 when the gate passed, 0 when it failed.");
    e.sample("er_gate_passed", None, u8::from(r.passed));
    e.family("er_gate_confusion", "Confusion matrix of the evaluated pairs, by cell.");
    let c = &r.counts;
    for (cell, n) in [("tp", c.tp), ("fp", c.fp), ("fn", c.fn_), ("tn", c.tn)] {
        e.sample("er_gate_confusion", Some(("cell", cell)), n);
    }
    e.family("er_gate_rows", "Rows evaluated.");
    e.sample("er_gate_rows", None, r.rows);
    e.family("er_gate_duration_seconds", "Wall time spent evaluating the validation set.");
    e.sample("er_gate_duration_seconds", None, r.duration_seconds);
    e.family("er_gate_rows_per_second", "Rows read per second of evaluation.");
    let read = (r.rows + r.rows_skipped) as f64;
    e.sample("er_gate_rows_per_second", None, read / r.duration_seconds.max(f64::MIN_POSITIVE));
    e.out
}

/// An exposition being written; every sample gets the run's labels.
struct Exposition {
    out: String,
    labels: String,
}

impl Exposition {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, label: Option<(&str, &str)>, value: impl std::fmt::Display) {
        let labels = &self.labels;
        let _ = match label {
            Some((key, val)) => writeln!(self.out, "{name}{{{key}=\"{val}\",{labels}}} {value}"),
            None => writeln!(self.out, "{name}{{{labels}}} {value}"),
        };
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The push URL of a group: `<base>/metrics/job/<job>/model_id/<model_id>`,
/// each value as a path segment, base64url-encoded (`@base64`) when it holds
/// a `/` or is empty, as the Pushgateway requires.
pub fn group_url(base: &reqwest::Url, job: &str, model_id: &str) -> reqwest::Url {
    let mut url = base.clone();
    {
        let mut path = url.path_segments_mut().expect("http(s) URLs have a path");
        path.pop_if_empty().push("metrics");
        for (label, value) in [("job", job), ("model_id", model_id)] {
            if value.is_empty() || value.contains('/') {
                let encoded = base64::engine::general_purpose::URL_SAFE.encode(value);
                let encoded = if encoded.is_empty() { "=".to_string() } else { encoded };
                path.push(&format!("{label}@base64")).push(&encoded);
            } else {
                path.push(label).push(value);
            }
        }
    }
    url
}

/// PUTs the exposition to the Pushgateway, retrying connection failures and
/// 5xx answers with backoff.
pub fn push(
    inputs: &PushInputs,
    base: &reqwest::Url,
    model_id: &str,
    body: &str,
) -> Result<(), PushError> {
    let url = group_url(base, &inputs.job, model_id);
    let client = Client::builder().timeout(TIMEOUT).build().map_err(PushError::Client)?;
    let shown = url.to_string();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut request = client
            .put(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "text/plain; version=0.0.4")
            .body(body.to_string());
        request = match &inputs.auth {
            PushAuth::None => request,
            PushAuth::Bearer(token) => request.bearer_auth(token.expose()),
            PushAuth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
        };
        let retry = match request.send() {
            Ok(response) if response.status().is_success() => {
                log::info!("pushed metrics to {shown}");
                return Ok(());
            }
            Ok(response) => {
                let status = response.status();
                let body: String = response.text().unwrap_or_default().chars().take(200).collect();
                let err = PushError::Status {
                    url: shown.clone(),
                    attempts: attempt,
                    status,
                    body: body.trim().to_string(),
                };
                if !status.is_server_error() {
                    return Err(err);
                }
                err
            }
            Err(source) => PushError::Unreachable { url: shown.clone(), attempts: attempt, source },
        };
        match BACKOFF.get(attempt - 1) {
            Some(pause) => {
                log::warn!("push attempt {attempt} failed: {retry}; retrying in {pause:?}");
                std::thread::sleep(*pause);
            }
            None => return Err(retry),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_url_escapes_values() {
        let base = reqwest::Url::parse("http://127.0.0.1:9091/").unwrap();
        assert_eq!(
            group_url(&base, "er_precision_gate", "er_20251015").as_str(),
            "http://127.0.0.1:9091/metrics/job/er_precision_gate/model_id/er_20251015"
        );
        let base = reqwest::Url::parse("https://push.example/prefix").unwrap();
        assert_eq!(
            group_url(&base, "gate", "a/b").as_str(),
            "https://push.example/prefix/metrics/job/gate/model_id@base64/YS9i"
        );
        assert_eq!(
            group_url(&base, "gate", "a b").as_str(),
            "https://push.example/prefix/metrics/job/gate/model_id/a%20b"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
