//! The filter's query language, fzf-style: space-separated terms that must all match.
//!
//! `word` fuzzy, `'word` exact substring, `^word` prefix, `word$` suffix, `!term` negates;
//! fields: `src:DOMAIN`, `place:NAME`, `lang:ar|en|mixed`, `id:PREFIX`, `has:links`,
//! `no:links`, `tag:NAME`; triage words: `untagged`, `reviewed`, `unreviewed`, `marked`
//! (also `is:reviewed` ...; quote them, `'reviewed`, to search for the word). Terms are
//! folded like the text they are matched against.

use super::fold::fold;
use crate::corpus::Lang;

/// How a text term is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Fuzzy,
    Exact,
    Prefix,
    Suffix,
}

/// One condition of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Folded text matched against the title scope (or the body in body scope).
    Text {
        kind: TextKind,
        text: String,
    },
    /// A source's host contains this (folded).
    Source(String),
    /// The dateline place contains this (folded).
    Place(String),
    Lang(Lang),
    /// The id starts with this (as typed).
    IdPrefix(String),
    HasLinks,
    /// Carries this tag (compared folded).
    Tag(String),
    /// Carries no tag at all.
    Untagged,
    Reviewed,
    /// Marked for a bulk change.
    Marked,
}

/// A term and whether it is negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub negated: bool,
    pub term: Term,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub conditions: Vec<Condition>,
}

/// What is wrong with a term, for the filter line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{term}: {message}")]
pub struct QueryError {
    pub term: String,
    pub message: String,
}

const FIELDS: &str = "src, place, lang, id, has, no, tag, is";

impl Query {
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let mut conditions = Vec::new();
        for raw in input.split_whitespace() {
            conditions.push(parse_term(raw)?);
        }
        Ok(Query { conditions })
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// True when the query looks at tags, review state or marks (which change while
    /// the corpus does not).
    pub fn uses_state(&self) -> bool {
        self.conditions.iter().any(|c| {
            matches!(
                c.term,
                Term::Tag(_) | Term::Untagged | Term::Reviewed | Term::Marked
            )
        })
    }

    /// True when every article matching `self` also matches `previous` (the query only
    /// grew), so the previous result can be searched instead of the whole corpus.
    pub fn narrows(&self, previous: &Query) -> bool {
        previous.conditions.iter().all(|old| {
            self.conditions
                .iter()
                .any(|new| new.negated == old.negated && implies(&new.term, &old.term, old.negated))
        })
    }
}

/// Does matching `new` imply matching `old` (for a positive term), or the reverse for a
/// negated one?
fn implies(new: &Term, old: &Term, negated: bool) -> bool {
    if new == old {
        return true;
    }
    if negated {
        return false;
    }
    match (new, old) {
        (Term::Text { kind: nk, text: nt }, Term::Text { kind: ok, text: ot }) => match (nk, ok) {
            // A longer fuzzy pattern that extends the old one needs the old as a subsequence.
            (TextKind::Fuzzy | TextKind::Exact | TextKind::Prefix, TextKind::Fuzzy) => {
                nt.starts_with(ot.as_str())
            }
            (TextKind::Exact, TextKind::Exact) => nt.contains(ot.as_str()),
            (TextKind::Prefix, TextKind::Prefix | TextKind::Exact) => nt.starts_with(ot.as_str()),
            (TextKind::Suffix, TextKind::Suffix | TextKind::Exact) => nt.ends_with(ot.as_str()),
            _ => false,
        },
        (Term::Source(n), Term::Source(o)) | (Term::Place(n), Term::Place(o)) => {
            n.contains(o.as_str())
        }
        (Term::IdPrefix(n), Term::IdPrefix(o)) => n.starts_with(o.as_str()),
        _ => false,
    }
}

fn error(term: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        term: term.to_string(),
        message: message.into(),
    }
}

fn parse_term(raw: &str) -> Result<Condition, QueryError> {
    let (negated, body) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    if body.is_empty() {
        return Err(error(raw, "empty term"));
    }
    let state_word = match body {
        "untagged" => Some((false, Term::Untagged)),
        "reviewed" => Some((false, Term::Reviewed)),
        "unreviewed" => Some((true, Term::Reviewed)),
        "marked" => Some((false, Term::Marked)),
        _ => None,
    };
    if let Some((invert, term)) = state_word {
        return Ok(Condition {
            negated: negated ^ invert,
            term,
        });
    }
    if let Some((name, value)) = field(body) {
        if name == "is" {
            return match value {
                "untagged" | "reviewed" | "unreviewed" | "marked" => {
                    parse_term(&format!("{}{value}", if negated { "!" } else { "" }))
                }
                _ => Err(error(
                    raw,
                    "is: expects untagged, reviewed, unreviewed or marked",
                )),
            };
        }
        let term = match name {
            "tag" => Term::Tag(fold(value)),
            "src" => Term::Source(fold(value)),
            "place" => Term::Place(fold(value)),
            "id" => Term::IdPrefix(value.to_string()),
            "lang" => match value {
                "ar" => Term::Lang(Lang::Ar),
                "en" => Term::Lang(Lang::En),
                "mixed" => Term::Lang(Lang::Mixed),
                _ => return Err(error(raw, "lang: expects ar, en or mixed")),
            },
            "has" | "no" => {
                if value != "links" {
                    return Err(error(raw, format!("{name}: expects links")));
                }
                return Ok(Condition {
                    negated: negated ^ (name == "no"),
                    term: Term::HasLinks,
                });
            }
            _ => {
                return Err(error(
                    raw,
                    format!(
                        "unknown field {name}: (fields: {FIELDS}; for the literal text use '{body})"
                    ),
                ));
            }
        };
        if value.is_empty() {
            return Err(error(raw, format!("{name}: needs a value")));
        }
        return Ok(Condition { negated, term });
    }
    let (kind, text) = if let Some(rest) = body.strip_prefix('\'') {
        (TextKind::Exact, rest)
    } else if let Some(rest) = body.strip_prefix('^') {
        (TextKind::Prefix, rest)
    } else if let Some(rest) = body.strip_suffix('$') {
        (TextKind::Suffix, rest)
    } else if negated {
        // Like fzf, a negated plain word is an exact (substring) exclusion.
        (TextKind::Exact, body)
    } else {
        (TextKind::Fuzzy, body)
    };
    let text = fold(text);
    if text.is_empty() {
        return Err(error(raw, "empty term"));
    }
    Ok(Condition {
        negated,
        term: Term::Text { kind, text },
    })
}

