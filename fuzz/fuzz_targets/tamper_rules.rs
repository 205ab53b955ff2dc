//! Fuzz target: the proxy's tamper rules (`--tamper flip:2:20:08`, …) — the
//! parser on arbitrary text, then every rule that parses applied to
//! arbitrary frames.
//!
//! Run with `cargo +nightly fuzz run tamper_rules` from `fuzz/`. The input's
//! first line is the rule list (comma-separated, as `--tamper` takes it);
//! the rest are frames, split at each `\n`. Whatever the user types, parsing
//! must return rules or a typed error; whatever the frames, applying a rule
//! must return frames and notes — never panic, never index out of range (a
//! `flip` past a frame's end, a `truncate` longer than it, a `swap` of a
//! frame that never comes).

#![no_main]

use cryptolab::net::rules::{Plan, Rule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == b'\n');
    let spec = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let rules: Vec<Rule> = spec.split(',').filter_map(|r| r.parse().ok()).collect();
    for rule in &rules {
        // What parses prints back as something that parses to the same rule.
        let again: Rule = rule.to_string().parse().expect("a printed rule parses");
        assert_eq!(&again, rule);
    }
    let count = rules.len();
    let mut plan = Plan::new(rules);
    for (n, frame) in parts.enumerate() {
        let (out, notes) = plan.apply(n as u64 + 1, frame.to_vec());
        // At most two copies of this frame and one held back by a swap; a
        // note per rule that touched it, and one for a swap let go.
        assert!(out.len() <= 3 && notes.len() <= count + 1, "{} out, {} notes", out.len(), notes.len());
    }
});
