//! A small deterministic generator for the simulations of the tests (PCG's
//! multiplier, top bits): the same draws on every machine.

/// The generator's state.
pub struct Random(pub u64);

impl Random {
    /// A uniform draw in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in `lo..=hi`.
    pub fn between(&mut self, (lo, hi): (u64, u64)) -> u64 {
        lo + (self.next() * (hi - lo + 1) as f64) as u64
    }

    /// How many of `n` trials of chance `p` succeed.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        (0..n).filter(|_| self.next() < p).count() as u64
    }
}
