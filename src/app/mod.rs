//! Application state and the pure `update`: messages in, effects out, no I/O.

mod detail;
mod filter;
mod input;
mod sources;
pub use sources::DomainCount;
mod tagging;

pub use detail::{DetailDoc, Row, Tone};
pub use filter::Filter;
pub use input::LineInput;
pub use tagging::{DEFAULT_QUICK_TAGS, Pending, TagPicker};

use crate::corpus::{Article, Corpus, LoadEvent, LoadSummary, LoadWarning};
use crate::keymap::{Action, Keymap, Mode};
use crate::search::matcher::{Order, Scope};
use crate::search::worker::{MatchRequest, MatchResult};
use crate::store::worker::StoreEvent;
use crate::store::{Request, TagState};
use crate::text::BidiMode;
use crate::ui::layout::{Panes, inner};
use ratatui::layout::Rect;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Everything that can change the state.
#[derive(Debug)]
pub enum Msg {
    /// A key pressed (resolved through the keymap, sequences included).
    Key(crate::keymap::Key),
    Action(Action),
    /// A character typed into the filter line.
    Input(char),
    Load(LoadEvent),
    Matched(MatchResult),
    /// The domain counts the sources overview asked for.
    Domains {
        request: u64,
        counts: Vec<(String, usize)>,
    },
    Store(StoreEvent),
    /// Time passed without input (the detail pane catches up).
    Tick,
    /// What the runtime did (copied, opened), for the status line.
    Notice(String),
    /// Reports that arrived, changed or disappeared while running (`--watch`).
    Watch(crate::corpus::watch::WatchEvent),
    Mouse {
        kind: MouseKind,
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
}

/// Side effects for the runtime to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Run a query on the matcher thread.
    Match(MatchRequest),
    /// Count the domains of a list's sources, and send them back as `Msg::Domains`.
    CountDomains(sources::DomainCount),
    /// Save a change (numbered, so the store can say how far it got).
    Save(u64, Arc<Request>),
    /// Ctrl-Z: give the terminal back until `fg`.
    Suspend,
    /// Stop the load; what has loaded stays.
    CancelLoad,
    /// Put text on the analyst's clipboard; `what` names it in the status line.
    Copy {
        text: String,
        what: String,
    },
    /// Open a link in a browser (or copy it where that makes no sense).
    Open {
        url: String,
    },
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
    TagPicker,
    Note,
    Confirm,
    Sources,
}

