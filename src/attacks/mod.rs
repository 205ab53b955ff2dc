//! The attacks, one file each, written like a textbook page:
//! **setup** (a victim seals something), **attack** (using only what an
//! attacker has: captured bytes, and an oracle — a closure or a socket that
//! answers yes/no), **verify** (did it work? against the weak suite it must;
//! against the authenticated ones it must not).
//!
//! | demo | what breaks | why | what stops it |
//! |---|---|---|---|
//! | [`ecb_image`] | ecb: the picture shows through its own ciphertext | equal blocks → equal ciphertext blocks | any mode with an IV or nonce (cbc, gcm) |
//! | [`ecb_byte_at_a_time`] | ecb: a secret appended to the attacker's input, read byte by byte | E(A×15 ‖ s₀) equals E(A×15 ‖ g) only for g = s₀ | any mode with a fresh IV or nonce |
//! | [`bitflip`] | cbc: change `role=guest` to `role=admin` without the key | P_i = D_K(C_i) ⊕ C_{i−1}: flip C_{i−1}, flip P_i | a MAC/tag over IV ‖ ciphertext |
//! | [`hmac`] | nothing — every tampered field is rejected | encrypt-then-MAC over header ‖ IV ‖ ct; GCM over AAD ‖ ct | (and a flawed MAC over ct only, which an IV flip beats) |
//! | [`padding_oracle`] | cbc: the whole plaintext, byte by byte | a receiver that says "bad padding" | MAC checked before padding: no oracle |
//! | [`replay`] | cbc: `transfer 100 to bob` accepted twice; cbc-hmac and gcm with `--static-keys`: replayed on a new connection, or reflected | nothing binds a frame to its place, its connection or its direction | the authenticated sequence number; the handshake's keys per connection and direction |
//! | [`mitm`] | `--anonymous`: a proxy runs its own key exchange with each side, reads and rewrites every message | nothing authenticates the X25519 keys | the key file in the key schedule: the Finished MACs fail at both ends |
//! | [`forward_secrecy`] | `--static-keys`: a recorded session read with a key file stolen later | the long-term key sealed every frame | the handshake: session keys from ephemeral X25519 secrets, wiped after it |
//! | [`error_propagation`] | nothing — a map of which plaintext bytes one flipped ciphertext bit changes, per suite | each mode's decryption formula (SP 800-38A §6.1–6.5) | a MAC/tag: the message is refused, not read |
//! | [`padding`] | nothing — how much PKCS#7 padding each suite adds | block modes encrypt whole blocks; stream modes XOR a keystream | (no padding, no padding oracle) |
//! | [`predictable_iv`] | cbc (and cbc-hmac): a guessed secret confirmed by one chosen plaintext | C_0 = E_K(P_0 ⊕ IV), and the next IV is known in advance | a fresh unpredictable IV per message |
//! | [`nonce_reuse`] | ctr, ofb, gcm (cfb: its first block): a secret read by XOR with one known message; twenty read with none ([`many_time_pad`]) | one IV or nonce, one keystream: C ⊕ C' = P ⊕ P' | a unique IV or nonce per message under a key |
//! | [`crate::challenge::demo`] | ecb cut-and-paste, cbc with IV = key, SHA-256(secret ‖ m), gcm with a repeated nonce, ecb behind a prefix, a byte-by-byte MAC compare: each against its live challenge server | see each challenge's file | a MAC or AEAD over the whole message; a random IV; HMAC; a fresh nonce; a constant-time compare |
//! | [`key_search`] | a cbc key made from a dictionary word, found from one known plaintext (`crack key` for your own) | ~2^16 words to try, one AES block each: E_K(P_0 ⊕ IV) = C_0 decides | a random 128-bit key: 2^127 tries on average, ≈ 5.4e18 years at 10^12 keys/s |
//!
//! The victims live in [`crate::suite::victims`], [`crate::suite`] and
//! [`crate::net`]; nothing here knows a key it should not.
//!
//! # One shape for every demo
//!
//! Each file has the same two entry points, both taking a [`DemoCtx`] (where
//! to report, the demo keys, the seeded randomness):
//!
//! - `narrate(ctx, &Options)` — the whole demo, step by step
//!   (`cryptolab demo NAME`); `Options` is a plain struct of its settings;
//! - `headline(ctx)` — the compact version for `cryptolab tour`: a line or
//!   two, then one verdict (BROKEN / REFUSED) per subject.
//!
//! Neither writes text: they send [`crate::events::Event`]s, which an
//! observer turns into text, JSON lines or a test's collection. The one
//! exception is [`ecb_image`], whose product is files: it writes its PNGs.
//! Each demo's file ends with its [`DemoEntry`], its row in the registry of
//! every demo, [`crate::demos::DEMOS`], which the `demo` command and the
//! tour read. The registry lives above this layer because it also lists
//! the challenges' live demos ([`crate::challenge::demo`]), which use these
//! attacks: this module never imports `challenge`.

pub mod bitflip;
mod ctx;
pub mod ecb_byte_at_a_time;
pub mod ecb_image;
pub mod error_propagation;
pub mod forward_secrecy;
pub mod gcm_forbidden;
pub mod hmac;
pub mod key_search;
pub mod length_extension;
pub mod many_time_pad;
pub mod mitm;
pub mod nonce_reuse;
pub mod padding;
pub mod padding_oracle;
pub mod predictable_iv;
pub mod replay;

pub use ctx::{DEMO_KEY_BITS, DemoCtx, DemoError, broken_if};

/// A demo's compact run: a line or two, then its verdicts.
pub type Headline = fn(&mut DemoCtx) -> Result<(), DemoError>;

/// One row of the registry ([`crate::demos::DEMOS`]).
#[derive(Debug, Clone, Copy)]
pub struct DemoEntry {
    /// The name after `cryptolab demo` (and in every verdict it gives).
    pub name: &'static str,
    /// What it shows, in one line (its `--help` summary).
    pub about: &'static str,
    /// The compact version (`cryptolab tour`, and the tests).
    pub headline: Headline,
    /// Whether the tour runs the headline; the others (the challenge
    /// demos, each starting servers of its own) are counted there, not run.
    pub tour: bool,
}
