import { describe, expect, it } from "vitest";
import { catalogues as shared } from "../shared/i18n";
import codes from "./codes.json";
import { auditActionName, codeCatalogues, codeText, fieldTypeName, protectionText, stepText } from "./codes";
import type { Integration, SimulationStep } from "../api/types";

// codes.json is every code the server can emit (internal/server
// codes_test.go fails when a code is added without updating it).
describe("codes the server sends", () => {
  const keysOf = (): string[] => [
    ...codes.protection,
    ...codes.simulator,
    ...codes.auditActions.map((a) => `audit.${a}`),
    ...codes.fieldTypes.map((t) => `type.${t}`),
  ];

  it("every code has zh and en words, zh actually translated", () => {
    for (const key of keysOf()) {
      for (const lang of ["zh", "en"] as const) {
        expect(codeCatalogues[lang][key]?.trim(), `${lang} ${key}`).toBeTruthy();
      }
      if (!["sim.failed", "sim.match.unlinked", "sim.trace.other"].includes(key)) {
        expect(codeCatalogues.zh[key], key).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    for (const key of codes.layout) {
      expect(shared.en[key as keyof typeof shared.en], key).toBeTruthy();
      expect(shared.zh[key as keyof typeof shared.zh], key).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("words no code the server does not send (stale words)", () => {
    const known = new Set(keysOf());
    for (const key of Object.keys(codeCatalogues.en)) expect(known.has(key), key).toBe(true);
    expect(Object.keys(codeCatalogues.zh).sort()).toEqual(Object.keys(codeCatalogues.en).sort());
  });

  it("fills params and nested codes", () => {
    expect(codeText("zh", "sim.integration.ok", { slug: "s", kind: "easemob", keysCode: "sim.keys.one" })).toBe("集成 s（easemob），用其密钥解码");
    expect(codeText("en", "sim.checks.passed", { checksCodes: "sim.check.known_agent,sim.check.single_use" })).toBe(
      "passed: the agent is one an admin imported; the token's single use is not consumed by the simulator",
    );
    expect(codeText("zh", "sim.layout", { name: "vip", reasonCode: "layout.default" })).toBe(
      "布局“vip”：布局“vip”是默认布局，且没有限定于此集成、该坐席或其所在组的布局",
    );
    expect(codeText("zh", "sim.decode.ok", { channel: "easemob", visitor: "v-1", agentCode: "sim.agent.named", agent: "agent-7", lang: "zh" })).toBe(
      "渠道 easemob，访客 ID v-1，坐席 agent-7，语言“zh”",
    );
    expect(codeText("en", "sim.decode.ok", { channel: "easemob", visitor: "v-1", agentCode: "sim.agent.none", agent: "", lang: "" })).toBe(
      "channel easemob, visitor id v-1, no agent named, language “”",
    );
    expect(codeText("en", "no.such.code")).toBeNull();
  });

  it("words a protection in zh, and falls back to English for unknown codes", () => {
    const p: Integration["protection"] = {
      level: "high",
      summary: "each link is a signed token that expires within 5 minutes and works once. Agent actions: …",
      exposed: [],
      advice: ["pin the expected tenantId", "something new"],
      summaryCodes: [{ code: "prot.summary.signed" }, { code: "prot.summary.actions_vouched", params: { byCode: "prot.vouched.signed" } }],
      exposedCodes: [],
      adviceCodes: [{ code: "prot.advice.pin_tenant" }, { code: "prot.advice.brand_new" }],
    };
    const zh = protectionText("zh", p);
    expect(zh.summary).toBe("每个链接都是签名令牌，5 分钟内过期，且只能使用一次。坐席操作：可搜索、关联和查看脱敏字段，受每个会话和每位坐席的次数限制；每个签名令牌都写明了坐席。");
    expect(zh.advice).toEqual(["固定预期的 tenantId", "something new"]);
    expect(protectionText("en", { ...p, summaryCodes: [{ code: "prot.summary.brand_new" }] }).summary).toBe(p.summary);
  });

  it("words a failed step with the console's error words and its advice", () => {
    const step: SimulationStep = {
      step: "integration",
      status: "failed",
      detail: "no integration. The URL configured…",
      code: "integration_not_found",
      detailCode: "sim.failed",
      params: { error: "integration_not_found", message: "no integration" },
      notes: [{ code: "sim.advice.not_found" }],
    };
    const zh = stepText("zh", step, {});
    expect(zh).toContain("不属于任何集成");
    expect(zh).toContain("请从集成页面重新复制");
    expect(stepText("en", { ...step, params: { error: "brand_new", message: "no integration" } }, {})).toMatch(/^no integration; The URL/);
    expect(stepText("zh", { ...step, detailCode: "sim.brand_new" }, {})).toBe(step.detail);
  });

  it("names audit actions and field types", () => {
    expect(auditActionName("zh", "key.reveal")).toBe("查看密钥");
    expect(auditActionName("zh", "brand.new")).toBe("brand.new");
    expect(fieldTypeName("zh", "money")).toBe("金额");
    expect(fieldTypeName("en", "datetime")).toBe("date and time");
  });
});
