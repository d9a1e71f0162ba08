//! The previous model's decisions from a file of their own
//! (`baseline_predictions`): joined to the labelled pairs on
//! `key_columns` before the metrics pass, one decision a labelled pair,
//! which the pass then reads beside the model's.

use std::sync::atomic::{AtomicU8, Ordering};

use arrow_buffer::BooleanBuffer;

use super::error::EvaluateError;
use super::predictions::PredictionsFile;
use super::settings::Settings;
use crate::dataset::columns::{Columns, Previous};
use crate::dataset::join::Labelled;
use crate::dataset::{Dataset, NullPolicy, Source};

/// No decision of the previous model for this pair.
const MISSING: u8 = 2;

/// The previous model's decision on every labelled pair, by its row in
/// the validation set.
pub struct Earlier {
    /// 0, 1 or [`MISSING`] per labelled row.
    decisions: Vec<u8>,
    /// The file's part of the report.
    pub file: PredictionsFile,
}

/// Labelled pairs a message names when the previous decision is missing.
const SHOWN_KEYS: usize = 5;

impl Earlier {
    /// Joins `file` to the labelled pairs of `validation` and keeps the
    /// previous model's decision on each. A labelled pair the file does not
    /// decide is a missing value (`null_policy`).
    pub fn load(
        settings: &Settings,
        validation: &Source,
        file: &Source,
        workers: usize,
    ) -> Result<Earlier, EvaluateError> {
        let previous = settings.previous.as_ref().expect("a previous decision with its file");
        let labelled_set = Dataset::parse(validation)?;
        let keys = &settings.key_columns;
        let labelled = Labelled::load(&labelled_set, keys, settings.labels(), None, &[])?;
        let dataset = Dataset::parse(file)?;
        let wanted = [(previous.column(), "baseline_predictions", previous.kind())];
        let indices = labelled.resolve_predictions(&labelled_set, &dataset, &wanted)?;
        let columns = Columns::decision_only(&dataset, (previous, None), &indices[keys.len()..])?
            .scaled(settings.score_scale);
        let decisions: Vec<AtomicU8> =
            (0..labelled.len()).map(|_| AtomicU8::new(MISSING)).collect();
        let folds = dataset.fold(
            &dataset.projection(indices)?,
            workers,
            || 0u64,
            |unlabelled, batch, row| {
                let decided = columns.decide(batch, row)?;
                let (pairs, others) = labelled.pairs(&dataset, batch, row, &decided)?;
                keep(&decisions, &pairs);
                *unlabelled += others;
                Ok(())
            },
        )?;
        let (unpredicted, first) = labelled.unpredicted(SHOWN_KEYS);
        if unpredicted > 0 && settings.null_policy == NullPolicy::Fail {
            return Err(EvaluateError::Unpredicted {
                path: settings.validation_set.clone(),
                predictions: file.path.clone(),
                rows: unpredicted,
                first,
            });
        }
        let hashed = file.hash(1)?;
        file.unchanged()?;
        Ok(Earlier {
            decisions: decisions.into_iter().map(AtomicU8::into_inner).collect(),
            file: PredictionsFile {
                path: crate::secret::url(&file.path.display().to_string()).into_owned(),
                sha256: hashed.sha256,
                size_bytes: file.size(),
                rows: dataset.rows(),
                key_columns: keys.clone(),
                labelled: labelled.len() as u64,
                unlabelled: folds.iter().sum(),
                unpredicted,
            },
        })
    }

    /// The previous decisions of the labelled rows `rows`.
    pub fn of_rows(&self, rows: impl Iterator<Item = usize>) -> Previous {
        let at: Vec<u8> = rows.map(|r| self.decisions[r]).collect();
        let n = at.len();
        let missing = at.contains(&MISSING);
        Previous {
            predicted: BooleanBuffer::collect_bool(n, |j| at[j] == 1),
            valid: missing.then(|| BooleanBuffer::collect_bool(n, |j| at[j] != MISSING)),
        }
    }
}

/// Keeps the previous model's decision on each labelled pair of `pairs`
/// whose score or prediction is present.
fn keep(decisions: &[AtomicU8], pairs: &crate::dataset::columns::Pairs) {
    let present = pairs.present();
    for (j, &at) in pairs.rows.as_deref().unwrap_or_default().iter().enumerate() {
        if present.as_ref().is_none_or(|p| p.value(j)) {
            decisions[at as usize].store(u8::from(pairs.predicted.value(j)), Ordering::Relaxed);
        }
    }
}
