//! Typed events — everything a command reports, as values, not prose.
//!
//! Servers, clients, proxies, demos and the tour never format output
//! themselves. They send [`Event`]s to an [`Events`] hub, and the hub hands
//! each one to its observers: [`TextObserver`] (the annotated dumps and
//! `* …` lines a person reads), the same observer in quiet or compact mode,
//! [`JsonObserver`] (one JSON object per line, the schema in
//! `docs/EVENTS.md`), and [`Collector`] (keeps the values: the tour and the
//! tests read verdicts from it, never from log text). The browser view is
//! one more observer.
//!
//! ```text
//! net::server ─┐                      ┌─▶ TextObserver  → a terminal
//! net::proxy  ─┼─▶ Events::emit(ev) ──┼─▶ JsonObserver  → a script
//! attacks::*  ─┘                      └─▶ Collector     → the tour, tests
//! ```
//!
//! Every event has one human sentence ([`Event::line`]); text output prints
//! it after `* `, and JSON carries it as `"message"`, so both say the same
//! words. Observers are called from many tasks at once: each locks its own
//! sink for the whole of one event, so lines never interleave.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use crate::render::{BlockMemory, Dump, Renderer, Span, dump_json, fit};
use crate::suite::Suite;

/// Which way a frame went, from the reporting program's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Received from `peer`.
    In,
    /// Sent to `peer`.
    Out,
    /// Passed through a proxy (`peer` names both ends: `client 1 → server`).
    Through,
}

impl Dir {
    /// The JSON name.
    pub const fn name(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
            Dir::Through => "through",
        }
    }
}

/// What the frame's bytes are, beyond their spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameKind {
    /// A native cryptolab frame (`docs/PROTOCOL.md`).
    Native {
        /// Its suite byte.
        suite: Suite,
        /// Its kind (`hello`, `message`, …).
        kind: &'static str,
        /// Its sequence number.
        seq: u64,
    },
    /// A message of a classroom format (`--wire`).
    Format {
        /// The format's name (`b64-iv-ct`, `rsa-gcm-json handshake`).
        wire: &'static str,
        /// What the message is, in a few words.
        summary: String,
        /// The bytes as they were on the wire (base64, JSON), when they
        /// differ from the bytes shown.
        raw: Option<Vec<u8>>,
    },
    /// Bytes that are not a frame (shown as data).
    Unparsed,
}

/// One frame or message, sent, received or relayed.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Which way.
    pub dir: Dir,
    /// The other side (`client 3`, `server`), or both ends for a proxy.
    pub peer: String,
    /// Its number in that direction on that connection, from 1.
    pub n: u64,
    /// The bytes shown (for text formats: decoded).
    pub bytes: Vec<u8>,
    /// Their fields.
    pub spans: Vec<Span>,
    /// Bytes to highlight (a proxy's changes).
    pub marks: Vec<Range<usize>>,
    /// What the frame is.
    pub kind: FrameKind,
    /// Whether it carries a chat message (not a hello, goodbye or handshake).
    pub is_message: bool,
    /// Its plaintext, when it was opened (or sealed) here.
    pub text: Option<Vec<u8>>,
    /// A title that replaces the usual one (`… as forwarded, changed bytes marked`).
    pub title: Option<String>,
}

impl Frame {
    /// The few words after the direction in a dump's title.
    pub fn about(&self) -> String {
        match &self.kind {
            FrameKind::Native { suite, kind, seq } => {
                format!("{kind} · seq {seq} · {suite} · {} bytes", self.bytes.len())
            }
            FrameKind::Format { wire, summary, .. } => format!("{wire} · {summary}"),
            FrameKind::Unparsed => format!("{} bytes, not a frame", self.bytes.len()),
        }
    }

    fn title(&self) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        match self.dir {
            Dir::In => format!("← in#{} from {} · {}", self.n, self.peer, self.about()),
            Dir::Out => format!("→ out#{} to {} · {}", self.n, self.peer, self.about()),
            Dir::Through => format!("{} · frame {} · {}", self.peer, self.n, self.about()),
        }
    }

    /// How later dumps name this one when a block repeats (`out#2`).
    fn tag(&self) -> String {
        match self.dir {
            Dir::In => format!("in#{}", self.n),
            Dir::Out => format!("out#{}", self.n),
            Dir::Through => format!("{} #{}", self.peer, self.n),
        }
    }
}

