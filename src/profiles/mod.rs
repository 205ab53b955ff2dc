//! Classroom wire formats: the ad-hoc formats classroom AES programs put on
//! the wire, so cryptolab can be the other end of a student's program, show
//! its messages field by field, and attack them through the proxy.
//!
//! | format           | one message on the wire                                   | flow (default) |
//! |------------------|-----------------------------------------------------------|-----------------|
//! | `len-iv-ct-hmac` | `len(4, BE) ‖ IV ‖ CBC(P) ‖ HMAC-SHA256(IV ‖ C)`          | full duplex     |
//! | `b64-iv-ct`      | `base64(IV ‖ CBC(P))`, no length, no delimiter            | lock-step       |
//! | `b64-ecb`        | `base64(ECB(P))`                                          | lock-step       |
//! | `raw-cbc-static` | `CBC(P)` under a fixed key *and fixed IV*, one per connection | one-way     |
//! | `rsa-gcm-json`   | RSA-OAEP key transport, then `{"nonce","ciphertext","signature"}` | lock-step |
//!
//! Each row also says how the format's programs end a session ([`Close`]:
//! a word on the wire, a word that ends the client locally, or just the
//! close); `--flow` may choose another [`Flow`] than the default.
//!
//! Every mode is the one in [`crate::suite`] (CBC and ECB per NIST SP 800-38A,
//! HMAC per RFC 2104, GCM per SP 800-38D); what differs is how the programs
//! frame and compose them, and that is where their weaknesses are — each
//! format's [`FormatSpec`] names its weakness, and `docs/PROTOCOL.md` shows it.
//!
//! One module per format, each with its table row (`SPEC`) and its own
//! `next` (where a message ends), `seal`/`open` (its [`Codec`] state),
//! `dissect` (its fields, without a key: the proxy's view) and `reassemble`
//! (after a tamper): [`len_iv_ct_hmac`], [`b64_iv_ct`], [`b64_ecb`] (both
//! over the shared [`b64`] framing), [`raw_cbc_static`], [`rsa_gcm_json`].
//! This file dispatches to them — once per operation, with no default arm —
//! and holds what they share. It is pure: no sockets (those are in
//! [`crate::net`]).
//!
//! ## Finding messages in unframed streams
//!
//! TCP delivers bytes, not writes: a message may arrive in pieces, or two in
//! one read. `len-iv-ct-hmac` and `rsa-gcm-json` are self-delimiting (a length
//! prefix; a complete JSON value). A base64 message is self-delimiting only
//! when it ends in `=` padding: `base64(IV ‖ C)` is `16·k` bytes, and when
//! `16·k` is a multiple of 3 (48, 96, … bytes) there is no `=`, so two such
//! messages back to back look exactly like one longer one. [`next_message`]
//! then uses the key: it considers every split where each piece decrypts with
//! valid padding to clean text, prefers a reading where no piece is garbage,
//! and *reports* the ambiguity in a note instead of deciding silently.

pub mod b64;
pub mod b64_ecb;
pub mod b64_iv_ct;
pub mod len_iv_ct_hmac;
pub mod raw_cbc_static;
pub mod rsa_gcm_json;

use std::ops::Range;
use std::sync::Arc;

use rand::CryptoRng;

use crate::render::Span;
use crate::suite::{Cipher, Suite, SuiteError};

pub use b64::decode_b64;

/// A classroom format (what `--wire` names, besides `native`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 4-byte length, IV, AES-128-CBC ciphertext, HMAC-SHA256(IV ‖ ct); full duplex.
    LenIvCtHmac,
    /// base64(IV ‖ AES-CBC ciphertext), no framing; lock-step.
    B64IvCt,
    /// base64(AES-ECB ciphertext), no framing; lock-step.
    B64Ecb,
    /// Raw AES-128-CBC with a fixed key and IV from a 32-byte file; one message per connection.
    RawCbcStatic,
    /// RSA-OAEP key transport, then JSON {nonce, ciphertext, signature}, AES-256-GCM + RSA-PSS.
    RsaGcmJson,
}

