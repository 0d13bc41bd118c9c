// Admin: models (list, register, set default, delete, scan the models folder with register buttons), table counts,
// health. Server file paths are never shown: a model is named by its file name only.
import { api } from "../api.js";
import { el, table, when, num, say, attempt, basename } from "../util.js";
import { modelInput } from "./processing.js";

export function open(container) {
  const health = el("span", { id: "health" });
  const modelsBox = el("div", { id: "models" });
  const scanBox = el("div", { id: "scan" });
  const tablesBox = el("div", { id: "tables" });
  const form = {
    path: el("input", { name: "path", placeholder: "file in the models folder, e.g. yamnet.tflite", size: 36, required: true }),
    name: el("input", { name: "name", placeholder: "name (default: from the file)", size: 20 }),
    sample_rate: el("input", { name: "sample_rate", type: "number", placeholder: "rate (Hz)", size: 8 }),
    window_seconds: el("input", { name: "window_seconds", type: "number", step: "any", placeholder: "window (s)", size: 8 }),
    is_default: el("input", { name: "is_default", type: "checkbox" }),
  };

  async function register(body) {
    const m = await attempt(() => api("POST", "/admin/models", body), (r) => `Registered ${r.name} (${modelInput(r)})`);
    if (m) await refresh();
  }

  function submit(ev) {
    ev.preventDefault();
    const body = { path: form.path.value.trim(), is_default: form.is_default.checked };
    if (form.name.value.trim()) body.name = form.name.value.trim();
    if (form.sample_rate.value) body.sample_rate = Number(form.sample_rate.value);
    if (form.window_seconds.value) body.window_seconds = Number(form.window_seconds.value);
    register(body);
  }

  async function scan() {
    const found = await attempt(() => api("GET", "/admin/models/scan"));
    if (!found) return;
    scanBox.replaceChildren(found.length ? table(["file", "size", "type", "input", ""], found.map((s) => [
      basename(s.filename || s.path), `${num(Math.round(s.size_bytes / 1024))} KiB`, s.model_type || "", s.input_format || "",
      s.registered ? el("span.muted", {}, "registered") : el("button", { onclick: () => register({ path: s.path || s.filename }) }, "Register"),
    ])) : el("p.muted", {}, "No model files in the models folder."));
  }

  async function refresh() {
    const [h, models, tables] = await Promise.all([
      api("GET", "/health").then((r) => r.status).catch((e) => e.message), api("GET", "/admin/models"), api("GET", "/admin/tables")]);
    health.textContent = h;
    health.className = h === "ok" ? "ok" : "error";
    modelsBox.replaceChildren(models.length ? table(["name", "file", "type", "input", "default", "registered", ""], models.map((m) => [
      el("span", { title: m.description || "" }, m.display_name && m.display_name !== m.name ? `${m.name} (${m.display_name})` : m.name),
      basename(m.path), m.model_type || "", modelInput(m), m.is_default ? "✓ default" : "", when(m.created_at),
      el("span.actions", {},
        m.is_default ? null : el("button", { onclick: async () => { if (await attempt(() => api("POST", `/admin/models/${m.id}/set-default`), `${m.name} is now the default`)) refresh(); } }, "Set default"),
        el("button", { onclick: async () => {
          if (!confirm(`Delete model ${m.name}? Its embedding sets stay.`)) return;
          if (await attempt(() => api("DELETE", `/admin/models/${m.id}`), `Deleted ${m.name}`)) refresh();
        } }, "Delete")),
    ])) : el("p.muted", {}, "No models registered."));
    // The seed answers a list of {table, count}; an object of table: count is read too.
    const rows = Array.isArray(tables) ? tables.map((t) => [t.table, num(t.count)]) : Object.entries(tables || {}).map(([t, c]) => [t, num(c)]);
    tablesBox.replaceChildren(table(["table", "rows"], rows));
    return false;
  }

  container.append(
    el("section", {}, el("h2", {}, "Health: ", health)),
    el("section", {}, el("h2", {}, "Models"), modelsBox,
      el("h3", {}, "Register a model"),
      el("form.row", { id: "model-form", onsubmit: submit }, form.path, form.name, form.sample_rate, form.window_seconds,
        el("label", {}, form.is_default, " default"), el("button", { type: "submit" }, "Register")),
      el("h3", {}, "Models folder"), el("button", { onclick: scan }, "Scan for model files"), scanBox),
    el("section", {}, el("h2", {}, "Tables"), tablesBox));
  return { refresh };
}
