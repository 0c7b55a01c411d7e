//! The filter line: what was typed, where the cursor is, and the parsed query.

use super::input::LineInput;
use crate::search::matcher::{Order, Scope};
use crate::search::query::{Query, QueryError};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub line: LineInput,
    /// The last parse of the line.
    pub parsed: Option<Result<Query, QueryError>>,
    pub scope: Scope,
    pub order: Order,
}

impl Filter {
    pub fn insert(&mut self, c: char) {
        self.line.insert(c);
        self.reparse();
    }

    /// Apply an editing action to the line; false when it is not one.
    pub fn edit(&mut self, action: crate::keymap::Action) -> bool {
        let edited = self.line.edit(action);
        if edited {
            self.reparse();
        }
        edited
    }

    pub fn clear(&mut self) {
        self.line.clear();
        self.reparse();
    }

    pub fn text(&self) -> &str {
        &self.line.text
    }

    /// Parse again after the line was replaced wholesale.
    pub fn reparse_now(&mut self) {
        self.reparse();
    }

    fn reparse(&mut self) {
        self.parsed = if self.line.text.trim().is_empty() {
            None
        } else {
            Some(Query::parse(&self.line.text))
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
    use crate::keymap::Action;

    #[test]
    fn parses_as_it_is_edited() {
        let mut f = Filter::default();
        for c in "port !".chars() {
            f.insert(c);
        }
        assert!(f.error().is_some());
        assert!(f.edit(Action::DeleteBack));
        assert!(f.query().is_some());
        assert!(!f.edit(Action::Quit));
        f.clear();
        assert!(f.parsed.is_none());
    }
}