/// The kinds of one-line notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A server or proxy is listening.
    Listening,
    /// A client connected to its server.
    Connected,
    /// A weak choice is in force: the line says INSECURE and why.
    Insecure,
    /// A format's known weakness.
    Weakness,
    /// A tamper rule in force.
    Rule,
    /// What the operator may type, or is asked to.
    Console,
    /// A handshake finished (a classroom format's: its keys' fingerprints,
    /// shown even with `--quiet`).
    Handshake,
    /// The native handshake agreed this connection's keys (not shown with
    /// `--quiet`: it happens on every connection).
    Session,
    /// A message boundary was ambiguous; how it was resolved.
    Ambiguous,
    /// The answer to `/list`.
    List,
    /// The server stopped.
    Quit,
    /// The INSECURE leaky server told a client why its frame failed.
    Leak,
    /// Something went wrong that ends nothing but the thing named.
    Error,
    /// Anything else worth a line.
    Info,
}

impl Notice {
    /// The JSON name.
    pub const fn name(self) -> &'static str {
        match self {
            Notice::Listening => "listening",
            Notice::Connected => "connected",
            Notice::Insecure => "insecure",
            Notice::Weakness => "weakness",
            Notice::Rule => "rule",
            Notice::Console => "console",
            Notice::Handshake => "handshake",
            Notice::Session => "session",
            Notice::Ambiguous => "ambiguous",
            Notice::List => "list",
            Notice::Quit => "quit",
            Notice::Leak => "leak",
            Notice::Error => "error",
            Notice::Info => "info",
        }
    }
}

/// What a receiver did after refusing a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// It closed the connection.
    Closing,
    /// It went on reading (a delimited stream stays in step).
    Continuing,
    /// INSECURE: it told the sender why (`--leak-padding-errors`).
    ToldPeer,
}

/// How a demo's result came out, for the attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The attack worked, and its result was checked.
    Broken,
    /// The attack failed: the suite refused it.
    Refused,
}

impl Outcome {
    /// The word printed, so colour is never the only signal.
    pub const fn word(self) -> &'static str {
        match self {
            Outcome::Broken => "BROKEN",
            Outcome::Refused => "REFUSED",
        }
    }
}

/// A demo's verdict on one subject (a suite, a variant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Which demo (`bitflip`).
    pub demo: &'static str,
    /// What was attacked (`cbc`, `flawed MAC`).
    pub subject: String,
    /// How it came out.
    pub outcome: Outcome,
    /// The sentence after the word (`cbc: the server now reads role=admin. …`).
    pub text: String,
}

/// Progress of long work (an attack byte by byte, a crack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What is working (`padding-oracle`).
    pub task: &'static str,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
    /// What has been found so far, in words.
    pub text: String,
}

/// A demo's result as data: the picture's size, a count, a file written,
/// where the demo keys came from. Text output prints `text` as it is (like
/// [`Event::Say`]); JSON carries `name` and `value` too, so a script reads
/// the numbers without parsing the sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// What the fact is (`image`, `keys`, `repeats`, `wrote`): the JSON `"name"`.
    pub name: &'static str,
    /// The values, as JSON (`{"width": 512, "height": 512, …}`).
    pub value: Value,
    /// The line printed for a person (may hold several lines); empty for
    /// a fact that is data only (text output skips it, JSON carries it).
    pub text: String,
}

/// Everything a command reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// A frame or message went by.
    Frame(Frame),
    /// A peer connected.
    Joined {
        /// Who (`client 3`).
        peer: String,
        /// From where.
        addr: String,
    },
    /// A peer's connection ended.
    Left {
        /// Who.
        peer: String,
        /// Why, in a few words (`said goodbye`, `disconnected`).
        why: String,
    },
    /// A frame was refused.
    Rejected {
        /// From whom.
        peer: String,
        /// What a unit is called here (`frame`, `message`).
        unit: &'static str,
        /// Its number in that direction, from 1.
        n: u64,
        /// Why (a library error's words).
        reason: String,
        /// What happened next.
        after: After,
    },
    /// A proxy changed, dropped, held or repeated a frame.
    Tamper {
        /// Which direction (`client 1 → server`).
        peer: String,
        /// The frame's number.
        n: u64,
        /// What was done (`flip:4:20:08: byte 20 of frame 4: 0x31 → 0x39`).
        text: String,
    },
    /// A one-line notice.
    Notice {
        /// What kind.
        kind: Notice,
        /// The sentence.
        text: String,
    },
    /// A demo's title.
    Title(String),
    /// A step heading inside a demo.
    Step(String),
    /// A paragraph of narration (may hold several lines).
    Say(String),
    /// Labelled bytes shown by a demo.
    Dump {
        /// What the bytes are.
        title: String,
        /// The bytes.
        bytes: Vec<u8>,
        /// Their fields.
        spans: Vec<Span>,
        /// Bytes to highlight.
        marks: Vec<Range<usize>>,
    },
    /// A demo's result as data, with the line a person reads.
    Fact(Fact),
    /// Long work moved on.
    Progress(Progress),
    /// A demo's verdict.
    Verdict(Verdict),
}

