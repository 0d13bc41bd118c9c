// A 2-D scatter of many points on a canvas: points are written straight into an ImageData buffer (a small square
// each, in device pixels), which paints 100k points in milliseconds, so zooming (wheel) and panning (drag) simply
// repaint every frame. A grid index over the drawn positions answers hover and click. Dragging in box or lasso mode
// selects the points inside (Shift adds to the selection); selected points keep their colour and the others fade.
// Marks (hover, picked point, the box or lasso being drawn) go on a second canvas on top.

const NOISE = [150, 150, 150];
// Tableau-20-like colours, strong ones first.
const PALETTE = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194],
  [188, 189, 34], [23, 190, 207], [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150],
  [197, 176, 213], [196, 156, 148], [247, 182, 210], [219, 219, 141], [158, 218, 229], [57, 59, 121], [99, 121, 57],
];
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 2000;

export function clusterColor(label) {
  return label < 0 ? NOISE : PALETTE[label % PALETTE.length];
}

export function cssColor(label) {
  const [r, g, b] = clusterColor(label);
  return `rgb(${r},${g},${b})`;
}

/** Little-endian ABGR pixel words of every colour, full and faded (mixed 80 % towards white), noise at index 0. */
function colourWords() {
  const full = new Uint32Array(PALETTE.length + 1);
  const faded = new Uint32Array(PALETTE.length + 1);
  const word = (r, g, b) => (255 << 24 | b << 16 | g << 8 | r) >>> 0;
  const fade = (v) => Math.round(v + (255 - v) * 0.8);
  for (let c = -1; c < PALETTE.length; c++) {
    const [r, g, b] = clusterColor(c);
    full[c + 1] = word(r, g, b);
    faded[c + 1] = word(fade(r), fade(g), fade(b));
  }
  return { full, faded };
}

/**
 * A scatter in `host` over points {x, y, cluster} (typed arrays or arrays, n long). Callbacks: onHover(i | -1, event),
 * onPick(i), onSelect(indices) (after a box or lasso, or when the selection is cleared: then with no indices).
 */
