//! Drive the real binary in a pseudo-terminal and read its screen with vt100.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for a screen to appear before failing the test (not a speed target).
pub const PATIENCE: Duration = Duration::from_secs(40);

pub struct Tui {
    /// The config directory this instance uses (never the user's own).
    pub config: std::path::PathBuf,
    _config_dir: Option<tempfile::TempDir>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn MasterPty + Send>,
}

pub fn bin_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_corpus-review"))
}

impl Tui {
    /// Start `program args` in a `cols`x`rows` terminal, in the crate directory.
    pub fn spawn_program(
        program: &std::path::Path,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("NO_COLOR");
        // Tests never touch the real user config: a fresh directory unless one is given.
        let given = env
            .iter()
            .find(|(k, _)| *k == "CORPUS_REVIEW_CONFIG_DIR")
            .map(|(_, v)| v.to_string());
        let owned = given
            .is_none()
            .then(|| tempfile::tempdir().expect("temp config dir"));
        let config = given.map_or_else(
            || {
                owned
                    .as_ref()
                    .map(|d| d.path().to_path_buf())
                    .unwrap_or_default()
            },
            std::path::PathBuf::from,
        );
        cmd.env("CORPUS_REVIEW_CONFIG_DIR", &config);
        cmd.env("XDG_CONFIG_HOME", &config);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawns");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let nz = |n: u16| std::num::NonZeroU16::new(n).expect("a non-empty terminal");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if let Ok(mut parser) = p.lock() {
                            parser.process(&buf[..n]);
                        }
                        if let Ok(mut raw) = r.lock() {
                            raw.extend_from_slice(&buf[..n]);
                        }
                    }
                }
            }
        });
        Tui {
            config,
            _config_dir: owned,
            child,
            writer,
            parser,
            raw,
            _master: pair.master,
        }
    }

    pub fn spawn(args: &[&str], cols: u16, rows: u16) -> Tui {
        Tui::spawn_program(&bin_path(), args, cols, rows, &[])
    }

    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    pub fn contents(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().expect("parser");
        let (_, cols) = parser.screen().size();
        parser.screen().rows(0, cols.get()).collect()
    }

    /// Bytes the program wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().expect("parser").screen())
    }

    /// Wait until the screen satisfies `check`; fail with the screen shown otherwise.
    pub fn wait_for(&self, what: &str, check: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if self.with_screen(&check) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.contents());
    }

    pub fn wait_for_text(&self, text: &str) {
        self.wait_for(text, |s| s.contents().contains(text));
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    /// Wait for the program to end; its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader catch the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the program did not exit; screen:\n{}", self.contents());
    }

    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The terminal was handed back: alternate screen left, cursor shown, raw mode off
/// (the latter is the kernel's business; we check the sequences we own).
pub fn assert_restored(tui: &Tui) {
    let raw = tui.raw();
    let text = String::from_utf8_lossy(&raw);
    let entered = text
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = text
        .rfind("\x1b[?1049l")
        .expect("left the alternate screen");
    assert!(left > entered);
    assert!(
        text[left..].contains("\x1b[?25h") || text[entered..].contains("\x1b[?25h"),
        "cursor shown again"
    );
    assert!(
        !tui.with_screen(|s| s.alternate_screen()),
        "back on the main screen"
    );
}

/// The parameters of the first SGR sequence that sets a colour, if any: 30-38, 40-48,
/// 90-97, 100-107 (39 and 49 restore the default, so they do not count).
pub fn first_colour_sgr(out: &str) -> Option<String> {
    let mut rest = out;
    while let Some(i) = rest.find("\x1b[") {
        let tail = &rest[i + 2..];
        let end = tail.find(|c: char| c.is_ascii_alphabetic())?;
        if tail.as_bytes()[end] == b'm' {
            let params = &tail[..end];
            if params.split(';').any(|p| {
                p.parse::<u32>().is_ok_and(|n| {
                    (30..=38).contains(&n) || (40..=48).contains(&n) || (90..=107).contains(&n)
                })
            }) {
                return Some(params.to_string());
            }
        }
        rest = &tail[end..];
    }
    None
}
