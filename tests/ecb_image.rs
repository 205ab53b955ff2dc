//! `cryptolab demo ecb-image`: the pure core (encrypting pixels, counting
//! repeated blocks), the demo on real files (its text, and its facts as the
//! events carry them), its tour headline, and the real binary.
//!
//! What must hold: on the built-in padlock ECB repeats almost every block —
//! exactly as many as the plaintext does — while CBC and GCM repeat none;
//! every output keeps the picture's dimensions; greyscale, palette and 16-bit
//! inputs are converted, never rejected; a file that is missing, not an
//! image, damaged, or whose header claims too many pixels is refused with a
//! message naming it (the last one *before* any decoding). Error paths of the
//! binary check the exact two lines and exit code 2.
//!
//! The 8192×8192 run is `#[ignore]`d: it takes about 2 s in a release build
//! but minutes in a debug one. Run it with
//! `cargo test --release --test ecb_image -- --ignored`.

mod common;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cryptolab::attacks::ecb_image::{
    self, DEFAULT_MAX_PIXELS, EcbImageError, Options, encrypt_pixels, repeated_block_fraction,
};
use cryptolab::attacks::{DemoCtx, DemoError};
use cryptolab::events::{Collector, Detail, Event, Events, Outcome, TextObserver};
use cryptolab::render::Renderer;
use cryptolab::suite::{Cipher, Suite};
use image::ExtendedColorType;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

const KEY: [u8; 16] = *b"0123456789abcdef";
const MAC_KEY: [u8; 32] = [7; 32];

fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/figure.png")
}

fn sample_rgb() -> (u32, u32, Vec<u8>) {
    let img = image::open(sample_path()).expect("the sample decodes").into_rgb8();
    (img.width(), img.height(), img.into_raw())
}

fn cipher(suite: Suite) -> Cipher {
    Cipher::new(suite, &KEY, Some(&MAC_KEY)).unwrap()
}

/// Options as the command line would give them.
fn args(image: Option<&Path>, out: &Path) -> Options {
    Options { image: image.map(Path::to_path_buf), out: out.to_path_buf(), max_pixels: DEFAULT_MAX_PIXELS }
}

/// A shared buffer the text observer writes into.
#[derive(Clone, Default)]
struct Page(Arc<Mutex<Vec<u8>>>);

impl Write for Page {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a run reported: the text a person reads, and the events themselves.
struct Report {
    text: String,
    events: Vec<Event>,
}

impl Report {
    /// The values of every fact named `name`, in order.
    fn facts(&self, name: &str) -> Vec<serde_json::Value> {
        self.events
            .iter()
            .filter_map(|e| {
                let Event::Fact(f) = e else { return None };
                (f.name == name).then(|| f.value.clone())
            })
            .collect()
    }

