//! Metrics to Prometheus: pushed to the real Pushgateway (Debian's
//! `prometheus-pushgateway`, started here on a loopback port, with the
//! `external-tests` feature) and read back; written to a file; auth headers,
//! masking and failures on a loopback listener.

use std::collections::BTreeMap;
use std::time::Duration;

#[cfg(feature = "external-tests")]
use crate::servers::{get, pushgateway};
use crate::util::{Gate, Ran, free_port, recorded_sha256};

/// The samples of a text exposition: `name{labels}` -> value.
pub fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the one sample of `name` whose labels contain all of `labels`.
pub fn sample(samples: &BTreeMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    let found: Vec<f64> = samples
        .iter()
        .filter(|(k, _)| {
            k.starts_with(&format!("{name}{{")) && labels.iter().all(|l| k.contains(l))
        })
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?} in {samples:#?}");
    found[0]
}

fn gate_pushing_to(url: &str) -> Gate {
    Gate::with_fixture("sample_validation.parquet")
        .input("pushgateway_url", url)
        .input("dataset_date", "20251015")
}

fn assert_pushed_values(ran: &Ran, exposition: &str, job: &[&str]) {
    let s = samples(exposition);
    let hash = format!("dataset_hash=\"{}\"", recorded_sha256("sample_validation.parquet"));
    let mut group = vec!["model_id=\"er_20251015\"", "dataset_date=\"20251015\"", &hash];
    group.extend(job);
    for metric in ["precision", "recall", "f1"] {
        assert_eq!(
            sample(&s, &format!("er_gate_{metric}"), &group),
            ran.number(metric),
            "{metric}"
        );
    }
    for cell in ["tp", "fp", "fn", "tn"] {
        let label = format!("cell=\"{cell}\"");
        let mut labels = group.to_vec();
        labels.push(&label);
        assert_eq!(sample(&s, "er_gate_confusion", &labels), ran.number(cell), "{cell}");
    }
    let mut labels = group.to_vec();
    labels.push("metric=\"precision\"");
    assert_eq!(sample(&s, "er_gate_threshold", &labels), 0.92);
    assert_eq!(sample(&s, "er_gate_passed", &group), 1.0);
    assert_eq!(sample(&s, "er_gate_rows", &group), 10_000.0);
    assert!(sample(&s, "er_gate_duration_seconds", &group) > 0.0);
    assert!(sample(&s, "er_gate_rows_per_second", &group) > 0.0);
}

#[cfg(feature = "external-tests")]
#[test]
fn metrics_reach_the_real_pushgateway() {
    let server = pushgateway();
    let ran = gate_pushing_to(&server.url).run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["pushed"], "true");
    let metrics = get(&format!("{}/metrics", server.url)).unwrap();
    assert_pushed_values(&ran, &metrics, &["job=\"er_precision_gate\""]);
    assert!(metrics.contains("# HELP er_gate_precision Precision TP/(TP+FP)"), "{metrics}");
    // A second run of the same model replaces its group instead of adding one.
    let again = gate_pushing_to(&server.url).input("min_precision", "0.99").run();
    assert_eq!(again.code, 1);
    let metrics = samples(&get(&format!("{}/metrics", server.url)).unwrap());
    assert_eq!(sample(&metrics, "er_gate_passed", &["model_id=\"er_20251015\""]), 0.0);
}

#[cfg(feature = "external-tests")]
#[test]
fn model_ids_with_slashes_are_grouped_with_base64() {
    let server = pushgateway();
    let ran = gate_pushing_to(&server.url)
        .input("model_id", "team/er v2")
        .input("push_job", "nightly")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let metrics = samples(&get(&format!("{}/metrics", server.url)).unwrap());
    assert_eq!(
        sample(&metrics, "er_gate_passed", &["job=\"nightly\"", "model_id=\"team/er v2\""]),
        1.0
    );
}

#[test]
fn metrics_file_holds_the_same_exposition() {
    let ran = gate_pushing_to("http://127.0.0.1:1")
        .unset("INPUT_PUSHGATEWAY_URL")
        .input("metrics_file", "textfile/er.prom")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["metrics_file"], "textfile/er.prom");
    let text = std::fs::read_to_string(ran.dir.join("textfile/er.prom")).unwrap();
    // No job label in the file: the textfile collector's scrape job applies.
    assert_pushed_values(&ran, &text, &[]);
    assert!(!text.contains("job="), "{text}");
    assert!(!ran.outputs.contains_key("pushed"));
}

/// A loopback listener that answers every request with `status` and keeps
/// each request's line and headers.
fn listener(status: u16) -> (String, std::sync::mpsc::Receiver<String>) {
    let http = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", http.server_addr().to_ip().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for request in http.incoming_requests().take(8) {
            let mut head = format!("{} {} HTTP/1.1\r\n", request.method(), request.url());
            for h in request.headers() {
                head.push_str(&format!("{}: {}\r\n", h.field, h.value));
            }
            let _ = tx.send(head);
            let _ =
                request.respond(tiny_http::Response::from_string("no").with_status_code(status));
        }
    });
    (url, rx)
}

