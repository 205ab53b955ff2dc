//! Bit-flipping in CBC and CTR: rewriting an encrypted record without the key.
//!
//! **Setup.** A server issues an encrypted cookie, a record such as
//! `user=alice;note=hello from alice;role=guest;ttl=60`, sealed in cbc. The
//! attacker can read the ciphertext and send back whatever bytes they like.
//! They know the record's format (it is the same for everyone), but not the key.
//!
//! **Attack.** CBC decrypts block *i* as `P_i = D_K(C_i) ⊕ C_{i−1}` (SP 800-38A
//! §6.2). `C_{i−1}` is just bytes on the wire, so XORing a mask Δ into it XORs
//! the same Δ into `P_i`, exactly, bit for bit:
//!
//! ```text
//! P'_i = D_K(C_i) ⊕ (C_{i−1} ⊕ Δ) = P_i ⊕ Δ        choose Δ = "guest" ⊕ "admin"
//! ```
//!
//! In a body laid out as `IV ‖ C_0 ‖ C_1 ‖ …`, the byte that controls plaintext
//! byte *j* is body byte *j*: the one sixteen bytes before it. The price:
//! `C_{i−1}` also went through `D_K`, so `P_{i−1}` decrypts to sixteen bytes
//! of garbage. Here that block is the free-text note, and the record still
//! parses. Flipping the IV instead would change block 0 with no garbage at all.
//!
//! **The same edit in a stream mode is cleaner still.** CTR (SP 800-38A §6.5)
//! decrypts by `P = C ⊕ keystream`, and the keystream depends on the key and
//! the counter only, never on the ciphertext:
//!
//! ```text
//! P'_j = (C_j ⊕ Δ_j) ⊕ E_K(T_i)_j = P_j ⊕ Δ_j          at the same position j
//! ```
//!
//! So Δ goes into the ciphertext byte *at* `guest` (body byte 16 + 38, after
//! the IV) and nothing is garbled: every other plaintext byte is exactly as
//! sent. Which byte controls which, and what else a flip destroys, is each
//! suite's table row ([`crate::suite::SuiteSpec::controlling_byte`],
//! [`crate::suite::Garbles`]): OFB behaves like CTR; CFB garbles the block
//! after the edit.
//!
//! **Your own mask.** [`Mask`] (`--offset N --delta HEX`) XORs a student's
//! Δ into the same body bytes of the cbc and the ctr record; the demo shows
//! what each server then reads, and says BROKEN only where every byte the
//! mask controls changed by exactly Δ.
//!
//! **Verify.** The victim decrypts and parses the record: `role=admin` — in
//! cbc beside a garbled block, in ctr with every other byte intact.
//! Against cbc-hmac the tag covers IV ‖ ciphertext, and against gcm the tag
//! covers the ciphertext. The same forgery is rejected there before anything
//! is decrypted.

use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome::{Broken, Refused};
use crate::render::Dump;
use crate::suite::{Cipher, Suite, SuiteError, layout, pkcs7};
use serde_json::json;

/// The victim's record: `role=` starts at byte 32, its value at byte 38.
pub const RECORD: &str = "user=alice;note=hello from alice;role=guest;ttl=60";
/// The value the attacker replaces.
pub const ORIGINAL: &str = "guest";

/// Why a forgery target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Empty target.
    #[error("--target is empty")]
    Empty,
    /// More bytes than fit before the next block boundary.
    #[error(
        "--target is {len} bytes; at most {max} fit between `role=` and the end of its block (with the closing `;`)"
    )]
    TooLong {
        /// The target's length.
        len: usize,
        /// The room left in the block.
        max: usize,
    },
    /// A byte the record format cannot carry (`;` and `=` would break the
    /// fields; control and non-ASCII characters are not part of the format).
    #[error("--target contains {byte:?}, which the record format cannot carry in a value")]
    BadByte {
        /// The offending character.
        byte: char,
    },
    /// `--delta` is not hex.
    #[error("--delta {given:?} is not hex: {why}")]
    DeltaNotHex {
        /// What was given.
        given: String,
        /// Why it does not decode.
        why: String,
    },
    /// `--delta` is empty, or all zero bytes: it would change nothing.
    #[error("--delta {given:?} changes nothing: it has no byte other than 00")]
    DeltaZero {
        /// What was given.
        given: String,
    },
    /// The mask does not fit inside both records' bodies.
    #[error("--offset {offset} and a {len}-byte --delta end at body byte {}, past byte {}", offset.saturating_add(*len).saturating_sub(1), room.saturating_sub(1))]
    MaskOutOfRange {
        /// `--offset`.
        offset: usize,
        /// The mask's length in bytes.
        len: usize,
        /// The bytes the mask may cover: the shorter body's length.
        room: usize,
    },
}

