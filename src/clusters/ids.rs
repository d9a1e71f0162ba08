//! Identifiers as map keys, compared by exact value: integers of any width
//! as integers (2^53 + 1 and 2^53 are two entities), strings as their bytes
//! (`3` and `000003` are two entities); an integer and a string never meet,
//! since one column holds one kind.
//!
//! Most ids are short: an integer, or a string of at most 15 bytes, is
//! packed whole into a `u128` (bytes, then the length), so a probe of the
//! table compares two numbers and follows no pointer. Longer strings are
//! keyed by their bytes, and the contingency table numbers them
//! ([`super::long`]).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::dataset::values::KeyColumn;

type Map<K, V> = HashMap<K, V, ahash::RandomState>;

/// One id, as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    /// An integer, or a string of at most 15 bytes, exactly.
    Packed(u128),
    /// A longer string.
    Long(&'a [u8]),
}

/// Row `i`'s id as a key; `None` when it is null.
pub fn key<'a>(column: &KeyColumn<'a>, i: usize) -> Option<Key<'a>> {
    match column {
        // Two's complement of the i128: one-to-one.
        KeyColumn::Int(value) => value(i).map(|v| Key::Packed(v as u128)),
        KeyColumn::Str(value) => {
            let bytes = value(i)?;
            Some(match bytes.len() {
                0..16 => {
                    let mut packed = [0u8; 16];
                    packed[..bytes.len()].copy_from_slice(bytes);
                    packed[15] = bytes.len() as u8;
                    Key::Packed(u128::from_le_bytes(packed))
                }
                _ => Key::Long(bytes),
            })
        }
    }
}

/// Values seen, each with what was stored for it when first seen.
#[derive(Debug)]
pub struct Seen<V> {
    packed: Map<u128, V>,
    long: Map<Box<[u8]>, V>,
}

impl<V> Default for Seen<V> {
    fn default() -> Seen<V> {
        Seen { packed: Map::default(), long: Map::default() }
    }
}

impl<V: Copy> Seen<V> {
    /// Room for `n` short values.
    pub fn with_capacity(n: usize) -> Seen<V> {
        Seen { packed: Map::with_capacity_and_hasher(n, Default::default()), long: Map::default() }
    }

    /// What was stored for `key` when it was first seen (`Ok`), or
    /// `new(distinct so far)`, stored now (`Err`).
    pub fn get_or_insert(&mut self, key: Key, new: impl FnOnce(usize) -> V) -> Result<V, V> {
        let len = self.len();
        match key {
            Key::Packed(k) => match self.packed.entry(k) {
                Entry::Occupied(e) => Ok(*e.get()),
                Entry::Vacant(e) => Err(*e.insert(new(len))),
            },
            Key::Long(bytes) => match self.long.get(bytes) {
                Some(v) => Ok(*v),
                None => Err(*self.long.entry(bytes.into()).or_insert_with(|| new(len))),
            },
        }
    }

    /// Distinct values seen.
    pub fn len(&self) -> usize {
        self.packed.len() + self.long.len()
    }

    /// What was stored for `key`, if it was seen.
    pub fn get(&self, key: Key) -> Option<V> {
        match key {
            Key::Packed(k) => self.packed.get(&k).copied(),
            Key::Long(bytes) => self.long.get(bytes).copied(),
        }
    }

    /// Every value seen (in no particular order), with what was stored.
    pub fn entries(&self) -> impl Iterator<Item = (Key<'_>, V)> {
        let packed = self.packed.iter().map(|(k, v)| (Key::Packed(*k), *v));
        packed.chain(self.long.iter().map(|(k, v)| (Key::Long(k), *v)))
    }

    /// Every value seen, with what was stored for it.
    pub fn into_entries(self) -> impl Iterator<Item = (Owned, V)> {
        let packed = self.packed.into_iter().map(|(k, v)| (Owned::Packed(k), v));
        packed.chain(self.long.into_iter().map(|(k, v)| (Owned::Long(k), v)))
    }
}

/// An id kept beyond its batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owned {
    /// An integer, or a string of at most 15 bytes, exactly.
    Packed(u128),
    /// A longer string.
    Long(Box<[u8]>),
}

impl From<Key<'_>> for Owned {
    fn from(k: Key) -> Owned {
        match k {
            Key::Packed(v) => Owned::Packed(v),
            Key::Long(bytes) => Owned::Long(bytes.into()),
        }
    }
}

impl Owned {
    /// As a key.
    pub fn key(&self) -> Key<'_> {
        match self {
            Owned::Packed(v) => Key::Packed(*v),
            Owned::Long(bytes) => Key::Long(bytes),
        }
    }
}

