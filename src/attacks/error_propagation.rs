//! Error propagation: one flipped ciphertext bit, and what each mode makes of it.
//!
//! This demo breaks nothing. It measures, and every mode a course teaches
//! gets its row.
//!
//! **Setup.** A page of English (the opening paragraph of *Moby-Dick*,
//! [`TEXT`], 1111 bytes) is sealed in every suite of [`Suite::ALL`] under
//! the demo keys.
//!
//! **The flip.** One bit of one ciphertext byte is changed in transit: bit
//! `B` of byte `N`, where `N` counts from the first ciphertext byte after
//! the IV or nonce (so it is the same position in every suite). By default
//! it is bit 5 (0x20, the bit that changes the case of an ASCII letter) of
//! byte 40, in the middle of block 2.
//!
//! **What the receiver reads.** Each receiver opens the changed message and
//! its plaintext is compared with the original, block by block: how many
//! bytes of each 16-byte block changed, and how many bits. The map follows
//! from each mode's decryption formula ([`propagation`], the one place this
//! knowledge is written):
//!
//! ```text
//! ecb  P_i = D_K(C_i)            C_i went through D_K: block i garbled, nothing else
//! cbc  P_i = D_K(C_i) ⊕ C_{i−1}  block i garbled; C_i is XORed into P_{i+1}: bit B of byte N+16
//! cfb  P_i = C_i ⊕ E_K(C_{i−1})  bit B of byte N; C_i feeds E_K for block i+1: garbled
//! ofb  P_i = C_i ⊕ O_i           O_i = E_K(O_{i−1}) never sees the ciphertext: bit B of byte N
//! ctr  P_i = C_i ⊕ E_K(T_i)      the counter never sees the ciphertext: bit B of byte N
//! ```
//!
//! (SP 800-38A §6.1–6.5.) An authenticated suite (cbc-hmac, gcm) refuses the
//! message before decrypting a byte, whatever its mode underneath would have
//! done. A stream mode's error stays exactly where it was made — convenient
//! on a noisy line, and exactly what makes it malleable (`demo bitflip`).

use serde_json::json;

use super::{DemoCtx, DemoError, broken_if};
use crate::suite::pkcs7::BLOCK;
use crate::suite::{Suite, SuiteError};

/// The message: the opening paragraph of Herman Melville's *Moby-Dick*
/// (1851, public domain; its origin is in `samples/README.md`).
pub const TEXT: &str = include_str!("../../samples/moby-dick-loomings.txt");
/// Where [`TEXT`] lives in the repository.
pub const TEXT_FILE: &str = "samples/moby-dick-loomings.txt";
/// The default ciphertext byte to flip: the middle of block 2.
pub const DEFAULT_BYTE: usize = 2 * BLOCK + BLOCK / 2;
/// The default bit (0x20: in ASCII, the case of a letter).
pub const DEFAULT_BIT: u64 = 5;
/// The map shows at most this many blocks (one character each), so that a
/// row fits 80 columns; the totals count every block.
pub const MAP_BLOCKS: usize = 40;

/// What a flipped ciphertext bit does to one block of what the receiver reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing changes.
    Untouched,
    /// The same bit flips at the block's matching position, nothing else.
    Flips,
    /// Every byte is unpredictable: the changed bytes went through the block
    /// cipher before they reached this block.
    Garbled,
}

/// What one flipped ciphertext bit does under a mode, by the mode's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Propagation {
    /// The standard that defines the mode's decryption.
    pub standard: &'static str,
    /// Its section there.
    pub section: &'static str,
    /// The decryption of block i, as the standard writes it.
    pub formula: &'static str,
    /// The block that holds the flipped byte.
    pub here: Effect,
    /// The block after it (the flipped byte's position plus 16).
    pub next: Effect,
}

