//! Filtering: search folding, the query language, matching, and the matcher worker.

pub mod alphabet;
pub mod fold;
pub mod matcher;
pub mod query;
pub mod worker;

use crate::corpus::Article;

/// Folded forms of an article for the filter, built once when it is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchText {
    /// Folded title, place, source domains and id, one per line (the default scope).
    pub key: Box<str>,
    /// Bytes of `key` that hold the title.
    pub title_len: u32,
    /// Folded paragraphs in the one-byte alphabet (body scope; the title is in `key`).
    pub body: Box<[u8]>,
}

impl SearchText {
    pub fn build(article: &Article) -> SearchText {
        let mut key = fold::fold(&article.title);
        let title_len = key.len() as u32;
        key.push('\n');
        if let Some(place) = &article.place {
            key.push_str(&fold::fold(place));
        }
        key.push('\n');
        let mut domains: Vec<&str> = article.sources.iter().map(|s| s.domain()).collect();
        domains.dedup();
        for d in domains {
            key.push_str(&fold::fold(d));
            key.push(' ');
        }
        key.push('\n');
        key.push_str(&fold::fold(&article.id));

        // The title is searched in `key`; the body holds the paragraphs only.
        let mut body = Vec::with_capacity(article.text_len() / 2);
        for (i, p) in article.paragraphs().enumerate() {
            if i > 0 {
                body.push(b'\n');
            }
            alphabet::encode_folded(p.text, &mut body);
        }
        SearchText {
            key: key.into_boxed_str(),
            title_len,
            body: body.into_boxed_slice(),
        }
    }

    /// The folded title.
    pub fn title(&self) -> &str {
        &self.key[..self.title_len as usize]
    }

    fn line(&self, n: usize) -> &str {
        self.key.split('\n').nth(n).unwrap_or("")
    }

    /// The folded dateline place.
    pub fn place(&self) -> &str {
        self.line(1)
    }

    /// Folded source domains, separated by spaces.
    pub fn domains(&self) -> &str {
        self.line(2)
    }

    /// The folded id.
    pub fn id(&self) -> &str {
        self.line(3)
    }
}
