// The lined script: the draft laid out like the page (12-pt Courier, screenplay margins, scene
// numbers both sides, the pages as the server paginates them: GET /api/scripts/{id}/pages/) with
// the script supervisor's coverage lines, one per shot, labelled with its number. Clicking a line
// opens that shot's camera panel; dragging over lines (or click, then shift-click) selects them
// and offers "New shot covering these lines" or lining an existing shot of the scene through them.
//
// Where everything sits (margins, lines, lanes) comes from the server, so the page here and the
// PDF are the same page. The shots' lines are part of the board (shot.script_lines, live through
// the room); when they change, the pages are read again for the new lines.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, firstError, settle } from "../api/client";
import type { components } from "../api/schema";
import type { Shot } from "../api/types";
import { openCamera } from "../camera/CameraDrawer";
import { useBoard } from "../state/context";
import { toast } from "../ui/toasts";

// The pages as the client reads them (its types, from the schema's LinedScript).
const readPages = (id: number) => api.GET("/api/scripts/{id}/pages/", { params: { path: { id } } });
type Lined = NonNullable<Awaited<ReturnType<typeof readPages>>["data"]>;
type Placed = Lined["pages"][number]["elements"][number];
type CoverageLine = Lined["lines"][number];
type ScriptRow = components["schemas"]["Script"];

interface Selection {
  anchor: number; // element index where the selection began
  focus: number; // element index where it ends now
}

const SCENE_NUMBER_LEFT_IN = 0.4;
const SCENE_NUMBER_RIGHT_IN = 7.6;