    /// The value of the one fact named `name` whose `key` is `value`.
    fn fact(&self, name: &str, key: &str, value: &str) -> serde_json::Value {
        let found: Vec<_> = self.facts(name).into_iter().filter(|v| v[key] == value).collect();
        assert_eq!(found.len(), 1, "one {name} fact with {key} = {value}: {found:?}");
        found[0].clone()
    }
}

/// Runs `demo` (the whole demo, or its headline) with `seed`, keeping its
/// text (coloured if `color`) and its events.
fn report_of(
    seed: Option<u64>,
    color: bool,
    demo: impl FnOnce(&mut DemoCtx) -> Result<(), DemoError>,
) -> Result<Report, EcbImageError> {
    let page = Page::default();
    let collector = Collector::new();
    let text = TextObserver::new(Detail::Full, Renderer::new().color(color), Box::new(page.clone()));
    let events = Events::new().with(Arc::new(text)).with(collector.clone());
    match demo(&mut DemoCtx::new(Arc::new(events), seed)) {
        Ok(()) => {}
        Err(DemoError::Image(e)) => return Err(e),
        Err(e) => panic!("not a picture error: {e}"),
    }
    let text = String::from_utf8(page.0.lock().unwrap().clone()).unwrap();
    Ok(Report { text, events: collector.events() })
}

/// Runs the demo with `--seed 1`.
fn run_report(args: &Options) -> Result<Report, EcbImageError> {
    report_of(Some(1), false, |ctx| ecb_image::narrate(ctx, args))
}

/// Runs the demo with `--seed 1`, returning its text output or its error.
fn run_demo(args: &Options) -> Result<String, EcbImageError> {
    run_report(args).map(|r| r.text)
}

fn run_err(args: &Options) -> EcbImageError {
    match run_demo(args) {
        Ok(text) => panic!("expected an error, got:\n{text}"),
        Err(e) => e,
    }
}

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ───────────────────────────── the pure core ─────────────────────────────

#[test]
fn sample_ecb_repeats_as_many_blocks_as_the_plaintext_and_cbc_ctr_gcm_none() {
    let (_, _, rgb) = sample_rgb();
    let plain = repeated_block_fraction(&rgb);
    assert!(plain > 0.9, "the sample is flat colours: {plain}");
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let ecb = repeated_block_fraction(&encrypt_pixels(&cipher(Suite::Ecb), &rgb, &mut rng));
    let cbc = repeated_block_fraction(&encrypt_pixels(&cipher(Suite::Cbc), &rgb, &mut rng));
    let ctr = repeated_block_fraction(&encrypt_pixels(&cipher(Suite::Ctr), &rgb, &mut rng));
    let gcm = repeated_block_fraction(&encrypt_pixels(&cipher(Suite::Gcm), &rgb, &mut rng));
    assert_eq!(ecb, plain, "ECB is a permutation of blocks: the same equalities");
    assert_eq!(cbc, 0.0);
    assert_eq!(ctr, 0.0, "a counter per block: no two keystream blocks alike");
    assert_eq!(gcm, 0.0);
}

#[test]
fn encrypt_pixels_keeps_the_length_in_every_suite() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for len in [0, 1, 15, 16, 17, 3 * 5 * 7, 3 * 512] {
        let rgb = vec![0x5a; len];
        for suite in Suite::ALL {
            assert_eq!(encrypt_pixels(&cipher(suite), &rgb, &mut rng).len(), len, "{suite}, {len} bytes");
        }
    }
}

#[test]
fn encrypt_pixels_is_the_sealed_body_without_iv_and_tag() {
    let rgb: Vec<u8> = (0..100u8).collect();
    for suite in [Suite::Ecb, Suite::Cbc, Suite::CbcHmac, Suite::Gcm] {
        let c = cipher(suite);
        let pixels = encrypt_pixels(&c, &rgb, &mut ChaCha20Rng::seed_from_u64(5));
        let body = c.seal(&[], &rgb, &mut ChaCha20Rng::seed_from_u64(5));
        let start = suite.iv_len();
        assert_eq!(pixels, body[start..start + rgb.len()], "{suite}");
    }
}

#[test]
fn ecb_pixels_repeat_where_the_plaintext_repeats() {
    // Four blocks: A A B A. ECB gives X X Y X.
    let (a, b) = ([1u8; 16], [2u8; 16]);
    let rgb = [a, a, b, a].concat();
    let ct = encrypt_pixels(&cipher(Suite::Ecb), &rgb, &mut ChaCha20Rng::seed_from_u64(6));
    let blocks: Vec<&[u8]> = ct.chunks(16).collect();
    assert_eq!(blocks[0], blocks[1]);
    assert_eq!(blocks[0], blocks[3]);
    assert_ne!(blocks[0], blocks[2]);
}

#[test]
fn repeated_block_fraction_counts_blocks_equal_to_an_earlier_one() {
    let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
    assert_eq!(repeated_block_fraction(&[a, a, b, a].concat()), 0.5);
    assert_eq!(repeated_block_fraction(&[a, b, c].concat()), 0.0);
    assert_eq!(repeated_block_fraction(&[a, a, a, a, a].concat()), 0.8);
    // A trailing partial block is ignored; no whole block means 0.
    let mut with_tail = [a, a].concat();
    with_tail.extend_from_slice(&a[..15]);
    assert_eq!(repeated_block_fraction(&with_tail), 0.5);
    assert_eq!(repeated_block_fraction(&a[..15]), 0.0);
    assert_eq!(repeated_block_fraction(&[]), 0.0);
}

/// The tour's headline, with `seed`.
fn headline(seed: u64, color: bool) -> Report {
    report_of(Some(seed), color, ecb_image::headline).unwrap()
}

