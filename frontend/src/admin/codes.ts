// Words for the codes the server sends beside its English text (protection
// levels, layout reasons, simulator steps, audit actions, field types), in
// zh and en. codes.json lists every code the server can emit (a Go test
// keeps it up to date); codes.test.ts checks each one is worded here in both
// languages. They are a catalogue of their own (the server's codes share
// names with the console's keys, e.g. sim.layout), filled by i18n's fill as
// every word is. A code this page does not know (a newer server) falls back to
// the server's English words.
import { reasonText } from "../sidebar/reason";
import { errorText, fill, layoutReasonText, type Lang } from "../shared/i18n";
import type { CodedText, Integration, Simulation, SimulationStep } from "../api/types";

type Words = Record<string, string>;

const en: Words = {
  // Protection: summaries (joined by ". "), what is exposed, advice.
  "prot.summary.easemob_nokey":
    "no key: every parameter travels in clear in the URL (visitor, agent, tenant, nickname), and anyone who has this URL can open any visitor by putting another visitor id in it; set an encryption key in Easemob and here",
  "prot.summary.easemob_plain_ids": "anyone who has this URL can read any visitor whose IM id they know: turn on encrypted system params",
  "prot.summary.easemob_des":
    "the visitor id is encrypted, but Easemob encrypts each parameter on its own with DES/ECB: a ciphertext is the same every time, so a leaked URL can be replayed for as long as the key is unchanged, and its 8-byte blocks can be reused: blocks of other URLs, or of a nickname, trueName or pushed parameter a visitor chose, can be put together into another visitor id or agent id. crmlens refuses a visitor, agent or tenant parameter made of blocks of the same URL's other parameters, but cannot see blocks taken from other URLs; only a signed link prevents both",
  "prot.summary.sharecrm": "visitors are identified by AES-encrypted customParams; a leaked customParams value can be replayed to open that one visitor",
  "prot.summary.chatwoot_unchecked":
    "Chatwoot does not sign its context: anyone who has this URL can claim any Chatwoot contact id, e-mail, phone or identifier and read the contact it matches: give crmlens a Chatwoot API token so it checks each conversation and matches with what Chatwoot says of its contact. The agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones",
  "prot.summary.chatwoot_checked":
    "each context is checked against Chatwoot's API: the contact must be the conversation's, and the identifier, e-mail, phone and name matched with are Chatwoot's, never the context's; the URL remains a secret, and anyone holding it and a real conversation id can read that conversation's contact. Chatwoot's API cannot say which agent is looking, so the agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones",
  "prot.summary.signed": "each link is a signed token that expires within 5 minutes and works once",
  "prot.summary.actions_vouched": "Agent actions: search, link and reveal, within the per-session and per-agent limits; {by}",
  "prot.summary.actions_read":
    "Agent actions: read only. Nothing vouches for the agent, so sessions show the contact crmlens matched (and reveal its masked fields) but cannot search, link or unlink: the URL reaches no other contact through them",
  "prot.summary.actions_open":
    "Agent actions: search and link, though nothing vouches for the agent: anyone with the URL can search contacts (by name, or by a whole phone number or e-mail the layout masks) and link the visitor to one found, then read it as the layout shows it, within the per-session and per-agent limits; such links are marked unverified to the next agent",
  "prot.vouched.signed": "each signed token names the agent",
  "prot.vouched.easemob": "the agent must be one an admin declared, named in encrypted params",
  "prot.vouched.sharecrm": "the platform encrypts each customParams with the key",
  "prot.exposed.all_params": "every parameter, in clear",
  "prot.exposed.any_visitor": "any visitor, by visitor id",
  "prot.exposed.agent_identity": "agent identity",
  "prot.exposed.tenant_id": "tenant id",
  "prot.exposed.visitor_id_clear": "visitor id (visitorImId is in clear and can be swapped)",
  "prot.exposed.replay_url": "replay of a leaked URL",
  "prot.exposed.des_blocks": "visitor and agent ids put together from blocks of other URLs' ciphertexts",
  "prot.exposed.replay_custom_params": "replay of a leaked customParams",
  "prot.exposed.any_contact": "any contact, by contact id, e-mail, phone or identifier",
  "prot.exposed.known_conversations": "contacts of conversations whose ids are known",
  "prot.exposed.search": "contacts found by search (search and link are open to agents nothing vouches for)",
  "prot.advice.set_key": "set an encryption key (more than 8 characters) in Easemob and here (crmlens integration rotate-key)",
  "prot.advice.encrypt_params_then": "then turn on encrypted system params",
  "prot.advice.encrypt_params": "turn on Easemob's option to encrypt easemobId and visitorImId, then require it here",
  "prot.advice.rotate_url": "rotate the key if a URL leaked",
  "prot.advice.use_signed":
    "where the page that opens crmlens can sign, use a signed link instead (kind signed): it expires, works once and cannot be cut and pasted",
  "prot.advice.pin_tenant": "pin the expected tenantId",
  "prot.advice.known_agent": "require an agent crmlens knows (import agents first)",
  "prot.advice.rotate_custom_params": "rotate the key if customParams leaked",
  "prot.advice.chatwoot_token": "set the Chatwoot URL and an API token",
  "prot.advice.read_only": "allow agents only to read (crmlens integration update --agent-actions read), or make the agent verifiable ({how})",
  "prot.advice.no_origin":
    "no origin is set, so no platform can frame the sidebar (only crmlens's own pages can): add the origin of the page that shows it",
  "prot.advice.no_origin_eg":
    "no origin is set, so no platform can frame the sidebar (only crmlens's own pages can): add the origin of the page that shows it, e.g. {origin}",
  "prot.how.easemob": "set a key and require known agents",
  "prot.how.chatwoot": "set the Chatwoot URL and an API token",
  "prot.summary.udesk":
    "each link is signed by Udesk with the key over its whole query (the agent, the customer and every field), but a signature is replayable within its 5-minute window: a leaked URL opens that customer's sidebar again until it is five minutes old",
  "prot.summary.sobot":
    "each link is signed by Sobot with the security key, but only partnerId and timestamp are signed: the agent's e-mail and the custom params are not, so whoever holds a URL can name another agent, and a signature is replayable within its 5-minute window",
  "prot.summary.sobot_nokey":
    "no security key: Sobot's sign md5(sysNum+email) involves no secret, so it authenticates nothing: anyone who has this URL, or knows the company's sysNum, can open any visitor by partnerId and name any agent; turn on Sobot's security key (安全密钥) and set it here",
  "prot.vouched.udesk": "Udesk signs agent_email with the rest of the link",
  "prot.exposed.replay_window": "replay of a leaked URL within its 5-minute window",
  "prot.advice.sobot_key": "turn on Sobot's security key (安全密钥) and set it here (crmlens integration rotate-key --key KEY)",
  "prot.how.signed": "use the signed adapter",

  // Simulator steps.
  "sim.input.slug_mismatch": "the URL names integration {slug}, not the one selected; simulating {slug}",
  "sim.input.read": "read as {kind} with {count} parameters",
  "sim.kind.sidebar_url": "a sidebar URL",
  "sim.kind.query": "a query string",
  "sim.kind.update_visitor_info_src": "Easemob's updateVisitorInfoSrc parameters",
  "sim.kind.custom_params": "ShareCRM's customParams",
  "sim.integration.ok": "integration {slug} ({kind}), decoding with {keys}",
  "sim.keys.none": "no key",
  "sim.keys.one": "its key",
  "sim.keys.two": "its key and the previous key (still in its grace period)",
  "sim.failed": "{error}",
  "sim.advice.not_found": "The URL configured in the platform does not match any integration: copy it again from the integrations page",
  "sim.advice.decrypt.easemob":
    "The encryption key set in Easemob (管理员模式 > 设置 > 自定义信息接口) is not this integration's key: reveal the key here and set the same one there, or rotate it and paste the new one",
  "sim.advice.decrypt.sharecrm":
    "customParams was not encrypted with this integration's key: the website must use the key shown here (base64, AES/ECB/PKCS5Padding)",
  "sim.advice.decrypt.signed": "the token was not signed with this integration's secret",
  "sim.advice.decrypt.udesk":
    "the link's sign does not match this integration's key: copy the secret key from Udesk (系统设置 - 密钥) here, and check that the server's clock is right",
  "sim.advice.decrypt.sobot":
    "the link's sign does not match this integration's sysNum and security key: copy both from Sobot, and check that the server's clock is right",
  "sim.decode.update.failed": "{count} of {total} params could not be decrypted with {keys}",
  "sim.decode.update.dropped": "{count} of {total} params would be dropped (see each one's reason); the others open with {keys}",
  "sim.decode.update.ok":
    "every param opens with {keys}; Easemob appends them to the sidebar URL with easemobId and visitorImId, so paste a whole URL to see the matching",
  "sim.decode.ok": "channel {channel}, visitor id {visitor}, {agent}, {lang}",
  "sim.lang.named": "language “{lang}”",
  "sim.lang.none": "no language given",
  "sim.agent.none": "no agent named",
  "sim.agent.named": "agent {agent}",
  "sim.note.reading":
    "visitorImId reads two ways (as sent, and decrypted with the key: Easemob's option that encrypts easemobId and visitorImId may be on while this integration does not require it); taking the {chosen} reading: {why}",
  "sim.note.dropped": "a session ignores {count} params: {names}",
  "sim.chosen.plain": "as-sent",
  "sim.chosen.decrypted": "decrypted",
  "sim.why.known_identity": "it is a contact's channel identity",
  "sim.why.known_visitor": "it is a visitor crmlens already has",
  "sim.why.preferred_decrypted": "neither reading is known, and the decrypted one is taken",
  "sim.checks.none": "no further checks are configured for this integration",
  "sim.checks.passed": "passed: {checks}",
  "sim.check.known_agent": "the agent is one an admin imported",
  "sim.check.chatwoot": "Chatwoot confirms the contact is in the conversation",
  "sim.check.single_use": "the token's single use is not consumed by the simulator",
  "sim.visitor.new": "no visitor {channel}/{visitor} yet: the first session creates it",
  "sim.visitor.found": "visitor {id} ({channel}/{visitor}), first seen {firstSeen}, last seen {lastSeen}",
  "sim.match.linked": "already linked ({method}): {matchReason}",
  "sim.method.identity": "by channel identity",
  "sim.method.identifier": "by identifier",
  "sim.method.fields": "by the same {fields}",
  "sim.method.manual": "by an agent",
  "sim.method.manual_unverified": "by an agent, unverified",
  "sim.match.unlinked": "{matchReason}",
  "sim.match.would_link": "would link contact {contact}: {matchReason}",
  "sim.match.not_linked": "not linked: {matchReason}",
  "sim.trace.identity.found": "channel identity: contact {contact} has the {channel} id {visitor}",
  "sim.trace.identity.none": "channel identity: no contact has the {channel} id {visitor} as an identity",
  "sim.trace.identifier.found": "identifier: contact {contact} has the external id the platform gave",
  "sim.trace.identifier.none": "identifier: no contact has the external id the platform gave",
  "sim.trace.rules.none": "matching fields: this integration has no matching rules",
  "sim.trace.rule.skipped": "matching rule {rule}: skipped, the visitor has no verified {rule}",
  "sim.trace.rule.none": "matching rule {rule}: no contact has the same {rule}",
  "sim.trace.rule.one": "matching rule {rule}: exactly one contact ({contact}) has the same {rule}",
  "sim.trace.rule.many": "matching rule {rule}: {count} or more contacts have the same {rule}, so none is linked by this rule",
  "sim.trace.other": "{text}",
  "sim.layout": "layout “{name}”: {reason}",

  // Audit actions.
  "audit.admin.create": "admin added",
  "audit.admin.password": "own password changed",
  "audit.admin.password_reset": "admin password reset",
  "audit.admin.remove": "admin removed",
  "audit.agent.groups": "agent groups changed",
  "audit.agents.import": "agents imported",
  "audit.contact.search": "contact search",
  "audit.context.read": "sidebar opened (contact read)",
  "audit.field.change": "field catalog changed",
  "audit.field.reveal": "masked field revealed",
  "audit.integration.create": "integration created",
  "audit.integration.delete": "integration deleted",
  "audit.integration.disable": "integration disabled",
  "audit.integration.enable": "integration enabled",
  "audit.integration.update": "integration changed",
  "audit.key.reveal": "key revealed",
  "audit.key.rotate": "key rotated",
  "audit.layout.change": "layout saved",
  "audit.layout.delete": "layout deleted",
  "audit.layout.preview": "layout previewed (designer)",
  "audit.simulate": "simulation",
  "audit.source.apply": "live source applied",
  "audit.source.delete": "live source deleted",
  "audit.sync.delete": "record deleted (sync API)",
  "audit.sync.upsert": "records written (sync API)",
  "audit.token.create": "service token created",
  "audit.token.revoke": "service token revoked",
  "audit.visitor.link": "visitor linked",
  "audit.visitor.unlink": "visitor unlinked",

  // Field types.
  "type.bool": "yes/no",
  "type.date": "date",
  "type.datetime": "date and time",
  "type.email": "e-mail",
  "type.enum": "choice (enum)",
  "type.money": "money",
  "type.number": "number",
  "type.phone": "phone",
  "type.text": "text",
  "type.url": "link (URL)",
};

