import { useEffect, useMemo } from "preact/hooks";
import type { SessionUser } from "../api/types";
import { Animatic } from "../animatic/Animatic";
import { ExportsButton } from "../board/Exports";
import { Library } from "../board/Library";
import { ScriptImportButton } from "../board/ScriptImport";
import { SyncBanner } from "../board/SyncBanner";
import { focusGrid } from "../board/roving";
import { ShotList } from "../board/ShotList";
import { Storyboard } from "../board/Storyboard";
import { CameraDrawer } from "../camera/CameraDrawer";
import { Members } from "../crew/Members";
import { LinedScript } from "../script/LinedScript";
import { linkClick, navigate, projectPath, type ProjectTab } from "../router";
import { StoreContext, useBoard } from "../state/context";
import { BoardStore } from "../state/store";
import { RoleBadge } from "../ui/fields";
import { Avatars } from "../ui/Presence";
import { ShortcutSheet, SkipLink } from "../ui/Shortcuts";
import { TopBar } from "../ui/TopBar";
import { ASPECT_RATIOS, SENSORS, shortLabel } from "../vocab";

const TABS: { tab: ProjectTab; label: string; key: string }[] = [
  { tab: "shots", label: "Shot list", key: "1" },
  { tab: "board", label: "Storyboard", key: "2" },
  { tab: "library", label: "Library", key: "3" },
  { tab: "script", label: "Script", key: "4" },
  { tab: "members", label: "Crew", key: "5" },
  { tab: "animatic", label: "Animatic", key: "6" },
];

export function ProjectPage({ id, tab, shot, user, onSignOut }: { id: number; tab: ProjectTab; shot: number | null; user: SessionUser; onSignOut: () => void }) {
  const store = useMemo(() => new BoardStore(id, user), [id, user.id]);
  useEffect(() => {
    void store.start();
    return () => store.stop();
  }, [store]);
  return (
    <StoreContext.Provider value={store}>
      <ProjectShell tab={tab} shot={shot} user={user} onSignOut={onSignOut} />
    </StoreContext.Provider>
  );
}

function ProjectShell({ tab, shot, user, onSignOut }: { tab: ProjectTab; shot: number | null; user: SessionUser; onSignOut: () => void }) {
  const store = useBoard();
  const data = store.data;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Ctrl/Cmd+Z undoes this user's last change, Ctrl+Shift+Z / Ctrl+Y redoes; inside a field
      // the browser's own text undo applies instead.
      const origin = event.target as HTMLElement | null;
      const inField = !!origin?.closest("input, textarea, select, [contenteditable]");
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !inField && (key === "z" || key === "y")) {
        event.preventDefault();
        if (key === "y" || event.shiftKey) store.redo();
        else store.undo();
        return;
      }
      // Alt+1/2/3 switch tabs without leaving the keyboard.
      if (!event.altKey) return;
      const target = TABS.find((t) => t.key === event.key);
      if (target && data) {
        event.preventDefault();
        history.pushState(null, "", projectPath(data.project.id, target.tab));
        dispatchEvent(new PopStateEvent("popstate"));
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [data?.project.id]);

  useEffect(() => {
    if (data) document.title = `${data.project.name} — Previs Studio`;
  }, [data?.project.name]);

  return (
    <div class="page project-page">
      <SkipLink label={tab === "shots" ? "Skip to shot list" : `Skip to ${TABS.find((t) => t.tab === tab)?.label.toLowerCase() ?? "content"}`} target={() => skipToContent(tab)} />
      <ShortcutSheet tabs={TABS} />
      <TopBar user={user} onSignOut={onSignOut}>
        {data && (
          <div class="project-head">
            <h1 class="project-title" data-testid="project-title">{data.project.name}</h1>
            <RoleBadge role={data.project.role} />
            <span class="format-tag" title="Project delivery format">
              {data.project.fps} fps · {shortLabel(ASPECT_RATIOS, data.project.aspect_ratio)} · {shortLabel(SENSORS, data.project.sensor)}
            </span>
            <nav class="tabs" role="tablist">
              {TABS.map((t) => (
                <a
                  role="tab"
                  aria-selected={t.tab === tab}
                  class={`tab ${t.tab === tab ? "tab-active" : ""}`}
                  href={tabPath(data.project.id, t.tab)}
                  onClick={(e) => linkClick(e, tabPath(data.project.id, t.tab))}
                  title={`Alt+${t.key}`}
                  data-testid={`tab-${t.tab}`}
                >
                  {t.label}
                </a>
              ))}
            </nav>
            <span class="spacer" />
            {store.can.edit && <ScriptImportButton projectId={data.project.id} />}
            <ExportsButton projectId={data.project.id} canEdit={store.can.edit} />
            <Avatars />
            <LinkIndicator />
          </div>
        )}
      </TopBar>
      {data && <SyncBanner />}
      <main class="project-main" id="content" tabIndex={-1}>
        {store.loadError ? <p class="empty">{store.loadError}</p> : !data ? <p class="muted pad">Loading board…</p> : tab === "shots" ? <ShotList /> : tab === "board" ? <Storyboard /> : tab === "animatic" ? <Animatic /> : tab === "script" ? <LinedScript /> : tab === "members" ? <Members user={user} /> : <Library />}
        {data && shot != null && <CameraDrawer key={shot} shotId={shot} onClose={() => navigate(tabPath(data.project.id, tab))} />}
      </main>
    </div>
  );
}

/** A tab's path; the shot list and the storyboard share the search and filters in the URL. */
function tabPath(projectId: number, tab: ProjectTab): string {
  return `${projectPath(projectId, tab)}${tab === "shots" || tab === "board" ? location.search : ""}`;
}

/** The skip link's target: the shot list's grid (its current cell), else the tab's content. */
function skipToContent(tab: ProjectTab): boolean {
  if (tab === "shots" && focusGrid(document.getElementById("shot-list"))) return true;
  document.getElementById("content")?.focus();
  return true;
}

function LinkIndicator() {
  const store = useBoard();
  const label = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…", signed_out: "signed out", no_access: "no access" }[store.link];
  const unsaved = store.unsaved;
  return (
    <>
      <span class={`link link-${store.link}`} data-testid="connection" data-pending={unsaved} title="Changes by others appear here as they happen">
        <span class="link-dot" />
        {label}
      </span>
      {store.link === "signed_out" && (
        <a class="btn btn-small" data-testid="sign-in-again" href={`/login?next=${encodeURIComponent(location.pathname)}`}>Sign in again</a>
      )}
      {unsaved > 0 && (
        <span class="unsaved" data-testid="unsaved" title="Your changes the server has not confirmed yet; they are sent when the connection is back">
          {unsaved} unsaved
        </span>
      )}
    </>
  );
}
