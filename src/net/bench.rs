//! `cryptolab bench`: the chat measured on loopback, beside plain TCP doing
//! the same work. Measured, not timed in tests: the numbers go to
//! `docs/PERFORMANCE.md`. `--only PART` runs one part.
//!
//! - **bulk**: one connection, large messages one way, per suite — the
//!   sender seals and writes, the receiver reads every frame through the
//!   server's own [`Reader`], checks and opens it ([`Opener::open_ref`]).
//!   Plain TCP: the same messages behind a 4-byte length, no cryptography,
//!   read straight into one buffer.
//! - **round trips**: 64-byte messages against the real binary
//!   `cryptolab serve --echo --quiet`, one in flight. Plain TCP: a 64-byte
//!   ping-pong against an echo with blocking sockets in a process of its
//!   own (the baseline), the same echo on a thread of the bench, and an
//!   echo on tokio (the runtime `serve` uses, without the chat's work).
//!   Each row also gives the CPU time the server process and the measuring
//!   client used per round trip, read from `/proc/PID/task/*/schedstat`:
//!   where the time goes.
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

use super::reader::{Got, Reader};
use super::{Limits, read_frame_into};
use crate::keys::KeyMaterial;
use crate::session::channel::Framing;
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
    /// Only this part (`None`: all of them).
    pub only: Option<Part>,
}

/// One part of the bench (`cryptolab bench --only PART`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// One connection, large messages one way, and gcm's crypto bound.
    Bulk,
    /// 64-byte messages, one in flight, against `serve --echo --quiet`.
    RoundTrips,
    /// Connect, key exchange, server hello, close.
    Handshakes,
    /// Many clients at once, each with its own handshake.
    Scale,
    /// 64 clients at the challenge servers.
    Class,
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

/// A bulk measurement: plaintext bytes per second, and how busy each end's
/// CPU time kept it (CPU seconds per second of the transfer; 1.0 = one core
/// all the time), from `/proc`.
pub struct Bulk {
    /// Bytes of plaintext per second.
    pub per_sec: f64,
    /// The sender thread's CPU time.
    pub sender_busy: Option<f64>,
    /// The receiver thread's CPU time.
    pub receiver_busy: Option<f64>,
}

/// The largest bulk message the receiver takes (`--bulk-kib` is below 1 MiB).
const MAX_BULK: u32 = 4 << 20;

/// The CPU time, in ns, that a `schedstat` file of `/proc` gives first.
fn schedstat_ns(path: impl AsRef<std::path::Path>) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.split_whitespace().next()?.parse().ok()
}

/// CPU time the calling thread has used so far, in ns.
fn thread_cpu_ns() -> Option<u64> {
    schedstat_ns("/proc/thread-self/schedstat")
}

/// Bulk throughput, one connection, `size`-byte messages; `None` = plain TCP.
pub async fn bulk(suite: Option<Suite>, size: usize, seconds: f64) -> io::Result<Bulk> {
    let listener = TcpListener::bind("127.0.0.1:0").await?.into_std()?;
    let addr = listener.local_addr()?;
    let keys = keys();
    // Each end runs on an OS thread and runtime of its own: the two share
    // nothing but the socket, as two programs would, and each thread's CPU
    // time is its end's.
    let receiver = {
        let keys = keys.clone();
        on_own_thread(move || async move { receive(TcpListener::from_std(listener)?, suite, keys).await })
    };
    let sender = on_own_thread(move || async move { send(addr, suite, keys, size, seconds).await });
    let sender_cpu = sender.await.map_err(io::Error::other)??;
    let (per_sec, receiver_cpu, wall) = receiver.await.map_err(io::Error::other)??;
    let busy = |ns: Option<u64>| ns.map(|ns| ns as f64 / 1e9 / wall);
    Ok(Bulk { per_sec, sender_busy: busy(sender_cpu), receiver_busy: busy(receiver_cpu) })
}

/// Runs the future `f` makes on a new thread with a runtime of its own.
fn on_own_thread<F, T>(
    f: impl FnOnce() -> F + Send + 'static,
) -> tokio::sync::oneshot::Receiver<io::Result<T>>
where
    F: std::future::Future<Output = io::Result<T>>,
    T: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let _ = tx.send(rt.and_then(|rt| rt.block_on(f())));
    });
    rx
}

