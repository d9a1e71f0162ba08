//! `slice_columns`: each value's counts in the same pass, the slices too
//! small to judge, the limitations they write, and the columns a gate
//! refuses.

use crate::util::Gate;

const ALL: &str = "entity_type,source,batch,is_new";

fn sliced(columns: &str) -> Gate {
    Gate::with_fixture("slices.parquet")
        .input("slice_columns", columns)
        .input("report_json", "r.json")
        .any_metric()
}

#[test]
fn each_value_gets_its_counts_and_the_rare_ones_are_not_judged() {
    let ran = sliced(ALL).input("model_card", "card.md").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    let columns = report["slices"]["columns"].as_array().unwrap();
    let names: Vec<&str> = columns.iter().map(|c| c["column"].as_str().unwrap()).collect();
    assert_eq!(names, ["entity_type", "source", "batch", "is_new"]);
    // Every pair is in exactly one slice of each column.
    for column in columns {
        let mut sum = [0u64; 4];
        for slice in column["slices"].as_array().unwrap() {
            for (i, k) in ["tp", "fp", "fn", "tn"].iter().enumerate() {
                sum[i] += slice["counts"][k].as_u64().unwrap();
            }
        }
        let overall = ["tp", "fp", "fn", "tn"].map(|k| report["counts"][k].as_u64().unwrap());
        assert_eq!(sum, overall, "{}", column["column"]);
    }
    let entity = &columns[0]["slices"];
    assert_eq!(entity[0]["value"], "organization", "worst first");
    // Recall 11.5 pp below overall is beyond noise; F1 6.6 pp below is
    // within it of the 5 pp gap.
    assert_eq!(entity[0]["flagged"], serde_json::json!(["recall"]));
    // Holm's family: every metric of every evaluated slice of every column.
    let evaluated = columns
        .iter()
        .flat_map(|c| c["slices"].as_array().unwrap())
        .filter(|s| s["evaluated"] == true)
        .count();
    assert_eq!(report["slices"]["tested"], 3 * evaluated);
    let vessel = entity.as_array().unwrap().iter().find(|s| s["value"] == "vessel").unwrap();
    assert_eq!(vessel["evaluated"], false);
    assert!(ran.summary.contains("| `vessel` | 9 |"), "{}", ran.summary);
    assert!(ran.summary.contains("— not evaluated: 9 true matches, below 30"));
    assert!(ran.summary.contains("| *(null)* |"), "nulls are a slice of their own");
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(
        card.contains("- Recall on `entity_type = organization` is 76.5% (459 true matches), 11.5 pp below overall. *(derived from the data)*"),
        "{card}"
    );
    assert!(card.contains(
        "- Not evaluated on `entity_type = vessel`: 9 true matches, below the minimum of 30. *(derived from the data)*"
    ));
    assert!(card.contains("- Not evaluated on `batch is null`: 29 true matches"));
}

#[test]
fn support_and_the_flagging_gap_are_inputs() {
    let ran = sliced("entity_type")
        .input("min_slice_support", "5")
        .input("slice_limitation_gap", "0.2")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    let slices = report["slices"]["columns"][0]["slices"].as_array().unwrap();
    assert!(slices.iter().all(|s| s["evaluated"] == true));
    assert!(slices.iter().all(|s| s["flagged"].as_array().unwrap().is_empty()));
}

#[test]
fn without_slice_columns_the_report_has_no_slices() {
    let ran =
        Gate::with_fixture("slices.parquet").input("report_json", "r.json").any_metric().run();
    assert!(ran.json("r.json").get("slices").is_none());
    assert!(!ran.summary.contains("### Slices"));
}

#[test]
fn a_column_with_too_many_values_stops_naming_it() {
    sliced("batch").input("max_slices", "3").run().assert_cannot_evaluate(
        "slice column `batch` of `slices.parquet` has more than 3 distinct values",
    );
}

#[test]
fn slice_columns_must_exist_and_be_strings_booleans_or_integers() {
    sliced("entity_type,region")
        .run()
        .assert_cannot_evaluate("no column `region` (input `slice_columns`)");
    sliced("score")
        .run()
        .assert_cannot_evaluate("column `score` of `slices.parquet` has type Float64");
    sliced("source,source").run().assert_cannot_evaluate("input `slice_columns`");
    sliced("entity_type")
        .input("max_slices", "0")
        .run()
        .assert_cannot_evaluate("input `max_slices`");
}

