//! `rsa-gcm-json`: RSA key transport, then AES-256-GCM messages in JSON,
//! each signed with RSA-PSS.
//!
//! ```text
//! client                                         server
//!   -> client public key, PEM (SPKI)
//!   <- server public key, PEM (SPKI)
//!   -> RSA-OAEP(server key, 32-byte AES key)      (SHA-256, MGF1-SHA-256, no label)
//!   -> {"nonce": b64(12), "ciphertext": b64(C ‖ tag), "signature": b64(PSS(P))}
//!   <- the same shape, the reply
//! ```
//!
//! Standards: RSA-OAEP and RSASSA-PSS per RFC 8017 (§7.1, §8.1), with SHA-256
//! and the largest salt PSS allows (`em_len − 32 − 2` bytes: 222 for
//! RSA-2048); AES-GCM per NIST SP 800-38D; keys as SubjectPublicKeyInfo PEM
//! (RFC 5280, RFC 7468). All of it is the `rsa`, `aes-gcm` and `sha2` crates:
//! this file only composes them.
//!
//! What it gets wrong is the lesson: nothing authenticates the public keys,
//! so whoever sits in the middle at the handshake can hand each side its own
//! key and read everything; and the signature covers only the plaintext, not
//! a sequence number or direction, so a signed message can be replayed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::CryptoRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey, pss, traits::PublicKeyParts};
use sha2::{Digest, Sha256};

use super::{Close, Dissected, Flow, FormatSpec, Next, ProfileError};
use crate::render::{Span, SpanKind};
use crate::suite::layout::block_spans;
use crate::suite::{Cipher, Suite};

/// The format's table row.
pub const SPEC: FormatSpec = FormatSpec {
    name: "rsa-gcm-json",
    about: "RSA-OAEP key transport, then JSON {nonce, ciphertext, signature}, AES-256-GCM + RSA-PSS",
    flow: Flow::LockStep,
    close: Close::Silent,
    suite: Suite::Gcm,
    fixed_bits: Some(256),
    text: true,
    settles: false,
    handshake: true,
    insecure: None,
    weakness: "the public keys are not authenticated (a man in the middle can swap them); no sequence numbers",
    closed_hint: "the server may have refused the message: see its log",
    silent_hint: "the server may be waiting for its operator to type a reply; raise --timeout",
};

/// The largest PEM public key accepted in the handshake.
pub const MAX_PEM: usize = 16 * 1024;

/// The RSA key size the format uses.
pub const RSA_BITS: usize = 2048;

/// Public keys accepted from a peer: 2048 to 4096 bits.
const PEER_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// The largest PSS salt for `key` with SHA-256 (RFC 8017 §9.1.1).
fn max_salt(key: &RsaPublicKey) -> usize {
    let em_len = (key.n().bits() as usize - 1).div_ceil(8);
    em_len - 32 - 2
}

/// A short public name for a public key: 16 hex digits of SHA-256(SPKI DER).
pub fn fingerprint(key: &RsaPublicKey) -> String {
    let der = key.to_public_key_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    hex::encode(&Sha256::digest(&der)[..8])
}

/// Parses a peer's PEM public key, checking its size.
pub fn parse_public_pem(pem: &[u8]) -> Result<RsaPublicKey, ProfileError> {
    let text = std::str::from_utf8(pem).map_err(|_| ProfileError::NotPem("not UTF-8 text".into()))?;
    let key =
        RsaPublicKey::from_public_key_pem(text.trim()).map_err(|e| ProfileError::NotPem(e.to_string()))?;
    let bits = key.n().bits() as usize;
    if !PEER_BITS.contains(&bits) {
        return Err(ProfileError::NotPem(format!("an RSA-{bits} key; 2048 to 4096 bits are accepted")));
    }
    Ok(key)
}

/// One side's RSA key pair.
pub struct Identity {
    private: RsaPrivateKey,
    public: RsaPublicKey,
}

