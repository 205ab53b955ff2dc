//! The cipher suites — how AES is put together into something you can
//! send, and which of those compositions survive an attacker.
//!
//! | suite      | body on the wire    | secrecy | integrity | standard                        |
//! |------------|---------------------|---------|-----------|---------------------------------|
//! | `ecb`      | `ct`                | leaks patterns | none | SP 800-38A §6.1 — INSECURE      |
//! | `cbc`      | `iv ‖ ct`           | yes     | none      | SP 800-38A §6.2 — INSECURE alone |
//! | `ctr`      | `iv ‖ ct` (no padding) | yes  | none      | SP 800-38A §6.5 — INSECURE alone |
//! | `cfb`      | `iv ‖ ct` (no padding) | yes  | none      | SP 800-38A §6.3 (CFB-128) — INSECURE alone |
//! | `ofb`      | `iv ‖ ct` (no padding) | yes  | none      | SP 800-38A §6.4 — INSECURE alone |
//! | `cbc-hmac` | `iv ‖ ct ‖ tag(32)` | yes     | HMAC-SHA256 | SP 800-38A + RFC 2104, encrypt-then-MAC |
//! | `gcm`      | `nonce ‖ ct ‖ tag(16)` | yes  | GHASH tag | SP 800-38D                      |
//!
//! One plain enum, [`Suite`], names them; one [`Cipher`] holds the expanded
//! keys for a suite and seals/opens message bodies. Keys are expanded once in
//! [`Cipher::new`] — never per message — and sealing reads the plaintext and
//! writes the body in one pass, so the suites cost what the RustCrypto
//! primitives cost (`benches/suites.rs`).
//!
//! Errors are typed ([`SuiteError`]) and deliberately different in strength:
//! the unauthenticated block suites report [`SuiteError::BadPadding`] on its
//! own — the signal the padding-oracle lab exploits — the unauthenticated
//! stream suites have nothing to check at all (any body of the right minimum
//! length decrypts to *something*), while the authenticated suites fail with
//! one coarse [`SuiteError::Rejected`], whatever went wrong.
//!
//! The modes themselves, each a page to read: [`ecb`], [`cbc`], the stream
//! modes [`ctr`], [`cfb`], [`ofb`], then [`cbc_hmac`], [`gcm`], and the
//! padding the block modes share, [`pkcs7`]. Every fact cryptolab states
//! about a suite is one row of the table behind [`Suite::spec`]. The receivers the attack
//! demos break — named, INSECURE where they leak — are in [`victims`].

pub mod cbc;
pub mod cbc_hmac;
pub mod cfb;
pub mod ctr;
pub mod ecb;
pub mod gcm;
pub mod layout;
pub mod ofb;
pub mod pkcs7;
pub mod victims;

use std::fmt;

use aes::cipher::KeyInit;
use aes::{Aes128, Aes192, Aes256};
use rand::CryptoRng;

use self::cbc_hmac::HmacSha256;
use self::gcm::Gcm;
use self::pkcs7::padded_len;

/// A cipher suite: the mode of operation and how the message is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// AES-ECB with PKCS#7 — INSECURE: equal blocks encrypt equally, no integrity.
    Ecb,
    /// AES-CBC with a random IV and PKCS#7 — INSECURE alone: no integrity.
    Cbc,
    /// AES-CTR, a random initial counter block, no padding — INSECURE alone: no integrity.
    Ctr,
    /// AES-CFB-128, a random IV, no padding — INSECURE alone: no integrity.
    Cfb,
    /// AES-OFB, a random IV, no padding — INSECURE alone: no integrity.
    Ofb,
    /// AES-CBC then HMAC-SHA256 over header‖IV‖ciphertext (encrypt-then-MAC).
    CbcHmac,
    /// AES-GCM with a fresh 96-bit nonce per message (AEAD).
    Gcm,
}

/// How an attacker who can change ciphertext controls one plaintext byte —
/// the fact the bit-flipping demo and the error-propagation map are built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Not byte by byte: any change garbles the whole 16-byte block (ecb).
    Garbles,
    /// Through the byte sixteen before it: `P_i = D_K(C_i) ⊕ C_{i−1}`, and
    /// the IV stands before block 0 (cbc).
    PreviousBlock,
    /// Through the ciphertext byte at the same position: `P = C ⊕ keystream`
    /// (a stream mode; gcm's CTR inside).
    SameByte,
}

