//! The files of one input, opened: a single parquet file or a folder's parts.
//!
//! [`Source::open`] opens every file once; the same descriptors are then
//! hashed ([`Source::hash`]) and read ([`super::Dataset::parse`]), so the
//! bytes hashed are the bytes evaluated. A folder's parts are hashed in
//! parallel, a thread per core taking the largest part left, while they are
//! read: SHA-256 is one stream per file, so a single file's hash is bound to
//! one core, and parts are not.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::checksum::Sha256;
use super::error::{DatasetError, Role};
use super::file::Storage;
use super::parts::{self, PartsError};
use super::remote::{self, Found, Remote, RemoteFile};
use super::stores::StoreAccess;

/// One opened file of an input.
#[derive(Debug, Clone)]
pub struct OpenPart {
    /// Its path relative to the folder, with `/`; for a single file, the path as given.
    pub relative: String,
    pub path: PathBuf,
    /// The open file or object, shared by the hash and the readers.
    pub file: Storage,
    /// Its size in bytes when opened.
    pub size: u64,
    /// Its hive partition values (see [`parts::Listing::keys`]).
    pub values: Vec<Option<String>>,
}

/// The opened files of one input.
#[derive(Debug, Clone)]
pub struct Source {
    pub role: Role,
    /// The path as given.
    pub path: PathBuf,
    /// Whether the path is a folder of parts.
    pub folder: bool,
    /// The files, in the order their rows are numbered.
    pub parts: Vec<OpenPart>,
    /// The folder's hive partition keys.
    pub keys: Vec<String>,
}

/// What hashing an input gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// The input's hash: the file's, or the SHA-256 of a folder's manifest.
    pub sha256: Sha256,
    /// Each part's hash, in the order of [`Source::parts`].
    pub parts: Vec<Sha256>,
    /// A folder's manifest; `None` for a single file.
    pub manifest: Option<String>,
}

impl Source {
    /// Opens `path`: a parquet file, or a folder whose parts are listed by
    /// [`parts::list`]. Fails on a missing or unreadable file and on a file
    /// of zero bytes.
    pub fn open(role: Role, path: &Path, access: &StoreAccess) -> Result<Source, DatasetError> {
        let read_err = |source| DatasetError::Read { role, path: path.to_path_buf(), source };
        if remote::is_url(path) {
            return Source::open_remote(role, path, access);
        }
        let meta = crate::places::resolve(path).and_then(std::fs::metadata).map_err(read_err)?;
        if !meta.is_dir() {
            let (file, size) = open_file(role, path)?;
            let relative = path.to_string_lossy().into_owned();
            let part = OpenPart { relative, path: path.to_path_buf(), file, size, values: vec![] };
            let (path, keys) = (path.to_path_buf(), Vec::new());
            return Ok(Source { role, path, folder: false, parts: vec![part], keys });
        }
        let listing = parts::list(role, path)?;
        let parts = listing
            .parts
            .into_iter()
            .map(|p| {
                let (file, size) = open_file(role, &p.path)?;
                Ok(OpenPart { relative: p.relative, path: p.path, file, size, values: p.values })
            })
            .collect::<Result<_, DatasetError>>()?;
        Ok(Source { role, path: path.to_path_buf(), folder: true, parts, keys: listing.keys })
    }

    /// An object store URL: one object, or every part under a prefix.
    fn open_remote(role: Role, path: &Path, access: &StoreAccess) -> Result<Source, DatasetError> {
        let read_err = |source| DatasetError::Read { role, path: path.to_path_buf(), source };
        let url = path.to_str().expect("an object store URL is text");
        let found = Remote::connect(url, access).and_then(|r| r.find()).map_err(read_err)?;
        let part = |relative: String, file: RemoteFile, values| {
            let (path, size) = (PathBuf::from(&file.url), file.size);
            if size == 0 {
                return Err(DatasetError::EmptyFile { role, path });
            }
            Ok(OpenPart { relative, path, file: Storage::Remote(file), size, values })
        };
        let (path, keys) = (path.to_path_buf(), Vec::new());
        match found {
            Found::Object(file) => {
                let bare = url.split(['?', '#']).next().unwrap_or(url);
                let relative = bare.rsplit('/').next().unwrap_or(bare).to_string();
                let parts = vec![part(relative, file, Vec::new())?];
                Ok(Source { role, path, folder: false, parts, keys })
            }
            Found::Prefix(objects) => {
                let (listing, files) = parts::of_objects(role, &path, objects)?;
                let parts = listing
                    .parts
                    .into_iter()
                    .zip(files)
                    .map(|(p, file)| part(p.relative, file, p.values))
                    .collect::<Result<_, _>>()?;
                Ok(Source { role, path, folder: true, parts, keys: listing.keys })
            }
        }
    }

    /// Checks that no file changed since it was opened
    /// ([`Storage::unchanged`]): called once everything is hashed and read.
    pub fn unchanged(&self) -> Result<(), DatasetError> {
        for part in &self.parts {
            part.file.unchanged().map_err(|source| DatasetError::Read {
                role: self.role,
                path: part.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Bytes in every file.
    pub fn size(&self) -> u64 {
        self.parts.iter().map(|p| p.size).sum()
    }

    /// Hashes every file on up to `threads` threads, the largest parts first.
    pub fn hash(&self, threads: usize) -> Result<Hashed, DatasetError> {
        super::progress::to_hash(self.size());
        let mut order: Vec<usize> = (0..self.parts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.parts[i].size));
        let next = AtomicUsize::new(0);
        let threads = threads.clamp(1, self.parts.len());
        let done: Vec<(usize, io::Result<Sha256>)> = std::thread::scope(|s| {
            let work = || {
                let mut done = Vec::new();
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    done.push((i, self.parts[i].file.hash()));
                }
                done
            };
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles.into_iter().flat_map(|h| h.join().expect("a hashing thread panicked")).collect()
        });
        let mut hashes = vec![None; self.parts.len()];
        for (i, hashed) in done {
            let read_err = |source| DatasetError::Read {
                role: self.role,
                path: self.parts[i].path.clone(),
                source,
            };
            hashes[i] = Some(hashed.map_err(read_err)?);
        }
        let parts: Vec<Sha256> =
            hashes.into_iter().map(|h| h.expect("every part hashed")).collect();
        if !self.folder {
            return Ok(Hashed { sha256: parts[0], parts, manifest: None });
        }
        let manifest =
            parts::manifest(self.parts.iter().zip(&parts).map(|(p, h)| (p.relative.as_str(), *h)));
        Ok(Hashed { sha256: parts::sha256_of(&manifest), parts, manifest: Some(manifest) })
    }
}

/// Opens one file: it must be a regular file of at least one byte.
fn open_file(role: Role, path: &Path) -> Result<(Storage, u64), DatasetError> {
    let read_err = |source| DatasetError::Read { role, path: path.to_path_buf(), source };
    let (file, meta) = crate::files::open_regular(path).map_err(read_err)?;
    if meta.len() == 0 {
        return Err(DatasetError::EmptyFile { role, path: path.to_path_buf() });
    }
    Ok((Storage::local(Arc::new(file), &meta), meta.len()))
}

impl From<PartsError> for DatasetError {
    fn from(e: PartsError) -> DatasetError {
        DatasetError::Parts(Box::new(e))
    }
}
