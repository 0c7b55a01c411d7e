//! The article's sources: a cursor over them, copying and opening, and an overview of
//! the domains in the current list.

use super::{App, Effect, Overlay};
use crate::corpus::Corpus;
use crate::keymap::Action;
use std::sync::Arc;

/// Counting the domains of a list's sources, done off the UI thread (a million listed
/// articles take a fifth of a second).
#[derive(Debug, Clone)]
pub struct DomainCount {
    /// Numbers the counts asked for; only the newest one's answer is shown.
    pub request: u64,
    pub corpus: Corpus,
    /// The list (corpus indices); `None` for the whole corpus.
    pub hits: Option<Arc<[u32]>>,
}

impl PartialEq for DomainCount {
    fn eq(&self, other: &Self) -> bool {
        self.request == other.request
    }
}

impl DomainCount {
    /// Domains with the number of listed articles that link to them, most first, as the
    /// search keys hold them (folded, as `src:` matches them): the keys lie side by side,
    /// where each article's sources took a cache miss or more each.
    pub fn run(&self) -> Vec<(String, usize)> {
        use rayon::prelude::*;
        type Counts<'a> = rustc_hash::FxHashMap<&'a str, usize>;
        let len = self.hits.as_ref().map_or(self.corpus.len(), |h| h.len());
        let index = |row: usize| match &self.hits {
            Some(h) => h[row] as usize,
            None => row,
        };
        let counts = (0..len)
            .into_par_iter()
            .fold(
                || (Counts::default(), Vec::new()),
                |(mut counts, mut seen), row| {
                    if let Some(entry) = self.corpus.entry(index(row)) {
                        // Each domain once per article.
                        seen.clear();
                        seen.extend(entry.key().domains());
                        seen.sort_unstable();
                        seen.dedup();
                        for d in &seen {
                            *counts.entry(*d).or_insert(0) += 1;
                        }
                    }
                    (counts, seen)
                },
            )
            .map(|(counts, _)| counts)
            .reduce(Counts::default, |mut all, part| {
                for (d, n) in part {
                    *all.entry(d).or_insert(0) += n;
                }
                all
            });
        let mut out: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

impl App {
    /// Handle a sources action; `None` when the action is not one.
    pub(super) fn source_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let n = self.selected_article().map_or(0, |a| a.sources.len());
        Some(match action {
            Action::NextSource | Action::PrevSource => {
                if n == 0 {
                    self.message = Some("this article has no sources".into());
                    return Some(Vec::new());
                }
                let next = match (self.source_cursor, action) {
                    (None, Action::NextSource) => 0,
                    (None, _) => n - 1,
                    (Some(i), Action::NextSource) => (i + 1) % n,
                    (Some(i), _) => (i + n - 1) % n,
                };
                self.source_cursor = Some(next);
                self.show_source_cursor();
                self.scroll_to_source(next);
                Vec::new()
            }
            Action::JumpSource => {
                self.jump_between_paragraph_and_source();
                Vec::new()
            }
            Action::OpenSource => match self.cursor_url() {
                Some(url) => vec![Effect::Open { url }],
                None => Vec::new(),
            },
            Action::CopyUrl => match self.cursor_url() {
                Some(url) => vec![Effect::Copy {
                    text: url,
                    what: "the link".into(),
                }],
                None => Vec::new(),
            },
            Action::CopySources => {
                let Some(a) = self.selected_article() else {
                    return Some(Vec::new());
                };
                if a.sources.is_empty() {
                    self.message = Some("this article has no sources".into());
                    return Some(Vec::new());
                }
                let text: String = a.source_urls().map(|u| format!("{u}\n")).collect();
                let what = format!("{} source links", a.sources.len());
                vec![Effect::Copy { text, what }]
            }
            Action::CopyId => match self.selected_article() {
                Some(a) => vec![Effect::Copy {
                    text: a.id.clone(),
                    what: format!("the id {}", a.id),
                }],
                None => Vec::new(),
            },
            Action::SourcesOverview => {
                self.overview_request += 1;
                self.overview = None;
                self.overview_selected = 0;
                self.overlay = Some(Overlay::Sources);
                vec![Effect::CountDomains(DomainCount {
                    request: self.overview_request,
                    corpus: self.corpus.clone(),
                    hits: self.result.as_ref().map(|r| r.hits.clone()),
                })]
            }
            _ => return None,
        })
    }

    /// The URL under the source cursor (or the first source when there is no cursor).
    fn cursor_url(&mut self) -> Option<String> {
        let article = self.selected_article()?;
        let url = article
            .sources
            .get(self.source_cursor.unwrap_or(0))
            .map(|s| s.url.clone());
        if url.is_none() {
            self.message = Some("this article has no sources".into());
        }
        url
    }

    /// Callers lay out the rest of a long article first: the row may be near its end.
    fn row_of(&self, want: impl Fn(&super::Row) -> bool) -> Option<usize> {
        self.detail.as_ref()?.rows.iter().position(want)
    }

    fn scroll_to_source(&mut self, source: usize) {
        self.extend_detail(usize::MAX, 0);
        if let Some(row) = self.row_of(|r| r.source == Some(source)) {
            self.reveal_detail_row(row);
        }
    }

    /// From a paragraph to its first source in the Sources section, and back again.
    fn jump_between_paragraph_and_source(&mut self) {
        self.extend_detail(usize::MAX, 0);
        let Some(article) = self.selected_article() else {
            return;
        };
        let top_paragraph = self.detail.as_ref().and_then(|d| {
            d.rows
                .iter()
                .skip(self.detail_scroll)
                .find_map(|r| r.paragraph)
        });
        let at_sources = self.source_cursor.is_some_and(|c| {
            self.row_of(|r| r.source == Some(c)).is_some_and(|row| {
                row >= self.detail_scroll && row < self.detail_scroll + self.detail_rows()
            })
        });
        if at_sources {
            // Back to the first paragraph the source backs.
            let backs = self
                .source_cursor
                .and_then(|c| article.sources.get(c))
                .and_then(|s| s.paragraphs.first().copied());
            if let Some(row) = backs.and_then(|p| self.row_of(|r| r.paragraph == Some(p))) {
                self.detail_scroll = row;
                self.clamp_detail_scroll();
            }
            return;
        }
        let source = top_paragraph
            .and_then(|p| {
                let by = article.sources_by_paragraph();
                by.get(p..)?.iter().find_map(|list| list.first().copied())
            })
            .or_else(|| (!article.sources.is_empty()).then_some(0));
        match source {
            Some(s) => {
                self.source_cursor = Some(s);
                self.show_source_cursor();
                self.scroll_to_source(s);
            }
            None => self.message = Some("this article has no sources".into()),
        }
    }

    /// The counts for the sources overview, when they are the ones last asked for.
    pub(super) fn on_domains(&mut self, request: u64, counts: Vec<(String, usize)>) {
        if request == self.overview_request {
            self.overview = Some(counts);
        }
    }

    /// Keys in the sources overview.
    pub(super) fn overview_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::MoveDown | Action::ScrollDown => {
                let n = self.overview.as_ref().map_or(0, Vec::len);
                self.overview_selected = (self.overview_selected + 1).min(n.saturating_sub(1));
            }
            Action::MoveUp | Action::ScrollUp => {
                self.overview_selected = self.overview_selected.saturating_sub(1)
            }
            Action::Accept => {
                self.overlay = None;
                let chosen = self
                    .overview
                    .as_ref()
                    .and_then(|o| o.get(self.overview_selected));
                if let Some((domain, _)) = chosen.cloned() {
                    // Add `src:DOMAIN` to the filter (replacing an earlier src: term).
                    let mut terms: Vec<&str> = self
                        .filter
                        .text()
                        .split_whitespace()
                        .filter(|t| !t.starts_with("src:"))
                        .collect();
                    let term = format!("src:{domain}");
                    terms.push(&term);
                    let text = terms.join(" ");
                    self.filter.line = super::LineInput::with_text(&text);
                    self.filter.reparse_now();
                    self.message = Some(format!("filtered by {}", crate::text::isolate(&term)));
                    return self.filter_changed();
                }
            }
            Action::Cancel | Action::Close => self.overlay = None,
            _ => {}
        }
        Vec::new()
    }
}