/// How messages are put on the wire: cryptolab's own frames, or one of the
/// classroom formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wire {
    /// cryptolab's own frames (docs/PROTOCOL.md, the default): a 16-byte
    /// header, authenticated in cbc-hmac and gcm.
    #[default]
    Native,
    /// A classroom format.
    Format(Format),
}

impl Wire {
    /// Every choice, `native` first.
    pub const ALL: [Wire; 6] = [
        Wire::Native,
        Wire::Format(Format::LenIvCtHmac),
        Wire::Format(Format::B64IvCt),
        Wire::Format(Format::B64Ecb),
        Wire::Format(Format::RawCbcStatic),
        Wire::Format(Format::RsaGcmJson),
    ];

    /// The name given to `--wire`.
    pub const fn name(self) -> &'static str {
        match self {
            Wire::Native => "native",
            Wire::Format(f) => f.spec().name,
        }
    }
}

/// Who may speak when (`--flow`): each format has the default its
/// classroom programs use, and a session may choose another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Either side, any time.
    FullDuplex,
    /// Client message, server reply, repeat.
    LockStep,
    /// One message per connection, no reply expected (a reply, if one
    /// comes, is shown); the client closes its side once it has written.
    OneWay,
}

impl Flow {
    /// Every flow, in `--flow`'s order.
    pub const ALL: [Flow; 3] = [Flow::OneWay, Flow::LockStep, Flow::FullDuplex];

    /// The name given to `--flow`.
    pub const fn name(self) -> &'static str {
        match self {
            Flow::FullDuplex => "full-duplex",
            Flow::LockStep => "lock-step",
            Flow::OneWay => "one-way",
        }
    }
}

/// How a format's programs end a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// The word is sent as a message; the side that gets it answers it (a
    /// lock-step server says it back) and closes. Either side may say it
    /// first: a server's `bye` ends the session too.
    Word(&'static str),
    /// The client ends when its user types the word, without sending it:
    /// it closes the connection, and the server sees the end of the stream.
    Local(&'static str),
    /// No word: the client closes the connection at the end of its input.
    Silent,
}

impl Close {
    /// The word a user types to end the session, if there is one.
    pub const fn typed(self) -> Option<&'static str> {
        match self {
            Close::Word(w) | Close::Local(w) => Some(w),
            Close::Silent => None,
        }
    }

    /// The word that ends a session when it arrives as a message.
    pub const fn on_wire(self) -> Option<&'static str> {
        match self {
            Close::Word(w) => Some(w),
            Close::Local(_) | Close::Silent => None,
        }
    }
}

/// Everything cryptolab says about one classroom format: one row per
/// format, in the format's own module.
#[derive(Debug)]
pub struct FormatSpec {
    /// The name given to `--wire`.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// Who speaks when, as the format's programs do it (`--flow` may choose another).
    pub flow: Flow,
    /// How its programs end a session.
    pub close: Close,
    /// The AES mode underneath.
    pub suite: Suite,
    /// The AES key size the format prescribes, if it fixes one.
    pub fixed_bits: Option<u16>,
    /// A text format (whitespace between messages is allowed and dropped).
    pub text: bool,
    /// Unframed: a message may end only when the sender goes quiet.
    pub settles: bool,
    /// The session starts with a key-transport handshake.
    pub handshake: bool,
    /// Why the format is INSECURE (no integrity at all), if it is.
    pub insecure: Option<&'static str>,
    /// The format's weakness in one line (shown at start, and in the docs).
    pub weakness: &'static str,
    /// Why such a server may close without replying (`connect`'s hint).
    pub closed_hint: &'static str,
    /// Why such a server may not reply at all (`connect`'s hint).
    pub silent_hint: &'static str,
}

impl Format {
    /// Every classroom format.
    pub const ALL: [Format; 5] =
        [Format::LenIvCtHmac, Format::B64IvCt, Format::B64Ecb, Format::RawCbcStatic, Format::RsaGcmJson];

