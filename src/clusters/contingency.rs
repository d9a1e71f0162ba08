//! The contingency table: records by (true entity, predicted entity),
//! counted on every core and merged by key, then numbered.

use std::collections::HashMap;
use std::sync::Arc;

use super::ids::{self, Key};
use super::long::{self, Numbering};
use super::{Clusters, clusters};

/// The contingency table: records by (true entity, predicted entity),
/// keyed by the ids themselves, so tables counted apart (one per reading
/// thread) merge by key.
///
/// A probe of one table of a million cells and more misses the cache twice.
/// So cells are split by their hash into [`PARTS`] tables, and records wait
/// in a buffer per table until [`PENDING`] have come; each table then takes
/// its share at once, while its lines are in cache (a radix-partitioned
/// aggregation).
///
/// Ids too long to pack are numbered the same way, a part at a time
/// ([`long`]): a record with one waits in `held` until its ids have
/// their numbers, then is counted as any other.
#[derive(Debug)]
pub struct Contingency {
    /// Cells whose two ids are packed, by part of the hash.
    parts: Vec<Map<(u128, u128), u64>>,
    /// Records not yet counted, by part.
    pending: Vec<Vec<(u128, u128)>>,
    waiting: usize,
    /// How many may wait.
    buffer: usize,
    /// The long ids' numbers, shared by the tables whose cells merge.
    long: Arc<Numbering>,
    /// Long ids waiting for their numbers.
    queue: long::Queue,
    /// Records with a long id, their long ids not yet numbered: the
    /// packed ones are in place, the others filled in when numbered.
    held: Vec<[u128; 2]>,
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

/// The part of the table a cell goes to: bits 48 to 53 of its hash. The
/// part's own table takes its buckets from the low bits and its control
/// bytes from the top seven, so those must vary within a part.
fn part(table: &Map<(u128, u128), u64>, cell: (u128, u128)) -> usize {
    (table.hasher().hash_one(cell) >> 48) as usize & (PARTS - 1)
}

impl Default for Contingency {
    fn default() -> Contingency {
        Contingency::with_buffer(PENDING)
    }
}

impl Contingency {
    /// An empty table numbering long ids in `long`.
    pub fn new(long: &Arc<Numbering>) -> Contingency {
        Contingency::sharing(PENDING, long)
    }

    /// An empty table whose records wait `buffer` at a time (a slice's
    /// table takes a small buffer: there may be a thousand of them).
    pub fn with_buffer(buffer: usize) -> Contingency {
        Contingency::sharing(buffer, &Arc::default())
    }

    /// [`Contingency::with_buffer`], numbering long ids in `long`: tables
    /// that share it merge without renumbering.
    pub fn sharing(buffer: usize, long: &Arc<Numbering>) -> Contingency {
        Contingency {
            parts: (0..PARTS).map(|_| Map::with_hasher(hasher())).collect(),
            pending: vec![Vec::new(); PARTS],
            waiting: 0,
            buffer: buffer.max(1),
            long: Arc::clone(long),
            queue: long::Queue::default(),
            held: Vec::new(),
        }
    }

    /// One record of true entity `t` and predicted entity `p`.
    pub fn add(&mut self, t: Key, p: Key) {
        match (t, p) {
            (Key::Packed(t), Key::Packed(p)) => self.push(t, p),
            (t, p) => {
                let slot = self.held.len() as u32;
                let mut record = [0; 2];
                for (side, key) in [t, p].into_iter().enumerate() {
                    match key {
                        Key::Packed(k) => record[side] = k,
                        Key::Long(bytes) => {
                            self.queue.push(&self.long, bytes, 2 * slot + side as u32)
                        }
                    }
                }
                self.held.push(record);
                if self.held.len() >= self.buffer {
                    self.number_held();
                }
            }
        }
    }

    /// One record of two packed ids.
    fn push(&mut self, t: u128, p: u128) {
        self.pending[part(&self.parts[0], (t, p))].push((t, p));
        self.waiting += 1;
        if self.waiting >= self.buffer {
            self.count_pending();
        }
    }

    /// Numbers the long ids of the records held, and counts them.
    fn number_held(&mut self) {
        let held = &mut self.held;
        let put = |slot: u32, key| held[slot as usize / 2][slot as usize % 2] = key;
        self.long.number(&mut self.queue, put);
        for [t, p] in std::mem::take(&mut self.held) {
            self.push(t, p);
        }
    }

    /// Counts every record waiting.
    fn flush(&mut self) {
        self.number_held();
        self.count_pending();
    }

