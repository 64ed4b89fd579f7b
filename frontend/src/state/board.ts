// The board's reducers: pure functions from a board and one event (a room change, or one of this
// tab's ops shown before the server answers) to the next board. No socket, no REST, no timers:
// what a change asks of the outside world (re-read the board, re-read a row, report a render)
// comes back as a follow-up for the store (state/store.ts) to carry out. Unit tests: board.test.ts.
import type { Character, Location, Panel, Project, Scene, Shot } from "../api/types";
import { SETTINGS } from "../vocab";
import type { Change, Entity, EntityRows, JobEvent, MoveData, Op, OpEntity, RowData } from "./protocol";

export interface BoardData {
  project: Project;
  scenes: Scene[];
  characters: Character[];
  locations: Location[];
}

/** The board as the server has it: the last full read with the room's changes applied up to `seq`. */
export interface Confirmed {
  board: BoardData;
  seq: number;
}

/** What applying a change asks the store to do next (the reducer itself does no I/O). */
export type FollowUp =
  | { kind: "refetch" } // the change cannot be applied row by row: re-read the whole board
  | { kind: "reread"; entity: "shot" | "panel"; id: number } // a field the change does not carry
  | { kind: "project_deleted" }
  | { kind: "render"; job: JobEvent };

type Ranked = { id: number; rank: string };
export const byRank = (a: Ranked, b: Ranked) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id);
export const byName = (a: { name: string; id: number }, b: { name: string; id: number }) => a.name.localeCompare(b.name) || a.id - b.id;

/** Shot fields the server's field_of_view is computed from. */
const FOV_SOURCES = ["lens_mm", "sensor", "aspect_ratio", "camera_spec"];

type Versioned<T> = Partial<T> & { id: number; version: number };

// --- Lookups ---------------------------------------------------------------------------------

export function findShot(data: BoardData, id: number): Shot | undefined {
  for (const scene of data.scenes) {
    const shot = scene.shots.find((s) => s.id === id);
    if (shot) return shot;
  }
  return undefined;
}

export function findPanel(data: BoardData, id: number): Panel | undefined {
  for (const scene of data.scenes) for (const shot of scene.shots) {
    const panel = shot.panels.find((p) => p.id === id);
    if (panel) return panel;
  }
  return undefined;
}

export function findRow(data: BoardData, entity: OpEntity, id: number): Record<string, unknown> | undefined {
  if (entity === "scene") return data.scenes.find((s) => s.id === id);
  if (entity === "shot") return findShot(data, id);
  if (entity === "panel") return findPanel(data, id);
  if (entity === "character") return data.characters.find((c) => c.id === id);
  if (entity === "location") return data.locations.find((l) => l.id === id);
  return undefined;
}

/** A row's parent and the sibling before it (what a create or move needs to put it back). */
export function placeOf(data: BoardData, entity: OpEntity, id: number): { parent: number; after: number | null } | null {
  const before = (rows: { id: number }[]) => {
    const at = rows.findIndex((r) => r.id === id);
    return at > 0 ? rows[at - 1].id : null;
  };
  if (entity === "scene") return { parent: data.project.id, after: before(data.scenes) };
  if (entity === "shot") {
    const scene = data.scenes.find((s) => s.shots.some((shot) => shot.id === id));
    return scene ? { parent: scene.id, after: before(scene.shots) } : null;
  }
  if (entity === "panel") {
    const shot = data.scenes.flatMap((s) => s.shots).find((s) => s.panels.some((p) => p.id === id));
    return shot ? { parent: shot.id, after: before(shot.panels) } : null;
  }
  return { parent: data.project.id, after: null };
}

/** Same slugline the server builds (Scene.heading), so local edits show it at once. */
export function heading(data: BoardData, scene: Pick<Scene, "setting" | "location" | "time_of_day">): string {
  const location = data.locations.find((l) => l.id === scene.location);
  return `${SETTINGS[scene.setting]} ${location ? location.name.toUpperCase() : "UNKNOWN"} - ${scene.time_of_day}`;
}

