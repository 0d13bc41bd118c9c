// Runs `npm ci` when node_modules is missing or older than package-lock.json, so every Maven build has the web app's
// exact locked dependencies without reinstalling them each time.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("..", import.meta.url));
const lock = `${dir}/package-lock.json`;
const installed = `${dir}/node_modules/.package-lock.json`;
if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
  process.exit(0);
}
console.log("humpback web app: npm ci (node_modules missing or older than package-lock.json)");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit" });
process.exit(r.status === null ? 1 : r.status);
