//! The event loop: one channel for keys, resizes, loader results and signals; `update`
//! for each, effects carried out, one draw after the backlog is drained.

use crate::app::{App, Effect, Msg};
use crate::corpus::{LoadEvent, LoadOptions, Loader};
use crate::keymap::{Key, Keymap};
use crate::search::worker::{MatchResult, Worker};
use crate::store::Store;
use crate::store::worker::{StoreEvent, StoreWorker};
use crate::term::TerminalGuard;
use crate::term::clipboard;
use crate::text::BidiMode;
use crate::ui::{self, Theme};
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

/// Everything the loop reacts to.
#[derive(Debug)]
pub enum Event {
    Term(TermEvent),
    Load(LoadEvent),
    Matched(MatchResult),
    /// Domain counts for the sources overview.
    Domains(u64, Vec<(String, usize)>),
    Store(StoreEvent),
    Watch(crate::corpus::watch::WatchEvent),
    Signal(i32),
    /// The terminal's input ended (the connection dropped).
    InputClosed,
}

/// Settings for an interactive session.
pub struct Session {
    pub load: LoadOptions,
    pub keymap: Arc<Keymap>,
    pub bidi: BidiMode,
    pub theme: Theme,
    /// Opened but not read yet (`Store::open_unread`): its thread reads it.
    pub store: Store,
    pub quick_tags: Vec<String>,
    pub clipboard: crate::config::Clipboard,
    /// Look for new, changed and deleted reports while running.
    pub watch: bool,
    /// Scroll and click with the mouse.
    pub mouse: bool,
}

/// How often watched corpus paths are looked at again.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// How long the selection must rest before the detail pane follows it.
const DETAIL_DELAY: Duration = Duration::from_millis(90);
/// How often loading alone redraws the screen (progress, counts).
const LOAD_FRAME: Duration = Duration::from_millis(50);

/// How long quitting waits for the last changes to reach the disk.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// The interactive view needs a terminal on both ends, speaking UTF-8.
pub fn require_terminal() -> Result<(), crate::Error> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(crate::Error::NoTerminal);
    }
    if let Some(locale) = crate::term::non_utf8_locale() {
        return Err(crate::Error::Locale(locale));
    }
    Ok(())
}

