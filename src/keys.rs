//! Keys: where they come from, how they are stored, how they are shown.
//!
//! Every suite uses one AES key (`enc`, 16/24/32 bytes for AES-128/192/256);
//! `cbc-hmac` also uses an independent HMAC-SHA256 key (`mac`, 32 bytes when
//! generated, any length accepted). Using one key for both jobs is a classic
//! mistake: the two keys are generated separately and stored separately.
//!
//! Sources, in order of precedence (see [`KeySpec`]):
//! 1. `--key HEX` / `--key text:LITERAL` (+ `--mac-key …`) on the command line
//!    — `text:` takes the bytes of the literal, as classroom programs do with
//!    keys like `Sixteen byte key`;
//! 2. `--key-file FILE`;
//! 3. `./cryptolab.key`, created on first use by the commands that may create it.
//!
//! A key file is plain text, written with mode 0600 (owner only) and never
//! overwritten without `--force`:
//!
//! ```text
//! # cryptolab key file — keep it secret (mode 0600).
//! enc = 000102030405060708090a0b0c0d0e0f
//! mac = 8f3c…(64 hex digits)
//! ```
//!
//! Keys are never printed, and neither is anything that may be one: an error
//! about a key file names the file, the line number and what is wrong, never
//! the line; an error about `--key` names the flag, never its value.
//! Output names a key by its [fingerprint](KeyMaterial::fingerprint):
//! the first 8 bytes of a SHA-256 over the key material — enough to tell two
//! keys apart, useless for recovering them.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The key file used when no key is given.
pub const DEFAULT_KEY_FILE: &str = "cryptolab.key";
/// Length of a generated MAC key: HMAC-SHA256's block-size-friendly 32 bytes.
pub const MAC_KEY_LEN: usize = 32;
/// Key files larger than this are refused before being read.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// An AES key and an optional, independent MAC key. Both are overwritten
/// with zeros when the value is dropped ([`ZeroizeOnDrop`]).
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMaterial {
    /// The AES key: 16, 24 or 32 bytes.
    pub enc: Vec<u8>,
    /// The HMAC key for `cbc-hmac`, if any.
    pub mac: Option<Vec<u8>>,
}

impl Zeroize for KeyMaterial {
    fn zeroize(&mut self) {
        self.enc.zeroize();
        self.mac.zeroize();
    }
}

impl Drop for KeyMaterial {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for KeyMaterial {}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key bytes, not even in debug output.
        write!(f, "KeyMaterial(AES-{}, fp {})", self.enc.len() * 8, self.fingerprint())
    }
}

impl KeyMaterial {
    /// Fresh random keys: an AES key of `bits` and a 32-byte MAC key.
    pub fn generate<R: CryptoRng + ?Sized>(bits: u16, rng: &mut R) -> Self {
        let mut enc = vec![0u8; usize::from(bits / 8)];
        let mut mac = vec![0u8; MAC_KEY_LEN];
        rng.fill_bytes(&mut enc);
        rng.fill_bytes(&mut mac);
        KeyMaterial { enc, mac: Some(mac) }
    }

    /// The AES key size in bits.
    pub fn bits(&self) -> usize {
        self.enc.len() * 8
    }

    /// The MAC key as a slice, if present.
    pub fn mac(&self) -> Option<&[u8]> {
        self.mac.as_deref()
    }

