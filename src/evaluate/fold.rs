//! What each reading thread folds its batches into.

use crate::dataset::columns::{Pairs, Scores};
use crate::metrics::Tally;
use crate::review::Candidates;
use crate::slices::{Slices, TooManyValues};
use crate::sweep::Histogram;
use crate::weighted::{Batches, Weighted};

use super::Settings;

/// The counts; the scores by candidate threshold when sweeping; each
/// batch's weighted sums when pairs are weighted.
#[derive(Debug, Clone, Default)]
pub struct Fold {
    /// The confusion matrix and the rows left out.
    pub tally: Tally,
    /// The threshold sweep's counts, when sweeping.
    pub histogram: Option<Histogram>,
    /// The weighted sums by batch, with `weight_column`.
    pub weighted: Option<Batches>,
    /// The counts of each slice, with `slice_columns`.
    pub slices: Option<Slices>,
    /// The misclassified pairs to review, with `errors_file`.
    pub review: Option<Candidates>,
}

impl Fold {
    /// An empty fold for what `settings` asks.
    pub fn new(settings: &Settings) -> Fold {
        Fold {
            tally: Tally::default(),
            histogram: settings.sweeps().then(Histogram::default),
            weighted: settings.weight_column.as_ref().map(|_| Batches::default()),
            slices: (!settings.slices.columns.is_empty()).then(|| Slices::new(&settings.slices)),
            review: settings.review.as_ref().map(Candidates::new),
        }
    }

    /// Adds one batch, whose first row is file row `first_row`.
    pub fn add(&mut self, pairs: &Pairs, first_row: u64) -> Result<(), TooManyValues> {
        let present = pairs.present();
        self.tally.add_present(pairs, present.as_ref());
        if let (Some(h), Some(scores)) = (&mut self.histogram, &pairs.scores) {
            match scores {
                Scores::F64(v) => h.add_batch(v, &pairs.label, present.as_ref()),
                Scores::F32(v) => h.add_batch(v, &pairs.label, present.as_ref()),
            }
        }
        if let Some(batches) = &mut self.weighted {
            batches.add(first_row, Weighted::of_batch(pairs, present.as_ref()));
        }
        if let Some(review) = &mut self.review {
            review.add(pairs, present.as_ref(), first_row);
        }
        if let Some(slices) = &mut self.slices {
            slices.add(&pairs.slices, &pairs.label, &pairs.predicted, present.as_ref())?;
        }
        Ok(())
    }

    /// Combines two workers' folds.
    pub fn merge(self, other: &Fold) -> Result<Fold, TooManyValues> {
        let histogram = match (self.histogram, &other.histogram) {
            (Some(h), Some(o)) => Some(h.merge(o)),
            (h, None) => h,
            (None, Some(o)) => Some(o.clone()),
        };
        let weighted = match (self.weighted, &other.weighted) {
            (Some(w), Some(o)) => Some(w.merge(o)),
            (w, None) => w,
            (None, Some(o)) => Some(o.clone()),
        };
        let slices = match (self.slices, &other.slices) {
            (Some(s), Some(o)) => Some(s.merge(o)?),
            (s, None) => s,
            (None, Some(o)) => Some(o.clone()),
        };
        let review = match (self.review, &other.review) {
            (Some(r), Some(o)) => Some(r.merge(o)),
            (r, None) => r,
            (None, Some(o)) => Some(o.clone()),
        };
        Ok(Fold { tally: self.tally.merge(&other.tally), histogram, weighted, slices, review })
    }
}
