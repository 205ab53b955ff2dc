//! `cryptolab proxy`: a man in the middle between a real client and a real
//! server.
//!
//! The proxy has no keys. It sees what any attacker on the path sees: every
//! frame, both ways, dissected with the shared renderer (the header and the
//! body layout are public). It applies tamper rules ([`super::rules`]) to the
//! client's frames on their way to the server. Against cbc the server accepts
//! a flipped frame and decrypts it to a changed message. Against cbc-hmac and
//! gcm it refuses it, and says why.
//!
//! ```text
//! connect ──► proxy (listen, default 5551) ──► serve (upstream, default 5550)
//!         ◄──  shows every frame, applies --tamper rules  ◄──
//! ```
//!
//! A client that sends bytes which are not frames is passed through
//! unparsed, with one line saying so. An upstream that is down gives
//! `cannot reach HOST:PORT` for that client, and the proxy keeps listening.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::rules::{Plan, Rule};
use super::{Limits, Printer, read_frame_into};

/// The proxy's settings.
pub struct ProxyOptions {
    /// Where the real server is (`HOST:PORT`).
    pub upstream: String,
    /// Tamper rules for client → server frames.
    pub rules: Vec<Rule>,
    /// Read limits (per frame).
    pub limits: Limits,
}

/// Accepts clients on `listener` for ever, one upstream connection each.
pub async fn proxy(listener: TcpListener, opts: ProxyOptions, printer: Arc<Printer>) -> std::io::Result<()> {
    let opts = Arc::new(opts);
    accept_forever(listener, printer, move |id, client, printer| {
        connection(id, client, opts.clone(), printer)
    })
    .await
}

/// Accepts clients for ever, numbering them from 1, and spawns `handle` for
/// each; a failed accept (out of descriptors) is logged and retried.
pub(super) async fn accept_forever<F, Fut>(
    listener: TcpListener,
    printer: Arc<Printer>,
    handle: F,
) -> std::io::Result<()>
where
    F: Fn(u32, TcpStream, Arc<Printer>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut next = 1u32;
    loop {
        match listener.accept().await {
            Ok((client, addr)) => {
                let id = next;
                next += 1;
                printer.event("join", &format!("client {id} connected from {addr}"));
                tokio::spawn(handle(id, client, printer.clone()));
            }
            Err(e) => {
                printer.event("error", &format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Connects to the real server for client `id`, within 5 s, or says why not.
pub(super) async fn connect_upstream(upstream: &str, id: u32, printer: &Printer) -> Option<TcpStream> {
    match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(upstream)).await {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            printer.event("error", &format!("cannot reach {upstream}: {e}; closing client {id}"));
            None
        }
        Err(_) => {
            printer
                .event("error", &format!("cannot reach {upstream}: no answer in 5 s; closing client {id}"));
            None
        }
    }
}

async fn connection(id: u32, client: TcpStream, opts: Arc<ProxyOptions>, printer: Arc<Printer>) {
    let Some(upstream) = connect_upstream(&opts.upstream, id, &printer).await else { return };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (c_rd, c_wr) = client.into_split();
    let (u_rd, u_wr) = upstream.into_split();
    let to_server = format!("client {id} → server");
    let to_client = format!("server → client {id}");
    let up = relay(c_rd, u_wr, to_server, Some(Plan::new(opts.rules.clone())), opts.limits, printer.clone());
    let down = relay(u_rd, c_wr, to_client, None, opts.limits, printer.clone());
    tokio::join!(up, down);
    printer.event("leave", &format!("client {id} disconnected"));
}

/// Copies frames one way, showing each and applying `plan` (if any).
async fn relay(
    rd: impl AsyncRead + Unpin,
    mut wr: impl AsyncWrite + Unpin,
    who: String,
    mut plan: Option<Plan>,
    limits: Limits,
    printer: Arc<Printer>,
) {
    let mut rd = BufReader::with_capacity(64 * 1024, rd);
    let mut frame = Vec::new();
    let mut n = 0u64;
    loop {
        match read_frame_into(&mut rd, &limits, &mut frame).await {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Not a frame (or a half one): say so and pass the rest through as is.
                printer.event("error", &format!("{who}: {e}; passing the rest through unparsed"));
                let _ = tokio::io::copy(&mut rd, &mut wr).await;
                break;
            }
        }
        n += 1;
        let original = frame.clone();
        let (out, log) = match plan.as_mut() {
            Some(plan) => plan.apply(n, frame.clone()),
            None => (vec![frame.clone()], Vec::new()),
        };
        let title = |suffix: &str| format!("{who} · frame {n}{suffix} · {} bytes", original.len());
        printer.dump(&title(""), &who, n, &original, &[]);
        for line in &log {
            printer.event("tamper", line);
        }
        for sent in &out {
            if sent != &original {
                let marks: Vec<_> = (0..sent.len().min(original.len()))
                    .filter(|&i| sent[i] != original[i])
                    .map(|i| i..i + 1)
                    .collect();
                printer.dump(&title(" as forwarded, changed bytes marked"), &who, n, sent, &marks);
            }
            if wr.write_all(sent).await.is_err() {
                return;
            }
        }
    }
    let _ = wr.shutdown().await;
}
