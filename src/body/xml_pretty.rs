//! Indenting well-formed XML (and HTML that happens to be well-formed). Works on the original
//! markup of each event, so attributes, entities and quoting stay exactly as sent; only
//! whitespace between elements changes, and elements with mixed content (text beside child
//! elements) are kept whole, since there that whitespace is text. Iterative: nesting depth costs
//! no stack.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::pretty::{TOO_LARGE, output_budget};
use super::xml_survey::mixed_elements;

/// What was last written, to decide whether the next piece goes on a new line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    OpenTag,
    TextAfterOpenTag,
    Other,
}

struct Indenter<'a> {
    source: &'a str,
    out: String,
    depth: usize,
    last: Last,
    /// Output size allowed; see `output_budget`.
    budget: usize,
}

impl Indenter<'_> {
    fn new_line(&mut self) -> Result<(), String> {
        if self.last != Last::Nothing {
            if self.out.len() + 1 + 2 * self.depth > self.budget {
                return Err(TOO_LARGE.to_string());
            }
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
        Ok(())
    }

    fn markup(&mut self, range: (usize, usize)) -> Result<(), String> {
        self.new_line()?;
        self.out.push_str(slice(self.source, range)?);
        self.last = Last::Other;
        Ok(())
    }

    fn open(&mut self, range: (usize, usize)) -> Result<(), String> {
        self.markup(range)?;
        self.depth += 1;
        self.last = Last::OpenTag;
        Ok(())
    }

    fn close(&mut self, range: (usize, usize)) -> Result<(), String> {
        self.depth = self
            .depth
            .checked_sub(1)
            .ok_or("a closing tag has no opening tag")?;
        if matches!(self.last, Last::OpenTag | Last::TextAfterOpenTag) {
            // `<a></a>` and `<a>text</a>` stay on one line.
            self.out.push_str(slice(self.source, range)?);
            self.last = Last::Other;
            Ok(())
        } else {
            self.markup(range)
        }
    }

    /// Text between tags (with its entity references and CDATA), trimmed; whitespace-only
    /// text is layout and is dropped.
    fn text(&mut self, range: (usize, usize)) -> Result<(), String> {
        let text = slice(self.source, range)?.trim();
        if text.is_empty() {
            return Ok(());
        }
        if self.last == Last::OpenTag {
            self.out.push_str(text);
            self.last = Last::TextAfterOpenTag;
        } else {
            self.new_line()?;
            self.out.push_str(text);
            self.last = Last::Other;
        }
        Ok(())
    }
}

fn slice(source: &str, (start, end): (usize, usize)) -> Result<&str, String> {
    source
        .get(start..end)
        .ok_or_else(|| "event positions fell outside the text".to_string())
}

/// Indented markup, or why it is not well-formed. Elements with mixed content are kept whole,
/// as sent (see `xml_survey`).
pub(crate) fn indent_markup(source: &str) -> Result<String, String> {
    let mixed = mixed_elements(source)?;
    let mut reader = Reader::from_str(source);
    let mut indenter = Indenter {
        source,
        out: String::with_capacity(source.len() + source.len() / 4),
        depth: 0,
        last: Last::Nothing,
        budget: output_budget(source.len()),
    };
    let mut text_run: Option<(usize, usize)> = None;
    let mut elements = 0usize;
    // Start tags read so far: the index into `mixed`.
    let mut starts = 0usize;
    loop {
        let start = position(&reader);
        let event = read(&mut reader)?;
        let range = (start, position(&reader));
        if let Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) = event {
            text_run = Some((text_run.map_or(range.0, |run| run.0), range.1));
            continue;
        }
        if let Some(run) = text_run.take() {
            indenter.text(run)?;
        }
        match event {
            Event::Start(_) => {
                elements += 1;
                let is_mixed = mixed.get(starts).copied().unwrap_or(false);
                starts += 1;
                if is_mixed {
                    starts += skip_content(&mut reader)?;
                    indenter.markup((start, position(&reader)))?;
                } else {
                    indenter.open(range)?;
                }
            }
            Event::End(_) => indenter.close(range)?,
            Event::Empty(_) => {
                elements += 1;
                indenter.markup(range)?;
            }
            Event::Eof => break,
            _ => indenter.markup(range)?,
        }
    }
    if indenter.depth > 0 {
        return Err(format!("{} element(s) are never closed", indenter.depth));
    }
    if elements == 0 {
        return Err("it has no elements".to_string());
    }
    Ok(indenter.out)
}

