//! Identifiers interned to dense numbers, compared by exact value: integers
//! of any width as integers (2^53 + 1 and 2^53 are two entities), strings
//! as their bytes (`3` and `000003` are two entities); an integer and a
//! string are never equal, since one column holds one kind.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::dataset::values::KeyColumn;

type Map<K, V> = HashMap<K, V, ahash::RandomState>;

/// Values seen, each with what was stored for it when first seen.
#[derive(Debug)]
pub struct Seen<V> {
    ints: Map<i128, V>,
    bytes: Map<Box<[u8]>, V>,
}

impl<V> Default for Seen<V> {
    fn default() -> Seen<V> {
        Seen { ints: Map::default(), bytes: Map::default() }
    }
}

impl<V: Copy> Seen<V> {
    /// Row `i`'s value: what was stored when it was first seen, or `new()`
    /// stored now; `None` when the value is null.
    pub fn get_or_insert(
        &mut self,
        column: &KeyColumn,
        i: usize,
        new: impl FnOnce(usize) -> V,
    ) -> Option<Result<V, V>> {
        let len = self.len();
        Some(match column {
            KeyColumn::Int(value) => match self.ints.entry(value(i)?) {
                Entry::Occupied(e) => Ok(*e.get()),
                Entry::Vacant(e) => Err(*e.insert(new(len))),
            },
            KeyColumn::Str(value) => {
                let bytes = value(i)?;
                match self.bytes.get(bytes) {
                    Some(v) => Ok(*v),
                    None => Err(*self.bytes.entry(bytes.into()).or_insert_with(|| new(len))),
                }
            }
        })
    }

    /// Distinct values seen.
    pub fn len(&self) -> usize {
        self.ints.len() + self.bytes.len()
    }

    /// Whether none was seen.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Entity ids interned: each distinct value numbered 0, 1, 2… as seen.
#[derive(Debug, Default)]
pub struct Entities(Seen<u32>);

impl Entities {
    /// Row `i`'s entity number; `None` when its id is null.
    pub fn intern(&mut self, column: &KeyColumn, i: usize) -> Option<u32> {
        // Over 2^32 distinct entities would need a bigger number: the
        // records would not fit in memory long before.
        let found = self.0.get_or_insert(column, i, |n| n as u32)?;
        Some(found.unwrap_or_else(|new| new))
    }

    /// Distinct entities.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int64Array, StringArray, UInt64Array};

    use crate::dataset::values::key_column;

    #[test]
    fn ids_are_equal_only_when_their_values_are() {
        let big = 1i64 << 53;
        let ints = Int64Array::from(vec![Some(big), Some(big + 1), Some(big), None, Some(3)]);
        let mut entities = Entities::default();
        let column = key_column(&ints as &dyn Array);
        let numbers: Vec<Option<u32>> = (0..5).map(|i| entities.intern(&column, i)).collect();
        assert_eq!(numbers, [Some(0), Some(1), Some(0), None, Some(2)]);
        let strings = StringArray::from(vec!["3", "000003", "3"]);
        let mut entities = Entities::default();
        let column = key_column(&strings as &dyn Array);
        let numbers: Vec<Option<u32>> = (0..3).map(|i| entities.intern(&column, i)).collect();
        assert_eq!(numbers, [Some(0), Some(1), Some(0)]);
        let unsigned = UInt64Array::from(vec![u64::MAX, u64::MAX - 1]);
        let mut entities = Entities::default();
        let column = key_column(&unsigned as &dyn Array);
        assert_eq!(entities.intern(&column, 1), Some(0));
        assert_eq!(entities.intern(&column, 0), Some(1));
        assert_eq!(entities.len(), 2);
    }
}
