//! Nonce reuse: one keystream for two messages — or twenty — and the
//! messages fall out by XOR.
//!
//! **Setup.** A sender seals every message with the same key and the same
//! IV or nonce ([`victims::fixed_iv_sender`], INSECURE): a nonce written as
//! a constant, or a counter that restarts at 0. In a stream suite the body
//! is `C = P ⊕ KS` and the keystream `KS` depends only on the key and the
//! IV (ctr: SP 800-38A §6.5; ofb: §6.4; gcm's body is ctr, SP 800-38D §7.1),
//! so every message gets the same `KS`.
//!
//! **Attack.** Three ways, from the most help to none:
//!
//! 1. *Known plaintext* (ctr, ofb): `C ⊕ C' = P ⊕ P'`. Knowing one message
//!    `P` (a public announcement, a fixed header) gives `KS = C ⊕ P`, and
//!    then any other message: `P' = C' ⊕ KS`, as far as `P` reaches. In cfb
//!    the keystream after the first block is `E_K(C_{i−1})`, which differs as
//!    soon as the ciphertexts differ: only the first 16 bytes fall.
//! 2. *No known plaintext* (ctr, many messages): byte `j` of every message
//!    was XORed with the same keystream byte, so each column is a
//!    single-byte XOR — judged by English statistics, then refined by whole
//!    words ([`super::many_time_pad`]). This is the "two-time pad" that read
//!    Venona, and cryptopals challenges 19–20.
//! 3. *gcm*: both messages carry valid tags — the receiver accepts both —
//!    yet the XOR of the ciphertexts is the XOR of the plaintexts, exactly as
//!    in ctr: confidentiality is gone. (A repeated gcm nonce also gives away
//!    the authentication key H, and with it forgeries — Joux, 2006: not shown
//!    here.)
//!
//! **Verify.** Every recovered text is compared with what the victim sent:
//! BROKEN only if it is exactly right (for the statistical attack: at least
//! [`READ_ENOUGH`] of all bytes, and the count is shown). Against the
//! suite's normal seal — a fresh random IV or nonce per message — the same
//! XOR gives noise: REFUSED.
//!
//! **Fix.** Never reuse an IV or nonce under one key: draw it at random
//! (ofb, cfb, ctr with a 16-byte random counter block) or count it without
//! ever restarting (gcm's 96-bit nonce, SP 800-38D §8.2), or use a
//! misuse-resistant AEAD such as AES-GCM-SIV (RFC 8452), which leaks only
//! whether two messages were equal.

use serde_json::json;

use super::many_time_pad::{self, Stage};
use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome;
use crate::render::{Dump, Span, SpanKind};
use crate::suite::{Garbles, Shape, Suite, layout, pkcs7::BLOCK, victims};

/// How much of a stream suite's keystream a repeated IV or nonce repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeats {
    /// All of it: the keystream never depends on the ciphertext (ctr, ofb,
    /// gcm).
    Whole,
    /// The first block only: after it, the ciphertext feeds the keystream
    /// (cfb).
    FirstBlock,
}

/// What a repeated IV or nonce repeats in `suite`, from its table row: a
/// stream suite's keystream, all of it where a flipped ciphertext bit
/// garbles nothing (the keystream does not depend on the ciphertext), the
/// first block where it garbles the next block. `None` for the block
/// suites: no keystream to reuse.
pub fn repeats(suite: Suite) -> Option<Repeats> {
    let spec = suite.spec();
    match (spec.shape, spec.garbles) {
        (Shape::Block, _) => None,
        (Shape::Stream, Garbles::Nothing) => Some(Repeats::Whole),
        (Shape::Stream, Garbles::NextBlock | Garbles::ThisBlock) => Some(Repeats::FirstBlock),
    }
}

/// The demo refuses a suite with no keystream to reuse.
#[derive(Debug, Clone, thiserror::Error)]
#[error("demo nonce-reuse: {suite} has no keystream to reuse ({suite} is a block suite)")]
pub struct NoKeystream {
    /// The suite asked for.
    pub suite: Suite,
}

impl NoKeystream {
    /// What to try instead.
    pub fn hint(&self) -> String {
        let stream: Vec<&str> =
            Suite::ALL.into_iter().filter(|s| repeats(*s).is_some()).map(Suite::name).collect();
        format!("in {}, {}; try --mode {}", self.suite, self.suite.spec().reuse, stream.join(", --mode "))
    }
}

/// The message the attacker knows (an announcement everyone received).
pub const KNOWN: &str = "PUBLIC: the lab opens at nine; bring a laptop and its charger.";

