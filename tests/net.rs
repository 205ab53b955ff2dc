//! The chat over real sockets on 127.0.0.1 (port 0): the real `serve` binary,
//! real `connect` processes, and hand-made hostile clients.
//!
//! Each bad-input case checks three things: the server logs one line naming
//! the client and the reason, a normal client is served afterwards, and what
//! was delivered before is still there (nothing lost).

mod support;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cryptolab::net::read_frame;
use cryptolab::session::Sealer;
use cryptolab::suite::{Cipher, Suite};
use cryptolab::wire::{Header, Kind};
use support::chat::*;

// ---- chatting ----

#[test]
fn chat_both_ways_in_every_suite() {
    // Every suite of the table, so a new suite is chatted in from its first day.
    assert_eq!(Suite::ALL.len(), 7, "ecb, cbc, ctr, cfb, ofb, cbc-hmac, gcm");
    for suite in Suite::ALL {
        let mode = suite.name();
        let (mut srv, port) = server(mode, &["--quiet"]);
        let mut c = client(mode, port, &["--quiet"]);
        srv.wait_for("client 1 connected");
        c.say("hi from the client");
        srv.wait_for("client 1: hi from the client");
        srv.say("hi from the server");
        c.wait_for("server: hi from the server");
        c.say("quit");
        assert_eq!(c.wait_exit(), 0, "{mode}: {}", c.text());
        srv.wait_for("client 1 left (said goodbye)");
        // The weak suites say so, with the reason from their row, on both sides.
        match suite.insecure_reason() {
            Some(reason) => {
                let banner = format!("INSECURE: {reason}");
                assert!(srv.text().contains(&banner), "{mode} server: {}", srv.text());
                assert!(c.text().contains(&banner), "{mode} client: {}", c.text());
            }
            None => assert!(!srv.text().contains("INSECURE"), "{mode}: {}", srv.text()),
        }
    }
}

#[test]
fn every_frame_is_shown_annotated() {
    let (_srv, port) = server("cbc-hmac", &["--echo"]);
    let mut c = client("cbc-hmac", port, &["--send", "hello"]);
    assert_eq!(c.wait_exit(), 0);
    let text = c.text();
    for field in ["version", "suite", "kind", "seq", "length", "iv", "ct[0]", "tag", "text: hello"] {
        assert!(text.contains(field), "{field} missing:\n{text}");
    }
}

#[test]
fn three_clients_broadcast_to_and_list() {
    let (mut srv, port) = server("gcm", &["--quiet"]);
    // One at a time, so that clients[i] is "client i+1" on the server.
    let clients: Vec<Proc> = (1..=3)
        .map(|i| {
            let c = client("gcm", port, &["--quiet"]);
            srv.wait_for(&format!("client {i} connected"));
            c
        })
        .collect();
    srv.say("/list");
    let text = srv.wait_for("client 3 (127.0.0.1:");
    assert!(text.contains("client 1 (127.0.0.1:") && text.contains("client 2 (127.0.0.1:"));
    srv.say("hello everyone");
    for c in &clients {
        c.wait_for("server: hello everyone");
    }
    srv.say("/to 2 just for two");
    clients[1].wait_for("server: just for two");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!clients[0].text().contains("just for two"));
    assert!(!clients[2].text().contains("just for two"));
    srv.say("/quit");
    assert_eq!(srv.wait_exit(), 0);
    for mut c in clients {
        assert_eq!(c.wait_exit(), 0, "{}", c.text());
        assert!(c.text().contains("* server ended the session"), "{}", c.text());
    }
}

#[test]
fn send_prints_the_reply_and_exits_0() {
    let (_srv, port) = server("gcm", &["--echo", "--quiet"]);
    assert_still_serves("gcm", port, "ping");
}

#[test]
fn send_without_a_reply_times_out_with_status_1() {
    let (_srv, port) = server("gcm", &["--quiet"]);
    let mut c = client("gcm", port, &["--quiet", "--send", "anyone?", "--timeout", "1"]);
    assert_eq!(c.wait_exit(), 1);
    assert!(c.text().contains("no reply from 127.0.0.1:"), "{}", c.text());
}

