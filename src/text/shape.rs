//! Arabic shaping for terminals: each letter replaced by its contextual presentation form
//! (isolated, initial, medial, final), lam-alef drawn as one ligature. Harakat stay as
//! zero-width marks after their letter; joining looks through them.
//! Terminals draw one glyph per cell and do no shaping of their own, so this is what makes
//! Arabic letters join. Runs on logical text; wrapping and reordering come after.

use super::forms::FORMS;
use unicode_joining_type::{JoiningType, get_joining_type};

const LAM: char = '\u{0644}';

/// Text after shaping, with the logical (original) byte offset of each shaped byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shaped {
    pub text: String,
    /// `logical[i]` is the original offset of the character starting at shaped byte `i`;
    /// one entry per shaped byte plus one for the end.
    logical: Vec<u32>,
}

impl Shaped {
    /// Unshaped text that maps one-to-one onto itself.
    pub fn identity(text: &str) -> Shaped {
        Shaped {
            text: text.to_string(),
            logical: (0..=text.len() as u32).collect(),
        }
    }

    /// Original byte offset for a shaped byte offset.
    pub fn logical_at(&self, shaped: usize) -> usize {
        self.logical[shaped.min(self.logical.len() - 1)] as usize
    }

    fn push(&mut self, c: char, logical: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.logical.push(logical as u32);
        }
    }
}

/// Which of a letter's four forms is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Isolated = 0,
    Final = 1,
    Initial = 2,
    Medial = 3,
}

/// The presentation form of `letter`, if Unicode has one.
pub fn form_of(letter: char, form: Form) -> Option<char> {
    let i = FORMS
        .binary_search_by_key(&(letter as u32), |(base, _)| *base)
        .ok()?;
    match FORMS[i].1[form as usize] {
        0 => None,
        cp => char::from_u32(cp),
    }
}

/// Lam-alef ligature for an alef variant: (isolated, final).
fn lam_alef(alef: char) -> Option<(char, char)> {
    match alef {
        '\u{0622}' => Some(('\u{FEF5}', '\u{FEF6}')),
        '\u{0623}' => Some(('\u{FEF7}', '\u{FEF8}')),
        '\u{0625}' => Some(('\u{FEF9}', '\u{FEFA}')),
        '\u{0627}' => Some(('\u{FEFB}', '\u{FEFC}')),
        _ => None,
    }
}

fn joins_forward(t: JoiningType) -> bool {
    matches!(
        t,
        JoiningType::DualJoining | JoiningType::LeftJoining | JoiningType::JoinCausing
    )
}

fn joins_backward(t: JoiningType) -> bool {
    matches!(
        t,
        JoiningType::DualJoining | JoiningType::RightJoining | JoiningType::JoinCausing
    )
}

/// True when shaping could change `text` (it holds Arabic-script characters).
pub fn needs_shaping(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{0600}'..='\u{08FF}').contains(&c) || c == '\u{200D}' || c == '\u{200C}')
}

