//! Design-based estimates for a sampled benchmark (Binette and Steorts,
//! "Estimating the performance of entity resolution algorithms", 2022; the
//! `estimators` of er-evaluation). The benchmark's true entities are a
//! sample of the population's, the prediction covers every record: so each
//! metric is estimated as a ratio of means over the sampled entities,
//! Σ w_i N_i / Σ w_i D_i with the entity's sampling weight w_i, adjusted
//! for the ratio's bias, with a standard deviation.
//!
//! Per sampled entity i of a_i records, n_ij of them in predicted entity j
//! of b_j records over the whole prediction (L records in M entities):
//!
//! | estimator | N_i | D_i |
//! |---|---|---|
//! | pairwise precision | Σ_j n_ij(n_ij − 1) | N_i + Σ_j n_ij(b_j − n_ij) |
//! | pairwise recall | Σ_j n_ij(n_ij − 1) | a_i(a_i − 1) |
//! | pairwise F | Σ_j n_ij(n_ij − 1) | a_i(a_i − 1) + (extra_i − missing_i) / 2 |
//! | cluster precision | L·δ_i | M·a_i |
//! | cluster recall | δ_i | 1 |
//! | cluster F | (2L/M)·δ_i | L/M + a_i |
//! | B-cubed precision | (1/a_i) Σ_j n_ij² / b_j | 1 |
//! | B-cubed recall | Σ_j n_ij² / a_i² | 1 |
//!
//! where extra_i = Σ_j n_ij(b_j − n_ij), missing_i = Σ_j n_ij(a_i − n_ij),
//! and δ_i = 1 when entity i is one predicted entity exactly. These are
//! er-evaluation's `*_estimator` functions (β = 1) up to a constant factor
//! per estimator, which neither the estimate nor its deviation sees.

use serde::Serialize;

use crate::metrics::Metric;
use crate::stats::{Evidence, Interval};

/// The fewest sampled entities with which the simulation in
/// docs/metrics.md found the 95% intervals near their level under uniform
/// sampling (91–95%); with 200 the pairwise ones held 86–88%, with 50 under
/// 72%.
pub const SHOWN_TO_HOLD: u64 = 400;

/// How the benchmark's true entities were sampled (`truth_sampling`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sampling {
    /// Every entity with equal probability: weight 1.
    Uniform,
    /// With probability proportional to its size: weight 1 / size.
    ClusterSize,
    /// A weight per entity (its inverse inclusion probability), read from
    /// this column (`truth_weight_column`).
    Weights(String),
}

impl Sampling {
    /// The name `truth_sampling` takes.
    pub fn word(&self) -> &'static str {
        match self {
            Sampling::Uniform => "uniform",
            Sampling::ClusterSize => "cluster_size",
            Sampling::Weights(_) => "weights",
        }
    }
}

/// Why a standard deviation is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undefined {
    /// One sampled entity: no spread to measure.
    OneEntity,
    /// The two means' product is within 1e-8 of zero.
    NearZero,
    /// The variance's estimate came out negative (rounding).
    NegativeTerm,
    /// er-evaluation has no estimator for it (B-cubed F).
    NoEstimator,
}

impl Undefined {
    /// The reason, in words.
    pub fn reason(self) -> &'static str {
        match self {
            Undefined::OneEntity => "one sampled entity: no spread to estimate it from",
            Undefined::NearZero => {
                "the means of numerator and denominator multiply to within 1e-8 of zero"
            }
            Undefined::NegativeTerm => "its variance term came out negative",
            Undefined::NoEstimator => {
                "er-evaluation has no B-cubed F estimator: the harmonic mean of the two estimates"
            }
        }
    }
}

/// One estimate and its standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate, as computed (it may leave [0, 1]); `None` when no
    /// sampled entity has a denominator.
    pub value: Option<f64>,
    /// Its standard deviation; `None` with the reason in `undefined`.
    pub std: Option<f64>,
    /// Why `std` is empty.
    pub undefined: Option<Undefined>,
}

impl Estimate {
    /// Whether the value lies outside [0, 1].
    pub fn outside(&self) -> bool {
        self.value.is_some_and(|v| !(0.0..=1.0).contains(&v))
    }
}

/// One family's three estimates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EstimatedFamily {
    pub precision: Estimate,
    pub recall: Estimate,
    /// F1.
    pub f1: Estimate,
}

impl EstimatedFamily {
    /// The estimate of `metric`.
    pub fn get(&self, metric: Metric) -> &Estimate {
        match metric {
            Metric::Precision => &self.precision,
            Metric::Recall => &self.recall,
            Metric::F1 => &self.f1,
        }
    }
}

/// The estimates' intervals are normal: the estimate ± z standard
/// deviations; none where the deviation is undefined.
impl Evidence for EstimatedFamily {
    fn value(&self, metric: Metric) -> Option<f64> {
        self.get(metric).value
    }

    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval> {
        let e = self.get(metric);
        let (value, std) = (e.value?, e.std?);
        let z = crate::stats::critical(confidence, None);
        Some(Interval { lower: value - z * std, upper: value + z * std })
    }
}

/// Every estimate, and what they were estimated from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimates {
    /// Sampled true entities.
    pub entities: u64,
    /// Their records.
    pub records: u64,
    /// Records of the whole prediction (L).
    pub population_records: u64,
    /// Entities of the whole prediction (M).
    pub population_entities: u64,
    pub pairwise: EstimatedFamily,
    /// B-cubed, each sampled entity weighted (er-evaluation's estimators).
    pub bcubed: EstimatedFamily,
    pub cluster: EstimatedFamily,
}

