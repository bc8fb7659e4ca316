//! Body decoding (`body::decode_body` and what renders it): arbitrary bytes under arbitrary
//! headers never panic and stay within the decoding cap; content codings undo exactly, stop at
//! the cap (bombs included) and fall back to the raw bytes when corrupt; JSON, XML, forms,
//! multipart, charsets and hex dumps keep what was sent.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::sync::OnceLock;

use bytes::Bytes;
use hookscope::body::{
    BodyLimits, DecodedBody, Format, decode_body, hex_dump_rows, hex_row_width, lines_of_pointers,
    without_content_codings,
};
use hookscope::capture::Header;
use hookscope::validate::push_token;
use proptest::prelude::*;
use serde_json::Value;

/// Counts the bytes each thread has allocated and not freed, and the most it had at once,
/// so a test can say how much memory a decode took.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on to the system allocator unchanged; the counting only
// touches this thread's own cells, which allocate nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` returns, and the most memory this thread held at once while it ran, above what
/// it held before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak.max(0) as usize)
}

/// 64 MiB of zeros, gzip- and brotli-compressed once for all cases (about 300 KB and 12 KB).
fn big_bombs() -> &'static [(Coding, Vec<u8>)] {
    static BOMBS: OnceLock<Vec<(Coding, Vec<u8>)>> = OnceLock::new();
    BOMBS.get_or_init(|| {
        let zeros = vec![0u8; 1 << 20];
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut brotli = Vec::new();
        {
            let mut encoder = brotli::CompressorWriter::new(&mut brotli, 1 << 16, 1, 22);
            for _ in 0..64 {
                gzip.write_all(&zeros).unwrap();
                encoder.write_all(&zeros).unwrap();
            }
        }
        vec![
            (Coding::Gzip, gzip.finish().unwrap()),
            (Coding::Brotli, brotli),
        ]
    })
}

/// The memory a decode capped at `cap` may take: the output (twice, as a growing buffer may
/// hold), and the decoders' own windows (brotli's here is 4 MiB, zstd's 1 MiB).
fn memory_bound(cap: usize) -> usize {
    2 * cap + 8 * 1024 * 1024
}

fn limits(max_decoded: usize) -> BodyLimits {
    BodyLimits { max_decoded }
}

fn decode(headers: &[Header], raw: &[u8], cap: usize) -> DecodedBody {
    decode_body(headers, &Bytes::copy_from_slice(raw), limits(cap))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Zlib,
    RawDeflate,
    Brotli,
    Zstd,
}

impl Coding {
    fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Zlib | Coding::RawDeflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }

    fn encode(self, data: &[u8]) -> Vec<u8> {
        fn finish<W: Write>(mut encoder: W, data: &[u8]) -> W {
            encoder.write_all(data).unwrap();
            encoder
        }
        let level = flate2::Compression::fast();
        match self {
            Coding::Gzip => finish(flate2::write::GzEncoder::new(Vec::new(), level), data)
                .finish()
                .unwrap(),
            Coding::Zlib => finish(flate2::write::ZlibEncoder::new(Vec::new(), level), data)
                .finish()
                .unwrap(),
            Coding::RawDeflate => {
                finish(flate2::write::DeflateEncoder::new(Vec::new(), level), data)
                    .finish()
                    .unwrap()
            }
            Coding::Brotli => {
                let mut out = Vec::new();
                {
                    let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 4, 20);
                    encoder.write_all(data).unwrap();
                }
                out
            }
            Coding::Zstd => {
                ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
            }
        }
    }
}

fn coding() -> impl Strategy<Value = Coding> {
    prop_oneof![
        Just(Coding::Gzip),
        Just(Coding::Zlib),
        Just(Coding::RawDeflate),
        Just(Coding::Brotli),
        Just(Coding::Zstd),
    ]
}

/// Compressible data: a repeated pattern with a random tail.
fn data() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>(), 1..16),
        0..300usize,
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(pattern, repeats, tail)| {
            let mut data = pattern.repeat(repeats);
            data.extend(tail);
            data
        })
}

