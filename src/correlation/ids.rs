//! Each row's cluster id: the index of its value in a table keyed by the
//! value's bytes (a tag for its kind first: the text `1` and the integer 1
//! are two ids). The keys are kept end to end in one buffer and the table
//! holds ids only, so a distinct value costs its bytes and a few more, and
//! no allocation of its own; a row equal to the one before reuses its id
//! without a lookup.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;
use hashbrown::HashTable;

/// The id of a null row: a cluster of its own.
pub const NULL: u32 = u32::MAX;

const TEXT: u8 = 0;
/// An integer within 64 bits, as 8 bytes.
const INTEGER: u8 = 1;
const BOOLEAN: u8 = 2;
/// An integer beyond 64 bits (a large unsigned one), as 16 bytes.
const WIDE: u8 = 3;

/// The distinct values seen, each with its id (ids are 0, 1, 2… in the
/// order first seen).
#[derive(Debug, Clone, Default)]
pub struct Ids {
    /// Each id with its key's hash: growing the table rehashes from these,
    /// never from the keys.
    table: HashTable<Entry>,
    /// Every key, tag first, end to end in the order of their ids.
    keys: Vec<u8>,
    /// Where each id's key ends in `keys` (it starts where the one before
    /// ends).
    ends: Vec<usize>,
    state: ahash::RandomState,
}

/// An id and its key's hash, folded to 32 bits.
#[derive(Debug, Clone, Copy)]
struct Entry {
    id: u32,
    hash: u32,
}

impl Entry {
    /// The table's hash: the 32 bits in both halves, so that both the
    /// bucket (low bits) and the tag byte (high bits) come from them.
    fn spread(hash: u32) -> u64 {
        u64::from(hash) << 32 | u64::from(hash)
    }
}

impl Ids {
    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every value's key and id, in the order of the ids.
    pub fn keys(&self) -> impl Iterator<Item = (&[u8], u32)> {
        (0..self.len() as u32).map(|id| (key_of(&self.keys, &self.ends, id), id))
    }

    /// The id of the value whose key is `key` (as [`Self::keys`] gives
    /// it), added when new.
    pub fn id(&mut self, key: &[u8]) -> u32 {
        self.keyed(key[0], &key[1..])
    }

    fn keyed(&mut self, tag: u8, bytes: &[u8]) -> u32 {
        let folded = self.state.hash_one((tag, bytes));
        let hash = (folded ^ folded >> 32) as u32;
        let (keys, ends) = (&self.keys, &self.ends);
        let same = |e: &Entry| {
            let key = key_of(keys, ends, e.id);
            e.hash == hash && key[0] == tag && &key[1..] == bytes
        };
        if let Some(e) = self.table.find(Entry::spread(hash), same) {
            return e.id;
        }
        let id = self.ends.len() as u32;
        self.keys.push(tag);
        self.keys.extend_from_slice(bytes);
        self.ends.push(self.keys.len());
        self.table
            .insert_unique(Entry::spread(hash), Entry { id, hash }, |e| Entry::spread(e.hash));
        id
    }

    /// Each row's id in `array` into `ids` (cleared first), [`NULL`] for a
    /// null row. The column's type was checked before reading (an id's:
    /// strings, integers, booleans or a dictionary of them).
    pub fn row_ids(&mut self, array: &dyn Array, ids: &mut Vec<u32>) {
        ids.clear();
        if let Some(dictionary) = array.as_any_dictionary_opt() {
            let mut entries = Vec::new();
            self.row_ids(dictionary.values().as_ref(), &mut entries);
            let entry = |k: usize| entries.get(k).copied().unwrap_or(NULL);
            ids.extend(dictionary.normalized_keys().into_iter().map(entry));
        } else {
            match array.data_type() {
                DataType::Utf8 => {
                    self.runs(array.as_string::<i32>().iter(), ids, TEXT, |s| s.as_bytes())
                }
                DataType::LargeUtf8 => {
                    self.runs(array.as_string::<i64>().iter(), ids, TEXT, |s| s.as_bytes())
                }
                DataType::Utf8View => {
                    self.runs(array.as_string_view().iter(), ids, TEXT, |s| s.as_bytes())
                }
                DataType::Boolean => {
                    self.runs(
                        array.as_boolean().iter(),
                        ids,
                        BOOLEAN,
                        |b| {
                            if *b { &[1] } else { &[0] }
                        },
                    )
                }
                DataType::Int8 => self.integers::<Int8Type>(array, ids),
                DataType::Int16 => self.integers::<Int16Type>(array, ids),
                DataType::Int32 => self.integers::<Int32Type>(array, ids),
                DataType::Int64 => self.integers::<Int64Type>(array, ids),
                DataType::UInt8 => self.integers::<UInt8Type>(array, ids),
                DataType::UInt16 => self.integers::<UInt16Type>(array, ids),
                DataType::UInt32 => self.integers::<UInt32Type>(array, ids),
                DataType::UInt64 => self.integers::<UInt64Type>(array, ids),
                other => {
                    unreachable!("cluster_by columns are checked before reading, found {other}")
                }
            }
        }
        if let Some(valid) = array.logical_nulls().filter(|v| v.null_count() > 0) {
            valid.iter().zip(ids.iter_mut()).filter(|(v, _)| !v).for_each(|(_, id)| *id = NULL);
        }
    }

