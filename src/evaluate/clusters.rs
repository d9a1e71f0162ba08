//! Cluster mode's pass over the validation set: one row per record, its
//! id, true entity and predicted entity counted into the contingency table
//! on every core. A null id (under `null_policy: fail`) or a record id seen
//! twice makes the input invalid; both are counted to the end of the file,
//! so the message gives how many and the first rows (a repeat is suspected
//! from the record ids' fingerprints, then confirmed by value in a second
//! pass in file order).

use std::sync::Arc;

use arrow_buffer::{NullBuffer, ScalarBuffer};

use super::error::EvaluateError;
use super::repeats::{SHOWN_ROWS, check_repeats, columns};
use super::settings::Settings;
use super::truth::{TruthWeights, finish, truth_weight_column};
use super::truth_file::{TruthFile, TruthReport};
use crate::clusters::dictionary::{Keyed, row_keys};
use crate::clusters::estimators::{Estimates, Sampling};
use crate::clusters::ids::{Fingerprints, Key, key, unpacked_key};
use crate::clusters::names::{NameRates, rates};
use crate::clusters::slices::{ClusterSliceColumn, SliceTables};
use crate::clusters::{ClusterSettings, Clusters, Contingency, Family, sampled};
use crate::dataset::columns::{self, Kind, weights};
use crate::dataset::values::{KeyColumn, key_column};
use crate::dataset::{Dataset, NullPolicy, Projection, Role, Source};
use crate::metrics::{Counts, Tally};
use crate::slices::TooManyValues;

/// What cluster mode found: the clusters, and the family that decides.
#[derive(Debug, Clone)]
pub struct ClusterResult {
    /// The counts and every family's metrics.
    pub clusters: Clusters,
    /// The family the minimums apply to.
    pub family: Family,
    /// The columns read.
    pub settings: ClusterSettings,
    /// Each slice column's slices, with `slice_columns`.
    pub slices: Vec<ClusterSliceColumn>,
    /// The predicted clusters' homonymy and name variation rates, with
    /// `name_column`.
    pub names: Option<NameRates>,
    /// The estimates for the population, with `truth_sampling`: `clusters`
    /// then holds the naive metrics of the sampled records.
    pub estimates: Option<Estimates>,
    /// The truth file, with `truth`.
    pub truth: Option<TruthReport>,
}

/// What each reading thread folds its row groups into.
#[derive(Default)]
struct Pass {
    records: Fingerprints,
    table: Contingency,
    /// One per slice column.
    slices: Vec<SliceTables>,
    /// Records by (name, predicted entity), with `name_column`.
    names: Option<Contingency>,
    /// With `truth_sampling`: a record without a true entity is outside
    /// the sample (not a null id).
    sampled: bool,
    /// Each sampled entity's weight, with `truth_weight_column`.
    weights: Option<TruthWeights>,
    /// Per column (record, true, predicted): rows with a null id, and the
    /// first (of this thread's row groups).
    nulls: [(u64, Vec<u64>); 3],
    skipped: u64,
    /// The true and predicted entity columns' dictionaries, keyed.
    dictionaries: [Option<Keyed>; 2],
}

/// Reads the file and gives the clusters and the pair-level tally
/// (pairs of records: TP shared, FP predicted only, FN true only).
pub fn scan(
    settings: &Settings,
    cluster: &ClusterSettings,
    source: &Source,
) -> Result<(Dataset, Tally, ClusterResult), EvaluateError> {
    let start = std::time::Instant::now();
    let dataset = Dataset::parse(source)?;
    let ids = [
        cluster.record_column.as_str(),
        cluster.true_entity_column.as_str(),
        cluster.predicted_entity_column.as_str(),
    ];
    let truth = match &cluster.truth {
        Some(path) => {
            let file = Source::open(Role::Truth, path, &settings.store)?;
            let weight = truth_weight_column(cluster);
            Some(TruthFile::load(&file, (ids[0], ids[1]), (weight, None))?)
        }
        None => None,
    };
    let mask = mask(settings, &dataset, ids, truth.is_some())?;
    let mut pass = count(settings, &dataset, &mask, ids, truth.as_ref())?;
    log::debug!("merged the threads' tables at {:?}", start.elapsed());
    let path = &settings.validation_set;
    let skip = settings.null_policy == NullPolicy::Skip;
    if let Some((c, (rows, first))) =
        pass.nulls.iter().enumerate().find(|(_, (rows, _))| *rows > 0 && !skip)
    {
        let (column, rows, first) = (ids[c].to_string(), *rows, first.clone());
        return Err(EvaluateError::NullIds { path: path.clone(), column, rows, first });
    }
    // The fingerprints are sorted while the table is summed up.
    let (records, table) = (std::mem::take(&mut pass.records), std::mem::take(&mut pass.table));
    let names = pass.names.take();
    let weights = pass.weights.take();
    if let (Some(w), Some(Sampling::Weights(column))) = (&weights, &cluster.sampling) {
        w.check(path, column)?;
    }
    let (repeated, clusters, names) = std::thread::scope(|s| {
        let repeated = s.spawn(|| records.repeats());
        let names = s.spawn(|| names.map(Contingency::numbered));
        let clusters = (!table.is_empty()).then(|| finish(table, cluster, weights.as_ref()));
        let repeated = repeated.join().expect("the sorting thread panicked");
        (repeated, clusters, names.join().expect("the naming thread panicked"))
    });
    if repeated {
        check_repeats(settings, cluster, &dataset, &mask, ids, truth.as_ref())?;
    }
    log::debug!(
        "summed {} cells up at {:?}",
        clusters.as_ref().map_or(0, |c| c.0.counts.cells),
        start.elapsed()
    );
    let Some((clusters, estimates)) = clusters else {
        return Err(EvaluateError::NoRows { path: path.clone(), skipped: pass.skipped });
    };
    if estimates.is_some_and(|e| e.entities == 0) {
        let column = cluster.true_entity_column.clone();
        return Err(EvaluateError::NoSampledRecords { path: path.clone(), column });
    }
    let tally = tally(&clusters, pass.skipped);
    let min = settings.slices.min_support;
    let slices = pass.slices.into_iter().map(|t| t.finish(min, cluster.family)).collect();
    let predicted = clusters.counts.predicted_clusters;
    let names = cluster.name_column.as_deref().zip(names).map(|(c, n)| rates(c, n, predicted));
    let result = ClusterResult {
        clusters,
        family: cluster.family,
        settings: cluster.clone(),
        slices,
        names,
        estimates,
        truth: truth.map(TruthFile::finish),
    };
    Ok((dataset, tally, result))
}

