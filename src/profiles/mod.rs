//! Wire profiles: the ad-hoc formats classroom AES programs put on the wire,
//! so cryptolab can be the other end of a student's program, show its
//! messages field by field, and attack them through the proxy.
//!
//! | profile          | one message on the wire                                   | flow            |
//! |------------------|-----------------------------------------------------------|-----------------|
//! | `len-iv-ct-hmac` | `len(4, BE) ‖ IV ‖ CBC(P) ‖ HMAC-SHA256(IV ‖ C)`          | full duplex     |
//! | `b64-iv-ct`      | `base64(IV ‖ CBC(P))`, no length, no delimiter            | lock-step       |
//! | `b64-ecb`        | `base64(ECB(P))`                                          | lock-step       |
//! | `raw-cbc-static` | `CBC(P)` under a fixed key *and fixed IV*, one per connection | one-shot    |
//! | `rsa-gcm-json`   | RSA-OAEP key transport, then `{"nonce","ciphertext","signature"}` | lock-step |
//!
//! Every mode is the one in [`crate::suite`] (CBC and ECB per NIST SP 800-38A,
//! HMAC per RFC 2104, GCM per SP 800-38D); what differs is how the programs
//! frame and compose them, and that is where their weaknesses are — each is
//! listed by [`Wire::weakness`] and in `docs/PROTOCOL.md`.
//!
//! This module is pure (no sockets): [`Codec`] seals and opens one message,
//! [`next_message`] finds message boundaries in received bytes, and
//! [`dissect`] labels a message's fields without any key (the proxy's view).
//! The RSA handshake of `rsa-gcm-json` lives in [`rsa_json`]; the network
//! side in [`crate::net::profile`].
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

pub mod rsa_json;

use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::CryptoRng;

use crate::render::{Span, SpanKind};
use crate::suite::layout::block_spans;
use crate::suite::{Aes, Cipher, Suite, SuiteError, pkcs7};

/// How messages are put on the wire: cryptolab's own frames, or one of the
/// classroom formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Wire {
    /// cryptolab's authenticated frames (docs/PROTOCOL.md, the default).
    #[default]
    Native,
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

/// Who may speak when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Either side, any time.
    FullDuplex,
    /// Client message, server reply, repeat.
    LockStep,
    /// One message (and an optional reply) per connection.
    OneShot,
}

/// The largest PEM public key accepted in the `rsa-gcm-json` handshake.
pub const MAX_PEM: usize = 16 * 1024;

