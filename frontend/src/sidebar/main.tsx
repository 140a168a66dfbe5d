// The first import: it listens for Chatwoot's load post before anything else runs.
import { earlyMessages } from "./early";
import { render } from "preact";
import { sidebarClient } from "../api/client";
import "./sidebar.css";
import { App } from "./App";
import { allowedOrigins, windowHost } from "./chatwoot";
import { readPageParams } from "./params";
import { storedPanelMemory } from "./prefs";
import { storedSessions } from "./resume";

const page = readPageParams(location);
// theme=light|dark in the URL wins over the system's prefers-color-scheme
// (the server already wrote it on <html> for the first paint; see static.go).
if (page.theme) document.documentElement.dataset.theme = page.theme;

const root = document.getElementById("app")!;
// The skeleton in sidebar.html is replaced by the App's own in the same task: no blank frame between.
root.textContent = "";
// Framed: a Chatwoot dashboard may be the parent (App decides from the params).
const chatwoot = earlyMessages
  ? windowHost(window, allowedOrigins(document, location.origin), earlyMessages)
  : undefined;
render(
  <App
    page={page}
    client={sidebarClient()}
    navigatorLang={navigator.language}
    chatwoot={chatwoot}
    panels={storedPanelMemory(() => window.localStorage)}
    sessions={storedSessions(() => window.sessionStorage)}
  />,
  root,
);
