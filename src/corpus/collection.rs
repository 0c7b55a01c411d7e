//! The loaded articles: appended in batches while loading, shared cheaply with workers.

use super::Article;
use crate::search::SearchKey;
use std::sync::Arc;

/// A batch of articles with their folded search keys (title, place, domains, id) side by
/// side in one string: a scan over a million titles then reads memory in order, instead
/// of following a pointer per article into the heap (that was most of a scan's time).
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    articles: Vec<Article>,
    keys: String,
    /// End of each article's key in `keys`.
    ends: Vec<usize>,
    /// Bytes of each key that hold the title.
    title_lens: Vec<u32>,
}

impl Chunk {
    pub fn new(articles: Vec<Article>) -> Chunk {
        let mut chunk = Chunk {
            articles,
            ..Chunk::default()
        };
        chunk.build_keys();
        chunk
    }

    fn build_keys(&mut self) {
        self.keys.clear();
        self.ends.clear();
        self.title_lens.clear();
        // Sized once from the unfolded fields (folding rarely makes text longer): grown
        // step by step, the string was copied a dozen times per batch.
        let size: usize = self
            .articles
            .iter()
            .map(|a| {
                let domains: usize = a.sources.iter().map(|s| s.domain().len() + 1).sum();
                a.title.len() + a.place.as_ref().map_or(0, String::len) + domains + a.id.len() + 3
            })
            .sum();
        self.keys.reserve(size);
        self.ends.reserve(self.articles.len());
        self.title_lens.reserve(self.articles.len());
        for a in &self.articles {
            let title_len = crate::search::build_key(a, &mut self.keys);
            self.ends.push(self.keys.len());
            self.title_lens.push(title_len as u32);
        }
        self.keys.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Article> {
        self.articles.iter()
    }

    /// Change articles in place (ids renamed at load); their keys are built again.
    pub fn update(&mut self, change: impl FnOnce(&mut [Article]) -> bool) {
        if change(&mut self.articles) {
            self.build_keys();
        }
    }

    /// Move `other`'s articles to the end of this chunk.
    pub fn append(&mut self, mut other: Chunk) {
        let offset = self.keys.len();
        self.keys.push_str(&other.keys);
        self.ends.extend(other.ends.iter().map(|e| e + offset));
        self.title_lens.append(&mut other.title_lens);
        self.articles.append(&mut other.articles);
    }

    pub fn key(&self, i: usize) -> SearchKey<'_> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        SearchKey::new(&self.keys[start..self.ends[i]], self.title_lens[i] as usize)
    }
}

impl FromIterator<Article> for Chunk {
    fn from_iter<I: IntoIterator<Item = Article>>(articles: I) -> Chunk {
        Chunk::new(articles.into_iter().collect())
    }
}

impl From<Vec<Article>> for Chunk {
    fn from(articles: Vec<Article>) -> Chunk {
        Chunk::new(articles)
    }
}

/// An article and its search key. The article is read only when asked for: title checks
/// need only the key, and with the article at hand the compiler read one of its fields
/// ahead of every check, a cache miss that was half the time of a keystroke at a million
/// articles.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    chunk: &'a Chunk,
    i: usize,
}

impl<'a> Entry<'a> {
    pub fn key(self) -> SearchKey<'a> {
        self.chunk.key(self.i)
    }

    pub fn article(self) -> &'a Article {
        &self.chunk.articles[self.i]
    }
}

/// One article that another thread can keep (see `Corpus::hold`).
#[derive(Debug, Clone)]
pub struct Held {
    chunk: Arc<Chunk>,
    i: usize,
    /// Its index in the corpus.
    index: usize,
}

impl Held {
    pub fn article(&self) -> &Article {
        &self.chunk.articles[self.i]
    }

    /// The article's index in the corpus it was held from.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// The same article of the same load.
impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        Arc::ptr_eq(&self.chunk, &other.chunk) && self.i == other.i
    }
}

impl Eq for Held {}

/// Articles in load order, stored as immutable chunks so a clone costs one `Arc` per batch.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    chunks: Vec<Arc<Chunk>>,
    /// Index of the first article of each chunk.
    starts: Vec<usize>,
    len: usize,
    /// Articles replaced so far (see `replace`).
    edits: u64,
}

impl Corpus {
    pub fn new() -> Corpus {
        Corpus::default()
    }

    pub fn from_articles(articles: impl Into<Chunk>) -> Corpus {
        let mut c = Corpus::new();
        c.push_batch(articles);
        c
    }

