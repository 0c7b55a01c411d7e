//! Test helper: enters the TUI's terminal mode and panics, to check the terminal is restored.

fn main() {
    let _guard = corpus_review::term::TerminalGuard::enter(true).expect("a terminal");
    print!("drawing something");
    panic!("deliberate panic inside the TUI");
}
