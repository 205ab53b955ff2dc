//! `cryptolab demo ecb-image` — ECB's leak, seen: one picture encrypted in
//! four modes, the ciphertext shown as pixels.
//!
//! "ECB leaks patterns" is easy to say and hard to believe until you see it.
//! This demo encrypts the pixels of a real picture with AES in ECB, CBC, CTR
//! and GCM mode, lays each ciphertext back over the same width and height, and
//! writes the results as PNGs you can open. Nothing is simulated: the pixel
//! bytes are the plaintext, sealed by the same [`Cipher`] every other command
//! uses, and the ECB picture is what an eavesdropper would really see.
//!
//! # Setup: a picture as a message
//!
//! The picture is decoded and converted to 8-bit RGB (palette and greyscale
//! images are expanded to RGB, an alpha channel is dropped), then read as one
//! byte string, row by row from the top, three bytes per pixel:
//!
//! ```text
//! row 0: R G B R G B R G B R G B R G B R | G B R G B R G B R G B R G B R G | B R G …
//!        └──────────── P_0 ──────────────┘ └──────────── P_1 ──────────────┘
//! ```
//!
//! The 16-byte AES blocks `P_0, P_1, …` cut across pixels: a block holds five
//! pixels and a third. In an area of one flat colour the three-byte pattern
//! lines up with the blocks again every 48 bytes (16 pixels), so the whole
//! area is made of just three different plaintext blocks, repeated.
//!
//! # Attack: nothing to do but look
//!
//! ECB (NIST SP 800-38A §6.1) encrypts every block on its own, with the same
//! key:
//!
//! ```text
//! C_i = E_K(P_i)        so   P_i = P_j  ⇒  C_i = C_j
//! ```
//!
//! `E_K` is one fixed permutation of 16-byte values — a codebook. Each flat
//! area therefore becomes three ciphertext blocks repeated over and over: a
//! texture of its own, different for every colour, changing exactly where
//! the picture's edges are. The outline survives; nobody had to decrypt a
//! thing. The [`repeated_block_fraction`] (the share of 16-byte blocks equal
//! to an earlier block) puts a number on it, and for ECB it is not merely
//! high but *exactly* the plaintext's own: a permutation maps equal blocks to
//! equal blocks and different blocks to different blocks.
//!
//! # Verify: what CBC, CTR and GCM do differently
//!
//! ```text
//! CBC (SP 800-38A §6.2):   C_i = E_K(P_i ⊕ C_{i−1}),   C_{−1} = IV (random)
//! CTR (SP 800-38A §6.5):   C_i = P_i ⊕ E_K(T_0 + i),   T_0 = IV (random)
//! GCM (SP 800-38D §6.5):   C_i = P_i ⊕ E_K(J_0 + 1 + i),   J_0 = nonce ‖ 0³¹1
//! ```
//!
//! CBC chains: two equal plaintext blocks enter the cipher as different
//! inputs, because they are XORed with different previous ciphertext blocks.
//! CTR is counter mode: each block is XORed with its own keystream block, and
//! the counter never repeats within a message; GCM is CTR plus a tag. Either
//! way equal plaintext gives unrelated ciphertext, the pictures are noise,
//! and the fraction is ≈ 0. (Among n random blocks a chance repeat has
//! probability about n²/2¹²⁹: never, in practice.) A picture of CTR's or
//! GCM's ciphertext looks the same as CBC's — noise — so only their fractions
//! are reported. Hiding patterns is not detecting tampering: CTR, like CBC,
//! detects none (`cryptolab demo bitflip`).
//!
//! # From ciphertext back to a picture
//!
//! The RGB bytes are sealed as one message by [`Cipher::seal_into`]: PKCS#7
//! pads the last block (ECB, CBC; CTR and GCM need no padding), the body
//! starts with the IV or nonce and ends with the tag (GCM). [`encrypt_pixels`] drops the IV/nonce and the
//! tag and keeps the first `width × height × 3` ciphertext bytes, so the
//! result has the original's dimensions. (Trimming the padding block makes
//! the picture undecryptable — it is for looking at, not for sending.)
//!
//! # The runner
//!
//! [`narrate`] reads the picture (or the built-in padlock, made by
//! `examples/make_sample_image.rs`), refuses one with too many pixels
//! *before* decoding it (the header's dimensions are checked first, so a
//! small file claiming 100000×100000 costs nothing), takes the demo key and
//! IVs from its [`DemoCtx`] (so `--seed` repeats a run), and writes
//! `original.png`, `ecb.png`, `cbc.png`, `gcm.png` and `comparison.png`
//! (original, ecb and cbc side by side). All four modes use the same key: only the mode differs. It is
//! the one demo that writes files — they are its product — and it reports
//! like every other demo, with events: the sizes, counts and paths as
//! [`crate::events::Event::Fact`]s, which `--json` prints as data.
//! [`headline`] is this demo's part of `cryptolab tour`: the same counts,
//! in memory, no files.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Cursor, Seek, Write};
use std::path::{Path, PathBuf};

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::error::UnsupportedErrorKind;
use image::{ExtendedColorType, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits};
use rand::CryptoRng;
use serde_json::json;

