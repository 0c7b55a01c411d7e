//! Finding an article's number by its id when the ids are kept elsewhere (the loader's
//! string of ids, the corpus): a table of numbers with their hashes, 16 bytes an id. A
//! `HashMap<String, u32>` cost an allocation and a copy of every id, and growing it to a
//! million entries read every id again.

use std::hash::BuildHasher;

#[derive(Default)]
pub struct IdTable {
    /// Number and hash (kept so that growing the table reads no ids).
    table: hashbrown::HashTable<(u32, u64)>,
    // Ids are not attacker-chosen keys here and there can be millions: a fast hash.
    hasher: rustc_hash::FxBuildHasher,
}

impl IdTable {
    /// The number of `id`; `id_of(n)` gives the id of number `n`.
    pub fn find<'a>(&self, id: &str, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |&(n, h)| h == hash && id_of(n) == id)
            .map(|&(n, _)| n)
    }

    /// Add an id that is not in the table yet.
    pub fn insert_new(&mut self, id: &str, n: u32) {
        let hash = self.hasher.hash_one(id);
        self.table.insert_unique(hash, (n, hash), |&(_, h)| h);
    }

    /// Point `id` at `n`; returns the number it had before, if any.
    pub fn set<'a>(&mut self, id: &str, n: u32, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        match self
            .table
            .find_mut(hash, |&(m, h)| h == hash && id_of(m) == id)
        {
            Some(entry) => Some(std::mem::replace(&mut entry.0, n)),
            None => {
                self.table.insert_unique(hash, (n, hash), |&(_, h)| h);
                None
            }
        }
    }
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
        table.insert_new("c", 3);
        assert_eq!(table.find("a", id_of), Some(2));
        assert_eq!(table.find("b", id_of), Some(1));
        assert_eq!(table.find("c", id_of), Some(3));
        assert_eq!(table.find("d", id_of), None);
        // Enough to grow the table several times.
        let many: Vec<String> = (0..10_000).map(|i| format!("id-{i}")).collect();
        let mut table = IdTable::default();
        for (n, id) in many.iter().enumerate() {
            table.insert_new(id, n as u32);
        }
        let id_of = |n: u32| many[n as usize].as_str();
        assert!(
            many.iter()
                .enumerate()
                .all(|(n, id)| table.find(id, id_of) == Some(n as u32))
        );
    }
}
