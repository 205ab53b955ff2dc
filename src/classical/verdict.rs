//! How sure an answer is: every crack and every `identify` verdict weighed
//! against the runner-up and against chance, as one number and in words.
//!
//! # Support: fit minus the price of the key
//! A candidate answer is a key and the decryption it gives. Its *support* is
//!
//! ```text
//! support = log10 P(decryption as English)  −  log10 (number of keys to choose from)
//! ```
//!
//! The first term comes from English's letter model
//! ([`super::analysis::log_likelihood`]: each letter given the three before
//! it), about −0.9 per letter for English and −1.5 for random letters. The
//! second is the price of choosing: with more keys to pick from, some key
//! fits any text a little by luck, and the price is exactly how much luck a
//! key space can buy. A Caesar shift costs log10 26 ≈ 1.4; a Vigenère key of
//! m letters m · 1.4; a transposition of w columns log10 w! (6.6 for 10
//! columns); a substitution alphabet log10 (26!/(26 − k)!) for the k
//! letters the text uses (26.6 for all 26). This is why a 14-letter
//! Vigenère key may fit 57 letters *better* than the true 3-letter one and
//! still lose: it costs 15 more.
//!
//! # Chance, and the margin
//! Chance is the answer "no key at all": the letters scored as random
//! letters (log10 26 per letter) or as English letters in a random order
//! (their English frequencies), whichever fits better. The *evidence* of an
//! answer is its support minus chance's. The *margin* is its support minus
//! that of the best rival: the runner-up (another shift, key length, width
//! or cipher) or chance, whichever is closer.
//!
//! A margin of d says the answer explains the text 10^d times better than
//! its closest rival. The letter model is not English itself, so that ratio
//! is not taken at face value; the [`Thresholds`] that turn margins into
//! words were measured, one pair per kind of answer: on held-out English
//! (`examples/classical_accuracy.rs --margins`), answers with margins above
//! them were right at the rates `docs/CLASSICAL.md` gives.
//!
//! Shannon's *unicity distance* is the same idea seen from the other side:
//! English carries about 0.5 log10 units per letter more than random
//! letters, so a key that costs c needs about 2c letters before the right
//! answer can stand out at all (about 50 letters for a substitution).

use super::analysis;

/// The margins from which one kind of answer is called *sure* and
/// *likely*. Measured, not derived: the letter model is not English, and
/// the searches are not exhaustive, so a margin means more for a Caesar
/// (26 keys, all tried) than for a substitution (a search among 4·10²⁶).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// From this margin up: sure.
    pub sure: f64,
    /// From this margin up: likely; below it the evidence is too weak.
    pub likely: f64,
}

// The thresholds were chosen from the margins of earlier runs of
// `examples/classical_accuracy.rs --margins`; docs/CLASSICAL.md gives how
// often each band was right in the latest run (300 trials of 50–100
// letters per kind).

/// Caesar: every shift is tried; every answer with a margin from 4 was right.
pub const CAESAR: Thresholds = Thresholds { sure: 4.0, likely: 1.0 };

/// Substitution (right: ≥ 95 % of letters): from 30 right in every trial,
/// 6–30 in about 90 %, below 6 in under half.
pub const MONO: Thresholds = Thresholds { sure: 30.0, likely: 6.0 };

/// Transposition: from 6 right in all but one of 227 trials, 0.5–6 in about
/// 95 % (the rival there is mostly the same text rotated).
pub const TRANSPOSITION: Thresholds = Thresholds { sure: 6.0, likely: 0.5 };

/// Vigenère: from 12 right in every trial; below 12 about half.
pub const VIGENERE: Thresholds = Thresholds { sure: 16.0, likely: 12.0 };

/// `identify`'s verdicts: from 2 right in every trial.
pub const IDENTIFY: Thresholds = Thresholds { sure: 6.0, likely: 2.0 };

