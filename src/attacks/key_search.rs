//! Key search: a key made from a word falls to a dictionary; a random key does not.
//!
//! **Setup.** A victim needs a 16-byte AES-128 key and makes one from
//! something it can remember: an English word, padded to 16 bytes with `#`
//! (or spaces, or zero bytes). It encrypts a message in cbc with a random
//! IV and sends IV and ciphertext, as every cbc body does. The attacker
//! also knows the plaintext, or a part of it — a fixed header, a greeting,
//! a file format's first bytes: a *known-plaintext* attack. Many courses
//! set this exercise (SEED Labs' secret-key lab has one: a message, its
//! ciphertext and IV, and a key that is a dictionary word padded with `#`);
//! here it is run for real, with the list in [`WORDS`].
//!
//! **Attack.** Try every word. Each candidate costs one AES key schedule
//! and one block encryption, because the first block decides
//! (SP 800-38A §6.1–6.5; [`Probe`]):
//!
//! ```text
//! ecb:           E_K(P_0)      = C_0
//! cbc:           E_K(P_0 ⊕ IV) = C_0
//! ctr, cfb, ofb: E_K(IV)       = P_0 ⊕ C_0     (the first keystream block)
//! ```
//!
//! A wrong key passes that test with chance 2^-128 (2^-8n when only `n`
//! bytes of it are known); only a candidate that passes is checked on the
//! whole message ([`Known::matches`]). The attacker needs nothing but
//! captured bytes: no oracle, no access to the victim.
//!
//! **Verify.** The key found decrypts the ciphertext to exactly the
//! plaintext. Then a second victim uses a random 128-bit key: the whole list
//! is tried and nothing matches, and trying every key is out of reach —
//!
//! ```text
//! 2^128 ≈ 3.4e38 keys; on average the key is found after half: 2^127 ≈ 1.7e38 tries
//! at 10^12 keys/s (a generous cluster): 1.7e26 s ≈ 5.4e18 years
//! the universe is 1.38e10 years old: 3.9e8 times its age
//! ```
//!
//! while the 63,779 words of the list are about 2^16 keys, tried in well
//! under a second on one core ([`reach`] does the arithmetic, from a measured
//! rate or an assumed one).
//!
//! **Fix.** Keys come from a CSPRNG (`cryptolab keygen`), never from words.
//! When a person's password must become a key, it goes through a slow,
//! salted key-derivation function (PBKDF2, RFC 8018; scrypt, RFC 7914;
//! Argon2, RFC 9106), so each guess costs far more than one AES block — and
//! a long passphrase of random words, not one word, gives it something to
//! protect. The cipher mode cannot help: every mode falls alike. The search
//! here takes the five unauthenticated suites, whose ciphertext it recomputes;
//! a gcm tag would confirm a guessed key just as well.
//!
//! `cryptolab crack key` runs [`search_reported`] on a student's own
//! plaintext, ciphertext, IV and word list.

use std::time::{Duration, Instant};

use aes::Aes128Enc;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use rand::RngExt;
use serde_json::json;

use super::{DemoCtx, DemoError};
use crate::events::{Event, Events, Fact, Progress};
use crate::render::Dump;
use crate::suite::pkcs7::{self, BLOCK};
use crate::suite::{Cipher, Suite, layout};

/// The word list shipped in `samples/words.txt`, built in: every line of
/// Debian's `wamerican` 2020.12.07-2 (SCOWL, by Kevin Atkinson) that is 1–16
/// lower-case ASCII letters, one per line (`samples/README.md`).
pub const WORDS: &str = include_str!("../../samples/words.txt");

/// Where [`WORDS`] came from, in a few words.
pub const WORDS_ORIGIN: &str = "samples/words.txt, from Debian's wamerican";

/// An AES-128 key's length, and so the longest word that fits.
pub const KEY_LEN: usize = 16;

/// How many candidates [`search`] tries between two calls of its progress callback.
pub const PROGRESS_EVERY: u64 = 1 << 12;

/// The demo's known plaintext (as in the SEED lab's exercise).
pub const PLAINTEXT: &str = "This is a top secret.";

/// A rate no attacker will beat soon: 10^12 keys per second, a large cluster.
pub const CLUSTER_RATE: f64 = 1e12;

