//! The allocator's settings for a run: glibc's `malloc`, told to keep the
//! large buffers the reader frees for the next ones.
//!
//! Each column chunk fetched and each page decompressed is a buffer of up to
//! a few MiB, freed as soon as it is decoded. By default glibc serves those
//! with `mmap` and gives them back with `munmap` (or trims them off a
//! thread's heap), so every page read paid for fresh zeroed memory from the
//! kernel again: at 100M rows the metrics pass with the errors read back
//! took 0.49 s instead of 0.43 s (docs/speed.md). Served from the heap and
//! kept, they are reused; the peak grows by 2-4 MiB. Cluster mode, which
//! reads nothing back, keeps the defaults: its peak at 10M records measured
//! 740-762 MiB with these settings against 711-740 MiB without.

/// Largest allocation served from the heap rather than by its own `mmap`:
/// above a 1 MiB page and a column chunk of a 1M-row group. 32 MiB was no
/// faster and kept 20 MiB more in a join.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 8 << 20;

/// Free memory at the top of a heap kept rather than given back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 16 << 20;

/// Applies the settings to a run of pairs; call it before any thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets parameters of the allocator, and runs
    // before any other thread exists; a refused setting leaves the default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}
