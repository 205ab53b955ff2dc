//! `serve`, `connect` and `proxy` speaking a classroom wire profile
//! ([`crate::profiles`]) instead of cryptolab's own frames.
//!
//! The profile decides who speaks when ([`Flow`]): in `len-iv-ct-hmac` either
//! side sends at any time; in the lock-step formats the client sends and the
//! server answers (with `--echo`, the same text; otherwise the next line typed
//! at the server's console); `raw-cbc-static` carries one message (and one
//! reply) per connection. `rsa-gcm-json` starts with its RSA handshake.
//!
//! Reading is [`MessageReader`]: it gathers bytes until
//! [`crate::profiles::next_message`] finds a whole message. Formats without
//! framing end a message when the sender goes quiet for the settle time (or
//! the stream ends); every message must finish within the frame timeout, and
//! a connection with nothing to say for the idle timeout is closed. A bad
//! message is one line naming what is wrong; where the stream stays in step
//! (a delimited format) the connection goes on, otherwise it is closed — and
//! the server keeps serving everyone else.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

use super::rules::{Plan, Rule};
use super::{Dir, Limits, Printer, show_text};
use crate::profiles::rsa_json::{self, Identity};
use crate::profiles::{Codec, Expect, Flow, Next, ProfileError, Wire, dissect, next_message, reassemble};

/// How long an unframed message may pause before what has arrived is taken
/// as the whole message.
pub const SETTLE: Duration = Duration::from_secs(1);

/// The keys a profile session needs.
#[derive(Clone)]
pub enum ProfileKeys {
    /// An AES key, with the MAC key (`len-iv-ct-hmac`) or fixed IV
    /// (`raw-cbc-static`) where the format has one.
    Aes {
        /// AES key.
        key: Vec<u8>,
        /// HMAC key.
        mac: Option<Vec<u8>>,
        /// The fixed IV.
        iv: Option<[u8; 16]>,
    },
    /// This side's RSA key pair (`rsa-gcm-json`).
    Rsa(Arc<Identity>),
}

impl ProfileKeys {
    /// A codec for an AES format (checked once at start, so later calls cannot fail).
    pub fn codec(&self, wire: Wire) -> Result<Codec, String> {
        match self {
            ProfileKeys::Aes { key, mac, iv } => Codec::new(wire, key, mac.as_deref(), *iv),
            ProfileKeys::Rsa(_) => Err("rsa-gcm-json gets its session key from the handshake".into()),
        }
    }
}

/// One message read, or why not.
#[derive(Debug)]
pub enum Got {
    /// A message's bytes as they were on the wire; `note` reports an ambiguity.
    Message(Vec<u8>, Option<String>),
    /// Bytes that are not a message, and why.
    Bad(ProfileError, Vec<u8>),
    /// The peer closed the connection between messages.
    End,
}

/// Reads whole messages of a profile from a byte stream.
pub struct MessageReader<R> {
    rd: R,
    buf: Vec<u8>,
    eof: bool,
    limits: Limits,
}

impl<R: AsyncRead + Unpin> MessageReader<R> {
    /// A reader over `rd`; `limits.max_body` bounds a message.
    pub fn new(rd: R, limits: Limits) -> Self {
        MessageReader { rd, buf: Vec::new(), eof: false, limits }
    }