/// The age of the universe in years (Planck 2018: 13.8 billion).
pub const UNIVERSE_YEARS: f64 = 1.38e10;

/// Seconds in a Julian year.
const SECONDS_PER_YEAR: f64 = 365.25 * 24.0 * 3600.0;

/// The byte that pads a word to 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pad {
    /// `#` (0x23), as in the SEED lab.
    Hash,
    /// A space (0x20).
    Space,
    /// A zero byte (0x00), as C's `strncpy` into a zeroed buffer leaves it.
    Nul,
}

impl Pad {
    /// Every pad byte, in the order `--pad all` tries them.
    pub const ALL: [Pad; 3] = [Pad::Hash, Pad::Space, Pad::Nul];

    /// The byte.
    pub const fn byte(self) -> u8 {
        match self {
            Pad::Hash => b'#',
            Pad::Space => b' ',
            Pad::Nul => 0,
        }
    }

    /// Its name on the command line and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Pad::Hash => "hash",
            Pad::Space => "space",
            Pad::Nul => "nul",
        }
    }

    /// "padded with …", in words.
    pub const fn words(self) -> &'static str {
        match self {
            Pad::Hash => "#",
            Pad::Space => "spaces",
            Pad::Nul => "zero bytes",
        }
    }
}

/// The key made from `word`: its bytes, then `pad` up to 16 bytes; `None`
/// if the word is longer than 16 bytes.
pub fn key_from_word(word: &str, pad: Pad) -> Option<[u8; KEY_LEN]> {
    let bytes = word.as_bytes();
    let mut key = [pad.byte(); KEY_LEN];
    key.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(key)
}

/// Why a search cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// An authenticated suite: not this search's subject.
    #[error("{0} is authenticated; the key search takes {list}", list = searchable())]
    Authenticated(Suite),
    /// The IV is not the suite's length.
    #[error("the IV is {len} bytes; {suite} takes {expected}")]
    IvLength {
        /// The suite.
        suite: Suite,
        /// Its IV length.
        expected: usize,
        /// The length given.
        len: usize,
    },
    /// The ciphertext is not what the plaintext encrypts to in length.
    #[error("the ciphertext is {len} bytes; a {pt_len}-byte plaintext encrypts to {expected} in {suite}")]
    CiphertextLength {
        /// The suite.
        suite: Suite,
        /// The plaintext's length.
        pt_len: usize,
        /// The ciphertext length it gives.
        expected: usize,
        /// The length given.
        len: usize,
    },
    /// A stream mode and an empty message: no byte to test a key against.
    #[error("the plaintext is empty: in {0} it encrypts to nothing, so every key would match")]
    Empty(Suite),
}

