//! What every demo is given, and how it reports: [`DemoCtx`], and the one
//! error type of the demos, [`DemoError`].
//!
//! A demo never writes text. It calls the helpers here — [`DemoCtx::title`],
//! [`DemoCtx::step`], [`DemoCtx::say`], [`DemoCtx::dump`],
//! [`DemoCtx::fact`], [`DemoCtx::progress`], [`DemoCtx::verdict`] — and each
//! sends one [`Event`] to the [`Events`] hub. Whoever built the context
//! decides what the events become: `cryptolab demo` shows them as text or
//! JSON lines, the tour renders the headlines into its page, a test keeps
//! them in a [`crate::events::Collector`] and reads the verdicts.
//!
//! The context also holds what makes a run repeatable: one seed, the demo
//! keys drawn from it, and a ChaCha20 generator (seeded by the same number,
//! already past the keys) for every IV and nonce the demo draws.

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use serde_json::{Value, json};

use crate::events::{Event, Events, Fact, Outcome, Progress, Verdict};
use crate::keys::KeyMaterial;
use crate::render::Dump;
use crate::suite::{Cipher, Suite};

/// The AES key size of the demo keys.
pub const DEMO_KEY_BITS: u16 = 128;

/// Everything a demo runs with: where to report, the keys, the randomness.
pub struct DemoCtx {
    events: Arc<Events>,
    seed: u64,
    chosen: bool,
    /// The demo keys (AES-128 and an independent HMAC key), derived from the
    /// seed — or the tour's own keys.
    pub keys: KeyMaterial,
    /// Every IV and nonce the demo draws: ChaCha20 seeded by the seed, so
    /// the same seed gives the same bytes.
    pub rng: ChaCha20Rng,
}

impl DemoCtx {
    /// A context reporting to `events`, with keys and IVs from `seed` —
    /// `--seed N`, or a fresh random seed (printed, so the run can be repeated).
    pub fn new(events: Arc<Events>, seed: Option<u64>) -> Self {
        let chosen = seed.is_some();
        // 48 bits: short enough to type back as `--seed N`.
        let seed = seed.unwrap_or_else(|| rand::random::<u64>() >> 16);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let keys = KeyMaterial::generate(DEMO_KEY_BITS, &mut rng);
        DemoCtx { events, seed, chosen, keys, rng }
    }

    /// A context with given `keys` (the tour's) and IVs from `seed`.
    pub fn with_keys(events: Arc<Events>, keys: KeyMaterial, seed: u64) -> Self {
        DemoCtx { events, seed, chosen: true, keys, rng: ChaCha20Rng::seed_from_u64(seed) }
    }

    /// The victim's cipher in `suite`, under the demo keys.
    pub fn cipher(&self, suite: Suite) -> Cipher {
        Cipher::new(suite, &self.keys.enc, self.keys.mac()).expect("demo keys fit every suite")
    }

    /// The seed of this run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The seed if someone chose it (`--seed`, the tour); `None` if it was
    /// drawn at random for this run.
    pub fn chosen_seed(&self) -> Option<u64> {
        self.chosen.then_some(self.seed)
    }

    /// The hub the events go to, for a library function that reports
    /// through [`Events`] itself (the key search, also run by `crack key`).
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Sends one event.
    pub fn emit(&self, event: Event) {
        self.events.emit(event);
    }

    /// The demo's title.
    pub fn title(&self, text: impl Into<String>) {
        self.emit(Event::Title(text.into()));
    }

    /// A step heading.
    pub fn step(&self, text: impl Into<String>) {
        self.emit(Event::Step(text.into()));
    }

    /// A paragraph of narration (may hold several lines).
    pub fn say(&self, text: impl Into<String>) {
        self.emit(Event::Say(text.into()));
    }

    /// Labelled bytes.
    pub fn dump(&self, dump: Dump<'_>) {
        let Dump { title, bytes, spans, marks } = dump;
        self.emit(Event::Dump { title, bytes: bytes.to_vec(), spans, marks });
    }