/// How each mode propagates a flipped ciphertext bit — the one place that
/// says it, from each mode's decryption in SP 800-38A §6.1–6.5 (and
/// SP 800-38D §6.5 for the GCTR inside gcm). Every suite is named, so a new
/// one is a compile error here. An authenticated suite is listed by the mode
/// underneath: its tag refuses the message first ([`crate::suite::SuiteSpec::authenticated`]).
pub const fn propagation(suite: Suite) -> Propagation {
    const A: &str = "SP 800-38A";
    match suite {
        // §6.1: D_K of a changed block is an unrelated block; nothing chains.
        Suite::Ecb => Propagation {
            standard: A,
            section: "§6.1",
            formula: "P_i = D_K(C_i)",
            here: Effect::Garbled,
            next: Effect::Untouched,
        },
        // §6.2: C_i goes through D_K (block i garbled) and is XORed, as it
        // is, into block i+1 (the same bit flips there).
        Suite::Cbc | Suite::CbcHmac => Propagation {
            standard: A,
            section: "§6.2",
            formula: "P_i = D_K(C_i) ⊕ C_{i−1}",
            here: Effect::Garbled,
            next: Effect::Flips,
        },
        // §6.5: the counter blocks T_i never depend on the ciphertext.
        Suite::Ctr => Propagation {
            standard: A,
            section: "§6.5",
            formula: "P_i = C_i ⊕ E_K(T_i)",
            here: Effect::Flips,
            next: Effect::Untouched,
        },
        // §6.3 (CFB-128): C_i is XORed into P_i as it is (the bit flips),
        // then enciphered for the next block's keystream (garbled).
        Suite::Cfb => Propagation {
            standard: A,
            section: "§6.3",
            formula: "P_i = C_i ⊕ E_K(C_{i−1})",
            here: Effect::Flips,
            next: Effect::Garbled,
        },
        // §6.4: the output blocks O_i come from the IV alone.
        Suite::Ofb => Propagation {
            standard: A,
            section: "§6.4",
            formula: "P_i = C_i ⊕ O_i",
            here: Effect::Flips,
            next: Effect::Untouched,
        },
        // SP 800-38D §6.5, GCTR: counter blocks CB_i never depend on the
        // ciphertext, so only the flipped bit changes.
        Suite::Gcm => Propagation {
            standard: "SP 800-38D",
            section: "§6.5",
            formula: "P_i = C_i ⊕ E_K(CB_i)",
            here: Effect::Flips,
            next: Effect::Untouched,
        },
    }
}

/// Why a flip cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlipError {
    /// `--byte` is past the end of the shortest ciphertext.
    #[error("--byte {byte} is beyond the ciphertext: its bytes are 0–{last} (after the IV)")]
    Byte {
        /// The byte asked for.
        byte: usize,
        /// The last ciphertext byte every suite has.
        last: usize,
    },
    /// `--bit` is not 0–7.
    #[error("--bit {bit} is not a bit of a byte: a byte has bits 0–7")]
    Bit {
        /// The bit asked for.
        bit: u64,
    },
}

impl FlipError {
    /// The second line of the user-facing message: what to try.
    pub fn hint(&self) -> String {
        match self {
            FlipError::Byte { last, .. } => {
                format!("choose --byte from 0 to {last}; the default, {DEFAULT_BYTE}, is in block 2")
            }
            FlipError::Bit { .. } => {
                format!("choose --bit from 0 (0x01) to 7 (0x80); the default is {DEFAULT_BIT} (0x20)")
            }
        }
    }
}

/// The flip: bit `bit` of ciphertext byte `byte` (counted after the IV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flip {
    /// The ciphertext byte, from the first byte after the IV or nonce.
    pub byte: usize,
    /// The bit, 0 (0x01) to 7 (0x80).
    pub bit: u8,
}

