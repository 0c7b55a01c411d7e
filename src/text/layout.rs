//! Breaking text into terminal cells: graphemes measured one by one, wrapped on words.

use super::BidiMode;
use super::sanitize::{is_bidi_control, placeholder};
use crate::corpus::Direction;
use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// One grapheme cluster as drawn: its text, its width in cells (1 or 2) and where it
/// came from in the logical text (a byte offset), so styles and highlights can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glyph {
    pub text: String,
    pub width: u8,
    pub logical: usize,
}

/// A line ready to draw, glyphs in visual (left-to-right screen) order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisualLine {
    pub glyphs: Vec<Glyph>,
    /// Total cells of the glyphs.
    pub width: usize,
    /// Right-aligned in its area (RTL paragraphs).
    pub align_right: bool,
}

impl VisualLine {
    /// The line as plain text, padded to `width` cells according to its alignment.
    pub fn to_padded_string(&self, width: usize) -> String {
        let pad = width.saturating_sub(self.width);
        let mut out = String::new();
        if self.align_right {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        for g in &self.glyphs {
            out.push_str(&g.text);
        }
        if !self.align_right {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out
    }

    /// Cell offset of the first glyph inside an area `width` cells wide.
    pub fn indent(&self, width: usize) -> usize {
        if self.align_right {
            width.saturating_sub(self.width)
        } else {
            0
        }
    }
}

/// Graphemes of `text` with their widths and byte offsets. Zero-width clusters (a lone
/// combining mark, a joiner) ride on the glyph before them; bidi controls are dropped
/// because they are never drawn.
fn glyphs(text: &str) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = Vec::with_capacity(text.len());
    for (offset, g) in text.grapheme_indices(true) {
        let visible: String;
        // Text should arrive sanitized; this keeps the guarantee for any caller.
        let g = if g.chars().any(|c| is_bidi_control(c) || c.is_control()) {
            visible = g
                .chars()
                .filter(|&c| !is_bidi_control(c))
                .map(|c| if c.is_control() { placeholder(c) } else { c })
                .collect();
            visible.as_str()
        } else {
            g
        };
        if g.is_empty() {
            continue;
        }
        // The same measure ratatui's diff uses, so no row can drift.
        let width = g.cell_width().min(2) as u8;
        if width == 0 {
            if let Some(prev) = out.last_mut() {
                prev.text.push_str(g);
            }
            continue;
        }
        out.push(Glyph {
            text: g.to_string(),
            width,
            logical: offset,
        });
    }
    out
}

fn is_space(g: &Glyph) -> bool {
    g.text.chars().all(char::is_whitespace)
}

/// Wrap a paragraph to `width` cells, breaking at spaces (inside a word only when the word
/// alone is too long), then put each line in display order.
pub fn wrap_paragraph(
    text: &str,
    direction: Direction,
    width: usize,
    _mode: BidiMode,
) -> Vec<VisualLine> {
    let width = width.max(1);
    let all = glyphs(text);
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut line: Vec<Glyph> = Vec::new();
    let mut line_width = 0;
    let mut i = 0;
    while i < all.len() {
        if is_space(&all[i]) {
            // Spaces at the start of a wrapped line are dropped; between words kept.
            if !line.is_empty() && line_width < width {
                line_width += usize::from(all[i].width);
                line.push(all[i].clone());
            }
            i += 1;
            continue;
        }
        let end = all[i..]
            .iter()
            .position(is_space)
            .map_or(all.len(), |p| i + p);
        let word_width: usize = all[i..end].iter().map(|g| usize::from(g.width)).sum();
        if line_width + word_width > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0;
        }
        for g in &all[i..end] {
            if line_width + usize::from(g.width) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            line_width += usize::from(g.width);
            line.push(g.clone());
        }
        i = end;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|mut glyphs| {
            while glyphs.last().is_some_and(is_space) {
                glyphs.pop();
            }
            finish(glyphs, direction)
        })
        .collect()
}

fn finish(glyphs: Vec<Glyph>, direction: Direction) -> VisualLine {
    VisualLine {
        width: glyphs.iter().map(|g| usize::from(g.width)).sum(),
        glyphs,
        align_right: direction == Direction::Rtl,
    }
}

/// One line of text fitted into `width` cells, cut with `…` at its logical end.
pub fn layout_line(text: &str, direction: Direction, width: usize, _mode: BidiMode) -> VisualLine {
    let mut all = glyphs(text);
    let total: usize = all.iter().map(|g| usize::from(g.width)).sum();
    if total > width {
        let mut used = 0;
        let keep = all
            .iter()
            .take_while(|g| {
                used += usize::from(g.width);
                used < width
            })
            .count();
        all.truncate(keep);
        while all.last().is_some_and(is_space) {
            all.pop();
        }
        if width > 0 {
            all.push(Glyph {
                text: "…".into(),
                width: 1,
                logical: text.len(),
            });
        }
    }
    finish(all, direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[VisualLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.glyphs.iter().map(|g| g.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_on_words_and_breaks_long_words() {
        let lines = wrap_paragraph(
            "aaa bbb ccc https://example.com/long/path",
            Direction::Ltr,
            9,
            BidiMode::App,
        );
        assert_eq!(
            texts(&lines),
            [
                "aaa bbb",
                "ccc",
                "https://e",
                "xample.co",
                "m/long/pa",
                "th"
            ]
        );
        assert!(lines.iter().all(|l| l.width <= 9));
    }

    #[test]
    fn wide_glyphs_never_overflow() {
        let lines = wrap_paragraph("漢字漢字漢", Direction::Ltr, 5, BidiMode::App);
        assert_eq!(texts(&lines), ["漢字", "漢字", "漢"]);
        assert_eq!(lines[0].width, 4);
    }

    #[test]
    fn combining_marks_stay_on_their_letter() {
        let g = glyphs("مُخْتار");
        assert_eq!(g[0].text, "مُ");
        assert_eq!(g.len(), 5);
        assert!(g.iter().all(|g| g.width == 1));
    }

    #[test]
    fn bidi_controls_are_not_drawn() {
        let g = glyphs("a\u{202E}b\u{2066}c");
        let text: String = g.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "abc");
    }

    #[test]
    fn truncation_marks_the_cut() {
        let l = layout_line("hello wide world", Direction::Ltr, 8, BidiMode::App);
        let s: String = l.glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(s, "hello w…");
        assert!(l.width <= 8);
        let l = layout_line("short", Direction::Rtl, 8, BidiMode::App);
        assert_eq!(l.to_padded_string(8), "   short");
    }
}
