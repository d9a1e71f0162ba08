//! Talking to the world outside the evaluation: GitHub Actions' files and
//! workflow commands. (Later: the Pushgateway and the issue comment.)

pub mod comment;
pub mod github;
pub mod push;
