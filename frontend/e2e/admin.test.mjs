// End-to-end: the admin console at /admin against the real server
// (`crmlens serve --demo`, whose first start creates an admin and prints its
// password once) in Debian's chromium driven by playwright-core.
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && node --test frontend/e2e/admin.test.mjs
//
// CRMLENS_SCREENSHOTS=1 writes docs/admin.png (the layout designer).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
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

  /** Whether the element is on screen, wholly or at least its top 40 px, as a person looking at the page sees it. */
  async function inViewport(locator) {
    return locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.height > 0 && r.top >= 0 && r.top + Math.min(r.height, 40) <= innerHeight;
    });
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
    // A first visit ended no session: nothing says so.
    await page.locator('[data-testid="sign-in"]').waitFor();
    assert.equal(await page.locator('[data-testid="sign-in-notice"]').count(), 0, "no 'session ended' for a first visitor");
    assert.doesNotMatch(await page.locator('[data-testid="sign-in-hint"]').textContent(), /`/);
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

  test("editing an integration lower in the list opens its form where the admin is looking", async () => {
    // Two more integrations, named to sort last: the one edited is far down the page.
    await page.evaluate(async () => {
      const { csrfToken } = await (await fetch("/api/v1/admin/session")).json();
      for (const name of ["Zz kefu one", "Zz kefu two"]) {
        const r = await fetch("/api/v1/admin/integrations", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
          body: JSON.stringify({ kind: "easemob", name, origins: ["https://kefu.easemob.com"] }),
        });
        if (!r.ok) throw new Error(`create ${name}: ${r.status}`);
      }
    });
    await go("layouts");
    await go("integrations");
    const cards = page.locator('article.integration[data-testid^="integration-"]');
    await eventually(async () => (await cards.count()) >= 4, "the demo, the created and the two new integrations");
    const last = cards.last();
    const slug = (await last.getAttribute("data-testid")).replace(/^integration-/, "");
    await last.scrollIntoViewIfNeeded();
    await last.locator('[data-testid="integration-edit"]').click();
    const form = page.locator('[data-testid="integration-form"]');
    await form.waitFor();
    assert.ok(await inViewport(form), "the edit form is on screen");
    assert.ok(await form.evaluate((f) => f.contains(document.activeElement)), "the cursor is in the form");
    assert.equal(await page.locator(`[data-testid="integration-${slug}"]`).count(), 0, "the form stands in place of its card");
    await form.locator('button.secondary:has-text("取消"), button.secondary:has-text("Cancel")').click();
    await page.locator(`[data-testid="integration-${slug}"]`).waitFor();
  });

  test("disable an integration: its card says so, its sidebar refuses, enabling it undoes both", async () => {
    await go("integrations");
    const card = page.locator('article.integration[data-testid^="integration-"]').last();
    const slug = (await card.getAttribute("data-testid")).replace(/^integration-/, "");
    assert.equal(await card.locator('[data-testid="integration-disabled"]').count(), 0);
    await card.locator('[data-testid="integration-disable"]').click();
    await card.locator('[data-testid="integration-disabled"]').waitFor();
    assert.match(await card.locator('[data-testid="integration-disabled"]').textContent(), /已停用|Disabled/);
    const refused = await page.evaluate(async (integration) => {
      const r = await fetch("/api/v1/sidebar/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ integration, params: { visitorImId: "e2e-disabled" } }),
      });
      return `${r.status} ${(await r.json()).error?.code}`;
    }, slug);
    assert.equal(refused, "403 integration_disabled", "the disabled integration's sidebar refuses sessions");
    // Delete asks first, naming what goes and what stays; cancel keeps the card.
    await card.locator('[data-testid="integration-delete"]').click();
    const words = await card.locator('[data-testid="integration-delete-words"]').textContent();
    assert.match(words, /visitors|访客/);
    assert.match(words, /audit|审计/);
    await card.locator('[data-testid="integration-delete-cancel"]').click();
    await card.locator('[data-testid="integration-enable"]').click();
    await card.locator('[data-testid="integration-disable"]').waitFor();
    assert.equal(await card.locator('[data-testid="integration-disabled"]').count(), 0, "the badge is gone once enabled");
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
    await page.evaluate(() => scrollTo(0, 0));
    await page.click('[data-testid="layout-save"]');
    const saved = page.locator('[data-testid="layout-saved"]');
    assert.match(await saved.textContent(), /version 1|第 1 版/);
    assert.ok(await inViewport(saved), "'Saved as version 1' shows beside the Save button, on screen");
    assert.equal(await saved.evaluate((el) => el.closest("[aria-live]") !== null), true, "announced");

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

  test("a conflicting save shows the conflict beside the Save button", async () => {
    // Someone else saves the layout meanwhile (version 2).
    await page.evaluate(async () => {
      const { csrfToken } = await (await fetch("/api/v1/admin/session")).json();
      const { layouts } = await (await fetch("/api/v1/admin/layouts")).json();
      const theirs = { ...layouts[0], panels: layouts[0].panels.slice(0, -1) };
      const r = await fetch("/api/v1/admin/layouts", {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
        body: JSON.stringify(theirs),
      });
      if (!r.ok) throw new Error(`PUT ${r.status}`);
    });
    await page.evaluate(() => scrollTo(0, 0));
    await page.click('[data-testid="layout-save"]');
    const conflict = page.locator('[data-testid="layout-conflict"]');
    await conflict.waitFor();
    assert.ok(await inViewport(conflict), "the conflict box is on screen");
    await page.click('[data-testid="conflict-reload"]');
    await eventually(async () => (await conflict.count()) === 0, "the conflict box closes after loading theirs");
  });

  test("a layout with no panels is refused beside the panels, and nothing is saved", async () => {
    for (let i = (await page.locator('[data-testid^="panel-remove-"]').count()) - 1; i >= 0; i--) {
      await page.click(`[data-testid="panel-remove-${i}"]`);
    }
    await page.click('[data-testid="layout-save"]');
    assert.match(await page.locator('[data-testid="error-panels"]').textContent(), /no panels/);
    const r = await page.evaluate(async () => (await fetch("/api/v1/admin/layouts")).json());
    assert.equal(r.layouts.length, 1);
    assert.equal(r.layouts[0].version, 2, "still version 2");
    assert.ok(await inViewport(page.locator('[data-testid="layout-not-saved"]')), "'not saved' shows beside the Save button");
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
    await page.locator('[data-testid="sim-result"][data-integration="demo-easemob"] [data-testid="sim-layout"]').waitFor();
    assert.notEqual(await page.locator('[data-testid="sim-contact"]').textContent(), "none");
    assert.ok((await page.locator('[data-testid="sim-params"] tr[data-how="decrypted"]').count()) >= 3, "decrypted params listed");

    // The same query on an integration made here with a key of its own
    // (random, so not the demo's): its decode fails by construction.
    const other = await page.evaluate(async (key) => {
      const { csrfToken } = await (await fetch("/api/v1/admin/session")).json();
      const r = await fetch("/api/v1/admin/integrations", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
        body: JSON.stringify({ kind: "easemob", name: "Zz other key", key, origins: ["https://kefu.easemob.com"] }),
      });
      if (!r.ok) throw new Error(`create the other-key integration: ${r.status} ${await r.text()}`);
      return (await r.json()).integration.slug;
    }, `other-key-${randomBytes(12).toString("hex")}`);
    // The simulator lists the integrations when it opens: open it again.
    await go("audit");
    await go("simulator");
    await page.locator(`[data-testid="sim-integration"] option[value="${other}"]`).waitFor({ state: "attached" });
    await page.selectOption('[data-testid="sim-integration"]', other);
    await page.fill('[data-testid="sim-input"]', url.split("?")[1]);
    await page.click('[data-testid="sim-run"]');
    // The result of this run, not the demo run's still on screen.
    const result = page.locator(`[data-testid="sim-result"][data-integration="${other}"]`);
    await result.waitFor();
    const step = result.locator('[data-testid="sim-step-decode"]');
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

  test("zh: simulator steps and the layout reason, protection, audit actions and field types are worded in Chinese", async () => {
    const han = /[\u4e00-\u9fff]/;
    const toZh = (await page.evaluate(() => document.documentElement.lang)) !== "zh-CN";
    if (toZh) await page.click('[data-testid="lang-zh"]');
    try {
      const url = await demoURL(0);
      await go("simulator");
      await page.locator('[data-testid="sim-integration"] option[value="demo-easemob"]').waitFor({ state: "attached" });
      await page.selectOption('[data-testid="sim-integration"]', "demo-easemob");
      await page.fill('[data-testid="sim-input"]', base + url);
      await page.click('[data-testid="sim-run"]');
      // This run's result (the previous test's, of another integration, may still be on screen).
      await page.locator('[data-testid="sim-result"][data-integration="demo-easemob"] [data-testid="sim-layout"]').waitFor();
      const details = await page.locator('[data-testid="sim-step-detail"]').allTextContents();
      assert.ok(details.length >= 5, `steps: ${details}`);
      for (const d of details) {
        assert.match(d, han, `a step in English: ${d}`);
        assert.doesNotMatch(d, /\bsim\.[a-z]/, `a code left unworded: ${d}`);
      }
      assert.match(await page.locator('[data-testid="sim-layout"]').textContent(), /布局/);
      assert.match(await page.locator('[data-testid="sim-match-reason"]').textContent(), han);

      await go("integrations");
      const summary = page.locator('[data-testid="protection-summary"]').first();
      await summary.waitFor();
      assert.match(await summary.textContent(), han);

      await go("audit");
      await page.locator('[data-testid="audit-events"]').waitFor();
      assert.equal(await page.locator('[data-testid="audit-action"] option[value="key.reveal"]').textContent(), "查看密钥");
      assert.equal(await page.locator('[data-testid="audit-events"] tr[data-action="layout.preview"]').count(), 0, "previews hidden by default");
      const named = await page.locator('[data-testid="audit-integration-name"]').allTextContents();
      assert.ok(named.some((n) => /\(#\d+\)$/.test(n) && !n.startsWith("#")), `integration names: ${named}`);

      await go("fields");
      const type = page.locator("td[data-type]").first();
      await type.waitFor();
      assert.match(await type.textContent(), han);
    } finally {
      if (toZh) await page.click('[data-testid="lang-en"]');
    }
  });

  test("admins: add one, set their password, remove them; never yourself", async () => {
    await go("admins");
    const me = page.locator('[data-testid="admin-admin@localhost"]');
    await me.waitFor();
    assert.equal(await me.locator('[data-testid="admin-remove"]').count(), 0, "no Remove on yourself");
    const add = page.locator('[data-testid="admin-add"]');
    await add.locator('input[name="email"]').fill("dev@example.com");
    await add.locator('input[name="password"]').fill("a first password");
    await add.locator('input[name="currentPassword"]').fill(password);
    await page.click('[data-testid="admin-add-submit"]');
    const dev = page.locator('[data-testid="admin-dev@example.com"]');
    await dev.waitFor();
    await dev.locator('[data-testid="admin-reset-open"]').click();
    const reset = page.locator('[data-testid^="admin-reset-"]:is(form)');
    await reset.locator('input[name="password"]').fill("another password");
    await reset.locator('input[name="currentPassword"]').fill(password);
    await reset.locator('[data-testid="admin-reset-submit"]').click();
    await eventually(
      async () => /已为 dev@example.com 设置新密码|dev@example.com's password was set/.test(await page.locator('[data-testid="admins-done"]').textContent()),
      "the reset is confirmed",
    );
    // Signed in from outside the browser, so that the console keeps its own session.
    const signIn = await fetch(`${base}/api/v1/admin/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "dev@example.com", password: "another password" }),
    });
    assert.equal(signIn.status, 201, "the new password signs in");
    await dev.locator('[data-testid="admin-remove"]').click();
    await page.click('[data-testid="admin-remove-confirm"]');
    await eventually(async () => (await dev.count()) === 0, "dev@example.com is gone from the list");
  });

  test("sign out says so and ends the session; a session ended elsewhere says so", async () => {
    await page.click('[data-testid="sign-out"]');
    await page.locator('[data-testid="sign-in"]').waitFor();
    assert.match(await page.locator('[data-testid="sign-in-notice"]').textContent(), /你已退出登录|You signed out/);
    const r = await page.evaluate(async () => (await fetch("/api/v1/admin/integrations")).status);
    assert.equal(r, 401);

    // Signed in again, the session then ends (signed out from elsewhere): the next screen says so.
    await page.fill('input[name="email"]', "admin@localhost");
    await page.fill('input[name="password"]', password);
    await page.click('[data-testid="sign-in-submit"]');
    await page.locator('[data-testid="signed-in-as"]').waitFor();
    await page.evaluate(async () => {
      await fetch("/api/v1/admin/session", { method: "DELETE" });
    });
    await page.click('[data-testid="nav-agents"]');
    await page.locator('[data-testid="sign-in"]').waitFor();
    assert.match(await page.locator('[data-testid="sign-in-notice"]').textContent(), /会话已结束|session ended/);
  });
});
