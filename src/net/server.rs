//! `cryptolab serve`: many clients at once, every message shown — one server
//! for cryptolab's frames and for every classroom format.
//!
//! One task per client: it runs the channel's handshake (native: the X25519
//! key exchange, which must finish within `--frame-timeout`, then the sealed
//! hellos — with `--static-keys` the hello alone, sent before anything is
//! read; or `rsa-gcm-json`'s key transport), then reads messages and answers
//! them itself, as the channel's flow says:
//!
//! | flow (`--flow`) | a message from the client is answered by       | ends with |
//! |-----------------|------------------------------------------------|-----------|
//! | full duplex     | `--echo`, or nothing; console lines go any time | goodbye, or the close |
//! | lock-step       | `--echo`, or the next line typed at the console | `bye` (answered), or the close |
//! | one-way         | `--echo`, or nothing; then the server closes    | the close |
//!
//! The console (lines the CLI hands over from stdin) sends a line to every
//! client, `/to ID text` to one, `/list` shows who is connected, `/help`
//! lists the commands, `//text` sends a line starting with `/`, `/quit`
//! says goodbye to everyone and stops. End of console input does not stop
//! the server, so it can run in the background.
//!
//! Anything a client does wrong — a malformed or oversized message, the
//! wrong suite or key, a tampered frame, silence, slowness — is one
//! [`Event::Rejected`] naming the client, the message and the reason; a
//! delimited full-duplex format goes on after a bad message, everything else
//! closes that client only.
//!
//! A write the client does not take within the frame timeout closes that
//! client only, whichever path wrote it (an echo, a broadcast, `/to`, a
//! goodbye): one `left` line says why, the client is out of `/list` at once,
//! nothing more is written after the cut frame (`Writer`), and console
//! lines still queued for it are counted in that line. The console never
//! waits for a client: `/to` to a client that has left, or one whose queue
//! is full, says so and sends nothing. Each client's queue is an inbox
//! (`net/inbox.rs`) that allocates nothing until a line is queued.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::reader::{Got, Reader};
use super::{Limits, NetError, inbox};
use crate::events::{After, Dir, Event, Events, Notice, show_text};
use crate::profiles::Flow;
use crate::session::OpenError;
use crate::session::channel::{Channel, ChannelError, Inbound, Outbound, Received, Side, Speak, Wired};

/// Messages queued for one client before it counts as too slow.
pub const QUEUE: usize = 1024;

/// What the console asks a client's task to do.
enum Cmd {
    Send(Vec<u8>),
    Goodbye,
}

struct Client {
    tx: inbox::Sender<Cmd>,
    addr: SocketAddr,
}

/// The clients in conversation (what `/list` shows), and the highest number
/// ever registered, so that `/to` can tell a client that has left from one
/// that never was.
#[derive(Default)]
struct Registry {
    live: BTreeMap<u32, Client>,
    highest: u32,
}

type Clients = Arc<Mutex<Registry>>;

/// The server's settings.
pub struct ServeOptions {
    /// What is spoken, with its keys.
    pub speak: Speak,
    /// Who speaks when (the format's own flow unless `--flow` chose another).
    pub flow: Flow,
    /// Reply to each message with its own text.
    pub echo: bool,
    /// Read limits per client.
    pub limits: Limits,
    /// INSECURE, for the padding-oracle lab (native ecb/cbc only): answer
    /// every frame with a plain-text notice saying whether it was accepted
    /// or why not (bad padding included), and keep the connection open.
    pub leak_padding: bool,
}

fn lock(clients: &Clients) -> std::sync::MutexGuard<'_, Registry> {
    clients.lock().unwrap_or_else(|e| e.into_inner())
}

