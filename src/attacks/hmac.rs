//! Tampering with an authenticated frame, field by field, and one flawed MAC.
//!
//! **Setup.** A frame in `cbc-hmac` or `gcm` ([`crate::wire`]): header ‖ IV or
//! nonce ‖ ciphertext ‖ tag. In cbc-hmac the tag is HMAC-SHA256 over
//! header ‖ IV ‖ ciphertext under its own key (RFC 2104, encrypt-then-MAC).
//! In gcm it is GHASH over header (associated data) ‖ ciphertext
//! (SP 800-38D).
//!
//! **Attack.** Change one thing at a time: a header byte (version, suite,
//! kind, flags, the sequence number, the length), the IV or nonce, each
//! ciphertext block, the tag, or cut the frame short. Send each version to
//! the real receiver ([`crate::session::Opener`]).
//!
//! **Verify.** Every one is refused. Malformed headers are refused by the wire
//! decoder. Everything else is refused by the tag check, before any byte is
//! decrypted.
//!
//! **Why the MAC must cover the IV.** [`flawed_seal`] is a deliberately broken
//! variant, INSECURE: its MAC covers the ciphertext only. The IV still drives
//! the decryption of block 0 (`P_0 = D_K(C_0) ⊕ IV`), so flipping IV bits
//! rewrites the first block and the MAC still verifies. [`flawed_open`]
//! accepts `pay 90 to carol` where `pay 10 to carol` was sent.
//!
//! **Why the comparison must be constant-time.** A tag check that stops at the
//! first differing byte answers faster for a forgery whose first byte is right.
//! With enough timing samples an attacker learns the right tag one byte at a
//! time: at most 256 tries per byte (32 × 256 for HMAC-SHA256's 32-byte
//! tag) instead of 2^256. cryptolab compares tags with
//! `hmac::Mac::verify_slice` (cbc-hmac; see [`crate::suite::cbc_hmac::verify`]),
//! which uses `subtle::ConstantTimeEq`: every byte is always compared, and the
//! result is combined without branches. `aes-gcm` does the same inside
//! `decrypt_inout_detached`.

use std::sync::Arc;

use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome::{Broken, Refused};
use crate::keys::KeyMaterial;
use crate::render::Dump;
use crate::session::{Opener, Sealer};
use crate::suite::{Aes, Cipher, Suite, cbc_hmac, pkcs7};
use crate::wire::{HEADER_LEN, Kind};

/// The message every tampering starts from.
pub const MESSAGE: &str = "pay 10 to carol, invoice 2024-117";

/// One tampering and the receiver's verdict.
#[derive(Debug)]
pub struct Tamper {
    /// Which field.
    pub field: String,
    /// What was done to it.
    pub change: String,
    /// `Ok(text)` if the receiver accepted (it never should), else why not.
    pub verdict: Result<String, String>,
}

/// Tampers with every field of a `suite` frame in turn.
pub fn tamper_all(suite: Suite, keys: &KeyMaterial, seed: u64) -> Vec<Tamper> {
    let cipher = Arc::new(Cipher::new(suite, &keys.enc, keys.mac()).expect("demo keys are valid"));
    let mut sender = Sealer::seeded(cipher.clone(), seed);
    let hello = sender.seal(Kind::Hello, b"sender");
    let frame = sender.seal(Kind::Message, MESSAGE.as_bytes());
    // A fresh receiver that has seen the hello and now expects seq 1.
    let receive = |bytes: &[u8]| {
        let mut r = Opener::new(cipher.clone(), "sender".into(), "receiver speaks");
        r.open(&hello).expect("the hello opens");
        r.open(bytes).map(|o| String::from_utf8_lossy(&o.text).into_owned()).map_err(|e| e.to_string())
    };
    let mut out = Vec::new();
    let mut try_it = |field: String, change: &str, bytes: Vec<u8>| {
        out.push(Tamper { field, change: change.into(), verdict: receive(&bytes) });
    };
    let flip = |at: usize, mask: u8| {
        let mut f = frame.clone();
        f[at] ^= mask;
        f
    };
    try_it("none".into(), "the frame as sent", frame.clone());
    try_it("header: version".into(), "1 → 2", flip(0, 0x03));
    try_it("header: suite".into(), "→ another suite's byte", flip(1, 0x07));
    try_it("header: kind".into(), "message → goodbye", flip(2, 0x01));
    try_it("header: flags".into(), "0 → 0x80", flip(3, 0x80));
    try_it("header: seq".into(), "1 → 0", flip(11, 0x01));
    let mut longer = frame.clone();
    let claimed = u32::from_be_bytes(longer[12..16].try_into().expect("4 bytes")) + 1;
    longer[12..16].copy_from_slice(&claimed.to_be_bytes());
    try_it("header: length".into(), "claims a byte more than sent", longer);
    try_it(suite.spec().iv_label.into(), "one bit flipped", flip(HEADER_LEN, 0x01));
    let ct_start = HEADER_LEN + suite.iv_len();
    let ct_end = frame.len() - suite.tag_len();
    for (i, start) in (ct_start..ct_end).step_by(16).enumerate() {
        try_it(format!("ct[{i}]"), "one bit flipped", flip(start + 3, 0x20));
    }
    try_it("tag".into(), "last bit flipped", flip(frame.len() - 1, 0x01));
    let mut short = frame[..frame.len() - 16].to_vec();
    let len = u32::from_be_bytes(short[12..16].try_into().expect("4 bytes")) - 16;
    short[12..16].copy_from_slice(&len.to_be_bytes());
    try_it("truncation".into(), "last 16 bytes cut, length fixed", short);
    out
}

