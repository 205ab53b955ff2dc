//! The classroom wire profiles (`--wire`) against independent peers: for each
//! of the five formats, cryptolab as the client of a Python server and as the
//! server of a Python client (`tests/peers/`, written with the `cryptography`
//! package), exchanging empty, 1-, 15-, 16-, 17-byte, multi-kilobyte and
//! non-ASCII messages. Then the bad inputs (wrong key, bad base64, truncated,
//! wrong HMAC, bad signature, not a PEM, hostile length), the unframed-stream
//! cases (split over reads, two in one read), and the proxy's tampering.

mod common;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use cryptolab::profiles::{Codec, Format, FormatKeys};
use support::chat::Proc;
use support::peers::*;

const FORMATS: [&str; 5] = ["len-iv-ct-hmac", "b64-iv-ct", "b64-ecb", "raw-cbc-static", "rsa-gcm-json"];

/// The messages every format must carry exactly.
fn messages() -> Vec<Vec<u8>> {
    let long: String = (0..300).map(|i| format!("line {i:03}|")).collect();
    assert!(long.len() > 2500);
    vec![
        b"".to_vec(),
        b"a".to_vec(),
        b"fifteen bytes!!".to_vec(),
        b"sixteen bytes!!!".to_vec(),
        b"seventeen bytes!!".to_vec(),
        long.into_bytes(),
        "h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c}\u{8a9e}".as_bytes().to_vec(),
    ]
}

/// The texts of frames in direction `dir` from a `--json` run.
fn texts(out: &str, dir: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "frame" && v["dir"] == dir)
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect()
}

fn our_client(wire: &str, port: u16, keys: &[String], extra: &[&str]) -> Proc {
    let port = port.to_string();
    let mut args = vec!["connect", "--wire", wire, "--json", "127.0.0.1", &port];
    args.extend(keys.iter().map(String::as_str));
    args.extend(extra);
    Proc::spawn(&args)
}

fn our_server(wire: &str, keys: &[String], extra: &[&str]) -> (Proc, u16) {
    let mut args = vec!["serve", "--wire", wire, "--port", "0", "--echo"];
    args.extend(keys.iter().map(String::as_str));
    args.extend(extra);
    let p = Proc::spawn(&args);
    let text = p.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap();
    (p, port)
}

fn utf8(m: &[u8]) -> String {
    String::from_utf8(m.to_vec()).unwrap()
}

/// cryptolab connects to the peer's server and sends every message.
fn we_are_the_client(wire: &str) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = static_key_file(dir.path());
    let (srv, port) = peer_server(wire, &peer_keys(wire, &key_file));
    let msgs = messages();
    let ours = our_keys(wire, &key_file);
    let mut received = Vec::new();
    if wire == "raw-cbc-static" {
        // One message per connection.
        for m in &msgs {
            let mut c = our_client(wire, port, &ours, &["--send", &utf8(m)]);
            assert_eq!(c.wait_exit(), 0, "{}", c.text());
            received.extend(texts(&c.text(), "in"));
        }
    } else {
        let mut c = our_client(wire, port, &ours, &[]);
        for m in &msgs {
            c.say(&utf8(m));
        }
        drop(c.stdin.take());
        assert_eq!(c.wait_exit_within(Duration::from_secs(30)), 0, "{}", c.text());
        received = texts(&c.text(), "in");
    }
    let mut expected: Vec<String> = msgs.iter().map(|m| format!("ok:{}", utf8(m))).collect();
    let mut peer_got = msgs.clone();
    // Only the base64 formats' programs put their end word on the wire:
    // len-iv-ct-hmac's end locally on `quit`, rsa-gcm-json's have none.
    if matches!(wire, "b64-iv-ct" | "b64-ecb") {
        peer_got.push(b"bye".to_vec());
        expected.push("bye".into());
    }
    assert_eq!(received, expected, "{wire}: replies as cryptolab opened them");
    let start = std::time::Instant::now();
    while recv_lines(&srv.text()).len() < peer_got.len() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(recv_lines(&srv.text()), peer_got, "{wire}: what the peer server decrypted\n{}", srv.text());
    assert!(!srv.text().contains("ERROR"), "{}", srv.text());
}