    /// The next message (`codec` resolves unframed boundaries when known).
    ///
    /// # Errors
    /// Socket errors, and `TimedOut` when nothing arrives for the idle timeout.
    pub async fn next(&mut self, expect: Expect, codec: Option<&Codec>) -> std::io::Result<Got> {
        let settles = matches!(expect, Expect::Message(Wire::B64IvCt | Wire::B64Ecb | Wire::RawCbcStatic));
        let max = self.limits.max_body as usize;
        // Text formats may have whitespace between messages; in binary ones
        // every byte counts.
        let text =
            matches!(expect, Expect::Pem | Expect::Message(Wire::B64IvCt | Wire::B64Ecb | Wire::RsaGcmJson));
        let blank = |b: &[u8]| if text { b.iter().all(u8::is_ascii_whitespace) } else { b.is_empty() };
        let mut settled = self.eof;
        let mut started = (!blank(&self.buf)).then(Instant::now);
        loop {
            match next_message(expect, &self.buf, settled, codec, max) {
                Next::Message { range, consumed, note } => {
                    let bytes = self.buf[range].to_vec();
                    self.buf.drain(..consumed);
                    return Ok(Got::Message(bytes, note));
                }
                Next::Bad { error, consumed } => {
                    let bytes = self.buf.drain(..consumed).collect();
                    return Ok(Got::Bad(error, bytes));
                }
                Next::NeedMore => {}
            }
            if self.eof {
                if blank(&self.buf) {
                    return Ok(Got::End);
                }
                if settled {
                    let bytes: Vec<u8> = std::mem::take(&mut self.buf);
                    let what = format!("the connection closed after {} bytes of a message", bytes.len());
                    return Ok(Got::Bad(ProfileError::Truncated(what), bytes));
                }
                settled = true;
                continue;
            }
            let wait = match started {
                None => self.limits.idle,
                Some(t) => {
                    let left = self.limits.frame.saturating_sub(t.elapsed());
                    if left.is_zero() {
                        let bytes: Vec<u8> = std::mem::take(&mut self.buf);
                        let what = format!(
                            "{} bytes, and no more for {} s",
                            bytes.len(),
                            self.limits.frame.as_secs()
                        );
                        self.eof = true; // the stream is out of step: stop reading it
                        return Ok(Got::Bad(ProfileError::Truncated(what), bytes));
                    }
                    if settles && !settled { SETTLE.min(left) } else { left }
                }
            };
            if blank(&self.buf) {
                self.buf.clear(); // whitespace between messages: nothing to keep
            }
            // A safety net under the formats' own limits: no buffer grows
            // past one message (base64 at 4/3) and a read's worth.
            if self.buf.len() > max / 3 * 4 + 64 * 1024 {
                let bytes: Vec<u8> = std::mem::take(&mut self.buf);
                self.eof = true;
                return Ok(Got::Bad(ProfileError::TooLong { len: bytes.len(), max }, bytes));
            }
            self.buf.reserve(16 * 1024);
            match tokio::time::timeout(wait, self.rd.read_buf(&mut self.buf)).await {
                Ok(Ok(0)) => self.eof = true,
                Ok(Ok(_)) => {
                    settled = false;
                    if started.is_none() && !blank(&self.buf) {
                        started = Some(Instant::now());
                    }
                }
                Ok(Err(e)) => return Err(e),
                Err(_) if started.is_none() => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("idle for {} s", self.limits.idle.as_secs()),
                    ));
                }
                Err(_) => settled = true,
            }
        }
    }
}

impl<R> MessageReader<R> {
    /// The stream and whatever was read but not taken as a message.
    pub fn into_parts(self) -> (R, Vec<u8>) {
        (self.rd, self.buf)
    }
}

/// What a message turned into for display: its fields, its text if it opened.
fn show(printer: &Printer, dir: Dir, peer: &str, n: u64, expect: Expect, raw: &[u8], text: Option<&[u8]>) {
    printer.message(dir, peer, n, raw, &dissect(expect, raw), text);
}

/// Why an `rsa-gcm-json` handshake did not complete: the socket failed, or
/// the peer sent something that is not the next part.
enum Handshake {
    Io(std::io::Error),
    Refused(ProfileError),
}

impl From<std::io::Error> for Handshake {
    fn from(e: std::io::Error) -> Self {
        Handshake::Io(e)
    }
}

impl From<ProfileError> for Handshake {
    fn from(e: ProfileError) -> Self {
        Handshake::Refused(e)
    }
}

impl<R: AsyncRead + Unpin> MessageReader<R> {
    /// The next part of a handshake (`what` names it if the peer closes first).
    async fn part(&mut self, expect: Expect, what: &str) -> Result<Vec<u8>, Handshake> {
        match self.next(expect, None).await? {
            Got::Message(bytes, _) => Ok(bytes),
            Got::Bad(e, _) => Err(e.into()),
            Got::End => Err(ProfileError::Truncated(format!("closed before sending {what}")).into()),
        }
    }
}

