//! Base64 framing, shared by [`super::b64_iv_ct`] and [`super::b64_ecb`]:
//! `base64(body)` with no length and no delimiter, where `body` is the
//! suite's body (`IV ‖ CBC(P)` or `ECB(P)`, PKCS#7-padded).
//!
//! A message is self-delimiting only when its base64 ends in `=` padding.
//! When the body is a multiple of 3 bytes (48, 96, …) there is none, and two
//! messages back to back read exactly like one longer one. [`next`] then
//! uses the key: it splits where a prefix decrypts to a whole, readable
//! message with valid padding, prefers a reading where no piece is garbage,
//! and reports the ambiguity in a note. Screening a split point decodes only
//! the last 64 characters and decrypts one block (`Codec::ends_a_message`),
//! so a hostile run costs linear work, not quadratic.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::CryptoRng;

use super::{Dissected, Next, ProfileError};
use crate::suite::{Aes, Cipher, Suite, pkcs7};

/// What differs between the two base64 formats.
#[derive(Debug)]
pub struct Framing {
    /// The mode underneath (cbc with its IV, or ecb).
    pub suite: Suite,
    /// Smallest decoded message: one block, plus the IV where there is one.
    pub min_decoded: usize,
}

impl Framing {
    fn shape_words(&self) -> &'static str {
        if self.suite.iv_len() > 0 { "an IV (16) + " } else { "" }
    }
}

/// The keyed state of a base64 session: the suite, and the bare AES used to
/// screen split points one block at a time.
pub struct Codec {
    cipher: Cipher,
    aes: Aes,
}

impl Codec {
    /// Keys the codec (the key length was checked by the caller's cipher).
    pub fn new(cipher: Cipher, key: &[u8]) -> Result<Self, String> {
        Ok(Codec { cipher, aes: Aes::new(key).map_err(|e| e.to_string())? })
    }

    /// Seals `text`: base64 of the suite's body.
    pub fn seal<R: CryptoRng + ?Sized>(&self, text: &[u8], rng: &mut R) -> Vec<u8> {
        B64.encode(self.cipher.seal(&[], text, rng)).into_bytes()
    }

    /// Opens one message.
    pub fn open(&self, framing: &Framing, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
        let body = decode_b64(msg)?;
        if body.len() < framing.min_decoded || !body.len().is_multiple_of(16) {
            return Err(ProfileError::Shape(format!(
                "decoded length {} is not {}whole 16-byte blocks",
                body.len(),
                framing.shape_words()
            )));
        }
        self.cipher.open(&[], &body).map_err(|_| ProfileError::BadPadding)
    }

    /// Whether the unpadded base64 text `text` (a multiple of 64 characters)
    /// could end a message: its last block decrypts to valid PKCS#7 padding
    /// after text without control characters. Only the last 64 characters
    /// are decoded and one block decrypted, so screening every split point of
    /// a long run costs O(run), not O(run²).
    fn ends_a_message(&self, text: &[u8]) -> bool {
        let Ok(tail) = B64.decode(&text[text.len().saturating_sub(64)..]) else { return false };
        let n = tail.len();
        if n < 32 || !n.is_multiple_of(16) {
            return false;
        }
        let mut out = [0u8; 16];
        if self.cipher.suite().iv_len() == 0 {
            self.aes.ecb_decrypt_raw(&tail[n - 16..], &mut out);
        } else {
            let prev: [u8; 16] = tail[n - 32..n - 16].try_into().expect("16 bytes");
            self.aes.cbc_decrypt_raw(&prev, &tail[n - 16..], &mut out);
        }
        pkcs7::unpad(&out).is_ok_and(|len| {
            !out[..len].iter().any(|&b| b == 0x7f || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))
        })
    }

    fn opens_clean(&self, framing: &Framing, text: &[u8]) -> bool {
        self.open(framing, text).is_ok_and(|p| clean(&p))
    }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
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

/// Decoded length of `chars` unpadded base64 characters (a multiple of 4).
const fn decoded_len(chars: usize) -> usize {
    chars / 4 * 3
}

/// Finds the next base64 message in `buf` (`ws` leading whitespace bytes).
pub fn next(
    framing: &Framing,
    buf: &[u8],
    ws: usize,
    settled: bool,
    codec: Option<&Codec>,
    max: usize,
) -> Next {
    let s = &buf[ws..];
    if s.is_empty() {
        return Next::NeedMore;
    }
    let mut end = s.iter().take_while(|&&b| is_b64(b)).count();
    let pad = s[end..].iter().take(2).take_while(|&&b| b == b'=').count();
    let max_chars = (max / 3 + 1) * 4;
    if end > max_chars {
        return Next::Bad {
            error: ProfileError::TooLong { len: decoded_len(end), max },
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
    let structural = |chars: usize| {
        let decoded = decoded_len(chars);
        chars.is_multiple_of(4) && decoded >= framing.min_decoded && decoded.is_multiple_of(16)
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
            .find(|&at| codec.ends_a_message(&text[..at]) && codec.opens_clean(framing, &text[..at]))
    });
    if let (Some(at), Some(codec)) = (split, codec) {
        if codec.opens_clean(framing, text) {
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
        // Without the key, the documented rule: complete-looking bytes are
        // a message once the sender goes quiet (a long one may come in
        // parts, each of which looks complete).
        None if settled => whole,
        None => Next::NeedMore,
        Some(codec) if codec.open(framing, text).is_ok() => whole,
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

/// The fields of a base64 message, decoded, without a key.
pub fn dissect(framing: &Framing, msg: &[u8]) -> Dissected {
    match decode_b64(msg) {
        Ok(bytes) => {
            let spans = crate::suite::layout::body_spans(framing.suite, 0, bytes.len());
            let summary = format!("base64, {} characters → {} bytes", msg.trim_ascii().len(), bytes.len());
            Dissected { wire: "", bytes, spans, summary }
        }
        Err(e) => Dissected::raw(msg, e.to_string()),
    }
}

/// The message re-encoded after its decoded bytes were changed.
pub fn reassemble(original: &[u8], changed: &[u8]) -> Vec<u8> {
    if decode_b64(original).is_ok() { B64.encode(changed).into_bytes() } else { changed.to_vec() }
}
