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
        let query = app.filter.input.trim();
        let state = if app.matching { " (matching…)" } else { "" };
        left.push(format!(
            "/{query}: {} of {}{state}",
            thousands(n),
            thousands(app.corpus.len())
        ));
    }
    match (&app.load.finished, app.load.files_total) {
        (None, None) => left.push("scanning…".to_string()),
        (None, Some(total)) => left.push(format!(
            "loading {} / {} files",
            thousands(app.load.files_done),
            thousands(total)
        )),
        (Some(s), _) if s.cancelled => left.push("load cancelled".to_string()),
        (Some(s), _) => left.push(format!("loaded in {:.1}s", s.elapsed.as_secs_f64())),
    }
    if !app.warnings.is_empty() {
        let n = app.warnings.len();
        left.push(format!(
            "{} warning{} (W)",
            thousands(n),
            if n == 1 { "" } else { "s" }
        ));
    }
    (left.join(" · "), "? help  q quit".to_string())
}

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let (left, right) = text(app);
    let right_w = right.chars().count() as u16;
    draw_text(buf, area, &format!(" {left}"), theme.status(), app.bidi);
    if area.width > right_w + left.chars().count() as u16 + 4 {
        let r = Rect {
            x: area.x + area.width - right_w - 1,
            width: right_w + 1,
            ..area
        };
        draw_text(buf, r, &right, theme.status(), app.bidi);
    }
}
