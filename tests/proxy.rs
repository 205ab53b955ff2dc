//! The man in the middle, live: real `serve`, real `connect`, and
//! `cryptolab proxy` between them. A flipped byte changes a cbc message
//! (`pay 10` arrives as `pay 90`) and is refused by cbc-hmac and gcm; replay
//! and drop do what they say; the padding oracle recovers a captured secret
//! from `serve --leak-padding-errors` over the network.

mod support;

use support::chat::*;

#[test]
fn flipped_iv_byte_changes_a_cbc_message_undetected() {
    let (srv, port) = server("cbc", &["--echo", "--quiet"]);
    // Frames 1 and 2 are the handshake, 3 the hello, 4 the message; byte 20
    // is IV byte 4, which decides plaintext byte 4. The handshake gives this
    // connection its own keys, and cbc is still malleable under them.
    let (px, pport) = proxy(port, &["--quiet", "--tamper", "flip:4:20:08"]);
    let mut c = client("cbc", pport, &["--quiet", "--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    srv.wait_for("client 1: pay 90 to bob");
    assert!(c.text().contains("server: pay 90 to bob"), "{}", c.text());
    px.wait_for("flip:4:20:08: byte 20 of frame 4:");
}

#[test]
fn the_same_flip_is_refused_by_cbc_hmac_and_gcm() {
    for mode in ["cbc-hmac", "gcm"] {
        let (srv, port) = server(mode, &["--echo", "--quiet"]);
        let (_px, pport) = proxy(port, &["--quiet", "--tamper", "flip:4:20:08"]);
        let mut c = client(mode, pport, &["--quiet", "--send", "pay 10 to bob", "--timeout", "2"]);
        assert_ne!(c.wait_exit(), 0);
        srv.wait_for(
            "frame 4 from client 1: message rejected: wrong key or tampered frame; closing client 1",
        );
        assert!(!srv.text().contains("pay 90"), "{mode}");
    }
}

#[test]
fn replayed_frame_is_caught_by_the_sequence_number() {
    let (srv, port) = server("cbc", &["--echo", "--quiet"]);
    let (px, pport) = proxy(port, &["--quiet", "--tamper", "replay:4"]);
    let mut c = client("cbc", pport, &["--quiet", "--send", "transfer 100 to bob"]);
    c.wait_exit();
    srv.wait_for(
        "frame 5 from client 1: sequence number 1, expected 2: replayed, reordered or dropped frame",
    );
    px.wait_for("replay:4: frame 4 sent twice");
}

#[test]
fn dropped_frame_never_arrives() {
    let (srv, port) = server("gcm", &["--echo", "--quiet"]);
    let (px, pport) = proxy(port, &["--quiet", "--tamper", "drop:4"]);
    let mut c = client("gcm", pport, &["--quiet", "--send", "lost", "--timeout", "1"]);
    assert_eq!(c.wait_exit(), 1, "no reply: {}", c.text());
    px.wait_for("drop:4: frame 4 dropped");
    assert!(!srv.text().contains("client 1: lost"));
}

#[test]
fn frames_are_shown_both_ways_with_their_fields() {
    let (_srv, port) = server("cbc-hmac", &["--echo", "--quiet"]);
    let (px, pport) = proxy(port, &[]);
    let mut c = client("cbc-hmac", pport, &["--quiet", "--send", "hi"]);
    assert_eq!(c.wait_exit(), 0);
    let text = px.wait_for("server → client 1 · frame 3");
    assert!(text.contains("client 1 → server · frame 4"), "{text}");
    for field in ["version", "seq", "length", "iv", "ct[0]", "tag", "ClientHello", "x25519", "finished"] {
        assert!(text.contains(field), "{field}");
    }
}

#[test]
fn upstream_down_is_one_line_and_the_proxy_keeps_listening() {
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (px, pport) = proxy(down, &["--quiet"]);
    for _ in 0..2 {
        let mut c = client("gcm", pport, &["--quiet", "--send", "x", "--timeout", "1"]);
        assert_ne!(c.wait_exit(), 0);
    }
    let text = px.wait_for("closing client 2");
    assert!(text.contains(&format!("cannot reach 127.0.0.1:{down}")), "{text}");
}

#[test]
fn a_rule_that_does_not_parse_names_the_wrong_part() {
    let mut p = Proc::spawn(&["proxy", "--listen", "0", "--tamper", "flip:2:x:01"]);
    assert_eq!(p.wait_exit(), 2);
    assert!(
        p.text().contains("cryptolab: tamper rule `flip:2:x:01`: OFFSET `x` is not a number"),
        "{}",
        p.text()
    );
}

#[test]
fn leak_padding_errors_is_refused_for_authenticated_suites() {
    let mut p =
        Proc::spawn(&["serve", "--mode", "gcm", "--port", "0", "--key", KEY, "--leak-padding-errors"]);
    assert_eq!(p.wait_exit(), 2);
    assert!(
        p.text().contains("cryptolab: --leak-padding-errors is for ecb and cbc, not gcm"),
        "{}",
        p.text()
    );
}

#[test]
fn live_padding_oracle_recovers_a_captured_secret() {
    // With --static-keys a frame from one connection opens on another, so
    // the attacker replays the captured frame's blocks on its own.
    let (srv, port) = server("cbc", &["--echo", "--quiet", "--leak-padding-errors", "--static-keys"]);
    assert!(srv.text().contains("INSECURE: --leak-padding-errors"));
    let (px, pport) = proxy(port, &["--json"]);
    let mut c = client("cbc", pport, &["--quiet", "--static-keys", "--send", "the vault code is 7291"]);
    assert_eq!(c.wait_exit(), 0);
    let text = px.wait_for("client 1 → server · frame 2");
    let frame = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "frame" && v["n"] == 2 && v["peer"] == "client 1 → server")
        .expect("the captured message frame")["hex"]
        .as_str()
        .unwrap()
        .to_string();
    let target = format!("127.0.0.1:{port}");
    let mut attack = Proc::spawn(&["demo", "padding-oracle", "--target", &target, "--frame", &frame]);
    assert_eq!(attack.wait_exit(), 0, "{}", attack.text());
    assert!(attack.text().contains("BROKEN recovered \"the vault code is 7291\""), "{}", attack.text());
    assert!(!attack.text().contains("(demo keys"), "no demo keys in a live attack: {}", attack.text());
    srv.wait_for("bad padding");
}

#[test]
fn the_live_padding_oracle_says_why_a_captured_frame_is_useless_against_the_handshake() {
    // The frame was sealed under another connection's keys; a leaky server
    // that runs the handshake sends nothing until a ClientHello arrives.
    let (_static, sport) = server("cbc", &["--echo", "--quiet", "--static-keys"]);
    let frame = captured_cbc_frame(sport, "the vault code is 7291");
    let (srv, port) = server("cbc", &["--echo", "--quiet", "--leak-padding-errors"]);
    let target = format!("127.0.0.1:{port}");
    let mut attack = Proc::spawn(&["demo", "padding-oracle", "--target", &target, "--frame", &frame]);
    assert_eq!(attack.wait_exit(), 1, "{}", attack.text());
    let text = attack.text();
    assert!(text.contains("sent nothing first: it runs the key-exchange handshake"), "{text}");
    assert!(text.contains("hint: run the server and the client with --static-keys"), "{text}");
    assert!(text.contains("cryptolab proxy --oracle-port PORT"), "{text}");
    assert!(!text.contains("BROKEN"), "{text}");
    assert!(!srv.text().contains("bad padding"), "no query reached the server: {}", srv.text());
}

/// A session through a `--json` proxy, as its JSON lines (the recording an
/// eavesdropper keeps).
fn recorded_session(server_flags: &[&str], client_flags: &[&str]) -> String {
    let mut flags = vec!["--echo", "--quiet"];
    flags.extend(server_flags);
    let (_srv, port) = server("gcm", &flags);
    let (px, pport) = proxy(port, &["--json"]);
    let mut args = vec!["--quiet", "--send", "the vault code is 7291"];
    args.extend(client_flags);
    let mut c = client("gcm", pport, &args);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    px.wait_for("\"event\":\"left\"");
    px.text().lines().filter(|l| l.starts_with('{')).map(|l| format!("{l}\n")).collect()
}

#[test]
fn a_recording_is_read_with_a_stolen_key_file_only_without_the_handshake() {
    let dir = tempfile::tempdir().unwrap();
    for (flags, broken) in [(&["--static-keys"][..], true), (&[][..], false)] {
        let path = dir.path().join("rec.jsonl");
        std::fs::write(&path, recorded_session(flags, flags)).unwrap();
        let rec = path.to_str().unwrap();
        let mut fs =
            Proc::spawn(&["demo", "forward-secrecy", "--recording", rec, "--key", KEY, "--mac-key", MAC]);
        assert_eq!(fs.wait_exit(), 0, "{}", fs.text());
        let text = fs.text();
        if broken {
            assert!(text.contains("read: the vault code is 7291"), "{text}");
            assert!(text.contains("BROKEN recording:"), "{text}");
        } else {
            assert!(!text.contains("7291"), "{text}");
            assert!(text.contains("REFUSED recording: none of 6 sealed frames opened"), "{text}");
            assert!(text.contains("3 handshake frames"), "{text}");
        }
    }
    // A key file that is not the session's, on a recording without a
    // handshake, is said to be the wrong one (exit 2), not claimed secure.
    let path = dir.path().join("rec.jsonl");
    std::fs::write(&path, recorded_session(&["--static-keys"], &["--static-keys"])).unwrap();
    let other = "11".repeat(16);
    let mut fs =
        Proc::spawn(&["demo", "forward-secrecy", "--recording", path.to_str().unwrap(), "--key", &other]);
    assert_eq!(fs.wait_exit(), 2, "{}", fs.text());
    assert!(fs.text().contains("this is not the session's key file"), "{}", fs.text());
    assert!(!fs.text().contains("REFUSED"), "{}", fs.text());
}

#[test]
fn a_mitm_proxy_reads_and_rewrites_an_anonymous_session_and_neither_end_can_tell() {
    // --anonymous takes no key (giving one is refused: it would be unused).
    let srv = Proc::spawn(&["serve", "--mode", "gcm", "--port", "0", "--anonymous", "--echo", "--quiet"]);
    let text = srv.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port: u16 = port[..port.find(' ').unwrap()].parse().unwrap();
    let (px, pport) = proxy(port, &["--mitm", "--rewrite", "bob=mallory"]);
    let pport = pport.to_string();
    let mut c = Proc::spawn(&[
        "connect",
        "--mode",
        "gcm",
        "127.0.0.1",
        &pport,
        "--anonymous",
        "--quiet",
        "--send",
        "pay 10 to bob",
    ]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    // The client sees its own text echoed; the server executed Mallory's.
    assert!(c.text().contains("server: pay 10 to bob"), "{}", c.text());
    srv.wait_for("client 1: pay 10 to mallory");
    let log = px.wait_for("client 1 left");
    assert!(log.contains("read \"pay 10 to bob\", sent on as \"pay 10 to mallory\""), "{log}");
    assert!(!srv.text().contains("handshake failed") && !c.text().contains("handshake failed"));
}

#[test]
fn a_mitm_proxy_fails_against_the_key_file_and_both_ends_say_so() {
    let (srv, port) = server("gcm", &["--echo", "--quiet"]);
    let (px, pport) = proxy(port, &["--mitm", "--rewrite", "bob=mallory"]);
    let mut c = client("gcm", pport, &["--quiet", "--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    assert!(
        c.text().contains("cryptolab: handshake failed: the server's Finished MAC does not verify"),
        "{}",
        c.text()
    );
    srv.wait_for("handshake failed: the client ended the handshake: our Finished MAC did not verify");
    px.wait_for("client 1 left");
    assert!(!srv.text().contains("pay 10"), "{}", srv.text());
}

#[test]
fn the_padding_oracle_runs_inside_the_victims_own_session_through_the_proxy() {
    // The server runs the handshake (no --static-keys): only the victim's
    // connection has the keys. The proxy lets the attacker's forged frames
    // into that connection, renumbered, and hands back the server's answers.
    let (srv, port) = server("cbc", &["--echo", "--quiet", "--leak-padding-errors"]);
    let (px, pport) = proxy(port, &["--json", "--oracle-port", "0"]);
    let text = px.wait_for("are let into the latest session");
    let oracle = text.split("attackers on ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    let mut c = client("cbc", pport, &["--quiet", "--send", "the vault code is 7291"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    let log = px.wait_for("its session stays open");
    let frame = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "frame" && v["n"] == 4)
        .expect("the victim's message, frame 4 (after the handshake and the hello)")["hex"]
        .as_str()
        .unwrap()
        .to_string();
    let mut attack = Proc::spawn(&["demo", "padding-oracle", "--target", &oracle, "--frame", &frame]);
    assert_eq!(attack.wait_exit(), 0, "{}", attack.text());
    assert!(attack.text().contains("BROKEN recovered \"the vault code is 7291\""), "{}", attack.text());
    srv.wait_for("bad padding");
}

#[test]
fn the_oracle_relay_takes_a_hostile_sequence_number_without_panicking() {
    use std::io::Write;
    let (_srv, port) = server("cbc", &["--echo", "--quiet", "--leak-padding-errors"]);
    let (px, pport) = proxy(port, &["--quiet", "--oracle-port", "0"]);
    px.wait_for("are let into the latest session");
    // A frame numbered u64::MAX: the relay counts the next one after it.
    let header = cryptolab::wire::Header {
        suite: cryptolab::suite::Suite::Cbc,
        kind: cryptolab::wire::Kind::Message,
        seq: u64::MAX,
        len: 32,
    };
    let mut s = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    s.write_all(&[&header.encode()[..], &[0u8; 32]].concat()).unwrap();
    drop(s);
    px.wait_for("client 1 left");
    let mut c = client("cbc", pport, &["--quiet", "--send", "still here"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(!px.text().contains("panicked"), "{}", px.text());
}

/// A stand-in for the real server: accepts one connection and keeps every
/// byte it receives until the proxy closes it.
fn recording_upstream() -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        use std::io::Read;
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    (port, handle)
}

/// Sends `chunks` through a fresh proxy (no tamper rules) to a recording
/// upstream, a pause between chunks, then closes; returns what arrived.
fn through_proxy(wire: &str, chunks: &[&[u8]]) -> Vec<u8> {
    use std::io::Write;
    let (up, recorded) = recording_upstream();
    let (_px, pport) = proxy(up, &["--quiet", "--wire", wire]);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    for chunk in chunks {
        c.write_all(chunk).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    c.shutdown(std::net::Shutdown::Write).unwrap();
    recorded.join().unwrap()
}

#[test]
fn the_proxy_passes_every_byte_through_unchanged_parsed_or_not() {
    let c = cipher(cryptolab::suite::Suite::Cbc);
    let mut sealer = cryptolab::session::Sealer::new(c);
    let hello = sealer.seal(cryptolab::wire::Kind::Hello, b"mallory");
    let message = sealer.seal(cryptolab::wire::Kind::Message, b"pay 10 to bob");
    let mut hostile = message[..16].to_vec();
    hostile[12..16].copy_from_slice(&u32::MAX.to_be_bytes()); // a length over any limit
    let native: Vec<&[u8]> = vec![
        &hello,
        &message,
        &message[..7],      // half a header…
        &message[7..],      // …and the rest of the frame, later
        b"\x00garbage\xff", // not a frame: from here on, passed through unparsed
        &message,
        &hostile,
        &message[..10], // a cut frame at the end
    ];
    let sent: Vec<u8> = native.concat();
    assert_eq!(through_proxy("native", &native), sent, "native: byte for byte");

    // A text format: blank lines, CRLF, spaces, a line that is not base64,
    // and a last line with no newline.
    let b64: Vec<&[u8]> = vec![
        b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        b"\n\r\n  \n",
        b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n",
        b"not base64 at all!\n",
        b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    ];
    let sent: Vec<u8> = b64.concat();
    let got = through_proxy("b64-iv-ct", &b64);
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&sent), "b64-iv-ct: byte for byte");
}

#[test]
fn a_connection_over_the_proxys_memory_budget_is_passed_on_without_losing_a_byte() {
    use std::io::Write;
    // A header claiming a 1 MiB body against a 1 MiB budget: the frame can
    // never be held whole, so the proxy stops parsing this connection —
    // and passes on what it held as well as what comes after.
    let (up, recorded) = recording_upstream();
    let (px, pport) = proxy(up, &["--quiet", "--memory-budget", "1"]);
    let header = cryptolab::wire::Header {
        suite: cryptolab::suite::Suite::Gcm,
        kind: cryptolab::wire::Kind::Message,
        seq: 0,
        len: 1 << 20,
    };
    let body: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let sent = [&header.encode()[..], &body, b"REST-OF-STREAM"].concat();
    let mut c = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    c.write_all(&sent).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let got = recorded.join().unwrap();
    assert_eq!(got.len(), sent.len(), "every byte arrived");
    assert!(got == sent, "byte for byte, in order");
    let log = px.wait_for("passing the rest through unparsed");
    assert!(log.contains("memory budget"), "{log}");
}

#[test]
fn a_frame_that_never_completes_is_passed_on_after_the_proxys_frame_timeout() {
    use std::io::{Read, Write};
    // Two bytes that could begin a header, then silence: the proxy waits
    // --frame-timeout for the rest, then passes on what it has.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let up = listener.local_addr().unwrap().port();
    let (_px, pport) = proxy(up, &["--quiet", "--frame-timeout", "1"]);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    let started = std::time::Instant::now();
    c.write_all(b"GO").unwrap();
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(8))).unwrap();
    let mut got = [0u8; 2];
    s.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"GO");
    assert!(started.elapsed() < std::time::Duration::from_secs(6), "{:?}", started.elapsed());
    drop(c);
}

