//! `strata_column` and `strata_sizes`: a sample labelled stratum by
//! stratum, typed into [`StrataSettings`]; the sizes file is read by the
//! evaluation, as every file an input names.

use super::error::InputError;
use super::raw::RawInputs;
use super::table::{CLUSTER_BY, COUNTS, MODE, STRATA_COLUMN, STRATA_SIZES, WEIGHT_COLUMN};
use super::values::{optional, path};
use crate::strata::{StrataSettings, StrataSizes};

/// The strata, when both inputs are set; one without the other, or with an
/// input the stratified estimate cannot be combined with, is refused.
pub fn strata(raw: &RawInputs) -> Result<Option<StrataSettings>, InputError> {
    let sizes = match (path(raw, &STRATA_SIZES), &raw.strata_listed) {
        (Some(file), _) => Some(StrataSizes::File(file)),
        (None, Some(listed)) => Some(StrataSizes::Listed(listed.clone())),
        (None, None) => None,
    };
    let (column, sizes) = match (optional(raw, &STRATA_COLUMN), sizes) {
        (None, None) => return Ok(None),
        (Some(column), Some(sizes)) => (column, sizes),
        _ => {
            return Err(InputError::ConflictingInputs {
                inputs: "strata_column and strata_sizes",
                expected: "both or neither: the column names each pair's stratum, the sizes file each stratum's candidate pairs",
            });
        }
    };
    let named_clusters = raw.get(&CLUSTER_BY).is_some_and(|(v, _)| v.trim() != "none");
    let clustered = raw.get(&MODE).is_some_and(|(v, _)| v != "pairs");
    let conflicts = [
        (raw.get(&WEIGHT_COLUMN).is_some(), "strata_column and weight_column"),
        (raw.get(&COUNTS).is_some(), "strata_column and counts"),
        (clustered, "strata_column and mode: clusters"),
        (named_clusters, "strata_column and cluster_by"),
    ];
    if let Some((_, inputs)) = conflicts.iter().find(|(set, _)| *set) {
        return Err(InputError::ConflictingInputs {
            inputs,
            expected: "strata alone: the strata weigh each pair by its stratum's sampling rate (so no weight_column), need the pairs' rows (so no counts or cluster mode), and their variance treats the labelled pairs of a stratum as a simple random sample (so no cluster_by yet)",
        });
    }
    Ok(Some(StrataSettings { column, sizes }))
}
