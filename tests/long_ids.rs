//! Ids too long to pack whole, plain or dictionary-encoded, score exactly
//! as the integers they stand for: canonical UUIDs (packed by their bits)
//! and other strings of 36 characters (numbered), alone or mixed in one
//! column; the same clustering, the same slices and name rates, in a file
//! of many row groups (read on every core, the threads' tables merged).

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray};
use parquet::file::properties::WriterProperties;

use crate::util::{Gate, col, write_batch_with};

/// Records, in row groups of this many.
const GROUP: usize = 700;

/// How an id is written.
#[derive(Clone, Copy)]
enum Ids {
    Integers,
    /// Strings of 36 characters, the entity and name columns
    /// dictionary-encoded when `dictionary`.
    Text {
        form: Form,
        dictionary: bool,
    },
}

/// Which strings of 36 characters.
#[derive(Clone, Copy)]
enum Form {
    /// Canonical version-4 UUIDs.
    Uuids,
    /// The same in uppercase: not canonical, so numbered as long ids.
    Uppercase,
    /// Every other id canonical, the others uppercase.
    Mixed,
}

/// `kind`'s id `n` as a UUID-shaped string of 36 characters, in `form`.
fn text(form: Form, kind: u32, n: u64) -> String {
    let id = format!("{kind:08x}-0000-4000-a000-{n:012x}");
    match form {
        Form::Uuids => id,
        Form::Mixed if n.is_multiple_of(2) => id,
        Form::Uppercase | Form::Mixed => id.to_uppercase(),
    }
}

/// The column of ids `values` (of kind `kind`), as `ids` writes it.
fn column(ids: Ids, kind: u32, values: &[u64], entity: bool) -> ArrayRef {
    let Ids::Text { form, dictionary } = ids else {
        return col(Int64Array::from_iter_values(values.iter().map(|&n| n as i64)));
    };
    let text: Vec<String> = values.iter().map(|&n| text(form, kind, n)).collect();
    if dictionary && entity {
        let array: DictionaryArray<Int32Type> = text.iter().map(String::as_str).collect();
        return Arc::new(array) as ArrayRef;
    }
    col(StringArray::from(text))
}

/// The report of a run on 5,000 records: true entities of 1 to 7 records,
/// predicted with some merged, some split; a slice column and a name.
fn report(ids: Ids) -> serde_json::Value {
    let n = 5_000u64;
    let truth: Vec<u64> = (0..n).map(|i| i / 4 + (i % 7) * 1_000).collect();
    let predicted: Vec<u64> = truth
        .iter()
        .enumerate()
        .map(|(i, &t)| match t % 10 {
            0 => t / 3,                       // merged with others
            1 => t + (i as u64 % 2) * 50_000, // split in two
            _ => t,
        })
        .collect();
    let names: Vec<u64> = truth.iter().map(|t| t % 311).collect();
    let record: Vec<u64> = (0..n).map(|i| i * 7_919 % n).collect();
    let source: Vec<&str> = (0..n).map(|i| ["crm", "web", "partner"][i as usize % 3]).collect();
    let batch = RecordBatch::try_from_iter([
        ("record_id", column(ids, 1, &record, false)),
        ("true_entity_id", column(ids, 2, &truth, true)),
        ("predicted_entity_id", column(ids, 3, &predicted, true)),
        ("name", column(ids, 4, &names, true)),
        ("source", col(StringArray::from(source))),
    ])
    .unwrap();
    let gate = Gate::new()
        .input("validation_set", "c.parquet")
        .input("mode", "clusters")
        .input("slice_columns", "source")
        .input("name_column", "name")
        .input("report_json", "r.json")
        .any_metric();
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(GROUP)).build();
    write_batch_with(&gate.path("c.parquet"), &batch, props);
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let mut report = ran.json("r.json")["clusters"].clone();
    report.as_object_mut().unwrap().remove("settings");
    report
}

#[test]
fn long_ids_plain_or_dictionary_encoded_score_as_the_integers_they_stand_for() {
    let integers = report(Ids::Integers);
    assert!(integers["counts"]["cells"].as_u64().unwrap() > 1_000, "{integers}");
    for form in [Form::Uuids, Form::Uppercase, Form::Mixed] {
        for dictionary in [false, true] {
            assert_eq!(report(Ids::Text { form, dictionary }), integers);
        }
    }
}
