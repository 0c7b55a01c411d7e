//! Read-only rendering of the application state.

pub mod detail;
pub mod draw;
pub mod filter;
pub mod help;
pub mod layout;
pub mod list;
pub mod status;
pub mod tagging;
pub mod theme;
pub mod warnings;

use crate::app::{App, Overlay};
use layout::Panes;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
pub use theme::Theme;

/// Draw the whole screen.
pub fn render(app: &App, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    render_buffer(app, theme, area, frame.buffer_mut());
}

/// Draw into a buffer (used by `render` and by tests).
pub fn render_buffer(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let Some(panes) = Panes::compute(area) else {
        too_small(area, buf);
        return;
    };
    list::render(app, theme, panes.list, buf);
    detail::render(app, theme, panes.detail, buf);
    if app.filter_editing {
        filter::render(app, theme, panes.status, buf);
    } else {
        status::render(app, theme, panes.status, buf);
    }
    match app.overlay {
        Some(Overlay::Help) => help::render(app, theme, area, buf),
        Some(Overlay::Warnings) => warnings::render(app, theme, area, buf),
        Some(Overlay::TagPicker) => tagging::render_picker(app, theme, area, buf),
        Some(Overlay::Note) => tagging::render_note(app, theme, area, buf),
        Some(Overlay::Confirm) => tagging::render_confirm(app, theme, area, buf),
        Some(Overlay::Sources) => tagging::render_sources(app, theme, area, buf),
        None => {}
    }
    draw::sanitize_buffer(buf);
}

fn too_small(area: Rect, buf: &mut Buffer) {
    let lines = [
        "Terminal too small".to_string(),
        format!(
            "{}x{}; needs {}x{}",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        ),
    ];
    let top = area.y + area.height.saturating_sub(2) / 2;
    for (i, text) in lines.iter().enumerate() {
        let y = top + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let w = (text.chars().count() as u16).min(area.width);
        let x = area.x + (area.width - w) / 2;
        draw::draw_text(
            buf,
            Rect::new(x, y, w, 1),
            text,
            ratatui::style::Style::new(),
            crate::text::BidiMode::Off,
        );
    }
}

/// 41200 → "41,200".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(41200), "41,200");
        assert_eq!(super::thousands(1000000), "1,000,000");
    }
}
