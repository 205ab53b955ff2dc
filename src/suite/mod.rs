//! The four cipher suites — how AES is put together into something you can
//! send, and which of those compositions survive an attacker.
//!
//! | suite      | body on the wire    | secrecy | integrity | standard                        |
//! |------------|---------------------|---------|-----------|---------------------------------|
//! | `ecb`      | `ct`                | leaks patterns | none | SP 800-38A §6.1 — INSECURE      |
//! | `cbc`      | `iv ‖ ct`           | yes     | none      | SP 800-38A §6.2 — INSECURE alone |
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
//! the unauthenticated suites report [`SuiteError::BadPadding`] on its own —
//! the signal the padding-oracle lab exploits — while the authenticated suites
//! fail with one coarse [`SuiteError::Rejected`], whatever went wrong.
//!
//! The modes themselves, each a page to read: [`ecb`], [`cbc`], [`cbc_hmac`],
//! [`gcm`], and the padding they share, [`pkcs7`].

pub mod cbc;
pub mod cbc_hmac;
pub mod ecb;
pub mod gcm;
pub mod layout;
pub mod pkcs7;

use std::fmt;

use aes::cipher::KeyInit;
use aes::{Aes128, Aes192, Aes256};
use rand::CryptoRng;

use self::cbc_hmac::HmacSha256;
use self::gcm::Gcm;
use self::pkcs7::padded_len;

/// A cipher suite: the mode of operation and how the message is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Suite {
    /// AES-ECB with PKCS#7 — INSECURE: equal blocks encrypt equally, no integrity.
    Ecb,
    /// AES-CBC with a random IV and PKCS#7 — INSECURE alone: no integrity.
    Cbc,
    /// AES-CBC then HMAC-SHA256 over header‖IV‖ciphertext (encrypt-then-MAC).
    #[value(name = "cbc-hmac")]
    CbcHmac,
    /// AES-GCM with a fresh 96-bit nonce per message (AEAD).
    Gcm,
}

impl Suite {
    /// Every suite, weakest first.
    pub const ALL: [Suite; 4] = [Suite::Ecb, Suite::Cbc, Suite::CbcHmac, Suite::Gcm];

    /// The name used on the command line and in output.
    pub const fn name(self) -> &'static str {
        match self {
            Suite::Ecb => "ecb",
            Suite::Cbc => "cbc",
            Suite::CbcHmac => "cbc-hmac",
            Suite::Gcm => "gcm",
        }
    }

    /// Whether tampering with a message is detected.
    pub const fn is_authenticated(self) -> bool {
        matches!(self, Suite::CbcHmac | Suite::Gcm)
    }

    /// For the weak suites, the one-line reason they are INSECURE.
    pub const fn insecure_reason(self) -> Option<&'static str> {
        match self {
            Suite::Ecb => {
                Some("ecb encrypts equal blocks to equal ciphertext (patterns leak) and detects no tampering")
            }
            Suite::Cbc => Some("cbc without a MAC detects no tampering: bits can be flipped, padding probed"),
            Suite::CbcHmac | Suite::Gcm => None,
        }
    }

    /// Length of the IV (cbc, cbc-hmac) or nonce (gcm) that starts the body.
    pub const fn iv_len(self) -> usize {
        match self {
            Suite::Ecb => 0,
            Suite::Cbc | Suite::CbcHmac => cbc::IV_LEN,
            Suite::Gcm => gcm::NONCE_LEN,
        }
    }

    /// Length of the authentication tag that ends the body.
    pub const fn tag_len(self) -> usize {
        match self {
            Suite::Ecb | Suite::Cbc => 0,
            Suite::CbcHmac => cbc_hmac::TAG_LEN,
            Suite::Gcm => gcm::TAG_LEN,
        }
    }

    /// Whether the ciphertext is padded to whole 16-byte blocks (all but gcm).
    pub const fn is_padded(self) -> bool {
        !matches!(self, Suite::Gcm)
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
            .ok_or_else(|| format!("unknown suite '{s}' (expected ecb, cbc, cbc-hmac or gcm)"))
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
}

/// The per-suite keyed state.
enum Engine {
    Ecb(Aes),
    Cbc(Aes),
    CbcHmac(Aes, HmacSha256),
    Gcm(Gcm),
}

/// A suite with its keys expanded, ready to seal and open message bodies.
///
/// `aad` (associated data) is authenticated but not encrypted by `cbc-hmac`
/// and `gcm`, and ignored by `ecb` and `cbc` — which is the point: in those
/// two nothing binds a message to its header or its place in the stream.
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
    /// fixed or repeated CBC IV shows which messages are equal; a repeated GCM
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
