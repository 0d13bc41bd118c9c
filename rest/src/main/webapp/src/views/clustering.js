// Clustering: pick compatible embedding sets, set the seed's parameters (with its defaults), run, or sweep
// min_cluster_size over several values on one UMAP run; the list of clustering jobs links to their results.
import { api } from "../api.js";
import { el, table, when, badge, say, attempt, fileLabel, num } from "../util.js";
import { allAudio } from "./audio.js";
import { allSets } from "./processing.js";

/** The seed's parameter names and defaults (ClusteringParameters). */
const PARAMS = [
  { name: "use_umap", type: "bool", value: true, help: "reduce with UMAP before HDBSCAN" },
  { name: "umap_n_components", type: "int", value: 2, help: "UMAP output dimensions (the clustering space)" },
  { name: "umap_n_neighbors", type: "int", value: 15, help: "UMAP neighbourhood size" },
  { name: "umap_min_dist", type: "float", value: 0.1, help: "UMAP minimum distance" },
  { name: "min_cluster_size", type: "sweep", value: "5", help: "HDBSCAN's smallest cluster; several values (5, 10, 20) make a sweep" },
  { name: "min_samples", type: "int", value: "", help: "HDBSCAN core neighbourhood; empty = min_cluster_size" },
  { name: "metric", type: "choice", value: "euclidean", choices: ["euclidean", "cosine"], help: "UMAP's input metric (HDBSCAN's without UMAP)" },
  { name: "random_seed", type: "int", value: 42, help: "seeds UMAP" },
  { name: "pca_components", type: "int", value: "", help: "optional PCA first; empty = none" },
  { name: "label_field", type: "text", value: "", help: "metadata field to score clusters against, e.g. tag_data.label" },
  { name: "sample_size", type: "int", value: "", help: "fit on this many windows, then assign every window; empty = fit on all" },
];

