// A guest's name over a clip. Stills come stamped by the server (workers/renderers/annotations.py);
// a clip is streamed as it is stored, so the page lays the same stamp over the video: the guest's
// name, the minute (UTC) and the project, in rows spaced by the stamp's own width (they never
// print over each other) and once, clearly, along the bottom.
import { useEffect, useState } from "preact/hooks";

const ROWS = 7;
const PER_ROW = 4;

/** "2026-12-02 13:05", the minute in UTC, as the server stamps stills. */
export function stampMinute(now: Date): string {
  return now.toISOString().slice(0, 16).replace("T", " ");
}

export function ClipWatermark({ guest, project }: { guest: string; project: string }) {
  const [minute, setMinute] = useState(() => stampMinute(new Date()));
  useEffect(() => {
    const timer = window.setInterval(() => setMinute(stampMinute(new Date())), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  const stamp = `${guest} · ${minute} UTC · ${project}`;
  return (
    <div class="watermark" aria-hidden="true" data-testid="clip-watermark">
      <div class="watermark-tiles">
        {Array.from({ length: ROWS }, (_, row) => (
          <div key={row} class="watermark-row">
            {Array.from({ length: PER_ROW }, (_, i) => <span key={i}>{stamp}</span>)}
          </div>
        ))}
      </div>
      <div class="watermark-foot">{stamp}</div>
    </div>
  );
}
