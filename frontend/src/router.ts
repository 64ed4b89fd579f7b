// A tiny History API router: the Django shell serves the same page at /login and /projects/…,
// so the app reads location.pathname and pushes new paths itself.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  listeners.forEach((listener) => listener());
}

window.addEventListener("popstate", () => listeners.forEach((listener) => listener()));

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return path;
}

export type Route =
  | { name: "login" }
  | { name: "projects" }
  | { name: "project"; id: number; tab: ProjectTab; shot: number | null }
  | { name: "review"; id: number }
  | { name: "share"; token: string }
  | { name: "invite"; token: string }
  | { name: "reset"; uid: string | null; token: string | null };

export type ProjectTab = "shots" | "board" | "animatic" | "library" | "script" | "members";

const TAB_PATHS: Record<ProjectTab, string> = { shots: "", board: "/board", animatic: "/animatic", library: "/library", script: "/script", members: "/members" };

/** A project tab; with `shot`, that shot's camera panel open over it (/projects/1/board/shots/7). */
export function projectPath(id: number, tab: ProjectTab = "shots", shot: number | null = null): string {
  return `/projects/${id}${TAB_PATHS[tab]}${shot != null ? `/shots/${shot}` : ""}`;
}

export function reviewPath(id: number): string {
  return `/reviews/${id}`;
}

export function parseRoute(path: string): Route {
  if (path.startsWith("/login")) return { name: "login" };
  const review = path.match(/^\/reviews\/(\d+)\/?$/);
  if (review) return { name: "review", id: Number(review[1]) };
  // A client's share link: no account, the token is the key (see apps/review/views.py).
  const share = path.match(/^\/s\/([A-Za-z0-9_-]+)\/?$/);
  if (share) return { name: "share", token: share[1] };
  // An invite into a project, and the password-reset pages: open without an account.
  const invite = path.match(/^\/invites\/([A-Za-z0-9_-]+)\/?$/);
  if (invite) return { name: "invite", token: invite[1] };
  const reset = path.match(/^\/reset(?:\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+))?\/?$/);
  if (reset) return { name: "reset", uid: reset[1] ?? null, token: reset[2] ?? null };
  const match = path.match(/^\/projects\/(\d+)(?:\/(board|animatic|library|shots|script|members))?(?:\/shots\/(\d+))?\/?$/);
  if (match) {
    const tab: ProjectTab = match[2] === "board" ? "board" : match[2] === "animatic" ? "animatic" : match[2] === "library" ? "library" : match[2] === "script" ? "script" : match[2] === "members" ? "members" : "shots";
    return { name: "project", id: Number(match[1]), tab, shot: match[3] ? Number(match[3]) : null };
  }
  return { name: "projects" };
}

/** Follow in-app links without a page load (left clicks without modifier keys only). */
export function linkClick(event: MouseEvent, path: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
