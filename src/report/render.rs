//! Markdown for people: the job summary and the error summary.
//!
//! One handlebars registry, strict mode, no HTML escaping (this is Markdown),
//! with `code` and `cell` helpers for table cells. Every number is formatted
//! here, in Rust, so the templates hold no logic and the output is
//! deterministic.

use handlebars::Handlebars;
use serde::Serialize;

use crate::error::Error;
use crate::gate::Status;
use crate::metrics::Metric;
use crate::report::Report;

const SUMMARY: &str = include_str!("../../templates/summary.md.hbs");
const ERROR: &str = include_str!("../../templates/error.md.hbs");

/// The job summary of a finished evaluation.
pub fn summary(report: &Report) -> Result<String, Error> {
    render("summary", SUMMARY, &View::new(report))
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
    let mut text = format!(
        "ER precision gate {}\n",
        if r.passed { "PASSED" } else { "FAILED" }
    );
    for c in &r.checks {
        let value = c
            .value
            .map_or("undefined".into(), |v| metric_value(v, c.threshold()));
        let status = if c.is_pass() { "pass" } else { "FAIL" };
        text.push_str(&format!(
            "  {:<9}  {value:>9}  >= {:<6}  {status}\n",
            c.metric().name(),
            c.threshold()
        ));
    }
    let c = &r.counts;
    text.push_str(&format!(
        "  TP {}  FP {}  FN {}  TN {}  ({} rows evaluated, {} skipped)\n",
        c.tp, c.fp, c.fn_, c.tn, r.rows, r.rows_skipped
    ));
    text
}

fn render(what: &'static str, template: &str, data: &impl Serialize) -> Result<String, Error> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("code", Box::new(helpers::code_helper));
    hb.register_helper("cell", Box::new(helpers::cell_helper));
    hb.render_template(template, data)
        .map_err(|source| Error::Render { what, source })
}

/// The macro declares public structs; a private module keeps them internal.
mod helpers {
    use handlebars::handlebars_helper;
    handlebars_helper!(code_helper: |s: str| super::code(s));
    handlebars_helper!(cell_helper: |s: str| super::cell(s));
}

/// Text made safe for one Markdown table cell: pipes escaped, lines joined.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A code span safe in a table cell, with a fence longer than any backtick run.
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", cell(s))
}

/// A metric value with 4 decimals, or more when 4 would hide which side of
/// the threshold it falls (0.91996 against 0.92 shows as 0.91996, not 0.9200).
pub fn metric_value(value: f64, threshold: f64) -> String {
    let passes = value >= threshold;
    for decimals in 4..=17 {
        let text = format!("{value:.decimals$}");
        let shown: f64 = text.parse().expect("a formatted float parses");
        if (shown >= threshold) == passes {
            return text;
        }
    }
    value.to_string()
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
    version: &'static str,
    run_url: Option<String>,
}

#[derive(Serialize)]
struct CheckView {
    title: &'static str,
    value: String,
    threshold: String,
    icon: &'static str,
    status: &'static str,
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
            0 => format!(
                "All {} checks passed on {} candidate pairs.",
                r.checks.len(),
                r.rows
            ),
            n => format!(
                "{n} of {} checks failed on {} candidate pairs.",
                r.checks.len(),
                r.rows
            ),
        };
        let checks = r
            .checks
            .iter()
            .map(|c| CheckView {
                title: c.metric().title(),
                value: c
                    .value
                    .map_or("undefined".into(), |v| metric_value(v, c.threshold())),
                threshold: c.threshold().to_string(),
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
                format!(
                    "{} is undefined: {}.",
                    c.metric().title(),
                    c.metric().undefined_reason()
                )
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
            version: r.tool.version,
            run_url: r.run_url.clone(),
        }
    }
}

fn skipped_text(r: &Report) -> String {
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
    format!(
        "{} ({}; `null_policy: skip`)",
        r.rows_skipped,
        reasons.join(", ")
    )
}

fn size_text(bytes: u64) -> String {
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

fn decision_text(r: &Report) -> String {
    match r.decision.threshold {
        Some(t) => format!("{} ≥ {t} is a predicted match", code(&r.decision.column)),
        None => format!(
            "column {} (boolean or 0/1 predictions)",
            code(&r.decision.column)
        ),
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
