//! The paired drop rule on simulated ER samples: does it fail an unchanged
//! model at most at its level, where the point rule against the previous
//! run's report (another sample) fails it often, and does it catch a real
//! drop?
//!
//! Entities of random difficulty inside blocks: 300 blocks of 30 candidate
//! pairs, a block's pairs sharing its match rate and its error rates. The
//! previous model errs at the block's rates; the new one re-decides 30% of
//! the pairs of a fifth of the blocks (6% in all) at the same rates (an
//! unchanged model, true change 0), or at a false-match rate raised by
//! `worse`. The rule is
//! `max_precision_drop: 0.01` at 95%, `cluster_by` the block.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};
use arrow_buffer::BooleanBuffer;

use super::{Comparison, Flips, compare};
use crate::correlation::{Bits, Correlated};
use crate::gate::{self, Drops, Prior, Status, Thresholds};
use crate::metrics::{Counts, Metric};
use crate::stats::random::Random;

const BLOCKS: u64 = 300;
const PAIRS: u64 = 30;
const RUNS: u64 = 400;
const MARGIN: f64 = 0.01;

/// One sample: the comparison clustered by block (or independent), and
/// the new model's counts.
fn sample(random: &mut Random, worse: f64, clustered: bool) -> (Comparison, Counts) {
    let (mut label, mut new, mut old, mut block) = (vec![], vec![], vec![], vec![]);
    for b in 0..BLOCKS {
        let matches = 0.1 + 0.5 * random.next();
        let (miss, false_match) = (0.3 * random.next(), 0.12 * random.next());
        // The new model changes whole kinds of entities: a fifth of the
        // blocks re-decided at 30%, the rest untouched.
        let changed = if random.next() < 0.2 { 0.3 } else { 0.0 };
        for _ in 0..PAIRS {
            let truth = random.next() < matches;
            let decide = |r: &mut Random, extra: f64| {
                if truth { r.next() >= miss } else { r.next() < false_match + extra }
            };
            let before = decide(random, 0.0);
            let after = if random.next() < changed { decide(random, worse) } else { before };
            label.push(truth);
            new.push(after);
            old.push(before);
            block.push(b as i64);
        }
    }
    let (label, new, old) =
        (BooleanBuffer::from(label), BooleanBuffer::from(new), BooleanBuffer::from(old));
    let bits = Bits { label: &label, predicted: &new, previous: Some(&old) };
    let columns = vec!["block".to_string()];
    let mut correlated = Correlated::new(columns.clone(), true, 0);
    let array: ArrayRef = Arc::new(Int64Array::from(block));
    correlated.add(&[array], &[], bits, None, None);
    let mut flips = Flips::default();
    flips.add(label.len(), bits, None, None);
    let (sums, _) = correlated.finish(false);
    let split = clustered.then(|| (sums.paired.as_ref().expect("paired"), false));
    let comparison = compare(&flips, split, &columns, 0.95);
    let cells = |b: usize| flips.cells[0].rows[b] + flips.cells[1].rows[b];
    let counts = Counts { tn: cells(0), fp: cells(1), fn_: cells(2), tp: cells(3) };
    (comparison, counts)
}

/// How often (of [`RUNS`]) each rule fails `max_precision_drop`, and how
/// often the paired interval covers 0.
#[derive(Debug)]
struct Rates {
    /// The paired interval, at 95%.
    paired: f64,
    /// Point values: this sample against the previous model's report on
    /// another sample of the same population (today's `baseline`).
    point_reports: f64,
    /// Point values, both models on this sample.
    point_same: f64,
    covers: f64,
    /// The mean change in precision: the true change, within 0.001.
    mean_change: f64,
}

fn rates(worse: f64, clustered: bool) -> Rates {
    let mut random = Random(17 + (worse * 1000.0) as u64);
    let (mut paired, mut reports, mut same, mut covers) = (0, 0, 0, 0);
    let mut total = 0.0;
    let zero = Thresholds { precision: 0.0, recall: 0.0, f1: 0.0 };
    let drops = Drops { precision: Some(MARGIN), ..Drops::default() };
    let fails = |counts: &Counts, prior: &dyn Fn(Metric) -> Prior, level: Option<f64>| {
        let judged = gate::decide(counts, &zero, &drops, Some(prior), level);
        u64::from(judged.checks[3].status == Status::Fail)
    };
    for _ in 0..RUNS {
        let (earlier, _) = sample(&mut random, worse, clustered);
        let reported = earlier.metrics.precision.expect("defined").previous;
        let (c, counts) = sample(&mut random, worse, clustered);
        let change = c.metrics.precision.expect("defined");
        total += change.delta;
        let on_pairs = |m: Metric| Prior {
            value: Some(change.previous),
            interval: None,
            change: c.interval(m),
        };
        paired += fails(&counts, &on_pairs, Some(0.95));
        same += fails(&counts, &on_pairs, None);
        let report = |_| Prior { value: Some(reported), interval: None, change: None };
        reports += fails(&counts, &report, None);
        let i = change.interval.expect("clusters");
        covers += u64::from(i.lower <= 0.0 && 0.0 <= i.upper);
    }
    let share = |n: u64| n as f64 / RUNS as f64;
    Rates {
        paired: share(paired),
        point_reports: share(reports),
        point_same: share(same),
        covers: share(covers),
        mean_change: total / RUNS as f64,
    }
}

#[test]
#[allow(clippy::print_stdout)]
fn the_paired_rule_fails_an_unchanged_model_at_most_at_its_level() {
    let r = rates(0.0, true);
    println!("unchanged model: {r:?}");
    assert!(r.paired <= 0.05, "paired false-fail {r:?}");
    assert!(r.point_reports >= 0.10, "the point rule against a report fails often: {r:?}");
    assert!(r.covers >= 0.92, "coverage of the true change 0: {r:?}");
    // The same samples with the pairs taken as independent, for docs/metrics.md.
    let independent = rates(0.0, false);
    println!("independent variance on the same samples: {independent:?}");
}

#[test]
#[allow(clippy::print_stdout)]
fn the_paired_rule_catches_a_drop_past_the_margin() {
    let at = |worse: f64| {
        let r = rates(worse, true);
        println!("false-match rate +{worse} on the re-decided pairs: {r:?}");
        r
    };
    // A true drop of exactly the margin (1 point) fails only as often as
    // the bound errs; the point rule fails it half the time.
    let margin = at(0.1);
    assert!((margin.mean_change + MARGIN).abs() < 0.001, "{margin:?}");
    assert!(margin.paired <= 0.05 && margin.point_same > 0.3, "{margin:?}");
    // Two points: caught most of the time; three, nearly always.
    assert!(at(0.2).paired >= 0.75);
    assert!(at(0.3).paired >= 0.95);
}
