//! The forbidden attack on GCM (Joux, 2006): two messages under one nonce
//! give away the authentication key H, and with it a valid tag for any
//! message.
//!
//! **GHASH** (SP 800-38D §6.4). GCM's tag is T = E_K(J_0) ⊕ GHASH_H(A, C),
//! and GHASH is a polynomial in H = E_K(0¹²⁸) over the field GF(2¹²⁸): with
//! the ciphertext blocks C_1 … C_n and the length block L,
//!
//! ```text
//! GHASH_H(C) = C_1·H^(n+1) ⊕ C_2·H^n ⊕ … ⊕ C_n·H² ⊕ L·H
//! ```
//!
//! **Two messages, one nonce.** E_K(J_0) depends only on the key and the
//! nonce, so for two messages sealed under the same nonce it cancels:
//!
//! ```text
//! T_1 ⊕ T_2 = GHASH_H(C_1) ⊕ GHASH_H(C_2)
//! ```
//!
//! That is a polynomial equation in the one unknown H — addition in
//! GF(2¹²⁸) is XOR — of degree n+1. Its roots (usually one or a few) are the
//! candidates for H, found by factoring ([`roots`]: the distinct-root part
//! gcd(f, X^(2¹²⁸) − X), then random splits by the trace map, Cantor and
//! Zassenhaus). With H, E_K(J_0) = T_1 ⊕ GHASH_H(C_1), and any ciphertext
//! gets its tag. The nonce reuse also repeats the keystream, so a known
//! plaintext gives the keystream, and the forged ciphertext says what the
//! attacker wants.
//!
//! **The mathematics is the attack's own** (the field and the polynomials
//! below); GCM itself is never computed here: the tags of real messages come
//! from the victim, and whether a forged tag is valid is decided by the
//! `aes-gcm` crate on the victim's side.
//!
//! **What stops it.** A nonce that never repeats under a key (a counter, or
//! 96 random bits for fewer than 2³² messages: SP 800-38D §8); or a
//! misuse-resistant mode (AES-GCM-SIV, RFC 8452).

use rand::Rng;

/// An element of GF(2¹²⁸) in GCM's bit order: the first bit of the block
/// (the top bit of its first byte) is the coefficient of x⁰.
pub type Gf = u128;

/// GCM's reduction constant: x¹²⁸ = x⁷ + x² + x + 1, as the block `e1 00 … 00`.
const R: u128 = 0xe1 << 120;

/// A 16-byte block as a field element.
pub fn gf_from(block: &[u8]) -> Gf {
    let mut b = [0u8; 16];
    b[..block.len().min(16)].copy_from_slice(&block[..block.len().min(16)]);
    u128::from_be_bytes(b)
}

/// A field element as its 16-byte block.
pub fn gf_bytes(x: Gf) -> [u8; 16] {
    x.to_be_bytes()
}

/// x · y in GF(2¹²⁸) (SP 800-38D §6.3, Algorithm 1).
pub fn gf_mul(x: Gf, y: Gf) -> Gf {
    let (mut z, mut v) = (0u128, y);
    for i in 0..128 {
        if (x >> (127 - i)) & 1 == 1 {
            z ^= v;
        }
        v = if v & 1 == 1 { (v >> 1) ^ R } else { v >> 1 };
    }
    z
}

/// x^e by squaring and multiplying.
fn gf_pow(mut x: Gf, mut e: u128) -> Gf {
    let mut acc: Gf = 1 << 127; // the element 1: coefficient of x⁰ is the first bit
    while e > 0 {
        if e & 1 == 1 {
            acc = gf_mul(acc, x);
        }
        x = gf_mul(x, x);
        e >>= 1;
    }
    acc
}

/// The element 1.
pub const ONE: Gf = 1 << 127;

/// 1 / x (x ≠ 0): x^(2¹²⁸ − 2).
pub fn gf_inv(x: Gf) -> Gf {
    gf_pow(x, u128::MAX - 1)
}

/// A polynomial over GF(2¹²⁸), coefficient of Xⁱ at index i, no trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poly(pub Vec<Gf>);