/// The suites a key search takes, in words: every unauthenticated one (`ecb, cbc, ctr, cfb or ofb`).
pub fn searchable() -> String {
    let names: Vec<&str> = Suite::ALL.iter().filter(|s| !s.is_authenticated()).map(|s| s.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

impl SearchError {
    /// What to try (the second line of the message).
    pub fn hint(&self) -> String {
        match self {
            SearchError::Authenticated(_) => {
                "choose the --mode the ciphertext was made in (a cbc-hmac body without its tag is cbc)"
                    .to_string()
            }
            SearchError::IvLength { suite, expected, .. } => {
                format!("give the {suite} IV as {} hex digits", 2 * expected)
            }
            SearchError::CiphertextLength { .. } => {
                "give the ciphertext alone (no IV in front), all of it, and the exact plaintext it encrypts"
                    .to_string()
            }
            SearchError::Empty(_) => {
                "give at least one byte of known plaintext and its ciphertext".to_string()
            }
        }
    }
}

/// The one AES block that decides a candidate: under the right key,
/// `E_K(input)` starts with `output[..len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// What AES encrypts first.
    pub input: [u8; BLOCK],
    /// What it must give.
    pub output: [u8; BLOCK],
    /// How many bytes of `output` are known (16, or a short message's length in a stream mode).
    pub len: usize,
}

impl Probe {
    /// The first block of `suite` (SP 800-38A: ecb §6.1, cbc §6.2, cfb
    /// §6.3, ofb §6.4, ctr §6.5), from a plaintext, its ciphertext and IV
    /// whose lengths have been checked.
    fn of(suite: Suite, plaintext: &[u8], ciphertext: &[u8], iv: &[u8]) -> Result<Probe, SearchError> {
        let mut input = [0u8; BLOCK];
        let mut output = [0u8; BLOCK];
        match suite {
            Suite::Ecb | Suite::Cbc => {
                // The first padded plaintext block: P_0, or all of a short message and its padding.
                if plaintext.len() >= BLOCK {
                    input.copy_from_slice(&plaintext[..BLOCK]);
                } else {
                    input = pkcs7::last_block(plaintext).into();
                }
                // ecb has no IV; cbc XORs it in first.
                input.iter_mut().zip(iv).for_each(|(b, v)| *b ^= v);
                output.copy_from_slice(&ciphertext[..BLOCK]);
                Ok(Probe { input, output, len: BLOCK })
            }
            Suite::Ctr | Suite::Cfb | Suite::Ofb => {
                // The first keystream block is E_K(IV) in all three.
                input.copy_from_slice(iv);
                let len = plaintext.len().min(BLOCK);
                for (o, (p, c)) in output.iter_mut().zip(plaintext.iter().zip(ciphertext)).take(len) {
                    *o = p ^ c;
                }
                Ok(Probe { input, output, len })
            }
            Suite::CbcHmac | Suite::Gcm => Err(SearchError::Authenticated(suite)),
        }
    }

    /// Whether `aes` passes: one block encryption.
    pub fn passes(&self, aes: &Aes128Enc) -> bool {
        let mut block = self.input.into();
        aes.encrypt_block(&mut block);
        block[..self.len] == self.output[..self.len]
    }
}

/// What the attacker knows: the suite, a plaintext, its ciphertext and IV.
#[derive(Debug, Clone)]
pub struct Known<'a> {
    suite: Suite,
    plaintext: &'a [u8],
    ciphertext: &'a [u8],
    iv: &'a [u8],
    probe: Probe,
}

impl<'a> Known<'a> {
    /// Checks that the values fit together: an unauthenticated suite, the
    /// suite's IV length, and a ciphertext exactly as long as the plaintext
    /// encrypts to (without the IV, as `openssl enc` writes it).
    pub fn new(
        suite: Suite,
        plaintext: &'a [u8],
        ciphertext: &'a [u8],
        iv: &'a [u8],
    ) -> Result<Self, SearchError> {
        if suite.is_authenticated() {
            return Err(SearchError::Authenticated(suite));
        }
        if iv.len() != suite.iv_len() {
            return Err(SearchError::IvLength { suite, expected: suite.iv_len(), len: iv.len() });
        }
        let expected = suite.ct_len(plaintext.len());
        if ciphertext.len() != expected {
            return Err(SearchError::CiphertextLength {
                suite,
                pt_len: plaintext.len(),
                expected,
                len: ciphertext.len(),
            });
        }
        if expected == 0 {
            return Err(SearchError::Empty(suite));
        }
        let probe = Probe::of(suite, plaintext, ciphertext, iv)?;
        Ok(Known { suite, plaintext, ciphertext, iv, probe })
    }

    /// The suite.
    pub const fn suite(&self) -> Suite {
        self.suite
    }

    /// The block that decides a candidate.
    pub const fn probe(&self) -> &Probe {
        &self.probe
    }

    /// How many ciphertext bytes a key is tested against: a wrong key
    /// passes by chance with probability 2^-(8 × this).
    pub fn known_len(&self) -> usize {
        self.ciphertext.len()
    }

    /// Whether `key` encrypts the plaintext under the IV to exactly the
    /// ciphertext: the first block, then (only if it passes) all of it,
    /// through the suite's own [`Cipher`].
    pub fn matches(&self, key: &[u8; KEY_LEN]) -> bool {
        self.matches_into(key, &mut Vec::new())
    }

    fn matches_into(&self, key: &[u8; KEY_LEN], body: &mut Vec<u8>) -> bool {
        let aes = Aes128Enc::new(&(*key).into());
        self.probe.passes(&aes) && self.whole_message_matches(key, body)
    }

    fn whole_message_matches(&self, key: &[u8; KEY_LEN], body: &mut Vec<u8>) -> bool {
        let cipher = Cipher::new(self.suite, key, None).expect("an unauthenticated suite takes any AES key");
        cipher.seal_with_iv(&[], self.plaintext, self.iv, body).expect("IV length checked");
        &body[self.iv.len()..] == self.ciphertext
    }
}

