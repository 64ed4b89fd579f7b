// Decisions on the shot shown: approve or request changes (against exactly what the page shows:
// the item's fingerprint), and the history, each marked stale once the shot changed after it.
import { useState } from "preact/hooks";
import { toast } from "../ui/toasts";
import { when } from "./context";
import { MAX_COMMENT_CHARS, type Decision, type ReviewItem } from "./protocol";
import type { ReviewSession } from "./session";
import { whoMay } from "../ui/roles";

const DECISIONS: Record<Decision, string> = { approved: "Approved", changes_requested: "Changes requested" };

export function ApprovalBar({ session, item }: { session: ReviewSession; item: ReviewItem }) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const latest = session.latestApproval(item);

  const decide = async (decision: Decision) => {
    setBusy(true);
    const result = await session.decide(item, decision, comment.trim());
    setBusy(false);
    if (result.ok) {
      setComment("");
      toast(`${DECISIONS[decision]}: shot ${item.shot.number}.`, "ok");
      return;
    }
    if (result.errors.fingerprint) {
      toast("This shot changed while you were looking; the new version is loaded. Look again before deciding.", "warn", 9000);
      session.reload();
    } else toast(result.detail, "error");
  };

  return (
    <div class="approval-bar" data-testid="approval-bar">
      <div class="approval-state">
        {latest ? (
          <span data-testid="approval-latest" data-decision={latest.decision}>
            <span class={`pill pill-${latest.decision}`}>{DECISIONS[latest.decision]}</span> by {latest.author.name}
            {latest.stale && <span class="badge badge-stale" title="The shot changed after this decision">stale</span>}
          </span>
        ) : (
          <span class="muted">No decision on shot {item.shot.number} yet</span>
        )}
      </div>
      {session.canApprove && (
        <div class="approval-actions">
          <input class="approval-comment" value={comment} maxLength={MAX_COMMENT_CHARS} placeholder="Optional note with your decision" onInput={(e) => setComment(e.currentTarget.value)}
            onKeyDown={(e) => e.stopPropagation()} data-testid="approval-comment" />
          <button class="btn btn-small btn-approve" disabled={busy} onClick={() => decide("approved")} data-testid="approve">Approve</button>
          <button class="btn btn-small btn-changes" disabled={busy} onClick={() => decide("changes_requested")} data-testid="request-changes">Request changes</button>
        </div>
      )}
      {/* A member whose role may not decide is told who does (a guest's link says what it allows). */}
      {!session.canApprove && !session.isGuest && session.link !== "closed" && (
        <span class="muted small role-note" data-testid="approve-locked">{whoMay("approve")}</span>
      )}
    </div>
  );
}

export function ApprovalHistory({ item }: { item: ReviewItem }) {
  const rows = [...item.approvals].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id));
  return (
    <div class="approvals" data-testid="approval-history">
      <div class="side-head"><span>Decisions on shot {item.shot.number}</span></div>
      {rows.length === 0 && <p class="muted small">None yet.</p>}
      <ul class="approval-list">
        {rows.map((row) => (
          <li key={row.id} class="approval" data-testid={`approval-${row.id}`} data-decision={row.decision} data-stale={row.stale ? "true" : "false"}>
            <span class={`pill pill-${row.decision}`}>{DECISIONS[row.decision]}</span>
            <b>{row.author.name}</b>
            {row.author.guest && <span class="badge">guest</span>}
            <span class="muted small">{when(row.created_at)}</span>
            {row.stale && <span class="badge badge-stale" data-testid="approval-stale" title="The shot changed after this decision">stale</span>}
            {row.comment && <div class="approval-note">{row.comment}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
}