/// The bulk sender: seals (or, plain, length-prefixes) `size`-byte messages
/// and writes them for `seconds`; returns the CPU time this thread used.
async fn send(
    addr: std::net::SocketAddr,
    suite: Option<Suite>,
    keys: KeyMaterial,
    size: usize,
    seconds: f64,
) -> io::Result<Option<u64>> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let payload = vec![0x42u8; size];
    let cpu = thread_cpu_ns();
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
    Ok(thread_cpu_ns().zip(cpu).map(|(now, then)| now.saturating_sub(then)))
}

/// The bulk receiver: reads, checks and opens every frame (or, plain, reads
/// every length-prefixed message); returns plaintext bytes per second, the
/// CPU time this thread used meanwhile, and the seconds it took.
async fn receive(
    listener: TcpListener,
    suite: Option<Suite>,
    keys: KeyMaterial,
) -> io::Result<(f64, Option<u64>, f64)> {
    let (mut stream, _) = listener.accept().await?;
    let mut total = 0usize;
    let cpu = thread_cpu_ns();
    let start = Instant::now();
    match suite {
        Some(suite) => {
            let limits = Limits { max_body: MAX_BULK, ..Limits::default() };
            let mut opener = Opener::new(cipher(suite, &keys), "sender".into(), "receiver speaks");
            // The server's own read path: the reader a `serve` connection uses.
            let mut reader = Reader::new(stream, limits);
            loop {
                match reader.next(&Framing::Native).await.map_err(io::Error::other)? {
                    Got::Message(frame, _) => {
                        total += opener.open_ref(&frame).map_err(io::Error::other)?.1.len()
                    }
                    Got::End => break,
                    Got::Bad(e, _) => return Err(io::Error::other(e)),
                }
            }
        }
        None => {
            // Straight from the socket into the message's buffer.
            let (mut len, mut buf) = ([0u8; 4], Vec::new());
            while stream.read_exact(&mut len).await.is_ok() {
                let n = u32::from_be_bytes(len) as usize;
                if n > MAX_BULK as usize {
                    return Err(io::Error::other(format!(
                        "a plain message of {n} bytes (at most {MAX_BULK})"
                    )));
                }
                buf.resize(n, 0);
                stream.read_exact(&mut buf).await?;
                total += buf.len();
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns().zip(cpu).map(|(now, then)| now.saturating_sub(then));
    Ok((total as f64 / wall, cpu, wall))
}

/// A `cryptolab serve --echo --quiet` child process on a free port.
struct Server {
    child: Child,
    port: u16,
    keys: KeyMaterial,
    /// The private directory holding the server's key file.
    _dir: KeyDir,
}

/// A directory of mode 0700 for a bench server's key file, removed (with
/// the file) when dropped.
struct KeyDir(PathBuf);

impl KeyDir {
    fn new() -> io::Result<KeyDir> {
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cryptolab-bench-{}-{n}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&dir)?;
        Ok(KeyDir(dir))
    }
}

impl Drop for KeyDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Names each bench server's key directory apart within this process.
static SERVERS: AtomicUsize = AtomicUsize::new(0);

impl Server {
    fn start(exe: &PathBuf, suite: Suite) -> io::Result<Server> {
        let keys = keys();
        // The keys go to the server in a key file of mode 0600 inside a
        // directory of mode 0700, never on its command line, where every
        // user of the machine could read them in the process list.
        let dir = KeyDir::new()?;
        let key_file = dir.0.join("bench.key");
        crate::keys::write_key_file(&key_file, &keys, false).map_err(io::Error::other)?;
        // A free port, chosen here; the server's own output goes to /dev/null
        // (it still writes it — only the reading end is not part of the measurement).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(exe)
            .args(["serve", "--echo", "--quiet", "--port", &port.to_string(), "--mode", suite.name()])
            .arg("--key-file")
            .arg(&key_file)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = Server { child, port, keys, _dir: dir };
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

/// Reads one native frame into `frame` with no timer: how the measuring
/// client reads a reply, as the plain client reads its 64 bytes — one
/// `read` brings the whole reply, header and body, as one `read` brings the
/// plain client its echo. (A client facing an untrusted server uses
/// [`read_frame_into`], with its limits.) One message is in flight, so
/// anything after the frame is an error.
async fn read_frame_untimed<R: tokio::io::AsyncRead + Unpin>(
    rd: &mut R,
    frame: &mut Vec<u8>,
) -> io::Result<()> {
    frame.clear();
    loop {
        match crate::wire::take_frame(frame, Limits::default().max_body).map_err(io::Error::other)? {
            Some((_, _, used)) if used == frame.len() => return Ok(()),
            Some(_) => return Err(io::Error::other("the server sent more than one reply")),
            // Room for a small reply at once; a larger one grows as it comes.
            None => frame.reserve(1024),
        }
        if rd.read_buf(frame).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// Round trips of 64-byte messages against `serve --echo --quiet`.
pub async fn round_trips(exe: &PathBuf, suite: Suite, seconds: f64) -> io::Result<RoundTrips> {
    let server = Server::start(exe, suite)?;
    let config = config(suite, &server.keys);
    let mut count = 0u64;
    let mut busy = Duration::ZERO;
    let mut totals = CpuTotals::default();
    while busy.as_secs_f64() < seconds {
        // Sessions of 1000 round trips, timed after the handshake.
        let ((mut rd, mut wr), mut sealer, mut opener) = connect_keyed(server.port, &config).await?;
        let (mut frame, mut reply) = (Vec::new(), Vec::new());
        sealer.seal_into(Kind::Hello, b"bench", &mut frame);
        wr.write_all(&frame).await?;
        let text = [0x42u8; 64];
        let cpu = CpuClock::start(Some(server.child.id()));
        let start = Instant::now();
        for _ in 0..1000 {
            sealer.seal_into(Kind::Message, &text, &mut frame);
            wr.write_all(&frame).await?;
            read_frame_untimed(&mut rd, &mut reply).await?;
            let (_, t) = opener.open_ref(&reply).map_err(io::Error::other)?;
            count += u64::from(t == text);
        }
        busy += start.elapsed();
        totals.add(cpu.used());
    }
    Ok(totals.per(count as f64 / busy.as_secs_f64(), count))
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
/// With `tokio`, the echo runs on the async runtime `serve` uses (one task
/// per connection, epoll) instead of a blocking thread per connection:
/// the same work with the runtime's cost added, and nothing of the chat's.
///
/// # Errors
/// The port cannot be bound.
pub fn plain_echo(port: u16, tokio: bool) -> io::Result<()> {
    if !tokio {
        plain_echo_on(std::net::TcpListener::bind(("127.0.0.1", port))?);
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        loop {
            let (mut s, _) = listener.accept().await?;
            tokio::spawn(async move {
                s.set_nodelay(true)?;
                let mut buf = [0u8; 64];
                while s.read_exact(&mut buf).await.is_ok() {
                    s.write_all(&buf).await?;
                }
                io::Result::Ok(())
            });
        }
    })
}

/// A child process running [`plain_echo`] on a free port.
struct EchoChild(Child);

impl Drop for EchoChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Which plain echo answers the baseline's ping-pong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Blocking sockets, a thread per connection, in a process of its own
    /// (as the chat's server is): the baseline.
    Process,
    /// The same on a thread of the bench's own process (no switch between
    /// processes: faster on one core).
    Thread,
    /// On tokio, in a process of its own: the runtime `serve` runs on.
    Tokio,
}

/// A round-trip measurement: the rate, and the CPU time each side used per
/// round trip (read from `/proc`; the server's is `None` when it runs in the
/// bench's own process).
pub struct RoundTrips {
    /// Round trips per second.
    pub per_sec: f64,
    /// The server process's CPU time per round trip, in µs.
    pub server_us: Option<f64>,
    /// The measuring client's (this process's) CPU time per round trip, in µs.
    pub client_us: f64,
}

/// CPU time a process has used so far, in ns, summed over its threads
/// (the first field of `/proc/PID/task/TID/schedstat`).
fn cpu_ns(pid: u32) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        total += schedstat_ns(task.path().join("schedstat"))?;
    }
    Some(total)
}

/// CPU time of this process and of `server` (if any) between two readings.
struct CpuClock {
    server: Option<u32>,
    at: (Option<u64>, Option<u64>),
}

impl CpuClock {
    fn start(server: Option<u32>) -> Self {
        CpuClock { server, at: (cpu_ns(std::process::id()), server.and_then(cpu_ns)) }
    }

    /// (this process, the server) in ns since `start`.
    fn used(&self) -> (Option<u64>, Option<u64>) {
        let since = |then: Option<u64>, now: Option<u64>| Some(now?.saturating_sub(then?));
        (since(self.at.0, cpu_ns(std::process::id())), since(self.at.1, self.server.and_then(cpu_ns)))
    }
}

/// Adds up CPU time over the timed batches of a measurement.
#[derive(Default)]
struct CpuTotals {
    client: u64,
    server: Option<u64>,
}

impl CpuTotals {
    fn add(&mut self, (client, server): (Option<u64>, Option<u64>)) {
        self.client += client.unwrap_or(0);
        if let Some(s) = server {
            *self.server.get_or_insert(0) += s;
        }
    }

    fn per(&self, rate: f64, count: u64) -> RoundTrips {
        let us = |ns: u64| ns as f64 / 1e3 / count.max(1) as f64;
        RoundTrips { per_sec: rate, server_us: self.server.map(us), client_us: us(self.client) }
    }
}

/// Plain TCP ping-pong of 64-byte messages against the plain `echo`.
pub async fn plain_round_trips(exe: &PathBuf, echo: Echo, seconds: f64) -> io::Result<RoundTrips> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let child = match echo {
        Echo::Process | Echo::Tokio => {
            drop(listener);
            let mut cmd = Command::new(exe);
            cmd.args(["bench", "--plain-echo", &addr.port().to_string()]);
            if echo == Echo::Tokio {
                cmd.arg("--tokio-echo");
            }
            let child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
            Some(EchoChild(child))
        }
        Echo::Thread => {
            std::thread::spawn(move || plain_echo_on(listener));
            None
        }
    };
    let mut s = connect_retrying(addr).await?;
    s.set_nodelay(true)?;
    let mut buf = [0x42u8; 64];
    let cpu = CpuClock::start(child.as_ref().map(|c| c.0.id()));
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        s.write_all(&buf).await?;
        s.read_exact(&mut buf).await?;
        count += 1;
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    let mut totals = CpuTotals::default();
    totals.add(cpu.used());
    Ok(totals.per(rate, count))
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
    let wants = |part: Part| cfg.only.is_none_or(|p| p == part);
    if wants(Part::Bulk) {
        bulk_part(cfg, out).await?;
    }
    if wants(Part::RoundTrips) {
        round_trip_part(cfg, out).await?;
    }
    if wants(Part::Handshakes) {
        handshake_part(cfg, out).await?;
    }
    if wants(Part::Scale) {
        scale_part(cfg, out).await?;
    }
    if wants(Part::Class) {
        class_part(cfg, out).await?;
    }
    Ok(())
}

async fn bulk_part(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    let mb = |bps: f64| bps / 1e6;
    let busy = |b: Option<f64>| b.map_or("—".to_string(), |b| format!("{:.0} %", b * 100.0));
    writeln!(
        out,
        "### Bulk: one connection, {} KiB messages, {} s each\n",
        cfg.bulk_size / 1024,
        cfg.seconds
    )?;
    writeln!(
        out,
        "| transport | MB/s of plaintext | vs plain TCP | sender busy | receiver busy |\n\
         |---|---:|---:|---:|---:|"
    )?;
    let plain = bulk(None, cfg.bulk_size, cfg.seconds).await?;
    let row = |out: &mut dyn Write, name: &str, b: &Bulk| {
        writeln!(
            out,
            "| {name} | {:.0} | {:.0} % | {} | {} |",
            mb(b.per_sec),
            b.per_sec / plain.per_sec * 100.0,
            busy(b.sender_busy),
            busy(b.receiver_busy)
        )
    };
    row(out, "plain TCP", &plain)?;
    let mut gcm = 0.0;
    for suite in Suite::ALL {
        let b = bulk(Some(suite), cfg.bulk_size, cfg.seconds).await?;
        row(out, suite.name(), &b)?;
        if suite == Suite::Gcm {
            gcm = b.per_sec;
        }
    }
    // gcm against what one core could do: at the size above, and at a TLS
    // record's largest (16 KiB, RFC 8446 §5.1), where a message and its
    // frame stay in the CPU's cache.
    writeln!(
        out,
        "\ngcm against its one-core crypto bound, 1/(1/seal + 1/open) timed in this\n\
         process (bound), and against the same bound with the plain TCP transfer\n\
         added, 1/(1/seal + 1/open + 1/plain) (bound+TCP):\n"
    )?;
    writeln!(
        out,
        "| size | gcm MB/s | bound MB/s | vs bound | bound+TCP MB/s | vs that |\n\
         |---:|---:|---:|---:|---:|---:|"
    )?;
    let record = 16 * 1024;
    let mut sizes = vec![(cfg.bulk_size, gcm, plain.per_sec)];
    if cfg.bulk_size != record {
        let gcm = bulk(Some(Suite::Gcm), record, cfg.seconds).await?.per_sec;
        let plain = bulk(None, record, cfg.seconds).await?.per_sec;
        sizes.push((record, gcm, plain));
    }
    for (size, gcm, plain) in sizes {
        let bound = crypto_bound(Suite::Gcm, size, cfg.seconds);
        // One core that seals, opens and also carries the bytes through
        // loopback TCP (at the plain rate) can reach no more than this.
        let with_tcp = 1.0 / (1.0 / bound + 1.0 / plain);
        writeln!(
            out,
            "| {} KiB | {:.0} | {:.0} | {:.0} % | {:.0} | {:.0} % |",
            size / 1024,
            mb(gcm),
            mb(bound),
            gcm / bound * 100.0,
            mb(with_tcp),
            gcm / with_tcp * 100.0
        )?;
    }
    out.flush()
}

async fn round_trip_part(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Round trips: 64-byte messages, one in flight, {} s each\n", cfg.seconds)?;
    writeln!(
        out,
        "| transport | trips/s | vs plain | server CPU µs/trip | client CPU µs/trip |\n\
         |---|---:|---:|---:|---:|"
    )?;
    let row = |out: &mut dyn Write, name: &str, r: &RoundTrips, plain: f64| {
        let server = r.server_us.map_or("—".to_string(), |us| format!("{us:.2}"));
        writeln!(
            out,
            "| {name} | {:.0} | {:.0} % | {server} | {:.2} |",
            r.per_sec,
            r.per_sec / plain * 100.0,
            r.client_us
        )
    };
    // The baseline's echo runs in a process of its own, as `serve` does: on
    // one core, switching between two processes costs more than between two
    // threads of one, and the chat pays that switch too.
    let plain = plain_round_trips(&cfg.exe, Echo::Process, cfg.seconds).await?;
    let base = plain.per_sec;
    row(out, "plain, blocking echo (a process)", &plain, base)?;
    let threaded = plain_round_trips(&cfg.exe, Echo::Thread, cfg.seconds).await?;
    row(out, "plain, blocking echo (a thread here)", &threaded, base)?;
    let tokio = plain_round_trips(&cfg.exe, Echo::Tokio, cfg.seconds).await?;
    row(out, "plain, tokio echo (a process)", &tokio, base)?;
    for suite in Suite::ALL {
        let r = round_trips(&cfg.exe, suite, cfg.seconds).await?;
        row(out, &format!("`serve --echo --quiet`, {suite}"), &r, base)?;
    }
    out.flush()
}

async fn handshake_part(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Handshakes: connect, key exchange, server hello, close; {} s each\n", cfg.seconds)?;
    writeln!(out, "| transport | per second | vs plain TCP connects |\n|---|---:|---:|")?;
    let plain = plain_connects(cfg.seconds).await?;
    writeln!(out, "| plain TCP connect + close | {plain:.0} | 100 % |")?;
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        let v = handshakes(&cfg.exe, suite, cfg.seconds).await?;
        writeln!(out, "| handshake, {suite} | {v:.0} | {:.0} % |", v / plain * 100.0)?;
    }
    out.flush()
}

async fn scale_part(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n### Scale: {} clients at once, each its own handshake, × {} messages, gcm\n",
        cfg.clients, cfg.messages
    )?;
    let s = scale(&cfg.exe, Suite::Gcm, cfg.clients, cfg.messages).await?;
    let rss = s.peak_rss.map_or("unknown".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
    writeln!(out, "| replies right | lost | misdelivered | clients failed | time | peak RSS |")?;
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
    out.flush()
}

async fn class_part(cfg: &BenchConfig, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### A class at the challenge servers: 64 clients at once, {} s each\n", cfg.seconds)?;
    writeln!(out, "| server, request | answers/s | plain echo, 64 clients, per s | vs plain |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    let check = format!("check {}", "00".repeat(32));
    let encrypt = format!("encrypt {}", "41".repeat(15));
    for (name, request) in [("padding-oracle", check.as_str()), ("ecb-byte-at-a-time", encrypt.as_str())] {
        let (q, plain) = challenge_class(&cfg.exe, name, request, 64, cfg.seconds).await?;
        let verb = request.split(' ').next().unwrap_or("");
        writeln!(out, "| {name}, `{verb}` | {q:.0} | {plain:.0} | {:.0} % |", q / plain * 100.0)?;
    }
    out.flush()
}
