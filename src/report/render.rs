//! Markdown for people: the job summary and the error summary.
//!
//! One handlebars registry, strict mode, no HTML escaping (this is Markdown),
//! with `code` and `cell` helpers for table cells. Every number is formatted
//! here, in Rust, so the templates hold no logic and the output is
//! deterministic.

use handlebars::Handlebars;
use serde::Serialize;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::gate::{Check, Rule, Status};
use crate::metrics::Metric;
use crate::report::Report;
use crate::report::card::Card;

const SUMMARY: &str = include_str!("../../templates/summary.md.hbs");
const ERROR: &str = include_str!("../../templates/error.md.hbs");
const COMMENT: &str = include_str!("../../templates/comment.md.hbs");
/// The built-in model card template (README, "Model card").
pub const MODEL_CARD: &str = include_str!("../../templates/model_card.md.hbs");

/// The job summary of a finished evaluation.
pub fn summary(report: &Report) -> Result<String, Error> {
    render("summary", SUMMARY, &View::new(report))
}

/// The verdict comment for the tracking issue or pull request; `card` is
/// the model card's path, when one was written.
pub fn comment(report: &Report, card: Option<&str>) -> Result<String, Error> {
    #[derive(Serialize)]
    struct CommentView<'a> {
        #[serde(flatten)]
        view: View,
        model_id: &'a str,
        model_card: Option<&'a str>,
    }
    let view =
        CommentView { view: View::new(report), model_id: &report.model.id, model_card: card };
    render("comment", COMMENT, &view)
}

/// The job summary of an evaluation that stopped with an error.
pub fn error_summary(err: &Error) -> Result<String, Error> {
    let view = serde_json::json!({
        "title": err.title(),
        "message": err.to_string(),
        "causes": err.causes(),
    });
    render("error summary", ERROR, &view)
}

/// The verdict as plain text, for a terminal.
pub fn verdict_block(r: &Report) -> String {
    let mut text = format!("ER precision gate {}\n", if r.passed { "PASSED" } else { "FAILED" });
    for c in &r.checks {
        let status = if c.is_pass() { "pass" } else { "FAIL" };
        text.push_str(&format!(
            "  {:<22} {:>9}  {:<36} {status}\n",
            rule_title(c),
            value_text(c),
            rule_bound(c)
        ));
    }
    let c = &r.counts;
    text.push_str(&format!(
        "  TP {}  FP {}  FN {}  TN {}  ({} rows evaluated, {} skipped)\n",
        c.tp, c.fp, c.fn_, c.tn, r.rows, r.rows_skipped
    ));
    text
}

/// The Markdown model card, from the built-in template or a user's
/// (`(path, text)`); a user template's errors name its path and line.
pub fn model_card(card: &Card, user: Option<(&Path, &str)>) -> Result<String, Error> {
    match user {
        None => render("model card", MODEL_CARD, card),
        Some((path, text)) => registry()
            .render_template(text, card)
            .map_err(|error| Error::Template { name: path.display().to_string(), error }),
    }
}

/// A path given as a handlebars template (`model_cards/er_{{dataset_date}}.md`),
/// rendered with `dataset_date` and `model_id`.
pub fn path(input: &'static str, template: &str, card: &Card) -> Result<PathBuf, Error> {
    let data = serde_json::json!({
        "dataset_date": card.model.dataset_date,
        "model_id": card.model.id,
    });
    registry()
        .render_template(template, &data)
        .map(PathBuf::from)
        .map_err(|error| Error::Template { name: format!("input {input}"), error })
}

fn render(what: &'static str, template: &str, data: &impl Serialize) -> Result<String, Error> {
    registry().render_template(template, data).map_err(|source| Error::Render { what, source })
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
    use handlebars::handlebars_helper;
    handlebars_helper!(code_helper: |s: str| super::code(s));
    handlebars_helper!(cell_helper: |s: str| super::cell(s));
    handlebars_helper!(provided_helper: |v: Json| match v {
        serde_json::Value::Null => "not provided".to_string(),
        serde_json::Value::String(s) if s.is_empty() => "not provided".to_string(),
        serde_json::Value::String(s) => super::cell(s),
        other => other.to_string(),
    });
}

