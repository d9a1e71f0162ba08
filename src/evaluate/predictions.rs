//! What is reported of a file of predictions joined to the labelled
//! pairs (`predictions`, `baseline_predictions`).

use crate::dataset::Sha256;

/// What the join found beside the counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PredictionsFile {
    /// The path as given.
    pub path: String,
    /// The SHA-256 of the predictions that were evaluated (never required
    /// to match anything: a new model has new predictions).
    pub sha256: Sha256,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Rows in the file, from its footer.
    pub rows: u64,
    /// The key columns both files were joined on.
    pub key_columns: Vec<String>,
    /// Labelled pairs in the validation set.
    pub labelled: u64,
    /// Predictions of pairs nobody labelled, left out.
    pub unlabelled: u64,
    /// Labelled pairs without a prediction.
    pub unpredicted: u64,
}
