//! `cryptolab connect`: one client for cryptolab's frames and for every
//! classroom format; one function per flow (`--flow`, or the format's own).
//!
//! - **Full duplex** (native, `len-iv-ct-hmac`): lines are sent as they
//!   come while the server's messages are shown as they arrive. The end
//!   word (`quit`) or the end of input ends the session the channel's way
//!   (native: a goodbye frame; `len-iv-ct-hmac`'s programs end locally, so
//!   `quit` is not sent: the client closes its side) and shows what is
//!   still arriving, briefly.
//! - **Lock-step** (`b64-iv-ct`, `b64-ecb`, `rsa-gcm-json`): send a line,
//!   wait for the reply, repeat; the end of input sends the format's end
//!   word where its programs send one (`bye`), or just closes
//!   (`rsa-gcm-json` has none).
//! - **One-way** (`raw-cbc-static`, and one-way programs of the other
//!   formats): one message, the sending side closed; no reply is expected
//!   (one that comes is shown), and the session is done once the server
//!   closes (or `timeout` passes).
//!
//! Whichever the flow, a server that ends the session itself — a goodbye
//! frame, or a lock-step server's `bye` — ends it cleanly: nothing more is
//! sent, and lines not yet sent are counted.
//!
//! The lines come from a channel the caller fills (stdin, or the one
//! `--send` message). If the server's messages cannot be accepted — another
//! suite (`server speaks gcm, you speak cbc`), a wrong key (`message
//! rejected: wrong key or tampered frame`), a broken stream — the session
//! ends with [`End::Refused`] and the reason, never silence. `--send` waits
//! `timeout` for one reply.
//!
//! A line whose message would be over the limit (`--max-frame`, which the
//! server applies to what it reads) is not sent: the session ends there,
//! with a goodbye where the channel has one, and [`End::TooLong`]. Nothing
//! after it is sent either, since a script's later lines may depend on it.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::mpsc;

use super::reader::{Got, Reader};
use super::server::Writer;
use super::{Limits, NetError};
use crate::events::{After, Dir, Event, Events, Notice};
use crate::profiles::{Close, Flow};
use crate::session::channel::{Channel, Framing, Inbound, Outbound, Received, Side, Speak, Wired};

/// How long the end of a session waits for what is still arriving.
const LINGER: Duration = Duration::from_secs(2);

/// How a session ended.
#[derive(Debug)]
pub enum End {
    /// Normally (the end exchanged, or the server closed; one-way: the
    /// message written and the connection closed).
    Done,
    /// The server's messages could not be accepted; the (first) reason.
    Refused(NetError),
    /// `--send`: no reply arrived in time.
    NoReply(Duration),
    /// `--send`: the server closed the connection before replying.
    ClosedWithoutReply,
    /// A line too long for one message was not sent, and nothing after it:
    /// the session was ended there (a goodbye, if the channel has one).
    TooLong {
        /// The line's length in bytes.
        len: usize,
        /// The size its message would have had (a native frame's body).
        need: usize,
        /// The limit it was over (`Limits::max_body`).
        max: u32,
    },
}

/// The client's settings.
pub struct ConnectOptions {
    /// What is spoken, with its keys.
    pub speak: Speak,
    /// Who speaks when (the format's own flow unless `--flow` chose another).
    pub flow: Flow,
    /// Name sent in the native hello.
    pub name: String,
    /// A script (`--send`): one message, wait `timeout` for its reply, end.
    pub script: bool,
    /// How long a script waits for the reply.
    pub timeout: Duration,
    /// Read limits.
    pub limits: Limits,
}

/// What arrived, once shown.
enum Incoming {
    /// A chat message.
    Message,
    /// The server closed the connection.
    Closed,
    /// The server ended the session: a goodbye, or the format's end word.
    Ended,
    /// It could not be accepted (fatal: the stream is broken or untrusted).
    Failed(NetError),
    /// It could not be accepted, but the stream goes on.
    Skipped(NetError),
    /// Something to show and go past (a hello, a notice).
    Other,
}

/// What came back after a lock-step or one-way message.
enum Reply {
    Opened,
    Failed(NetError),
    Closed,
    Ended,
    TimedOut(Duration),
}

struct Session {
    reader: Reader<OwnedReadHalf>,
    inb: Inbound,
    outb: Outbound,
    out: Writer,
    n_in: u64,
    unit: &'static str,
    events: Arc<Events>,
    limits: Limits,
}

