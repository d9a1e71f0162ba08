//! Just enough of Thrift's compact protocol to read the parts of a parquet
//! file that decide what reading it will cost (a page header's sizes, a
//! footer's schema shape) before the parquet crate reads them.
//!
//! Every length and every nesting is bounded here: a header is at most
//! [`Compact::new`]'s byte budget, a skipped value nests at most
//! [`MAX_NESTING`] deep, and skipped strings are read through, never
//! allocated. The parquet crate's own decoder is private to it, and it
//! builds the schema tree by recursion and sizes buffers from these very
//! claims: these checks come first.

use std::io::{self, Read};

/// How deep a skipped value may nest (structs in lists in structs...).
const MAX_NESTING: u32 = 32;

/// A compact-protocol field or element type.
pub(super) mod kind {
    pub const TRUE: u8 = 1;
    pub const FALSE: u8 = 2;
    pub const BYTE: u8 = 3;
    pub const I16: u8 = 4;
    pub const I32: u8 = 5;
    pub const I64: u8 = 6;
    pub const DOUBLE: u8 = 7;
    pub const BINARY: u8 = 8;
    pub const LIST: u8 = 9;
    pub const SET: u8 = 10;
    pub const MAP: u8 = 11;
    pub const STRUCT: u8 = 12;
    pub const UUID: u8 = 13;
}

/// A reader of compact-protocol values, at most `budget` bytes of them.
pub(super) struct Compact<R> {
    input: R,
    /// Bytes read so far.
    pub(super) read: u64,
    budget: u64,
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

impl<R: Read> Compact<R> {
    /// Reads from `input`, refusing to read more than `budget` bytes.
    pub(super) fn new(input: R, budget: u64) -> Compact<R> {
        Compact { input, read: 0, budget }
    }

    fn byte(&mut self) -> io::Result<u8> {
        let mut one = [0u8];
        self.take(&mut one)?;
        Ok(one[0])
    }

    /// Counts `n` more bytes read, refusing past the budget.
    fn spend(&mut self, n: u64) -> io::Result<()> {
        match self.read.checked_add(n).filter(|&total| total <= self.budget) {
            Some(total) => {
                self.read = total;
                Ok(())
            }
            None => Err(invalid(format!("it runs past {} bytes", self.budget))),
        }
    }

    fn take(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.spend(buf.len() as u64)?;
        self.input.read_exact(buf)
    }

    /// Reads and drops `n` bytes.
    fn skip_bytes(&mut self, n: u64) -> io::Result<()> {
        self.spend(n)?;
        let copied = io::copy(&mut (&mut self.input).take(n), &mut io::sink())?;
        if copied != n {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// An unsigned varint of at most 10 bytes.
    fn varint(&mut self) -> io::Result<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("a varint runs past 10 bytes"))
    }

    /// A zigzag-encoded integer (i16, i32 and i64 alike).
    pub(super) fn int(&mut self) -> io::Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// The next field of a struct whose previous field was `last`: its id
    /// and type, or `None` at the struct's end.
    pub(super) fn field(&mut self, last: &mut i16) -> io::Result<Option<(i16, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let (delta, ty) = (b >> 4, b & 0x0f);
        let id = match delta {
            0 => i16::try_from(self.int()?).map_err(|_| invalid("a field id past i16"))?,
            d => last.checked_add(i16::from(d)).ok_or_else(|| invalid("a field id past i16"))?,
        };
        *last = id;
        Ok(Some((id, ty)))
    }

    /// A list's element type and length.
    pub(super) fn list(&mut self) -> io::Result<(u8, u64)> {
        let b = self.byte()?;
        let size = match b >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        Ok((b & 0x0f, size))
    }

    /// Skips a value of type `ty`, nested at most [`MAX_NESTING`] deep.
    pub(super) fn skip(&mut self, ty: u8) -> io::Result<()> {
        self.skip_nested(ty, 0, false)
    }

