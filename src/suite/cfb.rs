//! CFB — Cipher Feedback mode (CFB-128): the ciphertext fed back into AES.
//! No padding, no integrity.
//!
//! Standard: NIST SP 800-38A §6.3, with the full 128-bit segment (CFB128,
//! what `openssl enc -aes-128-cfb` means). Each keystream block is the
//! encryption of the previous *ciphertext* block, the IV standing before the
//! first:
//!
//! ```text
//! C_0 = P_0 ⊕ E_K(IV)       C_i = P_i ⊕ E_K(C_{i−1})
//! P_0 = C_0 ⊕ E_K(IV)       P_i = C_i ⊕ E_K(C_{i−1})
//!
//!  IV ──▶[E_K]    ┌──▶[E_K]    ┌──▶[E_K]
//!          │      │     │      │     │
//!  P_0 ──▶(⊕)     │ P_1▶(⊕)    │ P_2▶(⊕)      (the last block may be short:
//!          │      │     │      │     │         only its bytes are XORed)
//!         C_0 ────┘    C_1 ────┘    C_2
//! ```
//!
//! Only `E_K` is used, in both directions. Encryption is a serial chain
//! (like CBC's); decryption can run in parallel, since every `C_{i−1}` is
//! already known. The ciphertext is exactly as long as the message: no
//! padding, so no padding oracle.
//!
//! # Hazmat — INSECURE without a MAC
//! - **No integrity.** Flipping bit *j* of ciphertext byte *n* flips bit *j*
//!   of plaintext byte *n* exactly — the attacker's edit — and, because
//!   that ciphertext block is the next block's keystream input, garbles the
//!   whole *next* 16-byte block (error propagation: one block, then CFB
//!   resynchronises). An attacker who edits the last block pays nothing.
//! - **A repeated IV** gives away `P_0 ⊕ P'_0` (`C_0 ⊕ C'_0`), and how long
//!   two messages' first blocks stay equal. cryptolab draws every IV from a
//!   CSPRNG; `encrypt --iv` exists only to reproduce vectors and openssl.
//!
//! Use it only under a MAC, or use an AEAD (`gcm`).
//!
//! # Example (SP 800-38A F.3.13, CFB128-AES128.Encrypt, first block)
//! ```text
//! key  2b7e151628aed2a6abf7158809cf4f3c
//! IV   000102030405060708090a0b0c0d0e0f
//! P_0  6bc1bee22e409f96e93d7e117393172a
//! C_0  3b3fd92eb72dad20333449f8e83cfb4a
//! ```
//!
//! This module wraps the RustCrypto `cfb-mode` crate.

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncrypt, InnerIvInit};

/// The IV length: one AES block.
pub const IV_LEN: usize = 16;

/// Encrypts `pt` under `iv` into `out` (same length).
pub fn encrypt<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    pt: &[u8],
    out: &mut [u8],
) {
    cfb_mode::Encryptor::<&C>::inner_iv_init(aes, &(*iv).into())
        .encrypt_b2b(pt, out)
        .expect("output sized like the input");
}

/// Decrypts `ct` under `iv` into `out` (same length).
pub fn decrypt<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    ct: &[u8],
    out: &mut [u8],
) {
    cfb_mode::Decryptor::<&C>::inner_iv_init(aes, &(*iv).into())
        .decrypt_b2b(ct, out)
        .expect("output sized like the input");
}
