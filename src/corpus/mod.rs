//! Articles and how they are read from disk.

mod collection;
mod compact;
mod ids;
mod jsonl;
mod letters;
mod load;
mod marks;
mod report;
pub mod sample;
mod url;
pub mod watch;

pub use collection::{Chunk, Corpus, Entry, Held};
pub use ids::IdTable;
pub use jsonl::{RecordError, parse_json};
pub(crate) use letters::Letters;
pub use load::{
    FileSig, LoadEvent, LoadOptions, LoadSummary, LoadWarning, Loader, WarningKind,
    file_signatures, load_all,
};
pub use marks::Marks;
pub use report::{ReportError, derive_title, parse_report};
pub use url::{domain_of, find_inline_urls, is_url_line};

use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Base direction of a paragraph or title (UAX #9 P2/P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A rough language guess from the letters of the text (URLs left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    En,
    Mixed,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Mixed => "mixed",
        }
    }
}

/// One paragraph: where its text is in the article's text, and its direction. The text
/// of all paragraphs is one string: seven small strings per report cost more in headers
/// and allocations than the letters of a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    start: u32,
    end: u32,
    pub direction: Direction,
}

impl Paragraph {
    /// This paragraph's text within all paragraphs' text.
    fn of<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start as usize..self.end as usize]
    }

    fn view<'t>(&self, text: &'t str) -> ParagraphView<'t> {
        ParagraphView {
            text: self.of(text),
            direction: self.direction,
        }
    }
}

/// A paragraph as read: its text and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParagraphView<'a> {
    pub text: &'a str,
    pub direction: Direction,
}

/// An article's text as read from its compact form.
pub struct Text<'a> {
    text: String,
    paragraphs: &'a [Paragraph],
}

impl Text<'_> {
    /// The paragraphs, in order.
    pub fn paragraphs(&self) -> impl ExactSizeIterator<Item = ParagraphView<'_>> + Clone + '_ {
        self.paragraphs.iter().map(|p| p.view(&self.text))
    }

    /// The decoded text, for `Article::paragraph`.
    pub fn into_string(self) -> String {
        self.text
    }
}

/// A source URL; one entry per distinct URL in the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    /// Byte range of the host within `url`, so the domain is not stored twice.
    host: Range<usize>,
    /// Paragraphs (0-based) this URL backs; empty for article-level links.
    pub paragraphs: Vec<usize>,
}

impl Source {
    pub fn new(url: String) -> Source {
        let host = url::host_range(&url);
        Source {
            url,
            host,
            paragraphs: Vec::new(),
        }
    }

    /// The host without a leading `www.`.
    pub fn domain(&self) -> &str {
        let host = &self.url[self.host.clone()];
        host.strip_prefix("www.").unwrap_or(host)
    }
}

/// Where an article came from: a file, and a line for JSON Lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: Arc<str>,
    pub line: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// One report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub place: Option<String>,
    /// All paragraphs' text, kept once with its folded form for body search (see
    /// `compact`).
    text: compact::StoredText,
    paragraphs: Vec<Paragraph>,
    pub sources: Vec<Source>,
    pub lang: Lang,
    pub direction: Direction,
    pub origin: Origin,
    /// Other fields (date, site, unknown JSON fields), shown as metadata.
    pub meta: Vec<(String, String)>,
    /// Set when the file was not valid UTF-8 and was decoded lossily.
    pub lossy: bool,
}

impl Article {
    /// Build an article from paragraphs already split into lines; derives title, place,
    /// sources, direction and language. `lines` are sanitized here.
    pub fn from_lines<'a>(
        id: String,
        origin: Origin,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Article {
        let mut block = Vec::new();
        let mut article = report::build(&mut block, id, origin, lines, 0);
        seal_texts(block, std::slice::from_mut(&mut article));
        article
    }

    /// Source indices in display order, 1-based numbers are `index + 1`.
    pub fn source_urls(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().map(|s| s.url.as_str())
    }

    /// For each paragraph, the indices of the sources that back it, in source order
    /// (derived from `Source::paragraphs`, so it is stored once). One pass over the
    /// sources: asking for each paragraph in turn was paragraphs × sources, seconds for a
    /// report of 20,000 linked paragraphs.
    pub fn sources_by_paragraph(&self) -> Vec<Vec<usize>> {
        let mut by = vec![Vec::new(); self.paragraphs.len()];
        for (i, s) in self.sources.iter().enumerate() {
            for &p in &s.paragraphs {
                if let Some(list) = by.get_mut(p)
                    && list.last() != Some(&i)
                {
                    list.push(i);
                }
            }
        }
        by
    }

    /// The article's text, decoded, to read its paragraphs from.
    pub fn text(&self) -> Text<'_> {
        Text {
            text: self.text.decode(),
            paragraphs: &self.paragraphs,
        }
    }

    /// Each paragraph's UTF-8, decoded into `buf` (cleared first): for hashing, which
    /// needs neither a `String` nor the check that makes one.
    pub fn paragraph_bytes<'b>(&self, buf: &'b mut Vec<u8>) -> impl Iterator<Item = &'b [u8]> {
        buf.clear();
        self.text.decode_into(buf);
        let buf: &'b [u8] = buf;
        self.paragraphs
            .iter()
            .map(move |p| &buf[p.start as usize..p.end as usize])
    }

    /// The paragraphs folded for body search (`search::alphabet`), separated by newlines;
    /// the title is searched in its key.
    pub fn folded_body(&self) -> &[u8] {
        self.text.folded()
    }

    /// Paragraph `k`, read from the decoded text (`text().into_string()`).
    pub fn paragraph<'t>(&self, text: &'t str, k: usize) -> ParagraphView<'t> {
        self.paragraphs[k].view(text)
    }

    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len()
    }
}

/// Give the articles whose texts were stored in `block` the block (see
/// `compact::seal`).
pub(crate) fn seal_texts(block: Vec<u8>, articles: &mut [Article]) {
    compact::seal(block, articles.iter_mut().map(|a| &mut a.text));
}

/// Base direction from the first strong character, LTR when there is none.
pub fn direction_of(text: &str) -> Direction {
    // Most titles and paragraphs open with a Latin or Arabic letter, which settles it
    // without a look-up in the bidi tables (this runs for every one at load).
    match text.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => return Direction::Ltr,
        Some('\u{0621}'..='\u{064A}') => return Direction::Rtl,
        _ => {}
    }
    match unicode_bidi::get_base_direction(text) {
        unicode_bidi::Direction::Rtl => Direction::Rtl,
        _ => Direction::Ltr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_from_first_strong_character() {
        assert_eq!(direction_of("2017 سبها"), Direction::Rtl);
        assert_eq!(direction_of("Tripoli سبها"), Direction::Ltr);
        assert_eq!(direction_of("123 ..."), Direction::Ltr);
        // The letters decided without the bidi tables are decided as the tables would.
        for c in ('A'..='Z').chain('a'..='z').chain('\u{0621}'..='\u{064A}') {
            let text = format!("{c} 1");
            let expected = match unicode_bidi::get_base_direction(text.as_str()) {
                unicode_bidi::Direction::Rtl => Direction::Rtl,
                _ => Direction::Ltr,
            };
            assert_eq!(direction_of(&text), expected, "{c:?}");
        }
    }

    #[test]
    fn source_domain_drops_www() {
        let s = Source::new("https://www.facebook.com/x/posts/1".into());
        assert_eq!(s.domain(), "facebook.com");
        let s = Source::new("http://alwasat.ly".into());
        assert_eq!(s.domain(), "alwasat.ly");
    }
}
