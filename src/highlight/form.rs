//! Form bodies as `body::pretty` lays them out: one `name = value` line per pair. The name
//! looks like a JSON key, the value like a JSON string.

use super::lines::Builder;
use super::palette::{Token, TokenIds};

/// What `body::pretty` writes between a name and its value.
const SEPARATOR: &str = " = ";

/// Styles one line. The first ` = ` splits name from value, so a name that itself contains
/// ` = ` is split too early; a line without one continues a value that held a newline.
pub(super) fn line(line: &str, out: &mut Builder, ids: &TokenIds) {
    if let Some(name_end) = line.find(SEPARATOR) {
        out.push(name_end, ids.get(Token::Key));
        out.push(name_end + 1, ids.get(Token::Plain));
        out.push(name_end + 2, ids.get(Token::Separator));
        out.push(name_end + 3, ids.get(Token::Plain));
    }
    out.push(line.len(), ids.get(Token::String));
}
