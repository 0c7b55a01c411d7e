//! Breaking text into terminal cells: graphemes measured one by one, wrapped on words.

use super::BidiMode;
use super::bidi::{Paragraph, mirror, order_clusters};
use super::sanitize::{is_bidi_control, placeholder};
use super::shape::{Shaped, shape};
use crate::corpus::Direction;
use crate::recent::Recent;
use compact_str::CompactString;
use ratatui::buffer::CellWidth;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use unicode_segmentation::UnicodeSegmentation;

/// One grapheme cluster as drawn: its text, its width in cells (1 or 2) and where it
/// came from in the logical text (a byte offset), so styles and highlights can find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph<'a> {
    pub text: &'a str,
    pub width: u8,
    /// Byte range of the original text this glyph draws.
    pub logical: usize,
    pub logical_end: usize,
}

/// A glyph while a line is laid out.
#[derive(Debug, Clone)]
struct DraftGlyph {
    /// Kept inline (a cluster is a few bytes): a string per glyph was most of the time
    /// of laying out a screen of new rows.
    text: CompactString,
    width: u8,
    logical: u32,
    logical_end: u32,
}

/// A glyph of a finished line, its text in the line's `text` up to `end`. A line keeps
/// one for every character of an article laid out, so its size counts: 16 bytes, where a
/// `DraftGlyph` takes 40 (offsets are u32 as in `Shaped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    end: u32,
    logical: u32,
    logical_end: u32,
    width: u8,
}

/// A line ready to draw, glyphs in visual (left-to-right screen) order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisualLine {
    /// The glyphs' texts, one after the other.
    text: String,
    slots: Vec<Slot>,
    /// Total cells of the glyphs.
    pub width: usize,
    /// Right-aligned in its area (RTL paragraphs).
    pub align_right: bool,
}

