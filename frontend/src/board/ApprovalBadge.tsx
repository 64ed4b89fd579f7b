// The shot list's word on a shot's latest review decision: approved, or that decision gone stale
// because the shot changed after it. The server decides (apps.review.selectors.approval_states,
// the same rule as the review's "stale"): the board carries it, and a change of a field a reviewer
// judges carries it again. Its panels' pictures and its renders change it too, but those changes
// are the panel's and the render's, so the shot's answer is read again when one of them lands.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Shot } from "../api/types";
import type { JobView } from "../state/store";

type Approval = NonNullable<Shot["approval"]>;

const WORDS: Record<Approval["decision"], { fresh: string; stale: string; what: string }> = {
  approved: { fresh: "approved", stale: "approval stale", what: "Approved" },
  changes_requested: { fresh: "changes asked", stale: "changed since notes", what: "Changes requested" },
};

export function ApprovalBadge({ shot, job }: { shot: Shot; job: JobView | undefined }) {
  const [reread, setReread] = useState<{ base: Approval | null; approval: Approval | null } | null>(null);
  const first = useRef(true);
  const finished = job?.status === "succeeded" ? job.id : null;

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (!shot.approval || shot.id <= 0) return;
    const base = shot.approval;
    let live = true;
    void api.GET("/api/shots/{id}/", { params: { path: { id: shot.id } } }).then(
      ({ data }) => {
        if (live && data) setReread({ base, approval: (data as { approval?: Approval | null }).approval ?? null });
      },
      // Offline: the badge keeps what the board says; the room's catch-up brings the rest.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [shot.panels, finished]);

  // A newer answer from the room (the shot's own change) wins over an earlier re-read.
  const approval = reread && reread.base === shot.approval ? reread.approval : shot.approval;
  if (!approval) return null;
  const words = WORDS[approval.decision];
  const title = approval.stale
    ? `${words.what} by ${approval.by}; the shot changed after that decision. Review it again.`
    : `${words.what} by ${approval.by}.`;
  return (
    <span class={`approval-badge approval-${approval.decision}${approval.stale ? " approval-stale" : ""}`} title={title}
      data-testid={`shot-${shot.id}-approval`} data-decision={approval.decision} data-stale={approval.stale ? "true" : "false"}>
      {approval.stale ? words.stale : words.fresh}
    </span>
  );
}
