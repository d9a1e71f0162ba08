//! Flagging slices below overall without flagging noise: a one-sided score
//! test per slice and metric, and Holm's step-down procedure over all of
//! them, so that however many slices are tested, slices no worse than the
//! bound are flagged in at most the family's level of runs.
//!
//! The score test at bound `b` rejects "the proportion is at least `b`"
//! exactly when the Wilson interval at the matching level lies wholly
//! below `b`, so a flagged slice's interval is always wholly below.
//! tests/slices_oracle.py checks both against statsmodels'
//! `proportions_ztest(..., prop_var=b)` and `multipletests(method="holm")`.

/// The one-sided p-value of a proportion `q` over `n` trials against "the
/// proportion is at least `bound`": `P(Z <= (q - bound) / sqrt(bound(1 -
/// bound) / n))`, the variance taken at the bound as the score test does;
/// with `degrees` (a `cluster_by` design's clusters less one), Student's t
/// on them in place of Z, as the interval's critical value is.
pub fn below_p_value(q: f64, n: f64, bound: f64, degrees: Option<f64>) -> f64 {
    if bound <= 0.0 {
        return 1.0;
    }
    if bound >= 1.0 {
        return if q < 1.0 { 0.0 } else { 1.0 };
    }
    let z = (q - bound) / (bound * (1.0 - bound) / n).sqrt();
    match degrees {
        Some(df) => {
            use statrs::distribution::{ContinuousCDF, StudentsT};
            let t = StudentsT::new(0.0, 1.0, df.max(1.0)).expect("a positive number of degrees");
            t.cdf(z)
        }
        None => 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2),
    }
}

/// Holm's step-down procedure at family-wise level `alpha`: the p-values
/// in ascending order are rejected while the k-th smallest (from 0) is at
/// most `alpha / (m - k)`; the first that is not stops it. Returns which
/// of `p_values`, in their order, are rejected.
pub fn holm(p_values: &[f64], alpha: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p_values[*a].total_cmp(&p_values[*b]));
    let mut rejected = vec![false; m];
    for (k, i) in order.into_iter().enumerate() {
        if p_values[i] > alpha / (m - k) as f64 {
            break;
        }
        rejected[i] = true;
    }
    rejected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::wilson_rate;

    #[test]
    fn the_score_test_rejects_where_the_wilson_interval_lies_below() {
        // At one-sided 2.5%, the p-value crosses 0.025 where the 95% Wilson
        // upper bound crosses the bound.
        for (q, n) in [(0.80, 100.0), (0.85, 400.0), (0.5, 30.0), (0.9, 2000.0)] {
            let upper = wilson_rate(q, n, 0.95).upper;
            assert!((below_p_value(q, n, upper, None) - 0.025).abs() < 1e-9, "{q} {n}");
            assert!(below_p_value(q, n, upper + 1e-6, None) < 0.025);
            assert!(below_p_value(q, n, upper - 1e-6, None) > 0.025);
        }
        assert_eq!(below_p_value(0.3, 10.0, 0.0, None), 1.0);
        assert_eq!(below_p_value(0.9, 10.0, 1.0, None), 0.0);
        // With degrees of freedom, at the t critical value's Wilson bound.
        for df in [4.0, 29.0, 199.0] {
            let crit = crate::stats::t_upper_quantile(0.025, df);
            let upper = crate::stats::wilson_at(0.8, 150.0, crit).upper;
            assert!((below_p_value(0.8, 150.0, upper, Some(df)) - 0.025).abs() < 1e-9, "{df}");
        }
    }

    #[test]
    fn holm_steps_down_by_hand() {
        // m = 4 at 0.05: 0.01 <= 0.0125, 0.015 <= 0.0167, 0.03 > 0.025 stops.
        let p = [0.03, 0.01, 0.2, 0.015];
        assert_eq!(holm(&p, 0.05), [false, true, false, true]);
        assert_eq!(holm(&[], 0.05), Vec::<bool>::new());
        assert_eq!(holm(&[0.04], 0.05), [true]);
        // A later small p-value cannot be rejected once one is not.
        assert_eq!(holm(&[0.02, 0.02], 0.03), [false, false]);
    }
}
