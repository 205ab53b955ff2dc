// The demo pages of the browser view. Each asks the view's API (POST
// /api/…, src/web/api.rs) to run the same library code as `cryptolab demo`
// and draws the events it answers with. Nothing cryptographic is computed
// here: the substitution page only shows a letter mapping the student
// chose, and the mapping the server's crack suggested.

import { $, el, api, narrate, narrationItem, drawFields } from "./common.js";

const VIEWS = ["live", "ecb", "bitflip", "oracle", "aes", "solver"];
const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function show(view) {
  for (const v of VIEWS) {
    $(`view-${v}`).hidden = v !== view;
    const tab = $(`tab-${v}`);
    tab.setAttribute("aria-selected", String(v === view));
    tab.tabIndex = v === view ? 0 : -1;
  }
}

// Runs `work`, showing "working…" and any error in the view's status line.
async function busy(status, work) {
  status.textContent = "working…";
  status.className = "demo-status";
  try {
    await work();
    status.textContent = "";
  } catch (e) {
    status.textContent = e.message;
    status.className = "demo-status error";
  }
}

// ── ECB picture ─────────────────────────────────────────────────────────

const ecb = { panels: [] };

async function runEcb() {
  const file = $("ecb-file").files[0];
  const body = file ? await file.arrayBuffer() : new ArrayBuffer(0);
  const answer = await api("/api/ecb-picture", body, "application/octet-stream");
  ecb.panels = answer.panels;
  const out = $("ecb-out");
  out.replaceChildren(...answer.panels.map((p) => {
    const fig = el("figure", `panel p-${p.name}`);
    const img = el("img");
    img.src = `data:image/png;base64,${p.png}`;
    img.alt = p.name === "original" ? "the picture" : `the picture's pixels encrypted in ${p.name}`;
    img.dataset.mode = p.name;
    fig.appendChild(img);
    const share = p.blocks ? (100 * p.repeated / p.blocks).toFixed(1) : "0.0";
    fig.appendChild(el("figcaption", null, `${p.name}: ${p.repeated} of ${p.blocks} blocks repeat (${share}%)`));
    return fig;
  }));
  narrate($("ecb-events"), answer.events);
}

// ── Bit-flipping ────────────────────────────────────────────────────────

async function runBitflip() {
  const answer = await api("/api/bitflip", { target: $("bitflip-target").value });
  narrate($("bitflip-events"), answer.events);
}

// ── Padding oracle, step by step ────────────────────────────────────────

const oracle = { events: [], at: 0, timer: null, plain: [] };

function oracleReset(events) {
  oracle.events = events;
  oracle.at = 0;
  oracle.plain = [];
  $("oracle-log").replaceChildren();
  oracleDraw(null);
}

// Shows the state after event `oracle.at - 1`: the last query's forged
// block, what the server said, and the plaintext found so far.
function oracleDraw(query) {
  if (query) {
    const q = query.value;
    drawFields($("oracle-forged"), q.forged, [{ label: "C' (forged)", kind: "iv", offset: 0, len: 16 }],
      [[q.byte, q.byte + 1]], "the guess");
    $("oracle-answer").textContent = `query ${q.n}: block ${q.block}, byte ${q.byte}, guess ` +
      `${q.guess.toString(16).padStart(2, "0")} → ${q.valid ? "valid padding" : "bad padding"}`;
    $("oracle-answer").className = q.valid ? "yes" : "no";
  }
  const shown = oracle.plain.map((b) => b == null ? "·" : (b >= 32 && b < 127 ? String.fromCharCode(b) : "."));
  $("oracle-plain").textContent = shown.join("");
  $("oracle-count").textContent = `${oracle.at} of ${oracle.events.length} events`;
}

// Moves on until `stop(event)` is true (or the end), and draws once.
function oracleStep(stop) {
  let query = null;
  const log = $("oracle-log");
  while (oracle.at < oracle.events.length) {
    const ev = oracle.events[oracle.at++];
    if (ev.event === "fact" && ev.name === "query") query = ev;
    if (ev.event === "fact" && ev.name === "byte") {
      const v = ev.value;
      oracle.plain[v.block * 16 + v.byte] = v.plaintext;
      for (let i = 0; i < v.block * 16 + v.byte; i++) if (!(i in oracle.plain)) oracle.plain[i] = null;
    }
    if (!(ev.event === "fact" && ev.name === "query")) {
      const item = narrationItem(ev);
      if (item) log.appendChild(item);
    }
    if (stop(ev)) break;
  }
  oracleDraw(query);
  log.scrollTop = log.scrollHeight;
}

