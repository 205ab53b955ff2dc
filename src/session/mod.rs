//! Pure protocol state — everything about a connection except the socket.
//!
//! A native connection numbers and seals what it sends ([`Sealer`]) and
//! checks what it receives ([`Opener`]: the suite byte, the tag or padding,
//! the sequence number, the hello first). A classroom-format connection has
//! a [`crate::profiles::Codec`] instead, after its handshake if it has one.
//! [`channel::Channel`] is either, as one value with one interface, so the
//! server, client and proxy in [`crate::net`] are written once. Nothing here
//! touches a socket, a clock or a terminal, so attacks (which may use only
//! what an attacker has) and tests can drive it directly.
//!
//! The message flow of the native protocol, per connection:
//!
//! ```text
//! client                                   server
//!   // -> ClientHello, <- ServerHello, -> Finished   ([`handshake`]: this
//!   //                                                connection's keys)
//!   // -> hello #0  "alice"                  (sealed: client → server key)
//!   // <- hello #0  "you are client 3"       (sealed: server → client key)
//!   // -> message #1 … / <- message #1 …     (either side, any time)
//!   // -> goodbye #n                         (quit / end of input)
//!   // <- goodbye #m, close
//! ```
//!
//! Each direction has its own key and its own sequence counter, from 0 with
//! the hello. In cbc-hmac and gcm the header (sequence number included) is
//! the body's associated data, so a frame replayed or reordered within the
//! connection is refused; the keys per connection and direction refuse one
//! from another connection or the other direction. In ecb and cbc nothing
//! binds a body to its header. With `--static-keys` (INSECURE) there is no
//! handshake: one long-term key seals both directions of every connection.

pub mod channel;
pub mod handshake;
pub mod loopback;
pub mod mitm;

use std::sync::Arc;

use crate::suite::{Cipher, Suite, SuiteError};
use crate::wire::{self, HEADER_LEN, Header, Kind, WireError};

/// Why a received native frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The frame is malformed.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// The peer seals in another suite.
    #[error("{peer} speaks {theirs}, {us} {ours}")]
    SuiteMismatch {
        /// Who the peer is, in words (`server`, `client 3`).
        peer: String,
        /// Who we are, with the verb (`you speak`, `this server speaks`).
        us: &'static str,
        /// The peer's suite.
        theirs: Suite,
        /// Ours.
        ours: Suite,
    },
    /// The body did not open.
    #[error("{0}")]
    Crypto(#[from] SuiteError),
    /// An authentic frame with an unexpected sequence number.
    #[error("sequence number {got}, expected {expected}: replayed, reordered or dropped frame")]
    Sequence {
        /// The frame's sequence number.
        got: u64,
        /// The one expected.
        expected: u64,
    },
    /// The first frame was not a hello.
    #[error("expected a hello frame first, got {0}")]
    NoHello(&'static str),
    /// A handshake frame where sealed frames are expected: after the
    /// handshake, or to a side that runs with `--static-keys`.
    #[error(
        "a handshake frame from {peer}, where sealed frames are expected: it wants a key \
         exchange, or repeats one (start both sides with or without --static-keys)"
    )]
    Handshake {
        /// Who sent it.
        peer: String,
    },
}

impl OpenError {
    /// What to try, for a user whose peer's frames were refused.
    pub fn hint(&self) -> &'static str {
        match self {
            OpenError::SuiteMismatch { .. } => "start both sides with the same --mode",
            OpenError::Crypto(_) => {
                "both sides need the same key: compare the fingerprints they print at start"
            }
            OpenError::Handshake { .. } => "start both sides with or without --static-keys",
            OpenError::Wire(_) | OpenError::Sequence { .. } | OpenError::NoHello(_) => {
                "the server sent something this client cannot accept"
            }
        }
    }
}

/// Where IVs and nonces come from.
enum Nonces {
    /// The operating system's CSPRNG (via `rand::rng()`): always, in real use.
    Os,
    /// A ChaCha20 stream from a seed: reproducible output for `tour --seed`,
    /// which also derives its (demo) keys from the seed.
    Seeded(Box<rand::rngs::ChaCha20Rng>),
}

/// Seals outgoing frames, numbering them.
pub struct Sealer {
    cipher: Arc<Cipher>,
    next_seq: u64,
    nonces: Nonces,
}

