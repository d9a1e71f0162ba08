//! A sampled benchmark's table finished into naive clusters and estimates,
//! and its weights (`truth_weight_column`): one per true entity, read from
//! each of its records, which must agree.

use super::error::EvaluateError;
use crate::clusters::estimators::{Estimates, Sampling};
use crate::clusters::ids::{Key, Seen};
use crate::clusters::{ClusterSettings, Clusters, Contingency, sampled};
use crate::dataset::DatasetError;

/// Each sampled entity's weight, and the first disagreement.
#[derive(Debug, Default)]
pub(super) struct TruthWeights {
    /// Each entity's weight and the row it was first read on.
    seen: Seen<(f64, u64)>,
    /// The first row of a sampled record without a weight.
    null: Option<u64>,
    /// Two rows of one entity with two weights: (row, weight) each.
    differ: Option<[(u64, f64); 2]>,
}

impl TruthWeights {
    /// Row `row` of sampled entity `t`, of weight `weight` (finite and not
    /// negative: read so).
    pub fn add(&mut self, t: Key, weight: Option<f64>, row: u64) {
        let Some(weight) = weight else {
            self.null = Some(self.null.map_or(row, |r| r.min(row)));
            return;
        };
        if let Ok((first, at)) = self.seen.get_or_insert(t, |_| (weight, row)) {
            self.disagree((at, first), (row, weight));
        }
    }

    /// Keeps the earliest disagreement.
    fn disagree(&mut self, one: (u64, f64), other: (u64, f64)) {
        if one.1.to_bits() == other.1.to_bits() {
            return;
        }
        let pair = if one.0 < other.0 { [one, other] } else { [other, one] };
        if self.differ.is_none_or(|d| pair[1].0 < d[1].0) {
            self.differ = Some(pair);
        }
    }

    /// Both threads' weights.
    pub fn merge(mut self, other: TruthWeights) -> TruthWeights {
        if let Some(row) = other.null {
            self.null = Some(self.null.map_or(row, |r| r.min(row)));
        }
        if let Some([one, two]) = other.differ {
            self.disagree(one, two);
        }
        for (key, (weight, row)) in other.seen.into_entries() {
            if let Ok((first, at)) = self.seen.get_or_insert(key.key(), |_| (weight, row)) {
                self.disagree((at, first), (row, weight));
            }
        }
        self
    }

    /// The weight of entity `t`.
    pub fn get(&self, t: Key) -> Option<f64> {
        self.seen.get(t).map(|(w, _)| w)
    }

    /// A missing weight, or two for one entity, as the error naming
    /// `column` of `path`.
    pub fn check(&self, path: &std::path::Path, column: &str) -> Result<(), EvaluateError> {
        if let Some(row) = self.null {
            return Err(EvaluateError::Dataset(DatasetError::BadWeight {
                path: path.to_path_buf(),
                column: column.to_string(),
                input: "truth_weight_column",
                value: "null".to_string(),
                row,
            }));
        }
        match self.differ {
            Some(rows) => Err(EvaluateError::TruthWeightsDiffer {
                path: path.to_path_buf(),
                column: column.to_string(),
                rows,
            }),
            None => Ok(()),
        }
    }
}

/// The clusters of the table, and with `truth_sampling` the estimates
/// for the population (the clusters then of the sampled records alone).
pub(super) fn finish(
    table: Contingency,
    cluster: &ClusterSettings,
    weights: Option<&TruthWeights>,
) -> (Clusters, Option<Estimates>) {
    let Some(sampling) = &cluster.sampling else { return (table.finish(), None) };
    let (clusters, estimates) = sampled::finish(table, |t| match sampling {
        Sampling::Uniform => Some(1.0),
        Sampling::ClusterSize => None,
        Sampling::Weights(_) => weights.and_then(|w| w.get(t)),
    });
    (clusters, Some(estimates))
}

/// The column of the sampled entities' weights, with `truth_sampling:
/// weights`.
pub(super) fn truth_weight_column(cluster: &ClusterSettings) -> Option<&str> {
    match &cluster.sampling {
        Some(Sampling::Weights(column)) => Some(column),
        _ => None,
    }
}
