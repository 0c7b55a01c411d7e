//! Actions, key strings, and keymap files mapping (mode, key) to an action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The bundled default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../keymaps/default.json");

/// Everything a key can do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    ShowWarnings,
    Close,
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    First,
    Last,
    FocusDetail,
    FocusList,
    ScrollDown,
    ScrollUp,
    ScrollPageDown,
    ScrollPageUp,
    ScrollTop,
    ScrollBottom,
    NextArticle,
    PrevArticle,
    OpenFilter,
    FilterAccept,
    FilterCancel,
    ClearFilter,
    ToggleScope,
    ToggleOrder,
    DeleteBack,
    DeleteWord,
    ClearInput,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    Suspend,
    Interrupt,
    NextSource,
    PrevSource,
    JumpSource,
    OpenSource,
    CopyUrl,
    CopySources,
    CopyId,
    SourcesOverview,
    OpenTagPicker,
    ToggleReviewed,
    NextUnreviewed,
    ToggleMark,
    MarkAll,
    ClearMarks,
    EditNote,
    Undo,
    Redo,
    Accept,
    Confirm,
    Cancel,
    #[serde(rename = "quick_tag_1")]
    QuickTag1,
    #[serde(rename = "quick_tag_2")]
    QuickTag2,
    #[serde(rename = "quick_tag_3")]
    QuickTag3,
    #[serde(rename = "quick_tag_4")]
    QuickTag4,
    #[serde(rename = "quick_tag_5")]
    QuickTag5,
    #[serde(rename = "quick_tag_6")]
    QuickTag6,
    #[serde(rename = "quick_tag_7")]
    QuickTag7,
    #[serde(rename = "quick_tag_8")]
    QuickTag8,
    #[serde(rename = "quick_tag_9")]
    QuickTag9,
    #[serde(rename = "tag_and_advance_1")]
    TagAndAdvance1,
    #[serde(rename = "tag_and_advance_2")]
    TagAndAdvance2,
    #[serde(rename = "tag_and_advance_3")]
    TagAndAdvance3,
    #[serde(rename = "tag_and_advance_4")]
    TagAndAdvance4,
    #[serde(rename = "tag_and_advance_5")]
    TagAndAdvance5,
    #[serde(rename = "tag_and_advance_6")]
    TagAndAdvance6,
    #[serde(rename = "tag_and_advance_7")]
    TagAndAdvance7,
    #[serde(rename = "tag_and_advance_8")]
    TagAndAdvance8,
    #[serde(rename = "tag_and_advance_9")]
    TagAndAdvance9,
}

