//! Slices: the confusion matrix of each value of each slice column, counted
//! in the same pass as the overall one.
//!
//! [`Slices`] is one reading thread's tables, one per slice column: each
//! distinct value (nulls are one value of their own) with its counts.
//! Memory is bounded by the number of distinct values, which
//! [`SliceSettings::max_slices`] caps. It knows arrow arrays and counts,
//! nothing of files or verdicts.

mod count;
mod ids;
mod rules;

use arrow_array::ArrayRef;
use arrow_array::cast::AsArray;
use arrow_buffer::BooleanBuffer;

use count::count;
pub use ids::Values;
pub use rules::{Minimum, SliceCheck, SliceKey, SliceRule, SliceRules, SliceStatus, judge};

use crate::metrics::Counts;

/// Which columns slice the pairs, and the limits of slicing.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceSettings {
    /// The slice columns, in the order given; empty: no slices.
    pub columns: Vec<String>,
    /// The most distinct values a slice column may have.
    pub max_slices: usize,
    /// The fewest true matches a slice needs to be evaluated.
    pub min_support: u64,
    /// How far below overall an evaluated slice's metric must fall to be
    /// flagged and listed among the card's limitations.
    pub flag_gap: f64,
    /// Rules that fail the gate, from the config file.
    pub rules: SliceRules,
}

impl Default for SliceSettings {
    fn default() -> SliceSettings {
        SliceSettings {
            columns: Vec::new(),
            max_slices: 1000,
            min_support: 30,
            flag_gap: 0.05,
            rules: SliceRules::default(),
        }
    }
}

/// How the missing values' slice is shown, and named in a rule.
pub const NULL_TEXT: &str = "(null)";

/// One value of a slice column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// A missing value: the slice `(null)`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer of any width, signed or not.
    Int(i128),
    /// A string.
    Text(Box<str>),
}

impl Value {
    /// The value as JSON: null, a boolean, a number (as a string beyond
    /// 64 bits' reach) or a string.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(n) => match (i64::try_from(*n), u64::try_from(*n)) {
                (Ok(n), _) => n.into(),
                (_, Ok(n)) => n.into(),
                _ => n.to_string().into(),
            },
            Value::Text(t) => t.as_ref().into(),
        }
    }

    /// The value as text: `(null)` for a missing one.
    pub fn text(&self) -> String {
        match self {
            Value::Null => NULL_TEXT.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Text(t) => t.to_string(),
        }
    }
}

/// A slice column with more distinct values than `max_slices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyValues {
    pub column: String,
    /// Distinct values seen when reading stopped.
    pub seen: usize,
    pub max: usize,
}

/// One column's values and the counts of each.
#[derive(Debug, Clone, Default)]
struct Table {
    values: Values,
    /// Per value id: TN, FP, FN, TP (index `label << 1 | predicted`).
    cells: Vec<[u64; 4]>,
}

/// One reading thread's slice counts, a table per slice column.
#[derive(Debug, Clone, Default)]
pub struct Slices {
    columns: Vec<String>,
    max: usize,
    tables: Vec<Table>,
    ids: Vec<u32>,
}

/// The counts of one value of one slice column.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub value: Value,
    /// Its confusion matrix.
    pub counts: Counts,
}

/// One slice column's slices, in the order their values were first seen
/// by the thread that merged last (sort them to show them).
#[derive(Debug, Clone, PartialEq)]
pub struct SliceColumn {
    pub column: String,
    /// Each distinct value's counts.
    pub slices: Vec<Slice>,
}

impl Slices {
    /// Empty tables for the slice columns of `settings`.
    pub fn new(settings: &SliceSettings) -> Slices {
        Slices {
            columns: settings.columns.clone(),
            max: settings.max_slices,
            tables: vec![Table::default(); settings.columns.len()],
            ids: Vec::new(),
        }
    }

