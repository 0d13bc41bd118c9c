// Small DOM and formatting helpers shared by the views.

/** el("tag.class", {attr: v, onclick: f}, ...children): a DOM element. */
export function el(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const node = document.createElement(tag || "div");
  if (classes.length) node.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A table with a header row; rows are arrays of cells (strings or nodes). */
export function table(headers, rows, attrs) {
  return el("table", attrs || {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => (r instanceof Node ? r : el("tr", {}, r.map((c) => el("td", {}, c)))))));
}

const pad = (n) => String(n).padStart(2, "0");

/** "2026-12-03 10:45" in local time, with the full ISO string on hover. */
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return el("time", { datetime: iso, title: `${d.toLocaleString()} (${ago(d)})` }, text);
}

export function ago(d) {
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** Seconds as "m:ss.s" (or "h:mm:ss" for long spans). */
export function clock(seconds, decimals = 1) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "";
  const neg = seconds < 0 ? "-" : "";
  let s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, "0");
  return h ? `${neg}${h}:${pad(m)}:${sec}` : `${neg}${m}:${sec}`;
}

export function num(v, digits = 3) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(digits);
}

/** The last segment of a path: the API may hand out server paths, the page never shows them. */
export function basename(p) {
  if (!p) return "";
  const parts = String(p).split(/[\\/]/);
  return parts[parts.length - 1];
}

/** A status badge. */
export function badge(status) {
  return el(`span.badge.${status}`, {}, status);
}

/** Puts a message in the page's status line; errors stay until the next message. */
export function say(msg, kind) {
  const s = document.getElementById("status");
  s.textContent = msg || "";
  s.className = kind || "";
}

/** Runs an action, reporting its error in the status line; returns its value or undefined. */
export async function attempt(fn, okMessage) {
  try {
    const v = await fn();
    if (okMessage) say(typeof okMessage === "function" ? okMessage(v) : okMessage, "ok");
    return v;
  } catch (e) {
    say(e.message, "error");
    return undefined;
  }
}

/** Fills a <select> with options, keeping the user's choice when it is still offered (no snapping back). */
export function fillSelect(select, options, placeholder) {
  const current = select.multiple ? new Set([...select.selectedOptions].map((o) => o.value)) : select.value;
  const wanted = options.map((o) => `${o.value}\u0000${o.label}\u0000${o.disabled ? 1 : 0}`).join("\u0001");
  if (select.dataset.fill === wanted + (placeholder || "")) return;
  select.dataset.fill = wanted + (placeholder || "");
  const nodes = options.map((o) => el("option", { value: o.value, disabled: o.disabled || false, title: o.title }, o.label));
  if (placeholder !== undefined) nodes.unshift(el("option", { value: "" }, placeholder));
  select.replaceChildren(...nodes);
  if (select.multiple) {
    for (const o of select.options) o.selected = current.has(o.value);
  } else if ([...select.options].some((o) => o.value === current)) {
    select.value = current;
  }
}

/** The display name of an audio file: folder/filename. */
export function fileLabel(f) {
  if (!f) return "";
  return (f.folder_path ? f.folder_path + "/" : "") + (f.filename || f.id);
}
