// Comments on the shot shown: threads with replies, pinned to a frame or a range (click the pin to
// go there), mentions of members, resolve/reopen. Comment text is always rendered as text.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Membership } from "../api/types";
import { toast } from "../ui/toasts";
import { when } from "./context";
import { MAX_COMMENT_CHARS, type Comment, type ReviewItem } from "./protocol";
import type { ReviewSession } from "./session";
import { timecode } from "../timecode";

export function useMembers(session: ReviewSession): Membership[] {
  const [members, setMembers] = useState<Membership[]>([]);
  const project = session.content?.review.project;
  useEffect(() => {
    if (session.isGuest || !project) return;
    void api.GET("/api/projects/{project_pk}/members/", { params: { path: { project_pk: project } } }).then(({ data }) => setMembers(data ?? []), () => undefined);
  }, [project, session.isGuest]);
  return members;
}

export function pinLabel(comment: Pick<Comment, "frame" | "frame_end">, fps: string): string | null {
  if (comment.frame == null) return null;
  if (comment.frame_end != null && comment.frame_end !== comment.frame) return `${timecode(comment.frame, fps)}–${timecode(comment.frame_end, fps)} · fr ${comment.frame}–${comment.frame_end}`;
  return `${timecode(comment.frame, fps)} · fr ${comment.frame}`;
}

export function Comments({ session, item }: { session: ReviewSession; item: ReviewItem }) {
  const members = useMembers(session);
  const [showResolved, setShowResolved] = useState(true);
  const threads = item.comments.filter((c) => c.parent == null && (showResolved || !c.resolved));
  const replies = (id: number) => item.comments.filter((c) => c.parent === id);
  const open = item.comments.filter((c) => c.parent == null && !c.resolved).length;

  return (
    <div class="comments" data-testid="comments">
      <div class="side-head">
        <span><b>{open}</b> open · {item.comments.length} {item.comments.length === 1 ? "comment" : "comments"} on shot {item.shot.number}</span>
        <label class="check"><input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.currentTarget.checked)} /> resolved</label>
      </div>
      {!session.isGuest && <ShotExports item={item} />}
      {session.canComment ? <CommentForm session={session} item={item} members={members} /> : <p class="muted small" data-testid="comments-readonly">This link lets you watch; comments are read-only.</p>}
      <div class="comment-list">
        {threads.map((thread) => (
          <Thread key={thread.id} session={session} item={item} thread={thread} replies={replies(thread.id)} members={members} />
        ))}
        {threads.length === 0 && <p class="muted small">No comments on this shot yet.</p>}
      </div>
    </div>
  );
}

/** Members' exports of the shot's notes: the PDF, and each annotated frame as a PNG. */
function ShotExports({ item }: { item: ReviewItem }) {
  return (
    <div class="exports small" data-testid="shot-exports">
      <a class="btn btn-ghost btn-tiny" href={`/api/shots/${item.shot.id}/notes.pdf`} target="_blank" rel="noopener">Notes PDF</a>
      {annotatedFrames(item).map((annotation) => (
        <a key={annotation.id} class="btn btn-ghost btn-tiny" href={`/api/annotations/${annotation.id}/image/`} data-testid={`frame-${annotation.frame}-png`}
          title={`Frame ${annotation.frame} at ${timecode(annotation.frame, item.shot.fps)}, with every mark on it`}>
          PNG fr {annotation.frame}
        </a>
      ))}
    </div>
  );
}

