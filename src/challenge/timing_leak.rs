//! Challenge `timing-leak`: a server that checks a MAC byte by byte and
//! takes longer for every byte that matches; recover a valid MAC for
//! `flag.txt` by timing alone.
//!
//! INSECURE, on purpose: an early-exit comparison (the `memcmp` of many
//! real bugs), with an artificial delay per matching byte (`serve
//! --delay-ms`, 50 ms by default, large enough to stand out of a busy
//! machine's noise) so that the leak is visible over loopback. Real leaks
//! are nanoseconds and need many samples; the statistics are the same.
//!
//! ```text
//! tag FILE          → hex of FILE's 8-byte tag, HMAC-SHA256(key, FILE) cut to 8 bytes
//!                     (any file but flag.txt)
//! read FILE TAGHEX  → "FILE: FLAG" for flag.txt with the right tag, "FILE: (empty)" for
//!                     another file with its right tag, "bad tag" otherwise
//! ```
//!
//! **The attack.** For tag byte k, send the 256 guesses at once, each on a
//! connection of its own, the bytes before k as found: every wrong guess
//! stops the comparison at byte k, the right one goes one byte further and
//! waits one delay more. The slowest answer is the byte, if it stands out
//! of the others by more than their own spread; if not, ask again.
//!
//! **The authenticated variant** (`serve --authenticated`) compares in
//! constant time (`subtle`), with no delay: no guess stands out.

use std::time::{Duration, Instant};

use hmac::{KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::client::Client;
use super::{Challenge, Narrate, Oracle, Setup, SolveError, Solved, error, find_flag, parse_hex};

/// The challenge's name.
pub const NAME: &str = "timing-leak";

/// The file whose tag unlocks the flag.
pub const FLAG_FILE: &str = "flag.txt";

/// Bytes of a tag.
pub const TAG: usize = 8;

/// The delay per matching byte unless `--delay-ms` says otherwise.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(50);

/// The registry entry.
pub const CHALLENGE: Challenge = Challenge {
    name: NAME,
    difficulty: 3,
    concept: "a MAC compared byte by byte, slower for each match: a valid tag by timing alone",
    requests: "tag FILE (answers hex of FILE's 8-byte tag; not flag.txt); read FILE TAGHEX (answers FILE: FLAG / \
               FILE: (empty) / bad tag)",
    has_authenticated: true,
    hints: &[
        "`tag notes.txt` gives a valid tag for another file. `read notes.txt` with it answers; change its last byte: \
         bad tag. Time both.",
        "The server compares the tag one byte at a time and stops at the first difference, pausing for every byte \
         that matched. How long does a tag with a right first byte take?",
        "For byte 0, try all 256 values: the right one takes one delay longer. Send them all at once on 256 \
         connections and the whole byte takes about one delay.",
        "Noise happens: take the slowest only if it stands out of the rest by more than their spread, else ask \
         again. Then fix byte 0 and go on to byte 1.",
    ],
    oracle: new_oracle,
    solve,
};

struct Victim {
    key: Zeroizing<[u8; 32]>,
    /// `Some(delay)`: the INSECURE comparison; `None`: constant time.
    delay: Option<Duration>,
    /// The wait the last answer earned (the server sleeps it before
    /// answering, without holding up other connections).
    owed: Duration,
    flag: String,
}

fn new_oracle(setup: &Setup<'_>) -> Box<dyn Oracle> {
    let delay = (!setup.authenticated).then_some(setup.delay.unwrap_or(DEFAULT_DELAY));
    let key = setup.secret.mac_key(NAME, setup.student);
    Box::new(Victim { key, delay, owed: Duration::ZERO, flag: setup.flag(NAME) })
}

impl Victim {
    fn tag(&self, file: &str) -> [u8; TAG] {
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&*self.key).expect("any key length");
        mac.update(file.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG];
        tag.copy_from_slice(&full[..TAG]);
        tag
    }

    /// Whether `given` is `file`'s tag. INSECURE with a delay: byte by
    /// byte, stopping at the first difference, one delay owed per match.
    fn check(&mut self, file: &str, given: &[u8]) -> bool {
        let right = self.tag(file);
        match self.delay {
            None => given.len() == TAG && bool::from(given.ct_eq(&right)),
            Some(delay) => {
                for (i, &b) in right.iter().enumerate() {
                    if given.get(i) != Some(&b) {
                        return false;
                    }
                    self.owed += delay;
                }
                given.len() == TAG
            }
        }
    }
}

impl Oracle for Victim {
    fn answer(&mut self, verb: &str, arg: &str) -> Option<String> {
        Some(match verb {
            "tag" if arg == FLAG_FILE => error("not the tag of flag.txt: that is the challenge"),
            "tag" if arg.is_empty() || arg.contains(' ') => error("tag takes one file name"),
            "tag" => hex::encode(self.tag(arg)),
            "read" => {
                let Some((file, tag)) = arg.split_once(' ') else {
                    return Some(error("read takes a file name and a hex tag: read FILE TAGHEX"));
                };
                match parse_hex(tag.trim(), TAG).map(|tag| self.check(file, &tag)) {
                    Ok(true) if file == FLAG_FILE => format!("{file}: {}", self.flag),
                    Ok(true) => format!("{}: (empty)", crate::events::visible(file)),
                    Ok(false) => "bad tag".to_string(),
                    Err(e) => error(&e),
                }
            }
            _ => return None,
        })
    }

