//! Padding: which suites pad, by how much, and why the stream modes need none.
//!
//! This demo breaks nothing; it measures. Messages of a few lengths are
//! sealed in every suite of [`Suite::ALL`] and the bodies measured.
//!
//! **Block modes** (ecb, cbc, and the CBC inside cbc-hmac) run AES over whole
//! 16-byte blocks, so the message is first padded with PKCS#7 (RFC 5652
//! §6.3, [`crate::suite::pkcs7`]): `n` bytes, each of value `n`, with
//! `1 ≤ n ≤ 16`. Never zero: a message that already fills its last block gets
//! a whole extra block of `0x10`, so the last byte always says how many to
//! remove.
//!
//! ```text
//! "Call "             ( 5 bytes) → Call  0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b
//! "Call me Ishmael."  (16 bytes) → Call me Ishmael. 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10
//! ```
//!
//! **Stream modes** (gcm's CTR inside, and any suite whose row says
//! [`Shape::Stream`]) XOR a keystream into the message byte by byte: the
//! ciphertext is exactly as long as the message, and there is nothing to
//! pad — and no padding to check, so no padding oracle either.
//!
//! Around the ciphertext each body has its IV or nonce and its tag
//! ([`Suite::body_len`]); all of it comes from the suite's table row.

use serde_json::json;

use super::{DemoCtx, DemoError};
use crate::render::Dump;
use crate::suite::{Shape, Suite, layout, pkcs7};

/// The messages are the first bytes of this: four whole blocks.
pub const MESSAGE: &str = "Call me Ishmael. Some years ago--never mind how long precisely--";
/// The lengths shown by default: short, half a block, a full block (a whole
/// block of padding), a block and a bit, two full blocks.
pub const DEFAULT_LENS: [usize; 5] = [5, 10, 16, 20, 32];
/// At most this many lengths: one 9-character column each, within 80 columns.
pub const MAX_LENS: usize = 7;

/// A length the demo cannot show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LengthError {
    /// Longer than [`MESSAGE`].
    #[error("--len {len} is longer than the demo's message ({max} bytes)")]
    TooLong {
        /// The length asked for.
        len: usize,
        /// The longest there is.
        max: usize,
    },
    /// More lengths than the table has columns for in 80 columns.
    #[error("{count} lengths given; the table has room for {max}")]
    TooMany {
        /// How many were given.
        count: usize,
        /// How many fit.
        max: usize,
    },
}

impl LengthError {
    /// The second line of the user-facing message: what to try.
    pub fn hint(&self) -> String {
        match self {
            LengthError::TooLong { max, .. } => {
                format!("choose lengths from 0 to {max}, e.g. --len 15 16 17")
            }
            LengthError::TooMany { max, .. } => format!("give at most {max} lengths, e.g. --len 15 16 17"),
        }
    }
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "padding",
    about: "PKCS#7 padding: which suites pad, by how much, and why the stream modes need none",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo padding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The message lengths to show, in bytes (0 to the length of [`MESSAGE`]).
    pub lens: Vec<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options { lens: DEFAULT_LENS.to_vec() }
    }
}

/// One suite's body for one message, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    /// The suite.
    pub suite: Suite,
    /// The ciphertext alone (the body without IV/nonce and tag).
    pub ct_len: usize,
    /// The whole body.
    pub body_len: usize,
}

/// Seals `msg` in every suite and measures each body.
pub fn seal_in_every_suite(ctx: &mut DemoCtx, msg: &[u8]) -> Vec<Sealed> {
    Suite::ALL
        .into_iter()
        .map(|suite| {
            let body = ctx.cipher(suite).seal(&[], msg, &mut ctx.rng);
            Sealed { suite, ct_len: body.len() - suite.iv_len() - suite.tag_len(), body_len: body.len() }
        })
        .collect()
}

/// The names of the suites whose row has `shape`, joined (`ecb, cbc, cbc-hmac`).
fn names(shape: Shape) -> String {
    let names: Vec<&str> = Suite::ALL.iter().filter(|s| s.spec().shape == shape).map(|s| s.name()).collect();
    names.join(", ")
}

/// "11 bytes of padding, 11 × 0x0b", "1 byte of padding, 1 × 0x01",
/// "a whole block of padding, 16 × 0x10".
fn padding_words(pad: usize) -> String {
    let what = match pad {
        1 => "1 byte of padding".to_string(),
        pkcs7::BLOCK => "a whole block of padding".to_string(),
        n => format!("{n} bytes of padding"),
    };
    format!("{what}, {pad} × 0x{pad:02x}")
}

