//! The plain-text report format: one paragraph per line, source URLs between them.

use super::compact::StoredText;
use super::letters::scan_line;
use super::{
    Article, Direction, Letters, Origin, Paragraph, Source, direction_of, seal_texts, url,
};
use crate::text::sanitize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Longest title derived from text, in characters.
const TITLE_MAX: usize = 100;
/// A clause break (comma) after this many characters ends a title that has no full stop.
const TITLE_CLAUSE_MIN: usize = 40;
/// A dateline's dash must come within this many characters of the start.
const DATELINE_MAX: usize = 48;

/// Why a file could not be read as a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    Empty,
    Binary,
}

/// Parse a report file's bytes. Invalid UTF-8 is decoded lossily and the article marked.
pub fn parse_report(bytes: &[u8], id: String, origin: Origin) -> Result<Article, ReportError> {
    let mut block = Vec::with_capacity(block_room(bytes.len()));
    let mut article = parse_report_in(&mut block, bytes, id, origin)?;
    seal_texts(block, std::slice::from_mut(&mut article));
    Ok(article)
}

/// `parse_report`, the text stored at the end of `block` and not readable until the
/// block is sealed (`seal_texts`): reports parsed together share one.
pub(crate) fn parse_report_in(
    block: &mut Vec<u8>,
    bytes: &[u8],
    id: String,
    origin: Origin,
) -> Result<Article, ReportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err(ReportError::Binary);
    }
    let text = decode(bytes);
    if text.trim().is_empty() {
        return Err(ReportError::Empty);
    }
    let mut article = build(block, id, origin, crate::text::lines(&text), text.len());
    article.lossy = matches!(text, std::borrow::Cow::Owned(_));
    Ok(article)
}

/// Text from bytes: borrowed when valid UTF-8 (checked with SIMD: this runs over every
/// byte of the corpus), otherwise decoded with replacement characters.
pub(crate) fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// NUL bytes in the first few kilobytes mean this is not a text file. (memchr's search,
/// not the slice's `contains`, which reads a byte at a time: this runs on every report.)
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// The most room of a buffer kept for the next report.
pub(crate) const KEPT_ROOM: usize = 1 << 20;

thread_local! {
    /// A `Body`'s buffers, kept for the next report read on this thread: grown afresh
    /// for each, they were a fifth of a load's allocations.
    static SPARE: std::cell::Cell<(String, Vec<Paragraph>, Vec<Source>)> =
        const { std::cell::Cell::new((String::new(), Vec::new(), Vec::new())) };
}

/// Paragraphs, sources, dateline and title from a report's lines.
#[derive(Default)]
pub(crate) struct Body {
    /// All paragraphs' text, one after another, as the article will keep it.
    text: String,
    paragraphs: Vec<Paragraph>,
    pub sources: Vec<Source>,
    by_url: HashMap<String, usize>,
    /// Letters of the paragraphs, counted as they are read (their URLs are found anyway).
    letters: Letters,
}

