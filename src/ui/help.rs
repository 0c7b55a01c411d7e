//! The help overlay, generated from the live keymap.

use super::draw::draw_text;
use super::theme::Theme;
use crate::app::App;
use crate::keymap::{Keymap, Mode};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Clear, Widget};

/// Widest key list kept in the help's key column.
const KEY_COLUMN: usize = 24;

/// The help text: a heading per mode, then `keys  description` per action.
pub fn lines(keymap: &Keymap) -> Vec<(bool, String)> {
    let groups: Vec<(Mode, Vec<(String, &str)>)> = keymap
        .modes()
        .into_iter()
        .map(|mode| {
            let rows = keymap
                .bindings(mode)
                .into_iter()
                .map(|(action, keys)| {
                    let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                    (keys.join(", "), action.describe())
                })
                .collect();
            (mode, rows)
        })
        .collect();
    // The column fits the usual key lists; a longer one (six keys to go back) has a line
    // to itself, rather than pushing every description towards the right edge.
    let key_width = groups
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
        .filter(|&n| n <= KEY_COLUMN)
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for (mode, rows) in groups {
        if !out.is_empty() {
            out.push((false, String::new()));
        }
        out.push((true, heading(mode).to_string()));
        for (keys, description) in rows {
            if keys.chars().count() > key_width {
                out.push((false, format!("  {keys}")));
                out.push((false, format!("  {:key_width$}  {description}", "")));
            } else {
                out.push((false, format!("  {keys:<key_width$}  {description}")));
            }
        }
    }
    out
}

/// The key table for README.md: a section per mode, a row per action.
pub fn markdown(keymap: &Keymap) -> String {
    let mut out = String::new();
    for mode in keymap.modes() {
        out.push_str(&format!(
            "\n**{}**\n\n| keys | action |\n| --- | --- |\n",
            heading(mode)
        ));
        for (action, keys) in keymap.bindings(mode) {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            out.push_str(&format!("| {} | {} |\n", keys.join(" "), action.describe()));
        }
    }
    out
}

fn heading(mode: Mode) -> &'static str {
    match mode {
        Mode::Global => "Everywhere",
        Mode::List => "Article list",
        Mode::Detail => "Reading an article",
        Mode::Filter => "Filter line",
        Mode::TagPicker => "Tag picker",
        Mode::Note => "Writing a note",
        Mode::Confirm => "Questions (y/n)",
        Mode::Sources => "Sources overview",
        Mode::Help => "This help",
        Mode::Warnings => "Warnings view",
    }
}

/// A centred box covering most of the screen.
pub fn overlay_area(screen: Rect) -> Rect {
    let width = screen.width.saturating_sub(4).min(90);
    let height = screen.height.saturating_sub(2);
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + 1,
        width,
        height,
    }
}

pub fn render(app: &App, theme: Theme, screen: Rect, buf: &mut Buffer) {
    let heading = theme
        .tone(crate::app::Tone::Heading)
        .add_modifier(Modifier::BOLD);
    let rows = lines(&app.keymap).into_iter().map(|(is_heading, text)| {
        let style = if is_heading { heading } else { Style::new() };
        (text, style)
    });
    render_rows(app, theme, screen, buf, " Keys (Esc closes) ", rows);
}

/// A scrollable overlay of one-line rows (the help, the warnings): a centred box with
/// `title`, showing the rows from `app.overlay_scroll` on.
pub fn render_rows(
    app: &App,
    theme: Theme,
    screen: Rect,
    buf: &mut Buffer,
    title: &str,
    rows: impl Iterator<Item = (String, Style)>,
) {
    let area = overlay_area(screen);
    Clear.render(area, buf);
    Block::bordered()
        .border_style(theme.border(true))
        .title(title)
        .render(area, buf);
    let inner = super::layout::inner(area);
    for (i, (text, style)) in rows
        .skip(app.overlay_scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let row = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        draw_text(buf, row, &text, style, app.bidi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Descriptions start in one column that a long key list does not push right: such a
    /// list has its own line, its description under the others.
    #[test]
    fn a_long_key_list_does_not_widen_the_key_column() {
        let lines = lines(&Keymap::default_keymap());
        let texts: Vec<&str> = lines.iter().map(|(_, t)| t.as_str()).collect();
        let back = texts
            .iter()
            .position(|t| {
                t.trim_start()
                    .starts_with("h, enter, esc, tab, shift-tab, left")
            })
            .expect("the detail view's long key list");
        assert_eq!(texts[back + 1].trim(), "back to the list");
        let column = |t: &str| t.find("quit");
        let quit = texts.iter().find_map(|t| column(t)).expect("quit");
        assert_eq!(texts[back + 1].find("back"), Some(quit), "{texts:#?}");
        assert!(quit <= 2 + KEY_COLUMN + 2, "{texts:#?}");
    }
}
