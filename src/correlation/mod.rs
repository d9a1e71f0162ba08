//! Pairs that are not independent trials: the sums that a cluster-robust
//! variance needs (`cluster_by`), folded in the metrics pass.
//!
//! Candidate pairs share records, and pairs of one entity or block share
//! its difficulty, so they are correlated. [`Correlated`] keeps, for each
//! distinct id of the `cluster_by` column (or each record of its two
//! columns), the sum of its pairs' weights cell by cell: memory is
//! O(distinct ids), never O(pairs). [`variance`] turns the sums into each
//! metric's design effect and effective number of independent pairs.
//!
//! A null id is a cluster (a record) of its own: its pair is correlated
//! with no other through it. Knows arrow arrays and the confusion cells,
//! nothing of files or verdicts.

mod ids;
mod variance;

use arrow_array::ArrayRef;
use arrow_buffer::BooleanBuffer;

pub use variance::{Design, Designs};

use ids::{Ids, NULL};

/// The fewest clusters (records, for two columns) with which the
/// simulation (`simulation.rs`, docs/metrics.md) showed the cluster-robust
/// intervals holding their level: with fewer the summary warns.
pub const FEW_CLUSTERS: u64 = 200;

/// The weight of pairs in each confusion cell, indexed `label << 1 |
/// predicted`: TN, FP, FN, TP.
pub type Cells = [f64; 4];

/// Sums over pairs that are each their own cluster (or whose count is
/// subtracted): weights, squared weights and rows, cell by cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Loose {
    pub weights: Cells,
    pub squares: Cells,
    pub rows: [u64; 4],
}

impl Loose {
    fn add(&mut self, cell: usize, w: f64) {
        self.weights[cell] += w;
        self.squares[cell] += w * w;
        self.rows[cell] += 1;
    }

    fn plus(&mut self, other: &Loose) {
        for c in 0..4 {
            self.weights[c] += other.weights[c];
            self.squares[c] += other.squares[c];
            self.rows[c] += other.rows[c];
        }
    }
}

/// One reading thread's sums per cluster id.
#[derive(Debug, Clone)]
pub struct Correlated {
    /// The `cluster_by` columns.
    columns: Vec<String>,
    /// Whether the ids are the pair's two records (two columns).
    dyadic: bool,
    /// Every distinct id, both columns' in one table when dyadic.
    values: Ids,
    /// Per id: the weight of its pairs in each cell.
    sums: Vec<Cells>,
    /// Pairs whose id is null (two columns: each null side), each its own
    /// cluster.
    singles: Loose,
    /// Dyadic: pairs of two distinct records, whose own square the sum
    /// over records counts twice.
    twice: Loose,
    scratch: (Vec<u32>, Vec<u32>),
}

impl Correlated {
    /// Empty sums for one id column, or for a pair's two record columns.
    pub fn new(columns: Vec<String>) -> Correlated {
        Correlated {
            dyadic: columns.len() == 2,
            columns,
            values: Ids::default(),
            sums: Vec::new(),
            singles: Loose::default(),
            twice: Loose::default(),
            scratch: (Vec::new(), Vec::new()),
        }
    }

    /// Adds one batch: `arrays` the id column (or the two record columns),
    /// `label` and `predicted` the pairs' bits, `weights` each pair's
    /// weight (1 when `None`), `present` the rows counted (`None`: all).
    pub fn add(
        &mut self,
        arrays: &[ArrayRef],
        label: &BooleanBuffer,
        predicted: &BooleanBuffer,
        weights: Option<&[f64]>,
        present: Option<&BooleanBuffer>,
    ) {
        let (mut left, mut right) = std::mem::take(&mut self.scratch);
        self.values.row_ids(arrays[0].as_ref(), &mut left);
        if self.dyadic {
            self.values.row_ids(arrays[1].as_ref(), &mut right);
        }
        self.sums.resize(self.values.len(), [0.0; 4]);
        for (i, &l) in left.iter().enumerate() {
            if present.is_some_and(|p| !p.value(i)) {
                continue;
            }
            let cell = usize::from(label.value(i)) << 1 | usize::from(predicted.value(i));
            let w = weights.map_or(1.0, |w| w[i]);
            self.place(l, cell, w);
            if !self.dyadic {
                continue;
            }
            let r = right[i];
            if l == r && l != NULL {
                continue;
            }
            self.place(r, cell, w);
            self.twice.add(cell, w);
        }
        self.scratch = (left, right);
    }

    fn place(&mut self, id: u32, cell: usize, w: f64) {
        if id == NULL {
            self.singles.add(cell, w);
        } else {
            self.sums[id as usize][cell] += w;
        }
    }

    /// Combines two threads' sums, id by id.
    pub fn merge(mut self, other: &Correlated) -> Correlated {
        for (key, theirs) in other.values.keys() {
            let cells = other.sums[theirs as usize];
            let id = self.values.id(key) as usize;
            self.sums.resize(self.values.len(), [0.0; 4]);
            for (sum, add) in self.sums[id].iter_mut().zip(cells) {
                *sum += add;
            }
        }
        self.singles.plus(&other.singles);
        self.twice.plus(&other.twice);
        self
    }

    /// Every thread's sums together, `weighted` when the pairs carry
    /// weights; ids with no pair left out.
    pub fn finish(self, weighted: bool) -> Sums {
        let sums = self.sums.into_iter().filter(|c| c.iter().any(|w| *w != 0.0)).collect();
        let (dyadic, columns) = (self.dyadic, self.columns);
        Sums { columns, dyadic, weighted, sums, singles: self.singles, twice: self.twice }
    }
}

/// Every thread's sums together: what [`variance`] reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    /// The `cluster_by` columns.
    pub columns: Vec<String>,
    /// Two record columns, or one id column.
    pub dyadic: bool,
    /// Whether the pairs carry weights (else every weight is 1, and every
    /// sum an exact count).
    pub weighted: bool,
    /// Per id with a pair: its pairs' weight in each cell.
    pub sums: Vec<Cells>,
    /// Pairs (sides) with a null id.
    pub singles: Loose,
    /// Dyadic: pairs of two distinct records.
    pub twice: Loose,
}

#[cfg(test)]
mod remedies;
#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;