/// Runs the `rsa-gcm-json` handshake as the client: our PEM out, theirs in,
/// the wrapped session key out.
async fn handshake_client<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut MessageReader<R>,
    wr: &mut W,
    me: &Identity,
    printer: &Printer,
) -> Result<Codec, Handshake> {
    let pem = me.public_pem();
    wr.write_all(pem.as_bytes()).await?;
    show(printer, Dir::Out, "server", 1, Expect::Pem, pem.as_bytes(), None);
    let theirs = reader.part(Expect::Pem, "its public key").await?;
    show(printer, Dir::In, "server", 1, Expect::Pem, &theirs, None);
    let server = rsa_json::parse_public_pem(&theirs)?;
    let mut key = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut key);
    let wrapped = rsa_json::wrap_key(&server, &key, &mut rand::rng())?;
    wr.write_all(&wrapped).await?;
    show(printer, Dir::Out, "server", 2, Expect::Exact(wrapped.len()), &wrapped, None);
    printer.event(
        "handshake",
        &format!(
            "handshake done: server key {} (not authenticated: compare it out of band), our key {}",
            rsa_json::fingerprint(&server),
            me.fingerprint()
        ),
    );
    Ok(Codec::rsa(me.session(&server, key)))
}

/// The server side of the handshake.
async fn handshake_server<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut MessageReader<R>,
    wr: &mut W,
    me: &Identity,
    peer: &str,
    printer: &Printer,
) -> Result<Codec, Handshake> {
    let theirs = reader.part(Expect::Pem, "its public key").await?;
    show(printer, Dir::In, peer, 1, Expect::Pem, &theirs, None);
    let client = rsa_json::parse_public_pem(&theirs)?;
    let pem = me.public_pem();
    wr.write_all(pem.as_bytes()).await?;
    show(printer, Dir::Out, peer, 1, Expect::Pem, pem.as_bytes(), None);
    let expect = Expect::Exact(me.oaep_len());
    let wrapped = reader.part(expect, "the session key").await?;
    show(printer, Dir::In, peer, 2, expect, &wrapped, None);
    let key = me.unwrap_key(&wrapped)?;
    Ok(Codec::rsa(me.session(&client, key)))
}

/// Settings for `connect --wire`.
pub struct ConnectProfile {
    /// The profile.
    pub wire: Wire,
    /// Its keys.
    pub keys: ProfileKeys,
    /// Send this one message, show the reply, end.
    pub send: Option<String>,
    /// How long to wait for a reply.
    pub timeout: Duration,
    /// Read limits.
    pub limits: Limits,
}

/// How a profile client session ended.
#[derive(Debug)]
pub enum ProfileEnd {
    /// Normally.
    Done,
    /// `--send` got no reply in time.
    NoReply(Duration),
    /// The server closed without replying.
    ClosedWithoutReply,
    /// A message from the server could not be read or opened (the first such).
    Failed(ProfileError),
}

