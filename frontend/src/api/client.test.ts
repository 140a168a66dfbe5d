import { describe, expect, it } from "vitest";
import { ApiError, createClient } from "./client";

function answer(status: number, body: unknown, statusText = "") {
  const calls: { url: string; init?: RequestInit }[] = [];
  const client = createClient(async (url, init) => {
    calls.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, statusText });
  });
  return { client, calls };
}

describe("client", () => {
  it("posts the session request as JSON", async () => {
    const { client, calls } = answer(201, { token: "t" });
    await client.createSession({ integration: "demo", params: { visitorImId: "v" } });
    expect(calls[0]!.url).toBe("/api/v1/sidebar/sessions");
    expect(calls[0]!.init?.method).toBe("POST");
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ integration: "demo", params: { visitorImId: "v" } });
    expect((calls[0]!.init?.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
  });

  it("sends the token as a bearer", async () => {
    const { client, calls } = answer(200, { panels: [] });
    await client.getContext("abc");
    expect(calls[0]!.url).toBe("/api/v1/sidebar/context");
    expect((calls[0]!.init?.headers as Record<string, string>).Authorization).toBe("Bearer abc");
  });

  it("searches contacts with the query encoded and the token as a bearer", async () => {
    const { client, calls } = answer(200, { contacts: [{ id: "7", name: "林芳", hint: "159****5678" }] });
    expect(await client.searchContacts("tok", "林 a&b")).toEqual([{ id: "7", name: "林芳", hint: "159****5678" }]);
    expect(calls[0]!.url).toBe("/api/v1/sidebar/contacts?q=%E6%9E%97%20a%26b");
    expect(calls[0]!.init?.method).toBeUndefined();
    expect((calls[0]!.init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
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
    expect(calls[0]!.init?.method).toBe("POST");
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual(body);
    const headers = calls[0]!.init?.headers as Record<string, string>;
    expect(headers.Authorization).toBe("Bearer tok");
    expect(headers["Content-Type"]).toBe("application/json");
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
    const client = createClient(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(client.listConversations()).rejects.toMatchObject({ code: "network" });
  });
});
