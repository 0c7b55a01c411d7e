//! Tags, review marks and notes per article, as the journal's entries build them up.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One change to one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    Review,
    Unreview,
    /// Set the note; `was` is the previous note, so the change can be undone.
    Note {
        text: String,
        was: String,
    },
}

impl Op {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Op {
        match self {
            Op::Tag { tag } => Op::Untag { tag: tag.clone() },
            Op::Untag { tag } => Op::Tag { tag: tag.clone() },
            Op::Review => Op::Unreview,
            Op::Unreview => Op::Review,
            Op::Note { text, was } => Op::Note {
                text: was.clone(),
                was: text.clone(),
            },
        }
    }
}

/// What we know about one article.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArticleState {
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reviewed: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Content fingerprint of the article when it was last changed here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Time of the last change (RFC 3339).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub analyst: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
}

impl ArticleState {
    /// What the analyst sees of this state, less who changed it, when, and the text it was
    /// changed on: a change in flight has none of those until it is saved. (Cloned whole,
    /// those strings were a quarter of a change to a million articles.)
    pub fn seen(&self) -> ArticleState {
        ArticleState {
            tags: self.tags.clone(),
            reviewed: self.reviewed,
            note: self.note.clone(),
            ..ArticleState::default()
        }
    }
}

/// The articles that changes not yet saved touch, with those changes applied. Boxed: a
/// change to a million articles writes a million entries at random places in the table,
/// and an entry of a whole state was 176 bytes (each write a cache miss or a fresh page).
pub type InFlight = rustc_hash::FxHashMap<String, Box<ArticleState>>;

/// Who changed an article, and when.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta<'a> {
    pub time: &'a str,
    pub analyst: &'a str,
    pub session: &'a str,
    pub fingerprint: Option<&'a str>,
}

impl ArticleState {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && !self.reviewed && self.note.is_empty()
    }

    /// True when `op` would change this state (so only real changes are journalled and
    /// undo is exact).
    pub fn changes(&self, op: &Op) -> bool {
        match op {
            Op::Tag { tag } => !self.tags.contains(tag),
            Op::Untag { tag } => self.tags.contains(tag),
            Op::Review => !self.reviewed,
            Op::Unreview => self.reviewed,
            Op::Note { text, .. } => *text != self.note,
        }
    }

    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::Tag { tag } => {
                self.tags.insert(tag.clone());
            }
            Op::Untag { tag } => {
                self.tags.remove(tag);
            }
            Op::Review => self.reviewed = true,
            Op::Unreview => self.reviewed = false,
            Op::Note { text, .. } => self.note.clone_from(text),
        }
    }
}

/// All articles' states, by article id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TagState {
    pub articles: BTreeMap<String, ArticleState>,
}

impl TagState {
    pub fn get(&self, id: &str) -> Option<&ArticleState> {
        self.articles.get(id)
    }

    pub fn apply(&mut self, article: &str, op: &Op, meta: Meta<'_>) {
        let state = self.articles.entry(article.to_string()).or_default();
        state.apply(op);
        state.updated = meta.time.to_string();
        state.analyst = meta.analyst.to_string();
        state.session = meta.session.to_string();
        if let Some(fp) = meta.fingerprint {
            state.fingerprint = Some(fp.to_string());
        }
        if state.is_empty() {
            self.articles.remove(article);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(t: &str) -> Op {
        Op::Tag { tag: t.into() }
    }

    #[test]
    fn apply_and_inverse() {
        let mut s = TagState::default();
        let meta = Meta {
            time: "2026-11-29T05:00:00Z",
            analyst: "amal",
            session: "s1",
            fingerprint: Some("fp1"),
        };
        s.apply("a", &tag("relevant"), meta);
        s.apply("a", &Op::Review, meta);
        s.apply(
            "a",
            &Op::Note {
                text: "check".into(),
                was: String::new(),
            },
            meta,
        );
        let a = s.get("a").expect("state");
        assert!(a.tags.contains("relevant") && a.reviewed && a.note == "check");
        assert_eq!(a.fingerprint.as_deref(), Some("fp1"));
        for op in [
            Op::Note {
                text: "check".into(),
                was: String::new(),
            },
            Op::Review,
            tag("relevant"),
        ] {
            s.apply("a", &op.inverse(), meta);
        }
        assert!(s.get("a").is_none(), "an empty state is dropped");
    }

    #[test]
    fn only_real_changes_count() {
        let mut a = ArticleState::default();
        assert!(a.changes(&tag("x")));
        a.apply(&tag("x"));
        assert!(!a.changes(&tag("x")));
        assert!(!a.changes(&Op::Unreview));
        assert!(!a.changes(&Op::Note {
            text: String::new(),
            was: String::new()
        }));
    }
}
