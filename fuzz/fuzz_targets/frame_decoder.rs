//! Fuzz target: the native frame decoder on arbitrary bytes.
//!
//! Run with `cargo +nightly fuzz run frame_decoder` from the repository root.
//! Whatever the input, decoding must return a frame, "need more bytes" or a
//! typed error, and then opening the body in every suite must return a
//! plaintext or a typed error — never panic.

#![no_main]

use cryptolab::suite::{Cipher, Suite};
use cryptolab::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = data;
    while let Ok(Some((header, body, used))) = wire::take_frame(buf, 1 << 16) {
        for suite in Suite::ALL {
            let cipher = Cipher::new(suite, &[7u8; 16], Some(b"fuzz")).expect("valid key");
            let _ = cipher.open(&buf[..wire::HEADER_LEN], body);
        }
        let _ = header;
        buf = &buf[used..];
    }
});
