//! The one hex-dump renderer: labelled byte spans → annotated rows.
//!
//! Every command that shows bytes — `encrypt --explain`, `tour`, the chat, the
//! proxy, the demos — builds a [`Dump`] (the bytes plus labelled [`Span`]s:
//! header fields, IV/nonce, each ciphertext block, tag, plaintext, padding)
//! and hands it to a [`Renderer`]. No command prints its own hex.
//!
//! ```text
//! cbc body, 48 bytes
//!   offset  field          hex                                               ascii
//!   0000    iv             00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|
//!   0010    ct[0]          76 49 ab ac 81 19 b2 46  ce e9 8e 9b 12 e9 19 7d  |vI.....F.......}|
//!   0020    ct[1] = ct[0]  76 49 ab ac 81 19 b2 46  ce e9 8e 9b 12 e9 19 7d  |vI.....F.......}|
//!   repeated ciphertext blocks: ct[1] = ct[0]
//! ```
//!
//! Each field starts on its own row; fields longer than a row continue on
//! rows without a label. The layout follows the terminal's width
//! ([`Renderer::columns`]): 16 bytes per row (one AES block) when the row
//! fits, 8 when it does not (at 80 columns), and a cross-frame reference too
//! long for the field column becomes a numbered reference (`ct[0] = [1]`)
//! explained under the dump. A note that does not fit beside its row goes on
//! a line of its own. [`fit`] does the same for prose: no line is longer
//! than the terminal. Equal ciphertext blocks are flagged (`ct[1] = ct[0]`)
//! — the visible symptom of ECB. Marked bytes (e.g. bits an attacker flipped)
//! get a `^^` line under them. Colour, when on, follows the field kind, but
//! it is never the only signal: the plain text says everything.
//!
//! This module knows nothing of cryptography beyond the names of the kinds of
//! span; the suites and the wire format describe their bytes in its vocabulary
//! (`suite::layout`).
//!
//! Its second shape, [`grid`], draws 16-byte blocks as 4×4 grids side by
//! side (the AES state in `cryptolab aes`), and bars.

pub mod grid;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

use anstyle::{AnsiColor, Effects, Style};
use serde::Serialize;

/// What a span of bytes is; decides its colour and its JSON `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SpanKind {
    /// A frame header field (version, suite, kind, sequence number, …).
    Header,
    /// A length prefix.
    Length,
    /// A CBC initialisation vector.
    Iv,
    /// A GCM nonce.
    Nonce,
    /// One ciphertext block (checked for repeats).
    Ciphertext,
    /// An authentication tag (HMAC or GCM).
    Tag,
    /// Recovered or original plaintext.
    Plaintext,
    /// PKCS#7 padding bytes.
    Padding,
    /// Anything else (bytes not covered by a span are shown as this).
    Data,
}

impl SpanKind {
    fn style(self) -> Style {
        let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        match self {
            SpanKind::Header => fg(AnsiColor::Blue),
            SpanKind::Length => fg(AnsiColor::Cyan),
            SpanKind::Iv | SpanKind::Nonce => fg(AnsiColor::Yellow),
            SpanKind::Ciphertext => fg(AnsiColor::Green),
            SpanKind::Tag => fg(AnsiColor::Magenta),
            SpanKind::Plaintext => Style::new().bold(),
            SpanKind::Padding => fg(AnsiColor::BrightBlack),
            SpanKind::Data => Style::new(),
        }
    }
}

/// A labelled range of bytes in a [`Dump`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Short label shown in the `field` column: `iv`, `ct[2]`, `tag`, `pad`.
    pub label: String,
    /// What the bytes are.
    pub kind: SpanKind,
    /// Where they are, as offsets into [`Dump::bytes`].
    pub range: Range<usize>,
    /// An optional remark printed after the row (`pkcs#7: 5 × 0x05`).
    pub note: Option<String>,
}

impl Span {
    /// A span without a note.
    pub fn new(label: impl Into<String>, kind: SpanKind, range: Range<usize>) -> Self {
        Span { label: label.into(), kind, range, note: None }
    }

