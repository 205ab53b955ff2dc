//! ECB and CBC against NIST SP 800-38A, Appendix F (F.1 ECB, F.2 CBC):
//! "Recommendation for Block Cipher Modes of Operation", Dworkin, 2001,
//! <https://doi.org/10.6028/NIST.SP.800-38A>.
//!
//! The appendix vectors are four whole blocks with no padding. Encryption is
//! checked through [`Cipher::seal_with_iv`], whose output is the four vector
//! blocks followed by one block of PKCS#7 padding; decryption through the raw
//! mode functions, which leave padding alone. AES-128 and AES-256, both
//! directions. Failures print hex.

use cryptolab::suite::{Aes, Cipher, Suite};

const KEY128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
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
