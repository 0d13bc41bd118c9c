// Every call to the humpback API goes through here, with the optional bearer token (kept in localStorage).
const TOKEN_KEY = "humpback.token";

export function token() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(t) {
  localStorage.setItem(TOKEN_KEY, t || "");
}

function headers(extra) {
  const h = { ...(extra || {}) };
  if (token()) h.Authorization = "Bearer " + token();
  return h;
}

/** JSON in and out; a non-2xx answer throws an Error carrying the API's `detail`. */
export async function api(method, path, body) {
  const init = { method, headers: headers() };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const detail = data && data.detail ? (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail))
      : res.statusText;
    const err = new Error(`${res.status}: ${detail}`);
    err.status = res.status;
    throw err;
  }
  return data;
}

/** Uploads one file with progress callbacks (fetch has no upload progress; XMLHttpRequest does). */
export function upload(file, folderPath, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    if (folderPath) form.append("folder_path", folderPath);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/audio/upload");
    if (token()) xhr.setRequestHeader("Authorization", "Bearer " + token());
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new Error(`${xhr.status}: ${data && data.detail ? data.detail : xhr.statusText}`));
    };
    xhr.onerror = () => reject(new Error("network error"));
    xhr.send(form);
  });
}

const blobUrls = new Map();

/**
 * A URL an <audio> or <img> element can load. Without a token that is the API path itself (the browser can then
 * seek with Range requests); with one, the element cannot send the header, so the bytes are fetched and wrapped.
 */
export async function mediaUrl(path) {
  if (!token()) return path;
  if (blobUrls.has(path)) return blobUrls.get(path);
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw new Error(`${res.status}: ${path}`);
  const url = URL.createObjectURL(await res.blob());
  blobUrls.set(path, url);
  return url;
}

/** Saves an API response as a file (used for exports, which need the token too); a body is POSTed as JSON. */
export async function download(path, filename, body) {
  const init = body === undefined ? { headers: headers() }
    : { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) };
  const res = await fetch(path, init);
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new Error(`${res.status}: ${data && data.detail ? data.detail : res.statusText}`);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const windowWav = (audioId, start, duration) =>
  `/audio/${encodeURIComponent(audioId)}/window?start_s=${fmtNum(start)}&duration_s=${fmtNum(duration)}&normalize=true`;

export const spectrogramPng = (audioId, start, duration, width = 640, height = 320) =>
  `/audio/${encodeURIComponent(audioId)}/spectrogram.png?start_s=${fmtNum(start)}&duration_s=${fmtNum(duration)}`
  + `&width=${width}&height=${height}`;

function fmtNum(v) {
  return String(Math.round(v * 1e6) / 1e6);
}
