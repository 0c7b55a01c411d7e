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

/// An article laid out for a given width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailDoc {
    pub id: String,
    pub width: usize,
    pub rows: Vec<Row>,
    /// The source under the cursor and the paragraphs it backs (drawn highlighted).
    pub cursor: Option<(usize, Vec<usize>)>,
}

struct Builder {
    width: usize,
    mode: BidiMode,
    rows: Vec<Row>,
}

impl Builder {
    fn push(
        &mut self,
        text: &str,
        direction: Direction,
        tones: Vec<(Range<usize>, Tone)>,
        paragraph: Option<usize>,
    ) {
        for line in wrap_paragraph(text, direction, self.width, self.mode) {
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
}

impl DetailDoc {
    /// Lay out `article` (with its saved tags, review and note, when known).
    pub fn build(
        article: &Article,
        width: usize,
        mode: BidiMode,
        state: Option<&crate::store::ArticleState>,
    ) -> DetailDoc {
        let mut b = Builder {
            width: width.max(1),
            mode,
            rows: Vec::new(),
        };
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
            let current = crate::store::fingerprint(article);
            if state.fingerprint.as_deref().is_some_and(|fp| fp != current) {
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
        let body = article.text();
        let sources = article.sources_by_paragraph();
        for (k, para) in body.paragraphs().enumerate() {
            b.blank();
            let mut text = para.text.to_string();
            let marker_start = text.len();
            for s in sources.get(k).into_iter().flatten() {
                text.push_str(&format!(" [{}]", s + 1));
            }
            let tones = vec![(marker_start..text.len(), Tone::Marker)];
            b.push(&text, para.direction, tones, Some(k));
        }
        if !article.sources.is_empty() {
            b.blank();
            let heading = format!("Sources ({})", article.sources.len());
            b.push(
                &heading,
                Direction::Ltr,
                vec![(0..heading.len(), Tone::Heading)],
                None,
            );
            for (n, source) in article.sources.iter().enumerate() {
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
                let first = b.rows.len();
                b.push(&text, Direction::Ltr, tones, None);
                for row in &mut b.rows[first..] {
                    row.source = Some(n);
                }
            }
        }
        DetailDoc {
            id: article.id.clone(),
            width: b.width,
            rows: b.rows,
            cursor: None,
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
mod tests {
    use super::*;
    use crate::corpus::{Origin, parse_report};
    use std::sync::Arc;

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
        let last = marker_row.line.glyphs.last().expect("glyphs");
        assert_eq!(marker_row.tone_at(last.logical), Tone::Marker);
        assert!(doc.rows.iter().all(|r| r.line.width <= 60));
    }
}