#[test]
fn headline_is_short_reproducible_and_shows_the_four_fractions() {
    let start = Instant::now();
    let first = headline(9, false);
    let elapsed = start.elapsed();
    let text = &first.text;
    assert!(text.lines().count() <= 12, "{text}");
    let line = |name: &str| text.lines().find(|l| l.contains(&format!(" {name}: "))).unwrap().to_string();
    assert!(line("ecb").contains("BROKEN ecb: 49027 of 49152 =  99.7%"), "{text}");
    assert!(line("cbc").contains("REFUSED cbc:     0 of 49152 =   0.0%"), "{text}");
    assert!(line("ctr").contains("REFUSED ctr:     0 of 49152 =   0.0%"), "{text}");
    assert!(line("gcm").contains("REFUSED gcm:     0 of 49152 =   0.0%"), "{text}");
    let verdicts: Vec<_> = first
        .events
        .iter()
        .filter_map(|e| {
            let Event::Verdict(v) = e else { return None };
            Some((v.demo, v.subject.as_str(), v.outcome))
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("ecb-image", "ecb", Outcome::Broken),
            ("ecb-image", "cbc", Outcome::Refused),
            ("ecb-image", "ctr", Outcome::Refused),
            ("ecb-image", "gcm", Outcome::Refused)
        ],
        "the headline ends in one verdict per mode"
    );
    assert!(matches!(first.events.last(), Some(Event::Verdict(_))));
    assert_eq!(first.text, headline(9, false).text, "same seed, same output");
    if !cfg!(debug_assertions) {
        assert!(elapsed < Duration::from_secs(1), "tour headline took {elapsed:?}");
    }
}

// ───────────────────────────── the runner on files ─────────────────────────────

#[test]
fn run_writes_four_pngs_with_the_pictures_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let text = run_demo(&args(None, &out)).unwrap();
    for name in ["original", "ecb", "cbc"] {
        let path = out.join(format!("{name}.png"));
        assert_eq!(dimensions(&path), (512, 512), "{name}");
        assert!(text.contains(&format!("  {}\n", path.display())), "{name} path printed:\n{text}");
    }
    // Three panels and two 8-pixel gaps.
    assert_eq!(dimensions(&out.join("comparison.png")), (3 * 512 + 2 * 8, 512));
    assert!(text.contains(&format!("{}   original | ecb | cbc\n", out.join("comparison.png").display())));
    let original = image::open(out.join("original.png")).unwrap().into_rgb8().into_raw();
    assert_eq!(original, sample_rgb().2, "the original is written unchanged");
    assert!(text.contains("ecb       49027 of 49152 =  99.7%"), "{text}");
    assert!(text.contains("cbc           0 of 49152 =   0.0%"), "{text}");
    assert!(text.contains("INSECURE: ecb encrypts equal blocks"), "{text}");
}

#[test]
fn comparison_of_a_wide_picture_keeps_every_kth_pixel() {
    // 4100 pixels wide: more than 2048, so each panel keeps every 3rd pixel
    // (ceil(4100 / 3) = 1367 columns, the last from a short run of 2).
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("wide.png");
    let (w, h) = (4100u32, 4u32);
    let pixel = |x: u32, y: u32| [(x % 256) as u8, (x / 256) as u8, y as u8];
    let rgb: Vec<u8> = (0..h).flat_map(|y| (0..w).flat_map(move |x| pixel(x, y))).collect();
    image::save_buffer(&input, &rgb, w, h, ExtendedColorType::Rgb8).unwrap();
    let text = run_demo(&args(Some(&input), &dir.path().join("out"))).unwrap();
    assert!(text.contains("original | ecb | cbc, at 1/3 size\n"), "{text}");
    let comparison = image::open(dir.path().join("out/comparison.png")).unwrap().into_rgb8();
    assert_eq!(comparison.dimensions(), (3 * 1367 + 2 * 8, 2));
    for py in 0..2 {
        for px in 0..1367 {
            assert_eq!(comparison.get_pixel(px, py).0, pixel(3 * px, 3 * py), "({px}, {py})");
        }
    }
    assert_eq!(comparison.get_pixel(1367, 0).0, [255, 255, 255], "the gap is white");
    assert_eq!(dimensions(&dir.path().join("out/ecb.png")), (w, h), "full size");
}

#[test]
fn ecb_png_holds_the_ecb_ciphertext_of_the_pixels() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(&args(None, dir.path())).unwrap();
    let ecb = image::open(dir.path().join("ecb.png")).unwrap().into_rgb8().into_raw();
    let cbc = image::open(dir.path().join("cbc.png")).unwrap().into_rgb8().into_raw();
    assert_eq!(repeated_block_fraction(&ecb), repeated_block_fraction(&sample_rgb().2));
    assert_eq!(repeated_block_fraction(&cbc), 0.0);
    // gcm has a picture of its own too: noise, like cbc's.
    let gcm = image::open(dir.path().join("gcm.png")).unwrap().into_rgb8().into_raw();
    assert_eq!(repeated_block_fraction(&gcm), 0.0);
}