impl Wire {
    /// The profile's name as given to `--wire`.
    pub const fn name(self) -> &'static str {
        match self {
            Wire::Native => "native",
            Wire::LenIvCtHmac => "len-iv-ct-hmac",
            Wire::B64IvCt => "b64-iv-ct",
            Wire::B64Ecb => "b64-ecb",
            Wire::RawCbcStatic => "raw-cbc-static",
            Wire::RsaGcmJson => "rsa-gcm-json",
        }
    }

    /// Who speaks when.
    pub const fn flow(self) -> Flow {
        match self {
            Wire::Native | Wire::LenIvCtHmac => Flow::FullDuplex,
            Wire::B64IvCt | Wire::B64Ecb | Wire::RsaGcmJson => Flow::LockStep,
            Wire::RawCbcStatic => Flow::OneShot,
        }
    }

    /// The message that ends a session (`quit` or `bye`), if the format has one.
    pub const fn quit_word(self) -> Option<&'static str> {
        match self {
            Wire::LenIvCtHmac => Some("quit"),
            Wire::B64IvCt | Wire::B64Ecb | Wire::RsaGcmJson => Some("bye"),
            Wire::Native | Wire::RawCbcStatic => None,
        }
    }

    /// The AES mode underneath.
    pub const fn suite(self) -> Suite {
        match self {
            Wire::B64Ecb => Suite::Ecb,
            Wire::B64IvCt | Wire::RawCbcStatic => Suite::Cbc,
            Wire::LenIvCtHmac => Suite::CbcHmac,
            Wire::Native | Wire::RsaGcmJson => Suite::Gcm,
        }
    }

    /// Why the format is INSECURE (no integrity at all), if it is.
    pub const fn insecure_reason(self) -> Option<&'static str> {
        match self {
            Wire::B64IvCt => Some("b64-iv-ct has no MAC: anyone on the path can change messages undetected"),
            Wire::B64Ecb => {
                Some("b64-ecb has no IV and no MAC: equal blocks show, and messages can be forged")
            }
            Wire::RawCbcStatic => {
                Some("raw-cbc-static reuses one key and IV: equal messages give equal ciphertexts; no MAC")
            }
            _ => None,
        }
    }

    /// The format's weakness in one line (shown at start, and in the docs).
    pub const fn weakness(self) -> &'static str {
        match self {
            Wire::Native => "none known: header authenticated, sequence numbers checked",
            Wire::LenIvCtHmac => {
                "the MAC covers no sequence number or direction: a recorded message can be replayed or reflected"
            }
            Wire::B64IvCt => {
                "no MAC: bit flips in the IV change the first block at will; error replies are a padding oracle"
            }
            Wire::B64Ecb => "ECB: equal 16-byte blocks give equal ciphertext; blocks can be cut and pasted",
            Wire::RawCbcStatic => "static IV: equal messages (and equal prefixes) give equal ciphertexts",
            Wire::RsaGcmJson => {
                "the public keys are not authenticated (a man in the middle can swap them); no sequence numbers"
            }
        }
    }

    /// The AES key size the format prescribes, if it fixes one.
    pub const fn fixed_bits(self) -> Option<u16> {
        match self {
            Wire::LenIvCtHmac | Wire::RawCbcStatic => Some(128),
            Wire::RsaGcmJson => Some(256),
            _ => None,
        }
    }

    /// Smallest decoded message: one block, plus the IV where there is one.
    const fn min_decoded(self) -> usize {
        match self {
            Wire::B64Ecb | Wire::RawCbcStatic => 16,
            _ => 32,
        }
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
    /// A message of the profile.
    Message(Wire),
    /// A PEM public key (`rsa-gcm-json` handshake).
    Pem,
    /// Exactly this many raw bytes (the RSA-OAEP wrapped key).
    Exact(usize),
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

fn leading_ws(buf: &[u8]) -> usize {
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
        Expect::Pem => next_pem(buf, ws, settled),
        Expect::Message(Wire::LenIvCtHmac) => next_len_prefixed(buf, settled, max),
        Expect::Message(Wire::RsaGcmJson) => next_json(buf, ws, settled, max),
        Expect::Message(Wire::RawCbcStatic) => {
            if buf.len() > max {
                return Next::Bad {
                    error: ProfileError::TooLong { len: buf.len(), max },
                    consumed: buf.len(),
                };
            }
            // One message per connection: it ends when the sender closes or goes quiet.
            if settled && !buf.is_empty() {
                Next::Message { range: 0..buf.len(), consumed: buf.len(), note: None }
            } else {
                Next::NeedMore
            }
        }
        Expect::Message(wire) => next_b64(wire, buf, ws, settled, codec, max),
    }
}

fn next_pem(buf: &[u8], ws: usize, settled: bool) -> Next {
    const BEGIN: &[u8] = b"-----BEGIN PUBLIC KEY-----";
    const END: &[u8] = b"-----END PUBLIC KEY-----";
    let s = &buf[ws..];
    let n = s.len().min(BEGIN.len());
    if s[..n] != BEGIN[..n] {
        let shown = String::from_utf8_lossy(&s[..s.len().min(24)]).escape_debug().to_string();
        return Next::Bad {
            error: ProfileError::NotPem(format!(
                "it starts with \"{shown}\", not -----BEGIN PUBLIC KEY-----"
            )),
            consumed: buf.len(),
        };
    }
    if let Some(at) = s.windows(END.len()).position(|w| w == END) {
        let mut end = at + END.len();
        if s.get(end) == Some(&b'\r') {
            end += 1;
        }
        if s.get(end) == Some(&b'\n') {
            end += 1;
        }
        return Next::Message { range: ws..ws + end, consumed: ws + end, note: None };
    }
    if s.len() > MAX_PEM {
        return Next::Bad {
            error: ProfileError::NotPem(format!("no END line within {MAX_PEM} bytes")),
            consumed: buf.len(),
        };
    }
    if settled && !s.is_empty() {
        return Next::Bad {
            error: ProfileError::Truncated(format!("PEM of {} bytes has no END line", s.len())),
            consumed: buf.len(),
        };
    }
    Next::NeedMore
}

