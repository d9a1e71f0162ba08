//! The threshold sweep: how many true matches and non-matches score at or
//! above every candidate decision threshold, counted exactly in the same
//! pass as the confusion matrix.
//!
//! Pure. The candidates are a fixed grid: 0.001 apart on [-1, 1], and four
//! significant digits beyond (1.001, …, 9.999, 10.00, …, 9999), so at most
//! 0.1% of |score| apart for log-odds scores. Each candidate is exactly the
//! `f64` its decimal text parses to, and a score is binned by the same
//! `score >= threshold` comparison the gate makes, so the counts at a
//! candidate equal a re-run with that `decision_threshold`, row for row.
//! Memory is two counters per candidate (about 1.2 MiB), whatever the rows,
//! and, for validation sets of up to [`KEEP`] rows, each labelled pair's
//! score: the highest F1 and the recommended threshold are then exact over
//! every distinct score ([`refine`]).

use std::sync::OnceLock;

use arrow_buffer::BooleanBuffer;

use crate::dataset::columns::Scores;
use crate::metrics::{Counts, Metric};

mod exact;
mod place;

use exact::Kept;
pub use exact::{KEEP, refine};
use place::{BLOCK, Block, LANE, Score, WORDS};

/// Candidates from 0.000 to 1.000, one slot each in `add_batch`'s fast path.
const UNIT: usize = 1001;

/// Decades of four-significant-digit candidates beyond ±1 (up to 9999).
const DECADES: u32 = 4;

/// The candidate thresholds, ascending.
pub fn grid() -> &'static [f64] {
    static GRID: OnceLock<Vec<f64>> = OnceLock::new();
    GRID.get_or_init(|| {
        // m / 10^d for the magnitudes above 1: 1001/1000 … 9999/1000,
        // 1000/100 … 9999/100, and so on; each one division of exact
        // integers, so correctly rounded, as parsing its text is.
        let mut above: Vec<f64> = Vec::new();
        for decade in 0..DECADES {
            let scale = 10f64.powi(3 - decade as i32);
            let first = if decade == 0 { 1001 } else { 1000 };
            above.extend((first..=9999).map(|m| m as f64 / scale));
        }
        let unit = (-1000..=1000).map(|k| k as f64 / 1000.0);
        let mut grid: Vec<f64> = above.iter().rev().map(|t| -t).collect();
        grid.extend(unit);
        grid.extend(above);
        grid
    })
}

/// Where `0.0` stands in the grid.
fn zero_index() -> usize {
    grid().len() / 2
}

/// Counts of true matches and non-matches by score slot: slot 0 holds the
/// scores below every candidate, slot `i + 1` those in `[grid[i], grid[i + 1])`.
/// Interleaved, `counts[2 * slot + is_match]`, so adding a pair needs no
/// branch on its label. With the scores themselves while they fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
    kept: Option<Kept>,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram { counts: vec![0; 2 * (grid().len() + 1)], kept: None }
    }
}

/// The slot of a score: one more than the index of the highest candidate
/// at or below it (0 when it is below every candidate).
pub fn slot(score: f64) -> usize {
    slot_in(grid(), zero_index(), score)
}

/// [`slot`] with the grid and its zero's index at hand (the hot path).
#[inline]
fn slot_in(g: &[f64], zero: usize, score: f64) -> usize {
    if (0.0..=1.0).contains(&score) {
        // A guess from the 0.001 spacing, off by at most one either way,
        // then made exact by comparison, without a branch. The grid goes on
        // past 1.0, so `i + 1` is in it.
        let mut i = zero + (score * 1000.0) as usize;
        i -= usize::from(score < g[i]);
        i += usize::from(score >= g[i + 1]);
        return i + 1;
    }
    g.partition_point(|t| *t <= score)
}

/// The slot of the scores at or above candidate `edge` and below the next
/// one, when `edge` is exactly a candidate (slot 0, below every candidate,
/// has no edge).
pub fn edge_slot(edge: f64) -> Option<usize> {
    let at = slot(edge);
    (at > 0 && grid()[at - 1] == edge).then_some(at)
}

/// Bits `start..start + len` of `bits` as words from bit 0, the last one
/// padded with zeros.
fn words_of(bits: &BooleanBuffer, start: usize, len: usize, out: &mut [u64]) {
    for (word, bits) in out.iter_mut().zip(bits.slice(start, len).bit_chunks().iter_padded()) {
        *word = bits;
    }
}

impl Histogram {
    /// An empty histogram that keeps the scores too, for exact thresholds,
    /// when `rows` fit ([`KEEP`]).
    pub fn keeping(rows: u64) -> Histogram {
        let fits = usize::try_from(rows).is_ok_and(|r| r <= KEEP);
        Histogram { kept: fits.then(Kept::default), ..Histogram::default() }
    }