/// `Content-Encoding` for codings applied in this order, in one header or spread over
/// several, with `identity` and spacing sprinkled in.
fn encoding_headers(codings: &[Coding], spread: bool) -> Vec<Header> {
    let tokens: Vec<&str> = codings.iter().map(|c| c.token()).collect();
    if spread {
        tokens
            .iter()
            .map(|t| Header::new("content-encoding", format!(" {} ", t.to_uppercase())))
            .collect()
    } else {
        vec![Header::new(
            "Content-Encoding",
            format!("identity, {}", tokens.join(" ,")),
        )]
    }
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"application/json".to_vec()),
        Just(b"application/json; charset=utf-16".to_vec()),
        Just(b"text/xml; charset=shift_jis".to_vec()),
        Just(b"text/html".to_vec()),
        Just(b"application/x-www-form-urlencoded".to_vec()),
        Just(b"multipart/form-data; boundary=x".to_vec()),
        Just(b"multipart/mixed; boundary=\"\"".to_vec()),
        Just(b"multipart/form-data".to_vec()),
        Just(b"application/gzip".to_vec()),
        Just(b"gzip".to_vec()),
        Just(b"gzip, gzip, br".to_vec()),
        Just(b"zstd".to_vec()),
        Just(b"deflate".to_vec()),
        Just(b"compress".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..30),
    ]
}

fn headers() -> impl Strategy<Value = Vec<Header>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("Content-Type"),
                Just("Content-Encoding"),
                Just("X-Other")
            ],
            header_value(),
        ),
        0..4,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(name, value)| Header::new(name, value))
            .collect()
    })
}

/// Bodies that reach every decoder: structured text, compressed data, multipart, raw bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        (coding(), data()).prop_map(|(c, d)| c.encode(&d)),
        "[\\[\\]{}\":, a-z0-9\\\\]{0,200}".prop_map(String::into_bytes),
        "[<>/=\"a-z &;!?\\[\\]-]{0,200}".prop_map(String::into_bytes),
        "[a-z=&%+0-9]{0,200}".prop_map(String::into_bytes),
        "(--x\r?\n[a-zA-Z:; =\"-]{0,40}\r?\n\r?\n[ -~]{0,30}\r?\n){0,4}(--x--)?"
            .prop_map(String::into_bytes),
        multipart_junk(),
    ]
}

/// Multipart bodies (boundary `x`, as the headers above declare) with odd part headers:
/// folded lines, RFC 8187 file names with bad escapes and charsets, quotes left open.
fn multipart_junk() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just("Content-Disposition: form-data; name=\"a\"".to_owned()),
        Just("Content-Disposition: form-data; name=\"a; filename*=UTF-8''%E2%82%AC%zz%".to_owned()),
        Just(
            "Content-Disposition: attachment; filename*=shift_jis'ja'%82%A0.txt; filename=\"x\""
                .to_owned()
        ),
        Just("Content-Disposition: form-data; filename*=''".to_owned()),
        Just("Content-Type: text/plain; charset=\"utf-16\\\"".to_owned()),
        Just("Content-Type: ; ; =".to_owned()),
        Just(" folded continuation".to_owned()),
        Just("\tfolded".to_owned()),
        Just("not a header".to_owned()),
        "[a-zA-Z-]{1,8}: [ -~é]{0,16}",
    ];
    let part = (
        proptest::collection::vec(header, 0..4),
        prop_oneof![Just("\r\n"), Just("\n")],
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(headers, end, body)| {
            let mut out = format!("--x{end}").into_bytes();
            for header in headers {
                out.extend_from_slice(header.as_bytes());
                out.extend_from_slice(end.as_bytes());
            }
            out.extend_from_slice(end.as_bytes());
            out.extend_from_slice(&body);
            out.extend_from_slice(end.as_bytes());
            out
        });
    (
        "[ -~]{0,8}",
        proptest::collection::vec(part, 0..5),
        prop_oneof![Just("--x--"), Just("--x"), Just("")],
    )
        .prop_map(|(preamble, parts, close)| {
            let mut out = preamble.into_bytes();
            out.extend(parts.concat());
            out.extend_from_slice(close.as_bytes());
            out
        })
}

