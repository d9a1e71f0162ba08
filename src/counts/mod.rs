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
//!   and -10000000 for the scores below -9999, the lowest candidate.
//!
//! [`read`] checks everything that can be checked without the data: one
//! total, the threshold, every row's fields, the histogram and each slice
//! column adding up to the total. A Spark output folder of part files is
//! read whole. It knows nothing of verdicts.

mod error;
mod rows;

use std::collections::BTreeMap;
use std::path::Path;

pub use error::CountsError;

use crate::dataset::Sha256;
use crate::metrics::{Counts, Tally};
use crate::slices::{Slice, SliceColumn, SliceSettings, Value};
use crate::sweep::Histogram;
use rows::{Kind, SliceRows, add_bin, add_slice, rows, skipped, total};

/// What an engine counted.
#[derive(Debug, Clone)]
pub struct EngineCounts {
    /// The version of the data counted: a snapshot id, a table and time.
    pub dataset_version: String,
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
    let mut totals: Vec<usize> = Vec::new();
    let mut bins: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    let mut slices: SliceRows = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let kind = Kind::of(&row.kind)
            .ok_or_else(|| row_err(i, "expected kind `total`, `slice` or `score`"))?;
        if row.set().iter().any(|f| !kind.allowed().contains(f)) {
            return Err(row_err(
                i,
                "holds a field of another kind: total rows hold dataset_version, threshold, tp, fp, fn, tn, skipped and the null counts; slice rows slice_column, slice_value and the counts; score rows bin, matches and non_matches",
            ));
        }
        match kind {
            Kind::Total => totals.push(i),
            Kind::Slice => add_slice(&mut slices, row).map_err(|p| row_err(i, p))?,
            Kind::Score => add_bin(&mut bins, row).map_err(|p| row_err(i, p))?,
        }
    }
    let [i] = totals[..] else {
        return Err(CountsError::Totals { path: path.to_path_buf(), found: totals.len() });
    };
    let total = total(&rows[i]).map_err(|p| row_err(i, p))?;
    if total.threshold != decision_threshold {
        let (counted, decision) = (total.threshold, decision_threshold);
        return Err(CountsError::Threshold { path: path.to_path_buf(), counted, decision });
    }
    let skipped = skipped(&rows[i]).map_err(|p| row_err(i, p))?;
    let histogram = histogram(path, &bins, &total.counts, total.threshold)?;
    let slices = slice_columns(path, slices, &total.counts, slicing)?;
    Ok(EngineCounts {
        dataset_version: total.dataset_version,
        tally: Tally { counts: total.counts, skipped },
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
    // Summed wide: no count a file claims can overflow the check.
    let sums = |what: String, found: u128, expected: u64| {
        (found != u128::from(expected)).then(|| CountsError::Sums {
            path: path.to_path_buf(),
            what,
            found: found.to_string(),
            expected: expected.to_string(),
        })
    };
    let add = |(m, n): (u128, u128), (a, b): &(u64, u64)| (m + u128::from(*a), n + u128::from(*b));
    let (matches, non_matches) = bins.values().fold((0, 0), add);
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
        let above = bins.range(first..).map(|(_, cell)| cell).fold((0, 0), add);
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
    found: SliceRows,
    total: &Counts,
    slicing: &SliceSettings,
) -> Result<Vec<SliceColumn>, CountsError> {
    let available: Vec<String> = found.iter().map(|(c, _)| c.clone()).collect();
    let mut found: BTreeMap<String, BTreeMap<Value, Counts>> = found.into_iter().collect();
    let wanted =
        if slicing.columns.is_empty() { available.clone() } else { slicing.columns.clone() };
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
        // Summed wide: no count a file claims can overflow the check.
        let mut sum = [0u128; 4];
        for c in values.values() {
            for (s, n) in sum.iter_mut().zip([c.tp, c.fp, c.fn_, c.tn]) {
                *s += u128::from(n);
            }
        }
        let expected = [total.tp, total.fp, total.fn_, total.tn].map(u128::from);
        if sum != expected {
            return Err(CountsError::Sums {
                path: path.to_path_buf(),
                what: format!("the slices of `{}`", crate::untrusted::shown(&column)),
                found: confusion(sum),
                expected: confusion(expected),
            });
        }
        let slices = values.into_iter().map(|(value, counts)| Slice { value, counts }).collect();
        columns.push(SliceColumn { column, slices });
    }
    Ok(columns)
}

/// `TP 3, FP 1, FN 2, TN 4`, of TP, FP, FN and TN.
fn confusion([tp, fp, fn_, tn]: [u128; 4]) -> String {
    format!("TP {tp}, FP {fp}, FN {fn_}, TN {tn}")
}

#[cfg(test)]
mod tests;
