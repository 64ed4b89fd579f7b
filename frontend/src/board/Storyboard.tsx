// Boards per scene and shot: panels at the shot's delivery aspect ratio, uploads by click or
// drop, drag to reorder, and a blocking render of the shot's camera that can become a panel.
import { useRef, useState } from "preact/hooks";
import type { Asset, Panel, Scene, Shot } from "../api/types";
import { useBoard } from "../state/context";
import type { JobView } from "../state/store";
import { EditCell, numberEditor, textEditor, type SaveOutcome } from "../ui/EditCell";
import { CursorArea } from "../ui/Presence";
import { toast } from "../ui/toasts";
import { ANGLES, aspectValue, ASPECT_RATIOS, CAPABILITIES, MOVES, RENDER_STATUSES, SHOT_SIZES, shortLabel } from "../vocab";
import { CameraIcon, openCamera } from "../camera/CameraDrawer";
import { startSceneReview } from "../review/start";
import { StatusPill } from "./cells";
import { formatDuration } from "./format";
import { printHeading } from "./print";
import { LockedButton } from "../ui/roles";
import { FindBar, useFound, useShotFilter } from "./Finding";

const PANEL_MIME = "application/x-previs-panel";
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

export function Storyboard() {
  const store = useBoard();
  const data = store.data!;
  const panels = data.scenes.reduce((n, s) => n + s.shots.reduce((m, shot) => m + shot.panels.length, 0), 0);
  const seconds = data.scenes.reduce((t, s) => t + s.shots.reduce((u, shot) => u + shot.panels.reduce((v, p) => v + p.duration_s, 0), 0), 0);
  // The shot list's search and filters, from the same URL: the boards of the shots found.
  const [filter, setFilter] = useShotFilter();
  const found = useFound(data, filter);
  return (
    <div class="storyboard">
      <div class="toolbar">
        <span class="stat"><b>{panels}</b> panels</span>
        <span class="stat" title="Sum of panel durations: the animatic's running time">animatic <b>{formatDuration(seconds)}</b></span>
        <span class="spacer" />
        <span class="hint">Click a frame or drop a PNG/JPEG/WebP on it to upload · drag panels to reorder</span>
      </div>
      <FindBar data={data} filter={filter} onChange={setFilter} found={found} />
      <CursorArea>
        {found.scenes.map(({ scene, shots }) => <SceneBoards key={scene.id} scene={scene} shots={shots} />)}
        {data.scenes.length === 0 && <p class="empty">No scenes yet: add them on the shot list.</p>}
      </CursorArea>
    </div>
  );
}

function SceneBoards({ scene, shots }: { scene: Scene; shots: Shot[] }) {
  const store = useBoard();
  const canReview = !!store.data?.project.allowed.includes("share") && scene.id > 0 && scene.shots.length > 0;
  return (
    <section class="board-scene" data-testid={`board-scene-${scene.id}`}>
      {store.data && <div class="print-head">{printHeading(store.data.project.name, "Storyboards")}</div>}
      <h2 class="board-scene-head"><span class="scene-number">{scene.number}</span> {scene.heading}
        {scene.synopsis && <span class="board-synopsis">{scene.synopsis}</span>}
        {canReview && (
          <button class="btn btn-small board-review" onClick={() => startSceneReview(store.projectId, scene.id)} data-testid={`board-scene-${scene.id}-review`}
            title="Review these boards live with the crew or a client">
            Review
          </button>
        )}
        {!canReview && scene.id > 0 && scene.shots.length > 0 && (
          <LockedButton action="share" role={store.data?.project.role} class="btn btn-small board-review" testid={`board-scene-${scene.id}-review-locked`}>Review</LockedButton>
        )}</h2>
      {shots.map((shot) => <ShotBoards key={shot.id} shot={shot} />)}
      {scene.shots.length === 0 && <p class="muted pad">No shots in this scene.</p>}
    </section>
  );
}

