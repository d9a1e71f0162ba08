//! The previous model's result, read from its JSON report, for comparison.
//!
//! A baseline is the `report_json` of an earlier gate run (schema version 1).
//! Only what the comparison needs is read: the metrics, the model id and the
//! dataset it was evaluated on. Anything else in the file is ignored, so newer
//! reports of the same schema version still load.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::metrics::{Metric, PerMetric};
use crate::report::SCHEMA_VERSION;

/// The previous model's metrics and provenance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Baseline {
    /// The baseline file.
    pub path: PathBuf,
    /// The previous model's id, when its report has one.
    pub model_id: Option<String>,
    /// The previous metrics; `None` where undefined.
    pub metrics: PerMetric<Option<f64>>,
    /// The SHA-256 of the dataset it was evaluated on.
    pub dataset_sha256: String,
}

#[derive(Deserialize)]
struct Raw {
    schema_version: Option<u32>,
    metrics: RawMetrics,
    dataset: RawDataset,
    model: Option<RawModel>,
}

#[derive(Deserialize)]
struct RawMetrics {
    precision: Option<f64>,
    recall: Option<f64>,
    f1: Option<f64>,
}

#[derive(Deserialize)]
struct RawDataset {
    sha256: String,
}

#[derive(Deserialize)]
struct RawModel {
    id: Option<String>,
}

impl Baseline {
    /// Reads a baseline report. Fails on a missing or unreadable file, on
    /// malformed JSON and on an unknown schema version.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::ReadBaseline { path: path.to_path_buf(), source })?;
        let raw: Raw = serde_json::from_str(&text)
            .map_err(|source| Error::BaselineFormat { path: path.to_path_buf(), source })?;
        match raw.schema_version {
            Some(SCHEMA_VERSION) => {}
            found => {
                return Err(Error::BaselineVersion {
                    path: path.to_path_buf(),
                    found: found.map_or("none".to_string(), |v| v.to_string()),
                });
            }
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            model_id: raw.model.and_then(|m| m.id),
            metrics: PerMetric {
                precision: raw.metrics.precision,
                recall: raw.metrics.recall,
                f1: raw.metrics.f1,
            },
            dataset_sha256: raw.dataset.sha256,
        })
    }

    /// The previous value of `metric`.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        self.metrics.get(metric)
    }
}

/// A change in percentage points with one decimal and an ASCII sign:
/// `+4.6`, `-14.5`, `+0.0`.
pub fn points(delta: f64) -> String {
    let text = format!("{:+.1}", delta * 100.0);
    if text == "-0.0" { "+0.0".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn reads_a_version_1_report() {
        let file = write(
            r#"{"schema_version": 1, "metrics": {"precision": 0.9, "recall": null, "f1": 0.5},
                "dataset": {"sha256": "ab"}, "model": {"id": "er_20250101"}, "extra": 1}"#,
        );
        let b = Baseline::load(file.path()).unwrap();
        assert_eq!(b.get(Metric::Precision), Some(0.9));
        assert_eq!(b.get(Metric::Recall), None);
        assert_eq!(b.model_id.as_deref(), Some("er_20250101"));
        assert_eq!(b.dataset_sha256, "ab");
    }

    #[test]
    fn rejects_missing_malformed_and_unknown_versions() {
        let missing = Baseline::load(Path::new("/nonexistent/b.json")).unwrap_err();
        assert!(matches!(missing, Error::ReadBaseline { .. }), "{missing:?}");
        let bad = write("{not json");
        assert!(matches!(Baseline::load(bad.path()).unwrap_err(), Error::BaselineFormat { .. }));
        let v2 = write(r#"{"schema_version": 2, "metrics": {}, "dataset": {"sha256": "ab"}}"#);
        let err = Baseline::load(v2.path()).unwrap_err();
        assert!(err.to_string().contains("schema version 2"), "{err}");
    }

    #[test]
    fn points_have_one_decimal_and_an_ascii_sign() {
        assert_eq!(points(0.046), "+4.6");
        assert_eq!(points(-0.145), "-14.5");
        assert_eq!(points(-0.0001), "+0.0");
        assert_eq!(points(0.0), "+0.0");
    }
}
