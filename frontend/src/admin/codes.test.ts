import { describe, expect, it } from "vitest";
import { catalogues as shared } from "../shared/i18n";
import codes from "./codes.json";
import { auditActionName, codeCatalogues, codeText, errorWords, fieldTypeName, protectionText, stepText } from "./codes";
import type { Integration, SimulationStep } from "../api/types";

// codes.json is every code the server can emit (internal/server
// codes_test.go fails when a code is added without updating it).
describe("codes the server sends", () => {
  const keysOf = (): string[] => [
    ...codes.protection,
    ...codes.simulator,
    ...codes.auditActions.map((a) => `audit.${a}`),
    ...codes.fieldTypes.map((t) => `type.${t}`),
    ...codes.errors.map((c) => `error.${c}`),
  ];
  // Besides error.<code>: words for a rule of the spec (error.rule.<rule>),
  // and for one code's rule, field or params-less case (error.<code>.<x>).
  const errorVariant = (key: string): boolean => {
    const [, code] = key.split(".");
    return key.startsWith("error.") && (code === "rule" || codes.errors.includes(code ?? ""));
  };

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
    for (const key of Object.keys(codeCatalogues.en)) expect(known.has(key) || errorVariant(key), key).toBe(true);
    for (const key of Object.keys(codeCatalogues.zh).filter(errorVariant)) expect(codeCatalogues.zh[key], key).toMatch(/[\u4e00-\u9fff]/);
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
    expect(
      codeText("zh", "sim.decode.ok", { channel: "easemob", visitor: "v-1", agentCode: "sim.agent.named", agent: "agent-7", lang: "zh", langCode: "sim.lang.named" }),
    ).toBe("渠道 easemob，访客 ID v-1，坐席 agent-7，语言“zh”");
    expect(codeText("en", "sim.decode.ok", { channel: "easemob", visitor: "v-1", agentCode: "sim.agent.none", agent: "", lang: "", langCode: "sim.lang.none" })).toBe(
      "channel easemob, visitor id v-1, no agent named, no language given",
    );
    expect(codeText("zh", "sim.decode.ok", { channel: "easemob", visitor: "v-1", agentCode: "sim.agent.none", agent: "", lang: "", langCode: "sim.lang.none" })).toBe(
      "渠道 easemob，访客 ID v-1，未指明坐席，未指明语言",
    );
    expect(codeText("zh", "sim.input.read", { kind: "sidebar_url", kindCode: "sim.kind.sidebar_url", count: "3" })).toBe("按侧边栏 URL读取，共 3 个参数");
    expect(codeText("zh", "sim.match.linked", { method: "identity", methodCode: "sim.method.identity", matchReason: "x" })).toBe("已关联（按渠道身份）：x");
    expect(codeText("en", "sim.match.linked", { method: "fields:email+phone", methodCode: "sim.method.fields", fields: "email, phone", matchReason: "x" })).toBe(
      "already linked (by the same email, phone): x",
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
    // A code the sidebar's words do not cover is worded by the console's.
    expect(stepText("zh", { ...step, code: "invalid_simulation_input", params: { error: "invalid_simulation_input", message: "cannot read" }, notes: [] }, {})).toBe(
      "无法读取此输入：请粘贴侧边栏 URL、其查询参数或平台的参数",
    );
  });

  it("names audit actions and field types", () => {
    expect(auditActionName("zh", "key.reveal")).toBe("查看密钥");
    expect(auditActionName("zh", "brand.new")).toBe("brand.new");
    expect(fieldTypeName("zh", "money")).toBe("金额");
    expect(fieldTypeName("en", "datetime")).toBe("date and time");
  });

  it("words errors from their code, rule, field and params", () => {
    const cases: [string, ...Parameters<typeof errorWords>, string | null][] = [
      ["code only", "zh", "bad_credentials", {}, undefined, "邮箱或密码错误"],
      ["a password confirmed again", "zh", "bad_credentials", { rule: "confirm" }, "password", "密码错误"],
      ["a rule of the code", "zh", "invalid_admin", { rule: "length", min: "10", max: "72" }, "password", "密码须为 10 到 72 个字符"],
      ["a field of the code", "zh", "invalid_admin", {}, "email", "邮箱地址无效"],
      ["a spec rule with its limit", "zh", "invalid_name", { rule: "maxLength", max: "128", field: "name" }, "name", "name 最多 128 个字符"],
      ["a spec rule without its limit falls to the code", "zh", "invalid_name", { rule: "maxLength", field: "name" }, "name", "名称须为 1 到 128 个字符，且不含控制字符"],
      ["a param", "zh", "integration_not_found", { slug: "acme" }, undefined, "没有标识为“acme”的集成"],
      ["no param: the generic words", "zh", "integration_not_found", {}, undefined, "此集成已不存在；请重新加载页面"],
      ["en", "en", "integration_disabled", { slug: "acme" }, undefined, "Integration acme is disabled: enable it again to serve the sidebar"],
      ["an unknown code", "zh", "brand_new", {}, undefined, null],
    ];
    for (const [name, lang, code, params, field, want] of cases) expect(errorWords(lang, code, params, field), name).toBe(want);
  });
});