const zh: Words = {
  "prot.summary.easemob_nokey":
    "未设置密钥：所有参数（访客、坐席、租户、昵称）都以明文出现在 URL 中，任何持有此 URL 的人换一个访客 ID 就能打开任意访客；请在环信和这里设置加密密钥",
  "prot.summary.easemob_plain_ids": "任何持有此 URL 的人，只要知道访客的 IM ID 就能查看该访客：请开启系统参数加密",
  "prot.summary.easemob_des":
    "访客 ID 已加密，但环信用 DES/ECB 逐个加密参数：同一值的密文每次都相同，因此泄露的 URL 在密钥更换前可被重放；其 8 字节的密文块也可被重用：其他 URL 的密文块，或访客自己填写的昵称、trueName、推送参数的密文块，可被拼成另一个访客 ID 或坐席 ID。crmlens 会拒绝由同一 URL 中其他参数的密文块拼成的访客、坐席或租户参数，但无法识别取自其他 URL 的密文块；只有签名链接能同时防止这两种情况",
  "prot.summary.sharecrm": "访客由 AES 加密的 customParams 识别；泄露的 customParams 可被重放，用来打开该访客",
  "prot.summary.chatwoot_unchecked":
    "Chatwoot 不对其上下文签名：任何持有此 URL 的人都可以冒称任意 Chatwoot 联系人 ID、邮箱、电话或标识，并查看与之匹配的联系人：请为 crmlens 配置 Chatwoot API 令牌，以便核对每个会话，并按 Chatwoot 所述的联系人信息进行匹配。上下文中的坐席从不被信任：坐席和坐席组布局不生效，只有集成布局和默认布局生效",
  "prot.summary.chatwoot_checked":
    "每个上下文都会通过 Chatwoot API 核对：联系人必须属于该会话，用于匹配的标识、邮箱、电话和姓名都取自 Chatwoot，而非上下文；URL 仍需保密，持有它和真实会话 ID 的人可以查看该会话的联系人。Chatwoot API 无法说明是哪位坐席在查看，因此上下文中的坐席从不被信任：坐席和坐席组布局不生效，只有集成布局和默认布局生效",
  "prot.summary.signed": "每个链接都是签名令牌，5 分钟内过期，且只能使用一次",
  "prot.summary.actions_vouched": "坐席操作：可搜索、关联和查看脱敏字段，受每个会话和每位坐席的次数限制；{by}",
  "prot.summary.actions_read":
    "坐席操作：只读。坐席身份无法验证，因此侧边栏只显示 crmlens 匹配到的联系人（可查看其脱敏字段），但不能搜索、关联或解除关联：通过此 URL 接触不到其他联系人",
  "prot.summary.actions_open":
    "坐席操作：可搜索和关联，但坐席身份无法验证：任何持有此 URL 的人都能搜索联系人（按姓名，或按布局中脱敏的完整手机号或邮箱）并把访客关联到搜到的联系人，然后按布局查看，受每个会话和每位坐席的次数限制；这类关联会向下一位坐席标记为未验证",
  "prot.vouched.signed": "每个签名令牌都写明了坐席",
  "prot.vouched.easemob": "坐席必须是管理员导入的坐席，并在加密参数中写明",
  "prot.vouched.sharecrm": "平台用密钥加密每个 customParams",
  "prot.exposed.all_params": "所有参数（明文）",
  "prot.exposed.any_visitor": "任意访客（通过访客 ID）",
  "prot.exposed.agent_identity": "坐席身份",
  "prot.exposed.tenant_id": "租户 ID",
  "prot.exposed.visitor_id_clear": "访客 ID（visitorImId 为明文，可被替换）",
  "prot.exposed.replay_url": "重放泄露的 URL",
  "prot.exposed.des_blocks": "用其他 URL 的密文块拼出的访客 ID 和坐席 ID",
  "prot.exposed.replay_custom_params": "重放泄露的 customParams",
  "prot.exposed.any_contact": "任意联系人（通过联系人 ID、邮箱、电话或标识）",
  "prot.exposed.known_conversations": "已知会话 ID 的会话中的联系人",
  "prot.exposed.search": "通过搜索找到的联系人（身份无法验证的坐席也可搜索和关联）",
  "prot.advice.set_key": "在环信和这里设置加密密钥（8 个字符以上）（crmlens integration rotate-key）",
  "prot.advice.encrypt_params_then": "然后开启系统参数加密",
  "prot.advice.encrypt_params": "在环信中开启加密 easemobId 和 visitorImId 的选项，然后在这里要求加密",
  "prot.advice.rotate_url": "如果 URL 泄露，请更换密钥",
  "prot.advice.use_signed": "如果打开 crmlens 的页面能够签名，请改用签名链接（类型 signed）：它会过期、只能使用一次，且无法被拆分拼接",
  "prot.advice.pin_tenant": "固定预期的 tenantId",
  "prot.advice.known_agent": "只接受 crmlens 已知的坐席（请先导入坐席）",
  "prot.advice.rotate_custom_params": "如果 customParams 泄露，请更换密钥",
  "prot.advice.chatwoot_token": "设置 Chatwoot URL 和 API 令牌",
  "prot.advice.read_only": "只允许坐席查看（crmlens integration update --agent-actions read），或让坐席身份可验证（{how}）",
  "prot.advice.no_origin": "未设置来源，因此任何平台都无法嵌入侧边栏（只有 crmlens 自己的页面可以）：请添加显示侧边栏的页面的来源",
  "prot.advice.no_origin_eg": "未设置来源，因此任何平台都无法嵌入侧边栏（只有 crmlens 自己的页面可以）：请添加显示侧边栏的页面的来源，例如 {origin}",
  "prot.how.easemob": "设置密钥并只接受已知坐席",
  "prot.how.chatwoot": "设置 Chatwoot URL 和 API 令牌",
  "prot.summary.udesk": "每个链接都由 Udesk 用密钥对整个查询串签名（坐席、客户和每个字段），但签名在 5 分钟有效期内可被重放：泄露的 URL 在五分钟内仍能再次打开该客户的侧边栏",
  "prot.summary.sobot":
    "每个链接都由智齿用安全密钥签名，但只签了 partnerId 和时间戳：坐席邮箱和自定义资料字段未签名，持有 URL 的人可以冒充其他坐席，且签名在 5 分钟有效期内可被重放",
  "prot.summary.sobot_nokey":
    "未设置安全密钥：智齿的 sign md5(sysNum+email) 不含任何密钥，因此什么都无法验证：任何持有此 URL 或知道企业 sysNum 的人都能通过 partnerId 打开任意访客并冒充任意坐席；请在智齿开启安全密钥并在这里设置",
  "prot.vouched.udesk": "Udesk 把 agent_email 和链接的其余部分一起签名",
  "prot.exposed.replay_window": "在 5 分钟有效期内重放泄露的 URL",
  "prot.advice.sobot_key": "在智齿开启安全密钥并在这里设置（crmlens integration rotate-key --key KEY）",
  "prot.how.signed": "改用签名适配器",

  "sim.input.slug_mismatch": "URL 指向集成 {slug}，而不是所选的集成；按 {slug} 模拟",
  "sim.input.read": "按{kind}读取，共 {count} 个参数",
  "sim.kind.sidebar_url": "侧边栏 URL",
  "sim.kind.query": "查询参数",
  "sim.kind.update_visitor_info_src": "环信 updateVisitorInfoSrc 参数",
  "sim.kind.custom_params": "纷享销客 customParams",
  "sim.integration.ok": "集成 {slug}（{kind}），用{keys}解码",
  "sim.keys.none": "无密钥",
  "sim.keys.one": "其密钥",
  "sim.keys.two": "其密钥和上一个密钥（仍在宽限期内）",
  "sim.failed": "{error}",
  "sim.advice.not_found": "平台中配置的 URL 不属于任何集成：请从集成页面重新复制",
  "sim.advice.decrypt.easemob":
    "环信中设置的加密密钥（管理员模式 > 设置 > 自定义信息接口）不是此集成的密钥：请在这里查看密钥并在环信中设置相同的密钥，或更换密钥后粘贴新密钥",
  "sim.advice.decrypt.sharecrm": "customParams 不是用此集成的密钥加密的：网站必须使用这里显示的密钥（base64，AES/ECB/PKCS5Padding）",
  "sim.advice.decrypt.signed": "该令牌不是用此集成的密钥签名的",
  "sim.advice.decrypt.udesk": "链接的 sign 与此集成的密钥不符：请把 Udesk 的密钥（系统设置 - 密钥）复制到这里，并检查服务器时钟是否准确",
  "sim.advice.decrypt.sobot": "链接的 sign 与此集成的 sysNum 和安全密钥不符：请从智齿复制两者，并检查服务器时钟是否准确",
  "sim.decode.update.failed": "{total} 个参数中有 {count} 个无法用{keys}解密",
  "sim.decode.update.dropped": "{total} 个参数中有 {count} 个会被忽略（见各参数的原因）；其余参数可用{keys}打开",
  "sim.decode.update.ok": "所有参数都能用{keys}打开；环信会把它们连同 easemobId 和 visitorImId 附加到侧边栏 URL，请粘贴完整的 URL 查看匹配过程",
  "sim.decode.ok": "渠道 {channel}，访客 ID {visitor}，{agent}，{lang}",
  "sim.lang.named": "语言“{lang}”",
  "sim.lang.none": "未指明语言",
  "sim.agent.none": "未指明坐席",
  "sim.agent.named": "坐席 {agent}",
  "sim.note.reading":
    "visitorImId 有两种读法（原样，以及用密钥解密后：环信加密 easemobId 和 visitorImId 的选项可能已开启，而此集成未要求加密）；采用{chosen}读法：{why}",
  "sim.note.dropped": "会话会忽略 {count} 个参数：{names}",
  "sim.chosen.plain": "原样",
  "sim.chosen.decrypted": "解密后",
  "sim.why.known_identity": "它是某联系人的渠道身份",
  "sim.why.known_visitor": "它是 crmlens 已有的访客",
  "sim.why.preferred_decrypted": "两种读法都未知，采用解密后的读法",
  "sim.checks.none": "此集成未配置其他检查",
  "sim.checks.passed": "已通过：{checks}",
  "sim.check.known_agent": "坐席是管理员导入的坐席",
  "sim.check.chatwoot": "Chatwoot 确认该联系人属于此会话",
  "sim.check.single_use": "模拟器不会消耗令牌的一次性使用",
  "sim.visitor.new": "尚无访客 {channel}/{visitor}：首次会话会创建它",
  "sim.visitor.found": "访客 {id}（{channel}/{visitor}），首次出现 {firstSeen}，最近出现 {lastSeen}",
  "sim.match.linked": "已关联（{method}）：{matchReason}",
  "sim.method.identity": "按渠道身份",
  "sim.method.identifier": "按标识",
  "sim.method.fields": "按相同的 {fields}",
  "sim.method.manual": "由坐席关联",
  "sim.method.manual_unverified": "由坐席关联，未验证",
  "sim.match.unlinked": "{matchReason}",
  "sim.match.would_link": "将关联联系人 {contact}：{matchReason}",
  "sim.match.not_linked": "未关联：{matchReason}",
  "sim.trace.identity.found": "渠道身份：联系人 {contact} 的 {channel} 账号为 {visitor}",
  "sim.trace.identity.none": "渠道身份：没有联系人以 {channel} 账号 {visitor} 作为渠道身份",
  "sim.trace.identifier.found": "标识：联系人 {contact} 的外部 ID 与平台传来的一致",
  "sim.trace.identifier.none": "标识：没有联系人的外部 ID 与平台传来的一致",
  "sim.trace.rules.none": "匹配字段：此集成没有匹配规则",
  "sim.trace.rule.skipped": "匹配规则 {rule}：已跳过，访客没有已验证的 {rule}",
  "sim.trace.rule.none": "匹配规则 {rule}：没有联系人的 {rule} 相同",
  "sim.trace.rule.one": "匹配规则 {rule}：恰有一个联系人（{contact}）的 {rule} 相同",
  "sim.trace.rule.many": "匹配规则 {rule}：有 {count} 个或更多联系人的 {rule} 相同，因此此规则不关联任何联系人",
  "sim.trace.other": "{text}",
  "sim.layout": "布局“{name}”：{reason}",

  "audit.admin.create": "添加管理员",
  "audit.admin.password": "修改自己的密码",
  "audit.admin.password_reset": "重置管理员密码",
  "audit.admin.remove": "移除管理员",
  "audit.agent.groups": "修改坐席组",
  "audit.agents.import": "导入坐席",
  "audit.contact.search": "搜索联系人",
  "audit.context.read": "打开侧边栏（读取联系人）",
  "audit.field.change": "修改字段目录",
  "audit.field.reveal": "查看脱敏字段",
  "audit.integration.create": "创建集成",
  "audit.integration.delete": "删除集成",
  "audit.integration.disable": "停用集成",
  "audit.integration.enable": "启用集成",
  "audit.integration.update": "修改集成",
  "audit.key.reveal": "查看密钥",
  "audit.key.rotate": "更换密钥",
  "audit.layout.change": "保存布局",
  "audit.layout.delete": "删除布局",
  "audit.layout.preview": "预览布局（设计器）",
  "audit.simulate": "模拟",
  "audit.source.apply": "应用实时数据源",
  "audit.source.delete": "删除实时数据源",
  "audit.sync.delete": "删除记录（同步接口）",
  "audit.sync.upsert": "写入记录（同步接口）",
  "audit.token.create": "创建服务令牌",
  "audit.token.revoke": "吊销服务令牌",
  "audit.visitor.link": "关联访客",
  "audit.visitor.unlink": "解除访客关联",

  "type.bool": "是/否",
  "type.date": "日期",
  "type.datetime": "日期时间",
  "type.email": "邮箱",
  "type.enum": "选项（枚举）",
  "type.money": "金额",
  "type.number": "数字",
  "type.phone": "电话",
  "type.text": "文本",
  "type.url": "链接（URL）",
};

