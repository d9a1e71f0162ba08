//! Exact thresholds: the labelled pairs' scores kept where they fit in
//! memory, and the grid cells that could hold a better threshold than the
//! grid's best refined over every distinct score in them.
//!
//! A threshold inside grid cell `s` (a score `x` with `grid[s - 1] <= x <
//! grid[s]`) predicts every pair of the cells above and some of cell `s`,
//! so its true and false positives lie between those at the cell's two
//! edges. F1 rises with true positives and falls with false ones, as do the
//! rules' values and their lower bounds (Wilson's lower bound rises with
//! successes at fixed failures and falls with failures at fixed successes),
//! so the cell's most hopeful counts, all of its true matches and none of
//! its non-matches, bound what any threshold inside it can reach. Only the
//! cells whose bound beats the grid's best are sorted and walked, score by
//! score, as scikit-learn's `precision_recall_curve` does.

use crate::metrics::{Counts, Metric};

use arrow_buffer::BooleanBuffer;

use crate::dataset::columns::Scores;

use super::{Analysis, Histogram, Point, grid, slot};

/// The most scores kept. Above it, or when the validation set has more
/// rows, the thresholds stay on the grid: the batches kept hold 8 bytes a
/// row (64 MiB here) that the reader would otherwise have reused.
pub const KEEP: usize = 1 << 23;

/// One batch kept: its scores, labels and which rows count.
#[derive(Debug, Clone, PartialEq)]
struct Batch {
    scores: Scores,
    label: BooleanBuffer,
    present: Option<BooleanBuffer>,
}

/// The batches counted, while their rows fit in [`KEEP`]. Arrow's buffers
/// are shared, so keeping one and merging threads' batches copies nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kept {
    batches: Vec<Batch>,
    rows: usize,
}

impl Kept {
    /// How many rows are kept.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Keeps a batch: `scores` with `label`, counting the rows `present`
    /// sets (all when `None`); `false` when it would not fit.
    pub fn add(
        &mut self,
        scores: &Scores,
        label: &BooleanBuffer,
        present: Option<&BooleanBuffer>,
    ) -> bool {
        self.rows += scores.len();
        let batch =
            Batch { scores: scores.clone(), label: label.clone(), present: present.cloned() };
        self.batches.push(batch);
        self.rows <= KEEP
    }

    /// Both threads' batches, when they fit together.
    pub fn merge(mut self, other: Kept) -> Option<Kept> {
        (self.rows + other.rows <= KEEP).then(|| {
            self.batches.extend(other.batches);
            self.rows += other.rows;
            self
        })
    }

    /// The counted scores in any of `ranges` (`[low, high)`, ascending),
    /// with their labels.
    fn within(&self, ranges: &[(f64, f64)]) -> Vec<(f64, bool)> {
        let mut found = Vec::new();
        for b in &self.batches {
            match &b.scores {
                Scores::F64(v) => b.within(v, ranges, &mut found),
                Scores::F32(v) => b.within(v, ranges, &mut found),
            }
        }
        found
    }
}

impl Batch {
    /// [`Kept::within`] for this batch's `scores`.
    fn within<T: Copy + Into<f64>>(
        &self,
        scores: &[T],
        ranges: &[(f64, f64)],
        found: &mut Vec<(f64, bool)>,
    ) {
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else { return };
        let (low, high) = (first.0, last.1);
        for (i, x) in scores.iter().enumerate() {
            let x: f64 = (*x).into();
            // Most scores lie outside every range: one test says so.
            if low <= x
                && x < high
                && ranges.iter().any(|(low, high)| *low <= x && x < *high)
                && self.present.as_ref().is_none_or(|p| p.value(i))
            {
                found.push((x, self.label.value(i)));
            }
        }
    }
}

/// Makes `analysis`'s highest F1 and recommended threshold exact over every
/// distinct score when `histogram` kept the scores, `passes(counts)` saying
/// whether every rule holds; they stay the grid's otherwise.
pub fn refine(histogram: &Histogram, analysis: &mut Analysis, passes: impl Fn(&Counts) -> bool) {
    let Some(kept) = &histogram.kept else { return };
    let cells = Cells::of(histogram);
    let f1 = |p: &Option<Point>| p.as_ref().and_then(|p| Metric::F1.of(&p.counts));
    let ranges = cells.hopeful(f1(&analysis.max_f1), f1(&analysis.recommended), &passes);
    let mut inside = kept.within(&ranges);
    inside.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    log::debug!(
        "refining {} score ranges: {} of {} scores",
        ranges.len(),
        inside.len(),
        kept.len()
    );
    let (mut max_f1, mut recommended) = (None, None);
    for (point, below) in cells.walk(&inside) {
        let value = Metric::F1.of(&point.counts);
        let better = |now: &Option<Point>| {
            let now = now.as_ref().and_then(|p| Some((Metric::F1.of(&p.counts)?, p.threshold)));
            value.is_some_and(|v| now.is_none_or(|(f, t)| v > f || (v == f && point.threshold < t)))
        };
        if better(&analysis.max_f1) {
            (analysis.max_f1, max_f1) = (Some(point), Some(below));
        }
        if better(&analysis.recommended) && passes(&point.counts) {
            (analysis.recommended, recommended) = (Some(point), Some(below));
        }
    }
    // The thresholds found, as the shortest decimals that predict the same.
    for (point, below) in [(&mut analysis.max_f1, max_f1), (&mut analysis.recommended, recommended)]
    {
        if let (Some(point), Some(below)) = (point, below) {
            point.threshold = shortest(below, point.threshold);
        }
    }
    if let (Some(range), Some(best)) = (&mut analysis.passing, &analysis.recommended) {
        range.lowest = range.lowest.min(best.threshold);
        range.highest = range.highest.max(best.threshold);
    }
    analysis.exact = true;
}

