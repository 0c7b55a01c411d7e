//! Shaping checked against the Unicode Character Database (Debian package unicode-data):
//! every dual- and right-joining Arabic letter of ArabicShaping.txt in each position.

use corpus_review::text::shape::{Form, form_of, shape};
use std::collections::HashMap;

const SHAPING: &str = "/usr/share/unicode/ArabicShaping.txt";
const UNICODE_DATA: &str = "/usr/share/unicode/UnicodeData.txt";
const BEH: char = '\u{0628}';

fn read(path: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("SKIPPED: {path} not found (install Debian's unicode-data)");
            None
        }
    }
}

/// Presentation forms by letter, from the `<isolated>`/`<final>`/... decompositions.
fn ucd_forms(data: &str) -> HashMap<char, [Option<char>; 4]> {
    let mut forms: HashMap<char, [Option<char>; 4]> = HashMap::new();
    for line in data.lines() {
        let fields: Vec<&str> = line.split(';').collect();
        let decomposition: Vec<&str> = fields[5].split_whitespace().collect();
        let slot = match decomposition.first() {
            Some(&"<isolated>") => 0,
            Some(&"<final>") => 1,
            Some(&"<initial>") => 2,
            Some(&"<medial>") => 3,
            _ => continue,
        };
        if decomposition.len() != 2 {
            continue;
        }
        let hex =
            |h: &str| char::from_u32(u32::from_str_radix(h, 16).expect("hex")).expect("scalar");
        let entry = forms.entry(hex(decomposition[1])).or_default();
        if entry[slot].is_none() {
            entry[slot] = Some(hex(fields[0]));
        }
    }
    forms
}

/// Arabic-script letters (U+0600..U+08FF) with joining type D or R.
fn joining_letters(shaping: &str) -> Vec<(char, char)> {
    shaping
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let fields: Vec<&str> = l.split(';').map(str::trim).collect();
            let c = char::from_u32(u32::from_str_radix(fields[0], 16).ok()?)?;
            let t = fields[2].chars().next()?;
            (('\u{0600}'..='\u{08FF}').contains(&c) && matches!(t, 'D' | 'R')).then_some((c, t))
        })
        .collect()
}

#[test]
fn generated_forms_table_matches_unicode_data() {
    let Some(data) = read(UNICODE_DATA) else {
        return;
    };
    let forms = ucd_forms(&data);
    let mut checked = 0;
    for (letter, expected) in &forms {
        if !('\u{0600}'..='\u{08FF}').contains(letter) {
            continue;
        }
        for (slot, form) in [Form::Isolated, Form::Final, Form::Initial, Form::Medial]
            .into_iter()
            .enumerate()
        {
            assert_eq!(
                form_of(*letter, form),
                expected[slot],
                "U+{:04X} {form:?}",
                *letter as u32
            );
            checked += 1;
        }
    }
    assert!(checked > 200);
}

#[test]
fn every_joining_letter_in_every_position() {
    let (Some(shaping), Some(data)) = (read(SHAPING), read(UNICODE_DATA)) else {
        return;
    };
    let forms = ucd_forms(&data);
    let letters = joining_letters(&shaping);
    assert!(letters.len() > 200, "{} letters", letters.len());
    let beh = forms[&BEH];
    let mut with_forms = 0;
    for (letter, joining) in letters {
        let Some(f) = forms.get(&letter) else {
            // No presentation forms in Unicode: the letter is drawn as it is.
            let text: String = [BEH, letter, BEH].iter().collect();
            assert_eq!(
                shape(&text).text.chars().nth(1),
                Some(letter),
                "U+{:04X}",
                letter as u32
            );
            continue;
        };
        with_forms += 1;
        let name = format!("U+{:04X} ({joining})", letter as u32);
        let shaped = |text: &[char]| {
            shape(&text.iter().collect::<String>())
                .text
                .chars()
                .collect::<Vec<_>>()
        };
        let lam_alef = letter == '\u{0644}';

        // Where Unicode lacks a form (U+06BA has no initial or medial, U+0677 no final),
        // the nearest one it has is drawn: initial falls back to isolated, medial to final.
        let isolated = f[0].unwrap_or(letter);
        let final_ = f[1].unwrap_or(letter);
        let initial = f[2].unwrap_or(isolated);
        let medial = f[3].unwrap_or(final_);

        assert_eq!(shaped(&[letter]), vec![isolated], "{name} isolated");
        assert_eq!(
            shaped(&[BEH, letter]),
            vec![beh[2].expect("beh initial"), final_],
            "{name} final"
        );
        let before_beh = shaped(&[letter, BEH]);
        let joined_after = shaped(&[BEH, letter, BEH]);
        if joining == 'D' && !lam_alef {
            assert_eq!(before_beh[0], initial, "{name} initial");
            assert_eq!(
                before_beh[1],
                beh[1].expect("beh final"),
                "{name} initial: beh joins it"
            );
            assert_eq!(joined_after[1], medial, "{name} medial");
        } else if joining == 'R' {
            // Right-joining: nothing joins after it, so the next beh stands alone.
            assert_eq!(
                before_beh,
                vec![isolated, beh[0].expect("beh isolated")],
                "{name}"
            );
            assert_eq!(joined_after[1], final_, "{name} between behs");
            assert_eq!(
                joined_after[2],
                beh[0].expect("beh isolated"),
                "{name} between behs"
            );
        }
    }
    assert!(
        with_forms >= 70,
        "{with_forms} letters with presentation forms"
    );
}

#[test]
fn lam_alef_ligatures_in_isolated_and_final_position() {
    for (alef, isolated, final_) in [
        ('\u{0622}', '\u{FEF5}', '\u{FEF6}'),
        ('\u{0623}', '\u{FEF7}', '\u{FEF8}'),
        ('\u{0625}', '\u{FEF9}', '\u{FEFA}'),
        ('\u{0627}', '\u{FEFB}', '\u{FEFC}'),
    ] {
        assert_eq!(shape(&format!("ل{alef}")).text, isolated.to_string());
        assert_eq!(
            shape(&format!("بل{alef}")).text,
            format!("\u{FE91}{final_}")
        );
        // After a right-joining letter the lam starts a new chain: isolated ligature.
        assert_eq!(
            shape(&format!("دل{alef}")).text,
            format!("\u{FEA9}{isolated}")
        );
        // A haraka between lam and alef does not break the ligature and stays on it.
        assert_eq!(
            shape(&format!("بلَ{alef}")).text,
            format!("\u{FE91}{final_}\u{064E}")
        );
    }
}
