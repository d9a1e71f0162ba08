//! Real servers for the tests that need them, started from the packages
//! `tests/setup.sh` installs (Debian's Prometheus and Pushgateway, Prism from
//! npm) on free loopback ports and killed when dropped. Compiled only with the
//! `external-tests` feature; with it on, a missing server is a failure.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::free_port;

/// A server process killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GETs `url`; the body of a 2xx answer.
pub fn get(url: &str) -> Option<String> {
    let response = reqwest::blocking::get(url).ok()?;
    response.status().is_success().then(|| response.text().ok()).flatten()
}

/// Starts a server binary and waits until `ready` answers 2xx (or, for an
/// empty `ready`, until its port accepts connections).
pub fn start(
    binary: &str,
    args: &[String],
    ready: &str,
    dir: tempfile::TempDir,
    url: String,
) -> Server {
    let child = Command::new(binary)
        .args(args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {binary} (installed by .ci/run from Debian's packages): {e}")
        });
    let server = Server { child, url, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(60);
    let is_ready = || match ready {
        "" => std::net::TcpStream::connect(server.url.trim_start_matches("http://")).is_ok(),
        path => get(&format!("{}{path}", server.url)).is_some(),
    };
    while !is_ready() {
        assert!(Instant::now() < deadline, "{binary} did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Debian's Pushgateway on a free loopback port.
pub fn pushgateway() -> Server {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let args = vec![format!("--web.listen-address=127.0.0.1:{port}")];
    start("prometheus-pushgateway", &args, "/-/ready", tempfile::tempdir().unwrap(), url)
}
