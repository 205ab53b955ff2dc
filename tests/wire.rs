//! The wire frame against hostile bytes, and the header as associated data.
//!
//! - proptest: any byte string fed to the decoder gives a frame, "need more",
//!   or a typed error — never a panic, never an allocation over the limit;
//! - in cbc-hmac and gcm a frame whose header (sequence number, kind) is
//!   changed is rejected; in ecb and cbc it is accepted — the replay lesson.

use cryptolab::suite::{Cipher, Suite, SuiteError};
use cryptolab::wire::{self, DEFAULT_MAX_BODY, HEADER_LEN, Header, Kind, WireError};
use proptest::prelude::*;
use rand::SeedableRng;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), max in 0u32..64) {
        match wire::take_frame(&bytes, max) {
            Ok(Some((h, body, used))) => {
                prop_assert!(h.len <= max);
                prop_assert_eq!(body.len(), h.len as usize);
                prop_assert_eq!(used, HEADER_LEN + body.len());
            }
            Ok(None) => prop_assert!(bytes.len() < HEADER_LEN + max as usize),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = wire::decode_frame(&bytes, max);
    }

    #[test]
    fn valid_headers_round_trip(suite in 1u8..=4, kind in 1u8..=4, seq in any::<u64>(), len in 0u32..=DEFAULT_MAX_BODY) {
        let h = Header {
            suite: wire::suite_from_code(suite).unwrap(),
            kind: Kind::from_code(kind).unwrap(),
            seq,
            len,
        };
        prop_assert_eq!(Header::decode(&h.encode(), DEFAULT_MAX_BODY), Ok(h));
    }
}

fn frame(cipher: &Cipher, seq: u64, text: &[u8]) -> Vec<u8> {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seq);
    let len = cipher.suite().body_len(text.len()) as u32;
    let header = Header { suite: cipher.suite(), kind: Kind::Message, seq, len };
    let mut f = header.encode().to_vec();
    f.extend(cipher.seal(&header.encode(), text, &mut rng));
    f
}

#[test]
fn changed_sequence_number_is_caught_only_by_authenticated_suites() {
    for suite in Suite::ALL {
        let cipher = Cipher::new(suite, &[3u8; 16], Some(b"mac")).unwrap();
        let mut f = frame(&cipher, 5, b"transfer 100 to bob");
        f[11] = 6; // seq 5 → 6: what a replayed frame looks like to a receiver expecting 6
        let (h, body) = wire::decode_frame(&f, DEFAULT_MAX_BODY).unwrap();
        assert_eq!(h.seq, 6);
        let head: [u8; HEADER_LEN] = f[..HEADER_LEN].try_into().unwrap();
        let opened = cipher.open(&head, body);
        if suite.is_authenticated() {
            assert_eq!(opened, Err(SuiteError::Rejected), "{suite}");
        } else {
            assert_eq!(opened.unwrap(), b"transfer 100 to bob", "{suite} cannot tell");
        }
    }
}

#[test]
fn hostile_length_is_refused_with_the_field_named() {
    let cipher = Cipher::new(Suite::Cbc, &[3u8; 16], None).unwrap();
    let mut f = frame(&cipher, 7, b"hi");
    f[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        wire::take_frame(&f, DEFAULT_MAX_BODY),
        Err(WireError::TooLong { len: u32::MAX, max: DEFAULT_MAX_BODY })
    );
}

#[test]
fn frame_spans_label_header_fields_and_body() {
    let cipher = Cipher::new(Suite::CbcHmac, &[3u8; 16], Some(b"mac")).unwrap();
    let f = frame(&cipher, 1, b"hello");
    let (h, _) = wire::decode_frame(&f, DEFAULT_MAX_BODY).unwrap();
    let labels: Vec<String> = wire::frame_spans(&h, f.len()).into_iter().map(|s| s.label).collect();
    assert_eq!(labels, ["version", "suite", "kind", "flags", "seq", "length", "iv", "ct[0]", "tag"]);
}

#[test]
fn protocol_doc_worked_example_is_a_real_frame() {
    // docs/PROTOCOL.md, "Worked example".
    let f = hex::decode(
        "01040200000000000000000100000026cafebabefacedbaddecaf888e11cabdaeadba163c572220cef91f2c8881ccb721096ecd3c01c",
    )
    .unwrap();
    let (h, body) = wire::decode_frame(&f, DEFAULT_MAX_BODY).unwrap();
    assert_eq!((h.suite, h.kind, h.seq, h.len), (Suite::Gcm, Kind::Message, 1, 38));
    let cipher =
        Cipher::new(Suite::Gcm, &hex::decode("000102030405060708090a0b0c0d0e0f").unwrap(), None).unwrap();
    assert_eq!(cipher.open(&f[..HEADER_LEN], body).unwrap(), b"hello, bob");
    assert!(std::fs::read_to_string("docs/PROTOCOL.md").unwrap().contains(&hex::encode(&f)));
}

#[test]
fn protocol_md_names_every_suite_byte_and_body() {
    // docs/PROTOCOL.md is written by hand: a suite added to the table but not
    // to the document fails here.
    let doc = std::fs::read_to_string("docs/PROTOCOL.md").unwrap();
    let suite_row =
        doc.lines().find(|l| l.starts_with("| 1  | 1 | suite ")).expect("the header table's suite row");
    for suite in Suite::ALL {
        let spec = suite.spec();
        let code = format!("`{:02x}` {}", spec.code, spec.name);
        assert!(suite_row.contains(&code), "{code} missing from: {suite_row}");
        let body = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {} | ", spec.name)))
            .unwrap_or_else(|| panic!("no body row for {suite} in docs/PROTOCOL.md"));
        if spec.iv_len > 0 {
            let iv = format!("`{}({})", spec.iv_label, spec.iv_len);
            assert!(body.contains(&iv), "{suite}: {iv} missing from: {body}");
        }
        if spec.tag_len > 0 {
            assert!(body.contains(&format!("tag({})", spec.tag_len)), "{suite}: {body}");
        }
        let said = if spec.authenticated { "| yes" } else { "| no — INSECURE |" };
        assert!(body.contains(said), "{suite}: {body}");
    }
}