/// The formats that come with the body as text.
fn is_text_format(format: Format) -> bool {
    matches!(
        format,
        Format::Json | Format::Xml | Format::Html | Format::Form | Format::Text
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// No panic, and what the decoder hands out holds together: within the cap, the same
    /// bytes a search sees, text exactly for the text formats, a rendering of bounded size.
    #[test]
    fn arbitrary_bodies_decode_and_render_within_bounds(
        headers in headers(),
        raw in body(),
        cap in prop_oneof![Just(16usize), Just(1000), Just(64 * 1024 * 1024)],
    ) {
        let decoded = decode(&headers, &raw, cap);
        prop_assert!(decoded.bytes.len() <= raw.len().max(cap));
        let searched = without_content_codings(&headers, &raw, limits(cap));
        prop_assert_eq!(&searched[..], &decoded.bytes[..]);
        prop_assert_eq!(decoded.format == Format::Empty, decoded.bytes.is_empty());
        prop_assert_eq!(decoded.text.is_some(), is_text_format(decoded.format));
        prop_assert_eq!(decoded.charset.is_some(), decoded.text.is_some());
        if decoded.codings.is_empty() {
            prop_assert_eq!(&decoded.bytes[..], &raw[..]);
        }
        if decoded.format != Format::Form {
            prop_assert!(decoded.form.is_empty());
        }
        if decoded.format != Format::Multipart {
            prop_assert!(decoded.parts.is_empty());
        }
        for part in &decoded.parts {
            prop_assert!(decoded.bytes.len() >= part.body.len());
        }
        for note in &decoded.notes {
            prop_assert!(!note.is_empty());
        }
        let pretty = decoded.render();
        prop_assert_eq!(pretty.hex, decoded.format == Format::Binary);
        // Indentation may not blow a body up (`[[[[1,1,...`): at most 8x plus 64 KiB for the
        // pretty-printers, and a hex dump is under 5x (plus part headers for multipart).
        let bound = decoded.bytes.len() * 8 + 64 * 1024 + 6 * decoded.bytes.len();
        prop_assert!(pretty.text.len() <= bound, "{} bytes rendered from {}", pretty.text.len(), decoded.bytes.len());
    }

    /// Content codings, one to three, in one header or several: undone exactly when every
    /// layer fits the cap; otherwise cut at the cap, keeping a prefix of the data.
    #[test]
    fn content_codings_round_trip_or_stop_at_the_cap(
        data in data(),
        codings in proptest::collection::vec(coding(), 1..4),
        spread in any::<bool>(),
        cap in 1..12_000usize,
    ) {
        let mut layers = vec![data.clone()];
        for coding in &codings {
            let next = coding.encode(layers.last().unwrap());
            layers.push(next);
        }
        let raw = layers.pop().unwrap();
        let headers = encoding_headers(&codings, spread);
        let decoded = decode(&headers, &raw, cap);
        prop_assert!(decoded.bytes.len() <= cap, "{} bytes past a cap of {}", decoded.bytes.len(), cap);
        if layers.iter().all(|layer| layer.len() <= cap) {
            prop_assert_eq!(&decoded.bytes[..], &data[..]);
            let mut undone: Vec<String> = codings.iter().map(|c| c.token().to_owned()).collect();
            undone.reverse();
            prop_assert_eq!(&decoded.codings, &undone);
        } else {
            prop_assert!(data.starts_with(&decoded.bytes), "not a prefix of the data");
            prop_assert!(
                decoded.notes.iter().any(|n| n.contains("display limit")),
                "no note about the limit: {:?}", decoded.notes
            );
            if layers[1..].iter().all(|layer| layer.len() <= cap) {
                // Only the innermost data is too large: exactly the cap is shown.
                prop_assert_eq!(decoded.bytes.len(), cap);
            }
        }
    }

    /// A stream cut short, with a flipped byte or with junk after it: the decoded bytes or the
    /// raw ones, never a panic, never past the cap.
    #[test]
    fn corrupt_compressed_bodies_fall_back_to_the_raw_bytes(
        data in data(),
        coding in coding(),
        damage in (0..3u8, any::<prop::sample::Index>(), any::<u8>()),
        cap in prop_oneof![Just(64usize), Just(1 << 20)],
    ) {
        let mut raw = coding.encode(&data);
        let (kind, index, byte) = damage;
        match kind {
            0 => raw.truncate(index.index(raw.len() + 1)),
            1 if !raw.is_empty() => {
                let at = index.index(raw.len());
                raw[at] ^= byte | 1;
            }
            _ => raw.extend_from_slice(&[byte; 7]),
        }
        let headers = vec![Header::new("Content-Encoding", coding.token())];
        let decoded = decode(&headers, &raw, cap);
        if decoded.codings.is_empty() {
            prop_assert_eq!(&decoded.bytes[..], &raw[..]);
            if !raw.is_empty() {
                prop_assert!(!decoded.notes.is_empty(), "bytes shown as received without a note");
            }
        } else {
            prop_assert!(decoded.bytes.len() <= cap);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Zeros that expand far past the cap, in one layer or two: exactly the cap comes out,
    /// so memory is bounded by it, not by what the sender packed.
    #[test]
    fn decompression_bombs_stop_exactly_at_the_cap(
        coding in prop_oneof![Just(Coding::Gzip), Just(Coding::Zlib), Just(Coding::Brotli)],
        nested in any::<bool>(),
        size in 64usize * 1024..512 * 1024,
        cap in 1..8192usize,
    ) {
        let zeros = vec![0u8; size];
        let mut raw = coding.encode(&zeros);
        let mut codings = vec![coding];
        let mut cap = cap;
        if nested {
            // The outer layer fits, so the cut happens in the inner one.
            cap = cap.max(raw.len());
            raw = Coding::Gzip.encode(&raw);
            codings.push(Coding::Gzip);
        }
        let decoded = decode(&encoding_headers(&codings, false), &raw, cap);
        prop_assert_eq!(decoded.bytes.len(), cap);
        prop_assert!(decoded.bytes.iter().all(|&b| b == 0));
    }

    /// 64 MiB of zeros in 300 KB of gzip or 12 KB of brotli: decoding takes memory for the cap,
    /// not for what the sender packed.
    #[test]
    fn decompression_bombs_take_memory_for_the_cap_only(
        which in 0..2usize,
        cap in 1..2_000_000usize,
    ) {
        let (coding, raw) = &big_bombs()[which];
        let headers = [Header::new("Content-Encoding", coding.token())];
        let (decoded, peak) = peak_during(|| decode(&headers, raw, cap));
        prop_assert_eq!(decoded.bytes.len(), cap);
        prop_assert!(peak <= memory_bound(cap), "{} bytes held to decode {} of {:?}", peak, cap, coding);
    }

    /// A hand-made zstd frame of RLE blocks: a few bytes each that expand to 128 KiB, 50 MiB
    /// in all, decoded in memory for the cap alone.
    #[test]
    fn zstd_rle_bombs_stop_exactly_at_the_cap(blocks in 2..400u32, cap in 1..100_000usize) {
        const BLOCK: u32 = 128 * 1024;
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, (20 - 10) << 3];
        for index in 0..blocks {
            let last = u32::from(index == blocks - 1);
            let header = BLOCK << 3 | 1 << 1 | last;
            frame.extend_from_slice(&header.to_le_bytes()[..3]);
            frame.push(0);
        }
        let (decoded, peak) = peak_during(|| decode(&[Header::new("Content-Encoding", "zstd")], &frame, cap));
        prop_assert!(peak <= memory_bound(cap), "{} bytes held to decode {}", peak, cap);
        // At least 256 KiB of zeros, always past the cap.
        prop_assert_eq!(decoded.bytes.len(), cap);
        prop_assert!(decoded.bytes.iter().all(|&b| b == 0));
    }
}

/// JSON written with arbitrary whitespace between its tokens.
fn write_spaced(value: &Value, gaps: &[&str], at: &mut usize, out: &mut String) {
    let gap = |out: &mut String, at: &mut usize| {
        out.push_str(gaps[*at % gaps.len()]);
        *at += 1;
    };
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                gap(out, at);
                write_spaced(item, gaps, at, out);
                gap(out, at);
            }
            gap(out, at);
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                gap(out, at);
                out.push_str(&serde_json::to_string(key).unwrap());
                gap(out, at);
                out.push(':');
                gap(out, at);
                write_spaced(item, gaps, at, out);
                gap(out, at);
            }
            gap(out, at);
            out.push('}');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).unwrap()),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
        "[\\\\\"{}\\[\\],:/~ \t\n]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec(("[a-z/~\"\\\\ ]{0,5}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// How many lines `value` takes in `serde_json::to_string_pretty`, and where each pointer
/// under it starts, relative to its first line.
fn pretty_lines(
    value: &Value,
    pointer: &str,
    first: usize,
    out: &mut Vec<(String, usize)>,
) -> usize {
    out.push((pointer.to_owned(), first));
    let children: Vec<(String, &Value)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (push_token(pointer, &i.to_string()), v))
            .collect(),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| (push_token(pointer, k), v))
            .collect(),
        _ => Vec::new(),
    };
    if children.is_empty() {
        return 1;
    }
    let mut line = first + 1;
    for (child_pointer, child) in children {
        line += pretty_lines(child, &child_pointer, line, out);
    }
    line + 1 - first
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// JSON however it was spaced is laid out exactly as `serde_json::to_string_pretty` would,
    /// keeping every key and number as sent.
    #[test]
    fn json_is_pretty_printed_like_serde_json(
        value in json_value(),
        gaps in proptest::collection::vec(
            prop_oneof![Just(""), Just(" "), Just("\n"), Just("\t  "), Just("\r\n")],
            1..8,
        ),
    ) {
        let mut text = String::new();
        write_spaced(&value, &gaps, &mut 0, &mut text);
        let headers = [Header::new("Content-Type", "application/json")];
        let decoded = decode(&headers, text.as_bytes(), 1 << 20);
        prop_assert_eq!(decoded.format, Format::Json);
        let pretty = decoded.render();
        prop_assert_eq!(pretty.note, None);
        prop_assert_eq!(pretty.text, serde_json::to_string_pretty(&value).unwrap());
    }

    /// The line of every JSON Pointer in a pretty-printed body (what `Enter` on a finding
    /// jumps to) is the line where that member or element starts.
    #[test]
    fn every_pointer_finds_the_line_its_value_starts_on(value in json_value()) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let mut expected = Vec::new();
        let total = pretty_lines(&value, "", 0, &mut expected);
        prop_assert_eq!(total, pretty.lines().count());
        let pointers: Vec<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
        let found = lines_of_pointers(&pretty, &pointers);
        let wanted: Vec<Option<usize>> = expected.iter().map(|(_, line)| Some(*line)).collect();
        prop_assert_eq!(found, wanted, "{}", pretty);
    }

    /// Any text, pretty JSON or not (a body shown as sent), and any pointers: a line of the
    /// text, or the first, for each pointer.
    #[test]
    fn pointers_into_any_text_land_on_a_line_of_it(
        text in "([ {}\\[\\],:\"\\\\a-c0-9é\n]|\"[a-c\\\\\"é]{0,4}\": ){0,60}",
        pointers in proptest::collection::vec("(/[a-c0-9~é]{0,3}){0,3}", 0..5),
    ) {
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let found = lines_of_pointers(&text, &pointers);
        prop_assert_eq!(found.len(), pointers.len());
        for line in found {
            let line = line.expect("no line, not even the document's");
            prop_assert!(line < text.lines().count().max(1));
        }
    }

    /// Pointers to nothing fall back to the nearest ancestor that exists, never off the text.
    #[test]
    fn missing_pointers_land_on_a_line_of_the_text(
        value in json_value(),
        pointer in "(/[a-z~01/]{0,3}){0,4}",
    ) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let found = lines_of_pointers(&pretty, &[pointer.as_str()]);
        prop_assert_eq!(found.len(), 1);
        let line = found[0].expect("no line, not even the document's");
        prop_assert!(line < pretty.lines().count().max(1));
    }
}