// Everything this demo takes from the rest of the crate.
use super::{DEMO_KEY_BITS, DemoCtx, DemoError, broken_if};
use crate::suite::{Cipher, Suite};

/// The built-in picture: a padlock in five flat colours, 512×512, drawn by
/// `examples/make_sample_image.rs`. Compiled in, so the demo works from any
/// directory and needs no files.
const SAMPLE: &[u8] = include_bytes!("../../samples/figure.png");
/// How the built-in picture is named in output and errors.
const SAMPLE_NAME: &str = "the built-in padlock";

/// The default `--max-pixels`: 8192×8192. Checked against the header before
/// decoding, because a few-byte header can claim any size, and every pixel
/// costs memory here (about 16 bytes at the peak).
pub const DEFAULT_MAX_PIXELS: u64 = 8192 * 8192;
/// Rough peak memory per pixel, in bytes: the decoded picture (up to 8 for
/// 16-bit RGBA), its RGB copy (3), one ciphertext at a time (3) and the
/// sorted copy of its blocks that counts repeats (3).
const MEMORY_PER_PIXEL: u64 = 16;
/// The AES block: the unit that ECB repeats.
const BLOCK: usize = 16;
/// The comparison image shrinks each panel by a whole factor (keeping every
/// k-th pixel, so no colour is blended away) until its longer side is at most
/// this; the three full-size PNGs are always written at full size.
const COMPARISON_MAX_SIDE: u32 = 2048;
/// White space between the panels of the comparison image, in pixels.
const COMPARISON_GAP: u32 = 8;

/// This demo's row in the registry ([`crate::demos::DEMOS`]).
pub const DEMO: super::DemoEntry = super::DemoEntry {
    name: "ecb-image",
    about: "Encrypt a picture's pixels in ecb, cbc, ctr and gcm; see what ECB leaks",
    headline,
    tour: true,
};

/// The settings of `cryptolab demo ecb-image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The picture (PNG, JPEG, BMP or PNM); `None`: the built-in padlock.
    pub image: Option<PathBuf>,
    /// Directory for the PNGs (created if missing; files in it are replaced).
    pub out: PathBuf,
    /// Refuse pictures with more pixels than this, before decoding them.
    pub max_pixels: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { image: None, out: PathBuf::from("ecb-image-out"), max_pixels: DEFAULT_MAX_PIXELS }
    }
}