impl Sealer {
    /// A sealer starting at sequence number 0, with IVs/nonces from the OS.
    pub fn new(cipher: Arc<Cipher>) -> Self {
        Sealer { cipher, next_seq: 0, nonces: Nonces::Os }
    }

    /// A sealer whose IVs/nonces come from a seeded ChaCha20 — reproducible,
    /// so only for demo keys derived from the same seed (`tour --seed`).
    pub fn seeded(cipher: Arc<Cipher>, seed: u64) -> Self {
        use rand::SeedableRng;
        let rng = Box::new(rand::rngs::ChaCha20Rng::seed_from_u64(seed));
        Sealer { cipher, next_seq: 0, nonces: Nonces::Seeded(rng) }
    }

    /// The suite it seals in.
    pub fn suite(&self) -> Suite {
        self.cipher.suite()
    }

    /// Seals `text` into a complete frame of `kind`.
    pub fn seal(&mut self, kind: Kind, text: &[u8]) -> Vec<u8> {
        let mut frame = Vec::new();
        self.seal_into(kind, text, &mut frame);
        frame
    }

    /// Seals `text` into `frame` (resized; a reused buffer costs no
    /// allocation): the header, then the body sealed right after it.
    pub fn seal_into(&mut self, kind: Kind, text: &[u8], frame: &mut Vec<u8>) {
        let suite = self.cipher.suite();
        let header = Header { suite, kind, seq: self.next_seq, len: suite.body_len(text.len()) as u32 };
        self.next_seq += 1;
        let head = header.encode();
        // Header written in place, body sealed after it: a reused buffer is
        // neither cleared nor zero-filled again (no memset per frame).
        if frame.len() < HEADER_LEN {
            frame.resize(HEADER_LEN, 0);
        }
        frame[..HEADER_LEN].copy_from_slice(&head);
        match &mut self.nonces {
            Nonces::Os => self.cipher.seal_into_at(&head, text, &mut rand::rng(), frame, HEADER_LEN),
            Nonces::Seeded(rng) => self.cipher.seal_into_at(&head, text, rng.as_mut(), frame, HEADER_LEN),
        }
    }
}

/// A frame that opened.
pub struct Opened {
    /// Its header.
    pub header: Header,
    /// The message, padding removed.
    pub text: Vec<u8>,
}

/// Opens incoming frames, checking suite and sequence.
pub struct Opener {
    cipher: Arc<Cipher>,
    expected: u64,
    peer: String,
    us: &'static str,
    buf: Vec<u8>,
}

impl Opener {
    /// An opener for frames from `peer` (`server`, `client 3`); `us` is how
    /// we are named in a mismatch message, verb included (`you speak`,
    /// `this server speaks`).
    pub fn new(cipher: Arc<Cipher>, peer: String, us: &'static str) -> Self {
        Opener { cipher, expected: 0, peer, us, buf: Vec::new() }
    }

    /// Checks and opens one whole frame.
    pub fn open(&mut self, frame: &[u8]) -> Result<Opened, OpenError> {
        let (header, text) = self.open_ref(frame)?;
        Ok(Opened { header, text: text.to_vec() })
    }

    /// Like [`Opener::open`], returning the text as a slice of the opener's
    /// reused buffer (no copy).
    pub fn open_ref(&mut self, frame: &[u8]) -> Result<(Header, &[u8]), OpenError> {
        let (header, body) = wire::decode_frame(frame, u32::MAX)?;
        if header.kind == Kind::Notice {
            // Plain text, outside the sequence: shown, never trusted.
            self.buf.clear();
            self.buf.extend_from_slice(body);
            return Ok((header, &self.buf));
        }
        if header.kind == Kind::Handshake {
            return Err(OpenError::Handshake { peer: self.peer.clone() });
        }
        if header.suite != self.cipher.suite() {
            return Err(OpenError::SuiteMismatch {
                peer: self.peer.clone(),
                us: self.us,
                theirs: header.suite,
                ours: self.cipher.suite(),
            });
        }
        let len = self.cipher.open_into(&frame[..HEADER_LEN], body, &mut self.buf)?;
        if header.seq != self.expected {
            return Err(OpenError::Sequence { got: header.seq, expected: self.expected });
        }
        if self.expected == 0 && header.kind != Kind::Hello {
            return Err(OpenError::NoHello(header.kind.name()));
        }
        self.expected += 1;
        Ok((header, &self.buf[..len]))
    }
}
