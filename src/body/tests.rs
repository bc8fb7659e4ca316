//! End-to-end tests of `decode_body` and `pretty`, and property tests that no input can make
//! them panic.

use std::io::Write;

use bytes::Bytes;
use proptest::prelude::*;

use super::*;

fn content_type(value: &str) -> Vec<Header> {
    vec![Header::new("Content-Type", value)]
}

fn decode(headers: &[Header], body: &[u8]) -> DecodedBody {
    decode_body(
        headers,
        &Bytes::copy_from_slice(body),
        BodyLimits::default(),
    )
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn declared_json_is_cheap_and_shares_the_raw_bytes() {
    let raw = Bytes::from_static(b"{\"b\":1,\"a\":2}");
    let body = decode_body(
        &content_type("application/json; charset=utf-8"),
        &raw,
        BodyLimits::default(),
    );
    assert_eq!(body.declared_type.as_deref(), Some("application/json"));
    assert_eq!(body.format, Format::Json);
    assert!(!body.sniffed);
    assert!(body.codings.is_empty());
    assert_eq!(body.bytes.as_ptr(), raw.as_ptr());
    assert_eq!(body.charset, Some("UTF-8"));
    assert_eq!(body.text.as_deref(), Some("{\"b\":1,\"a\":2}"));
    assert!(body.notes.is_empty());
}

#[test]
fn search_bytes_borrow_plain_bodies_and_undo_codings_like_decode_body() {
    let json = content_type("application/json");
    let plain = without_content_codings(&json, b"{\"a\":1}", BodyLimits::default());
    assert!(matches!(plain, Cow::Borrowed(b"{\"a\":1}")));

    let mut gzipped = json.clone();
    gzipped.push(Header::new("Content-Encoding", "gzip"));
    let compressed = gzip(b"{\"a\":2}");
    let undone = without_content_codings(&gzipped, &compressed, BodyLimits::default());
    assert_eq!(&*undone, b"{\"a\":2}");
    assert_eq!(&*undone, &decode(&gzipped, &compressed).bytes[..]);
    let unannounced = without_content_codings(&json, &compressed, BodyLimits::default());
    assert_eq!(&*unannounced, b"{\"a\":2}");
}

#[test]
fn declared_json_that_does_not_parse_is_still_json_until_pretty() {
    let body = decode(&content_type("application/json"), b"{\"a\": oops}");
    assert_eq!(body.format, Format::Json);
    assert!(body.notes.is_empty());
    let rendered = body.render();
    assert_eq!(rendered.text, "{\"a\": oops}");
    assert!(
        rendered
            .note
            .as_deref()
            .is_some_and(|note| note.starts_with("JSON shown as received: not valid JSON")),
        "{rendered:?}"
    );
}

/// `{"a":{"a":...1}}`, `depth` levels: 58.6 KiB at 10,000 levels.
fn nested_json(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

#[test]
fn deeply_nested_json_is_valid_and_shown_as_received() {
    let deep = nested_json(10_000);
    for headers in [content_type("application/json"), Vec::new()] {
        let body = decode(&headers, deep.as_bytes());
        assert_eq!(body.format, Format::Json, "sniffed too");
        let rendered = body.render();
        assert_eq!(rendered.text, deep);
        assert_eq!(
            rendered.note.as_deref(),
            Some(
                "JSON shown as received: valid, but nested 10,000 levels deep, deeper than \
                 the pretty-printer goes (127 levels)"
            )
        );
    }
    // Up to the limit it is indented as usual.
    let rendered = decode(
        &content_type("application/json"),
        nested_json(127).as_bytes(),
    )
    .render();
    assert_eq!(rendered.note, None);
    assert_eq!(rendered.text.lines().count(), 2 * 127 + 1);
}

#[test]
fn gzip_json_is_decoded_end_to_end() {
    let mut headers = content_type("application/vnd.github+json");
    headers.push(Header::new("Content-Encoding", "gzip"));
    let body = decode(&headers, &gzip(b"[1, 2]"));
    assert_eq!(body.codings, ["gzip"]);
    assert_eq!(&body.bytes[..], b"[1, 2]");
    assert_eq!(body.format, Format::Json);
    assert_eq!(body.pretty(), "[\n  1,\n  2\n]");
}

#[test]
fn curl_style_form_declared_json() {
    let form = content_type("application/x-www-form-urlencoded");
    let body = decode(&form, b"{\"event\":\"deploy\",\"ok\":true}");
    assert_eq!(body.format, Format::Json);
    assert!(body.sniffed);
    assert!(body.form.is_empty());
    assert!(
        body.notes[0].contains("JSON although it was declared"),
        "{:?}",
        body.notes
    );
    assert_eq!(
        body.pretty(),
        "{\n  \"event\": \"deploy\",\n  \"ok\": true\n}"
    );

    // Starts like JSON but is not: a form it stays.
    let body = decode(&form, b"{broken=1");
    assert_eq!(body.format, Format::Form);
    assert!(!body.sniffed);
    assert_eq!(body.form, [("{broken".to_string(), "1".to_string())]);
}

#[test]
fn form_pairs_and_pretty() {
    let body = decode(
        &content_type("application/x-www-form-urlencoded"),
        b"name=Ada+Lovelace&lang=en&lang=fr&note=50%25",
    );
    assert_eq!(body.format, Format::Form);
    assert_eq!(body.form.len(), 4);
    assert_eq!(body.form[3], ("note".to_string(), "50%".to_string()));
    assert_eq!(
        body.text.as_deref(),
        Some("name=Ada+Lovelace&lang=en&lang=fr&note=50%25")
    );
    assert_eq!(
        body.pretty(),
        "name = Ada Lovelace\nlang = en\nlang = fr\nnote = 50%\n"
    );
}

#[test]
fn declared_json_with_binary_bytes_is_binary() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let body = decode(&content_type("application/json"), png);
    assert_eq!(body.format, Format::Binary);
    assert!(body.sniffed);
    assert_eq!(body.text, None);
    assert_eq!(body.charset, None);
    assert!(
        body.notes[0].starts_with("declared as application/json but the body is not text"),
        "{:?}",
        body.notes
    );
    assert_eq!(body.pretty(), hex_dump(png));
}

#[test]
fn declared_json_with_a_few_bad_bytes_is_json_with_a_note() {
    let body = decode(&content_type("application/json"), b"{\"name\":\"Jos\xe9\"}");
    assert_eq!(body.format, Format::Json);
    assert_eq!(body.text.as_deref(), Some("{\"name\":\"Jos\u{fffd}\"}"));
    assert!(
        body.notes[0].contains("not valid UTF-8"),
        "{:?}",
        body.notes
    );
}

#[test]
fn charset_from_content_type_and_bom() {
    let body = decode(&content_type("text/plain; charset=latin1"), b"na\xefve");
    assert_eq!(body.format, Format::Text);
    assert_eq!(body.charset, Some("windows-1252"));
    assert_eq!(body.text.as_deref(), Some("naïve"));

    let body = decode(&content_type("text/plain; charset=bogus"), b"plain");
    assert_eq!(body.charset, Some("UTF-8"));
    assert!(
        body.notes[0].contains("unknown charset \"bogus\""),
        "{:?}",
        body.notes
    );

    let utf16: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain("{\"k\":\"v\"}".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let body = decode(&[], &utf16);
    assert_eq!(body.format, Format::Json);
    assert_eq!(body.charset, Some("UTF-16BE"));
    assert_eq!(body.text.as_deref(), Some("{\"k\":\"v\"}"));
}

#[test]
fn control_characters_are_kept() {
    let body = decode(
        &content_type("text/plain"),
        b"red \x1b[31mX\x1b[0m\x07 done",
    );
    assert_eq!(body.text.as_deref(), Some("red \x1b[31mX\x1b[0m\x07 done"));
    assert_eq!(body.pretty(), "red \x1b[31mX\x1b[0m\x07 done");
}

#[test]
fn sniffing_without_a_specific_type() {
    let table: [(&[u8], Format); 10] = [
        (b"{\"a\":1}", Format::Json),
        (b"\n [true]", Format::Json),
        (b"<?xml version=\"1.0\"?><r/>", Format::Xml),
        (b"<!DOCTYPE html><html></html>", Format::Html),
        (b"a=1&b=2", Format::Form),
        (b"hello, world\n", Format::Text),
        (b"{oops", Format::Text),
        (b"\x00\x01\x02\x03binary", Format::Binary),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", Format::Binary),
        (b"", Format::Empty),
    ];
    for declared in [None, Some("application/octet-stream"), Some("nonsense")] {
        let headers = declared.map(content_type).unwrap_or_default();
        for (bytes, expected) in table {
            let body = decode(&headers, bytes);
            assert_eq!(body.format, expected, "{declared:?} {bytes:?}");
            assert_eq!(body.sniffed, expected != Format::Empty, "{bytes:?}");
        }
    }
    let body = decode(&[], b"a=1&b=two+words");
    assert_eq!(body.form[1], ("b".to_string(), "two words".to_string()));
}

#[test]
fn declared_type_wins_when_specific() {
    let body = decode(&content_type("text/plain"), b"{\"a\":1}");
    assert_eq!(body.format, Format::Text);
    assert!(!body.sniffed);
    let body = decode(&content_type("application/xml"), b"not xml at all");
    assert_eq!(body.format, Format::Xml);
    assert_eq!(body.declared_type.as_deref(), Some("application/xml"));
}

#[test]
fn empty_body() {
    let body = decode(&content_type("application/json"), b"");
    assert_eq!(body.format, Format::Empty);
    assert_eq!(body.text, None);
    assert_eq!(body.pretty(), "");
}

fn multipart_sample() -> (Vec<u8>, &'static [u8]) {
    let file: &[u8] = b"\x00\x01\x02\xffbinary\x00";
    let mut body = Vec::new();
    body.extend_from_slice(b"--=_b\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\n");
    body.extend_from_slice(b"push\r\n--=_b\r\nContent-Disposition: form-data; name=\"meta\"\r\n");
    body.extend_from_slice(b"Content-Type: application/json\r\n\r\n{\"n\":1}\r\n");
    body.extend_from_slice(b"--=_b\r\nContent-Disposition: form-data; name=\"dump\"; ");
    body.extend_from_slice(b"filename=\"core.bin\"\r\n");
    body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--=_b--\r\n");
    (body, file)
}

#[test]
fn multipart_with_fields_and_a_binary_file() {
    let (raw, file) = multipart_sample();
    let body = decode(&content_type("multipart/form-data; boundary=\"=_b\""), &raw);
    assert_eq!(body.format, Format::Multipart);
    assert!(!body.sniffed);
    assert!(body.notes.is_empty(), "{:?}", body.notes);
    assert_eq!(body.text, None);
    assert_eq!(body.parts.len(), 3);
    assert_eq!(body.parts[0].text.as_deref(), Some("push"));
    assert_eq!(
        body.parts[1].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(body.parts[2].filename.as_deref(), Some("core.bin"));
    assert_eq!(&body.parts[2].body[..], file);
    assert_eq!(body.parts[2].text, None);

    let pretty = body.pretty();
    let expected_start = "--- part 1 of 3 ---\n\
                          Content-Disposition: form-data; name=\"event\"\n\
                          \n\
                          push\n\
                          \n\
                          --- part 2 of 3 ---\n";
    assert!(pretty.starts_with(expected_start), "{pretty}");
    assert!(
        pretty.contains("{\"n\":1}\n\n--- part 3 of 3 ---\n"),
        "{pretty}"
    );
    assert!(pretty.ends_with(&hex_dump(file)), "{pretty}");
}

#[test]
fn multipart_without_a_boundary_is_shown_whole() {
    let (raw, _) = multipart_sample();
    let body = decode(&content_type("multipart/form-data"), &raw);
    assert_eq!(body.format, Format::Binary);
    assert!(body.sniffed);
    assert!(body.parts.is_empty());
    assert!(
        body.notes[0].contains("no boundary parameter"),
        "{:?}",
        body.notes
    );

    let body = decode(&content_type("multipart/mixed"), b"some text");
    assert_eq!(body.format, Format::Text);
    assert_eq!(body.text.as_deref(), Some("some text"));
}

#[test]
fn pretty_json_keeps_key_order() {
    let body = decode(
        &content_type("application/json"),
        br#"{"zebra":1,"apple":{"y":[],"x":"s"},"mango":[1.50,{}]}"#,
    );
    assert_eq!(
        body.pretty(),
        "{\n  \"zebra\": 1,\n  \"apple\": {\n    \"y\": [],\n    \"x\": \"s\"\n  },\n  \
         \"mango\": [\n    1.50,\n    {}\n  ]\n}"
    );
}

#[test]
fn pretty_xml_and_html() {
    let body = decode(
        &content_type("text/xml"),
        b"<order id=\"7\"><item>tea</item><item>milk</item></order>",
    );
    assert_eq!(
        body.pretty(),
        "<order id=\"7\">\n  <item>tea</item>\n  <item>milk</item>\n</order>"
    );

    let broken = decode(&content_type("application/xml"), b"<a><b></a>");
    let rendered = broken.render();
    assert_eq!(rendered.text, "<a><b></a>");
    assert!(
        rendered
            .note
            .is_some_and(|note| note.starts_with("XML shown as received"))
    );

    // Ordinary HTML is rarely well-formed: shown as is, without a note.
    let html = "<!doctype html><p>one<br>two</p>";
    let rendered = decode(&content_type("text/html"), html.as_bytes()).render();
    let expected = Pretty {
        text: html.to_string(),
        note: None,
        hex: false,
    };
    assert_eq!(rendered, expected);
}

#[test]
fn decompression_bomb_is_cut_at_the_limit() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..8 {
        encoder.write_all(&zeros).unwrap();
    }
    let mut headers = content_type("text/plain");
    headers.push(Header::new("content-encoding", "GZIP"));
    let limits = BodyLimits {
        max_decoded: 100_000,
    };
    let body = decode_body(&headers, &Bytes::from(encoder.finish().unwrap()), limits);
    assert_eq!(body.bytes.len(), 100_000);
    assert_eq!(body.format, Format::Text);
    assert_eq!(body.codings, ["gzip"]);
    assert!(body.notes[0].contains("display limit"), "{:?}", body.notes);
}

#[test]
fn garbage_headers_do_not_break_anything() {
    let headers = vec![
        Header::new("Content-Type", b"\xff\xfe;;charset=\"\xc3".to_vec()),
        Header::new("Content-Encoding", b"\xff, ,gzip,,".to_vec()),
    ];
    let body = decode(&headers, b"plain text");
    assert_eq!(&body.bytes[..], b"plain text");
    assert!(!body.notes.is_empty());
}

#[test]
fn labels_and_defaults() {
    assert_eq!(Format::Json.label(), "JSON");
    assert_eq!(Format::Multipart.label(), "multipart");
    assert_eq!(BodyLimits::default().max_decoded, 64 << 20);
}

/// Content-Type values: the interesting ones, and anything at all.
fn any_content_type() -> impl Strategy<Value = Option<Vec<u8>>> {
    let known = prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-16",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "multipart/form-data; boundary=\"\"",
        "multipart/mixed",
        "text/xml",
        "text/html; charset=shift_jis",
        "text/plain; charset=iso-2022-kr",
        "application/octet-stream",
    ])
    .prop_map(|value| value.as_bytes().to_vec());
    prop_oneof![
        Just(None),
        known.prop_map(Some),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Some),
    ]
}

