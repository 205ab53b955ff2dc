//! The Caesar cipher: every letter moves the same number of places along
//! the alphabet.
//!
//! ```text
//! C = (P + k) mod 26          P = (C − k) mod 26          k ∈ 0..=25
//!
//! plain   A B C D E F G H I J K L M N O P Q R S T U V W X Y Z
//! k = 3   D E F G H I J K L M N O P Q R S T U V W X Y Z A B C
//! ```
//!
//! Suetonius says Julius Caesar used k = 3. Case and every non-letter are
//! kept, so `Attack at dawn!` becomes `Dwwdfn dw gdzq!`.
//!
//! # Breaking it
//! There are only 26 keys, so the attacker tries them all — the question is
//! only how to recognise the right one without reading 26 texts. Shifting
//! back by the right key gives letters distributed like English, so the
//! attack computes χ² against English for every shift (see
//! [`super::analysis`]) and ranks them. With a few dozen letters the right
//! shift is nearly always first by a wide margin; to make very short texts
//! reliable too, the best few by χ² are compared by quadgram fitness, which
//! also sees spelling, and the fittest wins.
//!
//! **Hazmat**: a Caesar cipher hides nothing from anyone who has heard of it.

use super::verdict::{self, Candidate, Verdict};
use super::{ClassicalError, analysis, checked_letters, map_letters};

/// How many of the best shifts by χ² are re-checked with quadgrams.
const RECHECK: usize = 3;

/// Parses a Caesar key: a shift `0`–`25` or a single letter (`A` = 0,
/// `D` = 3, case-insensitive).
pub fn parse_key(key: &str) -> Result<u8, ClassicalError> {
    let k = key.trim();
    if k.is_empty() {
        return Err(ClassicalError::EmptyKey { cipher: "Caesar" });
    }
    if let Ok(n) = k.parse::<u8>()
        && n < 26
    {
        return Ok(n);
    }
    let b = k.as_bytes();
    if b.len() == 1 && b[0].is_ascii_alphabetic() {
        return Ok(b[0].to_ascii_uppercase() - b'A');
    }
    Err(ClassicalError::CaesarKey { key: key.to_string() })
}

/// Encrypts: shifts every letter forward by `shift` (taken mod 26).
pub fn encrypt(text: &str, shift: u8) -> String {
    let s = shift % 26;
    map_letters(text, |_, l| l + s)
}

/// Decrypts: shifts every letter back by `shift` (taken mod 26).
pub fn decrypt(text: &str, shift: u8) -> String {
    let s = shift % 26;
    map_letters(text, |_, l| l + 26 - s)
}

/// One row of the ranked table: a candidate shift and how English the text
/// looks when shifted back by it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftScore {
    /// The candidate key.
    pub shift: u8,
    /// χ² of the decryption's letter counts against English (lower is better).
    pub chi_squared: f64,
    /// Mean quadgram log-probability of the decryption (higher is better).
    pub fitness: f64,
}

/// The result of [`crack`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaesarCrack {
    /// The recovered shift.
    pub shift: u8,
    /// The ciphertext decrypted with it (case and non-letters kept).
    pub plaintext: String,
    /// Mean quadgram log-probability of the plaintext (higher is better).
    pub score: f64,
    /// All 26 shifts, best χ² first.
    pub ranking: Vec<ShiftScore>,
    /// How sure the crack is: the shift against the runner-up shift and
    /// against chance (see [`super::verdict`]).
    pub verdict: Verdict,
}

/// Breaks a Caesar ciphertext: χ² for all 26 shifts, the best few re-checked
/// by quadgram fitness.
pub fn crack(ciphertext: &str) -> Result<CaesarCrack, ClassicalError> {
    let letters = checked_letters(ciphertext, "the ciphertext")?;
    let counts = analysis::letter_counts(&letters);
    let mut ranking: Vec<ShiftScore> = (0..26u8)
        .map(|shift| {
            let back: Vec<u8> = letters.iter().map(|&l| (l + 26 - shift) % 26).collect();
            ShiftScore {
                shift,
                chi_squared: analysis::chi_squared_shifted(&counts, shift),
                fitness: analysis::fitness(&back),
            }
        })
        .collect();
    ranking.sort_by(|a, b| a.chi_squared.total_cmp(&b.chi_squared));
    let best =
        ranking.iter().take(RECHECK).max_by(|a, b| a.fitness.total_cmp(&b.fitness)).expect("26 candidates");
    let candidate = |shift: u8| {
        let back: Vec<u8> = letters.iter().map(|&l| (l + 26 - shift) % 26).collect();
        Candidate::new(format!("shift {shift}"), &back, verdict::caesar_cost())
    };
    let chosen = candidate(best.shift);
    let runner_up = (0..26u8)
        .filter(|&s| s != best.shift)
        .map(candidate)
        .max_by(|a, b| a.log_likelihood.total_cmp(&b.log_likelihood))
        .expect("25 other shifts");
    Ok(CaesarCrack {
        shift: best.shift,
        plaintext: decrypt(ciphertext, best.shift),
        score: best.fitness,
        verdict: verdict::judge(&letters, &chosen, Some(&runner_up), verdict::caesar_cost(), verdict::CAESAR),
        ranking: ranking.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_three_matches_the_textbook() {
        assert_eq!(encrypt("Attack at dawn!", 3), "Dwwdfn dw gdzq!");
        assert_eq!(decrypt("Dwwdfn dw gdzq!", 3), "Attack at dawn!");
    }

    #[test]
    fn key_letter_and_number_agree() {
        assert_eq!(parse_key("D").unwrap(), 3);
        assert_eq!(parse_key("d").unwrap(), 3);
        assert_eq!(parse_key("3").unwrap(), 3);
        assert!(parse_key("26").is_err());
        assert!(parse_key("-1").is_err());
    }
}
