// A shot's covered script lines in the shot list ("p.3 · 4 lines"), linking to its line in the
// lined script.
import type { Shot } from "../api/types";
import { linkClick, projectPath } from "../router";

export function ScriptLinesLink({ shot, projectId }: { shot: Shot; projectId: number }) {
  const lines = shot.script_lines;
  if (!lines) return null;
  const path = `${projectPath(projectId, "script")}#shot-${shot.id}`;
  return (
    <a class="script-lines-link" href={path} data-testid={`shot-${shot.id}-lines`} title={`Shot ${shot.number} in the lined script`} onClick={(e) => linkClick(e, path)}>
      p.{lines.page} · {lines.lines} {lines.lines === 1 ? "line" : "lines"}
    </a>
  );
}
