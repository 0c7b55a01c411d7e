//! A cheap necessary condition for a JSON record to match a query in title scope, checked
//! on the record's line before the article is built. The headless `filter` over a
//! million records spent most of its time building, folding and indexing articles that
//! could not match; a line that lacks every form of a letter the query needs is now
//! passed over (its id is still claimed, so renamed duplicates stay the same).
//!
//! Exact, not a heuristic: every character that can fold to a needed letter counts as
//! that letter, and whatever the check cannot see through says "may match": escapes,
//! characters beyond the two-byte range and General Punctuation, C1 controls (shown as
//! U+FFFD), and records whose id or title the loader makes up.

use super::fold::fold_chars;
use super::query::{Query, Term};

/// The letters a query's terms need, and which characters supply each.
#[derive(Debug)]
pub struct RawFilter {
    /// For each pair of bytes (the one before, this one): the entry of `supplies` for
    /// the character this byte completes.
    pairs: Vec<u8>,
    /// The needed letters (a bit each) a character supplies; `UNKNOWN` supplies all.
    supplies: Vec<u64>,
    /// All the bits: a line must supply each.
    needed: u64,
}

/// Entries of `supplies`: nothing, and what the check cannot see through.
const NOTHING: u8 = 0;
const UNKNOWN: u8 = 1;

impl RawFilter {
    /// `None` when the query needs no letter this check can look for.
    pub fn new(query: &Query) -> Option<RawFilter> {
        let mut letters: Vec<char> = Vec::new();
        for c in query.conditions.iter().filter(|c| !c.negated) {
            if let Term::Text { text, .. } = &c.term {
                letters.extend(text.chars());
            }
        }
        // Spaces and newlines separate the parts of a search key, and a made-up title can
        // end in an ellipsis (three dots once folded): none of them needs to be in the line.
        letters.retain(|c| !matches!(c, ' ' | '\n' | '.'));
        letters.sort_unstable();
        letters.dedup();
        // Any subset of the letters is still a necessary condition.
        letters.truncate(64);
        if letters.is_empty() {
            return None;
        }
        let mut supplies = vec![0, u64::MAX];
        let mut entry_of = |cp: u32| {
            let mut bits = 0u64;
            if let Some(c) = char::from_u32(cp) {
                fold_chars(c.encode_utf8(&mut [0; 4]), |f| {
                    if let Ok(k) = letters.binary_search(&f) {
                        bits |= 1 << k;
                    }
                });
            }
            match supplies.iter().position(|&s| s == bits) {
                Some(i) => i as u8,
                // More kinds than entries (never with 64 letters in practice): seeing
                // everything is still right.
                None if supplies.len() > usize::from(u8::MAX) => UNKNOWN,
                None => {
                    supplies.push(bits);
                    (supplies.len() - 1) as u8
                }
            }
        };
        let mut pairs = vec![NOTHING; 1 << 16];
        for (n, slot) in pairs.iter_mut().enumerate() {
            let (prev, this) = ((n >> 8) as u8, n as u8);
            *slot = match this {
                // An escape may hide any character.
                b'\\' => UNKNOWN,
                0..0x80 => entry_of(u32::from(this)),
                // The first byte of a character the next byte completes.
                0xC2..0xE0 | 0xE2 => NOTHING,
                0xC0 | 0xC1 | 0xE0 | 0xE1 | 0xE3.. => UNKNOWN,
                0x80..0xC0 => match prev {
                    0xC2..0xE0 => {
                        let cp = (u32::from(prev & 0x1F) << 6) | u32::from(this & 0x3F);
                        // C1 controls are shown as U+FFFD.
                        if cp < 0xA0 { UNKNOWN } else { entry_of(cp) }
                    }
                    // General Punctuation and the superscripts after it (U+2000..U+207F):
                    // led by 0xE2 0x80 or 0xE2 0x81, the only three-byte characters let
                    // through here.
                    0xE2 if matches!(this, 0x80 | 0x81) => NOTHING,
                    0x80 | 0x81 => {
                        entry_of(0x2000 + ((u32::from(prev & 0x3F) << 6) | u32::from(this & 0x3F)))
                    }
                    _ => UNKNOWN,
                },
            };
        }
        Some(RawFilter {
            pairs,
            supplies,
            needed: u64::MAX >> (64 - letters.len()),
        })
    }

