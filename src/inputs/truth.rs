//! The labelled records' true entities in pair mode (`truth`) and the
//! rules on what they show: `min_blocking_recall`, `recall_scope` and
//! `closure`; typed into [`TruthSettings`].

use super::clusters::refuse_given;
use super::error::InputError;
use super::raw::RawInputs;
use super::table::{
    CLOSURE, MIN_BLOCKING_RECALL, NAME_COLUMN, PREDICTIONS, RECALL_SCOPE, RECORD_COLUMN,
    STRATA_COLUMN, TRUE_ENTITY_COLUMN, TRUTH, WEIGHT_COLUMN,
};
use super::values::{boolean, one_of, optional, optional_unit, path, string};
use crate::evaluate::{RecallScope, TruthSettings};

/// In pair mode, the labelled records' true entities (`truth`), joined on
/// the pair's two key columns.
pub fn pair_truth(
    raw: &RawInputs,
    key_columns: &[String],
    clusters: bool,
) -> Result<Option<TruthSettings>, InputError> {
    let scopes = [("candidates", RecallScope::Candidates), ("end_to_end", RecallScope::EndToEnd)];
    let scope = one_of(raw, &RECALL_SCOPE, &scopes, "`candidates` or `end_to_end`")?;
    let Some(path) = path(raw, &TRUTH).filter(|_| !clusters) else {
        let given = [
            (&MIN_BLOCKING_RECALL, "min_blocking_recall without truth in pair mode"),
            (&RECALL_SCOPE, "recall_scope without truth in pair mode"),
            (&CLOSURE, "closure without truth in pair mode"),
        ];
        let expected = "truth (the labelled records' true entities) in pair mode: blocking recall and end-to-end recall are measured against it";
        refuse_given(raw, &given, expected)?;
        if !clusters {
            let names = [(&NAME_COLUMN, "name_column and mode: pairs without truth")];
            refuse_given(raw, &names, NAMES_EXPECTED)?;
        }
        return Ok(None);
    };
    let weighted = [
        (&WEIGHT_COLUMN, "recall_scope: end_to_end and weight_column"),
        (&STRATA_COLUMN, "recall_scope: end_to_end and strata_column"),
    ];
    if scope == RecallScope::EndToEnd {
        let expected = "recall_scope: end_to_end on unweighted pairs: the truth's true pairs are counted, not weighted";
        refuse_given(raw, &weighted, expected)?;
    }
    if key_columns.len() != 2 {
        return Err(InputError::ConflictingInputs {
            inputs: "truth and key_columns",
            expected: "the pair's two record id columns in key_columns (e.g. left_id,right_id): truth is joined on each",
        });
    }
    Ok(Some(TruthSettings {
        path,
        record_column: string(raw, &RECORD_COLUMN),
        true_entity_column: string(raw, &TRUE_ENTITY_COLUMN),
        min_blocking_recall: optional_unit(raw, &MIN_BLOCKING_RECALL)?,
        scope,
        closure: closure(raw)?,
        name_column: names(raw)?,
    }))
}

/// What a name column in pair mode needs.
const NAMES_EXPECTED: &str = "name_column in cluster mode, or in pair mode with truth and closure: true (a column of the truth file): its rates are of predicted clusters";

/// The truth file's name column, with `closure`.
fn names(raw: &RawInputs) -> Result<Option<String>, InputError> {
    if raw.is_given(&NAME_COLUMN) && !boolean(raw, &CLOSURE)? {
        let inputs = "name_column and mode: pairs without closure";
        return Err(InputError::ConflictingInputs { inputs, expected: NAMES_EXPECTED });
    }
    Ok(optional(raw, &NAME_COLUMN))
}

/// Whether to close the predicted matches (`closure`): their decisions
/// must be in the validation set.
fn closure(raw: &RawInputs) -> Result<bool, InputError> {
    let closure = boolean(raw, &CLOSURE)?;
    if closure && raw.get(&PREDICTIONS).is_some() {
        return Err(InputError::ConflictingInputs {
            inputs: "closure and predictions",
            expected: "closure with the decisions in validation_set: the closure reads each pair's ids and decision from one file",
        });
    }
    Ok(closure)
}
