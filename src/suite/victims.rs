//! The victims: what a receiver built on a suite tells whoever sends it
//! bytes. INSECURE where it says so — these are the receivers the attack
//! demos break, named here so that no attack (and not the tour) carries its
//! own copy of one.
//!
//! An attack ([`crate::attacks`]) only ever sees the answer: a `bool` per
//! forged message. The key stays inside the [`Cipher`] the victim holds.
//!
//! | victim | says | what it gives away |
//! |---|---|---|
//! | [`padding_check`] | "bad padding" apart from every other failure | INSECURE: a padding oracle — the whole cbc plaintext (Vaudenay, 2002) |
//! | [`accepts`] | only accepted / rejected | with a MAC checked first, nothing: every forgery is rejected alike |
//! | [`fixed_iv_sender`] | every message under one IV or nonce, the one it was built with | INSECURE: in a stream suite, one keystream for all — the XOR of any two plaintexts, and with enough messages all of them (the two-time pad) |
//! | [`predictable_iv_oracle`] | the ciphertext of any plaintext it is asked to send, under an IV known in advance ([`chained_iv`]) | INSECURE: in cbc, whether a guessed block is the secret (Bard, 2004; BEAST) |
//!
//! The same leak over a socket is `cryptolab serve --leak-padding-errors`
//! ([`crate::net::server`]); its attacker's side is [`crate::net::oracle`].

use super::{Cipher, Suite, SuiteError};

/// INSECURE, on purpose: a receiver that opens `body` and reports whether
/// the padding was valid — `false` exactly when it failed with
/// [`SuiteError::BadPadding`], `true` for success and for every other
/// failure. This one bit per message is the padding oracle: it decrypts any
/// cbc message for an attacker, byte by byte.
///
/// Only the unauthenticated padded suites (ecb, cbc) can give the signal
/// ([`super::SuiteSpec::has_padding_oracle`]); the authenticated ones check
/// the tag first and never reach the padding.
pub fn padding_check(cipher: &Cipher, body: &[u8]) -> bool {
    !matches!(cipher.open(&[], body), Err(SuiteError::BadPadding))
}

/// A receiver that reports only whether `body` was accepted. Against
/// cbc-hmac a forged IV or block fails the MAC before the padding is looked
/// at, so every forgery gets the same `false`: no oracle.
pub fn accepts(cipher: &Cipher, body: &[u8]) -> bool {
    cipher.open(&[], body).is_ok()
}

/// The IV a chaining sender ([`predictable_iv_oracle`]) uses for its next
/// message: the last `iv_len` bytes of the ciphertext it sent before (the
/// block before the tag, if the body has one). Public knowledge — anyone
/// who saw that message knows it, before the next one is even written.
pub fn chained_iv(suite: Suite, previous_body: &[u8]) -> &[u8] {
    let end = previous_body.len().saturating_sub(suite.tag_len());
    &previous_body[end.saturating_sub(suite.iv_len())..end]
}

/// INSECURE, on purpose: a sender whose next IV anyone can predict. It
/// chains its IVs — each message's IV is the last ciphertext block of the
/// message before ([`chained_iv`]), as SSL 3.0 and TLS 1.0 did across the
/// records of a connection — and it encrypts whatever it is asked to (in
/// BEAST, a script in the victim's browser makes it send chosen bytes): an
/// encryption oracle. `first_iv` starts the chain; the closure seals each
/// plaintext it is given and returns the body.
///
/// In cbc that lets an attacker test a guess of an earlier block (Bard,
/// 2004; Duong and Rizzo's BEAST, CVE-2011-3389): see
/// [`crate::attacks::predictable_iv`]. TLS 1.1 (RFC 4346) fixed it with a
/// fresh, unpredictable IV per record, which is what [`Cipher::seal`] draws.
///
/// # Panics
/// If `first_iv` is not [`Suite::iv_len`] bytes long.
pub fn predictable_iv_oracle<'a>(cipher: &'a Cipher, first_iv: &[u8]) -> impl FnMut(&[u8]) -> Vec<u8> + 'a {
    let mut iv = first_iv.to_vec();
    move |pt| {
        let mut body = Vec::new();
        cipher.seal_with_iv(&[], pt, &iv, &mut body).expect("the chained IV has the suite's length");
        iv = chained_iv(cipher.suite(), &body).to_vec();
        body
    }
}

/// INSECURE, on purpose: a sender with its IV or nonce fixed once — a
/// constant in the source, a nonce counter that restarts at 0 — that seals
/// every message with it. In ctr, ofb and gcm every message is XORed with
/// the same keystream (SP 800-38A §6.4–6.5 and Appendix B, SP 800-38D §8:
/// "the probability that the authenticated encryption function ever will be
/// invoked with the same IV and the same key on two (or more) distinct sets
/// of input data shall be no greater than 2⁻³²"): two ciphertexts XOR to
/// their two plaintexts' XOR, and many can be read by statistics
/// ([`crate::attacks::nonce_reuse`]). In cfb only the first block shares a
/// keystream. [`Cipher::seal`] draws a fresh one for every message instead.
///
/// # Panics
/// If `iv` is not [`Suite::iv_len`] bytes long.
pub fn fixed_iv_sender<'a>(cipher: &'a Cipher, iv: &[u8]) -> impl FnMut(&[u8]) -> Vec<u8> + 'a {
    let iv = iv.to_vec();
    move |pt| {
        let mut body = Vec::new();
        cipher.seal_with_iv(&[], pt, &iv, &mut body).expect("the fixed IV has the suite's length");
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cbc_tells_bad_padding_apart() {
        let key = [7u8; 16];
        let mac = [9u8; 32];
        let mut rng = <rand::rngs::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(1);
        let cbc = Cipher::new(Suite::Cbc, &key, None).unwrap();
        let mut body = cbc.seal(&[], b"sixteen bytes!!!", &mut rng);
        assert!(padding_check(&cbc, &body));
        *body.last_mut().unwrap() ^= 1; // the last block now decrypts to garbage padding
        assert!(!padding_check(&cbc, &body), "bad padding is reported");
        let hmac = Cipher::new(Suite::CbcHmac, &key, Some(&mac)).unwrap();
        let mut body = hmac.seal(&[], b"sixteen bytes!!!", &mut rng);
        body[20] ^= 1;
        assert!(!accepts(&hmac, &body));
    }

    #[test]
    fn the_chaining_sender_uses_the_last_ciphertext_block_as_its_next_iv() {
        for suite in Suite::ALL {
            let cipher = Cipher::new(suite, &[7u8; 16], Some(&[9u8; 32])).unwrap();
            let mut send = predictable_iv_oracle(&cipher, &vec![1u8; suite.iv_len()]);
            let first = send(b"the first message, two blocks");
            let predicted = chained_iv(suite, &first).to_vec();
            let second = send(b"the second");
            assert_eq!(&second[..suite.iv_len()], predicted.as_slice(), "{suite}");
            assert_eq!(cipher.open(&[], &second).unwrap(), b"the second", "{suite}");
        }
    }
}
