//! Stratified samples (`strata_column`, `strata_sizes`): each metric as
//! Cochran's combined ratio estimator over the strata, and its variance.
//!
//! Pure. A validation set often labels pairs stratum by stratum (by score
//! band, by source) at different rates. With N_h candidate pairs in
//! stratum h of which n_h were labelled, each labelled pair stands for
//! N_h / n_h, and a metric, a ratio Σy / Σx over its pairs (precision: TP
//! among predicted matches; recall: among true matches; F1 through J =
//! TP / (TP+FP+FN)), is estimated by
//!
//! R = Σ_h (N_h/n_h) Σy / Σ_h (N_h/n_h) Σx
//!
//! (scikit-learn's metric with `sample_weight = N_h/n_h`), with the
//! linearised variance of the combined ratio estimator (Cochran, *Sampling
//! Techniques*, 3rd ed., 6.12)
//!
//! V = Σ_h N_h² (1 − n_h/N_h) s²_h / n_h / X², X = Σ_h (N_h/n_h) Σx,
//!
//! s²_h the sample variance over stratum h's labelled pairs of
//! z = y − R·x. y and x are 0 or 1 and y ≤ x, so a stratum's confusion
//! matrix holds every sum this needs. The interval is then Wilson's on
//! n_eff = R(1−R)/V pairs, at most the pairs in the metric's denominator.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::metrics::{Counts, Metric, PerMetric};
use crate::slices::SliceColumn;
use crate::weighted::Weighted;

#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;

/// Which column holds each pair's stratum, and each stratum's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrataSettings {
    /// The stratum column of the validation set.
    pub column: String,
    /// Each stratum's candidate pairs.
    pub sizes: StrataSizes,
}

/// Where each stratum's candidate pairs are given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrataSizes {
    /// A CSV `stratum,pairs`, read when the evaluation runs.
    File(PathBuf),
    /// The config file's mapping.
    Listed(Vec<(String, u64)>),
}

/// One stratum of the estimate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stratum {
    /// Its value, as the sizes file names it.
    pub stratum: String,
    /// N_h: its candidate pairs in the population.
    pub population: u64,
    /// n_h: its labelled pairs.
    pub labelled: u64,
}

/// One metric's estimate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// R (for F1, J's estimate mapped through 2J/(1+J)).
    pub estimate: f64,
    /// V, the variance of R (for F1, of J).
    pub variance: f64,
    /// R(1−R)/V: the independent pairs the estimate is worth, at most the
    /// pairs in its denominator.
    pub effective_pairs: f64,
}

/// The stratified estimate of every metric.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stratified {
    /// `strata_column`.
    pub column: String,
    /// The strata, in the sizes file's order.
    pub strata: Vec<Stratum>,
    /// Each metric's estimate; `null` where undefined.
    #[serde(flatten)]
    pub metrics: PerMetric<Option<Estimate>>,
    /// The confusion matrix weighted by N_h / n_h: its metrics are the
    /// estimates, and it stands for the pairs wherever weighted sums do.
    #[serde(skip)]
    pub weighted: Weighted,
}

impl Stratified {
    /// The labelled pairs over every stratum, and the candidate pairs of
    /// the population they were drawn from.
    pub fn labelled_of(&self) -> (u64, u64) {
        let labelled = self.strata.iter().map(|s| s.labelled).sum();
        (labelled, self.strata.iter().map(|s| s.population).sum())
    }
}

/// Why the strata cannot be estimated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrataProblem {
    /// A stratum of the data missing from the sizes.
    NotInSizes(String),
    /// A stratum of the sizes with no labelled pair.
    NotInData(String),
    /// More labelled pairs than the stratum has.
    MoreThanPopulation { stratum: String, labelled: u64, population: u64 },
    /// One labelled pair of a stratum that has more: its variance is
    /// unknown.
    Lonely(String),
}

