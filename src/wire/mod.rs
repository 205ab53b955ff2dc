//! The native wire frame: bytes ⇄ frames, pure and fuzzable (no I/O here).
//!
//! Every frame is a fixed 16-byte header followed by the suite's body:
//!
//! | offset | len | field   | meaning                                                  |
//! |-------:|----:|---------|----------------------------------------------------------|
//! | 0      | 1   | version | [`VERSION`] (1); anything else is refused                 |
//! | 1      | 1   | suite   | 1 ecb, 2 cbc, 3 cbc-hmac, 4 gcm, 5 ctr, 6 cfb, 7 ofb (each suite's row, [`Suite::spec`]) |
//! | 2      | 1   | kind    | 1 hello, 2 message, 3 goodbye, 4 notice (plain text, never sealed), 5 handshake (plain, [`crate::session::handshake`]) |
//! | 3      | 1   | flags   | reserved, must be 0                                       |
//! | 4      | 8   | seq     | sequence number, big-endian, per sender, from 0           |
//! | 12     | 4   | length  | body length in bytes, big-endian, ≤ the frame limit        |
//! | 16     | len | body    | `ct` (ecb), `iv‖ct` (cbc, ctr, cfb, ofb), `iv‖ct‖tag` (cbc-hmac), `nonce‖ct‖tag` (gcm) |
//!
//! The whole header is the *associated data* of the body: `cbc-hmac` MACs
//! `header ‖ iv ‖ ct`, `gcm` passes the header as AAD. So in the authenticated
//! suites the sequence number cannot be changed, and a frame replayed or
//! reordered carries a sequence number the receiver no longer expects. In the
//! unauthenticated suites nothing binds the body to its header — the replay
//! lab's lesson.
//!
//! The body length is checked against the limit (1 MiB by default) **before**
//! any buffer is allocated, so a hostile length cannot exhaust memory.
//! Decoding errors are typed ([`WireError`]) and name the field that is wrong.
//! `docs/PROTOCOL.md` walks through a real frame byte by byte.

use std::fmt;

use crate::render::{Span, SpanKind};
use crate::suite::{Suite, layout};

/// The protocol version this code speaks.
pub const VERSION: u8 = 1;
/// Header length: fixed, so that it can be authenticated as associated data.
pub const HEADER_LEN: usize = 16;
/// Default limit on a body: checked before allocating, so a hostile length
/// field cannot make a receiver reserve gigabytes.
pub const DEFAULT_MAX_BODY: u32 = 1 << 20;

/// What a frame is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// First frame of a connection, carrying a greeting (name, suite check).
    Hello,
    /// A chat message.
    Message,
    /// Last frame of a connection.
    Goodbye,
    /// A plain-text notice from a server, not sealed and not numbered —
    /// sent only by `serve --leak-padding-errors` (INSECURE) to say whether a
    /// frame was accepted or why not. Display only: anyone can forge one.
    Notice,
    /// A handshake message (ClientHello, ServerHello, Finished, alert): not
    /// sealed, it is what agrees the keys ([`crate::session::handshake`]).
    Handshake,
}

impl Kind {
    /// The byte on the wire.
    pub const fn code(self) -> u8 {
        match self {
            Kind::Hello => 1,
            Kind::Message => 2,
            Kind::Goodbye => 3,
            Kind::Notice => 4,
            Kind::Handshake => 5,
        }
    }

    /// The kind for a wire byte.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Kind::Hello),
            2 => Some(Kind::Message),
            3 => Some(Kind::Goodbye),
            4 => Some(Kind::Notice),
            5 => Some(Kind::Handshake),
            _ => None,
        }
    }

    /// Lower-case name for output.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Hello => "hello",
            Kind::Message => "message",
            Kind::Goodbye => "goodbye",
            Kind::Notice => "notice",
            Kind::Handshake => "handshake",
        }
    }
}

/// The byte that names a suite on the wire (its row of [`Suite::spec`]).
pub const fn suite_code(suite: Suite) -> u8 {
    suite.spec().code
}

/// The suite for a wire byte.
pub fn suite_from_code(code: u8) -> Option<Suite> {
    Suite::from_code(code)
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The suite the body is sealed in.
    pub suite: Suite,
    /// What the frame is for.
    pub kind: Kind,
    /// The sender's sequence number.
    pub seq: u64,
    /// Body length in bytes.
    pub len: u32,
}

