//! One of the four ciphers, chosen at run time: the dispatch every classical
//! command shares.
//!
//! [`Cipher`] names a cipher (for commands, JSON and prose); [`Keyed`] is a
//! parsed key ready to encrypt or decrypt; [`crack`] breaks a ciphertext
//! with whichever attack fits and returns a [`Cracked`], which
//! [`super::report`] turns into text or JSON. Each `match` over the ciphers
//! lives here once, so a fifth cipher is one new arm per function.
//!
//! Nothing here reads or prints: a long crack reports its progress through
//! the callback it is given, and how sure a crack is comes back in its
//! [`Cracked::verdict`].

use super::{
    ClassicalError, MonoKey, TranspositionKey, Verdict, VigenereKey, caesar, checked_letters, mono,
    transposition, vigenere,
};

/// The four ciphers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// Every letter shifted by the same amount.
    Caesar,
    /// Monoalphabetic substitution.
    Mono,
    /// Columnar transposition.
    Transposition,
    /// A Caesar shift per key letter.
    Vigenere,
}

impl Cipher {
    /// The name used in commands and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Cipher::Caesar => "caesar",
            Cipher::Mono => "mono",
            Cipher::Transposition => "transposition",
            Cipher::Vigenere => "vigenere",
        }
    }

    /// The name used in prose.
    pub fn title(self) -> &'static str {
        match self {
            Cipher::Caesar => "Caesar",
            Cipher::Mono => "Monoalphabetic substitution",
            Cipher::Transposition => "Columnar transposition",
            Cipher::Vigenere => "Vigenère",
        }
    }
}

/// A parsed key of any cipher.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Caesar(u8),
    Mono(MonoKey),
    Transposition(TranspositionKey),
    Vigenere(VigenereKey),
}

/// A key ready to encrypt or decrypt, with the transposition padding letter
/// if one was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed {
    cipher: Cipher,
    key: Key,
    pad: Option<char>,
}

impl Keyed {
    /// Parses `key` for `cipher`. `pad` (transposition only) fills the last
    /// row with that letter; it is checked before the key.
    pub fn new(cipher: Cipher, key: &str, pad: Option<char>) -> Result<Self, ClassicalError> {
        if let Some(ch) = pad {
            if cipher != Cipher::Transposition {
                return Err(ClassicalError::PadNotTransposition { cipher: cipher.id() });
            }
            if !ch.is_ascii_alphabetic() {
                return Err(ClassicalError::PadCharacter { ch });
            }
        }
        let key = match cipher {
            Cipher::Caesar => Key::Caesar(caesar::parse_key(key)?),
            Cipher::Mono => Key::Mono(MonoKey::parse(key)?),
            Cipher::Transposition => Key::Transposition(TranspositionKey::parse(key)?),
            Cipher::Vigenere => Key::Vigenere(VigenereKey::parse(key)?),
        };
        Ok(Keyed { cipher, key, pad })
    }

    /// The cipher this key is for.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// The key in the form `--key` accepts (a keyword comes back as its
    /// full alphabet or column order).
    pub fn shown(&self) -> String {
        match &self.key {
            Key::Caesar(s) => s.to_string(),
            Key::Mono(k) => k.to_string(),
            Key::Transposition(k) => k.to_string(),
            Key::Vigenere(k) => k.to_string(),
        }
    }

    /// Encrypts `text`, which `input` names in errors ("the text", "file
    /// `notes.txt`"); the text must have letters.
    pub fn encrypt(&self, text: &str, input: &str) -> Result<String, ClassicalError> {
        checked_letters(text, input)?;
        Ok(match &self.key {
            Key::Caesar(s) => caesar::encrypt(text, *s),
            Key::Mono(k) => mono::encrypt(text, k),
            Key::Transposition(k) => transposition::encrypt(text, k, self.pad),
            Key::Vigenere(k) => vigenere::encrypt(text, k),
        })
    }

    /// Decrypts `text` (named `input` in errors). With a padding letter, a
    /// transposition ciphertext must fill whole rows, and the padding is
    /// stripped.
    pub fn decrypt(&self, text: &str, input: &str) -> Result<String, ClassicalError> {
        let letters = checked_letters(text, input)?;
        Ok(match &self.key {
            Key::Caesar(s) => caesar::decrypt(text, *s),
            Key::Mono(k) => mono::decrypt(text, k),
            Key::Transposition(k) => match self.pad {
                Some(pad) => {
                    if letters.len() % k.width() != 0 {
                        return Err(ClassicalError::NotPadded {
                            input: input.to_string(),
                            letters: letters.len(),
                            width: k.width(),
                        });
                    }
                    transposition::strip_padding(&transposition::decrypt(text, k), pad, k.width())
                }
                None => transposition::decrypt(text, k),
            },
            Key::Vigenere(k) => vigenere::decrypt(text, k),
        })
    }
}