#[test]
fn ecb_same_block_twice_is_flagged_across_frames() {
    let (_srv, port) = server("ecb", &[]);
    let mut c = client("ecb", port, &[]);
    c.say("YELLOW SUBMARINE");
    c.say("YELLOW SUBMARINE");
    c.wait_for("ct[0] = out#4 ct[0]");
    c.say("quit");
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn piped_stdin_end_of_input_says_goodbye() {
    let (srv, port) = server("cbc", &["--quiet", "--echo"]);
    let mut c = client("cbc", port, &["--quiet"]);
    c.say("one");
    c.say("two");
    drop(c.stdin.take());
    assert_eq!(c.wait_exit(), 0);
    assert!(c.text().contains("server: two"), "replies on their way are still shown:\n{}", c.text());
    srv.wait_for("client 1 left (said goodbye)");
}

#[test]
fn unreachable_server_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut c = client("gcm", port, &["--send", "x"]);
    assert_eq!(c.wait_exit(), 1);
    assert!(c.text().contains(&format!("cryptolab: cannot reach 127.0.0.1:{port}")), "{}", c.text());
}

// ---- lines too long for one message ----

#[test]
fn a_line_over_the_frame_limit_is_refused_and_ends_the_session() {
    let (srv, port) = server("gcm", &["--quiet", "--echo", "--max-frame", "1024"]);
    let mut c = client("gcm", port, &["--quiet", "--max-frame", "1024"]);
    c.say("before");
    c.wait_for("server: before");
    // 1000 bytes of text: a 12-byte nonce + 1000 + a 16-byte tag = 1028 > 1024.
    // One write: the client may exit before a second one reaches its stdin.
    c.say(&format!("{}\nafter", "a".repeat(1000)));
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    let text = c.text();
    assert!(
        text.contains(
            "cryptolab: a 1000-byte line is too long to send: its message would be 1028 bytes, over the \
             1024-byte limit (--max-frame); nothing after it was sent\n  hint: split it into shorter lines"
        ),
        "{text}"
    );
    // The session ended there, with a goodbye: the next line was not sent.
    assert!(!text.contains("server: after"), "{text}");
    srv.wait_for("client 1 left (said goodbye)");
    assert!(!srv.text().contains("client 1: after"), "{}", srv.text());
    assert!(!srv.text().contains("exceeds"), "nothing over the limit reached the server: {}", srv.text());
}

#[test]
fn a_base64_message_is_measured_as_the_server_measures_it_decoded() {
    // b64-iv-ct's limit is on the decoded bytes: a 900-byte line is an
    // IV and 912 bytes of ciphertext (928 ≤ 1024), though its base64 is 1240
    // characters. The client must send it, as the server accepts it.
    let wire = ["--wire", "b64-iv-ct", "--quiet", "--max-frame", "1024"];
    let (srv, port) = server("cbc", &[&wire[..], &["--echo"]].concat());
    let mut c = client("cbc", port, &wire);
    let line = "b".repeat(900);
    c.say(&line);
    c.wait_for(&format!("server: {line}"));
    assert!(srv.text().contains(&format!("client 1: {line}")), "{}", srv.text());
}

#[test]
fn an_endless_stdin_line_is_refused_without_reading_it_all() {
    let (srv, port) = server("gcm", &["--quiet", "--echo"]);
    let mut c = client("gcm", port, &["--quiet"]);
    let mut stdin = c.stdin.take().unwrap();
    // A line with no end: the client must stop reading it, not buffer it.
    let feeder = std::thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        while sent < 1 << 30 && stdin.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    assert_eq!(c.wait_exit_within(Duration::from_secs(20)), 2, "{}", c.text());
    assert!(
        c.text().contains(
            "cryptolab: a line of more than 1048640 bytes is too long to send (--max-frame is 1048576); \
             nothing after it was sent"
        ),
        "{}",
        c.text()
    );
    let sent = feeder.join().unwrap();
    assert!(sent < 16 << 20, "the client read {sent} bytes of one line");
    srv.wait_for("client 1 left (said goodbye)");
}

// ---- mismatches, said in words on both sides ----

