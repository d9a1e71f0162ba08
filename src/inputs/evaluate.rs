//! The inputs that say what to evaluate and how: typed into
//! [`evaluate::Settings`], which the evaluation owns.

use std::time::Duration;

use super::decision;
use super::error::InputError;
use super::raw::RawInputs;
use super::table::InputSpec;
use super::table::{
    BASELINE, BASELINE_PREDICTIONS, CHECKSUMS, CLUSTER_BY, CONFIDENCE, COUNTS, DATASET_HASH,
    DISPLAY_COLUMNS, ERRORS_FILE, ERRORS_LIMIT, KEY_COLUMNS, LABEL_COLUMN, MANIFEST, MAX_SLICES,
    MIN_F1, MIN_PRECISION, MIN_RECALL, MIN_SLICE_SUPPORT, MODE, NULL_POLICY, ON_INCONCLUSIVE,
    POSITIVE_LABEL, PREDICTIONS, READ_TIMEOUT_SECONDS, REQUIRE_DATASET_HASH, SCORE_SCALE,
    SLICE_COLUMNS, SLICE_LIMITATION_GAP, SWEEP, TRUTH, VALIDATION_SET, WEIGHT_COLUMN,
};
use super::values::{boolean, columns, one_of, optional, optional_unit, path, string, unit, whole};
use crate::dataset::NullPolicy;
use crate::dataset::stores::StoreAccess;
use crate::evaluate::{BaselineSource, ClusterBy, Settings};
use crate::gate::OnInconclusive;
use crate::gate::Thresholds;
use crate::review::ReviewSettings;
use crate::slices::{SliceRules, SliceSettings};

/// Types and validates the evaluation's inputs.
pub fn settings(raw: &RawInputs) -> Result<Settings, InputError> {
    let counts = engine_counts(raw)?;
    let validation_set = match &counts {
        Some(counts) => counts.clone(),
        None => path(raw, &VALIDATION_SET).ok_or(InputError::MissingInput {
            input: VALIDATION_SET.name,
            expected: "the path to a parquet validation set (or a folder of parts), or counts: the counts an engine computed",
        })?,
    };
    let strata = super::strata::strata(raw)?;
    let clusters = super::clusters::clusters(raw)?;
    let key_columns = key_columns(raw)?;
    let truth = super::truth::pair_truth(raw, &key_columns, clusters.is_some())?;
    let cluster_by = match super::correlation::cluster_by(raw)? {
        // Stratified pairs are a sample of each stratum: their variance is
        // the strata's; records (cluster mode) are no pairs.
        ClusterBy::IfPresent(_) if strata.is_some() || clusters.is_some() => ClusterBy::Independent,
        named => named,
    };
    Ok(Settings {
        validation_set,
        counts,
        store: StoreAccess::anonymous(Duration::from_secs(whole(
            raw,
            &READ_TIMEOUT_SECONDS,
            1..=86_400,
            "a whole number of seconds from 1 to 86400 (a day)",
        )?)),
        predictions: path(raw, &PREDICTIONS),
        baseline_predictions: path(raw, &BASELINE_PREDICTIONS),
        key_columns: key_columns.clone(),
        weight_column: optional(raw, &WEIGHT_COLUMN),
        dataset_hash: super::provenance::dataset_hash(raw)?,
        require_hash: boolean(raw, &REQUIRE_DATASET_HASH)? && raw.get(&COUNTS).is_none(),
        checksums: path(raw, &CHECKSUMS),
        label_column: string(raw, &LABEL_COLUMN),
        decision: decision::decision(raw)?,
        previous: decision::previous(raw)?,
        score_scale: decision::score_scale(raw)?,
        positive_label: optional(raw, &POSITIVE_LABEL),
        null_policy: null_policy(raw)?,
        truth,
        thresholds: Thresholds {
            precision: unit(raw, &MIN_PRECISION)?,
            recall: unit(raw, &MIN_RECALL)?,
            f1: unit(raw, &MIN_F1)?,
        },
        baseline: path(raw, &BASELINE).map(BaselineSource::Path),
        max_drop: decision::drops(raw)?,
        confidence: confidence(raw)?,
        cluster_by,
        strata,
        on_inconclusive: on_inconclusive(raw)?,
        sweep: boolean(raw, &SWEEP)?,
        slices: slices(raw)?,
        review: review(raw)?,
        clusters,
        origins: super::origins::origins(raw),
    })
}