    /// This format's row.
    pub const fn spec(self) -> &'static FormatSpec {
        match self {
            Format::LenIvCtHmac => &len_iv_ct_hmac::SPEC,
            Format::B64IvCt => &b64_iv_ct::SPEC,
            Format::B64Ecb => &b64_ecb::SPEC,
            Format::RawCbcStatic => &raw_cbc_static::SPEC,
            Format::RsaGcmJson => &rsa_gcm_json::SPEC,
        }
    }

    /// The name given to `--wire`.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }
}

/// Why a message could not be read or opened; each names what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A byte outside the base64 alphabet.
    #[error("bad base64: byte 0x{byte:02x} at offset {at} is not base64")]
    NotBase64 {
        /// Offset in the received text.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// Well-formed, but the wrong size for the format.
    #[error("{0}")]
    Shape(String),
    /// A declared or received length above the limit.
    #[error("message of {len} bytes is over the {max}-byte limit")]
    TooLong {
        /// The length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The stream ended, or went quiet, in the middle of a message.
    #[error("truncated message: {0}")]
    Truncated(String),
    /// PKCS#7 padding did not check out (ecb/cbc formats).
    #[error("bad padding: wrong key, or the ciphertext was changed")]
    BadPadding,
    /// The HMAC did not verify.
    #[error("HMAC does not verify: wrong key or MAC key, or the message was changed")]
    BadMac,
    /// The GCM tag did not verify.
    #[error("GCM tag does not verify: wrong session key, or the message was changed")]
    BadTag,
    /// The RSA-PSS signature did not verify.
    #[error("bad signature: RSA-PSS over the plaintext does not verify with the peer's public key")]
    BadSignature,
    /// Not JSON, or JSON without the expected fields.
    #[error("bad JSON message: {0}")]
    Json(String),
    /// Not a PEM public key.
    #[error("not a PEM public key: {0}")]
    NotPem(String),
    /// The RSA-OAEP key transport failed.
    #[error("key transport failed: {0}")]
    KeyTransport(String),
    /// The peer answered with a plain-text (unencrypted) error.
    #[error("peer answered in plain text: {0}")]
    PeerSaid(String),
}

impl ProfileError {
    /// Whether the stream can be trusted after this (a bad length prefix
    /// cannot be skipped; a bad message in a delimited stream can).
    pub fn is_fatal(&self) -> bool {
        matches!(self, ProfileError::TooLong { .. } | ProfileError::Truncated(_) | ProfileError::NotPem(_))
    }

    /// What to try, for a user who got this from their peer.
    pub fn hint(&self, format: Format) -> String {
        match self {
            ProfileError::BadPadding
            | ProfileError::BadMac
            | ProfileError::BadTag
            | ProfileError::PeerSaid(_) => {
                "both sides need the same keys: compare the fingerprints they print".to_string()
            }
            ProfileError::NotBase64 { .. }
            | ProfileError::Shape(_)
            | ProfileError::TooLong { .. }
            | ProfileError::Truncated(_)
            | ProfileError::BadSignature
            | ProfileError::Json(_)
            | ProfileError::NotPem(_)
            | ProfileError::KeyTransport(_) => format!("does the server speak {}?", format.name()),
        }
    }
}

/// What the next message of the stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// `buf[range]` is one message; drop `buf[..consumed]` after taking it.
    /// `note` reports an ambiguity that was resolved, and how.
    Message {
        /// The message bytes.
        range: Range<usize>,
        /// Bytes to drop from the buffer (the message and whitespace before it).
        consumed: usize,
        /// What was ambiguous, if anything.
        note: Option<String>,
    },
    /// Not enough bytes yet.
    NeedMore,
    /// The bytes cannot be a message; drop `consumed` bytes.
    Bad {
        /// Why.
        error: ProfileError,
        /// Bytes to drop.
        consumed: usize,
    },
}

/// What the reader expects next: a message, or a handshake part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A message of the format.
    Message(Format),
    /// A PEM public key (`rsa-gcm-json` handshake).
    Pem,
    /// Exactly this many raw bytes (the RSA-OAEP wrapped key).
    Exact(usize),
}