#[derive(Debug, Clone)]
enum Node {
    Element {
        name: String,
        attributes: Vec<(String, String)>,
        children: Vec<Node>,
    },
    Text(String),
    Comment(String),
    Cdata(String),
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn write_xml(node: &Node, gaps: &[&str], at: &mut usize, out: &mut String) {
    match node {
        Node::Element {
            name,
            attributes,
            children,
        } => {
            out.push('<');
            out.push_str(name);
            for (key, value) in attributes {
                out.push_str(&format!(" {key}=\"{}\"", escape_xml(value)));
            }
            if children.is_empty() {
                out.push_str("/>");
                return;
            }
            out.push('>');
            for child in children {
                out.push_str(gaps[*at % gaps.len()]);
                *at += 1;
                write_xml(child, gaps, at, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Node::Text(text) => out.push_str(&escape_xml(text)),
        Node::Comment(text) => out.push_str(&format!("<!--{text}-->")),
        Node::Cdata(text) => out.push_str(&format!("<![CDATA[{text}]]>")),
    }
}

fn xml_element() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        3 => "[a-zA-Z &<>\"é]{1,10}".prop_map(Node::Text),
        1 => "[a-z ]{0,8}".prop_map(Node::Comment),
        1 => "[a-z <>&]{0,8}".prop_map(Node::Cdata),
        2 => ("[a-z]{1,4}", proptest::collection::vec(("[a-z]{1,3}", "[a-z &<\"é]{0,6}"), 0..2))
            .prop_map(|(name, attributes)| Node::Element { name, attributes, children: Vec::new() }),
    ];
    let element = leaf.prop_recursive(5, 40, 4, |inner| {
        (
            "[a-z]{1,4}",
            proptest::collection::vec(("[a-z]{1,3}", "[a-z &<\"]{0,6}"), 0..2),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(name, attributes, children)| Node::Element {
                name,
                attributes,
                children,
            })
    });
    // The document element: an element, whatever the leaf strategy picked.
    ("[a-z]{1,4}", proptest::collection::vec(element, 0..4)).prop_map(|(name, children)| {
        Node::Element {
            name,
            attributes: Vec::new(),
            children,
        }
    })
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Duplicate attribute names make a document not well-formed; keep the first of each.
fn dedupe_attributes(node: &mut Node) {
    if let Node::Element {
        attributes,
        children,
        ..
    } = node
    {
        let mut seen = Vec::new();
        attributes.retain(|(k, _)| {
            let new = !seen.contains(k);
            seen.push(k.clone());
            new
        });
        children.iter_mut().for_each(dedupe_attributes);
    }
}

fn form_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 =&+%./é{}\\[\\]\"]{0,12}",
        1 => "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Well-formed XML, however it was spaced, is only re-indented: removing whitespace from
    /// both gives the same text, and the indented form is still well-formed.
    #[test]
    fn xml_is_indented_without_changing_anything_but_whitespace(
        mut root in xml_element(),
        gaps in proptest::collection::vec(prop_oneof![Just(""), Just("\n  "), Just(" ")], 1..5),
        declaration in any::<bool>(),
    ) {
        dedupe_attributes(&mut root);
        let mut text = String::new();
        if declaration {
            text.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        write_xml(&root, &gaps, &mut 0, &mut text);
        let decoded = decode(&[Header::new("Content-Type", "application/xml")], text.as_bytes(), 1 << 20);
        prop_assert_eq!(decoded.format, Format::Xml);
        let pretty = decoded.render();
        prop_assert_eq!(pretty.note, None, "{}", text);
        prop_assert_eq!(without_whitespace(&pretty.text), without_whitespace(&text));
        let mut reader = quick_xml::Reader::from_str(&pretty.text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => return Err(TestCaseError::fail(format!("indented XML does not read: {error}\n{}", pretty.text))),
            }
        }
    }

    /// A form body gives back the pairs that were encoded, in order, duplicates kept.
    #[test]
    fn form_bodies_decode_to_the_pairs_sent(pairs in proptest::collection::vec((form_text(), form_text()), 0..8)) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter())
            .finish();
        let headers = [Header::new("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")];
        let decoded = decode(&headers, body.as_bytes(), 1 << 20);
        if pairs.is_empty() {
            prop_assert_eq!(decoded.format, Format::Empty);
        } else {
            prop_assert_eq!(decoded.format, Format::Form);
        }
        prop_assert_eq!(&decoded.form, &pairs);
        // One `name = value` line per pair (the names and values hold no newline).
        prop_assert_eq!(decoded.render().text.lines().count(), pairs.len());
    }

