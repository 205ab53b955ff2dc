//! Length extension: from SHA-256(secret ‖ message) alone, the hash of
//! secret ‖ message ‖ glue ‖ anything — without the secret.
//!
//! **Why it works.** SHA-256 (FIPS 180-4) is a Merkle–Damgård hash: it pads
//! the message (§5.1.1: a `1` bit, zeros, the length in bits as 64 bits) to
//! whole 64-byte blocks and runs a compression function over them, block
//! after block, from a fixed starting state. The digest *is* the state after
//! the last block. So whoever has a digest can set the state to it and keep
//! compressing more blocks, as if the hash had never stopped: the result is
//! the hash of the original message, its padding (the *glue*), and the new
//! blocks. A MAC built as SHA-256(secret ‖ message) therefore lets anyone
//! append to a signed message and sign the result.
//!
//! **The attack** ([`extend`]): the glue is the padding the hash added to
//! secret ‖ message, which needs only their length (the secret's length is
//! guessed: try each). Set the state from the digest, compress the suffix
//! and the padding of the whole new length with the `sha2` crate's own
//! compression function ([`sha2::block_api::compress256`]: nothing of
//! SHA-256 is written here), and read the new digest.
//!
//! **What stops it.** HMAC (RFC 2104): H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m)). The
//! outer hash takes the inner digest as a fresh message, so extending the
//! inner hash gives nothing the outer one accepts. SHA-3 and SHA-512/256
//! are not extendable either.

/// SHA-256's block size.
const BLOCK: usize = 64;

/// The padding SHA-256 appends to a message of `len` bytes (FIPS 180-4
/// §5.1.1): `80`, zeros, then the length in bits as a 64-bit big-endian
/// number, to a multiple of 64 bytes.
pub fn md_padding(len: usize) -> Vec<u8> {
    let mut pad = vec![0x80];
    while (len + pad.len()) % BLOCK != BLOCK - 8 {
        pad.push(0);
    }
    pad.extend_from_slice(&((len as u64) * 8).to_be_bytes());
    pad
}

/// A forged message and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extended {
    /// `message ‖ glue ‖ suffix`: what to send.
    pub message: Vec<u8>,
    /// SHA-256(secret ‖ that message), computed without the secret.
    pub digest: [u8; 32],
}

/// From `digest` = SHA-256(secret ‖ `message`) with a secret of
/// `secret_len` bytes, the message `message ‖ glue ‖ suffix` and its
/// digest.
pub fn extend(digest: &[u8; 32], secret_len: usize, message: &[u8], suffix: &[u8]) -> Extended {
    // The state is the digest, read as eight big-endian words.
    let mut state = [0u32; 8];
    for (word, bytes) in state.iter_mut().zip(digest.chunks_exact(4)) {
        *word = u32::from_be_bytes(bytes.try_into().expect("4 bytes"));
    }
    let glue = md_padding(secret_len + message.len());
    let hashed = secret_len + message.len() + glue.len();
    // The suffix, padded as the end of a message of hashed + suffix bytes.
    let mut tail = suffix.to_vec();
    tail.extend(md_padding(hashed + suffix.len()));
    let blocks: Vec<[u8; BLOCK]> =
        tail.chunks_exact(BLOCK).map(|b| b.try_into().expect("whole blocks")).collect();
    sha2::block_api::compress256(&mut state, &blocks);
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    let mut forged = message.to_vec();
    forged.extend(glue);
    forged.extend_from_slice(suffix);
    Extended { message: forged, digest: out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};
    use sha2::{Digest, Sha256};

    #[test]
    fn the_padding_is_fips_180_4s() {
        // "abc": 80, 52 zeros, then 24 bits.
        let p = md_padding(3);
        assert_eq!(p.len(), 61);
        assert_eq!(p[0], 0x80);
        assert_eq!(&p[53..], &24u64.to_be_bytes());
        for len in 0..200 {
            assert_eq!((len + md_padding(len).len()) % 64, 0);
        }
    }

    #[test]
    fn an_extended_digest_is_the_real_hash_of_the_forged_message() {
        for secret_len in [0, 1, 16, 55, 56, 64, 100] {
            let secret = vec![0x5a; secret_len];
            let message = b"user=bob";
            let digest: [u8; 32] = Sha256::digest([&secret[..], message].concat()).into();
            let e = extend(&digest, secret_len, message, b";admin=true");
            let real: [u8; 32] = Sha256::digest([&secret[..], &e.message].concat()).into();
            assert_eq!(e.digest, real, "secret of {secret_len}");
            assert!(e.message.ends_with(b";admin=true"));
        }
    }

    #[test]
    fn hmac_refuses_the_same_trick() {
        let secret = [7u8; 16];
        let mac = |m: &[u8]| -> [u8; 32] {
            let mut h = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&secret).unwrap();
            h.update(m);
            h.finalize().into_bytes().into()
        };
        let tag = mac(b"user=bob");
        let e = extend(&tag, 16, b"user=bob", b";admin=true");
        assert_ne!(e.digest, mac(&e.message));
    }
}