impl Action {
    /// The name used in keymap files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show this help",
            Action::ShowWarnings => "show load warnings",
            Action::Close => "close the overlay",
            Action::MoveDown => "next article",
            Action::MoveUp => "previous article",
            Action::PageDown => "one page down",
            Action::PageUp => "one page up",
            Action::First => "first article",
            Action::Last => "last article",
            Action::FocusDetail => "read the selected article",
            Action::FocusList => "back to the list",
            Action::ScrollDown => "scroll down a line",
            Action::ScrollUp => "scroll up a line",
            Action::ScrollPageDown => "scroll down a page",
            Action::ScrollPageUp => "scroll up a page",
            Action::ScrollTop => "scroll to the top",
            Action::ScrollBottom => "scroll to the end",
            Action::NextArticle => "next article, keep reading",
            Action::PrevArticle => "previous article, keep reading",
            Action::OpenFilter => "filter the list (type to narrow)",
            Action::FilterAccept => "keep the filter, back to the list",
            Action::FilterCancel => "clear the filter, back to the list",
            Action::ClearFilter => "clear the filter",
            Action::ToggleScope => "search titles or whole articles",
            Action::ToggleOrder => "rank by score or keep corpus order",
            Action::DeleteBack => "delete the character before the cursor",
            Action::DeleteWord => "delete the word before the cursor",
            Action::ClearInput => "delete the whole filter",
            Action::CursorLeft => "cursor left",
            Action::CursorRight => "cursor right",
            Action::CursorHome => "cursor to the start",
            Action::CursorEnd => "cursor to the end",
            Action::Suspend => "suspend (fg resumes)",
            Action::Interrupt => "stop a load in progress; otherwise quit",
            Action::NextSource => "next source (highlights what it backs)",
            Action::PrevSource => "previous source",
            Action::JumpSource => "jump from a paragraph to its source and back",
            Action::OpenSource => "open the source (over SSH: copy it)",
            Action::CopyUrl => "copy the source link",
            Action::CopySources => "copy all the article's source links",
            Action::CopyId => "copy the article id",
            Action::SourcesOverview => "domains of the listed articles; Enter filters by one",
            Action::OpenTagPicker => "add or remove tags (marked articles, or this one)",
            Action::ToggleReviewed => "mark reviewed / not reviewed",
            Action::NextUnreviewed => "next unreviewed article",
            Action::ToggleMark => "mark for a bulk change",
            Action::MarkAll => "mark every listed article (again: clear)",
            Action::ClearMarks => "clear all marks",
            Action::EditNote => "write a note",
            Action::Undo => "undo the last change",
            Action::Redo => "redo",
            Action::Accept => "apply and close",
            Action::Confirm => "yes",
            Action::Cancel => "no, close",
            a => match a.quick_tag() {
                Some((n, false)) => QUICK_TAG_DESCRIPTIONS[n - 1],
                Some((n, true)) => TAG_AND_ADVANCE_DESCRIPTIONS[n - 1],
                None => "",
            },
        }
    }

    /// Quick tag slot (1-9) and whether to move on to the next unreviewed article.
    pub fn quick_tag(self) -> Option<(usize, bool)> {
        use Action::*;
        let slots = [
            (QuickTag1, 1, false),
            (QuickTag2, 2, false),
            (QuickTag3, 3, false),
            (QuickTag4, 4, false),
            (QuickTag5, 5, false),
            (QuickTag6, 6, false),
            (QuickTag7, 7, false),
            (QuickTag8, 8, false),
            (QuickTag9, 9, false),
            (TagAndAdvance1, 1, true),
            (TagAndAdvance2, 2, true),
            (TagAndAdvance3, 3, true),
            (TagAndAdvance4, 4, true),
            (TagAndAdvance5, 5, true),
            (TagAndAdvance6, 6, true),
            (TagAndAdvance7, 7, true),
            (TagAndAdvance8, 8, true),
            (TagAndAdvance9, 9, true),
        ];
        slots
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|&(_, n, advance)| (n, advance))
    }
}

const QUICK_TAG_DESCRIPTIONS: [&str; 9] = [
    "toggle quick tag 1",
    "toggle quick tag 2",
    "toggle quick tag 3",
    "toggle quick tag 4",
    "toggle quick tag 5",
    "toggle quick tag 6",
    "toggle quick tag 7",
    "toggle quick tag 8",
    "toggle quick tag 9",
];
const TAG_AND_ADVANCE_DESCRIPTIONS: [&str; 9] = [
    "quick tag 1, then next unreviewed",
    "quick tag 2, then next unreviewed",
    "quick tag 3, then next unreviewed",
    "quick tag 4, then next unreviewed",
    "quick tag 5, then next unreviewed",
    "quick tag 6, then next unreviewed",
    "quick tag 7, then next unreviewed",
    "quick tag 8, then next unreviewed",
    "quick tag 9, then next unreviewed",
];

/// Where keys are looked up; `Global` applies in every mode after the mode's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Global,
    List,
    Detail,
    Filter,
    TagPicker,
    Note,
    Confirm,
    Sources,
    Help,
    Warnings,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Detail => "detail",
            Mode::Filter => "filter",
            Mode::TagPicker => "tag_picker",
            Mode::Note => "note",
            Mode::Confirm => "confirm",
            Mode::Sources => "sources",
            Mode::Help => "help",
            Mode::Warnings => "warnings",
        }
    }

    /// Modes with a line of text: unbound printable keys are typed into it.
    pub fn takes_text(self) -> bool {
        matches!(self, Mode::Filter | Mode::TagPicker | Mode::Note)
    }

    /// Overlays and the filter line take only their own keys: in the filter every
    /// unbound printable key is text.
    fn uses_global(self) -> bool {
        !matches!(
            self,
            Mode::Help
                | Mode::Warnings
                | Mode::Filter
                | Mode::TagPicker
                | Mode::Note
                | Mode::Confirm
                | Mode::Sources
        )
    }
}

