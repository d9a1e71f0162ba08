//! A validation set in object storage: S3 against moto's S3 server (from
//! PyPI) checking credentials (one object, a prefix of parts, a wrong key,
//! wrong credentials, connections cut in the middle of an answer), GCS
//! through its XML API on the same server, Azure against Azurite, and a
//! plain URL.

use std::path::Path;

use crate::servers::{Server, start};
use crate::util::{
    Gate, fixture, free_port, read_parquet, root, sha256sum, write_batch, write_batch_with,
};

/// A moto server; with `signed`, its requests after the first three must
/// be signed.
fn moto(signed: bool) -> Server {
    let port = free_port();
    let moto = root().join("tests/.venv/bin/moto_server").display().to_string();
    let mut args = vec![moto, "-p".into(), port.to_string()];
    if signed {
        args.insert(0, "INITIAL_NO_AUTH_ACTION_COUNT=3".to_string());
    }
    start("env", &args, "", tempfile::tempdir().unwrap(), format!("http://127.0.0.1:{port}"))
}

/// Bucket `name` with the fixture as one object and split into hive parts,
/// and the credentials of a user who may read it; with `public`, anyone may.
fn bucket(server: &Server, name: &str, public: bool) -> (String, String, tempfile::TempDir) {
    let parts = tempfile::tempdir().unwrap();
    let batch = read_parquet(&fixture("slices.parquet"));
    let half = batch.num_rows() / 2;
    // Pages of 100 rows with a page index, so reading chosen rows back
    // fetches only some of them.
    let write = |name: &str, rows: arrow_array::RecordBatch| {
        let path = parts.path().join(name);
        let pages = parquet::file::properties::WriterProperties::builder()
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(100);
        write_batch_with(&path, &rows, pages.build());
        format!("folder/{name}={}", path.display())
    };
    let uploads = [
        format!("one/slices.parquet={}", fixture("slices.parquet").display()),
        write("part-0.parquet", batch.slice(0, half)),
        write("part-1.parquet", batch.slice(half, batch.num_rows() - half)),
        format!("folder/_SUCCESS={}", fixture("checksums.txt").display()),
    ];
    let mut args: Vec<std::ffi::OsString> = if public { vec!["--public".into()] } else { vec![] };
    args.extend([server.url.clone().into(), name.into()]);
    args.extend(uploads.iter().map(Into::into));
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let keys = Gate::python("s3_setup.py", &args, "moto[server] and boto3");
    let (id, secret) = (keys["id"].as_str().unwrap(), keys["secret"].as_str().unwrap());
    (id.to_string(), secret.to_string(), parts)
}

/// The manifest of the two parts [`bucket`] wrote.
fn manifest(parts: &Path) -> String {
    format!(
        "{}  part-0.parquet\n{}  part-1.parquet\n",
        sha256sum(&parts.join("part-0.parquet")),
        sha256sum(&parts.join("part-1.parquet"))
    )
}