#[test]
fn the_proxy_closes_a_silent_connection_after_its_idle_timeout() {
    use std::io::Read;
    let (up, recorded) = recording_upstream();
    let (px, pport) = proxy(up, &["--quiet", "--idle-timeout", "1"]);
    let mut c = std::net::TcpStream::connect(("127.0.0.1", pport)).unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1];
    assert_eq!(c.read(&mut buf).unwrap(), 0, "the proxy closed the silent client");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "{:?}", started.elapsed());
    assert_eq!(recorded.join().unwrap(), b"", "and the upstream connection, with nothing sent");
    px.wait_for("client 1 left");
}

/// A captured cbc frame: `connect --send` through a `--json` proxy.
fn captured_cbc_frame(port: u16, text: &str) -> String {
    let (px, pport) = proxy(port, &["--json"]);
    let mut c = client("cbc", pport, &["--quiet", "--static-keys", "--send", text]);
    assert_eq!(c.wait_exit(), 0);
    let log = px.wait_for("client 1 → server · frame 2");
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "frame" && v["n"] == 2 && v["peer"] == "client 1 → server")
        .expect("the captured message frame")["hex"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_live_padding_oracle_claims_nothing_against_a_server_that_does_not_leak() {
    // A cbc server that does not leak: every forgery gets the same answer.
    let (_srv, port) = server("cbc", &["--echo", "--quiet", "--static-keys"]);
    let frame = captured_cbc_frame(port, "the vault code is 7291");
    let target = format!("127.0.0.1:{port}");
    let mut attack = Proc::spawn(&["demo", "padding-oracle", "--target", &target, "--frame", &frame]);
    let code = attack.wait_exit();
    let text = attack.text();
    assert_ne!(code, 0, "{text}");
    assert!(!text.contains("BROKEN"), "no break claimed without a signal:\n{text}");
    // This server closes the connection of a client whose frames fail: the
    // attack stops at its test queries, as a network failure.
    assert!(text.contains("cryptolab: connection to ") && text.contains("hint: "), "{text}");
}
