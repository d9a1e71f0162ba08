//! The pairs to review in the report: how many `errors_file` holds, and
//! the ones the summary shows (`display_columns`): the first ten of each
//! kind, the columns asked for, every cell escaped for Markdown and cut,
//! never in the JSON report, the card or the log.

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};

use crate::evaluate::Evaluation;
use crate::report::format::{self, code};
use crate::review::SHOWN;

/// The pairs shown, by kind.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShownPairs {
    /// The column headers: rank, the deciding column, then the display columns.
    pub columns: Vec<String>,
    /// The Markdown separator row.
    pub separator: String,
    /// The most confident false positives, one row of cells each.
    pub false_positives: Vec<String>,
    /// The most confident false negatives.
    pub false_negatives: Vec<String>,
}

/// The pairs to show, when `display_columns` is set.
pub fn shown_pairs(evaluation: &Evaluation) -> Option<ShownPairs> {
    let review = evaluation.review.as_ref()?;
    let display = &evaluation.settings.review.as_ref()?.display;
    if display.is_empty() {
        return None;
    }
    let decision = evaluation.settings.decision.column().to_string();
    let mut names = vec![decision.clone()];
    names.extend(display.iter().filter(|c| **c != decision).cloned());
    let fps = review.chosen.false_positives.len();
    let rows = |from: usize, n: usize| -> Vec<String> {
        (from..from + n.min(SHOWN))
            .map(|i| {
                let mut cells = vec![(i - from + 1).to_string()];
                cells.extend(names.iter().map(|c| cell(&review.rows, c, i)));
                format!("| {} |", cells.join(" | "))
            })
            .collect()
    };
    let mut columns = vec!["Rank".to_string()];
    columns.extend(names.iter().map(|c| code(&format::data(c))));
    Some(ShownPairs {
        separator: format!("|--:|{}", ":--|".repeat(names.len())),
        columns,
        false_positives: rows(0, fps),
        false_negatives: rows(fps, review.chosen.false_negatives.len()),
    })
}

/// One value as a safe table cell: formatted by arrow, control characters
/// escaped, cut, as code; `—` for null.
fn cell(rows: &RecordBatch, column: &str, row: usize) -> String {
    let Some(array) = rows.column_by_name(column) else {
        return "—".to_string();
    };
    if array.is_null(row) {
        return "—".to_string();
    }
    let options = FormatOptions::default();
    match ArrayFormatter::try_new(array.as_ref(), &options) {
        Ok(f) => code(&format::data(&f.value(row).to_string())),
        Err(_) => format!("({})", array.data_type()),
    }
}

/// What `errors_file` holds: of each kind, the pairs kept and all there were.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorsKept {
    /// False positives in the file.
    pub false_positives: usize,
    /// False positives counted.
    pub false_positives_total: u64,
    /// False negatives in the file.
    pub false_negatives: usize,
    /// False negatives counted.
    pub false_negatives_total: u64,
}

/// What `errors_file` holds, when it is written.
pub fn kept(evaluation: &Evaluation) -> Option<ErrorsKept> {
    let written = evaluation.settings.review.as_ref().is_some_and(|r| r.file);
    let review = evaluation.review.as_ref().filter(|_| written)?;
    Some(ErrorsKept {
        false_positives: review.chosen.false_positives.len(),
        false_positives_total: review.chosen.false_positives_seen,
        false_negatives: review.chosen.false_negatives.len(),
        false_negatives_total: review.chosen.false_negatives_seen,
    })
}
