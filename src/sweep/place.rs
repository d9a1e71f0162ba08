//! The first pass of [`Histogram::add_batch`](super::Histogram::add_batch):
//! each row's lane counter, found by `floor(score * 1000)`, in vector code.
//!
//! A score in [0, 1) at least [`MARGIN`] (in thousandths) from every
//! candidate, `k / 1000 <= score < (k + 1) / 1000`, goes to lane counter
//! `2 * k + is_match`. Every other present row (candidates themselves, 1.0,
//! negatives, beyond 1, NaN) is marked in `exact`, for
//! [`slot`](super::slot)'s comparisons with the grid to place it.

/// Rows placed in one go: a multiple of 64, the bits in a word of the label
/// and presence masks.
pub const BLOCK: usize = 4096;

/// Words of label or presence bits in a block.
pub const WORDS: usize = BLOCK / 64;

/// Counters of a lane: the unit range's `2 * UNIT`, rounded up to a power of
/// two so that a masked index needs no bounds check.
pub const LANE: usize = 2048;

/// The lane counter of rows placed later or not at all: beyond the unit
/// range's `2 * UNIT`, so never added to the counts.
pub const UNPLACED: u16 = LANE as u16 - 1;

/// 2^52: adding it to a number in [0, 2^51) rounds it to an integer, which
/// the low bits of the sum then hold.
const ROUND: f64 = 4_503_599_627_370_496.0;

/// How far `score * 1000` must be from an integer for its floor to be the
/// candidate below `score`. The product is within 1000 * 2^-53 (about
/// 1.1e-13) of the exact one, and each candidate within 2^-53 of `k / 1000`,
/// so 1e-7 leaves a margin of six orders of magnitude.
const MARGIN: f64 = 1e-7;

/// A score column's value type: read as `f64`, compared as its own value
/// widened.
pub trait Score: Copy + Into<f64> {}
impl Score for f64 {}
impl Score for f32 {}

/// Where the rows of a block go.
pub struct Block {
    /// Each row's lane counter, [`UNPLACED`] when it has none.
    pub lane: [u16; BLOCK],
    /// Bit `i % 64` of word `i / 64` set: row `i` is present and left to
    /// [`slot`](super::slot).
    pub exact: [u64; WORDS],
}

impl Default for Block {
    fn default() -> Block {
        Block { lane: [UNPLACED; BLOCK], exact: [0; WORDS] }
    }
}

/// Fills `block` for `scores` (at most [`BLOCK`]), whose label and presence
/// bits are the words `label` and `present`.
pub fn place<T: Score>(scores: &[T], label: &[u64], present: &[u64], block: &mut Block) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { avx2::place(scores, label, present, block) };
        }
    }
    place_any(scores, label, present, block);
}

/// [`place`] a row at a time.
fn place_any<T: Score>(scores: &[T], label: &[u64], present: &[u64], block: &mut Block) {
    for (w, chunk) in scores.chunks(64).enumerate() {
        let lanes = &mut block.lane[w * 64..w * 64 + chunk.len()];
        block.exact[w] = place_word(chunk, label[w], present[w], lanes);
    }
}

/// Places up to 64 rows whose label and presence bits are those of `label`
/// and `present` from bit 0; returns their `exact` bits.
#[inline(always)]
fn place_word<T: Score>(scores: &[T], label: u64, present: u64, lanes: &mut [u16]) -> u64 {
    let mut exact = 0u64;
    for (j, (score, lane)) in scores.iter().zip(lanes).enumerate() {
        let x = (*score).into() * 1000.0;
        let sum = x + ROUND;
        let nearest = sum - ROUND;
        // The nearest integer's low bits, less one when it is above x: floor(x).
        let k = (sum.to_bits() as u16).wrapping_sub(u16::from(x < nearest));
        let placed = ((x - nearest).abs() > MARGIN) & (0.0..1000.0).contains(&x);
        let (is_match, here) = ((label >> j & 1) as u16, (present >> j & 1) as u16);
        // All ones when the row is placed and present, else zero: no branch.
        let keep = 0u16.wrapping_sub(u16::from(placed) & here);
        *lane = ((k << 1 | is_match) & keep) | (UNPLACED & !keep);
        exact |= u64::from(here & u16::from(!placed)) << j;
    }
    exact
}

