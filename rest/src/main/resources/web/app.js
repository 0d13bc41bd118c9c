// The humpback page: lists and forms over the REST API; every call carries the optional bearer token.
"use strict";
const $ = (sel) => document.querySelector(sel);
const tokenInput = $("#token");
tokenInput.value = localStorage.getItem("humpback.token") || "";
tokenInput.addEventListener("change", () => { localStorage.setItem("humpback.token", tokenInput.value); refresh(); });

async function api(method, path, body) {
  const headers = {};
  if (tokenInput.value) headers["Authorization"] = "Bearer " + tokenInput.value;
  let payload = body;
  if (body && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const res = await fetch(path, { method, headers, body: payload });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(res.status + ": " + (data && data.detail ? data.detail : res.statusText));
  return data;
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  return td;
}

function fill(tableId, rows, render) {
  const body = $(tableId + " tbody");
  body.replaceChildren(...rows.map((r) => { const tr = document.createElement("tr"); render(r).forEach((c) => tr.append(c)); return tr; }));
}

function button(label, onClick) {
  const td = document.createElement("td");
  const b = document.createElement("button");
  b.textContent = label;
  b.addEventListener("click", onClick);
  td.append(b);
  return td;
}

function say(msg) { $("#status").textContent = msg || ""; }

async function act(fn) {
  try { say(""); await fn(); await refresh(); } catch (e) { say(e.message); }
}

async function refresh() {
  try {
    const [audio, jobs, sets, cjobs, models] = await Promise.all([
      api("GET", "/audio/"), api("GET", "/processing/jobs"), api("GET", "/processing/embedding-sets"),
      api("GET", "/clustering/jobs"), api("GET", "/admin/models")]);
    const names = Object.fromEntries(audio.map((a) => [a.id, a.filename]));
    fill("#audio", audio, (a) => [cell(a.filename), cell(a.folder_path), cell(a.duration_seconds && a.duration_seconds.toFixed(2)),
      cell(a.sample_rate_original), cell(a.id, "id"), cell("")]);
    $("#job-audio").replaceChildren(...audio.map((a) => new Option(a.filename + " (" + a.id.slice(0, 8) + ")", a.id)));
    const modelSel = $("#job-model");
    const chosen = modelSel.value;
    modelSel.replaceChildren(new Option("default model", ""), ...models.map((m) => new Option(m.name, m.name)));
    modelSel.value = chosen;
    fill("#jobs", jobs, (j) => [cell(j.status + (j.skipped ? " (skipped)" : "")), cell(Math.round(j.progress * 100) + "%"),
      cell(names[j.audio_file_id] || j.audio_file_id), cell(j.model_version), cell(j.error_message), cell(j.created_at),
      j.status === "queued" || j.status === "running"
        ? button("cancel", () => act(() => api("POST", "/processing/jobs/" + j.id + "/cancel"))) : cell("")]);
    fill("#sets", sets, (s) => {
      const td = document.createElement("td");
      const box = document.createElement("input");
      box.type = "checkbox"; box.value = s.id; box.className = "set-pick";
      td.append(box);
      return [td, cell(names[s.audio_file_id] || s.audio_file_id), cell(s.model_version), cell(s.vector_dim),
        cell(s.window_size_seconds), cell(s.target_sample_rate), cell(s.id, "id")];
    });
    fill("#cjobs", cjobs, (c) => [cell(c.status), cell(c.embedding_set_ids.length), cell(c.error_message), cell(c.created_at), cell(c.id, "id")]);
    fill("#models", models, (m) => [cell(m.name), cell(m.model_type), cell(m.input_format), cell(m.vector_dim),
      cell(m.is_default ? "yes" : ""), cell(m.path),
      m.is_default ? cell("") : button("make default", () => act(() => api("POST", "/admin/models/" + m.id + "/set-default")))]);
  } catch (e) {
    say(e.message);
  }
}

$("#upload-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  if (!form.get("folder_path")) form.delete("folder_path");
  act(async () => { await api("POST", "/audio/upload", form); ev.target.reset(); });
});

$("#job-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = { audio_file_id: f.get("audio_file_id") };
  if (f.get("model_version")) body.model_version = f.get("model_version");
  if (f.get("window_size_seconds")) body.window_size_seconds = Number(f.get("window_size_seconds"));
  if (f.get("target_sample_rate")) body.target_sample_rate = Number(f.get("target_sample_rate"));
  act(() => api("POST", "/processing/jobs", body));
});

$("#cluster-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const ids = [...document.querySelectorAll(".set-pick:checked")].map((b) => b.value);
  act(() => api("POST", "/clustering/jobs", { embedding_set_ids: ids }));
});

refresh();
setInterval(refresh, 5000);
