//! The object store client for a URL's scheme, and the credentials it is
//! built with.
//!
//! Credentials are the variables each cloud's own tools read (`AWS_*`;
//! `GOOGLE_*` and `SERVICE_ACCOUNT`; `AZURE_*` and `IDENTITY_ENDPOINT`),
//! picked by `inputs` out of the environment snapshot ([`crate::env`]),
//! which is read in one place only. They are applied as `object_store`'s
//! `from_env` builders apply them, and never logged.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::{ClientConfigKey, ClientOptions, ObjectStore, ObjectStoreScheme, RetryConfig};

use crate::secret::Secret;

/// The prefixes of the variables the stores' builders read.
const PREFIXES: [&str; 3] = ["AWS_", "GOOGLE_", "AZURE_"];
/// Google's service account file (`SERVICE_ACCOUNT`).
const SERVICE_ACCOUNT: &str = "SERVICE_ACCOUNT";
/// Azure's managed identity endpoint (`IDENTITY_ENDPOINT`).
const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";

/// How objects in storage are reached: with which credentials, and within
/// which time.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreAccess {
    /// The longest reading a validation set in object storage may take.
    pub read_timeout: Duration,
    /// The clouds' credentials.
    pub credentials: Credentials,
}

impl StoreAccess {
    /// No credentials, and `read_timeout`.
    pub fn anonymous(read_timeout: Duration) -> StoreAccess {
        StoreAccess { read_timeout, credentials: Credentials::default() }
    }
}

/// The clouds' credential variables, by name; their values are secrets.
#[derive(Clone, Default, PartialEq)]
pub struct Credentials {
    vars: Vec<(String, Secret)>,
}

impl Credentials {
    /// The variables among `vars` that a store's builder reads.
    pub fn from_vars<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Credentials {
        let wanted = |name: &str| {
            PREFIXES.iter().any(|p| name.starts_with(p))
                || [SERVICE_ACCOUNT, IDENTITY_ENDPOINT].contains(&name)
        };
        let vars = vars
            .into_iter()
            .filter(|(name, _)| wanted(name))
            .map(|(name, value)| (name.to_string(), Secret::new(value)))
            .collect();
        Credentials { vars }
    }

    /// The values of the variables whose names start with `prefix`, each
    /// with its name lower-cased, as the builders' configuration keys parse.
    fn keys<'a, K: std::str::FromStr>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (K, &'a str)> {
        self.vars.iter().filter(move |(name, _)| name.starts_with(prefix)).filter_map(
            |(name, value)| Some((name.to_ascii_lowercase().parse().ok()?, value.expose())),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, value)| value.expose())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.vars.iter().map(|(name, _)| name)).finish()
    }
}

/// The client for `scheme`, at `url` (`parsed`), whose every request ends
/// within the read timeout.
pub fn build(
    scheme: ObjectStoreScheme,
    url: &str,
    parsed: &reqwest::Url,
    access: &StoreAccess,
) -> io::Result<Arc<dyn ObjectStore>> {
    let retry = RetryConfig { retry_timeout: access.read_timeout, ..RetryConfig::default() };
    let request = format!("{}s", access.read_timeout.as_secs().max(1));
    let credentials = &access.credentials;
    let store = match scheme {
        ObjectStoreScheme::AmazonS3 => s3(credentials, url, retry, &request),
        ObjectStoreScheme::GoogleCloudStorage => gcs(credentials, url, retry, &request),
        ObjectStoreScheme::MicrosoftAzure => azure(credentials, url, retry, &request),
        ObjectStoreScheme::Http => http(parsed, retry, &request),
        _ => {
            let why = format!("`{}` is not an object store scheme", parsed.scheme());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
    };
    store.map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, StoreError::plain(e)))
}

/// A store's client, or why it could not be built.
type Built = object_store::Result<Arc<dyn ObjectStore>>;

/// A plain HTTP(S) URL, sent as given: its query (a presigned URL's
/// signature) on every request, its user information as HTTP basic
/// credentials. An `http://` URL asks for plain HTTP in so many words.
fn http(parsed: &reqwest::Url, retry: RetryConfig, request: &str) -> Built {
    let mut base = parsed.origin().ascii_serialization();
    if let Some(query) = parsed.query() {
        base.push_str("/?");
        base.push_str(query);
    }
    let mut options = ClientOptions::new()
        .with_config(ClientConfigKey::Timeout, request)
        .with_config(ClientConfigKey::AllowHttp, (parsed.scheme() == "http").to_string());
    if !parsed.username().is_empty() {
        use base64::Engine as _;
        let decode = |s: &str| percent_decode(s);
        let pair =
            format!("{}:{}", decode(parsed.username()), decode(parsed.password().unwrap_or("")));
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|e| object_store::Error::Generic { store: "HTTP", source: Box::new(e) })?;
        value.set_sensitive(true);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, value);
        options = options.with_default_headers(headers);
    }
    HttpBuilder::new()
        .with_url(base)
        .with_retry(retry)
        .with_client_options(options)
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
}

/// A URL's percent-encoded user name or password, decoded.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// S3, with the `AWS_*` variables.
fn s3(credentials: &Credentials, url: &str, retry: RetryConfig, request: &str) -> Built {
    credentials
        .keys("AWS_")
        .fold(AmazonS3Builder::new(), |b, (key, value)| b.with_config(key, value))
        .with_url(url)
        .with_retry(retry)
        .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), request)
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
}

/// Google Cloud Storage, with `SERVICE_ACCOUNT` and the `GOOGLE_*` variables.
fn gcs(credentials: &Credentials, url: &str, retry: RetryConfig, request: &str) -> Built {
    let mut builder = GoogleCloudStorageBuilder::new();
    if let Some(path) = credentials.get(SERVICE_ACCOUNT) {
        builder = builder.with_service_account_path(path);
    }
    credentials
        .keys("GOOGLE_")
        .fold(builder, |b, (key, value)| b.with_config(key, value))
        .with_url(url)
        .with_retry(retry)
        .with_config(GoogleConfigKey::Client(ClientConfigKey::Timeout), request)
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
}

/// Azure Blob Storage, with the `AZURE_*` variables and `IDENTITY_ENDPOINT`.
fn azure(credentials: &Credentials, url: &str, retry: RetryConfig, request: &str) -> Built {
    let mut builder = credentials
        .keys("AZURE_")
        .fold(MicrosoftAzureBuilder::new(), |b, (key, value)| b.with_config(key, value));
    if let Some(endpoint) = credentials.get(IDENTITY_ENDPOINT) {
        builder = builder.with_msi_endpoint(endpoint);
    }
    builder
        .with_url(url)
        .with_retry(retry)
        .with_config(AzureConfigKey::Client(ClientConfigKey::Timeout), request)
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
}

/// An object store's failure in a user's words, the store's own error
/// kept, typed. It has no source: its one line already says all the
/// store's error says.
#[derive(Debug)]
pub struct StoreError {
    /// The status it stands for, in a user's words, when one is known.
    what: Option<&'static str>,
    /// The store's error.
    pub error: object_store::Error,
}

impl StoreError {
    /// `error`, explained by `what`.
    pub fn explained(what: &'static str, error: object_store::Error) -> StoreError {
        StoreError { what: Some(what), error }
    }

    /// `error` as the store words it.
    pub fn plain(error: object_store::Error) -> StoreError {
        StoreError { what: None, error }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.what {
            None => write!(f, "{}", self.error),
            Some(what) => write!(f, "{what}: {}", self.error),
        }
    }
}

impl std::error::Error for StoreError {}