/// Why the demo could not run. `Display` is the first line of the message
/// (naming the file); [`EcbImageError::hint`] is the second.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EcbImageError {
    /// The picture file does not exist.
    #[error("cannot open {name}: no such file")]
    NotFound {
        /// The path as given.
        name: String,
    },
    /// The picture file exists but cannot be read.
    #[error("cannot read {name}: {err}")]
    Unreadable {
        /// The path as given.
        name: String,
        /// Why.
        err: io::Error,
    },
    /// The file is not in a format this demo decodes.
    #[error("{}", unsupported_message(name, format.as_deref()))]
    Unsupported {
        /// The path as given.
        name: String,
        /// The format the file's first bytes name, if any.
        format: Option<String>,
    },
    /// The header's dimensions exceed `--max-pixels` (checked before decoding).
    #[error("{name} is {width}×{height} = {pixels} pixels, over the limit of {max_pixels} pixels", pixels = u64::from(*width) * u64::from(*height))]
    TooLarge {
        /// The path as given.
        name: String,
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The limit in force.
        max_pixels: u64,
    },
    /// The header says the picture has no pixels at all.
    #[error("{name} is {width}×{height}: it has no pixels")]
    Empty {
        /// The path as given.
        name: String,
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
    },
    /// The format was recognised but the data could not be decoded.
    #[error("cannot decode {name} as {format}: {detail}")]
    Decode {
        /// The path as given.
        name: String,
        /// The format it was read as.
        format: String,
        /// What the decoder said.
        detail: String,
    },
    /// The output directory could not be created.
    #[error("cannot create the output directory {}: {err}", path.display())]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        err: io::Error,
    },
    /// An output PNG could not be written.
    #[error("cannot write {}: {detail}", path.display())]
    WritePng {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
}

/// The formats this demo decodes, as the error messages name them.
const FORMATS: &str = "PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM)";

/// The first line of [`EcbImageError::Unsupported`].
fn unsupported_message(name: &str, format: Option<&str>) -> String {
    match format {
        None => format!("{name} is not a {FORMATS} image"),
        Some(f) => format!("{name} is a {f} image; cryptolab reads only {FORMATS} images"),
    }
}

impl EcbImageError {
    /// The second line of the user-facing message: what to try.
    pub fn hint(&self) -> String {
        match self {
            EcbImageError::NotFound { .. } => {
                "check the path, or leave IMAGE out to use the built-in picture".to_string()
            }
            EcbImageError::Unreadable { name, .. } => format!("check that {name} is a readable file"),
            EcbImageError::Unsupported { .. } => {
                "convert it to PNG first, or leave IMAGE out to use the built-in picture".to_string()
            }
            EcbImageError::TooLarge { .. } => format!(
                "scale it down, or raise --max-pixels (default {DEFAULT_MAX_PIXELS} = 8192×8192) \
                 if this machine has about {MEMORY_PER_PIXEL} bytes of memory per pixel to spare"
            ),
            EcbImageError::Empty { .. } => "give a picture at least 1×1 pixel in size".to_string(),
            EcbImageError::Decode { .. } => {
                "the file may be truncated or damaged: open it in an image viewer, or save it again as PNG"
                    .to_string()
            }
            EcbImageError::OutDir { .. } | EcbImageError::WritePng { .. } => {
                "choose another --out DIR, one that can be created and written".to_string()
            }
        }
    }
}

// ───────────────────────────── the pure core ─────────────────────────────

/// Encrypts RGB8 pixels in row order with `cipher` and returns ciphertext of
/// the same length, to be shown as a picture of the same dimensions.
///
/// The pixels are sealed as one message (PKCS#7-padded for ECB and CBC,
/// IV/nonce from `rng`); the IV/nonce at the front of the body and the tag at
/// its end are dropped, and the ciphertext is cut to `rgb.len()` bytes.
pub fn encrypt_pixels(cipher: &Cipher, rgb: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
    let mut body = Vec::new();
    encrypt_pixels_into(cipher, rgb, rng, &mut body);
    body
}