fn any_content_encoding() -> impl Strategy<Value = Option<Vec<u8>>> {
    let known = prop::sample::select(vec![
        "gzip", "deflate", "br", "zstd", "identity", "gzip, br", "x-gzip", "compress",
    ])
    .prop_map(|value| value.as_bytes().to_vec());
    prop_oneof![
        Just(None),
        known.prop_map(Some),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Some),
    ]
}

/// Bodies that reach the structured paths: markup, JSON, form and multipart fragments.
fn structured_body() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "<a>",
        "</a>",
        "<b x='1'/>",
        "<?xml version=\"1.0\"?>",
        "<!-- c -->",
        "&amp;",
        "<![CDATA[",
        "]]>",
        "{",
        "}",
        "[",
        "]",
        "\"k\"",
        ":",
        ",",
        "1e5",
        "null",
        "a=b",
        "&",
        "%",
        "+",
        "\r\n",
        "\n",
        "--b",
        "--b--",
        "Content-Disposition: form-data; name=\"x\"",
        "Content-Type: text/plain",
        "\u{feff}",
        "\u{e9}",
        " ",
        "\0",
        "\u{1b}",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat().into_bytes())
}

fn headers_of(content_type: Option<Vec<u8>>, encoding: Option<Vec<u8>>) -> Vec<Header> {
    let mut headers = Vec::new();
    if let Some(value) = content_type {
        headers.push(Header::new("Content-Type", value));
    }
    if let Some(value) = encoding {
        headers.push(Header::new("Content-Encoding", value));
    }
    headers
}

