//! OFB — Output Feedback mode: AES fed its own output, a keystream that
//! does not depend on the message. No padding, no integrity.
//!
//! Standard: NIST SP 800-38A §6.4. The IV is encrypted, the result encrypted
//! again, and so on; these output blocks are the keystream, XORed with the
//! message:
//!
//! ```text
//! O_0 = E_K(IV)       O_i = E_K(O_{i−1})
//! C_i = P_i ⊕ O_i     P_i = C_i ⊕ O_i
//!
//!  IV ──▶[E_K]──┬──▶[E_K]──┬──▶[E_K]──┐
//!               │ O_0      │ O_1      │ O_2
//!       P_0 ──▶(⊕)  P_1 ──▶(⊕)  P_2 ──▶(⊕)     (the last block may be
//!               │          │          │         short: only its bytes
//!              C_0        C_1        C_2        are XORed)
//! ```
//!
//! Encryption and decryption are the same operation and use only `E_K`. The
//! keystream can be computed before the message is known, but only serially
//! (each `O_i` waits for the one before), and the ciphertext is exactly as
//! long as the message: no padding, so no padding oracle.
//!
//! # Hazmat — INSECURE without a MAC
//! - **No integrity, and perfectly malleable.** Flipping bit *j* of
//!   ciphertext byte *n* flips bit *j* of plaintext byte *n*, and nothing
//!   else: the keystream never sees the ciphertext, so an error does not
//!   spread (good for a noisy line, bad against an attacker).
//! - **A repeated IV is fatal.** The same key and IV give the same keystream:
//!   `C ⊕ C' = P ⊕ P'`, the two-time pad. cryptolab draws every IV from a
//!   CSPRNG; `encrypt --iv` exists only to reproduce vectors and openssl.
//!
//! Use it only under a MAC, or use an AEAD (`gcm`).
//!
//! # Example (SP 800-38A F.4.1, OFB-AES128.Encrypt, first block)
//! ```text
//! key  2b7e151628aed2a6abf7158809cf4f3c
//! IV   000102030405060708090a0b0c0d0e0f
//! P_0  6bc1bee22e409f96e93d7e117393172a
//! C_0  3b3fd92eb72dad20333449f8e83cfb4a
//! ```
//! (`C_0` equals CFB's: for the first block both are `P_0 ⊕ E_K(IV)`; from
//! `C_1` on they differ.)
//!
//! This module wraps the RustCrypto `ofb` crate (`OfbCore`).

use aes::cipher::consts::U16;
use aes::cipher::inout::InOutBuf;
use aes::cipher::{BlockCipherEncrypt, InnerIvInit, StreamCipherCore};
use ofb::OfbCore;

/// The IV length: one AES block.
pub const IV_LEN: usize = 16;

/// XORs `input` with the keystream that starts from `iv`, into `out` (same
/// length). Encrypts and decrypts alike.
pub fn apply<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    input: &[u8],
    out: &mut [u8],
) {
    let buf = InOutBuf::new(input, out).expect("output sized like the input");
    OfbCore::<&C>::inner_iv_init(aes, &(*iv).into()).apply_keystream_partial(buf);
}