    /// A multipart body splits into the parts it was built from: names, file names, types and
    /// bodies byte for byte.
    #[test]
    fn multipart_bodies_split_into_the_parts_sent(
        boundary in "[A-Za-z0-9_-]{1,40}",
        quoted in any::<bool>(),
        parts in proptest::collection::vec(
            (
                "[a-z]{1,8}",
                proptest::option::of("[a-zA-Z0-9 ._-]{1,12}"),
                proptest::option::of(prop_oneof![Just("text/plain"), Just("application/octet-stream"), Just("application/json")]),
                proptest::collection::vec(any::<u8>(), 0..200),
            ),
            1..5,
        ),
    ) {
        let delimiter = format!("--{boundary}");
        prop_assume!(parts.iter().all(|(.., body)| !body.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())));
        let mut body = Vec::new();
        for (name, filename, content_type, content) in &parts {
            body.extend_from_slice(format!("{delimiter}\r\n").as_bytes());
            let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
            if let Some(filename) = filename {
                disposition.push_str(&format!("; filename=\"{filename}\""));
            }
            body.extend_from_slice(format!("{disposition}\r\n").as_bytes());
            if let Some(content_type) = content_type {
                body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("{delimiter}--\r\n").as_bytes());
        let boundary_param = if quoted { format!("\"{boundary}\"") } else { boundary.clone() };
        let headers = [Header::new("Content-Type", format!("multipart/form-data; boundary={boundary_param}"))];
        let decoded = decode(&headers, &body, 1 << 20);
        prop_assert_eq!(decoded.format, Format::Multipart, "{:?}", decoded.notes);
        prop_assert_eq!(decoded.parts.len(), parts.len());
        for (part, (name, filename, content_type, content)) in decoded.parts.iter().zip(&parts) {
            prop_assert_eq!(part.name.as_deref(), Some(name.as_str()));
            prop_assert_eq!(part.filename.as_deref(), filename.as_deref());
            prop_assert_eq!(part.content_type.as_deref(), *content_type);
            prop_assert_eq!(&part.body[..], &content[..]);
        }
        decoded.render();
    }

