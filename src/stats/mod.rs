//! Confidence intervals for the gate's metrics, and how much more data would
//! decide one.
//!
//! Pure. Precision and recall are proportions (TP of TP+FP, TP of TP+FN), so
//! each gets a Wilson score interval, computed term for term as statsmodels'
//! `proportion_confint(method="wilson")` does. F1 = 2J/(1+J) with
//! J = TP/(TP+FP+FN) is increasing in J, so its interval is the Wilson
//! interval of J mapped through that function. Pairs are independent
//! trials unless `cluster_by` says which are correlated: [`Deflated`] then
//! counts them as the independent pairs they are worth (crate::correlation).

mod compare;
mod holm;
mod power;
#[cfg(test)]
pub mod random;

pub use compare::{difference, mcnemar_exact, metric_interval};
pub use holm::{below_p_value, holm};
#[cfg(test)]
pub use power::trials_to_decide;
pub use power::{Decides, POWER, metric_trials_to_decide};

use crate::metrics::{Counts, Metric, PerMetric};
use crate::weighted::Weighted;

/// What the gate decides from: a metric's value and its interval.
pub trait Evidence {
    /// The metric's value; `None` when it is undefined.
    fn value(&self, metric: Metric) -> Option<f64>;
    /// Its interval at two-sided level `confidence`; `None` when undefined.
    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval>;
    /// The proportion the interval is of (F1's: J) and how many
    /// independent trials it counts; `None` when it is of no proportion.
    fn proportion(&self, _metric: Metric) -> Option<(f64, f64)> {
        None
    }
}

/// Counts: the metric of the pairs, the Wilson interval of its proportion.
impl Evidence for Counts {
    fn value(&self, metric: Metric) -> Option<f64> {
        metric.of(self)
    }

    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval> {
        interval(metric, self, confidence)
    }

    fn proportion(&self, metric: Metric) -> Option<(f64, f64)> {
        let (k, n) = proportion(metric, self);
        (n > 0).then(|| (k as f64 / n as f64, n as f64))
    }
}

/// Weighted sums: the weighted metric, and the Wilson interval of its
/// proportion with Kish's effective sample size as the number of trials.
impl Evidence for Weighted {
    fn value(&self, metric: Metric) -> Option<f64> {
        Weighted::value(self, metric)
    }

    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval> {
        let (q, n) = self.proportion(metric)?;
        Some(mapped(metric, wilson_rate(q, n, confidence)))
    }

    fn proportion(&self, metric: Metric) -> Option<(f64, f64)> {
        Weighted::proportion(self, metric)
    }
}

/// Evidence whose pairs are worth another number of independent ones: each
/// metric's Wilson interval counts its trials `shrink` times as many
/// (correlated pairs: at most 1; a stratified estimate: possibly more); a
/// metric without a shrink keeps its interval.
pub struct Deflated<'a> {
    pub base: &'a dyn Evidence,
    pub shrink: PerMetric<Option<f64>>,
    /// With a shrink from few clusters: Student's t degrees of freedom of
    /// the critical value (clusters − 1), else the normal's.
    pub degrees: PerMetric<Option<f64>>,
}

impl Evidence for Deflated<'_> {
    fn value(&self, metric: Metric) -> Option<f64> {
        self.base.value(metric)
    }

    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval> {
        let Some(shrink) = self.shrink.get(metric) else {
            return self.base.interval(metric, confidence);
        };
        let (q, n) = self.base.proportion(metric)?;
        let crit = critical(confidence, self.degrees.get(metric));
        Some(mapped(metric, wilson_at(q, n * shrink, crit)))
    }

    fn proportion(&self, metric: Metric) -> Option<(f64, f64)> {
        let (q, n) = self.base.proportion(metric)?;
        Some((q, n * self.shrink.get(metric).unwrap_or(1.0)))
    }
}

/// A two-sided interval, `lower <= upper`, both in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