    fn skip_nested(&mut self, ty: u8, depth: u32, in_list: bool) -> io::Result<()> {
        if depth > MAX_NESTING {
            return Err(invalid(format!("values nest more than {MAX_NESTING} deep")));
        }
        match ty {
            // A boolean field's value is in its type; in a list it is a byte.
            kind::TRUE | kind::FALSE if !in_list => Ok(()),
            kind::TRUE | kind::FALSE | kind::BYTE => self.skip_bytes(1),
            kind::I16 | kind::I32 | kind::I64 => self.varint().map(drop),
            kind::DOUBLE => self.skip_bytes(8),
            kind::UUID => self.skip_bytes(16),
            kind::BINARY => {
                let n = self.varint()?;
                self.skip_bytes(n)
            }
            kind::LIST | kind::SET => {
                let (element, size) = self.list()?;
                (0..size).try_for_each(|_| self.skip_nested(element, depth + 1, true))
            }
            kind::MAP => {
                let size = self.varint()?;
                if size == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                (0..size).try_for_each(|_| {
                    self.skip_nested(types >> 4, depth + 1, true)?;
                    self.skip_nested(types & 0x0f, depth + 1, true)
                })
            }
            kind::STRUCT => {
                let mut last = 0;
                while let Some((_, ty)) = self.field(&mut last)? {
                    self.skip_nested(ty, depth + 1, false)?;
                }
                Ok(())
            }
            other => Err(invalid(format!("an unknown value type {other}"))),
        }
    }

    /// Reads a struct, handing each field to `visit`, which reads the
    /// fields it wants and returns `false` for the rest (then skipped).
    pub(super) fn fields(
        &mut self,
        mut visit: impl FnMut(&mut Self, i16, u8) -> io::Result<bool>,
    ) -> io::Result<()> {
        let mut last = 0;
        while let Some((id, ty)) = self.field(&mut last)? {
            if !visit(self, id, ty)? {
                self.skip(ty)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_fields_and_lists_decode_as_thrift_writes_them() {
        // field 1 (i32) = -3, field 3 (delta 2, binary "ab"), field 20 by
        // long form (i64) = 300, a list of 2 i32, stop.
        let bytes =
            [0x15, 0x05, 0x28, 0x02, b'a', b'b', 0x06, 0x28, 0xd8, 0x04, 0x19, 0x25, 2, 4, 0];
        let mut r = Compact::new(&bytes[..], 64);
        let mut seen = Vec::new();
        r.fields(|r, id, ty| {
            seen.push(id);
            match (id, ty) {
                (1, kind::I32) => assert_eq!(r.int()?, -3),
                (20, kind::I64) => assert_eq!(r.int()?, 300),
                _ => return Ok(false),
            }
            Ok(true)
        })
        .unwrap();
        assert_eq!(seen, [1, 3, 20, 21]);
        assert_eq!(r.read, bytes.len() as u64);
    }

    #[test]
    fn lengths_and_nesting_past_their_bounds_are_errors_not_allocations() {
        // A binary claiming 2^62 bytes: refused by the budget, not allocated.
        let huge = [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0];
        let err = Compact::new(&huge[..], 1 << 20).skip(kind::STRUCT).unwrap_err();
        assert!(err.to_string().contains("runs past 1048576 bytes"), "{err}");
        // Structs nested 10,000 deep: refused at depth 33, no stack spent.
        let deep: Vec<u8> = std::iter::repeat_n(0x1c, 10_000).collect();
        let err = Compact::new(&deep[..], 1 << 20).skip(kind::STRUCT).unwrap_err();
        assert!(err.to_string().contains("nest more than 32 deep"), "{err}");
        let long = [0xff; 11];
        let err = Compact::new(&long[..], 64).int().unwrap_err();
        assert!(err.to_string().contains("varint runs past 10 bytes"), "{err}");
    }
}
