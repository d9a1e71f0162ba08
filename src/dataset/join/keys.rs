//! Keys: the key columns of a batch read value by value, and the index of
//! labelled rows by key.
//!
//! Up to two integer key columns (the usual `left_id, right_id`) are held
//! inline, as integers: one probe of the table, no pointer to follow. Any
//! other key is encoded into bytes: per column a tag (0 integer, 1 string),
//! then 16 bytes of integer or a 4-byte length and the string's bytes.

use std::collections::HashMap;

use arrow_schema::DataType;

pub use crate::dataset::values::KeyColumn;
pub use crate::dataset::values::key_columns;

type Map<K> = HashMap<K, u32, ahash::RandomState>;

fn sized<K>(rows: usize) -> Map<K> {
    HashMap::with_capacity_and_hasher(rows, ahash::RandomState::new())
}

/// Labelled rows by key, and a filter that tells most absent keys without
/// probing the table.
///
/// A model scores every candidate pair and people label a sample, so most
/// probes are of keys that are not there. The table of a million labelled
/// pairs is tens of MiB: each probe is a cache miss. The filter holds one
/// bit per hash bucket, 16 bits per labelled pair (about 2 MiB for a
/// million), so it stays in cache; a clear bit means the key is absent, a
/// set bit (about 6% of absent keys) means "probe the table".
#[derive(Debug)]
pub struct Index {
    keys: Keys,
    filter: Vec<u64>,
    /// Which bits of a hash pick the filter's bit: `filter.len() * 64 - 1`.
    mask: u64,
}

#[derive(Debug)]
enum Keys {
    /// One or two integer columns (`width`), inline.
    Ints {
        /// The rows by key.
        map: Map<[i64; 2]>,
        /// How many key columns: the second value is 0 for one.
        width: usize,
        /// Keys added, by row, until [`Index::finish`] puts them in `map`.
        pending: Vec<[i64; 2]>,
    },
    /// Any other key, encoded.
    Bytes(Map<Box<[u8]>>),
}

/// The build's partitions: 2^10, each a stretch of the table of a few
/// dozen KiB for a million labelled pairs.
const PARTITION_BITS: u32 = 10;

/// Filter bits per labelled pair.
const FILTER_BITS: usize = 16;

impl Index {
    /// An empty index for about `rows` keys of these types (the labelled
    /// pairs' ones; the predictions' are of the same kinds, checked before
    /// probing).
    pub fn new(types: &[&DataType], rows: usize) -> Index {
        let inline = |t: &&DataType| t.is_integer() && **t != DataType::UInt64;
        let keys = if types.len() <= 2 && types.iter().all(inline) {
            Keys::Ints { map: sized(rows), width: types.len(), pending: Vec::new() }
        } else {
            Keys::Bytes(sized(rows))
        };
        let words = (rows * FILTER_BITS).next_power_of_two().div_ceil(64).max(1);
        let mask = (words * 64 - 1) as u64;
        Index { keys, filter: vec![0; words], mask }
    }

    /// Adds row `i`'s key as labelled row `at`, the next one. Encoded keys
    /// go in at once, and the labelled row already there is given back;
    /// integer keys wait for [`Index::finish`]. The index of a key column
    /// that is null there otherwise.
    pub fn insert(
        &mut self,
        columns: &[KeyColumn],
        i: usize,
        at: u32,
    ) -> Result<Option<u32>, usize> {
        match &mut self.keys {
            Keys::Ints { pending, .. } => {
                pending.push(ints(columns, i)?.expect("Index::new admits only types within i64"));
                Ok(None)
            }
            Keys::Bytes(map) => {
                let mut buf = Vec::new();
                encode(columns, i, &mut buf)?;
                let hash = map.hasher().hash_one(&buf);
                let bit = hash & self.mask;
                self.filter[(bit / 64) as usize] |= 1 << (bit % 64);
                Ok(map.insert(buf.into_boxed_slice(), at))
            }
        }
    }

