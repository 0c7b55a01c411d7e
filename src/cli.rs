//! Command line: the TUI by default, headless commands for scripts and pipes.

use crate::app::DEFAULT_QUICK_TAGS;
use crate::app::DetailDoc;
use crate::corpus::{Article, Corpus, LoadOptions, LoadWarning, load_all};
use crate::keymap::Keymap;
use crate::leak;
use crate::runtime::{self, Session};
use crate::search::matcher::{Matcher, Order, Scope};
use crate::search::query::Query;
use crate::store::{Op, Request, Store};
use crate::text::BidiMode;
use crate::ui::Theme;
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::fmt::Write as _;
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
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    corpus: CorpusArgs,

    #[command(flatten)]
    display: DisplayArgs,

    /// Show new and changed reports as they arrive in the corpus directories
    #[arg(long)]
    watch: bool,
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
            only: None,
        }
    }
}

#[derive(Debug, Clone, Args)]
struct DisplayArgs {
    /// Where tags, the journal and config.json live (default: CORPUS_REVIEW_CONFIG_DIR,
    /// else ~/.config/corpus-review)
    #[arg(long, value_name = "DIR", global = true)]
    config_dir: Option<PathBuf>,
    /// Your name in the journal (default: config.json's "analyst", else the login name)
    #[arg(long, value_name = "NAME", global = true)]
    analyst: Option<String>,
    /// Keymap: a preset (default, vim, emacs) or a keymap file; keymap.json in the config
    /// directory is applied on top
    #[arg(long, value_name = "NAME|PATH", global = true)]
    keymap: Option<String>,
    /// How right-to-left text is ordered: app (we reorder; most terminals), terminal
    /// (the terminal reorders: mlterm, Konsole), off (logical order, unshaped)
    #[arg(long, value_enum, default_value_t = BidiMode::App, global = true)]
    bidi: BidiMode,
    /// Set when --bidi was given (so config.json's "bidi" does not override it).
    #[arg(skip)]
    bidi_given: bool,
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
    /// Tags and triage decisions: list, export, import, agreement
    Tags {
        #[command(subcommand)]
        command: TagsCommand,
    },
    /// List analyst sessions: analyst, start, end, articles reviewed, tags applied
    Sessions,
    /// Corpus size, articles by language, sources by domain, tags, load time, memory
    Stats {
        #[command(flatten)]
        corpus: CorpusArgs,
    },
    /// Show the effective key bindings, or check a keymap file
    Keymap {
        #[command(subcommand)]
        command: KeymapCommand,
    },
    /// Print a shell completion script
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
enum KeymapCommand {
    /// Print the bindings in effect (a preset by NAME, else the configured one), with
    /// keymap.json's overrides
    Show { name: Option<String> },
    /// Check a keymap file; errors name the line and column
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
enum TagsCommand {
    /// Print id, tags, reviewed and note of the corpus's tagged or reviewed articles
    List {
        #[command(flatten)]
        corpus: CorpusArgs,
    },
    /// Export decisions: JSON Lines for Prodigy and doccano, or CSV
    Export {
        #[command(flatten)]
        corpus: CorpusArgs,
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Include the article text
        #[arg(long)]
        with_text: bool,
    },
    /// Merge an export (another analyst's, Prodigy's, doccano's) into the store
    Import { file: PathBuf },
    /// Per-tag agreement (percent and Cohen's kappa) between analysts' exports
    Agreement {
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
}

const QUERY_HELP: &str = "\
Query terms (all must match; Arabic and Latin are folded, so القاعده finds القاعدة):
  word        fuzzy            'word   exact substring    ^word   title starts with
  word$       title ends with  !word   must not contain
  src:DOMAIN  a source's host contains DOMAIN     place:NAME   dateline place
  lang:ar|en|mixed    id:PREFIX    has:links    no:links";

impl Cli {
    /// Parse the command line (noting which options were given explicitly).
    pub fn from_args() -> Cli {
        let mut command = <Cli as clap::CommandFactory>::command();
        let matches = command.get_matches_mut();
        // --watch is for the interactive view: refused before a command rather than
        // ignored (the global options, such as --config-dir, go with any command).
        if let Some((name, _)) = matches.subcommand()
            && matches.value_source("watch") == Some(clap::parser::ValueSource::CommandLine)
        {
            command
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("--watch is for the interactive view, not for `{name}`"),
                )
                .exit();
        }
        let mut cli =
            <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.display.bidi_given =
            matches.value_source("bidi") == Some(clap::parser::ValueSource::CommandLine);
        cli
    }

