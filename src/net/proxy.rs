//! `cryptolab proxy`: a man in the middle between a real client and a real
//! server — one proxy for cryptolab's frames and for every classroom format.
//!
//! The proxy has no keys. It sees what any attacker on the path sees: every
//! message, both ways, dissected with the shared renderer (a frame's header
//! and body layout are public; a format's base64 or JSON is decoded). It
//! applies tamper rules ([`super::rules`]) to the client's messages on their
//! way to the server, to the bytes it shows (base64 and JSON re-encoded
//! after the change). Against cbc the server accepts a flipped frame and
//! decrypts it to a changed message; against cbc-hmac and gcm it refuses it.
//!
//! ```text
//! connect ──► proxy (listen, default 5551) ──► serve (upstream, default 5550)
//!         ◄──  shows every message, applies --tamper rules  ◄──
//! ```
//!
//! With `--mitm` (native frames only) the proxy is not a wire tap but a
//! party: it runs its own key exchange with each side
//! ([`crate::session::mitm::Mallory`]), then opens, shows, rewrites
//! (`--rewrite FROM=TO`) and seals again every frame. Against `--anonymous`
//! it reads everything and neither end can tell; against the key file both
//! handshakes fail and both ends say so.
//!
//! A classroom program of an unframed format reads a message with one
//! `recv()`: two messages written back to back reach it as one (a padded
//! base64 duplicate is dropped by its decoder, a JSON one is "Extra data").
//! So for those formats a second message written for one of the client's
//! (a `replay:` copy, a `swap:`ped message) goes as its own write once the
//! server has answered the first — or, if it does not answer (a one-way
//! program), after [`SEPARATE`], longer than the quiet that ends a message.
//! Length-prefixed streams (native, `len-iv-ct-hmac`) get them back to back.
//!
//! Bytes that are not a message are passed through unparsed, with one line
//! saying so; what surrounds a message (whitespace between text messages, a
//! line end) goes on as it came. Without tamper rules the server receives
//! exactly the bytes the client sent. An upstream that is down gives `cannot reach HOST:PORT` for
//! that client, and the proxy keeps listening.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::Limits;
use super::reader::{Got, Reader, SETTLE};
use super::rules::{Plan, Rule};
use super::server::accept_forever;
use crate::events::{Dir, Event, Events, Frame, FrameKind, Notice};
use crate::profiles::rsa_gcm_json::{self, RSA_BITS};
use crate::profiles::{Expect, Format, Wire, reassemble};
use crate::session::channel::{Framing, Part, Wired};
use crate::wire::{self, HEADER_LEN, Kind};

/// The proxy's settings.
pub struct ProxyOptions {
    /// What client and server speak.
    pub wire: Wire,
    /// Where the real server is (`HOST:PORT`).
    pub upstream: String,
    /// Tamper rules for client → server messages.
    pub rules: Vec<Rule>,
    /// Read limits (per message).
    pub limits: Limits,
    /// `--mitm`: take over the key exchange (native, or a format's own).
    pub mitm: Option<MitmSpeak>,
    /// `--rewrite`: what the man in the middle changes.
    pub rewrite: Vec<crate::session::mitm::Rewrite>,
    /// `--oracle-port`: attackers who connect here have their frames put
    /// into the latest client's session, and get the server's notices.
    pub oracle: Option<TcpListener>,
}

/// Where the latest native session takes attackers from (`--oracle-port`).
type OracleSlot = Arc<std::sync::Mutex<Option<tokio::sync::mpsc::Sender<TcpStream>>>>;

/// What the man in the middle speaks to each side.
pub enum MitmSpeak {
    /// Native frames: she mirrors each client's ClientHello.
    Native,
    /// A format with a key exchange of its own (`rsa-gcm-json`), with her
    /// own keys in it.
    Format(crate::session::channel::Speak),
}

/// How long a second write for one client message waits for the server's
/// answer to the first, in an unframed format: longer than the quiet
/// ([`SETTLE`]) after which a program takes what it has as one message.
pub const SEPARATE: Duration = SETTLE.saturating_add(Duration::from_millis(500));

/// How many messages the server has sent back on one connection, so that
/// the client's direction can wait for an answer.
#[derive(Default)]
struct Answers {
    count: std::sync::atomic::AtomicU64,
    arrived: tokio::sync::Notify,
}

impl Answers {
    fn one_more(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.arrived.notify_waiters();
    }