// Errors: "error." + an apperr code (codes.json errors), worded for the
// console. A field error or an error with params tries, first, the words
// for its rule ("error.<code>.<rule>", then "error.rule.<rule>"), then for
// its field ("error.<code>.<field>"), then the code's; "error.<code>.generic"
// is the code's words when the server sent none of the params they name.
// The spec's rules (internal/server/errors.go schemaRule) name {field} and
// their limit ({min}, {max}, {values}, {type}, {pattern}).
const errorsEn: Words = {
  "error.rule.required": "{field} is required",
  "error.rule.maxLength": "{field} must be at most {max} characters",
  "error.rule.minLength": "{field} must be at least {min} characters",
  "error.rule.maxItems": "{field} must have at most {max} items",
  "error.rule.minItems": "{field} must have at least {min} items",
  "error.rule.enum": "{field} must be one of {values}",
  "error.rule.type": "{field} must be of type {type}",
  "error.rule.format": "{field} must be of type {type}",
  "error.rule.minimum": "{field} must be at least {min}",
  "error.rule.maximum": "{field} must be at most {max}",
  "error.rule.nullable": "{field} must not be null",
  "error.rule.pattern": "{field} does not have the expected form",
  "error.rule.malformed": "the {field} parameter is malformed",
  "error.adapter_unavailable": "This integration cannot work as it is configured; an admin must fix it",
  "error.admin_exists": "An admin with this e-mail already exists",
  "error.admin_last": "This is the last admin: add another admin before removing it",
  "error.admin_not_found": "No such admin (another admin may have removed it); reload the list",
  "error.admin_self": "You cannot do this to your own account here: use Account, or ask another admin",
  "error.agent_actions_read_only": "This integration lets agents only read: search and link are off",
  "error.agent_not_found": "No such agent; reload the list",
  "error.bad_credentials": "Wrong e-mail or password",
  "error.bad_credentials.confirm": "The password is wrong",
  "error.bad_credentials.gone": "This admin no longer exists; sign in again",
  "error.bad_request": "The request is malformed",
  "error.body_too_large": "The request is too large",
  "error.chatwoot_incomplete": "The Chatwoot context lacks the account or conversation id, or they are not numbers",
  "error.chatwoot_mismatch": "Chatwoot says the contact is not in this conversation",
  "error.chatwoot_unreachable": "crmlens could not reach Chatwoot; retry shortly",
  "error.concurrent_change": "It changed meanwhile; reload, then try again",
  "error.contact_not_found": "No such contact",
  "error.contact_not_reachable": "This contact cannot be linked from here: link one found by a search",
  "error.csrf_mismatch": "The console's security token does not match this session: reload the console and try again",
  "error.csrf_missing": "The console's security token is missing: reload the console and try again",
  "error.database_unavailable": "The database is not reachable; retry shortly",
  "error.decrypt_failed": "The parameters could not be decrypted with this integration's key: the key set in the platform must match crmlens's",
  "error.demo_not_loaded": "No demo data is loaded: run crmlens seed --demo",
  "error.duplicate_param": "A parameter is given twice; send each once",
  "error.field_not_found": "No such custom field",
  "error.field_not_masked": "This value is not masked, so there is nothing to reveal",
  "error.forbidden": "This is not an admin's session; sign in as an admin",
  "error.headers_too_large": "The request headers are too large",
  "error.http_version_not_supported": "This HTTP version is not supported",
  "error.import_conflict": "Nothing was imported: the data changed during the import; import the file again",
  "error.import_format": "Unknown file format: use CSV or NDJSON (.csv, .ndjson, .jsonl)",
  "error.import_invalid": "Nothing was imported: the file has an invalid line",
  "error.import_object": "This object cannot be imported",
  "error.integration_disabled": "Integration {slug} is disabled: enable it again to serve the sidebar",
  "error.integration_disabled.generic": "This integration is disabled: enable it again to serve the sidebar",
  "error.integration_not_found": "No integration has the slug “{slug}”",
  "error.integration_not_found.generic": "This integration no longer exists; reload the page",
  "error.internal": "Something went wrong on the server; the request id in the X-Request-Id header helps an admin find it in the logs",
  "error.invalid_admin": "This admin's e-mail or password cannot be used",
  "error.invalid_admin.email": "The e-mail is not a valid address",
  "error.invalid_admin.length": "The password must be {min} to {max} characters",
  "error.invalid_admin.same": "The new password is the current one; choose another",
  "error.invalid_claim": "A claim of the signed link has the wrong type or form",
  "error.invalid_contact": "Pick a contact from a search",
  "error.invalid_field": "This custom field is invalid",
  "error.invalid_filter": "A filter is invalid",
  "error.invalid_grace": "The grace period is invalid",
  "error.invalid_group": "A group name is too long or holds control characters",
  "error.invalid_json": "The request is not valid JSON, or a value has the wrong type",
  "error.invalid_key": "The key cannot be used: copy it from the platform exactly",
  "error.invalid_kind": "Unknown platform kind",
  "error.invalid_layout": "The layout is invalid",
  "error.invalid_name": "The name must be 1 to 128 characters, without control characters",
  "error.invalid_option": "An option of this integration is invalid",
  "error.invalid_origin": "An origin must be a scheme and a host, like https://kefu.easemob.com (no path)",
  "error.invalid_param": "A URL parameter is malformed: check the platform's encryption settings",
  "error.invalid_query": "Type 2 to 100 characters: a name, a phone number or an e-mail",
  "error.invalid_record": "Pick a record from the context",
  "error.invalid_request": "The request is invalid",
  "error.invalid_simulation_input": "This input cannot be read: paste a sidebar URL, its query, or the platform's parameters",
  "error.invalid_slug": "The slug must be 3 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit",
  "error.invalid_token": "The signed link's signature does not match this integration's key",
  "error.layout_duplicate": "A layout appears twice; nothing was written",
  "error.layout_not_found": "No such layout",
  "error.layout_stale": "The layout changed meanwhile; reload it (nothing was written)",
  "error.method_not_allowed": "This address does not accept that method",
  "error.metrics_unauthorized": "/metrics needs the token in CRMLENS_METRICS_TOKEN",
  "error.missing_claim": "The signed link lacks a claim crmlens needs",
  "error.missing_integration": "Pick an integration",
  "error.missing_param": "A parameter crmlens needs is missing from the URL",
  "error.missing_params": "The platform's parameters are missing",
  "error.not_found": "There is nothing at this address",
  "error.not_implemented": "This transfer encoding is not supported",
  "error.params_too_large": "A parameter, or their number, passes crmlens's limit",
  "error.plain_system_param": "A parameter came in clear, but this integration requires it encrypted",
  "error.rate_limited": "Too many failed attempts; wait a minute, then try again",
  "error.record_not_linked": "This record no longer belongs to the linked contact",
  "error.seed_contacts": "The number of demo contacts must be positive",
  "error.session_ended": "This admin session ended; sign in again",
  "error.source_invalid": "The source file is not valid: check its name, url or url_env and objects",
  "error.source_missing_column": "A mapped column does not exist in the source's table",
  "error.source_missing_table": "A mapped table or view does not exist in the source's database",
  "error.source_not_found": "No source has this name",
  "error.source_object_not_served": "This object cannot be read from a live source (contacts and accounts stay imported or synced)",
  "error.source_object_taken": "Another source already maps this object",
  "error.source_unknown_field": "The mapping names a field this object does not have",
  "error.source_unknown_object": "The mapping names an object crmlens does not know",
  "error.invalid_agent_key": "An agent is addressed as PLATFORM:PLATFORM_ID (for example easemob:5a3c1f2e-agent)",
  "error.invalid_scope": "A service token's scope must be sync",
  "error.sync_conflict": "Another sync request changed these records at the same time; send the request again",
  "error.sync_format": "Send NDJSON (application/x-ndjson) or a JSON array (application/json)",
  "error.sync_not_found": "No record has this external_id",
  "error.sync_object": "This object cannot be synced",
  "error.sync_referenced": "Other records still point at this one; delete or move them first",
  "error.sync_too_large": "The request is too large; send the records in several requests",
  "error.token_name_taken": "A service token with this name already exists",
  "error.token_not_found": "No service token has this name",
  "error.token_revoked": "This service token was revoked; create a new one",
  "error.slug_taken": "An integration with this slug already exists",
  "error.spliced_param": "A parameter is made of blocks of the link's other parameters; crmlens refuses it",
  "error.tenant_mismatch": "The tenant of this request is not the one this integration is pinned to",
  "error.timeout": "The request took too long and was cancelled; retry shortly",
  "error.token_expired": "The session or signed link has expired",
  "error.token_lifetime": "The signed link's time is wrong: it is in the future or lasts more than 5 minutes; check the clocks",
  "error.token_replayed": "This signed link was already used",
  "error.unauthorized": "Sign in as an admin",
  "error.unknown_agent": "This integration serves only agents an admin declared, and this one is not",
  "error.unsupported_media_type": "Send the body as application/json",
  "error.visitor_not_found": "No such visitor",
};