/// A key found: the word, its padding, the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The word.
    pub word: String,
    /// What padded it.
    pub pad: Pad,
    /// The key: the word's bytes, then the pad byte.
    pub key: [u8; KEY_LEN],
}

/// How a search went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searched {
    /// The key, if a candidate matched (the search stops there).
    pub found: Option<Found>,
    /// Candidates tried, the one found included.
    pub tried: u64,
    /// Words skipped: longer than 16 bytes.
    pub skipped: u64,
    /// How long it took.
    pub elapsed: Duration,
}

impl Searched {
    /// Candidates per second, as measured.
    pub fn keys_per_second(&self) -> f64 {
        self.tried as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Tries every word of `words` padded with each of `pads` (a 16-byte word
/// only once: padding adds nothing to it) as the key, in order, until one
/// [`Known::matches`]. Words longer than 16 bytes are skipped and counted.
/// `progress(tried, word)` is called every [`PROGRESS_EVERY`] candidates.
pub fn search<'w>(
    known: &Known<'_>,
    words: impl IntoIterator<Item = &'w str>,
    pads: &[Pad],
    mut progress: impl FnMut(u64, &str),
) -> Searched {
    let start = Instant::now();
    let (mut tried, mut skipped) = (0u64, 0u64);
    let mut body = Vec::with_capacity(known.iv.len() + known.ciphertext.len());
    for word in words {
        if word.len() > KEY_LEN {
            skipped += 1;
            continue;
        }
        let pads = if word.len() == KEY_LEN { &pads[..pads.len().min(1)] } else { pads };
        for &pad in pads {
            let key = key_from_word(word, pad).expect("length checked");
            tried += 1;
            if known.matches_into(&key, &mut body) {
                let found = Some(Found { word: word.to_string(), pad, key });
                return Searched { found, tried, skipped, elapsed: start.elapsed() };
            }
            if tried.is_multiple_of(PROGRESS_EVERY) {
                progress(tried, word);
            }
        }
    }
    Searched { found: None, tried, skipped, elapsed: start.elapsed() }
}

/// How many candidates `words` gives with `pads`: each word of at most 16
/// bytes once per pad (a 16-byte word once).
pub fn candidates<'w>(words: impl IntoIterator<Item = &'w str>, pads: &[Pad]) -> u64 {
    let per_word = pads.len() as u64;
    words
        .into_iter()
        .map(|w| match w.len() {
            n if n < KEY_LEN => per_word,
            KEY_LEN => per_word.min(1),
            _ => 0,
        })
        .sum()
}

/// [`search`], reported to `events` as `task`: a [`Progress`] event at each
/// eighth of the candidates (and a last one, `done = total`, when it stops),
/// then the `search` fact: what was found, how many keys were tried, how fast.
pub fn search_reported(
    events: &Events,
    task: &'static str,
    known: &Known<'_>,
    words: &[&str],
    pads: &[Pad],
) -> Searched {
    let total = candidates(words.iter().copied(), pads);
    let step = (total / 8).max(1);
    let mut next = step;
    let start = Instant::now();
    let searched = search(known, words.iter().copied(), pads, |tried, word| {
        if tried >= next && tried < total {
            next += step;
            let (bar, rate) = (bar(tried, total), tried as f64 / start.elapsed().as_secs_f64().max(1e-9));
            let text = format!("[{bar}] {rate:.0} keys/s, at \"{}\"", word.escape_debug());
            events.emit(Event::Progress(Progress { task, done: tried, total, text }));
        }
    });
    // The last event clears a terminal's bar: the work is done, whether
    // the whole list was needed or not.
    let done = searched.tried;
    let text = if searched.found.is_some() { "found" } else { "none matched" };
    events.emit(Event::Progress(Progress { task, done, total: done, text: text.to_string() }));
    events.emit(Event::Fact(search_fact(&searched, total)));
    searched
}

/// A bar of 16 cells, `done` of `total` filled.
fn bar(done: u64, total: u64) -> String {
    let filled = (done * 16 / total.max(1)) as usize;
    format!("{}{}", "#".repeat(filled), ".".repeat(16 - filled.min(16)))
}

/// The `search` fact: found or not, the counts, the time and the rate.
fn search_fact(s: &Searched, total: u64) -> Fact {
    let (tried, rate) = (s.tried, s.keys_per_second());
    let ms = s.elapsed.as_secs_f64() * 1e3;
    let cost = format!("  tried {tried} of {total} keys in {}: {rate:.0} keys/s", duration(s.elapsed));
    let (value, text) = match &s.found {
        Some(f) => (
            json!({
                "found": true, "word": f.word, "pad": f.pad.name(), "key": hex::encode(f.key),
                "tried": tried, "total": total, "skipped": s.skipped,
                "ms": ms, "keys_per_second": rate,
            }),
            format!(
                "  found \"{}\", padded with {}\n  key   {} ({})\n{cost}",
                f.word.escape_debug(),
                f.pad.words(),
                hex::encode(f.key),
                spelled(f)
            ),
        ),
        None => (
            json!({
                "found": false, "word": null, "pad": null, "key": null,
                "tried": tried, "total": total, "skipped": s.skipped,
                "ms": ms, "keys_per_second": rate,
            }),
            format!("  none of the {tried} keys matched\n{cost}"),
        ),
    };
    Fact { name: "search", value, text }
}

/// A found key spelled out: `"magic" + 11 × '#'`, `"zebra" + 11 × 0x00`.
fn spelled(f: &Found) -> String {
    let word = f.word.escape_debug();
    let n = KEY_LEN - f.word.len();
    let pad = match f.pad {
        Pad::Hash | Pad::Space => format!("'{}'", char::from(f.pad.byte())),
        Pad::Nul => "0x00".to_string(),
    };
    if n == 0 { format!("\"{word}\"") } else { format!("\"{word}\" + {n} × {pad}") }
}

/// A duration for a person: milliseconds under a second, else seconds.
fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 { format!("{:.1} ms", s * 1e3) } else { format!("{s:.2} s") }
}

