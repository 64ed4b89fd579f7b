// The shot list a 1st AD works from: scenes with their sluglines, shots with the columns of a
// StudioBinder-style sheet, edited in place, reordered by dragging (or Alt+↑/↓).
import { Component, type TargetedKeyboardEvent } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Character, Scene, SceneSetting, Shot, ShotPatch, TimeOfDay } from "../api/types";
import { useBoard, useStore } from "../state/context";
import type { BoardStore, JobView } from "../state/store";
import { EditCell, focusSibling, lineEditor, numberEditor, selectEditor, textEditor, type SaveOutcome } from "../ui/EditCell";
import { ANGLES, FRAME_RATES, FRAMINGS, MOVES, optionsOf, PRIME_LENSES_MM, RIGS, SETTINGS, SHOT_SIZES, shortLabel, STATUSES, TIMES_OF_DAY } from "../vocab";
import { CameraIcon, openCamera } from "../camera/CameraDrawer";
import { parseRoute, usePath } from "../router";
import { startSceneReview } from "../review/start";
import { CharacterChips, charactersEditor, sameIds, StatusPill } from "./cells";
import { ApprovalBadge } from "./ApprovalBadge";
import { LockedButton } from "../ui/roles";
import { CoverageButton } from "./Coverage";
import { columnLayoutCss, type ColumnLayout } from "./columns";
import { formatDuration } from "./format";
import { printHeading } from "./print";
import { ScriptLinesLink } from "../script/ScriptLinesLink";
import { FindBar, FoldButton, ThumbCell, useFoldedScenes, useFound, useShotFilter } from "./Finding";
import { useRovingCells } from "./roving";
import { NO_FILTER } from "./filters";
import { shotPicture, type ShotPicture } from "./thumbnail";
import { CODED, codeEditor, duplicateKey, typeIntoCodedCell, SceneOrderButtons, SelectBox, SelectionBar, ShotCopyButtons, SluglineCell, usePasteRows } from "./FastEntry";

const SHOT_MIME = "application/x-previs-shot";

// Priorities (columns.ts): on a tablet (1024 px) the AD keeps shot, action, cast, size, angle, move,
// lens, duration, props, notes and status; framing, FPS, rig, dialogue and the frame thumbnail give way first. On a
// phone every shot is a card with all its fields (its thumbnail beside its number).
const COLUMNS: (ColumnLayout & { title?: string })[] = [
  { key: "grip", label: "", width: 20, card: "none" },
  { key: "number", label: "Shot", width: 54, tablet: 48, card: "title" },
  { key: "thumb", label: "Frame", width: 76, hideAt: 1100, card: "head", title: "The shot's board: its chosen panel image, else its latest frame render" },
  { key: "description", label: "Description / Action", width: 0, card: "text" },
  { key: "dialogue", label: "Dialogue", width: 160, hideAt: 1360, card: "text", cardLabel: "Dialogue" },
  { key: "characters", label: "Characters", width: 106, tablet: 104, hideAt: 920, card: "text", cardLabel: "Cast" },
  { key: "shot_size", label: "Size", width: 54, card: "code", cardLabel: "Size" },
  { key: "framing", label: "Framing", width: 74, hideAt: 1500, card: "code", cardLabel: "Framing" },
  { key: "angle", label: "Angle", width: 78, tablet: 74, card: "code", cardLabel: "Angle" },
  { key: "movement", label: "Move", width: 78, tablet: 74, card: "code", cardLabel: "Move" },
  { key: "rig", label: "Rig", width: 88, hideAt: 1360, card: "code", cardLabel: "Rig" },
  { key: "lens_mm", label: "Lens", width: 70, tablet: 60, title: "Focal length (mm)", card: "code", cardLabel: "Lens" },
  { key: "fps", label: "FPS", width: 54, hideAt: 1500, card: "code", cardLabel: "FPS" },
  { key: "duration_s", label: "Dur.", width: 52, hideAt: 920, title: "Planned duration (seconds)", card: "code", cardLabel: "Dur." },
  { key: "props", label: "Props", width: 96, tablet: 90, hideAt: 920, card: "text", cardLabel: "Props" },
  { key: "notes", label: "Notes", width: 112, tablet: 90, hideAt: 920, card: "text", cardLabel: "Notes" },
  { key: "status", label: "Status", width: 94, tablet: 84, card: "head" },
  { key: "actions", label: "", width: 54, tablet: 52, card: "head" },
];
// Written once: the rules follow the columns above (see columns.ts).
const COLUMN_LAYOUT = <style>{columnLayoutCss(COLUMNS)}</style>;

