// End-to-end: the sidebar as a Chatwoot dashboard app. A tiny node server
// plays Chatwoot's agent dashboard (the parent window): it frames
// /sidebar/cw-e2e, answers the page's "chatwoot-dashboard-app:fetch-info"
// with an appContext, and lets the test send others (window.sendContext).
// The integration is created with the CLI, without a Chatwoot API token, so
// crmlens trusts the secret URL (protection: low; see README.md, "Chatwoot
// dashboard app"). Build first, as for sidebar.test.mjs:
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && npm run test:e2e
//
// Env: see helpers.mjs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  eventually,
  freePort,
  heapStrings,
  launchBrowser,
  recordFrames,
  runCli,
  skipUnlessReady,
  sleep,
  startServer,
  stopProcess,
  TIMEOUT,
} from "./helpers.mjs";

const skip = skipUnlessReady();

const SLUG = "cw-e2e";
const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";

/** A Chatwoot appContext for demo contact #n (its identifier is the contact's external_id). */
function appContext(n, { conversation = n } = {}) {
  return {
    event: "appContext",
    data: {
      conversation: { id: conversation, account_id: 1 },
      contact: { id: n, name: `Chatwoot contact ${n}`, identifier: `demo-contact-${String(n).padStart(6, "0")}` },
      currentAgent: { id: 7, name: "E2E Agent", email: "agent@example.com" },
    },
  };
}

/** JSON that is safe inside an inline <script>. */
const scriptJson = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

/**
 * The fake Chatwoot dashboard: frames the sidebar, records what the frame
 * posts (window.received), answers fetch-info with the current context (the
 * `ctx` query param, JSON; none without it) as a JSON string, as Chatwoot does,
 * and exposes window.sendContext(ctx, {raw}) to send another one.
 */
