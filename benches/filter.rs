//! Filter speed on generated corpora: `cargo bench --bench filter`.
//!
//! - keystroke to result in title scope, 100k and 1M articles, queries typed one character
//!   at a time with deletions (median and p99), the way the matcher thread runs them;
//! - body scope, 100k articles, per query;
//! - headless `corpus-review filter` against `fzf --filter` on the same 1M Arabic titles.
//!
//! FILTER_BENCH=quick runs 100k only.

use corpus_review::corpus::{Article, Corpus, Origin, parse_report};
use corpus_review::generate::{Rng, report};
use corpus_review::search::matcher::{Matcher, Order, Scope};
use corpus_review::search::query::Query;
use corpus_review::search::worker::MatchResult;
use rayon::prelude::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an analyst types: each entry is a keystroke sequence; `<` deletes a character.
const SESSIONS: &[&str] = &[
    "المجلس البلدي",
    "الطريق<<<<<مستشفى",
    "مياه الكهرباء<<<<<<<<",
    "فى خطة 2017",
    "القاعدة<ه الجديدة",
    "police traffic",
    "wheat shi<<<port",
    "مُخْتار",
    "src:facebook مركز",
    "'الوقود !الطائرة",
    "lang:en bank<<<<market",
    "المساعدات للعائلات",
];

fn corpus_of(n: usize, short: bool) -> Corpus {
    let articles: Vec<Article> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::new(i as u64 + 1);
            let mut text = report(&mut rng);
            if short {
                // Title-scope benchmarks at 1M keep only the lead paragraph to save memory.
                text.truncate(text.find('\n').unwrap_or(text.len()));
            }
            let origin = Origin {
                path: Arc::from("bench"),
                line: None,
            };
            parse_report(text.as_bytes(), format!("{i:07}"), origin)
                .expect("generated reports parse")
        })
        .collect();
    Corpus::from_articles(articles)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Replay the sessions keystroke by keystroke with one matcher, as the UI's worker does.
fn typing(corpus: &Corpus) -> (Duration, Duration, Duration, usize) {
    let mut times = Vec::new();
    for session in SESSIONS {
        let mut matcher = Matcher::interactive();
        let mut input = String::new();
        for c in session.chars() {
            if c == '<' {
                input.pop();
            } else {
                input.push(c);
            }
            let Ok(query) = Query::parse(&input) else {
                continue;
            };
            if query.is_empty() {
                continue;
            }
            let start = Instant::now();
            let hits = matcher
                .run(corpus, &query, Scope::Title, Order::Score, None, &|| false)
                .expect("not cancelled");
            let result = MatchResult::from_hits(1, &hits);
            times.push(start.elapsed());
            if std::env::var_os("FILTER_BENCH_TRACE").is_some() {
                println!(
                    "{input:24} {:>8} {:>7} hits",
                    ms(start.elapsed()),
                    result.hits.len()
                );
            }
            std::hint::black_box(result);
        }
    }
    times.sort();
    let n = times.len();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[n - 1],
        n,
    )
}

fn body(corpus: &Corpus) -> Vec<(String, Duration, usize)> {
    [
        "المستشفى",
        "'الطريق الساحلي",
        "مُخْتار الإعمار",
        "fuel trucks",
        "٢٠١٧ الصحة",
    ]
    .iter()
    .map(|q| {
        let query = Query::parse(q).expect("parses");
        let start = Instant::now();
        let hits = Matcher::new()
            .run(corpus, &query, Scope::Body, Order::Score, None, &|| false)
            .expect("not cancelled");
        (q.to_string(), start.elapsed(), hits.len())
    })
    .collect()
}

/// One title per line for fzf, one JSON object per line for us.
fn write_titles(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let txt = dir.join("titles.txt");
    let jsonl = dir.join("titles.jsonl");
    let titles: Vec<String> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::new(i as u64 + 7);
            let text = report(&mut rng);
            let origin = Origin {
                path: Arc::from("t"),
                line: None,
            };
            parse_report(text.as_bytes(), String::new(), origin)
                .expect("parses")
                .title
        })
        .collect();
    let mut t = std::io::BufWriter::new(std::fs::File::create(&txt).expect("temp file"));
    let mut j = std::io::BufWriter::new(std::fs::File::create(&jsonl).expect("temp file"));
    for (i, title) in titles.iter().enumerate() {
        writeln!(t, "{title}").expect("write");
        writeln!(
            j,
            "{}",
            serde_json::json!({"id": format!("t{i}"), "title": title})
        )
        .expect("write");
    }
    // On disk before anything is timed: the first runs otherwise met the kernel writing
    // back 350 MB.
    for w in [t, j] {
        w.into_inner().expect("write").sync_all().expect("sync");
    }
    (txt, jsonl)
}

