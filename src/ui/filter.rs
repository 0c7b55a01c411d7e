//! The filter line, shown in place of the status line while the filter has the keyboard.

use super::draw::draw_text;
use super::theme::Theme;
use super::thousands;
use crate::app::App;
use crate::corpus::Direction;
use crate::search::matcher::{Order, Scope};
use crate::text::{BidiMode, layout_line};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// Text on the right of the filter line: scope, order and the count.
pub fn summary(app: &App) -> String {
    let scope = match app.filter.scope {
        Scope::Title => "titles",
        Scope::Body => "full text",
    };
    let order = match app.filter.order {
        Order::Score => "by score",
        Order::Corpus => "corpus order",
    };
    let count = if app.matching {
        "matching…".to_string()
    } else {
        format!(
            "{} of {}",
            thousands(app.visible_len()),
            thousands(app.corpus.len())
        )
    };
    format!("{scope} · {order} · {count} ")
}

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let right = match app.filter.error() {
        Some(e) => format!("{e} "),
        None => summary(app),
    };
    let right_w = (right.chars().count() as u16).min(area.width / 2);
    let input_w = area.width.saturating_sub(right_w + 1);
    // The query is typed in logical order; shown left to right, Arabic words in order.
    let prompt = Rect {
        width: 1.min(input_w),
        ..area
    };
    draw_text(buf, prompt, "/", theme.status(), BidiMode::Off);
    let field = Rect {
        x: area.x + 1,
        width: input_w.saturating_sub(1),
        ..area
    };
    let before = &app.filter.input[..app.filter.cursor];
    let line = layout_line(
        &app.filter.input,
        Direction::Ltr,
        usize::from(field.width.saturating_sub(1)),
        app.bidi,
    );
    super::draw::draw_line(buf, field, &line, Style::new(), |_| Style::new());
    // A block cursor after the glyph that ends at the cursor's logical position.
    let cursor_x = line
        .glyphs
        .iter()
        .scan(0u16, |x, g| {
            *x += u16::from(g.width);
            Some((g.logical_end, *x))
        })
        .filter(|(end, _)| *end <= before.len())
        .map(|(_, x)| x)
        .max()
        .unwrap_or(0);
    if field.width > 0 {
        let x = field.x + cursor_x.min(field.width - 1);
        buf[(x, area.y)].set_style(Style::new().add_modifier(Modifier::REVERSED));
    }
    let style = if app.filter.error().is_some() {
        theme.error()
    } else {
        theme.dim()
    };
    let r = Rect {
        x: area.x + area.width - right_w,
        width: right_w,
        ..area
    };
    draw_text(buf, r, &right, style, app.bidi);
}
