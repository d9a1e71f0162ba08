//! The difference between two independently measured metrics: the new
//! model's and the previous report's.
//!
//! Newcombe's hybrid score interval (method 10 of Newcombe, "Interval
//! estimation for the difference between independent proportions", 1998):
//! each side's Wilson interval gives the variance of its estimate near each
//! limit, and the difference's limits combine them, MOVER-fashion (Zou and
//! Donner 2008):
//!
//! `L = d - sqrt((a - l_a)² + (u_b - b)²)`, `U = d + sqrt((u_a - a)² + (b - l_b)²)`
//!
//! with `d = a - b`. For precision and recall this is statsmodels'
//! `confint_proportions_2indep(..., compare="diff", method="newcomb")`;
//! for F1 the same combination of F1's intervals (J's, mapped).

use super::{Interval, critical, mapped, wilson_at};
use crate::metrics::Metric;

/// The interval of a metric measured at `value` over `trials` (effective)
/// independent trials: the Wilson interval of its proportion (F1's through
/// J = F1/(2 - F1)), mapped back, at Student's t critical value when
/// `degrees` are given; `None` without a trial.
pub fn metric_interval(
    metric: Metric,
    value: f64,
    trials: f64,
    degrees: Option<f64>,
    confidence: f64,
) -> Option<Interval> {
    if trials <= 0.0 {
        return None;
    }
    let q = match metric {
        Metric::F1 => super::jaccard_of_f1(value),
        _ => value,
    };
    Some(mapped(metric, wilson_at(q, trials, critical(confidence, degrees))))
}

/// Newcombe's interval of `a - b` from each value and its interval.
pub fn difference((a, ia): (f64, Interval), (b, ib): (f64, Interval)) -> Interval {
    let d = a - b;
    Interval {
        lower: d - ((a - ia.lower).powi(2) + (ib.upper - b).powi(2)).sqrt(),
        upper: d + ((ia.upper - a).powi(2) + (b - ib.lower).powi(2)).sqrt(),
    }
}

/// McNemar's exact test of two paired decisions: `lost` and `gained` the
/// discordant pairs each way; the two-sided p-value min(1, 2·P(X ≤
/// min(lost, gained))), X ~ Binomial(lost + gained, 1/2) (statsmodels'
/// `mcnemar(table, exact=True)`). 1 when no pair is discordant.
pub fn mcnemar_exact(lost: u64, gained: u64) -> f64 {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let n = lost + gained;
    if n == 0 {
        return 1.0;
    }
    let binomial = Binomial::new(0.5, n).expect("a probability of 1/2");
    (2.0 * binomial.cdf(lost.min(gained))).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::random::Random;
    use crate::stats::{wilson, wilson_rate};

    #[test]
    fn newcombe_by_hand() {
        // Newcombe (1998), table II, example (a): 56/70 against 48/80, 95%:
        // 0.0524 to 0.3339.
        let (a, b) = (56.0 / 70.0, 48.0 / 80.0);
        let d = difference((a, wilson(56, 70, 0.95).unwrap()), (b, wilson(48, 80, 0.95).unwrap()));
        assert!((d.lower - 0.0524).abs() < 5e-5 && (d.upper - 0.3339).abs() < 5e-5, "{d:?}");
    }

    /// Two samples of one model, 2,000 trials each at precision 0.93, and a
    /// drop margin of 1 point: how often the point rule and the interval
    /// rule fail it, and how often the interval rule passes a model truly
    /// one margin worse.
    #[test]
    #[allow(clippy::print_stdout)] // docs/metrics.md quotes it.
    fn an_unchanged_model_fails_the_interval_rule_rarely() {
        let mut random = Random(11);
        let (n, margin, runs) = (2000u64, 0.01, 2000u32);
        let (mut point_fails, mut fails, mut passes, mut worse_passes) = (0u32, 0u32, 0u32, 0u32);
        for _ in 0..runs {
            let old = random.binomial(n, 0.93) as f64 / n as f64;
            let same = random.binomial(n, 0.93) as f64 / n as f64;
            let worse = random.binomial(n, 0.92) as f64 / n as f64;
            let interval = |p: f64| (p, wilson_rate(p, n as f64, 0.95));
            let d = difference(interval(same), interval(old));
            point_fails += u32::from(same < old - margin - 1e-12);
            fails += u32::from(d.upper < -margin);
            passes += u32::from(d.lower >= -margin);
            worse_passes += u32::from(difference(interval(worse), interval(old)).lower >= -margin);
        }
        let rate = |k: u32| f64::from(k) / f64::from(runs);
        println!(
            "same model: point rule fails {:.1}%, interval rule fails {:.1}% and passes {:.1}%; one margin worse: passes {:.1}%",
            100.0 * rate(point_fails),
            100.0 * rate(fails),
            100.0 * rate(passes),
            100.0 * rate(worse_passes)
        );
        assert!(rate(point_fails) > 0.08, "{}", rate(point_fails));
        assert!(rate(fails) <= 0.05, "{}", rate(fails));
        assert!(rate(worse_passes) <= 0.03, "{}", rate(worse_passes));
    }
}
