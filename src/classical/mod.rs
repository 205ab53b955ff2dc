//! The classical ciphers — Caesar, monoalphabetic substitution, columnar
//! transposition and Vigenère — and the statistics that break them.
//!
//! Every course on cryptography starts here, and most tools stop at "encrypt"
//! and "decrypt". This module also *breaks* each cipher, the way a
//! cryptanalyst would, and shows the numbers that gave the secret away:
//!
//! | cipher          | what the key does                          | what breaks it                               |
//! |-----------------|--------------------------------------------|----------------------------------------------|
//! | Caesar          | shifts every letter by the same amount      | letter frequencies (χ²) over all 26 shifts   |
//! | monoalphabetic  | swaps each letter for another, consistently | quadgram scores + simulated annealing with restarts |
//! | transposition   | keeps the letters, shuffles their order     | quadgram scores over column orders           |
//! | Vigenère        | a different Caesar shift per key letter     | a key per length (Caesar per column), the best supported |
//!
//! None of these ciphers is secure; they are here because *why* they fail —
//! the ciphertext keeps the statistics of the language — is the first lesson
//! of cryptanalysis, and the reason modern ciphers must look like random
//! noise.
//!
//! # Conventions shared by all four ciphers
//! * A *letter* is one of the 26 ASCII letters `A`–`Z`/`a`–`z`. Everything
//!   else (spaces, digits, punctuation, accented letters) is carried through
//!   unchanged, at the same position.
//! * Caesar, monoalphabetic and Vigenère keep each letter's case.
//!   Transposition moves letters around but keeps the text's *shape*: every
//!   position keeps its case and its non-letter character (see
//!   [`transposition`]).
//! * Analysis and cracking look at the letters only, upper-cased, as indices
//!   0–25 (`A` = 0); the result is written back into the original shape.
//!
//! # Layout, in reading order
//! * [`analysis`] — letter counts, χ² against English, index of coincidence,
//!   Kasiski, quadgram fitness: the measuring instruments.
//! * [`english`] — the English tables those instruments compare against,
//!   built from public-domain text by `scripts/english_stats.py`.
//! * [`caesar`], [`mono`], [`transposition`], [`vigenere`] — each cipher:
//!   key parsing, encrypt, decrypt, crack.
//! * [`verdict`] — how sure an answer is: its support (fit to English less
//!   the price of its key), its margin over the runner-up or chance, and
//!   that margin in words, with thresholds measured on held-out English.
//! * [`cipher`] — one of the four chosen at run time ([`Cipher`], [`Keyed`],
//!   [`crack`]): the dispatch the commands share.
//! * [`identify`] — which cipher made a ciphertext: every crack tried, the
//!   best supported wins.
//! * [`report`] — what the commands say (crack tables, `freq`, `identify`,
//!   JSON), and [`demo`] — the narrated demos and the tour's section: pure
//!   functions that return text.
//!
//! This module reads no input and prints nothing: the command line
//! (`src/cli/classical.rs`) reads the text, shows the progress bar, writes
//! what these functions return, and turns a failed crack into its exit
//! status.

pub mod analysis;
pub mod caesar;
pub mod cipher;
pub mod demo;
pub mod english;
pub mod identify;
pub mod mono;
pub mod report;
pub mod transposition;
pub mod verdict;
pub mod vigenere;

pub use caesar::CaesarCrack;
pub use cipher::{Cipher, CrackOptions, CrackProgress, Cracked, Keyed, crack};
pub use demo::tour_section;
pub use mono::{MonoCrack, MonoKey};
pub use transposition::{TranspositionCrack, TranspositionKey};
pub use verdict::{Confidence, Verdict};
pub use vigenere::{VigenereCrack, VigenereKey};

use std::io;