    pub fn run(self) -> Result<i32, crate::Error> {
        let bidi = self.display.bidi;
        match self.command {
            None => {
                // Everything that can be wrong with the setup is said before the terminal
                // is touched, and before any file is created.
                let dir = crate::store::config_dir(self.display.config_dir.as_deref())?;
                let config = crate::config::load(&dir)?;
                let keymap = load_keymap(&self.display, &config, &dir, None)?;
                self.corpus.options().check()?;
                runtime::require_terminal()?;
                let store =
                    Store::open_unread(&dir, &analyst(&self.display, &config), &session_id())?;
                let bidi = if self.display.bidi_given {
                    bidi
                } else {
                    config.bidi.unwrap_or(bidi)
                };
                let quick_tags = config
                    .quick_tags
                    .unwrap_or_else(|| DEFAULT_QUICK_TAGS.iter().map(|t| t.to_string()).collect());
                runtime::run(Session {
                    load: self.corpus.options(),
                    keymap: Arc::new(keymap),
                    bidi,
                    theme: Theme::from_env(),
                    store,
                    quick_tags,
                    clipboard: config.clipboard.unwrap_or_default(),
                    watch: self.watch || config.watch.unwrap_or(false),
                    mouse: config.mouse.unwrap_or(true),
                })
            }
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
            }) => filter(
                &corpus.options(),
                &self.display,
                &query,
                body,
                corpus_order,
                limit,
                json,
            ),
            Some(Command::Tags { command }) => tags(command, &self.display),
            Some(Command::Stats { corpus }) => stats(&corpus.options(), &self.display),
            Some(Command::Keymap { command }) => keymap_command(command, &self.display),
            Some(Command::Completions { shell }) => {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                clap_complete::generate(shell, &mut cmd, "corpus-review", &mut std::io::stdout());
                Ok(0)
            }
            Some(Command::Man) => {
                let cmd = <Cli as clap::CommandFactory>::command();
                clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
                Ok(0)
            }
            Some(Command::Sessions) => {
                let Some(mut store) = existing_store(&self.display)? else {
                    return Ok(0);
                };
                let entries = store.entries()?;
                write_lines(
                    std::iter::once("session\tanalyst\tstart\tend\treviewed\ttags\n".to_string())
                        .chain(
                            crate::store::export::sessions(&entries)
                                .into_iter()
                                .map(|s| {
                                    format!(
                                        "{}\t{}\t{}\t{}\t{}\t{}\n",
                                        s.id, s.analyst, s.start, s.end, s.reviewed, s.tags_applied
                                    )
                                }),
                        ),
                )?;
                Ok(0)
            }
        }
    }
}

/// The analyst's name: the flag, config.json, then the login name.
fn analyst(display: &DisplayArgs, config: &crate::config::Config) -> String {
    display
        .analyst
        .clone()
        .or_else(|| config.analyst.clone())
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "analyst".to_string())
}

/// A session id: when it started and which process it is.
fn session_id() -> String {
    format!(
        "{}-{}",
        crate::store::now().replace([':', '-'], ""),
        std::process::id()
    )
}

/// The store and config of the config directory (a bad config.json is an error here,
/// before the terminal is touched).
fn open_store(display: &DisplayArgs) -> Result<(Store, crate::config::Config), crate::Error> {
    let dir = crate::store::config_dir(display.config_dir.as_deref())?;
    let config = crate::config::load(&dir)?;
    let store = store_in(&dir, display, &config)?;
    Ok((store, config))
}

