/* The book's network explorer: a small MLP drawn as inline SVG, run on one sample. Pages embed it
   with backprop.book.explorer. Its arithmetic repeats the library's operation by operation;
   tests/test_explorer.py compares it with values the library exported into the page. */
(function () {
"use strict";
const E = Math.exp, LN = Math.log, A = (n, f) => Array.from({ length: n }, (_, i) => f(i));

// ---- math, as in backprop
// One sample (N = 1): no division by N.
// numpy.logaddexp(0, t); the library's sigmoid is exp(-logaddexp(0, -z))
const lae0 = (t) => (t === 0 ? Math.LN2 : t < 0 ? Math.log1p(E(t)) : t + Math.log1p(E(-t)));
const xlogy = (x, y) => (x === 0 ? 0 : x * LN(y));
const sum = (v) => v.reduce((s, x) => s + x, 0);
const ACT = { // f(z) and the backward step dL/dz from (z, a, dL/da)
  identity: { f: (z) => z.slice(), b: (z, a, g) => g },
  sigmoid: { f: (z) => z.map((v) => E(-lae0(-v))), b: (z, a, g) => g.map((v, i) => v * (a[i] * (1 - a[i]))) },
  tanh: { f: (z) => z.map(Math.tanh), b: (z, a, g) => g.map((v, i) => v * (1 - a[i] * a[i])) },
  relu: { f: (z) => z.map((v) => (v > 0 || v !== v ? v : 0)), b: (z, a, g) => g.map((v, i) => v * (z[i] > 0)) },
  softmax: {
    f: (z) => { const m = Math.max(...z), e = z.map((v) => E(v - m)), s = sum(e); return e.map((v) => v / s); },
    b: (z, a, g) => { const s = sum(g.map((v, i) => v * a[i])); return a.map((v, i) => v * (g[i] - s)); },
  },
};
const HIDDEN = ["identity", "sigmoid", "tanh", "relu"];
// output activations offered with each loss (pairs the library accepts; the first is the default)
const PAIRS = { mse: ["identity", "sigmoid", "tanh", "relu", "softmax"], bce: ["sigmoid"], cross_entropy: ["softmax"] };
const NAME = { mse: "half squared error", bce: "binary cross-entropy", cross_entropy: "cross-entropy" };
const last = (v) => v[v.length - 1];
const fused = (n) => (last(n.act) === "sigmoid" && n.loss === "bce") || (last(n.act) === "softmax" && n.loss === "cross_entropy");

function lossOf(n, z, a, y) {
  if (fused(n) && n.loss === "bce") return sum(z.map((v, k) => lae0(v) - y[k] * v));
  if (fused(n)) {
    const m = Math.max(...z), sh = z.map((v) => v - m), lse = LN(sum(sh.map(E)));
    return -sum(y.map((t, k) => t * (sh[k] - lse)));
  }
  if (n.loss === "mse") return 0.5 * sum(a.map((v, k) => (v - y[k]) * (v - y[k])));
  if (n.loss === "bce") return -sum(y.map((t, k) => xlogy(t, a[k]) + xlogy(1 - t, 1 - a[k])));
  return -sum(y.map((t, k) => xlogy(t, a[k])));
}
const lossGrad = { // dL/dyhat
  mse: (a, y) => a.map((v, k) => v - y[k]),
  bce: (a, y) => a.map((v, k) => (v - y[k]) / (v * (1 - v))),
  cross_entropy: (a, y) => a.map((v, k) => -y[k] / v),
};
// every value of one forward and backward pass: z[l], a[l], delta[l], gW[l-1], gb[l-1], loss
function evaluate(n, x, y) {
  const L = n.sizes.length - 1, z = [null], a = [x.slice()], d = [null];
  for (let l = 1; l <= L; l++) {
    const W = n.W[l - 1], p = a[l - 1];
    z.push(n.b[l - 1].map((b, k) => p.reduce((s, v, j) => s + v * W[j][k], 0) + b));
    a.push(ACT[n.act[l - 1]].f(z[l]));
  }
  const gW = [], gb = [];
  let g = fused(n) ? lossGrad.mse(a[L], y) : ACT[n.act[L - 1]].b(z[L], a[L], lossGrad[n.loss](a[L], y));
  for (let l = L; l >= 1; l--) {
    d[l] = g;
    gW[l - 1] = a[l - 1].map((v) => g.map((dk) => v * dk));
    gb[l - 1] = g.slice();
    const W = n.W[l - 1];
    if (l > 1) g = ACT[n.act[l - 2]].b(z[l - 1], a[l - 1], a[l - 1].map((_, j) => g.reduce((s, dk, k) => s + dk * W[j][k], 0)));
  }
  return { z, a, delta: d, gW, gb, loss: lossOf(n, z[L], a[L], y) };
}
const stepped = (n, v, lr) => Object.assign({}, n, { // p <- p - lr dL/dp
  W: n.W.map((W, i) => W.map((r, j) => r.map((w, k) => w - lr * v.gW[i][j][k]))),
  b: n.b.map((b, i) => b.map((w, k) => w - lr * v.gb[i][k])),
});
const copy = (o) => JSON.parse(JSON.stringify(o));
const netOf = (s) => ({ sizes: s.sizes.slice(), act: s.activations.slice(), loss: s.loss, W: copy(s.W), b: copy(s.b) });
// what the page's reference holds: one pass, one step, `steps` steps of training
function compute(spec, steps) {
  const n = netOf(spec), v = evaluate(n, spec.x, spec.y), one = stepped(n, v, spec.lr), hist = [];
  let t = n;
  for (let i = 0; i < steps; i++) { const e = evaluate(t, spec.x, spec.y); hist.push(e.loss); t = stepped(t, e, spec.lr); }
  v.step = { W: one.W, b: one.b, loss: evaluate(one, spec.x, spec.y).loss };
  v.train = { loss: hist, W: t.W, b: t.b, final: evaluate(t, spec.x, spec.y).loss };
  return v;
}

// ---- numbers, as backprop.book.num
// 4 significant figures, trailing zeros trimmed, true minus, ×10ⁿ outside [1e-3, 1e5), never −0.
// Python's rounding: ties to even, on the double's exact value.
const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
function exact(x) { // |x| = D / 10^s exactly
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const hi = dv.getUint32(0), be = hi >>> 20;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(dv.getUint32(4)), e = be - 1075;
  if (be) m |= 1n << 52n; else e = -1074;
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), -e];
}
function roundTo(D, s, f) { // D / 10^s rounded to f decimals, as an integer over 10^f
  if (f >= s) return D * 10n ** BigInt(f - s);
  const u = 10n ** BigInt(s - f), q = D / u, r2 = 2n * (D % u);
  return r2 > u || (r2 === u && q % 2n) ? q + 1n : q;
}
const trim = (t) => t.replace(/\.?0+$/, "");
function num(x, d = 4) {
  if (x !== x) return "NaN";
  if (!isFinite(x)) return x < 0 ? "−∞" : "∞";
  if (x === 0) return "0";
  const [D, s] = exact(x), neg = x < 0 ? "−" : "";
  let e = D.toString().length - 1 - s, q = roundTo(D, s, d - 1 - e);
  if (q.toString().length > d) e += 1, q /= 10n;
  if (e >= -3 && e <= 4) {
    const f = Math.max(d - 1 - e, 0), t = roundTo(D, s, f).toString().padStart(f + 1, "0");
    const text = f ? trim(t.slice(0, -f) + "." + t.slice(-f)) : t;
    return (/[1-9]/.test(text) ? neg : "") + text;
  }
  const m = q.toString(), mant = trim(m[0] + "." + m.slice(1));
  return neg + (mant === "1" ? "" : mant + "×") + "10" + String(e).replace("-", "⁻").replace(/\d/g, (c) => SUP[c]);
}
function parse(text) { // {v} or {err}
  const t = text.trim().replace(/^[−–]/, "-");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return { err: t ? `“${t}” is not a number` : "type a number" };
  return { v: Number(t) };
}

