//! `len-iv-ct-hmac`: a 4-byte length, then `IV ‖ AES-128-CBC(P) ‖
//! HMAC-SHA256(IV ‖ C)`; full duplex, `quit` ends a session.
//!
//! | offset | len | field   |
//! |-------:|----:|---------|
//! | 0      | 4   | length of what follows, big-endian |
//! | 4      | 16  | IV      |
//! | 20     | 16k | CBC ciphertext, PKCS#7-padded |
//! | 20+16k | 32  | HMAC-SHA256 over IV ‖ ciphertext |
//!
//! Encrypt-then-MAC done right on one message: it is exactly cryptolab's
//! `cbc-hmac` body with empty associated data ([`crate::suite::cbc_hmac`],
//! SP 800-38A §6.2 + RFC 2104). What it gets wrong is the stream: the MAC
//! covers no sequence number and no direction, so a recorded message can be
//! replayed, or reflected back to its sender, and still verify.

use rand::CryptoRng;

use super::{Close, Dissected, Flow, FormatSpec, Next, ProfileError};
use crate::render::{Span, SpanKind};
use crate::suite::{Cipher, Suite};

/// The format's table row.
pub const SPEC: FormatSpec = FormatSpec {
    name: "len-iv-ct-hmac",
    about: "4-byte length, IV, AES-128-CBC ciphertext, HMAC-SHA256(IV ‖ ct); full duplex",
    flow: Flow::FullDuplex,
    close: Close::Local("quit"),
    suite: Suite::CbcHmac,
    fixed_bits: Some(128),
    text: false,
    settles: false,
    handshake: false,
    insecure: None,
    weakness: "the MAC covers no sequence number or direction: a recorded message can be replayed or reflected",
    closed_hint: "a len-iv-ct-hmac server may close on a message whose MAC does not verify (a wrong --mac-key, or a message changed on the way): see its log",
    silent_hint: "the server may be waiting for its operator to type a reply, or it dropped a message whose MAC did not verify (a wrong key, or a change on the way); raise --timeout",
};

/// Finds the next length-prefixed message; the length is checked against
/// `max` before anything waits for the body.
pub fn next(buf: &[u8], settled: bool, max: usize) -> Next {
    if buf.len() < 4 {
        return if settled && !buf.is_empty() {
            Next::Bad {
                error: ProfileError::Truncated(format!("{} of 4 length bytes", buf.len())),
                consumed: buf.len(),
            }
        } else {
            Next::NeedMore
        };
    }
    let n = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if n > max {
        return Next::Bad { error: ProfileError::TooLong { len: n, max }, consumed: buf.len() };
    }
    if buf.len() >= 4 + n {
        Next::Message { range: 0..4 + n, consumed: 4 + n, note: None }
    } else if settled {
        Next::Bad {
            error: ProfileError::Truncated(format!(
                "length prefix says {n} bytes, {} arrived",
                buf.len() - 4
            )),
            consumed: buf.len(),
        }
    } else {
        Next::NeedMore
    }
}

/// Seals `text`: the length, then the cbc-hmac body.
pub fn seal<R: CryptoRng + ?Sized>(cipher: &Cipher, text: &[u8], rng: &mut R) -> Vec<u8> {
    let body = cipher.seal(&[], text, rng);
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// Opens one message: the MAC is verified before anything is decrypted.
pub fn open(cipher: &Cipher, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
    let body = msg.get(4..).ok_or_else(|| ProfileError::Truncated("no length prefix".into()))?;
    if body.len() < 64 || !(body.len() - 48).is_multiple_of(16) {
        return Err(ProfileError::Shape(format!(
            "length {} is not IV (16) + whole 16-byte blocks + HMAC (32)",
            body.len()
        )));
    }
    cipher.open(&[], body).map_err(|_| ProfileError::BadMac)
}

/// The fields without a key: length, IV, blocks, HMAC.
pub fn dissect(msg: &[u8]) -> Dissected {
    let n = msg.len();
    let mut spans = vec![
        Span::new("len", SpanKind::Length, 0..n.min(4))
            .with_note(format!("{} bytes follow", n.saturating_sub(4))),
    ];
    if n > 4 {
        spans.extend(crate::suite::layout::body_spans(Suite::CbcHmac, 4, n - 4));
    }
    Dissected { wire: "", bytes: msg.to_vec(), spans, summary: format!("length-prefixed, {n} bytes") }
}
