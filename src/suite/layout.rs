//! Where each field of a sealed body or an opened plaintext lies — the spans
//! the renderer labels (`iv`, `ct[0]`, `ct[1]`, …, `tag`, `pt[0]`, `pad`).
//!
//! Works on bodies of any length, malformed ones included, so a truncated
//! frame can still be shown field by field.

use crate::render::{Span, SpanKind};

use super::Suite;
use super::pkcs7::BLOCK;

/// Spans of a `len`-byte body of `suite` that starts at `offset` in the
/// dumped buffer: IV/nonce, each 16-byte ciphertext block, tag.
pub fn body_spans(suite: Suite, offset: usize, len: usize) -> Vec<Span> {
    let mut spans = Vec::new();
    let spec = suite.spec();
    let iv_len = spec.iv_len.min(len);
    if iv_len > 0 {
        let kind = if spec.iv_label == "nonce" { SpanKind::Nonce } else { SpanKind::Iv };
        spans.push(Span::new(spec.iv_label, kind, offset..offset + iv_len));
    }
    let tag_len = suite.tag_len().min(len - iv_len);
    let ct = offset + iv_len..offset + len - tag_len;
    spans.extend(block_spans("ct", SpanKind::Ciphertext, ct));
    if tag_len > 0 {
        spans.push(
            Span::new("tag", SpanKind::Tag, offset + len - tag_len..offset + len).with_note(spec.tag_label),
        );
    }
    spans
}

/// Spans of an opened plaintext buffer: `pt[i]` per block for the first
/// `msg_len` bytes, then `pad` for the PKCS#7 padding after them.
pub fn plaintext_spans(msg_len: usize, total_len: usize) -> Vec<Span> {
    let mut spans = block_spans("pt", SpanKind::Plaintext, 0..msg_len);
    if total_len > msg_len {
        let n = total_len - msg_len;
        spans.push(
            Span::new("pad", SpanKind::Padding, msg_len..total_len)
                .with_note(format!("pkcs#7: {n} × 0x{n:02x}")),
        );
    }
    spans
}

/// Splits `range` into 16-byte spans labelled `name[0]`, `name[1]`, …
pub fn block_spans(name: &str, kind: SpanKind, range: std::ops::Range<usize>) -> Vec<Span> {
    range
        .clone()
        .step_by(BLOCK)
        .enumerate()
        .map(|(i, start)| Span::new(format!("{name}[{i}]"), kind, start..(start + BLOCK).min(range.end)))
        .collect()
}