    /// The same span with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Bytes to show, with their spans and any marked (highlighted) ranges.
#[derive(Debug, Clone)]
pub struct Dump<'a> {
    /// One line above the rows: what these bytes are.
    pub title: String,
    /// The bytes.
    pub bytes: &'a [u8],
    /// Labelled spans, in any order; gaps are shown as unlabelled data.
    pub spans: Vec<Span>,
    /// Byte ranges to highlight (e.g. bytes an attacker changed).
    pub marks: Vec<Range<usize>>,
}

impl<'a> Dump<'a> {
    /// A dump of `bytes` with no spans yet.
    pub fn new(title: impl Into<String>, bytes: &'a [u8]) -> Self {
        Dump { title: title.into(), bytes, spans: Vec::new(), marks: Vec::new() }
    }

    /// Adds spans.
    pub fn spans(mut self, spans: impl IntoIterator<Item = Span>) -> Self {
        self.spans.extend(spans);
        self
    }

    /// Highlights a byte range.
    pub fn mark(mut self, range: Range<usize>) -> Self {
        self.marks.push(range);
        self
    }

    /// Spans sorted, clipped to the bytes, with gaps filled by `Data` spans.
    fn normalised(&self) -> Vec<Span> {
        let len = self.bytes.len();
        let mut spans: Vec<Span> = self
            .spans
            .iter()
            .filter(|s| s.range.start < s.range.end.min(len))
            .map(|s| Span { range: s.range.start..s.range.end.min(len), ..s.clone() })
            .collect();
        spans.sort_by_key(|s| s.range.start);
        let mut out = Vec::with_capacity(spans.len() + 1);
        let mut at = 0;
        for mut s in spans {
            if s.range.start < at {
                // Overlap: show the rest of this span only.
                if s.range.end <= at {
                    continue;
                }
                s.range.start = at;
            }
            if s.range.start > at {
                out.push(Span::new("", SpanKind::Data, at..s.range.start));
            }
            at = s.range.end;
            out.push(s);
        }
        if at < len {
            out.push(Span::new("", SpanKind::Data, at..len));
        }
        out
    }

    /// For each span, the label of the first earlier ciphertext span with the
    /// same bytes (`ct[3] = ct[0]`) — in this dump or, with `memory`, in an
    /// earlier one (`ct[0] = out #1 ct[0]`).
    fn repeats(&self, spans: &[Span], mut memory: Option<&mut BlockMemory>) -> Vec<Option<String>> {
        let mut first: HashMap<&[u8], &str> = HashMap::new();
        spans
            .iter()
            .map(|s| {
                if s.kind != SpanKind::Ciphertext || s.range.len() < 8 {
                    return None;
                }
                let bytes = &self.bytes[s.range.clone()];
                if let Some(label) = first.get(bytes) {
                    return Some((*label).to_string());
                }
                first.insert(bytes, &s.label);
                let memory = memory.as_deref_mut()?;
                let earlier = memory.seen.get(bytes).cloned();
                if earlier.is_none() {
                    memory.remember(bytes, format!("{} {}", memory.tag, s.label));
                }
                earlier
            })
            .collect()
    }

    fn is_marked(&self, i: usize) -> bool {
        self.marks.iter().any(|m| m.contains(&i))
    }
}

/// Ciphertext blocks seen in earlier dumps, so that a block repeated across
/// messages is flagged too (ECB under one key: same text, same blocks).
/// Bounded: it forgets everything after [`BlockMemory::CAPACITY`] blocks.
#[derive(Debug, Default)]
pub struct BlockMemory {
    seen: HashMap<Vec<u8>, String>,
    /// How the next dump is named in flags (`out #1`).
    pub tag: String,
}

impl BlockMemory {
    /// Blocks remembered before the memory is cleared.
    pub const CAPACITY: usize = 4096;

    fn remember(&mut self, bytes: &[u8], label: String) {
        if self.seen.len() >= Self::CAPACITY {
            self.seen.clear();
        }
        self.seen.insert(bytes.to_vec(), label);
    }
}

/// Renders [`Dump`]s as annotated hex rows (or JSON) to any writer.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    color: bool,
    width: usize,
    columns: usize,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer { color: false, width: 16, columns: WIDE }
    }
}

/// The columns assumed when nothing says otherwise (not a terminal, no
/// `--width`, no `COLUMNS`): wide enough for a 16-byte row with a note.
pub const WIDE: usize = 120;

