//! The modes of NIST SP 800-38A against its Appendix F: F.1 ECB, F.2 CBC,
//! F.3.13–F.3.18 CFB128, F.4 OFB, F.5 CTR — "Recommendation for Block Cipher
//! Modes of Operation", Dworkin, 2001, <https://doi.org/10.6028/NIST.SP.800-38A>.
//!
//! The appendix vectors are four whole blocks with no padding. For ECB and
//! CBC, encryption is checked through [`Cipher::seal_with_iv`], whose output
//! is the four vector blocks followed by one block of PKCS#7 padding;
//! decryption through the raw mode functions, which leave padding alone. The
//! stream modes (CFB, OFB, CTR) have no padding, so both directions go
//! through the suites themselves: `seal_with_iv` must give exactly the
//! vector's ciphertext and `open` exactly its plaintext — and, since a
//! stream mode is not tied to whole blocks, the vector cut to 63 bytes must
//! give the vector's first 63 bytes. AES-128, AES-192 (stream modes) and
//! AES-256, both directions. Failures print hex.
//!
//! (F.3.13–F.3.18 are CFB128-AES128, -AES192 and -AES256, each Encrypt then
//! Decrypt; F.4.1–F.4.6 and F.5.1–F.5.6 likewise for OFB and CTR.)

use cryptolab::suite::{Aes, Cipher, Suite};

const KEY128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const KEY192: &str = "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b";
const KEY256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";
const PLAIN: &str = "6bc1bee22e409f96e93d7e117393172a\
                     ae2d8a571e03ac9c9eb76fac45af8e51\
                     30c81c46a35ce411e5fbc1191a0a52ef\
                     f69f2445df4f9b17ad2b417be66c3710";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector is hex")
}

fn seal_first_64(suite: Suite, key: &str, iv: &[u8]) -> String {
    let cipher = Cipher::new(suite, &h(key), None).expect("valid key");
    let mut body = Vec::new();
    cipher.seal_with_iv(&[], &h(PLAIN), iv, &mut body).expect("iv length");
    // 4 vector blocks + 1 padding block after the IV.
    assert_eq!(body.len(), iv.len() + 80, "body length");
    hex::encode(&body[iv.len()..iv.len() + 64])
}

// F.1.1 ECB-AES128.Encrypt / F.1.2 ECB-AES128.Decrypt
const ECB128: &str = "3ad77bb40d7a3660a89ecaf32466ef97\
                      f5d3d58503b9699de785895a96fdbaaf\
                      43b1cd7f598ece23881b00e3ed030688\
                      7b0c785e27e8ad3f8223207104725dd4";
// F.1.5 ECB-AES256.Encrypt / F.1.6 ECB-AES256.Decrypt
const ECB256: &str = "f3eed1bdb5d2a03c064b5a7e3db181f8\
                      591ccb10d410ed26dc5ba74a31362870\
                      b6ed21b99ca6f4f9f153e7b1beafed1d\
                      23304b7a39f9f3ff067d8d8f9e24ecc7";
// F.2.1 CBC-AES128.Encrypt / F.2.2 CBC-AES128.Decrypt
const CBC128: &str = "7649abac8119b246cee98e9b12e9197d\
                      5086cb9b507219ee95db113a917678b2\
                      73bed6b8e3c1743b7116e69e22229516\
                      3ff1caa1681fac09120eca307586e1a7";
// F.2.5 CBC-AES256.Encrypt / F.2.6 CBC-AES256.Decrypt
const CBC256: &str = "f58c4c04d6e5f1ba779eabfb5f7bfbd6\
                      9cfc4e967edb808d679f777bc6702c7d\
                      39f23369a9d9bacfa530e26304231461\
                      b2eb05e2c39be9fcda6c19078c6a9d1b";

#[test]
fn f_1_1_ecb_aes128_encrypt() {
    assert_eq!(seal_first_64(Suite::Ecb, KEY128, &[]), ECB128);
}

