//! A first read of markup, for what the indenter must know before it writes anything: which
//! elements hold mixed content (text beside child elements), and whether nesting stays within
//! the depth the pretty-printers go to.
//!
//! In mixed content, whitespace and line breaks are part of the text: `<p>Hello <b>world</b>
//! </p>` split over three lines would read "Hello" and "world" as separate lines. Such an
//! element is kept as sent.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::pretty::{MAX_INDENT_DEPTH, too_deep};

/// What an open element has held so far.
struct Open {
    /// Its position among start tags.
    ordinal: usize,
    has_text: bool,
    has_markup: bool,
}

/// For each start tag in order, whether its element holds mixed content. An error when the
/// markup is not well-formed (worded as the indenter words it) or nests too deep. The record of
/// open elements stops at `MAX_INDENT_DEPTH`, so hostile nesting costs no memory here.
pub(crate) fn mixed_elements(source: &str) -> Result<Vec<bool>, String> {
    let mut reader = Reader::from_str(source);
    let mut mixed = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let (mut depth, mut deepest) = (0usize, 0usize);
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("{error} at byte {}", reader.error_position()))?;
        let parent = open.last_mut().filter(|_| depth <= MAX_INDENT_DEPTH);
        match event {
            Event::Start(_) => {
                if let Some(parent) = parent {
                    parent.has_markup = true;
                }
                depth += 1;
                deepest = deepest.max(depth);
                if depth <= MAX_INDENT_DEPTH {
                    open.push(Open {
                        ordinal: mixed.len(),
                        has_text: false,
                        has_markup: false,
                    });
                }
                mixed.push(false);
            }
            Event::End(_) => {
                if depth <= MAX_INDENT_DEPTH
                    && let Some(element) = open.pop()
                {
                    mixed[element.ordinal] = element.has_text && element.has_markup;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) if text.trim_ascii().is_empty() => {}
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => {
                if let Some(parent) = parent {
                    parent.has_text = true;
                }
            }
            Event::Empty(_) | Event::Comment(_) | Event::PI(_) => {
                if let Some(parent) = parent {
                    parent.has_markup = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if deepest > MAX_INDENT_DEPTH {
        return Err(format!("well-formed, but {}", too_deep(deepest)));
    }
    Ok(mixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_beside_markup_is_mixed() {
        let xml = "<a><b>only text</b><c> <d/> </c><e>x<!-- c --></e><f>&amp;<g/></f></a>";
        // Start tags a, b, c, e, f (d and g are empty-element tags).
        assert_eq!(
            mixed_elements(xml).unwrap(),
            [false, false, false, true, true]
        );
    }

    #[test]
    fn nesting_past_the_limit_is_reported_with_its_depth() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(mixed_elements(&nested(MAX_INDENT_DEPTH)).is_ok());
        assert_eq!(
            mixed_elements(&nested(100_000)).unwrap_err(),
            "well-formed, but nested 100,000 levels deep, deeper than the pretty-printer goes \
             (127 levels)"
        );
    }
}