#[test]
fn colour_adds_nothing_the_text_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let a = args(None, dir.path());
    let plain = run_demo(&a).unwrap();
    let coloured = report_of(Some(1), true, |ctx| ecb_image::narrate(ctx, &a)).unwrap().text;
    assert!(coloured.contains('\x1b'), "colour was asked for");
    assert_eq!(strip_ansi(&coloured), plain);
    let tour = headline(1, true).text;
    assert!(tour.contains('\x1b'), "colour was asked for");
    assert_eq!(strip_ansi(&tour), headline(1, false).text);
}

/// The text without ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_same_seed_gives_the_same_pictures_and_another_seed_other_ones() {
    let dir = tempfile::tempdir().unwrap();
    let read = |d: &str, f: &str| std::fs::read(dir.path().join(d).join(f)).unwrap();
    let mut a = args(None, &dir.path().join("a"));
    run_demo(&a).unwrap();
    a.out = dir.path().join("b");
    run_demo(&a).unwrap();
    a.out = dir.path().join("c");
    report_of(Some(2), false, |ctx| ecb_image::narrate(ctx, &a)).unwrap();
    assert_eq!(read("a", "cbc.png"), read("b", "cbc.png"));
    assert_eq!(read("a", "ecb.png"), read("b", "ecb.png"));
    assert_ne!(read("a", "cbc.png"), read("c", "cbc.png"));
    assert_ne!(read("a", "ecb.png"), read("c", "ecb.png"), "another seed, another key");
}

#[test]
fn facts_have_paths_dimensions_and_fractions() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_report(&args(None, dir.path())).unwrap();
    let image = &r.facts("image")[0];
    assert_eq!(image["width"], 512);
    assert_eq!(image["height"], 512);
    assert_eq!(image["blocks"], 49152);
    assert_eq!(r.facts("keys")[0]["seed"], 1);
    for name in ["original", "ecb", "cbc", "gcm", "comparison"] {
        let wrote = r.fact("wrote", "file", name);
        let path = wrote["path"].as_str().unwrap();
        assert_eq!(path, dir.path().join(format!("{name}.png")).display().to_string());
        assert!(Path::new(path).is_file(), "{path}");
    }
    let fraction = |subject: &str| r.fact("repeats", "subject", subject)["fraction"].as_f64().unwrap();
    assert!(fraction("ecb") > 0.99);
    assert_eq!(fraction("ecb"), fraction("original"));
    assert_eq!(fraction("cbc"), 0.0);
    assert_eq!(fraction("ctr"), 0.0);
    assert_eq!(fraction("gcm"), 0.0);
    assert_eq!(r.fact("repeats", "subject", "ecb")["repeated"], 49027);
}

#[test]
fn greyscale_png_is_converted_to_rgb() {
    let dir = tempfile::tempdir().unwrap();
    let grey: Vec<u8> = (0..64 * 48).map(|i| if (i % 64) < 32 { 40 } else { 200 }).collect();
    let input = dir.path().join("grey.png");
    image::save_buffer(&input, &grey, 64, 48, ExtendedColorType::L8).unwrap();
    run_demo(&args(Some(&input), &dir.path().join("out"))).unwrap();
    let original = image::open(dir.path().join("out/original.png")).unwrap();
    assert_eq!(original.color(), image::ColorType::Rgb8);
    let rgb = original.into_rgb8();
    assert_eq!(rgb.dimensions(), (64, 48));
    assert!(rgb.pixels().all(|p| p[0] == p[1] && p[1] == p[2]), "grey stays grey");
    assert_eq!(dimensions(&dir.path().join("out/ecb.png")), (64, 48));
}

#[test]
fn palette_png_is_converted_to_rgb() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("palette.png");
    let palette = [[255, 0, 0], [0, 0, 255], [255, 255, 0]];
    std::fs::write(&input, png::palette(33, 20, &palette, |x, y| ((x / 11 + y) % 3) as u8)).unwrap();
    run_demo(&args(Some(&input), &dir.path().join("out"))).unwrap();
    let rgb = image::open(dir.path().join("out/original.png")).unwrap().into_rgb8();
    assert_eq!(rgb.dimensions(), (33, 20));
    assert_eq!(rgb.get_pixel(0, 0).0, [255, 0, 0]);
    assert_eq!(rgb.get_pixel(11, 0).0, [0, 0, 255]);
    assert_eq!(rgb.get_pixel(0, 2).0, [255, 255, 0]);
}

