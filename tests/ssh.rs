//! A real SSH session: corpus-review on the far side of `ssh -tt`, the connection cut.

mod common;

use common::Tui;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

struct Sshd {
    child: Child,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) -> bool {
    Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// sshd on 127.0.0.1 with its own host key, authorized key and config; `None` (the
/// test skips, saying why) when sshd cannot be had here.
fn start_sshd(dir: &Path) -> Option<Sshd> {
    if !Path::new(SSHD).exists() {
        eprintln!("SKIPPED: {SSHD} not installed (Debian package openssh-server)");
        return None;
    }
    if !keygen(&dir.join("host_key")) || !keygen(&dir.join("client_key")) {
        eprintln!("SKIPPED: ssh-keygen failed");
        return None;
    }
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).ok()?;
    // sshd wants its privilege separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\nPidFile {dir}/sshd.pid\n\
         AuthorizedKeysFile {dir}/authorized_keys\nPubkeyAuthentication yes\nPasswordAuthentication no\n\
         KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitRootLogin yes\nPermitUserEnvironment no\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("sshd_config"), config).ok()?;
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let sshd = Sshd { child, port };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(10) {
            eprintln!("SKIPPED: sshd did not start listening");
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(sshd)
}

fn running(marker: &str) -> bool {
    Command::new("pgrep")
        .args(["-f", marker])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty())
}

#[test]
fn a_tag_survives_a_dropped_ssh_connection_and_nothing_is_left_running() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(sshd) = start_sshd(dir.path()) else {
        return;
    };
    let config: PathBuf = dir.path().join("remote-config");
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".into());
    let remote = format!(
        "cd '{}' && exec env LANG=C.UTF-8 TERM=xterm-256color '{}' --config-dir '{}' sample-data",
        env!("CARGO_MANIFEST_DIR"),
        common::bin_path().display(),
        config.display(),
    );
    let key = dir.path().join("client_key");
    let args = [
        "-tt",
        "-p",
        &sshd.port.to_string(),
        "-i",
        &key.to_string_lossy(),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        &format!("{user}@127.0.0.1"),
        &remote,
    ];
    let ssh = Path::new("/usr/bin/ssh");
    let mut tui = Tui::spawn_program(ssh, &args, 120, 30, &[]);
    tui.wait_for_text("loaded in");
    tui.send("1");
    tui.wait_for_text("✓ saved");
    // The connection drops: the client dies without a word.
    tui.signal("KILL");
    tui.wait_exit();

    // The config directory is on the program's command line, so this finds it.
    let marker = config.to_string_lossy().to_string();
    let start = Instant::now();
    while running(&marker) {
        if start.elapsed() > Duration::from_secs(15) {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f", &marker])
                .status();
            panic!("corpus-review was still running on the server");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let listed = Command::new(common::bin_path())
        .args(["tags", "list"])
        .env("CORPUS_REVIEW_CONFIG_DIR", &config)
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.starts_with("001_0b57c75fe47eaca2\trelevant\treviewed"),
        "{listed}"
    );
}
