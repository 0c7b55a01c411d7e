//! Finding corpus files and loading them in parallel, reporting progress as it goes.

use super::ids::IdTable;
use super::jsonl::{PassedOver, parse_json};
use super::report::{ReportError, block_room, decode, looks_binary, parse_report_in};
use super::{Article, Chunk, Corpus, Origin, sample};
use crate::search::prefilter::RawFilter;
use rayon::prelude::*;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// A piece with this many articles is handed on as a batch of its own, not copied into one.
const BATCH_AS_IS: usize = 1024;
/// Reports parsed together, on one thread, their texts kept in one block. (In groups of
/// 32, waking the pool and the loader for each group cost a tenth of a 100k load.)
const PACKED_REPORTS: usize = 128;
/// JSON Lines files are split into pieces of about this size to parse in parallel.
/// (Small pieces keep the windows being parsed and read in the cache: 4 MB ones took
/// 0.6 s more CPU on a million articles.)
const JSON_PIECE: usize = 1 << 19;

/// Pieces in a window of a JSON Lines file: four per thread.
fn pieces_per_window() -> usize {
    4 * rayon::current_num_threads().max(1)
}

/// What went wrong with one file or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// Could not be read; skipped.
    Unreadable,
    /// Not text; skipped.
    Binary,
    /// No text at all; skipped.
    Empty,
    /// Not valid UTF-8; loaded with replacement characters.
    Lossy,
    /// A JSON record that could not be used; skipped.
    BadRecord,
    /// An id already loaded; loaded under a new id.
    DuplicateId,
}

impl WarningKind {
    /// True when the file or record was left out of the corpus.
    pub fn skipped(self) -> bool {
        matches!(
            self,
            Self::Unreadable | Self::Binary | Self::Empty | Self::BadRecord
        )
    }
}

/// A problem met while loading, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    pub path: Arc<str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub kind: WarningKind,
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Progress and results, in corpus order.
#[derive(Debug)]
pub enum LoadEvent {
    /// The file list is known.
    Scanned {
        files: usize,
        bytes: u64,
    },
    /// Articles parsed from the files up to `files_done`.
    Batch {
        articles: Chunk,
        files_done: usize,
        bytes_done: u64,
    },
    /// Time since the load started (for the rate and the time left).
    Elapsed(Duration),
    Warnings(Vec<LoadWarning>),
    Finished(LoadSummary),
}

/// Totals of a finished (or cancelled) load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadSummary {
    pub files: usize,
    pub articles: usize,
    pub skipped: usize,
    pub warnings: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    pub cancelled: bool,
    /// The files read, as they were (for watching them).
    pub seen: Arc<Vec<FileSig>>,
}

/// A file as it was seen: path, size and modification time.
pub type FileSig = (PathBuf, u64, Option<SystemTime>);

/// The corpus files of `options` as they are now (bundled files are not watched).
pub fn file_signatures(options: &LoadOptions) -> Vec<FileSig> {
    scan(options)
        .0
        .into_iter()
        .filter_map(|i| match i {
            Input::File {
                path,
                len,
                modified,
            } => Some((path, len, modified)),
            Input::Embedded { .. } => None,
        })
        .collect()
}

/// What to load: paths given by the user, or the bundled sample corpus when empty.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub paths: Vec<PathBuf>,
    /// JSON Lines records whose line this rules out are not built (a one-shot filter
    /// needs only those that may match); their ids are still claimed.
    pub only: Option<Arc<RawFilter>>,
}

impl LoadOptions {
    /// Fails when a path does not exist, so a typo is reported before anything starts.
    pub fn check(&self) -> Result<(), crate::Error> {
        for p in &self.paths {
            if let Err(e) = std::fs::metadata(p) {
                return Err(crate::Error::Path {
                    path: p.clone(),
                    source: e,
                });
            }
        }
        Ok(())
    }

    /// A short name for the status line.
    pub fn describe(&self) -> String {
        match self.paths.as_slice() {
            [] => "bundled sample corpus".to_string(),
            [one] => crate::text::sanitize_path(one).to_string(),
            many => format!("{} paths", many.len()),
        }
    }
}

#[derive(Debug, Clone)]
enum Input {
    File {
        path: PathBuf,
        len: u64,
        modified: Option<SystemTime>,
    },
    Embedded {
        name: &'static str,
        bytes: &'static [u8],
    },
}

impl Input {
    fn display(&self) -> Arc<str> {
        match self {
            Input::File { path, .. } => crate::text::sanitize_path(path),
            Input::Embedded { name, .. } => Arc::from(format!("sample-data/{name}")),
        }
    }

    /// The file's name, made text if it is not (as `walk` matched it).
    fn name(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Input::File { path, .. } => path
                .file_name()
                .map_or(std::borrow::Cow::Borrowed(""), |n| n.to_string_lossy()),
            Input::Embedded { name, .. } => std::borrow::Cow::Borrowed(name),
        }
    }

    fn len(&self) -> u64 {
        match self {
            Input::File { len, .. } => *len,
            Input::Embedded { bytes, .. } => bytes.len() as u64,
        }
    }

    fn is_json(&self) -> bool {
        ends_with_any(&self.name(), &[".jsonl", ".ndjson", ".json"])
    }

    fn open(&self) -> std::io::Result<Box<dyn std::io::Read>> {
        match self {
            Input::File { path, .. } => Ok(Box::new(std::fs::File::open(path)?)),
            Input::Embedded { bytes, .. } => Ok(Box::new(*bytes)),
        }
    }

    /// The input's bytes, a file's read into `buf`, which the files of a group share:
    /// a buffer each was zeroed, allocated and freed per file (callgrind: 5% of a load).
    fn read<'a>(&'a self, buf: &'a mut Vec<u8>) -> std::io::Result<&'a [u8]> {
        match self {
            // Sized from the scan: reading a `File` to its end asks for its size again, a
            // system call per file (`Take` reads without asking). A first read of one
            // byte more than the scan saw that gives exactly what it saw is the whole
            // file, without a second read to meet its end; any other count reads on.
            Input::File { path, len, .. } => {
                use std::io::Read;
                let len = usize::try_from(*len).unwrap_or(0);
                if buf.len() <= len {
                    buf.resize(len + 1, 0);
                }
                let mut file = std::fs::File::open(path)?;
                let n = loop {
                    match file.read(&mut buf[..=len]) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        read => break read?,
                    }
                };
                if n == len {
                    return Ok(&buf[..n]);
                }
                buf.truncate(n);
                file.take(u64::MAX).read_to_end(buf)?;
                Ok(buf)
            }
            Input::Embedded { bytes, .. } => Ok(bytes),
        }
    }
}