impl TargetError {
    /// The second line of the user-facing message: what to try.
    pub fn hint(&self) -> String {
        match self {
            TargetError::Empty | TargetError::TooLong { .. } | TargetError::BadByte { .. } => {
                "choose a role of 1–9 ASCII characters without `;` or `=`, e.g. --target admin".to_string()
            }
            TargetError::DeltaNotHex { .. } | TargetError::DeltaZero { .. } => {
                "hex, two digits a byte, not all 00: e.g. --offset 38 --delta 06".to_string()
            }
            TargetError::MaskOutOfRange { room, .. } => format!(
                "the mask goes into cbc ({} bytes) and ctr ({room}): end it by byte {}",
                Suite::Cbc.body_len(RECORD.len()),
                room.saturating_sub(1)
            ),
        }
    }
}

/// A student's own mask (`--offset N --delta HEX`): Δ, XORed into the
/// captured body from byte `offset` on — the IV (or counter block) first,
/// then the ciphertext — the same bytes in the cbc record and in the ctr one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    /// The first body byte changed (0 is the IV's first byte).
    pub offset: usize,
    /// Δ, one byte per body byte from `offset` on (a 00 changes nothing).
    pub delta: Vec<u8>,
}

impl Mask {
    /// The suites the mask goes into, in the demo's order.
    pub const SUITES: [Suite; 2] = [Suite::Cbc, Suite::Ctr];

    /// The body bytes a mask may cover: the shorter of the two records'
    /// bodies (cbc pads the record to 64 bytes, ctr keeps its 50).
    pub fn room() -> usize {
        Mask::SUITES.iter().map(|s| s.body_len(RECORD.len())).min().unwrap_or(0)
    }

    /// Checks `--offset` and `--delta` (hex; spaces between bytes allowed):
    /// Δ decodes, changes at least one byte, and fits inside both bodies.
    pub fn parse(offset: usize, delta: &str) -> Result<Self, TargetError> {
        let digits: String = delta.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = hex::decode(&digits)
            .map_err(|e| TargetError::DeltaNotHex { given: delta.to_string(), why: e.to_string() })?;
        let mask = Mask { offset, delta: bytes };
        mask.check().map_err(|e| match e {
            TargetError::DeltaZero { .. } => TargetError::DeltaZero { given: delta.to_string() },
            other @ (TargetError::Empty
            | TargetError::TooLong { .. }
            | TargetError::BadByte { .. }
            | TargetError::DeltaNotHex { .. }
            | TargetError::MaskOutOfRange { .. }) => other,
        })?;
        Ok(mask)
    }

    /// Whether the mask changes a byte and fits inside both bodies.
    pub fn check(&self) -> Result<(), TargetError> {
        if self.delta.iter().all(|&b| b == 0) {
            return Err(TargetError::DeltaZero { given: hex::encode(&self.delta) });
        }
        let room = Mask::room();
        if self.offset.saturating_add(self.delta.len()) > room {
            return Err(TargetError::MaskOutOfRange { offset: self.offset, len: self.delta.len(), room });
        }
        Ok(())
    }

    /// The body bytes the mask changes (those where Δ is not 00).
    pub fn changed(&self) -> Vec<usize> {
        self.delta.iter().enumerate().filter(|(_, d)| **d != 0).map(|(i, _)| self.offset + i).collect()
    }

    /// `body` with Δ XORed in (bytes past its end are left alone: [`Mask::parse`] keeps the
    /// mask inside every body the demo seals).
    pub fn apply(&self, body: &[u8]) -> Vec<u8> {
        let mut forged = body.to_vec();
        for (b, d) in forged.iter_mut().skip(self.offset).zip(&self.delta) {
            *b ^= d;
        }
        forged
    }
}

/// A planned forgery: which plaintext bytes change, and to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Offset of the first changed plaintext byte.
    pub at: usize,
    /// The known plaintext there.
    pub known: Vec<u8>,
    /// What the attacker wants there.
    pub wanted: Vec<u8>,
}

