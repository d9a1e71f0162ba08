//! How many more labelled pairs would decide an inconclusive metric.
//!
//! A Wilson interval lies wholly above a bound `b` exactly when the score
//! test of "the proportion is `b`" rejects it on the high side:
//! `q - b >= z_a sqrt(b(1-b)/n)`, `z_a` the interval's one-sided critical
//! value. If the proportion stays at `p`, its estimate falls below
//! `p - z_p sqrt(p(1-p)/n)` with probability 1 - [`POWER`], so the
//! interval clears the bound with probability [`POWER`] from
//!
//! `n = ((z_a sqrt(b(1-b)) + z_p sqrt(p(1-p))) / (p - b))^2`
//!
//! trials on: the one-sample sample-size formula of the score test
//! (Fleiss, *Statistical Methods for Rates and Proportions*, 3rd ed.,
//! eq. 2.5). Below the bound the same count gives an interval wholly below
//! it. tests/power_oracle.py checks the power at that size against the
//! exact binomial distribution.

use super::{critical, jaccard_of_f1, normal_upper_quantile, proportion};
use crate::metrics::{Counts, Metric};

/// The chance the advice promises that more data decides the metric.
pub const POWER: f64 = 0.8;

/// Which way more data would decide a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decides {
    /// The whole interval at or above the minimum: the rule passes.
    Pass,
    /// The whole interval below the minimum: the rule fails.
    Fail,
}

/// The trials that decide a proportion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Which way.
    pub decides: Decides,
    /// Trials in all (independent ones).
    pub trials: u64,
}

/// The independent trials at which a Wilson interval at two-sided level
/// `confidence` lies wholly on `observed`'s side of `bound` with
/// probability [`POWER`], if the proportion stays at `observed`; `None`
/// when it never does (`observed` equals `bound`) or needs over 10^12.
#[cfg(test)]
pub fn trials_to_decide(observed: f64, bound: f64, confidence: f64) -> Option<Decision> {
    trials_at(observed, bound, critical(confidence, None))
}

/// [`trials_to_decide`] for an interval whose one-sided critical value is
/// `z_level` (a normal or Student's t quantile).
fn trials_at(observed: f64, bound: f64, z_level: f64) -> Option<Decision> {
    if !(0.0..=1.0).contains(&bound) || observed == bound {
        return None;
    }
    let z_power = normal_upper_quantile(1.0 - POWER);
    let spread = |p: f64| (p * (1.0 - p)).sqrt();
    let root = (z_level * spread(bound) + z_power * spread(observed)) / (observed - bound).abs();
    let trials = (root * root).ceil();
    let decides = if observed > bound { Decides::Pass } else { Decides::Fail };
    (trials <= 1e12).then(|| Decision { decides, trials: (trials as u64).max(1) })
}

/// [`trials_to_decide`] for a metric of counts against its minimum: its
/// trials are its denominator (predicted matches for precision, true
/// matches for recall, TP+FP+FN for F1, whose bound is J's); `None` when
/// the metric is undefined or cannot be decided. With `degrees` (a
/// `cluster_by` design's clusters less one) the interval's critical value
/// is Student's t, as the interval's is.
pub fn metric_trials_to_decide(
    metric: Metric,
    c: &Counts,
    minimum: f64,
    confidence: f64,
    degrees: Option<f64>,
) -> Option<Decision> {
    let (k, n) = proportion(metric, c);
    if n == 0 {
        return None;
    }
    let bound = match metric {
        Metric::F1 => jaccard_of_f1(minimum),
        _ => minimum,
    };
    trials_at(k as f64 / n as f64, bound, critical(confidence, degrees))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::random::Random;
    use crate::stats::wilson;

    /// How often a Wilson interval of `n` trials at proportion `p` lies
    /// wholly on `p`'s side of `bound`, over `samples` binomial draws.
    fn decided(p: f64, n: u64, bound: f64, samples: u32, seed: u64) -> f64 {
        let mut random = Random(seed);
        let mut hits = 0u32;
        for _ in 0..samples {
            let k = random.binomial(n, p);
            let w = wilson(k, n, 0.95).unwrap();
            hits += u32::from(if p > bound { w.lower >= bound } else { w.upper < bound });
        }
        f64::from(hits) / f64::from(samples)
    }

    #[test]
    fn the_stated_size_decides_four_times_in_five() {
        for (p, bound, decides) in [
            (0.93, 0.92, Decides::Pass),
            (0.95, 0.92, Decides::Pass),
            (0.90, 0.92, Decides::Fail),
            (0.60, 0.50, Decides::Pass),
        ] {
            let d = trials_to_decide(p, bound, 0.95).unwrap();
            assert_eq!(d.decides, decides);
            let rate = decided(p, d.trials, bound, 2000, d.trials);
            assert!((0.77..=0.84).contains(&rate), "{p} vs {bound}: {} trials, {rate}", d.trials);
            // Half the trials decide it far less often.
            let rate = decided(p, d.trials / 2, bound, 2000, 3);
            assert!(rate < 0.6, "{p} vs {bound}: {rate}");
        }
    }

    #[test]
    fn the_closed_form_is_the_textbook_one() {
        // 0.93 against 0.92 at 95%: ((1.96 sqrt(.92 .08) + 0.8416 sqrt(.93 .07)) / 0.01)^2.
        let z = (1.959963984540054, 0.8416212335729143);
        let root = (z.0 * (0.92f64 * 0.08).sqrt() + z.1 * (0.93f64 * 0.07).sqrt()) / 0.01;
        let d = trials_to_decide(0.93, 0.92, 0.95).unwrap();
        assert_eq!(d.trials, (root * root).ceil() as u64);
        assert_eq!(trials_to_decide(0.92, 0.92, 0.95), None);
        assert_eq!(trials_to_decide(0.92, 1.5, 0.95), None);
        // F1's bound is J's: TP 900 of TP+FP+FN 1000 is F1 0.947.
        let c = Counts { tp: 900, fp: 50, fn_: 50, tn: 0 };
        let f1 = metric_trials_to_decide(Metric::F1, &c, 0.94, 0.95, None).unwrap();
        assert_eq!(f1, trials_to_decide(0.9, 0.94 / 1.06, 0.95).unwrap());
        // With 100 clusters, t on 99 degrees of freedom: more trials.
        let t = metric_trials_to_decide(Metric::F1, &c, 0.94, 0.95, Some(99.0)).unwrap();
        assert!(t.trials > f1.trials, "{t:?} {f1:?}");
    }

    #[test]
    fn the_planning_table_of_docs_metrics_is_this_formula() {
        let docs = include_str!("../../docs/metrics.md");
        for p in [0.93, 0.94, 0.95] {
            let n = trials_to_decide(p, 0.92, 0.95).unwrap().trials;
            let cells: Vec<String> = [1u64, 2, 4]
                .iter()
                .map(|d| format!("{} ({} blocks)", n * d, (n * d).div_ceil(10)))
                .collect();
            let row = format!("| {p} | {} |", cells.join(" | "));
            assert!(docs.contains(&row), "docs/metrics.md lacks {row}");
        }
    }
}