function parentPage(crmlens, initial) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fake Chatwoot dashboard</title>
<script>
const CRMLENS = ${scriptJson(crmlens)};
let current = ${scriptJson(initial)};
window.received = [];
const app = () => document.getElementById("app").contentWindow;
window.sendContext = (ctx, { raw = false } = {}) => {
  current = ctx;
  app().postMessage(raw ? ctx : JSON.stringify(ctx), CRMLENS);
};
addEventListener("message", (ev) => {
  if (ev.source !== app()) return;
  received.push({ origin: ev.origin, data: ev.data });
  if (ev.origin === CRMLENS && ev.data === ${scriptJson(FETCH_INFO)} && current) {
    app().postMessage(JSON.stringify(current), CRMLENS);
  }
});
</script>
</head>
<body>
<iframe id="app" src="${crmlens}/sidebar/${SLUG}" width="420" height="760"></iframe>
</body>
</html>`;
}

function startParent(port, crmlens) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    const raw = url.searchParams.get("ctx");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(parentPage(crmlens, raw ? JSON.parse(raw) : null));
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok(server));
  });
}

const closeServer = (s) => new Promise((r) => (s ? s.close(() => r()) : r()));

describe("crmlens as a Chatwoot dashboard app", { skip }, () => {
  let tmp;
  let crmlens; // http://127.0.0.1:A, the sidebar
  let chatwoot; // http://127.0.0.1:B, the integration's origin
  let stranger; // http://127.0.0.1:C, not one of its origins
  let server;
  let parents = [];
  let browser;
  let context;
  let name1;
  let name2;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "crmlens-e2e-cw-"));
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    crmlens = `http://127.0.0.1:${a}`;
    chatwoot = `http://127.0.0.1:${b}`;
    stranger = `http://127.0.0.1:${c}`;
    const env = {
      CRMLENS_ADDR: `127.0.0.1:${a}`,
      CRMLENS_DATABASE_URL: `sqlite://${join(tmp, "crmlens.db")}`,
    };
    await runCli(["migrate"], { cwd: tmp, env });
    await runCli(["integration", "create", "--slug", SLUG, "--kind", "chatwoot", "--origin", chatwoot], {
      cwd: tmp,
      env,
    });
    server = await startServer(["serve", "--demo"], { cwd: tmp, env, base: crmlens });
    parents = [await startParent(b, crmlens), await startParent(c, crmlens)];

    const r = await fetch(`${crmlens}/api/v1/playground/conversations`);
    assert.equal(r.status, 200, "GET /api/v1/playground/conversations");
    const { conversations } = await r.json();
    assert.ok(conversations.length >= 2, "the demo has at least two conversations");
    // Demo conversation i is contact #i's (external id demo-contact-00000i).
    assert.match(conversations[0].id, /0*1$/, "the first demo conversation is contact #1's");
    assert.match(conversations[1].id, /0*2$/, "the second demo conversation is contact #2's");
    [name1, name2] = [conversations[0].visitorName, conversations[1].visitorName];
    assert.ok(name1 && name2 && name1 !== name2, `two distinct demo names: ${name1}, ${name2}`);

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    context.setDefaultTimeout(TIMEOUT);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await Promise.all(parents.map(closeServer));
    await stopProcess(server?.proc);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Opens the fake dashboard at origin with the given first context. Records
   * uncaught errors (of every frame), console output and the session requests
   * the sidebar makes; every frame counts the messages it receives
   * (window.__seen) without touching the page's own listener.
   */
  async function openParent(origin, initial, { setup } = {}) {
    const page = await context.newPage();
    const errors = [];
    const consoleLines = [];
    const sessions = [];
    page.on("pageerror", (e) => errors.push(e));
    page.on("console", (m) => consoleLines.push(m.text()));
    page.on("request", (req) => {
      if (req.url().startsWith(`${crmlens}/api/v1/sidebar/sessions`)) sessions.push(req);
    });
    await page.addInitScript(() => {
      window.__seen = [];
      addEventListener("message", (ev) => window.__seen.push({ origin: ev.origin, data: ev.data }));
    });
    if (setup) await setup(page);
    const query = initial ? `?ctx=${encodeURIComponent(JSON.stringify(initial))}` : "";
    await page.goto(`${origin}/${query}`);
    const frame = page.frameLocator("#app");
    const childFrame = async () => (await page.locator("#app").elementHandle()).contentFrame();
    return { page, frame, childFrame, errors, consoleLines, sessions };
  }

  /** The fetch-info requests the dashboard got from the sidebar. */
  const fetchInfos = (page) =>
    page.evaluate((msg) => window.received.filter((m) => m.data === msg), FETCH_INFO);

  /** The sidebar waits for a context: shows the waiting state, made no session, shows nobody. */
  async function assertStillWaiting({ frame, childFrame, sessions }) {
    const waiting = frame.getByTestId("waiting-message");
    await waiting.waitFor();
    assert.match(await waiting.textContent(), /Waiting for Chatwoot/);
    assert.equal(await frame.getByTestId("contact-name").count(), 0, "no contact is shown");
    const html = await (await childFrame()).evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(name1) && !html.includes(name2), "no demo contact's name is in the sidebar's DOM");
    assert.equal(sessions.length, 0, "the sidebar asked for no session");
  }

  test("the context from the dashboard shows the linked contact, and follows a conversation switch", async () => {
    const opened = await openParent(chatwoot, appContext(1));
    const { page, frame, childFrame, errors } = opened;

    const name = frame.getByTestId("contact-name");
    await name.waitFor();
    assert.equal((await name.textContent()).trim(), name1, "contact #1 is shown");
    const asked = await fetchInfos(page);
    assert.ok(asked.length >= 1, "the sidebar asked its parent for the context");
    assert.ok(
      asked.every((m) => m.origin === crmlens),
      `fetch-info came from the sidebar: ${JSON.stringify(asked)}`,
    );

    const reason = (await frame.getByTestId("match-reason").textContent()).trim();
    const matchedOn = (await frame.getByTestId("matched-on").textContent()).trim();
    assert.match(matchedOn, /^Matched on:.*\bidentifier\b/, "the header says it matched on the identifier");
    assert.match(reason.replace(matchedOn, ""), /identifier/, `the match reason names the identifier: ${reason}`);
    assert.match(await frame.getByTestId("visitor").textContent(), /chatwoot/, "the visitor is on the chatwoot channel");
    assert.ok((await frame.locator('[data-testid^="panel-"]').count()) >= 1, "the sidebar shows panels");

    // Conversation switch: another conversation, another contact.
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(2, { conversation: 2 }));
    await eventually(
      async () => (await name.textContent({ timeout: 1_000 }))?.trim() === name2,
      `the sidebar does not show contact #2 (${name2}) after the conversation switch`,
    );
    const html = await (await childFrame()).evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(name1), `contact #1's name (${name1}) is gone from the sidebar's DOM`);
    assert.equal(opened.sessions.length, 2, "one session per context");
    assert.deepEqual(errors, []);
  });

  test("a conversation switch goes from the previous contact to the skeleton to the next, never blank", async () => {
    const opened = await openParent(chatwoot, appContext(1), { setup: (page) => page.addInitScript(recordFrames) });
    const { page, frame, childFrame, errors } = opened;
    await frame.getByTestId("contact-name").waitFor();
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(2, { conversation: 2 }));
    const child = await childFrame();
    const frames = await eventually(async () => {
      const f = await child.evaluate(() => window.__frames);
      return f.at(-1) === `name:${name2}` ? f : null;
    }, `the sidebar shows ${name2}`);
    assert.ok(!frames.includes("blank"), `never a blank paint: ${frames}`);
    const lastFirst = frames.lastIndexOf(`name:${name1}`);
    const firstSecond = frames.indexOf(`name:${name2}`);
    assert.ok(lastFirst >= 0 && firstSecond > lastFirst, `${name1}, then ${name2}: ${frames}`);
    assert.deepEqual(frames.slice(lastFirst + 1, firstSecond), ["skeleton"], `only the skeleton between them: ${frames}`);
    assert.deepEqual(errors, []);
  });

  test("nothing of the previous contact stays in memory after a conversation switch", async () => {
    const { page, frame, errors } = await openParent(chatwoot, appContext(1));
    await frame.getByTestId("contact-name").waitFor();
    const orderNos = (await frame.getByTestId("panel-orders").locator(".item-title").allTextContents()).map((s) => s.trim());
    assert.ok(orderNos.length > 0, "contact #1 has orders");
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(2, { conversation: 2 }));
    await eventually(
      async () => (await frame.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim() === name2,
      `the sidebar shows ${name2}`,
    );
    // The dashboard and the sidebar are one site (127.0.0.1), one renderer: one heap.
    const strings = await heapStrings(page);
    assert.ok(strings.some((s) => s.includes(name2)), "the heap snapshot sees the sidebar's strings");
    const kept = [name1, ...orderNos].filter((v) => strings.some((s) => s.includes(v)));
    assert.deepEqual(kept, [], "contact #1's name and order numbers are gone from the JS heap");
    assert.deepEqual(errors, []);
  });

  test("a dashboard on another origin cannot frame the sidebar (frame-ancestors)", async () => {
    const { page, frame, childFrame, errors, consoleLines, sessions } = await openParent(stranger, appContext(1));
    await eventually(
      async () =>
        (await childFrame())?.url().startsWith("chrome-error:") ||
        consoleLines.some((l) => l.includes("frame-ancestors")),
      "the sidebar was framed by an origin the integration does not list",
    );
    // The request was answered and its page refused: give a stray script a moment.
    await sleep(500);
    assert.deepEqual(await fetchInfos(page), [], "no sidebar script ran to ask for the context");
    assert.equal(await frame.getByTestId("contact-name").count(), 0, "no contact is shown");
    assert.equal(sessions.length, 0, "no session was asked for");
    assert.deepEqual(errors, []);
  });

  test("a right-shaped context from another origin is ignored, even if the frame loads", async () => {
    // Browsers already refuse this framing (previous test). Drop the
    // frame-ancestors directive here, in the test only, to check the page's
    // own origin check behind it: the page must not take C's context.
    const opened = await openParent(stranger, appContext(1), {
      setup: (page) =>
        page.route(`${crmlens}/sidebar/**`, async (route) => {
          const response = await route.fetch();
          const headers = { ...response.headers() };
          headers["content-security-policy"] = (headers["content-security-policy"] ?? "")
            .split(";")
            .filter((d) => !/^\s*frame-ancestors\b/.test(d))
            .join(";");
          await route.fulfill({ response, headers });
        }),
    });
    const { page, childFrame, errors } = opened;
    const child = await eventually(async () => {
      const f = await childFrame();
      return f && f.url().startsWith(`${crmlens}/sidebar/`) ? f : null;
    }, "the sidebar did not load under the test's relaxed header");
    await eventually(async () => (await fetchInfos(page)).length > 0, "the sidebar did not ask for the context");
    await eventually(
      () => child.evaluate((o) => window.__seen.some((m) => m.origin === o), stranger),
      "the stranger's context did not reach the sidebar frame",
    );
    await assertStillWaiting(opened);
    assert.deepEqual(errors, []);
  });

  test("a context of the wrong shape from the dashboard is ignored", async () => {
    // contact.id as a string: Chatwoot sends numbers; the page refuses anything else.
    const bad = appContext(1);
    bad.data.contact.id = "1";
    const opened = await openParent(chatwoot, bad);
    const { page, frame, childFrame, errors, sessions } = opened;
    await eventually(async () => (await fetchInfos(page)).length > 0, "the sidebar did not ask for the context");
    const child = await childFrame();
    await eventually(
      () => child.evaluate((o) => window.__seen.some((m) => m.origin === o), chatwoot),
      "the dashboard's context did not reach the sidebar frame",
    );
    // More wrong shapes, as a JSON string and as an object.
    const noAgent = appContext(1);
    delete noAgent.data.currentAgent;
    const otherEvent = { ...appContext(1), event: "appContextX" };
    const negativeId = appContext(1);
    negativeId.data.conversation.id = -1;
    for (const ctx of [noAgent, otherEvent, negativeId]) {
      await page.evaluate((c) => window.sendContext(c), ctx);
      await page.evaluate((c) => window.sendContext(c, { raw: true }), ctx);
    }
    await assertStillWaiting(opened);

    // The page was listening all along: a right-shaped context gets through.
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(1));
    const name = frame.getByTestId("contact-name");
    await name.waitFor();
    assert.equal((await name.textContent()).trim(), name1);
    assert.equal(sessions.length, 1, "one session, for the right-shaped context");
    assert.deepEqual(errors, []);
  });
});
