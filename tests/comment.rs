//! The verdict comment, against a stateful fake of GitHub's issue-comment API
//! behind Prism in validating proxy mode, with GitHub's published OpenAPI
//! description (npm `@octokit/openapi`): every request the program sends
//! (method, path, query, headers, body) must match the description, or
//! Prism answers 422 and the test fails; every answer of the fake is
//! checked against it too.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tiny_http::{Header, Response, Server as Http};

use crate::servers::{Server, start};
use crate::util::free_port;
use crate::util::{Gate, Ran, root};

/// One request the fake received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    authorization: String,
    api_version: String,
    body: String,
}

#[derive(Default)]
struct State {
    /// (issue number, id, body)
    comments: Vec<(u64, u64, String)>,
    page_size: usize,
    forbidden: bool,
    /// Issue numbers whose comment was refused with 403.
    refused: Vec<u64>,
    seen: Vec<Seen>,
}

/// A stateful fake of the three issue-comment endpoints.
struct FakeGitHub {
    http: Arc<Http>,
    state: Arc<Mutex<State>>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.http.unblock();
    }
}

fn comment_json(public: &str, issue: u64, id: u64, body: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "node_id": format!("IC_{id}"),
        "url": format!("{public}/repos/acme/entity-resolution/issues/comments/{id}"),
        "html_url": format!("https://github.com/acme/entity-resolution/issues/{issue}#issuecomment-{id}"),
        "issue_url": format!("{public}/repos/acme/entity-resolution/issues/{issue}"),
        "body": body,
        "user": null,
        "created_at": "2025-10-15T12:00:00Z",
        "updated_at": "2025-10-15T12:00:00Z",
        "author_association": "NONE",
    })
}

