//! The misclassified pairs to review: the most confident false positives
//! (highest scores) and false negatives (lowest scores), or the first ones in
//! file order for a prediction column.
//!
//! While counting, each reading thread keeps only what identifies its best
//! candidates (a priority and a row number, `limit` of each kind); once all
//! are counted, [`Chosen::assemble`] takes the rows read back with every
//! column and adds `error` and `rank`. Memory is bounded by the limit.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{ArrowError, DataType, Field, Schema};

use crate::dataset::columns::{Pairs, Scores};

/// The columns the errors file adds to the validation set's.
pub const ADDED: [&str; 2] = ["error", "rank"];

/// How many misclassified pairs of each kind to keep, and which of their
/// columns the summary shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSettings {
    /// Of each kind; 0: all of them.
    pub limit: usize,
    /// The columns shown in the summary for the first [`SHOWN`] of each
    /// kind kept (`display_columns`); empty: no row is shown.
    pub display: Vec<String>,
    /// Whether the pairs go to `errors_file`.
    pub file: bool,
}

/// Pairs of each kind the summary shows, with `display_columns`.
pub const SHOWN: usize = 10;

/// One misclassified pair: how much it is wanted, and where it is.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Higher first: the score of a false positive, minus the score of a
    /// false negative, minus the row number without scores.
    priority: f64,
    row: u64,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Candidate) -> Ordering {
        // Equal priorities: the earlier row first.
        self.priority.total_cmp(&other.priority).then(other.row.cmp(&self.row))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Candidate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Candidate) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The best candidates seen, at most `limit` (0: no limit).
#[derive(Debug, Clone, Default)]
struct Best {
    limit: usize,
    /// A min-heap: the worst kept candidate is the first to go.
    heap: BinaryHeap<Reverse<Candidate>>,
    /// Every misclassified pair of this kind seen.
    seen: u64,
}

impl Best {
    /// A misclassified pair seen: counted, and kept if it is among the best.
    fn offer(&mut self, c: Candidate) {
        self.seen += 1;
        self.keep(c);
    }

    fn keep(&mut self, c: Candidate) {
        if self.limit == 0 || self.heap.len() < self.limit {
            self.heap.push(Reverse(c));
        } else if self.heap.peek().is_some_and(|Reverse(worst)| c > *worst) {
            self.heap.pop();
            self.heap.push(Reverse(c));
        }
    }

    fn merge(mut self, other: &Best) -> Best {
        self.seen += other.seen;
        for Reverse(c) in other.heap.iter() {
            self.keep(*c);
        }
        self
    }

    /// Best first.
    fn ranked(self) -> Vec<Candidate> {
        let mut all: Vec<Candidate> = self.heap.into_iter().map(|Reverse(c)| c).collect();
        all.sort_by(|a, b| b.cmp(a));
        all
    }
}

/// One reading thread's candidates of both kinds.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    false_positives: Best,
    false_negatives: Best,
}

impl Candidates {
    /// None kept yet.
    pub fn new(settings: &ReviewSettings) -> Candidates {
        let limit = settings.limit;
        let best = Best { limit, ..Best::default() };
        Candidates { false_positives: best.clone(), false_negatives: best }
    }

    /// Offers the misclassified pairs of one batch (whose first row is file
    /// row `first_row`, unless the pairs name their rows), among the rows
    /// counted (`present`; `None`: all).
    pub fn add(&mut self, pairs: &Pairs, present: Option<&BooleanBuffer>, first_row: u64) {
        let only_present = |bits: BooleanBuffer| match present {
            Some(p) => &bits & p,
            None => bits,
        };
        let fp = only_present(&pairs.predicted & &!&pairs.label);
        let fn_ = only_present(&pairs.label & &!&pairs.predicted);
        let score = |i: usize| match &pairs.scores {
            Some(Scores::F64(v)) => Some(v[i]),
            Some(Scores::F32(v)) => Some(f64::from(v[i])),
            None => None,
        };
        for (bits, best, sign) in
            [(fp, &mut self.false_positives, 1.0), (fn_, &mut self.false_negatives, -1.0)]
        {
            for i in bits.set_indices() {
                let row = pairs.rows.as_ref().map_or(first_row + i as u64, |rows| rows[i]);
                let priority = score(i).map_or(-(row as f64), |s| sign * s);
                best.offer(Candidate { priority, row });
            }
        }
    }

    /// Combines two threads' candidates.
    pub fn merge(self, other: &Candidates) -> Candidates {
        Candidates {
            false_positives: self.false_positives.merge(&other.false_positives),
            false_negatives: self.false_negatives.merge(&other.false_negatives),
        }
    }

    /// The pairs kept, ranked.
    pub fn finish(self) -> Chosen {
        let seen = (self.false_positives.seen, self.false_negatives.seen);
        let (fp, fn_) = (self.false_positives.ranked(), self.false_negatives.ranked());
        // A false positive's priority is its score, a false negative's the
        // score negated (exactly undone, signed zeros included); without
        // scores there is none.
        let scored = |c: &Candidate, sign: f64| (c.row, sign * c.priority);
        let mut scores: Vec<(u64, f64)> =
            fp.iter().map(|c| scored(c, 1.0)).chain(fn_.iter().map(|c| scored(c, -1.0))).collect();
        scores.sort_unstable_by_key(|(row, _)| *row);
        Chosen {
            false_positives_seen: seen.0,
            false_negatives_seen: seen.1,
            false_positives: fp.iter().map(|c| c.row).collect(),
            false_negatives: fn_.iter().map(|c| c.row).collect(),
            scores: scores.into_iter().map(|(_, s)| s).collect(),
        }
    }
}

