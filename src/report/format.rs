//! Numbers and text as people read them, shared by the summary, the model
//! card, the comment and the annotations: one place for each wording.
//!
//! A leaf: it knows the gate's rules and counts, never a [`super::Report`]
//! or a template. Values are shown in one of two [`Units`]: fractions with 4
//! decimals (summary, annotations) or percentages with 1 (model card), each
//! with more decimals only where fewer would put a value on the wrong side of
//! its bound.

use crate::gate::{Check, Outcome, Rule, Status};
use crate::metrics::{Metric, PerMetric, Skipped};

/// How metric values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// `0.9503`: the summary, the comment and the annotations.
    Fraction,
    /// `95.0%`: the model card.
    Percent,
}

impl Units {
    /// A value against the bound it must reach, never rounded across it.
    pub fn against(self, value: f64, floor: f64) -> String {
        match self {
            Units::Fraction => metric_value(value, floor),
            Units::Percent => format!("{}%", round_keeping_side(value, floor, 100.0, 1)),
        }
    }

    /// A value on its own (a baseline's, a floor, a threshold), in the
    /// table's one format: 4 decimals (0.90 is `0.9000`), or every digit it
    /// has when 4 would change it; or a percentage.
    pub fn level(self, value: f64) -> String {
        match self {
            Units::Fraction => exact_or_fixed(value),
            Units::Percent => percent(value),
        }
    }

    /// A value, or `undefined`.
    pub fn level_or_undefined(self, value: Option<f64>) -> String {
        value.map_or_else(|| "undefined".to_string(), |v| self.level(v))
    }

    /// An allowed drop: `0.02`, or `2.0 pp`.
    fn drop(self, d: f64) -> String {
        match self {
            Units::Fraction => d.to_string(),
            Units::Percent => format!("{:.1} pp", d * 100.0),
        }
    }

    /// What the previous model's value is called.
    fn previous(self) -> &'static str {
        match self {
            Units::Fraction => "baseline",
            Units::Percent => "previous",
        }
    }
}

/// `1 pair`, `2 pairs`: a count and its noun, plural where it needs one.
pub fn count(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// ✅ or ❌.
pub fn icon(passed: bool) -> &'static str {
    if passed { "✅" } else { "❌" }
}

/// ✅, ❌, or ⚠️ for a rule the data cannot decide.
pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Inconclusive => "⚠️",
        Status::Fail | Status::Undefined => "❌",
    }
}

/// ✅, ❌, or ⚠️ for an inconclusive verdict.
pub fn verdict_icon(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "✅",
        Outcome::Inconclusive => "⚠️",
        Outcome::Failed => "❌",
    }
}

/// A confidence level as a percentage: `95%`, `99.9%`.
pub fn level(level: f64) -> String {
    format!("{}%", (level * 1000.0).round() / 10.0)
}

/// The name of a rule's row: `Precision`, or `Precision vs baseline`.
pub fn rule_title(c: &Check) -> String {
    match c.rule {
        Rule::AtLeast { metric, .. } => metric.title().to_string(),
        Rule::MaxDrop { metric, .. } => format!("{} vs baseline", metric.title()),
    }
}

/// The rule's bound in prose: `≥ 0.92`, `≥ 0.9012 (baseline 0.9212 − 0.02)`,
/// or in percent `≥ 94.3% (previous 99.3% − 5.0 pp)`.
pub fn rule_bound(c: &Check, units: Units) -> String {
    match (c.rule, c.floor()) {
        (Rule::AtLeast { threshold, .. }, _) => format!("≥ {}", units.level(threshold)),
        (Rule::MaxDrop { max_drop, baseline: Some(b), .. }, Some(floor)) => format!(
            "≥ {} ({} {} − {})",
            units.level(floor),
            units.previous(),
            units.level(b),
            units.drop(max_drop)
        ),
        (Rule::MaxDrop { .. }, _) => match units {
            Units::Fraction => "baseline undefined".to_string(),
            Units::Percent => "previous value undefined".to_string(),
        },
    }
}

/// The rule's value against its bound; `undefined` when 0/0.
pub fn check_value(c: &Check, units: Units) -> String {
    match c.value {
        Some(v) => units.against(v, c.floor().unwrap_or(v)),
        None => "undefined".to_string(),
    }
}