    /// Waits until more than `seen` answers have come, or `SEPARATE` passed.
    async fn after(&self, seen: u64) {
        let wait = async {
            loop {
                let arrived = self.arrived.notified();
                if self.count.load(Ordering::SeqCst) > seen {
                    return;
                }
                arrived.await;
            }
        };
        let _ = tokio::time::timeout(SEPARATE, wait).await;
    }
}

/// Accepts clients on `listener` for ever, one upstream connection each.
pub async fn proxy(
    listener: TcpListener,
    mut opts: ProxyOptions,
    events: Arc<Events>,
) -> std::io::Result<()> {
    let slot: Option<OracleSlot> = opts.oracle.take().map(|oracle| {
        let slot: OracleSlot = Arc::default();
        tokio::spawn(oracle_accept(oracle, slot.clone(), events.clone()));
        slot
    });
    let opts = Arc::new(opts);
    let events2 = events.clone();
    accept_forever(listener, events, move |id, client, addr| {
        let events = events2.clone();
        events.emit(Event::Joined { peer: format!("client {id}"), addr: addr.to_string() });
        let slot = slot.clone();
        let opts = opts.clone();
        async move {
            match slot {
                Some(slot) => in_session_oracle(id, client, slot, &opts, &events).await,
                None => connection(id, client, opts, events).await,
            }
        }
    })
    .await;
    Ok(())
}

/// Connects to the real server for client `id`, within 5 s, or says why not.
async fn connect_upstream(upstream: &str, id: u32, events: &Events) -> Option<TcpStream> {
    let why = match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(upstream)).await {
        Ok(Ok(s)) => return Some(s),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "no answer in 5 s".to_string(),
    };
    events.notice(Notice::Error, format!("cannot reach {upstream}: {why}; closing client {id}"));
    None
}

async fn connection(id: u32, client: TcpStream, opts: Arc<ProxyOptions>, events: Arc<Events>) {
    let Some(upstream) = connect_upstream(&opts.upstream, id, &events).await else { return };
    if let Some(speak) = &opts.mitm {
        let why = mitm(id, client, upstream, speak, &opts, &events).await;
        events.emit(Event::Left { peer: format!("client {id}"), why });
        return;
    }
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (c_rd, c_wr) = client.into_split();
    let (u_rd, u_wr) = upstream.into_split();
    // rsa-gcm-json: the wrapped session key is as long as the server's RSA
    // modulus, which the proxy learns from the server's PEM.
    let oaep_len = Arc::new(AtomicUsize::new(RSA_BITS / 8));
    let answers = Arc::new(Answers::default());
    let relay = |who: String, plan, from_client| Relay {
        who,
        plan,
        wire: opts.wire,
        from_client,
        oaep_len: oaep_len.clone(),
        answers: answers.clone(),
        events: events.clone(),
    };
    let up = relay(format!("client {id} → server"), Some(Plan::new(opts.rules.clone())), true);
    let down = relay(format!("server → client {id}"), None, false);
    tokio::join!(up.run(c_rd, u_wr, opts.limits), down.run(u_rd, c_wr, opts.limits));
    events.emit(Event::Left { peer: format!("client {id}"), why: "disconnected".into() });
}