/// What else one flipped ciphertext bit destroys, besides the plaintext bit
/// it controls ([`Control`]) — SP 800-38A's "error propagation", and what
/// the receiver of a tampered message sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Garbles {
    /// Nothing: the keystream never depends on the ciphertext (ctr, ofb;
    /// gcm's CTR inside).
    Nothing,
    /// The 16-byte plaintext block at the flipped byte's own position: it
    /// went through `D_K` (ecb, cbc).
    ThisBlock,
    /// The next 16-byte plaintext block: the flipped ciphertext block is the
    /// next block's keystream input (cfb).
    NextBlock,
}

/// Whether a suite encrypts whole blocks or XORs a keystream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Whole 16-byte blocks, so the message is padded (PKCS#7).
    Block,
    /// A keystream XORed byte by byte: ciphertext as long as the message.
    Stream,
}

/// Everything cryptolab says about one suite, in one place: every
/// predicate, label, hint, wire code and error text is derived from this
/// row, so a new suite is one new row (and its module).
#[derive(Debug)]
pub struct SuiteSpec {
    /// The name on the command line and in output.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The byte that names it in a native frame header.
    pub code: u8,
    /// Length of the IV or nonce that starts the body (0: none).
    pub iv_len: usize,
    /// What that field is called (`iv`, `nonce`).
    pub iv_label: &'static str,
    /// Length of the tag that ends the body (0: none).
    pub tag_len: usize,
    /// What the tag is (`HMAC-SHA256`, `GCM tag`).
    pub tag_label: &'static str,
    /// Block or stream.
    pub shape: Shape,
    /// Whether any change to the body (or its associated data) is detected.
    pub authenticated: bool,
    /// For the weak suites, the one-line reason they are INSECURE.
    pub insecure: Option<&'static str>,
    /// How a plaintext byte is controlled by an attacker.
    pub control: Control,
    /// What else a flipped ciphertext bit garbles.
    pub garbles: Garbles,
    /// What the tag covers, in words (for the authenticated suites).
    pub covers: &'static str,
    /// What reusing an IV or nonce under one key gives away.
    pub reuse: &'static str,
    /// The standard it follows.
    pub standard: &'static str,
    /// What the suite does with a message, in a sentence or two (the tour).
    pub explain: &'static str,
}

