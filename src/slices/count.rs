//! Adding a batch's rows to their slices' confusion matrices.
//!
//! Each row goes to its slice's cell `label << 1 | predicted` (TN, FP, FN,
//! TP). A column of few values is counted 64 rows at a time: each value's
//! rows as a bitmask, found by vector comparisons, then three population
//! counts per value. A column of more values adds one to a counter per row.
//! A dictionary-encoded column of few entries is counted by key, without an
//! id per row, and each entry's counts go to its value once per batch.

use arrow_array::types::{
    ArrowDictionaryKeyType, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{AnyDictionaryArray, Array};
use arrow_buffer::{ArrowNativeType, BooleanBuffer};

/// The most values a table (or entries a dictionary) may have to be counted
/// by masks: beyond, the comparisons cost more than a counter increment per
/// row.
pub const MASKED: usize = 12;

/// Adds each row to its slice's cell, 64 rows of bits at a time; rows not
/// `present` are left out. `rows[i]` is row `i`'s index in `cells` (any
/// value where row `i` is not present).
pub fn count<T: ArrowNativeType>(
    cells: &mut [[u64; 4]],
    rows: &[T],
    label: &BooleanBuffer,
    predicted: &BooleanBuffer,
    present: Option<&BooleanBuffer>,
) {
    let (l, p) = (label.bit_chunks(), predicted.bit_chunks());
    let keep = present.map(|b| b.bit_chunks());
    let mut keeps = keep.iter().flat_map(|k| k.iter_padded());
    let words = l.iter_padded().zip(p.iter_padded()).map(|(l, p)| match present {
        Some(_) => (l, p, keeps.next().unwrap_or(0)),
        None => (l, p, u64::MAX),
    });
    #[cfg(target_arch = "x86_64")]
    if cells.len() <= MASKED && std::is_x86_feature_detected!("avx2") {
        // One-byte keys (pandas' and pyarrow's categoricals of few values)
        // are compared 32 at a time, in place.
        if size_of::<T>() == 1 {
            use arrow_buffer::ToByteSlice;
            // SAFETY: the CPU has AVX2 (and so POPCNT), checked just above.
            return unsafe { masked::count_bytes(cells, rows.to_byte_slice(), words) };
        }
        // SAFETY: as above.
        return unsafe { masked::count(cells, rows, words) };
    }
    for (chunk, (l, p, k)) in rows.chunks(64).zip(words) {
        by_row(cells, chunk, l, p, k);
    }
}

/// A dictionary column's batch counted by key, when the dictionary has at
/// most [`MASKED`] entries: each entry's cells, and the cells of the rows
/// whose key is null. The caller adds each entry's cells to its value's.
pub fn by_key(
    dictionary: &dyn AnyDictionaryArray,
    label: &BooleanBuffer,
    predicted: &BooleanBuffer,
    present: Option<&BooleanBuffer>,
) -> Option<(Vec<[u64; 4]>, [u64; 4])> {
    let entries = dictionary.values().len();
    if entries > MASKED {
        return None;
    }
    let mut cells = vec![[0u64; 4]; entries];
    let mut null = [0u64; 4];
    let valid = dictionary.logical_nulls().filter(|v| v.null_count() > 0);
    // Rows whose key is null are left out of the keys' counts and counted
    // on their own.
    let keyed = match &valid {
        Some(valid) => Some(present.map_or_else(|| valid.inner().clone(), |p| p & valid.inner())),
        None => present.cloned(),
    };
    if let Some(valid) = &valid {
        let rows = match present {
            Some(p) => p & &!valid.inner(),
            None => !valid.inner(),
        };
        let words = label.bit_chunks().iter_padded().zip(predicted.bit_chunks().iter_padded());
        for (rows, (l, p)) in rows.bit_chunks().iter_padded().zip(words) {
            by_mask(&mut null, rows, l, p);
        }
    }
    let by_type: [KeysOf; 8] = [
        keys::<Int8Type>,
        keys::<Int16Type>,
        keys::<Int32Type>,
        keys::<Int64Type>,
        keys::<UInt8Type>,
        keys::<UInt16Type>,
        keys::<UInt32Type>,
        keys::<UInt64Type>,
    ];
    let counted =
        by_type.iter().any(|k| k(dictionary, &mut cells, label, predicted, keyed.as_ref()));
    counted.then_some((cells, null))
}

/// [`keys`] for one key type.
type KeysOf = fn(
    &dyn AnyDictionaryArray,
    &mut [[u64; 4]],
    &BooleanBuffer,
    &BooleanBuffer,
    Option<&BooleanBuffer>,
) -> bool;

/// [`count`] by the keys of `dictionary` when they are of type `K`; false
/// otherwise.
fn keys<K: ArrowDictionaryKeyType>(
    dictionary: &dyn AnyDictionaryArray,
    cells: &mut [[u64; 4]],
    label: &BooleanBuffer,
    predicted: &BooleanBuffer,
    present: Option<&BooleanBuffer>,
) -> bool {
    let Some(dictionary) = dictionary.as_any().downcast_ref::<arrow_array::DictionaryArray<K>>()
    else {
        return false;
    };
    count(cells, dictionary.keys().values(), label, predicted, present);
    true
}

/// Adds up to 64 rows, one at a time: row `j`'s bits are bit `j` of `l`
/// (label), `p` (predicted) and `k` (present).
fn by_row<T: ArrowNativeType>(cells: &mut [[u64; 4]], rows: &[T], l: u64, p: u64, k: u64) {
    for (j, row) in rows.iter().enumerate() {
        let cell = ((l >> j & 1) << 1 | (p >> j & 1)) as usize;
        // A row left out may hold any key: it adds nothing, wherever it points.
        if let Some(cells) = cells.get_mut(row.as_usize()) {
            cells[cell] += k >> j & 1;
        }
    }
}

/// Adds the rows of one value whose mask of 64 rows is `rows` (present rows
/// only).
fn by_mask(cells: &mut [u64; 4], rows: u64, l: u64, p: u64) {
    let (tp, fn_, fp) = (rows & l & p, rows & l & !p, rows & !l & p);
    let (tp, fn_, fp) =
        (u64::from(tp.count_ones()), u64::from(fn_.count_ones()), u64::from(fp.count_ones()));
    cells[3] += tp;
    cells[2] += fn_;
    cells[1] += fp;
    cells[0] += u64::from(rows.count_ones()) - tp - fn_ - fp;
}

#[cfg(target_arch = "x86_64")]
mod masked {
    use std::arch::x86_64::*;

    use arrow_buffer::ArrowNativeType;

    use super::{by_mask, by_row};

    /// [`count`](super::count) by masks: each 64 ids compared with each
    /// value, eight at a time.
    #[target_feature(enable = "avx2,popcnt")]
    pub fn count<T: ArrowNativeType>(
        cells: &mut [[u64; 4]],
        rows: &[T],
        words: impl Iterator<Item = (u64, u64, u64)>,
    ) {
        let load = |chunk: &[T]| -> [__m256i; 8] {
            // Widened (or kept) to u32: a row left out may hold any key, and
            // its bit in `k` keeps it out whatever it compares equal to.
            let chunk: [u32; 64] = std::array::from_fn(|j| chunk[j].as_usize() as u32);
            // SAFETY: each load reads eight of the chunk's 64 u32.
            std::array::from_fn(|q| unsafe { _mm256_loadu_si256(chunk[8 * q..].as_ptr().cast()) })
        };
        let equal = |eights: &[__m256i; 8], v: usize| {
            let value = _mm256_set1_epi32(v as i32);
            let mut rows = 0u64;
            for (q, eight) in eights.iter().enumerate() {
                let equal = _mm256_castsi256_ps(_mm256_cmpeq_epi32(*eight, value));
                rows |= u64::from(_mm256_movemask_ps(equal) as u8) << (8 * q);
            }
            rows
        };
        by_masks(cells, rows, words, load, equal);
    }

    /// [`count`] for one-byte keys, each 64 compared with each value, 32 at
    /// a time. A byte equals a value (below [`MASKED`](super::MASKED)) only
    /// where the key does: a negative `i8` key is a byte of 128 or more.
    #[target_feature(enable = "avx2,popcnt")]
    pub fn count_bytes(
        cells: &mut [[u64; 4]],
        rows: &[u8],
        words: impl Iterator<Item = (u64, u64, u64)>,
    ) {
        // SAFETY: each load reads 32 of the chunk's 64 bytes.
        let load = |chunk: &[u8]| unsafe {
            let (low, high) = chunk.split_at(32);
            (_mm256_loadu_si256(low.as_ptr().cast()), _mm256_loadu_si256(high.as_ptr().cast()))
        };
        let equal = |(low, high): &(__m256i, __m256i), v: usize| {
            let value = _mm256_set1_epi8(v as i8);
            let low = u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(*low, value)) as u32);
            let high = u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(*high, value)) as u32);
            low | high << 32
        };
        by_masks(cells, rows, words, load, equal);
    }

    /// Adds each chunk of 64 rows by masks: `load` reads a chunk's keys
    /// once, `equal` gives one value's rows among them as 64 bits. A shorter
    /// last chunk is added row by row. Inlined into its callers, so the
    /// closures are compiled with their target features.
    #[inline(always)]
    fn by_masks<T: ArrowNativeType, K>(
        cells: &mut [[u64; 4]],
        rows: &[T],
        words: impl Iterator<Item = (u64, u64, u64)>,
        load: impl Fn(&[T]) -> K,
        equal: impl Fn(&K, usize) -> u64,
    ) {
        for (chunk, (l, p, k)) in rows.chunks(64).zip(words) {
            if chunk.len() < 64 {
                by_row(cells, chunk, l, p, k);
                continue;
            }
            let keys = load(chunk);
            for (v, cell) in cells.iter_mut().enumerate() {
                by_mask(cell, equal(&keys, v) & k, l, p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys of any type, counted by [`count`].
    trait Keys {
        fn count(
            &self,
            cells: &mut [[u64; 4]],
            l: &BooleanBuffer,
            p: &BooleanBuffer,
            k: Option<&BooleanBuffer>,
        );
    }

    impl<T: ArrowNativeType> Keys for Vec<T> {
        fn count(
            &self,
            cells: &mut [[u64; 4]],
            l: &BooleanBuffer,
            p: &BooleanBuffer,
            k: Option<&BooleanBuffer>,
        ) {
            count(cells, self, l, p, k);
        }
    }

    fn as_u8(ids: &[u32]) -> Vec<u8> {
        ids.iter().map(|&i| i as u8).collect()
    }

    fn as_i8(bytes: &[u8]) -> Vec<i8> {
        bytes.iter().map(|&b| b as i8).collect()
    }

    /// Both paths count every row of a batch as a plain loop over rows does,
    /// with present and absent rows, a ragged last word, few values and many.
    #[test]
    fn masks_and_increments_count_as_a_plain_loop() {
        for values in [1usize, 3, 8, MASKED, MASKED + 1, 40] {
            let rows = 1000;
            let mut x = 0x2545_f491_4f6c_dd1du64;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let ids: Vec<u32> = (0..rows).map(|_| (next() % values as u64) as u32).collect();
            let label: Vec<bool> = (0..rows).map(|_| next() % 3 == 0).collect();
            let predicted: Vec<bool> = (0..rows).map(|_| next() % 2 == 0).collect();
            let present: Vec<bool> = (0..rows).map(|_| next() % 10 != 0).collect();
            let by = |ids: &dyn Keys, l: &BooleanBuffer, p: &BooleanBuffer, k: &BooleanBuffer| {
                let mut cells = vec![[0u64; 4]; values];
                ids.count(&mut cells, l, p, Some(k));
                cells
            };
            let all = |ids: &dyn Keys, l: &BooleanBuffer, p: &BooleanBuffer| {
                let mut cells = vec![[0u64; 4]; values];
                ids.count(&mut cells, l, p, None);
                cells
            };
            let mut expected = vec![[0u64; 4]; values];
            for i in 0..rows {
                if present[i] {
                    let cell = usize::from(label[i]) << 1 | usize::from(predicted[i]);
                    expected[ids[i] as usize][cell] += 1;
                }
            }
            let bits = |b: &Vec<bool>| BooleanBuffer::from(b.clone());
            let (label, predicted, present) = (bits(&label), bits(&predicted), bits(&present));
            // Keys of four bytes and of one (compared in place), signed or
            // not. A row left out may hold any key: here 128 or more, past
            // every value and negative as an i8.
            let wild: Vec<u32> = (0..rows)
                .map(|i| if present.value(i) { ids[i] } else { 128 + (i % 100) as u32 })
                .collect();
            let (bytes, wild_bytes) = (as_u8(&ids), as_u8(&wild));
            let (signed, wild_signed) = (as_i8(&bytes), as_i8(&wild_bytes));
            for (keys, cells, all) in [
                ("u32", by(&wild, &label, &predicted, &present), all(&ids, &label, &predicted)),
                (
                    "u8",
                    by(&wild_bytes, &label, &predicted, &present),
                    all(&bytes, &label, &predicted),
                ),
                (
                    "i8",
                    by(&wild_signed, &label, &predicted, &present),
                    all(&signed, &label, &predicted),
                ),
            ] {
                assert_eq!(cells, expected, "{values} values, {keys} keys");
                assert_eq!(all.iter().flatten().sum::<u64>(), rows as u64, "{values} values");
            }
        }
    }
}
