//! A sampled benchmark's table: every record of the prediction is counted,
//! those outside the sample under the true entity [`UNSAMPLED`]. From it
//! come the naive metrics (both clusterings restricted to the sampled
//! records, as cluster mode computes them on a full truth) and the
//! estimates for the population ([`super::estimators`]), which need each
//! predicted entity's size over every record.

use super::estimators::{Estimates, estimate};
use super::ids::Key;
use super::{Clusters, Contingency, clusters};

/// The true entity of a record outside the sample. An id packs into a
/// `u128` with its top byte a string's length (at most 15) or an integer's
/// sign (0x00 or 0xff: integer ids have at most 64 bits), so 0x80 there is
/// no id's.
pub(crate) const UNSAMPLED: Key<'static> = Key::Packed(0x80 << 120);

/// What a true id of the table is.
#[derive(Debug, Clone, Copy, Default)]
enum Truth {
    /// [`UNSAMPLED`].
    #[default]
    Outside,
    /// A sampled entity, with its weight (`None`: one over its size).
    Sampled(Option<f64>),
}

/// The naive clusters and the estimates of a sampled benchmark's table;
/// `weight` gives a sampled entity's weight by its id (`None`: one over
/// its size, `truth_sampling: cluster_size`).
pub(crate) fn finish(
    table: Contingency,
    weight: impl Fn(Key) -> Option<f64> + Sync,
) -> (Clusters, Estimates) {
    let (cells, _, m, truth) = table.numbered_by(|key| match key {
        UNSAMPLED => Truth::Outside,
        key => Truth::Sampled(weight(key)),
    });
    let mut b = vec![0u64; m];
    for &(_, p, n) in &cells {
        b[p as usize] += n;
    }
    // The sampled entities numbered from 0, and their weights.
    let mut renumbered = vec![u32::MAX; truth.len()];
    let mut weights = Vec::new();
    for (t, of) in truth.iter().enumerate() {
        if let Truth::Sampled(w) = of {
            renumbered[t] = weights.len() as u32;
            weights.push(*w);
        }
    }
    let sampled: Vec<(u32, u32, u64)> = cells
        .iter()
        .filter(|c| renumbered[c.0 as usize] != u32::MAX)
        .map(|&(t, p, n)| (renumbered[t as usize], p, n))
        .collect();
    let estimates = estimate(&sampled, &weights, &b);
    // The predicted entities the sample meets, numbered from 0.
    let mut met = vec![u32::MAX; m];
    let mut count = 0u32;
    let naive: Vec<(u32, u32, u64)> = sampled
        .iter()
        .map(|&(t, p, n)| {
            let j = &mut met[p as usize];
            if *j == u32::MAX {
                *j = count;
                count += 1;
            }
            (t, *j, n)
        })
        .collect();
    (clusters(&naive, weights.len(), count as usize), estimates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_outside_the_sample_count_only_in_predicted_sizes() {
        // Predicted {1,2} {3,5} {4} {6,7,8}; sampled c1 = {1,2,3},
        // c2 = {4,5}, c4 = {8}; 6 and 7 are outside the sample.
        let mut table = Contingency::default();
        let truth = [Some(1u128), Some(1), Some(1), Some(2), Some(2), None, None, Some(4)];
        let predicted = [1u128, 1, 2, 3, 2, 4, 4, 4];
        for (t, p) in truth.iter().zip(predicted) {
            table.add(t.map_or(UNSAMPLED, Key::Packed), Key::Packed(p));
        }
        let (naive, estimates) = finish(table, |_| Some(1.0));
        // er-evaluation's docstring example.
        assert!((estimates.pairwise.precision.value.unwrap() - 7.0 / 18.0).abs() < 1e-15);
        assert_eq!((estimates.entities, estimates.records), (3, 6));
        assert_eq!((estimates.population_records, estimates.population_entities), (8, 4));
        // Naive: the sampled records alone, {1,2} {3,5} {4} {8}: one pair
        // predicted in c1, one across c1 and c2; true pairs 3 + 1.
        let n = &naive.counts;
        assert_eq!((n.records, n.true_clusters, n.predicted_clusters), (6, 3, 4));
        assert_eq!((n.shared_pairs, n.predicted_pairs, n.true_pairs), (1, 2, 4));
        assert_eq!(naive.families.pairwise.precision, Some(0.5));
    }
}
