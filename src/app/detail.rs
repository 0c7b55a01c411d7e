//! The detail pane's content, laid out for a width: what the pane draws and what
//! `show --width N` prints.

use crate::corpus::{Article, Direction};
use crate::text::{BidiMode, VisualLine, sanitize, wrap_paragraph};
use std::ops::Range;

/// What a stretch of text is, so the theme can colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Text,
    Title,
    Label,
    Marker,
    Heading,
    Url,
    Warning,
    /// Characters the filter matched.
    Match,
}

/// One drawn row: a visual line and the tones of its logical byte ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub line: VisualLine,
    pub tones: Vec<(Range<usize>, Tone)>,
    /// Paragraph index (0-based) this row belongs to, if any.
    pub paragraph: Option<usize>,
    /// Source index (0-based) when this row lists a source.
    pub source: Option<usize>,
}

impl Row {
    /// The tone of the glyph at logical offset `at`.
    pub fn tone_at(&self, at: usize) -> Tone {
        self.tones
            .iter()
            .rev()
            .find(|(r, _)| r.contains(&at))
            .map_or(Tone::Text, |(_, t)| *t)
    }
}

/// An article laid out for a given width. A long one is laid out in steps (`extend`),
/// so that selecting it does not hold up the keys; `rest` is what is still to come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailDoc {
    pub id: String,
    pub width: usize,
    mode: BidiMode,
    pub rows: Vec<Row>,
    /// The source under the cursor and the paragraphs it backs (drawn highlighted).
    pub cursor: Option<(usize, Vec<usize>)>,
    /// Rows of the head (title, fields, saved state), which `restate` lays out again.
    head: usize,
    rest: Option<Rest>,
}

/// The part of an article not laid out yet: paragraphs from `next` on, then the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rest {
    /// The decoded body, kept so each step does not decode it again.
    body: String,
    sources_by: Vec<Vec<usize>>,
    /// Paragraphs first, then the Sources section's heading and one item per source.
    next: usize,
    /// Where in paragraph `next` the next piece starts, and that paragraph with its
    /// source markers (made once for all its pieces).
    within: usize,
    text: String,
}

/// A paragraph longer than this is laid out a piece at a time, each piece starting
/// where the last line of the one before started (wrapping depends only on the text from
/// a line's start), so that one of megabytes is not one long step.
const PIECE: usize = 16 * 1024;

impl DetailDoc {
    /// Text laid out per step: about ten milliseconds of work, so keys are never kept
    /// waiting longer than that by a long article.
    pub const STEP_BYTES: usize = 64 * 1024;

    /// Lay out all of `article` (with its saved tags, review and note, when known).
    pub fn build(
        article: &Article,
        width: usize,
        mode: BidiMode,
        state: Option<&crate::store::ArticleState>,
    ) -> DetailDoc {
        let mut doc = DetailDoc::start(article, width, mode, state);
        doc.extend(article, usize::MAX, usize::MAX);
        doc
    }

    /// Lay out the head of `article` (title and fields); `extend` adds the body.
    pub fn start(
        article: &Article,
        width: usize,
        mode: BidiMode,
        state: Option<&crate::store::ArticleState>,
    ) -> DetailDoc {
        let mut doc = DetailDoc {
            id: article.id.clone(),
            width: width.max(1),
            mode,
            rows: Vec::new(),
            cursor: None,
            head: 0,
            rest: None,
        };
        doc.lay_out_head(article, state);
        doc.head = doc.rows.len();
        doc.rest = Some(Rest {
            body: article.text().into_string(),
            sources_by: article.sources_by_paragraph(),
            next: 0,
            within: 0,
            text: String::new(),
        });
        doc
    }

    /// The same article with other saved tags, review or note: only the head is laid
    /// out again (a tag on a long article scrolled far down used to lay out all of it).
    pub fn restate(&mut self, article: &Article, state: Option<&crate::store::ArticleState>) {
        let body = self.rows.split_off(self.head);
        self.rows.clear();
        self.lay_out_head(article, state);
        self.head = self.rows.len();
        self.rows.extend(body);
    }

