//! `config.json` in the config directory: optional, validated with positions.

use serde::Deserialize;
use std::path::Path;

pub const FILE: &str = "config.json";

/// Settings an analyst can keep between sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tags on the keys 1 to 9, in order.
    pub quick_tags: Option<Vec<String>>,
    /// The name written into the journal (default: the login name).
    pub analyst: Option<String>,
    pub bidi: Option<crate::text::BidiMode>,
    /// A keymap preset name (`default`, `vim`, `emacs`) or a path to a keymap file.
    pub keymap: Option<String>,
    /// How to copy to the clipboard.
    pub clipboard: Option<Clipboard>,
    /// Watch the corpus directories for new and changed reports.
    pub watch: Option<bool>,
    /// Mouse scrolling and clicking (off leaves the terminal's own selection alone).
    pub mouse: Option<bool>,
}

/// Clipboard setting: OSC 52 through the terminal, a local tool, or nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Clipboard {
    #[default]
    Auto,
    Osc52,
    Native,
    Off,
}

/// A config file that could not be used: where, and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Read `config.json` from `dir`; a missing file is the default config.
pub fn load(dir: &Path) -> Result<Config, ConfigError> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read: {e}"),
            });
        }
    };
    parse(&text, &path.display().to_string())
}

/// Line, column and message of a serde_json error, pointing at the start of the bad
/// string rather than just past it (serde_json's habit), and without serde_json's own
/// "at line L column C" suffix.
pub fn json_error(text: &str, e: &serde_json::Error) -> (usize, usize, String) {
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    let (line, column) = (e.line(), e.column());
    let Some(line_text) = text.lines().nth(line.saturating_sub(1)) else {
        return (line, column, message);
    };
    let chars: Vec<char> = line_text.chars().collect();
    let end = column.min(chars.len());
    if end == 0 || chars[end - 1] != '"' {
        return (line, column, message);
    }
    let start = chars[..end - 1]
        .iter()
        .rposition(|&c| c == '"')
        .map_or(column, |i| i + 1);
    (line, start, message)
}

pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
    let config: Config = serde_json::from_str(text).map_err(|e| {
        let (line, column, message) = json_error(text, &e);
        ConfigError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    })?;
    let at = |needle: &str, message: String| {
        let offset = text.find(needle).unwrap_or(0);
        let before = &text[..offset];
        ConfigError {
            file: file.to_string(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message,
        }
    };
    if let Some(tags) = &config.quick_tags {
        if tags.len() > 9 {
            return Err(at(
                "\"quick_tags\"",
                format!(
                    "quick_tags: at most 9 tags (keys 1-9), found {}",
                    tags.len()
                ),
            ));
        }
        if let Some(bad) = tags
            .iter()
            .find(|t| t.trim().is_empty() || t.chars().any(char::is_control))
        {
            return Err(at(
                &format!("{bad:?}"),
                "quick_tags: a tag needs a visible name".to_string(),
            ));
        }
    }
    if config
        .analyst
        .as_deref()
        .is_some_and(|a| a.trim().is_empty())
    {
        return Err(at("\"analyst\"", "analyst: needs a name".to_string()));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_files() {
        let c = parse(
            r#"{"quick_tags": ["relevant", "noise"], "analyst": "amal"}"#,
            "c.json",
        )
        .expect("valid");
        assert_eq!(
            c.quick_tags.as_deref(),
            Some(&["relevant".to_string(), "noise".to_string()][..])
        );
        let e = parse("{\n  \"quick_tag\": []\n}", "c.json").expect_err("unknown field");
        assert_eq!((e.line, e.column), (2, 3));
        assert!(
            e.message
                .contains("expected one of `quick_tags`, `analyst`, `bidi`, `keymap`"),
            "{e}"
        );
        let e = parse("{\"clipboard\": \"x11\"}", "c.json").expect_err("bad clipboard");
        assert!(
            e.message
                .contains("expected one of `auto`, `osc52`, `native`, `off`"),
            "{e}"
        );
        let e = parse("{\"quick_tags\": [\"a\", \" \"]}", "c.json").expect_err("blank tag");
        assert!(e.to_string().starts_with("c.json:1:"), "{e}");
        let e = parse("{\"bidi\": \"sideways\"}", "c.json").expect_err("bad mode");
        assert!(
            e.message
                .contains("expected one of `app`, `terminal`, `off`"),
            "{e}"
        );
    }
}