/// `--mitm`: one connection through [`Mallory`](crate::session::mitm::Mallory),
/// frames read whole from each side and what she sends written out. Returns
/// why it ended.
async fn mitm(
    id: u32,
    client: TcpStream,
    upstream: TcpStream,
    speak: &MitmSpeak,
    opts: &ProxyOptions,
    events: &Events,
) -> String {
    use crate::session::mitm::{Mallory, Step};
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (c_rd, mut c_wr) = client.into_split();
    let (u_rd, mut u_wr) = upstream.into_split();
    let mut from_client = Reader::new(c_rd, opts.limits);
    let mut from_server = Reader::new(u_rd, opts.limits);
    let who = format!("client {id}");
    let (mut mallory, first) = match speak {
        MitmSpeak::Native => (Mallory::new(opts.rewrite.clone()), Step::default()),
        MitmSpeak::Format(speak) => match Mallory::for_format(speak, opts.rewrite.clone()) {
            Ok(m) => m,
            Err(e) => return format!("closed: {e}"),
        },
    };
    for text in &first.said {
        events.emit(Event::Tamper { peer: who.clone(), n: 0, text: format!("{who}: {text}") });
    }
    for frame in &first.to_server {
        if u_wr.write_all(frame).await.is_err() {
            return "the server closed".into();
        }
    }
    let (mut n_client, mut n_server) = (0u64, 0u64);
    // A side that closed is not read again; while the other side's
    // handshake still runs, it goes on (so that it can refuse in its turn).
    let (mut client_open, mut server_open) = (true, true);
    loop {
        let (c_framing, s_framing) = (mallory.client_framing(), mallory.server_framing());
        let step: Step = tokio::select! {
            got = from_client.next(&c_framing), if client_open => match got {
                Ok(Got::Message(frame, _)) => { n_client += 1; mallory.from_client(&frame) }
                Ok(Got::Bad(e, _)) => return format!("a bad frame from the client: {e}"),
                Ok(Got::End) | Err(_) => { client_open = false; Step::default() }
            },
            got = from_server.next(&s_framing), if server_open => match got {
                Ok(Got::Message(frame, _)) => { n_server += 1; mallory.from_server(&frame) }
                Ok(Got::Bad(e, _)) => return format!("a bad frame from the server: {e}"),
                Ok(Got::End) | Err(_) => { server_open = false; Step::default() }
            },
        };

        for text in step.said {
            let text = format!("{who}: {text}");
            events.emit(Event::Tamper { peer: who.clone(), n: n_client.max(n_server), text });
        }
        for frame in &step.to_client {
            if client_open && c_wr.write_all(frame).await.is_err() {
                client_open = false;
            }
        }
        for frame in &step.to_server {
            if server_open && u_wr.write_all(frame).await.is_err() {
                server_open = false;
            }
        }
        if let Some(end) = step.end {
            events.notice(Notice::Error, format!("{who}: {end}"));
        }
        if !client_open && !server_open {
            return "both sides closed".into();
        }
        if (!client_open || !server_open) && (mallory.is_relaying() || mallory.is_over()) {
            return if client_open { "the server closed" } else { "the client closed" }.into();
        }
        if mallory.is_over() {
            let _ = c_wr.shutdown().await;
            let _ = u_wr.shutdown().await;
            return "closed: the man in the middle is out".into();
        }
    }
}

/// Hands each attacker who connects to `--oracle-port` to the latest session.
async fn oracle_accept(listener: TcpListener, slot: OracleSlot, events: Arc<Events>) {
    loop {
        let Ok((stream, addr)) = listener.accept().await else { continue };
        let tx = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match tx {
            Some(tx) if tx.send(stream).await.is_ok() => {
                events.notice(Notice::Info, format!("oracle: {addr} attached to the latest session"));
            }
            Some(_) | None => {
                events.notice(Notice::Error, format!("oracle: {addr}: no session to attach to yet"))
            }
        }
    }
}