/// The table: one row per suite, weakest first.
const ECB: SuiteSpec = SuiteSpec {
    name: "ecb",
    about: "AES-ECB with PKCS#7 — INSECURE: equal blocks encrypt equally, no integrity",
    code: 1,
    iv_len: 0,
    iv_label: "",
    tag_len: 0,
    tag_label: "",
    shape: Shape::Block,
    authenticated: false,
    insecure: Some("ecb encrypts equal blocks to equal ciphertext (patterns leak) and detects no tampering"),
    control: Control::Garbles,
    garbles: Garbles::ThisBlock,
    covers: "",
    reuse: "no IV at all: every message with the same blocks looks the same",
    standard: "SP 800-38A §6.1",
    explain: "ct[1] = ct[0]: ECB encrypts equal blocks to equal ciphertext, so anyone can see \
              which parts of a message repeat — without the key.",
};
const CBC: SuiteSpec = SuiteSpec {
    name: "cbc",
    about: "AES-CBC with a random IV and PKCS#7 — INSECURE alone: no integrity",
    code: 2,
    iv_len: cbc::IV_LEN,
    iv_label: "iv",
    tag_len: 0,
    tag_label: "",
    shape: Shape::Block,
    authenticated: false,
    insecure: Some("cbc without a MAC detects no tampering: bits can be flipped, padding probed"),
    control: Control::PreviousBlock,
    garbles: Garbles::ThisBlock,
    covers: "",
    reuse: "a repeated IV shows which messages start with the same blocks",
    standard: "SP 800-38A §6.2",
    explain: "A fresh random iv starts the chain C_i = E_K(P_i ⊕ C_{i−1}): the repeated block is \
              hidden, and sealing again gives different bytes. But nothing detects tampering.",
};
const CTR: SuiteSpec = SuiteSpec {
    name: "ctr",
    about: "AES-CTR, a random initial counter block, no padding — INSECURE alone: no integrity",
    code: 5,
    iv_len: ctr::IV_LEN,
    // openssl's `-iv`; in CTR it is the first counter block, T_0.
    iv_label: "iv",
    tag_len: 0,
    tag_label: "",
    shape: Shape::Stream,
    authenticated: false,
    insecure: Some(
        "ctr without a MAC detects no tampering: a flipped ciphertext bit flips that plaintext bit",
    ),
    control: Control::SameByte,
    garbles: Garbles::Nothing,
    covers: "",
    reuse: "a repeated IV repeats the keystream, so C ⊕ C' = P ⊕ P' (fatal)",
    standard: "SP 800-38A §6.5",
    explain: "The iv is the first counter block T_0; AES encrypts T_0, T_0+1, … into a keystream \
              XORed with the message: no padding, ct as long as the message. Nothing detects tampering.",
};
const CFB: SuiteSpec = SuiteSpec {
    name: "cfb",
    about: "AES-CFB-128, a random IV, no padding — INSECURE alone: no integrity",
    code: 6,
    iv_len: cfb::IV_LEN,
    iv_label: "iv",
    tag_len: 0,
    tag_label: "",
    shape: Shape::Stream,
    authenticated: false,
    insecure: Some(
        "cfb without a MAC detects no tampering: a flipped ciphertext bit flips that plaintext bit (and garbles the next block)",
    ),
    control: Control::SameByte,
    garbles: Garbles::NextBlock,
    covers: "",
    reuse: "a repeated IV gives away P_0 ⊕ P'_0 and where two messages start to differ",
    standard: "SP 800-38A §6.3",
    explain: "C_i = P_i ⊕ E_K(C_{i−1}), the iv before C_0: the ciphertext is fed back as the next \
              keystream input. No padding, ct as long as the message. Nothing detects tampering.",
};
const OFB: SuiteSpec = SuiteSpec {
    name: "ofb",
    about: "AES-OFB, a random IV, no padding — INSECURE alone: no integrity",
    code: 7,
    iv_len: ofb::IV_LEN,
    iv_label: "iv",
    tag_len: 0,
    tag_label: "",
    shape: Shape::Stream,
    authenticated: false,
    insecure: Some(
        "ofb without a MAC detects no tampering: a flipped ciphertext bit flips that plaintext bit",
    ),
    control: Control::SameByte,
    garbles: Garbles::Nothing,
    covers: "",
    reuse: "a repeated IV repeats the keystream, so C ⊕ C' = P ⊕ P' (fatal)",
    standard: "SP 800-38A §6.4",
    explain: "O_i = E_K(O_{i−1}), O_{−1} = iv: AES fed its own output is a keystream XORed with the \
              message. No padding, ct as long as the message. Nothing detects tampering.",
};
const CBC_HMAC: SuiteSpec = SuiteSpec {
    name: "cbc-hmac",
    about: "AES-CBC, then HMAC-SHA256 over any associated data ‖ IV ‖ ciphertext (encrypt-then-MAC)",
    code: 3,
    iv_len: cbc::IV_LEN,
    iv_label: "iv",
    tag_len: cbc_hmac::TAG_LEN,
    tag_label: "HMAC-SHA256",
    shape: Shape::Block,
    authenticated: true,
    insecure: None,
    control: Control::PreviousBlock,
    garbles: Garbles::ThisBlock,
    covers: "the HMAC covers IV ‖ ciphertext",
    reuse: "a repeated IV shows which messages start with the same blocks",
    standard: "RFC 2104",
    explain: "The CBC body plus a 32-byte HMAC-SHA256 tag over iv‖ct, made with a separate MAC key.",
};
const GCM: SuiteSpec = SuiteSpec {
    name: "gcm",
    about: "AES-GCM with a fresh 96-bit nonce per message (AEAD)",
    code: 4,
    iv_len: gcm::NONCE_LEN,
    iv_label: "nonce",
    tag_len: gcm::TAG_LEN,
    tag_label: "GCM tag",
    shape: Shape::Stream,
    authenticated: true,
    insecure: None,
    control: Control::SameByte,
    garbles: Garbles::Nothing,
    covers: "the GCM tag covers the ciphertext",
    reuse: "reusing one breaks GCM completely",
    standard: "SP 800-38D",
    explain: "A 12-byte nonce, CTR-mode ciphertext (no padding) and a 16-byte GHASH tag.",
};

impl SuiteSpec {
    /// Whether the ciphertext is padded to whole blocks.
    pub const fn padded(&self) -> bool {
        matches!(self.shape, Shape::Block)
    }

