//! Typed values from raw inputs: numbers, booleans, dates, lines, hashes.
//!
//! Every parser takes the input's table entry, so a failure names the input
//! and where its value came from, with what would have been accepted.

use std::path::PathBuf;

use super::error::InputError;
use super::raw::RawInputs;
use super::table::InputSpec;
use crate::dataset::Sha256;

/// The value as given, if any.
pub fn optional(raw: &RawInputs, spec: &'static InputSpec) -> Option<String> {
    raw.get(spec).map(|(v, _)| v.to_string())
}

/// A path, if given.
pub fn path(raw: &RawInputs, spec: &'static InputSpec) -> Option<PathBuf> {
    raw.get(spec).map(|(v, _)| PathBuf::from(v))
}

/// The value, or the empty string (for inputs with a default).
pub fn string(raw: &RawInputs, spec: &'static InputSpec) -> String {
    optional(raw, spec).unwrap_or_default()
}

/// `getMultilineInput`: one item per non-empty line, each trimmed.
pub fn lines(raw: &RawInputs, spec: &'static InputSpec) -> Vec<String> {
    raw.get(spec)
        .map(|(v, _)| {
            v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
        })
        .unwrap_or_default()
}

/// Column names, comma- or newline-separated, each once; empty when not given.
pub fn columns(raw: &RawInputs, spec: &'static InputSpec) -> Result<Vec<String>, InputError> {
    let Some((value, origin)) = raw.get(spec) else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    let repeated = columns.iter().enumerate().any(|(i, c)| columns[..i].contains(c));
    if columns.is_empty() || repeated {
        return Err(InputError::InvalidInput {
            input: spec.name,
            origin,
            value: value.to_string(),
            expected: "one or more column names, comma- or newline-separated, each once",
        });
    }
    Ok(columns)
}

/// A whole number in `range` (a count, a limit, seconds), which `expected`
/// states in words: every numeric input has a documented range.
pub fn whole(
    raw: &RawInputs,
    spec: &'static InputSpec,
    range: std::ops::RangeInclusive<u64>,
    expected: &'static str,
) -> Result<u64, InputError> {
    let (value, origin) =
        raw.get(spec).ok_or(InputError::MissingInput { input: spec.name, expected })?;
    value.parse::<u64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        InputError::InvalidInput { input: spec.name, origin, value: value.to_string(), expected }
    })
}

/// A SHA-256 of 64 hex digits in either case, if given.
pub fn sha256(raw: &RawInputs, spec: &'static InputSpec) -> Result<Option<Sha256>, InputError> {
    let Some((v, origin)) = raw.get(spec) else {
        return Ok(None);
    };
    Sha256::from_hex(v).map(Some).ok_or_else(|| InputError::InvalidInput {
        input: spec.name,
        origin,
        value: v.to_string(),
        expected: "a SHA-256 of 64 hex digits",
    })
}

fn number(
    raw: &RawInputs,
    spec: &'static InputSpec,
    expected: &'static str,
    accepts: impl Fn(f64) -> bool,
) -> Result<f64, InputError> {
    let (value, origin) =
        raw.get(spec).ok_or(InputError::MissingInput { input: spec.name, expected })?;
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && accepts(*v) && !underflows(value, *v))
        // `-0` is 0: a threshold is never shown as `≥ -0`.
        .map(|v| v + 0.0)
        .ok_or_else(|| InputError::InvalidInput {
            input: spec.name,
            origin,
            value: value.to_string(),
            expected,
        })
}

/// Whether a number written with a non-zero digit parsed to 0 (`1e-400`).
fn underflows(text: &str, parsed: f64) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    parsed == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

/// Any finite number (a decision threshold: probabilities or log-odds).
pub fn finite(raw: &RawInputs, spec: &'static InputSpec) -> Result<f64, InputError> {
    number(raw, spec, "a finite number, such as 0.5", |_| true)
}

/// A number in [0, 1] (a threshold, an allowed drop).
pub fn unit(raw: &RawInputs, spec: &'static InputSpec) -> Result<f64, InputError> {
    number(raw, spec, "a number in [0, 1], such as 0.92", |v| (0.0..=1.0).contains(&v))
}

