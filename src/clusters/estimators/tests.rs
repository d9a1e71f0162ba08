//! The estimators against the examples in er-evaluation's docstrings.

use super::*;

/// The docstrings' prediction: records 1–8 in predicted entities
/// 1, 1, 2, 3, 2, 4, 4, 4 (numbered 0–3 here), with `sample` the sampled
/// records' true entities (numbered from 0), uniformly weighted.
fn estimates(sample: &[(usize, u32)]) -> Estimates {
    let predicted = [0u32, 0, 1, 2, 1, 3, 3, 3];
    let b = [2u64, 2, 1, 3];
    let mut cells: Vec<(u32, u32, u64)> = Vec::new();
    for &(record, t) in sample {
        let p = predicted[record - 1];
        match cells.iter_mut().find(|c| c.0 == t && c.1 == p) {
            Some(c) => c.2 += 1,
            None => cells.push((t, p, 1)),
        }
    }
    let entities = sample.iter().map(|s| s.1).max().unwrap() as usize + 1;
    estimate(&cells, &vec![Some(1.0); entities], &b)
}

fn close(e: Estimate, want: (f64, f64)) {
    let (value, std) = (e.value.unwrap(), e.std.unwrap());
    assert!((value - want.0).abs() < 1e-12, "{value} against {}", want.0);
    assert!((std - want.1).abs() < 1e-12, "{std} against {}", want.1);
}

#[test]
fn the_estimates_equal_er_evaluations_docstring_examples() {
    // sample = {1: c1, 2: c1, 3: c1, 4: c2, 5: c2, 8: c4}
    let a = estimates(&[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (8, 2)]);
    close(a.pairwise.precision, (0.3888888888888889, 0.2545875386086578));
    close(a.pairwise.recall, (0.296875, 0.10825317547305482));
    // sample = {1: c1, 2: c1, 3: c1, 4: c2, 5: c2}
    let b = estimates(&[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1)]);
    close(b.pairwise.f1, (0.4166666666666667, 0.16666666666666666));
    close(b.bcubed.precision, (0.7916666666666667, 0.0416666666666673));
    close(b.bcubed.recall, (0.5277777777777778, 0.027777777777778203));
    // Every record sampled: c1 c1 c1 c2 c2 c3 c3 c3.
    let c = estimates(&[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (6, 2), (7, 2), (8, 2)]);
    close(c.cluster.precision, (0.26171875, 0.23593232610221093));
    close(c.cluster.recall, (0.3333333333333333, 0.3333333333333333));
    close(c.cluster.f1, (0.29446064139941686, 0.2760765154789527));
    assert_eq!((c.entities, c.records, c.population_records, c.population_entities), (3, 8, 8, 4));
}

#[test]
fn an_undefined_deviation_says_why_and_the_value_stays_as_computed() {
    // One sampled entity: an estimate, no deviation.
    let one = estimates(&[(1, 0), (2, 0), (3, 0)]);
    assert_eq!(one.pairwise.recall.value, Some(1.0 / 3.0));
    assert_eq!(one.pairwise.recall.std, None);
    assert_eq!(one.pairwise.recall.undefined, Some(Undefined::OneEntity));
    // Entities of one record each, predicted apart: no pair to count, so
    // pairwise precision has no denominator and recall is 0 over 0 pairs.
    let singles = estimates(&[(4, 0), (3, 1)]);
    assert_eq!(singles.pairwise.recall.value, None);
    assert_eq!(singles.pairwise.recall.undefined, Some(Undefined::NearZero));
    // B-cubed F is the harmonic mean, without a deviation.
    let f = estimates(&[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1)]).bcubed;
    let (p, r) = (f.precision.value.unwrap(), f.recall.value.unwrap());
    assert_eq!(f.f1.value, Some(2.0 * p * r / (p + r)));
    assert_eq!(f.f1.undefined, Some(Undefined::NoEstimator));
}

#[test]
fn a_normal_interval_spans_z_deviations() {
    let a = estimates(&[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (8, 2)]);
    let i = a.pairwise.interval(Metric::Precision, 0.95).unwrap();
    let z = crate::stats::critical(0.95, None);
    assert!((i.lower - (7.0 / 18.0 - z * 0.2545875386086578)).abs() < 1e-12);
    assert!((i.upper - (7.0 / 18.0 + z * 0.2545875386086578)).abs() < 1e-12);
    assert!(a.pairwise.interval(Metric::F1, 0.95).is_some());
    let one = estimates(&[(1, 0), (2, 0), (3, 0)]);
    assert!(one.pairwise.interval(Metric::Recall, 0.95).is_none());
}
