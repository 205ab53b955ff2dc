//! `cryptolab serve`: many clients at once, every frame shown.
//!
//! One task per client reads frames (bounded by [`Limits`]) and answers them
//! itself (echo, goodbye) through the client's outbox; broadcasts reach the
//! outbox through a bounded queue, so a client that does not read cannot make
//! the server hold unbounded memory, and a write it does not take within the
//! frame timeout closes that client only. Lines typed at the server go to every
//! client; `/to ID text` to one; `/list` shows who is connected; `/quit`
//! says goodbye to everyone and stops. End of the server's own input does not
//! stop it (so it can run in the background).
//!
//! Anything a client does wrong — a malformed or oversized frame, the wrong
//! suite or key, a tampered frame, silence, slowness — closes that client
//! only, with one line naming the client, the frame and the reason.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::{Dir, Limits, NetError, Opener, Printer, Sealer, read_frame_into};
use crate::suite::Cipher;
use crate::wire::Kind;

/// Messages queued for one client's writer before it counts as too slow.
pub const QUEUE: usize = 1024;

/// What the chat asks a client's writer to do.
enum Cmd {
    Send(Vec<u8>),
    Goodbye,
}

struct Client {
    tx: mpsc::Sender<Cmd>,
    addr: SocketAddr,
}

type Clients = Arc<Mutex<BTreeMap<u32, Client>>>;

/// The server's settings.
pub struct ServeOptions {
    /// The keyed suite.
    pub cipher: Arc<Cipher>,
    /// Reply to each message automatically.
    pub echo: bool,
    /// Read limits per client.
    pub limits: Limits,
    /// Read commands (`/list`, `/to`, `/quit`, broadcast lines) from stdin.
    pub console: bool,
    /// Seed the server's IVs/nonces (only with demo keys: `tour --seed`).
    pub seed: Option<u64>,
    /// INSECURE, for the padding-oracle lab: answer every frame with a
    /// plain-text notice saying whether it was accepted or why not (bad
    /// padding included), and keep the connection open.
    pub leak_padding: bool,
}

fn lock(clients: &Clients) -> std::sync::MutexGuard<'_, BTreeMap<u32, Client>> {
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