/// A duration in seconds (finite, not negative), if given.
pub fn optional_seconds(
    raw: &RawInputs,
    spec: &'static InputSpec,
) -> Result<Option<f64>, InputError> {
    let expected = "a number of seconds, finite and not negative, such as 1820 or 0.004";
    raw.get(spec).map(|_| number(raw, spec, expected, |v| v >= 0.0)).transpose()
}

/// A number in [0, 1], if given.
pub fn optional_unit(raw: &RawInputs, spec: &'static InputSpec) -> Result<Option<f64>, InputError> {
    raw.get(spec).map(|_| unit(raw, spec)).transpose()
}

/// One of a few words, each standing for a value; `expected` lists them.
pub fn one_of<T: Copy>(
    raw: &RawInputs,
    spec: &'static InputSpec,
    words: &[(&str, T)],
    expected: &'static str,
) -> Result<T, InputError> {
    let (value, origin) =
        raw.get(spec).ok_or(InputError::MissingInput { input: spec.name, expected })?;
    words.iter().find(|(word, _)| *word == value).map(|(_, v)| *v).ok_or_else(|| {
        InputError::InvalidInput { input: spec.name, origin, value: value.to_string(), expected }
    })
}

/// A boolean as `@actions/core` `getBooleanInput` accepts it (YAML 1.2 core schema).
pub fn boolean(raw: &RawInputs, spec: &'static InputSpec) -> Result<bool, InputError> {
    const EXPECTED: &str = "one of true, True, TRUE, false, False, FALSE";
    match raw.get(spec) {
        Some(("true" | "True" | "TRUE", _)) => Ok(true),
        Some(("false" | "False" | "FALSE", _)) => Ok(false),
        Some((v, origin)) => Err(InputError::InvalidInput {
            input: spec.name,
            origin,
            value: v.to_string(),
            expected: EXPECTED,
        }),
        None => Err(InputError::MissingInput { input: spec.name, expected: EXPECTED }),
    }
}