#[test]
fn f_1_2_ecb_aes128_decrypt() {
    let mut out = vec![0; 64];
    Aes::new(&h(KEY128)).unwrap().ecb_decrypt_raw(&h(ECB128), &mut out);
    assert_eq!(hex::encode(out), PLAIN);
}

#[test]
fn f_1_5_ecb_aes256_encrypt() {
    assert_eq!(seal_first_64(Suite::Ecb, KEY256, &[]), ECB256);
}

#[test]
fn f_1_6_ecb_aes256_decrypt() {
    let mut out = vec![0; 64];
    Aes::new(&h(KEY256)).unwrap().ecb_decrypt_raw(&h(ECB256), &mut out);
    assert_eq!(hex::encode(out), PLAIN);
}

#[test]
fn f_2_1_cbc_aes128_encrypt() {
    assert_eq!(seal_first_64(Suite::Cbc, KEY128, &h(IV)), CBC128);
}

#[test]
fn f_2_2_cbc_aes128_decrypt() {
    let mut out = vec![0; 64];
    let iv: [u8; 16] = h(IV).try_into().unwrap();
    Aes::new(&h(KEY128)).unwrap().cbc_decrypt_raw(&iv, &h(CBC128), &mut out);
    assert_eq!(hex::encode(out), PLAIN);
}

#[test]
fn f_2_5_cbc_aes256_encrypt() {
    assert_eq!(seal_first_64(Suite::Cbc, KEY256, &h(IV)), CBC256);
}

#[test]
fn f_2_6_cbc_aes256_decrypt() {
    let mut out = vec![0; 64];
    let iv: [u8; 16] = h(IV).try_into().unwrap();
    Aes::new(&h(KEY256)).unwrap().cbc_decrypt_raw(&iv, &h(CBC256), &mut out);
    assert_eq!(hex::encode(out), PLAIN);
}

#[test]
fn cbc_aes128_full_open_strips_the_padding_block() {
    // The sealed body (vector blocks + padding block) opens to the exact plaintext.
    let cipher = Cipher::new(Suite::Cbc, &h(KEY128), None).unwrap();
    let mut body = Vec::new();
    cipher.seal_with_iv(&[], &h(PLAIN), &h(IV), &mut body).unwrap();
    assert_eq!(hex::encode(cipher.open(&[], &body).unwrap()), PLAIN);
}

// ---- the stream modes: CFB128 (F.3.13–F.3.18), OFB (F.4), CTR (F.5) ----

/// CTR's initial counter block, F.5.1–F.5.6.
const COUNTER: &str = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

// F.3.13 CFB128-AES128.Encrypt / F.3.14 CFB128-AES128.Decrypt
const CFB128: &str = "3b3fd92eb72dad20333449f8e83cfb4a\
                      c8a64537a0b3a93fcde3cdad9f1ce58b\
                      26751f67a3cbb140b1808cf187a4f4df\
                      c04b05357c5d1c0eeac4c66f9ff7f2e6";
// F.3.15 CFB128-AES192.Encrypt / F.3.16 CFB128-AES192.Decrypt
const CFB192: &str = "cdc80d6fddf18cab34c25909c99a4174\
                      67ce7f7f81173621961a2b70171d3d7a\
                      2e1e8a1dd59b88b1c8e60fed1efac4c9\
                      c05f9f9ca9834fa042ae8fba584b09ff";
// F.3.17 CFB128-AES256.Encrypt / F.3.18 CFB128-AES256.Decrypt
const CFB256: &str = "dc7e84bfda79164b7ecd8486985d3860\
                      39ffed143b28b1c832113c6331e5407b\
                      df10132415e54b92a13ed0a8267ae2f9\
                      75a385741ab9cef82031623d55b1e471";
