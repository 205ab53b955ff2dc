//! Challenge `padding-oracle`: the server hands out an encrypted message
//! holding your flag and tells you, for any ciphertext, whether its padding
//! was valid. That one bit decrypts the message (Vaudenay, 2002).
//!
//! INSECURE, on purpose: AES-128-CBC with PKCS#7 padding (SP 800-38A §6.2)
//! and a receiver that tells bad padding apart from good — the victim
//! [`crate::suite::victims::padding_check`]. The attack is
//! [`crate::attacks::padding_oracle`].
//!
//! ```text
//! message     → hex of IV ‖ ciphertext of the secret message (a fresh IV each time)
//! check HEX   → "valid", or "invalid padding"
//! ```
//!
//! **The authenticated variant** (`serve --authenticated`) seals with
//! cbc-hmac instead (encrypt-then-MAC: IV ‖ ciphertext ‖ HMAC-SHA256 tag).
//! The MAC is checked first, so every forged ciphertext gets the same
//! `rejected`: no padding signal, and the same attack finds nothing.

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::attacks::padding_oracle::{self, OracleError};
use crate::suite::{Cipher, Suite, victims};

/// The challenge's name.
pub const NAME: &str = "padding-oracle";

/// The longest ciphertext `check` takes.
const MAX_CHECK: usize = 4096;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 3,
    concept: "one bit of 'bad padding' decrypts all of CBC: the padding oracle",
    requests: "message (answers hex of IV || ciphertext); check HEX (answers valid, or invalid padding)",
    has_authenticated: true,
    hints: &[
        "Get a `message`: its first 16 bytes are the IV, then whole 16-byte blocks. `check` it: valid.",
        "In CBC, P_i = D(C_i) xor C_{i-1}. Send `check X || C_1` with a block X of your own: the server computes \
         D(C_1) xor X and looks at the padding of that.",
        "Change only the last byte of X, through all 256 values. For one of them the result ends in 01 and the \
         padding is valid: then D(C_1)[15] = X[15] xor 01, and P_1[15] = D(C_1)[15] xor C_0[15].",
        "For the next byte, set X[15] so that the last byte becomes 02 (X[15] = D(C_1)[15] xor 02) and search \
         X[14] for 02 02. Careful at the first byte: 02 02 can be valid by luck; change X[14] and ask again.",
        "Each block is attacked with the block before it as X's starting point; the last block's padding is the \
         message's own. Try likely English bytes first: about 15-30 requests per byte.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    cipher: Cipher,
    secret: Vec<u8>,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let cipher = setup.cipher(NAME, Suite::Cbc, Suite::CbcHmac);
    let secret = format!("Well done. Your flag is {}; keep it to yourself.", setup.flag(NAME)).into_bytes();
    Box::new(Victim { cipher, secret })
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "message" => hex::encode(self.cipher.seal(&[], &self.secret, &mut rand::rng())),
            "check" => match parse_hex(arg, MAX_CHECK) {
                Ok(body) if body.len() < 32 || body.len() % 16 != 0 => error(&format!(
                    "a ciphertext is the IV and whole 16-byte blocks, at least 32 bytes; this is {}",
                    body.len()
                )),
                Ok(body) if self.cipher.suite() == Suite::CbcHmac => {
                    (if victims::accepts(&self.cipher, &body) { "valid" } else { "rejected" }).to_string()
                }
                Ok(body) => {
                    (if victims::padding_check(&self.cipher, &body) { "valid" } else { "invalid padding" })
                        .to_string()
                }
                Err(e) => error(&e),
            },
            _ => return None,
        })
    }
}

/// The built-in solution: [`padding_oracle::attack`] over the socket.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let answer = client.ask("message")?;
    let body = hex::decode(&answer)
        .ok()
        .filter(|b| b.len() >= 32 && b.len() % 16 == 0)
        .ok_or_else(|| SolveError::Protocol(crate::events::visible(&answer)))?;
    say(&format!("1. The message: {} bytes, the IV and {} blocks.", body.len(), body.len() / 16 - 1));
    say("2. Each block, from its last byte back: forge the block before it until\n   the padding is valid.");
    // "rejected" (the authenticated variant: a bad MAC) is a no, like bad
    // padding; the attack then finds no signal at all.
    let mut failure: Option<SolveError> = None;
    let oracle = |forged: &[u8]| {
        if failure.is_some() {
            return false;
        }
        match client.ask(&format!("check {}", hex::encode(forged))) {
            Ok(a) if a == "valid" => true,
            Ok(a) if a == "invalid padding" || a == "rejected" => false,
            Ok(a) => {
                failure = Some(SolveError::Protocol(crate::events::visible(&a)));
                false
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    };
    let result = padding_oracle::attack(&body, oracle, |p| {
        let done = p.recovered.len();
        if done % 16 == 0 {
            let (block, text) = p.block_so_far('·');
            say(&format!("   block {block}: {text}  ({done} of {} bytes, {} requests)", p.total, p.queries));
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let found = result.map_err(|e| match e {
        OracleError::NoSignal { .. } => {
            SolveError::Refused(format!("REFUSED: {e}; the server never told bad padding from a bad MAC"))
        }
        OracleError::Shape(_) => SolveError::Protocol(e.to_string()),
    })?;
    say(&format!("3. {} requests, {:.1} per byte.", found.queries, found.per_byte()));
    let text = String::from_utf8_lossy(found.message()).into_owned();
    say(&format!("   message: {}", crate::events::visible(&text)));
    let flag = find_flag(&text).ok_or_else(|| SolveError::Refused("the message holds no flag".into()))?;
    Ok(Solved { flag: flag.to_string(), requests: client.requests() })
}