impl Body {
    /// The body of these lines (`size`: their bytes together, for the allocation).
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>, size: usize) -> Body {
        let (text, paragraphs, sources) = SPARE.take();
        let mut body = Body {
            text,
            paragraphs,
            sources,
            ..Body::default()
        };
        body.text.clear();
        body.paragraphs.clear();
        body.sources.clear();
        body.text.reserve(size);
        for raw in lines {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            // What the line cannot hold is not looked for again. Its letters are those of
            // the line as kept: trimming and control pictures add or take none.
            let scan = scan_line(line.as_bytes());
            let line = if scan.control {
                sanitize(line)
            } else {
                Cow::Borrowed(line)
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            // Bidi controls around a link must not hide inside the stored URL (copied
            // only in the rare line that has one).
            let bare = if scan.bidi {
                crate::text::without_bidi_controls(line)
            } else {
                Cow::Borrowed(line)
            };
            if scan.link && url::is_url_line(&bare) {
                let backs = body.paragraphs.len().checked_sub(1);
                body.add_source(bare.trim(), backs);
                continue;
            }
            let index = body.paragraphs.len();
            // Paragraph offsets are 32-bit: text past 4 GB in one article is not kept.
            let (Ok(start), Ok(end)) = (
                u32::try_from(body.text.len()),
                u32::try_from(body.text.len() + line.len()),
            ) else {
                break;
            };
            let urls = if scan.link {
                url::find_inline_urls(line)
            } else {
                Vec::new()
            };
            body.letters.add_counted(scan.letters, line, &urls);
            body.text.push_str(line);
            body.paragraphs.push(Paragraph {
                start,
                end,
                direction: direction_of(line),
            });
            for u in urls {
                body.add_source(&line[u], Some(index));
            }
        }
        body
    }

    /// Record a URL once; `paragraph` is the paragraph it backs, if any.
    pub fn add_source(&mut self, url: &str, paragraph: Option<usize>) {
        let index = match self.find_source(url) {
            Some(i) => i,
            None => {
                self.sources.push(Source::new(url.to_string()));
                if !self.by_url.is_empty() {
                    self.by_url.insert(url.to_string(), self.sources.len() - 1);
                }
                self.sources.len() - 1
            }
        };
        if let Some(p) = paragraph {
            let source = &mut self.sources[index];
            if !source.paragraphs.contains(&p) {
                source.paragraphs.push(p);
            }
        }
    }

    /// Where `url` is among the sources. Most reports have a few links, looked through
    /// one by one; a long list gets an index (hashing and copying every URL into one
    /// was a percent of a load).
    fn find_source(&mut self, url: &str) -> Option<usize> {
        const LOOKED_THROUGH: usize = 16;
        if self.sources.len() <= LOOKED_THROUGH {
            return self.sources.iter().position(|s| s.url == url);
        }
        if self.by_url.is_empty() {
            // Built once the list is long; later sources go in as they come.
            let all = self.sources.iter().enumerate();
            self.by_url = all.map(|(i, s)| (s.url.clone(), i)).collect();
        }
        self.by_url.get(url).copied()
    }

    /// The dateline place and the rest of the first paragraph.
    pub fn dateline(&self) -> (Option<&str>, &str) {
        match self.paragraphs.first() {
            Some(p) => split_dateline(p.of(&self.text)),
            None => (None, ""),
        }
    }

    /// The article, its text stored at the end of `block` (see `StoredText::build_in`).
    pub fn into_article(
        self,
        block: &mut Vec<u8>,
        id: String,
        origin: Origin,
        title: Option<String>,
        place: Option<String>,
    ) -> Article {
        let (dateline_place, lead) = self.dateline();
        let place = place.or_else(|| dateline_place.map(str::to_string));
        let title = title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| derive_title(lead));
        let mut letters = self.letters;
        letters.add(&title, &url::find_inline_urls(&title));
        let lang = letters.lang();
        let text = StoredText::build_in(block, self.paragraphs.iter().map(|p| p.of(&self.text)));
        let direction = if title.is_empty() {
            Direction::Ltr
        } else {
            direction_of(&title)
        };
        // Copied out at their size: vectors grow by doubling, and a million articles'
        // spare room was 135 MB, a tenth of what they take beside their text.
        let (mut spare_paragraphs, mut spare_sources) = (self.paragraphs, self.sources);
        let mut paragraphs = Vec::with_capacity(spare_paragraphs.len());
        paragraphs.append(&mut spare_paragraphs);
        let mut sources = Vec::with_capacity(spare_sources.len());
        sources.append(&mut spare_sources);
        // Not kept when large: one long article's room would stay with the thread.
        if self.text.capacity() <= KEPT_ROOM {
            SPARE.set((self.text, spare_paragraphs, spare_sources));
        }
        Article {
            id,
            title,
            place,
            text,
            paragraphs,
            sources,
            lang,
            direction,
            origin,
            meta: Vec::new(),
            lossy: false,
        }
    }
}