// --- Row edits -------------------------------------------------------------------------------

function mapScenes(data: BoardData, fn: (scene: Scene) => Scene): BoardData {
  return { ...data, scenes: data.scenes.map(fn) };
}

function mapShots(data: BoardData, fn: (shot: Shot) => Shot): BoardData {
  return mapScenes(data, (scene) => {
    const shots = scene.shots.map(fn);
    return shots.some((s, i) => s !== scene.shots[i]) ? { ...scene, shots } : scene;
  });
}

function mapPanels(data: BoardData, fn: (panel: Panel) => Panel): BoardData {
  return mapShots(data, (shot) => {
    const panels = shot.panels.map(fn);
    return panels.some((p, i) => p !== shot.panels[i]) ? { ...shot, panels } : shot;
  });
}

/** Lay the server's row over the shown one, unless the shown one is newer (a higher version). */
export function putShotRow(data: BoardData, row: Versioned<Shot>): BoardData {
  return mapShots(data, (shot) => (shot.id === row.id && row.version >= shot.version ? { ...shot, ...row, panels: shot.panels } : shot));
}

export function putSceneRow(data: BoardData, row: Versioned<Scene>): BoardData {
  return mapScenes(data, (scene) => {
    if (scene.id !== row.id || row.version < scene.version) return scene;
    const merged = { ...scene, ...row, shots: scene.shots };
    return { ...merged, heading: heading(data, merged) };
  });
}

export function putPanelRow(data: BoardData, row: Versioned<Panel>): BoardData {
  return mapPanels(data, (panel) => (panel.id === row.id && row.version >= panel.version ? { ...panel, ...row } : panel));
}

function putCharacter(data: BoardData, row: Versioned<Character>): BoardData {
  return { ...data, characters: data.characters.map((c) => (c.id === row.id && row.version >= c.version ? { ...c, ...row } : c)).sort(byName) };
}

function putLocation(data: BoardData, row: Versioned<Location>): BoardData {
  const next = { ...data, locations: data.locations.map((l) => (l.id === row.id && row.version >= l.version ? { ...l, ...row } : l)).sort(byName) };
  // A renamed location renames every slugline that uses it.
  return mapScenes(next, (scene) => (scene.location === row.id ? { ...scene, heading: heading(next, scene) } : scene));
}

export function removeRow(data: BoardData, entity: Entity, id: number): BoardData {
  switch (entity) {
    case "scene":
      return { ...data, scenes: data.scenes.filter((s) => s.id !== id) };
    case "shot":
      return mapScenes(data, (scene) => (scene.shots.some((s) => s.id === id) ? { ...scene, shots: scene.shots.filter((s) => s.id !== id) } : scene));
    case "panel":
      return mapShots(data, (shot) => (shot.panels.some((p) => p.id === id) ? { ...shot, panels: shot.panels.filter((p) => p.id !== id) } : shot));
    case "character": {
      const next = { ...data, characters: data.characters.filter((c) => c.id !== id) };
      return mapShots(next, (shot) => (shot.characters.includes(id) ? { ...shot, characters: shot.characters.filter((c) => c !== id) } : shot));
    }
    case "location":
      return { ...data, locations: data.locations.filter((l) => l.id !== id) };
    default:
      return data;
  }
}

/** Put a shot under `sceneId` with a new rank (from a room change); null if either is unknown. */
function placeShot(data: BoardData, id: number, sceneId: number, rank: string, version: number): BoardData | null {
  const shot = findShot(data, id);
  if (!shot || !data.scenes.some((s) => s.id === sceneId)) return null;
  const moved: Shot = { ...shot, scene: sceneId, rank, version: Math.max(version, shot.version) };
  return mapScenes(data, (scene) => {
    const rest = scene.shots.filter((s) => s.id !== id);
    const shots = scene.id === sceneId ? [...rest, moved].sort(byRank) : rest;
    return rest.length === scene.shots.length && scene.id !== sceneId ? scene : { ...scene, shots };
  });
}

