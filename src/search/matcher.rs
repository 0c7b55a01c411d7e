//! Running a query over the corpus: cheap checks first, SkimMatcherV2 only on candidates,
//! in parallel, reusing the previous result when the query only grew.

use super::SearchKey;
use super::alphabet::{encode_term, needs_verification};
use super::fold::fold;
use super::query::{Condition, Query, Term, TextKind};
use crate::corpus::{Article, Corpus, Entry};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Where text terms look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Title, dateline place, source domains and id; fuzzy.
    #[default]
    Title,
    /// The whole article; folded substrings.
    Body,
}

/// How the result is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Best score first, ties in corpus order.
    #[default]
    Score,
    Corpus,
}

/// Tags, review state and marks, for queries that filter on them. Shared with the app,
/// not copied: copying a state of a million articles took a second, for each change while
/// a query on tags was shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateView {
    /// Saved state.
    pub tags: Arc<crate::store::TagState>,
    /// The articles that changes not yet saved touch, with those changes applied.
    pub in_flight: Arc<crate::store::InFlight>,
    pub marks: Arc<crate::corpus::Marks>,
    /// Changes whenever the state does (cached results depend on it).
    pub version: u64,
}

impl StateView {
    /// The saved state alone.
    pub fn saved(tags: crate::store::TagState) -> StateView {
        StateView {
            tags: Arc::new(tags),
            in_flight: Arc::default(),
            marks: Arc::default(),
            version: 0,
        }
    }

    fn get(&self, id: &str) -> Option<&crate::store::ArticleState> {
        self.in_flight
            .get(id)
            .map(|s| &**s)
            .or_else(|| self.tags.get(id))
    }
}

/// Scores are small; 32 bits keep a million hits at 8 MB.
fn clamp_score(score: i64) -> i32 {
    score.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// One matching article: its corpus index and score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: u32,
    pub score: i32,
}

/// How many of the best candidates (by the cheap pre-score) get SkimMatcherV2's full
/// score when the matcher ranks interactively. SkimMatcherV2 costs about a microsecond
/// per Arabic title, so scoring tens of thousands on every keystroke would make the
/// analyst wait; the rest of the list follows in pre-score order.
pub const INTERACTIVE_RANKED: usize = 1000;
/// How often a long run reports what it has found so far.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
/// Candidates handled between two checks for cancellation.
const BLOCK: usize = 8192;
/// Results kept for reuse (deletions, and narrowing when the query grows).
const CACHE_ENTRIES: usize = 24;
/// At most this many hits kept across cached results (16 bytes each).
const CACHE_HITS: usize = 4_000_000;

/// Bytes to search for, with the searcher built once per query rather than once per
/// article (building it was a sixth of the time at a million articles).
struct Needle {
    len: usize,
    first: u8,
    finder: memmem::Finder<'static>,
}

impl Needle {
    fn new(bytes: &[u8]) -> Needle {
        Needle {
            len: bytes.len(),
            first: bytes.first().copied().unwrap_or(0),
            finder: memmem::Finder::new(bytes).into_owned(),
        }
    }

    fn find(&self, haystack: &[u8]) -> Option<usize> {
        if self.len == 1 {
            memchr::memchr(self.first, haystack)
        } else {
            self.finder.find(haystack)
        }
    }
}

/// A text term prepared for matching.
struct TextTerm {
    negated: bool,
    kind: TextKind,
    text: String,
    /// The folded term as UTF-8.
    whole: Needle,
    /// Each character, for the subsequence pre-check: a finder per distinct character,
    /// shared by its repeats (one built, or copied, for every character made a long run
    /// of one letter cost seconds, as each batch of a headless filter prepares again).
    chars: Vec<Arc<Needle>>,
    /// One-byte alphabet form for body search.
    encoded: Needle,
    verify: bool,
}

struct Prepared {
    fields: Vec<Condition>,
    texts: Vec<TextTerm>,
}

/// A needle per character of `text`, one finder per distinct character.
fn char_needles(text: &str) -> Vec<Arc<Needle>> {
    let mut built: Vec<(char, Arc<Needle>)> = Vec::new();
    text.chars()
        .map(|ch| match built.iter().find(|(c, _)| *c == ch) {
            Some((_, needle)) => needle.clone(),
            None => {
                let needle = Arc::new(Needle::new(ch.to_string().as_bytes()));
                built.push((ch, needle.clone()));
                needle
            }
        })
        .collect()
}

fn prepare(query: &Query) -> Prepared {
    let mut fields = Vec::new();
    let mut texts = Vec::new();
    for (n, c) in query.conditions.iter().enumerate() {
        // All terms must match, so a repeated one (a pasted sentence repeats its little
        // words) is looked for once.
        if query.conditions[..n].contains(c) {
            continue;
        }
        match &c.term {
            Term::Text { kind, text } => {
                let encoded = encode_term(text);
                texts.push(TextTerm {
                    negated: c.negated,
                    kind: *kind,
                    whole: Needle::new(text.as_bytes()),
                    chars: char_needles(text),
                    verify: needs_verification(&encoded),
                    encoded: Needle::new(&encoded),
                    text: text.clone(),
                });
            }
            _ => fields.push(c.clone()),
        }
    }
    Prepared { fields, texts }
}

