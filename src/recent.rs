//! Results the UI asks for again on every frame (laid-out lines, matched letters), kept
//! for a while: in two generations, a result used again moves to the newer, and when the
//! newer is full the older is forgotten. Whatever the last frame used (up to a
//! generation) is still there for the next, and forgetting is a generation at a time.

use hashbrown::{Equivalent, HashMap};
use std::hash::Hash;

pub struct Recent<K, V> {
    newer: HashMap<K, V>,
    older: HashMap<K, V>,
    generation: usize,
}

impl<K: Hash + Eq, V: Clone> Recent<K, V> {
    /// Room for `generation` results in each of the two generations.
    pub fn new(generation: usize) -> Self {
        Recent {
            newer: HashMap::new(),
            older: HashMap::new(),
            generation,
        }
    }

    pub fn get<Q: Hash + Equivalent<K> + ?Sized>(&mut self, key: &Q) -> Option<V> {
        if let Some(value) = self.newer.get(key) {
            return Some(value.clone());
        }
        let (key, value) = self.older.remove_entry(key)?;
        self.insert(key, value.clone());
        Some(value)
    }

    /// The value for `query`; when there is none, `value()` is kept under `key()`.
    pub fn get_or_insert_with<Q: Hash + Equivalent<K> + ?Sized>(
        &mut self,
        query: &Q,
        key: impl FnOnce() -> K,
        value: impl FnOnce() -> V,
    ) -> V {
        if let Some(value) = self.get(query) {
            return value;
        }
        let value = value();
        self.insert(key(), value.clone());
        value
    }

    pub fn insert(&mut self, key: K, value: V) {
        if self.newer.len() >= self.generation {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result in use is kept however many others come and go; one not used for two
    /// generations is forgotten.
    #[test]
    fn what_is_used_is_kept_and_the_rest_forgotten() {
        let mut recent: Recent<String, usize> = Recent::new(4);
        recent.insert("kept".into(), 0);
        recent.insert("dropped".into(), 1);
        for n in 2..40 {
            recent.insert(n.to_string(), n);
            if n % 3 == 0 {
                assert_eq!(recent.get("kept"), Some(0), "forgotten at {n}");
            }
        }
        assert_eq!(recent.get("dropped"), None);
        // Made only when missing.
        let kept = recent.get_or_insert_with("kept", || unreachable!(), || unreachable!());
        assert_eq!(kept, 0);
        let made = recent.get_or_insert_with("dropped", || "dropped".into(), || 7);
        assert_eq!((made, recent.get("dropped")), (7, Some(7)));
        assert_eq!(recent.get("39"), Some(39));
        assert_eq!(recent.get("nothing"), None);
    }
}
