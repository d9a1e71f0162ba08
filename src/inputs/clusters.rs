//! Cluster mode's inputs: the columns of the two clusterings, the family
//! the minimums apply to, and how a sampled benchmark was drawn; typed into
//! [`ClusterSettings`]. The inputs of pair mode are refused there.

use super::error::InputError;
use super::raw::RawInputs;
use super::table::InputSpec;
use super::table::{
    CLUSTER_BY, CLUSTER_METRIC, CONFIDENCE, DISPLAY_COLUMNS, ERRORS_FILE, MODE, NAME_COLUMN,
    POSITIVE_LABEL, PREDICTED_ENTITY_COLUMN, PREDICTION_COLUMN, PREDICTIONS, RECORD_COLUMN,
    SCORE_SCALE, TRUE_ENTITY_COLUMN, TRUTH, TRUTH_SAMPLING, TRUTH_WEIGHT_COLUMN, WEIGHT_COLUMN,
};
use super::values::{one_of, optional, path, string};
use crate::clusters::estimators::Sampling;
use crate::clusters::{ClusterSettings, Family};

/// Cluster mode's columns and family, with `mode: clusters`; the inputs
/// of pair mode that have no meaning there are refused.
pub fn clusters(raw: &RawInputs) -> Result<Option<ClusterSettings>, InputError> {
    let words = [("pairs", false), ("clusters", true)];
    if !one_of(raw, &MODE, &words, "`pairs` or `clusters`")? {
        let clusters_only = [
            (&TRUTH_SAMPLING, "truth_sampling and mode: pairs"),
            (&TRUTH_WEIGHT_COLUMN, "truth_weight_column and mode: pairs"),
        ];
        let expected = "with mode: clusters: the input is of cluster mode (name rates of the predicted clusters, a sampled benchmark of true entities)";
        return refuse_given(raw, &clusters_only, expected).map(|()| None);
    }
    let sampling = sampling(raw)?;
    let pairs_only = [
        (&PREDICTIONS, "mode: clusters and predictions"),
        (&WEIGHT_COLUMN, "mode: clusters and weight_column"),
        (&CLUSTER_BY, "mode: clusters and cluster_by"),
        (&ERRORS_FILE, "mode: clusters and errors_file"),
        (&DISPLAY_COLUMNS, "mode: clusters and display_columns"),
        (&PREDICTION_COLUMN, "mode: clusters and prediction_column"),
        (&SCORE_SCALE, "mode: clusters and score_scale"),
        (&POSITIVE_LABEL, "mode: clusters and positive_label"),
    ];
    let expected = "in cluster mode only the record, true and predicted entity columns, cluster_metric, the minimums and a sampled benchmark's truth_sampling: the other input is of pair mode";
    refuse_given(raw, &pairs_only, expected)?;
    if sampling.is_none() && raw.is_given(&TRUTH) {
        return Err(InputError::ConflictingInputs {
            inputs: "truth without truth_sampling",
            expected: "truth with truth_sampling: the file lists the sampled records (a full truth goes in validation_set's true_entity_column)",
        });
    }
    if sampling.is_none() && raw.is_given(&CONFIDENCE) {
        return Err(InputError::ConflictingInputs {
            inputs: "mode: clusters and confidence",
            expected: "confidence in cluster mode with truth_sampling: the intervals are the sampled benchmark's estimators' (the pairs of one cluster are not independent, so no binomial interval holds)",
        });
    }
    let families = Family::ALL.map(|f| (f.word(), f));
    Ok(Some(ClusterSettings {
        record_column: string(raw, &RECORD_COLUMN),
        true_entity_column: string(raw, &TRUE_ENTITY_COLUMN),
        predicted_entity_column: string(raw, &PREDICTED_ENTITY_COLUMN),
        family: one_of(raw, &CLUSTER_METRIC, &families, "`pairwise`, `bcubed` or `cluster`")?,
        name_column: optional(raw, &NAME_COLUMN),
        sampling,
        truth: path(raw, &TRUTH),
    }))
}

/// The first of `inputs` given, as the conflict it names.
pub(super) fn refuse_given(
    raw: &RawInputs,
    inputs: &[(&'static InputSpec, &'static str)],
    expected: &'static str,
) -> Result<(), InputError> {
    match inputs.iter().find(|(spec, _)| raw.is_given(spec)) {
        Some((_, inputs)) => Err(InputError::ConflictingInputs { inputs, expected }),
        None => Ok(()),
    }
}

/// How the benchmark's entities were sampled, with `truth_sampling`;
/// `truth_weight_column` with `weights` and only then.
fn sampling(raw: &RawInputs) -> Result<Option<Sampling>, InputError> {
    let weight_column = optional(raw, &TRUTH_WEIGHT_COLUMN);
    if raw.get(&TRUTH_SAMPLING).is_none() {
        if raw.is_given(&TRUTH_WEIGHT_COLUMN) {
            return Err(InputError::ConflictingInputs {
                inputs: "truth_weight_column without truth_sampling",
                expected: "truth_weight_column with truth_sampling: weights",
            });
        }
        return Ok(None);
    }
    let words = [("uniform", 0), ("cluster_size", 1), ("weights", 2)];
    let expected = "`uniform`, `cluster_size` or `weights` (with truth_weight_column)";
    let sampling = match (one_of(raw, &TRUTH_SAMPLING, &words, expected)?, weight_column) {
        (0, None) => Sampling::Uniform,
        (1, None) => Sampling::ClusterSize,
        (2, Some(column)) => Sampling::Weights(column),
        (2, None) => {
            return Err(InputError::MissingInput {
                input: TRUTH_WEIGHT_COLUMN.name,
                expected: "the column of each sampled entity's weight, with truth_sampling: weights",
            });
        }
        _ => {
            return Err(InputError::ConflictingInputs {
                inputs: "truth_weight_column and truth_sampling: uniform or cluster_size",
                expected: "truth_weight_column only with truth_sampling: weights",
            });
        }
    };
    Ok(Some(sampling))
}
