//! The registry of every demo: one [`DemoEntry`] per `cryptolab demo NAME`
//! — its name, its one-line summary, its compact headline and whether the
//! tour runs it.
//!
//! The `demo` command takes its subcommands' names and help from here (a
//! test holds the two to the same names, summaries and order), and the tour
//! runs the headlines marked `tour` and counts the rest. Most rows are the
//! attacks' (`src/attacks/`, one file per attack, each ending with its row);
//! the last six are the challenges played against their own live server
//! (`src/challenge/demo.rs`). Because it names both, the registry sits above
//! both layers: `challenge` uses `attacks`, and neither imports this file.

use crate::attacks::{self, DemoEntry};
use crate::challenge;

/// Every demo, in the order of the labs (04–08, 12–18) and of the tour.
pub const DEMOS: &[DemoEntry] = &[
    attacks::ecb_image::DEMO,
    attacks::ecb_byte_at_a_time::DEMO,
    attacks::bitflip::DEMO,
    attacks::hmac::DEMO,
    attacks::padding_oracle::DEMO,
    attacks::replay::DEMO,
    attacks::error_propagation::DEMO,
    attacks::padding::DEMO,
    attacks::predictable_iv::DEMO,
    attacks::nonce_reuse::DEMO,
    attacks::key_search::DEMO,
    attacks::mitm::DEMO,
    attacks::forward_secrecy::DEMO,
    // The challenges played against their own live server (lab 18).
    challenge::demo::DEMOS[0],
    challenge::demo::DEMOS[1],
    challenge::demo::DEMOS[2],
    challenge::demo::DEMOS[3],
    challenge::demo::DEMOS[4],
    challenge::demo::DEMOS[5],
];

/// The registry row named `name`.
pub fn find(name: &str) -> Option<&'static DemoEntry> {
    DEMOS.iter().find(|d| d.name == name)
}