/// Runs a client session of `opts.wire` on a connected stream.
pub async fn connect(
    stream: TcpStream,
    opts: ConnectProfile,
    printer: Arc<Printer>,
) -> std::io::Result<ProfileEnd> {
    let _ = stream.set_nodelay(true);
    let wire = opts.wire;
    let (rd, mut wr) = stream.into_split();
    let mut reader = MessageReader::new(rd, opts.limits);
    let codec = match &opts.keys {
        ProfileKeys::Rsa(me) => match handshake_client(&mut reader, &mut wr, me, &printer).await {
            Ok(c) => c,
            Err(Handshake::Refused(e)) => return Ok(ProfileEnd::Failed(e)),
            Err(Handshake::Io(e)) => return Err(e),
        },
        keys => keys.codec(wire).map_err(std::io::Error::other)?,
    };
    let codec = Arc::new(codec);
    let mut rng = rand::rng();
    let first = if wire == Wire::RsaGcmJson { 3 } else { 1 };
    let mut sent = first - 1;
    let mut seal = |text: &[u8]| {
        let msg = codec.seal(text, &mut rng);
        sent += 1;
        show(&printer, Dir::Out, "server", sent, Expect::Message(wire), &msg, Some(text));
        msg
    };
    let mut lines = match &opts.send {
        Some(text) => Lines::One(Some(text.clone().into_bytes())),
        None => Lines::Stdin(BufReader::new(tokio::io::stdin()), Vec::new()),
    };
    let quit = wire.quit_word();
    // A script (--send) waits --timeout for a reply; a person at a lock-step
    // server may take as long as the idle timeout to type one.
    let reply_wait = if opts.send.is_some() { opts.timeout } else { opts.limits.idle };
    match wire.flow() {
        Flow::FullDuplex => {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Option<ProfileError>>(64);
            let printer2 = printer.clone();
            let codec2 = codec.clone();
            tokio::spawn(async move {
                let mut n = 0;
                loop {
                    let got = reader.next(Expect::Message(wire), Some(&codec2)).await;
                    let event = match got {
                        Ok(Got::Message(bytes, _)) => {
                            n += 1;
                            let opened = codec2.open(&bytes);
                            show(
                                &printer2,
                                Dir::In,
                                "server",
                                n,
                                Expect::Message(wire),
                                &bytes,
                                opened.as_deref().ok(),
                            );
                            opened.err()
                        }
                        Ok(Got::Bad(e, _)) => Some(e),
                        Ok(Got::End) | Err(_) => break,
                    };
                    let fatal = event.as_ref().is_some_and(ProfileError::is_fatal);
                    if let Some(e) = &event {
                        printer2.event("error", &format!("from server: {e}"));
                    }
                    if tx.send(event).await.is_err() || fatal {
                        break;
                    }
                }
            });
            // The first failure (or, with --send, the reply's outcome) decides the end.
            let mut end = None;
            let mut quit_sent = false;
            loop {
                tokio::select! {
                    line = lines.next_line() => {
                        let Some(line) = line? else { break };
                        quit_sent = Some(line.as_slice()) == quit.map(str::as_bytes);
                        wr.write_all(&seal(&line)).await?;
                        if quit_sent {
                            break;
                        }
                        if opts.send.is_some() {
                            let reply = match tokio::time::timeout(opts.timeout, rx.recv()).await {
                                Ok(Some(None)) => ProfileEnd::Done,
                                Ok(Some(Some(e))) => ProfileEnd::Failed(e),
                                Ok(None) => ProfileEnd::ClosedWithoutReply,
                                Err(_) => ProfileEnd::NoReply(opts.timeout),
                            };
                            end.get_or_insert(reply);
                        }
                    }
                    event = rx.recv() => match event {
                        Some(Some(e)) => {
                            end.get_or_insert(ProfileEnd::Failed(e));
                        }
                        Some(None) => {}
                        None => {
                            printer.event("leave", "server closed the connection");
                            return Ok(end.unwrap_or(ProfileEnd::Done));
                        }
                    },
                }
            }
            if !quit_sent && let Some(q) = quit {
                wr.write_all(&seal(q.as_bytes())).await?;
            }
            // Show what is still arriving until the server closes.
            let rest = async {
                while let Some(event) = rx.recv().await {
                    if let Some(e) = event {
                        end.get_or_insert(ProfileEnd::Failed(e));
                    }
                }
            };
            let _ = tokio::time::timeout(opts.timeout, rest).await;
            Ok(end.unwrap_or(ProfileEnd::Done))
        }
        Flow::LockStep => {
            let mut n = first - 1;
            let mut end = None;
            let mut said_quit = false;
            loop {
                let line = match lines.next_line().await? {
                    Some(line) => line,
                    None if said_quit => break,
                    None => quit.unwrap_or("bye").as_bytes().to_vec(),
                };
                said_quit = Some(line.as_slice()) == quit.map(str::as_bytes);
                wr.write_all(&seal(&line)).await?;
                n += 1;
                let outcome = match reply(&mut reader, &codec, n, reply_wait, &printer).await? {
                    Reply::Opened | Reply::Closed | Reply::TimedOut(_) if said_quit => break,
                    Reply::Opened => continue,
                    Reply::Closed => ProfileEnd::ClosedWithoutReply,
                    Reply::TimedOut(t) => ProfileEnd::NoReply(t),
                    Reply::Failed(e) => {
                        // One bad reply does not end the session: record it, go on.
                        printer.event("error", &format!("from server: {e}"));
                        end.get_or_insert(ProfileEnd::Failed(e));
                        if said_quit {
                            break;
                        }
                        continue;
                    }
                };
                end.get_or_insert(outcome);
                break;
            }
            Ok(end.unwrap_or(ProfileEnd::Done))
        }
        Flow::OneShot => {
            let line = lines.next_line().await?.unwrap_or_default();
            wr.write_all(&seal(&line)).await?;
            wr.shutdown().await?;
            Ok(match reply(&mut reader, &codec, 1, reply_wait, &printer).await? {
                Reply::Opened => ProfileEnd::Done,
                Reply::Failed(e) => ProfileEnd::Failed(e),
                Reply::TimedOut(t) => ProfileEnd::NoReply(t),
                Reply::Closed if opts.send.is_some() => ProfileEnd::ClosedWithoutReply,
                Reply::Closed => ProfileEnd::Done,
            })
        }
    }
}