#[test]
fn suite_mismatch_is_said_on_both_sides() {
    let (srv, port) = server("gcm", &["--quiet"]);
    let mut c = client("cbc", port, &["--quiet", "--send", "x"]);
    assert_eq!(c.wait_exit(), 2);
    assert!(
        c.text().contains("cryptolab: handshake failed: the server speaks gcm, you speak cbc"),
        "{}",
        c.text()
    );
    assert!(c.text().contains("hint: start both sides with the same --mode"));
    srv.wait_for(
        "frame 1 from client 1: handshake failed: the client speaks cbc, this server speaks gcm; closing client 1",
    );
}

#[test]
fn wrong_key_is_rejected_on_both_sides() {
    let (srv, port) = server("gcm", &["--quiet"]);
    let port_s = port.to_string();
    let mut c = Proc::spawn(&[
        "connect",
        "--mode",
        "gcm",
        "127.0.0.1",
        &port_s,
        "--key",
        &"11".repeat(16),
        "--send",
        "x",
    ]);
    // The server proves the key first (its Finished), so the client finds
    // out, says so, and tells the server with an alert: one line each side,
    // before any message.
    assert_eq!(c.wait_exit(), 2);
    assert!(
        c.text().contains("cryptolab: handshake failed: the server's Finished MAC does not verify"),
        "{}",
        c.text()
    );
    assert!(c.text().contains("hint: both sides need the same key file"), "{}", c.text());
    srv.wait_for(
        "frame 2 from client 1: handshake failed: the client ended the handshake: our Finished MAC \
         did not verify: the two key files differ; closing client 1",
    );
    assert!(!srv.text().contains("client 1: x"), "no message was accepted");
}

#[test]
fn static_keys_on_one_side_only_is_said_on_both_sides() {
    let (srv, port) = server("gcm", &["--quiet"]);
    let mut c = client("gcm", port, &["--quiet", "--static-keys", "--send", "x"]);
    assert_eq!(c.wait_exit(), 2);
    assert!(c.text().contains("INSECURE: --static-keys"), "{}", c.text());
    assert!(c.text().contains("hint: start both sides with or without --static-keys"), "{}", c.text());
    srv.wait_for(
        "handshake failed: the client sent a sealed hello without a handshake: it runs with --static-keys",
    );
}

#[test]
fn a_session_replayed_on_a_new_connection_is_executed_only_with_static_keys() {
    // --static-keys: the recorded hello and transfer, sent again on a new
    // connection, are exactly what a new connection expects.
    let (srv, port) = server("gcm", &["--quiet", "--static-keys"]);
    let mut sealer = Sealer::new(cipher(Suite::Gcm));
    let mut recorded = sealer.seal(Kind::Hello, b"alice");
    recorded.extend(sealer.seal(Kind::Message, b"transfer 100 to bob"));
    raw_static(port).write_all(&recorded).unwrap();
    srv.wait_for("client 1: transfer 100 to bob");
    raw_static(port).write_all(&recorded).unwrap();
    srv.wait_for("client 2: transfer 100 to bob");

    // The handshake: the recorded ClientHello and Finished meet a fresh
    // ServerHello, and the Finished no longer verifies.
    let (srv, port) = server("gcm", &["--quiet"]);
    let mut alice = keyed_recorded(port, Suite::Gcm);
    let mut recorded = alice.sent.clone();
    for (kind, text) in [(Kind::Hello, &b"alice"[..]), (Kind::Message, b"transfer 100 to bob")] {
        let frame = alice.sealer.seal(kind, text);
        alice.stream.write_all(&frame).unwrap();
        recorded.extend(frame);
    }
    srv.wait_for("client 1: transfer 100 to bob");
    let mut replay = raw(port);
    replay.write_all(&recorded).unwrap();
    srv.wait_for(
        "frame 2 from client 2: handshake failed: the client's Finished MAC does not verify \
         (another key file, or a man in the middle); closing client 2",
    );
    assert!(!srv.text().contains("client 2: transfer"), "{}", srv.text());
}

