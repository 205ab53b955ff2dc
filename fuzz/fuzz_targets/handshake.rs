//! Fuzz target: the native handshake's parsers on arbitrary bytes.
//!
//! Run with `cargo +nightly fuzz run handshake` from the repository root.
//! The input is taken as each message a peer could send at each step —
//! the ClientHello a server receives, the ServerHello a client receives, the
//! Finished a server receives after a valid ClientHello — and as a frame to
//! dissect. Every one must give a result or a typed error, never a panic;
//! and an input that is not the expected message must never be accepted as
//! a finished handshake (a Finished that verifies needs the key).

#![no_main]

use std::sync::Arc;

use cryptolab::keys::KeyMaterial;
use cryptolab::session::handshake::{self, ClientStart, Config, Psk, ServerWait};
use cryptolab::suite::Suite;
use cryptolab::wire;
use libfuzzer_sys::fuzz_target;

fn config() -> Config {
    let keys = KeyMaterial { enc: vec![7; 16], mac: Some(vec![9; 32]) };
    Config { suite: Suite::Gcm, psk: Some(Arc::new(Psk::new(&keys))), aes_len: 16 }
}

/// Fixed randomness: the fuzzer's input is the only thing that varies.
fn rng(seed: u64) -> rand::rngs::ChaCha20Rng {
    rand::SeedableRng::seed_from_u64(seed)
}

fuzz_target!(|data: &[u8]| {
    // A server receiving it as a ClientHello.
    let _ = ServerWait::respond(config(), data, &mut rng(1));
    // A client receiving it as the ServerHello: it must not verify.
    let client = ClientStart::new(config(), &mut rng(2));
    assert!(client.finish(data).is_err(), "a ServerHello the fuzzer made verified");
    // A server receiving it as the Finished, after a real ClientHello.
    let client = ClientStart::new(config(), &mut rng(3));
    if let Ok((wait, _)) = ServerWait::respond(config(), client.hello(), &mut rng(4)) {
        assert!(wait.finish(data).is_err(), "a Finished the fuzzer made verified");
    }
    // Dissected as a frame, and as a handshake body.
    if let Ok((header, _)) = wire::decode_frame(data, u32::MAX) {
        let _ = wire::frame_spans(&header, data.len());
    }
    let _ = handshake::body_spans(data, 0);
});
