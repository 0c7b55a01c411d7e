//! The one display path for article text: sanitize, shape, wrap, reorder.

pub mod bidi;
mod forms;
mod layout;
mod sanitize;
pub mod shape;

pub use layout::{Glyph, VisualLine, layout_line, wrap_paragraph};
pub use sanitize::{is_bidi_control, is_safe_symbol, placeholder, sanitize, without_bidi_controls};

/// `text` as a bidi isolate (FSI … PDI): user text inside interface strings keeps its
/// own direction and cannot reorder the words around it ("/المجلس: 12 of 40" would
/// otherwise show the count inside the Arabic). The marks are never drawn.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// How text is ordered for the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BidiMode {
    /// Shape Arabic and reorder each line ourselves (terminals without bidi support).
    #[default]
    App,
    /// Logical order, shaped: for terminals that reorder by themselves (mlterm, Konsole).
    Terminal,
    /// Logical order, unshaped.
    Off,
}
