//! Cluster mode: the entity clusters an ER system outputs, against the true
//! ones, as pairwise, B-cubed and exact-cluster precision, recall and F1.
//!
//! Every metric is a function of the contingency table: n_ij, the records
//! in true entity i and predicted entity j. [`Contingency`] counts it in one
//! pass, memory proportional to its cells and the distinct ids, and
//! [`Contingency::finish`] gives the [`Clusters`]. It knows ids and counts,
//! nothing of files or verdicts.

pub mod estimators;
pub(crate) mod ids;
mod metrics;
pub mod names;
pub(crate) mod sampled;
pub mod sizes;
pub(crate) mod slices;

use std::collections::HashMap;

use ids::{Key, Owned};
pub use metrics::{Families, Family, FamilyMetrics};

/// Which columns hold the clusterings, and which family of metrics the
/// gate's minimums apply to.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSettings {
    /// One row per record: its id.
    pub record_column: String,
    /// The entity the record truly belongs to.
    pub true_entity_column: String,
    /// The entity the ER system put it in.
    pub predicted_entity_column: String,
    /// The family `min_precision`, `min_recall` and `min_f1` apply to.
    pub family: Family,
    /// A quasi-identifier of each record (`name_column`), whose homonymy
    /// and variation rates the report gives.
    pub name_column: Option<String>,
    /// How the true entities were sampled, when they are a sample of the
    /// population's (`truth_sampling`): records outside it have no true
    /// entity, and the metrics are estimated for the population.
    pub sampling: Option<estimators::Sampling>,
    /// A file of the sampled records' true entities (`truth`), joined on
    /// `record_column`: the validation set then holds no true entities.
    pub truth: Option<std::path::PathBuf>,
}

/// The contingency table: records by (true entity, predicted entity),
/// keyed by the ids themselves, so tables counted apart (one per reading
/// thread) merge by key.
///
/// A probe of one table of a million cells and more misses the cache twice.
/// So cells are split by their hash into [`PARTS`] tables, and records wait
/// in a buffer per table until [`PENDING`] have come; each table then takes
/// its share at once, while its lines are in cache (a radix-partitioned
/// aggregation).
#[derive(Debug)]
pub struct Contingency {
    /// Cells whose two ids are packed, by part of the hash.
    parts: Vec<Map<(u128, u128), u64>>,
    /// Records not yet counted, by part.
    pending: Vec<Vec<(u128, u128)>>,
    waiting: usize,
    /// How many may wait.
    buffer: usize,
    /// Cells with a long id.
    long: Map<(Owned, Owned), u64>,
}

/// Numbered cells: (true id, predicted id, records).
pub(crate) type Cells = Vec<(u32, u32, u64)>;

/// Tables of short cells.
const PARTS: usize = 64;

/// Records buffered before they are counted.
const PENDING: usize = 1 << 19;

type Map<K, V> = HashMap<K, V, ahash::RandomState>;

/// Fixed seeds: every thread puts a cell in the same part.
fn hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(0x636c, 0x7573, 0x7465, 0x7273)
}

impl Default for Contingency {
    fn default() -> Contingency {
        Contingency::with_buffer(PENDING)
    }
}

impl Contingency {
    /// An empty table whose records wait `buffer` at a time (a slice's
    /// table takes a small buffer: there may be a thousand of them).
    pub fn with_buffer(buffer: usize) -> Contingency {
        Contingency {
            parts: (0..PARTS).map(|_| Map::with_hasher(hasher())).collect(),
            pending: vec![Vec::new(); PARTS],
            waiting: 0,
            buffer: buffer.max(1),
            long: Map::default(),
        }
    }

    /// One record of true entity `t` and predicted entity `p`.
    pub fn add(&mut self, t: Key, p: Key) {
        match (t, p) {
            (Key::Packed(t), Key::Packed(p)) => {
                let hash = self.parts[0].hasher().hash_one((t, p));
                let part = (hash >> (64 - PARTS.trailing_zeros())) as usize;
                self.pending[part].push((t, p));
                self.waiting += 1;
                if self.waiting >= self.buffer {
                    self.flush();
                }
            }
            (t, p) => *self.long.entry((t.into(), p.into())).or_insert(0) += 1,
        }
    }

    /// Counts the records waiting.
    fn flush(&mut self) {
        for (table, pending) in self.parts.iter_mut().zip(&mut self.pending) {
            for key in pending.drain(..) {
                *table.entry(key).or_insert(0) += 1;
            }
        }
        self.waiting = 0;
    }

