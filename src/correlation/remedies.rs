//! Remedies for few clusters, measured and not shipped: the interval on
//! the cluster-robust effective pairs with a normal critical value (what
//! `cluster_by` ships), with Student's t on G − 1 degrees of freedom, the
//! CR2 (Bell–McCaffrey) variance with t, and a percentile bootstrap over
//! whole blocks, on the block simulation's samples. `cargo test --release
//! remedies -- --nocapture` prints the table docs/metrics.md quotes.

use super::simulation::{BAR, SCENARIOS, Scenario, TRUE, block_sums};
use crate::stats::normal_upper_quantile;
use crate::stats::random::Random;

/// Student's t upper quantile for `df` degrees of freedom, from the
/// normal's by the Cornish–Fisher expansion (Abramowitz and Stegun
/// 26.7.5): within 1e-4 from 10 degrees of freedom on, enough to measure.
fn t_upper(tail: f64, df: f64) -> f64 {
    let z = normal_upper_quantile(tail);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// The Wilson interval of `q` over `n` trials at critical value `crit`.
fn wilson_at(q: f64, n: f64, crit: f64) -> (f64, f64) {
    let c2 = crit * crit;
    let denom = 1.0 + c2 / n;
    let center = (q + c2 / (2.0 * n)) / denom;
    let half = crit * (q * (1.0 - q) / n + c2 / (4.0 * n * n)).sqrt() / denom;
    (center - half, center + half)
}

/// How often each method covered the truth and passed a model at it.
#[derive(Default)]
struct Tally {
    covered: [u32; 4],
    passed: [u32; 4],
}

/// The four intervals of one sample of blocks (right, pairs).
fn intervals(blocks: &[(u64, u64)], random: &mut Random) -> [(f64, f64); 4] {
    let g = blocks.len() as f64;
    let (right, pairs) = blocks.iter().fold((0, 0), |(r, p), (br, bp)| (r + br, p + bp));
    let (q, n) = (right as f64 / pairs as f64, pairs as f64);
    // Each block's residual sum, scaled by the pairs: e_g = (y_g − q n_g) / n.
    let residual = |(r, p): &(u64, u64)| (*r as f64 - q * *p as f64) / n;
    let cr1 = g / (g - 1.0) * blocks.iter().map(|b| residual(b).powi(2)).sum::<f64>();
    // CR2: each block's residual sum over sqrt(1 − its share of the pairs).
    let cr2: f64 = blocks.iter().map(|b| residual(b).powi(2) / (1.0 - b.1 as f64 / n)).sum();
    let effective = |v: f64| (q * (1.0 - q) / v).min(n);
    let (z, t) = (normal_upper_quantile(0.025), t_upper(0.025, g - 1.0));
    // The percentile bootstrap over whole blocks, 200 resamples.
    let mut boot: Vec<f64> = (0..200)
        .map(|_| {
            let (mut r, mut p) = (0u64, 0u64);
            for _ in 0..blocks.len() {
                let (br, bp) = blocks[(random.next() * g) as usize];
                r += br;
                p += bp;
            }
            r as f64 / p as f64
        })
        .collect();
    boot.sort_by(f64::total_cmp);
    [
        wilson_at(q, effective(cr1), z),
        wilson_at(q, effective(cr1), t),
        wilson_at(q, effective(cr2), t),
        (boot[4], boot[194]),
    ]
}

fn run(s: &Scenario, samples: u32, seed: u64) -> Tally {
    let mut random = Random(seed);
    let mut tally = Tally::default();
    for _ in 0..samples {
        let blocks = block_sums(s, s.blocks, &mut random);
        for (k, (lower, upper)) in intervals(&blocks, &mut random).into_iter().enumerate() {
            tally.covered[k] += u32::from(lower <= TRUE && TRUE <= upper);
            tally.passed[k] += u32::from(lower >= BAR);
        }
    }
    tally
}

#[test]
#[allow(clippy::print_stdout)] // The table docs/metrics.md quotes.
fn remedies_for_few_clusters_measured() {
    // Cornish–Fisher against scipy's t.isf(0.025, df).
    for (df, exact) in
        [(29.0, 2.045229642132703), (99.0, 1.9842169515086827), (9.0, 2.2621571627409915)]
    {
        assert!((t_upper(0.025, df) - exact).abs() < 2e-3, "{df}: {}", t_upper(0.025, df));
    }
    let samples = 1000;
    let ten = Scenario { name: "medium, 10 blocks", blocks: 10, ..SCENARIOS[5] };
    println!(
        "| scenario | blocks | 95% coverage: normal / t / CR2 + t / bootstrap | false PASS: normal / t / CR2 + t / bootstrap |"
    );
    for (i, s) in SCENARIOS.iter().skip(2).chain([&ten]).enumerate() {
        let t = run(s, samples, 40 + i as u64);
        let pct = |k: u32| format!("{:.1}%", 100.0 * f64::from(k) / f64::from(samples));
        let row = |v: [u32; 4]| v.map(pct).join(" / ");
        println!("| {} | {} | {} | {} |", s.name, s.blocks, row(t.covered), row(t.passed));
        // The shipped interval is the first; none of the others may be
        // worse by much where coverage was shown to hold.
        if s.blocks >= super::FEW_CLUSTERS as usize {
            assert!(f64::from(t.covered[0]) / f64::from(samples) >= 0.92, "{}", s.name);
        }
    }
}
