//! What a baseline report's metrics were measured on: each metric's trials
//! (its denominator's pairs, or the effective pairs its interval counted),
//! so that a drop rule can weigh the previous value's uncertainty too.
//!
//! Read from a JSON report's `counts`, and the effective pairs of
//! `intervals.cluster_by`, `strata` or `weights.effective_size` when the
//! previous run had them. A model card carries no counts: drops against it
//! stay point comparisons.

use serde_json::Value;

use crate::metrics::{Counts, Metric, PerMetric};

/// What one metric's interval counted: its trials, and with `cluster_by`
/// the degrees of freedom of its critical value (clusters − 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trials {
    pub trials: f64,
    pub degrees: Option<f64>,
}

/// Each metric's trials in a baseline report; `None` for a metric whose
/// trials the report does not give. `Err` names a field that is there and
/// is no count.
pub fn trials(report: &Value) -> Result<PerMetric<Option<Trials>>, (&'static str, String)> {
    let Some(counts) = report.get("counts").filter(|c| !c.is_null()) else {
        return Ok(PerMetric::from_fn(|_| None));
    };
    let cell = |name: &'static str, field: &'static str| -> Result<u64, (&'static str, String)> {
        counts.get(name).and_then(Value::as_u64).ok_or((field, shown(counts.get(name))))
    };
    let counts = Counts {
        tp: cell("tp", "counts.tp")?,
        fp: cell("fp", "counts.fp")?,
        fn_: cell("fn", "counts.fn")?,
        tn: cell("tn", "counts.tn")?,
    };
    let of = |m: Metric| -> Result<Option<Trials>, (&'static str, String)> {
        let trials = effective(report, m)?.unwrap_or(m.trials(&counts) as f64);
        Ok(Some(Trials { trials, degrees: degrees(report, m)? }))
    };
    Ok(PerMetric {
        precision: of(Metric::Precision)?,
        recall: of(Metric::Recall)?,
        f1: of(Metric::F1)?,
    })
}

/// The effective pairs the report's interval of `m` counted, when it
/// counted other than its pairs.
fn effective(report: &Value, m: Metric) -> Result<Option<f64>, (&'static str, String)> {
    let places: [(&'static str, &[&str]); 3] = [
        (
            "intervals.cluster_by.*.effective_pairs",
            &["intervals", "cluster_by", m.name(), "effective_pairs"],
        ),
        ("strata.*.effective_pairs", &["strata", m.name(), "effective_pairs"]),
        ("weights.effective_size.*", &["weights", "effective_size", m.name()]),
    ];
    for (field, path) in places {
        let value = path.iter().try_fold(report, |v, key| v.get(key));
        if let Some(v) = value.filter(|v| !v.is_null()) {
            return match v.as_f64().filter(|n| n.is_finite() && *n > 0.0) {
                Some(n) => Ok(Some(n)),
                None => Err((field, shown(Some(v)))),
            };
        }
    }
    Ok(None)
}

/// The degrees of freedom of a `cluster_by` interval: its clusters less one.
fn degrees(report: &Value, m: Metric) -> Result<Option<f64>, (&'static str, String)> {
    let path = ["intervals", "cluster_by", m.name(), "clusters"];
    let Some(v) = path.iter().try_fold(report, |v, key| v.get(key)).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    match v.as_u64().filter(|g| *g >= 2) {
        Some(g) => Ok(Some((g - 1) as f64)),
        None => Err(("intervals.cluster_by.*.clusters", shown(Some(v)))),
    }
}

/// A field's JSON as the error shows it.
fn shown(value: Option<&Value>) -> String {
    value.map_or("nothing".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trials_come_from_the_counts_or_the_effective_pairs() {
        let counts = json!({"tp": 90, "fp": 10, "fn": 30, "tn": 5});
        let n = |trials| Some(Trials { trials, degrees: None });
        let plain = trials(&json!({ "counts": counts })).unwrap();
        assert_eq!(plain, PerMetric { precision: n(100.0), recall: n(120.0), f1: n(130.0) });
        let design = json!({"recall": {"effective_pairs": 40.5, "clusters": 12}});
        let clustered = json!({"counts": counts, "intervals": {"cluster_by": design}});
        let recall = Some(Trials { trials: 40.5, degrees: Some(11.0) });
        assert_eq!(trials(&clustered).unwrap().recall, recall);
        let sizes = json!({"f1": 77.0, "recall": null});
        let weighted = json!({"counts": counts, "weights": {"effective_size": sizes}});
        assert_eq!(trials(&weighted).unwrap().f1, n(77.0));
        // A card has no counts: no trials.
        assert_eq!(trials(&json!({})).unwrap(), PerMetric::from_fn(|_| None));
    }

    #[test]
    fn a_count_that_is_no_count_is_named() {
        let bad = json!({"counts": {"tp": -1, "fp": 1, "fn": 1, "tn": 1}});
        assert_eq!(trials(&bad), Err(("counts.tp", "-1".to_string())));
        let bad = json!({"counts": {"tp": 1, "fp": 1, "fn": 1, "tn": 1}, "strata": {"precision": {"effective_pairs": "many"}}});
        assert_eq!(trials(&bad), Err(("strata.*.effective_pairs", "\"many\"".to_string())));
    }
}
