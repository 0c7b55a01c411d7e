//! Filtering: search folding, the query language, matching, and the matcher worker.

pub mod alphabet;
pub mod fold;
pub mod matcher;
pub mod prefilter;
pub mod query;
pub mod worker;

use crate::corpus::Article;

/// Append an article's search key to `out`: folded title, place, source domains and id,
/// one per line (the default scope). Returns the bytes of the title.
pub fn build_key(article: &Article, out: &mut String) -> usize {
    let start = out.len();
    fold::fold_into(&article.title, out);
    let title_len = out.len() - start;
    out.push('\n');
    if let Some(place) = &article.place {
        fold::fold_into(place, out);
    }
    out.push('\n');
    // Each domain once where it repeats in a row (no list built: this runs per article).
    let mut last = None;
    for d in article.sources.iter().map(|s| s.domain()) {
        if last != Some(d) {
            fold::fold_into(d, out);
            out.push(' ');
            last = Some(d);
        }
    }
    out.push('\n');
    fold::fold_into(&article.id, out);
    title_len
}

/// One article's search key, as the corpus keeps it.
#[derive(Debug, Clone, Copy)]
pub struct SearchKey<'a> {
    text: &'a str,
    title_len: usize,
}

impl<'a> SearchKey<'a> {
    pub fn new(text: &'a str, title_len: usize) -> SearchKey<'a> {
        SearchKey { text, title_len }
    }

    /// The whole key: title, place, domains and id, one per line.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The folded title.
    pub fn title(&self) -> &'a str {
        // The key is sliced only here, at a boundary `build_key` recorded.
        self.text.get(..self.title_len).unwrap_or("")
    }

    /// Line `n` (1 to 3) of the key, found from the end of the title on. (Splitting the
    /// whole key went through the title again for each field a term was tried on.)
    fn line(&self, n: usize) -> &'a str {
        let b = self.text.as_bytes();
        let mut start = self.title_len + 1;
        for _ in 1..n {
            match b.get(start..).and_then(|rest| memchr::memchr(b'\n', rest)) {
                Some(i) => start += i + 1,
                None => return "",
            }
        }
        let Some(rest) = b.get(start..) else {
            return "";
        };
        let end = memchr::memchr(b'\n', rest).map_or(b.len(), |i| start + i);
        self.text.get(start..end).unwrap_or("")
    }

    /// The folded dateline place.
    pub fn place(&self) -> &'a str {
        self.line(1)
    }

    /// Folded source domains, each once where it repeats in a row.
    pub fn domains(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.line(2).split_terminator(' ')
    }

    /// The folded id.
    pub fn id(&self) -> &'a str {
        self.line(3)
    }
}