/// Text made safe for one Markdown table cell: pipes escaped, lines joined.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A code span safe in a table cell, with a fence longer than any backtick run.
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", cell(s))
}

/// The name of a rule's row: `Precision`, or `Precision vs baseline`.
pub fn rule_title(c: &Check) -> String {
    match c.rule {
        Rule::AtLeast { metric, .. } => metric.title().to_string(),
        Rule::MaxDrop { metric, .. } => format!("{} vs baseline", metric.title()),
    }
}

/// The rule's bound in prose: `≥ 0.92`, or `≥ 0.9012 (baseline 0.9212 − 0.02)`.
pub fn rule_bound(c: &Check) -> String {
    match (c.rule, c.floor()) {
        (Rule::AtLeast { threshold, .. }, _) => format!("≥ {threshold}"),
        (Rule::MaxDrop { max_drop, baseline: Some(b), .. }, Some(floor)) => format!(
            "≥ {} (baseline {} − {max_drop})",
            metric_value(floor, floor),
            metric_value(b, b)
        ),
        (Rule::MaxDrop { .. }, _) => "baseline undefined".to_string(),
    }
}

/// The rule's value, formatted against its bound; `undefined` when 0/0.
pub fn value_text(c: &Check) -> String {
    match c.value {
        Some(v) => metric_value(v, c.floor().unwrap_or(v)),
        None => "undefined".to_string(),
    }
}

/// A metric value with 4 decimals, or more when 4 would hide which side of
/// the threshold it falls (0.91996 against 0.92 shows as 0.91996, not 0.9200).
pub fn metric_value(value: f64, threshold: f64) -> String {
    on_its_side(value, threshold, 1.0, 4)
}

/// `value * scale` with `min_decimals` decimals, or more where fewer would
/// show it on the other side of `floor`.
pub fn on_its_side(value: f64, floor: f64, scale: f64, min_decimals: usize) -> String {
    let passes = value >= floor;
    for decimals in min_decimals..=17 {
        let text = format!("{:.decimals$}", value * scale);
        let shown = text.parse::<f64>().expect("a formatted float parses") / scale;
        if (shown >= floor) == passes {
            return text;
        }
    }
    (value * scale).to_string()
}

#[derive(Serialize)]
struct View {
    icon: &'static str,
    outcome: &'static str,
    headline: String,
    checks: Vec<CheckView>,
    undefined: Vec<String>,
    tp: u64,
    fp: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    tn: u64,
    path: String,
    rows: u64,
    skipped: String,
    size: String,
    sha256: String,
    verified: &'static str,
    decision: String,
    label_column: String,
    advice: Vec<Advice>,
    comparison: Option<ComparisonView>,
    version: &'static str,
    run_url: Option<String>,
}

