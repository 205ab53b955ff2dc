//! `cryptolab bench`: the chat measured on loopback, beside plain TCP doing
//! the same work. Measured, not timed in tests: the numbers go to
//! `docs/PERFORMANCE.md`.
//!
//! - **bulk**: one connection, large messages one way, per suite — the
//!   sender seals and writes, the receiver reads, checks and opens every frame
//!   (the native frame path: [`read_frame_into`], [`Opener::open_ref`]; the
//!   server itself reads through [`super::reader::Reader`]).
//!   Plain TCP: the same messages behind a 4-byte length, no cryptography.
//! - **round trips**: 64-byte messages against the real binary
//!   `cryptolab serve --echo --quiet`, one in flight. Plain TCP: a 64-byte
//!   ping-pong against an echo thread with blocking sockets.
//! - **handshakes**: connect, run the handshake, read the server's hello,
//!   close — one after another, against the real server. Plain TCP: connect
//!   and close against a thread that accepts.
//! - **scale**: N clients at once against the real `serve --echo --quiet`,
//!   each with its own handshake and M messages; every reply is checked
//!   (lost, misdelivered), and the server's peak resident memory is read
//!   from `/proc`.
//! - **a class at the challenge servers**: 64 clients at once sending the
//!   requests of an attack (`check` to padding-oracle, `encrypt` to
//!   ecb-byte-at-a-time) to the real `challenge serve`, one in flight each.
//!   Plain TCP: the same 64 clients ping-ponging 64 bytes against the plain
//!   echo process.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{Limits, read_frame_into};
use crate::keys::KeyMaterial;
use crate::session::handshake::{ClientStart, Config, Psk};
use crate::session::{Opener, Sealer};
use crate::suite::{Cipher, Suite};
use crate::wire::Kind;

/// What to measure.
pub struct BenchConfig {
    /// Seconds per bulk and round-trip measurement.
    pub seconds: f64,
    /// Message size for bulk.
    pub bulk_size: usize,
    /// Clients for the scale run.
    pub clients: usize,
    /// Messages per client in the scale run.
    pub messages: usize,
    /// The `cryptolab` binary to run as the server.
    pub exe: PathBuf,
}

fn keys() -> KeyMaterial {
    KeyMaterial::generate(128, &mut rand::rng())
}

fn cipher(suite: Suite, keys: &KeyMaterial) -> Arc<Cipher> {
    Arc::new(Cipher::new(suite, &keys.enc, keys.mac()).expect("generated keys are valid"))
}

/// The handshake settings for the server's key file.
fn config(suite: Suite, keys: &KeyMaterial) -> Config {
    Config { suite, psk: Some(Arc::new(Psk::new(keys))), aes_len: keys.enc.len() }
}

type Halves = (BufReader<tokio::net::tcp::OwnedReadHalf>, tokio::net::tcp::OwnedWriteHalf);

/// Connects (retrying while a crowd's backlog drains), runs the handshake
/// and reads the server's sealed hello: this connection's sealer and opener.
async fn connect_keyed(port: u16, config: &Config) -> io::Result<(Halves, Sealer, Opener)> {
    let mut s = None;
    for attempt in 0..50 {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(c) => {
                s = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20 * (attempt + 1))).await,
        }
    }
    let s = s.ok_or_else(|| io::Error::other("could not connect"))?;
    s.set_nodelay(true)?;
    let (rd, mut wr) = s.into_split();
    let mut rd = BufReader::new(rd);
    let limits = Limits::default();
    let start = ClientStart::new(config.clone(), &mut rand::rng());
    wr.write_all(start.hello()).await?;
    let mut frame = Vec::new();
    read_frame_into(&mut rd, &limits, &mut frame).await.map_err(io::Error::other)?;
    let (finished, keys) = start.finish(&frame).map_err(io::Error::other)?;
    wr.write_all(&finished).await?;
    let mut opener = Opener::new(Arc::new(keys.server_to_client), "server".into(), "you speak");
    read_frame_into(&mut rd, &limits, &mut frame).await.map_err(io::Error::other)?;
    opener.open_ref(&frame).map_err(io::Error::other)?;
    Ok(((rd, wr), Sealer::new(Arc::new(keys.client_to_server)), opener))
}