// F.4.1 OFB-AES128.Encrypt / F.4.2 OFB-AES128.Decrypt
const OFB128: &str = "3b3fd92eb72dad20333449f8e83cfb4a\
                      7789508d16918f03f53c52dac54ed825\
                      9740051e9c5fecf64344f7a82260edcc\
                      304c6528f659c77866a510d9c1d6ae5e";
// F.4.3 OFB-AES192.Encrypt / F.4.4 OFB-AES192.Decrypt
const OFB192: &str = "cdc80d6fddf18cab34c25909c99a4174\
                      fcc28b8d4c63837c09e81700c1100401\
                      8d9a9aeac0f6596f559c6d4daf59a5f2\
                      6d9f200857ca6c3e9cac524bd9acc92a";
// F.4.5 OFB-AES256.Encrypt / F.4.6 OFB-AES256.Decrypt
const OFB256: &str = "dc7e84bfda79164b7ecd8486985d3860\
                      4febdc6740d20b3ac88f6ad82a4fb08d\
                      71ab47a086e86eedf39d1c5bba97c408\
                      0126141d67f37be8538f5a8be740e484";
// F.5.1 CTR-AES128.Encrypt / F.5.2 CTR-AES128.Decrypt
const CTR128: &str = "874d6191b620e3261bef6864990db6ce\
                      9806f66b7970fdff8617187bb9fffdff\
                      5ae4df3edbd5d35e5b4f09020db03eab\
                      1e031dda2fbe03d1792170a0f3009cee";
// F.5.3 CTR-AES192.Encrypt / F.5.4 CTR-AES192.Decrypt
const CTR192: &str = "1abc932417521ca24f2b0459fe7e6e0b\
                      090339ec0aa6faefd5ccc2c6f4ce8e94\
                      1e36b26bd1ebc670d1bd1d665620abf7\
                      4f78a7f6d29809585a97daec58c6b050";
// F.5.5 CTR-AES256.Encrypt / F.5.6 CTR-AES256.Decrypt
const CTR256: &str = "601ec313775789a5b7a7f504bbf3d228\
                      f443e3ca4d62b59aca84e990cacaf5c5\
                      2b0930daa23de94ce87017ba2d84988d\
                      dfc9c58db67aada613c2dd08457941a6";

/// Encrypts `plain` with a stream suite under `iv` and returns the
/// ciphertext (the body after the IV) as hex. A stream body is `iv ‖ ct`
/// with `ct` exactly as long as the message.
fn stream_seal(suite: Suite, key: &str, iv: &str, plain: &[u8]) -> String {
    let cipher = Cipher::new(suite, &h(key), None).expect("valid key");
    let mut body = Vec::new();
    cipher.seal_with_iv(&[], plain, &h(iv), &mut body).expect("iv length");
    assert_eq!(body.len(), 16 + plain.len(), "{suite}: body = iv ‖ ct, no padding");
    assert_eq!(hex::encode(&body[..16]), iv, "{suite}: the body starts with the iv");
    hex::encode(&body[16..])
}

/// Decrypts `ct` (hex) with a stream suite under `iv`: the plaintext as hex.
fn stream_open(suite: Suite, key: &str, iv: &str, ct: &[u8]) -> String {
    let cipher = Cipher::new(suite, &h(key), None).expect("valid key");
    let body = [h(iv), ct.to_vec()].concat();
    hex::encode(cipher.open(&[], &body).expect("a stream body always opens"))
}

/// One Encrypt vector: the whole four blocks, and cut short to 63 bytes.
fn encrypt_case(suite: Suite, key: &str, iv: &str, expected: &str) {
    assert_eq!(stream_seal(suite, key, iv, &h(PLAIN)), expected, "{suite} encrypt");
    assert_eq!(stream_seal(suite, key, iv, &h(PLAIN)[..63]), expected[..126], "{suite} encrypt, 63 bytes");
}

