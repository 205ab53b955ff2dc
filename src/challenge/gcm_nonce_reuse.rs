//! Challenge `gcm-nonce-reuse`: a GCM server that repeats its nonce; from
//! two of its messages recover the authentication key H and forge a message
//! it never sealed — the forbidden attack (Joux, 2006).
//!
//! INSECURE, on purpose: AES-128-GCM with one nonce for every message
//! (SP 800-38D §8 forbids exactly this). The attack, and its mathematics in
//! GF(2¹²⁸), is [`crate::attacks::gcm_forbidden`]; whether a forged tag is
//! valid is decided here by the `aes-gcm` crate.
//!
//! ```text
//! encrypt HEX   → hex of nonce ‖ ciphertext ‖ tag of your bytes (refused if they contain "admin")
//! submit HEX    → "welcome, admin: FLAG" if it opens and contains role=admin;
//!                 "accepted" if it opens; "rejected" if the tag is wrong
//! ```
//!
//! **The authenticated variant** (`serve --authenticated`) draws a fresh
//! nonce for every message, as GCM requires: the equation has no common H,
//! and every forged tag is `rejected`.

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::attacks::gcm_forbidden;
use crate::suite::{Cipher, Suite};

/// The challenge's name.
pub const NAME: &str = "gcm-nonce-reuse";

/// GCM's nonce and tag lengths.
const NONCE: usize = 12;
const TAG: usize = 16;

/// The longest message taken.
const MAX_INPUT: usize = 1024;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 3,
    concept: "one GCM nonce twice: solve for the key H in GF(2^128), forge any message (the forbidden attack)",
    requests: "encrypt HEX (answers hex of nonce || ciphertext || tag; no 'admin'); submit HEX (answers welcome, \
               admin: FLAG / accepted / rejected)",
    has_authenticated: true,
    hints: &[
        "Encrypt two messages and compare their first 12 bytes: the nonce. The server will not encrypt anything \
         that says admin, so you must forge it.",
        "Same nonce, same keystream: ciphertext xor your plaintext is the keystream, and any text you want can be \
         encrypted with it. Only the tag stands in the way.",
        "tag = E_K(J_0) xor GHASH_H(C), and GHASH is a polynomial in H: C_1 H^(n+1) + ... + C_n H^2 + L H. \
         E_K(J_0) is the same for both messages: it cancels when you xor their tags.",
        "T_1 + T_2 + GHASH(C_1) + GHASH(C_2) = 0 is a polynomial in H over GF(2^128). Find its roots: \
         gcd with X^(2^128) - X, then split it (Cantor-Zassenhaus). Mind GCM's reversed bit order.",
        "For each root H: mask = T_1 + GHASH_H(C_1); forged tag = mask + GHASH_H(your ciphertext). Submit until \
         one is accepted.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    cipher: Cipher,
    nonce: Option<[u8; NONCE]>,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let cipher = setup.cipher(NAME, Suite::Gcm, Suite::Gcm);
    // INSECURE, on purpose: one nonce for all of this student's messages
    // (derived, so it stays the same across connections too).
    let nonce = (!setup.authenticated).then(|| {
        let k = setup.secret.mac_key(NAME, setup.student);
        let mut n = [0u8; NONCE];
        n.copy_from_slice(&k[..NONCE]);
        n
    });
    Box::new(Victim { cipher, nonce, flag: setup.flag(NAME) })
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "encrypt" => match parse_hex(arg, MAX_INPUT) {
                Ok(pt) if pt.windows(5).any(|w| w.eq_ignore_ascii_case(b"admin")) => {
                    error("this server never encrypts anything that says admin")
                }
                Ok(pt) => match self.nonce {
                    Some(nonce) => {
                        let mut body = Vec::new();
                        self.cipher.seal_with_iv(&[], &pt, &nonce, &mut body).expect("a 12-byte nonce");
                        hex::encode(body)
                    }
                    None => hex::encode(self.cipher.seal(&[], &pt, &mut rand::rng())),
                },
                Err(e) => error(&e),
            },
            "submit" => match parse_hex(arg, MAX_INPUT + NONCE + TAG) {
                Ok(body) => match self.cipher.open(&[], &body) {
                    Ok(pt) if pt.windows(10).any(|w| w == b"role=admin") => {
                        format!("welcome, admin: {}", self.flag)
                    }
                    Ok(_) => "accepted".to_string(),
                    Err(_) => "rejected".to_string(),
                },
                Err(e) => error(&e),
            },
            _ => return None,
        })
    }
}

/// A GCM body's nonce, ciphertext and tag.
struct Sealed {
    nonce: Vec<u8>,
    ct: Vec<u8>,
    tag: Vec<u8>,
}

fn parts(b: &[u8]) -> Result<Sealed, SolveError> {
    if b.len() < NONCE + TAG {
        return Err(SolveError::Protocol(format!("a GCM body of {} bytes", b.len())));
    }
    Ok(Sealed {
        nonce: b[..NONCE].to_vec(),
        ct: b[NONCE..b.len() - TAG].to_vec(),
        tag: b[b.len() - TAG..].to_vec(),
    })
}

/// The built-in solution: two messages, the roots of one polynomial, one
/// forgery per root.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let p1 = b"first known message: 32 bytes ..".to_vec();
    let p2 = b"a second one, of a different size".to_vec();
    let b1 = client.ask_hex("encrypt", &p1)?;
    let b2 = client.ask_hex("encrypt", &p2)?;
    let (m1, m2) = (parts(&b1)?, parts(&b2)?);
    let (n1, c1, t1) = (m1.nonce, m1.ct, m1.tag);
    let (n2, c2, t2) = (m2.nonce, m2.ct, m2.tag);
    if n1 == n2 {
        say(&format!("1. Two messages, both under nonce {}: the nonce repeats.", hex::encode(&n1)));
    } else {
        say(&format!("1. Two messages, under nonces {} and {}.", hex::encode(&n1), hex::encode(&n2)));
    }
    let f = gcm_forbidden::equation(&c1, &t1, &c2, &t2);
    let candidates = gcm_forbidden::roots(&f, &mut rand::rng());
    say(&format!(
        "2. T_1 + T_2 + GHASH_H(C_1) + GHASH_H(C_2) = 0, degree {} in H: {} root{} in GF(2^128).",
        f.degree().unwrap_or(0),
        candidates.len(),
        if candidates.len() == 1 { "" } else { "s" }
    ));
    // The keystream from message 1, the wanted text under it.
    let wanted = b"user=mallory;role=admin";
    let ct: Vec<u8> = wanted.iter().zip(c1.iter().zip(&p1)).map(|(w, (c, p))| w ^ c ^ p).collect();
    say(&format!(
        "3. {:?} encrypted with message 1's keystream; a tag for each root:",
        String::from_utf8_lossy(wanted)
    ));
    for &h in &candidates {
        let mut body = n1.clone();
        body.extend(&ct);
        body.extend(gcm_forbidden::forge_tag(h, &c1, &t1, &ct));
        let answer = client.ask(&format!("submit {}", hex::encode(&body)))?;
        say(&format!(
            "   H = {}: {}",
            hex::encode(gcm_forbidden::gf_bytes(h)),
            crate::events::visible(&answer)
        ));
        if let Some(flag) = find_flag(&answer).filter(|_| answer.starts_with("welcome, admin")) {
            return Ok(Solved { flag: flag.to_string(), requests: client.requests() });
        }
    }
    Err(SolveError::Refused(
        "REFUSED: no root of the equation gave a tag the server accepted (a fresh nonce per message)".into(),
    ))
}
