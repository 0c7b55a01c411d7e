//! The tag picker, the note editor and the y/n question.

use super::draw::{draw_input, draw_text};
use super::theme::Theme;
use crate::app::{App, Pending};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Clear, Widget};

/// A box of `height` rows (borders included) centred near the top of the screen.
fn boxed(screen: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(screen.width.saturating_sub(2));
    let height = height.min(screen.height.saturating_sub(2));
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height.saturating_sub(height)) / 3,
        width,
        height,
    }
}

fn frame(theme: Theme, area: Rect, title: &str, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    Block::bordered()
        .border_style(theme.border(true))
        .title(title.to_string())
        .render(area, buf);
    super::layout::inner(area)
}

fn target_text(app: &App) -> String {
    if app.marks.is_empty() {
        app.selected_article()
            .map(|a| a.id.clone())
            .unwrap_or_default()
    } else {
        format!("{} marked articles", crate::ui::thousands(app.marks.len()))
    }
}

pub fn render_picker(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let suggestions = app.picker_suggestions();
    let height = (suggestions.len() as u16).clamp(1, 12) + 4;
    let area = boxed(screen, 60, height);
    let inner = frame(
        theme,
        area,
        &format!(
            " Tags for {} (Enter toggles, Esc closes) ",
            target_text(app)
        ),
        buf,
    );
    if inner.height == 0 {
        return;
    }
    draw_input(
        buf,
        Rect { height: 1, ..inner },
        &app.picker.input,
        Style::new(),
        app.bidi,
    );
    let rows = usize::from(inner.height.saturating_sub(2));
    let first = app.picker.selected.saturating_sub(rows.saturating_sub(1));
    for (i, (tag, new)) in suggestions.iter().enumerate().skip(first).take(rows) {
        let has = app.picker.common.contains(tag);
        let mark = if *new {
            "+ new tag: "
        } else if has {
            "✓ "
        } else {
            "  "
        };
        let y = inner.y + 2 + (i - first) as u16;
        let style = if i == app.picker.selected {
            theme.selected()
        } else {
            Style::new()
        };
        draw_text(
            buf,
            Rect {
                y,
                height: 1,
                ..inner
            },
            &format!("{mark}{tag}"),
            style,
            app.bidi,
        );
    }
}

pub fn render_note(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let area = boxed(screen, 80, 3);
    let inner = frame(
        theme,
        area,
        &format!(" Note on {} (Enter saves, Esc cancels) ", target_text(app)),
        buf,
    );
    draw_input(buf, inner, &app.note, Style::new(), app.bidi);
}

pub fn render_sources(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let overview = app.overview.as_deref().unwrap_or_default();
    let height = (overview.len() as u16).clamp(1, 20) + 2;
    let area = boxed(screen, 60, height);
    let inner = frame(
        theme,
        area,
        " Source domains of the listed articles (Enter filters) ",
        buf,
    );
    if overview.is_empty() {
        let text = if app.overview.is_none() {
            "Counting…"
        } else {
            "No sources."
        };
        draw_text(
            buf,
            Rect { height: 1, ..inner },
            text,
            theme.dim(),
            app.bidi,
        );
        return;
    }
    let rows = usize::from(inner.height);
    let first = app.overview_selected.saturating_sub(rows.saturating_sub(1));
    for (i, (domain, count)) in overview.iter().enumerate().skip(first).take(rows) {
        let style = if i == app.overview_selected {
            theme.selected()
        } else {
            Style::new()
        };
        let text = format!("{count:>7}  {domain}");
        draw_text(
            buf,
            Rect {
                y: inner.y + (i - first) as u16,
                height: 1,
                ..inner
            },
            &text,
            style,
            app.bidi,
        );
    }
}

pub fn render_confirm(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let question = match &app.confirm {
        Some(Pending::Bulk { question, .. } | Pending::Quit { question }) => question.as_str(),
        None => "",
    };
    let area = boxed(screen, (question.chars().count() as u16 + 4).max(30), 3);
    let inner = frame(theme, area, " Are you sure? ", buf);
    draw_text(buf, inner, question, theme.warning(), app.bidi);
}
