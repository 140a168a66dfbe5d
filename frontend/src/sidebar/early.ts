// Imported first by main.tsx, so this runs before anything else of the page:
// Chatwoot posts the context once, on the iframe's load event (Frame.vue,
// `@load="() => onIframeLoad(index)"`), which comes before the App's first
// effect. Listening here and keeping what arrives until the App subscribes is
// how the page gets that post (see chatwoot.ts).
import { bufferedMessages, type MessageFeed } from "./chatwoot";

/** The parent's messages since the script started; only when framed. */
export const earlyMessages: MessageFeed | undefined =
  typeof window !== "undefined" && window.parent !== window ? bufferedMessages(window) : undefined;
