//! Articles and how they are read from disk.

mod collection;
mod compact;
mod ids;
mod jsonl;
mod load;
mod marks;
mod report;
pub mod sample;
mod url;
pub mod watch;

pub use collection::{Chunk, Corpus, Entry, Held};
pub use ids::IdTable;
pub use jsonl::{RecordError, parse_json};
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

/// Arabic-script and Latin letters of an article so far, for the language guess: the
/// share of Arabic among them. URLs are left out: they are Latin whatever the report's
/// language.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Letters {
    arabic: usize,
    latin: usize,
}

impl Letters {
    /// Count `text`, less its URLs at `urls` (as `url::find_inline_urls` gives them: the
    /// caller has them already).
    pub fn add(&mut self, text: &str, urls: &[Range<usize>]) {
        let (a, l) = count_letters(text.as_bytes());
        self.arabic += a;
        self.latin += l;
        for url in urls {
            let (a, l) = count_letters(&text.as_bytes()[url.clone()]);
            self.arabic -= a;
            self.latin -= l;
        }
    }

    pub fn lang(self) -> Lang {
        let total = self.arabic + self.latin;
        if total == 0 {
            return Lang::En;
        }
        let share = self.arabic as f64 / total as f64;
        if share >= 0.8 {
            Lang::Ar
        } else if share <= 0.2 {
            Lang::En
        } else {
            Lang::Mixed
        }
    }
}

/// Arabic-script and Latin characters in UTF-8 bytes, counted without decoding or
/// branching (this runs over every byte of the corpus; the compiler vectorizes both
/// counts): an Arabic-block character is led by 0xD8..0xDB (harakat and Arabic digits
/// count too: they are as much a sign of Arabic text); a Latin letter is an ASCII letter
/// or a two-byte character led by 0xC3..0xC9 (Latin-1 and Latin Extended).
fn count_letters(b: &[u8]) -> (usize, usize) {
    // Byte-wide counters over runs of 255 bytes: sixteen or more bytes per instruction.
    let (mut arabic, mut latin) = (0usize, 0usize);
    for run in b.chunks(255) {
        let (a, l) = run.iter().fold((0u8, 0u8), |(a, l), &c| {
            let is_latin = (c | 0x20).wrapping_sub(b'a') < 26 || c.wrapping_sub(0xC3) < 7;
            (a + u8::from((c & 0xFC) == 0xD8), l + u8::from(is_latin))
        });
        arabic += usize::from(a);
        latin += usize::from(l);
    }
    (arabic, latin)
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
    fn letters_are_counted_from_the_bytes_as_from_the_characters() {
        let is_latin = |c: char| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{27F}').contains(&c);
        let is_arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
        for c in (0u32..0x0800).filter_map(char::from_u32) {
            let s = format!("{c}{c} x");
            let expected = (
                2 * usize::from(is_arabic(c)),
                2 * usize::from(is_latin(c)) + 1,
            );
            assert_eq!(count_letters(s.as_bytes()), expected, "U+{:04X}", c as u32);
        }
    }

    fn guess_lang<const N: usize>(texts: [&str; N]) -> Lang {
        let mut letters = Letters::default();
        for t in texts {
            letters.add(t, &url::find_inline_urls(t));
        }
        letters.lang()
    }

    #[test]
    fn language_guess_ignores_urls() {
        assert_eq!(
            guess_lang(["أعلن المجلس البلدي https://www.facebook.com/SabhaCouncil/posts/1"]),
            Lang::Ar
        );
        assert_eq!(guess_lang(["The council said on Monday"]), Lang::En);
        assert_eq!(guess_lang(["The council of سبها البلدي said"]), Lang::Mixed);
    }

    #[test]
    fn source_domain_drops_www() {
        let s = Source::new("https://www.facebook.com/x/posts/1".into());
        assert_eq!(s.domain(), "facebook.com");
        let s = Source::new("http://alwasat.ly".into());
        assert_eq!(s.domain(), "alwasat.ly");
    }
}
