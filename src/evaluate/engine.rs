//! Evaluating the counts an engine computed where the data lives: no byte
//! of the data is read here, so the provenance is the dataset version the
//! counts file names, labelled as counted by the engine.

use std::path::Path;

use super::error::EvaluateError;
use super::evaluation::{Engine, Provenance};
use super::read::Read;
use super::settings::Settings;
use crate::counts;
use crate::dataset::Decision;
use crate::dataset::checksums;

/// Reads and checks the counts file (every file of `checksums` verified
/// first), giving what the verdict needs.
pub fn read(settings: &Settings, path: &Path) -> Result<Read, EvaluateError> {
    if let Some(list) = &settings.checksums {
        // Every listed file verified; none of them is read as the data.
        checksums::verify_all(list)?;
    }
    let threshold = match &settings.decision {
        Decision::Score { threshold, .. } => Some(*threshold),
        Decision::Prediction { .. } => None,
    };
    let counted = counts::read(path, threshold, &settings.slices)?;
    let version = &counted.dataset_version;
    let counts = &counted.tally.counts;
    Ok(Read {
        designs: None,
        blocking: None,
        stratified: None,
        paired: None,
        dataset: Provenance {
            path: path.display().to_string(),
            sha256: crate::dataset::parts::sha256_of(version),
            verified: false,
            verified_against: Vec::new(),
            size_bytes: 0,
            rows: counts.rows() + counted.tally.skipped.rows,
            row_groups: 0,
            checksums: settings.checksums.as_ref().map(|p| p.display().to_string()),
            parts: None,
            engine: Some(Engine {
                dataset_version: version.clone(),
                counts_sha256: counted.sha256,
            }),
        },
        tally: counted.tally,
        histogram: counted.histogram.filter(|_| settings.sweeps()),
        weighted: None,
        slices: counted.slices,
        slice_designs: Vec::new(),
        review: None,
        clusters: None,
        predictions: None,
        baseline_predictions: None,
    })
}
