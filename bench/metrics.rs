//! The metrics pass alone, hash excluded: the library's reading and counting
//! of a validation set, without the threshold sweep, with it, with slices by
//! one column, and the errors to review chosen and read back (each alone),
//! timed in one process. The binary's wall
//! time is bounded by SHA-256 on large files, so this is where the sweep's
//! and the slices' own costs show.
//!
//! Usage: cargo bench --bench metrics -- FILE [REPEAT [SLICE_COLUMN [CLUSTER_COLUMN]]]
//! (SLICE_COLUMN defaults to entity_type; with CLUSTER_COLUMN, a fifth run
//! sums the pairs per id of that column, as `cluster_by` does.)
//! (bench/run.py runs it on the files it generates.)

#![allow(clippy::print_stdout)] // A benchmark prints its figures.

use std::time::Instant;

use er_precision_gate::ReviewSettings;
use er_precision_gate::SliceSettings;
use er_precision_gate::Thresholds;
use er_precision_gate::{ClusterBy, Settings, metrics_pass};

/// What a run adds: the sweep, slices, errors, cluster sums.
type Run = (bool, bool, bool, bool);

/// The runs compared (sweep, slices, errors, cluster_by): none, the sweep,
/// slices by one column, the 1000 most confident errors of each kind
/// (chosen while counting, then their rows read back with every column),
/// the sums per cluster id.
const RUNS: [(&str, Run); 5] = [
    ("plain", (false, false, false, false)),
    ("sweep", (true, false, false, false)),
    ("slices", (false, true, false, false)),
    ("errors", (false, false, true, false)),
    ("cluster", (false, false, false, true)),
];

fn main() {
    // As the binary runs: its allocator settings first.
    er_precision_gate::allocator::tune();
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let file = args.next().expect("usage: metrics FILE [REPEAT]");
    let repeat: usize = args.next().map_or(5, |r| r.parse().expect("REPEAT is a number"));
    let slice = args.next().unwrap_or_else(|| "entity_type".into());
    let cluster = args.next();
    let runs = if cluster.is_some() { RUNS.len() } else { RUNS.len() - 1 };
    let settings = |(sweep, sliced, errors, clustered): Run| Settings {
        thresholds: Thresholds { precision: 0.0, recall: 0.0, f1: 0.0 },
        confidence: Some(0.95),
        sweep,
        slices: SliceSettings {
            columns: if sliced { vec![slice.clone()] } else { Vec::new() },
            ..SliceSettings::default()
        },
        review: errors.then(|| ReviewSettings { limit: 1000, display: Vec::new(), file: true }),
        cluster_by: match (&cluster, clustered) {
            (Some(c), true) => ClusterBy::Columns(vec![c.clone()]),
            _ => ClusterBy::Independent,
        },
        ..Settings::new(file.clone().into())
    };
    // The runs alternate, so a slow spell of the machine falls on all.
    let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    let mut counts = [None; 5];
    for _ in 0..repeat {
        for (i, (_, run)) in RUNS.into_iter().enumerate().take(runs) {
            let start = Instant::now();
            let (tally, review) = metrics_pass(&settings(run)).expect("the file is readable");
            assert_eq!(review.is_some(), run.2, "errors are read back when asked for");
            times[i].push(start.elapsed().as_secs_f64());
            counts[i] = Some(tally.counts);
        }
    }
    let counted = &counts[..runs];
    assert!(counted.iter().all(|c| *c == counts[0]), "the sweep or slices changed the counts");
    let mut summary = [(0.0, 0.0); 5];
    for (i, (name, _)) in RUNS.into_iter().enumerate().take(runs) {
        times[i].sort_by(f64::total_cmp);
        let (min, median) = (times[i][0], times[i][times[i].len() / 2]);
        println!(
            "metrics pass, {name:<6}: min {min:.3} s, median {median:.3} s of {repeat} ({:?})",
            counts[i].unwrap()
        );
        summary[i] = (min, median);
    }
    let ratios = [(1, "sweep / plain"), (2, "slices / plain"), (3, "errors / plain")];
    for (i, what) in ratios.into_iter().chain([(4, "cluster / plain")]).take(runs - 1) {
        println!(
            "{what}: {:.2}x (min), {:.2}x (median)",
            summary[i].0 / summary[0].0,
            summary[i].1 / summary[0].1
        );
    }
}