impl Identity {
    /// A fresh RSA-2048 key pair.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let private = RsaPrivateKey::new(rng, RSA_BITS).expect("RSA-2048 key generation");
        let public = RsaPublicKey::from(&private);
        Identity { private, public }
    }

    /// A key pair from PKCS#8 PEM text (`openssl genpkey -algorithm RSA`).
    pub fn from_pkcs8_pem(text: &str) -> Result<Self, String> {
        // Say what the file is before the PEM decoder does: its errors are
        // about its own state ("PEM preamble contains invalid data (NUL
        // byte)" for a file with no PEM in it at all).
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return Err("a PKCS#1 key (BEGIN RSA PRIVATE KEY), not PKCS#8: convert it with \
                        `openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW`"
                .into());
        }
        if !text.contains("-----BEGIN PRIVATE KEY-----") {
            return Err("not a PKCS#8 RSA private key: no `-----BEGIN PRIVATE KEY-----` line".into());
        }
        let private =
            RsaPrivateKey::from_pkcs8_pem(text).map_err(|e| format!("not a PKCS#8 RSA private key: {e}"))?;
        let public = RsaPublicKey::from(&private);
        let bits = public.n().bits() as usize;
        if !PEER_BITS.contains(&bits) {
            return Err(format!("an RSA-{bits} key; 2048 to 4096 bits are accepted"));
        }
        Ok(Identity { private, public })
    }

    /// The public key as PEM (SubjectPublicKeyInfo), as sent in the handshake.
    pub fn public_pem(&self) -> String {
        self.public.to_public_key_pem(LineEnding::LF).expect("an RSA public key encodes")
    }

    /// The public key's fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public)
    }

    /// The size of an RSA-OAEP ciphertext to this key, in bytes.
    pub fn oaep_len(&self) -> usize {
        self.public.size()
    }

    /// Unwraps the session key the client sent (server side).
    pub fn unwrap_key(&self, wrapped: &[u8]) -> Result<[u8; 32], ProfileError> {
        let key = self.private.decrypt(Oaep::<Sha256>::new(), wrapped).map_err(|_| {
            ProfileError::KeyTransport("RSA-OAEP decryption failed (not encrypted to our key?)".into())
        })?;
        key.try_into().map_err(|k: Vec<u8>| {
            ProfileError::KeyTransport(format!("the session key is {} bytes, AES-256 needs 32", k.len()))
        })
    }

    /// The session between this identity and a peer, under `key`.
    pub fn session(&self, peer: &RsaPublicKey, key: [u8; 32]) -> Session {
        Session {
            key,
            signer: pss::SigningKey::new_with_salt_len(self.private.clone(), max_salt(&self.public)),
            verifier: pss::VerifyingKey::new_with_salt_len(peer.clone(), max_salt(peer)),
        }
    }
}

/// Wraps a fresh session key to the server's public key (client side).
/// The server's key comes from the peer: a failure is its error, not a panic.
pub fn wrap_key<R: CryptoRng + ?Sized>(
    server: &RsaPublicKey,
    key: &[u8; 32],
    rng: &mut R,
) -> Result<Vec<u8>, ProfileError> {
    server
        .encrypt(rng, Oaep::<Sha256>::new(), key)
        .map_err(|e| ProfileError::KeyTransport(format!("RSA-OAEP to the server's key failed: {e}")))
}

/// An established `rsa-gcm-json` session: the AES-256 key, our signing key,
/// the peer's verifying key. The AES key is overwritten with zeros on drop.
pub struct Session {
    key: [u8; 32],
    signer: pss::SigningKey<Sha256>,
    verifier: pss::VerifyingKey<Sha256>,
}

impl Drop for Session {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl zeroize::ZeroizeOnDrop for Session {}

impl Session {
    /// The AES-256-GCM cipher under the session key.
    pub fn gcm(&self) -> Cipher {
        Cipher::new(Suite::Gcm, &self.key, None).expect("32-byte key")
    }

    /// Seals and signs `text` as one JSON message.
    pub fn seal<R: CryptoRng + ?Sized>(&self, text: &[u8], rng: &mut R) -> Vec<u8> {
        let body = self.gcm().seal(&[], text, rng);
        let signature = self.signer.sign_with_rng(rng, text).to_vec();
        Fields { nonce: body[..12].to_vec(), ciphertext: body[12..].to_vec(), signature }.to_json()
    }

    /// Opens one JSON message: decrypts, then verifies the signature over the plaintext.
    pub fn open(&self, msg: &[u8]) -> Result<Vec<u8>, ProfileError> {
        let f = Fields::parse(msg)?;
        if f.nonce.len() != 12 {
            return Err(ProfileError::Json(format!("nonce is {} bytes, GCM here uses 12", f.nonce.len())));
        }
        if f.ciphertext.len() < 16 {
            return Err(ProfileError::Json(format!(
                "ciphertext is {} bytes, shorter than the tag",
                f.ciphertext.len()
            )));
        }
        let body = [&f.nonce[..], &f.ciphertext].concat();
        let text = self.gcm().open(&[], &body).map_err(|_| ProfileError::BadTag)?;
        let sig = pss::Signature::try_from(&f.signature[..]).map_err(|_| ProfileError::BadSignature)?;
        self.verifier.verify(&text, &sig).map_err(|_| ProfileError::BadSignature)?;
        Ok(text)
    }
}

/// The three fields of a message, base64-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// The 12-byte GCM nonce.
    pub nonce: Vec<u8>,
    /// GCM ciphertext ‖ 16-byte tag.
    pub ciphertext: Vec<u8>,
    /// RSA-PSS signature over the plaintext.
    pub signature: Vec<u8>,
}