/// Open the store in `dir`, and say on stderr what opening it found wrong (a corrupt
/// snapshot moved aside, journal lines skipped). Before the TUI starts, this is what the
/// terminal shows once the TUI has closed; the status line shows the first.
fn store_in(
    dir: &std::path::Path,
    display: &DisplayArgs,
    config: &crate::config::Config,
) -> Result<Store, crate::Error> {
    let store = Store::open(dir, &analyst(display, config), &session_id())?;
    for notice in &store.notices {
        eprintln!("corpus-review: {notice}");
    }
    Ok(store)
}

/// The keymap in effect: `name` (or --keymap, or config.json's "keymap", or `default`),
/// a preset or a file, with keymap.json from the config directory on top.
fn load_keymap(
    display: &DisplayArgs,
    config: &crate::config::Config,
    dir: &std::path::Path,
    name: Option<&str>,
) -> Result<Keymap, crate::Error> {
    let name = name
        .or(display.keymap.as_deref())
        .or(config.keymap.as_deref())
        .unwrap_or("default");
    let mut keymap = match Keymap::preset(name) {
        Some(k) => k,
        None => {
            let path = PathBuf::from(name);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                crate::Error::Keymap(crate::keymap::KeymapError {
                    file: name.to_string(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "{e}: not a keymap file, nor a preset ({})",
                        crate::keymap::PRESETS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            })?;
            Keymap::parse(&text, &path.display().to_string())?
        }
    };
    let overrides = dir.join("keymap.json");
    match std::fs::read_to_string(&overrides) {
        Ok(text) => keymap.merge(&text, &overrides.display().to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(crate::Error::Path {
                path: overrides,
                source: e,
            });
        }
    }
    Ok(keymap)
}

fn keymap_command(command: KeymapCommand, display: &DisplayArgs) -> Result<i32, crate::Error> {
    match command {
        KeymapCommand::Show { name } => {
            let dir = crate::store::config_dir(display.config_dir.as_deref())?;
            let config = crate::config::load(&dir)?;
            let keymap = load_keymap(display, &config, &dir, name.as_deref())?;
            let mut lines = Vec::new();
            for mode in keymap.modes() {
                for (action, keys) in keymap.bindings(mode) {
                    for k in keys {
                        lines.push(format!(
                            "{}\t{k}\t{}\t{}\n",
                            mode.as_str(),
                            action.name(),
                            action.describe()
                        ));
                    }
                }
            }
            write_lines(lines.into_iter())?;
            Ok(0)
        }
        KeymapCommand::Check { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| crate::Error::Path {
                path: file.clone(),
                source: e,
            })?;
            let keymap = Keymap::parse(&text, &file.display().to_string())?;
            let n: usize = keymap
                .modes()
                .iter()
                .map(|m| {
                    keymap
                        .bindings(*m)
                        .iter()
                        .map(|(_, k)| k.len())
                        .sum::<usize>()
                })
                .sum();
            println!("{}: ok, {n} bindings", file.display());
            Ok(0)
        }
    }
}

/// Peak resident memory of this process so far (Linux), in bytes.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn stats(options: &LoadOptions, display: &DisplayArgs) -> Result<i32, crate::Error> {
    options.check()?;
    let (corpus, warnings, summary) = load_all(options);
    let peak = peak_memory();
    // The counts below say how many; stderr says which, as for `list` and `filter`.
    report_warnings(&warnings);
    let mut by_lang = std::collections::BTreeMap::new();
    let mut domains: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut sources = 0usize;
    for a in corpus.iter() {
        *by_lang.entry(a.lang.as_str()).or_insert(0usize) += 1;
        sources += a.sources.len();
        for s in &a.sources {
            *domains.entry(s.domain()).or_insert(0) += 1;
        }
    }
    let state = existing_store(display)?
        .map(|s| s.state)
        .unwrap_or_default();
    let (mut tagged, mut reviewed) = (0usize, 0usize);
    for a in corpus.iter() {
        if let Some(s) = state.get(&a.id) {
            tagged += usize::from(!s.tags.is_empty());
            reviewed += usize::from(s.reviewed);
        }
    }
    let thousands = crate::ui::thousands;
    let langs: Vec<String> = by_lang
        .iter()
        .map(|(l, n)| format!("{l} {}", thousands(*n)))
        .collect();
    let mut out = vec![
        format!("corpus       {}\n", options.describe()),
        format!(
            "files        {} ({})\n",
            thousands(summary.files),
            megabytes(summary.bytes)
        ),
        format!(
            "articles     {} ({})\n",
            thousands(corpus.len()),
            langs.join(", ")
        ),
        format!(
            "skipped      {} files or records ({} warnings)\n",
            thousands(summary.skipped),
            thousands(warnings.len())
        ),
        format!(
            "tagged       {}, reviewed {}\n",
            thousands(tagged),
            thousands(reviewed)
        ),
        format!("load time    {:.2} s\n", summary.elapsed.as_secs_f64()),
    ];
    if let Some(peak) = peak {
        // Against a few kilobytes of files the ratio only measures the program itself.
        let ratio = if summary.bytes >= 1 << 20 {
            format!(" ({:.2}x the files)", peak as f64 / summary.bytes as f64)
        } else {
            String::new()
        };
        out.push(format!("peak memory  {}{ratio}\n", megabytes(peak)));
    }
    let mut top: Vec<(&str, usize)> = domains.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.push(format!(
        "sources      {} links; top domains:\n",
        thousands(sources)
    ));
    for (domain, n) in top.into_iter().take(20) {
        out.push(format!("  {:>9}  {domain}\n", thousands(n)));
    }
    write_lines(out.into_iter())?;
    leak(corpus);
    Ok(0)
}

