//! Each row's cluster id: the index of its value in a table keyed by the
//! value's bytes (a tag for its kind first: the text `1` and the integer 1
//! are two ids). One allocation per distinct value, none per row; a row
//! equal to the one before reuses its id without a lookup.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;

/// The id of a null row: a cluster of its own.
pub const NULL: u32 = u32::MAX;

const TEXT: u8 = 0;
const INTEGER: u8 = 1;
const BOOLEAN: u8 = 2;

/// The distinct values seen, each with its id (ids are 0, 1, 2… in the
/// order first seen).
#[derive(Debug, Clone, Default)]
pub struct Ids {
    map: HashMap<Box<[u8]>, u32, ahash::RandomState>,
    key: Vec<u8>,
}

impl Ids {
    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Every value's key and id.
    pub fn keys(&self) -> impl Iterator<Item = (&[u8], u32)> {
        self.map.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The id of the value whose key is `key`, added when new.
    pub fn id(&mut self, key: &[u8]) -> u32 {
        if let Some(id) = self.map.get(key) {
            return *id;
        }
        let id = self.map.len() as u32;
        self.map.insert(key.into(), id);
        id
    }

    fn keyed(&mut self, tag: u8, bytes: &[u8]) -> u32 {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.push(tag);
        key.extend_from_slice(bytes);
        let id = self.id(&key);
        self.key = key;
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
        let rows = array.as_primitive::<T>().iter().map(|v| v.map(|v| v.into().to_le_bytes()));
        self.runs(rows, ids, INTEGER, |b: &[u8; 16]| b.as_slice());
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
