//! The native handshake against an independent implementation: the worked
//! example of docs/PROTOCOL.md ("The handshake") computed by cryptolab and by
//! `tests/peers/handshake_example.py` (Python's `cryptography`, the key
//! schedule written out from the document), and shown by the document.
//! The X25519 keys are RFC 7748 §6.1's, so the shared secret is checked
//! against the RFC too.

mod support;

use std::sync::Arc;

use cryptolab::keys::KeyMaterial;
use cryptolab::session::handshake::{ClientStart, Config, Psk, ServerWait};
use cryptolab::suite::Suite;
use x25519_dalek::StaticSecret;

fn secret(hex: &str) -> StaticSecret {
    StaticSecret::from(<[u8; 32]>::try_from(hex::decode(hex).unwrap()).unwrap())
}

fn range(from: u8) -> [u8; 32] {
    std::array::from_fn(|i| from + i as u8)
}

/// The example's values, one `name = hex` line each, as cryptolab computes them.
fn cryptolab_lines() -> Vec<String> {
    let keys = KeyMaterial { enc: (0..16).collect(), mac: Some((0x10..0x30).collect()) };
    let config = Config { suite: Suite::Gcm, psk: Some(Arc::new(Psk::new(&keys))), aes_len: 16 };
    let client = ClientStart::with(
        config.clone(),
        range(0x00),
        secret("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    );
    let ch = client.hello().to_vec();
    let (server, sh) = ServerWait::respond_with(
        config,
        &ch,
        range(0x20),
        secret("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
    )
    .unwrap();
    let (fin, ck) = client.finish(&sh).unwrap();
    let sk = server.finish(&fin).unwrap();
    assert_eq!(ck.trace.master, sk.trace.master, "both sides agree");
    // Each direction's key, shown by what it seals: the client's frames open
    // with the server's opening key, not with the other direction's.
    let probe = ck.client_to_server.seal(b"", b"probe", &mut rand::rng());
    assert_eq!(sk.client_to_server.open(b"", &probe).unwrap(), b"probe");
    assert!(sk.server_to_client.open(b"", &probe).is_err());
    let t = &ck.trace;
    let mut c_key = [0u8; 16];
    let mut s_key = [0u8; 16];
    cryptolab::session::handshake::expand_label(&t.c_traffic, "key", b"", &mut c_key);
    cryptolab::session::handshake::expand_label(&t.s_traffic, "key", b"", &mut s_key);
    [
        ("client_hello", ch),
        ("server_hello", sh),
        ("client_finished", fin),
        ("dhe", t.dhe.to_vec()),
        ("early", t.early.to_vec()),
        ("handshake", t.handshake.to_vec()),
        ("master", t.master.to_vec()),
        ("c_traffic", t.c_traffic.to_vec()),
        ("s_traffic", t.s_traffic.to_vec()),
        ("c_key", c_key.to_vec()),
        ("s_key", s_key.to_vec()),
    ]
    .into_iter()
    .map(|(name, value)| format!("{name} = {}", hex::encode(value)))
    .collect()
}

#[test]
fn the_shared_secret_is_rfc_7748s() {
    let lines = cryptolab_lines();
    assert!(
        lines.contains(&"dhe = 4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742".to_string())
    );
}

#[test]
fn python_computes_the_same_handshake_from_the_document() {
    let out = std::process::Command::new(support::peers::python())
        .arg("tests/peers/handshake_example.py")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let python: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    assert_eq!(python, cryptolab_lines());
}

#[test]
fn protocol_md_shows_the_worked_example() {
    let doc = std::fs::read_to_string("docs/PROTOCOL.md").unwrap();
    for line in cryptolab_lines() {
        // Long values are wrapped in the document: compare without the breaks.
        let (name, value) = line.split_once(" = ").unwrap();
        let flat: String = doc.split_whitespace().collect();
        assert!(flat.contains(&format!("{name}={value}")), "docs/PROTOCOL.md lacks {line}");
    }
}
