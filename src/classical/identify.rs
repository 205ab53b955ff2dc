//! `identify`: which of the four ciphers made a ciphertext, found by trying
//! them all.
//!
//! Two quick clues come first, because they teach what each cipher does to
//! the statistics: the index of coincidence (one alphabet keeps English's,
//! several flatten it) and χ² against English's letter counts (only a
//! transposition keeps the letters themselves). On a short text both are
//! noisy — 57 letters of English can have an IoC anywhere from about 0.04
//! to 0.09 — so they only inform. The decision comes from cracking: every
//! cipher is cracked, and each best decryption is weighed by its *support*
//! (its fit to English, less the price of its key; see [`super::verdict`]).
//! The best supported wins, and its margin over the runner-up — another
//! cipher, another shift or key length, or chance — says how sure the
//! verdict is.
//!
//! The trials are the real crackers: Caesar over all shifts, Vigenère over
//! every key length up to 20, the substitution's annealing (seed
//! [`SEED`]), and the transposition search up to 12 columns. The last is
//! skipped when χ² shows the letters are not English's own (a transposition
//! cannot change them), and when the text already reads as English.

use super::verdict::{self, Candidate, Verdict};
use super::{analysis, english, letter, mono, transposition, vigenere};

/// The seed of the substitution's annealing in `identify` (fixed, so the
/// verdict is the same every run).
pub const SEED: u64 = 1;

/// χ² against English above which the letters cannot be English's own:
/// held-out English never went above 141 in 12 000 samples of 20–800
/// letters, and a transposition keeps the letters.
pub const TRANSPOSITION_CHI: f64 = 200.0;

/// What made the text, as `identify` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// No cipher: it reads as English already.
    Plaintext,
    /// A Caesar shift.
    Caesar(u8),
    /// A monoalphabetic substitution.
    Mono,
    /// A columnar transposition (its width is the crack's to find).
    Transposition,
    /// A Vigenère key of this length.
    Vigenere(usize),
}

impl Guess {
    /// The verdict in words: `Vigenère, key length 3`.
    pub fn name(self) -> String {
        match self {
            Guess::Plaintext => "not encrypted (it already reads as English)".to_string(),
            Guess::Caesar(k) => format!("Caesar, shift {k}"),
            Guess::Mono => "monoalphabetic substitution".to_string(),
            Guess::Transposition => "transposition".to_string(),
            Guess::Vigenere(m) => format!("Vigenère, key length {m}"),
        }
    }

    /// The cipher, short: `Vigenère, length 3`.
    pub fn short_name(self) -> String {
        match self {
            Guess::Plaintext => "plain text".to_string(),
            Guess::Caesar(_) => "Caesar".to_string(),
            Guess::Mono => "substitution".to_string(),
            Guess::Transposition => "transposition".to_string(),
            Guess::Vigenere(m) => format!("Vigenère, length {m}"),
        }
    }

    /// The `cryptolab classical` command that cracks it, if any.
    pub fn command(self) -> Option<&'static str> {
        match self {
            Guess::Plaintext => None,
            Guess::Caesar(_) => Some("caesar"),
            Guess::Mono => Some("mono"),
            Guess::Transposition => Some("transposition"),
            Guess::Vigenere(_) => Some("vigenere"),
        }
    }
}

/// One cipher tried: what it would be, and its best decryption's support.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The verdict this trial stands for.
    pub guess: Guess,
    /// Its best decryption, scored (the label is the cipher and the key
    /// found: `Vigenère, length 6 (key BIERCE)`).
    pub candidate: Candidate,
    /// The start of that decryption, upper case.
    pub preview: String,
}

/// Everything `identify` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Identification {
    /// Number of letters.
    pub letters: usize,
    /// Their index of coincidence.
    pub ioc: f64,
    /// How far English's IoC strays at this length (one standard deviation).
    pub ioc_spread: f64,
    /// χ² of the letter counts against English.
    pub chi_squared: f64,
    /// The support of chance (no key at all).
    pub chance: f64,
    /// Every trial, best supported first.
    pub trials: Vec<Trial>,
    /// Why the transposition search was not run, if it was not.
    pub transposition_skipped: Option<&'static str>,
    /// The best supported trial's verdict (whether it is sure enough to
    /// say is [`Identification::verdict`]'s to tell).
    pub guess: Guess,
    /// How sure: the best trial against the best trial of another verdict
    /// and against chance.
    pub verdict: Verdict,
}

