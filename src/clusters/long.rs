//! Ids too long to pack (strings of 16 bytes and more: UUIDs, prefixed
//! keys), numbered as they are counted so that every cell of the
//! contingency table packs.
//!
//! A table of millions of long ids misses the cache on every probe: its
//! slot, then the id's bytes to compare. So ids wait, their bytes copied
//! end to end, in one queue per part of their hash; each part is then
//! numbered at once (the same radix partitioning as the cells), and
//! [`BATCH`] ids at a time: every slot of a batch is read before any is
//! compared, so the batch's misses overlap instead of following one
//! another. An id's key is its index in its part, its part and where its
//! bytes start there, behind a tag no packed id has ([`TAG`]), so the cells
//! keep one kind of key and the ids are numbered at the end by index.

/// A numbered long id's top byte. A packed id's is a string's length (at
/// most 15), an integer's sign (0x00 or 0xff) or a packed UUID's tag (0xc0
/// to 0xdf); 0x80 is the sampled benchmark's outside entity.
const TAG: u128 = 0x40 << 120;

/// Parts of the hash: `PART_BITS` of its top bits.
const PART_BITS: u32 = 6;
const PARTS: usize = 1 << PART_BITS;

/// Ids looked up together.
const BATCH: usize = 16;

use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use super::ids::Key;

/// The long ids of one evaluation, numbered by part: shared by every
/// reading thread's tables (each part behind its own lock, taken for a
/// whole queue at a time), so their cells merge without renumbering. Once
/// counted, [`Numbering::read`] gives every id its index among them all.
#[derive(Debug)]
pub struct Numbering {
    parts: Vec<RwLock<Part>>,
    /// Fixed seeds: every queue puts an id in the same part.
    state: ahash::RandomState,
}

impl Default for Numbering {
    fn default() -> Numbering {
        let state = ahash::RandomState::with_seeds(0x6c6f, 0x6e67, 0x6964, 0x7321);
        Numbering { parts: (0..PARTS).map(|_| RwLock::default()).collect(), state }
    }
}

/// One part's ids.
#[derive(Debug, Default)]
struct Part {
    /// Open addressing, linear probing: 0 for an empty slot, else an id's
    /// hash (32 bits) above its number plus one.
    slots: Vec<u64>,
    /// Every id as its length and its index in the part (4 bytes each,
    /// little-endian) and its bytes, end to end; an id's number is where it
    /// starts.
    bytes: Vec<u8>,
    ids: usize,
}

/// One table's long ids waiting to be numbered, by part.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    parts: Vec<Waiting>,
}

/// One part's ids waiting.
#[derive(Debug, Default)]
struct Waiting {
    /// Each id's hash, where it ends in `bytes`, and the slot its number
    /// goes to.
    ids: Vec<(u64, usize, u32)>,
    /// The ids, end to end.
    bytes: Vec<u8>,
}

/// Whether a packed key is a numbered long id.
pub(crate) fn is_long(key: u128) -> bool {
    key >> 120 == TAG >> 120
}

/// The key of an id of part `part`: its index there, then its part, then
/// where its bytes start (its number).
fn key(part: usize, (number, index): (u32, u32)) -> u128 {
    TAG | u128::from(index) << 64 | (part as u128) << 32 | u128::from(number)
}

fn part_of(hash: u64) -> usize {
    (hash >> (64 - PART_BITS)) as usize
}