fn is_corpus_file(name: &str) -> bool {
    ends_with_any(name, &[".txt", ".jsonl", ".ndjson", ".json"])
}

/// Whether `name` ends with one of `extensions`, in any case (asked for every file: a
/// lowercase copy of the name each time was an allocation per file).
fn ends_with_any(name: &str, extensions: &[&str]) -> bool {
    let name = name.as_bytes();
    extensions.iter().any(|ext| {
        name.len() >= ext.len()
            && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext.as_bytes())
    })
}

/// The files to load, in a stable order: paths as given, directories walked in name order,
/// hidden entries skipped. Unreadable directories become warnings.
fn scan(options: &LoadOptions) -> (Vec<Input>, Vec<LoadWarning>) {
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    if options.paths.is_empty() {
        inputs.extend(
            sample::FILES
                .iter()
                .map(|(name, bytes)| Input::Embedded { name, bytes }),
        );
    }
    for path in &options.paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let mut files = Vec::new();
                walk(path, &mut files, &mut warnings);
                for (path, m) in files {
                    match m {
                        Ok(m) if m.is_file() => inputs.push(Input::File {
                            path,
                            len: m.len(),
                            modified: m.modified().ok(),
                        }),
                        Ok(_) => {}
                        Err(e) => warnings.push(unreadable(&path, &e)),
                    }
                }
            }
            Ok(m) => inputs.push(Input::File {
                path: path.clone(),
                len: m.len(),
                modified: m.modified().ok(),
            }),
            Err(e) => warnings.push(unreadable(path, &e)),
        }
    }
    (inputs, warnings)
}

fn unreadable(path: &Path, e: &std::io::Error) -> LoadWarning {
    LoadWarning {
        path: crate::text::sanitize_path(path),
        line: None,
        column: None,
        kind: WarningKind::Unreadable,
        message: format!("cannot read: {e}"),
    }
}

/// A file found by `walk` and what a stat of it said.
type Stat = (PathBuf, std::io::Result<std::fs::Metadata>);

/// Stat a run of files of one directory: in parallel (100,000 stats take a while), and
/// through their directory's entries (the kernel looks up one name, not the whole path)
/// unless they are links, which are followed. Done before the walk leaves the directory:
/// an entry holds its directory open, and a tree of thousands of directories would run
/// out of descriptors. A run ends at a subdirectory, which keeps name order.
fn stat_run(run: &mut Vec<(PathBuf, std::fs::DirEntry, bool)>, files: &mut Vec<Stat>) {
    let stats: Vec<_> = std::mem::take(run)
        .into_par_iter()
        .map(|(path, entry, link)| {
            let m = if link {
                std::fs::metadata(&path)
            } else {
                entry.metadata()
            };
            (path, m)
        })
        .collect();
    files.extend(stats);
}

/// Corpus files under `dir`, in name order, each with what a stat of it said.
fn walk(dir: &Path, files: &mut Vec<Stat>, warnings: &mut Vec<LoadWarning>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            warnings.push(unreadable(dir, &e));
            return;
        }
    };
    // Each name taken once: a sort keyed by `file_name` made two copies per comparison,
    // a few hundred thousand allocations on the one thread for 100,000 files.
    let mut entries: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), e))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut run = Vec::new();
    for (name, entry) in entries {
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // Follow links to files, not to directories, so a link loop cannot hang the scan.
        if kind.is_dir() {
            stat_run(&mut run, files);
            walk(&path, files, warnings);
        } else if is_corpus_file(&name) {
            run.push((path, entry, kind.is_symlink()));
        }
    }
    stat_run(&mut run, files);
}

/// Result of one input: articles in file order and what went wrong.
#[derive(Default)]
struct Parsed {
    articles: Chunk,
    warnings: Vec<LoadWarning>,
    passed_over: PassedOver,
}

fn warning(path: &Arc<str>, kind: WarningKind, message: impl Into<String>) -> LoadWarning {
    LoadWarning {
        path: path.clone(),
        line: None,
        column: None,
        kind,
        message: message.into(),
    }
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// A report and what to say of it (its bytes were not valid UTF-8), or why there is none.
type Report = Result<(Article, Option<LoadWarning>), LoadWarning>;

fn parse_report_input(block: &mut Vec<u8>, buf: &mut Vec<u8>, input: &Input) -> Report {
    let path = input.display();
    let bytes = match input.read(buf) {
        Ok(b) => b,
        Err(e) => {
            let message = format!("cannot read: {e}");
            return Err(warning(&path, WarningKind::Unreadable, message));
        }
    };
    let id = crate::text::sanitize(stem(&input.name())).into_owned();
    let origin = Origin {
        path: path.clone(),
        line: None,
    };
    match parse_report_in(block, bytes, id, origin) {
        Ok(article) => {
            let lossy = article.lossy.then(|| {
                let message = "not valid UTF-8: decoded with replacement characters (�)";
                warning(&path, WarningKind::Lossy, message)
            });
            Ok((article, lossy))
        }
        Err(ReportError::Empty) => Err(warning(&path, WarningKind::Empty, "empty file: skipped")),
        Err(ReportError::Binary) => Err(warning(
            &path,
            WarningKind::Binary,
            "binary file (not text): skipped",
        )),
    }
}

/// Parse a group of reports, their texts stored in one block and their search keys in
/// one chunk (a chunk per report, appended, built and copied every key twice).
fn parse_reports(group: &[Input]) -> Parsed {
    let size = group.iter().map(|i| i.len() as usize).sum();
    let mut block = Vec::with_capacity(block_room(size));
    let mut buf = Vec::new();
    let mut articles = Vec::with_capacity(group.len());
    let mut warnings = Vec::new();
    for input in group {
        let report = guarded(input, |i| parse_report_input(&mut block, &mut buf, i), Err);
        match report {
            Ok((article, lossy)) => {
                articles.push(article);
                warnings.extend(lossy);
            }
            Err(w) => warnings.push(w),
        }
    }
    super::seal_texts(block, &mut articles);
    Parsed {
        articles: Chunk::new(articles),
        warnings,
        passed_over: PassedOver::default(),
    }
}

/// Parse one input; a bug in a parser becomes a warning about that file (made into a
/// result by `failed`) instead of ending the whole load.
fn guarded<T>(
    input: &Input,
    parse: impl FnOnce(&Input) -> T,
    failed: impl FnOnce(LoadWarning) -> T,
) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(input))) {
        Ok(parsed) => parsed,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown error");
            failed(internal_error(input, what))
        }
    }
}

