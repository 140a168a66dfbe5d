// End-to-end: the sidebar as a Chatwoot dashboard app. A tiny node server
// plays Chatwoot's agent dashboard (the parent window) the way
// app/javascript/dashboard/components/widgets/DashboardApp/Frame.vue and
// widgets/conversation/ConversationBox.vue (chatwoot/chatwoot) do:
//
// - it posts `JSON.stringify({event: "appContext", data})` to "*" on each
//   iframe's load event (`@load="() => onIframeLoad(index)"`), with the whole
//   conversation: here a 12-message e-mail thread whose messages carry their
//   full HTML (content_attributes.email.html_content), 2.4 MB;
// - it answers "chatwoot-dashboard-app:fetch-info" as v3.15+ does (to the
//   asking frame), as up to v3.14 (`window.onmessage = ... this.onIframeLoad(0)`:
//   the last-mounted app's Frame answers its own first frame, so with two
//   dashboard apps the answer goes to the other one), or not at all;
// - a conversation switch unmounts the iframes and mounts new ones
//   (ConversationBox.vue keys each Frame by `currentChat.id + '-' + dashboardApp.id`):
//   every switch is a fresh page load (window.switchConversation).
//
// window.sendContext(ctx, {raw}) sends another message to the mounted frame,
// which Chatwoot itself does only when asked. The integration is created with
// the CLI, without a Chatwoot API token, so crmlens trusts the secret URL
// (protection: low; see README.md, "Chatwoot dashboard app"). Build first, as
// for sidebar.test.mjs:
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
  afterNextPaint,
  startServer,
  stopProcess,
  TIMEOUT,
} from "./helpers.mjs";

const skip = skipUnlessReady();

const SLUG = "cw-e2e";
const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";

/**
 * An e-mail thread as Chatwoot's store holds it: `count` messages, each with
 * its full HTML (about `chars` characters in html_content.full and .reply).
 */
function emailMessages(count = 12, chars = 100_000) {
  const para =
    '<p style="margin:0 0 12px;font-family:Arial">Hello, the parcel for order SO-2024-0042 has not arrived; ' +
    "the tracking page still says &quot;in transit&quot;. Could you check with the carrier? Thanks.</p>\n";
  const html = (i) =>
    `<html><head><meta charset="utf-8"></head><body><div dir="ltr" class="m${i}">${para.repeat(Math.ceil(chars / para.length))}</div></body></html>`;
  return Array.from({ length: count }, (_, i) => ({
    id: 9000 + i,
    content: `Re: order SO-2024-0042 (${i + 1})`,
    content_type: "incoming_email",
    message_type: i % 2,
    created_at: 1_700_000_000 + i * 3600,
    private: false,
    sender: i % 2 ? { id: 7, name: "E2E Agent", type: "user" } : { id: 0, name: "customer", type: "contact" },
    content_attributes: {
      email: {
        subject: "Re: order SO-2024-0042",
        from: ["customer@example.com"],
        to: ["support@example.com"],
        html_content: { full: html(i), reply: html(i), quoted: "" },
        text_content: { full: "", reply: "", quoted: "" },
      },
    },
  }));
}

/**
 * A Chatwoot appContext for demo contact #n (its identifier is the contact's
 * external_id), shaped as Frame.vue's dashboardAppContext: the conversation
 * (meta.sender holds the contact too), the store's contact record and the
 * agent. emails adds that many e-mail messages with their full HTML (12: a
 * 2.4 MB thread); bare: the store's contact not loaded yet (`{}`).
 */
function appContext(n, { conversation = n, emails = 0, bare = false } = {}) {
  const contact = {
    id: n,
    name: `Chatwoot contact ${n}`,
    email: null,
    phone_number: null,
    identifier: `demo-contact-${String(n).padStart(6, "0")}`,
    thumbnail: "",
    additional_attributes: {},
    custom_attributes: {},
  };
  return {
    event: "appContext",
    data: {
      conversation: {
        id: conversation,
        account_id: 1,
        inbox_id: 1,
        status: "open",
        meta: { sender: { ...contact, type: "contact" }, assignee: null, channel: "Channel::Email" },
        messages: emails ? emailMessages(emails) : [{ id: 1, content: "Where is my order?" }],
      },
      contact: bare ? {} : contact,
      currentAgent: { id: 7, name: "E2E Agent", email: "agent@example.com" },
    },
  };
}

