// End-to-end: the real crmlens server (`crmlens serve --demo`) and Debian's
// chromium driven by playwright-core. Run `npm run build` and build the
// binary first (it embeds frontend/dist):
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && npm run test:e2e
//
// Env: CRMLENS_BIN (default bin/crmlens), CHROMIUM_PATH (default
// /usr/bin/chromium), CRMLENS_SCREENSHOTS=1 to write docs/playground.png,
// CI=true to fail instead of skipping when chromium or the binary is missing.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import {
  eventually,
  freePort,
  launchBrowser,
  repo,
  runCli,
  skipUnlessReady,
  startDemo,
  startServer,
  stopProcess,
  TIMEOUT,
} from "./helpers.mjs";

const skip = skipUnlessReady();

/** sidebarUrl with its lang param replaced, other bytes untouched. */
function withLang(url, lang) {
  return /[?&]lang=[^&]*/.test(url)
    ? url.replace(/([?&])lang=[^&]*/, `$1lang=${lang}`)
    : url + (url.includes("?") ? "&" : "?") + `lang=${lang}`;
}

describe("crmlens e2e", { skip }, () => {
  let base;
  let context;
  let stop;

  before(async () => {
    ({ base, context, stop } = await startDemo("crmlens-e2e-", { width: 1280, height: 800 }));
  });

  after(async () => {
    await stop?.();
  });

  /** A new page that fails the test on any uncaught script error. */
  async function open(path) {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    const response = await page.goto(base + path);
    return { page, response, errors };
  }

  async function conversations() {
    const r = await fetch(`${base}/api/v1/playground/conversations`);
    assert.equal(r.status, 200, "GET /api/v1/playground/conversations");
    const body = await r.json();
    assert.ok(body.conversations.length >= 2, "the demo has at least two conversations");
    return body.conversations;
  }

  test("the playground lists conversations and the sidebar follows the selection", async () => {
    const { page, errors } = await open("/");
    const convs = page.locator('[data-testid^="conversation-"]');
    await convs.first().waitFor();
    assert.ok((await convs.count()) >= 2, "at least two demo conversations");
    assert.equal(await convs.first().getAttribute("aria-current"), "true", "the first conversation is selected");

    const frame = page.frameLocator('[data-testid="sidebar-frame"]');
    const name = frame.getByTestId("contact-name");
    await name.waitFor().catch((e) => {
      throw new Error(
        `no contact name in the sidebar iframe (is 'self' in the demo integration's frame-ancestors?): ${e.message}`,
      );
    });
    const first = (await name.textContent()).trim();
    assert.ok(first, "the first contact has a name");
    assert.ok((await frame.getByTestId("match-reason").textContent()).trim(), "the match reason is shown");
    const headings = frame.locator('[data-testid^="panel-"] h2');
    await headings.first().waitFor();
    assert.ok((await headings.count()) >= 1, "the sidebar shows panels");

    if (process.env.CRMLENS_SCREENSHOTS === "1") {
      mkdirSync(join(repo, "docs"), { recursive: true });
      await page.screenshot({ path: join(repo, "docs", "playground.png") });
    }

    await convs.nth(1).click();
    assert.equal(await convs.nth(1).getAttribute("aria-current"), "true", "the second conversation is selected");
    const second = await eventually(async () => {
      const text = (await frame.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim();
      return text && text !== first ? text : null;
    }, `the sidebar still shows ${first} after clicking the second conversation`);
    assert.notEqual(second, first);
    assert.deepEqual(errors, []);
  });

  test("a sidebar URL without params says visitorImId is missing", async () => {
    const { page, response, errors } = await open("/sidebar/demo-easemob");
    assert.equal(response.status(), 200);
    const headers = response.headers();
    assert.match(headers["cache-control"] ?? "", /no-store/, "the page shell is not cached");
    assert.equal(headers["referrer-policy"], "no-referrer");
    const state = page.getByTestId("state-error");
    await state.waitFor();
    assert.equal(await state.getAttribute("data-code"), "missing_visitor");
    assert.match(await state.textContent(), /visitorImId/);
    assert.deepEqual(errors, []);
  });

  test("an unknown visitor shows the not-linked state", async () => {
    const { page, errors } = await open("/sidebar/demo-easemob?easemobId=x&visitorImId=nobody-here&lang=en");
    const state = page.getByTestId("state-not-linked");
    await state.waitFor();
    const text = await state.textContent();
    assert.match(text, /not linked to a contact yet/);
    assert.match(text, /nobody-here/, "the visitor's id is shown");
    assert.equal(await page.getByTestId("contact-name").count(), 0);
    assert.deepEqual(errors, []);
  });

  test("an unknown integration slug is named as such", async () => {
    const { page, response } = await open("/sidebar/no-such-slug?visitorImId=x");
    const type = response.headers()["content-type"] ?? "";
    if (type.includes("text/html")) {
      // the shell was served: the page asks the API, which says so
      const state = page.getByTestId("state-error");
      await state.waitFor();
      assert.equal(await state.getAttribute("data-code"), "integration_not_found");
      assert.match(await state.textContent(), /does not belong to any integration/);
      // No retry fixes a wrong URL: none is offered, the words say what to check.
      assert.equal(await page.getByTestId("retry").count(), 0, "no Try again for an unknown slug");
      assert.match(await state.textContent(), /Check the URL configured/);
    } else {
      // openapi.yaml: GET /sidebar/{slug} answers 404 with the JSON error
      assert.equal(response.status(), 404);
      const body = JSON.parse(await response.text());
      assert.equal(body.error.code, "integration_not_found");
      assert.ok(body.error.message);
    }
  });

  test("lang=zh renders Chinese labels", async () => {
    const [conv] = await conversations();
    const { page, errors } = await open(withLang(conv.sidebarUrl, "zh"));
    await page.getByTestId("contact-name").waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
    assert.match(await page.getByTestId("match-reason").textContent(), /匹配依据/);
    const headings = await page.locator('[data-testid^="panel-"] h2').allTextContents();
    assert.ok(headings.length > 0 && headings.every((h) => /[\u4e00-\u9fff]/.test(h)), `Chinese panel titles: ${headings}`);
    const labels = await page.locator("[data-testid^='panel-'] dt").allTextContents();
    assert.ok(labels.some((l) => /[\u4e00-\u9fff]/.test(l)), `Chinese field labels: ${labels}`);

    const en = await open(withLang(conv.sidebarUrl, "en"));
    await en.page.getByTestId("contact-name").waitFor();
    assert.match(await en.page.getByTestId("match-reason").textContent(), /Why it matched/);
    assert.deepEqual([...errors, ...en.errors], []);
  });
});

/** An HS256 JWT of claims under secret (a signed link's token). */
function signLink(secret, claims) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

describe("crmlens e2e: a signed link", { skip }, () => {
  const secret = "e2e-signed-link-secret-of-32-characters-at-least";
  let base;
  let browser;
  let server;
  let tmp;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "crmlens-e2e-signed-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = { CRMLENS_ADDR: `127.0.0.1:${port}`, CRMLENS_DATABASE_URL: `sqlite://${join(tmp, "crmlens.db")}` };
    await runCli(["integration", "create", "--kind", "signed", "--slug", "e2e-signed", "--key", secret], { cwd: tmp, env });
    server = await startServer(["serve", "--demo"], { cwd: tmp, base, env });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopProcess(server?.proc);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("keeps working when its frame reloads, and stays single use for a new page", async () => {
    const token = signLink(secret, {
      sub: `e2e-visitor-${randomUUID()}`,
      channel: "signed",
      jti: randomUUID(),
      exp: Math.floor(Date.now() / 1000) + 240,
      name: "Reload Visitor",
      lang: "en",
    });
    const url = `${base}/sidebar/e2e-signed?token=${token}`;
    const context = await browser.newContext({ viewport: { width: 400, height: 800 } });
    context.setDefaultTimeout(TIMEOUT);
    try {
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e));
      await page.goto(url);
      await page.getByTestId("state-not-linked").waitFor();
      // The session token is kept for this page only, never the link's params.
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
      assert.ok(!stored.includes(token), "the signed link is not stored");
      assert.ok(!page.url().includes("Bearer"), "no session token in the URL");

      // F5: the same URL again, in the same page.
      const contextCalls = [];
      page.on("request", (r) => r.url().includes("/api/v1/sidebar/") && contextCalls.push(new URL(r.url()).pathname));
      await page.reload();
      await page.getByTestId("state-not-linked").waitFor();
      assert.equal(await page.getByTestId("state-error").count(), 0, "no 'already used' after a reload");
      // The reload reads the context with the kept session and opens no new
      // one; the unlinked page's prefilled search (/contacts) may or may not
      // have been sent by now, so only the calls before it are compared.
      assert.deepEqual(
        contextCalls.filter((p) => p !== "/api/v1/sidebar/contacts"),
        ["/api/v1/sidebar/context"],
        "the reload reuses the page's session",
      );
      assert.match(await page.getByTestId("visitor-sent").textContent(), /Reload Visitor/, "what the link vouched for is shown");

      // A new page (another tab) gets nothing of it: the link was used.
      const other = await context.newPage();
      await other.goto(url);
      const state = other.getByTestId("state-error");
      await state.waitFor();
      assert.equal(await state.getAttribute("data-code"), "token_replayed");
      assert.match(await state.textContent(), /Reopen the conversation/);
      assert.equal(await other.getByTestId("retry").count(), 0, "no Try again for a used link");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