impl Flip {
    /// Checks a flip against a `msg_len`-byte message: the byte must be in
    /// the ciphertext of every suite (the shortest is a stream suite's, as
    /// long as the message), the bit 0–7.
    pub fn new(byte: usize, bit: u64, msg_len: usize) -> Result<Self, FlipError> {
        let shortest = Suite::ALL.iter().map(|s| s.ct_len(msg_len)).min().unwrap_or(0);
        if byte >= shortest {
            return Err(FlipError::Byte { byte, last: shortest.saturating_sub(1) });
        }
        let bit = u8::try_from(bit).ok().filter(|b| *b < 8).ok_or(FlipError::Bit { bit })?;
        Ok(Flip { byte, bit })
    }

    /// The XOR mask applied to the byte.
    pub const fn mask(self) -> u8 {
        1 << self.bit
    }

    /// The block the flipped byte is in.
    pub const fn block(self) -> usize {
        self.byte / BLOCK
    }
}

/// One suite's receiver, after the flip: what it read, or why it refused.
#[derive(Debug, Clone)]
pub struct Row {
    /// The suite.
    pub suite: Suite,
    /// The plaintext it read, or why it refused the message.
    pub read: Result<Vec<u8>, SuiteError>,
}

/// Seals `text` in every suite, flips the bit in each body (after the IV)
/// and opens the result — one [`Row`] per suite of [`Suite::ALL`].
pub fn flip_in_every_suite(ctx: &mut DemoCtx, text: &[u8], flip: Flip) -> Vec<Row> {
    Suite::ALL
        .into_iter()
        .map(|suite| {
            let cipher = ctx.cipher(suite);
            let mut body = cipher.seal(&[], text, &mut ctx.rng);
            body[suite.iv_len() + flip.byte] ^= flip.mask();
            Row { suite, read: cipher.open(&[], &body) }
        })
        .collect()
}

/// How one 16-byte block of what was read differs from the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockDiff {
    /// Bytes that differ (0–16).
    pub bytes: usize,
    /// Bits that differ.
    pub bits: u32,
    /// The block's XOR difference, original ⊕ read.
    pub xor: [u8; BLOCK],
}

/// Compares `read` with `original`, one [`BlockDiff`] per 16-byte block of
/// the longer of the two. A byte that only one of them has counts as changed
/// in all 8 bits (it can happen when a garbled last block passes as padding).
pub fn diff(original: &[u8], read: &[u8]) -> Vec<BlockDiff> {
    let len = original.len().max(read.len());
    let mut blocks = vec![BlockDiff::default(); len.div_ceil(BLOCK)];
    for i in 0..len {
        let x = match (original.get(i), read.get(i)) {
            (Some(a), Some(b)) => a ^ b,
            (Some(_), None) | (None, Some(_)) | (None, None) => 0xff,
        };
        let block = &mut blocks[i / BLOCK];
        block.xor[i % BLOCK] = x;
        block.bytes += usize::from(x != 0);
        block.bits += x.count_ones();
    }
    blocks
}

/// The map's character for one block: `.` unchanged, `1`–`f` the number of
/// changed bytes in hex, `#` all sixteen.
pub fn cell(d: &BlockDiff) -> char {
    match d.bytes {
        0 => '.',
        n if n >= BLOCK => '#',
        n => char::from_digit(n as u32, 16).unwrap_or('#'),
    }
}

/// The first block of a `width`-block window over `blocks` blocks that shows
/// the flipped block and the one after it.
pub fn window_start(flipped: usize, blocks: usize, width: usize) -> usize {
    if flipped + 2 <= width { 0 } else { flipped.saturating_sub(2).min(blocks.saturating_sub(width)) }
}

/// "  17 bytes,   63 bits" — the totals at the end of a row of the map.
fn totals(bytes: usize, bits: u32) -> String {
    let plural = |n: u64, unit: &str| format!("{unit}{}", if n == 1 { "" } else { "s" });
    let bytes_word = format!("{},", plural(bytes as u64, "byte"));
    format!("{bytes:>4} {bytes_word:<6} {bits:>4} {}", plural(u64::from(bits), "bit"))
}