impl Plan {
    /// Plans `role=guest;` → `role=<target>;`. The field always ends with
    /// `;`, so a longer target overwrites what follows only up to that `;`;
    /// a shorter one is padded with `;` (empty fields, which parsers skip).
    pub fn new(target: &str) -> Result<Self, TargetError> {
        let at = RECORD.find(ORIGINAL).expect("the record has the value");
        // Room before the block ends, keeping one byte for the closing `;`.
        let max = 16 - at % 16 - 1;
        if target.is_empty() {
            return Err(TargetError::Empty);
        }
        if target.len() > max {
            return Err(TargetError::TooLong { len: target.len(), max });
        }
        if let Some(byte) = target.chars().find(|c| matches!(c, '=' | ';') || c.is_control() || !c.is_ascii())
        {
            return Err(TargetError::BadByte { byte });
        }
        let mut wanted = target.as_bytes().to_vec();
        wanted.resize(wanted.len().max(ORIGINAL.len()) + 1, b';');
        let known = RECORD.as_bytes()[at..at + wanted.len()].to_vec();
        Ok(Plan { at, known, wanted })
    }

    /// The XOR mask Δ = known ⊕ wanted, byte by byte.
    pub fn mask(&self) -> Vec<u8> {
        self.known.iter().zip(&self.wanted).map(|(k, w)| k ^ w).collect()
    }

    /// The body bytes the attack changes, as the suite's table row says
    /// ([`crate::suite::SuiteSpec::controlling_byte`]): for a CBC body (IV
    /// first) plaintext byte *j* is controlled by body byte *j*; for a stream
    /// mode (GCM's CTR) by the ciphertext byte at the same position, after
    /// the nonce. `None` for ecb, where no byte controls another.
    pub fn body_range(&self, suite: Suite) -> Option<std::ops::Range<usize>> {
        let start = suite.spec().controlling_byte(self.at)?;
        Some(start..start + self.wanted.len())
    }

    /// Applies the mask to a captured body, returning the forged body (the
    /// body unchanged where the suite gives no byte-wise control, or the
    /// body is too short to hold the target).
    pub fn forge(&self, suite: Suite, body: &[u8]) -> Vec<u8> {
        let mut forged = body.to_vec();
        if let Some(range) = self.body_range(suite)
            && let Some(bytes) = forged.get_mut(range)
        {
            for (b, m) in bytes.iter_mut().zip(self.mask()) {
                *b ^= m;
            }
        }
        forged
    }
}

