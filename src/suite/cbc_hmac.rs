//! CBC + HMAC-SHA256, encrypt-then-MAC — CBC made safe by authenticating it.
//!
//! Standards: CBC per NIST SP 800-38A §6.2 (see [`super::cbc`]); HMAC per
//! RFC 2104 with SHA-256 (FIPS 180-4), test vectors RFC 4231; the
//! encrypt-then-MAC composition as analysed by Bellare & Namprempre (2000)
//! and used by RFC 7366 for TLS.
//!
//! ```text
//! body = IV ‖ C ‖ T         C = CBC_K1(IV, pad(P))
//!                            T = HMAC-SHA256_K2(A ‖ IV ‖ C)
//! ```
//!
//! `A` is the associated data — in cryptolab's wire protocol the frame header,
//! sequence number included, so a replayed or reordered frame fails the MAC.
//! `A` must have a fixed length in any protocol that uses it (ours: 16 bytes),
//! otherwise bytes could slide between `A` and `IV` without changing the MAC input.
//!
//! Three rules make this composition secure, and each is a lab:
//! 1. **Separate keys**: `K1` encrypts, `K2` authenticates; never the same key.
//! 2. **MAC everything the receiver uses**, the IV included: a MAC over `C`
//!    alone lets an attacker flip bits of the first block through the IV
//!    (`cryptolab demo hmac` runs that flawed variant).
//! 3. **Verify first, in constant time, then decrypt**: the tag is compared
//!    with `subtle`'s constant-time equality (inside [`hmac::Mac::verify_slice`]),
//!    and padding is only looked at after the MAC has passed, so the padding
//!    oracle is gone and any failure is one coarse "message rejected".

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA256 keyed once; cloned per message so the key is not re-hashed.
pub type HmacSha256 = Hmac<Sha256>;

/// The tag length: the full 32-byte HMAC-SHA256 output, not truncated.
pub const TAG_LEN: usize = 32;

/// Keys an HMAC-SHA256 instance. HMAC accepts keys of any length (RFC 2104 §3).
pub fn keyed(mac_key: &[u8]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(mac_key).expect("HMAC takes keys of any length")
}

/// Computes `HMAC(aad ‖ iv_ct)` from a pre-keyed instance.
pub fn tag(mac: &HmacSha256, aad: &[u8], iv_ct: &[u8]) -> [u8; TAG_LEN] {
    let mut m = mac.clone();
    m.update(aad);
    m.update(iv_ct);
    m.finalize().into_bytes().into()
}

/// Checks `tag` against `HMAC(aad ‖ iv_ct)` in constant time.
///
/// `verify_slice` compares with `subtle::ConstantTimeEq`, so the time taken
/// does not depend on how many leading bytes of a forged tag were right —
/// otherwise an attacker could find a valid tag byte by byte by timing.
pub fn verify(mac: &HmacSha256, aad: &[u8], iv_ct: &[u8], tag: &[u8]) -> bool {
    let mut m = mac.clone();
    m.update(aad);
    m.update(iv_ct);
    m.verify_slice(tag).is_ok()
}