/// A key with modifiers, normalised so that `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyName,
    pub ctrl: bool,
    pub alt: bool,
}

/// Key codes we bind; characters are stored as typed (case matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

const NAMED: &[(&str, KeyName)] = &[
    ("enter", KeyName::Enter),
    ("esc", KeyName::Esc),
    ("tab", KeyName::Tab),
    ("backtab", KeyName::BackTab),
    ("backspace", KeyName::Backspace),
    ("delete", KeyName::Delete),
    ("insert", KeyName::Insert),
    ("up", KeyName::Up),
    ("down", KeyName::Down),
    ("left", KeyName::Left),
    ("right", KeyName::Right),
    ("home", KeyName::Home),
    ("end", KeyName::End),
    ("pageup", KeyName::PageUp),
    ("pagedown", KeyName::PageDown),
    ("space", KeyName::Char(' ')),
];

impl Key {
    /// From a terminal key event; `None` for keys we never bind (media keys, releases).
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyName::BackTab,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::Insert => KeyName::Insert,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parse `j`, `G`, `ctrl-d`, `alt-x`, `shift-tab`, `pagedown`, `f1`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if shift => KeyName::Char(c.to_uppercase().next().unwrap_or(c)),
            (Some(c), None) => KeyName::Char(c),
            _ => {
                if let Some((_, k)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    if shift && *k == KeyName::Tab {
                        KeyName::BackTab
                    } else if shift {
                        return Err(format!(
                            "shift- only goes with a letter or tab, not {rest:?}"
                        ));
                    } else {
                        *k
                    }
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=24).contains(&n) {
                        return Err(format!("no function key {rest:?}"));
                    }
                    KeyName::F(n)
                } else {
                    return Err(format!(
                        "unknown key {s:?}: expected a single character, or {} or f1..f24, with optional ctrl-, alt-, shift-",
                        NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        };
        // Control characters arrive as ctrl + lowercase letter.
        let code = match code {
            KeyName::Char(c) if ctrl => KeyName::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::BackTab => f.write_str("shift-tab"),
            KeyName::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, k)| *k == other)
                    .map_or("?", |(n, _)| *n);
                f.write_str(name)
            }
        }
    }
}

/// A keymap failed to load: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A key or a sequence of keys (`"g g"`, `"ctrl-x ctrl-c"`).
pub type KeySeq = Vec<Key>;

fn seq_to_string(seq: &[Key]) -> String {
    seq.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bundled presets, by name.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", DEFAULT_KEYMAP),
    ("vim", include_str!("../keymaps/vim.json")),
    ("emacs", include_str!("../keymaps/emacs.json")),
];

/// What a key does, given the keys already pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// The keys so far start a sequence: wait for the next one.
    Pending,
    Unbound,
}

/// Bindings per mode.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    modes: HashMap<Mode, HashMap<KeySeq, Action>>,
}

/// One binding as written in a file, with where it was written.
struct Written {
    mode: Mode,
    keys: String,
    action: Option<Action>,
    line: usize,
    column: usize,
}