fn field_matches(index: u32, entry: Entry, term: &Term, state: Option<&StateView>) -> bool {
    // Neither is read unless the term needs it (each is a cache miss at a million).
    let (key, article) = (|| entry.key(), || entry.article());
    let saved = || state.and_then(|s| s.get(&article().id));
    match term {
        Term::Tag(tag) => saved().is_some_and(|s| s.tags.iter().any(|t| fold(t) == *tag)),
        Term::Untagged => saved().is_none_or(|s| s.tags.is_empty()),
        Term::Reviewed => saved().is_some_and(|s| s.reviewed),
        Term::Marked => state.is_some_and(|s| s.marks.contains(index as usize)),
        // The key holds the folded place and domains (one per line), so no folding here.
        Term::Source(host) => key().domains().any(|d| d.contains(host.as_str())),
        Term::Place(place) => key().place().contains(place.as_str()),
        Term::Lang(lang) => article().lang == *lang,
        Term::IdPrefix(prefix) => article().id.starts_with(prefix.as_str()),
        Term::HasLinks => !article().sources.is_empty(),
        Term::Text { .. } => true,
    }
}

/// The pattern's characters appear in order in `haystack` (a necessary condition for a
/// fuzzy match, checked with fast byte searches).
fn is_subsequence(haystack: &[u8], chars: &[Arc<Needle>]) -> bool {
    let mut rest = haystack;
    for c in chars {
        match c.find(rest) {
            Some(i) => rest = &rest[i + c.len..],
            None => return false,
        }
    }
    true
}

fn trim_end(title: &str) -> &str {
    title.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '…' | '،' | ','))
}

/// Reference text for terms whose byte match may be a false positive.
fn folded_body(article: &Article) -> String {
    let mut text = fold(&article.title);
    for p in article.text().paragraphs() {
        text.push('\n');
        text.push_str(&fold(p.text));
    }
    text
}

/// Pre-score of one article, or `None` when it does not match. In title scope the score
/// is a cheap estimate (see `pre_score`); `exact_score` gives SkimMatcherV2's.
fn evaluate(
    index: u32,
    entry: Entry,
    p: &Prepared,
    scope: Scope,
    state: Option<&StateView>,
) -> Option<i64> {
    for c in &p.fields {
        if field_matches(index, entry, &c.term, state) == c.negated {
            return None;
        }
    }
    let key = entry.key();
    let title = key.title();
    let mut score = 0i64;
    let mut reference: Option<String> = None;
    for t in &p.texts {
        if scope == Scope::Title && t.kind == TextKind::Fuzzy && !t.negated {
            // One exact search, then at most one greedy pass over the title, decide both
            // whether it matches and how well.
            // A title that is no subsequence of the term was read twice more (once
            // again for the field): only the other fields are left to try.
            match greedy_score(title.as_bytes(), t) {
                Some(s) => score += s,
                None if field_beyond_title(key, t).is_none() => return None,
                None => {}
            }
            continue;
        }
        // Counted in the pass that finds the term (see `body_rank`).
        let mut counted = None;
        let hit = match (scope, t.kind) {
            (_, TextKind::Prefix) => title.starts_with(t.text.as_str()),
            (_, TextKind::Suffix) => trim_end(title).ends_with(t.text.as_str()),
            (Scope::Title, TextKind::Exact | TextKind::Fuzzy) => {
                t.whole.find(key.text().as_bytes()).is_some()
            }
            (Scope::Body, TextKind::Exact | TextKind::Fuzzy) => {
                let article = entry.article();
                let body = article.folded_body();
                let in_title = t.whole.find(title.as_bytes()).is_some();
                let first = t.encoded.find(body);
                if !t.negated {
                    counted = Some(body_rank(in_title, body, first, t));
                }
                let found = in_title || first.is_some();
                if found && t.verify {
                    reference
                        .get_or_insert_with(|| folded_body(article))
                        .contains(t.text.as_str())
                } else {
                    found
                }
            }
        };
        if hit == t.negated {
            return None;
        }
        if !t.negated {
            score += match scope {
                Scope::Title => pre_score(title.as_bytes(), t),
                Scope::Body => counted.unwrap_or_else(|| {
                    let in_title = t.whole.find(title.as_bytes()).is_some();
                    let body = entry.article().folded_body();
                    body_rank(in_title, body, t.encoded.find(body), t)
                }),
            };
        }
    }
    Some(score)
}

/// Body scope ranks a term found in the title first, then by how often it occurs in the
/// folded body (up to 50), counted from its first occurrence (`first`: what comes before
/// it is not read again).
fn body_rank(in_title: bool, body: &[u8], first: Option<usize>, t: &TextTerm) -> i64 {
    let count = first.map_or(0, |i| {
        t.encoded.finder.find_iter(&body[i..]).take(50).count()
    });
    i64::from(in_title) * 1000 + count as i64 * 10
}

/// A cheap estimate of how well a term matches a title: contiguous beats scattered, the
/// start of a word beats the middle, earlier beats later, and a match outside the title
/// (place, domain, id) comes last.
fn pre_score(title: &[u8], t: &TextTerm) -> i64 {
    greedy_score(title, t).unwrap_or(0)
}

/// `pre_score`, `None` when the term is no subsequence of the title.
fn greedy_score(title: &[u8], t: &TextTerm) -> Option<i64> {
    if let Some(pos) = t.whole.find(title) {
        let at_word = pos == 0 || title[pos - 1] == b' ';
        return Some(
            3000 + i64::from(pos == 0) * 500 + i64::from(at_word) * 300 - (pos as i64 / 16),
        );
    }
    greedy_span(title, &t.chars).map(|span| 2000 - span as i64)
}

