//! Command line: the TUI by default, headless commands for scripts and pipes.

use crate::app::DetailDoc;
use crate::corpus::{Article, Corpus, LoadOptions, LoadWarning, load_all};
use crate::keymap::Keymap;
use crate::runtime::{self, Session};
use crate::search::matcher::{Matcher, Order, Scope};
use crate::search::query::Query;
use crate::text::{BidiMode, is_bidi_control};
use crate::ui::Theme;
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

const AFTER_HELP: &str = "\
With no PATH, the bundled sample corpus is opened. A PATH may be a report file (.txt),
a JSON Lines or JSON file (.jsonl, .ndjson, .json), or a directory searched recursively.

Examples:
  corpus-review                         open the sample corpus
  corpus-review ~/reports               review a directory of reports
  corpus-review list ~/reports --json   one JSON object per article
  corpus-review show 001_4f2a… ~/reports --width 80";

#[derive(Debug, Parser)]
#[command(name = "corpus-review", version, about, after_help = AFTER_HELP)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    corpus: CorpusArgs,

    #[command(flatten)]
    display: DisplayArgs,
}

#[derive(Debug, Clone, Args)]
struct CorpusArgs {
    /// Report files, JSON Lines files or directories (default: the bundled sample corpus)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

impl CorpusArgs {
    fn options(&self) -> LoadOptions {
        LoadOptions {
            paths: self.paths.clone(),
        }
    }
}

#[derive(Debug, Clone, Args)]
struct DisplayArgs {
    /// How right-to-left text is ordered: app (we reorder; most terminals), terminal
    /// (the terminal reorders: mlterm, Konsole), off (logical order, unshaped)
    #[arg(long, value_enum, default_value_t = BidiMode::App, global = true)]
    bidi: BidiMode,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print one line per article: id, language, source count, title
    List {
        #[command(flatten)]
        corpus: CorpusArgs,
        /// JSON Lines: id, title, place, lang, direction, sources, path
        #[arg(long)]
        json: bool,
    },
    /// Print one article
    Show {
        /// The article's id (its file name without .txt)
        id: String,
        #[command(flatten)]
        corpus: CorpusArgs,
        /// The article as JSON
        #[arg(long, conflicts_with = "width")]
        json: bool,
        /// Print exactly what the detail pane draws at this width
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        width: Option<u16>,
    },
    /// Print the articles matching QUERY, best first: id, score, title (exit 1 if none)
    #[command(after_help = QUERY_HELP)]
    Filter {
        /// The query, as typed in the TUI's filter line
        query: String,
        #[command(flatten)]
        corpus: CorpusArgs,
        /// Search whole articles (folded substrings) instead of titles, places, domains, ids
        #[arg(long)]
        body: bool,
        /// Keep corpus order instead of ranking by score
        #[arg(long)]
        corpus_order: bool,
        /// Print at most N matches
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// JSON Lines: id, score, title
        #[arg(long)]
        json: bool,
    },
}

const QUERY_HELP: &str = "\
Query terms (all must match; Arabic and Latin are folded, so القاعده finds القاعدة):
  word        fuzzy            'word   exact substring    ^word   title starts with
  word$       title ends with  !word   must not contain
  src:DOMAIN  a source's host contains DOMAIN     place:NAME   dateline place
  lang:ar|en|mixed    id:PREFIX    has:links    no:links";

impl Cli {
    pub fn run(self) -> Result<i32, crate::Error> {
        let bidi = self.display.bidi;
        match self.command {
            None => runtime::run(Session {
                load: self.corpus.options(),
                keymap: Arc::new(Keymap::default_keymap()),
                bidi,
                theme: Theme::from_env(),
            }),
            Some(Command::List { corpus, json }) => list(&corpus.options(), json),
            Some(Command::Show {
                id,
                corpus,
                json,
                width,
            }) => show(&corpus.options(), &id, json, width, bidi),
            Some(Command::Filter {
                query,
                corpus,
                body,
                corpus_order,
                limit,
                json,
            }) => filter(&corpus.options(), &query, body, corpus_order, limit, json),
        }
    }
}

/// The process is about to exit: freeing a million articles one by one would only add
/// seconds to a command that has already printed its answer.
fn leak<T>(value: T) {
    std::mem::forget(value);
}

/// Text for plain output: bidi controls stay in JSON (data) but not in text meant for
/// eyes and greps.
fn plain(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_bidi_control) {
        text.chars()
            .filter(|&c| !is_bidi_control(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Load for a headless command: warnings go to stderr, the load is never stopped by them.
fn load(options: &LoadOptions) -> Result<Corpus, crate::Error> {
    options.check()?;
    let (articles, warnings, summary) = load_all(options);
    report_warnings(&warnings);
    if articles.is_empty() {
        eprintln!(
            "corpus-review: no articles found in {} ({} files read)",
            options.describe(),
            summary.files
        );
    }
    Ok(articles)
}

fn report_warnings(warnings: &[LoadWarning]) {
    if warnings.is_empty() {
        return;
    }
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for w in warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    let skipped = warnings.iter().filter(|w| w.kind.skipped()).count();
    let _ = writeln!(
        err,
        "corpus-review: {} warning{}, {} skipped",
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        skipped
    );
}

/// Write to stdout; a closed pipe (`| head`) ends the command quietly.
fn emit(out: &mut impl Write, text: &str) -> Result<bool, crate::Error> {
    match out.write_all(text.as_bytes()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn list(options: &LoadOptions, as_json: bool) -> Result<i32, crate::Error> {
    let articles = load(options)?;
    write_lines(articles.iter().map(|a| {
        if as_json {
            let mut v = json!({
                "id": a.id,
                "title": a.title,
                "place": a.place,
                "lang": a.lang,
                "direction": a.direction,
                "sources": a.source_urls().collect::<Vec<_>>(),
                "path": a.origin.path.as_ref(),
            });
            if let Some(line) = a.origin.line {
                v["line"] = json!(line);
            }
            format!("{v}\n")
        } else {
            format!(
                "{}\t{}\t{}\t{}\n",
                a.id,
                a.lang.as_str(),
                a.sources.len(),
                plain(&a.title)
            )
        }
    }))?;
    leak(articles);
    Ok(0)
}

/// Write lines to stdout; a reader that goes away (`| head`) ends the output quietly.
fn write_lines(lines: impl Iterator<Item = String>) -> Result<(), crate::Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in lines {
        if !emit(&mut out, &line)? {
            return Ok(());
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The article as JSON, as `show --json` prints it.
pub fn article_json(a: &Article) -> serde_json::Value {
    let paragraphs: Vec<serde_json::Value> = a
        .paragraphs
        .iter()
        .map(|p| {
            json!({
                "text": p.text,
                "sources": p.sources.iter().map(|&s| a.sources[s].url.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let meta: serde_json::Map<String, serde_json::Value> =
        a.meta.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    json!({
        "id": a.id,
        "title": a.title,
        "place": a.place,
        "lang": a.lang,
        "direction": a.direction,
        "paragraphs": paragraphs,
        "sources": a.source_urls().collect::<Vec<_>>(),
        "path": a.origin.path.as_ref(),
        "line": a.origin.line,
        "meta": meta,
        "lossy": a.lossy,
    })
}

fn filter(
    options: &LoadOptions,
    query: &str,
    body: bool,
    corpus_order: bool,
    limit: Option<usize>,
    as_json: bool,
) -> Result<i32, crate::Error> {
    let query = Query::parse(query).map_err(|e| crate::Error::Query(e.to_string()))?;
    let corpus = load(options)?;
    let scope = if body { Scope::Body } else { Scope::Title };
    let order = if corpus_order {
        Order::Corpus
    } else {
        Order::Score
    };
    let hits = Matcher::new()
        .run(&corpus, &query, scope, order, &|| false)
        .unwrap_or_default();
    write_lines(
        hits.iter()
            .take(limit.unwrap_or(usize::MAX))
            .filter_map(|hit| {
                let a = corpus.get(hit.index as usize)?;
                Some(if as_json {
                    format!(
                        "{}\n",
                        json!({"id": a.id, "score": hit.score, "title": a.title})
                    )
                } else {
                    format!("{}\t{}\t{}\n", a.id, hit.score, plain(&a.title))
                })
            }),
    )?;
    let matched = !hits.is_empty();
    leak(corpus);
    // Like `fzf --filter`: no match is exit status 1.
    Ok(if matched { 0 } else { 1 })
}

fn show(
    options: &LoadOptions,
    id: &str,
    as_json: bool,
    width: Option<u16>,
    bidi: BidiMode,
) -> Result<i32, crate::Error> {
    let articles = load(options)?;
    let Some(article) = articles.iter().find(|a| a.id == id) else {
        return Err(crate::Error::NotFound {
            id: id.to_string(),
            corpus: options.describe(),
        });
    };
    let text = if as_json {
        let mut s =
            serde_json::to_string_pretty(&article_json(article)).map_err(std::io::Error::other)?;
        s.push('\n');
        s
    } else if let Some(width) = width {
        DetailDoc::build(article, usize::from(width), bidi).to_text()
    } else {
        // Readable and pipeable: logical order, one line per paragraph.
        DetailDoc::build(article, usize::MAX, BidiMode::Off).to_plain_text()
    };
    emit(&mut std::io::stdout().lock(), &text)?;
    Ok(0)
}
