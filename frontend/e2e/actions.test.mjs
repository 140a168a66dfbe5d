// End-to-end: the agent's actions in the sidebar against the real server
// (`crmlens serve --demo`, its own database): link an unknown visitor found
// by search, say it is not this person, show a masked phone in clear. Build
// first, as for sidebar.test.mjs:
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && npm run test:e2e
//
// Env: see helpers.mjs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, skipUnlessReady, startDemo } from "./helpers.mjs";

const skip = skipUnlessReady();

const UNKNOWN = "/sidebar/demo-easemob?easemobId=x&visitorImId=nobody-here&lang=en";

const exactly = (s) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

describe("crmlens e2e: agent actions", { skip }, () => {
  let base;
  let context;
  let stop;

  before(async () => {
    ({ base, context, stop } = await startDemo("crmlens-e2e-actions-", { width: 400, height: 800 }));
  });

  after(async () => {
    await stop?.();
  });

  async function open(path) {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    await page.goto(base + path);
    return { page, errors };
  }

  async function conversations() {
    const r = await fetch(`${base}/api/v1/playground/conversations`);
    assert.equal(r.status, 200, "GET /api/v1/playground/conversations");
    const { conversations } = await r.json();
    assert.ok(conversations.length >= 2, "the demo has at least two conversations");
    return conversations;
  }

  test("an unknown visitor is linked from a search, then unlinked as not this person", async () => {
    // The second demo conversation is a contact with an English name.
    const name = (await conversations())[1].visitorName;
    assert.match(name, /^[A-Za-z]{2}/, `an English name: ${name}`);

    const { page, errors } = await open(UNKNOWN);
    await page.getByTestId("state-not-linked").waitFor();
    const search = page.getByTestId("contact-search");
    await search.fill(name.slice(0, 2));

    const results = page.getByTestId("search-results");
    await results.waitFor();
    const row = results.locator("li").filter({ has: page.locator(".candidate-name", { hasText: exactly(name) }) });
    if ((await row.count()) === 0) {
      // More than 10 names start with these two letters: narrow down.
      await search.fill(name);
      await row.first().waitFor();
    }
    const link = row.first().locator('[data-testid^="link-"]');
    assert.equal(await link.textContent(), "Link");

    // Watch for the skeleton: the linked contact replaces the picker in place.
    await page.evaluate(() => {
      window.sawSkeleton = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="state-loading"]')) window.sawSkeleton = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await link.click();
    await eventually(
      async () => (await page.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim() === name,
      `the header names ${name} after Link`,
    );
    assert.equal(await page.evaluate(() => window.sawSkeleton), false, "no skeleton between not linked and linked");
    assert.match(await page.getByTestId("match-reason").textContent(), /by hand/);
    assert.equal(await page.getByTestId("contact-search").count(), 0);

    await page.getByTestId("not-this-person").click();
    const confirm = page.getByTestId("not-this-person-confirm");
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /Unlink this contact\?/);
    assert.equal(await page.getByTestId("contact-name").textContent(), name, "nothing happens before the confirm");
    await page.getByTestId("confirm-not-this-person").click();

    await page.getByTestId("state-not-linked").waitFor();
    await page.getByTestId("contact-search").waitFor();
    assert.equal(await page.getByTestId("contact-name").count(), 0);
    // What happened is said, with the name: not "no contact has the id".
    const reason = await page.getByTestId("match-reason").textContent();
    assert.match(reason, new RegExp(`an agent said ${name} is not this person`));
    assert.doesNotMatch(reason, /no contact has/);

    // The unlink holds: a fresh page for the same visitor is not linked
    // either, and says why.
    const again = await open(UNKNOWN);
    await again.page.getByTestId("state-not-linked").waitFor();
    assert.match(await again.page.getByTestId("match-reason").textContent(), new RegExp(`${name} is not this person`));

    // Linking that contact by hand undoes it.
    const relink = again.page.getByTestId("relink");
    assert.equal(await relink.textContent(), `Link ${name} again`);
    await relink.click();
    await eventually(
      async () => (await again.page.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim() === name,
      `the header names ${name} after Link again`,
    );

    // A plain Unlink beside it: unlinked, nobody said to be the wrong person.
    await again.page.getByTestId("unlink").click();
    await again.page.getByTestId("state-not-linked").waitFor();
    assert.match(await again.page.getByTestId("match-reason").textContent(), /an agent unlinked this visitor/);
    assert.equal(await again.page.getByTestId("relink").count(), 0);
    assert.deepEqual([...errors, ...again.errors], []);
  });

  test("a masked phone of a linked visitor is shown in clear on Show", async () => {
    const [conv] = await conversations();
    const url = conv.sidebarUrl.replace(/([?&])lang=[^&]*/, "$1").replace(/[?&]$/, "");
    const { page, errors } = await open(url + (url.includes("?") ? "&" : "?") + "lang=en");
    await page.getByTestId("contact-name").waitFor();

    const cell = page.getByTestId("panel-contact").locator('[data-field="phone"] dd');
    const masked = (await cell.locator(".masked").textContent()).trim();
    assert.match(masked, /\*/, `the default layout masks the contact's phone: ${masked}`);
    const show = cell.locator('[data-testid^="reveal-contact-"][data-testid$="-phone"]');
    assert.equal(await show.textContent(), "Show");
    await show.click();

    const clear = await eventually(async () => {
      const text = (await cell.textContent({ timeout: 1_000 })).trim();
      return !text.includes("*") && text !== masked ? text : null;
    }, "the phone is shown in clear after Show");
    assert.match(clear, /\d{6,}/, `a phone number: ${clear}`);
    assert.equal(await cell.locator("a[href^='tel:']").count(), 1, "the clear phone is a tel: link");
    assert.equal(await show.count(), 0, "the Show button is gone");

    // Hide masks it again; Show is back.
    await cell.locator('[data-testid^="hide-contact-"]').click();
    await show.waitFor();
    assert.equal((await cell.locator(".masked").textContent()).trim(), masked);
    assert.ok(!(await cell.textContent()).includes(clear), "the clear phone is gone after Hide");
    assert.deepEqual(errors, []);
  });
});