/// Slices of a joined predictions file: the labelled pairs carry the slice
/// columns, the predictions (in another order, with pairs nobody labelled)
/// the scores. Every slice counts what the same pairs count in one file.
#[test]
fn slices_of_a_joined_predictions_file_count_as_in_one_file() {
    use arrow_array::{Array, Float64Array, Int64Array, UInt32Array};
    let all = crate::util::read_parquet(&crate::util::fixture("slices.parquet"));
    let n = all.num_rows();
    let column = |name: &str| all.column_by_name(name).unwrap().clone();
    // Labelled pairs last row first; predictions in a stride order, with
    // 500 pairs nobody labelled among them.
    let reversed = UInt32Array::from_iter_values((0..n as u32).rev());
    let take =
        |c: &str, order: &UInt32Array| arrow_select::take::take(&column(c), order, None).unwrap();
    let mut labelled =
        vec![("pair_id", crate::util::col(Int64Array::from_iter_values((0..n as i64).rev())))];
    for c in ["entity_type", "source", "batch", "is_new", "label"] {
        labelled.push((c, take(c, &reversed)));
    }
    let order: Vec<u32> = (0..n as u32).map(|i| (i * 7 + 3) % n as u32).collect();
    let scores = take("score", &UInt32Array::from(order.clone()));
    let scores = scores.as_any().downcast_ref::<Float64Array>().unwrap();
    let ids = order.iter().map(|i| i64::from(*i)).chain((0..500).map(|i| 1_000_000 + i));
    let extra = (0..500).map(|i| f64::from(i) / 500.0);
    let predicted = vec![
        ("pair_id", crate::util::col(Int64Array::from_iter_values(ids))),
        (
            "score",
            crate::util::col(Float64Array::from_iter_values(
                scores.values().iter().copied().chain(extra),
            )),
        ),
    ];
    let joined = Gate::new()
        .input("validation_set", "labelled.parquet")
        .input("predictions", "predictions.parquet")
        .input("key_columns", "pair_id")
        .input("slice_columns", ALL)
        .input("report_json", "r.json")
        .any_metric();
    crate::util::write_parquet(&joined.path("labelled.parquet"), labelled);
    crate::util::write_parquet(&joined.path("predictions.parquet"), predicted);
    let (joined, one_file) = (joined.run(), sliced(ALL).run());
    assert_eq!((joined.code, one_file.code), (0, 0), "{joined:#?}");
    let by_value = |ran: &crate::util::Ran| {
        let report = ran.json("r.json");
        let mut slices: Vec<(String, String, serde_json::Value)> = Vec::new();
        for c in report["slices"]["columns"].as_array().unwrap() {
            for s in c["slices"].as_array().unwrap() {
                slices.push((c["column"].to_string(), s["value"].to_string(), s["counts"].clone()));
            }
        }
        slices.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        (report["counts"].clone(), slices)
    };
    let (counts, slices) = by_value(&joined);
    assert_eq!((counts, slices.clone()), by_value(&one_file));
    assert!(slices.len() > 10, "{slices:?}");
    assert_eq!(joined.json("r.json")["predictions"]["unlabelled"], 500);
}

#[cfg(feature = "external-tests")]
#[test]
fn per_slice_counts_and_intervals_equal_pandas_and_statsmodels() {
    let mut flags = 0;
    for threshold in ["0.5", "0.3"] {
        let gate = sliced(ALL)
            .input("decision_threshold", threshold)
            .input("confidence", "0.9")
            .input("cluster_by", "none");
        let file = crate::util::fixture("slices.parquet");
        let mut args = vec![file.into_os_string(), threshold.into(), "0.9".into()];
        args.extend(ALL.split(',').map(Into::into));
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let expected = Gate::python("slices_oracle.py", &args, "pandas and statsmodels");
        let ran = gate.run();
        assert_eq!(ran.code, 0, "{ran:#?}");
        let report = ran.json("r.json");
        assert_eq!(report["slices"]["tested"], expected["tested"]);
        for (name, key, slice, want) in beside_oracle(&report, &expected) {
            assert_eq!(slice["counts"], want["counts"], "{name} = {key} at {threshold}");
            assert_eq!(slice["flagged"], want["flagged"], "{name} = {key} at {threshold}");
            flags += slice["flagged"].as_array().unwrap().len();
            for metric in ["precision", "recall"] {
                let (i, w) = (&slice["intervals"][metric], &want["intervals"][metric]);
                for (bound, at) in [("lower", 0), ("upper", 1)] {
                    let (a, b) = (i[bound].as_f64().unwrap(), w[at].as_f64().unwrap());
                    assert!((a - b).abs() <= 1e-12, "{name} = {key} {metric} {bound}: {a} vs {b}");
                }
            }
        }
    }
    assert!(flags > 0, "the fixture has slices far below overall");
}

