// End-to-end: every console screen and the playground fit a 360 px phone
// and a 1400 px desktop, in zh and en (issue 16, walkthrough findings 1 and
// 2): no sideways page scroll, and the sign-out and language buttons on
// screen. Against `crmlens serve --demo` in Debian's chromium.
//
//   npm run build && go build -o bin/crmlens ./cmd/crmlens && node --test frontend/e2e/widths.test.mjs
//
// CRMLENS_WIDTH_SHOTS=/tmp/ui16 writes a full-page screenshot of each screen
// there (console-<screen>-<lang>-<width>.png, playground-<lang>-<width>.png).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { afterNextPaint, skipUnlessReady, startDemo } from "./helpers.mjs";

const skip = skipUnlessReady();
const shots = process.env.CRMLENS_WIDTH_SHOTS;

// The console's screens, as Console.tsx lists them (nav-<screen>).
const screens = ["integrations", "layouts", "fields", "agents", "simulator", "audit", "admins", "account"];
const widths = [360, 1400];
const langs = ["zh", "en"];

describe("360 and 1400 px e2e", { skip }, () => {
  let base;
  let browser;
  let output;
  let stop;
  let email;
  let password;

  before(async () => {
    ({ base, browser, output, stop } = await startDemo("crmlens-widths-e2e-", { width: 1400, height: 900 }));
    const m = output().match(/First admin created: (\S+)\s+password: (\S+)/);
    assert.ok(m, `serve --demo printed no first admin:\n${output()}`);
    [, email, password] = m;
    if (shots) mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await stop?.();
  });

  /** What overflows page at its width: the page's own sideways scroll, and any of the named controls off screen. */
  async function misfits(page, controls) {
    return page.evaluate((sel) => {
      const out = [];
      const vw = window.innerWidth;
      const sw = document.documentElement.scrollWidth;
      if (sw > vw) {
        // Name the widest elements, to say what to fix.
        const wide = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > vw + 1)
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}[${el.getAttribute("data-testid") ?? ""}]`);
        out.push(`the page is ${sw} px wide in a ${vw} px window (${wide.join(", ")})`);
      }
      for (const s of sel) {
        const el = document.querySelector(s);
        if (!el) {
          out.push(`${s} is missing`);
          continue;
        }
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.left < 0 || r.right > vw) out.push(`${s} is off screen (${Math.round(r.left)}–${Math.round(r.right)} of ${vw})`);
        // One character a line: a button taller than three lines of its text.
        const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;
        if (el.tagName === "BUTTON" && r.height > lh * 3) out.push(`${s} wraps (${Math.round(r.height)} px tall)`);
      }
      return out;
    }, controls);
  }

  for (const width of widths) {
    for (const lang of langs) {
      test(`the console at ${width} px in ${lang}`, async () => {
        const context = await browser.newContext({ viewport: { width, height: 800 }, locale: lang === "zh" ? "zh-CN" : "en-US" });
        try {
          const page = await context.newPage();
          await page.goto(`${base}/admin`);
          await page.fill('input[name="email"]', email);
          await page.fill('input[name="password"]', password);
          await page.click('[data-testid="sign-in-submit"]');
          await page.locator('[data-testid="signed-in-as"]').waitFor();
          await page.click(`[data-testid="lang-${lang}"]`);
          const problems = [];
          for (const screen of screens) {
            await page.locator(`[data-testid="nav-${screen}"]`).click();
            await page.waitForURL(`**/admin#${screen}`);
            await page.locator("main.screen h1, main.screen h2").first().waitFor();
            await page.waitForLoadState("networkidle");
            await afterNextPaint(page);
            for (const p of await misfits(page, ['[data-testid="sign-out"]', `[data-testid="lang-zh"]`, `[data-testid="lang-en"]`])) {
              problems.push(`${screen}: ${p}`);
            }
            if (shots) await page.screenshot({ path: join(shots, `console-${screen}-${lang}-${width}.png`), fullPage: true });
          }
          assert.deepEqual(problems, [], `at ${width} px in ${lang}`);
        } finally {
          await context.close();
        }
      });

      test(`the playground at ${width} px in ${lang}`, async () => {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        try {
          const page = await context.newPage();
          await page.goto(`${base}/?lang=${lang}`);
          await page.frameLocator('[data-testid="sidebar-frame"]').getByTestId("contact-name").waitFor();
          await afterNextPaint(page);
          const problems = await misfits(page, [`[data-testid="lang-zh"]`, `[data-testid="lang-en"]`, '[data-testid="sidebar-frame"]', '[data-testid="chat-preview"]']);
          assert.deepEqual(problems, [], `at ${width} px in ${lang}`);
          if (shots) await page.screenshot({ path: join(shots, `playground-${lang}-${width}.png`), fullPage: true });
        } finally {
          await context.close();
        }
      });
    }
  }
});
