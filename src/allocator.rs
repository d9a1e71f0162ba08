//! The allocator's settings for a run: glibc's `malloc`, told which large
//! buffers to keep for the next ones and which to give back.
//!
//! Each column chunk fetched and each page decompressed is a buffer of up to
//! a few MiB, freed as soon as it is decoded. By default glibc serves those
//! with `mmap` and gives them back with `munmap` (or trims them off a
//! thread's heap), so every page read paid for fresh zeroed memory from the
//! kernel again: at 100M rows the metrics pass with the errors read back
//! took 0.49 s instead of 0.43 s (docs/speed.md). Served from the heap and
//! kept, they are reused; the peak grows by 2-4 MiB.
//!
//! Cluster mode is the other way round. Its large buffers are dictionaries
//! of a row group's entity ids (25 MiB and more), which glibc's default then
//! serves from the threads' heaps and keeps (the threshold follows the
//! largest buffer freed), a peak of 918-961 MiB on 10M records with
//! UUID entities (`bench/clusters.py --ids uuid --dictionary`). With a fixed
//! threshold of 4 MiB they go back to the kernel when freed: 675-693 MiB, in
//! 6.5-6.8 s instead of 6.1-6.2 s; short ids 3.8 s and 505-589 MiB either way.

/// Largest allocation served from the heap rather than by its own `mmap`
/// in cluster mode: above a 1 MiB page.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const CLUSTERS_MMAP_THRESHOLD: i32 = 4 << 20;

/// Largest allocation served from the heap rather than by its own `mmap`
/// in a run of pairs: above a 1 MiB page and a column chunk of a 1M-row
/// group. 32 MiB was no faster and kept 20 MiB more in a join.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 8 << 20;

/// Free memory at the top of a heap kept rather than given back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 16 << 20;

/// Applies the settings to a run in cluster mode; call it before any
/// thread starts.
pub fn tune_clusters() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as in `tune`.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, CLUSTERS_MMAP_THRESHOLD);
    }
}

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
