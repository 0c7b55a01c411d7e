//! The article list: one row per article, title in its own direction.

use super::draw::{draw_line, draw_text};
use super::layout::inner;
use super::theme::Theme;
use crate::app::{App, Focus, Tone};
use crate::corpus::{Direction, direction_of};
use crate::recent::Recent;
use crate::search::matcher::highlight_offsets;
use crate::search::query::Query;
use crate::text::layout_line;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Widget};
use std::cell::RefCell;
use std::rc::Rc;
use unicode_width::UnicodeWidthStr;

/// Column widths for the visible rows.
struct Columns {
    title: u16,
    tags: u16,
    place: u16,
    sources: u16,
    id: u16,
}

fn columns(app: &App, width: u16, rows: std::ops::Range<usize>) -> Columns {
    let visible = || rows.clone().filter_map(|i| app.visible_article(i));
    let sources = 2;
    let width = width.saturating_sub(GUTTER);
    let tags = visible()
        .map(|a| tag_text(app, &a.id).width())
        .max()
        .unwrap_or(0)
        .min(usize::from(width / 6)) as u16;
    if width < 36 {
        return Columns {
            title: width.saturating_sub(sources + 1),
            tags: 0,
            place: 0,
            sources,
            id: 0,
        };
    }
    let id = visible()
        .map(|a| a.id.width())
        .max()
        .unwrap_or(0)
        .clamp(4, usize::from(width / 5).max(4)) as u16;
    let place = visible()
        .filter_map(|a| a.place.as_ref().map(|p| p.width()))
        .max()
        .unwrap_or(0)
        .min(usize::from(width / 6)) as u16;
    let gaps = 1 + u16::from(place > 0) + 1 + u16::from(tags > 0);
    Columns {
        title: width.saturating_sub(id + place + sources + gaps + tags),
        tags,
        place,
        sources,
        id,
    }
}

/// Marked and reviewed indicators before each title.
const GUTTER: u16 = 2;

/// The compact tag list of an article.
fn tag_text(app: &App, id: &str) -> String {
    let state = app.state_of(id);
    // Each tag isolated, so Arabic tags keep their own order and place.
    state
        .tags
        .iter()
        .map(|t| crate::text::isolate(t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `highlight_offsets`, remembered by query and title: every row is drawn again on every
/// frame, and finding the matched letters was half of a frame while a filter was kept.
fn matched_letters(title: &str, query_text: &str, query: &Query) -> Rc<[usize]> {
    thread_local! {
        static RECENT: RefCell<Recent<String, Rc<[usize]>>> = RefCell::new(Recent::new(256));
    }
    // The query is parsed from its text, so the text stands for it.
    let key = format!("{query_text}\0{title}");
    RECENT.with_borrow_mut(|recent| {
        recent.get_or_insert_with(
            key.as_str(),
            || key.clone(),
            || highlight_offsets(title, query).into(),
        )
    })
}

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Focus::List && app.overlay.is_none();
    let title = if app.corpus.is_empty() && app.loading() {
        " Articles (loading…) ".to_string()
    } else if app.result.is_some() {
        format!(
            " Articles ({} of {}) ",
            crate::ui::thousands(app.visible_len()),
            crate::ui::thousands(app.corpus.len())
        )
    } else {
        format!(" Articles ({}) ", crate::ui::thousands(app.corpus.len()))
    };
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.border(focused))
        .title(title)
        .render(area, buf);
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if app.corpus.is_empty() {
        let msg = if app.loading() {
            "Loading…"
        } else {
            "No articles were loaded. W shows why."
        };
        draw_text(buf, Rect { height: 1, ..inner }, msg, theme.dim(), app.bidi);
        return;
    }
    let first = app.list_offset;
    let last = (first + usize::from(inner.height)).min(app.visible_len());
    let cols = columns(app, inner.width, first..last);
    let query = app
        .filter
        .query()
        .filter(|_| app.result.is_some())
        .map(|q| (app.filter.text(), q));
    for (row, index) in (first..last).enumerate() {
        let Some(article) = app.visible_article(index) else {
            break;
        };
        let marks = query
            .map(|(text, q)| matched_letters(&article.title, text, q))
            .unwrap_or_default();
        let matched = |g: &crate::text::Glyph| {
            marks
                .iter()
                .any(|&o| o >= g.logical && o < g.logical_end.max(g.logical + 1))
        };
        let y = inner.y + row as u16;
        let base = if index == app.selected {
            theme.selected()
        } else {
            Style::new()
        };
        // Fill the row first so the gaps between columns carry the selection colour.
        draw_line(
            buf,
            Rect::new(inner.x, y, inner.width, 1),
            &Default::default(),
            base,
            |_| Style::new(),
        );
        let corpus_index = app.visible_index(index).unwrap_or(0) as u32;
        let marked = app.marks.contains(corpus_index as usize);
        let reviewed = app.state_of(&article.id).reviewed;
        let state = if marked {
            "▌"
        } else if app.gone.contains(&corpus_index) {
            "×"
        } else if app.fresh.contains(&corpus_index) {
            "+"
        } else {
            " "
        };
        let gutter = format!("{state}{}", if reviewed { "✓" } else { " " });
        draw_text(
            buf,
            Rect::new(inner.x, y, GUTTER, 1),
            &gutter,
            base.patch(theme.tone(Tone::Marker)),
            app.bidi,
        );
        let mut x = inner.x + GUTTER;
        let title = layout_line(
            &article.title,
            article.direction,
            usize::from(cols.title),
            app.bidi,
        );
        draw_line(buf, Rect::new(x, y, cols.title, 1), &title, base, |g| {
            if matched(g) {
                theme.tone(Tone::Match)
            } else {
                Style::new()
            }
        });
        x += cols.title + 1;
        if cols.tags > 0 {
            let tags = tag_text(app, &article.id);
            draw_text(
                buf,
                Rect::new(x, y, cols.tags, 1),
                &tags,
                base.patch(theme.tone(Tone::Marker)),
                app.bidi,
            );
            x += cols.tags + 1;
        }
        if cols.place > 0 {
            let place = article.place.as_deref().unwrap_or("");
            let line = layout_line(
                place,
                direction_of(place),
                usize::from(cols.place),
                app.bidi,
            );
            draw_line(buf, Rect::new(x, y, cols.place, 1), &line, base, |_| {
                theme.dim()
            });
            x += cols.place + 1;
        }
        let count = match article.sources.len() {
            0 => String::new(),
            n => format!("{n:>width$}", width = usize::from(cols.sources)),
        };
        draw_text(
            buf,
            Rect::new(x, y, cols.sources, 1),
            &count,
            base.patch(theme.dim()),
            app.bidi,
        );
        x += cols.sources + 1;
        if cols.id > 0 {
            let id = layout_line(&article.id, Direction::Ltr, usize::from(cols.id), app.bidi);
            draw_line(buf, Rect::new(x, y, cols.id, 1), &id, base, |_| theme.dim());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The letters remembered for a title are the ones found for the query asked, not for
    /// an earlier query on the same title.
    #[test]
    fn matched_letters_follow_the_query() {
        let title = "افتتاح مركز صحي في سبها";
        for text in ["مركز", "سبها", "'صحي", "مركز", "xyz"] {
            let query = Query::parse(text).expect("parses");
            let expected = highlight_offsets(title, &query);
            assert_eq!(*matched_letters(title, text, &query), *expected, "{text}");
            assert_eq!(*matched_letters(title, text, &query), *expected, "{text}");
        }
    }
}
