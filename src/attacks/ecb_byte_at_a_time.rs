//! ECB byte-at-a-time: a secret that a server appends to the attacker's
//! input, read one byte at a time, with no key — only the ECB encryption of
//! `input ‖ secret`.
//!
//! **Setup.** The victim encrypts `attacker input ‖ secret` with one AES key
//! in ECB (cryptopals set 2, challenge 12; the same flaw as a web session
//! cookie `E(username ‖ secret token)`).
//!
//! **Attack**, using only the oracle `input → E_K(input ‖ secret)`:
//! 1. *Block size and secret length.* Send 0, 1, 2, … bytes. The ciphertext
//!    grows by one block at once when the input fills the last block
//!    (PKCS#7 always adds at least one byte): that jump is the block size,
//!    and if it first happens at `i` input bytes, the secret is
//!    `len(E(empty)) − i` bytes long.
//! 2. *ECB or not.* Send three blocks of `A`: two equal ciphertext blocks
//!    mean ECB (equal plaintext blocks, equal ciphertext blocks).
//! 3. *One byte at a time.* Send `15 − (k mod 16)` bytes of `A`, so that
//!    secret byte `k` is the last byte of a block whose other 15 bytes the
//!    attacker knows (their `A`s, then the secret bytes already found).
//!    Then try each value `g` for it: encrypt the known 15 bytes ‖ `g` as
//!    one block. The `g` whose block equals the target block is the byte.
//!    Trying values in order of English likelihood ([`super::padding_oracle::english_order`])
//!    finds a letter in a few tries instead of 128 on average.
//!
//! **Verify.** The recovered secret is checked by the caller (the challenge
//! solver looks for its flag; the tests compare it with the secret).
//!
//! **What stops it.** Any mode with a fresh IV or nonce (cbc, ctr, gcm):
//! the same block encrypts differently every time, so no dictionary can
//! match. Not appending secrets to attacker input helps too.
//!
//! `cryptolab demo ecb-byte-at-a-time` runs it against a victim in every
//! suite ([`narrate`]); `cryptolab challenge serve ecb-byte-at-a-time` makes
//! the victim a server for a student's own attack
//! ([`crate::challenge::ecb_byte_at_a_time`]).

use serde_json::json;

use super::{DemoCtx, DemoError, broken_if};
use crate::render::Dump;
use crate::suite::{Cipher, Suite};

/// The AES block, as ECB sees it.
const BLOCK: usize = 16;

/// The longest secret this attack will read (a bound on its queries).
pub const MAX_SECRET: usize = 4096;

/// What the attack found.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// The block size found (16 for AES).
    pub block: usize,
    /// The secret, as recovered.
    pub secret: Vec<u8>,
    /// Oracle queries, in all.
    pub queries: u64,
    /// Queries per secret byte in step 3, on average: the target block's
    /// and the dictionary's (at most 257; far fewer for English).
    pub per_byte: f64,
}

/// Why the attack stopped.
#[derive(Debug, thiserror::Error)]
pub enum EcbError<E> {
    /// The oracle failed (a socket error, a bad answer).
    #[error(transparent)]
    Oracle(E),
    /// The ciphertext never grew by a whole block: no block cipher here.
    #[error("the ciphertext never grew by a whole 16-byte block: a stream mode, no blocks to match")]
    NoBlock,
    /// Three equal plaintext blocks did not give two equal ciphertext blocks.
    #[error("three equal blocks in gave no two equal blocks out: not ECB, so no dictionary can match")]
    NotEcb,
    /// No byte value matched the target block.
    #[error("no byte value matched secret byte {0}: the oracle is not E(input ‖ secret)")]
    NoMatch(usize),
}

/// Step 1 and 2 and 3 (see the module docs): recovers the secret that
/// `oracle(input)` appends to `input` before encrypting it in ECB. `watch`
/// is told the secret so far after every byte.
pub fn attack<E>(
    oracle: impl FnMut(&[u8]) -> Result<Vec<u8>, E>,
    watch: impl FnMut(&[u8]),
) -> Result<Recovered, EcbError<E>> {
    attack_after(0, oracle, watch).map(|(r, _)| r)
}