#[test]
fn the_servers_own_frames_sent_back_are_accepted_only_with_static_keys() {
    // --static-keys: the server's hello and a console line, reflected, are
    // seq 0 and 1 under the one key: accepted as the client's.
    let (mut srv, port) = server("gcm", &["--quiet", "--static-keys"]);
    let mut s = raw(port);
    let hello = read_one(&mut s);
    srv.wait_for("client 1 connected");
    srv.say("transfer 100 to bob");
    let line = read_one(&mut s);
    s.write_all(&[hello, line].concat()).unwrap();
    srv.wait_for("client 1: transfer 100 to bob");

    // The handshake: the server's frames are sealed with its own direction's
    // key, and the reflected hello fails its tag at once.
    let (mut srv, port) = server("gcm", &["--quiet"]);
    let mut k = keyed_recorded(port, Suite::Gcm);
    srv.wait_for("client 1 connected");
    srv.say("transfer 100 to bob");
    let line = read_one(&mut k.stream);
    k.stream.write_all(&[k.server_hello.clone(), line].concat()).unwrap();
    srv.wait_for("frame 3 from client 1: message rejected: wrong key or tampered frame; closing client 1");
    assert!(!srv.text().contains("client 1: transfer"), "{}", srv.text());
}

#[test]
fn a_keyless_echo_server_cannot_make_connect_report_a_reply() {
    // A plain TCP echo server: it holds no key and sends back what it gets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = s.try_clone().unwrap();
                let _ = std::io::copy(&mut r, &mut &s);
            });
        }
    });
    let mut c = client("gcm", port, &["--quiet", "--send", "transfer 100 to bob"]);
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    assert!(!c.text().contains("server: transfer 100 to bob"), "{}", c.text());
    assert!(c.text().contains("the server sent our ClientHello back"), "{}", c.text());
    // Today's behaviour, kept behind --static-keys, is fooled: the echoed
    // hello and message open with the same long-term key.
    let mut c = client("gcm", port, &["--quiet", "--static-keys", "--send", "transfer 100 to bob"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(c.text().contains("server: transfer 100 to bob"), "{}", c.text());
}

// ---- bad input never takes the server down ----

#[test]
fn truncated_frame_then_disconnect() {
    let (srv, port) = server_with_history("gcm", &[]);
    let frame = Sealer::new(cipher(Suite::Gcm)).seal(Kind::Hello, b"hello");
    let mut s = raw(port);
    s.write_all(&frame[..frame.len() - 5]).unwrap();
    drop(s);
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 1 from client 2: connection closed mid-frame after 44 of 49 bytes; closing client 2",
    );
}

#[test]
fn disconnect_mid_header() {
    let (srv, port) = server_with_history("gcm", &[]);
    raw(port).write_all(&[1, 4, 1]).unwrap();
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 1 from client 2: connection closed mid-frame after 3 of 16 bytes",
    );
}

#[test]
fn length_field_over_the_limit() {
    let (srv, port) = server_with_history("gcm", &[]);
    let header = Header { suite: Suite::Gcm, kind: Kind::Hello, seq: 0, len: u32::MAX };
    let mut s = raw(port);
    s.write_all(&header.encode()).unwrap();
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 1 from client 2: body length 4294967295 exceeds the 97-byte limit; closing client 2",
    );
}

#[test]
fn before_the_handshake_a_header_may_claim_only_a_handshake_messages_length() {
    // Whatever --max-frame allows later, the first frame is a ClientHello.
    let (srv, port) = server_with_history("gcm", &["--max-frame", "1000000"]);
    let header = Header { suite: Suite::Gcm, kind: Kind::Handshake, seq: 0, len: 1000 };
    raw(port).write_all(&header.encode()).unwrap();
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 1 from client 2: body length 1000 exceeds the 97-byte limit; closing client 2",
    );
}

#[test]
fn max_frame_is_configurable() {
    let (srv, port) = server_with_history("gcm", &["--max-frame", "64"]);
    let (mut s, mut sealer, _) = keyed(port, Suite::Gcm);
    s.write_all(&sealer.seal(Kind::Hello, &[b'a'; 100])).unwrap();
    after_bad_input(&srv, port, "gcm", "frame 3 from client 2: body length 128 exceeds the 64-byte limit");
}

#[test]
fn unknown_version() {
    let (srv, port) = server_with_history("gcm", &[]);
    let mut frame = Sealer::new(cipher(Suite::Gcm)).seal(Kind::Hello, b"hi");
    frame[0] = 7;
    raw(port).write_all(&frame).unwrap();
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 1 from client 2: version 7 is not supported (this is version 1)",
    );
}