/// Text that may come from a peer, made safe for a terminal: control
/// characters (C0 including CR and LF, DEL, C1 including ESC-like CSI) and
/// the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069,
/// U+200E, U+200F) are shown as escapes (`\u{1b}`), so a peer can neither
/// forge a log line nor move the cursor. Text output applies it to every
/// message text and every one-line event; JSON carries the text as it is.
pub fn visible(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars().map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// A text from a peer for display: as is if UTF-8, else escaped (`\xff`), never dropped.
pub fn show_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => format!("{} (not UTF-8, shown escaped)", bytes.escape_ascii()),
    }
}

impl Event {
    /// A notice of `kind`.
    pub fn notice(kind: Notice, text: impl Into<String>) -> Self {
        Event::Notice { kind, text: text.into() }
    }

    /// The JSON `"event"` name of this variant.
    pub const fn name(&self) -> &'static str {
        match self {
            Event::Frame(_) => "frame",
            Event::Joined { .. } => "joined",
            Event::Left { .. } => "left",
            Event::Rejected { .. } => "rejected",
            Event::Tamper { .. } => "tamper",
            Event::Notice { .. } => "notice",
            Event::Title(_) => "title",
            Event::Step(_) => "step",
            Event::Say(_) => "say",
            Event::Dump { .. } => "dump",
            Event::Fact(_) => "fact",
            Event::Progress(_) => "progress",
            Event::Verdict(_) => "verdict",
        }
    }

    /// The one human sentence for this event: printed after `* ` as text,
    /// carried as `"message"` in JSON.
    pub fn line(&self) -> String {
        match self {
            Event::Frame(f) => f.title(),
            Event::Joined { peer, addr } => format!("{peer} connected from {addr}"),
            Event::Left { peer, why } => format!("{peer} left ({why})"),
            Event::Rejected { peer, unit, n, reason, after } => match after {
                After::Closing => format!("{unit} {n} from {peer}: {reason}; closing {peer}"),
                After::Continuing => format!("{unit} {n} from {peer}: {reason}"),
                After::ToldPeer => {
                    format!("{unit} {n} from {peer}: {reason} — told {peer} (--leak-padding-errors)")
                }
            },
            Event::Tamper { text, .. } => text.clone(),
            Event::Notice { text, .. } => text.clone(),
            Event::Title(t) | Event::Step(t) | Event::Say(t) => t.clone(),
            Event::Dump { title, .. } => title.clone(),
            Event::Fact(f) => f.text.clone(),
            Event::Progress(p) => format!("{}: {}/{} {}", p.task, p.done, p.total, p.text),
            Event::Verdict(v) => format!("{} {}", v.outcome.word(), v.text),
        }
    }

    /// The event as one JSON object (the schema of `docs/EVENTS.md`).
    pub fn to_json(&self) -> Value {
        let mut v = match self {
            Event::Frame(f) => {
                let dump = Dump::new("", &f.bytes).spans(f.spans.clone());
                let mut dump = dump;
                for m in &f.marks {
                    dump = dump.mark(m.clone());
                }
                let d = dump_json(&dump);
                let mut v = json!({
                    "dir": f.dir.name(),
                    "peer": f.peer,
                    "n": f.n,
                    "hex": hex::encode(&f.bytes),
                    "spans": d["spans"],
                    "marks": d["marks"],
                    "is_message": f.is_message,
                    "text": f.text.as_deref().map(show_text),
                });
                let extra = match &f.kind {
                    FrameKind::Native { suite, kind, seq } => {
                        json!({ "format": "native", "suite": suite, "kind": kind, "seq": seq })
                    }
                    FrameKind::Format { wire, summary, raw } => json!({
                        "format": wire,
                        "summary": summary,
                        "wire_hex": hex::encode(raw.as_deref().unwrap_or(&f.bytes)),
                    }),
                    FrameKind::Unparsed => json!({ "format": "unparsed" }),
                };
                merge(&mut v, extra);
                v
            }
            Event::Joined { peer, addr } => json!({ "peer": peer, "addr": addr }),
            Event::Left { peer, why } => json!({ "peer": peer, "why": why }),
            Event::Rejected { peer, unit, n, reason, after } => json!({
                "peer": peer,
                "unit": unit,
                "n": n,
                "reason": reason,
                "after": match after {
                    After::Closing => "closing",
                    After::Continuing => "continuing",
                    After::ToldPeer => "told-peer",
                },
            }),
            Event::Tamper { peer, n, .. } => json!({ "peer": peer, "n": n }),
            Event::Notice { kind, .. } => json!({ "kind": kind.name() }),
            Event::Title(_) | Event::Step(_) | Event::Say(_) => json!({}),
            Event::Dump { title, bytes, spans, marks } => {
                let mut dump = Dump::new(title.clone(), bytes).spans(spans.clone());
                for m in marks {
                    dump = dump.mark(m.clone());
                }
                let d = dump_json(&dump);
                json!({ "hex": hex::encode(bytes), "spans": d["spans"], "marks": d["marks"] })
            }
            Event::Fact(f) => json!({ "name": f.name, "value": f.value }),
            Event::Progress(p) => json!({ "task": p.task, "done": p.done, "total": p.total }),
            Event::Verdict(v) => json!({
                "demo": v.demo,
                "subject": v.subject,
                "outcome": v.outcome.word().to_ascii_lowercase(),
            }),
        };
        merge(&mut v, json!({ "event": self.name(), "message": self.line() }));
        v
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

/// How much of a frame an observer reads. A hub builds a frame's event only
/// when some observer reads it, and only as much as the most curious one
/// needs: a quiet server passes thousands of frames a second and shows none
/// but the texts it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sees {
    /// No frames.
    Nothing,
    /// Frames received, for their texts: `dir`, `peer`, `n`, `is_message`
    /// and `text` are filled in; the bytes and their fields may be empty.
    ReceivedTexts,
    /// Every frame, whole.
    Everything,
}

