//! A compact one-byte-per-character encoding of folded text for body search: ASCII stays
//! as it is, the Arabic block U+0600..U+067E takes the bytes 0x80..0xFE, and everything
//! else becomes 0xFF. Folded Arabic text is half the size of its UTF-8 and can be searched
//! with a plain byte substring search. 0xFF stands for any other character, so a term that
//! contains one is checked again on the real text (see `needs_verification`).

use super::fold::fold_chars;

/// The byte for characters outside ASCII and the Arabic block.
pub const OTHER: u8 = 0xFF;

/// Encode one folded character.
pub fn encode_char(c: char) -> u8 {
    match c as u32 {
        cp @ 0..=0x7F => cp as u8,
        cp @ 0x0600..=0x067E => (cp - 0x0600 + 0x80) as u8,
        _ => OTHER,
    }
}

/// Fold `text` and append its encoding to `out`.
pub fn encode_folded(text: &str, out: &mut Vec<u8>) {
    fold_chars(text, |c| out.push(encode_char(c)));
}

/// Encodings of the folded forms of the Arabic block U+0600..U+06FF, by offset in the
/// block; `None` where folding drops the character (harakat, tatweel).
pub fn arabic_codes() -> &'static [Option<u8>; 256] {
    static TABLE: std::sync::OnceLock<[Option<u8>; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|i| super::fold::arabic_table()[i].map(encode_char)))
}

/// Encode an already folded query term.
pub fn encode_term(folded: &str) -> Vec<u8> {
    folded.chars().map(encode_char).collect()
}

/// True when a byte match of this term may be a false positive.
pub fn needs_verification(encoded: &[u8]) -> bool {
    encoded.contains(&OTHER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_one_byte_per_letter() {
        let mut out = Vec::new();
        encode_folded("القاعدة 2017", &mut out);
        assert_eq!(out.len(), "القاعده 2017".chars().count());
        assert!(out[..7].iter().all(|&b| (0x80..0xFF).contains(&b)));
        assert_eq!(&out[8..], b"2017");
    }

    #[test]
    fn folding_applies_before_encoding() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode_folded("مُخْتار فى ٢٠١٧", &mut a);
        encode_folded("مختار في 2017", &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn other_scripts_are_marked() {
        let t = encode_term("москва");
        assert!(t.iter().all(|&b| b == OTHER));
        assert!(needs_verification(&t));
        assert!(!needs_verification(&encode_term("tripoli")));
    }
}