/// Each slice of the report's columns beside the oracle's group of the same
/// column and value (`tests/slices_oracle.py`), once both are checked to
/// have the same values: (column, value, ours, theirs).
#[cfg(feature = "external-tests")]
fn beside_oracle<'a>(
    report: &'a serde_json::Value,
    expected: &'a serde_json::Value,
) -> Vec<(&'a str, String, &'a serde_json::Value, &'a serde_json::Value)> {
    let mut pairs = Vec::new();
    for column in report["slices"]["columns"].as_array().unwrap() {
        let name = column["column"].as_str().unwrap();
        let theirs = expected[name].as_object().unwrap();
        assert_ne!(name, "tested", "a column named like the oracle's count");
        let ours = column["slices"].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{name}: the same values");
        for slice in ours {
            let key = slice["value"].to_string();
            pairs.push((name, key.clone(), slice, &theirs[&key]));
        }
    }
    pairs
}

/// Dictionary columns with one-byte keys, as pyarrow and pandas write a
/// categorical of few values (`int8` keys, and `uint8`), with null keys and
/// a last batch shorter than 64 rows: counted as pandas counts them.
#[cfg(feature = "external-tests")]
#[test]
fn one_byte_dictionary_keys_count_as_pandas_counts() {
    use std::sync::Arc;

    use arrow_array::types::{Int8Type, UInt8Type};
    use arrow_array::{BooleanArray, DictionaryArray, Float64Array, StringArray};

    use crate::util::{col, write_parquet};
    let n = 70_000 + 37;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let rows: Vec<[u64; 4]> = (0..n).map(|_| [next(), next(), next(), next()]).collect();
    let kinds = StringArray::from(vec!["a", "b", "c", "d", "e", "f", "g", "h"]);
    let kind: Vec<Option<i8>> =
        rows.iter().map(|r| (r[0] % 50 != 0).then_some((r[0] % 8) as i8)).collect();
    let tiers = StringArray::from(vec!["gold", "silver", "bronze"]);
    let tier: Vec<Option<u8>> = rows.iter().map(|r| Some((r[1] % 3) as u8)).collect();
    let gate = Gate::new()
        .input("validation_set", "v.parquet")
        .input("slice_columns", "kind,tier")
        .input("min_slice_support", "1")
        .input("report_json", "r.json")
        .any_metric();
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from_iter(rows.iter().map(|r| Some(r[2] % 4 == 0))))),
            (
                "score",
                col(Float64Array::from_iter_values(
                    rows.iter().map(|r| (r[3] % 1000) as f64 / 1000.0),
                )),
            ),
            (
                "kind",
                col(DictionaryArray::<Int8Type>::try_new(kind.into(), Arc::new(kinds)).unwrap()),
            ),
            (
                "tier",
                col(DictionaryArray::<UInt8Type>::try_new(tier.into(), Arc::new(tiers)).unwrap()),
            ),
        ],
    );
    let file = gate.path("v.parquet").into_os_string();
    let args: Vec<&std::ffi::OsStr> =
        vec![&file, "0.5".as_ref(), "0.9".as_ref(), "kind".as_ref(), "tier".as_ref()];
    let expected = Gate::python("slices_oracle.py", &args, "pandas and statsmodels");
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let report = ran.json("r.json");
    for (name, key, slice, want) in beside_oracle(&report, &expected) {
        assert_eq!(slice["counts"], want["counts"], "{name} = {key}");
    }
    assert_eq!(expected["kind"].as_object().unwrap().len(), 9, "eight values and null");
}

#[test]
fn prometheus_gets_the_fifty_largest_evaluated_slices_of_a_column() {
    use arrow_array::{BooleanArray, Float64Array, Int64Array};

    use crate::util::{col, write_parquet};
    // 60 values; value v has v + 1 true matches, all predicted.
    let groups: Vec<i64> = (0..60).flat_map(|v| std::iter::repeat_n(v, v as usize + 1)).collect();
    let n = groups.len();
    let gate = Gate::new()
        .input("validation_set", "v.parquet")
        .input("slice_columns", "group")
        .input("min_slice_support", "1")
        .input("metrics_file", "gate.prom")
        .any_metric();
    write_parquet(
        &gate.path("v.parquet"),
        vec![
            ("label", col(BooleanArray::from(vec![true; n]))),
            ("score", col(Float64Array::from(vec![0.9; n]))),
            ("group", col(Int64Array::from(groups))),
        ],
    );
    let ran = gate.run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let prom = std::fs::read_to_string(ran.dir.join("gate.prom")).unwrap();
    let series: Vec<&str> =
        prom.lines().filter(|l| l.starts_with("er_gate_slice_recall{")).collect();
    assert_eq!(series.len(), 50);
    assert!(series.iter().any(|l| l.contains("slice_value=\"59\"")));
    assert!(!series.iter().any(|l| l.contains("slice_value=\"9\"")), "the smallest are left out");
    assert!(ran.stdout.contains("50 of 60 evaluated slices of `group` get er_gate_slice_* series"));
}
