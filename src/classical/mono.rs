//! Monoalphabetic substitution: every letter is replaced by another, the
//! same one each time.
//!
//! The key is a *cipher alphabet*: a permutation of the 26 letters, written
//! under the plain alphabet.
//!
//! ```text
//! plain    A B C D E F G H I J K L M N O P Q R S T U V W X Y Z
//! cipher   Z E B R A S C D F G H I J K L M N O P Q T U V W X Y    (keyword ZEBRAS)
//!
//! "flee at once" → "SIAA ZQ LKBA"  (case and non-letters are kept: "siaa zq lkba")
//! ```
//!
//! There are 26! ≈ 4·10²⁶ keys (about 88 bits), far too many to try. A
//! keyword builds a key the traditional way: the keyword's letters, each
//! only the first time it appears, then the rest of the alphabet in order.
//! A key of exactly 26 letters is taken as the cipher alphabet itself and
//! must use every letter once.
//!
//! # Breaking it: simulated annealing on quadgrams
//! The huge key space does not help, because a key that is *nearly* right
//! gives a plaintext that *nearly* reads as English, and that can be
//! measured: the quadgram fitness (see [`super::analysis`]) rises as more
//! letters fall into place. So the attack climbs:
//!
//! 1. Start from a key: the first start maps the ciphertext's commonest
//!    letters to English's commonest (E, T, A, …); later starts are random.
//! 2. **Simulated annealing**: swap two letters of the key at random; keep
//!    the swap if the fitness rises, and sometimes even if it falls — with
//!    probability e^(Δ/T), where the "temperature" T falls to zero over the
//!    run. Early on, this lets the search walk out of dead ends; by the end
//!    it only climbs.
//! 3. **Polish**: try every pair swap and keep any that helps, until none does.
//! 4. **Restart** from a fresh key several times and keep the best. When
//!    several independent restarts end at the same best fitness, the search
//!    has very likely found the true optimum and stops early.
//!
//! The ciphertext is converted to indices 0–25 once; each candidate key is
//! scored by one pass over it with a dense 26⁴ table — about a microsecond
//! for 400 letters — so a crack runs a few hundred thousand candidates in
//! well under a second (the numbers are in `docs/CLASSICAL.md`).
//!
//! Letters that never occur in the ciphertext cannot be recovered: the key
//! printed after a crack fills them in arbitrarily.
//!
//! **Hazmat**: a few hundred letters of ciphertext are enough to read the
//! message, whatever the key.

use std::fmt;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};

use super::verdict::{self, Candidate, Verdict};
use super::{ClassicalError, analysis, checked_letters, english, fill_letters, letter, map_letters};

/// A monoalphabetic key: the cipher letter for each plain letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonoKey {
    /// `cipher[p]` is the ciphertext letter (0–25) for plain letter `p`.
    cipher: [u8; 26],
}

impl MonoKey {
    /// Parses a key: a 26-letter cipher alphabet (every letter once), or a
    /// shorter (or longer) keyword that builds one. Case-insensitive; only
    /// letters are allowed.
    pub fn parse(key: &str) -> Result<Self, ClassicalError> {
        let k = key.trim();
        if k.is_empty() {
            return Err(ClassicalError::EmptyKey { cipher: "mono" });
        }
        if let Some(ch) = k.chars().find(|c| !c.is_ascii_alphabetic()) {
            return Err(ClassicalError::MonoKeyCharacter { key: key.to_string(), ch });
        }
        let letters: Vec<u8> = k.bytes().map(|b| b.to_ascii_uppercase() - b'A').collect();
        if letters.len() == 26 {
            let mut seen = [false; 26];
            let mut repeated = None;
            for &l in &letters {
                if seen[l as usize] && repeated.is_none() {
                    repeated = Some(l);
                }
                seen[l as usize] = true;
            }
            if let Some(r) = repeated {
                let missing = (0..26u8).find(|&l| !seen[l as usize]).expect("a repeat leaves a gap");
                return Err(ClassicalError::MonoKeyNotPermutation {
                    key: key.to_string(),
                    repeated: letter(r),
                    missing: letter(missing),
                });
            }
        }
        Ok(Self::from_keyword_letters(&letters))
    }

    /// Builds the key from a keyword: its letters without repeats, then the
    /// rest of the alphabet in order.
    fn from_keyword_letters(keyword: &[u8]) -> Self {
        let mut used = [false; 26];
        let mut alphabet = Vec::with_capacity(26);
        for &l in keyword.iter().chain((0..26u8).collect::<Vec<_>>().iter()) {
            if !used[l as usize] {
                used[l as usize] = true;
                alphabet.push(l);
            }
        }
        let mut cipher = [0u8; 26];
        cipher.copy_from_slice(&alphabet);
        MonoKey { cipher }
    }

    /// A uniformly random key.
    pub fn random(rng: &mut impl Rng) -> Self {
        let mut cipher: [u8; 26] = std::array::from_fn(|i| i as u8);
        shuffle(&mut cipher, rng);
        MonoKey { cipher }
    }

    /// The identity key (every letter stands for itself).
    pub fn identity() -> Self {
        MonoKey { cipher: std::array::from_fn(|i| i as u8) }
    }

