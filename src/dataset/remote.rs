//! A validation set in object storage: S3, GCS, Azure, or a plain HTTPS URL.
//!
//! Read with the Apache Arrow project's `object_store` client, on a small
//! tokio runtime the reading threads block on. The footer and the column
//! chunks a row group needs come by range requests (each row group's
//! chunks fetched together, before it is decoded), the hash by one
//! streaming read, both at once. Every request carries the ETag the object
//! had when it was found (`If-Match`), so the bytes hashed and the bytes
//! counted are of one version of the object: one replaced mid-run is an
//! error, never a mix. The client is built by [`super::stores`], with the
//! credentials of each cloud's usual environment variables. Requests are
//! retried with backoff on 5xx and timeouts, within `read_timeout_seconds`
//! in all.

use std::io::{self, Read};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, ObjectMeta, ObjectStore, ObjectStoreExt, ObjectStoreScheme};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::checksum::Sha256;
use super::stores::{self, StoreAccess, StoreError};

/// Bytes fetched at a time by a reader that is not served from a
/// prefetched chunk (page headers read back, footers).
const BLOCK: u64 = 1 << 20;

/// The URL schemes read from object storage.
const SCHEMES: &[&str] = &[
    "s3://", "s3a://", "gs://", "az://", "abfs://", "abfss://", "azure://", "https://", "http://",
];

/// Whether `path` names an object store URL rather than a local path.
pub fn is_url(path: &std::path::Path) -> bool {
    path.to_str().is_some_and(|p| SCHEMES.iter().any(|s| p.starts_with(s)))
}

/// The runtime every request runs on, made on first use.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("object-store")
            .enable_all()
            .build()
            .expect("a tokio runtime starts")
    })
}

/// A connected store and the object or prefix a URL names.
#[derive(Debug, Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    /// The URL as given, for messages.
    url: String,
    /// The key (or prefix) in the store.
    location: ObjectPath,
    deadline: Instant,
    /// Whether the URL carries a query (a presigned URL): signed for GET
    /// only, so its size comes from a one-byte read, never a HEAD, and it
    /// names one object, never a prefix.
    presigned: bool,
}

/// What a URL names: one object, or the objects under a prefix.
pub enum Found {
    /// One object.
    Object(RemoteFile),
    /// Every object under the prefix, with its path below it.
    Prefix(Vec<(String, RemoteFile)>),
}