const errorsZh: Words = {
  "error.rule.required": "{field} 为必填项",
  "error.rule.maxLength": "{field} 最多 {max} 个字符",
  "error.rule.minLength": "{field} 至少 {min} 个字符",
  "error.rule.maxItems": "{field} 最多 {max} 项",
  "error.rule.minItems": "{field} 至少 {min} 项",
  "error.rule.enum": "{field} 必须是以下之一：{values}",
  "error.rule.type": "{field} 的类型必须是 {type}",
  "error.rule.format": "{field} 的类型必须是 {type}",
  "error.rule.minimum": "{field} 不能小于 {min}",
  "error.rule.maximum": "{field} 不能大于 {max}",
  "error.rule.nullable": "{field} 不能为 null",
  "error.rule.pattern": "{field} 的格式不正确",
  "error.rule.malformed": "参数 {field} 格式不正确",
  "error.adapter_unavailable": "此集成的配置无法工作，需要管理员修正",
  "error.admin_exists": "已有使用此邮箱的管理员",
  "error.admin_last": "这是最后一位管理员：请先添加另一位管理员再移除",
  "error.admin_not_found": "没有这位管理员（可能已被其他管理员移除）；请刷新列表",
  "error.admin_self": "不能在这里对自己的账号执行此操作：请使用“账号”页面，或请其他管理员操作",
  "error.agent_actions_read_only": "此集成只允许坐席查看：搜索和关联已关闭",
  "error.agent_not_found": "没有这位坐席；请刷新列表",
  "error.bad_credentials": "邮箱或密码错误",
  "error.bad_credentials.confirm": "密码错误",
  "error.bad_credentials.gone": "此管理员已不存在；请重新登录",
  "error.bad_request": "请求格式不正确",
  "error.body_too_large": "请求内容过大",
  "error.chatwoot_incomplete": "Chatwoot 上下文缺少账户或会话 ID，或它们不是数字",
  "error.chatwoot_mismatch": "Chatwoot 显示该联系人不在此会话中",
  "error.chatwoot_unreachable": "crmlens 无法连接 Chatwoot；请稍后重试",
  "error.concurrent_change": "内容已被修改；请刷新后重试",
  "error.contact_not_found": "没有这个联系人",
  "error.contact_not_reachable": "无法从这里关联此联系人：请关联搜索到的联系人",
  "error.csrf_mismatch": "控制台的安全令牌与本次会话不符：请重新加载控制台后重试",
  "error.csrf_missing": "缺少控制台的安全令牌：请重新加载控制台后重试",
  "error.database_unavailable": "无法连接数据库；请稍后重试",
  "error.decrypt_failed": "无法用此集成的密钥解密参数：平台中设置的密钥必须与 crmlens 中的一致",
  "error.demo_not_loaded": "未加载演示数据：请运行 crmlens seed --demo",
  "error.duplicate_param": "有参数重复出现；每个参数只能传一次",
  "error.field_not_found": "没有这个自定义字段",
  "error.field_not_masked": "此值未脱敏，没有可查看的内容",
  "error.forbidden": "这不是管理员的会话；请以管理员身份登录",
  "error.headers_too_large": "请求头过大",
  "error.http_version_not_supported": "不支持此 HTTP 版本",
  "error.import_conflict": "未导入任何内容：导入期间数据发生了变化；请重新导入文件",
  "error.import_format": "无法识别文件格式：请使用 CSV 或 NDJSON（.csv、.ndjson、.jsonl）",
  "error.import_invalid": "未导入任何内容：文件中有无效的行",
  "error.import_object": "无法导入此对象",
  "error.integration_disabled": "集成 {slug} 已停用：重新启用后侧边栏才会显示内容",
  "error.integration_disabled.generic": "此集成已停用：重新启用后侧边栏才会显示内容",
  "error.integration_not_found": "没有标识为“{slug}”的集成",
  "error.integration_not_found.generic": "此集成已不存在；请重新加载页面",
  "error.internal": "服务器出错；X-Request-Id 响应头中的请求 ID 可帮助管理员在日志中找到它",
  "error.invalid_admin": "此管理员的邮箱或密码无法使用",
  "error.invalid_admin.email": "邮箱地址无效",
  "error.invalid_admin.length": "密码须为 {min} 到 {max} 个字符",
  "error.invalid_admin.same": "新密码与当前密码相同；请换一个",
  "error.invalid_claim": "签名链接中的某项声明类型或格式不正确",
  "error.invalid_contact": "请从搜索结果中选择联系人",
  "error.invalid_field": "此自定义字段无效",
  "error.invalid_filter": "筛选条件无效",
  "error.invalid_grace": "宽限期无效",
  "error.invalid_group": "坐席组名称过长或含有控制字符",
  "error.invalid_json": "请求不是有效的 JSON，或某个值的类型不对",
  "error.invalid_key": "此密钥无法使用：请从平台原样复制",
  "error.invalid_kind": "未知的平台类型",
  "error.invalid_layout": "布局无效",
  "error.invalid_name": "名称须为 1 到 128 个字符，且不含控制字符",
  "error.invalid_option": "此集成的某个选项无效",
  "error.invalid_origin": "来源必须只含协议和主机，例如 https://kefu.easemob.com（不含路径）",
  "error.invalid_param": "URL 中的某个参数格式不正确：请检查平台的加密设置",
  "error.invalid_query": "请输入 2 到 100 个字符：姓名、手机号或邮箱",
  "error.invalid_record": "请从上下文中选择记录",
  "error.invalid_request": "请求无效",
  "error.invalid_simulation_input": "无法读取此输入：请粘贴侧边栏 URL、其查询参数或平台的参数",
  "error.invalid_slug": "标识须为 3 到 64 个字符，只含 a-z、0-9 和“-”，并以字母或数字开头",
  "error.invalid_token": "签名链接的签名与此集成的密钥不符",
  "error.layout_duplicate": "有布局重复出现；未写入任何内容",
  "error.layout_not_found": "没有这个布局",
  "error.layout_stale": "布局已被修改；请重新加载（未写入任何内容）",
  "error.method_not_allowed": "此地址不接受该请求方法",
  "error.metrics_unauthorized": "/metrics 需要 CRMLENS_METRICS_TOKEN 中的令牌",
  "error.missing_claim": "签名链接缺少 crmlens 需要的声明",
  "error.missing_integration": "请选择一个集成",
  "error.missing_param": "URL 中缺少 crmlens 需要的参数",
  "error.missing_params": "缺少平台的参数",
  "error.not_found": "此地址没有内容",
  "error.not_implemented": "不支持此传输编码",
  "error.params_too_large": "某个参数或参数数量超过了 crmlens 的上限",
  "error.plain_system_param": "某个参数以明文传来，但此集成要求加密",
  "error.rate_limited": "失败次数过多；请等一分钟后重试",
  "error.record_not_linked": "该记录已不属于当前关联的联系人",
  "error.seed_contacts": "演示联系人的数量必须为正数",
  "error.session_ended": "此管理员会话已结束；请重新登录",
  "error.source_invalid": "数据源文件无效：请检查 name、url 或 url_env 以及 objects",
  "error.source_missing_column": "映射的列在数据源的表中不存在",
  "error.source_missing_table": "映射的表或视图在数据源数据库中不存在",
  "error.source_not_found": "没有该名称的数据源",
  "error.source_object_not_served": "该对象不能从实时数据源读取（联系人和客户仍需导入或同步）",
  "error.source_object_taken": "已有其他数据源映射了该对象",
  "error.source_unknown_field": "映射中有该对象没有的字段",
  "error.source_unknown_object": "映射中有 crmlens 不认识的对象",
  "error.invalid_agent_key": "坐席应写作 平台:平台ID（例如 easemob:5a3c1f2e-agent）",
  "error.invalid_scope": "服务令牌的范围必须是 sync",
  "error.sync_conflict": "另一个同步请求同时修改了这些记录，请重新发送",
  "error.sync_format": "请发送 NDJSON（application/x-ndjson）或 JSON 数组（application/json）",
  "error.sync_not_found": "没有该 external_id 的记录",
  "error.sync_object": "该对象不能同步",
  "error.sync_referenced": "仍有其他记录指向此记录；请先删除或转移它们",
  "error.sync_too_large": "请求过大；请分成多个请求发送",
  "error.token_name_taken": "已有同名的服务令牌",
  "error.token_not_found": "没有该名称的服务令牌",
  "error.token_revoked": "该服务令牌已被吊销；请新建一个",
  "error.slug_taken": "已有使用此标识的集成",
  "error.spliced_param": "某个参数由链接中其他参数的密文块拼成；crmlens 拒绝打开",
  "error.tenant_mismatch": "此请求的租户与集成绑定的租户不一致",
  "error.timeout": "请求耗时过长，已取消；请稍后重试",
  "error.token_expired": "会话或签名链接已过期",
  "error.token_lifetime": "签名链接的时间不对：在未来，或有效期超过 5 分钟；请检查时钟",
  "error.token_replayed": "此签名链接已被使用过",
  "error.unauthorized": "请以管理员身份登录",
  "error.unknown_agent": "此集成只为管理员登记的坐席服务，而此坐席未登记",
  "error.unsupported_media_type": "请以 application/json 发送请求内容",
  "error.visitor_not_found": "没有这个访客",
};