    /// Counts the records of packed ids waiting.
    fn count_pending(&mut self) {
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
        let mut theirs = if Arc::ptr_eq(&self.long, &other.long) {
            other.parts
        } else {
            // Their long ids' numbers are theirs: each cell is keyed again
            // by this table's numbers.
            let (mut t, mut p): (Vec<u128>, Vec<u128>) =
                other.parts.iter().flat_map(|m| m.keys()).copied().unzip();
            self.long.translate(&other.long, &mut t);
            self.long.translate(&other.long, &mut p);
            let counts = other.parts.iter().flat_map(|m| m.values());
            let mut parts: Vec<_> = (0..PARTS).map(|_| Map::with_hasher(hasher())).collect();
            for (key, n) in t.into_iter().zip(p).zip(counts) {
                let at = part(&parts[0], key);
                *parts[at].entry(key).or_insert(0) += n;
            }
            parts
        };
        let (low, high) = self.parts.split_at_mut(PARTS / 2);
        let high_theirs = theirs.split_off(PARTS / 2);
        std::thread::scope(|s| {
            s.spawn(|| merge(high, high_theirs));
            merge(low, theirs);
        });
        self
    }

    /// Non-empty cells (once the records waiting are counted).
    pub fn cells(&self) -> usize {
        self.parts.iter().map(Map::len).sum::<usize>()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.waiting == 0 && self.held.is_empty() && self.cells() == 0
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
        let keys = |side: fn(&(u128, u128)) -> u128| -> Vec<u128> {
            self.parts.iter().flat_map(|p| p.keys()).map(side).collect()
        };
        let long = self.long.read();
        let ((t, k, of), (p, m)) = std::thread::scope(|s| {
            let truth = s.spawn(|| {
                let keys = keys(|k| k.0);
                let (t, k) = number_side(&keys, &long);
                let (mut of, mut done) = (vec![X::default(); k], vec![false; k]);
                for (&key, &n) in keys.iter().zip(&t) {
                    if !std::mem::replace(&mut done[n as usize], true) {
                        let long_id = long::is_long(key).then(|| Key::Long(long.bytes(key)));
                        of[n as usize] = of_true(long_id.unwrap_or(Key::Packed(key)));
                    }
                }
                (t, k, of)
            });
            let predicted = number_side(&keys(|k| k.1), &long);
            (truth.join().expect("the numbering thread panicked"), predicted)
        });
        let counts = self.parts.iter().flat_map(|p| p.values());
        let cells: Vec<(u32, u32, u64)> =
            t.into_iter().zip(p).zip(counts).map(|((t, p), n)| (t, p, *n)).collect();
        (cells, k, m, of)
    }
}

/// One side's keys numbered from 0, equal keys alike, and how many there
/// are. Long ids take their index among the numbered ones (no hashing); the
/// others are numbered by value, before them.
fn number_side(keys: &[u128], long: &long::Numbered) -> (Vec<u32>, usize) {
    if !keys.iter().any(|&k| long::is_long(k)) {
        return ids::number(keys);
    }
    let packed: Vec<u128> = keys.iter().copied().filter(|&k| !long::is_long(k)).collect();
    let (numbers, mut distinct) = ids::number(&packed);
    let mut numbers = numbers.into_iter();
    let mut by_index = vec![u32::MAX; long.len()];
    let mut number = |k: u128| {
        if !long::is_long(k) {
            return numbers.next().expect("a number for each packed key");
        }
        let n = &mut by_index[long.index(k)];
        if *n == u32::MAX {
            *n = distinct as u32;
            distinct += 1;
        }
        *n
    };
    let all = keys.iter().map(|&k| number(k)).collect();
    (all, distinct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clusters::pairs;

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
    fn long_ids_count_as_the_short_ids_they_stand_for() {
        // Every id of record i, short (packed) and long (numbered), from
        // more records than a table holds back; one id in 7 stays short, so
        // a side mixes both kinds.
        let records: Vec<(u32, u32)> =
            (0..PENDING as u32 + 5000).map(|i| (i % 7919, (i * 31) % 5003)).collect();
        let long = |id: u32| match id % 7 {
            0 => Key::Packed(id.into()),
            _ => Key::Long(format!("00000000-0000-4000-8000-{id:012}").into_bytes().leak()),
        };
        let shared = Arc::default();
        let mut tables = [0, 1, 2].map(|_| Contingency::new(&shared));
        let mut apart = Contingency::default();
        let mut short = Contingency::default();
        for (i, &(t, p)) in records.iter().enumerate() {
            let table = if i % 4 == 3 { &mut apart } else { &mut tables[i % 3] };
            table.add(long(t), long(p));
            short.add(Key::Packed(t.into()), Key::Packed(p.into()));
        }
        let [one, two, three] = tables;
        // Two tables of one numbering, then one of another's.
        let merged = one.merge(two).merge(three).merge(apart);
        assert_eq!(merged.finish(), short.finish());
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
