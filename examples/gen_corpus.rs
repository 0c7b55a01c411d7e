//! Generate a synthetic corpus for trying the TUI and for benchmarks.
//!
//! cargo run --release --example gen_corpus -- DIR COUNT            (report files)
//! cargo run --release --example gen_corpus -- FILE.jsonl COUNT      (one JSON Lines file)

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(target), Some(count)) = (
        args.first(),
        args.get(1).and_then(|c| c.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_corpus DIR|FILE.jsonl COUNT [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let target = PathBuf::from(target);
    let result = if target.extension().is_some_and(|e| e == "jsonl") {
        corpus_review::generate::write_jsonl(&target, count, seed)
    } else {
        corpus_review::generate::write_report_dir(&target, count, seed)
    };
    match result {
        Ok(bytes) => eprintln!(
            "wrote {count} articles, {:.1} MB, to {}",
            bytes as f64 / 1e6,
            target.display()
        ),
        Err(e) => {
            eprintln!("gen_corpus: {}: {e}", target.display());
            std::process::exit(1);
        }
    }
}
