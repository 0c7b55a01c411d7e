//! Finding an article's number by its id when the ids are kept elsewhere (the loader's
//! string of ids, the corpus): a table of numbers with their hashes, 8 bytes a slot. A
//! `HashMap<String, u32>` cost an allocation and a copy of every id, and growing it to a
//! million entries read every id again.
//!
//! Open addressing with linear probing in one array: a million-id table is larger than
//! the cache, and a probe here is one trip to memory where a table with separate control
//! bytes (hashbrown's) made two. Ids are only added or moved, never removed, so no
//! tombstones are needed.

use std::hash::BuildHasher;

#[derive(Default)]
pub struct IdTable {
    /// `hash << 32 | (number + 1)`, 0 for an empty slot. The hash is kept so that growing
    /// the table and most mismatches read no ids.
    slots: Vec<u64>,
    len: usize,
}

/// The hash of an id, as `IdTable` places it. Ids are not attacker-chosen keys here and
/// there can be millions: a fast hash.
pub fn id_hash(id: &str) -> u32 {
    // The high half of FxHash is the better mixed.
    (rustc_hash::FxBuildHasher.hash_one(id) >> 32) as u32
}

impl IdTable {
    /// The number of `id`; `id_of(n)` gives the id of number `n`.
    pub fn find<'a>(&self, id: &str, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = id_hash(id);
        match self.probe(hash, id, id_of) {
            Ok(slot) => Some(number(self.slots[slot])),
            Err(_) => None,
        }
    }

    /// Give `id` (whose `id_hash` is `hash`) the number `n` unless it has one: then that
    /// number, and the table is unchanged.
    pub fn claim_hashed<'a>(
        &mut self,
        hash: u32,
        id: &str,
        n: u32,
        id_of: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        match self.probe(hash, id, id_of) {
            Ok(slot) => Some(number(self.slots[slot])),
            Err(slot) => {
                self.fill(slot, hash, n);
                None
            }
        }
    }

    /// Point `id` at `n`; returns the number it had before, if any.
    pub fn set<'a>(&mut self, id: &str, n: u32, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = id_hash(id);
        match self.probe(hash, id, id_of) {
            Ok(slot) => {
                let before = number(self.slots[slot]);
                self.slots[slot] = entry(hash, n);
                Some(before)
            }
            Err(slot) => {
                self.fill(slot, hash, n);
                None
            }
        }
    }

    /// Room for `additional` more ids without growing.
    pub fn reserve(&mut self, additional: usize) {
        let wanted = self.len + additional;
        if wanted > max_len(self.slots.len()) {
            self.rebuild((wanted * 8 / 5 + 1).next_power_of_two().max(16));
        }
    }

    /// Read the slots where these hashes start their probes, all before any is needed:
    /// the reads do not wait for each other, so the trips to memory of a whole piece of
    /// ids overlap, where claiming one id after the other made them one at a time.
    /// Returns a number only so that the reads are not optimised away.
    pub fn warm(&self, hashes: impl Iterator<Item = u32>) -> u64 {
        let Some(mask) = self.slots.len().checked_sub(1) else {
            return 0;
        };
        hashes.fold(0, |acc, h| acc ^ self.slots[home(h) & mask])
    }

    /// `Ok(slot)` holding `id`, or `Err(slot)`: the empty slot where it would go.
    fn probe<'a>(
        &self,
        hash: u32,
        id: &str,
        id_of: impl Fn(u32) -> &'a str,
    ) -> Result<usize, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        if self.slots.is_empty() {
            return Err(0);
        }
        let mut slot = home(hash) & mask;
        loop {
            let e = self.slots[slot];
            if e == 0 {
                return Err(slot);
            }
            if (e >> 32) as u32 == hash && id_of(number(e)) == id {
                return Ok(slot);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Put a new entry in `slot` (an empty one `probe` gave), growing when full enough.
    fn fill(&mut self, slot: usize, hash: u32, n: u32) {
        if self.slots.is_empty() || self.len + 1 > max_len(self.slots.len()) {
            self.rebuild((self.slots.len() * 2).max(16));
            place(&mut self.slots, entry(hash, n));
        } else {
            self.slots[slot] = entry(hash, n);
        }
        self.len += 1;
    }

    /// Move every entry into a table of `size` slots (a power of two).
    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for e in old.into_iter().filter(|&e| e != 0) {
            place(&mut self.slots, e);
        }
    }
}

/// Put entry `e` in the first empty slot of its probe.
fn place(slots: &mut [u64], e: u64) {
    let mask = slots.len() - 1;
    let mut slot = home((e >> 32) as u32) & mask;
    while slots[slot] != 0 {
        slot = (slot + 1) & mask;
    }
    slots[slot] = e;
}

/// Entries a table of `slots` holds before it grows: linear probing stays short below
/// two thirds full.
fn max_len(slots: usize) -> usize {
    slots / 8 * 5
}

/// The first slot of a hash's probe (the multiply spreads all 32 bits over the low ones
/// the mask keeps).
fn home(hash: u32) -> usize {
    hash.wrapping_mul(0x9E37_79B9).rotate_left(16) as usize
}

fn entry(hash: u32, n: u32) -> u64 {
    (u64::from(hash) << 32) | (u64::from(n) + 1)
}

fn number(e: u64) -> u32 {
    (e as u32).wrapping_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_and_moved() {
        let ids = ["a", "b", "a", "c"];
        let id_of = |n: u32| ids[n as usize];
        let mut table = IdTable::default();
        assert_eq!(table.set("a", 0, id_of), None);
        assert_eq!(table.set("b", 1, id_of), None);
        // The same id again: it now means the newer number.
        assert_eq!(table.set("a", 2, id_of), Some(0));
        assert_eq!(table.claim_hashed(id_hash("c"), "c", 3, id_of), None);
        // Claiming a known id leaves it where it was.
        assert_eq!(table.claim_hashed(id_hash("a"), "a", 3, id_of), Some(2));
        assert_eq!(table.find("a", id_of), Some(2));
        assert_eq!(table.find("b", id_of), Some(1));
        assert_eq!(table.find("c", id_of), Some(3));
        assert_eq!(table.find("d", id_of), None);
        // Enough to grow the table several times.
        let many: Vec<String> = (0..10_000).map(|i| format!("id-{i}")).collect();
        let mut table = IdTable::default();
        for (n, id) in many.iter().enumerate() {
            assert_eq!(
                table.claim_hashed(id_hash(id), id, n as u32, |m| many[m as usize].as_str()),
                None
            );
        }
        let id_of = |n: u32| many[n as usize].as_str();
        assert_eq!(table.find("id-10000", id_of), None);
        assert!(
            many.iter()
                .enumerate()
                .all(|(n, id)| table.find(id, id_of) == Some(n as u32))
        );
    }

    #[test]
    fn reserved_and_warmed_tables_agree_with_a_map() {
        let ids: Vec<String> = (0..5_000).map(|i| format!("{}", i * 7 % 3_001)).collect();
        let id_of = |n: u32| ids[n as usize].as_str();
        let mut table = IdTable::default();
        table.reserve(100);
        let mut map = std::collections::HashMap::new();
        for (n, id) in ids.iter().enumerate() {
            let hash = id_hash(id);
            table.warm(std::iter::once(hash));
            let expected = map.get(id.as_str()).copied();
            assert_eq!(table.claim_hashed(hash, id, n as u32, id_of), expected);
            map.entry(id.as_str()).or_insert(n as u32);
        }
        assert_eq!(table.len, map.len());
        for (id, &n) in &map {
            assert_eq!(table.find(id, id_of), Some(n));
        }
    }
}