/// The message the attacker wants.
pub const SECRET: &str = "SECRET: the exam answers are in locker 42, code 7391.";

/// The victim's messages for the statistical attack: a study group's chat,
/// every message sealed under the one nonce. English the statistics tables
/// have never seen.
pub const CHAT: [&str; 20] = [
    "Did anyone finish the second problem set before the deadline?",
    "I am stuck on the question about block cipher modes of operation.",
    "The lecture notes say counter mode never needs any padding at all.",
    "Remember that the nonce must never repeat under the same key.",
    "Our server uses one fixed nonce for every message, which is a bug.",
    "Let us meet in the library after lunch and compare our answers.",
    "Bring the printed slides, since the projector in room four is broken.",
    "My laptop battery died twice during the practical session today.",
    "Has the professor posted the marks for the midterm examination yet?",
    "The office hours on Thursday were moved to the afternoon.",
    "Please send me the link to the recording of last week's talk.",
    "I think the answer to the fourth question is forty two bytes.",
    "We should write the report together, one section each.",
    "Someone left a blue umbrella and a scarf in the seminar room.",
    "The coffee machine on the third floor finally works again.",
    "Next week we start public key cryptography and digital signatures.",
    "Do not forget that the lab report is due on Friday at noon.",
    "Who wants to practise for the oral exam on Sunday morning?",
    "It rained so hard this morning that the bus was an hour late.",
    "Thanks for the help, the attack finally recovered every message.",
];

/// The statistical attack counts as having read the messages when at least
/// this share of their bytes came out right.
pub const READ_ENOUGH: f64 = 0.95;

/// How the sender chose its IVs or nonces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonces {
    /// One for every message: INSECURE, [`victims::fixed_iv_sender`].
    Repeated,
    /// A fresh random one per message: the suite's normal seal.
    Fresh,
}

impl Nonces {
    /// Both, the weak one first.
    pub const ALL: [Nonces; 2] = [Nonces::Repeated, Nonces::Fresh];

    /// The verdict's subject: `ctr, repeated IV`, `gcm, fresh nonce`.
    pub fn subject(self, suite: Suite) -> String {
        let label = label(suite);
        let how = match self {
            Nonces::Repeated => "repeated",
            Nonces::Fresh => "fresh",
        };
        format!("{suite}, {how} {label}")
    }
}

/// What the suite calls its IV, as a sentence writes it: `IV`, `nonce`.
pub fn label(suite: Suite) -> &'static str {
    match suite.spec().iv_label {
        "iv" => "IV",
        other => other,
    }
}

/// The ciphertext inside a body: after the IV or nonce, before the tag.
pub fn ciphertext(suite: Suite, body: &[u8]) -> &[u8] {
    &body[suite.iv_len()..body.len() - suite.tag_len()]
}

/// The known-plaintext attack's result on one pair of messages.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The known message's body.
    pub known_body: Vec<u8>,
    /// The secret message's body.
    pub secret_body: Vec<u8>,
    /// `C ⊕ P` over the known message: the keystream, if it was shared.
    pub keystream: Vec<u8>,
    /// `C' ⊕ keystream`: the attacker's reading of the secret.
    pub read: Vec<u8>,
    /// How many leading bytes of the secret were read exactly.
    pub exact: usize,
    /// Whether the receiver accepted both bodies.
    pub accepted: bool,
}

/// Seals [`KNOWN`] and [`SECRET`] in `suite` with `nonces`, then reads the
/// secret knowing only the known message and the two bodies.
pub fn known_plaintext(ctx: &mut DemoCtx, suite: Suite, nonces: Nonces) -> Pair {
    let cipher = ctx.cipher(suite);
    let (known_body, secret_body) = match nonces {
        Nonces::Repeated => {
            let mut iv = vec![0u8; suite.iv_len()];
            rand::Rng::fill_bytes(&mut ctx.rng, &mut iv);
            let mut send = victims::fixed_iv_sender(&cipher, &iv);
            (send(KNOWN.as_bytes()), send(SECRET.as_bytes()))
        }
        Nonces::Fresh => (
            cipher.seal(&[], KNOWN.as_bytes(), &mut ctx.rng),
            cipher.seal(&[], SECRET.as_bytes(), &mut ctx.rng),
        ),
    };
    let accepted = victims::accepts(&cipher, &known_body) && victims::accepts(&cipher, &secret_body);
    // The attack: two bodies and one known plaintext, nothing else.
    let keystream = many_time_pad::xor(ciphertext(suite, &known_body), KNOWN.as_bytes());
    let read = many_time_pad::xor(ciphertext(suite, &secret_body), &keystream);
    let exact = read.iter().zip(SECRET.as_bytes()).take_while(|(a, b)| a == b).count();
    Pair { known_body, secret_body, keystream, read, exact, accepted }
}

