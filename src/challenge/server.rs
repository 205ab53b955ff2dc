//! The challenge server: the line protocol of [`super`] over TCP, one tokio
//! task per connection, every resource bounded.
//!
//! A class attacks one server at once, and an attack is thousands of
//! requests, so the server holds per connection only its victim (a keyed
//! cipher) and one line of at most [`MAX_LINE`] bytes: a longer line is
//! answered with an error and the connection closed, before the rest of it
//! is read into memory. At most [`MAX_CONNECTIONS`] connections are served
//! at once, and at most [`MAX_PER_ADDRESS`] from one address (the next is
//! told so and closed); one silent for [`IDLE`] is
//! closed; an answer the client does not read within [`WRITE_TIMEOUT`]
//! closes it too. A malformed request (not text, empty, unknown, bad hex)
//! is answered `error: …` and the connection stays usable.
//!
//! With [`Config::events`] (`challenge serve --web PORT`), every connection
//! and every request and answer is also an [`Event`] for the browser view:
//! a class's attack, watched live. Flags in answers are shown there with
//! their tag hidden ([`redact_flags`]), so the page can be projected.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::{Challenge, Oracle, Secret, Setup, check_student, error};
use crate::events::{Dir, Event, Events, Frame, FrameKind};

/// The longest request line, in bytes (an 8 KiB message in hex).
pub const MAX_LINE: usize = 16 * 1024;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 512;

/// Connections served at once from one address: room for the timing-leak
/// solution's 257, and never all of [`MAX_CONNECTIONS`] for one peer.
pub const MAX_PER_ADDRESS: usize = 300;

/// A connection that sends nothing for this long is closed.
pub const IDLE: Duration = Duration::from_secs(300);

/// An answer not taken by the client within this long closes the connection.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What every connection shares.
pub struct Config {
    /// The challenge served.
    pub challenge: &'static Challenge,
    /// The instructor secret.
    pub secret: Secret,
    /// `--student`: whose flag, unless a connection says `student NAME`.
    pub student: Option<String>,
    /// `--authenticated`: the variant that refuses the attack.
    pub authenticated: bool,
    /// `--delay-ms`: timing-leak's delay per matching byte.
    pub delay: Option<Duration>,
    /// Where the line per connection goes (opened, closed and why); the
    /// command line prints it, or drops it for `--quiet`.
    pub log: Box<dyn Fn(&str) + Send + Sync>,
    /// `--web PORT`: where the connections, requests and answers go as
    /// events (the browser view), if anywhere.
    pub events: Option<Arc<Events>>,
}

/// Serves `config.challenge` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let ids = AtomicU64::new(1);
    let per_address: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    loop {
        let (mut stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors, a connection reset before accept:
            // wait a moment and go on serving the others.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let id = ids.fetch_add(1, Ordering::Relaxed);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            let _ = stream.write_all(b"error: the server is full; try again in a minute\n").await;
            continue;
        };
        let Some(mine) = PerAddress::take(&per_address, peer.ip()) else {
            let _ = stream
                .write_all(
                    format!(
                        "error: {MAX_PER_ADDRESS} connections from your address already; close some first\n"
                    )
                    .as_bytes(),
                )
                .await;
            continue;
        };
        let config = config.clone();
        tokio::spawn(async move {
            (config.log)(&format!("client {id} connected from {peer}"));
            if let Some(events) = &config.events {
                events.emit(Event::Joined { peer: format!("client {id}"), addr: peer.to_string() });
            }
            let (requests, student, why) = connection(stream, &config, id).await;
            let who = student.map_or(String::new(), |s| format!(" ({s})"));
            if let Some(events) = &config.events {
                events.emit(Event::Left {
                    peer: format!("client {id}{who}"),
                    why: format!("{why}, after {requests} request{}", plural(requests)),
                });
            }
            (config.log)(&format!(
                "client {id}{who} closed after {requests} request{}: {why}",
                plural(requests)
            ));
            drop((slot, mine));
        });
    }
}