#[test]
fn bearer_token_is_sent_masked_and_never_printed() {
    let (url, requests) = listener(200);
    let token = "tok-8f2c1e55d0";
    let ran =
        gate_pushing_to(&url).input("pushgateway_token", token).env("RUNNER_DEBUG", "1").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let head = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        head.starts_with("PUT /metrics/job/er_precision_gate/model_id/er_20251015 HTTP/1.1"),
        "{head}"
    );
    assert!(head.contains(&format!("authorization: Bearer {token}")), "{head}");
    assert!(head.contains("content-type: text/plain; version=0.0.4"), "{head}");
    assert_eq!(
        ran.stdout.lines().next(),
        Some(format!("::add-mask::{token}").as_str()),
        "masked first"
    );
    assert_eq!(ran.stdout.matches(token).count(), 1, "only in the mask command: {}", ran.stdout);
    assert!(!ran.stderr.contains(token), "{}", ran.stderr);
}

#[test]
fn basic_auth_is_sent() {
    let (url, requests) = listener(200);
    let ran = gate_pushing_to(&url)
        .input("pushgateway_username", "ci")
        .input("pushgateway_password", "pw-3d9a71")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let head = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    // base64("ci:pw-3d9a71")
    assert!(head.contains("authorization: Basic Y2k6cHctM2Q5YTcx"), "{head}");
    assert_eq!(
        ran.stdout.matches("pw-3d9a71").count(),
        1,
        "only in the mask command: {}",
        ran.stdout
    );
    assert!(ran.stdout.starts_with("::add-mask::pw-3d9a71\n"), "{}", ran.stdout);
    assert!(!ran.stderr.contains("pw-3d9a71"), "{}", ran.stderr);
}

#[test]
fn a_4xx_answer_is_not_retried_and_warns_without_blocking_the_verdict() {
    let (url, requests) = listener(401);
    let ran = gate_pushing_to(&url).input("report_json", "r.json").run();
    assert_eq!(ran.code, 0, "a failed push does not block a deploy: {ran:#?}");
    assert!(
        ran.stderr.contains("warning: metrics were not pushed: the Pushgateway at"),
        "{}",
        ran.stderr
    );
    assert!(requests.recv_timeout(Duration::from_secs(5)).is_ok());
    assert!(requests.recv_timeout(Duration::from_millis(300)).is_err(), "no retry on 401");
    assert_eq!(ran.outputs["passed"], "true", "the verdict stays in the outputs");
    assert_eq!(ran.outputs["pushed"], "false");
    assert!(ran.dir.join("r.json").exists());
    assert!(
        ran.stdout.contains("::warning title=Metrics not pushed::the Pushgateway at"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("answered 401 Unauthorized after 1 attempts"), "{}", ran.stdout);
    assert!(ran.summary.contains("## ✅ ER precision gate passed"));
    assert!(
        ran.summary.contains("> ⚠️ **Metrics not pushed**: ``the Pushgateway at"),
        "{}",
        ran.summary
    );
}

#[test]
fn a_5xx_answer_is_retried_then_reported_and_strict_side_effects_exit_2() {
    let (url, requests) = listener(503);
    let ran = gate_pushing_to(&url).input("strict_side_effects", "true").run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(ran.stderr.contains("error: metrics were not pushed"), "{}", ran.stderr);
    let attempts =
        std::iter::from_fn(|| requests.recv_timeout(Duration::from_millis(200)).ok()).count();
    assert_eq!(attempts, 3);
    assert!(
        ran.stdout.contains("answered 503 Service Unavailable after 3 attempts"),
        "{}",
        ran.stdout
    );
}

#[test]
fn an_unreachable_pushgateway_is_reported() {
    let port = free_port();
    let ran =
        gate_pushing_to(&format!("http://127.0.0.1:{port}")).input("min_recall", "0.99").run();
    assert_eq!(ran.code, 1, "the verdict's code, not the push's: {ran:#?}");
    assert_eq!(ran.outputs["pushed"], "false");
    assert!(ran.stdout.contains(&format!("cannot reach the Pushgateway at `http://127.0.0.1:{port}/metrics/job/er_precision_gate/model_id/er_20251015` after 3 attempts")), "{}", ran.stdout);
}

#[test]
fn a_redirect_to_another_origin_is_not_followed_with_the_token() {
    let (elsewhere, seen) = listener(200);
    let http = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", http.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for request in http.incoming_requests().take(4) {
            let location =
                tiny_http::Header::from_bytes("Location", format!("{elsewhere}/x")).unwrap();
            let _ = request.respond(
                tiny_http::Response::from_string("").with_status_code(307).with_header(location),
            );
        }
    });
    let ran = gate_pushing_to(&url).input("pushgateway_token", "tok-5a1e2f").run();
    assert_eq!(ran.code, 0, "a failed push is a warning: {ran:#?}");
    assert!(ran.stdout.contains("a redirect to another origin"), "{ran:#?}");
    assert!(seen.recv_timeout(Duration::from_millis(500)).is_err(), "nothing reached it");
}
