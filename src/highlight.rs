//! TEMPORARY STUB.
use crate::body::Format;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Json,
    Xml,
    Html,
    Form,
}
impl Language {
    pub fn from_format(f: Format) -> Option<Self> {
        match f {
            Format::Json => Some(Self::Json),
            Format::Xml => Some(Self::Xml),
            Format::Html => Some(Self::Html),
            Format::Form => Some(Self::Form),
            _ => None,
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Theme {
    Dark,
    Light,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Style {
    pub fg: Option<Rgb>,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}
#[derive(Debug, Default)]
pub struct Highlighted {
    lines: Vec<Vec<(std::ops::Range<usize>, Style)>>,
}
impl Highlighted {
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
    pub fn spans(&self, line: usize) -> impl Iterator<Item = (std::ops::Range<usize>, Style)> + '_ {
        self.lines.get(line).into_iter().flatten().cloned()
    }
}
pub fn worth_highlighting(text: &str) -> bool {
    text.len() < 16 << 20
}
pub fn highlight(
    text: &str,
    _l: Language,
    _t: Theme,
    _c: &dyn Fn() -> bool,
) -> Option<Highlighted> {
    Some(Highlighted {
        lines: text
            .split('\n')
            .map(|l| {
                vec![(
                    0..l.len(),
                    Style {
                        fg: Some(Rgb(200, 100, 50)),
                        ..Style::default()
                    },
                )]
            })
            .collect(),
    })
}
