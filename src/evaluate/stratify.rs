//! The stratified estimate of a run with `strata_column`: the sizes file
//! read as every file an input names (or the config file's mapping), and
//! the strata's counts checked against it.

use std::path::PathBuf;

use super::error::EvaluateError;
use super::settings::Settings;
use crate::slices::SliceColumn;
use crate::strata::{self, StrataSettings, StrataSizes, Stratified};

/// Reads the sizes and estimates from the strata's counts (the last column
/// counted as slices).
pub(super) fn stratify(
    settings: &Settings,
    strata: &StrataSettings,
    counted: Option<SliceColumn>,
) -> Result<Stratified, EvaluateError> {
    let (sizes, named) = match &strata.sizes {
        StrataSizes::Listed(sizes) => (sizes.clone(), PathBuf::from("the config file")),
        StrataSizes::File(path) => {
            let fail = |problem| EvaluateError::StrataSizes { path: path.clone(), problem };
            let text = crate::files::read_text(path).map_err(|e| fail(e.to_string()))?;
            (strata::parse_sizes(&text).map_err(fail)?, path.clone())
        }
    };
    let counted = counted.expect("the strata column is counted as the last slice column");
    strata::estimate(&counted, &sizes).map_err(|problem| EvaluateError::Strata {
        path: settings.validation_set.clone(),
        column: strata.column.clone(),
        sizes: named,
        problem,
    })
}
