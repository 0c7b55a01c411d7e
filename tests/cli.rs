//! The headless commands, run as the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("corpus-review").expect("binary is built");
    cmd.env_remove("NO_COLOR");
    // Never the user's own config: commands that need one get their own directory.
    cmd.env(
        "CORPUS_REVIEW_CONFIG_DIR",
        "/nonexistent/corpus-review-test-config",
    );
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn help_and_version_work_without_a_terminal() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: corpus-review"))
        .stdout(predicate::str::contains("list"))
        .stdout(predicate::str::contains("--bidi"));
    bin()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("corpus-review "));
}

#[test]
fn global_options_go_before_or_after_the_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().to_str().expect("utf-8 temp path");
    // Before the command they were taken for the TUI's corpus paths ("tags: No such
    // file or directory").
    for args in [
        ["--config-dir", config, "tags", "list"],
        ["tags", "list", "--config-dir", config],
    ] {
        bin().args(args).assert().success();
    }
    let before = stdout_of(&["--bidi", "off", "list", "sample-data"]);
    assert_eq!(before, stdout_of(&["list", "sample-data", "--bidi", "off"]));
    // An option of the interactive view is refused before a command, not ignored.
    bin()
        .args(["--watch", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--watch is for the interactive view",
        ));
}

#[test]
fn the_tui_without_a_terminal_explains_itself() {
    bin()
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"))
        .stderr(predicate::str::contains("corpus-review list"));
}

#[test]
fn list_without_paths_uses_the_bundled_sample() {
    let out = stdout_of(&["list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!((15..=30).contains(&lines.len()), "{}", lines.len());
    for line in &lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "{line}");
        assert!(["ar", "en", "mixed"].contains(&fields[1]), "{line}");
        fields[2].parse::<usize>().expect("source count");
    }
    let langs: Vec<&str> = lines
        .iter()
        .map(|l| l.split('\t').nth(1).unwrap_or(""))
        .collect();
    let ar = langs.iter().filter(|l| **l == "ar").count();
    assert!(ar > lines.len() / 2, "mostly Arabic");
    assert!(langs.contains(&"en") && langs.contains(&"mixed"));
    // The same corpus from the source tree, by path.
    assert_eq!(stdout_of(&["list", "sample-data"]), out);
}

#[test]
fn list_json_has_the_documented_fields() {
    let out = stdout_of(&["list", "--json"]);
    let first: Value = serde_json::from_str(out.lines().next().expect("a line")).expect("json");
    assert_eq!(first["id"], "001_0b57c75fe47eaca2");
    assert_eq!(first["place"], "سبها");
    assert_eq!(first["lang"], "ar");
    assert_eq!(first["direction"], "rtl");
    assert_eq!(first["path"], "sample-data/001_0b57c75fe47eaca2.txt");
    assert_eq!(
        first["sources"],
        serde_json::json!([
            "https://www.facebook.com/SabhaCouncilPage/posts/3310",
            "https://www.facebook.com/SabhaCouncilPage/posts/3318"
        ])
    );
    assert!(
        first["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("أعلن المجلس البلدي"))
    );
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).expect("every line is JSON");
        for key in [
            "id",
            "title",
            "place",
            "lang",
            "direction",
            "sources",
            "path",
        ] {
            assert!(v.get(key).is_some(), "{key} in {line}");
        }
    }
}