impl Expect {
    /// Whether whitespace may stand between messages (text formats).
    pub fn is_text(self) -> bool {
        match self {
            Expect::Message(f) => f.spec().text,
            Expect::Pem => true,
            Expect::Exact(_) => false,
        }
    }

    /// Whether a message may end on silence alone (unframed formats).
    pub fn settles(self) -> bool {
        match self {
            Expect::Message(f) => f.spec().settles,
            Expect::Pem | Expect::Exact(_) => false,
        }
    }
}

pub(crate) fn leading_ws(buf: &[u8]) -> usize {
    buf.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// Finds the next message in `buf`.
///
/// `settled` says no more bytes are coming soon (the sender went quiet, or the
/// stream ended): an incomplete-looking message is then taken as it is, so
/// its error can be reported. `codec`, when the keys are known, resolves
/// unframed boundaries by trial decryption; without it (the proxy) only the
/// structure is used. `max` bounds a message's size.
pub fn next_message(expect: Expect, buf: &[u8], settled: bool, codec: Option<&Codec>, max: usize) -> Next {
    let ws = leading_ws(buf);
    match expect {
        Expect::Exact(n) => {
            if buf.len() >= n {
                Next::Message { range: 0..n, consumed: n, note: None }
            } else if settled {
                Next::Bad {
                    error: ProfileError::Truncated(format!("{} of {n} bytes", buf.len())),
                    consumed: buf.len(),
                }
            } else {
                Next::NeedMore
            }
        }
        Expect::Pem => rsa_gcm_json::next_pem(buf, ws, settled),
        Expect::Message(Format::LenIvCtHmac) => len_iv_ct_hmac::next(buf, settled, max),
        Expect::Message(Format::RsaGcmJson) => rsa_gcm_json::next(buf, ws, settled, max),
        Expect::Message(Format::RawCbcStatic) => raw_cbc_static::next(buf, settled, max),
        Expect::Message(Format::B64IvCt) => {
            b64::next(&b64_iv_ct::FRAMING, buf, ws, settled, codec.and_then(Codec::b64), max)
        }
        Expect::Message(Format::B64Ecb) => {
            b64::next(&b64_ecb::FRAMING, buf, ws, settled, codec.and_then(Codec::b64), max)
        }
    }
}

/// The keys a format session needs.
#[derive(Clone)]
pub enum FormatKeys {
    /// An AES key, with the MAC key (`len-iv-ct-hmac`) or fixed IV
    /// (`raw-cbc-static`) where the format has one.
    Aes {
        /// AES key.
        key: Vec<u8>,
        /// HMAC key.
        mac: Option<Vec<u8>>,
        /// The fixed IV.
        iv: Option<[u8; 16]>,
    },
    /// This side's RSA key pair (`rsa-gcm-json`).
    Rsa(Arc<rsa_gcm_json::Identity>),
}

/// The AES and MAC keys (and the fixed IV) are overwritten with zeros on
/// drop; the RSA private key wipes itself (the `rsa` crate's own drop).
impl zeroize::Zeroize for FormatKeys {
    fn zeroize(&mut self) {
        match self {
            FormatKeys::Aes { key, mac, iv } => {
                key.zeroize();
                mac.zeroize();
                iv.zeroize();
            }
            FormatKeys::Rsa(_) => {}
        }
    }
}

impl Drop for FormatKeys {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self);
    }
}

impl zeroize::ZeroizeOnDrop for FormatKeys {}

/// The keyed state of one format session, ready to seal and open messages:
/// one variant per format, each holding exactly what that format needs.
pub enum Codec {
    /// `len-iv-ct-hmac`: cbc-hmac with empty associated data.
    LenIvCtHmac(Cipher),
    /// `b64-iv-ct`: cbc, and the bare AES for screening split points.
    B64IvCt(b64::Codec),
    /// `b64-ecb`: ecb, and the bare AES for screening split points.
    B64Ecb(b64::Codec),
    /// `raw-cbc-static`: cbc and the one fixed IV.
    RawCbcStatic(raw_cbc_static::Codec),
    /// `rsa-gcm-json`: the session the handshake established.
    RsaGcmJson(rsa_gcm_json::Session),
}