/// One Decrypt vector: the whole four blocks, and cut short to 63 bytes.
fn decrypt_case(suite: Suite, key: &str, iv: &str, ct: &str) {
    assert_eq!(stream_open(suite, key, iv, &h(ct)), PLAIN, "{suite} decrypt");
    assert_eq!(stream_open(suite, key, iv, &h(ct)[..63]), PLAIN[..126], "{suite} decrypt, 63 bytes");
}

#[test]
fn f_3_13_cfb128_aes128_encrypt() {
    encrypt_case(Suite::Cfb, KEY128, IV, CFB128);
}

#[test]
fn f_3_14_cfb128_aes128_decrypt() {
    decrypt_case(Suite::Cfb, KEY128, IV, CFB128);
}

#[test]
fn f_3_15_cfb128_aes192_encrypt() {
    encrypt_case(Suite::Cfb, KEY192, IV, CFB192);
}

#[test]
fn f_3_16_cfb128_aes192_decrypt() {
    decrypt_case(Suite::Cfb, KEY192, IV, CFB192);
}

#[test]
fn f_3_17_cfb128_aes256_encrypt() {
    encrypt_case(Suite::Cfb, KEY256, IV, CFB256);
}

#[test]
fn f_3_18_cfb128_aes256_decrypt() {
    decrypt_case(Suite::Cfb, KEY256, IV, CFB256);
}

#[test]
fn f_4_1_ofb_aes128_encrypt() {
    encrypt_case(Suite::Ofb, KEY128, IV, OFB128);
}

#[test]
fn f_4_2_ofb_aes128_decrypt() {
    decrypt_case(Suite::Ofb, KEY128, IV, OFB128);
}

#[test]
fn f_4_3_ofb_aes192_encrypt() {
    encrypt_case(Suite::Ofb, KEY192, IV, OFB192);
}

#[test]
fn f_4_4_ofb_aes192_decrypt() {
    decrypt_case(Suite::Ofb, KEY192, IV, OFB192);
}

#[test]
fn f_4_5_ofb_aes256_encrypt() {
    encrypt_case(Suite::Ofb, KEY256, IV, OFB256);
}

#[test]
fn f_4_6_ofb_aes256_decrypt() {
    decrypt_case(Suite::Ofb, KEY256, IV, OFB256);
}

#[test]
fn f_5_1_ctr_aes128_encrypt() {
    encrypt_case(Suite::Ctr, KEY128, COUNTER, CTR128);
}

#[test]
fn f_5_2_ctr_aes128_decrypt() {
    decrypt_case(Suite::Ctr, KEY128, COUNTER, CTR128);
}

#[test]
fn f_5_3_ctr_aes192_encrypt() {
    encrypt_case(Suite::Ctr, KEY192, COUNTER, CTR192);
}

#[test]
fn f_5_4_ctr_aes192_decrypt() {
    decrypt_case(Suite::Ctr, KEY192, COUNTER, CTR192);
}

#[test]
fn f_5_5_ctr_aes256_encrypt() {
    encrypt_case(Suite::Ctr, KEY256, COUNTER, CTR256);
}

#[test]
fn f_5_6_ctr_aes256_decrypt() {
    decrypt_case(Suite::Ctr, KEY256, COUNTER, CTR256);
}

#[test]
fn ctr_counter_is_one_128_bit_big_endian_integer_that_wraps() {
    // T_0 = ff…ff: block 1's counter is T_0 + 1 = 00…00 (mod 2^128), so the
    // second keystream block is E_K(0^128) — the first block of a message
    // started at counter 00…00. (What openssl's -aes-128-ctr does too:
    // tests/openssl.rs checks the same IV against it.)
    let zeros = [0u8; 32];
    let from_max = stream_seal(Suite::Ctr, KEY128, "ffffffffffffffffffffffffffffffff", &zeros);
    let from_zero = stream_seal(Suite::Ctr, KEY128, "00000000000000000000000000000000", &zeros[..16]);
    assert_eq!(from_max[32..], from_zero, "the counter wrapped from ff…ff to 00…00");
}
