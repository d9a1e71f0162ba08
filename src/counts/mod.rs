//! Counts computed by the engine that holds the data (DuckDB, Spark, Trino).
//!
//! Counts are a sum over rows, so any SQL engine can compute them where the
//! data lives; the queries in `sql/` write them as rows of one shape, CSV
//! with a header or JSON (an array, or an object per line), documented in
//! `sql/README.md`. A row's `kind` says what it holds:
//!
//! - `total`: `dataset_version`, the decision `threshold` the query used,
//!   `tp`, `fp`, `fn`, `tn`, the rows left out for a missing value
//!   (`skipped`), and of them those with a null label (`label_null`), a
//!   null score (`decision_null`) or a NaN score (`score_nan`);
//! - `slice`: one value of one slice column (`slice_column`, `slice_value`,
//!   empty for the nulls) and its `tp`, `fp`, `fn`, `tn`;
//! - `score`: the sweep's histogram, the true `matches` and `non_matches`
//!   whose score is at or above candidate `bin / 1000` of [`crate::sweep`]'s
//!   grid and below the next: thousandths below 10 in magnitude, then four
//!   significant digits up to 9999 (`bin` 10010 is 10.01, 123400 is 123.4),
//!   and [`BELOW`] for the scores below -9999, the lowest candidate.
//!
//! [`read`] checks everything that can be checked without the data: one
//! total, the threshold, every row's fields, the histogram and each slice
//! column adding up to the total. A Spark output folder of part files is
//! read whole. It knows nothing of verdicts.

mod error;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::CountsError;

use crate::dataset::Sha256;
use crate::metrics::{Counts, Skipped, Tally};
use crate::slices::{Slice, SliceColumn, SliceSettings, Value};
use crate::sweep::Histogram;

/// The `bin` of the scores below every candidate of the sweep (-9999 is
/// the lowest): -10000 in thousandths.
pub const BELOW: i64 = -10_000_000;

/// The histogram slot of a score row's `bin`, when it is one.
fn bin_slot(bin: i64) -> Option<usize> {
    match bin {
        BELOW => Some(0),
        _ => crate::sweep::edge_slot(bin as f64 / 1000.0),
    }
}

/// What an engine counted.
#[derive(Debug, Clone)]
pub struct EngineCounts {
    /// The version of the data counted: a snapshot id, a table and time.
    pub dataset_version: String,
    /// The decision threshold the query used; `None` for a prediction column.
    pub threshold: Option<f64>,
    /// The counts and the rows left out.
    pub tally: Tally,
    /// The scores' histogram, when the file has score rows.
    pub histogram: Option<Histogram>,
    /// The slice columns' slices, in the order first seen (or of `slice_columns`).
    pub slices: Vec<SliceColumn>,
    /// The SHA-256 of the bytes read: the file's, or a folder's part files'
    /// one after the other, in name order.
    pub sha256: Sha256,
}

/// One row of the file; a field no kind uses is refused by name.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    kind: String,
    dataset_version: Option<String>,
    threshold: Option<f64>,
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
    fn set(&self) -> Vec<&'static str> {
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