impl Codec {
    /// A codec for an AES format from its keys (checked once at start, so
    /// later calls cannot fail). `rsa-gcm-json` gets its codec from the
    /// handshake instead.
    pub fn new(format: Format, keys: &FormatKeys) -> Result<Self, String> {
        let FormatKeys::Aes { key, mac, iv } = keys else {
            return Err(format!("{} gets its session key from the handshake", format.name()));
        };
        let spec = format.spec();
        if let Some(bits) = spec.fixed_bits
            && key.len() * 8 != usize::from(bits)
        {
            return Err(format!(
                "{} uses AES-{bits}: the key must be {} bytes, not {}",
                spec.name,
                bits / 8,
                key.len()
            ));
        }
        let cipher = Cipher::new(spec.suite, key, mac.as_deref()).map_err(|e| {
            if e == SuiteError::MissingMacKey {
                format!("{} needs an HMAC key: give --mac-key", spec.name)
            } else {
                e.to_string()
            }
        })?;
        Ok(match format {
            Format::LenIvCtHmac => Codec::LenIvCtHmac(cipher),
            Format::B64IvCt => Codec::B64IvCt(b64::Codec::new(cipher, key)?),
            Format::B64Ecb => Codec::B64Ecb(b64::Codec::new(cipher, key)?),
            Format::RawCbcStatic => Codec::RawCbcStatic(raw_cbc_static::Codec::new(cipher, *iv)?),
            Format::RsaGcmJson => {
                return Err(format!("{} gets its session key from the handshake", spec.name));
            }
        })
    }

    /// The format.
    pub const fn format(&self) -> Format {
        match self {
            Codec::LenIvCtHmac(_) => Format::LenIvCtHmac,
            Codec::B64IvCt(_) => Format::B64IvCt,
            Codec::B64Ecb(_) => Format::B64Ecb,
            Codec::RawCbcStatic(_) => Format::RawCbcStatic,
            Codec::RsaGcmJson(_) => Format::RsaGcmJson,
        }
    }

    fn b64(&self) -> Option<&b64::Codec> {
        match self {
            Codec::B64IvCt(c) | Codec::B64Ecb(c) => Some(c),
            Codec::LenIvCtHmac(_) | Codec::RawCbcStatic(_) | Codec::RsaGcmJson(_) => None,
        }
    }

    /// Seals `text` as one message, exactly as it goes on the wire.
    pub fn seal<R: CryptoRng + ?Sized>(&self, text: &[u8], rng: &mut R) -> Vec<u8> {
        match self {
            Codec::LenIvCtHmac(c) => len_iv_ct_hmac::seal(c, text, rng),
            Codec::B64IvCt(c) | Codec::B64Ecb(c) => c.seal(text, rng),
            Codec::RawCbcStatic(c) => c.seal(text),
            Codec::RsaGcmJson(s) => s.seal(text, rng),
        }
    }

    /// Opens one message (the bytes [`next_message`] delimited).
    pub fn open(&self, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
        match self {
            Codec::LenIvCtHmac(c) => len_iv_ct_hmac::open(c, msg),
            Codec::B64IvCt(c) => c.open(&b64_iv_ct::FRAMING, msg),
            Codec::B64Ecb(c) => c.open(&b64_ecb::FRAMING, msg),
            Codec::RawCbcStatic(c) => c.open(msg),
            Codec::RsaGcmJson(s) => s.open(msg),
        }
    }
}

/// A message as the proxy (or any keyless observer) sees it: the bytes to
/// show, their fields, and a one-line summary.
#[derive(Debug, Clone)]
pub struct Dissected {
    /// The format's name (`b64-iv-ct`, `rsa-gcm-json handshake`).
    pub wire: &'static str,
    /// The bytes shown: the raw message, or its base64/JSON decoded.
    pub bytes: Vec<u8>,
    /// Labelled fields of `bytes`.
    pub spans: Vec<Span>,
    /// What the message is (`base64, 44 characters → 32 bytes`).
    pub summary: String,
}

