//! Application state and the pure `update`: messages in, effects out, no I/O.

mod detail;

pub use detail::{DetailDoc, Row, Tone};

use crate::corpus::{Article, Corpus, LoadEvent, LoadSummary, LoadWarning};
use crate::keymap::{Action, Keymap, Mode};
use crate::text::BidiMode;
use crate::ui::layout::{Panes, inner};
use ratatui::layout::Rect;
use std::sync::Arc;

/// Everything that can change the state.
#[derive(Debug)]
pub enum Msg {
    Action(Action),
    Load(LoadEvent),
    Resize { width: u16, height: u16 },
}

/// Side effects for the runtime to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Warnings,
}

/// Loading progress as the status line shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadProgress {
    pub files_total: Option<usize>,
    pub files_done: usize,
    pub bytes_total: u64,
    pub bytes_done: u64,
    pub finished: Option<LoadSummary>,
}

/// The whole application state; rendering reads it and never changes it.
pub struct App {
    pub corpus: Corpus,
    pub selected: usize,
    pub list_offset: usize,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub overlay_scroll: usize,
    pub detail_scroll: usize,
    /// The selected article laid out for the detail pane's width.
    pub detail: Option<DetailDoc>,
    pub size: Rect,
    pub load: LoadProgress,
    pub warnings: Vec<LoadWarning>,
    pub bidi: BidiMode,
    pub keymap: Arc<Keymap>,
    /// What was loaded, for the window and status line.
    pub source_label: String,
}

impl App {
    pub fn new(keymap: Arc<Keymap>, bidi: BidiMode, source_label: String) -> App {
        App {
            corpus: Corpus::new(),
            selected: 0,
            list_offset: 0,
            focus: Focus::List,
            overlay: None,
            overlay_scroll: 0,
            detail_scroll: 0,
            detail: None,
            size: Rect::new(0, 0, 80, 24),
            load: LoadProgress::default(),
            warnings: Vec::new(),
            bidi,
            keymap,
            source_label,
        }
    }

    /// The keymap mode for the current state.
    pub fn mode(&self) -> Mode {
        match (self.overlay, self.focus) {
            (Some(Overlay::Help), _) => Mode::Help,
            (Some(Overlay::Warnings), _) => Mode::Warnings,
            (None, Focus::List) => Mode::List,
            (None, Focus::Detail) => Mode::Detail,
        }
    }

    pub fn selected_article(&self) -> Option<&Article> {
        self.corpus.get(self.selected)
    }

    pub fn panes(&self) -> Option<Panes> {
        Panes::compute(self.size)
    }

    /// Rows visible in the list pane.
    pub fn list_height(&self) -> usize {
        self.panes()
            .map_or(1, |p| usize::from(inner(p.list).height).max(1))
    }

    fn detail_area(&self) -> Rect {
        self.panes().map_or(Rect::default(), |p| inner(p.detail))
    }

    fn detail_height(&self) -> usize {
        usize::from(self.detail_area().height).max(1)
    }

