//! The native handshake: fresh keys for every connection and every direction,
//! agreed by an X25519 key exchange and proven by the key file.
//!
//! It is modelled on TLS 1.3's `psk_dhe_ke` mode (RFC 8446 §2.2, §4.2.9):
//! both sides hold a pre-shared key (the key file), each sends a fresh random
//! and an ephemeral X25519 public key (RFC 7748), and the key schedule of
//! RFC 8446 §7.1 mixes the pre-shared key and the X25519 shared secret with
//! HKDF-SHA256 (RFC 5869). It is smaller than TLS on purpose — one suite,
//! fixed by the command line, no negotiation, no certificates, no resumption:
//!
//! ```text
//! client                                         server
//!   -> ClientHello  mode, AES size, random_c, X25519 pub_c
//!   <- ServerHello  random_s, X25519 pub_s, server Finished
//!   -> Finished     client Finished
//!   (both) hello, messages, goodbye — sealed with this connection's keys
//! ```
//!
//! The key schedule (`Expand-Label` is RFC 8446 §7.1's `HKDF-Expand-Label`
//! with the label prefix `cryptolab ` instead of `tls13 `, so no key here can
//! ever equal a TLS key):
//!
//! ```text
//! psk  = len(enc) ‖ enc ‖ len(mac) ‖ mac      (the key file; 2-byte lengths)
//!        32 zero bytes with --anonymous       (no key file: NOT authenticated)
//! dhe  = X25519(own secret, peer's pub)
//!
//! early     = HKDF-Extract(salt = 0³², psk)
//! handshake = HKDF-Extract(salt = Expand-Label(early, "derived", H(""), 32), dhe)
//! master    = HKDF-Extract(salt = Expand-Label(handshake, "derived", H(""), 32), 0³²)
//!
//! s_finished = HMAC(Expand-Label(handshake, "s finished", "", 32), H(CH ‖ SH⁻))
//! c_finished = HMAC(Expand-Label(handshake, "c finished", "", 32), H(CH ‖ SH))
//! c_traffic  = Expand-Label(master, "c ap traffic", H(CH ‖ SH), 32)
//! s_traffic  = Expand-Label(master, "s ap traffic", H(CH ‖ SH), 32)
//! each direction's enc key = Expand-Label(traffic, "key", "", AES size)
//!                  mac key = Expand-Label(traffic, "mac", "", 32)
//! ```
//!
//! `H` is SHA-256; `CH` and `SH` are the whole handshake frames, headers
//! included (so the suite byte is in the transcript), and `SH⁻` is the
//! server's frame without its Finished field. What each part buys:
//! - **Separate keys per direction** (`c …`/`s …` labels): a frame reflected
//!   back to its sender does not open.
//! - **Fresh keys per connection** (both randoms and both ephemeral keys are in
//!   the transcript): a frame recorded on one connection does not open on
//!   another, so sequence numbers may restart at 0 safely.
//! - **Forward secrecy** (`dhe`): the X25519 secrets live only for the
//!   handshake; a recording stays unreadable after the key file leaks.
//! - **Authentication** (`psk` in the schedule, the Finished MACs): only a
//!   holder of the key file can compute the server's Finished, so a machine
//!   in the middle that runs its own key exchange with each side is caught.
//!   With `--anonymous` the Finished MACs only confirm that both saw the same
//!   bytes, and the man in the middle wins (`cryptolab demo mitm`).
//!
//! Nothing here touches a socket: [`ClientStart`] and [`ServerWait`] are the
//! two sides' states, driven by [`crate::session::channel::Channel`].
//! `docs/PROTOCOL.md` has the byte layout and a worked example checked by a
//! test.

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use rand::CryptoRng;
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

use crate::keys::KeyMaterial;
use crate::render::{Span, SpanKind};
use crate::suite::{Cipher, Suite};
use crate::wire::{self, Header, Kind, WireError};

/// The label prefix of every `Expand-Label` (TLS 1.3 uses `tls13 `).
pub const LABEL_PREFIX: &str = "cryptolab ";
/// Bytes of a random, an X25519 public key, a Finished MAC.
pub const LEN: usize = 32;
/// A ClientHello body: type, mode, AES size, random, public key.
pub const CLIENT_HELLO_LEN: usize = 3 + 2 * LEN;
/// A ServerHello body: type, random, public key, Finished.
pub const SERVER_HELLO_LEN: usize = 1 + 3 * LEN;
/// A Finished body: type, MAC.
pub const FINISHED_LEN: usize = 1 + LEN;
/// An alert body: type, reason.
pub const ALERT_LEN: usize = 2;
/// The longest handshake body: what a receiver accepts during the handshake,
/// whatever its `--max-frame`.
pub const MAX_BODY: u32 = SERVER_HELLO_LEN as u32;