/// What counts as reading the secret in `suite`: all of it where the whole
/// keystream repeats, its first block in cfb.
fn wanted(suite: Suite) -> usize {
    match repeats(suite) {
        Some(Repeats::Whole) | None => SECRET.len(),
        Some(Repeats::FirstBlock) => BLOCK,
    }
}

/// The verdict on a known-plaintext pair.
fn pair_verdict(ctx: &DemoCtx, suite: Suite, nonces: Nonces, pair: &Pair) {
    let subject = nonces.subject(suite);
    let outcome = broken_if(pair.exact >= wanted(suite));
    let text = match (outcome, repeats(suite)) {
        (Outcome::Broken, Some(Repeats::FirstBlock)) => format!(
            "{subject}: {} bytes read, \"{}\"; then KS follows C",
            pair.exact,
            printable(&pair.read[..pair.exact])
        ),
        (Outcome::Broken, Some(Repeats::Whole) | None) => {
            format!("{subject}: the secret read exactly from one known message")
        }
        (Outcome::Refused, _) => format!("{subject}: C ⊕ C' ⊕ P is noise, not the secret"),
    };
    ctx.verdict(DEMO.name, subject, outcome, text);
}

/// In an authenticated suite, whether the receiver accepted both messages
/// under the repeated nonce (a tag proves who sealed a message, not that
/// its nonce was fresh).
fn report_accepted(ctx: &DemoCtx, suite: Suite, pair: &Pair) {
    if suite.spec().authenticated {
        ctx.fact(
            "accepted",
            json!({ "suite": suite, "both": pair.accepted }),
            format!(
                "   the receiver {} both {suite} messages: the tags are valid.",
                if pair.accepted { "accepts" } else { "rejects" }
            ),
        );
    }
}

/// The statistical attack's run on [`CHAT`].
#[derive(Debug, Clone)]
pub struct Statistical {
    /// What the attack recovered.
    pub recovery: many_time_pad::Recovery,
    /// Bytes right after the column stage alone.
    pub column_right: usize,
    /// Bytes right after refining.
    pub right: usize,
    /// Bytes in all.
    pub total: usize,
}

impl Statistical {
    /// Whether the messages were read (at least [`READ_ENOUGH`] of the bytes).
    pub fn worked(&self) -> bool {
        self.right as f64 >= READ_ENOUGH * self.total as f64
    }
}

/// Seals every message of [`CHAT`] under one IV in `suite` and reads them
/// back from the ciphertexts alone; `progress` hears the attack's stages.
pub fn statistical(
    ctx: &mut DemoCtx,
    suite: Suite,
    mut progress: impl FnMut(&DemoCtx, Stage),
) -> Statistical {
    let cipher = ctx.cipher(suite);
    let mut iv = vec![0u8; suite.iv_len()];
    rand::Rng::fill_bytes(&mut ctx.rng, &mut iv);
    let mut send = victims::fixed_iv_sender(&cipher, &iv);
    let bodies: Vec<Vec<u8>> = CHAT.iter().map(|m| send(m.as_bytes())).collect();
    // The attack sees the ciphertexts, nothing else.
    let cts: Vec<&[u8]> = bodies.iter().map(|b| ciphertext(suite, b)).collect();
    let ctx: &DemoCtx = ctx;
    let recovery = many_time_pad::recover(&cts, |stage| progress(ctx, stage));
    // Verify, where the truth is known.
    let truth: Vec<&[u8]> = CHAT.iter().map(|m| m.as_bytes()).collect();
    let columns: Vec<Vec<u8>> =
        cts.iter().map(|c| many_time_pad::xor(c, &recovery.column_keystream)).collect();
    let (column_right, total) = many_time_pad::accuracy(&columns, &truth);
    let (right, _) = many_time_pad::accuracy(&recovery.plaintexts, &truth);
    Statistical { recovery, column_right, right, total }
}

/// Bytes as text, with anything but printable ASCII shown as `·` (a real
/// `.` is common in what this attack reads).
pub fn printable(bytes: &[u8]) -> String {
    crate::render::ascii(bytes, '·')
}