/// `--oracle-port`: a keyless relay of one native session, whose server
/// also answers an attacker. The client's frames go through; its goodbye
/// does not (the session stays open for the attacker). An attacker's frame
/// gets the sequence number the server expects next in *this* session and
/// goes to the server; the server's notice about it goes back to the
/// attacker, not to the client. The keys stay with the client and the
/// server: the attacker reads only the server's answers, which is what the
/// padding-oracle attacks on TLS did.
async fn in_session_oracle(
    id: u32,
    client: TcpStream,
    slot: OracleSlot,
    opts: &ProxyOptions,
    events: &Events,
) {
    let Some(upstream) = connect_upstream(&opts.upstream, id, events).await else { return };
    let (tx, mut attackers) = tokio::sync::mpsc::channel::<TcpStream>(4);
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    let (c_rd, mut c_wr) = client.into_split();
    let (u_rd, mut u_wr) = upstream.into_split();
    let mut from_client = Reader::new(c_rd, opts.limits);
    let mut from_server = Reader::new(u_rd, opts.limits);
    let mut attacker: Option<(Reader<tokio::net::tcp::OwnedReadHalf>, tokio::net::tcp::OwnedWriteHalf)> =
        None;
    let who = format!("client {id}");
    let (mut expected, mut pending, mut client_open, mut n) = (0u64, 0usize, true, 0u64);
    let why = loop {
        tokio::select! {
            got = from_client.next(&Framing::Native), if client_open => match got {
                Ok(Got::Message(frame, _)) => {
                    n += 1;
                    let title = format!("{who} → server · frame {n} · {} bytes", frame.len());
                    let shown = Wired { bytes: frame.clone(), part: Part::Native, text: None };
                    events.emit(Event::Frame(Frame { title: Some(title), ..shown.frame(Dir::Through, &format!("{who} → server"), n) }));
                    let Ok((h, _)) = wire::decode_frame(&frame, u32::MAX) else { continue };
                    if h.kind == Kind::Goodbye {
                        // Not forwarded: the session stays open for the attacker.
                        events.notice(Notice::Info, format!("oracle: {who} said goodbye; its session stays open"));
                        client_open = false;
                        continue;
                    }
                    if matches!(h.kind, Kind::Hello | Kind::Message) {
                        // A hostile seq u64::MAX must not overflow.
                        expected = h.seq.wrapping_add(1);
                    }
                    if u_wr.write_all(&frame).await.is_err() {
                        break "the server closed".to_string();
                    }
                }
                Ok(Got::Bad(e, _)) => break format!("a bad frame from the client: {e}"),
                Ok(Got::End) | Err(_) => client_open = false,
            },
            got = from_server.next(&Framing::Native) => match got {
                Ok(Got::Message(frame, _)) => {
                    let notice = wire::decode_frame(&frame, u32::MAX).ok().filter(|(h, _)| h.kind == Kind::Notice);
                    match (notice, attacker.as_mut()) {
                        (Some((_, text)), Some((_, aw))) if pending > 0 => {
                            pending -= 1;
                            if text == b"ok" {
                                expected = expected.wrapping_add(1); // a forgery was accepted: the server moved on
                            }
                            if aw.write_all(&frame).await.is_err() {
                                attacker = None;
                            }
                        }
                        _ if pending > 0 => {} // the echo of an accepted forgery: the attacker's, not the client's
                        _ => {
                            if client_open && c_wr.write_all(&frame).await.is_err() {
                                client_open = false;
                            }
                        }
                    }
                }
                Ok(Got::Bad(e, _)) => break format!("a bad frame from the server: {e}"),
                Ok(Got::End) | Err(_) => break "the server closed".to_string(),
            },
            Some(stream) = attackers.recv() => {
                let (rd, mut wr) = stream.into_split();
                let hello = wire::notice(crate::suite::Suite::Cbc, &format!("oracle: inside {who}'s session"));
                if wr.write_all(&hello).await.is_ok() {
                    attacker = Some((Reader::new(rd, opts.limits), wr));
                }
            },
            got = async { attacker.as_mut().expect("guarded").0.next(&Framing::Native).await }, if attacker.is_some() => match got {
                Ok(Got::Message(mut frame, _)) => {
                    // The attacker's header, renumbered for this session.
                    if frame.len() >= HEADER_LEN {
                        frame[2] = Kind::Message.code();
                        frame[4..12].copy_from_slice(&expected.to_be_bytes());
                    }
                    pending += 1;
                    if u_wr.write_all(&frame).await.is_err() {
                        break "the server closed".to_string();
                    }
                }
                Ok(Got::Bad(..) | Got::End) | Err(_) => attacker = None,
            },
        }
    };
    events.emit(Event::Left { peer: who, why });
}

/// One direction of a proxied connection.
struct Relay {
    who: String,
    plan: Option<Plan>,
    wire: Wire,
    from_client: bool,
    oaep_len: Arc<AtomicUsize>,
    answers: Arc<Answers>,
    events: Arc<Events>,
}

impl Relay {
    /// How the `n`th message (from 1) in this direction is found.
    fn framing(&self, n: u64) -> Framing {
        match (self.wire, self.from_client, n) {
            (Wire::Native, ..) => Framing::Native,
            (Wire::Format(Format::RsaGcmJson), _, 1) => Framing::Format(Expect::Pem, None),
            (Wire::Format(Format::RsaGcmJson), true, 2) => {
                Framing::Format(Expect::Exact(self.oaep_len.load(Ordering::Relaxed)), None)
            }
            (Wire::Format(Format::RsaGcmJson), ..) => {
                Framing::Format(Expect::Message(Format::RsaGcmJson), None)
            }
            // No handshake: every message is a message (a format with a
            // handshake gets its parts above, by name).
            (
                Wire::Format(
                    format @ (Format::LenIvCtHmac | Format::B64IvCt | Format::B64Ecb | Format::RawCbcStatic),
                ),
                ..,
            ) => Framing::Format(Expect::Message(format), None),
        }
    }

    /// Whether the programs of this wire read a message with one `recv()`
    /// (no framing): then two messages must not share a write.
    fn one_per_write(&self) -> bool {
        match self.wire {
            Wire::Native => false,
            Wire::Format(f) => f.spec().text || f.spec().settles,
        }
    }

    /// The dump of `bytes` as this direction's `n`th message, `marks` highlighted.
    fn frame(
        &self,
        part: Part,
        n: u64,
        bytes: &[u8],
        title: String,
        marks: Vec<std::ops::Range<usize>>,
    ) -> Frame {
        let mut f = Wired { bytes: bytes.to_vec(), part, text: None }.frame(Dir::Through, &self.who, n);
        f.title = Some(title);
        f.marks = marks;
        f
    }