/// What came back after a lock-step or one-shot message.
enum Reply {
    /// A reply that opened (shown with its text).
    Opened,
    /// A reply that did not open, or bytes that are not one.
    Failed(ProfileError),
    /// The server closed the connection instead.
    Closed,
    /// Nothing within the wait.
    TimedOut(Duration),
}

/// Waits up to `wait` for the server's `n`th message, opens and shows it.
async fn reply<R: AsyncRead + Unpin>(
    reader: &mut MessageReader<R>,
    codec: &Codec,
    n: u64,
    wait: Duration,
    printer: &Printer,
) -> std::io::Result<Reply> {
    let wire = Expect::Message(codec.wire());
    let Ok(got) = tokio::time::timeout(wait, reader.next(wire, Some(codec))).await else {
        return Ok(Reply::TimedOut(wait));
    };
    Ok(match got? {
        Got::End => Reply::Closed,
        Got::Bad(e, _) => Reply::Failed(e),
        Got::Message(bytes, note) => {
            if let Some(note) = note {
                printer.event("ambiguous", &note);
            }
            let opened = codec.open(&bytes);
            show(printer, Dir::In, "server", n, wire, &bytes, opened.as_deref().ok());
            match opened {
                Ok(_) => Reply::Opened,
                Err(e) => Reply::Failed(e),
            }
        }
    })
}

/// Lines to send: stdin (bytes, newline removed, so non-UTF-8 is kept), or
/// the one `--send` message.
enum Lines {
    One(Option<Vec<u8>>),
    /// The reader and the line so far: kept here, so a `select!` that drops
    /// `next_line` midway loses nothing (`read_until` appends and resumes).
    Stdin(BufReader<tokio::io::Stdin>, Vec<u8>),
}

impl Lines {
    async fn next_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            Lines::One(text) => Ok(text.take()),
            Lines::Stdin(r, partial) => {
                let n = r.read_until(b'\n', partial).await?;
                let mut line = std::mem::take(partial);
                if n == 0 && line.is_empty() {
                    return Ok(None);
                }
                if line.last() == Some(&b'\n') {
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                }
                Ok(Some(line))
            }
        }
    }
}

/// Settings for `serve --wire`.
pub struct ServeProfile {
    /// The profile.
    pub wire: Wire,
    /// Its keys.
    pub keys: ProfileKeys,
    /// Reply to every message with its own text.
    pub echo: bool,
    /// Read limits.
    pub limits: Limits,
    /// Read lines to send from stdin.
    pub console: bool,
}