/// Runs a client session on a connected stream, sending the lines that
/// arrive on `lines` (closed: end of input).
///
/// # Errors
/// A socket error that no refusal from the server explains.
pub async fn connect(
    stream: TcpStream,
    opts: ConnectOptions,
    mut lines: mpsc::Receiver<Vec<u8>>,
    events: Arc<Events>,
) -> std::io::Result<End> {
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let mut reader = Reader::new(rd, opts.limits);
    let mut out = Writer::new(wr, "server", opts.limits.frame, events.clone());
    let mut ch = Channel::new(&opts.speak, Side::Client, "server", opts.name.as_bytes())
        .map_err(std::io::Error::other)?;
    let unit = opts.speak.unit();
    for w in ch.start() {
        out.send(&w).await?;
    }
    let mut n_in = 0;
    while !ch.is_ready() {
        let framing = ch.framing();
        let bytes = match reader.next(&framing).await {
            Ok(Got::Message(bytes, _)) => bytes,
            Ok(Got::Bad(e, _)) => return Ok(End::Refused(e)),
            Ok(Got::End) => return Ok(End::ClosedWithoutReply),
            Err(e) => return Ok(End::Refused(e)),
        };
        n_in += 1;
        let shown = Wired { bytes, part: framing.part(), text: None };
        shown.show(&events, Dir::In, "server", n_in);
        match ch.handshake(&shown.bytes) {
            Ok((next, received)) => {
                ch = next;
                if let Received::Handshake { replies, done } = received {
                    // Done once the peer's proof verified; what follows is
                    // ours (a Finished, the sealed hello).
                    if let Some(done) = done {
                        let kind = if opts.speak.is_native() { Notice::Session } else { Notice::Handshake };
                        events.notice(kind, done);
                    }
                    for reply in replies {
                        out.send(&reply).await?;
                    }
                }
            }
            Err(e) => {
                if let Some(alert) = e.alert() {
                    let _ = out.send(&alert).await;
                }
                return Ok(End::Refused(e.into()));
            }
        }
    }
    let Ok((inb, outb)) = ch.split() else {
        return Err(std::io::Error::other("the handshake did not finish"));
    };
    let mut s = Session { reader, inb, outb, out, n_in, unit, events, limits: opts.limits };
    let end_word = opts.speak.end_word().map(|w| w.as_bytes().to_vec());
    match opts.flow {
        Flow::FullDuplex => s.full_duplex(&opts, &mut lines, end_word).await,
        Flow::LockStep => s.lock_step(&opts, &mut lines, end_word).await,
        Flow::OneWay => s.one_way(&opts, &mut lines).await,
    }
}

impl Session {
    /// Shows one result of reading and says what it was.
    fn take(&mut self, got: Result<Got, NetError>) -> Incoming {
        let (bytes, note) = match got {
            Ok(Got::Message(bytes, note)) => (bytes, note),
            Ok(Got::End) => return Incoming::Closed,
            Ok(Got::Bad(e, _)) => {
                self.n_in += 1;
                return if e.is_fatal() { Incoming::Failed(self.at(e)) } else { self.skipped(e) };
            }
            Err(e) => return Incoming::Failed(e),
        };
        self.n_in += 1;
        if let Some(note) = note {
            self.events.notice(Notice::Ambiguous, note);
        }
        let part = self.inb.part();
        match self.inb.open(&bytes) {
            Ok(received) => {
                let (text, incoming) = match received {
                    Received::Message(t) => (Some(t), Incoming::Message),
                    Received::End(t) => (Some(t), Incoming::Ended),
                    Received::Hello(t) | Received::Notice(t) => (Some(t), Incoming::Other),
                    Received::Handshake { .. } => (None, Incoming::Other),
                };
                Wired { bytes, part, text }.show(&self.events, Dir::In, "server", self.n_in);
                incoming
            }
            Err(e) => {
                Wired { bytes, part, text: None }.show(&self.events, Dir::In, "server", self.n_in);
                let e = NetError::Channel(e);
                if e.is_fatal() { Incoming::Failed(self.at(e)) } else { self.skipped(e) }
            }
        }
    }

    /// `e`, as found at the message just received (the session's end
    /// names it: `frame 3 from server: message rejected: …`, as the dumps
    /// name the server).
    fn at(&self, e: NetError) -> NetError {
        NetError::At { unit: self.unit, n: self.n_in, peer: "server", error: Box::new(e) }
    }

    /// A bad message the stream survives: one line, and on.
    fn skipped(&self, e: NetError) -> Incoming {
        self.events.emit(Event::Rejected {
            peer: "server".into(),
            unit: self.unit,
            n: self.n_in,
            reason: e.to_string(),
            after: After::Continuing,
        });
        Incoming::Skipped(self.at(e))
    }

    /// Sends one line; `Ok(Some(End::TooLong))` when its message would be
    /// over the limit a peer with our `--max-frame` accepts: nothing is sent.
    async fn send_text(&mut self, text: &[u8]) -> std::io::Result<Option<End>> {
        let max = self.limits.max_body;
        match self.outb.message_within(text, max as usize, &mut rand::rng()) {
            Ok(w) => self.out.send(&w).await.map(|()| None),
            Err(need) => Ok(Some(End::TooLong { len: text.len(), need, max })),
        }
    }

