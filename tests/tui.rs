//! The real binary in a pseudo-terminal, as an analyst would use it.

mod common;

use common::{Tui, assert_restored};
use corpus_review::app::DetailDoc;
use corpus_review::corpus::{LoadOptions, load_all};
use corpus_review::text::BidiMode;

#[test]
fn browse_the_sample_open_an_article_and_quit() {
    let mut tui = Tui::spawn(&["sample-data"], 120, 40);
    tui.wait_for_text("Articles (23)");
    tui.wait_for_text("loaded in");
    tui.send("jj");
    tui.wait_for_text("3 / 23");
    tui.send("\r");

    let (articles, _, _) = load_all(&LoadOptions {
        paths: vec!["sample-data".into()],
    });
    let third = &articles[2];
    // The first title row exactly as the detail pane lays it out (58 = inner width at 120).
    let doc = DetailDoc::build(third, 52, BidiMode::App);
    let title_row = doc.rows[0]
        .line
        .glyphs
        .iter()
        .map(|g| g.text.as_str())
        .collect::<String>();
    tui.wait_for("the third article's title", |s| {
        s.contents().contains(&title_row)
    });
    let screen = tui.contents();
    assert!(screen.contains(&format!("Id     {}", third.id)), "{screen}");
    for source in &third.sources {
        assert!(
            screen.contains(source.domain()),
            "{} in\n{screen}",
            source.domain()
        );
    }
    assert!(screen.contains("Sources (3)"), "{screen}");
    assert!(
        screen.contains("https://www.facebook.com/MisrataPortAuthority/posts/"),
        "{screen}"
    );

    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_restored(&tui);
}

#[test]
fn help_opens_and_closes() {
    let mut tui = Tui::spawn(&[], 80, 24);
    tui.wait_for_text("Articles (23)");
    tui.send("?");
    tui.wait_for_text("Keys (Esc closes)");
    tui.send("\x1b");
    tui.wait_for("help closed", |s| {
        !s.contents().contains("Keys (Esc closes)")
    });
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let mut tui = Tui::spawn(&[], 80, 24);
        tui.wait_for_text("Articles (23)");
        tui.signal(signal);
        assert_eq!(tui.wait_exit(), code, "SIG{signal}");
        assert_restored(&tui);
    }
}

#[test]
fn a_panic_restores_the_terminal() {
    let example = common::bin_path()
        .parent()
        .map(|d| d.join("examples/panic_in_tui"))
        .expect("target dir");
    if !example.exists() {
        // `cargo test` builds examples; a filtered run (`--test tui`) may not have.
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--example", "panic_in_tui"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success());
    }
    let mut tui = Tui::spawn_program(&example, &[], 80, 24, &[]);
    assert_ne!(tui.wait_exit(), 0);
    assert_restored(&tui);
    let text = String::from_utf8_lossy(&tui.raw()).to_string();
    let left = text.rfind("\x1b[?1049l").expect("left alternate screen");
    assert!(
        text[left..].contains("deliberate panic"),
        "the message is printed after restoring"
    );
}

#[test]
fn resizing_redraws_and_stacks_the_panes() {
    let mut tui = Tui::spawn(&[], 120, 30);
    tui.wait_for_text("Articles (23)");
    // Side by side: the list's top border and the detail's share the first row.
    tui.wait_for("side by side", |s| {
        s.contents()
            .lines()
            .next()
            .is_some_and(|l| l.matches('┌').count() == 2)
    });
    tui.send("q");
    tui.wait_exit();

    let mut tui = Tui::spawn(&[], 30, 8);
    tui.wait_for_text("Terminal too small");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn a_large_generated_corpus_loads_in_the_background() {
    let dir = tempfile::tempdir().expect("temp dir");
    corpus_review::generate::write_report_dir(dir.path(), 20_000, 3).expect("generated");
    let path = dir.path().to_string_lossy().to_string();
    let mut tui = Tui::spawn(&[&path], 200, 60);
    // The first frame and keys work while files are still being read.
    tui.wait_for_text("Articles");
    tui.wait_for_text("loaded in");
    tui.wait_for_text("Articles (20,000)");
    tui.send("G");
    tui.wait_for_text("20,000 / 20,000");
    tui.send("\x1b[5~");
    tui.wait_for("a page up", |s| !s.contents().contains("20,000 / 20,000"));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}