/// The counts file, with `counts`; what needs the data's rows is refused.
fn engine_counts(raw: &RawInputs) -> Result<Option<std::path::PathBuf>, InputError> {
    let Some(counts) = path(raw, &COUNTS) else {
        return Ok(None);
    };
    let rows_only = [
        (&VALIDATION_SET, "counts and validation_set"),
        (&PREDICTIONS, "counts and predictions"),
        (&DATASET_HASH, "counts and dataset_hash"),
        (&MANIFEST, "counts and manifest"),
        (&WEIGHT_COLUMN, "counts and weight_column"),
        (&TRUTH, "counts and truth"),
        (&CLUSTER_BY, "counts and cluster_by"),
        (&ERRORS_FILE, "counts and errors_file"),
        (&DISPLAY_COLUMNS, "counts and display_columns"),
        (&MODE, "counts and mode: clusters"),
        (&SCORE_SCALE, "counts and score_scale"),
        (&POSITIVE_LABEL, "counts and positive_label"),
    ];
    let set = |spec: &&'static InputSpec| {
        if spec.name == MODE.name {
            raw.get(spec).is_some_and(|(v, _)| v != "pairs")
        } else {
            raw.is_given(spec)
        }
    };
    if let Some((_, inputs)) = rows_only.iter().find(|(spec, _)| set(spec)) {
        return Err(InputError::ConflictingInputs {
            inputs,
            expected: "counts alone, or a validation set: with counts the engine has read the data, so nothing that needs its rows or bytes (a hash, a join, weights, the pairs to review, cluster mode) can be done here; the counts file's dataset_version is the provenance",
        });
    }
    Ok(Some(counts))
}

/// The key columns: comma- or newline-separated, each once; given without
/// a file to join (`predictions`, `baseline_predictions`), a mistake.
fn key_columns(raw: &RawInputs) -> Result<Vec<String>, InputError> {
    let joins = [&PREDICTIONS, &BASELINE_PREDICTIONS, &TRUTH].iter().any(|i| raw.get(i).is_some());
    if raw.is_given(&KEY_COLUMNS) && !joins {
        return Err(InputError::ConflictingInputs {
            inputs: "key_columns and predictions",
            expected: "key_columns only with predictions, baseline_predictions or truth: the keys join the files",
        });
    }
    columns(raw, &KEY_COLUMNS)
}

/// How many misclassified pairs to keep, with `errors_file`, and which
/// columns of them the summary shows (`display_columns`: the first ten of
/// each kind, also without a file).
fn review(raw: &RawInputs) -> Result<Option<ReviewSettings>, InputError> {
    let display = columns(raw, &DISPLAY_COLUMNS)?;
    let file = raw.get(&ERRORS_FILE).is_some();
    if !file && display.is_empty() {
        return Ok(None);
    }
    let limit = if file {
        usize::try_from(whole(
            raw,
            &ERRORS_LIMIT,
            0..=1_000_000,
            "a whole number from 0 (all) to 1000000",
        )?)
        .unwrap_or(usize::MAX)
    } else {
        crate::review::SHOWN
    };
    Ok(Some(ReviewSettings { limit, display, file }))
}

/// The slice columns and their limits.
fn slices(raw: &RawInputs) -> Result<SliceSettings, InputError> {
    let columns = columns(raw, &SLICE_COLUMNS)?;
    let max_slices = whole(raw, &MAX_SLICES, 1..=100_000, "a whole number from 1 to 100000")?;
    Ok(SliceSettings {
        columns,
        max_slices: usize::try_from(max_slices).unwrap_or(usize::MAX),
        min_support: whole(
            raw,
            &MIN_SLICE_SUPPORT,
            0..=1_000_000_000,
            "a whole number from 0 to 1000000000",
        )?,
        flag_gap: unit(raw, &SLICE_LIMITATION_GAP)?,
        rules: SliceRules::default(),
    })
}

fn confidence(raw: &RawInputs) -> Result<Option<f64>, InputError> {
    let Some((value, origin)) = raw.get(&CONFIDENCE) else {
        return Ok(None);
    };
    match optional_unit(raw, &CONFIDENCE) {
        Ok(Some(level)) if level > 0.0 && level < 1.0 => Ok(Some(level)),
        _ => Err(InputError::InvalidInput {
            input: CONFIDENCE.name,
            origin,
            value: value.to_string(),
            expected: "a level strictly between 0 and 1, such as 0.95",
        }),
    }
}

