// The one catalogue mechanism of every page (sidebar, playground, console):
// t(lang, key, vars?) looks key up in the catalogues of lang. This file holds
// the sidebar's and the playground's words; a page with words of its own adds
// its catalogue with addCatalogue (admin/messages.ts), so the sidebar never
// ships the console's words. zh and en must have exactly the same keys (typed
// below and checked by i18n.test.ts).
import type { Lang, LayoutRef } from "../api/types";

export type { Lang };

const en = {
  "app.title": "crmlens",
  loading: "Loading customer data…",
  whyMatched: "Why it matched",
  matchedOn: "Matched on:",
  "candidates.title": "Several contacts match — none was linked automatically",
  "chatwoot.waiting":
    "No conversation came from Chatwoot. Open this page from a conversation's tab, as a Chatwoot dashboard app (Settings > Integrations > Dashboard apps), and check that this integration's allowed origins include your Chatwoot's address.",
  "chatwoot.rejected": "A context from Chatwoot was not understood: {why}",
  "chatwoot.why.origin":
    "it came from {origin}, which is not one of this integration's allowed origins (an admin can add it in the admin console).",
  "chatwoot.why.too_large": "it is larger than {mb} MB.",
  "chatwoot.why.json": "it is not valid JSON.",
  "chatwoot.why.id": "{field} is not a positive whole number.",
  "chatwoot.why.text": "{field} is not text.",
  "chatwoot.why.object": "{field} is not an object.",
  "notLinked.title": "Visitor not linked",
  "notLinked.body": "This visitor is not linked to a contact yet. Their details will show here once they are.",
  "search.label": "Find the contact to link",
  "search.placeholder": "Name, phone or email",
  "search.hint": "Type at least 2 characters (or one Chinese character), then pick the contact to link.",
  "search.searching": "Searching…",
  "search.none": "No contact matches.",
  "search.more": "Showing the first {n} matches: type more of the name, phone or email to narrow them down.",
  "visitor.sent": "What the platform sent",
  "visitor.displayName": "Name on the platform",
  "visitor.name": "Verified name",
  "visitor.phone": "Verified phone",
  "visitor.email": "Verified email",
  relink: "Link {name} again",
  unlink: "Unlink",
  "unlink.title": "Unlink this contact (crmlens will not relink automatically, but does not mark it as the wrong person)",
  hide: "Hide",
  "hide.label": "Mask the value again",
  link: "Link",
  linking: "Linking…",
  "notThisPerson": "Not this person",
  "notThisPerson.confirm":
    "Unlink this contact? crmlens will not match them to this visitor automatically again; you can then link the right one.",
  "notThisPerson.yes": "Yes, unlink",
  unlinking: "Unlinking…",
  cancel: "Cancel",
  reveal: "Show",
  "reveal.label": "Show the full value (the view is audited)",
  revealing: "Loading the full value…",
  channel: "Channel",
  visitorId: "Visitor ID",
  layout: "Layout",
  empty: "Nothing here yet.",
  masked: "Masked value",
  yes: "Yes",
  no: "No",
  copy: "Copy",
  "copy.label": "Copy {label}",
  copied: "Copied",
  "copy.failed": "Could not copy: select the text and copy it by hand.",
  refresh: "Refresh",
  refreshing: "Refreshing…",
  updated: "Updated at {time}",
  "stale.title": "Could not refresh",
  "stale.body": "Still showing the data loaded at {time}; it may be out of date.",
  "header.company": "Company",
  "header.owner": "Owner",
  "header.tags": "Tags",
  "header.contact": "Contact details",
  "method.existing_link": "Linked earlier",
  "method.identity": "Channel identity",
  "method.matching_fields": "Same details",
  "method.manual": "Linked by an agent",
  "matched.phone": "phone",
  "matched.email": "email",
  "matched.name": "name",
  "matched.full_name": "name",
  "matched.identifier": "platform identifier",
  "matched.channel_id": "{channel} id",
  "reason.identity": "the {channel} id {id} is an identity of this contact",
  "reason.manual": "an agent linked this visitor to this contact by hand",
  "reason.manual_unverified":
    "someone linked this visitor to this contact by hand, in a sidebar nothing vouched for (anyone with its URL could have): check it is this person before relying on it",
  "reason.identifier": "the platform's identifier for this visitor is this contact's id",
  "reason.fields": "the visitor's verified {fields} matched this contact's, and no other contact's, when the visitor was linked",
  "reason.existing_link": "this visitor was linked to this contact earlier",
  "reason.candidates": "{n} contacts match this visitor's details, so none was linked automatically; pick the right one",
  "reason.no_match_verified": "no contact matches this visitor's verified details",
  "reason.no_identity": "no contact has the {channel} id {id} as an identity",
  "reason.unlinked": "an agent unlinked this visitor; search to link a contact",
  "reason.not_this_person": "an agent said the linked contact is not this person; search to link the right one",
  "layout.integration": "layout “{name}” is scoped to integration {integration}, which comes before agent, group and default layouts",
  "layout.agent": "layout “{name}” is scoped to this agent ({agent}), and no layout is scoped to this integration",
  "layout.group": "layout “{name}” is scoped to agent group {group}, and no layout is scoped to this integration or agent",
  "layout.default": "layout “{name}” is the default, and no layout is scoped to this integration, agent or their groups",
  "layout.builtin": "the built-in default layout applies: no layout is stored for this integration, agent, group or as default",
  "layout.preview": "preview of the layout being edited; it is not saved",
  "reason.rejected": "an agent said {name} is not this person: link {name} again to undo that, or search for the right contact",
  "timeline.order": "Order",
  "fallback.field": "Shown as plain text: this sidebar does not know the field type “{type}”.",
  "fallback.panel": "This sidebar does not know how to show a “{kind}” panel, so its values are listed as text.",
  "fallback.widget": "This panel's widget failed, so its values are listed as text.",
  "timeline.total": "Total of the orders shown",
  "timeline.label": "Orders, newest first",
  "status.open": "Open",
  "status.pending": "Pending",
  "status.solved": "Solved",
  "status.resolved": "Resolved",
  "status.closed": "Closed",
  "status.paid": "Paid",
  "status.shipped": "Shipped",
  "status.delivered": "Delivered",
  "status.refunded": "Refunded",
  "status.cancelled": "Cancelled",
  "status.qualified": "Qualified",
  "status.won": "Won",
  "status.lost": "Lost",
  "status.new": "New",
  "status.low": "Low",
  "status.normal": "Normal",
  "status.high": "High",
  "status.urgent": "Urgent",
  "status.enterprise": "Enterprise",
  "status.mid-market": "Mid-market",
  "status.smb": "Small business",
  "error.title": "Could not load customer data",
  "error.details": "Details:",
  retry: "Try again",
  "err.missing_visitor":
    "The URL has no visitor parameters, so crmlens cannot tell who the visitor is. The platform adds them when it opens this page beside a conversation: Easemob adds easemobId and visitorImId, ShareCRM customParams, a signed link token. Open the page from a conversation in the agent workbench, or check the URL configured in the platform.",
  "err.missing_slug": "The URL does not name an integration (it should look like /sidebar/<slug>?…).",
  "err.integration_not_found":
    "This sidebar URL does not belong to any integration. Check the URL configured in the customer-service platform.",
  "err.integration_disabled":
    "An admin disabled this integration, so the sidebar shows nothing for now. Ask your crmlens admin to enable it again in the console (Integrations).",
  "err.missing_param": "A parameter crmlens needs is missing from the URL. Check the platform's settings.",
  "err.invalid_param":
    "A parameter in the URL is malformed (not hex, or cut short). Check the platform's encryption settings.",
  "err.decrypt_failed":
    "The URL parameters could not be decrypted. The key set in the platform probably differs from the one in crmlens: ask your admin to set the same key in both.",
  "err.unauthorized": "The session is not valid. Try again to start a new one, or reload the sidebar.",
  "err.session_expired": "The session has expired. Try again to start a new one.",
  "err.token_expired": "This signed link has expired. Reopen the conversation to get a fresh one.",
  "err.token_replayed": "This signed link has already been used. Reopen the conversation to get a fresh one.",
  "err.token_lifetime":
    "This signed link is valid for too long (crmlens accepts at most 5 minutes). The app that signs it must set a shorter expiry.",
  "err.invalid_token":
    "The signed link is not valid (bad signature or format). The app that signs it probably uses a different secret than crmlens.",
  "err.missing_claim":
    "The signed link lacks information crmlens needs (visitor, channel or agent). The app that signs it must add it.",
  "err.plain_system_param":
    "A parameter arrived unencrypted although this integration requires it encrypted. Check the platform's encryption settings.",
  "err.tenant_mismatch":
    "This link comes from another platform tenant than the one this integration is pinned to. Check the integration's tenant setting.",
  "err.spliced_param":
    "An identity or agent parameter in this link is pieced together from other parameters' encrypted blocks, so crmlens does not open it. Reopen the conversation from the platform.",
  "err.unknown_agent":
    "crmlens does not know this agent, and this integration only opens for known agents. Ask your admin to add you.",
  "err.chatwoot_mismatch":
    "Chatwoot says this contact is not in this conversation, so crmlens shows nothing. Reopen the conversation, then try again.",
  "err.chatwoot_unreachable":
    "crmlens could not reach Chatwoot to check this conversation. Try again in a moment; if it keeps happening, tell your admin.",
  "err.rate_limited": "Too many failed attempts. Wait a minute, then try again.",
  "err.body_too_large": "The URL carries more data than crmlens accepts.",
  "err.internal": "Something went wrong on the crmlens server. Try again; if it keeps happening, tell your admin.",
  "err.network": "Cannot reach the crmlens server. Check the connection, then try again.",
  "err.invalid_query": "Type at least 2 characters (or one Chinese character), at most 100: a name, a phone number or an email.",
  "err.contact_not_found": "This contact no longer exists. Search again.",
  "err.contact_not_reachable": "This sidebar can link only contacts offered for this visitor or found by a search here. Search for the contact, then link it from the results.",
  "err.agent_actions_read_only":
    "This integration lets agents only read the matched contact: search and link are off because nothing verifies the agent. An admin can turn them on in the crmlens console.",
  "err.action_limited": "This sidebar has reached its limit for this action. Reload the sidebar, or try again later.",
  "err.field_not_masked": "This value is not masked by the layout, so there is nothing to show. Reload the sidebar.",
  "err.record_not_linked": "This record no longer belongs to the linked contact. Reload the sidebar.",
  "err.visitor_not_found": "This visitor no longer exists in crmlens. Reload the sidebar.",
  "err.bad_response":
    "crmlens answered something this page cannot read. Try again; if it keeps happening, tell your admin (the server and the page may be of different versions).",
  "err.unknown": "Something went wrong.",
  "pg.title": "crmlens playground",
  "pg.subtitle": "A demo agent workbench with the crmlens sidebar",
  "pg.conversations": "Conversations",
  "pg.loading": "Loading conversations…",
  "pg.noDemo": "No demo data loaded: start with `crmlens serve --demo` or run `crmlens seed --demo`.",
  "pg.loadFailed": "Could not load the demo conversations.",
  "pg.none": "No demo conversations.",
  "pg.pick": "Pick a conversation on the left.",
  "pg.reply": "Type a reply…",
  "pg.send": "Send",
  "pg.sidebar": "crmlens sidebar",
  language: "Language",
} as const;