/// log10 P per letter that English of 50 letters or more reaches nearly
/// always (the 5th percentile of held-out samples is about −1.1 at 50
/// letters, −0.97 at 400): used to ask whether a text is long enough that a
/// right answer would have stood out.
const ENGLISH_PER_LETTER: f64 = -1.0;

/// How sure an answer is, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// The margin is at least the kind's [`Thresholds::sure`].
    Sure,
    /// The margin is at least the kind's [`Thresholds::likely`].
    Likely,
    /// The evidence is weak and the text is short: even a right answer
    /// would not have stood out.
    TooShort,
    /// The text is long enough, and the answer beats chance, but a rival
    /// answer fits nearly as well.
    Ambiguous,
    /// The text is long enough that a right answer would have stood out,
    /// and the best answer found does not beat chance: no key found.
    Failed,
}

impl Confidence {
    /// The name used in JSON: `sure`, `likely`, `too-short`, `ambiguous`,
    /// `failed`.
    pub fn id(self) -> &'static str {
        match self {
            Confidence::Sure => "sure",
            Confidence::Likely => "likely",
            Confidence::TooShort => "too-short",
            Confidence::Ambiguous => "ambiguous",
            Confidence::Failed => "failed",
        }
    }

    /// The words printed after `confidence:`.
    pub fn words(self) -> &'static str {
        match self {
            Confidence::Sure => "sure",
            Confidence::Likely => "likely, not sure",
            Confidence::TooShort => "too short to tell",
            Confidence::Ambiguous => "too close to call",
            Confidence::Failed => "failed",
        }
    }

    /// Whether the answer may be shown as a result (sure or likely).
    pub fn is_result(self) -> bool {
        matches!(self, Confidence::Sure | Confidence::Likely)
    }
}

/// One candidate answer: what it is called and how well it is supported.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// How the answer is named in the report (`key SEA`, `width 6`,
    /// `Vigenère, key length 3`).
    pub label: String,
    /// log10 P(its decryption as English).
    pub log_likelihood: f64,
    /// log10 of the number of keys it was chosen from.
    pub key_cost: f64,
    /// Its decryption's letters (indices 0–25).
    pub decryption: Vec<u8>,
}

impl Candidate {
    /// A candidate from its decryption's letters and its key cost.
    pub fn new(label: impl Into<String>, decryption: &[u8], key_cost: f64) -> Self {
        Candidate {
            label: label.into(),
            log_likelihood: analysis::log_likelihood(decryption),
            key_cost,
            decryption: decryption.to_vec(),
        }
    }

    /// Fit minus the price of the key (see the module docs).
    pub fn support(&self) -> f64 {
        self.log_likelihood - self.key_cost
    }
}

/// How sure an answer is, with the numbers behind the words.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The words.
    pub confidence: Confidence,
    /// Support of the answer minus that of its closest rival (the
    /// runner-up or chance), log10 units.
    pub margin: f64,
    /// Support of the answer minus chance's, log10 units.
    pub evidence: f64,
    /// The closest rival: the runner-up, or `None` for chance.
    pub rival: Option<Candidate>,
}

impl Verdict {
    /// The rival in words: its label, or "chance (no key at all)".
    pub fn rival_words(&self) -> &str {
        self.rival.as_ref().map_or("chance (no key at all)", |r| r.label.as_str())
    }

    /// One line: `sure (margin 23.4 over key WINTERWINTERW…)`.
    pub fn summary(&self) -> String {
        format!(
            "{} (margin {} over {})",
            self.confidence.words(),
            one_decimal(self.margin),
            self.rival_words()
        )
    }
}

/// `x` to one decimal, never `-0.0`.
pub fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// A rival must read at least one letter in this many differently from the
/// answer: one that differs in a rare letter or two is the same reading.
pub const RIVAL_SHARE: usize = 20;

/// How many letters two readings of a text differ in, if that makes them
/// rivals (at least one in [`RIVAL_SHARE`], and at least one).
pub fn rival_difference(answer: &[u8], other: &[u8]) -> Option<usize> {
    let differ = answer.iter().zip(other).filter(|(a, b)| a != b).count();
    (differ > 0 && differ * RIVAL_SHARE >= answer.len()).then_some(differ)
}