    /// A result as data (`value`), with the line a person reads (`text`).
    pub fn fact(&self, name: &'static str, value: Value, text: impl Into<String>) {
        self.emit(Event::Fact(Fact { name, value, text: text.into() }));
    }

    /// The verdict of `demo` on `subject`. `text` starts with the subject
    /// (`cbc: the server now reads role=admin.`).
    pub fn verdict(
        &self,
        demo: &'static str,
        subject: impl Into<String>,
        outcome: Outcome,
        text: impl Into<String>,
    ) {
        self.emit(Event::Verdict(Verdict { demo, subject: subject.into(), outcome, text: text.into() }));
    }

    /// Long work moved on: `done` of `total` units, and what is known so far.
    pub fn progress(&self, task: &'static str, done: u64, total: u64, text: impl Into<String>) {
        self.emit(Event::Progress(Progress { task, done, total, text: text.into() }));
    }

    /// The line that opens every demo run on the demo keys: their seed and
    /// fingerprint, and how to repeat the run (followed by a blank line).
    pub fn announce_keys(&self) {
        let (seed, fingerprint) = (self.seed, self.keys.fingerprint());
        self.fact(
            "keys",
            json!({ "seed": seed, "fingerprint": fingerprint, "aes_bits": self.keys.bits() }),
            format!(
                "(demo keys from seed {seed}, fingerprint {fingerprint}; --seed {seed} repeats this run)\n"
            ),
        );
    }
}

/// [`Outcome::Broken`] if the attack worked (and was checked), else
/// [`Outcome::Refused`].
pub fn broken_if(worked: bool) -> Outcome {
    if worked { Outcome::Broken } else { Outcome::Refused }
}

/// Why a demo could not run. `Display` is the first line of the message;
/// [`DemoError::hint`] the second; [`DemoError::is_failure`] tells bad
/// input (exit 2) from a failure of the network or the machine (exit 1).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// `demo bitflip --target` cannot be forged into the record.
    #[error(transparent)]
    Target(#[from] super::bitflip::TargetError),
    /// `demo ecb-image`: the picture or the output directory.
    #[error(transparent)]
    Image(#[from] super::ecb_image::EcbImageError),
    /// `demo padding-oracle --target`: the captured frame or the server.
    #[error(transparent)]
    Live(#[from] super::padding_oracle::LiveError),
    /// `demo error-propagation --byte/--bit`: a flip outside the ciphertext or the byte.
    #[error(transparent)]
    Flip(#[from] super::error_propagation::FlipError),
    /// `demo padding --len`: a length the demo's message does not have.
    #[error(transparent)]
    Length(#[from] super::padding::LengthError),
    /// `demo nonce-reuse --mode`: a suite with no keystream to reuse.
    #[error(transparent)]
    NoKeystream(#[from] super::nonce_reuse::NoKeystream),
    /// `demo forward-secrecy --recording`: a recording that says nothing.
    #[error(transparent)]
    Recording(#[from] super::forward_secrecy::RecordingError),
    /// A challenge demo: its server could not start, or answered outside
    /// the protocol.
    #[error("the challenge demo {0}")]
    Challenge(String),
}

impl DemoError {
    /// What to try (the second line of the message).
    pub fn hint(&self) -> String {
        match self {
            DemoError::Target(e) => e.hint().to_string(),
            DemoError::Image(e) => e.hint(),
            DemoError::Live(e) => e.hint().to_string(),
            DemoError::Flip(e) => e.hint(),
            DemoError::Length(e) => e.hint(),
            DemoError::NoKeystream(e) => e.hint(),
            DemoError::Recording(e) => e.hint().to_string(),
            DemoError::Challenge(_) => {
                "the machine may be out of sockets or file descriptors; try again".into()
            }
        }
    }

    /// Whether the network or the machine failed (rather than the input
    /// being wrong).
    pub fn is_failure(&self) -> bool {
        match self {
            DemoError::Target(_)
            | DemoError::Image(_)
            | DemoError::Flip(_)
            | DemoError::Length(_)
            | DemoError::NoKeystream(_)
            | DemoError::Recording(_) => false,
            DemoError::Live(e) => e.is_failure(),
            DemoError::Challenge(_) => true,
        }
    }
}