/// INSECURE, on purpose: CBC with a MAC over the ciphertext only — not the
/// IV, not the header. Body: `IV ‖ C ‖ HMAC(C)`.
pub fn flawed_seal(keys: &KeyMaterial, iv: &[u8; 16], pt: &[u8]) -> Vec<u8> {
    let aes = Aes::new(&keys.enc).expect("demo keys are valid");
    let mac = cbc_hmac::keyed(keys.mac().expect("demo keys have a MAC key"));
    let mut ct = vec![0u8; pkcs7::padded_len(pt.len())];
    aes.cbc_encrypt(iv, pt, &mut ct);
    let tag = cbc_hmac::tag(&mac, &[], &ct);
    [iv.as_slice(), &ct, &tag].concat()
}

/// The flawed receiver: checks HMAC(C), then decrypts with whatever IV came.
pub fn flawed_open(keys: &KeyMaterial, body: &[u8]) -> Option<Vec<u8>> {
    let aes = Aes::new(&keys.enc).ok()?;
    let mac = cbc_hmac::keyed(keys.mac()?);
    if body.len() < 16 + 16 + 32 {
        return None;
    }
    let (iv, rest) = body.split_at(16);
    let (ct, tag) = rest.split_at(rest.len() - 32);
    if !ct.len().is_multiple_of(16) || !cbc_hmac::verify(&mac, &[], ct, tag) {
        return None;
    }
    let mut pt = vec![0u8; ct.len()];
    aes.cbc_decrypt_raw(iv.try_into().ok()?, ct, &mut pt);
    let len = pkcs7::unpad(&pt).ok()?;
    pt.truncate(len);
    Some(pt)
}

