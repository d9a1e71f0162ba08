//! The model card's Known Limitations, derived from the data: metrics close
//! to their thresholds, skipped rows, few examples, a baseline on other
//! data. The user's own follow.

use crate::gate::Rule;
use crate::report::Report;
use crate::report::format::{self, percent};

/// A metric within this distance above its threshold is a limitation.
const CLOSE_TO_THRESHOLD: f64 = 0.01;
/// Fewer true or predicted matches than this is a limitation.
const FEW_EXAMPLES: u64 = 100;

/// What the data shows a reader should be careful about; the user's own
/// follow them on the card.
pub fn derived(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for c in r.checks.iter().filter(|c| matches!(c.rule, Rule::AtLeast { .. }) && c.is_pass()) {
        if let (Some(v), Some(t)) = (c.value, c.floor())
            && v - t < CLOSE_TO_THRESHOLD
        {
            out.push(format!(
                "{} ({}) is within 1 point of its threshold ({}): a small change in the data or the model can flip the verdict.",
                c.metric().title(),
                percent(v),
                percent(t)
            ));
        }
    }
    if r.rows_skipped > 0 {
        let total = r.rows + r.rows_skipped;
        out.push(format!(
            "{} of {total} rows ({}) were skipped for missing values; the metrics describe the other rows only.",
            r.rows_skipped,
            percent(r.rows_skipped as f64 / total as f64)
        ));
    }
    let positives = r.counts.positives();
    if positives < FEW_EXAMPLES {
        out.push(format!(
            "Only {positives} true matches in the validation set: recall and F1 rest on few examples and can move by several points between samples."
        ));
    }
    let predicted = r.counts.predicted();
    if predicted < FEW_EXAMPLES {
        out.push(format!(
            "Only {predicted} predicted matches: precision rests on few examples and can move by several points between samples."
        ));
    }
    if unverified(r) {
        out.push(format!(
            "The validation data was not verified: its SHA-256 ({}) was computed but not checked against a recorded one (`dataset_hash` or `checksums`), so these numbers may be of other data than the dataset version named.",
            format::code(&r.dataset.sha256.to_string())
        ));
    }
    if let Some(c) = r.baseline.as_ref().filter(|c| !c.same_dataset) {
        out.push(format::different_dataset(&c.dataset_sha256, &r.dataset.sha256.to_string()));
    }
    out.extend(r.slices.iter().flat_map(super::slices::limitations));
    out
}

/// Whether the metrics come from a validation set whose hash nobody
/// checked (an engine's counts carry their own provenance).
pub fn unverified(r: &Report) -> bool {
    !r.dataset.verified && r.dataset.engine.is_none()
}