    /// The body's fields in order, as `encrypt --help` and the docs name
    /// them: `ct`, `iv‖ct`, `nonce‖ct‖tag`.
    pub fn body_layout(&self) -> String {
        let iv = (self.iv_len > 0).then_some(self.iv_label);
        let tag = (self.tag_len > 0).then_some("tag");
        [iv, Some("ct"), tag].into_iter().flatten().collect::<Vec<_>>().join("‖")
    }

    /// Whether a receiver could tell bad padding from a bad message at all:
    /// padded and not authenticated (the MAC is checked before the padding).
    pub const fn has_padding_oracle(&self) -> bool {
        self.padded() && !self.authenticated
    }

    /// Whether a caller may fix the IV (`encrypt --iv`, to reproduce
    /// `openssl enc` and published vectors): only an unauthenticated suite
    /// that has one. INSECURE, and said so where it is used.
    pub const fn fixed_iv_allowed(&self) -> bool {
        self.iv_len > 0 && !self.authenticated
    }

    /// Why `--iv` is refused for this suite, when it is.
    pub fn fixed_iv_refusal(&self) -> String {
        if self.iv_len == 0 {
            format!("{} has no IV", self.name)
        } else {
            format!("{} draws a fresh {} per message: {}; drop --iv", self.name, self.iv_label, self.reuse)
        }
    }

    /// What one flipped ciphertext bit does to what the receiver reads, in
    /// a few words (the tour's mode table): derived from
    /// [`SuiteSpec::authenticated`], [`SuiteSpec::control`] and
    /// [`SuiteSpec::garbles`].
    pub fn flip_effect(&self) -> String {
        if self.authenticated {
            return format!("rejected: the {} fails", self.tag_label);
        }
        let flips = match self.control {
            Control::Garbles => None,
            Control::PreviousBlock => Some("flips the bit in the next"),
            Control::SameByte => Some("flips that bit"),
        };
        let garbles = match self.garbles {
            Garbles::Nothing => None,
            Garbles::ThisBlock => Some("garbles its block"),
            Garbles::NextBlock => Some("garbles the next block"),
        };
        match (flips, garbles) {
            (None, None) => "changes nothing".to_string(),
            (None, Some(g)) => g.to_string(),
            (Some(f), None) => format!("{f}, nothing else"),
            // cbc: the flipped block itself is garbled first, then the next one is edited.
            (Some(f), Some(g)) if self.garbles == Garbles::ThisBlock => format!("{g}, {f}"),
            (Some(f), Some(g)) => format!("{f}, {g}"),
        }
    }

    /// The body offset of the ciphertext byte that controls plaintext byte
    /// `j` (`None` where no single byte does, or `j` is in block 0 of ecb).
    pub const fn controlling_byte(&self, j: usize) -> Option<usize> {
        match self.control {
            Control::Garbles => None,
            Control::PreviousBlock => (self.iv_len + j).checked_sub(pkcs7::BLOCK),
            Control::SameByte => Some(self.iv_len + j),
        }
    }
}

impl Suite {
    /// Every suite, weakest first.
    pub const ALL: [Suite; 7] =
        [Suite::Ecb, Suite::Cbc, Suite::Ctr, Suite::Cfb, Suite::Ofb, Suite::CbcHmac, Suite::Gcm];

    /// This suite's row of the table.
    pub const fn spec(self) -> &'static SuiteSpec {
        match self {
            Suite::Ecb => &ECB,
            Suite::Cbc => &CBC,
            Suite::Ctr => &CTR,
            Suite::Cfb => &CFB,
            Suite::Ofb => &OFB,
            Suite::CbcHmac => &CBC_HMAC,
            Suite::Gcm => &GCM,
        }
    }

    /// The name used on the command line and in output.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// The suite whose wire byte is `code`.
    pub fn from_code(code: u8) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.spec().code == code)
    }

    /// The wire codes in words, in code order, for error messages (`1 ecb, 2 cbc, …`).
    pub fn code_list() -> String {
        let mut all = Suite::ALL;
        all.sort_by_key(|s| s.spec().code);
        all.iter().map(|s| format!("{} {}", s.spec().code, s.name())).collect::<Vec<_>>().join(", ")
    }

    /// The names in words, for error messages (`ecb, cbc, ctr, …, cbc-hmac or gcm`).
    pub fn name_list() -> String {
        let names: Vec<&str> = Suite::ALL.iter().map(|s| s.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }

    /// Whether tampering with a message is detected.
    pub const fn is_authenticated(self) -> bool {
        self.spec().authenticated
    }

    /// For the weak suites, the one-line reason they are INSECURE.
    pub const fn insecure_reason(self) -> Option<&'static str> {
        self.spec().insecure
    }

    /// Length of the IV (cbc, ctr, cfb, ofb, cbc-hmac) or nonce (gcm) that starts the body.
    pub const fn iv_len(self) -> usize {
        self.spec().iv_len
    }

    /// Length of the authentication tag that ends the body.
    pub const fn tag_len(self) -> usize {
        self.spec().tag_len
    }

    /// Whether the ciphertext is padded to whole 16-byte blocks.
    pub const fn is_padded(self) -> bool {
        self.spec().padded()
    }

    /// Length of the ciphertext part of a body for a `msg_len`-byte message.
    pub const fn ct_len(self, msg_len: usize) -> usize {
        if self.is_padded() { padded_len(msg_len) } else { msg_len }
    }

    /// Length of the sealed body for a `msg_len`-byte message.
    pub const fn body_len(self, msg_len: usize) -> usize {
        self.iv_len() + self.ct_len(msg_len) + self.tag_len()
    }

    /// The shortest body this suite can produce (that of an empty message).
    pub const fn min_body_len(self) -> usize {
        self.body_len(0)
    }
}

