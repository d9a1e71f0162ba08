//! The metrics pass alone, hash excluded: the library's reading and counting
//! of a validation set, with and without the threshold sweep, timed in one
//! process. The binary's wall time is bounded by SHA-256 on large files, so
//! this is where the sweep's own cost shows.
//!
//! Usage: cargo bench --bench metrics -- FILE [REPEAT]
//! (bench/run.py runs it on the files it generates.)

use std::time::Instant;

use er_precision_gate::dataset::{Decision, NullPolicy};
use er_precision_gate::evaluate::{Settings, count};
use er_precision_gate::gate::{Drops, OnInconclusive, Thresholds};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let file = args.next().expect("usage: metrics FILE [REPEAT]");
    let repeat: usize = args.next().map_or(5, |r| r.parse().expect("REPEAT is a number"));
    let settings = |sweep| Settings {
        validation_set: file.clone().into(),
        dataset_hash: None,
        checksums: None,
        label_column: "label".into(),
        decision: Decision::Score { column: "score".into(), threshold: 0.5 },
        null_policy: NullPolicy::Fail,
        thresholds: Thresholds { precision: 0.0, recall: 0.0, f1: 0.0 },
        baseline: None,
        max_drop: Drops::default(),
        confidence: Some(0.95),
        on_inconclusive: OnInconclusive::Fail,
        sweep,
    };
    let mut medians = Vec::new();
    for sweep in [false, true] {
        let mut times = Vec::new();
        let mut counts = None;
        for _ in 0..repeat {
            let start = Instant::now();
            let fold = count(&settings(sweep)).expect("the file is readable");
            times.push(start.elapsed().as_secs_f64());
            counts = Some(fold.tally.counts);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "metrics pass, sweep {sweep:<5}: median {median:.3} s of {repeat} ({:?})",
            counts.unwrap()
        );
        medians.push(median);
    }
    println!("sweep / no sweep: {:.2}x", medians[1] / medians[0]);
}