const isQuery = (ev) => ev.event === "fact" && ev.name === "query";
const isByte = (ev) => ev.event === "fact" && ev.name === "byte";

function oraclePlay() {
  if (oracle.timer) {
    clearInterval(oracle.timer);
    oracle.timer = null;
    $("oracle-play").textContent = "Play";
    return;
  }
  $("oracle-play").textContent = "Pause";
  oracle.timer = setInterval(() => {
    oracleStep(reduced ? isByte : isQuery);
    if (oracle.at >= oracle.events.length) oraclePlay();
  }, reduced ? 600 : 40);
}

async function runOracle() {
  const answer = await api("/api/padding-oracle", { message: $("oracle-message").value });
  oracleReset(answer.events);
  oracleStep(isByte);
}

// ── AES round by round ──────────────────────────────────────────────────

// A 16-byte state as FIPS-197 draws it: byte i at row i mod 4, column i div 4.
function state(label, hex, step, round) {
  const box = el("div", "state");
  box.dataset.step = step;
  box.dataset.round = String(round);
  box.appendChild(el("div", "label", label));
  const table = el("div", "cells");
  const bytes = hex.match(/../g);
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 4; col++) {
      const i = col * 4 + row;
      const c = el("span", "cell", bytes[i]);
      c.dataset.index = String(i);
      table.appendChild(c);
    }
  }
  box.appendChild(table);
  return box;
}

function drawAes(events) {
  const out = $("aes-out");
  out.replaceChildren();
  for (const ev of events) {
    if (ev.event === "fact" && ev.name === "round") {
      const r = ev.value;
      const box = el("section", "aes-round");
      box.dataset.round = String(r.round);
      const row = el("div", "states");
      row.appendChild(state(r.round === 0 ? "input" : "start", r.start, "start", r.round));
      for (const s of r.steps) {
        if (s.step === "AddRoundKey") row.appendChild(state(`round key ${r.round}`, r.round_key, "round-key", r.round));
        row.appendChild(state(s.step, s.state, s.step, r.round));
      }
      box.appendChild(row);
      out.appendChild(box);
    } else if (ev.event === "fact" && ev.name === "avalanche") {
      const box = el("section", "avalanche");
      box.appendChild(el("h4", null, `State bits that differ after each round, of ${ev.value.of}`));
      const rows = [{ label: "input", bits: ev.value.input_bits }].concat(
        ev.value.rounds.map((r) => ({ label: `round ${r.round}`, bits: r.bits })));
      for (const r of rows) {
        const line = el("div", "bar-row");
        line.appendChild(el("span", "bar-label", `${r.label}: ${r.bits} bits`));
        const bar = el("span", "bar");
        bar.style.width = `${(100 * r.bits) / ev.value.of}%`;
        line.appendChild(bar);
        box.appendChild(line);
      }
      out.appendChild(box);
    } else {
      const item = narrationItem(ev);
      if (item) out.appendChild(item);
    }
  }
}

async function runAes() {
  const body = { key: $("aes-key").value, block: $("aes-block").value, avalanche: $("aes-avalanche").checked };
  if (body.avalanche) body.bit = Number($("aes-bit").value) || 0;
  const answer = await api("/api/aes", body);
  drawAes(answer.events);
}

// ── The substitution solver ─────────────────────────────────────────────

const ABC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const solver = { mapping: new Array(26).fill(null), chosen: null, suggestion: null, counts: null };

function solverText() {
  const ct = $("solver-ct").value;
  let out = "";
  for (const ch of ct) {
    const up = ch.toUpperCase();
    const i = ABC.indexOf(up);
    if (i < 0 || !/[a-z]/i.test(ch)) { out += ch; continue; }
    const p = solver.mapping[i];
    out += p == null ? "·" : (ch === up ? p : p.toLowerCase());
  }
  return out;
}

// Assigns plain letter `p` to cipher letter `c`; a plain letter already in
// use moves: the two cipher letters swap what they stand for.
function assign(c, p) {
  const other = solver.mapping.indexOf(p);
  if (other >= 0 && other !== c) solver.mapping[other] = solver.mapping[c];
  solver.mapping[c] = p;
  drawSolver();
}

