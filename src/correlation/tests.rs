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
    folded_sliced(pairs, dyadic, weighted, batch).0
}

/// A pair's slice: one of three, or null.
fn slice_of(p: &Pair) -> Option<String> {
    let key = p.0.unwrap_or(3) + i64::from(p.3) * 2;
    (key % 7 != 0).then(|| format!("s{}", key % 3))
}

/// [`folded`], with a slice column ([`slice_of`]) whose values get sums
/// of their own.
fn folded_sliced(
    pairs: &[Pair],
    dyadic: bool,
    weighted: bool,
    batch: usize,
) -> (Sums, Vec<Vec<(Value, Sums)>>) {
    let columns = if dyadic { vec!["l".into(), "r".into()] } else { vec!["l".into()] };
    let mut threads =
        vec![Correlated::new(columns.clone(), false, 1), Correlated::new(columns, false, 1)];
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
        let slice: ArrayRef = Arc::new(StringArray::from_iter(chunk.iter().map(slice_of)));
        threads[b % 2].add(
            &arrays,
            &[slice],
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

/// Each slice's sums give the variance of its pairs alone, counted (its
/// pairs unweighted, as slices count them), whatever the batching.
#[test]
fn a_slice_sums_its_own_pairs_variance() {
    for dyadic in [false, true] {
        for seed in 1..4 {
            let pairs = pairs(seed, true);
            let [column] = folded_sliced(&pairs, dyadic, true, 29).1.try_into().unwrap();
            assert_eq!(column.len(), 4, "three slices and the nulls'");
            for (value, sums) in &column {
                let text = match value {
                    Value::Text(t) => Some(t.to_string()),
                    _ => None,
                };
                let mine: Vec<Pair> = pairs
                    .iter()
                    .filter(|p| slice_of(p) == text)
                    .map(|p| (p.0, p.1, p.2, p.3, 1.0))
                    .collect();
                for metric in Metric::ALL {
                    let design = sums.counted_designs().metrics.get(metric);
                    let pairs = mine.iter().filter(|p| match metric {
                        Metric::Precision => p.3,
                        Metric::Recall => p.2,
                        Metric::F1 => p.2 || p.3,
                    });
                    let (n, tp) = (pairs.clone().count(), pairs.filter(|p| p.2 && p.3).count());
                    let Some(design) = design else {
                        assert_eq!(n, 0, "{value:?} {metric:?}");
                        continue;
                    };
                    let (variance, g) = direct(&mine, dyadic, metric);
                    let q = tp as f64 / n as f64;
                    let expected = (q * (1.0 - q) / variance).min(n as f64);
                    assert_eq!(design.clusters, g, "{value:?} {metric:?} dyadic {dyadic}");
                    let got = design.effective_pairs;
                    assert!(
                        (got - expected).abs() <= 1e-9 * expected,
                        "{value:?} {metric:?} dyadic {dyadic} seed {seed}: {got} vs {expected}"
                    );
                    assert_eq!(design.design_effect, n as f64 / got);
                }
            }
        }
    }
}

/// The one pass over the ids gives each metric's clusters and spread as
/// the pass per metric does, to the bit.
#[test]
fn one_pass_over_the_ids_equals_one_pass_per_metric() {
    for dyadic in [false, true] {
        for seed in 1..6 {
            let sums = folded(&pairs(seed, false), dyadic, false, 37);
            let fused = sums.fused().expect("within 128 bits");
            for metric in Metric::ALL {
                let (clusters, (p, n, spread)) = fused.get(metric);
                assert_eq!(clusters, sums.clusters(metric), "{metric:?} dyadic {dyadic}");
                let (q, m, other) = sums.spread(metric);
                assert_eq!((p.to_bits(), n.to_bits()), (q.to_bits(), m.to_bits()));
                assert_eq!(spread.to_bits(), other.to_bits(), "{metric:?} dyadic {dyadic}");
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