    fn lay_out_head(&mut self, article: &Article, state: Option<&crate::store::ArticleState>) {
        let b = self;
        let title = &article.title;
        b.push(
            title,
            article.direction,
            vec![(0..title.len(), Tone::Title)],
            None,
        );
        b.blank();
        if let Some(place) = &article.place {
            b.field("Place", place);
        }
        b.field("Id", &article.id);
        b.field("File", &article.origin.to_string());
        b.field(
            "Lang",
            &format!("{} · {}", article.lang.as_str(), article.direction.as_str()),
        );
        for (key, value) in &article.meta {
            b.field(key, value);
        }
        if let Some(state) = state.filter(|s| !s.is_empty()) {
            if !state.tags.is_empty() {
                let tags: Vec<&str> = state.tags.iter().map(String::as_str).collect();
                let text = format!("Tags   {}", tags.join(", "));
                b.push(
                    &text,
                    Direction::Ltr,
                    vec![(0..4, Tone::Label), (7..text.len(), Tone::Marker)],
                    None,
                );
            }
            let mut review = if state.reviewed {
                "reviewed".to_string()
            } else {
                "not reviewed".to_string()
            };
            if !state.analyst.is_empty() {
                review.push_str(&format!(" · {} {}", state.analyst, state.updated));
            }
            b.field("Review", &review);
            // Hashing a long article's text takes a while: only when there is one to compare.
            let changed = state
                .fingerprint
                .as_deref()
                .is_some_and(|fp| fp != crate::store::fingerprint(article));
            if changed {
                let text = "Note   the article changed after it was tagged";
                b.push(
                    text,
                    Direction::Ltr,
                    vec![(0..text.len(), Tone::Warning)],
                    None,
                );
            }
            if !state.note.is_empty() {
                let text = format!("Note   {}", state.note);
                b.push(
                    &text,
                    Direction::Ltr,
                    vec![(0..4, Tone::Label), (7..text.len(), Tone::Title)],
                    None,
                );
            }
        }
        if article.lossy {
            let text = "Note   not valid UTF-8: shown with replacement characters (�)";
            b.push(
                text,
                Direction::Ltr,
                vec![(0..text.len(), Tone::Warning)],
                None,
            );
        }
    }

    /// The first row of paragraph `k`, laying out up to it if need be.
    pub fn row_of_paragraph(&mut self, article: &Article, k: usize) -> Option<usize> {
        while self.rest.as_ref().is_some_and(|r| r.next <= k) {
            self.extend(article, 0, DetailDoc::STEP_BYTES);
        }
        self.rows.iter().position(|r| r.paragraph == Some(k))
    }

    /// True while part of the article is still to be laid out.
    pub fn partial(&self) -> bool {
        self.rest.is_some()
    }

    /// Lay out more of `article` (the one `start` was given): at least until there are
    /// `rows` rows, and past that until about `bytes` of text have been laid out.
    pub fn extend(&mut self, article: &Article, rows: usize, bytes: usize) {
        let Some(mut rest) = self.rest.take() else {
            return;
        };
        let paragraphs = article.paragraph_count();
        // Paragraphs, then (when there are sources) the heading and one item per source.
        let items = match article.sources.len() {
            0 => paragraphs,
            n => paragraphs + 1 + n,
        };
        let mut done = 0;
        while rest.next < items && (self.rows.len() < rows || done < bytes) {
            let k = rest.next;
            if k < paragraphs {
                done += self.paragraph_piece(&mut rest, article, k);
                if rest.within > 0 {
                    continue;
                }
            } else if k == paragraphs {
                self.blank();
                let heading = format!("Sources ({})", article.sources.len());
                self.push(
                    &heading,
                    Direction::Ltr,
                    vec![(0..heading.len(), Tone::Heading)],
                    None,
                );
            } else {
                let n = k - paragraphs - 1;
                done += self.source(n, &article.sources[n]);
            }
            rest.next += 1;
        }
        if rest.next < items {
            self.rest = Some(rest);
        }
    }