/// The support of chance for these letters (see the module docs).
pub fn chance(letters: &[u8]) -> f64 {
    let random = -(letters.len() as f64) * 26f64.log10();
    random.max(analysis::letter_log_likelihood(letters))
}

/// Weighs `best` against `runner_up` (if any) and chance, for a ciphertext
/// of these letters. `dearest` is the price of the dearest key the search
/// considered (the widest width, the longest key length): if even English
/// under that key would not have stood out from chance, a weak answer is
/// called too short rather than failed.
pub fn judge(
    letters: &[u8],
    best: &Candidate,
    runner_up: Option<&Candidate>,
    dearest: f64,
    thresholds: Thresholds,
) -> Verdict {
    let chance = chance(letters);
    let evidence = best.support() - chance;
    let (margin, rival) = match runner_up {
        Some(r) if r.support() > chance => (best.support() - r.support(), Some(r.clone())),
        Some(_) | None => (evidence, None),
    };
    // Would a right answer have stood out? English of this length, less the
    // dearest key's price, against chance.
    let expected = letters.len() as f64 * ENGLISH_PER_LETTER - dearest.max(best.key_cost) - chance;
    // Compared as printed (one decimal), so that `margin 4.0` is never
    // called less sure than the threshold 4 says.
    let shown = (margin * 10.0).round() / 10.0;
    let confidence = if shown >= thresholds.sure {
        Confidence::Sure
    } else if shown >= thresholds.likely {
        Confidence::Likely
    } else if expected < thresholds.sure {
        Confidence::TooShort
    } else if evidence < thresholds.likely {
        Confidence::Failed
    } else {
        Confidence::Ambiguous
    };
    Verdict { confidence, margin, evidence, rival }
}

/// log10 of the number of Caesar shifts.
pub fn caesar_cost() -> f64 {
    26f64.log10()
}

/// log10 of the number of Vigenère keys of `len` letters.
pub fn vigenere_cost(len: usize) -> f64 {
    len as f64 * 26f64.log10()
}

/// log10 of the number of transposition keys of `width` columns (width!).
pub fn transposition_cost(width: usize) -> f64 {
    (2..=width).map(|k| (k as f64).log10()).sum()
}

/// log10 of the number of ways a substitution can assign plain letters to
/// the `distinct` cipher letters a text uses: 26!/(26 − distinct)!.
pub fn mono_cost(distinct: usize) -> f64 {
    (26 - distinct.min(26) + 1..=26).map(|k| (k as f64).log10()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_costs_are_the_logs_of_the_key_counts() {
        assert!((transposition_cost(4) - 24f64.log10()).abs() < 1e-9);
        assert!((mono_cost(26) - 26.605).abs() < 1e-3);
        assert!((mono_cost(2) - 650f64.log10()).abs() < 1e-9);
        assert_eq!(mono_cost(0), 0.0);
        assert!((vigenere_cost(3) - 3.0 * caesar_cost()).abs() < 1e-12);
    }

    #[test]
    fn a_close_runner_up_makes_an_answer_unsure() {
        let letters = crate::classical::letter_indices(&"THEQUICKBROWNFOXJUMPSOVERTHELAZYDOG".repeat(3));
        let best = Candidate::new("a", &letters, 1.4);
        let close =
            Candidate { label: "b".into(), log_likelihood: best.log_likelihood - 0.5, ..best.clone() };
        let v = judge(&letters, &best, Some(&close), 1.4, IDENTIFY);
        assert_eq!(v.rival_words(), "b");
        assert!((v.margin - 0.5).abs() < 1e-9);
        assert!(!v.confidence.is_result(), "{v:?}");
        let v = judge(&letters, &best, None, 1.4, IDENTIFY);
        assert_eq!(v.confidence, Confidence::Sure, "{v:?}");
        assert_eq!(v.margin, v.evidence);
    }
}
