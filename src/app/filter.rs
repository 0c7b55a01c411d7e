//! The filter line: what was typed, where the cursor is, and the parsed query.

use crate::search::matcher::{Order, Scope};
use crate::search::query::{Query, QueryError};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub input: String,
    /// Byte offset of the cursor in `input`.
    pub cursor: usize,
    /// The last parse of `input`.
    pub parsed: Option<Result<Query, QueryError>>,
    pub scope: Scope,
    pub order: Order,
}

impl Filter {
    pub fn insert(&mut self, c: char) {
        self.input.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.reparse();
    }

    pub fn delete_back(&mut self) {
        if let Some(c) = self.input[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.input.remove(self.cursor);
            self.reparse();
        }
    }

    /// Delete the word before the cursor (and the spaces after it), like readline's ctrl-w.
    pub fn delete_word(&mut self) {
        let before = &self.input[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        self.input.replace_range(start..self.cursor, "");
        self.cursor = start;
        self.reparse();
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.cursor = 0;
        self.reparse();
    }

    pub fn left(&mut self) {
        if let Some(c) = self.input[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.input[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.input.len();
    }

    fn reparse(&mut self) {
        self.parsed = if self.input.trim().is_empty() {
            None
        } else {
            Some(Query::parse(&self.input))
        };
    }

    /// The query to run: `None` when the line is empty or does not parse.
    pub fn query(&self) -> Option<&Query> {
        match &self.parsed {
            Some(Ok(q)) => Some(q),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&QueryError> {
        match &self.parsed {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing() {
        let mut f = Filter::default();
        for c in "سبها port".chars() {
            f.insert(c);
        }
        assert!(f.query().is_some());
        f.delete_word();
        assert_eq!(f.input, "سبها ");
        f.delete_back();
        f.delete_back();
        assert_eq!(f.input, "سبه");
        f.home();
        f.insert('^');
        assert_eq!(f.input, "^سبه");
        f.end();
        f.left();
        f.right();
        f.insert('!');
        assert_eq!(f.input, "^سبه!");
        f.clear();
        assert!(f.parsed.is_none());
        f.insert('!');
        assert!(f.error().is_some());
    }
}
