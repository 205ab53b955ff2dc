//! `cryptolab demo ecb-image` — ECB's leak, seen: one picture encrypted in
//! three modes, the ciphertext shown as pixels.
//!
//! "ECB leaks patterns" is easy to say and hard to believe until you see it.
//! This demo encrypts the pixels of a real picture with AES in ECB, CBC and
//! GCM mode, lays each ciphertext back over the same width and height, and
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
//! # Verify: what CBC and GCM do differently
//!
//! ```text
//! CBC (SP 800-38A §6.2):   C_i = E_K(P_i ⊕ C_{i−1}),   C_{−1} = IV (random)
//! GCM (SP 800-38D §6.5):   C_i = P_i ⊕ E_K(J_0 + 1 + i),   J_0 = nonce ‖ 0³¹1
//! ```
//!
//! CBC chains: two equal plaintext blocks enter the cipher as different
//! inputs, because they are XORed with different previous ciphertext blocks.
//! GCM is counter mode: each block is XORed with its own keystream block, and
//! the counter never repeats under one nonce. Either way equal plaintext
//! gives unrelated ciphertext, the pictures are noise, and the fraction is
//! ≈ 0. (Among n random blocks a chance repeat has probability about
//! n²/2¹²⁹: never, in practice.) GCM also authenticates, but a picture of its
//! ciphertext looks the same as CBC's, so only its fraction is reported.
//!
//! # From ciphertext back to a picture
//!
//! The RGB bytes are sealed as one message by [`Cipher::seal_into`]: PKCS#7
//! pads the last block (ECB, CBC), the body starts with the IV or nonce and
//! ends with the tag (GCM). [`encrypt_pixels`] drops the IV/nonce and the
//! tag and keeps the first `width × height × 3` ciphertext bytes, so the
//! result has the original's dimensions. (Trimming the padding block makes
//! the picture undecryptable — it is for looking at, not for sending.)
//!
//! # The runner
//!
//! [`run`] reads the picture (or the built-in padlock, made by
//! `examples/make_sample_image.rs`), refuses one with too many pixels
//! *before* decoding it (the header's dimensions are checked first, so a
//! small file claiming 100000×100000 costs nothing), derives a demo key
//! from `--seed` or draws a random one, and writes `original.png`,
//! `ecb.png`, `cbc.png` and `comparison.png` (the three side by side). All
//! three modes use the same key: only the mode differs. [`tour_section`] is
//! this demo's part of `cryptolab tour`: the same numbers, no files.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Cursor, Seek, Write};
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::error::UnsupportedErrorKind;
use image::{ExtendedColorType, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits};
use rand::rngs::ChaCha20Rng;
use rand::{CryptoRng, SeedableRng};
use serde::Serialize;

// Everything this demo takes from the rest of the crate.
use crate::keys::KeyMaterial;
use crate::suite::{Cipher, Suite};

/// The built-in picture: a padlock in five flat colours, 512×512, drawn by
/// `examples/make_sample_image.rs`. Compiled in, so the demo works from any
/// directory and needs no files.
const SAMPLE: &[u8] = include_bytes!("../../samples/figure.png");
/// How the built-in picture is named in output and errors.
const SAMPLE_NAME: &str = "samples/figure.png (built in)";

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
/// The AES key size of the demo key.
const DEMO_KEY_BITS: u16 = 128;

const EXAMPLES: &str = "\
Examples:
  cryptolab demo ecb-image                        the built-in padlock → ./ecb-image-out/
  cryptolab demo ecb-image --seed 1 --out lab     the same key and IVs every run
  cryptolab demo ecb-image photo.jpg --out photo  your own picture (PNG, JPEG, BMP, PNM)
  cryptolab demo ecb-image --json                 paths, size and repeated-block fractions as JSON
Output: original.png, ecb.png, cbc.png and comparison.png (the three side by side).";

