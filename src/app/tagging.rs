//! Tags, review, marks, notes, undo: what the analyst decides, sent to the store.

use super::input::LineInput;
use super::{App, Effect, Msg, Overlay};
use crate::corpus::{Held, Marks};
use crate::keymap::Action;
use crate::store::worker::StoreEvent;
use crate::store::{ArticleState, Op, Request, TagState, Updates};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The tag picker: what is typed and which suggestion is highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagPicker {
    pub input: LineInput,
    pub selected: usize,
    /// Tags every target has (shown ticked): worked out when the picker opens and when
    /// the state changes, not per frame (a million look-ups with all articles marked).
    pub common: BTreeSet<String>,
}

/// A change waiting for a yes: bulk changes say how many articles they touch first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Bulk { request: Request, question: String },
    Quit { question: String },
}

/// Default quick tags when the config file names none.
pub const DEFAULT_QUICK_TAGS: [&str; 3] = ["relevant", "irrelevant", "follow-up"];

/// Where `App::reviewed_at` keeps the flag of a change's article.
struct Flags<'a> {
    ids: &'a crate::corpus::IdTable,
    corpus: &'a crate::corpus::Corpus,
    shadowed: &'a std::collections::HashSet<u32>,
}

impl Flags<'_> {
    /// At the article the change holds (no look-up by id), unless an article loaded
    /// later has its id: then at that one.
    fn at(&self, id: &str, held: Option<&Held>) -> Option<usize> {
        let i = held?.index();
        if self.shadowed.is_empty() || !self.shadowed.contains(&(i as u32)) {
            return Some(i);
        }
        let corpus = self.corpus;
        self.ids.find(id, |n| corpus.id(n)).map(|n| n as usize)
    }
}