impl Dissected {
    /// The message's bytes as they are, as one unlabelled field.
    pub(crate) fn raw(msg: &[u8], summary: String) -> Self {
        Dissected {
            wire: "",
            bytes: msg.to_vec(),
            spans: vec![Span::new("data", crate::render::SpanKind::Data, 0..msg.len())],
            summary,
        }
    }
}

/// Labels the fields of one message of `expect` without any key.
pub fn dissect(expect: Expect, msg: &[u8]) -> Dissected {
    let mut d = match expect {
        Expect::Pem => rsa_gcm_json::dissect_pem(msg),
        Expect::Exact(n) => rsa_gcm_json::dissect_wrapped(n, msg),
        Expect::Message(Format::LenIvCtHmac) => len_iv_ct_hmac::dissect(msg),
        Expect::Message(Format::B64IvCt) => b64::dissect(&b64_iv_ct::FRAMING, msg),
        Expect::Message(Format::B64Ecb) => b64::dissect(&b64_ecb::FRAMING, msg),
        Expect::Message(Format::RawCbcStatic) => raw_cbc_static::dissect(msg),
        Expect::Message(Format::RsaGcmJson) => rsa_gcm_json::dissect(msg),
    };
    d.wire = match expect {
        Expect::Message(format) => format.name(),
        Expect::Pem | Expect::Exact(_) => "rsa-gcm-json handshake",
    };
    d
}

