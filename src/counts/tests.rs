use super::rows::bin_slot;
use super::*;

fn read_text(text: &str, threshold: Option<f64>) -> Result<EngineCounts, CountsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.csv");
    std::fs::write(&path, text).unwrap();
    read(&path, threshold, &SliceSettings::default())
}

const HEADER: &str = "kind,dataset_version,threshold,slice_column,slice_value,tp,fp,fn,tn,skipped,label_null,decision_null,score_nan,bin,matches,non_matches\n";

#[test]
fn csv_and_json_rows_give_the_same_counts() {
    let csv = format!(
        "{HEADER}total,snap-42,0.5,,,3,1,2,4,1,1,0,0,,,\n\
         slice,,,kind,org,1,1,1,2,,,,,,,\n\
         slice,,,kind,,2,0,1,2,,,,,,,\n\
         score,,,,,,,,,,,,,499,2,1\n\
         score,,,,,,,,,,,,,500,3,1\n\
         score,,,,,,,,,,,,,-3,0,3\n"
    );
    let from_csv = read_text(&csv, Some(0.5)).unwrap();
    let json = r#"{"kind": "total", "dataset_version": "snap-42", "threshold": 0.5, "tp": 3, "fp": 1, "fn": 2, "tn": 4, "skipped": 1, "label_null": 1}
{"kind": "slice", "slice_column": "kind", "slice_value": "org", "tp": 1, "fp": 1, "fn": 1, "tn": 2}
{"kind": "slice", "slice_column": "kind", "slice_value": null, "tp": 2, "fp": 0, "fn": 1, "tn": 2}
{"kind": "score", "bin": 499, "matches": 2, "non_matches": 1}
{"kind": "score", "bin": 500, "matches": 3, "non_matches": 1}
{"kind": "score", "bin": -3, "matches": 0, "non_matches": 3}
"#;
    let from_json = read_text(json, Some(0.5)).unwrap();
    for counted in [&from_csv, &from_json] {
        assert_eq!(counted.dataset_version, "snap-42");
        assert_eq!(counted.tally.counts, Counts { tp: 3, fp: 1, fn_: 2, tn: 4 });
        assert_eq!((counted.tally.skipped.rows, counted.tally.skipped.label_null), (1, 1));
        let values: Vec<&Value> = counted.slices[0].slices.iter().map(|s| &s.value).collect();
        assert_eq!(values, [&Value::Null, &Value::Text("org".into())]);
        let points = counted.histogram.as_ref().unwrap().points();
        let at = |t: f64| points.iter().find(|p| p.threshold == t).unwrap().counts;
        assert_eq!(at(0.5), Counts { tp: 3, fp: 1, fn_: 2, tn: 4 });
        assert_eq!(at(0.499), Counts { tp: 5, fp: 2, fn_: 0, tn: 3 });
    }
}

#[test]
fn bins_past_one_follow_the_sweeps_grid() {
    // Log-odds: 12.34 is bin 12340, 9999 the highest, and the scores below
    // -9999 in their own bin; the total is counted at threshold 12.34.
    let csv = format!(
        "{HEADER}total,v1,12.34,,,3,1,2,4,,,,,,,\n\
         score,,,,,,,,,,,,,12340,1,1\n\
         score,,,,,,,,,,,,,9999000,2,0\n\
         score,,,,,,,,,,,,,-10000,1,1\n\
         score,,,,,,,,,,,,,-10000000,1,3\n"
    );
    let counted = read_text(&csv, Some(12.34)).unwrap();
    let points = counted.histogram.unwrap().points();
    let at = |t: f64| points.iter().find(|p| p.threshold == t).unwrap().counts;
    assert_eq!(at(12.34), Counts { tp: 3, fp: 1, fn_: 2, tn: 4 });
    assert_eq!(at(12.35), Counts { tp: 2, fp: 0, fn_: 3, tn: 5 });
    assert_eq!(at(-10.0), Counts { tp: 4, fp: 2, fn_: 1, tn: 3 });
    assert_eq!(at(-9999.0), Counts { tp: 4, fp: 2, fn_: 1, tn: 3 });
    // Every candidate's thousandths are a bin, and nothing between two.
    for (i, t) in crate::sweep::grid().iter().enumerate() {
        let thousandths = (t * 1000.0).round() as i64;
        assert_eq!(bin_slot(thousandths), Some(i + 1), "{t}");
        if (10.0..9999.0).contains(t) || *t < -10.0 {
            assert_eq!(bin_slot(thousandths + 1), None, "{t}");
        }
    }
}