/// What the receiver reads, as text: non-printing bytes as `.`.
fn printable(bytes: &[u8]) -> String {
    crate::render::ascii(bytes, '.')
}

/// The consequence of the flip under `p`, at the flip's numbers, in a few
/// words: for a `len`-byte message whose ciphertext is `ct_len` bytes (the
/// bytes between the two are padding).
fn consequence(p: &Propagation, flip: Flip, len: usize, ct_len: usize) -> String {
    let (i, n, b) = (flip.block(), flip.byte, flip.bit);
    let blocks = ct_len.div_ceil(BLOCK);
    let mut parts = Vec::new();
    for (block, at, effect) in [(i, n, p.here), (i + 1, n + BLOCK, p.next)] {
        match effect {
            Effect::Untouched => {}
            Effect::Garbled if block < blocks => parts.push(format!("pt[{block}] garbled")),
            Effect::Flips if at < len => parts.push(format!("byte {at}: bit {b} flips")),
            Effect::Flips if at < ct_len => parts.push(format!("pad byte {at}: bit {b} flips")),
            Effect::Garbled | Effect::Flips => {}
        }
    }
    if parts.is_empty() { "nothing changes".into() } else { parts.join("; ") }
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "error-propagation",
    about: "Flip one ciphertext bit in every suite: which plaintext bytes change, block by block",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo error-propagation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The ciphertext byte to flip, counted after the IV or nonce.
    pub byte: usize,
    /// The bit of that byte, 0–7.
    pub bit: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { byte: DEFAULT_BYTE, bit: DEFAULT_BIT }
    }
}

/// Reports one suite's row of the map: a [`crate::events::Fact`] named
/// `propagation`, with every changed block as data.
fn report_row(ctx: &DemoCtx, original: &[u8], row: &Row, flip: Flip, start: usize, width: usize) {
    let name = row.suite.name();
    let spec = row.suite.spec();
    match &row.read {
        Ok(read) => {
            let blocks = diff(original, read);
            let cells: String = blocks.iter().skip(start).take(width).map(cell).collect();
            let bytes: usize = blocks.iter().map(|d| d.bytes).sum();
            let bits: u32 = blocks.iter().map(|d| d.bits).sum();
            let changed: Vec<_> = blocks
                .iter()
                .enumerate()
                .filter(|(_, d)| d.bytes > 0)
                .map(|(k, d)| json!({ "block": k, "bytes": d.bytes, "bits": d.bits, "xor": hex::encode(d.xor) }))
                .collect();
            ctx.fact(
                "propagation",
                json!({
                    "suite": row.suite, "byte": flip.byte, "bit": flip.bit, "refused": null,
                    "bytes": bytes, "bits": bits, "blocks": changed,
                }),
                format!("  {name:<10}{cells}  {}", totals(bytes, bits)),
            );
        }
        Err(e) => {
            let why = if spec.authenticated {
                format!("refused: the {} failed", spec.tag_label)
            } else if matches!(e, SuiteError::BadPadding) {
                "refused: bad padding (the flip reached the padding)".to_string()
            } else {
                format!("refused: {e}")
            };
            ctx.fact(
                "propagation",
                json!({
                    "suite": row.suite, "byte": flip.byte, "bit": flip.bit, "refused": e.to_string(),
                    "bytes": null, "bits": null, "blocks": [],
                }),
                format!("  {name:<10}{why}"),
            );
        }
    }
}

/// The verdict on an authenticated suite: refused, unless it read the
/// flipped message (which must never happen).
fn verdict(ctx: &DemoCtx, row: &Row, long: bool) {
    let (name, tag) = (row.suite.name(), row.suite.spec().tag_label);
    let text = match (&row.read, long) {
        (Ok(_), _) => format!("{name}: the flipped message was ACCEPTED (this must never happen)"),
        (Err(_), true) => format!("{name}: rejected, its {tag} failed: not a byte was read"),
        (Err(_), false) => format!("{name}: rejected, its {tag} failed"),
    };
    ctx.verdict(DEMO.name, name, broken_if(row.read.is_ok()), text);
}

