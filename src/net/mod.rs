//! Encrypted chat over real TCP: the pieces shared by server, client and bench.
//!
//! A connection carries native frames ([`crate::wire`]) in both directions.
//! Each direction has its own sequence counter, starting at 0 with the
//! `hello` frame:
//!
//! ```text
//! client                                   server
//!   // -> hello #0  "alice"                  (sealed in the client's suite)
//!   // <- hello #0  "you are client 3"       (sealed in the server's suite)
//!   // -> message #1 … / <- message #1 …     (either side, any time)
//!   // -> goodbye #n                         (quit / end of input)
//!   // <- goodbye #m, close
//! ```
//!
//! Each side checks the other's hello independently: a different suite byte
//! gives `server speaks gcm, you speak cbc`; a hello that does not open gives
//! `message rejected: wrong key or tampered frame` — on both sides, never silence.
//!
//! Reading is bounded three ways, so one hostile or slow peer costs only its
//! own connection: the body length is checked before allocation
//! ([`wire::Header::decode`]), a started frame must finish within the frame
//! timeout (a one-byte-per-second client is cut off), and a connection with no
//! frame for the idle timeout is closed.

pub mod bench;
pub mod client;
pub mod oracle;
pub mod profile;
pub mod proxy;
pub mod rules;
pub mod server;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::profiles::Dissected;
use crate::render::{BlockMemory, Dump, Renderer};
use crate::suite::{Cipher, Suite, SuiteError};
use crate::wire::{self, HEADER_LEN, Header, Kind, WireError};

/// Why a connection was closed or a frame refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The frame is malformed; the stream cannot be trusted after it.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// The peer closed the connection in the middle of a frame.
    #[error("connection closed mid-frame after {have} of {need} bytes")]
    ClosedMidFrame {
        /// Bytes received.
        have: usize,
        /// Bytes the frame needed.
        need: usize,
    },
    /// No frame started within the idle timeout.
    #[error("idle for {0} s with no frame")]
    Idle(u64),
    /// A frame was started but not finished within the frame timeout.
    #[error("frame not completed within {0} s (too slow)")]
    SlowFrame(u64),
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
    /// A socket error.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Limits on reading from a peer.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body accepted (checked before allocating).
    pub max_body: u32,
    /// A connection with no frame for this long is closed.
    pub idle: Duration,
    /// A frame must arrive whole within this long once its first byte is in.
    pub frame: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: wire::DEFAULT_MAX_BODY,
            idle: Duration::from_secs(300),
            frame: Duration::from_secs(10),
        }
    }
}

/// Reads one whole frame (header + body). `Ok(None)` on a clean close
/// between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, NetError> {
    let mut frame = Vec::new();
    Ok(read_frame_into(r, limits, &mut frame).await?.then_some(frame))
}

/// Reads one whole frame into `frame` (resized; a reused buffer costs no
/// allocation). `Ok(false)` on a clean close between frames.
pub async fn read_frame_into<R: AsyncRead + Unpin>(
    r: &mut R,
    limits: &Limits,
    frame: &mut Vec<u8>,
) -> Result<bool, NetError> {
    let mut head = [0u8; HEADER_LEN];
    let first = tokio::time::timeout(limits.idle, r.read(&mut head[..1]))
        .await
        .map_err(|_| NetError::Idle(limits.idle.as_secs()))??;
    if first == 0 {
        return Ok(false);
    }
    let rest = async {
        let mut have = 1;
        while have < HEADER_LEN {
            match r.read(&mut head[have..]).await? {
                0 => return Err(NetError::ClosedMidFrame { have, need: HEADER_LEN }),
                n => have += n,
            }
        }
        // The length is checked here, before the body buffer is sized.
        let header = Header::decode(&head, limits.max_body)?;
        let need = HEADER_LEN + header.len as usize;
        frame.resize(need, 0);
        frame[..HEADER_LEN].copy_from_slice(&head);
        while have < need {
            match r.read(&mut frame[have..]).await? {
                0 => return Err(NetError::ClosedMidFrame { have, need }),
                n => have += n,
            }
        }
        Ok(true)
    };
    tokio::time::timeout(limits.frame, rest).await.map_err(|_| NetError::SlowFrame(limits.frame.as_secs()))?
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
    pub fn open(&mut self, frame: &[u8]) -> Result<Opened, NetError> {
        let (header, text) = self.open_ref(frame)?;
        Ok(Opened { header, text: text.to_vec() })
    }

    /// Like [`Opener::open`], returning the text as a slice of the opener's
    /// reused buffer (no copy).
    pub fn open_ref(&mut self, frame: &[u8]) -> Result<(Header, &[u8]), NetError> {
        let (header, body) = wire::decode_frame(frame, u32::MAX)?;
        if header.kind == Kind::Notice {
            // Plain text, outside the sequence: shown, never trusted.
            self.buf.clear();
            self.buf.extend_from_slice(body);
            return Ok((header, &self.buf));
        }
        if header.suite != self.cipher.suite() {
            return Err(NetError::SuiteMismatch {
                peer: self.peer.clone(),
                us: self.us,
                theirs: header.suite,
                ours: self.cipher.suite(),
            });
        }
        let len = self.cipher.open_into(&frame[..HEADER_LEN], body, &mut self.buf)?;
        if header.seq != self.expected {
            return Err(NetError::Sequence { got: header.seq, expected: self.expected });
        }
        if self.expected == 0 && header.kind != Kind::Hello {
            return Err(NetError::NoHello(header.kind.name()));
        }
        self.expected += 1;
        Ok((header, &self.buf[..len]))
    }
}