    /// A short public name for these keys: 16 hex digits of
    /// SHA-256("cryptolab key fingerprint" ‖ len ‖ enc ‖ len ‖ mac).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"cryptolab key fingerprint");
        h.update((self.enc.len() as u64).to_be_bytes());
        h.update(&self.enc);
        let mac = self.mac().unwrap_or_default();
        h.update((mac.len() as u64).to_be_bytes());
        h.update(mac);
        hex::encode(&h.finalize()[..8])
    }

    /// The key file text for these keys.
    pub fn to_file_text(&self) -> String {
        let mut s = String::new();
        s.push_str("# cryptolab key file — keep it secret (created with mode 0600).\n");
        s.push_str(&format!(
            "# enc: the AES-{} key ({} bytes, hex), used by every suite to encrypt.\n",
            self.bits(),
            self.enc.len()
        ));
        s.push_str("# mac: the HMAC-SHA256 key (hex), used by cbc-hmac to authenticate.\n");
        s.push_str("# The two keys are independent: never use one key for both jobs.\n");
        s.push_str("# Values may also be written text:LITERAL (the literal's bytes).\n");
        s.push_str(&format!("# Fingerprint (safe to share): {}\n", self.fingerprint()));
        s.push_str(&format!("enc = {}\n", hex::encode(&self.enc)));
        if let Some(mac) = &self.mac {
            s.push_str(&format!("mac = {}\n", hex::encode(mac)));
        }
        s
    }
}

/// What went wrong with a key; every variant is a usage/input error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file does not exist.
    #[error("key file {path} not found")]
    FileNotFound {
        /// The file.
        path: PathBuf,
    },
    /// The key file exists but could not be read.
    #[error("cannot read key file {path}: {err}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        err: io::Error,
    },
    /// A line of the key file is not `name = value`.
    #[error("key file {path}, line {line}: {what}")]
    FileSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The key file has no `enc = …` line (it may be empty).
    #[error("key file {path} has no `enc = …` line")]
    NoEncLine {
        /// The file.
        path: PathBuf,
    },
    /// A key value is not hex (nor `text:`).
    #[error("{origin} is not hex: {detail}")]
    NotHex {
        /// Where the key came from (`--key`, `key file X, line 2: the enc key`).
        origin: String,
        /// What is wrong, in words that never quote the value.
        detail: String,
    },
    /// An AES key of the wrong length.
    #[error("{origin} is {len} bytes; expected 16, 24 or 32 bytes (AES-128, AES-192, AES-256)")]
    BadLength {
        /// Where the key came from.
        origin: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A key whose length disagrees with `--bits`.
    #[error("{origin} is a {len}-byte (AES-{}) key, but --bits {bits} asks for AES-{bits}", len * 8)]
    BitsMismatch {
        /// Where the key came from.
        origin: String,
        /// Its length in bytes.
        len: usize,
        /// What `--bits` asked for.
        bits: u16,
    },
    /// An empty MAC key.
    #[error("{origin} is empty")]
    EmptyMacKey {
        /// Where the key came from.
        origin: String,
    },
    /// `keygen` (or key creation) would overwrite an existing file.
    #[error("key file {path} already exists")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The key file could not be written.
    #[error("cannot write key file {path}: {err}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        err: io::Error,
    },
}

impl KeyError {
    /// The second line of the message: what to do about it.
    pub fn hint(&self) -> String {
        match self {
            KeyError::FileNotFound { .. } => {
                "both sides need the same key: run `cryptolab keygen` once and copy the file, or pass --key-file FILE".into()
            }
            KeyError::Unreadable { path, .. } => {
                format!("check that {} is a readable file", path.display())
            }
            KeyError::FileSyntax { .. } | KeyError::NoEncLine { .. } => {
                "each line must be `enc = HEX` or `mac = HEX` (or a # comment); `cryptolab keygen` writes a valid file".into()
            }
            KeyError::NotHex { .. } => {
                "write keys as hex digits (e.g. 000102…0f), or as text:LITERAL for a text key".into()
            }
            KeyError::BadLength { .. } => {
                "give 32, 48 or 64 hex digits, or text: with 16, 24 or 32 characters (e.g. text:Sixteen byte key)".into()
            }
            KeyError::BitsMismatch { .. } => "drop --bits, or give a key of that size".into(),
            KeyError::EmptyMacKey { .. } => "give a non-empty MAC key (32 random bytes is ideal)".into(),
            KeyError::Exists { .. } => {
                "pass --force to replace it (the old key is lost), or --out OTHER_FILE".into()
            }
            KeyError::Write { .. } => "check the directory exists and is writable".into(),
        }
    }
}

