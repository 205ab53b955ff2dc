//! One connection's protocol, whatever is spoken on it: cryptolab's native
//! frames, or one classroom format — so that one server, one client and one
//! proxy ([`crate::net`]) serve them all.
//!
//! A [`Channel`] starts in its handshake (native: the X25519 key exchange of
//! [`super::handshake`], then the sealed hello frames — or, INSECURE with
//! `--static-keys`, the hello frames alone; `rsa-gcm-json`: the RSA key
//! transport; the other formats: none), then [`Channel::split`]s into an [`Inbound`] half
//! (opens what arrives) and an [`Outbound`] half (seals what goes), so that
//! reading and writing can proceed at once. Every message, in or out, is a
//! [`Wired`]: its bytes, which part of the protocol it is (so it can be
//! dissected and shown), and its text.
//!
//! ```text
//! native          -> ClientHello  <- ServerHello  -> Finished
//!                 -> hello        <- hello         then messages, goodbye
//! --static-keys   -> hello        <- hello         then messages, goodbye
//! rsa-gcm-json    -> PEM   <- PEM     -> RSA-OAEP(key)  then JSON messages, "bye"
//! len-iv-ct-hmac  (no handshake)                        messages, "quit"
//! ```

use std::sync::Arc;

use rand::CryptoRng;

use super::handshake::{self, ClientStart, HandshakeError, Keying, ServerWait};
use super::{OpenError, Opener, Sealer};
use crate::events::{Dir, Events, Frame, FrameKind, Sees};
use crate::profiles::rsa_gcm_json::{self, Identity};
use crate::profiles::{
    Close, Codec, Expect, Flow, Format, FormatKeys, Next, ProfileError, dissect, next_message,
};
use crate::suite::{Cipher, Suite};
use crate::wire::{self, HEADER_LEN, Kind};

/// What one side speaks, and with which keys — as a command line chose.
#[derive(Clone)]
pub enum Speak {
    /// cryptolab's frames in one suite.
    Native {
        /// Where the session keys come from.
        keys: NativeKeys,
        /// Seed the IVs/nonces and the handshake's randoms and X25519 secrets
        /// (only with demo keys: `tour --seed`).
        seed: Option<u64>,
    },
    /// A classroom format.
    Format {
        /// Which.
        format: Format,
        /// Its keys.
        keys: FormatKeys,
    },
}

/// A native session's keys, as the command line chose them.
#[derive(Clone)]
pub enum NativeKeys {
    /// The handshake (`psk: None` is `--anonymous`): fresh keys per
    /// connection and direction.
    Handshake(handshake::Config),
    /// INSECURE `--static-keys`: the key file's key itself, for every frame.
    Static(Arc<Cipher>),
}

impl NativeKeys {
    /// The suite.
    pub fn suite(&self) -> Suite {
        match self {
            NativeKeys::Handshake(c) => c.suite,
            NativeKeys::Static(c) => c.suite(),
        }
    }

    /// Which keying this is.
    pub fn keying(&self) -> Keying {
        match self {
            NativeKeys::Handshake(c) if c.psk.is_some() => Keying::Handshake,
            NativeKeys::Handshake(_) => Keying::Anonymous,
            NativeKeys::Static(_) => Keying::Static,
        }
    }
}

impl Speak {
    /// Who speaks when, by default (`--flow` may choose another).
    pub fn flow(&self) -> Flow {
        match self {
            Speak::Native { .. } => Flow::FullDuplex,
            Speak::Format { format, .. } => format.spec().flow,
        }
    }

