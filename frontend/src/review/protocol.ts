// The review session's socket messages and the review content, named from the generated schema
// (apps/review/protocol.py and apps/review/serializers.py → OpenAPI → src/api/schema.d.ts).
import type { components } from "../api/schema";

type S = components["schemas"];

// apps.review.protocol's numbers, typed by its ReviewLimits schema (constants): if the server's
// change, these no longer type-check, so they cannot drift apart.
type Limits = S["ReviewLimits"];
/** Close code of a guest whose share link was revoked or expired: final, no reconnecting. */
export const CLOSE_LINK_CLOSED: Limits["close_link_closed"] = 4410;
/** Points in one stroke; the server refuses a longer one. */
export const MAX_POINTS: Limits["max_points"] = 4000;
/** Characters in a comment, and in the note given with a decision. */
export const MAX_COMMENT_CHARS: Limits["max_comment_chars"] = 5000;
/** Characters in the name a share-link guest gives. */
export const MAX_GUEST_NAME_CHARS: Limits["max_guest_name_chars"] = 80;
/** Characters in a share link's label (who it was sent to). */
export const MAX_SHARE_LABEL_CHARS: Limits["max_share_label_chars"] = 200;
/** Characters in a text mark drawn on a frame. */
export const MAX_MARK_TEXT_CHARS: Limits["max_mark_text_chars"] = 500;

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

export type LinkStats = S["LinkStats"];

// --- GET /api/reviews/<id>/content/ and /api/share/<token>/content/ ------------------------------

export type ReviewShot = S["ReviewShot"];
export type BoardPanel = S["BoardPanel"];
export type ClipMedia = S["ClipMedia"];
/** A shot under review, its rows as the server always sends them (every field present, like the
 * Required<> row types in api/types.ts). */
export type ReviewItem = Omit<S["ReviewItem"], "comments" | "annotations" | "approvals"> & {
  comments: Comment[];
  annotations: Annotation[];
  approvals: Approval[];
};
export type ReviewContent = Omit<S["ReviewContent"], "items"> & { items: ReviewItem[] };

/** GET /api/share/<token>/ */
export type LinkInfo = S["LinkInfo"];

/** The picture an item shows at a frame: its clip, or the board panel covering the frame. */
export function pictureAt(item: ReviewItem, frame: number): { asset: number | null; sha256: string | null; url: string | null; kind: "clip" | "panel" | "none"; panel?: BoardPanel } {
  if (item.clip) return { asset: item.clip.asset, sha256: item.clip.sha256, url: item.clip.url, kind: "clip" };
  const panel = item.panels.find((p) => frame >= p.start && frame < p.start + p.frames) ?? item.panels.at(-1);
  if (!panel) return { asset: null, sha256: null, url: null, kind: "none" };
  return { asset: panel.asset, sha256: panel.sha256, url: panel.url, kind: "panel", panel };
}