// ---- the widget
function mk(tag, attrs, parent, text) {
  const n = /^(svg|g|rect|text|line|polyline)$/.test(tag) ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const k in attrs) if (attrs[k] != null) n.setAttribute(k, attrs[k]);
  if (text != null) n.textContent = text;
  if (parent) parent.appendChild(n);
  return n;
}
const sub = (n) => String(n).replace(/\d/g, (c) => "₀₁₂₃₄₅₆₇₈₉"[c]);
const sup = (n) => "⁽" + String(n).replace(/\d/g, (c) => SUP[c]) + "⁾";
const reduced = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
// px at scale 1 (text 13 px); the diagram may shrink to text of 11 px, then it scrolls
const FONT = 13, MIN = 11, ROW = 18, UW = 88, PW = 74, TOP = 24, GAP = 12, DT = 220, LIMIT = 1000, MAXH = 2000;
const instances = [];

function Explorer(root) {
  const spec = JSON.parse(root.querySelector(".bpx-spec").content.textContent);
  const S = { timers: new Set(), hist: [], stage: 0, steps: 0, train: null, dead: false };
  root.dataset.bpxReady = "1";
  root.querySelectorAll(".bpx-fallback").forEach((n) => n.remove());
  const later = (fn, ms) => { const t = setTimeout(() => { S.timers.delete(t); if (!S.dead) fn(); }, ms); S.timers.add(t); };
  const stopAnim = () => { S.timers.forEach(clearTimeout); S.timers.clear(); root.dataset.busy = ""; };
  const panel = mk("div", { class: "bpx-panel" });
  root.prepend(panel);
  const row = () => mk("div", { class: "bpx-row" }, panel);
  const field = (r, label, node) => { mk("label", { class: "bpx-field" }, r, label + " ").append(node); return node; };
  const button = (r, text, action) => mk("button", { type: "button", class: "md-button bpx-btn", "data-action": action }, r, text);
  const opts = (sel, list, names) => sel.replaceChildren(...list.map((o, i) => mk("option", { value: o }, null, names ? names[i] : o)));
  const ctl = {};
  if (spec.controls) { // the playground's
    const r = row(), select = (label, list) => { const s = field(r, label, mk("select")); opts(s, list); return s; };
    ctl.sizes = field(r, "Sizes", mk("input", { size: 8, autocomplete: "off" }));
    ctl.hidden = select("Hidden", HIDDEN);
    ctl.loss = select("Loss", Object.keys(PAIRS));
    ctl.output = select("Output", []);
    ctl.cls = select("Class", []);
    ctl.fresh = button(r, "New weights", "new");
  }
  const bar = row(), btn = {};
  for (const k of ["Forward", "Backward", "Step", "Train", "Reset"]) btn[k.toLowerCase()] = button(bar, k, k.toLowerCase());
  const lrIn = field(bar, "η", mk("input", { inputmode: "decimal", size: 6, "aria-label": "learning rate η", autocomplete: "off" }));
  const lines = mk("div", { class: "bpx-lines" }, panel); // a message hides the status
  const status = mk("p", { class: "bpx-status", "aria-live": "polite" }, lines);
  const msg = mk("p", { class: "bpx-msg", role: "alert" }, lines);
  const scroll = mk("div", { class: "bpx-scroll" }, panel);
  const plot = mk("svg", { class: "bpx-plot", role: "img", width: 340, height: 120, viewBox: "0 0 340 120" }, panel);
  const editor = mk("input", { class: "bpx-editor", inputmode: "decimal", autocomplete: "off", hidden: "" }, scroll);
  let svg = null, nodes = {};
  const say = (t) => { status.textContent = t; };
  const warn = (t) => { msg.textContent = t || ""; lines.classList.toggle("bpx-warned", !!t); };
  const lossText = () => "𝓛 = " + num(S.v.loss);

  function load(s) {
    S.net = netOf(s); S.x = s.x.slice(); S.y = s.y.slice(); S.lr = s.lr; S.hist = []; S.stage = S.steps = 0;
    lrIn.value = String(S.lr);
    if (ctl.sizes) {
      const n = S.net, L = n.sizes.length - 1;
      ctl.sizes.value = n.sizes.join("-");
      ctl.loss.value = n.loss;
      opts(ctl.output, PAIRS[n.loss]);
      ctl.output.value = last(n.act);
      ctl.hidden.value = L > 1 ? n.act[0] : "relu";
      ctl.hidden.disabled = L < 2;
      opts(ctl.cls, A(n.sizes[L], String), A(n.sizes[L], (k) => String(k + 1)));
      ctl.cls.disabled = n.loss !== "cross_entropy";
      ctl.cls.value = String(Math.max(0, S.y.indexOf(1)));
    }
    build();
  }
  const rnd = (lo, hi, dp) => Number((lo + (hi - lo) * Math.random()).toFixed(dp)) + 0;
  function fromControls(fresh) { // the network the controls ask for (same sizes: same numbers unless fresh)
    const t = ctl.sizes.value.trim().split(/\s*[-–,x×]\s*|\s+/).map(Number), n = S.net;
    if (!(t.length > 1 && t.length < 5 && t.every((k) => k >= 1 && k <= 4 && k % 1 === 0))) {
      ctl.sizes.value = n.sizes.join("-");
      return warn("Sizes refused: 2 to 4 layer sizes from 1 to 4, like 2-3-1.");
    }
    stopAll(); warn("");
    const loss = ctl.loss.value, out = PAIRS[loss].includes(ctl.output.value) ? ctl.output.value : PAIRS[loss][0];
    const L = t.length - 1, o = t[L], lim = (l) => Math.sqrt(6 / (t[l - 1] + t[l])); // Glorot uniform, two decimals
    if (out === "softmax" && o < 2) return warn("Softmax needs 2 or more outputs.");
    const s = { sizes: t, activations: [...Array(L - 1).fill(ctl.hidden.value), out], loss, lr: S.lr,
      W: A(L, (i) => A(t[i], () => A(t[i + 1], () => rnd(-lim(i + 1), lim(i + 1), 2)))),
      b: A(L, (i) => A(t[i + 1], () => rnd(-0.5, 0.5, 1))), x: A(t[0], () => rnd(-1, 1, 1)),
      y: loss === "mse" ? A(o, () => rnd(0, 1, 1)) : loss === "bce" ? A(o, () => +(Math.random() < 0.5)) : A(o, (k) => +!k) };
    if (t.join() === n.sizes.join() && !fresh) {
      Object.assign(s, { W: n.W, b: n.b, x: S.x });
      if (loss === n.loss) s.y = S.y;
    }
    load(s);
    say(`${t.join("-")} network: ${s.activations.join(", ")}, ${NAME[loss]}.`);
  }
  const compute = () => { S.v = evaluate(S.net, S.x, S.y); };
  const finite = () => isFinite(S.v.loss) && S.v.delta.every((d) => !d || d.every(isFinite));

  // Layout: a column per layer; before each unit its incoming weights ("ports"), each over its
  // gradient. Wide: ports left of the unit; narrow (phone): above it.
  function geometry(sz, wide) {
    const L = sz.length - 1, boxH = (l) => (l === 0 ? 1 : l === L ? 5 : 4) * ROW + 8, portsH = (l) => (l ? sz[l - 1] * ROW * 2 : 0);
    const block = (l) => (wide ? Math.max(portsH(l), boxH(l)) : portsH(l) + boxH(l));
    const D = Math.max(...sz.map((_, l) => block(l))) + GAP, tall = Math.max(...sz) * D - GAP, cols = [];
    let x = 2;
    sz.forEach((size, l) => {
      if (l) x += 18 + 9 * (Math.max(sz[l - 1], size) - 1) + (wide ? PW + 2 : 0);
      const h = block(l), y0 = (tall - size * D + D - h) / 2; // blocks centred in their slots
      cols.push(A(size, (k) => {
        const t = y0 + k * D;
        return { x, t, b: t + h, y: wide ? t + (h - boxH(l)) / 2 : t + portsH(l), h: boxH(l), px: wide ? x - PW - 2 : x, py: wide ? t + (h - portsH(l)) / 2 : t };
      }));
      x += UW;
    });
    const us = cols.flat(), lo = Math.min(...us.map((u) => u.t)) - TOP; // no empty band above or below
    us.forEach((u) => { u.y -= lo; u.py -= lo; });
    return { cols, w: x + 2, h: Math.max(...us.map((u) => u.b)) - lo + 4 };
  }
  const fitsWide = () => (geometry(S.net.sizes, true).w * MIN) / FONT <= (scroll.clientWidth || 700);
  function build() {
    stopAnim();
    const n = S.net, L = n.sizes.length - 1, G = geometry(n.sizes, (S.wide = fitsWide()));
    if (svg) svg.remove();
    nodes = {};
    svg = mk("svg", { class: "bpx-net", width: G.w, height: G.h, viewBox: `0 0 ${G.w} ${G.h}`, role: "group",
      "aria-label": `Network ${n.sizes.join("-")}: ${n.act.join(", ")}, ${NAME[n.loss]}` });
    Object.assign(svg.style, { minWidth: Math.ceil((G.w * MIN) / FONT) + "px", maxWidth: G.w + "px" });
    scroll.prepend(svg);
    const edges = mk("g", {}, svg);
    const value = (g, key, x, y, w, label) => { // right-aligned at x, at most w wide; editable if labelled
      if (label) {
        g = mk("g", { class: "bpx-num", tabindex: 0, role: "button", "data-edit": key }, g);
        mk("rect", { x: x - w, y: y - 13, width: w, height: ROW - 2, rx: 3 }, g);
        g.bpxLabel = label;
      }
      return (nodes[key] = mk("text", { x: x - 3, y, class: "bpx-val", "data-key": key, "data-w": w - 5 }, g));
    };
    G.cols.forEach((col, l) => {
      mk("text", { x: col[0].x + UW / 2, y: 14, class: "bpx-head" }, svg, l === 0 ? "input" : l === L ? "output" : `hidden ${l}`);
      col.forEach((u, k) => {
        const g = mk("g", { class: "bpx-unit", "data-unit": `${l}-${k}` }, svg), K = sub(k + 1);
        mk("rect", { x: u.x, y: u.y, width: UW, height: u.h, rx: 6, class: "bpx-box" }, g);
        const rows = l === 0 ? [["x" + K, `a-0-${k}`, `input x${K}`]]
          : [["b", `b-${l}-${k}`, `bias b${sup(l)}${K}`], ["z", `z-${l}-${k}`], [l === L ? "ŷ" : "a", `a-${l}-${k}`],
            ...(l === L ? [["y", `y-${k}`, `target y${K}`]] : []), ["δ", `d-${l}-${k}`]];
        rows.forEach(([lab, key, label], r) => {
          const y = u.y + 17 + r * ROW;
          mk("text", { x: u.x + 5, y, class: "bpx-lab" }, g, lab);
          value(g, key, u.x + UW - 3, y, UW - 24, label);
          if (key[0] === "a") u.ay = y - 4;
        });
        for (let j = 0; l && j < n.sizes[l - 1]; j++) {
          const py = u.py + j * 2 * ROW, src = G.cols[l - 1][j], p = mk("g", { class: "bpx-port", "data-unit": `${l}-${k}` }, svg);
          mk("line", { x1: src.x + UW, y1: src.ay, x2: u.px, y2: py + ROW / 2, "data-key": `e-${l}-${j}-${k}`, class: "bpx-edge" }, edges);
          value(p, `w-${l}-${j}-${k}`, u.px + PW, py + 13, PW, `weight w${sup(l)}${sub(j + 1)}${K}`);
          mk("text", { x: u.px + 2, y: py + ROW + 13, class: "bpx-lab bpx-grad" }, p, "∂");
          value(p, `g-${l}-${j}-${k}`, u.px + PW, py + ROW + 13, PW - 11).classList.add("bpx-grad");
        }
      });
    });
    compute();
    paint();
  }
  const show = (sel, on) => svg.querySelectorAll(sel).forEach((t) => t.classList.toggle("bpx-off", !on));
  function reveal(stage) { // 0: parameters and data; 1: and every z, a; 2: and every delta, gradient
    S.stage = stage;
    show('[data-key^="z-"], [data-key^="a-"]:not([data-key^="a-0-"])', stage >= 1);
    show('[data-key^="d-"], .bpx-grad', stage >= 2); // .bpx-grad: each gradient and its ∂
  }
  function set(key, v) {
    const t = nodes[key], g = t.parentNode, text = num(v);
    if (t.textContent === text) return;
    t.textContent = text;
    t.removeAttribute("textLength");
    if (text.length > 6 && t.getComputedTextLength() > t.dataset.w) t.setAttribute("textLength", t.dataset.w), t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    if (g.bpxLabel) g.setAttribute("aria-label", `${g.bpxLabel} = ${text}; Enter to edit`);
  }
  function paint() {
    const n = S.net, v = S.v;
    S.x.forEach((x, k) => set(`a-0-${k}`, x));
    S.y.forEach((y, k) => set(`y-${k}`, y));
    n.b.forEach((bl, i) => {
      const l = i + 1;
      bl.forEach((b, k) => { set(`b-${l}-${k}`, b); set(`z-${l}-${k}`, v.z[l][k]); set(`a-${l}-${k}`, v.a[l][k]); set(`d-${l}-${k}`, v.delta[l][k]); });
      n.W[i].forEach((r, j) => r.forEach((w, k) => {
        set(`w-${l}-${j}-${k}`, w); set(`g-${l}-${j}-${k}`, v.gW[i][j][k]);
        const e = svg.querySelector(`[data-key="e-${l}-${j}-${k}"]`);
        e.style.strokeWidth = (0.75 + Math.min(Math.abs(w), 3)).toFixed(2);
        e.classList.toggle("bpx-neg", w < 0);
      }));
    });
    reveal(S.stage);
    drawPlot();
  }
  function drawPlot() { // the loss after each step, from 0 to its largest value
    const h = S.hist, top = Math.max(0, ...h.filter(isFinite)) || 1, n = Math.max(h.length - 1, 1);
    const X = (i) => (46 + (286 * i) / n).toFixed(1), Y = (v) => (92 - (82 * Math.min(v, top)) / top).toFixed(1);
    plot.replaceChildren();
    mk("polyline", { class: "bpx-axis", points: "46,10 46,92 332,92" }, plot);
    for (const [x, y, t, anchor] of [[42, 96, "0", "end"], [42, 19, num(top, 2), "end"], [189, 114, h.length > 1 ? `step 0 to ${h.length - 1}` : "step", "middle"], [4, 54, "𝓛"]]) {
      mk("text", { x, y, "text-anchor": anchor }, plot, t);
    }
    if (h.length) mk("polyline", { class: "bpx-curve", points: h.map((v, i) => X(i) + "," + Y(v)).join(" ") }, plot);
    plot.setAttribute("aria-label", h.length ? `Loss curve: ${num(h[0])} at the start, ${num(last(h))} after ${h.length - 1} steps` : "Loss curve: no step yet");
  }
  const record = () => { if (!S.hist.length) S.hist.push(S.v.loss); };
  const highlight = (sel, on) => svg.querySelectorAll(sel).forEach((n) => n.classList.toggle("bpx-on", on));
  const animate = (steps, done) => { // steps: [delay, fn]; none if the reader asks for less motion
    if (reduced()) return done();
    root.dataset.busy = "1";
    let t = 0;
    steps.forEach(([dt, fn]) => later(fn, (t += dt)));
    later(done, t);
  };

  // -- buttons
  function forward(then) {
    stopAll(); warn("");
    if (!finite()) return warn("The loss is not finite: change a number, or press Reset.");
    record();
    const n = S.net, L = n.sizes.length - 1, steps = [];
    for (let l = 1; l <= L; l++) for (let k = 0; k < n.sizes[l]; k++) {
      const on = `[data-unit="${l}-${k}"], [data-key^="e-${l}-"][data-key$="-${k}"]`;
      steps.push([DT, () => { highlight(on, true); show(`[data-key="z-${l}-${k}"]`, true); }],
        [DT, () => show(`[data-key="a-${l}-${k}"]`, true)], [DT / 2, () => highlight(on, false)]);
    }
    reveal(0);
    say("Forward pass…");
    animate(steps, () => {
      reveal(1); root.dataset.busy = "";
      say(`Forward pass: ŷ = ${S.v.a[L].map((v) => num(v)).join(", ")}; ${lossText()}.`);
      drawPlot();
      if (then) then();
    });
  }
  function backward() {
    if (S.stage < 1) return forward(backward);
    stopAll(); warn(""); reveal(1);
    const steps = [];
    for (let l = S.net.sizes.length - 1; l >= 1; l--) {
      const on = `[data-unit^="${l}-"], [data-key^="e-${l}-"]`;
      steps.push([DT, () => { highlight(on, true); show(`[data-key^="d-${l}-"], [data-unit^="${l}-"] .bpx-grad`, true); }], [2 * DT, () => highlight(on, false)]);
    }
    say("Backward pass…");
    animate(steps, () => { reveal(2); root.dataset.busy = ""; say(`Backward pass: every δ and ∂𝓛/∂w; ${lossText()}.`); });
  }
  function step(quiet) {
    stopAnim();
    if (!finite()) { stopTrain(); return warn("The loss is not finite: press Reset, or lower η."); }
    record();
    const before = S.v.loss;
    S.net = stepped(S.net, S.v, S.lr);
    compute();
    S.steps += 1;
    if (S.hist.length < MAXH) S.hist.push(S.v.loss);
    S.stage = 1;
    paint();
    if (!isFinite(S.v.loss)) { stopTrain(); warn(`The loss became ${num(S.v.loss)} at step ${S.steps}: η = ${num(S.lr)} is too large. Press Reset.`); }
    else if (!quiet) say(`Step ${S.steps} with η = ${num(S.lr)}: 𝓛 went from ${num(before)} to ${num(S.v.loss)}.`);
  }
  function stopTrain() {
    if (!S.train) return;
    clearInterval(S.train); S.train = null; pressed(false);
    say(`Stopped at step ${S.steps}: ${lossText()}.`);
  }
  function train() {
    if (S.train) return stopTrain();
    stopAnim(); warn("");
    pressed(true);
    S.train = setInterval(() => {
      if (!root.isConnected) return destroy();
      step(true);
      if (S.hist.length >= MAXH) stopTrain();
      else if (S.train) say(`Training: step ${S.steps}, ${lossText()}.`);
    }, 40);
  }
  const stopAll = () => { stopAnim(); stopTrain(); };
  const pressed = (on) => { btn.train.textContent = on ? "Stop" : "Train"; btn.train.setAttribute("aria-pressed", on); };
  btn.forward.onclick = () => forward();
  btn.backward.onclick = backward;
  btn.step.onclick = () => { stopTrain(); step(false); };
  btn.train.onclick = train;
  btn.reset.onclick = () => { stopAll(); warn(""); load(spec); say("Starting numbers restored."); };
  lrIn.onchange = () => {
    const p = parse(lrIn.value), bad = p.err || (p.v > 0 && p.v <= 100 ? "" : "it must be above 0 and at most 100");
    if (bad) warn(`η refused: ${bad}. It stays ${num(S.lr)}.`);
    else { warn(""); S.lr = p.v; say(`Learning rate η = ${num(S.lr)}.`); }
    lrIn.value = String(S.lr);
  };
  if (ctl.sizes) {
    ctl.sizes.onchange = ctl.hidden.onchange = ctl.output.onchange = ctl.loss.onchange = () => fromControls(false);
    ctl.fresh.onclick = () => fromControls(true);
    ctl.cls.onchange = () => { S.y = S.y.map((_, k) => +(k === +ctl.cls.value)); changed(`Target: class ${+ctl.cls.value + 1}.`); };
  }
  function changed(text) { // a number changed: recompute, show the same stage, start a new loss curve
    stopAll(); S.hist = []; compute(); paint();
    say(`${text} ${S.stage ? lossText() + "." : "Press Forward."}`);
  }

  // -- editing a number in place
  let editing = null;
  const where = (key) => { // [array, index] holding the number of `key`
    const p = key.split("-").map(Number);
    return key[0] === "w" ? [S.net.W[p[1] - 1][p[2]], p[3]] : key[0] === "b" ? [S.net.b[p[1] - 1], p[2]] : key[0] === "a" ? [S.x, p[2]] : [S.y, p[1]];
  };
  function check(key, v) { // why v is refused, or ""
    if (!(Math.abs(v) <= LIMIT)) return `use a number from −${LIMIT} to ${LIMIT}`;
    const loss = S.net.loss, y = S.y.slice();
    if (key[0] !== "y") return "";
    if (loss === "bce" && !(v >= 0 && v <= 1)) return "a bce target lies between 0 and 1";
    y[where(key)[1]] = v;
    if (loss === "cross_entropy" && (v < 0 || Math.abs(sum(y) - 1) > 1e-6)) {
      return `cross-entropy targets must sum to 1 (these: ${num(sum(y))})${ctl.cls ? "; choose a class instead" : ""}`;
    }
    return "";
  }
  function edit(g) {
    stopAll();
    const [arr, i] = where(g.dataset.edit), r = g.firstChild.getBoundingClientRect(), c = scroll.getBoundingClientRect();
    editing = g;
    editor.hidden = false;
    Object.assign(editor.style, { left: r.left - c.left + scroll.scrollLeft + "px", top: r.top - c.top + "px", width: Math.max(r.width, 64) + "px", height: r.height + 2 + "px" });
    editor.value = String(arr[i]);
    editor.setAttribute("aria-label", `new value of ${g.bpxLabel}`);
    editor.removeAttribute("aria-invalid");
    editor.focus();
    editor.select();
  }
  function finish(how) { // how: "enter", "escape" or "blur"
    const g = editing;
    if (!g) return;
    if (how !== "escape") {
      const p = parse(editor.value), bad = p.err || check(g.dataset.edit, p.v);
      if (bad) {
        editor.setAttribute("aria-invalid", "true");
        warn(`${g.bpxLabel}: ${bad}. ${how === "blur" ? "Not changed." : "Correct it, or press Escape."}`);
        if (how === "enter") return;
      } else {
        const [arr, i] = where(g.dataset.edit);
        warn("");
        if (p.v !== arr[i]) { arr[i] = p.v + 0; if (ctl.cls) ctl.cls.value = String(Math.max(0, S.y.indexOf(1))); changed(`${g.bpxLabel} = ${num(p.v)}.`); }
      }
    } else warn("");
    editing = null;
    editor.hidden = true;
    if (how !== "blur") g.focus();
  }
  editor.onkeydown = (e) => {
    if (e.key === "Enter" || e.key === "Escape") { e.preventDefault(); finish(e.key.toLowerCase()); }
  };
  editor.onblur = () => finish("blur");
  const numOf = (e) => e.target.closest(".bpx-num");
  scroll.onclick = (e) => { if (numOf(e)) edit(numOf(e)); };
  scroll.onkeydown = (e) => {
    if (numOf(e) && ["Enter", " ", "F2"].includes(e.key)) { e.preventDefault(); edit(numOf(e)); }
  };

  // rebuild (same numbers, same stage) when the width crosses between the wide and the narrow layout
  const ro = new ResizeObserver(() => { if (!S.dead && !editing && fitsWide() !== S.wide) { const st = S.stage; build(); reveal(st); } });
  ro.observe(scroll);
  function destroy() {
    if (S.dead) return;
    S.dead = true; stopAll(); ro.disconnect();
    instances.splice(instances.indexOf(api), 1);
  }
  const api = { root, destroy, state: () => Object.assign({ x: S.x, y: S.y, lr: S.lr, hist: S.hist, stage: S.stage, steps: S.steps,
    wide: S.wide, training: !!S.train, timers: S.timers.size }, S.net) }; // for the tests
  instances.push(api);
  load(spec);
  say("Press Forward to run the network.");
}

// Material's instant navigation swaps pages without reloading: on each page, drop the explorers
// that left the document (their timers stop with them) and start the new ones, once each.
function scan() {
  instances.slice().forEach((x) => x.root.isConnected || x.destroy());
  document.querySelectorAll(".bpx:not([data-bpx-ready])").forEach((root) => {
    try { Explorer(root); } catch (err) { console.error("explorer:", err); }
  });
}
window.bpExplorer = { compute, evaluate, num, parse, PAIRS, HIDDEN, instances };
if (window.document$) document$.subscribe(scan);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
else scan();
})();