/// Where a native session's keys come from, as the command line chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keying {
    /// The handshake with the key file as pre-shared key (the default).
    Handshake,
    /// INSECURE `--static-keys`: the key file's key seals every frame of every
    /// connection, both directions — replay across connections, reflection,
    /// no forward secrecy.
    Static,
    /// INSECURE `--anonymous`: the handshake without the key file — encrypted,
    /// but anyone in the middle can run its own key exchange with each side.
    Anonymous,
}

impl Keying {
    /// Why it is insecure, for the INSECURE line (`None`: it is not).
    pub const fn insecure_reason(self) -> Option<&'static str> {
        match self {
            Keying::Handshake => None,
            Keying::Static => Some(
                "--static-keys: one long-term key for every connection and both directions — \
                 frames can be replayed on another connection or reflected back, and a \
                 recording is readable by whoever gets the key file later",
            ),
            Keying::Anonymous => Some(
                "--anonymous: the key exchange is not authenticated — a machine in the middle \
                 can run its own with each side and read and change every message",
            ),
        }
    }
}

/// The key exchange a ClientHello asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// X25519 and the key file (RFC 8446 `psk_dhe_ke`).
    PskDhe,
    /// X25519 alone (`--anonymous`).
    Anonymous,
}

impl Mode {
    const fn code(self) -> u8 {
        match self {
            Mode::PskDhe => 1,
            Mode::Anonymous => 2,
        }
    }

    const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Mode::PskDhe),
            2 => Some(Mode::Anonymous),
            _ => None,
        }
    }

    /// How it is named in output.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::PskDhe => "X25519 + key file",
            Mode::Anonymous => "X25519 without the key file (--anonymous)",
        }
    }
}

/// The first byte of a handshake body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    /// Client → server, first.
    ClientHello,
    /// Server → client, with the server's Finished.
    ServerHello,
    /// Client → server: the client's Finished.
    Finished,
    /// Either way: the handshake failed, and why.
    Alert,
}

impl MsgType {
    const fn code(self) -> u8 {
        match self {
            MsgType::ClientHello => 1,
            MsgType::ServerHello => 2,
            MsgType::Finished => 3,
            MsgType::Alert => 4,
        }
    }

    const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(MsgType::ClientHello),
            2 => Some(MsgType::ServerHello),
            3 => Some(MsgType::Finished),
            4 => Some(MsgType::Alert),
            _ => None,
        }
    }

    /// How it is named in output.
    pub const fn name(self) -> &'static str {
        match self {
            MsgType::ClientHello => "ClientHello",
            MsgType::ServerHello => "ServerHello",
            MsgType::Finished => "Finished",
            MsgType::Alert => "alert",
        }
    }

    const fn body_len(self) -> usize {
        match self {
            MsgType::ClientHello => CLIENT_HELLO_LEN,
            MsgType::ServerHello => SERVER_HELLO_LEN,
            MsgType::Finished => FINISHED_LEN,
            MsgType::Alert => ALERT_LEN,
        }
    }
}

/// Why a side gave up, sent in an alert so that both sides can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    /// A Finished MAC did not verify.
    BadFinished,
    /// The suites differ.
    Suite,
    /// One side wants `--anonymous`, the other the key file.
    Mode,
    /// The AES key sizes differ.
    KeySize,
    /// A message that is not the one expected, or malformed.
    Unexpected,
}

impl Alert {
    const fn code(self) -> u8 {
        match self {
            Alert::BadFinished => 1,
            Alert::Suite => 2,
            Alert::Mode => 3,
            Alert::KeySize => 4,
            Alert::Unexpected => 5,
        }
    }

    const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Alert::BadFinished),
            2 => Some(Alert::Suite),
            3 => Some(Alert::Mode),
            4 => Some(Alert::KeySize),
            5 => Some(Alert::Unexpected),
            _ => None,
        }
    }

    /// What the alert says, in words.
    pub const fn reason(self) -> &'static str {
        match self {
            Alert::BadFinished => "our Finished MAC did not verify: the two key files differ",
            Alert::Suite => "the two sides speak different suites",
            Alert::Mode => "one side runs with --anonymous, the other with the key file",
            Alert::KeySize => "the two key files have different AES key sizes",
            Alert::Unexpected => "it got a message it did not expect",
        }
    }
}