/// Serves profile clients on `listener` until `/quit` at the console.
pub async fn serve(listener: TcpListener, opts: ServeProfile, printer: Arc<Printer>) -> std::io::Result<()> {
    let opts = Arc::new(opts);
    let (lines, _) = broadcast::channel::<Vec<u8>>(256);
    let (quit_tx, mut quit_rx) = tokio::sync::mpsc::channel::<()>(1);
    if opts.console {
        tokio::spawn(console(lines.clone(), printer.clone(), quit_tx));
    }
    if opts.wire.flow() == Flow::LockStep && !opts.echo {
        printer.event(
            "console",
            "lock-step format: each client message waits for the next line you type as its reply",
        );
    }
    let clients = {
        let opts = opts.clone();
        let lines = lines.clone();
        super::proxy::accept_forever(listener, printer.clone(), move |id, stream, printer| {
            client(id, stream, opts.clone(), lines.subscribe(), printer)
        })
    };
    tokio::select! {
        accepting = clients => accepting?,
        // End of console input is not `/quit`: keep serving (a background server has no stdin).
        Some(()) = quit_rx.recv() => {}
    }
    printer.event("quit", "server stopped");
    Ok(())
}

/// The server's console: each line goes to every client (full duplex) or is
/// the reply to whoever is waiting (lock-step); `/quit` stops the server.
async fn console(
    lines: broadcast::Sender<Vec<u8>>,
    printer: Arc<Printer>,
    quit: tokio::sync::mpsc::Sender<()>,
) {
    let mut stdin = Lines::Stdin(BufReader::new(tokio::io::stdin()), Vec::new());
    while let Ok(Some(line)) = stdin.next_line().await {
        if line == b"/quit" {
            let _ = quit.send(()).await;
            return;
        }
        if lines.send(line).is_err() {
            printer.event("error", "no client is connected");
        }
    }
}

async fn client(
    id: u32,
    stream: TcpStream,
    opts: Arc<ServeProfile>,
    console: broadcast::Receiver<Vec<u8>>,
    printer: Arc<Printer>,
) {
    let peer = format!("client {id}");
    let how = session(&peer, stream, &opts, console, &printer).await;
    printer.event("leave", &format!("{peer} {how}"));
}

/// Seals `text`, writes it (giving up after the frame timeout if the peer
/// does not read), shows it.
#[allow(clippy::too_many_arguments)]
async fn send_message(
    wr: &mut (impl AsyncWrite + Unpin),
    codec: &Codec,
    text: &[u8],
    peer: &str,
    n: &mut u64,
    printer: &Printer,
    timeout: Duration,
) -> std::io::Result<()> {
    let msg = codec.seal(text, &mut rand::rng());
    let not_reading = || std::io::Error::new(std::io::ErrorKind::TimedOut, "not reading what it is sent");
    tokio::time::timeout(timeout, wr.write_all(&msg)).await.map_err(|_| not_reading())??;
    *n += 1;
    show(printer, Dir::Out, peer, *n, Expect::Message(codec.wire()), &msg, Some(text));
    Ok(())
}

