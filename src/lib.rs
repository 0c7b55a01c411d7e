//! corpus-review: review, filter and tag corpora of news reports in the terminal.

#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod corpus;
#[doc(hidden)]
pub mod generate;
pub mod keymap;
mod recent;
pub mod runtime;
pub mod search;
pub mod store;
pub mod term;
pub mod text;
pub mod ui;

use std::path::PathBuf;

/// The process is about to exit: freeing a million articles one by one would only add
/// seconds after the work is done (the answer printed, the terminal restored).
pub(crate) fn leak<T>(value: T) {
    std::mem::forget(value);
}

/// Errors that end a command with a message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Path {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no article with id {id:?} in {corpus}")]
    NotFound { id: String, corpus: String },
    #[error(
        "the interactive view needs a terminal (stdin and stdout must be a TTY).\n\
         For scripts and pipes use a headless command: `corpus-review list`, `corpus-review show ID`; see --help"
    )]
    NoTerminal,
    #[error(transparent)]
    Keymap(#[from] keymap::KeymapError),
    #[error("bad query: {0}")]
    Query(String),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot use the config directory: {0}")]
    Store(#[from] store::StoreError),
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
    #[error(
        "your locale ({0}) is not UTF-8, so the terminal would show Arabic text and the \
         frame as garbage.\nStart it with a UTF-8 locale, for example: LANG=C.UTF-8 corpus-review\n\
         (the headless commands work in any locale)"
    )]
    Locale(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Exit status: 1 when something asked for was not found, 2 for bad input or usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotFound { .. } => 1,
            _ => 2,
        }
    }
}