impl App {
    /// An article's state as the analyst sees it: saved state plus changes in flight.
    pub fn state_of(&self, id: &str) -> Cow<'_, ArticleState> {
        match self
            .in_flight
            .get(id)
            .map(|s| &**s)
            .or_else(|| self.tags.get(id))
        {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(ArticleState::default()),
        }
    }

    /// Apply `request`'s changes to `in_flight`. Changes are only made to loaded articles
    /// (the selected one or marked ones), so each review it flips counts.
    fn track(&mut self, request: &Request) {
        if let Request::Changes(changes) = request {
            let in_flight = Arc::make_mut(&mut self.in_flight);
            // Room for each article the changes touch (a tag and a review come in pairs):
            // grown step by step, the table was rebuilt again and again.
            let runs = changes.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
            in_flight.reserve(runs.min(changes.len()));
            let flags = Flags {
                ids: &self.ids,
                corpus: &self.corpus,
                shadowed: &self.shadowed,
            };
            for (id, op, held) in changes {
                let tags = &self.tags;
                let state = in_flight.entry(id.clone()).or_insert_with(|| {
                    Box::new(tags.get(id).map(ArticleState::seen).unwrap_or_default())
                });
                let before = isize::from(state.reviewed);
                state.apply(op);
                self.reviewed_in_flight += isize::from(state.reviewed) - before;
                if let Op::Tag { tag } = op
                    && !self.tags_in_flight.contains(tag)
                {
                    self.tags_in_flight.insert(tag.clone());
                }
                if let Some(i) = flags.at(id, held.as_ref()) {
                    self.reviewed_at[i] = state.reviewed;
                }
            }
        }
    }

    /// Articles a tag action applies to (corpus indices): the marked ones, or the
    /// selected one.
    fn targets(&self) -> Vec<usize> {
        if self.marks.is_empty() {
            self.visible_index(self.selected).into_iter().collect()
        } else {
            self.marks.iter().collect()
        }
    }

    /// The id of the article at corpus index `i`.
    fn id_at(&self, i: usize) -> &str {
        self.corpus.id(i as u32)
    }

    /// Whether the article at corpus index `i` is reviewed, as the analyst sees it.
    fn is_reviewed(&self, i: usize) -> bool {
        if self.shadowed.contains(&(i as u32)) {
            self.state_of(self.id_at(i)).reviewed
        } else {
            self.reviewed_at[i]
        }
    }

    /// Tags every target has.
    fn common_tags(&self) -> BTreeSet<String> {
        let mut targets = self.targets().into_iter();
        let mut common = targets
            .next()
            .map(|i| self.state_of(self.id_at(i)).tags.clone())
            .unwrap_or_default();
        for i in targets {
            if common.is_empty() {
                break;
            }
            let state = self.state_of(self.id_at(i));
            common.retain(|t| state.tags.contains(t));
        }
        common
    }

    /// Article `id` as loaded, for the store to fingerprint.
    fn held(&self, id: &str) -> Option<Held> {
        self.index_of(id).and_then(|i| self.corpus.hold(i as usize))
    }

    /// Add `tag` to the targets, or remove it when they all have it, with what that does
    /// in words. Tagging an article also marks it reviewed.
    fn toggle_tag(&self, tag: &str, targets: &[usize]) -> (Request, String) {
        let all_have = targets
            .iter()
            .all(|&i| self.state_of(self.id_at(i)).tags.contains(tag));
        // A tag and a review each: grown step by step, a million targets' changes were
        // copied again and again (a third of the question's time).
        let mut changes = Vec::with_capacity(targets.len() * if all_have { 1 } else { 2 });
        for &i in targets {
            let (id, fp) = (self.id_at(i), self.corpus.hold(i));
            if all_have {
                changes.push((
                    id.to_string(),
                    Op::Untag {
                        tag: tag.to_string(),
                    },
                    fp,
                ));
            } else {
                changes.push((
                    id.to_string(),
                    Op::Tag {
                        tag: tag.to_string(),
                    },
                    fp.clone(),
                ));
                if !self.is_reviewed(i) {
                    changes.push((id.to_string(), Op::Review, fp));
                }
            }
        }
        let verb = if all_have { "untag" } else { "tag" };
        let what = format!("{verb} {}", crate::text::isolate(tag));
        (Request::Changes(changes), what)
    }

    /// Send a request to the store (after a yes when it touches several articles).
    fn apply(&mut self, request: Request, what: String, count: usize) -> Vec<Effect> {
        if count > 1 {
            self.confirm = Some(Pending::Bulk {
                request,
                question: format!("{what} on {} articles? (y/n)", crate::ui::thousands(count)),
            });
            self.overlay = Some(Overlay::Confirm);
            return Vec::new();
        }
        self.message = Some(what);
        self.submit(request)
    }

    pub(super) fn submit(&mut self, request: Request) -> Vec<Effect> {
        self.next_save += 1;
        self.track(&request);
        // Shared with the store's queue: a bulk change holds 200,000 entries.
        let request = Arc::new(request);
        self.unsaved.push((self.next_save, request.clone()));
        let mut effects = vec![Effect::Save(self.next_save, request)];
        effects.extend(self.state_changed());
        effects
    }

    /// Tags or review changed: a query that filters on them must run again.
    fn state_changed(&mut self) -> Vec<Effect> {
        self.state_version += 1;
        self.restate_detail();
        if self.overlay == Some(Overlay::TagPicker) {
            self.picker.common = self.common_tags();
        }
        if self.filter.query().is_some_and(|q| q.uses_state()) {
            return self.request_match();
        }
        Vec::new()
    }

    pub(super) fn on_store(&mut self, event: StoreEvent) -> Vec<Effect> {
        // The saved state moves under the changes in flight: they are applied again after.
        let was_in_flight = std::mem::take(&mut self.in_flight);
        self.reviewed_in_flight = 0;
        self.tags_in_flight.clear();
        let (mut settled, mut saved) = (Vec::new(), Vec::new());
        match event {
            StoreEvent::Saved {
                through,
                updates,
                undo,
                redo,
            } => {
                settled = self.apply_updates(updates);
                let (done, unsaved) = std::mem::take(&mut self.unsaved)
                    .into_iter()
                    .partition(|(id, _)| *id <= through);
                (saved, self.unsaved) = (done, unsaved);
                self.save_error = None;
                self.undo_count = undo;
                self.redo_count = redo;
                self.ever_saved = true;
            }
            StoreEvent::Opened {
                state,
                undo,
                redo,
                notices,
            } => {
                self.tags_loading = false;
                self.set_saved(state);
                (self.undo_count, self.redo_count) = (undo, redo);
                self.save_error = None;
                if let Some(first) = notices.first() {
                    self.message = Some(match notices.len() {
                        1 => first.clone(),
                        // The count first: a long first notice is cut at the screen's edge.
                        n => format!(
                            "{n} problems with the saved tags (listed when you quit); first: {first}"
                        ),
                    });
                } else if self.held_input.is_some() {
                    self.message = None;
                }
                self.store_notices = notices;
            }
            StoreEvent::Failed { error, .. } => self.save_error = Some(error),
            StoreEvent::External { updates, changes } => {
                settled = self.apply_updates(updates);
                self.message = Some(format!(
                    "{changes} change{} from another session",
                    if changes == 1 { "" } else { "s" }
                ));
            }
        }
        let unsaved = std::mem::take(&mut self.unsaved);
        for (_, request) in &unsaved {
            self.track(request);
        }
        self.unsaved = unsaved;
        // Articles of the saved changes no longer in flight are as saved. Those the store
        // sent no update for (a change that changed nothing) are looked up.
        let mut is_settled = vec![false; self.reviewed_at.len()];
        for i in settled {
            is_settled[i as usize] = true;
        }
        for (_, request) in &saved {
            let Request::Changes(changes) = &**request else {
                continue;
            };
            let flags = Flags {
                ids: &self.ids,
                corpus: &self.corpus,
                shadowed: &self.shadowed,
            };
            for (id, _, held) in changes {
                let Some(i) = flags.at(id, held.as_ref()) else {
                    continue;
                };
                if !is_settled[i] && !self.in_flight.contains_key(id) {
                    self.reviewed_at[i] = self.state_of(id).reviewed;
                    is_settled[i] = true;
                }
            }
        }
        // Freed on another thread: a bulk change of a million articles is millions of
        // small blocks, a second of the UI thread's time.
        rayon::spawn(move || drop((saved, was_in_flight)));
        self.state_changed()
    }

    /// Handle a tagging action; `None` when the action is not one.
    pub(super) fn tag_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let needs_saved = action.quick_tag().is_some()
            || matches!(
                action,
                Action::OpenTagPicker
                    | Action::ToggleReviewed
                    | Action::NextUnreviewed
                    | Action::EditNote
                    | Action::Undo
                    | Action::Redo
            );
        if needs_saved && self.tags_loading {
            self.held_input = Some(vec![Msg::Action(action)]);
            self.message =
                Some("keys wait for the saved tags to be read (ctrl-c drops them)".into());
            return Some(Vec::new());
        }
        if let Some((slot, advance)) = action.quick_tag() {
            return Some(self.quick_tag(slot, advance));
        }
        let effects = match action {
            Action::OpenTagPicker => {
                if self.targets().is_empty() {
                    return Some(Vec::new());
                }
                self.picker = TagPicker {
                    common: self.common_tags(),
                    ..TagPicker::default()
                };
                self.overlay = Some(Overlay::TagPicker);
                Vec::new()
            }
            Action::ToggleReviewed => {
                let targets = self.targets();
                let all = targets.iter().all(|&i| self.is_reviewed(i));
                let op = if all { Op::Unreview } else { Op::Review };
                let changes = targets
                    .iter()
                    .map(|&i| (self.id_at(i).to_string(), op.clone(), self.corpus.hold(i)))
                    .collect();
                let what = if all {
                    "marked not reviewed"
                } else {
                    "marked reviewed"
                };
                self.apply(Request::Changes(changes), what.to_string(), targets.len())
            }
            Action::NextUnreviewed => {
                self.next_unreviewed();
                Vec::new()
            }
            Action::ToggleMark => {
                if let Some(i) = self.visible_index(self.selected) {
                    Arc::make_mut(&mut self.marks).toggle(i);
                    self.select_by(1);
                }
                self.state_changed()
            }
            Action::MarkAll => {
                let listed = (0..self.visible_len()).filter_map(|row| self.visible_index(row));
                if listed.clone().all(|i| self.marks.contains(i)) {
                    self.marks = Arc::default();
                } else {
                    let mut marks = Marks::clone(&self.marks);
                    for i in listed {
                        marks.insert(i);
                    }
                    self.marks = Arc::new(marks);
                }
                self.state_changed()
            }
            Action::ClearMarks => {
                self.marks = Arc::default();
                self.state_changed()
            }
            Action::EditNote => {
                if let Some(id) = self.selected_article().map(|a| a.id.clone()) {
                    self.note = LineInput::with_text(&self.state_of(&id).note);
                    self.overlay = Some(Overlay::Note);
                }
                Vec::new()
            }
            Action::Undo => {
                self.message = Some("undo".into());
                self.submit(Request::Undo)
            }
            Action::Redo => {
                self.message = Some("redo".into());
                self.submit(Request::Redo)
            }
            _ => return None,
        };
        Some(effects)
    }

    fn quick_tag(&mut self, slot: usize, advance: bool) -> Vec<Effect> {
        let Some(tag) = self.quick_tags.get(slot - 1).cloned() else {
            self.message = Some(format!(
                "no quick tag {slot}: set \"quick_tags\" in config.json"
            ));
            return Vec::new();
        };
        if advance {
            let Some(i) = self.visible_index(self.selected) else {
                return Vec::new();
            };
            let (request, what) = self.toggle_tag(&tag, &[i]);
            self.message = Some(format!("{what} · next"));
            let effects = self.submit(request);
            self.next_unreviewed();
            return effects;
        }
        self.tag_targets(&tag)
    }

    /// Toggle `tag` on the marked articles (or the selected one), asking first when that
    /// is more than one.
    fn tag_targets(&mut self, tag: &str) -> Vec<Effect> {
        let targets = self.targets();
        let (request, what) = self.toggle_tag(tag, &targets);
        self.apply(request, what, targets.len())
    }

    fn next_unreviewed(&mut self) {
        let found = (self.selected + 1..self.visible_len()).find(|&row| {
            self.visible_index(row)
                .is_some_and(|i| !self.is_reviewed(i))
        });
        match found {
            Some(row) => self.select(row),
            None => self.message = Some("no unreviewed article below this one".into()),
        }
    }

    /// Tags for the picker: those in use that match what is typed, best first, and a
    /// new tag when the typed name is not one of them.
    pub fn picker_suggestions(&self) -> Vec<(String, bool)> {
        use fuzzy_matcher::FuzzyMatcher;
        let typed = self.picker.input.text.trim();
        let mut in_use: Vec<(i64, String)> = Vec::new();
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        let known = self
            .tags_in_use
            .keys()
            .chain(
                self.tags_in_flight
                    .iter()
                    .filter(|t| !self.tags_in_use.contains_key(*t)),
            )
            .map(|t| t.to_string());
        for tag in known.chain(self.quick_tags.iter().cloned()) {
            if in_use.iter().any(|(_, t)| *t == tag) {
                continue;
            }
            if typed.is_empty() {
                in_use.push((0, tag));
            } else if let Some(score) = matcher.fuzzy_match(&tag, typed) {
                in_use.push((score, tag));
            }
        }
        in_use.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<(String, bool)> = Vec::new();
        if !typed.is_empty() && !in_use.iter().any(|(_, t)| t == typed) {
            out.push((typed.to_string(), true));
        }
        out.extend(in_use.into_iter().map(|(_, t)| (t, false)));
        out
    }

    /// Keys in the tag picker, note editor and confirmation prompt.
    pub(super) fn overlay_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match self.overlay? {
            Overlay::TagPicker => Some(match action {
                Action::MoveDown => {
                    let n = self.picker_suggestions().len();
                    self.picker.selected = (self.picker.selected + 1).min(n.saturating_sub(1));
                    Vec::new()
                }
                Action::MoveUp => {
                    self.picker.selected = self.picker.selected.saturating_sub(1);
                    Vec::new()
                }
                Action::Accept => {
                    let suggestions = self.picker_suggestions();
                    self.overlay = None;
                    let Some((tag, _)) = suggestions.get(self.picker.selected).cloned() else {
                        return Some(Vec::new());
                    };
                    self.tag_targets(&tag)
                }
                Action::Cancel => {
                    self.overlay = None;
                    Vec::new()
                }
                a => {
                    if self.picker.input.edit(a) {
                        self.picker.selected = 0;
                    }
                    Vec::new()
                }
            }),
            Overlay::Note => Some(match action {
                Action::Accept => {
                    self.overlay = None;
                    let Some(id) = self.selected_article().map(|a| a.id.clone()) else {
                        return Some(Vec::new());
                    };
                    let text = self.note.text.trim().to_string();
                    let was = self.state_of(&id).note.clone();
                    let fp = self.held(&id);
                    self.message = Some(
                        if text.is_empty() {
                            "note removed"
                        } else {
                            "note saved"
                        }
                        .into(),
                    );
                    self.submit(Request::Changes(vec![(id, Op::Note { text, was }, fp)]))
                }
                Action::Cancel => {
                    self.overlay = None;
                    Vec::new()
                }
                a => {
                    self.note.edit(a);
                    Vec::new()
                }
            }),
            Overlay::Confirm => Some(match action {
                Action::Confirm => {
                    self.overlay = None;
                    match self.confirm.take() {
                        Some(Pending::Bulk { request, question }) => {
                            self.message = Some(question.trim_end_matches("? (y/n)").to_string());
                            self.submit(request)
                        }
                        Some(Pending::Quit { .. }) => vec![Effect::Quit],
                        None => Vec::new(),
                    }
                }
                Action::Cancel => {
                    self.overlay = None;
                    self.confirm = None;
                    Vec::new()
                }
                _ => Vec::new(),
            }),
            _ => None,
        }
    }

    /// Typed text for the open input (tag picker, note); false when none is open.
    pub(super) fn overlay_input(&mut self, c: char) -> bool {
        match self.overlay {
            Some(Overlay::TagPicker) => {
                self.picker.input.insert(c);
                self.picker.selected = 0;
                true
            }
            Some(Overlay::Note) => {
                self.note.insert(c);
                true
            }
            _ => false,
        }
    }

    /// Quitting: changes not yet saved because saving fails need a yes first.
    pub(super) fn quit(&mut self) -> Vec<Effect> {
        if let (false, Some(error)) = (self.unsaved.is_empty(), &self.save_error) {
            self.confirm = Some(Pending::Quit {
                question: format!(
                    "{} change{} NOT saved ({error}). Quit anyway? (y/n)",
                    self.unsaved.len(),
                    if self.unsaved.len() == 1 {
                        " is"
                    } else {
                        "s are"
                    }
                ),
            });
            self.overlay = Some(Overlay::Confirm);
            return Vec::new();
        }
        vec![Effect::Quit]
    }

    /// How many loaded articles are reviewed, changes in flight included (kept as counts,
    /// so the status line does not count on every frame).
    pub fn reviewed(&self) -> usize {
        (self.saved_reviewed as isize + self.reviewed_in_flight).max(0) as usize
    }

    /// Take `tags` as the saved state, in one pass over it (a million states inserted one
    /// by one into a new map took seconds).
    pub fn set_saved(&mut self, tags: TagState) {
        self.tags_in_use.clear();
        self.saved_reviewed = 0;
        self.reviewed_at.fill(false);
        for (id, state) in &tags.articles {
            count_tags(&mut self.tags_in_use, Some(state), true);
            if state.reviewed
                && let Some(i) = self.index_of(id)
            {
                self.reviewed_at[i as usize] = true;
                self.saved_reviewed += 1;
            }
        }
        self.tags = Arc::new(tags);
    }

    /// Bring the saved state up to date, with the tags in use, the count of loaded
    /// articles reviewed in it and `reviewed_at`; returns the indices it set there.
    fn apply_updates(&mut self, updates: Updates) -> Vec<u32> {
        let mut set = Vec::new();
        let reviewed = |s: Option<&ArticleState>| s.is_some_and(|s| s.reviewed);
        for (id, state) in updates {
            let at = self.index_of(&id);
            let after = reviewed(state.as_ref());
            count_tags(&mut self.tags_in_use, state.as_ref(), true);
            // One search of the map, which gives back the old state (a look-up first and
            // an insert after compared a million ids twice).
            let tags = &mut Arc::make_mut(&mut self.tags).articles;
            let old = match state {
                Some(state) => tags.insert(id, state),
                None => tags.remove(&id),
            };
            count_tags(&mut self.tags_in_use, old.as_ref(), false);
            if let Some(i) = at {
                let before = reviewed(old.as_ref());
                self.saved_reviewed =
                    (self.saved_reviewed + usize::from(after)).saturating_sub(usize::from(before));
                // Changes still in flight are applied again after (see `on_store`).
                self.reviewed_at[i as usize] = after;
                set.push(i);
            }
        }
        set
    }
}

/// Count `state`'s tags in or out of `in_use` (articles per tag; a tag no article has is
/// not kept). A copy of the name only for a tag not in use yet.
fn count_tags(in_use: &mut BTreeMap<String, usize>, state: Option<&ArticleState>, add: bool) {
    for tag in state.iter().flat_map(|s| &s.tags) {
        match (in_use.get_mut(tag), add) {
            (Some(n), true) => *n += 1,
            (None, true) => {
                in_use.insert(tag.clone(), 1);
            }
            (Some(n), false) => {
                *n -= 1;
                if *n == 0 {
                    in_use.remove(tag);
                }
            }
            (None, false) => {}
        }
    }
}