/** This file's keys. */
type OwnKey = keyof typeof en;
export type Catalogue = Record<OwnKey, string>;

/**
 * Every key t() knows: this file's, and those of each catalogue added with
 * addCatalogue, whose module declares them here (declaration merging, as
 * admin/messages.ts does).
 */
export interface Messages extends Record<OwnKey, string> {}
export type MessageKey = keyof Messages & string;

const zh: Catalogue = {
  "app.title": "crmlens",
  loading: "正在加载客户资料…",
  whyMatched: "匹配依据",
  matchedOn: "匹配字段：",
  "candidates.title": "有多个联系人匹配，未自动关联",
  "chatwoot.waiting":
    "没有收到 Chatwoot 的会话信息。请在会话的标签页中以 Chatwoot 仪表板应用（设置 > 集成 > Dashboard Apps）打开此页面，并确认此集成的允许来源包含您的 Chatwoot 地址。",
  "chatwoot.rejected": "未能理解来自 Chatwoot 的会话信息：{why}",
  "chatwoot.why.origin": "它来自 {origin}，不在此集成的允许来源中（管理员可在管理控制台中添加）。",
  "chatwoot.why.too_large": "它超过了 {mb} MB。",
  "chatwoot.why.json": "它不是有效的 JSON。",
  "chatwoot.why.id": "{field} 不是正整数。",
  "chatwoot.why.text": "{field} 不是文本。",
  "chatwoot.why.object": "{field} 不是对象。",
  "notLinked.title": "访客未关联",
  "notLinked.body": "该访客尚未关联到任何联系人。关联后，客户资料会显示在这里。",
  "search.label": "查找要关联的联系人",
  "search.placeholder": "姓名、手机或邮箱",
  "search.hint": "输入至少 2 个字符（或一个汉字），然后选择要关联的联系人。",
  "search.searching": "正在搜索…",
  "search.none": "没有匹配的联系人。",
  "search.more": "仅显示前 {n} 个结果：请输入更完整的姓名、手机号或邮箱以缩小范围。",
  "visitor.sent": "平台提供的访客信息",
  "visitor.displayName": "平台昵称",
  "visitor.name": "已验证姓名",
  "visitor.phone": "已验证手机",
  "visitor.email": "已验证邮箱",
  relink: "重新关联{name}",
  unlink: "取消关联",
  "unlink.title": "取消关联该联系人（crmlens 不会再自动关联，但不会标记为不是此人）",
  hide: "隐藏",
  "hide.label": "重新隐藏完整内容",
  link: "关联",
  linking: "正在关联…",
  "notThisPerson": "不是此人",
  "notThisPerson.confirm": "取消关联该联系人？crmlens 以后不会再自动将其匹配到此访客；之后可以关联正确的联系人。",
  "notThisPerson.yes": "确认取消关联",
  unlinking: "正在取消关联…",
  cancel: "取消",
  reveal: "显示",
  "reveal.label": "显示完整内容（查看会被审计记录）",
  revealing: "正在加载完整内容…",
  channel: "渠道",
  visitorId: "访客 ID",
  layout: "布局",
  empty: "暂无数据。",
  masked: "已脱敏",
  yes: "是",
  no: "否",
  copy: "复制",
  "copy.label": "复制{label}",
  copied: "已复制",
  "copy.failed": "无法复制：请选中文字后手动复制。",
  refresh: "刷新",
  refreshing: "正在刷新…",
  updated: "更新于 {time}",
  "stale.title": "刷新失败",
  "stale.body": "仍在显示 {time} 加载的资料，可能已过时。",
  "header.company": "公司",
  "header.owner": "负责人",
  "header.tags": "标签",
  "header.contact": "联系方式",
  "method.existing_link": "此前已关联",
  "method.identity": "渠道身份",
  "method.matching_fields": "资料一致",
  "method.manual": "坐席手动关联",
  "matched.phone": "手机号",
  "matched.email": "邮箱",
  "matched.name": "姓名",
  "matched.full_name": "姓名",
  "matched.identifier": "平台访客标识",
  "matched.channel_id": "{channel} 账号",
  "reason.identity": "{channel} 账号 {id} 是该联系人的渠道身份",
  "reason.manual": "坐席手动将此访客关联到了该联系人",
  "reason.manual_unverified": "有人在未经验证的侧边栏中手动将此访客关联到了该联系人（任何持有该链接的人都可以这样做）：请先核实是否为本人",
  "reason.identifier": "平台传来的访客标识就是该联系人的 ID",
  "reason.fields": "关联时，访客已验证的 {fields} 与该联系人一致，且与其他联系人都不同",
  "reason.existing_link": "此访客此前已关联到该联系人",
  "reason.candidates": "有 {n} 个联系人与此访客的资料相符，因此没有自动关联；请选择正确的联系人",
  "reason.no_match_verified": "没有联系人与此访客已验证的资料相符",
  "reason.no_identity": "没有联系人以 {channel} 账号 {id} 作为渠道身份",
  "reason.unlinked": "坐席已解除此访客的关联；请搜索并关联联系人",
  "reason.not_this_person": "坐席确认所关联的联系人不是此人；请搜索并关联正确的联系人",
  "layout.integration": "布局“{name}”限定于集成 {integration}，优先于坐席、坐席组和默认布局",
  "layout.agent": "布局“{name}”限定于该坐席（{agent}），且没有限定于此集成的布局",
  "layout.group": "布局“{name}”限定于坐席组 {group}，且没有限定于此集成或该坐席的布局",
  "layout.default": "布局“{name}”是默认布局，且没有限定于此集成、该坐席或其所在组的布局",
  "layout.builtin": "使用内置默认布局：没有为此集成、坐席、坐席组保存布局，也没有保存默认布局",
  "layout.preview": "正在编辑的布局的预览，尚未保存",
  "reason.rejected": "坐席确认{name}不是此人：重新关联{name}即可撤销，或搜索并关联正确的联系人",
  "timeline.order": "订单",
  "fallback.field": "按纯文本显示：此侧边栏不认识字段类型“{type}”。",
  "fallback.panel": "此侧边栏不知道如何显示“{kind}”类面板，以下按文本列出其内容。",
  "fallback.widget": "此面板的组件出错，以下按文本列出其内容。",
  "timeline.total": "所示订单合计",
  "timeline.label": "订单（最新在前）",
  "status.open": "未结",
  "status.pending": "待处理",
  "status.solved": "已解决",
  "status.resolved": "已解决",
  "status.closed": "已关闭",
  "status.paid": "已付款",
  "status.shipped": "已发货",
  "status.delivered": "已签收",
  "status.refunded": "已退款",
  "status.cancelled": "已取消",
  "status.qualified": "已确认",
  "status.won": "已成交",
  "status.lost": "已流失",
  "status.new": "新建",
  "status.low": "低",
  "status.normal": "普通",
  "status.high": "高",
  "status.urgent": "紧急",
  "status.enterprise": "大客户",
  "status.mid-market": "中型客户",
  "status.smb": "小微企业",
  "error.title": "无法加载客户资料",
  "error.details": "详情：",
  retry: "重试",
  "err.missing_visitor":
    "URL 中没有访客参数，crmlens 无法识别访客。平台在会话旁打开此页面时会带上这些参数：环信为 easemobId 和 visitorImId，ShareCRM 为 customParams，签名链接为 token。请从坐席工作台的会话中打开，或检查平台中配置的 URL。",
  "err.missing_slug": "URL 中没有集成标识（应为 /sidebar/<slug>?…）。",
  "err.integration_not_found": "此侧边栏 URL 不属于任何集成。请检查客服平台中配置的 URL。",
  "err.integration_disabled": "管理员已停用此集成，侧边栏暂不显示任何内容。请联系 crmlens 管理员在控制台（集成）中重新启用。",
  "err.missing_param": "URL 中缺少 crmlens 需要的参数。请检查平台设置。",
  "err.invalid_param": "URL 中的参数格式不正确（不是十六进制，或长度不完整）。请检查平台的加密设置。",
  "err.decrypt_failed": "无法解密 URL 参数。平台中设置的密钥可能与 crmlens 中的不一致：请管理员在两边设置相同的密钥。",
  "err.unauthorized": "会话无效。请重试以建立新会话，或重新加载侧边栏。",
  "err.session_expired": "会话已过期。请重试以建立新会话。",
  "err.token_expired": "签名链接已过期。请重新打开会话以获取新链接。",
  "err.token_replayed": "此签名链接已被使用过。请重新打开会话以获取新链接。",
  "err.token_lifetime": "签名链接的有效期过长（crmlens 最多接受 5 分钟）。签发链接的应用需要缩短有效期。",
  "err.invalid_token": "签名链接无效（签名或格式错误）。签发链接的应用使用的密钥可能与 crmlens 中的不一致。",
  "err.missing_claim": "签名链接缺少 crmlens 需要的信息（访客、渠道或坐席）。需要由签发链接的应用补上。",
  "err.plain_system_param": "某个参数以明文传来，但此集成要求加密。请检查平台的加密设置。",
  "err.tenant_mismatch": "此链接来自的平台租户与该集成绑定的租户不一致。请检查集成的租户设置。",
  "err.spliced_param": "此链接中的身份或坐席参数由其他参数的加密分组拼接而成，crmlens 不予打开。请从平台重新打开会话。",
  "err.unknown_agent": "crmlens 中没有该坐席，而此集成只对已登记的坐席开放。请联系管理员添加。",
  "err.chatwoot_mismatch": "Chatwoot 显示该联系人不在此会话中，因此 crmlens 不显示资料。请重新打开会话后重试。",
  "err.chatwoot_unreachable": "crmlens 无法连接 Chatwoot 核对此会话。请稍后重试；如果问题持续，请联系管理员。",
  "err.rate_limited": "失败次数过多。请等一分钟后重试。",
  "err.body_too_large": "URL 携带的数据超过了 crmlens 的上限。",
  "err.internal": "crmlens 服务器出错。请重试；如果问题持续，请联系管理员。",
  "err.network": "无法连接 crmlens 服务器。请检查网络后重试。",
  "err.invalid_query": "请输入 2 到 100 个字符（或一个汉字）：姓名、手机号或邮箱。",
  "err.contact_not_found": "该联系人已不存在。请重新搜索。",
  "err.contact_not_reachable": "此侧边栏只能关联为该访客推荐的联系人或在此搜索到的联系人。请先搜索该联系人，再从结果中关联。",
  "err.agent_actions_read_only": "此集成只允许坐席查看已匹配的联系人：由于无法验证坐席身份，搜索和关联已关闭。管理员可在 crmlens 控制台中开启。",
  "err.action_limited": "此侧边栏的该操作已达上限。请重新加载侧边栏，或稍后再试。",
  "err.field_not_masked": "布局未对此字段脱敏，没有可显示的内容。请重新加载侧边栏。",
  "err.record_not_linked": "该记录已不属于当前关联的联系人。请重新加载侧边栏。",
  "err.visitor_not_found": "crmlens 中已没有该访客。请重新加载侧边栏。",
  "err.bad_response": "crmlens 返回了此页面无法读取的内容。请重试；如果问题持续，请联系管理员（服务器与页面的版本可能不一致）。",
  "err.unknown": "出现错误。",
  "pg.title": "crmlens 演示台",
  "pg.subtitle": "带 crmlens 侧边栏的演示坐席工作台",
  "pg.conversations": "会话",
  "pg.loading": "正在加载会话…",
  "pg.noDemo": "未加载演示数据：请用 `crmlens serve --demo` 启动，或运行 `crmlens seed --demo`。",
  "pg.loadFailed": "无法加载演示会话。",
  "pg.none": "没有演示会话。",
  "pg.pick": "请在左侧选择一个会话。",
  "pg.reply": "输入回复…",
  "pg.send": "发送",
  "pg.sidebar": "crmlens 侧边栏",
  language: "语言",
};

