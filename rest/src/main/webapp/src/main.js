// The humpback web app: one view at a time, chosen by the URL's hash (#/audio, #/results/<job id>, ...). A view is
// built once when opened; its refresh() only updates lists, so forms and selections keep what the user chose.
import { setToken, token } from "./api.js";
import { say } from "./util.js";
import * as audio from "./views/audio.js";
import * as processing from "./views/processing.js";
import * as clustering from "./views/clustering.js";
import * as results from "./views/results.js";
import * as cluster from "./views/cluster.js";
import * as admin from "./views/admin.js";

const VIEWS = { audio, processing, clustering, results, cluster, admin };

let current = null;
let timer = null;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const name = VIEWS[parts[0]] ? parts[0] : "audio";
  return { name, args: parts.slice(1) };
}

async function open() {
  const { name, args } = parseHash();
  if (current && current.dispose) current.dispose();
  clearTimeout(timer);
  say("");
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", a.dataset.view === name || (name === "cluster" && a.dataset.view === "results"));
  }
  const container = document.getElementById("view");
  container.replaceChildren();
  const view = VIEWS[name].open(container, args);
  current = view;
  document.title = `humpback · ${name}`;
  loop(view);
}

/** Refreshes the open view: every 2 s while it reports work in progress, every 10 s otherwise. */
async function loop(view) {
  if (view !== current) return;
  let busy = false;
  try {
    busy = view.refresh ? await view.refresh() : false;
  } catch (e) {
    say(e.message, "error");
  }
  if (view !== current) return;
  timer = setTimeout(() => loop(view), busy ? 2000 : 10_000);
}

const tokenInput = document.getElementById("token");
tokenInput.value = token();
tokenInput.addEventListener("change", () => { setToken(tokenInput.value); open(); });
window.addEventListener("hashchange", open);
open();