function drawSolver() {
  const keys = $("solver-keys");
  keys.replaceChildren(...[...ABC].map((c, i) => {
    const b = el("button", "key" + (solver.chosen === i ? " chosen" : ""));
    b.type = "button";
    b.dataset.cipher = c;
    b.appendChild(el("span", "cipher", c));
    b.appendChild(el("span", "plain", solver.mapping[i] || "·"));
    b.setAttribute("aria-label", `cipher ${c} stands for ${solver.mapping[i] || "nothing yet"}`);
    return b;
  }));
  $("solver-plain").textContent = solverText();
  if (solver.counts) {
    const total = solver.counts.reduce((a, b) => a + b, 0) || 1;
    const cipherOrder = [...ABC].map((c, i) => [c, solver.counts[i] / total]).sort((a, b) => b[1] - a[1]);
    const english = [...ABC].map((c, i) => [c, solver.english[i]]).sort((a, b) => b[1] - a[1]);
    const table = $("solver-freq");
    table.replaceChildren(el("div", "freq-head", "ciphertext"), el("div", "freq-head", "English"));
    for (let k = 0; k < 26; k++) {
      for (const [c, f] of [cipherOrder[k], english[k]]) {
        const cell = el("div", "freq");
        cell.appendChild(el("span", null, `${c} ${(100 * f).toFixed(1)}%`));
        const bar = el("span", "bar");
        bar.style.width = `${Math.min(100, 700 * f)}%`;
        cell.appendChild(bar);
        table.appendChild(cell);
      }
    }
  }
}

async function suggest() {
  const answer = await api("/api/substitution", { ciphertext: $("solver-ct").value });
  solver.counts = answer.counts;
  solver.english = answer.english;
  solver.suggestion = answer.suggestion;
  const s = answer.suggestion;
  $("solver-suggestion").textContent = `suggested key (cipher A–Z → plain): ${s.plain_for_cipher} · fitness ` +
    `${s.fitness.toFixed(3)} (mean quadgram log10-probability) · ${s.verdict}`;
  $("solver-use").disabled = false;
  drawSolver();
}

function startSolver() {
  $("solver-keys").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    solver.chosen = ABC.indexOf(b.dataset.cipher);
    drawSolver();
    $("solver-keys").querySelector(".chosen").focus();
  });
  $("solver-keys").addEventListener("keydown", (e) => {
    if (solver.chosen == null || !/^[a-z]$/i.test(e.key)) return;
    assign(solver.chosen, e.key.toUpperCase());
    $("solver-keys").querySelector(".chosen").focus();
    e.preventDefault();
  });
  $("solver-letters").replaceChildren(...[...ABC].map((p) => {
    const b = el("button", "plain-letter", p);
    b.type = "button";
    b.addEventListener("click", () => { if (solver.chosen != null) assign(solver.chosen, p); });
    return b;
  }));
  $("solver-ct").addEventListener("input", drawSolver);
  $("solver-use").addEventListener("click", () => {
    if (!solver.suggestion) return;
    solver.mapping = [...solver.suggestion.plain_for_cipher];
    drawSolver();
  });
  $("solver-clear").addEventListener("click", () => { solver.mapping.fill(null); drawSolver(); });
  drawSolver();
}

export function startDemos(exposed) {
  for (const v of VIEWS) $(`tab-${v}`).addEventListener("click", () => show(v));
  $("tabs").addEventListener("keydown", (e) => {
    const at = VIEWS.findIndex((v) => !$(`view-${v}`).hidden);
    const to = e.key === "ArrowRight" ? at + 1 : e.key === "ArrowLeft" ? at - 1 : null;
    if (to == null) return;
    const v = VIEWS[(to + VIEWS.length) % VIEWS.length];
    show(v);
    $(`tab-${v}`).focus();
  });
  const on = (id, work) => $(id).addEventListener("click", () => busy($(`${id.split("-")[0]}-status`), work));
  on("ecb-run", runEcb);
  on("bitflip-run", runBitflip);
  on("oracle-run", runOracle);
  on("aes-run", runAes);
  on("solver-suggest", suggest);
  on("solver-example", async () => {
    const answer = await api("/api/substitution", { example: true });
    $("solver-ct").value = answer.ciphertext;
    drawSolver();
  });
  $("oracle-next").addEventListener("click", () => oracleStep(isQuery));
  $("oracle-byte").addEventListener("click", () => oracleStep(isByte));
  $("oracle-end").addEventListener("click", () => oracleStep(() => false));
  $("oracle-play").addEventListener("click", oraclePlay);
  startSolver();
  // For the tests: the demo pages' state.
  Object.assign(exposed, { show, ecb, oracle, solver });
  // A tab can be linked to: /#ecb, /#oracle, …
  const fromHash = () => {
    const wanted = location.hash.slice(1);
    show(VIEWS.includes(wanted) ? wanted : "live");
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();
}
