//! Identifiers read value by value, whatever their arrow type: integers of
//! any width as integers, strings (plain, large, view or
//! dictionary-encoded) as their bytes. The join's keys and cluster mode's
//! record and entity ids are read this way.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

/// One identifier column of one batch, value by value.
pub enum KeyColumn<'a> {
    /// An integer column, any width.
    Int(Box<dyn Fn(usize) -> Option<i128> + 'a>),
    /// A string column: plain, large, view or dictionary-encoded.
    Str(Box<dyn Fn(usize) -> Option<&'a [u8]> + 'a>),
}

/// The key columns of a batch, in key order.
pub fn key_columns<'a>(batch: &'a RecordBatch, keys: &[String]) -> Vec<KeyColumn<'a>> {
    keys.iter().map(|k| key_column(batch.column_by_name(k).expect("projected").as_ref())).collect()
}

/// `array`'s values (`find()` admitted it as a key: integers or strings).
pub fn key_column<'a>(array: &'a dyn Array) -> KeyColumn<'a> {
    macro_rules! ints {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            KeyColumn::Int(Box::new(move |i| a.is_valid(i).then(|| i128::from(a.value(i)))))
        }};
    }
    match array.data_type() {
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Dictionary(..) => {
            let dictionary = array.as_any_dictionary();
            let keys = dictionary.normalized_keys();
            let value = strings(dictionary.values().as_ref());
            let nulls = array.logical_nulls();
            KeyColumn::Str(Box::new(move |i| {
                nulls.as_ref().is_none_or(|n| n.is_valid(i)).then(|| value(keys[i]))
            }))
        }
        _ => {
            let value = strings(array);
            KeyColumn::Str(Box::new(move |i| array.is_valid(i).then(|| value(i))))
        }
    }
}

/// The bytes of a string array's values.
fn strings<'a>(array: &'a dyn Array) -> Box<dyn Fn(usize) -> &'a [u8] + 'a> {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            Box::new(move |i| a.value(i).as_bytes())
        }
        other => unreachable!("find() admitted {other} as a key"),
    }
}
