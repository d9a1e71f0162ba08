//! What a file that is not parquet most likely is, for the message that
//! says how to fix it: a Git LFS pointer checked out without its object,
//! or text (a CSV file).

use parquet::file::reader::ChunkReader;

/// The bytes looked at.
const HEAD: u64 = 512;

/// What a file that fails to parse as parquet looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looks {
    /// A Git LFS pointer: the repository was checked out without LFS.
    LfsPointer,
    /// Text, such as CSV.
    Text,
}

impl Looks {
    /// How to get a parquet file instead; `path` is named only when it is
    /// [`pasteable`](crate::untrusted::pasteable).
    pub fn fix(self, path: &std::path::Path) -> String {
        match self {
            Looks::LfsPointer => "it is a Git LFS pointer, not the file: check the repository out with LFS objects (`lfs: true` on actions/checkout, or `git lfs pull`)".to_string(),
            Looks::Text => {
                let shown = crate::untrusted::pasteable(path).unwrap_or("FILE.csv");
                let target = shown.strip_suffix(".csv").unwrap_or(shown);
                format!(
                    "it is text (CSV?), not parquet: convert it, e.g. `duckdb -c \"copy (from '{shown}') to '{target}.parquet'\"`"
                )
            }
        }
    }
}

/// What the first bytes of `reader` look like, when they are not
/// parquet's: `None` for anything else (a damaged parquet file).
pub fn sniff(reader: &impl ChunkReader) -> Option<Looks> {
    let len = reader.len().min(HEAD);
    let head = reader.get_bytes(0, len as usize).ok()?;
    if head.starts_with(b"PAR1") || head.is_empty() {
        return None;
    }
    if head.starts_with(b"version https://git-lfs.github.com/spec/") {
        return Some(Looks::LfsPointer);
    }
    // Text: valid UTF-8 (a cut multi-byte character at the end aside),
    // with no control byte but tabs and line ends.
    let text = match std::str::from_utf8(&head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    printable.then_some(Looks::Text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn pointers_and_text_are_told_apart_from_damaged_parquet() {
        let lfs = Bytes::from_static(
            b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n",
        );
        assert_eq!(sniff(&lfs), Some(Looks::LfsPointer));
        assert_eq!(
            sniff(&Bytes::from_static(b"left_id,right_id,label\n1,2,true\n")),
            Some(Looks::Text)
        );
        assert_eq!(sniff(&Bytes::from_static("nom,é\n".as_bytes())), Some(Looks::Text));
        assert_eq!(sniff(&Bytes::from_static(b"PAR1\x15\x04garbage")), None);
        assert_eq!(sniff(&Bytes::from_static(b"\x00\x01\x02binary")), None);
        let fix = Looks::Text.fix(std::path::Path::new("data/pairs.csv"));
        assert!(fix.contains("copy (from 'data/pairs.csv') to 'data/pairs.parquet'"), "{fix}");
        let odd = Looks::Text.fix(std::path::Path::new("a'; rm -rf x.csv"));
        assert!(odd.contains("FILE.csv") && !odd.contains("rm -rf"), "{odd}");
    }
}
