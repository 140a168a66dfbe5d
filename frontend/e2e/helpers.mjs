// Shared by the e2e tests (frontend/e2e/*.test.mjs): where the binary and
// chromium are, the skip/fail rule, free ports, polling, starting and stopping
// `crmlens`, and launching chromium. Not a test file itself.
//
// Env: CRMLENS_BIN (default bin/crmlens), CHROMIUM_PATH (default
// /usr/bin/chromium), CI=true to fail instead of skipping when chromium or the
// binary is missing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const bin = resolve(repo, process.env.CRMLENS_BIN || "bin/crmlens");
export const inCI = process.env.CI === "true";
export const TIMEOUT = 15_000;

/** Why the e2e tests cannot run here, or null. */
export function missing() {
  if (!existsSync(chromiumPath)) return "install chromium: apt-get install chromium";
  if (!existsSync(bin)) return `build the server first: go build -o bin/crmlens ./cmd/crmlens (no binary at ${bin})`;
  return null;
}

/**
 * The skip option for a file's describe(): the reason to skip, or false. In CI
 * a missing prerequisite is a failing test instead of a skip.
 */
export function skipUnlessReady() {
  const why = missing();
  if (why && inCI) test("e2e prerequisites", () => assert.fail(why));
  return why && !inCI ? why : false;
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Waits ms (for retry loops only: tests wait for events, never for time). */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves in frame (a playwright Frame or Page) after its next paint and
 * the tasks queued before it: Preact runs effects (useEffect) then, so what
 * a message or click handled before this call led to is on the page.
 */
export const afterNextPaint = (frame) => frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));

/** Polls fn until it returns a truthy value; fails with message after the timeout. */
export async function eventually(fn, message, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) assert.fail(`${message}${last ? ` (last error: ${last.message})` : ""}`);
    await sleep(100);
  }
}

/** Runs `crmlens ...args` to completion; fails with its output unless it exits 0. */
export function runCli(args, { cwd, env }) {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", fail);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) ok(output);
      else fail(new Error(`crmlens ${args.join(" ")} exited (${code ?? signal}):\n${output}`));
    });
  });
}

/**
 * Starts `crmlens ...args` (e.g. serve --demo) and waits until GET /readyz
 * answers 200. Returns { proc, output() }; stop it with stopProcess.
 */
export async function startServer(args, { cwd, env, base }) {
  const proc = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  let exited = null;
  proc.on("exit", (code, signal) => (exited = { code, signal }));
  const server = { proc, output: () => output };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) assert.fail(`crmlens ${args.join(" ")} exited (${JSON.stringify(exited)}):\n${output}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc);
      assert.fail(`GET /readyz did not answer 200 within 30 s:\n${output}`);
    }
    await sleep(200);
  }
  return server;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopProcess(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await gone;
  clearTimeout(t);
}

/** Headless chromium with the flags every e2e test uses. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Starts `crmlens serve --demo` on its own temporary database and port, and
 * a browser context of viewport. Returns { base, context, browser, output, stop }
 * (browser for more contexts: other viewports, colour schemes; output() is
 * what the server printed so far); call stop() in after().
 */
export async function startDemo(prefix, viewport) {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  let server;
  let browser;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await stopProcess(server?.proc);
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(["serve", "--demo"], {
      cwd: tmp,
      base,
      env: { CRMLENS_ADDR: `127.0.0.1:${port}`, CRMLENS_DATABASE_URL: `sqlite://${join(tmp, "crmlens.db")}` },
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(TIMEOUT);
    return { base, context, browser, output: server.output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The demo's conversations (GET /api/v1/playground/conversations), at least two. */
export async function demoConversations(base) {
  const r = await fetch(`${base}/api/v1/playground/conversations`);
  assert.equal(r.status, 200, "GET /api/v1/playground/conversations");
  const { conversations } = await r.json();
  assert.ok(conversations.length >= 2, "the demo has at least two conversations");
  return conversations;
}

/** url with query param key set to value (replacing any), its other bytes untouched. */
export function withParam(url, key, value) {
  const re = new RegExp(`([?&])${key}=[^&]*`);
  return re.test(url) ? url.replace(re, `$1${key}=${value}`) : url + (url.includes("?") ? "&" : "?") + `${key}=${value}`;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.x A/AA rules and best practices) in page's main
 * frame and returns { violations, passes, serious } where serious are the
 * violations of impact serious or critical, each as "rule-id (impact): n
 * nodes, e.g. <html>". The script is evaluated through the DevTools
 * protocol, so the page's CSP does not stop it.
 */
export async function runAxe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  const describe = (v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.html ?? ""} — ${v.help}`;
  return {
    violations: result.violations.map(describe),
    passes: result.passes.length,
    serious: result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map(describe),
  };
}

/**
 * Every string in the JS heap of page's renderer after a garbage collection
 * (a V8 heap snapshot through the DevTools protocol). Frames of the same
 * site share that heap, so a same-site iframe's strings are in it too.
 */
export async function heapStrings(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const chunks = [];
    cdp.on("HeapProfiler.addHeapSnapshotChunk", (e) => chunks.push(e.chunk));
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    return JSON.parse(chunks.join("")).strings;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * An init script (page.addInitScript(recordFrames)): records each state the
 * sidebar's #app goes through — "blank" (no element in it), "skeleton"
 * (data-state="loading", the page's and the App's), "name:<contact>" (a
 * linked contact's header), else the data-state the App set ("not-linked",
 * "error:<code>", "waiting", "rejected") — keeping only the changes, in
 * window.__frames of each frame. A MutationObserver sees every state the DOM
 * is left in at the end of a task, so every state a paint can show: nothing
 * depends on when the browser gets to paint (a busy machine skips frames).
 */
export function recordFrames() {
  if (window.__frames) return;
  window.__frames = [];
  const sample = () => {
    const app = document.querySelector("div#app");
    if (!app) return;
    const main = app.firstElementChild;
    const phase = main?.getAttribute("data-state");
    const name = app.querySelector('[data-testid="contact-name"]')?.textContent;
    const code = app.querySelector('[data-testid="state-error"]')?.getAttribute("data-code");
    const state = !main
      ? "blank"
      : phase === "loading"
        ? "skeleton"
        : phase === "linked" && name
          ? `name:${name}`
          : phase === "error"
            ? `error:${code}`
            : (phase ?? "other");
    if (window.__frames[window.__frames.length - 1] !== state) window.__frames.push(state);
  };
  // From the document's start: the parser inserting #app is observed too.
  new MutationObserver(sample).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}
