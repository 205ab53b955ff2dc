//! AES-GCM — Galois/Counter Mode, authenticated encryption in one primitive.
//!
//! Standard: NIST SP 800-38D. Counter mode for secrecy plus a GHASH
//! polynomial MAC over the associated data and the ciphertext:
//!
//! ```text
//! body = N ‖ C ‖ T          (N: 96-bit nonce, T: 128-bit tag)
//! J_0 = N ‖ 0^31 ‖ 1
//! C_i = P_i ⊕ E_K(J_0 + 1 + i)                        (CTR: no padding)
//! T   = E_K(J_0) ⊕ GHASH_H(A, C),  H = E_K(0^128)
//! ```
//!
//! No padding exists, so there is no padding oracle; any change to `A`, `N`,
//! `C` or `T` makes the tag check fail (constant-time, inside `aes-gcm`) and
//! nothing is decrypted.
//!
//! # Hazmat
//! **Never reuse a nonce with the same key.** Two messages under one nonce
//! leak `P ⊕ P'` and let an attacker recover `H` and forge tags for ever.
//! cryptolab draws every nonce fresh from a CSPRNG (96 random bits); by the
//! birthday bound that is safe for about 2^32 messages per key (SP 800-38D
//! §8.3), far beyond any lab session.
//!
//! This module wraps the RustCrypto `aes-gcm` crate over the three AES key sizes.

use aes::cipher::consts::U12;
use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, AesGcm, KeyInit, Tag};

/// The nonce length: 96 bits, the size SP 800-38D recommends.
pub const NONCE_LEN: usize = 12;
/// The tag length: the full 128 bits.
pub const TAG_LEN: usize = 16;

/// A keyed AES-GCM instance for one of the three AES key sizes.
pub enum Gcm {
    /// AES-128-GCM.
    A128(AesGcm<Aes128, U12>),
    /// AES-192-GCM.
    A192(AesGcm<Aes192, U12>),
    /// AES-256-GCM.
    A256(AesGcm<Aes256, U12>),
}

macro_rules! with_gcm {
    ($gcm:expr, $g:ident => $body:expr) => {
        match $gcm {
            Gcm::A128($g) => $body,
            Gcm::A192($g) => $body,
            Gcm::A256($g) => $body,
        }
    };
}

impl Gcm {
    /// Keys GCM (computes `H` once); `None` unless `key` is 16, 24 or 32 bytes.
    pub fn new(key: &[u8]) -> Option<Self> {
        Some(match key.len() {
            16 => Gcm::A128(AesGcm::new_from_slice(key).ok()?),
            24 => Gcm::A192(AesGcm::new_from_slice(key).ok()?),
            32 => Gcm::A256(AesGcm::new_from_slice(key).ok()?),
            _ => return None,
        })
    }

    /// Encrypts `pt` into `ct_out` (same length) and returns the tag.
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], pt: &[u8], ct_out: &mut [u8]) -> [u8; TAG_LEN] {
        let buf = InOutBuf::new(pt, ct_out).expect("output sized like the input");
        let tag = with_gcm!(self, g => g.encrypt_inout_detached(&(*nonce).into(), aad, buf))
            .expect("message within GCM's 2^36-byte limit");
        tag.into()
    }

    /// Checks the tag and, only if it is right, decrypts `ct` into `pt_out`.
    /// Returns `false` (and leaves `pt_out` unspecified) when the tag is wrong.
    pub fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ct: &[u8],
        tag: &[u8; TAG_LEN],
        pt_out: &mut [u8],
    ) -> bool {
        let Ok(buf) = InOutBuf::new(ct, pt_out) else {
            return false;
        };
        let tag = Tag::from(*tag);
        with_gcm!(self, g => g.decrypt_inout_detached(&(*nonce).into(), aad, buf, &tag)).is_ok()
    }
}
