//! Fuzz target: the classroom formats' decoders on arbitrary bytes — where a
//! message ends (length prefixes, base64 runs with or without `=`, JSON
//! values, PEM keys), opening it under a key, and the proxy's keyless
//! dissection and re-assembly after a tamper.
//!
//! Run with `cargo +nightly fuzz run format_messages` from `fuzz/`. Whatever
//! a peer sends, each step must return a message, "need more", or a typed
//! error naming what is wrong — never panic, never take more than it was
//! given.

#![no_main]

use cryptolab::profiles::{Codec, Expect, Format, FormatKeys, Next, dissect, next_message, reassemble};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = FormatKeys::Aes { key: b"Sixteen byte key".to_vec(), mac: Some(b"mac".to_vec()), iv: Some([7; 16]) };
    let mut expects: Vec<Expect> = Format::ALL.into_iter().map(Expect::Message).collect();
    expects.extend([Expect::Pem, Expect::Exact(256)]);
    for expect in expects {
        let codec = match expect {
            Expect::Message(format) => Codec::new(format, &keys).ok(),
            Expect::Pem | Expect::Exact(_) => None,
        };
        for settled in [false, true] {
            for codec in [codec.as_ref(), None] {
                let mut buf = data;
                // Take messages one by one, as a reader would.
                while let Next::Message { range, consumed, .. } = next_message(expect, buf, settled, codec, 1 << 16) {
                    assert!(range.end <= buf.len() && consumed <= buf.len() && consumed > 0);
                    let msg = &buf[range];
                    if let Some(codec) = codec {
                        let _ = codec.open(msg);
                    }
                    let shown = dissect(expect, msg);
                    let mut changed = shown.bytes.clone();
                    if let Some(b) = changed.first_mut() {
                        *b ^= 1;
                    }
                    let _ = reassemble(expect, msg, &changed);
                    buf = &buf[consumed..];
                }
            }
        }
    }
});
