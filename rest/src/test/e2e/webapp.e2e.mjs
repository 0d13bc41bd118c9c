// End-to-end test of the web app in headless Chromium (Debian's chromium, driven by playwright-core): upload two
// recordings, encode them, cluster them and open the results, all through the page; then check the scatter, click a
// point (its audio and spectrogram load), "find similar" (the window itself comes first), zoom and pan, a lasso and a
// box selection and what a selection offers (similar windows, Raven and CSV exports, zoom to it, clear).
//
// Run by BrowserEndToEndTest (mvn verify), which starts the server and passes:
//   BASE_URL, AUDIO_FILES (paths joined by the platform's path separator), CHROMIUM, SCREENSHOTS (a folder).
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const BASE = process.env.BASE_URL;
const FILES = (process.env.AUDIO_FILES || "").split(delimiter).filter(Boolean);
const SHOTS = process.env.SCREENSHOTS || "target/e2e";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 240_000);

if (!BASE || FILES.length !== 2) {
  console.error("usage: BASE_URL=... AUDIO_FILES=a<sep>b node webapp.e2e.mjs");
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

let failures = 0;
let passed = 0;
function check(ok, what) {
  if (ok) { passed++; console.log(`ok - ${what}`); } else { failures++; console.log(`not ok - ${what}`); }
  return ok;
}

const profile = mkdtempSync(join(tmpdir(), "humpback-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1500, height: 1100 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(STEP_TIMEOUT);
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Presses the mouse at the first point, moves through the others (in small steps), releases at the last. */
async function drawPath(path) {
  let moves = 0;
  await page.mouse.move(path[0].x, path[0].y);
  await page.mouse.down();
  for (const p of [...path.slice(1), path.length > 2 ? path[0] : null].filter(Boolean)) {
    await page.mouse.move(p.x, p.y, { steps: 8 });
    moves += 8;
  }
  await page.mouse.up();
  return moves;
}

/** Which points lie inside the polygon for sure, and which outside for sure (4 px or more from every edge). */
function classify(points, poly) {
  const inside = [], outside = new Set();
  points.forEach((p, i) => {
    let odd = false, edge = Infinity;
    for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
      const A = poly[a], B = poly[b];
      if ((A.y > p.y) !== (B.y > p.y) && p.x < ((B.x - A.x) * (p.y - A.y)) / (B.y - A.y) + A.x) odd = !odd;
      const t = Math.max(0, Math.min(1, ((p.x - A.x) * (B.x - A.x) + (p.y - A.y) * (B.y - A.y)) / ((B.x - A.x) ** 2 + (B.y - A.y) ** 2)));
      edge = Math.min(edge, Math.hypot(p.x - A.x - t * (B.x - A.x), p.y - A.y - t * (B.y - A.y)));
    }
    if (edge >= 4) { if (odd) inside.push(i); else outside.add(i); }
  });
  return { inside, outside };
}

/** The scatter's selected point indices, once its repaint shows them. */
async function selection() {
  await page.waitForFunction(() => {
    const c = document.querySelector("canvas#scatter");
    return Number(c.dataset.selected) === c.__scatter.selection().length;
  });
  return page.evaluate(() => document.querySelector("canvas#scatter").__scatter.selection());
}

async function readDownload(d) {
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), "utf8") };
}

function fmt(p) {
  return `(${p.x.toFixed(1)}, ${p.y.toFixed(1)})`;
}