/// In JSON a suite is its table name (`"cbc-hmac"`), like everywhere else.
impl serde::Serialize for Suite {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Suite {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Suite::ALL
            .into_iter()
            .find(|suite| suite.name() == s)
            .ok_or_else(|| format!("unknown suite '{s}' (expected {})", Suite::name_list()))
    }
}

/// Why a body could not be opened (or a cipher not built).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// The AES key is not 16, 24 or 32 bytes.
    #[error("AES key is {len} bytes; expected 16, 24 or 32 (AES-128, -192, -256)")]
    KeyLength {
        /// The length given.
        len: usize,
    },
    /// `cbc-hmac` was asked for without a MAC key.
    #[error("cbc-hmac needs a separate MAC key, and none was given")]
    MissingMacKey,
    /// The IV/nonce passed to [`Cipher::seal_with_iv`] has the wrong length.
    #[error("{suite} takes a {expected}-byte IV/nonce; got {len} bytes")]
    IvLength {
        /// The suite.
        suite: Suite,
        /// The length it needs.
        expected: usize,
        /// The length given.
        len: usize,
    },
    /// The body is shorter than the suite's fixed parts allow.
    #[error("{suite} message is {len} bytes; the shortest possible is {min}")]
    TooShort {
        /// The suite.
        suite: Suite,
        /// The length received.
        len: usize,
        /// The length of an empty message's body.
        min: usize,
    },
    /// ECB/CBC ciphertext is not a whole number of 16-byte blocks.
    #[error("{suite} ciphertext is {len} bytes, not a multiple of the 16-byte AES block")]
    NotBlockAligned {
        /// The suite.
        suite: Suite,
        /// The ciphertext length.
        len: usize,
    },
    /// Decryption produced invalid PKCS#7 padding (ecb and cbc only: this
    /// distinct error is exactly what a padding oracle leaks).
    #[error("bad padding: the decrypted last block does not end in valid PKCS#7 padding")]
    BadPadding,
    /// An authenticated suite refused the message: the tag did not verify.
    /// Deliberately says no more than that.
    #[error("message rejected: wrong key or tampered frame")]
    Rejected,
}

impl SuiteError {
    /// The second line of the user-facing message: what to try.
    pub fn hint(&self) -> &'static str {
        match self {
            SuiteError::KeyLength { .. } => "use a 16-, 24- or 32-byte AES key",
            SuiteError::MissingMacKey => {
                "pass --mac-key HEX (or text:…), or use a key file with a `mac` line (`cryptolab keygen` writes one)"
            }
            SuiteError::IvLength { .. } => "give the IV as 32 hex digits (16 bytes)",
            SuiteError::TooShort { .. } => {
                "the input may be truncated, or in another encoding (try --format hex or base64)"
            }
            SuiteError::NotBlockAligned { .. } => {
                "ecb/cbc ciphertext is whole 16-byte blocks: check --format and that the input is complete"
            }
            SuiteError::BadPadding => "wrong key, wrong IV or wrong mode — or the ciphertext was modified",
            SuiteError::Rejected => {
                "check the key (compare fingerprints) and the mode; the message may have been modified"
            }
        }
    }
}

