//! The terminal: raw mode and the alternate screen, restored on every way out.

pub mod clipboard;

use crossterm::{cursor, execute, terminal};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static VTE_EXPLICIT: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);

/// `CSI 8 l`: VTE's explicit bidi mode (it must not reorder what we already ordered).
const BIDI_EXPLICIT: &str = "\x1b[8l";
/// `CSI 8 h`: back to VTE's default, implicit mode.
const BIDI_IMPLICIT: &str = "\x1b[8h";

/// Restores the terminal when dropped (normal exit and unwinding alike).
pub struct TerminalGuard;

impl TerminalGuard {
    /// Enter raw mode and the alternate screen; `explicit_bidi` asks VTE not to reorder.
    pub fn enter(explicit_bidi: bool) -> std::io::Result<TerminalGuard> {
        TerminalGuard::enter_with(explicit_bidi, false)
    }

    /// Also report the mouse (wheel and clicks) when `mouse` is set.
    pub fn enter_with(explicit_bidi: bool, mouse: bool) -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        take(explicit_bidi, mouse)?;
        Ok(TerminalGuard)
    }
}

/// Raw mode, the alternate screen, and the modes asked for; recorded so `restore` undoes
/// exactly these.
fn take(explicit_bidi: bool, mouse: bool) -> std::io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = std::io::stdout();
    execute!(out, terminal::EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        MOUSE.store(true, Ordering::SeqCst);
        execute!(out, crossterm::event::EnableMouseCapture)?;
    }
    if explicit_bidi {
        VTE_EXPLICIT.store(true, Ordering::SeqCst);
        out.write_all(BIDI_EXPLICIT.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Ctrl-Z: hand the terminal back, stop until `fg`, then take it again. The caller
/// redraws everything afterwards.
pub fn suspend() -> std::io::Result<()> {
    let explicit = VTE_EXPLICIT.load(Ordering::SeqCst);
    let mouse = MOUSE.load(Ordering::SeqCst);
    restore();
    signal_hook::low_level::raise(signal_hook::consts::signal::SIGTSTP)?;
    // Running again (SIGCONT).
    take(explicit, mouse)
}

/// The locale's character set, when it is known not to be UTF-8 (`LANG=C`,
/// `en_US.ISO-8859-1`): the terminal would show Arabic and box drawing as garbage.
pub fn non_utf8_locale() -> Option<String> {
    // The first of these that is set decides, as in setlocale(3).
    let (name, value) = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|n| {
        std::env::var(n)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (*n, v))
    })?;
    let lower = value.to_ascii_lowercase();
    (!lower.contains("utf-8") && !lower.contains("utf8")).then(|| format!("{name}={value}"))
}

/// Leave the alternate screen and raw mode; safe to call more than once and when the
/// terminal has gone away (errors are ignored: there is nobody left to tell).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, crossterm::event::DisableMouseCapture);
    }
    if VTE_EXPLICIT.swap(false, Ordering::SeqCst) {
        let _ = out.write_all(BIDI_IMPLICIT.as_bytes());
    }
    let _ = execute!(out, cursor::Show, terminal::LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let main_thread = std::thread::current().name() == Some("main");
        if main_thread {
            // Restore first so the message lands on the normal screen, readable.
            restore();
        } else if ACTIVE.load(Ordering::SeqCst) {
            // A worker's panic is caught and reported where it happened; printing it here
            // would scribble over the screen the UI is still drawing.
            return;
        }
        previous(info);
    }));
}
