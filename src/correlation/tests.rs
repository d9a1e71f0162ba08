use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, StringArray};
use arrow_buffer::BooleanBuffer;

use super::*;
use crate::metrics::Metric;

/// One pair: its ids (`None`: null), label, prediction and weight.
type Pair = (Option<i64>, Option<i64>, bool, bool, f64);

/// The variance straight from its definition, over every two pairs: the
/// cross-product of their residuals when they share a cluster (one
/// column) or a record (two), a pair with itself once.
fn direct(pairs: &[Pair], dyadic: bool, metric: Metric) -> (f64, u64) {
    let n_of = |p: &Pair| match metric {
        Metric::Precision => p.3,
        Metric::Recall => p.2,
        Metric::F1 => p.2 || p.3,
    };
    let kept: Vec<&Pair> = pairs.iter().filter(|p| dyadic || n_of(p)).collect();
    let n: f64 = kept.iter().filter(|p| n_of(p)).map(|p| p.4).sum();
    let k: f64 = kept.iter().filter(|p| p.2 && p.3).map(|p| p.4).sum();
    let q = k / n;
    let e = |p: &Pair| p.4 * (f64::from(u8::from(p.2 && p.3)) - q * f64::from(u8::from(n_of(p))));
    let e = |p: &Pair| e(p) / n;
    let ids = |p: &Pair| if dyadic { vec![p.0, p.1] } else { vec![p.0] };
    let shared = |a: &Pair, b: &Pair| ids(a).iter().any(|x| x.is_some() && ids(b).contains(x));
    let mut sum = 0.0;
    for (i, a) in kept.iter().enumerate() {
        for (j, b) in kept.iter().enumerate() {
            if i == j || shared(a, b) {
                sum += e(a) * e(b);
            }
        }
    }
    let mut distinct: Vec<i64> = kept.iter().flat_map(|p| ids(p)).flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let nulls = kept.iter().flat_map(|p| ids(p)).filter(Option::is_none).count();
    let g = (distinct.len() + nulls) as f64;
    (g / (g - 1.0) * sum, g as u64)
}

/// Folds `pairs` in batches of `batch`, one thread per two batches, the
/// way the reader does, and gives their sums.
fn folded(pairs: &[Pair], dyadic: bool, weighted: bool, batch: usize) -> Sums {
    let columns = if dyadic { vec!["l".into(), "r".into()] } else { vec!["l".into()] };
    let mut threads =
        vec![Correlated::new(columns.clone(), false), Correlated::new(columns, false)];
    for (b, chunk) in pairs.chunks(batch).enumerate() {
        // Ids as text for even batch sizes, as integers for odd ones.
        let column = |side: fn(&Pair) -> Option<i64>| -> ArrayRef {
            if batch.is_multiple_of(2) {
                let text: Vec<Option<String>> =
                    chunk.iter().map(|p| side(p).map(|v| v.to_string())).collect();
                Arc::new(StringArray::from(text))
            } else {
                Arc::new(Int64Array::from(chunk.iter().map(side).collect::<Vec<_>>()))
            }
        };
        let (left, right) = (column(|p| p.0), column(|p| p.1));
        let label = BooleanBuffer::from_iter(chunk.iter().map(|p| p.2));
        let predicted = BooleanBuffer::from_iter(chunk.iter().map(|p| p.3));
        let weights: Vec<f64> = chunk.iter().map(|p| p.4).collect();
        let arrays = if dyadic { vec![left, right] } else { vec![left] };
        let w = weighted.then_some(weights.as_slice());
        threads[b % 2].add(
            &arrays,
            Bits { label: &label, predicted: &predicted, previous: None },
            w,
            None,
        );
    }
    let [a, b] = <[Correlated; 2]>::try_from(threads).unwrap();
    a.merge(&b).finish(weighted)
}

