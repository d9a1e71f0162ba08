//! The gate's metrics in Prometheus' text exposition format, for the
//! Pushgateway and for node_exporter's textfile collector.
//!
//! Every sample carries `dataset_hash` and `dataset_date`, which the
//! dashboard's dataset-version selector filters on. Sending it is
//! `integrations::push`'s business.

use std::fmt::Write as _;

use crate::gate::Rule;
use crate::metrics::Metric;
use crate::report::Report;
use crate::report::slices::{SliceColumnReport, SliceReport, SlicesReport};

/// Where an exposition goes, which decides its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The Pushgateway: `job` and `model_id` come from the grouping key.
    Pushgateway,
    /// A file for node_exporter's textfile collector: `model_id` is a label.
    File,
}

/// The exposition of a report: HELP and TYPE lines, then the samples.
pub fn exposition(r: &Report, target: Target) -> String {
    let mut e = Exposition { out: String::new(), labels: labels(r, target) };
    metrics(&mut e, r);
    latencies(&mut e, r);
    if let Some(slices) = &r.slices {
        self::slices(&mut e, slices);
    }
    if let Some(c) = &r.clusters {
        clusters(&mut e, c);
    }
    run(&mut e, r);
    e.out
}

/// The labels every sample carries: the dataset's version, the model's
/// identity and, in cluster mode, the mode and family.
fn labels(r: &Report, target: Target) -> String {
    let mut labels = format!(
        "dataset_hash=\"{}\",dataset_date=\"{}\"",
        escape(&r.dataset.sha256.to_string()),
        escape(&r.model.dataset_date)
    );
    if target == Target::File {
        labels = format!("model_id=\"{}\",{labels}", escape(&r.model.id));
    }
    // Identity as labels, not grouping keys: a re-run replaces its group.
    for (name, value) in [("model_version", &r.model.version), ("commit", &r.run.commit)] {
        if let Some(value) = value {
            labels.push_str(&format!(",{name}=\"{}\"", escape(value)));
        }
    }
    // Cluster mode's numbers are of another kind: the mode and family
    // tell its series apart from pair mode's.
    if let Some(c) = &r.clusters {
        labels.push_str(&format!(",mode=\"clusters\",cluster_metric=\"{}\"", c.family.word()));
    }
    labels
}

/// Each metric, its threshold and, with `confidence`, its interval.
fn metrics(e: &mut Exposition, r: &Report) {
    let metrics = [
        (
            "er_gate_precision",
            "Precision TP/(TP+FP) on the validation set; NaN when undefined.",
            r.metrics.precision,
        ),
        (
            "er_gate_recall",
            "Recall TP/(TP+FN) on the validation set; NaN when undefined.",
            r.metrics.recall,
        ),
        (
            "er_gate_f1",
            "F1 2TP/(2TP+FP+FN) on the validation set; NaN when undefined.",
            r.metrics.f1,
        ),
    ];
    for (name, help, value) in metrics {
        e.family(name, help);
        e.sample(name, None, value.unwrap_or(f64::NAN));
    }
    e.family("er_gate_threshold", "Lowest passing value of each metric.");
    for c in &r.checks {
        if let Rule::AtLeast { metric, threshold } = c.rule {
            e.sample("er_gate_threshold", Some(("metric", metric.name())), threshold);
        }
    }
    if let Some(intervals) = &r.intervals {
        for (bound, help) in [
            ("er_gate_lower", "Lower bound of each metric's confidence interval (Wilson)."),
            ("er_gate_upper", "Upper bound of each metric's confidence interval (Wilson)."),
        ] {
            e.family(bound, help);
            for metric in Metric::ALL {
                let interval = intervals.metrics.get(metric);
                let value =
                    interval.map(|i| if bound == "er_gate_lower" { i.lower } else { i.upper });
                e.sample(bound, Some(("metric", metric.name())), value.unwrap_or(f64::NAN));
            }
        }
    }
}

/// The training and inference latencies the inputs give.
fn latencies(e: &mut Exposition, r: &Report) {
    let latencies = [
        (
            "er_gate_training_duration_seconds",
            "How long the model took to train (input training_duration_seconds).",
            r.model.training_duration_seconds,
        ),
        (
            "er_gate_inference_latency_seconds",
            "The model's inference latency (input inference_latency_seconds).",
            r.model.inference_latency_seconds,
        ),
    ];
    for (name, help, value) in latencies {
        if let Some(value) = value {
            e.family(name, help);
            e.sample(name, None, value);
        }
    }
}

