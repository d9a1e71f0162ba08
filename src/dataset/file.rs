//! Where a part's bytes are (a local file shared by several readers, or an
//! object in a store), and the reader's panics caught.
//!
//! The file is opened once and shared by every reader through positional
//! reads ([`SharedFile`]), so the bytes that are hashed are the bytes that are
//! evaluated, and concurrent readers share no file offset (`File`'s own
//! `ChunkReader` clones the descriptor and seeks, which races across threads).
//! It is one snapshot: its size is taken from the open handle, the hash and
//! every reader stop at that size, and [`Storage::unchanged`] checks at the
//! end that its size and modification time are still those it was opened
//! with (a file appended to or rewritten while it was read is an error).

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
    /// A local file, opened, with the metadata of its handle.
    pub fn local(file: Arc<File>, meta: &std::fs::Metadata) -> Storage {
        Storage::Local(SharedFile { file, size: meta.len(), modified: meta.modified().ok() })
    }

    /// The SHA-256 of all its bytes (a local file's, up to the size it had
    /// when opened).
    pub fn hash(&self) -> io::Result<super::Sha256> {
        match self {
            Storage::Local(f) => super::Sha256::of_evaluated_file(&f.file, f.size),
            Storage::Remote(r) => r.hash(),
        }
    }

    /// Checks that a local file still has the size and modification time
    /// it was opened with (an object's version is held by its ETag).
    pub fn unchanged(&self) -> io::Result<()> {
        let Storage::Local(f) = self else { return Ok(()) };
        let now = f.file.metadata()?;
        if now.len() != f.size || now.modified().ok() != f.modified {
            let why = format!(
                "the file changed while it was read (it had {} bytes when opened, {} now, or a new modification time): run again on a file nothing writes to",
                f.size,
                now.len()
            );
            return Err(io::Error::new(io::ErrorKind::InvalidData, why));
        }
        Ok(())
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
    /// Its size when opened: nothing past it is read.
    size: u64,
    /// Its modification time when opened.
    modified: Option<std::time::SystemTime>,
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
        Ok(io::BufReader::new(ReadAt { file: self.file.clone(), offset: start, end: self.size }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        if start.saturating_add(length as u64) > self.size {
            return Err(ParquetError::EOF(format!(
                "expected {length} bytes at offset {start}, the file has {}",
                self.size
            )));
        }
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

/// A reader at its own offset of a shared file, up to its size when opened.
#[derive(Debug)]
pub struct ReadAt {
    file: Arc<File>,
    offset: u64,
    end: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.offset).min(buf.len() as u64) as usize;
        let n = self.file.read_at(&mut buf[..left], self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn bytes_appended_after_opening_are_neither_hashed_nor_read_and_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.parquet");
        std::fs::write(&path, b"first bytes").unwrap();
        let file = File::open(&path).unwrap();
        let storage = Storage::local(Arc::new(file), &std::fs::metadata(&path).unwrap());
        storage.unchanged().unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b" more").unwrap();
        let only = dir.path().join("only");
        std::fs::write(&only, b"first bytes").unwrap();
        let expected = super::super::Sha256::of_file(&File::open(&only).unwrap()).unwrap();
        assert_eq!(storage.hash().unwrap(), expected);
        let mut read = String::new();
        storage.get_read(0).unwrap().read_to_string(&mut read).unwrap();
        assert_eq!(read, "first bytes");
        assert!(storage.get_bytes(6, 10).is_err(), "past the size opened");
        let err = storage.unchanged().unwrap_err().to_string();
        assert!(err.contains("it had 11 bytes when opened, 16 now"), "{err}");
    }

    #[test]
    fn a_file_that_shrinks_while_hashed_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.parquet");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = File::open(&path).unwrap();
        let storage = Storage::local(Arc::new(file), &std::fs::metadata(&path).unwrap());
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(4).unwrap();
        let err = storage.hash().unwrap_err().to_string();
        assert!(err.contains("shrank while it was read: 4 of its 10 bytes"), "{err}");
    }
}