/// The projection of the id columns (`ids`; the true entities are the
/// truth file's when `joined`) and the slice columns.
fn mask(
    settings: &Settings,
    dataset: &Dataset,
    ids: [&str; 3],
    joined: bool,
) -> Result<Projection, EvaluateError> {
    let names = [
        (ids[0], "record_column", Kind::Key),
        (ids[1], "true_entity_column", Kind::Key),
        (ids[2], "predicted_entity_column", Kind::Key),
    ];
    let mut wanted = names.to_vec();
    if joined {
        wanted.remove(1);
    }
    let named = settings.clusters.as_ref().and_then(|c| c.name_column.as_deref());
    wanted.extend(named.map(|c| (c, "name_column", Kind::Key)));
    let weighted = settings.clusters.as_ref().and_then(|c| truth_weight_column(c));
    let weighted = weighted.filter(|_| !joined);
    wanted.extend(weighted.map(|c| (c, "truth_weight_column", Kind::Weight)));
    let sliced = &settings.slices.columns;
    wanted.extend(sliced.iter().map(|c| (c.as_str(), "slice_columns", Kind::Slice)));
    Ok(dataset.projection(columns::find(dataset, &wanted)?)?)
}

/// Counts every row into the contingency table and the slices' tables, on
/// every core, and merges the threads' passes.
fn count(
    settings: &Settings,
    dataset: &Dataset,
    mask: &Projection,
    ids: [&str; 3],
    truth: Option<&TruthFile>,
) -> Result<Pass, EvaluateError> {
    let start = std::time::Instant::now();
    let sliced = &settings.slices.columns;
    let max = settings.slices.max_slices;
    let cluster = settings.clusters.as_ref();
    let named = cluster.and_then(|c| c.name_column.as_deref());
    let weighted = cluster.and_then(truth_weight_column);
    // Every thread's tables number long ids alike, so they merge as they are.
    let long = Arc::default();
    let new_pass = || Pass {
        table: Contingency::new(&long),
        slices: sliced.iter().map(|c| SliceTables::new(c, max, &long)).collect(),
        names: named.map(|_| Contingency::new(&long)),
        sampled: cluster.is_some_and(|c| c.sampling.is_some()),
        weights: weighted.map(|_| TruthWeights::default()),
        ..Pass::default()
    };
    let path = &settings.validation_set;
    let too_many = super::scan::too_many(settings);
    let skip = settings.null_policy == NullPolicy::Skip;
    // Each thread counts its row groups into a table keyed by the ids'
    // values, so the tables merge by key; the hash's thread is done long
    // before, so the reading gets every core.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let passes = dataset.fold(mask, workers, new_pass, |pass, batch, first_row| {
        let joined = truth.map(|t| t.join(batch, ids[0]));
        let batch = joined.as_ref().unwrap_or(batch);
        let entities = [ids[1], ids[2]].map(|c| batch.column_by_name(c).expect("projected"));
        let [t, p] = &mut pass.dictionaries;
        // Weights are kept by the true entity's value, so not by key.
        let dictionaries = [(&entities[0], t), (&entities[1], p)].map(|(array, last)| {
            weighted.is_none().then(|| row_keys(array.as_ref(), last, &long)).flatten()
        });
        let ids = columns(batch, ids);
        for (tables, column) in pass.slices.iter_mut().zip(sliced) {
            let array = batch.column_by_name(column).expect("projected");
            tables.read(array.as_ref()).map_err(&too_many)?;
        }
        let names = named.map(|c| key_column(batch.column_by_name(c).expect("projected")));
        let weights = match weighted {
            Some(c) => {
                let array = batch.column_by_name(c).expect("projected");
                let values = weights(path, c, "truth_weight_column", array, first_row)?;
                Some((values, array.logical_nulls()))
            }
            None => None,
        };
        let row = Row { ids: &ids, names: names.as_ref(), weights: weights.as_ref(), dictionaries };
        for i in 0..batch.num_rows() {
            pass.add(&row, i, first_row + i as u64, skip);
        }
        Ok(())
    })?;
    log::debug!("counted {} rows on {workers} threads in {:?}", dataset.rows(), start.elapsed());
    let mut passes = passes.into_iter();
    let first = passes.next().unwrap_or_else(new_pass);
    Ok(passes.try_fold(first, Pass::merge).map_err(too_many)?)
}

