//! Cluster mode's pass over the validation set: one row per record, its
//! id, true entity and predicted entity read in file order into the
//! contingency table. A null id (under `null_policy: fail`) or a record id
//! seen twice makes the input invalid; both are counted to the end of the
//! file, so the message gives how many and the first rows.

use std::sync::Arc;

use super::{EvaluateError, Settings};
use crate::clusters::ids::{Entities, Seen};
use crate::clusters::{ClusterSettings, Clusters, Contingency, Family};
use crate::dataset::columns::{self, Kind};
use crate::dataset::values::{KeyColumn, key_column};
use crate::dataset::{Dataset, NullPolicy, Role};
use crate::metrics::{Counts, Tally};

/// Rows a message names.
const SHOWN_ROWS: usize = 5;

/// What cluster mode found: the clusters, and the family that decides.
#[derive(Debug, Clone)]
pub struct ClusterResult {
    /// The counts and every family's metrics.
    pub clusters: Clusters,
    /// The family the minimums apply to.
    pub family: Family,
    /// The columns read.
    pub settings: ClusterSettings,
}

/// A record id seen again: its row, the first row with it, and whether
/// both rows name the same entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// The later row.
    pub row: u64,
    /// The first row with that record id.
    pub first: u64,
    /// Whether the two rows agree on both entities.
    pub same: bool,
}

/// What the pass folds the file into.
#[derive(Default)]
struct Pass {
    records: Seen<(u64, u32, u32)>,
    truth: Entities,
    predicted: Entities,
    table: Contingency,
    /// Per column (record, true, predicted): rows with a null id, and the first.
    nulls: [(u64, Vec<u64>); 3],
    skipped: u64,
    repeats: u64,
    first_repeats: Vec<Repeat>,
}

/// Reads the file and gives the clusters and the pair-level tally
/// (pairs of records: TP shared, FP predicted only, FN true only).
pub fn scan(
    settings: &Settings,
    cluster: &ClusterSettings,
    file: Arc<std::fs::File>,
    size: u64,
) -> Result<(Dataset, Tally, ClusterResult), EvaluateError> {
    let dataset = Dataset::parse(Role::ValidationSet, &settings.validation_set, file, size)?;
    let names = [
        (cluster.record_column.as_str(), "record_column", Kind::Key),
        (cluster.true_entity_column.as_str(), "true_entity_column", Kind::Key),
        (cluster.predicted_entity_column.as_str(), "predicted_entity_column", Kind::Key),
    ];
    let indices = columns::find(&dataset, &names)?;
    let mask = dataset.projection(indices);
    let skip = settings.null_policy == NullPolicy::Skip;
    // One worker: rows arrive in file order, so messages name the first
    // rows, and entity numbers need no merging.
    let mut passes = dataset.fold(&mask, 1, Pass::default, |pass, batch, first_row| {
        let column = |name: &str| key_column(batch.column_by_name(name).expect("projected"));
        let ids = [column(names[0].0), column(names[1].0), column(names[2].0)];
        for i in 0..batch.num_rows() {
            pass.add(&ids, i, first_row + i as u64, skip);
        }
        Ok(())
    })?;
    let pass = passes.pop().unwrap_or_default();
    let path = &settings.validation_set;
    if let Some((c, (rows, first))) =
        pass.nulls.iter().enumerate().find(|(_, (rows, _))| *rows > 0 && !skip)
    {
        return Err(EvaluateError::NullIds {
            path: path.clone(),
            column: names[c].0.to_string(),
            rows: *rows,
            first: first.clone(),
        });
    }
    if pass.repeats > 0 {
        return Err(EvaluateError::RepeatedRecords {
            path: path.clone(),
            column: cluster.record_column.clone(),
            rows: pass.repeats,
            first: pass.first_repeats,
        });
    }
    if pass.table.cells() == 0 {
        return Err(EvaluateError::NoRows { path: path.clone(), skipped: pass.skipped });
    }
    let clusters = pass.table.finish(pass.truth.len(), pass.predicted.len());
    let c = &clusters.counts;
    let narrow = |n: u128| u64::try_from(n).unwrap_or(u64::MAX);
    let (tp, t, p) = (c.shared_pairs, c.true_pairs, c.predicted_pairs);
    let all = crate::clusters::pairs(c.records);
    let mut tally = Tally {
        counts: Counts {
            tp: narrow(tp),
            fp: narrow(p - tp),
            fn_: narrow(t - tp),
            tn: narrow(all + tp - t - p),
        },
        ..Tally::default()
    };
    tally.skipped.rows = pass.skipped;
    let result = ClusterResult { clusters, family: cluster.family, settings: cluster.clone() };
    Ok((dataset, tally, result))
}

impl Pass {
    /// Row `i` of the batch, file row `row`.
    fn add(&mut self, ids: &[KeyColumn; 3], i: usize, row: u64, skip: bool) {
        let mut null = false;
        for (c, column) in ids.iter().enumerate() {
            let is_null = match column {
                KeyColumn::Int(value) => value(i).is_none(),
                KeyColumn::Str(value) => value(i).is_none(),
            };
            if is_null {
                let (rows, first) = &mut self.nulls[c];
                *rows += 1;
                if first.len() < SHOWN_ROWS {
                    first.push(row);
                }
                null = true;
            }
        }
        if null {
            self.skipped += u64::from(skip);
            return;
        }
        let t = self.truth.intern(&ids[1], i).expect("not null");
        let p = self.predicted.intern(&ids[2], i).expect("not null");
        match self.records.get_or_insert(&ids[0], i, |_| (row, t, p)).expect("not null") {
            Ok((first, t0, p0)) => {
                self.repeats += 1;
                if self.first_repeats.len() < SHOWN_ROWS {
                    self.first_repeats.push(Repeat { row, first, same: (t0, p0) == (t, p) });
                }
            }
            Err(_) => self.table.add(t, p),
        }
    }
}