impl Fields {
    /// Parses a JSON message; a `{"error": …}` reply is reported as what it says.
    pub fn parse(msg: &[u8]) -> Result<Self, ProfileError> {
        let v: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ProfileError::Json(e.to_string()))?;
        if let Some(err) = v.get("error") {
            return Err(ProfileError::PeerSaid(err.as_str().map_or_else(|| err.to_string(), str::to_string)));
        }
        let field = |name: &str| -> Result<Vec<u8>, ProfileError> {
            let s = v
                .get(name)
                .and_then(|f| f.as_str())
                .ok_or_else(|| ProfileError::Json(format!("no string field \"{name}\"")))?;
            B64.decode(s).map_err(|e| ProfileError::Json(format!("\"{name}\" is not base64: {e}")))
        };
        Ok(Fields {
            nonce: field("nonce")?,
            ciphertext: field("ciphertext")?,
            signature: field("signature")?,
        })
    }

    /// The message as JSON text.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::json!({
            "nonce": B64.encode(&self.nonce),
            "ciphertext": B64.encode(&self.ciphertext),
            "signature": B64.encode(&self.signature),
        })
        .to_string()
        .into_bytes()
    }

    /// The decoded fields end to end, labelled.
    pub fn dissect(&self, json_len: usize) -> Dissected {
        let bytes = [&self.nonce[..], &self.ciphertext, &self.signature].concat();
        let n = self.nonce.len();
        let c = self.ciphertext.len();
        let tag = c.min(16);
        let mut spans = vec![Span::new("nonce", SpanKind::Nonce, 0..n)];
        spans.extend(block_spans("ct", SpanKind::Ciphertext, n..n + c - tag));
        spans.push(Span::new("tag", SpanKind::Tag, n + c - tag..n + c).with_note("GCM tag"));
        spans.push(
            Span::new("sig", SpanKind::Tag, n + c..bytes.len()).with_note("RSA-PSS over the plaintext"),
        );
        let summary = format!(
            "JSON, {json_len} bytes: nonce {n}, ciphertext {}, tag {tag}, signature {} (decoded)",
            c - tag,
            self.signature.len()
        );
        Dissected { wire: "rsa-gcm-json", bytes, spans, summary }
    }

    /// The JSON message with the decoded bytes replaced by `changed`, cut at
    /// the original field sizes (a shorter `changed` shortens the last fields).
    pub fn reassemble(&self, changed: &[u8]) -> Vec<u8> {
        let n = self.nonce.len().min(changed.len());
        let c = self.ciphertext.len().min(changed.len() - n);
        Fields {
            nonce: changed[..n].to_vec(),
            ciphertext: changed[n..n + c].to_vec(),
            signature: changed[n + c..].to_vec(),
        }
        .to_json()
    }
}

/// Finds the end of a PEM public key (the handshake's first part).
pub fn next_pem(buf: &[u8], ws: usize, settled: bool) -> Next {
    const BEGIN: &[u8] = b"-----BEGIN PUBLIC KEY-----";
    const END: &[u8] = b"-----END PUBLIC KEY-----";
    let s = &buf[ws..];
    let n = s.len().min(BEGIN.len());
    if s[..n] != BEGIN[..n] {
        let shown = String::from_utf8_lossy(&s[..s.len().min(24)]).escape_debug().to_string();
        return Next::Bad {
            error: ProfileError::NotPem(format!(
                "it starts with \"{shown}\", not -----BEGIN PUBLIC KEY-----"
            )),
            consumed: buf.len(),
        };
    }
    if let Some(at) = s.windows(END.len()).position(|w| w == END) {
        let mut end = at + END.len();
        if s.get(end) == Some(&b'\r') {
            end += 1;
        }
        if s.get(end) == Some(&b'\n') {
            end += 1;
        }
        return Next::Message { range: ws..ws + end, consumed: ws + end, note: None };
    }
    if s.len() > MAX_PEM {
        return Next::Bad {
            error: ProfileError::NotPem(format!("no END line within {MAX_PEM} bytes")),
            consumed: buf.len(),
        };
    }
    if settled && !s.is_empty() {
        return Next::Bad {
            error: ProfileError::Truncated(format!("PEM of {} bytes has no END line", s.len())),
            consumed: buf.len(),
        };
    }
    Next::NeedMore
}