/// Accepts clients on `listener` until `/quit` on stdin.
pub async fn serve(listener: TcpListener, opts: ServeOptions, printer: Arc<Printer>) -> std::io::Result<()> {
    let clients: Clients = Arc::default();
    let opts = Arc::new(opts);
    let (quit_tx, mut quit_rx) = mpsc::channel::<()>(1);
    if opts.console {
        tokio::spawn(console(clients.clone(), printer.clone(), quit_tx));
    }
    let mut next_id = 1u32;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    let id = next_id;
                    next_id += 1;
                    tokio::spawn(client(id, stream, addr, opts.clone(), clients.clone(), printer.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: say so, keep serving.
                    printer.event("error", &format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // End of console input is not `/quit`: keep serving (a background server has no stdin).
            Some(()) = quit_rx.recv() => break,
        }
    }
    let txs: Vec<mpsc::Sender<Cmd>> = lock(&clients).values().map(|c| c.tx.clone()).collect();
    for tx in txs {
        let _ = tx.send(Cmd::Goodbye).await;
    }
    // Give writers a moment to flush their goodbyes.
    for _ in 0..40 {
        if lock(&clients).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    printer.event("quit", "server stopped");
    Ok(())
}

/// The server's own input: broadcast lines and `/` commands.
async fn console(clients: Clients, printer: Arc<Printer>, quit: mpsc::Sender<()>) {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let line = line.trim_end();
        if line == "/quit" {
            let _ = quit.send(()).await;
            return;
        } else if line == "/list" {
            let list: Vec<String> =
                lock(&clients).iter().map(|(id, c)| format!("client {id} ({})", c.addr)).collect();
            let text = if list.is_empty() { "no clients connected".into() } else { list.join(", ") };
            printer.event("list", &text);
        } else if let Some(rest) = line.strip_prefix("/to ") {
            let (id, text) = rest.split_once(' ').unwrap_or((rest, ""));
            let tx = id.parse::<u32>().ok().and_then(|id| lock(&clients).get(&id).map(|c| c.tx.clone()));
            match tx {
                Some(tx) => {
                    let _ = tx.send(Cmd::Send(text.as_bytes().to_vec())).await;
                }
                None => printer.event("error", &format!("no client '{id}' (try /list)")),
            }
        } else if line.starts_with('/') {
            printer
                .event("error", &format!("unknown command '{line}' (commands: /list, /to ID text, /quit)"));
        } else if !line.is_empty() {
            let txs: Vec<mpsc::Sender<Cmd>> = lock(&clients).values().map(|c| c.tx.clone()).collect();
            for tx in txs {
                let _ = tx.try_send(Cmd::Send(line.as_bytes().to_vec()));
            }
        }
    }
}

/// The sending side of one client connection, shared by the reader (echo,
/// goodbye) and the queue task (broadcasts): whoever holds the lock seals the
/// next sequence number and writes it, so frames are never interleaved.
struct Outbox {
    wr: OwnedWriteHalf,
    sealer: Sealer,
    frame: Vec<u8>,
    sent: u64,
}

/// Sends a plain-text notice (leaky mode only).
async fn send_notice(
    outbox: &tokio::sync::Mutex<Outbox>,
    suite: crate::suite::Suite,
    text: &str,
) -> std::io::Result<()> {
    let mut o = outbox.lock().await;
    o.wr.write_all(&crate::wire::notice(suite, text)).await
}

/// Seals and sends one frame to a client, giving up after `timeout` if the
/// client does not read (then only this client is affected).
async fn send(
    outbox: &tokio::sync::Mutex<Outbox>,
    kind: Kind,
    text: &[u8],
    name: &str,
    printer: &Printer,
    timeout: Duration,
) -> std::io::Result<()> {
    let mut o = outbox.lock().await;
    let Outbox { wr, sealer, frame, sent } = &mut *o;
    sealer.seal_into(kind, text, frame);
    *sent += 1;
    let not_reading = || std::io::Error::new(std::io::ErrorKind::TimedOut, "not reading what it is sent");
    tokio::time::timeout(timeout, wr.write_all(frame)).await.map_err(|_| not_reading())??;
    printer.frame(Dir::Out, name, *sent, frame, Some(text));
    if kind == Kind::Goodbye {
        let _ = wr.shutdown().await;
    }
    Ok(())
}

async fn client(
    id: u32,
    stream: TcpStream,
    addr: SocketAddr,
    opts: Arc<ServeOptions>,
    clients: Clients,
    printer: Arc<Printer>,
) {
    let name = format!("client {id}");
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    // Buffered: a frame costs one read syscall, not three.
    let mut rd = BufReader::with_capacity(64 * 1024, rd);
    let sealer = match opts.seed {
        Some(seed) => Sealer::seeded(opts.cipher.clone(), seed.wrapping_add(u64::from(id))),
        None => Sealer::new(opts.cipher.clone()),
    };
    let outbox = Arc::new(tokio::sync::Mutex::new(Outbox { wr, sealer, frame: Vec::new(), sent: 0 }));
    let timeout = opts.limits.frame;
    printer.event("join", &format!("{name} connected from {addr}"));
    // Our hello goes out before we read anything: even a client we are about
    // to refuse learns our suite, and whether our keys match.
    let hello = format!("cryptolab server: you are {name}");
    if let Err(e) = send(&outbox, Kind::Hello, hello.as_bytes(), &name, &printer, timeout).await {
        printer.event("leave", &format!("{name} left ({e})"));
        return;
    }
    let (tx, mut rx) = mpsc::channel::<Cmd>(QUEUE);
    lock(&clients).insert(id, Client { tx, addr });

    // Broadcasts and /to messages arrive through the queue.
    let queue = {
        let (outbox, printer, name) = (outbox.clone(), printer.clone(), name.clone());
        tokio::spawn(async move {
            while let Some(cmd) = rx.recv().await {
                let (kind, text): (Kind, &[u8]) = match &cmd {
                    Cmd::Send(text) => (Kind::Message, text),
                    Cmd::Goodbye => (Kind::Goodbye, b"goodbye"),
                };
                if send(&outbox, kind, text, &name, &printer, timeout).await.is_err() || kind == Kind::Goodbye
                {
                    break;
                }
            }
        })
    };

    let mut opener = Opener::new(opts.cipher.clone(), name.clone(), "this server speaks");
    let mut n = 0u64;
    let mut frame = Vec::new();
    // Ok: a clean end and its reason; Err: the one line that says what went wrong.
    let outcome: Result<&str, String> = loop {
        match read_frame_into(&mut rd, &opts.limits, &mut frame).await {
            Ok(true) => {}
            Ok(false) => break Ok("disconnected"),
            Err(e) => break Err(format!("frame {} from {name}: {e}; closing {name}", n + 1)),
        }
        n += 1;
        let (header, text) = match opener.open_ref(&frame) {
            Ok(opened) => opened,
            Err(NetError::Crypto(e)) if opts.leak_padding => {
                // INSECURE on purpose: the reason goes back to the sender.
                printer.frame(Dir::In, &name, n, &frame, None);
                printer.event(
                    "leak",
                    &format!("frame {n} from {name}: {e} — told {name} (--leak-padding-errors)"),
                );
                if send_notice(&outbox, opts.cipher.suite(), &e.to_string()).await.is_err() {
                    break Err(format!("{name} is gone"));
                }
                continue;
            }
            Err(e) => {
                printer.frame(Dir::In, &name, n, &frame, None);
                break Err(format!("frame {n} from {name}: {e}; closing {name}"));
            }
        };
        printer.frame(Dir::In, &name, n, &frame, Some(text));
        if opts.leak_padding
            && header.kind != Kind::Notice
            && send_notice(&outbox, opts.cipher.suite(), "ok").await.is_err()
        {
            break Err(format!("{name} is gone"));
        }
        let reply = match header.kind {
            Kind::Message if opts.echo => Kind::Message,
            Kind::Goodbye => Kind::Goodbye,
            _ => continue,
        };
        // Echo and goodbye are written here, by the reader: no hand-off to
        // another task on the round trip.
        let text = if reply == Kind::Goodbye { b"goodbye".as_slice() } else { text };
        if let Err(e) = send(&outbox, reply, text, &name, &printer, timeout).await {
            break Err(format!("{name} {e}; closing {name}"));
        }
        if reply == Kind::Goodbye {
            break Ok("said goodbye");
        }
    };
    lock(&clients).remove(&id);
    queue.abort();
    if let Err(line) = &outcome {
        printer.event("error", line);
        linger(&mut rd).await;
    }
    let why = outcome.unwrap_or("closed");
    printer.event("leave", &format!("{name} left ({why})"));
}

/// Reads and discards what the peer is still sending, briefly, before the
/// socket is closed. Closing with unread input makes TCP send a reset, which
/// can destroy frames the peer has not read yet — such as our hello that
/// tells it why it was refused.
async fn linger(rd: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) {
    let mut sink = [0u8; 4096];
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