/// Reads and checks the counts file (or folder of part files) at `path`.
/// `decision_threshold` is the gate's (`None` for a prediction column).
pub fn read(
    path: &Path,
    decision_threshold: Option<f64>,
    slicing: &SliceSettings,
) -> Result<EngineCounts, CountsError> {
    let (rows, sha256) = rows(path)?;
    let row_err = |row: usize, problem| CountsError::Row {
        path: path.to_path_buf(),
        row: row + 1,
        kind: rows[row].kind.clone(),
        problem,
    };
    let mut total: Vec<(usize, &Row)> = Vec::new();
    let mut bins: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    let mut slices: Vec<(String, BTreeMap<Value, Counts>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let allowed: &[&str] = match row.kind.as_str() {
            "total" => &[
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
            "slice" => &["slice_column", "slice_value", "tp", "fp", "fn", "tn"],
            "score" => &["bin", "matches", "non_matches"],
            _ => return Err(row_err(i, "expected kind `total`, `slice` or `score`")),
        };
        if row.set().iter().any(|f| !allowed.contains(f)) {
            return Err(row_err(
                i,
                "holds a field of another kind: total rows hold dataset_version, threshold, tp, fp, fn, tn, skipped and the null counts; slice rows slice_column, slice_value and the counts; score rows bin, matches and non_matches",
            ));
        }
        match row.kind.as_str() {
            "total" => total.push((i, row)),
            "slice" => {
                let counts =
                    row.counts().ok_or_else(|| row_err(i, "expected tp, fp, fn and tn"))?;
                let column = row
                    .slice_column
                    .clone()
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| row_err(i, "expected the slice_column it counts"))?;
                let value =
                    row.slice_value.as_deref().map_or(Value::Null, |v| Value::Text(v.into()));
                let at = match slices.iter().position(|(c, _)| *c == column) {
                    Some(at) => at,
                    None => {
                        slices.push((column, BTreeMap::new()));
                        slices.len() - 1
                    }
                };
                if slices[at].1.insert(value, counts).is_some() {
                    return Err(row_err(
                        i,
                        "repeats a slice_column and slice_value of an earlier row",
                    ));
                }
            }
            _ => {
                let bin = row.bin.and_then(bin_slot).ok_or_else(|| {
                    row_err(
                        i,
                        "expected a bin: a candidate threshold of the sweep in thousandths (thousandths below 10 in magnitude, then four significant digits up to 9999: 10010 for 10.01), or -10000000 for the scores below -9999",
                    )
                })?;
                let (Some(m), Some(n)) = (row.matches, row.non_matches) else {
                    return Err(row_err(i, "expected matches and non_matches"));
                };
                if bins.insert(bin, (m, n)).is_some() {
                    return Err(row_err(i, "repeats the bin of an earlier row"));
                }
            }
        }
    }
    let [(i, row)] = total[..] else {
        return Err(CountsError::Totals { path: path.to_path_buf(), found: total.len() });
    };
    let counts = row.counts().ok_or_else(|| row_err(i, "expected tp, fp, fn and tn"))?;
    let dataset_version = row.dataset_version.as_deref().map(str::trim).unwrap_or_default();
    if dataset_version.is_empty() {
        return Err(row_err(
            i,
            "expected the dataset_version counted (a snapshot id, or a table and a time): it stands for the data, whose bytes this tool does not see",
        ));
    }
    if row.threshold != decision_threshold {
        let (counted, decision) = (row.threshold, decision_threshold);
        return Err(CountsError::Threshold { path: path.to_path_buf(), counted, decision });
    }
    let (label_null, decision_null, score_nan) =
        (row.label_null.unwrap_or(0), row.decision_null.unwrap_or(0), row.score_nan.unwrap_or(0));
    // A row may lack both its label and its score: `skipped` counts rows,
    // the others count missing values, as the gate's own reading does.
    let rows = row.skipped.unwrap_or(0);
    let most = label_null.max(decision_null).max(score_nan);
    if rows < most || rows > label_null + decision_null + score_nan {
        return Err(row_err(
            i,
            "expected skipped (rows left out) at least each of label_null, decision_null and score_nan, and at most their sum",
        ));
    }
    let skipped = Skipped { rows, label_null, decision_null, score_nan, ..Skipped::default() };
    let histogram = histogram(path, &bins, &counts, row.threshold)?;
    let slices = slice_columns(path, slices, &counts, slicing)?;
    Ok(EngineCounts {
        dataset_version: dataset_version.to_string(),
        threshold: row.threshold,
        tally: Tally { counts, skipped },
        histogram,
        slices,
        sha256,
    })
}

