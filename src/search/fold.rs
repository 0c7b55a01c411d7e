//! Search folding: applied to indexed text and queries alike, so spelling variants meet.
//! NFKC-style compatibility folding, Arabic letter variants, harakat and tatweel removed,
//! Arabic-Indic digits to ASCII, lower case, Latin diacritics removed.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold one character into `out` (zero, one or more characters).
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    if let Some(f) = fold_arabic(c) {
        if let Some(f) = f {
            out(f);
        }
        return;
    }
    if is_ignorable(c) {
        return;
    }
    // Compatibility decomposition: presentation forms to letters, full-width to ASCII,
    // é to e + a mark that is then dropped.
    for d in std::iter::once(c).nfkd() {
        if is_combining_mark(d) || is_ignorable(d) {
            continue;
        }
        match fold_arabic(d) {
            Some(Some(f)) => out(f),
            Some(None) => {}
            None => {
                for l in d.to_lowercase() {
                    out(l);
                }
            }
        }
    }
}

/// Arabic-block folding: `Some(Some(c))` to replace, `Some(None)` to delete, `None` when
/// the character is not handled here.
fn fold_arabic(c: char) -> Option<Option<char>> {
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ى' | 'ی' | 'ے' => Some('ي'),
        'ة' | 'ۀ' | 'ہ' | 'ە' => Some('ه'),
        'ک' => Some('ك'),
        'ؤ' => Some('و'),
        'ئ' => Some('ي'),
        '\u{0640}' => None,
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0610}'..='\u{061A}'
        | '\u{06D6}'..='\u{06ED}' => None,
        '\u{0660}'..='\u{0669}' => char::from_u32(c as u32 - 0x0660 + u32::from(b'0')),
        '\u{06F0}'..='\u{06F9}' => char::from_u32(c as u32 - 0x06F0 + u32::from(b'0')),
        '\u{0600}'..='\u{06FF}' => Some(c),
        _ => return None,
    })
}

/// Joiners, bidi controls and other invisible format characters.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Folded forms of the Arabic block U+0600..U+06FF (each folds to at most one character),
/// computed once from `fold_char` so the table and the rules cannot disagree.
pub(super) fn arabic_table() -> &'static [Option<char>; 256] {
    static TABLE: std::sync::OnceLock<[Option<char>; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [None; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let c = char::from_u32(0x0600 + i as u32).unwrap_or(' ');
            fold_char(c, &mut |f| *slot = Some(f));
        }
        table
    })
}

/// Fold `text`, handing each folded character to `out`.
pub fn fold_chars(text: &str, mut out: impl FnMut(char)) {
    // This runs over every letter of the corpus at load: ASCII and the Arabic block (the
    // two-byte sequences led by 0xD8..0xDB) are folded from the bytes, without decoding.
    let table = arabic_table();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        if lead < 0x80 {
            out(char::from(lead.to_ascii_lowercase()));
            i += 1;
        } else if (0xD8..=0xDB).contains(&lead) {
            // A valid str has the continuation byte.
            let index = (usize::from(lead & 0x03) << 6) | usize::from(b[i + 1] & 0x3F);
            if let Some(f) = table[index] {
                out(f);
            }
            i += 2;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            fold_char(c, &mut out);
            i += c.len_utf8();
        }
    }
}

/// Whether a byte is copied as it is, by the byte before it: ASCII other than capitals,
/// lead bytes of the Arabic block, and the second byte of an Arabic letter that folds
/// to itself. Anything else ends a run of copied bytes.
fn copied_bytes() -> &'static [bool; 1 << 16] {
    static TABLE: std::sync::OnceLock<Box<[bool; 1 << 16]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let table = arabic_table();
        (0..1usize << 16)
            .map(|pair| {
                let (prev, b) = ((pair >> 8) as u8, pair as u8);
                match b {
                    0..=0x7F => !b.is_ascii_uppercase(),
                    0xD8..=0xDB => true,
                    0x80..=0xBF if (0xD8..=0xDB).contains(&prev) => {
                        let index = (usize::from(prev & 0x03) << 6) | usize::from(b & 0x3F);
                        let c = char::from_u32(0x0600 + index as u32);
                        table[index] == c
                    }
                    _ => false,
                }
            })
            .collect::<Vec<bool>>()
            .try_into()
            .expect("one entry per pair of bytes")
    })
}