/// The victim's record parser: `key=value` fields separated by `;`
/// (fields without `=`, like garbage, are skipped).
pub fn field<'a>(record: &'a str, key: &str) -> Option<&'a str> {
    record.split(';').filter_map(|f| f.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// What the victim made of a forged body.
#[derive(Debug)]
pub enum Outcome {
    /// It decrypted: the (possibly garbled) record, and its `role` field.
    Accepted {
        /// The decrypted bytes.
        plaintext: Vec<u8>,
        /// The `role` the victim now believes.
        role: Option<String>,
    },
    /// It was refused.
    Rejected(SuiteError),
}

/// Sends the forged body to the victim (who holds the key) and reports.
pub fn victim_opens(victim: &Cipher, forged: &[u8]) -> Outcome {
    match victim.open(&[], forged) {
        Ok(plaintext) => {
            let text = String::from_utf8_lossy(&plaintext).into_owned();
            let role = field(&text, "role").map(str::to_string);
            Outcome::Accepted { plaintext, role }
        }
        Err(e) => Outcome::Rejected(e),
    }
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "bitflip",
    about: "CBC and CTR bit-flipping: change an encrypted record without the key",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo bitflip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The role to forge (1–9 ASCII characters, no `;` or `=`).
    pub target: String,
    /// A student's own mask instead of the role forgery (`--offset`,
    /// `--delta`).
    pub mask: Option<Mask>,
}

impl Default for Options {
    fn default() -> Self {
        Options { target: "admin".into(), mask: None }
    }
}

/// Narrates the demo: the record, the captured body, the flip, the forged
/// result in cbc, the same edit in ctr (no garbage), and the refusals in
/// cbc-hmac and gcm.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    if let Some(mask) = &opts.mask {
        mask.check()?;
        narrate_mask(ctx, mask);
        return Ok(());
    }
    let plan = Plan::new(&opts.target)?;
    ctx.announce_keys();
    ctx.title("Demo: CBC and CTR bit-flipping — rewriting an encrypted record without the key");
    let victim = ctx.cipher(Suite::Cbc);
    let body = victim.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
    ctx.step("1. The server seals a cookie in cbc (INSECURE: no MAC). Only it has the key.");
    let padded = pkcs7::pad(RECORD.as_bytes());
    ctx.dump(
        Dump::new("the record, as the server sealed it", &padded)
            .spans(layout::plaintext_spans(RECORD.len(), padded.len())),
    );
    ctx.step("2. The attacker captures the body: IV ‖ ciphertext.");
    ctx.dump(Dump::new("captured cbc body", &body).spans(layout::body_spans(Suite::Cbc, 0, body.len())));
    let range = plan.body_range(Suite::Cbc).expect("cbc controls a byte through the block before it");
    let wanted = String::from_utf8_lossy(&plan.wanted);
    let known = String::from_utf8_lossy(&plan.known);
    ctx.step(format!(
        "3. Δ = \"{known}\" ⊕ \"{wanted}\", XORed into body bytes {} to {}.",
        range.start,
        range.end - 1
    ));
    ctx.say(format!(
        "   P_i = D_K(C_i) ⊕ C_{{i−1}}: those bytes sit in ct[{}], the block before `{ORIGINAL}`,\n   \
         so plaintext bytes {} to {} change by exactly Δ (a byte whose Δ is 0 keeps\n   \
         its value: it is not marked below).",
        range.start / 16 - 1,
        plan.at,
        plan.at + plan.wanted.len() - 1
    ));
    let forged = plan.forge(Suite::Cbc, &body);
    let changed: Vec<usize> = range.clone().filter(|&i| forged[i] != body[i]).collect();
    let mut dump = Dump::new("forged body (changed bytes marked)", &forged).spans(layout::body_spans(
        Suite::Cbc,
        0,
        forged.len(),
    ));
    for &i in &changed {
        dump = dump.mark(i..i + 1);
    }
    ctx.dump(dump);
    ctx.step("4. The server decrypts the forged cookie.");
    match victim_opens(&victim, &forged) {
        Outcome::Accepted { plaintext, role } => {
            let mut padded = plaintext.clone();
            padded.extend(pkcs7::pad(&plaintext)[plaintext.len()..].iter());
            let garbled = (range.start / 16 - 1) * 16..(range.start / 16) * 16;
            let mut dump = Dump::new("what the server reads (changed bytes marked)", &padded)
                .spans(layout::plaintext_spans(plaintext.len(), padded.len()))
                .mark(garbled.clone());
            for &i in &changed {
                dump = dump.mark(i..i + 1);
            }
            ctx.dump(dump);
            let role = role.unwrap_or_default();
            ctx.verdict(
                DEMO.name,
                "cbc",
                broken_if(role == wanted.trim_end_matches(';')),
                format!(
                    "cbc: the server now reads role={role}. pt[{}] is garbage: the price of the flip.",
                    garbled.start / 16
                ),
            );
        }
        Outcome::Rejected(e) => ctx.verdict(DEMO.name, "cbc", Refused, format!("cbc: {e}")),
    }
    stream_mode(ctx, &plan, Suite::Ctr);
    ctx.step("6. The same forgery against the authenticated suites.");
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        let cipher = ctx.cipher(suite);
        let body = cipher.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
        let (outcome, why) = match victim_opens(&cipher, &plan.forge(suite, &body)) {
            Outcome::Rejected(e) => (Refused, e.to_string()),
            Outcome::Accepted { .. } => (Broken, "ACCEPTED (this must never happen)".into()),
        };
        let covers = suite.spec().covers;
        ctx.verdict(
            DEMO.name,
            suite.name(),
            outcome,
            format!("{suite}: {why} — {covers}, checked before decryption."),
        );
    }
    Ok(())
}