impl Remote {
    /// Connects to the store of `url`, with the credentials of `access`;
    /// every request made through it must end within its `read_timeout`.
    pub fn connect(url: &str, access: &StoreAccess) -> io::Result<Remote> {
        let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(format!("not a URL: {e}")))?;
        let plain = matches!(parsed.scheme(), "http" | "https");
        if !plain && (!parsed.username().is_empty() || parsed.password().is_some()) {
            return Err(invalid(format!(
                "a `{}://` URL with credentials in it (`user:password@`): expected the cloud's own credential variables; only an http(s) URL's are sent, as basic credentials",
                parsed.scheme()
            )));
        }
        let (scheme, location) = match parsed.query() {
            // A presigned URL is its own credential: sent as given, never
            // signed again by a cloud's client.
            Some(_) if plain => (
                ObjectStoreScheme::Http,
                ObjectPath::from_url_path(parsed.path()).map_err(|e| invalid(e.to_string()))?,
            ),
            _ => ObjectStoreScheme::parse(&parsed).map_err(|e| invalid(e.to_string()))?,
        };
        let store = stores::build(scheme, url, &parsed, access)?;
        let deadline = Instant::now() + access.read_timeout;
        let presigned = parsed.query().is_some();
        Ok(Remote { store, url: url.to_string(), location, deadline, presigned })
    }

    /// The object the URL names, or, when there is none, the objects
    /// under it as a prefix; neither is a "not found" error.
    pub fn find(&self) -> io::Result<Found> {
        if self.presigned {
            let first = GetOptions { range: Some((0..1).into()), ..GetOptions::default() };
            let got = self.block_on(self.store.get_opts(&self.location, first))?;
            return Ok(Found::Object(self.file(got.meta, self.url.clone())));
        }
        match self.run(self.store.head(&self.location))? {
            Ok(meta) => Ok(Found::Object(self.file(meta, self.url.clone()))),
            Err(object_store::Error::NotFound { .. }) => {
                let listed: Vec<ObjectMeta> = self.block_on(async {
                    let mut listed = Vec::new();
                    let mut stream = self.store.list(Some(&self.location));
                    while let Some(meta) = stream.next().await {
                        listed.push(meta?);
                    }
                    Ok(listed)
                })?;
                if listed.is_empty() {
                    let why = format!(
                        "not found (404): no object with the key `{}`, and none under it as a prefix",
                        self.location
                    );
                    return Err(io::Error::new(io::ErrorKind::NotFound, why));
                }
                let base = self.url.trim_end_matches('/');
                let prefix = self.location.as_ref().trim_end_matches('/');
                let objects = listed
                    .into_iter()
                    .map(|meta| {
                        let key = meta.location.as_ref();
                        let below = key.strip_prefix(prefix).unwrap_or(key).trim_start_matches('/');
                        let (relative, url) = (below.to_string(), format!("{base}/{below}"));
                        (relative, self.file(meta, url))
                    })
                    .collect();
                Ok(Found::Prefix(objects))
            }
            Err(e) => Err(explained(e)),
        }
    }

    fn file(&self, meta: ObjectMeta, url: String) -> RemoteFile {
        RemoteFile {
            remote: self.clone(),
            location: meta.location,
            url,
            size: meta.size,
            e_tag: meta.e_tag,
        }
    }

    /// Runs a request to its end, or to the deadline.
    fn run<T>(
        &self,
        request: impl Future<Output = object_store::Result<T>>,
    ) -> io::Result<object_store::Result<T>> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        runtime().block_on(async { tokio::time::timeout(left, request).await }).map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                "read_timeout_seconds passed before the object was read",
            )
        })
    }

    /// [`Self::run`], its error in a user's words.
    fn block_on<T>(&self, request: impl Future<Output = object_store::Result<T>>) -> io::Result<T> {
        self.run(request)?.map_err(explained)
    }
}

/// An object store error in a user's words: the status it stands for.
fn explained(e: object_store::Error) -> io::Error {
    let (kind, what) = match &e {
        object_store::Error::NotFound { .. } => (io::ErrorKind::NotFound, "not found (404)"),
        object_store::Error::PermissionDenied { .. } => {
            (io::ErrorKind::PermissionDenied, "access denied (403): check the credentials' rights")
        }
        object_store::Error::Unauthenticated { .. } => (
            io::ErrorKind::PermissionDenied,
            "not authenticated (401/403): check the credentials in the environment",
        ),
        object_store::Error::Precondition { .. } => (
            io::ErrorKind::InvalidData,
            "the object changed while it was read (its ETag no longer matches): run again",
        ),
        // A listing's errors come as generic ones, with the status in
        // their text: a missing bucket is a 404 there.
        e => match e.to_string() {
            t if t.contains("404 Not Found") => {
                (io::ErrorKind::NotFound, "not found (404): no such bucket or container")
            }
            t if t.contains("403 Forbidden") => (
                io::ErrorKind::PermissionDenied,
                "access denied (403): check the credentials in the environment and their rights",
            ),
            _ => (io::ErrorKind::Other, "the request failed"),
        },
    };
    io::Error::new(kind, StoreError::explained(what, e))
}

/// One object, read by range and hashed by one streaming read.
#[derive(Debug, Clone)]
pub struct RemoteFile {
    remote: Remote,
    location: ObjectPath,
    /// Its URL, for messages.
    pub url: String,
    /// Its size when found.
    pub size: u64,
    e_tag: Option<String>,
}

impl RemoteFile {
    fn options(&self, range: Option<Range<u64>>) -> GetOptions {
        GetOptions {
            if_match: self.e_tag.clone(),
            range: range.map(Into::into),
            ..GetOptions::default()
        }
    }