/// The AES block cipher, keyed once, for each key size.
pub enum Aes {
    /// AES-128.
    A128(Aes128),
    /// AES-192.
    A192(Aes192),
    /// AES-256.
    A256(Aes256),
}

/// Runs `$body` with `$c` bound to the concrete AES type inside an [`Aes`].
macro_rules! with_aes {
    ($aes:expr, $c:ident => $body:expr) => {
        match $aes {
            Aes::A128($c) => $body,
            Aes::A192($c) => $body,
            Aes::A256($c) => $body,
        }
    };
}

impl Aes {
    /// Expands `key` (16, 24 or 32 bytes) into round keys.
    pub fn new(key: &[u8]) -> Result<Self, SuiteError> {
        let err = || SuiteError::KeyLength { len: key.len() };
        Ok(match key.len() {
            16 => Aes::A128(Aes128::new_from_slice(key).map_err(|_| err())?),
            24 => Aes::A192(Aes192::new_from_slice(key).map_err(|_| err())?),
            32 => Aes::A256(Aes256::new_from_slice(key).map_err(|_| err())?),
            _ => return Err(err()),
        })
    }

    /// The key size in bits.
    pub const fn bits(&self) -> u16 {
        match self {
            Aes::A128(_) => 128,
            Aes::A192(_) => 192,
            Aes::A256(_) => 256,
        }
    }

    /// ECB-encrypts `pt` with padding into `out` (see [`ecb::encrypt`]).
    pub fn ecb_encrypt(&self, pt: &[u8], out: &mut [u8]) {
        with_aes!(self, c => ecb::encrypt(c, pt, out))
    }

    /// ECB-decrypts whole blocks, padding left in place.
    pub fn ecb_decrypt_raw(&self, ct: &[u8], out: &mut [u8]) {
        with_aes!(self, c => ecb::decrypt_raw(c, ct, out))
    }

    /// CBC-encrypts `pt` with padding into `out` (see [`cbc::encrypt`]).
    pub fn cbc_encrypt(&self, iv: &[u8; 16], pt: &[u8], out: &mut [u8]) {
        with_aes!(self, c => cbc::encrypt(c, iv, pt, out))
    }

    /// CBC-decrypts whole blocks, padding left in place.
    pub fn cbc_decrypt_raw(&self, iv: &[u8; 16], ct: &[u8], out: &mut [u8]) {
        with_aes!(self, c => cbc::decrypt_raw(c, iv, ct, out))
    }

    /// CTR: XORs `input` with the keystream from counter block `iv` into
    /// `out` (same length); encrypts and decrypts (see [`ctr::apply`]).
    pub fn ctr_apply(&self, iv: &[u8; 16], input: &[u8], out: &mut [u8]) {
        with_aes!(self, c => ctr::apply(c, iv, input, out))
    }

    /// CFB-128-encrypts `pt` into `out` (same length; see [`cfb::encrypt`]).
    pub fn cfb_encrypt(&self, iv: &[u8; 16], pt: &[u8], out: &mut [u8]) {
        with_aes!(self, c => cfb::encrypt(c, iv, pt, out))
    }

    /// CFB-128-decrypts `ct` into `out` (same length).
    pub fn cfb_decrypt(&self, iv: &[u8; 16], ct: &[u8], out: &mut [u8]) {
        with_aes!(self, c => cfb::decrypt(c, iv, ct, out))
    }

    /// OFB: XORs `input` with the keystream from `iv` into `out` (same
    /// length); encrypts and decrypts (see [`ofb::apply`]).
    pub fn ofb_apply(&self, iv: &[u8; 16], input: &[u8], out: &mut [u8]) {
        with_aes!(self, c => ofb::apply(c, iv, input, out))
    }
}

/// The per-suite keyed state.
enum Engine {
    Ecb(Aes),
    Cbc(Aes),
    Ctr(Aes),
    Cfb(Aes),
    Ofb(Aes),
    CbcHmac(Aes, HmacSha256),
    Gcm(Gcm),
}

/// A suite with its keys expanded, ready to seal and open message bodies.
///
/// `aad` (associated data) is authenticated but not encrypted by `cbc-hmac`
/// and `gcm`, and ignored by the unauthenticated suites (`ecb`, `cbc`,
/// `ctr`, `cfb`, `ofb`) — which is the point: in those nothing binds a
/// message to its header or its place in the stream.
pub struct Cipher {
    suite: Suite,
    bits: u16,
    engine: Engine,
}

