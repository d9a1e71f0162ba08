//! Cluster mode's slices: a slice restricts both clusterings to its
//! records (an entity split across two sources is, within each source, the
//! records it has there), and gets every family's metrics of its own.
//!
//! [`SliceTables`] is one reading thread's contingency table per value of
//! one slice column; memory grows with the cells of each slice, and the
//! values are bounded by `max_slices`.

use std::sync::Arc;

use arrow_array::Array;

use super::ids::Key;
use super::{Clusters, Contingency, Family, Numbering};
use crate::slices::{TooManyValues, Value, Values};

/// Records a slice's table buffers before counting them.
const BUFFER: usize = 4096;

/// One reading thread's tables for one slice column.
#[derive(Debug)]
pub struct SliceTables {
    column: String,
    max: usize,
    values: Values,
    /// By value id.
    tables: Vec<Contingency>,
    /// The batch's rows' value ids.
    ids: Vec<u32>,
    /// The long ids' numbers, shared with the main table.
    long: Arc<Numbering>,
}

/// One slice column's slices: evaluated ones worst first (by the deciding
/// family's F1), then the others, most records first.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSliceColumn {
    pub column: String,
    pub slices: Vec<ClusterSlice>,
}

/// One value's clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSlice {
    /// The value (`(null)` for the records without one).
    pub value: Value,
    /// Its records' clusters.
    pub clusters: Clusters,
    /// Whether it has `min_slice_support` records or more.
    pub evaluated: bool,
}

impl SliceTables {
    /// No records yet, of at most `max` values.
    pub fn new(column: &str, max: usize, long: &Arc<Numbering>) -> SliceTables {
        SliceTables {
            long: Arc::clone(long),
            column: column.to_string(),
            max,
            values: Values::default(),
            tables: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Reads a batch's values of the column, for [`SliceTables::add`].
    pub fn read(&mut self, array: &dyn Array) -> Result<(), TooManyValues> {
        self.values.row_ids(array, &mut self.ids);
        self.grow()
    }

    /// Row `row` of the batch read last, of true entity `t` and predicted `p`.
    pub fn add(&mut self, row: usize, t: Key, p: Key) {
        self.tables[self.ids[row] as usize].add(t, p);
    }

    /// Both threads' tables.
    pub fn merge(mut self, other: SliceTables) -> Result<SliceTables, TooManyValues> {
        for (value, table) in other.values.values.into_iter().zip(other.tables) {
            let id = self.values.id(value) as usize;
            self.grow()?;
            let mine = std::mem::replace(&mut self.tables[id], Contingency::with_buffer(1));
            self.tables[id] = mine.merge(table);
        }
        Ok(self)
    }

    /// A table for every value seen, or the error past `max`.
    fn grow(&mut self) -> Result<(), TooManyValues> {
        let seen = self.values.values.len();
        if seen > self.max {
            return Err(TooManyValues { column: self.column.clone(), seen, max: self.max });
        }
        self.tables.resize_with(seen, || Contingency::sharing(BUFFER, &self.long));
        Ok(())
    }

    /// Each value's clusters; a value is evaluated with at least
    /// `min_records` records.
    pub fn finish(self, min_records: u64, family: Family) -> ClusterSliceColumn {
        let mut slices: Vec<ClusterSlice> = self
            .values
            .values
            .into_iter()
            .zip(self.tables)
            // Dictionary entries no record used have an empty table.
            .filter(|(_, table)| !table.is_empty())
            .map(|(value, table)| {
                let clusters = table.finish();
                let evaluated = clusters.counts.records >= min_records;
                ClusterSlice { value, clusters, evaluated }
            })
            .collect();
        let f1 = |s: &ClusterSlice| s.clusters.families.get(family).f1.unwrap_or(-1.0);
        slices.sort_by(|a, b| {
            b.evaluated
                .cmp(&a.evaluated)
                .then(if a.evaluated {
                    f1(a).total_cmp(&f1(b))
                } else {
                    b.clusters.counts.records.cmp(&a.clusters.counts.records)
                })
                .then_with(|| a.value.cmp(&b.value))
        });
        ClusterSliceColumn { column: self.column, slices }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::StringArray;

    #[test]
    fn a_slice_restricts_both_clusterings_to_its_records() {
        // Records 0-3: true {0,1} {2,3}, predicted {0,1,2,3}; source a for
        // 0 and 2, b for 1 and 3. Within a, records 0 and 2 are two
        // entities predicted as one: pairwise precision 0 there.
        let long = Arc::default();
        let new = || SliceTables::new("source", 10, &long);
        let (mut one, mut two) = (new(), new());
        one.read(&StringArray::from(vec![Some("a"), Some("b")])).unwrap();
        one.add(0, Key::Packed(0), Key::Packed(9));
        one.add(1, Key::Packed(0), Key::Packed(9));
        two.read(&StringArray::from(vec![Some("b"), None, Some("a")])).unwrap();
        two.add(0, Key::Packed(2), Key::Packed(9));
        two.add(2, Key::Packed(2), Key::Packed(9));
        let column = one.merge(two).unwrap().finish(2, Family::Pairwise);
        let texts: Vec<String> = column.slices.iter().map(|s| s.value.text()).collect();
        assert_eq!(texts, ["a", "b"]);
        for s in &column.slices {
            assert_eq!(s.clusters.counts.records, 2);
            assert_eq!(s.clusters.families.pairwise.precision, Some(0.0));
            assert!(s.evaluated);
        }
        let mut few = SliceTables::new("source", 1, &long);
        assert!(few.read(&StringArray::from(vec!["a", "b"])).is_err());
    }
}
