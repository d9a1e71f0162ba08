//! Cluster mode's second pass, run only when two record ids' fingerprints
//! are equal: every record id by value, in file order; a record id seen
//! twice makes the input invalid, and the message names the first rows.

use super::error::{EvaluateError, Repeat};
use super::settings::Settings;
use super::truth_file::TruthFile;
use crate::clusters::ClusterSettings;
use crate::clusters::ids::{Owned, Seen, key};
use crate::dataset::values::{KeyColumn, key_column};
use crate::dataset::{Dataset, Projection};

/// Rows a message names.
pub(super) const SHOWN_ROWS: usize = 5;

/// The three id columns of a batch.
pub(super) fn columns<'a>(
    batch: &'a arrow_array::RecordBatch,
    names: [&str; 3],
) -> [KeyColumn<'a>; 3] {
    names.map(|name| key_column(batch.column_by_name(name).expect("projected")))
}

/// The second pass, only when two record ids may be equal: every record id
/// by value, with the row and entities it was first seen with.
#[derive(Default)]
struct Repeats {
    /// Each record id's index in `seen`.
    records: Seen<usize>,
    /// The row each record id was first seen on, and its entities.
    seen: Vec<(u64, Owned, Owned)>,
    rows: u64,
    first: Vec<Repeat>,
}

/// Two record ids' fingerprints are equal: reads the ids again, in file
/// order, to compare their values; a record id seen twice is an error.
pub(super) fn check_repeats(
    settings: &Settings,
    cluster: &ClusterSettings,
    dataset: &Dataset,
    mask: &Projection,
    ids: [&str; 3],
    truth: Option<&TruthFile>,
) -> Result<(), EvaluateError> {
    let mut repeats = dataset.fold(mask, 1, Repeats::default, |repeats, batch, first_row| {
        let joined = truth.map(|t| t.join(batch, ids[0]));
        let batch = joined.as_ref().unwrap_or(batch);
        let ids = columns(batch, ids);
        for i in 0..batch.num_rows() {
            repeats.add(&ids, i, first_row + i as u64);
        }
        Ok(())
    })?;
    let repeats = repeats.pop().unwrap_or_default();
    match repeats.rows {
        0 => Ok(()),
        rows => Err(EvaluateError::RepeatedRecords {
            path: settings.validation_set.clone(),
            column: cluster.record_column.clone(),
            rows,
            first: repeats.first,
        }),
    }
}

impl Repeats {
    /// Row `i` of the batch, file row `row`; rows with a null id were left
    /// out (or stopped the run) in the first pass.
    fn add(&mut self, ids: &[KeyColumn; 3], i: usize, row: u64) {
        let [Some(record), Some(t), Some(p)] = ids.each_ref().map(|c| key(c, i)) else {
            return;
        };
        match self.records.get_or_insert(record, |n| n) {
            Ok(at) => {
                self.rows += 1;
                if self.first.len() < SHOWN_ROWS {
                    let (first, t0, p0) = &self.seen[at];
                    let same = *t0 == Owned::from(t) && *p0 == Owned::from(p);
                    self.first.push(Repeat { row, first: *first, same });
                }
            }
            Err(_) => self.seen.push((row, t.into(), p.into())),
        }
    }
}
