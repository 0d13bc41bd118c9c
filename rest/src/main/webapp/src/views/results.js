// Results of a clustering job: metrics, sweep, cluster sizes with metadata summaries, exports, and the UMAP scatter
// (wheel zooms, drag pans; hover names the window, click plays it with its spectrogram; a box or lasso selects windows,
// which are listed with play and "similar" buttons, summarised by cluster, played in turn or exported).
import { api, download } from "../api.js";
import { el, table, when, num, clock, say, attempt, fileLabel, badge } from "../util.js";
import { createScatter, cssColor } from "../scatter.js";
import { showWindow } from "../window.js";
import { paramSummary } from "./clustering.js";

/** The job's points, with helpers to name a point's window. Cached: the cluster page reuses them. */
const cache = new Map();
export async function loadPoints(jobId) {
  if (cache.has(jobId)) return cache.get(jobId);
  const s = await api("GET", `/clustering/jobs/${encodeURIComponent(jobId)}/scatter`);
  const files = new Map(s.files.map((f) => [f.id, f]));
  const windowAt = (i) => {
    const set = s.sets[s.set[i]];
    return { embedding_set_id: set.id, row_index: s.row[i], audio_file_id: set.audio_file_id, start_s: s.start[i], end_s: s.end[i], cluster: s.cluster[i] };
  };
  const points = { data: s, files, windowAt };
  cache.clear();
  cache.set(jobId, points);
  return points;
}

