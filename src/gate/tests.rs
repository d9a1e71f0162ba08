use super::*;
use crate::metrics::Counts;

const DEFAULTS: Thresholds = Thresholds { precision: 0.92, recall: 0.88, f1: 0.90 };
const NONE: Drops = Drops { precision: None, recall: None, f1: None };
const ZERO: Thresholds = Thresholds { precision: 0.0, recall: 0.0, f1: 0.0 };

#[test]
fn drop_rules_compare_with_the_baseline_inclusively() {
    // P = 0.9, R = 0.9, F1 = 0.9.
    let counts = Counts { tp: 90, fp: 10, fn_: 10, tn: 0 };
    let drops = Drops { precision: Some(0.02), recall: None, f1: Some(0.01) };
    let previous = |m: Metric| Prior {
        value: match m {
            Metric::Precision => Some(0.92),
            Metric::Recall => Some(0.99),
            Metric::F1 => Some(0.92),
        },
        interval: None,
        change: None,
    };
    let v = decide(&counts, &ZERO, &drops, Some(&previous), None);
    assert_eq!(v.checks.len(), 5, "three thresholds, two drop rules");
    // Precision fell exactly 2 points: allowed. F1 fell 2 points, 1 allowed.
    let precision =
        Rule::MaxDrop { metric: Metric::Precision, max_drop: 0.02, baseline: Some(0.92) };
    assert_eq!(v.checks[3].rule, precision);
    assert_eq!(v.checks[3].status, Status::Pass);
    assert_eq!(v.checks[4].metric(), Metric::F1);
    assert_eq!(v.checks[4].status, Status::Fail);
    assert_eq!(v.outcome, Outcome::Failed);
}

#[test]
fn undefined_baseline_makes_the_drop_rule_undefined() {
    let counts = Counts { tp: 90, fp: 10, fn_: 10, tn: 0 };
    let drops = Drops { precision: Some(0.5), recall: None, f1: None };
    let v = decide(
        &counts,
        &ZERO,
        &drops,
        Some(&|_| Prior { value: None, interval: None, change: None }),
        None,
    );
    assert_eq!(v.checks[3].status, Status::Undefined);
    assert_eq!(v.checks[3].floor(), None);
    assert!(!v.is_passed());
    // Without a baseline no drop rule is made.
    assert_eq!(decide(&counts, &ZERO, &drops, None, None).checks.len(), 3);
}

#[test]
fn passes_when_every_metric_reaches_its_threshold() {
    let v = decide(&Counts { tp: 95, fp: 5, fn_: 5, tn: 895 }, &DEFAULTS, &NONE, None, None);
    assert!(v.is_passed());
    assert_eq!(v.exit(OnInconclusive::Fail), Exit::Passed);
    assert_eq!(v.failures().count(), 0);
}

#[test]
fn thresholds_are_inclusive() {
    // P = 92/100 exactly, R = 92/100, F1 = 184/200.
    let v = decide(&Counts { tp: 92, fp: 8, fn_: 8, tn: 0 }, &DEFAULTS, &NONE, None, None);
    assert!(v.is_passed(), "{v:?}");
    let strict = Thresholds { precision: 0.9200001, ..DEFAULTS };
    let v = decide(&Counts { tp: 92, fp: 8, fn_: 8, tn: 0 }, &strict, &NONE, None, None);
    assert_eq!(v.checks[0].status, Status::Fail);
    assert_eq!(v.exit(OnInconclusive::Pass), Exit::Failed);
}

#[test]
fn undefined_precision_fails_the_gate_and_says_so() {
    let v = decide(&Counts { tp: 0, fp: 0, fn_: 10, tn: 90 }, &DEFAULTS, &NONE, None, None);
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(v.checks[0].status, Status::Undefined);
    assert_eq!(v.checks[0].value, None);
    assert_eq!(v.checks[1].status, Status::Fail);
    assert_eq!(v.checks[1].value, Some(0.0));
}

