//! JSON Lines and JSON arrays of articles, with the field names common annotation and
//! scraping tools use.

use super::report::Body;
use super::{Article, Lang, Origin};
use crate::text::sanitize;
use serde_json::{Map, Value};
use std::sync::Arc;

const ID: &[&str] = &["id", "_id"];
const TITLE: &[&str] = &["title", "headline"];
const TEXT: &[&str] = &["text", "body", "content"];
const URL: &[&str] = &["url", "link"];
const LINKS: &[&str] = &["links", "sources"];
const PLACE: &[&str] = &["place", "dateline", "location"];
const DATE: &[&str] = &["date", "published"];
const SITE: &[&str] = &["source", "site"];
const LANG: &[&str] = &["lang", "language"];

/// A problem with one record; `line`/`column` are 1-based where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub reason: String,
}

/// Parse a `.jsonl`/`.json` file: JSON Lines, or one JSON array (or object) of articles.
/// Bad records are skipped and returned with their position. `first_line` numbers the
/// first line of `text` when it is a piece of a larger file.
pub fn parse_json_file(
    text: &str,
    path: &Arc<str>,
    stem: &str,
    first_line: usize,
) -> (Vec<Article>, Vec<RecordError>) {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let trimmed = text.trim_start();
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<Value>>(text) {
            Ok(values) => {
                for (i, value) in values.into_iter().enumerate() {
                    let origin = Origin {
                        path: path.clone(),
                        line: None,
                    };
                    match from_value(value, origin, &format!("{stem}:{}", i + 1)) {
                        Ok(a) => articles.push(a),
                        Err(reason) => errors.push(RecordError {
                            line: None,
                            column: None,
                            reason: format!("element {}: {reason}", i + 1),
                        }),
                    }
                }
            }
            Err(e) => errors.push(json_error(&e, None)),
        }
        return (articles, errors);
    }
    for (i, line) in text.lines().enumerate() {
        let line_no = first_line + i;
        if line.trim().is_empty() {
            continue;
        }
        let value = match serde_json::from_str::<Value>(line) {
            Ok(v) => v,
            Err(e) => {
                errors.push(json_error(&e, Some(line_no)));
                continue;
            }
        };
        let origin = Origin {
            path: path.clone(),
            line: Some(line_no),
        };
        match from_value(value, origin, &format!("{stem}:{line_no}")) {
            Ok(a) => articles.push(a),
            Err(reason) => errors.push(RecordError {
                line: Some(line_no),
                column: None,
                reason,
            }),
        }
    }
    (articles, errors)
}

fn json_error(e: &serde_json::Error, line: Option<usize>) -> RecordError {
    RecordError {
        line: Some(line.unwrap_or(e.line())),
        column: Some(e.column()),
        reason: format!("invalid JSON: {}", strip_position(&e.to_string())),
    }
}

/// serde_json appends "at line L column C"; we report the position separately.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