/// Something that watches events: a terminal, a script, a test.
pub trait Observer: Send + Sync {
    /// Sees one event. Must not fail: an output that went away (a closed
    /// pipe) must not take a server down.
    fn observe(&self, event: &Event);

    /// How much of frames it reads (every frame, whole, unless it says less).
    fn sees(&self) -> Sees {
        Sees::Everything
    }
}

/// The hub: every event goes to every observer, in order.
pub struct Events {
    observers: Vec<Arc<dyn Observer>>,
    /// The most any observer reads of a frame.
    sees: Sees,
}

impl Default for Events {
    fn default() -> Self {
        Events { observers: Vec::new(), sees: Sees::Nothing }
    }
}

impl Events {
    /// A hub with no observers (events go nowhere).
    pub fn new() -> Self {
        Events::default()
    }

    /// A hub with one observer, shared.
    pub fn to(observer: Arc<dyn Observer>) -> Arc<Self> {
        Arc::new(Events::new().with(observer))
    }

    /// Adds an observer.
    pub fn with(mut self, observer: Arc<dyn Observer>) -> Self {
        self.sees = self.sees.max(observer.sees());
        self.observers.push(observer);
        self
    }

    /// How much of a frame going `dir` the observers read.
    pub fn sees(&self, dir: Dir) -> Sees {
        match (self.sees, dir) {
            (Sees::ReceivedTexts, Dir::Out | Dir::Through) => Sees::Nothing,
            (sees @ (Sees::Nothing | Sees::ReceivedTexts | Sees::Everything), _) => sees,
        }
    }

    /// Sends the frame going `dir` that `make` builds, given how much of it
    /// is read, to every observer — and builds nothing if none reads it.
    pub fn frame(&self, dir: Dir, make: impl FnOnce(Sees) -> Frame) {
        match self.sees(dir) {
            Sees::Nothing => {}
            sees @ (Sees::ReceivedTexts | Sees::Everything) => self.emit(Event::Frame(make(sees))),
        }
    }