fn internal_error(input: &Input, what: &str) -> LoadWarning {
    warning(
        &input.display(),
        WarningKind::Unreadable,
        format!("internal error while reading (please report it): {what}"),
    )
}

/// Split JSON Lines bytes into pieces on line boundaries, with each piece's first line
/// number. Bytes, not text: each piece is decoded on its own, in parallel; a newline byte
/// never falls inside a UTF-8 sequence.
fn json_pieces(bytes: &[u8], first_line: usize) -> (Vec<(usize, std::ops::Range<usize>)>, usize) {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut line = first_line;
    while start < bytes.len() {
        let mut end = (start + JSON_PIECE).min(bytes.len());
        if end < bytes.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i + 1);
        }
        pieces.push((line, start..end));
        line += memchr::memchr_iter(b'\n', &bytes[start..end]).count();
        start = end;
    }
    (pieces, line)
}

/// Read until `buf` holds at least `want` bytes or the input ends; true at the end.
fn fill(reader: &mut impl std::io::Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    use std::io::Read;
    while buf.len() < want {
        let room = want.saturating_sub(buf.len()).clamp(1, JSON_PIECE);
        let n = reader.by_ref().take(room as u64).read_to_end(buf)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Loads inputs in order and reports each step through `emit`.
pub struct Loader {
    options: LoadOptions,
    cancel: Arc<AtomicBool>,
}

impl Loader {
    pub fn new(options: LoadOptions) -> Loader {
        Loader {
            options,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Setting this flag stops the load after the batch in progress.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Run the load on a new thread.
    pub fn spawn(
        self,
        emit: impl FnMut(LoadEvent) + Send + 'static,
    ) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name("loader".into())
            .spawn(move || self.run(emit))
            .expect("the loader thread can be started")
    }

    /// Run the load on this thread.
    pub fn run(self, mut emit: impl FnMut(LoadEvent)) {
        let started = Instant::now();
        let (inputs, scan_warnings) = scan(&self.options);
        let total_bytes = inputs.iter().map(Input::len).sum();
        let mut summary = LoadSummary {
            files: inputs.len(),
            bytes: total_bytes,
            ..LoadSummary::default()
        };
        emit(LoadEvent::Scanned {
            files: inputs.len(),
            bytes: total_bytes,
        });
        let mut ids = IdRegistry::default();
        let mut deliver =
            |mut parsed: Vec<Parsed>, files_done, bytes_done, summary: &mut LoadSummary| {
                let mut warnings = Vec::new();
                // The id table sized for the whole load from what has come so far, so
                // that it is not grown (and every entry moved) again and again.
                let coming: usize = parsed
                    .iter()
                    .map(|p| p.articles.len() + p.passed_over.len())
                    .sum();
                if bytes_done > 0 {
                    let share = total_bytes as f64 / bytes_done as f64;
                    ids.expect(((summary.articles + coming) as f64 * share) as usize);
                }
                for p in &mut parsed {
                    warnings.append(&mut p.warnings);
                    let passed_over = std::mem::take(&mut p.passed_over);
                    summary.articles += passed_over.len();
                    p.articles.update(|articles| {
                        let before = warnings.len();
                        ids.claim_all(articles, passed_over, &mut warnings);
                        warnings.len() > before
                    });
                    summary.articles += p.articles.len();
                }
                summary.skipped += warnings.iter().filter(|w| w.kind.skipped()).count();
                summary.warnings += warnings.len();
                if !warnings.is_empty() {
                    emit(LoadEvent::Warnings(warnings));
                }
                // A large piece (JSON Lines) goes on as it is; single reports are gathered.
                let mut batch = Chunk::default();
                for p in parsed {
                    if p.articles.len() < BATCH_AS_IS {
                        batch.append(p.articles);
                        continue;
                    }
                    if !batch.is_empty() {
                        let articles = std::mem::take(&mut batch);
                        emit(LoadEvent::Batch {
                            articles,
                            files_done,
                            bytes_done,
                        });
                    }
                    emit(LoadEvent::Batch {
                        articles: p.articles,
                        files_done,
                        bytes_done,
                    });
                }
                if !batch.is_empty() {
                    emit(LoadEvent::Batch {
                        articles: batch,
                        files_done,
                        bytes_done,
                    });
                }
                emit(LoadEvent::Elapsed(started.elapsed()));
            };
        if !scan_warnings.is_empty() {
            let n = scan_warnings.len();
            deliver(
                vec![Parsed {
                    articles: Chunk::default(),
                    warnings: scan_warnings,
                    passed_over: PassedOver::default(),
                }],
                0,
                0,
                &mut summary,
            );
            debug_assert!(summary.warnings >= n);
        }

        let inputs = Arc::new(inputs);
        let mut groups = InFlight::new();
        let mut done = 0;
        let mut bytes_done = 0;
        while done < inputs.len() {
            if self.cancel.load(Ordering::Relaxed) {
                summary.cancelled = true;
                break;
            }
            if inputs[done].is_json() {
                // The reports before it go on first.
                groups.hand_on(0, &mut |p, (d, b)| deliver(p, d, b, &mut summary));
                let input = &inputs[done];
                let before = bytes_done;
                bytes_done += input.len();
                done += 1;
                let mut send = |p, d, b| deliver(p, d, b, &mut summary);
                let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.load_json(input, done, before, &mut send)
                }));
                if loaded.is_err() {
                    // What the file gave before the failure stays loaded.
                    send(
                        vec![Parsed {
                            warnings: vec![internal_error(input, "the JSON reader failed")],
                            ..Parsed::default()
                        }],
                        done,
                        bytes_done,
                    );
                }
                // Stopped within the file (its last, or the only one): still cancelled.
                if self.cancel.load(Ordering::Relaxed) {
                    summary.cancelled = true;
                    break;
                }
                continue;
            }
            // Reports `PACKED_REPORTS` at a time, their texts in one block (see `seal_texts`),
            // handed on while the pool goes on with the next ones.
            let end = inputs[done..]
                .iter()
                .take(PACKED_REPORTS)
                .position(Input::is_json)
                .map_or((done + PACKED_REPORTS).min(inputs.len()), |i| done + i);
            bytes_done += inputs[done..end].iter().map(Input::len).sum::<u64>();
            let (all, group) = (inputs.clone(), done..end);
            done = end;
            groups.submit((done, bytes_done), move || parse_reports(&all[group]));
            groups.hand_on(2 * pieces_per_window(), &mut |p, (d, b)| {
                deliver(p, d, b, &mut summary)
            });
        }
        if !summary.cancelled {
            groups.hand_on(0, &mut |p, (d, b)| deliver(p, d, b, &mut summary));
        }
        summary.elapsed = started.elapsed();
        summary.seen = Arc::new(
            inputs
                .iter()
                .filter_map(|i| match i {
                    Input::File {
                        path,
                        len,
                        modified,
                    } => Some((path.clone(), *len, *modified)),
                    Input::Embedded { .. } => None,
                })
                .collect(),
        );
        emit(LoadEvent::Finished(summary));
    }

    /// JSON Lines are read and parsed a window at a time, so a file of gigabytes never sits
    /// in memory whole; a JSON array is read whole (it is one value).
    fn load_json(
        &self,
        input: &Input,
        files_done: usize,
        bytes_before: u64,
        deliver: &mut dyn FnMut(Vec<Parsed>, usize, u64),
    ) {
        let path = input.display();
        let mut consumed = 0;
        let mut send = |parsed, bytes| {
            consumed = bytes;
            deliver(parsed, files_done, bytes_before + bytes);
        };
        if let Err(e) = self.read_json(input, &path, &mut send) {
            let w = warning(&path, WarningKind::Unreadable, format!("cannot read: {e}"));
            deliver(only(w), files_done, bytes_before + consumed);
        }
    }

    /// `load_json` less its read errors: batches go to `send` with the bytes read so far.
    fn read_json(
        &self,
        input: &Input,
        path: &Arc<str>,
        send: &mut dyn FnMut(Vec<Parsed>, u64),
    ) -> std::io::Result<()> {
        let mut reader = input.open()?;
        let window = pieces_per_window() * JSON_PIECE;
        let mut buf = Vec::with_capacity(window + JSON_PIECE);
        let mut eof = fill(&mut reader, &mut buf, window)?;
        if looks_binary(&buf) {
            let w = warning(path, WarningKind::Binary, "binary file (not text): skipped");
            send(only(w), 0);
            return Ok(());
        }
        if buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        let blank = buf.trim_ascii_start();
        if blank.is_empty() && eof {
            send(
                only(warning(path, WarningKind::Empty, "empty file: skipped")),
                0,
            );
            return Ok(());
        }
        let is_array = blank.starts_with(b"[");
        let stem: Arc<str> = Arc::from(stem(&input.name()));
        let lossy = Arc::new(AtomicBool::new(false));
        let mut line = 1;
        let mut cut_so_far = 0u64;
        // Pieces go to the pool as soon as they are read and come back in any order; they
        // are handed on in file order. (Parsed a window at a time, a thread done with its
        // share waited for the other's last piece, and nothing was read meanwhile.)
        let mut pieces = InFlight::new();
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            if is_array && !eof {
                eof = pieces.fill(&mut reader, &mut buf, usize::MAX, send)?;
                continue;
            }
            // Whole lines only; a line longer than the window waits for more bytes.
            let cut = if eof {
                Some(buf.len())
            } else {
                memchr::memrchr(b'\n', &buf).map(|i| i + 1)
            };
            let Some(cut) = cut else {
                let want = buf.len() + window;
                eof = pieces.fill(&mut reader, &mut buf, want, send)?;
                continue;
            };
            let mut rest = Vec::with_capacity(window + JSON_PIECE);
            rest.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            let text = Arc::new(std::mem::replace(&mut buf, rest));
            let (ranges, next_line) = if is_array {
                (vec![(1, 0..cut)], line)
            } else {
                json_pieces(&text, line)
            };
            for (first_line, range) in ranges {
                let end = cut_so_far + range.end as u64;
                let (text, path, stem, lossy, only) = (
                    text.clone(),
                    path.clone(),
                    stem.clone(),
                    lossy.clone(),
                    self.options.only.clone(),
                );
                pieces.submit(end, move || {
                    parse_piece(
                        &text[range],
                        first_line,
                        &path,
                        &stem,
                        &lossy,
                        only.as_deref(),
                    )
                });
            }
            cut_so_far += cut as u64;
            line = next_line;
            // Two windows' pieces at most wait in the pool.
            pieces.hand_on(2 * pieces_per_window(), send);
            if eof && buf.is_empty() {
                pieces.hand_on(0, send);
                return Ok(());
            }
            eof = pieces.fill(&mut reader, &mut buf, window, send)?;
        }
    }
}

