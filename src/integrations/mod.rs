//! Talking to the world outside the evaluation: GitHub Actions' files and
//! workflow commands ([`github`]), the Prometheus Pushgateway ([`push`]) and
//! the verdict comment on an issue or pull request ([`comment`]).
//!
//! Each owns its configuration and its error type; none knows how a report
//! is rendered: they send bytes and findings that `report` made.

pub mod comment;
pub mod github;
mod http;
pub(crate) mod push;