export function open(container, args) {
  const jobId = args[0];
  if (!jobId) return openList(container);
  let scatter = null;
  const head = el("section");
  const plotHost = el("div.plot", { id: "plot" });
  const tooltip = el("div.tooltip", { hidden: true });
  const detail = el("div.detail", { id: "window-detail" }, el("p.muted", {}, "Click a point to hear its window and see its"
    + " spectrogram. The wheel zooms and dragging pans; with Box or Lasso, dragging selects the windows inside."));
  const selectionBox = el("div", { id: "selection" });
  let playing = 0; // bumped to stop a "play all" run
  const clustersBox = el("section");

  async function render() {
    const [job, clusters] = await Promise.all([api("GET", `/clustering/jobs/${encodeURIComponent(jobId)}`),
      api("GET", `/clustering/jobs/${encodeURIComponent(jobId)}/clusters`)]);
    renderHead(job);
    if (job.status !== "complete") return job.status === "queued" || job.status === "running";
    renderClusters(clusters);
    if (!scatter) {
      const t0 = performance.now();
      const pts = await loadPoints(jobId);
      const s = pts.data;
      if (!s.has_xy) {
        plotHost.replaceChildren(el("p.muted", {}, "This job has no 2-D projection (run with use_umap and at least 4 windows)."));
        return false;
      }
      scatter = createScatter(plotHost, { x: s.x, y: s.y, cluster: s.cluster }, {
        onHover: (i, e) => {
          if (i < 0) { tooltip.hidden = true; return; }
          const w = pts.windowAt(i);
          tooltip.textContent = `${fileLabel(pts.files.get(w.audio_file_id))} · ${clock(w.start_s)}–${clock(w.end_s)} · cluster ${w.cluster}`;
          tooltip.hidden = false;
          const r = plotHost.getBoundingClientRect();
          tooltip.style.left = `${e.clientX - r.left + 12}px`;
          tooltip.style.top = `${e.clientY - r.top + 12}px`;
        },
        onPick: (i) => { playing++; showWindow(detail, pts.windowAt(i), pts.files); },
        onSelect: (indices) => renderSelection(indices, pts),
      });
      plotHost.append(tooltip);
      plotHost.dataset.loadMs = (performance.now() - t0).toFixed(1);
    }
    return false;
  }

  function renderHead(job) {
    const m = job.metrics || {};
    const metrics = [["windows", num(m.n_windows)], ["clusters", num(m.n_clusters)], ["noise", m.noise_fraction === undefined ? "–" : `${num(m.noise_fraction * 100, 1)} %`],
      ["silhouette", num(m.silhouette)], ["ARI", num(m.ari)], ["NMI", num(m.nmi)], ["homogeneity", num(m.homogeneity)], ["completeness", num(m.completeness)]]
      .filter(([k, v]) => v !== "–" || ["windows", "clusters", "silhouette"].includes(k));
    const exportLink = (path, name, label) => el("button", { onclick: () => attempt(() => download(`/clustering/jobs/${jobId}/${path}`, name)) }, label);
    head.replaceChildren(...[
      el("h2", {}, "Clustering job ", el("code", {}, jobId.slice(0, 8)), " ", badge(job.status)),
      el("p.muted", {}, paramSummary(job.parameters), " · created ", when(job.created_at)),
      job.error_message ? el("p.error", {}, job.error_message) : null,
      el("dl.metrics", {}, metrics.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      m.label_field ? el("p.muted", {}, `ARI/NMI against ${m.label_field} (${num(m.n_labelled)} labelled windows)`) : null,
      Array.isArray(m.notes) && m.notes.length ? el("p.muted", {}, "Notes: ", m.notes.join("; ")) : null,
      Array.isArray(m.sweep) && m.sweep.length > 1 ? el("div", {}, el("h3", {}, "Sweep over min_cluster_size"),
        table(["min_cluster_size", "clusters", "noise", "silhouette", "ARI", "NMI"], m.sweep.map((r) => [num(r.min_cluster_size), num(r.n_clusters),
          `${num(r.noise_fraction * 100, 1)} %`, num(r.silhouette), num(r.ari), num(r.nmi)])),
        el("p.muted", {}, "The first value's clusters are the ones stored and shown.")) : null,
      job.status === "complete" ? el("div.row", {}, "Export: ", exportLink("raven.txt", `clustering-${jobId}.selections.txt`, "Raven selection table"),
        exportLink("report.csv", `clustering-${jobId}.csv`, "CSV report")) : el("p.muted", {}, "Results appear when the job is complete."),
    ].filter(Boolean));
  }

  function renderClusters(clusters) {
    const max = Math.max(1, ...clusters.map((c) => c.size));
    clustersBox.replaceChildren(el("h2", {}, "Clusters"), table(["cluster", "size", "", "metadata (most common values)", ""], clusters.map((c) => [
      el("span", {}, el("span.swatch", { style: `background:${cssColor(c.cluster_label)}` }), c.cluster_label < 0 ? "noise" : String(c.cluster_label)),
      num(c.size), el("div.bar", { style: `width:${Math.max(2, Math.round((c.size / max) * 160))}px;background:${cssColor(c.cluster_label)}` }),
      metadataSummary(c.metadata_summary),
      el("a", { href: `#/cluster/${jobId}/${c.cluster_label}` }, "Listen & look"),
    ]), { id: "clusters-table" }));
  }

  /** The selected windows: counts by cluster, actions on all of them, and a table with play and "similar" per window. */
  function renderSelection(indices, pts) {
    playing++;
    if (!indices.length) { selectionBox.replaceChildren(); return; }
    const s = pts.data;
    const byCluster = new Map();
    const fileIds = new Set();
    for (const i of indices) {
      byCluster.set(s.cluster[i], (byCluster.get(s.cluster[i]) || 0) + 1);
      fileIds.add(s.file[i]);
    }
    // Listed as the exports list them: by file, then time.
    const windows = indices.map((i) => ({ i, ...pts.windowAt(i) }));
    const label = (w) => fileLabel(pts.files.get(w.audio_file_id));
    windows.sort((a, b) => label(a).localeCompare(label(b)) || a.audio_file_id.localeCompare(b.audio_file_id) || a.start_s - b.start_s);
    const body = () => {
      const sel = {};
      for (const w of windows) (sel[w.embedding_set_id] ||= []).push(w.row_index);
      return { windows: sel };
    };
    const open = (w, similar) => { playing++; scatter.pick(w.i); showWindow(detail, w, pts.files, { similar }); };
    const exportAs = (path, name) => attempt(() => download(`/clustering/jobs/${encodeURIComponent(jobId)}/${path}`, name, body()),
      `Exported ${windows.length} windows`);
    const rows = el("tbody");
    let shown = 0;
    const more = el("button", { onclick: () => page() }, "More");
    function page() {
      for (const w of windows.slice(shown, shown + 200)) {
        rows.append(el("tr", { dataset: { point: w.i } },
          el("td", {}, el("span.swatch", { style: `background:${cssColor(w.cluster)}` }), w.cluster < 0 ? "noise" : String(w.cluster)),
          el("td", {}, label(w)), el("td", {}, `${clock(w.start_s)}–${clock(w.end_s)}`),
          el("td", {}, el("span.actions", {}, el("button.play", { onclick: () => open(w, false), title: "Play and show the spectrogram" }, "▶"),
            el("button.similar", { onclick: () => open(w, true), title: "Find the most similar windows" }, "Similar")))));
      }
      shown = Math.min(windows.length, shown + 200);
      more.hidden = shown >= windows.length;
    }
    page();
    selectionBox.replaceChildren(
      el("h3", {}, `${num(windows.length)} windows selected`, ` from ${num(fileIds.size)} file${fileIds.size === 1 ? "" : "s"}`),
      el("div.row.selection-clusters", {}, [...byCluster].sort((a, b) => b[1] - a[1]).map(([c, count]) =>
        el("span", {}, el("span.swatch", { style: `background:${cssColor(c)}` }), `${c < 0 ? "noise" : `cluster ${c}`}: ${num(count)}`))),
      el("div.row", {},
        el("button.play-all", { onclick: () => playAll(windows, pts.files) }, "▶ Play all in turn"),
        el("button.zoom-selection", { onclick: () => scatter.zoomTo(indices) }, "Zoom to selection"),
        el("button.export-raven", { onclick: () => exportAs("raven.txt", `clustering-${jobId}-selection.selections.txt`) }, "Raven selection table"),
        el("button.export-csv", { onclick: () => exportAs("report.csv", `clustering-${jobId}-selection.csv`) }, "CSV"),
        el("button.clear-selection", { onclick: () => scatter.clearSelection() }, "Clear selection")),
      el("table.selection-table", {}, el("thead", {}, el("tr", {}, ["cluster", "file", "time", ""].map((h) => el("th", {}, h)))), rows),
      more);
  }

  /** Plays the windows one after the other in the detail panel, until another window is opened or the selection changes. */
  async function playAll(windows, files) {
    const run = ++playing;
    for (const w of windows) {
      if (run !== playing) return;
      scatter.pick(w.i);
      await showWindow(detail, w, files);
      const audio = detail.querySelector("audio");
      if (!audio || run !== playing) return;
      await new Promise((done) => {
        audio.addEventListener("ended", done, { once: true });
        audio.addEventListener("error", done, { once: true });
        audio.addEventListener("pause", () => { if (!audio.ended) playing++; done(); }, { once: true });
      });
    }
  }

  container.append(head, el("section.split.results", {}, el("div.main", {}, el("h2", {}, "UMAP projection"), plotHost, selectionBox),
    el("div.side.wide", {}, detail)), clustersBox);
  return { refresh: render, dispose: () => scatter && scatter.dispose() };
}

function openList(container) {
  const box = el("div");
  container.append(el("section", {}, el("h2", {}, "Results"), el("p.muted", {}, "Complete clustering jobs; run one under Clustering."), box));
  return {
    async refresh() {
      const jobs = (await api("GET", "/clustering/jobs?limit=200")).filter((j) => j.status === "complete");
      box.replaceChildren(jobs.length ? table(["job", "parameters", "clusters", "created"], jobs.map((j) => [
        el("a.open-results", { href: `#/results/${j.id}` }, j.id.slice(0, 8)), paramSummary(j.parameters),
        j.metrics ? `${num(j.metrics.n_clusters)} clusters, ${num(j.metrics.n_windows)} windows` : "", when(j.created_at)]))
        : el("p.muted", {}, "No complete clustering job yet."));
      return false;
    },
  };
}

/** {field path: {value: count}} as "field: value (n), value (n)" lines, three values per field at most. */
function metadataSummary(summary) {
  if (!summary || typeof summary !== "object") return "";
  const lines = Object.entries(summary).map(([field, values]) => {
    if (!values || typeof values !== "object") return `${field}: ${values}`;
    const top = Object.entries(values).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([v, c]) => `${v} (${c})`);
    return `${field}: ${top.join(", ")}${Object.keys(values).length > 3 ? ", …" : ""}`;
  });
  return lines.length ? el("div.meta", {}, lines.map((l) => el("div", {}, l))) : el("span.muted", {}, "no metadata");
}