export const codeCatalogues: Record<Lang, Words> = { en: { ...en, ...errorsEn }, zh: { ...zh, ...errorsZh } };

/** Whether lang has words for code. */
export function hasCode(lang: Lang, code: string): boolean {
  return code in codeCatalogues[lang];
}

/**
 * code worded in lang with params: a {name} placeholder takes params.name;
 * a param whose name ends in Code is itself a code, worded (with the same
 * params) into the placeholder without the suffix ({keys} for keysCode),
 * and one ending in Codes a comma-separated list of codes. null when code
 * is not known.
 */
export function codeText(lang: Lang, code: string, params: Record<string, string> = {}, depth = 0): string | null {
  const s = codeCatalogues[lang][code];
  if (s === undefined || depth > 3) return null;
  const vars: Record<string, string> = { ...params };
  for (const [k, v] of Object.entries(params)) {
    if (k.endsWith("Codes")) {
      vars[k.slice(0, -5)] = v
        .split(",")
        .filter(Boolean)
        .map((c) => codeText(lang, c, params, depth + 1) ?? c)
        .join(lang === "zh" ? "；" : "; ");
    } else if (k.endsWith("Code")) {
      // The nested code is worded with the other params ({agent} in
      // sim.agent.named is the agent's label, not agentCode again).
      const name = k.slice(0, -4);
      const rest = { ...params };
      delete rest[k];
      if (v.startsWith("layout.")) vars[name] = layoutReasonText(lang, { reason: v, reasonCode: v, reasonParams: rest });
      else vars[name] = v ? (codeText(lang, v, rest, depth + 1) ?? v) : "";
    } else if (k === "firstSeen" || k === "lastSeen") {
      const d = new Date(v);
      if (!Number.isNaN(d.getTime())) vars[k] = d.toLocaleString(lang === "zh" ? "zh-CN" : "en");
    }
  }
  return fill(s, vars);
}