/// Why a handshake failed. Every variant is one line a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// Not a frame.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// A sealed hello where a handshake was expected.
    #[error(
        "the {peer} sent a sealed hello without a handshake: it runs with --static-keys \
         (start both sides with or without it)"
    )]
    StaticPeer {
        /// `client` or `server`.
        peer: &'static str,
    },
    /// Our own ClientHello came back.
    #[error("the server sent our ClientHello back: it echoes what it gets and holds no key")]
    Reflected,
    /// A frame or message that is not the next step.
    #[error("expected a {expected}, got {got}")]
    Unexpected {
        /// What the handshake expected.
        expected: &'static str,
        /// What came.
        got: String,
    },
    /// A handshake message of the wrong length or with a bad field.
    #[error("malformed {what}: {why}")]
    Malformed {
        /// Which message.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// The suites differ.
    #[error("the {peer} speaks {theirs}, {us} {ours}")]
    Suite {
        /// `client` or `server`.
        peer: &'static str,
        /// `this server speaks` / `you speak`.
        us: &'static str,
        /// Theirs.
        theirs: Suite,
        /// Ours.
        ours: Suite,
    },
    /// Key exchange modes differ.
    #[error("the client asks for {theirs}, this server requires {ours}")]
    Mode {
        /// What the client asked for.
        theirs: &'static str,
        /// What this server does.
        ours: &'static str,
    },
    /// AES sizes differ.
    #[error("the client uses AES-{theirs} keys, this server AES-{ours}")]
    KeySize {
        /// The client's.
        theirs: usize,
        /// Ours.
        ours: usize,
    },
    /// The peer's public key is a low-order point.
    #[error("the {peer}'s X25519 public key gives an all-zero shared secret (a low-order point)")]
    WeakKey {
        /// `client` or `server`.
        peer: &'static str,
    },
    /// The peer's Finished did not verify.
    #[error("the {peer}'s Finished MAC does not verify (another key file, or a man in the middle)")]
    BadFinished {
        /// `client` or `server`.
        peer: &'static str,
    },
    /// The peer sent an alert.
    #[error("the {peer} ended the handshake: {}", .alert.reason())]
    Alert {
        /// `client` or `server`.
        peer: &'static str,
        /// Why.
        alert: Alert,
    },
}

impl HandshakeError {
    /// What to try.
    pub fn hint(&self) -> &'static str {
        match self {
            HandshakeError::BadFinished { .. } | HandshakeError::Alert { alert: Alert::BadFinished, .. } => {
                "both sides need the same key file: compare the fingerprints they print at start"
            }
            HandshakeError::Suite { .. } | HandshakeError::Alert { alert: Alert::Suite, .. } => {
                "start both sides with the same --mode"
            }
            HandshakeError::StaticPeer { .. } => "start both sides with or without --static-keys",
            HandshakeError::Mode { .. } | HandshakeError::Alert { alert: Alert::Mode, .. } => {
                "start both sides with or without --anonymous"
            }
            HandshakeError::KeySize { .. } | HandshakeError::Alert { alert: Alert::KeySize, .. } => {
                "both sides need the same key file"
            }
            HandshakeError::Reflected => "connect to a cryptolab server (`cryptolab serve`)",
            HandshakeError::Wire(_)
            | HandshakeError::Unexpected { .. }
            | HandshakeError::Malformed { .. }
            | HandshakeError::WeakKey { .. }
            | HandshakeError::Alert { alert: Alert::Unexpected, .. } => {
                "the peer is not speaking cryptolab's handshake"
            }
        }
    }

    /// The alert to send the peer before closing (none for an alert received).
    pub fn alert(&self) -> Option<Alert> {
        match self {
            HandshakeError::Alert { .. } | HandshakeError::Reflected => None,
            HandshakeError::BadFinished { .. } => Some(Alert::BadFinished),
            HandshakeError::Suite { .. } => Some(Alert::Suite),
            HandshakeError::Mode { .. } => Some(Alert::Mode),
            HandshakeError::KeySize { .. } => Some(Alert::KeySize),
            HandshakeError::Wire(_)
            | HandshakeError::StaticPeer { .. }
            | HandshakeError::Unexpected { .. }
            | HandshakeError::Malformed { .. }
            | HandshakeError::WeakKey { .. } => Some(Alert::Unexpected),
        }
    }
}

/// The pre-shared key: the key file's keys as the schedule's input, wiped on
/// drop.
#[derive(Clone)]
pub struct Psk {
    ikm: Zeroizing<Vec<u8>>,
}