    /// Paragraph `k` from `rest.within` on: all of it, or a piece of a long one (then
    /// `rest.within` says where the next piece starts). The bytes laid out.
    fn paragraph_piece(&mut self, rest: &mut Rest, article: &Article, k: usize) -> usize {
        let para = article.paragraph(&rest.body, k);
        let from = rest.within;
        if from == 0 {
            self.blank();
            rest.text.clear();
            rest.text.push_str(para.text);
            for s in rest.sources_by.get(k).into_iter().flatten() {
                rest.text.push_str(&format!(" [{}]", s + 1));
            }
        }
        let text = &rest.text;
        // A piece ends after a space: no word and no joined letters are cut.
        let to = match text.as_bytes().get(from + PIECE..) {
            Some(after) if self.width < PIECE / 4 => after
                .iter()
                .position(|&b| b == b' ')
                .map_or(text.len(), |i| from + PIECE + i + 1),
            _ => text.len(),
        };
        let mut lines = wrap_paragraph(&text[from..to], para.direction, self.width, self.mode);
        rest.within = match lines.len() {
            n if to < text.len() && n > 1 => {
                // The last line may be cut short by the piece's end: it starts the next.
                let last = lines.pop().expect("more than one line");
                from + last.glyphs().map(|g| g.logical).min().unwrap_or(0)
            }
            _ if to < text.len() => to,
            _ => 0,
        };
        for line in &mut lines {
            line.shift(from);
        }
        let tones = vec![(para.text.len()..text.len(), Tone::Marker)];
        self.push_lines(lines, tones, Some(k));
        to - from
    }

    /// The Sources section's item for source `n`; the bytes laid out.
    fn source(&mut self, n: usize, source: &crate::corpus::Source) -> usize {
        let number = format!("[{}] ", n + 1);
        let domain = sanitize(source.domain());
        let backs = if source.paragraphs.is_empty() {
            "(article)".to_string()
        } else {
            let list: Vec<String> = source
                .paragraphs
                .iter()
                .map(|p| format!("¶{}", p + 1))
                .collect();
            format!("({})", list.join(", "))
        };
        let text = format!("{number}{domain}  {}  {backs}", source.url);
        let url_start = number.len() + domain.len() + 2;
        let tones = vec![
            (0..number.len(), Tone::Marker),
            (number.len()..url_start, Tone::Label),
            (url_start..url_start + source.url.len(), Tone::Url),
        ];
        let first = self.rows.len();
        self.push(&text, Direction::Ltr, tones, None);
        for row in &mut self.rows[first..] {
            row.source = Some(n);
        }
        text.len()
    }

    fn push(
        &mut self,
        text: &str,
        direction: Direction,
        tones: Vec<(Range<usize>, Tone)>,
        paragraph: Option<usize>,
    ) {
        let lines = wrap_paragraph(text, direction, self.width, self.mode);
        self.push_lines(lines, tones, paragraph);
    }

    fn push_lines(
        &mut self,
        lines: Vec<VisualLine>,
        tones: Vec<(Range<usize>, Tone)>,
        paragraph: Option<usize>,
    ) {
        for line in lines {
            self.rows.push(Row {
                line,
                tones: tones.clone(),
                paragraph,
                source: None,
            });
        }
    }

    fn blank(&mut self) {
        self.rows.push(Row::default());
    }

    fn field(&mut self, label: &str, value: &str) {
        // Labels line up at 7 columns; a longer one keeps a space before its value.
        let width = label.chars().count().max(6) + 1;
        let text = format!("{label:<width$}{value}");
        let tones = vec![(0..label.len(), Tone::Label)];
        self.push(&text, Direction::Ltr, tones, None);
    }

