//! Tags, triage decisions and notes, saved so that nothing confirmed is ever lost.
//!
//! `journal.jsonl` in the config directory is the record: every change is appended and
//! fsynced (under an exclusive lock, so instances can share it) before the UI says it
//! is saved. `tags.json` is a readable snapshot, rewritten atomically, that says how
//! much of the journal it covers; it can always be rebuilt from the journal.

pub mod export;
pub mod journal;
pub mod state;
pub mod worker;

use crate::corpus::Held;
use journal::{BadLine, Entry};
pub use state::{ArticleState, InFlight, Op, TagState};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

pub const JOURNAL: &str = "journal.jsonl";
pub const SNAPSHOT: &str = "tags.json";

/// Errors that keep a change from being saved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no config directory could be found: set CORPUS_REVIEW_CONFIG_DIR or use --config-dir")]
    NoConfigDir,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The config directory: `--config-dir`, then `CORPUS_REVIEW_CONFIG_DIR`, then the
/// platform's (XDG_CONFIG_HOME is honoured on Linux).
pub fn config_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("CORPUS_REVIEW_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "corpus-review")
        .map(|d| d.config_dir().to_path_buf())
        .ok_or(StoreError::NoConfigDir)
}

/// Now, as RFC 3339 UTC with seconds.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// A stable content fingerprint (FNV-1a, 64 bits) of an article's title and text, to
/// notice when an article changed after it was tagged.
pub fn fingerprint(article: &crate::corpus::Article) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(article.title.as_bytes());
    for p in article.paragraph_bytes(&mut Vec::new()) {
        eat(p);
    }
    format!("{h:016x}")
}

/// One article's change: its id, the change, and the article as loaded (to fingerprint).
pub type Change = (String, Op, Option<Held>);

/// A change the UI asks for: one action, possibly over many articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// (article id, change, the article to fingerprint) — applied as one batch. The
    /// store takes the fingerprints: hashing the text of every article of a bulk change
    /// held the UI up for seconds.
    Changes(Vec<Change>),
    Undo,
    Redo,
}

/// Snapshot file contents: `S` is the states by article, or a reference to them when
/// writing (a copy of a million articles' states for each snapshot cost as much as
/// writing it). The states are a field of their own, as `TagState` holds them, not a
/// flattened `TagState`: serde reads a flattened field by keeping the whole file aside
/// first, which doubled the time of reading a large snapshot.
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot<S> {
    version: u32,
    /// Lines of the journal this snapshot reflects (the rest is replayed on start).
    journal_lines: usize,
    articles: S,
}

/// The analyst's own batches, for undo and redo (rebuilt from the journal on start).
#[derive(Debug, Default)]
struct History {
    done: Vec<String>,
    undone: Vec<String>,
    batches: HashMap<String, Vec<(String, Op)>>,
    /// The batch of the last entry taken in, and whether its changes are kept (a new
    /// batch of this analyst's, not an undo or a redo).
    current: Option<(String, bool)>,
}

impl History {
    fn record(&mut self, analyst: &str, entries: &[(usize, Entry)]) {
        for (_, e) in entries {
            self.record_one(analyst, e);
        }
    }

    /// Take in the next entry of the journal: the entries of a batch come one after
    /// another, and the first says what the batch is.
    fn record_one(&mut self, analyst: &str, e: &Entry) {
        if let Some((batch, keep)) = &self.current
            && *batch == e.batch
        {
            if *keep {
                self.batches
                    .entry(e.batch.clone())
                    .or_default()
                    .push((e.article.clone(), e.op.clone()));
            }
            return;
        }
        let mut keep = false;
        if e.analyst == analyst {
            if let Some(undone) = &e.undoes {
                self.done.retain(|b| b != undone);
                self.undone.push(undone.clone());
            } else if let Some(redone) = &e.redoes {
                self.undone.retain(|b| b != redone);
                self.done.push(redone.clone());
            } else {
                self.done.push(e.batch.clone());
                self.undone.clear();
                self.batches
                    .insert(e.batch.clone(), vec![(e.article.clone(), e.op.clone())]);
                keep = true;
            }
        }
        self.current = Some((e.batch.clone(), keep));
    }
}

