// Processing: queue encoding jobs for a file, a folder or a selection, with a model picker that shows each model's
// input; the job list with live progress (windows, windows/s, ETA), cancel, errors; the embedding sets.
import { api } from "../api.js";
import { el, table, when, clock, num, badge, say, attempt, fillSelect, fileLabel } from "../util.js";
import { allAudio } from "./audio.js";

/** "waveform · 16000 Hz · 0.975 s window · 1024-d" for a model. */
export function modelInput(m) {
  const s = m.input_spec || {};
  const parts = [m.input_format || "input format unknown"];
  parts.push(s.sample_rate ? `${s.sample_rate} Hz` : "any rate");
  parts.push(s.window_seconds ? `${s.window_seconds} s window` : "any window");
  parts.push(`${m.vector_dim}-d`);
  return parts.join(" · ");
}

export async function allSets() {
  return api("GET", "/processing/embedding-sets?limit=10000");
}

export function open(container) {
  let audio = [];
  let models = [];
  const byId = new Map();
  const target = el("select", { name: "target" },
    el("option", { value: "file" }, "one file"), el("option", { value: "folder" }, "a folder"),
    el("option", { value: "selection" }, "selected files"));
  const fileSelect = el("select", { name: "audio_file_id", id: "job-audio" });
  const folderSelect = el("select", { name: "folder_path", id: "job-folder" });
  const multiSelect = el("select", { name: "audio_file_ids", id: "job-files", multiple: true, size: 6 });
  const modelSelect = el("select", { name: "model_version", id: "job-model" });
  const modelInfo = el("span.muted", { id: "model-info" });
  const windowInput = el("input", { name: "window_size_seconds", type: "number", step: "any", min: "0", size: 8 });
  const rateInput = el("input", { name: "target_sample_rate", type: "number", step: "1", min: "100", size: 8 });
  const jobsBox = el("div", { id: "jobs" });
  const setsBox = el("div", { id: "sets" });
  const pre = sessionStorage.getItem("humpback.encode");
  sessionStorage.removeItem("humpback.encode");

  function showTarget() {
    fileSelect.hidden = target.value !== "file";
    folderSelect.hidden = target.value !== "folder";
    multiSelect.hidden = target.value !== "selection";
  }
  target.addEventListener("change", showTarget);

  /** Fills window and rate from the chosen model's input, which the job will use unless changed. */
  function fromModel() {
    const m = models.find((x) => x.name === modelSelect.value);
    if (!m) { modelInfo.textContent = ""; return; }
    modelInfo.textContent = `${m.display_name || m.name}: ${modelInput(m)}`;
    const s = m.input_spec || {};
    windowInput.value = s.window_seconds ?? "";
    rateInput.value = s.sample_rate ?? "";
    windowInput.placeholder = s.window_seconds ? "" : "default";
    rateInput.placeholder = s.sample_rate ? "" : "default";
  }
  modelSelect.addEventListener("change", fromModel);

  async function submit(ev) {
    ev.preventDefault();
    const body = { model_version: modelSelect.value || null };
    if (windowInput.value !== "") body.window_size_seconds = Number(windowInput.value);
    if (rateInput.value !== "") body.target_sample_rate = Number(rateInput.value);
    if (target.value === "file") body.audio_file_id = fileSelect.value;
    else if (target.value === "folder") body.folder_path = folderSelect.value;
    else body.audio_file_ids = [...multiSelect.selectedOptions].map((o) => o.value);
    if ((target.value === "file" && !body.audio_file_id) || (target.value === "selection" && !body.audio_file_ids.length)) {
      say("Choose the audio to encode first", "error");
      return;
    }
    const made = await attempt(() => api("POST", "/processing/jobs", body));
    if (made) {
      const jobs = Array.isArray(made) ? made : [made];
      say(`Queued ${jobs.length} job${jobs.length === 1 ? "" : "s"} (${jobs.filter((j) => j.skipped).length} already encoded)`, "ok");
      await refresh();
    }
  }

  async function cancel(job) {
    const r = await attempt(() => api("POST", `/processing/jobs/${job.id}/cancel`));
    if (r) {
      say(r.status === "canceled" ? `Job ${job.id.slice(0, 8)} canceled` : `Cancel requested: job ${job.id.slice(0, 8)} stops at its next window batch`, "ok");
      await refresh();
    }
  }

  function progressCell(j) {
    const pct = Math.round((j.progress || 0) * 1000) / 10;
    const bar = el("progress", { max: 100, value: j.status === "complete" ? 100 : pct });
    const parts = [];
    if (j.windows_done !== null && j.windows_done !== undefined) {
      parts.push(`${num(j.windows_done)}${j.windows_total ? " / " + num(j.windows_total) : ""} windows`);
    }
    if (j.windows_per_second) parts.push(`${num(j.windows_per_second, 1)} windows/s`);
    if (j.status === "running" && j.eta_seconds !== null && j.eta_seconds !== undefined) parts.push(`ETA ${clock(j.eta_seconds, 0)}`);
    if (j.cancel_requested && j.status === "running") parts.push("cancel requested");
    return el("div.progress", {}, bar, ` ${pct} %`, parts.length ? el("div.muted", {}, parts.join(" · ")) : null);
  }

  async function refresh() {
    const [a, ms, jobs, sets] = await Promise.all([allAudio(), api("GET", "/admin/models"), api("GET", "/processing/jobs?limit=200"), allSets()]);
    audio = a;
    models = ms;
    byId.clear();
    for (const f of audio) byId.set(f.id, f);
    const fileOptions = audio.map((f) => ({ value: f.id, label: fileLabel(f) }));
    fillSelect(fileSelect, fileOptions);
    fillSelect(multiSelect, fileOptions);
    const folders = [...new Set(audio.map((f) => f.folder_path).filter(Boolean))].sort();
    fillSelect(folderSelect, folders.map((f) => ({ value: f, label: f })));
    const hadModel = modelSelect.dataset.fill !== undefined;
    fillSelect(modelSelect, models.map((m) => ({ value: m.name, label: `${m.display_name || m.name}${m.is_default ? " (default)" : ""} — ${modelInput(m)}` })));
    if (!hadModel) {
      const d = models.find((m) => m.is_default);
      if (d) modelSelect.value = d.name;
      fromModel();
    }
    if (pre && byId.has(pre) && !fileSelect.dataset.pre) { fileSelect.value = pre; fileSelect.dataset.pre = "1"; }

    // Live figures (windows done, rate, ETA) of running jobs; the list itself carries the seed's fields only.
    const live = await Promise.all(jobs.map((j) => (j.status === "running"
      ? api("GET", `/processing/jobs/${j.id}/progress`).then((p) => ({ ...j, ...p })).catch(() => j) : j)));
    jobsBox.replaceChildren(live.length ? table(["status", "file", "model", "progress", "error", "created", ""], live.map((j) => el("tr", { dataset: { job: j.id, status: j.status } },
      el("td", {}, badge(j.status), j.skipped ? el("span.muted", {}, " (already encoded)") : null),
      el("td", {}, fileLabel(byId.get(j.audio_file_id)) || j.audio_file_id),
      el("td", {}, j.model_version || ""),
      el("td", {}, progressCell(j)),
      el("td.error", {}, j.error_message || ""),
      el("td", {}, when(j.created_at)),
      el("td", {}, j.status === "queued" || j.status === "running" ? el("button", { onclick: () => cancel(j) }, "Cancel") : null))))
      : el("p.muted", {}, "No jobs yet."));

    setsBox.replaceChildren(sets.length ? table(["file", "model", "dim", "window", "rate", "windows", "created", ""], sets.map((s) => [
      fileLabel(byId.get(s.audio_file_id)) || s.audio_file_id, s.model_version, s.vector_dim, `${s.window_size_seconds} s`,
      `${s.target_sample_rate} Hz`, s.row_count ?? "", when(s.created_at),
      el("a", { href: "#/clustering", onclick: () => sessionStorage.setItem("humpback.cluster", s.id) }, "Cluster…"),
    ])) : el("p.muted", {}, "No embedding sets yet: a complete job makes one."));
    return jobs.some((j) => j.status === "queued" || j.status === "running");
  }

  container.append(
    el("section", {},
      el("h2", {}, "Encode audio"),
      el("form.grid", { id: "job-form", onsubmit: submit },
        el("label", {}, "Audio ", target), el("div", {}, fileSelect, folderSelect, multiSelect),
        el("label", {}, "Model "), el("div", {}, modelSelect, el("div", {}, modelInfo)),
        el("label", {}, "Window (s) "), el("div", {}, windowInput, " rate (Hz) ", rateInput,
          el("span.muted", {}, " filled from the model's input; change only for models that take any")),
        el("span"), el("div", {}, el("button", { type: "submit", id: "queue-job" }, "Queue job")))),
    el("section", {}, el("h2", {}, "Processing jobs"), jobsBox),
    el("section", {}, el("h2", {}, "Embedding sets"), setsBox));
  showTarget();
  return { refresh };
}