fn next_len_prefixed(buf: &[u8], settled: bool, max: usize) -> Next {
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

fn next_json(buf: &[u8], ws: usize, settled: bool, max: usize) -> Next {
    let s = &buf[ws..];
    if s.is_empty() {
        return Next::NeedMore;
    }
    let mut stream = serde_json::Deserializer::from_slice(s).into_iter::<serde::de::IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => {
            let end = ws + stream.byte_offset();
            Next::Message { range: ws..end, consumed: end, note: None }
        }
        Some(Err(e)) if e.is_eof() => {
            if s.len() > max {
                Next::Bad { error: ProfileError::TooLong { len: s.len(), max }, consumed: buf.len() }
            } else if settled {
                Next::Bad {
                    error: ProfileError::Truncated(format!("JSON value incomplete after {} bytes", s.len())),
                    consumed: buf.len(),
                }
            } else {
                Next::NeedMore
            }
        }
        Some(Err(e)) => Next::Bad { error: ProfileError::Json(e.to_string()), consumed: buf.len() },
        None => Next::NeedMore,
    }
}

/// Decoded length of `chars` unpadded base64 characters (a multiple of 4).
const fn b64_decoded_len(chars: usize) -> usize {
    chars / 4 * 3
}

fn next_b64(wire: Wire, buf: &[u8], ws: usize, settled: bool, codec: Option<&Codec>, max: usize) -> Next {
    let s = &buf[ws..];
    if s.is_empty() {
        return Next::NeedMore;
    }
    let mut end = s.iter().take_while(|&&b| is_b64(b)).count();
    let pad = s[end..].iter().take(2).take_while(|&&b| b == b'=').count();
    let max_chars = (max / 3 + 1) * 4;
    if end > max_chars {
        return Next::Bad {
            error: ProfileError::TooLong { len: b64_decoded_len(end), max },
            consumed: buf.len(),
        };
    }
    let terminated = if pad > 0 {
        end += pad;
        true
    } else if end < s.len() {
        if !s[end].is_ascii_whitespace() {
            if plain_text_line(s) {
                // `ERROR: bad padding` — the peer answered in clear; let
                // `open` report what it says.
                return Next::Message { range: ws..buf.len(), consumed: buf.len(), note: None };
            }
            // Not base64, and not a delimiter either: the rest cannot be trusted.
            let at = ws + end;
            return Next::Bad { error: ProfileError::NotBase64 { at, byte: s[end] }, consumed: buf.len() };
        }
        true
    } else {
        false
    };
    let whole = Next::Message { range: ws..ws + end, consumed: ws + end, note: None };
    let min = wire.min_decoded();
    let structural = |chars: usize| {
        let decoded = b64_decoded_len(chars);
        chars.is_multiple_of(4) && decoded >= min && decoded.is_multiple_of(16)
    };
    let text = &s[..end];
    // Unpadded messages back to back: split where a prefix decrypts to a
    // whole, readable message (only possible with the key). A genuine
    // message's own prefix almost never has valid padding that leaves clean
    // text, so the first such split is the boundary.
    let split = codec.and_then(|codec| {
        (1..end.div_ceil(64))
            .map(|k| k * 64)
            .filter(|&at| at < end && structural(at))
            .find(|&at| codec.ends_a_message(&text[..at]) && codec.open(&text[..at]).is_ok_and(|p| clean(&p)))
    });
    if let (Some(at), Some(codec)) = (split, codec) {
        let one = codec.open(text);
        if one.as_deref().is_ok_and(clean) {
            return Next::Message {
                range: ws..ws + end,
                consumed: ws + end,
                note: Some(format!(
                    "ambiguous: these {end} base64 characters could also be two messages \
                     (split after character {at}); read as one"
                )),
            };
        }
        return Next::Message {
            range: ws..ws + at,
            consumed: ws + at,
            note: Some(format!(
                "ambiguous: {end} base64 characters with no `=` between messages; read the first {at} \
                 as one message, because read as one the whole would hold garbage"
            )),
        };
    }
    if terminated {
        return whole;
    }
    // Unterminated: the run of base64 reaches the end of what has arrived.
    if !structural(end) {
        return if settled { whole } else { Next::NeedMore };
    }
    match codec {
        None => whole,
        Some(codec) if codec.open(text).is_ok() => whole,
        // Complete-looking but not valid (yet): more may be on its way.
        Some(_) if settled => whole,
        Some(_) => Next::NeedMore,
    }
}