    /// Lay out all of `article` and hand the text to `out` a step at a time (what `show`
    /// prints: as the pane draws it, or `plain`), so that a huge article is never held laid
    /// out whole. Stops early when `out` returns false.
    pub fn write<E>(
        article: &Article,
        width: usize,
        mode: BidiMode,
        plain: bool,
        mut out: impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<(), E> {
        let mut doc = DetailDoc::start(article, width, mode, None);
        loop {
            doc.extend(article, 0, DetailDoc::STEP_BYTES);
            let text = if plain {
                doc.to_plain_text()
            } else {
                doc.to_text()
            };
            if !out(&text)? || !doc.partial() {
                return Ok(());
            }
            doc.rows.clear();
            doc.head = 0;
        }
    }

    /// The document as the pane draws it: right-aligned rows padded on the left.
    pub fn to_text(&self) -> String {
        self.rows
            .iter()
            .map(|row| format!("{}\n", row.line.to_padded_string(self.width).trim_end()))
            .collect()
    }

    /// The document without alignment, for unwrapped output.
    pub fn to_plain_text(&self) -> String {
        self.rows
            .iter()
            .map(|row| format!("{}\n", row.line.to_padded_string(0)))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::corpus::{Origin, parse_report};
    use std::sync::Arc;

    /// An article of `paragraphs` paragraphs (about 250 bytes each) in both directions,
    /// every other one backed by a link of its own, plus one link to the whole article.
    pub(crate) fn long_article(paragraphs: usize) -> Article {
        let mut lines = vec!["https://www.alwasat.ly/whole".to_string(), String::new()];
        for i in 0..paragraphs {
            lines.push(if i % 3 == 0 {
                format!("Paragraph {i} tells of the bridge at Derna and the road south. ").repeat(4)
            } else {
                format!("الفقرة {i} عن المجلس البلدي في سبها والطريق إلى الجنوب. ").repeat(4)
            });
            if i % 2 == 0 {
                lines.push(format!("https://www.facebook.com/post/{i}"));
            }
        }
        let origin = Origin {
            path: Arc::from("long.txt"),
            line: None,
        };
        Article::from_lines("long".into(), origin, lines.iter().map(String::as_str))
    }

    #[test]
    fn laying_out_in_steps_gives_the_whole_layout() {
        let article = long_article(300);
        let whole = DetailDoc::build(&article, 70, BidiMode::App, None);
        assert!(!whole.partial());
        assert_eq!(
            whole.rows.iter().filter_map(|r| r.source).max(),
            Some(article.sources.len() - 1),
            "the Sources section is laid out to its last item"
        );
        for (rows, bytes) in [
            (0, 1),
            (1, 0),
            (23, DetailDoc::STEP_BYTES),
            (0, 1_000),
            (500, 7),
        ] {
            let mut doc = DetailDoc::start(&article, 70, BidiMode::App, None);
            let mut steps = 0;
            while doc.partial() {
                let before = doc.rows.len();
                doc.extend(&article, before + rows, bytes);
                assert!(doc.rows.len() >= (before + rows).min(whole.rows.len()));
                steps += 1;
            }
            assert_eq!(doc, whole, "steps of {rows} rows and {bytes} bytes");
            assert!(
                steps > 1,
                "more than one step for {rows} rows, {bytes} bytes"
            );
        }
    }

    #[test]
    fn written_in_steps_is_the_whole_layout() {
        let article = long_article(600);
        for (width, mode, plain) in [
            (70, BidiMode::App, false),
            (usize::MAX, BidiMode::Off, true),
        ] {
            let whole = DetailDoc::build(&article, width, mode, None);
            let mut parts = Vec::new();
            DetailDoc::write(&article, width, mode, plain, |text| {
                parts.push(text.to_string());
                Ok::<_, ()>(true)
            })
            .expect("written");
            assert!(parts.len() > 1, "{} parts", parts.len());
            let expected = if plain {
                whole.to_plain_text()
            } else {
                whole.to_text()
            };
            assert_eq!(parts.concat(), expected);
        }
    }

    #[test]
    fn a_giant_paragraph_is_laid_out_in_pieces_as_it_would_be_whole() {
        let words = [
            "المجلس",
            "البلدي",
            "سبها",
            "Derna",
            "bridge",
            "2017",
            "مُخْتار",
            "road",
            "١٤",
            "لا",
            "(نص)",
            "«قال»",
        ];
        let mut text = String::new();
        let mut n = 7u64;
        while text.len() < 5 * PIECE + 300 {
            n = n
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(words[(n >> 33) as usize % words.len()]);
            text.push(' ');
        }
        let origin = Origin {
            path: Arc::from("giant.txt"),
            line: None,
        };
        let lines = [
            text.as_str(),
            "https://www.facebook.com/post/1",
            "A short one.",
        ];
        let article = Article::from_lines("giant".into(), origin, lines);
        let giant = article.text().into_string();
        let giant = article.paragraph(&giant, 0);
        for (width, mode) in [
            (70, BidiMode::App),
            (37, BidiMode::App),
            (100, BidiMode::Off),
        ] {
            let whole =
                wrap_paragraph(&format!("{} [1]", giant.text), giant.direction, width, mode);
            let mut doc = DetailDoc::start(&article, width, mode, None);
            doc.extend(&article, 0, 1);
            assert!(doc.partial(), "a piece is a step");
            assert!(
                doc.rows.len() < whole.len() / 3,
                "{} rows in the first step",
                doc.rows.len()
            );
            doc.extend(&article, usize::MAX, usize::MAX);
            let rows: Vec<VisualLine> = doc
                .rows
                .iter()
                .filter(|r| r.paragraph == Some(0))
                .map(|r| r.line.clone())
                .collect();
            assert_eq!(rows.len(), whole.len(), "{width} {mode:?}");
            for (i, (a, b)) in rows.iter().zip(&whole).enumerate() {
                assert_eq!(a, b, "line {i} at {width} {mode:?}");
            }
        }
    }

    #[test]
    fn restating_lays_out_the_head_as_a_new_layout_would() {
        let article = long_article(300);
        let tagged = crate::store::ArticleState {
            tags: ["urgent".to_string(), "وثيقة".to_string()].into(),
            reviewed: true,
            note: "check the second source".into(),
            ..Default::default()
        };
        // A whole layout and a partial one; each gains head rows, then loses them.
        for steps in [usize::MAX, 1] {
            let mut doc = DetailDoc::start(&article, 70, BidiMode::App, None);
            for _ in 0..steps.min(1_000) {
                if !doc.partial() {
                    break;
                }
                doc.extend(&article, 0, 1);
            }
            let laid_out = doc.rows.len();
            for state in [Some(&tagged), None] {
                doc.restate(&article, state);
                let mut fresh = DetailDoc::start(&article, 70, BidiMode::App, state);
                while fresh.rows.len() < doc.rows.len() {
                    fresh.extend(&article, doc.rows.len(), 0);
                }
                assert_eq!(doc.rows, fresh.rows);
                assert_eq!(doc.partial(), fresh.partial());
            }
            assert_eq!(doc.rows.len(), laid_out);
        }
    }

    #[test]
    fn a_long_article_is_laid_out_a_step_at_a_time() {
        let article = long_article(2_000);
        let mut doc = DetailDoc::start(&article, 70, BidiMode::App, None);
        doc.extend(&article, 40, DetailDoc::STEP_BYTES);
        let first = doc.rows.len();
        assert!(doc.partial());
        assert!(first >= 40);
        // About a step's worth of paragraphs of 250 bytes, each on several rows.
        let paragraphs = doc.rows.iter().filter_map(|r| r.paragraph).max();
        let step = DetailDoc::STEP_BYTES / 250;
        assert!(
            paragraphs.is_some_and(|p| p >= step / 2 && p <= step * 2),
            "{paragraphs:?}"
        );
        doc.extend(&article, 0, DetailDoc::STEP_BYTES);
        assert!(doc.rows.len() > first);
    }

    #[test]
    fn sources_are_numbered_and_linked_to_paragraphs() {
        let text = "Derna - The bridge reopened on Monday after repairs.\nhttps://www.alwasat.ly/news/1\nSecond paragraph without sources.";
        let origin = Origin {
            path: Arc::from("r/001.txt"),
            line: None,
        };
        let a = parse_report(text.as_bytes(), "001".into(), origin).expect("parses");
        let doc = DetailDoc::build(&a, 60, BidiMode::App, None);
        let out = doc.to_text();
        assert!(
            out.starts_with("The bridge reopened on Monday after repairs\n"),
            "{out}"
        );
        assert!(out.contains("Place  Derna\n"), "{out}");
        assert!(out.contains("File   r/001.txt\n"), "{out}");
        assert!(out.contains("after repairs. [1]\n"), "{out}");
        assert!(
            out.contains("Sources (1)\n[1] alwasat.ly  https://www.alwasat.ly/news/1  (¶1)\n"),
            "{out}"
        );
        let marker_row = doc
            .rows
            .iter()
            .find(|r| r.paragraph == Some(0))
            .expect("paragraph row");
        let last = marker_row.line.glyphs().last().expect("glyphs");
        assert_eq!(marker_row.tone_at(last.logical), Tone::Marker);
        assert!(doc.rows.iter().all(|r| r.line.width <= 60));
    }
}