/// Binds a listener with a deep accept backlog (4096, capped by the kernel's
/// `somaxconn`), so that thousands of clients connecting at once queue up
/// instead of being refused.
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Accepts clients for ever, numbering them from 1, and spawns `handle` for
/// each; a failed accept (out of descriptors) is reported and retried.
pub async fn accept_forever<F, Fut>(listener: TcpListener, events: Arc<Events>, handle: F)
where
    F: Fn(u32, TcpStream, SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut next = 1u32;
    loop {
        match listener.accept().await {
            Ok((stream, addr)) => {
                let id = next;
                next += 1;
                tokio::spawn(handle(id, stream, addr));
            }
            Err(e) => {
                // Out of file descriptors and the like: say so, keep serving.
                events.notice(Notice::Error, format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Serves clients on `listener` until `/quit` arrives on `console` (lines
/// the caller reads from wherever the operator types; `None`: no console).
pub async fn serve(
    listener: TcpListener,
    opts: ServeOptions,
    console: Option<mpsc::Receiver<Vec<u8>>>,
    events: Arc<Events>,
) -> std::io::Result<()> {
    let clients: Clients = Arc::default();
    if opts.flow == Flow::LockStep && !opts.echo {
        events.notice(
            Notice::Console,
            "lock-step format: each client message waits for the next line you type as its reply",
        );
    }
    let opts = Arc::new(opts);
    let (quit_tx, mut quit_rx) = mpsc::channel::<()>(1);
    if let Some(lines) = console {
        events.notice(Notice::Console, CONSOLE_HINT);
        tokio::spawn(run_console(lines, clients.clone(), events.clone(), quit_tx));
    }
    let accepting = {
        let (clients, events2) = (clients.clone(), events.clone());
        accept_forever(listener, events.clone(), move |id, stream, addr| {
            client(id, stream, addr, opts.clone(), clients.clone(), events2.clone())
        })
    };
    tokio::select! {
        () = accepting => {}
        // End of console input is not `/quit`: keep serving (a background server has no stdin).
        Some(()) = quit_rx.recv() => {}
    }
    let txs: Vec<inbox::Sender<Cmd>> = lock(&clients).live.values().map(|c| c.tx.clone()).collect();
    for tx in txs {
        let _ = tx.send_anyway(Cmd::Goodbye);
    }
    // Give the clients' tasks a moment to flush their goodbyes.
    for _ in 0..40 {
        if lock(&clients).live.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    events.notice(Notice::Quit, "server stopped");
    Ok(())
}

/// What the server's console says when it starts.
pub const CONSOLE_HINT: &str = "type a line to send it to every client; /to ID text, /list, /help, /quit";

/// The console's `/help`.
const CONSOLE_HELP: &str = "commands: /to ID text sends to one client; /list shows who is \
     connected; /quit says goodbye to every client and stops; //text sends a line that starts \
     with '/'; any other line goes to every client";

/// The operator's lines: `/` commands, or a line for every client.
async fn run_console(
    mut lines: mpsc::Receiver<Vec<u8>>,
    clients: Clients,
    events: Arc<Events>,
    quit: mpsc::Sender<()>,
) {
    while let Some(line) = lines.recv().await {
        let line = line.trim_ascii_end();
        if line == b"/quit" {
            let _ = quit.send(()).await;
            return;
        } else if line == b"/list" {
            let list: Vec<String> =
                lock(&clients).live.iter().map(|(id, c)| format!("client {id} ({})", c.addr)).collect();
            let text = if list.is_empty() { "no clients connected".into() } else { list.join(", ") };
            events.notice(Notice::List, text);
        } else if let Some(rest) = line.strip_prefix(b"/to ") {
            let (id, text) = match rest.iter().position(|&b| b == b' ') {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (rest, &b""[..]),
            };
            let id = String::from_utf8_lossy(id).into_owned();
            let (tx, has_left) = match id.parse::<u32>() {
                Ok(n) => {
                    let reg = lock(&clients);
                    (reg.live.get(&n).map(|c| c.tx.clone()), n != 0 && n <= reg.highest)
                }
                Err(_) => (None, false),
            };
            match tx {
                Some(tx) => queue(&events, &format!("client {id}"), &tx, text),
                None if has_left => {
                    events.notice(Notice::Error, format!("client {id} has left: nothing sent (try /list)"));
                }
                None => events.notice(Notice::Error, format!("no client '{id}' (try /list)")),
            }
        } else if line == b"/help" {
            events.notice(Notice::Console, CONSOLE_HELP);
        } else if line.starts_with(b"/") && !line.starts_with(b"//") {
            let shown = show_text(line);
            events.notice(
                Notice::Error,
                format!("unknown command '{shown}' (commands: /list, /to ID text, /help, /quit)"),
            );
        } else if !line.is_empty() {
            // `//text` sends `/text`.
            let line = if line.starts_with(b"//") { &line[1..] } else { line };
            let txs: Vec<(u32, inbox::Sender<Cmd>)> =
                lock(&clients).live.iter().map(|(id, c)| (*id, c.tx.clone())).collect();
            if txs.is_empty() {
                events.notice(Notice::Error, "no client is connected");
            }
            for (id, tx) in txs {
                queue(&events, &format!("client {id}"), &tx, line);
            }
        }
    }
}

/// Hands a console line to one client's task, or says why it cannot: the
/// client has left, or has so much queued that it is not reading (it is
/// then being closed). The console itself never waits for a client.
fn queue(events: &Events, peer: &str, tx: &inbox::Sender<Cmd>, text: &[u8]) {
    match tx.try_send(Cmd::Send(text.to_vec())) {
        Ok(()) => {}
        Err(inbox::TrySendError::Full(_)) => {
            events
                .notice(Notice::Error, format!("{peer} is not reading what it is sent: not sent to {peer}"));
        }
        Err(inbox::TrySendError::Closed(_)) => {
            events.notice(Notice::Error, format!("{peer} has left: not sent to {peer}"));
        }
    }
}

/// The sending side of one connection: writes within the frame timeout,
/// numbers what it sends, and reports each message.
///
/// A write that fails or times out may have left part of a frame on the
/// wire; nothing may follow it (the peer would read the next frame's bytes
/// as the rest of the cut one), so every later write fails at once.
pub(super) struct Writer {
    pub(super) wr: OwnedWriteHalf,
    peer: String,
    n: u64,
    timeout: Duration,
    events: Arc<Events>,
    broken: bool,
}

impl Writer {
    /// A writer to `peer` whose writes must be taken within `timeout`.
    pub(super) fn new(wr: OwnedWriteHalf, peer: &str, timeout: Duration, events: Arc<Events>) -> Self {
        Writer { wr, peer: peer.to_string(), n: 0, timeout, events, broken: false }
    }

    /// Writes `w` and shows it; a peer that does not take it within the
    /// frame timeout is an error (only this connection is affected).
    pub(super) async fn send(&mut self, w: &Wired) -> std::io::Result<()> {
        self.write(&w.bytes).await?;
        self.n += 1;
        w.show(&self.events, Dir::Out, &self.peer, self.n);
        Ok(())
    }

    /// Writes raw bytes that are not numbered messages (a leaky notice),
    /// under the same timeout.
    async fn raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write(bytes).await
    }

    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "an earlier write was cut short: nothing more is sent",
            ));
        }
        // Most writes are taken at once; only what would wait is timed
        // (a timer per write costs a round trip more than its cipher).
        let mut taken = 0;
        while taken < bytes.len() {
            match self.wr.try_write(&bytes[taken..]) {
                Ok(0) => break,
                Ok(n) => taken += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.broken = true;
                    return Err(e);
                }
            }
        }
        if taken == bytes.len() {
            return Ok(());
        }
        let secs = self.timeout.as_secs();
        let result = match tokio::time::timeout(self.timeout, self.wr.write_all(&bytes[taken..])).await {
            Ok(written) => written,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("not reading what it is sent (nothing taken for {secs} s)"),
            )),
        };
        self.broken = result.is_err();
        result
    }
}