/// Run the TUI until the user quits or a signal ends it; returns the exit status.
pub fn run(session: Session) -> Result<i32, crate::Error> {
    require_terminal()?;
    session.load.check()?;
    let (tx, rx) = mpsc::channel();
    spawn_signal_thread(tx.clone())?;

    let guard = TerminalGuard::enter_with(session.bidi == BidiMode::App, session.mouse)
        .map_err(crate::Error::Terminal)?;
    let backend = CrosstermBackend::new(std::io::stdout());
    let mut terminal = Terminal::new(backend).map_err(crate::Error::Terminal)?;
    let size = terminal.size().map_err(crate::Error::Terminal)?;

    let mut app = App::new(
        session.keymap.clone(),
        session.bidi,
        session.load.describe(),
    );
    // The store thread reads the saved tags and sends them (`StoreEvent::Opened`).
    app.tags_loading = true;
    app.quick_tags.clone_from(&session.quick_tags);
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    // The first frame goes out before any file is read.
    terminal
        .draw(|f| ui::render(&app, session.theme, f))
        .map_err(crate::Error::Terminal)?;

    let input = Input::spawn(tx.clone());
    let match_tx = tx.clone();
    let worker = Worker::spawn(move |result| {
        let _ = match_tx.send(Event::Matched(result));
    });
    let store_tx = tx.clone();
    let store = StoreWorker::spawn(session.store, move |event| {
        let _ = store_tx.send(Event::Store(event));
    });
    let loader = Loader::new(session.load.clone());
    let cancel = loader.cancel_flag();
    let load_tx = tx.clone();
    let watch = session
        .watch
        .then(|| (session.load.clone(), tx.clone(), cancel.clone()));
    loader.spawn(move |e| {
        // Once the load is done, watching starts from exactly the files it read.
        if let (LoadEvent::Finished(summary), Some((options, tx, stop))) = (&e, &watch) {
            let tx = tx.clone();
            crate::corpus::watch::spawn(
                options.clone(),
                summary.seen.clone(),
                WATCH_EVERY,
                stop.clone(),
                move |w| {
                    let _ = tx.send(Event::Watch(w));
                },
            );
        }
        let _ = load_tx.send(Event::Load(e));
    });

    let workers = Workers {
        matcher: worker,
        store,
        clipboard: clipboard::Env::detect(session.clipboard),
        cancel_load: cancel.clone(),
        events: tx,
    };
    let code = event_loop(&mut app, &mut terminal, &rx, session.theme, &workers);
    cancel.store(true, Ordering::Relaxed);
    // Every confirmed change is already on disk; this saves what is still in flight (none
    // before the saved tags are read: no change is made until then, and a store that
    // cannot read them does not answer).
    let unsaved = if app.tags_loading {
        0
    } else {
        workers.store.flush(FLUSH_TIMEOUT)
    };
    input.stop();
    drop(guard);
    for notice in &app.store_notices {
        eprintln!("corpus-review: {notice}");
    }
    if unsaved > 0 && unsaved != usize::MAX {
        eprintln!(
            "corpus-review: {unsaved} change(s) could not be saved: {}",
            app.save_error.as_deref().unwrap_or("unknown error")
        );
    }
    // Quitting a million articles took two seconds of freeing after the screen was back.
    crate::leak(app);
    code
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    rx: &Receiver<Event>,
    theme: Theme,
    workers: &Workers,
) -> Result<i32, crate::Error> {
    let mut last_draw = Instant::now();
    // A frame that only loading asked for, put off until LOAD_FRAME after the last.
    let mut draw_due = false;
    loop {
        // While the detail pane lags behind the selection, or a frame is put off, wait
        // only briefly for input.
        let frame_wait = draw_due.then(|| LOAD_FRAME.saturating_sub(last_draw.elapsed()));
        // A long article is laid out a step at a time whenever no input is waiting.
        let detail_wait = if app.detail_due {
            Some(DETAIL_DELAY)
        } else {
            app.detail_pending().then_some(Duration::ZERO)
        };
        let wait = frame_wait.into_iter().chain(detail_wait).min();
        let first = match wait {
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(e) => Some(e),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(0),
            },
            None => match rx.recv() {
                Ok(e) => Some(e),
                Err(_) => return Ok(0),
            },
        };
        let Some(first) = first else {
            if detail_wait.is_some() && detail_wait == wait {
                app.update(Msg::Tick);
            }
            terminal
                .draw(|f| ui::render(app, theme, f))
                .map_err(crate::Error::Terminal)?;
            (last_draw, draw_due) = (Instant::now(), false);
            continue;
        };
        let mut dirty = false;
        // Anything but a loaded batch is drawn at once.
        let mut urgent = false;
        let mut next = Some(first);
        while let Some(event) = next {
            urgent |= !matches!(event, Event::Load(_));
            match handle(app, event, workers) {
                Step::Continue(changed) => dirty |= changed,
                Step::Exit(code) => return Ok(code),
                Step::Suspend => {
                    crate::term::suspend().map_err(crate::Error::Terminal)?;
                    // Back from `fg`: the screen may hold anything. Clear it and forget the
                    // last frame so the next one is drawn whole (ratatui's own clear() asks
                    // the terminal for the cursor, an answer the input thread would eat).
                    crossterm::execute!(
                        std::io::stdout(),
                        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
                    )
                    .map_err(crate::Error::Terminal)?;
                    terminal.swap_buffers();
                    dirty = true;
                }
            }
            next = rx.try_recv().ok();
        }
        // A large load hands on a batch every few milliseconds: a frame for each took a
        // core's worth of the load's time.
        if dirty && !urgent && last_draw.elapsed() < LOAD_FRAME {
            draw_due = true;
        } else if dirty || draw_due {
            terminal
                .draw(|f| ui::render(app, theme, f))
                .map_err(crate::Error::Terminal)?;
            (last_draw, draw_due) = (Instant::now(), false);
        }
    }
}

enum Step {
    Continue(bool),
    Exit(i32),
    Suspend,
}

