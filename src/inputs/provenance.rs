//! `dataset_hash` and `require_dataset_hash`: the SHA-256 the validation
//! set must have, given as 64 hex digits or as the whole line `sha256sum`
//! prints, and whether a run without one may go on.

use std::path::Path;

use super::error::InputError;
use super::raw::RawInputs;
use super::table::{DATASET_HASH, VALIDATION_SET};
use super::values::sha256;
use crate::dataset::Sha256;

/// The expected hash: 64 hex digits, or a `sha256sum` line (`<hash>
/// <file>`, `*<file>` in binary mode) whose file is the validation set's
/// (its path as given, or its bare file name); a line of another file is
/// refused, as the hash of the wrong file would be.
pub fn dataset_hash(raw: &RawInputs) -> Result<Option<Sha256>, InputError> {
    let Some((value, origin)) = raw.get(&DATASET_HASH) else {
        return Ok(None);
    };
    let Some((hash, file)) = value.trim().split_once(char::is_whitespace) else {
        return sha256(raw, &DATASET_HASH);
    };
    let file = file.trim_start();
    let file = file.strip_prefix('*').unwrap_or(file);
    let validation = raw.get(&VALIDATION_SET).map(|(v, _)| v).unwrap_or_default();
    let (file, validation) = (strip_dot(file), strip_dot(validation));
    // A bare name is `sha256sum` run in the file's folder; a path must be
    // the validation set's (the training data often shares its file name).
    let bare = !file.contains('/');
    let same =
        file == validation || (bare && Path::new(validation).file_name() == Some(file.as_ref()));
    let invalid = |expected| InputError::InvalidInput {
        input: DATASET_HASH.name,
        origin: origin.clone(),
        value: value.to_string(),
        expected,
    };
    match Sha256::from_hex(hash) {
        Some(sha) if same => Ok(Some(sha)),
        Some(_) => Err(invalid(
            "the validation set's SHA-256: this sha256sum line is of another file (the training data?); record the validation set's, or drop the file name if the hash is its",
        )),
        None => Err(invalid("a SHA-256 of 64 hex digits")),
    }
}

/// A path without its leading `./`.
fn strip_dot(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::tests::load;

    const HEX: &str = "9932efa7e5bd06a7af1dc4accf0384dee1abfe25f464aa88371e0aa320a4c261";

    fn hash_of(value: &str) -> Result<Option<Sha256>, InputError> {
        let env = [
            ("INPUT_VALIDATION_SET", "data/validation/er_20251015.parquet"),
            ("INPUT_DATASET_HASH", value),
        ];
        load(&env, &[]).map(|inputs| inputs.evaluate.dataset_hash)
    }

    #[test]
    fn a_sha256sum_line_of_the_validation_set_is_its_hash() {
        let expected = Sha256::from_hex(HEX);
        assert_eq!(hash_of(HEX).unwrap(), expected);
        for line in [
            format!("{HEX}  er_20251015.parquet"),
            format!("{HEX} *er_20251015.parquet\n"),
            format!("{HEX}  data/validation/er_20251015.parquet"),
            format!("{HEX}  ./data/validation/er_20251015.parquet"),
        ] {
            assert_eq!(hash_of(&line).unwrap(), expected, "{line}");
        }
    }

    #[test]
    fn a_sha256sum_line_of_another_file_is_refused() {
        let err = hash_of(&format!("{HEX}  data/training/er_20251015.parquet")).unwrap_err();
        assert!(err.to_string().contains("drop the file name"), "{err}");
        let err = hash_of("abc  er_20251015.parquet").unwrap_err();
        assert!(err.to_string().contains("64 hex digits"), "{err}");
    }
}