/// Why bytes are not a valid frame. Each variant names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Fewer bytes than a header or than the header's body length.
    #[error("truncated frame: {have} of {need} bytes")]
    Truncated {
        /// Bytes available.
        have: usize,
        /// Bytes the frame needs.
        need: usize,
    },
    /// The version byte is not [`VERSION`].
    #[error("version {got} is not supported (this is version {VERSION})")]
    Version {
        /// The byte received.
        got: u8,
    },
    /// The suite byte names no suite.
    #[error("suite byte {got} names no suite ({})", Suite::code_list())]
    Suite {
        /// The byte received.
        got: u8,
    },
    /// The kind byte names no frame kind.
    #[error("kind byte {got} names no frame kind (1 hello, 2 message, 3 goodbye, 4 notice, 5 handshake)")]
    Kind {
        /// The byte received.
        got: u8,
    },
    /// Reserved flag bits are set.
    #[error("flags byte {got:#04x} has reserved bits set (must be 0)")]
    Flags {
        /// The byte received.
        got: u8,
    },
    /// The body length is over the limit (checked before allocating).
    #[error("body length {len} exceeds the {} limit", Limit(*max))]
    TooLong {
        /// The length field.
        len: u32,
        /// The limit in force.
        max: u32,
    },
}

/// Formats a byte limit the way people say it (`1 MiB`).
struct Limit(u32);

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            n if n >= 1 << 20 && n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n >= 1 << 10 && n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n}-byte"),
        }
    }
}

impl Header {
    /// Encodes the header.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0] = VERSION;
        h[1] = suite_code(self.suite);
        h[2] = self.kind.code();
        h[3] = 0;
        h[4..12].copy_from_slice(&self.seq.to_be_bytes());
        h[12..16].copy_from_slice(&self.len.to_be_bytes());
        h
    }

    /// Decodes and checks a header; `max_body` is enforced here, before the
    /// caller allocates anything for the body.
    pub fn decode(bytes: &[u8; HEADER_LEN], max_body: u32) -> Result<Self, WireError> {
        if bytes[0] != VERSION {
            return Err(WireError::Version { got: bytes[0] });
        }
        let suite = suite_from_code(bytes[1]).ok_or(WireError::Suite { got: bytes[1] })?;
        let kind = Kind::from_code(bytes[2]).ok_or(WireError::Kind { got: bytes[2] })?;
        if bytes[3] != 0 {
            return Err(WireError::Flags { got: bytes[3] });
        }
        let seq = u64::from_be_bytes(bytes[4..12].try_into().expect("8 bytes"));
        let len = u32::from_be_bytes(bytes[12..16].try_into().expect("4 bytes"));
        if len > max_body {
            return Err(WireError::TooLong { len, max: max_body });
        }
        Ok(Header { suite, kind, seq, len })
    }
}

/// A frame taken from the front of a buffer: its header, its body, and how
/// many bytes of the buffer it used.
pub type Taken<'a> = (Header, &'a [u8], usize);

/// Tries to take one whole frame from the front of `buf`.
///
/// `Ok(None)`: not enough bytes yet (read more). `Ok(Some((header, body, used)))`:
/// a frame whose body is `body`, using the first `used` bytes of `buf`.
/// A bad header is an error as soon as its 16 bytes are in, before the body.
pub fn take_frame(buf: &[u8], max_body: u32) -> Result<Option<Taken<'_>>, WireError> {
    let Some(head) = buf.first_chunk::<HEADER_LEN>() else {
        return Ok(None);
    };
    let header = Header::decode(head, max_body)?;
    let end = HEADER_LEN + header.len as usize;
    match buf.get(HEADER_LEN..end) {
        Some(body) => Ok(Some((header, body, end))),
        None => Ok(None),
    }
}

/// A complete notice frame carrying `text` in the clear (seq 0: notices are
/// not numbered).
pub fn notice(suite: Suite, text: &str) -> Vec<u8> {
    let header = Header { suite, kind: Kind::Notice, seq: 0, len: text.len() as u32 };
    let mut frame = header.encode().to_vec();
    frame.extend_from_slice(text.as_bytes());
    frame
}

/// Decodes exactly one frame that must fill `bytes` (for tests and tools).
pub fn decode_frame(bytes: &[u8], max_body: u32) -> Result<(Header, &[u8]), WireError> {
    match take_frame(bytes, max_body)? {
        Some((header, body, used)) if used == bytes.len() => Ok((header, body)),
        Some((_, _, used)) => Err(WireError::Truncated { have: used, need: bytes.len() }),
        None => {
            let need = match bytes.first_chunk::<HEADER_LEN>() {
                Some(head) => HEADER_LEN + Header::decode(head, max_body)?.len as usize,
                None => HEADER_LEN,
            };
            Err(WireError::Truncated { have: bytes.len(), need })
        }
    }
}