    /// The cipher alphabet: the cipher letter (0–25) for each plain letter.
    pub fn cipher_alphabet(&self) -> [u8; 26] {
        self.cipher
    }

    /// The inverse table: the plain letter (0–25) for each cipher letter.
    pub fn plain_alphabet(&self) -> [u8; 26] {
        let mut plain = [0u8; 26];
        for (p, &c) in self.cipher.iter().enumerate() {
            plain[c as usize] = p as u8;
        }
        plain
    }

    /// The key whose decryption table is `plain` (cipher letter → plain letter).
    fn from_plain_alphabet(plain: &[u8; 26]) -> Self {
        let mut cipher = [0u8; 26];
        for (c, &p) in plain.iter().enumerate() {
            cipher[p as usize] = c as u8;
        }
        MonoKey { cipher }
    }
}

impl fmt::Display for MonoKey {
    /// The cipher alphabet as 26 upper-case letters (what `--key` accepts).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.cipher.iter().try_for_each(|&c| write!(f, "{}", letter(c)))
    }
}

/// Fisher–Yates shuffle (kept here so the sequence of random numbers, and
/// so every `--seed` result, depends only on this code).
fn shuffle(v: &mut [u8], rng: &mut impl Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

/// Encrypts: each letter becomes its cipher letter; case and non-letters kept.
pub fn encrypt(text: &str, key: &MonoKey) -> String {
    map_letters(text, |_, l| key.cipher[l as usize])
}

/// Decrypts: each letter becomes its plain letter; case and non-letters kept.
pub fn decrypt(text: &str, key: &MonoKey) -> String {
    let plain = key.plain_alphabet();
    map_letters(text, |_, l| plain[l as usize])
}

/// How a crack searches: the knobs of the annealing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrackSettings {
    /// Upper bound on restarts.
    pub max_restarts: usize,
    /// Stop once this many restarts have reached the same best fitness.
    pub agreeing_restarts: usize,
    /// Annealing steps per restart.
    pub steps: usize,
    /// Starting temperature, per ciphertext letter (the fitness is a sum over
    /// the text, so its changes grow with the length).
    pub temperature_per_letter: f64,
}

impl Default for CrackSettings {
    fn default() -> Self {
        CrackSettings { max_restarts: 24, agreeing_restarts: 3, steps: 8000, temperature_per_letter: 0.04 }
    }
}

/// Where a running crack has got to, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonoProgress {
    /// Restarts finished so far.
    pub restart: usize,
    /// The most restarts there will be.
    pub max_restarts: usize,
    /// Best mean quadgram log-probability so far.
    pub best_fitness: f64,
    /// How many restarts have reached that best so far.
    pub agreeing: usize,
}

/// The result of [`crack`].
#[derive(Debug, Clone, PartialEq)]
pub struct MonoCrack {
    /// The recovered key (letters absent from the ciphertext are guesses).
    pub key: MonoKey,
    /// The ciphertext decrypted with it (case and non-letters kept).
    pub plaintext: String,
    /// Mean quadgram log-probability of the plaintext (higher is better).
    pub score: f64,
    /// How many restarts the search ran.
    pub restarts: usize,
    /// How sure the crack is: the plaintext against chance, after paying
    /// for an alphabet of the letters the text uses (see [`super::verdict`]).
    pub verdict: Verdict,
}

/// Breaks a monoalphabetic ciphertext (see the module docs), deterministic
/// for a given `seed`.
pub fn crack(ciphertext: &str, seed: u64) -> Result<MonoCrack, ClassicalError> {
    crack_with(ciphertext, seed, &CrackSettings::default(), &mut |_| {})
}

/// [`crack`] with explicit settings and a progress callback, called after
/// every restart.
pub fn crack_with(
    ciphertext: &str,
    seed: u64,
    settings: &CrackSettings,
    progress: &mut dyn FnMut(&MonoProgress),
) -> Result<MonoCrack, ClassicalError> {
    let letters = checked_letters(ciphertext, "the ciphertext")?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (plain, restarts, ends) = search(&letters, settings, &mut rng, progress);
    let key = MonoKey::from_plain_alphabet(&plain);
    let decrypted: Vec<u8> = letters.iter().map(|&c| plain[c as usize]).collect();
    let distinct = analysis::letter_counts(&letters).iter().filter(|&&c| c > 0).count();
    let cost = verdict::mono_cost(distinct);
    let best = Candidate::new("this alphabet", &decrypted, cost);
    // The rival: the best other reading a restart ended at (one that
    // differs in only a rare letter or two is the same reading).
    let rival = ends
        .iter()
        .filter_map(|d| {
            let other: Vec<u8> = letters.iter().map(|&c| d[c as usize]).collect();
            verdict::rival_difference(&decrypted, &other).map(|differ| {
                Candidate::new(format!("another alphabet ({differ} letters differ)"), &other, cost)
            })
        })
        .max_by(|a, b| a.log_likelihood.total_cmp(&b.log_likelihood));
    Ok(MonoCrack {
        key,
        plaintext: fill_letters(ciphertext, &decrypted),
        score: analysis::fitness(&decrypted),
        restarts,
        verdict: verdict::judge(&letters, &best, rival.as_ref(), cost, verdict::MONO),
    })
}