impl Estimates {
    /// The estimates of `family`.
    pub fn get(&self, family: super::Family) -> &EstimatedFamily {
        match family {
            super::Family::Pairwise => &self.pairwise,
            super::Family::Bcubed => &self.bcubed,
            super::Family::Cluster => &self.cluster,
        }
    }
}

/// One sampled entity's sums over its cells.
#[derive(Debug, Clone, Copy, Default)]
struct Entity {
    records: f64,
    /// Σ n_ij (n_ij − 1).
    linked: f64,
    /// Σ n_ij (b_j − n_ij).
    extra: f64,
    /// Σ n_ij².
    squares: f64,
    /// Σ n_ij² / b_j.
    shares: f64,
    /// Cells.
    cells: u32,
    /// Whether a cell holds every record of its predicted entity.
    whole: bool,
}

/// The estimates from the cells (t, p, n) of the sampled records, each
/// entity's weight `weights[t]` (`None` for a sampling by size), and the
/// whole prediction's entity sizes `b`.
pub fn estimate(cells: &[(u32, u32, u64)], weights: &[Option<f64>], b: &[u64]) -> Estimates {
    let mut entities = vec![Entity::default(); weights.len()];
    for &(t, p, n) in cells {
        let (n, size) = (n as f64, b[p as usize] as f64);
        let e = &mut entities[t as usize];
        e.records += n;
        e.linked += n * (n - 1.0);
        e.extra += n * (size - n);
        e.squares += n * n;
        e.shares += n * n / size;
        e.cells += 1;
        e.whole = n == size;
    }
    let weight = |i: usize| weights[i].unwrap_or_else(|| 1.0 / entities[i].records);
    let (l, m) = (b.iter().sum::<u64>() as f64, b.len() as f64);
    let per = |f: &dyn Fn(&Entity) -> (f64, f64)| -> Estimate {
        let (n, d): (Vec<f64>, Vec<f64>) = entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (n, d) = f(e);
                (n * weight(i), d * weight(i))
            })
            .unzip();
        ratio_of_means(&n, &d)
    };
    let exact = |e: &Entity| f64::from(u8::from(e.cells == 1 && e.whole));
    let pairwise = EstimatedFamily {
        precision: per(&|e| (e.linked, e.linked + e.extra)),
        recall: per(&|e| (e.linked, e.records * (e.records - 1.0))),
        f1: per(&|e| {
            let missing = e.records * e.records - e.squares;
            (e.linked, e.records * (e.records - 1.0) + (e.extra - missing) / 2.0)
        }),
    };
    let cluster = EstimatedFamily {
        precision: per(&|e| (l * exact(e), m * e.records)),
        recall: per(&|e| (exact(e), 1.0)),
        f1: per(&|e| (2.0 * l / m * exact(e), l / m + e.records)),
    };
    let precision = per(&|e| (e.shares / e.records, 1.0));
    let recall = per(&|e| (e.squares / (e.records * e.records), 1.0));
    let f1 = precision
        .value
        .zip(recall.value)
        .map(|(p, r)| if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 });
    let f1 = Estimate { value: f1, std: None, undefined: Some(Undefined::NoEstimator) };
    Estimates {
        entities: entities.len() as u64,
        records: entities.iter().map(|e| e.records as u64).sum(),
        population_records: l as u64,
        population_entities: b.len() as u64,
        pairwise,
        bcubed: EstimatedFamily { precision, recall, f1 },
        cluster,
    }
}

/// er-evaluation's `ratio_estimator` and `std_dev` over the entities'
/// weighted numerators `n` and denominators `d`: mean(n)/mean(d) times
/// 1 + mean(d·(n/n̄ − d/d̄)) / ((k − 1) d̄), and (n̄/d̄)·√(Σ(d/d̄ − n/n̄)² /
/// (k(k − 1))) (written as er-evaluation sums its three terms).
fn ratio_of_means(n: &[f64], d: &[f64]) -> Estimate {
    let k = n.len() as f64;
    let mean = |x: &[f64]| x.iter().sum::<f64>() / k;
    let (n_mean, d_mean) = (mean(n), mean(d));
    let value = if n_mean == 0.0 {
        // er-evaluation's 0, except where no entity has a denominator.
        (d_mean != 0.0).then_some(0.0)
    } else if n.len() == 1 {
        Some(n_mean / d_mean)
    } else {
        let terms: Vec<f64> = n.iter().zip(d).map(|(n, d)| d * (n / n_mean - d / d_mean)).collect();
        let adjustment = 1.0 + mean(&terms) / ((k - 1.0) * d_mean);
        Some(adjustment * n_mean / d_mean)
    };
    let undefined = if (d_mean * n_mean).abs() <= 1e-8 {
        Some(Undefined::NearZero)
    } else if n.len() == 1 {
        Some(Undefined::OneEntity)
    } else {
        None
    };
    let std = match undefined {
        Some(_) => None,
        None => {
            let sum: f64 = n
                .iter()
                .zip(d)
                .map(|(n, d)| {
                    let (a, b) = (d / d_mean, n / n_mean);
                    a * a + b * b - 2.0 * d * n / (d_mean * n_mean)
                })
                .sum();
            let term = sum / (k * (k - 1.0));
            (term >= 0.0).then(|| n_mean / d_mean * term.sqrt())
        }
    };
    let undefined = undefined.or(std.is_none().then_some(Undefined::NegativeTerm));
    Estimate { value, std, undefined }
}

#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;
