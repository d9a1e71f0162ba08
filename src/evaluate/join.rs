//! The evaluation of a `predictions` file joined to the labelled pairs of
//! the validation set on `key_columns`.

use std::path::Path;

use super::earlier::Earlier;
use super::error::EvaluateError;
use super::fold::Fold;
use super::predictions::PredictionsFile;
use super::settings::Settings;
use crate::dataset::columns::Columns;
use crate::dataset::join::Labelled;
use crate::dataset::{Dataset, NullPolicy, Sha256, Source};
use crate::metrics::Tally;

/// Labelled pairs a message names when predictions are missing.
const SHOWN_KEYS: usize = 5;

/// What [`scan`] gives: the validation set, the fold of the matched pairs,
/// and the join's facts.
pub struct Joined {
    /// The validation set.
    pub dataset: Dataset,
    /// The counts of the labelled pairs that have a prediction.
    pub fold: Fold,
    /// What the join found, the predictions' hash still to come.
    pub facts: Facts,
    /// The predictions file's deciding column, which the errors file adds.
    pub decided: arrow_schema::Field,
}

/// The join's counts, before the predictions file's hash is known.
pub struct Facts {
    /// Rows of the predictions file.
    rows: u64,
    /// Labelled pairs in all.
    labelled: u64,
    /// Predictions of pairs nobody labelled.
    unlabelled: u64,
    /// Labelled pairs without a prediction.
    unpredicted: u64,
    /// The first of those, as key text.
    first_unpredicted: Vec<String>,
}

impl Facts {
    /// Applies `null_policy` to the labelled pairs without a prediction
    /// (fail: an error naming the first; skip: counted in `tally`), and
    /// gives the predictions file's part of the report.
    pub fn finish(
        self,
        settings: &Settings,
        predictions: &Path,
        size_bytes: u64,
        sha256: Sha256,
        tally: &mut Tally,
    ) -> Result<PredictionsFile, EvaluateError> {
        if self.unpredicted > 0 && settings.null_policy == NullPolicy::Fail {
            return Err(EvaluateError::Unpredicted {
                path: settings.validation_set.clone(),
                predictions: predictions.to_path_buf(),
                rows: self.unpredicted,
                first: self.first_unpredicted,
            });
        }
        tally.skipped.rows += self.unpredicted;
        tally.skipped.no_prediction += self.unpredicted;
        Ok(PredictionsFile {
            path: crate::secret::url(&predictions.display().to_string()).into_owned(),
            sha256,
            size_bytes,
            rows: self.rows,
            key_columns: settings.key_columns.clone(),
            labelled: self.labelled,
            unlabelled: self.unlabelled,
            unpredicted: self.unpredicted,
        })
    }
}

/// Reads the labelled pairs, then streams the predictions through them;
/// the previous model's decisions come from `earlier` when a file of their
/// own holds them.
pub fn scan(
    settings: &Settings,
    labelled_source: &Source,
    predictions: &Source,
    earlier: Option<&Earlier>,
    workers: usize,
) -> Result<Joined, EvaluateError> {
    let start = std::time::Instant::now();
    let labelled_set = Dataset::parse(labelled_source)?;
    let weight = settings.weight_column.as_deref();
    let keys = &settings.key_columns;
    let clustered = super::correlate::columns(settings, &labelled_set)?;
    let extra = super::correlate::extra(settings, &labelled_set, &clustered)?;
    let labelled = Labelled::load(&labelled_set, keys, settings.labels(), weight, &extra)?;
    log::debug!("indexed {} labelled pairs in {:?}", labelled.len(), start.elapsed());
    if let Some(review) = &settings.review {
        super::review::check_display(&labelled_set, review, Some(settings.decision.column()))?;
    }
    let dataset = Dataset::parse(predictions)?;
    let previous = settings.previous.as_ref().filter(|_| earlier.is_none());
    let mut deciding = vec![settings.decision.wanted()];
    deciding.extend(previous.map(crate::dataset::Decision::wanted_previous));
    let indices = labelled.resolve_predictions(&labelled_set, &dataset, &deciding)?;
    let decision = indices[settings.key_columns.len()..].to_vec();
    let columns = Columns::decision_only(&dataset, (&settings.decision, previous), &decision)?
        .scaled(settings.score_scale);
    let decided = dataset.schema().field(decision[0]).clone();
    let mask = dataset.projection(indices)?;
    let folds = dataset.fold(
        &mask,
        workers,
        || (Fold::new(settings, &clustered, dataset.rows()), 0u64),
        |(fold, unlabelled), batch, row| {
            let decided = columns.decide(batch, row)?;
            let (mut pairs, others) = labelled.pairs(&dataset, batch, row, &decided)?;
            if let (Some(earlier), Some(rows)) = (earlier, &pairs.rows) {
                pairs.previous = Some(earlier.of_rows(rows.iter().map(|r| *r as usize)));
            }
            fold.add(&pairs, row).map_err(super::scan::too_many(settings))?;
            *unlabelled += others;
            Ok(())
        },
    )?;
    let unlabelled = folds.iter().map(|(_, u)| u).sum();
    let fold = super::scan::merge(settings, folds.into_iter().map(|(f, _)| f))?;
    log::debug!("joined {} predictions in {:?}", dataset.rows(), start.elapsed());
    let (unpredicted, first) = labelled.unpredicted(SHOWN_KEYS);
    let facts = Facts {
        rows: dataset.rows(),
        labelled: labelled.len() as u64,
        unlabelled,
        unpredicted,
        first_unpredicted: first,
    };
    Ok(Joined { dataset: labelled_set, fold, facts, decided })
}
