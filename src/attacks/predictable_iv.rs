//! Predictable IVs: why a CBC IV must be unpredictable, not just new.
//!
//! **Setup.** A sender encrypts in cbc but chains its IVs: each message's IV
//! is the last ciphertext block of the message before, as SSL 3.0 and
//! TLS 1.0 did across the records of a connection
//! ([`victims::predictable_iv_oracle`], INSECURE). It sends a secret answer,
//! `"Yes"` or `"No"` (the seed decides which). The attacker captures that
//! body, `IV ‖ C_0`, and can make the same sender encrypt plaintexts of
//! their choosing — in BEAST, a script running in the victim's browser.
//!
//! **Attack** (Bard, 2004; Duong and Rizzo's BEAST, CVE-2011-3389). CBC
//! encrypts a first block as `C_0 = E_K(P_0 ⊕ IV)` (SP 800-38A §6.2). The
//! attacker knows the next IV before choosing the plaintext — it is the last
//! block they just saw — so for a guess `G` they ask for
//!
//! ```text
//! P' = IV_next ⊕ IV ⊕ pad(G)   →   C'_0 = E_K(P' ⊕ IV_next) = E_K(pad(G) ⊕ IV)
//! ```
//!
//! which equals the captured `C_0 = E_K(pad(secret) ⊕ IV)` exactly when `G`
//! is the secret. One query per guess: a secret from a small set falls at
//! once; BEAST read a cookie byte by byte, by arranging for only one unknown
//! byte to be in the block each time.
//!
//! **Verify.** The attacker tries both answers; exactly one matches, and it
//! is checked against the secret. Against the suite's normal seal — a fresh
//! random IV per message, drawn after the plaintext is chosen — the attacker
//! cannot cancel `IV_next`, no guess ever matches, and all that is left is a
//! coin toss. A MAC changes nothing here: the attack reads, it forges
//! nothing, so it works alike in every suite whose IV meets the first
//! plaintext block before the block cipher ([`applies_to`]: cbc and
//! cbc-hmac).
//!
//! **Fix.** An unpredictable IV for every message (TLS 1.1, RFC 4346: an
//! explicit random IV per record; SP 800-38A Appendix C), or an AEAD such as
//! gcm, whose nonce only needs to be unique.

use rand::Rng;
use serde_json::json;

use super::{DemoCtx, DemoError, broken_if};
use crate::events::Outcome;
use crate::render::Dump;
use crate::suite::pkcs7::{self, BLOCK};
use crate::suite::{Control, Suite, layout, victims};

/// The two answers the secret can be; the attacker tests both.
pub const CANDIDATES: [&str; 2] = ["Yes", "No"];

/// Whether this test applies to `suite`: its IV is XORed into the first
/// plaintext block before the block cipher, as the spec row's
/// [`Control::PreviousBlock`] says (the IV stands before block 0).
pub fn applies_to(suite: Suite) -> bool {
    matches!(suite.spec().control, Control::PreviousBlock)
}

/// The attacker's plaintext for guess `guess` (under one block):
/// `P' = IV_next ⊕ IV ⊕ pad(guess)`.
pub fn craft(next_iv: &[u8], captured_iv: &[u8], guess: &[u8]) -> Vec<u8> {
    let padded = pkcs7::pad(guess);
    padded.iter().zip(next_iv).zip(captured_iv).take(BLOCK).map(|((p, n), c)| p ^ n ^ c).collect()
}

/// One query: a guess, the plaintext sent for it, and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The answer tested.
    pub guess: &'static str,
    /// The IV the attacker expected the sender to use.
    pub predicted_iv: Vec<u8>,
    /// `P'`, the plaintext the sender was made to encrypt.
    pub sent: Vec<u8>,
    /// The body the sender produced for it.
    pub reply: Vec<u8>,
    /// Whether its first ciphertext block equals the captured one.
    pub equal: bool,
}

/// What the attacker concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guessed {
    /// One query per candidate, in order.
    pub probes: Vec<Probe>,
    /// The one candidate whose block matched, if exactly one did.
    pub answer: Option<&'static str>,
}

/// The attack, with only what an attacker has: the suite (public), the
/// captured body and an encryption oracle (the sender, made to seal chosen
/// plaintexts). Each guess's `IV_next` is predicted by the chaining rule
/// ([`victims::chained_iv`] of the last body seen), which is public too.
pub fn attack(suite: Suite, captured: &[u8], mut oracle: impl FnMut(&[u8]) -> Vec<u8>) -> Guessed {
    let iv_len = suite.iv_len();
    let first_block = iv_len..iv_len + BLOCK;
    let (iv, c0) = (&captured[..iv_len], &captured[first_block.clone()]);
    let mut last_seen = captured.to_vec();
    let mut probes = Vec::new();
    for guess in CANDIDATES {
        let predicted_iv = victims::chained_iv(suite, &last_seen).to_vec();
        let sent = craft(&predicted_iv, iv, guess.as_bytes());
        let reply = oracle(&sent);
        let equal = reply.get(first_block.clone()) == Some(c0);
        last_seen.clone_from(&reply);
        probes.push(Probe { guess, predicted_iv, sent, reply, equal });
    }
    let matched: Vec<&'static str> = probes.iter().filter(|p| p.equal).map(|p| p.guess).collect();
    let answer = if let [one] = matched.as_slice() { Some(*one) } else { None };
    Guessed { probes, answer }
}

