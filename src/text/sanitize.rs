//! Untrusted article text must never reach the terminal as control sequences.

use std::borrow::Cow;

/// Spaces a tab becomes; reports use tabs only as accidental indentation.
const TAB: &str = "    ";

/// A file's path as it may be shown: not valid UTF-8 made lossy (as `Path::display`
/// does, without going through a formatter for every path of a load), then sanitized.
pub fn sanitize_path(path: &std::path::Path) -> std::sync::Arc<str> {
    std::sync::Arc::from(sanitize(&path.to_string_lossy()).as_ref())
}

/// Replace control characters with visible placeholders: C0 controls and DEL by their
/// Control Pictures (ESC shows as `␛`), C1 controls by U+FFFD, tabs by spaces.
/// Bidi controls are kept: they take part in the bidi algorithm and are removed at display.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !has_control(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str(TAB),
            c if needs_replacing(c) => out.push(placeholder(c)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_replacing(c: char) -> bool {
    c.is_control()
}

/// The same question over bytes (C0 and DEL are single bytes, C1 are 0xC2 0x80-0x9F):
/// this runs over every line at load, so a branch-free pass that the compiler vectorizes
/// rules out most lines before the exact check.
fn has_control(text: &str) -> bool {
    let b = text.as_bytes();
    let suspect = b.iter().fold(0u8, |acc, &c| {
        acc | u8::from(c < 0x20) | u8::from(c == 0x7F) | u8::from(c == 0xC2)
    });
    suspect != 0
        && b.iter().enumerate().any(|(i, &c)| {
            c < 0x20
                || c == 0x7F
                || (c == 0xC2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)))
        })
}

/// The visible stand-in for a control character.
pub fn placeholder(c: char) -> char {
    match c {
        '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// Bidi formatting characters: they steer the bidi algorithm but are never drawn.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without bidi formatting characters; borrowed when it has none. Every one of
/// them is three bytes led by 0xE2, except U+061C (0xD8 0x9C), so they are looked for in
/// the bytes (0xE2 also leads dashes and quotes, common in news text; 0x9C is rare in
/// Arabic letters).
pub fn without_bidi_controls(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let has = memchr::memchr_iter(0xE2, b).any(|i| {
        matches!(
            b.get(i + 1..i + 3),
            Some([0x80, 0x8E | 0x8F | 0xAA..=0xAE] | [0x81, 0xA6..=0xA9])
        )
    }) || memchr::memchr_iter(0x9C, b).any(|i| i > 0 && b[i - 1] == 0xD8);
    if has {
        Cow::Owned(text.chars().filter(|&c| !is_bidi_control(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// True when a string is safe to hand to the terminal as one cell's symbol.
pub fn is_safe_symbol(symbol: &str) -> bool {
    !symbol.chars().any(|c| c.is_control() || is_bidi_control(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_placeholders() {
        assert_eq!(sanitize("a\u{1b}]52;c;eA==\u{7}b"), "a␛]52;c;eA==␇b");
        assert_eq!(sanitize("x\u{9b}2J"), "x\u{FFFD}2J");
        assert_eq!(sanitize("del\u{7f}"), "del␡");
        assert_eq!(sanitize("a\tb"), "a    b");
        assert_eq!(sanitize("end\u{1b}"), "end␛");
    }

    #[test]
    fn the_byte_scan_agrees_with_char_is_control() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(has_control(&s), c.is_control(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("سبها – نص عادي"), Cow::Borrowed(_)));
    }

    #[test]
    fn bidi_controls_are_kept_but_flagged() {
        assert_eq!(sanitize("a\u{202E}b"), "a\u{202E}b");
        assert!(!is_safe_symbol("\u{202E}"));
        assert!(is_safe_symbol("ﻻ"));
    }

    #[test]
    fn bidi_controls_can_be_stripped() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let expected = if is_bidi_control(c) {
                "ab".to_string()
            } else {
                s.clone()
            };
            assert_eq!(without_bidi_controls(&s), expected, "U+{:04X}", c as u32);
        }
        assert!(matches!(
            without_bidi_controls("سبها – نص"),
            Cow::Borrowed(_)
        ));
    }
}