impl Part {
    /// Room for `more` ids at most half the slots full.
    fn reserve(&mut self, more: usize) {
        if (self.ids + more) * 2 <= self.slots.len() {
            return;
        }
        let size = ((self.ids + more) * 2).next_power_of_two().max(1024);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut i = (s >> 32) as usize & (size - 1);
            while self.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = s;
        }
    }

    /// The id numbered `number`.
    fn id(&self, number: u32) -> &[u8] {
        let start = number as usize;
        let len = self.word(start) as usize;
        &self.bytes[start + 8..start + 8 + len]
    }

    /// The 4 bytes at `at`.
    fn word(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("four bytes"))
    }

    /// Reads the slots (and the bytes they point to) `hashes` start at,
    /// so that the lookups after find them in cache.
    fn touch(&self, hashes: impl Iterator<Item = u64>) {
        let mask = self.slots.len() - 1;
        let mut touched = 0u64;
        for hash in hashes {
            let s = self.slots[hash as u32 as usize & mask];
            touched ^= s;
            if s != 0 {
                touched ^= u64::from(self.bytes[(s as u32 - 1) as usize]);
            }
        }
        std::hint::black_box(touched);
    }

    /// `bytes`' number and index, added when new (room was reserved).
    fn number(&mut self, hash: u64, bytes: &[u8]) -> (u32, u32) {
        let (mask, hash) = (self.slots.len() - 1, hash as u32);
        let mut i = hash as usize & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                break;
            }
            if (s >> 32) as u32 == hash && self.id(s as u32 - 1) == bytes {
                let number = s as u32 - 1;
                return (number, self.word(number as usize + 4));
            }
            i = (i + 1) & mask;
        }
        let start = u32::try_from(self.bytes.len())
            .ok()
            .filter(|&s| s < u32::MAX)
            .expect("fewer than 4 GiB of long ids a part");
        let len = u32::try_from(bytes.len()).expect("an id of less than 4 GiB");
        self.bytes.extend_from_slice(&len.to_le_bytes());
        let index = u32::try_from(self.ids).expect("fewer than 2^32 ids a part");
        self.bytes.extend_from_slice(&index.to_le_bytes());
        self.bytes.extend_from_slice(bytes);
        self.slots[i] = u64::from(hash) << 32 | u64::from(start + 1);
        self.ids += 1;
        (start, index)
    }

    /// Numbers the ids waiting, and empties their queue (keeping its room):
    /// `put(slot, (number, index))`.
    fn number_queue(&mut self, waiting: &mut Waiting, put: &mut impl FnMut(u32, (u32, u32))) {
        let mut start = 0;
        for batch in waiting.ids.chunks(BATCH) {
            self.reserve(batch.len());
            self.touch(batch.iter().map(|w| w.0));
            for &(hash, end, slot) in batch {
                put(slot, self.number(hash, &waiting.bytes[start..end]));
                start = end;
            }
        }
        waiting.ids.clear();
        waiting.bytes.clear();
    }
}

impl Queue {
    /// Queues `bytes`, whose number goes to `slot` at the next
    /// [`Numbering::number`].
    pub fn push(&mut self, numbering: &Numbering, bytes: &[u8], slot: u32) {
        if self.parts.is_empty() {
            self.parts.resize_with(PARTS, Default::default);
        }
        let hash = numbering.state.hash_one(bytes);
        let waiting = &mut self.parts[part_of(hash)];
        waiting.bytes.extend_from_slice(bytes);
        waiting.ids.push((hash, waiting.bytes.len(), slot));
    }
}

impl Numbering {
    /// Numbers every id of `queue`, a part at a time: `put(slot, key)`. A
    /// part another thread holds is numbered after the others.
    pub fn number(&self, queue: &mut Queue, mut put: impl FnMut(u32, u128)) {
        let mut busy = Vec::new();
        for (p, waiting) in queue.parts.iter_mut().enumerate() {
            if waiting.ids.is_empty() {
                continue;
            }
            match self.parts[p].try_write() {
                Ok(mut part) => part.number_queue(waiting, &mut |slot, n| put(slot, key(p, n))),
                Err(_) => busy.push(p),
            }
        }
        for p in busy {
            let mut part = self.parts[p].write().unwrap_or_else(PoisonError::into_inner);
            part.number_queue(&mut queue.parts[p], &mut |slot, n| put(slot, key(p, n)));
        }
    }

    /// `keys` as the tables count them, long ids numbered now.
    pub fn number_now(&self, keys: &[Option<Key>]) -> Vec<Option<u128>> {
        let mut queue = Queue::default();
        let mut numbered = vec![None; keys.len()];
        for (slot, key) in keys.iter().enumerate() {
            match key {
                Some(Key::Packed(k)) => numbered[slot] = Some(*k),
                Some(Key::Long(bytes)) => queue.push(self, bytes, slot as u32),
                None => {}
            }
        }
        self.number(&mut queue, |slot, key| numbered[slot as usize] = Some(key));
        numbered
    }

