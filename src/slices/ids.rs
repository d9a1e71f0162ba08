//! Each row's slice: the id of its value in a column's table of values.
//!
//! A dictionary-encoded column (the reader asks for string slice columns as
//! dictionaries) maps each dictionary entry once per batch and each row by
//! its key; a plain string column looks each row up, reusing the previous
//! row's id while the value repeats; booleans and integers map directly or
//! by one hash lookup.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::ArrowDictionaryKeyType;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{AnyDictionaryArray, Array, ArrowPrimitiveType};
use arrow_buffer::ArrowNativeType;
use arrow_schema::DataType;

use super::Value;

/// The most bytes of a value from the data kept as a slice: a longer one
/// is kept [`bounded`].
pub const LONGEST: usize = 256;

/// A long value as a slice keeps it: its first 160 bytes (to a character),
/// how many more there were, and the start of the SHA-256 of the whole, so
/// two long values that share a beginning stay two slices. 400 values of
/// 2 MiB then cost kilobytes, not gigabytes, in memory and in the report.
pub fn bounded(text: &str) -> String {
    let mut cut = 160.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    let short: String = digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}… ({} more bytes, sha256 {short}…)", &text[..cut], text.len() - cut)
}

/// The hasher of the value tables: arrow's, about 4x std's SipHash per
/// lookup; a `cluster_by` column looks up an id per distinct run of rows.
type Map<K> = HashMap<K, u32, ahash::RandomState>;

/// A column's distinct values, each with its id (its index in `values`).
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// The values in the order first seen.
    pub values: Vec<Value>,
    texts: Map<Box<str>>,
    others: Map<Value>,
}

impl Values {
    /// The id of `value`, added when new.
    pub fn id(&mut self, value: Value) -> u32 {
        if let Value::Text(text) = &value {
            return self.text_id(text);
        }
        let next = self.values.len() as u32;
        *self.others.entry(value.clone()).or_insert_with(|| {
            self.values.push(value);
            next
        })
    }

    fn text_id(&mut self, text: &str) -> u32 {
        if text.len() > LONGEST {
            return self.text_id(&bounded(text));
        }
        if let Some(id) = self.texts.get(text) {
            return *id;
        }
        let id = self.values.len() as u32;
        self.values.push(Value::Text(text.into()));
        self.texts.insert(text.into(), id);
        id
    }

    /// The id of each entry of a dictionary (a null entry's is null's).
    pub fn entry_ids(&mut self, dictionary: &dyn AnyDictionaryArray) -> Vec<u32> {
        let entries = dictionary.values();
        let mut ids = Vec::with_capacity(entries.len());
        self.row_ids(entries.as_ref(), &mut ids);
        ids
    }

    /// Each row's id in `array`, into `ids` (cleared first).
    pub fn row_ids(&mut self, array: &dyn Array, ids: &mut Vec<u32>) {
        ids.clear();
        if let Some(dictionary) = array.as_any_dictionary_opt() {
            // Every entry is mapped once per batch, whether a row uses it
            // or not: values no row counted are dropped when the counts
            // are finished.
            let entry_ids = self.entry_ids(dictionary);
            // A null row's key may be anything (it is overwritten below); a
            // present row's key is within the dictionary, as arrow checks.
            let id_of = |k: usize| entry_ids.get(k).copied().unwrap_or(u32::MAX);
            // Keys are read in place rather than widened into a new vector:
            // Int32 is what the reader gives for string columns, Int8 what
            // pandas' categoricals are written as.
            let in_place = keys_in_place::<Int8Type>(array, ids, id_of)
                || keys_in_place::<Int16Type>(array, ids, id_of)
                || keys_in_place::<Int32Type>(array, ids, id_of)
                || keys_in_place::<Int64Type>(array, ids, id_of)
                || keys_in_place::<UInt8Type>(array, ids, id_of)
                || keys_in_place::<UInt16Type>(array, ids, id_of)
                || keys_in_place::<UInt32Type>(array, ids, id_of)
                || keys_in_place::<UInt64Type>(array, ids, id_of);
            if !in_place {
                ids.extend(dictionary.normalized_keys().into_iter().map(id_of));
            }
            if let Some(valid) = array.logical_nulls().filter(|v| v.null_count() > 0) {
                let null = self.id(Value::Null);
                valid.iter().zip(ids.iter_mut()).filter(|(v, _)| !v).for_each(|(_, id)| *id = null);
            }
            return;
        }
        let text = |v: &mut Values, t: &str| v.text_id(t);
        match array.data_type() {
            DataType::Utf8 => self.ids_of(array.as_string::<i32>().iter(), ids, text),
            DataType::LargeUtf8 => self.ids_of(array.as_string::<i64>().iter(), ids, text),
            DataType::Utf8View => self.ids_of(array.as_string_view().iter(), ids, text),
            DataType::Boolean => {
                self.ids_of(array.as_boolean().iter(), ids, |v, b| v.id(Value::Bool(b)))
            }
            DataType::Int8 => self.integers_of::<Int8Type>(array, ids),
            DataType::Int16 => self.integers_of::<Int16Type>(array, ids),
            DataType::Int32 => self.integers_of::<Int32Type>(array, ids),
            DataType::Int64 => self.integers_of::<Int64Type>(array, ids),
            DataType::UInt8 => self.integers_of::<UInt8Type>(array, ids),
            DataType::UInt16 => self.integers_of::<UInt16Type>(array, ids),
            DataType::UInt32 => self.integers_of::<UInt32Type>(array, ids),
            DataType::UInt64 => self.integers_of::<UInt64Type>(array, ids),
            other => unreachable!("slice columns are checked before reading, found {other}"),
        }
    }

