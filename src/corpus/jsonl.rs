//! JSON Lines and JSON arrays of articles, with the field names common annotation and
//! scraping tools use.

use super::report::Body;
use super::{Article, Lang, Origin};
use crate::search::prefilter::RawFilter;
use crate::text::sanitize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
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
/// The fields an article is made of, in the order `Record::take_fields` fills them.
const FIELDS: [&[&str]; 9] = [ID, TITLE, TEXT, URL, LINKS, PLACE, DATE, SITE, LANG];

/// A problem with one record; `line`/`column` are 1-based where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub reason: String,
}

/// The JSON Lines records of a piece not built because their lines cannot match the
/// query they were loaded for (see `RawFilter`): their ids, claimed in file order like
/// articles'. The ids are kept in one string: a string each was most of the records of a
/// large filtered load, allocated on the pool and freed on the reading thread.
#[derive(Debug, Default)]
pub struct PassedOver {
    ids: String,
    /// For each record: how many articles of the piece came before it, the end of its id
    /// in `ids`, and its line.
    records: Vec<(usize, usize, Option<usize>)>,
    /// The file they are in.
    path: Option<Arc<str>>,
}

impl PassedOver {
    pub fn push(&mut self, before: usize, id: &str, path: &Arc<str>, line: Option<usize>) {
        if self.path.is_none() {
            self.path = Some(path.clone());
        }
        self.ids.push_str(id);
        self.records.push((before, self.ids.len(), line));
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Each record's articles before it, id, path and line, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &str, &Arc<str>, Option<usize>)> {
        let starts = std::iter::once(0).chain(self.records.iter().map(|r| r.1));
        // A record was pushed with its path: none, no records.
        self.path.iter().flat_map(move |path| {
            self.records
                .iter()
                .zip(starts.clone())
                .map(move |(&(before, end, line), start)| {
                    (before, &self.ids[start..end], path, line)
                })
        })
    }
}

/// Parse a `.jsonl`/`.json` file: JSON Lines, or one JSON array (or object) of articles.
/// Bad records are skipped and returned with their position. `first_line` numbers the
/// first line of `text` when it is a piece of a larger file. Records of JSON Lines that
/// `only` rules out are passed over, not built.
pub fn parse_json(
    text: &str,
    path: &Arc<str>,
    stem: &str,
    first_line: usize,
    only: Option<&RawFilter>,
) -> (Vec<Article>, Vec<RecordError>, PassedOver) {
    let mut block = Vec::with_capacity(super::report::block_room(text.len()));
    let (mut articles, errors, passed_over) =
        parse_json_in(&mut block, text, path, stem, first_line, only);
    super::seal_texts(block, &mut articles);
    (articles, errors, passed_over)
}