/// Pieces given to the pool (of a JSON file, or groups of reports), handed on in the
/// order they were given, each with where it ends (`P`: bytes of its file, or files and
/// bytes of the load).
struct InFlight<P> {
    results: std::sync::mpsc::Receiver<(u64, std::thread::Result<Parsed>)>,
    sender: std::sync::mpsc::Sender<(u64, std::thread::Result<Parsed>)>,
    /// Number of the first piece not handed on yet.
    first: u64,
    /// For each piece not handed on, in order: where it ends, and its result once it has
    /// come back.
    waiting: std::collections::VecDeque<(P, Option<std::thread::Result<Parsed>>)>,
}

impl<P: Copy + Default> InFlight<P> {
    fn new() -> InFlight<P> {
        let (sender, results) = std::sync::mpsc::channel();
        InFlight {
            results,
            sender,
            first: 0,
            waiting: std::collections::VecDeque::new(),
        }
    }

    /// Parse a piece on the pool; `end` is where it ends (see `waiting`).
    fn submit(&mut self, end: P, parse: impl FnOnce() -> Parsed + Send + 'static) {
        let number = self.first + self.waiting.len() as u64;
        self.waiting.push_back((end, None));
        let sender = self.sender.clone();
        rayon::spawn(move || {
            // A panic comes back as a result, to be raised in this piece's turn.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
            // The loader may have stopped listening (a cancelled load).
            let _ = sender.send((number, result));
        });
    }

    /// `fill`, but what was read before a read error goes on first.
    fn fill(
        &mut self,
        reader: &mut impl std::io::Read,
        buf: &mut Vec<u8>,
        want: usize,
        send: &mut dyn FnMut(Vec<Parsed>, P),
    ) -> std::io::Result<bool> {
        let result = fill(reader, buf, want);
        if result.is_err() {
            self.hand_on(0, send);
        }
        result
    }

