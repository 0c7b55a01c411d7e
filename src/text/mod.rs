//! The one display path for article text: sanitize, shape, wrap, reorder.

pub mod bidi;
mod forms;
mod layout;
mod sanitize;
pub mod shape;

pub use layout::{Glyph, VisualLine, layout_line, wrap_paragraph};
pub use sanitize::{
    is_bidi_control, is_safe_symbol, placeholder, sanitize, sanitize_path, without_bidi_controls,
};

/// `text` as a bidi isolate (FSI … PDI): user text inside interface strings keeps its
/// own direction and cannot reorder the words around it ("/المجلس: 12 of 40" would
/// otherwise show the count inside the Arabic). The marks are never drawn.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `str::lines` with a vectorized newline search: the loader splits every byte of the
/// corpus into lines.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest.filter(|t| !t.is_empty())?;
        Some(match memchr::memchr(b'\n', text.as_bytes()) {
            Some(i) => {
                rest = Some(&text[i + 1..]);
                let line = &text[..i];
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => {
                rest = None;
                text
            }
        })
    })
}

/// How text is ordered for the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum, serde::Deserialize)]
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

#[cfg(test)]
mod tests {
    #[test]
    fn lines_split_as_str_lines_does() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n",
            "a\r",
            "a\rb\r\n\r\nc",
            "\r\n",
            "سطر\nline\r\n\nآخر",
        ] {
            let ours: Vec<&str> = super::lines(text).collect();
            let std: Vec<&str> = text.lines().collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }
}
