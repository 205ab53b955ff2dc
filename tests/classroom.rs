//! Classroom programs as they really behave (docs/PROTOCOL.md, "How
//! classroom programs behave"), each played by an independent peer in
//! `tests/peers/`: a one-way program, a server that answers everything alike,
//! a server that closes on a bad MAC, a lock-step server whose operator types
//! `bye`, programs that read a message with one `recv()`, a server that
//! neither replies nor closes — and cryptolab doing the right thing against
//! each: the right exit code, nothing sent after the end, the right hint, no
//! break claimed without a signal, and no message split or merged.

mod support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use cryptolab::profiles::{Codec, Format, FormatKeys};
use support::chat::Proc;
use support::peers::*;

/// The peer's AES key options, then `flags`.
fn key_and(flags: &[&str]) -> Vec<String> {
    let mut v = vec!["--key".to_string(), KEY.to_string()];
    v.extend(flags.iter().map(|f| f.to_string()));
    v
}

/// `cryptolab connect --wire WIRE` to the peer on `port`, with the same key.
fn connect(wire: &str, port: u16, extra: &[&str]) -> Proc {
    let port = port.to_string();
    let mut args = vec!["connect", "--wire", wire, "127.0.0.1", &port, "--key", KEY];
    args.extend(extra);
    Proc::spawn(&args)
}

/// `cryptolab connect --wire len-iv-ct-hmac` to `port` with the AES key,
/// the MAC key `mac` (as text), then `extra`.
fn connect_len(port: u16, mac: &str, extra: &[&str]) -> Proc {
    let (port, mac) = (port.to_string(), format!("text:{mac}"));
    let mut args =
        vec!["connect", "--wire", "len-iv-ct-hmac", "127.0.0.1", &port, "--key", KEY, "--mac-key", &mac];
    args.extend(extra);
    Proc::spawn(&args)
}

/// Waits (5 s at most) until the peer has printed `n` RECV lines; returns them.
fn received(peer: &Proc, n: usize) -> Vec<Vec<u8>> {
    let start = Instant::now();
    while recv_lines(&peer.text()).len() < n && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    recv_lines(&peer.text())
}

fn codec(format: Format) -> Codec {
    let keys = FormatKeys::Aes { key: hex::decode(KEY).unwrap(), mac: None, iv: None };
    Codec::new(format, &keys).unwrap()
}

