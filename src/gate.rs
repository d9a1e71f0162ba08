//! The gate: rules over metrics, and the verdict they give.
//!
//! Pure: [`evaluate`] turns counts and thresholds into a [`Verdict`], which
//! decides the exit code. Every rule is kept with its value and status so
//! reports can explain each one. The verdict is its own type, built to grow:
//! new outcomes (inconclusive) and rule kinds (per slice, versus a baseline)
//! are new variants, not new booleans.

use crate::metrics::{Counts, Metric};

/// The inclusive lower bounds the metrics must reach.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Thresholds {
    /// Lowest passing precision.
    pub precision: f64,
    /// Lowest passing recall.
    pub recall: f64,
    /// Lowest passing F1.
    pub f1: f64,
}

impl Thresholds {
    /// The threshold for `metric`.
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Precision => self.precision,
            Metric::Recall => self.recall,
            Metric::F1 => self.f1,
        }
    }
}

/// A condition the model must meet.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// `metric >= threshold`.
    AtLeast {
        /// The metric.
        metric: Metric,
        /// Its inclusive lower bound.
        threshold: f64,
    },
}

/// How one rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The rule holds.
    Pass,
    /// The rule does not hold.
    Fail,
    /// The metric is undefined (0/0), so the rule cannot hold.
    Undefined,
}

/// One rule with its outcome.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Check {
    /// The rule.
    pub rule: Rule,
    /// The metric's value; `None` when undefined.
    pub value: Option<f64>,
    /// Whether it holds.
    pub status: Status,
}

impl Check {
    /// The metric the rule is about.
    pub fn metric(&self) -> Metric {
        match self.rule {
            Rule::AtLeast { metric, .. } => metric,
        }
    }

    /// The rule's threshold.
    pub fn threshold(&self) -> f64 {
        match self.rule {
            Rule::AtLeast { threshold, .. } => threshold,
        }
    }

    /// Whether the rule holds.
    pub fn is_pass(&self) -> bool {
        self.status == Status::Pass
    }
}

/// The gate's overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every rule holds: ship it.
    Passed,
    /// At least one rule does not hold.
    Failed,
}

impl Outcome {
    /// The process exit code: 0 passed, 1 failed.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 1,
        }
    }
}

/// Every check and the outcome they add up to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    /// The outcome.
    pub outcome: Outcome,
    /// Each rule, in report order.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Whether the gate passed.
    pub fn is_passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// The checks that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.is_pass())
    }
}

/// Applies the thresholds to the counts.
pub fn evaluate(counts: &Counts, thresholds: &Thresholds) -> Verdict {
    let checks: Vec<Check> = Metric::ALL
        .into_iter()
        .map(|metric| {
            let threshold = thresholds.get(metric);
            let value = metric.of(counts);
            let status = match value {
                None => Status::Undefined,
                Some(v) if v >= threshold => Status::Pass,
                Some(_) => Status::Fail,
            };
            Check {
                rule: Rule::AtLeast { metric, threshold },
                value,
                status,
            }
        })
        .collect();
    let outcome = if checks.iter().all(Check::is_pass) {
        Outcome::Passed
    } else {
        Outcome::Failed
    };
    Verdict { outcome, checks }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: Thresholds = Thresholds {
        precision: 0.92,
        recall: 0.88,
        f1: 0.90,
    };

    #[test]
    fn passes_when_every_metric_reaches_its_threshold() {
        let v = evaluate(
            &Counts {
                tp: 95,
                fp: 5,
                fn_: 5,
                tn: 895,
            },
            &DEFAULTS,
        );
        assert!(v.is_passed());
        assert_eq!(v.outcome.exit_code(), 0);
        assert_eq!(v.failures().count(), 0);
    }

    #[test]
    fn thresholds_are_inclusive() {
        // P = 92/100 exactly, R = 92/100, F1 = 184/200.
        let v = evaluate(
            &Counts {
                tp: 92,
                fp: 8,
                fn_: 8,
                tn: 0,
            },
            &DEFAULTS,
        );
        assert!(v.is_passed(), "{v:?}");
        let strict = Thresholds {
            precision: 0.9200001,
            ..DEFAULTS
        };
        let v = evaluate(
            &Counts {
                tp: 92,
                fp: 8,
                fn_: 8,
                tn: 0,
            },
            &strict,
        );
        assert_eq!(v.checks[0].status, Status::Fail);
        assert_eq!(v.outcome.exit_code(), 1);
    }

    #[test]
    fn undefined_precision_fails_the_gate_and_says_so() {
        let v = evaluate(
            &Counts {
                tp: 0,
                fp: 0,
                fn_: 10,
                tn: 90,
            },
            &DEFAULTS,
        );
        assert_eq!(v.outcome, Outcome::Failed);
        assert_eq!(v.checks[0].status, Status::Undefined);
        assert_eq!(v.checks[0].value, None);
        assert_eq!(v.checks[1].status, Status::Fail);
        assert_eq!(v.checks[1].value, Some(0.0));
    }

    #[test]
    fn zero_thresholds_still_require_a_defined_metric() {
        let zero = Thresholds {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
        assert!(
            evaluate(
                &Counts {
                    tp: 0,
                    fp: 1,
                    fn_: 1,
                    tn: 0
                },
                &zero
            )
            .is_passed()
        );
        assert!(
            !evaluate(
                &Counts {
                    tp: 0,
                    fp: 0,
                    fn_: 1,
                    tn: 0
                },
                &zero
            )
            .is_passed()
        );
    }
}
