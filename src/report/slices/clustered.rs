//! Slice flags on correlated pairs, by simulation: slices of blocks of
//! varying difficulty, every slice drawn as the whole is. Counted as
//! independent pairs, their intervals are too narrow and flag noise; with
//! each slice's `cluster_by` design they hold the family's level.
//! `cargo test --release slice_flags_on_blocks -- --nocapture` prints the
//! table docs/metrics.md quotes.

use super::flags::flag;
use super::{SliceReport, column};
use crate::correlation::{Loose, Sums};
use crate::evaluate::SliceDesigns;
use crate::metrics::{Counts, Metric};
use crate::slices::{Slice, SliceColumn, SliceSettings, Value};
use crate::stats::random::Random;

/// Blocks of a slice: how many, and the true matches of each.
struct Shape {
    slices: usize,
    blocks: u64,
    size: (u64, u64),
    /// The share of hard blocks, found half the time (others 95%).
    hard: f64,
    /// The first slice's share of hard blocks.
    first: f64,
}

/// One slice's counts and its sums per block: each block's true matches
/// found at the block's own rate, and 20 non-matches each predicted 2%.
fn slice(random: &mut Random, shape: &Shape, hard: f64) -> (Counts, Sums) {
    let mut counts = Counts::default();
    let mut sums = Vec::new();
    for _ in 0..shape.blocks {
        let size = random.between(shape.size);
        let recall = if random.next() < hard { 0.5 } else { 0.95 };
        let tp = random.binomial(size, recall);
        let fp = random.binomial(20, 0.02);
        let block = Counts { tp, fp, fn_: size - tp, tn: 20 - fp };
        sums.push([block.tn, block.fp, block.fn_, block.tp].map(|n| n as f64));
        counts += block;
    }
    let sums = Sums {
        columns: vec!["block".into()],
        dyadic: false,
        weighted: false,
        sums,
        singles: Loose::default(),
        twice: Loose::default(),
        paired: None,
    };
    (counts, sums)
}

/// The share of runs with any flag: counted as independent pairs, and
/// with each slice's design; the share of runs that flag the first slice's
/// recall with its design; and the mean design effect of recall.
fn run(shape: &Shape, runs: u32) -> [f64; 4] {
    let mut random = Random(shape.blocks * 7919 + shape.slices as u64);
    let settings = SliceSettings::default();
    let mut hits = [0.0; 4];
    for _ in 0..runs {
        let (mut slices, mut designs) = (Vec::new(), SliceDesigns::new());
        let mut overall = Counts::default();
        for i in 0..shape.slices {
            let hard = if i == 0 { shape.first } else { shape.hard };
            let (counts, sums) = slice(&mut random, shape, hard);
            let value = Value::Int(i as i128);
            designs.insert(value.clone(), sums.counted_designs());
            slices.push(Slice { value, counts });
            overall += counts;
        }
        let c = SliceColumn { column: "source".into(), slices };
        for (k, designs) in [None, Some(&designs)].into_iter().enumerate() {
            let mut columns = [column(&c, &overall, &settings, None, designs)];
            flag(&mut columns, &overall, settings.flag_gap, 0.95);
            let flagged = columns[0].slices.iter().any(|s: &SliceReport| !s.flagged.is_empty());
            hits[k] += f64::from(u8::from(flagged));
            let first = |s: &&SliceReport| s.text == "0" && s.flagged.contains(&Metric::Recall);
            hits[2] += f64::from(u8::from(k == 1 && columns[0].slices.iter().any(|s| first(&s))));
        }
        let effect = |d: &crate::correlation::Designs| d.metrics.recall.map(|r| r.design_effect);
        let mean: f64 = designs.values().filter_map(effect).sum::<f64>() / shape.slices as f64;
        hits[3] += mean;
    }
    hits.map(|h| h / f64::from(runs))
}

#[test]
#[allow(clippy::print_stdout)] // The table docs/metrics.md quotes.
fn slice_flags_on_blocks_hold_their_level_with_cluster_by() {
    println!(
        "| slices | blocks each | recall's design effect | any flag: independent | any flag: `cluster_by` |"
    );
    for (slices, blocks, size) in [(10, 20, (5, 40)), (10, 40, (5, 40)), (30, 30, (5, 40))] {
        let shape = Shape { slices, blocks, size, hard: 0.2, first: 0.2 };
        let [independent, clustered, _, effect] = run(&shape, 1000);
        println!(
            "| {slices} | {blocks} | {effect:.1} | {:.1}% | {:.1}% |",
            independent * 100.0,
            clustered * 100.0
        );
        assert!(clustered <= 0.025 + 0.01, "{slices} x {blocks}: {clustered}");
        // Counted as independent pairs, the few blocks' slices flag noise.
        if blocks <= 30 {
            assert!(independent > 0.1, "{slices} x {blocks}: {independent}");
        }
    }
    // A slice truly worse (recall about 0.64 among 0.86) is found.
    for (blocks, least) in [(20, 0.3), (40, 0.75), (80, 0.95)] {
        let shape = Shape { slices: 10, blocks, size: (5, 40), hard: 0.2, first: 0.7 };
        let [.., found, _] = run(&shape, 400);
        println!(
            "A slice of {blocks} blocks, 70% of them hard: recall flagged {:.1}%",
            found * 100.0
        );
        assert!(found >= least, "{blocks}: {found}");
    }
}