/// Numbers the distinct keys 0, 1, 2…: each key's number, and how many
/// there are. The keys are split by their hash into parts first, and each
/// part numbered on its own, so its table stays in cache while it fills
/// (one table for millions of ids misses the cache on every probe).
pub fn number(keys: &[Key]) -> (Vec<u32>, usize) {
    const PART_BITS: u32 = 6;
    let hasher = ahash::RandomState::with_seeds(0x6e75, 0x6d62, 0x6572, 0x7321);
    let part = |k: &Key| {
        let hash = match k {
            Key::Packed(v) => hasher.hash_one(v),
            Key::Long(bytes) => hasher.hash_one(bytes),
        };
        (hash >> (64 - PART_BITS)) as usize
    };
    let parts: Vec<u8> = keys.iter().map(|k| part(k) as u8).collect();
    let mut starts = vec![0usize; (1 << PART_BITS) + 1];
    for p in &parts {
        starts[*p as usize + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    // Each key with its index, moved next to the others of its part, so
    // each part is read in order.
    let mut sorted: Vec<(Key, u32)> = vec![(Key::Packed(0), 0); keys.len()];
    let mut next = starts.clone();
    for (i, (k, p)) in keys.iter().zip(&parts).enumerate() {
        sorted[next[*p as usize]] = (*k, i as u32);
        next[*p as usize] += 1;
    }
    let mut numbers = vec![0u32; keys.len()];
    let mut distinct = 0usize;
    for p in 0..1 << PART_BITS {
        let part = &sorted[starts[p]..starts[p + 1]];
        let mut seen = Seen::<u32>::with_capacity(part.len());
        for &(k, i) in part {
            let local = seen.get_or_insert(k, |n| n as u32).unwrap_or_else(|n| n);
            numbers[i as usize] = distinct as u32 + local;
        }
        distinct += seen.len();
    }
    (numbers, distinct)
}

/// Record ids as 64-bit fingerprints, to find repeated ones without holding
/// every id: an integer's fingerprint is its value (one column has one
/// width, so it is one-to-one), a string's a hash with fixed seeds. Equal
/// fingerprints are only a suspicion for strings; [`Fingerprints::repeats`]
/// says whether any two are equal, and the caller confirms by value.
#[derive(Debug)]
pub struct Fingerprints {
    hasher: ahash::RandomState,
    seen: Vec<u64>,
}

impl Default for Fingerprints {
    fn default() -> Fingerprints {
        // Fixed seeds: a run's fingerprints do not depend on the process.
        let hasher = ahash::RandomState::with_seeds(0x6572, 0x2d67, 0x6174, 0x6531);
        Fingerprints { hasher, seen: Vec::new() }
    }
}

impl Fingerprints {
    /// One record id.
    pub fn add(&mut self, key: Key) {
        let fingerprint = match key {
            Key::Packed(k) if k >> 64 == 0 || k >> 64 == u128::from(u64::MAX) => k as u64,
            Key::Packed(k) => self.hasher.hash_one(k),
            Key::Long(bytes) => self.hasher.hash_one(bytes),
        };
        self.seen.push(fingerprint);
    }

    /// Both threads' fingerprints.
    pub fn merge(mut self, other: Fingerprints) -> Fingerprints {
        self.seen.extend(other.seen);
        self
    }

    /// Whether two record ids may be equal (certainly not when `false`).
    pub fn repeats(mut self) -> bool {
        self.seen.sort_unstable();
        self.seen.windows(2).any(|w| w[0] == w[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int64Array, StringArray, UInt64Array};

    use crate::dataset::values::key_column;

    fn interned(array: &dyn Array) -> Vec<Option<u32>> {
        let mut seen = Seen::default();
        let column = key_column(array);
        let mut number = |k| seen.get_or_insert(k, |n| n as u32).unwrap_or_else(|new| new);
        (0..array.len()).map(|i| key(&column, i).map(&mut number)).collect()
    }

    #[test]
    fn ids_are_equal_only_when_their_values_are() {
        let big = 1i64 << 53;
        let ints = Int64Array::from(vec![Some(big), Some(big + 1), Some(big), None, Some(-1)]);
        assert_eq!(interned(&ints), [Some(0), Some(1), Some(0), None, Some(2)]);
        let long = "an id of more than fifteen bytes";
        let strings = StringArray::from(vec!["3", "000003", "3", "", long, "3\0", long]);
        assert_eq!(interned(&strings), [0, 1, 0, 2, 3, 4, 3].map(Some));
        let unsigned = UInt64Array::from(vec![u64::MAX, u64::MAX - 1, u64::MAX]);
        assert_eq!(interned(&unsigned), [Some(0), Some(1), Some(0)]);
        let owned = Owned::from(Key::Long(long.as_bytes()));
        assert_eq!(owned.key(), Key::Long(long.as_bytes()));
    }

    #[test]
    fn numbering_gives_equal_keys_one_number_and_counts_them() {
        let long = b"an id of more than fifteen bytes";
        let keys: Vec<Key> = (0..5000u128)
            .map(|i| Key::Packed(i % 1234))
            .chain([Key::Long(long), Key::Long(long)])
            .collect();
        let (numbers, distinct) = number(&keys);
        assert_eq!(distinct, 1235);
        for (i, k) in keys.iter().enumerate() {
            let same: Vec<usize> = (0..keys.len()).filter(|j| keys[*j] == *k).collect();
            assert!(same.iter().all(|j| numbers[*j] == numbers[i]), "{i}");
        }
        let mut all = numbers.clone();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all, (0..1235).collect::<Vec<u32>>());
    }

    #[test]
    fn fingerprints_tell_repeated_record_ids() {
        let check = |array: &dyn Array| {
            let column = key_column(array);
            let mut f = Fingerprints::default();
            (0..array.len()).for_each(|i| f.add(key(&column, i).unwrap()));
            f.repeats()
        };
        assert!(!check(&Int64Array::from(vec![-1, 1, i64::MIN, i64::MAX])));
        assert!(check(&Int64Array::from(vec![5, 1, 5])));
        assert!(!check(&StringArray::from(vec!["a", "b", "a fairly long record id 1"])));
        assert!(check(&StringArray::from(vec![
            "a fairly long record id",
            "a fairly long record id"
        ])));
    }
}
