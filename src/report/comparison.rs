//! This model against the previous one (`baseline`): every metric before
//! and now, and whether both ran on the same dataset.

use crate::baseline::Baseline;
use crate::dataset::Sha256;
use crate::evaluate::{Evaluation, Provenance};
use crate::metrics::Metric;
use crate::report::format::{self, Units};
use crate::stats::Evidence;

/// What `baseline: latest` searched and found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BaselineSearch {
    pub folders: Vec<String>,
    /// The file chosen, the newest earlier card; `None`: no comparison.
    pub found: Option<String>,
    /// Why each JSON file there that is no baseline was skipped.
    pub skipped: Vec<String>,
}

impl BaselineSearch {
    /// What `baseline: latest` searched, when it was asked for.
    pub fn of(e: &Evaluation) -> Option<BaselineSearch> {
        e.latest.as_ref().map(|l| BaselineSearch {
            folders: l.folders.iter().map(|f| f.display().to_string()).collect(),
            found: e.baseline.as_ref().map(|b| b.path.display().to_string()),
            skipped: l.skipped.clone(),
        })
    }
}

/// This model against the previous one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// The baseline report's path.
    pub path: String,
    /// The previous model's id, when its report has one.
    pub model_id: Option<String>,
    /// The SHA-256 of the dataset the previous model was evaluated on.
    pub dataset_sha256: String,
    /// Whether both were evaluated on the same bytes.
    pub same_dataset: bool,
    /// One entry per metric.
    pub changes: Vec<Change>,
}

impl Comparison {
    /// The previous model in prose: its id, or its report's path, as code.
    pub fn previous_model(&self) -> String {
        format::code(self.model_id.as_deref().unwrap_or(&self.path))
    }

    /// Whether the comparison is like for like, in prose; `current` is this
    /// run's dataset hash.
    pub fn note(&self, current: &Sha256) -> String {
        format::comparison_note(self.same_dataset, &self.dataset_sha256, &current.to_string())
    }

    /// The summary's table, `current` this run's dataset hash.
    pub fn view(&self, current: &Sha256) -> ComparisonView {
        ComparisonView {
            previous_model: self.previous_model(),
            dataset_note: self.note(current),
            rows: self
                .changes
                .iter()
                .map(|ch| ChangeRow {
                    title: ch.metric.title(),
                    previous: Units::Fraction.level_or_undefined(ch.previous),
                    current: Units::Fraction.level_or_undefined(ch.current),
                    points: ch.points.clone().unwrap_or_else(|| "undefined".to_string()),
                })
                .collect(),
        }
    }
}

/// The summary's table of the changes.
#[derive(serde::Serialize)]
pub struct ComparisonView {
    previous_model: String,
    dataset_note: String,
    rows: Vec<ChangeRow>,
}

#[derive(serde::Serialize)]
struct ChangeRow {
    title: &'static str,
    previous: String,
    current: String,
    points: String,
}

/// One metric, before and now.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub metric: Metric,
    pub previous: Option<f64>,
    /// This model's value.
    pub current: Option<f64>,
    /// `current - previous`, absolute; `None` when either is undefined.
    pub delta: Option<f64>,
    /// The change in percentage points, one decimal, ASCII sign (`+4.6`).
    pub points: Option<String>,
}

/// This run's metrics against the previous model's (`baseline`), and
/// whether both were evaluated on the same bytes.
pub(super) fn compare(
    baseline: &Baseline,
    evidence: &dyn Evidence,
    dataset: &Provenance,
) -> Comparison {
    let changes = Metric::ALL
        .into_iter()
        .map(|metric| {
            let (previous, current) = (baseline.get(metric), evidence.value(metric));
            let delta = previous.zip(current).map(|(p, c)| c - p);
            Change { metric, previous, current, delta, points: delta.map(format::points) }
        })
        .collect();
    Comparison {
        path: baseline.path.display().to_string(),
        model_id: baseline.model_id.clone(),
        dataset_sha256: baseline.dataset_sha256.clone(),
        same_dataset: baseline.dataset_sha256.eq_ignore_ascii_case(&dataset.sha256.to_string()),
        changes,
    }
}