/// Rebuilds a message after the proxy changed its dissected bytes (flip,
/// truncate): base64 is re-encoded, JSON fields are re-assembled with the
/// original field sizes; raw formats are the bytes themselves.
pub fn reassemble(expect: Expect, original: &[u8], changed: &[u8]) -> Vec<u8> {
    match expect {
        Expect::Message(Format::B64IvCt | Format::B64Ecb) => b64::reassemble(original, changed),
        Expect::Message(Format::RsaGcmJson) => rsa_gcm_json::reassemble(original, changed),
        Expect::Message(Format::LenIvCtHmac | Format::RawCbcStatic) | Expect::Pem | Expect::Exact(_) => {
            changed.to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only for types that wipe themselves when dropped.
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}

    #[test]
    fn format_keys_and_sessions_are_wiped_on_drop() {
        wiped_on_drop::<FormatKeys>();
        wiped_on_drop::<rsa_gcm_json::Session>();
        wiped_on_drop::<rsa::RsaPrivateKey>();
    }

    fn codec(format: Format) -> Codec {
        let keys = FormatKeys::Aes {
            key: b"YELLOW SUBMARINE".to_vec(),
            mac: Some(b"mac key".to_vec()),
            iv: Some(*b"0123456789abcdef"),
        };
        Codec::new(format, &keys).unwrap()
    }

    fn rng() -> rand::rngs::ChaCha20Rng {
        rand::SeedableRng::seed_from_u64(7)
    }

    #[test]
    fn every_aes_format_round_trips() {
        for format in [Format::LenIvCtHmac, Format::B64IvCt, Format::B64Ecb, Format::RawCbcStatic] {
            let c = codec(format);
            for msg in [
                &b""[..],
                b"a",
                b"fifteen bytes!!",
                b"sixteen bytes!!!",
                b"seventeen bytes!!",
                "h\u{e9}llo".as_bytes(),
            ] {
                let sealed = c.seal(msg, &mut rng());
                assert_eq!(c.open(&sealed).unwrap(), msg, "{format:?}");
                let n = next_message(
                    Expect::Message(format),
                    &sealed,
                    format == Format::RawCbcStatic,
                    Some(&c),
                    1 << 20,
                );
                assert_eq!(n, Next::Message { range: 0..sealed.len(), consumed: sealed.len(), note: None });
            }
        }
    }

    #[test]
    fn two_padded_base64_messages_in_one_read_split_at_the_padding() {
        let c = codec(Format::B64IvCt);
        // 16 + 16 bytes = 32, not a multiple of 3: ends in '='.
        let (a, b) = (c.seal(b"first", &mut rng()), c.seal(b"second", &mut rng()));
        let both = [a.clone(), b].concat();
        let Next::Message { range, note, .. } =
            next_message(Expect::Message(Format::B64IvCt), &both, false, Some(&c), 1 << 20)
        else {
            panic!("no message")
        };
        assert_eq!((range, note), (0..a.len(), None));
    }

    #[test]
    fn unpadded_base64_messages_back_to_back_are_split_and_the_ambiguity_reported() {
        for format in [Format::B64IvCt, Format::B64Ecb] {
            let c = codec(format);
            // 48 decoded bytes: no '=' in the base64.
            let text = if format == Format::B64Ecb {
                &b"thirty-two bytes of plain text.."[..]
            } else {
                b"sixteen bytes..."
            };
            let a = c.seal(text, &mut rng());
            assert!(!a.contains(&b'='), "{format:?} {}", a.len());
            let both = [a.clone(), a.clone()].concat();
            let Next::Message { range, note, .. } =
                next_message(Expect::Message(format), &both, false, Some(&c), 1 << 20)
            else {
                panic!("no message")
            };
            assert_eq!(range, 0..a.len(), "{format:?}");
            assert!(note.unwrap().contains("ambiguous"), "{format:?}");
            // The second, alone, is one message.
            let n = next_message(Expect::Message(format), &a, false, Some(&c), 1 << 20);
            assert_eq!(n, Next::Message { range: 0..a.len(), consumed: a.len(), note: None });
        }
    }

    #[test]
    fn a_split_message_waits_for_the_rest() {
        let c = codec(Format::B64IvCt);
        let msg = c.seal(&[b'x'; 4000], &mut rng());
        for cut in [1, 10, 64, 640, msg.len() - 1] {
            let n = next_message(Expect::Message(Format::B64IvCt), &msg[..cut], false, Some(&c), 1 << 20);
            assert_eq!(n, Next::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn bad_input_is_named() {
        let c = codec(Format::B64IvCt);
        let n = next_message(Expect::Message(Format::B64IvCt), b"abc!def", false, Some(&c), 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::NotBase64 { at: 3, byte: b'!' }, .. }));
        let n = next_message(Expect::Message(Format::LenIvCtHmac), &[0xff; 8], false, None, 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::TooLong { .. }, .. }));
        let n = next_message(Expect::Pem, b"hello there", false, None, 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::NotPem(_), .. }));
        assert_eq!(c.open(b"ERROR: bad padding"), Err(ProfileError::PeerSaid("ERROR: bad padding".into())));
        let other = FormatKeys::Aes { key: b"other key 16 byt".to_vec(), mac: None, iv: None };
        let other = Codec::new(Format::B64IvCt, &other).unwrap();
        assert_eq!(other.open(&c.seal(b"hello", &mut rng())), Err(ProfileError::BadPadding));
    }

    #[test]
    fn flips_survive_reassembly() {
        let c = codec(Format::B64IvCt);
        let sealed = c.seal(b"pay 10", &mut rng());
        let mut d = dissect(Expect::Message(Format::B64IvCt), &sealed);
        d.bytes[4] ^= b'1' ^ b'9';
        let forged = reassemble(Expect::Message(Format::B64IvCt), &sealed, &d.bytes);
        assert_eq!(c.open(&forged).unwrap(), b"pay 90");
    }

    #[test]
    fn every_wire_choice_is_listed_once_and_named_by_its_spec() {
        let names: Vec<&str> = Wire::ALL.iter().map(|w| w.name()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(Wire::ALL.len(), 1 + Format::ALL.len());
        for f in Format::ALL {
            assert!(Wire::ALL.contains(&Wire::Format(f)), "{f:?}");
        }
    }
}
