//! Everything the detail tabs show for one capture, worked out once off the UI thread:
//! the inspection (vendor, decoded fields, findings), the pretty body split into lines,
//! the request as on the wire, and which body line each finding is about.

use crate::attempt::Attempt;
use crate::body::{Format, lines_of_pointers};
use crate::capture::Capture;
use crate::escape::{visible_line, visible_text};
use crate::highlight::{Highlighted, Language};
use crate::inspect::{Json, inspect, inspect_capture};
use crate::units::format_bytes;
use crate::validate::Finding;
use crate::vendor::{Decoded, Vendor};

use super::text_doc::TextDoc;

#[derive(Debug)]
pub struct DetailView {
    /// As stored: what copy, replay and diff use.
    pub capture: Capture,
    /// What the tabs show: the capture with its secrets masked, unless they are shown.
    pub shown: Capture,
    pub vendor: Option<Vendor>,
    pub decoded: Option<Decoded>,
    pub findings: Vec<Finding>,
    /// For each finding, the body line of its field (JSON bodies only).
    pub finding_lines: Vec<Option<usize>>,
    pub body: BodyView,
    /// The request as it came on the wire, made safe to show.
    pub raw: TextDoc,
    /// Its replays and forwards, oldest first.
    pub attempts: Vec<AttemptView>,
}

/// One replay or forward as the Replays tab shows it.
#[derive(Debug)]
pub struct AttemptView {
    pub attempt: Attempt,
    /// The response (status line, headers, pretty body), or why there is none; made safe
    /// to show.
    pub response: TextDoc,
    /// The response's first body line in `response`.
    pub body_line: usize,
    /// The body's colours, worked out with the rest of the view (off the UI thread).
    pub highlighted: Option<Highlighted>,
}

impl AttemptView {
    pub fn new(attempt: Attempt, theme: Option<crate::highlight::Theme>) -> Self {
        let Some(response) = &attempt.response else {
            let text = format!(
                "no response: {}",
                visible_line(
                    attempt
                        .error
                        .as_deref()
                        .unwrap_or("unknown error")
                        .as_bytes()
                )
            );
            return Self {
                attempt,
                response: TextDoc::new(text),
                body_line: 0,
                highlighted: None,
            };
        };
        let mut head = format!(
            "HTTP {} {}\n",
            response.status,
            visible_line(response.reason.as_bytes())
        );
        for header in &response.headers {
            head.push_str(&format!(
                "{}: {}\n",
                visible_line(header.name.as_bytes()),
                visible_line(&header.value)
            ));
        }
        head.push('\n');
        let body_line = head.lines().count();
        let inspection = inspect(&response.headers, &response.body);
        let mut body = visible_text(inspection.body.render().text.as_bytes()).into_owned();
        let highlighted = theme
            .zip(Language::for_format(inspection.body.format))
            .filter(|_| !matches!(inspection.json, Json::Malformed(_)))
            .and_then(|(theme, language)| {
                crate::highlight::highlight(&body, language, theme, &|| false)
            });
        if (response.body.len() as u64) < response.body_size {
            body.push_str(&format!(
                "\n… (first {} of {} stored)",
                format_bytes(response.body.len() as u64),
                format_bytes(response.body_size)
            ));
        }
        Self {
            attempt,
            response: TextDoc::new(head + &body),
            body_line,
            highlighted,
        }
    }
}

#[derive(Debug)]
pub struct BodyView {
    pub format: Format,
    pub declared_type: Option<String>,
    /// Content codings that were undone, e.g. `gzip`.
    pub codings: Vec<String>,
    pub charset: Option<&'static str>,
    /// The decoded size (after undoing content codings).
    pub decoded_size: usize,
    /// The display text: pretty JSON/XML, form lines, text, or a hex dump.
    pub doc: TextDoc,
    /// For a hex dump, the same dump with 8 bytes to a row, for a pane too narrow for 16.
    pub narrow: Option<TextDoc>,
    /// `None` for text that is not worth colouring (plain text, hex).
    pub language: Option<Language>,
    /// Why the text is not coloured although its language could be (too large).
    pub too_large: Option<crate::highlight::TooLarge>,
    /// What happened on the way, in plain words (bad charset, JSON that does not parse...).
    pub notes: Vec<String>,
}

impl BodyView {
    /// The text as a pane `pane_width` wide shows it: a hex dump too wide for it comes
    /// with fewer bytes to a row.
    pub fn doc_at(&self, pane_width: usize) -> &TextDoc {
        match &self.narrow {
            Some(narrow) if self.doc.text_columns(pane_width) < self.doc.widest() => narrow,
            _ => &self.doc,
        }
    }

    /// The language to colour the text in, when it is worth colouring.
    pub fn colourable(&self) -> Option<Language> {
        self.language.filter(|_| self.too_large.is_none())
    }
}

impl DetailView {
    /// The view of `capture`; with `mask`, what it shows has its secrets masked (findings
    /// and signature checks are still worked out from what was received).
    pub fn build(capture: Capture, mask: bool) -> Self {
        let inspection = inspect_capture(&capture);
        let mut rendered = inspection.body.render();
        let shown = if mask {
            if let std::borrow::Cow::Owned(masked) = crate::secrets::body(rendered.text.as_bytes())
            {
                rendered.text = String::from_utf8_lossy(&masked).into_owned();
            }
            crate::secrets::capture(&capture)
        } else {
            capture.clone()
        };
        let mut notes = inspection.body.notes.clone();
        if let Json::Malformed(message) = &inspection.json {
            notes.push(message.clone());
        }
        notes.extend(rendered.note);
        // Binary bodies come back as a hex dump.
        let narrow = rendered
            .hex
            .then(|| TextDoc::new(crate::body::hex_dump_rows(&inspection.body.bytes, 8)));
        let doc = TextDoc::new(rendered.text);
        let language = Language::for_format(inspection.body.format)
            .filter(|_| !matches!(inspection.json, Json::Malformed(_)));
        let too_large = language.and_then(|l| crate::highlight::check_size(doc.text(), l).err());
        let finding_lines = if inspection.body.format == Format::Json {
            let pointers: Vec<&str> = inspection
                .findings
                .iter()
                .map(|f| f.pointer.as_str())
                .collect();
            lines_of_pointers(doc.text(), &pointers)
        } else {
            vec![None; inspection.findings.len()]
        };
        let raw = TextDoc::new(visible_text(&crate::wire::request_bytes(&shown)).into_owned());
        Self {
            vendor: inspection.vendor,
            decoded: inspection.decoded,
            findings: inspection.findings,
            finding_lines,
            body: BodyView {
                format: inspection.body.format,
                declared_type: inspection.body.declared_type,
                codings: inspection.body.codings,
                charset: inspection.body.charset,
                decoded_size: inspection.body.bytes.len(),
                doc,
                narrow,
                language,
                too_large,
                notes,
            },
            raw,
            capture,
            shown,
            attempts: Vec::new(),
        }
    }

    /// Adds the capture's replays and forwards, their response bodies coloured in `theme`.
    pub fn with_attempts(
        mut self,
        attempts: Vec<Attempt>,
        theme: Option<crate::highlight::Theme>,
    ) -> Self {
        self.attempts = attempts
            .into_iter()
            .map(|attempt| AttemptView::new(attempt, theme))
            .collect();
        self
    }

    pub fn id(&self) -> crate::capture::CaptureId {
        self.capture.id
    }
}