/// Length in bytes of the greedy (leftmost) subsequence match, if any.
fn greedy_span(haystack: &[u8], chars: &[Arc<Needle>]) -> Option<usize> {
    let first = chars.first()?;
    let start = first.find(haystack)?;
    let mut at = start + first.len;
    for c in &chars[1..] {
        at += c.find(&haystack[at..])? + c.len;
    }
    Some(at - start)
}

/// Which field a fuzzy term matches: the title, place or a source domain as a
/// subsequence (never across two fields, nor two domains), or the id as a substring (a
/// fuzzy subsequence of a numeric id is noise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field<'a> {
    Title,
    Place,
    Domain(&'a str),
    Id,
}

/// The field a fuzzy term matches when it does not match the title.
fn field_beyond_title<'a>(search: SearchKey<'a>, t: &TextTerm) -> Option<Field<'a>> {
    if is_subsequence(search.place().as_bytes(), &t.chars) {
        Some(Field::Place)
    } else if let Some(d) = search
        .domains()
        .find(|d| is_subsequence(d.as_bytes(), &t.chars))
    {
        Some(Field::Domain(d))
    } else if search.id().contains(t.text.as_str()) {
        Some(Field::Id)
    } else {
        None
    }
}

/// A match in the id ranks below any fuzzy match in text.
const ID_MATCH_SCORE: i64 = 1;

/// SkimMatcherV2's score of an article for the query's text terms (title scope).
fn exact_score(s: SearchKey, p: &Prepared, skim: &Skim) -> i64 {
    p.texts
        .iter()
        .filter(|t| !t.negated)
        .map(|t| {
            let field = match t.kind {
                // SkimMatcherV2 scores a term the title does not hold as None: its score
                // is also the check.
                TextKind::Fuzzy => match skim.score(s.title(), &t.text) {
                    Some(score) => return score,
                    None => field_beyond_title(s, t),
                },
                _ => Some(Field::Title),
            };
            let text = match field {
                Some(Field::Title) => s.title(),
                Some(Field::Place) => s.place(),
                Some(Field::Domain(d)) => d,
                Some(Field::Id) => return ID_MATCH_SCORE,
                None => return 0,
            };
            // Exact, prefix and suffix terms found outside the title still count.
            skim.score(text, &t.text)
                .or_else(|| skim.score(s.text(), &t.text))
                .unwrap_or(0)
        })
        .sum()
}

/// SkimMatcherV2, case-sensitive (queries and keys are folded alike), giving the same
/// score for the same text and pattern every time. fuzzy-matcher 0.3.7 keeps its score
/// table from call to call and reads a cell this call has not written (the bonus of a
/// matched cell), so a score depended on what the same thread had scored before, and a
/// ranking could change from one run to the next. Matching one letter first shrinks the
/// table to four cells, all written again by the next call, which grows it with fresh
/// ones. (Its `use_cache(false)` would do the same but panics.)
pub struct Skim(SkimMatcherV2);

impl Skim {
    pub fn new() -> Skim {
        Skim(SkimMatcherV2::default().respect_case())
    }

    fn reset(&self) {
        self.0.fuzzy_match("a", "a");
    }

    /// The score, `None` when the pattern does not match. The text after the last
    /// occurrence of the pattern's last character is left out, and the text before the
    /// first occurrence of its first character but for the character just before (whose
    /// kind gives the first match its bonus): no match can use them, the table is filled
    /// from left to right, and a gap before the first match costs nothing, so the score
    /// is the same (a test checks it). This is most of the cost of a query that matches
    /// half a million titles.
    pub fn score(&self, text: &str, pattern: &str) -> Option<i64> {
        let (Some(first), Some(last)) = (pattern.chars().next(), pattern.chars().next_back())
        else {
            return Some(0);
        };
        let end = text.rfind(last)? + last.len_utf8();
        let at = text.find(first)?;
        let start = text[..at].char_indices().next_back().map_or(0, |(i, _)| i);
        if at >= end {
            return None;
        }
        self.reset();
        self.0.fuzzy_match(&text[start..end], pattern)
    }

    /// The score and the positions (in characters) of the matched characters.
    pub fn indices(&self, text: &str, pattern: &str) -> Option<(i64, Vec<usize>)> {
        self.reset();
        self.0.fuzzy_indices(text, pattern)
    }
}

impl Default for Skim {
    fn default() -> Skim {
        Skim::new()
    }
}

