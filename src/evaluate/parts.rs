//! What is known of a folder's parts, for the report: each part's hash,
//! size and rows, and the manifest whose hash is the dataset's.

use crate::dataset::{Dataset, Hashed, Sha256, Source};

/// One part of a folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Part {
    /// Its path relative to the folder, with `/`, as the manifest names it.
    pub path: String,
    /// Its SHA-256.
    pub sha256: Sha256,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// Its rows, from its footer.
    pub rows: u64,
}

/// A folder's parts, in the order their rows are numbered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Parts {
    /// The hive partition keys of its folders (`key=value/`), outermost first.
    pub partition_keys: Vec<String>,
    /// Every part.
    pub files: Vec<Part>,
    /// The manifest: a `sha256sum` line per part; the dataset's hash is its hash.
    #[serde(skip)]
    pub manifest: String,
}

impl Parts {
    /// The parts of `source`, when it is a folder.
    pub fn of(source: &Source, dataset: &Dataset, hashed: &Hashed) -> Option<Parts> {
        let manifest = hashed.manifest.clone()?;
        let rows = dataset.part_rows();
        let files = source
            .parts
            .iter()
            .zip(&hashed.parts)
            .zip(rows)
            .map(|((part, sha256), rows)| Part {
                path: part.relative.clone(),
                sha256: *sha256,
                size_bytes: part.size,
                rows,
            })
            .collect();
        Some(Parts { partition_keys: source.keys.clone(), files, manifest })
    }
}
