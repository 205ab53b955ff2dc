//! Shared by the chat tests: the real `cryptolab` binary as a server or a
//! client process, its output collected as it arrives, and frames made with
//! the library for hand-made hostile clients.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cryptolab::keys::KeyMaterial;
use cryptolab::session::handshake;
use cryptolab::session::{Opener, Sealer};
use cryptolab::suite::{Cipher, Suite};

pub const KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
pub const MAC: &str = "text:lab mac key";

/// A running process whose output is collected as it arrives.
pub struct Proc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub out: Arc<Mutex<String>>,
}

impl Proc {
    pub fn spawn(args: &[&str]) -> Proc {
        Proc::spawn_program(env!("CARGO_BIN_EXE_cryptolab").as_ref(), args)
    }

    /// Any program (a Python peer), run like `spawn` runs cryptolab.
    pub fn spawn_program(program: &std::path::Path, args: &[&str]) -> Proc {
        Proc::spawn_env(program, args, &[])
    }

    /// [`Proc::spawn_program`] with more environment variables.
    pub fn spawn_env(program: &std::path::Path, args: &[&str], vars: &[(&str, String)]) -> Proc {
        let mut child = Command::new(program)
            .args(args)
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .env("NO_COLOR", "1")
            // Lines whole, as the tests search them (tests/width.rs checks wrapping).
            .env("COLUMNS", "1000")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = Arc::new(Mutex::new(String::new()));
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let out = out.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        let stdin = child.stdin.take();
        Proc { child, stdin, out }
    }

    pub fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Waits until the output contains `needle`; panics with the output after 20 s.
    pub fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "never saw {needle:?} in:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn say(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    pub fn wait_exit(&mut self) -> i32 {
        self.wait_exit_within(Duration::from_secs(10))
    }

    pub fn wait_exit_within(&mut self, limit: Duration) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(50)); // let the readers drain
                return status.code().unwrap_or(-1);
            }
            assert!(start.elapsed() < limit, "did not exit:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cryptolab serve` on a free port; returns it and the port.
pub fn server(mode: &str, extra: &[&str]) -> (Proc, u16) {
    let mut args = vec!["serve", "--mode", mode, "--port", "0", "--key", KEY, "--mac-key", MAC];
    args.extend(extra);
    let p = Proc::spawn(&args);
    let text = p.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find(' ').unwrap()].parse().unwrap();
    (p, port)
}