/// One connection's share of its address's [`MAX_PER_ADDRESS`], given
/// back when dropped.
struct PerAddress {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl PerAddress {
    fn take(counts: &Arc<Mutex<HashMap<IpAddr, usize>>>, ip: IpAddr) -> Option<Self> {
        let mut map = counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = map.entry(ip).or_insert(0);
        if *n >= MAX_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(PerAddress { counts: counts.clone(), ip })
    }
}

impl Drop for PerAddress {
    fn drop(&mut self) {
        let mut map = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One connection: requests in, answers out. Returns the number of
/// requests, the student, and why it ended.
async fn connection(stream: TcpStream, config: &Config, id: u64) -> (u64, Option<String>, &'static str) {
    let _ = stream.set_nodelay(true);
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    let mut session = Session::new(config);
    let mut line = Vec::with_capacity(256);
    let mut requests = 0u64;
    let why = loop {
        line.clear();
        // Room for the request, its `\r\n`, and one byte more to tell a
        // request over the limit.
        let mut limited = (&mut rd).take(MAX_LINE as u64 + 3);
        let read = tokio::time::timeout(IDLE, limited.read_until(b'\n', &mut line)).await;
        let ended_line = match read {
            Err(_) => {
                let _ = write(&mut wr, "error: idle for 300 s; closing").await;
                break "idle";
            }
            Ok(Err(_)) => break "connection error",
            Ok(Ok(0)) => break "closed by the client",
            Ok(Ok(_)) => line.last() == Some(&b'\n'),
        };
        if ended_line {
            line.pop();
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        // The limit is the request's own bytes, whatever ends its line.
        if line.len() > MAX_LINE {
            let _ = write(&mut wr, &format!("error: a request over {MAX_LINE} bytes; closing")).await;
            break "request too long";
        }
        requests += 1;
        let answer = match std::str::from_utf8(&line) {
            Ok(text) => session.answer(text),
            Err(_) => error("a request is text (ASCII), not binary; send help for the requests"),
        };
        if let Some(events) = &config.events {
            watch(events, id, requests, &line, &answer);
        }
        let delay = session.oracle.as_mut().map_or(Duration::ZERO, |o| o.take_delay());
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if write(&mut wr, &answer).await.is_err() {
            break "the client stopped reading";
        }
        if !ended_line {
            break "closed by the client";
        }
    };
    (requests, session.student, why)
}

/// One request and its answer as two frame events (built only if an
/// observer reads frames): the request's first word in the summary, flags
/// hidden in both (a request that is not UTF-8 is shown with `�`).
fn watch(events: &Events, id: u64, n: u64, request: &[u8], answer: &str) {
    let peer = format!("client {id}");
    let verb = request.split(|&b| b == b' ').next().unwrap_or(b"");
    let verb = String::from_utf8_lossy(&verb[..verb.len().min(24)]).to_string();
    let frame = |dir, bytes: Vec<u8>, summary: String| Frame {
        dir,
        peer: peer.clone(),
        n,
        text: Some(bytes.clone()),
        bytes,
        spans: Vec::new(),
        marks: Vec::new(),
        kind: FrameKind::Format { wire: "challenge", summary, raw: None },
        is_message: true,
        title: None,
    };
    events.frame(Dir::In, |_| {
        // A student may paste a flag into a request too.
        let shown = redact_flags(&String::from_utf8_lossy(request));
        frame(Dir::In, shown.into_bytes(), format!("request {verb}"))
    });
    events.frame(Dir::Out, |_| {
        let shown = redact_flags(answer);
        let word = shown.split([' ', ':']).next().unwrap_or("");
        let head: String = word.chars().take(16).collect();
        let head = if word.chars().count() > 16 { format!("{head}…") } else { head };
        frame(Dir::Out, shown.into_bytes(), format!("answer {head}"))
    });
}

/// `answer` with the tag of every flag in it hidden:
/// `cryptolab{padding-oracle:…}`.
pub fn redact_flags(answer: &str) -> String {
    let mut out = String::with_capacity(answer.len());
    let mut rest = answer;
    while let Some(at) = rest.find("cryptolab{") {
        let (before, flag) = rest.split_at(at);
        out.push_str(before);
        let Some(end) = flag.find('}') else {
            out.push_str(flag);
            return out;
        };
        let inner = &flag["cryptolab{".len()..end];
        let name = inner.split(':').next().unwrap_or("");
        out.push_str(&format!("cryptolab{{{name}:…}}"));
        rest = &flag[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn write(wr: &mut tokio::net::tcp::OwnedWriteHalf, answer: &str) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(answer.len() + 1);
    bytes.extend_from_slice(answer.as_bytes());
    bytes.push(b'\n');
    match tokio::time::timeout(WRITE_TIMEOUT, wr.write_all(&bytes)).await {
        Ok(result) => result,
        Err(_) => Err(io::ErrorKind::TimedOut.into()),
    }
}

/// One connection's state: the student, and their victim.
struct Session<'a> {
    config: &'a Config,
    student: Option<String>,
    oracle: Option<Box<dyn Oracle>>,
}

impl<'a> Session<'a> {
    fn new(config: &'a Config) -> Self {
        let mut session = Session { config, student: None, oracle: None };
        if let Some(name) = &config.student {
            session.set_student(name.clone());
        }
        session
    }

    fn set_student(&mut self, name: String) {
        let setup = Setup {
            secret: &self.config.secret,
            student: &name,
            authenticated: self.config.authenticated,
            delay: self.config.delay,
        };
        self.oracle = Some((self.config.challenge.oracle)(&setup));
        self.student = Some(name);
    }

    /// The answer to one request line.
    fn answer(&mut self, line: &str) -> String {
        let line = line.trim();
        let (verb, arg) = line.split_once(' ').map_or((line, ""), |(v, a)| (v, a.trim()));
        let challenge = self.config.challenge;
        match verb {
            "" => error("an empty request; send help for the requests"),
            "help" => format!("requests: help; student NAME; {}", challenge.requests),
            "student" => match check_student(arg) {
                // `serve --student`: this server protects one student's flag.
                Ok(name) if self.config.student.as_deref().is_some_and(|fixed| fixed != name) => {
                    error(&format!(
                        "this server protects only {}'s flag (it runs with --student)",
                        self.config.student.as_deref().unwrap_or_default()
                    ))
                }
                Ok(name) => {
                    let name = name.to_string();
                    let answer = format!("ok: flags for {name}");
                    self.set_student(name);
                    answer
                }
                Err(e) => error(&e.to_string()),
            },
            _ => match &mut self.oracle {
                None => error("send `student NAME` first: every student has their own flag"),
                Some(oracle) => oracle.answer(verb, arg).unwrap_or_else(|| {
                    let shown: String = verb.chars().take(40).collect();
                    error(&format!("unknown request `{shown}`; send help for the requests"))
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_flags;

    #[test]
    fn a_flag_in_an_answer_is_shown_without_its_tag() {
        assert_eq!(
            redact_flags("ok: cryptolab{cbc-bitflip:0123abcd} and cryptolab{x:ff}."),
            "ok: cryptolab{cbc-bitflip:…} and cryptolab{x:…}."
        );
        assert_eq!(redact_flags("no flag"), "no flag");
        assert_eq!(redact_flags("cut cryptolab{abc"), "cut cryptolab{abc");
    }
}