/// A short line of printable ASCII with spaces: a peer's plain-text answer
/// (`ERROR: bad padding`), not base64.
fn plain_text_line(s: &[u8]) -> bool {
    s.len() < 512 && s.contains(&b' ') && s.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
}

/// Readable text: UTF-8 without control characters other than tab and newlines.
fn clean(text: &[u8]) -> bool {
    std::str::from_utf8(text)
        .is_ok_and(|s| !s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
}

/// The key material of one profile session, ready to seal and open messages.
pub struct Codec {
    wire: Wire,
    cipher: Cipher,
    aes: Option<Aes>,
    static_iv: Option<[u8; 16]>,
    rsa: Option<rsa_json::Session>,
}

impl Codec {
    /// A codec for the AES formats: `key` is the AES key; `mac_key` is needed
    /// by `len-iv-ct-hmac`, `static_iv` by `raw-cbc-static`.
    pub fn new(
        wire: Wire,
        key: &[u8],
        mac_key: Option<&[u8]>,
        static_iv: Option<[u8; 16]>,
    ) -> Result<Self, String> {
        if let Some(bits) = wire.fixed_bits()
            && key.len() * 8 != usize::from(bits)
        {
            return Err(format!(
                "{} uses AES-{bits}: the key must be {} bytes, not {}",
                wire.name(),
                bits / 8,
                key.len()
            ));
        }
        if wire == Wire::RawCbcStatic && static_iv.is_none() {
            return Err(
                "raw-cbc-static needs its fixed IV (the last 16 bytes of the 32-byte key file)".into()
            );
        }
        let cipher = Cipher::new(wire.suite(), key, mac_key).map_err(|e| match e {
            SuiteError::MissingMacKey => format!("{} needs an HMAC key: give --mac-key", wire.name()),
            e => e.to_string(),
        })?;
        let aes = Some(Aes::new(key).map_err(|e| e.to_string())?);
        Ok(Codec { wire, cipher, aes, static_iv, rsa: None })
    }

    /// A codec for `rsa-gcm-json` once the handshake has given a session.
    pub fn rsa(session: rsa_json::Session) -> Self {
        Codec {
            wire: Wire::RsaGcmJson,
            cipher: session.gcm(),
            aes: None,
            static_iv: None,
            rsa: Some(session),
        }
    }

    /// The profile.
    pub const fn wire(&self) -> Wire {
        self.wire
    }

    /// Seals `text` as one message, exactly as it goes on the wire.
    pub fn seal<R: CryptoRng + ?Sized>(&self, text: &[u8], rng: &mut R) -> Vec<u8> {
        match self.wire {
            Wire::LenIvCtHmac => {
                let body = self.cipher.seal(&[], text, rng);
                let mut out = (body.len() as u32).to_be_bytes().to_vec();
                out.extend_from_slice(&body);
                out
            }
            Wire::B64IvCt | Wire::B64Ecb => B64.encode(self.cipher.seal(&[], text, rng)).into_bytes(),
            Wire::RawCbcStatic => {
                let iv = self.static_iv.expect("checked in Codec::new");
                // The flaw this format teaches: the same IV for every message.
                let mut body = Vec::new();
                self.cipher.seal_with_iv(&[], text, &iv, &mut body).expect("a 16-byte IV for cbc");
                body.split_off(16)
            }
            Wire::RsaGcmJson => self.rsa.as_ref().expect("rsa codec has a session").seal(text, rng),
            Wire::Native => unreachable!("native frames are sealed by net::Sealer"),
        }
    }

    /// Opens one message (the bytes [`next_message`] delimited).
    pub fn open(&self, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
        match self.wire {
            Wire::LenIvCtHmac => {
                let body = msg.get(4..).ok_or_else(|| ProfileError::Truncated("no length prefix".into()))?;
                if body.len() < 64 || !(body.len() - 48).is_multiple_of(16) {
                    return Err(ProfileError::Shape(format!(
                        "length {} is not IV (16) + whole 16-byte blocks + HMAC (32)",
                        body.len()
                    )));
                }
                self.cipher.open(&[], body).map_err(|_| ProfileError::BadMac)
            }
            Wire::B64IvCt | Wire::B64Ecb => {
                let body = decode_b64(msg)?;
                let min = self.wire.min_decoded();
                if body.len() < min || !body.len().is_multiple_of(16) {
                    return Err(ProfileError::Shape(format!(
                        "decoded length {} is not {}whole 16-byte blocks",
                        body.len(),
                        if self.wire == Wire::B64IvCt { "an IV (16) + " } else { "" }
                    )));
                }
                self.cipher.open(&[], &body).map_err(|_| ProfileError::BadPadding)
            }
            Wire::RawCbcStatic => {
                if msg.is_empty() || !msg.len().is_multiple_of(16) {
                    return Err(ProfileError::Shape(format!(
                        "{} bytes is not whole 16-byte blocks",
                        msg.len()
                    )));
                }
                let iv = self.static_iv.expect("checked in Codec::new");
                let mut body = iv.to_vec();
                body.extend_from_slice(msg);
                self.cipher.open(&[], &body).map_err(|_| ProfileError::BadPadding)
            }
            Wire::RsaGcmJson => self.rsa.as_ref().expect("rsa codec has a session").open(msg),
            Wire::Native => unreachable!("native frames are opened by net::Opener"),
        }
    }

    /// Whether the unpadded base64 text `text` (a multiple of 64 characters)
    /// could end a message: its last block decrypts to valid PKCS#7 padding
    /// after text without control characters. Only the last 64 characters
    /// are decoded and one block decrypted, so screening every split point of
    /// a long run costs O(run), not O(run²).
    fn ends_a_message(&self, text: &[u8]) -> bool {
        let Some(aes) = &self.aes else { return false };
        let Ok(tail) = B64.decode(&text[text.len().saturating_sub(64)..]) else { return false };
        let n = tail.len();
        if n < 32 || !n.is_multiple_of(16) {
            return false;
        }
        let mut out = [0u8; 16];
        match self.wire {
            Wire::B64Ecb => aes.ecb_decrypt_raw(&tail[n - 16..], &mut out),
            _ => {
                let prev: [u8; 16] = tail[n - 32..n - 16].try_into().expect("16 bytes");
                aes.cbc_decrypt_raw(&prev, &tail[n - 16..], &mut out);
            }
        }
        pkcs7::unpad(&out).is_ok_and(|len| {
            !out[..len].iter().any(|&b| b == 0x7f || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))
        })
    }
}