/// What a crack found, with the cipher's own evidence (the ranked shifts,
/// the annealing, the widths or the periods).
#[derive(Debug, Clone, PartialEq)]
pub enum Cracked {
    /// Every shift, ranked by χ².
    Caesar(caesar::CaesarCrack),
    /// The annealing's result, and the seed of its search.
    Mono {
        /// What the search found.
        crack: mono::MonoCrack,
        /// The seed it ran with.
        seed: u64,
    },
    /// The best column order for each width.
    Transposition(transposition::TranspositionCrack),
    /// Every period's statistics and best key.
    Vigenere(vigenere::VigenereCrack),
}

impl Cracked {
    /// The cipher that was cracked.
    pub fn cipher(&self) -> Cipher {
        match self {
            Cracked::Caesar(_) => Cipher::Caesar,
            Cracked::Mono { .. } => Cipher::Mono,
            Cracked::Transposition(_) => Cipher::Transposition,
            Cracked::Vigenere(_) => Cipher::Vigenere,
        }
    }

    /// The key found, in the form `--key` accepts.
    pub fn key(&self) -> String {
        match self {
            Cracked::Caesar(c) => c.shift.to_string(),
            Cracked::Mono { crack, .. } => crack.key.to_string(),
            Cracked::Transposition(c) => c.key.to_string(),
            Cracked::Vigenere(c) => c.key.to_string(),
        }
    }

    /// The key found as its candidate is named in a report: `shift 3`,
    /// `key SEA`, `width 6 (3,1,2,6,4,5)`, `this alphabet`.
    pub fn key_label(&self) -> String {
        match self {
            Cracked::Caesar(c) => format!("shift {}", c.shift),
            Cracked::Mono { .. } => "this alphabet".to_string(),
            Cracked::Transposition(c) => format!("width {} ({})", c.key.width(), c.key),
            Cracked::Vigenere(c) => format!("key {}", c.key),
        }
    }

    /// The ciphertext decrypted with that key.
    pub fn plaintext(&self) -> &str {
        match self {
            Cracked::Caesar(c) => &c.plaintext,
            Cracked::Mono { crack, .. } => &crack.plaintext,
            Cracked::Transposition(c) => &c.plaintext,
            Cracked::Vigenere(c) => &c.plaintext,
        }
    }

    /// How sure the crack is (see [`super::verdict`]).
    pub fn verdict(&self) -> &Verdict {
        match self {
            Cracked::Caesar(c) => &c.verdict,
            Cracked::Mono { crack, .. } => &crack.verdict,
            Cracked::Transposition(c) => &c.verdict,
            Cracked::Vigenere(c) => &c.verdict,
        }
    }

    /// Mean quadgram log10-probability of the plaintext (English ≈ −4.2).
    pub fn score(&self) -> f64 {
        match self {
            Cracked::Caesar(c) => c.score,
            Cracked::Mono { crack, .. } => crack.score,
            Cracked::Transposition(c) => c.score,
            Cracked::Vigenere(c) => c.score,
        }
    }
}

/// What a crack may be told beyond the ciphertext and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrackOptions {
    /// Transposition only: the widest key to search (default
    /// [`transposition::DEFAULT_MAX_WIDTH`]; at most
    /// [`transposition::MAX_WIDTH`]).
    pub max_width: Option<usize>,
}

/// Where a long crack has got to, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CrackProgress<'a> {
    /// The substitution's annealing finished a restart.
    Restart(&'a mono::MonoProgress),
    /// The transposition search finished the widths up to `width` of
    /// `2..=max_width` (wide keys take seconds each).
    Width {
        /// The width just searched.
        width: usize,
        /// The widest the search goes.
        max_width: usize,
    },
}

/// Cracks `ciphertext` as `cipher`, deterministic for a given `seed` (the
/// searches of mono and transposition are randomised). Those two can take
/// seconds: `progress` is called after each restart of the annealing and
/// after each width of the transposition search (Caesar and Vigenère take
/// milliseconds and never call it).
pub fn crack(
    cipher: Cipher,
    ciphertext: &str,
    seed: u64,
    options: &CrackOptions,
    progress: &mut dyn FnMut(CrackProgress<'_>),
) -> Result<Cracked, ClassicalError> {
    Ok(match cipher {
        Cipher::Caesar => Cracked::Caesar(caesar::crack(ciphertext)?),
        Cipher::Mono => Cracked::Mono {
            crack: mono::crack_with(ciphertext, seed, &mono::CrackSettings::default(), &mut |p| {
                progress(CrackProgress::Restart(p))
            })?,
            seed,
        },
        Cipher::Transposition => {
            let mut settings = transposition::CrackSettings::default();
            if let Some(w) = options.max_width {
                settings.max_width = w.clamp(2, transposition::MAX_WIDTH);
            }
            Cracked::Transposition(transposition::crack_with_progress(
                ciphertext,
                seed,
                &settings,
                &mut |width, max_width| progress(CrackProgress::Width { width, max_width }),
            )?)
        }
        Cipher::Vigenere => Cracked::Vigenere(vigenere::crack(ciphertext)?),
    })
}
