//! Copying and opening links from a terminal that may be at the far end of SSH.

use crate::config::Clipboard;
use base64::Engine;
use std::io::Write;
use std::process::{Command, Stdio};

/// Terminals and tmux drop OSC 52 payloads beyond about 100 KB; stay under it.
pub const OSC52_MAX_BASE64: usize = 99_992;

/// What the environment says about copying and opening.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Env {
    pub ssh: bool,
    pub tmux: bool,
    pub setting: Clipboard,
    /// A local clipboard tool found on PATH (wl-copy, xclip, xsel, pbcopy).
    pub native: Option<Vec<String>>,
    /// `$BROWSER`, else `xdg-open` / `open` when found.
    pub browser: Option<String>,
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

impl Env {
    pub fn detect(setting: Clipboard) -> Env {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        let native = if var("WAYLAND_DISPLAY").is_some() && on_path("wl-copy") {
            Some(vec!["wl-copy".to_string()])
        } else if var("DISPLAY").is_some() && on_path("xclip") {
            Some(vec![
                "xclip".into(),
                "-selection".into(),
                "clipboard".into(),
            ])
        } else if var("DISPLAY").is_some() && on_path("xsel") {
            Some(vec!["xsel".into(), "--clipboard".into(), "--input".into()])
        } else if on_path("pbcopy") {
            Some(vec!["pbcopy".to_string()])
        } else {
            None
        };
        let browser = var("BROWSER").or_else(|| {
            ["xdg-open", "open"]
                .iter()
                .find(|p| on_path(p))
                .map(|p| p.to_string())
        });
        Env {
            ssh: var("SSH_CONNECTION").is_some() || var("SSH_TTY").is_some(),
            tmux: var("TMUX").is_some(),
            setting,
            native,
            browser,
        }
    }
}

/// How a copy will be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyPlan {
    Osc52 { tmux: bool },
    Native(Vec<String>),
    Off,
}

pub fn copy_plan(env: &Env) -> CopyPlan {
    match env.setting {
        Clipboard::Off => CopyPlan::Off,
        Clipboard::Osc52 => CopyPlan::Osc52 { tmux: env.tmux },
        Clipboard::Native => match &env.native {
            Some(cmd) => CopyPlan::Native(cmd.clone()),
            None => CopyPlan::Osc52 { tmux: env.tmux },
        },
        // Over SSH a local tool would copy on the remote machine: the terminal's own
        // clipboard is the analyst's.
        Clipboard::Auto => match (&env.native, env.ssh) {
            (Some(cmd), false) => CopyPlan::Native(cmd.clone()),
            _ => CopyPlan::Osc52 { tmux: env.tmux },
        },
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard; inside
/// tmux, wrapped so tmux passes it to the outer terminal.
pub fn osc52(text: &str, tmux: bool) -> Result<String, String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    if encoded.len() > OSC52_MAX_BASE64 {
        return Err(format!(
            "too long to copy through the terminal ({} KB; the limit is about {} KB)",
            text.len() / 1024,
            OSC52_MAX_BASE64 * 3 / 4 / 1024
        ));
    }
    let seq = format!("\x1b]52;c;{encoded}\x07");
    Ok(if tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        seq
    })
}

/// Copy `text`; the message says what was actually done.
pub fn copy(text: &str, what: &str, env: &Env, out: &mut impl Write) -> String {
    match copy_plan(env) {
        CopyPlan::Off => "copying is off (\"clipboard\": \"off\" in config.json)".to_string(),
        CopyPlan::Osc52 { tmux } => match osc52(text, tmux) {
            Ok(seq) => match out.write_all(seq.as_bytes()).and_then(|()| out.flush()) {
                // We cannot know whether the terminal accepted it; say what we did.
                Ok(()) => format!(
                    "{what} sent to the terminal clipboard (OSC 52{})",
                    if tmux { " via tmux" } else { "" }
                ),
                Err(e) => format!("could not copy {what}: {e}"),
            },
            Err(e) => format!("{what}: {e}"),
        },
        CopyPlan::Native(cmd) => {
            let run = Command::new(&cmd[0])
                .args(&cmd[1..])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .and_then(|mut child| {
                    if let Some(mut stdin) = child.stdin.take() {
                        stdin.write_all(text.as_bytes())?;
                    }
                    child.wait()
                });
            match run {
                Ok(status) if status.success() => format!("{what} copied ({})", cmd[0]),
                Ok(status) => format!("could not copy {what}: {} exited with {status}", cmd[0]),
                Err(e) => format!("could not copy {what}: {}: {e}", cmd[0]),
            }
        }
    }
}

/// How a link will be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenPlan {
    Browser(String),
    /// Opening would happen on the wrong machine (or there is no browser): copy instead.
    CopyInstead(&'static str),
}

pub fn open_plan(env: &Env) -> OpenPlan {
    match (&env.browser, env.ssh) {
        (_, true) => OpenPlan::CopyInstead("over SSH a browser would open on the remote machine"),
        (Some(b), false) => OpenPlan::Browser(b.clone()),
        (None, false) => OpenPlan::CopyInstead("no browser found ($BROWSER, xdg-open)"),
    }
}

/// Open `url`, or copy it when opening makes no sense here; the message says which.
pub fn open(url: &str, env: &Env, out: &mut impl Write) -> String {
    match open_plan(env) {
        OpenPlan::Browser(browser) => {
            let started = Command::new(&browser)
                .arg(url)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            match started {
                Ok(_) => format!("opening in {browser}"),
                Err(e) => format!("could not start {browser}: {e}"),
            }
        }
        OpenPlan::CopyInstead(why) => format!("{why}; {}", copy(url, "the link", env, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_plain_and_in_tmux() {
        assert_eq!(osc52("hi", false).expect("small"), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", true).expect("small"),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        let big = "x".repeat(80_000);
        assert!(
            osc52(&big, false)
                .expect_err("too big")
                .contains("too long")
        );
    }

    #[test]
    fn over_ssh_links_are_copied_not_opened() {
        let env = Env {
            ssh: true,
            browser: Some("firefox".into()),
            ..Env::default()
        };
        assert!(matches!(open_plan(&env), OpenPlan::CopyInstead(_)));
        let mut out = Vec::new();
        let msg = open("https://a.ly/1", &env, &mut out);
        assert!(msg.starts_with("over SSH a browser would open on the remote machine; the link sent to the terminal clipboard (OSC 52)"), "{msg}");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "\x1b]52;c;aHR0cHM6Ly9hLmx5LzE=\x07"
        );
        let local = Env {
            browser: Some("firefox".into()),
            ..Env::default()
        };
        assert_eq!(open_plan(&local), OpenPlan::Browser("firefox".into()));
    }

    #[test]
    fn the_setting_decides_how_to_copy() {
        let tool = Some(vec!["xclip".to_string()]);
        let env = |setting, ssh| Env {
            setting,
            ssh,
            native: tool.clone(),
            ..Env::default()
        };
        assert_eq!(
            copy_plan(&env(Clipboard::Auto, false)),
            CopyPlan::Native(vec!["xclip".into()])
        );
        assert_eq!(
            copy_plan(&env(Clipboard::Auto, true)),
            CopyPlan::Osc52 { tmux: false }
        );
        assert_eq!(
            copy_plan(&env(Clipboard::Osc52, false)),
            CopyPlan::Osc52 { tmux: false }
        );
        assert_eq!(copy_plan(&env(Clipboard::Off, false)), CopyPlan::Off);
        let mut out = Vec::new();
        assert!(copy("x", "id", &env(Clipboard::Off, false), &mut out).contains("copying is off"));
        assert!(out.is_empty());
    }
}