    /// Rows an overlay shows at once (it covers most of the screen).
    pub fn overlay_height(&self) -> usize {
        usize::from(self.size.height.saturating_sub(4)).max(1)
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Action(action) => return self.act(action),
            Msg::Load(event) => self.on_load(event),
            Msg::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                self.refresh_detail();
                self.keep_selection_visible();
            }
        }
        Vec::new()
    }

    fn on_load(&mut self, event: LoadEvent) {
        match event {
            LoadEvent::Scanned { files, bytes } => {
                self.load.files_total = Some(files);
                self.load.bytes_total = bytes;
            }
            LoadEvent::Batch {
                articles,
                files_done,
                bytes_done,
            } => {
                let was_empty = self.corpus.is_empty();
                self.corpus.push_batch(articles);
                self.load.files_done = files_done;
                self.load.bytes_done = bytes_done;
                if was_empty && !self.corpus.is_empty() {
                    self.refresh_detail();
                }
            }
            LoadEvent::Warnings(w) => self.warnings.extend(w),
            LoadEvent::Finished(summary) => self.load.finished = Some(summary),
        }
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => self.open_overlay(Overlay::Help),
            Action::ShowWarnings => self.open_overlay(Overlay::Warnings),
            Action::Close => self.overlay = None,
            Action::MoveDown => self.select_by(1),
            Action::MoveUp => self.select_by(-1),
            Action::PageDown => self.select_by(self.list_height() as isize),
            Action::PageUp => self.select_by(-(self.list_height() as isize)),
            Action::First => self.select(0),
            Action::Last => self.select(self.corpus.len().saturating_sub(1)),
            Action::FocusDetail => self.focus = Focus::Detail,
            Action::FocusList => self.focus = Focus::List,
            Action::NextArticle => self.select_by(1),
            Action::PrevArticle => self.select_by(-1),
            Action::ScrollDown => self.scroll_by(1),
            Action::ScrollUp => self.scroll_by(-1),
            Action::ScrollPageDown => self.scroll_by(self.page() as isize),
            Action::ScrollPageUp => self.scroll_by(-(self.page() as isize)),
            Action::ScrollTop => self.scroll_to(0),
            Action::ScrollBottom => self.scroll_to(usize::MAX),
        }
        Vec::new()
    }

    fn open_overlay(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
        self.overlay_scroll = 0;
    }

    fn page(&self) -> usize {
        match self.overlay {
            Some(_) => self.overlay_height(),
            None => self.detail_height().saturating_sub(1).max(1),
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        let current = match self.overlay {
            Some(_) => self.overlay_scroll,
            None => self.detail_scroll,
        };
        self.scroll_to(current.saturating_add_signed(delta));
    }

    fn scroll_to(&mut self, to: usize) {
        match self.overlay {
            Some(_) => self.overlay_scroll = to.min(self.overlay_len().saturating_sub(1)),
            None => {
                let rows = self.detail.as_ref().map_or(0, |d| d.rows.len());
                self.detail_scroll = to.min(rows.saturating_sub(self.detail_height()));
            }
        }
    }

    /// Lines of the open overlay, for scrolling limits.
    pub fn overlay_len(&self) -> usize {
        match self.overlay {
            Some(Overlay::Help) => crate::ui::help::lines(&self.keymap).len(),
            Some(Overlay::Warnings) => self.warnings.len().max(1),
            None => 0,
        }
    }

    fn select_by(&mut self, delta: isize) {
        let target = self.selected.saturating_add_signed(delta);
        self.select(target);
    }

    fn select(&mut self, index: usize) {
        let index = index.min(self.corpus.len().saturating_sub(1));
        if index != self.selected {
            self.selected = index;
            self.detail_scroll = 0;
            self.refresh_detail();
        }
        self.keep_selection_visible();
    }

    fn keep_selection_visible(&mut self) {
        let height = self.list_height();
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + height {
            self.list_offset = self.selected + 1 - height;
        }
        let max_offset = self.corpus.len().saturating_sub(height);
        self.list_offset = self.list_offset.min(max_offset);
    }

    fn refresh_detail(&mut self) {
        let width = usize::from(self.detail_area().width);
        self.detail = self
            .selected_article()
            .map(|a| DetailDoc::build(a, width, self.bidi));
        let rows = self.detail.as_ref().map_or(0, |d| d.rows.len());
        self.detail_scroll = self
            .detail_scroll
            .min(rows.saturating_sub(self.detail_height()));
    }

    /// True while files are still being read.
    pub fn loading(&self) -> bool {
        self.load.finished.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Origin;

    fn app_with(n: usize) -> App {
        let mut app = App::new(
            Arc::new(Keymap::default_keymap()),
            BidiMode::App,
            "test".into(),
        );
        app.update(Msg::Resize {
            width: 80,
            height: 24,
        });
        let articles = (0..n)
            .map(|i| {
                let origin = Origin {
                    path: Arc::from(format!("{i}.txt")),
                    line: None,
                };
                Article::from_lines(
                    format!("a{i}"),
                    origin,
                    ["Some text here. More.", "https://x.ly/1"],
                )
            })
            .collect();
        app.update(Msg::Load(LoadEvent::Batch {
            articles,
            files_done: n,
            bytes_done: 0,
        }));
        app
    }

    #[test]
    fn moving_and_paging_keep_the_selection_visible() {
        let mut app = app_with(100);
        let height = app.list_height();
        app.update(Msg::Action(Action::MoveDown));
        app.update(Msg::Action(Action::MoveDown));
        assert_eq!(app.selected, 2);
        assert_eq!(app.detail.as_ref().map(|d| d.id.as_str()), Some("a2"));
        app.update(Msg::Action(Action::PageDown));
        assert_eq!(app.selected, 2 + height);
        assert!(app.selected >= app.list_offset && app.selected < app.list_offset + height);
        app.update(Msg::Action(Action::Last));
        assert_eq!(app.selected, 99);
        assert_eq!(app.list_offset, 100 - height);
        app.update(Msg::Action(Action::MoveDown));
        assert_eq!(app.selected, 99);
        app.update(Msg::Action(Action::First));
        assert_eq!((app.selected, app.list_offset), (0, 0));
        app.update(Msg::Action(Action::MoveUp));
        assert_eq!(app.selected, 0);
    }

    #[test]
    fn focus_overlays_and_quit() {
        let mut app = app_with(3);
        assert_eq!(app.mode(), Mode::List);
        app.update(Msg::Action(Action::FocusDetail));
        assert_eq!(app.mode(), Mode::Detail);
        app.update(Msg::Action(Action::Help));
        assert_eq!(app.mode(), Mode::Help);
        app.update(Msg::Action(Action::Close));
        assert_eq!(app.mode(), Mode::Detail);
        assert_eq!(app.update(Msg::Action(Action::Quit)), vec![Effect::Quit]);
    }

    #[test]
    fn an_empty_corpus_is_safe() {
        let mut app = app_with(0);
        for a in [
            Action::MoveDown,
            Action::Last,
            Action::PageUp,
            Action::ScrollBottom,
        ] {
            app.update(Msg::Action(a));
        }
        assert_eq!(app.selected, 0);
        assert!(app.detail.is_none());
    }

    #[test]
    fn detail_scroll_is_clamped() {
        let mut app = app_with(2);
        app.update(Msg::Action(Action::FocusDetail));
        app.update(Msg::Action(Action::ScrollBottom));
        let rows = app.detail.as_ref().map_or(0, |d| d.rows.len());
        assert!(app.detail_scroll <= rows);
        app.update(Msg::Action(Action::ScrollTop));
        assert_eq!(app.detail_scroll, 0);
    }
}