#[test]
fn unknown_suite() {
    let (srv, port) = server_with_history("gcm", &[]);
    let mut frame = Sealer::new(cipher(Suite::Gcm)).seal(Kind::Hello, b"hi");
    frame[1] = 9;
    raw(port).write_all(&frame).unwrap();
    after_bad_input(&srv, port, "gcm", "frame 1 from client 2: suite byte 9 names no suite");
}

#[test]
fn wrong_key_bad_tag() {
    // The session's own keys, one byte of the tag changed.
    let (srv, port) = server_with_history("cbc-hmac", &[]);
    let (mut s, mut sealer, _) = keyed(port, Suite::CbcHmac);
    s.write_all(&sealer.seal(Kind::Hello, b"mallory")).unwrap();
    let mut frame = sealer.seal(Kind::Message, b"hi");
    let n = frame.len();
    frame[n - 1] ^= 1;
    s.write_all(&frame).unwrap();
    after_bad_input(
        &srv,
        port,
        "cbc-hmac",
        "frame 4 from client 2: message rejected: wrong key or tampered frame",
    );
}

#[test]
fn wrong_key_bad_tag_with_static_keys() {
    let (srv, port) = server_with_history("cbc-hmac", &["--static-keys"]);
    let other = Arc::new(Cipher::new(Suite::CbcHmac, &[9u8; 16], Some(b"other")).unwrap());
    raw_static(port).write_all(&Sealer::new(other).seal(Kind::Hello, b"hi")).unwrap();
    after_bad_input_static(
        &srv,
        port,
        "cbc-hmac",
        "frame 1 from client 2: message rejected: wrong key or tampered frame",
    );
}

#[test]
fn bad_padding_cbc() {
    let (srv, port) = server_with_history("cbc", &[]);
    let (mut s, mut sealer, _) = keyed(port, Suite::Cbc);
    s.write_all(&sealer.seal(Kind::Hello, b"mallory")).unwrap();
    let mut frame = sealer.seal(Kind::Message, b"hi");
    let n = frame.len();
    frame[n - 17] ^= 0x55; // last byte of the IV/previous block: corrupts the padding byte
    s.write_all(&frame).unwrap();
    after_bad_input(&srv, port, "cbc", "frame 4 from client 2: bad padding");
}

#[test]
fn non_utf8_plaintext_is_shown_escaped_not_dropped() {
    let (srv, port) = server_with_history("gcm", &[]);
    let (s, mut sealer, mut opener) = keyed(port, Suite::Gcm);
    let mut s = s;
    s.write_all(&sealer.seal(Kind::Hello, b"raw")).unwrap();
    s.write_all(&sealer.seal(Kind::Message, b"caf\xe9 \xff")).unwrap();
    let text = srv.wait_for("(not UTF-8, shown escaped)");
    assert!(text.contains("client 2: caf\\xe9 \\xff (not UTF-8, shown escaped)"), "{text}");
    // The echo comes back intact.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    s.set_nonblocking(true).unwrap();
    let mut s = rt.block_on(async { tokio::net::TcpStream::from_std(s) }).unwrap();
    let limits = Default::default();
    let frames: Vec<Vec<u8>> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..1 {
            v.push(read_frame(&mut s, &limits).await.unwrap().unwrap());
        }
        v
    });
    assert_eq!(opener.open(&frames[0]).unwrap().text, b"caf\xe9 \xff");
    after_bad_input(&srv, port, "gcm", "client 2 connected");
}

