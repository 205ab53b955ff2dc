//! Challenge `ctr-bitflip`: the cookie of `cbc-bitflip`, sealed in CTR, where
//! the same forgery needs no sacrificed block.
//!
//! INSECURE, on purpose: AES-128-CTR without a MAC (SP 800-38A §6.5). CTR
//! XORs a keystream into the plaintext, C = P ⊕ KS, so flipping a bit of the
//! ciphertext flips exactly that bit of the plaintext and nothing else: no
//! block turns to garbage, and the attacker needs no sacrificed block. The
//! cookie, its quoting and `login` are those of [`super::cbc_bitflip`].
//!
//! ```text
//! encrypt HEX   → hex of IV ‖ AES-128-CTR of the cookie around your bytes
//! login HEX     → "welcome, admin: FLAG" / "welcome, user" / "rejected"
//! ```
//!
//! **The authenticated variant** (`serve --authenticated`) seals with gcm:
//! its tag covers the ciphertext, and every flipped bit is `rejected`.

use super::cbc_bitflip::{self, PREFIX};
use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved};
use crate::suite::Suite;

/// The challenge's name.
pub const NAME: &str = "ctr-bitflip";

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 1,
    concept: "CTR without a MAC: flip a ciphertext bit, flip that plaintext bit, nothing else",
    requests: "encrypt HEX (answers hex of IV || CTR cookie); login HEX (answers welcome, admin: FLAG / welcome, \
               user / rejected)",
    has_authenticated: true,
    hints: &[
        "The same cookie as cbc-bitflip: 'comment1=cooking%20MCs;userdata=' + your bytes + ';comment2=...', with ';' \
         and '=' quoted. This time it is sealed in CTR.",
        "In CTR, C = P xor keystream. What does flipping one bit of C do to P when it is decrypted? What does it \
         do to the bytes around it?",
        "Your bytes start at byte 32 of the plaintext, so at byte 48 of IV || ciphertext.",
        "Send ':admin<true' and flip bit 0 of bytes 48 and 54: ':' becomes ';' and '<' becomes '='.",
    ],
    oracle: new_oracle,
    solve,
};

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    cbc_bitflip::victim(setup, NAME, Suite::Ctr, Suite::Gcm)
}

/// The built-in solution: one `encrypt`, two flipped bits, one `login`.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    say("1. encrypt ':admin<true' (';' and '=' are quoted); no block to sacrifice.");
    // IV (16) + prefix (32): the user data starts at byte 48, and in CTR
    // ciphertext byte i masks plaintext byte i.
    let at = 16 + PREFIX.len();
    let step = format!(
        "2. C = P xor keystream: flip bit 0 of bytes {at} and {} to make ';admin=true';\n   no other byte changes.",
        at + 6
    );
    cbc_bitflip::flip_and_login(client, say, b":admin<true", at, &step)
}
