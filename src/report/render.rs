//! Markdown for people: the job summary, the verdict comment, the error
//! summary, the model card and the terminal's verdict block.
//!
//! One handlebars registry, strict mode, no HTML escaping (this is Markdown),
//! with `code`, `cell` and `provided` helpers for table cells. Every number
//! and phrase is formatted in Rust ([`super::format`]), so the templates hold
//! no logic and the output is deterministic.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde::Serialize;

use crate::gate::{Outcome, Status};
use crate::report::Report;
use crate::report::card::Card;
use crate::report::format::{self, Units};
use crate::report::view::View;
use crate::untrusted::shown;

const SUMMARY: &str = include_str!("../../templates/summary.md.hbs");
const ERROR: &str = include_str!("../../templates/error.md.hbs");
const COMMENT: &str = include_str!("../../templates/comment.md.hbs");
/// The built-in model card template (docs/workflows.md, "Model card").
pub const MODEL_CARD: &str = include_str!("../../templates/model_card.md.hbs");

/// Why Markdown could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A user's template, or a path template, failed to parse or render.
    #[error("template `{}`{}", shown(name), template_detail(error))]
    Template {
        /// The template's path, or the input holding it.
        name: String,
        /// What handlebars reported (its reason is in the message; a parse
        /// error's reason gives the line and column itself).
        error: handlebars::RenderError,
    },

    /// A value substituted into an output path would leave its folder.
    #[error(
        "input `{input}` puts `{value_input}` = `{}` into a path: expected a value without `/`, `\\`, `..` or control characters",
        shown(value)
    )]
    UnsafePathValue {
        /// The path input (`model_card`).
        input: &'static str,
        /// The input whose value is substituted (`model_id`).
        value_input: &'static str,
        /// The value.
        value: String,
    },

    /// A built-in template failed to render.
    #[error("cannot render the {what}")]
    BuiltIn {
        /// Which template.
        what: &'static str,
        /// What handlebars reported.
        #[source]
        source: handlebars::RenderError,
    },
}

impl RenderError {
    /// A short title for the annotation.
    pub fn title(&self) -> &'static str {
        match self {
            RenderError::Template { .. } => "Template error",
            RenderError::UnsafePathValue { .. } => "Invalid input",
            RenderError::BuiltIn { .. } => "Cannot write report",
        }
    }
}

/// ` line L, column C: reason`, from a render error or the parse error inside it.
fn template_detail(e: &handlebars::RenderError) -> String {
    let (pos, reason) = match e.reason() {
        handlebars::RenderErrorReason::TemplateError(t) => (t.pos(), t.reason().to_string()),
        other => (e.line_no.zip(e.column_no), other.to_string()),
    };
    let reason = shown(&reason);
    match pos {
        Some((line, column)) => format!(" line {line}, column {column}: {reason}"),
        None => format!(": {reason}"),
    }
}

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
    for c in &r.checks {
        let status = match c.status {
            Status::Pass => "pass",
            Status::Inconclusive => "INCONCLUSIVE",
            Status::Fail | Status::Undefined => "FAIL",
        };
        text.push_str(&format!(
            "  {:<22} {:>9}  {:<36} {status}\n",
            format::rule_title(c),
            format::check_value(c, Units::Fraction),
            format::rule_bound(c, Units::Fraction)
        ));
    }
    let c = &r.counts;
    text.push_str(&format!(
        "  TP {}  FP {}  FN {}  TN {}  ({} rows evaluated, {} skipped)\n",
        c.tp, c.fp, c.fn_, c.tn, r.rows, r.rows_skipped
    ));
    if let Some(w) = &r.weights {
        let c = &w.counts;
        text.push_str(&format!(
            "  weighted by {}: TP {}  FP {}  FN {}  TN {} (the metrics are these)\n",
            crate::untrusted::shown(&w.column),
            format::weight(c.tp),
            format::weight(c.fp),
            format::weight(c.fn_),
            format::weight(c.tn)
        ));
    }
    if let Some(s) = r.slices.as_ref().filter(|s| !s.checks.is_empty()) {
        text.push_str(&format!("  slice rules: {} of {} failed\n", s.failed(), s.checks.len()));
    }
    let path = crate::untrusted::shown(&r.dataset.path);
    text.push_str(&match &r.dataset.engine {
        Some(e) => format!(
            "  counts {path}: dataset version {}, counted by the engine (bytes not verified here)\n",
            crate::untrusted::shown(&e.dataset_version)
        ),
        None => format!(
            "  dataset {path}, sha256 {} ({})\n",
            r.dataset.sha256,
            if r.dataset.verified { "verified" } else { "not verified" }
        ),
    });
    text
}

/// The Markdown model card, from the built-in template or a user's
/// (`(path, text)`); a user template's errors name its path and line.
pub fn model_card(card: &Card, user: Option<(&Path, &str)>) -> Result<String, RenderError> {
    match user {
        None => render("model card", MODEL_CARD, card),
        Some((path, text)) => registry()
            .render_template(text, card)
            .map_err(|error| RenderError::Template { name: path.display().to_string(), error }),
    }
}

/// A path given as a handlebars template (`model_cards/er_{{dataset_date}}.md`),
/// rendered with the card's `dataset_date` and `model_id`.
pub fn path(input: &'static str, template: &str, card: &Card) -> Result<PathBuf, RenderError> {
    path_of(input, template, &card.model.dataset_date, &card.model.id)
}

/// [`path`] from the two values themselves.
/// A value substituted into it may not leave the folder the user wrote or
/// name another file: no `/`, `\`, `..` or control characters.
pub fn path_of(
    input: &'static str,
    template: &str,
    dataset_date: &str,
    model_id: &str,
) -> Result<PathBuf, RenderError> {
    let values = [("dataset_date", dataset_date), ("model_id", model_id)];
    for (name, value) in values {
        let unsafe_value = value.contains(['/', '\\'])
            || value.contains("..")
            || value.chars().any(char::is_control);
        if unsafe_value && template.contains(name) {
            return Err(RenderError::UnsafePathValue {
                input,
                value_input: name,
                value: value.to_string(),
            });
        }
    }
    let data = serde_json::json!({ "dataset_date": dataset_date, "model_id": model_id });
    registry()
        .render_template(template, &data)
        .map(PathBuf::from)
        .map_err(|error| RenderError::Template { name: format!("input {input}"), error })
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

/// The one registry: strict, no HTML escaping, our helpers.
fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("code", Box::new(helpers::code_helper));
    hb.register_helper("cell", Box::new(helpers::cell_helper));
    hb.register_helper("provided", Box::new(helpers::provided_helper));
    hb
}

/// The macro declares public structs; a private module keeps them internal.
mod helpers {
    use crate::report::format;
    use handlebars::handlebars_helper;
    handlebars_helper!(code_helper: |s: str| format::code(s));
    handlebars_helper!(cell_helper: |s: str| format::cell(s));
    handlebars_helper!(provided_helper: |v: Json| match v {
        serde_json::Value::Null => "not provided".to_string(),
        serde_json::Value::String(s) if s.is_empty() => "not provided".to_string(),
        serde_json::Value::String(s) => format::cell(s),
        other => other.to_string(),
    });
}
