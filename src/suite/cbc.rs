//! CBC — Cipher Block Chaining mode: confidentiality, but no integrity.
//!
//! Standard: NIST SP 800-38A §6.2. Each plaintext block is XORed with the
//! previous ciphertext block (the first with a fresh random IV) before it is
//! encrypted, so equal blocks no longer give equal ciphertext:
//!
//! ```text
//! C_0 = E_K(P_0 ⊕ IV)       C_i = E_K(P_i ⊕ C_{i−1})
//! P_0 = D_K(C_0) ⊕ IV       P_i = D_K(C_i) ⊕ C_{i−1}
//!
//!        P_0          P_1          P_2
//!         │            │            │
//!  IV ──▶(⊕)    ┌────▶(⊕)    ┌────▶(⊕)
//!         │     │      │     │      │
//!       [E_K]   │    [E_K]   │    [E_K]
//!         │     │      │     │      │
//!        C_0 ───┘     C_1 ───┘     C_2
//! ```
//!
//! Encryption is a serial chain (each block waits for the one before), while
//! decryption of all blocks can run in parallel — hence CBC encrypts ~10×
//! slower than it decrypts on AES-NI hardware (`docs/PERFORMANCE.md`).
//!
//! # Hazmat — INSECURE without a MAC
//! The decryption formula is the attack: flipping bit *j* of `C_{i−1}` flips
//! bit *j* of `P_i` (and garbles `P_{i−1}`) — `cryptolab demo bitflip`. A
//! receiver that reports bad padding is a padding oracle —
//! `cryptolab demo padding-oracle`. The IV must be unpredictable and never
//! reused with the same key; a fixed IV makes equal messages look equal.
//! Use it only under a MAC (`cbc-hmac`) or use an AEAD (`gcm`).
//!
//! # Example (SP 800-38A F.2.1, AES-128, first block)
//! ```text
//! key  2b7e151628aed2a6abf7158809cf4f3c
//! IV   000102030405060708090a0b0c0d0e0f
//! P_0  6bc1bee22e409f96e93d7e117393172a
//! C_0  7649abac8119b246cee98e9b12e9197d
//! ```

use aes::Block;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt};
use aes::cipher::{InnerIvInit, consts::U16};

use super::pkcs7;

/// The IV length: one AES block.
pub const IV_LEN: usize = 16;

/// Encrypts `pt` under `iv` with PKCS#7 padding into `out`, which must be
/// exactly [`pkcs7::padded_len`]`(pt.len())` bytes.
pub fn encrypt<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    pt: &[u8],
    out: &mut [u8],
) {
    let mut mode = cbc::Encryptor::<&C>::inner_iv_init(aes, &(*iv).into());
    let (whole, tail) = Block::slice_as_chunks(pt);
    let (out_blocks, _) = Block::slice_as_chunks_mut(out);
    let (body, last) = out_blocks.split_at_mut(whole.len());
    mode.encrypt_blocks_b2b(whole, body).expect("output sized by padded_len");
    // The chain state carries over: the padded last block is chained to the
    // block before it exactly as if it had been encrypted in the same call.
    mode.encrypt_block_b2b(&pkcs7::last_block(tail), &mut last[0]);
}

/// Decrypts whole blocks `ct` under `iv` into `out` (same length), leaving the
/// padding in place: the caller checks it with [`pkcs7::unpad`].
pub fn decrypt_raw<C: BlockCipherDecrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    ct: &[u8],
    out: &mut [u8],
) {
    let mut mode = cbc::Decryptor::<&C>::inner_iv_init(aes, &(*iv).into());
    let (blocks, _) = Block::slice_as_chunks(ct);
    let (out_blocks, _) = Block::slice_as_chunks_mut(out);
    mode.decrypt_blocks_b2b(blocks, out_blocks).expect("output sized like the input");
}