/// Each metric on each slice the dashboard plots.
fn slices(e: &mut Exposition, slices: &SlicesReport) {
    for metric in Metric::ALL {
        let name = format!("er_gate_slice_{}", metric.name());
        e.family(
            &name,
            &format!(
                "{} on each evaluated slice (the {MAX_SLICE_SERIES} with the most true matches per slice column).",
                metric.title()
            ),
        );
        for c in &slices.columns {
            for s in exported(c) {
                let value = s.metrics.get(metric).unwrap_or(f64::NAN);
                let labels = [("slice_column", c.column.as_str()), ("slice_value", &s.text)];
                e.sample_with(&name, &labels, value);
            }
        }
    }
}

/// The verdict, the counts, and how long the evaluation took.
fn run(e: &mut Exposition, r: &Report) {
    e.family("er_gate_passed", "1 when the gate passed, 0 when it failed.");
    e.sample("er_gate_passed", None, u8::from(r.passed));
    e.family("er_gate_confusion", "Confusion matrix of the evaluated pairs, by cell.");
    let c = &r.counts;
    for (cell, n) in [("tp", c.tp), ("fp", c.fp), ("fn", c.fn_), ("tn", c.tn)] {
        e.sample("er_gate_confusion", Some(("cell", cell)), n);
    }
    e.family("er_gate_rows", "Rows evaluated.");
    e.sample("er_gate_rows", None, r.rows);
    e.family("er_gate_duration_seconds", "Wall time spent evaluating the validation set.");
    e.sample("er_gate_duration_seconds", None, r.duration_seconds);
    e.family("er_gate_rows_per_second", "Rows read per second of evaluation.");
    let read = (r.rows + r.rows_skipped) as f64;
    e.sample("er_gate_rows_per_second", None, read / r.duration_seconds.max(f64::MIN_POSITIVE));
}

/// Cluster mode's families and counts.
fn clusters(e: &mut Exposition, c: &crate::report::ClustersReport) {
    let name = "er_gate_cluster_metric";
    e.family(name, "Cluster mode: each family's precision, recall and F1; NaN when undefined.");
    let f = &c.families;
    for (family, m) in [
        ("pairwise", &f.pairwise),
        ("bcubed", &f.bcubed),
        ("bcubed_cluster_averaged", &f.bcubed_cluster_averaged),
        ("cluster", &f.cluster),
    ] {
        for (metric, value) in [("precision", m.precision), ("recall", m.recall), ("f1", m.f1)] {
            let labels = [("family", family), ("metric", metric)];
            e.sample_with(name, &labels, value.unwrap_or(f64::NAN));
        }
    }
    let name = "er_gate_clusters";
    e.family(
        name,
        "Cluster mode: records, true and predicted entities, entities predicted exactly.",
    );
    let n = &c.counts;
    for (count, value) in [
        ("records", n.records),
        ("true_clusters", n.true_clusters),
        ("predicted_clusters", n.predicted_clusters),
        ("exact_matches", n.exact_matches),
    ] {
        e.sample_with(name, &[("count", count)], value as f64);
    }
}

/// Series per slice column and metric at most: a label per value would
/// otherwise let one column of many values flood the Pushgateway.
pub const MAX_SLICE_SERIES: usize = 50;

/// The slices of a column that get series: the evaluated ones, the
/// [`MAX_SLICE_SERIES`] with the most true matches.
pub fn exported(c: &SliceColumnReport) -> Vec<&SliceReport> {
    let mut evaluated: Vec<&SliceReport> = c.slices.iter().filter(|s| s.evaluated).collect();
    evaluated.sort_by(|a, b| b.support.cmp(&a.support).then_with(|| a.text.cmp(&b.text)));
    evaluated.truncate(MAX_SLICE_SERIES);
    evaluated
}

/// An exposition being written; every sample gets the run's labels.
struct Exposition {
    out: String,
    labels: String,
}

impl Exposition {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, label: Option<(&str, &str)>, value: impl std::fmt::Display) {
        let labels = &self.labels;
        let _ = match label {
            Some((key, val)) => writeln!(self.out, "{name}{{{key}=\"{val}\",{labels}}} {value}"),
            None => writeln!(self.out, "{name}{{{labels}}} {value}"),
        };
    }
}

impl Exposition {
    /// A sample with labels of its own (escaped: they may come from the data).
    fn sample_with(&mut self, name: &str, own: &[(&str, &str)], value: f64) {
        let own: Vec<String> = own.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
        let _ = writeln!(self.out, "{name}{{{},{}}} {value}", own.join(","), self.labels);
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