/// Decodes base64 text, naming the first bad byte; a plain-text error reply
/// from the peer (`ERROR: …`) is reported as what it says.
pub fn decode_b64(text: &[u8]) -> Result<Vec<u8>, ProfileError> {
    let text = text.trim_ascii();
    if let Some(at) = text.iter().position(|&b| !is_b64(b) && b != b'=') {
        if text.iter().all(|b| b.is_ascii_graphic() || *b == b' ') && text.len() < 200 && text.contains(&b' ')
        {
            return Err(ProfileError::PeerSaid(String::from_utf8_lossy(text).into_owned()));
        }
        return Err(ProfileError::NotBase64 { at, byte: text[at] });
    }
    B64.decode(text).map_err(|e| ProfileError::Shape(format!("bad base64: {e}")))
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

/// Labels the fields of one message of `expect` without any key.
pub fn dissect(expect: Expect, msg: &[u8]) -> Dissected {
    let mut d = fields(expect, msg);
    d.wire = match expect {
        Expect::Message(wire) => wire.name(),
        Expect::Pem | Expect::Exact(_) => "rsa-gcm-json handshake",
    };
    d
}

fn fields(expect: Expect, msg: &[u8]) -> Dissected {
    let raw = |summary: String| Dissected {
        wire: "",
        bytes: msg.to_vec(),
        spans: vec![Span::new("data", SpanKind::Data, 0..msg.len())],
        summary,
    };
    match expect {
        Expect::Pem => {
            let summary = match rsa_json::parse_public_pem(msg) {
                Ok(key) => format!("RSA public key, PEM (SPKI), fingerprint {}", rsa_json::fingerprint(&key)),
                Err(e) => e.to_string(),
            };
            Dissected {
                wire: "",
                bytes: msg.to_vec(),
                spans: vec![
                    Span::new("pem", SpanKind::Data, 0..msg.len()).with_note("public key, sent in clear"),
                ],
                summary,
            }
        }
        Expect::Exact(n) => Dissected {
            wire: "",
            bytes: msg.to_vec(),
            spans: vec![
                Span::new("oaep", SpanKind::Data, 0..msg.len())
                    .with_note("AES-256 session key under RSA-OAEP"),
            ],
            summary: format!("{n}-byte RSA-OAEP ciphertext of the AES-256 session key"),
        },
        Expect::Message(Wire::LenIvCtHmac) => {
            let mut spans = Vec::new();
            let n = msg.len();
            spans.push(
                Span::new("len", SpanKind::Length, 0..n.min(4))
                    .with_note(format!("{} bytes follow", n.saturating_sub(4))),
            );
            if n > 4 {
                spans.extend(crate::suite::layout::body_spans(Suite::CbcHmac, 4, n - 4));
            }
            Dissected { wire: "", bytes: msg.to_vec(), spans, summary: format!("length-prefixed, {n} bytes") }
        }
        Expect::Message(wire @ (Wire::B64IvCt | Wire::B64Ecb)) => match decode_b64(msg) {
            Ok(bytes) => {
                let spans = crate::suite::layout::body_spans(wire.suite(), 0, bytes.len());
                let summary =
                    format!("base64, {} characters → {} bytes", msg.trim_ascii().len(), bytes.len());
                Dissected { wire: "", bytes, spans, summary }
            }
            Err(e) => raw(e.to_string()),
        },
        Expect::Message(Wire::RawCbcStatic) => Dissected {
            wire: "",
            bytes: msg.to_vec(),
            spans: block_spans("ct", SpanKind::Ciphertext, 0..msg.len()),
            summary: format!("raw CBC, {} bytes, IV not sent (fixed)", msg.len()),
        },
        Expect::Message(Wire::RsaGcmJson) => match rsa_json::Fields::parse(msg) {
            Ok(f) => f.dissect(msg.len()),
            Err(e) => raw(e.to_string()),
        },
        Expect::Message(Wire::Native) => raw("native frame".into()),
    }
}

/// Rebuilds a message after the proxy changed its dissected bytes (flip,
/// truncate): base64 is re-encoded, JSON fields are re-assembled with the
/// original field sizes; raw formats are the bytes themselves.
pub fn reassemble(expect: Expect, original: &[u8], changed: &[u8]) -> Vec<u8> {
    match expect {
        Expect::Message(Wire::B64IvCt | Wire::B64Ecb) if decode_b64(original).is_ok() => {
            B64.encode(changed).into_bytes()
        }
        Expect::Message(Wire::RsaGcmJson) => match rsa_json::Fields::parse(original) {
            Ok(f) => f.reassemble(changed),
            Err(_) => changed.to_vec(),
        },
        _ => changed.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(wire: Wire) -> Codec {
        Codec::new(wire, b"YELLOW SUBMARINE", Some(b"mac key"), Some(*b"0123456789abcdef")).unwrap()
    }

    fn rng() -> rand::rngs::ChaCha20Rng {
        rand::SeedableRng::seed_from_u64(7)
    }

    #[test]
    fn every_aes_profile_round_trips() {
        for wire in [Wire::LenIvCtHmac, Wire::B64IvCt, Wire::B64Ecb, Wire::RawCbcStatic] {
            let c = codec(wire);
            for msg in [
                &b""[..],
                b"a",
                b"fifteen bytes!!",
                b"sixteen bytes!!!",
                b"seventeen bytes!!",
                "h\u{e9}llo".as_bytes(),
            ] {
                let sealed = c.seal(msg, &mut rng());
                assert_eq!(c.open(&sealed).unwrap(), msg, "{wire:?}");
                let n = next_message(
                    Expect::Message(wire),
                    &sealed,
                    wire == Wire::RawCbcStatic,
                    Some(&c),
                    1 << 20,
                );
                assert_eq!(n, Next::Message { range: 0..sealed.len(), consumed: sealed.len(), note: None });
            }
        }
    }

    #[test]
    fn two_padded_base64_messages_in_one_read_split_at_the_padding() {
        let c = codec(Wire::B64IvCt);
        // 16 + 16 bytes = 32, not a multiple of 3: ends in '='.
        let (a, b) = (c.seal(b"first", &mut rng()), c.seal(b"second", &mut rng()));
        let both = [a.clone(), b].concat();
        let Next::Message { range, note, .. } =
            next_message(Expect::Message(Wire::B64IvCt), &both, false, Some(&c), 1 << 20)
        else {
            panic!("no message")
        };
        assert_eq!((range, note), (0..a.len(), None));
    }

    #[test]
    fn unpadded_base64_messages_back_to_back_are_split_and_the_ambiguity_reported() {
        for wire in [Wire::B64IvCt, Wire::B64Ecb] {
            let c = codec(wire);
            // 48 decoded bytes: no '=' in the base64.
            let text = if wire == Wire::B64Ecb {
                &b"thirty-two bytes of plain text.."[..]
            } else {
                b"sixteen bytes..."
            };
            let a = c.seal(text, &mut rng());
            assert!(!a.contains(&b'='), "{wire:?} {}", a.len());
            let both = [a.clone(), a.clone()].concat();
            let Next::Message { range, note, .. } =
                next_message(Expect::Message(wire), &both, false, Some(&c), 1 << 20)
            else {
                panic!("no message")
            };
            assert_eq!(range, 0..a.len(), "{wire:?}");
            assert!(note.unwrap().contains("ambiguous"), "{wire:?}");
            // The second, alone, is one message.
            let n = next_message(Expect::Message(wire), &a, false, Some(&c), 1 << 20);
            assert_eq!(n, Next::Message { range: 0..a.len(), consumed: a.len(), note: None });
        }
    }

    #[test]
    fn a_split_message_waits_for_the_rest() {
        let c = codec(Wire::B64IvCt);
        let msg = c.seal(&[b'x'; 4000], &mut rng());
        for cut in [1, 10, 64, 640, msg.len() - 1] {
            let n = next_message(Expect::Message(Wire::B64IvCt), &msg[..cut], false, Some(&c), 1 << 20);
            assert_eq!(n, Next::NeedMore, "cut at {cut}");
        }
    }

    #[test]
    fn bad_input_is_named() {
        let c = codec(Wire::B64IvCt);
        let n = next_message(Expect::Message(Wire::B64IvCt), b"abc!def", false, Some(&c), 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::NotBase64 { at: 3, byte: b'!' }, .. }));
        let n = next_message(Expect::Message(Wire::LenIvCtHmac), &[0xff; 8], false, None, 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::TooLong { .. }, .. }));
        let n = next_message(Expect::Pem, b"hello there", false, None, 1 << 20);
        assert!(matches!(n, Next::Bad { error: ProfileError::NotPem(_), .. }));
        assert_eq!(c.open(b"ERROR: bad padding"), Err(ProfileError::PeerSaid("ERROR: bad padding".into())));
        let other = Codec::new(Wire::B64IvCt, b"other key 16 byt", None, None).unwrap();
        assert_eq!(other.open(&c.seal(b"hello", &mut rng())), Err(ProfileError::BadPadding));
    }

    #[test]
    fn flips_survive_reassembly() {
        let c = codec(Wire::B64IvCt);
        let sealed = c.seal(b"pay 10", &mut rng());
        let mut d = dissect(Expect::Message(Wire::B64IvCt), &sealed);
        d.bytes[4] ^= b'1' ^ b'9';
        let forged = reassemble(Expect::Message(Wire::B64IvCt), &sealed, &d.bytes);
        assert_eq!(c.open(&forged).unwrap(), b"pay 90");
    }
}
