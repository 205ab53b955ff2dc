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
//!
//! **`ecb-byte-at-a-time-prefix`** ([`PREFIX_CHALLENGE`]) is the same server
//! with a prefix of its own before your bytes, `E(prefix ‖ input ‖ secret)`:
//! 1 to 47 random bytes, fixed for each student, their length not told.
//! The attack first finds where the prefix ends
//! ([`ecb_byte_at_a_time::attack_behind_prefix`]).

use rand::rngs::ChaCha20Rng;
use rand::{RngExt, SeedableRng};

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

/// The prefix variant's name.
pub const PREFIX_NAME: &str = "ecb-byte-at-a-time-prefix";

/// The prefix variant's registry entry.
pub const PREFIX_CHALLENGE: Challenge = Challenge {
    name: PREFIX_NAME,
    difficulty: 3,
    concept: "ECB byte-at-a-time behind a random prefix of unknown length: find where your bytes start",
    requests: "encrypt HEX (answers hex of AES-128-ECB(prefix || your bytes || secret))",
    has_authenticated: false,
    hints: &[
        "The same as ecb-byte-at-a-time, but the server puts some random bytes of its own before yours. How many? It does not say.",
        "Send 32 equal bytes, then 33, 34, ... When two neighbouring answer blocks are equal, your bytes have filled the prefix's last block and two blocks more.",
        "If that happens at block j after k extra bytes, the prefix is 16*j - k bytes long. Do it with two different fill bytes: the prefix may have repeats of its own, or end with your fill byte.",
        "From then on, start every input with 16 - (prefix % 16) filler bytes and ignore the blocks before yours: it is ecb-byte-at-a-time again.",
    ],
    oracle: new_prefix_oracle,
    solve: solve_prefix,
};

struct Victim {
    cipher: Cipher,
    prefix: Vec<u8>,
    secret: Vec<u8>,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let cipher = setup.cipher(NAME, Suite::Ecb, Suite::Ecb);
    let secret = format!("flag={};", setup.flag(NAME)).into_bytes();
    Box::new(Victim { cipher, prefix: Vec::new(), secret })
}

fn new_prefix_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let cipher = setup.cipher(PREFIX_NAME, Suite::Ecb, Suite::Ecb);
    let secret = format!("flag={};", setup.flag(PREFIX_NAME)).into_bytes();
    // 1 to 47 bytes, fixed for this student: drawn from a seed of their own
    // (its own label, so it owes nothing to the key or the flag).
    let mut rng = ChaCha20Rng::from_seed(*setup.secret.seed("prefix", PREFIX_NAME, setup.student));
    let len = rng.random_range(1..=47);
    let prefix = (0..len).map(|_| rng.random::<u8>()).collect();
    Box::new(Victim { cipher, prefix, secret })
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
                let pt: Vec<u8> = self.prefix.iter().chain(&input).chain(&self.secret).copied().collect();
                hex::encode(self.cipher.seal(&[], &pt, &mut rand::rng()))
            }
            Err(e) => error(&e),
        })
    }
}

/// The prefix variant's solution: [`ecb_byte_at_a_time::attack_behind_prefix`].
fn solve_prefix(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    say("0. Where the prefix ends: 32, 33, ... equal bytes (two fills) until two blocks repeat.");
    let (found, prefix) =
        ecb_byte_at_a_time::attack_behind_prefix(|input: &[u8]| encrypt(client, input), |_| {})
            .map_err(refused)?;
    let fill = (16 - prefix % 16) % 16;
    let bytes = |n: usize| if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") };
    let filler = match fill {
        0 => "it ends on a block boundary, so no filler".to_string(),
        n => format!("{} of filler complete its last block", bytes(n)),
    };
    say(&format!("1. The prefix is {}: {filler}; then the attack as before.", bytes(prefix)));
    finish(client, say, &found)
}

/// `encrypt` over the socket (`encrypt` alone for no bytes).
fn encrypt(client: &mut Client, input: &[u8]) -> Result<Vec<u8>, SolveError> {
    if input.is_empty() {
        let a = client.ask("encrypt")?;
        return hex::decode(&a).map_err(|_| SolveError::Protocol(crate::events::visible(&a)));
    }
    client.ask_hex("encrypt", input)
}

fn refused(e: EcbError<SolveError>) -> SolveError {
    match e {
        EcbError::Oracle(e) => e,
        other @ (EcbError::NoBlock | EcbError::NotEcb | EcbError::NoMatch(_)) => {
            SolveError::Refused(other.to_string())
        }
    }
}

/// The report and the flag, from the secret the attack read.
fn finish(
    client: &Client,
    say: Narrate<'_>,
    found: &ecb_byte_at_a_time::Recovered,
) -> Result<Solved, SolveError> {
    say(&format!(
        "2. The secret, {} bytes, one byte at a time: {:.1} requests per byte (at most 257).",
        found.secret.len(),
        found.per_byte
    ));
    say(&format!("   secret: {}", crate::events::visible(&crate::events::show_text(&found.secret))));
    let text = String::from_utf8_lossy(&found.secret);
    let flag = find_flag(&text).ok_or_else(|| SolveError::Refused("the secret holds no flag".into()))?;
    Ok(Solved { flag: flag.to_string(), requests: client.requests() })
}

/// The built-in solution: [`ecb_byte_at_a_time::attack`] over the socket.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    say("1. Block size and secret length: encrypt 0, 1, 2, ... bytes until the answer grows.");
    let mut shown = 0;
    let found = ecb_byte_at_a_time::attack(
        |input: &[u8]| encrypt(client, input),
        |secret: &[u8]| {
            // Every 16 bytes, the secret so far.
            if secret.len() / 16 > shown {
                shown = secret.len() / 16;
                say(&format!(
                    "   {:>4} bytes: {}",
                    secret.len(),
                    crate::events::visible(&crate::events::show_text(secret))
                ));
            }
        },
    )
    .map_err(refused)?;
    say(&format!(
        "   Block size {} bytes; three equal blocks in gave two equal blocks out: ECB.",
        found.block
    ));
    finish(client, say, &found)
}
