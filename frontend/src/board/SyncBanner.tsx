// No silent loss, on screen: a banner while the room's socket is down (how many edits wait to be
// sent), and each field of an edit the server did not write because someone else changed it
// first, with theirs kept and "Use mine" / "Keep theirs" to choose.
import { findRow } from "../state/board";
import { useBoard } from "../state/context";
import type { FieldConflict } from "../state/store";

function shown(value: unknown): string {
  if (value == null || value === "") return "(empty)";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(none)";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function SyncBanner() {
  const store = useBoard();
  const down = store.link === "reconnecting" || (store.link === "connecting" && store.unsaved > 0);
  const waiting = store.unsaved;
  return (
    <>
      {down && (
        <div class="sync-banner" role="status" data-testid="offline-banner">
          <strong>Offline</strong> — {waiting} {waiting === 1 ? "edit" : "edits"} waiting.{" "}
          <span>Reconnecting… your edits are kept on this device and sent when the connection is back.</span>
        </div>
      )}
      {store.conflicts.length > 0 && (
        <section class="sync-banner sync-conflicts" aria-label="Edits not saved because someone changed the same field" data-testid="conflicts">
          {store.conflicts.map((conflict) => (
            <ConflictRow key={conflict.key} conflict={conflict} />
          ))}
        </section>
      )}
    </>
  );
}

function ConflictRow({ conflict }: { conflict: FieldConflict }) {
  const store = useBoard();
  const row = store.data ? findRow(store.data, conflict.entity, conflict.id) : undefined;
  const what = `${conflict.entity[0].toUpperCase()}${conflict.entity.slice(1)} ${String(row?.number ?? row?.name ?? conflict.id)}`;
  const field = conflict.field.replace(/_/g, " ");
  return (
    <p class="sync-conflict" data-testid="conflict" data-field={conflict.field}>
      <span>
        {what}, {field}: {conflict.who} changed it to <strong>{shown(conflict.theirs)}</strong> while you were away, so it was kept. Yours: <strong>{shown(conflict.mine)}</strong>.
      </span>
      <button type="button" class="btn btn-small" data-testid="use-mine" onClick={() => store.useMine(conflict)}>Use mine</button>
      <button type="button" class="btn btn-small" data-testid="keep-theirs" onClick={() => store.keepTheirs(conflict)}>Keep theirs</button>
    </p>
  );
}
