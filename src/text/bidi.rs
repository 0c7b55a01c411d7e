//! Visual order of a wrapped line (UAX #9 via unicode-bidi), then the grapheme and
//! mirroring layer unicode-bidi leaves to us (rules L3 and L4).

use crate::corpus::Direction;
use std::ops::Range;
use unicode_bidi::{BidiInfo, Level};

/// Resolved levels and visual order of the characters of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOrder {
    /// Level of each character of the line, in logical order (after rule L1).
    pub levels: Vec<Level>,
    /// Indices (into the line's characters) from left to right on screen (rule L2).
    pub visual: Vec<usize>,
}

/// Bidi analysis of one paragraph, reused for each of its wrapped lines.
pub struct Paragraph<'a> {
    info: BidiInfo<'a>,
}

impl<'a> Paragraph<'a> {
    /// `base` is the paragraph direction; `None` finds it from the text (rules P2, P3).
    pub fn new(text: &'a str, base: Option<Direction>) -> Paragraph<'a> {
        let level = base.map(|d| match d {
            Direction::Ltr => Level::ltr(),
            Direction::Rtl => Level::rtl(),
        });
        Paragraph {
            info: BidiInfo::new(text, level),
        }
    }

    /// The paragraph's embedding level.
    pub fn level(&self) -> Level {
        self.info
            .paragraphs
            .first()
            .map_or(Level::ltr(), |p| p.level)
    }

    /// The text analysed.
    pub fn text(&self) -> &'a str {
        self.info.text
    }

    /// True when any character resolves to a right-to-left level.
    pub fn has_rtl(&self) -> bool {
        self.info.has_rtl()
    }

    /// Levels and visual order of the characters in the byte range `line`.
    pub fn line(&self, line: Range<usize>) -> LineOrder {
        let text = self.info.text;
        let Some(para) = self.info.paragraphs.iter().find(|p| {
            p.range.start <= line.start && line.start < p.range.end.max(p.range.start + 1)
        }) else {
            return LineOrder {
                levels: Vec::new(),
                visual: Vec::new(),
            };
        };
        let line = line.start..line.end.min(para.range.end);
        let byte_levels = self.info.reordered_levels(para, line.clone());
        let levels: Vec<Level> = text[line.clone()]
            .char_indices()
            .map(|(i, _)| byte_levels[line.start + i])
            .collect();
        let visual = BidiInfo::reorder_visual(&levels);
        LineOrder { levels, visual }
    }
}

/// The mirrored glyph of a character drawn right-to-left (`(` becomes `)`).
pub fn mirror(c: char) -> char {
    unicode_bidi_mirroring::get_mirrored(c).unwrap_or(c)
}

/// Visual order of clusters given each cluster's level: whole clusters move, so a mark
/// stays on its letter (rule L3 for the terminal, where a cell holds a whole cluster).
pub fn order_clusters(levels: &[Level]) -> Vec<usize> {
    BidiInfo::reorder_visual(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_with_a_number_and_a_url() {
        let text = "قال 2017 https://a.ly/x";
        let p = Paragraph::new(text, Some(Direction::Rtl));
        let order = p.line(0..text.len());
        let chars: Vec<char> = text.chars().collect();
        let visual: String = order.visual.iter().map(|&i| chars[i]).collect();
        // The URL and the number keep their left-to-right order, placed right to left.
        assert_eq!(visual, "https://a.ly/x 2017 لاق");
    }

    #[test]
    fn mirroring_pairs() {
        assert_eq!(mirror('('), ')');
        assert_eq!(mirror('«'), '»');
        assert_eq!(mirror('['), ']');
        assert_eq!(mirror('a'), 'a');
    }
}