/// The threads the loop sends work to.
struct Workers {
    matcher: Worker,
    store: StoreWorker,
    clipboard: clipboard::Env,
    cancel_load: Arc<AtomicBool>,
    /// For work done on the pool to report back.
    events: Sender<Event>,
}

fn handle(app: &mut App, event: Event, workers: &Workers) -> Step {
    let msg = match event {
        Event::Term(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            match Key::from_event(&key) {
                Some(key) => Msg::Key(key),
                None => return Step::Continue(false),
            }
        }
        Event::Term(TermEvent::Resize(width, height)) => Msg::Resize { width, height },
        Event::Term(TermEvent::Mouse(m)) => {
            use crossterm::event::{MouseButton, MouseEventKind};
            let kind = match m.kind {
                MouseEventKind::ScrollDown => crate::app::MouseKind::ScrollDown,
                MouseEventKind::ScrollUp => crate::app::MouseKind::ScrollUp,
                MouseEventKind::Down(MouseButton::Left) => crate::app::MouseKind::Click,
                _ => return Step::Continue(false),
            };
            Msg::Mouse {
                kind,
                column: m.column,
                row: m.row,
            }
        }
        Event::Term(_) => return Step::Continue(false),
        Event::Load(e) => Msg::Load(e),
        Event::Matched(result) => Msg::Matched(result),
        Event::Domains(request, counts) => Msg::Domains { request, counts },
        Event::Store(event) => Msg::Store(event),
        Event::Watch(event) => Msg::Watch(event),
        Event::Signal(sig) => return Step::Exit(128 + sig),
        Event::InputClosed => return Step::Exit(128 + SIGHUP),
    };
    for effect in app.update(msg) {
        match effect {
            Effect::Quit => return Step::Exit(0),
            Effect::Suspend => return Step::Suspend,
            Effect::CancelLoad => workers.cancel_load.store(true, Ordering::Relaxed),
            Effect::Copy { text, what } => {
                let message =
                    clipboard::copy(&text, &what, &workers.clipboard, &mut std::io::stdout());
                app.update(Msg::Notice(message));
            }
            Effect::Open { url } => {
                let message = clipboard::open(&url, &workers.clipboard, &mut std::io::stdout());
                app.update(Msg::Notice(message));
            }
            Effect::Match(request) => workers.matcher.request(request),
            Effect::CountDomains(count) => {
                let events = workers.events.clone();
                rayon::spawn(move || {
                    let counts = count.run();
                    let _ = events.send(Event::Domains(count.request, counts));
                });
            }
            Effect::Save(id, request) => workers.store.save(id, request),
        }
    }
    Step::Continue(true)
}

/// The thread reading the terminal. It is stopped before the terminal is handed back:
/// a blocked read would otherwise take the first line typed at the shell after quitting.
struct Input {
    stop: Arc<AtomicBool>,
    /// Disconnected when the thread has ended.
    ended: Receiver<()>,
}

/// How often the input thread looks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(50);

impl Input {
    fn spawn(tx: Sender<Event>) -> Input {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let (ending, ended) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("input".into())
            .spawn(move || {
                let _ending = ending;
                while !stopped.load(Ordering::Relaxed) {
                    let event = match event::poll(INPUT_POLL) {
                        Ok(false) => continue,
                        Ok(true) => match event::read() {
                            Ok(e) => Event::Term(e),
                            Err(_) => Event::InputClosed,
                        },
                        Err(_) => Event::InputClosed,
                    };
                    let closed = matches!(event, Event::InputClosed);
                    if tx.send(event).is_err() || closed {
                        return;
                    }
                }
            })
            .expect("the input thread can be started");
        Input { stop, ended }
    }

    /// Ask the thread to stop and give it a little time. Not more: on a terminal that
    /// has hung up (a dropped SSH connection), crossterm's poll spins without returning.
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.ended.recv_timeout(4 * INPUT_POLL);
    }
}

/// SIGTERM, SIGHUP and SIGQUIT end the session through the normal quit path. SIGINT too,
/// though in raw mode Ctrl-C arrives as a key.
fn spawn_signal_thread(tx: Sender<Event>) -> Result<(), crate::Error> {
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if tx.send(Event::Signal(sig)).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}
