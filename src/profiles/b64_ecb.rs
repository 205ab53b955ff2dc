//! `b64-ecb`: `base64(AES-ECB(P))`, one message per client line, lock-step.
//!
//! ```text
//! client                         server
//!   -> base64(ECB_K(pad(P)))
//!   <- base64(ECB_K(pad(R)))
//!   -> base64(ECB_K(pad("bye")))   ends the session
//! ```
//!
//! ECB per NIST SP 800-38A §6.1, PKCS#7 per RFC 5652 §6.3, base64 per
//! RFC 4648 §4; the framing is in [`super::b64`]. INSECURE: no IV and no
//! MAC, so equal blocks give equal ciphertext, the same message always looks
//! the same, and blocks can be cut and pasted between messages.

use super::b64::Framing;
use super::{Close, Flow, FormatSpec};
use crate::suite::Suite;

/// The format's table row.
pub const SPEC: FormatSpec = FormatSpec {
    name: "b64-ecb",
    about: "base64(AES-ECB ciphertext), no framing; lock-step",
    flow: Flow::LockStep,
    close: Close::Word("bye"),
    suite: Suite::Ecb,
    fixed_bits: None,
    text: true,
    settles: true,
    handshake: false,
    insecure: Some("b64-ecb has no IV and no MAC: equal blocks show, and messages can be forged"),
    weakness: "ECB: equal 16-byte blocks give equal ciphertext; blocks can be cut and pasted",
    closed_hint: "a one-way program prints the message and closes without a reply (it was delivered): use --flow one-way; one that could not decrypt it closes too: see its log",
    silent_hint: "a one-way program never replies (--flow one-way); a lock-step one may be waiting for its operator to type a reply; raise --timeout",
};

/// Its base64 framing: ecb, so at least one block and no IV.
pub const FRAMING: Framing = Framing { suite: Suite::Ecb, min_decoded: 16 };