    /// Both tables' counts.
    pub fn merge(mut self, mut other: Contingency) -> Contingency {
        self.flush();
        other.flush();
        // Half the parts on another thread.
        let merge = |mine: &mut [Map<(u128, u128), u64>], theirs: Vec<Map<(u128, u128), u64>>| {
            for (mine, theirs) in mine.iter_mut().zip(theirs) {
                let (mut large, small) = if mine.len() < theirs.len() {
                    (theirs, std::mem::take(mine))
                } else {
                    (std::mem::take(mine), theirs)
                };
                for (k, n) in small {
                    *large.entry(k).or_insert(0) += n;
                }
                *mine = large;
            }
        };
        let mut theirs = other.parts;
        let (low, high) = self.parts.split_at_mut(PARTS / 2);
        let high_theirs = theirs.split_off(PARTS / 2);
        std::thread::scope(|s| {
            s.spawn(|| merge(high, high_theirs));
            merge(low, theirs);
        });
        for (k, n) in other.long {
            *self.long.entry(k).or_insert(0) += n;
        }
        self
    }

    /// Non-empty cells (once the records waiting are counted).
    pub fn cells(&self) -> usize {
        self.parts.iter().map(Map::len).sum::<usize>() + self.long.len()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.waiting == 0 && self.cells() == 0
    }

    /// The metrics and counts.
    pub fn finish(self) -> Clusters {
        let (cells, k, m) = self.numbered();
        clusters(&cells, k, m)
    }

    /// Every cell as (true id, predicted id, records), the ids numbered
    /// from 0 on two threads, and how many true and predicted ids there are.
    pub(crate) fn numbered(self) -> (Cells, usize, usize) {
        let (cells, k, m, _) = self.numbered_by(|_| ());
        (cells, k, m)
    }

    /// [`Contingency::numbered`], with `of_true` of each true id's key, by
    /// its number.
    pub(crate) fn numbered_by<X: Clone + Default + Send>(
        mut self,
        of_true: impl Fn(Key) -> X + Sync,
    ) -> (Cells, usize, usize, Vec<X>) {
        self.flush();
        let keys = |side: fn(&(Owned, Owned)) -> &Owned, short: fn(&(u128, u128)) -> u128| {
            let short_keys =
                self.parts.iter().flat_map(|p| p.keys()).map(|k| Key::Packed(short(k)));
            short_keys.chain(self.long.keys().map(|k| side(k).key())).collect::<Vec<Key>>()
        };
        let ((t, k, of), (p, m)) = std::thread::scope(|s| {
            let truth = s.spawn(|| {
                let keys = keys(|k| &k.0, |k| k.0);
                let (t, k) = ids::number(&keys);
                let (mut of, mut done) = (vec![X::default(); k], vec![false; k]);
                for (key, &n) in keys.iter().zip(&t) {
                    if !std::mem::replace(&mut done[n as usize], true) {
                        of[n as usize] = of_true(*key);
                    }
                }
                (t, k, of)
            });
            let predicted = ids::number(&keys(|k| &k.1, |k| k.1));
            (truth.join().expect("the numbering thread panicked"), predicted)
        });
        let counts = self.parts.iter().flat_map(|p| p.values()).chain(self.long.values());
        let cells: Vec<(u32, u32, u64)> =
            t.into_iter().zip(p).zip(counts).map(|((t, p), n)| (t, p, *n)).collect();
        (cells, k, m, of)
    }
}

/// The metrics and counts of numbered cells (t, p, n) of `k` true and
/// `m` predicted entities.
pub(crate) fn clusters(cells: &[(u32, u32, u64)], k: usize, m: usize) -> Clusters {
    let (mut a, mut b) = (vec![0u64; k], vec![0u64; m]);
    for &(t, p, n) in cells {
        a[t as usize] += n;
        b[p as usize] += n;
    }
    let families = metrics::families(cells, &a, &b);
    let pairs_in = |sizes: &[u64]| sizes.iter().map(|&s| pairs(s)).sum::<u128>();
    let singletons = |sizes: &[u64]| sizes.iter().filter(|&&s| s == 1).count() as u64;
    let counts = ClusterCounts {
        records: a.iter().sum(),
        true_clusters: a.len() as u64,
        predicted_clusters: b.len() as u64,
        true_pairs: pairs_in(&a),
        predicted_pairs: pairs_in(&b),
        shared_pairs: cells.iter().map(|c| pairs(c.2)).sum(),
        exact_matches: metrics::exact_matches(cells, &a, &b),
        true_singletons: singletons(&a),
        predicted_singletons: singletons(&b),
        predicted_sizes: sizes::histogram(&b),
        largest_true: largest(a),
        largest_predicted: largest(b),
        cells: cells.len() as u64,
    };
    Clusters { counts, families }
}

