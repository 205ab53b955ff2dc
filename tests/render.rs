//! The hex-dump renderer, checked by comparing whole plain-text dumps: field
//! rows and labels, continuation rows, repeated-block flags, marks, notes,
//! colour that adds nothing the plain text lacks, and the JSON form.

use cryptolab::render::{Dump, Renderer, Span, SpanKind, dump_json};
use cryptolab::suite::{Cipher, Suite, layout};

fn plain(dump: &Dump) -> String {
    let mut out = Vec::new();
    Renderer::new().render(&mut out, dump).unwrap();
    String::from_utf8(out).unwrap()
}

/// A synthetic frame: 2 header bytes, an IV, two equal ciphertext blocks and
/// a third one, and a 20-byte tag that continues on a second row.
fn frame() -> Vec<u8> {
    let mut b = vec![0x01, 0x02];
    b.extend((0u8..16).collect::<Vec<_>>());
    b.extend(b"YELLOW SUBMARINE");
    b.extend(b"YELLOW SUBMARINE");
    b.extend(b"another block!!!");
    b.extend([0xaa; 20]);
    b
}

fn frame_dump(bytes: &[u8]) -> Dump<'_> {
    Dump::new("frame 1", bytes).spans(
        [Span::new("ver", SpanKind::Header, 0..1), Span::new("suite", SpanKind::Header, 1..2)]
            .into_iter()
            .chain(layout::body_spans(Suite::CbcHmac, 2, bytes.len() - 2 - 20 + 32).into_iter().take(4))
            .chain([Span::new("tag", SpanKind::Tag, 66..86).with_note("truncated")]),
    )
}

#[test]
fn whole_dump_with_repeat_flag_and_continuation_row() {
    let bytes = frame();
    let expected = "\
frame 1
  offset  field          hex                                               ascii
  0000    ver            01                                                |.|
  0001    suite          02                                                |.|
  0002    iv             00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|
  0012    ct[0]          59 45 4c 4c 4f 57 20 53  55 42 4d 41 52 49 4e 45  |YELLOW SUBMARINE|
  0022    ct[1] = ct[0]  59 45 4c 4c 4f 57 20 53  55 42 4d 41 52 49 4e 45  |YELLOW SUBMARINE|
  0032    ct[2]          61 6e 6f 74 68 65 72 20  62 6c 6f 63 6b 21 21 21  |another block!!!|
  0042    tag            aa aa aa aa aa aa aa aa  aa aa aa aa aa aa aa aa  |................|  truncated
  0052                   aa aa aa aa                                       |....|
  repeated ciphertext blocks: ct[1] = ct[0]
";
    assert_eq!(plain(&frame_dump(&bytes)), expected);
}

#[test]
fn marked_bytes_get_carets_and_uncovered_bytes_are_shown() {
    let bytes: Vec<u8> = (0x41u8..0x41 + 20).collect();
    let dump = Dump::new("marks", &bytes)
        .spans([Span::new("pt[0]", SpanKind::Plaintext, 0..16)])
        .mark(1..2)
        .mark(9..11);
    let expected = "\
marks
  offset  field  hex                                               ascii
  0000    pt[0]  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|
                    ^^                       ^^ ^^
  0010           51 52 53 54                                       |QRST|
";
    assert_eq!(plain(&dump), expected);
}

#[test]
fn padding_span_has_its_own_row_and_note() {
    let cipher = Cipher::new(Suite::Ecb, &[0u8; 16], None).unwrap();
    let body = cipher.seal(&[], b"HELLO", &mut rand::rng());
    let mut padded = Vec::new();
    let len = cipher.open_into(&[], &body, &mut padded).unwrap();
    let dump = Dump::new("plaintext", &padded).spans(layout::plaintext_spans(len, padded.len()));
    let expected = "\
plaintext
  offset  field  hex                                               ascii
  0000    pt[0]  48 45 4c 4c 4f                                    |HELLO|
  0005    pad    0b 0b 0b 0b 0b 0b 0b 0b  0b 0b 0b                 |...........|  pkcs#7: 11 × 0x0b
";
    assert_eq!(plain(&dump), expected);
}

