//! The store's thread: the UI never waits for a disk. Requests are saved in order; one
//! that fails (disk full, read-only) stays queued and is retried, later ones wait behind
//! it, and the UI is told. Changes from other instances are picked up by polling.

use super::{Request, Store, TagState, Updates};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the journal is checked for other instances' changes.
const POLL: Duration = Duration::from_millis(700);
/// How soon a failed save is tried again.
const RETRY: Duration = Duration::from_secs(2);
/// The snapshot is rewritten at most this often while changes keep coming.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);
/// ... and at most this share of the time: writing the state of a million tagged
/// articles takes most of a second, and a change that comes meanwhile waits for it.
const SNAPSHOT_SHARE: u32 = 10;

/// How long to wait after a snapshot that took `cost` before writing the next.
fn snapshot_wait(cost: Duration) -> Duration {
    SNAPSHOT_EVERY.max(cost * SNAPSHOT_SHARE)
}

/// What the store tells the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreEvent {
    /// The saved state has been read (the first event), with what reading it found wrong.
    Opened {
        state: TagState,
        undo: usize,
        redo: usize,
        notices: Vec<String>,
    },
    /// Requests up to and including `through` are durable; `updates` bring the app's copy
    /// of the saved state up to date (with what other instances wrote meanwhile).
    Saved {
        through: u64,
        updates: Updates,
        undo: usize,
        redo: usize,
    },
    /// Request `id` could not be saved; it will be retried.
    Failed { id: u64, error: String },
    /// Another instance changed something.
    External { updates: Updates, changes: usize },
}

enum Command {
    Save(u64, Arc<Request>),
    /// Save what is queued (one more try for failures) and answer with what is left.
    Flush(Sender<usize>),
}

/// The handle the runtime keeps.
pub struct StoreWorker {
    commands: Sender<Command>,
}

impl StoreWorker {
    /// Serve `store` on a thread of its own, which first reads what it holds (a long
    /// history takes seconds: the UI does not wait for it) and says so with `Opened`.
    pub fn spawn(mut store: Store, events: impl Fn(StoreEvent) + Send + 'static) -> StoreWorker {
        let (commands, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                // Until it can be read, nothing can be saved: requests wait in the channel.
                while let Err(e) = store.read_saved() {
                    events(StoreEvent::Failed {
                        id: 0,
                        error: e.to_string(),
                    });
                    std::thread::sleep(RETRY);
                }
                events(StoreEvent::Opened {
                    state: store.state.clone(),
                    undo: store.can_undo(),
                    redo: store.can_redo(),
                    notices: store.notices.clone(),
                });
                serve(store, &rx, &events);
            })
            .expect("the store thread can be started");
        StoreWorker { commands }
    }

    pub fn save(&self, id: u64, request: Arc<Request>) {
        let _ = self.commands.send(Command::Save(id, request));
    }

    /// Save everything queued; waits at most `timeout`. Returns how many requests are
    /// still unsaved.
    pub fn flush(&self, timeout: Duration) -> usize {
        let (tx, rx) = mpsc::channel();
        if self.commands.send(Command::Flush(tx)).is_err() {
            return usize::MAX;
        }
        rx.recv_timeout(timeout).unwrap_or(usize::MAX)
    }
}

fn serve(mut store: Store, rx: &Receiver<Command>, events: &dyn Fn(StoreEvent)) {
    let mut queue: VecDeque<(u64, Arc<Request>)> = VecDeque::new();
    let mut next_snapshot = Instant::now() + SNAPSHOT_EVERY;
    let mut snapshot_due = false;
    let mut failing_since: Option<Instant> = None;
    loop {
        let wait = if failing_since.is_some() { RETRY } else { POLL };
        let mut flush = None;
        match rx.recv_timeout(wait) {
            Ok(Command::Save(id, r)) => queue.push_back((id, r)),
            Ok(Command::Flush(reply)) => flush = Some(reply),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // Only when something changed since the last one: after the runtime's
                // flush the process is exiting, and a second write cut off by the exit
                // left its temporary file behind.
                if drain(&mut store, &mut queue, events) || snapshot_due {
                    let _ = store.write_snapshot();
                }
                return;
            }
        }
        while let Ok(cmd) = rx.try_recv() {
            match cmd {
                Command::Save(id, r) => queue.push_back((id, r)),
                Command::Flush(reply) => flush = Some(reply),
            }
        }
        let retry_due = failing_since.is_none_or(|t| t.elapsed() >= RETRY) || flush.is_some();
        if !queue.is_empty() && retry_due {
            let saved = drain(&mut store, &mut queue, events);
            failing_since = if queue.is_empty() {
                None
            } else {
                Some(Instant::now())
            };
            snapshot_due |= saved;
        } else if let Some(entries) = queue
            .is_empty()
            .then(|| store.refresh().ok())
            .flatten()
            .filter(|e| !e.is_empty())
        {
            events(StoreEvent::External {
                updates: store.take_updates(),
                changes: entries.len(),
            });
            snapshot_due = true;
        }
        if snapshot_due && (Instant::now() >= next_snapshot || flush.is_some()) && queue.is_empty()
        {
            let started = Instant::now();
            // A failed snapshot is harmless (the journal has everything): it is tried
            // again as late as a written one would be, not on every poll of a full disk.
            snapshot_due = store.write_snapshot().is_err();
            next_snapshot = Instant::now() + snapshot_wait(started.elapsed());
        }
        if let Some(reply) = flush {
            let _ = reply.send(queue.len());
        }
    }
}