/// [`encrypt_pixels`] into a reused buffer (resized; old contents overwritten).
fn encrypt_pixels_into(cipher: &Cipher, rgb: &[u8], rng: &mut impl CryptoRng, out: &mut Vec<u8>) {
    cipher.seal_into(&[], rgb, rng, out);
    let start = cipher.suite().iv_len();
    out.copy_within(start..start + rgb.len(), 0);
    out.truncate(rgb.len());
}

/// The fraction of whole 16-byte blocks in `bytes` that equal an earlier
/// block (0 for fewer than two blocks; a trailing partial block is ignored).
///
/// For ECB ciphertext this equals the plaintext's own fraction exactly; for
/// CBC and GCM it is ≈ 0.
pub fn repeated_block_fraction(bytes: &[u8]) -> f64 {
    let (repeated, blocks) = repeated_blocks(bytes);
    if blocks == 0 { 0.0 } else { repeated as f64 / blocks as f64 }
}

/// How many whole blocks of `bytes` equal an earlier block, and how many
/// whole blocks there are.
///
/// Sorting puts equal blocks next to each other, so the repeats are the
/// adjacent equal pairs (n − the number of distinct blocks). A sort costs
/// O(n log n) whatever the picture — unlike a hash table, which a crafted
/// picture could fill with colliding blocks — and for 3 million blocks
/// (a 4096×4096 picture) it takes about a tenth of a second.
fn repeated_blocks(bytes: &[u8]) -> (usize, usize) {
    let (blocks, _) = bytes.as_chunks::<BLOCK>();
    // A block is 128 bits: one u128, compared in one step.
    let mut sorted: Vec<u128> = blocks.iter().map(|b| u128::from_le_bytes(*b)).collect();
    sorted.sort_unstable();
    let repeated = sorted.windows(2).filter(|pair| pair[0] == pair[1]).count();
    (repeated, blocks.len())
}

// ───────────────────────────── reading the picture ─────────────────────────────

/// A decoded picture as RGB8, row by row.
struct Picture {
    /// How the picture is named in output.
    name: String,
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

/// Anything an [`ImageReader`] can read: a file or the built-in bytes.
trait Input: BufRead + Seek {}
impl<T: BufRead + Seek> Input for T {}

/// Where the picture comes from.
enum Source<'a> {
    /// The compiled-in padlock.
    Sample,
    /// A file named on the command line.
    File(&'a Path),
    /// A picture's bytes, sent by the browser view.
    Bytes(&'a [u8]),
}

impl Source<'_> {
    fn name(&self) -> String {
        match self {
            Source::Sample => SAMPLE_NAME.to_string(),
            Source::File(path) => path.display().to_string(),
            Source::Bytes(_) => "the picture sent".to_string(),
        }
    }

    /// Opens the source afresh (once for the header, once to decode) with
    /// its format guessed from the first bytes, not from the file name.
    fn reader(&self) -> Result<ImageReader<Box<dyn Input + '_>>, EcbImageError> {
        let input: Box<dyn Input> = match self {
            Source::Sample => Box::new(Cursor::new(SAMPLE)),
            Source::Bytes(bytes) => Box::new(Cursor::new(*bytes)),
            Source::File(path) => match File::open(path) {
                Ok(file) => Box::new(BufReader::new(file)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(EcbImageError::NotFound { name: self.name() });
                }
                Err(err) => return Err(EcbImageError::Unreadable { name: self.name(), err }),
            },
        };
        ImageReader::new(input)
            .with_guessed_format()
            .map_err(|err| EcbImageError::Unreadable { name: self.name(), err })
    }

