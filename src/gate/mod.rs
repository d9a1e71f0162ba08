//! The gate: rules over metrics, and the verdict they give.
//!
//! Pure: [`decide`] turns counts and rules into a [`Verdict`], which
//! decides the exit code. Every rule is kept with its value and status so
//! reports can explain each one. The verdict is its own type, built to grow:
//! new outcomes (inconclusive) and rule kinds (per slice, versus a baseline)
//! are new variants, not new booleans.

use crate::exit::Exit;
use crate::metrics::{Metric, PerMetric};
use crate::stats::{Evidence, Interval};

/// The inclusive lower bounds the metrics must reach.
pub type Thresholds = PerMetric<f64>;

/// Largest allowed falls of each metric below the baseline; `None` = no rule.
pub type Drops = PerMetric<Option<f64>>;

/// A condition the model must meet.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// `metric >= threshold`.
    AtLeast {
        metric: Metric,
        /// Its inclusive lower bound.
        threshold: f64,
    },
    /// `metric >= baseline - max_drop`: no more than `max_drop` below the
    /// previous model.
    MaxDrop {
        metric: Metric,
        /// The largest allowed fall, absolute.
        max_drop: f64,
        /// The previous model's value; `None` when it was undefined.
        baseline: Option<f64>,
    },
}

impl Rule {
    /// The metric the rule is about.
    pub fn metric(&self) -> Metric {
        match *self {
            Rule::AtLeast { metric, .. } | Rule::MaxDrop { metric, .. } => metric,
        }
    }
}

/// Slack for comparisons against `baseline - max_drop`, which binary
/// rounding can put a hair above a value that is exactly on the bound
/// (0.92 - 0.02 is not exactly 0.90).
const DROP_TOLERANCE: f64 = 1e-12;

/// How one rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The rule holds.
    Pass,
    /// The rule does not hold.
    Fail,
    /// The minimum lies inside the metric's confidence interval: the data
    /// cannot tell whether the rule holds.
    Inconclusive,
    /// The metric is undefined (0/0), so the rule cannot hold.
    Undefined,
}

/// One rule with its outcome.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Check {
    pub rule: Rule,
    /// The metric's value; `None` when undefined.
    pub value: Option<f64>,
    /// The metric's confidence interval, when `confidence` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// A drop rule's interval of the change (new − previous), when
    /// `confidence` is set: the paired interval when both models decided
    /// these pairs, else Newcombe's from the two values' intervals when the
    /// baseline report gives the previous value's trials. The rule is then
    /// a non-inferiority margin: it passes when the lower bound is at least
    /// −max_drop, fails when the upper bound is below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Interval>,
    /// Whether it holds.
    pub status: Status,
}

impl Check {
    /// The metric the rule is about.
    pub fn metric(&self) -> Metric {
        self.rule.metric()
    }

    /// The lowest passing value: the threshold, or the baseline less the
    /// allowed drop; `None` when the baseline is undefined.
    pub fn floor(&self) -> Option<f64> {
        match self.rule {
            Rule::AtLeast { threshold, .. } => Some(threshold),
            Rule::MaxDrop { max_drop, baseline, .. } => baseline.map(|b| b - max_drop),
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
    /// No rule fails, but at least one is inconclusive.
    Inconclusive,
}

impl Outcome {
    /// `pass`, `fail` or `inconclusive`: the `verdict` output.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "pass",
            Outcome::Failed => "fail",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

/// What an inconclusive verdict does to the step (input `on_inconclusive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInconclusive {
    /// The step fails: the model must show it meets the bar.
    #[default]
    Fail,
    /// The step passes with a warning.
    Warn,
    /// The step passes.
    Pass,
}

/// Every check and the outcome they add up to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    pub outcome: Outcome,
    /// Each rule, in report order.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Whether the gate passed outright.
    pub fn is_passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// Whether the step succeeds on this verdict under `policy`.
    pub fn is_success(&self, policy: OnInconclusive) -> bool {
        match self.outcome {
            Outcome::Passed => true,
            Outcome::Failed => false,
            Outcome::Inconclusive => policy != OnInconclusive::Fail,
        }
    }

    /// How the process ends under `policy`: passed when the step succeeds,
    /// else failed.
    pub fn exit(&self, policy: OnInconclusive) -> Exit {
        if self.is_success(policy) { Exit::Passed } else { Exit::Failed }
    }

    /// The checks that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        failures(&self.checks)
    }
}

/// The checks of a list that did not pass, in order.
pub fn failures(checks: &[Check]) -> impl Iterator<Item = &Check> {
    checks.iter().filter(|c| !c.is_pass())
}