/// 4 decimals, or the shortest exact text when 4 decimals would not read
/// back as the same number (a threshold of 0.92345 stays `0.92345`).
pub fn exact_or_fixed(v: f64) -> String {
    let fixed = format!("{v:.4}");
    if fixed.parse::<f64>() == Ok(v) { fixed } else { v.to_string() }
}

/// A value with 4 decimals, for numbers with no bound to keep a side of
/// (the sweep's curve); `undefined` for `None`.
pub fn plain(value: Option<f64>) -> String {
    value.map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"))
}

/// A metric value with 4 decimals, or more when 4 would hide which side of
/// the threshold it falls (0.91996 against 0.92 shows as 0.91996, not 0.9200).
pub fn metric_value(value: f64, threshold: f64) -> String {
    round_keeping_side(value, threshold, 1.0, 4)
}

/// `value * scale` with `min_decimals` decimals, or as many more as it takes
/// for the shown number to fall on the same side of `floor` as the value.
pub fn round_keeping_side(value: f64, floor: f64, scale: f64, min_decimals: usize) -> String {
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

/// A share as a percentage with one decimal: `0.9503` is `95.0%`.
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A change in percentage points with one decimal and an ASCII sign:
/// `+4.6`, `-14.5`, `+0.0`.
pub fn points(delta: f64) -> String {
    let text = format!("{:+.1}", delta * 100.0);
    if text == "-0.0" { "+0.0".to_string() } else { text }
}

/// The warning that a comparison mixes model and data; the hashes are shown
/// as code spans.
pub fn different_dataset(previous_sha256: &str, current_sha256: &str) -> String {
    format!(
        "The previous model was evaluated on a different dataset (SHA-256 {}, this run {}): the changes mix the model's and the data's.",
        code(previous_sha256),
        code(current_sha256)
    )
}

/// Whether a comparison with the previous model is like for like, in prose.
pub fn comparison_note(same_dataset: bool, previous_sha256: &str, current_sha256: &str) -> String {
    if same_dataset {
        "Both were evaluated on the same dataset (same SHA-256).".to_string()
    } else {
        format!("⚠️ {}", different_dataset(previous_sha256, current_sha256))
    }
}

/// A sum of weights: at most four decimals, no trailing zeros.
pub fn weight(w: f64) -> String {
    let text = format!("{w:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Each metric's effective sample size, in prose: `Precision 812.3, Recall …`.
pub fn effective_sizes(sizes: &PerMetric<Option<f64>>) -> String {
    let each: Vec<String> = Metric::ALL
        .into_iter()
        .filter_map(|m| sizes.get(m).map(|n| format!("{} {n:.1}", m.title())))
        .collect();
    each.join(", ")
}

/// Rows skipped with reasons, in prose.
pub fn skipped_text(s: &Skipped) -> String {
    if s.rows == 0 {
        return "0".to_string();
    }
    let reasons: Vec<String> = [
        (s.label_null, "null label"),
        (s.decision_null, "null score or prediction"),
        (s.score_nan, "NaN score"),
        (s.no_prediction, "no prediction"),
        (s.weight_null, "null weight"),
        (s.previous_missing, "no previous decision"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!("{} ({}; `null_policy: skip`)", s.rows, reasons.join(", "))
}

/// How predictions were made, in prose.
pub fn decision_text(d: &crate::report::DecisionReport) -> String {
    match (d.threshold, d.scale) {
        (Some(t), Some(_)) => format!("{} / 100 ≥ {t} is a predicted match", code(&d.column)),
        (Some(t), None) => format!("{} ≥ {t} is a predicted match", code(&d.column)),
        (None, _) => format!("column {} (boolean or 0/1 predictions)", code(&d.column)),
    }
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

/// Text made safe for one Markdown table cell: pipes escaped, lines joined.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A provided value as Markdown text, in a line or a table cell: on one
/// line, with every character that could open a link, an image, HTML, a
/// heading or a table cell escaped, so it renders as the text it is
/// (`<img src=x>` and `[Approved](…)` stay text). Backticks stay: a code
/// span the writer meant renders nothing but its text.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '[' | ']' | '<' | '>' | '|' | '#' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The fence of a code block that holds `lines`: three backticks, or one more
/// than the longest run of backticks in them, so no line can close it.
pub fn fence<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let longest =
        lines.into_iter().flat_map(|l| l.split(|c| c != '`').map(str::len)).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// The longest piece of data (a value, a column name) shown, in characters.
pub const DATA_CHARS: usize = 60;

/// Text from the data made safe to show: control characters escaped, cut
/// to [`DATA_CHARS`] with an ellipsis. Set it in [`code`] for Markdown.
pub fn data(text: &str) -> String {
    let text = crate::untrusted::shown(text).to_string();
    match text.char_indices().nth(DATA_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// A code span safe in a table cell, with a fence longer than any backtick run.
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", cell(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn provided_text_renders_as_text() {
        assert_eq!(text("Splink 4.0 (`er-current`)"), "Splink 4.0 (`er-current`)");
        assert_eq!(text("<img src=x onerror=y>"), "\\<img src=x onerror=y\\>");
        assert_eq!(text("x\n## Approved"), "x \\#\\# Approved");
        assert_eq!(
            text("[ok](https://e.example) | a & b \\"),
            "\\[ok\\](https://e.example) \\| a \\& b \\\\"
        );
    }

    #[test]
    fn metric_value_never_rounds_across_the_threshold() {
        assert_eq!(metric_value(0.95028, 0.92), "0.9503");
        assert_eq!(metric_value(0.91996, 0.92), "0.91996");
        assert_eq!(metric_value(0.92, 0.92), "0.9200");
        assert_eq!(metric_value(0.919999999, 0.92), "0.919999999");
    }

    #[test]
    fn percentages_keep_one_decimal_unless_it_would_flip_the_verdict() {
        assert_eq!(percent(0.95028), "95.0%");
        assert_eq!(Units::Percent.against(0.95028, 0.92), "95.0%");
        assert_eq!(Units::Percent.against(0.91996, 0.92), "91.996%");
        assert_eq!(Units::Percent.against(0.92, 0.92), "92.0%");
        assert_eq!(Units::Percent.against(0.9195, 0.92), "91.95%");
    }

    #[test]
    fn points_have_one_decimal_and_an_ascii_sign() {
        assert_eq!(points(0.046), "+4.6");
        assert_eq!(points(-0.145), "-14.5");
        assert_eq!(points(-0.0001), "+0.0");
        assert_eq!(points(0.0), "+0.0");
    }

    #[test]
    fn rule_bounds_in_both_units() {
        let at_least = Check {
            rule: Rule::AtLeast { metric: Metric::F1, threshold: 0.9 },
            value: Some(0.95),
            interval: None,
            change: None,
            status: Status::Pass,
        };
        assert_eq!(rule_bound(&at_least, Units::Fraction), "≥ 0.9000");
        assert_eq!(rule_bound(&at_least, Units::Percent), "≥ 90.0%");
        let drop = Check {
            rule: Rule::MaxDrop { metric: Metric::Recall, max_drop: 0.05, baseline: Some(0.993) },
            value: Some(0.95),
            interval: None,
            change: None,
            status: Status::Pass,
        };
        assert_eq!(rule_bound(&drop, Units::Fraction), "≥ 0.9430 (baseline 0.9930 − 0.05)");
        assert_eq!(exact_or_fixed(0.92345), "0.92345");
        assert_eq!(exact_or_fixed(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(exact_or_fixed(0.5), "0.5000");
        assert_eq!(rule_bound(&drop, Units::Percent), "≥ 94.3% (previous 99.3% − 5.0 pp)");
        let undefined = Check {
            rule: Rule::MaxDrop { metric: Metric::Recall, max_drop: 0.05, baseline: None },
            value: Some(0.95),
            interval: None,
            change: None,
            status: Status::Undefined,
        };
        assert_eq!(rule_bound(&undefined, Units::Fraction), "baseline undefined");
        assert_eq!(rule_bound(&undefined, Units::Percent), "previous value undefined");
        assert_eq!(check_value(&undefined, Units::Percent), "95.0%");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn counts_take_a_plural_except_for_one() {
        assert_eq!(count(1, "pair"), "1 pair");
        assert_eq!(count(0, "pair"), "0 pairs");
        assert_eq!(count(10_000, "candidate pair"), "10000 candidate pairs");
    }

    #[test]
    fn fences_outlast_every_backtick_run() {
        assert_eq!(fence(["plain"]), "```");
        assert_eq!(fence(["a ```` b", "``"]), "`````");
    }

    #[test]
    fn sizes_are_exact_and_readable() {
        assert_eq!(size_text(452), "452 bytes");
        assert_eq!(size_text(238_412), "238412 bytes (232.8 KiB)");
    }
}
