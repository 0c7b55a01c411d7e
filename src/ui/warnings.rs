//! The warnings view: every file or record that was skipped or loaded with a mark.

use super::draw::draw_text;
use super::help::overlay_area;
use super::theme::Theme;
use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Clear, Widget};

pub fn render(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let area = overlay_area(screen);
    Clear.render(area, buf);
    let skipped = app.warnings.iter().filter(|w| w.kind.skipped()).count();
    Block::bordered()
        .border_style(theme.border(true))
        .title(format!(
            " Load warnings: {} ({} skipped) · Esc closes ",
            app.warnings.len(),
            skipped
        ))
        .render(area, buf);
    let inner = super::layout::inner(area);
    if app.warnings.is_empty() {
        draw_text(
            buf,
            Rect { height: 1, ..inner },
            "Everything loaded cleanly.",
            theme.dim(),
            app.bidi,
        );
        return;
    }
    for (i, w) in app
        .warnings
        .iter()
        .skip(app.overlay_scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let style = if w.kind.skipped() {
            theme.warning()
        } else {
            Style::new()
        };
        draw_text(
            buf,
            Rect {
                y: inner.y + i as u16,
                height: 1,
                ..inner
            },
            &w.to_string(),
            style,
            app.bidi,
        );
    }
}