    /// Bytes `range` of the object.
    pub fn get(&self, range: Range<u64>) -> io::Result<Bytes> {
        let options = self.options(Some(range));
        let store = &self.remote.store;
        self.remote.block_on(async { store.get_opts(&self.location, options).await?.bytes().await })
    }

    /// Several ranges of the object, in order: those less than 1 MiB apart
    /// merged into one request, up to 10 requests at a time (object_store's
    /// own coalescing, as its `get_ranges` does, with the `If-Match` kept).
    pub fn get_all(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
        let store = &self.remote.store;
        let fetch = |r: Range<u64>| {
            let options = self.options(Some(r));
            async move { store.get_opts(&self.location, options).await?.bytes().await }
        };
        self.remote.block_on(object_store::coalesce_ranges(
            ranges,
            fetch,
            object_store::OBJECT_STORE_COALESCE_DEFAULT,
        ))
    }

    /// The SHA-256 of the whole object, in one streaming read.
    pub fn hash(&self) -> io::Result<Sha256> {
        let options = self.options(None);
        let store = &self.remote.store;
        let (digest, read) = self.remote.block_on(async {
            let mut stream = store.get_opts(&self.location, options).await?.into_stream();
            let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
            let mut read = 0u64;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                read += chunk.len() as u64;
                ctx.update(&chunk);
                super::progress::hashed(chunk.len() as u64);
            }
            Ok((ctx.finish(), read))
        })?;
        if read != self.size {
            let why = format!("read {read} bytes of an object of {} bytes", self.size);
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, why));
        }
        Ok(Sha256::from_bytes(digest.as_ref()))
    }
}

fn external(e: io::Error) -> ParquetError {
    ParquetError::External(Box::new(e))
}

impl Length for RemoteFile {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for RemoteFile {
    type T = Box<dyn Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(Box::new(Blocks { file: self.clone(), offset: start, block: Bytes::new() }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.get(start..start + length as u64).map_err(external)
    }
}

/// A reader of an object from an offset, a block at a time.
struct Blocks {
    file: RemoteFile,
    offset: u64,
    block: Bytes,
}

impl Read for Blocks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.block.is_empty() {
            let end = (self.offset + BLOCK).min(self.file.size);
            if self.offset >= end {
                return Ok(0);
            }
            self.block = self.file.get(self.offset..end)?;
        }
        let n = buf.len().min(self.block.len());
        buf[..n].copy_from_slice(&self.block[..n]);
        self.block = self.block.slice(n..);
        self.offset += n as u64;
        Ok(n)
    }
}

/// One row group's column chunks, fetched together, served from memory;
/// anything else from the object.
pub struct Prefetched {
    file: RemoteFile,
    chunks: Vec<(u64, Bytes)>,
}

impl Prefetched {
    /// Fetches `ranges` of `file` at once.
    pub fn fetch(file: &RemoteFile, ranges: Vec<Range<u64>>) -> io::Result<Prefetched> {
        let fetched = file.get_all(&ranges)?;
        let chunks = ranges.iter().map(|r| r.start).zip(fetched).collect();
        Ok(Prefetched { file: file.clone(), chunks })
    }

    fn chunk(&self, start: u64) -> Option<Bytes> {
        self.chunks.iter().find_map(|(at, bytes)| {
            let end = at + bytes.len() as u64;
            (*at <= start && start < end).then(|| bytes.slice((start - at) as usize..))
        })
    }
}

impl Length for Prefetched {
    fn len(&self) -> u64 {
        self.file.size
    }
}

impl ChunkReader for Prefetched {
    type T = Box<dyn Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        match self.chunk(start) {
            Some(rest) => Ok(Box::new(io::Cursor::new(rest))),
            None => self.file.get_read(start),
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self.chunk(start).filter(|rest| rest.len() >= length) {
            Some(rest) => Ok(rest.slice(..length)),
            None => self.file.get_bytes(start, length),
        }
    }
}