function placePanel(data: BoardData, id: number, shotId: number, rank: string, version: number): BoardData | null {
  const panel = findPanel(data, id);
  if (!panel || !findShot(data, shotId)) return null;
  const moved: Panel = { ...panel, shot: shotId, rank, version: Math.max(version, panel.version) };
  return mapShots(data, (shot) => {
    const rest = shot.panels.filter((p) => p.id !== id);
    if (shot.id === shotId) return { ...shot, panels: [...rest, moved].sort(byRank) };
    return rest.length === shot.panels.length ? shot : { ...shot, panels: rest };
  });
}

function placeScene(data: BoardData, id: number, rank: string, version: number): BoardData {
  return { ...data, scenes: data.scenes.map((s) => (s.id === id ? { ...s, rank, version: Math.max(version, s.version) } : s)).sort(byRank) };
}

/** A created row from the room, in rank (or name) order; null when its parent is not on the board. */
function insertRow(data: BoardData, entity: Entity, fields: Record<string, unknown> & { id: number }): BoardData | null {
  switch (entity) {
    case "scene": {
      if (data.scenes.some((s) => s.id === fields.id)) return data;
      const scene = { ...(fields as unknown as Scene), shots: [] };
      return { ...data, scenes: [...data.scenes, { ...scene, heading: scene.heading ?? heading(data, scene) }].sort(byRank) };
    }
    case "shot": {
      const shot = { ...(fields as unknown as Shot), panels: [] };
      if (findShot(data, shot.id)) return data;
      if (!data.scenes.some((s) => s.id === shot.scene)) return null;
      return mapScenes(data, (scene) => (scene.id === shot.scene ? { ...scene, shots: [...scene.shots, shot].sort(byRank) } : scene));
    }
    case "panel": {
      const panel = fields as unknown as Panel;
      if (findPanel(data, panel.id)) return data;
      if (!findShot(data, panel.shot)) return null;
      return mapShots(data, (shot) => (shot.id === panel.shot ? { ...shot, panels: [...shot.panels, panel].sort(byRank) } : shot));
    }
    case "character":
      if (data.characters.some((c) => c.id === fields.id)) return data;
      return { ...data, characters: [...data.characters, fields as unknown as Character].sort(byName) };
    case "location":
      if (data.locations.some((l) => l.id === fields.id)) return data;
      return { ...data, locations: [...data.locations, fields as unknown as Location].sort(byName) };
    default:
      return null;
  }
}

// --- Room changes ----------------------------------------------------------------------------

