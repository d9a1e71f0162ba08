//! The shipped Grafana dashboard against real servers: Debian's Prometheus
//! scrapes Debian's Pushgateway, two gate runs push, and every panel query
//! and template-variable query of `dashboards/er-precision-gate.json` is run
//! against Prometheus and must return the pushed values.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::servers::{Server, get, pushgateway, start};
use crate::util::free_port;
use crate::util::{Gate, Ran, recorded_sha256, root};

fn prometheus(pushgateway: &Server) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let target = pushgateway.url.trim_start_matches("http://");
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let args = vec![
        "--config.file=prometheus.yml".to_string(),
        "--storage.tsdb.path=data".to_string(),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ];
    start("prometheus", &args, "/-/ready", dir, format!("http://127.0.0.1:{port}"))
}

/// Runs an API query until it returns a non-empty result (scrapes are 1 s apart).
fn api(prometheus: &Server, path: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let url =
        reqwest::Url::parse_with_params(&format!("{}{path}", prometheus.url), params).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body: Value =
            serde_json::from_str(&get(url.as_str()).unwrap_or_else(|| panic!("{url}"))).unwrap();
        assert_eq!(body["status"], "success", "{url}: {body}");
        let data = &body["data"];
        let result = data.get("result").unwrap_or(data).as_array().unwrap().clone();
        if !result.is_empty() || Instant::now() > deadline {
            return result;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn dashboard() -> Value {
    let text = std::fs::read_to_string(root().join("dashboards/er-precision-gate.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A query with the dashboard's variables set to one model and dataset.
fn bind(query: &str, model_id: &str, date: &str, hash: &str) -> String {
    query
        .replace("$model_id", model_id)
        .replace("$dataset_date", date)
        .replace("$dataset_hash", hash)
}

fn value(series: &Value) -> f64 {
    series["value"][1].as_str().unwrap().parse().unwrap()
}

fn run(url: &str, model: &str, date: &str, threshold: &str) -> Ran {
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("pushgateway_url", url)
        .input("model_id", model)
        .input("dataset_date", date)
        .input("decision_threshold", threshold)
        .input("min_precision", "0")
        .input("min_f1", "0")
        .input("confidence", "0.95")
        .input("training_duration_seconds", "1820")
        .input("inference_latency_seconds", "0.004")
        .input("slice_columns", "entity_type")
        .input("report_json", "r.json")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["pushed"], "true");
    ran
}

#[test]
fn every_panel_query_returns_the_pushed_values() {
    let gateway = pushgateway();
    let prometheus = prometheus(&gateway);
    let current = run(&gateway.url, "er_20251015", "20251015", "0.5");
    let previous = run(&gateway.url, "er_20250901", "20250901", "0.3");
    let hash = recorded_sha256("sample_validation.parquet");
    let clustered = Gate::with_fixture("clusters.parquet")
        .input("mode", "clusters")
        .input("cluster_metric", "bcubed")
        .input("pushgateway_url", &gateway.url)
        .input("model_id", "er_clusters")
        .input("dataset_date", "20251015")
        .input("report_json", "r.json")
        .any_metric()
        .run();
    assert_eq!(clustered.outputs["pushed"], "true", "{clustered:#?}");
    let clusters_hash = recorded_sha256("clusters.parquet");
    let d = dashboard();

    // Template variables: label_values(<selector>, <label>) through the series API.
    let vars = d["templating"]["list"].as_array().unwrap();
    let mut checked_vars = 0;
    for var in vars.iter().filter(|v| v["type"] == "query") {
        let query = bind(var["query"]["query"].as_str().unwrap(), "er_20251015", "20251015", &hash);
        let inner = query.strip_prefix("label_values(").and_then(|q| q.strip_suffix(')')).unwrap();
        let (selector, label) = inner.rsplit_once(", ").unwrap();
        let series = api(&prometheus, "/api/v1/series", &[("match[]", selector)]);
        let values: BTreeSet<&str> = series.iter().filter_map(|s| s[label].as_str()).collect();
        let expected: BTreeSet<&str> = match var["name"].as_str().unwrap() {
            "model_id" => ["er_20250901", "er_20251015", "er_clusters"].into(),
            "dataset_date" => ["20251015"].into(),
            "dataset_hash" => [hash.as_str()].into(),
            other => panic!("unexpected variable {other}"),
        };
        assert_eq!(values, expected, "variable {}", var["name"]);
        checked_vars += 1;
    }
    assert_eq!(checked_vars, 3, "model_id, dataset_date and dataset_hash selectors");

    // Panels: every target, with the selector on the current model.
    let mut checked = Vec::new();
    for panel in d["panels"].as_array().unwrap() {
        for t in panel["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            // Cluster mode's panel shows the cluster-mode model.
            let expr = if expr.contains("er_gate_cluster_metric{") {
                bind(expr, "er_clusters", "20251015", &clusters_hash)
            } else {
                bind(expr, "er_20251015", "20251015", &hash)
            };
            let result = api(&prometheus, "/api/v1/query", &[("query", &expr)]);
            assert!(!result.is_empty(), "panel {} query {expr} returned nothing", panel["title"]);
            let metric = [
                "cluster_metric",
                "slice_precision",
                "slice_recall",
                "precision",
                "recall",
                "f1",
                "threshold",
                "lower",
                "upper",
                "passed",
                "confusion",
                "rows_per_second",
                "rows",
                "duration_seconds",
                "training_duration_seconds",
                "inference_latency_seconds",
            ]
            .into_iter()
            .find(|m| expr.contains(&format!("er_gate_{m}{{")))
            .unwrap_or_else(|| panic!("unknown metric in {expr}"));
            for series in &result {
                let model = if metric == "cluster_metric" { "er_clusters" } else { "er_20251015" };
                assert!(
                    series["metric"]["model_id"].as_str().is_none_or(|m| m == model),
                    "{series}"
                );
                let v = value(series);
                match metric {
                    "precision" | "recall" | "f1" => {
                        assert_eq!(v, current.number(metric), "{expr}")
                    }
                    "threshold" => {
                        let m = series["metric"]["metric"].as_str().unwrap();
                        let expected = match m {
                            "precision" | "f1" => 0.0,
                            "recall" => 0.88,
                            other => panic!("unexpected threshold {other}"),
                        };
                        assert_eq!(v, expected, "{expr} {m}");
                    }
                    "lower" | "upper" => {
                        let m = series["metric"]["metric"].as_str().unwrap();
                        assert_eq!(v, current.number(&format!("{m}_{metric}")), "{expr} {m}");
                    }
                    "passed" => assert_eq!(v, 1.0),
                    "confusion" => {
                        let cell = series["metric"]["cell"].as_str().unwrap();
                        assert_eq!(v, current.number(cell), "{expr} {cell}");
                    }
                    "slice_precision" | "slice_recall" => {
                        let (column, value) =
                            (&series["metric"]["slice_column"], &series["metric"]["slice_value"]);
                        let report = current.json("r.json");
                        let columns = report["slices"]["columns"].as_array().unwrap();
                        let slice = columns
                            .iter()
                            .filter(|c| c["column"] == *column)
                            .flat_map(|c| c["slices"].as_array().unwrap())
                            .find(|s| s["value"] == *value)
                            .unwrap_or_else(|| panic!("{series}"));
                        let m = metric.trim_start_matches("slice_");
                        // serde_json's default float parsing may be one ulp off.
                        let expected = slice["metrics"][m].as_f64().unwrap();
                        assert!((v - expected).abs() <= 1e-15, "{expr} {value}: {v} {expected}");
                    }
                    "cluster_metric" => {
                        let labels = &series["metric"];
                        assert_eq!(
                            (labels["mode"].as_str(), labels["cluster_metric"].as_str()),
                            (Some("clusters"), Some("bcubed"))
                        );
                        let (family, m) = (
                            labels["family"].as_str().unwrap(),
                            labels["metric"].as_str().unwrap(),
                        );
                        let report = clustered.json("r.json");
                        let expected = report["clusters"]["families"][family][m].as_f64().unwrap();
                        assert!(
                            (v - expected).abs() <= 1e-15,
                            "{expr} {family} {m}: {v} {expected}"
                        );
                    }
                    "rows" => assert_eq!(v, 10_000.0),
                    "training_duration_seconds" => assert_eq!(v, 1820.0),
                    "inference_latency_seconds" => assert_eq!(v, 0.004),
                    _ => assert!(v > 0.0, "{expr}"),
                }
            }
            checked.push((panel["title"].as_str().unwrap().to_string(), metric));
        }
    }
    let expected = [
        ("Latest verdict", "passed"),
        ("Rows evaluated", "rows"),
        ("Rows per second", "rows_per_second"),
        ("Evaluation time", "duration_seconds"),
        ("Precision, recall and F1 over time", "precision"),
        ("Precision, recall and F1 over time", "recall"),
        ("Precision, recall and F1 over time", "f1"),
        ("Precision, recall and F1 over time", "threshold"),
        ("Precision, recall and F1 over time", "lower"),
        ("Precision, recall and F1 over time", "upper"),
        ("Confusion matrix (latest)", "confusion"),
        ("Evaluation speed over time", "rows_per_second"),
        ("Training duration and inference latency over time", "training_duration_seconds"),
        ("Training duration and inference latency over time", "inference_latency_seconds"),
        ("Precision and recall by slice (latest)", "slice_recall"),
        ("Precision and recall by slice (latest)", "slice_precision"),
        ("Cluster metrics by family over time", "cluster_metric"),
    ];
    let expected: Vec<(String, &str)> = expected.iter().map(|(t, m)| (t.to_string(), *m)).collect();
    assert_eq!(checked, expected, "every panel and query, in order");

    // The dataset-version selector separates the two runs.
    let expr = bind(
        "er_gate_f1{model_id=~\"$model_id\", dataset_date=~\"$dataset_date\"}",
        ".*",
        "20250901",
        &hash,
    );
    let result = api(&prometheus, "/api/v1/query", &[("query", &expr)]);
    assert_eq!(result.len(), 1);
    assert_eq!(value(&result[0]), previous.number("f1"));
}
