//! Challenge `cbc-bitflip`: the server seals a cookie around your user data
//! and lets you log in with it; make it say `admin=true` without the key.
//!
//! INSECURE, on purpose: AES-128-CBC without a MAC (SP 800-38A §6.2). In
//! CBC, P_i = D_K(C_i) ⊕ C_{i−1}, so flipping a bit of C_{i−1} flips the
//! same bit of P_i (and garbles P_{i−1}). The attack's textbook page is
//! [`crate::attacks::bitflip`]; this is cryptopals set 2, challenge 16.
//!
//! ```text
//! encrypt HEX   → hex of IV ‖ AES-128-CBC of
//!                 "comment1=cooking%20MCs;userdata=" ‖ your bytes ‖ ";comment2=%20like%20a%20pound%20of%20bacon"
//!                 (in your bytes, '%', ';' and '=' are sent as %25, %3B and %3D)
//! login HEX     → "welcome, admin: FLAG" if a field is exactly admin=true,
//!                 "welcome, user" otherwise, "rejected" if it does not decrypt
//! ```
//!
//! **The authenticated variant** (`serve --authenticated`) seals with
//! cbc-hmac: any changed bit fails the MAC, and every forgery is `rejected`.

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::suite::{Cipher, Suite};

/// The challenge's name.
pub const NAME: &str = "cbc-bitflip";

/// What comes before the user data: exactly two blocks.
pub const PREFIX: &[u8] = b"comment1=cooking%20MCs;userdata=";

/// What comes after it.
pub const SUFFIX: &[u8] = b";comment2=%20like%20a%20pound%20of%20bacon";

/// The longest user data `encrypt` takes.
const MAX_INPUT: usize = 2048;

/// The longest sealed cookie `login` takes: any `encrypt` answer fits (the
/// user data quoted to three times its length, the cookie's own 74 bytes,
/// padding, IV and tag), and so does its hex in one request line.
const MAX_COOKIE: usize = 3 * MAX_INPUT + 256;

const _: () = assert!(2 * MAX_COOKIE + "login ".len() <= super::server::MAX_LINE);

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 1,
    concept: "CBC without a MAC: flip a bit of one block, flip the same bit of the next",
    requests: "encrypt HEX (answers hex of IV || CBC cookie); login HEX (answers welcome, admin: FLAG / welcome, \
               user / rejected)",
    has_authenticated: true,
    hints: &[
        "`encrypt` some bytes and `login` with the answer: welcome, user. You cannot send ';admin=true' yourself: \
         ';' and '=' are quoted.",
        "The prefix is exactly 32 bytes, two blocks, so your bytes start block 2 (counting the first ciphertext \
         block as 0; the IV comes before it).",
        "In CBC, P_3 = D(C_3) xor C_2. Change a bit of C_2 and the same bit of P_3 changes; P_2 becomes garbage.",
        "Send 16 bytes you can sacrifice, then ':admin<true'. ':' xor 1 is ';' and '<' xor 1 is '='.",
        "Flip bit 0 of C_2[0] and of C_2[6] (bytes 48 and 54 of IV || ciphertext) and log in.",
    ],
    oracle: new_oracle,
    solve,
};

/// The cookie server: one per connection, in the challenge's suite.
pub(crate) struct Victim {
    cipher: Cipher,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    victim(setup, NAME, Suite::Cbc, Suite::CbcHmac)
}

/// The cookie server for challenge `name`: `weak`, or `strong` for
/// `--authenticated` (shared with `ctr-bitflip`).
pub(crate) fn victim(setup: &Setup<'_>, name: &str, weak: Suite, strong: Suite) -> Box<dyn Oracle> {
    Box::new(Victim { cipher: setup.cipher(name, weak, strong), flag: setup.flag(name) })
}

/// The cookie around `userdata`, with `%`, `;` and `=` quoted.
pub fn cookie(userdata: &[u8]) -> Vec<u8> {
    let mut out = PREFIX.to_vec();
    for &b in userdata {
        match b {
            b'%' => out.extend_from_slice(b"%25"),
            b';' => out.extend_from_slice(b"%3B"),
            b'=' => out.extend_from_slice(b"%3D"),
            _ => out.push(b),
        }
    }
    out.extend_from_slice(SUFFIX);
    out
}

