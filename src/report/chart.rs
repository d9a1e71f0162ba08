//! The threshold sweep drawn for people: a Mermaid `xychart-beta` of
//! precision and recall against the decision threshold (GitHub renders
//! Mermaid in job summaries and Markdown files), and a small table beside it
//! for renderers without Mermaid.

use serde::Serialize;

use crate::metrics::Metric;
use crate::report::Report;
use crate::report::format::plain;
use crate::report::uncertainty::CurvePoint;
use crate::sweep::thin;

/// Points on the chart.
pub const CHART_POINTS: usize = 50;
/// Rows of the table.
pub const TABLE_ROWS: usize = 11;

/// The curve's points where precision is defined (something is predicted).
fn drawable(curve: &[CurvePoint]) -> Vec<CurvePoint> {
    curve.iter().filter(|p| p.metrics.precision.is_some()).cloned().collect()
}

/// What the chart marks beside the curve: the gate's decision threshold,
/// and the minimums of precision and recall.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks {
    pub threshold: Option<f64>,
    pub min_precision: Option<f64>,
    pub min_recall: Option<f64>,
}

impl Marks {
    /// The marks of a report: its threshold and its minimums (the point
    /// rules `min_precision` and `min_recall`).
    pub fn of(r: &Report) -> Marks {
        Marks {
            threshold: r.decision.threshold,
            min_precision: r.minimum(Metric::Precision),
            min_recall: r.minimum(Metric::Recall),
        }
    }
}

/// The series' colours, in the order they are drawn: the threshold's bar,
/// precision, recall, then the two minimums in lighter shades of theirs.
const PALETTE: &str = "#cf222e, #0969da, #1a7f37, #80ccff, #8ddb8c";

/// The Mermaid block, fence included; `None` for fewer than two points.
pub fn mermaid(curve: &[CurvePoint], marks: Marks) -> Option<String> {
    let points = thin(&drawable(curve), CHART_POINTS);
    if points.len() < 2 {
        return None;
    }
    let join =
        |f: &dyn Fn(&CurvePoint) -> String| points.iter().map(f).collect::<Vec<_>>().join(", ");
    let value = |v: Option<f64>| plain(v.or(Some(0.0)));
    // The threshold as a bar of full height at the nearest point.
    let nearest = marks.threshold.and_then(|t| {
        let distance = |p: &CurvePoint| (p.threshold - t).abs();
        (0..points.len()).min_by(|a, b| distance(&points[*a]).total_cmp(&distance(&points[*b])))
    });
    let mut series = vec![format!(
        "    bar [{}]",
        (0..points.len())
            .map(|i| if Some(i) == nearest { "1" } else { "0" })
            .collect::<Vec<_>>()
            .join(", ")
    )];
    series.push(format!("    line [{}]", join(&|p| value(p.metrics.precision))));
    series.push(format!("    line [{}]", join(&|p| value(p.metrics.recall))));
    for minimum in [marks.min_precision, marks.min_recall] {
        // A flat line; drawn even when absent, so the colours keep their order.
        let level = plain(minimum.or(Some(0.0)));
        series.push(format!("    line [{}]", join(&|_| level.clone())));
    }
    Some(format!(
        "```mermaid\n%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{PALETTE}\"}}}}}}}}%%\nxychart-beta\n    title \"Precision and recall by decision threshold\"\n    x-axis \"decision threshold\" [{}]\n    y-axis \"precision, recall\" 0 --> 1\n{}\n```",
        join(&|p| format!("\"{}\"", p.threshold)),
        series.join("\n"),
    ))
}

/// The chart's legend, in words, for the line under it.
pub fn legend(marks: Marks) -> String {
    let mut parts = vec!["dark blue: precision".to_string(), "dark green: recall".to_string()];
    if let Some(m) = marks.min_precision {
        parts.push(format!("light blue: min_precision {m}"));
    }
    if let Some(m) = marks.min_recall {
        parts.push(format!("light green: min_recall {m}"));
    }
    if let Some(t) = marks.threshold {
        parts.push(format!("red bar: the gate's decision threshold {t}"));
    }
    format!("Legend: {}.", parts.join("; "))
}

/// One row of the table.
#[derive(Debug, Serialize)]
pub struct Row {
    threshold: String,
    precision: String,
    recall: String,
    f1: String,
    tp: u64,
    fp: u64,
    #[serde(rename = "fn")]
    fn_: u64,
}

/// A few points of the curve as table rows.
pub fn table(curve: &[CurvePoint]) -> Vec<Row> {
    thin(&drawable(curve), TABLE_ROWS)
        .iter()
        .map(|p| Row {
            threshold: p.threshold.to_string(),
            precision: plain(p.metrics.precision),
            recall: plain(p.metrics.recall),
            f1: plain(p.metrics.f1),
            tp: p.counts.tp,
            fp: p.counts.fp,
            fn_: p.counts.fn_,
        })
        .collect()
}
