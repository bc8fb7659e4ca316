//! XML and HTML (or any bundled grammar) through syntect, with one parse and highlight state carried across lines and
//! no allocation per line: each line is parsed in place together with its '\n'.

use syntect::highlighting::{self as syn, HighlightState, Highlighter, RangedHighlightIterator};
use syntect::parsing::{ParseState, ScopeStack};

use super::lines::Builder;
use super::palette::{SYNTAXES, convert, syntect_theme};
use super::{Theme, for_each_line};

/// Colours `text` with the bundled grammar called `syntax_name`; without it, all plain.
pub(super) fn highlight(
    text: &str,
    syntax_name: &str,
    theme: Theme,
    out: &mut Builder,
    cancelled: &dyn Fn() -> bool,
) -> Option<()> {
    let syntect = syntect_theme(theme);
    let highlighter = Highlighter::new(syntect);
    let mut parse = SYNTAXES
        .find_syntax_by_name(syntax_name)
        .map(ParseState::new);
    let mut state = HighlightState::new(&highlighter, ScopeStack::new());
    let plain = out.intern(convert(syntect, highlighter.get_default()));
    // Each distinct syntect style converted and interned once.
    let mut known: Vec<(syn::Style, u16)> = Vec::new();
    let mut last_line = String::new();
    for_each_line(text, cancelled, |line, with_newline| {
        let input = match with_newline {
            Some(input) => input,
            None => {
                last_line = format!("{line}\n");
                last_line.as_str()
            }
        };
        // After a parse error (a syntax bug, not bad input) the rest stays plain.
        let ops = parse
            .as_mut()
            .and_then(|p| p.parse_line(input, &SYNTAXES).ok());
        match ops {
            Some(ops) => {
                let runs = RangedHighlightIterator::new(&mut state, &ops, input, &highlighter);
                for (style, _, range) in runs {
                    let id = match known.iter().find(|(seen, _)| *seen == style) {
                        Some(&(_, id)) => id,
                        None => {
                            let id = out.intern(convert(syntect, style));
                            known.push((style, id));
                            id
                        }
                    };
                    out.push(range.end.min(line.len()), id);
                }
            }
            None => parse = None,
        }
        out.end_line(line.len(), plain);
    })
}