/// The estimate from each stratum's counts (`counts`: the stratum column
/// counted as a slice column) and sizes (stratum, N_h).
pub fn estimate(
    counts: &SliceColumn,
    sizes: &[(String, u64)],
) -> Result<Stratified, StrataProblem> {
    let sampled: BTreeMap<String, Counts> =
        counts.slices.iter().map(|s| (s.value.text(), s.counts)).collect();
    if let Some(missing) = sampled.keys().find(|k| !sizes.iter().any(|(s, _)| s == *k)) {
        return Err(StrataProblem::NotInSizes(missing.clone()));
    }
    let mut strata = Vec::with_capacity(sizes.len());
    for (stratum, population) in sizes {
        let c = *sampled.get(stratum).ok_or_else(|| StrataProblem::NotInData(stratum.clone()))?;
        let (labelled, population) = (c.rows(), *population);
        if labelled > population {
            return Err(StrataProblem::MoreThanPopulation {
                stratum: stratum.clone(),
                labelled,
                population,
            });
        }
        if labelled == 1 && population > 1 {
            return Err(StrataProblem::Lonely(stratum.clone()));
        }
        strata.push((Stratum { stratum: stratum.clone(), population, labelled }, c));
    }
    let metrics = PerMetric::from_fn(|m| metric(m, &strata));
    Ok(Stratified {
        column: counts.column.clone(),
        weighted: weighted(&strata),
        strata: strata.into_iter().map(|(s, _)| s).collect(),
        metrics,
    })
}

/// A metric's successes and trials in one stratum's counts.
fn ratio(metric: Metric, c: &Counts) -> (f64, f64) {
    (c.tp as f64, metric.trials(c) as f64)
}

/// One metric's estimate; `None` when no stratum has a pair in its
/// denominator.
fn metric(m: Metric, strata: &[(Stratum, Counts)]) -> Option<Estimate> {
    let weight = |s: &Stratum| s.population as f64 / s.labelled as f64;
    let (mut y, mut x, mut pairs) = (0.0, 0.0, 0.0);
    for (s, c) in strata {
        let (sy, sx) = ratio(m, c);
        y += weight(s) * sy;
        x += weight(s) * sx;
        pairs += sx;
    }
    if x == 0.0 {
        return None;
    }
    let r = y / x;
    let mut spread = 0.0;
    for (s, c) in strata.iter().filter(|(s, _)| s.labelled > 1) {
        let (sy, sx) = ratio(m, c);
        let n = s.labelled as f64;
        // Σz and Σz² of z = y − R·x, with y² = y, x² = x and y·x = y.
        let sum = sy - r * sx;
        let squares = sy * (1.0 - 2.0 * r) + r * r * sx;
        let variance = ((squares - sum * sum / n) / (n - 1.0)).max(0.0);
        let big = s.population as f64;
        spread += big * big * (1.0 - n / big) * variance / n;
    }
    let variance = spread / (x * x);
    let effective_pairs =
        if variance > 0.0 { (r * (1.0 - r) / variance).min(pairs) } else { pairs };
    let estimate = match m {
        Metric::F1 => 2.0 * r / (1.0 + r),
        _ => r,
    };
    Some(Estimate { estimate, variance, effective_pairs })
}

/// The confusion matrix with each stratum's pairs weighted N_h / n_h, in
/// the data's units.
fn weighted(strata: &[(Stratum, Counts)]) -> Weighted {
    let mut w = Weighted { scale: 1.0, ..Weighted::default() };
    for (s, c) in strata {
        let weight = s.population as f64 / s.labelled as f64;
        let cells = [c.tp, c.fp, c.fn_, c.tn].map(|k| k as f64);
        w.tp += weight * cells[0];
        w.fp += weight * cells[1];
        w.fn_ += weight * cells[2];
        w.tn += weight * cells[3];
        for (square, k) in w.squares.iter_mut().zip(cells) {
            *square += weight * weight * k;
        }
    }
    w
}

/// Reads the sizes file's text: a header `stratum,pairs`, then one line a
/// stratum with its candidate pairs, a whole number. Gives the strata in
/// order, or what is wrong and on which line.
pub fn parse_sizes(text: &str) -> Result<Vec<(String, u64)>, String> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    if header.len() != 2 || &header[0] != "stratum" || &header[1] != "pairs" {
        return Err("line 1: expected the header `stratum,pairs`".to_string());
    }
    let mut sizes: Vec<(String, u64)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let (Some(stratum), Some(pairs), 2) = (record.get(0), record.get(1), record.len()) else {
            return Err(format!("line {line}: expected two fields, a stratum and its pairs"));
        };
        let pairs = pairs.parse::<u64>().ok().filter(|p| *p > 0).ok_or_else(|| {
            format!("line {line}: expected the stratum's candidate pairs, a whole number above 0")
        })?;
        if sizes.iter().any(|(s, _)| s == stratum) {
            return Err(format!("line {line}: a stratum listed twice"));
        }
        sizes.push((stratum.to_string(), pairs));
    }
    if sizes.is_empty() {
        return Err("no stratum: expected a line per stratum after the header".to_string());
    }
    Ok(sizes)
}