/** This file's catalogues (the sidebar's and the playground's words). */
export const catalogues: Record<Lang, Catalogue> = { en, zh };

/** What t() looks words up in: this file's catalogues and every one added. */
const words: Record<Lang, Record<string, string>> = { en: { ...en }, zh: { ...zh } };

/**
 * Adds a page's catalogue to t()'s. A key already known with other words is
 * refused: two pages would otherwise say different things under one key.
 */
export function addCatalogue(more: Record<Lang, Record<string, string>>): void {
  for (const lang of ["en", "zh"] as const) {
    for (const [k, v] of Object.entries(more[lang])) {
      const had = words[lang][k];
      if (had !== undefined && had !== v) throw new Error(`i18n: "${k}" (${lang}) is already a key with other words`);
    }
  }
  for (const lang of ["en", "zh"] as const) Object.assign(words[lang], more[lang]);
}

/** The message for key in lang, with each {name} replaced by vars[name] ("" for a key no catalogue has). */
export function t(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const s = words[lang][key] ?? "";
  return vars ? fill(s, vars) : s;
}

/** s with each {name} replaced by vars[name]; a {name} vars lacks stays as it is. */
export function fill(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m));
}

/**
 * A field the server says the visitor matched on ("phone", "easemob id")
 * in words of lang ("手机号", "easemob 账号"); a field this sidebar has no
 * words for (a custom matching field) as the server named it.
 */
