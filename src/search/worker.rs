//! The matcher thread: takes the newest request, drops stale ones, reports results.

use super::matcher::{Hit, Matcher, Order, Scope, StateView};
use super::query::Query;
use crate::corpus::Corpus;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

/// A query to run over a snapshot of the corpus.
#[derive(Debug, Clone)]
pub struct MatchRequest {
    pub generation: u64,
    pub corpus: Corpus,
    pub query: Query,
    pub scope: Scope,
    pub order: Order,
    /// Tags and marks, when the query filters on them.
    pub state: Option<Arc<StateView>>,
}

impl PartialEq for MatchRequest {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
            && self.query == other.query
            && self.scope == other.scope
            && self.order == other.order
            && self.corpus.len() == other.corpus.len()
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchResult {
    pub generation: u64,
    /// Corpus indices in display order.
    pub hits: Arc<[u32]>,
    /// False for the hits found so far by a run still going on.
    pub complete: bool,
}

impl MatchResult {
    pub fn from_hits(generation: u64, hits: &[Hit]) -> MatchResult {
        MatchResult {
            generation,
            hits: hits.iter().map(|h| h.index).collect(),
            complete: true,
        }
    }
}

/// Sends requests to the matcher thread.
pub struct Worker {
    requests: Sender<MatchRequest>,
    latest: Arc<AtomicU64>,
}

impl Worker {
    /// Start the thread; each result goes to `reply`.
    pub fn spawn(reply: impl Fn(MatchResult) + Send + 'static) -> Worker {
        let (requests, rx) = mpsc::channel();
        let latest = Arc::new(AtomicU64::new(0));
        let seen = latest.clone();
        std::thread::Builder::new()
            .name("matcher".into())
            .spawn(move || serve(&rx, &seen, &reply))
            .expect("the matcher thread can be started");
        Worker { requests, latest }
    }

    /// Ask for a match; any older request still running is abandoned.
    pub fn request(&self, request: MatchRequest) {
        self.latest.fetch_max(request.generation, Ordering::SeqCst);
        let _ = self.requests.send(request);
    }
}

fn serve(rx: &Receiver<MatchRequest>, latest: &AtomicU64, reply: &dyn Fn(MatchResult)) {
    let mut matcher = Matcher::interactive();
    while let Ok(mut request) = rx.recv() {
        // Only the newest request matters.
        while let Ok(newer) = rx.try_recv() {
            request = newer;
        }
        let generation = request.generation;
        let stale = || latest.load(Ordering::SeqCst) != generation;
        // A long run shows what it has found so far.
        let mut progress = |hits: &[Hit]| {
            reply(MatchResult {
                complete: false,
                ..MatchResult::from_hits(generation, hits)
            });
        };
        if let Some(hits) = matcher.run_with_progress(
            &request.corpus,
            &request.query,
            request.scope,
            request.order,
            request.state.as_deref(),
            &stale,
            &mut progress,
        ) {
            reply(MatchResult::from_hits(generation, &hits));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Article, Origin};
    use crate::store::state::Meta;
    use crate::store::{Op, TagState};
    use std::time::Duration;

    #[test]
    fn queries_on_tags_see_the_state_sent_with_them() {
        let articles: Vec<Article> = ["a", "b", "c"]
            .into_iter()
            .map(|id| {
                let origin = Origin {
                    path: Arc::from("x.txt"),
                    line: None,
                };
                Article::from_lines(id.into(), origin, ["some title"])
            })
            .collect();
        let corpus = Corpus::from_articles(articles);
        let mut tags = TagState::default();
        let relevant = Op::Tag {
            tag: "relevant".into(),
        };
        tags.apply("b", &relevant, Meta::default());
        tags.apply("c", &Op::Review, Meta::default());
        let state = Arc::new(StateView {
            marks: Arc::new([0].into_iter().collect()),
            version: 1,
            ..StateView::saved(tags)
        });
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn(move |r| {
            let _ = tx.send(r);
        });
        let cases: [(&str, &[u32]); 4] = [
            ("tag:relevant", &[1]),
            ("reviewed", &[2]),
            ("untagged", &[0, 2]),
            ("marked", &[0]),
        ];
        for (generation, (query, want)) in (1..).zip(cases) {
            worker.request(MatchRequest {
                generation,
                corpus: corpus.clone(),
                query: Query::parse(query).expect("parses"),
                scope: Scope::Title,
                order: Order::Corpus,
                state: Some(state.clone()),
            });
            let result = loop {
                let r = rx.recv_timeout(Duration::from_secs(30)).expect("a reply");
                if r.complete {
                    break r;
                }
            };
            assert_eq!(result.generation, generation);
            assert_eq!(&*result.hits, want, "{query}");
        }
    }
}