fn take(map: &mut Map<String, Value>, names: &[&str]) -> Option<Value> {
    names
        .iter()
        .find_map(|n| map.remove(*n))
        .filter(|v| !v.is_null())
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn urls_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::Object(o) => o.get("url").or_else(|| o.get("href")).and_then(as_text),
                other => as_text(other),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn from_value(value: Value, origin: Origin, fallback_id: &str) -> Result<Article, String> {
    let Value::Object(mut map) = value else {
        return Err(format!("expected a JSON object, found {}", kind_of(&value)));
    };
    // Prodigy keeps id, title and url under "meta"; top-level fields win.
    let mut meta_obj = match map.remove("meta") {
        Some(Value::Object(m)) => m,
        Some(other) => {
            map.insert("meta".into(), other);
            Map::new()
        }
        None => Map::new(),
    };
    let mut field = |names: &[&str]| take(&mut map, names).or_else(|| take(&mut meta_obj, names));

    let id = field(ID).and_then(|v| as_text(&v));
    let title = field(TITLE).and_then(|v| as_text(&v));
    let text = field(TEXT);
    let url = field(URL).map(|v| urls_of(&v)).unwrap_or_default();
    let links = field(LINKS).map(|v| urls_of(&v)).unwrap_or_default();
    let place = field(PLACE).and_then(|v| as_text(&v));
    let date = field(DATE).and_then(|v| as_text(&v));
    let site = field(SITE).and_then(|v| as_text(&v));
    let lang = field(LANG).and_then(|v| as_text(&v));

    if title.is_none() && text.is_none() && url.is_empty() && links.is_empty() {
        return Err(format!(
            "no article fields: expected one of {}",
            [TITLE, TEXT, URL, LINKS].concat().join(", ")
        ));
    }

    let text_lines: Vec<String> = match &text {
        Some(Value::Array(parts)) => parts.iter().filter_map(as_text).collect(),
        Some(v) => as_text(v).into_iter().collect(),
        None => Vec::new(),
    };
    let mut body = Body::from_lines(text_lines.iter().flat_map(|t| t.lines()));
    for u in url.iter().chain(&links) {
        let u = sanitize(u.trim());
        if !u.is_empty() {
            body.add_source(&u, None);
        }
    }
    let clean = |s: String| sanitize(s.trim()).into_owned();
    let id = clean(id.unwrap_or_else(|| fallback_id.to_string()));
    let mut article = body.into_article(id, origin, title.map(clean), place.map(clean));
    if let Some(lang) = lang.as_deref().and_then(parse_lang) {
        article.lang = lang;
    }
    let mut meta = Vec::new();
    if let Some(d) = date {
        meta.push(("date".to_string(), clean(d)));
    }
    if let Some(s) = site {
        meta.push(("site".to_string(), clean(s)));
    }
    for (k, v) in map {
        if let Some(v) = as_text(&v) {
            meta.push((clean(k), clean(v)));
        }
    }
    for (k, v) in meta_obj {
        if let Some(v) = as_text(&v) {
            meta.push((format!("meta.{}", clean(k)), clean(v)));
        }
    }
    article.meta = meta;
    Ok(article)
}

fn parse_lang(lang: &str) -> Option<Lang> {
    match lang.trim().to_ascii_lowercase().as_str() {
        "ar" | "ara" | "arabic" => Some(Lang::Ar),
        "en" | "eng" | "english" => Some(Lang::En),
        "mixed" => Some(Lang::Mixed),
        _ => None,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Article>, Vec<RecordError>) {
        parse_json_file(text, &Arc::from("x.jsonl"), "x", 1)
    }

    #[test]
    fn field_aliases() {
        let (a, e) = parse(concat!(
            r#"{"id": 7, "headline": "Road reopened", "body": "DERNA - The road reopened.\nhttps://a.ly/1", "links": ["https://b.ly/2"], "published": "2017-03-02", "site": "Alwasat", "extra": {"k": 1}}"#,
            "\n",
            r#"{"content": ["سبها – فقرة أولى.", "فقرة ثانية"], "link": "https://c.ly/3", "lang": "ar"}"#,
            "\n",
            r#"{"text": "x", "meta": {"id": "p-1", "title": "From meta", "url": "https://d.ly/4", "score": 0.5}}"#,
        ));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(a[0].id, "7");
        assert_eq!(a[0].title, "Road reopened");
        assert_eq!(a[0].place.as_deref(), Some("DERNA"));
        assert_eq!(a[0].paragraphs.len(), 1);
        assert_eq!(a[0].paragraphs[0].sources, [0]);
        let urls: Vec<&str> = a[0].source_urls().collect();
        assert_eq!(urls, ["https://a.ly/1", "https://b.ly/2"]);
        assert!(a[0].meta.contains(&("date".into(), "2017-03-02".into())));
        assert!(a[0].meta.contains(&("site".into(), "Alwasat".into())));
        assert!(a[0].meta.contains(&("extra".into(), r#"{"k":1}"#.into())));
        assert_eq!(a[1].id, "x:2");
        assert_eq!(a[1].place.as_deref(), Some("سبها"));
        assert_eq!(a[1].paragraphs.len(), 2);
        assert_eq!(a[1].lang, Lang::Ar);
        assert_eq!(a[2].id, "p-1");
        assert_eq!(a[2].title, "From meta");
        assert_eq!(a[2].sources[0].url, "https://d.ly/4");
        assert!(a[2].meta.contains(&("meta.score".into(), "0.5".into())));
    }

    #[test]
    fn bad_lines_are_skipped_with_position() {
        let (a, e) = parse("{\"title\": \"ok\"}\n{\"title\": oops}\n42\n{\"foo\": 1}\n");
        assert_eq!(a.len(), 1);
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].line, e[0].column), (Some(2), Some(11)));
        assert!(
            e[0].reason.starts_with("invalid JSON: expected value"),
            "{}",
            e[0].reason
        );
        assert_eq!(e[1].reason, "expected a JSON object, found a number");
        assert!(e[2].reason.starts_with("no article fields"));
    }

    #[test]
    fn json_array() {
        let (a, e) = parse(r#"[{"title": "one"}, {"title": "two", "id": "b"}, "bad"]"#);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].id, "x:1");
        assert_eq!(e.len(), 1);
        let (a, e) = parse("[{\"title\": \"one\"},\n {\"title\": }]");
        assert!(a.is_empty());
        assert_eq!(e[0].line, Some(2));
    }
}