/// Pairs among 40 records in blocks of 8, some ids null, some pairs a
/// record with itself.
fn pairs(seed: u64, weighted: bool) -> Vec<Pair> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        state >> 33
    };
    let mut out = Vec::new();
    for i in 0..400 {
        let block = (next() % 5) as i64 * 8;
        let l = block + (next() % 8) as i64;
        let r = if i % 37 == 0 { l } else { block + (next() % 8) as i64 };
        let null = |v: i64, x: u64| (!x.is_multiple_of(23)).then_some(v);
        let difficulty = (l % 8) as u64;
        let label = next() % 10 < 3 + difficulty;
        let predicted = if next() % 4 == 0 { !label } else { label };
        let w = if weighted { 0.5 + (next() % 7) as f64 } else { 1.0 };
        out.push((null(l, next()), null(r, next()), label, predicted, w));
    }
    // No pair twice: a pair of two records listed twice shares both.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| p.0.is_none() || p.1.is_none() || seen.insert((p.0.min(p.1), p.0.max(p.1))));
    out
}

#[test]
fn the_variance_equals_its_definition_pair_by_pair() {
    for weighted in [false, true] {
        for dyadic in [false, true] {
            for seed in 1..6 {
                let pairs = pairs(seed, weighted);
                let sums = folded(&pairs, dyadic, weighted, 37);
                for metric in Metric::ALL {
                    let (variance, g) = direct(&pairs, dyadic, metric);
                    let design = sums.design(metric, 1_000_000, f64::INFINITY).unwrap();
                    assert_eq!(design.clusters, g, "{metric:?} dyadic {dyadic}");
                    let (p, n, _) = sums.spread(metric);
                    let expected = p * (1.0 - p) / variance;
                    let got = design.effective_pairs;
                    assert!(
                        (got - expected).abs() <= 1e-9 * expected,
                        "{metric:?} weighted {weighted} dyadic {dyadic} seed {seed}: {got} vs {expected} (n {n})"
                    );
                }
            }
        }
    }
}

#[test]
fn exact_and_floating_sums_agree_and_any_batching_gives_the_same_bits() {
    let pairs = pairs(9, false);
    for dyadic in [false, true] {
        let one = folded(&pairs, dyadic, false, 400);
        for batch in [1, 7, 64] {
            let other = folded(&pairs, dyadic, false, batch);
            for metric in Metric::ALL {
                let (a, b) = (one.spread(metric), other.spread(metric));
                assert_eq!(a.2.to_bits(), b.2.to_bits(), "{metric:?} batch {batch}");
            }
        }
        let floating = Sums { weighted: true, ..one.clone() };
        for metric in Metric::ALL {
            let (exact, float) = (one.spread(metric).2, floating.spread(metric).2);
            assert!((exact - float).abs() <= 1e-9 * exact, "{metric:?}: {exact} {float}");
        }
    }
}

#[test]
fn independent_pairs_are_worth_their_number_and_one_cluster_is_worth_one() {
    // Every pair its own cluster: V = G/(G−1) p(1−p)/n, so n_eff = n(G−1)/G.
    let pairs: Vec<Pair> = (0..100).map(|i| (Some(i), None, i % 3 != 0, true, 1.0)).collect();
    let design = folded(&pairs, false, false, 10).design(Metric::Precision, 100, 100.0).unwrap();
    assert_eq!(design.clusters, 100);
    assert!((design.effective_pairs - 99.0).abs() < 1e-9, "{design:?}");
    // The cap: never worth more than the pairs themselves.
    assert!(design.design_effect >= 1.0);
    let one: Vec<Pair> = (0..50).map(|i| (Some(7), None, i % 3 != 0, true, 1.0)).collect();
    let design = folded(&one, false, false, 10).design(Metric::Precision, 50, 50.0).unwrap();
    assert_eq!((design.clusters, design.effective_pairs, design.design_effect), (1, 1.0, 50.0));
    // Whole clusters of identical pairs: 10 clusters of 10 are worth 9.
    let blocks: Vec<Pair> =
        (0..100).map(|i| (Some(i / 10), None, i / 10 % 2 == 0, true, 1.0)).collect();
    let design = folded(&blocks, false, false, 10).design(Metric::Precision, 100, 100.0).unwrap();
    assert!((design.effective_pairs - 9.0).abs() < 1e-9, "{design:?}");
}
