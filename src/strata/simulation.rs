//! The stratified estimator in a simulation: a population of candidate
//! pairs in three score bands, a few hundred labelled from each band at
//! very different rates. The stratified interval covers the population's
//! precision and recall at its level; the unweighted one, which treats the
//! labelled pairs as the population, does not. `cargo test --release
//! strata::simulation -- --nocapture` prints the table docs/metrics.md
//! quotes.

use super::*;
use crate::slices::{Slice, Value};
use crate::stats::random::Random;
use crate::stats::wilson_rate;

/// A band: its pairs, how many are labelled, the share predicted a match,
/// and the chance a pair is a true match when predicted one and when not.
struct Band {
    name: &'static str,
    pairs: usize,
    labelled: usize,
    predicted: f64,
    match_if_predicted: f64,
    match_otherwise: f64,
}

const BANDS: [Band; 3] = [
    Band {
        name: "high",
        pairs: 20_000,
        labelled: 400,
        predicted: 0.95,
        match_if_predicted: 0.97,
        match_otherwise: 0.6,
    },
    Band {
        name: "mid",
        pairs: 50_000,
        labelled: 400,
        predicted: 0.4,
        match_if_predicted: 0.75,
        match_otherwise: 0.15,
    },
    Band {
        name: "low",
        pairs: 200_000,
        labelled: 1000,
        predicted: 0.0,
        match_if_predicted: 0.0,
        match_otherwise: 0.02,
    },
];

/// Each band's pairs as cells: 0 TP, 1 FP, 2 FN, 3 TN.
fn population(random: &mut Random) -> Vec<Vec<u8>> {
    BANDS
        .iter()
        .map(|b| {
            (0..b.pairs)
                .map(|_| {
                    let predicted = random.next() < b.predicted;
                    let chance = if predicted { b.match_if_predicted } else { b.match_otherwise };
                    let is_match = random.next() < chance;
                    match (is_match, predicted) {
                        (true, true) => 0,
                        (false, true) => 1,
                        (true, false) => 2,
                        (false, false) => 3,
                    }
                })
                .collect()
        })
        .collect()
}

fn counts(cells: impl Iterator<Item = u8>) -> Counts {
    let mut c = Counts::default();
    for cell in cells {
        match cell {
            0 => c.tp += 1,
            1 => c.fp += 1,
            2 => c.fn_ += 1,
            _ => c.tn += 1,
        }
    }
    c
}

/// `n` of `pairs` without replacement (a partial shuffle of indexes).
fn sample(pairs: &[u8], n: usize, random: &mut Random) -> Counts {
    let mut index: Vec<usize> = (0..pairs.len()).collect();
    for i in 0..n {
        let j = i + (random.next() * (pairs.len() - i) as f64) as usize;
        index.swap(i, j);
    }
    counts(index[..n].iter().map(|i| pairs[*i]))
}

#[test]
#[allow(clippy::print_stdout)] // The table docs/metrics.md quotes.
fn stratified_intervals_cover_the_population_where_unweighted_ones_do_not() {
    let mut random = Random(2026);
    let population = population(&mut random);
    let all = counts(population.iter().flatten().copied());
    let sizes: Vec<(String, u64)> =
        BANDS.iter().map(|b| (b.name.to_string(), b.pairs as u64)).collect();
    let samples = 400;
    println!(
        "| metric | population value | coverage: stratified / unweighted | mean effective pairs |"
    );
    let mut covered = [[0u32; 2]; 2];
    let mut effective = [0.0f64; 2];
    for _ in 0..samples {
        let slices: Vec<Slice> = BANDS
            .iter()
            .zip(&population)
            .map(|(b, pairs)| Slice {
                value: Value::Text(b.name.into()),
                counts: sample(pairs, b.labelled, &mut random),
            })
            .collect();
        let naive = slices.iter().fold(Counts::default(), |mut a, s| {
            a += s.counts;
            a
        });
        let got = estimate(&SliceColumn { column: "band".into(), slices }, &sizes).unwrap();
        for (k, m) in [Metric::Precision, Metric::Recall].into_iter().enumerate() {
            let truth = m.of(&all).unwrap();
            let e = got.metrics.get(m).unwrap();
            let stratified = wilson_rate(e.estimate, e.effective_pairs, 0.95);
            let unweighted = crate::stats::interval(m, &naive, 0.95).unwrap();
            covered[k][0] += u32::from(stratified.lower <= truth && truth <= stratified.upper);
            covered[k][1] += u32::from(unweighted.lower <= truth && truth <= unweighted.upper);
            effective[k] += e.effective_pairs / f64::from(samples);
        }
    }
    for (k, m) in [Metric::Precision, Metric::Recall].into_iter().enumerate() {
        let rate = |c: u32| f64::from(c) / f64::from(samples);
        println!(
            "| {} | {:.4} | {:.1}% / {:.1}% | {:.0} |",
            m.name(),
            m.of(&all).unwrap(),
            100.0 * rate(covered[k][0]),
            100.0 * rate(covered[k][1]),
            effective[k]
        );
        assert!(rate(covered[k][0]) >= 0.93, "{m:?}: {covered:?}");
        assert!(
            rate(covered[k][1]) < 0.5,
            "{m:?}: the unweighted interval is of another population"
        );
    }
}
