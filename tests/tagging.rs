//! Tags that survive everything: the real binary, killed, hung up on, racing itself.

mod common;

use assert_cmd::Command;
use common::Tui;
use std::path::Path;

fn bin(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("corpus-review").expect("binary is built");
    cmd.env("CORPUS_REVIEW_CONFIG_DIR", config);
    cmd.env("USER", "tester");
    cmd
}

fn tags_list(config: &Path) -> String {
    let out = bin(config).args(["tags", "list"]).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `tags import` of these records, as a file in the config directory.
fn import(config: &Path, records: &[serde_json::Value]) -> std::process::Output {
    let input = config.join("in.jsonl");
    write_records(&input, records);
    import_file(config, &input)
}

/// Records as JSON Lines, the way exports are written.
fn write_records(path: &Path, records: &[serde_json::Value]) {
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, lines).expect("writes");
}

/// `tags import FILE`, which must succeed.
fn import_file(config: &Path, input: &Path) -> std::process::Output {
    let out = bin(config)
        .args(["tags", "import"])
        .arg(input)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn spawn_in(config: &Path, cols: u16, rows: u16) -> Tui {
    let dir = config.to_string_lossy().to_string();
    Tui::spawn_program(
        &common::bin_path(),
        &[],
        cols,
        rows,
        &[("CORPUS_REVIEW_CONFIG_DIR", &dir)],
    )
}

const FIRST: &str = "001_0b57c75fe47eaca2";

#[test]
fn a_confirmed_tag_survives_kill_9_and_sighup() {
    for signal in ["KILL", "HUP"] {
        let config = tempfile::tempdir().expect("temp dir");
        let mut tui = spawn_in(config.path(), 120, 30);
        tui.wait_for_text("loaded in");
        tui.send("1");
        tui.wait_for_text("✓ saved");
        tui.signal(signal);
        let code = tui.wait_exit();
        if signal == "HUP" {
            assert_eq!(code, 129, "exits through the quit path");
        }
        let listed = tags_list(config.path());
        assert!(
            listed.starts_with(&format!("{FIRST}\trelevant\treviewed\t")),
            "after SIG{signal}: {listed}"
        );
        // The restarted TUI shows it too.
        let mut again = spawn_in(config.path(), 120, 30);
        again.wait_for_text("loaded in");
        again.wait_for_text("relevant");
        again.wait_for_text("1 / 23 reviewed");
        again.send("q");
        assert_eq!(again.wait_exit(), 0);
    }
}

#[test]
fn the_filter_sees_tags_and_reviews() {
    let config = tempfile::tempdir().expect("temp dir");
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("loaded in");
    tui.send("1");
    tui.wait_for_text("1 / 23 reviewed");
    tui.send("/tag:relevant");
    tui.wait_for_text("Articles (1 of 23)");
    tui.send("\x15unreviewed");
    tui.wait_for_text("Articles (22 of 23)");
    tui.send("\x1b");
    tui.wait_for_text("Articles (23)");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    // Saved state, read back at start-up.
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("1 / 23 reviewed");
    tui.send("/reviewed");
    tui.wait_for_text("Articles (1 of 23)");
    tui.send("\x1b");
    tui.wait_for_text("Articles (23)");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    // And outside the TUI.
    let out = bin(config.path())
        .args(["filter", "tag:relevant", "sample-data"])
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.starts_with(FIRST), "{listed}");
    assert_eq!(listed.lines().count(), 1, "{listed}");
}

#[test]
fn undo_and_redo_survive_a_restart() {
    let config = tempfile::tempdir().expect("temp dir");
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("loaded in");
    tui.send("2");
    tui.wait_for_text("✓ saved");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("irrelevant");
    tui.send("u");
    tui.wait_for_text("0 / 23 reviewed");
    tui.send("q");
    tui.wait_exit();
    assert_eq!(tags_list(config.path()), "");
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("loaded in");
    tui.send("\x12"); // ctrl-r
    tui.wait_for_text("1 / 23 reviewed");
    tui.send("q");
    tui.wait_exit();
    assert!(tags_list(config.path()).contains("irrelevant"));
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let config = tempfile::tempdir().expect("temp dir");
    let files = tempfile::tempdir().expect("temp dir");
    // Two writers, 25 imports each, every import its own locked append.
    let mut children = Vec::new();
    for writer in ["a", "b"] {
        let mut script = String::new();
        for i in 0..25 {
            let file = files.path().join(format!("{writer}{i}.jsonl"));
            let record =
                serde_json::json!({"id": format!("art{i}"), "accept": [format!("from-{writer}")]});
            std::fs::write(&file, format!("{record}\n")).expect("writes");
            script.push_str(&format!(
                "'{}' tags import '{}' >/dev/null || exit 1\n",
                common::bin_path().display(),
                file.display()
            ));
        }
        children.push(
            std::process::Command::new("bash")
                .args(["-c", &script])
                .env("CORPUS_REVIEW_CONFIG_DIR", config.path())
                .spawn()
                .expect("bash runs"),
        );
    }
    for mut c in children {
        assert!(c.wait().expect("waits").success());
    }
    let export = bin(config.path())
        .args(["tags", "export", "tests/fixtures/none-such"])
        .output()
        .expect("runs");
    assert!(
        !export.status.success(),
        "a missing corpus path is an error"
    );
    let journal = std::fs::read_to_string(config.path().join("journal.jsonl")).expect("journal");
    assert_eq!(
        journal.lines().count(),
        50,
        "every change journalled once, no torn lines"
    );
    for i in 0..25 {
        for writer in ["a", "b"] {
            let needle = format!("\"article\":\"art{i}\",\"op\":\"tag\",\"tag\":\"from-{writer}\"");
            assert!(journal.contains(&needle), "{needle}");
        }
    }
}