/// `name:value` where the name is ASCII letters: a field term.
fn field(term: &str) -> Option<(&str, &str)> {
    let (name, value) = term.split_once(':')?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()) && !value.starts_with("//"))
        .then_some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<Condition> {
        Query::parse(q).expect("parses").conditions
    }

    fn text(kind: TextKind, t: &str) -> Term {
        Term::Text {
            kind,
            text: t.to_string(),
        }
    }

    #[test]
    fn every_operator() {
        let c = terms("سبها 'Road ^the port$ !bank !^x !y$");
        let got: Vec<(bool, Term)> = c.into_iter().map(|c| (c.negated, c.term)).collect();
        assert_eq!(
            got,
            [
                (false, text(TextKind::Fuzzy, "سبها")),
                (false, text(TextKind::Exact, "road")),
                (false, text(TextKind::Prefix, "the")),
                (false, text(TextKind::Suffix, "port")),
                (true, text(TextKind::Exact, "bank")),
                (true, text(TextKind::Prefix, "x")),
                (true, text(TextKind::Suffix, "y")),
            ]
        );
    }

    #[test]
    fn every_field() {
        let c = terms("src:Facebook place:سبها lang:ar id:001_ has:links no:links !src:x");
        let got: Vec<(bool, Term)> = c.into_iter().map(|c| (c.negated, c.term)).collect();
        assert_eq!(
            got,
            [
                (false, Term::Source("facebook".into())),
                (false, Term::Place("سبها".into())),
                (false, Term::Lang(Lang::Ar)),
                (false, Term::IdPrefix("001_".into())),
                (false, Term::HasLinks),
                (true, Term::HasLinks),
                (true, Term::Source("x".into())),
            ]
        );
    }

    #[test]
    fn terms_are_folded() {
        assert_eq!(terms("القاعدة")[0].term, text(TextKind::Fuzzy, "القاعده"));
        assert_eq!(terms("'École")[0].term, text(TextKind::Exact, "ecole"));
        assert_eq!(terms("٢٠١٧")[0].term, text(TextKind::Fuzzy, "2017"));
    }

    #[test]
    fn triage_terms() {
        let got: Vec<(bool, Term)> =
            terms("tag:Relevant !tag:x untagged reviewed unreviewed marked is:marked !untagged")
                .into_iter()
                .map(|c| (c.negated, c.term))
                .collect();
        assert_eq!(
            got,
            [
                (false, Term::Tag("relevant".into())),
                (true, Term::Tag("x".into())),
                (false, Term::Untagged),
                (false, Term::Reviewed),
                (true, Term::Reviewed),
                (false, Term::Marked),
                (false, Term::Marked),
                (true, Term::Untagged),
            ]
        );
        assert!(Query::parse("marked").expect("parses").uses_state());
        assert!(!Query::parse("'marked").expect("parses").uses_state());
        assert!(Query::parse("is:done").is_err());
    }

    #[test]
    fn malformed_terms_are_errors_not_panics() {
        for (q, message) in [
            ("!", "empty term"),
            ("'", "empty term"),
            ("^", "empty term"),
            ("$", "empty term"),
            ("lang:fr", "lang: expects ar, en or mixed"),
            ("has:pictures", "has: expects links"),
            ("src:", "src: needs a value"),
            ("colour:red", "unknown field colour:"),
        ] {
            let e = Query::parse(&format!("ok {q}")).expect_err(q);
            assert_eq!(e.term, q);
            assert!(e.message.starts_with(message), "{q}: {}", e.message);
        }
        // Things that merely contain a colon are text.
        assert_eq!(terms("12:30")[0].term, text(TextKind::Fuzzy, "12:30"));
        assert_eq!(
            terms("https://x.ly")[0].term,
            text(TextKind::Fuzzy, "https://x.ly")
        );
    }

    #[test]
    fn narrowing() {
        let q = |s: &str| Query::parse(s).expect("parses");
        assert!(q("مجل").narrows(&q("مج")));
        assert!(q("مج بلد").narrows(&q("مج")));
        assert!(q("'road").narrows(&q("roa")));
        assert!(q("src:faceb").narrows(&q("src:face")));
        assert!(!q("مج").narrows(&q("مجل")), "a deletion widens");
        assert!(
            !q("!bank").narrows(&q("!ban")),
            "a longer exclusion excludes less"
        );
        assert!(!q("port$").narrows(&q("por")));
        assert!(q("x").narrows(&q("")));
    }
}