async fn client(
    id: u32,
    stream: TcpStream,
    addr: SocketAddr,
    opts: Arc<ServeOptions>,
    clients: Clients,
    events: Arc<Events>,
) {
    let peer = format!("client {id}");
    events.emit(Event::Joined { peer: peer.clone(), addr: addr.to_string() });
    let why = session(id, &peer, stream, addr, &opts, &clients, &events).await;
    lock(&clients).live.remove(&id);
    events.emit(Event::Left { peer, why });
}

/// How one client's session ends: a reason for the `left` line, and
/// whether a rejection closed it (then the socket lingers before closing).
enum Ending {
    Clean(String),
    Refused,
}

/// One client's session; returns how it ended, for the `left` line.
async fn session(
    id: u32,
    peer: &str,
    stream: TcpStream,
    addr: SocketAddr,
    opts: &ServeOptions,
    clients: &Clients,
    events: &Arc<Events>,
) -> String {
    let _ = stream.set_nodelay(true);
    let speak = match &opts.speak {
        // Each client's server-side nonces from its own seed (tour --seed).
        Speak::Native { keys, seed } => {
            Speak::Native { keys: keys.clone(), seed: seed.map(|s| s.wrapping_add(u64::from(id))) }
        }
        other @ Speak::Format { .. } => other.clone(),
    };
    let hello = format!("cryptolab server: you are {peer}");
    let mut ch = match Channel::new(&speak, Side::Server, peer, hello.as_bytes()) {
        Ok(ch) => ch,
        Err(e) => return format!("closed: {e}"),
    };
    let (rd, wr) = stream.into_split();
    let mut reader = Reader::new(rd, opts.limits);
    let mut out = Writer::new(wr, peer, opts.limits.frame, events.clone());
    // Our hello goes out before we read anything.
    for w in ch.start() {
        if let Err(e) = out.send(&w).await {
            return e.to_string();
        }
    }
    let unit = speak.unit();
    let mut n_in = 0u64;
    // The whole handshake within one frame timeout: a peer that has not
    // proven its key yet does not keep a connection by trickling bytes.
    let limit = opts.limits.frame;
    let deadline = tokio::time::Instant::now() + limit;
    while !ch.is_ready() {
        let framing = ch.framing();
        let Ok(next) = tokio::time::timeout_at(deadline, reader.next(&framing)).await else {
            let why = format!("no handshake within {} s (--frame-timeout)", limit.as_secs());
            reject(events, peer, unit, n_in + 1, &why, After::Closing);
            return "closed: the handshake did not finish in time".into();
        };
        let bytes = match next {
            Ok(Got::Message(bytes, _)) => bytes,
            Ok(Got::End) => return "disconnected".into(),
            Ok(Got::Bad(e, _)) => {
                reject(events, peer, unit, n_in + 1, &e.to_string(), After::Closing);
                return "closed: the handshake failed".into();
            }
            Err(e) => return format!("lost during the handshake: {e}"),
        };
        n_in += 1;
        let shown = Wired { bytes, part: framing.part(), text: None };
        shown.show(events, Dir::In, peer, n_in);
        match ch.handshake(&shown.bytes) {
            Ok((next, Received::Handshake { replies, .. })) => {
                ch = next;
                for reply in replies {
                    if let Err(e) = out.send(&reply).await {
                        return format!("lost during the handshake: {e}");
                    }
                }
            }
            Ok((next, _)) => ch = next,
            Err(e) => {
                reject(events, peer, unit, n_in, &e.to_string(), After::Closing);
                if let Some(alert) = e.alert() {
                    let _ = out.send(&alert).await;
                }
                // Read what the client is still sending, so the close is not
                // a reset that destroys the alert before it is read.
                linger(&mut reader).await;
                return "closed: the handshake failed".into();
            }
        }
    }
    let Ok((inb, outb)) = ch.split() else { return "closed: the handshake did not finish".into() };
    let (tx, rx) = inbox::channel::<Cmd>(QUEUE);
    {
        let mut reg = lock(clients);
        reg.live.insert(id, Client { tx, addr });
        reg.highest = reg.highest.max(id);
    }
    let mut conv = Conversation { peer, speak: &speak, opts, events, inb, outb, out, n_in, rx };
    let ending = conv.run(&mut reader).await;
    // Out of `/list` at once, and what was queued for it is counted, not
    // silently lost.
    lock(clients).live.remove(&id);
    conv.rx.close();
    let mut unsent = 0;
    while let Some(cmd) = conv.rx.try_recv() {
        match cmd {
            Cmd::Send(_) => unsent += 1,
            Cmd::Goodbye => {}
        }
    }
    let why = match ending {
        Ending::Clean(why) => why,
        Ending::Refused => {
            linger(&mut reader).await;
            "closed".into()
        }
    };
    match unsent {
        0 => why,
        1 => format!("{why}; 1 console message not sent"),
        n => format!("{why}; {n} console messages not sent"),
    }
}