/// The tag store of one config directory.
pub struct Store {
    dir: PathBuf,
    journal_path: PathBuf,
    journal: File,
    /// The journal was opened for appending (else every save is retried from scratch).
    writable: bool,
    pub state: TagState,
    /// Journal bytes and lines reflected in `state`.
    offset: u64,
    lines: usize,
    pub analyst: String,
    pub session: String,
    batches_made: u64,
    history: History,
    /// Things to tell the analyst (a corrupt snapshot moved aside, unreadable lines).
    pub notices: Vec<String>,
    snapshot_lines: usize,
    /// Articles whose state changed since the last `take_updates`.
    changed: Vec<String>,
    /// The snapshot and journal have been read (`read_saved`).
    read: bool,
}

/// The new states of articles that changed; `None` where an article has none left.
pub type Updates = Vec<(String, Option<ArticleState>)>;

impl Store {
    /// Open (creating) the store in `dir`; replays the journal past the snapshot.
    pub fn open(dir: &Path, analyst: &str, session: &str) -> Result<Store, StoreError> {
        let mut store = Store::open_unread(dir, analyst, session)?;
        store.read_saved()?;
        Ok(store)
    }

    /// Open (creating) the store in `dir` without reading what it holds yet (see
    /// `read_saved`): what can go wrong with the directory goes wrong here, at once; a
    /// long tagging history takes seconds to read.
    pub fn open_unread(dir: &Path, analyst: &str, session: &str) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let journal_path = dir.join(JOURNAL);
        let (journal, writable) = match journal::open(&journal_path) {
            Ok(opened) => opened,
            // A read-only directory without a journal yet: start empty; every save is an
            // error shown in the status line and retried until the directory is writable.
            Err(e)
                if !journal_path.exists() && e.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                (File::open("/dev/null").map_err(io(&journal_path))?, false)
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: journal_path,
                    source: e,
                });
            }
        };
        let store = Store {
            dir: dir.to_path_buf(),
            journal_path,
            journal,
            writable,
            state: TagState::default(),
            offset: 0,
            lines: 1,
            analyst: analyst.to_string(),
            session: session.to_string(),
            batches_made: 0,
            history: History::default(),
            notices: Vec::new(),
            snapshot_lines: 0,
            changed: Vec::new(),
            read: false,
        };
        if writable {
            remove_stale_snapshots(dir);
        }
        Ok(store)
    }

    /// Read the snapshot and replay the journal past it (once; later calls do nothing).
    pub fn read_saved(&mut self) -> Result<(), StoreError> {
        if self.read {
            return Ok(());
        }
        // From scratch: a read that failed part way (the worker tries again) took in some
        // of the history already.
        self.state = TagState::default();
        self.history = History::default();
        self.notices.clear();
        self.load_snapshot();
        self.journal.lock_shared().map_err(io(&self.journal_path))?;
        // The whole journal is read for the undo history; the snapshot spares re-applying it.
        let (history, state, analyst) = (&mut self.history, &mut self.state, &self.analyst);
        let snapshot_lines = self.snapshot_lines;
        let read = journal::scan(&mut self.journal, 0, 1, |line, e| {
            history.record_one(analyst, &e);
            if line > snapshot_lines {
                Self::apply_entry(state, &e);
            }
        });
        let _ = self.journal.unlock();
        let tail = read.map_err(io(&self.journal_path))?;
        self.offset = tail.end;
        self.lines = tail.first_line;
        self.report_bad(&tail.bad);
        self.read = true;
        Ok(())
    }

    /// Read `tags.json`; a corrupt one is moved aside (never overwritten) and the state
    /// is rebuilt from the whole journal.
    fn load_snapshot(&mut self) {
        let path = self.dir.join(SNAPSHOT);
        let Ok(bytes) = std::fs::read(&path) else {
            return;
        };
        match serde_json::from_slice::<Snapshot<BTreeMap<String, ArticleState>>>(&bytes) {
            Ok(s) if s.version == 1 => {
                self.state = TagState {
                    articles: s.articles,
                };
                self.snapshot_lines = s.journal_lines;
            }
            other => {
                let why = match other {
                    Err(e) => e.to_string(),
                    Ok(s) => format!("unknown version {}", s.version),
                };
                let stamp = now().replace(':', "-");
                let aside = self.dir.join(format!("{SNAPSHOT}.corrupt-{stamp}"));
                let moved = std::fs::rename(&path, &aside);
                self.notices.push(match moved {
                    Ok(()) => format!(
                        "{} was unreadable ({why}); kept as {} and rebuilt from the journal",
                        path.display(),
                        aside.display()
                    ),
                    Err(e) => format!(
                        "{} is unreadable ({why}) and could not be moved aside: {e}",
                        path.display()
                    ),
                });
            }
        }
    }

    fn report_bad(&mut self, bad: &[BadLine]) {
        for b in bad {
            self.notices.push(format!(
                "{}:{}: unreadable journal line skipped: {}",
                self.journal_path.display(),
                b.line,
                b.reason
            ));
        }
    }

    fn apply_entry(state: &mut TagState, e: &Entry) {
        state.apply(
            &e.article,
            &e.op,
            state::Meta {
                time: &e.time,
                analyst: &e.analyst,
                session: &e.session,
                fingerprint: e.fingerprint.as_deref(),
            },
        );
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Take in what other instances have written since we last looked.
    pub fn refresh(&mut self) -> Result<Vec<Entry>, StoreError> {
        // The saved state is read first: read after, the journal would be taken in twice.
        self.read_saved()?;
        let len = self
            .journal
            .metadata()
            .map_err(io(&self.journal_path))?
            .len();
        if len <= self.offset {
            return Ok(Vec::new());
        }
        self.journal.lock_shared().map_err(io(&self.journal_path))?;
        let tail = journal::read_from(&mut self.journal, self.offset, self.lines);
        let _ = self.journal.unlock();
        let tail = tail.map_err(io(&self.journal_path))?;
        self.absorb(&tail);
        Ok(tail.entries.into_iter().map(|(_, e)| e).collect())
    }

    fn absorb(&mut self, tail: &journal::Tail) {
        for (_, e) in &tail.entries {
            Self::apply_entry(&mut self.state, e);
            if !e.article.is_empty() {
                self.changed.push(e.article.clone());
            }
        }
        self.history.record(&self.analyst.clone(), &tail.entries);
        self.offset = tail.end;
        self.lines = tail.first_line;
        self.report_bad(&tail.bad);
    }

    /// What changed since the last call (by this instance or another), to send to the
    /// app rather than the whole state: a copy of a million articles' states for every
    /// save, and its release on the UI thread, took longer than the save.
    pub fn take_updates(&mut self) -> Updates {
        let mut ids = std::mem::take(&mut self.changed);
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| {
                let state = self.state.get(&id).cloned();
                (id, state)
            })
            .collect()
    }

    fn next_batch(&mut self) -> String {
        self.batches_made += 1;
        format!("{}#{}", self.session, self.batches_made)
    }

    /// Carry out a request: read others' changes, journal the effective ones (fsynced),
    /// apply them. Returns what was written (empty when nothing changed).
    pub fn commit(&mut self, request: &Request) -> Result<Vec<Entry>, StoreError> {
        // The saved state is read first: read after, the journal would be taken in twice.
        self.read_saved()?;
        let path = self.journal_path.clone();
        if !self.writable {
            // Perhaps it can be written now (permissions fixed, space freed). Swap the
            // handle before locking: flock locks of two handles conflict even in one process.
            let (file, writable) = journal::open(&path).map_err(io(&path))?;
            if !writable {
                return Err(StoreError::Io {
                    path,
                    source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
                });
            }
            self.journal = file;
            self.writable = true;
        }
        self.journal.lock().map_err(io(&path))?;
        let result = self.commit_locked(request);
        let _ = self.journal.unlock();
        result
    }

    fn commit_locked(&mut self, request: &Request) -> Result<Vec<Entry>, StoreError> {
        let path = self.journal_path.clone();
        let tail =
            journal::read_from(&mut self.journal, self.offset, self.lines).map_err(io(&path))?;
        self.absorb(&tail);
        let time = now();
        let batch = self.next_batch();
        let (changes, undoes, redoes): (Cow<[Change]>, _, _) = match request {
            Request::Changes(c) => (Cow::Borrowed(c.as_slice()), None, None),
            Request::Undo => match self.history.done.last().cloned() {
                Some(b) => {
                    let ops = self.history.batches.get(&b).cloned().unwrap_or_default();
                    let inverse = ops
                        .iter()
                        .rev()
                        .map(|(a, op)| (a.clone(), op.inverse(), None))
                        .collect();
                    (Cow::Owned(inverse), Some(b), None)
                }
                None => return Ok(Vec::new()),
            },
            Request::Redo => match self.history.undone.last().cloned() {
                Some(b) => {
                    let ops = self.history.batches.get(&b).cloned().unwrap_or_default();
                    let ops = ops.into_iter().map(|(a, op)| (a, op, None)).collect();
                    (Cow::Owned(ops), None, Some(b))
                }
                None => return Ok(Vec::new()),
            },
        };
        // Journal only what really changes, so undo restores exactly what was there. The
        // articles this batch has changed so far are kept as they will be (a copy of the
        // whole state for this took seconds per save with a million articles tagged).
        let mut batch_states: HashMap<&str, ArticleState> = HashMap::new();
        let mut entries = Vec::new();
        for (article, op, article_now) in changes.iter() {
            let current = batch_states
                .entry(article)
                .or_insert_with(|| self.state.get(article).cloned().unwrap_or_default());
            if !current.changes(op) {
                continue;
            }
            let op = match op {
                Op::Note { text, .. } => Op::Note {
                    text: text.clone(),
                    was: current.note.clone(),
                },
                other => other.clone(),
            };
            current.apply(&op);
            entries.push(Entry {
                time: time.clone(),
                analyst: self.analyst.clone(),
                session: self.session.clone(),
                article: article.clone(),
                op,
                batch: batch.clone(),
                undoes: undoes.clone(),
                redoes: redoes.clone(),
                fingerprint: article_now.as_ref().map(|a| fingerprint(a.article())),
            });
        }
        if entries.is_empty() && undoes.is_none() && redoes.is_none() {
            return Ok(entries);
        }
        // An undo whose changes were all overtaken still moves the history.
        if entries.is_empty() {
            entries.push(Entry {
                time,
                analyst: self.analyst.clone(),
                session: self.session.clone(),
                article: String::new(),
                op: Op::Note {
                    text: String::new(),
                    was: String::new(),
                },
                batch,
                undoes,
                redoes,
                fingerprint: None,
            });
        }
        let end = journal::append(&mut self.journal, &entries).map_err(io(&path))?;
        // Read back what we wrote (and the newline closing a torn line, if one was added)
        // so line numbers stay exact.
        let tail =
            journal::read_from(&mut self.journal, self.offset, self.lines).map_err(io(&path))?;
        debug_assert_eq!(tail.end, end);
        self.absorb(&tail);
        Ok(entries)
    }

    /// Rewrite `tags.json` atomically: temp file, fsync, rename, fsync the directory.
    pub fn write_snapshot(&mut self) -> Result<(), StoreError> {
        // Never of a state not read yet.
        self.read_saved()?;
        let path = self.dir.join(SNAPSHOT);
        let tmp = self
            .dir
            .join(format!("{}{}", tmp_prefix(), std::process::id()));
        let snapshot = Snapshot {
            version: 1,
            journal_lines: self.lines - 1,
            articles: &self.state.articles,
        };
        let mut bytes = serde_json::to_vec_pretty(&snapshot).map_err(|e| StoreError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        bytes.push(b'\n');
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            StoreError::Io {
                path: path.clone(),
                source: e,
            }
        })?;
        self.snapshot_lines = self.lines;
        Ok(())
    }

    /// Batches this analyst can undo / redo.
    pub fn can_undo(&self) -> usize {
        self.history.done.len()
    }

    pub fn can_redo(&self) -> usize {
        self.history.undone.len()
    }

    /// All journal entries (for sessions and export).
    pub fn entries(&mut self) -> Result<Vec<Entry>, StoreError> {
        let path = self.journal_path.clone();
        self.journal.lock_shared().map_err(io(&path))?;
        let tail = journal::read_from(&mut self.journal, 0, 1);
        let _ = self.journal.unlock();
        Ok(tail
            .map_err(io(&path))?
            .entries
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }
}

