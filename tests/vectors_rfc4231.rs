//! HMAC-SHA256 against RFC 4231 §4.2–4.8, "Identifiers and Test Vectors for
//! HMAC-SHA-224, HMAC-SHA-256, HMAC-SHA-384, and HMAC-SHA-512" (Nyström, 2005),
//! <https://www.rfc-editor.org/rfc/rfc4231>.
//!
//! Checked through [`cbc_hmac::tag`] and [`cbc_hmac::verify`] — the functions
//! the `cbc-hmac` suite uses — with empty associated data. Test case 5 checks
//! the 128-bit truncation the RFC specifies. Failures print hex.

use cryptolab::suite::cbc_hmac;

fn case(key: &[u8], data: &[u8], expected: &str) {
    let mac = cbc_hmac::keyed(key);
    let tag = cbc_hmac::tag(&mac, &[], data);
    assert_eq!(hex::encode(&tag[..expected.len() / 2]), expected);
    if expected.len() == 64 {
        assert!(cbc_hmac::verify(&mac, &[], data, &tag), "verify accepts the right tag");
        let mut wrong = tag;
        wrong[31] ^= 1;
        assert!(!cbc_hmac::verify(&mac, &[], data, &wrong), "verify rejects a wrong tag");
    }
}

#[test]
fn rfc4231_4_2_test_case_1() {
    case(&[0x0b; 20], b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

#[test]
fn rfc4231_4_3_test_case_2_short_key() {
    case(
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
}

#[test]
fn rfc4231_4_4_test_case_3() {
    case(&[0xaa; 20], &[0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

#[test]
fn rfc4231_4_5_test_case_4() {
    let key: Vec<u8> = (1..=25).collect();
    case(&key, &[0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

#[test]
fn rfc4231_4_6_test_case_5_truncated_to_128_bits() {
    case(&[0x0c; 20], b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b");
}

#[test]
fn rfc4231_4_7_test_case_6_key_longer_than_block() {
    case(
        &[0xaa; 131],
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
}

#[test]
fn rfc4231_4_8_test_case_7_key_and_data_longer_than_block() {
    case(
        &[0xaa; 131],
        b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    );
}

#[test]
fn associated_data_is_part_of_the_mac_input() {
    // tag(aad, data) is the HMAC of aad ‖ data: split points do not matter…
    let mac = cbc_hmac::keyed(b"Jefe");
    let whole = cbc_hmac::tag(&mac, &[], b"what do ya want for nothing?");
    let split = cbc_hmac::tag(&mac, b"what do ya ", b"want for nothing?");
    assert_eq!(hex::encode(whole), hex::encode(split));
}