/// The same attack when the victim puts a prefix of its own before the
/// input: `E(prefix ‖ input ‖ secret)`, the prefix's length unknown.
///
/// **Step 0, the prefix's length.** Send 32 + k equal bytes for k = 0, 1, …:
/// at the first k where two neighbouring ciphertext blocks are equal, the
/// k bytes filled the prefix's last block and the two blocks after it are
/// all yours, so the prefix ends 16·j − k bytes in (j: the first of the
/// two). Each k is tried with two fill bytes, and only blocks equal with
/// both, and different between them, count: a prefix with repeated blocks
/// of its own, or one that ends in a fill byte, cannot fool it. Then every
/// input starts with the fill that completes the prefix's last block, and
/// every block index is shifted past it. Returns the prefix's length too.
pub fn attack_behind_prefix<E>(
    mut oracle: impl FnMut(&[u8]) -> Result<Vec<u8>, E>,
    watch: impl FnMut(&[u8]),
) -> Result<(Recovered, usize), EcbError<E>> {
    let mut spent = 0u64;
    let mut prefix = None;
    for k in 0..BLOCK {
        let mut cts = Vec::with_capacity(2);
        for fill in [b'A', b'B'] {
            spent += 1;
            cts.push(oracle(&vec![fill; 2 * BLOCK + k]).map_err(EcbError::Oracle)?);
        }
        let (a, b): (Vec<&[u8]>, Vec<&[u8]>) =
            (cts[0].chunks(BLOCK).collect(), cts[1].chunks(BLOCK).collect());
        // Two equal blocks with either fill, different between the fills:
        // ours, not the prefix's own repeats.
        let ours = (0..a.len().min(b.len()).saturating_sub(1))
            .find(|&j| a[j] == a[j + 1] && b[j] == b[j + 1] && a[j] != b[j]);
        if let Some(j) = ours {
            prefix = Some((BLOCK * j).saturating_sub(k));
            break;
        }
    }
    let prefix = prefix.ok_or(EcbError::NotEcb)?;
    let (mut found, _) = attack_after(prefix, oracle, watch)?;
    found.queries += spent;
    Ok((found, prefix))
}

/// Steps 1–3 behind a prefix of `prefix` bytes (0: none).
fn attack_after<E>(
    prefix: usize,
    mut oracle: impl FnMut(&[u8]) -> Result<Vec<u8>, E>,
    mut watch: impl FnMut(&[u8]),
) -> Result<(Recovered, usize), EcbError<E>> {
    let mut queries = 0u64;
    // Every input starts with the fill that completes the prefix's last
    // block; the blocks before ours are skipped.
    let fill = (BLOCK - prefix % BLOCK) % BLOCK;
    let skip = (prefix + fill) / BLOCK * BLOCK;
    let mut ask = |input: &[u8]| {
        queries += 1;
        let mut full = vec![b'F'; fill];
        full.extend_from_slice(input);
        oracle(&full).map_err(EcbError::Oracle)
    };
    // 1. Block size and secret length.
    let empty = ask(&[])?.len();
    let mut jump = None;
    for i in 1..=64usize {
        let len = ask(&vec![b'A'; i])?.len();
        if len > empty {
            jump = Some((i, len - empty));
            break;
        }
    }
    let (i, block) = jump.ok_or(EcbError::NoBlock)?;
    if block != BLOCK {
        return Err(EcbError::NoBlock);
    }
    let secret_len = empty.saturating_sub(skip + i).min(MAX_SECRET);
    // 2. ECB: three blocks of A, two of them aligned, must repeat.
    let ct = ask(&[b'A'; 3 * BLOCK])?;
    let repeats = ct.chunks(BLOCK).zip(ct.chunks(BLOCK).skip(1)).any(|(a, b)| a == b);
    if !repeats {
        return Err(EcbError::NotEcb);
    }
    // 3. One byte at a time.
    let order = super::padding_oracle::english_order();
    let mut secret: Vec<u8> = Vec::with_capacity(secret_len);
    let mut dictionary_queries = 0u64;
    while secret.len() < secret_len {
        let k = secret.len();
        let pad = vec![b'A'; BLOCK - 1 - k % BLOCK];
        let ct = ask(&pad)?;
        dictionary_queries += 1;
        let at = skip + k / BLOCK * BLOCK;
        let target = ct.get(at..at + BLOCK).ok_or(EcbError::NoMatch(k))?.to_vec();
        // The 15 bytes before secret byte k in that block: pad ‖ secret[..k], last 15.
        let mut known: Vec<u8> = pad.iter().chain(&secret).copied().collect();
        known.drain(..known.len() - (BLOCK - 1));
        let mut found = None;
        for &g in &order {
            known.push(g);
            let ct = ask(&known)?;
            known.pop();
            dictionary_queries += 1;
            if ct.get(skip..skip + BLOCK) == Some(&target[..]) {
                found = Some(g);
                break;
            }
        }
        // PKCS#7: past the secret's end the "byte" is padding, which
        // changes as the input grows; the length from step 1 stops us there.
        secret.push(found.ok_or(EcbError::NoMatch(k))?);
        watch(&secret);
    }
    let per_byte = if secret.is_empty() { 0.0 } else { dictionary_queries as f64 / secret.len() as f64 };
    Ok((Recovered { block, secret, queries, per_byte }, prefix))
}