impl Cipher {
    /// Keys `suite` with an AES key (16/24/32 bytes) and, for `cbc-hmac`, a
    /// separate MAC key (ignored by the other suites).
    pub fn new(suite: Suite, enc_key: &[u8], mac_key: Option<&[u8]>) -> Result<Self, SuiteError> {
        let engine = match suite {
            Suite::Ecb => Engine::Ecb(Aes::new(enc_key)?),
            Suite::Cbc => Engine::Cbc(Aes::new(enc_key)?),
            Suite::Ctr => Engine::Ctr(Aes::new(enc_key)?),
            Suite::Cfb => Engine::Cfb(Aes::new(enc_key)?),
            Suite::Ofb => Engine::Ofb(Aes::new(enc_key)?),
            Suite::CbcHmac => {
                let mac = mac_key.filter(|k| !k.is_empty()).ok_or(SuiteError::MissingMacKey)?;
                Engine::CbcHmac(Aes::new(enc_key)?, cbc_hmac::keyed(mac))
            }
            Suite::Gcm => Engine::Gcm(Gcm::new(enc_key).ok_or(SuiteError::KeyLength { len: enc_key.len() })?),
        };
        Ok(Cipher { suite, bits: (enc_key.len() * 8) as u16, engine })
    }

    /// The suite.
    pub const fn suite(&self) -> Suite {
        self.suite
    }

    /// The AES key size in bits.
    pub const fn bits(&self) -> u16 {
        self.bits
    }

    /// Seals `pt` into `out` (resized to the body length; its old contents are
    /// overwritten, so a reused buffer costs no allocation) with a fresh random
    /// IV/nonce from `rng`.
    pub fn seal_into<R: CryptoRng + ?Sized>(&self, aad: &[u8], pt: &[u8], rng: &mut R, out: &mut Vec<u8>) {
        self.seal_into_at(aad, pt, rng, out, 0)
    }

    /// Like [`Cipher::seal_into`], but writes the body after the first `at`
    /// bytes of `out`, which are kept — so a frame header and its body can be
    /// built in one buffer with no copy.
    pub fn seal_into_at<R: CryptoRng + ?Sized>(
        &self,
        aad: &[u8],
        pt: &[u8],
        rng: &mut R,
        out: &mut Vec<u8>,
        at: usize,
    ) {
        let mut iv = [0u8; cbc::IV_LEN];
        let iv = &mut iv[..self.suite.iv_len()];
        rng.fill_bytes(iv);
        self.seal_at(aad, pt, iv, out, at).expect("IV drawn at the suite's length");
    }

    /// Seals `pt` with a fresh random IV/nonce and returns the body.
    pub fn seal<R: CryptoRng + ?Sized>(&self, aad: &[u8], pt: &[u8], rng: &mut R) -> Vec<u8> {
        let mut out = Vec::new();
        self.seal_into(aad, pt, rng, &mut out);
        out
    }

