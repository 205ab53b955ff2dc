// cryptolab's browser view: the events of `cryptolab web` / `--web PORT`,
// read from GET /events (server-sent events, one JSON object each, the
// schema of docs/EVENTS.md plus `id` and `source`). Nothing cryptographic
// happens here: the page draws what the programs report.

const ROW = 22; // px, the height of one row of the frames list
const MAX_KEPT = 100000; // frames kept in the list (the oldest go first)

const frames = []; // frame events, in order
const notices = [];
const byHex = new Map(); // hex → frames with those bytes (a proxy's and a server's)
const rejected = new Map(); // "source|peer|n" → the rejected event
const tampers = new Map(); // "source|peer|n" → tamper lines
let selected = -1;
let dirty = false;

// Text from a peer, with control characters and bidi overrides shown as escapes.
export function visible(text) {
  if (text == null) return "";
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
}

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const key = (e) => `${e.source}|${e.peer}|${e.n}`;

function take(ev) {
  switch (ev.event) {
    case "frame": {
      if (frames.length >= MAX_KEPT) frames.shift();
      frames.push(ev);
      const list = byHex.get(ev.hex) || [];
      list.push(ev);
      byHex.set(ev.hex, list);
      break;
    }
    case "rejected": rejected.set(key(ev), ev); addNotice(ev); break;
    case "tamper": {
      const k = key(ev);
      tampers.set(k, (tampers.get(k) || []).concat([ev.message]));
      addNotice(ev);
      break;
    }
    default: addNotice(ev);
  }
  dirty = true;
}

function addNotice(ev) {
  notices.push(ev);
  if (notices.length > 200) notices.shift();
}

// What the other side did with the bytes a proxy forwarded: a frame with the
// same bytes received by another program, and its text or its rejection.
export function reaction(frame) {
  const others = (byHex.get(frame.hex) || []).filter((f) => f !== frame && f.dir === "in");
  for (const f of others) {
    const r = rejected.get(key(f));
    if (r) return { kind: "rejected", text: `${f.source} rejected it: ${r.reason}`, frame: f };
    if (f.text != null) return { kind: "accepted", text: `${f.source} read: ${visible(f.text)}`, frame: f };
  }
  if (frame.dir === "in") {
    const r = rejected.get(key(frame));
    if (r) return { kind: "rejected", text: `rejected: ${r.reason}`, frame };
  }
  return null;
}

function title(f) {
  const arrow = f.dir === "in" ? "←" : f.dir === "out" ? "→" : "⇄";
  const what = f.format === "native" ? `${f.kind} · seq ${f.seq} · ${f.suite}` : (f.summary || f.format);
  const marked = f.marks.length ? " · changed" : "";
  return `${f.source}: ${arrow} ${f.peer} #${f.n} · ${what} · ${f.hex.length / 2} bytes${marked}`;
}

function drawList() {
  const box = $("frames");
  $("frames-spacer").style.height = `${frames.length * ROW}px`;
  $("count").textContent = `(${frames.length})`;
  const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 5);
  const last = Math.min(frames.length, first + Math.ceil(box.clientHeight / ROW) + 10);
  for (const row of box.querySelectorAll(".row")) row.remove();
  for (let i = first; i < last; i++) {
    const f = frames[i];
    const row = el("div", "row" + (f.marks.length ? " changed" : "") + (i === selected ? " selected" : ""), title(f));
    row.style.top = `${i * ROW}px`;
    row.setAttribute("role", "option");
    row.setAttribute("aria-selected", String(i === selected));
    row.dataset.index = String(i);
    box.appendChild(row);
  }
}

function drawNotices() {
  const ol = $("notices");
  ol.replaceChildren(...notices.slice(-30).map((n) =>
    el("li", `n-${n.event}`, `${n.source}: ${n.event === "notice" ? "" : n.event + ": "}${visible(n.message)}`)));
}