export function matchedFieldWord(lang: Lang, field: string): string {
  const channel = /^(\S+) id$/.exec(field);
  if (channel) return t(lang, "matched.channel_id", { channel: channel[1] ?? "" });
  const key = `matched.${field}`;
  return key in catalogues[lang] && field !== "channel_id" ? t(lang, key as MessageKey) : field;
}

/** A status or enum value in words of lang ("paid" → "已付款"); the value itself when there are none. */
export function statusWord(lang: Lang, value: string): string {
  const key = `status.${value.trim().toLowerCase()}`;
  return key in catalogues[lang] ? catalogues[lang][key as keyof Catalogue] : value;
}

/** Error codes with their own localized words. */
const knownErrors = new Set([
  "missing_visitor",
  "missing_slug",
  "integration_not_found",
  "integration_disabled",
  "missing_param",
  "invalid_param",
  "decrypt_failed",
  "unauthorized",
  "token_expired",
  "token_replayed",
  "token_lifetime",
  "invalid_token",
  "missing_claim",
  "plain_system_param",
  "tenant_mismatch",
  "spliced_param",
  "unknown_agent",
  "chatwoot_mismatch",
  "chatwoot_unreachable",
  "rate_limited",
  "body_too_large",
  "internal",
  "network",
  "invalid_query",
  "contact_not_found",
  "contact_not_reachable",
  "agent_actions_read_only",
  "field_not_masked",
  "record_not_linked",
  "visitor_not_found",
  "bad_response",
]);