pub(crate) fn build<'a>(
    block: &mut Vec<u8>,
    id: String,
    origin: Origin,
    lines: impl IntoIterator<Item = &'a str>,
    size: usize,
) -> Article {
    Body::from_lines(lines, size).into_article(block, id, origin, None, None)
}

/// Room for a text of `size` bytes in a block: for English too (as long folded as it
/// is), with its newlines and edits. What is left over is given back when the block is
/// sealed.
pub(crate) fn block_room(size: usize) -> usize {
    size + size / 8 + 64
}

/// Split `place – text` at a dateline dash. A hyphen only counts with a space beside it,
/// so a hyphenated name (`Al-Bayda`) is not a dateline.
pub fn split_dateline(text: &str) -> (Option<&str>, &str) {
    let mut prev: Option<char> = None;
    for (count, (i, c)) in text.char_indices().enumerate() {
        if count > DATELINE_MAX {
            break;
        }
        let is_dash = match c {
            '–' | '—' => true,
            '-' => {
                let next = text[i + 1..].chars().next();
                prev.is_some_and(char::is_whitespace) || next.is_some_and(char::is_whitespace)
            }
            _ => false,
        };
        if matches!(c, '.' | '!' | '?' | '؟' | ':' | '"' | '“' | '«') {
            break;
        }
        if is_dash {
            let place = text[..i].trim().trim_end_matches([',', '،']).trim();
            let rest = text[i + c.len_utf8()..].trim_start();
            let words = place.split_whitespace().count();
            if !place.is_empty()
                && words <= 3
                && !rest.is_empty()
                && !url::looks_like_url(place)
                && place.chars().any(char::is_alphabetic)
            {
                return (Some(place), rest);
            }
            return (None, text);
        }
        prev = Some(c);
    }
    (None, text)
}

