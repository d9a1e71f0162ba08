//! The estimator against its definition, pair by pair, and the sizes file.

use super::*;
use crate::slices::{Slice, Value};

fn column(strata: &[(&str, Counts)]) -> SliceColumn {
    let slices = strata
        .iter()
        .map(|(v, counts)| Slice { value: Value::Text((*v).into()), counts: *counts })
        .collect();
    SliceColumn { column: "band".into(), slices }
}

/// Each labelled pair of a stratum as (y, x) for a metric.
fn pairs(m: Metric, c: &Counts) -> Vec<(f64, f64)> {
    let x = |in_denominator: bool| f64::from(u8::from(in_denominator));
    let mut out = Vec::new();
    out.extend((0..c.tp).map(|_| (1.0, 1.0)));
    out.extend((0..c.fp).map(|_| (0.0, x(m != Metric::Recall))));
    out.extend((0..c.fn_).map(|_| (0.0, x(m != Metric::Precision))));
    out.extend((0..c.tn).map(|_| (0.0, 0.0)));
    out
}

/// R and V computed from the pairs themselves, as the formula reads.
fn direct(m: Metric, strata: &[(&str, Counts)], sizes: &[(String, u64)]) -> (f64, f64) {
    let data: Vec<(f64, Vec<(f64, f64)>)> =
        strata.iter().zip(sizes).map(|((_, c), (_, big))| (*big as f64, pairs(m, c))).collect();
    let weighted = |f: &dyn Fn(&(f64, f64)) -> f64| -> f64 {
        data.iter().map(|(big, p)| big / p.len() as f64 * p.iter().map(f).sum::<f64>()).sum()
    };
    let (y, x) = (weighted(&|p| p.0), weighted(&|p| p.1));
    let r = y / x;
    let mut v = 0.0;
    for (big, p) in &data {
        let n = p.len() as f64;
        let z: Vec<f64> = p.iter().map(|(y, x)| y - r * x).collect();
        let mean = z.iter().sum::<f64>() / n;
        let s2 = z.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n - 1.0);
        v += big * big * (1.0 - n / big) * s2 / n;
    }
    (r, v / (x * x))
}

#[test]
fn the_estimate_and_its_variance_follow_the_definition_pair_by_pair() {
    let strata = [
        ("high", Counts { tp: 180, fp: 12, fn_: 9, tn: 3 }),
        ("mid", Counts { tp: 40, fp: 25, fn_: 30, tn: 60 }),
        ("low", Counts { tp: 2, fp: 7, fn_: 20, tn: 300 }),
    ];
    let sizes: Vec<(String, u64)> =
        [("high", 1_000u64), ("mid", 20_000), ("low", 900_000)].map(|(s, n)| (s.into(), n)).into();
    let got = estimate(&column(&strata), &sizes).unwrap();
    for m in Metric::ALL {
        let (r, v) = direct(m, &strata, &sizes);
        let e = got.metrics.get(m).unwrap();
        let value = if m == Metric::F1 { 2.0 * r / (1.0 + r) } else { r };
        assert!((e.estimate - value).abs() <= 1e-12, "{m:?}: {} vs {value}", e.estimate);
        assert!((e.variance - v).abs() <= 1e-9 * v, "{m:?}: {} vs {v}", e.variance);
        // The weighted matrix gives the same point value.
        let w = got.weighted.value(m).unwrap();
        assert!((w - value).abs() <= 1e-12, "{m:?}: {w} vs {value}");
    }
    // A census of every stratum has no sampling variance.
    let census: Vec<(String, u64)> =
        strata.iter().map(|(s, c)| ((*s).to_string(), c.rows())).collect();
    let got = estimate(&column(&strata), &census).unwrap();
    assert_eq!(got.metrics.precision.unwrap().variance, 0.0);
    assert_eq!(got.metrics.precision.unwrap().effective_pairs, 266.0);
}

#[test]
fn strata_must_match_the_sizes_and_fit_in_them() {
    let strata = [
        ("a", Counts { tp: 5, fp: 1, fn_: 1, tn: 3 }),
        ("b", Counts { tp: 1, ..Counts::default() }),
    ];
    let sizes = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(s, n)| ((*s).to_string(), *n)).collect()
    };
    let c = column(&strata);
    assert_eq!(estimate(&c, &sizes(&[("a", 100)])), Err(StrataProblem::NotInSizes("b".into())));
    assert_eq!(
        estimate(&c, &sizes(&[("a", 100), ("b", 1), ("c", 9)])),
        Err(StrataProblem::NotInData("c".into()))
    );
    assert!(matches!(
        estimate(&c, &sizes(&[("a", 9), ("b", 5)])),
        Err(StrataProblem::MoreThanPopulation { labelled: 10, population: 9, .. })
    ));
    assert_eq!(
        estimate(&c, &sizes(&[("a", 10), ("b", 5)])),
        Err(StrataProblem::Lonely("b".into()))
    );
    assert!(estimate(&c, &sizes(&[("a", 10), ("b", 1)])).is_ok());
}

#[test]
fn the_sizes_file_is_a_header_and_a_whole_number_a_stratum() {
    assert_eq!(
        parse_sizes("stratum,pairs\nhigh, 1000\nlow,5\n"),
        Ok(vec![("high".into(), 1000), ("low".into(), 5)])
    );
    for (text, says) in [
        ("band,pairs\nhigh,1\n", "line 1"),
        ("stratum,pairs\nhigh,1.5\n", "line 2: expected"),
        ("stratum,pairs\nhigh,0\n", "line 2: expected"),
        ("stratum,pairs\nhigh,1\nhigh,2\n", "line 3: a stratum listed twice"),
        ("stratum,pairs\n", "no stratum"),
        ("stratum,pairs\nhigh,1,2\n", "line 2"),
    ] {
        let err = parse_sizes(text).unwrap_err();
        assert!(err.contains(says), "{text:?}: {err}");
    }
}