impl Psk {
    /// `len(enc) ‖ enc ‖ len(mac) ‖ mac`, lengths as 2 bytes big-endian.
    pub fn new(keys: &KeyMaterial) -> Self {
        let mac = keys.mac().unwrap_or_default();
        let mut ikm = Zeroizing::new(Vec::with_capacity(4 + keys.enc.len() + mac.len()));
        ikm.extend_from_slice(&(keys.enc.len() as u16).to_be_bytes());
        ikm.extend_from_slice(&keys.enc);
        ikm.extend_from_slice(&(mac.len() as u16).to_be_bytes());
        ikm.extend_from_slice(mac);
        Psk { ikm }
    }
}

/// One side's settings for the handshake.
#[derive(Clone)]
pub struct Config {
    /// The suite (fixed by the command line, not negotiated).
    pub suite: Suite,
    /// The key file, or `None` for `--anonymous`.
    pub psk: Option<std::sync::Arc<Psk>>,
    /// The session keys' AES size in bytes (the key file's; `--anonymous`:
    /// from `--bits`).
    pub aes_len: usize,
}

impl Config {
    fn mode(&self) -> Mode {
        if self.psk.is_some() { Mode::PskDhe } else { Mode::Anonymous }
    }
}

/// The secrets of one handshake, for the worked example and its test (wiped
/// on drop; never printed by the tool itself).
#[derive(Default)]
pub struct Trace {
    /// X25519 shared secret.
    pub dhe: [u8; LEN],
    /// `early` secret.
    pub early: [u8; LEN],
    /// `handshake` secret.
    pub handshake: [u8; LEN],
    /// `master` secret.
    pub master: [u8; LEN],
    /// Client → server traffic secret.
    pub c_traffic: [u8; LEN],
    /// Server → client traffic secret.
    pub s_traffic: [u8; LEN],
}

impl Drop for Trace {
    fn drop(&mut self) {
        for s in [
            &mut self.dhe,
            &mut self.early,
            &mut self.handshake,
            &mut self.master,
            &mut self.c_traffic,
            &mut self.s_traffic,
        ] {
            s.zeroize();
        }
    }
}

/// What a finished handshake gives: one keyed suite per direction.
pub struct Keys {
    /// Seals what the client sends, opens what the server receives.
    pub client_to_server: Cipher,
    /// Seals what the server sends, opens what the client receives.
    pub server_to_client: Cipher,
    /// The secrets, for the worked example.
    pub trace: Trace,
}

fn extract(salt: &[u8; LEN], ikm: &[u8]) -> [u8; LEN] {
    let (prk, _) = Hkdf::<Sha256>::extract(Some(salt), ikm);
    prk.into()
}

/// RFC 8446 §7.1 `HKDF-Expand-Label(secret, label, context, out.len())`,
/// with the prefix [`LABEL_PREFIX`].
pub fn expand_label(secret: &[u8; LEN], label: &str, context: &[u8], out: &mut [u8]) {
    let full = [LABEL_PREFIX.as_bytes(), label.as_bytes()].concat();
    let mut info = Vec::with_capacity(4 + full.len() + context.len());
    info.extend_from_slice(&(out.len() as u16).to_be_bytes());
    info.push(full.len() as u8);
    info.extend_from_slice(&full);
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    Hkdf::<Sha256>::from_prk(secret)
        .expect("a 32-byte PRK")
        .expand(&info, out)
        .expect("at most 255 × 32 bytes");
}

fn label32(secret: &[u8; LEN], label: &str, context: &[u8]) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    expand_label(secret, label, context, &mut out);
    out
}

fn finished(key: &[u8; LEN], transcript: &[u8; LEN]) -> [u8; LEN] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(transcript);
    mac.finalize().into_bytes().into()
}

fn verify_finished(key: &[u8; LEN], transcript: &[u8; LEN], tag: &[u8]) -> bool {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(transcript);
    // Constant time (subtle), like every tag comparison in cryptolab.
    mac.verify_slice(tag).is_ok()
}

fn hash(parts: &[&[u8]]) -> [u8; LEN] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The schedule up to the traffic secrets, from the psk and the shared secret.
fn schedule(psk: Option<&Psk>, dhe: [u8; LEN]) -> Trace {
    let zeros = [0u8; LEN];
    let empty = hash(&[]);
    let early = extract(&zeros, psk.map_or(&zeros[..], |p| &p.ikm[..]));
    let handshake = extract(&label32(&early, "derived", &empty), &dhe);
    let master = extract(&label32(&handshake, "derived", &empty), &zeros);
    Trace { dhe, early, handshake, master, ..Trace::default() }
}