/// One client's session; returns how it ended, for the `leave` line.
async fn session(
    peer: &str,
    stream: TcpStream,
    opts: &ServeProfile,
    mut console: broadcast::Receiver<Vec<u8>>,
    printer: &Printer,
) -> String {
    let _ = stream.set_nodelay(true);
    let wire = opts.wire;
    let (rd, mut wr) = stream.into_split();
    let mut reader = MessageReader::new(rd, opts.limits);
    let codec = match &opts.keys {
        ProfileKeys::Rsa(me) => match handshake_server(&mut reader, &mut wr, me, peer, printer).await {
            Ok(c) => c,
            Err(Handshake::Refused(e)) => {
                printer.event("error", &format!("{peer}: {e}"));
                return "closed: the handshake failed".into();
            }
            Err(Handshake::Io(e)) => return format!("lost during the handshake: {e}"),
        },
        keys => match keys.codec(wire) {
            Ok(c) => c,
            Err(e) => return format!("closed: {e}"),
        },
    };
    let (mut n_in, mut n_out) = if wire == Wire::RsaGcmJson { (2, 1) } else { (0, 0) };
    let quit = wire.quit_word().map(str::as_bytes);
    let timeout = opts.limits.frame;
    loop {
        tokio::select! {
            got = reader.next(Expect::Message(wire), Some(&codec)) => {
                let (bytes, note) = match got {
                    Err(e) => return format!("disconnected: {e}"),
                    Ok(Got::End) => return "disconnected".into(),
                    Ok(Got::Bad(e, _)) => {
                        printer.event("error", &format!("{peer}: {e}"));
                        if e.is_fatal() || wire.flow() != Flow::FullDuplex {
                            return "closed after a bad message".into();
                        }
                        continue;
                    }
                    Ok(Got::Message(bytes, note)) => (bytes, note),
                };
                n_in += 1;
                if let Some(note) = note {
                    printer.event("ambiguous", &format!("{peer}: {note}"));
                }
                let text = match codec.open(&bytes) {
                    Ok(text) => text,
                    Err(e) => {
                        show(printer, Dir::In, peer, n_in, Expect::Message(wire), &bytes, None);
                        printer.event("error", &format!("{peer}: message {n_in}: {e}"));
                        if wire.flow() == Flow::FullDuplex {
                            continue;
                        }
                        return "closed after a bad message".into();
                    }
                };
                show(printer, Dir::In, peer, n_in, Expect::Message(wire), &bytes, Some(&text));
                let is_quit = Some(text.as_slice()) == quit;
                let reply = match wire.flow() {
                    Flow::FullDuplex if is_quit => return format!("said {}", show_text(&text)),
                    Flow::FullDuplex | Flow::OneShot => opts.echo.then(|| text.clone()),
                    Flow::LockStep if is_quit => Some(text.clone()),
                    Flow::LockStep if opts.echo => Some(text.clone()),
                    Flow::LockStep => {
                        // Subscribe before asking, so a quick reply is not missed.
                        let mut fresh = console.resubscribe();
                        printer.event("console", &format!("{peer} waits for your reply"));
                        match tokio::time::timeout(opts.limits.idle, fresh.recv()).await {
                            Ok(Ok(line)) => Some(line),
                            _ => return "closed: no reply was typed".into(),
                        }
                    }
                };
                if let Some(reply) = reply
                    && let Err(e) = send_message(&mut wr, &codec, &reply, peer, &mut n_out, printer, timeout).await
                {
                    return format!("lost: {e}");
                }
                if is_quit {
                    let _ = wr.shutdown().await;
                    return format!("said {}", show_text(&text));
                }
                if wire.flow() == Flow::OneShot {
                    let _ = wr.shutdown().await;
                    return "done (one message per connection)".into();
                }
            }
            line = console.recv(), if wire.flow() == Flow::FullDuplex => match line {
                Ok(line) => {
                    if let Err(e) = send_message(&mut wr, &codec, &line, peer, &mut n_out, printer, timeout).await {
                        return format!("lost: {e}");
                    }
                }
                Err(broadcast::error::RecvError::Lagged(k)) => {
                    printer.event("error", &format!("{peer}: {k} console lines skipped (not reading)"));
                }
                Err(broadcast::error::RecvError::Closed) => {}
            },
        }
    }
}

/// Settings for `proxy --wire`.
pub struct ProxyProfile {
    /// The profile.
    pub wire: Wire,
    /// Where the real server is.
    pub upstream: String,
    /// Tamper rules for client → server messages.
    pub rules: Vec<Rule>,
    /// Read limits.
    pub limits: Limits,
}

/// Accepts clients for ever, one upstream connection each, dissecting and
/// tampering with the profile's messages.
pub async fn proxy(listener: TcpListener, opts: ProxyProfile, printer: Arc<Printer>) -> std::io::Result<()> {
    let opts = Arc::new(opts);
    super::proxy::accept_forever(listener, printer, move |id, client, printer| {
        proxy_connection(id, client, opts.clone(), printer)
    })
    .await
}

