//! Pushing the gate's metrics (an exposition that `report::exposition`
//! writes) to a Prometheus Pushgateway.
//!
//! One push is a `PUT` of the whole group `job/<push_job>/model_id/<model_id>`,
//! so a re-run replaces its own metrics and leaves other models' alone. A
//! failed push is retried a bounded number of times with backoff; the caller
//! reports a final failure after every report is written. Owns its
//! configuration ([`PushInputs`]) and its error ([`PushError`]).

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;

use crate::secret::Secret;
use crate::untrusted::shown;

/// Attempts per push, and the pause before each retry.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];
/// Time limit of one request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How to authenticate to the Pushgateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAuth {
    /// No authentication.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic`.
    Basic { username: String, password: Secret },
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
    pub job: String,
    /// Authentication.
    pub auth: PushAuth,
    /// Where to write the exposition too.
    pub metrics_file: Option<PathBuf>,
}

/// Why a push failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The HTTP client could not be set up (for example, no TLS roots).
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
    /// No response (connection refused, DNS, timeout).
    #[error("cannot reach the Pushgateway at `{}` after {attempts} attempts", shown(url))]
    Unreachable {
        /// The push URL.
        url: String,
        attempts: usize,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The Pushgateway answered with an error status.
    #[error(
        "the Pushgateway at `{}` answered {status} after {attempts} attempts: {}",
        shown(url),
        shown(body)
    )]
    Status {
        /// The push URL.
        url: String,
        attempts: usize,
        /// The last status.
        status: reqwest::StatusCode,
        /// The start of the response body.
        body: String,
    },
}

impl PushError {
    /// Whether another attempt may succeed: the Pushgateway was not
    /// reached, or answered 5xx.
    fn is_retried(&self) -> bool {
        match self {
            PushError::Status { status, .. } => status.is_server_error(),
            PushError::Unreachable { .. } => true,
            PushError::Client(_) => false,
        }
    }
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
    let client = super::http::client(TIMEOUT).map_err(PushError::Client)?;
    let url_text = url.to_string();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let retry = match send(&client, &url, inputs, body, attempt) {
            Ok(()) => {
                log::info!("pushed metrics to {}", shown(&url_text));
                return Ok(());
            }
            Err(err) if err.is_retried() => err,
            Err(err) => return Err(err),
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

/// One PUT of the exposition, attempt number `attempt`.
fn send(
    client: &reqwest::blocking::Client,
    url: &reqwest::Url,
    inputs: &PushInputs,
    body: &str,
    attempt: usize,
) -> Result<(), PushError> {
    let request = client
        .put(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "text/plain; version=0.0.4")
        .body(body.to_string());
    let request = match &inputs.auth {
        PushAuth::None => request,
        PushAuth::Bearer(token) => request.bearer_auth(token.expose()),
        PushAuth::Basic { username, password } => {
            request.basic_auth(username, Some(password.expose()))
        }
    };
    let url = url.to_string();
    match request.send() {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => {
            let status = response.status();
            let body: String = response.text().unwrap_or_default().chars().take(200).collect();
            Err(PushError::Status { url, attempts: attempt, status, body: body.trim().to_string() })
        }
        Err(source) => Err(PushError::Unreachable { url, attempts: attempt, source }),
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
}