/// The store, when the config directory has one (reading never creates files).
fn existing_store(display: &DisplayArgs) -> Result<Option<Store>, crate::Error> {
    let dir = crate::store::config_dir(display.config_dir.as_deref())?;
    if !dir.join(crate::store::JOURNAL).exists() {
        return Ok(None);
    }
    let config = crate::config::load(&dir)?;
    Ok(Some(store_in(&dir, display, &config)?))
}

/// An export file's decisions; unreadable records are reported on stderr and skipped.
fn read_export(
    path: &std::path::Path,
) -> Result<Vec<crate::store::export::Decision>, crate::Error> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::Path {
        path: path.to_path_buf(),
        source: e,
    })?;
    let (decisions, problems) = crate::store::export::read_decisions(&text);
    for p in &problems {
        eprintln!("warning: {}: {p}: skipped", path.display());
    }
    Ok(decisions)
}

fn tags(command: TagsCommand, display: &DisplayArgs) -> Result<i32, crate::Error> {
    use crate::store::export;
    match command {
        TagsCommand::List { corpus } => {
            let state = existing_store(display)?
                .map(|s| s.state)
                .unwrap_or_default();
            for_each_batch(&corpus.options(), |articles| {
                write_lines(articles.iter().filter_map(|a| {
                    let s = state.get(&a.id)?;
                    let tags: Vec<String> = s.tags.iter().map(|t| one_line(t)).collect();
                    Some(format!(
                        "{}\t{}\t{}\t{}\n",
                        a.id,
                        tags.join(","),
                        if s.reviewed { "reviewed" } else { "-" },
                        one_line(&s.note)
                    ))
                }))
            })?;
            Ok(0)
        }
        TagsCommand::Export {
            corpus,
            format,
            with_text,
        } => {
            let state = existing_store(display)?
                .map(|s| s.state)
                .unwrap_or_default();
            let mut header =
                matches!(format, ExportFormat::Csv).then(|| export::csv_header(with_text));
            for_each_batch(&corpus.options(), |articles| {
                let rows = articles.iter().filter_map(|a| {
                    let s = state.get(&a.id)?;
                    Some(match format {
                        ExportFormat::Jsonl => {
                            format!("{}\n", export::jsonl_record(a, s, with_text))
                        }
                        ExportFormat::Csv => export::csv_row(a, s, with_text),
                    })
                });
                write_lines(header.take().into_iter().chain(rows))
            })?;
            // No articles: the header alone.
            write_lines(header.into_iter())?;
            Ok(0)
        }
        TagsCommand::Import { file } => {
            let decisions = read_export(&file)?;
            let (mut store, _) = open_store(display)?;
            let plan = export::plan_import(&store.state, &decisions);
            let tags = plan
                .changes
                .iter()
                .filter(|(_, op)| matches!(op, Op::Tag { .. }))
                .count();
            let reviews = plan
                .changes
                .iter()
                .filter(|(_, op)| *op == Op::Review)
                .count();
            let notes = plan.changes.len() - tags - reviews;
            let request = Request::Changes(
                plan.changes
                    .into_iter()
                    .map(|(id, op)| (id, op, None))
                    .collect(),
            );
            store.commit(&request)?;
            store.write_snapshot()?;
            println!(
                "imported {}: {} records; added {tags} tags, {reviews} reviews and {notes} notes on {} articles; {} conflicts",
                file.display(),
                decisions.len(),
                plan.articles,
                plan.conflicts.len()
            );
            // Ids and tags in them come from the imported file: shown, never obeyed.
            for c in &plan.conflicts {
                println!("conflict: {}", one_line(c));
            }
            Ok(0)
        }
        TagsCommand::Agreement { files } => {
            let mut sets = Vec::new();
            for f in &files {
                let decisions = read_export(f)?;
                let name = decisions
                    .iter()
                    .find(|d| !d.analyst.is_empty())
                    .map(|d| d.analyst.clone())
                    .unwrap_or_else(|| f.display().to_string());
                sets.push((name, decisions));
            }
            let mut lines = vec!["analysts\ttag\tarticles\tagreement\tkappa\n".to_string()];
            for i in 0..sets.len() {
                for j in i + 1..sets.len() {
                    for r in export::agreement(&sets[i].1, &sets[j].1) {
                        let kappa = r
                            .kappa
                            .map_or_else(|| "n/a".to_string(), |k| format!("{k:.3}"));
                        // Names and tags come from the export files.
                        lines.push(format!(
                            "{} ~ {}\t{}\t{}\t{:.1}%\t{kappa}\n",
                            one_line(&sets[i].0),
                            one_line(&sets[j].0),
                            one_line(&r.tag),
                            r.articles,
                            r.percent
                        ));
                    }
                }
            }
            write_lines(lines.into_iter())?;
            Ok(0)
        }
    }
}