    /// Counts one scored pair (the tests' reference for the batch path).
    #[cfg(test)]
    pub fn add(&mut self, is_match: bool, score: f64) {
        self.counts[2 * slot(score) + usize::from(is_match)] += 1;
    }

    /// Counts a batch: `scores[i]` with `label` bit `i`, where `present`
    /// (all rows when `None`) has bit `i` set.
    ///
    /// In blocks of [`BLOCK`] rows and three passes. The first finds each
    /// row's counter by `floor(score * 1000)` for scores in [0, 1], in vector
    /// code without stores that depend on the data ([`place`]). The second
    /// adds one to each row's counter; the third places the rare scores the
    /// first could not. Fused into one loop, a row's counter address waited
    /// on a long chain of arithmetic and the CPU's guesses about which loads
    /// alias earlier increments went wrong: the sweep cost 1.60x the pass
    /// without it, against 1.18x now (bench/metrics.rs, 100M rows).
    pub fn add_batch<T: Score>(
        &mut self,
        scores: &[T],
        label: &BooleanBuffer,
        present: Option<&BooleanBuffer>,
    ) {
        let mut block = Block::default();
        let (mut is_match, mut is_present) = ([0u64; WORDS], [u64::MAX; WORDS]);
        // Counters of the unit range in two lanes, alternate rows in
        // alternate lanes, so two rows in one slot do not wait on each
        // other's increment; u32, emptied into the counts before they could
        // wrap.
        let mut lanes = [[0u32; LANE]; 2];
        let mut in_lanes = 0usize;
        for (b, scores) in scores.chunks(BLOCK).enumerate() {
            let (start, n) = (b * BLOCK, scores.len());
            let words = n.div_ceil(64);
            words_of(label, start, n, &mut is_match[..words]);
            if let Some(present) = present {
                words_of(present, start, n, &mut is_present[..words]);
            }
            place::place(scores, &is_match[..words], &is_present[..words], &mut block);
            let [even, odd] = &mut lanes;
            // The mask tells the compiler what `place` ensures: every index is
            // in the lane.
            let at = |i: u16| usize::from(i) & (LANE - 1);
            let (four, rest) = block.lane[..n].as_chunks::<4>();
            for &[a, b, c, d] in four {
                even[at(a)] = even[at(a)].wrapping_add(1);
                odd[at(b)] = odd[at(b)].wrapping_add(1);
                even[at(c)] = even[at(c)].wrapping_add(1);
                odd[at(d)] = odd[at(d)].wrapping_add(1);
            }
            for i in rest {
                even[at(*i)] = even[at(*i)].wrapping_add(1);
            }
            for (w, exact) in block.exact[..words].iter().enumerate() {
                let mut rows = *exact;
                while rows != 0 {
                    let j = rows.trailing_zeros() as usize;
                    rows &= rows - 1;
                    let m = (is_match[w] >> j & 1) as usize;
                    self.counts[2 * slot(scores[w * 64 + j].into()) + m] += 1;
                }
            }
            in_lanes += n;
            if in_lanes > u32::MAX as usize - BLOCK {
                self.flush(&mut lanes);
                in_lanes = 0;
            }
        }
        self.flush(&mut lanes);
    }

    /// Counts a batch of scores in their own width ([`add_batch`]), and
    /// keeps it while the rows fit (past that, none).
    ///
    /// [`add_batch`]: Histogram::add_batch
    pub fn add_scores(
        &mut self,
        scores: &Scores,
        label: &BooleanBuffer,
        present: Option<&BooleanBuffer>,
    ) {
        match scores {
            Scores::F64(v) => self.add_batch(v, label, present),
            Scores::F32(v) => self.add_batch(v, label, present),
        }
        if let Some(kept) = &mut self.kept
            && !kept.add(scores, label, present)
        {
            self.kept = None;
        }
    }

    /// Adds the unit range's lanes into the counts and zeroes them: lane
    /// counter `2 * k + m` is slot `zero + 1 + k`, for candidate `k / 1000`.
    fn flush(&mut self, lanes: &mut [[u32; LANE]; 2]) {
        let start = 2 * (zero_index() + 1);
        for (i, count) in self.counts[start..start + 2 * UNIT].iter_mut().enumerate() {
            *count += u64::from(lanes[0][i]) + u64::from(lanes[1][i]);
        }
        *lanes = [[0u32; LANE]; 2];
    }

    /// Adds the pairs an engine counted in slot `slot` (see [`edge_slot`]).
    pub fn add_slot(&mut self, slot: usize, matches: u64, non_matches: u64) {
        self.counts[2 * slot + 1] += matches;
        self.counts[2 * slot] += non_matches;
    }

