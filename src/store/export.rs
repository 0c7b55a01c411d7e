//! Exports (Prodigy and doccano compatible JSON Lines, CSV), imports, sessions, and
//! agreement between analysts.

use super::journal::Entry;
use super::state::{ArticleState, Op, TagState};
use crate::corpus::Article;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Seconds since the epoch of an RFC 3339 time (Prodigy's `_timestamp`).
fn unix(time: &str) -> Option<u64> {
    let t = humantime::parse_rfc3339_weak(time).ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

fn text_of(article: &Article) -> String {
    article
        .text()
        .paragraphs()
        .map(|p| p.text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One export record: Prodigy's fields (`text`, `meta`, `accept`, `answer`,
/// `_annotator_id`, `_session_id`, `_timestamp`) and doccano's `label`.
pub fn jsonl_record(article: &Article, state: &ArticleState, with_text: bool) -> Value {
    let tags: Vec<&str> = state.tags.iter().map(String::as_str).collect();
    let mut record = json!({
        "id": article.id,
        "meta": {
            "id": article.id,
            "title": article.title,
            "sources": article.source_urls().collect::<Vec<_>>(),
        },
        "accept": tags,
        "label": tags,
        "answer": if state.reviewed { "accept" } else { "ignore" },
        "reviewed": state.reviewed,
        "_annotator_id": state.analyst,
        "_session_id": state.session,
        "_timestamp": unix(&state.updated),
    });
    if !state.note.is_empty() {
        record["note"] = json!(state.note);
    }
    if with_text {
        record["text"] = json!(text_of(article));
    }
    record
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

pub fn csv_header(with_text: bool) -> String {
    let mut h = "id,title,tags,reviewed,note,analyst,updated".to_string();
    if with_text {
        h.push_str(",text");
    }
    h.push('\n');
    h
}

pub fn csv_row(article: &Article, state: &ArticleState, with_text: bool) -> String {
    let tags: Vec<&str> = state.tags.iter().map(String::as_str).collect();
    let mut fields = vec![
        csv_field(&article.id),
        csv_field(&article.title),
        csv_field(&tags.join(";")),
        state.reviewed.to_string(),
        csv_field(&state.note),
        csv_field(&state.analyst),
        csv_field(&state.updated),
    ];
    if with_text {
        fields.push(csv_field(&text_of(article)));
    }
    format!("{}\n", fields.join(","))
}

/// What an export record says about one article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    pub id: String,
    pub tags: BTreeSet<String>,
    pub reviewed: bool,
    pub note: String,
    pub analyst: String,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                // doccano span labels: [start, end, "label"]
                Value::Array(span) => span.last().and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Read an export (ours, Prodigy's or doccano's JSON Lines). Bad lines are reported.
pub fn read_decisions(text: &str) -> (Vec<Decision>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("line {}: {e}", i + 1));
                continue;
            }
        };
        let id = v
            .get("meta")
            .and_then(|m| m.get("id"))
            .or_else(|| v.get("id"))
            .and_then(|id| match id {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        let Some(id) = id else {
            problems.push(format!(
                "line {}: no id (expected \"id\" or \"meta\": {{\"id\"}})",
                i + 1
            ));
            continue;
        };
        let mut tags: BTreeSet<String> = strings(v.get("accept")).into_iter().collect();
        tags.extend(strings(v.get("label")));
        let reviewed = v.get("reviewed").and_then(Value::as_bool).unwrap_or(false)
            || v.get("answer").and_then(Value::as_str) == Some("accept");
        out.push(Decision {
            id,
            tags,
            reviewed,
            note: v
                .get("note")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            analyst: v
                .get("_annotator_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        });
    }
    (out, problems)
}

/// What importing decisions would change, and where they disagree with ours.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub changes: Vec<(String, Op)>,
    pub articles: usize,
    pub conflicts: Vec<String>,
}

/// Merge: tags are added (never removed), reviews added; a different note is a
/// conflict and ours is kept.
pub fn plan_import(state: &TagState, decisions: &[Decision]) -> ImportPlan {
    let mut plan = ImportPlan::default();
    for d in decisions {
        let ours = state.get(&d.id).cloned().unwrap_or_default();
        let before = plan.changes.len();
        for tag in d.tags.difference(&ours.tags) {
            plan.changes
                .push((d.id.clone(), Op::Tag { tag: tag.clone() }));
        }
        if d.reviewed && !ours.reviewed {
            plan.changes.push((d.id.clone(), Op::Review));
        }
        if !d.note.is_empty() && d.note != ours.note {
            if ours.note.is_empty() {
                plan.changes.push((
                    d.id.clone(),
                    Op::Note {
                        text: d.note.clone(),
                        was: String::new(),
                    },
                ));
            } else {
                plan.conflicts.push(format!(
                    "{}: note differs (kept ours: {:?}; theirs: {:?})",
                    d.id, ours.note, d.note
                ));
            }
        }
        if !ours.tags.is_empty() && !d.tags.is_empty() && ours.tags != d.tags {
            let show = |t: &BTreeSet<String>| t.iter().cloned().collect::<Vec<_>>().join(", ");
            plan.conflicts.push(format!(
                "{}: tags differ (ours: {}; theirs: {}; now both)",
                d.id,
                show(&ours.tags),
                show(&d.tags)
            ));
        }
        plan.articles += usize::from(plan.changes.len() > before);
    }
    plan
}

/// Agreement on one tag between two analysts over the articles both judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub tag: String,
    pub articles: usize,
    /// Share of articles where both gave the same yes/no.
    pub percent: f64,
    /// Cohen's kappa; `None` when chance agreement is total (both always said the same).
    pub kappa: Option<f64>,
}

/// Per-tag percent agreement and Cohen's kappa between two sets of decisions.
pub fn agreement(a: &[Decision], b: &[Decision]) -> Vec<Agreement> {
    let a: BTreeMap<&str, &Decision> = a.iter().map(|d| (d.id.as_str(), d)).collect();
    let b: BTreeMap<&str, &Decision> = b.iter().map(|d| (d.id.as_str(), d)).collect();
    let common: Vec<&str> = a.keys().filter(|id| b.contains_key(*id)).copied().collect();
    let tags: BTreeSet<&str> = common
        .iter()
        .flat_map(|id| a[id].tags.iter().chain(b[id].tags.iter()))
        .map(String::as_str)
        .collect();
    let n = common.len() as f64;
    tags.into_iter()
        .map(|tag| {
            let (mut yy, mut yn, mut ny, mut nn) = (0.0, 0.0, 0.0, 0.0);
            for id in &common {
                match (a[id].tags.contains(tag), b[id].tags.contains(tag)) {
                    (true, true) => yy += 1.0,
                    (true, false) => yn += 1.0,
                    (false, true) => ny += 1.0,
                    (false, false) => nn += 1.0,
                }
            }
            let observed = (yy + nn) / n;
            let chance = ((yy + yn) * (yy + ny) + (ny + nn) * (yn + nn)) / (n * n);
            let kappa = (chance < 1.0).then(|| (observed - chance) / (1.0 - chance));
            Agreement {
                tag: tag.to_string(),
                articles: common.len(),
                percent: observed * 100.0,
                kappa,
            }
        })
        .collect()
}

/// One analyst session, from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub analyst: String,
    pub start: String,
    pub end: String,
    pub reviewed: usize,
    pub tags_applied: usize,
}

pub fn sessions(entries: &[Entry]) -> Vec<Session> {
    let mut by_id: BTreeMap<&str, (Session, BTreeSet<&str>)> = BTreeMap::new();
    let mut order = Vec::new();
    for e in entries {
        let (s, reviewed) = by_id.entry(e.session.as_str()).or_insert_with(|| {
            order.push(e.session.clone());
            (
                Session {
                    id: e.session.clone(),
                    analyst: e.analyst.clone(),
                    start: e.time.clone(),
                    end: e.time.clone(),
                    reviewed: 0,
                    tags_applied: 0,
                },
                BTreeSet::new(),
            )
        });
        s.end.clone_from(&e.time);
        match &e.op {
            Op::Review => {
                reviewed.insert(e.article.as_str());
            }
            Op::Tag { .. } => s.tags_applied += 1,
            _ => {}
        }
    }
    order
        .iter()
        .filter_map(|id| by_id.remove(id.as_str()))
        .map(|(mut s, reviewed)| {
            s.reviewed = reviewed.len();
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: &str, tags: &[&str]) -> Decision {
        Decision {
            id: id.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Decision::default()
        }
    }

    #[test]
    fn agreement_on_a_hand_computed_example() {
        // Ten articles; tag "relevant":
        //            B yes  B no
        //   A yes      4      1
        //   A no       2      3
        // observed = 7/10; chance = (5*6 + 5*4)/100 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4
        let a: Vec<Decision> = (0..10)
            .map(|i| d(&i.to_string(), if i < 5 { &["relevant"] } else { &[] }))
            .collect();
        let b: Vec<Decision> = (0..10)
            .map(|i| {
                d(
                    &i.to_string(),
                    if [0, 1, 2, 3, 5, 6].contains(&i) {
                        &["relevant"]
                    } else {
                        &[]
                    },
                )
            })
            .collect();
        let r = agreement(&a, &b);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].articles, 10);
        assert!((r[0].percent - 70.0).abs() < 1e-9);
        assert!((r[0].kappa.expect("defined") - 0.4).abs() < 1e-9);
        // Full agreement on a tag nobody used differently: kappa is undefined.
        let same = agreement(&[d("x", &["t"])], &[d("x", &["t"])]);
        assert_eq!(same[0].kappa, None);
        assert!((same[0].percent - 100.0).abs() < 1e-9);
    }

    #[test]
    fn reading_prodigy_and_doccano_records() {
        let text = concat!(
            r#"{"text": "x", "meta": {"id": "a1"}, "accept": ["relevant"], "answer": "accept", "_annotator_id": "amal"}"#,
            "\n",
            r#"{"id": 7, "label": [[0, 4, "place"], "follow-up"]}"#,
            "\n",
            r#"{"no": "id"}"#,
            "\n",
            "not json\n",
        );
        let (decisions, problems) = read_decisions(text);
        assert_eq!(decisions.len(), 2);
        assert_eq!(decisions[0].id, "a1");
        assert!(decisions[0].reviewed);
        assert_eq!(decisions[0].analyst, "amal");
        assert_eq!(decisions[1].id, "7");
        assert_eq!(
            decisions[1].tags.iter().cloned().collect::<Vec<_>>(),
            ["follow-up", "place"]
        );
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }
}
