//! Cluster mode: the entity clusters an ER system outputs, against the true
//! ones, as pairwise, B-cubed and exact-cluster precision, recall and F1.
//!
//! Every metric is a function of the contingency table: n_ij, the records
//! in true entity i and predicted entity j. [`Contingency`] counts it in one
//! pass, memory proportional to its cells and the distinct ids, and
//! [`Contingency::finish`] gives the [`Clusters`]. It knows ids and counts,
//! nothing of files or verdicts.

mod contingency;
pub(crate) mod dictionary;
pub mod estimators;
pub(crate) mod ids;
mod long;
mod metrics;
pub mod names;
pub(crate) mod sampled;
pub mod sizes;
pub(crate) mod slices;

pub use contingency::Contingency;
pub use long::Numbering;
pub use metrics::{Families, Family, FamilyMetrics};

/// Which columns hold the clusterings, and which family of metrics the
/// gate's minimums apply to.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSettings {
    /// One row per record: its id.
    pub record_column: String,
    /// The entity the record truly belongs to.
    pub true_entity_column: String,
    /// The entity the ER system put it in.
    pub predicted_entity_column: String,
    /// The family `min_precision`, `min_recall` and `min_f1` apply to.
    pub family: Family,
    /// A quasi-identifier of each record (`name_column`), whose homonymy
    /// and variation rates the report gives.
    pub name_column: Option<String>,
    /// How the true entities were sampled, when they are a sample of the
    /// population's (`truth_sampling`): records outside it have no true
    /// entity, and the metrics are estimated for the population.
    pub sampling: Option<estimators::Sampling>,
    /// A file of the sampled records' true entities (`truth`), joined on
    /// `record_column`: the validation set then holds no true entities.
    pub truth: Option<std::path::PathBuf>,
}

/// The metrics and counts of numbered cells (t, p, n) of `k` true and
/// `m` predicted entities.
pub(crate) fn clusters(cells: &[(u32, u32, u64)], k: usize, m: usize) -> Clusters {
    let (mut a, mut b) = (vec![0u64; k], vec![0u64; m]);
    for &(t, p, n) in cells {
        a[t as usize] += n;
        b[p as usize] += n;
    }
    let families = metrics::families(cells, &a, &b);
    let pairs_in = |sizes: &[u64]| sizes.iter().map(|&s| pairs(s)).sum::<u128>();
    let singletons = |sizes: &[u64]| sizes.iter().filter(|&&s| s == 1).count() as u64;
    let counts = ClusterCounts {
        records: a.iter().sum(),
        true_clusters: a.len() as u64,
        predicted_clusters: b.len() as u64,
        true_pairs: pairs_in(&a),
        predicted_pairs: pairs_in(&b),
        shared_pairs: cells.iter().map(|c| pairs(c.2)).sum(),
        exact_matches: metrics::exact_matches(cells, &a, &b),
        true_singletons: singletons(&a),
        predicted_singletons: singletons(&b),
        predicted_sizes: sizes::histogram(&b),
        largest_true: largest(a),
        largest_predicted: largest(b),
        cells: cells.len() as u64,
    };
    Clusters { counts, families }
}

/// C(n, 2): the pairs among `n` records.
pub fn pairs(n: u64) -> u128 {
    let n = u128::from(n);
    n * n.saturating_sub(1) / 2
}

/// How many of the largest sizes are reported.
pub const LARGEST: usize = 10;

/// The [`LARGEST`] largest sizes, largest first.
fn largest(mut sizes: Vec<u64>) -> Vec<u64> {
    sizes.sort_unstable_by(|x, y| y.cmp(x));
    sizes.truncate(LARGEST);
    sizes
}

/// The counts behind the metrics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClusterCounts {
    /// Records evaluated (N).
    pub records: u64,
    /// True entities (K).
    pub true_clusters: u64,
    /// Predicted entities (M).
    pub predicted_clusters: u64,
    /// Pairs of records in one true entity: Σ C(a_i, 2).
    pub true_pairs: u128,
    /// Pairs of records in one predicted entity: Σ C(b_j, 2).
    pub predicted_pairs: u128,
    /// Pairs in one entity in both: Σ C(n_ij, 2).
    pub shared_pairs: u128,
    /// True entities predicted exactly, record for record.
    pub exact_matches: u64,
    /// True entities of one record.
    pub true_singletons: u64,
    /// Predicted entities of one record.
    pub predicted_singletons: u64,
    /// The predicted entities by size: 1, 2, 3–4, 5–8… records, up to the
    /// largest.
    pub predicted_sizes: Vec<sizes::SizeBucket>,
    /// The largest true entities' sizes, largest first.
    pub largest_true: Vec<u64>,
    /// The largest predicted entities' sizes, largest first.
    pub largest_predicted: Vec<u64>,
    /// Non-empty cells of the contingency table: what memory grows with.
    pub cells: u64,
}

/// Cluster mode's result: the counts and every family's metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Clusters {
    pub counts: ClusterCounts,
    /// The metrics of each family.
    pub families: Families,
}
