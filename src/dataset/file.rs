//! Where a part's bytes are (a local file shared by several readers, or an
//! object in a store), and the reader's panics caught.
//!
//! The file is opened once and shared by every reader through positional
//! reads ([`SharedFile`]), so the bytes that are hashed are the bytes that are
//! evaluated, and concurrent readers share no file offset (`File`'s own
//! `ChunkReader` clones the descriptor and seeks, which races across threads).

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

/// Runs `f`, turning a panic into an error. The parquet crate panics on
/// some malformed pages (its `get_vlq_int` asserts on an over-long integer,
/// found by the `evaluate` fuzz target): a hostile file must give exit 2
/// naming the row group, never a crash.
pub(super) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, ParquetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        ParquetError::General(format!("the parquet reader failed: {why}"))
    })
}

/// Where a part's bytes are: a local file, or an object in a store.
#[derive(Debug, Clone)]
pub enum Storage {
    /// A local file.
    Local(SharedFile),
    /// An object read by range.
    Remote(super::remote::RemoteFile),
}

impl Storage {
    /// A local file, opened.
    pub fn local(file: Arc<File>, size: u64) -> Storage {
        Storage::Local(SharedFile { file, size })
    }

    /// The SHA-256 of all its bytes.
    pub fn hash(&self) -> io::Result<super::Sha256> {
        match self {
            Storage::Local(f) => super::Sha256::of_evaluated_file(&f.file),
            Storage::Remote(r) => r.hash(),
        }
    }
}

impl Length for Storage {
    fn len(&self) -> u64 {
        match self {
            Storage::Local(f) => f.size,
            Storage::Remote(r) => r.size,
        }
    }
}

impl ChunkReader for Storage {
    type T = Box<dyn Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        match self {
            Storage::Local(f) => Ok(Box::new(f.get_read(start)?)),
            Storage::Remote(r) => r.get_read(start),
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self {
            Storage::Local(f) => f.get_bytes(start, length),
            Storage::Remote(r) => r.get_bytes(start, length),
        }
    }
}

/// A file shared by several readers through positional reads.
#[derive(Debug, Clone)]
pub struct SharedFile {
    file: Arc<File>,
    size: u64,
}

impl Length for SharedFile {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for SharedFile {
    // Buffered: the page reader parses thrift page headers with small reads.
    type T = io::BufReader<ReadAt>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(io::BufReader::new(ReadAt { file: self.file.clone(), offset: start }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let mut buf = vec![0u8; length];
        self.file.read_exact_at(&mut buf, start).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => ParquetError::EOF(format!(
                "expected {length} bytes at offset {start}, the file has {}",
                self.size
            )),
            _ => ParquetError::External(Box::new(e)),
        })?;
        Ok(buf.into())
    }
}

/// A reader at its own offset of a shared file.
#[derive(Debug)]
pub struct ReadAt {
    file: Arc<File>,
    offset: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}
