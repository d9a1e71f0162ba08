//! The inputs that say how a pair becomes a predicted match, for the model
//! and for the previous one (a paired comparison), and the drop rules that
//! compare the two.

use super::error::InputError;
use super::raw::RawInputs;
use super::table::{
    BASELINE, BASELINE_DECISION_THRESHOLD, BASELINE_PREDICTION_COLUMN, BASELINE_PREDICTIONS,
    BASELINE_SCORE_COLUMN, COUNTS, DECISION_THRESHOLD, MAX_F1_DROP, MAX_PRECISION_DROP,
    MAX_RECALL_DROP, MODE, PREDICTION_COLUMN, SCORE_COLUMN, SCORE_SCALE, STRATA_COLUMN,
};
use super::values::{finite, one_of, optional, optional_unit, string};
use crate::dataset::{Decision, ScoreScale};
use crate::gate::Drops;

/// The model's decision: its prediction column, or its score against
/// `decision_threshold`.
pub fn decision(raw: &RawInputs) -> Result<Decision, InputError> {
    Ok(match raw.get(&PREDICTION_COLUMN) {
        Some(_) if raw.is_given(&DECISION_THRESHOLD) => {
            return Err(InputError::ConflictingInputs {
                inputs: "prediction_column and decision_threshold",
                expected: "one of them: a threshold applies to scores, not to predictions",
            });
        }
        Some((column, _)) => Decision::Prediction { column: column.to_string() },
        None => Decision::Score {
            column: string(raw, &SCORE_COLUMN),
            threshold: finite(raw, &DECISION_THRESHOLD)?,
        },
    })
}

/// The scale of the scores: `percent` divides each by 100. Refused with a
/// prediction column, which has no scores.
pub fn score_scale(raw: &RawInputs) -> Result<ScoreScale, InputError> {
    let words = [("raw", ScoreScale::Raw), ("percent", ScoreScale::Percent)];
    let scale = one_of(raw, &SCORE_SCALE, &words, "`raw` or `percent`")?;
    if scale == ScoreScale::Percent && raw.get(&PREDICTION_COLUMN).is_some() {
        return Err(InputError::ConflictingInputs {
            inputs: "prediction_column and score_scale",
            expected: "one of them: a scale applies to scores, not to predictions",
        });
    }
    Ok(scale)
}

/// The previous model's decision on the same pairs, for a paired
/// comparison: its score against `baseline_decision_threshold` (by default
/// `decision_threshold`), or its predictions; `None` when neither column
/// is named and no `baseline_predictions` file is given. In that file,
/// the model's own column names are the default.
pub fn previous(raw: &RawInputs) -> Result<Option<Decision>, InputError> {
    let (mut score, mut prediction) =
        (optional(raw, &BASELINE_SCORE_COLUMN), optional(raw, &BASELINE_PREDICTION_COLUMN));
    if raw.get(&BASELINE_PREDICTIONS).is_some() && score.is_none() && prediction.is_none() {
        match decision(raw)? {
            Decision::Score { column, .. } => score = Some(column),
            Decision::Prediction { column } => prediction = Some(column),
        }
    }
    let threshold = raw.is_given(&BASELINE_DECISION_THRESHOLD);
    let previous = match (score, prediction) {
        (Some(_), Some(_)) => {
            return Err(InputError::ConflictingInputs {
                inputs: "baseline_score_column and baseline_prediction_column",
                expected: "one of them: the previous model's scores or its predictions",
            });
        }
        (None, Some(_)) | (None, None) if threshold => {
            return Err(InputError::ConflictingInputs {
                inputs: "baseline_decision_threshold without baseline_score_column",
                expected: "baseline_score_column with it: the threshold applies to the previous model's scores",
            });
        }
        (Some(column), None) => {
            let spec = if threshold { &BASELINE_DECISION_THRESHOLD } else { &DECISION_THRESHOLD };
            Decision::Score { column, threshold: finite(raw, spec)? }
        }
        (None, Some(column)) => Decision::Prediction { column },
        (None, None) => return Ok(None),
    };
    let clustered = raw.get(&MODE).is_some_and(|(v, _)| v != "pairs");
    let conflicts = [
        (raw.get(&COUNTS).is_some(), "counts"),
        (clustered, "mode: clusters"),
        (raw.get(&STRATA_COLUMN).is_some(), "strata_column"),
    ];
    if let Some((_, with)) = conflicts.iter().find(|(set, _)| *set) {
        return Err(InputError::ConflictingInputs {
            inputs: paired_with(with),
            expected: "the pairs' rows with both models' decisions: a paired comparison reads each pair once (so no counts or cluster mode), and its variance treats the pairs as one sample (so no strata yet)",
        });
    }
    Ok(Some(previous))
}

