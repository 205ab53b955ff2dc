//! The Vigenère cipher: a Caesar shift that changes from letter to letter,
//! following a key word.
//!
//! ```text
//! Cᵢ = (Pᵢ + K[i mod m]) mod 26          (m = key length, A = 0 … Z = 25)
//!
//! plain   A T T A C K A T D A W N
//! key     L E M O N L E M O N L E
//! cipher  L X F O P V E F R N H R
//! ```
//!
//! Only letters are shifted, and only letters use up key letters: spaces
//! and punctuation pass through and do not advance the key. Case is kept.
//!
//! For three centuries it was *le chiffre indéchiffrable*: the same plain
//! letter becomes different cipher letters, so the letter frequencies are
//! flattened and a single χ² test sees nothing.
//!
//! # Breaking it
//! 1. **Find the key length m.** Take every m-th letter: if m is right (or a
//!    multiple of it) each such column was shifted by one key letter only,
//!    so it has the index of coincidence of English (≈ 0.066) instead of the
//!    flattened ≈ 0.04 (Friedman). Repeated fragments in the ciphertext at
//!    distances that are multiples of m point the same way (Kasiski). Both
//!    are shown; the attack does not bet on either alone but carries every
//!    candidate length to step 3.
//! 2. **Each column is a Caesar cipher**: solve it by χ² against English,
//!    giving a first key.
//! 3. **Refine with quadgrams.** A column of 25 letters can fool χ², but the
//!    whole text's quadgram fitness cannot: for each key position, try all
//!    26 letters and keep the best, until nothing changes.
//! 4. **Choose the length** whose key gives the fittest plaintext; a
//!    multiple of the true length fits equally well (it is the key written
//!    twice), so the shortest near-best length wins.
//!
//! **Hazmat**: a key shorter than the message repeats, and every repetition
//! is a foothold; only a truly random key as long as the message (the
//! one-time pad) escapes this attack.

use std::fmt;

use super::{ClassicalError, analysis, checked_letters, english, letter, map_letters};

/// The longest key length tried by [`crack`].
pub const MAX_PERIOD: usize = 20;

/// Letters for a crack of a key up to 12 letters to be right nearly always
/// (see `docs/CLASSICAL.md`); shorter texts are attempted with a warning.
pub const RELIABLE_LETTERS: usize = 300;

/// A Vigenère key: a word, as shifts 0–25.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VigenereKey(Vec<u8>);

impl VigenereKey {
    /// Parses a key word (letters only, case-insensitive).
    pub fn parse(key: &str) -> Result<Self, ClassicalError> {
        let k = key.trim();
        if k.is_empty() {
            return Err(ClassicalError::EmptyKey { cipher: "Vigenère" });
        }
        if let Some(ch) = k.chars().find(|c| !c.is_ascii_alphabetic()) {
            return Err(ClassicalError::VigenereKeyCharacter { key: key.to_string(), ch });
        }
        Ok(VigenereKey(k.bytes().map(|b| b.to_ascii_uppercase() - b'A').collect()))
    }

    /// The key from shifts 0–25.
    ///
    /// # Panics
    /// If `shifts` is empty or a shift is above 25.
    pub fn from_shifts(shifts: Vec<u8>) -> Self {
        assert!(!shifts.is_empty() && shifts.iter().all(|&s| s < 26));
        VigenereKey(shifts)
    }

    /// The shifts, one per key letter.
    pub fn shifts(&self) -> &[u8] {
        &self.0
    }

    /// The key length.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a key has at least one letter.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for VigenereKey {
    /// The key word in upper case.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|&s| write!(f, "{}", letter(s)))
    }
}

/// Encrypts: the i-th letter is shifted by key letter i mod m.
pub fn encrypt(text: &str, key: &VigenereKey) -> String {
    let k = &key.0;
    map_letters(text, |i, l| l + k[i % k.len()])
}

/// Decrypts: the i-th letter is shifted back by key letter i mod m.
pub fn decrypt(text: &str, key: &VigenereKey) -> String {
    let k = &key.0;
    map_letters(text, |i, l| l + 26 - k[i % k.len()])
}

/// What the attack found for one candidate key length.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodScore {
    /// The key length tried.
    pub period: usize,
    /// Mean index of coincidence of its columns (English ≈ 0.066).
    pub ioc: f64,
    /// Kasiski votes: repeated-trigram distances it divides.
    pub kasiski: usize,
    /// The best key of that length after quadgram refinement.
    pub key: VigenereKey,
    /// Mean quadgram log-probability of that key's decryption.
    pub fitness: f64,
}

