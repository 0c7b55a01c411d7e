//! The warnings view: every file or record that was skipped or loaded with a mark.

use super::help::render_rows;
use super::theme::Theme;
use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub fn render(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let skipped = app.warnings.iter().filter(|w| w.kind.skipped()).count();
    let title = format!(
        " Load warnings: {} ({} skipped) · Esc closes ",
        app.warnings.len(),
        skipped
    );
    if app.warnings.is_empty() {
        let clean = ("Everything loaded cleanly.".to_string(), theme.dim());
        return render_rows(app, theme, screen, buf, &title, std::iter::once(clean));
    }
    let rows = app.warnings.iter().map(|w| {
        let style = if w.kind.skipped() {
            theme.warning()
        } else {
            Style::new()
        };
        (w.to_string(), style)
    });
    render_rows(app, theme, screen, buf, &title, rows);
}