/// The standard normal's upper quantile: the `z` with `P(Z > z) = tail`,
/// for `tail` in (0, 0.5]. Newton's method on `erfc`, from a rough start,
/// to the last bit (scipy's `norm.isf` agrees within 1e-15).
pub fn normal_upper_quantile(tail: f64) -> f64 {
    // One level serves a whole run (every curve point, every metric): the
    // last answer is kept per thread.
    thread_local! {
        static LAST: std::cell::Cell<(u64, f64)> = const { std::cell::Cell::new((u64::MAX, 0.0)) };
    }
    let (bits, z) = LAST.get();
    if bits == tail.to_bits() {
        return z;
    }
    let z = solve_upper_quantile(tail);
    LAST.set((tail.to_bits(), z));
    z
}

fn solve_upper_quantile(tail: f64) -> f64 {
    let q = |z: f64| 0.5 * libm::erfc(z / std::f64::consts::SQRT_2);
    let density = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    // A start within 0.05 of the root (Abramowitz and Stegun 26.2.23 shape).
    let t = (-2.0 * tail.ln()).sqrt();
    let mut z = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    for _ in 0..50 {
        let step = (q(z) - tail) / density(z);
        z += step;
        if step.abs() <= 1e-16 * z.abs().max(1.0) {
            break;
        }
    }
    z
}

/// The Wilson score interval of `successes` in `trials` at two-sided level
/// `confidence`; `None` when there is no trial.
pub fn wilson(successes: u64, trials: u64, confidence: f64) -> Option<Interval> {
    if trials == 0 {
        return None;
    }
    Some(wilson_rate(successes as f64 / trials as f64, trials as f64, confidence))
}

/// The Wilson score interval of a proportion `q` over `n` trials, which may
/// be fractional (an effective sample size), `n > 0`.
pub fn wilson_rate(q: f64, n: f64, confidence: f64) -> Interval {
    wilson_at(q, n, normal_upper_quantile((1.0 - confidence) / 2.0))
}

/// The one-sided critical value of a two-sided interval at `confidence`:
/// Student's t on `degrees` of freedom when given (a `cluster_by` design's
/// clusters less one), else the normal's.
pub fn critical(confidence: f64, degrees: Option<f64>) -> f64 {
    let tail = (1.0 - confidence) / 2.0;
    degrees.map_or_else(|| normal_upper_quantile(tail), |df| t_upper_quantile(tail, df))
}

/// Student's t upper quantile: the `t` with `P(T > t) = tail` for `df`
/// degrees of freedom (statrs' inverse CDF; scipy's `t.isf` agrees within
/// 1e-9). At least one degree of freedom.
pub fn t_upper_quantile(tail: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    // A run asks for one level at each metric's degrees, at every curve
    // point: the last few answers are kept per thread.
    type Kept = [((u64, u64), f64); 4];
    thread_local! {
        static KEPT: std::cell::Cell<(Kept, usize)> =
            const { std::cell::Cell::new(([((u64::MAX, u64::MAX), 0.0); 4], 0)) };
    }
    let key = (tail.to_bits(), df.to_bits());
    let (mut kept, next) = KEPT.get();
    if let Some((_, t)) = kept.iter().find(|(k, _)| *k == key) {
        return *t;
    }
    let t = StudentsT::new(0.0, 1.0, df.max(1.0)).expect("a positive number of degrees");
    let t = t.inverse_cdf(1.0 - tail);
    kept[next] = (key, t);
    KEPT.set((kept, (next + 1) % kept.len()));
    t
}

/// The Wilson score interval of `q` over `n` trials at critical value
/// `crit` (a normal or t quantile).
pub fn wilson_at(q: f64, n: f64, crit: f64) -> Interval {
    let crit2 = crit * crit;
    let denom = 1.0 + crit2 / n;
    let center = (q + crit2 / (2.0 * n)) / denom;
    let dist = crit * (q * (1.0 - q) / n + crit2 / (4.0 * n * n)).sqrt() / denom;
    Interval { lower: (center - dist).max(0.0), upper: (center + dist).min(1.0) }
}

/// A proportion's interval as the metric's: F1's through J's.
fn mapped(metric: Metric, w: Interval) -> Interval {
    match metric {
        Metric::F1 => Interval { lower: f1_of_jaccard(w.lower), upper: f1_of_jaccard(w.upper) },
        _ => w,
    }
}

/// F1 as a function of J = TP/(TP+FP+FN).
fn f1_of_jaccard(j: f64) -> f64 {
    2.0 * j / (1.0 + j)
}

