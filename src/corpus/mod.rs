//! Articles and how they are read from disk.

mod collection;
mod jsonl;
mod load;
mod report;
pub mod sample;
mod url;
pub mod watch;

pub use collection::Corpus;
pub use jsonl::{RecordError, parse_json_file};
pub use load::{
    FileSig, LoadEvent, LoadOptions, LoadSummary, LoadWarning, Loader, WarningKind,
    file_signatures, load_all,
};
pub use report::{ReportError, derive_title, parse_report};
pub use url::{domain_of, find_inline_urls, is_url_line};

use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Base direction of a paragraph or title (UAX #9 P2/P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// One paragraph: where its text is in [`Article::text`], and its direction. The text of
/// all paragraphs is one string: seven small strings per report cost more in headers and
/// allocations than the letters of a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    start: u32,
    end: u32,
    pub direction: Direction,
}

/// A paragraph as read: its text and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParagraphView<'a> {
    pub text: &'a str,
    pub direction: Direction,
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
    /// All paragraphs' text, one after another.
    text: String,
    paragraphs: Vec<Paragraph>,
    pub sources: Vec<Source>,
    pub lang: Lang,
    pub direction: Direction,
    pub origin: Origin,
    /// Other fields (date, site, unknown JSON fields), shown as metadata.
    pub meta: Vec<(String, String)>,
    /// Set when the file was not valid UTF-8 and was decoded lossily.
    pub lossy: bool,
    /// Folded text for the filter.
    pub search: crate::search::SearchText,
}

impl Article {
    /// Build an article from paragraphs already split into lines; derives title, place,
    /// sources, direction and language. `lines` are sanitized here.
    pub fn from_lines<'a>(
        id: String,
        origin: Origin,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Article {
        report::build(id, origin, lines)
    }

    /// Source indices in display order, 1-based numbers are `index + 1`.
    pub fn source_urls(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().map(|s| s.url.as_str())
    }

    /// Indices of the sources that back paragraph `p`, in source order (derived from
    /// `Source::paragraphs`, so it is stored once).
    pub fn sources_of(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        self.sources
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.paragraphs.contains(&p))
            .map(|(i, _)| i)
    }

    /// Total bytes of paragraph text, a cheap size measure.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The paragraphs, in order.
    pub fn paragraphs(&self) -> impl ExactSizeIterator<Item = ParagraphView<'_>> + Clone + '_ {
        self.paragraphs.iter().map(|p| ParagraphView {
            text: &self.text[p.start as usize..p.end as usize],
            direction: p.direction,
        })
    }

    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len()
    }
}

/// Base direction from the first strong character, LTR when there is none.
pub fn direction_of(text: &str) -> Direction {
    match unicode_bidi::get_base_direction(text) {
        unicode_bidi::Direction::Rtl => Direction::Rtl,
        _ => Direction::Ltr,
    }
}

/// Letters looked at for the language guess.
const LANG_SAMPLE: usize = 3000;

/// Language guess: the share of Arabic-script letters among Arabic and Latin letters.
pub fn guess_lang<'a>(texts: impl IntoIterator<Item = &'a str>) -> Lang {
    static ARABIC_BLOCK: std::sync::OnceLock<[bool; 256]> = std::sync::OnceLock::new();
    let letters = ARABIC_BLOCK.get_or_init(|| {
        std::array::from_fn(|i| char::from_u32(0x0600 + i as u32).is_some_and(is_arabic_letter))
    });
    let (mut arabic, mut latin) = (0usize, 0usize);
    for text in texts {
        // Bytes, not characters: this runs over every report at load. Arabic-block
        // characters are two bytes led by 0xD8-0xDB; Latin letters are ASCII or led by
        // 0xC3-0xC9. URLs are skipped: they are Latin whatever the report's language.
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if (i == 0 || b[i - 1] == b' ')
                && matches!(b[i], b'h' | b'H' | b'w' | b'W')
                && url::looks_like_url(&text[i..])
            {
                i += b[i..]
                    .iter()
                    .position(|&c| c == b' ')
                    .unwrap_or(b.len() - i);
                continue;
            }
            match b[i] {
                0xD8..=0xDB => {
                    // U+0600..U+06FF from the two bytes (a valid str has the second).
                    let index = (usize::from(b[i] & 0x03) << 6) | usize::from(b[i + 1] & 0x3F);
                    arabic += usize::from(letters[index]);
                    i += 2;
                }
                b'a'..=b'z' | b'A'..=b'Z' => {
                    latin += 1;
                    i += 1;
                }
                0xC3..=0xC9 => {
                    latin += usize::from(text[i..].chars().next().is_some_and(is_latin_letter));
                    i += 2;
                }
                _ => i += 1,
            }
        }
        // A few thousand letters settle the ratio; the rest of a long report adds nothing.
        if arabic + latin >= LANG_SAMPLE {
            break;
        }
    }
    let total = arabic + latin;
    if total == 0 {
        return Lang::En;
    }
    let share = arabic as f64 / total as f64;
    if share >= 0.8 {
        Lang::Ar
    } else if share <= 0.2 {
        Lang::En
    } else {
        Lang::Mixed
    }
}

/// Arabic-script letters, including Persian/Urdu additions and presentation forms.
/// Plain ranges (no Unicode property lookup): this runs over every character at load.
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}'
        | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08C9}'
        | '\u{FB50}'..='\u{FDFB}' | '\u{FE70}'..='\u{FEFC}')
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{C0}'..='\u{24F}').contains(&c) && c != '×' && c != '÷')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_from_first_strong_character() {
        assert_eq!(direction_of("2017 سبها"), Direction::Rtl);
        assert_eq!(direction_of("Tripoli سبها"), Direction::Ltr);
        assert_eq!(direction_of("123 ..."), Direction::Ltr);
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