    /// Hand on, in order, the pieces that are back, waiting until at most `limit` are out.
    fn hand_on(&mut self, limit: usize, send: &mut dyn FnMut(Vec<Parsed>, P)) {
        loop {
            let mut batch = Vec::new();
            let mut end = P::default();
            while let Some((_, Some(_))) = self.waiting.front() {
                let Some((piece_end, Some(result))) = self.waiting.pop_front() else {
                    break;
                };
                self.first += 1;
                match result {
                    Ok(parsed) => {
                        batch.push(parsed);
                        end = piece_end;
                    }
                    Err(panic) => {
                        if !batch.is_empty() {
                            send(batch, end);
                        }
                        std::panic::resume_unwind(panic);
                    }
                }
            }
            if !batch.is_empty() {
                send(batch, end);
            }
            if self.waiting.len() <= limit {
                return;
            }
            // Wait for one more piece (the sender kept here means this cannot disconnect),
            // then take whatever else is back.
            let back = self.results.recv().into_iter();
            for (number, result) in back.chain(std::iter::from_fn(|| self.results.try_recv().ok()))
            {
                if let Some(slot) = self.waiting.get_mut((number - self.first) as usize) {
                    slot.1 = Some(result);
                }
            }
        }
    }
}

/// Parse one piece of a JSON file.
fn parse_piece(
    piece: &[u8],
    first_line: usize,
    path: &Arc<str>,
    stem: &str,
    lossy: &AtomicBool,
    only: Option<&RawFilter>,
) -> Parsed {
    let text = decode(piece);
    // Said once per file, by the first piece that needed it.
    let lossy = (matches!(text, std::borrow::Cow::Owned(_))
        && !lossy.swap(true, Ordering::Relaxed))
    .then(|| {
        warning(
            path,
            WarningKind::Lossy,
            "not valid UTF-8: decoded with replacement characters (�)",
        )
    });
    let (articles, errors, passed_over) = parse_json(&text, path, stem, first_line, only);
    // Keys are folded here, in parallel, not when the batch is handed on.
    let articles = Chunk::new(articles);
    let warnings = lossy
        .into_iter()
        .chain(errors.into_iter().map(|e| LoadWarning {
            path: path.clone(),
            line: e.line,
            column: e.column,
            kind: WarningKind::BadRecord,
            message: format!("{}: skipped", e.reason),
        }))
        .collect();
    Parsed {
        articles,
        warnings,
        passed_over,
    }
}

/// A batch of nothing but one warning.
fn only(w: LoadWarning) -> Vec<Parsed> {
    vec![Parsed {
        articles: Chunk::default(),
        warnings: vec![w],
        passed_over: PassedOver::default(),
    }]
}

/// Keeps ids unique within a load: a clash is renamed `id~2` and reported. The ids live
/// in one string with a table of their numbers: a million ids cost a few bytes each, not
/// an allocation and a map entry each (growing such a map was a tenth of a large load).
#[derive(Default)]
struct IdRegistry {
    text: String,
    /// End of each id in `text`.
    ends: Vec<usize>,
    /// The file each id was first seen in, as an index into `paths`.
    first_path: Vec<u32>,
    paths: Vec<Arc<str>>,
    table: IdTable,
}

fn id_at<'a>(text: &'a str, ends: &[usize], n: u32) -> &'a str {
    let n = n as usize;
    let start = if n == 0 { 0 } else { ends[n - 1] };
    &text[start..ends[n]]
}

impl IdRegistry {
    /// Record `id` as seen in `path`; the number of its first sighting when it was seen
    /// before (then nothing is recorded).
    fn insert(&mut self, id: &str, path: &Arc<str>) -> Option<u32> {
        self.insert_hashed(super::ids::id_hash(id), id, path)
    }

    fn insert_hashed(&mut self, hash: u32, id: &str, path: &Arc<str>) -> Option<u32> {
        let n = self.ends.len() as u32;
        let (text, ends) = (&self.text, &self.ends);
        if let Some(first) = self
            .table
            .claim_hashed(hash, id, n, |m| id_at(text, ends, m))
        {
            return Some(first);
        }
        if self.paths.last().is_none_or(|p| !Arc::ptr_eq(p, path)) {
            self.paths.push(path.clone());
        }
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.first_path.push(self.paths.len() as u32 - 1);
        None
    }

    /// Room for this many ids in all (an estimate from what has been read so far).
    fn expect(&mut self, total: usize) {
        self.table.reserve(total.saturating_sub(self.ends.len()));
    }

    /// `claim` each article in turn, the table's slots for the whole piece read first
    /// (see `IdTable::warm`). This is the one part of a load that runs on the thread
    /// everything waits for.
    fn claim_all(
        &mut self,
        articles: &mut [Article],
        passed_over: PassedOver,
        warnings: &mut Vec<LoadWarning>,
    ) {
        /// An id to claim: an article's (renamed in place when taken), or a record's
        /// passed over (its path and line).
        enum Claim<'a> {
            Built(&'a mut Article),
            Passed(&'a str, &'a Arc<str>, Option<usize>),
        }
        // The ids in file order, those of records passed over among the articles'.
        let mut order: Vec<Claim> = Vec::with_capacity(articles.len() + passed_over.len());
        let mut rest = articles.iter_mut();
        let mut done = 0;
        for (before, id, path, line) in passed_over.iter() {
            let run = rest.by_ref().take(before.saturating_sub(done));
            order.extend(run.map(Claim::Built));
            done = before;
            order.push(Claim::Passed(id, path, line));
        }
        order.extend(rest.map(Claim::Built));
        const AHEAD: usize = 64;
        let mut hashes = [0u32; AHEAD];
        for group in order.chunks_mut(AHEAD) {
            for (h, claim) in hashes.iter_mut().zip(group.iter()) {
                *h = super::ids::id_hash(match claim {
                    Claim::Built(a) => &a.id,
                    Claim::Passed(id, ..) => id,
                });
            }
            std::hint::black_box(self.table.warm(hashes[..group.len()].iter().copied()));
            for (&h, claim) in hashes.iter().zip(group.iter_mut()) {
                match claim {
                    Claim::Built(a) => {
                        let (path, line) = (&a.origin.path, a.origin.line);
                        if let Some((renamed, w)) = self.claim_hashed(h, &a.id, path, line) {
                            a.id = renamed;
                            warnings.push(w);
                        }
                    }
                    Claim::Passed(id, path, line) => {
                        warnings.extend(self.claim_hashed(h, id, path, *line).map(|c| c.1));
                    }
                }
            }
        }
    }

