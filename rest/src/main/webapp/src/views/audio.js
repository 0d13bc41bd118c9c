// Audio: upload many files (or a whole folder, keeping its sub-folders) into a folder, browse the folder tree, play a
// recording, edit its metadata as JSON.
import { api, upload, mediaUrl } from "../api.js";
import { el, table, when, clock, say, attempt, fileLabel } from "../util.js";

const METADATA_FIELDS = ["tag_data", "visual_observations", "group_composition", "prey_density_proxy"];
const AUDIO_NAME = /\.(wav|wave|mp3|flac|ogg|oga|opus|aif|aiff|aifc|m4a|mp4|caf|w64|au|snd)$/i;

/** Every audio file (the API pages by 10,000 at most). */
export async function allAudio() {
  const out = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await api("GET", `/audio/?limit=10000&offset=${offset}`);
    out.push(...page);
    if (page.length < 10_000) return out;
  }
}

export function open(container) {
  let folder = null; // null = every folder
  let files = [];
  const fileInput = el("input", { type: "file", multiple: true, accept: "audio/*,.wav,.mp3,.flac,.ogg,.oga,.aif,.aiff,.m4a", name: "files" });
  // A folder chosen whole: its files go under their own sub-folders (the browser gives each file's relative path).
  const dirInput = el("input", { type: "file", multiple: true, webkitdirectory: true, name: "folder" });
  const folderInput = el("input", { type: "text", name: "folder_path", placeholder: "folder, e.g. hawaii/2024", size: 28 });
  const progress = el("ul.upload-progress");
  const tree = el("ul.folders");
  const list = el("div");
  const player = el("div.player");
  const editor = el("div.editor");

  async function doUpload(ev) {
    ev.preventDefault();
    const into = folderInput.value.trim();
    const inFolder = [...dirInput.files];
    // Only audio by its name from a folder (folders hold notes, images, logs); the server still checks the bytes.
    const audioInFolder = inFolder.filter((f) => AUDIO_NAME.test(f.name));
    const chosen = [...[...fileInput.files].map((f) => ({ f, folder: into })),
      ...audioInFolder.map((f) => ({ f, folder: [into, ...f.webkitRelativePath.split("/").slice(0, -1)].filter(Boolean).join("/") }))];
    if (!chosen.length) {
      say(inFolder.length ? `No audio files in the chosen folder (${inFolder.length} other files)` : "Choose audio files or a folder first", "error");
      return;
    }
    progress.replaceChildren();
    if (inFolder.length > audioInFolder.length) progress.append(el("li.muted", {}, `${inFolder.length - audioInFolder.length} files of the folder are not audio by their names: skipped`));
    let ok = 0;
    for (const [i, { f, folder: target }] of chosen.entries()) {
      const name = target ? `${target}/${f.name}` : f.name;
      const line = el("li", {}, `${name}: waiting`);
      progress.append(line);
      try {
        const rec = await upload(f, target, (p) => { line.textContent = `${name}: ${Math.round(p * 100)} %`; });
        line.textContent = `${name}: stored (${clock(rec.duration_seconds)})`;
        line.className = "ok";
        ok++;
      } catch (e) {
        line.textContent = `${name}: ${e.message}`;
        line.className = "error";
      }
      say(`Uploaded ${ok} of ${i + 1} (${chosen.length} chosen)`, ok === i + 1 ? "ok" : "error");
    }
    fileInput.value = "";
    dirInput.value = "";
    await refresh();
  }

  function play(f) {
    player.replaceChildren(el("h3", {}, "Playing ", fileLabel(f)), el("p.muted", {}, "loading…"));
    attempt(async () => {
      const audio = el("audio", { controls: true, preload: "auto", src: await mediaUrl(`/audio/${f.id}/download`) });
      player.replaceChildren(el("h3", {}, fileLabel(f)), audio);
      audio.play().catch(() => {});
    });
  }

  function editMetadata(f) {
    const current = {};
    for (const k of METADATA_FIELDS) current[k] = f.metadata ? f.metadata[k] ?? null : null;
    const area = el("textarea", { rows: 12, cols: 70, spellcheck: false, name: "metadata" }, JSON.stringify(current, null, 2));
    const msg = el("span.muted");
    const save = el("button", {
      onclick: async () => {
        let body;
        try { body = JSON.parse(area.value); } catch (e) { msg.textContent = "Not valid JSON: " + e.message; msg.className = "error"; return; }
        const saved = await attempt(() => api("PUT", `/audio/${f.id}/metadata`, body), `Metadata of ${f.filename} saved`);
        if (saved) { msg.textContent = "saved"; msg.className = "ok"; await refresh(); }
      },
    }, "Save metadata");
    editor.replaceChildren(el("h3", {}, "Metadata of ", fileLabel(f)),
      el("p.muted", {}, "Four fields, each a JSON object or null; e.g. {\"tag_data\": {\"label\": \"song\"}}. "
        + "A field left out keeps its value."),
      area, el("div", {}, save, " ", el("button", { onclick: () => editor.replaceChildren() }, "Close"), " ", msg));
    area.focus();
  }

  /** Every folder and its ancestors, with the number of files in it and below it. */
  function folders() {
    const counts = new Map();
    for (const f of files) {
      const parts = (f.folder_path || "").split("/").filter(Boolean);
      if (!parts.length) counts.set("", (counts.get("") || 0) + 1);
      for (let d = 1; d <= parts.length; d++) {
        const path = parts.slice(0, d).join("/");
        counts.set(path, (counts.get(path) || 0) + 1);
      }
    }
    return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  const inside = (f) => folder === null || (folder === "" ? !f.folder_path
    : f.folder_path === folder || (f.folder_path || "").startsWith(folder + "/"));

  function render() {
    const items = [el("li", { class: folder === null ? "active" : "" },
      el("a", { href: "#/audio", onclick: (e) => { e.preventDefault(); folder = null; render(); } }, `All files (${files.length})`))];
    for (const [name, n] of folders()) {
      const depth = name ? name.split("/").length - 1 : 0;
      items.push(el("li", { class: folder === name ? "active" : "", style: `padding-left:${depth}em`, title: name, dataset: { folder: name } },
        el("a", { href: "#/audio", onclick: (e) => { e.preventDefault(); folder = name; render(); } },
          `${name ? name.split("/").pop() : "(no folder)"} (${n})`)));
    }
    tree.replaceChildren(...items);
    const shown = files.filter(inside);
    const rows = shown.map((f) => [
      f.filename, f.folder_path || "", clock(f.duration_seconds), f.sample_rate_original ? `${f.sample_rate_original} Hz` : "",
      metadataSummary(f.metadata), when(f.created_at),
      el("span.actions", {}, el("button", { onclick: () => play(f), title: "Play the whole recording" }, "▶ Play"),
        el("button", { onclick: () => editMetadata(f) }, "Metadata"),
        el("a", { href: "#/processing", onclick: () => sessionStorage.setItem("humpback.encode", f.id) }, "Encode…")),
    ]);
    list.replaceChildren(shown.length ? table(["file", "folder", "duration", "rate", "metadata", "uploaded", ""], rows, { id: "audio-table" })
      : el("p.muted", {}, "No audio files yet: upload some above."));
  }

  async function refresh() {
    files = await allAudio();
    render();
    return false;
  }

  container.append(
    el("section", {},
      el("h2", {}, "Upload audio"),
      el("form.row", { id: "upload-form", onsubmit: doUpload }, el("label", {}, "Files ", fileInput), el("label", {}, "or a folder ", dirInput),
        el("label", {}, "into ", folderInput), el("button", { type: "submit" }, "Upload")),
      el("p.muted", {}, "WAV, MP3, FLAC, Ogg/Vorbis, AIFF or M4A; choose many at once, or a whole folder (its sub-folders are kept"
        + " under the folder given). The same recording uploaded twice is stored once."),
      progress),
    el("section.split", {},
      el("div.side", {}, el("h2", {}, "Folders"), tree),
      el("div.main", {}, el("h2", {}, "Recordings"), list, player, editor)));
  return { refresh };
}

function metadataSummary(m) {
  if (!m) return "";
  const keys = METADATA_FIELDS.filter((k) => m[k] !== null && m[k] !== undefined);
  return keys.map((k) => `${k}: ${Object.keys(m[k]).join(", ")}`).join("; ");
}