/**
 * An error's words in lang (see errorsEn for the keys tried, in order):
 * the first whose placeholders params (and field) all fill. null when none
 * does, and the caller shows the server's English message.
 */
export function errorWords(lang: Lang, code: string, params: Record<string, string> = {}, field?: string): string | null {
  const vars: Record<string, string> = { ...params };
  if (field !== undefined) vars.field = field;
  const keys: string[] = [];
  if (params.rule) keys.push(`error.${code}.${params.rule}`, `error.rule.${params.rule}`);
  if (field) keys.push(`error.${code}.${field}`);
  keys.push(`error.${code}`, `error.${code}.generic`);
  for (const key of keys) {
    const s = codeCatalogues[lang][key];
    if (s === undefined) continue;
    const words = fill(s, vars);
    if (!/\{\w+\}/.test(words)) return words;
  }
  return null;
}

type Coded = CodedText;

/** A coded sentence in lang, or fallback (the server's English) when its code is unknown. */
function coded(lang: Lang, c: Coded | undefined, fallback: string): string {
  return (c && codeText(lang, c.code, c.params ?? {})) ?? fallback;
}

/**
 * An integration's protection in lang: the summary (its coded sentences
 * joined), what is exposed and the advice. The server's English for any
 * part with a code this page does not know.
 */
