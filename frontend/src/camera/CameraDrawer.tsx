// One shot's camera, in a drawer over the shot list or the storyboard (route …/shots/<id>):
// the spec controls and the top-down plan on top, renders and their history below.
import { useEffect } from "preact/hooks";
import type { Shot } from "../api/types";
import { projectPath, navigate, type ProjectTab } from "../router";
import { useBoard } from "../state/context";
import type { BoardStore } from "../state/store";
import { toast } from "../ui/toasts";
import { PlanView } from "./PlanView";
import { RenderSection } from "./Renders";
import { specOf, type CameraSpec } from "./spec";
import { SpecControls } from "./SpecControls";

export function CameraIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <rect x="1" y="4.5" width="10" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.4" />
      <path d="M11 7.5 L15 5.5 L15 11.5 L11 9.5 Z" fill="currentColor" />
    </svg>
  );
}

/** Open a shot's camera panel over the given tab. */
export function openCamera(store: BoardStore, tab: ProjectTab, shotId: number): void {
  // The search and filters in the URL stay: the list behind the panel is still the one found.
  navigate(`${projectPath(store.projectId, tab, shotId)}${location.search}`);
}

/** Save a hand-edited spec (this locks it: the server stops re-laying it out). */
export async function saveSpec(store: BoardStore, shot: Shot, spec: CameraSpec, extra: Record<string, unknown> = {}): Promise<void> {
  const problems = await store.save("shot", shot.id, { ...extra, camera_spec: spec, spec_locked: true });
  if (problems) toast(`Camera not saved: ${problems.join(" ")}`, "error", 8000);
}

export function CameraDrawer({ shotId, onClose }: { shotId: number; onClose: () => void }) {
  const store = useBoard();
  const shot = store.shot(shotId);

  useEffect(() => {
    void store.loadHistory(shotId);
  }, [shotId]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const origin = event.target as HTMLElement | null;
      if (event.key === "Escape" && !origin?.closest("input, textarea, select, [contenteditable], .cell-editing")) onClose();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [onClose]);

  const scene = store.data?.scenes.find((s) => s.id === shot?.scene);
  return (
    <aside class="camera-drawer" role="complementary" aria-label={shot ? `Camera of shot ${shot.number}` : "Camera"} data-testid="camera-drawer">
      <header class="cam-head">
        {shot && <span class="cam-number" data-testid="camera-shot-number">{shot.number}</span>}
        <div class="cam-title">
          <div class="cam-title-line">
            <h2>Camera</h2>
            {scene && <span class="cam-slug">{scene.number} · {scene.heading}</span>}
          </div>
          {shot && <div class="cam-desc" title={shot.description}>{shot.description || <span class="placeholder">No action written</span>}</div>}
        </div>
        {shot && <LayoutState shot={shot} />}
        <button class="btn btn-ghost btn-icon cam-close" onClick={onClose} title="Close (Esc)" aria-label="Close camera panel" data-testid="camera-close">×</button>
      </header>
      {!shot ? (
        <p class="empty">This shot does not exist any more.</p>
      ) : (
        <div class="cam-body">
          <CameraSetup shot={shot} />
          <RenderSection shot={shot} />
        </div>
      )}
    </aside>
  );
}

/** "Automatic layout" or "Adjusted by hand" with the way back. */
function LayoutState({ shot }: { shot: Shot }) {
  const store = useBoard();
  if (!shot.spec_locked) {
    return <span class="layout-state layout-auto" data-testid="camera-layout-state" title="The camera is placed from the shot list (size, angle, lens, framing, characters) and follows their changes">Automatic layout</span>;
  }
  return (
    <span class="layout-group">
      <span class="layout-state layout-hand" data-testid="camera-layout-state" title="The camera and blocking were adjusted by hand: shot-list changes to size, angle or framing no longer move the camera">Adjusted by hand</span>
      {store.can.edit && (
        <button class="btn btn-small" data-testid="camera-reset" onClick={() => store.save("shot", shot.id, { spec_locked: false })}
          title="Throw away the hand adjustments and lay the camera out again from the shot list">
          Reset to automatic layout
        </button>
      )}
    </span>
  );
}

function CameraSetup({ shot }: { shot: Shot }) {
  const store = useBoard();
  const spec = specOf(shot);
  return (
    <section class="cam-setup">
      <SpecControls shot={shot} spec={spec} />
      <div class="cam-plan">
        {spec ? (
          <PlanView shot={shot} spec={spec} canEdit={store.can.edit && shot.id > 0} onCommit={(next) => void saveSpec(store, shot, next)} />
        ) : (
          <p class="muted pad">The server has not laid out this shot's camera yet.</p>
        )}
      </div>
    </section>
  );
}