fn cipher(suite: Suite, traffic: &[u8; LEN], aes_len: usize) -> Cipher {
    let mut enc = Zeroizing::new(vec![0u8; aes_len]);
    let mut mac = Zeroizing::new([0u8; LEN]);
    expand_label(traffic, "key", b"", &mut enc);
    expand_label(traffic, "mac", b"", &mut mac[..]);
    Cipher::new(suite, &enc, Some(&mac[..])).expect("an AES size the key file had")
}

fn frame(suite: Suite, seq: u64, body: &[u8]) -> Vec<u8> {
    let header = Header { suite, kind: Kind::Handshake, seq, len: body.len() as u32 };
    let mut f = header.encode().to_vec();
    f.extend_from_slice(body);
    f
}

/// A complete alert frame.
pub fn alert_frame(suite: Suite, seq: u64, alert: Alert) -> Vec<u8> {
    frame(suite, seq, &[MsgType::Alert.code(), alert.code()])
}

/// Checks that `bytes` is the handshake frame `want` from `peer`, and gives
/// its header and body.
fn take<'a>(
    bytes: &'a [u8],
    want: MsgType,
    peer: &'static str,
    seq: u64,
    ours: Suite,
) -> Result<(Header, &'a [u8]), HandshakeError> {
    let (header, body) = wire::decode_frame(bytes, u32::MAX)?;
    match header.kind {
        Kind::Handshake => {}
        Kind::Hello => return Err(HandshakeError::StaticPeer { peer }),
        Kind::Message | Kind::Goodbye | Kind::Notice => {
            return Err(HandshakeError::Unexpected {
                expected: want.name(),
                got: format!("a {} frame", header.kind.name()),
            });
        }
    }
    let Some(&code) = body.first() else {
        return Err(HandshakeError::Malformed { what: "handshake frame", why: "empty body".into() });
    };
    let Some(got) = MsgType::from_code(code) else {
        return Err(HandshakeError::Malformed {
            what: "handshake frame",
            why: format!("type byte {code} names no handshake message"),
        });
    };
    if got == MsgType::Alert && body.len() == ALERT_LEN {
        let alert = Alert::from_code(body[1]).unwrap_or(Alert::Unexpected);
        if alert == Alert::Suite && header.suite != ours {
            // The alert's header names the peer's suite: say which.
            let us = if peer == "server" { "you speak" } else { "this server speaks" };
            return Err(HandshakeError::Suite { peer, us, theirs: header.suite, ours });
        }
        return Err(HandshakeError::Alert { peer, alert });
    }
    if got != want {
        if got == MsgType::ClientHello && want == MsgType::ServerHello {
            return Err(HandshakeError::Reflected);
        }
        return Err(HandshakeError::Unexpected { expected: want.name(), got: format!("a {}", got.name()) });
    }
    if body.len() != want.body_len() {
        return Err(HandshakeError::Malformed {
            what: want.name(),
            why: format!("{} bytes, not {}", body.len(), want.body_len()),
        });
    }
    if header.seq != seq {
        return Err(HandshakeError::Malformed {
            what: want.name(),
            why: format!("sequence number {}, expected {seq}", header.seq),
        });
    }
    Ok((header, body))
}

fn shared(secret: &StaticSecret, public: &[u8], peer: &'static str) -> Result<[u8; LEN], HandshakeError> {
    let public: [u8; LEN] = public.try_into().expect("32 bytes, length checked");
    let dhe = secret.diffie_hellman(&PublicKey::from(public));
    // RFC 7748 §6.1: an all-zero result means a low-order point; refuse it.
    if !dhe.was_contributory() {
        return Err(HandshakeError::WeakKey { peer });
    }
    Ok(dhe.to_bytes())
}

fn fresh<R: CryptoRng + ?Sized>(rng: &mut R) -> ([u8; LEN], StaticSecret) {
    let mut random = [0u8; LEN];
    let mut secret = Zeroizing::new([0u8; LEN]);
    rng.fill_bytes(&mut random);
    rng.fill_bytes(&mut secret[..]);
    (random, StaticSecret::from(*secret))
}

/// The client, its ClientHello sent, waiting for the ServerHello.
pub struct ClientStart {
    config: Config,
    secret: StaticSecret,
    hello: Vec<u8>,
}