/** The layout reason codes the server sends (LayoutRef.reasonCode). */
export const layoutReasonCodes = ["layout.integration", "layout.agent", "layout.group", "layout.default", "layout.builtin", "layout.preview"];

/**
 * Why a layout applies, in lang: the server's reasonCode worded with its
 * reasonParams; the server's English words for a code this page does not
 * know (a newer server).
 */
export function layoutReasonText(
  lang: Lang,
  ref: Pick<LayoutRef, "reason" | "reasonCode" | "reasonParams"> | undefined,
): string {
  if (!ref) return "";
  if (!ref.reasonCode || !layoutReasonCodes.includes(ref.reasonCode)) return ref.reason;
  return t(lang, ref.reasonCode as MessageKey, ref.reasonParams ?? {});
}

/**
 * Localized words for an error code, or null when the code is not known.
 * token_expired names the signed link when opening a session failed, and
 * crmlens's own session when loading the context did.
 */
export function errorText(lang: Lang, code: string, stage?: "page" | "session" | "context"): string | null {
  if (code === "token_expired" && stage === "context") return t(lang, "err.session_expired");
  return knownErrors.has(code) ? t(lang, `err.${code}` as MessageKey) : null;
}

/** zh for any Chinese tag (zh, zh-CN, zh-Hant-TW…), en for everything else. */
export function langFromTag(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase();
  if (lower === "zh" || lower.startsWith("zh-") || lower.startsWith("zh_")) return "zh";
  if (lower === "en" || lower.startsWith("en-") || lower.startsWith("en_")) return "en";
  return null;
}

/** The UI language: the `lang` URL param when it is plain zh/en, else the browser's. */
export function pickLang(param: string | null | undefined, navigatorLang: string | null | undefined): Lang {
  return langFromTag(param) ?? langFromTag(navigatorLang) ?? "en";
}

/** BCP 47 locale for Intl formatting. */
export function locale(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en-US";
}