    /// What a unit on the wire is called in messages (`frame`, `message`).
    pub fn unit(&self) -> &'static str {
        match self {
            Speak::Native { .. } => "frame",
            Speak::Format { .. } => "message",
        }
    }

    /// The word a user types to end a session (native: `quit` sends a
    /// goodbye frame; a format's word is sent only if it is [`Close::Word`]).
    pub fn end_word(&self) -> Option<&'static str> {
        match self {
            Speak::Native { .. } => Some("quit"),
            Speak::Format { format, .. } => format.spec().close.typed(),
        }
    }

    /// How a session ends (native: `quit` typed sends a goodbye frame, as
    /// a word on the wire would).
    pub fn close(&self) -> Close {
        match self {
            Speak::Native { .. } => Close::Word("quit"),
            Speak::Format { format, .. } => format.spec().close,
        }
    }

    /// Whether this is the native protocol.
    pub fn is_native(&self) -> bool {
        matches!(self, Speak::Native { .. })
    }
}

/// Which side of the connection this channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The side that connected.
    Client,
    /// The side that accepted.
    Server,
}

/// Which part of the protocol a message is, so it can be dissected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A native frame (hello, message, goodbye or notice: its header says).
    Native,
    /// A part of a classroom format: a message or a handshake part.
    Format(Expect),
}

/// How the next message is to be found in the byte stream.
#[derive(Clone)]
pub enum Framing {
    /// A native frame: the header says its length (checked against
    /// `--max-frame` before anything is allocated).
    Native,
    /// A native frame during the handshake: the same, with the limit of a
    /// handshake message ([`handshake::MAX_BODY`]) whatever `--max-frame` is —
    /// before the handshake, nobody may make the receiver wait for more.
    Handshake,
    /// A classroom format's message or handshake part; `codec` resolves
    /// unframed boundaries by trial decryption where the keys are known.
    Format(Expect, Option<Arc<Codec>>),
}

impl Framing {
    /// Which part of the protocol a message found this way is.
    pub fn part(&self) -> Part {
        match self {
            Framing::Native | Framing::Handshake => Part::Native,
            Framing::Format(expect, _) => Part::Format(*expect),
        }
    }
}

/// One message on the wire, with what is needed to show it.
#[derive(Debug, Clone)]
pub struct Wired {
    /// The bytes as they go (or came) on the wire.
    pub bytes: Vec<u8>,
    /// Which part of the protocol they are.
    pub part: Part,
    /// The plaintext, when known.
    pub text: Option<Vec<u8>>,
}

impl Wired {
    /// The event that shows this message, `n`th in direction `dir` with `peer`.
    pub fn frame(&self, dir: Dir, peer: &str, n: u64) -> Frame {
        let mut f = match self.part {
            Part::Native => native_frame(&self.bytes),
            Part::Format(expect) => {
                let d = dissect(expect, &self.bytes);
                let raw = (d.bytes != self.bytes).then(|| self.bytes.clone());
                Frame {
                    bytes: d.bytes,
                    spans: d.spans,
                    kind: FrameKind::Format { wire: d.wire, summary: d.summary, raw },
                    is_message: matches!(expect, Expect::Message(_)),
                    ..blank_frame()
                }
            }
        };
        f.dir = dir;
        f.peer = peer.to_string();
        f.n = n;
        f.text = self.text.clone();
        f
    }
}

impl Wired {
    /// Shows this message on `events`, `n`th going `dir` with `peer`, built
    /// only as far as the observers read it.
    pub fn show(&self, events: &Events, dir: Dir, peer: &str, n: u64) {
        events.frame(dir, |sees| match sees {
            Sees::Everything | Sees::Nothing => self.frame(dir, peer, n),
            Sees::ReceivedTexts => Frame {
                dir,
                peer: peer.to_string(),
                n,
                is_message: match self.part {
                    Part::Native => {
                        wire::decode_frame(&self.bytes, u32::MAX).is_ok_and(|(h, _)| h.kind == Kind::Message)
                    }
                    Part::Format(expect) => matches!(expect, Expect::Message(_)),
                },
                text: self.text.clone(),
                ..blank_frame()
            },
        });
    }
}

fn blank_frame() -> Frame {
    Frame {
        dir: Dir::In,
        peer: String::new(),
        n: 0,
        bytes: Vec::new(),
        spans: Vec::new(),
        marks: Vec::new(),
        kind: FrameKind::Unparsed,
        is_message: false,
        text: None,
        title: None,
    }
}

