import { render } from "preact";
import { createClient } from "../api/client";
import "./sidebar.css";
import { App } from "./App";
import { allowedOrigins, windowHost } from "./chatwoot";
import { readPageParams } from "./params";

const root = document.getElementById("app")!;
root.textContent = "";
// Framed: a Chatwoot dashboard may be the parent (App decides from the params).
const chatwoot = window.parent !== window ? windowHost(window, allowedOrigins(document, location.origin)) : undefined;
render(
  <App page={readPageParams(location)} client={createClient()} navigatorLang={navigator.language} chatwoot={chatwoot} />,
  root,
);