/// Fold `text` onto the end of `out`. The same as `fold_chars`, faster: this folds every
/// title at load, and most letters fold to themselves, so runs of them are copied whole
/// (one table look-up a byte, no branch on the kind of character).
pub fn fold_into(text: &str, out: &mut String) {
    let copied = copied_bytes();
    let table = arabic_table();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    loop {
        i = run_end(copied, b, i);
        if i == b.len() {
            break;
        }
        // The character that ends the run starts at `at`.
        let at = if (0x80..=0xBF).contains(&b[i]) {
            i - 1
        } else {
            i
        };
        out.push_str(&text[start..at]);
        let lead = b[at];
        if lead < 0x80 {
            out.push(char::from(lead.to_ascii_lowercase()));
            i = at + 1;
        } else if (0xD8..=0xDB).contains(&lead) {
            let index = (usize::from(lead & 0x03) << 6) | usize::from(b[at + 1] & 0x3F);
            if let Some(f) = table[index] {
                out.push(f);
            }
            i = at + 2;
        } else {
            let c = text[at..].chars().next().unwrap_or(' ');
            match common_folds().get(c) {
                Some(folded) => out.push_str(folded),
                None => fold_char(c, &mut |f| out.push(f)),
            }
            i = at + c.len_utf8();
        }
        start = i;
    }
    out.push_str(&text[start..]);
}

/// Where the run of copied bytes from `i` ends. Eight bytes are looked up in a step
/// (a test a byte cost a third of the folding) into a mask whose trailing ones count the
/// copied ones, so the step that ends a run also says where: runs in Arabic titles are
/// about fifteen letters, and finishing each byte by byte cost a little more.
fn run_end(copied: &[bool; 1 << 16], b: &[u8], mut i: usize) -> usize {
    let pair = |prev: u8, next: u8| copied[(usize::from(prev) << 8) | usize::from(next)];
    if i == 0 {
        match b.first() {
            Some(&first) if pair(0, first) => i = 1,
            _ => return 0,
        }
    }
    while let Some(w) = b.get(i - 1..i + 8) {
        let mask = w
            .windows(2)
            .enumerate()
            .fold(0u32, |m, (k, p)| m | u32::from(pair(p[0], p[1])) << k);
        if mask != 0xFF {
            return i + mask.trailing_ones() as usize;
        }
        i += 8;
    }
    while i < b.len() && pair(b[i - 1], b[i]) {
        i += 1;
    }
    i
}

/// Folded forms of the two-byte characters (Latin to Arabic) and of General
/// Punctuation (dashes, quotes, the ellipsis that ends many a title), worked out once:
/// compatibility decomposition is slow, and these are common in news text.
struct CommonFolds {
    text: String,
    /// End in `text` of each character's folded form.
    ends: Vec<u32>,
}

const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x2070;

impl CommonFolds {
    fn slot(c: char) -> Option<usize> {
        let cp = c as u32;
        if cp < 0x0800 {
            Some(cp as usize)
        } else if PUNCTUATION.contains(&cp) {
            Some((cp - PUNCTUATION.start) as usize + 0x0800)
        } else {
            None
        }
    }

    fn get(&self, c: char) -> Option<&str> {
        let slot = CommonFolds::slot(c)?;
        let start = if slot == 0 { 0 } else { self.ends[slot - 1] };
        Some(&self.text[start as usize..self.ends[slot] as usize])
    }
}