/// How the sender draws its IVs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ivs {
    /// Chained, INSECURE: [`victims::predictable_iv_oracle`].
    Predictable,
    /// Fresh and random for every message: the suite's normal seal.
    Random,
}

impl Ivs {
    /// Both, the weak one first.
    pub const ALL: [Ivs; 2] = [Ivs::Predictable, Ivs::Random];

    /// In words, for the verdict's subject.
    pub const fn words(self) -> &'static str {
        match self {
            Ivs::Predictable => "predictable IV",
            Ivs::Random => "random IV",
        }
    }
}

/// One run: the secret, what was captured, and what the attacker found.
#[derive(Debug, Clone)]
pub struct Run {
    /// The secret the victim sent.
    pub secret: &'static str,
    /// Its body, as captured.
    pub captured: Vec<u8>,
    /// The attacker's queries and conclusion.
    pub guessed: Guessed,
}

/// Runs the scenario in `suite` with `ivs`: the victim draws its secret and
/// sends it, then the attacker probes the same sender.
pub fn run(ctx: &mut DemoCtx, suite: Suite, ivs: Ivs) -> Run {
    let cipher = ctx.cipher(suite);
    let secret = CANDIDATES[(ctx.rng.next_u32() % 2) as usize];
    match ivs {
        Ivs::Predictable => {
            let mut first_iv = vec![0u8; suite.iv_len()];
            ctx.rng.fill_bytes(&mut first_iv);
            let mut sender = victims::predictable_iv_oracle(&cipher, &first_iv);
            let captured = sender(secret.as_bytes());
            let guessed = attack(suite, &captured, sender);
            Run { secret, captured, guessed }
        }
        Ivs::Random => {
            let rng = &mut ctx.rng;
            let captured = cipher.seal(&[], secret.as_bytes(), rng);
            let guessed = attack(suite, &captured, |pt| cipher.seal(&[], pt, rng));
            Run { secret, captured, guessed }
        }
    }
}

/// The verdict on a run: broken only if the attacker's answer is the
/// secret (checked here, where the secret is known).
fn verdict(ctx: &DemoCtx, suite: Suite, ivs: Ivs, run: &Run) {
    let subject = format!("{suite}, {}", ivs.words());
    let outcome = broken_if(run.guessed.answer == Some(run.secret));
    let text = match (outcome, run.guessed.answer) {
        (Outcome::Broken, _) => {
            format!("{subject}: the secret is \"{}\"; only that guess matched", run.secret)
        }
        (Outcome::Refused, None) => format!("{subject}: never equal; the attacker's guess is a coin toss"),
        (Outcome::Refused, Some(wrong)) => format!("{subject}: matched \"{wrong}\", which is wrong"),
    };
    ctx.verdict(DEMO.name, subject, outcome, text);
}