#[test]
fn every_inconsistency_is_named() {
    let total = "total,v1,0.5,,,3,1,2,4,,,,,,,\n";
    let cases = [
        (HEADER.to_string(), "has 0 rows of kind `total`"),
        (format!("{HEADER}{total}{total}"), "has 2 rows of kind `total`"),
        (format!("{HEADER}total,,0.5,,,3,1,2,4,,,,,,,\n"), "expected the dataset_version"),
        (
            format!("{HEADER}total,v1,0.9,,,3,1,2,4,,,,,,,\n"),
            "counted at threshold 0.9, but decision_threshold is 0.5",
        ),
        (format!("{HEADER}{total}bogus,,,,,,,,,,,,,,,\n"), "row 2 (kind `bogus`): expected kind"),
        (format!("{HEADER}{total}score,,,,,1,,,,,,,,3,1,1\n"), "holds a field of another kind"),
        (
            format!("{HEADER}{total}score,,,,,,,,,,,,,10011,1,1\n"),
            "expected a bin: a candidate threshold of the sweep in thousandths",
        ),
        (
            format!("{HEADER}{total}score,,,,,,,,,,,,,-9999001,1,1\n"),
            "expected a bin: a candidate threshold of the sweep in thousandths",
        ),
        (
            format!("{HEADER}{total}score,,,,,,,,,,,,,500,5,1\n"),
            "the score rows' non_matches (every scored pair",
        ),
        (
            format!("{HEADER}{total}score,,,,,,,,,,,,,400,3,1\nscore,,,,,,,,,,,,,600,2,4\n"),
            "the score rows' matches at or above threshold 0.5 add up to 2, but the total row gives 3",
        ),
        (
            format!("{HEADER}{total}slice,,,kind,a,3,1,2,3,,,,,,,\n"),
            "the slices of `kind` add up to",
        ),
        (format!("{HEADER}{total}slice,,,,a,3,1,2,4,,,,,,,\n"), "expected the slice_column"),
        ("kind,tp,bogus\ntotal,1,2\n".to_string(), "cannot be read as CSV"),
        ("{\"kind\": \"total\", \"tp\": -1}\n".to_string(), "cannot be read as JSON"),
    ];
    for (text, needle) in cases {
        let err = read_text(&text, Some(0.5)).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle:?} not in {err:?}\n{text}");
    }
}

#[test]
fn slice_columns_pick_and_order_the_columns_and_max_slices_bounds_them() {
    let text = format!(
        "{HEADER}total,v1,,,,3,1,2,4,,,,,,,\n\
         slice,,,a,x,3,1,2,4,,,,,,,\n\
         slice,,,b,x,1,1,1,1,,,,,,,\nslice,,,b,y,2,0,1,3,,,,,,,\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    std::fs::write(&path, text).unwrap();
    let pick = |columns: &[&str], max_slices| {
        let columns = columns.iter().map(|c| c.to_string()).collect();
        read(&path, None, &SliceSettings { columns, max_slices, ..SliceSettings::default() })
    };
    let names = |c: EngineCounts| c.slices.into_iter().map(|s| s.column).collect::<Vec<_>>();
    assert_eq!(names(pick(&[], 10).unwrap()), ["a", "b"]);
    assert_eq!(names(pick(&["b"], 10).unwrap()), ["b"]);
    let err = pick(&["c"], 10).unwrap_err().to_string();
    assert!(
        err.contains(
            "no slice rows of column `c` (input `slice_columns`); it has slices of: `a`, `b`"
        ),
        "{err}"
    );
    let err = pick(&["b"], 1).unwrap_err().to_string();
    assert!(err.contains("slice column `b` has 2 values, more than max_slices (1)"), "{err}");
}

#[test]
fn a_spark_output_folder_is_read_part_by_part() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("counts.json");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("_SUCCESS"), "").unwrap();
    std::fs::write(folder.join(".part-0.json.crc"), "x").unwrap();
    std::fs::write(
        folder.join("part-00000.json"),
        "{\"kind\":\"total\",\"dataset_version\":\"t@1\",\"tp\":1,\"fp\":0,\"fn\":0,\"tn\":1}\n",
    )
    .unwrap();
    std::fs::write(folder.join("part-00001.json"), "{\"kind\":\"slice\",\"slice_column\":\"s\",\"slice_value\":\"v\",\"tp\":1,\"fp\":0,\"fn\":0,\"tn\":1}\n").unwrap();
    let counted = read(&folder, None, &SliceSettings::default()).unwrap();
    assert_eq!(counted.slices.len(), 1);
}

#[test]
fn counts_past_any_real_data_are_refused_by_row_never_a_panic() {
    let max = u64::MAX;
    let problem = |text: &str| read_text(text, Some(0.5)).unwrap_err().to_string();
    // A total whose sums or the metrics' products would overflow.
    let err = problem(&format!("{HEADER}total,v1,0.5,,,{max},0,1,0,,,,,,,\n"));
    assert!(err.contains("row 1 (kind `total`)") && err.contains("at most 2^60"), "{err}");
    let err = problem(&format!("{HEADER}total,v1,0.5,,,1,1,1,1,{max},{max},{max},{max},,,\n"));
    assert!(err.contains("row 1 (kind `total`)") && err.contains("at most 2^60"), "{err}");
    let err = problem(&format!("{HEADER}total,v1,0.5,,,1,1,1,1,3,{max},{max},{max},,,\n"));
    assert!(err.contains("row 1 (kind `total`)") && err.contains("at least each of"), "{err}");
    // Slices and bins whose sums pass 2^64: they do not add up to the total.
    let err = problem(&format!(
        "{HEADER}total,v1,0.5,,,1,1,1,1,,,,,,,\n\
         slice,,,kind,a,{max},1,1,1,,,,,,,\nslice,,,kind,b,{max},0,0,0,,,,,,,\n"
    ));
    assert!(err.contains(&format!("add up to TP {}", 2 * u128::from(max))), "{err}");
    let err = problem(&format!(
        "{HEADER}total,v1,0.5,,,1,1,1,1,,,,,,,\n\
         score,,,,,,,,,,,,,500,{max},0\nscore,,,,,,,,,,,,,100,{max},2\n"
    ));
    assert!(err.contains(&format!("add up to {}", 2 * u128::from(max))), "{err}");
}
