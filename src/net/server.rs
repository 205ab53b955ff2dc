//! `cryptolab serve`: many clients at once, every frame shown.
//!
//! One task per client reads frames (bounded by [`Limits`]) and one writes
//! them; a bounded queue sits between the chat and each writer, so a client
//! that does not read cannot make the server hold unbounded memory — when its
//! queue is full it is disconnected. Lines typed at the server go to every
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
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::{Dir, Limits, Opener, Printer, Sealer, read_frame};
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
}

fn lock(clients: &Clients) -> std::sync::MutexGuard<'_, BTreeMap<u32, Client>> {
    clients.lock().unwrap_or_else(|e| e.into_inner())
}

/// Accepts clients on `listener` until `/quit` on stdin.
pub async fn serve(listener: TcpListener, opts: ServeOptions, printer: Arc<Printer>) -> std::io::Result<()> {
    let clients: Clients = Arc::default();
    let opts = Arc::new(opts);
    let (quit_tx, mut quit_rx) = mpsc::channel::<()>(1);
    tokio::spawn(console(clients.clone(), printer.clone(), quit_tx));
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
            _ = quit_rx.recv() => break,
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
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Cmd>(QUEUE);
    lock(&clients).insert(id, Client { tx: tx.clone(), addr });
    printer.event("join", &format!("{name} connected from {addr}"));

    // Writer: seals and sends whatever the chat queues for this client.
    let writer = {
        let (cipher, printer, name) = (opts.cipher.clone(), printer.clone(), name.clone());
        tokio::spawn(async move {
            let mut sealer = Sealer::new(cipher);
            let mut n = 0;
            let hello = format!("cryptolab server: you are {name}");
            let mut next = Some((Kind::Hello, hello.into_bytes()));
            while let Some((kind, text)) = next.take() {
                let frame = sealer.seal(kind, &text);
                n += 1;
                if wr.write_all(&frame).await.is_err() {
                    break;
                }
                printer.frame(Dir::Out, &name, n, &frame, Some(&text));
                if kind == Kind::Goodbye {
                    let _ = wr.shutdown().await;
                    break;
                }
                next = match rx.recv().await {
                    Some(Cmd::Send(text)) => Some((Kind::Message, text)),
                    Some(Cmd::Goodbye) | None => Some((Kind::Goodbye, b"goodbye".to_vec())),
                };
            }
        })
    };

    let mut opener = Opener::new(opts.cipher.clone(), name.clone(), "this server speaks");
    let mut n = 0u64;
    // Ok: a clean end and its reason; Err: the one line that says what went wrong.
    let outcome: Result<&str, String> = loop {
        let frame = match read_frame(&mut rd, &opts.limits).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break Ok("disconnected"),
            Err(e) => break Err(format!("frame {} from {name}: {e}; closing {name}", n + 1)),
        };
        n += 1;
        let opened = match opener.open(&frame) {
            Ok(opened) => opened,
            Err(e) => {
                printer.frame(Dir::In, &name, n, &frame, None);
                break Err(format!("frame {n} from {name}: {e}; closing {name}"));
            }
        };
        printer.frame(Dir::In, &name, n, &frame, Some(&opened.text));
        match opened.header.kind {
            Kind::Message if opts.echo => {
                let Ok(()) = tx.try_send(Cmd::Send(opened.text)) else {
                    break Err(format!("{name} is not reading its replies ({QUEUE} queued); closing {name}"));
                };
            }
            Kind::Goodbye => {
                let _ = tx.send(Cmd::Goodbye).await;
                break Ok("said goodbye");
            }
            _ => {}
        }
    };
    lock(&clients).remove(&id);
    drop(tx);
    if let Err(line) = &outcome {
        printer.event("error", line);
    }
    // Let the writer finish (its hello, a goodbye) — but not wait on a peer
    // that does not read.
    let writer = tokio::time::timeout(Duration::from_secs(2), writer).await;
    if outcome.is_err() && writer.is_ok() {
        linger(&mut rd).await;
    }
    let why = outcome.unwrap_or("closed");
    printer.event("leave", &format!("{name} left ({why})"));
}

/// Reads and discards what the peer is still sending, briefly, before the
/// socket is closed. Closing with unread input makes TCP send a reset, which
/// can destroy frames the peer has not read yet — such as our hello that
/// tells it why it was refused.
async fn linger(rd: &mut tokio::net::tcp::OwnedReadHalf) {
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