    /// Puts the waiting integer keys in the table, partitioned first by
    /// the high bits of their bucket, so each partition's inserts land in a
    /// stretch of the table that fits in cache instead of anywhere in it
    /// (a radix-partitioned build). Row order holds within a partition, and
    /// equal keys share one, so this gives the first row whose key an
    /// earlier row has, with the key as text, as inserting row by row would.
    pub fn finish(&mut self) -> Option<(u32, String)> {
        let Keys::Ints { map, pending, width } = &mut self.keys else { return None };
        let hasher = map.hasher().clone();
        // The table's bucket is the hash's low bits (its size is a power of
        // two, at least 8/7 of its capacity).
        let buckets = (map.capacity().max(1) * 8 / 7).next_power_of_two() as u64;
        let shift = buckets.trailing_zeros().saturating_sub(PARTITION_BITS);
        let part = |hash: u64| ((hash & (buckets - 1)) >> shift) as usize;
        let hashes: Vec<u64> = pending.iter().map(|k| hasher.hash_one(k)).collect();
        let mut starts = vec![0usize; (1 << PARTITION_BITS) + 1];
        for hash in &hashes {
            starts[part(*hash) + 1] += 1;
        }
        for p in 1..starts.len() {
            starts[p] += starts[p - 1];
        }
        let mut sorted = vec![([0i64; 2], 0u32, 0u64); pending.len()];
        for ((at, hash), key) in (0u32..).zip(&hashes).zip(pending.iter()) {
            let slot = &mut starts[part(*hash)];
            sorted[*slot] = (*key, at, *hash);
            *slot += 1;
        }
        let mut again: Option<u32> = None;
        for (key, at, hash) in sorted {
            let bit = hash & self.mask;
            self.filter[(bit / 64) as usize] |= 1 << (bit % 64);
            if let Some(first) = map.insert(key, at) {
                map.insert(key, first);
                again = Some(again.map_or(at, |a| a.min(at)));
            }
        }
        let again = again.map(|at| (at, show_ints(&pending[at as usize][..*width])));
        *pending = Vec::new();
        again
    }

    /// The labelled row with row `i`'s key, if any; `buf` is scratch.
    pub fn get(
        &self,
        columns: &[KeyColumn],
        i: usize,
        buf: &mut Vec<u8>,
    ) -> Result<Option<u32>, usize> {
        let may_hold = |hash: u64| {
            let bit = hash & self.mask;
            self.filter[(bit / 64) as usize] >> (bit % 64) & 1 == 1
        };
        Ok(match &self.keys {
            // A value beyond i64 is no labelled key's.
            Keys::Ints { map, .. } => match ints(columns, i)? {
                Some(key) if may_hold(map.hasher().hash_one(key)) => map.get(&key).copied(),
                _ => None,
            },
            Keys::Bytes(map) => {
                encode(columns, i, buf)?;
                if may_hold(map.hasher().hash_one(&*buf)) {
                    map.get(buf.as_slice()).copied()
                } else {
                    None
                }
            }
        })
    }

    /// The labelled row of each of the first `n` rows whose key is
    /// labelled, as `(row, labelled row)` in row order; `Err((row, column))`
    /// for the first key column that is null.
    ///
    /// In passes over the batch, for integer keys: every key and its hash,
    /// then every filter bit, a loop of independent loads the CPU overlaps,
    /// then the table, only for the rows whose bit is set. Row by row, each
    /// probe waited on the one before it: 1.7x the time (bench/join.py).
    pub fn find(
        &self,
        columns: &[KeyColumn],
        n: usize,
    ) -> Result<Vec<(usize, u32)>, (usize, usize)> {
        let Keys::Ints { map, .. } = &self.keys else {
            let mut buf = Vec::new();
            let mut found = Vec::new();
            for i in 0..n {
                if let Some(at) = self.get(columns, i, &mut buf).map_err(|c| (i, c))? {
                    found.push((i, at));
                }
            }
            return Ok(found);
        };
        let keys =
            (0..n).map(|i| ints(columns, i).map_err(|c| (i, c))).collect::<Result<Vec<_>, _>>()?;
        let hasher = map.hasher();
        // A value beyond i64 is no labelled key's: its bit is the filter's
        // last, checked again in the table.
        let bits: Vec<u64> =
            keys.iter().map(|k| k.map_or(self.mask, |k| hasher.hash_one(k) & self.mask)).collect();
        let mut candidates = vec![0usize; n];
        let mut count = 0;
        for (i, bit) in bits.iter().enumerate() {
            // Written always, kept when the bit is set: no branch to mispredict.
            candidates[count] = i;
            count += (self.filter[(bit / 64) as usize] >> (bit % 64) & 1) as usize;
        }
        Ok(candidates[..count]
            .iter()
            .filter_map(|&i| keys[i].and_then(|k| map.get(&k)).map(|at| (i, *at)))
            .collect())
    }

    /// Row `i`'s key as text, for messages.
    pub fn show_row(&self, columns: &[KeyColumn], i: usize) -> String {
        let mut buf = Vec::new();
        match encode(columns, i, &mut buf) {
            Ok(()) => show(&buf),
            Err(_) => "(null)".to_string(),
        }
    }

    /// Every key as text with its row, for the rows `wanted` keeps.
    pub fn rows_where(&self, wanted: impl Fn(u32) -> bool) -> Vec<(u32, String)> {
        match &self.keys {
            Keys::Ints { map, width, .. } => map
                .iter()
                .filter(|(_, at)| wanted(**at))
                .map(|(k, at)| (*at, show_ints(&k[..*width])))
                .collect(),
            Keys::Bytes(map) => {
                map.iter().filter(|(_, at)| wanted(**at)).map(|(k, at)| (*at, show(k))).collect()
            }
        }
    }
}

