//! The crate's one error: everything that stops a run before or after its
//! verdict, wrapping each layer's own error type.
//!
//! A failed gate is not an error (see [`crate::gate::Verdict`]); every variant
//! here means "could not evaluate", or a report or side effect that failed,
//! and maps to exit code 2. The wrapped errors keep their messages: this type
//! adds only the annotation title and the exit code.

use std::io;
use std::path::PathBuf;

pub use crate::causes::{chain, sources};
use crate::evaluate::EvaluateError;
use crate::exit::Exit;
use crate::files::{ReportFile, WriteError};
use crate::inputs::InputError;
use crate::integrations::comment::CommentError;
use crate::integrations::github::GithubError;
use crate::integrations::push::PushError;
use crate::report::RenderError;

/// Why a run could not produce or publish a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The inputs are unusable.
    #[error(transparent)]
    Input(#[from] InputError),

    /// The evaluation stopped before a verdict.
    #[error(transparent)]
    Evaluate(#[from] EvaluateError),

    /// A template failed to parse or render.
    #[error(transparent)]
    Render(#[from] RenderError),

    /// A user template could not be read.
    #[error("cannot read template `{}`", crate::untrusted::path(path))]
    ReadTemplate {
        /// The template file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },

    /// The misclassified pairs could not be encoded as parquet.
    #[error("cannot encode the errors file as parquet")]
    EncodeErrors(#[source] parquet::errors::ParquetError),

    /// A report could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),

    /// A step output, the summary or an annotation could not be written.
    #[error(transparent)]
    Github(#[from] GithubError),

    /// The metrics could not be pushed (reported after every other report).
    #[error("metrics were not pushed")]
    Push(#[source] PushError),

    /// The verdict comment could not be posted (reported after every other report).
    #[error("the verdict comment was not posted")]
    Comment(#[source] CommentError),
}

impl Error {
    /// How the process ends on this error: always "could not evaluate".
    pub fn exit(&self) -> Exit {
        Exit::CouldNotEvaluate
    }

    /// A short title for the `::error` annotation.
    pub fn title(&self) -> &'static str {
        match self {
            Error::Input(_) => "Invalid input",
            Error::Evaluate(e) => e.title(),
            Error::Render(e) => e.title(),
            Error::ReadTemplate { .. } => "Template error",
            Error::Write(_) | Error::Github(_) | Error::EncodeErrors(_) => "Cannot write report",
            Error::Push(_) => "Metrics not pushed",
            Error::Comment(_) => "Comment not posted",
        }
    }

    /// Whether this is the job summary failing to be written (so an error
    /// summary cannot be written either).
    pub fn is_summary_failure(&self) -> bool {
        matches!(self, Error::Github(GithubError::Write(w)) if w.what == ReportFile::JobSummary)
    }

    /// The messages of the error's sources, outermost first.
    pub fn causes(&self) -> Vec<String> {
        sources(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::DatasetError;

    #[test]
    fn wrapping_keeps_the_message_and_the_causes() {
        let io = io::Error::new(io::ErrorKind::NotFound, "No such file or directory");
        let err = Error::from(EvaluateError::from(DatasetError::Read {
            role: crate::dataset::Role::ValidationSet,
            path: "v.parquet".into(),
            source: io,
        }));
        assert_eq!(err.to_string(), "cannot read validation set `v.parquet`");
        assert_eq!(err.causes(), ["No such file or directory"]);
        assert_eq!(
            chain(&err),
            ["cannot read validation set `v.parquet`", "No such file or directory"]
        );
        assert_eq!(err.title(), "Cannot evaluate validation set");
    }

    #[test]
    fn titles_follow_the_kind_of_failure() {
        let mismatch = Error::from(EvaluateError::HashMismatch {
            path: "v.parquet".into(),
            against: "`dataset_hash`".into(),
            expected: "a".into(),
            actual: "b".into(),
            folder: false,
        });
        assert_eq!(mismatch.title(), "Checksum mismatch");
        let input = Error::from(InputError::DropWithoutBaseline { input: "max_f1_drop" });
        assert_eq!(input.title(), "Invalid input");
        let push = Error::Push(PushError::Status {
            url: "http://p/".into(),
            attempts: 3,
            status: reqwest::StatusCode::BAD_REQUEST,
            body: String::new(),
        });
        assert_eq!(push.title(), "Metrics not pushed");
        assert_eq!(push.causes().len(), 1);
    }
}