/// The IV flip that turns `pay 10` into `pay 90` in the flawed variant:
/// byte 4 of P_0 is `1`; XOR the IV there with `'1' ⊕ '9'`.
pub fn flip_amount(body: &[u8]) -> Vec<u8> {
    let mut forged = body.to_vec();
    forged[4] ^= b'1' ^ b'9';
    forged
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "hmac",
    about: "Tamper with each field of cbc-hmac and gcm frames; beat a flawed MAC",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo hmac` (none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {}

/// Narrates the demo: the tamper table for cbc-hmac and gcm, the flawed
/// MAC beaten by an IV flip, and why the comparison is constant-time.
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: tampering with authenticated frames — every change refused");
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        ctx.step(format!("{suite}: \"{MESSAGE}\" as frame seq 1, then one change at a time"));
        let table = tamper_all(suite, &ctx.keys, ctx.seed());
        let width = table.iter().map(|t| t.field.len()).max().unwrap_or(5);
        let mut lines = vec![format!("  {:width$}  {:32}  receiver says", "field", "change")];
        for t in &table {
            let said = match &t.verdict {
                Ok(text) => format!("accepted: \"{text}\""),
                Err(e) => e.clone(),
            };
            lines.push(format!("  {:width$}  {:32}  {said}", t.field, t.change));
        }
        ctx.say(lines.join("\n"));
        let refused = refused(&table);
        ctx.verdict(
            DEMO.name,
            suite.name(),
            broken_if(refused != table.len() - 1),
            format!("{suite}: {refused} of {} tamperings refused.", table.len() - 1),
        );
    }
    ctx.step("Why the MAC must cover the IV: a deliberately flawed variant (INSECURE)");
    ctx.say("  body = IV ‖ C ‖ HMAC(C): the MAC covers the ciphertext, not the IV.");
    let forged = flip_amount(&flawed_seal(&ctx.keys, &flawed_iv(ctx.seed()), FLAWED_MESSAGE));
    ctx.dump(
        Dump::new("forged body: one IV byte changed ('1' ⊕ '9' at byte 4)", &forged)
            .spans(crate::suite::layout::body_spans(Suite::CbcHmac, 0, forged.len()))
            .mark(4..5),
    );
    match flawed_open(&ctx.keys, &forged) {
        Some(pt) => ctx.verdict(
            DEMO.name,
            FLAWED,
            Broken,
            format!(
                "flawed MAC: verified, and decrypts to \"{}\" (sent: \"pay 10 to carol\").",
                String::from_utf8_lossy(&pt)
            ),
        ),
        None => ctx.verdict(DEMO.name, FLAWED, Refused, "flawed MAC: refused (unexpected)"),
    }
    let why = real_mac_refuses_the_flip(ctx);
    ctx.verdict(DEMO.name, "cbc-hmac", Refused, format!("cbc-hmac (MAC over header ‖ IV ‖ C): {why}."));
    ctx.step("Why the comparison is constant-time");
    ctx.say(
        "  A check that stops at the first wrong byte answers sooner for a worse
  forgery; timing reveals the right tag a byte at a time (at most 32 × 256
  tries, not 2^256). cryptolab compares with hmac::Mac::verify_slice
  (src/suite/cbc_hmac.rs: verify), built on subtle::ConstantTimeEq: all 32
  bytes, no early exit, no branch on the result; aes-gcm checks its tag the
  same way before decrypting anything.",
    );
    Ok(())
}

/// The tour's version: every tampering refused in cbc-hmac and gcm; the
/// flawed MAC beaten.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say("hmac: tamper with each field of a frame (header, seq, IV/nonce, each block, tag, length).");
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        let table = tamper_all(suite, &ctx.keys, ctx.seed());
        let refused = refused(&table);
        let outcome = broken_if(refused != table.len() - 1);
        ctx.verdict(
            DEMO.name,
            suite.name(),
            outcome,
            format!("{suite}: {refused} of {} tamperings refused.", table.len() - 1),
        );
    }
    let forged = flip_amount(&flawed_seal(&ctx.keys, &flawed_iv(ctx.seed()), FLAWED_MESSAGE));
    let (outcome, text) = match flawed_open(&ctx.keys, &forged) {
        Some(pt) => (
            broken_if(pt == b"pay 90 to carol"),
            format!(
                "flawed MAC (over the ciphertext only): an IV flip made it \"{}\"",
                String::from_utf8_lossy(&pt)
            ),
        ),
        None => (Refused, "flawed MAC: refused (unexpected)".to_string()),
    };
    ctx.verdict(DEMO.name, FLAWED, outcome, text);
    Ok(())
}

/// How the verdicts name the flawed variant.
const FLAWED: &str = "flawed MAC";
/// What the flawed variant seals.
const FLAWED_MESSAGE: &[u8] = b"pay 10 to carol";

/// The flawed variant's IV: random, from the run's seed (so `--seed`
/// repeats it, and another seed gives another).
fn flawed_iv(seed: u64) -> [u8; 16] {
    use rand::{RngExt as _, SeedableRng as _};
    rand::rngs::ChaCha20Rng::seed_from_u64(seed ^ 0xf1a3_0000).random()
}

/// How many tamperings (all but the untouched first row) were refused.
fn refused(table: &[Tamper]) -> usize {
    table[1..].iter().filter(|t| t.verdict.is_err()).count()
}

/// The same IV flip against the real cbc-hmac suite: why it is refused.
fn real_mac_refuses_the_flip(ctx: &DemoCtx) -> String {
    let cipher = Cipher::new(Suite::CbcHmac, &ctx.keys.enc, ctx.keys.mac()).expect("demo keys are valid");
    let mut rng = <rand::rngs::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(ctx.seed());
    let good = cipher.seal(&[], FLAWED_MESSAGE, &mut rng);
    cipher.open(&[], &flip_amount(&good)).err().map(|e| e.to_string()).unwrap_or_default()
}