/// The narrowest layout offered: below this, lines may be longer.
pub const NARROWEST: usize = 40;

impl Renderer {
    /// A renderer with colour off and 16 bytes per row.
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns ANSI colour on or off.
    pub fn color(mut self, on: bool) -> Self {
        self.color = on;
        self
    }

    /// Bytes per row at most (at least 4; 16 matches the AES block). Fewer
    /// are shown when a row would not fit in [`Renderer::columns`].
    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(4);
        self
    }

    /// The terminal's width in columns: rows, notes and labels fit in it.
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(NARROWEST);
        self
    }

    /// The width in columns this renderer lays out for.
    pub fn columns_in_use(&self) -> usize {
        self.columns
    }

    /// The row layout for labels of `label_w` columns: bytes per row and
    /// the field column's width. The widest row that fits wins; when even
    /// 8 bytes per row do not fit, the labels are cut down to references.
    fn layout(&self, label_w: usize, off_col: usize) -> (usize, usize) {
        // "  offset  field  hex  |ascii|": 2 + off + 2 + label + 2 + hex + 2 + n + 1.
        let row = |n: usize, label: usize| 2 + off_col + 2 + label + 2 + hex_width(n) + 2 + n + 1;
        let mut n = self.width;
        while n > 8 && row(n, label_w) > self.columns {
            n = (n / 2).max(8);
        }
        let room = self.columns.saturating_sub(row(n, 0));
        (n, label_w.min(room.max(5)))
    }

    /// Whether colour is on.
    pub fn is_color(&self) -> bool {
        self.color
    }

    /// Writes `text` in `style` (or plain when colour is off).
    pub fn paint(&self, w: &mut dyn Write, style: Style, text: &str) -> io::Result<()> {
        if self.color {
            write!(w, "{}{text}{}", style.render(), style.render_reset())
        } else {
            w.write_all(text.as_bytes())
        }
    }

    /// Writes the annotated rows of `dump`.
    pub fn render(&self, w: &mut dyn Write, dump: &Dump) -> io::Result<()> {
        self.render_with(w, dump, None)
    }

    /// Like [`Renderer::render`], also flagging blocks seen in earlier dumps
    /// recorded in `memory` (and recording this dump's blocks there).
    pub fn render_remembering(
        &self,
        w: &mut dyn Write,
        dump: &Dump,
        memory: &mut BlockMemory,
    ) -> io::Result<()> {
        self.render_with(w, dump, Some(memory))
    }

    fn render_with(
        &self,
        w: &mut dyn Write,
        dump: &Dump,
        memory: Option<&mut BlockMemory>,
    ) -> io::Result<()> {
        let spans = dump.normalised();
        let repeats = dump.repeats(&spans, memory);
        let labels: Vec<String> = spans
            .iter()
            .zip(&repeats)
            .map(|(s, r)| match r {
                Some(first) => format!("{} = {first}", s.label),
                None => s.label.clone(),
            })
            .collect();
        let full_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(5);
        let off_w = if dump.bytes.len() > 0xffff { 8 } else { 4 };
        let off_col = off_w.max("offset".len());
        let (per_row, label_w) = self.layout(full_w, off_col);
        // Labels too long for the field column keep their own name and point
        // to a numbered line under the dump for what they repeat.
        let mut legend = Vec::new();
        let labels: Vec<String> = spans
            .iter()
            .zip(&repeats)
            .zip(labels)
            .map(|((s, r), l)| match r {
                Some(first) if l.chars().count() > label_w => {
                    legend.push(format!("[{}] {} is {first}", legend.len() + 1, s.label));
                    format!("{} = [{}]", s.label, legend.len())
                }
                Some(_) | None => l,
            })
            .collect();
        let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(5).min(full_w);
        let hex_w = hex_width(per_row);
        let note_at = 2 + off_col + 2 + label_w + 2 + hex_w + 2 + per_row + 1;

        self.paint(w, Style::new().bold(), &fit(&dump.title, self.columns))?;
        writeln!(w)?;
        writeln!(w, "  {:off_col$}  {:label_w$}  {:hex_w$} ascii", "offset", "field", "hex")?;
        for ((span, label), repeat) in spans.iter().zip(&labels).zip(&repeats) {
            let mut style = span.kind.style();
            if repeat.is_some() {
                style = Style::new().fg_color(Some(AnsiColor::Red.into())).bold().invert();
            }
            let mut first_row = true;
            let mut at = span.range.start;
            while at < span.range.end {
                let end = (at + per_row).min(span.range.end);
                write!(w, "  {:off_col$}  ", format!("{at:0off_w$x}"))?;
                let shown = if first_row { label.as_str() } else { "" };
                self.paint(w, style, &format!("{shown:label_w$}"))?;
                w.write_all(b"  ")?;
                self.hex_row(w, dump, at..end, per_row, style)?;
                let ascii: String = dump.bytes[at..end].iter().map(|&b| printable(b)).collect();
                write!(w, " |{ascii}|")?;
                let mut note_below = None;
                if first_row && let Some(note) = &span.note {
                    let used = note_at - (per_row - (end - at));
                    if used + 2 + note.chars().count() <= self.columns {
                        write!(w, "  {note}")?;
                    } else {
                        note_below = Some(note);
                    }
                }
                writeln!(w)?;
                if (at..end).any(|i| dump.is_marked(i)) {
                    let carets: String = (at..end)
                        .map(|i| if dump.is_marked(i) { "^^ " } else { "   " })
                        .enumerate()
                        .map(|(k, c)| if k == 8 && per_row > 8 { format!(" {c}") } else { c.to_string() })
                        .collect();
                    writeln!(w, "  {:off_col$}  {:label_w$}  {}", "", "", carets.trim_end())?;
                }
                if let Some(note) = note_below {
                    let indent = " ".repeat(2 + off_col + 2 + label_w + 2);
                    writeln!(w, "{}", wrap(note, self.columns, &indent))?;
                }
                first_row = false;
                at = end;
            }
        }
        let flagged: Vec<String> =
            labels.iter().zip(&repeats).filter(|(_, r)| r.is_some()).map(|(l, _)| l.clone()).collect();
        if !flagged.is_empty() {
            let text = format!("repeated ciphertext blocks: {}", flagged.join(", "));
            let text = wrap(&text, self.columns, "  ");
            self.paint(w, Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), &text)?;
            writeln!(w)?;
        }
        for line in legend {
            writeln!(w, "{}", wrap(&line, self.columns, "  "))?;
        }
        Ok(())
    }

    fn hex_row(
        &self,
        w: &mut dyn Write,
        dump: &Dump,
        range: Range<usize>,
        per_row: usize,
        style: Style,
    ) -> io::Result<()> {
        let n = range.len();
        for (k, i) in range.enumerate() {
            if k == 8 && per_row > 8 {
                w.write_all(b" ")?;
            }
            let byte = format!("{:02x}", dump.bytes[i]);
            let style = if dump.is_marked(i) { style.effects(Effects::INVERT) } else { style };
            self.paint(w, style, &byte)?;
            w.write_all(b" ")?;
        }
        for k in n..per_row {
            if k == 8 && per_row > 8 {
                w.write_all(b" ")?;
            }
            w.write_all(b"   ")?;
        }
        Ok(())
    }

    /// Writes `dump` as one JSON object on one line (JSON Lines): the title,
    /// the length, every span with its hex, and which block it repeats.
    pub fn json(&self, w: &mut dyn Write, dump: &Dump) -> io::Result<()> {
        writeln!(w, "{}", dump_json(dump))
    }
}

