//! CTR — Counter mode: AES turned into a keystream, no padding, no integrity.
//!
//! Standard: NIST SP 800-38A §6.5. AES encrypts a counter; the output is a
//! keystream that is XORed with the message. The first counter block `T_0`
//! is the 16-byte IV that starts the body (openssl's `-iv`); each next block
//! adds one, as one big-endian 128-bit integer (wrapping at 2^128), exactly
//! as `openssl enc -aes-128-ctr` counts:
//!
//! ```text
//! T_i = T_0 + i  (mod 2^128)
//! C_i = P_i ⊕ E_K(T_i)          P_i = C_i ⊕ E_K(T_i)
//!
//!     T_0          T_0+1        T_0+2
//!      │            │            │
//!    [E_K]        [E_K]        [E_K]
//!      │            │            │
//! P_0 ─(⊕)    P_1 ─(⊕)    P_2 ─(⊕)       (the last block may be short:
//!      │            │            │         only its bytes are XORed)
//!     C_0          C_1          C_2
//! ```
//!
//! Encryption and decryption are the same operation, only `E_K` is ever used,
//! every block can be computed in parallel, and the ciphertext is exactly as
//! long as the message: there is no padding, so no padding oracle. It is the
//! mode inside GCM ([`super::gcm`]), which adds the tag CTR lacks.
//!
//! # Hazmat — INSECURE without a MAC
//! - **No integrity, and perfectly malleable.** `P = C ⊕ keystream`:
//!   flipping bit *j* of ciphertext byte *n* flips bit *j* of plaintext byte
//!   *n* — exactly that bit, nothing garbled, nothing to notice
//!   (`cryptolab demo bitflip` shows it beside cbc).
//! - **A repeated counter block is fatal.** Two messages under the same key
//!   and IV share their keystream: `C ⊕ C' = P ⊕ P'`, so one known message
//!   reveals the other, and both leak to simple statistics (the two-time
//!   pad). Overlapping counter ranges do the same. cryptolab draws every IV
//!   from a CSPRNG; `encrypt --iv` exists only to reproduce vectors and
//!   openssl, and says INSECURE.
//!
//! Use it only under a MAC, or use an AEAD (`gcm`).
//!
//! # Example (SP 800-38A F.5.1, CTR-AES128.Encrypt, first block)
//! ```text
//! key  2b7e151628aed2a6abf7158809cf4f3c
//! T_0  f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
//! P_0  6bc1bee22e409f96e93d7e117393172a
//! C_0  874d6191b620e3261bef6864990db6ce
//! ```
//!
//! This module wraps the RustCrypto `ctr` crate (`Ctr128BE`'s core).

use aes::cipher::consts::U16;
use aes::cipher::inout::InOutBuf;
use aes::cipher::{BlockCipherEncrypt, InnerIvInit, StreamCipherCore};
use ctr::CtrCore;
use ctr::flavors::Ctr128BE;

/// The initial counter block's length: one AES block.
pub const IV_LEN: usize = 16;

/// XORs `input` with the keystream that starts at counter block `iv`, into
/// `out` (same length). Encrypts and decrypts alike.
pub fn apply<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    iv: &[u8; IV_LEN],
    input: &[u8],
    out: &mut [u8],
) {
    let buf = InOutBuf::new(input, out).expect("output sized like the input");
    // A 128-bit counter never runs out: it wraps, as openssl's does.
    CtrCore::<&C, Ctr128BE>::inner_iv_init(aes, &(*iv).into()).apply_keystream_partial(buf);
}