/// Text for plain output: bidi controls stay in JSON (data) but not in text meant for
/// eyes and greps.
fn plain(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::without_bidi_controls(text)
}

/// What an analyst typed (a note, a tag), for a line of tab-separated output: a newline
/// or tab in it would split the line or the column, so it shows as its control picture
/// or spaces, like any control character in article text.
fn one_line(text: &str) -> String {
    plain(&crate::text::sanitize(text)).into_owned()
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
    for_each_batch(options, |articles| {
        write_lines_parallel(articles.len(), |i, out| {
            let Some(a) = articles.get(i) else { return };
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
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    a.id,
                    a.lang.as_str(),
                    a.sources.len(),
                    plain(&a.title)
                );
            }
        })
    })?;
    Ok(0)
}

/// Load batch by batch, handing each to `each` as a corpus of its own and then dropping
/// it: a command that prints as it goes holds one batch in memory, not the corpus, and
/// the memory of one batch serves the next (asking the kernel for fresh memory was a
/// third of a large load). `each` says whether to go on (the reader of the output may
/// have gone, `show` has found its article); once it has said stop it is not called
/// again, though batches read before the load stopped still arrive. Warnings are
/// reported at the end.
fn for_each_batch(
    options: &LoadOptions,
    mut each: impl FnMut(&Corpus) -> Result<bool, crate::Error>,
) -> Result<(), crate::Error> {
    options.check()?;
    let loader = crate::corpus::Loader::new(options.clone());
    let stop = loader.cancel_flag();
    let (mut warnings, mut summary) = (Vec::new(), crate::corpus::LoadSummary::default());
    let (mut failed, mut stopped) = (None, false);
    loader.run(|event| match event {
        crate::corpus::LoadEvent::Batch { articles, .. } if !stopped => {
            let batch = Corpus::from_articles(articles);
            let result = each(&batch);
            // Freed on the pool: this thread also reads the input and hands on the pieces in
            // order, and everything waits for it (the headless filter on 1M titles spent
            // a tenth of its time freeing batches here).
            rayon::spawn(move || drop(batch));
            match result {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => failed = Some(e),
            }
            stopped = true;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        crate::corpus::LoadEvent::Warnings(w) => warnings.extend(w),
        crate::corpus::LoadEvent::Finished(s) => summary = s,
        _ => {}
    });
    if let Some(e) = failed {
        return Err(e);
    }
    report_warnings(&warnings);
    // Counted by the loader: records passed over (see `LoadOptions::only`) are articles.
    if summary.articles == 0 {
        eprintln!(
            "corpus-review: no articles found in {} ({} files read)",
            options.describe(),
            summary.files
        );
    }
    Ok(())
}

/// Like `write_lines` for many items: lines are formatted in parallel, a window at a
/// time, and written in order (a million lines are a noticeable part of a command).
/// `line(i, out)` appends line `i` (or nothing) for `i` in `0..count`, in one buffer per
/// part rather than a string per line.
fn write_lines_parallel(
    count: usize,
    line: impl Fn(usize, &mut String) + Sync,
) -> Result<bool, crate::Error> {
    use rayon::prelude::*;
    const WINDOW: usize = 1 << 16;
    const PART: usize = WINDOW / 8;
    write_lines((0..count).step_by(WINDOW).flat_map(|start| {
        let end = (start + WINDOW).min(count);
        (start..end)
            .into_par_iter()
            .step_by(PART)
            .map(|part| {
                let mut out = String::new();
                for i in part..(part + PART).min(end) {
                    line(i, &mut out);
                }
                out
            })
            .collect::<Vec<_>>()
    }))
}

/// Write lines to stdout; a reader that goes away (`| head`) ends the output quietly.
/// False when it has gone.
fn write_lines(lines: impl Iterator<Item = String>) -> Result<bool, crate::Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in lines {
        if !emit(&mut out, &line)? {
            return Ok(false);
        }
    }
    finish(out)
}

