//! How many candidate keys per second the key search tries, beside the bare
//! `aes` crate doing the least the same test needs.
//!
//! Every measurement runs over the same 8,192 words of the built-in list,
//! each padded with `#` to an AES-128 key, against a cbc ciphertext under a
//! random key (so no word matches and every one is tried):
//!
//! - `aes128`: a baseline — for each word, build the key, `Aes128::new`
//!   (the key schedule: encryption and decryption round keys, as the
//!   suites' `Cipher` keys it), one `encrypt_block` of `P_0 ⊕ IV`, compare
//!   with `C_0`;
//! - `aes128enc`: the same with `Aes128Enc`, which expands only the
//!   encryption round keys — the type the search's probe keys, so the
//!   baseline to compare with;
//! - `cryptolab`: [`key_search::search`] as `demo key-search` and
//!   `crack key` run it (the probe block, then the suite's [`Cipher`] for a
//!   candidate that passes, progress callbacks, the skipped-word check).
//!
//! Throughput is in elements: candidates per second. Run with
//! `cargo bench --bench key_search`; the ratio goes to `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::time::Duration;

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes128Enc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cryptolab::attacks::key_search::{self, Known, Pad};
use cryptolab::suite::{Cipher, Suite};
use rand::SeedableRng;

/// Words per iteration.
const WORDS: usize = 8192;

/// `P_0 ⊕ IV` and `C_0`: the cbc test the baselines do by hand.
fn first_block(iv: &[u8], pt: &[u8], ct: &[u8]) -> ([u8; 16], [u8; 16]) {
    let mut input = [0u8; 16];
    for (i, b) in input.iter_mut().enumerate() {
        *b = pt[i] ^ iv[i];
    }
    (input, ct[..16].try_into().unwrap())
}

/// The baseline loop over one AES type: key from the word, key schedule, one block.
fn bare<A: KeyInit + BlockCipherEncrypt<BlockSize = U16>>(
    words: &[&str],
    input: &[u8; 16],
    target: &[u8; 16],
) -> usize {
    let mut matched = 0;
    for word in words {
        let mut key = [b'#'; 16];
        key[..word.len()].copy_from_slice(word.as_bytes());
        let aes = A::new_from_slice(&key).unwrap();
        let mut block = (*input).into();
        aes.encrypt_block(&mut block);
        matched += usize::from(block[..] == target[..]);
    }
    matched
}

fn bench(c: &mut Criterion) {
    let all = key_search::word_list();
    let words = &all[..WORDS];
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1);
    let cipher = Cipher::new(Suite::Cbc, &[0x5a; 16], None).unwrap();
    let pt = key_search::PLAINTEXT.as_bytes();
    let body = cipher.seal(&[], pt, &mut rng);
    let (iv, ct) = body.split_at(16);
    let (input, target) = first_block(iv, pt, ct);
    let known = Known::new(Suite::Cbc, pt, ct, iv).unwrap();

    let mut group = c.benchmark_group("key-search");
    group.throughput(Throughput::Elements(WORDS as u64));
    group.bench_function("aes128", |b| b.iter(|| bare::<Aes128>(black_box(words), &input, &target)));
    group.bench_function("aes128enc", |b| b.iter(|| bare::<Aes128Enc>(black_box(words), &input, &target)));
    group.bench_function("cryptolab", |b| {
        b.iter(|| key_search::search(&known, black_box(words).iter().copied(), &[Pad::Hash], |_, _| {}))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
