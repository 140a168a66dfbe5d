// Writes precompressed variants of the built assets beside them:
// NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9), for every JS, CSS,
// SVG and JSON file under frontend/dist/assets/. The server sends a variant
// as is when the browser accepts its encoding (internal/server/static.go),
// so nothing is compressed per request. A variant that would not be at
// least 10% smaller than the file is not written. Run by `npm run build`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const assets = fileURLToPath(new URL("../dist/assets", import.meta.url));
const compressible = /\.(?:js|mjs|css|svg|json)$/;

/** The variants of raw worth writing: [extension, bytes][]. */
export function variants(raw) {
  const out = [
    [".br", brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    })],
    [".gz", gzipSync(raw, { level: 9 })],
  ];
  return out.filter(([, b]) => b.length < raw.length * 0.9);
}

let files;
try {
  files = readdirSync(assets).filter((f) => compressible.test(f));
} catch {
  console.error("frontend/dist/assets not found: run `vite build` first");
  process.exit(1);
}
let written = 0;
for (const f of files) {
  const raw = readFileSync(join(assets, f));
  for (const [ext, bytes] of variants(raw)) {
    writeFileSync(join(assets, f + ext), bytes);
    written++;
  }
}
console.log(`compress: ${written} precompressed variants of ${files.length} assets (.br, .gz)`);
