//! The one handlebars registry (strict mode, no HTML escaping: this is
//! Markdown, with `code`, `cell` and `provided` helpers for table cells),
//! its errors, and the output paths given as templates. [`super::render`]
//! renders the Markdown with it; `inputs` renders the card paths before
//! anything is evaluated (`baseline: latest` looks beside them).

use std::path::PathBuf;

use handlebars::Handlebars;
use serde::Serialize;

use super::partials::{self, Unsafe};
use crate::untrusted::shown;

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

    /// A user's template nests too deep, or has a partial that includes
    /// itself: rendering it would overflow the stack.
    #[error(
        "template `{}` has {why}: expected blocks at most {} deep and partials that end",
        shown(name),
        super::partials::MAX_DEPTH
    )]
    Unsafe {
        /// The template's path, or the input holding it.
        name: String,
        /// What was found.
        why: Unsafe,
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
            RenderError::Template { .. } | RenderError::Unsafe { .. } => "Template error",
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

/// A path given as a handlebars template (`model_cards/er_{{dataset_date}}.md`),
/// rendered with the run's `dataset_date` and `model_id`, as the card names
/// them. A value substituted into it may not leave the folder the user wrote or
/// name another file: no `/`, `\`, `..` or control characters.
pub fn path(
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
    render_user(&format!("input {input}"), template, &data).map(PathBuf::from)
}

/// Renders a user's template (a card template, a path given as one) named
/// `name`, checked first: blocks nested at most [`partials::MAX_DEPTH`]
/// deep, no partial that includes itself.
pub fn render_user(name: &str, text: &str, data: &impl Serialize) -> Result<String, RenderError> {
    let refuse = |why| RenderError::Unsafe { name: name.to_string(), why };
    partials::check_depth(text).map_err(refuse)?;
    // A template that does not parse is left to the registry, whose error
    // gives the line and column.
    if let Ok(template) = handlebars::Template::compile(text) {
        partials::check_partials(&template).map_err(refuse)?;
    }
    registry()
        .render_template(text, data)
        .map_err(|error| RenderError::Template { name: name.to_string(), error })
}

/// The one registry: strict, no HTML escaping, our helpers.
pub(super) fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("code", Box::new(helpers::code_helper));
    hb.register_helper("cell", Box::new(helpers::cell_helper));
    hb.register_helper("provided", Box::new(helpers::provided_helper));
    hb.register_helper("text", Box::new(helpers::text_helper));
    hb
}

/// The macro declares public structs; a private module keeps them internal.
mod helpers {
    use crate::report::format;
    use handlebars::handlebars_helper;
    handlebars_helper!(code_helper: |s: str| format::code(s));
    handlebars_helper!(cell_helper: |s: str| format::cell(s));
    handlebars_helper!(text_helper: |s: str| format::text(s));
    handlebars_helper!(provided_helper: |v: Json| match v {
        serde_json::Value::Null => "not provided".to_string(),
        serde_json::Value::String(s) if s.is_empty() => "not provided".to_string(),
        serde_json::Value::String(s) => format::text(s),
        other => other.to_string(),
    });
}
