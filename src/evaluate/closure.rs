//! Clusters after transitive closure (pair mode with `truth` and
//! `closure`): production ER links the pairs it predicts and takes the
//! connected components, so one false link merges two whole entities. The
//! predicted matches at the decision threshold are joined by union-find
//! over record ids, streaming; the components, restricted to the truth's
//! records, are then scored against the truth with cluster mode's own code
//! (pairwise, B-cubed, exact clusters). Each component keeps its weakest
//! link: the lowest-scored predicted pair inside it.

use super::error::EvaluateError;
use super::truth_file::TruthFile;
use crate::clusters::ids::{Key, Seen, key};
use crate::clusters::names::{NameRates, rates};
use crate::clusters::{Clusters, Contingency, clusters};
use crate::dataset::columns::{Columns, Kind};
use crate::dataset::values::key_column;
use crate::dataset::{Dataset, Source};

/// Components the report names, largest first.
const SHOWN: usize = 5;

/// What the closure gives.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Closure {
    /// The components against the truth, on the truth's records.
    pub clusters: Clusters,
    /// Components over every record of the pairs and the truth.
    pub components: u64,
    /// Those records.
    pub records: u64,
    /// The largest components, largest first.
    pub largest: Vec<Component>,
    /// The components' homonymy and name variation rates on the truth's
    /// records, with `name_column`.
    pub names: Option<NameRates>,
}

/// One component.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Component {
    pub records: u64,
    /// Its lowest-scored predicted pair, with a score: (score, the pair's
    /// row in the validation set).
    pub weakest: Option<(f64, u64)>,
}

/// Union-find over record numbers, with each root's size and weakest link.
#[derive(Default)]
struct Forest {
    parent: Vec<u32>,
    size: Vec<u64>,
    weakest: Vec<Option<(f64, u64)>>,
}

impl Forest {
    fn push(&mut self) -> u32 {
        let id = self.parent.len() as u32;
        self.parent.push(id);
        self.size.push(1);
        self.weakest.push(None);
        id
    }

    /// The root of `x`, halving the path on the way.
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Links `a` and `b` by a predicted pair of `link` (score, row).
    fn union(&mut self, a: u32, b: u32, link: Option<(f64, u64)>) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a != b {
            if self.size[a as usize] < self.size[b as usize] {
                std::mem::swap(&mut a, &mut b);
            }
            self.parent[b as usize] = a;
            self.size[a as usize] += self.size[b as usize];
            let theirs = self.weakest[b as usize];
            self.weakest[a as usize] = weaker(self.weakest[a as usize], theirs);
        }
        self.weakest[a as usize] = weaker(self.weakest[a as usize], link);
    }
}

/// The lower-scored of two links (the earlier row on a tie).
fn weaker(a: Option<(f64, u64)>, b: Option<(f64, u64)>) -> Option<(f64, u64)> {
    match (a, b) {
        (Some(x), Some(y)) => {
            Some(if y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)).is_lt() { y } else { x })
        }
        (x, y) => x.or(y),
    }
}

/// Reads the predicted matches of `validation` (its two key columns and
/// the decision) and closes them; `truth` gives the records scored, and
/// `numbered` each of its rows' entity and each entity's size
/// ([`TruthFile::numbered`], computed once by the caller).
pub(super) fn close(
    settings: &super::Settings,
    truth: &TruthFile,
    numbered: (&[u32], &[u64]),
    validation: &Source,
) -> Result<Closure, EvaluateError> {
    let dataset = Dataset::parse(validation)?;
    let [left, right] = [&settings.key_columns[0], &settings.key_columns[1]];
    let decision = &settings.decision;
    let wanted = [
        (left.as_str(), "key_columns", Kind::Key),
        (right, "key_columns", Kind::Key),
        (decision.column(), decision.input(), decision.kind()),
    ];
    let indices = crate::dataset::columns::find(&dataset, &wanted)?;
    let columns = Columns::decision_only(&dataset, (decision, None), &indices[2..])?
        .scaled(settings.score_scale);
    // The truth's records first: numbers 0 to its records less one.
    let (mut ids, mut forest) = (Seen::<u32>::default(), Forest::default());
    let mut truth_rows = Vec::new();
    for (id, row) in truth.records() {
        let number = forest.push();
        ids.get_or_insert(id, |_| number).expect_err("each record once");
        truth_rows.push((number, row));
    }
    let projection = dataset.projection(indices)?;
    // One thread: the forest is one. The state moves into its fold.
    let state = std::sync::Mutex::new(Some((ids, forest)));
    let start = || state.lock().expect("not poisoned").take().unwrap_or_default();
    let mut states = dataset.fold(&projection, 1, start, |(ids, forest), batch, first_row| {
        let decided = columns.decide(batch, first_row)?;
        let keys = [left, right].map(|c| key_column(batch.column_by_name(c).expect("projected")));
        for i in 0..batch.num_rows() {
            let present = [&decided.valid, &decided.not_nan]
                .into_iter()
                .all(|b| b.as_ref().is_none_or(|b| b.value(i)));
            if !(present && decided.predicted.value(i)) {
                continue;
            }
            let [Some(l), Some(r)] = keys.each_ref().map(|c| key(c, i)) else { continue };
            let [l, r] = [l, r].map(|k| {
                let new = forest.parent.len() as u32;
                ids.get_or_insert(k, |_| new).unwrap_or_else(|n| {
                    forest.push();
                    n
                })
            });
            if l == r {
                continue; // A record paired with itself links nothing.
            }
            let score = decided.scores.as_ref().map(|s| s.get(i));
            forest.union(l, r, score.map(|s| (s, first_row + i as u64)));
        }
        Ok(())
    })?;
    let (_, forest) = states.pop().expect("one thread");
    let column = settings.truth.as_ref().and_then(|t| t.name_column.as_deref());
    Ok(finish(forest, &truth_rows, truth, numbered, column))
}