/// How frames are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// The annotated dump of every frame, then its text.
    Full,
    /// Only the text of each message received.
    Quiet,
    /// One JSON object per frame and per event.
    Json,
    /// The annotated dump of message frames only (no hello, goodbye or
    /// events): the tour's compact view.
    Messages,
}

/// Direction of a frame, from this program's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Received.
    In,
    /// Sent.
    Out,
}

/// The one place a chat program writes its output (stdout, or a sink such
/// as the tour's page), so that lines from many connections never interleave.
pub struct Printer {
    show: Show,
    renderer: Renderer,
    state: Mutex<BlockMemory>,
    sink: Option<Mutex<Box<dyn Write + Send>>>,
}

/// One message exchanged, described for [`Printer`]: its bytes and fields,
/// a title tail (`about`), extra JSON fields, and its text if it opened.
struct Exchanged<'a> {
    dir: Dir,
    peer: &'a str,
    n: u64,
    bytes: &'a [u8],
    spans: Vec<crate::render::Span>,
    about: String,
    json: serde_json::Value,
    is_message: bool,
    text: Option<&'a [u8]>,
}

/// A message's text for display: as is if UTF-8, else escaped (`\xff`), never dropped.
pub fn show_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => format!("{} (not UTF-8, shown escaped)", bytes.escape_ascii()),
    }
}

impl Printer {
    /// A printer for `show` mode, writing to stdout.
    pub fn new(show: Show, renderer: Renderer) -> Self {
        Printer { show, renderer, state: Mutex::new(BlockMemory::default()), sink: None }
    }

    /// A printer writing to `sink` instead of stdout.
    pub fn with_sink(show: Show, renderer: Renderer, sink: Box<dyn Write + Send>) -> Self {
        Printer { sink: Some(Mutex::new(sink)), ..Printer::new(show, renderer) }
    }

    fn write(&self, text: &[u8]) {
        // Output errors (a closed pipe) must not take the server down.
        match &self.sink {
            Some(sink) => {
                let _ = sink.lock().unwrap_or_else(|e| e.into_inner()).write_all(text);
            }
            None => {
                let mut out = io::stdout().lock();
                let _ = out.write_all(text);
                let _ = out.flush();
            }
        }
    }

    /// Shows a frame sent to or received from `peer` (`client 3`, `server`),
    /// the `n`th in that direction on that connection.
    pub fn frame(&self, dir: Dir, peer: &str, n: u64, frame: &[u8], text: Option<&[u8]>) {
        let Ok((header, _)) = wire::decode_frame(frame, u32::MAX) else { return };
        self.exchanged(Exchanged {
            dir,
            peer,
            n,
            bytes: frame,
            spans: wire::frame_spans(&header, frame.len()),
            about: format!(
                "{} · seq {} · {} · {} bytes",
                header.kind.name(),
                header.seq,
                header.suite,
                frame.len()
            ),
            json: serde_json::json!({ "suite": header.suite, "kind": header.kind.name(), "seq": header.seq }),
            is_message: header.kind == Kind::Message,
            text,
        });
    }