    fn integers<T>(&mut self, array: &dyn Array, ids: &mut Vec<u32>)
    where
        T: ArrowPrimitiveType,
        T::Native: Into<i128>,
    {
        let mut last: Option<(i128, u32)> = None;
        for row in array.as_primitive::<T>().iter() {
            let id = match (row.map(Into::into), last) {
                (None, _) => NULL,
                (Some(n), Some((previous, id))) if previous == n => id,
                (Some(n), _) => {
                    let id = match i64::try_from(n) {
                        Ok(small) => self.keyed(INTEGER, &small.to_le_bytes()),
                        Err(_) => self.keyed(WIDE, &n.to_le_bytes()),
                    };
                    last = Some((n, id));
                    id
                }
            };
            ids.push(id);
        }
    }

    /// Each row's id; a row equal to the one before reuses its id.
    fn runs<K: PartialEq + Copy>(
        &mut self,
        rows: impl Iterator<Item = Option<K>>,
        ids: &mut Vec<u32>,
        tag: u8,
        bytes: impl for<'k> Fn(&'k K) -> &'k [u8],
    ) {
        let mut last: Option<(K, u32)> = None;
        for row in rows {
            let id = match (row, last) {
                (None, _) => NULL,
                (Some(k), Some((previous, id))) if previous == k => id,
                (Some(k), _) => {
                    let id = self.keyed(tag, bytes(&k));
                    last = Some((k, id));
                    id
                }
            };
            ids.push(id);
        }
    }
}

/// The key of `id`, tag first, in `keys` ending at `ends`.
fn key_of<'k>(keys: &'k [u8], ends: &[usize], id: u32) -> &'k [u8] {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &keys[start..ends[id]]
}

#[cfg(test)]
mod tests {
    use arrow_array::{BooleanArray, Int64Array, StringArray, UInt8Array, UInt64Array};

    use super::*;

    fn ids(table: &mut Ids, array: &dyn Array) -> Vec<u32> {
        let mut ids = Vec::new();
        table.row_ids(array, &mut ids);
        ids
    }

    /// An integer is one id whatever its column's width or sign; the text
    /// `1`, `true` and an integer beyond 64 bits are ids of their own; a
    /// table rebuilt from another's keys gives every value its id.
    #[test]
    fn a_value_is_one_id_whatever_its_column_and_a_kind_is_part_of_it() {
        let mut table = Ids::default();
        let signed = ids(&mut table, &Int64Array::from(vec![Some(1), Some(-1), None, Some(1)]));
        assert_eq!(signed, [0, 1, NULL, 0]);
        assert_eq!(ids(&mut table, &UInt8Array::from(vec![1, 1])), [0, 0]);
        assert_eq!(ids(&mut table, &UInt64Array::from(vec![u64::MAX, 1])), [2, 0]);
        assert_eq!(ids(&mut table, &StringArray::from(vec!["1", "blk-7", "1"])), [3, 4, 3]);
        assert_eq!(ids(&mut table, &BooleanArray::from(vec![true, false])), [5, 6]);
        assert_eq!(table.len(), 7);
        let mut other = Ids::default();
        assert_eq!(ids(&mut other, &StringArray::from(vec!["blk-7"])), [0]);
        let translated: Vec<u32> = table.keys().map(|(key, _)| other.id(key)).collect();
        assert_eq!(translated, [1, 2, 3, 4, 0, 5, 6]);
        assert_eq!(ids(&mut other, &UInt64Array::from(vec![u64::MAX])), [translated[2]]);
    }

    /// Many distinct values, as a record id column has: every one found
    /// again after the table has grown.
    #[test]
    fn every_value_is_found_again_after_the_table_grows() {
        let mut table = Ids::default();
        let texts: Vec<String> = (0..100_000).map(|i| format!("record-{i}")).collect();
        let array = StringArray::from(texts.clone());
        let first = ids(&mut table, &array);
        assert_eq!(first, (0..100_000).collect::<Vec<u32>>());
        let reversed = StringArray::from(texts.into_iter().rev().collect::<Vec<_>>());
        let again = ids(&mut table, &reversed);
        assert_eq!(again, (0..100_000).rev().collect::<Vec<u32>>());
        assert_eq!(table.len(), 100_000);
    }
}