try {
  // 1. Upload both recordings into one folder.
  await page.goto(`${BASE}/#/audio`);
  await page.setInputFiles("#upload-form input[name=files]", FILES);
  await page.fill("#upload-form input[name=folder_path]", "e2e/corpus");
  await page.click("#upload-form button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("#audio-table tbody tr").length === 2);
  check(true, "two recordings uploaded and listed");
  await shot("1-audio");

  // 2. Encode both with the default model, from the Processing view.
  await page.goto(`${BASE}/#/processing`);
  await page.waitForFunction(() => document.querySelectorAll("#job-files option").length === 2
    && document.querySelector("#job-model").value !== "");
  await page.selectOption("select[name=target]", "selection");
  await page.selectOption("#job-files", await page.$$eval("#job-files option", (os) => os.map((o) => o.value)));
  await page.click("#queue-job");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#jobs tbody tr")];
    return rows.length === 2 && rows.every((r) => r.dataset.status === "complete");
  });
  check(true, "both processing jobs complete in the UI");
  await shot("2-processing");

  // 3. Cluster the two embedding sets.
  await page.goto(`${BASE}/#/clustering`);
  await page.waitForSelector("#cluster-sets input[type=checkbox]");
  await page.click("text=Select all compatible");
  await page.fill("#cluster-form input[name=min_cluster_size]", "3");
  await page.click("#run-clustering");
  await page.waitForSelector("#cjobs tr[data-status=complete] a.open-results");
  check(true, "clustering job complete in the UI");
  await shot("3-clustering");

  // 4. Results: one scatter point per window.
  await page.click("#cjobs tr[data-status=complete] a.open-results");
  await page.waitForSelector("canvas#scatter[data-points]");
  const jobId = decodeURIComponent(page.url().split("#/results/")[1]);
  const job = await page.evaluate(async (id) => (await fetch(`/clustering/jobs/${id}`)).json(), jobId);
  const sets = await page.evaluate(async () => (await fetch("/processing/embedding-sets")).json());
  const windows = sets.reduce((n, s) => n + (s.row_count || 0), 0);
  const drawn = Number(await page.getAttribute("canvas#scatter", "data-points"));
  check(drawn === windows && drawn === job.metrics.n_windows && windows > 0,
    `scatter has one point per window (${drawn} drawn, ${windows} windows in the sets, ${job.metrics.n_windows} clustered)`);
  console.log(`# scatter first paint: ${await page.getAttribute("canvas#scatter", "data-paint-ms")} ms for ${drawn} points`);
  await shot("4-results");

  // 5. Click a point: its window's audio and spectrogram load.
  const at = await page.evaluate(() => document.querySelector("canvas#scatter").__scatter.screenPosition(0));
  const audioResponse = page.waitForResponse((r) => r.url().includes("/window?"));
  const imageResponse = page.waitForResponse((r) => r.url().includes("/spectrogram.png?"));
  await page.mouse.click(at.x, at.y);
  const [audio, image] = await Promise.all([audioResponse, imageResponse]);
  check([200, 206].includes(audio.status()) && audio.headers()["content-type"] === "audio/wav",
    `the window's audio loads (${audio.status()} ${audio.headers()["content-type"]})`);
  check(image.status() === 200 && image.headers()["content-type"] === "image/png",
    `its spectrogram loads (${image.status()} ${image.headers()["content-type"]})`);
  const whole = await page.evaluate(async () => {
    const r = await fetch(document.querySelector("#window-detail audio").src);
    return { status: r.status, type: r.headers.get("content-type"), bytes: (await r.arrayBuffer()).byteLength };
  });
  check(whole.status === 200 && whole.type === "audio/wav" && whole.bytes > 44, `the whole slice is a WAV (${JSON.stringify(whole)})`);
  await page.waitForFunction(() => {
    const img = document.querySelector("#window-detail img.spectrogram");
    return img && img.complete && img.naturalWidth === 640;
  });
  check(true, "the spectrogram image is shown (640 px wide)");

  // 6. Find similar: the window itself first, with score 1.
  const clicked = await page.evaluate(() => {
    const s = document.querySelector("canvas#scatter").__scatter;
    return s ? document.querySelector("#window-detail h3").textContent : null;
  });
  await page.click("#window-detail button.find-similar");
  await page.waitForSelector("table.similar-results tbody tr");
  const rows = await page.$$eval("table.similar-results tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const first = rows[0];
  check(first[0] === "this window" && Number(first[3]) === 1 && clicked.includes(first[1]) && clicked.includes(first[2]),
    `find similar lists the window itself first (${JSON.stringify(first)}; clicked "${clicked}"), then ${rows.length - 1} others`);
  check(rows.length > 1 && rows.slice(1).every((r, i, a) => i === 0 || Number(a[i - 1][3]) >= Number(r[3])), "the others follow by falling score");
  await shot("5-window-and-similar");

  // 7. Zoom (wheel) and pan (drag) move the points as a map does; "Reset view" shows them all again.
  const scatterAt = (i) => page.evaluate((j) => document.querySelector("canvas#scatter").__scatter.screenPosition(j), i);
  const box = await page.locator("canvas.scatter-marks").boundingBox();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const before = await scatterAt(0);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -500);
  await page.waitForFunction(() => Number(document.querySelector("canvas#scatter").dataset.zoom) > 2);
  const zoomed = await scatterAt(0);
  const zoom = Number(await page.getAttribute("canvas#scatter", "data-zoom"));
  // Zooming keeps the point under the cursor in place: every other point moves away from it by the zoom factor.
  check(Math.abs(zoomed.x - centre.x - (before.x - centre.x) * zoom) < 1.5 && Math.abs(zoomed.y - centre.y - (before.y - centre.y) * zoom) < 1.5,
    `the wheel zooms around the cursor (zoom ${zoom.toFixed(2)}, point 0 from ${fmt(before)} to ${fmt(zoomed)})`);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 60, centre.y + 40, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(([x]) => Math.abs(document.querySelector("canvas#scatter").__scatter.screenPosition(0).x - x - 60) < 1.5, [zoomed.x]);
  const panned = await scatterAt(0);
  check(Math.abs(panned.x - zoomed.x - 60) < 1.5 && Math.abs(panned.y - zoomed.y - 40) < 1.5, `dragging pans the plot (point 0 to ${fmt(panned)})`);
  await shot("7-zoomed");
  await page.click(".scatter-reset");
  await page.waitForFunction(() => document.querySelector("canvas#scatter").dataset.zoom === "1.000");
  const back = await scatterAt(0);
  check(Math.abs(back.x - before.x) < 0.5 && Math.abs(back.y - before.y) < 0.5, "Reset view puts every point back");

  // 8. Lasso: a star drawn around the plot's centre selects exactly the points inside it (those within 4 px of its
  // edges may go either way: the lasso samples the mouse path).
  const points = await page.evaluate(() => {
    const s = document.querySelector("canvas#scatter").__scatter;
    return Array.from({ length: s.count }, (_, i) => s.screenPosition(i));
  });
  const star = [];
  for (let j = 0; j < 10; j++) {
    const r = (j % 2 ? 0.18 : 0.42) * Math.min(box.width, box.height), a = (j / 10) * 2 * Math.PI;
    star.push({ x: centre.x + r * Math.cos(a), y: centre.y + r * Math.sin(a) });
  }
  await page.click(".scatter-tool.tool-lasso");
  const moves = await drawPath(star);
  const lassoExpect = classify(points, star);
  await page.waitForFunction(() => document.querySelector("#selection h3"));
  const lassoSel = await selection();
  check(lassoSel.length > 0 && lassoExpect.inside.every((i) => lassoSel.includes(i)) && !lassoSel.some((i) => lassoExpect.outside.has(i)),
    `the lasso selects the points inside it (${lassoSel.length} selected; ${lassoExpect.inside.length} surely inside, `
    + `${points.length - lassoExpect.inside.length - lassoExpect.outside.size} on the edge; ${moves} mouse moves)`);
  const listed = await page.$$eval("#selection table.selection-table tbody tr", (trs) => trs.length);
  const heading = await page.textContent("#selection h3");
  check(listed === Math.min(200, lassoSel.length) && heading.startsWith(`${lassoSel.length.toLocaleString("en")} windows selected`),
    `the selection is listed (${listed} rows, "${heading}")`);
  await shot("8-lasso");

  // 9. What a selection offers: "Similar" on a window (itself first), the Raven table and CSV of just these windows,
  // zoom to the selection, then Shift+box adds to it and "Clear selection" empties it.
  const firstRow = await page.$$eval("#selection table.selection-table tbody tr:first-child td", (tds) => tds.map((td) => td.textContent));
  await page.click("#selection table.selection-table tbody tr:first-child button.similar");
  await page.waitForFunction((t) => {
    const r = document.querySelector("#window-detail table.similar-results tbody tr");
    return r && r.cells[0].textContent === "this window" && r.cells[2].textContent === t;
  }, firstRow[2]);
  check(true, `"Similar" on a selected window lists it first (${firstRow[1]} ${firstRow[2]})`);
  const ravenDownload = page.waitForEvent("download");
  await page.click("#selection button.export-raven");
  const raven = await readDownload(await ravenDownload);
  const ravenLines = raven.text.trim().split("\n");
  check(ravenLines[0] === "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tCluster\tFile"
    && ravenLines.length === lassoSel.length + 1 && raven.name.endsWith("-selection.selections.txt"),
    `the selection exports as a Raven table (${raven.name}: ${ravenLines.length - 1} selections)`);
  const csvDownload = page.waitForEvent("download");
  await page.click("#selection button.export-csv");
  const csv = await readDownload(await csvDownload);
  check(csv.text.trim().split("\n").length === lassoSel.length + 1, `and as CSV (${csv.name})`);
  const played = page.waitForResponse((r) => r.url().includes("/window?"));
  await page.click("#selection button.play-all");
  const playedStatus = (await played).status();
  check([200, 206].includes(playedStatus), `"Play all in turn" plays the selected windows (${playedStatus})`);
  await page.click("#selection button.zoom-selection");
  await page.waitForFunction(() => Number(document.querySelector("canvas#scatter").dataset.zoom) > 1.05);
  const allVisible = await page.evaluate((sel) => sel.every((i) => document.querySelector("canvas#scatter").__scatter.visible(i)), lassoSel);
  check(allVisible, `"Zoom to selection" zooms in (${await page.getAttribute("canvas#scatter", "data-zoom")}×) and shows every selected point`);
  await page.click(".scatter-reset");
  await page.waitForFunction(() => document.querySelector("canvas#scatter").dataset.zoom === "1.000");
  await page.click(".scatter-tool.tool-box");
  // A box around a point the lasso left out.
  const outsider = points[points.findIndex((_, i) => !lassoSel.includes(i))];
  const corner = { x: Math.max(box.x + 2, outsider.x - 15), y: Math.max(box.y + 2, outsider.y - 15) };
  const far = { x: Math.min(box.x + box.width - 2, outsider.x + 15), y: Math.min(box.y + box.height - 2, outsider.y + 15) };
  await page.keyboard.down("Shift");
  await drawPath([corner, far]);
  await page.keyboard.up("Shift");
  await page.waitForFunction((n) => Number(document.querySelector("canvas#scatter").dataset.selected) !== n, lassoSel.length);
  const union = await selection();
  const inBox = points.map((p, i) => [p, i]).filter(([p]) => p.x >= corner.x + 1 && p.x <= far.x - 1 && p.y >= corner.y + 1 && p.y <= far.y - 1).map(([, i]) => i);
  check(lassoSel.every((i) => union.includes(i)) && inBox.every((i) => union.includes(i)),
    `Shift + box adds to the selection (${lassoSel.length} + ${inBox.length} in the box → ${union.length})`);
  await page.click("#selection button.clear-selection");
  await page.waitForFunction(() => document.querySelector("canvas#scatter").dataset.selected === "0" && !document.querySelector("#selection h3"));
  check(true, "Clear selection empties it");
  await page.click(".scatter-tool.tool-pan");

  // 10. A cluster's page: spectrogram cards with play buttons.
  await page.click("#clusters-table a >> nth=-1");
  await page.waitForFunction(() => [...document.querySelectorAll("#cluster-grid img")].some((i) => i.complete && i.naturalWidth === 240));
  check(true, "a cluster's page shows its windows' spectrograms");
  await shot("6-cluster");

  check(pageErrors.length === 0, `no uncaught errors in the page${pageErrors.length ? ": " + pageErrors.join("; ") : ""}`);
} catch (e) {
  failures++;
  console.log(`not ok - ${e.message.split("\n")[0]}`);
  await shot("failure").catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser checks: ${passed} ok, ${failures} not ok`);
process.exit(failures ? 1 : 0);
