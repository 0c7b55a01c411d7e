//! Hand-written expectations of wrapped visual lines (`--bidi app`).
//!
//! The expected strings are screen order, left to right, derived by hand from UAX #9.
//! Presentation forms are folded back to letters with NFKC so the Arabic stays readable;
//! leading spaces are the right-alignment of right-to-left paragraphs.

use corpus_review::corpus::Direction;
use corpus_review::text::{BidiMode, VisualLine, wrap_paragraph};
use unicode_normalization::UnicodeNormalization;

fn screen(line: &VisualLine, width: usize) -> String {
    let mut out = " ".repeat(line.indent(width));
    for g in line.glyphs() {
        out.extend(g.text.nfkc());
    }
    out
}

fn visual(text: &str, direction: Direction, width: usize) -> Vec<String> {
    wrap_paragraph(text, direction, width, BidiMode::App)
        .iter()
        .map(|l| {
            assert!(l.width <= width, "a line wider than its area: {l:?}");
            screen(l, width)
        })
        .collect()
}

#[test]
fn plain_arabic_paragraph() {
    // All right-to-left: each wrapped line is reversed as a whole and right-aligned.
    assert_eq!(
        visual(
            "أعلن المجلس البلدي عن افتتاح مركز صحي جديد",
            Direction::Rtl,
            20
        ),
        [
            "  يدلبلا سلجملا نلعأ",
            "  يحص زكرم حاتتفا نع",
            "                ديدج"
        ]
    );
}

#[test]
fn arabic_with_a_url_in_the_middle() {
    // The URL is one left-to-right run (its digits follow Latin letters, rule W7), placed
    // between the Arabic words as a unit.
    assert_eq!(
        visual(
            "نشر البيان على https://alwasat.ly/n/5 مساء أمس",
            Direction::Rtl,
            60
        ),
        ["              سمأ ءاسم https://alwasat.ly/n/5 ىلع نايبلا رشن"]
    );
}

#[test]
fn arabic_with_2017_and_a_percentage() {
    // After Arabic letters, 78 and 2017 are Arabic numbers (W2): their digits stay in
    // order, and the percent sign resolves right-to-left, to the left of 78 on screen.
    assert_eq!(
        visual("بلغت النسبة 78% في عام 2017", Direction::Rtl, 40),
        ["             2017 ماع يف %78 ةبسنلا تغلب"]
    );
}

#[test]
fn brackets_and_curly_quotes_inside_arabic() {
    // Parentheses are mirrored in the right-to-left run (L4) so they still enclose their
    // words; curly quotes have no mirrored form and are drawn as they are.
    assert_eq!(
        visual("قال المدير (في بيان) إن “الطريق مفتوح”", Direction::Rtl, 50),
        ["            ”حوتفم قيرطلا“ نإ (نايب يف) ريدملا لاق"]
    );
}

#[test]
fn english_sentence_with_an_arabic_name() {
    // Left-to-right paragraph: only the Arabic word is reversed, in place.
    assert_eq!(
        visual(
            "The mayor of سبها met residents on Monday",
            Direction::Ltr,
            60
        ),
        ["The mayor of اهبس met residents on Monday"]
    );
}

#[test]
fn a_line_that_breaks_inside_a_latin_run() {
    // The 52-character URL does not fit in 30 cells and is broken; each piece keeps its
    // left-to-right order inside the right-aligned Arabic paragraph.
    assert_eq!(
        visual(
            "المصدر https://www.facebook.com/SabhaCouncilPage/posts/3310 اليوم",
            Direction::Rtl,
            30
        ),
        [
            "                        ردصملا",
            "https://www.facebook.com/Sabha",
            "  مويلا CouncilPage/posts/3310",
        ]
    );
}

#[test]
fn a_haraka_stays_on_its_letter() {
    // Rule L3 at cluster level: a mark moves with its base and stays after it.
    let lines = wrap_paragraph("مُخْتار", Direction::Rtl, 20, BidiMode::App);
    let glyphs: Vec<String> = lines[0].glyphs().map(|g| g.text.nfkc().collect()).collect();
    assert_eq!(glyphs, ["ر", "ا", "ت", "خْ", "مُ"]);
    assert!(lines[0].glyphs().all(|g| g.width == 1));
}

#[test]
fn mirrored_pairs_face_the_right_way_in_rtl_runs() {
    let lines = wrap_paragraph(
        "قال [نص] و{آخر} «اقتباس» <تنبيه>",
        Direction::Rtl,
        40,
        BidiMode::App,
    );
    let text = screen(&lines[0], 40);
    assert_eq!(text.trim_start(), "<هيبنت> «سابتقا» {رخآ}و [صن] لاق");
    // Brackets inside a Latin run inside Arabic are not mirrored.
    let lines = wrap_paragraph("قال (see [note]) هنا", Direction::Rtl, 40, BidiMode::App);
    assert_eq!(screen(&lines[0], 40).trim_start(), "انه (see [note]) لاق");
}

#[test]
fn every_line_fits_whatever_the_text() {
    let nasty = "سبها – 漢字 and emoji 🚀 mixed with ﷲ and لَا and a\u{202E}URL\u{202C} https://x.ly/مسار/2017";
    for width in 1..40 {
        for line in wrap_paragraph(nasty, Direction::Rtl, width, BidiMode::App) {
            let cells: usize = line.glyphs().map(|g| usize::from(g.width)).sum();
            assert_eq!(cells, line.width);
            assert!(line.width <= width.max(2), "width {width}: {line:?}");
        }
    }
}

#[test]
fn user_text_in_interface_strings_is_isolated() {
    // Without the isolate, the count after Arabic letters would join the Arabic run.
    let text = format!(
        "/{}: 12 of 40",
        corpus_review::text::isolate("المجلس البلدي")
    );
    let line = corpus_review::text::layout_line(&text, Direction::Ltr, 40, BidiMode::App);
    assert_eq!(screen(&line, 40), "/يدلبلا سلجملا: 12 of 40");
}
