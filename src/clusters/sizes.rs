//! The predicted entities' sizes as a histogram a reviewer can read at a
//! glance: buckets doubling in width (1, 2, 3–4, 5–8…), so a few huge
//! merged entities stand out beside millions of small ones.

/// The entities whose size is in `smallest..=largest`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SizeBucket {
    pub smallest: u64,
    pub largest: u64,
    /// How many entities have a size in the bucket.
    pub clusters: u64,
}

/// The buckets 1, 2, 3–4, 5–8… up to the one of the largest size, empty
/// ones included between; none without entities.
pub fn histogram(sizes: &[u64]) -> Vec<SizeBucket> {
    let bucket = |size: u64| (u64::BITS - (size.max(1) - 1).leading_zeros()) as usize;
    let Some(largest) = sizes.iter().copied().max() else {
        return Vec::new();
    };
    let mut clusters = vec![0u64; bucket(largest) + 1];
    for &size in sizes {
        clusters[bucket(size)] += 1;
    }
    clusters
        .into_iter()
        .enumerate()
        .map(|(b, clusters)| match b {
            0 => SizeBucket { smallest: 1, largest: 1, clusters },
            b => SizeBucket { smallest: (1 << (b - 1)) + 1, largest: 1 << b, clusters },
        })
        .collect()
}

/// The histogram in a line: `1: 812 · 2: 300 · 3–4: 120`.
pub fn line(buckets: &[SizeBucket]) -> String {
    let range = |b: &SizeBucket| {
        if b.smallest == b.largest {
            b.smallest.to_string()
        } else {
            format!("{}–{}", b.smallest, b.largest)
        }
    };
    buckets.iter().map(|b| format!("{}: {}", range(b), b.clusters)).collect::<Vec<_>>().join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_fall_in_buckets_doubling_in_width() {
        let buckets = histogram(&[1, 1, 2, 3, 4, 5, 9, 16, 17]);
        let shown: Vec<(u64, u64, u64)> =
            buckets.iter().map(|b| (b.smallest, b.largest, b.clusters)).collect();
        assert_eq!(shown, [(1, 1, 2), (2, 2, 1), (3, 4, 2), (5, 8, 1), (9, 16, 2), (17, 32, 1)]);
        assert_eq!(line(&buckets[..3]), "1: 2 · 2: 1 · 3–4: 2");
        assert!(histogram(&[]).is_empty());
    }
}