    /// Reads the dimensions from the header, checks them against
    /// `max_pixels`, and only then decodes and converts to RGB8.
    fn load(&self, max_pixels: u64) -> Result<Picture, EcbImageError> {
        let name = self.name();
        let probe = self.reader()?;
        let format = probe.format();
        let (width, height) = probe.into_dimensions().map_err(|e| image_error(&name, format, e))?;
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 {
            return Err(EcbImageError::Empty { name, width, height });
        }
        if pixels > max_pixels {
            return Err(EcbImageError::TooLarge { name, width, height, max_pixels });
        }

        // The decoder gets the same bounds, so a file that changed since the
        // header was read, or lies about its size, still cannot exceed them.
        let mut limits = Limits::default();
        limits.max_image_width = Some(width);
        limits.max_image_height = Some(height);
        // Up to 8 bytes per pixel (16-bit RGBA) for the decoded picture, plus
        // room for the decoder's own tables.
        let default_alloc = limits.max_alloc.unwrap_or(512 << 20);
        limits.max_alloc = Some(default_alloc.max(pixels.saturating_mul(8).saturating_add(64 << 20)));
        let mut reader = self.reader()?;
        reader.limits(limits);
        let decoded = reader.decode().map_err(|e| image_error(&name, format, e))?;
        let rgb = decoded.into_rgb8();
        Ok(Picture { name, width: rgb.width(), height: rgb.height(), rgb: rgb.into_raw() })
    }
}

/// Turns the image crate's error into ours, naming the file.
fn image_error(name: &str, format: Option<ImageFormat>, err: ImageError) -> EcbImageError {
    let format_name = |f: ImageFormat| format!("{f:?}").to_uppercase();
    if let ImageError::Unsupported(e) = &err
        && matches!(e.kind(), UnsupportedErrorKind::Format(_))
    {
        return EcbImageError::Unsupported { name: name.to_string(), format: format.map(format_name) };
    }
    EcbImageError::Decode {
        name: name.to_string(),
        format: format.map_or_else(|| "an image".to_string(), format_name),
        detail: err.to_string(),
    }
}

// ───────────────────────────── writing the pictures ─────────────────────────────