/// The search itself, on letter indices. Returns the best decryption table
/// (cipher letter → plain letter), the number of restarts run, and the
/// table every restart ended at.
fn search(
    cipher: &[u8],
    settings: &CrackSettings,
    rng: &mut impl Rng,
    progress: &mut dyn FnMut(&MonoProgress),
) -> ([u8; 26], usize, Vec<[u8; 26]>) {
    let table = english::quadgram_log_probs();
    let score = |d: &[u8; 26]| analysis::score_iter(table, cipher.iter().map(|&c| d[c as usize]));

    let counts = analysis::letter_counts(cipher);
    // Cipher letters that occur: swapping two absent letters changes nothing.
    let present: Vec<u8> = (0..26u8).filter(|&c| counts[c as usize] > 0).collect();
    let t0 = settings.temperature_per_letter * cipher.len() as f64;

    let mut best = frequency_guess(&counts);
    let mut best_score = f32::NEG_INFINITY;
    let mut agreeing = 0;
    let mut restarts = 0;
    let mut ends = Vec::with_capacity(settings.max_restarts);
    while restarts < settings.max_restarts {
        let mut d = if restarts == 0 {
            frequency_guess(&counts)
        } else {
            let mut d: [u8; 26] = std::array::from_fn(|i| i as u8);
            shuffle(&mut d, rng);
            d
        };
        let mut current = score(&d);
        // Simulated annealing with a linearly falling temperature.
        for step in 0..settings.steps {
            let a = present[rng.random_range(0..present.len())] as usize;
            let mut b = rng.random_range(0..25) as usize;
            if b >= a {
                b += 1;
            }
            d.swap(a, b);
            let candidate = score(&d);
            let delta = (candidate - current) as f64;
            let t = t0 * (1.0 - step as f64 / settings.steps as f64);
            if delta >= 0.0 || (t > 0.0 && rng.random::<f64>() < (delta / t).exp()) {
                current = candidate;
            } else {
                d.swap(a, b);
            }
        }
        current = polish(&mut d, &present, current, &score);
        ends.push(d);
        restarts += 1;
        if current > best_score + 1e-3 {
            best_score = current;
            best = d;
            agreeing = 1;
        } else if (current - best_score).abs() <= 1e-3 {
            agreeing += 1;
        }
        progress(&MonoProgress {
            restart: restarts,
            max_restarts: settings.max_restarts,
            best_fitness: best_score as f64 / cipher.len().saturating_sub(3).max(1) as f64,
            agreeing,
        });
        if agreeing >= settings.agreeing_restarts {
            break;
        }
    }
    (best, restarts, ends)
}

/// Steepest-ascent over all pair swaps until no swap improves the score.
fn polish(d: &mut [u8; 26], present: &[u8], mut current: f32, score: &impl Fn(&[u8; 26]) -> f32) -> f32 {
    loop {
        let mut improved = false;
        for &a in present {
            for b in 0..26usize {
                let a = a as usize;
                if a == b || (b < a && present.contains(&(b as u8))) {
                    continue; // the same pair is tried once
                }
                d.swap(a, b);
                let s = score(d);
                if s > current + 1e-4 {
                    current = s;
                    improved = true;
                } else {
                    d.swap(a, b);
                }
            }
        }
        if !improved {
            return current;
        }
    }
}

/// The naive first guess: the ciphertext's commonest letter is E, the next
/// T, and so on down English's frequency order.
fn frequency_guess(counts: &[usize; 26]) -> [u8; 26] {
    let english = english::letter_frequencies();
    let mut plain_order: Vec<u8> = (0..26).collect();
    plain_order.sort_by(|&a, &b| english[b as usize].total_cmp(&english[a as usize]));
    let mut cipher_order: Vec<u8> = (0..26).collect();
    cipher_order.sort_by_key(|&c| std::cmp::Reverse(counts[c as usize]));
    let mut d = [0u8; 26];
    for (c, p) in cipher_order.into_iter().zip(plain_order) {
        d[c as usize] = p;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_builds_the_textbook_alphabet() {
        let key = MonoKey::parse("zebras").unwrap();
        assert_eq!(key.to_string(), "ZEBRASCDFGHIJKLMNOPQTUVWXY");
        assert_eq!(encrypt("flee at once", &key), "siaa zq lkba");
    }

    #[test]
    fn twenty_six_letters_with_a_repeat_names_both_letters() {
        let err = MonoKey::parse("ABCDEFGHIJKLMNOPQRSTUVWXYA").unwrap_err();
        assert!(matches!(err, ClassicalError::MonoKeyNotPermutation { repeated: 'A', missing: 'Z', .. }));
    }

    #[test]
    fn inverse_tables_agree() {
        let key = MonoKey::parse("QWERTYUIOPASDFGHJKLZXCVBNM").unwrap();
        assert_eq!(MonoKey::from_plain_alphabet(&key.plain_alphabet()), key);
    }
}
