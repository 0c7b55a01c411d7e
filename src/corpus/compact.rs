//! Article text kept in memory at about one byte per letter. In UTF-8 an Arabic letter
//! takes two bytes, and article text is most of a corpus's memory; here ASCII and the
//! Arabic block U+0600..U+067F take one byte each, and any other character is an escape
//! byte followed by its UTF-8. Encoding and decoding are single passes over the bytes.

use crate::search::{SearchText, alphabet};

/// Starts an escaped character. Article text has no C0 controls (`text::sanitize` puts
/// visible stand-ins in their place), so this byte is free; were one to get through, it
/// would be escaped like any other character.
const ESCAPE: u8 = 0x01;

/// Text encoded compactly; `decode` gives the original back exactly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompactText(Box<[u8]>);

impl CompactText {
    /// The compact form of the paragraphs (one after another) and, from the same pass,
    /// their folded body-search index (paragraphs separated by a newline): both read every
    /// byte of the corpus at load, so they share the reading.
    pub fn with_index<'a>(
        paragraphs: impl Iterator<Item = &'a str>,
        size: usize,
    ) -> (CompactText, SearchText) {
        let codes = alphabet::arabic_codes();
        let mut text = Vec::with_capacity(size);
        let mut index = Vec::with_capacity(size / 2);
        for (n, p) in paragraphs.enumerate() {
            if n > 0 {
                index.push(b'\n');
            }
            let b = p.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let c = b[i];
                if c & 0xFC == 0xD8 {
                    // The Arabic block: U+0600..U+067F are 0x80 plus their offset.
                    let next = b[i + 1];
                    if c & 0xFE == 0xD8 {
                        text.push(0x80 + ((c & 0x01) << 6) + (next & 0x3F));
                    } else {
                        text.extend_from_slice(&[ESCAPE, c, next]);
                    }
                    let offset = (usize::from(c & 0x03) << 6) | usize::from(next & 0x3F);
                    index.extend(codes[offset]);
                    i += 2;
                } else if c < 0x80 {
                    if c == ESCAPE {
                        text.push(ESCAPE);
                    }
                    text.push(c);
                    index.push(c.to_ascii_lowercase());
                    i += 1;
                } else {
                    let width = utf8_width(c);
                    text.push(ESCAPE);
                    text.extend_from_slice(&b[i..i + width]);
                    alphabet::encode_folded(&p[i..i + width], &mut index);
                    i += width;
                }
            }
        }
        (
            CompactText(text.into_boxed_slice()),
            SearchText {
                body: index.into_boxed_slice(),
            },
        )
    }

    #[cfg(test)]
    fn encode(text: &str) -> CompactText {
        CompactText::with_index(std::iter::once(text), text.len()).0
    }

    pub fn decode(&self) -> String {
        let b = &self.0;
        let mut out = Vec::with_capacity(b.len() * 2);
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == ESCAPE {
                let width = utf8_width(b[i + 1]);
                out.extend_from_slice(&b[i + 1..i + 1 + width]);
                i += 1 + width;
                continue;
            }
            if c < 0x80 {
                out.push(c);
            } else {
                let offset = c - 0x80;
                out.push(0xD8 | (offset >> 6));
                out.push(0x80 | (offset & 0x3F));
            }
            i += 1;
        }
        // Only whole characters were ever written.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Bytes in the UTF-8 sequence that starts with `lead`.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_comes_back() {
        let all: String = (1u32..0x3_0000).filter_map(char::from_u32).collect();
        assert_eq!(CompactText::encode(&all).decode(), all);
        for text in ["", "\u{1}", "a\u{1}b", "ٿ", "\u{10FFFF}x"] {
            assert_eq!(CompactText::encode(text).decode(), text);
        }
    }

    #[test]
    fn the_index_is_the_folded_text() {
        let paragraphs = ["سبها – أعلن مُخْتار فى ٢٠١٧", "The École \u{1} ﻻ ۀ reopened"];
        let (text, index) = CompactText::with_index(paragraphs.iter().copied(), 0);
        assert_eq!(text.decode(), paragraphs.concat());
        let mut expected = Vec::new();
        alphabet::encode_folded(paragraphs[0], &mut expected);
        expected.push(b'\n');
        alphabet::encode_folded(paragraphs[1], &mut expected);
        assert_eq!(&*index.body, &expected[..]);
    }

    #[test]
    fn arabic_takes_one_byte_per_letter() {
        let text = "سبها – أعلن المجلس البلدي مُخْتار 2017";
        let compact = CompactText::encode(text);
        // Every character one byte, except the dash (escape + three bytes).
        assert_eq!(compact.0.len(), text.chars().count() + 3);
    }
}