/// What the baseline says of one metric: its value, and its interval when
/// its trials are known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    /// The previous value; `None` when it was undefined.
    pub value: Option<f64>,
    /// Its interval at the gate's level.
    pub interval: Option<Interval>,
    /// The interval of the change (new − previous) measured on the same
    /// pairs, at the gate's level: it then judges the drop directly.
    pub change: Option<Interval>,
}

/// Applies the thresholds, and the drop rules against the baseline, to the
/// counts. `baseline` gives the previous value of a metric (and its
/// interval: a drop is then judged on the interval of the change). With
/// `confidence`, a threshold rule passes when the metric's interval lies at
/// or above the threshold, fails when it lies below, and is inconclusive
/// when the threshold is inside it; without, the point value decides.
pub fn decide(
    evidence: &(impl Evidence + ?Sized),
    thresholds: &Thresholds,
    drops: &Drops,
    baseline: Option<&dyn Fn(Metric) -> Prior>,
    confidence: Option<f64>,
) -> Verdict {
    let mut rules: Vec<Rule> = Metric::ALL
        .into_iter()
        .map(|metric| Rule::AtLeast { metric, threshold: thresholds.get(metric) })
        .collect();
    let mut priors = Vec::new();
    if let Some(previous) = baseline {
        for metric in Metric::ALL {
            let (Some(max_drop), prior) = (drops.get(metric), previous(metric)) else { continue };
            rules.push(Rule::MaxDrop { metric, max_drop, baseline: prior.value });
            priors.push(prior);
        }
    }
    let thresholds = Metric::ALL.len();
    let checks: Vec<Check> = rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| {
            let prior = i.checked_sub(thresholds).map(|k| priors[k]);
            check(rule, evidence, confidence, prior)
        })
        .collect();
    let outcome = if checks.iter().all(Check::is_pass) {
        Outcome::Passed
    } else if checks.iter().all(|c| matches!(c.status, Status::Pass | Status::Inconclusive)) {
        Outcome::Inconclusive
    } else {
        Outcome::Failed
    };
    Verdict { outcome, checks }
}

/// One rule against the evidence; `prior` is what a drop rule knows of
/// the previous model.
fn check(
    rule: Rule,
    evidence: &(impl Evidence + ?Sized),
    confidence: Option<f64>,
    prior: Option<Prior>,
) -> Check {
    let value = evidence.value(rule.metric());
    let interval = confidence.and_then(|level| evidence.interval(rule.metric(), level));
    let mut check = Check { rule, value, interval, change: None, status: Status::Undefined };
    if let Rule::MaxDrop { max_drop, baseline, .. } = rule {
        // A change measured on the same pairs; else one combined from the
        // two intervals (unpaired); without the previous value's interval,
        // point values decide.
        let paired = prior.and_then(|p| p.change).filter(|_| confidence.is_some());
        let unpaired = || {
            let (Some(v), Some(i), Some(b), Some(p)) =
                (value, interval, baseline, prior.and_then(|p| p.interval))
            else {
                return None;
            };
            Some(crate::stats::difference((v, i), (b, p)))
        };
        let Some(change) = paired.or_else(unpaired) else {
            check.interval = None;
            check.status = point_drop(value, check.floor());
            return check;
        };
        check.change = Some(change);
        check.status = if change.lower >= -max_drop - DROP_TOLERANCE {
            Status::Pass
        } else if change.upper < -max_drop {
            Status::Fail
        } else {
            Status::Inconclusive
        };
        return check;
    }
    check.status = match (value, check.floor(), interval) {
        (Some(_), Some(floor), Some(i)) if i.lower >= floor => Status::Pass,
        (Some(_), Some(floor), Some(i)) if i.upper < floor => Status::Fail,
        (Some(_), Some(_), Some(_)) => Status::Inconclusive,
        (Some(v), Some(floor), None) if v >= floor => Status::Pass,
        (Some(_), Some(_), None) => Status::Fail,
        _ => Status::Undefined,
    };
    check
}

/// A drop rule on point values: the value at least the baseline less the
/// drop, within [`DROP_TOLERANCE`].
fn point_drop(value: Option<f64>, floor: Option<f64>) -> Status {
    match (value, floor) {
        (Some(v), Some(floor)) if v + DROP_TOLERANCE >= floor => Status::Pass,
        (Some(_), Some(_)) => Status::Fail,
        _ => Status::Undefined,
    }
}

#[cfg(test)]
mod tests;