/// Object keys of a JSON text with their nesting depth and position, in document order.
/// Duplicated keys are kept (serde_json's maps drop them), so conflicts can be reported.
fn object_keys(text: &str) -> Vec<(usize, String, usize, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut i, mut line, mut line_start) = (0usize, 0usize, 1usize, 0usize);
    let mut out = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let raw = &text[start..(i + 1).min(text.len())];
                let rest = text[(i + 1).min(text.len())..].trim_start();
                if rest.starts_with(':') {
                    let column = text[line_start..start].chars().count() + 1;
                    let key = serde_json::from_str::<String>(raw).unwrap_or_default();
                    out.push((depth, key, line, column));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn read_file(text: &str, file: &str) -> Result<Vec<Written>, KeymapError> {
    let fail = |line, column, message: String| KeymapError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    // Types first (modes and action names, with serde's "expected one of" lists)...
    let raw: BTreeMap<Mode, BTreeMap<String, Option<Action>>> = serde_json::from_str(text)
        .map_err(|e| {
            let (line, column, message) = crate::config::json_error(text, &e);
            fail(line, column, message)
        })?;
    // ...then every binding in file order, duplicates included.
    let mut out = Vec::new();
    let mut mode = None;
    for (depth, key, line, column) in object_keys(text) {
        match depth {
            1 => {
                let m: Mode = serde_json::from_value(serde_json::Value::String(key.clone()))
                    .map_err(|e| fail(line, column, e.to_string()))?;
                if out.iter().any(|w: &Written| w.mode == m) || mode == Some(m) {
                    return Err(fail(
                        line,
                        column,
                        format!("mode {key:?} appears twice; put its keys in one object"),
                    ));
                }
                mode = Some(m);
            }
            2 => {
                let Some(m) = mode else { continue };
                let action = raw.get(&m).and_then(|b| b.get(&key)).copied().flatten();
                out.push(Written {
                    mode: m,
                    keys: key,
                    action,
                    line,
                    column,
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

impl Keymap {
    /// The bundled default keymap.
    pub fn default_keymap() -> Keymap {
        Keymap::parse(DEFAULT_KEYMAP, "keymaps/default.json")
            .expect("the bundled keymap is valid (checked by a test)")
    }

    /// A bundled preset by name.
    pub fn preset(name: &str) -> Option<Keymap> {
        PRESETS.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Keymap::parse(text, &format!("keymaps/{n}.json")).expect("bundled presets are valid")
        })
    }

    /// Parse a keymap file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        keymap.merge(text, file)?;
        Ok(keymap)
    }

    /// Apply a file over this keymap, key by key; `null` removes a binding.
    pub fn merge(&mut self, text: &str, file: &str) -> Result<(), KeymapError> {
        let written = read_file(text, file)?;
        let mut seen: HashMap<(Mode, KeySeq), (usize, usize, String)> = HashMap::new();
        for w in written {
            let fail = |message: String| KeymapError {
                file: file.to_string(),
                line: w.line,
                column: w.column,
                message: format!("in mode {:?}: {message}", w.mode.as_str()),
            };
            let keys: KeySeq = w
                .keys
                .split_whitespace()
                .map(Key::parse)
                .collect::<Result<_, _>>()
                .map_err(fail)?;
            if keys.is_empty() {
                return Err(fail("an empty key".to_string()));
            }
            if let Some((line, column, first)) = seen.get(&(w.mode, keys.clone())) {
                return Err(fail(format!(
                    "{:?} is bound twice (first as {first:?} at {line}:{column}); one key, one action",
                    w.keys
                )));
            }
            seen.insert((w.mode, keys.clone()), (w.line, w.column, w.keys.clone()));
            let table = self.modes.entry(w.mode).or_default();
            match w.action {
                Some(a) => {
                    table.insert(keys, a);
                }
                None => {
                    table.remove(&keys);
                }
            }
        }
        // A key that both acts and starts a sequence could never reach the sequence.
        for (mode, table) in &self.modes {
            for seq in table.keys().filter(|s| s.len() > 1) {
                for n in 1..seq.len() {
                    if table.contains_key(&seq[..n]) {
                        let (line, column, _) = seen
                            .get(&(*mode, seq.clone()))
                            .cloned()
                            .unwrap_or((1, 1, String::new()));
                        return Err(KeymapError {
                            file: file.to_string(),
                            line,
                            column,
                            message: format!(
                                "in mode {:?}: {:?} is bound, so the sequence {:?} can never be typed",
                                mode.as_str(),
                                seq_to_string(&seq[..n]),
                                seq_to_string(seq)
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn tables(&self, mode: Mode) -> impl Iterator<Item = &HashMap<KeySeq, Action>> {
        let own = self.modes.get(&mode);
        let global = mode
            .uses_global()
            .then(|| self.modes.get(&Mode::Global))
            .flatten();
        own.into_iter().chain(global)
    }

    /// What `key` does after `pending` keys in `mode`: the mode's bindings first, then
    /// the global ones. With the Arabic layout active, a letter that is not bound as
    /// typed acts as the US key in the same place (`ت` is `j`).
    pub fn resolve(&self, mode: Mode, pending: &[Key], key: Key) -> Resolved {
        let mut seq = pending.to_vec();
        seq.push(key);
        for table in self.tables(mode) {
            if let Some(a) = table.get(&seq) {
                return Resolved::Action(*a);
            }
        }
        if self
            .tables(mode)
            .any(|t| t.keys().any(|k| k.len() > seq.len() && k.starts_with(&seq)))
        {
            return Resolved::Pending;
        }
        if !pending.is_empty() {
            // The sequence broke off: the key counts on its own.
            return self.resolve(mode, &[], key);
        }
        let us = match key.code {
            KeyName::Char(c) if !mode.takes_text() => us_key_for_arabic(c),
            _ => None,
        };
        match us {
            Some(us) => self.resolve(
                mode,
                pending,
                Key {
                    code: KeyName::Char(us),
                    ..key
                },
            ),
            None => Resolved::Unbound,
        }
    }

    /// The action for a single key (no sequence).
    pub fn lookup(&self, mode: Mode, key: &Key) -> Option<Action> {
        match self.resolve(mode, &[], *key) {
            Resolved::Action(a) => Some(a),
            _ => None,
        }
    }

    /// Bindings of a mode, grouped by action, in a stable order (for help and docs).
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<String>)> {
        let mut by_action: BTreeMap<Action, Vec<KeySeq>> = BTreeMap::new();
        if let Some(table) = self.modes.get(&mode) {
            for (keys, action) in table {
                by_action.entry(*action).or_default().push(keys.clone());
            }
        }
        by_action
            .into_iter()
            .map(|(a, mut seqs)| {
                seqs.sort();
                (a, seqs.iter().map(|s| seq_to_string(s)).collect())
            })
            .collect()
    }

    /// Modes with bindings, in display order.
    pub fn modes(&self) -> Vec<Mode> {
        let mut modes: Vec<Mode> = self
            .modes
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(m, _)| *m)
            .collect();
        modes.sort();
        modes
    }

    /// True when some key in `mode` (or globally) does `action`.
    pub fn binds(&self, mode: Mode, action: Action) -> bool {
        self.tables(mode).any(|t| t.values().any(|a| *a == action))
    }
}

/// The US-layout key in the same place as an Arabic (101) layout character.
pub fn us_key_for_arabic(c: char) -> Option<char> {
    const LAYOUT: &[(char, char)] = &[
        ('ض', 'q'),
        ('ص', 'w'),
        ('ث', 'e'),
        ('ق', 'r'),
        ('ف', 't'),
        ('غ', 'y'),
        ('ع', 'u'),
        ('ه', 'i'),
        ('خ', 'o'),
        ('ح', 'p'),
        ('ج', '['),
        ('د', ']'),
        ('ش', 'a'),
        ('س', 's'),
        ('ي', 'd'),
        ('ب', 'f'),
        ('ل', 'g'),
        ('ا', 'h'),
        ('ت', 'j'),
        ('ن', 'k'),
        ('م', 'l'),
        ('ك', ';'),
        ('ط', '\''),
        ('ئ', 'z'),
        ('ء', 'x'),
        ('ؤ', 'c'),
        ('ر', 'v'),
        ('ى', 'n'),
        ('ة', 'm'),
        ('و', ','),
        ('ز', '.'),
        ('ظ', '/'),
        ('ذ', '`'),
        ('؟', '?'),
        ('ـ', 'J'),
        ('آ', 'N'),
        ('’', 'M'),
        ('ْ', 'X'),
        ('ً', 'Q'),
        ('ٌ', 'W'),
        ('َ', 'E'),
        ('ُ', 'R'),
        ('ِ', 'A'),
        ('ٍ', 'S'),
        ('ّ', '~'),
        ('٠', '0'),
        ('١', '1'),
        ('٢', '2'),
        ('٣', '3'),
        ('٤', '4'),
        ('٥', '5'),
        ('٦', '6'),
        ('٧', '7'),
        ('٨', '8'),
        ('٩', '9'),
    ];
    LAYOUT.iter().find(|(a, _)| *a == c).map(|(_, us)| *us)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).expect("valid key")
    }

    #[test]
    fn key_strings() {
        assert_eq!(key("j").code, KeyName::Char('j'));
        assert_eq!(key("G").code, KeyName::Char('G'));
        assert_eq!(key("shift-g"), key("G"));
        assert_eq!(key("shift-tab").code, KeyName::BackTab);
        assert!(key("ctrl-d").ctrl);
        assert_eq!(key("ctrl-D"), key("ctrl-d"));
        assert_eq!(key("pagedown").code, KeyName::PageDown);
        assert_eq!(key("space").code, KeyName::Char(' '));
        assert_eq!(key("f5").code, KeyName::F(5));
        assert_eq!(key("-").code, KeyName::Char('-'));
        assert!(Key::parse("ctrl-").is_err() || key("ctrl-").code == KeyName::Char('-'));
        assert!(Key::parse("hyper-x").is_err());
        for s in [
            "j",
            "G",
            "ctrl-d",
            "shift-tab",
            "pagedown",
            "space",
            "f5",
            "alt-x",
        ] {
            assert_eq!(key(&key(s).to_string()), key(s), "{s}");
        }
    }

    #[test]
    fn events_normalise_shift() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("G")));
        let ev = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("shift-tab")));
        let ev = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&ev), Some(key("ctrl-d")));
    }

    #[test]
    fn default_keymap_binds_the_basics() {
        let km = Keymap::default_keymap();
        assert_eq!(km.lookup(Mode::List, &key("j")), Some(Action::MoveDown));
        assert_eq!(km.lookup(Mode::List, &key("down")), Some(Action::MoveDown));
        assert_eq!(km.lookup(Mode::List, &key("q")), Some(Action::Quit));
        assert_eq!(km.lookup(Mode::Detail, &key("?")), Some(Action::Help));
        assert_eq!(km.lookup(Mode::Help, &key("esc")), Some(Action::Close));
        assert_eq!(km.lookup(Mode::Help, &key("j")), Some(Action::ScrollDown));
    }

    /// What every preset must offer, per mode.
    const NEEDED: &[(Mode, &[Action])] = &[
        (
            Mode::List,
            &[
                Action::Quit,
                Action::MoveDown,
                Action::MoveUp,
                Action::PageDown,
                Action::PageUp,
                Action::First,
                Action::Last,
                Action::FocusDetail,
                Action::OpenFilter,
                Action::Help,
                Action::QuickTag1,
                Action::TagAndAdvance1,
                Action::OpenTagPicker,
                Action::ToggleReviewed,
                Action::NextUnreviewed,
                Action::ToggleMark,
                Action::MarkAll,
                Action::EditNote,
                Action::Undo,
                Action::Redo,
            ],
        ),
        (
            Mode::Detail,
            &[
                Action::Quit,
                Action::ScrollDown,
                Action::ScrollUp,
                Action::ScrollPageDown,
                Action::ScrollTop,
                Action::ScrollBottom,
                Action::FocusList,
                Action::Help,
                Action::QuickTag1,
            ],
        ),
        (
            Mode::Filter,
            &[
                Action::FilterAccept,
                Action::FilterCancel,
                Action::DeleteBack,
                Action::ToggleScope,
                Action::ToggleOrder,
            ],
        ),
        (
            Mode::TagPicker,
            &[
                Action::Accept,
                Action::Cancel,
                Action::MoveDown,
                Action::MoveUp,
                Action::DeleteBack,
            ],
        ),
        (
            Mode::Note,
            &[Action::Accept, Action::Cancel, Action::DeleteBack],
        ),
        (Mode::Confirm, &[Action::Confirm, Action::Cancel]),
        (Mode::Help, &[Action::Close, Action::ScrollDown]),
        (Mode::Warnings, &[Action::Close, Action::ScrollDown]),
    ];

    #[test]
    fn every_preset_binds_what_its_modes_need() {
        for (name, _) in PRESETS {
            let km = Keymap::preset(name).expect("preset parses");
            for (mode, actions) in NEEDED {
                for a in *actions {
                    assert!(km.binds(*mode, *a), "{name}: {mode:?} needs {a:?}");
                }
            }
        }
    }

    #[test]
    fn overrides_merge_per_key_and_null_unbinds() {
        let mut km = Keymap::default_keymap();
        km.merge(
            r#"{"list": {"x": "quit", "j": null, "down": "move_up"}}"#,
            "keymap.json",
        )
        .expect("valid");
        assert_eq!(km.lookup(Mode::List, &key("x")), Some(Action::Quit));
        assert_eq!(km.lookup(Mode::List, &key("j")), None);
        assert_eq!(km.lookup(Mode::List, &key("down")), Some(Action::MoveUp));
        assert_eq!(
            km.lookup(Mode::List, &key("k")),
            Some(Action::MoveUp),
            "the rest stays"
        );
    }

    #[test]
    fn two_actions_on_one_key_are_an_error() {
        let e = Keymap::parse(
            "{\"list\": {\n  \"G\": \"last\",\n  \"shift-g\": \"first\"\n}}",
            "k.json",
        )
        .expect_err("conflict");
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.message.contains("bound twice"), "{e}");
        let e = Keymap::parse(r#"{"list": {"g": "first", "g g": "last"}}"#, "k.json")
            .expect_err("prefix");
        assert!(
            e.message
                .contains("the sequence \"g g\" can never be typed"),
            "{e}"
        );
        let e = Keymap::parse("{\"list\": {}, \"list\": {}}", "k.json").expect_err("mode twice");
        assert!(e.message.contains("appears twice"), "{e}");
        let e = Keymap::parse(r#"{"lists": {}}"#, "k.json").expect_err("unknown mode");
        assert!(
            e.message
                .contains("unknown variant `lists`, expected one of `global`, `list`"),
            "{e}"
        );
    }

    #[test]
    fn sequences_wait_for_their_next_key() {
        let km = Keymap::preset("vim").expect("vim");
        let g = key("g");
        assert_eq!(km.resolve(Mode::List, &[], g), Resolved::Pending);
        assert_eq!(
            km.resolve(Mode::List, &[g], g),
            Resolved::Action(Action::First)
        );
        // A broken sequence: the second key counts on its own.
        assert_eq!(
            km.resolve(Mode::List, &[g], key("j")),
            Resolved::Action(Action::MoveDown)
        );
        let emacs = Keymap::preset("emacs").expect("emacs");
        assert_eq!(
            emacs.resolve(Mode::List, &[], key("ctrl-x")),
            Resolved::Pending
        );
        assert_eq!(
            emacs.resolve(Mode::List, &[key("ctrl-x")], key("ctrl-c")),
            Resolved::Action(Action::Quit)
        );
    }

    #[test]
    fn arabic_layout_acts_as_the_us_keys() {
        let km = Keymap::default_keymap();
        assert_eq!(
            km.lookup(Mode::List, &key("ت")),
            Some(Action::MoveDown),
            "ت is j"
        );
        assert_eq!(
            km.lookup(Mode::List, &key("ن")),
            Some(Action::MoveUp),
            "ن is k"
        );
        assert_eq!(km.lookup(Mode::List, &key("؟")), Some(Action::Help));
        // Never in a line of text: there Arabic letters are text.
        assert_eq!(km.lookup(Mode::Filter, &key("ت")), None);
        // A key bound as typed wins over the layout.
        let mut km = km;
        km.merge(r#"{"list": {"ت": "last"}}"#, "k.json")
            .expect("valid");
        assert_eq!(km.lookup(Mode::List, &key("ت")), Some(Action::Last));
    }

    #[test]
    fn errors_name_the_place() {
        let text = "{\n  \"list\": {\n    \"j\": \"move_dwn\"\n  }\n}";
        let e = Keymap::parse(text, "my.json").expect_err("unknown action");
        assert_eq!((e.line, e.column), (3, 10));
        assert!(e.message.contains("unknown variant `move_dwn`"), "{e}");
        assert!(
            e.message.contains("move_down"),
            "lists the allowed names: {e}"
        );
        let text = "{\n  \"list\": {\n    \"ctrl-hyper\": \"quit\"\n  }\n}";
        let e = Keymap::parse(text, "my.json").expect_err("bad key");
        assert_eq!((e.line, e.column), (3, 5));
        assert!(
            e.to_string()
                .starts_with("my.json:3:5: in mode \"list\": unknown key"),
            "{e}"
        );
    }
}
