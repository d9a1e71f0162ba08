//! Which of the run's parquet files a message is about.

/// Which of the run's parquet files a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `validation_set`: the labelled pairs (and their scores, without `predictions`).
    ValidationSet,
    /// `predictions`: the model's scores, joined to the labelled pairs.
    Predictions,
    /// `baseline_predictions`: the previous model's scores, joined too.
    BaselinePredictions,
    /// `truth`: a sampled benchmark's true entities, joined to the records.
    Truth,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::ValidationSet => "validation set",
            Role::Predictions => "predictions file",
            Role::BaselinePredictions => "baseline predictions file",
            Role::Truth => "truth file",
        })
    }
}
