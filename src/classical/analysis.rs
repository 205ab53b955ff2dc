//! The cryptanalyst's measuring instruments: letter counts, χ² against
//! English, the index of coincidence, Kasiski's repeated sequences, and
//! quadgram fitness.
//!
//! All functions here take the letters of a text as indices 0–25 (`A` = 0),
//! as produced by skipping every non-letter and upper-casing the rest. They
//! know nothing about any particular cipher; the crackers in the cipher
//! files combine them.
//!
//! # χ² (chi-squared) against English
//! For letter counts `Oᵢ` in a text of `N` letters and English proportions
//! `pᵢ`, the expected counts are `Eᵢ = N·pᵢ` and
//!
//! ```text
//!        25  (Oᵢ − Eᵢ)²
//! χ²  =  Σ   ─────────
//!       i=0     Eᵢ
//! ```
//!
//! Small means "distributed like English". English text of a few hundred
//! letters scores roughly 10–60; a wrong Caesar shift scores in the
//! hundreds or thousands.
//!
//! # Index of coincidence (IoC)
//! The chance that two letters picked at random from the text are equal:
//! `IoC = Σ nᵢ(nᵢ − 1) / (N(N − 1))`. English ≈ 0.066, uniformly random
//! letters ≈ 0.038. Any *monoalphabetic* cipher (Caesar, substitution) and
//! any *transposition* keeps the IoC of English, because it keeps the
//! multiset of letter counts up to relabelling; a *polyalphabetic* cipher
//! (Vigenère) flattens it. Taking every p-th letter undoes the flattening
//! exactly when `p` is a multiple of the Vigenère key length — the classic
//! way to find that length (Friedman, 1922).
//!
//! # Kasiski examination
//! In Vigenère ciphertext, a repeated plaintext fragment that happens to line
//! up with the same key letters repeats in the ciphertext too, at a distance
//! that is a multiple of the key length (Kasiski, 1863). Counting which
//! small numbers divide many of those distances points at the key length.
//!
//! # Quadgram fitness
//! The sum of the English log-probabilities (see [`super::english`]) of
//! every overlapping run of four letters. The crackers maximise it; to
//! compare texts of different lengths, [`fitness`] reports the mean per
//! quadgram: English scores about −4.2 per quadgram with this project's
//! tables, random letters about −5.8.

use super::english;

/// How many times each letter occurs.
pub fn letter_counts(letters: &[u8]) -> [usize; 26] {
    let mut counts = [0usize; 26];
    for &l in letters {
        counts[l as usize] += 1;
    }
    counts
}

/// χ² of letter counts against English, as if the text had been shifted
/// back by `shift` (so `shift = 0` compares the counts as they are, and
/// `shift = 3` asks "does this look like English Caesar-shifted by 3?").
pub fn chi_squared_shifted(counts: &[usize; 26], shift: u8) -> f64 {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let english = english::letter_frequencies();
    (0..26)
        .map(|plain| {
            let observed = counts[(plain + shift as usize) % 26] as f64;
            let expected = n as f64 * english[plain];
            (observed - expected).powi(2) / expected
        })
        .sum()
}

/// χ² of letter counts against English (see the module docs).
pub fn chi_squared(counts: &[usize; 26]) -> f64 {
    chi_squared_shifted(counts, 0)
}

/// Index of coincidence of the letter counts: English ≈ 0.066, random
/// letters ≈ 0.038. Zero for fewer than two letters.
pub fn index_of_coincidence(counts: &[usize; 26]) -> f64 {
    let n: usize = counts.iter().sum();
    if n < 2 {
        return 0.0;
    }
    let same: usize = counts.iter().map(|&c| c * c.saturating_sub(1)).sum();
    same as f64 / (n * (n - 1)) as f64
}

/// The mean index of coincidence of the `period` columns you get by taking
/// every `period`-th letter. High (English-like) when `period` is a multiple
/// of a Vigenère key length.
pub fn periodic_ioc(letters: &[u8], period: usize) -> f64 {
    let period = period.max(1);
    let mut total = 0.0;
    let mut used = 0;
    for start in 0..period {
        let column: Vec<u8> = letters.iter().skip(start).step_by(period).copied().collect();
        if column.len() >= 2 {
            total += index_of_coincidence(&letter_counts(&column));
            used += 1;
        }
    }
    if used == 0 { 0.0 } else { total / used as f64 }
}

/// Kasiski examination: for each candidate period `2..=max_period`, how many
/// distances between repeated trigrams it divides.
///
/// Returned as `votes[p]` (entries 0 and 1 are unused and zero). A repeat is
/// counted once per pair of consecutive occurrences of the same trigram.
pub fn kasiski(letters: &[u8], max_period: usize) -> Vec<usize> {
    let mut votes = vec![0usize; max_period + 1];
    let mut last_seen = vec![usize::MAX; 26 * 26 * 26];
    for (i, w) in letters.windows(3).enumerate() {
        let key = (w[0] as usize * 26 + w[1] as usize) * 26 + w[2] as usize;
        let prev = last_seen[key];
        if prev != usize::MAX {
            let distance = i - prev;
            for (p, v) in votes.iter_mut().enumerate().skip(2) {
                if distance % p == 0 {
                    *v += 1;
                }
            }
        }
        last_seen[key] = i;
    }
    votes
}

