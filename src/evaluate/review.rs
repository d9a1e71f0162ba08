//! The misclassified pairs to review, read back from the file whose bytes
//! are being hashed, as soon as counting has chosen them; a hash mismatch
//! discards them with everything else read.

use crate::dataset::{Dataset, DatasetError, Role};
use crate::review::{ADDED, Chosen, ReviewSettings};

use super::EvaluateError;

/// The misclassified pairs chosen, with every column of their rows.
#[derive(Debug, Clone)]
pub struct Review {
    /// Which rows, by kind and rank, and how many of each kind there were.
    pub chosen: Chosen,
    /// Their rows with every column, `error` and `rank`.
    pub rows: arrow_array::RecordBatch,
}

impl Review {
    /// Reads the chosen rows back and assembles the errors file's rows.
    pub fn read(
        dataset: &Dataset,
        chosen: Chosen,
        workers: usize,
    ) -> Result<Review, EvaluateError> {
        let schema = dataset.schema();
        if let Some(taken) = ADDED.iter().find(|c| schema.index_of(c).is_ok()) {
            return Err(EvaluateError::ErrorsColumnTaken {
                path: dataset.path().to_path_buf(),
                column: taken,
            });
        }
        let read = dataset.read_rows(&chosen.rows(), workers)?;
        let rows = chosen.assemble(&read).map_err(|e| DatasetError::Parquet {
            role: Role::ValidationSet,
            path: dataset.path().to_path_buf(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        })?;
        Ok(Review { chosen, rows })
    }
}

/// The display columns must be columns of the validation set.
pub fn check_display(dataset: &Dataset, review: &ReviewSettings) -> Result<(), DatasetError> {
    let schema = dataset.schema();
    let missing: Vec<(String, &'static str)> = review
        .display
        .iter()
        .filter(|c| schema.index_of(c).is_err())
        .map(|c| (c.clone(), "display_columns"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(DatasetError::MissingColumn {
        role: Role::ValidationSet,
        path: dataset.path().to_path_buf(),
        missing,
        available: schema.fields().iter().map(|f| f.name().clone()).collect(),
    })
}