/// `parse_json`, the texts stored in `block`, one after another.
fn parse_json_in(
    block: &mut Vec<u8>,
    text: &str,
    path: &Arc<str>,
    stem: &str,
    first_line: usize,
    only: Option<&RawFilter>,
) -> (Vec<Article>, Vec<RecordError>, PassedOver) {
    let mut passed_over = PassedOver::default();
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let trimmed = text.trim_start();
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(values) => {
                for (i, value) in values.into_iter().enumerate() {
                    let origin = Origin {
                        path: path.clone(),
                        line: None,
                    };
                    match from_raw(block, value, origin, || format!("{stem}:{}", i + 1)) {
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
        return (articles, errors, passed_over);
    }
    // One article a line, mostly: room for them all at once (an article is large, and
    // growing the vector step by step copied each several times).
    articles.reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    for (i, line) in crate::text::lines(text).enumerate() {
        let line_no = first_line + i;
        // Most lines start with the brace and need no trimming to tell.
        let object = line.starts_with('{') || line.trim_start().starts_with('{');
        if !object && line.trim().is_empty() {
            continue;
        }
        let mut only = only.map(|f| (f, line));
        let origin = || Origin {
            path: path.clone(),
            line: Some(line_no),
        };
        // Most lines of a filtered load cannot match: one of the simplest shape is checked
        // before it is parsed, and passed over unparsed when it cannot (parsing every line
        // was an eighth of the instructions of a query over a million titles).
        if let Some(simple) = simple_id_and_title(line)
            && !simple.title.trim().is_empty()
        {
            if let Some((filter, _)) = only {
                if !filter.may_match(line) {
                    let id = sanitize(simple.id.trim());
                    passed_over.push(articles.len(), &id, path, Some(line_no));
                    continue;
                }
                only = None;
            }
            if simple.alone {
                // What the full parse builds from these two fields, without it.
                let (id, title) = (clean(simple.id), clean(simple.title));
                let body = Body::default();
                articles.push(body.into_article(block, id, origin(), Some(title), None));
                continue;
            }
        }
        // An object is parsed once, into its fields; anything else is checked to be JSON
        // first, so that it gets the right message.
        let record = if object {
            serde_json::from_str::<Record>(line).map(Ok)
        } else {
            serde_json::from_str::<&RawValue>(line).map(|v| Err(not_an_object(v.get())))
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(json_error(&e, Some(line_no)));
                continue;
            }
        };
        let fallback_id = || format!("{stem}:{line_no}");
        match record.and_then(|r| from_record(block, r, origin, only, fallback_id)) {
            Ok(Built::Article(a)) => articles.push(a),
            Ok(Built::PassedOver(id)) => {
                passed_over.push(articles.len(), &id, path, Some(line_no));
            }
            Err(reason) => errors.push(RecordError {
                line: Some(line_no),
                column: None,
                reason,
            }),
        }
    }
    (articles, errors, passed_over)
}

/// A record's id and title, read without the full parse.
#[derive(Debug, PartialEq, Eq)]
struct Simple<'a> {
    id: &'a str,
    title: &'a str,
    /// The record has no other field.
    alone: bool,
}

/// Trimmed and made safe to show, as every text field is.
fn clean(s: &str) -> String {
    sanitize(s.trim()).into_owned()
}

/// The id and title of a record whose line is of the simplest shape: an object whose
/// fields are all strings, with nothing between the tokens, no escape, no control
/// character and no `meta`; each the first of its names, as the full parse takes them.
/// `None` for any other line, and when either field is missing: the full parse decides.
fn simple_id_and_title(line: &str) -> Option<Simple<'_>> {
    let b = line.trim_end_matches([' ', '\t', '\r', '\n']).as_bytes();
    // Folded without stopping early within a chunk, so that the compiler vectorizes it;
    // a line of full text stops at its first escape, not after all its kilobytes (every
    // line of a load is looked at).
    let odd = b.chunks(64).any(|chunk| {
        chunk
            .iter()
            .fold(false, |odd, &c| odd | (c < 0x20) | (c == b'\\'))
    });
    if b.first() != Some(&b'{') || odd {
        return None;
    }
    // A string starting at `i` (its opening quote): its text and what follows it.
    let string = |i: usize| -> Option<(&str, usize)> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = i + 1 + memchr::memchr(b'"', &b[i + 1..])?;
        // Quotes are ASCII: both ends are character boundaries.
        Some((&line[i + 1..end], end + 1))
    };
    let (mut id, mut title) = (None, None);
    let mut fields = 0;
    let mut i = 1;
    loop {
        let (key, after_key) = string(i)?;
        if b.get(after_key) != Some(&b':') {
            return None;
        }
        let (value, after_value) = string(after_key + 1)?;
        if key == "meta" {
            return None;
        }
        if id.is_none() && ID.contains(&key) {
            id = Some(value);
        } else if title.is_none() && TITLE.contains(&key) {
            title = Some(value);
        }
        fields += 1;
        match b.get(after_value) {
            Some(b',') => i = after_value + 1,
            Some(b'}') if after_value + 1 == b.len() => {
                let (id, title) = id.zip(title)?;
                let alone = fields == 2;
                return Some(Simple { id, title, alone });
            }
            _ => return None,
        }
    }
}