fn paired_with(other: &str) -> &'static str {
    match other {
        "counts" => "a baseline score or prediction column and counts",
        "mode: clusters" => "a baseline score or prediction column and mode: clusters",
        _ => "a baseline score or prediction column and strata_column",
    }
}

/// The `max_*_drop` rules; each needs something to compare with: a
/// baseline report, or the previous model's decisions on these pairs.
pub fn drops(raw: &RawInputs) -> Result<Drops, InputError> {
    let drops = Drops {
        precision: optional_unit(raw, &MAX_PRECISION_DROP)?,
        recall: optional_unit(raw, &MAX_RECALL_DROP)?,
        f1: optional_unit(raw, &MAX_F1_DROP)?,
    };
    let paired =
        raw.get(&BASELINE_SCORE_COLUMN).is_some() || raw.get(&BASELINE_PREDICTION_COLUMN).is_some();
    if raw.get(&BASELINE).is_none() && !paired {
        for (spec, set) in [
            (&MAX_PRECISION_DROP, drops.precision),
            (&MAX_RECALL_DROP, drops.recall),
            (&MAX_F1_DROP, drops.f1),
        ] {
            if set.is_some() {
                return Err(InputError::DropWithoutBaseline { input: spec.name });
            }
        }
    }
    Ok(drops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::tests::load;

    const SET: (&str, &str) = ("INPUT_VALIDATION_SET", "v.parquet");

    fn previous_of(env: &[(&str, &str)]) -> Result<Option<Decision>, InputError> {
        load(&[&[SET], env].concat(), &[]).map(|inputs| inputs.evaluate.previous)
    }

    #[test]
    fn the_previous_model_decides_by_its_own_threshold_or_the_models() {
        assert_eq!(previous_of(&[]).unwrap(), None);
        let old = ("INPUT_BASELINE_SCORE_COLUMN", "old");
        let score = |threshold| Some(Decision::Score { column: "old".into(), threshold });
        assert_eq!(previous_of(&[old]).unwrap(), score(0.5));
        assert_eq!(previous_of(&[old, ("INPUT_DECISION_THRESHOLD", "0.7")]).unwrap(), score(0.7));
        let own =
            [old, ("INPUT_DECISION_THRESHOLD", "0.7"), ("INPUT_BASELINE_DECISION_THRESHOLD", "-2")];
        assert_eq!(previous_of(&own).unwrap(), score(-2.0));
        let predicted = previous_of(&[("INPUT_BASELINE_PREDICTION_COLUMN", "was")]).unwrap();
        assert_eq!(predicted, Some(Decision::Prediction { column: "was".into() }));
        // In a file of its own, the model's columns by default.
        let file = ("INPUT_BASELINE_PREDICTIONS", "old.parquet");
        assert_eq!(
            previous_of(&[file]).unwrap(),
            Some(Decision::Score { column: "score".into(), threshold: 0.5 })
        );
        let by_prediction = previous_of(&[file, ("INPUT_PREDICTION_COLUMN", "m")]).unwrap();
        assert_eq!(by_prediction, Some(Decision::Prediction { column: "m".into() }));
    }

    #[test]
    fn conflicting_previous_decisions_are_refused() {
        let cases: [&[(&str, &str)]; 5] = [
            &[("INPUT_BASELINE_SCORE_COLUMN", "a"), ("INPUT_BASELINE_PREDICTION_COLUMN", "b")],
            &[("INPUT_BASELINE_DECISION_THRESHOLD", "0.4")],
            &[
                ("INPUT_BASELINE_PREDICTION_COLUMN", "b"),
                ("INPUT_BASELINE_DECISION_THRESHOLD", "0.4"),
            ],
            &[("INPUT_BASELINE_SCORE_COLUMN", "a"), ("INPUT_MODE", "clusters")],
            &[("INPUT_BASELINE_SCORE_COLUMN", "a"), ("INPUT_STRATA_COLUMN", "band")],
        ];
        for env in cases {
            let err = previous_of(env).unwrap_err();
            assert!(matches!(err, InputError::ConflictingInputs { .. }), "{env:?}: {err:?}");
        }
    }

    #[test]
    fn drops_compare_with_a_report_or_with_the_paired_decisions() {
        let drop = ("INPUT_MAX_RECALL_DROP", "0.01");
        let err = load(&[SET, drop], &[]).unwrap_err();
        assert!(matches!(err, InputError::DropWithoutBaseline { input: "max_recall_drop" }));
        let paired = load(&[SET, drop, ("INPUT_BASELINE_SCORE_COLUMN", "old")], &[]).unwrap();
        assert_eq!(paired.evaluate.max_drop.recall, Some(0.01));
    }
}
