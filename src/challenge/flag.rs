//! Flags: one per challenge and student, derived from an instructor secret,
//! so students cannot share them and the instructor can check them offline.
//!
//! The instructor secret is 32 random bytes, written as 64 hex digits in a
//! file of mode 0600 (`cryptolab-challenge.secret` unless `--secret FILE`
//! says otherwise; created on first use, so a student practising alone
//! needs nothing). Everything else comes from it with HMAC-SHA256 (RFC 2104)
//! over a label, the challenge's name and the student's name:
//!
//! ```text
//! flag = "cryptolab{" ‖ challenge ‖ ":" ‖ hex(HMAC(secret, "flag" ‖ 0 ‖ challenge ‖ 0 ‖ student ‖ 0)[..12]) ‖ "}"
//! key  = HMAC(secret, "key"  ‖ 0 ‖ challenge ‖ 0 ‖ student ‖ 0)[..16]      the server's AES-128 key
//! mac  = HMAC(secret, "mac"  ‖ 0 ‖ challenge ‖ 0 ‖ student ‖ 0)             its HMAC key (authenticated variants)
//! seed = HMAC(secret, LABEL  ‖ 0 ‖ challenge ‖ 0 ‖ student ‖ 0)             a victim's own randomness (a prefix)
//! ```
//!
//! The labels keep them apart (a flag never equals a key prefix), and
//! the zero bytes keep `("ab", "c")` apart from `("a", "bc")`. 96 bits of
//! flag cannot be guessed; [`check`] compares in constant time (`subtle`)
//! and says only right or wrong, never which part differed.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use rand::Rng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The secret file used when `--secret` is not given.
pub const DEFAULT_SECRET_FILE: &str = "cryptolab-challenge.secret";

/// Bytes of a flag's tag (printed as twice as many hex digits).
const FLAG_TAG: usize = 12;

/// The longest student name, in characters.
pub const MAX_STUDENT: usize = 64;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// What can go wrong with the secret file or a student's name.
#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    /// The secret file could not be read or created.
    #[error("cannot use the instructor secret `{}`: {err}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        err: io::Error,
    },
    /// The file is not 64 hex digits. (Its content is never quoted.)
    #[error("the instructor secret `{}` is not 64 hex digits on one line", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
    },
    /// A student name that is empty, too long or has other characters.
    #[error("the student name `{shown}` is not 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    Student {
        /// The name as given, control characters made visible.
        shown: String,
    },
}

/// The instructor secret, wiped from memory when dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<[u8; 32]>);

impl Secret {
    /// A secret from its 32 bytes (tests and examples).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    /// Reads the secret from `path`, creating it (mode 0600, 32 random
    /// bytes) if it does not exist. Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), FlagError> {
        match fs::read(path) {
            Ok(text) => Ok((Self::parse(&text, path)?, false)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                rand::rng().fill_bytes(&mut *bytes);
                let io = |err| FlagError::Io { path: path.into(), err };
                // Written whole to a file of our own, then linked into
                // place, so two servers starting at once never read half a
                // secret: the second link fails, and that one reads the first's.
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                let mut opts = OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let written = opts.open(&tmp).and_then(|mut file| {
                    let text = Zeroizing::new(format!("{}\n", hex::encode(*bytes)));
                    file.write_all(text.as_bytes())?;
                    file.sync_all()
                });
                let linked = written.and_then(|()| fs::hard_link(&tmp, path));
                let _ = fs::remove_file(&tmp);
                match linked {
                    Ok(()) => Ok((Secret(bytes), true)),
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok((Self::load(path)?, false)),
                    Err(err) => Err(io(err)),
                }
            }
            Err(err) => Err(FlagError::Io { path: path.into(), err }),
        }
    }

    /// Reads an existing secret file (for `check`, which must not invent a
    /// secret the servers never used).
    pub fn load(path: &Path) -> Result<Self, FlagError> {
        let text = fs::read(path).map_err(|err| FlagError::Io { path: path.into(), err })?;
        Self::parse(&text, path)
    }

    fn parse(text: &[u8], path: &Path) -> Result<Self, FlagError> {
        let malformed = || FlagError::Malformed { path: path.into() };
        let text = std::str::from_utf8(text).map_err(|_| malformed())?.trim();
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text, &mut *bytes).map_err(|_| malformed())?;
        Ok(Secret(bytes))
    }

    fn derive(&self, label: &str, challenge: &str, student: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&*self.0).expect("HMAC takes any key length");
        for part in [label, challenge, student] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        Zeroizing::new(mac.finalize().into_bytes().into())
    }

    /// The flag of `challenge` for `student`.
    pub fn flag(&self, challenge: &str, student: &str) -> String {
        let tag = self.derive("flag", challenge, student);
        format!("cryptolab{{{challenge}:{}}}", hex::encode(&tag[..FLAG_TAG]))
    }

    /// The AES-128 key of `challenge`'s server for `student`.
    pub fn key(&self, challenge: &str, student: &str) -> Zeroizing<[u8; 16]> {
        let full = self.derive("key", challenge, student);
        let mut key = Zeroizing::new([0u8; 16]);
        key.copy_from_slice(&full[..16]);
        key
    }

    /// The HMAC key of `challenge`'s authenticated variant for `student`.
    pub fn mac_key(&self, challenge: &str, student: &str) -> Zeroizing<[u8; 32]> {
        self.derive("mac", challenge, student)
    }

    /// 32 bytes for a victim's own use under `label` (a random prefix's
    /// seed), fixed per challenge and student. `label` is never `flag`,
    /// `key` or `mac`.
    pub fn seed(&self, label: &str, challenge: &str, student: &str) -> Zeroizing<[u8; 32]> {
        assert!(!matches!(label, "flag" | "key" | "mac"), "a seed has a label of its own");
        self.derive(label, challenge, student)
    }
}