export function ShotList() {
  const store = useBoard();
  const data = store.data!;
  const shots = data.scenes.reduce((n, s) => n + s.shots.length, 0);
  const seconds = data.scenes.reduce((t, s) => t + s.shots.reduce((u, shot) => u + shot.duration_s, 0), 0);
  const route = parseRoute(usePath());
  const openShot = route.name === "project" ? route.shot : null; // the shot whose camera panel is open
  const shown = useRowsShown(shots);
  const locks = rowLocks(store);
  const [filter, setFilter] = useShotFilter();
  const found = useFound(data, filter);
  const [folded, toggleFold] = useFoldedScenes(data.project.id);
  const grid = useRef<HTMLTableElement>(null);
  useRovingCells(grid);
  usePasteRows(grid, store);
  let budget = shown; // rows left to render in this pass (scenes past it render their heads only)

  return (
    <div class="shotlist">
      <div class="toolbar">
        <span class="stat"><b>{data.scenes.length}</b> scenes</span>
        <span class="stat"><b>{shots}</b> shots</span>
        <span class="stat" title="Sum of planned shot durations">planned <b>{formatDuration(seconds)}</b></span>
        <span class="spacer" />
        <span class="hint">Click or Enter to edit · Tab next cell · Esc cancels · Alt+↑/↓ moves a shot · Ctrl+D duplicates · C opens the camera (on a size, framing, angle, move or rig cell it types) · ? all keys</span>
        {store.can.edit && <button class="btn btn-primary btn-small" onClick={() => store.createScene()} data-testid="add-scene">+ Scene</button>}
      </div>
      <FindBar data={data} filter={filter} onChange={setFilter} found={found} />
      <SelectionBar store={store} />
      <div class="table-scroll">
        {COLUMN_LAYOUT}
        <table ref={grid} id="shot-list" aria-label="Shot list" class="grid shots-table" onKeyDown={(e) => navigateCells(e, store)}>
          <colgroup>{COLUMNS.map((c) => <col key={c.key} style={c.width ? { width: `${c.width}px` } : undefined} />)}</colgroup>
          <thead>
            <tr class="print-head" data-testid="print-head"><th colSpan={COLUMNS.length}>{printHeading(data.project.name, "Shot list")}</th></tr>
            <tr>{COLUMNS.map((c) => <th key={c.key} title={c.title} class={`col-${c.key}`} data-field={c.key}>{c.label}</th>)}</tr>
          </thead>
          {found.scenes.map(({ scene, shots: shownShots }) => {
            const isFolded = folded.has(scene.id);
            const rows = isFolded ? 0 : Math.min(shownShots.length, Math.max(budget, 0));
            budget -= rows;
            return <SceneBlock key={scene.id} scene={scene} shots={shownShots} openShot={openShot} rows={rows} locks={locks} folded={isFolded} onFold={() => toggleFold(scene.id)} />;
          })}
        </table>
        {PRIME_DATALIST}
        {data.scenes.length > 0 && found.scenes.length === 0 && <p class="empty" data-testid="find-nothing">No shots match. <button class="btn btn-ghost btn-small" onClick={() => setFilter(NO_FILTER)}>Clear the search and filters</button></p>}
        {data.scenes.length === 0 && <p class="empty">No scenes yet. {store.can.edit ? "Add the first with “+ Scene”." : ""}</p>}
      </div>
    </div>
  );
}

// A big board paints its first screenful at once and the rest in chunks on the next frames, so
// the crew sees rows in a fraction of the time all 500 take; every row ends up in the DOM
// (keyboard navigation, find in page and the browser's own scrolling work as on a small board).
const FIRST_ROWS = 40;
const ROWS_PER_FRAME = 60;