/// The true and false positives at or above each slot, from the histogram.
struct Cells<'a> {
    histogram: &'a Histogram,
    /// `above[s]`: the (matches, non-matches) in slots `s..`.
    above: Vec<(u64, u64)>,
}

impl Cells<'_> {
    fn of(histogram: &Histogram) -> Cells<'_> {
        let counts = &histogram.counts;
        let slots = counts.len() / 2;
        let mut above = vec![(0u64, 0u64); slots + 1];
        for s in (0..slots).rev() {
            above[s] = (above[s + 1].0 + counts[2 * s + 1], above[s + 1].1 + counts[2 * s]);
        }
        Cells { histogram, above }
    }

    fn slots(&self) -> usize {
        self.above.len() - 1
    }

    fn empty(&self, s: usize) -> bool {
        self.histogram.counts[2 * s] + self.histogram.counts[2 * s + 1] == 0
    }

    /// The confusion matrix with `tp` and `fp` predicted.
    fn at(&self, tp: u64, fp: u64) -> Counts {
        let (p, n) = self.above[0];
        Counts { tp, fp, fn_: p - tp, tn: n - fp }
    }

    /// The most hopeful counts of a threshold inside slot `s`: its matches
    /// predicted, its non-matches not.
    fn hope(&self, s: usize) -> Counts {
        self.at(self.above[s].0, self.above[s + 1].1)
    }

    /// The score ranges `[low, high)` of the cells where a threshold could
    /// beat the highest F1 `best` or, passing, the recommended one's F1
    /// `passing` (`None`: no such threshold yet).
    fn hopeful(
        &self,
        best: Option<f64>,
        passing: Option<f64>,
        passes: &impl Fn(&Counts) -> bool,
    ) -> Vec<(f64, f64)> {
        let g = grid();
        let beats = |top: f64, best: Option<f64>| best.is_none_or(|b| top > b);
        let mut ranges: Vec<(f64, f64)> = Vec::new();
        for s in 0..self.slots() {
            let hope = self.hope(s);
            let top = Metric::F1.of(&hope).unwrap_or(0.0);
            if self.empty(s) || !(beats(top, best) || (beats(top, passing) && passes(&hope))) {
                continue;
            }
            let low = s.checked_sub(1).map_or(f64::NEG_INFINITY, |e| g[e]);
            let high = g.get(s).copied().unwrap_or(f64::INFINITY);
            match ranges.last_mut() {
                Some(last) if last.1 == low => last.1 = high,
                _ => ranges.push((low, high)),
            }
        }
        ranges
    }

    /// The counts at each distinct score of `inside` (descending), each
    /// with the highest score below it (or below its cell): a threshold
    /// between them predicts the same pairs.
    fn walk(&self, inside: &[(f64, bool)]) -> Vec<(Point, f64)> {
        let mut points = Vec::new();
        let (mut cell, mut tp, mut fp) = (usize::MAX, 0u64, 0u64);
        for (i, (score, is_match)) in inside.iter().enumerate() {
            let s = slot(*score);
            if s != cell {
                (cell, tp, fp) = (s, self.above[s + 1].0, self.above[s + 1].1);
            }
            tp += u64::from(*is_match);
            fp += u64::from(!is_match);
            let next = inside.get(i + 1).map(|n| n.0);
            if next == Some(*score) {
                continue;
            }
            // The highest score below this one: the next in the cell, or
            // below the cell's lower edge, which is then a threshold too.
            let below = match next.filter(|n| slot(*n) == s) {
                Some(n) => n,
                None => s.checked_sub(1).map_or(f64::NEG_INFINITY, |e| grid()[e].next_down()),
            };
            points.push((Point { threshold: *score, counts: self.at(tp, fp) }, below));
        }
        points
    }
}

/// The decimal with the fewest digits in `(below, score]`: a threshold
/// there predicts exactly the pairs `score` does, and reads better.
pub(super) fn shortest(below: f64, score: f64) -> f64 {
    for digits in 0..=17 {
        let scale = 10f64.powi(digits);
        let text = format!("{:.*}", digits as usize, (score * scale).floor() / scale);
        if let Ok(t) = text.parse::<f64>()
            && t > below
            && t <= score
        {
            return t;
        }
    }
    score
}