/// Step 5: the same edit in a stream mode (`suite`: ctr), where the byte
/// that controls plaintext byte *j* is ciphertext byte *j* itself and
/// nothing else changes.
fn stream_mode(ctx: &mut DemoCtx, plan: &Plan, suite: Suite) {
    let victim = ctx.cipher(suite);
    let body = victim.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
    let range = plan.body_range(suite).expect("a stream mode controls every byte");
    ctx.step(format!(
        "5. The same edit in {suite}, a stream mode (INSECURE: no MAC): P = C ⊕ keystream, and the\n   \
         keystream never sees the ciphertext. Δ goes on top of `{ORIGINAL}`: body bytes {} to {}.",
        range.start,
        range.end - 1
    ));
    let forged = plan.forge(suite, &body);
    let mut dump = Dump::new(format!("forged {suite} body (changed bytes marked)"), &forged)
        .spans(layout::body_spans(suite, 0, forged.len()));
    for i in range.clone().filter(|&i| forged[i] != body[i]) {
        dump = dump.mark(i..i + 1);
    }
    ctx.dump(dump);
    match victim_opens(&victim, &forged) {
        Outcome::Accepted { plaintext, role } => {
            let changed = changed_bytes(&plaintext);
            let mut dump = Dump::new("what the server reads (changed bytes marked)", &plaintext)
                .spans(layout::plaintext_spans(plaintext.len(), plaintext.len()));
            for &i in &changed {
                dump = dump.mark(i..i + 1);
            }
            ctx.dump(dump);
            let role = role.unwrap_or_default();
            let only_the_edit = changed.iter().all(|i| (plan.at..plan.at + plan.wanted.len()).contains(i));
            let rest = if only_the_edit {
                "and no other byte changed: nothing garbled, nothing to notice."
            } else {
                "but other bytes changed too."
            };
            ctx.verdict(
                DEMO.name,
                suite.name(),
                broken_if(
                    role == String::from_utf8_lossy(&plan.wanted).trim_end_matches(';') && only_the_edit,
                ),
                format!("{suite}: the server now reads role={role}, {rest}"),
            );
        }
        Outcome::Rejected(e) => ctx.verdict(DEMO.name, suite.name(), Refused, format!("{suite}: {e}")),
    }
}

