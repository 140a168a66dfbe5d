// Fixtures typed against the generated OpenAPI types: if the API changes
// shape, these stop compiling.
import type { SidebarClient as Client } from "../api/client";
import type { ConversationList, FieldDef, SessionResponse, SidebarContext } from "../api/types";

export const contactFields: FieldDef[] = [
  { key: "name", label: { zh: "姓名", en: "Name" }, type: "text", masked: false },
  { key: "mobile", label: { zh: "手机", en: "Mobile" }, type: "phone", masked: true },
  { key: "email", label: { zh: "邮箱", en: "Email" }, type: "email", masked: false },
  { key: "vip", label: { zh: "VIP", en: "VIP" }, type: "bool", masked: false },
  { key: "weird", label: { zh: "新类型", en: "New type" }, type: "geo" as FieldDef["type"], masked: false },
];

export const linkedContext: SidebarContext = {
  visitor: { id: "v1", channel: "easemob", externalId: "demo-visitor-0001" },
  contact: { id: "c1", name: "张伟" },
  match: { status: "linked", method: "existing_link", reason: "visitorImId demo-visitor-0001 is linked to this contact" },
  layout: { name: "Default", reason: "No layout is scoped to this integration, agent or group" },
  panels: [
    {
      key: "contact",
      object: "contact",
      kind: "record",
      title: { zh: "联系人", en: "Contact" },
      fields: contactFields,
      records: [
        {
          id: "c1",
          values: { name: "张伟", mobile: "159****5678", email: "zhang.wei@example.com", vip: "true", weird: "31.2,121.5" },
        },
      ],
    },
    {
      key: "orders",
      object: "orders",
      kind: "list",
      title: { zh: "最近订单", en: "Recent orders" },
      fields: [
        { key: "number", label: { zh: "订单号", en: "Order" }, type: "text", masked: false },
        { key: "status", label: { zh: "状态", en: "Status" }, type: "enum", masked: false },
        { key: "amount", label: { zh: "金额", en: "Amount" }, type: "money", masked: false, currencyField: "currency" },
        { key: "orderedAt", label: { zh: "下单日期", en: "Ordered" }, type: "date", masked: false },
        { key: "currency", label: { zh: "币种", en: "Currency" }, type: "text", masked: false },
      ],
      records: [
        { id: "o1", values: { number: "SO-1001", status: "shipped", amount: "199.50", currency: "CNY", orderedAt: "2024-05-01" } },
        { id: "o2", values: { number: "SO-1002", status: "paid", amount: "1234.00", currency: "CNY", orderedAt: "2024-06-15" } },
      ],
    },
    {
      key: "tickets",
      object: "tickets",
      kind: "list",
      title: { zh: "工单", en: "Tickets" },
      fields: [{ key: "subject", label: { zh: "主题", en: "Subject" }, type: "text", masked: false }],
      records: [],
    },
    {
      key: "account",
      object: "account",
      kind: "record",
      title: { zh: "公司", en: "Account" },
      fields: [{ key: "name", label: { zh: "名称", en: "Name" }, type: "text", masked: false }],
      records: [],
    },
  ],
};

export const notLinkedContext: SidebarContext = {
  visitor: { id: "v9", channel: "easemob", externalId: "nobody-here" },
  match: { status: "not_linked", reason: "No contact has this visitorImId or matching identity details" },
  layout: { name: "Default", reason: "default" },
  panels: [
    {
      key: "contact",
      object: "contact",
      kind: "record",
      title: { zh: "联系人", en: "Contact" },
      fields: contactFields,
      records: [],
    },
  ],
};

export function session(ctx: SidebarContext, lang: SessionResponse["lang"] = "en"): SessionResponse {
  return {
    token: "tok-123",
    expiresAt: "2030-01-01T00:00:00Z",
    visitor: ctx.visitor,
    ...(ctx.contact ? { contact: ctx.contact } : {}),
    match: ctx.match,
    lang,
  };
}

export const conversations: ConversationList = {
  conversations: [
    {
      id: "conv-1",
      visitorName: "张伟",
      channel: "app",
      preview: "我的订单什么时候发货？",
      sidebarUrl: "/sidebar/demo-easemob?easemobId=1&visitorImId=demo-visitor-0001&agentName=9f86d081884c7d65&lang=8a1b2c3d4e5f6071",
    },
    {
      id: "conv-2",
      visitorName: "Emily Clark",
      channel: "wechat",
      preview: "Can I change my delivery address?",
      sidebarUrl: "/sidebar/demo-easemob?easemobId=1&visitorImId=demo-visitor-0002&lang=zh",
    },
  ],
};

/** A Client whose answers the test sets; it records the calls. */
export function fakeClient(overrides: Partial<Client> = {}) {
  const calls: { method: keyof Client; args: unknown[] }[] = [];
  const methods: (keyof Client)[] = [
    "createSession",
    "getContext",
    "searchContacts",
    "linkVisitor",
    "unlinkVisitor",
    "revealField",
    "listConversations",
  ];
  const client = {} as Record<keyof Client, (...args: unknown[]) => Promise<unknown>>;
  for (const m of methods) {
    client[m] = (...args) => {
      calls.push({ method: m, args });
      const impl = overrides[m] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      return impl ? impl(...args) : Promise.reject(new Error(`unexpected call ${m}`));
    };
  }
  return { client: client as unknown as Client, calls };
}