/// Loading progress as the status line shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadProgress {
    pub files_total: Option<usize>,
    pub files_done: usize,
    pub bytes_total: u64,
    pub bytes_done: u64,
    pub finished: Option<LoadSummary>,
    /// Time since the load started, as of the last batch.
    pub elapsed: std::time::Duration,
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
    pub filter: Filter,
    /// The filter line has the keyboard.
    pub filter_editing: bool,
    /// Numbers match requests; only the newest one's result is applied.
    pub generation: u64,
    /// The applied result; `None` shows every article.
    pub result: Option<MatchResult>,
    /// A request is running whose result has not arrived.
    pub matching: bool,
    /// The corpus grew while a request was running: ask again when it answers.
    rematch: bool,
    /// Saved tags and decisions (the store's word); set with `set_saved`.
    pub tags: Arc<TagState>,
    /// How many saved articles carry each tag, for the tag picker (counted over every
    /// article for each frame, it took 100 ms per key with a million tagged).
    tags_in_use: std::collections::BTreeMap<String, usize>,
    /// Changes sent to the store and not yet confirmed saved.
    pub unsaved: Vec<(u64, Arc<Request>)>,
    /// Saved state with the `unsaved` changes applied, for the articles they touch: kept
    /// rather than worked out per look-up, which went through every change in flight
    /// (minutes for a bulk tag of 100,000 articles).
    in_flight: Arc<crate::store::InFlight>,
    /// Loaded articles that `in_flight` makes reviewed, less those it makes not reviewed.
    reviewed_in_flight: isize,
    /// Tags the changes in flight add, for the tag picker (a superset: one removed again
    /// stays until the store answers).
    tags_in_flight: BTreeSet<String>,
    next_save: u64,
    /// Why the last save failed; cleared by the next success.
    pub save_error: Option<String>,
    /// Something has been saved in this session.
    pub ever_saved: bool,
    /// The store is still reading the saved tags (`StoreEvent::Opened` ends it).
    pub tags_loading: bool,
    /// Input held until the saved tags are read: a key that needs them and every one
    /// after it (what a key means may depend on it, as the text of a note does).
    held_input: Option<Vec<Msg>>,
    /// What reading the saved tags found wrong, to list when the TUI closes.
    pub store_notices: Vec<String>,
    pub undo_count: usize,
    pub redo_count: usize,
    /// Articles marked for a bulk change.
    pub marks: Arc<crate::corpus::Marks>,
    pub quick_tags: Vec<String>,
    pub picker: TagPicker,
    pub note: LineInput,
    pub confirm: Option<Pending>,
    /// A short message for the status line (what the last action did).
    pub message: Option<String>,
    /// Corpus index of each article id (the newest, when a report changed on disk).
    pub ids: crate::corpus::IdTable,
    /// Bumped whenever tags, reviews or marks change (queries on them run again).
    pub state_version: u64,
    /// Loaded articles reviewed in the saved state, kept up to date as articles load and
    /// the store sends changes (see `reviewed`).
    saved_reviewed: usize,
    /// Whether the article at each corpus index is reviewed as the analyst sees it, kept
    /// as states change: `n` looked up every article below the selection (0.4 s over a
    /// million reviewed ones). Kept for the newest article of each id.
    reviewed_at: Vec<bool>,
    /// Articles an article loaded later shares its id with (a report moved to another
    /// file, under `--watch`): `reviewed_at` may be stale for these, so they are looked up.
    shadowed: std::collections::HashSet<u32>,
    /// Keys typed so far of a sequence (`g` of `g g`).
    pub pending_keys: Vec<crate::keymap::Key>,
    /// The detail pane shows an article the selection has moved away from; a `Tick`
    /// after a pause brings it up to date.
    pub detail_due: bool,
    /// The source under the cursor in the detail pane.
    pub source_cursor: Option<usize>,
    /// Domains of the listed articles with counts (the sources overview); `None` while
    /// they are counted.
    pub overview: Option<Vec<(String, usize)>>,
    /// Numbers the overview's counts asked for.
    overview_request: u64,
    pub overview_selected: usize,
    /// Articles that arrived or changed while running (corpus indices).
    pub fresh: std::collections::HashSet<u32>,
    /// Articles whose file was deleted on disk (kept: they may carry tags).
    pub gone: std::collections::HashSet<u32>,
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    ScrollUp,
    ScrollDown,
    Click,
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
            filter: Filter::default(),
            filter_editing: false,
            generation: 0,
            result: None,
            matching: false,
            rematch: false,
            tags: Arc::new(TagState::default()),
            tags_in_use: Default::default(),
            unsaved: Vec::new(),
            in_flight: Arc::default(),
            reviewed_in_flight: 0,
            tags_in_flight: BTreeSet::new(),
            next_save: 0,
            save_error: None,
            ever_saved: false,
            tags_loading: false,
            held_input: None,
            store_notices: Vec::new(),
            undo_count: 0,
            redo_count: 0,
            marks: Arc::default(),
            quick_tags: DEFAULT_QUICK_TAGS.iter().map(|t| t.to_string()).collect(),
            picker: TagPicker::default(),
            note: LineInput::default(),
            confirm: None,
            message: None,
            ids: Default::default(),
            state_version: 0,
            saved_reviewed: 0,
            reviewed_at: Vec::new(),
            shadowed: Default::default(),
            pending_keys: Vec::new(),
            detail_due: false,
            source_cursor: None,
            overview: None,
            overview_request: 0,
            overview_selected: 0,
            fresh: std::collections::HashSet::new(),
            gone: Default::default(),
        }
    }

    /// Articles in the list: the filter's result, or the whole corpus.
    pub fn visible_len(&self) -> usize {
        match &self.result {
            Some(r) => r.hits.len(),
            None => self.corpus.len(),
        }
    }

    /// Corpus index of the article at list position `row`.
    pub fn visible_index(&self, row: usize) -> Option<usize> {
        match &self.result {
            Some(r) => r.hits.get(row).map(|&i| i as usize),
            None => (row < self.corpus.len()).then_some(row),
        }
    }

    /// The article at list position `row`.
    pub fn visible_article(&self, row: usize) -> Option<&Article> {
        self.visible_index(row).and_then(|i| self.corpus.get(i))
    }

    /// The keymap mode for the current state.
    pub fn mode(&self) -> Mode {
        match (self.overlay, self.focus) {
            (Some(Overlay::Help), _) => Mode::Help,
            (Some(Overlay::Warnings), _) => Mode::Warnings,
            (Some(Overlay::TagPicker), _) => Mode::TagPicker,
            (Some(Overlay::Note), _) => Mode::Note,
            (Some(Overlay::Confirm), _) => Mode::Confirm,
            (Some(Overlay::Sources), _) => Mode::Sources,
            (None, _) if self.filter_editing => Mode::Filter,
            (None, Focus::List) => Mode::List,
            (None, Focus::Detail) => Mode::Detail,
        }
    }

    /// Corpus index of the article with this id.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.ids.find(id, |n| self.corpus.id(n))
    }

    pub fn selected_article(&self) -> Option<&Article> {
        self.visible_article(self.selected)
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

    /// Rows the detail pane shows.
    pub(crate) fn detail_rows(&self) -> usize {
        self.detail_height()
    }

    /// Scroll the detail pane just enough to show `row`.
    pub(crate) fn reveal_detail_row(&mut self, row: usize) {
        let h = self.detail_height();
        if row < self.detail_scroll {
            self.detail_scroll = row;
        } else if row >= self.detail_scroll + h {
            self.detail_scroll = row + 1 - h;
        }
        self.clamp_detail_scroll();
    }

    pub(crate) fn clamp_detail_scroll(&mut self) {
        let rows = self.detail.as_ref().map_or(0, |d| d.rows.len());
        self.detail_scroll = self
            .detail_scroll
            .min(rows.saturating_sub(self.detail_height()));
    }

    fn detail_height(&self) -> usize {
        usize::from(self.detail_area().height).max(1)
    }

    /// Rows an overlay shows at once (it covers most of the screen).
    pub fn overlay_height(&self) -> usize {
        usize::from(self.size.height.saturating_sub(4)).max(1)
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        if let Some(held) = &mut self.held_input
            && matches!(
                msg,
                Msg::Key(_) | Msg::Action(_) | Msg::Input(_) | Msg::Mouse { .. }
            )
        {
            // Ctrl-C drops the keys waiting and does what it always does.
            let interrupt =
                matches!(msg, Msg::Key(k) if k.ctrl && k.code == crate::keymap::KeyName::Char('c'));
            if !interrupt {
                held.push(msg);
                return Vec::new();
            }
            self.held_input = None;
            self.message = Some("keys waiting for the saved tags dropped".into());
        }
        match msg {
            Msg::Key(key) => return self.on_key(key),
            Msg::Action(action) => return self.act(action),
            Msg::Input(c) => {
                if self.overlay_input(c) {
                    return Vec::new();
                }
                if self.filter_editing && self.overlay.is_none() {
                    self.filter.insert(c);
                    return self.filter_changed();
                }
            }
            Msg::Store(event) => {
                let mut effects = self.on_store(event);
                if !self.tags_loading {
                    for msg in self.held_input.take().into_iter().flatten() {
                        effects.extend(self.update(msg));
                    }
                }
                return effects;
            }
            Msg::Notice(text) => self.message = Some(text),
            Msg::Watch(event) => return self.on_watch(event),
            Msg::Mouse { kind, column, row } => self.on_mouse(kind, column, row),
            Msg::Tick => {
                if self.detail_due {
                    self.refresh_detail();
                } else {
                    self.extend_detail(0, DetailDoc::STEP_BYTES);
                }
            }
            Msg::Load(event) => return self.on_load(event),
            Msg::Matched(result) => return self.on_matched(result),
            Msg::Domains { request, counts } => self.on_domains(request, counts),
            Msg::Resize { width, height } => {
                // Rows move with the width: the paragraph at the top of the detail pane
                // stays at the top.
                let top = self
                    .detail
                    .as_ref()
                    .filter(|_| !self.detail_due && self.detail_scroll > 0)
                    .and_then(|d| {
                        d.rows
                            .iter()
                            .skip(self.detail_scroll)
                            .find_map(|r| r.paragraph)
                    });
                self.size = Rect::new(0, 0, width, height);
                if top.is_some() {
                    self.detail_scroll = 0;
                }
                self.refresh_detail();
                if let Some(p) = top {
                    self.scroll_detail_to_paragraph(p);
                }
                self.keep_selection_visible();
            }
        }
        Vec::new()
    }

    fn on_key(&mut self, key: crate::keymap::Key) -> Vec<Effect> {
        use crate::keymap::{KeyName, Resolved};
        let mode = self.mode();
        match self.keymap.resolve(mode, &self.pending_keys, key) {
            Resolved::Action(a) => {
                self.pending_keys.clear();
                self.act(a)
            }
            Resolved::Pending => {
                self.pending_keys.push(key);
                Vec::new()
            }
            Resolved::Unbound => {
                self.pending_keys.clear();
                // In a line of text (filter, tag picker, note), unbound printable keys are text.
                match key.code {
                    KeyName::Char(c) if mode.takes_text() && !key.ctrl && !key.alt => {
                        self.update(Msg::Input(c))
                    }
                    _ => Vec::new(),
                }
            }
        }
    }

    /// The wheel scrolls the pane under the pointer; a click selects a row or focuses
    /// the detail pane. Overlays ignore the mouse.
    fn on_mouse(&mut self, kind: MouseKind, column: u16, row: u16) {
        let Some(panes) = self.panes() else {
            return;
        };
        if self.overlay.is_some() || self.filter_editing {
            return;
        }
        let at = ratatui::layout::Position::new(column, row);
        if panes.list.contains(at) {
            match kind {
                MouseKind::ScrollDown => self.select_by(3),
                MouseKind::ScrollUp => self.select_by(-3),
                MouseKind::Click => {
                    self.focus = Focus::List;
                    let inner = inner(panes.list);
                    if inner.contains(at) {
                        self.select(self.list_offset + usize::from(row - inner.y));
                    }
                }
            }
        } else if panes.detail.contains(at) {
            match kind {
                MouseKind::ScrollDown => self.scroll_by(3),
                MouseKind::ScrollUp => self.scroll_by(-3),
                MouseKind::Click => {
                    self.focus = Focus::Detail;
                    if self.detail_due {
                        self.refresh_detail();
                    }
                }
            }
        }
    }

    /// New reports join the corpus and changed ones take the place of their old version,
    /// both marked new; deleted ones stay listed, marked deleted, since they may carry
    /// tags. Selection and filter are kept.
    fn on_watch(&mut self, event: crate::corpus::watch::WatchEvent) -> Vec<Effect> {
        use crate::corpus::watch::WatchEvent;
        match event {
            WatchEvent::Changed {
                articles,
                new_files,
                changed_files,
                warnings,
            } => {
                let mut added = Vec::new();
                let mut replaced = Vec::new();
                for a in articles {
                    // The same id from the same file: a new version of that report.
                    let old = self.index_of(&a.id).filter(|&old| {
                        self.corpus
                            .get(old as usize)
                            .is_some_and(|o| o.origin.path == a.origin.path)
                    });
                    match old {
                        // A rewritten JSON Lines file brings back its unchanged records
                        // too, and a deleted file may come back as it was.
                        Some(old) if self.corpus.get(old as usize) == Some(&a) => {
                            self.gone.remove(&old);
                        }
                        Some(old) => {
                            self.fresh.insert(old);
                            self.gone.remove(&old);
                            replaced.push((old as usize, a));
                        }
                        None => added.push(a),
                    }
                }
                let any_replaced = !replaced.is_empty();
                self.corpus.replace(replaced);
                let first = self.corpus.len() as u32;
                self.fresh.extend(first..first + added.len() as u32);
                self.warnings.extend(warnings);
                self.message = Some(format!(
                    "{new_files} new and {changed_files} changed report files"
                ));
                let (files_done, bytes_done) = (self.load.files_done, self.load.bytes_done);
                let mut effects = self.on_load(LoadEvent::Batch {
                    articles: added.into(),
                    files_done,
                    bytes_done,
                });
                if any_replaced && effects.is_empty() {
                    // A new version may match differently.
                    effects = self.match_again();
                }
                self.refresh_detail();
                effects
            }
            WatchEvent::Removed(paths) => {
                let paths: std::collections::HashSet<&str> =
                    paths.iter().map(String::as_str).collect();
                let mut n = 0;
                for (i, a) in self.corpus.iter().enumerate() {
                    if paths.contains(a.origin.path.as_ref()) && self.gone.insert(i as u32) {
                        n += 1;
                    }
                }
                self.message = Some(format!(
                    "{n} report{} deleted on disk (kept in the list)",
                    if n == 1 { "" } else { "s" }
                ));
                self.refresh_detail();
                Vec::new()
            }
        }
    }

    fn on_load(&mut self, event: LoadEvent) -> Vec<Effect> {
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
                let was_empty = self.visible_len() == 0;
                let grew = !articles.is_empty();
                let first = self.corpus.len();
                self.corpus.push_batch(articles);
                for i in first..self.corpus.len() {
                    let Some(id) = self.corpus.get(i).map(|a| a.id.as_str()) else {
                        continue;
                    };
                    let corpus = &self.corpus;
                    let before = self.ids.set(id, i as u32, |n| corpus.id(n));
                    let saved = self.tags.get(id).is_some_and(|s| s.reviewed);
                    if before.is_none() && saved {
                        self.saved_reviewed += 1;
                    }
                    self.shadowed.extend(before);
                    let reviewed = self.in_flight.get(id).map_or(saved, |s| s.reviewed);
                    self.reviewed_at.push(reviewed);
                }
                self.load.files_done = files_done;
                self.load.bytes_done = bytes_done;
                if was_empty && self.visible_len() > 0 {
                    self.refresh_detail();
                }
                if grew {
                    // New articles must be filtered too.
                    return self.match_again();
                }
            }
            LoadEvent::Warnings(w) => self.warnings.extend(w),
            LoadEvent::Elapsed(elapsed) => self.load.elapsed = elapsed,
            LoadEvent::Finished(summary) => {
                if summary.cancelled {
                    self.message = Some(format!(
                        "load cancelled: {} articles kept",
                        crate::ui::thousands(self.corpus.len())
                    ));
                }
                self.load.finished = Some(summary);
            }
        }
        Vec::new()
    }

    /// The corpus changed under the filter: match again, after the run in flight if there
    /// is one (one request at a time).
    fn match_again(&mut self) -> Vec<Effect> {
        if self.filter.query().is_none() {
            return Vec::new();
        }
        if self.matching {
            self.rematch = true;
            return Vec::new();
        }
        self.request_match()
    }

    fn request_match(&mut self) -> Vec<Effect> {
        let Some(query) = self.filter.query() else {
            return Vec::new();
        };
        self.generation += 1;
        self.matching = true;
        self.rematch = false;
        vec![Effect::Match(MatchRequest {
            generation: self.generation,
            corpus: self.corpus.clone(),
            query: query.clone(),
            scope: self.filter.scope,
            order: self.filter.order,
            state: self.match_state(),
        })]
    }

    /// The filter line changed: run the new query, or show everything when it is empty.
    fn filter_changed(&mut self) -> Vec<Effect> {
        match &self.filter.parsed {
            None => {
                let keep = self.selected_corpus_index();
                self.generation += 1;
                self.matching = false;
                self.result = None;
                self.reselect(keep);
                Vec::new()
            }
            // A malformed term is shown in the filter line; the last result stays.
            Some(Err(_)) => Vec::new(),
            Some(Ok(_)) => self.request_match(),
        }
    }

    fn on_matched(&mut self, result: MatchResult) -> Vec<Effect> {
        if result.generation != self.generation {
            return Vec::new();
        }
        let keep = self.selected_corpus_index();
        // Partial results show at once; the search is still running.
        self.matching = !result.complete;
        let complete = result.complete;
        self.result = Some(result);
        self.reselect(keep);
        if complete && self.rematch {
            return self.request_match();
        }
        Vec::new()
    }

    fn selected_corpus_index(&self) -> Option<usize> {
        self.visible_index(self.selected)
    }

    /// Keep the selection on the same article when it is still listed, else go to the top.
    fn reselect(&mut self, corpus_index: Option<usize>) {
        let row = corpus_index.and_then(|want| match &self.result {
            Some(r) => r.hits.iter().position(|&i| i as usize == want),
            None => Some(want),
        });
        let before = self.selected_article().map(|a| a.id.clone());
        self.selected = row.unwrap_or(0);
        self.keep_selection_visible();
        if self.selected_article().map(|a| a.id.clone()) != before {
            self.detail_scroll = 0;
        }
        self.refresh_detail();
    }

    /// Tags and marks as the matcher should see them (only built when a query needs them).
    fn match_state(&self) -> Option<Arc<crate::search::matcher::StateView>> {
        let query = self.filter.query()?;
        if !query.uses_state() {
            return None;
        }
        Some(Arc::new(crate::search::matcher::StateView {
            tags: self.tags.clone(),
            in_flight: self.in_flight.clone(),
            marks: self.marks.clone(),
            version: self.state_version,
        }))
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        if self.overlay == Some(Overlay::Sources) {
            return self.overview_action(action);
        }
        if let Some(effects) = self.overlay_action(action) {
            return effects;
        }
        if let Some(effects) = self.source_action(action) {
            return effects;
        }
        if let Some(effects) = self.tag_action(action) {
            return effects;
        }
        match action {
            Action::Quit => return self.quit(),
            Action::Suspend => return vec![Effect::Suspend],
            // Ctrl-C: stops a load in progress; otherwise quits.
            Action::Interrupt if self.loading() => {
                self.message = Some("cancelling the load…".into());
                return vec![Effect::CancelLoad];
            }
            Action::Interrupt => return self.quit(),
            Action::Help => self.open_overlay(Overlay::Help),
            Action::ShowWarnings => self.open_overlay(Overlay::Warnings),
            Action::Close => self.overlay = None,
            Action::MoveDown => self.select_by(1),
            Action::MoveUp => self.select_by(-1),
            Action::PageDown => self.select_by(self.list_height() as isize),
            Action::PageUp => self.select_by(-(self.list_height() as isize)),
            Action::First => self.select(0),
            Action::Last => self.select(self.visible_len().saturating_sub(1)),
            Action::FocusDetail => {
                self.focus = Focus::Detail;
                if self.detail_due {
                    self.refresh_detail();
                }
            }
            Action::FocusList => self.focus = Focus::List,
            Action::NextArticle => self.select_by(1),
            Action::PrevArticle => self.select_by(-1),
            Action::ScrollDown => self.scroll_by(1),
            Action::ScrollUp => self.scroll_by(-1),
            Action::ScrollPageDown => self.scroll_by(self.page() as isize),
            Action::ScrollPageUp => self.scroll_by(-(self.page() as isize)),
            Action::ScrollTop => self.scroll_to(0),
            Action::ScrollBottom => self.scroll_to(usize::MAX),
            Action::OpenFilter => {
                self.filter_editing = true;
                self.filter.line.end();
            }
            Action::FilterAccept => self.filter_editing = false,
            Action::FilterCancel | Action::ClearFilter => {
                self.filter_editing = false;
                if !self.filter.text().is_empty() {
                    self.filter.clear();
                    return self.filter_changed();
                }
            }
            Action::ToggleScope => {
                self.filter.scope = match self.filter.scope {
                    Scope::Title => Scope::Body,
                    Scope::Body => Scope::Title,
                };
                return self.request_match();
            }
            Action::ToggleOrder => {
                self.filter.order = match self.filter.order {
                    Order::Score => Order::Corpus,
                    Order::Corpus => Order::Score,
                };
                return self.request_match();
            }
            Action::DeleteBack | Action::DeleteWord | Action::ClearInput
                if self.filter.edit(action) =>
            {
                return self.filter_changed();
            }
            Action::CursorLeft | Action::CursorRight | Action::CursorHome | Action::CursorEnd => {
                self.filter.edit(action);
            }
            // Handled above, or meaningless outside their overlay.
            _ => {}
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
                self.extend_detail(to.saturating_add(self.detail_height()), 0);
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
            Some(Overlay::TagPicker | Overlay::Note | Overlay::Confirm | Overlay::Sources)
            | None => 0,
        }
    }

    pub(crate) fn select_by(&mut self, delta: isize) {
        let target = self.selected.saturating_add_signed(delta);
        self.select(target);
    }

    pub(crate) fn select(&mut self, index: usize) {
        let index = index.min(self.visible_len().saturating_sub(1));
        if index != self.selected {
            self.selected = index;
            self.detail_scroll = 0;
            self.source_cursor = None;
            if self.focus == Focus::List {
                // Scrolling through the list: the detail pane follows when the movement
                // pauses, so each keystroke writes two rows, not a whole article.
                self.detail_due = true;
            } else {
                self.refresh_detail();
            }
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
        let max_offset = self.visible_len().saturating_sub(height);
        self.list_offset = self.list_offset.min(max_offset);
    }

    pub(crate) fn refresh_detail(&mut self) {
        self.detail_due = false;
        let width = usize::from(self.detail_area().width);
        // Enough rows for the pane as it is scrolled; Ticks lay out the rest.
        let rows = self.detail_scroll + self.detail_height();
        self.detail = self.selected_article().map(|a| {
            let mut doc = DetailDoc::start(a, width, self.bidi, Some(&self.state_of(&a.id)));
            doc.extend(a, rows, DetailDoc::STEP_BYTES);
            doc
        });
        self.show_source_cursor();
        self.clamp_detail_scroll();
    }

    /// Run `f` on the laid-out article and the article it lays out. When the pane lays
    /// out another than the one selected (the selection moved, a reload), the selected
    /// one is laid out anew instead and `f` is not run.
    fn with_detail<T>(&mut self, f: impl FnOnce(&mut DetailDoc, &Article, &App) -> T) -> Option<T> {
        let doc = self.detail.take();
        let Some(article) = self.selected_article() else {
            self.detail = doc;
            return None;
        };
        match doc {
            Some(mut doc) if doc.id == article.id && !self.detail_due => {
                let out = f(&mut doc, article, self);
                self.detail = Some(doc);
                Some(out)
            }
            _ => {
                self.refresh_detail();
                None
            }
        }
    }

    /// Highlight the source under the cursor and the paragraphs it backs.
    pub(crate) fn show_source_cursor(&mut self) {
        self.with_detail(|doc, article, app| {
            doc.cursor = app
                .source_cursor
                .and_then(|c| article.sources.get(c).map(|s| (c, s.paragraphs.clone())));
        });
    }

    /// The selected article's saved state changed: its head is laid out again, its body
    /// kept.
    pub(crate) fn restate_detail(&mut self) {
        self.with_detail(|doc, article, app| {
            doc.restate(article, Some(&app.state_of(&article.id)))
        });
        self.clamp_detail_scroll();
    }

    fn scroll_detail_to_paragraph(&mut self, paragraph: usize) {
        let row = self.with_detail(|doc, article, _| doc.row_of_paragraph(article, paragraph));
        if let Some(row) = row.flatten() {
            self.extend_detail(row + self.detail_height(), 0);
            self.detail_scroll = row;
            self.clamp_detail_scroll();
        }
    }

    /// Lay out more of a long article: until `rows` rows, and then about `bytes` more.
    pub(crate) fn extend_detail(&mut self, rows: usize, bytes: usize) {
        self.with_detail(|doc, article, _| doc.extend(article, rows, bytes));
    }

    /// A long article is still being laid out, and no other work holds it back: the
    /// loop should send `Tick`s as soon as no input is waiting.
    pub fn detail_pending(&self) -> bool {
        !self.detail_due && self.detail.as_ref().is_some_and(DetailDoc::partial)
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
    use crate::store::ArticleState;

    /// An app at 80x24 with nothing loaded.
    fn fresh_app() -> App {
        let mut app = App::new(
            Arc::new(Keymap::default_keymap()),
            BidiMode::App,
            "test".into(),
        );
        app.update(Msg::Resize {
            width: 80,
            height: 24,
        });
        app
    }

    fn app_with(n: usize) -> App {
        let mut app = fresh_app();
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
        assert_eq!(
            app.detail.as_ref().map(|d| d.id.as_str()),
            Some("a0"),
            "follows after a pause"
        );
        assert!(app.detail_due);
        app.update(Msg::Tick);
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
    fn a_report_changed_on_disk_takes_its_old_versions_place() {
        let mut app = app_with(3);
        let origin = Origin {
            path: Arc::from("1.txt"),
            line: None,
        };
        let changed = Article::from_lines("a1".into(), origin, ["New text. More."]);
        // The same id from another file is another report.
        let elsewhere = Origin {
            path: Arc::from("other.txt"),
            line: None,
        };
        let clash = Article::from_lines("a2".into(), elsewhere, ["Other text."]);
        // Read again but not changed (a rewritten JSON Lines file, a deleted file put
        // back): left alone, no longer marked deleted.
        let same = app.corpus.get(0).cloned().expect("loaded");
        app.update(Msg::Watch(crate::corpus::watch::WatchEvent::Removed(vec![
            "0.txt".into(),
        ])));
        assert!(app.gone.contains(&0));
        app.update(Msg::Watch(crate::corpus::watch::WatchEvent::Changed {
            articles: vec![same, changed, clash],
            new_files: 1,
            changed_files: 1,
            warnings: Vec::new(),
        }));
        // The new version in the old one's place.
        assert_eq!(app.corpus.len(), 4);
        assert_eq!(app.index_of("a1"), Some(1));
        assert_eq!(
            app.corpus.get(1).map(|a| a.title.as_str()),
            Some("New text. More.")
        );
        assert!(app.fresh.contains(&1) && app.fresh.contains(&3));
        assert!(!app.fresh.contains(&0));
        assert_eq!(app.corpus.edits(), 1);
        assert!(app.gone.is_empty());
        assert_eq!(app.index_of("a2"), Some(3));
        assert_eq!(app.index_of("a0"), Some(0));
        assert_eq!(app.index_of("a3"), None);
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

    /// Feed messages, running match requests synchronously as the worker would.
    fn drive(app: &mut App, msgs: Vec<Msg>) {
        let mut matcher = crate::search::matcher::Matcher::new();
        let mut queue: std::collections::VecDeque<Msg> = msgs.into();
        while let Some(msg) = queue.pop_front() {
            for effect in app.update(msg) {
                if let Effect::Match(r) = effect {
                    let state = r.state.as_deref();
                    let hits = matcher
                        .run(&r.corpus, &r.query, r.scope, r.order, state, &|| false)
                        .expect("runs");
                    queue.push_front(Msg::Matched(MatchResult::from_hits(r.generation, &hits)));
                } else if let Effect::CountDomains(count) = effect {
                    queue.push_front(Msg::Domains {
                        request: count.request,
                        counts: count.run(),
                    });
                }
            }
        }
    }

    fn typed(text: &str) -> Vec<Msg> {
        text.chars().map(Msg::Input).collect()
    }

    fn titled(titles: &[&str]) -> App {
        let mut app = fresh_app();
        let articles = titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let origin = Origin {
                    path: Arc::from(format!("{i}.txt")),
                    line: None,
                };
                Article::from_lines(format!("t{i}"), origin, [*t])
            })
            .collect();
        app.update(Msg::Load(LoadEvent::Batch {
            articles,
            files_done: 1,
            bytes_done: 0,
        }));
        app
    }

    #[test]
    fn typing_narrows_and_the_selection_stays_on_its_article() {
        let mut app = titled(&[
            "port reopened",
            "bank notes",
            "the port of misrata",
            "water cuts",
        ]);
        drive(
            &mut app,
            vec![Msg::Action(Action::MoveDown), Msg::Action(Action::MoveDown)],
        );
        assert_eq!(app.selected_article().map(|a| a.id.as_str()), Some("t2"));
        drive(&mut app, vec![Msg::Action(Action::OpenFilter)]);
        assert_eq!(app.mode(), Mode::Filter);
        drive(&mut app, typed("port"));
        assert_eq!(app.visible_len(), 2);
        assert_eq!(
            app.selected_article().map(|a| a.id.as_str()),
            Some("t2"),
            "still selected"
        );
        // Enter keeps the filter and gives the keys back to the list.
        drive(&mut app, vec![Msg::Action(Action::FilterAccept)]);
        assert_eq!(app.mode(), Mode::List);
        assert_eq!(app.visible_len(), 2);
        // Keys typed in the list are not text.
        drive(&mut app, typed("x"));
        assert_eq!(app.filter.text(), "port");
        // Esc in the list clears the filter; the selection stays on t2.
        drive(&mut app, vec![Msg::Action(Action::ClearFilter)]);
        assert_eq!(app.visible_len(), 4);
        assert_eq!(app.selected_article().map(|a| a.id.as_str()), Some("t2"));
    }

    #[test]
    fn a_vanished_selection_moves_to_the_top_and_esc_cancels() {
        let mut app = titled(&["port reopened", "bank notes", "the port of misrata"]);
        drive(
            &mut app,
            vec![
                Msg::Action(Action::MoveDown),
                Msg::Action(Action::OpenFilter),
            ],
        );
        drive(&mut app, typed("port"));
        assert_eq!(app.selected, 0);
        assert_eq!(app.selected_article().map(|a| a.id.as_str()), Some("t0"));
        drive(&mut app, vec![Msg::Action(Action::FilterCancel)]);
        assert_eq!(app.mode(), Mode::List);
        assert!(app.filter.text().is_empty());
        assert_eq!(app.visible_len(), 3);
    }

    #[test]
    fn a_malformed_term_keeps_the_last_result_and_shows_an_error() {
        let mut app = titled(&["port reopened", "bank notes"]);
        drive(&mut app, vec![Msg::Action(Action::OpenFilter)]);
        drive(&mut app, typed("bank !"));
        assert!(app.filter.error().is_some(), "a lone ! is an empty term");
        assert_eq!(app.visible_len(), 1, "the result for `bank` stays");
        drive(&mut app, vec![Msg::Action(Action::DeleteBack)]);
        drive(&mut app, typed("lang:"));
        assert!(app.filter.error().is_some());
        drive(&mut app, typed("en"));
        assert!(app.filter.error().is_none());
        assert_eq!(
            app.visible_len(),
            1,
            "bank lang:en: only the bank article, which is English"
        );
        drive(&mut app, vec![Msg::Action(Action::ClearInput)]);
        assert_eq!(app.visible_len(), 2);
    }

    #[test]
    fn stale_results_are_ignored() {
        let mut app = titled(&["port reopened", "bank notes"]);
        app.update(Msg::Action(Action::OpenFilter));
        let old = app.update(Msg::Input('p'));
        app.update(Msg::Input('o'));
        let Some(Effect::Match(r)) = old.into_iter().next() else {
            panic!("a request");
        };
        app.update(Msg::Matched(MatchResult {
            generation: r.generation,
            hits: Arc::from([0u32, 1]),
            complete: true,
        }));
        assert!(
            app.result.is_none(),
            "an answer to an older query is dropped"
        );
    }

    #[test]
    fn partial_results_show_while_matching_goes_on() {
        let mut app = titled(&["port reopened", "bank notes", "port again"]);
        app.update(Msg::Action(Action::OpenFilter));
        let effects = app.update(Msg::Input('p'));
        let Some(Effect::Match(r)) = effects.into_iter().next() else {
            panic!("a request");
        };
        let partial = |hits: &[u32], complete| MatchResult {
            generation: r.generation,
            hits: Arc::from(hits),
            complete,
        };
        app.update(Msg::Matched(partial(&[0], false)));
        assert_eq!(app.visible_len(), 1);
        assert!(app.matching, "still matching");
        let line = crate::ui::filter::summary(&app);
        assert!(line.contains("1 of 3 · matching…"), "{line}");
        app.update(Msg::Matched(partial(&[0, 2], true)));
        assert_eq!(app.visible_len(), 2);
        assert!(!app.matching);
        let line = crate::ui::filter::summary(&app);
        assert!(line.ends_with("2 of 3 "), "{line}");
    }

    #[test]
    fn articles_loaded_later_are_filtered_too() {
        let mut app = titled(&["port reopened"]);
        drive(&mut app, vec![Msg::Action(Action::OpenFilter)]);
        drive(&mut app, typed("port"));
        let origin = Origin {
            path: Arc::from("late.txt"),
            line: None,
        };
        let late = vec![
            Article::from_lines("late1".into(), origin.clone(), ["a port again"]),
            Article::from_lines("late2".into(), origin, ["nothing here"]),
        ];
        drive(
            &mut app,
            vec![Msg::Load(LoadEvent::Batch {
                articles: late.into(),
                files_done: 2,
                bytes_done: 0,
            })],
        );
        assert_eq!(app.visible_len(), 2);
        assert_eq!(app.corpus.len(), 3);
    }

    /// Requests the app sent to the store, in order.
    fn saves(effects: &[Effect]) -> Vec<Request> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Save(_, r) => Some(Request::clone(r)),
                _ => None,
            })
            .collect()
    }

    fn ops(r: &Request) -> Vec<(String, Op)> {
        match r {
            Request::Changes(c) => c
                .iter()
                .map(|(id, op, _)| (id.clone(), op.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    use crate::store::Op;

    #[test]
    fn the_reviewed_count_follows_loading_and_tagging() {
        let mut app = fresh_app();
        let mut saved = TagState::default();
        for id in ["a1", "a3", "elsewhere"] {
            saved.apply(id, &Op::Review, crate::store::state::Meta::default());
        }
        app.set_saved(saved);
        let mut loaded = app_with(5);
        app.update(Msg::Load(LoadEvent::Batch {
            articles: loaded.corpus.iter().take(2).cloned().collect(),
            files_done: 2,
            bytes_done: 0,
        }));
        assert_eq!(app.reviewed(), 1, "a1 is loaded, a3 not yet");
        let rest: Vec<Article> = loaded.corpus.iter().skip(1).cloned().collect();
        app.update(Msg::Load(LoadEvent::Batch {
            articles: rest.into(),
            files_done: 5,
            bytes_done: 0,
        }));
        assert_eq!(
            app.reviewed(),
            2,
            "a3 counts once loaded; a1 again is no new article"
        );
        app.update(Msg::Action(Action::QuickTag1)); // a0: tagged and reviewed, in flight
        assert_eq!(app.reviewed(), 3);
        loaded.update(Msg::Action(Action::ToggleReviewed));
        assert_eq!(loaded.reviewed(), 1);
    }

    /// Until the store has read the saved tags, a key that needs them waits, and every
    /// key after it (here the text of a note, which would otherwise go to the list).
    #[test]
    fn keys_that_need_the_saved_tags_wait_for_them() {
        let mut app = titled(&["one", "two", "three"]);
        app.tags_loading = true;
        app.update(Msg::Action(Action::MoveDown));
        assert_eq!(app.selected, 1, "moving does not wait");
        app.update(Msg::Action(Action::ToggleMark));
        assert_eq!(app.marks.len(), 1, "marks do not wait");
        app.update(Msg::Action(Action::First));
        app.update(Msg::Action(Action::MoveDown));
        let held = [
            Msg::Action(Action::EditNote),
            Msg::Key(crate::keymap::Key {
                code: crate::keymap::KeyName::Char('!'),
                ctrl: false,
                alt: false,
            }),
            Msg::Action(Action::Accept),
            Msg::Action(Action::MoveDown),
        ];
        for msg in held {
            assert!(app.update(msg).is_empty());
        }
        assert_eq!(app.overlay, None);
        assert_eq!(app.selected, 1);
        assert!(app.message.as_deref().is_some_and(|m| m.contains("wait")));
        assert_eq!(
            crate::ui::status::text(&app).0,
            "2 / 3 · scanning… · reading saved tags… · 1 marked"
        );

        let mut saved = TagState::default();
        let meta = crate::store::state::Meta::default();
        saved.apply("t0", &Op::Review, meta);
        saved.apply(
            "t1",
            &Op::Note {
                text: "seen".into(),
                was: String::new(),
            },
            meta,
        );
        let effects = app.update(Msg::Store(StoreEvent::Opened {
            state: saved,
            undo: 2,
            redo: 0,
            notices: vec!["tags.json was unreadable".into()],
        }));
        assert_eq!(
            saves(&effects).iter().map(ops).collect::<Vec<_>>(),
            [[(
                "t1".to_string(),
                Op::Note {
                    text: "seen!".into(),
                    was: "seen".into()
                }
            )]],
            "the note opened with its saved text"
        );
        assert_eq!(app.selected, 2, "the keys after it followed");
        assert_eq!(app.reviewed(), 1);
        assert_eq!(app.undo_count, 2);
        assert_eq!(app.store_notices, ["tags.json was unreadable"]);
        assert!(!app.tags_loading);
        app.update(Msg::Action(Action::First));
        assert_eq!(app.selected, 0, "keys are no longer held");

        // Ctrl-C is never held: it drops what waits and does what it always does (while
        // loading, stops the load).
        let mut app = titled(&["one", "two"]);
        app.tags_loading = true;
        app.update(Msg::Action(Action::ToggleReviewed));
        app.update(Msg::Action(Action::MoveDown));
        let ctrl_c = crate::keymap::Key {
            code: crate::keymap::KeyName::Char('c'),
            ctrl: true,
            alt: false,
        };
        assert_eq!(app.update(Msg::Key(ctrl_c)), [Effect::CancelLoad]);
        app.update(Msg::Action(Action::MoveDown));
        assert_eq!(app.selected, 1);
    }

    #[test]
    fn quick_tags_toggle_and_review() {
        let mut app = titled(&["one", "two", "three"]);
        let e = app.update(Msg::Action(Action::QuickTag1));
        let r = saves(&e);
        assert_eq!(
            ops(&r[0]),
            [
                (
                    "t0".into(),
                    Op::Tag {
                        tag: "relevant".into()
                    }
                ),
                ("t0".into(), Op::Review)
            ]
        );
        assert!(
            app.state_of("t0").tags.contains("relevant"),
            "shown before it is saved"
        );
        assert_eq!(app.reviewed(), 1);
        assert_eq!(app.message.as_deref(), Some("tag \u{2068}relevant\u{2069}"));
        // Again: removes the tag (the review stays).
        let e = app.update(Msg::Action(Action::QuickTag1));
        assert_eq!(
            ops(&saves(&e)[0]),
            [(
                "t0".into(),
                Op::Untag {
                    tag: "relevant".into()
                }
            )]
        );
        assert!(app.state_of("t0").reviewed);
        assert_eq!(
            app.message.as_deref(),
            Some("untag \u{2068}relevant\u{2069}")
        );
    }

    #[test]
    fn tag_and_advance_moves_to_the_next_unreviewed() {
        let mut app = titled(&["one", "two", "three", "four"]);
        app.update(Msg::Action(Action::MoveDown));
        app.update(Msg::Action(Action::ToggleReviewed)); // t1 reviewed
        app.update(Msg::Action(Action::First));
        app.update(Msg::Action(Action::TagAndAdvance2));
        assert_eq!(
            app.selected_article().map(|a| a.id.as_str()),
            Some("t2"),
            "t1 is reviewed already"
        );
        assert!(app.state_of("t0").tags.contains("irrelevant"));
        assert_eq!(
            app.message.as_deref(),
            Some("tag \u{2068}irrelevant\u{2069} · next")
        );
        app.update(Msg::Action(Action::NextUnreviewed));
        assert_eq!(app.selected_article().map(|a| a.id.as_str()), Some("t3"));
    }

    #[test]
    fn bulk_changes_ask_first_and_count() {
        let mut app = titled(&["one", "two", "three"]);
        app.update(Msg::Action(Action::MarkAll));
        assert_eq!(app.marks.len(), 3);
        let e = app.update(Msg::Action(Action::QuickTag3));
        assert!(saves(&e).is_empty(), "nothing yet");
        assert_eq!(app.mode(), Mode::Confirm);
        let Some(Pending::Bulk { question, .. }) = &app.confirm else {
            panic!("a question");
        };
        assert_eq!(
            *question,
            format!(
                "tag {} on 3 articles? (y/n)",
                crate::text::isolate("follow-up")
            )
        );
        let e = app.update(Msg::Action(Action::Confirm));
        assert_eq!(ops(&saves(&e)[0]).len(), 6, "three tags, three reviews");
        // Cancelling sends nothing.
        app.update(Msg::Action(Action::QuickTag1));
        let e = app.update(Msg::Action(Action::Cancel));
        assert!(saves(&e).is_empty());
        assert_eq!(app.mode(), Mode::List);
        app.update(Msg::Action(Action::MarkAll));
        assert!(app.marks.is_empty(), "mark all again clears");
    }

    #[test]
    fn the_tag_picker_creates_and_toggles_tags() {
        let mut app = titled(&["one", "two"]);
        app.update(Msg::Action(Action::OpenTagPicker));
        assert_eq!(app.mode(), Mode::TagPicker);
        for c in "urgent".chars() {
            app.update(Msg::Input(c));
        }
        assert_eq!(app.picker_suggestions()[0], ("urgent".to_string(), true));
        let e = app.update(Msg::Action(Action::Accept));
        assert_eq!(
            ops(&saves(&e)[0])[0],
            (
                "t0".into(),
                Op::Tag {
                    tag: "urgent".into()
                }
            )
        );
        // Fuzzy completion from tags in use.
        app.update(Msg::Action(Action::MoveDown));
        app.update(Msg::Action(Action::OpenTagPicker));
        for c in "urg".chars() {
            app.update(Msg::Input(c));
        }
        let s = app.picker_suggestions();
        assert!(s.contains(&("urgent".to_string(), false)), "{s:?}");
    }

    #[test]
    fn notes_are_saved_with_what_they_replace() {
        let mut app = titled(&["one"]);
        app.update(Msg::Action(Action::EditNote));
        assert_eq!(app.mode(), Mode::Note);
        for c in "call the council".chars() {
            app.update(Msg::Input(c));
        }
        let e = app.update(Msg::Action(Action::Accept));
        assert_eq!(
            ops(&saves(&e)[0]),
            [(
                "t0".into(),
                Op::Note {
                    text: "call the council".into(),
                    was: String::new()
                }
            )]
        );
        assert_eq!(app.state_of("t0").note, "call the council");
        let doc = app.detail.as_ref().expect("detail");
        assert!(
            doc.to_text().contains("Note   call the council"),
            "{}",
            doc.to_text()
        );
    }

    #[test]
    fn a_failed_save_asks_before_quitting() {
        let mut app = titled(&["one"]);
        app.update(Msg::Action(Action::QuickTag1));
        app.update(Msg::Store(StoreEvent::Failed {
            id: 1,
            error: "No space left on device".into(),
        }));
        assert!(app.update(Msg::Action(Action::Quit)).is_empty());
        assert_eq!(app.mode(), Mode::Confirm);
        assert_eq!(app.update(Msg::Action(Action::Confirm)), vec![Effect::Quit]);
        // Once saved, quitting is immediate.
        let mut app = titled(&["one"]);
        app.update(Msg::Action(Action::QuickTag1));
        app.update(Msg::Store(StoreEvent::Saved {
            through: 1,
            updates: Vec::new(),
            undo: 1,
            redo: 0,
        }));
        assert!(app.unsaved.is_empty());
        assert_eq!(app.update(Msg::Action(Action::Quit)), vec![Effect::Quit]);
    }

    /// A change in flight is shown with the saved tags, but without the saved stamp
    /// (who, when, on which text): that is the store's to give once it is saved.
    #[test]
    fn a_change_in_flight_shows_no_stamp_until_it_is_saved() {
        let mut app = titled(&["one"]);
        let stamped = |tags: &[&str], analyst: &str| {
            let mut s = ArticleState::default();
            for tag in tags {
                s.apply(&Op::Tag {
                    tag: tag.to_string(),
                });
            }
            s.analyst = analyst.to_string();
            s.updated = "2026-12-01T10:00:00Z".to_string();
            s.fingerprint = Some("0123456789abcdef".to_string());
            Some(s)
        };
        app.update(Msg::Store(StoreEvent::External {
            updates: [("t0".to_string(), stamped(&["follow-up"], "ana"))].into(),
            changes: 1,
        }));
        assert_eq!(app.state_of("t0").analyst, "ana");
        app.update(Msg::Action(Action::QuickTag1));
        let state = app.state_of("t0");
        assert_eq!(
            state.tags.iter().collect::<Vec<_>>(),
            ["follow-up", "relevant"]
        );
        assert!(state.reviewed);
        assert_eq!(
            (state.analyst.as_str(), state.fingerprint.as_deref()),
            ("", None)
        );
        app.update(Msg::Store(StoreEvent::Saved {
            through: 1,
            updates: [("t0".to_string(), stamped(&["follow-up", "relevant"], "sam"))].into(),
            undo: 1,
            redo: 0,
        }));
        assert_eq!(app.state_of("t0").analyst, "sam");
    }

    /// What the analyst sees is the store's state with the changes not yet saved on
    /// top, whichever order the store's answers and another session's changes come in.
    #[test]
    fn changes_in_flight_stay_on_top_of_each_state_the_store_sends() {
        let mut app = titled(&["one", "two", "three"]);
        // New states from the store: tagged (and reviewed), or none left.
        let updates = |changes: &[(&str, &[&str])]| -> crate::store::Updates {
            let state = |tags: &[&str]| {
                let mut s = ArticleState::default();
                for tag in tags {
                    s.apply(&Op::Tag {
                        tag: tag.to_string(),
                    });
                    s.apply(&Op::Review);
                }
                (!tags.is_empty()).then_some(s)
            };
            changes
                .iter()
                .map(|(id, tags)| (id.to_string(), state(tags)))
                .collect()
        };
        let tags = |app: &App, id: &str| -> Vec<String> {
            app.state_of(id).tags.iter().cloned().collect()
        };
        // Three saves in flight: t0 tagged relevant and irrelevant, then t1 irrelevant.
        app.update(Msg::Action(Action::QuickTag1));
        app.update(Msg::Action(Action::QuickTag2));
        assert_eq!(app.selected_article().map(|a| a.id.as_str()), Some("t0"));
        app.update(Msg::Action(Action::MoveDown));
        app.update(Msg::Action(Action::QuickTag2));
        assert_eq!(tags(&app, "t0"), ["irrelevant", "relevant"]);
        assert_eq!(tags(&app, "t1"), ["irrelevant"]);
        assert_eq!(app.reviewed(), 2);
        // The first two are saved; the third is still in flight.
        app.update(Msg::Store(StoreEvent::Saved {
            through: 2,
            updates: updates(&[("t0", &["relevant", "irrelevant"])]),
            undo: 2,
            redo: 0,
        }));
        assert_eq!(tags(&app, "t0"), ["irrelevant", "relevant"]);
        assert_eq!(tags(&app, "t1"), ["irrelevant"]);
        assert_eq!(app.reviewed(), 2);
        // Another session tags t1 and t2: t1 keeps the tag in flight too.
        app.update(Msg::Store(StoreEvent::External {
            updates: updates(&[("t1", &["follow-up"]), ("t2", &["follow-up"])]),
            changes: 4,
        }));
        assert_eq!(tags(&app, "t1"), ["follow-up", "irrelevant"]);
        assert_eq!(tags(&app, "t2"), ["follow-up"]);
        assert_eq!(app.reviewed(), 3);
        let in_use = |app: &App| -> Vec<(String, usize)> {
            app.tags_in_use
                .iter()
                .map(|(t, n)| (t.clone(), *n))
                .collect()
        };
        let counted = |pairs: &[(&str, usize)]| -> Vec<(String, usize)> {
            pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
        };
        assert_eq!(
            in_use(&app),
            counted(&[("follow-up", 2), ("irrelevant", 1), ("relevant", 1)])
        );
        // Saved, with t1 cleared and t0 untagged meanwhile by the other session: nothing
        // is in flight and the store's word is all there is.
        app.update(Msg::Store(StoreEvent::Saved {
            through: 3,
            updates: updates(&[("t0", &["relevant"]), ("t1", &[])]),
            undo: 3,
            redo: 0,
        }));
        assert!(app.unsaved.is_empty());
        assert_eq!(tags(&app, "t0"), ["relevant"]);
        assert!(tags(&app, "t1").is_empty());
        assert!(!app.state_of("t1").reviewed);
        assert_eq!(app.reviewed(), 2);
        assert_eq!(app.tags.articles.len(), 2);
        assert_eq!(in_use(&app), counted(&[("follow-up", 1), ("relevant", 1)]));
    }

    #[test]
    fn queries_on_tags_run_again_when_tags_change() {
        let mut app = titled(&["one", "two"]);
        drive(&mut app, vec![Msg::Action(Action::OpenFilter)]);
        drive(&mut app, typed("unreviewed"));
        assert_eq!(app.visible_len(), 2);
        drive(
            &mut app,
            vec![
                Msg::Action(Action::FilterAccept),
                Msg::Action(Action::ToggleReviewed),
            ],
        );
        assert_eq!(app.visible_len(), 1);
        drive(
            &mut app,
            vec![
                Msg::Action(Action::OpenFilter),
                Msg::Action(Action::ClearInput),
            ],
        );
        drive(&mut app, typed("marked"));
        assert_eq!(app.visible_len(), 0);
        drive(
            &mut app,
            vec![
                Msg::Action(Action::FilterAccept),
                Msg::Action(Action::ClearFilter),
                Msg::Action(Action::ToggleMark),
            ],
        );
        drive(&mut app, vec![Msg::Action(Action::OpenFilter)]);
        drive(&mut app, typed("marked"));
        assert_eq!(app.visible_len(), 1);
    }

    #[test]
    fn ctrl_c_stops_a_load_and_then_quits() {
        let mut app = App::new(
            Arc::new(Keymap::default_keymap()),
            BidiMode::App,
            "x".into(),
        );
        app.update(Msg::Load(LoadEvent::Scanned {
            files: 10,
            bytes: 100,
        }));
        assert!(app.loading());
        assert_eq!(
            app.update(Msg::Action(Action::Interrupt)),
            vec![Effect::CancelLoad]
        );
        app.update(Msg::Load(LoadEvent::Finished(LoadSummary {
            cancelled: true,
            ..LoadSummary::default()
        })));
        assert!(
            app.message
                .as_deref()
                .is_some_and(|m| m.starts_with("load cancelled"))
        );
        assert_eq!(
            app.update(Msg::Action(Action::Interrupt)),
            vec![Effect::Quit]
        );
    }

    #[test]
    fn a_long_load_shows_a_bar_rate_and_time_left() {
        let mut app = app_with(0);
        app.update(Msg::Load(LoadEvent::Scanned {
            files: 1000,
            bytes: 1000,
        }));
        app.update(Msg::Load(LoadEvent::Batch {
            articles: Default::default(),
            files_done: 250,
            bytes_done: 250,
        }));
        app.update(Msg::Load(LoadEvent::Elapsed(
            std::time::Duration::from_secs(2),
        )));
        let (left, _) = crate::ui::status::text(&app);
        assert!(
            left.contains("loading 250 / 1,000 files ███░░░░░░░"),
            "{left}"
        );
        assert!(left.contains("6 s left · ctrl-c stops"), "{left}");
    }

    #[test]
    fn the_mouse_scrolls_and_clicks_in_both_panes() {
        let mut app = app_with(50);
        let panes = app.panes().expect("fits");
        let (lx, ly) = (panes.list.x + 3, panes.list.y + 1);
        app.update(Msg::Mouse {
            kind: MouseKind::ScrollDown,
            column: lx,
            row: ly,
        });
        assert_eq!(app.selected, 3);
        app.update(Msg::Mouse {
            kind: MouseKind::Click,
            column: lx,
            row: ly + 4,
        });
        assert_eq!(app.selected, app.list_offset + 4);
        let (dx, dy) = (panes.detail.x + 3, panes.detail.y + 2);
        app.update(Msg::Mouse {
            kind: MouseKind::Click,
            column: dx,
            row: dy,
        });
        assert_eq!(app.mode(), Mode::Detail);
        assert_eq!(
            app.detail.as_ref().map(|d| d.id.clone()),
            app.selected_article().map(|a| a.id.clone())
        );
    }

    /// An app with two short articles and then a long one (`detail::tests::long_article`),
    /// selected, the detail pane focused.
    fn app_with_a_long_article() -> (App, Article) {
        let mut app = app_with(2);
        let long = detail::tests::long_article(600);
        app.update(Msg::Load(LoadEvent::Batch {
            articles: vec![long.clone()].into_iter().collect(),
            files_done: 3,
            bytes_done: 0,
        }));
        app.update(Msg::Action(Action::Last));
        app.update(Msg::Tick);
        let doc = app.detail.as_ref().expect("detail");
        assert_eq!(doc.id, "long");
        assert!(
            doc.partial() && app.detail_pending(),
            "laid out a step at a time"
        );
        app.update(Msg::Action(Action::FocusDetail));
        (app, long)
    }

    #[test]
    fn a_long_article_is_laid_out_in_ticks_between_keys() {
        let (mut app, long) = app_with_a_long_article();
        app.update(Msg::Action(Action::ScrollDown));
        assert_eq!(app.detail_scroll, 1, "keys work on what is laid out");
        let mut ticks = 0;
        while app.detail_pending() {
            app.update(Msg::Tick);
            ticks += 1;
        }
        assert!(ticks > 1, "{ticks} ticks");
        let doc = app.detail.as_ref().expect("detail");
        let whole = DetailDoc::build(&long, doc.width, BidiMode::App, Some(&app.state_of("long")));
        assert_eq!(doc.rows, whole.rows);
        assert_eq!(app.detail_scroll, 1);
    }

    #[test]
    fn resizing_keeps_the_paragraph_at_the_top_of_the_detail_pane() {
        let (mut app, _) = app_with_a_long_article();
        let top = |app: &App| {
            let doc = app.detail.as_ref().expect("detail");
            let row = &doc.rows[app.detail_scroll];
            let first = doc.rows.iter().position(|r| r.paragraph == row.paragraph);
            (row.paragraph, first == Some(app.detail_scroll))
        };
        // Down to the start of a paragraph well into the article.
        app.update(Msg::Action(Action::ScrollDown));
        while top(&app) != (Some(40), true) {
            app.update(Msg::Action(Action::ScrollDown));
        }
        for (width, height) in [(200, 60), (60, 20), (80, 24)] {
            app.update(Msg::Resize { width, height });
            assert_eq!(top(&app), (Some(40), true), "at {width}x{height}");
        }
    }

    #[test]
    fn reviewing_a_long_article_keeps_its_layout() {
        let (mut app, _) = app_with_a_long_article();
        app.update(Msg::Action(Action::ScrollBottom));
        let before = app.detail.clone().expect("detail");
        app.update(Msg::Action(Action::ToggleReviewed));
        let doc = app.detail.as_ref().expect("detail");
        assert!(!doc.partial(), "not laid out again from the top");
        let review = doc
            .rows
            .iter()
            .find(|r| r.line.to_padded_string(0).starts_with("Review"));
        assert!(
            review.is_some_and(|r| r.line.to_padded_string(0).starts_with("Review reviewed")),
            "the head shows the new state"
        );
        let body = |d: &DetailDoc| d.rows[d.rows.len() - 100..].to_vec();
        assert_eq!(body(doc), body(&before));
    }

    #[test]
    fn the_end_and_the_sources_of_a_long_article_lay_out_the_rest() {
        let (mut app, long) = app_with_a_long_article();
        app.update(Msg::Action(Action::ScrollBottom));
        let doc = app.detail.as_ref().expect("detail");
        assert!(!doc.partial());
        assert_eq!(app.detail_scroll + app.detail_rows(), doc.rows.len());

        let (mut app, _) = app_with_a_long_article();
        app.update(Msg::Action(Action::PrevSource));
        let last = long.sources.len() - 1;
        let doc = app.detail.as_ref().expect("detail");
        assert_eq!(doc.cursor.as_ref().map(|c| c.0), Some(last));
        let row = doc.rows.iter().position(|r| r.source == Some(last));
        assert!(
            row.is_some_and(|r| r >= app.detail_scroll && r < app.detail_scroll + app.detail_rows()),
            "the last source's row {row:?} is on screen (scrolled to {})",
            app.detail_scroll
        );
        // And back from the Sources section to the paragraph the source backs.
        app.update(Msg::Action(Action::JumpSource));
        let backed = long.sources[last].paragraphs[0];
        let doc = app.detail.as_ref().expect("detail");
        assert_eq!(doc.rows[app.detail_scroll].paragraph, Some(backed));
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

    /// `n` answers from `reviewed_at`, kept as states change rather than looked up per
    /// article: after any mix of changes, the store's answers (with updates, without, or
    /// failing), other sessions' changes and a report moved to another file, it must
    /// find what a look-up of every article finds, and the reviewed count must agree.
    #[test]
    fn next_unreviewed_agrees_with_looking_every_article_up() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let titles: Vec<String> = (0..12).map(|i| format!("report {i}")).collect();
        let mut app = titled(&titles.iter().map(String::as_str).collect::<Vec<_>>());
        // The store's state, as it would apply what it is sent.
        let mut store = TagState::default();
        let mut sent: Vec<(u64, Arc<Request>)> = Vec::new();
        let mut saved_through = 0;
        for step in 0..3000 {
            match next(10) {
                0..=2 => {
                    let row = next(app.visible_len() as u64) as usize;
                    app.select(row);
                    let action = [
                        Action::ToggleReviewed,
                        Action::QuickTag1,
                        Action::TagAndAdvance2,
                        Action::ToggleMark,
                    ][next(4) as usize];
                    let mut effects = app.update(Msg::Action(action));
                    if app.mode() == Mode::Confirm {
                        // Marked articles: asked first.
                        effects = app.update(Msg::Action(Action::Confirm));
                    }
                    for e in effects {
                        if let Effect::Save(id, r) = e {
                            sent.push((id, r));
                        }
                    }
                }
                3 => {
                    // Mark all (or clear), then a bulk review, answered yes.
                    app.update(Msg::Action(Action::MarkAll));
                    app.update(Msg::Action(Action::ToggleReviewed));
                    for e in app.update(Msg::Action(Action::Confirm)) {
                        if let Effect::Save(id, r) = e {
                            sent.push((id, r));
                        }
                    }
                    app.update(Msg::Action(Action::ClearMarks));
                }
                4..=6 if !sent.is_empty() => {
                    // The store saves some of what was sent; an update for each article
                    // whose state changed, except that now and then one goes missing.
                    let through = sent[next(sent.len() as u64) as usize].0.max(saved_through);
                    let mut updates = Vec::new();
                    for (_, r) in sent
                        .iter()
                        .filter(|(id, _)| *id > saved_through && *id <= through)
                    {
                        if let Request::Changes(changes) = &**r {
                            for (id, op, _) in changes {
                                let before = store.get(id).cloned();
                                let mut state = before.clone().unwrap_or_default();
                                state.apply(op);
                                let state = (!state.is_empty()).then_some(state);
                                if state != before && next(8) != 0 {
                                    match &state {
                                        Some(s) => store.articles.insert(id.clone(), s.clone()),
                                        None => store.articles.remove(id),
                                    };
                                    updates.push((id.clone(), state));
                                }
                            }
                        }
                    }
                    saved_through = through;
                    if next(4) == 0 {
                        app.update(Msg::Store(StoreEvent::Failed {
                            id: through,
                            error: "disk full".into(),
                        }));
                    } else {
                        app.update(Msg::Store(StoreEvent::Saved {
                            through,
                            updates,
                            undo: 0,
                            redo: 0,
                        }));
                    }
                }
                7 => {
                    // Another session reviews or clears an article.
                    let id = format!("t{}", next(12));
                    let state = (next(2) == 0).then(|| {
                        let mut s = ArticleState::default();
                        s.apply(&Op::Review);
                        s
                    });
                    match &state {
                        Some(s) => store.articles.insert(id.clone(), s.clone()),
                        None => store.articles.remove(&id),
                    };
                    app.update(Msg::Store(StoreEvent::External {
                        updates: vec![(id, state)],
                        changes: 1,
                    }));
                }
                _ => {}
            }
            if step == 1500 {
                // A report of the same id turns up in another file: both are listed.
                let origin = Origin {
                    path: Arc::from("moved.txt"),
                    line: None,
                };
                let article = Article::from_lines("t3".into(), origin, ["moved report"]);
                app.update(Msg::Watch(crate::corpus::watch::WatchEvent::Changed {
                    articles: vec![article],
                    new_files: 1,
                    changed_files: 0,
                    warnings: Vec::new(),
                }));
                assert_eq!(app.corpus.len(), 13);
            }
            // The status line's count agrees too: loaded articles (each id once) reviewed.
            let ids: BTreeSet<&str> = app.corpus.iter().map(|a| a.id.as_str()).collect();
            let reviewed = ids.iter().filter(|id| app.state_of(id).reviewed).count();
            assert_eq!(app.reviewed(), reviewed, "step {step}");
            for from in 0..app.visible_len() {
                app.select(from);
                let expected = (from + 1..app.visible_len()).find(|&row| {
                    app.visible_article(row)
                        .is_some_and(|a| !app.state_of(&a.id).reviewed)
                });
                app.update(Msg::Action(Action::NextUnreviewed));
                assert_eq!(
                    app.selected,
                    expected.unwrap_or(from),
                    "step {step}, from row {from}"
                );
            }
        }
    }

    /// The overview counts articles, not links, per domain; counted in parallel, it
    /// must add up the same however the list is split.
    #[test]
    fn sources_overview_counts_each_article_once_per_domain() {
        let mut app = fresh_app();
        let articles: Vec<Article> = (0..5000)
            .map(|i| {
                let origin = Origin {
                    path: Arc::from(format!("{i}.txt")),
                    line: None,
                };
                let mut lines = vec![format!("Report {i} from the coast.")];
                lines.push(format!("https://www.facebook.com/page/posts/{i}"));
                if i % 2 == 0 {
                    lines.push(format!("https://facebook.com/other/posts/{i}"));
                    lines.push(format!("https://news.example.ly/{i}"));
                }
                if i % 5 == 0 {
                    lines.push(format!("https://alwasat.ly/news/{i}"));
                }
                Article::from_lines(format!("a{i}"), origin, lines.iter().map(String::as_str))
            })
            .collect();
        app.update(Msg::Load(LoadEvent::Batch {
            articles: articles.into(),
            files_done: 5000,
            bytes_done: 0,
        }));
        // Counted off the UI thread: the overview says so until the counts come.
        let effects = app.update(Msg::Action(Action::SourcesOverview));
        assert_eq!(app.overview, None);
        // An answer to an earlier request is not shown.
        app.update(Msg::Domains {
            request: 0,
            counts: vec![("stale.ly".into(), 1)],
        });
        assert_eq!(app.overview, None);
        for effect in effects {
            if let Effect::CountDomains(count) = effect {
                let counts = count.run();
                app.update(Msg::Domains {
                    request: count.request,
                    counts,
                });
            }
        }
        let counts =
            |app: &App| -> Vec<(String, usize)> { app.overview.clone().unwrap_or_default() };
        assert_eq!(
            counts(&app),
            [
                ("facebook.com".to_string(), 5000),
                ("news.example.ly".to_string(), 2500),
                ("alwasat.ly".to_string(), 1000),
            ]
        );
        // Of the listed articles only.
        app.update(Msg::Action(Action::Cancel));
        let mut msgs = vec![Msg::Action(Action::OpenFilter)];
        msgs.extend(typed("report 12"));
        drive(&mut app, msgs);
        let listed = app.visible_len();
        assert!(listed > 0 && listed < 5000);
        drive(&mut app, vec![Msg::Action(Action::SourcesOverview)]);
        assert_eq!(counts(&app)[0], ("facebook.com".to_string(), listed));
    }

    /// The picker ticks the tags every target has, kept up to date while it is open.
    #[test]
    fn the_tag_picker_ticks_tags_every_target_has() {
        let mut app = titled(&["one", "two", "three"]);
        let open_and_type = |app: &mut App, tag: &str| {
            app.update(Msg::Action(Action::OpenTagPicker));
            for c in tag.chars() {
                app.update(Msg::Input(c));
            }
        };
        // t0 alone gets "local"; then all three get "urgent".
        open_and_type(&mut app, "local");
        app.update(Msg::Action(Action::Accept));
        app.update(Msg::Action(Action::MarkAll));
        open_and_type(&mut app, "urgent");
        app.update(Msg::Action(Action::Accept));
        assert_eq!(app.mode(), Mode::Confirm);
        app.update(Msg::Action(Action::Confirm));
        app.update(Msg::Action(Action::OpenTagPicker));
        let common = |app: &App| app.picker.common.iter().cloned().collect::<Vec<_>>();
        assert_eq!(common(&app), ["urgent"]);
        let suggested: Vec<String> = app.picker_suggestions().into_iter().map(|s| s.0).collect();
        assert!(suggested.contains(&"local".to_string()), "{suggested:?}");
        // With one article selected and nothing marked: its own tags.
        app.update(Msg::Action(Action::Cancel));
        app.update(Msg::Action(Action::ClearMarks));
        app.update(Msg::Action(Action::First));
        app.update(Msg::Action(Action::OpenTagPicker));
        assert_eq!(common(&app), ["local", "urgent"]);
        app.update(Msg::Action(Action::Cancel));
        // All saved; then another session takes "urgent" off t2 while the picker is open.
        let state = |tags: &[&str]| {
            let mut s = ArticleState::default();
            s.apply(&Op::Review);
            for tag in tags {
                s.apply(&Op::Tag {
                    tag: tag.to_string(),
                });
            }
            Some(s)
        };
        app.update(Msg::Store(StoreEvent::Saved {
            through: 2,
            updates: vec![
                ("t0".into(), state(&["local", "urgent"])),
                ("t1".into(), state(&["urgent"])),
                ("t2".into(), state(&["urgent"])),
            ],
            undo: 2,
            redo: 0,
        }));
        app.update(Msg::Action(Action::MarkAll));
        app.update(Msg::Action(Action::OpenTagPicker));
        assert_eq!(common(&app), ["urgent"]);
        app.update(Msg::Store(StoreEvent::External {
            updates: vec![("t2".into(), state(&[]))],
            changes: 1,
        }));
        assert!(common(&app).is_empty(), "t2 lost it");
    }

    /// Worked out in parts on both cores, the ticks must agree with every target's tags.
    #[test]
    fn the_tag_picker_ticks_across_many_marked_articles() {
        let titles: Vec<String> = (0..10_000).map(|i| format!("report {i}")).collect();
        let mut app = titled(&titles.iter().map(String::as_str).collect::<Vec<_>>());
        let tag_targets = |app: &mut App| {
            app.update(Msg::Action(Action::OpenTagPicker));
            for c in "local".chars() {
                app.update(Msg::Input(c));
            }
            app.update(Msg::Action(Action::Accept));
            if app.mode() == Mode::Confirm {
                app.update(Msg::Action(Action::Confirm));
            }
        };
        app.update(Msg::Action(Action::MarkAll));
        tag_targets(&mut app);
        app.update(Msg::Action(Action::OpenTagPicker));
        assert_eq!(app.picker.common.iter().collect::<Vec<_>>(), ["local"]);
        app.update(Msg::Action(Action::Cancel));
        // One article far down loses the tag: no longer common to all.
        app.update(Msg::Action(Action::ClearMarks));
        app.select(9_000);
        tag_targets(&mut app);
        assert!(!app.state_of("t9000").tags.contains("local"));
        app.update(Msg::Action(Action::MarkAll));
        app.update(Msg::Action(Action::OpenTagPicker));
        assert!(app.picker.common.is_empty());
    }
}
