//! Which slices fall below overall beyond noise: a one-sided score test
//! per metric of each evaluated slice, Holm-adjusted over all of them.

use super::SliceColumnReport;
use crate::evaluate;
use crate::metrics::{Counts, Metric};
use crate::stats::{self, Evidence};

/// The level of the flags' intervals when `confidence` is not set.
pub(super) const DEFAULT_FLAG_CONFIDENCE: f64 = 0.95;

/// Flags each metric of an evaluated slice whose one-sided score test
/// rejects "at least the overall value minus `gap`", Holm-adjusted over all
/// of them at (1 - `confidence`)/2: a flagged metric's interval lies wholly
/// below that value, and slices no worse than it are flagged in at most
/// that share of runs however many there are. Returns how many were tested.
pub(super) fn flag(
    columns: &mut [SliceColumnReport],
    overall: &Counts,
    gap: f64,
    confidence: f64,
) -> usize {
    let mut tests = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        for (s, slice) in column.slices.iter().enumerate().filter(|(_, s)| s.evaluated) {
            for metric in Metric::ALL {
                let Some(bound) = metric.of(overall).map(|o| o - gap) else { continue };
                let evidence = evaluate::counted(&slice.counts, slice.cluster_by.as_ref());
                let Some((q, n)) = evidence.proportion(metric) else { continue };
                let bound = match metric {
                    Metric::F1 => stats::jaccard_of_f1(bound.max(0.0)),
                    _ => bound,
                };
                let degrees = evidence.degrees.get(metric);
                tests.push(((c, s, metric), stats::below_p_value(q, n, bound, degrees)));
            }
        }
    }
    let p_values: Vec<f64> = tests.iter().map(|(_, p)| *p).collect();
    let rejected = stats::holm(&p_values, (1.0 - confidence) / 2.0);
    for (((c, s, metric), _), _) in tests.iter().zip(rejected).filter(|(_, r)| *r) {
        columns[*c].slices[*s].flagged.push(*metric);
    }
    tests.len()
}

/// Flags in a simulation of slices: slices as good as the whole are
/// flagged in at most 2.5% of runs however many there are, where the point
/// rule ("more than 5 points below") flags slices of 30 true matches in
/// most runs once there are ten; a slice truly 20 points below is found.
/// `cargo test --release slice_flags -- --nocapture` prints the table
/// docs/metrics.md quotes.
#[cfg(test)]
mod simulation {
    use super::*;
    use crate::report::slices::{SliceReport, column};
    use crate::slices::{Slice, SliceColumn, SliceSettings, Value};
    use crate::stats::random::Random;

    /// `slices` slices of `support` true matches found `recall` of the
    /// time (the first slice `first` of the time) and 200 non-matches
    /// predicted 1% of the time.
    fn sample(
        random: &mut Random,
        slices: usize,
        support: u64,
        recall: f64,
        first: f64,
    ) -> SliceColumn {
        let slices = (0..slices)
            .map(|i| {
                let tp = random.binomial(support, if i == 0 { first } else { recall });
                let fp = random.binomial(200, 0.01);
                let counts = Counts { tp, fp, fn_: support - tp, tn: 200 - fp };
                Slice { value: Value::Int(i as i128), counts }
            })
            .collect();
        SliceColumn { column: "s".into(), slices }
    }

    /// Runs with any flag, runs where the point rule flags any recall, and
    /// runs where the first slice's recall is flagged.
    fn run(slices: usize, support: u64, first: f64, runs: u32) -> [f64; 3] {
        let mut random = Random(slices as u64 * 1000 + support);
        let settings = SliceSettings::default();
        let mut hits = [0u32; 3];
        for _ in 0..runs {
            let c = sample(&mut random, slices, support, 0.9, first);
            let mut overall = Counts::default();
            c.slices.iter().for_each(|s| overall += s.counts);
            let mut columns = [column(&c, &overall, &settings, None, None)];
            flag(&mut columns, &overall, settings.flag_gap, 0.95);
            let flagged = |s: &SliceReport| !s.flagged.is_empty();
            let point =
                |s: &SliceReport| s.below_overall.recall.is_some_and(|g| g > settings.flag_gap);
            let first = |s: &SliceReport| s.text == "0" && s.flagged.contains(&Metric::Recall);
            hits[0] += u32::from(columns[0].slices.iter().any(flagged));
            hits[1] += u32::from(columns[0].slices.iter().any(point));
            hits[2] += u32::from(columns[0].slices.iter().any(first));
        }
        hits.map(|h| f64::from(h) / f64::from(runs))
    }

    #[test]
    #[allow(clippy::print_stdout)] // The table docs/metrics.md quotes.
    fn slice_flags_hold_their_family_level_and_find_a_bad_slice() {
        println!("| slices | true matches each | any flag (Holm) | any recall flag (point rule) |");
        for (slices, support) in [(2, 30), (10, 30), (50, 30), (10, 300)] {
            let [holm, point, _] = run(slices, support, 0.9, 1000);
            println!("| {slices} | {support} | {:.1}% | {:.1}% |", holm * 100.0, point * 100.0);
            assert!(holm <= 0.025 + 0.01, "{slices} x {support}: {holm}");
        }
        // The case: one slice of 30 true matches, recall as overall.
        let [_, point, _] = run(2, 30, 0.9, 1000);
        assert!(point > 0.1, "the point rule fires on noise: {point}");
        // A slice at recall 0.7 among ten of 0.9: found most of the time
        // with 200 true matches a slice, often with 100.
        for (support, least) in [(100, 0.4), (200, 0.9)] {
            let [_, _, found] = run(10, support, 0.7, 400);
            println!(
                "recall 0.7 among 0.9, {support} true matches a slice: found {:.1}%",
                found * 100.0
            );
            assert!(found >= least, "{support}: {found}");
        }
    }
}