fn on_inconclusive(raw: &RawInputs) -> Result<OnInconclusive, InputError> {
    let words = [
        ("fail", OnInconclusive::Fail),
        ("warn", OnInconclusive::Warn),
        ("pass", OnInconclusive::Pass),
    ];
    one_of(raw, &ON_INCONCLUSIVE, &words, "`fail`, `warn` or `pass`")
}

fn null_policy(raw: &RawInputs) -> Result<NullPolicy, InputError> {
    let words = [("fail", NullPolicy::Fail), ("skip", NullPolicy::Skip)];
    one_of(raw, &NULL_POLICY, &words, "`fail` or `skip`")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::dataset::Decision;
    use crate::gate::Drops;
    use crate::inputs::tests::{invalid, load};

    const SET: (&str, &str) = ("INPUT_VALIDATION_SET", "v.parquet");

    fn settings_of(env: &[(&str, &str)]) -> Result<Settings, InputError> {
        load(env, &[]).map(|inputs| inputs.evaluate)
    }

    #[test]
    fn defaults_apply_when_only_the_file_is_given() {
        let s = settings_of(&[SET]).unwrap();
        assert_eq!(s.validation_set, PathBuf::from("v.parquet"));
        assert_eq!(s.thresholds, Thresholds { precision: 0.92, recall: 0.88, f1: 0.90 });
        assert_eq!(s.label_column, "label");
        assert_eq!(s.decision, Decision::Score { column: "score".into(), threshold: 0.5 });
        assert_eq!(s.null_policy, NullPolicy::Fail);
        assert_eq!((s.dataset_hash, s.checksums, s.baseline), (None, None, None));
    }

    #[test]
    fn validation_set_is_required() {
        let err = settings_of(&[]).unwrap_err();
        assert!(matches!(err, InputError::MissingInput { input: "validation_set", .. }), "{err:?}");
    }

    #[test]
    fn prediction_column_replaces_the_score() {
        let s = settings_of(&[SET, ("INPUT_PREDICTION_COLUMN", "is_match")]).unwrap();
        assert_eq!(s.decision, Decision::Prediction { column: "is_match".into() });
        let both = settings_of(&[
            SET,
            ("INPUT_PREDICTION_COLUMN", "p"),
            ("INPUT_DECISION_THRESHOLD", "0.7"),
        ]);
        assert!(matches!(both.unwrap_err(), InputError::ConflictingInputs { .. }));
    }

    #[test]
    fn label_and_score_columns_and_threshold_are_read() {
        let s = settings_of(&[
            SET,
            ("INPUT_LABEL_COLUMN", "truth"),
            ("INPUT_SCORE_COLUMN", "match_probability"),
            ("INPUT_DECISION_THRESHOLD", "-2.5"),
        ])
        .unwrap();
        assert_eq!(s.label_column, "truth");
        assert_eq!(
            s.decision,
            Decision::Score { column: "match_probability".into(), threshold: -2.5 }
        );
    }

    #[test]
    fn confidence_is_a_level_strictly_inside_the_unit_interval() {
        assert_eq!(settings_of(&[SET]).unwrap().confidence, None);
        let s = settings_of(&[SET, ("INPUT_CONFIDENCE", "0.95")]).unwrap();
        assert_eq!(s.confidence, Some(0.95));
        for bad in ["0", "1", "1.5", "-0.5", "95%", "NaN"] {
            let (input, _) = invalid(settings_of(&[SET, ("INPUT_CONFIDENCE", bad)]));
            assert_eq!(input, "confidence", "{bad}");
        }
    }

    #[test]
    fn the_sweep_is_on_unless_switched_off() {
        assert!(settings_of(&[SET]).unwrap().sweep);
        assert!(!settings_of(&[SET, ("INPUT_SWEEP", "false")]).unwrap().sweep);
        assert_eq!(invalid(settings_of(&[SET, ("INPUT_SWEEP", "off")])).0, "sweep");
    }

    #[test]
    fn on_inconclusive_is_fail_warn_or_pass() {
        assert_eq!(settings_of(&[SET]).unwrap().on_inconclusive, OnInconclusive::Fail);
        for (text, policy) in [
            ("warn", OnInconclusive::Warn),
            ("pass", OnInconclusive::Pass),
            ("fail", OnInconclusive::Fail),
        ] {
            let s = settings_of(&[SET, ("INPUT_ON_INCONCLUSIVE", text)]).unwrap();
            assert_eq!(s.on_inconclusive, policy);
        }
        let (input, _) = invalid(settings_of(&[SET, ("INPUT_ON_INCONCLUSIVE", "ignore")]));
        assert_eq!(input, "on_inconclusive");
    }

    #[test]
    fn null_policy_is_fail_or_skip() {
        let s = settings_of(&[SET, ("INPUT_NULL_POLICY", "skip")]).unwrap();
        assert_eq!(s.null_policy, NullPolicy::Skip);
        assert_eq!(invalid(settings_of(&[SET, ("INPUT_NULL_POLICY", "drop")])).0, "null_policy");
    }

    #[test]
    fn checksums_baseline_and_hash_are_read() {
        let hash = "ab".repeat(32);
        let s = settings_of(&[
            SET,
            ("INPUT_CHECKSUMS", "art/checksums.txt"),
            ("INPUT_BASELINE", "prev.json"),
            ("INPUT_DATASET_HASH", &hash),
        ])
        .unwrap();
        assert_eq!(s.checksums, Some(PathBuf::from("art/checksums.txt")));
        assert_eq!(s.baseline, Some(BaselineSource::Path(PathBuf::from("prev.json"))));
        assert_eq!(s.dataset_hash.unwrap().to_string(), hash);
    }

    #[test]
    fn thresholds_are_read_per_metric() {
        let s = settings_of(&[
            SET,
            ("INPUT_MIN_PRECISION", "0.5"),
            ("INPUT_MIN_RECALL", "0.6"),
            ("INPUT_MIN_F1", "0.7"),
        ])
        .unwrap();
        assert_eq!(s.thresholds, Thresholds { precision: 0.5, recall: 0.6, f1: 0.7 });
        assert_eq!(invalid(settings_of(&[SET, ("INPUT_MIN_RECALL", "2")])).0, "min_recall");
    }

    #[test]
    fn drops_are_unit_numbers_that_need_a_baseline() {
        let base = ("INPUT_BASELINE", "prev.json");
        let s = settings_of(&[SET, base, ("INPUT_MAX_F1_DROP", "0.02")]).unwrap();
        assert_eq!(s.max_drop, Drops { precision: None, recall: None, f1: Some(0.02) });
        let s = settings_of(&[
            SET,
            base,
            ("INPUT_MAX_PRECISION_DROP", "0"),
            ("INPUT_MAX_RECALL_DROP", "1"),
        ])
        .unwrap();
        assert_eq!((s.max_drop.precision, s.max_drop.recall), (Some(0.0), Some(1.0)));
        let (input, _) = invalid(settings_of(&[SET, base, ("INPUT_MAX_RECALL_DROP", "-0.1")]));
        assert_eq!(input, "max_recall_drop");
        let err = settings_of(&[SET, ("INPUT_MAX_PRECISION_DROP", "0.01")]).unwrap_err();
        assert!(
            matches!(err, InputError::DropWithoutBaseline { input: "max_precision_drop" }),
            "{err:?}"
        );
    }

    #[test]
    fn every_whole_number_input_has_a_range() {
        let max = u64::MAX.to_string();
        let cases = [
            ("INPUT_READ_TIMEOUT_SECONDS", "read_timeout_seconds", ["0", "86401", max.as_str()]),
            ("INPUT_ERRORS_LIMIT", "errors_limit", ["-1", "1000001", max.as_str()]),
            ("INPUT_MAX_SLICES", "max_slices", ["0", "100001", max.as_str()]),
            ("INPUT_MIN_SLICE_SUPPORT", "min_slice_support", ["-1", "1000000001", max.as_str()]),
        ];
        for (var, input, outside) in cases {
            for value in outside {
                let env = [SET, ("INPUT_ERRORS_FILE", "e.parquet"), (var, value)];
                assert_eq!(invalid(settings_of(&env)).0, input, "{var}={value}");
            }
        }
        let s = settings_of(&[SET, ("INPUT_READ_TIMEOUT_SECONDS", "86400")]).unwrap();
        assert_eq!(s.store.read_timeout, std::time::Duration::from_secs(86_400));
        let s = settings_of(&[SET, ("INPUT_MAX_SLICES", "100000")]).unwrap();
        assert_eq!(s.slices.max_slices, 100_000);
    }
}