    /// A write failed: the server usually said why before it closed (it
    /// refused our hello). Wait briefly for that verdict and report it.
    async fn explain(&mut self, err: std::io::Error) -> std::io::Result<End> {
        let framing = self.inb.framing();
        let verdict = async {
            loop {
                let got = self.reader.next(&framing).await;
                match self.take(got) {
                    Incoming::Failed(e) => return Some(End::Refused(e)),
                    Incoming::Message | Incoming::Other | Incoming::Skipped(_) => {}
                    Incoming::Closed | Incoming::Ended => return None,
                }
            }
        };
        match tokio::time::timeout(Duration::from_secs(1), verdict).await {
            Ok(Some(end)) => Ok(end),
            _ => Err(err),
        }
    }

    /// Waits up to `wait` for the next message (`Other`s are shown and passed).
    async fn reply(&mut self, framing: &Framing, wait: Duration) -> Reply {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(got) = tokio::time::timeout_at(deadline, self.reader.next(framing)).await else {
                return Reply::TimedOut(wait);
            };
            match self.take(got) {
                Incoming::Message => return Reply::Opened,
                Incoming::Closed => return Reply::Closed,
                Incoming::Ended => return Reply::Ended,
                Incoming::Failed(e) | Incoming::Skipped(e) => return Reply::Failed(e),
                Incoming::Other => {}
            }
        }
    }

    async fn full_duplex(
        &mut self,
        opts: &ConnectOptions,
        lines: &mut mpsc::Receiver<Vec<u8>>,
        end_word: Option<Vec<u8>>,
    ) -> std::io::Result<End> {
        let framing = self.inb.framing();
        let mut first_failure = None;
        loop {
            tokio::select! {
                line = lines.recv() => match line {
                    Some(line) if Some(&line) != end_word.as_ref() => {
                        match self.send_text(&line).await {
                            Ok(None) => {}
                            // Not sent, and nothing after it: end the session here.
                            Ok(Some(too_long)) => {
                                self.finish(&framing, None, LINGER).await?;
                                return Ok(too_long);
                            }
                            Err(e) => return self.explain(e).await,
                        }
                        if opts.script {
                            // Each message waits for its reply; the next
                            // goes after it, and the end of them ends the
                            // session below.
                            let verdict = match self.reply(&framing, opts.timeout).await {
                                Reply::Opened => continue,
                                Reply::Failed(e) => End::Refused(e),
                                Reply::Closed => return Ok(End::ClosedWithoutReply),
                                Reply::Ended => return Ok(self.ended(lines)),
                                Reply::TimedOut(t) => End::NoReply(t),
                            };
                            // End the session; after a reply that never
                            // came, without waiting a second time.
                            let linger = if matches!(verdict, End::NoReply(_)) { Duration::ZERO } else { LINGER };
                            self.finish(&framing, None, linger).await?;
                            return Ok(verdict);
                        }
                    }
                    _ => break, // the end word, or the end of input
                },
                got = self.reader.next(&framing) => match self.take(got) {
                    Incoming::Message | Incoming::Other => {}
                    Incoming::Skipped(e) => {
                        first_failure.get_or_insert(e);
                    }
                    Incoming::Failed(e) => return Ok(End::Refused(first_failure.unwrap_or(e))),
                    // A script's message was not answered: the server closed first.
                    Incoming::Closed if opts.script => return Ok(End::ClosedWithoutReply),
                    Incoming::Closed => {
                        self.events.notice(Notice::Info, "server closed the connection");
                        return Ok(first_failure.map_or(End::Done, End::Refused));
                    }
                    Incoming::Ended => {
                        let end = self.ended(lines);
                        return Ok(first_failure.map_or(end, End::Refused));
                    }
                },
            }
        }
        // quit or end of input: end the session, show what is still arriving.
        self.finish(&framing, first_failure, LINGER).await
    }

    /// The server ended the session (a goodbye, its `bye`): one line, and
    /// nothing more is sent — lines still waiting are counted, not lost
    /// silently.
    fn ended(&self, lines: &mut mpsc::Receiver<Vec<u8>>) -> End {
        lines.close();
        let mut unsent = 0;
        while lines.try_recv().is_ok() {
            unsent += 1;
        }
        let line = match unsent {
            0 => "server ended the session".to_string(),
            1 => "server ended the session; 1 line not sent".to_string(),
            n => format!("server ended the session; {n} lines not sent"),
        };
        self.events.notice(Notice::Info, line);
        End::Done
    }

    /// Ends the session the channel's way — its end sent (a goodbye frame,
    /// the format's end word), or, where the format's programs end locally,
    /// our side closed — and shows what is still arriving until the server
    /// closes (`linger` at most).
    async fn finish(
        &mut self,
        framing: &Framing,
        mut first_failure: Option<NetError>,
        linger: Duration,
    ) -> std::io::Result<End> {
        match self.outb.end() {
            Some(w) => {
                if let Err(e) = self.out.send(&w).await {
                    return self.explain(e).await;
                }
            }
            None => {
                let _ = self.out.wr.shutdown().await;
            }
        }
        let wait = async {
            loop {
                let got = self.reader.next(framing).await;
                match self.take(got) {
                    Incoming::Message | Incoming::Other => {}
                    Incoming::Skipped(e) => {
                        first_failure.get_or_insert(e);
                    }
                    Incoming::Failed(e) => return Some(e),
                    Incoming::Closed | Incoming::Ended => return None,
                }
            }
        };
        let failed = tokio::time::timeout(linger, wait).await.ok().flatten();
        Ok(match failed.or(first_failure) {
            Some(e) => End::Refused(e),
            None => End::Done,
        })
    }

    async fn lock_step(
        &mut self,
        opts: &ConnectOptions,
        lines: &mut mpsc::Receiver<Vec<u8>>,
        end_word: Option<Vec<u8>>,
    ) -> std::io::Result<End> {
        let framing = self.inb.framing();
        // A script waits `timeout` for a reply; a person at a lock-step
        // server may take as long as the idle timeout to type one.
        let wait = if opts.script { opts.timeout } else { opts.limits.idle };
        // The end word goes on the wire only where the format's programs
        // send it; otherwise typing it (or the end of input) just closes.
        let sent_word = match opts.speak.close() {
            Close::Word(w) => Some(w.as_bytes().to_vec()),
            Close::Local(_) | Close::Silent => None,
        };
        let mut first_failure = None;
        let mut said_end = false;
        loop {
            let line = match lines.recv().await {
                Some(line) if Some(&line) == end_word.as_ref() && sent_word.is_none() => break,
                Some(line) => line,
                None if said_end => break,
                None => match &sent_word {
                    Some(word) => word.clone(),
                    None => break,
                },
            };
            said_end = Some(&line) == sent_word.as_ref();
            match self.send_text(&line).await {
                Ok(None) => {}
                // Not sent, and nothing after it: say the end word, briefly
                // wait for its answer, and stop.
                Ok(Some(too_long)) => {
                    if let Some(word) = &sent_word
                        && let Ok(None) = self.send_text(word).await
                    {
                        let _ = self.reply(&framing, Duration::from_secs(2)).await;
                    }
                    return Ok(too_long);
                }
                Err(e) => return self.explain(e).await,
            }
            let outcome = match self.reply(&framing, wait).await {
                Reply::Opened | Reply::Closed | Reply::Ended | Reply::TimedOut(_) if said_end => break,
                Reply::Opened => continue,
                // The server said `bye` (its operator typed it): the session
                // is over, cleanly, and nothing more goes into it.
                Reply::Ended => self.ended(lines),
                Reply::Closed => End::ClosedWithoutReply,
                Reply::TimedOut(t) => End::NoReply(t),
                Reply::Failed(e) => {
                    // One bad reply does not end the session: record it, go on.
                    let fatal = e.is_fatal();
                    first_failure.get_or_insert(e);
                    if said_end || fatal {
                        break;
                    }
                    continue;
                }
            };
            return Ok(first_failure.map_or(outcome, End::Refused));
        }
        Ok(first_failure.map_or(End::Done, End::Refused))
    }

    /// One message, our side closed, and done once the server closes: no
    /// reply is expected, the same typed or with `--send`.
    async fn one_way(
        &mut self,
        opts: &ConnectOptions,
        lines: &mut mpsc::Receiver<Vec<u8>>,
    ) -> std::io::Result<End> {
        let framing = self.inb.framing();
        let Some(line) = lines.recv().await else {
            // No input: connected, and leaving without a message.
            let _ = self.out.wr.shutdown().await;
            return Ok(End::Done);
        };
        match self.send_text(&line).await {
            Ok(None) => {}
            Ok(Some(too_long)) => return Ok(too_long),
            Err(e) => return self.explain(e).await,
        }
        self.out.wr.shutdown().await?;
        self.events.notice(Notice::Info, "one-way: message sent, our side closed; no reply expected");
        Ok(match self.reply(&framing, opts.timeout).await {
            Reply::Opened | Reply::Closed | Reply::Ended => End::Done,
            Reply::Failed(e) => End::Refused(e),
            Reply::TimedOut(t) => {
                self.events.notice(
                    Notice::Info,
                    format!("the server neither replied nor closed within {} s; closing", t.as_secs()),
                );
                End::Done
            }
        })
    }
}