/// Starts `cryptolab proxy` on a free port in front of `upstream`; returns it and its port.
pub fn proxy(upstream: u16, extra: &[&str]) -> (Proc, u16) {
    let up = format!("127.0.0.1:{upstream}");
    let mut args = vec!["proxy", "--listen", "0", "--upstream", &up];
    args.extend(extra);
    let p = Proc::spawn(&args);
    let text = p.wait_for("proxy listening on 127.0.0.1:");
    let port = text.split("proxy listening on 127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find(',').unwrap()].parse().unwrap();
    (p, port)
}

pub fn client(mode: &str, port: u16, extra: &[&str]) -> Proc {
    let port = port.to_string();
    let mut args = vec!["connect", "--mode", mode, "127.0.0.1", &port, "--key", KEY, "--mac-key", MAC];
    args.extend(extra);
    Proc::spawn(&args)
}

/// `connect --send` to an echoing server must get its text back.
pub fn assert_still_serves(mode: &str, port: u16, text: &str) {
    assert_still_serves_with(mode, port, text, &[]);
}

/// As [`assert_still_serves`], with more `connect` flags (`--static-keys`).
pub fn assert_still_serves_with(mode: &str, port: u16, text: &str, extra: &[&str]) {
    let mut args = vec!["--quiet", "--send", text];
    args.extend(extra);
    let mut c = client(mode, port, &args);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(c.text().contains(&format!("server: {text}")), "{}", c.text());
}

pub fn cipher(suite: Suite) -> Arc<Cipher> {
    Arc::new(Cipher::new(suite, &hex::decode(KEY).unwrap(), Some(b"lab mac key")).unwrap())
}

/// A hand-made client, connected. A server with the handshake sends nothing
/// before the ClientHello, so there is nothing unread when this closes (a
/// clean FIN, not a reset that races with the server's log).
pub fn raw(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// A hand-made client of a `--static-keys` server: it has read the server's
/// hello, which that server sends first.
pub fn raw_static(port: u16) -> TcpStream {
    let mut s = raw(port);
    read_one(&mut s);
    s
}

/// Reads one native frame, whole.
pub fn read_one(s: &mut TcpStream) -> Vec<u8> {
    let mut frame = vec![0u8; 16];
    s.read_exact(&mut frame).unwrap();
    let len = u32::from_be_bytes(frame[12..16].try_into().unwrap()) as usize;
    frame.resize(16 + len, 0);
    s.read_exact(&mut frame[16..]).unwrap();
    frame
}

/// The handshake settings of the test key, as `--key KEY --mac-key MAC` give.
pub fn handshake_config(suite: Suite) -> handshake::Config {
    let keys = KeyMaterial { enc: hex::decode(KEY).unwrap(), mac: Some(b"lab mac key".to_vec()) };
    handshake::Config { suite, psk: Some(Arc::new(handshake::Psk::new(&keys))), aes_len: 16 }
}

/// A hand-made client that has done the handshake with the test key (the
/// library's own client side, driven by hand over a blocking socket) and has
/// read the server's sealed hello: it seals and opens with this
/// connection's keys.
pub fn keyed(port: u16, suite: Suite) -> (TcpStream, Sealer, Opener) {
    let k = keyed_recorded(port, suite);
    (k.stream, k.sealer, k.opener)
}

/// A [`keyed`] client, with what went over the wire.
pub struct Keyed {
    pub stream: TcpStream,
    pub sealer: Sealer,
    pub opener: Opener,
    /// What this client sent: its ClientHello and Finished.
    pub sent: Vec<u8>,
    /// The server's sealed hello, as it arrived.
    pub server_hello: Vec<u8>,
}

pub fn keyed_recorded(port: u16, suite: Suite) -> Keyed {
    let mut stream = raw(port);
    let start = handshake::ClientStart::new(handshake_config(suite), &mut rand::rng());
    let mut sent = start.hello().to_vec();
    stream.write_all(start.hello()).unwrap();
    let server_handshake = read_one(&mut stream);
    let (finished, keys) = start.finish(&server_handshake).unwrap();
    stream.write_all(&finished).unwrap();
    sent.extend(&finished);
    let mut opener = Opener::new(Arc::new(keys.server_to_client), "server".into(), "you speak");
    let server_hello = read_one(&mut stream);
    opener.open(&server_hello).unwrap();
    Keyed { stream, sealer: Sealer::new(Arc::new(keys.client_to_server)), opener, sent, server_hello }
}

/// A server with one message already delivered, for the bad-input cases.
pub fn server_with_history(mode: &str, extra: &[&str]) -> (Proc, u16) {
    let mut args = vec!["--echo", "--quiet"];
    args.extend(extra);
    let (srv, port) = server(mode, &args);
    let static_keys: &[&str] = if extra.contains(&"--static-keys") { &["--static-keys"] } else { &[] };
    assert_still_serves_with(mode, port, "delivered before", static_keys);
    (srv, port)
}

pub fn after_bad_input(srv: &Proc, port: u16, mode: &str, log: &str) {
    after_bad_input_with(srv, port, mode, log, &[]);
}

/// As [`after_bad_input`], for a `--static-keys` server.
pub fn after_bad_input_static(srv: &Proc, port: u16, mode: &str, log: &str) {
    after_bad_input_with(srv, port, mode, log, &["--static-keys"]);
}

fn after_bad_input_with(srv: &Proc, port: u16, mode: &str, log: &str, extra: &[&str]) {
    srv.wait_for(log);
    assert_still_serves_with(mode, port, "served after", extra);
    let text = srv.text();
    assert!(text.contains("client 1: delivered before"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}