/// The clusters as a pair-level tally: pairs of records, TP shared, FP
/// predicted only, FN true only, TN neither.
fn tally(clusters: &Clusters, skipped: u64) -> Tally {
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
    tally.skipped.rows = skipped;
    tally
}

/// One batch's columns as the pass reads them.
struct Row<'a, 'b> {
    ids: &'b [KeyColumn<'a>; 3],
    /// With `name_column`.
    names: Option<&'b KeyColumn<'a>>,
    /// With `truth_weight_column`: the weights and where they are null.
    weights: Option<&'b (ScalarBuffer<f64>, Option<NullBuffer>)>,
    /// The true and predicted entities' keys by row, for a dictionary
    /// (its rows' values are not read).
    dictionaries: [Option<Vec<Option<u128>>>; 2],
}

impl Pass {
    /// Row `i` of the batch, file row `row`. With `truth_sampling` a record
    /// without a true entity is counted under [`sampled::UNSAMPLED`].
    fn add(&mut self, columns: &Row, i: usize, row: u64, skip: bool) {
        // A dictionary's rows take their entry's key, numbered once.
        let keyed = |c: usize| c.checked_sub(1).and_then(|d| columns.dictionaries[d].as_ref());
        // The record id is only fingerprinted: a UUID need not be packed.
        let mut keys = [0, 1, 2].map(|c| match keyed(c) {
            Some(keys) => keys[i].map(Key::Packed),
            None if c == 0 => unpacked_key(&columns.ids[c], i),
            None => key(&columns.ids[c], i),
        });
        let in_sample = keys[1].is_some();
        if self.sampled && !in_sample {
            keys[1] = Some(sampled::UNSAMPLED);
        }
        let [Some(record), Some(t), Some(p)] = keys else {
            for (c, _) in keys.iter().enumerate().filter(|(_, k)| k.is_none()) {
                let (rows, first) = &mut self.nulls[c];
                *rows += 1;
                if first.len() < SHOWN_ROWS {
                    first.push(row);
                }
            }
            self.skipped += u64::from(skip);
            return;
        };
        self.records.add(record);
        if in_sample {
            for slice in &mut self.slices {
                slice.add(i, t, p);
            }
            if let (Some(weights), Some((values, nulls))) = (&mut self.weights, columns.weights) {
                let valid = nulls.as_ref().is_none_or(|n| n.is_valid(i));
                weights.add(t, valid.then(|| values[i]), row);
            }
        }
        self.table.add(t, p);
        if let (Some(table), Some(name)) = (&mut self.names, columns.names.and_then(|c| key(c, i)))
        {
            table.add(name, p);
        }
    }

    /// Two threads' passes as one.
    fn merge(self, other: Pass) -> Result<Pass, TooManyValues> {
        let mut nulls = self.nulls;
        for ((rows, first), (more, theirs)) in nulls.iter_mut().zip(other.nulls) {
            *rows += more;
            first.extend(theirs);
            first.sort_unstable();
            first.truncate(SHOWN_ROWS);
        }
        let slices = self.slices.into_iter().zip(other.slices).map(|(m, o)| m.merge(o));
        let names = match (self.names, other.names) {
            (Some(mine), Some(theirs)) => Some(mine.merge(theirs)),
            (mine, theirs) => mine.or(theirs),
        };
        let weights = match (self.weights, other.weights) {
            (Some(mine), Some(theirs)) => Some(mine.merge(theirs)),
            (mine, theirs) => mine.or(theirs),
        };
        Ok(Pass {
            records: self.records.merge(other.records),
            table: self.table.merge(other.table),
            names,
            sampled: self.sampled,
            weights,
            slices: slices.collect::<Result<_, _>>()?,
            nulls,
            skipped: self.skipped + other.skipped,
            dictionaries: [None, None],
        })
    }
}
