//! Suite throughput against the raw RustCrypto crates, at 64 B and 16 KiB.
//!
//! For each suite and direction two measurements sit side by side:
//! - `raw`: the same job done with the crates' own APIs, used well — keys
//!   expanded once, the IV/nonce drawn from the same RNG, PKCS#7 by the
//!   crates' `block-padding` (`encrypt_padded_b2b::<Pkcs7>`), the stream
//!   modes through their documented `apply_keystream_b2b` / `encrypt_b2b`,
//!   buffer-to-buffer into a preallocated buffer;
//! - `cryptolab`: [`Cipher::seal_into`] / [`Cipher::open_into`] with a reused
//!   output buffer, i.e. everything our composition adds (length checks,
//!   IV/nonce draw, padding, layout).
//!
//! The goal (docs/PERFORMANCE.md) is `cryptolab` within 10 % of `raw`.
//! `scripts/perf_table.py` turns the results, with `openssl speed`, into the table.

use std::hint::black_box;
use std::time::Duration;

use aes::Aes128;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::common::InnerInit;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit, StreamCipher};
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes128Gcm};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use cryptolab::suite::{Cipher, Suite, cbc_hmac};
use rand::{Rng, SeedableRng};

const KEY: [u8; 16] = [0x2b; 16];
const MAC_KEY: [u8; 32] = [0x4d; 32];
const SIZES: [usize; 2] = [64, 16 * 1024];

/// The same job done with the crates' own APIs: IV/nonce drawn from the same
/// RNG, PKCS#7 by `block-padding`, HMAC from a keyed state, GCM detached.
fn raw_seal(suite: Suite, k: &RawKeys, rng: &mut impl Rng, msg: &[u8], buf: &mut [u8]) {
    match suite {
        Suite::Ecb => {
            ecb::Encryptor::<&Aes128>::inner_init(&k.aes).encrypt_padded_b2b::<Pkcs7>(msg, buf).unwrap();
        }
        Suite::Cbc | Suite::CbcHmac => {
            let (iv, rest) = buf.split_at_mut(16);
            rng.fill_bytes(iv);
            let iv: [u8; 16] = (&*iv).try_into().unwrap();
            let ct_len = cbc::Encryptor::<&Aes128>::inner_iv_init(&k.aes, &iv.into())
                .encrypt_padded_b2b::<Pkcs7>(msg, rest)
                .unwrap()
                .len();
            if suite == Suite::CbcHmac {
                let (iv_ct, tag) = buf.split_at_mut(16 + ct_len);
                tag.copy_from_slice(&cbc_hmac::tag(&k.mac, &[], iv_ct));
            }
        }
        Suite::Ctr | Suite::Cfb | Suite::Ofb => {
            let (iv, ct) = buf.split_at_mut(16);
            rng.fill_bytes(iv);
            let iv: [u8; 16] = (&*iv).try_into().unwrap();
            raw_stream(suite, k, &iv, true, msg, ct);
        }
        Suite::Gcm => {
            let (nonce, rest) = buf.split_at_mut(12);
            rng.fill_bytes(nonce);
            let (ct, tag) = rest.split_at_mut(msg.len());
            let nonce: &[u8; 12] = (&*nonce).try_into().unwrap();
            let t =
                k.gcm.encrypt_inout_detached(&(*nonce).into(), &[], InOutBuf::new(msg, ct).unwrap()).unwrap();
            tag.copy_from_slice(&t);
        }
    }
}

