// First paint of the results page's scatter with many points, in headless Chromium: the app's own scatter.js
// (createScatter) draws N points in 20 clusters plus noise, from the compact JSON the scatter endpoint sends.
// Prints, per run, JSON.parse of the payload, createScatter (bounds, pixels, putImageData) and the time until the
// browser has painted the frame (two animation frames later); then, zoomed in 4x, a wheel step's time to the painted
// frame and one repaint (what every wheel or drag frame costs, zoomed and with every point in view), and a lasso over the middle of the plot (selection
// and repaint); then the medians and the load average.
//   node rest/src/test/e2e/scatter-paint.bench.mjs [points=100000] [runs=5]
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const n = Number(process.argv[2] || 100_000);
const runs = Number(process.argv[3] || 5);
const source = readFileSync(new URL("../../main/webapp/src/scatter.js", import.meta.url), "utf8").replace(/^export /gm, "");
const profile = mkdtempSync(join(tmpdir(), "humpback-bench-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] || await context.newPage();
  await page.setContent("<body style='margin:0'><div id='host' style='width:900px'></div></body>");
  await page.addScriptTag({ content: source });
  const results = [];
  for (let r = 0; r < runs; r++) {
    results.push(await page.evaluate(async (count) => {
      // A payload shaped like GET /clustering/jobs/{id}/scatter: 20 Gaussian blobs and 10 % noise.
      let seed = 12345;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
      const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      const x = [], y = [], cluster = [];
      for (let i = 0; i < count; i++) {
        const c = rnd() < 0.1 ? -1 : Math.floor(rnd() * 20);
        const cx = c < 0 ? 0 : Math.cos(c) * 10, cy = c < 0 ? 0 : Math.sin(c * 1.7) * 10;
        x.push(Number((cx + gauss() * (c < 0 ? 8 : 1)).toFixed(4)));
        y.push(Number((cy + gauss() * (c < 0 ? 8 : 1)).toFixed(4)));
        cluster.push(c);
      }
      const text = JSON.stringify({ count, has_xy: true, x, y, cluster });
      const t0 = performance.now();
      const s = JSON.parse(text);
      const t1 = performance.now();
      const scatter = createScatter(document.getElementById("host"), { x: s.x, y: s.y, cluster: s.cluster }, {});
      const t2 = performance.now();
      const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      await frames();
      const t3 = performance.now();
      // Zoom: one wheel step at the centre (e^0.2) to 4x, then the repaint each further wheel or drag frame costs.
      const marks = document.querySelector("canvas.scatter-marks");
      const r = marks.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      scatter.zoom(4 / Math.exp(0.2));
      const t4 = performance.now();
      marks.dispatchEvent(new WheelEvent("wheel", { deltaY: -100, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
      await frames();
      const t5 = performance.now();
      const redraw = scatter.repaint();
      scatter.resetView();
      await frames();
      // A pan frame over the whole plot: every point repainted.
      const redrawAll = scatter.repaint();
      // Lasso: a 10-point star over the middle of the plot, drawn as mouse events (about 200 of them); the time from
      // releasing the mouse to the selection being known (its list handed on), then to the repainted frame.
      let selected = -1;
      scatter.setMode("lasso");
      const ev = (type, x, y) => new MouseEvent(type, { clientX: x, clientY: y, button: 0, bubbles: true, cancelable: true });
      marks.dispatchEvent(ev("mousedown", cx + 0.4 * r.height, cy));
      for (let j = 1; j <= 200; j++) {
        const a = (j / 200) * 2 * Math.PI, rad = (Math.floor(j / 10) % 2 ? 0.15 : 0.4) * r.height;
        window.dispatchEvent(ev("mousemove", cx + rad * Math.cos(a), cy + rad * Math.sin(a)));
      }
      const t6 = performance.now();
      window.dispatchEvent(ev("mouseup", cx + 0.4 * r.height, cy));
      const t7 = performance.now();
      selected = scatter.selection().length;
      await frames();
      const t8 = performance.now();
      scatter.dispose();
      return { parse: t1 - t0, draw: t2 - t1, painted: t3 - t0, payloadMb: text.length / 1e6, drawn: scatter.count,
        wheel: t5 - t4, redraw, redrawAll, lasso: t7 - t6, lassoPainted: t8 - t6, selected };
    }, n));
  }
  const median = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  console.log(`scatter first paint in Chromium, ${n.toLocaleString("en")} points (${results[0].payloadMb.toFixed(1)} MB JSON), ${runs} runs:`);
  for (const [i, r] of results.entries()) {
    console.log(`  run ${i + 1}: JSON.parse ${r.parse.toFixed(1)} ms, draw ${r.draw.toFixed(1)} ms, painted after ${r.painted.toFixed(1)} ms (${r.drawn} points);`
      + ` wheel to painted frame ${r.wheel.toFixed(1)} ms, repaint at 4x ${r.redraw.toFixed(1)} ms, at 1x ${r.redrawAll.toFixed(1)} ms;`
      + ` lasso ${r.lasso.toFixed(1)} ms (${r.selected} selected), painted ${r.lassoPainted.toFixed(1)} ms`);
  }
  console.log(`  median: JSON.parse ${median("parse").toFixed(1)} ms, draw ${median("draw").toFixed(1)} ms, first paint ${median("painted").toFixed(1)} ms`);
  console.log(`  median zoom/pan: wheel to painted frame ${median("wheel").toFixed(1)} ms; a repaint (each wheel or drag frame)`
    + ` ${median("redraw").toFixed(1)} ms at 4x, ${median("redrawAll").toFixed(1)} ms with every point in view`
    + ` (${(1000 / median("redrawAll")).toFixed(0)} frames/s)`);
  console.log(`  median lasso around ${results[0].selected.toLocaleString("en")} of the points: selection ${median("lasso").toFixed(1)} ms,`
    + ` to the painted selection ${median("lassoPainted").toFixed(1)} ms`);
  console.log(`  load average: ${loadavg().map((v) => v.toFixed(2)).join(" ")} (${cpus().length} cores)`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