/// Bulk throughput in bytes of plaintext per second; `None` = plain TCP.
pub async fn bulk(suite: Option<Suite>, size: usize, seconds: f64) -> io::Result<f64> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let keys = keys();
    // The receiver runs on its own OS thread and runtime: the two ends share
    // nothing but the socket, as two programs would.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let listener = listener.into_std()?;
    {
        let keys = keys.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            let result = rt.and_then(|rt| {
                rt.block_on(async move {
                    let listener = TcpListener::from_std(listener)?;
                    receive(listener, suite, keys).await
                })
            });
            let _ = done_tx.send(result);
        });
    }
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let payload = vec![0x42u8; size];
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut frame = Vec::new();
    match suite {
        Some(suite) => {
            let mut sealer = Sealer::new(cipher(suite, &keys));
            sealer.seal_into(Kind::Hello, b"bench", &mut frame);
            s.write_all(&frame).await?;
            while Instant::now() < deadline {
                sealer.seal_into(Kind::Message, &payload, &mut frame);
                s.write_all(&frame).await?;
            }
        }
        None => {
            frame.extend_from_slice(&(size as u32).to_be_bytes());
            frame.extend_from_slice(&payload);
            while Instant::now() < deadline {
                s.write_all(&frame).await?;
            }
        }
    }
    s.shutdown().await?;
    drop(s);
    done_rx.await.map_err(io::Error::other)?
}