fn check_invariants(headers: &[Header], raw: &Bytes, limits: BodyLimits) {
    let body = decode_body(headers, raw, limits);
    let pretty = body.render();
    let has_encoding = headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-encoding"));
    if !has_encoding && !raw.starts_with(&[0x1f, 0x8b, 0x08]) {
        assert_eq!(&body.bytes, raw);
        assert!(body.codings.is_empty());
    }
    if !body.codings.is_empty() {
        assert!(body.bytes.len() <= limits.max_decoded);
    }
    assert_eq!(body.format == Format::Empty, body.bytes.is_empty());
    let has_text = matches!(
        body.format,
        Format::Json | Format::Xml | Format::Html | Format::Form | Format::Text
    );
    assert_eq!(body.text.is_some(), has_text, "{:?}", body.format);
    assert_eq!(body.charset.is_some(), has_text);
    if body.format != Format::Multipart {
        assert!(body.parts.is_empty());
    }
    if body.format == Format::Empty {
        assert_eq!(pretty.text, "");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        raw in prop::collection::vec(any::<u8>(), 0..2048),
        content_type in any_content_type(),
        encoding in any_content_encoding(),
    ) {
        let headers = headers_of(content_type, encoding);
        check_invariants(&headers, &Bytes::from(raw), BodyLimits { max_decoded: 1024 });
    }

    #[test]
    fn never_panics_on_structured_bodies(
        raw in structured_body(),
        content_type in any_content_type(),
    ) {
        let headers = headers_of(content_type, None);
        check_invariants(&headers, &Bytes::from(raw), BodyLimits::default());
    }

    #[test]
    fn never_panics_on_damaged_compressed_bodies(
        data in prop::collection::vec(any::<u8>(), 0..512),
        coding in prop::sample::select(vec!["gzip", "deflate", "br", "zstd"]),
        damage in (any::<prop::sample::Index>(), any::<u8>()),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut compressed = compress(coding, &data);
        let at = damage.0.index(compressed.len());
        compressed[at] ^= damage.1;
        compressed.truncate(cut.index(compressed.len()) + 1);
        let headers = headers_of(Some(b"application/json".to_vec()), Some(coding.into()));
        check_invariants(&headers, &Bytes::from(compressed), BodyLimits { max_decoded: 256 });
    }

    #[test]
    fn compressed_bodies_round_trip(
        data in prop::collection::vec(any::<u8>(), 1..512),
        coding in prop::sample::select(vec!["gzip", "deflate", "br", "zstd"]),
    ) {
        let headers = headers_of(None, Some(coding.into()));
        let body = decode(&headers, &compress(coding, &data));
        prop_assert_eq!(&body.bytes[..], &data[..]);
        prop_assert_eq!(body.codings, vec![coding.to_string()]);
    }
}

fn compress(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => gzip(data),
        "deflate" => {
            let mut encoder =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(data).unwrap();
            encoder.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            {
                let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 5, 20);
                encoder.write_all(data).unwrap();
            }
            out
        }
        _ => ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest),
    }
}
