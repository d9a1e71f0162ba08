//! Markdown for people: the job summary, the verdict comment, the error
//! summary, the model card and the terminal's verdict block.
//!
//! With the one registry of [`super::templates`]. Every number and phrase is
//! formatted in Rust ([`super::format`]), so the templates hold no logic and
//! the output is deterministic.

use std::path::Path;

use serde::Serialize;

use crate::gate::{Check, Outcome, Status};
use crate::report::Report;
use crate::report::card::Card;
use crate::report::format::{self, Units};
use crate::report::templates::{RenderError, registry, render_user};
use crate::report::view::View;
use crate::untrusted::shown;

const SUMMARY: &str = include_str!("../../templates/summary.md.hbs");
const ERROR: &str = include_str!("../../templates/error.md.hbs");
const COMMENT: &str = include_str!("../../templates/comment.md.hbs");
/// The built-in model card template (docs/workflows.md, "Model card").
pub const MODEL_CARD: &str = include_str!("../../templates/model_card.md.hbs");

/// The job summary of a finished evaluation.
pub fn summary(report: &Report) -> Result<String, RenderError> {
    render("summary", SUMMARY, &View::new(report))
}

/// The verdict comment for the tracking issue or pull request; `card` is
/// the model card's path, when one was written.
pub fn comment(report: &Report, card: Option<&Path>) -> Result<String, RenderError> {
    #[derive(Serialize)]
    struct CommentView<'a> {
        #[serde(flatten)]
        view: View,
        model_id: &'a str,
        model_card: Option<String>,
    }
    let view = CommentView {
        view: View::new(report),
        model_id: &report.model.id,
        model_card: card.map(|p| p.display().to_string()),
    };
    render("comment", COMMENT, &view)
}

/// The job summary of a run that stopped with an error: its title, message
/// and causes, outermost first. The message and causes can quote the data
/// (a column name, a path), so they stand in a fenced code block, where
/// Markdown renders nothing: no heading, link or HTML can be forged.
pub fn error_summary(title: &str, message: &str, causes: &[String]) -> Result<String, RenderError> {
    let text = std::iter::once(message).chain(causes.iter().map(String::as_str));
    let view = serde_json::json!({
        "title": title,
        "message": message,
        "causes": causes,
        "fence": format::fence(text),
    });
    render("error summary", ERROR, &view)
}

/// The verdict as plain text, for a terminal.
pub fn verdict_block(r: &Report) -> String {
    let word = match r.outcome {
        Outcome::Passed => "PASSED",
        Outcome::Failed => "FAILED",
        Outcome::Inconclusive => "INCONCLUSIVE",
    };
    let mut text = format!("ER precision gate {word}\n");
    text.extend(r.checks.iter().map(check_line));
    let c = &r.counts;
    text.push_str(&format!(
        "  TP {}  FP {}  FN {}  TN {}  ({} rows evaluated, {} skipped)\n",
        c.tp, c.fp, c.fn_, c.tn, r.rows, r.rows_skipped
    ));
    if let Some(w) = &r.weights {
        let c = &w.counts;
        text.push_str(&format!(
            "  weighted by {}: TP {}  FP {}  FN {}  TN {} (the metrics are these)\n",
            shown(&w.column),
            format::weight(c.tp),
            format::weight(c.fp),
            format::weight(c.fn_),
            format::weight(c.tn)
        ));
    }
    if let Some(s) = &r.strata {
        text.push_str(&format!(
            "  stratified by {}: {} strata (the metrics are estimates of the population's)\n",
            shown(&s.column),
            s.strata.len()
        ));
    }
    if let Some(p) = &r.paired {
        text.push_str(&format!("  {}\n", super::paired::terminal_line(p)));
    }
    if let Some(b) = &r.blocking {
        text.push_str(&format!("  {}\n", super::blocking::terminal_line(b)));
    }
    if let Some(s) = r.slices.as_ref().filter(|s| !s.checks.is_empty()) {
        text.push_str(&format!("  slice rules: {} of {} failed\n", s.failed(), s.checks.len()));
    }
    let path = shown(&r.dataset.path);
    text.push_str(&match &r.dataset.engine {
        Some(e) => format!(
            "  counts {path}: dataset version {}, counted by the engine (bytes not verified here)\n",
            shown(&e.dataset_version)
        ),
        None => format!(
            "  dataset {path}, sha256 {} ({})\n",
            r.dataset.sha256,
            if r.dataset.verified { "verified" } else { "not verified" }
        ),
    });
    text
}

/// One rule's line of the verdict block: its title, value, bound and status.
fn check_line(c: &Check) -> String {
    let status = match c.status {
        Status::Pass => "pass",
        Status::Inconclusive => "INCONCLUSIVE",
        Status::Fail | Status::Undefined => "FAIL",
    };
    let change = c.change.map_or_else(String::new, |d| {
        format!(" (change {} to {} pp)", format::points(d.lower), format::points(d.upper))
    });
    format!(
        "  {:<22} {:>9}  {:<36} {status}{change}\n",
        format::rule_title(c),
        format::check_value(c, Units::Fraction),
        format::rule_bound(c, Units::Fraction)
    )
}

/// The Markdown model card, from the built-in template or a user's
/// (`(path, text)`); a user template's errors name its path and line.
pub fn model_card(card: &Card, user: Option<(&Path, &str)>) -> Result<String, RenderError> {
    match user {
        None => render("model card", MODEL_CARD, card),
        Some((path, text)) => render_user(&path.display().to_string(), text, card),
    }
}

fn render(
    what: &'static str,
    template: &str,
    data: &impl Serialize,
) -> Result<String, RenderError> {
    registry()
        .render_template(template, data)
        .map_err(|source| RenderError::BuiltIn { what, source })
}