/// How long an exhaustive search of AES-128 takes at a rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Keys per second.
    pub rate: f64,
    /// Expected seconds: 2^127 tries (half the keys, on average) at `rate`.
    pub seconds: f64,
    /// The same in years.
    pub years: f64,
    /// The same in ages of the universe ([`UNIVERSE_YEARS`]).
    pub universes: f64,
}

/// The expected time to find a random 128-bit key at `rate` keys per second.
pub fn reach(rate: f64) -> Reach {
    let seconds = 2f64.powi(127) / rate;
    let years = seconds / SECONDS_PER_YEAR;
    Reach { rate, seconds, years, universes: years / UNIVERSE_YEARS }
}

/// The word list as lines.
pub fn word_list() -> Vec<&'static str> {
    WORDS.lines().collect()
}

/// A word list that is not one: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WordsError {
    /// A byte sequence that is not UTF-8.
    #[error("line {line} is not UTF-8 text")]
    NotUtf8 {
        /// Its line, from 1.
        line: usize,
    },
    /// A zero byte: a binary file.
    #[error("line {line} contains a NUL byte")]
    Nul {
        /// Its line, from 1.
        line: usize,
    },
}

impl WordsError {
    /// What to try.
    pub fn hint(&self) -> &'static str {
        match self {
            WordsError::NotUtf8 { .. } => {
                "give a text file, one word per line, in UTF-8 (convert with `iconv -f latin1 -t utf-8`)"
            }
            WordsError::Nul { .. } => "give a text file, one word per line: this looks like a binary file",
        }
    }
}