/// Finds the end of one JSON value (a message).
pub fn next(buf: &[u8], ws: usize, settled: bool, max: usize) -> Next {
    let s = &buf[ws..];
    if s.is_empty() {
        return Next::NeedMore;
    }
    let mut stream = serde_json::Deserializer::from_slice(s).into_iter::<serde::de::IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => {
            let end = ws + stream.byte_offset();
            Next::Message { range: ws..end, consumed: end, note: None }
        }
        Some(Err(e)) if e.is_eof() => {
            if s.len() > max {
                Next::Bad { error: ProfileError::TooLong { len: s.len(), max }, consumed: buf.len() }
            } else if settled {
                Next::Bad {
                    error: ProfileError::Truncated(format!("JSON value incomplete after {} bytes", s.len())),
                    consumed: buf.len(),
                }
            } else {
                Next::NeedMore
            }
        }
        Some(Err(e)) => Next::Bad { error: ProfileError::Json(e.to_string()), consumed: buf.len() },
        None => Next::NeedMore,
    }
}

/// The handshake's PEM, as a keyless observer sees it.
pub fn dissect_pem(msg: &[u8]) -> Dissected {
    let summary = match parse_public_pem(msg) {
        Ok(key) => format!("RSA public key, PEM (SPKI), fingerprint {}", fingerprint(&key)),
        Err(e) => e.to_string(),
    };
    Dissected {
        wire: "",
        bytes: msg.to_vec(),
        spans: vec![Span::new("pem", SpanKind::Data, 0..msg.len()).with_note("public key, sent in clear")],
        summary,
    }
}

/// The handshake's wrapped session key, as a keyless observer sees it.
pub fn dissect_wrapped(n: usize, msg: &[u8]) -> Dissected {
    Dissected {
        wire: "",
        bytes: msg.to_vec(),
        spans: vec![
            Span::new("oaep", SpanKind::Data, 0..msg.len()).with_note("AES-256 session key under RSA-OAEP"),
        ],
        summary: format!("{n}-byte RSA-OAEP ciphertext of the AES-256 session key"),
    }
}

/// A JSON message's fields, decoded, without a key.
pub fn dissect(msg: &[u8]) -> Dissected {
    match Fields::parse(msg) {
        Ok(f) => f.dissect(msg.len()),
        Err(e) => Dissected::raw(msg, e.to_string()),
    }
}

/// The JSON message rebuilt after its decoded bytes were changed.
pub fn reassemble(original: &[u8], changed: &[u8]) -> Vec<u8> {
    match Fields::parse(original) {
        Ok(f) => f.reassemble(changed),
        Err(_) => changed.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_seals_opens_and_refuses_tampering() {
        let mut rng: rand::rngs::ChaCha20Rng = rand::SeedableRng::seed_from_u64(1);
        let (a, b) = (Identity::generate(&mut rng), Identity::generate(&mut rng));
        let b_pub = parse_public_pem(b.public_pem().as_bytes()).unwrap();
        let a_pub = parse_public_pem(a.public_pem().as_bytes()).unwrap();
        let key = [7u8; 32];
        let wrapped = wrap_key(&b_pub, &key, &mut rng).unwrap();
        assert_eq!(wrapped.len(), b.oaep_len());
        assert_eq!(b.unwrap_key(&wrapped).unwrap(), key);
        let (sa, sb) = (a.session(&b_pub, key), b.session(&a_pub, key));
        for text in [&b""[..], b"x", "h\u{e9}llo".as_bytes(), &[b'k'; 5000]] {
            let msg = sa.seal(text, &mut rng);
            assert_eq!(sb.open(&msg).unwrap(), text);
        }
        let msg = sa.seal(b"pay 10", &mut rng);
        let mut f = Fields::parse(&msg).unwrap();
        f.ciphertext[0] ^= 1;
        assert_eq!(sb.open(&f.to_json()), Err(ProfileError::BadTag));
        // Signed by the wrong key: the session key is right, the signature is not.
        let c = Identity::generate(&mut rng);
        let forged = c.session(&b_pub, key).seal(b"pay 10", &mut rng);
        assert_eq!(sb.open(&forged), Err(ProfileError::BadSignature));
        assert!(matches!(
            parse_public_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
            Err(ProfileError::NotPem(_))
        ));
    }
}
