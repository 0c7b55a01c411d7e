//! The loaded articles: appended in batches while loading, shared cheaply with workers.

use super::Article;
use std::sync::Arc;

/// Articles in load order, stored as immutable chunks so a clone costs one `Arc` per batch.
/// (`Arc<Vec<_>>`, not `Arc<[_]>`: taking a batch in must not copy it.)
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    chunks: Vec<Arc<Vec<Article>>>,
    /// Index of the first article of each chunk.
    starts: Vec<usize>,
    len: usize,
}

impl Corpus {
    pub fn new() -> Corpus {
        Corpus::default()
    }

    pub fn from_articles(articles: Vec<Article>) -> Corpus {
        let mut c = Corpus::new();
        c.push_batch(articles);
        c
    }

    pub fn push_batch(&mut self, articles: Vec<Article>) {
        if articles.is_empty() {
            return;
        }
        self.starts.push(self.len);
        self.len += articles.len();
        self.chunks.push(Arc::new(articles));
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&Article> {
        if index >= self.len {
            return None;
        }
        let chunk = self.starts.partition_point(|&s| s <= index) - 1;
        self.chunks[chunk].get(index - self.starts[chunk])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Article> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Index of the article with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.iter().position(|a| a.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Origin;

    fn article(id: &str) -> Article {
        let origin = Origin {
            path: Arc::from("x"),
            line: None,
        };
        Article::from_lines(id.into(), origin, ["text"])
    }

    #[test]
    fn indexing_across_batches() {
        let mut c = Corpus::new();
        c.push_batch(vec![article("a"), article("b")]);
        c.push_batch(Vec::new());
        c.push_batch(vec![article("c")]);
        assert_eq!(c.len(), 3);
        let ids: Vec<&str> = (0..3)
            .filter_map(|i| c.get(i))
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert!(c.get(3).is_none());
        assert_eq!(c.position("c"), Some(2));
        assert_eq!(c.iter().count(), 3);
    }
}
