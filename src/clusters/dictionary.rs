//! A dictionary-encoded id column read by its indices: each entry of the
//! dictionary is keyed (and numbered, when long) once, when a row first
//! uses it, for every batch that shares the dictionary; a row takes its
//! entry's key, so no row's bytes are hashed.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};

use super::Numbering;
use super::ids::key;
use crate::dataset::values::key_column;

/// One column's dictionary, as last keyed by a reading thread.
#[derive(Debug)]
pub(crate) struct Keyed {
    /// Held, so that no other dictionary takes its place in memory while
    /// its keys are kept.
    values: ArrayRef,
    /// Each entry's key, once a row has used it.
    keys: Vec<u128>,
    /// Per entry: not keyed yet, keyed, or null.
    state: Vec<State>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Unused,
    Keyed,
    Null,
}

/// Each row's key (`None` when null) when `array` is a dictionary, keying
/// the entries it uses in `long` unless `last` holds them already.
pub(crate) fn row_keys(
    array: &dyn Array,
    last: &mut Option<Keyed>,
    long: &Numbering,
) -> Option<Vec<Option<u128>>> {
    let dictionary = array.as_any_dictionary_opt()?;
    let values = dictionary.values();
    // Batches of one column chunk share its dictionary's buffers (each in
    // an array of its own).
    let same =
        |k: &Keyed| Arc::ptr_eq(&k.values, values) || k.values.to_data().ptr_eq(&values.to_data());
    if !last.as_ref().is_some_and(same) {
        let (keys, state) = (vec![0; values.len()], vec![State::Unused; values.len()]);
        *last = Some(Keyed { values: Arc::clone(values), keys, state });
    }
    let keyed = last.as_mut().expect("set above");
    let nulls = array.logical_nulls();
    let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
    let indices = dictionary.normalized_keys();
    // The entries this batch is the first to use.
    let mut new = Vec::new();
    for (i, &j) in indices.iter().enumerate() {
        if valid(i) && keyed.state.get(j) == Some(&State::Unused) {
            keyed.state[j] = State::Null;
            new.push(j);
        }
    }
    // In the dictionary's order: its bytes are read front to back.
    new.sort_unstable();
    let column = key_column(values.as_ref());
    let entries: Vec<_> = new.iter().map(|&j| key(&column, j)).collect();
    for (j, k) in new.into_iter().zip(long.number_now(&entries)) {
        if let Some(k) = k {
            (keyed.keys[j], keyed.state[j]) = (k, State::Keyed);
        }
    }
    let row = |(i, &j): (usize, &usize)| {
        // A key past the dictionary (a damaged file) reads as a null id.
        (valid(i) && keyed.state.get(j) == Some(&State::Keyed)).then(|| keyed.keys[j])
    };
    Some(indices.iter().enumerate().map(row).collect())
}
