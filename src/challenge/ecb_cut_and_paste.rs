//! Challenge `ecb-cut-and-paste`: a profile encrypted in ECB; splice blocks
//! of two profiles into one that says `role=admin`.
//!
//! INSECURE, on purpose: AES-128-ECB, where every block is encrypted on its
//! own (SP 800-38A §6.1), so ciphertext blocks can be cut from one message
//! and pasted into another and each still decrypts to its own plaintext
//! (cryptopals set 2, challenge 13). Nothing ties a block to its place.
//!
//! ```text
//! profile HEX   → hex of AES-128-ECB("email=" ‖ your bytes ‖ "&uid=10&role=user"),
//!                 with '&' and '=' removed from your bytes
//! login HEX     → "welcome, admin: FLAG" if the profile's role is admin,
//!                 "welcome, EMAIL (role ROLE)" otherwise, "rejected" if it does not decrypt
//! ```
//!
//! **The attack.** Two profiles, each aligned by the length of the email:
//! 1. An email of 10 bytes puts the 11th byte of the email at the start of
//!    block 1 ("email=" is 6 bytes). Make those bytes `admin` followed by
//!    PKCS#7 padding (`0b` × 11): block 1 of the answer is E(`admin` ‖ pad),
//!    a last block ready to paste.
//! 2. An email of 13 bytes makes `email=…&uid=10&role=` exactly 32 bytes,
//!    so `user` starts block 2.
//! 3. Blocks 0–1 of the second profile, then block 1 of the first: the
//!    profile now ends `role=admin`, correctly padded.
//!
//! What stops it: a mode with an IV and a MAC over the whole message
//! (cbc-hmac, gcm), and never letting a user's input be encrypted under the
//! key that protects what the server trusts.

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::suite::{Cipher, Suite};

/// The challenge's name.
pub const NAME: &str = "ecb-cut-and-paste";

/// The longest email taken.
const MAX_EMAIL: usize = 256;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 2,
    concept: "ECB blocks stand alone: cut them from two profiles, paste one that says role=admin",
    requests: "profile HEX (answers hex of ECB(email=...&uid=10&role=user)); login HEX (answers welcome, admin: \
               FLAG / welcome, EMAIL (role ROLE) / rejected)",
    has_authenticated: false,
    hints: &[
        "Ask for a `profile` and `login` with it. The plaintext is email=YOU&uid=10&role=user; '&' and '=' are \
         removed from your email, so you cannot write &role=admin yourself.",
        "ECB encrypts each 16-byte block alone. A block of ciphertext decrypts to the same plaintext wherever you \
         put it, in any message under the same key.",
        "Choose an email length so that 'user' starts a block: email= (6) + your email + &uid=10&role= (13) should \
         be 32 bytes.",
        "Now get a block that decrypts to 'admin' followed by valid PKCS#7 padding: 10 bytes of email, then \
         'admin' and eleven bytes 0b. Its block 1 is what you need.",
        "Paste: blocks 0 and 1 of the second profile, then block 1 of the first. Log in.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    cipher: Cipher,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    Box::new(Victim { cipher: setup.cipher(NAME, Suite::Ecb, Suite::Ecb), flag: setup.flag(NAME) })
}

/// `email=E&uid=10&role=user`, with `&` and `=` removed from E.
pub fn profile_for(email: &[u8]) -> Vec<u8> {
    let mut out = b"email=".to_vec();
    out.extend(email.iter().filter(|&&b| b != b'&' && b != b'='));
    out.extend_from_slice(b"&uid=10&role=user");
    out
}

/// The value of `key` in a `k=v&k=v` profile.
pub fn field<'a>(profile: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    profile.split(|&b| b == b'&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix(b"="))
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "profile" => match parse_hex(arg, MAX_EMAIL) {
                Ok(email) => hex::encode(self.cipher.seal(&[], &profile_for(&email), &mut rand::rng())),
                Err(e) => error(&e),
            },
            "login" => match parse_hex(arg, 2 * MAX_EMAIL) {
                Ok(body) => match self.cipher.open(&[], &body) {
                    Ok(p) if field(&p, b"role") == Some(b"admin") => format!("welcome, admin: {}", self.flag),
                    Ok(p) => format!(
                        "welcome, {} (role {})",
                        shown(field(&p, b"email").unwrap_or(b"?")),
                        shown(field(&p, b"role").unwrap_or(b"?"))
                    ),
                    Err(_) => "rejected".to_string(),
                },
                Err(e) => error(&e),
            },
            _ => return None,
        })
    }
}

/// A field of a decrypted profile, fit for one answer line: escaped if it
/// is not UTF-8, and its control characters (a newline too) made visible.
fn shown(bytes: &[u8]) -> String {
    crate::events::visible(&crate::events::show_text(bytes))
}

/// The built-in solution: two profiles, one splice (see the module docs).
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let mut admin_email = b"AAAAAAAAAAadmin".to_vec();
    admin_email.extend([0x0b; 11]);
    let first = client.ask_hex("profile", &admin_email)?;
    say("1. profile of 'AAAAAAAAAA' + 'admin' + eleven 0b: its block 1 is E('admin' ‖ padding).");
    let second = client.ask_hex("profile", b"alice@cl.test")?;
    say("2. profile of 'alice@cl.test' (13 bytes): 'email=...&uid=10&role=' fills blocks 0-1.");
    if first.len() < 32 || second.len() < 32 {
        return Err(SolveError::Protocol("a profile shorter than two blocks".into()));
    }
    let mut forged = second[..32].to_vec();
    forged.extend_from_slice(&first[16..32]);
    say("3. blocks 0-1 of the second, then block 1 of the first:");
    let answer = client.ask(&format!("login {}", hex::encode(&forged)))?;
    say(&format!("   login: {}", crate::events::visible(&answer)));
    match find_flag(&answer) {
        Some(flag) if answer.starts_with("welcome, admin") => {
            Ok(Solved { flag: flag.to_string(), requests: client.requests() })
        }
        _ => Err(SolveError::Refused(format!(
            "the splice did not make an admin: {}",
            crate::events::visible(&answer)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_strips_what_would_forge_a_field() {
        let p = profile_for(b"x&role=admin");
        assert_eq!(p, b"email=xroleadmin&uid=10&role=user");
        assert_eq!(field(&p, b"role"), Some(&b"user"[..]));
        assert_eq!(profile_for(b"alice@cl.test").len() - 4, 32, "user starts block 2");
    }

    #[test]
    fn an_answer_is_one_line_whatever_the_email() {
        let secret = crate::challenge::Secret::from_bytes([4; 32]);
        let setup = Setup { secret: &secret, student: "s", authenticated: false, delay: None };
        let mut victim = new_oracle(&setup);
        let ct = victim.answer("profile", &hex::encode(b"a\nb\r\x1b[2J")).unwrap();
        let answer = victim.answer("login", &ct).unwrap();
        assert!(answer.starts_with("welcome, a\\u{a}b"), "{answer}");
        assert!(!answer.chars().any(char::is_control), "{answer:?}");
    }
}