/// The first sentence; failing that, the first clause of a reasonable length; failing
/// that, the text cut on a word boundary.
pub fn derive_title(lead: &str) -> String {
    let lead = lead.trim();
    if lead.is_empty() {
        return "(no text)".to_string();
    }
    let mut sentence_end = None;
    let mut clause_end = None;
    let mut cut = lead.len();
    // The character after is looked at only after punctuation (this runs on every report).
    for (count, (i, c)) in lead.char_indices().enumerate() {
        if count >= TITLE_MAX {
            cut = i;
            break;
        }
        let sentence = matches!(c, '.' | '!' | '?' | '؟' | '۔');
        if !sentence && !matches!(c, '،' | ',' | '؛' | ';') {
            continue;
        }
        let next = lead[i + c.len_utf8()..].chars().next();
        if !next.is_none_or(char::is_whitespace) {
            continue;
        }
        if sentence && count > 15 {
            let keep = if c == '.' { i } else { i + c.len_utf8() };
            sentence_end = Some(keep);
            break;
        }
        if !sentence && count >= TITLE_CLAUSE_MIN && clause_end.is_none() {
            clause_end = Some(i);
        }
    }
    // One copy, of the title as it ends (a copy and then a trimmed copy of that before).
    let unfinished = |t: &str| t.trim_end().trim_end_matches([' ', ',', '،']).to_string();
    match (sentence_end, clause_end) {
        (Some(e), _) | (None, Some(e)) => unfinished(&lead[..e]),
        (None, None) if cut == lead.len() => unfinished(lead),
        (None, None) => {
            let at_word = lead[..cut].rfind(char::is_whitespace).unwrap_or(cut);
            format!("{}…", lead[..at_word].trim_end())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn origin() -> Origin {
        Origin {
            path: Arc::from("t.txt"),
            line: None,
        }
    }

    fn parse(bytes: &[u8]) -> Result<Article, ReportError> {
        parse_report(bytes, "t".into(), origin())
    }

    const SAMPLE: &str = "سبها – أعلن المجلس البلدي في سبها عن افتتاح مركز صحي جديد. و أوضح أن العمل انتهى .\n\
        و أوضح رئيس المجلس أن المركز سيقدم خدمات الطوارئ .\n\
        https://www.facebook.com/SabhaCouncil/posts/1001\n\
        و أضاف أن الوزارة ستزود المركز بسيارتي إسعاف فى إطار خطة 2017 .\n\
        https://www.facebook.com/SabhaCouncil/posts/1002";

    #[test]
    fn parses_the_reference_example() {
        let a = parse(SAMPLE.as_bytes()).expect("parses");
        assert_eq!(a.place.as_deref(), Some("سبها"));
        assert_eq!(
            a.title,
            "أعلن المجلس البلدي في سبها عن افتتاح مركز صحي جديد"
        );
        assert_eq!(a.paragraph_count(), 3);
        assert_eq!(a.sources.len(), 2);
        assert!(a.sources_by_paragraph()[0].is_empty());
        assert_eq!(a.sources_by_paragraph()[1], [0]);
        assert_eq!(a.sources_by_paragraph()[2], [1]);
        assert_eq!(a.sources[1].paragraphs, [2]);
        assert_eq!(a.direction, Direction::Rtl);
        assert_eq!(a.lang, crate::corpus::Lang::Ar);
        assert!(!a.lossy);
    }

    #[test]
    fn crlf_bom_and_no_trailing_newline() {
        let text = format!("\u{FEFF}{}", SAMPLE.replace('\n', "\r\n"));
        let a = parse(text.as_bytes()).expect("parses");
        assert_eq!(a.paragraph_count(), 3);
        assert_eq!(a.place.as_deref(), Some("سبها"));
        assert!(a.text().paragraphs().all(|p| !p.text.contains('\r')));
        assert_eq!(
            a.sources[0].url,
            "https://www.facebook.com/SabhaCouncil/posts/1001"
        );
    }

    #[test]
    fn blank_lines_do_not_make_paragraphs() {
        let a = parse("first line here\n\n   \n\nsecond\n\n".as_bytes()).expect("parses");
        assert_eq!(a.paragraph_count(), 2);
    }

    #[test]
    fn url_on_first_line_is_an_article_source() {
        let a = parse(b"https://alwasat.ly/news/1\nDERNA - Text of the report.").expect("parses");
        assert_eq!(a.sources.len(), 1);
        assert!(a.sources[0].paragraphs.is_empty());
        assert_eq!(a.place.as_deref(), Some("DERNA"));
    }

    /// Each paragraph's sources, found in one pass, are the sources whose paragraphs
    /// include it, in source order, each once: here a link repeated further on and a
    /// paragraph backed by two.
    #[test]
    fn sources_by_paragraph_are_the_sources_that_back_each() {
        let a = parse(
            "سبها – أول.\nhttps://x.ly/1\nثان.\nhttps://y.ly/2\nثالث https://x.ly/1 و https://y.ly/2\nرابع."
                .as_bytes(),
        )
        .expect("parses");
        let by = a.sources_by_paragraph();
        assert_eq!(by.len(), a.paragraph_count());
        for (p, list) in by.iter().enumerate() {
            let expected: Vec<usize> = (0..a.sources.len())
                .filter(|&s| a.sources[s].paragraphs.contains(&p))
                .collect();
            assert_eq!(*list, expected, "paragraph {p}: {:?}", a.sources);
        }
        assert!(by.iter().any(|list| list.len() == 2), "{by:?}");
    }

    #[test]
    fn inline_url_backs_its_own_paragraph() {
        let a = parse(
            "نص أول\nقال البيان المنشور على https://alwasat.ly/n/5 إن الطريق مغلق".as_bytes(),
        )
        .expect("parses");
        assert_eq!(a.sources_by_paragraph()[1], [0]);
        assert_eq!(a.sources[0].url, "https://alwasat.ly/n/5");
        assert_eq!(a.sources[0].domain(), "alwasat.ly");
    }

    #[test]
    fn every_dateline_dash() {
        for dash in ["–", "—", "-"] {
            let text = format!("درنة {dash} أعلنت البلدية عن خطة جديدة للطرق.");
            let a = parse(text.as_bytes()).expect("parses");
            assert_eq!(a.place.as_deref(), Some("درنة"), "dash {dash}");
            assert_eq!(a.title, "أعلنت البلدية عن خطة جديدة للطرق");
        }
        let a = parse("Al-Bayda residents met on Monday to discuss water.".as_bytes()).expect("p");
        assert_eq!(a.place, None);
        let a = parse("بنغازي– قالت مصادر إن الطريق فتح".as_bytes()).expect("p");
        assert_eq!(a.place.as_deref(), Some("بنغازي"));
    }

    #[test]
    fn a_file_of_only_urls() {
        let a = parse(b"https://a.ly/1\nhttps://b.ly/2\n").expect("parses");
        assert_eq!(a.paragraph_count(), 0);
        assert_eq!(a.sources.len(), 2);
        assert_eq!(a.title, "(no text)");
    }

    #[test]
    fn empty_and_binary_files_are_rejected() {
        assert_eq!(parse(b""), Err(ReportError::Empty));
        assert_eq!(parse(b"\xEF\xBB\xBF \r\n\n"), Err(ReportError::Empty));
        assert_eq!(parse(b"PK\x03\x04\x00\x00"), Err(ReportError::Binary));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily_and_marked() {
        let a = parse(b"Tripoli - caf\xE9 owners met.\n").expect("parses");
        assert!(a.lossy);
        assert!(
            a.text()
                .paragraphs()
                .next()
                .map(|p| p.text)
                .unwrap_or_default()
                .contains('\u{FFFD}')
        );
    }

    #[test]
    fn control_characters_are_sanitized_at_load() {
        let a = parse(b"Title \x1b]0;owned\x07 here\ttab").expect("parses");
        assert_eq!(
            a.text()
                .paragraphs()
                .next()
                .map(|p| p.text)
                .unwrap_or_default(),
            "Title ␛]0;owned␇ here    tab"
        );
    }

    #[test]
    fn long_first_paragraph_is_cut_on_a_word() {
        let long = "word ".repeat(60);
        let t = derive_title(&long);
        let clause = derive_title(&format!("{}، {}", "كلمة ".repeat(12), "بقية ".repeat(30)));
        assert_eq!(clause, "كلمة ".repeat(12).trim_end());
        assert!(t.ends_with('…'));
        assert!(t.chars().count() <= TITLE_MAX + 1);
        assert!(!t.contains("wor…"));
    }

    #[test]
    fn a_url_line_wrapped_in_bidi_overrides_is_a_clean_source() {
        let a = parse("نص\n\u{202E}https://evil.example/moc.knab\u{202C}\n".as_bytes())
            .expect("parses");
        assert_eq!(a.paragraph_count(), 1);
        assert_eq!(a.sources[0].url, "https://evil.example/moc.knab");
        assert_eq!(a.sources_by_paragraph()[0], [0]);
    }

    #[test]
    fn duplicate_urls_are_one_source() {
        let a = parse(b"one\nhttps://a.ly/1\ntwo\nhttps://a.ly/1").expect("parses");
        assert_eq!(a.sources.len(), 1);
        assert_eq!(a.sources[0].paragraphs, [0, 1]);
        // Past the links looked through one by one, an index finds them.
        let mut text = String::from("one\n");
        for i in 0..40 {
            text.push_str(&format!("https://a.ly/{i}\n"));
        }
        text.push_str("two\n");
        for i in (0..40).rev() {
            text.push_str(&format!("https://a.ly/{i}\n"));
        }
        let a = parse(text.as_bytes()).expect("parses");
        assert_eq!(a.sources.len(), 40);
        assert!(a.sources.iter().all(|s| s.paragraphs == [0, 1]));
        assert_eq!(a.sources[39].url, "https://a.ly/39");
    }
}
