import { render } from "preact";
import { sidebarClient } from "../api/client";
import { pickLang } from "../shared/i18n";
import "./playground.css";
import { Playground } from "./Playground";

const lang = pickLang(new URLSearchParams(location.search).get("lang"), navigator.language);
const root = document.getElementById("app")!;
root.textContent = "";
render(<Playground client={sidebarClient()} initialLang={lang} />, root);