/// Whether a decrypted cookie has a field that is exactly `admin=true`.
pub fn is_admin(cookie: &[u8]) -> bool {
    cookie.split(|&b| b == b';').any(|field| field == b"admin=true")
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "encrypt" => match parse_hex(arg, MAX_INPUT) {
                Ok(data) => hex::encode(self.cipher.seal(&[], &cookie(&data), &mut rand::rng())),
                Err(e) => error(&e),
            },
            "login" => match parse_hex(arg, MAX_COOKIE) {
                // One answer for every failure (bad padding, bad MAC): a
                // login that said "bad padding" would be a padding oracle.
                Ok(body) => match self.cipher.open(&[], &body) {
                    Ok(pt) if is_admin(&pt) => format!("welcome, admin: {}", self.flag),
                    Ok(_) => "welcome, user".to_string(),
                    Err(_) => "rejected".to_string(),
                },
                Err(e) => error(&e),
            },
            _ => return None,
        })
    }
}

/// The built-in solution: one `encrypt`, two flipped bits, one `login`.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    say("1. encrypt 16 bytes to sacrifice, then ':admin<true' (';' and '=' are quoted).");
    // IV (16) + prefix (32): the sacrificed block C_2 starts at byte 48.
    let at = 16 + PREFIX.len();
    let step = format!(
        "2. P_3 = D(C_3) xor C_2: flip bit 0 of bytes {at} and {} (C_2[0], C_2[6]):\n   ';admin=true'.",
        at + 6
    );
    flip_and_login(client, say, b"AAAAAAAAAAAAAAAA:admin<true", at, &step)
}

/// Encrypts `data`, flips bit 0 of the bytes at `at` and `at + 6` of the
/// answer (`:` → `;`, `<` → `=` in the plaintext they control), logs in.
pub(crate) fn flip_and_login(
    client: &mut Client,
    say: Narrate<'_>,
    data: &[u8],
    at: usize,
    step: &str,
) -> Result<Solved, SolveError> {
    let mut body = client.ask_hex("encrypt", data)?;
    if body.len() < at + 16 {
        return Err(SolveError::Protocol(format!("a cookie of {} bytes is too short", body.len())));
    }
    body[at] ^= b':' ^ b';';
    body[at + 6] ^= b'<' ^ b'=';
    say(step);
    let answer = client.ask(&format!("login {}", hex::encode(&body)))?;
    say(&format!("3. login with the forged cookie: {}", crate::events::visible(&answer)));
    match find_flag(&answer) {
        Some(flag) if answer.starts_with("welcome, admin") => {
            Ok(Solved { flag: flag.to_string(), requests: client.requests() })
        }
        _ if answer == "rejected" => Err(SolveError::Refused(
            "REFUSED: the forged cookie was rejected (a MAC covers the ciphertext)".into(),
        )),
        _ => Err(SolveError::Refused(format!(
            "the forgery did not make an admin: {}",
            crate::events::visible(&answer)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_encrypt_answer_can_be_logged_in_with() {
        let secret = crate::challenge::Secret::from_bytes([2; 32]);
        for authenticated in [false, true] {
            let setup = Setup { secret: &secret, student: "s", authenticated, delay: None };
            let mut victim = new_oracle(&setup);
            let sealed = victim.answer("encrypt", &hex::encode([b';'; MAX_INPUT])).unwrap();
            assert_eq!(victim.answer("login", &sealed).unwrap(), "welcome, user");
            assert!(
                victim.answer("encrypt", &hex::encode([b'a'; MAX_INPUT + 1])).unwrap().starts_with("error: ")
            );
        }
    }

    #[test]
    fn the_cookie_quotes_what_would_forge_a_field() {
        assert_eq!(PREFIX.len(), 32);
        let c = cookie(b";admin=true%");
        assert!(!is_admin(&c));
        assert!(c.windows(13).any(|w| w == b"%3Badmin%3Dtr"), "{}", String::from_utf8_lossy(&c));
        assert!(is_admin(b"x;admin=true;y"));
        assert!(!is_admin(b"x;admin=truer;y"));
    }
}
