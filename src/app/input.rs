//! One line of text being edited: the filter, the tag picker, a note.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineInput {
    pub text: String,
    /// Byte offset of the cursor in `text`.
    pub cursor: usize,
}

impl LineInput {
    pub fn with_text(text: &str) -> LineInput {
        LineInput {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    pub fn delete_back(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
    }

    /// Delete the word before the cursor (and the spaces after it), like readline's ctrl-w.
    pub fn delete_word(&mut self) {
        let trimmed = self.text[..self.cursor].trim_end();
        let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn left(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Apply an editing action; false when the action is not an editing one.
    pub fn edit(&mut self, action: crate::keymap::Action) -> bool {
        use crate::keymap::Action as A;
        match action {
            A::DeleteBack => self.delete_back(),
            A::DeleteWord => self.delete_word(),
            A::ClearInput => self.clear(),
            A::CursorLeft => self.left(),
            A::CursorRight => self.right(),
            A::CursorHome => self.home(),
            A::CursorEnd => self.end(),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing() {
        let mut f = LineInput::default();
        for c in "سبها port".chars() {
            f.insert(c);
        }
        f.delete_word();
        assert_eq!(f.text, "سبها ");
        f.delete_back();
        f.delete_back();
        assert_eq!(f.text, "سبه");
        f.home();
        f.insert('^');
        assert_eq!(f.text, "^سبه");
        f.end();
        f.left();
        f.right();
        f.insert('!');
        assert_eq!(f.text, "^سبه!");
        f.clear();
        assert!(f.text.is_empty());
    }
}