/// [`place`] four rows at a time in AVX2 registers, which every x86 CPU of
/// the last ten years has (GitHub's hosted runners included). An AVX-512
/// version, eight rows at a time, measured no faster on this machine.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{Block, MARGIN, Score, UNPLACED, place_word};

    /// Four bits as four lanes of all ones or zeros, bit `j` in lane `j`.
    static LANES: [[i32; 4]; 16] = {
        let mut table = [[0; 4]; 16];
        let mut bits = 0;
        while bits < 16 {
            let mut j = 0;
            while j < 4 {
                table[bits][j] = -((bits >> j & 1) as i32);
                j += 1;
            }
            bits += 1;
        }
        table
    };

    fn lanes(bits: u64) -> __m128i {
        // SAFETY: an entry is four i32, the width of the unaligned load.
        unsafe { _mm_loadu_si128(LANES[(bits & 15) as usize].as_ptr().cast()) }
    }

    #[target_feature(enable = "avx2")]
    pub fn place<T: Score>(scores: &[T], label: &[u64], present: &[u64], block: &mut Block) {
        let thousand = _mm256_set1_pd(1000.0);
        let (low, high) = (_mm256_set1_pd(MARGIN), _mm256_set1_pd(1.0 - MARGIN));
        let (zero, top) = (_mm256_setzero_pd(), _mm256_set1_pd(999.0));
        let unplaced = _mm_set1_epi32(i32::from(UNPLACED));
        for (w, chunk) in scores.chunks(64).enumerate() {
            let lanes_out = &mut block.lane[w * 64..w * 64 + chunk.len()];
            let (l, p) = (label[w], present[w]);
            if chunk.len() < 64 {
                block.exact[w] = place_word(chunk, l, p, lanes_out);
                continue;
            }
            let mut exact = 0u64;
            for (q, (four, out)) in
                chunk.chunks_exact(4).zip(lanes_out.chunks_exact_mut(4)).enumerate()
            {
                let (is_match, here) = (l >> (4 * q) & 15, p >> (4 * q) & 15);
                let values: [f64; 4] = std::array::from_fn(|j| four[j].into());
                // SAFETY: `values` holds four f64, the width of the load.
                let x = _mm256_mul_pd(unsafe { _mm256_loadu_pd(values.as_ptr()) }, thousand);
                let floor = _mm256_floor_pd(x);
                let off = _mm256_sub_pd(x, floor);
                // Ordered comparisons: NaN is never placed.
                let inside = _mm256_and_pd(
                    _mm256_cmp_pd::<_CMP_GT_OQ>(off, low),
                    _mm256_cmp_pd::<_CMP_LT_OQ>(off, high),
                );
                let range = _mm256_and_pd(
                    _mm256_cmp_pd::<_CMP_GE_OQ>(floor, zero),
                    _mm256_cmp_pd::<_CMP_LE_OQ>(floor, top),
                );
                let placed = _mm256_movemask_pd(_mm256_and_pd(inside, range)) as u64;
                // k << 1, plus one where the label is set (less all ones).
                let k = _mm_slli_epi32::<1>(_mm256_cvttpd_epi32(floor));
                let lane = _mm_sub_epi32(k, lanes(is_match));
                let lane = _mm_blendv_epi8(unplaced, lane, lanes(placed & here));
                // SAFETY: `out` holds four u16, the eight bytes stored.
                unsafe { _mm_storel_epi64(out.as_mut_ptr().cast(), _mm_packus_epi32(lane, lane)) };
                exact |= (here & !placed & 15) << (4 * q);
            }
            block.exact[w] = exact;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector path places a block as the portable loop does.
    #[test]
    fn every_path_places_as_the_portable_loop() {
        let mut scores: Vec<f64> = Vec::new();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..BLOCK - 37 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let random = (x >> 11) as f64 / (1u64 << 53) as f64;
            scores.push(match i % 11 {
                0 => (i % 1001) as f64 / 1000.0,
                1 => f64::NAN,
                2 => -random,
                3 => 1.0 + random,
                4 => ((i % 1000) as f64 + 1e-8) / 1000.0,
                _ => random,
            });
        }
        let label: Vec<u64> =
            (0..WORDS as u64).map(|w| w.wrapping_mul(0x5851_f42d_4c95_7f2d)).collect();
        let present: Vec<u64> = (0..WORDS as u64).map(|w| !(w << 3)).collect();
        let mut portable = Block::default();
        place_any(&scores, &label, &present, &mut portable);
        let as_f32: Vec<f32> = scores.iter().map(|s| *s as f32).collect();
        let mut portable_f32 = Block::default();
        place_any(&as_f32, &label, &present, &mut portable_f32);
        // On x86 with AVX2 (every x86 CI machine) `place` is the vector path.
        let mut here = Block::default();
        place(&scores, &label, &present, &mut here);
        assert!(here.lane == portable.lane && here.exact == portable.exact);
        place(&as_f32, &label, &present, &mut here);
        assert!(here.lane == portable_f32.lane && here.exact == portable_f32.exact);
        // A placed row's counter is its thousandth and label; the rest wait.
        let placed = portable.lane.iter().filter(|l| **l != UNPLACED).count();
        assert!(placed > BLOCK / 2, "{placed}");
    }
}
