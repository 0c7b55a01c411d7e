//! A cheap necessary condition for a JSON record to match a query in title scope, checked
//! on the record's line before the article is built. The headless `filter` over a
//! million records spent most of its time building, folding and indexing articles that
//! could not match; a line that lacks every form of a letter the query needs, or has a
//! term's letters only out of order, is now passed over (its id is still claimed, so
//! renamed duplicates stay the same).
//!
//! Exact, not a heuristic: every character that can fold to a needed letter counts as
//! that letter, and whatever the check cannot see through says "may match": escapes,
//! characters beyond the two-byte range and General Punctuation, C1 controls (shown as
//! U+FFFD), and records whose id or title the loader makes up.

use super::fold::fold_chars;
use super::query::{Query, Term};

/// The letters a query's terms need, each with the characters that fold to it.
#[derive(Debug)]
pub struct RawFilter {
    /// For each needed letter, the UTF-8 of every character in the ranges the check sees
    /// (see `sees_through`) that folds to text holding it.
    forms: Vec<Vec<memchr::memmem::Finder<'static>>>,
    /// The letters (indices in `forms`) that are looked for at all, fewest forms first:
    /// a line lacking one is passed over at the first search that fails.
    needed: Vec<usize>,
    /// For each term, its letters in order: a fuzzy term matches one field (the title,
    /// place, a source domain or the id), whose text is in the line in the same order.
    terms: Vec<Vec<usize>>,
}

/// A letter with more forms than this is not looked for (Latin vowels have dozens of
/// accented forms): leaving a letter out keeps the condition necessary.
const MAX_FORMS: usize = 8;

impl RawFilter {
    /// `None` when the query needs no letter this check can look for.
    pub fn new(query: &Query) -> Option<RawFilter> {
        // Spaces and newlines separate the parts of a search key, and a made-up title can
        // end in an ellipsis (three dots once folded): none of them needs to be in the line.
        let terms: Vec<Vec<char>> = query
            .conditions
            .iter()
            .filter(|c| !c.negated)
            .filter_map(|c| match &c.term {
                Term::Text { text, .. } => Some(
                    text.chars()
                        .filter(|c| !matches!(c, ' ' | '\n' | '.'))
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        let mut letters: Vec<char> = terms.concat();
        letters.sort_unstable();
        letters.dedup();
        let seen = (0..0x80)
            .chain(0xA0..0x800)
            .chain(0x2000..0x2080)
            .filter_map(char::from_u32)
            .filter(|&c| c != '\\');
        let mut forms: Vec<Vec<char>> = vec![Vec::new(); letters.len()];
        for c in seen {
            fold_chars(c.encode_utf8(&mut [0; 4]), |f| {
                if let Ok(k) = letters.binary_search(&f)
                    && forms[k].last() != Some(&c)
                {
                    forms[k].push(c);
                }
            });
        }
        let usable = |k: &usize| forms[*k].len() <= MAX_FORMS;
        let mut needed: Vec<usize> = (0..letters.len()).filter(usable).collect();
        needed.sort_by_key(|&k| forms[k].len());
        let terms = terms
            .iter()
            .map(|t| {
                t.iter()
                    .filter_map(|c| letters.binary_search(c).ok())
                    .filter(usable)
                    .collect::<Vec<_>>()
            })
            .filter(|t| t.len() > 1)
            .collect();
        let forms = forms
            .iter()
            .map(|f| {
                f.iter()
                    .map(|c| {
                        memchr::memmem::Finder::new(c.encode_utf8(&mut [0; 4]).as_bytes())
                            .into_owned()
                    })
                    .collect()
            })
            .collect();
        (!needed.is_empty()).then_some(RawFilter {
            forms,
            needed,
            terms,
        })
    }

    /// False only when the record on `line` (a JSON object with its own id and a
    /// non-blank title) cannot match: some needed letter has no character in it that
    /// folds to it, or a term's letters are not there in order.
    pub fn may_match(&self, line: &str) -> bool {
        let b = line.as_bytes();
        !sees_through(b)
            || (self
                .needed
                .iter()
                .all(|&k| self.forms[k].iter().any(|f| f.find(b).is_some()))
                && self.terms.iter().all(|t| self.in_order(b, t)))
    }

    /// Whether `letters` are found in `b` one after another. A character may serve two
    /// letters in a row (its fold can hold both: ß, ½); the next letter is looked for
    /// from where the last was found, at the earliest of its forms.
    fn in_order(&self, b: &[u8], letters: &[usize]) -> bool {
        let mut at = 0;
        for &k in letters {
            let mut first: Option<usize> = None;
            for f in &self.forms[k] {
                // Only a form before the earliest found so far can change the answer.
                let end = first.map_or(b.len(), |p| at + p);
                if let Some(p) = f.find(&b[at..end]) {
                    first = Some(p);
                }
            }
            match first {
                Some(p) => at += p,
                None => return false,
            }
        }
        true
    }
}

/// Whether every character of `b` is one whose folded form the check knows: ASCII but
/// the backslash (an escape may hide any character), two-byte characters but C1
/// controls (shown as U+FFFD), and U+2000..U+207F (General Punctuation, superscripts).
/// In valid UTF-8 a character's bytes are found only where it is, so looking for the
/// forms of a letter as bytes is exact.
fn sees_through(b: &[u8]) -> bool {
    // One pass the compiler vectorizes for the lead bytes of everything else.
    let odd = b.iter().fold(0u8, |acc, &c| {
        acc | u8::from(c == b'\\')
            | u8::from(c >= 0xE3)
            | u8::from(matches!(c, 0xC0 | 0xC1 | 0xE0 | 0xE1))
    });
    odd == 0
        && memchr::memchr2_iter(0xC2, 0xE2, b).all(|i| match (b[i], b.get(i + 1)) {
            (0xE2, Some(0x80 | 0x81)) => true,
            (0xC2, Some(&next)) => next >= 0xA0,
            _ => false,
        })
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
        // The letters of a term must come in order.
        assert!(!f.may_match(r#"{"id":"1","title":"هدعاقلا"}"#));
        assert!(f.may_match(r#"{"id":"1","title":"ال قا عدة"}"#));
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
    fn one_character_may_serve_two_letters_and_terms_are_checked_apart() {
        // ½ folds to 1, the fraction slash and 2.
        let f = filter("12");
        assert!(f.may_match(r#"{"id":"x","title":"½"}"#));
        assert!(!f.may_match(r#"{"id":"x","title":"2 1"}"#));
        let f = filter("مجلس طريق");
        assert!(f.may_match(r#"{"id":"1","title":"طريق المجلس"}"#));
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
        // Letters with many accented forms are not looked for.
        assert!(RawFilter::new(&Query::parse("eau").expect("parses")).is_none());
        let f = filter("!طريق مجلس");
        assert!(f.may_match(r#"{"id":"1","title":"مجلس طريق"}"#));
    }
}