    /// Counts one batch: `arrays` are the slice columns in settings order,
    /// `label` and `predicted` the pairs' bits, `present` the rows counted
    /// (`None`: all).
    pub fn add(
        &mut self,
        arrays: &[ArrayRef],
        label: &BooleanBuffer,
        predicted: &BooleanBuffer,
        present: Option<&BooleanBuffer>,
    ) -> Result<(), TooManyValues> {
        for (c, array) in arrays.iter().enumerate() {
            let table = &mut self.tables[c];
            // A dictionary of few entries is counted by key, each entry's
            // counts then added to its value's: no id per row.
            let keyed = array
                .as_any_dictionary_opt()
                .and_then(|d| Some((d, count::by_key(d, label, predicted, present)?)));
            let Some((dictionary, (by_key, null))) = keyed else {
                table.values.row_ids(array.as_ref(), &mut self.ids);
                if table.values.values.len() > self.max {
                    return Err(self.too_many(c));
                }
                table.cells.resize(table.values.values.len(), [0; 4]);
                count(&mut table.cells, &self.ids, label, predicted, present);
                continue;
            };
            let mut ids = table.values.entry_ids(dictionary);
            if null.iter().any(|n| *n > 0) {
                ids.push(table.values.id(Value::Null));
            }
            if table.values.values.len() > self.max {
                return Err(self.too_many(c));
            }
            table.cells.resize(table.values.values.len(), [0; 4]);
            for (id, add) in ids.into_iter().zip(by_key.iter().chain([&null])) {
                for (sum, add) in table.cells[id as usize].iter_mut().zip(add) {
                    *sum += add;
                }
            }
        }
        Ok(())
    }

    fn too_many(&self, c: usize) -> TooManyValues {
        TooManyValues {
            column: self.columns[c].clone(),
            seen: self.tables[c].values.values.len(),
            max: self.max,
        }
    }

    /// Combines two threads' tables, value by value.
    pub fn merge(mut self, other: &Slices) -> Result<Slices, TooManyValues> {
        for c in 0..self.tables.len() {
            let (mine, theirs) = (&mut self.tables[c], &other.tables[c]);
            let counted = theirs.values.values.iter().zip(&theirs.cells);
            for (value, cells) in counted.filter(|(_, cells)| cells.iter().any(|n| *n > 0)) {
                let id = mine.values.id(value.clone()) as usize;
                mine.cells.resize(mine.values.values.len(), [0; 4]);
                for (sum, add) in mine.cells[id].iter_mut().zip(cells) {
                    *sum += add;
                }
            }
            if self.tables[c].values.values.len() > self.max {
                return Err(self.too_many(c));
            }
        }
        Ok(self)
    }