/// The misclassified pairs chosen, by rank.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chosen {
    /// File rows of the false positives kept, rank 1 first.
    pub false_positives: Vec<u64>,
    /// File rows of the false negatives kept, rank 1 first.
    pub false_negatives: Vec<u64>,
    /// Every false positive counted.
    pub false_positives_seen: u64,
    /// Every false negative counted.
    pub false_negatives_seen: u64,
    /// With scores, the score of each row of [`Chosen::rows`], in its order
    /// (meaningless for a prediction column).
    pub scores: Vec<f64>,
}

impl Chosen {
    /// The rows to read back: ascending, each once.
    pub fn rows(&self) -> Vec<u64> {
        let mut rows: Vec<u64> =
            self.false_positives.iter().chain(&self.false_negatives).copied().collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// The errors file's rows: `read` holds [`Chosen::rows`] in that order
    /// with every column; the result holds the false positives by rank, then
    /// the false negatives, with the file's columns, `error` and `rank`.
    pub fn assemble(&self, read: &RecordBatch) -> Result<RecordBatch, ArrowError> {
        let rows = self.rows();
        let at = |row: &u64| rows.binary_search(row).expect("every chosen row was read") as u64;
        let order: Vec<u64> =
            self.false_positives.iter().chain(&self.false_negatives).map(at).collect();
        let indices = UInt64Array::from(order);
        let mut columns: Vec<ArrayRef> = read
            .columns()
            .iter()
            .map(|c| arrow_select::take::take(c.as_ref(), &indices, None))
            .collect::<Result<_, _>>()?;
        let kinds = std::iter::repeat_n("false_positive", self.false_positives.len())
            .chain(std::iter::repeat_n("false_negative", self.false_negatives.len()));
        columns.push(Arc::new(StringArray::from_iter_values(kinds)));
        let ranks = (1..=self.false_positives.len()).chain(1..=self.false_negatives.len());
        columns.push(Arc::new(UInt32Array::from_iter_values(ranks.map(|r| r as u32))));
        let mut fields: Vec<Field> =
            read.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(ADDED[0], DataType::Utf8, false));
        fields.push(Field::new(ADDED[1], DataType::UInt32, false));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
    }
}

/// The rows as a snappy-compressed parquet file, in memory.
pub fn to_parquet(rows: &RecordBatch) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut bytes = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut bytes, rows.schema(), Some(properties))?;
    writer.write(rows)?;
    writer.close()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use arrow_array::Float64Array;
    use arrow_buffer::ScalarBuffer;

    use super::*;

    fn pairs(label: &[bool], score: &[f64]) -> Pairs {
        Pairs {
            len: label.len(),
            label: BooleanBuffer::from(label.to_vec()),
            predicted: BooleanBuffer::from(score.iter().map(|s| *s >= 0.5).collect::<Vec<_>>()),
            label_valid: None,
            decision_valid: None,
            not_nan: None,
            scores: Some(Scores::F64(ScalarBuffer::from(score.to_vec()))),
            weights: None,
            weight_valid: None,
            slices: Vec::new(),
            rows: None,
            previous: None,
        }
    }

    #[test]
    fn the_most_confident_of_each_kind_are_kept_whatever_thread_saw_them() {
        let label = [false, false, false, true, true, true, false];
        let score = [0.9, 0.6, 0.95, 0.1, 0.4, 0.05, 0.7];
        let settings = ReviewSettings { limit: 2, display: Vec::new(), file: true };
        let (mut one, mut two) = (Candidates::new(&settings), Candidates::new(&settings));
        one.add(&pairs(&label[..4], &score[..4]), None, 0);
        two.add(&pairs(&label[4..], &score[4..]), None, 4);
        let chosen = two.merge(&one).finish();
        assert_eq!(chosen.false_positives, [2, 0], "0.95 then 0.9");
        assert_eq!(chosen.false_negatives, [5, 3], "0.05 then 0.1");
        assert_eq!((chosen.false_positives_seen, chosen.false_negatives_seen), (4, 3));
    }

    #[test]
    fn assembled_rows_come_by_kind_and_rank_with_every_column() {
        let chosen =
            Chosen { false_positives: vec![7, 2], false_negatives: vec![4], ..Chosen::default() };
        assert_eq!(chosen.rows(), [2, 4, 7]);
        let read = RecordBatch::try_from_iter([(
            "score",
            Arc::new(Float64Array::from(vec![0.8, 0.1, 0.99])) as ArrayRef,
        )])
        .unwrap();
        let out = chosen.assemble(&read).unwrap();
        let score = out.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(score.values().to_vec(), [0.99, 0.8, 0.1]);
        let rank = out.column(2).as_any().downcast_ref::<UInt32Array>().unwrap();
        assert_eq!(rank.values().to_vec(), [1, 2, 1]);
    }
}