    /// Claim `id` (hashed: `hash`) for a record of `path` at `line`; when it was taken,
    /// the name it gets instead and the warning that says so.
    fn claim_hashed(
        &mut self,
        hash: u32,
        id: &str,
        path: &Arc<str>,
        line: Option<usize>,
    ) -> Option<(String, LoadWarning)> {
        let first = self.insert_hashed(hash, id, path)?;
        let first = self.paths[self.first_path[first as usize] as usize].clone();
        let mut n = 2;
        let renamed = loop {
            let candidate = format!("{id}~{n}");
            if self.insert(&candidate, path).is_none() {
                break candidate;
            }
            n += 1;
        };
        let message = format!("duplicate id {id:?} (first in {first}): loaded as {renamed:?}");
        let warning = LoadWarning {
            path: path.clone(),
            line,
            column: None,
            kind: WarningKind::DuplicateId,
            message,
        };
        Some((renamed, warning))
    }
}

/// Load everything on this thread; for the headless commands.
pub fn load_all(options: &LoadOptions) -> (Corpus, Vec<LoadWarning>, LoadSummary) {
    let mut articles = Corpus::new();
    let mut warnings = Vec::new();
    let mut summary = LoadSummary::default();
    Loader::new(options.clone()).run(|event| match event {
        LoadEvent::Batch { articles: a, .. } => articles.push_batch(a),
        LoadEvent::Warnings(w) => warnings.extend(w),
        LoadEvent::Finished(s) => summary = s,
        LoadEvent::Scanned { .. } | LoadEvent::Elapsed(_) => {}
    });
    (articles, warnings, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_text_on_line_boundaries() {
        // Arabic (two bytes per letter) so piece boundaries fall inside characters.
        let line = "{\"title\": \"سطر من نص عربي طويل بما يكفي\"}\n";
        let text = line.repeat(JSON_PIECE / line.len() * 3 + 7);
        let (pieces, next) = json_pieces(text.as_bytes(), 1);
        assert_eq!(next, text.lines().count() + 1);
        assert!(pieces.len() >= 3);
        let pieces: Vec<(usize, &[u8])> = pieces
            .into_iter()
            .map(|(line, range)| (line, &text.as_bytes()[range]))
            .collect();
        let joined: Vec<u8> = pieces.iter().flat_map(|(_, p)| p.iter().copied()).collect();
        assert_eq!(joined, text.as_bytes());
        let mut expected_line = 1;
        for (first, piece) in &pieces {
            assert_eq!(*first, expected_line);
            assert!(piece.ends_with(b"\n"));
            // Each piece is whole characters.
            assert!(std::str::from_utf8(piece).is_ok());
            expected_line += piece.iter().filter(|&&b| b == b'\n').count();
        }
    }

    /// A JSON file that opens but cannot be read (here /proc/self/mem, whose first page is
    /// never mapped) is one warning, not a crash or silence.
    #[test]
    fn a_json_file_that_cannot_be_read_is_a_warning() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mem.jsonl");
        if std::os::unix::fs::symlink("/proc/self/mem", &path).is_err()
            || std::fs::metadata(&path).is_err()
        {
            eprintln!("SKIPPED: no /proc/self/mem here");
            return;
        }
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![path],
            only: None,
        });
        assert!(corpus.is_empty());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].kind, WarningKind::Unreadable);
        assert!(
            warnings[0].message.starts_with("cannot read: "),
            "{warnings:?}"
        );
    }

    /// Read in several windows (parsed while the next is read): invalid UTF-8 in more
    /// than one is one warning, every record loads in file order, and line numbers run on
    /// across windows.
    #[test]
    fn a_large_file_is_read_in_windows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.jsonl");
        let bad = b"{\"title\": \"caf\xE9\"}\n";
        let mut bytes = Vec::new();
        let mut records = 0;
        let window = pieces_per_window() * JSON_PIECE;
        while bytes.len() < 2 * window + JSON_PIECE {
            if records % 100_000 == 7 {
                bytes.extend_from_slice(bad);
            } else {
                let good = format!("{{\"title\": \"سطر سليم {records}\"}}\n");
                bytes.extend_from_slice(good.as_bytes());
            }
            records += 1;
        }
        bytes.extend_from_slice(b"{\"title\": oops}\n");
        std::fs::write(&path, &bytes).expect("written");
        let (corpus, warnings, summary) = load_all(&LoadOptions {
            paths: vec![path],
            only: None,
        });
        assert_eq!(corpus.len(), records);
        let lossy = warnings.iter().filter(|w| w.kind == WarningKind::Lossy);
        assert_eq!(lossy.count(), 1, "{warnings:?}");
        let broken = warnings.iter().find(|w| w.kind == WarningKind::BadRecord);
        assert_eq!(broken.and_then(|w| w.line), Some(records + 1));
        let last = corpus.get(records - 1).expect("last record");
        assert_eq!(last.origin.line, Some(records));
        assert_eq!(summary.bytes, bytes.len() as u64);
        assert!(corpus.iter().any(|a| a.title == "caf\u{FFFD}"));
        for (n, a) in corpus.iter().enumerate() {
            if n % 100_000 != 7 {
                assert_eq!(a.title, format!("سطر سليم {n}"));
            }
        }
    }

    /// A record longer than the window, between windows of short ones: it waits for its
    /// end, and everything loads in order.
    #[test]
    fn a_line_longer_than_the_window_loads_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("long.jsonl");
        let window = pieces_per_window() * JSON_PIECE;
        fn short(text: &mut String, n: &mut usize, until: usize) {
            while text.len() < until {
                text.push_str(&format!("{{\"title\": \"سطر {n}\"}}\n"));
                *n += 1;
            }
        }
        let (mut text, mut n) = (String::new(), 0);
        short(&mut text, &mut n, window + window / 2);
        let long_at = n;
        text.push_str(&format!("{{\"title\": \"{}\"}}\n", "ب".repeat(window)));
        n += 1;
        short(&mut text, &mut n, 4 * window);
        std::fs::write(&path, &text).expect("written");
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![path],
            only: None,
        });
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(corpus.len(), n);
        for (i, a) in corpus.iter().enumerate() {
            assert_eq!(a.origin.line, Some(i + 1));
            if i == long_at {
                assert_eq!(a.title.chars().count(), window);
            } else {
                assert_eq!(a.title, format!("سطر {i}"));
            }
        }
    }

    /// A file read whole whatever size the scan saw: the same, smaller (it grew since),
    /// larger (it shrank), and empty.
    #[test]
    fn a_file_is_read_whole_when_its_size_changed_after_the_scan() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.txt");
        for text in ["", "سبها – تقرير.\nhttps://a.ly/1\n"] {
            std::fs::write(&path, text).expect("written");
            let real = text.len() as u64;
            for len in [real, 0, real / 2, real + 1, real + 4096] {
                let input = Input::File {
                    path: path.clone(),
                    len,
                    modified: None,
                };
                // A buffer used before, longer than the file, gives only the file.
                for mut buf in [Vec::new(), vec![b'x'; 8192]] {
                    let bytes = input.read(&mut buf).expect("read");
                    assert_eq!(bytes, text.as_bytes(), "seen as {len} bytes");
                }
            }
        }
    }

    /// Reports parsed in groups, their texts packed together: each article still reads
    /// as it would alone, in file order, and a bad file is a warning in its place.
    #[test]
    fn grouped_reports_load_in_order_with_their_own_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        let count = 3 * PACKED_REPORTS + 7;
        let text = |n: usize| {
            format!("سبها – أعلن المجلس {n}.\nhttps://example.com/{n}\nThe École {n} ﷺ.\n")
        };
        for n in 0..count {
            let body = if n % 37 == 5 { String::new() } else { text(n) };
            std::fs::write(dir.path().join(format!("{n:03}.txt")), body).expect("written");
        }
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![dir.path().to_path_buf()],
            only: None,
        });
        let empty: Vec<usize> = (0..count).filter(|n| n % 37 == 5).collect();
        assert_eq!(warnings.len(), empty.len(), "{warnings:?}");
        let loaded: Vec<&Article> = corpus.iter().collect();
        let expected: Vec<usize> = (0..count).filter(|n| !empty.contains(n)).collect();
        assert_eq!(loaded.len(), expected.len());
        for (a, &n) in loaded.iter().zip(&expected) {
            assert_eq!(a.id, format!("{n:03}"));
            let alone = Article::from_lines(a.id.clone(), a.origin.clone(), text(n).lines());
            let read: Vec<String> = a.text().paragraphs().map(|p| p.text.to_string()).collect();
            let want: Vec<String> = alone
                .text()
                .paragraphs()
                .map(|p| p.text.to_string())
                .collect();
            assert_eq!(read, want);
            assert_eq!(a.folded_body(), alone.folded_body());
        }
    }

    /// A file name that is not UTF-8 still names its article (lossily, not an empty id)
    /// and still says what the file is (a JSON Lines file is read as one).
    #[test]
    fn file_names_that_are_not_utf8_still_name_and_type_their_files() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let report = dir.path().join(std::ffi::OsStr::from_bytes(b"r\xff1.txt"));
        std::fs::write(&report, "طرابلس – خبر.\n").expect("written");
        let lines = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"s\xff2.jsonl"));
        std::fs::write(&lines, "{\"id\": \"j1\", \"title\": \"خبر\"}\n").expect("written");
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![dir.path().to_path_buf()],
            only: None,
        });
        let ids: Vec<_> = corpus.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(ids, ["r\u{FFFD}1", "j1"], "{warnings:?}");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    /// A subdirectory's reports come at its place in name order, between the files
    /// around it (the files before it are looked at as one run, those after as another).
    #[test]
    fn a_subdirectory_loads_in_its_place_among_the_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("m/n")).expect("dirs");
        for (name, text) in [
            ("a.txt", "خبر أ."),
            ("b.txt", "خبر ب."),
            ("m/k.txt", "خبر ك."),
            ("m/n/x.txt", "خبر س."),
            ("m/y.txt", "خبر ي."),
            ("z.txt", "خبر ز."),
        ] {
            std::fs::write(d.join(name), format!("{text}\n")).expect("written");
        }
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![d.to_path_buf()],
            only: None,
        });
        let ids: Vec<_> = corpus.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(ids, ["a", "b", "k", "x", "y", "z"], "{warnings:?}");
    }

    /// Links to files are followed (the scan's stat goes through the directory entry
    /// only for what is not a link); a dangling link is a warning; a link to a
    /// directory is not walked.
    #[test]
    fn links_in_a_directory_are_followed_to_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(d.join("a.txt"), "طرابلس – خبر أول.\n").expect("written");
        std::fs::create_dir(d.join("sub")).expect("dir");
        std::fs::write(d.join("sub/e.txt"), "خبر في مجلد.\n").expect("written");
        let linked = elsewhere.path().join("target.txt");
        std::fs::write(&linked, "بنغازي – خبر عبر رابط.\n").expect("written");
        std::os::unix::fs::symlink(&linked, d.join("b.txt")).expect("link");
        std::os::unix::fs::symlink(d.join("gone.txt"), d.join("c.txt")).expect("link");
        std::os::unix::fs::symlink(elsewhere.path(), d.join("d.txt")).expect("link");
        std::os::unix::fs::symlink(d, d.join("loop")).expect("link");
        let (corpus, warnings, _) = load_all(&LoadOptions {
            paths: vec![d.to_path_buf()],
            only: None,
        });
        let ids: Vec<_> = corpus.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(ids, ["a", "b", "e"], "{warnings:?}");
        let linked = corpus.get(1).expect("the linked report");
        assert!(linked.title.contains("عبر رابط"), "{linked:?}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].kind, WarningKind::Unreadable);
        assert!(warnings[0].path.ends_with("c.txt"), "{warnings:?}");
    }

    /// Groups of reports go on while later ones are parsed, and a JSON Lines file among
    /// them waits for the reports before it: articles come in name order, progress only
    /// rises, and it ends at the totals.
    #[test]
    fn reports_and_json_files_in_one_directory_load_in_name_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut want = Vec::new();
        for n in 0..5 * PACKED_REPORTS {
            if n % 70 == 3 {
                let name = format!("{n:03}-lines.jsonl");
                let lines: String = (0..3)
                    .map(|k| format!("{{\"id\":\"j{n}-{k}\",\"text\":\"نص {k}\"}}\n"))
                    .collect();
                std::fs::write(dir.path().join(name), lines).expect("written");
                want.extend((0..3).map(|k| format!("j{n}-{k}")));
            } else {
                let body = format!("طرابلس – خبر رقم {n}.\n");
                std::fs::write(dir.path().join(format!("{n:03}.txt")), body).expect("written");
                want.push(format!("{n:03}"));
            }
        }
        let loader = Loader::new(LoadOptions {
            paths: vec![dir.path().to_path_buf()],
            only: None,
        });
        let (mut ids, mut progress, mut totals) = (Vec::new(), vec![(0, 0)], None);
        loader.run(|event| match event {
            LoadEvent::Scanned { files, bytes } => totals = Some((files, bytes)),
            LoadEvent::Batch {
                articles,
                files_done,
                bytes_done,
            } => {
                ids.extend(articles.iter().map(|a| a.id.clone()));
                progress.push((files_done, bytes_done));
            }
            _ => {}
        });
        assert_eq!(ids, want);
        assert!(progress.is_sorted(), "{progress:?}");
        assert_eq!(progress.last().copied(), totals);
    }

    /// Ctrl-C within the only file, a JSON Lines file of several windows: the load stops
    /// there and says it was cancelled, keeping what had come.
    #[test]
    fn a_load_cancelled_within_its_last_json_file_is_cancelled() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.jsonl");
        let line = |n: usize| format!("{{\"id\":\"r{n}\",\"text\":\"{}\"}}\n", "خبر ".repeat(200));
        let count = 3 * pieces_per_window() * JSON_PIECE / line(0).len();
        std::fs::write(&path, (0..count).map(line).collect::<String>()).expect("written");
        let loader = Loader::new(LoadOptions {
            paths: vec![path],
            only: None,
        });
        let cancel = loader.cancel_flag();
        let (mut kept, mut summary) = (0, None);
        loader.run(|event| match event {
            LoadEvent::Batch { articles, .. } => {
                kept += articles.len();
                cancel.store(true, Ordering::Relaxed);
            }
            LoadEvent::Finished(s) => summary = Some(s),
            _ => {}
        });
        let summary = summary.expect("finished");
        assert!(summary.cancelled);
        assert!(kept > 0 && kept < count, "{kept} of {count}");
        assert_eq!(summary.articles, kept);
    }

    /// Pieces that come back out of order are handed on in order, and a piece that panicked
    /// raises its panic in its turn, after the pieces before it.
    #[test]
    fn pieces_are_handed_on_in_order_and_a_panic_in_its_turn() {
        fn marked(n: usize) -> Parsed {
            Parsed {
                articles: Chunk::default(),
                warnings: vec![warning(
                    &Arc::from("p"),
                    WarningKind::BadRecord,
                    n.to_string(),
                )],
                passed_over: PassedOver::default(),
            }
        }
        // Two pieces through the pool, then four whose results come back in an order
        // chosen here: the failed one first, the first one last.
        let mut pieces = InFlight::new();
        for n in 0..2 {
            pieces.submit(10 * n as u64 + 10, move || marked(n));
        }
        for n in 2..6 {
            pieces.waiting.push_back((10 * n as u64 + 10, None));
        }
        for n in [4, 5, 3, 2] {
            let result = if n == 4 {
                Err(Box::new("piece 4 failed") as Box<dyn std::any::Any + Send>)
            } else {
                Ok(marked(n))
            };
            pieces.sender.send((n as u64, result)).expect("sent");
        }
        let mut handed = Vec::new();
        let raised = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pieces.hand_on(0, &mut |batch, end| {
                let numbers: Vec<String> = batch
                    .iter()
                    .flat_map(|p| p.warnings.iter().map(|w| w.message.clone()))
                    .collect();
                handed.push((numbers, end));
            })
        }));
        assert!(raised.is_err());
        let numbers: Vec<String> = handed.iter().flat_map(|(n, _)| n.clone()).collect();
        assert_eq!(numbers, ["0", "1", "2", "3"]);
        assert_eq!(handed.last().map(|(_, end)| *end), Some(40));
    }

    #[test]
    fn duplicate_ids_are_renamed_and_reported() {
        let mut reg = IdRegistry::default();
        let mk = |id: &str, path: &str| {
            Article::from_lines(
                id.into(),
                Origin {
                    path: Arc::from(path),
                    line: None,
                },
                ["text"],
            )
        };
        // More than one group of the claims' read-ahead, a clash inside a group and
        // across groups, and an id that a rename took before it came.
        let mut articles: Vec<Article> = (0..150).map(|i| mk(&format!("n{i}"), "a/n")).collect();
        articles[3] = mk("x", "a/x.txt");
        articles[10] = mk("x", "b/x.txt");
        articles[100] = mk("x", "c/x.txt");
        articles[120] = mk("x~2", "d/x~2.txt");
        articles[149] = mk("n0", "e/n0.txt");
        let mut warnings = Vec::new();
        reg.claim_all(&mut articles, PassedOver::default(), &mut warnings);
        assert_eq!(articles[3].id, "x");
        assert_eq!(articles[10].id, "x~2");
        assert_eq!(articles[100].id, "x~3");
        assert_eq!(articles[120].id, "x~2~2");
        assert_eq!(articles[149].id, "n0~2");
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(
            warnings[0].to_string().contains("first in a/x.txt"),
            "{}",
            warnings[0]
        );
        // Later pieces see the earlier ones' ids, and records passed over (not built)
        // claim theirs in their place among the articles.
        let mut more = vec![mk("n5", "f/n5.txt"), mk("fresh", "f/fresh.txt")];
        let mut passed = PassedOver::default();
        let path: Arc<str> = Arc::from("g.jsonl");
        for (before, id) in [(0, "fresh"), (2, "n6"), (2, "late")] {
            passed.push(before, id, &path, Some(before + 1));
        }
        reg.claim_all(&mut more, passed, &mut warnings);
        assert_eq!(
            (more[0].id.as_str(), more[1].id.as_str()),
            ("n5~2", "fresh~2")
        );
        let said: Vec<String> = warnings[4..].iter().map(|w| w.to_string()).collect();
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(said[1].contains("first in g.jsonl"), "{said:?}");
        assert!(
            said[2].contains("g.jsonl:3") && said[2].contains("n6~2"),
            "{said:?}"
        );
        let mut last = vec![mk("late", "h/late.txt")];
        reg.claim_all(&mut last, PassedOver::default(), &mut warnings);
        assert_eq!(last[0].id, "late~2");
    }
}
