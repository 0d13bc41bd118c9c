// Builds the single-page app from src/main/webapp into target/webapp/web, which Maven adds to the jar's resources
// (served by rest at /). Fixed file names (app.js, style.css): the API token filter lets exactly these through.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("./src/main/webapp"),
  base: "/",
  logLevel: "warn",
  build: {
    outDir: here("./target/webapp/web"),
    emptyOutDir: true,
    target: "es2022",
    modulePreload: false,
    rollupOptions: {
      output: {
        entryFileNames: "app.js",
        chunkFileNames: "app-[name].js",
        assetFileNames: "[name][extname]",
        inlineDynamicImports: true,
      },
    },
  },
  server: {
    // `npm run dev` next to a running `./humpback serve`: the API stays on its port.
    proxy: Object.fromEntries(["/audio", "/processing", "/clustering", "/admin", "/search", "/health", "/openapi", "/docs"]
      .map((p) => [p, "http://127.0.0.1:8000"])),
  },
});