/** JSON that is safe inside an inline <script>. */
const scriptJson = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

/**
 * The fake Chatwoot dashboard (see the top of this file). Query: ctx (the
 * first context, JSON), apps (how many dashboard apps: the sidebar is the
 * first; a second is a stand-in app at /other), answer (3.15, 3.14 or none:
 * how fetch-info is answered). It records what the sidebar posts
 * (window.received), which app got each fetch-info answer (window.answers)
 * and each load post (window.loadPosts).
 */
function parentPage(crmlens, { initial, apps, answer }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fake Chatwoot dashboard</title>
</head>
<body>
<script>
const CRMLENS = ${scriptJson(crmlens)};
const FETCH_INFO = ${scriptJson(FETCH_INFO)};
const APPS = ${scriptJson([`${crmlens}/sidebar/${SLUG}`, "/other"].slice(0, apps))};
const ANSWER = ${scriptJson(answer)};
let current = ${scriptJson(initial)};
let frames = [];
window.received = [];
window.answers = [];
window.loadPosts = [];
const app = () => document.getElementById("app")?.contentWindow;
// Frame.vue's onIframeLoad: the context as a JSON string, to "*".
const post = (frame) => frame.contentWindow.postMessage(JSON.stringify(current), "*");
function mount() {
  for (const f of frames) f.remove();
  frames = APPS.map((src, i) => {
    const f = document.createElement("iframe");
    f.id = i === 0 ? "app" : "app-" + i;
    f.width = 420;
    f.height = 760;
    f.addEventListener("load", () => {
      loadPosts.push(i);
      if (current) post(f);
    });
    f.src = src;
    document.body.append(f);
    // Up to v3.14 every Frame's mounted() does window.onmessage = ... onIframeLoad(0):
    // the last one mounted answers, to its own first frame.
    if (ANSWER === "3.14") {
      window.onmessage = (e) => {
        if (e.data !== FETCH_INFO || !current) return;
        answers.push(i);
        post(f);
      };
    }
    return f;
  });
}
// v3.15+: the answer goes to the frame that asked.
addEventListener("message", (e) => {
  if (ANSWER !== "3.15" || e.data !== FETCH_INFO || !current) return;
  const i = frames.findIndex((f) => f.contentWindow === e.source);
  if (i < 0) return;
  answers.push(i);
  post(frames[i]);
});
addEventListener("message", (ev) => {
  if (ev.source === app()) received.push({ origin: ev.origin, data: ev.data });
});
window.sendContext = (ctx, { raw = false } = {}) => {
  current = ctx;
  app().postMessage(raw ? ctx : JSON.stringify(ctx), CRMLENS);
};
// A conversation switch: Chatwoot unmounts the apps' iframes and mounts new ones.
window.switchConversation = (ctx) => {
  current = ctx;
  mount();
};
mount();
</script>
</body>
</html>`;
}

/** The stand-in second dashboard app: counts what it gets, and can post to the sidebar's frame itself. */
const otherApp = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>another dashboard app</title></head><body>
<script>
window.got = [];
addEventListener("message", (e) => got.push(typeof e.data === "string" ? e.data.length : -1));
// Posted from this frame's own script: the sidebar sees this window as the source, not its parent.
window.postTo = (target, data) => target.postMessage(data, "*");
</script>
</body></html>`;

function startParent(port, crmlens) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
    if (url.pathname === "/other") {
      res.writeHead(200, headers).end(otherApp);
      return;
    }
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    const raw = url.searchParams.get("ctx");
    const emails = Number(url.searchParams.get("emails") ?? 0);
    let initial = raw ? JSON.parse(raw) : null;
    // The big thread is built here rather than sent in the URL.
    if (initial && emails) initial.data.conversation.messages = emailMessages(emails);
    res.writeHead(200, headers);
    res.end(
      parentPage(crmlens, {
        initial,
        apps: Number(url.searchParams.get("apps") ?? 1),
        answer: url.searchParams.get("answer") ?? "3.15",
      }),
    );
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
   * (window.__seen) without touching the page's own listener. Options: apps,
   * answer (see parentPage), emails (that many e-mail messages with their
   * full HTML in the first context, built by the server).
   */
  async function openParent(origin, initial, { setup, apps = 1, answer = "3.15", emails = 0 } = {}) {
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
      addEventListener("message", (ev) =>
        window.__seen.push({ origin: ev.origin, fromParent: ev.source === window.parent, size: String(ev.data).length }),
      );
    });
    if (setup) await setup(page);
    const q = new URLSearchParams({ apps: String(apps), answer, emails: String(emails) });
    if (initial) q.set("ctx", JSON.stringify(initial));
    await page.goto(`${origin}/?${q}`);
    const frame = page.frameLocator("#app");
    const childFrame = async () => (await page.locator("#app").elementHandle())?.contentFrame();
    return { page, frame, childFrame, errors, consoleLines, sessions };
  }

  /** The fetch-info requests the dashboard got from the sidebar. */
  const fetchInfos = (page) =>
    page.evaluate((msg) => window.received.filter((m) => m.data === msg), FETCH_INFO);

  /** The contact name shown, once it is `want`. */
  const shows = (frame, want) =>
    eventually(
      async () => (await frame.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim() === want,
      `the sidebar does not show ${want}`,
    );

  /** The sidebar shows nobody: no contact in its DOM, no session asked for. */
  async function assertNobody({ frame, childFrame, sessions }) {
    assert.equal(await frame.getByTestId("contact-name").count(), 0, "no contact is shown");
    const html = await (await childFrame()).evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(name1) && !html.includes(name2), "no demo contact's name is in the sidebar's DOM");
    assert.equal(sessions.length, 0, "the sidebar asked for no session");
  }

  /** The sidebar says on screen why it refused the context, and shows nobody. */
  async function assertRefused(opened, why) {
    const msg = opened.frame.getByTestId("rejected-message");
    await eventually(
      async () => why.test((await msg.textContent({ timeout: 1_000 })) ?? ""),
      `the sidebar does not say the context was not understood (${why})`,
    );
    assert.match(await msg.textContent(), /^A context from Chatwoot was not understood: /);
    await assertNobody(opened);
  }

  test("the load post alone shows the contact: a 2.4 MB e-mail thread, no answer to fetch-info", async () => {
    // The fake dashboard answers no fetch-info: what the sidebar shows comes from the load post.
    const opened = await openParent(chatwoot, appContext(1), { answer: "none", emails: 12 });
    const { page, frame, childFrame, errors, sessions } = opened;
    await shows(frame, name1);
    const child = await childFrame();
    const seen = await child.evaluate(() => window.__seen.filter((m) => m.fromParent));
    assert.equal(seen.length, 1, `one message came from the dashboard, its load post: ${JSON.stringify(seen)}`);
    assert.ok(seen[0].size > 2_400_000, `the load post carried the whole thread (${seen[0].size} characters)`);
    assert.deepEqual(await page.evaluate(() => window.answers), []);
    assert.ok((await fetchInfos(page)).length >= 1, "the sidebar still asked, as the fallback");
    assert.equal(sessions.length, 1, "one session");
    // The session was opened with the flattened params only, never the thread.
    const body = sessions[0].postData() ?? "";
    assert.ok(body.length < 2_000, `the session request is small (${body.length} bytes)`);
    assert.deepEqual(JSON.parse(body).params, {
      conversation_id: "1",
      account_id: "1",
      contact_id: "1",
      contact_identifier: "demo-contact-000001",
      contact_name: "Chatwoot contact 1",
      agent_id: "7",
      agent_email: "agent@example.com",
      agent_name: "E2E Agent",
    });
    assert.deepEqual(errors, []);
  });

  test("the context from the dashboard shows the linked contact, and a conversation switch is a fresh page load", async () => {
    const opened = await openParent(chatwoot, appContext(1), { emails: 12 });
    const { page, frame, errors } = opened;

    await shows(frame, name1);
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

    // Conversation switch: Chatwoot unmounts the iframe and mounts a new one,
    // whose load post carries the other conversation (and its thread).
    const next = appContext(2, { emails: 12 });
    await page.evaluate((ctx) => window.switchConversation(ctx), next);
    await shows(frame, name2);
    assert.deepEqual(await page.evaluate(() => window.loadPosts), [0, 0], "two page loads, one per conversation");
    // A store that has not loaded the contact yet: {} and the sender in the conversation's meta.
    await page.evaluate((ctx) => window.switchConversation(ctx), appContext(1, { bare: true }));
    await shows(frame, name1);
    assert.equal(opened.sessions.length, 3, "one session per page load");
    assert.deepEqual(errors, []);
  });

  test("with two dashboard apps on Chatwoot v3.14, the fetch-info answer goes to the other app: the load post still shows the right contact", async () => {
    const opened = await openParent(chatwoot, appContext(1), { apps: 2, answer: "3.14", emails: 12, setup: (page) => page.addInitScript(recordFrames) });
    const { page, frame, childFrame, errors, sessions } = opened;
    await shows(frame, name1);
    const other = async () => (await page.locator("#app-1").elementHandle()).contentFrame();
    // Every answer to the sidebar's fetch-info went to the other app (Frame.vue's onIframeLoad(0) of the last-mounted app).
    await eventually(async () => (await fetchInfos(page)).length > 0, "the sidebar did not ask");
    const answers = await eventually(async () => {
      const a = await page.evaluate(() => window.answers);
      return a.length > 0 ? a : null;
    }, "the dashboard answered no fetch-info");
    assert.ok(answers.every((i) => i === 1), `the answers went to the other app: ${answers}`);
    await eventually(async () => (await (await other()).evaluate(() => window.got.length)) >= 2, "the other app got its load post and the answer");
    const child = await childFrame();
    assert.equal((await child.evaluate(() => window.__seen.filter((m) => m.fromParent))).length, 1, "the sidebar got only its load post");

    // The other app (an allowed origin, but not the sidebar's parent) posts a right-shaped context for contact #2: ignored.
    await (await other()).evaluate((ctx) => window.postTo(window.parent.document.getElementById("app").contentWindow, JSON.stringify(ctx)), appContext(2));
    await eventually(
      () => child.evaluate(() => window.__seen.some((m) => !m.fromParent)),
      "the other app's message did not reach the sidebar frame",
    );
    // The page's listener ran in the same dispatch as __seen's; a (wrong)
    // reaction would show once Preact has run its effects, after the next paint.
    await afterNextPaint(child);
    const shown = await child.evaluate(() => window.__frames);
    assert.deepEqual(shown.slice(shown.indexOf(`name:${name1}`)), [`name:${name1}`], `the view never left contact #1: ${shown}`);
    assert.equal((await frame.getByTestId("contact-name").textContent()).trim(), name1);
    assert.equal(await frame.getByTestId("rejected-message").count(), 0, "not said on screen: it is not from the parent");
    assert.equal(sessions.length, 1);

    // A conversation switch remounts both apps; the sidebar again goes by its own load post.
    await page.evaluate((ctx) => window.switchConversation(ctx), appContext(2, { emails: 12 }));
    await shows(frame, name2);
    assert.equal(sessions.length, 2);
    assert.deepEqual(errors, []);
  });

  test("a second context in the same frame goes from the previous contact to the next, at most the skeleton between, never blank", async () => {
    // Chatwoot remounts the frame on a switch; a second context in one frame
    // (an answer to fetch-info, another app) must still be handled cleanly.
    const opened = await openParent(chatwoot, appContext(1), { setup: (page) => page.addInitScript(recordFrames) });
    const { page, frame, childFrame, errors } = opened;
    await frame.getByTestId("contact-name").waitFor();
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(2, { conversation: 2 }));
    const child = await childFrame();
    const frames = await eventually(async () => {
      const f = await child.evaluate(() => window.__frames);
      return f.at(-1) === `name:${name2}` ? f : null;
    }, `the sidebar shows ${name2}`);
    assert.ok(!frames.includes("blank"), `never blank: ${frames}`);
    const lastFirst = frames.lastIndexOf(`name:${name1}`);
    const firstSecond = frames.indexOf(`name:${name2}`);
    assert.ok(lastFirst >= 0 && firstSecond > lastFirst, `${name1}, then ${name2}: ${frames}`);
    // Between them the skeleton, and only it: the view of the previous
    // contact is dropped at once (recordFrames sees every DOM state, not
    // only the frames a busy machine got to paint).
    assert.deepEqual(frames.slice(lastFirst + 1, firstSecond), ["skeleton"], `only the skeleton between them: ${frames}`);
    assert.deepEqual(errors, []);
  });

  test("nothing of the previous contact stays in memory after a second context in the same frame", async () => {
    const { page, frame, errors } = await openParent(chatwoot, appContext(1));
    await frame.getByTestId("contact-name").waitFor();
    const orderNos = (await frame.getByTestId("panel-orders").locator(".item-title").allTextContents()).map((s) => s.trim());
    assert.ok(orderNos.length > 0, "contact #1 has orders");
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(2, { conversation: 2 }));
    await shows(frame, name2);
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
    // The request was answered and its page refused: the frame holds the
    // browser's error page once it has loaded, where no script of ours can run.
    const refused = await eventually(async () => {
      const f = await childFrame();
      return f?.url().startsWith("chrome-error:") ? f : null;
    }, "the refused frame shows the browser's error page");
    await refused.waitForLoadState("load");
    assert.deepEqual(await fetchInfos(page), [], "no sidebar script ran to ask for the context");
    assert.equal(await frame.getByTestId("contact-name").count(), 0, "no contact is shown");
    assert.equal(sessions.length, 0, "no session was asked for");
    assert.deepEqual(errors, []);
  });

  test("a right-shaped context from another origin is refused, and the page names that origin", async () => {
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
    const { page, childFrame, errors, consoleLines } = opened;
    await eventually(async () => {
      const f = await childFrame();
      return f && f.url().startsWith(`${crmlens}/sidebar/`) ? f : null;
    }, "the sidebar did not load under the test's relaxed header");
    await eventually(async () => (await fetchInfos(page)).length > 0, "the sidebar did not ask for the context");
    await assertRefused(opened, new RegExp(`came from ${stranger.replace(/[.]/g, "\\.")}, which is not one of this integration's allowed origins`));
    assert.ok(
      consoleLines.some((l) => l.startsWith("crmlens: ignored a message") && l.includes(stranger)),
      `said in the console too: ${consoleLines.join("\n")}`,
    );
    assert.deepEqual(errors, []);
  });

  test("a context of the wrong shape from the dashboard is refused in words, and a right one still gets through", async () => {
    // contact.id as a string: Chatwoot sends numbers; the page refuses anything else.
    const bad = appContext(1);
    bad.data.contact.id = "1";
    const opened = await openParent(chatwoot, bad);
    const { page, frame, errors, sessions, consoleLines } = opened;
    await assertRefused(opened, /contact\.id is not a positive whole number/);
    assert.ok(consoleLines.some((l) => l.includes("contact.id is not a positive whole number")), "said in the console");
    // More wrong shapes, as a JSON string and as an object.
    const agentIdText = appContext(1);
    agentIdText.data.currentAgent.id = "7";
    const otherEvent = { ...appContext(1), event: "appContextX" };
    const negativeId = appContext(1);
    negativeId.data.conversation.id = -1;
    for (const ctx of [agentIdText, otherEvent, negativeId]) {
      await page.evaluate((c) => window.sendContext(c), ctx);
      await page.evaluate((c) => window.sendContext(c, { raw: true }), ctx);
    }
    await assertRefused(opened, /conversation\.id is not a positive whole number/);

    // The page was listening all along: a right-shaped context gets through.
    await page.evaluate((ctx) => window.sendContext(ctx), appContext(1));
    await shows(frame, name1);
    assert.equal(sessions.length, 1, "one session, for the right-shaped context");
    assert.deepEqual(errors, []);
  });

  test("without any context the page says what to check, and does not wait forever", async () => {
    const opened = await openParent(chatwoot, null);
    const waiting = opened.frame.getByTestId("waiting-message");
    await waiting.waitFor();
    assert.match(await waiting.textContent(), /Chatwoot dashboard app.*allowed origins/);
    await assertNobody(opened);
    assert.deepEqual(opened.errors, []);
  });
});
