// The project room's socket messages. Every message type is generated from the server's single
// definition (apps/rooms/protocol.py → OpenAPI components → src/api/schema.d.ts); this file only
// names them and adds what JSON Schema cannot say (the shapes inside ChangeEvent.data). Which
// fields are merged as live text comes with the published vocabulary (VOCABULARY.text_fields).
import type { components } from "../api/schema";
import type { Character, Location, Panel, Project, Scene, Shot } from "../api/types";

type S = components["schemas"];

// Client → server
export type ClientMessage = S["RoomClientMessage"];
export type OpMessage = S["OpMessage"];
export type Op = OpMessage["op"];
export type SetOp = S["SetOp"];
export type CreateOp = S["CreateOp"];
export type DeleteOp = S["DeleteOp"];
export type MoveOp = S["MoveOp"];
export type TextOp = S["TextOp"];
export type Focus = S["Focus"];
export type Cursor = S["Cursor"];

// Server → client
export type ServerFrame = S["RoomServerFrame"];
export type ServerMessage = Exclude<ServerFrame, S["BatchMessage"]>;
export type HelloMessage = S["HelloMessage"];
export type AckMessage = S["AckMessage"];
export type ConflictMessage = S["ConflictMessage"];
export type ErrorMessage = S["ErrorMessage"];
export type ChangesMessage = S["ChangesMessage"];
export type SnapshotMessage = S["SnapshotMessage"];
export type PresenceStateMessage = S["PresenceStateMessage"];
export type TextStateMessage = S["TextStateMessage"];
export type Change = S["ChangeEvent"];
export type Member = S["Member"];

/** What an op may address (the rows with their own edit path). */
export type OpEntity = SetOp["entity"];
/** What a change may name: the op entities plus the server's own. */
export type Entity = OpEntity | "project" | "membership" | "render_job";

// --- ChangeEvent.data by action (docs/protocol.md, "Change data by action") -------------------

export interface RowData<T> {
  version: number;
  fields: Partial<T>;
  /** field → Yjs update (base64), for clients editing that field live. */
  text_updates?: Record<string, string>;
}

export interface MoveData {
  version: number;
  rank: string;
  scene?: number;
  shot?: number;
  project?: number;
}

/** A render job as the room reports it (apps/renders/events.py): the logged change data, or a
 *  progress tick, which adds its counts. */
export type JobEvent = S["JobEvent"] & Partial<Pick<S["JobProgress"], "done" | "total" | "preview">>;

/** Row types by entity, for typing update payloads. */
export interface EntityRows {
  scene: Scene;
  shot: Shot;
  panel: Panel;
  character: Character;
  location: Location;
  project: Project;
}