/// A native frame's fields (its header decoded; bytes that are not a frame
/// are shown as data).
pub fn native_frame(bytes: &[u8]) -> Frame {
    match wire::decode_frame(bytes, u32::MAX) {
        Ok((header, body)) => Frame {
            bytes: bytes.to_vec(),
            spans: match header.kind {
                // The handshake's fields, which the wire layer leaves whole.
                Kind::Handshake => {
                    let mut spans = wire::frame_spans(&header, HEADER_LEN);
                    spans.extend(handshake::body_spans(body, HEADER_LEN));
                    spans
                }
                Kind::Hello | Kind::Message | Kind::Goodbye | Kind::Notice => {
                    wire::frame_spans(&header, bytes.len())
                }
            },
            kind: FrameKind::Native { suite: header.suite, kind: header.kind.name(), seq: header.seq },
            is_message: header.kind == Kind::Message,
            ..blank_frame()
        },
        Err(_) => Frame { bytes: bytes.to_vec(), ..blank_frame() },
    }
}

/// What an incoming message turned out to be.
#[derive(Debug, Clone)]
pub enum Received {
    /// The peer's hello (native), with its text.
    Hello(Vec<u8>),
    /// A chat message.
    Message(Vec<u8>),
    /// The peer is ending the session: a goodbye frame, or the format's end
    /// word (its text).
    End(Vec<u8>),
    /// A plain-text notice (native, never authenticated: display only).
    Notice(Vec<u8>),
    /// A handshake part was accepted; send `replies`, in order. `done` is
    /// the line to report when the handshake just finished.
    Handshake {
        /// What to send back.
        replies: Vec<Wired>,
        /// The handshake finished; what to say about it.
        done: Option<String>,
    },
}