    /// Every part, to read (no id can be numbered while it is held).
    pub fn read(&self) -> Numbered<'_> {
        let parts: Vec<_> =
            self.parts.iter().map(|p| p.read().unwrap_or_else(PoisonError::into_inner)).collect();
        let mut bases = vec![0; PARTS];
        for p in 1..PARTS {
            bases[p] = bases[p - 1] + parts[p - 1].ids;
        }
        Numbered { parts, bases }
    }

    /// `other`'s keys as this numbering's, in place, each long id numbered
    /// here when new (packed keys are their own).
    pub fn translate(&self, other: &Numbering, keys: &mut [u128]) {
        let theirs = other.read();
        let key =
            |k: u128| Some(if is_long(k) { Key::Long(theirs.bytes(k)) } else { Key::Packed(k) });
        let entries: Vec<_> = keys.iter().map(|&k| key(k)).collect();
        let numbered = self.number_now(&entries);
        for (k, n) in keys.iter_mut().zip(numbered) {
            *k = n.expect("every key is an id");
        }
    }
}

/// The ids numbered, read.
pub(crate) struct Numbered<'a> {
    parts: Vec<RwLockReadGuard<'a, Part>>,
    /// Ids in the parts before each.
    bases: Vec<usize>,
}

impl Numbered<'_> {
    /// The bytes of a numbered long id.
    pub fn bytes(&self, key: u128) -> &[u8] {
        self.parts[(key >> 32) as usize & (PARTS - 1)].id(key as u32)
    }

    /// How many ids: each has an index below.
    pub fn len(&self) -> usize {
        self.bases[PARTS - 1] + self.parts[PARTS - 1].ids
    }

    /// A numbered long id's index among every id, from 0.
    pub fn index(&self, key: u128) -> usize {
        let p = (key >> 32) as usize & (PARTS - 1);
        self.bases[p] + (key >> 64) as u32 as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers `ids` as a table would, through the queues.
    fn numbered(numbering: &Numbering, ids: &[&[u8]]) -> Vec<u128> {
        let mut queue = Queue::default();
        ids.iter().enumerate().for_each(|(slot, id)| queue.push(numbering, id, slot as u32));
        let mut keys = vec![0; ids.len()];
        numbering.number(&mut queue, |slot, key| keys[slot as usize] = key);
        keys
    }

    #[test]
    fn equal_ids_share_a_number_and_give_their_bytes_back() {
        let ids: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("00000000-0000-4000-8000-{:012}", i % 7_001).into())
            .collect();
        let ids: Vec<&[u8]> = ids.iter().map(Vec::as_slice).collect();
        let numbering = Numbering::default();
        let keys = numbered(&numbering, &ids);
        for (i, k) in keys.iter().enumerate() {
            assert!(is_long(*k));
            assert_eq!(numbering.read().bytes(*k), ids[i]);
            assert_eq!(*k, keys[i % 7_001], "{i}");
        }
        let mut distinct = keys.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 7_001);
        let read = numbering.read();
        let mut indices: Vec<usize> = distinct.iter().map(|k| read.index(*k)).collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..7_001).collect::<Vec<_>>());
        assert_eq!(read.len(), 7_001);
        drop(read);
        // Numbered again: the same keys.
        assert_eq!(numbered(&numbering, &ids), keys);
    }

    #[test]
    fn another_tables_numbers_translate_by_their_bytes() {
        let (a, b): (&[&[u8]], &[&[u8]]) = (
            &[b"an id of more than fifteen bytes", b"a second id, also long enough"],
            &[b"a second id, also long enough", b"a third, only the other table's"],
        );
        let (mine, theirs) = (Numbering::default(), Numbering::default());
        let (ka, kb) = (numbered(&mine, a), numbered(&theirs, b));
        let mut keys = [kb[0], kb[1], 7];
        mine.translate(&theirs, &mut keys);
        assert_eq!(keys[0], ka[1]);
        assert_eq!(mine.read().bytes(keys[1]), b[1]);
        assert_eq!(keys[2], 7, "a packed key is its own");
    }
}
