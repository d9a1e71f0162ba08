//! The rows of a counts file, each checked against what its `kind` holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::{CountsError, ParseError};
use crate::dataset::Sha256;
use crate::metrics::{Counts, Skipped};
use crate::slices::Value;

/// The `bin` of the scores below every candidate of the sweep (-9999 is
/// the lowest): -10000 in thousandths.
pub const BELOW: i64 = -10_000_000;

/// The histogram slot of a score row's `bin`, when it is one.
pub(super) fn bin_slot(bin: i64) -> Option<usize> {
    match bin {
        BELOW => Some(0),
        _ => crate::sweep::edge_slot(bin as f64 / 1000.0),
    }
}

/// One row of the file; a field no kind uses is refused by name.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Row {
    pub kind: String,
    dataset_version: Option<String>,
    pub threshold: Option<f64>,
    slice_column: Option<String>,
    slice_value: Option<String>,
    tp: Option<u64>,
    fp: Option<u64>,
    #[serde(rename = "fn")]
    fn_: Option<u64>,
    tn: Option<u64>,
    skipped: Option<u64>,
    label_null: Option<u64>,
    decision_null: Option<u64>,
    score_nan: Option<u64>,
    bin: Option<i64>,
    matches: Option<u64>,
    non_matches: Option<u64>,
}

impl Row {
    /// The names of the fields set, besides `kind`.
    pub(super) fn set(&self) -> Vec<&'static str> {
        let fields = [
            ("dataset_version", self.dataset_version.is_some()),
            ("threshold", self.threshold.is_some()),
            ("slice_column", self.slice_column.is_some()),
            ("slice_value", self.slice_value.is_some()),
            ("tp", self.tp.is_some()),
            ("fp", self.fp.is_some()),
            ("fn", self.fn_.is_some()),
            ("tn", self.tn.is_some()),
            ("skipped", self.skipped.is_some()),
            ("label_null", self.label_null.is_some()),
            ("decision_null", self.decision_null.is_some()),
            ("score_nan", self.score_nan.is_some()),
            ("bin", self.bin.is_some()),
            ("matches", self.matches.is_some()),
            ("non_matches", self.non_matches.is_some()),
        ];
        fields.into_iter().filter(|(_, set)| *set).map(|(name, _)| name).collect()
    }

    fn counts(&self) -> Option<Counts> {
        Some(Counts { tp: self.tp?, fp: self.fp?, fn_: self.fn_?, tn: self.tn? })
    }
}

/// What a row's `kind` says it holds, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The counts at the decision threshold, and the rows left out.
    Total,
    /// One value of one slice column.
    Slice,
    /// One bin of the sweep's histogram.
    Score,
}

impl Kind {
    /// The kind a row's `kind` names, if any.
    pub(super) fn of(kind: &str) -> Option<Kind> {
        match kind {
            "total" => Some(Kind::Total),
            "slice" => Some(Kind::Slice),
            "score" => Some(Kind::Score),
            _ => None,
        }
    }

    /// The fields a row of this kind may hold.
    pub(super) fn allowed(self) -> &'static [&'static str] {
        match self {
            Kind::Total => &[
                "dataset_version",
                "threshold",
                "tp",
                "fp",
                "fn",
                "tn",
                "skipped",
                "label_null",
                "decision_null",
                "score_nan",
            ],
            Kind::Slice => &["slice_column", "slice_value", "tp", "fp", "fn", "tn"],
            Kind::Score => &["bin", "matches", "non_matches"],
        }
    }
}

/// What is wrong with one row, and what was expected.
pub(super) type Problem = &'static str;

/// The slice rows: per column, in the order first seen, each value's counts.
pub(super) type SliceRows = Vec<(String, BTreeMap<Value, Counts>)>;

/// A slice row, added to its column's values.
pub(super) fn add_slice(slices: &mut SliceRows, row: &Row) -> Result<(), Problem> {
    let counts = row.counts().ok_or("expected tp, fp, fn and tn")?;
    let column = row
        .slice_column
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or("expected the slice_column it counts")?;
    let value = row.slice_value.as_deref().map_or(Value::Null, |v| Value::Text(v.into()));
    let at = match slices.iter().position(|(c, _)| *c == column) {
        Some(at) => at,
        None => {
            slices.push((column, BTreeMap::new()));
            slices.len() - 1
        }
    };
    match slices[at].1.insert(value, counts) {
        Some(_) => Err("repeats a slice_column and slice_value of an earlier row"),
        None => Ok(()),
    }
}

