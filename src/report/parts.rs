//! A folder's parts in prose and its manifest as the model card shows it;
//! counts an engine made, in prose.

use serde::Serialize;

use super::format;
use crate::evaluate::{Engine, Parts};

/// Manifest lines the model card shows; the manifest file has them all.
const SHOWN_LINES: usize = 100;

/// `16 parquet files, partitioned by `entity_type`; the SHA-256 is their
/// manifest's`: what the summary and the card say of a folder.
pub fn text(parts: &Parts) -> String {
    let files = format::count(parts.files.len() as u64, "parquet file");
    let keys: Vec<String> = parts.partition_keys.iter().map(|k| format::code(k)).collect();
    let keys = if keys.is_empty() {
        String::new()
    } else {
        format!(", partitioned by {}", keys.join(", "))
    };
    format!("{files}{keys}; the SHA-256 is that of their manifest")
}

/// What the summary and the card say of counts an engine made.
pub fn engine_text(engine: &Engine) -> String {
    format!(
        "dataset version {}, counted by the engine: the data's bytes were not verified by this tool",
        format::code(&engine.dataset_version)
    )
}

/// The manifest in the model card.
#[derive(Debug, Clone, Serialize)]
pub struct CardParts {
    /// The parts in prose ([`text`]).
    pub text: String,
    /// The manifest's first lines.
    pub manifest: String,
    /// The fence of the manifest's code block.
    pub fence: String,
    /// How many lines are not shown, in prose, when some are not.
    pub more: Option<String>,
}

impl CardParts {
    /// The card's view of a folder's parts.
    pub fn new(parts: &Parts) -> CardParts {
        // Part names hold no line break (the listing refuses them), so no
        // line of the block can close it; control characters are escaped.
        let lines: Vec<String> = parts
            .manifest
            .lines()
            .take(SHOWN_LINES)
            .map(|l| crate::untrusted::shown(l).to_string())
            .collect();
        let hidden = parts.files.len().saturating_sub(SHOWN_LINES);
        CardParts {
            text: text(parts),
            fence: format::fence(lines.iter().map(String::as_str)),
            manifest: lines.join("\n"),
            more: (hidden > 0).then(|| {
                format!("{} more in the manifest file.", format::count(hidden as u64, "line"))
            }),
        }
    }
}