#[derive(Serialize)]
struct CheckView {
    title: String,
    value: String,
    threshold: String,
    icon: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
struct ComparisonView {
    previous_model: String,
    dataset_note: String,
    rows: Vec<ChangeRow>,
}

#[derive(Serialize)]
struct ChangeRow {
    title: &'static str,
    previous: String,
    current: String,
    points: String,
}

#[derive(Serialize)]
struct Advice {
    title: String,
    items: Vec<String>,
}

impl View {
    fn new(r: &Report) -> View {
        let failed = r.checks.iter().filter(|c| !c.is_pass()).count();
        let headline = match failed {
            0 => format!("All {} checks passed on {} candidate pairs.", r.checks.len(), r.rows),
            n => format!("{n} of {} checks failed on {} candidate pairs.", r.checks.len(), r.rows),
        };
        let checks = r
            .checks
            .iter()
            .map(|c| CheckView {
                title: rule_title(c),
                value: value_text(c),
                threshold: rule_bound(c),
                icon: if c.is_pass() { "✅" } else { "❌" },
                status: match c.status {
                    Status::Pass => "pass",
                    Status::Fail => "fail",
                    Status::Undefined => "undefined",
                },
            })
            .collect();
        let undefined = r
            .checks
            .iter()
            .filter(|c| c.status == Status::Undefined)
            .map(|c| {
                format!("{} is undefined: {}.", c.metric().title(), c.metric().undefined_reason())
            })
            .collect();
        View {
            icon: if r.passed { "✅" } else { "❌" },
            outcome: if r.passed { "passed" } else { "failed" },
            headline,
            checks,
            undefined,
            tp: r.counts.tp,
            fp: r.counts.fp,
            fn_: r.counts.fn_,
            tn: r.counts.tn,
            path: r.dataset.path.clone(),
            rows: r.rows,
            skipped: skipped_text(r),
            size: size_text(r.dataset.size_bytes),
            sha256: r.dataset.sha256.to_string(),
            verified: if r.dataset.verified {
                "✅ matches `dataset_hash`"
            } else {
                "(not verified: `dataset_hash` not set)"
            },
            decision: decision_text(r),
            label_column: r.label_column.clone(),
            advice: advice(r),
            comparison: r.baseline.as_ref().map(comparison_view),
            version: r.tool.version,
            run_url: r.run_url.clone(),
        }
    }
}

fn comparison_view(c: &crate::report::Comparison) -> ComparisonView {
    let value = |v: Option<f64>| v.map_or("undefined".to_string(), |v| metric_value(v, v));
    ComparisonView {
        previous_model: c.model_id.as_deref().map_or_else(|| code(&c.path), code),
        dataset_note: dataset_note(c),
        rows: c
            .changes
            .iter()
            .map(|ch| ChangeRow {
                title: ch.metric.title(),
                previous: value(ch.previous),
                current: value(ch.current),
                points: ch.points.clone().unwrap_or_else(|| "undefined".to_string()),
            })
            .collect(),
    }
}

/// Whether the comparison is like for like, in prose.
pub fn dataset_note(c: &crate::report::Comparison) -> String {
    if c.same_dataset {
        "Both were evaluated on the same dataset (same SHA-256).".to_string()
    } else {
        format!(
            "⚠️ The previous model was evaluated on a different dataset (SHA-256 `{}`): the change mixes the model's and the data's.",
            c.dataset_sha256
        )
    }
}

/// Rows skipped with reasons, in prose.
pub fn skipped_text(r: &Report) -> String {
    if r.rows_skipped == 0 {
        return "0".to_string();
    }
    let s = &r.skipped;
    let reasons: Vec<String> = [
        (s.label_null, "null label"),
        (s.decision_null, "null score or prediction"),
        (s.score_nan, "NaN score"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!("{} ({}; `null_policy: skip`)", r.rows_skipped, reasons.join(", "))
}

/// A size in bytes, exact and readable.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    match unit {
        "B" => format!("{bytes} bytes"),
        _ => format!("{bytes} bytes ({value:.1} {unit})"),
    }
}

/// How predictions were made, in prose.
pub fn decision_text(r: &Report) -> String {
    match r.decision.threshold {
        Some(t) => format!("{} ≥ {t} is a predicted match", code(&r.decision.column)),
        None => format!("column {} (boolean or 0/1 predictions)", code(&r.decision.column)),
    }
}

fn advice(r: &Report) -> Vec<Advice> {
    let failing = |m: Metric| r.checks.iter().any(|c| c.metric() == m && !c.is_pass());
    let column = code(&r.decision.column);
    let (raise, lower) = match r.decision.threshold {
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
    };
    let mut out = Vec::new();
    if failing(Metric::Precision) {
        out.push(Advice {
            title: format!("Precision is low: {} false positives", r.counts.fp),
            items: vec![
                format!("Look at the false positives first: pairs labelled non-match that the model matched. They are usually look-alikes that are different entities (same name and city, shared address, parent and subsidiary)."),
                raise,
                "Add hard negative examples to the training data: non-matching pairs that look alike.".to_string(),
            ],
        });
    }
    if failing(Metric::Recall) {
        out.push(Advice {
            title: format!("Recall is low: {} missed matches (false negatives)", r.counts.fn_),
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_value_never_rounds_across_the_threshold() {
        assert_eq!(metric_value(0.95028, 0.92), "0.9503");
        assert_eq!(metric_value(0.91996, 0.92), "0.91996");
        assert_eq!(metric_value(0.92, 0.92), "0.9200");
        assert_eq!(metric_value(0.919999999, 0.92), "0.919999999");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn sizes_are_exact_and_readable() {
        assert_eq!(size_text(452), "452 bytes");
        assert_eq!(size_text(238_412), "238412 bytes (232.8 KiB)");
    }
}
