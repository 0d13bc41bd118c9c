// One cluster of a job: a grid of its windows' spectrograms with play buttons; a card opens the window's details.
import { el, clock } from "../util.js";
import { loadPoints } from "./results.js";
import { showWindow, windowCard } from "../window.js";

const PAGE = 48;

export function open(container, args) {
  const [jobId, labelText] = args;
  const label = Number(labelText);
  let shown = 0;
  const grid = el("div.grid-cards", { id: "cluster-grid" });
  const detail = el("div.detail");
  const more = el("button", { onclick: () => page() }, "More");
  let windows = [];
  let files = new Map();

  function page() {
    const next = windows.slice(shown, shown + PAGE);
    grid.append(...next.map((w) => windowCard(w, files, (x) => { showWindow(detail, x, files); detail.scrollIntoView({ behavior: "smooth" }); })));
    shown += next.length;
    more.hidden = shown >= windows.length;
  }

  container.append(el("section", {},
    el("p", {}, el("a", { href: `#/results/${jobId}` }, "← results of job ", jobId.slice(0, 8))),
    el("h2", {}, label < 0 ? "Noise windows" : `Cluster ${label}`), grid, more, detail));
  return {
    async refresh() {
      if (windows.length) return false;
      const pts = await loadPoints(jobId);
      files = pts.files;
      for (let i = 0; i < pts.data.count; i++) if (pts.data.cluster[i] === label) windows.push(pts.windowAt(i));
      windows.sort((a, b) => a.audio_file_id.localeCompare(b.audio_file_id) || a.start_s - b.start_s);
      container.querySelector("h2").append(` · ${windows.length} windows`, windows.length ? ` · ${clock(windows.reduce((s, w) => s + w.end_s - w.start_s, 0), 0)} of audio` : "");
      page();
      return false;
    },
  };
}
