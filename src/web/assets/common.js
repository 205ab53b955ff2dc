// What the live view and the demo pages share: making elements, showing a
// peer's text safely, and drawing bytes by field (the `spans` and `marks`
// of a frame or dump event, docs/EVENTS.md). Text always goes in through
// textContent, never as HTML.

// Text from a peer, with control characters and bidi overrides shown as escapes.
export function visible(text) {
  if (text == null) return "";
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
}

export const $ = (id) => document.getElementById(id);

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

// Draws `hex` into `grid` field by field. `marked` names what a marked byte
// is ("changed by the proxy"); `repeats(span)` may return a note for a span
// (an ECB block seen in another frame). Returns the kinds drawn.
export function drawFields(grid, hex, spans, marks, marked = "marked", repeats = () => null) {
  const bytes = hex.match(/../g) || [];
  const hot = new Set();
  for (const [s, e] of marks || []) for (let i = s; i < e; i++) hot.add(i);
  grid.replaceChildren();
  const fields = spans && spans.length ? spans : [{ label: "data", kind: "data", offset: 0, len: bytes.length }];
  for (const s of fields) {
    const field = el("div", `field k-${s.kind}`);
    field.dataset.label = s.label;
    const also = repeats(s);
    const label = el("div", "label", s.label + (s.same_as ? ` = ${s.same_as}` : "") + (also ? ` · ${also}` : ""));
    if (s.same_as || also) field.classList.add("repeat");
    field.appendChild(label);
    const cells = el("div", "bytes");
    for (let i = s.offset; i < s.offset + s.len && i < bytes.length; i++) {
      const c = el("span", "b" + (hot.has(i) ? " marked" : ""), bytes[i]);
      c.title = `byte ${i} · ${s.label}${hot.has(i) ? ` · ${marked}` : ""}`;
      if (hot.has(i)) c.setAttribute("aria-label", `byte ${i}, ${bytes[i]}, ${marked}`);
      cells.appendChild(c);
    }
    field.appendChild(cells);
    if (s.note) field.appendChild(el("div", "note", s.note));
    grid.appendChild(field);
  }
  return [...new Set(fields.map((s) => s.kind))];
}

// One demo event as an element: titles and steps as headings, narration as
// preformatted text, dumps as byte grids, verdicts with their word.
export function narrationItem(ev) {
  switch (ev.event) {
    case "title": return el("h3", null, ev.message);
    case "step": return el("h4", null, ev.message);
    case "say": return el("pre", "say", ev.message);
    case "dump": {
      const box = el("div", "dump");
      box.appendChild(el("div", "dump-title", ev.message));
      const grid = el("div", "grid");
      drawFields(grid, ev.hex, ev.spans, ev.marks, "marked by the demo");
      box.appendChild(grid);
      return box;
    }
    case "verdict": {
      const p = el("p", `verdict v-${ev.outcome}`);
      p.appendChild(el("strong", null, ev.outcome.toUpperCase()));
      p.appendChild(document.createTextNode(" " + ev.message.replace(/^\S+ /, "")));
      return p;
    }
    case "progress": return null;
    default: return ev.message ? el("pre", `fact f-${ev.name || ev.event}`, ev.message) : null;
  }
}

// Shows a demo's events in `box`.
export function narrate(box, events) {
  box.replaceChildren(...events.map(narrationItem).filter((x) => x));
}

// POSTs to the view's API; resolves to the JSON answer, or throws an Error
// whose message is the server's error and hint.
export async function api(path, body, type = "application/json") {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": type },
    body: type === "application/json" ? JSON.stringify(body) : body,
  });
  const plain = {
    413: "the request is too large (a picture: at most 8 MiB; text: at most 64 KiB)",
    403: "the view refused the request (it answers only its own page)",
  };
  const answer = await r.json().catch(() => ({ error: plain[r.status] || `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(answer.hint ? `${answer.error} — ${answer.hint}` : answer.error);
  return answer;
}