export function protectionText(lang: Lang, p: Integration["protection"]): { summary: string; exposed: string[]; advice: string[] } {
  const parts = p.summaryCodes ?? [];
  const known = parts.length > 0 && parts.every((c) => hasCode(lang, c.code));
  const sep = lang === "zh" ? "。" : ". ";
  return {
    summary: known ? parts.map((c) => coded(lang, c, "")).join(sep) + (lang === "zh" ? "。" : "") : p.summary,
    exposed: p.exposed.map((e, i) => coded(lang, p.exposedCodes?.[i], e)),
    advice: p.advice.map((a, i) => coded(lang, p.adviceCodes?.[i], a)),
  };
}

/** An audit action's name in lang; the action itself when unknown. */
export function auditActionName(lang: Lang, action: string): string {
  return codeText(lang, `audit.${action}`) ?? action;
}

/** A field type's name in lang; the type itself when unknown. */
export function fieldTypeName(lang: Lang, type: string): string {
  return codeText(lang, `type.${type}`) ?? type;
}

/**
 * A simulator step's detail in lang: its code worded with its params and
 * notes; the match's reason as the sidebar words it; a failed step's error
 * in the console's words where the catalogue knows the code. The server's
 * English when a code is unknown.
 */
export function stepText(lang: Lang, step: SimulationStep, result: Pick<Simulation, "match">): string {
  const code = step.detailCode;
  if (!code || !hasCode(lang, code)) return step.detail;
  const params: Record<string, string> = { ...(step.params ?? {}) };
  if (code === "sim.failed") {
    const failed = params.error ?? "";
    params.error = errorText(lang, failed) ?? (lang === "zh" ? errorWords(lang, failed, params) : null) ?? params.message ?? step.detail;
  }
  if (code.startsWith("sim.match.") && result.match) {
    params.matchReason = reasonText({ match: result.match, visitor: { channel: params.channel ?? "", externalId: params.visitor ?? "" } as never }, lang);
  }
  const notes = step.notes ?? [];
  if (notes.some((n) => !hasCode(lang, n.code))) return step.detail;
  const sentences = [codeText(lang, code, params) ?? step.detail, ...notes.map((n) => coded(lang, n, ""))];
  return joinSentences(lang, sentences);
}

/** Sentences joined: after one that ends a sentence (。 or .) with a space. */
function joinSentences(lang: Lang, sentences: string[]): string {
  return sentences.reduce((out, s) => {
    if (!out) return s;
    if (/[。.!！?？]$/.test(out)) return out + (lang === "zh" ? "" : " ") + s;
    return out + (lang === "zh" ? "；" : "; ") + s;
  }, "");
}
