// The sidebar's size budget: the JS and CSS the sidebar page loads (every
// /assets/ file frontend/dist/sidebar.html references, and the chunks those
// import; the admin console and the playground are other entries and do not
// count), gzipped at level 9, must stay within 35 KB. It also checks that
// each of those files has its precompressed .br and .gz variants
// (scripts/compress.mjs) and that they decode to the file, since the server
// sends them as they are.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";

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

const kb = (n) => (n / 1024).toFixed(1).padStart(6);
const problems = [];
let total = 0;
let served = { br: 0, gz: 0 };
console.log(`${"file".padEnd(40)} ${"raw".padStart(9)} ${"gzip -9".padStart(9)} ${"sent .br".padStart(9)} ${"sent .gz".padStart(9)}`);
for (const f of [...files].sort()) {
  const raw = readFileSync(join(dist, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  const sizes = {};
  for (const [ext, decode] of [["br", brotliDecompressSync], ["gz", gunzipSync]]) {
    const p = join(dist, `${f}.${ext}`);
    if (!existsSync(p)) {
      problems.push(`${f}.${ext} is missing: the build must run scripts/compress.mjs`);
      continue;
    }
    const bytes = readFileSync(p);
    if (!decode(bytes).equals(raw)) problems.push(`${f}.${ext} does not decode to ${f}: rebuild`);
    sizes[ext] = bytes.length;
    served[ext] += bytes.length;
  }
  console.log(`${f.padEnd(40)} ${kb(raw.length)} KB ${kb(gz)} KB ${kb(sizes.br ?? 0)} KB ${kb(sizes.gz ?? 0)} KB`);
}
console.log(
  `sidebar JS+CSS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB); ` +
    `sent precompressed: ${(served.br / 1024).toFixed(1)} KB brotli, ${(served.gz / 1024).toFixed(1)} KB gzip`,
);
if (total > BUDGET) problems.push(`over budget: ${(total / 1024).toFixed(1)} KB > ${BUDGET / 1024} KB`);
for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