/// Writes RGB8 pixels as a PNG, choosing speed: noise (the CBC picture) is
/// stored uncompressed, since no filter or deflate level can shrink it;
/// everything else gets the fast deflater with adaptive filtering, which
/// still shrinks the flat original and the ECB picture (whose rows repeat)
/// to under 1% of their raw size.
fn write_png(path: &Path, rgb: &[u8], width: u32, height: u32, noise: bool) -> Result<(), EcbImageError> {
    let fail = |detail: String| EcbImageError::WritePng { path: path.to_path_buf(), detail };
    let file = File::create(path).map_err(|e| fail(e.to_string()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    encode_png(&mut w, rgb, width, height, noise).map_err(fail)?;
    w.flush().map_err(|e| fail(e.to_string()))
}

/// The PNG encoding of [`write_png`], into any writer.
fn encode_png(w: &mut impl Write, rgb: &[u8], width: u32, height: u32, noise: bool) -> Result<(), String> {
    let (compression, filter) = if noise {
        (CompressionType::Uncompressed, FilterType::NoFilter)
    } else {
        (CompressionType::Fast, FilterType::Adaptive)
    };
    PngEncoder::new_with_quality(w, compression, filter)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())
}

/// The side-by-side picture: panels of equal size with a white gap between,
/// each shrunk by a whole factor so the whole stays viewable.
struct Comparison {
    /// Keep every `step`-th pixel in each direction.
    step: u32,
    panel_width: u32,
    panel_height: u32,
    width: u32,
    rgb: Vec<u8>,
}

impl Comparison {
    fn new(width: u32, height: u32, panels: u32) -> Self {
        let step = width.max(height).div_ceil(COMPARISON_MAX_SIDE).max(1);
        let (panel_width, panel_height) = (width.div_ceil(step), height.div_ceil(step));
        let total_width = panels * panel_width + (panels - 1) * COMPARISON_GAP;
        let len = total_width as usize * panel_height as usize * 3;
        Comparison { step, panel_width, panel_height, width: total_width, rgb: vec![255; len] }
    }

    /// Copies `rgb` (`width` pixels wide) into panel number `index`.
    fn paste(&mut self, index: u32, rgb: &[u8], width: u32) {
        let (step, row_len) = (self.step as usize, self.width as usize * 3);
        let x0 = (index * (self.panel_width + COMPARISON_GAP)) as usize * 3;
        for (py, dst_row) in self.rgb.chunks_exact_mut(row_len).enumerate() {
            let src_row = &rgb[py * step * width as usize * 3..][..width as usize * 3];
            let dst = &mut dst_row[x0..x0 + self.panel_width as usize * 3];
            if step == 1 {
                dst.copy_from_slice(src_row);
            } else {
                // One pixel from each run of `step`; the last run may be
                // shorter, but holds at least one whole pixel.
                for (d, s) in dst.chunks_exact_mut(3).zip(src_row.chunks(3 * step)) {
                    d.copy_from_slice(&s[..3]);
                }
            }
        }
    }
}

// ───────────────────────────── the demo ─────────────────────────────

/// The modes, in the order they are shown.
const MODES: [Suite; 4] = [Suite::Ecb, Suite::Cbc, Suite::Ctr, Suite::Gcm];
/// The modes whose ciphertext is a panel of the comparison: the leak, and
/// one picture of noise (ctr's and gcm's look just like cbc's).
const PICTURED: [Suite; 2] = [Suite::Ecb, Suite::Cbc];
/// The modes whose ciphertext is also written as a picture of its own: the
/// comparison's, and gcm's (the authenticated mode, noise as well).
const WRITTEN: [Suite; 3] = [Suite::Ecb, Suite::Cbc, Suite::Gcm];

/// Reports the repeats of one subject (the plaintext or a mode's
/// ciphertext): `repeated` of `blocks` blocks equal an earlier block.
fn report_repeats(ctx: &DemoCtx, subject: &str, repeated: usize, blocks: usize, note: &str) {
    let fraction = if blocks == 0 { 0.0 } else { repeated as f64 / blocks as f64 };
    ctx.fact(
        "repeats",
        json!({ "subject": subject, "repeated": repeated, "blocks": blocks, "fraction": fraction }),
        format!("  {subject:<9} {}{note}", share(repeated, blocks)),
    );
}

/// Runs `cryptolab demo ecb-image`: reads the picture, writes the four PNGs
/// into `opts.out`, and reports what it found and wrote.
pub fn narrate(ctx: &mut DemoCtx, opts: &Options) -> Result<(), DemoError> {
    // Setup: the picture, the demo key, one cipher per mode.
    let source = opts.image.as_deref().map_or(Source::Sample, Source::File);
    let picture = source.load(opts.max_pixels)?;
    let (w, h) = (picture.width, picture.height);

    fs::create_dir_all(&opts.out).map_err(|err| EcbImageError::OutDir { path: opts.out.clone(), err })?;
    let path = |file: &str| opts.out.join(file);

    // The plaintext: its own repeats, written as it is.
    let mut comparison = Comparison::new(w, h, 1 + PICTURED.len() as u32);
    let (original, blocks) = repeated_blocks(&picture.rgb);
    write_png(&path("original.png"), &picture.rgb, w, h, false)?;
    comparison.paste(0, &picture.rgb, w);

    // Attack and verify: each mode's ciphertext, one at a time (one buffer).
    let mut ct = Vec::new();
    let mut counts = [0usize; MODES.len()];
    for (i, suite) in MODES.into_iter().enumerate() {
        let cipher =
            Cipher::new(suite, &ctx.keys.enc, ctx.keys.mac()).expect("demo keys have a valid length");
        encrypt_pixels_into(&cipher, &picture.rgb, &mut ctx.rng, &mut ct);
        counts[i] = repeated_blocks(&ct).0;
        if WRITTEN.contains(&suite) {
            write_png(&path(&format!("{suite}.png")), &ct, w, h, suite != Suite::Ecb)?;
        }
        if let Some(panel) = PICTURED.iter().position(|&p| p == suite) {
            comparison.paste(panel as u32 + 1, &ct, w);
        }
    }
    drop(ct);
    write_png(&path("comparison.png"), &comparison.rgb, comparison.width, comparison.panel_height, false)?;

    // The report: what was encrypted, the counts with what they mean, and
    // where the pictures are.
    report(ctx, &picture, blocks, original, counts);
    ctx.step("wrote:");
    for file in ["original", "ecb", "cbc", "gcm"] {
        let path = path(&format!("{file}.png")).display().to_string();
        ctx.fact("wrote", json!({ "file": file, "path": path }), format!("  {path}"));
    }
    let scale = if comparison.step > 1 { format!(", at 1/{} size", comparison.step) } else { String::new() };
    let comparison_path = path("comparison.png").display().to_string();
    ctx.fact(
        "wrote",
        json!({ "file": "comparison", "path": comparison_path, "step": comparison.step }),
        format!("  {comparison_path}   original | ecb | cbc{scale}"),
    );
    ctx.say("Open comparison.png: ecb keeps the picture's outline, drawn by repeated blocks; cbc is noise.");
    Ok(())
}

/// The report of a run: what was encrypted, under which key, and the
/// repeated blocks of the plaintext and of each mode's ciphertext (one
/// `repeats` fact each) — the same in the terminal and in the browser view.
fn report(ctx: &DemoCtx, picture: &Picture, blocks: usize, original: usize, counts: [usize; MODES.len()]) {
    let (w, h) = (picture.width, picture.height);
    ctx.title("ECB on a picture: the same pixels encrypted in four modes");
    let bytes = u64::from(w) * u64::from(h) * 3;
    let tail = match bytes % BLOCK as u64 {
        0 => String::new(),
        rest => format!(" + {rest} bytes"),
    };
    ctx.fact(
        "image",
        json!({ "name": picture.name, "width": w, "height": h, "bytes": bytes, "blocks": blocks }),
        format!("image: {}, {w}×{h} pixels = {bytes} bytes of RGB = {blocks} AES blocks{tail}", picture.name),
    );
    let origin = match ctx.chosen_seed() {
        Some(seed) => format!("a demo AES-{DEMO_KEY_BITS} key from --seed {seed}"),
        None => format!("a random demo AES-{DEMO_KEY_BITS} key from seed {} (--seed repeats it)", ctx.seed()),
    };
    let fingerprint = ctx.keys.fingerprint();
    ctx.fact(
        "keys",
        json!({ "seed": ctx.chosen_seed(), "fingerprint": fingerprint, "aes_bits": DEMO_KEY_BITS }),
        format!("key:   {origin}, fingerprint {fingerprint}, the same for every mode"),
    );
    ctx.say(format!("INSECURE: {}", Suite::Ecb.insecure_reason().expect("ecb is insecure")));
    ctx.step("16-byte blocks equal to an earlier block:");
    let notes = [
        "   C_i = E_K(P_i): equal blocks in, equal blocks out",
        "   C_i = E_K(P_i ⊕ C_{i−1}): chaining hides repeats",
        "   C_i = P_i ⊕ E_K(T_0 + i): a keystream that never repeats",
        "   ctr's keystream, plus a tag",
    ];
    report_repeats(ctx, "original", original, blocks, "");
    for ((suite, n), note) in MODES.into_iter().zip(counts).zip(notes) {
        report_repeats(ctx, suite.name(), n, blocks, note);
    }
}

/// One picture of [`in_memory`]: the plaintext or a mode's ciphertext laid
/// over the picture's width and height, as a PNG.
pub struct Panel {
    /// `original`, or the mode (`ecb`, `cbc`, `ctr`, `gcm`).
    pub name: &'static str,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// Whole blocks equal to an earlier block.
    pub repeated: usize,
    /// Whole blocks.
    pub blocks: usize,
}

/// The demo for the browser view: the picture's bytes (`None`: the
/// padlock) encrypted in the four modes by the same code as [`narrate`],
/// reported with the same events, and returned as five PNGs in memory
/// (original, ecb, cbc, ctr, gcm) instead of files.
pub fn in_memory(ctx: &mut DemoCtx, image: Option<&[u8]>, max_pixels: u64) -> Result<Vec<Panel>, DemoError> {
    let source = image.map_or(Source::Sample, Source::Bytes);
    let picture = source.load(max_pixels)?;
    let (w, h) = (picture.width, picture.height);
    let png = |rgb: &[u8], noise: bool| {
        let mut out = Vec::new();
        encode_png(&mut out, rgb, w, h, noise)
            .map_err(|detail| EcbImageError::WritePng { path: PathBuf::from("(memory)"), detail })?;
        Ok::<_, EcbImageError>(out)
    };
    let (original, blocks) = repeated_blocks(&picture.rgb);
    let mut panels =
        vec![Panel { name: "original", png: png(&picture.rgb, false)?, repeated: original, blocks }];
    let mut counts = [0usize; MODES.len()];
    let mut ct = Vec::new();
    for (i, suite) in MODES.into_iter().enumerate() {
        let cipher =
            Cipher::new(suite, &ctx.keys.enc, ctx.keys.mac()).expect("demo keys have a valid length");
        encrypt_pixels_into(&cipher, &picture.rgb, &mut ctx.rng, &mut ct);
        counts[i] = repeated_blocks(&ct).0;
        panels.push(Panel {
            name: suite.name(),
            png: png(&ct, suite != Suite::Ecb)?,
            repeated: counts[i],
            blocks,
        });
    }
    report(ctx, &picture, blocks, original, counts);
    Ok(panels)
}

/// `n of total = p%`, aligned. The percentage shows 100.0 and 0.0 only when
/// they are exact, so "every block repeats" is never a rounding artefact.
fn share(n: usize, total: usize) -> String {
    let percent = if total == 0 { 0.0 } else { 100.0 * n as f64 / total as f64 };
    let percent = if n == 0 || n == total { percent } else { percent.clamp(0.1, 99.9) };
    format!("{n:>w$} of {total} = {percent:5.1}%", w = total.to_string().len())
}

/// The demo's part of `cryptolab tour`: the built-in picture encrypted in
/// memory in the four modes, and one verdict per mode on how many blocks
/// repeat. Writes no files; the same output for the same seed.
pub fn headline(ctx: &mut DemoCtx) -> Result<(), DemoError> {
    let picture = Source::Sample.load(DEFAULT_MAX_PIXELS)?;
    let (plain, _) = repeated_blocks(&picture.rgb);
    ctx.say(format!(
        "ecb-image: the built-in {}×{} padlock's pixels, encrypted in four modes under one key; blocks equal\n  \
         to an earlier block (see them: cryptolab demo ecb-image):",
        picture.width, picture.height
    ));
    let notes = [
        "the padlock's outline shows through",
        "chaining makes every block different",
        "a fresh keystream per block: no repeats",
        "ctr's keystream, plus a tag: no repeats",
    ];
    let mut ct = Vec::new();
    for (suite, note) in MODES.into_iter().zip(notes) {
        let cipher =
            Cipher::new(suite, &ctx.keys.enc, ctx.keys.mac()).expect("demo keys have a valid length");
        encrypt_pixels_into(&cipher, &picture.rgb, &mut ctx.rng, &mut ct);
        let (n, total) = repeated_blocks(&ct);
        // The leak is complete when the ciphertext repeats exactly where the picture does.
        let outcome = broken_if(n > 0 && (suite != Suite::Ecb || n == plain));
        ctx.verdict(DEMO.name, suite.name(), outcome, format!("{suite}: {}  {note}", share(n, total)));
    }
    Ok(())
}
