//! AES-GCM against the test cases of the GCM specification: D. McGrew and
//! J. Viega, "The Galois/Counter Mode of Operation (GCM)", revised 2005,
//! Appendix B, Test Cases 1–4 (AES-128) and 13–16 (AES-256) — the same cases
//! NIST SP 800-38D points to. Cases 1–3 and 13–15 have no AAD; 4 and 16 have
//! 20 bytes of AAD and a 60-byte (not block-aligned) plaintext.
//!
//! Checked through [`Cipher::seal_with_iv`] (body = nonce ‖ ct ‖ tag) and
//! [`Cipher::open`], the code path the `gcm` suite uses. Failures print hex.

use cryptolab::suite::{Cipher, Suite, SuiteError};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector is hex")
}

const K3: &str = "feffe9928665731c6d6a8f9467308308";
const IV3: &str = "cafebabefacedbaddecaf888";
const P3: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
const P4: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const A4: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

fn case(key: &str, iv: &str, pt: &str, aad: &str, ct: &str, tag: &str) {
    let cipher = Cipher::new(Suite::Gcm, &h(key), None).expect("valid key");
    let mut body = Vec::new();
    cipher.seal_with_iv(&h(aad), &h(pt), &h(iv), &mut body).expect("96-bit nonce");
    assert_eq!(hex::encode(&body[..12]), iv, "nonce");
    assert_eq!(hex::encode(&body[12..body.len() - 16]), ct, "ciphertext");
    assert_eq!(hex::encode(&body[body.len() - 16..]), tag, "tag");
    assert_eq!(hex::encode(cipher.open(&h(aad), &body).expect("opens")), pt, "round trip");
    if !aad.is_empty() {
        assert_eq!(cipher.open(&[], &body), Err(SuiteError::Rejected), "AAD is authenticated");
    }
}

#[test]
fn test_case_1_aes128_empty() {
    case(&"00".repeat(16), &"00".repeat(12), "", "", "", "58e2fccefa7e3061367f1d57a4e7455a");
}

#[test]
fn test_case_2_aes128_one_zero_block() {
    case(
        &"00".repeat(16),
        &"00".repeat(12),
        &"00".repeat(16),
        "",
        "0388dace60b6a392f328c2b971b2fe78",
        "ab6e47d42cec13bdf53a67b21257bddf",
    );
}

#[test]
fn test_case_3_aes128_no_aad() {
    case(
        K3,
        IV3,
        P3,
        "",
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
        "4d5c2af327cd64a62cf35abd2ba6fab4",
    );
}

#[test]
fn test_case_4_aes128_with_aad() {
    case(
        K3,
        IV3,
        P4,
        A4,
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        "5bc94fbc3221a5db94fae95ae7121a47",
    );
}

#[test]
fn test_case_13_aes256_empty() {
    case(&"00".repeat(32), &"00".repeat(12), "", "", "", "530f8afbc74536b9a963b4f1c4cb738b");
}

#[test]
fn test_case_14_aes256_one_zero_block() {
    case(
        &"00".repeat(32),
        &"00".repeat(12),
        &"00".repeat(16),
        "",
        "cea7403d4d606b6e074ec5d3baf39d18",
        "d0d1c8a799996bf0265b98b5d48ab919",
    );
}

#[test]
fn test_case_15_aes256_no_aad() {
    case(
        &K3.repeat(2),
        IV3,
        P3,
        "",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
         8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
        "b094dac5d93471bdec1a502270e3cc6c",
    );
}

#[test]
fn test_case_16_aes256_with_aad() {
    case(
        &K3.repeat(2),
        IV3,
        P4,
        A4,
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
         8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b",
    );
}