/// What became of a record.
enum Built<'a> {
    Article(Article),
    /// Not built: it cannot match (see `RawFilter`); its id.
    PassedOver(Cow<'a, str>),
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

thread_local! {
    static UNESCAPED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The text of a JSON string literal (`raw`, quotes included, as serde_json read it for a
/// raw value) unescaped into `out`. False where serde_json refuses the string: a
/// surrogate escape that is not half of a pair.
fn unescape_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return false;
    };
    let b = inner.as_bytes();
    let hex = |at: usize| {
        let digits = b.get(at..at + 4)?;
        digits
            .iter()
            .try_fold(0, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
    };
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]) {
        out.push_str(&inner[i..i + k]);
        i += k + 2;
        let c = match b.get(i - 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let Some(high) = hex(i) else { return false };
                i += 4;
                let code = match high {
                    0xD800..=0xDBFF => {
                        let low = match (b.get(i..i + 2), hex(i + 2)) {
                            (Some(b"\\u"), Some(low @ 0xDC00..=0xDFFF)) => low,
                            _ => return false,
                        };
                        i += 6;
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return false,
                    code => code,
                };
                match char::from_u32(code) {
                    Some(c) => c,
                    None => return false,
                }
            }
            _ => return false,
        };
        out.push(c);
    }
    out.push_str(&inner[i..]);
    true
}

/// A string borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An object's fields, values left unparsed until a field is wanted: most fields of
/// scraped records are never looked at, and parsing them into `Value`s was most of the
/// cost of loading a large JSON Lines file.
struct Record<'a>(Vec<(Text<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<Text<'de>, &'de RawValue>()? {
                    fields.push(entry);
                }
                Ok(Record(fields))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Record<'a> {
    /// Remove and return the first present, non-null field among `names`.
    fn take(&mut self, names: &[&str]) -> Option<&'a RawValue> {
        let i = self
            .0
            .iter()
            .position(|(k, v)| names.contains(&k.0.as_ref()) && v.get() != "null")?;
        Some(self.0.remove(i).1)
    }

    /// For each of `FIELDS` whose slot is empty, remove the first present, non-null
    /// field among its names into the slot; what is left is metadata. One pass: a `take`
    /// for each of the nine went over the fields nine times.
    fn take_fields(&mut self, slots: &mut [Option<&'a RawValue>; FIELDS.len()]) {
        self.0.retain(|(k, v)| {
            let Some(s) = FIELDS
                .iter()
                .position(|names| names.contains(&k.0.as_ref()))
            else {
                return true;
            };
            if slots[s].is_some() || v.get() == "null" {
                return true;
            }
            slots[s] = Some(*v);
            false
        });
    }
}

/// What kind of JSON value a raw text is, from its first character.
fn kind_of(raw: &str) -> &'static str {
    match raw.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// A scalar as text: strings unquoted, numbers and booleans as written, null as none;
/// arrays and objects as their JSON text.
fn as_text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    match text.as_bytes().first() {
        // A raw value is valid JSON: a string with no escapes is its own text.
        Some(b'"') if memchr::memchr(b'\\', text.as_bytes()).is_none() => {
            Some(Cow::Borrowed(&text[1..text.len() - 1]))
        }
        Some(b'"') => serde_json::from_str::<Text>(text).ok().map(|t| t.0),
        Some(b'n') => None,
        _ => Some(Cow::Borrowed(text)),
    }
}

