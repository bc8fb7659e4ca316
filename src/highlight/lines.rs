//! The highlighted result: per line, runs of one style given by where they end. A run starts
//! where the previous one ended, so the runs of a line cover it exactly, and no text is copied.

use std::ops::Range;

use super::Style;

/// Styled runs for each line of a text (the text split on '\n', as the TUI splits it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    /// The distinct styles used; runs refer to them by index.
    styles: Vec<Style>,
    runs: Vec<Run>,
    /// Line `n`'s runs are `runs[line_starts[n]..line_starts[n + 1]]`.
    line_starts: Vec<u32>,
}

/// 8 bytes per run: a 1 MB JSON body pretty-prints to about 80k lines and 400k runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// Byte offset within the line where the run ends.
    end: u32,
    style: u16,
}

impl Highlighted {
    pub fn line_count(&self) -> usize {
        self.line_starts.len() - 1
    }

    /// The runs of one line: byte ranges within the line, in order, covering it exactly and
    /// on char boundaries; adjacent runs differ in style. Empty past the last line.
    pub fn spans(&self, line: usize) -> impl Iterator<Item = (Range<usize>, Style)> + '_ {
        let runs = match (self.line_starts.get(line), self.line_starts.get(line + 1)) {
            (Some(&start), Some(&end)) => &self.runs[start as usize..end as usize],
            _ => &[],
        };
        let mut start = 0;
        runs.iter().map(move |run| {
            let range = start..run.end as usize;
            start = run.end as usize;
            (range, self.styles[run.style as usize])
        })
    }
}

/// Collects runs line by line, merging a run into the previous one when the style is the same.
pub(super) struct Builder {
    styles: Vec<Style>,
    runs: Vec<Run>,
    line_starts: Vec<u32>,
    /// Where the current line's last run ends.
    line_end: usize,
}

impl Builder {
    /// `text_len` sizes the buffers; runs average well over two bytes of pretty text.
    pub(super) fn new(text_len: usize) -> Builder {
        let mut line_starts = Vec::with_capacity(text_len / 24 + 1);
        line_starts.push(0);
        Builder {
            styles: Vec::new(),
            runs: Vec::with_capacity(text_len / 4),
            line_starts,
            line_end: 0,
        }
    }

    /// The index runs use for `style`; a theme has a few dozen styles at most.
    pub(super) fn intern(&mut self, style: Style) -> u16 {
        if let Some(index) = self.styles.iter().position(|known| *known == style) {
            return index as u16;
        }
        // Unreachable with real themes; falling back to the first style beats failing.
        let Ok(index) = u16::try_from(self.styles.len()) else {
            return 0;
        };
        self.styles.push(style);
        index
    }

    /// Styles the current line up to byte `end` (within the line). Empty runs are dropped.
    pub(super) fn push(&mut self, end: usize, style: u16) {
        if end <= self.line_end {
            return;
        }
        self.line_end = end;
        let line_has_runs = self.runs.len() > *self.line_starts.last().unwrap_or(&0) as usize;
        match self.runs.last_mut() {
            Some(last) if line_has_runs && last.style == style => {
                last.end = end as u32;
            }
            _ => self.runs.push(Run {
                end: end as u32,
                style,
            }),
        }
    }

    /// Ends the current line, styling whatever is left of its `len` bytes with `rest`.
    pub(super) fn end_line(&mut self, len: usize, rest: u16) {
        self.push(len, rest);
        self.line_starts.push(self.runs.len() as u32);
        self.line_end = 0;
    }

    pub(super) fn finish(self) -> Highlighted {
        Highlighted {
            styles: self.styles,
            runs: self.runs,
            line_starts: self.line_starts,
        }
    }
}
