//! `cryptolab connect`: lines typed are sent, frames arriving are shown as
//! they arrive — both at once, not lock-step.
//!
//! The first thing the client reads is the server's hello. If the server seals
//! in another suite, or the hello does not open under our key, the client says
//! so in words (`server speaks gcm, you speak cbc`; `message rejected: wrong
//! key or tampered frame`) and exits with status 2. `quit` or end of input
//! sends a goodbye frame and waits briefly for the server's, so replies
//! already on their way are still shown. `--send TEXT` sends one message,
//! waits for one reply and exits.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::mpsc;

use super::{Dir, Limits, NetError, Opener, Printer, Sealer, read_frame};
use crate::suite::Cipher;
use crate::wire::Kind;

/// How a session ended.
#[derive(Debug)]
pub enum End {
    /// Normally (goodbye exchanged, or the server closed).
    Done,
    /// The server's frames could not be accepted; the reason.
    Refused(NetError),
    /// `--send`: no reply arrived in time.
    NoReply(Duration),
    /// `--send`: the server closed the connection before replying.
    ClosedWithoutReply,
}

/// What the reader task reports to the main loop.
enum Event {
    Message,
    Goodbye,
    Closed,
    Failed(NetError),
}

/// The client's settings.
pub struct ConnectOptions {
    /// The keyed suite.
    pub cipher: Arc<Cipher>,
    /// Name sent in the hello.
    pub name: String,
    /// Send this one message, wait for a reply, exit.
    pub send: Option<String>,
    /// How long `--send` waits for the reply.
    pub timeout: Duration,
    /// Read limits.
    pub limits: Limits,
    /// Seed the client's IVs/nonces (only with demo keys: `tour --seed`).
    pub seed: Option<u64>,
}

async fn reader(
    mut rd: BufReader<OwnedReadHalf>,
    cipher: Arc<Cipher>,
    limits: Limits,
    printer: Arc<Printer>,
    tx: mpsc::Sender<Event>,
) {
    let mut opener = Opener::new(cipher, "server".into(), "you speak");
    let mut n = 0;
    loop {
        let frame = match read_frame(&mut rd, &limits).await {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                let _ = tx.send(Event::Closed).await;
                return;
            }
            Err(e) => {
                let _ = tx.send(Event::Failed(e)).await;
                return;
            }
        };
        n += 1;
        match opener.open(&frame) {
            Ok(opened) => {
                printer.frame(Dir::In, "server", n, &frame, Some(&opened.text));
                let event = match opened.header.kind {
                    Kind::Hello | Kind::Notice => continue,
                    Kind::Message => Event::Message,
                    Kind::Goodbye => Event::Goodbye,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                printer.frame(Dir::In, "server", n, &frame, None);
                let _ = tx.send(Event::Failed(e)).await;
                return;
            }
        }
    }
}

/// When a write fails, the reader usually knows why (the server refused our
/// hello and closed): wait briefly for its verdict and report that instead.
async fn explain_write_error(
    err: std::io::Error,
    events: &mut mpsc::Receiver<Event>,
) -> std::io::Result<End> {
    let verdict = async {
        loop {
            match events.recv().await {
                Some(Event::Failed(e)) => return Some(End::Refused(e)),
                Some(Event::Message) => continue,
                _ => return None,
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(1), verdict).await {
        Ok(Some(end)) => Ok(end),
        _ => Err(err),
    }
}

/// Runs a client session on a connected stream.
pub async fn connect(stream: TcpStream, opts: ConnectOptions, printer: Arc<Printer>) -> std::io::Result<End> {
    let _ = stream.set_nodelay(true);
    let (rd, mut wr) = stream.into_split();
    let rd = BufReader::with_capacity(64 * 1024, rd);
    let (tx, mut events) = mpsc::channel(64);
    tokio::spawn(reader(rd, opts.cipher.clone(), opts.limits, printer.clone(), tx));
    let mut sealer = match opts.seed {
        Some(seed) => Sealer::seeded(opts.cipher.clone(), seed),
        None => Sealer::new(opts.cipher.clone()),
    };
    let mut sent = 0;
    let mut send = |kind: Kind, text: &[u8]| {
        let frame = sealer.seal(kind, text);
        sent += 1;
        printer.frame(Dir::Out, "server", sent, &frame, Some(text));
        frame
    };
    if let Err(e) = wr.write_all(&send(Kind::Hello, opts.name.as_bytes())).await {
        return explain_write_error(e, &mut events).await;
    }

    if let Some(text) = &opts.send {
        if let Err(e) = wr.write_all(&send(Kind::Message, text.as_bytes())).await {
            return explain_write_error(e, &mut events).await;
        }
        let end = tokio::select! {
            event = events.recv() => match event {
                Some(Event::Message) => End::Done,
                Some(Event::Failed(e)) => return Ok(End::Refused(e)),
                Some(Event::Goodbye | Event::Closed) | None => End::ClosedWithoutReply,
            },
            _ = tokio::time::sleep(opts.timeout) => End::NoReply(opts.timeout),
        };
        let _ = wr.write_all(&send(Kind::Goodbye, b"goodbye")).await;
        return Ok(end);
    }

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) if line.trim() != "quit" => {
                    if let Err(e) = wr.write_all(&send(Kind::Message, line.as_bytes())).await {
                        return explain_write_error(e, &mut events).await;
                    }
                    continue;
                }
                _ => {} // quit, or end of input
            },
            event = events.recv() => match event {
                Some(Event::Message) => continue,
                Some(Event::Failed(e)) => return Ok(End::Refused(e)),
                Some(Event::Goodbye | Event::Closed) | None => {
                    printer.event("leave", "server closed the connection");
                    return Ok(End::Done);
                }
            },
        }
        // quit or end of input: say goodbye, show what is still arriving.
        if let Err(e) = wr.write_all(&send(Kind::Goodbye, b"goodbye")).await {
            return explain_write_error(e, &mut events).await;
        }
        let wait = async {
            loop {
                match events.recv().await {
                    Some(Event::Message) => {}
                    Some(Event::Failed(e)) => return End::Refused(e),
                    _ => return End::Done,
                }
            }
        };
        return Ok(tokio::time::timeout(Duration::from_secs(2), wait).await.unwrap_or(End::Done));
    }
}
