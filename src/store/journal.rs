//! The journal: one JSON line per change, appended and fsynced under an exclusive lock,
//! so two instances (or two analysts) writing at once never lose or mangle a change.

use super::state::Op;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// One journalled change to one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FlatEntry")]
pub struct Entry {
    pub time: String,
    pub analyst: String,
    pub session: String,
    pub article: String,
    #[serde(flatten)]
    pub op: Op,
    /// Changes made by one action share a batch; undo works on whole batches.
    pub batch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redoes: Option<String>,
    /// Content fingerprint of the article at the time of the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// An entry as it is written, the fields of its change among the others. Read through
/// this rather than `Entry`'s flattened `op`, which serde reads by keeping every field
/// aside first: a third of the time of reading a long journal.
#[derive(Deserialize)]
struct FlatEntry {
    time: String,
    analyst: String,
    session: String,
    article: String,
    op: OpKind,
    tag: Option<String>,
    text: Option<String>,
    was: Option<String>,
    batch: String,
    undoes: Option<String>,
    redoes: Option<String>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OpKind {
    Tag,
    Untag,
    Review,
    Unreview,
    Note,
}

impl TryFrom<FlatEntry> for Entry {
    type Error = String;

    fn try_from(e: FlatEntry) -> Result<Entry, String> {
        let missing = |field: &str| format!("missing field `{field}`");
        let op = match e.op {
            OpKind::Tag => Op::Tag {
                tag: e.tag.ok_or_else(|| missing("tag"))?,
            },
            OpKind::Untag => Op::Untag {
                tag: e.tag.ok_or_else(|| missing("tag"))?,
            },
            OpKind::Review => Op::Review,
            OpKind::Unreview => Op::Unreview,
            OpKind::Note => Op::Note {
                text: e.text.ok_or_else(|| missing("text"))?,
                was: e.was.ok_or_else(|| missing("was"))?,
            },
        };
        Ok(Entry {
            time: e.time,
            analyst: e.analyst,
            session: e.session,
            article: e.article,
            op,
            batch: e.batch,
            undoes: e.undoes,
            redoes: e.redoes,
            fingerprint: e.fingerprint,
        })
    }
}

/// A journal line that could not be read (kept in the file, skipped in the state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Entries from byte `offset` to the end of the journal; complete lines only.
pub struct Tail {
    /// Entries with their line numbers (1-based).
    pub entries: Vec<(usize, Entry)>,
    /// Offset just past the last complete line read.
    pub end: u64,
    /// Line number (1-based) of the first line read.
    pub first_line: usize,
    pub bad: Vec<BadLine>,
}

/// Read the journal from `offset` (holding at least a shared lock is the caller's job).
pub fn read_from(file: &mut File, offset: u64, first_line: usize) -> std::io::Result<Tail> {
    let mut entries = Vec::new();
    let scanned = scan(file, offset, first_line, |line, e| entries.push((line, e)))?;
    Ok(Tail { entries, ..scanned })
}

/// Bytes of the journal read at a time by `scan`.
const SCAN_CHUNK: usize = 4 << 20;

/// Hand each entry from `offset` on to `each`, with its line number, a piece of the file
/// at a time: a long journal (hundreds of megabytes) read whole, and all its entries
/// kept, took seconds of page faults. The `Tail` returned has no entries.
pub fn scan(
    file: &mut File,
    offset: u64,
    first_line: usize,
    each: impl FnMut(usize, Entry),
) -> std::io::Result<Tail> {
    scan_by(SCAN_CHUNK, file, offset, first_line, each)
}

fn scan_by(
    chunk: usize,
    file: &mut File,
    offset: u64,
    first_line: usize,
    mut each: impl FnMut(usize, Entry),
) -> std::io::Result<Tail> {
    file.seek(SeekFrom::Start(offset))?;
    let mut bad = Vec::new();
    let mut line = first_line;
    let mut end = offset;
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let kept = bytes.len();
        let read = Read::by_ref(file)
            .take(chunk as u64)
            .read_to_end(&mut bytes)?;
        // A last line without its newline is a write that never completed (or, before
        // the end, one that goes on in the next piece).
        let complete = bytes[kept..]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| kept + i + 1);
        for text in bytes[..complete].split_inclusive(|&b| b == b'\n') {
            if !text.iter().all(u8::is_ascii_whitespace) {
                match serde_json::from_slice::<Entry>(text) {
                    Ok(e) => each(line, e),
                    Err(e) => bad.push(BadLine {
                        line,
                        reason: e.to_string(),
                    }),
                }
            }
            line += 1;
        }
        end += complete as u64;
        bytes.drain(..complete);
        if read == 0 {
            break;
        }
    }
    Ok(Tail {
        entries: Vec::new(),
        end,
        first_line: line,
        bad,
    })
}

