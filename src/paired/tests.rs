use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};
use arrow_buffer::BooleanBuffer;

use super::*;
use crate::correlation::Correlated;
use crate::stats::random::Random;

/// One pair: its two record ids (`None`: null), label, decision, the
/// previous model's decision and weight.
#[derive(Clone, Copy)]
struct Pair {
    ids: (Option<i64>, Option<i64>),
    label: bool,
    new: bool,
    old: bool,
    weight: f64,
}

/// A metric's value and each pair's linearised residual, for one model,
/// straight from the definitions: p = Σwy/Σwn, e_i = w(y − p·n)/Σwn, F1's
/// through J times 2/(1+J)².
fn residuals(pairs: &[Pair], metric: Metric, decided: fn(&Pair) -> bool) -> (f64, Vec<f64>) {
    let n_of = |p: &Pair| match metric {
        Metric::Precision => decided(p),
        Metric::Recall => p.label,
        Metric::F1 => p.label || decided(p),
    };
    let y_of = |p: &Pair| p.label && decided(p);
    let n: f64 = pairs.iter().filter(|p| n_of(p)).map(|p| p.weight).sum();
    let q = pairs.iter().filter(|p| y_of(p)).map(|p| p.weight).sum::<f64>() / n;
    let (scale, value) = match metric {
        Metric::F1 => (2.0 / (1.0 + q).powi(2), 2.0 * q / (1.0 + q)),
        _ => (1.0, q),
    };
    let e = pairs
        .iter()
        .map(|p| p.weight * (f64::from(u8::from(y_of(p))) - q * f64::from(u8::from(n_of(p)))))
        .map(|e| scale * e / n)
        .collect();
    (value, e)
}

/// The change and its variance by definition: every two pairs that share
/// a cluster (one column: the left id; two: either record) add the
/// product of their d, a pair with itself once; G/(G−1) with G the
/// clusters of pairs in either denominator (one column) or every record.
fn direct(pairs: &[Pair], dyadic: Option<bool>, metric: Metric) -> (f64, f64) {
    let (now, e_new) = residuals(pairs, metric, |p| p.new);
    let (before, e_old) = residuals(pairs, metric, |p| p.old);
    let d: Vec<f64> = e_new.iter().zip(&e_old).map(|(a, b)| a - b).collect();
    let counted = |p: &Pair| match metric {
        Metric::Precision => p.new || p.old,
        Metric::Recall => p.label,
        Metric::F1 => p.label || p.new || p.old,
    };
    let ids = |p: &Pair| match dyadic {
        Some(true) => vec![p.ids.0, p.ids.1],
        _ => vec![p.ids.0],
    };
    let shared = |a: &Pair, b: &Pair| match dyadic {
        None => false,
        Some(_) => ids(a).iter().any(|x| x.is_some() && ids(b).contains(x)),
    };
    let mut sum = 0.0;
    for (i, a) in pairs.iter().enumerate() {
        for (j, b) in pairs.iter().enumerate() {
            if i == j || shared(a, b) {
                sum += d[i] * d[j];
            }
        }
    }
    let g = match dyadic {
        None => pairs.iter().filter(|p| counted(p)).count(),
        Some(dyadic) => {
            let kept: Vec<&Pair> = pairs.iter().filter(|p| dyadic || counted(p)).collect();
            let mut seen: Vec<i64> = kept.iter().flat_map(|p| ids(p)).flatten().collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len() + kept.iter().flat_map(|p| ids(p)).filter(Option::is_none).count()
        }
    } as f64;
    (now - before, g / (g - 1.0) * sum)
}

/// Pairs within blocks of 8 records; the previous model disagrees with the
/// new one on about one pair in eight.
fn pairs(seed: u64, weighted: bool) -> Vec<Pair> {
    let mut random = Random(seed);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for i in 0..400 {
        let block = random.between((0, 5)) as i64 * 8;
        let l = block + random.between((0, 7)) as i64;
        let r = if i % 37 == 0 { l } else { block + random.between((0, 7)) as i64 };
        let null = |v: i64, r: &mut Random| (r.next() > 0.05).then_some(v);
        let ids = (null(l, &mut random), null(r, &mut random));
        let label = random.next() < 0.3 + (l % 8) as f64 / 12.0;
        let new = if random.next() < 0.2 { !label } else { label };
        let old = if random.next() < 0.12 { !new } else { new };
        let weight = if weighted { 0.5 + random.between((0, 6)) as f64 } else { 1.0 };
        // No pair of two records twice.
        if ids.0.is_none() || ids.1.is_none() || seen.insert((ids.0.min(ids.1), ids.0.max(ids.1))) {
            out.push(Pair { ids, label, new, old, weight });
        }
    }
    out
}

