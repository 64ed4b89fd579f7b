import { render } from "preact";
import { App } from "./App";
import "./styles.css";
import { applyTheme } from "./ui/theme";

// Before the first paint, so a light-theme user never sees a dark flash.
applyTheme();

// The shell page names no icon; a tiny inline one spares every page load a 404.
if (!document.querySelector("link[rel~=icon]")) {
  const icon = document.createElement("link");
  icon.rel = "icon";
  icon.href = "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1" y="3" width="14" height="10" rx="1" fill="#e8a33d"/><rect x="3" y="5" width="10" height="6" fill="#16181c"/></svg>');
  document.head.append(icon);
}

render(<App />, document.getElementById("app")!);