/// C(n, 2): the pairs among `n` records.
pub fn pairs(n: u64) -> u128 {
    let n = u128::from(n);
    n * n.saturating_sub(1) / 2
}

/// How many of the largest sizes are reported.
pub const LARGEST: usize = 10;

/// The [`LARGEST`] largest sizes, largest first.
fn largest(mut sizes: Vec<u64>) -> Vec<u64> {
    sizes.sort_unstable_by(|x, y| y.cmp(x));
    sizes.truncate(LARGEST);
    sizes
}

/// The counts behind the metrics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClusterCounts {
    /// Records evaluated (N).
    pub records: u64,
    /// True entities (K).
    pub true_clusters: u64,
    /// Predicted entities (M).
    pub predicted_clusters: u64,
    /// Pairs of records in one true entity: Σ C(a_i, 2).
    pub true_pairs: u128,
    /// Pairs of records in one predicted entity: Σ C(b_j, 2).
    pub predicted_pairs: u128,
    /// Pairs in one entity in both: Σ C(n_ij, 2).
    pub shared_pairs: u128,
    /// True entities predicted exactly, record for record.
    pub exact_matches: u64,
    /// True entities of one record.
    pub true_singletons: u64,
    /// Predicted entities of one record.
    pub predicted_singletons: u64,
    /// The predicted entities by size: 1, 2, 3–4, 5–8… records, up to the
    /// largest.
    pub predicted_sizes: Vec<sizes::SizeBucket>,
    /// The largest true entities' sizes, largest first.
    pub largest_true: Vec<u64>,
    /// The largest predicted entities' sizes, largest first.
    pub largest_predicted: Vec<u64>,
    /// Non-empty cells of the contingency table: what memory grows with.
    pub cells: u64,
}

/// Cluster mode's result: the counts and every family's metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Clusters {
    pub counts: ClusterCounts,
    /// The metrics of each family.
    pub families: Families,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contingency of two clusterings given as (true, predicted) per record.
    fn clusters(records: &[(u32, u32)]) -> Clusters {
        let mut c = Contingency::default();
        for &(t, p) in records {
            c.add(Key::Packed(t.into()), Key::Packed(p.into()));
        }
        c.finish()
    }

    #[test]
    fn records_past_the_buffer_and_two_threads_tables_count_as_one() {
        // More records than wait in the buffer, split as two threads would
        // split them, against the same records counted by a plain map.
        let records: Vec<(u32, u32)> =
            (0..PENDING as u32 + 1000).map(|i| (i % 7919, (i * 31) % 5003)).collect();
        let (mut one, mut two) = (Contingency::default(), Contingency::default());
        let mut naive = std::collections::HashMap::new();
        for (i, &(t, p)) in records.iter().enumerate() {
            let table = if i % 3 == 0 { &mut one } else { &mut two };
            table.add(Key::Packed(t.into()), Key::Packed(p.into()));
            *naive.entry((t, p)).or_insert(0u64) += 1;
        }
        let merged = one.merge(two);
        assert_eq!(merged.cells(), naive.len());
        let c = merged.finish();
        assert_eq!(c.counts.records, records.len() as u64);
        assert_eq!(c.counts.shared_pairs, naive.values().map(|&n| pairs(n)).sum::<u128>());
        assert_eq!((c.counts.true_clusters, c.counts.predicted_clusters), (7919, 5003));
    }

    #[test]
    fn counts_follow_their_definitions() {
        // True {0,1,2} {3,4} {5}; predicted {0,1} {2,3,4} {5}.
        let c = clusters(&[(0, 0), (0, 0), (0, 1), (1, 1), (1, 1), (2, 2)]);
        let n = &c.counts;
        assert_eq!((n.records, n.true_clusters, n.predicted_clusters), (6, 3, 3));
        assert_eq!((n.true_pairs, n.predicted_pairs, n.shared_pairs), (4, 4, 2));
        assert_eq!((n.exact_matches, n.true_singletons, n.predicted_singletons), (1, 1, 1));
        assert_eq!(
            (n.largest_true.clone(), n.largest_predicted.clone()),
            (vec![3, 2, 1], vec![3, 2, 1])
        );
        assert_eq!(n.cells, 4);
    }
}
