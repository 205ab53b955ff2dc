//! Cross-check against an independent implementation: the system `openssl enc`.
//!
//! For ECB, CBC and the stream modes CTR, CFB (openssl's `-aes-N-cfb` is
//! CFB-128) and OFB, AES-128, -192 and -256, and messages of 0, 1, 15, 16,
//! 17 and 100 bytes: `cryptolab encrypt --format hex` must equal
//! `openssl enc -aes-N-MODE -K K [-iv IV] | xxd -p` byte for byte, and
//! `cryptolab decrypt` must read what `openssl enc` wrote, and the other way
//! round. CTR is also checked from the counter block ff…ff, where the 128-bit
//! counter wraps. And `cryptolab crack key` must find exactly the word whose
//! padded bytes `openssl enc -K` was given, from openssl's ciphertext alone.
//! The nonce-reuse sample (`samples/nonce-reuse-ctr.txt`) is re-made with
//! `openssl enc -aes-128-ctr`, and `crack nonce-reuse` must read it back and
//! find openssl's keystream. `.ci/run` installs openssl; without it these
//! tests fail rather than skip.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::Lab;

const K128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const K192: &str = "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b";
const K256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";

fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl not found: install it (apt-get install openssl)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl {args:?} failed");
    out.stdout
}

fn message(len: usize) -> Vec<u8> {
    (0..len).map(|i| b"The quick brown fox jumps over the lazy dog. "[i % 45]).collect()
}

/// The modes compared, with the IV each uses (`None`: ecb has none).
const MODES: [(&str, Option<&str>); 6] = [
    ("ecb", None),
    ("cbc", Some(IV)),
    ("ctr", Some(IV)),
    // The counter block ff…ff: block 1 is counter 00…00 (mod 2^128).
    ("ctr", Some("ffffffffffffffffffffffffffffffff")),
    ("cfb", Some(IV)),
    ("ofb", Some(IV)),
];

type Case = (&'static str, Option<&'static str>, &'static str, &'static str);

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (key, bits) in [(K128, "128"), (K192, "192"), (K256, "256")] {
        for (mode, iv) in MODES {
            v.push((mode, iv, key, bits));
        }
    }
    v
}

fn cryptolab_args<'a>(mode: &'a str, iv: Option<&'a str>, key: &'a str) -> Vec<&'a str> {
    let mut args = vec!["--mode", mode, "--key", key];
    if let Some(iv) = iv {
        args.extend(["--iv", iv]);
    }
    args
}

fn openssl_args(mode: &str, iv: Option<&str>, key: &str, bits: &str, decrypt: bool) -> Vec<String> {
    let mut args = vec!["enc".into(), format!("-aes-{bits}-{mode}"), "-K".into(), key.into()];
    if let Some(iv) = iv {
        args.extend(["-iv".into(), iv.into()]);
    }
    if decrypt {
        args.push("-d".into());
    }
    args
}

#[test]
fn encrypt_equals_openssl_enc_byte_for_byte() {
    let lab = Lab::new();
    for (mode, iv, key, bits) in cases() {
        for len in [0, 1, 15, 16, 17, 100] {
            let msg = message(len);
            let ours = lab
                .run(&[&["encrypt", "--format", "hex"][..], &cryptolab_args(mode, iv, key)].concat(), &msg);
            assert_eq!(ours.code, 0, "{}", ours.stderr);
            let args = openssl_args(mode, iv, key, bits, false);
            let theirs = openssl(&args.iter().map(String::as_str).collect::<Vec<_>>(), &msg);
            assert_eq!(ours.text().trim(), hex::encode(&theirs), "aes-{bits}-{mode} {iv:?}, {len} bytes");
        }
    }
}

#[test]
fn decrypt_reads_what_openssl_enc_wrote() {
    let lab = Lab::new();
    for (mode, iv, key, bits) in cases() {
        for len in [0, 1, 15, 16, 17, 100] {
            let msg = message(len);
            let args = openssl_args(mode, iv, key, bits, false);
            let theirs = openssl(&args.iter().map(String::as_str).collect::<Vec<_>>(), &msg);
            let ours = lab.run(&[&["decrypt"][..], &cryptolab_args(mode, iv, key)].concat(), &theirs);
            assert_eq!(ours.code, 0, "aes-{bits}-{mode} {iv:?}, {len} bytes: {}", ours.stderr);
            assert_eq!(ours.stdout, msg, "aes-{bits}-{mode} {iv:?}, {len} bytes");
        }
    }
}

