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
mod sliced;
mod variance;

use arrow_array::ArrayRef;
use arrow_buffer::BooleanBuffer;

pub use variance::{Design, Designs, TP, denominator, residual};

use ids::{Ids, NULL};
use sliced::Sliced;

use crate::slices::Value;

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
    /// Adds one pair of weight `w` to `cell`.
    pub fn add(&mut self, cell: usize, w: f64) {
        self.weights[cell] += w;
        self.squares[cell] += w * w;
        self.rows[cell] += 1;
    }

    /// Adds another's sums.
    pub fn plus(&mut self, other: &Loose) {
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
    /// Per id: the weight of its pairs in each cell; when `paired`, two
    /// entries an id, by the previous model's decision (not a match, then
    /// a match).
    sums: Vec<Cells>,
    /// Whether the pairs carry the previous model's decisions.
    paired: bool,
    /// Pairs whose id is null (two columns: each null side), each its own
    /// cluster; by the previous model's decision.
    singles: [Loose; 2],
    /// Dyadic: pairs of two distinct records, whose own square the sum
    /// over records counts twice; by the previous model's decision.
    twice: [Loose; 2],
    /// The sums within each slice, with slice columns.
    sliced: Option<Sliced>,
    scratch: (Vec<u32>, Vec<u32>),
}

impl Correlated {
    /// Empty sums for one id column, or for a pair's two record columns;
    /// `paired` when the pairs carry the previous model's decisions;
    /// `slices` the slice columns whose every value gets sums of its own.
    pub fn new(columns: Vec<String>, paired: bool, slices: usize) -> Correlated {
        Correlated {
            dyadic: columns.len() == 2,
            columns,
            values: Ids::default(),
            sums: Vec::new(),
            paired,
            singles: [Loose::default(); 2],
            twice: [Loose::default(); 2],
            sliced: (slices > 0).then(|| Sliced::new(slices)),
            scratch: (Vec::new(), Vec::new()),
        }
    }

    fn stride(&self) -> usize {
        1 + usize::from(self.paired)
    }

    /// Adds one batch: `arrays` the id column (or the two record columns),
    /// `slices` the slice columns, `bits` the pairs' labels, decisions and
    /// (when paired) previous decisions, `weights` each pair's weight (1
    /// when `None`), `present` the rows counted (`None`: all).
    pub fn add(
        &mut self,
        arrays: &[ArrayRef],
        slices: &[ArrayRef],
        bits: Bits<'_>,
        weights: Option<&[f64]>,
        present: Option<&BooleanBuffer>,
    ) {
        let (mut left, mut right) = std::mem::take(&mut self.scratch);
        self.values.row_ids(arrays[0].as_ref(), &mut left);
        if self.dyadic {
            self.values.row_ids(arrays[1].as_ref(), &mut right);
        }
        self.sums.resize(self.values.len() * self.stride(), [0.0; 4]);
        for (i, &l) in left.iter().enumerate() {
            if present.is_some_and(|p| !p.value(i)) {
                continue;
            }
            let (cell, before) = bits.cell(i);
            let w = weights.map_or(1.0, |w| w[i]);
            self.place(l, (cell, before), w);
            if !self.dyadic {
                continue;
            }
            let r = right[i];
            if l == r && l != NULL {
                continue;
            }
            self.place(r, (cell, before), w);
            self.twice[before].add(cell, w);
        }
        if let Some(sliced) = &mut self.sliced {
            let right = self.dyadic.then_some(right.as_slice());
            sliced.add(slices, (&left, right), bits, present);
        }
        self.scratch = (left, right);
    }

    fn place(&mut self, id: u32, (cell, before): (usize, usize), w: f64) {
        if id == NULL {
            self.singles[before].add(cell, w);
        } else {
            let at = id as usize * self.stride() + before;
            self.sums[at][cell] += w;
        }
    }

    /// Combines two threads' sums, id by id.
    pub fn merge(mut self, other: &Correlated) -> Correlated {
        let stride = self.stride();
        let mut ids = vec![NULL; other.values.len()];
        for (key, theirs) in other.values.keys() {
            let id = self.values.id(key);
            ids[theirs as usize] = id;
            self.sums.resize(self.values.len() * stride, [0.0; 4]);
            for k in 0..stride {
                let cells = other.sums[theirs as usize * stride + k];
                for (sum, add) in self.sums[id as usize * stride + k].iter_mut().zip(cells) {
                    *sum += add;
                }
            }
        }
        if let (Some(mine), Some(theirs)) = (&mut self.sliced, &other.sliced) {
            mine.merge(theirs, &ids);
        }
        for k in 0..2 {
            self.singles[k].plus(&other.singles[k]);
            self.twice[k].plus(&other.twice[k]);
        }
        self
    }

    /// Every thread's sums together, `weighted` when the pairs carry
    /// weights; ids with no pair left out. With slice columns, each
    /// column's values with their sums (counting pairs, unweighted).
    pub fn finish(mut self, weighted: bool) -> (Sums, Vec<Vec<(Value, Sums)>>) {
        let sliced = self.sliced.take().map(|s| s.finish(&self.columns)).unwrap_or_default();
        let stride = self.stride();
        let any = |c: &[Cells]| c.iter().flatten().any(|w| *w != 0.0);
        let kept: Vec<&[Cells]> = self.sums.chunks(stride).filter(|c| any(c)).collect();
        let sum = |c: &[Cells]| -> Cells {
            c.iter().fold([0.0; 4], |a, b| std::array::from_fn(|k| a[k] + b[k]))
        };
        let paired = self.paired.then(|| Split {
            sums: kept.iter().map(|c| [c[0], c[1]]).collect(),
            singles: self.singles,
            twice: self.twice,
        });
        let (mut singles, mut twice) = (self.singles[0], self.twice[0]);
        singles.plus(&self.singles[1]);
        twice.plus(&self.twice[1]);
        let sums = Sums {
            columns: self.columns,
            dyadic: self.dyadic,
            weighted,
            sums: kept.into_iter().map(sum).collect(),
            singles,
            twice,
            paired,
        };
        (sums, sliced)
    }
}

/// One batch's bits: the labels, the model's decisions and, when paired,
/// the previous model's.
#[derive(Debug, Clone, Copy)]
pub struct Bits<'a> {
    pub label: &'a BooleanBuffer,
    pub predicted: &'a BooleanBuffer,
    pub previous: Option<&'a BooleanBuffer>,
}

impl Bits<'_> {
    /// Row `i`'s confusion cell (`label << 1 | predicted`) and the previous
    /// model's decision (0 when unpaired).
    pub fn cell(&self, i: usize) -> (usize, usize) {
        let cell = usize::from(self.label.value(i)) << 1 | usize::from(self.predicted.value(i));
        (cell, self.previous.map_or(0, |p| usize::from(p.value(i))))
    }
}

/// The sums split by the previous model's decision (not a match, then a
/// match), for a paired comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Split {
    /// Per id with a pair.
    pub sums: Vec<[Cells; 2]>,
    /// Pairs (sides) with a null id.
    pub singles: [Loose; 2],
    /// Dyadic: pairs of two distinct records.
    pub twice: [Loose; 2],
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
    /// The same sums split by the previous model's decision, when paired.
    pub paired: Option<Split>,
}

#[cfg(test)]
mod remedies;
#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;