/// Time a whole process. With `count`, its output is read and its lines counted;
/// without, it goes to /dev/null, as hyperfine times commands.
fn time_command(cmd: &mut Command, count: bool) -> Option<(Duration, usize)> {
    cmd.stderr(Stdio::null());
    let start = Instant::now();
    if !count {
        cmd.stdout(Stdio::null()).status().ok()?;
        return Some((start.elapsed(), 0));
    }
    let out = cmd.output().ok()?;
    Some((
        start.elapsed(),
        out.stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
    ))
}

fn headless_vs_fzf(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    // FILTER_BENCH_KEEP=DIR keeps the two files there for trying queries by hand.
    let keep = std::env::var_os("FILTER_BENCH_KEEP").map(std::path::PathBuf::from);
    if let Some(keep) = &keep {
        std::fs::create_dir_all(keep).expect("FILTER_BENCH_KEEP directory");
    }
    let (txt, jsonl) = write_titles(keep.as_deref().unwrap_or(dir.path()), n);
    let size = std::fs::metadata(&txt).map(|m| m.len()).unwrap_or(0);
    println!(
        "\n### headless filter vs fzf --filter, {n} Arabic titles ({:.0} MB)\n",
        size as f64 / 1e6
    );
    let fzf = Command::new("fzf")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success());
    match &fzf {
        Some(v) => println!("fzf {}", String::from_utf8_lossy(&v.stdout).trim()),
        None => println!("fzf is not installed (Debian package fzf): only our times are shown"),
    }
    println!(
        "| query | corpus-review | matches | fzf --filter | matches | ratio |\n| --- | --- | --- | --- | --- | --- |"
    );
    // Medians of five (single runs on a small VM vary by a third), each program's runs
    // together after one untimed run: on this VM a process started right after fzf (900 MB)
    // exits pays for the host taking that memory back (three times the system time), so
    // taking them in turns charged fzf's memory to us.
    let median = |mut runs: Vec<(Duration, usize)>| {
        runs.sort();
        runs.get(runs.len() / 2).copied()
    };
    // The untimed run counts the matches; the timed ones write to /dev/null (read through
    // a pipe, 48 MB of matches for المجلس cost us about a tenth more, fzf a fiftieth).
    let five = |run: &dyn Fn(bool) -> Option<(Duration, usize)>| {
        let (_, matches) = run(true)?;
        let (time, _) = median((0..5).filter_map(|_| run(false)).collect())?;
        Some((time, matches))
    };
    for q in ["المجلس", "مركز صحي", "الطريق الساحلي مغلق", "2017"] {
        let ours = five(&|count| {
            time_command(
                Command::new(env!("CARGO_BIN_EXE_corpus-review"))
                    .args(["filter", q])
                    .arg(&jsonl),
                count,
            )
        });
        let theirs = fzf.as_ref().and_then(|_| {
            five(&|count| {
                let file = std::fs::File::open(&txt).ok()?;
                time_command(Command::new("fzf").args(["--filter", q]).stdin(file), count)
            })
        });
        let (Some((ot, on)), Some((ft, fnum))) = (ours, theirs) else {
            if let Some((ot, on)) = ours {
                println!("| {q} | {} | {on} | - | - | - |", ms(ot));
            }
            continue;
        };
        println!(
            "| {q} | {} | {on} | {} | {fnum} | {:.1}x |",
            ms(ot),
            ms(ft),
            ft.as_secs_f64() / ot.as_secs_f64()
        );
    }
}

fn main() {
    let mode = std::env::var("FILTER_BENCH").unwrap_or_default();
    let quick = mode == "quick";
    println!("rayon threads: {}", rayon::current_num_threads());
    if mode == "headless" {
        headless_vs_fzf(1_000_000);
        return;
    }
    if mode == "1m" {
        let corpus = corpus_of(1_000_000, true);
        let (median, p99, max, n) = typing(&corpus);
        println!(
            "title scope, 1,000,000 articles, {n} keystrokes: median {} · p99 {} · max {}",
            ms(median),
            ms(p99),
            ms(max)
        );
        return;
    }

    let corpus = corpus_of(100_000, false);
    let (median, p99, max, n) = typing(&corpus);
    println!("\n### title scope, 100,000 articles: {n} keystrokes\n");
    println!(
        "median {} · p99 {} · max {}   (targets: median ≤ 10 ms, p99 ≤ 30 ms)",
        ms(median),
        ms(p99),
        ms(max)
    );

    println!("\n### body scope, 100,000 articles (target ≤ 150 ms per query)\n");
    for (q, t, hits) in body(&corpus) {
        println!("{q:24} {:>10}  {hits} matches", ms(t));
    }
    drop(corpus);
    if quick {
        return;
    }

    let corpus = corpus_of(1_000_000, true);
    let (median, p99, max, n) = typing(&corpus);
    println!("\n### title scope, 1,000,000 articles: {n} keystrokes\n");
    println!(
        "median {} · p99 {} · max {}   (target: median ≤ 30 ms)",
        ms(median),
        ms(p99),
        ms(max)
    );
    drop(corpus);

    headless_vs_fzf(1_000_000);
}