fn raw_open(suite: Suite, k: &RawKeys, body: &[u8], out: &mut [u8]) -> usize {
    match suite {
        Suite::Ecb => ecb::Decryptor::<&Aes128>::inner_init(&k.aes)
            .decrypt_padded_b2b::<Pkcs7>(body, out)
            .unwrap()
            .len(),
        Suite::Cbc | Suite::CbcHmac => {
            let end = body.len() - suite.tag_len();
            if suite == Suite::CbcHmac && !cbc_hmac::verify(&k.mac, &[], &body[..end], &body[end..]) {
                return 0;
            }
            let iv: [u8; 16] = body[..16].try_into().unwrap();
            cbc::Decryptor::<&Aes128>::inner_iv_init(&k.aes, &iv.into())
                .decrypt_padded_b2b::<Pkcs7>(&body[16..end], out)
                .unwrap()
                .len()
        }
        Suite::Ctr | Suite::Cfb | Suite::Ofb => {
            let iv: [u8; 16] = body[..16].try_into().unwrap();
            let ct = &body[16..];
            raw_stream(suite, k, &iv, false, ct, &mut out[..ct.len()]);
            ct.len()
        }
        Suite::Gcm => {
            let (ct, tag) = body[12..].split_at(body.len() - 28);
            let nonce: [u8; 12] = body[..12].try_into().unwrap();
            let tag: [u8; 16] = tag.try_into().unwrap();
            let buf = InOutBuf::new(ct, &mut out[..ct.len()]).unwrap();
            k.gcm.decrypt_inout_detached(&nonce.into(), &[], buf, &tag.into()).unwrap();
            ct.len()
        }
    }
}

/// The stream modes through the crates' own wrappers (`encrypt` chooses
/// CFB's direction; CTR and OFB are their own inverse).
fn raw_stream(suite: Suite, k: &RawKeys, iv: &[u8; 16], encrypt: bool, input: &[u8], out: &mut [u8]) {
    match suite {
        Suite::Ctr => ctr::Ctr128BE::<&Aes128>::from_core(ctr::CtrCore::inner_iv_init(&k.aes, &(*iv).into()))
            .apply_keystream_b2b(input, out),
        Suite::Ofb => ofb::Ofb::<&Aes128>::from_core(ofb::OfbCore::inner_iv_init(&k.aes, &(*iv).into()))
            .apply_keystream_b2b(input, out),
        Suite::Cfb if encrypt => cfb_mode::Encryptor::<&Aes128>::inner_iv_init(&k.aes, &(*iv).into())
            .encrypt_b2b(input, out)
            .unwrap(),
        Suite::Cfb => cfb_mode::Decryptor::<&Aes128>::inner_iv_init(&k.aes, &(*iv).into())
            .decrypt_b2b(input, out)
            .unwrap(),
        Suite::Ecb | Suite::Cbc | Suite::CbcHmac | Suite::Gcm => unreachable!("not a stream mode"),
    }
}

struct RawKeys {
    aes: Aes128,
    gcm: Aes128Gcm,
    mac: cbc_hmac::HmacSha256,
}

fn suites(c: &mut Criterion) {
    let k = RawKeys {
        aes: Aes128::new(&KEY.into()),
        gcm: Aes128Gcm::new(&KEY.into()),
        mac: cbc_hmac::keyed(&MAC_KEY),
    };
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    for suite in Suite::ALL {
        let cipher = Cipher::new(suite, &KEY, Some(&MAC_KEY)).unwrap();
        for dir in ["seal", "open"] {
            let mut group = c.benchmark_group(format!("{suite}/{dir}"));
            for size in SIZES {
                let msg = vec![0x61u8; size];
                group.throughput(Throughput::Bytes(size as u64));
                let body = cipher.seal(&[], &msg, &mut rng);
                if dir == "seal" {
                    let mut buf = vec![0u8; suite.body_len(size)];
                    group.bench_function(BenchmarkId::new("raw", size), |b| {
                        b.iter(|| raw_seal(suite, &k, &mut rng, black_box(&msg), &mut buf))
                    });
                    let mut out = Vec::new();
                    group.bench_function(BenchmarkId::new("cryptolab", size), |b| {
                        b.iter(|| cipher.seal_into(&[], black_box(&msg), &mut rng, &mut out))
                    });
                } else {
                    let mut out = vec![0u8; body.len()];
                    group.bench_function(BenchmarkId::new("raw", size), |b| {
                        b.iter(|| raw_open(suite, &k, black_box(&body), &mut out))
                    });
                    let mut out = Vec::new();
                    group.bench_function(BenchmarkId::new("cryptolab", size), |b| {
                        b.iter(|| cipher.open_into(&[], black_box(&body), &mut out).unwrap())
                    });
                }
            }
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = suites
}
criterion_main!(benches);