#[test]
fn changes_from_another_instance_appear() {
    let config = tempfile::tempdir().expect("temp dir");
    let mut tui = spawn_in(config.path(), 120, 30);
    tui.wait_for_text("loaded in");
    import(
        config.path(),
        &[serde_json::json!({"id": FIRST, "accept": ["external"], "answer": "accept"})],
    );
    tui.wait_for_text("change");
    tui.wait_for_text("from another session");
    tui.wait_for_text("external");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn a_read_only_journal_shows_an_error_retries_and_asks_before_quitting() {
    let config = tempfile::tempdir().expect("temp dir");
    let journal = config.path().join("journal.jsonl");
    std::fs::write(&journal, "").expect("creates");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let lock = |on: bool| {
        if root {
            std::process::Command::new("chattr")
                .arg(if on { "+i" } else { "-i" })
                .arg(&journal)
                .status()
                .map(|s| s.success())
        } else {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                &journal,
                std::fs::Permissions::from_mode(if on { 0o444 } else { 0o644 }),
            )
            .map(|()| true)
        }
    };
    if !matches!(lock(true), Ok(true)) {
        eprintln!("SKIPPED: cannot make the journal read-only here");
        return;
    }
    let mut tui = spawn_in(config.path(), 140, 30);
    tui.wait_for_text("loaded in");
    tui.send("1");
    tui.wait_for_text("NOT SAVED (1)");
    tui.wait_for_text("retrying");
    // The change is kept and shown while it waits.
    tui.wait_for_text("relevant");
    tui.send("q");
    tui.wait_for_text("1 change is NOT saved");
    tui.send("n");
    let _ = lock(false);
    tui.wait_for_text("✓ saved");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert!(tags_list(config.path()).contains("relevant"));
}

/// The disk fills up while tagging: the tag that does not fit is shown as not saved and
/// retried, the journal keeps no torn line (the write that filled the disk got part of
/// a line out), and once there is room the tag is saved. The config directory is
/// a small tmpfs in a mount namespace of the TUI's own (skipped where one cannot be made).
#[test]
fn a_full_disk_shows_an_error_retries_and_saves_once_there_is_room() {
    let outside = tempfile::tempdir().expect("temp dir");
    let config = outside.path().join("config");
    std::fs::create_dir(&config).expect("creates");
    let unshare = ["--user", "--map-root-user", "--mount", "sh", "-c"];
    let mount = r#"mount -t tmpfs -o size=256k tmpfs "$CFG""#;
    let probe = std::process::Command::new("unshare")
        .args(unshare)
        .arg(mount)
        .env("CFG", &config)
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: cannot mount a tmpfs in a namespace of its own here");
        return;
    }
    // The shell fills the tmpfs when asked, frees it when asked, and copies the journal
    // out once the TUI has quit (the mount goes with the namespace).
    let script = format!(
        r#"{mount} || exit 99
(
  while [ ! -e "$FLAGS/fill" ]; do sleep 0.05; done
  cat /dev/zero > "$CFG/filler" 2>/dev/null
  touch "$FLAGS/filled"
  while [ ! -e "$FLAGS/free" ]; do sleep 0.05; done
  rm -f "$CFG/filler"
) &
"$BIN"
status=$?
cp "$CFG/journal.jsonl" "$FLAGS/journal.jsonl"
exit $status"#
    );
    let mut args = unshare.to_vec();
    args.push(&script);
    let (cfg, flags, bin) = (
        config.to_string_lossy().to_string(),
        outside.path().to_string_lossy().to_string(),
        common::bin_path().to_string_lossy().to_string(),
    );
    let mut tui = Tui::spawn_program(
        Path::new("unshare"),
        &args,
        140,
        30,
        &[
            ("CORPUS_REVIEW_CONFIG_DIR", &cfg),
            ("CFG", &cfg),
            ("FLAGS", &flags),
            ("BIN", &bin),
        ],
    );
    tui.wait_for_text("loaded in");
    tui.send("1");
    tui.wait_for_text("✓ saved");
    std::fs::write(outside.path().join("fill"), "").expect("flag");
    let filled = outside.path().join("filled");
    let start = std::time::Instant::now();
    while !filled.exists() {
        assert!(start.elapsed().as_secs() < 20, "the tmpfs was not filled");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The journal's last block still has room: tag article after article until a line
    // does not fit.
    let mut tagged = 1;
    while !tui.contents().contains("NOT SAVED") {
        assert!(tagged < 20, "the disk never filled up");
        tui.send("j");
        tui.send("1");
        tagged += 1;
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    tui.wait_for_text("retrying");
    std::fs::write(outside.path().join("free"), "").expect("flag");
    tui.wait_for_text("✓ saved");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    let journal = std::fs::read_to_string(outside.path().join("journal.jsonl")).expect("copied");
    let entries: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("torn line {l:?}: {e}")))
        .collect();
    let tags = entries.iter().filter(|e| e["tag"] == "relevant").count();
    assert_eq!(tags, tagged, "{journal}");
}

