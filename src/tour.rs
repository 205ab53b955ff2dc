//! `cryptolab tour` — the zero-setup guided run: one message, four suites.
//!
//! The message has the same 16 bytes twice (`Meet me at noon.` ×2), so the
//! renderer can show what each suite does with a repeated block: ECB repeats
//! it (`ct[1] = ct[0]`), CBC hides it behind a fresh IV, and the authenticated
//! suites add a tag that catches a single flipped bit. The tour calls the
//! library — it never re-implements a suite — and later labs add their demos
//! here as short sections.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use rand::CryptoRng;

use crate::keys::KeyMaterial;
use crate::render::{Dump, Renderer};
use crate::suite::{Cipher, Suite, layout};

/// The tour's message: block 0 and block 1 are the same 16 bytes.
pub const MESSAGE: &[u8] = b"Meet me at noon.Meet me at noon. Bring the map.";

fn heading(w: &mut dyn Write, r: &Renderer, text: &str) -> io::Result<()> {
    writeln!(w)?;
    r.paint(w, Style::new().bold().underline(), text)?;
    writeln!(w)
}

fn insecure(w: &mut dyn Write, r: &Renderer, reason: &str) -> io::Result<()> {
    r.paint(w, Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), "INSECURE")?;
    writeln!(w, ": {reason}")
}

/// Runs the tour, writing to `w`. `origin` says where the keys came from.
pub fn run<R: CryptoRng + ?Sized>(
    w: &mut dyn Write,
    r: &Renderer,
    keys: &KeyMaterial,
    origin: &str,
    rng: &mut R,
) -> io::Result<()> {
    r.paint(w, Style::new().bold(), "cryptolab tour — symmetric cryptography, run for real")?;
    writeln!(w)?;
    writeln!(w, "AES-{} with {origin} (fingerprint {}).", keys.bits(), keys.fingerprint())?;

    heading(w, r, "1. The message")?;
    writeln!(
        w,
        "{} bytes; blocks pt[0] and pt[1] are the same 16 bytes. Watch what each suite does with them.",
        MESSAGE.len()
    )?;
    let padded = crate::suite::pkcs7::pad(MESSAGE);
    r.render(
        w,
        &Dump::new("plaintext, PKCS#7-padded", &padded)
            .spans(layout::plaintext_spans(MESSAGE.len(), padded.len())),
    )?;

    for (step, suite) in Suite::ALL.into_iter().enumerate() {
        let cipher = Cipher::new(suite, &keys.enc, keys.mac()).map_err(io::Error::other)?;
        let body = cipher.seal(&[], MESSAGE, rng);
        heading(w, r, &format!("{}. {suite}", step + 2))?;
        if let Some(reason) = suite.insecure_reason() {
            insecure(w, r, reason)?;
        }
        let title = format!("{suite} body, {} bytes", body.len());
        r.render(w, &Dump::new(title, &body).spans(layout::body_spans(suite, 0, body.len())))?;
        match suite {
            Suite::Ecb => writeln!(
                w,
                "→ ct[1] = ct[0]: ECB encrypts equal blocks to equal ciphertext, so anyone can see\n  which parts of a message repeat — without the key. (SP 800-38A §6.1)"
            )?,
            Suite::Cbc => writeln!(
                w,
                "→ A fresh random iv starts the chain C_i = E_K(P_i ⊕ C_i−1): the repeated block is\n  hidden, and sealing again gives different bytes. But nothing detects tampering. (SP 800-38A §6.2)"
            )?,
            Suite::CbcHmac | Suite::Gcm => {
                let what = if suite == Suite::Gcm {
                    "A 12-byte nonce, CTR-mode ciphertext (no padding) and a 16-byte GHASH tag. (SP 800-38D)"
                } else {
                    "The CBC body plus a 32-byte HMAC-SHA256 tag over iv‖ct, made with a separate MAC key. (RFC 2104)"
                };
                writeln!(w, "→ {what}")?;
                let mut tampered = body.clone();
                let at = suite.iv_len();
                tampered[at] ^= 0x01;
                let verdict = match cipher.open(&[], &tampered) {
                    Ok(_) => "accepted (this should never happen)".to_string(),
                    Err(e) => e.to_string(),
                };
                writeln!(w, "  Flip one bit of ct[0] (byte {at}) and open it: {verdict}.")?;
            }
        }
    }

    heading(w, r, "Next")?;
    writeln!(w, "  cryptolab encrypt --mode ecb --explain FILE   see your own data's blocks")?;
    writeln!(w, "  cryptolab keygen --bits 256                   a key file of your own (mode 0600)")?;
    writeln!(w, "  cryptolab --help                              every command, with examples")?;
    Ok(())
}
