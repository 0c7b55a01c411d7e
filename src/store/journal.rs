//! The journal: one JSON line per change, appended and fsynced under an exclusive lock,
//! so two instances (or two analysts) writing at once never lose or mangle a change.

use super::state::Op;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// One journalled change to one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    // A last line without its newline is a write that never completed.
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Entry>(line) {
            Ok(e) => entries.push((first_line + i, e)),
            Err(e) => bad.push(BadLine {
                line: first_line + i,
                reason: e.to_string(),
            }),
        }
    }
    let lines = bytes[..complete].iter().filter(|&&b| b == b'\n').count();
    Ok(Tail {
        entries,
        end: offset + complete as u64,
        first_line: first_line + lines,
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
