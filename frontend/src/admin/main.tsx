import { render } from "preact";
import { createAdminClient } from "./api";
import { Console } from "./Console";
import { pickLang } from "../shared/i18n";
import "./messages";
import "./admin.css";

const root = document.getElementById("app")!;
root.textContent = "";
const stored = (() => {
  try {
    return localStorage.getItem("crmlens-admin-lang");
  } catch {
    return null;
  }
})();
render(
  <Console
    client={createAdminClient()}
    initialLang={pickLang(stored, navigator.language)}
    onLang={(l) => {
      try {
        localStorage.setItem("crmlens-admin-lang", l);
      } catch {
        // private mode: the choice lasts for this page only
      }
    }}
  />,
  root,
);
