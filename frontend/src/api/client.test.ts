import { describe, expect, it } from "vitest";
import { ApiError, createApi, retryHelps, sidebarClient, type Fetch } from "./client";

interface Call {
  /** The path and query, as sent. */
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A sidebar client whose every call gets status and body; it records what was sent. */
function answer(status: number, body: unknown, statusText = "") {
  const calls: Call[] = [];
  const f: Fetch = async (req) => {
    const u = new URL(req.url);
    calls.push({ url: u.pathname + u.search, method: req.method, headers: Object.fromEntries([...req.headers].map(([k, v]) => [k.toLowerCase(), v])), body: await req.text() });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, statusText });
  };
  return { client: sidebarClient(createApi({ fetch: f })), calls };
}

describe("client", () => {
  it("posts the session request as JSON", async () => {
    const { client, calls } = answer(201, { token: "t" });
    await client.createSession({ integration: "demo", params: { visitorImId: "v" } });
    expect(calls[0]!.url).toBe("/api/v1/sidebar/sessions");
    expect(calls[0]!.method).toBe("POST");
    expect(JSON.parse(calls[0]!.body)).toEqual({ integration: "demo", params: { visitorImId: "v" } });
    expect(calls[0]!.headers["content-type"]).toBe("application/json");
  });

  it("sends the token as a bearer", async () => {
    const { client, calls } = answer(200, { panels: [] });
    await client.getContext("abc");
    expect(calls[0]!.url).toBe("/api/v1/sidebar/context");
    expect(calls[0]!.headers.authorization).toBe("Bearer abc");
  });

  it("searches contacts with the query encoded and the token as a bearer", async () => {
    const { client, calls } = answer(200, { contacts: [{ id: "7", name: "林芳", hint: "159****5678" }] });
    expect(await client.searchContacts("tok", "林 a&b")).toEqual([{ id: "7", name: "林芳", hint: "159****5678" }]);
    expect(calls[0]!.url).toBe("/api/v1/sidebar/contacts?q=%E6%9E%97%20a%26b");
    expect(calls[0]!.method).toBe("GET");
    expect(calls[0]!.headers.authorization).toBe("Bearer tok");
    expect((await client.searchContacts("tok", "林芳")).more).toBeUndefined();
  });

  it("passes the server's more flag through with the contacts", async () => {
    const { client } = answer(200, { contacts: [{ id: "7", name: "林芳", hint: "" }], more: true });
    const list = await client.searchContacts("tok", "林");
    expect(list.map((c) => c.id)).toEqual(["7"]);
    expect(list.more).toBe(true);
  });

  it.each([
    ["linkVisitor", "/api/v1/sidebar/link", { contactId: "7" }],
    ["unlinkVisitor", "/api/v1/sidebar/unlink", { notThisPerson: true }],
    ["revealField", "/api/v1/sidebar/reveal", { object: "contact", recordId: "7", field: "phone" }],
  ] as const)("%s posts its body as JSON with the bearer", async (method, url, body) => {
    const { client, calls } = answer(200, { status: "linked", reason: "r", value: "x" });
    await (client[method] as (t: string, b: unknown) => Promise<unknown>)("tok", body);
    expect(calls[0]!.url).toBe(url);
    expect(calls[0]!.method).toBe("POST");
    expect(JSON.parse(calls[0]!.body)).toEqual(body);
    const headers = calls[0]!.headers;
    expect(headers.authorization).toBe("Bearer tok");
    expect(headers["content-type"]).toBe("application/json");
  });

  it("turns the server's error body into an ApiError", async () => {
    const { client } = answer(400, { error: { code: "invalid_param", message: "agentName is not hex" } });
    const err = await client.createSession({ integration: "x", params: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "invalid_param", message: "agentName is not hex", status: 400 });
  });

  it("copes with an error that is not JSON", async () => {
    const { client } = answer(502, "<html>bad gateway</html>", "Bad Gateway");
    await expect(client.listConversations()).rejects.toMatchObject({ code: "http_502", status: 502 });
  });

  it("reports a network failure", async () => {
    const client = sidebarClient(
      createApi({
        fetch: async () => {
          throw new TypeError("Failed to fetch");
        },
      }),
    );
    await expect(client.listConversations()).rejects.toMatchObject({ code: "network" });
  });

  it("says bad_response for a success that is not JSON", async () => {
    const { client } = answer(200, "<html>a captive portal</html>");
    await expect(client.getContext("tok")).rejects.toMatchObject({ code: "bad_response" });
  });

  it("keeps the fields the server named, the first as field", async () => {
    const { client } = answer(400, {
      error: { code: "invalid_param", message: "bad", fields: [{ field: "params.agentName", message: "not hex" }] },
    });
    const err = (await client.createSession({ integration: "x", params: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err.field).toBe("params.agentName");
    expect(err.fieldMessage("params")).toBe("not hex");
    expect(err.fieldMessage("integration")).toBeUndefined();
  });
});

describe("retryHelps", () => {
  it.each([
    ["network", 0, "session", true],
    ["internal", 500, "session", true],
    ["http_502", 502, "context", true],
    ["rate_limited", 429, "session", true],
    ["token_expired", 401, "context", true],
    ["token_expired", 401, "session", false],
    ["decrypt_failed", 400, "session", false],
    ["integration_not_found", 404, "page", false],
  ] as const)("%s (%i) at %s: %s", (code, status, stage, want) => {
    expect(retryHelps(new ApiError(code, "m", status), stage)).toBe(want);
  });
});
