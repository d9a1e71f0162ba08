//! The threshold sweep drawn for people: a Mermaid `xychart-beta` of
//! precision and recall against the decision threshold (GitHub renders
//! Mermaid in job summaries and Markdown files), and a small table beside it
//! for renderers without Mermaid.

use serde::Serialize;

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

/// The Mermaid block, fence included; `None` for fewer than two points.
pub fn mermaid(curve: &[CurvePoint]) -> Option<String> {
    let points = thin(&drawable(curve), CHART_POINTS);
    if points.len() < 2 {
        return None;
    }
    let join =
        |f: &dyn Fn(&CurvePoint) -> String| points.iter().map(f).collect::<Vec<_>>().join(", ");
    let value = |v: Option<f64>| plain(v.or(Some(0.0)));
    Some(format!(
        "```mermaid\nxychart-beta\n    title \"Precision and recall by decision threshold\"\n    x-axis \"decision threshold\" [{}]\n    y-axis \"precision, recall\" 0 --> 1\n    line [{}]\n    line [{}]\n```",
        join(&|p| format!("\"{}\"", p.threshold)),
        join(&|p| value(p.metrics.precision)),
        join(&|p| value(p.metrics.recall)),
    ))
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
