// @vitest-environment node
// Fails when schema.d.ts no longer matches openapi.yaml: run `npm run generate`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../../..");

it("schema.d.ts is generated from the current openapi.yaml", () => {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("openapi-typescript/package.json");
  const cli = join(dirname(pkg), (require(pkg) as { bin: Record<string, string> }).bin["openapi-typescript"]!);
  const tmp = mkdtempSync(join(tmpdir(), "crmlens-schema-"));
  try {
    const out = join(tmp, "schema.d.ts");
    execFileSync(process.execPath, [cli, join(repo, "openapi.yaml"), "-o", out], { cwd: repo, stdio: "pipe" });
    const fresh = readFileSync(out, "utf8");
    const committed = readFileSync(join(here, "schema.d.ts"), "utf8");
    expect(committed === fresh, "frontend/src/api/schema.d.ts is stale: run `npm run generate`").toBe(true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 30_000);