function drawDetail() {
  const f = frames[selected];
  if (!f) return;
  $("detail-title").textContent = title(f);
  $("detail-about").textContent = f.text != null ? `text: ${visible(f.text)}` :
    (f.truncated ? `the first ${f.hex.length / 2} of ${f.truncated} bytes` : "");
  const bytes = f.hex.match(/../g) || [];
  const marked = new Set();
  for (const [s, e] of f.marks) for (let i = s; i < e; i++) marked.add(i);
  const grid = $("grid");
  grid.replaceChildren();
  const spans = f.spans.length ? f.spans : [{ label: "data", kind: "data", offset: 0, len: bytes.length }];
  for (const s of spans) {
    const field = el("div", `field k-${s.kind}`);
    field.dataset.label = s.label;
    const label = el("div", "label", s.label + (s.same_as ? ` = ${s.same_as}` : ""));
    if (s.same_as) field.classList.add("repeat");
    field.appendChild(label);
    const cells = el("div", "bytes");
    for (let i = s.offset; i < s.offset + s.len && i < bytes.length; i++) {
      const c = el("span", "b" + (marked.has(i) ? " marked" : ""), bytes[i]);
      c.title = `byte ${i} · ${s.label}${marked.has(i) ? " · changed by the proxy" : ""}`;
      if (marked.has(i)) c.setAttribute("aria-label", `byte ${i}, ${bytes[i]}, changed by the proxy`);
      cells.appendChild(c);
    }
    field.appendChild(cells);
    if (s.note) field.appendChild(el("div", "note", s.note));
    grid.appendChild(field);
  }
  const lines = tampers.get(key(f)) || [];
  const r = reaction(f);
  const p = $("reaction");
  p.replaceChildren(...lines.map((t) => el("div", "tamper", `tampered: ${t}`)));
  if (r) p.appendChild(el("div", `verdict ${r.kind}`, r.text));
  $("legend").replaceChildren(...[...new Set(spans.map((s) => s.kind))].map((k) =>
    el("li", `k-${k}`, k)));
}

function select(i) {
  if (i < 0 || i >= frames.length) return;
  selected = i;
  const box = $("frames");
  if (i * ROW < box.scrollTop) box.scrollTop = i * ROW;
  if ((i + 1) * ROW > box.scrollTop + box.clientHeight) box.scrollTop = (i + 1) * ROW - box.clientHeight;
  dirty = true;
}

// How smooth the page is: the longest gap between animation frames, and
// how many gaps were over 50 ms (read by the measurement in tests/web.rs).
const stats = { maxGap: 0, longGaps: 0, draws: 0, last: 0 };
function resetStats() {
  Object.assign(stats, { maxGap: 0, longGaps: 0, draws: 0, last: 0 });
}

function frame(now) {
  if (stats.last) {
    const gap = now - stats.last;
    stats.maxGap = Math.max(stats.maxGap, Math.round(gap));
    if (gap > 50) stats.longGaps++;
  }
  stats.last = now;
  if (dirty) {
    stats.draws++;
    dirty = false;
    drawList();
    drawNotices();
    drawDetail();
  }
  requestAnimationFrame(frame);
}

function start() {
  const box = $("frames");
  box.addEventListener("scroll", () => { dirty = true; });
  box.addEventListener("click", (e) => {
    const row = e.target.closest(".row");
    if (row) select(Number(row.dataset.index));
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { select(selected + 1); e.preventDefault(); }
    if (e.key === "ArrowUp") { select(selected - 1); e.preventDefault(); }
    if (e.key === "End") { select(frames.length - 1); e.preventDefault(); }
  });
  const source = new EventSource("/events");
  source.onopen = () => { $("status").textContent = "live"; };
  source.onerror = () => { $("status").textContent = "disconnected — retrying"; };
  source.onmessage = (m) => {
    try { take(JSON.parse(m.data)); } catch (_) { /* not JSON: skipped */ }
  };
  // For the tests: what the page holds, and a frame chosen by the script.
  window.cryptolab = { frames, notices, reaction, select, title, stats, resetStats };
  requestAnimationFrame(frame);
}

start();