    /// Combines two workers' histograms.
    pub fn merge(mut self, other: Histogram) -> Histogram {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.kept = match (self.kept, other.kept) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            _ => None,
        };
        self
    }

    /// The counts at every candidate from the highest at or below the lowest
    /// score (everything predicted) to the first above the highest score
    /// (nothing predicted), ascending; beyond them the counts do not change.
    pub fn points(&self) -> Vec<Point> {
        let slots = self.counts.len() / 2;
        let (positives, negatives) =
            (|s: usize| self.counts[2 * s + 1], |s: usize| self.counts[2 * s]);
        let used = |s: &usize| positives(*s) + negatives(*s) > 0;
        let (Some(first), Some(last)) = ((0..slots).find(used), (0..slots).rev().find(used)) else {
            return Vec::new();
        };
        let g = grid();
        // Candidate i has slots i + 1.. at or above it.
        let low = first.saturating_sub(1);
        let high = last.min(g.len() - 1);
        let p: u64 = (0..slots).map(positives).sum();
        let n: u64 = (0..slots).map(negatives).sum();
        let (mut tp, mut fp) = (0u64, 0u64);
        let mut points = Vec::with_capacity(high - low + 1);
        for slot in (low + 1..slots).rev() {
            tp += positives(slot);
            fp += negatives(slot);
            let i = slot - 1;
            if i <= high {
                let counts = Counts { tp, fp, fn_: p - tp, tn: n - fp };
                points.push(Point { threshold: g[i], counts });
            }
        }
        points.reverse();
        points
    }
}

/// The confusion matrix at one candidate threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Point {
    /// The decision threshold.
    pub threshold: f64,
    /// The counts a re-run with it gives.
    pub counts: Counts,
}

/// The thresholds at which every rule holds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Range {
    /// The lowest passing candidate.
    pub lowest: f64,
    /// The highest passing candidate.
    pub highest: f64,
    /// How many candidates between them pass (all of them when the range has
    /// no gap).
    pub candidates: usize,
}

/// What the sweep says about the decision threshold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Analysis {
    /// The candidate with the highest F1 (the lowest such threshold on a tie).
    pub max_f1: Option<Point>,
    /// Where every rule holds; `None` when nowhere.
    pub passing: Option<Range>,
    /// The passing candidate with the highest F1.
    pub recommended: Option<Point>,
    /// Where recall's rules hold, the candidate with the highest precision.
    pub best_precision_keeping_recall: Option<Point>,
    /// Where precision's rules hold, the candidate with the highest recall.
    pub best_recall_keeping_precision: Option<Point>,
    /// Whether the highest F1 and the recommended threshold are exact over
    /// every distinct score ([`refine`]), not only the grid's best.
    pub exact: bool,
}

/// Analyses every candidate; `holds(metric, counts)` says whether all of a
/// metric's rules hold at those counts.
pub fn analyse(points: &[Point], holds: impl Fn(Metric, &Counts) -> bool) -> Analysis {
    let f1 = |p: &Point| Metric::F1.of(&p.counts).unwrap_or(-1.0);
    let best = |of: Metric, among: &dyn Fn(&Point) -> bool| {
        let value = |p: &Point| of.of(&p.counts).unwrap_or(-1.0);
        points.iter().filter(|p| among(p)).fold(None::<Point>, |acc, p| match acc {
            Some(a) if value(&a) >= value(p) => Some(a),
            _ => Some(*p),
        })
    };
    let passes = |p: &Point| Metric::ALL.iter().all(|m| holds(*m, &p.counts));
    let passing: Vec<&Point> = points.iter().filter(|p| passes(p)).collect();
    Analysis {
        max_f1: best(Metric::F1, &|p| f1(p) >= 0.0),
        passing: match (passing.first(), passing.last()) {
            (Some(lo), Some(hi)) => Some(Range {
                lowest: lo.threshold,
                highest: hi.threshold,
                candidates: passing.len(),
            }),
            _ => None,
        },
        recommended: best(Metric::F1, &passes),
        best_precision_keeping_recall: best(Metric::Precision, &|p| {
            holds(Metric::Recall, &p.counts)
        }),
        best_recall_keeping_precision: best(Metric::Recall, &|p| {
            holds(Metric::Precision, &p.counts)
        }),
        exact: false,
    }
}

/// At most `n` items spread evenly over `points`, keeping the first and
/// the last.
pub fn thin<T: Clone>(points: &[T], n: usize) -> Vec<T> {
    if points.len() <= n || n < 2 {
        return points.to_vec();
    }
    (0..n).map(|k| points[k * (points.len() - 1) / (n - 1)].clone()).collect()
}

#[cfg(test)]
mod tests;