impl FakeGitHub {
    /// Starts on `port`; `public` is the base URL clients see (Prism's), for
    /// `Link` headers and URLs in bodies.
    fn start(port: u16, public: String) -> FakeGitHub {
        let http = Arc::new(Http::http(("127.0.0.1", port)).unwrap());
        let state = Arc::new(Mutex::new(State { page_size: 30, ..State::default() }));
        let (h, st) = (http.clone(), state.clone());
        std::thread::spawn(move || {
            for mut request in h.incoming_requests() {
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let header = |name: &str| {
                    request
                        .headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.to_string())
                        .unwrap_or_default()
                };
                let seen = Seen {
                    method: request.method().to_string(),
                    url: request.url().to_string(),
                    authorization: header("Authorization"),
                    api_version: header("X-GitHub-Api-Version"),
                    body: body.clone(),
                };
                let (status, json, link) = handle(&mut st.lock().unwrap(), &public, &seen);
                st.lock().unwrap().seen.push(seen);
                let mut response = Response::from_string(json.to_string())
                    .with_status_code(status)
                    .with_header(Header::from_bytes("Content-Type", "application/json").unwrap());
                if let Some(link) = link {
                    response = response.with_header(Header::from_bytes("Link", link).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        FakeGitHub { http, state }
    }
}

fn handle(
    state: &mut State,
    public: &str,
    seen: &Seen,
) -> (u16, serde_json::Value, Option<String>) {
    let forbidden = serde_json::json!({
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    });
    let (path, query) = seen.url.split_once('?').unwrap_or((&seen.url, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let text = || {
        serde_json::from_str::<serde_json::Value>(&seen.body).unwrap()["body"]
            .as_str()
            .unwrap()
            .to_string()
    };
    match (seen.method.as_str(), parts.as_slice()) {
        ("GET", ["repos", _, _, "issues", n, "comments"]) => {
            let issue: u64 = n.parse().unwrap();
            let page: usize = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .map_or(1, |p| p.parse().unwrap());
            let all: Vec<_> = state.comments.iter().filter(|c| c.0 == issue).collect();
            let pages = all.len().div_ceil(state.page_size).max(1);
            let items: Vec<_> = all
                .iter()
                .skip((page - 1) * state.page_size)
                .take(state.page_size)
                .map(|c| comment_json(public, c.0, c.1, &c.2))
                .collect();
            let link = (page < pages).then(|| {
                format!("<{public}{path}?per_page=100&page={}>; rel=\"next\", <{public}{path}?per_page=100&page={pages}>; rel=\"last\"", page + 1)
            });
            (200, serde_json::Value::Array(items), link)
        }
        ("POST", ["repos", _, _, "issues", n, "comments"]) if state.forbidden => {
            state.refused.push(n.parse().unwrap());
            (403, forbidden, None)
        }
        ("POST", ["repos", _, _, "issues", n, "comments"]) => {
            let issue: u64 = n.parse().unwrap();
            let id = 1000 + state.comments.len() as u64;
            state.comments.push((issue, id, text()));
            (201, comment_json(public, issue, id, &text()), None)
        }
        ("PATCH", ["repos", _, _, "issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap();
            let body = text();
            let c = state
                .comments
                .iter_mut()
                .find(|c| c.1 == id)
                .expect("PATCH of an existing comment");
            c.2 = body.clone();
            (200, comment_json(public, c.0, id, &body), None)
        }
        _ => (
            404,
            serde_json::json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest" }),
            None,
        ),
    }
}

/// GitHub's description, cut to the three operations used, from the
/// dereferenced file of `@octokit/openapi` (tests/setup.sh installs it).
fn spec(dir: &std::path::Path) -> PathBuf {
    let source =
        root().join("tests/node/node_modules/@octokit/openapi/generated/api.github.com.deref.json");
    let text = std::fs::read_to_string(&source)
        .unwrap_or_else(|e| panic!("{} (run bash tests/setup.sh): {e}", source.display()));
    let full: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut paths = serde_json::Map::new();
    for (path, methods) in [
        ("/repos/{owner}/{repo}/issues/{issue_number}/comments", &["get", "post"][..]),
        ("/repos/{owner}/{repo}/issues/comments/{comment_id}", &["patch"][..]),
    ] {
        let item = &full["paths"][path];
        let mut kept = serde_json::Map::new();
        for m in methods {
            kept.insert(m.to_string(), item[*m].clone());
        }
        paths.insert(path.to_string(), serde_json::Value::Object(kept));
    }
    let subset = serde_json::json!({
        "openapi": full["openapi"], "info": full["info"], "servers": full["servers"], "paths": paths,
    });
    let out = dir.join("github-issue-comments.json");
    std::fs::write(&out, subset.to_string()).unwrap();
    out
}

/// Prism validating every request and answer, in front of the fake.
fn github() -> (Server, FakeGitHub) {
    let (prism_port, fake_port) = (free_port(), free_port());
    let public = format!("http://127.0.0.1:{prism_port}");
    let fake = FakeGitHub::start(fake_port, public.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let prism = root().join("tests/node/node_modules/.bin/prism");
    let args = vec![
        "proxy".to_string(),
        spec.display().to_string(),
        format!("http://127.0.0.1:{fake_port}"),
        "--errors".to_string(),
        "--host=127.0.0.1".to_string(),
        format!("--port={prism_port}"),
    ];
    // Prism answers 404 for paths outside the description; any answer means ready.
    let server = start(prism.to_str().unwrap(), &args, "", dir, public);
    (server, fake)
}

fn event(gate: &Gate, json: serde_json::Value) -> String {
    let path = gate.path("event.json");
    std::fs::write(&path, json.to_string()).unwrap();
    path.display().to_string()
}

fn commenting(api: &str, on: &str) -> Gate {
    let gate = Gate::with_fixture("sample_validation.parquet")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_WORKFLOW", "ER Precision Gate")
        .env("GITHUB_JOB", "gate")
        .input("github_token", "ghs_T0kenForTests")
        .input("comment_on", on)
        .input("model_card", "model_cards/er_{{dataset_date}}.md")
        .input("dataset_date", "20251015");
    let path = event(
        &gate,
        serde_json::json!({ "action": "synchronize", "pull_request": { "number": 7 } }),
    );
    gate.env("GITHUB_EVENT_PATH", &path)
}

fn assert_valid_requests(fake: &FakeGitHub, ran: &Ran) {
    for seen in &fake.state.lock().unwrap().seen {
        assert_eq!(seen.authorization, "Bearer ghs_T0kenForTests", "{seen:?}");
        assert_eq!(seen.api_version, "2022-11-28", "{seen:?}");
    }
    assert!(!ran.stdout.contains("422"), "Prism rejected a request: {}", ran.stdout);
    assert_eq!(ran.stdout.matches("ghs_T0kenForTests").count(), 1, "only masked: {}", ran.stdout);
    assert!(ran.stdout.starts_with("::add-mask::ghs_T0kenForTests\n"), "{}", ran.stdout);
    assert!(!ran.stderr.contains("ghs_T0kenForTests"));
}

#[test]
fn one_comment_per_gate_is_created_then_updated_in_place() {
    let (prism, fake) = github();
    {
        let mut s = fake.state.lock().unwrap();
        s.page_size = 2;
        for i in 0..5 {
            s.comments.push((7, 1 + i, format!("review comment {i}")));
        }
        s.comments.push((
            8,
            99,
            "<!-- er-precision-gate: ER Precision Gate/gate --> another PR".to_string(),
        ));
    }
    let first = commenting(&prism.url, "pr").run();
    assert_eq!(first.code, 0, "{first:#?}");
    assert_valid_requests(&fake, &first);
    assert_eq!(
        first.outputs["comment_url"],
        "https://github.com/acme/entity-resolution/issues/7#issuecomment-1006"
    );
    {
        let s = fake.state.lock().unwrap();
        let ours: Vec<_> =
            s.comments.iter().filter(|c| c.0 == 7 && c.2.contains("er-precision-gate:")).collect();
        assert_eq!(ours.len(), 1);
        let body = &ours[0].2;
        assert!(body.starts_with("<!-- er-precision-gate: ER Precision Gate/gate -->\n## ✅ ER precision gate passed: `er_20251015`"), "{body}");
        assert!(body.contains("| Precision | 0.9503 | ≥ 0.9200 | ✅ pass |"), "{body}");
        assert!(body.contains("Model card: `model_cards/er_20251015.md`"), "{body}");
        // Three pages of two were read before posting.
        let gets = s.seen.iter().filter(|r| r.method == "GET").count();
        assert_eq!(gets, 3, "{:#?}", s.seen);
    }
    // The comment is now on page 3; a failing re-run edits it.
    let second = commenting(&prism.url, "pr").input("min_precision", "0.99").run();
    assert_eq!(second.code, 1, "{second:#?}");
    assert_valid_requests(&fake, &second);
    let s = fake.state.lock().unwrap();
    assert_eq!(s.comments.len(), 7, "updated, not added");
    let last = s.seen.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.url.as_str()),
        ("PATCH", "/repos/acme/entity-resolution/issues/comments/1006")
    );
    assert!(s.comments[6].2.contains("## ❌ ER precision gate failed"), "{}", s.comments[6].2);
    assert_eq!(second.outputs["comment_url"], first.outputs["comment_url"]);
}

#[test]
fn an_issue_number_gets_the_comment() {
    let (prism, fake) = github();
    let ran = commenting(&prism.url, "12").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_valid_requests(&fake, &ran);
    let s = fake.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1);
    assert_eq!(s.comments[0].0, 12);
    assert_eq!(s.seen[0].url, "/repos/acme/entity-resolution/issues/12/comments?per_page=100");
}

#[test]
fn several_tracking_issues_each_get_one_comment_updated_in_place() {
    let (prism, fake) = github();
    for _ in 0..2 {
        let ran = commenting(&prism.url, "12, #13 12").run();
        assert_eq!(ran.code, 0, "{ran:#?}");
        assert_valid_requests(&fake, &ran);
        let url = &ran.outputs["comment_url"];
        assert!(url.starts_with("https://github.com/acme/entity-resolution/issues/12#"), "{url}");
    }
    let s = fake.state.lock().unwrap();
    let issues: Vec<u64> = s.comments.iter().map(|c| c.0).collect();
    assert_eq!(issues, [12, 13], "one each, the second run updated them");
    let posts = s.seen.iter().filter(|r| r.method == "POST").count();
    let patches = s.seen.iter().filter(|r| r.method == "PATCH").count();
    assert_eq!((posts, patches), (2, 2), "{:#?}", s.seen);
}

#[test]
fn a_forks_read_only_token_ends_in_a_warning_not_a_failed_step() {
    let (prism, fake) = github();
    fake.state.lock().unwrap().forbidden = true;
    let ran = commenting(&prism.url, "pr").run();
    assert_eq!(ran.code, 0, "the gate passed; the comment is best effort: {ran:#?}");
    assert!(
        ran.stdout.contains(
            "::warning title=Comment not posted::the token may not comment on #7 (403 Forbidden"
        ),
        "{}",
        ran.stdout
    );
    assert!(ran.summary.contains("**Comment not posted**"), "{}", ran.summary);
    assert!(!ran.outputs.contains_key("comment_url"));
    assert_eq!(ran.outputs["passed"], "true");
    assert_eq!(fake.state.lock().unwrap().refused, [7], "one POST, to the event's pull request");
}

#[test]
fn comment_on_pr_outside_a_pull_request_is_a_notice() {
    let (prism, fake) = github();
    let gate = commenting(&prism.url, "pr");
    let path = event(&gate, serde_json::json!({ "ref": "refs/heads/main" }));
    let ran = gate.env("GITHUB_EVENT_PATH", &path).run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(
        ran.stdout.contains("::notice title=No comment::the triggering event has no pull request"),
        "{}",
        ran.stdout
    );
    assert_eq!(ran.outputs["passed"], "true");
    assert!(fake.state.lock().unwrap().seen.is_empty(), "nothing was sent");
}

/// A server that answers every request with `status`, `body` and extra
/// headers (`{other}` in a header's value stands for `other`'s URL), and
/// records the `Authorization` header of each.
struct Plain {
    http: Arc<Http>,
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Drop for Plain {
    fn drop(&mut self) {
        self.http.unblock();
    }
}

impl Plain {
    fn start(status: u16, body: &'static str, headers: Vec<(&'static str, String)>) -> Plain {
        let port = free_port();
        let http = Arc::new(Http::http(("127.0.0.1", port)).unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (h, s) = (http.clone(), seen.clone());
        std::thread::spawn(move || {
            for request in h.incoming_requests() {
                let auth = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                s.lock().unwrap().push(auth);
                let mut response = Response::from_string(body).with_status_code(status);
                for (name, value) in &headers {
                    response =
                        response.with_header(Header::from_bytes(*name, value.as_str()).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        Plain { http, url: format!("http://127.0.0.1:{port}"), seen }
    }
}

#[test]
fn the_token_never_leaves_the_apis_origin() {
    let elsewhere = Plain::start(200, "[]", Vec::new());
    // A next page on another origin is not followed.
    let next = format!("<{}/steal?page=2>; rel=\"next\"", elsewhere.url);
    let api =
        Plain::start(200, "[]", vec![("Link", next), ("Content-Type", "application/json".into())]);
    let ran = commenting(&api.url, "7").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.stdout.contains("the API's next page is on another origin"), "{ran:#?}");
    assert_eq!(api.seen.lock().unwrap().as_slice(), ["Bearer ghs_T0kenForTests"]);
    // Nor is a redirect to another origin.
    let to = format!("{}/steal", elsewhere.url);
    let api = Plain::start(307, "", vec![("Location", to)]);
    let ran = commenting(&api.url, "7").run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert!(ran.stdout.contains("a redirect to another origin"), "{ran:#?}");
    assert!(elsewhere.seen.lock().unwrap().is_empty(), "nothing reached the other origin");
}