#[test]
fn show_json_lists_paragraphs_with_their_sources() {
    let out = stdout_of(&["show", "003_ad3a8cd61281a802", "--json"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    let paragraphs = v["paragraphs"].as_array().expect("array");
    assert_eq!(paragraphs.len(), 2, "URL-only lines are not paragraphs");
    assert_eq!(
        paragraphs[0]["sources"],
        serde_json::json!(["https://www.facebook.com/MisrataPortAuthority/posts/5521"])
    );
    assert_eq!(paragraphs[1]["sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["sources"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["place"], "مصراتة");
    assert_eq!(v["direction"], "rtl");
}

#[test]
fn show_inline_url_is_a_source_of_its_paragraph() {
    let out = stdout_of(&["show", "004_adf7682e47001abf", "--json"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["paragraphs"][2]["sources"],
        serde_json::json!(["https://uob-news.ly/announcements/2017/grants-schedule"])
    );
}

#[test]
fn show_width_prints_the_detail_pane() {
    let out = stdout_of(&["show", "013_cc150dac6928669d", "--width", "50"]);
    assert!(out.lines().all(|l| l.chars().count() <= 50), "{out}");
    assert!(out.contains("Place  TRIPOLI"), "{out}");
    assert!(out.contains("Sources (1)"), "{out}");
    assert!(out.contains("[1] facebook.com"), "{out}");
    assert!(out.contains("(¶2)"), "{out}");
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.starts_with("The Central Bank announced"))
    );
}

#[test]
fn show_plain_is_readable_logical_text() {
    let out = stdout_of(&["show", "wire-0413"]);
    assert!(
        out.starts_with("Fishermen in Zuwara report record sardine catch\n"),
        "{out}"
    );
    assert!(out.contains("date   2017-04-02"), "{out}");
}

/// `show` stops the load at the article; batches read before it stopped still arrive and
/// must not make it forget what it found.
#[test]
fn show_finds_an_article_early_in_a_large_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("many.jsonl");
    let filler = "كلمة ".repeat(200);
    let lines: Vec<String> = (0..4000)
        .map(|i| {
            serde_json::json!({"id": format!("r{i}"), "title": format!("t{i}"), "text": filler})
                .to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n")).expect("write");
    let path = path.to_str().expect("utf-8 path");
    for id in ["r0", "r1", "r700", "r2500", "r3999"] {
        let out = stdout_of(&["show", "--json", id, path]);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["id"], id);
    }
}

#[test]
fn unknown_id_and_missing_path_fail_clearly() {
    bin()
        .args(["show", "no-such-id"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no article with id \"no-such-id\"",
        ));
    bin()
        .args(["list", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/definitely/not/here: No such file or directory",
        ));
    bin()
        .args(["show", "x", "--width", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--width"));
}

#[test]
fn bad_input_is_skipped_counted_and_listed() {
    let out = bin()
        .args(["list", "tests/fixtures/bad"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(
        ids,
        [
            "broken:1",
            "broken:6",
            "same-id",
            "same-id~2",
            "latin1",
            "only-urls"
        ],
        "{stdout}"
    );
    for expected in [
        "archive.txt: binary file (not text): skipped",
        "broken.jsonl:2:11: invalid JSON",
        "broken.jsonl:3: expected a JSON object, found an array",
        "broken.jsonl:4: no article fields",
        "dup/b/same-id.txt: duplicate id \"same-id\"",
        "empty.txt: empty file: skipped",
        "latin1.txt: not valid UTF-8",
        "7 warnings, 5 skipped",
    ] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert!(!stdout.contains("never load") && !stderr.contains("hidden"));
    assert!(!stderr.contains("notes.md"));
}

#[test]
fn several_paths_and_single_files() {
    let out = stdout_of(&[
        "list",
        "sample-data/wire-desk.jsonl",
        "tests/fixtures/bad/only-urls.txt",
    ]);
    assert_eq!(out.lines().count(), 5);
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.starts_with("only-urls\t"))
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    corpus_review::generate::write_report_dir(dir.path(), 3000, 5).expect("generated");
    let bin = assert_cmd::cargo::cargo_bin("corpus-review");
    let script = format!(
        "set -o pipefail; '{}' list '{}' | head -n 1",
        bin.display(),
        dir.path().display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn filter_prints_ranked_matches() {
    let out = stdout_of(&["filter", "ميناء"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    let scores: Vec<i64> = lines
        .iter()
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            assert_eq!(fields.len(), 3, "{l}");
            fields[1].parse().expect("score")
        })
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert!(lines[0].starts_with("003_ad3a8cd61281a802\t"), "{out}");
}

#[test]
fn filter_json_limit_body_and_fields() {
    let out = stdout_of(&["filter", "src:facebook lang:ar", "--json", "--limit", "2"]);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(r["id"].is_string() && r["score"].is_i64() && r["title"].is_string());
    }
    // Full-text search finds a word that is only in a body paragraph, folded.
    let out = stdout_of(&["filter", "'سيارتي اسعاف", "--body"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("001_0b57c75fe47eaca2\t"));
    // Harakat in the text, none in the query.
    let out = stdout_of(&["filter", "'مختار", "--body"]);
    assert!(out.starts_with("012_0944dff391652ec4\t"), "{out}");
    // Arabic-Indic digits in the text, ASCII in the query.
    let out = stdout_of(&["filter", "'54", "--body"]);
    assert!(out.starts_with("008_8efeb2d730b08158\t"), "{out}");
}

#[test]
fn filter_exit_status_like_fzf() {
    bin()
        .args(["filter", "xyzzyqq"])
        .assert()
        .code(1)
        .stdout("");
    bin()
        .args(["filter", "lang:fr"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lang:fr: lang: expects ar, en or mixed",
        ));
}

/// The headless filter does not build JSON records that cannot match; what it prints is
/// what it would print if it built them all: renamed duplicates (the first one passed
/// over), made-up ids and titles (which the line does not hold), and no "no articles"
/// complaint when every record was passed over.
#[test]
fn filter_output_is_the_same_with_records_passed_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("qq.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"id":"a","title":"طريق الساحل"}"#,
            r#"{"id":"a","title":"المجلس البلدي"}"#,
            r#"{"title":"مجلس المدينة"}"#,
            r#"{"id":"n","links":["https://x.ly/1"]}"#,
        ]
        .join("\n"),
    )
    .expect("writes");
    let file = file.to_str().expect("utf-8 path");
    let ids = |query: &str| -> Vec<String> {
        let out = bin()
            .args(["filter", query, file, "--corpus-order"])
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids("مجلس"), ["a~2", "qq:3"]);
    // The file name and line make the id of a record without one.
    assert_eq!(ids("'qq"), ["qq:3"]);
    // A record with neither title nor text is titled "(no text)".
    assert_eq!(ids("'text"), ["n"]);
    bin()
        .args(["filter", "zzzz", file])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("duplicate id"))
        .stderr(predicate::str::contains("no articles").not());
}

#[test]
fn broken_keymaps_are_explained_with_file_line_and_column() {
    for (file, expected) in [
        (
            "unknown-action.json",
            "unknown-action.json:3:10: unknown variant `move_dwn`, expected one of `quit`, `help`",
        ),
        (
            "bad-key.json",
            "bad-key.json:3:5: in mode \"list\": unknown key \"hyper-j\"",
        ),
        (
            "unknown-mode.json",
            "unknown-mode.json:2:3: unknown variant `lists`, expected one of `global`, `list`",
        ),
        (
            "duplicate.json",
            "duplicate.json:4:5: in mode \"list\": \"j\" is bound twice (first as \"j\" at 3:5)",
        ),
        (
            "prefix.json",
            "prefix.json:4:5: in mode \"list\": \"g\" is bound, so the sequence \"g g\" can never be typed",
        ),
        (
            "trailing-comma.json",
            "trailing-comma.json:4:3: trailing comma",
        ),
    ] {
        let path = format!("tests/fixtures/keymaps/{file}");
        bin()
            .args(["keymap", "check", &path])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        // The TUI refuses it before touching the terminal.
        bin()
            .args(["--keymap", &path])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected))
            .stderr(predicate::str::contains("needs a terminal").not());
    }
    bin()
        .args([
            "keymap",
            "check",
            "tests/fixtures/keymaps/good-override.json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok, 1 bindings"));
    bin()
        .args(["--keymap", "nonesuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a keymap file, nor a preset (default, vim, emacs)",
        ));
}

#[test]
fn user_overrides_apply_and_a_broken_one_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        "tests/fixtures/keymaps/good-override.json",
        dir.path().join("keymap.json"),
    )
    .expect("copy");
    let out = bin()
        .env("CORPUS_REVIEW_CONFIG_DIR", dir.path())
        .args(["keymap", "show"])
        .output()
        .expect("runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("list\tx\tquit\t"), "{shown}");
    assert!(!shown.contains("list\tj\t"), "j unbound: {shown}");
    assert!(
        shown.contains("list\tdown\tmove_down\tnext article"),
        "{shown}"
    );
    std::fs::copy(
        "tests/fixtures/keymaps/duplicate.json",
        dir.path().join("keymap.json"),
    )
    .expect("copy");
    bin()
        .env("CORPUS_REVIEW_CONFIG_DIR", dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "keymap.json:4:5: in mode \"list\": \"j\" is bound twice",
        ));
    // A missing override file is no error.
    let empty = tempfile::tempdir().expect("temp dir");
    bin()
        .env("CORPUS_REVIEW_CONFIG_DIR", empty.path())
        .args(["keymap", "show", "vim"])
        .assert()
        .success()
        .stdout(predicate::str::contains("list\tg g\tfirst"));
}

#[test]
fn a_broken_config_file_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("config.json"),
        "{\n  \"quick_tags\": [\"a\"],\n  \"colour\": true\n}\n",
    )
    .expect("writes");
    bin()
        .env("CORPUS_REVIEW_CONFIG_DIR", dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "config.json:3:3: unknown field `colour`, expected one of `quick_tags`",
        ));
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        bin()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("corpus-review"))
            .stdout(predicate::str::contains("filter"));
    }
    bin()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH corpus-review"))
        .stdout(predicate::str::contains("\\-\\-keymap"));
}