/// The bulk receiver: reads, checks and opens every frame (or, plain, reads
/// every length-prefixed message); returns plaintext bytes per second.
async fn receive(listener: TcpListener, suite: Option<Suite>, keys: KeyMaterial) -> io::Result<f64> {
    let (stream, _) = listener.accept().await?;
    let mut rd = BufReader::with_capacity(256 * 1024, stream);
    let mut total = 0usize;
    let mut buf = Vec::new();
    let start = Instant::now();
    match suite {
        Some(suite) => {
            let limits = Limits { max_body: 4 << 20, ..Limits::default() };
            let mut opener = Opener::new(cipher(suite, &keys), "sender".into(), "receiver speaks");
            while read_frame_into(&mut rd, &limits, &mut buf).await.map_err(io::Error::other)? {
                total += opener.open_ref(&buf).map_err(io::Error::other)?.1.len();
            }
        }
        None => {
            let mut len = [0u8; 4];
            while rd.read_exact(&mut len).await.is_ok() {
                buf.resize(u32::from_be_bytes(len) as usize, 0);
                rd.read_exact(&mut buf).await?;
                total += buf.len();
            }
        }
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

/// A `cryptolab serve --echo --quiet` child process on a free port.
struct Server {
    child: Child,
    port: u16,
    keys: KeyMaterial,
}

impl Server {
    fn start(exe: &PathBuf, suite: Suite) -> io::Result<Server> {
        let keys = keys();
        // A free port, chosen here; the server's own output goes to /dev/null
        // (it still writes it — only the reading end is not part of the measurement).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(exe)
            .args(["serve", "--echo", "--quiet", "--port", &port.to_string(), "--mode", suite.name()])
            .args([
                "--key",
                &hex::encode(&keys.enc),
                "--mac-key",
                &hex::encode(keys.mac().unwrap_or_default()),
            ])
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = Server { child, port, keys };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err(io::Error::other("server did not start"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// Peak resident memory (VmHWM) in bytes, from /proc.
    fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client session against a running server: its handshake, hello, then
/// `n` echoed messages (`tag-j`), each reply checked. Returns (replies
/// right, replies wrong).
async fn session(port: u16, config: &Config, tag: usize, n: usize) -> io::Result<(usize, usize)> {
    let ((mut rd, mut wr), mut sealer, mut opener) = connect_keyed(port, config).await?;
    let limits = Limits::default();
    let mut frame = Vec::new();
    let mut reply = Vec::new();
    sealer.seal_into(Kind::Hello, b"bench", &mut frame);
    wr.write_all(&frame).await?;
    let (mut right, mut wrong) = (0, 0);
    for j in 0..n {
        let text = format!("{tag}-{j}");
        sealer.seal_into(Kind::Message, text.as_bytes(), &mut frame);
        wr.write_all(&frame).await?;
        if !read_frame_into(&mut rd, &limits, &mut reply).await.map_err(io::Error::other)? {
            break;
        }
        match opener.open_ref(&reply) {
            Ok((_, t)) if t == text.as_bytes() => right += 1,
            _ => wrong += 1,
        }
    }
    sealer.seal_into(Kind::Goodbye, b"bye", &mut frame);
    let _ = wr.write_all(&frame).await;
    Ok((right, wrong))
}

/// The one-core crypto bound for `suite` at `size`-byte messages, in bytes
/// per second: seal alone and open alone timed in this process, combined as
/// one core doing both, 1/(1/seal + 1/open). What a one-core transfer could
/// reach if the socket cost nothing.
pub fn crypto_bound(suite: Suite, size: usize, seconds: f64) -> f64 {
    let keys = keys();
    let c = cipher(suite, &keys);
    let text = vec![0x42u8; size];
    let mut body = Vec::new();
    let rate = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed().as_secs_f64() < seconds / 2.0 {
            f();
            n += 1;
        }
        (n * size as u64) as f64 / start.elapsed().as_secs_f64()
    };
    let seal = rate(&mut || c.seal_into(b"", &text, &mut rand::rng(), &mut body));
    let sealed = body.clone();
    let mut out = Vec::new();
    let open = rate(&mut || {
        let _ = c.open_into(b"", &sealed, &mut out);
    });
    1.0 / (1.0 / seal + 1.0 / open)
}

/// Round trips per second of 64-byte messages against `serve --echo`.
pub async fn round_trips(exe: &PathBuf, suite: Suite, seconds: f64) -> io::Result<f64> {
    let server = Server::start(exe, suite)?;
    let config = config(suite, &server.keys);
    let mut count = 0;
    let mut busy = Duration::ZERO;
    while busy.as_secs_f64() < seconds {
        // Sessions of 1000 round trips, timed after the handshake.
        let ((mut rd, mut wr), mut sealer, mut opener) = connect_keyed(server.port, &config).await?;
        let (limits, mut frame, mut reply) = (Limits::default(), Vec::new(), Vec::new());
        sealer.seal_into(Kind::Hello, b"bench", &mut frame);
        wr.write_all(&frame).await?;
        let text = [0x42u8; 64];
        let start = Instant::now();
        for _ in 0..1000 {
            sealer.seal_into(Kind::Message, &text, &mut frame);
            wr.write_all(&frame).await?;
            read_frame_into(&mut rd, &limits, &mut reply).await.map_err(io::Error::other)?;
            let (_, t) = opener.open_ref(&reply).map_err(io::Error::other)?;
            count += usize::from(t == text);
        }
        busy += start.elapsed();
    }
    Ok(count as f64 / busy.as_secs_f64())
}

/// Handshakes per second against the real server, one after another.
pub async fn handshakes(exe: &PathBuf, suite: Suite, seconds: f64) -> io::Result<f64> {
    let server = Server::start(exe, suite)?;
    let config = config(suite, &server.keys);
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        let ((_, mut wr), mut sealer, _) = connect_keyed(server.port, &config).await?;
        let mut frame = Vec::new();
        sealer.seal_into(Kind::Goodbye, b"bye", &mut frame);
        let _ = wr.write_all(&frame).await;
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Plain TCP connections per second: connect, close, against a thread that
/// accepts and closes.
pub async fn plain_connects(seconds: f64) -> io::Result<f64> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for s in listener.incoming() {
            drop(s);
        }
    });
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        drop(s);
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// The plain echo: 64-byte messages sent back on blocking std sockets, the
/// simplest, fastest echo there is; one thread per connection.
fn plain_echo_on(listener: std::net::TcpListener) {
    for stream in listener.incoming() {
        let Ok(mut s) = stream else { return };
        std::thread::spawn(move || -> io::Result<()> {
            use std::io::Read;
            s.set_nodelay(true)?;
            let mut buf = [0u8; 64];
            while s.read_exact(&mut buf).is_ok() {
                s.write_all(&buf)?;
            }
            Ok(())
        });
    }
}

/// `cryptolab bench --plain-echo PORT` (hidden): the plain echo as a
/// process of its own, the baseline's server, as `serve` is the chat's.
///
/// # Errors
/// The port cannot be bound.
pub fn plain_echo(port: u16) -> io::Result<()> {
    plain_echo_on(std::net::TcpListener::bind(("127.0.0.1", port))?);
    Ok(())
}

/// A child process running [`plain_echo`] on a free port.
struct EchoChild(Child);

impl Drop for EchoChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Plain TCP ping-pong of 64-byte messages against the plain echo: in a
/// process of its own (`exe`, as the chat's server is), or on a thread of
/// this one (`None`: no process switch, a faster baseline on one core).
pub async fn plain_round_trips(exe: Option<&PathBuf>, seconds: f64) -> io::Result<f64> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let _child = match exe {
        Some(exe) => {
            drop(listener);
            let child = Command::new(exe)
                .args(["bench", "--plain-echo", &addr.port().to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            Some(EchoChild(child))
        }
        None => {
            std::thread::spawn(move || plain_echo_on(listener));
            None
        }
    };
    let mut s = connect_retrying(addr).await?;
    s.set_nodelay(true)?;
    let mut buf = [0x42u8; 64];
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        s.write_all(&buf).await?;
        s.read_exact(&mut buf).await?;
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Round trips per second of `clients` connections at once, each sending
/// `request` (a line, or 64 bytes for the plain echo) and waiting for its
/// answer, for `seconds`.
async fn many_round_trips(
    port: u16,
    clients: usize,
    request: Vec<u8>,
    line: bool,
    seconds: f64,
) -> io::Result<f64> {
    let request = Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let s = connect_retrying(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await?;
            s.set_nodelay(true)?;
            let (rd, mut wr) = s.into_split();
            let mut rd = BufReader::new(rd);
            let (mut n, mut answer) = (0u64, Vec::new());
            let mut buf = [0u8; 64];
            while Instant::now() < deadline {
                wr.write_all(&request).await?;
                if line {
                    answer.clear();
                    if tokio::io::AsyncBufReadExt::read_until(&mut rd, b'\n', &mut answer).await? == 0 {
                        break;
                    }
                } else {
                    rd.read_exact(&mut buf).await?;
                }
                n += 1;
            }
            io::Result::Ok(n)
        }));
    }
    let start = Instant::now();
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(io::Error::other)??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

/// Answers per second from `challenge serve NAME` with `clients` sending
/// `request` at once, against 64-byte round trips to the plain echo
/// process with as many clients: (challenge, plain).
pub async fn challenge_class(
    exe: &PathBuf,
    name: &str,
    request: &str,
    clients: usize,
    seconds: f64,
) -> io::Result<(f64, f64)> {
    let secret = std::env::temp_dir().join(format!("cryptolab-bench-{}.secret", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(exe)
        .args(["challenge", "serve", name, "--quiet", "--student", "bench", "--port", &port.to_string()])
        .arg("--secret")
        .arg(&secret)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let _child = EchoChild(child);
    let queries = many_round_trips(port, clients, format!("{request}\n").into_bytes(), true, seconds).await;
    let _ = std::fs::remove_file(&secret);
    let queries = queries?;
    let echo_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let echo = Command::new(exe)
        .args(["bench", "--plain-echo", &echo_port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let _echo = EchoChild(echo);
    let plain = many_round_trips(echo_port, clients, vec![0x42; 64], false, seconds).await?;
    Ok((queries, plain))
}

/// Connects to `addr`, retrying for 10 s while a child process starts.
async fn connect_retrying(addr: std::net::SocketAddr) -> io::Result<TcpStream> {
    let start = Instant::now();
    loop {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) if start.elapsed() > Duration::from_secs(10) => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Result of the scale run.
pub struct Scale {
    /// Replies that came back right.
    pub right: usize,
    /// Replies that came back wrong (another client's text, or garbled).
    pub wrong: usize,
    /// Replies expected.
    pub expected: usize,
    /// Clients that failed outright (could not connect, connection lost).
    pub failed_clients: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Server peak RSS in bytes.
    pub peak_rss: Option<u64>,
}

/// `clients` concurrent clients × `messages` echoed messages against the real server.
pub async fn scale(exe: &PathBuf, suite: Suite, clients: usize, messages: usize) -> io::Result<Scale> {
    let server = Server::start(exe, suite)?;
    let config = Arc::new(config(suite, &server.keys));
    let failed = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let (config, failed) = (config.clone(), failed.clone());
            let port = server.port;
            tokio::spawn(async move {
                match session(port, &config, i, messages).await {
                    Ok(r) => r,
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        (0, 0)
                    }
                }
            })
        })
        .collect();
    let (mut right, mut wrong) = (0, 0);
    for t in tasks {
        let (r, w) = t.await.map_err(io::Error::other)?;
        right += r;
        wrong += w;
    }
    let elapsed = start.elapsed();
    Ok(Scale {
        right,
        wrong,
        expected: clients * messages,
        failed_clients: failed.load(Ordering::Relaxed),
        elapsed,
        peak_rss: server.peak_rss(),
    })
}

/// Runs everything and writes a Markdown report to `out`.
pub async fn run(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    let mb = |bps: f64| bps / 1e6;
    writeln!(
        out,
        "### Bulk: one connection, {} KiB messages, {} s each\n",
        cfg.bulk_size / 1024,
        cfg.seconds
    )?;
    writeln!(out, "| transport | MB/s of plaintext | vs plain TCP |\n|---|---:|---:|")?;
    let plain = bulk(None, cfg.bulk_size, cfg.seconds).await?;
    writeln!(out, "| plain TCP | {:.0} | 100 % |", mb(plain))?;
    let mut gcm = 0.0;
    for suite in Suite::ALL {
        let v = bulk(Some(suite), cfg.bulk_size, cfg.seconds).await?;
        writeln!(out, "| {suite} | {:.0} | {:.0} % |", mb(v), v / plain * 100.0)?;
        if suite == Suite::Gcm {
            gcm = v;
        }
    }
    let bound = crypto_bound(Suite::Gcm, cfg.bulk_size, cfg.seconds);
    // One core that seals, opens and also carries the bytes through
    // loopback TCP (at the plain rate above) can reach no more than this.
    let with_tcp = 1.0 / (1.0 / bound + 1.0 / plain);
    writeln!(
        out,
        "\ngcm's one-core crypto bound, 1/(1/seal + 1/open) in this process: {:.0} MB/s; \
         bulk gcm over the socket reaches {:.0} % of it.\n\
         With the plain TCP transfer on the same core, 1/(1/seal + 1/open + 1/plain): \
         {:.0} MB/s; bulk gcm reaches {:.0} % of that.",
        mb(bound),
        gcm / bound * 100.0,
        mb(with_tcp),
        gcm / with_tcp * 100.0
    )?;
    writeln!(out, "\n### Round trips: 64-byte messages, one in flight, {} s each\n", cfg.seconds)?;
    writeln!(out, "| transport | round trips/s | vs plain TCP |\n|---|---:|---:|")?;
    // The baseline's echo runs in a process of its own, as `serve` does: on
    // one core, switching between two processes costs more than between two
    // threads of one, and the chat pays that switch too.
    let plain = plain_round_trips(Some(&cfg.exe), cfg.seconds).await?;
    writeln!(out, "| plain TCP ping-pong (echo in another process) | {plain:.0} | 100 % |")?;
    let threaded = plain_round_trips(None, cfg.seconds).await?;
    writeln!(
        out,
        "| plain TCP ping-pong (echo on a thread of this process) | {threaded:.0} | {:.0} % |",
        threaded / plain * 100.0
    )?;
    for suite in Suite::ALL {
        let v = round_trips(&cfg.exe, suite, cfg.seconds).await?;
        writeln!(out, "| `serve --echo --quiet`, {suite} | {v:.0} | {:.0} % |", v / plain * 100.0)?;
    }
    writeln!(out, "\n### Handshakes: connect, key exchange, server hello, close; {} s each\n", cfg.seconds)?;
    writeln!(out, "| transport | per second | vs plain TCP connects |\n|---|---:|---:|")?;
    let plain = plain_connects(cfg.seconds).await?;
    writeln!(out, "| plain TCP connect + close | {plain:.0} | 100 % |")?;
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        let v = handshakes(&cfg.exe, suite, cfg.seconds).await?;
        writeln!(out, "| handshake, {suite} | {v:.0} | {:.0} % |", v / plain * 100.0)?;
    }
    writeln!(
        out,
        "\n### Scale: {} clients at once, each its own handshake, × {} messages, gcm\n",
        cfg.clients, cfg.messages
    )?;
    let s = scale(&cfg.exe, Suite::Gcm, cfg.clients, cfg.messages).await?;
    let rss = s.peak_rss.map_or("unknown".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
    writeln!(
        out,
        "| replies right | lost | misdelivered/garbled | clients failed | time | server peak RSS |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} / {} | {} | {} | {} | {:.1} s | {rss} |",
        s.right,
        s.expected,
        s.expected - s.right - s.wrong,
        s.wrong,
        s.failed_clients,
        s.elapsed.as_secs_f64()
    )?;
    writeln!(out, "\n### A class at the challenge servers: 64 clients at once, {} s each\n", cfg.seconds)?;
    writeln!(out, "| server, request | answers/s | plain TCP echo, 64 clients, round trips/s | vs plain |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    let check = format!("check {}", "00".repeat(32));
    let encrypt = format!("encrypt {}", "41".repeat(15));
    for (name, request) in [("padding-oracle", check.as_str()), ("ecb-byte-at-a-time", encrypt.as_str())] {
        let (q, plain) = challenge_class(&cfg.exe, name, request, 64, cfg.seconds).await?;
        let verb = request.split(' ').next().unwrap_or("");
        writeln!(out, "| {name}, `{verb}` | {q:.0} | {plain:.0} | {:.0} % |", q / plain * 100.0)?;
    }
    Ok(())
}