/// The peer's client talks to `cryptolab serve --echo`.
fn we_are_the_server(wire: &str) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = static_key_file(dir.path());
    let (srv, port) = our_server(wire, &our_keys(wire, &key_file), &["--json"]);
    let msgs = messages();
    let keys = peer_keys(wire, &key_file);
    let mut echoed = Vec::new();
    if wire == "raw-cbc-static" {
        for m in &msgs {
            let (code, out) = peer_client(wire, port, &keys, std::slice::from_ref(m));
            assert_eq!(code, 0, "{out}");
            echoed.extend(recv_lines(&out));
        }
    } else {
        let (code, out) = peer_client(wire, port, &keys, &msgs);
        assert_eq!(code, 0, "{wire}: {out}\n--- server ---\n{}", srv.text());
        echoed = recv_lines(&out);
    }
    let mut expected = msgs.clone();
    let mut server_got: Vec<String> = msgs.iter().map(|m| utf8(m)).collect();
    if matches!(wire, "b64-iv-ct" | "b64-ecb") {
        expected.push(b"bye".to_vec());
        server_got.push("bye".into());
    }
    assert_eq!(echoed, expected, "{wire}: what the peer client decrypted");
    srv.wait_for(&format!("\"client {}", if wire == "raw-cbc-static" { msgs.len() } else { 1 }));
    assert_eq!(texts(&srv.text(), "in"), server_got, "{wire}: what cryptolab's server opened");
    assert!(!srv.text().contains("\"error\""), "{}", srv.text());
}

#[test]
fn len_iv_ct_hmac_both_ways() {
    we_are_the_client("len-iv-ct-hmac");
    we_are_the_server("len-iv-ct-hmac");
}

#[test]
fn b64_iv_ct_both_ways() {
    we_are_the_client("b64-iv-ct");
    we_are_the_server("b64-iv-ct");
}

#[test]
fn b64_ecb_both_ways() {
    we_are_the_client("b64-ecb");
    we_are_the_server("b64-ecb");
}

#[test]
fn raw_cbc_static_both_ways() {
    we_are_the_client("raw-cbc-static");
    we_are_the_server("raw-cbc-static");
}

#[test]
fn rsa_gcm_json_both_ways() {
    we_are_the_client("rsa-gcm-json");
    we_are_the_server("rsa-gcm-json");
}

#[test]
fn every_format_is_covered() {
    for wire in FORMATS {
        assert!(Path::new(&script(wire)).exists(), "{wire} has a peer");
    }
}

// ---- bad input ----