#[test]
fn stats_summarise_the_corpus() {
    let out = stdout_of(&["stats"]);
    assert!(
        out.contains("articles     23 (ar 16, en 5, mixed 2)"),
        "{out}"
    );
    assert!(out.contains("sources      35 links; top domains:"), "{out}");
    assert!(out.contains("       26  facebook.com"), "{out}");
    assert!(out.contains("load time"), "{out}");
    assert!(out.contains("tagged       0, reviewed 0"), "{out}");
    // The sample is a few kilobytes: a ratio of memory to it would say nothing.
    assert!(!out.contains("x the files"), "{out}");
}

/// `stats` counts the warnings on stdout and names each on stderr, as `list` does.
#[test]
fn stats_name_their_warnings_on_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.jsonl"), "{\"title\": \"x\",\n").expect("written");
    std::fs::write(dir.path().join("b.txt"), "طرابلس – خبر.\n").expect("written");
    let out = bin().arg("stats").arg(dir.path()).output().expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("skipped      1 files or records (1 warnings)"),
        "{stdout}"
    );
    assert!(stderr.contains("a.jsonl:1:"), "{stderr}");
    assert!(stderr.contains("invalid JSON"), "{stderr}");
}

/// `filter` and `list` handle a corpus one loaded batch at a time; what they print is what
/// one run over the whole corpus gives: ranking (ties in corpus order) across batches,
/// corpus order, limits.
#[test]
fn batch_by_batch_output_is_that_of_the_whole_corpus() {
    use corpus_review::corpus::{LoadOptions, load_all};
    use corpus_review::search::matcher::{Matcher, Order, Scope};
    use corpus_review::search::query::Query;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reports.jsonl");
    // Short records (a report's first lines), enough of them for the file to be read in
    // several pieces of over a thousand articles: each piece is a batch of its own.
    let mut rng = corpus_review::generate::Rng::new(21);
    let records: String = (0..12_000)
        .map(|i| {
            let report = corpus_review::generate::report(&mut rng);
            let lead: Vec<&str> = report.lines().take(3).collect();
            let lead = lead.join("\n");
            format!(
                "{}\n",
                serde_json::json!({"id": format!("t{i}"), "text": lead})
            )
        })
        .collect();
    std::fs::write(&path, records).expect("writes");
    let options = LoadOptions {
        paths: vec![path.clone()],
        only: None,
    };
    let mut batches = 0;
    corpus_review::corpus::Loader::new(options.clone()).run(|e| {
        batches += usize::from(matches!(e, corpus_review::corpus::LoadEvent::Batch { .. }));
    });
    assert!(batches >= 2, "{batches} batches");
    let (corpus, _, _) = load_all(&options);
    let file = path.to_string_lossy().to_string();
    for (query, order, body) in [
        ("مستشفى", Order::Score, false),
        ("src:facebook", Order::Score, false),
        ("المجلس", Order::Corpus, false),
        ("'الطريق", Order::Score, true),
    ] {
        let parsed = Query::parse(query).expect("parses");
        let scope = if body { Scope::Body } else { Scope::Title };
        let hits = Matcher::new()
            .run(&corpus, &parsed, scope, order, None, &|| false)
            .expect("runs");
        assert!(hits.len() > 20, "{query}: {}", hits.len());
        let expected: String = hits
            .iter()
            .map(|h| {
                let a = corpus.get(h.index as usize).expect("an article");
                format!("{}\t{}\t{}\n", a.id, h.score, a.title)
            })
            .collect();
        let mut args = vec!["filter", query, file.as_str()];
        if order == Order::Corpus {
            args.push("--corpus-order");
        }
        if body {
            args.push("--body");
        }
        assert_eq!(stdout_of(&args), expected, "{query}");
        args.extend(["--limit", "7"]);
        let limited: String = expected.lines().take(7).map(|l| format!("{l}\n")).collect();
        assert_eq!(stdout_of(&args), limited, "{query} --limit 7");
    }
    let expected: String = corpus
        .iter()
        .map(|a| {
            let (lang, sources) = (a.lang.as_str(), a.sources.len());
            format!("{}\t{lang}\t{sources}\t{}\n", a.id, a.title)
        })
        .collect();
    assert_eq!(stdout_of(&["list", file.as_str()]), expected);
}

/// A tree of more directories than the process may hold open (archives kept a folder a
/// day) loads whole: the scan does not keep every directory open until the end.
#[test]
fn a_tree_of_many_directories_loads_under_a_low_descriptor_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..300 {
        let sub = dir.path().join(format!("day{i:03}"));
        std::fs::create_dir(&sub).expect("dir");
        std::fs::write(
            sub.join(format!("r{i}.txt")),
            format!("طرابلس – خبر رقم {i}.\n"),
        )
        .expect("written");
    }
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 64 && exec "$0" stats "$1""#)
        .arg(assert_cmd::cargo::cargo_bin("corpus-review"))
        .arg(dir.path())
        .env(
            "CORPUS_REVIEW_CONFIG_DIR",
            "/nonexistent/corpus-review-test-config",
        )
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("articles     300 "), "{stdout}{stderr}");
    assert!(stdout.contains("skipped      0 "), "{stdout}{stderr}");
}