#[test]
fn export_import_round_trip_and_agreement() {
    let one = tempfile::tempdir().expect("temp dir");
    let two = tempfile::tempdir().expect("temp dir");
    let input = one.path().join("in.jsonl");
    std::fs::write(
        &input,
        [
            serde_json::json!({"meta": {"id": FIRST}, "accept": ["relevant", "follow-up"], "answer": "accept", "note": "call back"}),
            serde_json::json!({"id": "002_afd82eb4191909a7", "label": ["irrelevant"]}),
        ]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>(),
    )
    .expect("writes");
    let out = bin(one.path())
        .args(["tags", "import"])
        .arg(&input)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("added 3 tags, 1 reviews and 1 notes on 2 articles; 0 conflicts"),
        "{said}"
    );

    let export = |config: &Path| {
        let out = bin(config)
            .args(["tags", "export", "--with-text"])
            .output()
            .expect("runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let exported = export(one.path());
    let lines: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["meta"]["id"], FIRST);
    assert_eq!(
        lines[0]["accept"],
        serde_json::json!(["follow-up", "relevant"])
    );
    assert_eq!(lines[0]["label"], lines[0]["accept"]);
    assert_eq!(lines[0]["answer"], "accept");
    assert_eq!(lines[0]["_annotator_id"], "tester");
    assert!(lines[0]["_timestamp"].is_u64());
    assert!(
        lines[0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("سبها –"))
    );
    assert_eq!(lines[1]["answer"], "ignore");

    // Into a second store and out again: the same decisions.
    let file = two.path().join("from-one.jsonl");
    std::fs::write(&file, &exported).expect("writes");
    bin(two.path())
        .args(["tags", "import"])
        .arg(&file)
        .assert()
        .success();
    let again = export(two.path());
    let strip = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
                for k in ["_timestamp", "_session_id"] {
                    v.as_object_mut().map(|o| o.remove(k));
                }
                v
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&exported));

    // Importing again adds nothing; a different note is a conflict, ours kept.
    let changed = exported.replace("call back", "do not call");
    std::fs::write(&file, changed).expect("writes");
    let out = bin(two.path())
        .args(["tags", "import"])
        .arg(&file)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("added 0 tags, 0 reviews and 0 notes on 0 articles; 1 conflicts"),
        "{said}"
    );
    assert!(said.contains("note differs"), "{said}");

    // Agreement between the two exports: identical decisions agree fully.
    let a = one.path().join("a.jsonl");
    std::fs::write(&a, &exported).expect("writes");
    let b = two.path().join("b.jsonl");
    std::fs::write(&b, &again).expect("writes");
    let out = bin(one.path())
        .args(["tags", "agreement"])
        .arg(&a)
        .arg(&b)
        .output()
        .expect("runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("tester ~ tester\trelevant\t2\t100.0%\t1.000"),
        "{table}"
    );

    // CSV has a header and one row per article.
    let out = bin(one.path())
        .args(["tags", "export", "--format", "csv"])
        .output()
        .expect("runs");
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("id,title,tags,reviewed,note,analyst,updated\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);

    // Sessions: the import sessions, with what they did.
    let out = bin(one.path()).arg("sessions").output().expect("runs");
    let sessions = String::from_utf8_lossy(&out.stdout);
    assert!(
        sessions.starts_with("session\tanalyst\tstart\tend\treviewed\ttags\n"),
        "{sessions}"
    );
    assert!(
        sessions
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("\ttester\t") && l.ends_with("\t1\t3")),
        "{sessions}"
    );
}