/// Identifies the cipher of `letters` (indices 0–25, at least one).
pub fn identify(letters: &[u8]) -> Identification {
    let n = letters.len();
    let counts = analysis::letter_counts(letters);
    let chi_squared = analysis::chi_squared(&counts);
    let text: String = letters.iter().map(|&l| letter(l)).collect();
    let mut trials = Vec::new();
    let mut push = |guess: Guess, label: String, decryption: &[u8], cost: f64| {
        trials.push(Trial {
            guess,
            candidate: Candidate::new(format!("{} ({label})", guess.short_name()), decryption, cost),
            preview: decryption.iter().take(PREVIEW).map(|&l| letter(l)).collect(),
        });
    };

    push(Guess::Plaintext, "the text as it stands".to_string(), letters, 0.0);
    let plain_evidence = analysis::log_likelihood(letters) - verdict::chance(letters);

    let mut shifts: Vec<(f64, u8, Vec<u8>)> = (1..26u8)
        .map(|k| {
            let back: Vec<u8> = letters.iter().map(|&l| (l + 26 - k) % 26).collect();
            (analysis::log_likelihood(&back), k, back)
        })
        .collect();
    shifts.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, k, back) in shifts.iter().take(2) {
        push(Guess::Caesar(*k), format!("shift {k}"), back, verdict::caesar_cost());
    }

    let mono = mono::crack(&text, SEED).expect("letters given");
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let back = super::letter_indices(&mono.plaintext);
    push(Guess::Mono, "best alphabet found".to_string(), &back, verdict::mono_cost(distinct));

    let transposition_skipped = if chi_squared > TRANSPOSITION_CHI {
        Some("its letters are not English's own, and a transposition keeps them")
    } else if plain_evidence >= verdict::IDENTIFY.sure {
        Some("the text already reads as English")
    } else {
        None
    };
    if transposition_skipped.is_none() {
        let t = transposition::crack(&text, SEED).expect("letters given");
        let pt = super::letter_indices(&t.plaintext);
        push(
            Guess::Transposition,
            format!("width {} ({})", t.key.width(), t.key),
            &pt,
            verdict::transposition_cost(t.key.width()),
        );
    }

    // Vigenère: the best key of each length (written once), the two best
    // lengths from 2 up.
    let vig = vigenere::crack(&text).expect("letters given");
    let mut best_of_length: Vec<Option<(f64, vigenere::VigenereKey)>> = vec![None; vig.periods.len() + 1];
    for p in &vig.periods {
        let key = p.shortest_key();
        let slot = &mut best_of_length[key.len()];
        if key.len() >= 2 && slot.as_ref().is_none_or(|(s, _)| p.support > *s) {
            *slot = Some((p.support, key));
        }
    }
    let mut lengths: Vec<(f64, vigenere::VigenereKey)> = best_of_length.into_iter().flatten().collect();
    lengths.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, key) in lengths.iter().take(2) {
        let back = super::letter_indices(&vigenere::decrypt(&text, key));
        push(Guess::Vigenere(key.len()), format!("key {key}"), &back, verdict::vigenere_cost(key.len()));
    }

    trials.sort_by(|a, b| b.candidate.support().total_cmp(&a.candidate.support()));
    let best = &trials[0];
    // The runner-up: the best trial of another verdict that reads the text
    // differently (a Vigenère key that is a Caesar shift written out reads
    // it the same).
    let runner_up = trials
        .iter()
        .find(|t| {
            t.guess != best.guess
                && verdict::rival_difference(&best.candidate.decryption, &t.candidate.decryption).is_some()
        })
        .map(|t| &t.candidate);
    let verdict =
        verdict::judge(letters, &best.candidate, runner_up, verdict::mono_cost(distinct), verdict::IDENTIFY);
    let guess = best.guess;
    Identification {
        letters: n,
        ioc: analysis::index_of_coincidence(&counts),
        ioc_spread: english_ioc_spread(n),
        chi_squared,
        chance: verdict::chance(letters),
        trials,
        transposition_skipped,
        guess,
        verdict,
    }
}

/// Letters of each decryption kept for the report.
const PREVIEW: usize = 40;

/// One standard deviation of the IoC of `n` letters of English: about
/// √(4/n · (Σp³ − (Σp²)²)) for letter shares p (the first term of the
/// estimator's variance, plus its second for short texts).
pub fn english_ioc_spread(n: usize) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let f = english::letter_frequencies();
    let p2: f64 = f.iter().map(|p| p * p).sum();
    let p3: f64 = f.iter().map(|p| p * p * p).sum();
    let n = n as f64;
    (4.0 / n * (p3 - p2 * p2) + 2.0 / (n * n) * (p2 - p2 * p2)).sqrt()
}