#[test]
fn colour_adds_escapes_but_no_meaning() {
    let bytes = frame();
    let mut coloured = Vec::new();
    Renderer::new().color(true).render(&mut coloured, &frame_dump(&bytes)).unwrap();
    let coloured = String::from_utf8(coloured).unwrap();
    assert!(coloured.contains('\x1b'), "colour on writes ANSI escapes");
    assert_eq!(strip_ansi(&coloured), plain(&frame_dump(&bytes)));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn json_carries_the_same_spans() {
    let bytes = frame();
    let v = dump_json(&frame_dump(&bytes));
    assert_eq!(v["title"], "frame 1");
    assert_eq!(v["len"], 86);
    let spans = v["spans"].as_array().unwrap();
    let labels: Vec<&str> = spans.iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["ver", "suite", "iv", "ct[0]", "ct[1]", "ct[2]", "tag"]);
    assert_eq!(spans[4]["same_as"], "ct[0]");
    assert_eq!(spans[4]["kind"], "ciphertext");
    assert_eq!(spans[2]["hex"], "000102030405060708090a0b0c0d0e0f");
    assert_eq!(spans[6]["len"], 20);
    let mut line = Vec::new();
    Renderer::new().json(&mut line, &frame_dump(&bytes)).unwrap();
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1, "one JSON object per line");
}

// ---- the terminal's width ----

fn at(columns: usize, dump: &Dump) -> String {
    let mut out = Vec::new();
    Renderer::new().columns(columns).render(&mut out, dump).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn at_80_columns_a_dump_shows_8_bytes_per_row_and_fits() {
    let bytes = frame();
    let expected = "\
frame 1
  offset  field          hex                      ascii
  0000    ver            01                       |.|
  0001    suite          02                       |.|
  0002    iv             00 01 02 03 04 05 06 07  |........|
  000a                   08 09 0a 0b 0c 0d 0e 0f  |........|
  0012    ct[0]          59 45 4c 4c 4f 57 20 53  |YELLOW S|
  001a                   55 42 4d 41 52 49 4e 45  |UBMARINE|
  0022    ct[1] = ct[0]  59 45 4c 4c 4f 57 20 53  |YELLOW S|
  002a                   55 42 4d 41 52 49 4e 45  |UBMARINE|
  0032    ct[2]          61 6e 6f 74 68 65 72 20  |another |
  003a                   62 6c 6f 63 6b 21 21 21  |block!!!|
  0042    tag            aa aa aa aa aa aa aa aa  |........|  truncated
  004a                   aa aa aa aa aa aa aa aa  |........|
  0052                   aa aa aa aa              |....|
  repeated ciphertext blocks: ct[1] = ct[0]
";
    assert_eq!(at(80, &frame_dump(&bytes)), expected);
    // 120 columns (the default off a terminal) hold a block per row and its note.
    assert_eq!(at(120, &frame_dump(&bytes)), plain(&frame_dump(&bytes)));
    // 100 hold the block, and the note goes under its row.
    assert!(
        at(100, &frame_dump(&bytes)).contains("|................|\n                         truncated\n")
    );
}

#[test]
fn a_cross_frame_reference_too_long_for_the_column_becomes_a_numbered_note() {
    let block = *b"YELLOW SUBMARINE";
    let mut memory = cryptolab::render::BlockMemory::default();
    memory.tag = "client 1 → server #2".into();
    let first = Dump::new("first", &block).spans([Span::new("ct[0]", SpanKind::Ciphertext, 0..16)]);
    let r = Renderer::new().columns(60);
    r.render_remembering(&mut Vec::new(), &first, &mut memory).unwrap();
    let mut out = Vec::new();
    let again = Dump::new("again", &block).spans([Span::new("ct[0]", SpanKind::Ciphertext, 0..16)]);
    r.render_remembering(&mut out, &again, &mut memory).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("ct[0] = [1]"), "{text}");
    assert!(text.contains("[1] ct[0] is client 1 → server #2 ct[0]"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
}

#[test]
fn a_note_that_does_not_fit_beside_its_row_goes_below_it() {
    let bytes = [0x10u8; 16];
    let dump = Dump::new("pad", &bytes).spans([Span::new("pad", SpanKind::Padding, 0..16)
        .with_note("pkcs#7: 16 × 0x10, a whole block of padding for a message of 32 bytes")]);
    let text = at(60, &dump);
    assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
    assert!(text.contains("pkcs#7: 16 × 0x10"), "{text}");
}

#[test]
fn fit_wraps_long_lines_under_their_marker_and_keeps_table_columns() {
    use cryptolab::render::fit;
    let text = "  BROKEN cbc: the server now reads role=admin, and no other byte changed at all.";
    assert_eq!(
        fit(text, 50),
        "  BROKEN cbc: the server now reads role=admin, and\n         no other byte changed at all."
    );
    let row = "  header: suite    → another suite's byte   sender speaks gcm, receiver speaks cbc-hmac";
    let fitted = fit(row, 70);
    let lines: Vec<&str> = fitted.lines().collect();
    assert_eq!(lines[0], "  header: suite    → another suite's byte   sender speaks gcm,");
    assert_eq!(lines[1], format!("{}receiver speaks cbc-hmac", " ".repeat(44)));
    // Short lines are left alone, spaces and all.
    assert_eq!(fit("a  b   c", 80), "a  b   c");
}