export function createScatter(host, points, callbacks) {
  const n = points.x.length;
  const dpr = window.devicePixelRatio || 1;
  const cssW = Math.max(300, host.clientWidth || 600);
  const cssH = Math.round(Math.min(cssW, 640) * 0.85);
  const base = document.createElement("canvas");
  const marks = document.createElement("canvas");
  for (const c of [base, marks]) {
    c.width = Math.round(cssW * dpr);
    c.height = Math.round(cssH * dpr);
    c.style.width = `${cssW}px`;
    c.style.height = `${cssH}px`;
  }
  base.id = "scatter";
  base.className = "scatter-base";
  marks.className = "scatter-marks";
  const wrap = document.createElement("div");
  wrap.className = "scatter-wrap";
  wrap.style.width = `${cssW}px`;
  wrap.style.height = `${cssH}px`;
  wrap.append(base, marks);

  // The tool bar: what a drag does, and the way back to the whole plot.
  let mode = "pan";
  const tools = document.createElement("div");
  tools.className = "scatter-tools row";
  const toolButtons = [["pan", "✥ Pan", "drag moves the plot"], ["box", "▭ Box", "drag a box to select"],
    ["lasso", "◌ Lasso", "draw around points to select"]].map(([m, label, title]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `scatter-tool tool-${m}`;
    b.dataset.mode = m;
    b.title = `${title} (Shift adds to the selection)`;
    b.textContent = label;
    b.addEventListener("click", () => setMode(m));
    return b;
  });
  const reset = document.createElement("button");
  reset.type = "button";
  reset.className = "scatter-reset";
  reset.textContent = "Reset view";
  reset.title = "show every point again (wheel zooms, drag pans)";
  reset.addEventListener("click", () => resetView());
  const hint = document.createElement("span");
  hint.className = "muted";
  hint.textContent = "wheel: zoom · click: play a window";
  tools.append(...toolButtons, reset, hint);
  host.replaceChildren(tools, wrap);

  const t0 = performance.now();
  // Data bounds with a margin, the same scale on both axes so distances look right.
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points.x[i], y = points.y[i];
    if (x < minX) minX = x; if (x > maxX) maxX = x;
    if (y < minY) minY = y; if (y > maxY) maxY = y;
  }
  if (!(maxX > minX)) { minX -= 1; maxX += 1; }
  if (!(maxY > minY)) { minY -= 1; maxY += 1; }
  const W = base.width, H = base.height, pad = 8 * dpr;
  const scale = Math.min((W - 2 * pad) / (maxX - minX), (H - 2 * pad) / (maxY - minY));
  const offX = (W - scale * (maxX - minX)) / 2, offY = (H - scale * (maxY - minY)) / 2;
  // Where each point sits in the whole-plot view (device pixels); the view is zoom k and shift (tx, ty) on top.
  const fx = new Float32Array(n), fy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    fx[i] = offX + (points.x[i] - minX) * scale;
    fy[i] = H - (offY + (points.y[i] - minY) * scale);
  }
  let k = 1, tx = 0, ty = 0;
  const px = new Float32Array(n), py = new Float32Array(n);

  const ctx = base.getContext("2d");
  const img = ctx.createImageData(W, H);
  const buf = new Uint32Array(img.data.buffer);
  const { full, faded } = colourWords();
  const selected = new Uint8Array(n);
  let selectedCount = 0;
  // Larger dots while there are few points; 2 px keeps 100k points apart. Zooming in grows them a little.
  const baseSize = (n < 2000 ? 5 : n < 20000 ? 3 : 2) * dpr;
  let indexStale = true;

  /** Repaints every point at the current view: noise under clusters, faded (unselected) under selected. */
  function paint() {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      px[i] = fx[i] * k + tx;
      py[i] = fy[i] * k + ty;
    }
    buf.fill(0xffffffff);
    const size = Math.max(2, Math.round(baseSize * Math.min(2.5, Math.max(1, Math.pow(k, 0.3)))));
    const half = size / 2;
    const layers = selectedCount ? 4 : 2;
    for (let layer = 0; layer < layers; layer++) {
      const wantSelected = layer >= 2 ? 1 : 0, wantNoise = layer % 2 === 0;
      const words = selectedCount && !wantSelected ? faded : full;
      for (let i = 0; i < n; i++) {
        const c = points.cluster[i];
        if ((c < 0) !== wantNoise || (selectedCount && selected[i] !== wantSelected)) continue;
        const x0 = Math.round(px[i] - half), y0 = Math.round(py[i] - half);
        if (x0 >= W || y0 >= H || x0 + size <= 0 || y0 + size <= 0) continue;
        const w = words[c < 0 ? 0 : (c % PALETTE.length) + 1];
        const xa = Math.max(0, x0), xb = Math.min(W, x0 + size), yb = Math.min(H, y0 + size);
        for (let y = Math.max(0, y0); y < yb; y++) {
          const row = y * W;
          for (let x = xa; x < xb; x++) buf[row + x] = w;
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    indexStale = true;
    const ms = performance.now() - started;
    base.dataset.zoom = k.toFixed(3);
    base.dataset.selected = String(selectedCount);
    base.dataset.lastPaintMs = ms.toFixed(1);
    return ms;
  }

  paint();
  const paintMs = performance.now() - t0;
  base.dataset.points = String(n);
  base.dataset.paintMs = paintMs.toFixed(1);

  // Grid index over the drawn positions, for hover and click; rebuilt on first use after a repaint.
  const cell = 12 * dpr;
  const gw = Math.ceil(W / cell), gh = Math.ceil(H / cell);
  const counts = new Int32Array(gw * gh + 1);
  const order = new Int32Array(n);
  const cellOf = new Int32Array(n);
  function buildIndex() {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const x = px[i], y = py[i];
      // Points outside the canvas are not indexed (-1): they cannot be hovered.
      cellOf[i] = x < 0 || y < 0 || x >= W || y >= H ? -1 : Math.floor(y / cell) * gw + Math.floor(x / cell);
      if (cellOf[i] >= 0) counts[cellOf[i] + 1]++;
    }
    for (let c = 0; c < gw * gh; c++) counts[c + 1] += counts[c];
    const fillAt = counts.slice(0, gw * gh);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) order[fillAt[cellOf[i]]++] = i;
    indexStale = false;
  }

  function nearest(dx, dy, radius) {
    if (indexStale) buildIndex();
    let best = -1, bestD = radius * radius;
    const cx = Math.floor(dx / cell), cy = Math.floor(dy / cell);
    for (let gy = cy - 1; gy <= cy + 1; gy++) {
      if (gy < 0 || gy >= gh) continue;
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        if (gx < 0 || gx >= gw) continue;
        const c = gy * gw + gx;
        for (let j = counts[c]; j < counts[c + 1]; j++) {
          const i = order[j];
          const d = (px[i] - dx) ** 2 + (py[i] - dy) ** 2;
          // Later points were painted on top: prefer them on ties.
          if (d < bestD || (d === bestD && i > best)) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  const mctx = marks.getContext("2d");
  let picked = -1, hover = -1;
  let box = null; // {x0, y0, x1, y1} while a box is dragged
  let lasso = null; // {xs, ys} while a lasso is drawn
  function drawMarks() {
    mctx.clearRect(0, 0, W, H);
    mctx.lineWidth = 2 * dpr;
    for (const [i, color] of [[hover, "#333"], [picked, "#000"]]) {
      if (i < 0) continue;
      mctx.strokeStyle = color;
      mctx.beginPath();
      mctx.arc(px[i], py[i], (i === picked ? 7 : 5) * dpr, 0, Math.PI * 2);
      mctx.stroke();
    }
    mctx.strokeStyle = "#222";
    mctx.setLineDash([4 * dpr, 3 * dpr]);
    if (box) mctx.strokeRect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    if (lasso && lasso.xs.length > 1) {
      mctx.fillStyle = "rgba(11, 106, 162, 0.08)";
      mctx.beginPath();
      mctx.moveTo(lasso.xs[0], lasso.ys[0]);
      for (let j = 1; j < lasso.xs.length; j++) mctx.lineTo(lasso.xs[j], lasso.ys[j]);
      mctx.closePath();
      mctx.fill();
      mctx.stroke();
    }
    mctx.setLineDash([]);
  }

  // Repaints are coalesced to one per animation frame (a wheel sends many events per frame).
  let frame = 0;
  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; paint(); drawMarks(); });
  }

  function setView(nk, ntx, nty) {
    k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, nk));
    tx = ntx;
    ty = nty;
    schedule();
  }

  /** Zoom by `factor` keeping the device point (cx, cy) where it is. */
  function zoomAt(cx, cy, factor) {
    const nk = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * factor));
    const f = nk / k;
    setView(nk, cx - (cx - tx) * f, cy - (cy - ty) * f);
  }

  function resetView() {
    setView(1, 0, 0);
  }

  function setMode(m) {
    mode = m;
    for (const b of toolButtons) b.setAttribute("aria-pressed", String(b.dataset.mode === m));
    marks.style.cursor = m === "pan" ? "grab" : "crosshair";
  }
  setMode("pan");

  /** Replaces the selection with (or adds) the given point indices; repaints and tells onSelect. */
  function select(indices, add) {
    if (!add) selected.fill(0);
    for (const i of indices) selected[i] = 1;
    selectedCount = 0;
    for (let i = 0; i < n; i++) selectedCount += selected[i];
    schedule();
    if (callbacks.onSelect) callbacks.onSelect(selection());
  }

  function selection() {
    const out = [];
    if (selectedCount) for (let i = 0; i < n; i++) if (selected[i]) out.push(i);
    return out;
  }

  const toDevice = (e) => {
    const r = marks.getBoundingClientRect();
    return [(e.clientX - r.left) * dpr, (e.clientY - r.top) * dpr];
  };

  marks.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [x, y] = toDevice(e);
    // Lines or pages (Firefox) count as 16 or 400 pixels; 500 pixels of wheel zoom by e.
    const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    zoomAt(x, y, Math.exp(-delta / 500));
  }, { passive: false });

  let down = null; // {x, y, tx, ty, moved, shift} from mousedown until mouseup
  marks.addEventListener("mousedown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const [x, y] = toDevice(e);
    down = { x, y, tx, ty, moved: false, shift: e.shiftKey };
    box = null;
    lasso = mode === "lasso" ? { xs: [x], ys: [y] } : null;
    if (mode === "pan") marks.style.cursor = "grabbing";
  });
  marks.addEventListener("mousemove", (e) => {
    if (down) return; // the window's handler follows drags
    const [x, y] = toDevice(e);
    const h = nearest(x, y, 8 * dpr);
    if (h !== hover) { hover = h; drawMarks(); }
    if (callbacks.onHover) callbacks.onHover(h, e);
  });
  marks.addEventListener("mouseleave", () => {
    if (down) return;
    hover = -1;
    drawMarks();
    if (callbacks.onHover) callbacks.onHover(-1);
  });
  function onMove(e) {
    if (!down) return;
    const [x, y] = toDevice(e);
    if (!down.moved && Math.abs(x - down.x) <= 4 * dpr && Math.abs(y - down.y) <= 4 * dpr) return;
    down.moved = true;
    if (hover >= 0) { hover = -1; if (callbacks.onHover) callbacks.onHover(-1); }
    if (mode === "pan") {
      setView(k, down.tx + x - down.x, down.ty + y - down.y);
    } else if (mode === "box") {
      box = { x0: Math.min(down.x, x), y0: Math.min(down.y, y), x1: Math.max(down.x, x), y1: Math.max(down.y, y) };
      drawMarks();
    } else {
      const last = lasso.xs.length - 1;
      if (Math.abs(x - lasso.xs[last]) + Math.abs(y - lasso.ys[last]) >= 3 * dpr) {
        lasso.xs.push(x);
        lasso.ys.push(y);
        drawMarks();
      }
    }
  }
  function onUp(e) {
    if (!down) return;
    const [x, y] = toDevice(e);
    const was = down;
    down = null;
    if (mode === "pan") marks.style.cursor = "grab";
    if (!was.moved) {
      lasso = null;
      const i = nearest(x, y, 10 * dpr);
      if (i >= 0) { picked = i; drawMarks(); if (callbacks.onPick) callbacks.onPick(i); }
      return;
    }
    if (mode === "box" && box) {
      const inside = [];
      for (let i = 0; i < n; i++) if (px[i] >= box.x0 && px[i] <= box.x1 && py[i] >= box.y0 && py[i] <= box.y1) inside.push(i);
      box = null;
      select(inside, was.shift);
    } else if (mode === "lasso" && lasso) {
      const { xs, ys } = lasso;
      lasso = null;
      select(xs.length >= 3 ? insideLasso(xs, ys) : [], was.shift);
    }
    drawMarks();
  }
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);

  /**
   * The points drawn inside a lasso (device pixels): the polygon is filled (even-odd) on a canvas over its bounding
   * box, and each point reads its pixel, so 100k points cost one pass whatever the lasso's length.
   */
  function insideLasso(xs, ys) {
    let x0 = W, x1 = 0, y0 = H, y1 = 0;
    for (let j = 0; j < xs.length; j++) {
      x0 = Math.min(x0, xs[j]); x1 = Math.max(x1, xs[j]); y0 = Math.min(y0, ys[j]); y1 = Math.max(y1, ys[j]);
    }
    x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
    x1 = Math.min(W - 1, Math.ceil(x1)); y1 = Math.min(H - 1, Math.ceil(y1));
    if (x1 < x0 || y1 < y0) return [];
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    const mask = document.createElement("canvas");
    mask.width = w;
    mask.height = h;
    const m = mask.getContext("2d", { willReadFrequently: true });
    m.beginPath();
    m.moveTo(xs[0] - x0, ys[0] - y0);
    for (let j = 1; j < xs.length; j++) m.lineTo(xs[j] - x0, ys[j] - y0);
    m.closePath();
    m.fill("evenodd");
    const alpha = m.getImageData(0, 0, w, h).data;
    const inside = [];
    for (let i = 0; i < n; i++) {
      const x = Math.floor(px[i]) - x0, y = Math.floor(py[i]) - y0;
      if (x >= 0 && y >= 0 && x < w && y < h && alpha[(y * w + x) * 4 + 3] >= 128) inside.push(i);
    }
    return inside;
  }

  const api = {
    paintMs,
    count: n,
    /** Where point i is drawn, in CSS pixels relative to the viewport (for tests and keyboard users). */
    screenPosition(i) {
      const r = marks.getBoundingClientRect();
      return { x: r.left + px[i] / dpr, y: r.top + py[i] / dpr };
    },
    pick(i) { picked = i; drawMarks(); },
    /** The selected point indices, ascending. */
    selection,
    select(indices, add = false) { select(indices, add); },
    clearSelection() { select([], false); },
    setMode,
    resetView,
    /** Zooms so that the given points fill the plot (a single point is centred at 20× zoom). */
    zoomTo(indices) {
      if (!indices.length) return;
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (const i of indices) {
        x0 = Math.min(x0, fx[i]); x1 = Math.max(x1, fx[i]); y0 = Math.min(y0, fy[i]); y1 = Math.max(y1, fy[i]);
      }
      const margin = 24 * dpr;
      const nk = Math.min(x1 > x0 ? (W - 2 * margin) / (x1 - x0) : 20, y1 > y0 ? (H - 2 * margin) / (y1 - y0) : 20);
      const kk = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, nk));
      setView(kk, W / 2 - ((x0 + x1) / 2) * kk, H / 2 - ((y0 + y1) / 2) * kk);
    },
    /** Zooms by `factor` around the plot's centre (or the CSS point (x, y) relative to the viewport). */
    zoom(factor, x, y) {
      const r = marks.getBoundingClientRect();
      zoomAt(x === undefined ? W / 2 : (x - r.left) * dpr, y === undefined ? H / 2 : (y - r.top) * dpr, factor);
    },
    /** Repaints now at the current view; the time taken in ms (the benchmark's redraw figure). */
    repaint() { const ms = paint(); drawMarks(); return ms; },
    /** Whether the point is inside the drawn area at the current view. */
    visible(i) { return px[i] >= 0 && py[i] >= 0 && px[i] < W && py[i] < H; },
    view() { return { zoom: k, tx, ty }; },
    dispose() {
      cancelAnimationFrame(frame);
      window.removeEventListener("mousemove", onMove);
      window.removeEventListener("mouseup", onUp);
    },
  };
  base.__scatter = api;
  return api;
}