/// The demo's secret: what the victim appends to every input.
pub const SECRET: &str = "session=8f2c1e; role=user; the cookie's secret";

/// The registry row.
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "ecb-byte-at-a-time",
    about: "ecb: a secret appended to your input, read one byte at a time",
    headline,
    tour: true,
};

/// The demo's settings (none yet).
#[derive(Debug, Clone, Default)]
pub struct Options {}

/// The victim in `suite`: `input → E(input ‖ SECRET)`.
fn victim(cipher: &Cipher) -> impl FnMut(&[u8]) -> Result<Vec<u8>, std::convert::Infallible> + '_ {
    move |input: &[u8]| {
        let pt: Vec<u8> = input.iter().chain(SECRET.as_bytes()).copied().collect();
        Ok(cipher.seal(&[], &pt, &mut rand::rng()))
    }
}

/// The attack against `suite`'s victim, and its verdict.
fn run_and_judge(ctx: &mut DemoCtx, suite: Suite) -> Option<Recovered> {
    let cipher = ctx.cipher(suite);
    let result = attack(victim(&cipher), |_| {});
    let (outcome, text, found) = match result {
        Ok(r) if r.secret == SECRET.as_bytes() => (
            broken_if(true),
            format!(
                "{suite}: the whole {}-byte secret read, {:.1} queries per byte.",
                r.secret.len(),
                r.per_byte
            ),
            Some(r),
        ),
        Ok(r) => (broken_if(false), format!("{suite}: the bytes read are not the secret."), Some(r)),
        Err(e) => (broken_if(false), format!("{suite}: {e}."), None),
    };
    ctx.verdict(DEMO.name, suite.name(), outcome, text);
    found
}