/// Parses a key given on the command line or in a key file: `text:LITERAL`
/// (the literal's UTF-8 bytes) or hex (spaces and `:` separators allowed).
pub fn parse_key_value(value: &str, origin: &str) -> Result<Vec<u8>, KeyError> {
    if let Some(text) = value.strip_prefix("text:") {
        return Ok(text.as_bytes().to_vec());
    }
    let digits: String = value.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    hex::decode(&digits).map_err(|e| KeyError::NotHex { origin: origin.into(), detail: hex_problem(&e) })
}

/// What is wrong with a value that is not hex, in words that never quote
/// it: the value may be a key, and an error message may end up in a log or
/// on a projector. A position is given, the character is not.
fn hex_problem(e: &hex::FromHexError) -> String {
    match e {
        hex::FromHexError::InvalidHexCharacter { index, .. } => {
            format!("digit {} is not 0-9 or a-f", index + 1)
        }
        hex::FromHexError::OddLength => "an odd number of hex digits".into(),
        hex::FromHexError::InvalidStringLength => "the wrong number of hex digits".into(),
    }
}

/// Checks an AES key's length (and `--bits`, if given).
pub fn check_aes_key(key: &[u8], origin: &str, bits: Option<u16>) -> Result<(), KeyError> {
    if !matches!(key.len(), 16 | 24 | 32) {
        return Err(KeyError::BadLength { origin: origin.into(), len: key.len() });
    }
    match bits {
        Some(b) if usize::from(b) != key.len() * 8 => {
            Err(KeyError::BitsMismatch { origin: origin.into(), len: key.len(), bits: b })
        }
        _ => Ok(()),
    }
}

/// Reads and validates a key file.
pub fn read_key_file(path: &Path, bits: Option<u16>) -> Result<KeyMaterial, KeyError> {
    let meta = fs::metadata(path).map_err(|err| {
        if err.kind() == io::ErrorKind::NotFound {
            KeyError::FileNotFound { path: path.into() }
        } else {
            KeyError::Unreadable { path: path.into(), err }
        }
    })?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        let err = io::Error::other(if meta.is_file() { "larger than 64 KiB" } else { "not a regular file" });
        return Err(KeyError::Unreadable { path: path.into(), err });
    }
    let text = fs::read(path).map_err(|err| KeyError::Unreadable { path: path.into(), err })?;
    parse_key_file(&text, path, bits)
}

/// Parses and validates the text of a key file (`path` only names it in
/// errors). Pure, so that it can be fuzzed: no input makes it panic, and no
/// error quotes a value from the text.
pub fn parse_key_file(text: &[u8], path: &Path, bits: Option<u16>) -> Result<KeyMaterial, KeyError> {
    let text = String::from_utf8_lossy(text);
    let (mut enc, mut mac) = (None, None);
    // No error below quotes the line: a malformed key file is still a key
    // file, and its "name" may be a bare key. Errors say the file, the line
    // number and what is wrong.
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let syntax = |what: &str| KeyError::FileSyntax { path: path.into(), line: i + 1, what: what.into() };
        let (name, value) = line.split_once('=').ok_or_else(|| syntax("expected `name = value`"))?;
        let (name, value) = (name.trim(), value.trim());
        let (slot, name) = match name {
            "enc" => (&mut enc, "enc"),
            "mac" => (&mut mac, "mac"),
            _ => return Err(syntax("unknown name (expected enc or mac)")),
        };
        if slot.is_some() {
            return Err(syntax(&format!("`{name}` given twice")));
        }
        let origin = format!("key file {}, line {}: the {name} key", path.display(), i + 1);
        *slot = Some((parse_key_value(value, &origin)?, origin));
    }
    let (enc, origin) = enc.ok_or_else(|| KeyError::NoEncLine { path: path.into() })?;
    check_aes_key(&enc, &origin, bits)?;
    let mac = match mac {
        Some((m, origin)) if m.is_empty() => return Err(KeyError::EmptyMacKey { origin }),
        other => other.map(|(m, _)| m),
    };
    Ok(KeyMaterial { enc, mac })
}