    fn take_delay(&mut self) -> Duration {
        std::mem::take(&mut self.owed)
    }
}

/// How many times a byte is asked again before the attack gives up.
const RETRIES: usize = 3;

/// The built-in solution: per byte, all 256 guesses at once, the slowest.
fn solve(client: &mut Client, say: Narrate<'_>) -> Result<Solved, SolveError> {
    let target = client.target().to_string();
    let student = client.student().map(str::to_string);
    // 256 connections, one per guess, opened once.
    let mut conns: Vec<Client> =
        (0..256).map(|_| Client::connect(&target, student.as_deref())).collect::<Result<_, _>>()?;
    say(
        "Per tag byte: all 256 guesses at once, one connection each; the slowest answer wins if it stands out \
         of the others by more than 8 times their spread (median absolute deviation).",
    );
    let mut known: Vec<u8> = Vec::with_capacity(TAG);
    let mut requests = 0u64;
    while known.len() < TAG {
        let k = known.len();
        let mut found = None;
        for attempt in 0..RETRIES {
            let times = time_guesses(&mut conns, &known)?;
            requests += 256;
            let mut order: Vec<usize> = (0..256).collect();
            order.sort_by(|&a, &b| times[b].cmp(&times[a]));
            let (best, second) = (times[order[0]], times[order[1]]);
            let mut rest: Vec<Duration> = order[1..].iter().map(|&g| times[g]).collect();
            rest.sort();
            let median = rest[rest.len() / 2];
            let mut dev: Vec<Duration> = rest.iter().map(|&t| t.abs_diff(median)).collect();
            dev.sort();
            let mad = dev[dev.len() / 2];
            let gap = best.saturating_sub(second);
            let stands_out = gap > mad * 8 && gap > Duration::from_millis(1);
            say(&format!(
                "  byte {k}{}: {:02x} took {:.1} ms; next {:.1}, median {:.1}, spread {:.2} ms{}",
                if attempt > 0 { format!(" (again, {})", attempt + 1) } else { String::new() },
                order[0],
                ms(best),
                ms(second),
                ms(median),
                ms(mad),
                if stands_out { "" } else { ": too close, asking again" }
            ));
            if stands_out {
                found = Some(order[0] as u8);
                break;
            }
        }
        match found {
            Some(b) => known.push(b),
            None => {
                return Err(SolveError::Refused(format!(
                    "REFUSED: at tag byte {k} no guess stood out of the others' timing, {RETRIES} times \
                     (a constant-time comparison leaks nothing)"
                )));
            }
        }
    }
    let answer = client.ask(&format!("read {FLAG_FILE} {}", hex::encode(&known)))?;
    say(&format!("The tag {}: {}", hex::encode(&known), crate::events::visible(&answer)));
    match find_flag(&answer) {
        Some(flag) => Ok(Solved { flag: flag.to_string(), requests: client.requests() + requests }),
        None => Err(SolveError::Refused(format!(
            "REFUSED: the tag found by timing was wrong: {}",
            crate::events::visible(&answer)
        ))),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Sends `read flag.txt known ‖ g ‖ 0…` for every g at once and returns
/// each answer's time.
fn time_guesses(conns: &mut [Client], known: &[u8]) -> Result<Vec<Duration>, SolveError> {
    std::thread::scope(|s| {
        let handles: Vec<_> = conns
            .iter_mut()
            .enumerate()
            .map(|(g, c)| {
                s.spawn(move || {
                    let mut tag = known.to_vec();
                    tag.push(g as u8);
                    tag.resize(TAG, 0);
                    let start = Instant::now();
                    let answer = c.ask(&format!("read {FLAG_FILE} {}", hex::encode(&tag)))?;
                    let elapsed = start.elapsed();
                    // A wrong tag, or (the last byte right) the flag: anything
                    // else is not this challenge's server.
                    if answer != "bad tag" && !answer.starts_with("flag.txt: ") {
                        return Err(SolveError::Protocol(crate::events::visible(&answer)));
                    }
                    Ok(elapsed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(SolveError::Protocol("a thread".into()))))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::Secret;

    #[test]
    fn the_wait_owed_is_one_delay_per_matching_byte_and_none_in_constant_time() {
        let secret = Secret::from_bytes([1; 32]);
        let delay = Duration::from_millis(7);
        for authenticated in [false, true] {
            let setup = Setup { secret: &secret, student: "alice", authenticated, delay: Some(delay) };
            let mut v = new_oracle(&setup);
            let right = hex::decode(v.answer("tag", "notes.txt").unwrap()).unwrap();
            for matching in 0..=TAG {
                let mut guess = right.clone();
                if matching < TAG {
                    guess[matching] ^= 1;
                }
                let answer = v.answer("read", &format!("notes.txt {}", hex::encode(&guess))).unwrap();
                assert_eq!(answer == "notes.txt: (empty)", matching == TAG, "{answer}");
                let owed = v.take_delay();
                let expected = if authenticated { Duration::ZERO } else { delay * matching as u32 };
                assert_eq!(owed, expected, "{matching} bytes matching, authenticated {authenticated}");
            }
        }
    }
}