/// The renderer's spans for a whole frame of `frame_len` bytes: the header
/// fields, then the body's fields as laid out by its suite.
pub fn frame_spans(header: &Header, frame_len: usize) -> Vec<Span> {
    let h = |label: &str, range: std::ops::Range<usize>, note: String| {
        Span::new(label, SpanKind::Header, range).with_note(note)
    };
    let mut spans = vec![
        h("version", 0..1, format!("v{VERSION}")),
        h("suite", 1..2, header.suite.to_string()),
        h("kind", 2..3, header.kind.name().to_string()),
        h("flags", 3..4, "reserved".into()),
        h("seq", 4..12, format!("#{}", header.seq)),
        Span::new("length", SpanKind::Length, 12..16).with_note(format!("{} bytes", header.len)),
    ];
    let body_len = frame_len.saturating_sub(HEADER_LEN);
    match header.kind {
        Kind::Notice => spans.push(
            Span::new("text", SpanKind::Plaintext, HEADER_LEN..HEADER_LEN + body_len).with_note("not sealed"),
        ),
        // Its fields are the handshake's to name (the session layer's
        // `handshake::body_spans`); here, one span.
        Kind::Handshake if body_len > 0 => {
            spans.push(Span::new("message", SpanKind::Data, HEADER_LEN..HEADER_LEN + body_len))
        }
        Kind::Handshake => {}
        Kind::Hello | Kind::Message | Kind::Goodbye => {
            spans.extend(layout::body_spans(header.suite, HEADER_LEN, body_len))
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header { suite: Suite::Gcm, kind: Kind::Message, seq: 7, len: 40 }
    }

    #[test]
    fn header_round_trips() {
        let h = header();
        assert_eq!(Header::decode(&h.encode(), DEFAULT_MAX_BODY), Ok(h));
    }

    #[test]
    fn version_wrong() {
        let mut b = header().encode();
        b[0] = 9;
        assert_eq!(Header::decode(&b, DEFAULT_MAX_BODY), Err(WireError::Version { got: 9 }));
    }

    #[test]
    fn suite_unknown() {
        let mut b = header().encode();
        b[1] = 0;
        assert_eq!(Header::decode(&b, DEFAULT_MAX_BODY), Err(WireError::Suite { got: 0 }));
    }

    #[test]
    fn kind_unknown() {
        let mut b = header().encode();
        b[2] = 200;
        assert_eq!(Header::decode(&b, DEFAULT_MAX_BODY), Err(WireError::Kind { got: 200 }));
    }

    #[test]
    fn flags_reserved() {
        let mut b = header().encode();
        b[3] = 0x80;
        assert_eq!(Header::decode(&b, DEFAULT_MAX_BODY), Err(WireError::Flags { got: 0x80 }));
    }

    #[test]
    fn length_over_limit_is_named_before_allocation() {
        let mut b = header().encode();
        b[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
        let err = Header::decode(&b, DEFAULT_MAX_BODY).unwrap_err();
        assert_eq!(err.to_string(), "body length 4294967295 exceeds the 1 MiB limit");
        // take_frame refuses as soon as the header is in, without the body.
        assert_eq!(take_frame(&b, DEFAULT_MAX_BODY), Err(err));
    }

    #[test]
    fn frame_truncated_body() {
        let mut f = header().encode().to_vec();
        f.extend([0u8; 39]);
        assert_eq!(take_frame(&f, DEFAULT_MAX_BODY), Ok(None));
        assert_eq!(decode_frame(&f, DEFAULT_MAX_BODY), Err(WireError::Truncated { have: 55, need: 56 }));
    }

    #[test]
    fn frame_truncated_header() {
        assert_eq!(
            decode_frame(&[1, 4, 2], DEFAULT_MAX_BODY),
            Err(WireError::Truncated { have: 3, need: 16 })
        );
    }

    #[test]
    fn two_frames_in_one_buffer_are_taken_one_at_a_time() {
        let mut buf = Vec::new();
        for seq in 0..2 {
            buf.extend(Header { seq, len: 3, ..header() }.encode());
            buf.extend([seq as u8; 3]);
        }
        let (h0, body0, used) = take_frame(&buf, DEFAULT_MAX_BODY).unwrap().unwrap();
        assert_eq!((h0.seq, body0, used), (0, &[0u8; 3][..], 19));
        let (h1, body1, _) = take_frame(&buf[used..], DEFAULT_MAX_BODY).unwrap().unwrap();
        assert_eq!((h1.seq, body1), (1, &[1u8; 3][..]));
    }
}