/// Why an incoming message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// A native frame was refused.
    #[error("{0}")]
    Open(#[from] OpenError),
    /// A format's message was refused.
    #[error("{0}")]
    Format(#[from] ProfileError),
    /// The native handshake failed; `alert` is the frame that tells the peer.
    #[error("handshake failed: {error}")]
    Handshake {
        /// Why.
        error: HandshakeError,
        /// The alert frame to send before closing, if any.
        alert: Option<Vec<u8>>,
    },
}

impl ChannelError {
    /// The alert frame to send the peer before closing, if any.
    pub fn alert(&self) -> Option<Wired> {
        match self {
            ChannelError::Handshake { alert: Some(bytes), .. } => {
                Some(Wired { bytes: bytes.clone(), part: Part::Native, text: None })
            }
            ChannelError::Handshake { alert: None, .. } | ChannelError::Open(_) | ChannelError::Format(_) => {
                None
            }
        }
    }
}

/// The handshake states of a connection; after it, [`Channel::split`].
enum State {
    /// Native: both halves exist (from the start with `--static-keys`).
    Native { sealer: Sealer, opener: Opener },
    /// Native, client: ClientHello sent, waiting for the ServerHello.
    NativeClient(Box<ClientStart>),
    /// Native, server: waiting for the ClientHello.
    NativeServer(handshake::Config),
    /// Native, server: ServerHello sent, waiting for the client's Finished.
    NativeServerFinished(Box<ServerWait>),
    /// A format session that is established.
    Ready(Arc<Codec>),
    /// rsa-gcm-json, client: our PEM sent, waiting for the server's.
    RsaClient(Arc<Identity>),
    /// rsa-gcm-json, server: waiting for the client's PEM.
    RsaServerPem(Arc<Identity>),
    /// rsa-gcm-json, server: PEMs exchanged, waiting for the wrapped key.
    RsaServerKey(Arc<Identity>, Box<rsa::RsaPublicKey>),
}

/// One connection's protocol state.
pub struct Channel {
    state: State,
    format: Option<Format>,
    hello: Option<Vec<u8>>,
    peer: String,
    side: Side,
    seed: Option<u64>,
}

impl Channel {
    /// The channel for `speak` on `side` of a connection with `peer`
    /// (`server`, `client 3`). `hello` is the native hello's text.
    ///
    /// # Errors
    /// Keys that do not fit the format (checked again here, so a channel
    /// always works once made).
    pub fn new(speak: &Speak, side: Side, peer: &str, hello: &[u8]) -> Result<Self, String> {
        let (state, format, seed) = match speak {
            Speak::Native { keys: NativeKeys::Static(cipher), seed } => {
                let (sealer, opener) = native_halves(cipher.clone(), cipher.clone(), *seed, side, peer);
                (State::Native { sealer, opener }, None, *seed)
            }
            Speak::Native { keys: NativeKeys::Handshake(config), seed } => {
                let state = match side {
                    Side::Client => {
                        let start = match seed {
                            Some(s) => ClientStart::new(config.clone(), &mut seeded(*s)),
                            None => ClientStart::new(config.clone(), &mut rand::rng()),
                        };
                        State::NativeClient(Box::new(start))
                    }
                    Side::Server => State::NativeServer(config.clone()),
                };
                (state, None, *seed)
            }
            Speak::Format { format, keys } => {
                let state = match (keys, side) {
                    (FormatKeys::Rsa(me), Side::Client) => State::RsaClient(me.clone()),
                    (FormatKeys::Rsa(me), Side::Server) => State::RsaServerPem(me.clone()),
                    (FormatKeys::Aes { .. }, _) => State::Ready(Arc::new(Codec::new(*format, keys)?)),
                };
                (state, Some(*format), None)
            }
        };
        Ok(Channel { state, format, hello: Some(hello.to_vec()), peer: peer.to_string(), side, seed })
    }

    /// A channel that sends no hello of its own: the caller seals one later
    /// with [`Outbound::hello`] (a man in the middle relays the real one).
    pub fn without_hello(mut self) -> Self {
        self.hello = None;
        self
    }

    /// The sealed hello, once the native halves exist.
    fn sealed_hello(&mut self) -> Option<Wired> {
        let State::Native { sealer, .. } = &mut self.state else { return None };
        let hello = self.hello.take()?;
        Some(Wired { bytes: sealer.seal(Kind::Hello, &hello), part: Part::Native, text: Some(hello) })
    }

    /// What to send first: the native hello, or the client's PEM.
    pub fn start(&mut self) -> Vec<Wired> {
        match &mut self.state {
            State::Native { .. } => self.sealed_hello().into_iter().collect(),
            State::NativeClient(start) => {
                vec![Wired { bytes: start.hello().to_vec(), part: Part::Native, text: None }]
            }
            State::RsaClient(me) => {
                vec![Wired {
                    bytes: me.public_pem().into_bytes(),
                    part: Part::Format(Expect::Pem),
                    text: None,
                }]
            }
            State::Ready(_)
            | State::RsaServerPem(_)
            | State::RsaServerKey(..)
            | State::NativeServer(_)
            | State::NativeServerFinished(_) => Vec::new(),
        }
    }

    /// Whether the handshake is over (messages may be sealed).
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Native { .. } | State::Ready(_))
    }

    /// How to find the next incoming message.
    pub fn framing(&self) -> Framing {
        match &self.state {
            State::Native { .. } => Framing::Native,
            State::NativeClient(_) | State::NativeServer(_) | State::NativeServerFinished(_) => {
                Framing::Handshake
            }
            State::Ready(codec) => Framing::Format(Expect::Message(codec.format()), Some(codec.clone())),
            State::RsaClient(_) | State::RsaServerPem(_) => Framing::Format(Expect::Pem, None),
            State::RsaServerKey(me, _) => Framing::Format(Expect::Exact(me.oaep_len()), None),
        }
    }

    /// Takes one handshake part (before [`Channel::is_ready`]) and moves
    /// to the next state. A refused part ends the handshake (and the
    /// connection), so the channel is consumed.
    pub fn handshake(self, msg: &[u8]) -> Result<(Self, Received), ChannelError> {
        let Channel { state, format, hello, peer, side, seed } = self;
        let fail = |error: HandshakeError, suite: Suite, seq: u64| {
            let alert = error.alert().map(|a| handshake::alert_frame(suite, seq, a));
            ChannelError::Handshake { error, alert }
        };
        // Keys agreed: `out` seals what we send, `inb` opens what we get.
        let established = |out: Cipher, inb: Cipher| {
            let (sealer, opener) = native_halves(Arc::new(out), Arc::new(inb), seed, side, &peer);
            State::Native { sealer, opener }
        };
        let (state, mut received) = match state {
            State::NativeClient(start) => {
                let suite = start.suite();
                let mode = start.mode();
                let (fin, keys) = start.finish(msg).map_err(|e| fail(e, suite, 1))?;
                let done = match mode {
                    handshake::Mode::PskDhe => {
                        "handshake done: X25519 + key file; fresh keys for this connection, one per direction"
                    }
                    handshake::Mode::Anonymous => {
                        "handshake done: X25519 without the key file — INSECURE: the server is not authenticated"
                    }
                };
                let replies = vec![Wired { bytes: fin, part: Part::Native, text: None }];
                (
                    established(keys.client_to_server, keys.server_to_client),
                    Received::Handshake { replies, done: Some(done.to_string()) },
                )
            }
            State::NativeServer(config) => {
                let suite = config.suite;
                let responded = match seed {
                    Some(s) => ServerWait::respond(config, msg, &mut seeded(s)),
                    None => ServerWait::respond(config, msg, &mut rand::rng()),
                };
                let (wait, sh) = responded.map_err(|e| fail(e, suite, 0))?;
                let reply = Wired { bytes: sh, part: Part::Native, text: None };
                (
                    State::NativeServerFinished(Box::new(wait)),
                    Received::Handshake { replies: vec![reply], done: None },
                )
            }
            State::NativeServerFinished(wait) => {
                let suite = wait.suite();
                let keys = wait.finish(msg).map_err(|e| fail(e, suite, 1))?;
                (
                    established(keys.server_to_client, keys.client_to_server),
                    Received::Handshake { replies: Vec::new(), done: None },
                )
            }
            State::RsaClient(me) => {
                let server = rsa_gcm_json::parse_public_pem(msg)?;
                let mut key = [0u8; 32];
                rand::Rng::fill_bytes(&mut rand::rng(), &mut key);
                let wrapped = rsa_gcm_json::wrap_key(&server, &key, &mut rand::rng())?;
                let done = format!(
                    "handshake done: server key fingerprint {} (not authenticated: compare it out of band), ours {}",
                    rsa_gcm_json::fingerprint(&server),
                    me.fingerprint()
                );
                let part = Part::Format(Expect::Exact(wrapped.len()));
                let reply = Wired { bytes: wrapped, part, text: None };
                let codec = Codec::RsaGcmJson(me.session(&server, key));
                (
                    State::Ready(Arc::new(codec)),
                    Received::Handshake { replies: vec![reply], done: Some(done) },
                )
            }
            State::RsaServerPem(me) => {
                let client = rsa_gcm_json::parse_public_pem(msg)?;
                let pem = me.public_pem().into_bytes();
                let reply = Wired { bytes: pem, part: Part::Format(Expect::Pem), text: None };
                let next = State::RsaServerKey(me, Box::new(client));
                (next, Received::Handshake { replies: vec![reply], done: None })
            }
            State::RsaServerKey(me, client) => {
                let key = me.unwrap_key(msg)?;
                let codec = Codec::RsaGcmJson(me.session(&client, key));
                (State::Ready(Arc::new(codec)), Received::Handshake { replies: Vec::new(), done: None })
            }
            ready @ (State::Native { .. } | State::Ready(_)) => {
                (ready, Received::Handshake { replies: Vec::new(), done: None })
            }
        };
        let mut ch = Channel { state, format, hello, peer, side, seed };
        // The native hello goes right after the handshake, sealed with its
        // keys (with --static-keys it went first, from `start`).
        if let Received::Handshake { replies, .. } = &mut received {
            replies.extend(ch.sealed_hello());
        }
        Ok((ch, received))
    }

    /// Splits an established channel into its two halves.
    ///
    /// # Errors
    /// The handshake is not over (the channel is given back, boxed).
    pub fn split(self) -> Result<(Inbound, Outbound), Box<Self>> {
        // A word that ends the session is recognised when it arrives even if
        // the format's clients end locally (some do send it); it is sent only
        // where the format's programs put it on the wire.
        let close = self.format.map(|f| f.spec().close);
        match self.state {
            State::Native { sealer, opener } => Ok((
                Inbound::Native { opener },
                Outbound { seal: Seal::Native(sealer), end_word: Some("quit") },
            )),
            State::Ready(codec) => Ok((
                Inbound::Format { codec: codec.clone(), end_word: close.and_then(Close::typed) },
                Outbound { seal: Seal::Format(codec), end_word: close.and_then(Close::on_wire) },
            )),
            state @ (State::RsaClient(_)
            | State::RsaServerPem(_)
            | State::RsaServerKey(..)
            | State::NativeClient(_)
            | State::NativeServer(_)
            | State::NativeServerFinished(_)) => Err(Box::new(Channel { state, ..self })),
        }
    }
}