/// Flush what `emit` wrote; false when the reader has gone.
fn finish(mut out: impl Write) -> Result<bool, crate::Error> {
    match out.flush() {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The article as JSON, as `show --json` prints it.
pub fn article_json(a: &Article) -> serde_json::Value {
    let sources = a.sources_by_paragraph();
    let paragraphs: Vec<serde_json::Value> = a
        .text()
        .paragraphs()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "text": p.text,
                "sources": sources[i].iter().map(|&s| a.sources[s].url.as_str()).collect::<Vec<_>>(),
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
    display: &DisplayArgs,
    query: &str,
    body: bool,
    corpus_order: bool,
    limit: Option<usize>,
    as_json: bool,
) -> Result<i32, crate::Error> {
    let query = Query::parse(query).map_err(|e| crate::Error::Query(e.to_string()))?;
    let scope = if body { Scope::Body } else { Scope::Title };
    let order = if corpus_order {
        Order::Corpus
    } else {
        Order::Score
    };
    // Queries on tags and reviews see the saved state (marks live only in the TUI).
    let state = if query.uses_state() {
        Some(crate::search::matcher::StateView::saved(
            existing_store(display)?
                .map(|s| s.state)
                .unwrap_or_default(),
        ))
    } else {
        None
    };
    // Records that cannot match are not built (title scope: body search reads text the
    // check does not look at).
    let options = &LoadOptions {
        only: (scope == Scope::Title)
            .then(|| crate::search::prefilter::RawFilter::new(&query).map(Arc::new))
            .flatten(),
        ..options.clone()
    };
    // Each batch is matched as it is loaded and only its hits are kept: a 4.5 GB corpus
    // is filtered in the memory of its matches. Matched on the pool, so that the thread
    // that reads the input and hands on the pieces in order (everything waits for it) goes
    // on meanwhile; the batches' hits are put back in load order at the end. Each batch's
    // lines are written there too, into one buffer: two strings a match grew the threads'
    // heaps a page at a time (1404 growth steps for 240k matches, 706 this way).
    let (query, state) = (Arc::new(query), Arc::new(state));
    let (sender, results) = std::sync::mpsc::channel();
    let mut batches = 0;
    for_each_batch(options, |batch| {
        let (batch, query, state) = (batch.clone(), query.clone(), state.clone());
        let (sender, number) = (sender.clone(), batches);
        batches += 1;
        rayon::spawn(move || {
            let hits = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let found = Matcher::new()
                    .run(
                        &batch,
                        &query,
                        scope,
                        order,
                        state.as_ref().as_ref(),
                        &|| false,
                    )
                    .unwrap_or_default();
                let mut lines = Lines::default();
                // Sized once (room for the id, score and tabs): grown step by step, the
                // buffer was copied each time and left holes in the thread's heap.
                let size: usize = found
                    .iter()
                    .filter_map(|h| batch.get(h.index as usize))
                    .map(|a| a.id.len() + a.title.len() + 16)
                    .sum();
                lines.text.reserve(size);
                lines.ends.reserve(found.len());
                for h in &found {
                    if let Some(a) = batch.get(h.index as usize) {
                        lines.push(h.score, &a.id, &a.title, as_json);
                    }
                }
                lines
            }));
            // The receiver waits for every batch.
            let _ = sender.send((number, hits));
        });
        Ok(true)
    })?;
    drop(sender);
    let mut parts: Vec<_> = results.iter().collect();
    parts.sort_unstable_by_key(|(number, _)| *number);
    let parts: Vec<Lines> = parts
        .into_iter()
        .map(|(_, part)| part.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        .collect();
    // Each match as its score, batch and line there, in load order.
    let mut hits: Vec<(i32, u32, u32)> = parts
        .iter()
        .enumerate()
        .flat_map(|(p, part)| {
            (0..part.ends.len()).map(move |k| (part.ends[k].0, p as u32, k as u32))
        })
        .collect();
    if order == Order::Score {
        // Each batch came ranked, ties in corpus order; a stable sort of them all keeps
        // that order among ties.
        use rayon::slice::ParallelSliceMut;
        hits.par_sort_by(|a, b| b.0.cmp(&a.0));
    }
    let shown = &hits[..hits.len().min(limit.unwrap_or(usize::MAX))];
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for &(_, p, k) in shown {
        if !emit(&mut out, parts[p as usize].line(k as usize))? {
            break;
        }
    }
    finish(out)?;
    let matched = !hits.is_empty();
    leak(parts);
    // Like `fzf --filter`: no match is exit status 1.
    Ok(if matched { 0 } else { 1 })
}