/// The words of a word list: its lines, without `\r\n` or `\n`, empty lines
/// left out. Refuses text that is not UTF-8 or holds a NUL byte, naming the
/// first line that does.
pub fn parse_words(bytes: &[u8]) -> Result<Vec<&str>, WordsError> {
    let line_of = |at: usize| 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    let bad_utf8 = std::str::from_utf8(bytes).err().map(|e| e.valid_up_to());
    let nul = bytes.iter().position(|&b| b == 0);
    match (nul, bad_utf8) {
        (Some(n), Some(u)) if n < u => return Err(WordsError::Nul { line: line_of(n) }),
        (_, Some(u)) => return Err(WordsError::NotUtf8 { line: line_of(u) }),
        (Some(n), None) => return Err(WordsError::Nul { line: line_of(n) }),
        (None, None) => {}
    }
    let text = std::str::from_utf8(bytes).expect("checked above");
    Ok(text.lines().filter(|w| !w.is_empty()).collect())
}

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "key-search",
    about: "A key made from a dictionary word, found from one known plaintext; a random key is out of reach",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo key-search` (none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {}

/// One victim: the key it chose and what the attacker captured. The word
/// victim's key is its own, made from a word the seed picks; the random
/// victim's is the demo key ([`DemoCtx::keys`], random, from the same seed).
/// The attack reads only `body`.
#[derive(Debug, Clone)]
pub struct Victim {
    /// The word the key was made from, if it was (the first victim).
    pub word: Option<&'static str>,
    /// The key.
    pub key: [u8; KEY_LEN],
    /// The captured cbc body: IV ‖ ciphertext of [`PLAINTEXT`].
    pub body: Vec<u8>,
}

impl Victim {
    /// The IV part of the body.
    pub fn iv(&self) -> &[u8] {
        &self.body[..Suite::Cbc.iv_len()]
    }

    /// The ciphertext part of the body.
    pub fn ciphertext(&self) -> &[u8] {
        &self.body[Suite::Cbc.iv_len()..]
    }
}

/// The first victim: a word drawn from `words` by the seed, padded with
/// `#`; [`PLAINTEXT`] sealed in cbc with an IV from the seed.
pub fn word_victim(ctx: &mut DemoCtx, words: &[&'static str]) -> Victim {
    let word = words[ctx.rng.random_range(0..words.len())];
    let key = key_from_word(word, Pad::Hash).expect("the list's words fit");
    Victim { word: Some(word), key, body: seal(ctx, &key) }
}

/// The second victim: the demo keys' random AES-128 key.
pub fn random_victim(ctx: &mut DemoCtx) -> Victim {
    let key: [u8; KEY_LEN] = ctx.keys.enc[..].try_into().expect("the demo keys are AES-128");
    Victim { word: None, key, body: seal(ctx, &key) }
}

fn seal(ctx: &mut DemoCtx, key: &[u8; KEY_LEN]) -> Vec<u8> {
    let cipher = Cipher::new(Suite::Cbc, key, None).expect("an AES-128 key");
    cipher.seal(&[], PLAINTEXT.as_bytes(), &mut ctx.rng)
}

/// What the attacker knows about `victim`.
fn known(victim: &Victim) -> Known<'_> {
    Known::new(Suite::Cbc, PLAINTEXT.as_bytes(), victim.ciphertext(), victim.iv())
        .expect("a cbc body of PLAINTEXT")
}

/// Whether the key found opens the victim's body to exactly the plaintext:
/// checked here, where the plaintext is known, with the suite's own open.
fn opens(victim: &Victim, found: Option<&Found>) -> Option<Vec<u8>> {
    let found = found?;
    let cipher = Cipher::new(Suite::Cbc, &found.key, None).ok()?;
    cipher.open(&[], &victim.body).ok()
}

/// The two verdicts' texts.
fn word_verdict(ctx: &DemoCtx, searched: &Searched, opened: Option<&[u8]>) {
    let subject = "word key";
    let worked = opened == Some(PLAINTEXT.as_bytes());
    let text = match (&searched.found, worked) {
        (Some(f), true) => {
            format!("{subject}: \"{}\", found in {} tries, decrypts exactly", f.word, searched.tried)
        }
        (Some(f), false) => format!("{subject}: \"{}\" matched, but does not decrypt the message", f.word),
        (None, _) => format!("{subject}: none of the {} keys matched", searched.tried),
    };
    ctx.verdict(DEMO.name, subject, super::broken_if(worked), text);
}

fn random_verdict(ctx: &DemoCtx, searched: &Searched, opened: Option<&[u8]>) {
    let subject = "random key";
    let worked = opened == Some(PLAINTEXT.as_bytes());
    let text = match &searched.found {
        Some(f) if worked => format!("{subject}: \"{}\" decrypts it (a one-in-2^128 accident)", f.word),
        Some(f) => format!("{subject}: \"{}\" matched, but does not decrypt the message", f.word),
        None => format!("{subject}: none of the {} word keys matched", searched.tried),
    };
    ctx.verdict(DEMO.name, subject, super::broken_if(worked), text);
}