impl ClientStart {
    /// A fresh random and X25519 secret from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(config: Config, rng: &mut R) -> Self {
        let (random, secret) = fresh(rng);
        Self::with(config, random, secret)
    }

    /// Chosen values (the worked example).
    pub fn with(config: Config, random: [u8; LEN], secret: StaticSecret) -> Self {
        let public = PublicKey::from(&secret);
        let mut body = vec![MsgType::ClientHello.code(), config.mode().code(), config.aes_len as u8];
        body.extend_from_slice(&random);
        body.extend_from_slice(public.as_bytes());
        let hello = frame(config.suite, 0, &body);
        ClientStart { config, secret, hello }
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.config.suite
    }

    /// The key exchange it asks for.
    pub fn mode(&self) -> Mode {
        self.config.mode()
    }

    /// The ClientHello frame, to send.
    pub fn hello(&self) -> &[u8] {
        &self.hello
    }

    /// Takes the ServerHello: checks the server's Finished and gives the
    /// client's Finished frame, to send, and the session keys.
    ///
    /// # Errors
    /// Not a ServerHello, or its Finished does not verify.
    pub fn finish(self, server_hello: &[u8]) -> Result<(Vec<u8>, Keys), HandshakeError> {
        let (header, body) = take(server_hello, MsgType::ServerHello, "server", 0, self.config.suite)?;
        if header.suite != self.config.suite {
            return Err(HandshakeError::Suite {
                peer: "server",
                us: "you speak",
                theirs: header.suite,
                ours: self.config.suite,
            });
        }
        let dhe = shared(&self.secret, &body[1 + LEN..1 + 2 * LEN], "server")?;
        let mut trace = schedule(self.config.psk.as_deref(), dhe);
        let unfinished = &server_hello[..server_hello.len() - LEN];
        let th = hash(&[&self.hello, unfinished]);
        let s_key = Zeroizing::new(label32(&trace.handshake, "s finished", b""));
        if !verify_finished(&s_key, &th, &body[1 + 2 * LEN..]) {
            return Err(HandshakeError::BadFinished { peer: "server" });
        }
        let th = hash(&[&self.hello, server_hello]);
        let c_key = Zeroizing::new(label32(&trace.handshake, "c finished", b""));
        let mut body = vec![MsgType::Finished.code()];
        body.extend_from_slice(&finished(&c_key, &th));
        let fin = frame(self.config.suite, 1, &body);
        let keys = traffic(&self.config, &th, &mut trace);
        Ok((fin, Keys { trace, ..keys }))
    }
}

fn traffic(config: &Config, th: &[u8; LEN], trace: &mut Trace) -> Keys {
    trace.c_traffic = label32(&trace.master, "c ap traffic", th);
    trace.s_traffic = label32(&trace.master, "s ap traffic", th);
    Keys {
        client_to_server: cipher(config.suite, &trace.c_traffic, config.aes_len),
        server_to_client: cipher(config.suite, &trace.s_traffic, config.aes_len),
        trace: Trace::default(),
    }
}

/// The server, its ServerHello sent, waiting for the client's Finished.
pub struct ServerWait {
    config: Config,
    c_key: Zeroizing<[u8; LEN]>,
    th: [u8; LEN],
    trace: Trace,
}

impl ServerWait {
    /// Takes a ClientHello and answers it: the ServerHello frame, to send.
    ///
    /// # Errors
    /// Not a ClientHello, or one this server cannot accept (suite, mode,
    /// key size, a low-order public key).
    pub fn respond<R: CryptoRng + ?Sized>(
        config: Config,
        client_hello: &[u8],
        rng: &mut R,
    ) -> Result<(Self, Vec<u8>), HandshakeError> {
        let (random, secret) = fresh(rng);
        Self::respond_with(config, client_hello, random, secret)
    }

