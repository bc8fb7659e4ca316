//! Deciding what a decoded body is (the declared type when it is specific, the bytes
//! otherwise) and filling in its text, form pairs or parts.

use super::media_type::MediaType;
use super::sniff::{self, Declared};
use super::{DecodedBody, Format, charset, form, multipart};

/// What `classify` needs besides the body itself.
pub(crate) struct Facts<'a> {
    pub media_type: Option<&'a MediaType>,
    /// The decoded bytes stop at the display limit, so a structured body may look broken.
    pub cut_at_limit: bool,
}

impl Facts<'_> {
    fn charset_param(&self) -> Option<&str> {
        self.media_type.and_then(|m| m.param("charset"))
    }
}

pub(crate) fn classify(body: &mut DecodedBody, facts: &Facts) {
    let declared = sniff::classify_declared(body.declared_type.as_deref());
    match declared {
        Declared::Json => take_declared_text(body, facts, Format::Json),
        Declared::Xml => take_declared_text(body, facts, Format::Xml),
        Declared::Html => take_declared_text(body, facts, Format::Html),
        Declared::Text => take_declared_text(body, facts, Format::Text),
        Declared::Form => take_declared_form(body, facts),
        Declared::Multipart => take_declared_multipart(body, facts),
        Declared::Generic => take_sniffed(body, facts),
    }
}

/// Decodes the body as text, or marks it binary (saying so when the declared type promised
/// text). Returns whether it is text.
fn decode_text_or_binary(body: &mut DecodedBody, facts: &Facts, xml_like: bool) -> bool {
    let decoded = charset::decode(
        &body.bytes,
        facts.charset_param(),
        xml_like,
        &mut body.notes,
    );
    if decoded.looks_binary {
        body.format = Format::Binary;
        body.sniffed = true;
        let declared = body.declared_type.as_deref();
        if let Some(declared) = declared
            && sniff::classify_declared(Some(declared)) != Declared::Generic
        {
            body.notes.push(format!(
                "declared as {declared} but the body is not text ({}); shown as binary",
                decoded.why_binary()
            ));
        }
        return false;
    }
    body.charset = Some(decoded.encoding.name());
    body.text = Some(decoded.text);
    true
}

fn take_declared_text(body: &mut DecodedBody, facts: &Facts, format: Format) {
    if decode_text_or_binary(body, facts, format == Format::Xml) {
        body.format = format;
    }
}

fn take_declared_form(body: &mut DecodedBody, facts: &Facts) {
    if !decode_text_or_binary(body, facts, false) {
        return;
    }
    let text = body.text.as_deref().unwrap_or_default();
    if sniff::is_json(text, false) {
        // `curl -d '{...}'` sends JSON under the form type.
        body.format = Format::Json;
        body.sniffed = true;
        body.notes.push(
            "the body is JSON although it was declared as application/x-www-form-urlencoded \
             (curl -d sends that type by default)"
                .to_string(),
        );
        return;
    }
    body.format = Format::Form;
    body.form = form::pairs(&body.bytes, &mut body.notes);
}

fn take_declared_multipart(body: &mut DecodedBody, facts: &Facts) {
    let boundary = facts.media_type.and_then(|m| m.param("boundary"));
    let split = match boundary {
        Some(boundary) => multipart::split(&body.bytes, boundary, &mut body.notes),
        None => {
            body.notes.push(format!(
                "declared as {} but the Content-Type has no boundary parameter, so the parts \
                 cannot be separated",
                body.declared_type.as_deref().unwrap_or("multipart")
            ));
            None
        }
    };
    match split {
        Some(parts) => {
            body.format = Format::Multipart;
            body.parts = parts;
        }
        None => {
            // Shown whole, as text when it is text.
            if decode_text_or_binary(body, facts, false) {
                body.format = Format::Text;
            }
            body.sniffed = true;
        }
    }
}

fn take_sniffed(body: &mut DecodedBody, facts: &Facts) {
    body.sniffed = true;
    if !decode_text_or_binary(body, facts, true) {
        return;
    }
    let text = body.text.as_deref().unwrap_or_default();
    body.format = sniff::sniff_text(text, facts.cut_at_limit);
    if body.format == Format::Form {
        body.form = form::pairs(&body.bytes, &mut body.notes);
    }
}