/** One room change on the board (the change's own row fields; never a re-read). */
export function applyChange(data: BoardData, change: Change): { board: BoardData; followUps: FollowUp[] } {
  const { action, id } = change;
  const entity = change.entity as Entity;
  const unchanged = (...followUps: FollowUp[]) => ({ board: data, followUps });
  if (entity === "render_job") return unchanged({ kind: "render", job: change.data as unknown as JobEvent });
  if (entity === "membership") return unchanged({ kind: "refetch" }); // roles and allowed actions may change
  if (action === "delete") {
    if (entity === "project") return unchanged({ kind: "project_deleted" });
    return { board: removeRow(data, entity, id), followUps: [] };
  }
  if (action === "move") {
    const move = change.data as unknown as MoveData;
    if (entity === "scene") return { board: placeScene(data, id, move.rank, move.version), followUps: [] };
    const board = entity === "shot" ? placeShot(data, id, move.scene!, move.rank, move.version) : entity === "panel" ? placePanel(data, id, move.shot!, move.rank, move.version) : null;
    return board ? { board, followUps: [] } : unchanged({ kind: "refetch" });
  }
  const row = change.data as unknown as RowData<EntityRows[keyof EntityRows]>;
  const fields = { ...row.fields, id, version: row.version };
  if (action === "create") {
    const board = insertRow(data, entity, fields);
    return board ? { board, followUps: [] } : unchanged({ kind: "refetch" });
  }
  switch (entity) {
    case "project":
      return { board: { ...data, project: { ...data.project, ...(row.fields as Partial<Project>), version: row.version } }, followUps: [] };
    case "scene":
      return { board: putSceneRow(data, fields as Versioned<Scene>), followUps: [] };
    case "shot": {
      const board = putShotRow(data, fields as Versioned<Shot>);
      // The angle of view is computed by the server; a change that does not carry it is re-read.
      const stale = findShot(board, id) && !("field_of_view" in row.fields) && FOV_SOURCES.some((f) => f in row.fields);
      return { board, followUps: stale ? [{ kind: "reread", entity: "shot", id }] : [] };
    }
    case "panel": {
      // The change names the new asset id only; its URL comes with the row.
      const stale = "image" in row.fields && !("image_url" in row.fields);
      return { board: putPanelRow(data, fields as Versioned<Panel>), followUps: stale ? [{ kind: "reread", entity: "panel", id }] : [] };
    }
    case "character":
      return { board: putCharacter(data, fields as Versioned<Character>), followUps: [] };
    case "location":
      return { board: putLocation(data, fields as Versioned<Location>), followUps: [] };
    default:
      return unchanged();
  }
}

/** The next confirmed board: a change at or below `seq` is already in it (a duplicate, or one
 *  that arrived after a newer read) and changes nothing; one that cannot be applied asks for a
 *  full re-read instead of leaving a half-applied board. */
export function confirmChange(state: Confirmed, change: Change): { state: Confirmed; followUps: FollowUp[] } {
  if (change.seq <= state.seq) return { state, followUps: [] };
  try {
    const { board, followUps } = applyChange(state.board, change);
    return { state: { board, seq: change.seq }, followUps };
  } catch (error) {
    console.warn("could not apply change; re-reading the board", change, error);
    return { state: { board: state.board, seq: change.seq }, followUps: [{ kind: "refetch" }] };
  }
}

// --- This tab's ops, shown before the server answers -----------------------------------------

/** What only this tab knows about a pending op: a create's temporary row id (negative), whether
 *  its real row has arrived, and a text op's resulting text. */
export interface LocalOp {
  tempId: number;
  seen: boolean;
  text?: string;
}

/** The board with one op applied the way the server will apply it (ranks aside: an op names
 *  the sibling it goes after, the server picks the rank between the neighbours). */
export function applyOp(data: BoardData, op: Op, local: LocalOp): BoardData {
  switch (op.kind) {
    case "set":
      return patchRow(data, op.entity, op.id, op.fields);
    case "text":
      return patchRow(data, op.entity, op.id, { [op.field]: local.text ?? "" });
    case "delete":
      return removeRow(data, op.entity, op.id);
    case "move":
      return moveRow(data, op.entity, op.id, op.after, op.parent);
    case "create":
      // Once the real row is on the board (its change carried this op's id), no stand-in.
      return local.seen ? data : insertTemp(data, op.entity, local.tempId, op.parent, op.after, op.fields ?? {});
  }
}

function patchRow(data: BoardData, entity: OpEntity, id: number, fields: Record<string, unknown>): BoardData {
  switch (entity) {
    case "shot":
      return mapShots(data, (s) => (s.id === id ? { ...s, ...fields } : s));
    case "panel":
      return mapPanels(data, (p) => (p.id === id ? { ...p, ...fields } : p));
    case "scene":
      return mapScenes(data, (s) => (s.id === id ? { ...s, ...fields, heading: heading(data, { ...s, ...fields }) } : s));
    case "character":
      return { ...data, characters: data.characters.map((c) => (c.id === id ? { ...c, ...fields } : c)).sort(byName) };
    case "location": {
      const next = { ...data, locations: data.locations.map((l) => (l.id === id ? { ...l, ...fields } : l)).sort(byName) };
      return mapScenes(next, (scene) => (scene.location === id ? { ...scene, heading: heading(next, scene) } : scene));
    }
    default:
      return data;
  }
}

