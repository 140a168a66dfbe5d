// Removes the previous build's output but keeps frontend/dist/README.md,
// the committed placeholder that lets `go build` embed dist/ before a build.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist", import.meta.url));
let entries = [];
try {
  entries = readdirSync(dist);
} catch {
  process.exit(0);
}
for (const name of entries) {
  if (name === "assets" || name.endsWith(".html")) {
    rmSync(join(dist, name), { recursive: true, force: true });
  }
}