/// The narrated demo (`cryptolab demo ecb-byte-at-a-time`).
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: ECB byte-at-a-time — a secret read through its own ciphertext");
    ctx.step("1. The victim (INSECURE) encrypts whatever you send, then its secret:");
    ctx.say("   oracle(input) = E_K(input ‖ secret), in ecb. You see only the ciphertext.");
    let cipher = ctx.cipher(Suite::Ecb);
    let mut oracle = victim(&cipher);
    let lens: Vec<usize> = (0..=16).map(|i| oracle(&vec![b'A'; i]).map_or(0, |c| c.len())).collect();
    let jump = lens.iter().position(|&l| l > lens[0]).unwrap_or(0);
    let shown: Vec<String> = lens[..=jump].iter().map(usize::to_string).collect();
    ctx.say(format!(
        "   Answer lengths for 0, 1, ... bytes of A: {}. It grows by {} at {jump}:",
        shown.join(", "),
        lens[jump] - lens[0]
    ));
    ctx.say(format!(
        "   the block is {} bytes, and the secret {} − {jump} = {} bytes.",
        lens[jump] - lens[0],
        lens[0],
        lens[0] - jump
    ));
    let three = oracle(&[b'A'; 48]).unwrap_or_default();
    ctx.step("2. Three blocks of A in: equal blocks out, so it is ECB.");
    ctx.dump(Dump::new("E(A×48 ‖ secret), first 48 bytes", &three[..48.min(three.len())]));
    ctx.step("3. Byte k: send 15 − (k mod 16) A's, so byte k ends a block whose other 15");
    ctx.say("   bytes you know; encrypt those 15 ‖ g for likely g until the blocks match.");
    let pad = vec![b'A'; 15];
    let target = oracle(&pad).unwrap_or_default();
    ctx.say(format!("   k = 0: E(A×15 ‖ s_0) = {}", hex::encode(&target[..16])));
    let first = SECRET.as_bytes()[0];
    let mut tries = 0;
    for &g in &super::padding_oracle::english_order() {
        tries += 1;
        let mut probe = pad.clone();
        probe.push(g);
        if oracle(&probe).unwrap_or_default()[..16] == target[..16] {
            ctx.say(format!(
                "   E(A×15 ‖ {:?}) matches after {tries} tries: s_0 = {:?}.",
                g as char, first as char
            ));
            break;
        }
    }
    let found = run_and_judge(ctx, Suite::Ecb);
    if let Some(r) = &found {
        ctx.fact(
            "secret",
            json!({ "secret": String::from_utf8_lossy(&r.secret), "queries": r.queries, "per_byte": r.per_byte }),
            format!("   secret: {:?} ({} queries in all)", String::from_utf8_lossy(&r.secret), r.queries),
        );
    }
    ctx.step("4. The same attack against the suites with a fresh IV or nonce:");
    for suite in Suite::ALL.into_iter().filter(|&s| s != Suite::Ecb) {
        run_and_judge(ctx, suite);
    }
    ctx.say("A fresh IV makes every encryption of a block different: no dictionary matches.");
    Ok(())
}

/// The tour's version: the attack in ecb and gcm.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    ctx.say(format!("{}: E(A×15 ‖ s) against E(A×15 ‖ g) for each g, byte after byte.", DEMO.name));
    for suite in [Suite::Ecb, Suite::Cbc, Suite::Gcm] {
        run_and_judge(ctx, suite);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_secret_appended_to_the_input() {
        let cipher = Cipher::new(Suite::Ecb, &[9u8; 16], None).unwrap();
        let secret = b"Rollin' in my 5.0\nWith my rag-top down so my hair can blow\x00\xff".to_vec();
        let oracle = |input: &[u8]| -> Result<Vec<u8>, ()> {
            let pt: Vec<u8> = input.iter().chain(&secret).copied().collect();
            Ok(cipher.seal(&[], &pt, &mut rand::rng()))
        };
        let got = attack(oracle, |_| {}).unwrap();
        assert_eq!(got.secret, secret);
        assert_eq!(got.block, 16);
        assert!(got.per_byte < 60.0, "{}", got.per_byte);
    }

    #[test]
    fn reads_the_secret_behind_a_prefix_of_any_length() {
        let cipher = Cipher::new(Suite::Ecb, &[3u8; 16], None).unwrap();
        let secret = b"behind the prefix".to_vec();
        // A prefix that ends in the fill byte 'A' too: the second fill catches it.
        for prefix in [b"".to_vec(), b"x".to_vec(), b"0123456789abcdeA".to_vec(), vec![b'A'; 21], vec![7; 40]]
        {
            let oracle = |input: &[u8]| -> Result<Vec<u8>, ()> {
                let pt: Vec<u8> = prefix.iter().chain(input).chain(&secret).copied().collect();
                Ok(cipher.seal(&[], &pt, &mut rand::rng()))
            };
            let (got, len) = attack_behind_prefix(oracle, |_| {}).unwrap();
            assert_eq!(len, prefix.len(), "{prefix:?}");
            assert_eq!(got.secret, secret, "{prefix:?}");
        }
    }

    #[test]
    fn refuses_cbc() {
        let cipher = Cipher::new(Suite::Cbc, &[9u8; 16], None).unwrap();
        let oracle = |input: &[u8]| -> Result<Vec<u8>, ()> {
            let pt: Vec<u8> = input.iter().chain(b"secret").copied().collect();
            Ok(cipher.seal(&[], &pt, &mut rand::rng()))
        };
        assert!(matches!(attack(oracle, |_| {}), Err(EcbError::NotEcb)));
    }
}
