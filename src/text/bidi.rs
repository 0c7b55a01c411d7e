//! Visual order of a wrapped line (UAX #9 via unicode-bidi), then the grapheme and
//! mirroring layer unicode-bidi leaves to us (rules L3 and L4).

use crate::corpus::Direction;
use std::ops::Range;
use unicode_bidi::{BidiInfo, Level, ParagraphInfo};

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
        // Rule L1 is the crate's, applied to a view of this line alone: on the whole
        // paragraph it copies every level of the paragraph for each line, which made
        // laying out a paragraph of megabytes quadratic (6.8 MB: 29 s).
        let view = BidiInfo {
            text: &text[line.clone()],
            original_classes: self.info.original_classes[line.clone()].to_vec(),
            levels: self.info.levels[line.clone()].to_vec(),
            paragraphs: Vec::new(),
        };
        let whole = ParagraphInfo {
            range: 0..line.len(),
            level: para.level,
        };
        let byte_levels = view.reordered_levels(&whole, whole.range.clone());
        let levels: Vec<Level> = view
            .text
            .char_indices()
            .map(|(i, _)| byte_levels[i])
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

    /// A line's levels are those the crate gives when it resets (rule L1) that line of
    /// the whole paragraph: for lines starting and ending anywhere, in text mixing both
    /// directions, digits, spaces, tabs, isolates and embeddings.
    #[test]
    fn a_line_alone_has_the_levels_of_that_line_in_its_paragraph() {
        let pieces = [
            "قال",
            " ",
            "2017",
            "\t",
            "abc",
            "(",
            ")",
            "،",
            "\u{2067}",
            "\u{2069}",
            "\u{202B}",
            "\u{202C}",
            "https://a.ly/x",
            "  ",
            "ٌ",
            "-",
            "١٢",
            ".",
        ];
        let mut rng = crate::generate::Rng::new(7);
        for round in 0..200 {
            let text: String = (0..12).map(|_| rng.pick(&pieces)).collect();
            let base = [None, Some(Direction::Rtl), Some(Direction::Ltr)][round % 3];
            let p = Paragraph::new(&text, base);
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (a, &start) in bounds.iter().enumerate() {
                for &end in &bounds[a + 1..] {
                    let para = &p.info.paragraphs[0];
                    let whole = p.info.reordered_levels(para, start..end);
                    let expected: Vec<Level> = text[start..end]
                        .char_indices()
                        .map(|(i, _)| whole[start + i])
                        .collect();
                    assert_eq!(
                        p.line(start..end).levels,
                        expected,
                        "{text:?} {start}..{end}"
                    );
                }
            }
        }
    }

    #[test]
    fn mirroring_pairs() {
        assert_eq!(mirror('('), ')');
        assert_eq!(mirror('«'), '»');
        assert_eq!(mirror('['), ']');
        assert_eq!(mirror('a'), 'a');
    }
}