/// Temp snapshots are named this and the writer's process id.
fn tmp_prefix() -> String {
    format!(".{SNAPSHOT}.tmp-")
}

/// Remove the temp snapshots of processes that are gone (killed while writing one): the
/// journal holds everything they held, and nothing else would ever remove them. Where
/// processes cannot be looked up (no /proc), they are left.
fn remove_stale_snapshots(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let (ours, prefix) = (std::process::id(), tmp_prefix());
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        // Our own id here is a dead process's that had it before us: we have written none.
        if pid == ours || !proc.join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(t: &str) -> Op {
        Op::Tag { tag: t.into() }
    }

    /// A temp snapshot left by a killed process is removed when the directory is next
    /// opened; one a live process is writing, and other files, are left alone.
    #[test]
    fn temp_snapshots_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut live = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        let name = |pid: &str| format!("{}{pid}", tmp_prefix());
        // Above the largest process id Linux hands out.
        let dead = name("4294967");
        let files = [
            dead.clone(),
            name(&std::process::id().to_string()),
            name(&live.id().to_string()),
            name("notes"),
            "notes.txt".to_string(),
        ];
        for f in &files {
            std::fs::write(dir.path().join(f), "{}").expect("writes");
        }
        let store = Store::open(dir.path(), "amal", "s1").expect("opens");
        let _ = live.kill();
        let _ = live.wait();
        let kept: Vec<bool> = files.iter().map(|f| dir.path().join(f).exists()).collect();
        if Path::new("/proc/self").exists() {
            assert_eq!(kept, [false, false, true, true, true], "{files:?}");
        } else {
            assert!(kept.iter().all(|&k| k));
        }
        drop(store);
    }

    /// A store opened without reading (the TUI's, read on its thread) reads before it
    /// writes anything: a change or a snapshot on the empty state it starts with would
    /// have lost every saved tag.
    #[test]
    fn an_unread_store_reads_before_it_writes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("urgent"))]))
            .expect("commits");
        s.write_snapshot().expect("writes");
        drop(s);

        let mut s = Store::open_unread(dir.path(), "amal", "s2").expect("opens");
        assert!(s.state.articles.is_empty(), "nothing read yet");
        s.commit(&changes(&[("b", tag("urgent"))]))
            .expect("commits");
        s.read_saved().expect("reads");
        assert_eq!(s.state.articles.len(), 2);
        assert_eq!(s.can_undo(), 2, "the history was read once");
        let mut s = Store::open_unread(dir.path(), "amal", "s3").expect("opens");
        s.write_snapshot().expect("writes");
        let mut s = Store::open_unread(dir.path(), "amal", "s4").expect("opens");
        s.read_saved().expect("reads");
        s.read_saved().expect("reads once");
        let ids: Vec<&str> = s.state.articles.keys().map(String::as_str).collect();
        assert_eq!(ids, ["a", "b"]);
        // Read again from the start, as after a read that failed part way: the history
        // is the journal's, not taken in twice.
        s.read = false;
        s.read_saved().expect("reads again");
        assert_eq!((s.can_undo(), s.state.articles.len()), (2, 2));
    }

    fn changes(items: &[(&str, Op)]) -> Request {
        Request::Changes(
            items
                .iter()
                .map(|(a, op)| (a.to_string(), op.clone(), None))
                .collect(),
        )
    }

    /// Fingerprints are kept in the journal: the same article must give the same one
    /// whatever the code that takes it (this value was taken by the first version).
    #[test]
    fn fingerprints_do_not_change() {
        let origin = crate::corpus::Origin {
            path: "a.txt".into(),
            line: None,
        };
        let lines = [
            "طرابلس – أعلنت الشركة العامة للكهرباء",
            "https://www.facebook.com/example/posts/1",
            "Mixed ÉLAN text with ﷺ and مُخْتار",
        ];
        let article = crate::corpus::Article::from_lines("a".into(), origin, lines);
        assert_eq!(fingerprint(&article), "8ac7f508dc6a3383");
    }

    /// The store takes the fingerprint of the article a change names, as it was loaded,
    /// and keeps it with the article's state.
    #[test]
    fn changes_carry_the_fingerprint_of_the_article_as_loaded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        let origin = crate::corpus::Origin {
            path: "a.txt".into(),
            line: None,
        };
        let article = crate::corpus::Article::from_lines("a".into(), origin, ["one", "two"]);
        let mut corpus = crate::corpus::Corpus::default();
        corpus.push_batch(vec![article.clone()]);
        let held = corpus.hold(0);
        assert!(held.is_some() && corpus.hold(1).is_none());
        let entries = s
            .commit(&Request::Changes(vec![("a".into(), tag("relevant"), held)]))
            .expect("commits");
        let expected = fingerprint(&article);
        assert_eq!(entries[0].fingerprint.as_deref(), Some(expected.as_str()));
        let saved = s.state.get("a").and_then(|a| a.fingerprint.as_deref());
        assert_eq!(saved, Some(expected.as_str()));
    }

    /// The app is sent the articles that changed, here or in another instance, once each.
    #[test]
    fn updates_name_each_article_that_changed_since_the_last_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        let mut other = Store::open(dir.path(), "omar", "s2").expect("opens");
        s.commit(&changes(&[
            ("a", tag("x")),
            ("a", Op::Review),
            ("b", tag("x")),
        ]))
        .expect("commits");
        let ids = |u: &Updates| u.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
        let first = s.take_updates();
        assert_eq!(ids(&first), ["a", "b"]);
        assert!(first[0].1.as_ref().is_some_and(|a| a.reviewed));
        assert!(s.take_updates().is_empty(), "taken");
        other.commit(&changes(&[("c", tag("y"))])).expect("commits");
        s.commit(&changes(&[("b", Op::Untag { tag: "x".into() })]))
            .expect("commits");
        let next = s.take_updates();
        assert_eq!(
            ids(&next),
            ["b", "c"],
            "the other instance's change comes too"
        );
        assert_eq!(next[0].1, None, "b has no state left");
        assert!(next[1].1.as_ref().is_some_and(|c| c.tags.contains("y")));
    }

    #[test]
    fn round_trip_through_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[
            ("a", tag("relevant")),
            ("a", Op::Review),
            ("b", tag("follow-up")),
        ]))
        .expect("commits");
        s.commit(&changes(&[(
            "a",
            Op::Note {
                text: "call the council".into(),
                was: String::new(),
            },
        )]))
        .expect("commits");
        s.write_snapshot().expect("snapshot");
        let expected = s.state.clone();
        drop(s);
        let s = Store::open(dir.path(), "amal", "s2").expect("reopens");
        assert_eq!(s.state, expected);
        assert_eq!(
            s.state.get("a").map(|a| a.note.as_str()),
            Some("call the council")
        );
        // The snapshot is readable JSON a person can diff.
        let text = std::fs::read_to_string(dir.path().join(SNAPSHOT)).expect("snapshot");
        assert!(text.contains("\"relevant\""), "{text}");
    }

    #[test]
    fn journal_replay_after_a_crash_before_the_snapshot_rewrite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x"))])).expect("commits");
        s.write_snapshot().expect("snapshot");
        // Journalled and fsynced, but the process dies before tags.json is rewritten.
        s.commit(&changes(&[("b", tag("y")), ("a", Op::Review)]))
            .expect("commits");
        std::mem::forget(s);
        let s = Store::open(dir.path(), "amal", "s2").expect("reopens");
        assert!(s.state.get("b").is_some_and(|b| b.tags.contains("y")));
        assert!(
            s.state
                .get("a")
                .is_some_and(|a| a.reviewed && a.tags.contains("x"))
        );
        // Without any snapshot the journal alone rebuilds the same state.
        std::fs::remove_file(dir.path().join(SNAPSHOT)).expect("removed");
        let rebuilt = Store::open(dir.path(), "amal", "s3").expect("reopens");
        assert_eq!(rebuilt.state, s.state);
    }

    #[test]
    fn a_corrupt_snapshot_is_kept_aside_and_rebuilt() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x"))])).expect("commits");
        s.write_snapshot().expect("snapshot");
        drop(s);
        std::fs::write(dir.path().join(SNAPSHOT), b"{\"version\": 1, \"journal_li")
            .expect("truncate");
        let s = Store::open(dir.path(), "amal", "s2").expect("reopens");
        assert!(
            s.state.get("a").is_some_and(|a| a.tags.contains("x")),
            "rebuilt from the journal"
        );
        assert_eq!(s.notices.len(), 1, "{:?}", s.notices);
        assert!(s.notices[0].contains("rebuilt from the journal"));
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("tags.json.corrupt-")
            })
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read(aside[0].path()).expect("reads"),
            b"{\"version\": 1, \"journal_li"
        );
    }

    #[test]
    fn undo_and_redo_across_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x")), ("b", tag("x"))]))
            .expect("bulk");
        s.commit(&changes(&[("a", Op::Review)])).expect("review");
        drop(s);
        let mut s = Store::open(dir.path(), "amal", "s2").expect("reopens");
        assert_eq!(s.can_undo(), 2);
        s.commit(&Request::Undo).expect("undo review");
        assert!(!s.state.get("a").is_some_and(|a| a.reviewed));
        s.commit(&Request::Undo).expect("undo bulk");
        assert!(s.state.articles.is_empty());
        drop(s);
        let mut s = Store::open(dir.path(), "amal", "s3").expect("reopens");
        assert_eq!((s.can_undo(), s.can_redo()), (0, 2));
        s.commit(&Request::Redo).expect("redo bulk");
        assert!(s.state.get("b").is_some_and(|b| b.tags.contains("x")));
        // Another analyst's undo history is their own.
        let mut other = Store::open(dir.path(), "bashir", "s4").expect("opens");
        assert_eq!(other.can_undo(), 0);
        assert!(other.commit(&Request::Undo).expect("nothing").is_empty());
        // A new change clears what could be redone.
        s.commit(&changes(&[("c", tag("y"))])).expect("commits");
        assert_eq!(s.can_redo(), 0);
    }

    #[test]
    fn only_effective_changes_are_journalled_and_undo_is_exact() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x"))])).expect("commits");
        // Bulk-tagging a and b: only b changes; undoing must not untag a.
        let written = s
            .commit(&changes(&[("a", tag("x")), ("b", tag("x"))]))
            .expect("commits");
        assert_eq!(written.len(), 1);
        s.commit(&Request::Undo).expect("undo");
        assert!(s.state.get("a").is_some_and(|a| a.tags.contains("x")));
        assert!(s.state.get("b").is_none());
    }

    #[test]
    fn two_instances_see_each_others_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut one = Store::open(dir.path(), "amal", "s1").expect("opens");
        let mut two = Store::open(dir.path(), "bashir", "s2").expect("opens");
        one.commit(&changes(&[("a", tag("x"))])).expect("commits");
        two.commit(&changes(&[("b", tag("y"))])).expect("commits");
        assert!(two.state.get("a").is_some(), "read before writing");
        let seen = one.refresh().expect("refreshes");
        assert_eq!(seen.len(), 1);
        assert_eq!(one.state, two.state);
    }

    /// Makes a path immutable for the test (root ignores permission bits), undone on drop.
    struct ReadOnly(PathBuf);

    impl ReadOnly {
        fn new(path: &Path) -> Option<ReadOnly> {
            let root = std::process::Command::new("id")
                .arg("-u")
                .output()
                .ok()?
                .stdout
                == b"0\n";
            let ok = if root {
                std::process::Command::new("chattr")
                    .arg("+i")
                    .arg(path)
                    .status()
                    .ok()?
                    .success()
            } else {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).is_ok()
            };
            ok.then(|| ReadOnly(path.to_path_buf()))
        }
    }

    impl Drop for ReadOnly {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o644));
        }
    }

    #[test]
    fn a_read_only_config_dir() {
        // With a journal already there, changes are still journalled; only the snapshot
        // (a new file) cannot be written, which loses nothing.
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x"))])).expect("commits");
        let Some(guard) = ReadOnly::new(dir.path()) else {
            eprintln!("SKIPPED: cannot make a directory read-only here");
            return;
        };
        s.commit(&changes(&[("b", tag("y"))]))
            .expect("appending still works");
        assert!(s.write_snapshot().is_err());
        drop(guard);
        let s = Store::open(dir.path(), "amal", "s2").expect("reopens");
        assert!(s.state.get("b").is_some());
        // With no journal yet, nothing can be saved: each save is an error (retried by the
        // store thread) until the directory can be written.
        let empty = tempfile::tempdir().expect("temp dir");
        let Some(guard) = ReadOnly::new(empty.path()) else {
            return;
        };
        let mut s = Store::open(empty.path(), "amal", "s3").expect("opens read-only");
        let err = s
            .commit(&changes(&[("a", tag("x"))]))
            .expect_err("cannot create the journal");
        assert!(err.to_string().contains("journal.jsonl"), "{err}");
        drop(guard);
        s.commit(&changes(&[("a", tag("x"))]))
            .expect("saved once writable");
        assert!(s.state.get("a").is_some());
    }

    #[test]
    fn a_read_only_journal_is_an_error_not_a_loss() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::open(dir.path(), "amal", "s1").expect("opens");
        s.commit(&changes(&[("a", tag("x"))])).expect("commits");
        let Some(_guard) = ReadOnly::new(&dir.path().join(JOURNAL)) else {
            eprintln!("SKIPPED: cannot make a file read-only here");
            return;
        };
        let err = s
            .commit(&changes(&[("b", tag("y"))]))
            .expect_err("cannot write");
        assert!(err.to_string().contains("journal.jsonl"), "{err}");
        assert!(s.state.get("b").is_none(), "not claimed as saved");
    }
}