/// The components as clusters of the truth's records, and the largest.
fn finish(
    mut forest: Forest,
    truth_rows: &[(u32, u64)],
    truth: &TruthFile,
    (entity_of_row, sizes): (&[u32], &[u64]),
    name_column: Option<&str>,
) -> Closure {
    let mut cells = std::collections::HashMap::<(u32, u32), u64>::new();
    for &(number, row) in truth_rows {
        let root = forest.find(number);
        *cells.entry((entity_of_row[row as usize], root)).or_insert(0) += 1;
    }
    // The components the truth meets, numbered from 0.
    let mut numbered = std::collections::HashMap::new();
    let mut cells: Vec<(u32, u32, u64)> = cells
        .into_iter()
        .map(|((t, root), n)| {
            let next = numbered.len() as u32;
            (t, *numbered.entry(root).or_insert(next), n)
        })
        .collect();
    cells.sort_unstable();
    let records = forest.parent.len() as u64;
    let mut roots: Vec<u32> =
        (0..records as u32).filter(|&x| forest.parent[x as usize] == x).collect();
    roots.sort_by(|a, b| forest.size[*b as usize].cmp(&forest.size[*a as usize]).then(a.cmp(b)));
    let largest = roots
        .iter()
        .take(SHOWN)
        .map(|&r| Component {
            records: forest.size[r as usize],
            weakest: forest.weakest[r as usize],
        })
        .collect();
    let names = name_column.zip(truth.names()).map(|(column, names)| {
        // Each truth row's component, then (name, component) per named record.
        let mut component = vec![0u32; names.len()];
        for &(number, row) in truth_rows {
            component[row as usize] = numbered[&forest.find(number)];
        }
        let mut table = Contingency::default();
        for (row, name) in names {
            if let Some(name) = name {
                table.add(name, Key::Packed(component[row as usize].into()));
            }
        }
        rates(column, table.numbered(), numbered.len() as u64)
    });
    Closure {
        clusters: clusters(&cells, sizes.len(), numbered.len()),
        components: roots.len() as u64,
        records,
        largest,
        names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forest_joins_chains_and_keeps_each_components_weakest_link() {
        let mut f = Forest::default();
        (0..6).for_each(|_| {
            f.push();
        });
        // 0-1 (0.9, row 0), 1-2 (0.4, row 1), 3-4 (0.7, row 2), 2-0 within
        // (0.3, row 3), 5 alone.
        f.union(0, 1, Some((0.9, 0)));
        f.union(1, 2, Some((0.4, 1)));
        f.union(3, 4, Some((0.7, 2)));
        f.union(2, 0, Some((0.3, 3)));
        let (a, b) = (f.find(0), f.find(3));
        assert_eq!([f.find(1), f.find(2)], [a, a]);
        assert_eq!(f.find(4), b);
        assert_ne!(a, b);
        assert_eq!(f.find(5), 5);
        assert_eq!((f.size[a as usize], f.size[b as usize]), (3, 2));
        assert_eq!(f.weakest[a as usize], Some((0.3, 3)));
        assert_eq!(f.weakest[b as usize], Some((0.7, 2)));
        // Joining the two keeps the weaker; a tie goes to the earlier row.
        f.union(4, 2, Some((0.3, 9)));
        let root = f.find(0);
        assert_eq!((f.size[root as usize], f.weakest[root as usize]), (5, Some((0.3, 3))));
        assert_eq!(weaker(None, Some((0.5, 1))), Some((0.5, 1)));
    }
}