/// The ratio `2^bits` for a count of keys, as a power of two with one decimal.
fn log2(n: u64) -> String {
    format!("2^{:.1}", (n.max(1) as f64).log2())
}

/// Narrates the demo: the word key found and checked; the random key not
/// found; the arithmetic of 2^128.
pub fn narrate(ctx: &mut DemoCtx, _opts: &Options) -> Result<(), DemoError> {
    ctx.announce_keys();
    ctx.title("Demo: key search — a key made from a word falls to a dictionary");
    let words = word_list();
    let victim = word_victim(ctx, &words);
    let word = victim.word.unwrap_or_default();
    ctx.step("1. The victim makes its AES-128 key from a word, padded with # to 16 bytes:");
    ctx.say(format!("   the word \"{word}\" gives the key \"{}\".", victim.key.escape_ascii()));
    ctx.say(
        "   It encrypts a message in cbc with a random IV. The attacker captures IV and\n   \
         ciphertext (they travel together) and knows, or guesses, the plaintext:",
    );
    let pt = PLAINTEXT.as_bytes();
    ctx.dump(
        Dump::new(format!("known plaintext, {} bytes", pt.len()), pt)
            .spans(layout::plaintext_spans(pt.len(), pt.len())),
    );
    ctx.dump(Dump::new("captured cbc body: iv ‖ ciphertext", &victim.body).spans(layout::body_spans(
        Suite::Cbc,
        0,
        victim.body.len(),
    )));

    ctx.step("2. The attacker tries every word of the list, padded with # to 16 bytes.");
    ctx.say(format!(
        "   {} words ({WORDS_ORIGIN}).\n   \
         The first block decides: the right key K gives E_K(P_0 ⊕ IV) = C_0, so a\n   \
         candidate costs one key schedule and one AES block; only one that passes\n   \
         is checked on the whole message.",
        words.len()
    ));
    let known_word = known(&victim);
    let searched = search_reported(ctx.events(), DEMO.name, &known_word, &words, &[Pad::Hash]);

    ctx.step("3. Verify: the key found decrypts the captured body.");
    let opened = opens(&victim, searched.found.as_ref());
    if let Some(text) = &opened {
        ctx.say(format!(
            "   decrypted: \"{}\"  ({} the plaintext)",
            text.escape_ascii(),
            if text == pt { "exactly" } else { "not" }
        ));
    }
    word_verdict(ctx, &searched, opened.as_deref());

    ctx.step("4. A second victim's key is random: the demo key above, 128 random bits.");
    let strong = random_victim(ctx);
    ctx.say("   The same message, a fresh IV, and the same search:");
    let known_random = known(&strong);
    let missed = search_reported(ctx.events(), DEMO.name, &known_random, &words, &[Pad::Hash]);
    let opened = opens(&strong, missed.found.as_ref());
    random_verdict(ctx, &missed, opened.as_deref());

    ctx.step("5. Why a random key is out of reach: count the keys.");
    let rate = missed.keys_per_second();
    let (here, cluster) = (reach(rate), reach(CLUSTER_RATE));
    ctx.fact(
        "keyspace",
        json!({
            "list": missed.tried, "keys": 2f64.powi(128), "expected_tries": 2f64.powi(127),
            "measured_keys_per_second": rate, "measured_years": here.years,
            "cluster_keys_per_second": CLUSTER_RATE, "cluster_years": cluster.years,
            "universe_years": UNIVERSE_YEARS,
        }),
        format!(
            "   The list is {} ≈ {} keys. A random AES-128 key is one of\n   \
             2^128 ≈ {:.1e}; a search finds it, on average, after half: 2^127 ≈ {:.1e}.\n     \
             at {rate:.0} keys/s (measured above): {:.1e} years\n     \
             at 10^12 keys/s (a generous cluster): {:.1e} years\n   \
             The universe is {UNIVERSE_YEARS:.2e} years old: that is {:.1e} times its age.",
            missed.tried,
            log2(missed.tried),
            2f64.powi(128),
            2f64.powi(127),
            here.years,
            cluster.years,
            cluster.universes,
        ),
    );
    ctx.say(
        "   Fix: make keys with a CSPRNG (cryptolab keygen). A password that must\n   \
         become a key goes through a slow, salted KDF (PBKDF2, scrypt, Argon2), so\n   \
         every guess costs far more than one AES block.",
    );
    Ok(())
}

