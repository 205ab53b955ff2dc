//! The attacks, one file each, written like a textbook page:
//! **setup** (a victim seals something), **attack** (using only what an
//! attacker has: captured bytes, and an oracle — a closure or a socket that
//! answers yes/no), **verify** (did it work? against the weak suite it must;
//! against the authenticated ones it must not).
//!
//! | demo | what breaks | why | what stops it |
//! |---|---|---|---|
//! | [`ecb_image`] | ecb: the picture shows through its own ciphertext | equal blocks → equal ciphertext blocks | any mode with an IV or nonce (cbc, gcm) |
//! | [`bitflip`] | cbc: change `role=guest` to `role=admin` without the key | P_i = D_K(C_i) ⊕ C_{i−1}: flip C_{i−1}, flip P_i | a MAC/tag over IV ‖ ciphertext |
//! | [`hmac`] | nothing — every tampered field is rejected | encrypt-then-MAC over header ‖ IV ‖ ct; GCM over AAD ‖ ct | (and a flawed MAC over ct only, which an IV flip beats) |
//! | [`padding_oracle`] | cbc: the whole plaintext, byte by byte | a receiver that says "bad padding" | MAC checked before padding: no oracle |
//! | [`replay`] | cbc: `transfer 100 to bob` accepted twice | nothing binds a frame to its place | the authenticated sequence number |
//!
//! The victims live in [`crate::suite`] and [`crate::net`]; nothing here
//! knows a key it should not. The `demo` commands narrate each attack with
//! the shared renderer; the tests assert that each one succeeds (or, against
//! the authenticated suites, fails).

pub mod bitflip;
pub mod ecb_image;
pub mod hmac;
pub mod padding_oracle;
pub mod replay;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::render::Renderer;

/// A demo's title line.
pub(crate) fn title(w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
    r.paint(w, Style::new().bold().underline(), text)?;
    writeln!(w)
}

/// A step heading inside a demo.
pub(crate) fn step(w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
    writeln!(w)?;
    r.paint(w, Style::new().bold(), text)?;
    writeln!(w)
}

/// A verdict line: what happened, marked so that colour is not the only signal.
pub(crate) fn verdict(
    w: &mut dyn Write,
    r: &Renderer,
    good_for_attacker: bool,
    text: &str,
) -> io::Result<()> {
    let (mark, color) =
        if good_for_attacker { ("BROKEN", AnsiColor::Red) } else { ("REFUSED", AnsiColor::Green) };
    write!(w, "  ")?;
    r.paint(w, Style::new().fg_color(Some(color.into())).bold(), mark)?;
    writeln!(w, " {text}")
}
