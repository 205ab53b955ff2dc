//! Challenge `ecb-byte-at-a-time`: the server encrypts `your input ‖ secret`
//! in ECB; read the secret, which holds your flag, one byte at a time.
//!
//! INSECURE, on purpose: AES-128 in ECB mode, and a secret appended to
//! attacker-controlled input. The attack is
//! [`crate::attacks::ecb_byte_at_a_time`].
//!
//! ```text
//! encrypt HEX   → hex of AES-128-ECB(key, bytes ‖ secret), PKCS#7 padded
//! ```
//!
//! The secret is `flag=cryptolab{…};` — the student's flag, and a
//! terminator. The key is this student's ([`super::flag`]), the same on
//! every connection, so a script may reconnect.

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::attacks::ecb_byte_at_a_time::{self, EcbError};
use crate::suite::{Cipher, Suite};

/// The challenge's name.
pub const NAME: &str = "ecb-byte-at-a-time";

/// The longest input `encrypt` takes.
const MAX_INPUT: usize = 4096;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 2,
    concept: "ECB leaks equal blocks: a secret appended to your input, read one byte at a time",
    requests: "encrypt HEX (answers hex of AES-128-ECB(your bytes || secret))",
    has_authenticated: false,
    hints: &[
        "Send `encrypt` with 0, 1, 2, ... bytes and watch the answer's length. When does it grow, and by how much?",
        "If the answer grows by 16 bytes when your input reaches i bytes, the secret is len(encrypt of nothing) - i \
         bytes long. Send 48 equal bytes: do two answer blocks repeat? Then it is ECB.",
        "Send 15 bytes of 'A'. The first block is then E('AAAAAAAAAAAAAAA' + the secret's first byte). Encrypt \
         'AAAAAAAAAAAAAAA' + g for every byte g: one of them gives the same block.",
        "For byte k, send 15 - (k % 16) bytes of 'A'; the block that ends with secret byte k is block k // 16. The 15 \
         bytes before it are the last 15 of your 'A's followed by the secret bytes you already have.",
        "Try likely bytes first (space, e, t, a, o, ...): English takes a few tries per byte instead of 128.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    cipher: Cipher,
    secret: Vec<u8>,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let cipher = setup.cipher(NAME, Suite::Ecb, Suite::Ecb);
    let secret = format!("flag={};", setup.flag(NAME)).into_bytes();
    Box::new(Victim { cipher, secret })
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        if verb != "encrypt" {
            return None;
        }
        // An empty input is allowed: `encrypt` alone encrypts the secret.
        let input = if arg.is_empty() { Ok(Vec::new()) } else { parse_hex(arg, MAX_INPUT) };
        Some(match input {
            Ok(input) => {
                let pt: Vec<u8> = input.iter().chain(&self.secret).copied().collect();
                hex::encode(self.cipher.seal(&[], &pt, &mut rand::rng()))
            }
            Err(e) => error(&e),
        })
    }
}

/// The built-in solution: [`ecb_byte_at_a_time::attack`] over the socket.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    say("1. Block size and secret length: encrypt 0, 1, 2, ... bytes until the answer grows.");
    let mut shown = 0;
    let found = ecb_byte_at_a_time::attack(
        |input: &[u8]| {
            if input.is_empty() {
                return client.ask("encrypt").and_then(|a| {
                    hex::decode(&a).map_err(|_| SolveError::Protocol(crate::events::visible(&a)))
                });
            }
            client.ask_hex("encrypt", input)
        },
        |secret: &[u8]| {
            // Every 16 bytes, the secret so far.
            if secret.len() / 16 > shown {
                shown = secret.len() / 16;
                say(&format!("   {:>4} bytes: {}", secret.len(), crate::events::show_text(secret)));
            }
        },
    )
    .map_err(|e| match e {
        EcbError::Oracle(e) => e,
        other @ (EcbError::NoBlock | EcbError::NotEcb | EcbError::NoMatch(_)) => {
            SolveError::Refused(other.to_string())
        }
    })?;
    say(&format!(
        "2. Block size {} bytes, and three equal blocks in gave two equal blocks out: ECB.",
        found.block
    ));
    say(&format!(
        "3. The secret, {} bytes, one byte at a time: {:.1} requests per byte (at most 257).",
        found.secret.len(),
        found.per_byte
    ));
    say(&format!("   secret: {}", crate::events::show_text(&found.secret)));
    let text = String::from_utf8_lossy(&found.secret);
    let flag = find_flag(&text).ok_or_else(|| SolveError::Refused("the secret holds no flag".into()))?;
    Ok(Solved { flag: flag.to_string(), requests: client.requests() })
}