    /// Chosen values (the worked example).
    ///
    /// # Errors
    /// As [`ServerWait::respond`].
    pub fn respond_with(
        config: Config,
        client_hello: &[u8],
        random: [u8; LEN],
        secret: StaticSecret,
    ) -> Result<(Self, Vec<u8>), HandshakeError> {
        let (header, body) = take(client_hello, MsgType::ClientHello, "client", 0, config.suite)?;
        if header.suite != config.suite {
            return Err(HandshakeError::Suite {
                peer: "client",
                us: "this server speaks",
                theirs: header.suite,
                ours: config.suite,
            });
        }
        let Some(mode) = Mode::from_code(body[1]) else {
            return Err(HandshakeError::Malformed {
                what: "ClientHello",
                why: format!("mode byte {} names no key exchange (1 key file, 2 anonymous)", body[1]),
            });
        };
        if mode != config.mode() {
            return Err(HandshakeError::Mode { theirs: mode.name(), ours: config.mode().name() });
        }
        if !matches!(body[2], 16 | 24 | 32) {
            return Err(HandshakeError::Malformed {
                what: "ClientHello",
                why: format!("AES key size byte {} is not 16, 24 or 32", body[2]),
            });
        }
        if usize::from(body[2]) != config.aes_len {
            return Err(HandshakeError::KeySize {
                theirs: usize::from(body[2]) * 8,
                ours: config.aes_len * 8,
            });
        }
        let dhe = shared(&secret, &body[3 + LEN..], "client")?;
        let trace = schedule(config.psk.as_deref(), dhe);
        let mut sh = vec![MsgType::ServerHello.code()];
        sh.extend_from_slice(&random);
        sh.extend_from_slice(PublicKey::from(&secret).as_bytes());
        sh.extend_from_slice(&[0u8; LEN]);
        let mut sh = frame(config.suite, 0, &sh);
        let fin_at = sh.len() - LEN;
        let th = hash(&[client_hello, &sh[..fin_at]]);
        let s_key = Zeroizing::new(label32(&trace.handshake, "s finished", b""));
        sh[fin_at..].copy_from_slice(&finished(&s_key, &th));
        let th = hash(&[client_hello, &sh]);
        let c_key = Zeroizing::new(label32(&trace.handshake, "c finished", b""));
        Ok((ServerWait { config, c_key, th, trace }, sh))
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.config.suite
    }

    /// Takes the client's Finished: the session keys.
    ///
    /// # Errors
    /// Not a Finished, or it does not verify.
    pub fn finish(self, client_finished: &[u8]) -> Result<Keys, HandshakeError> {
        let (_, body) = take(client_finished, MsgType::Finished, "client", 1, self.config.suite)?;
        if !verify_finished(&self.c_key, &self.th, &body[1..]) {
            return Err(HandshakeError::BadFinished { peer: "client" });
        }
        let ServerWait { config, th, mut trace, .. } = self;
        let keys = traffic(&config, &th, &mut trace);
        Ok(Keys { trace, ..keys })
    }
}

/// The renderer's spans for a handshake frame's body (from `at`).
pub fn body_spans(body: &[u8], at: usize) -> Vec<Span> {
    let field = |label: &str, kind: SpanKind, from: usize, len: usize| {
        Span::new(label, kind, at + from..at + (from + len).min(body.len()))
    };
    let Some(kind) = body.first().and_then(|&c| MsgType::from_code(c)) else {
        return vec![field("data", SpanKind::Data, 0, body.len())];
    };
    let mut spans = vec![field("type", SpanKind::Header, 0, 1).with_note(kind.name())];
    if body.len() != kind.body_len() {
        spans.push(field("data", SpanKind::Data, 1, body.len().saturating_sub(1)));
        return spans;
    }
    match kind {
        MsgType::ClientHello => {
            let mode = Mode::from_code(body[1]).map_or("unknown", Mode::name);
            spans.push(field("mode", SpanKind::Header, 1, 1).with_note(mode));
            spans.push(
                field("aes", SpanKind::Length, 2, 1).with_note(format!("AES-{}", usize::from(body[2]) * 8)),
            );
            spans.push(field("random", SpanKind::Nonce, 3, LEN).with_note("fresh per connection"));
            spans.push(field("x25519", SpanKind::Data, 3 + LEN, LEN).with_note("ephemeral public key"));
        }
        MsgType::ServerHello => {
            spans.push(field("random", SpanKind::Nonce, 1, LEN).with_note("fresh per connection"));
            spans.push(field("x25519", SpanKind::Data, 1 + LEN, LEN).with_note("ephemeral public key"));
            spans.push(
                field("finished", SpanKind::Tag, 1 + 2 * LEN, LEN).with_note("HMAC over the transcript"),
            );
        }
        MsgType::Finished => {
            spans.push(field("finished", SpanKind::Tag, 1, LEN).with_note("HMAC over the transcript"));
        }
        MsgType::Alert => {
            let why = Alert::from_code(body[1]).map_or("unknown reason", Alert::reason);
            spans.push(field("reason", SpanKind::Header, 1, 1).with_note(why));
        }
    }
    spans
}