    /// Each column's slices with their counts.
    pub fn finish(self) -> Vec<SliceColumn> {
        self.columns
            .into_iter()
            .zip(self.tables)
            .map(|(column, table)| SliceColumn {
                column,
                slices: table
                    .values
                    .values
                    .into_iter()
                    .zip(table.cells)
                    .filter(|(_, cells)| cells.iter().any(|n| *n > 0))
                    .map(|(value, [tn, fp, fn_, tp])| Slice {
                        value,
                        counts: Counts { tp, fp, fn_, tn },
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::StringArray;

    use super::*;

    fn settings(max_slices: usize) -> SliceSettings {
        SliceSettings { columns: vec!["kind".into()], max_slices, ..SliceSettings::default() }
    }

    fn bits(b: &[bool]) -> BooleanBuffer {
        BooleanBuffer::from(b.to_vec())
    }

    #[test]
    fn each_value_counts_its_own_confusion_matrix_over_present_rows() {
        let kinds: ArrayRef =
            Arc::new(StringArray::from(vec![Some("a"), Some("a"), None, Some("b"), Some("a")]));
        let label = bits(&[true, false, true, true, true]);
        let predicted = bits(&[true, true, false, true, false]);
        let present = bits(&[true, true, true, true, false]);
        let mut slices = Slices::new(&settings(10));
        slices.add(&[kinds], &label, &predicted, Some(&present)).unwrap();
        let [column] = slices.finish().try_into().unwrap();
        let counts: Vec<(String, Counts)> =
            column.slices.into_iter().map(|s| (s.value.text(), s.counts)).collect();
        assert_eq!(
            counts,
            [
                ("a".into(), Counts { tp: 1, fp: 1, fn_: 0, tn: 0 }),
                ("(null)".into(), Counts { tp: 0, fp: 0, fn_: 1, tn: 0 }),
                ("b".into(), Counts { tp: 1, fp: 0, fn_: 0, tn: 0 }),
            ]
        );
    }

    /// A dictionary counted by key (few entries) or by row (many) counts as
    /// the same values written out as strings: null keys and null entries
    /// alike in `(null)`, repeated entries in one value, absent rows left out.
    #[test]
    fn a_dictionary_counts_as_its_values_written_out() {
        use arrow_array::types::{Int8Type, UInt16Type};
        use arrow_array::{DictionaryArray, PrimitiveArray};
        for entries in [4, count::MASKED + 5] {
            let mut words: Vec<Option<String>> =
                (0..entries).map(|e| Some(format!("v{}", e % 3))).collect();
            words[1] = None;
            let rows = 301;
            let key = |i: usize| (i * 7 + i / 5) % entries;
            let keys: Vec<Option<usize>> =
                (0..rows).map(|i| (i % 13 != 0).then(|| key(i))).collect();
            let label = bits(&(0..rows).map(|i| i % 3 == 0).collect::<Vec<_>>());
            let predicted = bits(&(0..rows).map(|i| i % 4 < 2).collect::<Vec<_>>());
            let present = bits(&(0..rows).map(|i| i % 11 != 0).collect::<Vec<_>>());
            let written: ArrayRef = Arc::new(StringArray::from(
                keys.iter().map(|k| k.and_then(|k| words[k].clone())).collect::<Vec<_>>(),
            ));
            let values: ArrayRef = Arc::new(StringArray::from(words.clone()));
            let int8 = PrimitiveArray::<Int8Type>::from(
                keys.iter().map(|k| k.map(|k| k as i8)).collect::<Vec<_>>(),
            );
            let uint16 = PrimitiveArray::<UInt16Type>::from(
                keys.iter().map(|k| k.map(|k| k as u16)).collect::<Vec<_>>(),
            );
            let dictionaries: [ArrayRef; 2] = [
                Arc::new(DictionaryArray::new(int8, values.clone())),
                Arc::new(DictionaryArray::new(uint16, values)),
            ];
            let counted = |array: ArrayRef| {
                let mut slices = Slices::new(&settings(100));
                slices.add(&[array], &label, &predicted, Some(&present)).unwrap();
                let [column] = slices.finish().try_into().unwrap();
                let mut counts: Vec<(String, Counts)> =
                    column.slices.into_iter().map(|s| (s.value.text(), s.counts)).collect();
                counts.sort_by(|a, b| a.0.cmp(&b.0));
                counts
            };
            let expected = counted(written);
            assert!(expected.iter().any(|(v, _)| v == "(null)"), "{expected:?}");
            for dictionary in dictionaries {
                assert_eq!(counted(dictionary), expected, "{entries} entries");
            }
        }
    }

    #[test]
    fn merging_adds_by_value_whatever_each_thread_saw_first() {
        let label = bits(&[true, false]);
        let predicted = bits(&[true, false]);
        let mut one = Slices::new(&settings(10));
        let mut two = Slices::new(&settings(10));
        one.add(&[Arc::new(StringArray::from(vec!["a", "b"]))], &label, &predicted, None).unwrap();
        two.add(&[Arc::new(StringArray::from(vec!["b", "a"]))], &label, &predicted, None).unwrap();
        let [column] = one.merge(&two).unwrap().finish().try_into().unwrap();
        let a = column.slices.iter().find(|s| s.value == Value::Text("a".into())).unwrap();
        assert_eq!(a.counts, Counts { tp: 1, fp: 0, fn_: 0, tn: 1 });
    }

    #[test]
    fn more_values_than_the_limit_stop_with_the_column_and_the_count() {
        let label = bits(&[true, true, true]);
        let mut slices = Slices::new(&settings(2));
        let kinds: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "c"]));
        let err = slices.add(&[kinds], &label, &label, None).unwrap_err();
        assert_eq!(err, TooManyValues { column: "kind".into(), seen: 3, max: 2 });
    }

    #[test]
    fn values_beyond_64_bits_are_json_strings() {
        assert_eq!(Value::Int(-5).to_json(), serde_json::json!(-5));
        assert_eq!(Value::Int(u64::MAX.into()).to_json(), serde_json::json!(u64::MAX));
        assert_eq!(Value::Null.to_json(), serde_json::Value::Null);
        assert_eq!(Value::Text("x".into()).to_json(), serde_json::json!("x"));
    }
}
