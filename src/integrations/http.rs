//! The one HTTP client setup the integrations share: rustls, a time limit
//! per request, and a `User-Agent` that names this program and its version
//! (GitHub's API rejects requests without one).

use std::time::Duration;

use reqwest::blocking::Client;

/// A blocking client whose every request times out after `timeout`.
pub fn client(timeout: Duration) -> Result<Client, reqwest::Error> {
    Client::builder()
        .timeout(timeout)
        .user_agent(concat!("er-precision-gate/", env!("CARGO_PKG_VERSION")))
        .build()
}