#[test]
fn with_confidence_the_interval_decides_in_three_ways() {
    // Recall 893/1000 against 0.88: the 95% interval holds 0.88.
    let counts = Counts { tp: 893, fp: 7, fn_: 107, tn: 0 };
    let t = Thresholds { precision: 0.95, recall: 0.88, f1: 0.5 };
    let v = decide(&counts, &t, &NONE, None, Some(0.95));
    assert_eq!(v.checks[0].status, Status::Pass, "P = 893/900, lower bound above 0.95");
    assert_eq!(v.checks[1].status, Status::Inconclusive);
    assert_eq!(v.checks[2].status, Status::Pass);
    assert_eq!(v.outcome, Outcome::Inconclusive);
    assert_eq!(v.exit(OnInconclusive::Fail), Exit::Failed);
    assert_eq!(v.exit(OnInconclusive::Warn), Exit::Passed);
    assert!(v.is_success(OnInconclusive::Pass));
    let i = v.checks[1].interval.unwrap();
    assert!(i.lower < 0.88 && 0.88 < i.upper, "{i:?}");
    // Far below: fail, whatever the policy.
    let t = Thresholds { recall: 0.95, ..t };
    let v = decide(&counts, &t, &NONE, None, Some(0.95));
    assert_eq!(v.checks[1].status, Status::Fail);
    assert_eq!(v.outcome, Outcome::Failed);
    assert!(!v.is_success(OnInconclusive::Pass));
    // A failing drop rule fails an otherwise inconclusive verdict.
    let t = Thresholds { precision: 0.95, recall: 0.88, f1: 0.5 };
    let drops = Drops { precision: None, recall: None, f1: Some(0.0) };
    let point = |_| Prior { value: Some(0.99), interval: None, change: None };
    let v = decide(&counts, &t, &drops, Some(&point), Some(0.95));
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(v.checks[3].interval, None, "without the previous interval, point values");
    assert_eq!(v.checks[3].change, None);
    // With it, the drop is a non-inferiority margin on the change.
    let wide = |_| Prior {
        value: Some(0.91),
        interval: Some(Interval { lower: 0.85, upper: 0.95 }),
        change: None,
    };
    let v = decide(&counts, &t, &drops, Some(&wide), Some(0.95));
    let change = v.checks[3].change.unwrap();
    assert!(change.lower < 0.0 && change.upper > 0.0, "{change:?}");
    assert_eq!(v.checks[3].status, Status::Inconclusive);
    // A change measured on the same pairs decides by itself, in three
    // ways: wholly above -margin, wholly below, or across it.
    let drops = Drops { f1: Some(0.01), ..NONE };
    for (lower, upper, status) in [
        (-0.01, 0.02, Status::Pass),
        (-0.05, -0.011, Status::Fail),
        (-0.02, 0.01, Status::Inconclusive),
    ] {
        let paired = |_| Prior {
            value: Some(0.91),
            interval: None,
            change: Some(Interval { lower, upper }),
        };
        let v = decide(&counts, &t, &drops, Some(&paired), Some(0.95));
        assert_eq!(v.checks[3].change, Some(Interval { lower, upper }));
        assert_eq!(v.checks[3].status, status, "{lower} {upper}");
        let v = decide(&counts, &t, &drops, Some(&paired), None);
        assert_eq!(v.checks[3].change, None, "without confidence, point values");
    }
}

#[test]
fn zero_thresholds_still_require_a_defined_metric() {
    let zero = Thresholds { precision: 0.0, recall: 0.0, f1: 0.0 };
    assert!(decide(&Counts { tp: 0, fp: 1, fn_: 1, tn: 0 }, &zero, &NONE, None, None).is_passed());
    assert!(!decide(&Counts { tp: 0, fp: 0, fn_: 1, tn: 0 }, &zero, &NONE, None, None).is_passed());
}
