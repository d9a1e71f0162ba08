//! Identifiers as map keys, compared by exact value: integers of any width
//! as integers (2^53 + 1 and 2^53 are two entities), strings as their bytes
//! (`3` and `000003` are two entities); an integer and a string never meet,
//! since one column holds one kind.
//!
//! Most ids are short: an integer, or a string of at most 15 bytes, is
//! packed whole into a `u128` (bytes, then the length), so a probe of the
//! table compares two numbers and follows no pointer. So is a UUID in its
//! canonical form ([`uuid`]). Other strings are keyed by their bytes, and
//! the contingency table numbers them ([`super::long`]).

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
    match unpacked_key(column, i)? {
        Key::Long(bytes) => Some(uuid(bytes).map_or(Key::Long(bytes), Key::Packed)),
        packed => Some(packed),
    }
}

/// [`key`] with a UUID kept as its bytes: cheaper where the key is only
/// hashed ([`Fingerprints`]), but never to be compared with a [`key`].
pub fn unpacked_key<'a>(column: &KeyColumn<'a>, i: usize) -> Option<Key<'a>> {
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

/// A packed UUID's top three bits. A string packed whole has its length
/// (at most 15) in its top byte, a numbered long id 0x40 and the sampled
/// benchmark's outside entity 0x80; an integer's is its sign (0x00 or
/// 0xff), so no integer key is taken for a UUID either.
const UUID_TAG: u128 = 0b110 << 125;

/// `bytes` packed when they are a UUID as written canonically (RFC 9562):
/// 36 characters, lowercase hex and its four hyphens, the variant bits
/// `10` and a version from 1 to 8. Its 128 bits less the variant's 2, and
/// the version in 3, leave room for [`UUID_TAG`], so each such string has
/// a key of its own and no other string has it. Any other form (uppercase
/// too: `A` and `a` are two ids) is a long id.
fn uuid(bytes: &[u8]) -> Option<u128> {
    if bytes.len() != 36 {
        return None;
    }
    let v = uuid::Uuid::try_parse_ascii(bytes).ok()?.as_u128();
    // Parsed, its bytes are hex digits and hyphens: of those, only `A` to
    // `F` have bit 6 set and bit 5 clear (one pass, no branch).
    if bytes.iter().fold(0, |any, &b| any | (b & !(b << 1) & 0x40)) != 0 {
        return None;
    }
    let version = (v >> 76) & 0xf;
    if (v >> 62) & 0b11 != 0b10 || !(1..=8).contains(&version) {
        return None;
    }
    let (time, middle, low) = (v >> 80, (v >> 64) & 0xfff, v & ((1 << 62) - 1));
    Some(UUID_TAG | time << 77 | (version - 1) << 74 | middle << 62 | low)
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

/// Numbers the distinct packed keys 0, 1, 2…: each key's number, and how
/// many there are. The keys are split by their hash into parts first, and
/// each part numbered on its own, so its table stays in cache while it
/// fills (one table for millions of ids misses the cache on every probe).
/// The keys are moved next to the others of their part with their index
/// beside them (20 bytes a key), so each part is read in order.
pub fn number(keys: &[u128]) -> (Vec<u32>, usize) {
    const PART_BITS: u32 = 6;
    let hasher = ahash::RandomState::with_seeds(0x6e75, 0x6d62, 0x6572, 0x7321);
    let parts: Vec<u8> =
        keys.iter().map(|k| (hasher.hash_one(k) >> (64 - PART_BITS)) as u8).collect();
    let mut starts = vec![0usize; (1 << PART_BITS) + 1];
    for p in &parts {
        starts[*p as usize + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let (mut sorted, mut index) = (vec![0u128; keys.len()], vec![0u32; keys.len()]);
    let mut next = starts.clone();
    for (i, (k, p)) in keys.iter().zip(parts).enumerate() {
        let at = &mut next[p as usize];
        (sorted[*at], index[*at]) = (*k, i as u32);
        *at += 1;
    }
    let mut numbers = vec![0u32; keys.len()];
    let mut distinct = 0usize;
    for p in 0..1 << PART_BITS {
        let (part, at) = (&sorted[starts[p]..starts[p + 1]], &index[starts[p]..starts[p + 1]]);
        let mut seen = Map::<u128, u32>::with_capacity_and_hasher(part.len(), Default::default());
        for (&k, &i) in part.iter().zip(at) {
            let next = seen.len() as u32;
            numbers[i as usize] = distinct as u32 + *seen.entry(k).or_insert(next);
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
    fn canonical_uuids_pack_one_to_one_and_other_forms_stay_long() {
        let packed = |s: &str| match key(&key_column(&StringArray::from(vec![s])), 0) {
            Some(Key::Packed(k)) => Some(k),
            _ => None,
        };
        let v4 = "936da01f-9abd-4d9d-80c7-02af85c822a8";
        let k = packed(v4).expect("a canonical version-4 UUID packs");
        assert_eq!(k >> 125, 0b110);
        // Every bit but the variant's and the version's fixed ones counts.
        for (at, digit) in v4.char_indices().filter(|&(i, _)| ![8, 13, 18, 23, 14].contains(&i)) {
            for other in "0123456789abcdef".chars().filter(|&c| c != digit) {
                let mut s = v4.to_string();
                s.replace_range(at..=at, &other.to_string());
                if let Some(other) = packed(&s) {
                    assert_ne!(other, k, "{s}");
                }
            }
        }
        let v1 = "936da01f-9abd-1d9d-80c7-02af85c822a8";
        let v8 = "936da01f-9abd-8d9d-b0c7-02af85c822a8";
        let (k1, k8) = (packed(v1).unwrap(), packed(v8).unwrap());
        assert!(k1 != k && k8 != k && k1 != k8);
        for other in [
            "936DA01F-9ABD-4D9D-80C7-02AF85C822A8", // uppercase: another id
            "936da01f-9abd-4d9d-80C7-02af85c822a8",
            "936da01f-9abd-4d9d-c0c7-02af85c822a8", // another variant
            "936da01f-9abd-0d9d-80c7-02af85c822a8", // version 0
            "936da01f-9abd-9d9d-80c7-02af85c822a8", // version 9
            "936da01f_9abd-4d9d-80c7-02af85c822a8",
            "936da01f-9abd-4d9d-80c7-02af85c822ag",
            "{936da01f-9abd-4d9d-80c7-02af85c822}",
            "936da01f9abd4d9d80c702af85c822a8",
        ] {
            assert_eq!(packed(other), None, "{other}");
        }
    }

    #[test]
    fn numbering_gives_equal_keys_one_number_and_counts_them() {
        let keys: Vec<u128> = (0..5000u128).map(|i| i % 1234).chain([u128::MAX; 2]).collect();
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
