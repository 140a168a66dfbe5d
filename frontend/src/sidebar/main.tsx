import { render } from "preact";
import { createClient } from "../api/client";
import "./sidebar.css";
import { App } from "./App";
import { readPageParams } from "./params";

const root = document.getElementById("app")!;
root.textContent = "";
render(<App page={readPageParams(location)} client={createClient()} navigatorLang={navigator.language} />, root);