    fn integers_of<T>(&mut self, array: &dyn Array, ids: &mut Vec<u32>)
    where
        T: ArrowPrimitiveType,
        T::Native: Into<i128>,
    {
        let rows = array.as_primitive::<T>().iter();
        self.ids_of(rows, ids, |v, n: T::Native| v.id(Value::Int(n.into())));
    }

    /// Each row's id, `id_of` for a present value; a row equal to the one
    /// before reuses its id without a lookup.
    fn ids_of<K: PartialEq + Copy>(
        &mut self,
        rows: impl Iterator<Item = Option<K>>,
        ids: &mut Vec<u32>,
        id_of: impl Fn(&mut Values, K) -> u32,
    ) {
        let mut last: Option<(K, u32)> = None;
        for row in rows {
            let id = match (row, last) {
                (None, _) => self.id(Value::Null),
                (Some(k), Some((previous, id))) if previous == k => id,
                (Some(k), _) => {
                    let id = id_of(self, k);
                    last = Some((k, id));
                    id
                }
            };
            ids.push(id);
        }
    }
}

/// Each row's id from its key when `array` is a dictionary keyed by `K`;
/// false otherwise.
fn keys_in_place<K: ArrowDictionaryKeyType>(
    array: &dyn Array,
    ids: &mut Vec<u32>,
    id_of: impl Fn(usize) -> u32,
) -> bool {
    let Some(dictionary) = array.as_dictionary_opt::<K>() else {
        return false;
    };
    ids.extend(dictionary.keys().values().iter().map(|k| id_of(k.as_usize())));
    true
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        BooleanArray, DictionaryArray, Int64Array, LargeStringArray, StringArray, UInt64Array,
    };

    use super::*;

    fn values_of(array: &dyn Array) -> Vec<Value> {
        let mut table = Values::default();
        let mut ids = Vec::new();
        table.row_ids(array, &mut ids);
        ids.iter().map(|id| table.values[*id as usize].clone()).collect()
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn long_values_are_kept_short_and_stay_distinct() {
        let (a, b) = ("x".repeat(2 << 20) + "a", "x".repeat(2 << 20) + "b");
        let strings = StringArray::from(vec![a.as_str(), b.as_str(), a.as_str()]);
        let values = values_of(&strings);
        assert_eq!(values[0], values[2]);
        assert_ne!(values[0], values[1]);
        let Value::Text(kept) = &values[0] else { panic!("{values:?}") };
        assert!(kept.len() <= LONGEST, "{}", kept.len());
        assert!(kept.contains("… (2096993 more bytes, sha256 "), "{kept}");
        let accented = "é".repeat(200);
        assert!(bounded(&accented).starts_with(&"é".repeat(80)));
    }

    #[test]
    fn every_row_gets_its_own_value() {
        let strings = StringArray::from(vec![Some("org"), Some("org"), None, Some("person")]);
        assert_eq!(values_of(&strings), [text("org"), text("org"), Value::Null, text("person")]);
        let large = LargeStringArray::from(vec![Some("b"), Some("a"), Some("b")]);
        assert_eq!(values_of(&large), [text("b"), text("a"), text("b")]);
        let bools = BooleanArray::from(vec![Some(true), None, Some(false)]);
        assert_eq!(values_of(&bools), [Value::Bool(true), Value::Null, Value::Bool(false)]);
        let ints = Int64Array::from(vec![Some(-3), Some(-3), None, Some(7)]);
        assert_eq!(values_of(&ints), [Value::Int(-3), Value::Int(-3), Value::Null, Value::Int(7)]);
        let big = UInt64Array::from(vec![u64::MAX]);
        assert_eq!(values_of(&big), [Value::Int(u64::MAX.into())]);
    }

    #[test]
    fn a_dictionary_maps_each_key_and_null_keys_and_values_alike() {
        let entries = StringArray::from(vec![Some("vessel"), None, Some("org")]);
        let keys = arrow_array::Int8Array::from(vec![Some(2), Some(0), None, Some(1), Some(2)]);
        let dictionary = DictionaryArray::new(keys, Arc::new(entries));
        assert_eq!(
            values_of(&dictionary),
            [text("org"), text("vessel"), Value::Null, Value::Null, text("org")]
        );
    }

    #[test]
    fn one_table_gives_one_id_per_value_across_batches_and_encodings() {
        let mut table = Values::default();
        let mut ids = Vec::new();
        table.row_ids(&StringArray::from(vec!["a", "b"]), &mut ids);
        let first = ids.clone();
        let keys = arrow_array::Int32Array::from(vec![1, 0]);
        let dictionary = DictionaryArray::new(keys, Arc::new(StringArray::from(vec!["a", "b"])));
        table.row_ids(&dictionary, &mut ids);
        assert_eq!(ids, [first[1], first[0]]);
        assert_eq!(table.values.len(), 2);
    }
}