/// Open (creating) the journal for reading and appending; read-only when it cannot be
/// written (saving will then fail, be reported and be retried).
pub fn open(path: &Path) -> std::io::Result<(File, bool)> {
    match OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
    {
        Ok(f) => Ok((f, true)),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => OpenOptions::new()
            .read(true)
            .open(path)
            .map(|f| (f, false))
            .map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// Append entries and fsync. The caller holds the exclusive lock. If the file ends in a
/// torn line (a crash mid-write), it is closed with a newline first so it stays a
/// separate, skipped line instead of corrupting the next entry. A write that fails (a
/// full disk) is cut off again, so the retry does not leave a torn copy behind.
pub fn append(file: &mut File, entries: &[Entry]) -> std::io::Result<u64> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut out = Vec::new();
    if len > 0 {
        file.seek(SeekFrom::Start(len - 1))?;
        let mut last = [0u8];
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            out.push(b'\n');
        }
    }
    for e in entries {
        serde_json::to_writer(&mut out, e).map_err(std::io::Error::other)?;
        out.push(b'\n');
    }
    if let Err(e) = file.write_all(&out).and_then(|()| file.sync_data()) {
        let _ = file.set_len(len);
        return Err(e);
    }
    Ok(len + out.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(article: &str, op: Op) -> Entry {
        Entry {
            time: "2026-11-29T05:00:00Z".into(),
            analyst: "amal".into(),
            session: "s1".into(),
            article: article.into(),
            op,
            batch: "s1#1".into(),
            undoes: None,
            redoes: None,
            fingerprint: Some("abc".into()),
        }
    }

    #[test]
    fn lines_are_readable_json() {
        let e = entry(
            "001",
            Op::Tag {
                tag: "relevant".into(),
            },
        );
        let line = serde_json::to_string(&e).expect("serializes");
        assert!(line.contains(r#""op":"tag","tag":"relevant""#), "{line}");
        assert_eq!(serde_json::from_str::<Entry>(&line).expect("parses"), e);
        // Every kind of change reads back as it was written.
        let ops = [
            Op::Untag { tag: "x".into() },
            Op::Review,
            Op::Unreview,
            Op::Note {
                text: "new".into(),
                was: "old".into(),
            },
        ];
        for op in ops {
            let mut e = entry("002", op);
            e.undoes = Some("s1#1".into());
            e.fingerprint = None;
            let line = serde_json::to_string(&e).expect("serializes");
            assert_eq!(serde_json::from_str::<Entry>(&line).expect("parses"), e);
        }
        let without_tag =
            r#"{"time":"t","analyst":"a","session":"s","article":"1","op":"tag","batch":"b"}"#;
        let error = serde_json::from_str::<Entry>(without_tag).expect_err("no tag");
        assert!(error.to_string().contains("missing field `tag`"), "{error}");
    }

    /// Read a piece at a time, the journal gives what it gives read whole, wherever the
    /// pieces end: in a line, between lines, in the torn last line.
    #[test]
    fn a_journal_read_in_pieces_reads_as_a_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.jsonl");
        let (mut f, _) = open(&path).expect("opens");
        let entries: Vec<Entry> = (0..5).map(|i| entry(&i.to_string(), Op::Review)).collect();
        append(&mut f, &entries[..3]).expect("appends");
        f.write_all(b"\nnot json\n").expect("writes");
        append(&mut f, &entries[3..]).expect("appends");
        f.write_all(br#"{"time":"2026-11-29T05:01:00Z","analyst":"am"#)
            .expect("torn write");
        let len = f.metadata().expect("stat").len() as usize;
        let whole = |f: &mut File, offset, line| {
            let mut got = Vec::new();
            let tail = scan_by(len * 2, f, offset, line, |n, e| got.push((n, e))).expect("reads");
            (got, tail.end, tail.first_line, tail.bad)
        };
        let (all, end, next, bad) = whole(&mut f, 0, 1);
        assert_eq!(
            all.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [1, 2, 3, 6, 7]
        );
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].line, next), (5, 8));
        for chunk in 1..len + 2 {
            let mut got = Vec::new();
            let tail = scan_by(chunk, &mut f, 0, 1, |n, e| got.push((n, e))).expect("reads");
            assert_eq!(got, all, "pieces of {chunk} bytes");
            assert_eq!((tail.end, tail.first_line, tail.bad.len()), (end, next, 1));
        }
        // From the middle, as another instance's changes are read.
        let third = 1 + std::fs::read(&path)
            .expect("reads")
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(2)
            .map(|(i, _)| i)
            .expect("three lines");
        let (rest, _, _, _) = whole(&mut f, third as u64, 4);
        assert_eq!(rest, all[3..]);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_closed_before_the_next_append() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.jsonl");
        let (mut f, _) = open(&path).expect("opens");
        append(&mut f, &[entry("a", Op::Review)]).expect("appends");
        f.write_all(br#"{"time":"2026-11-29T05:01:00Z","analyst":"am"#)
            .expect("torn write");
        let tail = read_from(&mut f, 0, 1).expect("reads");
        assert_eq!(tail.entries.len(), 1, "the torn line is not read yet");
        append(&mut f, &[entry("b", Op::Review)]).expect("appends");
        let tail = read_from(&mut f, 0, 1).expect("reads");
        assert_eq!(tail.entries.len(), 2);
        assert_eq!(tail.bad.len(), 1);
        assert_eq!(tail.bad[0].line, 2);
        let text = std::fs::read_to_string(&path).expect("reads");
        assert_eq!(text.lines().count(), 3, "nothing was overwritten");
    }
}
