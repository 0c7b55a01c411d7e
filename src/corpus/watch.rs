//! Incoming reports: the corpus paths are looked at again every few seconds. Polling
//! works the same on local disks and network file systems, where change notification
//! often does not.

use super::load::{FileSig, LoadOptions, file_signatures, load_all};
use super::{Article, LoadWarning};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// What changed on disk since the last look.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// Articles from new or changed files.
    Changed {
        articles: Vec<Article>,
        new_files: usize,
        changed_files: usize,
        warnings: Vec<LoadWarning>,
    },
    /// Files that are gone (as shown in `Origin::path`).
    Removed(Vec<String>),
}

/// Differences between two looks: (new, changed, removed) paths.
pub fn diff(before: &[FileSig], now: &[FileSig]) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<PathBuf>) {
    let old: HashMap<&PathBuf, (u64, Option<SystemTime>)> =
        before.iter().map(|(p, l, m)| (p, (*l, *m))).collect();
    let current: HashMap<&PathBuf, (u64, Option<SystemTime>)> =
        now.iter().map(|(p, l, m)| (p, (*l, *m))).collect();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (path, sig) in &current {
        match old.get(path) {
            None => added.push((*path).clone()),
            Some(was) if was != sig => changed.push((*path).clone()),
            Some(_) => {}
        }
    }
    let mut removed: Vec<PathBuf> = old
        .keys()
        .filter(|p| !current.contains_key(*p))
        .map(|p| (*p).clone())
        .collect();
    added.sort();
    changed.sort();
    removed.sort();
    (added, changed, removed)
}

/// Watch `options`' paths, starting from the files the load saw, until `stop` is set.
pub fn spawn(
    options: LoadOptions,
    seen: Arc<Vec<FileSig>>,
    every: Duration,
    stop: Arc<AtomicBool>,
    emit: impl Fn(WatchEvent) + Send + 'static,
) {
    let _ = std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let mut seen: Vec<FileSig> = seen.as_ref().clone();
            loop {
                std::thread::sleep(every);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let now = file_signatures(&options);
                let (added, changed, removed) = diff(&seen, &now);
                if !added.is_empty() || !changed.is_empty() {
                    let paths: Vec<PathBuf> = added.iter().chain(&changed).cloned().collect();
                    let (corpus, warnings, _) = load_all(&LoadOptions { paths, only: None });
                    emit(WatchEvent::Changed {
                        articles: corpus.iter().cloned().collect(),
                        new_files: added.len(),
                        changed_files: changed.len(),
                        warnings,
                    });
                }
                if !removed.is_empty() {
                    let shown = removed
                        .iter()
                        .map(|p| crate::text::sanitize_path(p).to_string())
                        .collect();
                    emit(WatchEvent::Removed(shown));
                }
                seen = now;
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_changed_and_removed_files() {
        let t0 = Some(SystemTime::UNIX_EPOCH);
        let t1 = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(5));
        let before = vec![
            ("a".into(), 10, t0),
            ("b".into(), 10, t0),
            ("c".into(), 10, t0),
        ];
        let now = vec![
            ("a".into(), 10, t0),
            ("b".into(), 12, t1),
            ("d".into(), 3, t1),
        ];
        let (added, changed, removed) = diff(&before, &now);
        assert_eq!(added, [PathBuf::from("d")]);
        assert_eq!(changed, [PathBuf::from("b")]);
        assert_eq!(removed, [PathBuf::from("c")]);
    }
}
