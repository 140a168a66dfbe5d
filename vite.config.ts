import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import preact from "@preact/preset-vite";

const root = fileURLToPath(new URL("./frontend", import.meta.url));
const backend = process.env.CRMLENS_DEV_BACKEND ?? "http://127.0.0.1:8080";

// In `vite dev`, serve the sidebar entry at /sidebar/{slug} and the console at
// /admin as the Go server does.
const sidebarRoute: Plugin = {
  name: "crmlens-sidebar-route",
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url && /^\/sidebar\/[^/?]+/.test(req.url)) {
        const q = req.url.indexOf("?");
        req.url = "/sidebar.html" + (q >= 0 ? req.url.slice(q) : "");
      } else if (req.url && /^\/admin(\?|#|$)/.test(req.url)) {
        req.url = "/admin.html";
      }
      next();
    });
  },
};

export default defineConfig({
  root,
  // Keep Vite's and Vitest's caches in the root node_modules, not frontend/.
  cacheDir: fileURLToPath(new URL("./node_modules/.vite", import.meta.url)),
  // Absolute asset URLs: the sidebar page is served at /sidebar/{slug}.
  base: "/",
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false }), sidebarRoute],
  build: {
    outDir: "dist",
    // dist/README.md is committed (it keeps `go build` working); the npm build
    // script removes the old assets and HTML instead.
    emptyOutDir: false,
    target: "es2020",
    rolldownOptions: {
      input: {
        index: `${root}/index.html`,
        sidebar: `${root}/sidebar.html`,
        admin: `${root}/admin.html`,
      },
      output: {
        // Code both pages share (preact, the API client, i18n).
        chunkFileNames: "assets/shared-[hash].js",
      },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/readyz": backend,
      "/healthz": backend,
    },
  },
});
