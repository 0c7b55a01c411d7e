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
        only: None,
    });
    let third = articles.get(2).expect("a third article");
    // The first title row exactly as the detail pane lays it out (58 = inner width at 120).
    let doc = DetailDoc::build(third, 52, BidiMode::App, None);
    let title_row = doc.rows[0]
        .line
        .glyphs()
        .map(|g| g.text)
        .collect::<String>();
    // Everything is waited for: a frame can be read while it is half written.
    let id_row = format!("Id     {}", third.id);
    tui.wait_for("the third article's title, id and sources", |s| {
        let screen = s.contents();
        screen.contains(&title_row)
            && screen.contains(&id_row)
            && screen.contains("Sources (3)")
            && third.sources.iter().all(|u| screen.contains(u.domain()))
            && screen.contains("https://www.facebook.com/MisrataPortAuthority/posts/")
    });

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
fn sigterm_sighup_and_sigquit_restore_the_terminal() {
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("QUIT", 131)] {
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
    // Ctrl-C during the load stops it and keeps what has loaded.
    let mut tui = Tui::spawn(&[&path], 200, 60);
    tui.wait_for_text("loading");
    tui.send("\x03");
    tui.wait_for_text("load cancelled:");
    assert!(
        !tui.contents().contains("Articles (20,000)"),
        "{}",
        tui.contents()
    );
    tui.send("\x03");
    assert_eq!(tui.wait_exit(), 0, "a second ctrl-c quits");

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

/// Sequences planted in tests/fixtures/hostile, with the letters around them so our own
/// escape sequences (which include e.g. a screen clear) are not mistaken for them.
const INJECTED: &[&[u8]] = &[
    b"\x1b]52;",
    b"CC\x1b[2J",
    b"\x1b]0;pwned",
    b"\xc2\x9b",
    b"II\x1b",
    b"\x07BB",
    "\u{202E}".as_bytes(),
    "\u{202C}".as_bytes(),
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut tui = Tui::spawn(&["tests/fixtures/hostile"], w, h);
        tui.wait_for_text("Articles (1)");
        tui.send("\r");
        tui.wait_for_text("Place  TRIPOLI");
        let screen = tui.contents();
        assert!(screen.contains("AA␛]52;c;SGVsbG8=␇BB"), "{screen}");
        assert!(screen.contains("CC␛[2JDD"), "{screen}");
        // The end of the article: the other paragraphs and the sources.
        tui.send("G");
        tui.wait_for_text("Sources (2)");
        tui.wait_for_text("end II␛");
        // The clean URL in Sources. (Waited for, not read off one snapshot: the paragraph
        // that names the other URL comes first and the screen can be read mid-frame.)
        tui.wait_for_text("https://evil.example/line/moc.knab");
        tui.wait_for_text("https://evil.example/moc.knab");
        // vt100 does not keep U+FFFD in its cells, so look for the placeholder's bytes.
        assert!(
            contains(&tui.raw(), "GG\u{FFFD}31mHH".as_bytes()),
            "C1 CSI shown as U+FFFD"
        );
        tui.wait_for_text("EE␛]0;pwned␇FF");
        tui.send("q");
        assert_eq!(tui.wait_exit(), 0);
        let raw = tui.raw();
        for needle in INJECTED {
            assert!(
                !contains(&raw, needle),
                "{:?} was written to the terminal",
                String::from_utf8_lossy(needle)
            );
        }
        assert!(
            !tui.contents().contains("pwned"),
            "title untouched: the main screen is back"
        );
    }
}

#[test]
fn list_border_stays_in_its_column_with_arabic_text() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut tui = Tui::spawn(&["sample-data"], w, h);
        tui.wait_for_text("loaded in");
        for step in 0..3 {
            let (left, right, rows) = tui.with_screen(|s| {
                // The list pane's corners on the first row give its columns.
                let top: Vec<String> = (0..w)
                    .map(|x| {
                        s.cell(0, x)
                            .map(|c| c.contents().to_string())
                            .unwrap_or_default()
                    })
                    .collect();
                let left = top
                    .iter()
                    .position(|c| c == "┌")
                    .expect("list top-left corner");
                let right = top
                    .iter()
                    .position(|c| c == "┐")
                    .expect("list top-right corner");
                let rows = (1..h - 1)
                    .take_while(|&y| s.cell(y, left as u16).is_some_and(|c| c.contents() == "│"))
                    .count();
                (left as u16, right as u16, rows)
            });
            assert!(rows >= 5, "{w}x{h}: list pane rows");
            tui.with_screen(|s| {
                for y in 1..=rows as u16 {
                    let at = s
                        .cell(y, right)
                        .map(|c| c.contents().to_string())
                        .unwrap_or_default();
                    assert_eq!(
                        at,
                        "│",
                        "{w}x{h} step {step}: row {y} right border at column {right}\n{}",
                        s.contents()
                    );
                    let at = s
                        .cell(y, left)
                        .map(|c| c.contents().to_string())
                        .unwrap_or_default();
                    assert_eq!(at, "│", "{w}x{h}: row {y} left border");
                }
            });
            // Page on so other titles (harakat, mixed text) take their turn on screen.
            tui.send("\x1b[6~");
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        tui.send("q");
        assert_eq!(tui.wait_exit(), 0);
    }
}

