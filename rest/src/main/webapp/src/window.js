// One window of audio: its spectrogram, a player for its slice, and "find similar" over the embeddings.
import { api, mediaUrl, windowWav, spectrogramPng } from "./api.js";
import { el, clock, num, attempt, fileLabel } from "./util.js";

/**
 * Shows window w ({embedding_set_id, row_index, audio_file_id, start_s, end_s}) in host; files maps audio ids to
 * records (for names). Plays at once unless autoplay is false; lists the most similar windows at once when similar.
 */
export async function showWindow(host, w, files, { autoplay = true, similar = false } = {}) {
  const duration = Math.max(0.05, (w.end_s ?? w.start_s + 5) - w.start_s);
  const title = el("h3", {}, `${fileLabel(files.get(w.audio_file_id)) || w.audio_file_id} · ${clock(w.start_s)}–${clock(w.start_s + duration)}`);
  const img = el("img.spectrogram", { alt: "log-mel spectrogram of the window", width: 640, height: 320 });
  const audio = el("audio", { controls: true, preload: "auto" });
  const similarBox = el("div.similar");
  const findButton = el("button.find-similar", { onclick: () => findSimilar(host, w, files, similarBox) }, "Find similar");
  host.replaceChildren(title, img, el("div.row", {}, audio, findButton,
    el("span.muted", {}, ` set ${w.embedding_set_id.slice(0, 8)}, window ${w.row_index}`)), similarBox);
  const searching = similar ? findSimilar(host, w, files, similarBox) : null;
  await attempt(async () => {
    img.src = await mediaUrl(spectrogramPng(w.audio_file_id, w.start_s, duration));
    audio.src = await mediaUrl(windowWav(w.audio_file_id, w.start_s, duration));
    if (autoplay) audio.play().catch(() => {});
  });
  await searching;
}

async function findSimilar(host, w, files, box) {
  box.replaceChildren(el("p.muted", {}, "searching…"));
  const r = await attempt(() => api("POST", "/search/similar", { embedding_set_id: w.embedding_set_id, row_index: w.row_index, k: 11 }));
  if (!r) { box.replaceChildren(); return; }
  const rows = r.results.map((s, i) => el("tr", { class: i === 0 ? "query" : "" },
    el("td", {}, i === 0 ? "this window" : String(i)),
    el("td", {}, fileLabel(files.get(s.audio_file_id)) || s.audio_file_id),
    el("td", {}, `${clock(s.start_s)}–${clock(s.end_s)}`),
    el("td", {}, num(s.score, 3)),
    el("td", {}, el("button", { onclick: () => showWindow(host, s, files) }, "▶"))));
  box.replaceChildren(el("h4", {}, "Most similar windows (cosine of embeddings)"),
    el("table.similar-results", {}, el("thead", {}, el("tr", {}, ["", "file", "time", "score", ""].map((h) => el("th", {}, h)))), el("tbody", {}, rows)));
}

/** A small card with a spectrogram thumbnail and a play button, for grids of windows. */
export function windowCard(w, files, onOpen) {
  const duration = Math.max(0.05, w.end_s - w.start_s);
  const img = el("img", { alt: "spectrogram", width: 240, height: 120, loading: "lazy" });
  const audio = el("audio", { preload: "none" });
  const play = el("button", { onclick: async () => {
    if (!audio.src) audio.src = await mediaUrl(windowWav(w.audio_file_id, w.start_s, duration));
    if (audio.paused) { document.querySelectorAll(".card audio").forEach((a) => a.pause()); audio.play().catch(() => {}); play.textContent = "❚❚"; }
    else { audio.pause(); play.textContent = "▶"; }
  } }, "▶");
  audio.addEventListener("ended", () => { play.textContent = "▶"; });
  mediaUrl(spectrogramPng(w.audio_file_id, w.start_s, duration, 240, 120)).then((u) => { img.src = u; }).catch(() => {});
  return el("div.card", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); onOpen(w); } }, img),
    el("div.row", {}, play, audio, el("span.muted", {}, `${fileLabel(files.get(w.audio_file_id)).slice(-28)} ${clock(w.start_s)}`)));
}
