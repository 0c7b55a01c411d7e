//! Putting laid-out glyphs into the buffer cell by cell, so every row is exactly as wide
//! as its area whatever the text.

use crate::text::{BidiMode, Glyph, VisualLine};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Draw `line` in the row `area` (height 1), padding the rest with `base`.
pub fn draw_line(
    buf: &mut Buffer,
    area: Rect,
    line: &VisualLine,
    base: Style,
    style_of: impl Fn(&Glyph) -> Style,
) {
    let width = usize::from(area.width);
    for x in area.x..area.x + area.width {
        buf[(x, area.y)].reset();
        buf[(x, area.y)].set_style(base);
    }
    let mut x = area.x + line.indent(width) as u16;
    let end = area.x + area.width;
    for g in line.glyphs() {
        let w = u16::from(g.width);
        if x + w > end {
            break;
        }
        let cell = &mut buf[(x, area.y)];
        cell.set_symbol(g.text);
        cell.set_style(base.patch(style_of(&g)));
        // The cell under the right half of a wide glyph must stay empty.
        for skip in x + 1..x + w {
            buf[(skip, area.y)].reset();
            buf[(skip, area.y)].set_style(base);
        }
        x += w;
    }
}

/// A left-to-right row of text (Arabic inside it ordered by `mode`), cut to fit.
pub fn draw_text(buf: &mut Buffer, area: Rect, text: &str, style: Style, mode: BidiMode) {
    let line = crate::text::layout_line(
        text,
        crate::corpus::Direction::Ltr,
        usize::from(area.width),
        mode,
    );
    draw_line(buf, area, &line, style, |_| Style::new());
}

/// An editable line with a block cursor, scrolled so the cursor stays visible.
pub fn draw_input(
    buf: &mut Buffer,
    area: Rect,
    input: &crate::app::LineInput,
    style: Style,
    mode: BidiMode,
) {
    if area.width == 0 {
        return;
    }
    let before = &input.text[..input.cursor];
    let width = usize::from(area.width.saturating_sub(1));
    // Show the end of a long line when the cursor is there.
    let skip = before.chars().count().saturating_sub(width);
    let start = before.char_indices().nth(skip).map_or(0, |(i, _)| i);
    let shown = &input.text[start..];
    let line = crate::text::layout_line(shown, crate::corpus::Direction::Ltr, width, mode);
    draw_line(buf, area, &line, style, |_| Style::new());
    let cursor_at = input.cursor - start;
    let cursor_x = line
        .glyphs()
        .scan(0u16, |x, g| {
            *x += u16::from(g.width);
            Some((g.logical_end, *x))
        })
        .filter(|(end, _)| *end <= cursor_at)
        .map(|(_, x)| x)
        .max()
        .unwrap_or(0);
    let x = area.x + cursor_x.min(area.width - 1);
    buf[(x, area.y)].set_style(style.add_modifier(ratatui::style::Modifier::REVERSED));
}

/// Replace anything in the buffer that could act as a terminal control: the last
/// line of defence for untrusted text, whatever path it took.
pub fn sanitize_buffer(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if !crate::text::is_safe_symbol(cell.symbol()) {
            let safe = crate::text::sanitize(cell.symbol());
            let safe = crate::text::without_bidi_controls(&safe).into_owned();
            cell.set_symbol(if safe.is_empty() { " " } else { &safe });
        }
    }
}