/// The output lines of one batch's matches, one after another, with each one's score and
/// end.
#[derive(Default)]
struct Lines {
    text: String,
    ends: Vec<(i32, usize)>,
}

impl Lines {
    fn push(&mut self, score: i32, id: &str, title: &str, as_json: bool) {
        let _ = if as_json {
            writeln!(
                self.text,
                "{}",
                json!({"id": id, "score": score, "title": title})
            )
        } else {
            writeln!(self.text, "{id}\t{score}\t{}", plain(title))
        };
        self.ends.push((score, self.text.len()));
    }

    fn line(&self, k: usize) -> &str {
        let start = k.checked_sub(1).map_or(0, |j| self.ends[j].1);
        &self.text[start..self.ends[k].1]
    }
}

fn show(
    options: &LoadOptions,
    id: &str,
    as_json: bool,
    width: Option<u16>,
    bidi: BidiMode,
) -> Result<i32, crate::Error> {
    // The load stops at the article.
    let mut found = None;
    for_each_batch(options, |batch| {
        found = batch.iter().find(|a| a.id == id).cloned();
        Ok(found.is_none())
    })?;
    let Some(article) = &found else {
        return Err(crate::Error::NotFound {
            id: id.to_string(),
            corpus: options.describe(),
        });
    };
    let out = &mut std::io::stdout().lock();
    if as_json {
        let mut s =
            serde_json::to_string_pretty(&article_json(article)).map_err(std::io::Error::other)?;
        s.push('\n');
        emit(out, &s)?;
    } else if let Some(width) = width {
        DetailDoc::write(article, usize::from(width), bidi, false, |t| emit(out, t))?;
    } else {
        // Readable and pipeable: logical order, one line per paragraph.
        DetailDoc::write(article, usize::MAX, BidiMode::Off, true, |t| emit(out, t))?;
    }
    Ok(0)
}