/// The two native halves: `out` seals what we send, `inb` opens what the
/// peer sends (the same cipher with `--static-keys`; one per direction after
/// the handshake).
fn native_halves(
    out: Arc<Cipher>,
    inb: Arc<Cipher>,
    seed: Option<u64>,
    side: Side,
    peer: &str,
) -> (Sealer, Opener) {
    let sealer = match seed {
        Some(seed) => Sealer::seeded(out, seed),
        None => Sealer::new(out),
    };
    let us = match side {
        Side::Client => "you speak",
        Side::Server => "this server speaks",
    };
    (sealer, Opener::new(inb, peer.to_string(), us))
}

/// A reproducible generator for the handshake's randoms and X25519 secrets
/// (`tour --seed` only: demo keys, never real use).
fn seeded(seed: u64) -> rand::rngs::ChaCha20Rng {
    use rand::SeedableRng;
    rand::rngs::ChaCha20Rng::seed_from_u64(seed ^ 0x6861_6e64_7368_616b)
}

/// The receiving half of an established channel.
pub enum Inbound {
    /// Native frames, checked by the opener.
    Native {
        /// Suite, tag or padding, sequence, hello first.
        opener: Opener,
    },
    /// A format's messages.
    Format {
        /// The session's keys.
        codec: Arc<Codec>,
        /// The word that ends the session when it arrives, if there is one.
        end_word: Option<&'static str>,
    },
}

