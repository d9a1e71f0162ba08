//! SHA-256 of the validation set, streamed with positional reads.
//!
//! The hash runs on its own thread while the metrics are computed from the same
//! open file (see [`crate::evaluate`]); positional reads (`pread`) share no file
//! offset, so the two never disturb each other. The digest is aws-lc-rs's, the
//! same assembly OpenSSL uses: on CPUs without SHA extensions it is about 1.6x
//! faster than the `sha2` crate's portable code (docs/your-data.md, "Hashing").

use std::fmt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Bytes per read: large enough to amortise the syscall, small enough to stay
/// in cache and keep memory flat.
const CHUNK: usize = 1 << 20;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// Parses 64 hex digits in either case; `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Sha256> {
        let bytes = hex.as_bytes();
        // Checked first: `from_str_radix` alone would take "+f" as a digit pair.
        if bytes.len() != 64 || !bytes.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Sha256(out))
    }

    /// A digest from its 32 bytes (`bytes` holds exactly 32).
    pub fn from_bytes(bytes: &[u8]) -> Sha256 {
        let mut out = [0u8; 32];
        out.copy_from_slice(bytes);
        Sha256(out)
    }

    /// Hashes a whole file from offset 0 with positional reads.
    pub fn of_file(file: &File) -> io::Result<Sha256> {
        Sha256::of_file_in_chunks(file, CHUNK, None)
    }

    /// The SHA-256 of the first `size` bytes of a file the run evaluates
    /// (the size its handle had when opened), its progress counted: bytes
    /// appended while it is read are not hashed, and a file that shrank is
    /// an error.
    pub fn of_evaluated_file(file: &File, size: u64) -> io::Result<Sha256> {
        Sha256::of_file_in_chunks(file, CHUNK, Some(size))
    }

    /// Hashes to the end of the file, or exactly `size` bytes (its progress
    /// counted) when given.
    fn of_file_in_chunks(file: &File, chunk: usize, size: Option<u64>) -> io::Result<Sha256> {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let mut buf = vec![0u8; chunk];
        let mut offset = 0u64;
        loop {
            let want = size.map_or(chunk, |size| chunk.min((size - offset) as usize));
            if want == 0 {
                break;
            }
            let n = match file.read_at(&mut buf[..want], offset) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            ctx.update(&buf[..n]);
            offset += n as u64;
            if size.is_some() {
                super::progress::hashed(n as u64);
            }
        }
        if let Some(size) = size.filter(|&size| offset < size) {
            let why =
                format!("the file shrank while it was read: {offset} of its {size} bytes are left");
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, why));
        }
        Ok(Sha256::from_bytes(ctx.finish().as_ref()))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn hex_round_trips_and_rejects_non_hex() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(Sha256::from_hex(hex).unwrap().to_string(), hex);
        assert_eq!(Sha256::from_hex(&hex.to_uppercase()).unwrap().to_string(), hex);
        assert!(Sha256::from_hex(&hex[1..]).is_none());
        assert!(Sha256::from_hex(&format!("{}zz", &hex[2..])).is_none());
        assert!(Sha256::from_hex(&format!("+{}", &hex[1..])).is_none());
        assert!(Sha256::from_hex(&"é".repeat(32)).is_none());
    }

    #[test]
    fn hashes_known_vectors_across_chunk_boundaries() {
        let empty = tempfile::tempfile().unwrap();
        assert_eq!(
            Sha256::of_file(&empty).unwrap().to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // 1,000,000 x 'a' (FIPS 180-2 test vector), read whole and in odd chunks.
        let mut big = tempfile::tempfile().unwrap();
        big.write_all(&vec![b'a'; 1_000_000]).unwrap();
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
        assert_eq!(Sha256::of_file(&big).unwrap().to_string(), expected);
        assert_eq!(Sha256::of_file_in_chunks(&big, 4093, None).unwrap().to_string(), expected);
    }
}