function useRowsShown(total: number): number {
  const [shown, setShown] = useState(FIRST_ROWS);
  const complete = useRef(false);
  if (shown >= total || document.hidden) complete.current = true; // later rows (a new shot) show at once
  useEffect(() => {
    // Printing takes every row, even while a big board is still being painted in.
    const everyRow = () => setShown(Number.POSITIVE_INFINITY);
    const print = matchMedia("print");
    addEventListener("beforeprint", everyRow);
    print.addEventListener("change", everyRow);
    return () => {
      removeEventListener("beforeprint", everyRow);
      print.removeEventListener("change", everyRow);
    };
  }, []);
  useEffect(() => {
    if (complete.current) return;
    let timer = 0;
    // After the frame that painted the last chunk, not before it (a timeout alone can run first).
    const frame = requestAnimationFrame(() => (timer = window.setTimeout(() => setShown((n) => n + ROWS_PER_FRAME))));
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [shown, total]);
  return complete.current ? Number.POSITIVE_INFINITY : shown;
}

/** Who else is editing which cell, per shot, as a key that changes only when that shot's locks do. */
function rowLocks(store: BoardStore): Map<number, string> {
  const locks = new Map<number, string>();
  for (const m of store.members) {
    if (m.session === store.session || m.focus?.entity !== "shot") continue;
    locks.set(m.focus.id, `${locks.get(m.focus.id) ?? ""}${m.focus.field}:${m.name}:${m.colour};`);
  }
  return locks;
}

/** Arrow keys move between cells; Alt+↑/↓ moves the focused shot. */
function navigateCells(event: TargetedKeyboardEvent<HTMLTableElement>, store: BoardStore) {
  const cell = event.target as HTMLElement;
  if (!cell.hasAttribute("data-cell")) return;
  const row = cell.closest("tr");
  if (!row) return;
  // A coded cell takes typed letters (its type-ahead), C too; elsewhere C opens the camera.
  if (row.dataset.shot && (duplicateKey(event, store, Number(row.dataset.shot)) || typeIntoCodedCell(event, cell))) return;
  if ((event.key === "c" || event.key === "C") && !event.altKey && !event.ctrlKey && !event.metaKey && row.dataset.shot && Number(row.dataset.shot) > 0) {
    event.preventDefault();
    openCamera(store, "shots", Number(row.dataset.shot));
    return;
  }
  if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    const id = Number(row.dataset.shot);
    const shot = store.shot(id);
    const scene = store.data?.scenes.find((s) => s.id === shot?.scene);
    if (!shot || !scene || !store.can.edit) return;
    event.preventDefault();
    const index = scene.shots.findIndex((s) => s.id === id);
    const target = event.key === "ArrowUp" ? index - 2 : index + 1;
    if (target < -1 || target >= scene.shots.length) return;
    const testid = cell.dataset.testid;
    void store.moveShot(shot, target === -1 ? null : scene.shots[target].id, scene.id).then(() =>
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`)?.focus()),
    );
    return;
  }
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    event.preventDefault();
    focusSibling(cell, event.key === "ArrowLeft");
  } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
    event.preventDefault();
    const rows = Array.from(row.closest("table")!.querySelectorAll<HTMLTableRowElement>("tr.shot-row"));
    const next = rows[rows.indexOf(row as HTMLTableRowElement) + (event.key === "ArrowUp" ? -1 : 1)];
    next?.cells[(cell as HTMLTableCellElement).cellIndex]?.focus();
  }
}

// --- Scenes ----------------------------------------------------------------------------------

/** Drop a dragged shot after `afterId` (null: first) in the scene. */
function dropShot(store: BoardStore, event: DragEvent, afterId: number | null, sceneId: number) {
  const id = Number(event.dataTransfer?.getData(SHOT_MIME));
  const shot = id ? store.shot(id) : undefined;
  if (!shot || shot.id === afterId) return;
  event.preventDefault();
  void store.moveShot(shot, afterId, sceneId);
}

function SceneBlock({ scene, shots, openShot, rows, locks, folded, onFold }: { scene: Scene; shots: Shot[]; openShot: number | null; rows: number; locks: Map<number, string>; folded: boolean; onFold: () => void }) {
  const store = useStore(); // ShotList re-renders every scene on a change
  const canEdit = store.can.edit;
  const [dropping, setDropping] = useState(false);
  const seconds = scene.shots.reduce((t, s) => t + s.duration_s, 0);

  const saveScene = <K extends keyof Scene & string>(field: K) => (value: Scene[K]): Promise<SaveOutcome> => store.save("scene", scene.id, { [field]: value });
  const canEditScene = canEdit && scene.id > 0; // an optimistic new scene is editable once the server has it

  const dropIntoScene = (event: DragEvent, afterId: number | null) => {
    setDropping(false);
    dropShot(store, event, afterId, scene.id);
  };
  const acceptShot = (event: DragEvent) => {
    if (event.dataTransfer?.types.includes(SHOT_MIME)) {
      event.preventDefault();
      setDropping(true);
    }
  };

  return (
    <tbody class="scene" data-testid={`scene-${scene.id}`}>
      <tr class={`scene-row ${dropping ? "drop-into" : ""}`} onDragOver={acceptShot} onDragLeave={() => setDropping(false)} onDrop={(e) => dropIntoScene(e, null)}>
        <td colSpan={COLUMNS.length}>
          <div class="scene-head">
            <FoldButton sceneId={scene.id} sceneNumber={scene.number} folded={folded} onToggle={onFold} />
            <EditCell as="span" class="scene-number" testid={`scene-${scene.id}-number`} value={scene.number} canEdit={canEditScene} focus={{ entity: "scene", id: scene.id, field: "number" }}
              display={scene.number} save={saveScene("number")} editor={lineEditor("12")} title="Scene number" />
            <span class="slugline" data-testid={`scene-${scene.id}-heading`}>
              <SlugSelect label="Interior / exterior" testid={`scene-${scene.id}-setting`} value={scene.setting} canEdit={canEdit}
                options={optionsOf<SceneSetting>(SETTINGS)} onChange={(v) => saveScene("setting")(v)} />
              <SlugSelect label="Location" testid={`scene-${scene.id}-location`} value={String(scene.location ?? "")} canEdit={canEdit}
                options={[{ value: "", label: "UNKNOWN" }, ...store.data!.locations.map((l) => ({ value: String(l.id), label: l.name.toUpperCase() }))]}
                onChange={(v) => saveScene("location")(v ? Number(v) : null)} />
              <span class="slug-dash">-</span>
              <SlugSelect label="Time of day" testid={`scene-${scene.id}-time_of_day`} value={scene.time_of_day} canEdit={canEdit}
                options={optionsOf<TimeOfDay>(TIMES_OF_DAY)} onChange={(v) => saveScene("time_of_day")(v)} />
            </span>
            <SluglineCell scene={scene} canEdit={canEdit} />
            <SceneOrderButtons scene={scene} />
            <span class="scene-meta">{scene.page_eighths > 0 && <>{formatEighths(scene.page_eighths)} pg · </>}{scene.shots.length} shots · {formatDuration(seconds)}</span>
            {scene.omitted && <span class="scene-flag scene-omitted" data-testid={`scene-${scene.id}-omitted`} title="The latest draft dropped this scene; its shots are kept">OMITTED</span>}
            {scene.script_changed && (
              <details class="scene-flag scene-changed" data-testid={`scene-${scene.id}-script-changed`}>
                <summary title="The latest draft changed this scene's text; its shots are kept">script changed</summary>
                <pre>{scene.script_diff}</pre>
              </details>
            )}
            {scene.id > 0 && !scene.omitted && <CoverageButton sceneId={scene.id} sceneNumber={scene.number} shotCount={scene.shots.length} canEdit={canEdit} />}
            {store.data!.project.allowed.includes("share") && scene.id > 0 && scene.shots.length > 0 && (
              <button class="btn btn-ghost btn-tiny" title={`Review scene ${scene.number}'s boards live with the crew or a client`} data-testid={`scene-${scene.id}-review`}
                onClick={() => startSceneReview(store.projectId, scene.id)}>
                Review
              </button>
            )}
            {!store.data!.project.allowed.includes("share") && scene.id > 0 && scene.shots.length > 0 && (
              <LockedButton action="share" role={store.data!.project.role} class="btn btn-ghost btn-tiny" testid={`scene-${scene.id}-review-locked`}>Review</LockedButton>
            )}
            {canEdit && (
              <button class="btn btn-ghost btn-tiny danger" title={`Delete scene ${scene.number} and its shots`} data-testid={`scene-${scene.id}-delete`}
                onClick={() => confirm(`Delete scene ${scene.number} (${scene.heading}) and its ${scene.shots.length} shots?`) && store.remove("scene", scene)}>
                Delete scene
              </button>
            )}
          </div>
          <EditCell as="div" class="scene-synopsis" testid={`scene-${scene.id}-synopsis`} value={scene.synopsis} canEdit={canEditScene} multiline
            focus={{ entity: "scene", id: scene.id, field: "synopsis" }}
            display={scene.synopsis || <span class="placeholder">Synopsis — what happens in this scene</span>} save={saveScene("synopsis")} editor={textEditor(2)} />
        </td>
      </tr>
      {shots.slice(0, rows).map((shot) => (
        <ShotRow key={shot.id} shot={shot} previous={previousShot(scene, shot)} open={shot.id === openShot} picture={pictureOf(store, shot)}
          sceneId={scene.id} canEdit={canEdit} characters={store.data!.characters} job={store.jobs.get(shot.id)} locks={locks.get(shot.id) ?? ""} />
      ))}
      {!folded && <tr class="add-row" onDragOver={acceptShot} onDrop={(e) => dropIntoScene(e, scene.shots.at(-1)?.id ?? null)}>
        <td colSpan={COLUMNS.length}>
          {canEdit ? (
            <button class="btn btn-ghost btn-small" data-testid={`scene-${scene.id}-add-shot`}
              onClick={async () => {
                const id = await store.createShot(scene.id);
                if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="shot-${id}-description"]`)?.click());
              }}>
              + Shot in scene {scene.number}
            </button>
          ) : scene.shots.length === 0 ? <span class="placeholder">No shots</span> : null}
        </td>
      </tr>}
    </tbody>
  );
}

/** The shot before this one in its scene (a filter may hide it; a drop "before" still means here). */
function previousShot(scene: Scene, shot: Shot): number | null {
  const index = scene.shots.indexOf(shot);
  return index > 0 ? scene.shots[index - 1].id : null;
}

/** The shot's picture, as one value that changes only when the picture does (ShotRow is memoised). */
const pictures = new Map<string, ShotPicture>();
function pictureOf(store: BoardStore, shot: Shot): ShotPicture | null {
  const picture = shotPicture(shot, store.latestFrame(shot.id));
  if (!picture) return null;
  const key = `${picture.from}:${picture.url}`;
  const known = pictures.get(key);
  if (known) return known;
  pictures.set(key, picture);
  return picture;
}

/** A page count as ADs write it: 2 3/8, 7/8, 1. */
function formatEighths(eighths: number): string {
  const pages = Math.floor(eighths / 8), rest = eighths % 8;
  return rest ? (pages ? `${pages} ${rest}/8` : `${rest}/8`) : String(pages);
}

function SlugSelect<K extends string>({ label, testid, value, options, canEdit, onChange }: { label: string; testid: string; value: K; options: { value: K; label: string }[]; canEdit: boolean; onChange: (value: K) => void }) {
  const current = options.find((o) => o.value === value)?.label ?? value;
  if (!canEdit) return <span class="slug-part" data-testid={testid}>{current}</span>;
  return (
    <span class="slug-part slug-edit" title={label}>
      {current}
      <select class="slug-select" aria-label={label} data-testid={testid} value={value} onChange={(e) => onChange(e.currentTarget.value as K)}>
        {options.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
    </span>
  );
}

// --- Shots -----------------------------------------------------------------------------------

interface ShotRowProps {
  shot: Shot;
  previous: number | null;
  open: boolean;
  sceneId: number;
  canEdit: boolean;
  characters: Character[];
  job: JobView | undefined;
  /** The shot's board picture (thumbnail.ts). */
  picture: ShotPicture | null;
  /** Who else is editing this row's cells (rowLocks): the row re-renders when that changes. */
  locks: string;
}

// Memoised on its props (the store replaces a shot's object when it changes): a change to one
// shot, a presence message or a render's progress re-renders that row, not all 500. A class, not
// preact/compat's memo: compat would also hook the creation of every element in the app.
class ShotRow extends Component<ShotRowProps> {
  shouldComponentUpdate(next: ShotRowProps): boolean {
    return (Object.keys(next) as (keyof ShotRowProps)[]).some((key) => next[key] !== this.props[key]);
  }

  render(props: ShotRowProps) {
    return <ShotRowCells {...props} />;
  }
}

function ShotRowCells({ shot, previous, open, sceneId, canEdit, characters, job, picture }: ShotRowProps) {
  const store = useStore();
  const [armed, setArmed] = useState(false);
  const [drop, setDrop] = useState<"" | "before" | "after">("");

  const save = <K extends keyof ShotPatch & string>(field: K) => (value: ShotPatch[K]): Promise<SaveOutcome> => store.save("shot", shot.id, { [field]: value });
  const id = (field: string) => `shot-${shot.id}-${field}`;
  // An optimistic new shot (negative id) becomes editable once the server has it.
  const cell = { canEdit: canEdit && shot.id > 0 };
  const at = (field: keyof ShotPatch & string) => ({ testid: id(field), focus: { entity: "shot" as const, id: shot.id, field } });

  return (
    <tr
      class={`shot-row ${drop ? `drop-${drop}` : ""} ${armed ? "dragging" : ""} ${open ? "row-camera" : ""}`}
      data-shot={shot.id}
      data-testid={`shot-${shot.id}`}
      draggable={armed}
      onDragStart={(e) => {
        e.dataTransfer?.setData(SHOT_MIME, String(shot.id));
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      }}
      onDragEnd={() => setArmed(false)}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes(SHOT_MIME)) return;
        e.preventDefault();
        const box = e.currentTarget.getBoundingClientRect();
        setDrop(e.clientY < box.top + box.height / 2 ? "before" : "after");
      }}
      onDragLeave={() => setDrop("")}
      onDrop={(e) => {
        const where = drop;
        setDrop("");
        dropShot(store, e, where === "before" ? previous : shot.id, sceneId);
      }}
    >
      <td class="grip" title={canEdit ? "Drag to reorder (or Alt+↑/↓)" : undefined} onPointerDown={() => canEdit && setArmed(true)} onPointerUp={() => setArmed(false)}>
        {canEdit ? "⋮⋮" : ""}
      </td>
      <EditCell {...cell} {...at("number")} class="shot-number" value={shot.number} display={shot.number} save={save("number")} editor={lineEditor("12A")} />
      <ThumbCell shotId={shot.id} shotNumber={shot.number} picture={picture} />
      <EditCell {...cell} {...at("description")} class="text-cell" multiline value={shot.description}
        display={<>
          {shot.description || <span class="placeholder">Action…</span>}
          {job && (job.status === "queued" || job.status === "running") && <span class="row-progress" style={{ width: `${Math.round(job.progress * 100)}%` }} />}
        </>}
        save={save("description")} editor={textEditor(3)} />
      <EditCell {...cell} {...at("dialogue")} class="text-cell dialogue" multiline value={shot.dialogue} display={shot.dialogue || <span class="placeholder">—</span>} save={save("dialogue")} editor={textEditor(3)} />
      <EditCell {...cell} {...at("characters")} class="chips-cell" value={shot.characters} equals={sameIds}
        display={<CharacterChips ids={shot.characters} characters={characters} />} save={save("characters")} editor={charactersEditor(characters)} />
      <EditCell {...cell} {...at("shot_size")} class="code" value={shot.shot_size} title={SHOT_SIZES[shot.shot_size][1]}
        display={shortLabel(SHOT_SIZES, shot.shot_size)} save={save("shot_size")} editor={codeEditor(CODED.shot_size)} />
      <EditCell {...cell} {...at("framing")} value={shot.framing} title={FRAMINGS[shot.framing][1]}
        display={shortLabel(FRAMINGS, shot.framing)} save={save("framing")} editor={codeEditor(CODED.framing)} />
      <EditCell {...cell} {...at("angle")} value={shot.angle} title={ANGLES[shot.angle][1]}
        display={shortLabel(ANGLES, shot.angle)} save={save("angle")} editor={codeEditor(CODED.angle)} />
      <EditCell {...cell} {...at("movement")} value={shot.movement} title={MOVES[shot.movement][1]}
        display={shortLabel(MOVES, shot.movement)} save={save("movement")} editor={codeEditor(CODED.movement)} />
      <EditCell {...cell} {...at("rig")} value={shot.rig} title={RIGS[shot.rig][1]}
        display={shortLabel(RIGS, shot.rig)} save={save("rig")} editor={codeEditor(CODED.rig)} />
      <EditCell {...cell} {...at("lens_mm")} class="num" value={shot.lens_mm} display={`${formatNumber(shot.lens_mm)}mm`}
        save={save("lens_mm")} editor={numberEditor(1, "prime-lenses")} title="Focal length; primes are offered" />
      <EditCell {...cell} {...at("fps")} class="num" value={shot.fps} display={shot.fps}
        save={save("fps")} editor={selectEditor(Object.keys(FRAME_RATES).map((v) => ({ value: v as Shot["fps"], label: `${v} fps` })))} />
      <EditCell {...cell} {...at("duration_s")} class="num" value={shot.duration_s} display={`${formatNumber(shot.duration_s)}s`}
        save={save("duration_s")} editor={numberEditor(0.1)} />
      <EditCell {...cell} {...at("props")} class="text-cell small" multiline value={shot.props} display={shot.props || <span class="placeholder">—</span>} save={save("props")} editor={textEditor(2)} />
      <EditCell {...cell} {...at("notes")} class="text-cell small" multiline value={shot.notes} display={shot.notes || <span class="placeholder">—</span>} save={save("notes")} editor={textEditor(2)} />
      <EditCell {...cell} {...at("status")} value={shot.status} display={<><StatusPill status={shot.status} /><ApprovalBadge shot={shot} job={job} /></>}
        save={save("status")} editor={selectEditor(optionsOf(STATUSES))} />
      <td class="actions">
        <div class="row-actions">
          {canEdit && <SelectBox shot={shot} />}
          {shot.id > 0 && (
            <button class="btn btn-ghost btn-icon cam-open" title={`Camera of shot ${shot.number} (C)`} aria-label={`Camera of shot ${shot.number}`} data-testid={id("camera")}
              onClick={() => openCamera(store, "shots", shot.id)}>
              <CameraIcon />
            </button>
          )}
          {canEdit && shot.id > 0 && <RowMenu shot={shot} />}
        </div>
        <ScriptLinesLink shot={shot} projectId={store.projectId} />
      </td>
    </tr>
  );
}

/** The row's less frequent actions (duplicate, reverse, delete) behind one "⋯" button: the action
 *  column is two targets wide on a tablet. A native disclosure, so Enter/Space open it and every
 *  item is a labelled button in the tab order; Esc or a click elsewhere closes it. */
function RowMenu({ shot }: { shot: Shot }) {
  const store = useStore();
  const menu = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const away = (event: PointerEvent) => {
      if (menu.current && !menu.current.contains(event.target as Node)) menu.current.open = false;
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);
  const close = (focusSummary: boolean) => {
    if (!menu.current) return;
    menu.current.open = false;
    if (focusSummary) menu.current.querySelector("summary")?.focus();
  };
  return (
    <details ref={menu} class="row-menu" onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={(e) => {
        if (e.key !== "Escape" || !menu.current?.open) return;
        e.stopPropagation();
        close(true);
      }}
      onClick={(e) => (e.target as HTMLElement).closest(".row-menu-items button") && close(false)}>
      <summary class="btn btn-ghost btn-icon" title={`More for shot ${shot.number}: duplicate, reverse, delete`} aria-label={`More actions for shot ${shot.number}`}
        data-testid={`shot-${shot.id}-more`}>⋯</summary>
      {open && (
        <div class="row-menu-items" role="group" aria-label={`Shot ${shot.number}`}>
          <ShotCopyButtons shot={shot} />
          <button class="btn btn-ghost btn-small danger" title={`Delete shot ${shot.number}`} aria-label={`Delete shot ${shot.number}`} data-testid={`shot-${shot.id}-delete`}
            onClick={() => confirm(`Delete shot ${shot.number}?`) && store.remove("shot", shot)}>× Delete</button>
        </div>
      )}
    </details>
  );
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, "");
}

// One shared list of primes for every lens cell (ids are page-unique, so it is rendered once).
const PRIME_DATALIST = (
  <datalist id="prime-lenses">
    {PRIME_LENSES_MM.map((mm) => <option value={mm}>{`${mm} mm`}</option>)}
  </datalist>
);
