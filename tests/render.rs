//! Rendering through ratatui's TestBackend: whole screens as snapshots.

mod common;

use corpus_review::app::{App, Msg};
use corpus_review::corpus::{LoadEvent, LoadOptions, load_all};
use corpus_review::keymap::{Action, Keymap};
use corpus_review::text::BidiMode;
use corpus_review::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::path::PathBuf;
use std::sync::Arc;

fn app_for(paths: &[&str], width: u16, height: u16) -> App {
    let options = LoadOptions {
        paths: paths.iter().map(PathBuf::from).collect(),
        only: None,
    };
    let (articles, warnings, summary) = load_all(&options);
    let mut app = App::new(
        Arc::new(Keymap::default_keymap()),
        BidiMode::App,
        options.describe(),
    );
    app.update(Msg::Resize { width, height });
    app.update(Msg::Load(LoadEvent::Scanned {
        files: summary.files,
        bytes: summary.bytes,
    }));
    app.update(Msg::Load(LoadEvent::Warnings(warnings)));
    app.update(Msg::Load(LoadEvent::Batch {
        articles: articles.iter().cloned().collect(),
        files_done: summary.files,
        bytes_done: summary.bytes,
    }));
    // A fixed elapsed time keeps the snapshots stable.
    let summary = corpus_review::corpus::LoadSummary {
        elapsed: std::time::Duration::from_millis(40),
        ..summary
    };
    app.update(Msg::Load(LoadEvent::Finished(summary)));
    app
}

fn draw(app: &App) -> Buffer {
    let backend = TestBackend::new(app.size.width, app.size.height);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal
        .draw(|f| ui::render(app, Theme { color: false }, f))
        .expect("draws");
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row, wide glyphs counted once.
fn screen(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn act(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(Msg::Action(*a));
    }
}

#[test]
fn list_and_detail_at_80x24() {
    let app = app_for(&["sample-data"], 80, 24);
    insta::assert_snapshot!("sample_80x24", screen(&draw(&app)));
}

#[test]
fn detail_focused_at_120x40() {
    let mut app = app_for(&["sample-data"], 120, 40);
    act(
        &mut app,
        &[Action::Last, Action::MoveUp, Action::FocusDetail],
    );
    let text = screen(&draw(&app));
    assert!(text.contains("Exam results published online") || text.contains("wire-0413"));
    insta::assert_snapshot!("sample_120x40_detail", text);
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut app = app_for(&["sample-data"], 100, 40);
    act(&mut app, &[Action::Help]);
    let text = screen(&draw(&app));
    assert!(text.contains("Article list"));
    assert!(text.contains("j, down"), "{text}");
    assert!(text.contains("next article"));
    insta::assert_snapshot!("help_100x40", text);
}

#[test]
fn warnings_view_lists_bad_files() {
    let mut app = app_for(&["tests/fixtures/bad"], 120, 30);
    act(&mut app, &[Action::ShowWarnings]);
    let text = screen(&draw(&app));
    assert!(text.contains("Load warnings: 7 (5 skipped)"), "{text}");
    assert!(
        text.contains("archive.txt: binary file (not text): skipped"),
        "{text}"
    );
    assert!(text.contains("7 warnings (W)"), "{text}");
}

#[test]
fn too_small_terminal_gets_a_message() {
    let app = app_for(&["sample-data"], 30, 8);
    let text = screen(&draw(&app));
    assert!(text.contains("Terminal too small"), "{text}");
    assert!(text.contains("30x8; needs 40x10"), "{text}");
}

#[test]
fn status_line_shows_position_and_load() {
    let mut app = app_for(&["sample-data"], 80, 24);
    act(&mut app, &[Action::MoveDown, Action::MoveDown]);
    let text = screen(&draw(&app));
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("3 / 23 · loaded in 0.0s"), "{status}");
    assert!(status.contains("0 / 23 reviewed"), "{status}");
    assert!(status.ends_with("? help "), "{status}");
}

