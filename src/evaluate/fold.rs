//! What each reading thread folds its batches into.

use crate::correlation::{Bits, Correlated};
use crate::dataset::columns::Pairs;
use crate::metrics::Tally;
use crate::paired::Flips;
use crate::review::Candidates;
use crate::slices::{SliceSettings, Slices, TooManyValues};
use crate::sweep::Histogram;
use crate::weighted::{Batches, Weighted};

use super::settings::Settings;

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
    /// The sums per cluster id, with `cluster_by`.
    pub correlated: Option<Correlated>,
    /// Both models' decisions counted together, with a baseline score or
    /// prediction column.
    pub flips: Option<Flips>,
    /// How many of the pairs' extra columns are counted as slices (the
    /// slice columns, then `strata_column`): the rest are the `cluster_by`
    /// ones.
    pub sliced: usize,
}

impl Fold {
    /// An empty fold for what `settings` asks, `clustered` the
    /// `cluster_by` columns read (none: independent pairs), for a file of
    /// `rows` rows (the sweep keeps the scores when they fit).
    pub fn new(settings: &Settings, clustered: &[String], rows: u64) -> Fold {
        let strata = settings.strata.iter().map(|s| s.column.clone());
        let sliced = SliceSettings {
            columns: settings.slices.columns.iter().cloned().chain(strata).collect(),
            ..settings.slices.clone()
        };
        Fold {
            tally: Tally::default(),
            histogram: settings.sweeps().then(|| Histogram::keeping(rows)),
            weighted: settings.weight_column.as_ref().map(|_| Batches::default()),
            slices: (!sliced.columns.is_empty()).then(|| Slices::new(&sliced)),
            review: settings.review.as_ref().map(Candidates::new),
            correlated: (!clustered.is_empty()).then(|| {
                let slices = settings.slices.columns.len();
                Correlated::new(clustered.to_vec(), settings.previous.is_some(), slices)
            }),
            flips: settings.previous.as_ref().map(|_| Flips::default()),
            sliced: sliced.columns.len(),
        }
    }

    /// Adds one batch, whose first row is file row `first_row`.
    pub fn add(&mut self, pairs: &Pairs, first_row: u64) -> Result<(), TooManyValues> {
        let present = pairs.present();
        self.tally.add_present(pairs, present.as_ref());
        if let (Some(h), Some(scores)) = (&mut self.histogram, &pairs.scores) {
            h.add_scores(scores, &pairs.label, present.as_ref());
        }
        if let Some(batches) = &mut self.weighted {
            batches.add(first_row, Weighted::of_batch(pairs, present.as_ref()));
        }
        if let Some(review) = &mut self.review {
            review.add(pairs, present.as_ref(), first_row);
        }
        let (sliced, clustered) = pairs.slices.split_at(self.sliced);
        if let Some(slices) = &mut self.slices {
            slices.add(sliced, &pairs.label, &pairs.predicted, present.as_ref())?;
        }
        let previous = pairs.previous.as_ref().map(|p| &p.predicted);
        let bits = Bits { label: &pairs.label, predicted: &pairs.predicted, previous };
        let weights = pairs.weights.as_deref();
        if let Some(correlated) = &mut self.correlated {
            // Sums per slice for the slice columns, not the strata column
            // after them: `correlated` was told how many there are.
            correlated.add(clustered, sliced, bits, weights, present.as_ref());
        }
        if let Some(flips) = &mut self.flips {
            flips.add(pairs.len, bits, weights, present.as_ref());
        }
        Ok(())
    }

    /// Combines two workers' folds.
    pub fn merge(self, other: Fold) -> Result<Fold, TooManyValues> {
        let histogram = match (self.histogram, other.histogram) {
            (Some(mine), Some(theirs)) => Some(mine.merge(theirs)),
            (mine, theirs) => mine.or(theirs),
        };
        Ok(Fold {
            tally: self.tally.merge(&other.tally),
            histogram,
            weighted: both(self.weighted, other.weighted, |w, o| Ok(w.merge(&o)))?,
            slices: both(self.slices, other.slices, |s, o| s.merge(&o))?,
            review: both(self.review, other.review, |r, o| Ok(r.merge(&o)))?,
            correlated: both(self.correlated, other.correlated, |c, o| Ok(c.merge(&o)))?,
            flips: both(self.flips, other.flips, |f, o| Ok(f.merge(&o)))?,
            sliced: self.sliced,
        })
    }
}

/// One optional part of two folds: merged when both have it, else the one
/// that does (moved, never copied: a fold's sums per id may be large).
fn both<T>(
    mine: Option<T>,
    theirs: Option<T>,
    merge: impl FnOnce(T, T) -> Result<T, TooManyValues>,
) -> Result<Option<T>, TooManyValues> {
    match (mine, theirs) {
        (Some(m), Some(t)) => merge(m, t).map(Some),
        (m, None) => Ok(m),
        (None, t) => Ok(t),
    }
}
