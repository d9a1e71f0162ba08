//! Runbook step 6 in the summary and the comment: what to look at and what
//! to change first when a rule does not pass (low precision: the false
//! positives, a higher threshold; low recall: the false negatives, a lower
//! one; a drop from the previous model: the two compared pair by pair).

use serde::Serialize;

use crate::gate::{self, Rule, Status};
use crate::metrics::Metric;
use crate::report::Report;
use crate::report::format::code;

/// One piece of advice: a title and what to do.
#[derive(Serialize)]
pub(super) struct Advice {
    pub(super) title: String,
    pub(super) items: Vec<String>,
}

/// The advice for a run of pairs: what to look at and change first, after
/// the rule that did not pass.
pub(super) fn pairs(r: &Report) -> Vec<Advice> {
    // The advice follows the rule that did not pass: a minimum (low, or
    // undecided with `confidence`) or a drop from the previous model.
    let below = |m: Metric| {
        gate::failures(&r.checks)
            .find(|c| matches!(c.rule, Rule::AtLeast { metric, .. } if metric == m))
            .map(|c| c.status)
    };
    let failing = |m: Metric| below(m).is_some();
    let low = |m: Metric| match below(m) {
        Some(Status::Inconclusive) => format!("{} may be below its minimum", m.title()),
        _ => format!("{} is low", m.title()),
    };
    let (raise, lower) = moves(r);
    let mut out = Vec::new();
    if failing(Metric::Precision) {
        out.push(Advice {
            title: format!("{}: {} false positives", low(Metric::Precision), r.counts.fp),
            items: vec![
                "Look at the false positives first: pairs labelled non-match that the model matched. They are usually look-alikes that are different entities (same name and city, shared address, parent and subsidiary).".to_string(),
                raise,
                "Add hard negative examples to the training data: non-matching pairs that look alike.".to_string(),
            ],
        });
    }
    if failing(Metric::Recall) {
        out.push(Advice {
            title: format!("{}: {} missed matches (false negatives)", low(Metric::Recall), r.counts.fn_),
            items: vec![
                "Look at the false negatives first: pairs labelled match that the model missed. Typical causes: typos, transliterations, nicknames, missing or reordered fields.".to_string(),
                lower,
                "Add diverse positive examples: the variations the model misses. Check too that blocking did not drop true pairs before scoring.".to_string(),
            ],
        });
    }
    if failing(Metric::F1) && !failing(Metric::Precision) && !failing(Metric::Recall) {
        out.push(Advice {
            title: "F1 is low although precision and recall each pass".to_string(),
            items: vec![
                "Both are close to their thresholds: improve the weaker one, with the advice for low precision (false positives) or low recall (false negatives).".to_string(),
            ],
        });
    }
    out.extend(dropped(r));
    out
}

/// The advice for a fall below the previous model further than allowed.
fn dropped(r: &Report) -> Option<Advice> {
    let names: Vec<&str> = gate::failures(&r.checks)
        .filter(|c| matches!(c.rule, Rule::MaxDrop { .. }))
        .map(|c| c.metric().title())
        .collect();
    (!names.is_empty()).then(|| Advice {
        title: format!("{} fell further below the previous model than allowed", names.join(", ")),
        items: vec![
            "The previous model did better on its dataset: when both ran on the same pairs (the comparison says so), compare their false positives and false negatives pair by pair.".to_string(),
            "A change of dataset moves the numbers too: a baseline on another dataset mixes the model's change with the data's.".to_string(),
        ],
    })
}

/// How to raise and how to lower the decision threshold: the input, or
/// the score threshold a prediction column was derived with.
fn moves(r: &Report) -> (String, String) {
    let column = code(&r.decision.column);
    match r.decision.threshold {
        Some(t) => (
            format!(
                "Raise `decision_threshold` (now {t}): fewer pairs become matches, so precision rises and recall falls; re-run to see both move."
            ),
            format!(
                "Lower `decision_threshold` (now {t}): more pairs become matches, so recall rises and precision falls."
            ),
        ),
        None => (
            format!(
                "Re-derive {column} with a higher score threshold: precision rises and recall falls."
            ),
            format!(
                "Re-derive {column} with a lower score threshold: recall rises and precision falls."
            ),
        ),
    }
}