/// The JSON value of a dump (as written by [`Renderer::json`]).
pub fn dump_json(dump: &Dump) -> serde_json::Value {
    let spans = dump.normalised();
    let repeats = dump.repeats(&spans, None);
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .zip(repeats)
        .map(|(s, r)| {
            serde_json::json!({
                "label": s.label,
                "kind": s.kind,
                "offset": s.range.start,
                "len": s.range.len(),
                "hex": hex::encode(&dump.bytes[s.range.clone()]),
                "same_as": r,
                "note": s.note,
            })
        })
        .collect();
    let marks: Vec<[usize; 2]> = dump.marks.iter().map(|m| [m.start, m.end]).collect();
    serde_json::json!({
        "title": dump.title,
        "len": dump.bytes.len(),
        "spans": spans,
        "marks": marks,
    })
}

/// Columns of a hex row of `n` bytes: `xx ` each, one more space after
/// the 8th when a row holds more than 8.
fn hex_width(n: usize) -> usize {
    n * 3 + usize::from(n > 8)
}

fn printable(b: u8) -> char {
    if (0x20..0x7f).contains(&b) { b as char } else { '.' }
}

/// Bytes as text: printable ASCII as it is, every other byte as `other`
/// (`.` as in a dump's ascii column; `·` where a real `.` must stay
/// distinguishable). Nothing from the bytes can reach the terminal as a
/// control sequence.
pub fn ascii(bytes: &[u8], other: char) -> String {
    bytes.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { other }).collect()
}

