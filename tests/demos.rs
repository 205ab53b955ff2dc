//! `cryptolab demo …` through the real binary: each demo reports the attack
//! as it happened — BROKEN against the weak suite, REFUSED by the strong ones
//! — reproducibly with --seed, and bad --target values are two-line errors.
//! `--json` gives the same run as one event per line; the registry and the
//! command agree; the tour runs every registered demo's headline; a live
//! attack whose server goes away is a network failure. The measuring demos
//! (error-propagation, padding) print their maps and tables, and what they,
//! predictable-iv and key-search say fits 80 columns. key-search finds its
//! word key and not its random one, the same word for the same seed.

mod common;

use std::net::TcpListener;

use clap::CommandFactory;
use common::Lab;
use cryptolab::attacks::DEMOS;

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
    assert!(cryptolab::attacks::find("padding-oracle").is_some());
}

#[test]
fn the_tour_runs_every_registered_headline_and_numbers_its_sections() {
    let out = Lab::new().run(&["tour", "--seed", "3"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    // One line per registered demo: its name and the verdicts its headline
    // reached, run for real (the demos' own tests check each attack worked).
    for demo in DEMOS {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("  {:<17} ", demo.name))),
            "{}'s headline is in the tour:\n{text}",
            demo.name
        );
    }
    for verdict in [
        "  ecb-image         BROKEN ecb; REFUSED cbc, ctr, gcm",
        "  bitflip           BROKEN cbc, ctr; REFUSED cbc-hmac, gcm",
        "  hmac              BROKEN flawed MAC; REFUSED cbc-hmac, gcm",
        "  padding-oracle    BROKEN cbc; REFUSED cbc-hmac",
        "  replay            BROKEN cbc; REFUSED cbc-hmac, gcm",
        "  forward-secrecy   BROKEN gcm --static-keys; REFUSED gcm handshake",
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