    /// False only when the record on `line` (a JSON object with its own id and a
    /// non-blank title) cannot match: some needed letter has no character in it that
    /// folds to it.
    pub fn may_match(&self, line: &str) -> bool {
        // One table look-up a byte and no branch but a test every 32 bytes: the line is
        // read whole for most records, which lack a letter.
        let mut seen = 0u64;
        let mut prev = 0u8;
        for chunk in line.as_bytes().chunks(32) {
            for &b in chunk {
                let pair = (usize::from(prev) << 8) | usize::from(b);
                seen |= self.supplies[usize::from(self.pairs[pair])];
                prev = b;
            }
            if seen & self.needed == self.needed {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(query: &str) -> RawFilter {
        RawFilter::new(&Query::parse(query).expect("parses")).expect("needs letters")
    }

    #[test]
    fn every_form_of_a_letter_counts() {
        let f = filter("القاعده");
        assert!(f.may_match(r#"{"id":"1","title":"مقر القاعدة"}"#));
        // Hamza forms fold to alef, ta marbuta to ha.
        assert!(f.may_match(r#"{"id":"1","title":"إلقاعدة"}"#));
        assert!(!f.may_match(r#"{"id":"1","title":"مقر القيادة"}"#));
        // Order does not matter here: the matcher decides.
        assert!(f.may_match(r#"{"id":"1","title":"هدعاقلا"}"#));
        let f = filter("ecole 2017");
        assert!(f.may_match(r#"{"id":"x","title":"École 2017"}"#));
        assert!(f.may_match(r#"{"id":"x","title":"ECOLE ٢٠١٧"}"#));
        assert!(!f.may_match(r#"{"id":"x","title":"école 2016"}"#));
    }

    #[test]
    fn what_it_cannot_see_through_may_match() {
        let f = filter("مجلس");
        assert!(!f.may_match(r#"{"id":"1","title":"طريق"}"#));
        assert!(f.may_match(r#"{"id":"1","title":"\u0645\u062c\u0644\u0633"}"#));
        // Presentation forms and anything else beyond two bytes.
        assert!(f.may_match("{\"id\":\"1\",\"title\":\"\u{FEE3}\"}"));
        assert!(f.may_match("{\"id\":\"1\",\"title\":\"\u{1F600}\"}"));
        // A C1 control.
        assert!(f.may_match("{\"id\":\"1\",\"title\":\"\u{85}\"}"));
        // General Punctuation is seen through: an ellipsis folds to dots.
        assert!(!f.may_match("{\"id\":\"1\",\"title\":\"طريق…\"}"));
        // Beyond the first 32 bytes, and in the last byte.
        let long = format!("{{\"id\":\"1\",\"title\":\"{}مجل\"}}", "ط".repeat(40));
        assert!(!f.may_match(&long));
        assert!(f.may_match(&format!("{long}س")));
    }

    #[test]
    fn superscripts_and_compatibility_forms_supply_their_letters() {
        let f = filter("2i");
        assert!(f.may_match("x\u{B2} \u{2071}"));
        assert!(!f.may_match("x\u{B3} \u{2070}"));
    }

    #[test]
    fn negated_and_field_terms_need_nothing() {
        assert!(RawFilter::new(&Query::parse("!مجلس src:x.ly lang:ar").expect("parses")).is_none());
        assert!(RawFilter::new(&Query::parse("... ").expect("parses")).is_none());
        let f = filter("!طريق مجلس");
        assert!(f.may_match(r#"{"id":"1","title":"مجلس طريق"}"#));
    }
}
