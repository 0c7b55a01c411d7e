//! Articles marked for a bulk change, by corpus index: marking every one of a million
//! listed articles is a flag each, not a copy of each id in a sorted set (a second).

/// A set of corpus indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    marked: Vec<bool>,
    count: usize,
}

impl Marks {
    pub fn contains(&self, index: usize) -> bool {
        self.marked.get(index).copied().unwrap_or(false)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn insert(&mut self, index: usize) {
        if index >= self.marked.len() {
            self.marked.resize(index + 1, false);
        }
        if !self.marked[index] {
            self.marked[index] = true;
            self.count += 1;
        }
    }

    /// Mark `index` when it is not, else unmark it.
    pub fn toggle(&mut self, index: usize) {
        if self.contains(index) {
            self.marked[index] = false;
            self.count -= 1;
        } else {
            self.insert(index);
        }
    }

    /// The marked indices, in corpus order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.marked
            .iter()
            .enumerate()
            .filter_map(|(i, &m)| m.then_some(i))
    }
}

impl FromIterator<usize> for Marks {
    fn from_iter<I: IntoIterator<Item = usize>>(indices: I) -> Marks {
        let mut marks = Marks::default();
        for i in indices {
            marks.insert(i);
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_toggles_and_lists_in_order() {
        let mut m: Marks = [7, 2, 7].into_iter().collect();
        assert_eq!((m.len(), m.iter().collect::<Vec<_>>()), (2, vec![2, 7]));
        m.toggle(2);
        m.toggle(40);
        assert!(!m.contains(2) && m.contains(40) && !m.contains(1000));
        assert_eq!(m.iter().collect::<Vec<_>>(), [7, 40]);
        m.toggle(7);
        m.toggle(40);
        assert!(m.is_empty());
    }
}