    async fn run(mut self, rd: impl AsyncRead + Unpin, mut wr: impl AsyncWrite + Unpin, limits: Limits) {
        // Recording: what is not a message (whitespace between text
        // messages, a line end, bytes that do not parse) goes on unchanged.
        let mut reader = Reader::new(rd, limits).recording();
        let mut n = 0u64;
        loop {
            let framing = self.framing(n + 1);
            let (bytes, note) = match reader.next(&framing).await {
                Ok(Got::Message(bytes, note)) => (bytes, note),
                Ok(Got::Bad(e, _)) => {
                    if wr.write_all(&reader.take_recorded().0).await.is_err() {
                        break;
                    }
                    if !e.is_fatal() {
                        self.events.notice(Notice::Error, format!("{}: {e}; passed through as is", self.who));
                        continue;
                    }
                    // The stream is out of step: pass the rest through unparsed.
                    let line = format!("{}: {e}; passing the rest through unparsed", self.who);
                    self.events.notice(Notice::Error, line);
                    let (mut rd, rest) = reader.into_parts();
                    if wr.write_all(&rest).await.is_ok() {
                        let _ = tokio::io::copy(&mut rd, &mut wr).await;
                    }
                    break;
                }
                Ok(Got::End) | Err(_) => {
                    let _ = wr.write_all(&reader.take_recorded().0).await;
                    break;
                }
            };
            // Around the message: whitespace before it, its line end after.
            let (raw, at) = reader.take_recorded();
            let at = at.unwrap_or(0..raw.len());
            let (before, after) = (&raw[..at.start], &raw[at.end..]);
            n += 1;
            if let Some(note) = note {
                self.events.notice(Notice::Ambiguous, format!("{}: {note}", self.who));
            }
            let part = framing.part();
            if part == Part::Format(Expect::Pem)
                && !self.from_client
                && let Ok(key) = rsa_gcm_json::parse_public_pem(&bytes)
            {
                use rsa::traits::PublicKeyParts;
                self.oaep_len.store(key.size(), Ordering::Relaxed);
            }
            // The bytes the rules see: a frame as it is, a format decoded.
            let shown = Wired { bytes: bytes.clone(), part, text: None }.frame(Dir::Through, &self.who, n);
            let (outs, log) = match self.plan.as_mut() {
                Some(plan) => plan.apply(n, shown.bytes.clone()),
                None => (vec![shown.bytes.clone()], Vec::new()),
            };
            let (unit, about) = match &shown.kind {
                FrameKind::Format { summary, .. } => ("message", summary.clone()),
                FrameKind::Native { .. } | FrameKind::Unparsed => ("frame", format!("{} bytes", bytes.len())),
            };
            let title = format!("{} · {unit} {n} · {about}", self.who);
            self.events.emit(Event::Frame(Frame { title: Some(title), ..shown.clone() }));
            for text in log {
                self.events.emit(Event::Tamper { peer: self.who.clone(), n, text });
            }
            let seen = self.answers.count.load(Ordering::SeqCst);
            for (i, changed) in outs.into_iter().enumerate() {
                if i > 0 && self.one_per_write() {
                    // Its own write, once the server has answered the first.
                    wr.flush().await.ok();
                    self.answers.after(seen).await;
                }
                let wire_bytes = match part {
                    _ if changed == shown.bytes => bytes.clone(),
                    Part::Native => changed.clone(),
                    Part::Format(expect) => reassemble(expect, &bytes, &changed),
                };
                if changed != shown.bytes {
                    let marks: Vec<_> = (0..changed.len().min(shown.bytes.len()))
                        .filter(|&i| changed[i] != shown.bytes[i])
                        .map(|i| i..i + 1)
                        .collect();
                    let title = match part {
                        Part::Native => format!(
                            "{} · frame {n} as forwarded, changed bytes marked · {} bytes",
                            self.who,
                            wire_bytes.len()
                        ),
                        Part::Format(_) => {
                            format!("{} · message {n} as forwarded, changed bytes marked", self.who)
                        }
                    };
                    self.events.emit(Event::Frame(self.frame(part, n, &wire_bytes, title, marks)));
                }
                if wr.write_all(&[before, &wire_bytes, after].concat()).await.is_err() {
                    return;
                }
            }
            if !self.from_client {
                self.answers.one_more();
            }
        }
        let _ = wr.shutdown().await;
    }
}