/// Narrates the demo: the message, the flip, the map of what changed in
/// every suite, what each receiver reads, and why (each mode's formula).
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    let text = TEXT.as_bytes();
    let flip = Flip::new(opts.byte, opts.bit, text.len())?;
    ctx.announce_keys();
    ctx.title("Demo: error propagation — one flipped ciphertext bit, in every suite");
    let blocks = text.len().div_ceil(BLOCK);
    ctx.step(format!("1. The message: {} bytes ({blocks} blocks), the opening of Moby-Dick.", text.len()));
    ctx.say(format!("   ({TEXT_FILE})\n   \"{}\"", TEXT.lines().next().unwrap_or_default()));
    ctx.step(format!(
        "2. Each suite seals it; then bit {} (0x{:02x}) of ciphertext byte {} is flipped.",
        flip.bit,
        flip.mask(),
        flip.byte
    ));
    ctx.say(format!(
        "   Byte {} is in block {}; bytes count from the first one after the IV or nonce.",
        flip.byte,
        flip.block()
    ));
    let rows = flip_in_every_suite(ctx, text, flip);

    ctx.step("3. Each receiver opens it. What changed, block by block:");
    let width = MAP_BLOCKS.min(blocks);
    let start = window_start(flip.block(), blocks, width);
    let tens: String = (start..start + width)
        .map(|k| if k % 10 == 0 { char::from_digit((k / 10 % 10) as u32, 10).unwrap_or(' ') } else { ' ' })
        .collect();
    let units: String =
        (start..start + width).map(|k| char::from_digit((k % 10) as u32, 10).unwrap_or(' ')).collect();
    ctx.say(format!(
        "  blocks {start}–{} of {blocks} shown; the totals count all {blocks}\n  {:<10}{}\n  {:<10}{units}",
        start + width - 1,
        "block",
        tens.trim_end(),
        ""
    ));
    for row in rows.iter().filter(|r| !r.suite.is_authenticated()) {
        report_row(ctx, text, row, flip, start, width);
    }
    for row in rows.iter().filter(|r| r.suite.is_authenticated()) {
        report_row(ctx, text, row, flip, start, width);
    }
    ctx.say("  . unchanged   1–f: that many bytes changed (hex)   #: all 16 changed");

    let shown = flip.block()..(flip.block() + 2).min(blocks);
    ctx.step(format!(
        "4. What each receiver reads in blocks {}–{} (non-printing bytes as .):",
        shown.start,
        shown.end - 1
    ));
    let range = shown.start * BLOCK..(shown.end * BLOCK).min(text.len());
    let mut lines = vec![format!("  {:<10}|{}|", "original", printable(&text[range.clone()]))];
    for row in &rows {
        let name = row.suite.name();
        lines.push(match &row.read {
            Ok(read) => {
                let part = read.get(range.start..range.end.min(read.len())).unwrap_or_default();
                format!("  {name:<10}|{}|", printable(part))
            }
            Err(_) => format!("  {name:<10}(refused)"),
        });
    }
    ctx.say(lines.join("\n"));

    ctx.step("5. Why: each mode's decryption of block i.");
    let mut cited: Vec<(&str, Vec<&str>)> = Vec::new();
    for suite in Suite::ALL {
        let p = propagation(suite);
        match cited.iter_mut().find(|(s, _)| *s == p.standard) {
            Some((_, sections)) if sections.contains(&p.section) => {}
            Some((_, sections)) => sections.push(p.section),
            None => cited.push((p.standard, vec![p.section])),
        }
    }
    let cited: Vec<String> = cited
        .into_iter()
        .map(|(standard, mut sections)| {
            sections.sort_unstable();
            format!("{standard} {}", sections.join(", "))
        })
        .collect();
    let mut lines = vec![format!("  ({})", cited.join("; "))];
    for suite in Suite::ALL {
        let p = propagation(suite);
        let spec = suite.spec();
        let effect = if spec.authenticated {
            format!("refused: the {} comes first", spec.tag_label)
        } else {
            consequence(&p, flip, text.len(), suite.ct_len(text.len()))
        };
        lines.push(format!("  {:<10}{:<26}{effect}", suite.name(), p.formula));
    }
    ctx.say(lines.join("\n"));
    for row in rows.iter().filter(|r| r.suite.is_authenticated()) {
        verdict(ctx, row, true);
    }
    Ok(())
}