/// The frame's handshake message name, for a one-line summary.
pub fn message_name(body: &[u8]) -> &'static str {
    body.first().and_then(|&c| MsgType::from_code(c)).map_or("handshake", MsgType::name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::HEADER_LEN;
    use std::sync::Arc;

    fn config(suite: Suite, keys: Option<&KeyMaterial>) -> Config {
        Config { suite, psk: keys.map(|k| Arc::new(Psk::new(k))), aes_len: 16 }
    }

    fn keys(b: u8) -> KeyMaterial {
        KeyMaterial { enc: vec![b; 16], mac: Some(vec![b; 32]) }
    }

    fn run(client: Config, server: Config) -> Result<(Keys, Keys), HandshakeError> {
        let c = ClientStart::new(client, &mut rand::rng());
        let (s, sh) = ServerWait::respond(server, c.hello(), &mut rand::rng())?;
        let (fin, ck) = c.finish(&sh)?;
        let sk = s.finish(&fin)?;
        Ok((ck, sk))
    }

    #[test]
    fn both_sides_agree_and_directions_differ() {
        let k = keys(1);
        let (ck, sk) = run(config(Suite::Gcm, Some(&k)), config(Suite::Gcm, Some(&k))).unwrap();
        let ct = ck.client_to_server.seal(b"hdr", b"hi", &mut rand::rng());
        assert_eq!(sk.client_to_server.open(b"hdr", &ct).unwrap(), b"hi");
        // Reflected: the server's own keys for the other direction refuse it.
        assert!(sk.server_to_client.open(b"hdr", &ct).is_err());
        assert_eq!(ck.trace.master, sk.trace.master);
        assert_ne!(ck.trace.c_traffic, ck.trace.s_traffic);
    }

    #[test]
    fn a_different_key_file_fails_at_the_servers_finished() {
        let err = run(config(Suite::Gcm, Some(&keys(1))), config(Suite::Gcm, Some(&keys(2)))).err();
        assert_eq!(err, Some(HandshakeError::BadFinished { peer: "server" }));
    }

    #[test]
    fn anonymous_agrees_but_a_mode_mismatch_is_named() {
        assert!(run(config(Suite::Cbc, None), config(Suite::Cbc, None)).is_ok());
        let err = run(config(Suite::Cbc, None), config(Suite::Cbc, Some(&keys(1)))).err().unwrap();
        assert!(matches!(err, HandshakeError::Mode { .. }), "{err}");
    }

    #[test]
    fn an_echoed_client_hello_is_named_a_reflection() {
        let c = ClientStart::new(config(Suite::Gcm, Some(&keys(1))), &mut rand::rng());
        let echo = c.hello().to_vec();
        assert_eq!(c.finish(&echo).err(), Some(HandshakeError::Reflected));
    }

    #[test]
    fn a_low_order_public_key_is_refused() {
        let c = ClientStart::new(config(Suite::Gcm, Some(&keys(1))), &mut rand::rng());
        let mut hello = c.hello().to_vec();
        let n = hello.len();
        hello[n - LEN..].fill(0); // the point 0 has order 4... any scalar gives 0
        let err = ServerWait::respond(config(Suite::Gcm, Some(&keys(1))), &hello, &mut rand::rng()).err();
        assert_eq!(err, Some(HandshakeError::WeakKey { peer: "client" }));
    }

    #[test]
    fn a_client_hello_asking_for_no_real_aes_size_is_refused_not_keyed() {
        let c = ClientStart::new(config(Suite::Gcm, None), &mut rand::rng());
        let mut hello = c.hello().to_vec();
        hello[HEADER_LEN + 2] = 17;
        let mut odd = config(Suite::Gcm, None);
        odd.aes_len = 17; // a server that would take it (a man in the middle mirroring it)
        let err = ServerWait::respond(odd, &hello, &mut rand::rng()).err().unwrap();
        assert!(matches!(err, HandshakeError::Malformed { what: "ClientHello", .. }), "{err}");
    }

    #[test]
    fn spans_cover_every_byte_of_each_message() {
        let c = ClientStart::new(config(Suite::Gcm, Some(&keys(1))), &mut rand::rng());
        let (_, sh) =
            ServerWait::respond(config(Suite::Gcm, Some(&keys(1))), c.hello(), &mut rand::rng()).unwrap();
        for f in [c.hello(), &sh[..]] {
            let spans = body_spans(&f[HEADER_LEN..], HEADER_LEN);
            assert_eq!(spans.first().unwrap().range.start, HEADER_LEN);
            assert_eq!(spans.last().unwrap().range.end, f.len());
        }
    }
}