/// `cryptolab demo ecb-image`: encrypt a picture's pixels in ECB, CBC and
/// GCM mode and look at the ciphertext.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct EcbImageArgs {
    /// The picture: PNG, JPEG, BMP or PNM (PPM, PGM, PBM, PAM); palette and
    /// greyscale pictures are converted. Default: a built-in padlock
    #[arg(value_name = "IMAGE")]
    pub image: Option<PathBuf>,
    /// Directory for the PNGs (created if missing; files in it are replaced)
    #[arg(long, value_name = "DIR", default_value = "ecb-image-out")]
    pub out: PathBuf,
    /// Derive the demo key, IV and nonce from N: the same output every run
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Print one JSON object (paths, dimensions, repeated-block fractions) instead of text
    #[arg(long)]
    pub json: bool,
    /// Refuse pictures with more pixels than this, before decoding them
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
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
    /// Writing the report to the output stream failed (for example, the
    /// reader of a pipe went away).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
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
            EcbImageError::Output(_) => "check that the output can be written".to_string(),
        }
    }

    /// The kind of the I/O error behind a failed write of the report, if that
    /// is what this is; `None` for every other error. Lets the caller treat a
    /// closed pipe (`cryptolab demo ecb-image | head`) as a normal end.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            EcbImageError::Output(e) => Some(e.kind()),
            _ => None,
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
}