/// A percentage with one decimal.
fn percent(part: usize, whole: usize) -> String {
    format!("{:.1} %", 100.0 * part as f64 / whole.max(1) as f64)
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "nonce-reuse",
    about: "one IV or nonce twice in ctr, ofb, cfb or gcm: messages read by XOR and by statistics",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo nonce-reuse`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Only this suite (default: every stream suite).
    pub mode: Option<Suite>,
}

/// Narrates the demo: a known message reads a secret one by XOR; twenty
/// messages are read with no known plaintext; then the other stream suites,
/// gcm included.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    if let Some(suite) = opts.mode
        && repeats(suite).is_none()
    {
        return Err(NoKeystream { suite }.into());
    }
    let suites: Vec<Suite> = match opts.mode {
        Some(suite) => vec![suite],
        None => Suite::ALL.into_iter().filter(|s| repeats(*s).is_some()).collect(),
    };
    ctx.announce_keys();
    ctx.title("Demo: nonce reuse — one keystream, many messages");
    let Some((&first, others)) = suites.split_first() else { return Ok(()) };
    let label = label(first);

    ctx.step(format!("1. The victim seals two messages in {first} with one key and ONE {label} (INSECURE)."));
    ctx.say(format!(
        "   {first} encrypts C = P ⊕ KS, and KS depends only on the key and the {label}\n   \
         ({}): the same {label} gives the same KS, so C ⊕ C' = P ⊕ P'.",
        first.spec().standard
    ));
    let pair = known_plaintext(ctx, first, Nonces::Repeated);
    ctx.dump(
        Dump::new(
            format!("the known message: \"{}\"", crate::render::first_chars(KNOWN, 36)),
            &pair.known_body,
        )
        .spans(layout::body_spans(first, 0, pair.known_body.len())),
    );
    ctx.dump(
        Dump::new("the secret message: same key, same ".to_string() + label, &pair.secret_body)
            .spans(layout::body_spans(first, 0, pair.secret_body.len())),
    );
    ctx.step("2. The attacker knows the first message. KS = C ⊕ P:");
    ctx.dump(Dump::new("the keystream both messages were XORed with", &pair.keystream).spans(
        (0..pair.keystream.len().div_ceil(BLOCK)).map(|i| {
            let range = i * BLOCK..((i + 1) * BLOCK).min(pair.keystream.len());
            Span::new(format!("ks[{i}]"), SpanKind::Data, range)
        }),
    ));
    ctx.say(format!("   and P' = C' ⊕ KS:\n     \"{}\"", printable(&pair.read)));
    ctx.fact(
        "read",
        json!({ "suite": first, "nonces": "repeated", "read": printable(&pair.read), "exact": pair.exact }),
        format!("   {} of the secret's {} bytes read exactly.", pair.exact, SECRET.len()),
    );
    report_accepted(ctx, first, &pair);
    pair_verdict(ctx, first, Nonces::Repeated, &pair);
    let fresh = known_plaintext(ctx, first, Nonces::Fresh);
    ctx.say(format!(
        "   The same XOR against {first}'s normal seal, a fresh {label} per message:\n     \"{}\"",
        printable(&fresh.read)
    ));
    pair_verdict(ctx, first, Nonces::Fresh, &fresh);

    match repeats(first) {
        Some(Repeats::Whole) => narrate_statistics(ctx, first),
        Some(Repeats::FirstBlock) | None => ctx.say(format!(
            "   (In {first} only the first block shares a keystream: with no known\n   \
             plaintext, twenty messages give twenty samples of 16 columns, no more.)"
        )),
    }

    if !others.is_empty() {
        ctx.step(format!("{}. The other stream suites, the same two messages:", step_after(first)));
    }
    for &suite in others {
        ctx.say(crate::render::wrap(&format!("{suite}: {}.", suite.spec().reuse), 78, "   "));
        for nonces in Nonces::ALL {
            let pair = known_plaintext(ctx, suite, nonces);
            if nonces == Nonces::Repeated {
                report_accepted(ctx, suite, &pair);
            }
            pair_verdict(ctx, suite, nonces, &pair);
        }
    }
    ctx.say(
        "   The fix: never one IV or nonce twice under a key — random (ofb, cfb), a\n   \
         counter that never restarts (ctr, gcm; SP 800-38D §8), or AES-GCM-SIV\n   \
         (RFC 8452), which survives a repeat.",
    );
    Ok(())
}

/// The number of the step on the other suites: 4 after the statistics
/// (step 3), 3 where they did not run.
fn step_after(first: Suite) -> usize {
    match repeats(first) {
        Some(Repeats::Whole) => 4,
        Some(Repeats::FirstBlock) | None => 3,
    }
}

/// Step 3: twenty messages, no known plaintext.
fn narrate_statistics(ctx: &mut DemoCtx, suite: Suite) {
    let label = label(suite);
    ctx.step(format!("3. No known plaintext: {} messages under one {label}, only ciphertext.", CHAT.len()));
    ctx.say(
        "   Byte j of every message was XORed with the same KS_j: each column is a\n   \
         single-byte XOR. Try all 256 bytes per column, keep the one that makes the\n   \
         column look most like English (letters, spaces, marks), then refine whole\n   \
         messages with the quadgram table.",
    );
    let passes = many_time_pad::MAX_PASSES as u64;
    let st = statistical(ctx, suite, |ctx, stage| match stage {
        Stage::Columns => ctx.progress(DEMO.name, 0, passes, "columns scored"),
        Stage::Pass { n, changed } => {
            ctx.progress(DEMO.name, n as u64, passes, format!("refine pass {n}: {changed} columns changed"));
        }
        Stage::Done => ctx.progress(DEMO.name, passes, passes, "done"),
    });
    let conf = &st.recovery.columns;
    for (i, p) in st.recovery.plaintexts.iter().enumerate() {
        let truth = CHAT[i].as_bytes();
        let wrong: String = p.iter().zip(truth).map(|(a, b)| if a == b { ' ' } else { '^' }).collect();
        let mut text = format!("  {:>2} {}", i + 1, printable(p));
        if wrong.contains('^') {
            text.push_str(&format!("\n     {}", wrong.trim_end()));
        }
        ctx.fact("recovered", json!({ "message": i, "text": printable(p), "right": p == truth }), text);
    }
    let digits: String =
        conf.iter().map(|c| char::from(b'0' + (c.confidence * 10.0).floor().clamp(0.0, 9.0) as u8)).collect();
    ctx.fact(
        "confidence",
        json!({ "columns": conf.iter().map(|c| json!({"samples": c.samples, "confidence": c.confidence})).collect::<Vec<_>>() }),
        format!("  conf {digits}\n  (per column: 9 = the model is ≥ 90 % sure of that keystream byte)"),
    );
    let wrong = st.right < st.total;
    ctx.fact(
        "accuracy",
        json!({
            "suite": suite, "messages": CHAT.len(), "bytes": st.total,
            "column_stage": st.column_right, "refined": st.right, "passes": st.recovery.passes,
        }),
        format!(
            "   Bytes right: {} after the column stage; {} of {} ({}) after\n   {} refine passes.{}",
            percent(st.column_right, st.total),
            st.right,
            st.total,
            percent(st.right, st.total),
            st.recovery.passes,
            if wrong {
                " (^ marks a wrong byte: the last columns have the fewest\n   messages to go on.)"
            } else {
                ""
            }
        ),
    );
    let subject = format!("{suite}, {} messages, one {label}", CHAT.len());
    let outcome = broken_if(st.worked());
    let text = match outcome {
        Outcome::Broken => format!("{subject}: {} of {} bytes read, no plaintext known", st.right, st.total),
        Outcome::Refused => {
            format!("{subject}: only {} read; the statistics fell short", percent(st.right, st.total))
        }
    };
    ctx.verdict(DEMO.name, subject, outcome, text);
}

/// The tour's version: the known-plaintext XOR in ctr and gcm, repeated and
/// fresh.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say(format!(
        "{}: one nonce twice: C ⊕ C' = P ⊕ P', so one known message reads the other.",
        DEMO.name
    ));
    for suite in [Suite::Ctr, Suite::Gcm] {
        for nonces in Nonces::ALL {
            let pair = known_plaintext(ctx, suite, nonces);
            pair_verdict(ctx, suite, nonces, &pair);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_table_says_which_keystreams_repeat() {
        assert_eq!(repeats(Suite::Ctr), Some(Repeats::Whole));
        assert_eq!(repeats(Suite::Ofb), Some(Repeats::Whole));
        assert_eq!(repeats(Suite::Gcm), Some(Repeats::Whole));
        assert_eq!(repeats(Suite::Cfb), Some(Repeats::FirstBlock));
        for s in [Suite::Ecb, Suite::Cbc, Suite::CbcHmac] {
            assert_eq!(repeats(s), None, "{s}");
        }
    }

    #[test]
    fn the_secret_is_shorter_than_the_known_message() {
        assert!(SECRET.len() <= KNOWN.len());
        assert!(CHAT.iter().all(|m| m.len() >= 40 && m.len() <= 72), "fits 80 columns after its number");
    }
}
