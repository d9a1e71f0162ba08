//! One comment per gate on the tracking issue or pull request, updated in
//! place on every run.
//!
//! The comment carries a hidden marker with the gate's name (workflow and
//! job), so the next run finds and edits it instead of adding another. All
//! pages of the issue's comments are searched (`Link: rel="next"`), on the
//! API's own origin only: a next page elsewhere is never sent the token.
//! The whole step, every page and the write, ends within one [`DEADLINE`].
//! The API base is `GITHUB_API_URL`, so GitHub Enterprise Server works. A
//! `403` is what a pull request from a fork gets with its read-only token:
//! it ends in a warning, not a failed step.

use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, LINK};
use serde::Deserialize;

use crate::secret::Secret;
use crate::untrusted::shown;

/// Time limit of one request.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Time limit of the whole comment step, however many pages it reads.
pub const DEADLINE: Duration = Duration::from_secs(60);
/// Comments per page when listing.
const PER_PAGE: u32 = 100;
/// Pages read at most when looking for our comment (10,000 comments).
const MAX_PAGES: usize = 100;

/// Which issue gets the verdict comment (input `comment_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentOn {
    /// The pull request of the triggering event.
    PullRequest,
    /// This issue or pull request number.
    Issue(u64),
}

/// Where to comment and how.
#[derive(Debug, Clone)]
pub struct Target {
    /// `GITHUB_API_URL`, e.g. `https://api.github.com`.
    pub api: reqwest::Url,
    /// `owner/name`.
    pub repository: String,
    /// The issue or pull request number.
    pub number: u64,
    pub token: Secret,
    /// The hidden marker that identifies this gate's comment.
    pub marker: String,
}

/// What happened to the comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// A new comment was added.
    Created { url: String },
    /// The gate's earlier comment was edited.
    Updated { url: String },
}

/// Why a comment could not be posted.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    /// The HTTP client could not be set up (for example, no TLS roots).
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
    /// Something the comment needs is missing.
    #[error("cannot comment: {why}")]
    NotConfigured {
        /// What is missing.
        why: &'static str,
    },
    /// The token may not write comments (a fork's pull request).
    #[error(
        "the token may not comment on #{number} (403 Forbidden; a pull request from a fork gets a read-only token): {}",
        shown(message)
    )]
    Forbidden {
        /// The issue number.
        number: u64,
        /// GitHub's message.
        message: String,
    },
    /// Another error status.
    #[error("GitHub answered {status} to {method} {}: {}", shown(path), shown(message))]
    Status {
        method: &'static str,
        path: String,
        status: reqwest::StatusCode,
        /// GitHub's message.
        message: String,
    },
    /// An answer that is not the documented JSON.
    #[error("GitHub's answer to {method} {} is not the documented JSON", shown(path))]
    Unexpected {
        method: &'static str,
        path: String,
        #[source]
        source: reqwest::Error,
    },
    /// The step's deadline passed.
    #[error("the comment step took longer than its {} s deadline", DEADLINE.as_secs())]
    Deadline,
    /// A page of comments named as the next is on another origin.
    #[error(
        "the API's next page is on another origin (`{}`): not followed, the token is never sent there",
        shown(origin)
    )]
    ForeignPage {
        /// That origin.
        origin: String,
    },
    /// No answer.
    #[error("cannot reach the GitHub API at `{}`", shown(api))]
    Unreachable {
        /// The API base.
        api: String,
        #[source]
        source: reqwest::Error,
    },
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    body: Option<String>,
    html_url: String,
}

/// The marker for a gate: `<!-- er-precision-gate: <name> -->`.
pub fn marker(name: &str) -> String {
    format!("<!-- er-precision-gate: {} -->", name.replace("--", "- -"))
}