fn codec(format: Format, mac: &[u8]) -> Codec {
    let keys = FormatKeys::Aes { key: hex::decode(KEY).unwrap(), mac: Some(mac.to_vec()), iv: None };
    Codec::new(format, &keys).unwrap()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// After a bad input, the server logged `log` and still serves a normal client.
fn still_serves(wire: &str, srv: &Proc, port: u16, log: &str) {
    srv.wait_for(log);
    let dir = tempfile::tempdir().unwrap();
    let keys = our_keys(wire, &static_key_file(dir.path()));
    let mut c = our_client(wire, port, &keys, &["--send", "served after"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert_eq!(texts(&c.text(), "in")[0], "served after");
    assert!(!srv.text().contains("panicked"), "{}", srv.text());
}

#[test]
fn wrong_key_is_named_on_both_sides() {
    // cryptolab's client, wrong key, against the peer: the peer answers in
    // plain text (its padding oracle), and cryptolab says so.
    //
    // A wrong key still gives valid padding by chance for about one message
    // in 256 (the garbage ends in 01): then the message is read as garbage,
    // which is what CBC without a MAC does. So each side gets up to four
    // messages, and one of them must be refused as the test says.
    let (_srv, port) = peer_server("b64-iv-ct", &["--key".into(), KEY.into()]);
    let wrong = ["--key".to_string(), "000102030405060708090a0b0c0d0e0f".to_string()];
    let named = (0..4).any(|_| {
        let mut c = our_client("b64-iv-ct", port, &wrong, &["--send", "hello"]);
        c.wait_exit() == 2
            && c.text().contains("peer answered in plain text: ERROR: bad padding")
            && c.text().contains("hint: both sides need the same keys")
    });
    assert!(named, "four wrong-key messages and none named as such");
    // The peer's client, wrong key, against cryptolab's server.
    let (srv, port) = our_server("b64-iv-ct", &["--key".into(), KEY.into()], &[]);
    let mut refused = None;
    for client in 1..=4 {
        let (code, out) = peer_client("b64-iv-ct", port, &wrong, &[b"hello".to_vec()]);
        let line =
            format!("message 1 from client {client}: bad padding: wrong key, or the ciphertext was changed");
        let start = std::time::Instant::now();
        while !srv.text().contains(&line) && !srv.text().contains(&format!("client {client} left")) {
            assert!(start.elapsed() < std::time::Duration::from_secs(20), "{}", srv.text());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if srv.text().contains(&line) {
            assert_eq!(code, 1, "{out}");
            refused = Some(line);
            break;
        }
    }
    let line = refused.unwrap_or_else(|| panic!("four wrong-key messages, none refused:\n{}", srv.text()));
    still_serves("b64-iv-ct", &srv, port, &line);
}

#[test]
fn bad_base64_is_named_and_the_server_goes_on() {
    let (srv, port) = our_server("b64-iv-ct", &["--key".into(), KEY.into()], &[]);
    connect(port).write_all(b"not*base64").unwrap();
    still_serves(
        "b64-iv-ct",
        &srv,
        port,
        "message 1 from client 1: bad base64: byte 0x2a at offset 3 is not base64",
    );
}

#[test]
fn a_truncated_message_is_named() {
    let keys = our_keys("len-iv-ct-hmac", Path::new(""));
    let (srv, port) = our_server("len-iv-ct-hmac", &keys, &[]);
    let mut s = connect(port);
    s.write_all(&100u32.to_be_bytes()).unwrap();
    s.write_all(&[0u8; 10]).unwrap();
    drop(s);
    still_serves(
        "len-iv-ct-hmac",
        &srv,
        port,
        "message 1 from client 1: truncated message: length prefix says 100 bytes, 10 arrived",
    );
}

#[test]
fn a_hostile_length_is_refused_before_allocating() {
    let keys = our_keys("len-iv-ct-hmac", Path::new(""));
    let (srv, port) = our_server("len-iv-ct-hmac", &keys, &[]);
    connect(port).write_all(&u32::MAX.to_be_bytes()).unwrap();
    still_serves(
        "len-iv-ct-hmac",
        &srv,
        port,
        "client 1: message of 4294967295 bytes is over the 1048576-byte limit",
    );
}

#[test]
fn a_wrong_hmac_is_refused_and_the_connection_goes_on() {
    let keys = our_keys("len-iv-ct-hmac", Path::new(""));
    let (srv, port) = our_server("len-iv-ct-hmac", &keys, &["--quiet"]);
    let mut rng = rand::rng();
    let mut s = connect(port);
    s.write_all(&codec(Format::LenIvCtHmac, b"not the mac key").seal(b"forged", &mut rng)).unwrap();
    let good = codec(Format::LenIvCtHmac, MAC.as_bytes());
    s.write_all(&good.seal(b"genuine", &mut rng)).unwrap();
    // Only the genuine message is echoed, on the same connection.
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut body).unwrap();
    assert_eq!(good.open(&[&len[..], &body].concat()).unwrap(), b"genuine");
    let log = srv.wait_for("client 1: genuine");
    assert!(log.contains("message 1 from client 1: HMAC does not verify"), "{log}");
    assert!(!log.contains("client 1: forged"), "{log}");
}

#[test]
fn a_bad_pem_is_named_and_the_server_goes_on() {
    let (srv, port) = our_server("rsa-gcm-json", &[], &[]);
    connect(port).write_all(b"hello, I am not a key\n").unwrap();
    still_serves(
        "rsa-gcm-json",
        &srv,
        port,
        "message 1 from client 1: not a PEM public key: it starts with \"hello, I am not a key\\n\"",
    );
    // A PEM frame around garbage is refused by the parser, not just the prefix check.
    let mut s = connect(port);
    s.write_all(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").unwrap();
    srv.wait_for("message 1 from client 3: not a PEM public key");
}

#[test]
fn a_bad_signature_is_refused() {
    // The proxy flips a byte of the signature of the client's first message
    // (message 3, after the two handshake messages): nonce 12 + ciphertext 6
    // + tag 16 = 34, so byte 40 is in the signature.
    let (srv, port) = our_server("rsa-gcm-json", &[], &[]);
    let (_proxy, pport) = proxy("rsa-gcm-json", port, &["flip:3:40:01"]);
    let mut c = our_client("rsa-gcm-json", pport, &[], &["--send", "pay 10", "--timeout", "3"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    srv.wait_for("message 3 from client 1: bad signature: RSA-PSS over the plaintext does not verify");
    assert!(!srv.text().contains("client 1: pay 10"), "{}", srv.text());
}

// ---- unframed streams ----

/// Reads one base64 reply (the echo) and opens it.
fn read_b64_reply(s: &mut TcpStream, codec: &Codec, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    s.read_exact(&mut buf).unwrap();
    codec.open(&buf).unwrap()
}

#[test]
fn a_message_split_over_reads_is_decoded() {
    let (srv, port) = our_server("b64-iv-ct", &["--key".into(), KEY.into()], &["--quiet"]);
    let c = codec(Format::B64IvCt, b"");
    let text = b"a message that arrives in three pieces, slowly";
    let msg = c.seal(text, &mut rand::rng());
    let mut s = connect(port);
    s.set_nodelay(true).unwrap();
    for piece in [&msg[..7], &msg[7..50], &msg[50..]] {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    assert_eq!(read_b64_reply(&mut s, &c, msg.len()), text);
    assert!(srv.wait_for("client 1: a message that arrives").contains("in three pieces, slowly"));
}

#[test]
fn two_messages_in_one_read_are_both_decoded_and_ambiguity_reported() {
    let (srv, port) = our_server("b64-iv-ct", &["--key".into(), KEY.into()], &["--quiet"]);
    let c = codec(Format::B64IvCt, b"");
    let mut rng = rand::rng();
    // 16 text bytes → 48 decoded bytes → 64 base64 characters and no '=':
    // back to back, nothing in the bytes says where one ends.
    let (a, b) = (c.seal(b"first, 16 bytes.", &mut rng), c.seal(b"second 16 bytes.", &mut rng));
    assert!(!a.contains(&b'=') && !b.contains(&b'='));
    // With '=' padding the boundary is in the bytes.
    let (p, q) = (c.seal(b"padded one", &mut rng), c.seal(b"padded two", &mut rng));
    let mut s = connect(port);
    s.write_all(&[a.clone(), b.clone(), p.clone(), q.clone()].concat()).unwrap();
    assert_eq!(read_b64_reply(&mut s, &c, a.len()), b"first, 16 bytes.");
    assert_eq!(read_b64_reply(&mut s, &c, b.len()), b"second 16 bytes.");
    assert_eq!(read_b64_reply(&mut s, &c, p.len()), b"padded one");
    assert_eq!(read_b64_reply(&mut s, &c, q.len()), b"padded two");
    let log = srv.wait_for("client 1: padded two");
    // a|b and b|p are each ambiguous without the key's help; p ends in '='.
    assert!(log.contains("client 1: ambiguous: 172 base64 characters with no `=` between messages; read the first 64 as one message"), "{log}");
    assert_eq!(log.matches("ambiguous").count(), 2, "{log}");
}

// ---- the proxy ----

fn proxy(wire: &str, upstream: u16, rules: &[&str]) -> (Proc, u16) {
    let up = format!("127.0.0.1:{upstream}");
    let mut args = vec!["proxy", "--wire", wire, "--listen", "0", "--upstream", &up];
    for rule in rules {
        args.extend(["--tamper", rule]);
    }
    let p = Proc::spawn(&args);
    let text = p.wait_for("proxy listening on 127.0.0.1:");
    let port = text.split("proxy listening on 127.0.0.1:").nth(1).unwrap();
    (p, port[..port.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap())
}

#[test]
fn the_proxy_forges_a_b64_message_the_server_accepts() {
    let (srv, port) = peer_server("b64-iv-ct", &["--key".into(), KEY.into()]);
    // Byte 4 of the decoded message is byte 4 of the IV: '1' ^ 0x08 = '9'.
    let (px, pport) = proxy("b64-iv-ct", port, &["flip:1:4:08"]);
    let mut c = our_client("b64-iv-ct", pport, &["--key".into(), KEY.into()], &["--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert_eq!(texts(&c.text(), "in")[0], "ok:pay 90 to bob", "{}", c.text());
    srv.wait_for(&format!("RECV {}", hex::encode("pay 90 to bob")));
    let log = px.wait_for("flip:1:4:08: byte 4 of frame 1: ");
    assert!(log.contains("message 1 as forwarded, changed bytes marked"), "{log}");
}

#[test]
fn the_proxy_cannot_forge_through_the_hmac() {
    let keys = peer_keys("len-iv-ct-hmac", Path::new(""));
    let (srv, port) = peer_server("len-iv-ct-hmac", &keys);
    // Byte 8 = 4-byte length + IV byte 4.
    let (_px, pport) = proxy("len-iv-ct-hmac", port, &["flip:1:8:08"]);
    let ours = our_keys("len-iv-ct-hmac", Path::new(""));
    let mut c = our_client("len-iv-ct-hmac", pport, &ours, &["--send", "pay 10 to bob", "--timeout", "2"]);
    assert_eq!(c.wait_exit(), 1, "{}", c.text());
    assert!(c.text().contains("no reply from 127.0.0.1:"), "{}", c.text());
    srv.wait_for("ERROR bad hmac");
    assert!(!srv.text().contains(&hex::encode("pay 90 to bob")), "{}", srv.text());
}

#[test]
fn the_proxy_cannot_forge_through_gcm() {
    let (srv, port) = peer_server("rsa-gcm-json", &[]);
    // Message 3 is the first JSON message; byte 12 is its first ciphertext byte.
    let (_px, pport) = proxy("rsa-gcm-json", port, &["flip:3:12:08"]);
    let mut c = our_client("rsa-gcm-json", pport, &[], &["--send", "pay 10 to bob"]);
    assert_eq!(c.wait_exit(), 2, "{}", c.text());
    assert!(c.text().contains("peer answered in plain text: bad gcm tag"), "{}", c.text());
    srv.wait_for("ERROR bad gcm tag");
}

#[test]
fn a_mitm_proxy_swaps_rsa_keys_and_reads_and_rewrites_rsa_gcm_json() {
    // The independent Python server; the proxy gives each side its own RSA
    // public key as the other's, re-wraps the session key and re-signs.
    let (srv, port) = peer_server("rsa-gcm-json", &[]);
    let up = format!("127.0.0.1:{port}");
    let args = [
        "proxy",
        "--wire",
        "rsa-gcm-json",
        "--listen",
        "0",
        "--upstream",
        &up,
        "--mitm",
        "--rewrite",
        "bob=mallory",
    ];
    let px = Proc::spawn(&args);
    let text = px.wait_for("proxy listening on 127.0.0.1:");
    let pport = text.split("proxy listening on 127.0.0.1:").nth(1).unwrap();
    let pport: u16 = pport[..pport.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap();
    let theirs = px.wait_for("its own RSA key, fingerprint ");
    let mallory = theirs.split("its own RSA key, fingerprint ").nth(1).unwrap()[..16].to_string();
    let mut c = Proc::spawn(&[
        "connect",
        "--wire",
        "rsa-gcm-json",
        "--quiet",
        "127.0.0.1",
        &pport.to_string(),
        "--send",
        "pay 10 to bob",
    ]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    // The server executed Mallory's text; the client was answered with its own.
    srv.wait_for(&format!("RECV {}", hex::encode("pay 10 to mallory")));
    assert!(c.text().contains("server: ok:pay 10 to bob"), "{}", c.text());
    // The one trace: the "server key" the client was shown is Mallory's.
    assert!(
        c.text().contains(&format!("server key fingerprint {mallory} (not authenticated")),
        "{}",
        c.text()
    );
    let log = px.wait_for("client 1 left");
    assert!(log.contains("read \"pay 10 to bob\", sent on as \"pay 10 to mallory\""), "{log}");
}

#[test]
fn mitm_is_refused_for_a_format_without_a_key_exchange() {
    let mut p = Proc::spawn(&["proxy", "--wire", "b64-iv-ct", "--listen", "0", "--mitm"]);
    assert_eq!(p.wait_exit(), 2, "{}", p.text());
    assert!(p.text().contains("--mitm takes over a key exchange, and b64-iv-ct has none"), "{}", p.text());
}

// ---- docs/PROTOCOL.md ----

/// The `wire:` line under each `<!-- example: NAME` marker.
fn worked_example(doc: &str, name: &str) -> String {
    let at = doc.find(&format!("<!-- example: {name}")).unwrap_or_else(|| panic!("no example for {name}"));
    let line = doc[at..].lines().find(|l| l.starts_with("wire: ")).unwrap();
    line["wire: ".len()..].to_string()
}

#[test]
fn worked_examples_open() {
    let doc = std::fs::read_to_string("docs/PROTOCOL.md").unwrap();
    let key = hex::decode(KEY).unwrap();
    let open = |format: Format, mac: Option<&[u8]>, iv: Option<[u8; 16]>, key: &[u8], msg: &[u8]| {
        let keys = FormatKeys::Aes { key: key.to_vec(), mac: mac.map(<[u8]>::to_vec), iv };
        Codec::new(format, &keys).unwrap().open(msg).unwrap()
    };
    let hex_of = |s: String| hex::decode(s.replace(' ', "")).unwrap();
    let w = worked_example(&doc, "len-iv-ct-hmac");
    assert_eq!(open(Format::LenIvCtHmac, Some(b"lab mac key"), None, &key, &hex_of(w)), b"hi");
    let w = worked_example(&doc, "b64-iv-ct");
    assert_eq!(open(Format::B64IvCt, None, None, &key, w.as_bytes()), b"hi");
    let w = worked_example(&doc, "b64-ecb");
    assert_eq!(open(Format::B64Ecb, None, None, &key, w.as_bytes()), b"hi");
    let file = std::fs::read("samples/static-iv.key").unwrap();
    let w = worked_example(&doc, "raw-cbc-static");
    let iv: [u8; 16] = file[16..].try_into().unwrap();
    assert_eq!(open(Format::RawCbcStatic, None, Some(iv), &file[..16], &hex_of(w)), b"hi");
    // rsa-gcm-json: the GCM part under the documented session key.
    let w = worked_example(&doc, "rsa-gcm-json");
    let v: serde_json::Value = serde_json::from_str(&w).unwrap();
    use base64::Engine as _;
    let b64 = |f: &str| base64::engine::general_purpose::STANDARD.decode(v[f].as_str().unwrap()).unwrap();
    let session: Vec<u8> = (0..32).collect();
    let gcm = cryptolab::suite::Cipher::new(cryptolab::suite::Suite::Gcm, &session, None).unwrap();
    assert_eq!(gcm.open(&[], &[b64("nonce"), b64("ciphertext")].concat()).unwrap(), b"hi");
}

#[test]
fn the_padding_oracle_decrypts_a_b64_message_through_the_proxy() {
    let (srv, port) = peer_server("b64-iv-ct", &["--key".into(), KEY.into()]);
    let (px, pport) = proxy("b64-iv-ct", port, &[]);
    let secret = b"wire formats leak: 16+ bytes of it";
    let captured = codec(Format::B64IvCt, b"").seal(secret, &mut rand::rng());
    let target = format!("127.0.0.1:{pport}");
    let frame = String::from_utf8(captured).unwrap();
    let mut c = Proc::spawn(&[
        "demo",
        "padding-oracle",
        "--wire",
        "b64-iv-ct",
        "--target",
        &target,
        "--frame",
        &frame,
    ]);
    assert_eq!(c.wait_exit_within(Duration::from_secs(60)), 0, "{}", c.text());
    let expected = format!("BROKEN recovered \"{}\" with ", String::from_utf8_lossy(secret));
    assert!(c.text().contains(&expected), "{}", c.text());
    // The server answered in clear each time the padding was wrong, and the
    // queries went through the proxy (which saw every one).
    assert!(srv.text().matches("ERROR bad padding").count() > 100, "{}", srv.text());
    assert!(px.text().matches("client 1 → server · message").count() > 100);
}

// ---- usage ----

#[test]
fn missing_or_wrong_keys_are_usage_errors() {
    let lab = common::Lab::new();
    let out = lab.run(&["connect", "--wire", "raw-cbc-static", "--send", "x"], b"");
    common::assert_error(
        &out,
        "raw-cbc-static needs --static-key-file FILE",
        "the file holds 32 bytes: the AES-128 key, then the fixed IV",
    );
    let short = lab.write("short.key", b"sixteen bytes!!!");
    let out =
        lab.run(&["serve", "--wire", "raw-cbc-static", "--static-key-file", short.to_str().unwrap()], b"");
    common::assert_error(
        &out,
        &format!("{}: 16 bytes, raw-cbc-static needs exactly 32", short.display()),
        "16 bytes of AES-128 key, then 16 bytes of IV, binary (not hex)",
    );
    let k256 = "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f";
    let out = lab.run(&["connect", "--wire", "len-iv-ct-hmac", "--key", k256, "--mac-key", "text:m"], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("len-iv-ct-hmac uses AES-128: the key must be 16 bytes, not 32"),
        "{}",
        out.stderr
    );
    let out = lab.run(&["connect", "--wire", "len-iv-ct-hmac", "--key", KEY], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("len-iv-ct-hmac needs an HMAC key: give --mac-key"), "{}", out.stderr);
    let not_pem = lab.write("not.pem", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    let out = lab.run(&["serve", "--wire", "rsa-gcm-json", "--rsa-key", not_pem.to_str().unwrap()], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a PKCS#8 RSA private key"), "{}", out.stderr);
    assert!(out.stderr.contains("hint: make one with `openssl genpkey"), "{}", out.stderr);
    // No PEM at all, and an older PKCS#1 file: each told what it is.
    for (text, says) in [
        (&b"hello, not a key\n"[..], "not a PKCS#8 RSA private key: no `-----BEGIN PRIVATE KEY-----` line"),
        (b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "a PKCS#1 key"),
    ] {
        let file = lab.write("other.pem", text);
        let out = lab.run(&["serve", "--wire", "rsa-gcm-json", "--rsa-key", file.to_str().unwrap()], b"");
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert!(!out.stderr.contains("NUL byte"), "{}", out.stderr);
    }
}

#[test]
fn an_openssl_rsa_key_is_used_as_given() {
    let lab = common::Lab::new();
    let pem = lab.path("server.pem");
    let ok = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"])
        .arg(&pem)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let (srv, port) =
        our_server("rsa-gcm-json", &["--rsa-key".into(), pem.display().to_string()], &["--quiet"]);
    let fp = srv.text().split("RSA-2048 key, fingerprint ").nth(1).unwrap()[..16].to_string();
    let mut c = our_client("rsa-gcm-json", port, &[], &["--send", "signed"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(c.text().contains(&format!("server key fingerprint {fp}")), "{fp}\n{}", c.text());
}

#[test]
fn an_rsa_key_readable_by_others_is_warned_about_like_every_key_file() {
    use std::os::unix::fs::PermissionsExt;
    let lab = common::Lab::new();
    let ok = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "me.pem"])
        .current_dir(lab.dir.path())
        .output()
        .unwrap();
    assert!(ok.status.success());
    // Nothing listens there: the keys are loaded (and judged) before connecting.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let args = ["connect", "--wire", "rsa-gcm-json", "--rsa-key", "me.pem", "127.0.0.1", &port];
    let warning = "warning: key file me.pem is readable by other users; run `chmod 600 me.pem`\n";
    for (mode, warned) in [(0o644, true), (0o600, false)] {
        std::fs::set_permissions(lab.path("me.pem"), std::fs::Permissions::from_mode(mode)).unwrap();
        let out = lab.run(&args, b"");
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains("cryptolab: cannot reach 127.0.0.1:"), "{}", out.stderr);
        assert_eq!(out.stderr.contains(warning), warned, "mode {mode:o}: {}", out.stderr);
    }
}

// ---- the server's console ----

#[test]
fn a_lock_step_server_replies_with_what_is_typed() {
    let (mut srv, port) = our_server_no_echo("b64-iv-ct", &["--key".into(), KEY.into()]);
    let keys = ["--key".to_string(), KEY.to_string()];
    let peer =
        std::thread::spawn(move || peer_client("b64-iv-ct", port, &keys, &[b"are you there?".to_vec()]));
    srv.wait_for("client 1 waits for your reply");
    srv.say("yes, typed by hand");
    let (code, out) = peer.join().unwrap();
    assert_eq!(code, 0, "{out}");
    assert_eq!(recv_lines(&out), [b"yes, typed by hand".to_vec(), b"bye".to_vec()]);
}

#[test]
fn a_full_duplex_server_sends_what_is_typed_to_every_client() {
    let keys = our_keys("len-iv-ct-hmac", Path::new(""));
    let (mut srv, port) = our_server_no_echo("len-iv-ct-hmac", &keys);
    let port_s = port.to_string();
    let spawn = || {
        let mut args = vec!["connect", "--wire", "len-iv-ct-hmac", "--quiet", "127.0.0.1", &port_s];
        args.extend(keys.iter().map(String::as_str));
        Proc::spawn(&args)
    };
    // One after the other, so that clients[0] is the server's client 1.
    let first = spawn();
    srv.wait_for("client 1 connected");
    let mut clients = vec![first, spawn()];
    srv.wait_for("client 2 connected");
    srv.say("to everyone");
    for c in &clients {
        c.wait_for("server: to everyone");
    }
    // And the other way: a client's line reaches the server.
    clients[0].say("from client one");
    srv.wait_for("client 1: from client one");
    for c in &mut clients {
        drop(c.stdin.take());
        assert_eq!(c.wait_exit(), 0, "{}", c.text());
    }
    // The client ends locally, as the format's programs do: `quit` is not sent.
    srv.wait_for("client 2 left (disconnected)");
    assert!(!srv.text().contains("client 2: quit"), "{}", srv.text());
}

fn our_server_no_echo(wire: &str, keys: &[String]) -> (Proc, u16) {
    let mut args = vec!["serve", "--wire", wire, "--port", "0", "--quiet"];
    args.extend(keys.iter().map(String::as_str));
    let p = Proc::spawn(&args);
    let text = p.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    (p, port[..port.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap())
}

#[test]
fn a_flood_of_whitespace_is_dropped_not_buffered() {
    let (srv, port) = our_server("b64-iv-ct", &["--key".into(), KEY.into()], &["--quiet"]);
    let c = codec(Format::B64IvCt, b"");
    let mut s = connect(port);
    // Four times the largest message, as spaces and newlines: between
    // messages, so nothing to keep and nothing to report.
    let flood = b" \n".repeat(2 * 1024 * 1024);
    s.write_all(&flood).unwrap();
    let msg = c.seal(b"after the flood", &mut rand::rng());
    s.write_all(&msg).unwrap();
    assert_eq!(read_b64_reply(&mut s, &c, msg.len()), b"after the flood");
    let log = srv.wait_for("client 1: after the flood");
    assert!(!log.contains("* client 1: "), "no error line: {log}");
}

#[test]
fn a_full_duplex_client_keeps_up_while_idle_and_ends_when_the_server_does() {
    let keys = our_keys("len-iv-ct-hmac", Path::new(""));
    let (mut srv, port) = our_server_no_echo("len-iv-ct-hmac", &keys);
    let port_s = port.to_string();
    let mut args = vec!["connect", "--wire", "len-iv-ct-hmac", "--quiet", "127.0.0.1", &port_s];
    args.extend(keys.iter().map(String::as_str));
    let mut c = Proc::spawn(&args);
    srv.wait_for("client 1 connected");
    // More messages than any internal queue holds, while the client types nothing.
    for i in 0..200 {
        srv.say(&format!("push {i}"));
    }
    c.wait_for("server: push 199");
    srv.say("/quit");
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    assert!(c.text().contains("* server closed the connection"), "{}", c.text());
    assert_eq!(c.text().matches("server: push ").count(), 200);
}
