import type { ComponentChildren } from "preact";
import type { SessionUser } from "../api/types";
import { linkClick } from "../router";
import { ThemeSwitch } from "./theme";

export function TopBar({ user, onSignOut, children }: { user: SessionUser; onSignOut: () => void; children?: ComponentChildren }) {
  return (
    <header class="topbar">
      <a class="brand" href="/projects" aria-label="Previs Studio: projects" onClick={(e) => linkClick(e, "/projects")}><span class="brand-mark">▣</span> <span class="brand-name">Previs Studio</span></a>
      <div class="topbar-main">{children}</div>
      <div class="topbar-user">
        <ThemeSwitch />
        <span class="muted user-name" data-testid="current-user">{user.display_name}</span>
        <button class="btn btn-ghost btn-small" onClick={onSignOut}>Sign out</button>
      </div>
    </header>
  );
}