/// J = TP/(TP+FP+FN) as a function of F1, its inverse.
pub fn jaccard_of_f1(f1: f64) -> f64 {
    f1 / (2.0 - f1)
}

/// Successes and trials of a metric's proportion: TP of TP+FP (precision),
/// TP of TP+FN (recall), TP of TP+FP+FN (F1, through J).
fn proportion(metric: Metric, c: &Counts) -> (u64, u64) {
    (c.tp, metric.trials(c))
}

/// The interval of one metric; `None` when the metric is undefined.
pub fn interval(metric: Metric, c: &Counts, confidence: f64) -> Option<Interval> {
    let (k, n) = proportion(metric, c);
    Some(mapped(metric, wilson(k, n, confidence)?))
}

/// Every metric's interval.
pub fn intervals(e: &(impl Evidence + ?Sized), confidence: f64) -> PerMetric<Option<Interval>> {
    PerMetric::from_fn(|m| e.interval(m, confidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12
    }

    #[test]
    fn quantiles_match_the_normal_table() {
        // scipy.stats.norm.isf
        assert!(close(normal_upper_quantile(0.025), 1.959963984540054));
        assert!(close(normal_upper_quantile(0.25), 0.6744897501960817));
        assert!(close(normal_upper_quantile(0.0005), 3.2905267314918945));
        assert!(close(normal_upper_quantile(0.5), 0.0));
    }

    #[test]
    fn t_quantiles_match_scipy() {
        // scipy.stats.t.isf(0.025, df), and isf(0.005, 4).
        for (tail, df, scipy) in [
            (0.025, 1.0, 12.706204736174698),
            (0.025, 2.0, 4.302652729749464),
            (0.025, 9.0, 2.2621571627409915),
            (0.025, 29.0, 2.045229642132703),
            (0.025, 99.0, 1.9842169515086827),
            (0.005, 4.0, 4.604094871349993),
        ] {
            let t = t_upper_quantile(tail, df);
            assert!((t - scipy).abs() <= 1e-9 * scipy, "{df}: {t} vs {scipy}");
        }
    }

    #[test]
    fn wilson_edge_cases_by_hand() {
        // TP = 0: the lower bound is 0, the upper z^2/(n + z^2).
        let z = normal_upper_quantile(0.025);
        let w = wilson(0, 10, 0.95).unwrap();
        assert!(close(w.lower, 0.0), "{w:?}");
        assert!(close(w.upper, z * z / (10.0 + z * z)), "{w:?}");
        // TP = n: mirrored.
        let w = wilson(10, 10, 0.95).unwrap();
        assert!(close(w.lower, 10.0 / (10.0 + z * z)), "{w:?}");
        assert!(close(w.upper, 1.0), "{w:?}");
        // n = 1, one success: [1/(1+z^2), 1].
        let w = wilson(1, 1, 0.95).unwrap();
        assert!(close(w.lower, 1.0 / (1.0 + z * z)), "{w:?}");
        // Confidence 0.5 and 0.999 bracket 0.95.
        let narrow = wilson(90, 100, 0.5).unwrap();
        let wide = wilson(90, 100, 0.999).unwrap();
        let mid = wilson(90, 100, 0.95).unwrap();
        assert!(wide.lower < mid.lower && mid.lower < narrow.lower && narrow.lower < 0.9);
        assert!(narrow.upper < mid.upper && mid.upper < wide.upper && narrow.upper > 0.9);
        assert_eq!(wilson(0, 0, 0.95), None);
    }

    #[test]
    fn f1_interval_maps_the_jaccard_interval() {
        let c = Counts { tp: 80, fp: 10, fn_: 10, tn: 900 };
        let j = wilson(80, 100, 0.95).unwrap();
        let f1 = interval(Metric::F1, &c, 0.95).unwrap();
        assert!(close(f1.lower, 2.0 * j.lower / (1.0 + j.lower)));
        assert!(close(f1.upper, 2.0 * j.upper / (1.0 + j.upper)));
        let point = Metric::F1.of(&c).unwrap();
        assert!(f1.lower < point && point < f1.upper);
        assert_eq!(interval(Metric::Precision, &Counts::default(), 0.95), None);
    }
}
