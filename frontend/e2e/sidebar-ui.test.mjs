// End-to-end: how the sidebar looks and behaves for an agent, against the
// real server (`crmlens serve --demo`) in headless chromium: widths from 300
// to 420 px, the time from the context answer to the data on screen, no blank
// frame when the platform reloads the frame, nothing of the previous visitor
// kept in memory, the stale-data hint, panels that stay collapsed, the
// keyboard, light and dark, axe-core, precompressed assets, and (with
// CRMLENS_SCREENSHOTS=1) the screenshots under docs/. Build first, as for
// sidebar.test.mjs:
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && node --test frontend/e2e/sidebar-ui.test.mjs
//
// Env: see helpers.mjs.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  demoConversations,
  eventually,
  heapStrings,
  recordFrames,
  repo,
  runAxe,
  skipUnlessReady,
  startDemo,
  withParam,
} from "./helpers.mjs";

const skip = skipUnlessReady();

/** The budget from the context answer to the data on screen, in ms (README.md, Performance). */
const TIME_TO_DATA_MS = 300;

describe("crmlens e2e: the sidebar for agents", { skip }, () => {
  let base;
  let browser;
  let context;
  let stop;
  let convs;
  /** The showcase contact (linked, with orders, tickets and leads) and one that no contact matches. */
  let showcase;
  let unknown;
  const axeResults = [];

  before(async () => {
    ({ base, browser, context, stop } = await startDemo("crmlens-e2e-ui-", { width: 360, height: 900 }));
    convs = await demoConversations(base);
    showcase = convs[0];
    unknown = convs[convs.length - 1];
    assert.match(unknown.sidebarUrl, /visitorImId=demo-visitor-unknown/, "the last demo conversation is the unknown visitor");
  });

  after(async () => {
    if (axeResults.length) {
      console.log("axe-core (wcag2a/aa, wcag21a/aa, best-practice):");
      for (const r of axeResults) console.log(`  ${r}`);
    }
    await stop?.();
  });

  /** The sidebar URL of conv in lang (and theme), as a path. */
  const sidebar = (conv, lang = "en", theme) => {
    const url = withParam(conv.sidebarUrl, "lang", lang);
    return theme ? withParam(url, "theme", theme) : url;
  };

  async function open(path, ctx = context) {
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    const response = await page.goto(base + path);
    return { page, errors, response };
  }

  /** Runs axe in page, records the summary for the report, and fails on a serious or critical violation. */
  async function axeClean(page, what) {
    const r = await runAxe(page);
    axeResults.push(`${what}: ${r.violations.length} violation(s), ${r.serious.length} serious or critical; ${r.passes} rules passed` +
      (r.violations.length ? `\n    ${r.violations.join("\n    ")}` : ""));
    assert.deepEqual(r.serious, [], `axe-core on ${what}`);
  }

  test("fits every sidebar width from 300 to 420 px", async () => {
    for (const width of [300, 360, 420]) {
      const ctx = await browser.newContext({ viewport: { width, height: 800 } });
      try {
        const { page, errors } = await open(sidebar(showcase), ctx);
        await page.getByTestId("contact-name").waitFor();
        const { scroll, client, overflowing } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          // any element sticking out of the viewport on the right
          overflowing: [...document.querySelectorAll("main *")]
            .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
            .map((el) => el.outerHTML.slice(0, 80)),
        }));
        assert.ok(scroll <= client, `no horizontal scrolling at ${width} px (${scroll} > ${client})`);
        assert.deepEqual(overflowing, [], `nothing overflows at ${width} px`);
        assert.equal(await page.locator('section[data-testid^="panel-"]').count(), 5, `the default layout's five panels at ${width} px`);
        assert.deepEqual(errors, []);
      } finally {
        await ctx.close();
      }
    }
  });

  test("at 360 px a long e-mail keeps its copy button on its line", async () => {
    const { page, errors } = await open(sidebar(showcase));
    await page.getByTestId("contact-name").waitFor();
    // The default layout shows the e-mail in clear; make it as long as real ones get.
    const email = page.getByTestId("panel-contact").locator('[data-field="email"] .with-copy');
    await email.waitFor();
    await email.locator("a").evaluate((a) => {
      a.textContent = "procurement.department.shanghai-office@very-long-company-domain.example.com";
    });
    const box = await email.locator("a").boundingBox();
    const copy = await email.locator("button").boundingBox();
    const cell = await page.getByTestId("panel-contact").locator('[data-field="email"] dd').boundingBox();
    assert.ok(copy.x >= box.x + box.width - 1, `the copy button is right of the e-mail (${copy.x} < ${box.x + box.width})`);
    assert.ok(copy.y < box.y + box.height && copy.y + copy.height > box.y, "the copy button is beside the e-mail, not under it");
    assert.ok(copy.x + copy.width <= cell.x + cell.width + 0.5, "the copy button stays inside its cell");
    assert.deepEqual(errors, []);
  });

  test("the header card says who it is and why it matched, with not-this-person and copyable ids", async () => {
    const { page, errors } = await open(sidebar(showcase));
    const head = page.getByTestId("header");
    await head.waitFor();
    assert.equal((await page.getByTestId("contact-name").textContent()).trim(), showcase.visitorName);
    assert.match(await page.getByTestId("contact-org").textContent(), / · /, "title · company");
    assert.match(await page.getByTestId("contact-owner").textContent(), /^Owner \S/);
    assert.ok((await page.getByTestId("contact-tags").locator(".badge").count()) >= 1, "the account's tier as a badge");
    assert.equal(await page.getByTestId("match-method").textContent(), "Channel identity");
    assert.match(await page.getByTestId("match-reason").textContent(), /identity of this contact/);
    assert.equal(await head.getByTestId("not-this-person").count(), 1);
    // lists: status badges in words, relative dates, money in the record's currency
    const orders = page.getByTestId("panel-orders");
    assert.match(await orders.locator(".badge").first().textContent(), /^(Pending|Paid|Shipped|Delivered|Refunded)$/);
    assert.match(await orders.locator("time").first().textContent(), /ago|yesterday|today|now/);
    assert.match(await orders.locator(".tl-amount").first().textContent(), /^(CN¥|\$)[\d,]+\.\d\d$/);
    assert.match(await page.getByTestId("orders-total").textContent(), /^Total of the orders shown (CN¥|\$)/);
    assert.deepEqual(errors, []);
  });

  // The figure is printed for the report, with the budget met or not; it is
  // not a pass/fail check (a timing on a shared machine would fail for the
  // machine's reasons). What is asserted is that the measurement is real:
  // the browser's own timings exist and the data was painted after the answer.
  test("measures the time from the context answer to the data on screen", async () => {
    const runs = [];
    for (let i = 0; i < 7; i++) {
      const { page, errors } = await open(sidebar(showcase));
      await page.getByTestId("contact-name").waitFor();
      const m = await page.evaluate(async () => {
        // Element Timing: when the browser painted the header (the name), per elementtiming="crmlens-header".
        const painted = await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no Element Timing entry for the header")), 5000);
          new PerformanceObserver((list, observer) => {
            const e = list.getEntries().find((x) => x.identifier === "crmlens-header");
            if (e) {
              clearTimeout(timer);
              observer.disconnect();
              resolve(e.renderTime || e.loadTime);
            }
          }).observe({ type: "element", buffered: true });
        });
        const answer = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/v1/sidebar/context"));
        const measure = performance.getEntriesByName("crmlens:context-to-data")[0];
        return { painted, answered: answer?.responseEnd, rendered: measure?.duration };
      });
      assert.ok(m.answered > 0, "the context request is in the resource timings");
      assert.ok(typeof m.rendered === "number", "the page measured crmlens:context-to-data");
      runs.push({ toScreen: m.painted - m.answered, toRender: m.rendered, fromStart: m.painted });
      assert.deepEqual(errors, []);
      await page.close();
    }
    const sorted = (k) => runs.map((r) => r[k]).sort((a, b) => a - b);
    const median = (k) => sorted(k)[Math.floor(runs.length / 2)];
    const fmt = (n) => n.toFixed(1);
    const load = (await import("node:os")).loadavg()[0].toFixed(1);
    console.log(
      `time to data (context answer → header painted, Element Timing), ${runs.length} loads: ` +
        `best ${fmt(sorted("toScreen")[0])} ms, median ${fmt(median("toScreen"))} ms, worst ${fmt(sorted("toScreen").at(-1))} ms; ` +
        `context received → rendered (performance marks): best ${fmt(sorted("toRender")[0])} ms, median ${fmt(median("toRender"))} ms; ` +
        `navigation → data painted: median ${fmt(median("fromStart"))} ms; ` +
        `budget ${TIME_TO_DATA_MS} ms for the best load: ${sorted("toScreen")[0] <= TIME_TO_DATA_MS ? "met" : "NOT MET"} (load average ${load})`,
    );
    assert.ok(runs.every((r) => r.toScreen >= 0), `painted after the answer: ${JSON.stringify(runs)}`);
  });

  test("a reloaded frame goes from the skeleton to the next visitor, never blank", async () => {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    await page.addInitScript(recordFrames);
    await page.goto(base + "/?lang=en");
    const frame = page.frameLocator('[data-testid="sidebar-frame"]');
    await frame.getByTestId("contact-name").waitFor();
    const first = (await frame.getByTestId("contact-name").textContent()).trim();

    // The playground reloads the frame with the next conversation's URL, as Easemob does.
    await page.locator('[data-testid^="conversation-"]').nth(1).click();
    const child = page.frames().find((f) => f.url().includes("/sidebar/"));
    const second = await eventually(async () => {
      const n = (await frame.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim();
      return n && n !== first ? n : null;
    }, "the frame shows the second conversation's contact");
    const frames = await eventually(async () => {
      const f = await (page.frames().find((x) => x.url().includes("/sidebar/")) ?? child).evaluate(() => window.__frames);
      return f.at(-1) === `name:${second}` ? f : null;
    }, "the frame's paints were recorded");
    assert.equal(frames[0], "skeleton", `the new frame's first paint is the skeleton: ${frames}`);
    assert.ok(!frames.includes("blank"), `never a blank paint: ${frames}`);
    assert.ok(!frames.includes(`name:${first}`), `nothing of ${first} in the new frame: ${frames}`);
    assert.deepEqual(errors, []);
  });

  test("nothing of the previous visitor stays in the page's memory after a new URL", async () => {
    const { page, errors } = await open(sidebar(showcase));
    await page.getByTestId("contact-name").waitFor();
    const orderNos = (await page.getByTestId("panel-orders").locator(".item-title").allTextContents()).map((s) => s.trim());
    assert.ok(orderNos.length > 0, "the showcase contact has orders");
    const next = convs[1];
    await page.goto(base + sidebar(next));
    await eventually(
      async () => (await page.getByTestId("contact-name").textContent({ timeout: 1_000 }))?.trim() === next.visitorName,
      `the sidebar shows ${next.visitorName}`,
    );
    const strings = await heapStrings(page);
    assert.ok(strings.some((s) => s.includes(next.visitorName)), "the heap snapshot sees the sidebar's strings");
    const kept = [showcase.visitorName, ...orderNos].filter((v) => strings.some((s) => s.includes(v)));
    assert.deepEqual(kept, [], "the previous visitor's name and order numbers are gone from the JS heap");
    assert.deepEqual(errors, []);
  });

  test("a failed refresh keeps the data with a stale-data hint, and Try again recovers", async () => {
    const { page, errors } = await open(sidebar(showcase));
    await page.getByTestId("contact-name").waitFor();
    await page.route("**/api/v1/sidebar/context", (route) => route.abort("internetdisconnected"));
    await page.getByTestId("refresh").click();
    const stale = page.getByTestId("stale");
    await stale.waitFor();
    assert.equal(await stale.getAttribute("data-code"), "network");
    assert.match(await stale.textContent(), /Could not refresh.*Still showing the data loaded at .*Cannot reach the crmlens server/s);
    assert.equal((await page.getByTestId("contact-name").textContent()).trim(), showcase.visitorName, "the data stays");
    assert.equal(await page.locator('section[data-testid^="panel-"]').count(), 5, "so do the panels");
    await axeClean(page, "stale-data hint (en, light)");

    await page.unroute("**/api/v1/sidebar/context");
    await page.getByTestId("stale-retry").click();
    await eventually(async () => (await page.getByTestId("stale").count()) === 0, "the hint goes after a good refresh");
    assert.deepEqual(errors, []);
  });

  test("a collapsed panel stays collapsed on the next page", async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 800 } });
    try {
      const { page, errors } = await open(sidebar(showcase), ctx);
      const toggle = page.getByTestId("panel-leads").getByTestId("collapse-toggle");
      await toggle.click();
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      assert.equal(await page.getByTestId("panel-leads").locator(".panel-body").isHidden(), true);

      // The next conversation opens with leads still collapsed.
      await page.goto(base + sidebar(convs[1]));
      await page.getByTestId("contact-name").waitFor();
      assert.equal(await page.getByTestId("panel-leads").getByTestId("collapse-toggle").getAttribute("aria-expanded"), "false");
      assert.equal(await page.getByTestId("panel-orders").getByTestId("collapse-toggle").getAttribute("aria-expanded"), "true");
      await axeClean(page, "a collapsed panel (en, light)");
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  });

  test("works from the keyboard: collapse a panel, copy an id", async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 800 } });
    try {
      await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      const { page, errors } = await open(sidebar(showcase), ctx);
      await page.getByTestId("contact-name").waitFor();
      /** Tabs until the focused element matches selector; returns what was passed on the way. */
      const tabTo = async (selector) => {
        const seen = [];
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press("Tab");
          const here = await page.evaluate((sel) => {
            const el = document.activeElement;
            return { hit: !!el?.matches(sel), name: el?.getAttribute("aria-label") || el?.textContent?.trim().slice(0, 30) };
          }, selector);
          seen.push(here.name);
          if (here.hit) return seen;
        }
        assert.fail(`Tab never reached ${selector}; passed ${seen.join(" | ")}`);
      };
      const passed = await tabTo('[data-testid="panel-orders"] [data-testid="collapse-toggle"]');
      for (const name of ["Refresh", "Copy Visitor ID", "Not this person"]) assert.ok(passed.includes(name), `Tab passes ${name}: ${passed}`);
      const toggle = page.getByTestId("panel-orders").getByTestId("collapse-toggle");
      await page.keyboard.press("Enter");
      assert.equal(await toggle.getAttribute("aria-expanded"), "false", "Enter collapses");
      await page.keyboard.press("Space");
      assert.equal(await toggle.getAttribute("aria-expanded"), "true", "Space expands");

      const first = (await page.getByTestId("panel-orders").locator(".item-title").first().textContent()).trim();
      await tabTo('[data-testid="panel-orders"] [data-testid="copy"]');
      await page.keyboard.press("Enter");
      const status = page.getByTestId("panel-orders").getByTestId("copy-status").first();
      await eventually(async () => (await status.textContent()) === "Copied", "Copied is said");
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first, "the order number is on the clipboard");
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  });

  test("light and dark: the system's choice, or the theme param, from the first paint", async () => {
    const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const LIGHT = "rgb(244, 245, 247)";
    const DARK = "rgb(18, 20, 24)";
    for (const [scheme, theme, want] of [
      ["light", undefined, LIGHT],
      ["dark", undefined, DARK],
      ["light", "dark", DARK],
      ["dark", "light", LIGHT],
    ]) {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, colorScheme: scheme });
      try {
        const { page, response, errors } = await open(sidebar(showcase, "en", theme), ctx);
        if (theme) assert.match(await response.text(), new RegExp(`<html data-theme="${theme}"`), "the server wrote the theme for the first paint");
        await page.getByTestId("contact-name").waitFor();
        assert.equal(await bg(page), want, `system ${scheme}, theme=${theme ?? "(none)"}`);
        assert.deepEqual(errors, []);
      } finally {
        await ctx.close();
      }
    }
  });

  test("axe-core finds no serious violation in any state, light or dark, zh or en", async () => {
    for (const [scheme, lang] of [
      ["light", "en"],
      ["dark", "zh"],
    ]) {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, colorScheme: scheme });
      try {
        const linked = await open(sidebar(showcase, lang), ctx);
        await linked.page.getByTestId("contact-name").waitFor();
        await axeClean(linked.page, `linked contact (${lang}, ${scheme})`);
        await linked.page.getByTestId("not-this-person").click();
        await linked.page.getByTestId("not-this-person-confirm").waitFor();
        await axeClean(linked.page, `not-this-person confirm (${lang}, ${scheme})`);

        const notLinked = await open(sidebar(unknown, lang), ctx);
        await notLinked.page.getByTestId("contact-search").fill(lang === "zh" ? "王" : "Em");
        await notLinked.page.getByTestId("search-results").waitFor();
        await axeClean(notLinked.page, `not linked, with search results (${lang}, ${scheme})`);

        const error = await open(`/sidebar/demo-easemob?lang=${lang}`, ctx);
        await error.page.getByTestId("state-error").waitFor();
        await axeClean(error.page, `error: no visitor params (${lang}, ${scheme})`);

        const loading = await ctx.newPage();
        await loading.route("**/api/v1/sidebar/sessions", () => {}); // never answered
        await loading.goto(base + sidebar(showcase, lang));
        await loading.getByTestId("state-loading").waitFor();
        await axeClean(loading, `loading skeleton (${lang}, ${scheme})`);
        assert.deepEqual([...linked.errors, ...notLinked.errors, ...error.errors], []);
      } finally {
        await ctx.close();
      }
    }
  });

  test("assets are sent precompressed, brotli first", async () => {
    const { page, errors } = await open(sidebar(showcase));
    const seen = new Map();
    page.on("response", (r) => {
      if (r.url().includes("/assets/")) seen.set(r.url(), r.headers()["content-encoding"]);
    });
    await page.reload();
    await page.getByTestId("contact-name").waitFor();
    assert.ok(seen.size >= 2, `the page loaded its assets: ${[...seen.keys()]}`);
    for (const [url, enc] of seen) assert.equal(enc, "br", `${url} came brotli-encoded`);

    const html = await (await fetch(base + "/sidebar/demo-easemob")).text();
    const js = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(js, "sidebar.html names its script");
    const plain = await fetch(base + js, { headers: { "accept-encoding": "identity" } });
    const gz = await fetch(base + js, { headers: { "accept-encoding": "gzip" } });
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.match(gz.headers.get("vary") ?? "", /Accept-Encoding/);
    assert.equal(await gz.text(), await plain.text(), "the gzip variant decodes to the file");
    assert.deepEqual(errors, []);
  });

  // Always run, so that the README's images cannot come from a sidebar that
  // no longer renders; CRMLENS_SCREENSHOTS=1 keeps them in docs/.
  test("the showcase in en and zh, light and dark (the README's screenshots)", async () => {
    const keep = process.env.CRMLENS_SCREENSHOTS === "1";
    if (keep) {
      // Without a CJK font Chromium draws the zh screenshots as boxes.
      const fonts = spawnSync("fc-list", [":lang=zh"], { encoding: "utf8" });
      assert.ok(fonts.stdout?.trim(), "no Chinese font for the zh screenshots: apt-get install fonts-noto-cjk");
    }
    const dir = keep ? join(repo, "docs") : mkdtempSync(join(tmpdir(), "crmlens-shots-"));
    mkdirSync(dir, { recursive: true });
    const backgrounds = {};
    for (const lang of ["en", "zh"]) {
      for (const scheme of ["light", "dark"]) {
        const ctx = await browser.newContext({ viewport: { width: 360, height: 760 }, colorScheme: scheme, deviceScaleFactor: 2 });
        try {
          const { page } = await open(sidebar(showcase, lang), ctx);
          await page.getByTestId("contact-name").waitFor();
          await page.evaluate(() => document.fonts.ready);
          assert.equal(await page.evaluate(() => document.documentElement.lang), lang === "zh" ? "zh-CN" : "en-US", `${lang}: the page's language`);
          backgrounds[`${lang}-${scheme}`] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          const path = join(dir, `sidebar-${lang}-${scheme}.png`);
          await page.screenshot({ path, fullPage: true });
          const png = readFileSync(path);
          assert.ok(png.subarray(1, 4).toString() === "PNG" && png.length > 10_000, `${path} is a PNG with content (${png.length} bytes)`);
        } finally {
          await ctx.close();
        }
      }
    }
    for (const lang of ["en", "zh"]) {
      assert.notEqual(backgrounds[`${lang}-light`], backgrounds[`${lang}-dark`], `${lang}: dark differs from light`);
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
});
