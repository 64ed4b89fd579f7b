// The project room's socket messages (apps/rooms/consumers.py). These are protocol envelopes,
// not models: the rows inside them are the generated API types.
import type { Character, Location, Panel, Project, RenderJob, Scene, Shot } from "../api/types";

export type Entity = "scene" | "shot" | "panel" | "character" | "location" | "project" | "membership" | "render_job";

export interface RowData<T> {
  version: number;
  fields: Partial<T>;
}

export interface MoveData {
  version: number;
  rank: string;
  scene?: number;
  shot?: number;
  project?: number;
}

/** A render job as the room reports it (a subset of RenderJob, plus ephemeral progress counts). */
export type JobEvent = Pick<RenderJob, "id" | "shot" | "status" | "progress" | "error"> & {
  done?: number;
  total?: number;
  preview?: string;
};

export interface Change {
  seq: number;
  action: "create" | "update" | "delete" | "move";
  entity: Entity;
  id: number;
  data: unknown;
  actor: number | null;
  client_op_id: string | null;
  at: string;
}

export type ServerMessage =
  | { type: "hello"; project: number; seq: number; role: string }
  | { type: "change"; change: Change }
  | { type: "changes"; changes: Change[]; complete: boolean }
  | { type: "render"; job: JobEvent }
  | { type: "error"; code: string; detail: string; field?: string };

export type ClientMessage = { type: "catch_up"; after: number };

/** Row types by entity, for typing update payloads. */
export interface EntityRows {
  scene: Scene;
  shot: Shot;
  panel: Panel;
  character: Character;
  location: Location;
  project: Project;
}