#[test]
fn every_supported_format_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (40, 30);
    let rgb: Vec<u8> =
        (0..w * h).flat_map(|i| if i % w < 20 { [200, 30, 30] } else { [30, 30, 200] }).collect();
    let grey: Vec<u8> = rgb.chunks(3).map(|p| p[0]).collect();
    let rgba: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[0], p[1], p[2], 128]).collect();
    let rgb16: Vec<u8> = rgb.iter().flat_map(|&b| [b, b]).collect();
    let inputs: [(&str, &[u8], ExtendedColorType); 7] = [
        ("in.png", &rgb, ExtendedColorType::Rgb8),
        ("in-rgba.png", &rgba, ExtendedColorType::Rgba8),
        ("in-16bit.png", &rgb16, ExtendedColorType::Rgb16),
        ("in.jpg", &rgb, ExtendedColorType::Rgb8),
        ("in.bmp", &rgb, ExtendedColorType::Rgb8),
        ("in.ppm", &rgb, ExtendedColorType::Rgb8),
        ("in.pgm", &grey, ExtendedColorType::L8),
    ];
    for (name, bytes, color) in inputs {
        let input = dir.path().join(name);
        image::save_buffer(&input, bytes, w, h, color).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        run_demo(&args(Some(&input), &out)).unwrap_or_else(|e| panic!("{name}: {e}"));
        for file in ["original.png", "ecb.png", "cbc.png"] {
            assert_eq!(dimensions(&out.join(file)), (w, h), "{name} → {file}");
        }
    }
}

#[test]
fn a_file_named_png_is_read_by_its_content() {
    // The format is guessed from the first bytes, not from the name.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("actually-a-bmp.png");
    image::save_buffer_with_format(&input, &[9; 12], 2, 2, ExtendedColorType::Rgb8, image::ImageFormat::Bmp)
        .unwrap();
    run_demo(&args(Some(&input), &dir.path().join("out"))).unwrap();
    assert_eq!(dimensions(&dir.path().join("out/ecb.png")), (2, 2));
}

// ───────────────────────────── bad input ─────────────────────────────

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("nothere.png");
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert!(matches!(err, EcbImageError::NotFound { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("cannot open {}: no such file", input.display()));
    assert_eq!(err.hint(), "check the path, or leave IMAGE out to use the built-in picture");
    assert!(!dir.path().join("out").exists(), "nothing written for bad input");
}

#[test]
fn text_file_is_unsupported_and_the_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("notes.txt");
    std::fs::write(&input, "attack at dawn\n").unwrap();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert!(matches!(err, EcbImageError::Unsupported { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{} is not a PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM) image", input.display())
    );
    assert_eq!(err.hint(), "convert it to PNG first, or leave IMAGE out to use the built-in picture");
}

#[test]
fn gif_is_recognised_but_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("anim.gif");
    std::fs::write(&input, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a GIF image; cryptolab reads only PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM) images",
            input.display()
        )
    );
}

#[test]
fn empty_file_is_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.png");
    std::fs::write(&input, b"").unwrap();
    assert!(matches!(run_err(&args(Some(&input), dir.path())), EcbImageError::Unsupported { .. }));
}

#[test]
fn truncated_png_is_a_decode_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cut.png");
    let whole = std::fs::read(sample_path()).unwrap();
    std::fs::write(&input, &whole[..whole.len() / 2]).unwrap();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert!(matches!(err, EcbImageError::Decode { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("cannot decode {} as PNG: ", input.display())), "{err}");
    assert_eq!(
        err.hint(),
        "the file may be truncated or damaged: open it in an image viewer, or save it again as PNG"
    );
}

#[test]
fn directory_as_image_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let err = run_err(&args(Some(dir.path()), &dir.path().join("out")));
    assert!(matches!(err, EcbImageError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("cannot read {}: ", dir.path().display())), "{err}");
}

/// The message for a picture over the default limit.
fn too_large(name: &Path, w: u64, h: u64) -> String {
    format!("{} is {w}×{h} = {} pixels, over the limit of 67108864 pixels", name.display(), w * h)
}

