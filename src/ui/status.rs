//! The status line: position, loading progress, warnings.

use super::draw::draw_text;
use super::theme::Theme;
use super::thousands;
use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The status line's text (also used by tests).
pub fn text(app: &App) -> (String, String) {
    let mut left = Vec::new();
    let n = app.visible_len();
    left.push(if n == 0 {
        "0 / 0".to_string()
    } else {
        format!("{} / {}", thousands(app.selected + 1), thousands(n))
    });
    if app.result.is_some() || app.matching {
        let query = app.filter.text().trim();
        let state = if app.matching { " (matching…)" } else { "" };
        left.push(format!(
            "/{}: {} of {}{state}",
            crate::text::isolate(query),
            thousands(n),
            thousands(app.corpus.len())
        ));
    }
    match (&app.load.finished, app.load.files_total) {
        (None, None) => left.push("scanning…".to_string()),
        (None, Some(total)) => left.push(progress(app, total)),
        (Some(s), _) if s.cancelled => left.push("load cancelled".to_string()),
        (Some(s), _) => left.push(format!("loaded in {:.1}s", s.elapsed.as_secs_f64())),
    }
    if app.tags_loading {
        left.push("reading saved tags…".to_string());
    } else if !app.corpus.is_empty() {
        left.push(format!(
            "{} / {} reviewed",
            thousands(app.reviewed()),
            thousands(app.corpus.len())
        ));
    }
    if !app.fresh.is_empty() {
        left.push(format!("{} new", thousands(app.fresh.len())));
    }
    if !app.gone.is_empty() {
        left.push(format!("{} gone", thousands(app.gone.len())));
    }
    if !app.marks.is_empty() {
        left.push(format!("{} marked", thousands(app.marks.len())));
    }
    if !app.warnings.is_empty() {
        let n = app.warnings.len();
        left.push(format!(
            "{} warning{} (W)",
            thousands(n),
            if n == 1 { "" } else { "s" }
        ));
    }
    let saving = match (&app.save_error, app.unsaved.len()) {
        (Some(e), _) if app.tags_loading => format!("CANNOT READ SAVED TAGS: {e} · retrying"),
        (Some(e), n) if n > 0 => format!("NOT SAVED ({n}): {e} · retrying"),
        (_, 0) if app.ever_saved => "✓ saved".to_string(),
        (_, 0) => String::new(),
        (_, _) => "saving…".to_string(),
    };
    let mut right: Vec<String> = Vec::new();
    if let Some(m) = &app.message {
        right.push(m.clone());
    }
    if !saving.is_empty() {
        right.push(saving);
    }
    right.push("? help".to_string());
    (left.join(" · "), right.join(" · "))
}

/// "loading 41,200 / 100,000 files", and for a load that takes a while a bar, the rate
/// and the time left.
fn progress(app: &App, total: usize) -> String {
    let done = app.load.files_done;
    let mut text = format!("loading {} / {} files", thousands(done), thousands(total));
    let secs = app.load.elapsed.as_secs_f64();
    if secs >= 0.5 && total > 0 {
        // Bytes measure progress better than files when one JSON file holds everything.
        let fraction = if app.load.bytes_total > 0 {
            app.load.bytes_done as f64 / app.load.bytes_total as f64
        } else {
            done as f64 / total as f64
        };
        let filled = ((fraction * 10.0).round() as usize).min(10);
        let bar = "█".repeat(filled) + &"░".repeat(10 - filled);
        let rate = app.corpus.len() as f64 / secs;
        let left = if fraction > 0.0 {
            secs * (1.0 - fraction) / fraction
        } else {
            0.0
        };
        text.push_str(&format!(
            " {bar} {} articles/s · {:.0} s left · ctrl-c stops",
            thousands(rate as usize),
            left.ceil()
        ));
    }
    text
}

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let (left, right) = text(app);
    // The save state matters most: it keeps its place and the left side gives way.
    let right_w = (right.chars().count() as u16 + 1).min(area.width);
    let left_area = Rect {
        width: area.width - right_w,
        ..area
    };
    draw_text(
        buf,
        left_area,
        &format!(" {left}"),
        theme.status(),
        app.bidi,
    );
    let r = Rect {
        x: area.x + area.width - right_w,
        width: right_w,
        ..area
    };
    let style = if app.save_error.is_some() {
        theme.status().patch(theme.error())
    } else {
        theme.status()
    };
    draw_text(buf, r, &right, style, app.bidi);
}