    pub fn push_batch(&mut self, articles: impl Into<Chunk>) {
        let mut chunk: Chunk = articles.into();
        if chunk.is_empty() {
            return;
        }
        // A batch gathered by appending has up to half its capacity unused; it is
        // kept for the whole session, so give that back (in place, no copy).
        chunk.articles.shrink_to_fit();
        chunk.keys.shrink_to_fit();
        chunk.ends.shrink_to_fit();
        chunk.title_lens.shrink_to_fit();
        self.starts.push(self.len);
        self.len += chunk.len();
        self.chunks.push(Arc::new(chunk));
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Put new versions of articles in their places (reports changed on disk), given as
    /// (index, article). Each chunk touched is copied first when a matcher still holds
    /// it, and its keys are built again once, however many of its articles changed (a
    /// rewritten JSON Lines file changes them all).
    pub fn replace(&mut self, mut changed: Vec<(usize, Article)>) {
        changed.retain(|(index, _)| *index < self.len);
        changed.sort_by_key(|(index, _)| *index);
        let mut changed = changed.into_iter().peekable();
        while let Some(&(first, _)) = changed.peek() {
            let chunk = self.starts.partition_point(|&s| s <= first) - 1;
            let (start, end) = (
                self.starts[chunk],
                self.starts[chunk] + self.chunks[chunk].len(),
            );
            Arc::make_mut(&mut self.chunks[chunk]).update(|articles| {
                while let Some((index, article)) = changed.next_if(|(i, _)| *i < end) {
                    articles[index - start] = article;
                    self.edits += 1;
                }
                true
            });
        }
    }

    /// How many articles have been replaced: a result found before is stale if this
    /// has changed since.
    pub fn edits(&self) -> u64 {
        self.edits
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk holding article `index`, and the article's place in it.
    fn locate(&self, index: usize) -> Option<(&Arc<Chunk>, usize)> {
        if index >= self.len {
            return None;
        }
        let chunk = self.starts.partition_point(|&s| s <= index) - 1;
        Some((&self.chunks[chunk], index - self.starts[chunk]))
    }

    pub fn get(&self, index: usize) -> Option<&Article> {
        self.locate(index).map(|(c, i)| &c.articles[i])
    }

    /// The id of article `index` (empty past the end), as an `IdTable` looks ids up.
    pub fn id(&self, index: u32) -> &str {
        self.get(index as usize).map_or("", |a| a.id.as_str())
    }

    /// The folded search key of article `index`.
    pub fn key(&self, index: usize) -> Option<SearchKey<'_>> {
        self.locate(index).map(|(c, i)| c.key(i))
    }

    /// Article `index`, held apart from the corpus (its chunk is shared, not copied).
    pub fn hold(&self, index: usize) -> Option<Held> {
        self.locate(index).map(|(chunk, i)| Held {
            chunk: chunk.clone(),
            i,
            index,
        })
    }

    /// Article `index` and its search key, found with one look-up (for the matcher's loop).
    pub fn entry(&self, index: usize) -> Option<Entry<'_>> {
        self.locate(index).map(|(chunk, i)| Entry { chunk, i })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Article> {
        self.chunks.iter().flat_map(|c| c.iter())
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
        assert_eq!(c.iter().count(), 3);
    }

    #[test]
    fn replaced_articles_take_their_places_with_their_keys() {
        let mut c = Corpus::new();
        c.push_batch(vec![article("a"), article("b")]);
        c.push_batch(vec![article("c"), article("d")]);
        let shared = c.clone();
        let titled = |id: &str, title: &str| {
            let origin = Origin {
                path: Arc::from("x"),
                line: None,
            };
            Article::from_lines(id.into(), origin, [title])
        };
        // Out of order, across both chunks, one past the end (ignored).
        c.replace(vec![
            (3, titled("d", "Fourth")),
            (0, titled("a", "First")),
            (1, titled("b", "Second")),
            (9, titled("z", "None")),
        ]);
        assert_eq!(c.edits(), 3);
        assert_eq!(c.len(), 4);
        let titles: Vec<&str> = c.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["First", "Second", "text", "Fourth"]);
        let keys: Vec<&str> = (0..4).filter_map(|i| c.key(i)).map(|k| k.title()).collect();
        assert_eq!(keys, ["first", "second", "text", "fourth"]);
        // A copy taken before (a matcher's) still sees the old versions.
        assert_eq!(shared.get(0).map(|a| a.title.as_str()), Some("text"));
        assert_eq!(shared.edits(), 0);
    }

    #[test]
    fn keys_follow_their_articles_through_appends_and_renames() {
        let with = |id: &str, lines: &[&str]| {
            let origin = Origin {
                path: Arc::from("x"),
                line: None,
            };
            Article::from_lines(id.into(), origin, lines.iter().copied())
        };
        let mut chunk = Chunk::new(vec![
            with("a1", &["سبها – أعلن المجلس البلدي افتتاح مركز صحي."]),
            with("B2", &["The École reopened.", "https://www.Alwasat.ly/x"]),
        ]);
        chunk.append(Chunk::new(vec![with("c3", &["مُخْتار الإعمار."])]));
        chunk.update(|articles| {
            articles[2].id = "c3~2".into();
            true
        });
        let mut corpus = Corpus::new();
        corpus.push_batch(vec![with("first", &["x"])]);
        corpus.push_batch(chunk);
        let key = |i| corpus.key(i).expect("a key");
        let entry = corpus.entry(3).expect("an entry");
        assert_eq!(
            (entry.article().id.as_str(), entry.key().id()),
            ("c3~2", "c3~2")
        );
        assert_eq!(key(1).title(), "اعلن المجلس البلدي افتتاح مركز صحي");
        assert_eq!(key(1).place(), "سبها");
        assert_eq!(key(1).domains().count(), 0);
        assert_eq!(key(1).id(), "a1");
        assert_eq!(key(2).title(), "the ecole reopened");
        assert_eq!(key(2).place(), "");
        assert_eq!(key(2).domains().collect::<Vec<_>>(), ["alwasat.ly"]);
        assert_eq!(key(2).id(), "b2");
        assert_eq!(key(3).title(), "مختار الاعمار.");
        assert_eq!(key(3).id(), "c3~2");
        assert!(corpus.key(4).is_none());
    }
}