function ShotBoards({ shot }: { shot: Shot }) {
  const store = useBoard();
  const job = store.jobs.get(shot.id);
  const ratio = aspectValue(shot.aspect_ratio);
  const [dropEnd, setDropEnd] = useState(false);

  const dropPanelAtEnd = (event: DragEvent) => {
    setDropEnd(false);
    const id = Number(event.dataTransfer?.getData(PANEL_MIME));
    const panel = id ? store.panel(id) : undefined;
    if (!panel) return;
    event.preventDefault();
    const last = shot.panels.filter((p) => p.id !== panel.id).at(-1);
    void store.movePanel(panel, last?.id ?? null, shot.id);
  };

  return (
    <div class="board-shot" data-testid={`board-shot-${shot.id}`}>
      <aside class="board-shot-info">
        <div class="board-shot-number">{shot.number}</div>
        <div class="board-shot-spec">
          <span title={SHOT_SIZES[shot.shot_size][1]}>{shortLabel(SHOT_SIZES, shot.shot_size)}</span>
          <span>{shot.lens_mm}mm</span>
          <span>{shortLabel(ANGLES, shot.angle)}</span>
          <span>{shortLabel(MOVES, shot.movement)}</span>
          <span>{shortLabel(ASPECT_RATIOS, shot.aspect_ratio)}</span>
        </div>
        <div class="board-shot-meta"><StatusPill status={shot.status} /> <span class="muted">{shot.duration_s}s planned</span></div>
        {shot.id > 0 && (
          <button class="btn btn-small cam-open-board" onClick={() => openCamera(store, "board", shot.id)} data-testid={`board-shot-${shot.id}-camera`}
            title="Lens, height, blocking on the plan, renders and clips of this shot">
            <CameraIcon /> Camera
          </button>
        )}
        <RenderBox shot={shot} job={job} />
      </aside>
      <div class="panels">
        {shot.panels.map((panel, index) => (
          <PanelCard key={panel.id} panel={panel} shot={shot} index={index} ratio={ratio} />
        ))}
        {store.can.edit && (
          <button
            class={`panel-add ${dropEnd ? "drop-into" : ""}`}
            style={{ "--ratio": String(ratio) }}
            data-testid={`shot-${shot.id}-add-panel`}
            onClick={() => store.createPanel(shot)}
            onDragOver={(e) => {
              if (e.dataTransfer?.types.includes(PANEL_MIME)) {
                e.preventDefault();
                setDropEnd(true);
              }
            }}
            onDragLeave={() => setDropEnd(false)}
            onDrop={dropPanelAtEnd}
          >
            <span>+ Panel</span>
          </button>
        )}
      </div>
    </div>
  );
}