/** One annotation per drawn-on frame of the shown picture (the export draws all marks of that frame). */
function annotatedFrames(item: ReviewItem) {
  const seen = new Set<string>();
  return [...item.annotations].sort((a, b) => a.frame - b.frame).filter((annotation) => {
    const key = `${annotation.asset}:${annotation.frame}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function Thread({ session, item, thread, replies, members }: { session: ReviewSession; item: ReviewItem; thread: Comment; replies: Comment[]; members: Membership[] }) {
  const [replying, setReplying] = useState(false);
  const canResolve = session.canComment && (!session.isGuest || session.isMine(thread));
  const toggle = async () => {
    const result = await session.setComment(thread, { resolved: !thread.resolved });
    if (!result.ok) toast(result.detail, "error");
  };
  return (
    <div class={`thread ${thread.resolved ? "thread-resolved" : ""}`} data-testid={`comment-${thread.id}`} data-resolved={thread.resolved ? "true" : "false"}>
      <CommentView session={session} item={item} comment={thread} />
      {replies.map((reply) => <div key={reply.id} class="reply" data-testid={`comment-${reply.id}`}><CommentView session={session} item={item} comment={reply} /></div>)}
      <div class="thread-actions">
        {session.canComment && <button class="btn btn-ghost btn-tiny" onClick={() => setReplying(!replying)} data-testid={`comment-${thread.id}-reply`}>Reply</button>}
        {canResolve && (
          <button class="btn btn-ghost btn-tiny" onClick={toggle} data-testid={`comment-${thread.id}-resolve`}>{thread.resolved ? "Reopen" : "Resolve"}</button>
        )}
        {thread.resolved && <span class="muted small">Resolved{thread.resolved_by_name ? ` by ${thread.resolved_by_name}` : ""}</span>}
      </div>
      {replying && <CommentForm session={session} item={item} members={members} parent={thread} onDone={() => setReplying(false)} />}
    </div>
  );
}

function CommentView({ session, item, comment }: { session: ReviewSession; item: ReviewItem; comment: Comment }) {
  const pin = pinLabel(comment, item.shot.fps);
  return (
    <div class="comment">
      <div class="comment-head">
        <b class="comment-author">{comment.author.name}</b>
        {comment.author.guest && <span class="badge">guest</span>}
        <span class="muted small">{when(comment.created_at)}</span>
        {pin && (
          <button class="pin" onClick={() => session.goTo(item.shot.id, comment.frame!)} title="Go to this frame" data-testid={`comment-${comment.id}-goto`}>
            ▸ {pin}
          </button>
        )}
      </div>
      <div class="comment-body" data-testid={`comment-${comment.id}-body`}>{comment.body}</div>
    </div>
  );
}

function CommentForm({ session, item, members, parent, onDone }: { session: ReviewSession; item: ReviewItem; members: Membership[]; parent?: Comment; onDone?: () => void }) {
  const [body, setBody] = useState("");
  const [pinned, setPinned] = useState(!parent);
  const [range, setRange] = useState<{ from: number | null; to: number | null }>({ from: null, to: null });
  const [mentions, setMentions] = useState<Membership[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const fps = item.shot.fps;
  const current = session.currentFrame();

  const mention = (userId: number) => {
    const member = members.find((m) => m.user === userId);
    if (!member) return;
    setMentions((list) => (list.some((m) => m.user === userId) ? list : [...list, member]));
    setBody((text) => `${text}${text && !text.endsWith(" ") ? " " : ""}@${member.display_name} `);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    setBusy(true);
    setError("");
    let frame: number | null = null;
    let frameEnd: number | null = null;
    if (range.from != null) {
      frame = Math.min(range.from, range.to ?? range.from);
      frameEnd = range.to != null ? Math.max(range.from, range.to) : null;
    } else if (pinned) frame = session.currentFrame();
    const named = mentions.filter((m) => text.includes(`@${m.display_name}`)).map((m) => m.user);
    const result = await session.comment(item.shot.id, { body: text, frame, frame_end: frameEnd, parent: parent?.id ?? null, ...(named.length ? { mentions: named } : {}) });
    setBusy(false);
    if (!result.ok) return setError(Object.values(result.errors).flat()[0] ?? result.detail);
    setBody("");
    setRange({ from: null, to: null });
    setMentions([]);
    onDone?.();
  };

  const testid = parent ? `reply-${parent.id}` : "comment";
  return (
    <form class="comment-form" onSubmit={submit} data-testid={`${testid}-form`}>
      <textarea
        rows={parent ? 2 : 3}
        value={body}
        maxLength={MAX_COMMENT_CHARS}
        placeholder={parent ? "Reply…" : `Note on shot ${item.shot.number}…`}
        onInput={(e) => setBody(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit(e);
          e.stopPropagation(); // typing here never drives the player
        }}
        data-testid={`${testid}-input`}
      />
      {!parent && (
        <div class="comment-pins">
          <label class="check" title="Pin the note to the frame shown when you send it">
            <input type="checkbox" checked={pinned || range.from != null} disabled={range.from != null} onChange={(e) => setPinned(e.currentTarget.checked)} data-testid="comment-pin" />
            {range.from != null ? "Range" : `Frame ${current} · ${timecode(current, fps)}`}
          </label>
          <button type="button" class="btn btn-ghost btn-tiny" onClick={() => {
            const at = session.currentFrame();
            setRange({ from: at, to: range.to != null && range.to >= at ? range.to : null });
          }} data-testid="comment-in" title="Range starts at the frame shown">In</button>
          <button type="button" class="btn btn-ghost btn-tiny" onClick={() => {
            const at = session.currentFrame();
            setRange({ from: range.from ?? at, to: at });
          }} data-testid="comment-out" title="Range ends at the frame shown">Out</button>
          {range.from != null && (
            <span class="small" data-testid="comment-range">
              fr {range.from}{range.to != null ? `–${range.to}` : "–…"}
              <button type="button" class="btn btn-ghost btn-tiny" onClick={() => setRange({ from: null, to: null })} aria-label="Clear range">×</button>
            </span>
          )}
        </div>
      )}
      <div class="comment-form-foot">
        {members.length > 0 && (
          <select value="" onChange={(e) => { mention(Number(e.currentTarget.value)); e.currentTarget.value = ""; }} aria-label="Mention a member" data-testid={`${testid}-mention`}>
            <option value="">@ Mention…</option>
            {members.map((m) => <option key={m.user} value={m.user}>{m.display_name}</option>)}
          </select>
        )}
        <span class="spacer" />
        {onDone && <button type="button" class="btn btn-ghost btn-small" onClick={onDone}>Cancel</button>}
        <button type="submit" class="btn btn-primary btn-small" disabled={busy || !body.trim()} data-testid={`${testid}-submit`}>{parent ? "Reply" : "Comment"}</button>
      </div>
      {error && <div class="field-error" role="alert">{error}</div>}
    </form>
  );
}