/// The pairs folded in batches of `batch` over two threads' sums, the way
/// the reader does; `dyadic`: `None` independent, else one or two columns.
fn compared(pairs: &[Pair], dyadic: Option<bool>, weighted: bool, batch: usize) -> Comparison {
    let columns: Vec<String> = match dyadic {
        Some(true) => vec!["l".into(), "r".into()],
        _ => vec!["l".into()],
    };
    let mut threads =
        [Correlated::new(columns.clone(), true, 0), Correlated::new(columns.clone(), true, 0)];
    let mut flips = [Flips::default(), Flips::default()];
    for (b, chunk) in pairs.chunks(batch).enumerate() {
        let column = |side: fn(&Pair) -> Option<i64>| -> ArrayRef {
            Arc::new(Int64Array::from(chunk.iter().map(side).collect::<Vec<_>>()))
        };
        let arrays = match dyadic {
            Some(true) => vec![column(|p| p.ids.0), column(|p| p.ids.1)],
            _ => vec![column(|p| p.ids.0)],
        };
        let bit = |f: fn(&Pair) -> bool| BooleanBuffer::from_iter(chunk.iter().map(f));
        let (label, new, old) = (bit(|p| p.label), bit(|p| p.new), bit(|p| p.old));
        let bits = Bits { label: &label, predicted: &new, previous: Some(&old) };
        let weights: Vec<f64> = chunk.iter().map(|p| p.weight).collect();
        let w = weighted.then_some(weights.as_slice());
        threads[b % 2].add(&arrays, &[], bits, w, None);
        flips[b % 2].add(chunk.len(), bits, w, None);
    }
    let [a, b] = threads;
    let (sums, _) = a.merge(&b).finish(weighted);
    let flips = flips[0].merge(&flips[1]);
    let split = sums.paired.as_ref().map(|s| (s, sums.dyadic)).filter(|_| dyadic.is_some());
    compare(&flips, split, &columns, 0.95)
}

#[test]
fn the_change_and_its_variance_equal_their_definition_pair_by_pair() {
    for weighted in [false, true] {
        for dyadic in [None, Some(false), Some(true)] {
            for seed in 1..5 {
                let pairs = pairs(seed, weighted);
                let comparison = compared(&pairs, dyadic, weighted, 37);
                for metric in Metric::ALL {
                    let (delta, variance) = direct(&pairs, dyadic, metric);
                    let change = comparison.metrics.get(metric).unwrap();
                    let at = format!("{metric:?} weighted {weighted} {dyadic:?} seed {seed}");
                    assert!((change.delta - delta).abs() < 1e-12, "{at}");
                    let se = change.standard_error.unwrap();
                    assert!((se * se - variance).abs() <= 1e-9 * variance, "{at}: {se} {variance}");
                }
            }
        }
    }
}

#[test]
fn any_batching_gives_the_same_bits() {
    let pairs = pairs(11, false);
    for dyadic in [None, Some(false), Some(true)] {
        let one = compared(&pairs, dyadic, false, 400);
        for batch in [1, 7, 64] {
            assert_eq!(one, compared(&pairs, dyadic, false, batch), "{dyadic:?} batch {batch}");
        }
    }
}

#[test]
fn the_flip_table_counts_each_kind_of_change() {
    let pairs = pairs(3, true);
    let c = compared(&pairs, None, true, 50);
    let count = |f: fn(&Pair) -> bool| pairs.iter().filter(|p| f(p)).count() as u64;
    assert_eq!(c.flips.newly_matched_true, count(|p| p.label && p.new && !p.old));
    assert_eq!(c.flips.newly_matched_false, count(|p| !p.label && p.new && !p.old));
    assert_eq!(c.flips.no_longer_matched_true, count(|p| p.label && !p.new && p.old));
    assert_eq!(c.flips.no_longer_matched_false, count(|p| !p.label && !p.new && p.old));
    assert_eq!(c.decisions_changed, count(|p| p.new != p.old));
    assert_eq!(c.errors_fixed, count(|p| p.new == p.label && p.old != p.label));
    assert_eq!(c.errors_introduced, count(|p| p.new != p.label && p.old == p.label));
    let (lost, gained) = (c.recall_mcnemar.lost, c.recall_mcnemar.gained);
    assert_eq!((lost, gained), (c.flips.no_longer_matched_true, c.flips.newly_matched_true));
}

#[test]
fn mcnemar_is_twice_the_smaller_binomial_tail() {
    // Σ_{k ≤ m} C(n, k) / 2^n, summed exactly in integers.
    let tail = |m: u64, n: u64| {
        let mut c: u128 = 1;
        let mut sum: u128 = 0;
        for k in 0..=m {
            sum += c;
            c = c * u128::from(n - k) / u128::from(k + 1);
        }
        sum as f64 / 2f64.powi(n as i32)
    };
    for (lost, gained) in [(0, 0), (0, 1), (3, 9), (9, 3), (20, 20), (12, 40), (1, 60)] {
        let expected = (2.0 * tail(u64::min(lost, gained), lost + gained)).min(1.0);
        let got = crate::stats::mcnemar_exact(lost, gained);
        assert!((got - expected).abs() <= 1e-12 * expected.max(1e-300), "{lost} {gained}: {got}");
    }
}