impl VisualLine {
    /// The glyphs in visual order.
    pub fn glyphs(&self) -> impl DoubleEndedIterator<Item = Glyph<'_>> + ExactSizeIterator {
        self.slots.iter().enumerate().map(|(i, s)| {
            let start = match i {
                0 => 0,
                _ => self.slots[i - 1].end as usize,
            };
            Glyph {
                text: &self.text[start..s.end as usize],
                width: s.width,
                logical: s.logical as usize,
                logical_end: s.logical_end as usize,
            }
        })
    }

    /// The line as plain text, padded to `width` cells according to its alignment.
    pub fn to_padded_string(&self, width: usize) -> String {
        let pad = width.saturating_sub(self.width);
        let mut out = String::new();
        if self.align_right {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(&self.text);
        if !self.align_right {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out
    }

    /// Move the glyphs' places in the text `by` bytes on (a line laid out from a piece
    /// of a paragraph, so that they count from the paragraph's start).
    pub fn shift(&mut self, by: usize) {
        let by = by as u32;
        for slot in &mut self.slots {
            slot.logical += by;
            slot.logical_end += by;
        }
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

/// A glyph while laying out, with its byte range in the shaped text (for bidi).
#[derive(Debug, Clone)]
struct Cluster {
    shaped: Range<usize>,
    glyph: DraftGlyph,
}

/// Characters that steer layout but are never drawn: bidi controls and other invisible
/// format characters (zero-width space, joiners, soft hyphen, BOM).
fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Shape (unless `mode` is off) and split into drawable clusters. Zero-width clusters (a
/// lone combining mark) ride on the glyph before them.
fn clusters(text: &str, mode: BidiMode) -> (String, Vec<Cluster>) {
    let mut shaped = match mode {
        BidiMode::Off => Shaped::identity(text),
        BidiMode::App | BidiMode::Terminal => shape(text),
    };
    // An override (LRO, RLO) shows a run's characters in reverse: a URL or a name in a
    // report could be made to look like another. Each becomes a zero-width space, the
    // same three bytes (offsets hold), no part of the ordering, never drawn.
    const OVERRIDES: [char; 2] = ['\u{202D}', '\u{202E}'];
    if shaped.text.contains(OVERRIDES) {
        shaped.text = shaped.text.replace(OVERRIDES, "\u{200B}");
    }
    let mut out: Vec<Cluster> = Vec::with_capacity(shaped.text.len());
    for (offset, g) in shaped.text.grapheme_indices(true) {
        let range = offset..offset + g.len();
        let visible: String;
        // Text should arrive sanitized; this keeps the guarantee for any caller.
        let g = if g.chars().any(|c| is_invisible(c) || c.is_control()) {
            visible = g
                .chars()
                .filter(|&c| !is_invisible(c))
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
                prev.glyph.text.push_str(g);
                prev.shaped.end = range.end;
            }
            continue;
        }
        out.push(Cluster {
            shaped: range,
            glyph: DraftGlyph {
                text: g.into(),
                width,
                logical: shaped.logical_at(offset) as u32,
                logical_end: 0,
            },
        });
    }
    // A glyph covers the original text up to where the next one starts.
    let mut end = text.len() as u32;
    for c in out.iter_mut().rev() {
        c.glyph.logical_end = end.max(c.glyph.logical);
        end = c.glyph.logical;
    }
    (shaped.text, out)
}

fn is_space(c: &Cluster) -> bool {
    c.glyph.text.chars().all(char::is_whitespace)
}

/// Put a logical-order line of clusters into visual order (mode `App`), mirroring
/// brackets in right-to-left runs.
fn reorder(line: Vec<Cluster>, bidi: Option<&Paragraph<'_>>) -> Vec<DraftGlyph> {
    let Some(bidi) = bidi.filter(|b| b.has_rtl()) else {
        return line.into_iter().map(|c| c.glyph).collect();
    };
    let (Some(first), Some(last)) = (line.first(), line.last()) else {
        return Vec::new();
    };
    let range = first.shaped.start..last.shaped.end;
    let order = bidi.line(range.clone());
    // Level of each cluster: the level of its first character.
    let text = bidi_text(bidi, &range);
    let mut char_index = 0;
    let mut chars = text.char_indices().peekable();
    let levels: Vec<_> = line
        .iter()
        .map(|c| {
            let at = c.shaped.start - range.start;
            while chars.peek().is_some_and(|(i, _)| *i < at) {
                chars.next();
                char_index += 1;
            }
            order
                .levels
                .get(char_index)
                .copied()
                .unwrap_or_else(|| bidi.level())
        })
        .collect();
    let visual = order_clusters(&levels);
    let mut glyphs: Vec<Option<DraftGlyph>> = line.into_iter().map(|c| Some(c.glyph)).collect();
    visual
        .into_iter()
        .filter_map(|i| {
            let mut g = glyphs[i].take()?;
            if levels[i].is_rtl() && g.text.chars().any(|c| mirror(c) != c) {
                g.text = g.text.chars().map(mirror).collect();
            }
            Some(g)
        })
        .collect()
}

fn bidi_text<'a>(bidi: &'a Paragraph<'_>, range: &Range<usize>) -> &'a str {
    &bidi.text()[range.clone()]
}

/// Wrap a paragraph to `width` cells, breaking at spaces (inside a word only when the word
/// alone is too long), then put each line in display order.
pub fn wrap_paragraph(
    text: &str,
    direction: Direction,
    width: usize,
    mode: BidiMode,
) -> Vec<VisualLine> {
    let width = width.max(1);
    let (shaped, all) = clusters(text, mode);
    let mut lines: Vec<Vec<Cluster>> = Vec::new();
    let mut line: Vec<Cluster> = Vec::new();
    let mut line_width = 0;
    let mut i = 0;
    while i < all.len() {
        if is_space(&all[i]) {
            // Spaces at the start of a wrapped line are dropped; between words kept.
            if !line.is_empty() && line_width < width {
                line_width += usize::from(all[i].glyph.width);
                line.push(all[i].clone());
            }
            i += 1;
            continue;
        }
        let end = all[i..]
            .iter()
            .position(is_space)
            .map_or(all.len(), |p| i + p);
        let word_width: usize = all[i..end].iter().map(|c| usize::from(c.glyph.width)).sum();
        if line_width + word_width > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0;
        }
        for c in &all[i..end] {
            if line_width + usize::from(c.glyph.width) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            line_width += usize::from(c.glyph.width);
            line.push(c.clone());
        }
        i = end;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let bidi = (mode == BidiMode::App && !lines.is_empty())
        .then(|| Paragraph::new(&shaped, Some(direction)));
    lines
        .into_iter()
        .map(|mut line| {
            while line.last().is_some_and(is_space) {
                line.pop();
            }
            finish(reorder(line, bidi.as_ref()), direction)
        })
        .collect()
}

fn finish(glyphs: Vec<DraftGlyph>, direction: Direction) -> VisualLine {
    let mut text = String::with_capacity(glyphs.iter().map(|g| g.text.len()).sum());
    let slots = glyphs
        .iter()
        .map(|g| {
            text.push_str(&g.text);
            Slot {
                end: text.len() as u32,
                logical: g.logical,
                logical_end: g.logical_end,
                width: g.width,
            }
        })
        .collect();
    VisualLine {
        text,
        slots,
        width: glyphs.iter().map(|g| usize::from(g.width)).sum(),
        align_right: direction == Direction::Rtl,
    }
}

/// A line `layout_line` made, by what it was made from.
#[derive(Hash, PartialEq, Eq)]
struct LineKey {
    text: Box<str>,
    /// The length of the text `text` is the start of.
    whole: usize,
    direction: Direction,
    width: usize,
    mode: BidiMode,
}

/// A `LineKey` without its own copy of the text, to look one up (hashes the same).
#[derive(Hash)]
struct LineQuery<'a> {
    text: &'a str,
    whole: usize,
    direction: Direction,
    width: usize,
    mode: BidiMode,
}

impl hashbrown::Equivalent<LineKey> for LineQuery<'_> {
    fn equivalent(&self, key: &LineKey) -> bool {
        *key.text == *self.text
            && key.whole == self.whole
            && key.direction == self.direction
            && key.width == self.width
            && key.mode == self.mode
    }
}

/// Lines remembered in each generation: a screen of list rows is five or so lines a row.
const GENERATION: usize = 512;

/// One line of text fitted into `width` cells, cut with `…` at its logical end.
///
/// Remembered: the list draws every row on every frame, and shaping and reordering its
/// titles were most of a frame's time.
pub fn layout_line(
    full: &str,
    direction: Direction,
    width: usize,
    mode: BidiMode,
) -> Rc<VisualLine> {
    // Only the start can be shown: a title of megabytes (a JSON record's) is shaped no
    // further than a few times what fits, with room for marks and mixed directions.
    let shown = width.saturating_mul(8).saturating_add(64);
    // A character is at least a byte: most titles need no counting.
    let text = if full.len() > shown {
        let end = full
            .char_indices()
            .nth(shown)
            .map_or(full.len(), |(end, _)| end);
        &full[..end]
    } else {
        full
    };
    thread_local! {
        static RECENT: RefCell<Recent<LineKey, Rc<VisualLine>>> =
            RefCell::new(Recent::new(GENERATION));
    }
    let query = LineQuery {
        text,
        whole: full.len(),
        direction,
        width,
        mode,
    };
    RECENT.with_borrow_mut(|recent| {
        recent.get_or_insert_with(
            &query,
            || LineKey {
                text: text.into(),
                whole: full.len(),
                direction,
                width,
                mode,
            },
            || Rc::new(lay_out_line(text, direction, width, mode, full.len())),
        )
    })
}

/// `text` is the start of a text `whole` bytes long; cut when it is not all of it.
fn lay_out_line(
    text: &str,
    direction: Direction,
    width: usize,
    mode: BidiMode,
    whole: usize,
) -> VisualLine {
    let (shaped, mut all) = clusters(text, mode);
    let total: usize = all.iter().map(|c| usize::from(c.glyph.width)).sum();
    let cut = text.len() < whole || total > width;
    if cut {
        let mut used = 0;
        let keep = all
            .iter()
            .take_while(|c| {
                used += usize::from(c.glyph.width);
                used < width
            })
            .count();
        all.truncate(keep);
        while all.last().is_some_and(is_space) {
            all.pop();
        }
    }
    let bidi = (mode == BidiMode::App && !all.is_empty())
        .then(|| Paragraph::new(&shaped, Some(direction)));
    let mut glyphs = reorder(all, bidi.as_ref());
    if cut && width > 0 {
        let ellipsis = DraftGlyph {
            text: "…".into(),
            width: 1,
            logical: whole as u32,
            logical_end: whole as u32,
        };
        // The cut is at the logical end: the left edge of a right-to-left line.
        if direction == Direction::Rtl && mode == BidiMode::App {
            glyphs.insert(0, ellipsis);
        } else {
            glyphs.push(ellipsis);
        }
    }
    finish(glyphs, direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[VisualLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.glyphs().map(|g| g.text).collect())
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

    /// A long title is laid out only as far as can show, and the line is the one its
    /// whole text gives.
    #[test]
    fn a_long_title_is_laid_out_from_its_start_as_it_would_be_whole() {
        let words = [
            "المجلس",
            "Derna",
            "2017",
            "(نص)",
            "مُخْتار",
            "road",
            "١٤",
            "لا",
        ];
        let long: String = (0..3_000)
            .map(|i| words[i * 7 % 8])
            .collect::<Vec<_>>()
            .join(" ");
        for (direction, width) in [
            (Direction::Rtl, 40),
            (Direction::Ltr, 120),
            (Direction::Rtl, 7),
        ] {
            for mode in [BidiMode::App, BidiMode::Off] {
                let line = layout_line(&long, direction, width, mode);
                assert_eq!(
                    *line,
                    lay_out_line(&long, direction, width, mode, long.len())
                );
                assert!(line.glyphs().any(|g| g.text == "…"));
            }
        }
        // A text as long as what is kept, and a longer one with the same start, are laid
        // out (and remembered) apart: each is cut at its own end.
        let kept: String = "ab ".repeat(100).chars().take(8 * 10 + 64).collect();
        let longer = format!("{kept}more");
        for text in [&longer, &kept, &longer] {
            let line = layout_line(text, Direction::Ltr, 10, BidiMode::App);
            let ellipsis = line.glyphs().find(|g| g.text == "…").expect("cut");
            assert_eq!(ellipsis.logical, text.len());
            assert_eq!(
                *line,
                lay_out_line(text, Direction::Ltr, 10, BidiMode::App, text.len())
            );
        }
    }

    /// A line is laid out once for what it depends on, and what is remembered is what
    /// laying it out again gives.
    #[test]
    fn lines_are_remembered_by_text_direction_width_and_mode() {
        let text = "مُخْتار القاعدة 2017 road";
        let line = layout_line(text, Direction::Rtl, 12, BidiMode::App);
        assert!(Rc::ptr_eq(
            &line,
            &layout_line(text, Direction::Rtl, 12, BidiMode::App)
        ));
        assert_eq!(
            *line,
            lay_out_line(text, Direction::Rtl, 12, BidiMode::App, text.len())
        );
        for (text, direction, width, mode) in [
            (
                "مُخْتار القاعدة 2017 roads",
                Direction::Rtl,
                12,
                BidiMode::App,
            ),
            (text, Direction::Ltr, 12, BidiMode::App),
            (text, Direction::Rtl, 11, BidiMode::App),
            (text, Direction::Rtl, 12, BidiMode::Terminal),
        ] {
            let other = layout_line(text, direction, width, mode);
            assert!(!Rc::ptr_eq(&line, &other));
            assert_eq!(
                *other,
                lay_out_line(text, direction, width, mode, text.len())
            );
        }
        // A line used in every generation is kept however many others come and go; one
        // not used for two generations is laid out again.
        let other = "road مغلق";
        let old = layout_line(other, Direction::Ltr, 12, BidiMode::App);
        for n in 0..4 * GENERATION {
            layout_line(&n.to_string(), Direction::Ltr, 12, BidiMode::App);
            if n % (GENERATION / 2) == 0 {
                let kept = layout_line(text, Direction::Rtl, 12, BidiMode::App);
                assert!(Rc::ptr_eq(&line, &kept), "forgotten after {n}");
            }
        }
        let again = layout_line(other, Direction::Ltr, 12, BidiMode::App);
        assert!(!Rc::ptr_eq(&old, &again));
        assert_eq!(again, old);
    }

    #[test]
    fn wide_glyphs_never_overflow() {
        let lines = wrap_paragraph("漢字漢字漢", Direction::Ltr, 5, BidiMode::App);
        assert_eq!(texts(&lines), ["漢字", "漢字", "漢"]);
        assert_eq!(lines[0].width, 4);
    }

    #[test]
    fn combining_marks_stay_on_their_letter_when_unshaped() {
        let (_, g) = clusters("مُخْتار", BidiMode::Off);
        assert_eq!(g[0].glyph.text, "مُ");
        assert_eq!(g.len(), 5);
        assert!(g.iter().all(|g| g.glyph.width == 1));
        assert_eq!((g[0].glyph.logical, g[0].glyph.logical_end), (0, 4));
    }

    #[test]
    fn overrides_do_not_reverse_text() {
        // A link that would read as another with the override obeyed.
        let spoof = "انظر \u{202E}moc.elgoog//:sptth\u{202C} الآن";
        let lines = wrap_paragraph(spoof, Direction::Rtl, 80, BidiMode::App);
        let shown = lines[0].to_padded_string(0);
        assert!(shown.contains("moc.elgoog//:sptth"), "{shown}");
        assert!(!shown.contains("https://google.com"), "{shown}");
        // Embeddings and isolates still work as the bidi algorithm says.
        let lines = wrap_paragraph("a \u{2067}ب ج\u{2069} d", Direction::Ltr, 80, BidiMode::App);
        assert_eq!(lines[0].to_padded_string(0), "a ﺝ ﺏ d");
    }

    #[test]
    fn bidi_controls_are_not_drawn() {
        let (_, g) = clusters("a\u{202E}b\u{2066}c\u{200D}", BidiMode::App);
        let text: String = g.iter().map(|g| g.glyph.text.as_str()).collect();
        assert_eq!(text, "abc");
    }

    #[test]
    fn truncation_marks_the_cut() {
        let l = layout_line("hello wide world", Direction::Ltr, 8, BidiMode::App);
        let s: String = l.glyphs().map(|g| g.text).collect();
        assert_eq!(s, "hello w…");
        assert!(l.width <= 8);
        let l = layout_line("short", Direction::Rtl, 8, BidiMode::App);
        assert_eq!(l.to_padded_string(8), "   short");
    }
}
