//! How long `cryptolab demo ecb-image` takes on a 4096×4096 picture (the goal
//! is under 2 s), and how that splits into encryption and counting.
//!
//! The picture is the built-in padlock scaled up 8× (flat colours, so ECB
//! repeats almost every block), written once as a PNG to a temporary
//! directory before timing starts.
//!
//! - `demo`: the whole [`ecb_image::narrate`] as the command runs it — **decoding the PNG
//!   included** — then ECB, CBC and GCM, four repeated-block counts, and four
//!   PNGs written (original, ecb, cbc, and the comparison at half size).
//! - `encrypt/*`: [`encrypt_pixels`] alone on the 48 MiB of RGB, per mode.
//! - `repeated_blocks/*`: [`repeated_block_fraction`] on the plaintext
//!   (mostly repeats) and on CBC ciphertext (no repeats).
//!
//! Run with `cargo bench --bench ecb_image`; the numbers go to
//! `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::sync::Arc;

use cryptolab::attacks::DemoCtx;
use cryptolab::attacks::ecb_image::{
    self, DEFAULT_MAX_PIXELS, Options, encrypt_pixels, repeated_block_fraction,
};
use cryptolab::events::Events;
use cryptolab::suite::{Cipher, Suite};
use image::{ExtendedColorType, RgbImage};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

/// Side of the benchmark picture.
const SIDE: u32 = 4096;

/// The sample padlock scaled up to `SIDE`×`SIDE` by repeating pixels.
fn big_picture() -> RgbImage {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/figure.png");
    let small = image::open(path).expect("the sample decodes").into_rgb8();
    let k = SIDE / small.width();
    RgbImage::from_fn(SIDE, SIDE, |x, y| *small.get_pixel(x / k, y / k))
}

fn ecb_image(c: &mut Criterion) {
    let picture = big_picture();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.png");
    image::save_buffer(&input, &picture, SIDE, SIDE, ExtendedColorType::Rgb8).expect("write the picture");
    let rgb = picture.into_raw();
    let bytes = rgb.len() as u64;

    let mut group = c.benchmark_group("ecb_image_4096");
    group.sample_size(10).measurement_time(Duration::from_secs(10)).throughput(Throughput::Bytes(bytes));

    let opts = Options { image: Some(input), out: dir.path().join("out"), max_pixels: DEFAULT_MAX_PIXELS };
    // The events go nowhere: the cost measured is the demo's, not a terminal's.
    let events = Arc::new(Events::new());
    group.bench_function("demo", |b| {
        b.iter(|| ecb_image::narrate(&mut DemoCtx::new(events.clone(), Some(1)), &opts).expect("demo runs"))
    });

    let key = [0x42; 16];
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for suite in [Suite::Ecb, Suite::Cbc, Suite::Gcm] {
        let cipher = Cipher::new(suite, &key, None).expect("a 16-byte key");
        group.bench_function(format!("encrypt/{suite}"), |b| {
            b.iter(|| encrypt_pixels(&cipher, black_box(&rgb), &mut rng))
        });
    }

    let cbc = encrypt_pixels(&Cipher::new(Suite::Cbc, &key, None).expect("a 16-byte key"), &rgb, &mut rng);
    group
        .bench_function("repeated_blocks/plaintext", |b| b.iter(|| repeated_block_fraction(black_box(&rgb))));
    group.bench_function("repeated_blocks/cbc", |b| b.iter(|| repeated_block_fraction(black_box(&cbc))));
    group.finish();
}

criterion_group!(benches, ecb_image);
criterion_main!(benches);