fn read<'a>(reader: &mut Reader<&'a [u8]>) -> Result<Event<'a>, String> {
    reader
        .read_event()
        .map_err(|error| format!("{error} at byte {}", reader.error_position()))
}

/// Reads up to and including the end tag of the element just opened; returns how many start
/// tags it passed, so start tags keep being counted in order.
fn skip_content(reader: &mut Reader<&[u8]>) -> Result<usize, String> {
    let (mut depth, mut starts) = (1usize, 0);
    while depth > 0 {
        match read(reader)? {
            Event::Start(_) => {
                depth += 1;
                starts += 1;
            }
            Event::End(_) => depth -= 1,
            Event::Eof => return Err("an element is never closed".to_string()),
            _ => {}
        }
    }
    Ok(starts)
}

fn position<R>(reader: &Reader<R>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_nested_elements_keeping_markup() {
        let xml = "<?xml version=\"1.0\"?><root a='1'><item id=\"x\">one &amp; two</item>\
                   <empty/><list><li>a</li><li><![CDATA[<b>]]></li></list><!-- c --></root>";
        let expected = "<?xml version=\"1.0\"?>\n\
                        <root a='1'>\n  \
                          <item id=\"x\">one &amp; two</item>\n  \
                          <empty/>\n  \
                          <list>\n    \
                            <li>a</li>\n    \
                            <li><![CDATA[<b>]]></li>\n  \
                          </list>\n  \
                          <!-- c -->\n\
                        </root>";
        assert_eq!(indent_markup(xml).unwrap(), expected);
    }

    #[test]
    fn existing_layout_is_replaced() {
        let xml = "<a>\n      <b></b>\n\n   <c>x</c>\n</a>\n";
        assert_eq!(
            indent_markup(xml).unwrap(),
            "<a>\n  <b></b>\n  <c>x</c>\n</a>"
        );
    }

    #[test]
    fn mixed_content_stays_on_one_line_as_received() {
        let mixed = "<p>Hello &amp; <b>world</b></p>";
        assert_eq!(indent_markup(mixed).unwrap(), mixed);
        // Element-only content around it is still indented; the mixed element is kept whole,
        // its spaces included, since in mixed content they are part of the text.
        let xml = "<doc><title>T</title><p>Hello <i>big</i> <b>world</b>!</p>\
                   <list><li>a <em>b</em></li><li>c</li></list></doc>";
        assert_eq!(
            indent_markup(xml).unwrap(),
            "<doc>\n  \
               <title>T</title>\n  \
               <p>Hello <i>big</i> <b>world</b>!</p>\n  \
               <list>\n    \
                 <li>a <em>b</em></li>\n    \
                 <li>c</li>\n  \
               </list>\n\
             </doc>"
        );
        // Text after the child element counts too.
        let tail = "<r><p><b>Note:</b> read this</p></r>";
        assert_eq!(
            indent_markup(tail).unwrap(),
            "<r>\n  <p><b>Note:</b> read this</p>\n</r>"
        );
    }

    #[test]
    fn ill_formed_markup_is_an_error() {
        assert!(indent_markup("<a><b></a></b>").is_err());
        assert!(indent_markup("<a><b>").is_err());
        assert!(indent_markup("</a>").is_err());
        assert!(indent_markup("just text").is_err());
        assert!(indent_markup("<a attr=\"unterminated></a>").is_err());
        assert!(indent_markup("<!doctype html><p>one<br>two</p>").is_err());
    }

    #[test]
    fn deep_nesting_needs_no_stack_and_cannot_blow_up_the_output() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let pretty = indent_markup(&nested(60)).unwrap();
        assert!(pretty.contains(&format!("\n{}<a></a>\n", "  ".repeat(59))));
        // Indenting 100 000 levels would need about 20 GB.
        assert!(
            indent_markup(&nested(100_000))
                .unwrap_err()
                .contains("nested 100,000 levels deep")
        );
        let wide = format!("<r>{}</r>", nested(100).repeat(200));
        assert_eq!(indent_markup(&wide).unwrap_err(), TOO_LARGE);
    }
}