#[test]
fn app_mode_asks_vte_not_to_reorder_and_restores_it() {
    let mut tui = Tui::spawn(&[], 80, 24);
    tui.wait_for_text("Articles (23)");
    tui.send("q");
    tui.wait_exit();
    let raw = String::from_utf8_lossy(&tui.raw()).to_string();
    let explicit = raw.find("\x1b[8l").expect("CSI 8 l at start");
    let implicit = raw.rfind("\x1b[8h").expect("CSI 8 h at exit");
    assert!(explicit < implicit);

    let mut tui = Tui::spawn(&["--bidi", "terminal"], 80, 24);
    tui.wait_for_text("Articles (23)");
    tui.send("q");
    tui.wait_exit();
    assert!(!String::from_utf8_lossy(&tui.raw()).contains("\x1b[8l"));
}

#[test]
fn typing_a_query_narrows_the_list() {
    let mut tui = Tui::spawn(&["sample-data"], 120, 30);
    tui.wait_for_text("Articles (23)");
    tui.wait_for_text("loaded in");
    tui.send("/");
    tui.send("lang:en");
    tui.wait_for_text("Articles (5 of 23)");
    tui.wait_for_text("titles · by score · 5 of 23");
    tui.send(" 'sardine");
    tui.wait_for_text("Articles (1 of 23)");
    tui.wait_for_text("Fishermen in Zuwara report record sardine catch");
    // Enter keeps the filter; the status line says so.
    tui.send("\r");
    tui.wait_for_text("/lang:en 'sardine: 1 of 23");
    // Esc in the list clears it.
    tui.send("\x1b");
    tui.wait_for_text("Articles (23)");
    // A malformed term is reported, not fatal.
    tui.send("/lang:xx");
    tui.wait_for_text("lang: expects ar, en or mixed");
    tui.send("\x1b");
    tui.wait_for_text("Articles (23)");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

/// A filter typed while a JSON Lines file of several pieces is still loading follows the
/// batches as they arrive and ends where the headless filter does.
#[test]
fn a_filter_typed_during_a_load_ends_with_every_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.jsonl");
    // About 13 MB: several 4 MB pieces, each its own batch.
    corpus_review::generate::write_jsonl(&path, 3000, 9).expect("writes");
    let path = path.to_string_lossy().to_string();
    let query = "مستشفى";
    let headless = std::process::Command::new(common::bin_path())
        .args(["filter", query, &path])
        .output()
        .expect("runs");
    let expected = String::from_utf8_lossy(&headless.stdout).lines().count();
    assert!(expected > 0 && expected < 3000, "{expected}");

    let mut tui = Tui::spawn(&[&path], 120, 30);
    // The status line says the load is still running when the filter is typed.
    tui.wait_for_text("loading");
    tui.send("/");
    tui.send(query);
    // The filter line stands where the status line was: its count is the load's end.
    tui.wait_for_text(&format!("Articles ({expected} of 3,000)"));
    tui.wait_for_text(&format!("by score · {expected} of 3,000 "));
    tui.send("\x1b");
    tui.wait_for_text("Articles (3,000)");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn key_sequences_and_the_arabic_layout_work_in_the_terminal() {
    let mut tui = Tui::spawn(&["--keymap", "vim"], 120, 30);
    tui.wait_for_text("loaded in");
    tui.send("G");
    tui.wait_for_text("23 / 23");
    tui.send("g");
    std::thread::sleep(std::time::Duration::from_millis(100));
    tui.send("g");
    tui.wait_for_text("1 / 23");
    // Arabic layout: ت is j, ن is k.
    tui.send("تت");
    tui.wait_for_text("3 / 23");
    tui.send("ن");
    tui.wait_for_text("2 / 23");
    // ZZ quits in the vim preset.
    tui.send("ZZ");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn ctrl_z_suspends_and_fg_redraws() {
    // Job control needs a shell in the same session, as when an analyst runs it.
    let bash = std::path::Path::new("/bin/bash");
    let mut tui = Tui::spawn_program(
        bash,
        &["--norc", "--noprofile", "-i"],
        80,
        24,
        &[("PS1", "shell$ ")],
    );
    tui.wait_for_text("shell$");
    tui.send(&format!("{} sample-data\r", common::bin_path().display()));
    tui.wait_for_text("Articles (23)");
    tui.send("\x1a");
    // Stopped, with the terminal handed back to the shell.
    tui.wait_for("the shell's prompt", |s| {
        !s.alternate_screen() && s.contents().contains("Stopped")
    });
    tui.send("fg\r");
    tui.wait_for("redrawn on the alternate screen", |s| {
        s.alternate_screen() && s.contents().contains("Articles (23)")
    });
    tui.send("q");
    tui.wait_for("back at the prompt", |s| !s.alternate_screen());
    // What is typed the moment the screen is back goes to the shell, not to us.
    tui.send("echo typed-after-quit-$((6*7))\r");
    tui.wait_for_text("typed-after-quit-42");
    tui.send("exit\r");
    tui.wait_exit();
}

#[test]
fn a_non_utf8_locale_is_refused_with_the_fix() {
    let mut tui = Tui::spawn_program(
        &common::bin_path(),
        &[],
        80,
        24,
        &[("LANG", "C"), ("LC_ALL", "C")],
    );
    tui.wait_for_text("LC_ALL=C) is not UTF-8");
    tui.wait_for_text("LANG=C.UTF-8 corpus-review");
    assert_eq!(tui.wait_exit(), 2);
    assert!(
        !String::from_utf8_lossy(&tui.raw()).contains("\x1b[?1049h"),
        "the terminal was never touched"
    );
}

#[test]
fn over_ssh_opening_a_source_copies_it_through_the_terminal() {
    let mut tui = Tui::spawn_program(
        &common::bin_path(),
        &["sample-data"],
        120,
        34,
        &[
            ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"),
            ("TMUX", ""),
            ("BROWSER", "firefox"),
        ],
    );
    tui.wait_for_text("loaded in");
    tui.send("jj\r");
    tui.wait_for_text("Sources (3)");
    tui.send("]]");
    std::thread::sleep(std::time::Duration::from_millis(100));
    tui.send("o");
    tui.wait_for_text("over SSH a browser would open on the remote machine;");
    let url = "https://almarsad-news.ly/economy/2017/port-wheat-shipment";
    let expected = corpus_review::term::clipboard::osc52(url, false).expect("small");
    assert!(
        String::from_utf8_lossy(&tui.raw()).contains(&expected),
        "the OSC 52 sequence for {url}"
    );
    // All sources as a list, and the id from the list.
    tui.send("Y");
    tui.wait_for_text("3 source links sent to the terminal clipboard (OSC 52)");
    tui.send("\ty");
    tui.wait_for_text("the id 003_ad3a8cd61281a802 sent to the terminal clipboard");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn the_sources_overview_filters_by_domain() {
    let mut tui = Tui::spawn(&["sample-data"], 120, 34);
    tui.wait_for_text("loaded in");
    tui.send("S");
    tui.wait_for_text("Source domains of the listed articles");
    tui.wait_for("facebook.com first", |s| {
        s.contents().contains("     18  facebook.com")
    });
    tui.send("\r");
    tui.wait_for_text("/src:facebook.com: 18 of 23");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn watch_picks_up_new_and_deleted_reports_keeping_filter_and_selection() {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir("sample-data").expect("sample-data") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    let path = dir.path().to_string_lossy().to_string();
    let mut tui = Tui::spawn(&["--watch", &path], 140, 34);
    tui.wait_for_text("Articles (23)");
    tui.wait_for_text("loaded in");
    tui.send("/lang:en\r");
    tui.wait_for_text("Articles (5 of 23)");
    tui.send("j");
    tui.wait_for_text("2 / 5");
    std::fs::write(
        dir.path().join("900_00000000000000aa.txt"),
        "GHAT - A new clinic opened in the town centre on Sunday, officials said.\nhttps://example.ly/news/900\n",
    )
    .expect("a new report");
    tui.wait_for_text("Articles (6 of 24)");
    tui.wait_for_text("1 new");
    tui.wait_for_text("A new clinic opened in the town centre");
    assert!(
        tui.contents().contains("2 / 6"),
        "the selection stayed:\n{}",
        tui.contents()
    );
    std::fs::remove_file(dir.path().join("015_fb23440c4d9b1fbb.txt")).expect("delete");
    tui.wait_for_text("1 gone");
    tui.wait_for_text("Articles (6 of 24)");
    // A changed report takes its old version's place: still 24 articles.
    std::fs::write(
        dir.path().join("900_00000000000000aa.txt"),
        "GHAT - The clinic in the town centre closed for repairs on Monday.\nhttps://example.ly/news/900\n",
    )
    .expect("a new version");
    tui.wait_for_text("The clinic in the town centre closed");
    tui.wait_for_text("1 changed report files");
    let screen = tui.contents();
    assert!(screen.contains("Articles (6 of 24)"), "{screen}");
    assert!(!screen.contains("A new clinic opened"), "{screen}");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn common_term_values_and_no_color_work() {
    for (term, no_color) in [
        ("screen-256color", ""),
        ("xterm", ""),
        ("xterm-256color", "1"),
    ] {
        let mut tui = Tui::spawn_program(
            &common::bin_path(),
            &[],
            80,
            24,
            &[("TERM", term), ("NO_COLOR", no_color)],
        );
        tui.wait_for_text("Articles (23)");
        tui.send("jj");
        tui.wait_for_text("3 / 23");
        tui.send("q");
        assert_eq!(tui.wait_exit(), 0, "TERM={term}");
        let raw = String::from_utf8_lossy(&tui.raw()).to_string();
        let colour = common::first_colour_sgr(&raw);
        if no_color.is_empty() {
            assert!(colour.is_some(), "TERM={term}: colours are drawn");
        } else {
            assert!(colour.is_none(), "NO_COLOR: found a colour code {colour:?}");
        }
    }
}