/// Hits (in corpus order) sorted best first, ties kept in corpus order. Pre-scores are
/// small integers, so a counting sort does it in linear time, which matters when a
/// one-letter query matches most of a million articles.
fn sort_by_score(hits: &[Hit]) -> Vec<Hit> {
    let (Some(min), Some(max)) = (
        hits.iter().map(|h| h.score).min(),
        hits.iter().map(|h| h.score).max(),
    ) else {
        return Vec::new();
    };
    let range = (max - min) as usize + 1;
    if range > 1 << 16 {
        let mut out = hits.to_vec();
        out.par_sort_by(|a, b| b.score.cmp(&a.score));
        return out;
    }
    let mut starts = vec![0usize; range + 1];
    for h in hits {
        starts[(max - h.score) as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut out = vec![Hit { index: 0, score: 0 }; hits.len()];
    for h in hits {
        let slot = &mut starts[(max - h.score) as usize];
        out[*slot] = *h;
        *slot += 1;
    }
    out
}

/// Runs queries and remembers recent results.
pub struct Matcher {
    /// Text and patterns are both folded to lower case already: match case exactly.
    skim: Skim,
    /// Rank only this many with SkimMatcherV2 (interactive use); `None` ranks all.
    ranked: Option<usize>,
    cache: VecDeque<Cached>,
    /// The articles a run looks at, kept from run to run: a million of them are 4 MB,
    /// allocated, faulted in and freed again on every keystroke.
    candidates: Vec<u32>,
}

struct Cached {
    query: Query,
    scope: Scope,
    corpus_len: usize,
    /// `Corpus::edits` when it was found.
    corpus_edits: u64,
    version: u64,
    /// Hits in corpus order.
    hits: Arc<Vec<Hit>>,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::new()
    }
}

impl Matcher {
    /// Every match gets SkimMatcherV2's score (headless use).
    pub fn new() -> Matcher {
        Matcher {
            skim: Skim::new(),
            ranked: None,
            cache: VecDeque::new(),
            candidates: Vec::new(),
        }
    }

    /// The best `INTERACTIVE_RANKED` get SkimMatcherV2's score, the rest keep their
    /// pre-score order: for the TUI, where every keystroke must be answered at once.
    pub fn interactive() -> Matcher {
        Matcher {
            ranked: Some(INTERACTIVE_RANKED),
            ..Matcher::new()
        }
    }

    /// All hits of `query`, ordered; `state` is what tag and review terms look at.
    /// `cancelled` is polled between blocks; `None` when it said stop.
    pub fn run(
        &mut self,
        corpus: &Corpus,
        query: &Query,
        scope: Scope,
        order: Order,
        state: Option<&StateView>,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<Hit>> {
        self.run_with_progress(corpus, query, scope, order, state, cancelled, &mut |_| {})
    }

    /// Like `run`, and when the run is long, hands the hits found so far (corpus order,
    /// pre-scores) to `progress` every `PROGRESS_EVERY`.
    #[allow(clippy::too_many_arguments)]
    pub fn run_with_progress(
        &mut self,
        corpus: &Corpus,
        query: &Query,
        scope: Scope,
        order: Order,
        state: Option<&StateView>,
        cancelled: &(dyn Fn() -> bool + Sync),
        progress: &mut dyn FnMut(&[Hit]),
    ) -> Option<Vec<Hit>> {
        // Once per run: searching and scoring both read it.
        let prepared = prepare(query);
        let hits = self.hits(corpus, query, &prepared, scope, state, cancelled, progress)?;
        if order == Order::Corpus {
            return Some(hits.as_ref().clone());
        }
        let by_score = |a: &Hit, b: &Hit| b.score.cmp(&a.score).then(a.index.cmp(&b.index));
        let exact = |hits: &mut [Hit]| {
            hits.par_iter_mut().for_each(|h| {
                if let Some(key) = corpus.key(h.index as usize) {
                    h.score = clamp_score(exact_score(key, &prepared, &self.skim));
                }
            });
        };
        if scope == Scope::Title && self.ranked.is_none() {
            // Every hit is scored: in corpus order, which reads the keys in memory order.
            let mut scored = hits.as_ref().clone();
            exact(&mut scored);
            scored.par_sort_by(by_score);
            return Some(scored);
        }
        // Best first, ties in corpus order.
        let mut ordered = sort_by_score(&hits);
        if scope == Scope::Body {
            return Some(ordered);
        }
        let k = self.ranked.unwrap_or(usize::MAX).min(ordered.len());
        // The best k by pre-score, re-scored by SkimMatcherV2; then the rest.
        let top = &mut ordered[..k];
        exact(top);
        top.sort_unstable_by(by_score);
        Some(ordered)
    }

    /// Hits in corpus order, from the cache when possible.
    #[allow(clippy::too_many_arguments)]
    fn hits(
        &mut self,
        corpus: &Corpus,
        query: &Query,
        prepared: &Prepared,
        scope: Scope,
        state: Option<&StateView>,
        cancelled: &(dyn Fn() -> bool + Sync),
        progress: &mut dyn FnMut(&[Hit]),
    ) -> Option<Arc<Vec<Hit>>> {
        let len = corpus.len();
        let version = state.map_or(0, |s| s.version);
        // Results of queries on tags and marks go stale when those change, and any result
        // when an article is replaced. Otherwise the corpus only grows, so a result on
        // fewer articles still holds for those articles.
        let edits = corpus.edits();
        self.cache.retain(|c| {
            c.corpus_len <= len
                && c.corpus_edits == edits
                && (c.version == version || !c.query.uses_state())
        });
        if let Some(i) = self
            .cache
            .iter()
            .position(|c| c.scope == scope && c.query == *query && c.corpus_len == len)
        {
            let entry = self.cache.remove(i)?;
            let hits = entry.hits.clone();
            self.cache.push_front(entry);
            return Some(hits);
        }
        // Build on the most recent result of this query on fewer articles (keep its hits),
        // or of a query this one narrows (search only its hits); articles loaded since
        // are searched in full.
        let base = self
            .cache
            .iter()
            .find(|c| c.scope == scope && (c.query == *query || query.narrows(&c.query)));
        let candidates = &mut self.candidates;
        candidates.clear();
        let mut hits = match base {
            Some(c) if c.query == *query => {
                candidates.extend(c.corpus_len as u32..len as u32);
                c.hits.as_ref().clone()
            }
            Some(c) => {
                candidates.extend(c.hits.iter().map(|h| h.index));
                candidates.extend(c.corpus_len as u32..len as u32);
                Vec::new()
            }
            None => {
                candidates.extend(0..len as u32);
                Vec::new()
            }
        };
        // Room for every candidate: grown step by step, a million hits were copied again
        // and again.
        hits.reserve(candidates.len());
        let mut last_report = std::time::Instant::now();
        for block in candidates.chunks(BLOCK * rayon::current_num_threads().max(1)) {
            if cancelled() {
                return None;
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                progress(&hits);
                last_report = std::time::Instant::now();
            }
            let found: Vec<Hit> = block
                .par_chunks(BLOCK / 4)
                .flat_map_iter(|part| {
                    part.iter().filter_map(|&index| {
                        let entry = corpus.entry(index as usize)?;
                        evaluate(index, entry, prepared, scope, state).map(|score| Hit {
                            index,
                            score: clamp_score(score),
                        })
                    })
                })
                .collect();
            hits.extend(found);
        }
        hits.shrink_to_fit();
        let hits = Arc::new(hits);
        self.cache.push_front(Cached {
            query: query.clone(),
            scope,
            corpus_len: len,
            corpus_edits: edits,
            version,
            hits: hits.clone(),
        });
        self.cache.truncate(CACHE_ENTRIES);
        // On a huge corpus a few broad results are already a lot of memory.
        while self.cache.len() > 2
            && self.cache.iter().map(|c| c.hits.len()).sum::<usize>() > CACHE_HITS
        {
            self.cache.pop_back();
        }
        Some(hits)
    }
}

/// Character positions (in the folded title) that a query matches, for highlighting.
pub fn title_positions(folded_title: &str, query: &Query) -> Vec<usize> {
    let skim = Skim::new();
    let mut positions = Vec::new();
    for c in query.conditions.iter().filter(|c| !c.negated) {
        let Term::Text { kind, text } = &c.term else {
            continue;
        };
        let n = text.chars().count();
        let char_pos = |byte: usize| folded_title[..byte].chars().count();
        match kind {
            TextKind::Fuzzy => {
                if let Some((_, idx)) = skim.indices(folded_title, text) {
                    positions.extend(idx);
                }
            }
            TextKind::Exact => {
                for (at, _) in folded_title.match_indices(text.as_str()) {
                    let start = char_pos(at);
                    positions.extend(start..start + n);
                }
            }
            TextKind::Prefix if folded_title.starts_with(text.as_str()) => positions.extend(0..n),
            TextKind::Suffix => {
                let trimmed = trim_end(folded_title);
                if trimmed.ends_with(text.as_str()) {
                    let start = char_pos(trimmed.len() - text.len());
                    positions.extend(start..start + n);
                }
            }
            _ => {}
        }
    }
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// Byte offsets in the original `title` of the characters a query matches: what the
/// list highlights, whatever shaping and reordering do to them afterwards.
pub fn highlight_offsets(title: &str, query: &Query) -> Vec<usize> {
    let (mut folded, mut map) = (String::new(), Vec::new());
    super::fold::fold_with_map(title, &mut folded, &mut map);
    let mut offsets: Vec<usize> = title_positions(&folded, query)
        .into_iter()
        .filter_map(|p| map.get(p).copied())
        .collect();
    offsets.dedup();
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Origin;

    /// A replaced article is matched as it is now, not as the cached result remembers it,
    /// for the same query and for one that narrows it.
    #[test]
    fn results_follow_a_replaced_article() {
        let mut c = corpus(&[
            ("a", &["ميناء مصراتة يستقبل شحنة"]),
            ("b", &["افتتاح مركز صحي"]),
        ]);
        let mut matcher = Matcher::new();
        let ids = |m: &mut Matcher, c: &Corpus, q: &str| -> Vec<u32> {
            let query = Query::parse(q).expect("parses");
            m.run(c, &query, Scope::Title, Order::Corpus, None, &|| false)
                .expect("runs")
                .iter()
                .map(|h| h.index)
                .collect()
        };
        assert_eq!(ids(&mut matcher, &c, "ميناء"), [0]);
        let origin = Origin {
            path: Arc::from("b.txt"),
            line: None,
        };
        c.replace(vec![(
            1,
            Article::from_lines("b".into(), origin, ["ميناء طرابلس مغلق"]),
        )]);
        assert_eq!(ids(&mut matcher, &c, "ميناء"), [0, 1]);
        assert_eq!(ids(&mut matcher, &c, "ميناء طرابلس"), [1]);
        assert_eq!(c.get(1).map(|a| a.id.as_str()), Some("b"));
    }

    /// Scores are those of a fresh SkimMatcherV2, whatever was scored before and although
    /// the text after the pattern's last character is left out.
    #[test]
    fn skim_scores_are_fresh_skim_scores() {
        use fuzzy_matcher::FuzzyMatcher;
        let skim = Skim::new();
        let letters: Vec<char> = "المجلسي بدرة-/ كز2017aB".chars().collect();
        let mut rng = crate::generate::Rng::new(11);
        let mut compared = 0;
        for _ in 0..20_000 {
            let text: String = (0..rng.range(0, 60))
                .map(|_| letters[rng.below(letters.len())])
                .collect();
            // Patterns taken from the text (they mostly match) and made up.
            let chars: Vec<char> = text.chars().collect();
            let pattern: String = if rng.below(2) == 0 && !chars.is_empty() {
                let start = rng.below(chars.len());
                let len = rng.range(1, 7);
                chars[start..]
                    .iter()
                    .filter(|_| rng.below(3) > 0)
                    .take(len)
                    .collect()
            } else {
                (0..rng.range(0, 4))
                    .map(|_| letters[rng.below(letters.len())])
                    .collect()
            };
            let expected = SkimMatcherV2::default()
                .respect_case()
                .fuzzy_match(&text, &pattern);
            compared += usize::from(expected.is_some());
            assert_eq!(
                skim.score(&text, &pattern),
                expected,
                "{text:?} {pattern:?}"
            );
            let indices = SkimMatcherV2::default()
                .respect_case()
                .fuzzy_indices(&text, &pattern);
            assert_eq!(
                skim.indices(&text, &pattern),
                indices,
                "{text:?} {pattern:?}"
            );
        }
        // Most of the comparisons were of matches.
        assert!(compared > 10_000, "{compared}");
    }

    fn corpus(items: &[(&str, &[&str])]) -> Corpus {
        Corpus::from_articles(
            items
                .iter()
                .map(|(id, lines)| {
                    let origin = Origin {
                        path: Arc::from(format!("{id}.txt")),
                        line: None,
                    };
                    Article::from_lines(id.to_string(), origin, lines.iter().copied())
                })
                .collect::<Vec<_>>(),
        )
    }

    fn ids(c: &Corpus, q: &str, scope: Scope, order: Order) -> Vec<String> {
        let query = Query::parse(q).expect("parses");
        Matcher::new()
            .run(c, &query, scope, order, None, &|| false)
            .expect("not cancelled")
            .iter()
            .filter_map(|h| c.get(h.index as usize).map(|a| a.id.clone()))
            .collect()
    }

    fn sample() -> Corpus {
        corpus(&[
            (
                "a",
                &[
                    "سبها – أعلن المجلس البلدي عن افتتاح مركز صحي.",
                    "https://www.facebook.com/x/posts/1",
                ],
            ),
            (
                "b",
                &[
                    "درنة – قالت مديرية الأمن إن الطريق أعيد فتحه فى 2017.",
                    "https://alwasat.ly/n/2",
                ],
            ),
            (
                "c",
                &[
                    "TRIPOLI - The École des arts reopened on Monday.",
                    "body mentions القاعدة here",
                ],
            ),
            ("d", &["مُخْتار الجمل يتحدث عن القاعدة الجديدة."]),
        ])
    }

    #[test]
    fn folding_finds_variants() {
        let c = sample();
        assert_eq!(ids(&c, "'مختار", Scope::Title, Order::Score), ["d"]);
        assert_eq!(ids(&c, "'القاعده", Scope::Title, Order::Score), ["d"]);
        // Fuzzy: the contiguous match ranks first.
        assert_eq!(ids(&c, "القاعده", Scope::Title, Order::Score)[0], "d");
        assert_eq!(ids(&c, "ecole", Scope::Title, Order::Score), ["c"]);
        assert_eq!(ids(&c, "'فى", Scope::Title, Order::Score), ["b"]);
        assert_eq!(ids(&c, "٢٠١٧", Scope::Title, Order::Score), ["b"]);
    }

    #[test]
    fn fields_and_operators() {
        let c = sample();
        assert_eq!(ids(&c, "src:facebook", Scope::Title, Order::Score), ["a"]);
        assert_eq!(ids(&c, "place:درنه", Scope::Title, Order::Score), ["b"]);
        assert_eq!(ids(&c, "lang:en", Scope::Title, Order::Score), ["c"]);
        assert_eq!(ids(&c, "no:links", Scope::Title, Order::Corpus), ["c", "d"]);
        assert_eq!(
            ids(&c, "has:links !src:alwasat", Scope::Title, Order::Corpus),
            ["a"]
        );
        assert_eq!(ids(&c, "id:b", Scope::Title, Order::Score), ["b"]);
        assert_eq!(ids(&c, "^the", Scope::Title, Order::Score), ["c"]);
        assert_eq!(ids(&c, "monday$", Scope::Title, Order::Score), ["c"]);
        assert_eq!(
            ids(&c, "!المجلس lang:ar", Scope::Title, Order::Corpus),
            ["b", "d"]
        );
    }

    #[test]
    fn body_scope_is_substring_per_term() {
        let c = sample();
        assert_eq!(
            ids(&c, "القاعده", Scope::Body, Order::Score),
            ["d", "c"],
            "title hit ranks first"
        );
        assert_eq!(
            ids(&c, "القاعده mentions", Scope::Body, Order::Score),
            ["c"]
        );
        assert!(
            ids(&c, "قعد", Scope::Body, Order::Score).is_empty(),
            "no fuzzy subsequences in bodies"
        );
        assert_eq!(ids(&c, "!القاعده", Scope::Body, Order::Corpus), ["a", "b"]);
    }

    #[test]
    fn body_scope_ranks_a_title_hit_first_then_by_occurrences() {
        let c = corpus(&[
            ("once", &["Report from the coast", "the clinic opened"]),
            (
                "thrice",
                &[
                    "Report from the coast",
                    "clinic here, clinic there",
                    "a clinic",
                ],
            ),
            ("title", &["Clinic news today", "nothing else"]),
            ("none", &["Report from the coast", "a school"]),
        ]);
        assert_eq!(
            ids(&c, "clinic", Scope::Body, Order::Score),
            ["title", "thrice", "once"]
        );
        // A prefix term is ranked the same way: here by how often it occurs.
        let c = corpus(&[
            ("rare", &["Report one", "nothing more"]),
            ("often", &["Report two", "report after report"]),
        ]);
        assert_eq!(
            ids(&c, "^report", Scope::Body, Order::Score),
            ["often", "rare"]
        );
        // Occurrences count up to fifty.
        let many = "clinic ".repeat(80);
        let more = "clinic ".repeat(60);
        let c = corpus(&[("a", &["Report", &more]), ("b", &["Report", &many])]);
        assert_eq!(ids(&c, "clinic", Scope::Body, Order::Score), ["a", "b"]);
    }

    /// A repeated term is looked for once: the hits and their scores are those of the
    /// term alone, in both scopes, negated or not.
    #[test]
    fn a_repeated_term_counts_once() {
        let c = sample();
        for (once, repeated) in [
            ("مجلس", "مجلس مجلس مجلس"),
            ("مجلس !طريق", "!طريق مجلس !طريق مجلس"),
        ] {
            for scope in [Scope::Title, Scope::Body] {
                let run = |q: &str| {
                    let query = Query::parse(q).expect("parses");
                    Matcher::new()
                        .run(&c, &query, scope, Order::Score, None, &|| false)
                        .expect("not cancelled")
                        .iter()
                        .map(|h| (h.index, h.score))
                        .collect::<Vec<_>>()
                };
                assert_eq!(run(repeated), run(once), "{repeated} in {scope:?}");
                assert!(!run(once).is_empty(), "{once} in {scope:?}");
            }
        }
    }

    /// A needle per character, in the term's order, repeats included and sharing the
    /// finder of the first.
    #[test]
    fn character_needles_follow_the_term() {
        let needles = char_needles("ساسا");
        assert_eq!(needles.len(), 4);
        assert!(Arc::ptr_eq(&needles[0], &needles[2]));
        assert!(Arc::ptr_eq(&needles[1], &needles[3]));
        assert!(!Arc::ptr_eq(&needles[0], &needles[1]));
        assert!(is_subsequence("سلام اسا".as_bytes(), &needles[..3]));
        assert!(!is_subsequence("سلام".as_bytes(), &needles));
        assert!(is_subsequence("سماء ساحل".as_bytes(), &needles));
        assert!(is_subsequence(b"aa", &char_needles("aa")));
        assert!(!is_subsequence(b"a", &char_needles("aa")));
    }

    #[test]
    fn fuzzy_terms_do_not_span_fields_and_ids_match_as_substrings() {
        let c = corpus(&[
            ("t2001007", &["Road news"]),
            ("x2017y", &["Other news"]),
            ("z", &["The 2017 plan"]),
        ]);
        // 2-0-1-7 is a subsequence of "t2001007" but not a substring: no match there.
        assert_eq!(ids(&c, "2017", Scope::Title, Order::Score), ["z", "x2017y"]);
        // "news" + an id fragment would only match across fields.
        assert!(ids(&c, "newst2", Scope::Title, Order::Score).is_empty());
        // Nor across two source domains.
        let c = corpus(&[(
            "d",
            &[
                "Council",
                "https://www.alwasat.ly/a",
                "https://facebook.com/b",
            ],
        )]);
        assert_eq!(ids(&c, "wasat", Scope::Title, Order::Score), ["d"]);
        assert_eq!(ids(&c, "fbook", Scope::Title, Order::Score), ["d"]);
        assert!(ids(&c, "lyfb", Scope::Title, Order::Score).is_empty());
    }

    #[test]
    fn ties_keep_corpus_order_and_corpus_order_is_available() {
        let c = corpus(&[
            ("x1", &["same title"]),
            ("x2", &["same title"]),
            ("x3", &["same title"]),
        ]);
        assert_eq!(
            ids(&c, "same", Scope::Title, Order::Score),
            ["x1", "x2", "x3"]
        );
        let c = corpus(&[("p", &["a report about ports"]), ("q", &["port"])]);
        assert_eq!(ids(&c, "port", Scope::Title, Order::Score)[0], "q");
        assert_eq!(ids(&c, "port", Scope::Title, Order::Corpus), ["p", "q"]);
    }

    #[test]
    fn narrowing_and_cache_give_the_same_answers() {
        let c = sample();
        let mut m = Matcher::new();
        let mut run = |q: &str| {
            let query = Query::parse(q).expect("parses");
            m.run(&c, &query, Scope::Title, Order::Corpus, None, &|| false)
                .expect("runs")
                .iter()
                .map(|h| h.index)
                .collect::<Vec<_>>()
        };
        let typed: Vec<Vec<u32>> = ["ا", "ال", "الم", "الق", "ال", "ا"]
            .iter()
            .map(|q| run(q))
            .collect();
        let fresh: Vec<Vec<u32>> = ["ا", "ال", "الم", "الق", "ال", "ا"]
            .iter()
            .map(|q| {
                let query = Query::parse(q).expect("parses");
                Matcher::new()
                    .run(&c, &query, Scope::Title, Order::Corpus, None, &|| false)
                    .expect("runs")
                    .iter()
                    .map(|h| h.index)
                    .collect()
            })
            .collect();
        assert_eq!(typed, fresh);
    }

    #[test]
    fn results_on_a_growing_corpus_match_a_fresh_run() {
        let mut rng = crate::generate::Rng::new(5);
        let mut batches: Vec<Vec<Article>> = (0..3)
            .map(|b| {
                (0..150)
                    .map(|i| {
                        let text = crate::generate::report(&mut rng);
                        let origin = Origin {
                            path: Arc::from("g"),
                            line: None,
                        };
                        crate::corpus::parse_report(text.as_bytes(), format!("{b}-{i}"), origin)
                            .expect("parses")
                    })
                    .collect()
            })
            .collect();
        let mut corpus = Corpus::new();
        let mut m = Matcher::new();
        // The same query as articles arrive, then narrower and broader ones.
        for (q, grow) in [
            ("ال", true),
            ("ال", true),
            ("الم", false),
            ("ا", true),
            ("الم", false),
        ] {
            if grow && !batches.is_empty() {
                corpus.push_batch(batches.remove(0));
            }
            let query = Query::parse(q).expect("parses");
            let run = |m: &mut Matcher| {
                m.run(&corpus, &query, Scope::Title, Order::Score, None, &|| false)
                    .expect("runs")
            };
            assert_eq!(
                run(&mut m),
                run(&mut Matcher::new()),
                "{q} on {}",
                corpus.len()
            );
        }
        assert!(batches.is_empty());
    }

    #[test]
    fn interactive_ranking_is_exact_where_the_analyst_looks() {
        let mut rng = crate::generate::Rng::new(3);
        let articles: Vec<Article> = (0..INTERACTIVE_RANKED + 600)
            .map(|i| {
                let text = crate::generate::report(&mut rng);
                let origin = Origin {
                    path: Arc::from("g"),
                    line: None,
                };
                crate::corpus::parse_report(text.as_bytes(), i.to_string(), origin).expect("parses")
            })
            .collect();
        let c = Corpus::from_articles(articles);
        let query = Query::parse("ال").expect("parses");
        let exact = Matcher::new()
            .run(&c, &query, Scope::Title, Order::Score, None, &|| false)
            .expect("runs");
        let quick = Matcher::interactive()
            .run(&c, &query, Scope::Title, Order::Score, None, &|| false)
            .expect("runs");
        assert!(exact.len() > INTERACTIVE_RANKED, "{}", exact.len());
        let set = |h: &[Hit]| {
            let mut v: Vec<u32> = h.iter().map(|h| h.index).collect();
            v.sort_unstable();
            v
        };
        assert_eq!(set(&exact), set(&quick), "the same articles match");
        let top = &quick[..INTERACTIVE_RANKED];
        assert!(
            top.windows(2).all(|w| w[0].score > w[1].score
                || (w[0].score == w[1].score && w[0].index < w[1].index))
        );
        let exact_score_of: std::collections::HashMap<u32, i32> =
            exact.iter().map(|h| (h.index, h.score)).collect();
        assert!(
            top.iter().all(|h| exact_score_of[&h.index] == h.score),
            "top scores are SkimMatcherV2's"
        );
        // Small results are ranked exactly in full.
        let query = Query::parse("'الميناء شحنة").expect("parses");
        let exact = Matcher::new()
            .run(&c, &query, Scope::Title, Order::Score, None, &|| false)
            .expect("runs");
        let quick = Matcher::interactive()
            .run(&c, &query, Scope::Title, Order::Score, None, &|| false)
            .expect("runs");
        assert!(exact.len() < INTERACTIVE_RANKED);
        assert_eq!(exact, quick);
    }

    #[test]
    fn counting_sort_matches_a_comparison_sort() {
        let hits: Vec<Hit> = (0..500u32)
            .map(|i| Hit {
                index: i,
                score: ((i * 37) % 11) as i32 - 3,
            })
            .collect();
        let mut expected = hits.clone();
        expected.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        assert_eq!(sort_by_score(&hits), expected);
        let wide = vec![
            Hit {
                index: 0,
                score: -1_000_000,
            },
            Hit {
                index: 1,
                score: 1_000_000,
            },
        ];
        assert_eq!(sort_by_score(&wide)[0].index, 1);
        assert!(sort_by_score(&[]).is_empty());
    }

    #[test]
    fn cancellation_stops_the_run() {
        let c = sample();
        let query = Query::parse("ا").expect("parses");
        assert!(
            Matcher::new()
                .run(&c, &query, Scope::Title, Order::Score, None, &|| true)
                .is_none()
        );
    }

    #[test]
    fn other_scripts_in_body_terms_are_verified() {
        let c = corpus(&[
            ("r", &["Title", "встреча в москве"]),
            ("s", &["Title", "встреча в киеве"]),
        ]);
        assert_eq!(ids(&c, "москве", Scope::Body, Order::Corpus), ["r"]);
    }

    #[test]
    fn highlights_land_on_original_characters() {
        // Harakat and a lam-alef: the folded query matches letters, offsets point back
        // at the original letters (harakat are never highlighted on their own).
        let title = "مُخْتار لَا يتحدث";
        let q = Query::parse("'مختار").expect("parses");
        let offsets = highlight_offsets(title, &q);
        let letters: String = offsets
            .iter()
            .filter_map(|&o| title[o..].chars().next())
            .collect();
        assert_eq!(letters, "مختار");
        let q = Query::parse("'لا").expect("parses");
        let offsets = highlight_offsets(title, &q);
        assert_eq!(offsets.len(), 2);
        assert_eq!(&title[offsets[0]..offsets[0] + 2], "ل");
        assert_eq!(&title[offsets[1]..offsets[1] + 2], "ا");
    }

    #[test]
    fn highlight_positions() {
        let title = fold("The École reopened");
        let q = Query::parse("ecole ^the").expect("parses");
        assert_eq!(title_positions(&title, &q), [0, 1, 2, 4, 5, 6, 7, 8]);
    }
}