export function open(container) {
  const chosen = new Set();
  const pre = sessionStorage.getItem("humpback.cluster");
  sessionStorage.removeItem("humpback.cluster");
  if (pre) chosen.add(pre);
  let sets = [];
  const setsBox = el("div", { id: "cluster-sets" });
  const jobsBox = el("div", { id: "cjobs" });
  const inputs = {};
  const fields = PARAMS.map((p) => {
    let input;
    if (p.type === "bool") input = el("input", { type: "checkbox", name: p.name, checked: p.value });
    else if (p.type === "choice") input = el("select", { name: p.name }, p.choices.map((c) => el("option", { value: c }, c)));
    else input = el("input", { type: p.type === "text" || p.type === "sweep" ? "text" : "number", step: p.type === "float" ? "any" : "1", name: p.name, value: p.value, size: 12 });
    inputs[p.name] = input;
    return [el("label", { for: p.name }, p.name), el("div", {}, input, el("span.muted", {}, " " + p.help))];
  });

  function parameters() {
    const out = {};
    for (const p of PARAMS) {
      const input = inputs[p.name];
      if (p.type === "bool") out[p.name] = input.checked;
      else if (p.type === "choice") out[p.name] = input.value;
      else if (input.value.trim() === "") out[p.name] = null;
      else if (p.type === "sweep") {
        const values = input.value.split(/[\s,;]+/).filter(Boolean).map(Number);
        out[p.name] = values.length === 1 ? values[0] : values;
      } else if (p.type === "text") out[p.name] = input.value.trim();
      else out[p.name] = Number(input.value);
    }
    if (out.random_seed === null) delete out.random_seed;
    return out;
  }

  async function run(ev) {
    ev.preventDefault();
    if (!chosen.size) { say("Select at least one embedding set", "error"); return; }
    const job = await attempt(() => api("POST", "/clustering/jobs", { embedding_set_ids: [...chosen], parameters: parameters() }));
    if (job) {
      say(`Clustering job ${job.id.slice(0, 8)} queued; its results open from the list below when complete`, "ok");
      await refresh();
    }
  }

  function renderSets(byId) {
    const first = sets.find((s) => chosen.has(s.id));
    const rows = sets.map((s) => {
      const compatible = !first || (s.model_version === first.model_version && s.vector_dim === first.vector_dim);
      const box = el("input", {
        type: "checkbox", value: s.id, checked: chosen.has(s.id), disabled: !compatible && !chosen.has(s.id),
        title: compatible ? "" : `Different model or size (${s.model_version}, ${s.vector_dim}-d): not comparable`,
        onchange: (e) => { if (e.target.checked) chosen.add(s.id); else chosen.delete(s.id); renderSets(byId); },
      });
      return el("tr", { class: compatible ? "" : "disabled" }, el("td", {}, box),
        el("td", {}, fileLabel(byId.get(s.audio_file_id)) || s.audio_file_id), el("td", {}, s.model_version),
        el("td", {}, `${s.vector_dim}`), el("td", {}, `${s.window_size_seconds} s`), el("td", {}, s.row_count ?? ""), el("td", {}, when(s.created_at)));
    });
    const all = el("button", { type: "button", onclick: () => {
      const ref = first || sets[0];
      for (const s of sets) if (ref && s.model_version === ref.model_version && s.vector_dim === ref.vector_dim) chosen.add(s.id);
      renderSets(byId);
    } }, "Select all compatible");
    setsBox.replaceChildren(sets.length ? el("div", {}, table(["", "file", "model", "dim", "window", "windows", "created"], rows),
      all, el("span.muted", {}, ` ${chosen.size} selected`)) : el("p.muted", {}, "No embedding sets yet: encode audio first."));
  }

  async function refresh() {
    const [audio, s, jobs] = await Promise.all([allAudio(), allSets(), api("GET", "/clustering/jobs?limit=200")]);
    sets = s;
    const byId = new Map(audio.map((f) => [f.id, f]));
    for (const id of [...chosen]) if (!sets.some((x) => x.id === id)) chosen.delete(id);
    renderSets(byId);
    jobsBox.replaceChildren(jobs.length ? table(["status", "sets", "parameters", "clusters", "created", ""], jobs.map((j) => el("tr", { dataset: { job: j.id, status: j.status } },
      el("td", {}, badge(j.status), j.status === "running" ? ` ${Math.round((j.progress || 0) * 100)} %` : ""),
      el("td", {}, String(j.embedding_set_ids.length)),
      el("td.params", {}, paramSummary(j.parameters)),
      el("td", {}, j.metrics ? `${num(j.metrics.n_clusters)} clusters, ${num((j.metrics.noise_fraction || 0) * 100, 1)} % noise` : (j.error_message ? el("span.error", {}, j.error_message) : "")),
      el("td", {}, when(j.created_at)),
      el("td", {}, j.status === "complete" ? el("a.open-results", { href: `#/results/${j.id}` }, "Open results") : null))))
      : el("p.muted", {}, "No clustering jobs yet."));
    return jobs.some((j) => j.status === "queued" || j.status === "running");
  }

  container.append(
    el("section", {}, el("h2", {}, "Embedding sets to cluster"),
      el("p.muted", {}, "Only sets of one model (same vector size) can be clustered together; others are disabled once one is selected."), setsBox),
    el("section", {}, el("h2", {}, "Parameters"),
      el("form.grid", { id: "cluster-form", onsubmit: run }, fields.flat(), el("span"), el("div", {}, el("button", { type: "submit", id: "run-clustering" }, "Run clustering")))),
    el("section", {}, el("h2", {}, "Clustering jobs"), jobsBox));
  return { refresh };
}

export function paramSummary(p) {
  if (!p) return "";
  const mcs = p.min_cluster_size;
  return [p.use_umap ? `UMAP ${p.umap_n_components}-d, ${p.umap_n_neighbors} nn` : "no UMAP",
    `min_cluster_size ${Array.isArray(mcs) ? mcs.join("/") : mcs}`, p.metric, p.label_field ? `label ${p.label_field}` : null]
    .filter(Boolean).join(", ");
}
