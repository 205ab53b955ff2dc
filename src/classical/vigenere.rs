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
//!    are shown; the attack does not bet on either alone (on a short text a
//!    wrong length's IoC can look English by chance) but carries every
//!    candidate length to step 3.
//! 2. **Each column is a Caesar cipher**: solve it by χ² against English,
//!    giving a first key.
//! 3. **Refine with quadgrams.** A column of 25 letters can fool χ², but the
//!    whole text's quadgram fitness cannot: for each key position, try all
//!    26 letters and keep the best, until nothing changes. When the columns
//!    are short, also try neighbouring pairs of key letters together.
//! 4. **Choose the length** whose key has the most *support*: the fit of
//!    its plaintext to English, less the price of a key that long (log10
//!    26 per key letter; see [`super::verdict`]). A longer key always fits
//!    a short text a little better — it has more letters to bend to the
//!    noise — so it must beat a shorter one by more than its extra letters
//!    cost. A multiple of the true length whose key is the true key
//!    written twice is priced as the true key, and the shorter wins the
//!    tie.
//!
//! **Hazmat**: a key shorter than the message repeats, and every repetition
//! is a foothold; only a truly random key as long as the message (the
//! one-time pad) escapes this attack.

use std::fmt;

use super::verdict::{self, Candidate, Verdict};
use super::{ClassicalError, analysis, checked_letters, english, letter, map_letters};

/// The longest key length tried by [`crack`].
pub const MAX_PERIOD: usize = 20;

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
    /// That key's support: how well its decryption reads as English, less
    /// the price of a key of its length (see [`super::verdict`]). A key
    /// that repeats (`ABAB`) is priced as its shortest repeat (`AB`).
    pub support: f64,
}

impl PeriodScore {
    /// Its key written once: `ABAB` as `AB` (the key [`PeriodScore::support`]
    /// was priced as).
    pub fn shortest_key(&self) -> VigenereKey {
        VigenereKey(shortest_repeat(&self.key.0).to_vec())
    }
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
    /// How sure the crack is: the key against the best key of another
    /// length and against chance (see [`super::verdict`]).
    pub verdict: Verdict,
}

/// Breaks a Vigenère ciphertext (see the module docs).
pub fn crack(ciphertext: &str) -> Result<VigenereCrack, ClassicalError> {
    let ct = checked_letters(ciphertext, "the ciphertext")?;
    let max_period = MAX_PERIOD.min(ct.len() / 4).max(1);
    let votes = analysis::kasiski(&ct, max_period);
    let table = english::quadgram_log_probs();
    let mut periods = Vec::with_capacity(max_period);
    for period in 1..=max_period {
        // Each column's shifts, most English-like by χ² first.
        let ranked: Vec<Vec<u8>> = (0..period)
            .map(|start| {
                let column: Vec<u8> = ct.iter().skip(start).step_by(period).copied().collect();
                let counts = analysis::letter_counts(&column);
                let mut shifts: Vec<u8> = (0..26).collect();
                shifts.sort_by(|&a, &b| {
                    analysis::chi_squared_shifted(&counts, a)
                        .total_cmp(&analysis::chi_squared_shifted(&counts, b))
                });
                shifts
            })
            .collect();
        let mut key: Vec<u8> = ranked.iter().map(|r| r[0]).collect();
        let score = refine(&ct, &mut key, &ranked, table);
        let support = candidate(&ct, shortest_repeat(&key)).support();
        periods.push(PeriodScore {
            period,
            ioc: analysis::periodic_ioc(&ct, period),
            kasiski: votes.get(period).copied().unwrap_or(0),
            key: VigenereKey(key),
            fitness: score as f64 / ct.len().saturating_sub(3).max(1) as f64,
            support,
        });
    }
    // The best support; a longer key wins only by beating a shorter one
    // after paying for its extra letters (ties go to the shorter).
    let chosen = periods
        .iter()
        .reduce(|best, p| if p.support > best.support + 1e-9 { p } else { best })
        .expect("at least one period");
    let key = VigenereKey(shortest_repeat(&chosen.key.0).to_vec());
    let pt = decrypt_letters(&ct, &key.0);
    // The rival: the best key of another length that reads the text
    // differently (a longer key that differs in a letter or two is the same
    // reading).
    let runner_up = periods
        .iter()
        .map(|p| candidate(&ct, shortest_repeat(&p.key.0)))
        .filter(|c| verdict::rival_difference(&pt, &c.decryption).is_some())
        .max_by(|a, b| a.support().total_cmp(&b.support()));
    let best = candidate(&ct, &key.0);
    let plaintext = decrypt(ciphertext, &key);
    Ok(VigenereCrack {
        key,
        plaintext,
        score: analysis::fitness(&pt),
        verdict: verdict::judge(
            &ct,
            &best,
            runner_up.as_ref(),
            verdict::vigenere_cost(max_period),
            verdict::VIGENERE,
        ),
        periods,
    })
}

/// The letters `ct` decrypted with `key` (shifts).
fn decrypt_letters(ct: &[u8], key: &[u8]) -> Vec<u8> {
    ct.iter().enumerate().map(|(i, &c)| (c + 26 - key[i % key.len()]) % 26).collect()
}

/// A key as a candidate answer: its decryption and its price.
fn candidate(ct: &[u8], key: &[u8]) -> Candidate {
    let label = format!("key {}", VigenereKey(key.to_vec()));
    Candidate::new(label, &decrypt_letters(ct, key), verdict::vigenere_cost(key.len()))
}

/// Columns shorter than this are refined in pairs too (see [`refine`]).
const PAIR_COLUMN: usize = 40;

/// How many of each column's shifts, best by χ², a pair may combine.
const PAIR_CHOICES: usize = 8;

/// Coordinate ascent on the key: for each position, the letter that gives
/// the best quadgram sum; repeated until no position changes. When the
/// columns are short (under [`PAIR_COLUMN`] letters), χ²'s first key is
/// often wrong in several places at once, and changing one letter alone
/// cannot mend a quadgram that spans two wrong ones; then each pair of
/// neighbouring key letters is also tried together — each among its
/// column's [`PAIR_CHOICES`] best shifts by χ² (`ranked`) — until neither
/// kind of change helps.
fn refine(ct: &[u8], key: &mut [u8], ranked: &[Vec<u8>], table: &[f32]) -> f32 {
    let m = key.len();
    let score = |key: &[u8]| {
        analysis::score_iter(table, ct.iter().enumerate().map(|(i, &c)| (c + 26 - key[i % m]) % 26))
    };
    let mut current = score(key);
    let pairs = m >= 2 && ct.len() < PAIR_COLUMN * m;
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
        if !changed && pairs {
            for i in 0..m {
                let j = (i + 1) % m;
                let original = (key[i], key[j]);
                let mut best = (original, current);
                let (first, second) = (&ranked[i][..PAIR_CHOICES], &ranked[j][..PAIR_CHOICES]);
                for (a, b) in first.iter().flat_map(|&a| second.iter().map(move |&b| (a, b))) {
                    key[i] = a;
                    key[j] = b;
                    let v = score(key);
                    if v > best.1 + 1e-4 {
                        best = ((a, b), v);
                    }
                }
                (key[i], key[j]) = best.0;
                if best.0 != original {
                    current = best.1;
                    changed = true;
                }
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