fn s3(gate: Gate, endpoint: &str, id: &str, secret: &str) -> Gate {
    gate.env("AWS_ACCESS_KEY_ID", id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .any_metric()
}

#[test]
fn an_object_and_a_prefix_read_as_the_local_files() {
    let server = moto(true);
    let (id, secret, parts) = bucket(&server, "er-gate", false);
    // The chosen rows read back too: whole column chunks of the object
    // (no page index), only the pages that hold them of the parts.
    let errors =
        |gate: Gate| gate.input("errors_file", "errors.parquet").input("errors_limit", "5");
    let local = errors(Gate::with_fixture("slices.parquet")).any_metric().run();
    let one = errors(s3(Gate::new(), &server.url, &id, &secret))
        .input("validation_set", "s3://er-gate/one/slices.parquet")
        .run();
    assert_eq!(one.code, 0, "{one:#?}");
    assert_eq!(one.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    for output in ["tp", "fp", "fn", "tn", "recommended_threshold"] {
        assert_eq!(one.outputs[output], local.outputs[output], "{output}");
    }
    let read_back = |ran: &crate::util::Ran| read_parquet(&ran.dir.join("errors.parquet"));
    assert_eq!(read_back(&one), read_back(&local));
    // Masked before anything is printed, and printed nowhere else.
    let mask = format!("::add-mask::{secret}");
    assert!(one.stdout.starts_with(&mask), "{}", one.stdout);
    assert_eq!(one.stdout.matches(&secret).count(), 1, "{}", one.stdout);
    assert!(!one.stderr.contains(&secret), "{}", one.stderr);
    // The prefix: its parts (`_SUCCESS` skipped), hashed into a manifest.
    let folder = errors(s3(Gate::new(), &server.url, &id, &secret))
        .input("validation_set", "s3://er-gate/folder/")
        .input("manifest", "m.sha256")
        .run();
    assert_eq!(folder.code, 0, "{folder:#?}");
    let written = std::fs::read_to_string(folder.dir.join("m.sha256")).unwrap();
    assert_eq!(written, manifest(parts.path()));
    for output in ["tp", "fp", "fn", "tn"] {
        assert_eq!(folder.outputs[output], local.outputs[output], "{output}");
    }
    let parts_path = parts.path().to_str().unwrap();
    let local_parts = errors(Gate::new())
        .reading(parts.path())
        .input("validation_set", parts_path)
        .any_metric()
        .run();
    assert_eq!(read_back(&folder), read_back(&local_parts));
    assert_eq!(read_back(&folder).num_rows(), 10);
}

#[test]
fn a_wrong_key_and_wrong_credentials_are_named() {
    let server = moto(true);
    let (id, secret, _parts) = bucket(&server, "er-gate", false);
    let missing = s3(Gate::new(), &server.url, &id, &secret)
        .input("validation_set", "s3://er-gate/one/missing.parquet")
        .run();
    missing.assert_cannot_evaluate("cannot read validation set `s3://er-gate/one/missing.parquet`");
    assert!(missing.stderr.contains("not found (404)"), "{}", missing.stderr);
    let denied = s3(Gate::new(), &server.url, &id, "not-the-secret")
        .input("validation_set", "s3://er-gate/one/slices.parquet")
        .input("read_timeout_seconds", "20")
        .run();
    denied.assert_cannot_evaluate("cannot read validation set `s3://er-gate/one/slices.parquet`");
    assert!(denied.stderr.contains("(403)"), "{}", denied.stderr);
    assert!(!denied.stderr.contains("not-the-secret"), "the secret leaked: {}", denied.stderr);
}

/// `gs://` through GCS's XML API, which S3 answers in kind, on moto's S3
/// server: no GCS server installs from PyPI, npm or Debian. A service
/// account file points object_store at the server and turns OAuth off, as
/// object_store's own tests do, so the objects are public; the builder, the
/// listing, the ranged reads and the hash are a real bucket's. (object_store
/// escapes `-` in a bucket name, which GCS decodes and moto does not.)
#[test]
fn a_gcs_object_and_prefix_read_through_the_xml_api() {
    let server = moto(false);
    let (_, _, parts) = bucket(&server, "ergate", true);
    let account = tempfile::tempdir().unwrap();
    let key = account.path().join("service-account.json");
    let json = serde_json::json!({
        "private_key": "unused",
        "private_key_id": "unused",
        "client_email": "gate@example.iam.gserviceaccount.com",
        "gcs_base_url": server.url,
        "disable_oauth": true,
    });
    std::fs::write(&key, json.to_string()).unwrap();
    let gcs = |url: &str| {
        Gate::new()
            .env("GOOGLE_SERVICE_ACCOUNT", key.to_str().unwrap())
            .env("GOOGLE_ALLOW_HTTP", "true")
            .input("validation_set", url)
            .input("manifest", "m.sha256")
            .any_metric()
            .run()
    };
    let local = Gate::with_fixture("slices.parquet").any_metric().run();
    let one = gcs("gs://ergate/one/slices.parquet");
    assert_eq!(one.code, 0, "{one:#?}");
    assert_eq!(one.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    let folder = gcs("gs://ergate/folder/");
    assert_eq!(folder.code, 0, "{folder:#?}");
    let written = std::fs::read_to_string(folder.dir.join("m.sha256")).unwrap();
    assert_eq!(written, manifest(parts.path()));
    for output in ["tp", "fp", "fn", "tn", "recommended_threshold"] {
        assert_eq!(one.outputs[output], local.outputs[output], "{output}");
        assert_eq!(folder.outputs[output], local.outputs[output], "{output}");
    }
    gcs("gs://ergate/one/missing.parquet")
        .assert_cannot_evaluate("cannot read validation set `gs://ergate/one/missing.parquet`");
}

/// A proxy in front of the server that cuts answers past `limit` bytes.
fn proxy(server: &Server, limit: &str, drops: &str) -> Server {
    let port = free_port();
    let upstream = server.url.rsplit(':').next().unwrap().to_string();
    let python = crate::util::python().get_program().to_string_lossy().into_owned();
    let script = root().join("tests/drop_proxy.py").display().to_string();
    let args = vec![script, port.to_string(), upstream, limit.to_string(), drops.to_string()];
    start(&python, &args, "", tempfile::tempdir().unwrap(), format!("http://127.0.0.1:{port}"))
}

#[test]
fn a_connection_cut_mid_read_is_retried_or_stops_the_run() {
    let server = moto(true);
    let (id, secret, _parts) = bucket(&server, "er-gate", false);
    let local = Gate::with_fixture("slices.parquet").any_metric().run();
    // The first answer cut in the middle: read again, the same numbers.
    let once = proxy(&server, "20000", "1");
    let ran = s3(Gate::new(), &once.url, &id, &secret)
        .input("validation_set", "s3://er-gate/one/slices.parquet")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    assert_eq!(ran.outputs["tp"], local.outputs["tp"]);
    // Every answer cut past 20,000 bytes: each retry resumes where the last
    // one stopped, so the object arrives in pieces, the same bytes.
    let pieces = proxy(&server, "20000", "all");
    let ran = s3(Gate::new(), &pieces.url, &id, &secret)
        .input("validation_set", "s3://er-gate/one/slices.parquet")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    // Every answer cut before its body: exit 2 within the time allowed,
    // and no number.
    let never = proxy(&server, "100", "all");
    let started = std::time::Instant::now();
    let ran = s3(Gate::new(), &never.url, &id, &secret)
        .input("validation_set", "s3://er-gate/one/slices.parquet")
        .input("read_timeout_seconds", "5")
        .run();
    ran.assert_cannot_evaluate("cannot read validation set `s3://er-gate/one/slices.parquet`");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
}

/// `tests/range_server.py` serving the fixture `slices.parquet`; with
/// `sig`, only to requests that carry it (query or basic credentials).
fn range_server(sig: Option<&str>) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("slices.parquet"), dir.path().join("slices.parquet")).unwrap();
    let port = free_port();
    let python = crate::util::python().get_program().to_string_lossy().into_owned();
    let script = root().join("tests/range_server.py").display().to_string();
    let mut args = vec![script, port.to_string(), dir.path().display().to_string()];
    args.extend(sig.map(str::to_string));
    let url = format!("http://127.0.0.1:{port}");
    (start(&python, &args, "", tempfile::tempdir().unwrap(), url), dir)
}

#[test]
fn a_plain_url_is_read_by_range() {
    let (server, _dir) = range_server(None);
    let local = Gate::with_fixture("slices.parquet").any_metric().run();
    let ran = Gate::new()
        .input("validation_set", &format!("{}/slices.parquet", server.url))
        .any_metric()
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    assert_eq!(ran.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    for output in ["tp", "fp", "fn", "tn", "recommended_threshold"] {
        assert_eq!(ran.outputs[output], local.outputs[output], "{output}");
    }
    let missing = Gate::new()
        .input("validation_set", &format!("{}/missing.parquet", server.url))
        .any_metric()
        .run();
    assert_eq!(missing.code, 2, "{missing:#?}");
}

#[test]
fn an_azure_blob_and_prefix_read_from_azurite() {
    let port = free_port();
    let azurite = root().join("tests/node/node_modules/.bin/azurite-blob").display().to_string();
    let data = tempfile::tempdir().unwrap();
    let args = vec![
        "--blobHost".to_string(),
        "127.0.0.1".into(),
        "--blobPort".into(),
        port.to_string(),
        "--location".into(),
        data.path().display().to_string(),
        "--silent".into(),
        "--skipApiVersionCheck".into(),
    ];
    let server = start(
        &azurite,
        &args,
        "",
        tempfile::tempdir().unwrap(),
        format!("http://127.0.0.1:{port}"),
    );
    let parts = tempfile::tempdir().unwrap();
    let batch = read_parquet(&fixture("slices.parquet"));
    let mut uploads = vec![format!("one/slices.parquet={}", fixture("slices.parquet").display())];
    for (i, rows) in [batch.slice(0, 2500), batch.slice(2500, 3500)].into_iter().enumerate() {
        let path = parts.path().join(format!("part-{i}.parquet"));
        write_batch(&path, &rows);
        uploads.push(format!("folder/part-{i}.parquet={}", path.display()));
    }
    let mut args: Vec<std::ffi::OsString> = vec![server.url.clone().into(), "er-gate".into()];
    args.extend(uploads.iter().map(Into::into));
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    Gate::python("azure_setup.py", &args, "azure-storage-blob");
    let azure = |url: &str| {
        Gate::new()
            .env("AZURE_STORAGE_USE_EMULATOR", "true")
            .env("AZURITE_BLOB_STORAGE_URL", &server.url)
            .input("validation_set", url)
            .any_metric()
            .run()
    };
    let local = Gate::with_fixture("slices.parquet").any_metric().run();
    let one = azure("az://er-gate/one/slices.parquet");
    assert_eq!(one.code, 0, "{one:#?}");
    assert_eq!(one.outputs["dataset_hash"], sha256sum(&fixture("slices.parquet")));
    let folder = azure("az://er-gate/folder");
    assert_eq!(folder.code, 0, "{folder:#?}");
    for output in ["tp", "fp", "fn", "tn"] {
        assert_eq!(one.outputs[output], local.outputs[output], "{output}");
        assert_eq!(folder.outputs[output], local.outputs[output], "{output}");
    }
    azure("az://er-gate/one/missing.parquet")
        .assert_cannot_evaluate("cannot read validation set `az://er-gate/one/missing.parquet`");
}

/// Everything a run printed or wrote, but its `::add-mask::` commands.
fn everything(ran: &crate::util::Ran) -> String {
    let files: String = crate::util::tree(&ran.dir)
        .values()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let stdout: Vec<&str> = ran.stdout.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
    format!("{}{}{}{:?}{files}", stdout.join("\n"), ran.stderr, ran.summary, ran.outputs)
}

#[test]
fn a_presigned_url_is_sent_as_given_and_shown_without_its_credentials() {
    let sig = "s1gnature-0f-the-url";
    let (server, _dir) = range_server(Some(sig));
    let local = Gate::with_fixture("slices.parquet").any_metric().run();
    let url = format!("{}/slices.parquet?X-Amz-Expires=600&sig={sig}", server.url);
    let ran =
        Gate::new().any_metric().input("validation_set", &url).input("report_json", "r.json").run();
    assert_eq!(ran.code, 0, "the query is sent, and no HEAD: {ran:#?}");
    for output in ["dataset_hash", "tp", "fp", "fn", "tn"] {
        assert_eq!(ran.outputs[output], local.outputs[output], "{output}");
    }
    let shown = format!("{}/slices.parquet?X-Amz-Expires=***&sig=***", server.url);
    assert_eq!(ran.json("r.json")["dataset"]["path"], shown.as_str());
    assert!(!everything(&ran).contains(sig), "{ran:#?}");
    // A signature that does not match is the server's 403, named; the
    // forged value is hidden too.
    let forged = url.replace(sig, "f0rged-signature");
    let ran = Gate::new().any_metric().input("validation_set", &forged).run();
    ran.assert_cannot_evaluate(&shown);
    assert!(ran.stderr.contains("403"), "{ran:#?}");
    assert!(!everything(&ran).contains("f0rged-signature"), "{ran:#?}");
    // User information is sent as basic credentials, and shown as `***`.
    let basic = server.url.replace("http://", &format!("http://gate:{sig}@"));
    let ran = Gate::new()
        .any_metric()
        .input("validation_set", &format!("{basic}/slices.parquet"))
        .input("report_json", "r.json")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let host = server.url.trim_start_matches("http://");
    assert_eq!(ran.json("r.json")["dataset"]["path"], format!("http://***@{host}/slices.parquet"));
    assert!(!everything(&ran).contains(sig), "{ran:#?}");
    // A cloud URL's credentials are the cloud's variables, never userinfo.
    let ran = Gate::new()
        .any_metric()
        .input("validation_set", &format!("s3://key:{sig}@er-gate/v.parquet"))
        .run();
    ran.assert_cannot_evaluate("cannot read validation set `s3://***@er-gate/v.parquet`");
    assert!(ran.stderr.contains("expected the cloud's own credential variables"), "{ran:#?}");
    assert!(!everything(&ran).contains(sig), "{ran:#?}");
}