fn urls_of(raw: &RawValue) -> Vec<String> {
    let text = raw.get();
    if !text.starts_with('[') {
        return as_text(raw).map(Cow::into_owned).into_iter().collect();
    }
    let items: Vec<&RawValue> = serde_json::from_str(text).unwrap_or_default();
    items
        .into_iter()
        .filter_map(|item| {
            if item.get().starts_with('{') {
                let mut o: Record = serde_json::from_str(item.get()).ok()?;
                o.take(&["url", "href"])
                    .and_then(as_text)
                    .map(Cow::into_owned)
            } else {
                as_text(item).map(Cow::into_owned)
            }
        })
        .collect()
}

fn not_an_object(text: &str) -> String {
    format!("expected a JSON object, found {}", kind_of(text))
}

fn parse_record<'a>(text: &'a str) -> Result<Record<'a>, String> {
    if !text.trim_start().starts_with('{') {
        return Err(not_an_object(text));
    }
    serde_json::from_str(text).map_err(|e| strip_position(&e.to_string()).to_string())
}

fn from_raw(
    block: &mut Vec<u8>,
    raw: &RawValue,
    origin: Origin,
    fallback_id: impl FnOnce() -> String,
) -> Result<Article, String> {
    match from_record(
        block,
        parse_record(raw.get())?,
        || origin,
        None,
        fallback_id,
    )? {
        Built::Article(a) => Ok(a),
        // Not asked for: nothing is passed over without a filter.
        Built::PassedOver(id) => Err(format!("record {id:?} passed over")),
    }
}

/// `fallback_id` names a record that has no id, `origin` says where it is (each made
/// only when needed: most records have an id, and a record passed over needs neither).
fn from_record<'a>(
    block: &mut Vec<u8>,
    mut map: Record<'a>,
    origin: impl FnOnce() -> Origin,
    only: Option<(&RawFilter, &str)>,
    fallback_id: impl FnOnce() -> String,
) -> Result<Built<'a>, String> {
    // Prodigy keeps id, title and url under "meta"; top-level fields win.
    let mut meta_obj = match map.take(&["meta"]) {
        Some(m) if m.get().starts_with('{') => parse_record(m.get())?,
        Some(other) => {
            map.0.push((Text(Cow::Borrowed("meta")), other));
            Record(Vec::new())
        }
        None => Record(Vec::new()),
    };
    let mut slots = [None; FIELDS.len()];
    map.take_fields(&mut slots);
    meta_obj.take_fields(&mut slots);
    let [id, title, text, url, links, place, date, site, lang] = slots;
    let id = id.and_then(as_text);
    let title = title.and_then(as_text);
    let url = url.map(urls_of).unwrap_or_default();
    let links = links.map(urls_of).unwrap_or_default();

    if title.is_none() && text.is_none() && url.is_empty() && links.is_empty() {
        return Err(format!(
            "no article fields: expected one of {}",
            [TITLE, TEXT, URL, LINKS].concat().join(", ")
        ));
    }

    // Passed over only when the line holds the article's own id and title: a made-up id
    // (file and line) or title (from the text, or "(no text)") has letters the line
    // may lack.
    if let (Some((filter, line)), Some(id), Some(title)) = (only, &id, &title)
        && !title.trim().is_empty()
        && !filter.may_match(line)
    {
        return Ok(Built::PassedOver(match id {
            Cow::Borrowed(id) => sanitize(id.trim()),
            Cow::Owned(id) => Cow::Owned(clean(id)),
        }));
    }
    let place = place.and_then(as_text);
    let date = date.and_then(as_text);
    let site = site.and_then(as_text);
    let lang = lang.and_then(as_text);
    let mut body = match text {
        // Most of a record: unescaped into one buffer per thread. (Through serde_json,
        // each record's text grew a new buffer step by step and was then copied out.)
        Some(raw) if raw.get().starts_with('"') => UNESCAPED.with_borrow_mut(|buf| {
            let text = if unescape_into(raw.get(), buf) {
                buf.as_str()
            } else {
                ""
            };
            let body = Body::from_lines(crate::text::lines(text), text.len());
            if buf.capacity() > 1 << 20 {
                *buf = String::new();
            }
            body
        }),
        Some(raw) => {
            let parts: Vec<Cow<str>> = if raw.get().starts_with('[') {
                let parts: Vec<&RawValue> = serde_json::from_str(raw.get()).unwrap_or_default();
                parts.into_iter().filter_map(as_text).collect()
            } else {
                as_text(raw).into_iter().collect()
            };
            let size = parts.iter().map(|t| t.len()).sum();
            Body::from_lines(parts.iter().flat_map(|t| crate::text::lines(t)), size)
        }
        None => Body::default(),
    };
    for u in url.iter().chain(&links) {
        let u = sanitize(u.trim());
        if !u.is_empty() {
            body.add_source(&u, None);
        }
    }
    let id = id.map_or_else(fallback_id, |i| clean(&i));
    let mut article = body.into_article(
        block,
        id,
        origin(),
        title.as_deref().map(clean),
        place.as_deref().map(clean),
    );
    if let Some(lang) = lang.as_deref().and_then(parse_lang) {
        article.lang = lang;
    }
    let mut meta = Vec::new();
    if let Some(d) = date {
        meta.push(("date".to_string(), clean(&d)));
    }
    if let Some(s) = site {
        meta.push(("site".to_string(), clean(&s)));
    }
    for (prefix, record) in [("", map), ("meta.", meta_obj)] {
        for (k, v) in record.0 {
            if let Some(v) = as_text(v) {
                meta.push((format!("{prefix}{}", clean(&k.0)), clean(&v)));
            }
        }
    }
    meta.shrink_to_fit();
    article.meta = meta;
    Ok(Built::Article(article))
}