impl Inbound {
    /// How to find the next incoming message.
    pub fn framing(&self) -> Framing {
        match self {
            Inbound::Native { .. } => Framing::Native,
            Inbound::Format { codec, .. } => {
                Framing::Format(Expect::Message(codec.format()), Some(codec.clone()))
            }
        }
    }

    /// Which part incoming messages are.
    pub fn part(&self) -> Part {
        match self {
            Inbound::Native { .. } => Part::Native,
            Inbound::Format { codec, .. } => Part::Format(Expect::Message(codec.format())),
        }
    }

    /// Opens one whole message.
    pub fn open(&mut self, msg: &[u8]) -> Result<Received, ChannelError> {
        match self {
            Inbound::Native { opener } => {
                let (header, text) = opener.open_ref(msg)?;
                let text = text.to_vec();
                Ok(match header.kind {
                    Kind::Hello => Received::Hello(text),
                    Kind::Message => Received::Message(text),
                    Kind::Goodbye => Received::End(text),
                    // The opener refuses handshake frames after the handshake.
                    Kind::Notice | Kind::Handshake => Received::Notice(text),
                })
            }
            Inbound::Format { codec, end_word } => {
                let text = codec.open(msg)?;
                if Some(text.as_slice()) == end_word.map(str::as_bytes) {
                    Ok(Received::End(text))
                } else {
                    Ok(Received::Message(text))
                }
            }
        }
    }
}

