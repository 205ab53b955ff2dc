//! Draws `samples/figure.png`, the default picture of `cryptolab demo ecb-image`.
//!
//! A padlock in five flat colours on a plain background, 512×512 pixels. It
//! is made for one lesson: ECB encrypts equal 16-byte blocks to equal
//! ciphertext, so a picture with large areas of one colour keeps its outline
//! when its pixels are encrypted in ECB mode. Flat colours (no gradients, no
//! anti-aliasing, no noise) make as many plaintext blocks equal as possible,
//! and 512 pixels × 3 bytes = 1536 bytes = exactly 96 AES blocks per row, so
//! every row starts on a block boundary and vertical edges stay straight in
//! the ciphertext. The shapes are large (the lock body is 280 pixels wide) so
//! the leak shows even when the image is viewed small.
//!
//! Run it from the repository root; it overwrites the sample:
//!
//! ```text
//! cargo run --example make_sample_image            # writes samples/figure.png
//! cargo run --example make_sample_image -- out.png # or anywhere else
//! ```
//!
//! The picture is a pure function of the pixel position ([`pixel`]), so the
//! file is the same on every machine and every run. It is written with the
//! strongest PNG compression: flat colours compress to a few kilobytes.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

/// Width and height of the picture in pixels.
const SIZE: u32 = 512;

/// Sky-blue background.
const BACKGROUND: [u8; 3] = [142, 197, 232];
/// The lock body: gold.
const GOLD: [u8; 3] = [242, 184, 36];
/// The shackle: steel grey.
const STEEL: [u8; 3] = [150, 156, 168];
/// Outlines of body and shackle.
const OUTLINE: [u8; 3] = [58, 42, 30];
/// The keyhole.
const KEYHOLE: [u8; 3] = [24, 24, 32];

/// Thickness of the dark outline around the body and the shackle.
const LINE: f64 = 10.0;

/// The colour of the pixel at column `x`, row `y` (pixel centres at +0.5).
fn pixel(x: u32, y: u32) -> [u8; 3] {
    let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);

    // The keyhole: a disc above a slot that widens downwards.
    let (kx, ky) = (256.0, 322.0);
    let in_disc = (px - kx).hypot(py - ky) <= 32.0;
    let slot_half_width = 12.0 + (py - ky) * 0.12;
    let in_slot = (ky..=ky + 84.0).contains(&py) && (px - kx).abs() <= slot_half_width;

    // The body: a rounded rectangle; its border band is the outline.
    let body = rounded_rect_distance(px, py, (116.0, 236.0), (396.0, 460.0), 30.0);

    // The shackle: the upper half of a ring, with two straight legs down
    // into the body.
    let (sx, sy, outer, inner) = (256.0, 200.0, 112.0, 70.0);
    let r = (px - sx).hypot(py - sy);
    let ring = py <= sy && (inner..=outer).contains(&r);
    let leg = (sy..=236.0 + LINE).contains(&py)
        && ((sx - outer..=sx - inner).contains(&px) || (sx + inner..=sx + outer).contains(&px));
    let shackle = ring || leg;
    let shackle_inside = (py <= sy && (inner + LINE..=outer - LINE).contains(&r))
        || (py > sy
            && ((sx - outer + LINE..=sx - inner - LINE).contains(&px)
                || (sx + inner + LINE..=sx + outer - LINE).contains(&px)));

    if body <= 0.0 {
        if in_disc || in_slot {
            KEYHOLE
        } else if body > -LINE {
            OUTLINE
        } else {
            GOLD
        }
    } else if shackle {
        if shackle_inside { STEEL } else { OUTLINE }
    } else {
        BACKGROUND
    }
}

/// Signed distance from (`x`, `y`) to a rectangle with corners `a` (top left)
/// and `b` (bottom right) whose corners are rounded with `radius`: negative
/// inside, zero on the edge, positive outside.
fn rounded_rect_distance(x: f64, y: f64, a: (f64, f64), b: (f64, f64), radius: f64) -> f64 {
    let (cx, cy) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (hx, hy) = ((b.0 - a.0) / 2.0 - radius, (b.1 - a.1) / 2.0 - radius);
    let (dx, dy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
    let outside = dx.max(0.0).hypot(dy.max(0.0));
    let inside = dx.max(dy).min(0.0);
    outside + inside - radius
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).map_or_else(|| PathBuf::from("samples/figure.png"), PathBuf::from);
    let mut rgb = Vec::with_capacity((SIZE * SIZE * 3) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            rgb.extend_from_slice(&pixel(x, y));
        }
    }
    let file = BufWriter::new(File::create(&path)?);
    PngEncoder::new_with_quality(file, CompressionType::Best, FilterType::Adaptive).write_image(
        &rgb,
        SIZE,
        SIZE,
        ExtendedColorType::Rgb8,
    )?;
    println!("wrote {} ({SIZE}×{SIZE}, {} bytes)", path.display(), std::fs::metadata(&path)?.len());
    Ok(())
}
