//! The cluster sums within each slice: what a slice's interval needs when
//! `cluster_by` says which pairs are correlated.
//!
//! A slice's pairs are a subset of the whole, so its variance is the same
//! formula over the same ids restricted to its pairs. For each slice column,
//! each (slice value, cluster id) with a pair keeps the count of its pairs
//! cell by cell: memory is O(distinct (value, id) couples), at most the
//! pairs and usually about the ids. Slices count pairs, not weights (their
//! counts and intervals are unweighted), so these sums count pairs too.

use std::collections::HashMap;

use arrow_array::ArrayRef;
use arrow_buffer::BooleanBuffer;

use super::ids::NULL;
use super::{Bits, Cells, Loose, Sums};
use crate::slices::{Value, Values};

/// One slice column's sums.
#[derive(Debug, Clone, Default)]
struct Column {
    /// The column's values, each with its id (this thread's).
    values: Values,
    /// Per (value id << 32 | cluster id): the pairs in each cell.
    cells: HashMap<u64, Cells, ahash::RandomState>,
    /// Per value id: its pairs (sides) with a null cluster id.
    singles: Vec<Loose>,
    /// Per value id, dyadic: its pairs of two distinct records.
    twice: Vec<Loose>,
}

/// One reading thread's sums per slice column, value and cluster id.
#[derive(Debug, Clone, Default)]
pub struct Sliced {
    columns: Vec<Column>,
    ids: Vec<u32>,
}

/// A row's ids: its slice value's and its one or two cluster ids.
struct Row {
    value: u32,
    left: u32,
    right: Option<u32>,
}

impl Sliced {
    /// Empty sums for `columns` slice columns.
    pub fn new(columns: usize) -> Sliced {
        Sliced { columns: vec![Column::default(); columns], ids: Vec::new() }
    }

    /// Adds one batch: `arrays` the slice columns (any after them are not
    /// this one's: the strata column), `left` each row's
    /// cluster id and, dyadic, `right` its other record's.
    pub fn add(
        &mut self,
        arrays: &[ArrayRef],
        (left, right): (&[u32], Option<&[u32]>),
        bits: Bits<'_>,
        present: Option<&BooleanBuffer>,
    ) {
        let mut ids = std::mem::take(&mut self.ids);
        for (column, array) in self.columns.iter_mut().zip(arrays) {
            column.values.row_ids(array.as_ref(), &mut ids);
            let len = column.values.values.len();
            column.singles.resize(len, Loose::default());
            column.twice.resize(len, Loose::default());
            for (i, &value) in ids.iter().enumerate() {
                if present.is_some_and(|p| !p.value(i)) {
                    continue;
                }
                let row = Row { value, left: left[i], right: right.map(|r| r[i]) };
                column.add(&row, bits.cell(i).0);
            }
        }
        self.ids = ids;
    }

    /// Combines another thread's sums, its cluster id `i` being `clusters[i]`
    /// here.
    pub fn merge(&mut self, other: &Sliced, clusters: &[u32]) {
        for (mine, theirs) in self.columns.iter_mut().zip(&other.columns) {
            let values: Vec<u32> =
                theirs.values.values.iter().map(|v| mine.values.id(v.clone())).collect();
            let len = mine.values.values.len();
            mine.singles.resize(len, Loose::default());
            mine.twice.resize(len, Loose::default());
            for (&key, cells) in &theirs.cells {
                let (value, id) = ((key >> 32) as usize, key as u32 as usize);
                let key = u64::from(values[value]) << 32 | u64::from(clusters[id]);
                let sum = mine.cells.entry(key).or_default();
                (0..4).for_each(|k| sum[k] += cells[k]);
            }
            for (v, &to) in values.iter().enumerate() {
                mine.singles[to as usize].plus(&theirs.singles[v]);
                mine.twice[to as usize].plus(&theirs.twice[v]);
            }
        }
    }

    /// Each slice column's values, each with its sums as a variance reads
    /// them: `columns` the `cluster_by` columns (two: dyadic).
    pub fn finish(self, columns: &[String]) -> Vec<Vec<(Value, Sums)>> {
        let dyadic = columns.len() == 2;
        self.columns
            .into_iter()
            .map(|column| {
                let mut sums: Vec<Vec<Cells>> = vec![Vec::new(); column.values.values.len()];
                for (key, cells) in column.cells {
                    sums[(key >> 32) as usize].push(cells);
                }
                let parts = column.values.values.into_iter().zip(sums);
                parts
                    .zip(column.singles.into_iter().zip(column.twice))
                    .filter(|((_, sums), (singles, _))| !sums.is_empty() || singles.rows != [0; 4])
                    .map(|((value, sums), (singles, twice))| {
                        let columns = columns.to_vec();
                        let weighted = false;
                        (
                            value,
                            Sums { columns, dyadic, weighted, sums, singles, twice, paired: None },
                        )
                    })
                    .collect()
            })
            .collect()
    }
}

impl Column {
    /// Adds one present pair, in confusion cell `cell`.
    fn add(&mut self, row: &Row, cell: usize) {
        self.place(row.value, row.left, cell);
        let Some(right) = row.right else { return };
        if row.left == right && right != NULL {
            return;
        }
        self.place(row.value, right, cell);
        self.twice[row.value as usize].add(cell, 1.0);
    }

    fn place(&mut self, value: u32, id: u32, cell: usize) {
        if id == NULL {
            self.singles[value as usize].add(cell, 1.0);
        } else {
            self.cells.entry(u64::from(value) << 32 | u64::from(id)).or_default()[cell] += 1.0;
        }
    }
}