/** Put a row right after `after` (null: first) under `parent` (null: where it is). */
function moveRow(data: BoardData, entity: OpEntity, id: number, after: number | null, parent: number | null): BoardData {
  const insert = <T extends { id: number }>(rows: T[], row: T) => {
    const rest = rows.filter((r) => r.id !== id);
    const at = after == null ? 0 : rest.findIndex((r) => r.id === after) + 1;
    return [...rest.slice(0, at), row, ...rest.slice(at)];
  };
  if (entity === "scene") {
    const scene = data.scenes.find((s) => s.id === id);
    return scene ? { ...data, scenes: insert(data.scenes, scene) } : data;
  }
  if (entity === "shot") {
    const shot = findShot(data, id);
    if (!shot) return data;
    const target = parent ?? shot.scene;
    return mapScenes(data, (scene) => {
      if (scene.id === target) return { ...scene, shots: insert(scene.shots, { ...shot, scene: target }) };
      return scene.shots.some((s) => s.id === id) ? { ...scene, shots: scene.shots.filter((s) => s.id !== id) } : scene;
    });
  }
  if (entity === "panel") {
    const panel = findPanel(data, id);
    if (!panel) return data;
    const target = parent ?? panel.shot;
    return mapScenes(data, (scene) => ({
      ...scene,
      shots: scene.shots.map((shot) => {
        if (shot.id === target) return { ...shot, panels: insert(shot.panels, { ...panel, shot: target }) };
        return shot.panels.some((p) => p.id === id) ? { ...shot, panels: shot.panels.filter((p) => p.id !== id) } : shot;
      }),
    }));
  }
  return data;
}

/** The optimistic row of a create, shaped like a sibling so every cell can draw it. */
function insertTemp(data: BoardData, entity: OpEntity, id: number, parent: number, after: number | null, fields: Record<string, unknown>): BoardData {
  const place = <T extends { id: number }>(rows: T[], row: T) => {
    const at = after == null ? rows.length : rows.findIndex((r) => r.id === after) + 1;
    return [...rows.slice(0, at), row, ...rows.slice(at)];
  };
  const common = { id, rank: "", version: 0, created_at: "", updated_at: "" };
  switch (entity) {
    case "scene": {
      const model = data.scenes.at(-1);
      if (!model) return data; // nothing to shape it on: it appears when confirmed
      const scene = { ...model, ...common, number: "…", synopsis: "", location: null, ...fields, shots: [] } as Scene;
      return { ...data, scenes: place(data.scenes, { ...scene, heading: heading(data, scene) }) };
    }
    case "shot": {
      const model = data.scenes.find((s) => s.id === parent)?.shots.at(-1) ?? data.scenes.flatMap((s) => s.shots)[0];
      if (!model) return data;
      const shot = { ...model, ...common, scene: parent, number: "…", description: "", dialogue: "", props: "", notes: "", characters: [], ...fields, panels: [] } as Shot;
      return mapScenes(data, (scene) => (scene.id === parent ? { ...scene, shots: place(scene.shots, shot) } : scene));
    }
    case "panel": {
      const panel = { ...common, shot: parent, image: null, image_url: null, duration_s: 2, caption: "", notes: "", ...fields } as Panel;
      return mapShots(data, (shot) => (shot.id === parent ? { ...shot, panels: place(shot.panels, panel) } : shot));
    }
    case "character": {
      const character = { ...common, project: parent, name: "", description: "", height_m: 1.75, colour: "#888888", ...fields } as Character;
      return { ...data, characters: [...data.characters, character].sort(byName) };
    }
    case "location": {
      const location = { ...common, project: parent, name: "", description: "", set_pieces: [], ...fields } as Location;
      return { ...data, locations: [...data.locations, location].sort(byName) };
    }
    default:
      return data;
  }
}