/// A calendar date written YYYYMMDD, if given.
pub fn date(raw: &RawInputs, spec: &'static InputSpec) -> Result<Option<String>, InputError> {
    let Some((value, origin)) = raw.get(spec) else {
        return Ok(None);
    };
    let valid = value.len() == 8
        && value.bytes().all(|b| b.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(value, "%Y%m%d").is_ok();
    if !valid {
        return Err(InputError::InvalidInput {
            input: spec.name,
            origin,
            value: value.to_string(),
            expected: "a date as YYYYMMDD, such as 20251015",
        });
    }
    Ok(Some(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::inputs::raw::Loaded;
    use crate::inputs::table::{
        DATASET_DATE, DATASET_HASH, DECISION_THRESHOLD, LIMITATIONS, MIN_F1, SUMMARY,
        TRAINING_DURATION_SECONDS,
    };

    fn raw(env: &[(&str, &str)]) -> RawInputs {
        let args = [std::ffi::OsString::from("er-precision-gate")];
        match RawInputs::load(&Env::from_pairs(env.iter().copied()), args).unwrap() {
            Loaded::Run(raw) => raw,
            Loaded::Print(text) => panic!("unexpected print: {text}"),
        }
    }

    fn invalid<T: std::fmt::Debug>(result: Result<T, InputError>) -> (&'static str, String) {
        match result {
            Err(InputError::InvalidInput { input, origin, .. }) => (input, origin.to_string()),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn sha256_accepts_either_case_and_rejects_bad_length() {
        let upper = "A".repeat(64);
        let hash = sha256(&raw(&[("INPUT_DATASET_HASH", &upper)]), &DATASET_HASH).unwrap();
        assert_eq!(hash.unwrap().to_string(), "a".repeat(64));
        let (input, origin) =
            invalid(sha256(&raw(&[("INPUT_DATASET_HASH", "abc")]), &DATASET_HASH));
        assert_eq!((input, origin.as_str()), ("dataset_hash", "from `INPUT_DATASET_HASH`"));
        let g = "g".repeat(64);
        invalid(sha256(&raw(&[("INPUT_DATASET_HASH", &g)]), &DATASET_HASH));
        assert_eq!(sha256(&raw(&[]), &DATASET_HASH).unwrap(), None);
    }

    #[test]
    fn unit_numbers_lie_in_the_unit_interval() {
        for bad in ["abc", "1.5", "-0.1", "NaN", "inf", "0.9x"] {
            let (input, _) = invalid(unit(&raw(&[("INPUT_MIN_F1", bad)]), &MIN_F1));
            assert_eq!(input, "min_f1", "{bad}");
        }
        for (good, value) in [("0", 0.0), ("1", 1.0), ("1.0", 1.0), (".95", 0.95), ("0.925", 0.925)]
        {
            assert_eq!(unit(&raw(&[("INPUT_MIN_F1", good)]), &MIN_F1).unwrap(), value);
        }
        assert_eq!(unit(&raw(&[]), &MIN_F1).unwrap(), 0.90, "the default");
        let zero = unit(&raw(&[("INPUT_MIN_F1", "-0")]), &MIN_F1).unwrap();
        assert!(zero == 0.0 && zero.is_sign_positive(), "-0 is 0");
        for underflow in ["1e-400", "0.001e-999", "5E-324000"] {
            let (input, _) = invalid(unit(&raw(&[("INPUT_MIN_F1", underflow)]), &MIN_F1));
            assert_eq!(input, "min_f1", "{underflow}");
        }
        assert_eq!(unit(&raw(&[("INPUT_MIN_F1", "0e-400")]), &MIN_F1).unwrap(), 0.0);
    }

    #[test]
    fn finite_numbers_may_be_negative() {
        let r = raw(&[("INPUT_DECISION_THRESHOLD", "-2.5")]);
        assert_eq!(finite(&r, &DECISION_THRESHOLD).unwrap(), -2.5);
        let r = raw(&[("INPUT_DECISION_THRESHOLD", "NaN")]);
        assert_eq!(invalid(finite(&r, &DECISION_THRESHOLD)).0, "decision_threshold");
    }

    #[test]
    fn booleans_are_yaml_core_only() {
        for (value, expected) in
            [("false", false), ("False", false), ("FALSE", false), ("True", true), ("TRUE", true)]
        {
            assert_eq!(boolean(&raw(&[("INPUT_SUMMARY", value)]), &SUMMARY).unwrap(), expected);
        }
        for bad in ["yes", "1", "no", "tRue"] {
            assert_eq!(invalid(boolean(&raw(&[("INPUT_SUMMARY", bad)]), &SUMMARY)).0, "summary");
        }
    }

    #[test]
    fn dates_are_real_yyyymmdd_dates() {
        for bad in ["2025-10-15", "20251315", "20250230", "2025101", "+2025101"] {
            let (input, _) = invalid(date(&raw(&[("INPUT_DATASET_DATE", bad)]), &DATASET_DATE));
            assert_eq!(input, "dataset_date", "{bad}");
        }
        let r = raw(&[("INPUT_DATASET_DATE", "20240229")]);
        assert_eq!(date(&r, &DATASET_DATE).unwrap().as_deref(), Some("20240229"));
        assert_eq!(date(&raw(&[]), &DATASET_DATE).unwrap(), None);
    }

    #[test]
    fn seconds_are_finite_and_not_negative() {
        let seconds = |v: &str| {
            optional_seconds(
                &raw(&[("INPUT_TRAINING_DURATION_SECONDS", v)]),
                &TRAINING_DURATION_SECONDS,
            )
        };
        assert_eq!(seconds("1820").unwrap(), Some(1820.0));
        assert_eq!(seconds("0.004").unwrap(), Some(0.004));
        for bad in ["-1", "inf", "NaN", "1e-400", "ten"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(optional_seconds(&raw(&[]), &TRAINING_DURATION_SECONDS).unwrap(), None);
    }

    #[test]
    fn lines_are_trimmed_and_blank_lines_dropped() {
        let r = raw(&[("INPUT_LIMITATIONS", "  first\n\n second  \n")]);
        assert_eq!(lines(&r, &LIMITATIONS), ["first", "second"]);
        assert!(lines(&raw(&[]), &LIMITATIONS).is_empty());
    }
}
