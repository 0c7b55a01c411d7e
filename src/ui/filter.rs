//! The filter line, shown in place of the status line while the filter has the keyboard.

use super::draw::draw_text;
use super::theme::Theme;
use super::thousands;
use crate::app::App;
use crate::search::matcher::{Order, Scope};
use crate::text::BidiMode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

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
    // What the list shows, and whether a search is still adding to it (partial results
    // and articles still loading arrive while the analyst reads).
    let count = format!(
        "{} of {}",
        thousands(app.visible_len()),
        thousands(app.corpus.len())
    );
    let running = if app.matching { " · matching…" } else { "" };
    format!("{scope} · {order} · {count}{running} ")
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
    super::draw::draw_input(buf, field, &app.filter.line, Style::new(), app.bidi);
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
