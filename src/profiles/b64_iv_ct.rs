//! `b64-iv-ct`: `base64(IV ‖ AES-CBC(P))`, one message per client line,
//! lock-step — the most common classroom AES program.
//!
//! ```text
//! client                                  server
//!   -> base64(IV ‖ CBC_K(IV, pad(P)))
//!   <- base64(IV' ‖ CBC_K(IV', pad(R)))     (or `ERROR: bad padding` in clear)
//!   -> base64(… "bye")                      ends the session
//! ```
//!
//! CBC per NIST SP 800-38A §6.2, PKCS#7 per RFC 5652 §6.3, base64 per
//! RFC 4648 §4. No length and no delimiter: the framing is in [`super::b64`].
//! INSECURE: nothing authenticates the message, so bits flipped in the IV
//! change the first block at will, and a server that answers bad padding
//! differently is a padding oracle (`cryptolab demo padding-oracle --wire
//! b64-iv-ct`).

use super::b64::Framing;
use super::{Close, Flow, FormatSpec};
use crate::suite::Suite;

/// The format's table row.
pub const SPEC: FormatSpec = FormatSpec {
    name: "b64-iv-ct",
    about: "base64(IV ‖ AES-CBC ciphertext), no framing; lock-step",
    flow: Flow::LockStep,
    close: Close::Word("bye"),
    suite: Suite::Cbc,
    fixed_bits: None,
    text: true,
    settles: true,
    handshake: false,
    insecure: Some("b64-iv-ct has no MAC: anyone on the path can change messages undetected"),
    weakness: "no MAC: bit flips in the IV change the first block at will; error replies are a padding oracle",
    closed_hint: "a one-way program prints the message and closes without a reply (it was delivered): use --flow one-way; one that could not decrypt it closes too: see its log",
    silent_hint: "a one-way program never replies (--flow one-way); a lock-step one may be waiting for its operator to type a reply; raise --timeout",
};

/// Its base64 framing: cbc, so at least an IV and one block.
pub const FRAMING: Framing = Framing { suite: Suite::Cbc, min_decoded: 32 };