/// A score row, added to the histogram's bins.
pub(super) fn add_bin(bins: &mut BTreeMap<usize, (u64, u64)>, row: &Row) -> Result<(), Problem> {
    let bin = row.bin.and_then(bin_slot).ok_or(
        "expected a bin: a candidate threshold of the sweep in thousandths (thousandths below 10 in magnitude, then four significant digits up to 9999: 10010 for 10.01), or -10000000 for the scores below -9999",
    )?;
    let (Some(m), Some(n)) = (row.matches, row.non_matches) else {
        return Err("expected matches and non_matches");
    };
    match bins.insert(bin, (m, n)) {
        Some(_) => Err("repeats the bin of an earlier row"),
        None => Ok(()),
    }
}

/// What the one total row holds, its threshold not yet checked.
pub(super) struct Total {
    pub counts: Counts,
    pub dataset_version: String,
    pub threshold: Option<f64>,
}

/// The most rows a counts file may stand for, 2^60: far beyond any data
/// set, and low enough that no sum or product the metrics take of the
/// counts can overflow.
pub const MAX_ROWS: u64 = 1 << 60;

/// The total row's counts and dataset version.
pub(super) fn total(row: &Row) -> Result<Total, Problem> {
    let counts = row.counts().ok_or("expected tp, fp, fn and tn")?;
    let cells = [counts.tp, counts.fp, counts.fn_, counts.tn, row.skipped.unwrap_or(0)];
    if cells.iter().map(|n| u128::from(*n)).sum::<u128>() > u128::from(MAX_ROWS) {
        return Err(
            "expected tp, fp, fn, tn and skipped that add up to at most 2^60 (1152921504606846976) rows",
        );
    }
    let dataset_version = row.dataset_version.as_deref().map(str::trim).unwrap_or_default();
    if dataset_version.is_empty() {
        return Err(
            "expected the dataset_version counted (a snapshot id, or a table and a time): it stands for the data, whose bytes this tool does not see",
        );
    }
    let dataset_version = dataset_version.to_string();
    Ok(Total { counts, dataset_version, threshold: row.threshold })
}

/// The total row's rows left out, each count checked against the others.
pub(super) fn skipped(row: &Row) -> Result<Skipped, Problem> {
    let (label_null, decision_null, score_nan) =
        (row.label_null.unwrap_or(0), row.decision_null.unwrap_or(0), row.score_nan.unwrap_or(0));
    // A row may lack both its label and its score: `skipped` counts rows,
    // the others count missing values, as the gate's own reading does.
    let rows = row.skipped.unwrap_or(0);
    let most = label_null.max(decision_null).max(score_nan);
    let sum = u128::from(label_null) + u128::from(decision_null) + u128::from(score_nan);
    if rows < most || u128::from(rows) > sum {
        return Err(
            "expected skipped (rows left out) at least each of label_null, decision_null and score_nan, and at most their sum",
        );
    }
    Ok(Skipped { rows, label_null, decision_null, score_nan, ..Skipped::default() })
}

/// Every row of the file, or of every part file of a folder (names that
/// start with `.` or `_` skipped, in byte order).
pub(super) fn rows(path: &Path) -> Result<(Vec<Row>, Sha256), CountsError> {
    let read_err = |source| CountsError::Read { path: path.to_path_buf(), source };
    let real = crate::places::resolve(path).map_err(read_err)?;
    let files: Vec<PathBuf> = if !std::fs::metadata(&real).map_err(read_err)?.is_dir() {
        vec![path.to_path_buf()]
    } else {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            let name = entry.file_name();
            let skipped = name.to_str().is_none_or(crate::dataset::parts::skipped);
            if !skipped && entry.file_type().map_err(read_err)?.is_file() {
                files.push(entry.path());
            }
        }
        files.sort();
        files
    };
    let mut rows = Vec::new();
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for file in files {
        let text = crate::files::read_text(&file)
            .map_err(|source| CountsError::Read { path: file.clone(), source })?;
        digest.update(text.as_bytes());
        rows.extend(parse(&file, &text)?);
    }
    Ok((rows, Sha256::from_bytes(digest.finish().as_ref())))
}

/// One file's rows: JSON when it starts with `[` or `{`, else CSV.
fn parse(path: &Path, text: &str) -> Result<Vec<Row>, CountsError> {
    let parse_err = |error| CountsError::Parse { path: path.to_path_buf(), error };
    let json_err = |e| parse_err(ParseError::Json(e));
    match text.trim_start().chars().next() {
        None => Ok(Vec::new()),
        Some('[') => serde_json::from_str(text).map_err(json_err),
        Some('{') => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(json_err))
            .collect(),
        Some(_) => csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes())
            .deserialize()
            .map(|row| row.map_err(|e| parse_err(ParseError::Csv(e))))
            .collect(),
    }
}
