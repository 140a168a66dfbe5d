import { describe, expect, it } from "vitest";
import { localProblem, pageMode, readPageParams } from "./params";

describe("readPageParams", () => {
  it("takes the slug from the last path segment and every query param", () => {
    const p = readPageParams({
      pathname: "/sidebar/demo-easemob",
      search: "?easemobId=12&visitorImId=demo-visitor-0001&agentName=9f86d081884c7d65&lang=zh",
    });
    expect(p.slug).toBe("demo-easemob");
    expect({ ...p.params }).toEqual({
      easemobId: "12",
      visitorImId: "demo-visitor-0001",
      agentName: "9f86d081884c7d65",
      lang: "zh",
    });
  });

  it("keeps unknown params and decodes percent escapes; a repeated name stays in the query, twice", () => {
    const p = readPageParams({
      pathname: "/sidebar/a%20b/",
      search: "?visitorImId=o%2Bx&nickname=%E5%BC%A0&visitorImId=second&__proto__=x",
    });
    expect(p.slug).toBe("a b");
    expect(p.params.visitorImId).toBe("o+x");
    expect(p.params.nickname).toBe("张");
    expect(Object.keys(p.params)).toEqual(["visitorImId", "nickname", "__proto__"]);
    expect(JSON.parse(JSON.stringify(p.params)).__proto__).toBe("x");
    expect(p.query).toEqual([
      ["visitorImId", "o+x"],
      ["nickname", "张"],
      ["visitorImId", "second"],
      ["__proto__", "x"],
    ]);
  });

  it("keeps the URL's order in the query, integer-like names included", () => {
    const cases: { search: string; names: string[] }[] = [
      { search: "?b=2&a=1&agent_email=1%40test.cn&timestamp=1&sign=s", names: ["b", "a", "agent_email", "timestamp", "sign"] },
      { search: "?z=1&10=x&2=y", names: ["z", "10", "2"] },
      { search: "?theme=dark&visitorImId=v", names: ["theme", "visitorImId"] },
      { search: "", names: [] },
    ];
    for (const c of cases) {
      const p = readPageParams({ pathname: "/sidebar/demo", search: c.search });
      expect(p.query.map(([k]) => k), c.search).toEqual(c.names);
    }
    // The object view is a JS object: integer-like names come first there.
    expect(Object.keys(readPageParams({ pathname: "/sidebar/demo", search: "?z=1&10=x&2=y" }).params)).toEqual(["2", "10", "z"]);
  });

  it("has no slug outside /sidebar/{slug}", () => {
    expect(readPageParams({ pathname: "/sidebar.html", search: "" }).slug).toBe("");
    expect(readPageParams({ pathname: "/", search: "" }).slug).toBe("");
  });
});

describe("localProblem", () => {
  it("says visitorImId is missing when the URL has no params at all", () => {
    expect(localProblem(readPageParams({ pathname: "/sidebar/demo-easemob", search: "" }))).toBe("missing_visitor");
  });

  it("says the slug is missing", () => {
    expect(localProblem(readPageParams({ pathname: "/sidebar.html", search: "?visitorImId=x" }))).toBe("missing_slug");
  });

  it("leaves everything else to the server", () => {
    expect(localProblem(readPageParams({ pathname: "/sidebar/x", search: "?easemobId=1" }))).toBeNull();
    expect(localProblem(readPageParams({ pathname: "/sidebar/x", search: "?customParams=ABCD" }))).toBeNull();
  });
});

describe("pageMode", () => {
  const at = (search: string) => readPageParams({ pathname: "/sidebar/cw", search });

  it("is Chatwoot when framed without platform params", () => {
    expect(pageMode(at(""), true)).toBe("chatwoot");
    expect(pageMode(at("?lang=zh"), true)).toBe("chatwoot");
  });

  it("reads the URL when it has platform params or the page is not framed", () => {
    for (const q of ["?visitorImId=x", "?easemobId=1", "?customParams=ABCD", "?token=a.b.c&lang=en"]) {
      expect(pageMode(at(q), true), q).toBe("url");
    }
    expect(pageMode(at(""), false)).toBe("url");
  });

  it("does not call a Chatwoot page without params a missing visitor", () => {
    expect(localProblem(at(""), "chatwoot")).toBeNull();
    expect(localProblem(readPageParams({ pathname: "/sidebar.html", search: "" }), "chatwoot")).toBe("missing_slug");
  });
});

describe("the theme param", () => {
  const at = (search: string) => readPageParams({ pathname: "/sidebar/demo", search });

  it("is read for the page, and still sent to the server with the rest", () => {
    expect(at("?visitorImId=x&theme=dark")).toEqual({
      slug: "demo",
      params: { visitorImId: "x", theme: "dark" },
      query: [
        ["visitorImId", "x"],
        ["theme", "dark"],
      ],
      theme: "dark",
    });
    expect(at("?visitorImId=x&theme=Light").theme).toBe("light");
    const auto = at("?visitorImId=x&theme=auto");
    expect(auto.theme).toBeNull();
    expect(auto.params.theme).toBe("auto");
  });

  it("passes any other value on: it is the platform's (an encrypted param, say)", () => {
    const p = at("?visitorImId=x&theme=9f86d081884c7d65");
    expect(p.theme).toBeNull();
    expect(p.params.theme).toBe("9f86d081884c7d65");
  });

  it("alone is not a visitor", () => {
    expect(localProblem(at("?theme=dark"))).toBe("missing_visitor");
  });
});