    /// Text in a declared legacy charset reads back as the text that was encoded.
    #[test]
    fn declared_charsets_decode_to_the_text_sent(
        (label, text) in prop_oneof![
            (prop_oneof![Just("latin1"), Just("ISO-8859-1"), Just("windows-1252"), Just("cp1252")], "[a-zA-Z0-9 .,!?éàüßøÆ€£©\n]{1,60}"),
            (prop_oneof![Just("shift_jis"), Just("Shift-JIS"), Just("sjis")], "[a-z0-9 ぁ-ゖ。、\n]{1,40}"),
            (prop_oneof![Just("koi8-r"), Just("KOI8-R")], "[a-z0-9 а-яА-Я\n]{1,40}"),
            (prop_oneof![Just("utf-16le"), Just("UTF-16BE")], "[a-z0-9 é€ぁ-ゖ\n]{1,40}"),
        ],
        media in prop_oneof![Just("text/plain"), Just("application/json"), Just("text/xml")],
    ) {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
        let bytes: Vec<u8> = match encoding.name() {
            // encoding_rs only decodes UTF-16; encode it by hand.
            "UTF-16LE" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            "UTF-16BE" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            _ => {
                let (bytes, _, unmappable) = encoding.encode(&text);
                prop_assume!(!unmappable);
                bytes.into_owned()
            }
        };
        // A byte order mark wins over the declared charset, by design.
        prop_assume!(encoding_rs::Encoding::for_bom(&bytes).is_none());
        let headers = [Header::new("Content-Type", format!("{media}; charset={label}"))];
        let decoded = decode(&headers, &bytes, 1 << 20);
        prop_assert_eq!(decoded.charset, Some(encoding.name()));
        prop_assert_eq!(decoded.text.as_deref(), Some(text.as_str()));
    }

