//! The one HTTP client setup the integrations share: rustls, a time limit
//! per request, a `User-Agent` that names this program and its version
//! (GitHub's API rejects requests without one), and redirects followed only
//! within the origin a request went to: a token or a Pushgateway password
//! is never carried to another host, whatever a server answers.

use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::redirect::{Attempt, Policy};

/// Redirects followed at most, within one origin.
const MAX_REDIRECTS: usize = 5;

/// A blocking client whose every request times out after `timeout`.
pub fn client(timeout: Duration) -> Result<Client, reqwest::Error> {
    Client::builder()
        .timeout(timeout)
        .redirect(Policy::custom(same_origin))
        .user_agent(concat!("er-precision-gate/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Follows a redirect only to the first request's origin; any other is
/// an error that names the origin refused.
fn same_origin(attempt: Attempt) -> reqwest::redirect::Action {
    let first = attempt.previous().first().map(reqwest::Url::origin);
    if first.is_some_and(|o| o != attempt.url().origin()) {
        let to = attempt.url().origin().ascii_serialization();
        attempt.error(format!("a redirect to another origin ({to}) is not followed"))
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}
