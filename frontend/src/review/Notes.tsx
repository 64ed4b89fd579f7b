// Session notes: every comment made in this review, shot by shot in review order, with its frame
// and timecode (members can download them, with the annotated frames, as a PDF).
import { pinLabel } from "./Comments";
import { when } from "./context";
import type { ReviewSession } from "./session";

export function Notes({ session }: { session: ReviewSession }) {
  const content = session.content!;
  const notes = content.items.flatMap((item) => {
    // In frame order; a reply (no frame of its own) stays under its thread.
    const byId = new Map(item.comments.map((c) => [c.id, c]));
    const thread = (c: (typeof item.comments)[number]) => (c.parent != null ? byId.get(c.parent) ?? c : c);
    const frame = (c: (typeof item.comments)[number]) => c.frame ?? thread(c).frame ?? -1;
    return item.comments
      .filter((c) => c.review === content.review.id)
      .sort((a, b) => frame(a) - frame(b) || thread(a).id - thread(b).id || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id))
      .map((comment) => ({ item, comment }));
  });
  return (
    <div class="notes" data-testid="notes">
      <div class="side-head">
        <span><b>{notes.length}</b> notes in this session</span>
        {!session.isGuest && (
          <a class="btn btn-small" href={`/api/reviews/${content.review.id}/notes/pdf/`} target="_blank" rel="noopener" data-testid="notes-pdf">PDF</a>
        )}
      </div>
      <ol class="note-list">
        {notes.map(({ item, comment }) => {
          const pin = pinLabel(comment, item.shot.fps);
          return (
            <li key={comment.id} class={`note ${comment.resolved ? "note-resolved" : ""}`} data-testid={`note-${comment.id}`}>
              <div class="note-head">
                <b class="shot-number">{item.shot.scene_number}/{item.shot.number}</b>
                {pin ? (
                  <button class="pin" onClick={() => session.goTo(item.shot.id, comment.frame!)} data-testid={`note-${comment.id}-goto`}>▸ {pin}</button>
                ) : (
                  <span class="muted small">whole shot</span>
                )}
                <span class="spacer" />
                <span class="muted small">{comment.author.name} · {when(comment.created_at)}</span>
              </div>
              <div class="comment-body">{comment.body}</div>
              {comment.resolved && <span class="muted small">resolved</span>}
            </li>
          );
        })}
      </ol>
      {notes.length === 0 && <p class="muted small">No notes yet: comments made here are collected in this list.</p>}
    </div>
  );
}