/// Creates or updates the gate's comment with `body` (the marker is added).
pub fn post(target: &Target, body: &str) -> Result<Posted, CommentError> {
    let client = super::http::client(TIMEOUT).map_err(CommentError::Client)?;
    let target = &Budgeted { target, until: Instant::now() + DEADLINE };
    let body = format!("{}\n{body}", target.marker);
    let issue = format!("repos/{}/issues/{}/comments", target.repository, target.number);
    match find(&client, target, &issue)? {
        Some(id) => {
            let path = format!("repos/{}/issues/comments/{id}", target.repository);
            let request =
                client.patch(url(target, &path)).json(&serde_json::json!({ "body": body }));
            let comment: Comment = json(send(request, target, "PATCH", &path)?, "PATCH", &path)?;
            Ok(Posted::Updated { url: comment.html_url })
        }
        None => {
            let request =
                client.post(url(target, &issue)).json(&serde_json::json!({ "body": body }));
            let comment: Comment = json(send(request, target, "POST", &issue)?, "POST", &issue)?;
            Ok(Posted::Created { url: comment.html_url })
        }
    }
}

/// A target and the instant its step must end by.
struct Budgeted<'a> {
    target: &'a Target,
    until: Instant,
}

impl std::ops::Deref for Budgeted<'_> {
    type Target = Target;

    fn deref(&self) -> &Target {
        self.target
    }
}

/// The id of the gate's earlier comment, searching every page.
fn find(client: &Client, target: &Budgeted, issue: &str) -> Result<Option<u64>, CommentError> {
    let mut next = Some(url(target, &format!("{issue}?per_page={PER_PAGE}")));
    for _ in 0..MAX_PAGES {
        let Some(page) = next.take() else { break };
        let response = send(client.get(page), target, "GET", issue)?;
        next = next_page(&response);
        if let Some(page) = next.as_ref().filter(|p| p.origin() != target.api.origin()) {
            let origin = page.origin().ascii_serialization();
            return Err(CommentError::ForeignPage { origin });
        }
        let comments: Vec<Comment> = json(response, "GET", issue)?;
        if let Some(c) =
            comments.iter().find(|c| c.body.as_deref().is_some_and(|b| b.contains(&target.marker)))
        {
            return Ok(Some(c.id));
        }
    }
    Ok(None)
}

/// The `rel="next"` URL of a `Link` header.
fn next_page(response: &Response) -> Option<reqwest::Url> {
    let link = response.headers().get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.split(';').any(|p| p.trim() == "rel=\"next\"").then(|| {
            reqwest::Url::parse(url.trim().trim_start_matches('<').trim_end_matches('>')).ok()
        })?
    })
}

fn url(target: &Target, path: &str) -> reqwest::Url {
    let base = target.api.as_str().trim_end_matches('/');
    reqwest::Url::parse(&format!("{base}/{path}")).expect("the API URL was validated")
}

fn send(
    request: RequestBuilder,
    target: &Budgeted,
    method: &'static str,
    path: &str,
) -> Result<Response, CommentError> {
    let left = target.until.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(CommentError::Deadline);
    }
    let response = request
        .timeout(left.min(TIMEOUT))
        .bearer_auth(target.token.expose())
        .header(ACCEPT, "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .send()
        .map_err(|source| CommentError::Unreachable { api: target.api.to_string(), source })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let message = response
        .json::<serde_json::Value>()
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_default();
    Err(match status {
        reqwest::StatusCode::FORBIDDEN => {
            CommentError::Forbidden { number: target.number, message }
        }
        _ => CommentError::Status { method, path: path.to_string(), status, message },
    })
}

fn json<T: serde::de::DeserializeOwned>(
    response: Response,
    method: &'static str,
    path: &str,
) -> Result<T, CommentError> {
    response.json().map_err(|source| CommentError::Unexpected {
        method,
        path: path.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_cannot_close_the_html_comment_early() {
        assert_eq!(marker("CI/gate"), "<!-- er-precision-gate: CI/gate -->");
        assert_eq!(marker("a-->b"), "<!-- er-precision-gate: a- ->b -->");
    }
}