/// Narrates the demo: PKCS#7, each message padded, the ciphertext and body
/// lengths in every suite, and why the stream suites need no padding.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    let max = MESSAGE.len();
    if let Some(&len) = opts.lens.iter().find(|&&len| len > max) {
        return Err(LengthError::TooLong { len, max }.into());
    }
    if opts.lens.len() > MAX_LENS {
        return Err(LengthError::TooMany { count: opts.lens.len(), max: MAX_LENS }.into());
    }
    ctx.announce_keys();
    ctx.title("Demo: padding — which suites pad, by how much, and why stream modes need none");
    ctx.step("1. PKCS#7 (RFC 5652 §6.3): n bytes of value n, 1 ≤ n ≤ 16, fill the last block.");
    ctx.say(
        "   Never 0: a message that fills its last block gets a whole block of 0x10,\n   \
         so the last byte always says how many bytes to remove.",
    );
    let block = names(Shape::Block);
    let mut n = 1;
    for &len in &opts.lens {
        n += 1;
        let msg = &MESSAGE.as_bytes()[..len];
        let padded = pkcs7::pad(msg);
        let pad = padded.len() - len;
        ctx.step(format!("{n}. {len} bytes: {}.", padding_words(pad)));
        ctx.dump(
            Dump::new(format!("\"{}\" as {block} encrypt it", &MESSAGE[..len]), &padded)
                .spans(layout::plaintext_spans(len, padded.len())),
        );
    }

    n += 1;
    ctx.step(format!("{n}. The ciphertext in each suite, in bytes (the whole body in brackets):"));
    let sealed: Vec<Vec<Sealed>> =
        opts.lens.iter().map(|&len| seal_in_every_suite(ctx, &MESSAGE.as_bytes()[..len])).collect();
    let header: String = opts.lens.iter().map(|len| format!("{len:<9}")).collect();
    ctx.say(format!("  {:<10}{}", "message", header.trim_end()));
    for (k, suite) in Suite::ALL.into_iter().enumerate() {
        let row: Vec<(usize, &Sealed)> =
            opts.lens.iter().copied().zip(sealed.iter().map(|s| &s[k])).collect();
        let cells: String =
            row.iter().map(|(_, s)| format!("{:<9}", format!("{} ({})", s.ct_len, s.body_len))).collect();
        let lens: Vec<_> = row
            .iter()
            .map(|(len, s)| {
                json!({ "len": len, "pad": s.ct_len - len, "ct_len": s.ct_len, "body_len": s.body_len })
            })
            .collect();
        ctx.fact(
            "padding",
            json!({ "suite": suite, "padded": suite.is_padded(), "lens": lens }),
            format!("  {:<10}{}", suite.name(), cells.trim_end()),
        );
    }

    n += 1;
    ctx.step(format!("{n}. Why some suites pad and others do not: block or stream."));
    let mut lines = Vec::new();
    for shape in [Shape::Block, Shape::Stream] {
        let names = names(shape);
        if names.is_empty() {
            continue;
        }
        lines.push(match shape {
            Shape::Block => format!(
                "  {names} (block): AES encrypts whole 16-byte blocks, so the\n    \
                 ciphertext is the message rounded up to the next block: 1–16 bytes more."
            ),
            Shape::Stream => format!(
                "  {names} (stream): a keystream is XORed into the message byte by\n    \
                 byte, so the ciphertext is as long as the message: nothing to pad."
            ),
        });
    }
    lines.push("  Around the ciphertext, each body adds its IV or nonce and its tag:".into());
    for suite in Suite::ALL {
        let spec = suite.spec();
        let mut parts = Vec::new();
        if spec.iv_len > 0 {
            parts.push(format!("{} ({})", spec.iv_label, spec.iv_len));
        }
        parts.push("ct".into());
        if spec.tag_len > 0 {
            parts.push(format!("tag ({})", spec.tag_len));
        }
        lines.push(format!("    {:<10}body = {}", suite.name(), parts.join(" + ")));
    }
    ctx.say(lines.join("\n"));
    Ok(())
}

/// The tour's version: two lengths, the block suites' padding, the stream
/// suites' none.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let (short, full) = (5, pkcs7::BLOCK);
    let padded = |len: usize| pkcs7::pad(&MESSAGE.as_bytes()[..len]).len();
    let (to_s, to_f) = (padded(short), padded(full));
    let (n_s, n_f) = (to_s - short, to_f - full);
    ctx.say(format!(
        "{}: {} pad {short} bytes to {to_s} ({n_s} × 0x{n_s:02x}), {full} to {to_f} ({n_f} × 0x{n_f:02x});\n  \
         {}: no padding, the ciphertext is as long as the message.",
        DEMO.name,
        names(Shape::Block),
        names(Shape::Stream)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_four_whole_blocks() {
        assert_eq!(MESSAGE.len(), 4 * pkcs7::BLOCK);
        assert!(DEFAULT_LENS.iter().all(|&l| l <= MESSAGE.len()));
        assert!(DEFAULT_LENS.contains(&pkcs7::BLOCK), "the full-block case");
    }

    #[test]
    fn padding_is_described_in_words() {
        assert_eq!(padding_words(11), "11 bytes of padding, 11 × 0x0b");
        assert_eq!(padding_words(16), "a whole block of padding, 16 × 0x10");
        assert_eq!(padding_words(1), "1 byte of padding, 1 × 0x01");
    }
}