/// The tour's version: the word key found, the random key not; no rates
/// (they differ every run), so the same seed prints the same lines.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let words = word_list();
    let cluster = reach(CLUSTER_RATE);
    ctx.say(format!(
        "{}: try each of {} words as an AES-128 key (padded with #); a random\n  \
         key is one of 2^128 ≈ {:.1e}: {:.1e} years at 10^12 keys/s.",
        DEMO.name,
        words.len(),
        2f64.powi(128),
        cluster.years
    ));
    let victim = word_victim(ctx, &words);
    let searched = search(&known(&victim), words.iter().copied(), &[Pad::Hash], |_, _| {});
    let opened = opens(&victim, searched.found.as_ref());
    word_verdict(ctx, &searched, opened.as_deref());
    let strong = random_victim(ctx);
    let missed = search(&known(&strong), words.iter().copied(), &[Pad::Hash], |_, _| {});
    let opened = opens(&strong, missed.found.as_ref());
    random_verdict(ctx, &missed, opened.as_deref());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_probe_is_each_modes_first_block() {
        let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(7);
        for suite in [Suite::Ecb, Suite::Cbc, Suite::Ctr, Suite::Cfb, Suite::Ofb] {
            for len in [1, 15, 16, 17, 40] {
                let mut key = [0u8; KEY_LEN];
                rng.fill_bytes(&mut key);
                let pt: Vec<u8> = (0..len as u8).collect();
                let cipher = Cipher::new(suite, &key, None).unwrap();
                let body = cipher.seal(&[], &pt, &mut rng);
                let (iv, ct) = body.split_at(suite.iv_len());
                let known = Known::new(suite, &pt, ct, iv).unwrap();
                assert!(known.probe().passes(&Aes128Enc::new(&key.into())), "{suite}, {len} bytes");
                assert!(known.matches(&key), "{suite}, {len} bytes");
                key[0] ^= 1;
                assert!(!known.matches(&key), "{suite}, {len} bytes: a wrong key");
            }
        }
    }

    #[test]
    fn keys_are_the_word_then_the_pad_byte() {
        assert_eq!(&key_from_word("secret", Pad::Hash).unwrap(), b"secret##########");
        assert_eq!(&key_from_word("ab", Pad::Space).unwrap(), b"ab              ");
        assert_eq!(key_from_word("ab", Pad::Nul).unwrap()[2..], [0u8; 14]);
        assert_eq!(&key_from_word("sixteen-letters!", Pad::Nul).unwrap(), b"sixteen-letters!");
        assert_eq!(key_from_word("seventeen-letters", Pad::Hash), None);
    }

    #[test]
    fn the_shipped_list_is_sixteen_lower_case_letters_at_most() {
        let words = word_list();
        assert_eq!(words.len(), 63779);
        assert!(
            words
                .iter()
                .all(|w| (1..=KEY_LEN).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()))
        );
        assert_eq!(parse_words(WORDS.as_bytes()).unwrap(), words);
    }

    #[test]
    fn a_word_list_that_is_not_text_names_its_line() {
        assert_eq!(parse_words(b"one\r\ntwo\n\nthree"), Ok(vec!["one", "two", "three"]));
        assert_eq!(parse_words(b"one\ntwo\n\xff\n"), Err(WordsError::NotUtf8 { line: 3 }));
        assert_eq!(parse_words(b"one\nt\x00wo\n\xff"), Err(WordsError::Nul { line: 2 }));
        assert_eq!(parse_words(b"\xffone\n\x00"), Err(WordsError::NotUtf8 { line: 1 }));
    }

    #[test]
    fn pad_all_tries_a_sixteen_byte_word_once() {
        let all = &Pad::ALL[..];
        assert_eq!(candidates(["a", "sixteen-letters!", "seventeen-letters"], all), 4);
    }

    #[test]
    fn a_random_key_is_out_of_reach() {
        let r = reach(CLUSTER_RATE);
        assert!((r.years / 5.39e18 - 1.0).abs() < 0.01, "{}", r.years);
        assert!(r.universes > 3.8e8 && r.universes < 4.0e8, "{}", r.universes);
    }
}
