//! HTTPS: every client (the object stores' and the integrations') speaks TLS
//! through rustls with its built-in provider, aws-lc-rs, the crate that also
//! hashes the data. A loopback listener records the first bytes of each
//! connection and hangs up, so the handshake never completes: the run must
//! say so, never panic or hang.

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::util::Gate;

/// A TLS record of a handshake (22), TLS 1.0-1.2 record version: how every
/// ClientHello starts.
const CLIENT_HELLO: [u8; 2] = [0x16, 0x03];

/// `https://127.0.0.1:<port>` and the first two bytes of every connection.
fn hanging_up_listener() -> (String, Receiver<[u8; 2]>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut first = [0u8; 2];
            if stream.read_exact(&mut first).is_ok() && tx.send(first).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn an_https_object_is_asked_for_over_tls_and_a_failed_handshake_stops_the_run() {
    let (url, hellos) = hanging_up_listener();
    let object = format!("{url}/validation.parquet");
    let ran = Gate::new()
        .input("validation_set", &object)
        .input("read_timeout_seconds", "2")
        .any_metric()
        .run();
    assert_eq!(ran.code, 2, "{ran:#?}");
    assert!(ran.stdout.contains("::error"), "{}", ran.stdout);
    assert!(ran.stderr.contains(&object), "names the object: {}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    assert_eq!(hellos.recv_timeout(Duration::from_secs(5)).unwrap(), CLIENT_HELLO);
}

#[test]
fn an_https_pushgateway_is_pushed_to_over_tls() {
    let (url, hellos) = hanging_up_listener();
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("pushgateway_url", &url)
        .input("dataset_date", "20251015")
        .run();
    assert_eq!(ran.code, 0, "a failed push does not block a deploy: {ran:#?}");
    assert_eq!(ran.outputs["pushed"], "false");
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    assert_eq!(hellos.recv_timeout(Duration::from_secs(5)).unwrap(), CLIENT_HELLO);
}