/// Writes `keys` to `path` with mode 0600. Refuses to replace an existing
/// file unless `force`.
pub fn write_key_file(path: &Path, keys: &KeyMaterial, force: bool) -> Result<(), KeyError> {
    let mut opts = OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        // create_new: atomic "create or fail", no window for a race.
        opts.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|err| {
        if err.kind() == io::ErrorKind::AlreadyExists {
            KeyError::Exists { path: path.into() }
        } else {
            KeyError::Write { path: path.into(), err }
        }
    })?;
    #[cfg(unix)]
    {
        // A forced overwrite keeps the old file's mode: tighten it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|err| KeyError::Write { path: path.into(), err })?;
    }
    file.write_all(keys.to_file_text().as_bytes()).map_err(|err| KeyError::Write { path: path.into(), err })
}

/// Whether a key file can be read by users other than its owner.
pub fn is_too_open(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Where the keys of a command come from (the key flags, already parsed).
#[derive(Debug, Clone, Default)]
pub struct KeySpec {
    /// `--key-file FILE`.
    pub key_file: Option<PathBuf>,
    /// `--key HEX|text:…`.
    pub key: Option<String>,
    /// `--mac-key HEX|text:…`.
    pub mac_key: Option<String>,
    /// `--bits`: the AES key size wanted, checked against given keys and
    /// used when a key file is created.
    pub bits: Option<u16>,
}

/// How [`KeySpec::resolve`] found the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// From `--key` (and `--mac-key`).
    Flags,
    /// From an existing file.
    File(PathBuf),
    /// A new file was created.
    Created(PathBuf),
}

impl KeySpec {
    /// Finds the keys. With no flag, uses `./cryptolab.key`, creating it
    /// (with fresh random keys) only if `may_create`.
    pub fn resolve(&self, may_create: bool) -> Result<(KeyMaterial, KeyOrigin), KeyError> {
        if let Some(key) = &self.key {
            let enc = parse_key_value(key, "--key")?;
            check_aes_key(&enc, "--key", self.bits)?;
            let mac = self.mac_key.as_deref().map(|m| parse_key_value(m, "--mac-key")).transpose()?;
            if mac.as_ref().is_some_and(Vec::is_empty) {
                return Err(KeyError::EmptyMacKey { origin: "--mac-key".into() });
            }
            return Ok((KeyMaterial { enc, mac }, KeyOrigin::Flags));
        }
        let (path, is_default) = match &self.key_file {
            Some(p) => (p.clone(), false),
            None => (PathBuf::from(DEFAULT_KEY_FILE), true),
        };
        let mut keys = match read_key_file(&path, self.bits) {
            Err(KeyError::FileNotFound { .. }) if is_default && may_create => {
                let keys = KeyMaterial::generate(self.bits.unwrap_or(128), &mut rand::rng());
                write_key_file(&path, &keys, false)?;
                return Ok((keys, KeyOrigin::Created(path)));
            }
            other => other?,
        };
        if let Some(m) = &self.mac_key {
            let mac = parse_key_value(m, "--mac-key")?;
            if mac.is_empty() {
                return Err(KeyError::EmptyMacKey { origin: "--mac-key".into() });
            }
            keys.mac = Some(mac);
        }
        Ok((keys, KeyOrigin::File(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only for types that wipe themselves when dropped.
    fn wiped_on_drop<T: ZeroizeOnDrop>() {}

    #[test]
    fn key_material_is_wiped_on_drop() {
        wiped_on_drop::<KeyMaterial>();
        let mut keys = KeyMaterial::generate(128, &mut rand::rng());
        keys.zeroize();
        assert!(keys.enc.is_empty() && keys.mac.is_none());
    }

    #[test]
    fn the_expanded_keys_wipe_themselves_too() {
        // The copies that live longest, in every suite::Cipher: AES round
        // keys and AES-GCM's state (the crates' zeroize features).
        wiped_on_drop::<aes::Aes128>();
        wiped_on_drop::<aes::Aes256>();
        wiped_on_drop::<aes_gcm::Aes256Gcm>();
    }
}