/// The tour's version: the map's first blocks for the suites that decrypt,
/// and the authenticated suites' refusals.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let text = TEXT.as_bytes();
    let flip = Flip::new(DEFAULT_BYTE, DEFAULT_BIT, text.len())?;
    let rows = flip_in_every_suite(ctx, text, flip);
    let width = flip.block() + 4;
    let maps: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let read = row.read.as_ref().ok().filter(|_| !row.suite.is_authenticated())?;
            let cells: String = diff(text, read).iter().take(width).map(cell).collect();
            Some(format!("{} {cells}", row.suite.name()))
        })
        .collect();
    ctx.say(format!(
        "{}: flip bit {} of ciphertext byte {}; bytes changed per block:\n  {}",
        DEMO.name,
        flip.bit,
        flip.byte,
        maps.join("  ")
    ));
    for row in rows.iter().filter(|r| r.suite.is_authenticated()) {
        verdict(ctx, row, false);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Control;

    #[test]
    fn the_map_agrees_with_each_suites_table_row() {
        use crate::suite::Garbles;
        for suite in Suite::ALL {
            let p = propagation(suite);
            let garbled_here = p.here == Effect::Garbled;
            let garbled_next = p.next == Effect::Garbled;
            let row = suite.spec().garbles;
            assert_eq!(garbled_here, row == Garbles::ThisBlock, "{suite}: this block");
            assert_eq!(garbled_next, row == Garbles::NextBlock, "{suite}: next block");
        }
    }

    #[test]
    fn the_sample_is_long_enough_and_plain_ascii() {
        assert!(TEXT.len() >= 1000);
        assert!(TEXT.is_ascii());
        assert_eq!(&TEXT[DEFAULT_BYTE..DEFAULT_BYTE + 1], "i", "bit 5 makes it 'I'");
    }

    #[test]
    fn propagation_agrees_with_each_suites_control() {
        // The spec row says how a plaintext byte is controlled; the table
        // above must say the same about the flipped block and the next.
        for suite in Suite::ALL {
            let p = propagation(suite);
            match suite.spec().control {
                Control::Garbles => assert_eq!((p.here, p.next), (Effect::Garbled, Effect::Untouched)),
                Control::PreviousBlock => assert_eq!((p.here, p.next), (Effect::Garbled, Effect::Flips)),
                Control::SameByte => assert_eq!(p.here, Effect::Flips, "{suite}"),
            }
        }
    }

    #[test]
    fn flips_outside_the_ciphertext_or_the_byte_are_refused() {
        assert_eq!(Flip::new(10, 8, 20), Err(FlipError::Bit { bit: 8 }));
        assert_eq!(Flip::new(20, 0, 20), Err(FlipError::Byte { byte: 20, last: 19 }));
        assert_eq!(Flip::new(19, 7, 20), Ok(Flip { byte: 19, bit: 7 }));
    }

    #[test]
    fn cells_count_changed_bytes_in_hex() {
        let d = |bytes| BlockDiff { bytes, ..BlockDiff::default() };
        assert_eq!([d(0), d(1), d(10), d(15), d(16)].iter().map(cell).collect::<String>(), ".1af#");
        assert_eq!(window_start(2, 70, 40), 0);
        assert_eq!(window_start(60, 70, 40), 30);
        assert_eq!(window_start(45, 70, 40), 30);
    }
}
