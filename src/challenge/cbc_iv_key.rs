//! Challenge `cbc-iv-key`: a server that uses its key as the CBC IV, and
//! quotes the decrypted bytes in an error; recover the key from one error.
//!
//! INSECURE, on purpose, twice: the IV is the key (so it is fixed, and
//! secret material doubles as public input), and an error message echoes
//! decrypted plaintext (cryptopals set 4, challenge 27). SP 800-38A
//! Appendix C asks for an unpredictable IV per message; here it is the
//! worst possible constant.
//!
//! ```text
//! message       → hex of AES-128-CBC ciphertext (IV = key, not sent) of a 5-block message
//! decrypt HEX   → "ok" if the plaintext is ASCII; else
//!                 "error: invalid characters in the message: HEX(plaintext)"
//! key HEX       → "right: FLAG" if HEX is the key, else "wrong key"
//! ```
//!
//! **The attack.** Take ciphertext blocks C_1 C_2 C_3 and send
//! C_1 ‖ 0 ‖ C_1. Decrypted, P'_1 = D(C_1) ⊕ IV = D(C_1) ⊕ K, and
//! P'_3 = D(C_1) ⊕ 0 = D(C_1). P'_2 is garbage, so the server complains
//! and quotes all three: P'_1 ⊕ P'_3 = K.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};
use crate::suite::{Aes, pkcs7};

/// The challenge's name.
pub const NAME: &str = "cbc-iv-key";

/// The message the server sends: three blocks and more.
pub const MESSAGE: &[u8] = b"comment1=cooking%20MCs;userdata=the key is the IV;comment2=%20like%20a%20pound";

/// The longest ciphertext `decrypt` takes.
const MAX_INPUT: usize = 4096;

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 2,
    concept: "the key used as the IV, and an error that quotes the plaintext: the key in one request",
    requests: "message (answers hex of the CBC ciphertext, IV = key); decrypt HEX (answers ok, or an error quoting \
               the plaintext); key HEX (answers right: FLAG / wrong key)",
    has_authenticated: false,
    hints: &[
        "`decrypt` the `message` unchanged: ok. Change a byte and decrypt again: the error quotes what the server \
         decrypted.",
        "In CBC, P_1 = D(C_1) xor IV, and here IV = K. If you knew D(C_1), one xor would give K.",
        "P_3 = D(C_3) xor C_2. Make C_2 all zeros and C_3 = C_1: then P_3 = D(C_1).",
        "Send C_1 || 00...00 || C_1. The error quotes P'_1 and P'_3; K = P'_1 xor P'_3. Send `key` with it.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    aes: Aes,
    key: Zeroizing<[u8; 16]>,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let key = setup.secret.key(NAME, setup.student);
    let aes = Aes::new(&key[..]).expect("a 16-byte key");
    Box::new(Victim { aes, key, flag: setup.flag(NAME) })
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "message" => {
                // INSECURE, on purpose: the key as the IV.
                let mut out = vec![0u8; pkcs7::padded_len(MESSAGE.len())];
                self.aes.cbc_encrypt(&self.key, MESSAGE, &mut out);
                hex::encode(out)
            }
            "decrypt" => match parse_hex(arg, MAX_INPUT) {
                Ok(ct) if ct.is_empty() || ct.len() % 16 != 0 => {
                    error(&format!("a ciphertext is whole 16-byte blocks; this is {} bytes", ct.len()))
                }
                Ok(ct) => {
                    let mut pt = vec![0u8; ct.len()];
                    self.aes.cbc_decrypt_raw(&self.key, &ct, &mut pt);
                    // INSECURE, on purpose: the error quotes the plaintext.
                    if pt.iter().any(|&b| b >= 0x80) {
                        format!("error: invalid characters in the message: {}", hex::encode(&pt))
                    } else {
                        "ok".to_string()
                    }
                }
                Err(e) => error(&e),
            },
            "key" => match parse_hex(arg, 16) {
                Ok(k) if k.len() == 16 && bool::from(k.ct_eq(&self.key[..])) => {
                    format!("right: {}", self.flag)
                }
                Ok(_) => "wrong key".to_string(),
                Err(e) => error(&e),
            },
            _ => return None,
        })
    }
}

/// The built-in solution: C_1 ‖ 0 ‖ C_1, one error, one xor.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let answer = client.ask("message")?;
    let ct = hex::decode(&answer).map_err(|_| SolveError::Protocol(crate::events::visible(&answer)))?;
    if ct.len() < 48 {
        return Err(SolveError::Protocol(format!("a message of {} bytes, not 3 blocks", ct.len())));
    }
    say(&format!("1. The message: {} bytes of ciphertext; its IV is the key, never sent.", ct.len()));
    let c1 = &ct[..16];
    let mut forged = c1.to_vec();
    forged.extend([0u8; 16]);
    forged.extend_from_slice(c1);
    say("2. decrypt C_1 || 0 || C_1: P'_1 = D(C_1) xor K, P'_3 = D(C_1) xor 0.");
    let answer = client.ask(&format!("decrypt {}", hex::encode(&forged)))?;
    let quoted = answer
        .strip_prefix("error: invalid characters in the message: ")
        .and_then(|h| hex::decode(h).ok())
        .filter(|p| p.len() == 48)
        .ok_or_else(|| {
            SolveError::Refused(format!("no plaintext in the answer: {}", crate::events::visible(&answer)))
        })?;
    let key: Vec<u8> = quoted[..16].iter().zip(&quoted[32..48]).map(|(a, b)| a ^ b).collect();
    say(&format!("3. The error quoted them: K = P'_1 xor P'_3 = {}", hex::encode(&key)));
    let answer = client.ask(&format!("key {}", hex::encode(&key)))?;
    say(&format!("   key: {}", crate::events::visible(&answer)));
    match find_flag(&answer) {
        Some(flag) if answer.starts_with("right") => {
            Ok(Solved { flag: flag.to_string(), requests: client.requests() })
        }
        _ => {
            Err(SolveError::Refused(format!("the key was not accepted: {}", crate::events::visible(&answer))))
        }
    }
}