/// The histogram of the score rows, checked against the total: every pair
/// in a bin, and the pairs at or above the decision threshold the
/// predicted ones when the threshold is a bin's edge.
fn histogram(
    path: &Path,
    bins: &BTreeMap<usize, (u64, u64)>,
    counts: &Counts,
    threshold: Option<f64>,
) -> Result<Option<Histogram>, CountsError> {
    if bins.is_empty() {
        return Ok(None);
    }
    let sums = |what: String, found: u64, expected: u64| {
        (found != expected).then(|| CountsError::Sums {
            path: path.to_path_buf(),
            what,
            found: found.to_string(),
            expected: expected.to_string(),
        })
    };
    let (matches, non_matches) = bins.values().fold((0, 0), |(m, n), (a, b)| (m + a, n + b));
    let note = "(every scored pair has a bin; leave the score rows out to skip the sweep)";
    if let Some(e) = sums(format!("the score rows' matches {note}"), matches, counts.positives())
        .or_else(|| {
            sums(format!("the score rows' non_matches {note}"), non_matches, counts.fp + counts.tn)
        })
    {
        return Err(e);
    }
    let mut histogram = Histogram::default();
    for (slot, (m, n)) in bins {
        histogram.add_slot(*slot, *m, *n);
    }
    // At a threshold that is a bin's edge, the bins at and above it are
    // the predicted matches.
    if let Some((t, first)) = threshold.and_then(|t| Some((t, crate::sweep::edge_slot(t)?))) {
        let above = bins.range(first..).fold((0, 0), |(m, n), (_, (a, b))| (m + a, n + b));
        let what = |which| format!("the score rows' {which} at or above threshold {t}");
        if let Some(e) = sums(what("matches"), above.0, counts.tp)
            .or_else(|| sums(what("non_matches"), above.1, counts.fp))
        {
            return Err(e);
        }
    }
    Ok(Some(histogram))
}

/// The slice columns, each checked to count every pair once, kept and
/// ordered as `slice_columns` asks when it is set.
fn slice_columns(
    path: &Path,
    found: Vec<(String, BTreeMap<Value, Counts>)>,
    total: &Counts,
    slicing: &SliceSettings,
) -> Result<Vec<SliceColumn>, CountsError> {
    let available: Vec<String> = found.iter().map(|(c, _)| c.clone()).collect();
    let mut found: BTreeMap<String, BTreeMap<Value, Counts>> = found.into_iter().collect();
    let wanted = match slicing.columns.is_empty() {
        true => available.clone(),
        false => slicing.columns.clone(),
    };
    let mut columns = Vec::new();
    for column in wanted {
        let Some(values) = found.remove(&column) else {
            let available = available.clone();
            return Err(CountsError::NoSlices { path: path.to_path_buf(), column, available });
        };
        if values.len() > slicing.max_slices {
            let (seen, max) = (values.len(), slicing.max_slices);
            return Err(CountsError::TooManySlices { path: path.to_path_buf(), column, seen, max });
        }
        let sum = values.values().fold(Counts::default(), |a, c| Counts {
            tp: a.tp + c.tp,
            fp: a.fp + c.fp,
            fn_: a.fn_ + c.fn_,
            tn: a.tn + c.tn,
        });
        if sum != *total {
            return Err(CountsError::Sums {
                path: path.to_path_buf(),
                what: format!("the slices of `{}`", crate::untrusted::shown(&column)),
                found: confusion(&sum),
                expected: confusion(total),
            });
        }
        let slices = values.into_iter().map(|(value, counts)| Slice { value, counts }).collect();
        columns.push(SliceColumn { column, slices });
    }
    Ok(columns)
}

/// `TP 3, FP 1, FN 2, TN 4`.
fn confusion(c: &Counts) -> String {
    format!("TP {}, FP {}, FN {}, TN {}", c.tp, c.fp, c.fn_, c.tn)
}

/// Every row of the file, or of every part file of a folder (names that
/// start with `.` or `_` skipped, in byte order).
fn rows(path: &Path) -> Result<(Vec<Row>, Sha256), CountsError> {
    let read_err = |source| CountsError::Read { path: path.to_path_buf(), source };
    let files: Vec<PathBuf> = match std::fs::metadata(path).map_err(read_err)?.is_dir() {
        false => vec![path.to_path_buf()],
        true => {
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
        }
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
    let parse_err =
        |format, why: String| CountsError::Parse { path: path.to_path_buf(), format, why };
    match text.trim_start().chars().next() {
        None => Ok(Vec::new()),
        Some('[') => serde_json::from_str(text).map_err(|e| parse_err("JSON", e.to_string())),
        Some('{') => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| parse_err("JSON", e.to_string())))
            .collect(),
        Some(_) => csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes())
            .deserialize()
            .map(|row| row.map_err(|e| parse_err("CSV", e.to_string())))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