/// One or two integer key values, the second 0 for one column; `None`
/// when a value is beyond i64 (a uint64 above its maximum).
fn ints(columns: &[KeyColumn], i: usize) -> Result<Option<[i64; 2]>, usize> {
    let mut key = [0; 2];
    for (c, column) in columns.iter().enumerate() {
        match column {
            KeyColumn::Int(value) => match i64::try_from(value(i).ok_or(c)?) {
                Ok(v) => key[c] = v,
                Err(_) => return Ok(None),
            },
            KeyColumn::Str(_) => unreachable!("Index::new chose integers"),
        }
    }
    Ok(Some(key))
}

/// An inline key as text, the way an encoded one shows.
fn show_ints(key: &[i64]) -> String {
    let mut buf = Vec::new();
    for v in key {
        buf.push(0);
        buf.extend_from_slice(&i128::from(*v).to_le_bytes());
    }
    show(&buf)
}

/// Writes row `i`'s key into `buf`; the index of a column that is null
/// there otherwise.
fn encode(columns: &[KeyColumn], i: usize, buf: &mut Vec<u8>) -> Result<(), usize> {
    buf.clear();
    for (c, column) in columns.iter().enumerate() {
        match column {
            KeyColumn::Int(value) => {
                buf.push(0);
                buf.extend_from_slice(&value(i).ok_or(c)?.to_le_bytes());
            }
            KeyColumn::Str(value) => {
                let bytes = value(i).ok_or(c)?;
                buf.push(1);
                buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                buf.extend_from_slice(bytes);
            }
        }
    }
    Ok(())
}

/// An encoded key as text: `(12, "a b")`, one value bare.
fn show(mut key: &[u8]) -> String {
    let mut parts = Vec::new();
    while let Some((&tag, rest)) = key.split_first() {
        if tag == 0 && rest.len() >= 16 {
            let (value, rest) = rest.split_at(16);
            parts.push(i128::from_le_bytes(value.try_into().expect("16 bytes")).to_string());
            key = rest;
        } else if rest.len() >= 4 {
            let (len, rest) = rest.split_at(4);
            let len =
                (u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize).min(rest.len());
            parts.push(format!("{:?}", String::from_utf8_lossy(&rest[..len])));
            key = &rest[len..];
        } else {
            break;
        }
    }
    match parts.len() {
        1 => parts.remove(0),
        _ => format!("({})", parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_either_kind_round_trip_into_text() {
        let ints = KeyColumn::Int(Box::new(|i| [Some(-7), None][i]));
        let text: Vec<&[u8]> = vec![b"a \"b\"", b""];
        let strs = KeyColumn::Str(Box::new(move |i| Some(text[i])));
        let mut buf = Vec::new();
        encode(&[ints, strs], 0, &mut buf).unwrap();
        assert_eq!(show(&buf), r#"(-7, "a \"b\"")"#);
        let ints = KeyColumn::Int(Box::new(|i| [Some(-7), None][i]));
        assert_eq!(encode(&[ints], 1, &mut buf), Err(0));
    }

    #[test]
    fn integer_keys_are_held_inline_and_found_across_widths() {
        let mut index = Index::new(&[&DataType::Int64, &DataType::Int32], 1);
        assert!(matches!(index.keys, Keys::Ints { width: 2, .. }));
        let labelled =
            [KeyColumn::Int(Box::new(|_| Some(-1))), KeyColumn::Int(Box::new(|_| Some(5)))];
        assert_eq!(index.insert(&labelled, 0, 0), Ok(None));
        assert_eq!(index.insert(&labelled, 0, 1), Ok(None));
        assert_eq!(index.finish(), Some((1, "(-1, 5)".to_string())));
        // A uint64 prediction column beyond i64 matches nothing.
        let big = i128::from(u64::MAX);
        let probe = |second: i128| {
            [
                KeyColumn::Int(Box::new(|_| Some(-1))),
                KeyColumn::Int(Box::new(move |_| Some(second))),
            ]
        };
        assert_eq!(index.find(&probe(5), 1), Ok(vec![(0, 0)]));
        assert_eq!(index.find(&probe(big), 1), Ok(vec![]));
        assert_eq!(index.find(&probe(6), 1), Ok(vec![]));
        assert_eq!(index.rows_where(|_| true), [(0, "(-1, 5)".to_string())]);
    }

    #[test]
    fn uint64_keys_are_encoded_and_found() {
        let mut index = Index::new(&[&DataType::UInt64], 1);
        assert!(matches!(index.keys, Keys::Bytes(_)));
        let big = i128::from(u64::MAX);
        let key = || [KeyColumn::Int(Box::new(move |_| Some(big)))];
        assert_eq!(index.insert(&key(), 0, 0), Ok(None));
        assert_eq!(index.insert(&key(), 0, 1), Ok(Some(0)));
        assert_eq!(index.finish(), None);
        assert_eq!(index.find(&key(), 1), Ok(vec![(0, 1)]));
    }
}