function RenderBox({ shot, job }: { shot: Shot; job: JobView | undefined }) {
  const store = useBoard();
  const active = job && (job.status === "queued" || job.status === "running");
  const frame: Asset | undefined = job?.status === "succeeded" ? job.outputs?.find((o) => o.kind === "frame") : undefined;
  return (
    <div class="render-box">
      {store.can.render && (
        <button class="btn btn-small" disabled={!!active} onClick={() => store.renderFrame(shot)} data-testid={`shot-${shot.id}-render`}
          title="Grey-box frame of this shot's camera (lens, sensor, size, angle)">
          {active ? "Rendering…" : "Render frame"}
        </button>
      )}
      {!store.can.render && (
        <LockedButton action="render" role={store.data?.project.role} testid={`shot-${shot.id}-render-locked`}>Render frame</LockedButton>
      )}
      {store.can.render && !active && (
        <button class="btn btn-ghost btn-tiny" onClick={() => store.renderFrame(shot, "diffusion")} data-testid={`shot-${shot.id}-render-styled`}
          disabled={!CAPABILITIES.styled_renders} title={CAPABILITIES.styled_renders_reason ?? "Styled frame from the project's look, keeping this shot's framing"}>
          Styled frame
        </button>
      )}
      {job && (
        <div class={`render-state render-${job.status}`}>
          <div class="progress" role="progressbar" aria-label={`Render of shot ${shot.number}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((job.status === "succeeded" ? 1 : job.progress) * 100)} data-testid={`shot-${shot.id}-progress`}>
            <div class="progress-bar" style={{ width: `${Math.round((job.status === "succeeded" ? 1 : job.progress) * 100)}%` }} />
          </div>
          <span class="render-label" data-testid={`shot-${shot.id}-render-status`}>
            {RENDER_STATUSES[job.status]}{active ? ` ${Math.round(job.progress * 100)}%` : ""}
          </span>
          {active && store.can.render && <button class="btn btn-ghost btn-tiny" onClick={() => store.cancelJob(job)}>Cancel</button>}
          {job.status === "failed" && job.error && <div class="render-error">{job.error}</div>}
        </div>
      )}
      {frame && (
        <div class="render-result">
          <img src={frame.url} alt={`Rendered frame of shot ${shot.number}`} style={{ aspectRatio: String(aspectValue(shot.aspect_ratio)) }} data-testid={`shot-${shot.id}-frame`} />
          {store.can.edit && (
            <button class="btn btn-small btn-primary" onClick={() => store.useFrame(shot, frame)} data-testid={`shot-${shot.id}-use-frame`}>
              Use as panel image
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function PanelCard({ panel, shot, index, ratio }: { panel: Panel; shot: Shot; index: number; ratio: number }) {
  const store = useBoard();
  const canEdit = store.can.edit;
  const file = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState<"" | "file" | "before" | "after">("");
  const [uploading, setUploading] = useState(false);

  const upload = async (files: FileList | null | undefined) => {
    const picked = files?.[0];
    if (!picked) return;
    if (!IMAGE_TYPES.includes(picked.type)) {
      toast(`${picked.name} is not a PNG, JPEG or WebP image.`, "error");
      return;
    }
    setUploading(true);
    await store.uploadPanelImage(panel, picked);
    setUploading(false);
  };

  const save = <K extends "caption" | "duration_s">(field: K) => (value: Panel[K]): Promise<SaveOutcome> => store.save("panel", panel.id, { [field]: value });
  const canEditCell = canEdit && panel.id > 0;

  return (
    <figure
      class={`panel ${over ? `drop-${over}` : ""}`}
      data-testid={`panel-${panel.id}`}
      draggable={canEdit}
      onDragStart={(e) => {
        if ((e.target as HTMLElement).closest("input, textarea")) return e.preventDefault();
        e.dataTransfer?.setData(PANEL_MIME, String(panel.id));
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      }}
      onDragOver={(e) => {
        const types = e.dataTransfer?.types ?? [];
        if (!canEdit || !(types.includes("Files") || types.includes(PANEL_MIME))) return;
        e.preventDefault();
        if (types.includes("Files")) return setOver("file");
        const box = e.currentTarget.getBoundingClientRect();
        setOver(e.clientX < box.left + box.width / 2 ? "before" : "after");
      }}
      onDragLeave={() => setOver("")}
      onDrop={(e) => {
        const where = over;
        setOver("");
        if (!canEdit) return;
        e.preventDefault();
        if (e.dataTransfer?.files.length) return void upload(e.dataTransfer.files);
        const moving = store.panel(Number(e.dataTransfer?.getData(PANEL_MIME)));
        if (!moving || moving.id === panel.id) return;
        const siblings = shot.panels.filter((p) => p.id !== moving.id);
        const at = siblings.findIndex((p) => p.id === panel.id);
        const after = where === "before" ? (at > 0 ? siblings[at - 1].id : null) : panel.id;
        void store.movePanel(moving, after, shot.id);
      }}
    >
      <div
        class={`frame ${panel.image_url ? "" : "frame-empty"} ${uploading ? "frame-busy" : ""}`}
        style={{ aspectRatio: String(ratio) }}
        onClick={() => canEdit && file.current?.click()}
        title={canEdit ? "Click or drop an image to replace" : undefined}
        data-testid={`panel-${panel.id}-frame`}
      >
        {panel.image_url ? (
          <img src={panel.image_url} alt={`Panel ${index + 1} of shot ${shot.number}`} data-testid={`panel-${panel.id}-image`} draggable={false} />
        ) : (
          <span class="frame-hint">{canEdit ? "Drop image or click to upload" : "No image"}</span>
        )}
        <span class="frame-tag">{shot.number}·{index + 1}</span>
        {uploading && <span class="frame-busy-label">Uploading…</span>}
        {canEdit && (
          <input ref={file} type="file" accept={IMAGE_TYPES.join(",")} hidden data-testid={`panel-${panel.id}-file`}
            onChange={(e) => { void upload(e.currentTarget.files); e.currentTarget.value = ""; }} />
        )}
      </div>
      <figcaption>
        <EditCell as="div" class="panel-caption" testid={`panel-${panel.id}-caption`} value={panel.caption} canEdit={canEditCell} multiline
          focus={{ entity: "panel", id: panel.id, field: "caption" }}
          display={panel.caption || <span class="placeholder">Caption</span>} save={save("caption")} editor={textEditor(2)} />
        <div class="panel-foot">
          <EditCell as="span" class="panel-duration num" testid={`panel-${panel.id}-duration_s`} value={panel.duration_s} canEdit={canEditCell}
            focus={{ entity: "panel", id: panel.id, field: "duration_s" }}
            display={`${panel.duration_s}s`} save={save("duration_s")} editor={numberEditor(0.1)} title="Panel duration in the animatic (seconds)" />
          {canEdit && (
            <button class="btn btn-ghost btn-icon danger" title="Delete panel" data-testid={`panel-${panel.id}-delete`}
              onClick={() => confirm(`Delete panel ${index + 1} of shot ${shot.number}?`) && store.remove("panel", panel)}>×</button>
          )}
        </div>
      </figcaption>
    </figure>
  );
}