impl Poly {
    fn trim(mut self) -> Self {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    /// Its degree (`None` for the zero polynomial).
    pub fn degree(&self) -> Option<usize> {
        self.0.len().checked_sub(1)
    }

    fn add(&self, other: &Poly) -> Poly {
        let mut c = vec![0; self.0.len().max(other.0.len())];
        for (i, &a) in self.0.iter().enumerate() {
            c[i] ^= a;
        }
        for (i, &b) in other.0.iter().enumerate() {
            c[i] ^= b;
        }
        Poly(c).trim()
    }

    fn mul(&self, other: &Poly) -> Poly {
        if self.0.is_empty() || other.0.is_empty() {
            return Poly(Vec::new());
        }
        let mut c = vec![0; self.0.len() + other.0.len() - 1];
        for (i, &a) in self.0.iter().enumerate() {
            for (j, &b) in other.0.iter().enumerate() {
                c[i + j] ^= gf_mul(a, b);
            }
        }
        Poly(c).trim()
    }

    /// self mod m (m not zero).
    fn rem(&self, m: &Poly) -> Poly {
        let dm = m.degree().expect("a non-zero modulus");
        let lead_inv = gf_inv(m.0[dm]);
        let mut r = self.0.clone();
        while r.len() > dm {
            let top = *r.last().expect("longer than the modulus");
            if top != 0 {
                let q = gf_mul(top, lead_inv);
                let shift = r.len() - 1 - dm;
                for (i, &c) in m.0.iter().enumerate() {
                    r[shift + i] ^= gf_mul(q, c);
                }
            }
            r.pop();
        }
        Poly(r).trim()
    }

    /// The monic polynomial with the same roots.
    fn monic(&self) -> Poly {
        match self.0.last() {
            None => self.clone(),
            Some(&lead) => {
                let inv = gf_inv(lead);
                Poly(self.0.iter().map(|&c| gf_mul(c, inv)).collect())
            }
        }
    }

    /// Its value at x (Horner).
    pub fn eval(&self, x: Gf) -> Gf {
        self.0.iter().rev().fold(0, |acc, &c| gf_mul(acc, x) ^ c)
    }
}

fn gcd(a: &Poly, b: &Poly) -> Poly {
    let (mut a, mut b) = (a.clone(), b.clone());
    while !b.0.is_empty() {
        let r = a.rem(&b);
        a = b;
        b = r;
    }
    a.monic()
}

/// X^(2^k) mod m, by k squarings of X.
fn x_to_2k_mod(k: usize, m: &Poly) -> Poly {
    let mut p = Poly(vec![0, ONE]).rem(m);
    for _ in 0..k {
        p = p.mul(&p).rem(m);
    }
    p
}

/// The distinct roots of `f` in GF(2¹²⁸) (see the module docs).
pub fn roots(f: &Poly, rng: &mut impl Rng) -> Vec<Gf> {
    let f = f.clone().trim().monic();
    if f.degree().is_none_or(|d| d == 0) {
        return Vec::new();
    }
    // The product of (X − r) over the roots r in the field: X^(2¹²⁸) − X
    // is the product of all of them.
    let x = Poly(vec![0, ONE]);
    let g = gcd(&f, &x_to_2k_mod(128, &f).add(&x));
    let mut found = Vec::new();
    split(&g, rng, &mut found);
    found.sort_unstable();
    found
}

/// Splits a product of distinct linear factors into its roots.
fn split(g: &Poly, rng: &mut impl Rng, found: &mut Vec<Gf>) {
    match g.degree() {
        None | Some(0) => {}
        // X + r (monic): the root is r (−r = r in characteristic 2).
        Some(1) => found.push(g.0[0]),
        Some(_) => loop {
            // Tr(aX) = Σ (aX)^(2^i), i < 128, mod g: a polynomial whose
            // value at each root is 0 or 1, each with probability ½.
            let a: Gf = rng.next_u64() as u128 | ((rng.next_u64() as u128) << 64);
            let mut term = Poly(vec![0, a]).rem(g);
            let mut trace = term.clone();
            for _ in 1..128 {
                term = term.mul(&term).rem(g);
                trace = trace.add(&term);
            }
            let d = gcd(g, &trace);
            if let Some(k) = d.degree()
                && k > 0
                && Some(k) < g.degree()
            {
                let other = quotient(g, &d);
                split(&d, rng, found);
                split(&other, rng, found);
                return;
            }
        },
    }
}

/// g / d for d dividing g exactly.
fn quotient(g: &Poly, d: &Poly) -> Poly {
    let dd = d.degree().expect("a non-zero divisor");
    let lead_inv = gf_inv(d.0[dd]);
    let mut r = g.0.clone();
    let mut q = vec![0; r.len() - dd];
    while r.len() > dd {
        let top = *r.last().expect("not shorter than the divisor");
        let shift = r.len() - 1 - dd;
        let c = gf_mul(top, lead_inv);
        q[shift] = c;
        for (i, &x) in d.0.iter().enumerate() {
            r[shift + i] ^= gf_mul(c, x);
        }
        r.pop();
    }
    Poly(q).trim()
}

/// The blocks GHASH runs over for a ciphertext with no associated data:
/// its 16-byte blocks (the last one zero-padded), then the length block.
pub fn ghash_blocks(ct: &[u8]) -> Vec<Gf> {
    let mut blocks: Vec<Gf> = ct.chunks(16).map(gf_from).collect();
    blocks.push(((ct.len() as u128) * 8) & u128::from(u64::MAX)); // len(A) = 0 ‖ len(C) in bits
    blocks
}

/// GHASH_H of a ciphertext with no associated data.
pub fn ghash(h: Gf, ct: &[u8]) -> Gf {
    ghash_blocks(ct).iter().fold(0, |x, &b| gf_mul(x ^ b, h))
}

/// The polynomial in H whose roots the attack wants: GHASH(ct1) ⊕ GHASH(ct2)
/// ⊕ tag1 ⊕ tag2, as a polynomial (the coefficient of H^k is the block
/// that GHASH multiplies by H^k).
pub fn equation(ct1: &[u8], tag1: &[u8], ct2: &[u8], tag2: &[u8]) -> Poly {
    let as_poly = |ct: &[u8]| {
        let blocks = ghash_blocks(ct);
        let n = blocks.len();
        let mut c = vec![0; n + 1];
        for (i, &b) in blocks.iter().enumerate() {
            c[n - i] = b;
        }
        Poly(c).trim()
    };
    let constant = Poly(vec![gf_from(tag1) ^ gf_from(tag2)]).trim();
    as_poly(ct1).add(&as_poly(ct2)).add(&constant)
}

/// A forged tag for `ct` from the key candidate `h` and one known message
/// (`ct1`, `tag1`) under the same nonce: E_K(J_0) ⊕ GHASH_H(ct), with
/// E_K(J_0) = tag1 ⊕ GHASH_H(ct1).
pub fn forge_tag(h: Gf, ct1: &[u8], tag1: &[u8], ct: &[u8]) -> [u8; 16] {
    let mask = gf_from(tag1) ^ ghash(h, ct1);
    gf_bytes(mask ^ ghash(h, ct))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{Cipher, Suite};

    #[test]
    fn the_field_multiplies_as_gcm_does() {
        // The GCM spec's test case 2 (McGrew and Viega): K = 0, IV = 0,
        // P = 0^128; H = E_K(0) = 66e94bd4…; the crate seals it, and the
        // attack's own GHASH must give the crate's tag.
        let cipher = Cipher::new(Suite::Gcm, &[0u8; 16], None).unwrap();
        let nonce = [0u8; 12];
        let mut body = Vec::new();
        cipher.seal_with_iv(&[], &[0u8; 16], &nonce, &mut body).unwrap();
        assert_eq!(hex::encode(&body[12..28]), "0388dace60b6a392f328c2b971b2fe78");
        let h = gf_from(&hex::decode("66e94bd4ef8a2c3b884cfa59ca342b2e").unwrap());
        // E_K(J_0) for K = 0, nonce 0: 58e2fccefa7e3061367f1d57a4e7455a (test case 1's tag).
        let ek_j0 = gf_from(&hex::decode("58e2fccefa7e3061367f1d57a4e7455a").unwrap());
        assert_eq!(gf_bytes(ek_j0 ^ ghash(h, &body[12..28])), body[28..44]);
        assert_eq!(gf_mul(h, ONE), h);
        assert_eq!(gf_mul(h, gf_inv(h)), ONE);
    }

    #[test]
    fn two_messages_under_one_nonce_give_h_and_a_forgery_the_crate_accepts() {
        let mut rng = rand::rng();
        let cipher = Cipher::new(Suite::Gcm, &[7u8; 16], None).unwrap();
        let nonce = [9u8; 12];
        let seal = |pt: &[u8]| {
            let mut body = Vec::new();
            cipher.seal_with_iv(&[], pt, &nonce, &mut body).unwrap();
            body
        };
        let (b1, b2) =
            (seal(b"the first message, forty bytes long ...."), seal(b"and a second one, of another length"));
        let split = |b: &[u8]| (b[12..b.len() - 16].to_vec(), b[b.len() - 16..].to_vec());
        let ((c1, t1), (c2, t2)) = (split(&b1), split(&b2));
        let f = equation(&c1, &t1, &c2, &t2);
        let candidates = roots(&f, &mut rng);
        assert!(!candidates.is_empty());
        assert!(candidates.iter().all(|&h| f.eval(h) == 0));
        // The forgery: known plaintext 1 gives the keystream.
        let wanted = b"role=admin; forged";
        let ks: Vec<u8> =
            c1.iter().zip(b"the first message, forty bytes long ....").map(|(c, p)| c ^ p).collect();
        let ct: Vec<u8> = wanted.iter().zip(&ks).map(|(p, k)| p ^ k).collect();
        let accepted = candidates.iter().any(|&h| {
            let mut body = nonce.to_vec();
            body.extend(&ct);
            body.extend(forge_tag(h, &c1, &t1, &ct));
            cipher.open(&[], &body).is_ok_and(|p| p == wanted)
        });
        assert!(accepted, "{} candidates, none accepted", candidates.len());
    }
}