/// Everything that can go wrong in the classical module.
///
/// Apart from [`ClassicalError::Output`], every variant is a problem with what
/// the user typed or gave as input. `Display` says what is wrong (naming the
/// input); [`ClassicalError::hint`] says what to try instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClassicalError {
    /// The input text is empty (or only whitespace).
    #[error("{input} is empty")]
    EmptyText {
        /// Which input: "the text", "file `notes.txt`", "standard input".
        input: String,
    },
    /// The input text contains no letter A–Z, so there is nothing to work on.
    #[error("{input} has no letters A-Z")]
    NoLetters {
        /// Which input.
        input: String,
    },
    /// No text was given at all: the caller found nothing to work on (on the
    /// command line: no TEXT, no `--in FILE`, and nothing piped in).
    #[error("no text given")]
    NoInput,
    /// A key was needed but the key given is empty.
    #[error("the {cipher} key is empty")]
    EmptyKey {
        /// Which cipher the key was for.
        cipher: &'static str,
    },
    /// A Caesar key that is neither a shift 0–25 nor a single letter.
    #[error("Caesar key `{key}` is not a shift 0-25 or a letter A-Z")]
    CaesarKey {
        /// The key as given.
        key: String,
    },
    /// A monoalphabetic key containing something other than letters.
    #[error("mono key `{key}` contains `{ch}`, which is not a letter A-Z")]
    MonoKeyCharacter {
        /// The key as given.
        key: String,
        /// The first offending character.
        ch: char,
    },
    /// A 26-letter monoalphabetic key that is not a permutation of the alphabet.
    #[error("mono key `{key}` is not a permutation of A-Z: it repeats {repeated} and lacks {missing}")]
    MonoKeyNotPermutation {
        /// The key as given.
        key: String,
        /// The first letter that appears twice.
        repeated: char,
        /// The first letter that does not appear.
        missing: char,
    },
    /// A transposition key containing a character that is neither a letter nor
    /// part of a comma-separated list of numbers.
    #[error("transposition key `{key}` contains `{ch}`, which cannot be used in a key")]
    TranspositionKeyCharacter {
        /// The key as given.
        key: String,
        /// The first offending character.
        ch: char,
    },
    /// A numeric transposition key that is not a permutation of 1..=width.
    #[error("transposition key `{key}` is not a column order: {problem}")]
    TranspositionKeyNumbers {
        /// The key as given.
        key: String,
        /// What is wrong ("2 is missing", "3 appears twice", …).
        problem: String,
    },
    /// A transposition key of width 1, which would leave the text unchanged.
    #[error("transposition key `{key}` has only one column, which leaves the text unchanged")]
    TranspositionKeyTooShort {
        /// The key as given.
        key: String,
    },
    /// The `--pad` character is not a letter.
    #[error("padding character `{ch}` is not a letter A-Z")]
    PadCharacter {
        /// The character given.
        ch: char,
    },
    /// `--pad` was given with a cipher other than transposition.
    #[error("--pad is for transposition only, not {cipher}")]
    PadNotTransposition {
        /// The cipher it was given with.
        cipher: &'static str,
    },
    /// `--pad` was given to decrypt, but the ciphertext cannot have been padded.
    #[error("{input} has {letters} letters, not a multiple of the key width {width}, so it was not padded")]
    NotPadded {
        /// Which input.
        input: String,
        /// How many letters it has.
        letters: usize,
        /// The key's width.
        width: usize,
    },
    /// A Vigenère key containing something other than letters.
    #[error("Vigenère key `{key}` contains `{ch}`, which is not a letter A-Z")]
    VigenereKeyCharacter {
        /// The key as given.
        key: String,
        /// The first offending character.
        ch: char,
    },
    /// An encrypt or decrypt command without `--key`.
    #[error("{cipher} {action} needs a key")]
    MissingKey {
        /// Which cipher.
        cipher: &'static str,
        /// "encrypt" or "decrypt".
        action: &'static str,
    },
    /// Writing a report to the caller's writer failed (for example, the
    /// reader of a pipe went away). Nothing in this module writes on its
    /// own; the variant lets a caller that writes the reports keep one
    /// error type.
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
}