    /// Sends `event` to every observer.
    pub fn emit(&self, event: Event) {
        for o in &self.observers {
            o.observe(&event);
        }
    }

    /// Sends a notice.
    pub fn notice(&self, kind: Notice, text: impl Into<String>) {
        self.emit(Event::notice(kind, text));
    }
}

/// How much a [`TextObserver`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every frame's annotated dump and its text, every notice.
    Full,
    /// Only the text of messages received, and the notices.
    Quiet,
    /// The dumps of message frames only (no hello, goodbye or notices):
    /// the tour's compact view.
    Messages,
    /// The conversation: one line per frame (its title, and the text of a
    /// message), every notice; no dumps (`--compact`).
    Conversation,
}

/// Where an observer writes.
pub type Sink = Box<dyn Write + Send>;

/// Text for a person: the annotated dumps, `* …` lines, demo narration.
pub struct TextObserver {
    detail: Detail,
    renderer: Renderer,
    state: Mutex<(BlockMemory, Sink)>,
    progress: Option<Mutex<Option<(&'static str, ProgressBar)>>>,
}

impl TextObserver {
    /// Text at `detail`, rendered by `renderer`, written to `sink`.
    pub fn new(detail: Detail, renderer: Renderer, sink: Sink) -> Self {
        TextObserver { detail, renderer, state: Mutex::new((BlockMemory::default(), sink)), progress: None }
    }

    /// Also draws [`Event::Progress`] as a progress bar on stderr when it
    /// is a terminal; without it progress is not shown.
    pub fn with_progress(mut self) -> Self {
        self.progress = Some(Mutex::new(None));
        self
    }

    fn text(&self, event: &Event, memory: &mut BlockMemory, out: &mut Vec<u8>) -> io::Result<()> {
        let r = &self.renderer;
        let cols = r.columns_in_use();
        match event {
            Event::Frame(f) => match self.detail {
                Detail::Quiet => {
                    if let (Some(t), true, Dir::In) = (&f.text, f.is_message, f.dir) {
                        let line = format!("{}: {}", f.peer, visible(&show_text(t)));
                        writeln!(out, "{}", fit(&line, cols))?;
                    }
                }
                Detail::Messages if !f.is_message => {}
                Detail::Conversation => {
                    let line = match &f.text {
                        Some(t) if f.is_message => format!("{}: {}", f.title(), visible(&show_text(t))),
                        Some(_) | None => f.title(),
                    };
                    writeln!(out, "{}", fit(&line, cols))?;
                }
                Detail::Full | Detail::Messages => {
                    let mut dump = Dump::new(fit(&f.title(), cols), &f.bytes).spans(f.spans.clone());
                    for m in &f.marks {
                        dump = dump.mark(m.clone());
                    }
                    memory.tag = f.tag();
                    r.render_remembering(out, &dump, memory)?;
                    if let Some(t) = &f.text {
                        let line = format!("  text: {}", visible(&show_text(t)));
                        writeln!(out, "{}", fit(&line, cols))?;
                    }
                }
            },
            Event::Notice { kind: Notice::Session, .. } if self.detail == Detail::Quiet => {}
            Event::Joined { .. }
            | Event::Left { .. }
            | Event::Rejected { .. }
            | Event::Tamper { .. }
            | Event::Notice { .. } => {
                // One line each, and they may carry a peer's words (a
                // reason, a name, a plain-text error reply): made visible.
                if self.detail != Detail::Messages {
                    let line = format!("* {}", visible(&event.line()));
                    writeln!(out, "{}", fit(&line, cols))?;
                }
            }
            Event::Title(t) => {
                r.paint(out, Style::new().bold().underline(), &fit(t, cols))?;
                writeln!(out)?;
            }
            Event::Step(t) => {
                writeln!(out)?;
                r.paint(out, Style::new().bold(), &fit(t, cols))?;
                writeln!(out)?;
            }
            Event::Say(t) => writeln!(out, "{}", fit(t, cols))?,
            // A fact without text is data only: JSON carries it, text shows nothing.
            Event::Fact(f) if f.text.is_empty() => {}
            Event::Fact(f) => writeln!(out, "{}", fit(&f.text, cols))?,
            Event::Dump { title, bytes, spans, marks } => {
                let mut dump = Dump::new(fit(title, cols), bytes).spans(spans.clone());
                for m in marks {
                    dump = dump.mark(m.clone());
                }
                r.render(out, &dump)?;
            }
            Event::Progress(_) => {}
            Event::Verdict(v) => {
                let color = match v.outcome {
                    Outcome::Broken => AnsiColor::Red,
                    Outcome::Refused => AnsiColor::Green,
                };
                // Wrapped as one line, then the verdict word painted.
                let word = v.outcome.word();
                let line = format!("  {word} {}", v.text);
                let line = fit(&line, cols);
                write!(out, "  ")?;
                r.paint(out, Style::new().fg_color(Some(color.into())).bold(), word)?;
                writeln!(out, "{}", &line[2 + word.len()..])?;
            }
        }
        Ok(())
    }