/// The first `n` characters and an ellipsis, if the text is longer.
pub fn first_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let cut: String = text.chars().take(n).collect();
        format!("{} …", cut.trim_end())
    }
}

/// Word-wraps `text` to `width` columns, each line starting with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    wrap_hanging(text, width, indent, indent)
}

/// Word-wraps `text` to `width` columns: the first line starts with
/// `first`, the others with `rest`. A word longer than a line gets a line
/// of its own.
pub fn wrap_hanging(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let indent = if lines.is_empty() { first } else { rest };
        let room = width.saturating_sub(indent.chars().count());
        let len = word.chars().count();
        if !line.is_empty() && used + 1 + len > room {
            lines.push(format!("{indent}{line}"));
            line.clear();
            used = 0;
        }
        if !line.is_empty() {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += len;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(format!("{}{line}", if lines.is_empty() { first } else { rest }));
    }
    lines.join("\n")
}

/// Fits prose to `columns`: a line that is longer is word-wrapped, and its
/// continuation lines start under the text after the line's marker (`→ `,
/// `* `, `- `, `3. `, `BROKEN `, `warning: `, an indented `text: `), or
/// under the line's own indentation when it has none, so a wrapped item
/// still reads as one; a table row's last column wraps under itself.
/// Shorter lines are left as they are, and text that fits comes back
/// without a copy (this runs for every message a terminal shows).
pub fn fit(text: &str, columns: usize) -> Cow<'_, str> {
    if text.lines().all(|l| l.chars().count() <= columns) {
        return Cow::Borrowed(text);
    }
    let fitted: Vec<String> = text
        .lines()
        .map(|line| {
            if line.chars().count() <= columns {
                return line.to_string();
            }
            let body = line.trim_start();
            let lead = line.len() - body.len();
            // A table row (columns aligned by runs of spaces) keeps its
            // layout: only its last column wraps, under itself.
            if let Some(at) = last_column(line).filter(|&at| line[..at].chars().count() + 20 <= columns) {
                let indent = " ".repeat(line[..at].chars().count());
                return wrap_hanging(&line[at..], columns, &line[..at], &indent);
            }
            let hang = marker_width(body, lead > 0).unwrap_or(0);
            let first = &line[..lead];
            let rest = " ".repeat(lead + hang);
            wrap_hanging(body, columns, first, &rest)
        })
        .collect();
    Cow::Owned(fitted.join("\n"))
}

/// Where the last column of a table row starts: after the last run of two
/// or more spaces past the line's indentation.
fn last_column(line: &str) -> Option<usize> {
    let lead = line.len() - line.trim_start().len();
    let gap = line[lead..].rfind("  ")? + lead;
    let at = gap + line[gap..].len() - line[gap..].trim_start().len();
    (at < line.len()).then_some(at)
}

/// The width of a line's leading marker and the space after it, if it has
/// one: a bullet or arrow, a step number, a verdict word, `warning:` or
/// `note:`, or (in an indented line) a `label: `.
fn marker_width(body: &str, indented: bool) -> Option<usize> {
    let first = body.split(' ').next()?;
    let rest_starts = body.len() > first.len();
    let bullet = matches!(first, "→" | "*" | "-" | "•" | "←" | "⇒");
    let number = first.len() > 1
        && first.ends_with(['.', ')'])
        && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit());
    let word = first.len() >= 4 && first.bytes().all(|b| b.is_ascii_uppercase());
    let label = (indented && first.len() <= 12 && first.ends_with(':'))
        || matches!(first, "warning:" | "note:" | "hint:" | "error:");
    (rest_starts && (bullet || number || word || label)).then(|| first.chars().count() + 1)
}
