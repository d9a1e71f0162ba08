//! How far reading has got: bytes hashed and rows counted, for a progress
//! line on a terminal. Counters only; the binary decides whether and how
//! to show them (never under Actions, only on a terminal).

use std::sync::atomic::{AtomicU64, Ordering};

static TOTAL: AtomicU64 = AtomicU64::new(0);
static HASHED: AtomicU64 = AtomicU64::new(0);
static ROWS: AtomicU64 = AtomicU64::new(0);

/// Bytes the run will hash, added as its files are opened.
pub fn to_hash(bytes: u64) {
    TOTAL.fetch_add(bytes, Ordering::Relaxed);
}

/// Bytes hashed so far.
pub fn hashed(bytes: u64) {
    HASHED.fetch_add(bytes, Ordering::Relaxed);
}

/// Rows counted so far.
pub fn counted(rows: u64) {
    ROWS.fetch_add(rows, Ordering::Relaxed);
}

/// (bytes hashed, bytes in all, rows counted) now.
pub fn now() -> (u64, u64, u64) {
    (HASHED.load(Ordering::Relaxed), TOTAL.load(Ordering::Relaxed), ROWS.load(Ordering::Relaxed))
}
