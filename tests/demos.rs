//! `cryptolab demo …` through the real binary: each demo reports the attack
//! as it happened — BROKEN against the weak suite, REFUSED by the strong ones
//! — reproducibly with --seed, and bad --target values are two-line errors.

mod common;

use common::Lab;

fn demo(args: &[&str]) -> common::Out {
    let out = Lab::new().run(&[&["demo"][..], args].concat(), b"");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

#[test]
fn bitflip_breaks_cbc_and_is_refused_by_cbc_hmac_and_gcm() {
    let out = demo(&["bitflip", "--seed", "5"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("|;role=admin;ttl=|"), "the forged record is shown:\n{text}");
    assert!(text.contains("BROKEN cbc: the server now reads role=admin."));
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
fn demos_are_reproducible_with_a_seed() {
    for name in ["bitflip", "hmac", "padding-oracle", "replay"] {
        assert_eq!(demo(&[name, "--seed", "9"]).stdout, demo(&[name, "--seed", "9"]).stdout, "{name}");
    }
    assert_ne!(demo(&["bitflip", "--seed", "9"]).stdout, demo(&["bitflip", "--seed", "10"]).stdout);
}