#[test]
fn openssl_decrypts_what_cryptolab_wrote() {
    let lab = Lab::new();
    for (mode, iv, key, bits) in cases() {
        let msg = message(100);
        let ours = lab.run(&[&["encrypt"][..], &cryptolab_args(mode, iv, key)].concat(), &msg);
        let args = openssl_args(mode, iv, key, bits, true);
        let plain = openssl(&args.iter().map(String::as_str).collect::<Vec<_>>(), &ours.stdout);
        assert_eq!(plain, msg, "aes-{bits}-{mode} {iv:?}");
    }
}

#[test]
fn crack_key_finds_the_word_an_openssl_key_was_made_from() {
    let lab = Lab::new();
    let plaintext = b"This is a top secret.";
    // (mode, word, pad byte, --pad): `--pad all` must find the zero bytes too.
    let cases = [
        ("cbc", "magic", b'#', "hash"),
        ("ofb", "lighthouse", b' ', "space"),
        ("ctr", "quizzical", 0u8, "all"),
        ("ecb", "tangerine", b'#', "hash"),
    ];
    for (mode, word, pad, pad_flag) in cases {
        let mut key = [pad; 16];
        key[..word.len()].copy_from_slice(word.as_bytes());
        let key = hex::encode(key);
        let mut args = vec!["enc".to_string(), format!("-aes-128-{mode}"), "-K".into(), key.clone()];
        let mut crack = vec!["crack", "key", "--mode", mode, "--pad", pad_flag, "--json"];
        if mode != "ecb" {
            args.extend(["-iv".into(), IV.into()]);
            crack.extend(["--iv", IV]);
        }
        let ct = hex::encode(openssl(&args.iter().map(String::as_str).collect::<Vec<_>>(), plaintext));
        crack.extend(["--plaintext", "This is a top secret.", "--ciphertext", &ct]);
        let out = lab.run(&crack, b"");
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
        let search: serde_json::Value = out
            .text()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|e| e["name"] == "search")
            .expect("a search fact")["value"]
            .clone();
        assert_eq!(search["word"], word, "{mode}");
        assert_eq!(search["key"], key.as_str(), "{mode}: the very key openssl was given");
        let pad_name = match pad {
            b'#' => "hash",
            b' ' => "space",
            _ => "nul",
        };
        assert_eq!(search["pad"], pad_name, "{mode}");
    }
}

/// The key and IV of `samples/nonce-reuse-ctr.txt` ("YELLOW SUBMARINE";
/// the one IV every line was made with — the mistake).
const SAMPLE_KEY: &str = "59454c4c4f57205355424d4152494e45";
const SAMPLE_IV: &str = "0f0e0d0c0b0a09080706050403020100";

#[test]
fn the_nonce_reuse_sample_is_openssl_ctr_under_one_iv_and_cryptolab_reads_it_back() {
    let root = env!("CARGO_MANIFEST_DIR");
    let plain = std::fs::read_to_string(format!("{root}/tests/data/nonce-reuse-plaintexts.txt")).unwrap();
    let sample = std::fs::read_to_string(format!("{root}/samples/nonce-reuse-ctr.txt")).unwrap();
    let lines: Vec<&str> = sample.lines().filter(|l| !l.starts_with('#')).collect();
    let truth: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), truth.len());
    for (line, pt) in lines.iter().zip(&truth) {
        let ct = openssl(&["enc", "-aes-128-ctr", "-K", SAMPLE_KEY, "-iv", SAMPLE_IV], pt.as_bytes());
        assert_eq!(*line, hex::encode(ct), "the sample line for {pt:?} is openssl's ciphertext");
    }
    let out = Lab::new()
        .run(&["crack", "nonce-reuse", "--json", &format!("{root}/samples/nonce-reuse-ctr.txt")], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(out.text().trim_end()).unwrap();
    let read: Vec<&str> =
        v["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    let bytes: usize = truth.iter().map(|t| t.len()).sum();
    let right: usize =
        read.iter().zip(&truth).map(|(r, t)| r.bytes().zip(t.bytes()).filter(|(a, b)| a == b).count()).sum();
    assert!(right as f64 >= 0.95 * bytes as f64, "{right} of {bytes} bytes read");
    // The keystream it found is openssl's: AES-CTR of zeros under the key and IV.
    let width = truth.iter().map(|t| t.len()).max().unwrap();
    let ks = openssl(&["enc", "-aes-128-ctr", "-K", SAMPLE_KEY, "-iv", SAMPLE_IV], &vec![0; width]);
    let found = hex::decode(v["keystream"].as_str().unwrap()).unwrap();
    let same = found.iter().zip(&ks).filter(|(a, b)| a == b).count();
    assert!(same as f64 >= 0.95 * width as f64, "{same} of {width} keystream bytes");
}