    /// A hex dump shows every byte once, in order, at the offset it is at, in rows no wider
    /// than `hex_row_width`, with nothing but printable ASCII and newlines.
    #[test]
    fn hex_dumps_hold_every_byte_at_its_offset(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        per_row in 1..40usize,
    ) {
        let dump = hex_dump_rows(&bytes, per_row);
        prop_assert!(dump.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)));
        let hex_end = 10 + per_row * 3 + usize::from(per_row > 8);
        let mut read_back = Vec::new();
        for (row, line) in dump.lines().enumerate() {
            prop_assert!(line.len() <= hex_row_width(per_row), "{:?}", line);
            prop_assert_eq!(&line[..8], format!("{:08x}", row * per_row));
            let chunk_start = read_back.len();
            for token in line[10..hex_end].split_whitespace() {
                read_back.push(u8::from_str_radix(token, 16).unwrap());
            }
            let chunk = &read_back[chunk_start..];
            prop_assert!(!chunk.is_empty() && chunk.len() <= per_row);
            let ascii: String = chunk
                .iter()
                .map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' })
                .collect();
            prop_assert_eq!(&line[hex_end..], format!(" |{ascii}|"));
            if chunk.len() == per_row {
                prop_assert_eq!(line.len(), hex_row_width(per_row));
            }
        }
        prop_assert_eq!(read_back, bytes);
    }
}