fn parse_lang(lang: &str) -> Option<Lang> {
    match lang.trim().to_ascii_lowercase().as_str() {
        "ar" | "ara" | "arabic" => Some(Lang::Ar),
        "en" | "eng" | "english" => Some(Lang::En),
        "mixed" => Some(Lang::Mixed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Article>, Vec<RecordError>) {
        let (articles, errors, _) = parse_json(text, &Arc::from("x.jsonl"), "x", 1, None);
        (articles, errors)
    }

    /// A record passed over never matches: random records (made-up ids and titles,
    /// escapes, every kind of character the check sees through or gives up on) and
    /// random queries, compared with the matcher's answer on the records all built.
    #[test]
    fn records_passed_over_never_match() {
        use crate::search::matcher::{Matcher, Order, Scope};
        use crate::search::query::Query;
        let alphabet: Vec<char> =
            "ابتجسلمهةأإآىيـَُ٢٧27 eEéÉxXq.…²ⁱ\u{FEE3}\u{85}\u{FFFD}\u{1F600}\\\""
                .chars()
                .collect();
        let mut rng = crate::generate::Rng::new(5);
        let word = |rng: &mut crate::generate::Rng, max: usize| -> String {
            let len = 1 + rng.below(max);
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        };
        let mut lines = Vec::new();
        for n in 0..400 {
            let mut record = serde_json::Map::new();
            if rng.below(5) > 0 {
                // Spaces around some: an id is trimmed.
                let pad = [" ", ""][rng.below(2)];
                record.insert("id".into(), format!("{pad}i{}", rng.below(60)).into());
            }
            match rng.below(6) {
                0 => {}
                1 => {
                    record.insert("title".into(), "  ".into());
                }
                _ => {
                    record.insert("title".into(), word(&mut rng, 12).into());
                }
            }
            if rng.below(3) == 0 {
                record.insert(
                    "text".into(),
                    format!("{} – {}", word(&mut rng, 6), word(&mut rng, 30)).into(),
                );
            }
            if rng.below(4) == 0 {
                // Written before url (fields keep their order), while sources are text,
                // url, then links: the line's order is not the sources' order.
                let links: Vec<String> = (0..2)
                    .map(|_| format!("https://{}.com/b", word(&mut rng, 4)))
                    .collect();
                record.insert("links".into(), links.into());
            }
            if rng.below(4) == 0 {
                record.insert(
                    "url".into(),
                    format!("https://{}.ly/a", word(&mut rng, 5)).into(),
                );
            }
            let mut line = serde_json::Value::Object(record).to_string();
            if n % 7 == 0 {
                // An escape serde_json would not write.
                line = line.replacen('ا', "\\u0627", 1);
            }
            lines.push(line);
        }
        // Its sources' domains are k1.com then k2.com (url before links): "12" would
        // match across the two, in the order the line does not have.
        lines.push(
            r#"{"id":"k","links":["https://k2.com/b"],"title":"t","url":"https://k1.com/a"}"#
                .to_string(),
        );
        let text = lines.join("\n");
        let spaced = text.replace("\n{", "\n{ ").replacen('{', "{ ", 1);
        let simple = lines
            .iter()
            .filter(|l| simple_id_and_title(l).is_some())
            .count();
        assert!(
            simple > 100,
            "too few lines of the simplest shape: {simple}"
        );
        let alone = lines
            .iter()
            .filter(|l| simple_id_and_title(l).is_some_and(|s| s.alone))
            .count();
        assert!(
            alone > 50,
            "too few records of an id and a title alone: {alone}"
        );
        let path = Arc::from("q.jsonl");
        let (all, _, _) = parse_json(&text, &path, "q", 1, None);
        // Records of an id and a title alone, built without the full parse, are built as
        // the full parse builds them.
        assert_eq!(all, parse_json(&spaced, &path, "q", 1, None).0);
        let corpus = crate::corpus::Corpus::from_articles(all);
        let mut passed_total = 0;
        for n in 0..300 {
            let terms = 1 + rng.below(2);
            let query: Vec<String> = (0..terms)
                .map(|_| {
                    let prefix = ["", "'", "^", "!"][rng.below(4)];
                    format!("{prefix}{}", word(&mut rng, 3))
                })
                .collect();
            let query = match n {
                0 => "12".to_string(),
                _ => query.join(" "),
            };
            let Ok(query) = Query::parse(&query) else {
                continue;
            };
            let Some(filter) = RawFilter::new(&query) else {
                continue;
            };
            let (built, errors, passed) = parse_json(&text, &path, "q", 1, Some(&filter));
            passed_total += passed.len();
            // The same without lines of the simplest shape (a space after the brace): the
            // shortcut passes over and builds exactly what the full parse does.
            let (built_full, errors_full, passed_full) =
                parse_json(&spaced, &path, "q", 1, Some(&filter));
            assert_eq!(built, built_full, "{query:?}");
            assert_eq!(errors, errors_full);
            let records = |p: &PassedOver| {
                p.iter()
                    .map(|(before, id, _, line)| (before, id.to_string(), line))
                    .collect::<Vec<_>>()
            };
            assert_eq!(records(&passed), records(&passed_full), "{query:?}");
            let hits = Matcher::new()
                .run(&corpus, &query, Scope::Title, Order::Corpus, None, &|| {
                    false
                })
                .expect("not cancelled");
            let matched: std::collections::HashSet<usize> = hits
                .iter()
                .filter_map(|h| corpus.get(h.index as usize)?.origin.line)
                .collect();
            for (_, _, _, line) in passed.iter() {
                let line = line.expect("a line");
                assert!(
                    !matched.contains(&line),
                    "{query:?} passed over a match: {}",
                    lines[line - 1]
                );
            }
        }
        assert!(
            passed_total > 1000,
            "the check passed over too little to test: {passed_total}"
        );
    }

    /// The shortcut for lines of the simplest shape takes only lines the full parse
    /// accepts, and reads the same id and title from them: random objects of string
    /// fields, many of them broken (a quote, colon or comma more or less, spaces, tabs,
    /// escapes, control characters, other kinds of value, `meta`, text after the end).
    #[test]
    fn simple_lines_read_as_the_full_parse_reads_them() {
        let mut rng = crate::generate::Rng::new(11);
        let keys = ["id", "_id", "title", "headline", "text", "meta", "x"];
        let values = ["t1", "", "  ", "مجلس", "École 2017", "a b"];
        let noise = [
            "\"", ":", ",", " ", "\t", "\\\"", "\\n", "\u{1}", "{", "}", "1", "null", "[]",
        ];
        let mut accepted = 0;
        for _ in 0..4000 {
            let fields = rng.below(5);
            let mut line = String::from("{");
            for k in 0..fields {
                if k > 0 {
                    line.push(',');
                }
                let key = keys[rng.below(keys.len())];
                let value = values[rng.below(values.len())];
                line.push_str(&format!("\"{key}\":\"{value}\""));
            }
            line.push('}');
            if rng.below(2) == 0 {
                let at: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
                line.insert_str(at[rng.below(at.len())], noise[rng.below(noise.len())]);
            }
            let Some(Simple { id, title, alone }) = simple_id_and_title(&line) else {
                continue;
            };
            accepted += 1;
            let mut record = parse_record(&line)
                .unwrap_or_else(|e| panic!("{line}: taken, but the full parse says {e}"));
            assert!(record.take(&["meta"]).is_none(), "{line}");
            let mut slots = [None; FIELDS.len()];
            record.take_fields(&mut slots);
            let text = |slot: Option<&RawValue>| slot.and_then(as_text).map(Cow::into_owned);
            assert_eq!(text(slots[0]).as_deref(), Some(id), "{line}");
            assert_eq!(text(slots[1]).as_deref(), Some(title), "{line}");
            // Alone: no other article field, nothing left for metadata.
            let others = slots[2..].iter().any(Option::is_some) || !record.0.is_empty();
            assert_eq!(alone, !others, "{line}");
        }
        assert!(accepted > 300, "too few lines taken to test: {accepted}");
        assert_eq!(
            simple_id_and_title(r#"{"id":"1","title":"t"}  "#),
            Some(Simple {
                id: "1",
                title: "t",
                alone: true
            })
        );
        let with_text = simple_id_and_title(r#"{"title":"t","text":"x","_id":"1"}"#);
        assert_eq!(
            with_text.map(|s| (s.id, s.title, s.alone)),
            Some(("1", "t", false))
        );
        for other in [
            r#"{"id":"1", "title":"t"}"#,
            r#"{"id":"1","title":"t\u0627"}"#,
            r#"{"id":1,"title":"t"}"#,
            r#"{"id":"1","title":"t","meta":"m"}"#,
            r#"{"id":"1","text":"t"}"#,
            r#"{"id":"1","title":"t"}x"#,
        ] {
            assert_eq!(simple_id_and_title(other), None, "{other}");
        }
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
        assert_eq!(a[0].paragraph_count(), 1);
        assert_eq!(a[0].sources_by_paragraph()[0], [0]);
        let urls: Vec<&str> = a[0].source_urls().collect();
        assert_eq!(urls, ["https://a.ly/1", "https://b.ly/2"]);
        assert!(a[0].meta.contains(&("date".into(), "2017-03-02".into())));
        assert!(a[0].meta.contains(&("site".into(), "Alwasat".into())));
        assert!(
            a[0].meta.contains(&("extra".into(), r#"{"k": 1}"#.into())),
            "{:?}",
            a[0].meta
        );
        assert_eq!(a[1].id, "x:2");
        assert_eq!(a[1].place.as_deref(), Some("سبها"));
        assert_eq!(a[1].paragraph_count(), 2);
        assert_eq!(a[1].lang, Lang::Ar);
        assert_eq!(a[2].id, "p-1");
        assert_eq!(a[2].title, "From meta");
        assert_eq!(a[2].sources[0].url, "https://d.ly/4");
        assert!(a[2].meta.contains(&("meta.score".into(), "0.5".into())));
    }

    /// The first present, non-null field of a kind wins; the top level wins over "meta";
    /// the others are kept as metadata.
    #[test]
    fn first_field_of_a_kind_wins_and_the_rest_is_metadata() {
        let (a, e) = parse(concat!(
            r#"{"title": null, "meta": {"title": "M", "id": "m1", "lang": "en"}, "#,
            r#""headline": "H", "id": "top", "text": "T1", "body": "T2", "title": "again"}"#,
        ));
        assert!(e.is_empty(), "{e:?}");
        let a = &a[0];
        assert_eq!((a.id.as_str(), a.title.as_str()), ("top", "H"));
        assert_eq!(
            a.text().paragraphs().next().map(|p| p.text.to_string()),
            Some("T1".into())
        );
        assert_eq!(a.lang, Lang::En);
        for kept in [
            ("body", "T2"),
            ("title", "again"),
            ("meta.title", "M"),
            ("meta.id", "m1"),
        ] {
            assert!(
                a.meta.contains(&(kept.0.into(), kept.1.into())),
                "{kept:?} in {:?}",
                a.meta
            );
        }
        assert!(
            !a.meta.iter().any(|(k, _)| k == "meta.lang"),
            "{:?}",
            a.meta
        );
    }

    #[test]
    fn scalar_fields_with_and_without_escapes() {
        let (a, e) = parse(concat!(
            r#"{"id": "a/1", "title": "plain عنوان", "place": "x"}"#,
            "\n",
            r#"{"id": "b\u002f2", "title": "say \"hi\" \u0645\\", "place": "a\u0007b"}"#,
            "\n",
        ));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            (a[0].id.as_str(), a[0].title.as_str()),
            ("a/1", "plain عنوان")
        );
        assert_eq!(a[1].id, "b/2");
        assert_eq!(a[1].title, "say \"hi\" م\\");
        // The control character from an escape is made visible, as in any text.
        assert_eq!(a[1].place.as_deref(), Some("a\u{2407}b"));
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

    /// Our unescaping against serde_json's, on string literals made of text, every escape,
    /// and surrogates paired, alone, reversed or cut short.
    #[test]
    fn text_is_unescaped_as_serde_json_does() {
        let pieces = [
            "نص",
            "abc",
            " ",
            "\\n",
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\r",
            "\\t",
            "\\u0041",
            "\\u00e9",
            "\\u00E9",
            "\\u0628",
            "\\u000a",
            "\\ud83d\\ude00",
            "\\uD83D\\uDE00",
            "\\ud83d",
            "\\ude00",
            "\\ude00\\ud83d",
            "\\ud83d\\u0041",
            "\\ud83d\\n",
            "\\ud83d\\ud83d",
            "\\uffff",
            "\\u0000",
            "😀",
            "\\ud83dx",
        ];
        let mut rng = crate::generate::Rng::new(7);
        let mut refused = 0;
        for _ in 0..20_000 {
            let len = rng.below(9);
            let body: String = (0..len).map(|_| rng.pick(&pieces)).collect();
            let literal = format!("\"{body}\"");
            // The literal as it reaches us: checked by serde_json as a raw value.
            let raw: &RawValue = serde_json::from_str(&literal).expect("a raw string");
            let mut ours = String::from("left over");
            let ok = unescape_into(raw.get(), &mut ours);
            match serde_json::from_str::<String>(&literal) {
                Ok(theirs) => assert!(ok && ours == theirs, "{literal}: {ours:?} vs {theirs:?}"),
                Err(e) => {
                    assert!(!ok, "{literal}: serde_json says {e}");
                    refused += 1;
                }
            }
        }
        // Both outcomes were tried.
        assert!(refused > 1_000, "{refused}");
    }
}
