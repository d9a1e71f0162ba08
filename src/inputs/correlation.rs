//! `cluster_by`: which pairs are correlated, typed into
//! [`ClusterBy`], which the evaluation resolves against the file.

use super::error::InputError;
use super::raw::RawInputs;
use super::table::{CLUSTER_BY, CONFIDENCE, COUNTS, KEY_COLUMNS};
use super::values::columns;
use crate::evaluate::ClusterBy;

/// Which pairs are correlated: `none`, one or two columns, or by default
/// (with `confidence`, from a validation set) the two key columns when the
/// data has both.
pub fn cluster_by(raw: &RawInputs) -> Result<ClusterBy, InputError> {
    if raw.get(&CLUSTER_BY).is_some_and(|(v, _)| v.trim() == "none") {
        return Ok(ClusterBy::Independent);
    }
    let named = columns(raw, &CLUSTER_BY)?;
    if named.len() > 2 {
        let (value, origin) = raw.get(&CLUSTER_BY).expect("named");
        return Err(InputError::InvalidInput {
            input: CLUSTER_BY.name,
            origin,
            value: value.to_string(),
            expected: "`none`, one id column, or a pair's two record id columns",
        });
    }
    if !named.is_empty() {
        return Ok(ClusterBy::Columns(named));
    }
    if raw.get(&COUNTS).is_some() || raw.get(&CONFIDENCE).is_none() {
        return Ok(ClusterBy::Independent);
    }
    Ok(ClusterBy::IfPresent(columns(raw, &KEY_COLUMNS)?))
}