    /// Shows one message of a wire profile sent to or received from `peer`:
    /// its fields as `d` dissected them (`raw` is what was on the wire), then
    /// its text if it opened.
    pub fn message(&self, dir: Dir, peer: &str, n: u64, raw: &[u8], d: &Dissected, text: Option<&[u8]>) {
        self.exchanged(Exchanged {
            dir,
            peer,
            n,
            bytes: &d.bytes,
            spans: d.spans.clone(),
            about: format!("{} · {}", d.wire, d.summary),
            json: serde_json::json!({ "wire": d.wire, "summary": d.summary, "wire_hex": hex::encode(raw) }),
            is_message: true,
            text,
        });
    }

    /// What `frame` and `message` share: the quiet line, the JSON object or
    /// the annotated dump of one exchanged message.
    fn exchanged(&self, e: Exchanged<'_>) {
        let (arrow, from_to, tag) = match e.dir {
            Dir::In => ("←", "from", format!("in#{}", e.n)),
            Dir::Out => ("→", "to", format!("out#{}", e.n)),
        };
        let mut out = Vec::new();
        match self.show {
            Show::Quiet => {
                // Only what arrives: what we send, we typed (or echoed).
                if let (Some(t), true, Dir::In) = (e.text, e.is_message, e.dir) {
                    let _ = writeln!(out, "{}: {}", e.peer, show_text(t));
                }
            }
            Show::Json => {
                let dump = Dump::new("", e.bytes).spans(e.spans);
                let mut v = serde_json::json!({
                    "event": "frame",
                    "dir": if e.dir == Dir::In { "in" } else { "out" },
                    "peer": e.peer,
                    "frame": e.n,
                    "hex": hex::encode(e.bytes),
                    "spans": crate::render::dump_json(&dump)["spans"],
                    "text": e.text.map(show_text),
                });
                if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), e.json) {
                    v.extend(extra);
                }
                let _ = writeln!(out, "{v}");
            }
            Show::Messages if !e.is_message => return,
            Show::Full | Show::Messages => {
                let title = format!("{arrow} {tag} {from_to} {} · {}", e.peer, e.about);
                let dump = Dump::new(title, e.bytes).spans(e.spans);
                let mut memory = self.state.lock().unwrap_or_else(|e| e.into_inner());
                memory.tag = tag;
                let _ = self.renderer.render_remembering(&mut out, &dump, &mut memory);
                if let Some(t) = e.text {
                    let _ = writeln!(out, "  text: {}", show_text(t));
                }
            }
        }
        self.write(&out);
    }

    /// Shows a frame under a given title (the proxy's view: no keys, no
    /// text), with `marks` highlighted. Bytes that are not a valid frame are
    /// shown as plain data.
    pub fn dump(&self, title: &str, who: &str, n: u64, frame: &[u8], marks: &[std::ops::Range<usize>]) {
        let spans = match wire::decode_frame(frame, u32::MAX) {
            Ok((header, _)) => wire::frame_spans(&header, frame.len()),
            Err(_) => Vec::new(),
        };
        self.dump_spans(title, who, n, frame, spans, marks);
    }

    /// Shows `bytes` with the given field `spans` (a wire profile's message,
    /// dissected), `marks` highlighted.
    pub fn dump_spans(
        &self,
        title: &str,
        who: &str,
        n: u64,
        frame: &[u8],
        spans: Vec<crate::render::Span>,
        marks: &[std::ops::Range<usize>],
    ) {
        let mut dump = Dump::new(title, frame).spans(spans);
        for m in marks {
            dump = dump.mark(m.clone());
        }
        let mut out = Vec::new();
        match self.show {
            Show::Quiet => return,
            Show::Json => {
                let v = serde_json::json!({
                    "event": "frame",
                    "dir": who,
                    "frame": n,
                    "hex": hex::encode(frame),
                    "spans": crate::render::dump_json(&dump)["spans"],
                });
                let _ = writeln!(out, "{v}");
            }
            Show::Full | Show::Messages => {
                let mut memory = self.state.lock().unwrap_or_else(|e| e.into_inner());
                memory.tag = format!("{who} #{n}");
                let _ = self.renderer.render_remembering(&mut out, &dump, &mut memory);
            }
        }
        self.write(&out);
    }

    /// Logs one event line (`client 3 joined`, an error, …).
    pub fn event(&self, what: &str, line: &str) {
        let text = match self.show {
            Show::Json => format!("{}\n", serde_json::json!({ "event": what, "message": line })),
            Show::Messages => return,
            _ => format!("* {line}\n"),
        };
        self.write(text.as_bytes());
    }
}
