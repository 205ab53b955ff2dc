//! `raw-cbc-static`: raw AES-128-CBC bytes under a key *and IV* fixed in a
//! shared 32-byte file; one message (and one reply) per connection.
//!
//! ```text
//! key file: K (16 bytes) ‖ IV (16 bytes)
//! client -> CBC_K(IV, pad(P))    then closes its sending side
//! server <- CBC_K(IV, pad(R))    (the reply, if any), then closes
//! ```
//!
//! CBC per NIST SP 800-38A §6.2. INSECURE: the IV is the same for every
//! message (SP 800-38A Appendix C requires it to be unpredictable), so equal
//! messages — and equal first blocks — give equal ciphertexts, and nothing
//! detects tampering. The message ends when the sender closes or goes quiet.

use super::{Close, Dissected, Flow, FormatSpec, Next, ProfileError};
use crate::render::SpanKind;
use crate::suite::layout::block_spans;
use crate::suite::{Cipher, Suite};

/// The format's table row.
pub const SPEC: FormatSpec = FormatSpec {
    name: "raw-cbc-static",
    about: "Raw AES-128-CBC with a fixed key and IV from a 32-byte file; one message per connection",
    flow: Flow::OneWay,
    close: Close::Silent,
    suite: Suite::Cbc,
    fixed_bits: Some(128),
    text: false,
    settles: true,
    handshake: false,
    insecure: Some("raw-cbc-static reuses one key and IV: equal messages give equal ciphertexts; no MAC"),
    weakness: "static IV: equal messages (and equal prefixes) give equal ciphertexts",
    closed_hint: "the message was written; the server chose not to reply",
    silent_hint: "the server may be waiting for its operator to type a reply; raise --timeout",
};

/// One message per connection: it ends when the sender closes or goes quiet.
pub fn next(buf: &[u8], settled: bool, max: usize) -> Next {
    if buf.len() > max {
        return Next::Bad { error: ProfileError::TooLong { len: buf.len(), max }, consumed: buf.len() };
    }
    if settled && !buf.is_empty() {
        Next::Message { range: 0..buf.len(), consumed: buf.len(), note: None }
    } else {
        Next::NeedMore
    }
}

/// cbc and the one IV every message uses.
pub struct Codec {
    cipher: Cipher,
    iv: [u8; 16],
}

impl Codec {
    /// Keys the codec; the fixed IV is required.
    pub fn new(cipher: Cipher, iv: Option<[u8; 16]>) -> Result<Self, String> {
        let iv = iv.ok_or("raw-cbc-static needs its fixed IV (the last 16 bytes of the 32-byte key file)")?;
        Ok(Codec { cipher, iv })
    }

    /// Seals `text` under the fixed IV — the flaw this format teaches.
    pub fn seal(&self, text: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        self.cipher.seal_with_iv(&[], text, &self.iv, &mut body).expect("a 16-byte IV for cbc");
        body.split_off(16)
    }

    /// Opens one message.
    pub fn open(&self, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
        if msg.is_empty() || !msg.len().is_multiple_of(16) {
            return Err(ProfileError::Shape(format!("{} bytes is not whole 16-byte blocks", msg.len())));
        }
        let mut body = self.iv.to_vec();
        body.extend_from_slice(msg);
        self.cipher.open(&[], &body).map_err(|_| ProfileError::BadPadding)
    }
}

/// The fields without a key: just ciphertext blocks (the IV is not sent).
pub fn dissect(msg: &[u8]) -> Dissected {
    Dissected {
        wire: "",
        bytes: msg.to_vec(),
        spans: block_spans("ct", SpanKind::Ciphertext, 0..msg.len()),
        summary: format!("raw CBC, {} bytes, IV not sent (fixed)", msg.len()),
    }
}