impl Source<'_> {
    fn name(&self) -> String {
        match self {
            Source::Sample => SAMPLE_NAME.to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// Opens the source afresh (once for the header, once to decode) with
    /// its format guessed from the first bytes, not from the file name.
    fn reader(&self) -> Result<ImageReader<Box<dyn Input + '_>>, EcbImageError> {
        let input: Box<dyn Input> = match self {
            Source::Sample => Box::new(Cursor::new(SAMPLE)),
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
    match err {
        ImageError::Unsupported(e) if matches!(e.kind(), UnsupportedErrorKind::Format(_)) => {
            EcbImageError::Unsupported { name: name.to_string(), format: format.map(format_name) }
        }
        other => EcbImageError::Decode {
            name: name.to_string(),
            format: format.map_or_else(|| "an image".to_string(), format_name),
            detail: other.to_string(),
        },
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
    let (compression, filter) = if noise {
        (CompressionType::Uncompressed, FilterType::NoFilter)
    } else {
        (CompressionType::Fast, FilterType::Adaptive)
    };
    PngEncoder::new_with_quality(&mut w, compression, filter)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| fail(e.to_string()))?;
    w.flush().map_err(|e| fail(e.to_string()))
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

/// The repeated-block fraction of the plaintext and of each mode's ciphertext.
#[derive(Serialize)]
struct Fractions {
    original: f64,
    ecb: f64,
    cbc: f64,
    gcm: f64,
}

/// The files written.
#[derive(Serialize)]
struct Files {
    original: String,
    ecb: String,
    cbc: String,
    comparison: String,
}

/// What `--json` prints: one object.
#[derive(Serialize)]
struct Report {
    image: String,
    width: u32,
    height: u32,
    blocks: usize,
    aes_bits: u16,
    key_fingerprint: String,
    seed: Option<u64>,
    files: Files,
    comparison_step: u32,
    repeated_block_fraction: Fractions,
}

/// Runs `cryptolab demo ecb-image`: reads the picture, writes the four PNGs
/// into `--out`, and reports to `out` (text, or JSON with `--json`).
pub fn run(args: &EcbImageArgs, out: &mut dyn Write, color: bool) -> Result<(), EcbImageError> {
    // Setup: the picture, the demo key, one cipher per mode.
    let source = args.image.as_deref().map_or(Source::Sample, Source::File);
    let picture = source.load(args.max_pixels)?;
    let mut rng = demo_rng(args.seed);
    let keys = KeyMaterial::generate(DEMO_KEY_BITS, &mut rng);
    let (w, h) = (picture.width, picture.height);

    fs::create_dir_all(&args.out).map_err(|err| EcbImageError::OutDir { path: args.out.clone(), err })?;
    let path = |file: &str| args.out.join(file);
    let files = Files {
        original: path("original.png").display().to_string(),
        ecb: path("ecb.png").display().to_string(),
        cbc: path("cbc.png").display().to_string(),
        comparison: path("comparison.png").display().to_string(),
    };

    // The plaintext: its own repeats, written as it is.
    let mut comparison = Comparison::new(w, h, 3);
    let (original, blocks) = repeated_blocks(&picture.rgb);
    write_png(&path("original.png"), &picture.rgb, w, h, false)?;
    comparison.paste(0, &picture.rgb, w);

    // Attack and verify: each mode's ciphertext, one at a time (one buffer).
    let mut ct = Vec::new();
    let mut counts = [0usize; 3];
    for (i, suite) in [Suite::Ecb, Suite::Cbc, Suite::Gcm].into_iter().enumerate() {
        let cipher = Cipher::new(suite, &keys.enc, keys.mac()).expect("demo keys have a valid length");
        encrypt_pixels_into(&cipher, &picture.rgb, &mut rng, &mut ct);
        counts[i] = repeated_blocks(&ct).0;
        if suite != Suite::Gcm {
            write_png(&path(&format!("{suite}.png")), &ct, w, h, suite == Suite::Cbc)?;
            comparison.paste(i as u32 + 1, &ct, w);
        }
    }
    drop(ct);
    write_png(&path("comparison.png"), &comparison.rgb, comparison.width, comparison.panel_height, false)?;

    let fraction = |n: usize| if blocks == 0 { 0.0 } else { n as f64 / blocks as f64 };
    let report = Report {
        image: picture.name,
        width: w,
        height: h,
        blocks,
        aes_bits: DEMO_KEY_BITS,
        key_fingerprint: keys.fingerprint(),
        seed: args.seed,
        files,
        comparison_step: comparison.step,
        repeated_block_fraction: Fractions {
            original: fraction(original),
            ecb: fraction(counts[0]),
            cbc: fraction(counts[1]),
            gcm: fraction(counts[2]),
        },
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report).expect("the report serialises");
        writeln!(out, "{json}")?;
    } else {
        out.write_all(text_report(&report, [original, counts[0], counts[1], counts[2]], color).as_bytes())?;
    }
    Ok(())
}

/// The seeded generator for `--seed`, or a random one: it draws the demo key
/// first, then the CBC IV and the GCM nonce.
fn demo_rng(seed: Option<u64>) -> ChaCha20Rng {
    match seed {
        Some(seed) => ChaCha20Rng::seed_from_u64(seed),
        None => ChaCha20Rng::from_rng(&mut rand::rng()),
    }
}

fn bold(color: bool, text: &str) -> String {
    paint(color, Style::new().bold(), text)
}

fn paint(color: bool, style: Style, text: &str) -> String {
    if color { format!("{style}{text}{style:#}") } else { text.to_string() }
}

/// `n of total = p%`, aligned. The percentage shows 100.0 and 0.0 only when
/// they are exact, so "every block repeats" is never a rounding artefact.
fn share(n: usize, total: usize) -> String {
    let percent = if total == 0 { 0.0 } else { 100.0 * n as f64 / total as f64 };
    let percent = if n == 0 || n == total { percent } else { percent.clamp(0.1, 99.9) };
    format!("{n:>w$} of {total} = {percent:5.1}%", w = total.to_string().len())
}

/// The text report: what was encrypted, the fractions with what they mean,
/// and where the pictures are.
fn text_report(r: &Report, counts: [usize; 4], color: bool) -> String {
    let mut s = String::new();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let _ = writeln!(s, "{}", bold(color, "ECB on a picture: the same pixels encrypted in three modes"));
    let bytes = u64::from(r.width) * u64::from(r.height) * 3;
    let tail = match bytes % BLOCK as u64 {
        0 => String::new(),
        rest => format!(" + {rest} bytes"),
    };
    let _ = writeln!(
        s,
        "image: {}, {}×{} pixels = {bytes} bytes of RGB = {} AES blocks{tail}",
        r.image, r.width, r.height, r.blocks
    );
    let bits = r.aes_bits;
    let origin = r.seed.map_or_else(
        || format!("a random demo AES-{bits} key"),
        |seed| format!("a demo AES-{bits} key from --seed {seed}"),
    );
    let _ = writeln!(s, "key:   {origin} (fingerprint {}), the same for every mode", r.key_fingerprint);
    let _ = writeln!(
        s,
        "{}: {}",
        paint(color, red, "INSECURE"),
        Suite::Ecb.insecure_reason().expect("ecb is insecure")
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "16-byte blocks equal to an earlier block:");
    let b = r.blocks;
    let _ = writeln!(s, "  original  {}", share(counts[0], b));
    let _ = writeln!(
        s,
        "  ecb       {}   C_i = E_K(P_i): equal blocks in, equal blocks out",
        share(counts[1], b)
    );
    let _ = writeln!(
        s,
        "  cbc       {}   C_i = E_K(P_i ⊕ C_{{i−1}}): chaining hides repeats",
        share(counts[2], b)
    );
    let _ = writeln!(
        s,
        "  gcm       {}   C_i = P_i ⊕ E_K(counter_i): a keystream that never repeats",
        share(counts[3], b)
    );
    let _ = writeln!(s);
    let scale =
        if r.comparison_step > 1 { format!(", at 1/{} size", r.comparison_step) } else { String::new() };
    let _ = writeln!(s, "wrote:");
    let _ = writeln!(s, "  {}", r.files.original);
    let _ = writeln!(s, "  {}", r.files.ecb);
    let _ = writeln!(s, "  {}", r.files.cbc);
    let _ = writeln!(s, "  {}   original | ecb | cbc{scale}", r.files.comparison);
    let _ = writeln!(
        s,
        "Open comparison.png: ecb keeps the picture's outline, drawn by repeated blocks; cbc is noise."
    );
    s
}

/// The demo's part of `cryptolab tour`: the built-in picture encrypted in
/// memory in the three modes, the three fractions, and what they mean.
/// Writes no files; the same output for the same `seed`.
pub fn tour_section(out: &mut dyn Write, color: bool, seed: u64) -> io::Result<()> {
    let picture = Source::Sample.load(DEFAULT_MAX_PIXELS).expect("the built-in picture decodes");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let keys = KeyMaterial::generate(DEMO_KEY_BITS, &mut rng);
    let mut s = String::new();
    let _ = writeln!(s, "{}", bold(color, "ECB on a picture: the pattern survives encryption"));
    let _ = writeln!(
        s,
        "The built-in {}×{} padlock, its RGB pixels encrypted as raw bytes (same key, three modes):",
        picture.width, picture.height
    );
    let mut ct = Vec::new();
    let notes = [
        "repeat an earlier block: the padlock's outline shows through",
        "chaining makes every block different",
        "a fresh keystream per block: no repeats",
    ];
    for (suite, note) in [Suite::Ecb, Suite::Cbc, Suite::Gcm].into_iter().zip(notes) {
        let cipher = Cipher::new(suite, &keys.enc, keys.mac()).expect("demo keys have a valid length");
        encrypt_pixels_into(&cipher, &picture.rgb, &mut rng, &mut ct);
        let (n, total) = repeated_blocks(&ct);
        let _ = writeln!(s, "  {:<4} {}  {note}", suite.name(), share(n, total));
    }
    let _ = writeln!(
        s,
        "  ECB is a codebook: equal plaintext blocks give equal ciphertext blocks, so flat areas stay flat."
    );
    let _ = writeln!(
        s,
        "  See it: cryptolab demo ecb-image   (writes original.png, ecb.png, cbc.png, comparison.png)"
    );
    out.write_all(s.as_bytes())
}