impl ClassicalError {
    /// The second line of the user-facing message: what to try instead.
    pub fn hint(&self) -> String {
        match self {
            ClassicalError::EmptyText { .. } | ClassicalError::NoInput => {
                "give the text as an argument (`cryptolab classical caesar encrypt --key 3 \"attack at dawn\"`), \
                 with --in FILE, or pipe it in"
                    .to_string()
            }
            ClassicalError::NoLetters { .. } => {
                "these ciphers work on the letters A-Z (other characters pass through); give a text that has some"
                    .to_string()
            }
            ClassicalError::EmptyKey { cipher } => match *cipher {
                "Caesar" => "give --key a shift 0-25 or a letter, e.g. --key 3 or --key D".to_string(),
                "mono" => "give --key a keyword (e.g. --key ZEBRAS) or a 26-letter alphabet".to_string(),
                "transposition" => "give --key a keyword (e.g. --key ZEBRAS) or a column order (e.g. --key 3,1,4,2)".to_string(),
                _ => "give --key a word, e.g. --key LEMON".to_string(),
            },
            ClassicalError::CaesarKey { .. } => {
                "use a shift such as --key 3, or a letter such as --key D (A=0, B=1, ..., Z=25)".to_string()
            }
            ClassicalError::MonoKeyCharacter { .. } => {
                "use only letters: a keyword such as --key ZEBRAS, or a 26-letter alphabet".to_string()
            }
            ClassicalError::MonoKeyNotPermutation { .. } => {
                "a 26-letter key must use every letter exactly once; a shorter keyword is completed with the rest of the alphabet"
                    .to_string()
            }
            ClassicalError::TranspositionKeyCharacter { .. } => {
                "use a keyword of letters (--key ZEBRAS) or numbers separated by commas (--key 3,1,4,2)".to_string()
            }
            ClassicalError::TranspositionKeyNumbers { .. } => {
                "a numeric key lists each column's place in the reading order: every number from 1 to the width, once (--key 3,1,4,2)"
                    .to_string()
            }
            ClassicalError::TranspositionKeyTooShort { .. } => {
                "use a key of at least two columns, e.g. --key ZEBRAS or --key 2,1".to_string()
            }
            ClassicalError::PadCharacter { .. } => "pad with a letter, e.g. --pad X".to_string(),
            ClassicalError::PadNotTransposition { .. } => {
                "leave out --pad; only columnar transposition fills its last row".to_string()
            }
            ClassicalError::NotPadded { .. } => {
                "decrypt without --pad (irregular columnar transposition), or check the key".to_string()
            }
            ClassicalError::VigenereKeyCharacter { .. } => {
                "use a key of letters only, e.g. --key LEMON".to_string()
            }
            ClassicalError::MissingKey { cipher, .. } => match *cipher {
                "caesar" => "add --key with a shift 0-25 or a letter, e.g. --key 3".to_string(),
                "mono" => "add --key with a keyword (--key ZEBRAS) or a 26-letter alphabet".to_string(),
                "transposition" => "add --key with a keyword (--key ZEBRAS) or a column order (--key 3,1,4,2)".to_string(),
                _ => "add --key with a word, e.g. --key LEMON".to_string(),
            },
            ClassicalError::Output(_) => "check that the output can be written".to_string(),
        }
    }

    /// The kind of the I/O error behind a failed write of the output, if that
    /// is what this is; `None` for every input error. Lets the caller treat a
    /// closed pipe (`cryptolab … | head`) as a normal end.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        if let ClassicalError::Output(e) = self { Some(e.kind()) } else { None }
    }
}

/// The letters of `text` as indices 0–25 (`A`/`a` = 0), in order; every
/// other character is skipped.
pub fn letter_indices(text: &str) -> Vec<u8> {
    text.bytes().filter(u8::is_ascii_alphabetic).map(|b| b.to_ascii_uppercase() - b'A').collect()
}

/// Checks that a text is usable as input and returns its letters.
///
/// `input` names the text in the error ("the ciphertext", "file `x.txt`").
pub(crate) fn checked_letters(text: &str, input: &str) -> Result<Vec<u8>, ClassicalError> {
    if text.trim().is_empty() {
        return Err(ClassicalError::EmptyText { input: input.to_string() });
    }
    let letters = letter_indices(text);
    if letters.is_empty() {
        return Err(ClassicalError::NoLetters { input: input.to_string() });
    }
    Ok(letters)
}

/// Replaces the letters of `shape`, in order, by `letters` (indices 0–25),
/// giving each the case of the letter it replaces. Non-letters are copied.
/// If `letters` is longer than the number of letters in `shape`, the rest is
/// appended in upper case; if shorter, the surplus letters of `shape` are
/// dropped.
pub(crate) fn fill_letters(shape: &str, letters: &[u8]) -> String {
    let mut out = String::with_capacity(shape.len() + 8);
    let mut next = letters.iter();
    for ch in shape.chars() {
        if ch.is_ascii_alphabetic() {
            if let Some(&l) = next.next() {
                let c = (b'A' + l) as char;
                out.push(if ch.is_ascii_lowercase() { c.to_ascii_lowercase() } else { c });
            }
        } else {
            out.push(ch);
        }
    }
    out.extend(next.map(|&l| (b'A' + l) as char));
    out
}

/// Applies `f` to every letter (as an index 0–25), keeping case and every
/// other character. `f` also receives the letter's position among the letters
/// (0 for the first letter), which Vigenère uses to pick its key letter.
pub(crate) fn map_letters(text: &str, mut f: impl FnMut(usize, u8) -> u8) -> String {
    let mut i = 0;
    text.chars()
        .map(|ch| {
            if ch.is_ascii_alphabetic() {
                let base = if ch.is_ascii_lowercase() { b'a' } else { b'A' };
                let out = f(i, ch as u8 - base);
                i += 1;
                (base + out % 26) as char
            } else {
                ch
            }
        })
        .collect()
}

/// Upper-case letter for an index 0–25.
pub(crate) fn letter(i: u8) -> char {
    (b'A' + i) as char
}
