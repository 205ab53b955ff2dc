//! PKCS#7 padding — how a message of any length becomes whole 16-byte blocks.
//!
//! Standard: RFC 5652 §6.3. ECB and CBC can only encrypt whole blocks, so
//! before encryption the message is extended by `n` bytes, each of value `n`,
//! where `1 ≤ n ≤ 16`. A message that already fills its last block gets a whole
//! extra block of `0x10` bytes, so the padding can always be removed without
//! ambiguity:
//!
//! ```text
//! "YELLOW SUBMARINE"  (16 bytes) → YELLOW SUBMARINE 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10
//! "HELLO"             ( 5 bytes) → HELLO 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b
//! ```
//!
//! # Hazmat
//! [`unpad`] tells a *bad padding* apart from a good one. A receiver that
//! reveals that difference to the sender — by a different error message, a
//! different timing, a closed connection — hands an attacker a *padding
//! oracle*, enough to decrypt every CBC message without the key (see
//! `cryptolab demo padding-oracle`). The authenticated suites therefore check
//! their MAC/tag **before** they ever look at the padding.

use aes::Block;

/// The AES block size in bytes; PKCS#7 here always pads to it.
pub const BLOCK: usize = 16;

/// The padding of a decrypted buffer is not valid PKCS#7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaddingError;

/// Length of `msg_len` bytes once padded: always at least one byte more.
pub const fn padded_len(msg_len: usize) -> usize {
    (msg_len / BLOCK + 1) * BLOCK
}

/// The final block for a message whose trailing partial block is `tail`
/// (0..=15 bytes): `tail` followed by `16 - tail.len()` copies of that number.
///
/// # Panics
/// If `tail` is 16 bytes or longer — callers pass the remainder after whole blocks.
pub fn last_block(tail: &[u8]) -> Block {
    assert!(tail.len() < BLOCK, "tail must be shorter than one block");
    let n = (BLOCK - tail.len()) as u8;
    let mut block = Block::from([n; BLOCK]);
    block[..tail.len()].copy_from_slice(tail);
    block
}

/// Pads `msg` into a new buffer (convenience for teaching and tests).
pub fn pad(msg: &[u8]) -> Vec<u8> {
    let whole = msg.len() / BLOCK * BLOCK;
    let mut out = Vec::with_capacity(padded_len(msg.len()));
    out.extend_from_slice(&msg[..whole]);
    out.extend_from_slice(&last_block(&msg[whole..]));
    out
}

/// Checks the padding of a decrypted buffer and returns the message length.
///
/// Valid means: the buffer is a non-empty whole number of blocks, its last byte
/// `n` is in `1..=16`, and the last `n` bytes all equal `n`.
///
/// The check reads all 16 bytes of the last block the same way whatever `n`
/// is, with no early exit, so its running time does not depend on where the
/// padding goes wrong. That is good hygiene, but it is *not* what stops a
/// padding oracle: an oracle needs only the yes/no answer, and the
/// authenticated suites never give one (they reject before looking here).
pub fn unpad(padded: &[u8]) -> Result<usize, PaddingError> {
    if padded.is_empty() || !padded.len().is_multiple_of(BLOCK) {
        return Err(PaddingError);
    }
    let last = &padded[padded.len() - BLOCK..];
    let n = last[BLOCK - 1];
    let mut bad = u8::from(n == 0) | u8::from(usize::from(n) > BLOCK);
    for (i, &b) in last.iter().enumerate() {
        // Byte i is padding iff it is among the last n bytes.
        let in_pad = u8::from(BLOCK - i <= usize::from(n));
        bad |= in_pad & u8::from(b != n);
    }
    if bad == 0 { Ok(padded.len() - usize::from(n)) } else { Err(PaddingError) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_block_gets_a_whole_block_of_sixteens() {
        let p = pad(b"YELLOW SUBMARINE");
        assert_eq!(p.len(), 32);
        assert!(p[16..].iter().all(|&b| b == 16));
        assert_eq!(unpad(&p), Ok(16));
    }

    #[test]
    fn short_message_is_padded_with_its_count() {
        let p = pad(b"HELLO");
        assert_eq!(&p[..5], b"HELLO");
        assert!(p[5..].iter().all(|&b| b == 11));
        assert_eq!(unpad(&p), Ok(5));
    }

    #[test]
    fn empty_message_is_one_block_of_padding() {
        assert_eq!(pad(b""), vec![16u8; 16]);
    }

    #[test]
    fn zero_pad_byte_is_rejected() {
        let mut p = pad(b"HELLO");
        *p.last_mut().unwrap() = 0;
        assert_eq!(unpad(&p), Err(PaddingError));
    }

    #[test]
    fn pad_byte_over_sixteen_is_rejected() {
        let mut p = pad(b"HELLO");
        *p.last_mut().unwrap() = 17;
        assert_eq!(unpad(&p), Err(PaddingError));
    }

    #[test]
    fn inconsistent_pad_bytes_are_rejected() {
        let mut p = pad(b"HELLO");
        p[10] ^= 1;
        assert_eq!(unpad(&p), Err(PaddingError));
    }

    #[test]
    fn every_pad_length_round_trips_and_every_corrupted_pad_byte_is_caught() {
        for len in 0..48 {
            let msg: Vec<u8> = (0..len as u8).collect();
            let padded = pad(&msg);
            assert_eq!(unpad(&padded), Ok(len), "len {len}");
            let n = padded.len() - len;
            for k in padded.len() - n..padded.len() {
                let mut bad = padded.clone();
                bad[k] ^= 0x40;
                assert_eq!(unpad(&bad), Err(PaddingError), "len {len}, byte {k}");
            }
        }
    }

    #[test]
    fn partial_block_is_rejected() {
        assert_eq!(unpad(&[1u8; 15]), Err(PaddingError));
        assert_eq!(unpad(&[]), Err(PaddingError));
    }
}