/// Save queued requests in order until one fails. True when something was saved.
fn drain(
    store: &mut Store,
    queue: &mut VecDeque<(u64, Arc<Request>)>,
    events: &dyn Fn(StoreEvent),
) -> bool {
    let mut saved = None;
    while let Some((id, request)) = queue.front() {
        match store.commit(request) {
            Ok(_) => {
                saved = Some(*id);
                queue.pop_front();
            }
            Err(e) => {
                if let Some(through) = saved {
                    report_saved(store, through, events);
                }
                events(StoreEvent::Failed {
                    id: *id,
                    error: e.to_string(),
                });
                return saved.is_some();
            }
        }
    }
    if let Some(through) = saved {
        report_saved(store, through, events);
    }
    saved.is_some()
}

fn report_saved(store: &mut Store, through: u64, events: &dyn Fn(StoreEvent)) {
    events(StoreEvent::Saved {
        through,
        updates: store.take_updates(),
        undo: store.can_undo(),
        redo: store.can_redo(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Op;
    use std::os::unix::fs::MetadataExt;

    fn tagged(id: &str) -> Request {
        Request::Changes(vec![(
            id.into(),
            Op::Tag {
                tag: "relevant".into(),
            },
            None,
        )])
    }

    /// The worker reads the saved state on its own thread and sends it first, with what
    /// reading it found wrong; changes sent meanwhile are saved after it.
    #[test]
    fn the_worker_reads_the_saved_state_and_sends_it_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path(), "amal", "s1").expect("opens");
        store.commit(&tagged("a")).expect("commits");
        drop(store);
        std::fs::write(dir.path().join(crate::store::SNAPSHOT), "{ not json").expect("writes");

        let store = Store::open_unread(dir.path(), "amal", "s2").expect("opens");
        let (tx, events) = mpsc::channel();
        let worker = StoreWorker::spawn(store, move |e| {
            let _ = tx.send(e);
        });
        worker.save(1, Arc::new(tagged("b")));
        assert_eq!(worker.flush(Duration::from_secs(30)), 0);
        let events: Vec<StoreEvent> = events.try_iter().collect();
        let Some(StoreEvent::Opened {
            state,
            undo,
            notices,
            ..
        }) = events.first()
        else {
            panic!("{events:?}");
        };
        assert!(state.articles.contains_key("a"));
        assert!(!state.articles.contains_key("b"));
        assert_eq!(*undo, 1);
        assert!(notices[0].contains("unreadable"), "{notices:?}");
        assert!(
            matches!(&events[1], StoreEvent::Saved { through: 1, updates, .. } if updates[0].0 == "b"),
            "{events:?}"
        );
    }

    #[test]
    fn a_slow_snapshot_is_written_less_often() {
        assert_eq!(snapshot_wait(Duration::from_millis(3)), SNAPSHOT_EVERY);
        assert_eq!(
            snapshot_wait(Duration::from_millis(700)),
            Duration::from_secs(7)
        );
    }

    /// Closing after a flush writes nothing more (the process is about to exit); closing
    /// with changes not yet in the snapshot writes them.
    #[test]
    fn closing_writes_the_snapshot_only_when_it_is_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let snapshot = dir.path().join(crate::store::SNAPSHOT);
        let run = |commands: Receiver<Command>| {
            let store = Store::open(dir.path(), "amal", "s1").expect("opens");
            std::thread::spawn(move || serve(store, &commands, &|_| {}))
        };

        let (commands, rx) = mpsc::channel();
        let worker = run(rx);
        commands
            .send(Command::Save(1, Arc::new(tagged("a"))))
            .expect("sends");
        let (reply, replied) = mpsc::channel();
        commands.send(Command::Flush(reply)).expect("sends");
        assert_eq!(replied.recv().expect("flushed"), 0);
        let written = std::fs::metadata(&snapshot).expect("snapshot").ino();
        drop(commands);
        worker.join().expect("store thread");
        let after = std::fs::metadata(&snapshot).expect("snapshot").ino();
        assert_eq!(after, written, "the snapshot was written again on close");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");

        let (commands, rx) = mpsc::channel();
        let worker = run(rx);
        commands
            .send(Command::Save(2, Arc::new(tagged("b"))))
            .expect("sends");
        drop(commands);
        worker.join().expect("store thread");
        assert_ne!(std::fs::metadata(&snapshot).expect("snapshot").ino(), after);
        let text = std::fs::read_to_string(&snapshot).expect("reads");
        assert!(text.contains("\"b\""), "{text}");
    }
}
