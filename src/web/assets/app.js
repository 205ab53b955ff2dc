// cryptolab's browser view: the events of `cryptolab web` / `--web PORT`,
// read from GET /events (server-sent events, one JSON object each, the
// schema of docs/EVENTS.md plus `id` and `source`). Nothing cryptographic
// happens here: the page draws what the programs report.

import { $, el, visible, drawFields } from "./common.js";
import { startDemos } from "./demos.js";

export { visible };

const ROW = 22; // px, the height of one row of the frames list
const MAX_KEPT = 100000; // frames kept in the list (the oldest go first)

const frames = []; // frame events, in order
const notices = [];
const byHex = new Map(); // hex → frames with those bytes (a proxy's and a server's)
const rejected = new Map(); // "source|peer|n" → the rejected event
const tampers = new Map(); // "source|peer|n" → tamper lines
const ecbBlocks = new Map(); // an ECB ciphertext block's hex → the frames it is in
let selected = -1;
let dirty = false;

const key = (e) => `${e.source}|${e.peer}|${e.n}`;

function take(ev) {
  switch (ev.event) {
    case "frame": {
      if (frames.length >= MAX_KEPT) frames.shift();
      frames.push(ev);
      const list = byHex.get(ev.hex) || [];
      list.push(ev);
      byHex.set(ev.hex, list);
      for (const s of ecbSpans(ev)) {
        const seen = ecbBlocks.get(s.hex) || [];
        if (!seen.includes(ev)) seen.push(ev);
        if (seen.length <= 50) ecbBlocks.set(s.hex, seen);
      }
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

// The 16-byte ciphertext blocks of an ecb frame, with their bytes.
function ecbSpans(f) {
  if (f.suite !== "ecb" || !f.spans) return [];
  return f.spans.filter((s) => s.kind === "ciphertext" && s.len === 16)
    .map((s) => ({ ...s, hex: f.hex.substr(s.offset * 2, 32) }));
}

// ECB repeats across frames: the other frames holding this block's bytes.
export function alsoIn(f, span) {
  if (f.suite !== "ecb" || span.kind !== "ciphertext" || span.len !== 16) return null;
  const others = (ecbBlocks.get(f.hex.substr(span.offset * 2, 32)) || []).filter((o) => o !== f);
  if (!others.length) return null;
  const names = others.slice(0, 3).map((o) => `${o.peer} #${o.n}`).join(", ");
  return `also in frame${others.length > 1 ? "s" : ""} ${names}${others.length > 3 ? " …" : ""}`;
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
  const what = f.format === "native" ? `${f.kind} · seq ${f.seq} · ${f.suite}` : (visible(f.summary) || f.format);
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
  const kinds = drawFields($("grid"), f.hex, f.spans, f.marks, "changed by the proxy", (s) => alsoIn(f, s));
  const lines = tampers.get(key(f)) || [];
  const r = reaction(f);
  const p = $("reaction");
  p.replaceChildren(...lines.map((t) => el("div", "tamper", `tampered: ${t}`)));
  if (r) p.appendChild(el("div", `verdict ${r.kind}`, r.text));
  $("legend").replaceChildren(...kinds.map((k) => el("li", `k-${k}`, k)));
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
  window.cryptolab = { frames, notices, reaction, select, title, stats, resetStats, alsoIn };
  startDemos(window.cryptolab);
  requestAnimationFrame(frame);
}

start();
