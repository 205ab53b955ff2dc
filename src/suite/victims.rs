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
//!
//! The same leak over a socket is `cryptolab serve --leak-padding-errors`
//! ([`crate::net::server`]); its attacker's side is [`crate::net::oracle`].

use super::{Cipher, SuiteError};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Suite;

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
}
