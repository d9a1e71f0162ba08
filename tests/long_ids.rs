//! Ids too long to pack (36-character UUIDs), plain or dictionary-encoded,
//! score exactly as the integers they stand for: the same clustering, the
//! same slices and name rates, in a file of many row groups (read on every
//! core, the threads' tables merged).

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
    Uuids,
    /// UUIDs, the entity and name columns dictionary-encoded.
    Dictionaries,
}

/// `kind`'s id `n` as a UUID-shaped string of 36 characters.
fn uuid(kind: u32, n: u64) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// The column of ids `values` (of kind `kind`), as `ids` writes it.
fn column(ids: Ids, kind: u32, values: &[u64], entity: bool) -> ArrayRef {
    let text: Vec<String> = values.iter().map(|&n| uuid(kind, n)).collect();
    match ids {
        Ids::Integers => col(Int64Array::from_iter_values(values.iter().map(|&n| n as i64))),
        Ids::Dictionaries if entity => {
            let array: DictionaryArray<Int32Type> = text.iter().map(String::as_str).collect();
            Arc::new(array) as ArrayRef
        }
        _ => col(StringArray::from(text)),
    }
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
    assert_eq!(report(Ids::Uuids), integers);
    assert_eq!(report(Ids::Dictionaries), integers);
}