    /// Seals with a caller-chosen IV/nonce (`iv.len()` must be
    /// [`Suite::iv_len`]: 0 for ecb).
    ///
    /// # Hazmat
    /// For reproducing published vectors and `openssl enc` output only. A
    /// fixed or repeated CBC IV shows which messages are equal; a repeated
    /// CTR or OFB IV repeats the keystream (two-time pad); a repeated GCM
    /// nonce destroys GCM's security. Normal code calls [`Cipher::seal_into`].
    pub fn seal_with_iv(
        &self,
        aad: &[u8],
        pt: &[u8],
        iv: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SuiteError> {
        self.seal_at(aad, pt, iv, out, 0)
    }

    fn seal_at(
        &self,
        aad: &[u8],
        pt: &[u8],
        iv: &[u8],
        out: &mut Vec<u8>,
        at: usize,
    ) -> Result<(), SuiteError> {
        let suite = self.suite;
        if iv.len() != suite.iv_len() {
            return Err(SuiteError::IvLength { suite, expected: suite.iv_len(), len: iv.len() });
        }
        out.resize(at + suite.body_len(pt.len()), 0);
        let body = &mut out[at..];
        let (iv_out, rest) = body.split_at_mut(iv.len());
        iv_out.copy_from_slice(iv);
        let ct_end = suite.ct_len(pt.len());
        match &self.engine {
            Engine::Ecb(aes) => aes.ecb_encrypt(pt, rest),
            Engine::Cbc(aes) => aes.cbc_encrypt(as_block(iv), pt, rest),
            Engine::Ctr(aes) => aes.ctr_apply(as_block(iv), pt, rest),
            Engine::Cfb(aes) => aes.cfb_encrypt(as_block(iv), pt, rest),
            Engine::Ofb(aes) => aes.ofb_apply(as_block(iv), pt, rest),
            Engine::CbcHmac(aes, mac) => {
                aes.cbc_encrypt(as_block(iv), pt, &mut rest[..ct_end]);
                let (iv_ct, tag) = body.split_at_mut(iv.len() + ct_end);
                tag.copy_from_slice(&cbc_hmac::tag(mac, aad, iv_ct));
            }
            Engine::Gcm(g) => {
                let (ct, tag_out) = rest.split_at_mut(ct_end);
                let tag = g.seal(as_nonce(iv), aad, pt, ct);
                tag_out.copy_from_slice(&tag);
            }
        }
        Ok(())
    }

    /// Checks the body's shape before any cryptography runs: lengths are
    /// public, so these errors may be specific.
    fn check_shape(&self, body: &[u8]) -> Result<(), SuiteError> {
        let suite = self.suite;
        let min = suite.min_body_len();
        if body.len() < min {
            return Err(SuiteError::TooShort { suite, len: body.len(), min });
        }
        let ct_len = body.len() - suite.iv_len() - suite.tag_len();
        if suite.is_padded() && !ct_len.is_multiple_of(pkcs7::BLOCK) {
            return Err(SuiteError::NotBlockAligned { suite, len: ct_len });
        }
        Ok(())
    }

    /// Opens `body` into `out` (resized; old contents overwritten) and returns
    /// the message length. For the padded suites `out` keeps the padding
    /// after the message — `out[len..]` — so it can be shown; callers that
    /// only want the message truncate to `len`.
    pub fn open_into(&self, aad: &[u8], body: &[u8], out: &mut Vec<u8>) -> Result<usize, SuiteError> {
        self.check_shape(body)?;
        let suite = self.suite;
        let (iv, rest) = body.split_at(suite.iv_len());
        let (ct, tag) = rest.split_at(rest.len() - suite.tag_len());
        out.resize(ct.len(), 0);
        match &self.engine {
            Engine::Ecb(aes) => {
                aes.ecb_decrypt_raw(ct, out);
                pkcs7::unpad(out).map_err(|_| SuiteError::BadPadding)
            }
            Engine::Cbc(aes) => {
                aes.cbc_decrypt_raw(as_block(iv), ct, out);
                pkcs7::unpad(out).map_err(|_| SuiteError::BadPadding)
            }
            // The stream modes have nothing to check: every ciphertext of
            // every length decrypts to *something* — the lesson.
            Engine::Ctr(aes) => {
                aes.ctr_apply(as_block(iv), ct, out);
                Ok(ct.len())
            }
            Engine::Cfb(aes) => {
                aes.cfb_decrypt(as_block(iv), ct, out);
                Ok(ct.len())
            }
            Engine::Ofb(aes) => {
                aes.ofb_apply(as_block(iv), ct, out);
                Ok(ct.len())
            }
            Engine::CbcHmac(aes, mac) => {
                // Verify first: nothing about the plaintext or its padding is
                // computed until the MAC has passed.
                if !cbc_hmac::verify(mac, aad, &body[..body.len() - tag.len()], tag) {
                    return Err(SuiteError::Rejected);
                }
                aes.cbc_decrypt_raw(as_block(iv), ct, out);
                pkcs7::unpad(out).map_err(|_| SuiteError::Rejected)
            }
            Engine::Gcm(g) => {
                let tag: &[u8; gcm::TAG_LEN] = tag.try_into().expect("split at TAG_LEN");
                if g.open(as_nonce(iv), aad, ct, tag, out) { Ok(ct.len()) } else { Err(SuiteError::Rejected) }
            }
        }
    }

    /// Opens `body` and returns just the message.
    pub fn open(&self, aad: &[u8], body: &[u8]) -> Result<Vec<u8>, SuiteError> {
        let mut out = Vec::new();
        let len = self.open_into(aad, body, &mut out)?;
        out.truncate(len);
        Ok(out)
    }
}

fn as_block(iv: &[u8]) -> &[u8; cbc::IV_LEN] {
    iv.try_into().expect("IV length checked against the suite")
}

fn as_nonce(iv: &[u8]) -> &[u8; gcm::NONCE_LEN] {
    iv.try_into().expect("nonce length checked against the suite")
}