const TOO_LARGE_HINT: &str = "scale it down, or raise --max-pixels (default 67108864 = 8192×8192) \
                              if this machine has about 16 bytes of memory per pixel to spare";

#[test]
fn png_header_claiming_100000_squared_is_refused_before_decoding() {
    // A 72-byte file: signature, IHDR, 4 bytes of pixel data, IEND. Decoding
    // would fail for want of data; the refusal proves the header came first.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.png");
    std::fs::write(&input, png::header_only(100_000, 100_000)).unwrap();
    let start = Instant::now();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(matches!(err, EcbImageError::TooLarge { width: 100_000, height: 100_000, .. }), "{err:?}");
    assert_eq!(err.to_string(), too_large(&input, 100_000, 100_000));
    assert_eq!(err.hint(), TOO_LARGE_HINT);
}

#[test]
fn bmp_header_claiming_60000_squared_is_refused_before_decoding() {
    // (BMP decoders refuse sides over 65535 by themselves.)
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.bmp");
    std::fs::write(&input, bmp_header_only(60_000, 60_000)).unwrap();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    assert_eq!(err.to_string(), too_large(&input, 60_000, 60_000));
}

#[test]
fn max_pixels_is_a_limit_that_can_be_met_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ten.png");
    image::save_buffer(&input, &[50; 300], 10, 10, ExtendedColorType::Rgb8).unwrap();
    let mut a = args(Some(&input), &dir.path().join("out"));
    a.max_pixels = 100;
    run_demo(&a).unwrap();
    a.max_pixels = 99;
    let err = run_err(&a);
    assert_eq!(
        err.to_string(),
        format!("{} is 10×10 = 100 pixels, over the limit of 99 pixels", input.display())
    );
}

#[test]
fn zero_sized_picture_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("zero.bmp");
    std::fs::write(&input, bmp_header_only(0, 5)).unwrap();
    let err = run_err(&args(Some(&input), &dir.path().join("out")));
    // Some decoders reject a zero dimension themselves; either way it is refused by name.
    assert!(err.to_string().contains(&input.display().to_string()), "{err}");
}

#[test]
fn output_directory_that_cannot_be_created_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let out = file.join("out");
    let err = run_err(&args(None, &out));
    assert!(matches!(err, EcbImageError::OutDir { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!("cannot create the output directory {}: ", out.display())),
        "{err}"
    );
    assert_eq!(err.hint(), "choose another --out DIR, one that can be created and written");
}

#[test]
#[ignore = "about 2 s in release, minutes in debug: cargo test --release --test ecb_image -- --ignored"]
fn an_8192_square_picture_works() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.png");
    let n = 8192u32;
    // Stripes of flat colour, 512 pixels wide.
    let rgb: Vec<u8> = (0..n * n)
        .flat_map(|i| if (i % n / 512).is_multiple_of(2) { [250, 200, 0] } else { [0, 60, 160] })
        .collect();
    image::save_buffer(&input, &rgb, n, n, ExtendedColorType::Rgb8).unwrap();
    drop(rgb);
    let r = run_report(&args(Some(&input), &dir.path().join("out"))).unwrap();
    let image = &r.facts("image")[0];
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(8192), Some(8192)));
    assert!(r.fact("repeats", "subject", "ecb")["fraction"].as_f64().unwrap() > 0.99);
    assert_eq!(r.fact("repeats", "subject", "cbc")["fraction"].as_f64(), Some(0.0));
    assert_eq!(dimensions(&dir.path().join("out/cbc.png")), (8192, 8192));
    assert_eq!(r.fact("wrote", "file", "comparison")["step"], 4);
    assert_eq!(dimensions(&dir.path().join("out/comparison.png")), (3 * 2048 + 16, 2048));
}

// ───────────────────────────── hand-made files ─────────────────────────────

/// A BMP file header and info header for a 24-bit picture, and no pixels.
fn bmp_header_only(width: i32, height: i32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"BM");
    b.extend_from_slice(&54u32.to_le_bytes()); // file size (the headers alone)
    b.extend_from_slice(&[0; 4]); // reserved
    b.extend_from_slice(&54u32.to_le_bytes()); // offset of the pixel data
    b.extend_from_slice(&40u32.to_le_bytes()); // BITMAPINFOHEADER size
    b.extend_from_slice(&width.to_le_bytes());
    b.extend_from_slice(&height.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // planes
    b.extend_from_slice(&24u16.to_le_bytes()); // bits per pixel
    b.extend_from_slice(&[0; 24]); // no compression, sizes, resolution, palette counts
    b
}

