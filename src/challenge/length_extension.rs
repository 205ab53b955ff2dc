//! Challenge `length-extension`: a server that signs with
//! SHA-256(secret ‖ message); append `;admin=true` to a signed `user=bob`
//! without the secret.
//!
//! INSECURE, on purpose: a hash of a secret and a message is not a MAC. The
//! attack is [`crate::attacks::length_extension`]; the secret's length
//! (8 to 32 bytes) is not told, so a solver tries each.
//!
//! ```text
//! token             → "MSGHEX TAGHEX": the message user=bob and SHA-256(secret ‖ message)
//! login MSGHEX TAGHEX → "welcome, admin: FLAG" if the tag is right and a ';'-separated
//!                     field is admin=true; "welcome, user" if only the tag is right;
//!                     "rejected" otherwise
//! ```
//!
//! **The authenticated variant** (`serve --authenticated`) signs with
//! HMAC-SHA256 (RFC 2104) instead: the same extension is `rejected`.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::attacks::length_extension;

/// The challenge's name.
pub const NAME: &str = "length-extension";

/// The message the server signs.
pub const MESSAGE: &[u8] = b"user=bob";

/// What the attacker appends.
pub const SUFFIX: &[u8] = b";admin=true";

/// The shortest and longest secret the server may have.
pub const SECRET_LENS: std::ops::RangeInclusive<usize> = 8..=32;

/// The longest message `login` takes.
const MAX_INPUT: usize = 1024;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 2,
    concept: "SHA-256(secret || message) is not a MAC: extend a signed message without the secret",
    requests: "token (answers MSGHEX TAGHEX, the tag SHA-256(secret || message)); login MSGHEX TAGHEX (answers \
               welcome, admin: FLAG / welcome, user / rejected)",
    has_authenticated: true,
    hints: &[
        "Get a `token` and `login` with it unchanged: welcome, user. Change one byte of the message: rejected.",
        "SHA-256 pads its input to 64-byte blocks and compresses them one by one; the digest is the state after \
         the last block. Nothing stops you from compressing more blocks after it.",
        "The padding of secret || user=bob is 80, zeros, and the length in bits (8 bytes, big-endian). It depends \
         only on the length: the secret is 8 to 32 bytes, so try each.",
        "Set SHA-256's state to the tag, compress ';admin=true' padded as the end of a message of (64-byte blocks \
         hashed so far + 11) bytes. In Python: no hashlib for this; in Rust: sha2::block_api::compress256.",
        "Send login with user=bob || padding || ;admin=true and the new digest.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    secret: Zeroizing<Vec<u8>>,
    hmac: bool,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let key = setup.secret.mac_key(NAME, setup.student);
    let len = SECRET_LENS.start() + key[31] as usize % SECRET_LENS.clone().count();
    let secret = Zeroizing::new(key[..len].to_vec());
    Box::new(Victim { secret, hmac: setup.authenticated, flag: setup.flag(NAME) })
}

impl Victim {
    fn tag(&self, message: &[u8]) -> [u8; 32] {
        if self.hmac {
            let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
                .expect("HMAC takes any key length");
            mac.update(message);
            mac.finalize().into_bytes().into()
        } else {
            // INSECURE, on purpose: a hash of secret ‖ message.
            Sha256::new().chain_update(&*self.secret).chain_update(message).finalize().into()
        }
    }
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "token" => format!("{} {}", hex::encode(MESSAGE), hex::encode(self.tag(MESSAGE))),
            "login" => {
                let Some((m, t)) = arg.split_once(' ') else {
                    return Some(error("login takes two hex values: MSGHEX TAGHEX"));
                };
                match (parse_hex(m, MAX_INPUT), parse_hex(t.trim(), 32)) {
                    (Ok(m), Ok(t)) => {
                        if t.len() != 32 || !bool::from(t.ct_eq(&self.tag(&m))) {
                            "rejected".to_string()
                        } else if m.split(|&b| b == b';').any(|f| f == b"admin=true") {
                            format!("welcome, admin: {}", self.flag)
                        } else {
                            "welcome, user".to_string()
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => error(&e),
                }
            }
            _ => return None,
        })
    }
}

/// The built-in solution: one token, then an extension per secret length.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let answer = client.ask("token")?;
    let parsed = answer.split_once(' ').and_then(|(m, t)| Some((hex::decode(m).ok()?, hex::decode(t).ok()?)));
    let Some((message, tag)) = parsed.filter(|(_, t)| t.len() == 32) else {
        return Err(SolveError::Protocol(crate::events::visible(&answer)));
    };
    let tag: [u8; 32] = tag.try_into().expect("32 bytes");
    say(&format!("1. token: {:?}, tag {}", String::from_utf8_lossy(&message), hex::encode(tag)));
    say("2. For each secret length: the glue (SHA-256's padding of secret || message), then ';admin=true' \
         compressed from the tag's state (sha2's compress256).");
    for len in SECRET_LENS {
        let e = length_extension::extend(&tag, len, &message, SUFFIX);
        let answer = client.ask(&format!("login {} {}", hex::encode(&e.message), hex::encode(e.digest)))?;
        if let Some(flag) = find_flag(&answer).filter(|_| answer.starts_with("welcome, admin")) {
            let glue = e.message.len() - message.len() - SUFFIX.len();
            let end = message.len() + glue;
            say(&format!(
                "3. A secret of {len} bytes: the server accepted user=bob ‖ {glue} bytes of glue (80 00 … {}) ‖ \
                 ;admin=true",
                hex::encode(&e.message[end - 2..end])
            ));
            say(&format!("   login: {}", crate::events::visible(&answer)));
            return Ok(Solved { flag: flag.to_string(), requests: client.requests() });
        }
        if answer != "rejected" {
            return Err(SolveError::Protocol(crate::events::visible(&answer)));
        }
    }
    Err(SolveError::Refused(format!(
        "REFUSED: no extension was accepted for a secret of {} to {} bytes (an HMAC cannot be extended)",
        SECRET_LENS.start(),
        SECRET_LENS.end()
    )))
}
