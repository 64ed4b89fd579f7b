// The review session's socket messages and the review content, named from the generated schema
// (apps/review/protocol.py → OpenAPI components → src/api/schema.d.ts). The content endpoints
// answer a plain object in the schema, so their shape is spelled out here from the row types.
import type { components } from "../api/schema";
import type { ShotRow } from "../api/types";

type S = components["schemas"];

// Client → server
export type ReviewClientMessage = S["ReviewClientMessage"];
export type ControlMessage = S["ControlMessage"];
export type StrokeMessage = S["StrokeMessage"];
export type ZoomPan = S["ZoomPan"];

// Server → client
export type ReviewServerFrame = S["ReviewServerFrame"];
export type ReviewServerMessage = Exclude<ReviewServerFrame, S["ReviewBatchMessage"]>;
export type ReviewHello = S["ReviewHelloMessage"];
export type SessionState = S["SessionState"];
export type Playback = S["PlaybackState"];
export type Participant = S["ReviewParticipant"];
export type StrokeEvent = S["StrokeEvent"];
export type LaserEvent = S["LaserEvent"];
export type ErrorMessage = S["ErrorMessage"];
export type Change = S["ChangeEvent"];

/** A mark as stored (the server drops a null text). */
export type Shape = Omit<S["AnnotationShape"], "text"> & { text?: string | null };
export type Tool = Shape["tool"];
export type Point = Shape["points"][number];

export type Comment = Required<S["Comment"]>;
export type Annotation = Omit<Required<S["Annotation"]>, "shapes"> & { shapes: Shape[] };
export type Approval = Required<S["Approval"]>;
export type Decision = Approval["decision"];
export type ShareLink = S["ShareLink"];
export type ShareScope = NonNullable<S["ShareLinkRequest"]["scope"]>;

/** ShareLink.stats (a SerializerMethodField, loosely typed by the schema). */
export interface LinkStats {
  opens: number;
  guests: { name: string; email: string; first_seen: string }[];
  comments: number;
  decisions: { shot: number; decision: Decision; by: string; at: string }[];
}

// --- GET /api/reviews/<id>/content/ and /api/share/<token>/content/ ------------------------------

export type ReviewShot = Pick<
  ShotRow,
  "id" | "number" | "scene" | "description" | "dialogue" | "shot_size" | "angle" | "movement" | "lens_mm" | "aspect_ratio" | "fps" | "duration_s" | "status" | "version"
> & { scene_number: string; scene_heading: string };

export interface BoardPanel {
  id: number;
  asset: number | null;
  url: string | null;
  sha256: string | null;
  caption: string;
  start: number;
  frames: number;
}

export interface ClipMedia {
  asset: number;
  url: string;
  sha256: string;
  frames: number;
}

export interface ReviewItem {
  shot: ReviewShot;
  fingerprint: string;
  frames: number;
  clip: ClipMedia | null;
  panels: BoardPanel[];
  comments: Comment[];
  annotations: Annotation[];
  approvals: Approval[];
}

export interface ReviewContent {
  review: { id: number; title: string; project: number; project_name: string };
  you: { name: string; guest: boolean; can_comment: boolean; can_approve: boolean };
  items: ReviewItem[];
}

/** GET /api/share/<token>/ */
export interface LinkInfo {
  project_name: string;
  review_title: string;
  scope: ShareScope;
  needs_passphrase: boolean;
  expires_at: string | null;
  guest: { name: string; email: string } | null;
  review: number;
}

/** The picture an item shows at a frame: its clip, or the board panel covering the frame. */
export function pictureAt(item: ReviewItem, frame: number): { asset: number | null; sha256: string | null; url: string | null; kind: "clip" | "panel" | "none"; panel?: BoardPanel } {
  if (item.clip) return { asset: item.clip.asset, sha256: item.clip.sha256, url: item.clip.url, kind: "clip" };
  const panel = item.panels.find((p) => frame >= p.start && frame < p.start + p.frames) ?? item.panels.at(-1);
  if (!panel) return { asset: null, sha256: null, url: null, kind: "none" };
  return { asset: panel.asset, sha256: panel.sha256, url: panel.url, kind: "panel", panel };
}