fn common_folds() -> &'static CommonFolds {
    static TABLE: std::sync::OnceLock<CommonFolds> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = CommonFolds {
            text: String::new(),
            ends: Vec::new(),
        };
        for cp in (0..0x0800).chain(PUNCTUATION) {
            if let Some(c) = char::from_u32(cp) {
                fold_char(c, &mut |f| table.text.push(f));
            }
            table.ends.push(table.text.len() as u32);
        }
        table
    })
}

/// Fold a whole string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Fold into `out`, recording for each folded character the byte offset of the original
/// character it came from (for highlights).
pub fn fold_with_map(text: &str, out: &mut String, map: &mut Vec<usize>) {
    out.clear();
    map.clear();
    for (offset, c) in text.char_indices() {
        fold_char(c, &mut |f| {
            out.push(f);
            map.push(offset);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_variants_meet() {
        assert_eq!(fold("القاعدة"), fold("القاعده"));
        assert_eq!(fold("فى"), fold("في"));
        assert_eq!(fold("مُخْتار"), "مختار");
        assert_eq!(fold("٢٠١٧"), "2017");
        assert_eq!(fold("۲۰۱۷"), "2017");
        assert_eq!(fold("أحمد إبراهيم آمنة ٱلله"), "احمد ابراهيم امنه الله");
        assert_eq!(fold("جـــديد"), "جديد");
        assert_eq!(fold("کتاب ی"), "كتاب ي");
    }

    #[test]
    fn presentation_forms_fold_to_letters() {
        // "سبها" as shaped on screen, and the lam-alef ligature.
        assert_eq!(fold("\u{FEB3}\u{FE92}\u{FEEC}\u{FE8E}"), "سبها");
        assert_eq!(fold("\u{FEFB}"), "لا");
    }

    #[test]
    fn latin_case_and_diacritics() {
        assert_eq!(fold("École"), "ecole");
        assert_eq!(fold("Ecole\u{0301}"), "ecole");
        assert_eq!(fold("ＴＲＩＰＯＬＩ"), "tripoli");
        assert_eq!(fold("İstanbul"), "istanbul");
    }

    #[test]
    fn fast_path_agrees_with_the_rules() {
        for cp in 0..0x0800u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let mut slow = String::new();
            fold_char(c, &mut |f| slow.push(f));
            assert_eq!(fold(&c.to_string()), slow, "U+{cp:04X}");
        }
    }

    #[test]
    fn copying_runs_agrees_with_folding_each_character() {
        // Mixed scripts with the characters that change (capitals, hamza forms, ta
        // marbuta, harakat, tatweel, digits, presentation forms) among those that do not.
        let alphabet: Vec<char> = "aZ 9-…ابةأإىيـَُِّ٢۳\u{FEFB}\u{FEB3}Éé–«»\u{200F}İ\n"
            .chars()
            .collect();
        let mut rng = crate::generate::Rng::new(11);
        for _ in 0..20_000 {
            let len = rng.below(24);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let mut expected = String::new();
            fold_chars(&text, |c| expected.push(c));
            let mut folded = String::from("kept ");
            fold_into(&text, &mut folded);
            assert_eq!(folded, format!("kept {expected}"), "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_vanish() {
        assert_eq!(fold("a\u{200D}b\u{202E}c\u{FEFF}"), "abc");
    }

    #[test]
    fn map_points_at_original_characters() {
        let text = "مُخْتار";
        let (mut out, mut map) = (String::new(), Vec::new());
        fold_with_map(text, &mut out, &mut map);
        assert_eq!(out, "مختار");
        let originals: Vec<char> = map
            .iter()
            .map(|&i| text[i..].chars().next().unwrap_or(' '))
            .collect();
        assert_eq!(originals, ['م', 'خ', 'ت', 'ا', 'ر']);
        fold_with_map("\u{FEFB}x", &mut out, &mut map);
        assert_eq!((out.as_str(), map.as_slice()), ("لاx", &[0, 0, 3][..]));
    }
}