/// Sum of the quadgram log-probabilities of `letters` (0 when shorter than
/// four letters). The quantity the crackers maximise.
pub fn quadgram_score(letters: &[u8]) -> f64 {
    score_sum(english::quadgram_log_probs(), letters) as f64
}

/// Mean quadgram log-probability per quadgram: about −4.2 for English with
/// this project's tables, about −5.8 for random letters. Higher is more
/// English. For texts under four letters it falls back to the mean letter
/// log-probability.
pub fn fitness(letters: &[u8]) -> f64 {
    if letters.len() < 4 {
        if letters.is_empty() {
            return 0.0;
        }
        let f = english::letter_frequencies();
        return letters.iter().map(|&l| f[l as usize].log10()).sum::<f64>() / letters.len() as f64;
    }
    quadgram_score(letters) / (letters.len() - 3) as f64
}

/// log10 of the probability of `letters` as English under the letter model
/// of [`english::next_letter_log_probs`]: the first three letters by their
/// trigram probability, every later one given the three before it. About
/// −1 per letter for English, −2.5 for random letters; 0 for no letters.
/// Unlike [`fitness`] this is a true log-probability, so it can be weighed
/// against the size of a key space (see [`super::verdict`]).
pub fn log_likelihood(letters: &[u8]) -> f64 {
    if letters.len() < 3 {
        return letter_log_likelihood(letters);
    }
    let tri = english::trigram_log_probs();
    let start = (letters[0] as usize * 26 + letters[1] as usize) * 26 + letters[2] as usize;
    f64::from(tri[start]) + f64::from(score_sum(english::next_letter_log_probs(), letters))
}

/// log10 of the probability of `letters` as English letters drawn one by
/// one, in no particular order (each with its English frequency).
pub fn letter_log_likelihood(letters: &[u8]) -> f64 {
    let f = english::letter_frequencies();
    letters.iter().map(|&l| f[l as usize].log10()).sum()
}

/// The quadgram sum over a table: one rolling index, one lookup per letter.
#[inline]
pub(crate) fn score_sum(table: &[f32], letters: &[u8]) -> f32 {
    score_iter(table, letters.iter().copied())
}

/// [`score_sum`] over any sequence of letter indices, so callers can score a
/// candidate decryption without building it first.
#[inline]
pub(crate) fn score_iter(table: &[f32], mut letters: impl Iterator<Item = u8>) -> f32 {
    const MASK: usize = 26 * 26 * 26;
    let mut idx = 0usize;
    for _ in 0..3 {
        match letters.next() {
            Some(l) => idx = idx * 26 + l as usize,
            None => return 0.0,
        }
    }
    let mut sum = 0.0f32;
    for l in letters {
        idx = (idx % MASK) * 26 + l as usize;
        sum += table[idx];
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classical::letter_indices;

    const ENGLISH: &str = "It was the best of times, it was the worst of times, it was the age of \
        wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of \
        incredulity, it was the season of Light, it was the season of Darkness";

    #[test]
    fn ioc_of_english_is_high_and_of_uniform_letters_low() {
        let english = letter_indices(ENGLISH);
        assert!(index_of_coincidence(&letter_counts(&english)) > 0.055);
        let uniform: Vec<u8> = (0..26 * 20).map(|i| (i % 26) as u8).collect();
        assert!(index_of_coincidence(&letter_counts(&uniform)) < 0.04);
    }

    #[test]
    fn chi_squared_prefers_the_true_shift() {
        let shifted: Vec<u8> = letter_indices(ENGLISH).iter().map(|&l| (l + 7) % 26).collect();
        let counts = letter_counts(&shifted);
        let best = (0..26)
            .min_by(|&a, &b| chi_squared_shifted(&counts, a).total_cmp(&chi_squared_shifted(&counts, b)))
            .unwrap();
        assert_eq!(best, 7);
    }

    #[test]
    fn fitness_of_english_beats_reversed_english() {
        let english = letter_indices(ENGLISH);
        let mut reversed = english.clone();
        reversed.reverse();
        assert!(fitness(&english) > fitness(&reversed) + 0.5);
    }

    #[test]
    fn kasiski_votes_for_the_repeat_distance() {
        let mut text = letter_indices("THEQUICKBROWNFOX");
        text.extend(letter_indices("ABTHEQ"));
        let votes = kasiski(&text, 12);
        // THE at 0 and 18 (also HEQ at 1 and 19): distance 18.
        assert!(votes[6] >= 1 && votes[9] >= 1 && votes[5] == 0);
    }

    #[test]
    fn score_iter_matches_manual_sum() {
        let t = english::quadgram_log_probs();
        let l = letter_indices("THERE");
        let manual = t[english::quadgram_index(l[0], l[1], l[2], l[3])]
            + t[english::quadgram_index(l[1], l[2], l[3], l[4])];
        assert!((score_sum(t, &l) - manual).abs() < 1e-6);
        assert_eq!(score_sum(t, &l[..3]), 0.0);
    }
}
