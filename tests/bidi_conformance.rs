//! The line reordering the app uses, checked against every case of Unicode's
//! BidiCharacterTest.txt (Debian package unicode-data).

use corpus_review::corpus::Direction;
use corpus_review::text::bidi::Paragraph;
use unicode_bidi::{BidiClass, bidi_class};

const FILE: &str = "/usr/share/unicode/BidiCharacterTest.txt";

/// Removed by rule X9: the test file gives them level `x` and leaves them out of the order.
fn removed_by_x9(c: char) -> bool {
    matches!(
        bidi_class(c),
        BidiClass::RLE
            | BidiClass::LRE
            | BidiClass::RLO
            | BidiClass::LRO
            | BidiClass::PDF
            | BidiClass::BN
    )
}

#[test]
fn every_case_of_bidi_character_test() {
    let Ok(data) = std::fs::read_to_string(FILE) else {
        eprintln!(
            "SKIPPED: {FILE} not found (install Debian's unicode-data); bidi conformance not checked"
        );
        return;
    };
    let mut cases = 0;
    let mut failures = Vec::new();
    for (n, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(';').collect();
        let text: String = fields[0]
            .split_whitespace()
            .map(|h| char::from_u32(u32::from_str_radix(h, 16).expect("hex")).expect("scalar"))
            .collect();
        let base = match fields[1] {
            "0" => Some(Direction::Ltr),
            "1" => Some(Direction::Rtl),
            _ => None,
        };
        let expected_levels: Vec<&str> = fields[3].split_whitespace().collect();
        let expected_order: Vec<usize> = fields[4]
            .split_whitespace()
            .map(|i| i.parse().expect("index"))
            .collect();

        let paragraph = Paragraph::new(&text, base);
        let order = paragraph.line(0..text.len());
        let chars: Vec<char> = text.chars().collect();
        let levels_ok = order.levels.len() == chars.len()
            && expected_levels.len() == chars.len()
            && expected_levels
                .iter()
                .zip(&order.levels)
                .zip(&chars)
                .all(|((e, got), c)| {
                    *e == "x" || removed_by_x9(*c) || e.parse::<u8>().ok() == Some(got.number())
                });
        let visual: Vec<usize> = order
            .visual
            .iter()
            .copied()
            .filter(|&i| !removed_by_x9(chars[i]))
            .collect();
        cases += 1;
        if !levels_ok
            || visual != expected_order
            || fields[2].parse::<u8>().ok() != Some(paragraph.level().number())
        {
            failures.push(format!(
                "line {}: {line}\n  got levels {:?}\n  got order {visual:?}",
                n + 1,
                order.levels.iter().map(|l| l.number()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(cases > 90_000, "only {cases} cases read");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{cases} BidiCharacterTest cases pass");
}