#[test]
fn loading_progress_in_the_status_line() {
    let mut app = App::new(
        Arc::new(Keymap::default_keymap()),
        BidiMode::App,
        "x".into(),
    );
    app.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    app.update(Msg::Load(LoadEvent::Scanned {
        files: 100_000,
        bytes: 0,
    }));
    app.update(Msg::Load(LoadEvent::Batch {
        articles: Default::default(),
        files_done: 41_200,
        bytes_done: 0,
    }));
    let text = screen(&draw(&app));
    assert!(text.contains("loading 41,200 / 100,000 files"), "{text}");
    assert!(text.contains("Loading…"), "{text}");
}

#[test]
fn every_row_keeps_the_pane_borders_in_place() {
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut app = app_for(&["sample-data"], w, h);
        for _ in 0..23 {
            let buf = draw(&app);
            let panes = app.panes().expect("fits");
            let right = panes.list.x + panes.list.width - 1;
            for y in panes.list.y + 1..panes.list.y + panes.list.height - 1 {
                assert_eq!(
                    buf[(panes.list.x, y)].symbol(),
                    "│",
                    "left border row {y} at {w}x{h}"
                );
                assert_eq!(
                    buf[(right, y)].symbol(),
                    "│",
                    "right border row {y} at {w}x{h}"
                );
            }
            act(&mut app, &[Action::MoveDown]);
        }
    }
}

/// Bytes crossterm writes to draw `app` after the previous frame (ratatui sends only the
/// cells that changed).
struct ByteCounter {
    terminal: Terminal<ratatui::backend::CrosstermBackend<Shared>>,
    out: Shared,
}

/// A writer whose bytes the test can read back.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl ByteCounter {
    fn new(width: u16, height: u16) -> ByteCounter {
        let out = Shared::default();
        let backend = ratatui::backend::CrosstermBackend::new(out.clone());
        let options = ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, width, height)),
        };
        ByteCounter {
            terminal: Terminal::with_options(backend, options).expect("terminal"),
            out,
        }
    }

    fn frame(&mut self, app: &App, theme: Theme) -> usize {
        self.out.0.borrow_mut().clear();
        self.terminal
            .draw(|f| ui::render(app, theme, f))
            .expect("draws");
        self.out.0.borrow().len()
    }
}

#[test]
fn moving_the_selection_writes_little() {
    for theme in [Theme { color: true }, Theme { color: false }] {
        let mut app = app_for(&["sample-data"], 200, 60);
        let mut counter = ByteCounter::new(200, 60);
        let first = counter.frame(&app, theme);
        assert!(first > 10_000, "the first frame draws everything: {first}");
        for _ in 0..10 {
            act(&mut app, &[Action::MoveDown]);
            let bytes = counter.frame(&app, theme);
            assert!(bytes <= 2048, "one row down wrote {bytes} bytes");
        }
        // Holding the key: the backlog is drained and drawn once, then the detail pane
        // follows once when the keys stop.
        for _ in 0..10 {
            act(&mut app, &[Action::MoveDown]);
        }
        let held = counter.frame(&app, theme);
        app.update(Msg::Tick);
        let detail = counter.frame(&app, theme);
        eprintln!(
            "colour {}: held-key frame {held} bytes, detail after the pause {detail} bytes",
            theme.color
        );
        assert!(held <= 2048 * 2, "{held}");
    }
}

#[test]
fn no_color_means_no_colour_codes() {
    let mut app = app_for(&["sample-data"], 120, 40);
    act(&mut app, &[Action::OpenFilter]);
    let mut counter = ByteCounter::new(120, 40);
    counter.frame(&app, Theme { color: false });
    let out = String::from_utf8_lossy(&counter.out.0.borrow()).to_string();
    let colour = common::first_colour_sgr(&out);
    assert!(
        colour.is_none(),
        "a colour code in NO_COLOR output: {colour:?}"
    );
    assert!(
        out.contains("\x1b[7m"),
        "reverse video still marks the selection"
    );
}