async fn proxy_connection(id: u32, client: TcpStream, opts: Arc<ProxyProfile>, printer: Arc<Printer>) {
    let Some(upstream) = super::proxy::connect_upstream(&opts.upstream, id, &printer).await else { return };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (c_rd, c_wr) = client.into_split();
    let (u_rd, u_wr) = upstream.into_split();
    // The wrapped session key is as long as the server's RSA modulus,
    // which the proxy learns from the server's PEM.
    let oaep_len = Arc::new(std::sync::atomic::AtomicUsize::new(rsa_json::RSA_BITS / 8));
    let up = Relay {
        who: format!("client {id} → server"),
        plan: Some(Plan::new(opts.rules.clone())),
        wire: opts.wire,
        from_client: true,
        oaep_len: oaep_len.clone(),
    };
    let down = Relay {
        who: format!("server → client {id}"),
        plan: None,
        wire: opts.wire,
        from_client: false,
        oaep_len,
    };
    tokio::join!(up.run(c_rd, u_wr, opts.limits, &printer), down.run(u_rd, c_wr, opts.limits, &printer));
    printer.event("leave", &format!("client {id} disconnected"));
}

/// One direction of a proxied connection.
struct Relay {
    who: String,
    plan: Option<Plan>,
    wire: Wire,
    from_client: bool,
    oaep_len: Arc<std::sync::atomic::AtomicUsize>,
}

impl Relay {
    /// What the `n`th message (from 1) in this direction is.
    fn expect(&self, n: u64) -> Expect {
        match (self.wire, self.from_client, n) {
            (Wire::RsaGcmJson, _, 1) => Expect::Pem,
            (Wire::RsaGcmJson, true, 2) => {
                Expect::Exact(self.oaep_len.load(std::sync::atomic::Ordering::Relaxed))
            }
            (wire, ..) => Expect::Message(wire),
        }
    }

    async fn run(
        mut self,
        rd: impl AsyncRead + Unpin,
        mut wr: impl AsyncWrite + Unpin,
        limits: Limits,
        printer: &Printer,
    ) {
        let mut reader = MessageReader::new(rd, limits);
        let mut n = 0u64;
        loop {
            let expect = self.expect(n + 1);
            let (bytes, note) = match reader.next(expect, None).await {
                Ok(Got::Message(bytes, note)) => (bytes, note),
                Ok(Got::Bad(e, bytes)) => {
                    if wr.write_all(&bytes).await.is_err() {
                        break;
                    }
                    if !e.is_fatal() {
                        printer.event("error", &format!("{}: {e}; passed through as is", self.who));
                        continue;
                    }
                    // The stream is out of step: pass the rest through unparsed.
                    printer.event("error", &format!("{}: {e}; passing the rest through unparsed", self.who));
                    let (mut rd, rest) = reader.into_parts();
                    if wr.write_all(&rest).await.is_ok() {
                        let _ = tokio::io::copy(&mut rd, &mut wr).await;
                    }
                    break;
                }
                Ok(Got::End) | Err(_) => break,
            };
            n += 1;
            if let Some(note) = note {
                printer.event("ambiguous", &format!("{}: {note}", self.who));
            }
            if expect == Expect::Pem
                && !self.from_client
                && let Ok(key) = rsa_json::parse_public_pem(&bytes)
            {
                use rsa::traits::PublicKeyParts;
                self.oaep_len.store(key.size(), std::sync::atomic::Ordering::Relaxed);
            }
            let d = dissect(expect, &bytes);
            let (outs, log) = match self.plan.as_mut() {
                Some(plan) => plan.apply(n, d.bytes.clone()),
                None => (vec![d.bytes.clone()], Vec::new()),
            };
            let title = format!("{} · message {n} · {}", self.who, d.summary);
            printer.dump_spans(&title, &self.who, n, &d.bytes, d.spans.clone(), &[]);
            for line in &log {
                printer.event("tamper", line);
            }
            for out in outs {
                let wire_bytes =
                    if out == d.bytes { bytes.clone() } else { reassemble(expect, &bytes, &out) };
                if out != d.bytes {
                    let marks: Vec<_> = (0..out.len().min(d.bytes.len()))
                        .filter(|&i| out[i] != d.bytes[i])
                        .map(|i| i..i + 1)
                        .collect();
                    let again = dissect(expect, &wire_bytes);
                    let title = format!("{} · message {n} as forwarded, changed bytes marked", self.who);
                    printer.dump_spans(&title, &self.who, n, &again.bytes, again.spans, &marks);
                }
                if wr.write_all(&wire_bytes).await.is_err() {
                    return;
                }
            }
        }
        let _ = wr.shutdown().await;
    }
}
