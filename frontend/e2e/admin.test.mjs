// End-to-end: the admin console at /admin against the real server
// (`crmlens serve --demo`, whose first start creates an admin and prints its
// password once) in Debian's chromium driven by playwright-core.
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && node --test frontend/e2e/admin.test.mjs
//
// CRMLENS_SCREENSHOTS=1 writes docs/admin.png (the layout designer).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually, repo, skipUnlessReady, startDemo } from "./helpers.mjs";

const skip = skipUnlessReady();

describe("admin console e2e", { skip }, () => {
  let base;
  let context;
  let output;
  let stop;
  let page;
  let password;
  const errors = [];

  before(async () => {
    ({ base, context, output, stop } = await startDemo("crmlens-admin-e2e-", { width: 1280, height: 800 }));
    const m = output().match(/First admin created: (\S+)\s+password: (\S+)/);
    assert.ok(m, `serve --demo printed no first admin:\n${output()}`);
    assert.equal(m[1], "admin@localhost");
    password = m[2];
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e));
  });

  after(async () => {
    await stop?.();
  });

  /** The demo conversations' sidebar URLs (encrypted with the demo key). */
  async function demoURL(i = 0) {
    const r = await fetch(`${base}/api/v1/playground/conversations`);
    const { conversations } = await r.json();
    return conversations[i].sidebarUrl;
  }

  async function go(screen) {
    await page.click(`[data-testid="nav-${screen}"]`);
    await page.waitForURL(`**/admin#${screen}`);
  }

  test("sign in: a wrong password is refused beside the field, the printed one works", async () => {
    const response = await page.goto(`${base}/admin`);
    const csp = response.headers()["content-security-policy"] ?? "";
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers()["x-frame-options"], "DENY");
    await page.fill('input[name="email"]', "admin@localhost");
    await page.fill('input[name="password"]', "not the password");
    await page.click('[data-testid="sign-in-submit"]');
    const err = await page.locator('[data-testid="error-password"]').textContent();
    assert.match(err, /wrong email or password/);
    await page.fill('input[name="password"]', password);
    await page.click('[data-testid="sign-in-submit"]');
    assert.equal(await page.locator('[data-testid="signed-in-as"]').textContent(), "admin@localhost");
    // The session is an HttpOnly cookie scripts cannot read.
    assert.equal(await page.evaluate(() => document.cookie), "");
    const cookies = await context.cookies(base + "/api/v1/admin/session");
    const c = cookies.find((x) => x.name === "crmlens_admin");
    assert.ok(c && c.httpOnly && c.secure && c.sameSite === "Strict", JSON.stringify(cookies));
    // A reload keeps the session.
    await page.reload();
    await page.locator('[data-testid="signed-in-as"]').waitFor();
  });

  test("create an easemob integration: a short key is refused, then the URL to paste opens the sidebar", async () => {
    await go("integrations");
    await page.locator('[data-testid="integration-demo-easemob"]').waitFor();
    await page.click('[data-testid="integration-new"]');
    const form = page.locator('[data-testid="integration-form"]');
    await form.locator('input[name="name"]').fill("Kefu test");
    await form.locator('input[name="key"]').fill("short");
    await form.locator('textarea[name="origins"]').fill("kefu.easemob.com");
    await page.click('[data-testid="integration-save"]');
    // The API names one field at a time: the key first.
    assert.match(await page.locator('[data-testid="error-key"]').textContent(), /longer than 8 characters/);
    await form.locator('input[name="key"]').fill("a-long-test-key-123");
    await page.click('[data-testid="integration-save"]');
    assert.match(await page.locator('[data-testid="error-origins"]').textContent(), /not a URL origin/);
    await form.locator('textarea[name="origins"]').fill("https://kefu.easemob.com");
    await page.click('[data-testid="integration-save"]');
    const created = page.locator('[data-testid="integration-created"]');
    await created.waitFor();
    assert.equal(await created.locator('[data-testid="created-key"]').textContent(), "a-long-test-key-123");
    assert.match(await created.textContent(), /自定义信息接口/);
    const url = await created.locator('[data-testid="created-url"]').textContent();
    assert.match(url, /\/sidebar\/[a-z2-7]{26}$/, "an unguessable 128-bit slug");
    const slug = url.split("/").pop();
    const card = page.locator(`[data-testid="integration-${slug}"]`);
    assert.match(await card.locator('[data-testid="where-to-paste"]').textContent(), /管理员模式 > 设置 > 自定义信息接口/);
    assert.equal(await card.locator('[data-testid="open-url"]').getAttribute("href"), url);

    // Open the URL as Easemob does, for a demo visitor (visitorImId stays in clear by default).
    const sidebar = await context.newPage();
    const resp = await sidebar.goto(`${url}?easemobId=1&visitorImId=demo-visitor-0001&lang=en`);
    assert.match(resp.headers()["content-security-policy"], /frame-ancestors 'self' https:\/\/kefu\.easemob\.com/);
    await sidebar.locator('[data-testid="contact-name"]').waitFor();
    assert.match(await sidebar.locator('[data-testid="match-reason"]').textContent(), /demo-visitor-0001/);
    await sidebar.close();
  });

  test("change a layout's fields: the preview and then the agents' sidebar follow", async () => {
    const sidebar = await context.newPage();
    await sidebar.goto(base + (await demoURL(0)));
    await sidebar.locator('[data-testid="contact-name"]').waitFor();
    assert.equal(await sidebar.locator('[data-testid="panel-contact"] [data-field="email"]').count(), 1, "the built-in layout shows the email");
    assert.equal(await sidebar.locator('[data-testid="panel-contact"] [data-field="owner"]').count(), 0);

    await go("layouts");
    const preview = page.locator('[data-testid="layout-preview"]');
    await preview.locator('[data-testid="panel-contact-1"] [data-field="email"]').waitFor();
    await page.uncheck('[data-testid="tick-0-email"]');
    await page.check('[data-testid="tick-0-owner"]');
    await eventually(
      async () =>
        (await preview.locator('[data-testid="panel-contact-1"] [data-field="owner"]').count()) === 1 &&
        (await preview.locator('[data-testid="panel-contact-1"] [data-field="email"]').count()) === 0,
      "the preview shows owner instead of email",
    );
    // Drag owner (ticked last) onto the first field: the preview follows,
    // then the ↓ button moves it back one place.
    const fieldsOf = (root) =>
      root.locator('[data-testid="panel-contact-1"] [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute("data-field")));
    const before = await fieldsOf(preview);
    assert.equal(before.at(-1), "owner", `owner is ticked last: ${before}`);
    await page.locator('[data-testid="field-0-owner"]').dragTo(page.locator(`[data-testid="field-0-${before[0]}"]`));
    await eventually(
      async () => JSON.stringify(await fieldsOf(preview)) === JSON.stringify(["owner", ...before.slice(0, -1)]),
      `the preview shows owner first after the drag (was ${before})`,
    );
    await page.locator('[data-testid="field-0-owner"] button.icon').nth(1).click();
    const order = ["owner", ...before.slice(0, -1)];
    [order[0], order[1]] = [order[1], order[0]];
    await eventually(async () => JSON.stringify(await fieldsOf(preview)) === JSON.stringify(order), `the preview shows ${order} after ↓`);
    if (process.env.CRMLENS_SCREENSHOTS === "1") {
      mkdirSync(join(repo, "docs"), { recursive: true });
      await page.evaluate(() => document.querySelector('[data-testid="panel-editor-0"]')?.scrollIntoView());
      await page.screenshot({ path: join(repo, "docs", "admin.png") });
    }
    await page.click('[data-testid="layout-save"]');
    assert.match(await page.locator('[data-testid="layout-saved"]').textContent(), /version 1|第 1 版/);

    await eventually(
      async () => {
        await sidebar.reload();
        await sidebar.locator('[data-testid="contact-name"]').waitFor();
        return JSON.stringify(await fieldsOf(sidebar)) === JSON.stringify(order);
      },
      `the sidebar shows the saved layout's fields in its order (${order})`,
    );
    await sidebar.close();
  });

  test("a layout with no panels is refused beside the panels, and nothing is saved", async () => {
    for (let i = (await page.locator('[data-testid^="panel-remove-"]').count()) - 1; i >= 0; i--) {
      await page.click(`[data-testid="panel-remove-${i}"]`);
    }
    await page.click('[data-testid="layout-save"]');
    assert.match(await page.locator('[data-testid="error-panels"]').textContent(), /no panels/);
    const r = await page.evaluate(async () => (await fetch("/api/v1/admin/layouts")).json());
    assert.equal(r.layouts.length, 1);
    assert.equal(r.layouts[0].version, 1, "still version 1");
  });

  test("reveal a key (asks for the password) and find the reveal in the audit trail", async () => {
    await go("integrations");
    const card = page.locator('[data-testid="integration-demo-easemob"]');
    await card.locator('[data-testid="key-reveal-open"]').click();
    await card.locator('[data-testid="key-reveal"] input[name="password"]').fill("wrong password!");
    await card.locator('[data-testid="key-reveal-submit"]').click();
    assert.match(await card.locator('[data-testid="error-confirm-password"]').textContent(), /password is wrong/);
    await card.locator('[data-testid="key-reveal"] input[name="password"]').fill(password);
    await card.locator('[data-testid="key-reveal-submit"]').click();
    assert.equal(await card.locator('[data-testid="key-clear"]').textContent(), "kefu2024secret");

    await go("audit");
    await page.selectOption('[data-testid="audit-action"]', "key.reveal");
    await page.click('[data-testid="audit-apply"]');
    const row = page.locator('[data-testid="audit-events"] tr[data-action="key.reveal"]');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.first().textContent(), /admin:admin@localhost/);
    const href = await page.locator('[data-testid="audit-export"]').getAttribute("href");
    assert.equal(href, "/api/v1/admin/audit/export?action=key.reveal");
    const exported = await page.evaluate(async (h) => (await fetch(h)).text(), href);
    assert.equal(exported.trim().split("\n").length, 1);
    assert.match(exported, /"action":"key.reveal"/);
  });

  test("simulator: the demo URL finds its contact; the same params on another key are dropped and explained, not a 500", async () => {
    const url = await demoURL(0);
    await go("simulator");
    await page.locator('[data-testid="sim-integration"] option[value="demo-easemob"]').waitFor({ state: "attached" });
    await page.selectOption('[data-testid="sim-integration"]', "demo-easemob");
    await page.fill('[data-testid="sim-input"]', base + url);
    await page.click('[data-testid="sim-run"]');
    await page.locator('[data-testid="sim-layout"]').waitFor();
    assert.notEqual(await page.locator('[data-testid="sim-contact"]').textContent(), "none");
    assert.ok((await page.locator('[data-testid="sim-params"] tr[data-how="decrypted"]').count()) >= 3, "decrypted params listed");

    // The same query on the integration with another key.
    const other = await page.locator('[data-testid="sim-integration"] option:not([value="demo-easemob"])').first().getAttribute("value");
    await page.selectOption('[data-testid="sim-integration"]', other);
    await page.fill('[data-testid="sim-input"]', url.split("?")[1]);
    await page.click('[data-testid="sim-run"]');
    const step = page.locator('[data-testid="sim-step-decode"]');
    await step.waitFor();
    // The visitor's ids are in clear; every encrypted param is dropped (a
    // session would open without them), and the step says which key to set.
    assert.equal(await step.getAttribute("data-status"), "warning");
    assert.match(await step.textContent(), /自定义信息接口/);
    assert.ok(
      (await page.locator('[data-testid="sim-params"] tr[data-dropped="not_decryptable"]').count()) >= 3,
      "the params the other key cannot open are listed as dropped",
    );
    assert.equal(await page.locator('[data-testid="sim-params"] tr[data-how="decrypted"]').count(), 0);
    assert.deepEqual(errors, [], "no script errors");
  });

  test("sign out ends the session", async () => {
    await page.click('[data-testid="sign-out"]');
    await page.locator('[data-testid="sign-in"]').waitFor();
    const r = await page.evaluate(async () => (await fetch("/api/v1/admin/integrations")).status);
    assert.equal(r, 401);
  });
});
