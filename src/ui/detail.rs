//! The detail pane: the selected article's laid-out rows, scrolled.

use super::draw::draw_line;
use super::layout::inner;
use super::theme::Theme;
use crate::app::{App, Focus};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Focus::Detail && app.overlay.is_none();
    let mut block = Block::bordered().border_style(theme.border(focused));
    if let Some(doc) = &app.detail {
        let total = doc.rows.len();
        let shown_to = (app.detail_scroll + usize::from(inner(area).height)).min(total);
        if total > usize::from(inner(area).height) {
            // A long article still being laid out has more lines than counted so far.
            let more = if doc.partial() { "+" } else { "" };
            block = block.title(format!(
                " {}–{} of {total}{more} lines ",
                app.detail_scroll + 1,
                shown_to,
            ));
        }
    }
    block.render(area, buf);
    let inner = inner(area);
    let Some(doc) = &app.detail else {
        return;
    };
    for (i, row) in doc
        .rows
        .iter()
        .skip(app.detail_scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let rect = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        let base = match &doc.cursor {
            Some((source, _)) if row.source == Some(*source) => theme.selected(),
            Some((_, backed)) if row.paragraph.is_some_and(|p| backed.contains(&p)) => {
                theme.backed()
            }
            _ => Style::new(),
        };
        draw_line(buf, rect, &row.line, base, |g| {
            theme.tone(row.tone_at(g.logical))
        });
    }
}
