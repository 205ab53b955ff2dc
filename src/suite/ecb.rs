//! ECB — Electronic Codebook mode, the one not to use.
//!
//! Standard: NIST SP 800-38A §6.1. Every 16-byte block is encrypted on its own
//! with the same key:
//!
//! ```text
//! C_i = E_K(P_i)            P_i = D_K(C_i)
//!
//!   P_0        P_1        P_2
//!    │          │          │
//!  [E_K]      [E_K]      [E_K]
//!    │          │          │
//!   C_0        C_1        C_2
//! ```
//!
//! # Hazmat — INSECURE
//! Equal plaintext blocks give equal ciphertext blocks, so the *shape* of the
//! data shows through (`cryptolab demo ecb-image`; the renderer flags
//! `ct[3] = ct[0]`). There is no IV, so the same message always encrypts the
//! same way, and nothing detects tampering: blocks can be cut, reordered and
//! replayed. cryptolab offers ECB only to show exactly this.
//!
//! # Example (SP 800-38A F.1.1, AES-128, first block)
//! ```text
//! key  2b7e151628aed2a6abf7158809cf4f3c
//! P_0  6bc1bee22e409f96e93d7e117393172a
//! C_0  3ad77bb40d7a3660a89ecaf32466ef97
//! ```

use aes::Block;
use aes::cipher::common::InnerInit;
use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt};

use super::pkcs7;

/// Encrypts `pt` with PKCS#7 padding into `out`, which must be exactly
/// [`pkcs7::padded_len`]`(pt.len())` bytes. Reads the plaintext and writes the
/// ciphertext in one pass: no intermediate copy.
pub fn encrypt<C: BlockCipherEncrypt<BlockSize = U16>>(aes: &C, pt: &[u8], out: &mut [u8]) {
    let mut mode = ecb::Encryptor::<&C>::inner_init(aes);
    let (whole, tail) = Block::slice_as_chunks(pt);
    let (out_blocks, _) = Block::slice_as_chunks_mut(out);
    let (body, last) = out_blocks.split_at_mut(whole.len());
    mode.encrypt_blocks_b2b(whole, body).expect("output sized by padded_len");
    mode.encrypt_block_b2b(&pkcs7::last_block(tail), &mut last[0]);
}

/// Decrypts whole blocks `ct` into `out` (same length), leaving the padding in
/// place: the caller checks it with [`pkcs7::unpad`].
pub fn decrypt_raw<C: BlockCipherDecrypt<BlockSize = U16>>(aes: &C, ct: &[u8], out: &mut [u8]) {
    let mut mode = ecb::Decryptor::<&C>::inner_init(aes);
    let (blocks, _) = Block::slice_as_chunks(ct);
    let (out_blocks, _) = Block::slice_as_chunks_mut(out);
    mode.decrypt_blocks_b2b(blocks, out_blocks).expect("output sized like the input");
}