/// Whether `flag` is `challenge`'s flag for `student`, compared in constant
/// time. Surrounding whitespace is ignored.
pub fn check(secret: &Secret, challenge: &str, student: &str, flag: &str) -> bool {
    let right = secret.flag(challenge, student);
    let given = flag.trim().as_bytes();
    given.len() == right.len() && bool::from(given.ct_eq(right.as_bytes()))
}

/// Checks a student's name: 1 to [`MAX_STUDENT`] ASCII letters, digits,
/// `.`, `_`, `-` or `@` (so it can be typed, and never forges a line).
pub fn check_student(name: &str) -> Result<&str, FlagError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if !name.is_empty() && name.chars().count() <= MAX_STUDENT && name.chars().all(ok) {
        Ok(name)
    } else {
        Err(FlagError::Student { shown: crate::events::visible(name).chars().take(80).collect() })
    }
}

/// Finds the first flag in `text` (`cryptolab{…}`), if any.
pub fn find_flag(text: &str) -> Option<&str> {
    let start = text.find("cryptolab{")?;
    let end = text[start..].find('}')? + start + 1;
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_differ_per_student_and_challenge_and_check_only_the_right_one() {
        let s = Secret::from_bytes([7; 32]);
        let alice = s.flag("padding-oracle", "alice");
        assert!(alice.starts_with("cryptolab{padding-oracle:") && alice.ends_with('}'), "{alice}");
        assert_eq!(alice.len(), "cryptolab{padding-oracle:}".len() + 2 * FLAG_TAG);
        assert_ne!(alice, s.flag("padding-oracle", "bob"));
        assert_ne!(alice, s.flag("ecb-byte-at-a-time", "alice"));
        assert!(check(&s, "padding-oracle", "alice", &format!(" {alice}\n")));
        assert!(!check(&s, "padding-oracle", "bob", &alice));
        assert!(!check(&s, "padding-oracle", "alice", &alice[..alice.len() - 1]));
        assert!(!check(&Secret::from_bytes([8; 32]), "padding-oracle", "alice", &alice));
        // The zero separators: ("ab", "c") is not ("a", "bc").
        assert_ne!(s.flag("ab", "c")[..], s.flag("a", "bc")[..]);
        assert_eq!(find_flag(&format!("xx {alice} yy")), Some(alice.as_str()));
    }

    #[test]
    fn student_names_are_plain() {
        assert!(check_student("alice.smith@uni-x_2").is_ok());
        for bad in ["", "a b", "bob\n", "é", &"x".repeat(65)] {
            assert!(check_student(bad).is_err(), "{bad:?}");
        }
    }
}