/// How the sending half seals.
enum Seal {
    Native(Sealer),
    Format(Arc<Codec>),
}

/// The sending half of an established channel.
pub struct Outbound {
    seal: Seal,
    end_word: Option<&'static str>,
}

impl Outbound {
    /// Seals one chat message (`rng` for format IVs; native frames use the
    /// sealer's own nonce source).
    pub fn message<R: CryptoRng + ?Sized>(&mut self, text: &[u8], rng: &mut R) -> Wired {
        match &mut self.seal {
            Seal::Native(sealer) => Wired {
                bytes: sealer.seal(Kind::Message, text),
                part: Part::Native,
                text: Some(text.to_vec()),
            },
            Seal::Format(codec) => Wired {
                bytes: codec.seal(text, rng),
                part: Part::Format(Expect::Message(codec.format())),
                text: Some(text.to_vec()),
            },
        }
    }

    /// Seals one chat message if the peer can take it: a native frame body,
    /// or a format's message, of at most `max` bytes (the reading side's
    /// limit, `--max-frame`). Otherwise nothing is sealed (no sequence
    /// number is used) and the error is the size the message would need.
    pub fn message_within<R: CryptoRng + ?Sized>(
        &mut self,
        text: &[u8],
        max: usize,
        rng: &mut R,
    ) -> Result<Wired, usize> {
        match &self.seal {
            Seal::Native(sealer) => {
                let body = sealer.suite().body_len(text.len());
                if body > max {
                    return Err(body);
                }
                Ok(self.message(text, rng))
            }
            // A format's codec keeps no count: a message sealed to be
            // measured and then dropped costs nothing but the work. The
            // limit is the receiver's own rule (`next_message`): base64's is
            // on the decoded bytes, not the characters.
            Seal::Format(codec) => {
                let codec = codec.clone();
                let w = self.message(text, rng);
                let expect = Expect::Message(codec.format());
                if let Next::Bad { error: ProfileError::TooLong { len, .. }, .. } =
                    next_message(expect, &w.bytes, true, Some(&codec), max)
                {
                    Err(len)
                } else {
                    Ok(w)
                }
            }
        }
    }

    /// A native hello frame saying `text` (`None` for formats), for a
    /// channel made [`Channel::without_hello`].
    pub fn hello(&mut self, text: &[u8]) -> Option<Wired> {
        match &mut self.seal {
            Seal::Native(sealer) => Some(Wired {
                bytes: sealer.seal(Kind::Hello, text),
                part: Part::Native,
                text: Some(text.to_vec()),
            }),
            Seal::Format(_) => None,
        }
    }

    /// What ends the session: a goodbye frame, or the format's end word
    /// sealed as a message (`None`: the format has none, it just closes).
    pub fn end(&mut self) -> Option<Wired> {
        match &mut self.seal {
            Seal::Native(sealer) => Some(Wired {
                bytes: sealer.seal(Kind::Goodbye, b"goodbye"),
                part: Part::Native,
                text: Some(b"goodbye".to_vec()),
            }),
            Seal::Format(codec) => {
                let word = self.end_word?;
                Some(Wired {
                    bytes: codec.seal(word.as_bytes(), &mut rand::rng()),
                    part: Part::Format(Expect::Message(codec.format())),
                    text: Some(word.as_bytes().to_vec()),
                })
            }
        }
    }

    /// A plain-text notice frame (native only; `None` for formats). INSECURE
    /// on purpose where it is used: `serve --leak-padding-errors`.
    pub fn notice(&self, text: &str) -> Option<Vec<u8>> {
        match &self.seal {
            Seal::Native(sealer) => Some(wire::notice(sealer.suite(), text)),
            Seal::Format(_) => None,
        }
    }
}