    fn draw_progress(&self, p: &Progress) {
        let Some(bar) = &self.progress else { return };
        let mut bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        // One bar per task, cut to the terminal's width by indicatif, so a
        // long line never wraps and redraws never stack; cleared when done.
        if bar.as_ref().is_some_and(|(task, b)| *task != p.task || b.length() != Some(p.total))
            && let Some((_, old)) = bar.take()
        {
            old.finish_and_clear();
        }
        let (_, b) = bar.get_or_insert_with(|| (p.task, progress_bar(p.task, p.total)));
        b.set_position(p.done);
        b.set_message(visible(&p.text));
        if p.done >= p.total {
            b.finish_and_clear();
            *bar = None;
        }
    }
}

/// A progress bar on stderr (hidden by indicatif when stderr is not a
/// terminal): `task [=====>    ] 12/80 found so far`.
fn progress_bar(task: &'static str, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix} [{bar:20}] {pos}/{len} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(task);
    bar
}

impl Observer for TextObserver {
    fn sees(&self) -> Sees {
        match self.detail {
            Detail::Quiet => Sees::ReceivedTexts,
            Detail::Full | Detail::Messages | Detail::Conversation => Sees::Everything,
        }
    }

    fn observe(&self, event: &Event) {
        if let Event::Progress(p) = event {
            self.draw_progress(p);
            return;
        }
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (memory, sink) = &mut *guard;
        let mut out = Vec::new();
        let _ = self.text(event, memory, &mut out);
        if !out.is_empty() {
            let _ = sink.write_all(&out);
            let _ = sink.flush();
        }
    }
}

/// One JSON object per event, one per line (JSON Lines).
pub struct JsonObserver {
    sink: Mutex<Sink>,
}

impl JsonObserver {
    /// JSON lines written to `sink`.
    pub fn new(sink: Sink) -> Self {
        JsonObserver { sink: Mutex::new(sink) }
    }
}

impl Observer for JsonObserver {
    fn observe(&self, event: &Event) {
        let mut line = event.to_json().to_string();
        line.push('\n');
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
    }
}

/// Keeps every event it sees: for the tour, and for tests.
#[derive(Default)]
pub struct Collector {
    seen: Mutex<Vec<Event>>,
}

impl Collector {
    /// An empty collector.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The verdicts so far.
    pub fn verdicts(&self) -> Vec<Verdict> {
        self.events()
            .into_iter()
            .filter_map(|e| if let Event::Verdict(v) = e { Some(v) } else { None })
            .collect()
    }
}

impl Observer for Collector {
    fn observe(&self, event: &Event) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).push(event.clone());
    }
}

/// Output as chosen on a command line: `--json`, `--quiet`, or full text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Annotated text.
    Text(Detail),
    /// JSON lines.
    Json,
}

/// How text output looks: colour, the width it fits, progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// ANSI colour (full text only).
    pub color: bool,
    /// Columns every line fits in.
    pub columns: usize,
    /// Progress bars on stderr (drawn only when it is a terminal).
    pub progress: bool,
}

impl Output {
    /// The observer for this choice, writing to `sink` and looking `look`.
    pub fn observer(self, sink: Sink, look: Look) -> Arc<dyn Observer> {
        match self {
            Output::Json => Arc::new(JsonObserver::new(sink)),
            Output::Text(detail) => {
                let renderer =
                    Renderer::new().color(look.color && detail == Detail::Full).columns(look.columns);
                let mut text = TextObserver::new(detail, renderer, sink);
                if look.progress {
                    text = text.with_progress();
                }
                Arc::new(text)
            }
        }
    }
}
