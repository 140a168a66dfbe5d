import { describe, expect, it } from "vitest";
import type { SidebarContext } from "../api/types";
import { reasonText } from "./reason";

const visitor = { id: "9", channel: "easemob", externalId: "v-1" };
type Match = NonNullable<SidebarContext["match"]>;

function ctx(match: Partial<Match>): Pick<SidebarContext, "match" | "visitor"> {
  return { visitor, match: { status: "linked", reason: "server words", ...match } as Match };
}

describe("reasonText", () => {
  const cases: { name: string; match: Partial<Match>; zh: string; en: string }[] = [
    { name: "identity", match: { reasonCode: "identity" }, zh: "easemob 账号 v-1 是该联系人的渠道身份", en: "the easemob id v-1 is an identity of this contact" },
    {
      name: "fields",
      match: { reasonCode: "fields", matchedOn: ["phone", "name"] },
      zh: "关联时，访客已验证的 手机号、姓名 与该联系人一致，且与其他联系人都不同",
      en: "the visitor's verified phone and name matched this contact's, and no other contact's, when the visitor was linked",
    },
    {
      name: "candidates",
      match: { status: "not_linked", reasonCode: "candidates", candidates: [{ id: "1", name: "a", hint: "" }, { id: "2", name: "b", hint: "" }] },
      zh: "有 2 个联系人与此访客的资料相符，因此没有自动关联；请选择正确的联系人",
      en: "2 contacts match this visitor's details, so none was linked automatically; pick the right one",
    },
    { name: "not this person", match: { status: "not_linked", reasonCode: "not_this_person" }, zh: "坐席确认所关联的联系人不是此人；请搜索并关联正确的联系人", en: "an agent said the linked contact is not this person; search to link the right one" },
    {
      name: "fields the sidebar has no words for",
      match: { reasonCode: "fields", matchedOn: ["member_no", "wechat id"] },
      zh: "关联时，访客已验证的 member_no、wechat 账号 与该联系人一致，且与其他联系人都不同",
      en: "the visitor's verified member_no and wechat id matched this contact's, and no other contact's, when the visitor was linked",
    },
    {
      name: "manual link nothing vouched for",
      match: { reasonCode: "manual_unverified", method: "manual" },
      zh: "有人在未经验证的侧边栏中手动将此访客关联到了该联系人（任何持有该链接的人都可以这样做）：请先核实是否为本人",
      en: "someone linked this visitor to this contact by hand, in a sidebar nothing vouched for (anyone with its URL could have): check it is this person before relying on it",
    },
    { name: "a code from a newer server", match: { reasonCode: "telepathy" }, zh: "server words", en: "server words" },
    { name: "no code (an older server)", match: {}, zh: "server words", en: "server words" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(reasonText(ctx(c.match), "zh")).toBe(c.zh);
      expect(reasonText(ctx(c.match), "en")).toBe(c.en);
    });
  }
});