/// Shape Arabic letters into presentation forms. ZWJ makes its neighbours join, ZWNJ keeps
/// them apart; both are dropped from the output once they have done that.
pub fn shape(text: &str) -> Shaped {
    if !needs_shaping(text) {
        return Shaped::identity(text);
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let types: Vec<JoiningType> = chars.iter().map(|&(_, c)| get_joining_type(c)).collect();
    // Neighbours that take part in joining: transparent marks are looked through.
    let prev_joining = |i: usize| {
        types[..i]
            .iter()
            .rev()
            .find(|t| **t != JoiningType::Transparent)
            .copied()
    };
    let next_joining = |i: usize| {
        (i + 1..chars.len())
            .find(|&k| types[k] != JoiningType::Transparent)
            .map(|k| (k, types[k]))
    };
    let mut out = Shaped {
        text: String::with_capacity(text.len() * 3 / 2),
        logical: Vec::with_capacity(text.len() * 3 / 2 + 1),
    };
    let mut skip_to = 0;
    for (i, &(offset, c)) in chars.iter().enumerate() {
        if i < skip_to {
            // The alef of a lam-alef ligature: already drawn.
            continue;
        }
        if c == '\u{200D}' || c == '\u{200C}' {
            continue;
        }
        let t = types[i];
        let after_joiner = prev_joining(i).is_some_and(joins_forward) && joins_backward(t);
        let next = next_joining(i);
        let ligature = (c == LAM)
            .then(|| next.and_then(|(k, _)| lam_alef(chars[k].1).map(|l| (k, l))))
            .flatten();
        if let Some((k, (isolated, final_))) = ligature {
            out.push(if after_joiner { final_ } else { isolated }, offset);
            // Marks between lam and alef ride on the ligature.
            for &(mark_offset, mark) in &chars[i + 1..k] {
                out.push(mark, mark_offset);
            }
            skip_to = k + 1;
            continue;
        }
        let before_joiner = joins_forward(t) && next.is_some_and(|(_, n)| joins_backward(n));
        let form = match (after_joiner, before_joiner) {
            (false, false) => Form::Isolated,
            (false, true) => Form::Initial,
            (true, true) => Form::Medial,
            (true, false) => Form::Final,
        };
        let shaped = form_of(c, form)
            .or_else(|| match form {
                // A letter Unicode gives no medial/initial form still connects on one side.
                Form::Medial => form_of(c, Form::Final),
                Form::Initial => form_of(c, Form::Isolated),
                _ => None,
            })
            .unwrap_or(c);
        out.push(shaped, offset);
    }
    out.logical.push(text.len() as u32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        shape(text).text
    }

    #[test]
    fn contextual_forms_of_beh() {
        assert_eq!(s("ب"), "\u{FE8F}");
        assert_eq!(s("بب"), "\u{FE91}\u{FE90}");
        assert_eq!(s("ببب"), "\u{FE91}\u{FE92}\u{FE90}");
    }

    #[test]
    fn right_joining_letters_break_the_chain() {
        // دار: dal isolated, alef isolated (dal does not join forward), reh isolated.
        assert_eq!(s("دار"), "\u{FEA9}\u{FE8D}\u{FEAD}");
        // باب: beh initial, alef final, beh isolated.
        assert_eq!(s("باب"), "\u{FE91}\u{FE8E}\u{FE8F}");
    }

    #[test]
    fn lam_alef_in_its_four_forms() {
        assert_eq!(s("لا"), "\u{FEFB}");
        assert_eq!(s("بلا"), "\u{FE91}\u{FEFC}");
        assert_eq!(s("لأ"), "\u{FEF7}");
        assert_eq!(s("سلإ"), "\u{FEB3}\u{FEFA}");
        assert_eq!(s("لآ"), "\u{FEF5}");
        assert_eq!(s("علآ"), "\u{FECB}\u{FEF6}");
        assert_eq!(s("لإ"), "\u{FEF9}");
        assert_eq!(s("بلأ"), "\u{FE91}\u{FEF8}");
    }

    #[test]
    fn a_haraka_between_lam_and_alef_keeps_the_ligature() {
        assert_eq!(s("لَا"), "\u{FEFB}\u{064E}");
        assert_eq!(s("بلَا"), "\u{FE91}\u{FEFC}\u{064E}");
        let shaped = shape("لَا");
        assert_eq!(shaped.logical_at(0), 0);
        assert_eq!(shaped.logical_at(3), 2, "the fatha keeps its own offset");
    }

    #[test]
    fn harakat_stay_after_their_letter_and_do_not_break_joining() {
        assert_eq!(s("بَب"), "\u{FE91}\u{064E}\u{FE90}");
        let plain: String = s("مُخْتار")
            .chars()
            .filter(|c| !('\u{064B}'..='\u{065F}').contains(c))
            .collect();
        assert_eq!(plain, s("مختار"));
    }

    #[test]
    fn zwj_and_zwnj() {
        // ZWNJ keeps Persian می from joining the verb; ZWJ forces a join.
        assert_eq!(s("ب\u{200C}ب"), "\u{FE8F}\u{FE8F}");
        assert_eq!(s("ب\u{200D}"), "\u{FE91}");
        assert_eq!(s("\u{200D}ب"), "\u{FE90}");
    }

    #[test]
    fn persian_and_urdu_letters_join() {
        // پ (peh), گ (gaf), ی (farsi yeh), ک (keheh)
        assert_eq!(s("پپ"), "\u{FB58}\u{FB57}");
        assert_eq!(s("گی"), "\u{FB94}\u{FBFD}");
        assert_eq!(s("کک"), "\u{FB90}\u{FB8F}");
    }

    #[test]
    fn no_allah_ligature() {
        assert!(!s("الله").contains('\u{FDF2}'));
        assert_eq!(s("الله"), "\u{FE8D}\u{FEDF}\u{FEE0}\u{FEEA}");
    }

    #[test]
    fn latin_text_is_untouched_and_maps_to_itself() {
        let shaped = shape("abc 2017");
        assert_eq!(shaped.text, "abc 2017");
        assert_eq!(shaped.logical_at(4), 4);
    }

    #[test]
    fn map_points_back_to_original_letters() {
        let text = "مُخْتار";
        let shaped = shape(text);
        let offsets: Vec<usize> = shaped
            .text
            .char_indices()
            .map(|(i, _)| shaped.logical_at(i))
            .collect();
        let expected: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        assert_eq!(offsets, expected);
    }
}