/// Byte offsets as words: `38`, `38 to 39`, `16 to 31 and 38`.
fn offsets_text(offsets: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &i in offsets {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            Some(_) | None => runs.push((i, i)),
        }
    }
    let words: Vec<String> =
        runs.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a} to {b}") }).collect();
    match words.split_last() {
        None => "none".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `byte 38` or `bytes 38 to 42`, with `noun` capitalised or not as given.
fn bytes_text(noun: &str, offsets: &[usize]) -> String {
    let s = if offsets.len() == 1 { "" } else { "s" };
    format!("{noun}{s} {}", offsets_text(offsets))
}

/// Hex bytes with spaces: `06 12`.
fn hex_spaced(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// `demo bitflip --offset N --delta HEX`: the student's mask in cbc and in
/// ctr, what each server then reads, and a verdict only where the attack's
/// result is checked — BROKEN where every byte the mask controls changed by
/// exactly Δ, REFUSED where the server refused the record; otherwise, in
/// plain words, what it now reads. Then the refusals of cbc-hmac and gcm.
fn narrate_mask(ctx: &mut DemoCtx, mask: &Mask) {
    let end = mask.offset + mask.delta.len() - 1;
    let at = if end == mask.offset {
        format!("body byte {end}")
    } else {
        format!("body bytes {} to {end}", mask.offset)
    };
    ctx.announce_keys();
    ctx.title("Demo: CBC and CTR bit-flipping — your own mask");
    ctx.step("1. The server seals a cookie (INSECURE: no MAC). Only it has the key.");
    let padded = pkcs7::pad(RECORD.as_bytes());
    ctx.dump(
        Dump::new("the record, as the server sealed it", &padded)
            .spans(layout::plaintext_spans(RECORD.len(), padded.len())),
    );
    let delta = if mask.delta.len() <= 12 {
        hex_spaced(&mask.delta)
    } else {
        format!("{} … ({} bytes)", hex_spaced(&mask.delta[..12]), mask.delta.len())
    };
    ctx.say(format!("   Your mask: Δ = {delta},\n   XORed into {at} of the cbc body and of the ctr body."));
    for (n, suite) in (2..).zip(Mask::SUITES) {
        let how = match suite.spec().control {
            crate::suite::Control::PreviousBlock => {
                "   P_i = D_K(C_i) ⊕ C_{i−1}: body byte j (j ≥ 16) sits in ct[j/16 − 1] and\n   \
                 flips plaintext byte j; the block it sits in decrypts to garbage. Bytes 0\n   \
                 to 15 are the iv: they flip pt[0] and garble nothing."
            }
            crate::suite::Control::SameByte => {
                "   P = C ⊕ keystream: body byte j (j ≥ 16) is ciphertext byte j − 16 and\n   \
                 flips plaintext byte j − 16, nothing else. Bytes 0 to 15 are the first\n   \
                 counter block: change them and the whole keystream changes."
            }
            crate::suite::Control::Garbles => "",
        };
        ctx.step(format!("{n}. In {suite} (INSECURE: no MAC): Δ XORed into {at}."));
        ctx.say(how);
        masked(ctx, suite, mask);
    }
    ctx.step("4. The same mask against the authenticated suites.");
    for suite in [Suite::CbcHmac, Suite::Gcm] {
        let cipher = ctx.cipher(suite);
        let body = cipher.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
        let (outcome, why) = match victim_opens(&cipher, &mask.apply(&body)) {
            Outcome::Rejected(e) => (Refused, e.to_string()),
            Outcome::Accepted { .. } => (Broken, "ACCEPTED (this must never happen)".into()),
        };
        ctx.verdict(DEMO.name, suite.name(), outcome, format!("{suite}: {why}."));
    }
}

/// One suite's run of a student's mask: the forged body, what the server
/// reads, and what that says.
fn masked(ctx: &mut DemoCtx, suite: Suite, mask: &Mask) {
    let victim = ctx.cipher(suite);
    let body = victim.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
    let forged = mask.apply(&body);
    let changed_body: Vec<usize> = (0..body.len()).filter(|&i| forged[i] != body[i]).collect();
    let mut dump = Dump::new(format!("forged {suite} body (changed bytes marked)"), &forged)
        .spans(layout::body_spans(suite, 0, forged.len()));
    for &i in &changed_body {
        dump = dump.mark(i..i + 1);
    }
    ctx.dump(dump);
    // What the server would read had every controlled byte changed by Δ.
    let plain_len = body.len() - suite.iv_len() - suite.tag_len();
    let original = &pkcs7::pad(RECORD.as_bytes())[..plain_len];
    let controls = |j: usize| (0..plain_len).find(|&i| suite.spec().controlling_byte(i) == Some(j));
    let delta_at = |j: usize| mask.delta[j - mask.offset];
    let value = |accepted: bool, read: &[u8], changed: &[usize], as_masked: bool, role: Option<&str>| {
        json!({
            "suite": suite.name(),
            "offset": mask.offset,
            "delta": hex::encode(&mask.delta),
            "changed_body": changed_body,
            "accepted": accepted,
            "read": hex::encode(read),
            "changed_plaintext": changed,
            "as_masked": as_masked,
            "role": role,
        })
    };
    match victim_opens(&victim, &forged) {
        Outcome::Accepted { plaintext, role } => {
            // The bytes as decrypted, padding included (cbc checked it: it is
            // exactly the padding of what it returned).
            let read = if plaintext.len() < plain_len { pkcs7::pad(&plaintext) } else { plaintext.clone() };
            let changed: Vec<usize> =
                (0..read.len().max(original.len())).filter(|&i| read.get(i) != original.get(i)).collect();
            let mut dump = Dump::new("what the server reads (changed bytes marked)", &read)
                .spans(layout::plaintext_spans(plaintext.len(), read.len()));
            for &i in &changed {
                dump = dump.mark(i..i + 1);
            }
            ctx.dump(dump);
            // Each changed body byte: the plaintext byte it controls, if
            // any, and whether that byte changed by exactly its Δ.
            let (mut right, mut wrong, mut no_control) = (Vec::new(), Vec::new(), Vec::new());
            for &j in &changed_body {
                match controls(j) {
                    Some(i) if read.get(i).copied() == original.get(i).map(|o| o ^ delta_at(j)) => {
                        right.push(i)
                    }
                    Some(i) => wrong.push(i),
                    None => no_control.push(j),
                }
            }
            let as_masked = wrong.is_empty() && no_control.is_empty();
            let other: Vec<usize> =
                changed.iter().copied().filter(|i| !right.contains(i) && !wrong.contains(i)).collect();
            let role_text = role
                .as_deref()
                .map_or("no role field".to_string(), |r| format!("role={}", crate::events::visible(r)));
            let mut lines = vec![
                format!(
                    "  The server reads: {}",
                    crate::render::first_chars(&crate::render::ascii(&plaintext, '.'), 56)
                ),
                format!("  Its role: {role_text}"),
            ];
            if !right.is_empty() {
                lines.push(format!("  Plaintext {} changed by exactly Δ.", bytes_text("byte", &right)));
            }
            if !wrong.is_empty() {
                lines.push(format!(
                    "  Plaintext {} did not change by exactly Δ: garbled.",
                    bytes_text("byte", &wrong)
                ));
            }
            if !no_control.is_empty() {
                let (it, does) =
                    if no_control.len() == 1 { ("its", "controls") } else { ("their", "control") };
                lines.push(format!(
                    "  Body {} {does} no plaintext byte of {it} own.",
                    bytes_text("byte", &no_control)
                ));
            }
            if !other.is_empty() {
                lines.push(format!("  {} changed too: garbage.", bytes_text("Byte", &other)));
            }
            ctx.fact("mask", value(true, &read, &changed, as_masked, role.as_deref()), lines.join("\n"));
            if as_masked {
                ctx.verdict(
                    DEMO.name,
                    suite.name(),
                    Broken,
                    format!("{suite}: the server's plaintext changed exactly as your mask says."),
                );
            } else {
                ctx.say(format!("  No verdict for {suite}: it reads your bytes, but not as your mask says."));
            }
        }
        Outcome::Rejected(e) => {
            let mut text = format!("  The server refused the forged record:\n  {e}.");
            if matches!(e, SuiteError::BadPadding) {
                text.push_str(
                    "\n  (Padding is no integrity check: a mask that keeps it valid gets through.)",
                );
            }
            ctx.fact("mask", value(false, &[], &[], false, None), text);
            ctx.verdict(
                DEMO.name,
                suite.name(),
                Refused,
                format!("{suite}: the server refused the forged record."),
            );
        }
    }
}

/// The offsets where `plaintext` differs from [`RECORD`] (a length
/// difference counts as the bytes past the shorter end).
pub fn changed_bytes(plaintext: &[u8]) -> Vec<usize> {
    let record = RECORD.as_bytes();
    (0..plaintext.len().max(record.len())).filter(|&i| plaintext.get(i) != record.get(i)).collect()
}

/// The tour's version: `role=admin` forged in cbc and ctr, refused by both tags.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let plan = Plan::new(&Options::default().target)?;
    ctx.say(
        "bitflip: XOR \"guest\" ⊕ \"admin\" into the block before it (cbc) or right onto it (ctr), no key needed.",
    );
    for suite in [Suite::Cbc, Suite::Ctr, Suite::CbcHmac, Suite::Gcm] {
        let cipher = ctx.cipher(suite);
        let body = cipher.seal(&[], RECORD.as_bytes(), &mut ctx.rng);
        let (outcome, text) = match victim_opens(&cipher, &plan.forge(suite, &body)) {
            Outcome::Accepted { role, .. } => {
                let role = role.unwrap_or_default();
                (broken_if(role == "admin"), format!("{suite}: the server reads role={role}"))
            }
            Outcome::Rejected(_) => (Refused, format!("{suite}: rejected by the tag")),
        };
        ctx.verdict(DEMO.name, suite.name(), outcome, text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_places_the_value_in_block_two() {
        assert_eq!(RECORD.find(ORIGINAL), Some(38));
        // Δ = "guest;" ⊕ "admin;": the closing `;` stays (its mask byte is 0).
        assert_eq!(
            Plan::new("admin").unwrap().mask(),
            b"guest;".iter().zip(b"admin;").map(|(a, b)| a ^ b).collect::<Vec<_>>()
        );
    }

    #[test]
    fn targets_that_cannot_be_forged_say_why() {
        assert_eq!(Plan::new(""), Err(TargetError::Empty));
        assert_eq!(Plan::new("superuser-x"), Err(TargetError::TooLong { len: 11, max: 9 }));
        assert_eq!(Plan::new("a=b"), Err(TargetError::BadByte { byte: '=' }));
        assert_eq!(Plan::new("a;b"), Err(TargetError::BadByte { byte: ';' }));
    }

    #[test]
    fn short_targets_are_padded_with_empty_fields() {
        let plan = Plan::new("root").unwrap();
        assert_eq!(plan.wanted, b"root;;");
        assert_eq!(field("user=a;role=root;;ttl=60", "role"), Some("root"));
    }
}
