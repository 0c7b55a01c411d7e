//! Finding an article's number by its id when the ids are kept elsewhere (the loader's
//! string of ids, the corpus): a table of numbers with their hashes, 8 bytes an id. A
//! `HashMap<String, u32>` cost an allocation and a copy of every id, and growing it to a
//! million entries read every id again.

use hashbrown::hash_table::Entry;
use std::hash::BuildHasher;

#[derive(Default)]
pub struct IdTable {
    /// Number and 32 bits of hash (kept so that growing the table reads no ids; the
    /// table of a million ids is then 16 MB, not 32, and misses the cache less).
    table: hashbrown::HashTable<(u32, u32)>,
    // Ids are not attacker-chosen keys here and there can be millions: a fast hash.
    hasher: rustc_hash::FxBuildHasher,
}

impl IdTable {
    /// The number of `id`; `id_of(n)` gives the id of number `n`.
    pub fn find<'a>(&self, id: &str, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = self.hash(id);
        self.table
            .find(spread(hash), |&(n, h)| h == hash && id_of(n) == id)
            .map(|&(n, _)| n)
    }

    fn hash(&self, id: &str) -> u32 {
        // The high half of FxHash is the better mixed.
        (self.hasher.hash_one(id) >> 32) as u32
    }

    /// Give `id` the number `n` unless it has one: then that number, and the table is
    /// unchanged. One probe of the table (it is larger than the cache, so each probe of
    /// a million-article load is a trip to memory).
    pub fn claim<'a>(&mut self, id: &str, n: u32, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        match self.entry(id, id_of) {
            (Entry::Occupied(e), _) => Some(e.get().0),
            (Entry::Vacant(e), hash) => {
                e.insert((n, hash));
                None
            }
        }
    }

    /// Point `id` at `n`; returns the number it had before, if any.
    pub fn set<'a>(&mut self, id: &str, n: u32, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        match self.entry(id, id_of) {
            (Entry::Occupied(mut e), _) => Some(std::mem::replace(&mut e.get_mut().0, n)),
            (Entry::Vacant(e), hash) => {
                e.insert((n, hash));
                None
            }
        }
    }

    /// Room for `additional` more ids without growing.
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, |&(_, h)| spread(h));
    }

    fn entry<'a>(
        &mut self,
        id: &str,
        id_of: impl Fn(u32) -> &'a str,
    ) -> (Entry<'_, (u32, u32)>, u32) {
        let hash = self.hash(id);
        let entry = self.table.entry(
            spread(hash),
            |&(m, h)| h == hash && id_of(m) == id,
            |&(_, h)| spread(h),
        );
        (entry, hash)
    }
}

/// The table's 64-bit hash from the 32 kept: it takes the bucket from the low bits and
/// a tag from the top seven, so both halves carry the 32.
fn spread(hash: u32) -> u64 {
    (u64::from(hash) << 32) | u64::from(hash)
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
        assert_eq!(table.claim("c", 3, id_of), None);
        // Claiming a known id leaves it where it was.
        assert_eq!(table.claim("a", 3, id_of), Some(2));
        assert_eq!(table.find("a", id_of), Some(2));
        assert_eq!(table.find("b", id_of), Some(1));
        assert_eq!(table.find("c", id_of), Some(3));
        assert_eq!(table.find("d", id_of), None);
        // Enough to grow the table several times.
        let many: Vec<String> = (0..10_000).map(|i| format!("id-{i}")).collect();
        let mut table = IdTable::default();
        for (n, id) in many.iter().enumerate() {
            assert_eq!(
                table.claim(id, n as u32, |m| many[m as usize].as_str()),
                None
            );
        }
        let id_of = |n: u32| many[n as usize].as_str();
        assert!(
            many.iter()
                .enumerate()
                .all(|(n, id)| table.find(id, id_of) == Some(n as u32))
        );
    }
}
