// Prints the gzipped size of the JS and CSS the sidebar page loads (every
// /assets/ file frontend/dist/sidebar.html references, shared chunks included)
// and fails when it is over the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET = 35 * 1024;
const dist = fileURLToPath(new URL("../dist", import.meta.url));

let html;
try {
  html = readFileSync(join(dist, "sidebar.html"), "utf8");
} catch {
  console.error("frontend/dist/sidebar.html not found: run `npm run build` first");
  process.exit(1);
}

const files = new Set();
for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)) files.add(m[1]);
// Chunks imported by the entry chunk are loaded too.
const queue = [...files].filter((f) => f.endsWith(".js"));
while (queue.length) {
  const js = readFileSync(join(dist, queue.pop()), "utf8");
  for (const m of js.matchAll(/["'`](?:\.\/|\/assets\/)([\w.-]+\.(?:js|css))["'`]/g)) {
    const f = `assets/${m[1]}`;
    if (!files.has(f)) {
      files.add(f);
      if (f.endsWith(".js")) queue.push(f);
    }
  }
}
if (files.size === 0) {
  console.error("sidebar.html references no assets");
  process.exit(1);
}

let total = 0;
for (const f of [...files].sort()) {
  const raw = readFileSync(join(dist, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`${f.padEnd(40)} ${(raw.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzip`);
}
console.log(`sidebar JS+CSS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