#[test]
fn a_one_way_program_gets_its_message_and_connect_exits_0_typed_or_sent() {
    let (peer, port) = peer_server("b64-iv-ct", &key_and(&["--one-way"]));
    let mut c = connect("b64-iv-ct", port, &["--flow", "one-way", "--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(c.text().contains("no reply expected"), "{}", c.text());
    // Typed: the same flow, the same end (the two used to disagree).
    let mut c = connect("b64-iv-ct", port, &["--flow", "one-way"]);
    c.say("typed by hand");
    assert_eq!(c.wait_exit_within(Duration::from_secs(10)), 0, "{}", c.text());
    assert_eq!(received(&peer, 2), [b"pay 10 to bob".to_vec(), b"typed by hand".to_vec()]);
    // One message per connection: a second --send is refused before connecting.
    let mut c = connect("b64-iv-ct", port, &["--flow", "one-way", "--send", "a", "--send", "b"]);
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    // b64-iv-ct's default is lock-step: against this program the reply never
    // comes, and the hint says what the program did and what to use.
    let mut c = connect("b64-iv-ct", port, &["--send", "hello"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    assert!(c.text().contains("closed the connection without replying"), "{}", c.text());
    assert!(c.text().contains("use --flow one-way"), "{}", c.text());
    assert!(!peer.text().contains("ERROR"), "{}", peer.text());
}

#[test]
fn cryptolab_as_a_one_way_server_takes_the_one_way_client() {
    let mut args = vec!["serve", "--wire", "b64-iv-ct", "--flow", "one-way", "--port", "0", "--key", KEY];
    args.push("--quiet");
    let srv = Proc::spawn(&args);
    let port = port_after(&srv.wait_for("listening on 127.0.0.1:"), "listening on 127.0.0.1:");
    let (code, out) = peer_client("b64-iv-ct", port, &key_and(&["--one-way"]), &[b"one way".to_vec()]);
    assert_eq!(code, 0, "{out}");
    srv.wait_for("client 1: one way");
    srv.wait_for("client 1 left (done (one message per connection))");
}

#[test]
fn a_raw_cbc_static_server_that_never_replies_is_a_clean_end_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let file = static_key_file(dir.path());
    let file = file.to_str().unwrap();
    let srv = Proc::spawn(&["serve", "--wire", "raw-cbc-static", "--static-key-file", file, "--port", "0"]);
    let port = port_after(&srv.wait_for("listening on 127.0.0.1:"), "listening on 127.0.0.1:").to_string();
    let base = ["connect", "--wire", "raw-cbc-static", "--static-key-file", file, "127.0.0.1", &port];
    let mut sent = Proc::spawn(&[&base[..], &["--send", "no reply, please"]].concat());
    assert_eq!(sent.wait_exit(), 0, "{}", sent.text());
    let mut typed = Proc::spawn(&base);
    typed.say("typed, no reply either");
    assert_eq!(typed.wait_exit_within(Duration::from_secs(10)), 0, "{}", typed.text());
    srv.wait_for("text: typed, no reply either");
}

#[test]
fn a_lock_step_server_that_says_bye_ends_the_session_cleanly() {
    for wire in ["b64-iv-ct", "b64-ecb"] {
        // The server answers message 1, then answers message 2 with `bye` and closes.
        let (peer, port) = peer_server(wire, &key_and(&["--bye-after", "1"]));
        let mut c = connect(wire, port, &["--send", "one", "--send", "two", "--send", "three"]);
        assert_eq!(c.wait_exit(), 0, "{wire}: {}", c.text());
        assert!(c.text().contains("* server ended the session; 1 line not sent"), "{wire}: {}", c.text());
        assert_eq!(received(&peer, 2), [b"one".to_vec(), b"two".to_vec()], "{wire}: nothing after bye");
        assert!(!peer.text().contains("ERROR"), "{wire}: {}", peer.text());
        // Typed, with the input still open: the session ends at the bye,
        // not at the idle timeout.
        let mut c = connect(wire, port, &["--quiet"]);
        c.say("first");
        c.say("second");
        assert_eq!(c.wait_exit_within(Duration::from_secs(10)), 0, "{wire}: {}", c.text());
        assert!(c.text().contains("server: bye"), "{wire}: {}", c.text());
    }
}

#[test]
fn a_len_iv_ct_hmac_server_that_closes_on_a_bad_mac_is_named() {
    let mut keys = vec!["--key".to_string(), KEY.to_string(), "--mac-key".into(), MAC.into()];
    keys.push("--close-on-bad-mac".into());
    let (peer, port) = peer_server("len-iv-ct-hmac", &keys);
    let start = Instant::now();
    let mut c = connect_len(port, "not the mac key", &["--send", "hello"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    assert!(start.elapsed() < Duration::from_secs(4), "the close is the answer: no wait for a timeout");
    assert!(c.text().contains("closed the connection without replying"), "{}", c.text());
    assert!(c.text().contains("MAC does not verify"), "{}", c.text());
    peer.wait_for("ERROR bad hmac");
}

#[test]
fn a_len_iv_ct_hmac_client_ends_locally_on_quit() {
    let keys = vec!["--key".to_string(), KEY.to_string(), "--mac-key".into(), MAC.into()];
    let (peer, port) = peer_server("len-iv-ct-hmac", &keys);
    let mut c = connect_len(port, MAC, &[]);
    c.say("hello");
    c.wait_for("text: ok:hello");
    c.say("quit");
    assert_eq!(c.wait_exit_within(Duration::from_secs(10)), 0, "{}", c.text());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(recv_lines(&peer.text()), [b"hello".to_vec()], "quit is not put on the wire");
}

#[test]
fn send_without_a_reply_waits_one_timeout_and_its_hint_fits_the_format() {
    // A server that takes everything and says nothing, and does not close:
    // one verified and waiting for its operator.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { break };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                std::thread::sleep(Duration::from_secs(30));
            });
        }
    });
    let start = Instant::now();
    let mut c = connect_len(port, MAC, &["--send", "hi", "--timeout", "2"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    let waited = start.elapsed();
    assert!(waited < Duration::from_millis(3500), "one wait of 2 s, not two: {waited:?}");
    assert!(
        c.text().contains("no reply from 127.0.0.1:") && c.text().contains("waiting for its operator"),
        "{}",
        c.text()
    );
    // b64 formats have no MAC: no MAC in the hint.
    let start = Instant::now();
    let mut c = connect("b64-iv-ct", port, &["--send", "hi", "--timeout", "2"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    assert!(start.elapsed() < Duration::from_millis(3500));
    assert!(c.text().contains("--flow one-way") && !c.text().contains("verify"), "{}", c.text());
}

#[test]
fn the_live_padding_oracle_finds_no_oracle_in_a_server_that_answers_everything() {
    let (peer, port) =
        peer_server("b64-iv-ct", &key_and(&["--answer-everything", &hex::encode("nothing to say")]));
    let captured = codec(Format::B64IvCt).seal(b"the vault code is 7291", &mut rand::rng());
    let captured = String::from_utf8(captured).unwrap();
    let target = format!("127.0.0.1:{port}");
    let mut attack = Proc::spawn(&[
        "demo",
        "padding-oracle",
        "--wire",
        "b64-iv-ct",
        "--target",
        &target,
        "--frame",
        captured.trim(),
    ]);
    let code = attack.wait_exit();
    let text = attack.text();
    assert_ne!(code, 0, "{text}");
    assert!(
        !text.contains("BROKEN") && !text.contains("vault"),
        "no break claimed without a signal:\n{text}"
    );
    assert!(text.contains("gives no padding signal"), "{text}");
    // A live attack uses no keys of its own, and does not pretend to.
    assert!(!text.contains("demo keys"), "{text}");
    // The peer saw the calibration queries, and said nothing about them on the wire.
    assert!(peer.text().contains("ERROR bad padding"), "{}", peer.text());
}

/// `proxy --wire WIRE` to `upstream` with `rules`; returns it and its port.
fn proxy(wire: &str, upstream: u16, rules: &[&str]) -> (Proc, u16) {
    let up = format!("127.0.0.1:{upstream}");
    let mut args = vec!["proxy", "--wire", wire, "--listen", "0", "--upstream", &up];
    for rule in rules {
        args.extend(["--tamper", rule]);
    }
    let p = Proc::spawn(&args);
    let port = port_after(&p.wait_for("proxy listening on 127.0.0.1:"), "proxy listening on 127.0.0.1:");
    (p, port)
}

/// The port number that follows `prefix` in `text`.
fn port_after(text: &str, prefix: &str) -> u16 {
    let port = text.split(prefix).nth(1).unwrap();
    port[..port.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap()
}

#[test]
fn a_replay_reaches_a_one_recv_program_as_a_message_of_its_own() {
    let (peer, port) = peer_server("b64-iv-ct", &key_and(&["--one-recv"]));
    let (_px, pport) = proxy("b64-iv-ct", port, &["replay:1"]);
    let mut c = connect("b64-iv-ct", pport, &["--send", "transfer 100 to mallory", "--timeout", "5"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    // The copy went as its own write after the server's reply: the program
    // read it as a second message and acted on it again.
    let twice = [b"transfer 100 to mallory".to_vec(), b"transfer 100 to mallory".to_vec()];
    assert_eq!(received(&peer, 2)[..2], twice, "{}", peer.text());
    assert!(!peer.text().contains("ERROR"), "{}", peer.text());
}

#[test]
fn a_replay_reaches_a_one_recv_json_program_without_extra_data() {
    let (peer, port) = peer_server("rsa-gcm-json", &["--one-recv".to_string()]);
    // Message 1 is the client's key, 2 the wrapped session key, 3 the first message.
    let (_px, pport) = proxy("rsa-gcm-json", port, &["replay:3"]);
    let pport = pport.to_string();
    let mut c = Proc::spawn(&[
        "connect",
        "--wire",
        "rsa-gcm-json",
        "127.0.0.1",
        &pport,
        "--send",
        "pay 10 to bob",
        "--timeout",
        "5",
    ]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert_eq!(
        received(&peer, 2)[..2],
        [b"pay 10 to bob".to_vec(), b"pay 10 to bob".to_vec()],
        "{}",
        peer.text()
    );
    assert!(!peer.text().contains("Extra data"), "{}", peer.text());
}

#[test]
fn the_keyless_proxy_keeps_a_message_written_in_two_parts_whole() {
    // One unpadded base64 message (4032 characters, no `=`, no line end),
    // written in two parts 0.3 s apart: each part alone looks complete.
    let text = vec![b'x'; 3000];
    let msg = codec(Format::B64IvCt).seal(&text, &mut rand::rng());
    let msg = msg.trim_ascii();
    assert_eq!((msg.len(), msg.contains(&b'=')), (4032, false));
    let (peer, port) = peer_server("b64-iv-ct", &key_and(&[]));
    let (px, pport) = proxy("b64-iv-ct", port, &[]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    s.write_all(&msg[..2048]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&msg[2048..]).unwrap();
    assert_eq!(received(&peer, 1), [text], "{}", peer.text());
    px.wait_for("server → client 1 · message 1");
    assert!(!px.text().contains("client 1 → server · message 2"), "one message, not two:\n{}", px.text());
}
