//! The evaluation of a `predictions` file joined to the labelled pairs of
//! the validation set on `key_columns`.

use std::path::Path;
use std::sync::Arc;

use super::{EvaluateError, Fold, Settings};
use crate::dataset::columns::Columns;
use crate::dataset::join::Labelled;
use crate::dataset::{Dataset, Role, Sha256};

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

/// Labelled pairs a message names when predictions are missing.
const SHOWN_KEYS: usize = 5;

/// What [`scan`] gives: the validation set, the fold of the matched pairs,
/// the join's facts but the predictions' hash, and the first keys without
/// a prediction.
pub struct Joined {
    /// The validation set.
    pub dataset: Dataset,
    /// The counts of the labelled pairs that have a prediction.
    pub fold: Fold,
    /// Rows of the predictions file.
    pub rows: u64,
    /// Labelled pairs in all.
    pub labelled: u64,
    /// Predictions of pairs nobody labelled.
    pub unlabelled: u64,
    /// Labelled pairs without a prediction.
    pub unpredicted: u64,
    /// The first of those, as key text.
    pub first_unpredicted: Vec<String>,
}

/// Reads the labelled pairs, then streams the predictions through them.
pub fn scan(
    settings: &Settings,
    predictions: &Path,
    (file, size): (Arc<std::fs::File>, u64),
    (pfile, psize): (Arc<std::fs::File>, u64),
    workers: usize,
) -> Result<Joined, EvaluateError> {
    let start = std::time::Instant::now();
    let labelled_set = Dataset::parse(Role::ValidationSet, &settings.validation_set, file, size)?;
    let weight = settings.weight_column.as_deref();
    let labelled =
        Labelled::load(&labelled_set, &settings.key_columns, &settings.label_column, weight)?;
    log::debug!("indexed {} labelled pairs in {:?}", labelled.len(), start.elapsed());
    let dataset = Dataset::parse(Role::Predictions, predictions, pfile, psize)?;
    let indices =
        labelled.resolve_predictions(&labelled_set, &dataset, settings.decision.wanted())?;
    let decision = *indices.last().expect("the deciding column is wanted");
    let columns = Columns::decision_only(&dataset, &settings.decision, decision);
    let mask = dataset.projection(indices);
    let folds = dataset.fold(
        &mask,
        workers,
        || (Fold::new(settings), 0u64),
        |(fold, unlabelled), batch, row| {
            let decided = columns.decide(batch, row)?;
            let (pairs, others) = labelled.pairs(&dataset, batch, row, &decided)?;
            fold.add(&pairs, row);
            *unlabelled += others;
            Ok(())
        },
    )?;
    let fold = folds.iter().fold(Fold::new(settings), |acc, (f, _)| acc.merge(f));
    log::debug!("joined {} predictions in {:?}", dataset.rows(), start.elapsed());
    let (unpredicted, first) = labelled.unpredicted(SHOWN_KEYS);
    Ok(Joined {
        rows: dataset.rows(),
        dataset: labelled_set,
        fold,
        labelled: labelled.len() as u64,
        unlabelled: folds.iter().map(|(_, u)| u).sum(),
        unpredicted,
        first_unpredicted: first,
    })
}