#[test]
fn random_garbage_bytes() {
    let (srv, port) = server_with_history("gcm", &[]);
    let garbage: Vec<u8> = (0..200u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let _ = raw(port).write_all(&garbage);
    after_bad_input(&srv, port, "gcm", "frame 1 from client 2:");
}

#[test]
fn silent_client_is_closed_after_the_idle_timeout_without_stalling_others() {
    let (srv, port) = server_with_history("gcm", &["--idle-timeout", "1"]);
    let _silent = raw(port);
    assert_still_serves("gcm", port, "while one is silent");
    after_bad_input(
        &srv,
        port,
        "gcm",
        "client 2 left (lost during the handshake: idle for 1 s with no frame)",
    );
}

#[test]
fn one_byte_per_second_client_does_not_stall_others() {
    let (srv, port) = server_with_history("gcm", &["--frame-timeout", "2"]);
    let frame = Sealer::new(cipher(Suite::Gcm)).seal(Kind::Hello, b"slowly");
    let dripper = std::thread::spawn(move || {
        let mut s = raw(port);
        for b in frame {
            if s.write_all(&[b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(400));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    assert_still_serves("gcm", port, "not stalled");
    assert!(start.elapsed() < Duration::from_secs(2), "a normal client waited {:?}", start.elapsed());
    // Two clocks of 2 s run for it: the frame's, and the handshake's.
    after_bad_input(&srv, port, "gcm", "client 2 left (closed: the handshake");
    let log = srv.text();
    assert!(
        log.contains("frame 1 from client 2: frame not completed within 2 s (too slow); closing client 2")
            || log.contains(
                "frame 1 from client 2: no handshake within 2 s (--frame-timeout); closing client 2"
            ),
        "{log}"
    );
    dripper.join().unwrap();
}

#[test]
fn a_handshake_must_finish_within_the_frame_timeout_whatever_the_client_sends() {
    // A ClientHello, then silence: the idle timeout (300 s) never comes into
    // it, the handshake deadline does.
    let (srv, port) = server_with_history("gcm", &["--frame-timeout", "1"]);
    let start =
        cryptolab::session::handshake::ClientStart::new(handshake_config(Suite::Gcm), &mut rand::rng());
    let mut s = raw(port);
    s.write_all(start.hello()).unwrap();
    let began = Instant::now();
    after_bad_input(&srv, port, "gcm", "no handshake within 1 s (--frame-timeout); closing client 2");
    assert!(began.elapsed() < Duration::from_secs(8), "{:?}", began.elapsed());
}

#[test]
fn a_notice_from_a_client_is_not_acted_on_but_closes_it() {
    let (srv, port) = server_with_history("gcm", &[]);
    let (mut s, mut sealer, _) = keyed(port, Suite::Gcm);
    s.write_all(&sealer.seal(Kind::Hello, b"mallory")).unwrap();
    s.write_all(&cryptolab::wire::notice(Suite::Gcm, "* client 7 connected from 10.0.0.1:1")).unwrap();
    after_bad_input(
        &srv,
        port,
        "gcm",
        "frame 4 from client 2: a notice frame from a client: only a server sends them; closing client 2",
    );
}

#[test]
fn json_output_is_one_object_per_frame_and_event() {
    let (srv, port) = server("gcm", &["--echo", "--json"]);
    assert_still_serves("gcm", port, "in json");
    let text = srv.wait_for("\"event\":\"left\"");
    let values: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let frame = values
        .iter()
        .find(|v| v["event"] == "frame" && v["dir"] == "in" && v["kind"] == "message")
        .expect("the message frame");
    assert_eq!(frame["text"], "in json");
    assert_eq!(frame["suite"], "gcm");
    assert_eq!(frame["peer"], "client 1");
    let labels: Vec<&str> =
        frame["spans"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["version", "suite", "kind", "flags", "seq", "length", "nonce", "ct[0]", "tag"]);
    assert!(values.iter().any(|v| v["event"] == "notice" && v["kind"] == "listening"));
}

#[test]
fn control_characters_from_a_peer_are_shown_escaped() {
    // A keyed client tries to forge a log line (LF), clear the screen (ESC),
    // use a C1 control (CSI) and reverse the text (a bidi override).
    let (srv, port) = server_with_history("gcm", &[]);
    let (mut s, mut sealer, _) = keyed(port, Suite::Gcm);
    s.write_all(&sealer.seal(Kind::Hello, b"evil")).unwrap();
    let text = "hi\n* client 7 connected from 10.0.0.1:1\x1b[2J\u{9b}0m\u{202e}olleh";
    s.write_all(&sealer.seal(Kind::Message, text.as_bytes())).unwrap();
    let log = srv.wait_for("olleh");
    assert!(
        log.contains(r"client 2: hi\u{a}* client 7 connected from 10.0.0.1:1\u{1b}[2J\u{9b}0m\u{202e}olleh"),
        "{log}"
    );
    assert!(!log.contains("\n* client 7 connected"), "no forged line: {log}");
    assert!(!log.contains('\x1b') && !log.contains('\u{202e}'), "{log}");
}

// ---- a client that does not read ----

/// A hand-made client that says hello and then never reads.
fn deaf_client(port: u16) -> std::net::TcpStream {
    let (mut s, mut sealer, _) = keyed(port, Suite::Gcm);
    s.write_all(&sealer.seal(Kind::Hello, b"deaf")).unwrap();
    s
}

#[test]
fn a_client_that_does_not_read_is_closed_and_forgotten() {
    let (mut srv, port) = server("gcm", &["--quiet", "--frame-timeout", "1"]);
    // Far more than the socket buffers between us hold, in lines of 1 MB.
    let big = "x".repeat(1_000_000);

    // A broadcast it does not take.
    let _deaf = deaf_client(port);
    srv.wait_for("client 1 connected");
    for _ in 0..20 {
        srv.say(&big);
    }
    let text = srv.wait_for("client 1 left (");
    let left = text.lines().find(|l| l.contains("client 1 left (")).unwrap();
    assert!(
        left.starts_with("* client 1 left (closed: not reading what it is sent (nothing taken for 1 s)"),
        "{left}"
    );
    assert_eq!(text.matches("not reading").count(), 1, "one line says it:\n{text}");
    srv.say("/list");
    srv.wait_for("no clients connected");
    srv.say("/to 1 are you there?");
    srv.wait_for("* client 1 has left: nothing sent (try /list)");

    // `/to` to one that does not read: the same, for that client only.
    let _deaf = deaf_client(port);
    srv.wait_for("client 2 connected");
    let mut c = client("gcm", port, &["--quiet"]);
    srv.wait_for("client 3 connected");
    for _ in 0..20 {
        srv.say(&format!("/to 2 {big}"));
    }
    let text = srv.wait_for("client 2 left (");
    let left = text.lines().find(|l| l.contains("client 2 left (")).unwrap();
    assert!(left.contains("(closed: not reading what it is sent (nothing taken for 1 s)"), "{left}");
    srv.say("/list");
    let text = srv.wait_for("* client 3 (127.0.0.1:");
    let list = text.lines().rfind(|l| l.starts_with("* client 3 (")).unwrap();
    assert!(!list.contains("client 2"), "{list}");
    srv.say("/to 2 still there?");
    srv.wait_for("* client 2 has left: nothing sent (try /list)");
    // The others are still served.
    srv.say("hello, readers");
    c.wait_for("server: hello, readers");
    c.say("quit");
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
}

#[test]
fn a_client_whose_reply_was_tampered_with_names_the_frame_it_refused() {
    // A relay that passes the client's bytes on and flips the last byte
    // (the tag) of the server's third frame — the echo, after the server's
    // handshake message and its hello.
    let (_srv, port) = server("gcm", &["--echo", "--quiet"]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let relay = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        let mut server = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut up_from, mut up_to) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || std::io::copy(&mut up_from, &mut up_to));
        let read = |s: &mut std::net::TcpStream| -> std::io::Result<Vec<u8>> {
            use std::io::Read;
            let mut frame = vec![0u8; 16];
            s.read_exact(&mut frame)?;
            let len = u32::from_be_bytes(frame[12..16].try_into().unwrap()) as usize;
            frame.resize(16 + len, 0);
            s.read_exact(&mut frame[16..])?;
            Ok(frame)
        };
        for n in 1.. {
            let Ok(mut frame) = read(&mut server) else { break };
            if n == 3 {
                *frame.last_mut().unwrap() ^= 1;
            }
            if client.write_all(&frame).is_err() {
                break;
            }
        }
    });
    let mut c = client("gcm", relay, &["--quiet", "--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    assert!(
        c.text().contains("cryptolab: frame 3 from server: message rejected: wrong key or tampered frame"),
        "{}",
        c.text()
    );
    assert!(!c.text().contains("server: pay 10 to bob"), "{}", c.text());
}