/// Reports the probes of a run: one [`crate::events::Fact`] per guess.
fn report_probes(ctx: &DemoCtx, suite: Suite, ivs: Ivs, run: &Run) {
    let iv_len = suite.iv_len();
    for p in &run.guessed.probes {
        let reply_c0 = &p.reply[iv_len..iv_len + BLOCK];
        let guess = format!("\"{}\"", p.guess);
        ctx.fact(
            "probe",
            json!({
                "suite": suite, "ivs": ivs.words(), "guess": p.guess,
                "sent": hex::encode(&p.sent), "c0": hex::encode(reply_c0), "equal": p.equal,
            }),
            format!(
                "  guess {guess:<6} C'_0 = {}  {} C_0",
                hex::encode(reply_c0),
                if p.equal { "=" } else { "≠" }
            ),
        );
    }
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "predictable-iv",
    about: "CBC with a predictable IV (TLS 1.0, BEAST): test a guess of the secret with one query",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo predictable-iv` (none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {}

/// Narrates the demo: the chained IVs, the crafted plaintexts, the matching
/// block; the same test against random IVs; then every suite it applies to.
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: predictable IV — why a CBC IV must be unpredictable (BEAST)");
    let mut suites = Suite::ALL.into_iter().filter(|s| applies_to(*s));
    let Some(suite) = suites.next() else { return Ok(()) };
    let iv_len = suite.iv_len();

    let run_p = run(ctx, suite, Ivs::Predictable);
    ctx.step(format!("1. The victim's {suite} sender chains its IVs (INSECURE, as TLS 1.0 did):"));
    ctx.say(
        "   each message's IV is the last ciphertext block of the message before.\n   \
         It sends a secret answer, \"Yes\" or \"No\". The attacker captures it:",
    );
    ctx.dump(
        Dump::new(format!("captured {suite} body: the secret answer"), &run_p.captured)
            .spans(layout::body_spans(suite, 0, run_p.captured.len())),
    );
    ctx.step("2. The attacker knows the next IV already: the last block above.");
    ctx.say(
        "   And it can make the sender encrypt chosen plaintexts (in BEAST, a script\n   \
         in the victim's browser). C_0 = E_K(P_0 ⊕ IV), so for a guess G it asks for",
    );
    ctx.say(
        "     P'   = IV_next ⊕ IV ⊕ pad(G)\n     \
         C'_0 = E_K(P' ⊕ IV_next) = E_K(pad(G) ⊕ IV) = C_0 iff G is the secret",
    );
    let first = &run_p.guessed.probes[0];
    let padded = pkcs7::pad(first.guess.as_bytes());
    ctx.say(format!(
        "   for G = \"{}\":\n     IV_next    {}\n     IV         {}\n     pad(G)     {}\n     P'         {}",
        first.guess,
        hex::encode(&first.predicted_iv),
        hex::encode(&run_p.captured[..iv_len]),
        hex::encode(&padded),
        hex::encode(&first.sent)
    ));
    ctx.step("3. One query per guess; the first block of each reply against C_0:");
    ctx.say(format!("  captured     C_0  = {}", hex::encode(&run_p.captured[iv_len..iv_len + BLOCK])));
    report_probes(ctx, suite, Ivs::Predictable, &run_p);
    verdict(ctx, suite, Ivs::Predictable, &run_p);

    ctx.step(format!("4. The same test against {suite}'s normal seal: a fresh random IV each time."));
    let run_r = run(ctx, suite, Ivs::Random);
    ctx.say(format!("  captured     C_0  = {}", hex::encode(&run_r.captured[iv_len..iv_len + BLOCK])));
    ctx.say("   IV_next is drawn after P' is chosen: nothing cancels it, so no block matches.");
    report_probes(ctx, suite, Ivs::Random, &run_r);
    verdict(ctx, suite, Ivs::Random, &run_r);

    ctx.step("5. The other suites.");
    for other in suites {
        ctx.say(format!("   {other}: its IV meets the first block the same way; a MAC does not hide it."));
        for ivs in Ivs::ALL {
            let r = run(ctx, other, ivs);
            verdict(ctx, other, ivs, &r);
        }
    }
    let no_iv: Vec<&str> = Suite::ALL.iter().filter(|s| s.iv_len() == 0).map(|s| s.name()).collect();
    if !no_iv.is_empty() {
        ctx.say(format!(
            "   {}: no IV at all. The same plaintext always gives the same ciphertext:\n   \
             the attacker compares without any trick (lab 04).",
            no_iv.join(", ")
        ));
    }
    let keystream: Vec<&str> =
        Suite::ALL.iter().filter(|s| s.iv_len() > 0 && !applies_to(**s)).map(|s| s.name()).collect();
    if !keystream.is_empty() {
        ctx.say(format!(
            "   {}: the IV or nonce makes the keystream; it never\n   \
             meets the plaintext before AES, so P' cannot cancel it and this test does\n   \
             not apply. (SP 800-38A: CBC and CFB need unpredictable IVs, OFB unique\n   \
             ones (App. C), CTR unique counter blocks (App. B); GCM a unique nonce,\n   \
             SP 800-38D §8.)",
            keystream.join(", ")
        ));
    }
    Ok(())
}

/// The tour's version: both IV choices in every suite the test applies to.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say(format!("{}: ask for P' = IV_next ⊕ IV ⊕ pad(G): C'_0 = C_0 iff G is the secret.", DEMO.name));
    for suite in Suite::ALL.into_iter().filter(|s| applies_to(*s)) {
        for ivs in Ivs::ALL {
            let r = run(ctx, suite, ivs);
            verdict(ctx, suite, ivs, &r);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crafted_block_cancels_the_next_iv() {
        let (next, iv) = ([0x5au8; 16], [0xa5u8; 16]);
        let sent = craft(&next, &iv, b"Yes");
        let into_aes: Vec<u8> = sent.iter().zip(&next).map(|(p, n)| p ^ n).collect();
        let expected: Vec<u8> = pkcs7::pad(b"Yes").iter().zip(&iv).map(|(p, v)| p ^ v).collect();
        assert_eq!(into_aes, expected, "P' ⊕ IV_next = pad(G) ⊕ IV");
    }

    #[test]
    fn the_test_applies_to_the_suites_whose_iv_meets_the_first_block() {
        let names: Vec<&str> = Suite::ALL.into_iter().filter(|s| applies_to(*s)).map(Suite::name).collect();
        assert!(names.contains(&"cbc") && names.contains(&"cbc-hmac"), "{names:?}");
        assert!(!applies_to(Suite::Ecb) && !applies_to(Suite::Gcm));
    }
}
