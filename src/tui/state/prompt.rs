//! A one-line text input at the bottom of the screen: the list filter or the text search.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Search,
    /// Where to replay to.
    ReplayTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    /// In chars, 0..=input's char count.
    pub cursor: usize,
    /// The text before the prompt opened, restored when it is cancelled.
    pub before: String,
}

impl Prompt {
    pub fn new(kind: PromptKind, current: &str) -> Self {
        Self {
            kind,
            input: current.to_owned(),
            cursor: current.chars().count(),
            before: current.to_owned(),
        }
    }

    fn byte_at(&self, cursor: usize) -> usize {
        self.input
            .char_indices()
            .nth(cursor)
            .map_or(self.input.len(), |(at, _)| at)
    }

    pub fn insert(&mut self, text: &str) {
        // Pasted newlines and other controls would only confuse a one-line query.
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_at(self.cursor);
        self.input.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.input.remove(at);
            self.cursor -= 1;
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.input.chars().count() {
            let at = self.byte_at(self.cursor);
            self.input.remove(at);
        }
    }

    /// Ctrl-W: the word before the cursor, and the spaces after it.
    pub fn delete_word(&mut self) {
        let before: Vec<char> = self.input.chars().take(self.cursor).collect();
        let mut start = before.len();
        while start > 0 && before[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && before[start - 1] != ' ' {
            start -= 1;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
        self.input.replace_range(from..to, "");
        self.cursor = start;
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.cursor = 0;
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.input.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.input.chars().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor_in_chars() {
        let mut prompt = Prompt::new(PromptKind::Filter, "vendör");
        prompt.left();
        prompt.backspace();
        assert_eq!(prompt.input, "vendr");
        prompt.insert("ö\u{1b}");
        assert_eq!((prompt.input.as_str(), prompt.cursor), ("vendör", 5));
        prompt.home();
        prompt.delete();
        assert_eq!(prompt.input, "endör");
        prompt.end();
        prompt.insert(" kind:alert");
        prompt.delete_word();
        assert_eq!(prompt.input, "endör ");
        prompt.delete_word();
        assert_eq!((prompt.input.as_str(), prompt.cursor), ("", 0));
        assert_eq!(prompt.before, "vendör");
    }
}