/// One article tagged "relevant" in the journal, and tags.json made unreadable.
fn tag_then_break_the_snapshot(config: &Path) {
    import(
        config,
        &[serde_json::json!({"id": FIRST, "accept": ["relevant"]})],
    );
    std::fs::write(config.join("tags.json"), "{\"broken\": [").expect("writes");
}

/// A corrupt tags.json is kept aside and the state rebuilt from the journal, and a headless
/// command says so on stderr (it used to say nothing).
#[test]
fn a_corrupt_snapshot_is_reported_by_headless_commands() {
    let config = tempfile::tempdir().expect("temp dir");
    tag_then_break_the_snapshot(config.path());
    let out = bin(config.path())
        .args(["tags", "list"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("relevant"));
    assert!(stderr.contains("was unreadable"), "{stderr}");
    // (What is kept aside, and how, is the store's unit test.)
    assert!(stderr.contains("rebuilt from the journal"), "{stderr}");
}

/// In the TUI the status line counts the problems found opening the saved tags and shows
/// the first; all of them are on the terminal once it has closed.
#[test]
fn problems_with_the_saved_tags_show_in_the_tui_and_remain_after_it() {
    let config = tempfile::tempdir().expect("temp dir");
    tag_then_break_the_snapshot(config.path());
    let journal = config.path().join("journal.jsonl");
    let mut lines = std::fs::read_to_string(&journal).expect("reads");
    lines.push_str("not a journal line\n");
    std::fs::write(&journal, lines).expect("writes");
    let mut tui = spawn_in(config.path(), 160, 30);
    tui.wait_for_text("2 problems with the saved tags");
    tui.wait_for_text("relevant");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    let after = tui.contents();
    assert!(after.contains("tags.json was unreadable"), "{after}");
    assert!(after.contains("unreadable journal line skipped"), "{after}");
}

/// `tags list` is a line per article, whatever the analyst typed: a newline or tab in a
/// note or a tag shows as its control picture or spaces instead of splitting the line.
#[test]
fn tags_list_keeps_a_line_per_article_whatever_the_note_holds() {
    let config = tempfile::tempdir().expect("temp dir");
    import(
        config.path(),
        &[serde_json::json!({"id": FIRST, "accept": ["a\tb"], "note": "one\ntwo"})],
    );
    let listed = tags_list(config.path());
    assert_eq!(listed.lines().count(), 1, "{listed:?}");
    let fields: Vec<&str> = listed.trim_end_matches('\n').split('\t').collect();
    assert_eq!(
        fields,
        [FIRST, "a    b", "-", "one\u{240A}two"],
        "{listed:?}"
    );
}

/// Export files are untrusted text: analyst names, ids and tags from them reach the
/// terminal as visible characters, never as escape sequences.
#[test]
fn import_and_agreement_never_print_raw_escapes_from_the_files() {
    let config = tempfile::tempdir().expect("temp dir");
    let record = |analyst: &str, tag: &str| serde_json::json!({"id": FIRST, "accept": [tag], "_annotator_id": analyst});
    let (evil, other) = (
        config.path().join("evil.jsonl"),
        config.path().join("other.jsonl"),
    );
    write_records(&evil, &[record("ev\u{1b}]0;x\u{7}il", "t\u{1b}[31m")]);
    write_records(&other, &[record("bob", "relevant")]);
    import_file(config.path(), &other);
    let imported = import_file(config.path(), &evil);
    let agreement = bin(config.path())
        .args(["tags", "agreement"])
        .arg(&evil)
        .arg(&other)
        .output()
        .expect("runs");
    for out in [imported, agreement] {
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains('\u{241B}'), "the escape is shown: {text:?}");
    }
}

/// Saved tags that cannot be read (a journal that is a pipe) are an error in the status
/// line, retried; a tag key waits for them, and ctrl-c drops it and quits.
#[test]
fn saved_tags_that_cannot_be_read_are_said_and_do_not_keep_the_tui_open() {
    let config = tempfile::tempdir().expect("temp dir");
    let journal = config.path().join("journal.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&journal)
        .status()
        .expect("runs mkfifo");
    assert!(made.success());
    let mut tui = spawn_in(config.path(), 160, 30);
    tui.wait_for_text("CANNOT READ SAVED TAGS");
    tui.wait_for_text("reading saved tags…");
    tui.send("1");
    tui.wait_for_text("keys wait for the saved tags");
    tui.send("\x03");
    assert_eq!(tui.wait_exit(), 0);
    assert!(journal.exists(), "the journal is left as it was");
}