/// PNG files written byte by byte (ISO/IEC 15948): what the `image` crate
/// cannot make — a palette picture, a header with no pixels.
mod png {
    /// CRC-32 (ISO 3309, as PNG uses it), bit by bit.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    fn ihdr(width: u32, height: u32, color_type: u8) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&width.to_be_bytes());
        d.extend_from_slice(&height.to_be_bytes());
        d.extend_from_slice(&[8, color_type, 0, 0, 0]); // depth 8, deflate, no filter method, no interlace
        d
    }

    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// Signature, an 8-bit RGB IHDR claiming any size, an IDAT with one
    /// pixel's worth of data, IEND: a tiny file that claims a huge picture.
    pub fn header_only(width: u32, height: u32) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        chunk(&mut out, b"IHDR", &ihdr(width, height, 2));
        chunk(&mut out, b"IDAT", &zlib_stored(&[0, 1, 2, 3]));
        chunk(&mut out, b"IEND", &[]);
        out
    }

    /// A zlib stream of stored (uncompressed) deflate blocks (RFC 1950, 1951 §3.2.4).
    fn zlib_stored(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let pieces: Vec<&[u8]> = data.chunks(65_535).collect();
        for (i, piece) in pieces.iter().enumerate() {
            out.push(u8::from(i + 1 == pieces.len()));
            let len = piece.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(piece);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in data {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }

    /// An 8-bit palette PNG whose pixel (x, y) is palette entry `index(x, y)`.
    pub fn palette(width: u32, height: u32, colors: &[[u8; 3]], index: impl Fn(u32, u32) -> u8) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        chunk(&mut out, b"IHDR", &ihdr(width, height, 3));
        chunk(&mut out, b"PLTE", &colors.concat());
        let mut raw = Vec::new();
        for y in 0..height {
            raw.push(0); // filter type None
            raw.extend((0..width).map(|x| index(x, y)));
        }
        chunk(&mut out, b"IDAT", &zlib_stored(&raw));
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

// ───────────────────────────── the real binary ─────────────────────────────

/// Asserts a usage/input error: exit code 2 and exactly these two lines.
/// The shared two-line check, made stricter here: these errors come with no
/// warning before them and nothing on stdout.
fn assert_error(out: &common::Out, what: &str, hint: &str) {
    common::assert_error(out, what, hint);
    assert_eq!(out.stderr, format!("cryptolab: {what}\n  hint: {hint}\n"));
    assert!(out.stdout.is_empty(), "nothing on stdout for an error: {}", out.text());
}

#[test]
fn cli_writes_the_pngs_and_prints_where_they_are() {
    let lab = common::Lab::new();
    let out = lab.run(&["demo", "ecb-image", "--seed", "1"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("image: the built-in padlock, 512×512 pixels"), "{text}");
    assert!(text.contains("key:   a demo AES-128 key from --seed 1, fingerprint "), "{text}");
    for name in ["original", "ecb", "cbc", "gcm", "comparison"] {
        assert!(text.contains(&format!("  ecb-image-out/{name}.png")), "{name}:\n{text}");
        assert!(lab.path(&format!("ecb-image-out/{name}.png")).is_file(), "{name}");
    }
    assert!(!text.contains('\x1b'), "no colour when NO_COLOR is set");
}

#[test]
fn cli_json_is_one_event_per_line_with_paths_dimensions_and_fractions() {
    let lab = common::Lab::new();
    let out = lab.run(&["demo", "ecb-image", "--seed", "1", "--json", "--out", "pics"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events: Vec<serde_json::Value> = out
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object: {l}: {e}")))
        .collect();
    let fact = |name: &str, key: &str, value: &str| {
        let found: Vec<_> = events
            .iter()
            .filter(|e| e["event"] == "fact" && e["name"] == name && e["value"][key] == value)
            .collect();
        assert_eq!(found.len(), 1, "{name} {key}={value}: {}", out.text());
        found[0]["value"].clone()
    };
    let image = fact("image", "name", "the built-in padlock");
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(512), Some(512)));
    assert_eq!(fact("wrote", "file", "ecb")["path"], "pics/ecb.png");
    assert_eq!(fact("wrote", "file", "comparison")["path"], "pics/comparison.png");
    assert!(fact("repeats", "subject", "ecb")["fraction"].as_f64().unwrap() > 0.99);
    assert_eq!(fact("repeats", "subject", "cbc")["fraction"].as_f64(), Some(0.0));
    assert_eq!(fact("repeats", "subject", "gcm")["fraction"].as_f64(), Some(0.0));
    assert!(lab.path("pics/cbc.png").is_file());
}

#[test]
fn cli_closed_pipe_is_not_an_error() {
    let lab = common::Lab::new();
    let bin = env!("CARGO_BIN_EXE_cryptolab");
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("'{bin}' demo ecb-image --seed 1 | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}"),
        ])
        .current_dir(lab.dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn cli_reads_a_picture_given_by_path() {
    let lab = common::Lab::new();
    image::save_buffer(lab.path("grey.png"), &[128; 20 * 10], 20, 10, ExtendedColorType::L8).unwrap();
    let out = lab.run(&["demo", "ecb-image", "grey.png", "--out", "o"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.text().contains("image: grey.png, 20×10 pixels = 600 bytes of RGB = 37 AES blocks + 8 bytes\n")
    );
    assert!(out.text().contains("key:   a random demo AES-128 key from seed "), "{}", out.text());
    assert!(out.text().contains(" (--seed repeats it), fingerprint "), "{}", out.text());
    assert_eq!(dimensions(&lab.path("o/ecb.png")), (20, 10));
}

#[test]
fn cli_help_has_examples() {
    let lab = common::Lab::new();
    let out = lab.run(&["demo", "ecb-image", "--help"], b"");
    assert_eq!(out.code, 0);
    let text = out.text();
    assert!(text.contains("Examples:\n  cryptolab demo ecb-image "), "{text}");
    for flag in ["--out <DIR>", "--seed <N>", "--json", "--max-pixels <N>", "[IMAGE]"] {
        assert!(text.contains(flag), "{flag}:\n{text}");
    }
}

#[test]
fn cli_missing_file() {
    let lab = common::Lab::new();
    let out = lab.run(&["demo", "ecb-image", "nothere.png"], b"");
    assert_error(
        &out,
        "cannot open nothere.png: no such file",
        "check the path, or leave IMAGE out to use the built-in picture",
    );
}

#[test]
fn cli_unsupported_file() {
    let lab = common::Lab::new();
    lab.write("notes.txt", b"attack at dawn\n");
    let out = lab.run(&["demo", "ecb-image", "notes.txt"], b"");
    assert_error(
        &out,
        "notes.txt is not a PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM) image",
        "convert it to PNG first, or leave IMAGE out to use the built-in picture",
    );
    assert!(!lab.path("ecb-image-out").exists());
}

#[test]
fn cli_damaged_file() {
    let lab = common::Lab::new();
    let whole = std::fs::read(sample_path()).unwrap();
    lab.write("cut.png", &whole[..200]);
    let out = lab.run(&["demo", "ecb-image", "cut.png"], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.starts_with("cryptolab: cannot decode cut.png as PNG: "), "{}", out.stderr);
    assert!(out.stderr.ends_with(
        "\n  hint: the file may be truncated or damaged: open it in an image viewer, or save it again as PNG\n"
    ));
    assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
}

#[test]
fn cli_too_many_pixels_refused_before_decoding() {
    let lab = common::Lab::new();
    lab.write("huge.png", &png::header_only(100_000, 100_000));
    let out = lab.run(&["demo", "ecb-image", "huge.png"], b"");
    assert_error(&out, &too_large(Path::new("huge.png"), 100_000, 100_000), TOO_LARGE_HINT);
}

#[test]
fn cli_max_pixels_flag_lowers_the_limit() {
    let lab = common::Lab::new();
    let out = lab.run(&["demo", "ecb-image", "--max-pixels", "1000"], b"");
    assert_error(
        &out,
        "the built-in padlock is 512×512 = 262144 pixels, over the limit of 1000 pixels",
        TOO_LARGE_HINT,
    );
}

#[test]
fn cli_output_directory_not_creatable() {
    let lab = common::Lab::new();
    lab.write("file", b"");
    let out = lab.run(&["demo", "ecb-image", "--out", "file/sub"], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.starts_with("cryptolab: cannot create the output directory file/sub: "));
    assert!(
        out.stderr.ends_with("\n  hint: choose another --out DIR, one that can be created and written\n")
    );
}