/// The result of [`crack`].
#[derive(Debug, Clone, PartialEq)]
pub struct VigenereCrack {
    /// The recovered key.
    pub key: VigenereKey,
    /// The ciphertext decrypted with it (case and non-letters kept).
    pub plaintext: String,
    /// Mean quadgram log-probability of the plaintext (higher is better).
    pub score: f64,
    /// Every key length tried, in order.
    pub periods: Vec<PeriodScore>,
}

/// Breaks a Vigenère ciphertext (see the module docs).
pub fn crack(ciphertext: &str) -> Result<VigenereCrack, ClassicalError> {
    let ct = checked_letters(ciphertext, "the ciphertext")?;
    let max_period = MAX_PERIOD.min(ct.len() / 4).max(1);
    let votes = analysis::kasiski(&ct, max_period);
    let table = english::quadgram_log_probs();
    let mut periods = Vec::with_capacity(max_period);
    for period in 1..=max_period {
        let mut key: Vec<u8> = (0..period)
            .map(|start| {
                let column: Vec<u8> = ct.iter().skip(start).step_by(period).copied().collect();
                let counts = analysis::letter_counts(&column);
                (0..26u8)
                    .min_by(|&a, &b| {
                        analysis::chi_squared_shifted(&counts, a)
                            .total_cmp(&analysis::chi_squared_shifted(&counts, b))
                    })
                    .expect("26 shifts")
            })
            .collect();
        let score = refine(&ct, &mut key, table);
        periods.push(PeriodScore {
            period,
            ioc: analysis::periodic_ioc(&ct, period),
            kasiski: votes.get(period).copied().unwrap_or(0),
            key: VigenereKey(key),
            fitness: score as f64 / ct.len().saturating_sub(3).max(1) as f64,
        });
    }
    let top = periods.iter().map(|p| p.fitness).fold(f64::NEG_INFINITY, f64::max);
    let chosen = periods.iter().find(|p| p.fitness >= top - 0.05).expect("at least one period");
    let key = VigenereKey(shortest_repeat(&chosen.key.0).to_vec());
    let plaintext = decrypt(ciphertext, &key);
    let pt: Vec<u8> = ct.iter().enumerate().map(|(i, &c)| (c + 26 - key.0[i % key.len()]) % 26).collect();
    Ok(VigenereCrack { key, plaintext, score: analysis::fitness(&pt), periods })
}

/// Coordinate ascent on the key: for each position, the letter that gives
/// the best quadgram sum; repeated until no position changes.
fn refine(ct: &[u8], key: &mut [u8], table: &[f32]) -> f32 {
    let m = key.len();
    let score = |key: &[u8]| {
        analysis::score_iter(table, ct.iter().enumerate().map(|(i, &c)| (c + 26 - key[i % m]) % 26))
    };
    let mut current = score(key);
    for _ in 0..10 {
        let mut changed = false;
        for i in 0..m {
            let original = key[i];
            let mut best = (original, current);
            for s in 0..26u8 {
                if s == original {
                    continue;
                }
                key[i] = s;
                let v = score(key);
                if v > best.1 + 1e-4 {
                    best = (s, v);
                }
            }
            key[i] = best.0;
            if best.0 != original {
                current = best.1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    current
}

/// The shortest prefix that, repeated, gives the whole key (`ABCABC` → `ABC`).
fn shortest_repeat(key: &[u8]) -> &[u8] {
    let m = key.len();
    (1..=m)
        .find(|&p| m.is_multiple_of(p) && key.iter().enumerate().all(|(i, &k)| k == key[i % p]))
        .map_or(key, |p| &key[..p])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lemon_matches_the_textbook() {
        let key = VigenereKey::parse("lemon").unwrap();
        assert_eq!(encrypt("ATTACK AT DAWN", &key), "LXFOPV EF RNHR");
        assert_eq!(decrypt("LXFOPV EF RNHR", &key), "ATTACK AT DAWN");
    }

    #[test]
    fn a_key_written_twice_reduces_to_once() {
        assert_eq!(shortest_repeat(&[1, 2, 1, 2]), &[1, 2]);
        assert_eq!(shortest_repeat(&[1, 2, 3]), &[1, 2, 3]);
    }
}