fn reject(events: &Events, peer: &str, unit: &'static str, n: u64, reason: &str, after: After) {
    events.emit(Event::Rejected { peer: peer.to_string(), unit, n, reason: reason.to_string(), after });
}

/// An established session with one client.
struct Conversation<'a> {
    peer: &'a str,
    speak: &'a Speak,
    opts: &'a ServeOptions,
    events: &'a Arc<Events>,
    inb: Inbound,
    outb: Outbound,
    out: Writer,
    n_in: u64,
    rx: inbox::Receiver<Cmd>,
}

impl Conversation<'_> {
    async fn run(&mut self, reader: &mut Reader<OwnedReadHalf>) -> Ending {
        let framing = self.inb.framing();
        let flow = self.opts.flow;
        let unit = self.speak.unit();
        loop {
            tokio::select! {
                got = reader.next(&framing) => {
                    let (bytes, note) = match got {
                        Ok(Got::Message(bytes, note)) => (bytes, note),
                        Ok(Got::End) => return Ending::Clean("disconnected".into()),
                        Ok(Got::Bad(e, _)) => {
                            self.n_in += 1;
                            let closing = e.is_fatal() || flow != Flow::FullDuplex;
                            let after = if closing { After::Closing } else { After::Continuing };
                            reject(self.events, self.peer, unit, self.n_in, &e.to_string(), after);
                            if closing {
                                return Ending::Refused;
                            }
                            continue;
                        }
                        Err(e) => {
                            reject(self.events, self.peer, unit, self.n_in + 1, &e.to_string(), After::Closing);
                            return Ending::Refused;
                        }
                    };
                    self.n_in += 1;
                    if let Some(note) = note {
                        self.events.notice(Notice::Ambiguous, format!("{}: {note}", self.peer));
                    }
                    if let Some(end) = self.message(bytes, flow).await {
                        return end;
                    }
                }
                cmd = self.rx.recv() => match cmd {
                    Some(Cmd::Send(text)) if flow == Flow::FullDuplex => {
                        let w = self.outb.message(&text, &mut rand::rng());
                        if let Err(e) = self.out.send(&w).await {
                            return self.lost(e);
                        }
                    }
                    // Lock-step and one-way: a console line only answers a waiting client.
                    Some(Cmd::Send(_)) => {}
                    Some(Cmd::Goodbye) | None => return self.goodbye("server stopped").await,
                },
            }
        }
    }

    /// Handles one whole message; `Some` ends the session.
    async fn message(&mut self, bytes: Vec<u8>, flow: Flow) -> Option<Ending> {
        let part = self.inb.part();
        let unit = self.speak.unit();
        let received = match self.inb.open(&bytes) {
            Ok(r) => r,
            Err(e) => {
                let shown = Wired { bytes, part, text: None };
                shown.show(self.events, Dir::In, self.peer, self.n_in);
                let leaky = matches!(e, ChannelError::Open(OpenError::Crypto(_)));
                if self.opts.leak_padding && leaky {
                    // INSECURE on purpose: the reason goes back to the sender.
                    reject(self.events, self.peer, unit, self.n_in, &e.to_string(), After::ToldPeer);
                    return self.notice(&e.to_string()).await;
                }
                let go_on = flow == Flow::FullDuplex && !self.speak.is_native();
                let after = if go_on { After::Continuing } else { After::Closing };
                reject(self.events, self.peer, unit, self.n_in, &e.to_string(), after);
                return (!go_on).then_some(Ending::Refused);
            }
        };
        let text = match &received {
            Received::Hello(t) | Received::Message(t) | Received::End(t) | Received::Notice(t) => {
                Some(t.clone())
            }
            Received::Handshake { .. } => None,
        };
        let shown = Wired { bytes, part, text };
        shown.show(self.events, Dir::In, self.peer, self.n_in);
        if self.opts.leak_padding
            && !matches!(received, Received::Notice(_))
            && let Some(end) = self.notice("ok").await
        {
            return Some(end);
        }
        match received {
            Received::Hello(_) | Received::Handshake { .. } => None,
            Received::Notice(_) => {
                // Notices are the server's (and never authenticated): one
                // from a client is acted on only by closing.
                let why = "a notice frame from a client: only a server sends them";
                reject(self.events, self.peer, unit, self.n_in, why, After::Closing);
                Some(Ending::Refused)
            }
            Received::Message(text) => {
                let reply = match flow {
                    Flow::FullDuplex | Flow::OneWay => self.opts.echo.then_some(text),
                    Flow::LockStep if self.opts.echo => Some(text),
                    Flow::LockStep => match self.typed_reply().await {
                        Ok(line) => Some(line),
                        Err(end) => return Some(end),
                    },
                };
                if let Some(reply) = reply {
                    let w = self.outb.message(&reply, &mut rand::rng());
                    if let Err(e) = self.out.send(&w).await {
                        return Some(self.lost(e));
                    }
                }
                if flow == Flow::OneWay {
                    let _ = self.out.wr.shutdown().await;
                    return Some(Ending::Clean("done (one message per connection)".into()));
                }
                None
            }
            Received::End(text) => {
                // The native protocol answers a goodbye; a lock-step client
                // waits for a reply to its last message too.
                let answer = self.speak.is_native() || flow == Flow::LockStep;
                Some(self.end(answer, &format!("said {}", show_text(&text))).await)
            }
        }
    }

    /// Waits for the operator's next line as the reply (lock-step).
    async fn typed_reply(&mut self) -> Result<Vec<u8>, Ending> {
        // Lines typed before this client asked are not its reply (but a
        // stop is still a stop).
        while let Some(cmd) = self.rx.try_recv() {
            match cmd {
                Cmd::Send(_) => {}
                Cmd::Goodbye => return Err(self.goodbye("server stopped").await),
            }
        }
        self.events.notice(Notice::Console, format!("{} waits for your reply", self.peer));
        match tokio::time::timeout(self.opts.limits.idle, self.rx.recv()).await {
            Ok(Some(Cmd::Send(line))) => Ok(line),
            Ok(Some(Cmd::Goodbye) | None) => Err(self.goodbye("server stopped").await),
            Err(_) => Err(Ending::Clean("closed: no reply was typed".into())),
        }
    }

    /// INSECURE (`--leak-padding-errors`): a plain-text notice to the client.
    async fn notice(&mut self, text: &str) -> Option<Ending> {
        let bytes = self.outb.notice(text)?;
        match self.out.raw(&bytes).await {
            Ok(()) => None,
            Err(e) => Some(self.lost(e)),
        }
    }

    /// Ends the session: the end message if `answer`, then the close.
    async fn end(&mut self, answer: bool, why: &str) -> Ending {
        if answer
            && let Some(w) = self.outb.end()
            && let Err(e) = self.out.send(&w).await
        {
            return self.lost(e);
        }
        let _ = self.out.wr.shutdown().await;
        Ending::Clean(why.to_string())
    }

    /// The server is stopping: the native protocol says goodbye; the
    /// formats' servers just close.
    async fn goodbye(&mut self, why: &str) -> Ending {
        self.end(self.speak.is_native(), why).await
    }

    /// A write failed (or timed out): the connection is closed, and its one
    /// line is the `left` line, with the reason.
    fn lost(&self, e: std::io::Error) -> Ending {
        Ending::Clean(format!("closed: {}", NetError::Io(e)))
    }
}

/// Reads and discards what the peer is still sending, briefly, before the
/// socket is closed. Closing with unread input makes TCP send a reset, which
/// can destroy messages the peer has not read yet — such as our hello that
/// tells it why it was refused.
async fn linger(reader: &mut Reader<OwnedReadHalf>) {
    let rd = reader.stream();
    // On the heap: an array here would be part of every connection's
    // future, lingering or not.
    let mut sink = vec![0u8; 4096];
    let drain = async {
        let mut total = 0;
        while total < 64 * 1024 {
            match rd.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
}