export function LinedScript() {
  const store = useBoard();
  const projectId = store.projectId;
  const canEdit = store.can.edit;
  const [scripts, setScripts] = useState<ScriptRow[] | null>(null);
  const [scriptId, setScriptId] = useState<number | null>(null);
  const [lined, setLined] = useState<Lined | null>(null);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [busy, setBusy] = useState(false);
  const dragging = useRef(false);
  const focused = useRef(false);

  // What decides the coverage lines: every shot lined in this draft, its number and its range.
  const shots = useMemo(() => (store.data?.scenes ?? []).flatMap((scene) => scene.shots), [store.data]);
  // A draft imported while this view is open moves the shots' lines onto it: read the drafts again
  // and show the new one.
  const newest = shots.reduce((top, s) => Math.max(top, s.script_lines?.script ?? 0), 0);
  const unknownDraft = scripts !== null && newest > 0 && !scripts.some((s) => s.id === newest) ? newest : 0;
  useEffect(() => {
    void api.GET("/api/scripts/", { params: { query: { project: projectId } } }).then(({ data }) => {
      const rows = data ?? [];
      setScripts(rows);
      setScriptId(rows[0]?.id ?? null);
    });
  }, [projectId, unknownDraft]);

  const linesKey = shots
    .filter((s) => s.script_lines && s.script_lines.script === scriptId)
    .map((s) => `${s.id}:${s.number}:${s.script_lines!.first_index}-${s.script_lines!.last_index}`)
    .join(",");
  useEffect(() => {
    if (scriptId == null) return;
    let live = true;
    const timer = setTimeout(async () => {
      const { data } = await readPages(scriptId);
      if (live && data) setLined(data);
    }, lined ? 120 : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [scriptId, linesKey]);

  // Arriving from the shot list (#shot-7): show that shot's line.
  useEffect(() => {
    const wanted = location.hash.match(/^#shot-(\d+)$/);
    if (!lined || !wanted || focused.current) return;
    const line = document.querySelector(`[data-coverage="${wanted[1]}"]`);
    if (line) {
      focused.current = true;
      line.scrollIntoView({ block: "center" });
      line.classList.add("coverage-focus");
    }
  }, [lined]);

  useEffect(() => {
    const stop = () => (dragging.current = false);
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setSelection(null);
    addEventListener("pointerup", stop);
    addEventListener("keydown", onKey);
    return () => {
      removeEventListener("pointerup", stop);
      removeEventListener("keydown", onKey);
    };
  }, []);

  const elements = useMemo(() => (lined ? lined.pages.flatMap((p) => p.elements) : []), [lined]);
  const range = selection ? [Math.min(selection.anchor, selection.focus), Math.max(selection.anchor, selection.focus)] : null;
  const chosen = range ? elements.filter((e) => e.index >= range[0] && e.index <= range[1]) : [];

  if (scripts === null) return <p class="muted pad">Loading the script…</p>;
  if (scripts.length === 0) return <p class="empty" data-testid="no-script">No script yet: import a draft (Import script) and its pages appear here.</p>;
  if (!lined) return <p class="muted pad">Laying out the pages…</p>;

  const press = (element: Placed, event: PointerEvent) => {
    if (event.button !== 0) return;
    event.preventDefault();
    dragging.current = true;
    setSelection(event.shiftKey && selection ? { anchor: selection.anchor, focus: element.index } : { anchor: element.index, focus: element.index });
  };
  const enter = (element: Placed) => {
    if (dragging.current) setSelection((s) => (s ? { ...s, focus: element.index } : s));
  };

  const newShot = async () => {
    if (!chosen.length || busy) return;
    setBusy(true);
    const result = await settle(
      api.POST("/api/scripts/{id}/new-shot/", { params: { path: { id: lined.script } }, body: { first: chosen[0].id, last: chosen[chosen.length - 1].id } }),
    );
    setBusy(false);
    if (result.ok) {
      toast(`Shot ${result.data.number} covers these lines.`, "info");
      setSelection(null);
    } else toast(result.kind === "invalid" ? firstError(result.errors) : "The shot was not made.", "error", 8000);
  };

  const lineShot = async (shotId: number) => {
    if (!chosen.length || busy) return;
    setBusy(true);
    const result = await settle(
      api.PUT("/api/shots/{shot_id}/script-lines/", { params: { path: { shot_id: shotId } }, body: { first: chosen[0].id, last: chosen[chosen.length - 1].id } }),
    );
    setBusy(false);
    if (result.ok) setSelection(null);
    else toast(result.kind === "invalid" ? firstError(result.errors) : "The lines were not set.", "error", 8000);
  };

  const sceneId = chosen.find((e) => e.scene != null)?.scene ?? null;
  const sceneShots: Shot[] = sceneId != null ? store.data?.scenes.find((s) => s.id === sceneId)?.shots.filter((s) => s.id > 0) ?? [] : [];
  const draft = scripts.find((s) => s.id === scriptId);
  const inch = (value: number) => `${value}in`;
  const lineTop = (line: number) => inch(lined.top_in + (line - 1) * lined.line_height_in);

  return (
    <div class="lined-script" data-testid="lined-script" data-script={lined.script}>
      <div class="lined-toolbar">
        <strong>{lined.title}</strong>
        {scripts.length > 1 ? (
          <select value={String(scriptId)} onChange={(e) => setScriptId(Number(e.currentTarget.value))} aria-label="Draft">
            {scripts.map((s) => (
              <option value={String(s.id)}>{[s.draft_name, `${s.revision_colour.replace("_", " ")} draft`].filter(Boolean).join(" · ")}</option>
            ))}
          </select>
        ) : (
          draft && <span class="muted">{[draft.draft_name, `${draft.revision_colour.replace("_", " ")} draft`].filter(Boolean).join(" · ")}</span>
        )}
        <span class="muted">{plural(lined.pages.length, "page")} · {plural(lined.shots.length, "shot")} lined</span>
        <span class="spacer" />
        {canEdit && <span class="muted small">Drag over lines (or click, then shift-click) to cover them with a shot.</span>}
        <a class="btn btn-small" href={`/api/scripts/${lined.script}/lined-pdf/`} data-testid="lined-pdf" download>PDF</a>
      </div>
      <div class="lined-pages">
        {lined.pages.map((page) => (
          <section class="script-page" data-page={page.number} data-testid={`script-page-${page.number}`} style={{ width: inch(lined.page_width_in), height: inch(lined.page_height_in) }}>
            {page.number > 1 && <div class="script-page-number" style={{ top: inch(0.5), left: inch(7.0) }}>{page.number}.</div>}
            {page.elements.map((element) => {
              const selected = range != null && element.index >= range[0] && element.index <= range[1];
              return (
                <>
                  <div
                    class={`script-el script-${element.kind} ${selected ? "script-selected" : ""}`}
                    data-testid={`script-el-${element.index}`}
                    data-index={element.index}
                    style={{ top: lineTop(element.line), left: inch(element.left_in), width: inch(element.right_in - element.left_in) }}
                    onPointerDown={canEdit ? (e) => press(element, e) : undefined}
                    onPointerEnter={canEdit ? () => enter(element) : undefined}
                  >
                    {element.wrapped.map((text) => (
                      <div class="script-text">{text || " "}</div>
                    ))}
                  </div>
                  {element.kind === "heading" && element.scene_number && (
                    <>
                      <span class="script-scene-number" style={{ top: lineTop(element.line), left: inch(SCENE_NUMBER_LEFT_IN) }}>{element.scene_number}</span>
                      <span class="script-scene-number" style={{ top: lineTop(element.line), left: inch(SCENE_NUMBER_RIGHT_IN) }}>{element.scene_number}</span>
                    </>
                  )}
                </>
              );
            })}
            {lined.lines.filter((line) => line.page === page.number).map((line) => (
              <CoverageMark line={line} lineHeight={lined.line_height_in} top={lineTop(line.top_line)} onOpen={() => openCamera(store, "script", line.shot)} />
            ))}
          </section>
        ))}
      </div>
      {canEdit && chosen.length > 0 && (
        <div class="lined-selection-bar" data-testid="lines-selected" role="toolbar" aria-label="Selected lines">
          <span>{chosen.reduce((n, e) => n + e.wrapped.length, 0)} lines selected</span>
          <button class="btn btn-primary btn-small" data-testid="new-shot-from-lines" disabled={busy} onClick={newShot}>New shot covering these lines</button>
          {sceneShots.length > 0 && (
            <select data-testid="line-existing-shot" disabled={busy} value="" onChange={(e) => e.currentTarget.value && void lineShot(Number(e.currentTarget.value))} aria-label="Line an existing shot">
              <option value="">Line an existing shot…</option>
              {sceneShots.map((s) => (
                <option value={String(s.id)}>{s.number}{s.script_lines ? " (move its line)" : ""}</option>
              ))}
            </select>
          )}
          <button class="btn btn-ghost btn-small" onClick={() => setSelection(null)} aria-label="Clear the selection">×</button>
        </div>
      )}
    </div>
  );
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The line's straight and wavy stretches (wavy: the speaker is off camera), in page lines. */
function stretches(line: CoverageLine): { from: number; to: number; wavy: boolean }[] {
  const out: { from: number; to: number; wavy: boolean }[] = [];
  let at = line.top_line;
  for (const [first, last] of line.wavy) {
    if (first > at) out.push({ from: at, to: first - 1, wavy: false });
    out.push({ from: Math.max(first, at), to: last, wavy: true });
    at = last + 1;
  }
  if (at <= line.bottom_line) out.push({ from: at, to: line.bottom_line, wavy: false });
  return out;
}

function CoverageMark({ line, lineHeight, top, onOpen }: { line: CoverageLine; lineHeight: number; top: string; onOpen: () => void }) {
  const height = `${(line.bottom_line - line.top_line + 1) * lineHeight}in`;
  return (
    <button
      class={`coverage-line ${line.starts ? "coverage-starts" : ""} ${line.ends ? "coverage-ends" : "coverage-runs-on"}`}
      data-coverage={line.shot}
      data-testid={`coverage-${line.shot}-p${line.page}`}
      style={{ left: `${line.x_in}in`, top, height }}
      title={`Shot ${line.number}: open its camera`}
      aria-label={`Shot ${line.number}`}
      onClick={onOpen}
    >
      {stretches(line).map((part) => (
        <span
          class={part.wavy ? "coverage-wavy" : "coverage-straight"}
          style={{ top: `${(part.from - line.top_line) * lineHeight}in`, height: `${(part.to - part.from + 1) * lineHeight}in` }}
        />
      ))}
      {line.starts && <span class="coverage-label">{line.number}</span>}
    </button>
  );
}
