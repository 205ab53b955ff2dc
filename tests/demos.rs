//! `cryptolab demo …` through the real binary: each demo reports the attack
//! as it happened — BROKEN against the weak suite, REFUSED by the strong ones
//! — reproducibly with --seed, and bad --target values are two-line errors.
//! `--json` gives the same run as one event per line; the registry and the
//! command agree; the tour runs every registered demo's headline; a live
//! attack whose server goes away is a network failure. The measuring demos
//! (error-propagation, padding) print their maps and tables, and what they,
//! predictable-iv and key-search say fits 80 columns. key-search finds its
//! word key and not its random one, the same word for the same seed.
//! padding-oracle --step shows each byte's forged block, arithmetic and
//! placeholders (and the false yes its check catches), --json one query event
//! per query, --wire's help only the formats it attacks, --delay is bounded;
//! bitflip --offset/--delta changes exactly the bytes asked, and bad values
//! are exit 2.

mod common;

use std::net::TcpListener;

use clap::CommandFactory;
use common::Lab;
use cryptolab::demos::DEMOS;

fn demo(args: &[&str]) -> common::Out {
    let out = Lab::new().run(&[&["demo"][..], args].concat(), b"");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

#[test]
fn bitflip_breaks_cbc_and_ctr_and_is_refused_by_cbc_hmac_and_gcm() {
    let out = demo(&["bitflip", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("|;role=admin;ttl=|"), "the forged record is shown:\n{text}");
    assert!(text.contains("BROKEN cbc: the server now reads role=admin."));
    assert!(
        text.contains("BROKEN ctr: the server now reads role=admin, and no other byte changed"),
        "{text}"
    );
    assert!(text.contains("REFUSED cbc-hmac: message rejected"));
    assert!(text.contains("REFUSED gcm: message rejected"));
}

#[test]
fn bitflip_with_another_target() {
    let text = demo(&["bitflip", "--target", "root", "--seed", "5"]).text();
    assert!(text.contains("BROKEN cbc: the server now reads role=root."), "{text}");
}

#[test]
fn bitflip_target_too_long_says_why() {
    let out = demo(&["bitflip", "--target", "superuser-x"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.ends_with(
        "cryptolab: --target is 11 bytes; at most 9 fit between `role=` and the end of its block (with the closing `;`)\n  hint: choose a role of 1–9 ASCII characters without `;` or `=`, e.g. --target admin\n"
    ), "{}", out.stderr);
}

#[test]
fn bitflip_target_with_a_field_separator_says_why() {
    let out = demo(&["bitflip", "--target", "a;b"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cryptolab: --target contains ';', which the record format cannot carry in a value")
    );
}

#[test]
fn hmac_refuses_every_tampering_and_the_flawed_mac_falls() {
    let text = demo(&["hmac", "--seed", "5"]).text();
    assert!(text.contains("REFUSED cbc-hmac: 12 of 12 tamperings refused."), "{text}");
    assert!(text.contains("REFUSED gcm: 12 of 12 tamperings refused."));
    assert!(text.contains("BROKEN flawed MAC: verified, and decrypts to \"pay 90 to carol\""));
    assert!(text.contains("subtle::ConstantTimeEq"));
}

#[test]
fn padding_oracle_recovers_the_secret_and_fails_against_cbc_hmac() {
    let out = demo(&["padding-oracle", "--seed", "5", "--message", "attack at dawn, bring coffee"]);
    let text = out.text();
    assert!(text.contains("|attack at dawn, |"), "{text}");
    assert!(text.contains("exactly the secret"), "{text}");
    assert!(text.contains("REFUSED cbc-hmac: no padding signal"));
}

#[test]
fn replay_executes_twice_in_cbc_only() {
    let text = demo(&["replay", "--seed", "5"]).text();
    assert!(text.contains("BROKEN cbc: \"transfer 100 to bob\" executed 2 times."), "{text}");
    assert!(text.contains("REFUSED cbc-hmac: \"transfer 100 to bob\" executed 1 time."));
    assert!(text.contains("REFUSED gcm: \"transfer 100 to bob\" executed 1 time."));
}

#[test]
fn replay_across_connections_and_reflection_break_static_keys_only() {
    let text = demo(&["replay", "--seed", "5"]).text();
    // One line per replay (across connections, reflection): two each.
    for suite in ["cbc-hmac", "gcm"] {
        let broken = format!("BROKEN {suite}, --static-keys: the attacker's copy was executed");
        let refused = format!("REFUSED {suite}, handshake: the attacker's copy was refused");
        assert_eq!(text.matches(&broken).count(), 2, "{text}");
        assert_eq!(text.matches(&refused).count(), 2, "{text}");
    }
    // What refused them: the recorded Finished, and the other direction's key.
    assert!(text.contains("refused: handshake failed: the client's Finished MAC does not verify"), "{text}");
    assert!(text.contains("accepted: \"bank: hello alice\""), "the bank took its own hello: {text}");
    let json = demo(&["replay", "--seed", "5", "--json"]).text();
    let verdicts: Vec<serde_json::Value> = json
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "verdict")
        .collect();
    for (subject, outcome) in [
        ("gcm across connections --static-keys", "broken"),
        ("gcm across connections handshake", "refused"),
        ("cbc-hmac reflection --static-keys", "broken"),
        ("cbc-hmac reflection handshake", "refused"),
    ] {
        assert!(
            verdicts.iter().any(|v| v["subject"] == subject && v["outcome"] == outcome),
            "{subject}: {outcome} in {verdicts:?}"
        );
    }
}

#[test]
fn forward_secrecy_reads_a_static_recording_and_not_a_handshake_one() {
    let text = demo(&["forward-secrecy", "--seed", "5"]).text();
    assert!(
        text.contains("BROKEN gcm, --static-keys: the whole recording read with the stolen key file"),
        "{text}"
    );
    for said in ["the vault code is 7291", "noted: 7291", "see you at noon"] {
        assert!(text.contains(&format!("read: {said}")), "{said}: {text}");
    }
    assert!(text.contains("REFUSED gcm, handshake: 0 of 5 sealed frames opened with the key file"), "{text}");
    assert_eq!(text.matches("read: the vault code").count(), 1, "read once, with --static-keys only: {text}");
}

#[test]
fn mitm_wins_against_anonymous_and_is_refused_by_the_key_file() {
    let text = demo(&["mitm", "--seed", "5"]).text();
    assert!(text.contains("the bank executed: \"pay 10 to mallory\""), "{text}");
    assert!(text.contains("alice was told: \"done: pay 10 to bob\""), "{text}");
    assert!(text.contains("BROKEN gcm, --anonymous: the bank paid mallory, Alice was told bob"), "{text}");
    assert!(
        text.contains("REFUSED gcm, key file: both ends refused the handshake, nothing executed"),
        "{text}"
    );
    assert_eq!(text.matches("the bank executed").count(), 1, "only the anonymous run executes: {text}");
}

#[test]
fn demos_are_reproducible_with_a_seed() {
    for name in [
        "bitflip",
        "hmac",
        "padding-oracle",
        "replay",
        "forward-secrecy",
        "error-propagation",
        "padding",
        "predictable-iv",
        "nonce-reuse",
    ] {
        assert_eq!(demo(&[name, "--seed", "9"]).stdout, demo(&[name, "--seed", "9"]).stdout, "{name}");
    }
    assert_ne!(demo(&["bitflip", "--seed", "9"]).stdout, demo(&["bitflip", "--seed", "10"]).stdout);
}

/// The JSON lines of a run, each parsed.
fn json_lines(out: &common::Out) -> Vec<serde_json::Value> {
    out.text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object: {l}: {e}")))
        .collect()
}

#[test]
fn json_is_one_event_per_line_and_carries_the_verdicts() {
    let out = demo(&["bitflip", "--seed", "5", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events = json_lines(&out);
    assert_eq!(events[0]["event"], "fact");
    assert_eq!(events[0]["name"], "keys");
    assert_eq!(events[0]["value"]["seed"], 5, "the seed that repeats the run");
    assert_eq!(events[1]["event"], "title");
    assert!(events.iter().any(|e| e["event"] == "dump" && e["hex"].as_str().is_some_and(|h| !h.is_empty())));
    let verdicts: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "verdict")
        .map(|e| {
            assert_eq!(e["demo"], "bitflip");
            (e["subject"].as_str().unwrap().to_string(), e["outcome"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [("cbc", "broken"), ("ctr", "broken"), ("cbc-hmac", "refused"), ("gcm", "refused")];
    assert_eq!(verdicts, expected.map(|(s, o)| (s.to_string(), o.to_string())));
    let forged = events.iter().find(|e| e["event"] == "verdict").unwrap();
    assert!(forged["message"].as_str().unwrap().starts_with("BROKEN cbc: the server now reads role=admin."));
    assert!(!out.text().contains("\x1b"), "no colour in JSON");
}

#[test]
fn every_demo_speaks_json_with_a_verdict() {
    for name in ["hmac", "padding-oracle", "replay"] {
        let out = demo(&[name, "--seed", "2", "--json"]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let events = json_lines(&out);
        assert!(events.iter().any(|e| e["event"] == "verdict" && e["outcome"] == "broken"), "{name}");
        assert!(events.iter().any(|e| e["event"] == "verdict" && e["outcome"] == "refused"), "{name}");
    }
}

#[test]
fn the_registry_and_the_demo_command_agree() {
    let cli = cryptolab::cli::Cli::command();
    let demo = cli.find_subcommand("demo").unwrap();
    let commands: Vec<(&str, String)> = demo
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| (c.get_name(), c.get_about().map(|a| a.to_string()).unwrap_or_default()))
        .collect();
    let registry: Vec<(&str, String)> = DEMOS.iter().map(|d| (d.name, d.about.to_string())).collect();
    assert_eq!(commands, registry, "one `demo` subcommand per registry row, named and described by it");
    assert!(cryptolab::demos::find("padding-oracle").is_some());
}

#[test]
fn the_tour_runs_every_registered_headline_and_numbers_its_sections() {
    let out = Lab::new().run(&["tour", "--seed", "3"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    // One line per registered demo: its name and the verdicts its headline
    // reached, run for real (the demos' own tests check each attack worked).
    let width = DEMOS.iter().filter(|d| d.tour).map(|d| d.name.len()).max().unwrap();
    for demo in DEMOS.iter().filter(|d| d.tour) {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("  {:<width$} ", demo.name))),
            "{}'s headline is in the tour:\n{text}",
            demo.name
        );
    }
    // The challenge demos start servers of their own: counted, not run.
    let live = DEMOS.iter().filter(|d| !d.tour).count();
    assert_eq!(live, 6);
    assert!(
        text.contains(&format!(
            "→ {live} more each break a live challenge server over TCP (cryptolab demo --help)."
        )),
        "{text}"
    );
    for verdict in [
        "  ecb-image          BROKEN ecb; REFUSED cbc, ctr, gcm",
        "  ecb-byte-at-a-time BROKEN ecb; REFUSED cbc, gcm",
        "  bitflip            BROKEN cbc, ctr; REFUSED cbc-hmac, gcm",
        "  hmac               BROKEN flawed MAC; REFUSED cbc-hmac, gcm",
        "  padding-oracle     BROKEN cbc; REFUSED cbc-hmac",
        "  replay             BROKEN cbc; REFUSED cbc-hmac, gcm",
        "  forward-secrecy    BROKEN gcm --static-keys; REFUSED gcm handshake",
    ] {
        assert!(text.contains(verdict), "{verdict}:\n{text}");
    }
    // Sections 1, 2, 3, … in the order printed, with no gap and no repeat.
    let numbers: Vec<u32> =
        text.lines().filter_map(|l| l.split_once(". ").and_then(|(n, _)| n.parse().ok())).collect();
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>(), "{text}");
    assert!(numbers.len() >= 6);
    assert!(text.contains("\n4. Breaking the weak suites (cryptolab demo NAME)\n"));
}

#[test]
fn live_padding_oracle_that_loses_its_server_is_a_network_failure() {
    // A "server" that takes the connection and closes it at once: the first
    // query finds the connection gone.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || drop(listener.accept()));
    let frame = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; // 32 bytes: IV and one block
    let out = demo(&["padding-oracle", "--wire", "b64-iv-ct", "--target", &target, "--frame", frame]);
    server.join().unwrap();
    assert_eq!(out.code, 1, "a failure of the network, not of the input: {}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!("cryptolab: connection to {target} failed during the attack: ")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("output error"), "{}", out.stderr);
    assert!(out.stderr.contains("\n  hint: is the server still running?"), "{}", out.stderr);
    assert!(!out.text().contains("(demo keys"), "the live attack uses no demo keys:\n{}", out.text());
}

#[test]
fn live_padding_oracle_names_a_frame_that_is_not_cbc() {
    let lab = Lab::new();
    // A native gcm hello header (suite byte 4) with an empty body.
    let frame = "01040100000000000000000000000000";
    let out = lab.run(&["demo", "padding-oracle", "--target", "127.0.0.1:9", "--frame", frame], b"");
    common::assert_error(
        &out,
        "--frame is a gcm frame",
        "the padding oracle attacks cbc; authenticated suites give no padding signal",
    );
    let out = lab.run(
        &["demo", "padding-oracle", "--wire", "b64-ecb", "--target", "127.0.0.1:9", "--frame", "x"],
        b"",
    );
    common::assert_error(
        &out,
        "no padding oracle for --wire b64-ecb",
        "the live attack speaks native (cbc) and b64-iv-ct",
    );
}

#[test]
fn error_propagation_maps_every_suite_and_the_tags_refuse() {
    let out = demo(&["error-propagation", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    let row = |suite: &str| {
        let prefix = format!("\n  {suite:<10}");
        let at = text.find(&prefix).unwrap_or_else(|| panic!("a row for {suite}:\n{text}")) + prefix.len();
        text[at..].lines().next().unwrap().to_string()
    };
    // Block 2 garbled (15 or 16 bytes: `f` or `#`), then in cbc one byte of block 3.
    assert!(row("ecb").starts_with("..") && row("ecb")[3..].starts_with('.'), "{}", row("ecb"));
    assert!(matches!(row("ecb").as_bytes()[2], b'f' | b'#'), "{}", row("ecb"));
    assert!(
        matches!(row("cbc").as_bytes()[2], b'f' | b'#') && row("cbc")[3..].starts_with("1."),
        "{}",
        row("cbc")
    );
    assert_eq!(row("cbc-hmac"), "refused: the HMAC-SHA256 failed");
    assert!(text.contains("long preCisely--|"), "cbc reads a capital C in block 3:\n{text}");
    assert!(text.contains("  REFUSED cbc-hmac: rejected, its HMAC-SHA256 failed: not a byte was read"));
    assert!(text.contains("  REFUSED gcm: rejected, its GCM tag failed: not a byte was read"));
    assert!(!text.contains("BROKEN"), "a map, not an attack:\n{text}");
}

#[test]
fn error_propagation_byte_and_bit_outside_the_ciphertext_are_two_line_errors() {
    let lab = Lab::new();
    common::assert_error(
        &lab.run(&["demo", "error-propagation", "--byte", "1111"], b""),
        "--byte 1111 is beyond the ciphertext: its bytes are 0–1110 (after the IV)",
        "choose --byte from 0 to 1110; the default, 40, is in block 2",
    );
    common::assert_error(
        &lab.run(&["demo", "error-propagation", "--bit", "8"], b""),
        "--bit 8 is not a bit of a byte: a byte has bits 0–7",
        "choose --bit from 0 (0x01) to 7 (0x80); the default is 5 (0x20)",
    );
}

#[test]
fn padding_shows_pkcs7_bytes_and_every_suites_lengths() {
    let out = demo(&["padding", "--seed", "5", "--len", "15", "16", "17"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("pkcs#7: 1 × 0x01"), "{text}");
    assert!(text.contains("2. 15 bytes: 1 byte of padding, 1 × 0x01."), "{text}");
    assert!(text.contains("3. 16 bytes: a whole block of padding, 16 × 0x10."), "{text}");
    assert!(text.contains("pkcs#7: 16 × 0x10"));
    assert!(text.contains("pkcs#7: 15 × 0x0f"));
    // One row per suite: ciphertext (body) for 15, 16 and 17 bytes.
    assert!(text.contains("\n  message   15       16       17\n"), "{text}");
    assert!(text.contains("\n  ecb       16 (16)  32 (32)  32 (32)\n"), "{text}");
    assert!(text.contains("\n  cbc       16 (32)  32 (48)  32 (48)\n"), "{text}");
    assert!(text.contains("\n  cbc-hmac  16 (64)  32 (80)  32 (80)\n"), "{text}");
    assert!(text.contains("\n  gcm       15 (43)  16 (44)  17 (45)\n"), "{text}");
    assert!(text.contains(" (stream): a keystream is XORed"), "{text}");
    assert!(!text.contains("BROKEN") && !text.contains("REFUSED"), "a measurement, no verdicts");
}

#[test]
fn padding_length_longer_than_the_message_is_a_two_line_error() {
    common::assert_error(
        &Lab::new().run(&["demo", "padding", "--len", "5", "65"], b""),
        "--len 65 is longer than the demo's message (64 bytes)",
        "choose lengths from 0 to 64, e.g. --len 15 16 17",
    );
}

#[test]
fn predictable_iv_breaks_chained_ivs_and_random_ivs_give_nothing() {
    let out = demo(&["predictable-iv", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("  BROKEN cbc, predictable IV: the secret is \""), "{text}");
    assert!(text.contains("\"; only that guess matched"), "{text}");
    assert!(text.contains("  REFUSED cbc, random IV: never equal; the attacker's guess is a coin toss"));
    assert!(text.contains("  BROKEN cbc-hmac, predictable IV: "), "a MAC does not help:\n{text}");
    assert!(text.contains("  REFUSED cbc-hmac, random IV: "));
    assert_eq!(text.matches("  = C_0\n").count(), 1, "one guess matches, with chained IVs only:\n{text}");
}

#[test]
fn the_new_demos_say_everything_within_80_columns() {
    for name in ["error-propagation", "padding", "predictable-iv", "nonce-reuse", "key-search"] {
        let out = demo(&[name, "--seed", "5", "--json"]);
        for e in json_lines(&out) {
            if e["event"] == "dump" {
                continue; // the renderer's rows: offset, field, 16 bytes in hex and ASCII
            }
            let message = e["message"].as_str().unwrap();
            let indent = if e["event"] == "verdict" { 2 } else { 0 };
            for line in message.lines() {
                assert!(
                    indent + line.chars().count() <= 80,
                    "{name}: {} columns: {line}",
                    line.chars().count()
                );
            }
        }
    }
}

#[test]
fn key_search_finds_the_word_key_and_not_the_random_one() {
    let out = demo(&["key-search", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    let word = text.split("the word \"").nth(1).and_then(|t| t.split('"').next()).unwrap();
    let key = format!("{word:#<16}");
    assert!(
        text.contains(&format!("gives the key \"{key}\".\n")),
        "the key is the word and its padding:\n{text}"
    );
    assert!(
        text.contains(&format!("  found \"{word}\", padded with #\n  key   {}", hex::encode(&key))),
        "{text}"
    );
    assert!(text.contains("   decrypted: \"This is a top secret.\"  (exactly the plaintext)"), "{text}");
    assert!(text.contains(&format!("  BROKEN word key: \"{word}\", found in ")), "{text}");
    assert!(text.contains("  none of the 63779 keys matched\n  tried 63779 of 63779 keys in "), "{text}");
    assert!(text.contains("  REFUSED random key: none of the 63779 word keys matched"), "{text}");
    assert!(text.contains("2^128 ≈ 3.4e38"), "{text}");
    assert!(text.contains("at 10^12 keys/s (a generous cluster): 5.4e18 years"), "{text}");
    // The same seed, the same run — but for the lines that carry a measured rate.
    let steady = |t: &str| t.lines().filter(|l| !l.contains("keys/s")).map(String::from).collect::<Vec<_>>();
    assert_eq!(steady(&text), steady(&demo(&["key-search", "--seed", "5"]).text()));
    assert_ne!(steady(&text), steady(&demo(&["key-search", "--seed", "6"]).text()));
}

#[test]
fn nonce_reuse_reads_by_xor_and_by_statistics_and_fresh_nonces_give_noise() {
    let out = demo(&["nonce-reuse", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    for suite in ["ctr", "ofb"] {
        assert!(
            text.contains(&format!("  BROKEN {suite}, repeated IV: the secret read exactly from one known"))
        );
        assert!(text.contains(&format!("  REFUSED {suite}, fresh IV: C ⊕ C' ⊕ P is noise")), "{text}");
    }
    assert!(
        text.contains("  BROKEN cfb, repeated IV: 16 bytes read, \"SECRET: the exam\"; then KS follows C")
    );
    assert!(text.contains("  BROKEN gcm, repeated nonce: the secret read exactly"), "{text}");
    assert!(text.contains("the receiver accepts both gcm messages: the tags are valid."));
    assert!(text.contains("  REFUSED gcm, fresh nonce: "));
    assert!(text.contains(&format!("     \"{}\"", cryptolab::attacks::nonce_reuse::SECRET)), "{text}");
    assert!(text.contains("  BROKEN ctr, 20 messages, one IV: "), "{text}");
    assert!(text.contains("   1 Did anyone finish the second problem set before the deadline?\n"), "{text}");
}

#[test]
fn nonce_reuse_of_a_block_suite_is_a_two_line_error() {
    common::assert_error(
        &Lab::new().run(&["demo", "nonce-reuse", "--mode", "cbc-hmac"], b""),
        "demo nonce-reuse: cbc-hmac has no keystream to reuse (cbc-hmac is a block suite)",
        "in cbc-hmac, a repeated IV shows which messages start with the same blocks; \
         try --mode ctr, --mode cfb, --mode ofb, --mode gcm",
    );
}

// ---- sentences that are true ----

#[test]
fn demo_hmac_says_what_it_did() {
    let one = demo(&["--seed", "1", "hmac"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let text = one.text();
    // HMAC-SHA256's tag is 32 bytes: a byte-at-a-time timing attack needs
    // at most 32 × 256 tries (the text used to say 16).
    assert!(text.contains("32 × 256") && text.contains("tries, not 2^256"), "{text}");
    assert!(!text.contains("16 × 256"), "{text}");
    // The length row claims more than was sent, and the receiver says so.
    assert!(text.contains("header: length   claims a byte more than sent      truncated frame:"), "{text}");
    // The flawed variant's IV comes from the seed: another seed, another IV.
    let iv = |t: &str| t.lines().rfind(|l| l.starts_with("  0000    iv     ")).map(str::to_string);
    let two = demo(&["--seed", "2", "hmac"]).text();
    assert_ne!(iv(&text), iv(&two), "the flawed variant's IV follows the seed");
    assert!(iv(&text).is_some());
}

#[test]
fn fingerprints_are_called_fingerprints() {
    let text = demo(&["--seed", "1", "bitflip"]).text();
    assert!(text.contains("(demo keys from seed 1, fingerprint "), "{text}");
    let out = demo(&["--seed", "1", "ecb-image"]);
    let text = out.text();
    assert!(text.contains("from --seed 1, fingerprint "), "{text}");
    assert!(!text.contains(", key ") && !text.contains("(AES-128, key "), "{text}");
}

/// `demo padding-oracle --step` on one block (seed 75: its first yes at
/// byte 15 is a false one, from the padding 02 02).
fn step_run() -> String {
    let out = demo(&["padding-oracle", "--seed", "75", "--step", "--message", "Attack at dawn"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.text()
}

/// The hex bytes after `prefix` on the first line that starts with it.
fn row_bytes(text: &str, prefix: &str) -> Vec<u8> {
    let line =
        text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix:?}:\n{text}"));
    let hex: String = line[prefix.len()..].split('|').next().unwrap().split_whitespace().collect();
    hex::decode(hex).unwrap()
}

#[test]
fn padding_oracle_step_shows_each_byte_forged_found_and_checked() {
    let text = step_run();
    // Byte 15: the forged block of the query that said yes, its guessed byte marked.
    assert!(text.contains("ct[0], byte 15: find the C'[15] that makes P' end in 01\n"), "{text}");
    assert!(text.contains("the yes: C' ‖ ct[0]; marked: C'[15] (the guess)\n"), "{text}");
    let forged = row_bytes(&text, "  0000    C'     ");
    assert_eq!(forged.len(), 16);
    assert_eq!(&forged[..15], &[0; 15], "no tail yet at byte 15: {text}");
    // Only the guessed byte, 15, is marked under the forged block's row.
    let row = "  0000    C'     00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 9f  |................|\n";
    let marked = format!("{row}{}^^\n", " ".repeat(63));
    assert!(text.contains(&marked), "{marked:?}:\n{text}");
    // The false yes and the check that caught it.
    assert!(text.contains("  query 1: g = 01, C'[15] = "), "{text}");
    assert!(
        text.contains("  query 2: check, C'[14] = ff (was 00): bad padding: that yes was not 01\n"),
        "{text}"
    );
    assert!(text.contains("   A false yes: with C'[14] = 00, P'[14] = D(C)[14] happened to make a longer\n"));
    assert!(text.contains("  query 4: check, C'[14] = ff (was 00): still valid: P' ends in 01\n"), "{text}");
    assert!(text.contains(", so P' ended 02 02.\n"), "the false yes explained: {text}");
    // Byte 14: the 02 02 tail, computed from D(C)[15].
    assert!(text.contains("ct[0], byte 14: find the C'[14] that makes P' end in 02 02\n"), "{text}");
    assert!(text.contains("so P'[15] = 02; the right g makes P'[14] = 02 too: P' ends 02 02.\n"), "{text}");
    assert!(text.contains("the yes: C' ‖ ct[0]; marked: C'[14] (the guess), C'[15] (the tail)\n"), "{text}");
    // Every D(C) and P line is right arithmetic, and the P bytes spell the secret.
    let mut plain = [0u8; 16];
    let (mut seen, mut intermediates) = (0, 0);
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("  D(C)[")
            && let [at, "=", c, "⊕", p1, "=", c2, "⊕", p2, "=", d, ..] = words[..]
        {
            // D(C)[k] = C'[k] ⊕ pad = (C'[k] as sent) ⊕ pad = the intermediate byte.
            assert_eq!(c, at.replace("D(C)", "C'"), "{line}");
            assert_eq!(p1, p2, "{line}");
            let byte = |h: &str| u8::from_str_radix(h.trim_end_matches(':'), 16).unwrap();
            assert_eq!(byte(c2) ^ byte(p1), byte(d), "{line}");
            intermediates += 1;
        }
        if line.starts_with("  P[") {
            let k: usize = line[4..line.find(']').unwrap()].parse().unwrap();
            let hex: Vec<u8> = line
                .split(" = ")
                .nth(2)
                .unwrap()
                .split(" ⊕ ")
                .map(|h| u8::from_str_radix(&h[..2], 16).unwrap())
                .collect();
            let p = u8::from_str_radix(&line.split(" = ").nth(3).unwrap()[..2], 16).unwrap();
            assert_eq!(hex[0] ^ hex[1], p, "{line}");
            plain[k] = p;
            seen += 1;
        }
    }
    assert_eq!((seen, intermediates), (16, 16), "one D(C) and one P line per byte:\n{text}");
    assert_eq!(&plain, b"Attack at dawn\x02\x02");
    // Unknown bytes hold their place until found; the end is exact.
    assert!(text.contains("  pt[0] so far |···············.|\n"), "{text}");
    assert!(text.contains("  pt[0] so far |·············n..|\n"), "{text}");
    assert!(text.contains("  pt[0] so far |Attack at dawn..|\n"), "{text}");
    assert!(
        text.contains("  0000    pt[0]  41 74 74 61 63 6b 20 61  74 20 64 61 77 6e        |Attack at dawn|")
    );
    assert!(
        text.contains("BROKEN cbc: recovered 16 bytes, exactly the secret, with 132 oracle queries"),
        "{text}"
    );
}

#[test]
fn padding_oracle_step_says_everything_new_within_80_columns() {
    let step = demo(&["padding-oracle", "--seed", "75", "--step", "--message", "Attack at dawn", "--json"]);
    let mask = demo(&["bitflip", "--seed", "5", "--offset", "30", "--delta", "0102030405", "--json"]);
    for e in json_lines(&step).into_iter().chain(json_lines(&mask)) {
        if e["event"] == "dump"
            || (e["event"] == "verdict" && e["demo"] == "padding-oracle")
            || e["name"] == "keys"
        {
            continue; // the renderer's rows, and lines this work did not write
        }
        let message = e["message"].as_str().unwrap();
        let indent = if e["event"] == "verdict" { 2 } else { 0 };
        for line in message.lines() {
            assert!(indent + line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
        }
    }
}

#[test]
fn padding_oracle_json_has_one_query_event_per_query() {
    let out = demo(&["padding-oracle", "--seed", "5", "--json", "--message", "attack at dawn, bring coffee"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events = json_lines(&out);
    let facts =
        |name: &str| events.iter().filter(|e| e["event"] == "fact" && e["name"] == name).collect::<Vec<_>>();
    let queries = facts("query");
    let verdict = events.iter().find(|e| e["event"] == "verdict" && e["subject"] == "cbc").unwrap();
    let message = verdict["message"].as_str().unwrap();
    let total: usize = message.split(" with ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert_eq!(queries.len(), total, "{message}");
    for (n, q) in queries.iter().enumerate() {
        let v = &q["value"];
        assert_eq!(v["n"], n as u64 + 1);
        assert!(v["block"].is_u64() && v["byte"].is_u64() && v["guess"].is_u64(), "{q}");
        assert!(v["valid"].is_boolean() && v["check"].is_boolean(), "{q}");
        assert_eq!(v["forged"].as_str().map(str::len), Some(32), "{q}");
    }
    // One yes per byte, and one check per yes at byte 15.
    let yes = queries.iter().filter(|q| q["value"]["valid"] == true && q["value"]["check"] == false).count();
    let bytes = facts("byte");
    assert_eq!(bytes.len(), 32);
    let at_15 = bytes.iter().map(|b| b["value"]["false_yes"].as_array().unwrap().len()).sum::<usize>() + 32;
    assert_eq!(yes, at_15, "every yes found a byte, or was a false yes");
    assert_eq!(bytes[31]["value"]["total_queries"], total as u64);
    // No dumps of forged blocks without --step; progress with placeholders.
    assert_eq!(events.iter().filter(|e| e["event"] == "dump").count(), 2);
    let progress: Vec<&str> =
        events.iter().filter(|e| e["event"] == "progress").map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(progress.len(), 32);
    assert!(progress[0].ends_with("pt[0] |··············· |"), "{}", progress[0]);
    assert!(progress[31].ends_with("pt[1] |bring coffee....|"), "{}", progress[31]);
    for (n, p) in progress.iter().enumerate() {
        assert_eq!(p.contains('·'), n % 16 != 15, "a placeholder until the block is whole: {p}");
    }
}

#[test]
fn padding_oracle_wire_help_shows_only_the_formats_it_accepts() {
    let out = demo(&["padding-oracle", "--help"]);
    assert_eq!(out.code, 0);
    let text = out.text();
    let listed: Vec<&str> = text
        .split("Possible values:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|l| l.starts_with("- "))
        .map(|l| l[2..].split(':').next().unwrap())
        .collect();
    assert_eq!(listed, ["native", "b64-iv-ct"], "{text}");
    for wire in ["len-iv-ct-hmac", "b64-ecb", "raw-cbc-static", "rsa-gcm-json"] {
        assert!(!text.contains(wire), "{wire} is not offered:\n{text}");
        let out = demo(&["padding-oracle", "--wire", wire, "--target", "127.0.0.1:9", "--frame", "00"]);
        common::assert_error(
            &out,
            &format!("no padding oracle for --wire {wire}"),
            "the live attack speaks native (cbc) and b64-iv-ct",
        );
    }
    for listed in listed {
        let wire = cryptolab::profiles::Wire::ALL.into_iter().find(|w| w.name() == listed).unwrap();
        assert!(cryptolab::attacks::padding_oracle::captured_as(wire).is_some(), "{listed} is attacked");
    }
}

#[test]
fn padding_oracle_delay_is_bounded_and_must_be_a_number() {
    for bad in ["2001", "-5", "soon", "1.5"] {
        let out = demo(&["padding-oracle", "--delay", bad, "--message", "hi"]);
        assert_eq!(out.code, 2, "--delay {bad}: {}", out.stderr);
        assert!(out.stderr.contains("--delay") || out.stderr.contains(bad), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing runs");
    }
    // A delay is a pause after every query: 2 ms × at least 16 queries.
    let started = std::time::Instant::now();
    let out = demo(&["padding-oracle", "--delay", "2", "--message", "hi", "--seed", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_millis(32));
}

#[test]
fn bitflip_mask_changes_exactly_the_requested_bytes() {
    let out = demo(&["bitflip", "--seed", "5", "--offset", "38", "--delta", "06 11 00 1a", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events = json_lines(&out);
    let masks: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["name"] == "mask").map(|e| &e["value"]).collect();
    assert_eq!(masks.len(), 2);
    let numbers =
        |v: &serde_json::Value| v.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect::<Vec<_>>();
    for (m, suite, plain) in [(masks[0], "cbc", 38), (masks[1], "ctr", 22)] {
        assert_eq!(m["suite"], suite);
        assert_eq!(numbers(&m["changed_body"]), [38, 39, 41], "a 00 in Δ changes nothing");
        assert_eq!(m["as_masked"], true, "{m}");
        let changed = numbers(&m["changed_plaintext"]);
        let mine: Vec<u64> = changed.iter().copied().filter(|&i| i >= plain).collect();
        assert_eq!(mine, [plain, plain + 1, plain + 3], "{suite}: {changed:?}");
    }
    // cbc: plus the 16 garbled bytes of pt[1]; ctr: nothing else.
    assert_eq!(numbers(&masks[0]["changed_plaintext"]).len(), 16 + 3);
    assert_eq!(numbers(&masks[1]["changed_plaintext"]).len(), 3);
    let verdicts: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["event"] == "verdict")
        .map(|e| (e["subject"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(verdicts, [("cbc", "broken"), ("ctr", "broken"), ("cbc-hmac", "refused"), ("gcm", "refused")]);
    let text = demo(&["bitflip", "--seed", "5", "--offset", "38", "--delta", "0611081a1a"]).text();
    assert!(text.contains("  Its role: role=admin\n"), "guest ⊕ Δ = admin:\n{text}");
    assert!(
        text.contains("  BROKEN cbc: the server's plaintext changed exactly as your mask says."),
        "{text}"
    );
    assert!(text.contains("  Bytes 16 to 31 changed too: garbage.\n"), "{text}");
}

#[test]
fn bitflip_mask_that_does_not_come_out_as_asked_gets_no_broken() {
    // The first counter block of ctr: the whole keystream changes.
    let text = demo(&["bitflip", "--seed", "5", "--offset", "0", "--delta", "01"]).text();
    assert!(
        text.contains("  BROKEN cbc: the server's plaintext changed exactly as your mask says."),
        "{text}"
    );
    assert!(!text.contains("BROKEN ctr"), "{text}");
    assert!(text.contains("  Body byte 0 controls no plaintext byte of its own.\n"), "{text}");
    assert!(
        text.contains("  No verdict for ctr: it reads your bytes, but not as your mask says.\n"),
        "{text}"
    );
}

#[test]
fn bitflip_mask_out_of_range_or_not_hex_is_a_two_line_error() {
    let lab = Lab::new();
    let run =
        |offset: &str, delta: &str| lab.run(&["demo", "bitflip", "--offset", offset, "--delta", delta], b"");
    common::assert_error(
        &run("66", "01"),
        "--offset 66 and a 1-byte --delta end at body byte 66, past byte 65",
        "the mask goes into cbc (80 bytes) and ctr (66): end it by byte 65",
    );
    common::assert_error(
        &run("64", "010203"),
        "--offset 64 and a 3-byte --delta end at body byte 66, past byte 65",
        "the mask goes into cbc (80 bytes) and ctr (66): end it by byte 65",
    );
    let hint = "hex, two digits a byte, not all 00: e.g. --offset 38 --delta 06";
    common::assert_error(&run("3", "xyz"), "--delta \"xyz\" is not hex: Odd number of digits", hint);
    common::assert_error(
        &run("3", "zz"),
        "--delta \"zz\" is not hex: Invalid character 'z' at position 0",
        hint,
    );
    common::assert_error(
        &run("3", "0000"),
        "--delta \"0000\" changes nothing: it has no byte other than 00",
        hint,
    );
    // An offset at the top of the range: refused in words, no overflow.
    let huge = usize::MAX.to_string();
    let out = run(&huge, "0101");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("--offset {huge} and a 2-byte --delta end at body byte")),
        "{}",
        out.stderr
    );
    for bad in [
        &["--offset", "x", "--delta", "01"][..],
        &["--offset", "3"],
        &["--delta", "01"],
        &["--target", "root", "--offset", "3", "--delta", "01"],
    ] {
        let out = lab.run(&[&["demo", "bitflip"][..], bad].concat(), b"");
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}
