//! Fuzz target: the key-file reader on arbitrary text.
//!
//! Run with `cargo +nightly fuzz run key_file` from the repository root.
//! Whatever the text, parsing gives keys or a typed error, never a panic;
//! and no error quotes a value from the file: a line `enc = <hex>` with a
//! bad key must be named by its line number, not printed.

#![no_main]

use std::path::Path;

use cryptolab::keys::parse_key_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Err(err) = parse_key_file(data, Path::new("fuzz.key"), None) else { return };
    let said = format!("{err} {}", err.hint());
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        // Any long run of hex digits in the file could be a key.
        for word in line.split(|c: char| !c.is_ascii_hexdigit()) {
            if word.len() >= 16 {
                assert!(!said.contains(word), "an error quotes key material: {said}");
            }
        }
    }
});
