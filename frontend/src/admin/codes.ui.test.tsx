// The console words what the server sends as codes (codes.ts) on each
// screen: protection, simulator steps and layout reason, audit actions and
// names, field types.
import { describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { byTestId, flush, mount } from "../test/dom";
import { createApi, type Fetch } from "../api/client";
import { createAdminClient as adminClient } from "./api";
import { Audit } from "./Audit";
import { Fields } from "./Fields";
import { Integrations } from "./Integrations";
import { Simulator } from "./Simulator";
import type { FieldCatalog, Integration } from "../api/types";

const createAdminClient = (f: Fetch) => adminClient(createApi({ fetch: f }));

function fakeFetch(routes: Record<string, (path: string) => [number, unknown]>) {
  const paths: string[] = [];
  const f: Fetch = async (req) => {
    const method = req.method;
    const u = new URL(req.url);
    const input = u.pathname + u.search;
    paths.push(`${method} ${input}`);
    const route = routes[`${method} ${input.split("?")[0]}`];
    const [status, body] = route ? route(input) : [404, { error: { code: "not_found", message: "no route" } }];
    return new Response(JSON.stringify(body), { status });
  };
  return { f, paths };
}

async function typeIn(el: Element | null, value: string) {
  await act(async () => {
    const input = el as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function submit(el: Element | null) {
  await act(async () => {
    (el as HTMLFormElement).dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  });
  await flush();
}

const integration: Integration = {
  slug: "acme",
  kind: "easemob",
  name: "Acme",
  sidebarUrl: "https://crm.example.com/sidebar/acme",
  origins: ["https://kefu.easemob.com"],
  keySet: true,
  keyMasked: "••••cret",
  protection: {
    level: "low",
    summary: "anyone who has this URL can read any visitor whose IM id they know: turn on encrypted system params",
    exposed: ["visitor id (visitorImId is in clear and can be swapped)"],
    advice: ["pin the expected tenantId"],
    summaryCodes: [{ code: "prot.summary.easemob_plain_ids" }],
    exposedCodes: [{ code: "prot.exposed.visitor_id_clear" }],
    adviceCodes: [{ code: "prot.advice.pin_tenant" }],
  },
  options: {},
};

describe("coded server text on the console's screens", () => {
  it("words the protection level in zh", async () => {
    const { f } = fakeFetch({ "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }] });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="zh" />);
    expect(byTestId(el, "protection-summary")?.textContent).toBe("任何持有此 URL 的人，只要知道访客的 IM ID 就能查看该访客：请开启系统参数加密。");
    expect(byTestId(el, "protection-advice")?.textContent).toBe("固定预期的 tenantId");
  });

  it("words every simulator step, the match reason and the layout reason in zh", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }],
      "POST /api/v1/admin/simulate": () => [
        200,
        {
          input: "query",
          params: [],
          steps: [
            { step: "input", status: "ok", detail: "read as query with 2 parameters", detailCode: "sim.input.read", params: { kind: "query", count: "2" } },
            {
              step: "match",
              status: "ok",
              detail: "channel identity: no contact has the easemob id im-x as an identity",
              detailCode: "sim.trace.identity.none",
              params: { channel: "easemob", visitor: "im-x" },
            },
            {
              step: "match",
              status: "warning",
              detail: "not linked: no contact has the easemob id im-x as an identity",
              detailCode: "sim.match.not_linked",
              params: { channel: "easemob", visitor: "im-x" },
            },
            {
              step: "layout",
              status: "ok",
              detail: 'layout "default": the built-in default layout applies…',
              detailCode: "sim.layout",
              params: { name: "default", reasonCode: "layout.builtin" },
            },
          ],
          match: { status: "not_linked", reason: "no contact has the easemob id im-x as an identity", reasonCode: "no_identity" },
          layout: { name: "default", reason: "the built-in default layout applies…", reasonCode: "layout.builtin", reasonParams: { name: "default" } },
        },
      ],
    });
    const el = await mount(<Simulator client={createAdminClient(f)} lang="zh" />);
    await typeIn(byTestId(el, "sim-input"), "easemobId=1&visitorImId=im-x");
    await submit(byTestId(el, "simulator"));
    const steps = [...el.querySelectorAll('[data-testid="sim-step-detail"]')].map((p) => p.textContent);
    expect(steps).toEqual([
      "按 query 读取，共 2 个参数",
      "渠道身份：没有联系人以 easemob 账号 im-x 作为渠道身份",
      "未关联：没有联系人以 easemob 账号 im-x 作为渠道身份",
      "布局“default”：使用内置默认布局：没有为此集成、坐席、坐席组保存布局，也没有保存默认布局",
    ]);
    expect(byTestId(el, "sim-step-input")?.textContent).toContain("输入");
    expect(byTestId(el, "sim-step-input")?.textContent).toContain("通过");
    expect(byTestId(el, "sim-match-reason")?.textContent).toBe("没有联系人以 easemob 账号 im-x 作为渠道身份");
    expect(byTestId(el, "sim-layout")?.textContent).toContain("使用内置默认布局");
  });

  it("shows names in the audit trail, words actions, and hides previews unless asked", async () => {
    const { f, paths } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }],
      "GET /api/v1/admin/audit": () => [
        200,
        {
          events: [
            {
              id: "9",
              action: "context.read",
              actor: "agent-7",
              actorName: "王客服",
              integrationId: "1",
              integrationName: "Acme",
              integrationSlug: "acme",
              visitorId: "3",
              visitorName: "easemob/im-zhang",
              contactId: "5",
              contactName: "张三",
              requestId: "r",
              at: "2026-12-03T10:00:00Z",
              detail: {},
            },
          ],
        },
      ],
    });
    const el = await mount(<Audit client={createAdminClient(f)} lang="zh" />);
    await flush();
    const row = el.querySelector('tr[data-action="context.read"]');
    expect(row?.textContent).toContain("打开侧边栏（读取联系人）");
    expect(byTestId(el, "audit-actor")?.textContent).toBe("王客服 (agent-7)");
    expect(byTestId(el, "audit-integration-name")?.textContent).toBe("Acme (#1)");
    expect(byTestId(el, "audit-contact")?.textContent).toBe("张三 (#5)");
    expect(byTestId(el, "audit-visitor")?.textContent).toBe("easemob/im-zhang (#3)");
    expect([...el.querySelectorAll('[data-testid="audit-integration"] option')].map((o) => o.textContent)).toEqual(["全部", "Acme"]);
    expect([...el.querySelectorAll('[data-testid="audit-action"] option')].some((o) => o.textContent === "查看密钥")).toBe(true);

    await act(async () => {
      const box = byTestId(el, "audit-previews") as HTMLInputElement;
      box.checked = true;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await act(async () => {
      const sel = byTestId(el, "audit-integration") as HTMLSelectElement;
      sel.value = "acme";
      sel.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await typeIn(el.querySelector('input[name="contact"]'), "张");
    await submit(byTestId(el, "audit-filters"));
    const last = paths.filter((p) => p.startsWith("GET /api/v1/admin/audit")).at(-1) ?? "";
    expect(last).toContain("previews=true");
    expect(last).toContain("integration=acme");
    expect(last).toContain(`contact=${encodeURIComponent("张")}`);
    const href = byTestId(el, "audit-export")?.getAttribute("href") ?? "";
    expect(href).not.toContain("previews");
    expect(href).toContain("integration=acme");
  });

  it("words field types in zh", async () => {
    const catalog: FieldCatalog = {
      objects: [
        {
          object: "contact",
          label: { zh: "联系人", en: "Contact" },
          single: true,
          fields: [
            { object: "contact", key: "spend", label: { zh: "消费", en: "Spend" }, type: "money", custom: true, retired: false, sortable: false, filterable: false },
          ],
        },
      ],
    };
    const { f } = fakeFetch({ "GET /api/v1/admin/fields": () => [200, catalog] });
    const el = await mount(<Fields client={createAdminClient(f)} lang="zh" />);
    await flush();
    expect(el.querySelector('td[data-type="money"]')?.textContent).toBe("金额");
    expect([...el.querySelectorAll("select option")].map((o) => o.textContent)).toContain("日期时间");
  });
});
