// "Export": make a shot list, printed storyboards, an animatic movie or an editor's timeline of a
// scene or the whole film on the export worker, follow its progress and download it; and, for
// those who may edit, bring an edited shot-list CSV or the editor's cut back in after reading
// what it would change.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, firstError, settle, type WriteResult } from "../api/client";
import type { components } from "../api/schema";
import { useBoard } from "../state/context";

type Export = components["schemas"]["Export"];
type ExportKind = components["schemas"]["ExportCreateRequest"]["kind"];
type Parameters = NonNullable<components["schemas"]["ExportCreateRequest"]["parameters"]>;
type ImportResult = components["schemas"]["ShotListImportResult"];
type CutResult = components["schemas"]["CutImportResult"];

const KINDS: { kind: ExportKind; label: string }[] = [
  { kind: "boards_pdf", label: "Storyboards (PDF)" },
  { kind: "shot_list_pdf", label: "Shot list (PDF)" },
  { kind: "shot_list_csv", label: "Shot list (CSV)" },
  { kind: "otio", label: "Timeline (OpenTimelineIO)" },
  { kind: "edl", label: "Timeline (CMX 3600 EDL)" },
  { kind: "fcp_xml", label: "Timeline (FCP 7 XML)" },
  { kind: "animatic", label: "Animatic (MP4)" },
  { kind: "media_bundle", label: "Media bundle (zip, named by shot)" },
];
const LAYOUTS = [1, 2, 3, 6, 9] as const;
const WORKING = new Set(["queued", "running"]);

export function ExportsButton({ projectId, canEdit }: { projectId: number; canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button class="btn btn-small" data-testid="exports" onClick={() => setOpen(!open)} aria-expanded={open}>
        Export
      </button>
      {open && <ExportsPanel projectId={projectId} canEdit={canEdit} onClose={() => setOpen(false)} />}
    </>
  );
}

function ExportsPanel({ projectId, canEdit, onClose }: { projectId: number; canEdit: boolean; onClose: () => void }) {
  const store = useBoard();
  const scenes = store.data?.scenes ?? [];
  const [kind, setKind] = useState<ExportKind>("boards_pdf");
  const [scene, setScene] = useState<number | null>(null);
  const [options, setOptions] = useState<Parameters>({ layout: 6, orientation: "portrait", paper: "a4" });
  const [movie, setMovie] = useState<Parameters>({ resolution: "1080p", burn_ins: true, watermark: "", source: "panels" });
  const [current, setCurrent] = useState<Export | null>(null);
  const [recent, setRecent] = useState<Export[]>([]);
  const [error, setError] = useState("");

  const loadRecent = async () => {
    // A failed read (offline) keeps the list as it was; the next change reads it again.
    const { data } = await api.GET("/api/exports/", { params: { query: { project: projectId } } }).catch(() => ({ data: undefined }));
    if (data) setRecent(data.slice(0, 8));
  };
  useEffect(() => void loadRecent(), [projectId]);

  // Follow the export while the worker has it.
  useEffect(() => {
    if (!current || !WORKING.has(current.status)) return;
    const timer = setTimeout(async () => {
      const { data } = await api.GET("/api/exports/{id}/", { params: { path: { id: current.id } } });
      if (data) {
        setCurrent(data);
        if (!WORKING.has(data.status)) void loadRecent();
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [current]);

  const make = async () => {
    setError("");
    const parameters =
      kind === "boards_pdf" ? options : kind === "shot_list_pdf" ? { orientation: options.orientation, paper: options.paper } : kind === "animatic" ? movie : undefined;
    const result = await settle(api.POST("/api/exports/", { body: { project: projectId, kind, scene, parameters } }));
    if (result.ok) {
      setCurrent(result.data);
      if (!WORKING.has(result.data.status)) void loadRecent();
    } else setError(refusal(result));
  };

  const cancel = async () => {
    if (!current) return;
    const result = await settle(api.POST("/api/exports/{id}/cancel/", { params: { path: { id: current.id } } }));
    if (result.ok) {
      setCurrent(result.data);
      void loadRecent();
    } else setError(refusal(result));
  };

  return (
    <div class="script-import exports-panel" role="dialog" aria-label="Export" data-testid="exports-panel">
      <div class="script-import-head">
        <strong>Export</strong>
        <button class="btn btn-small" onClick={onClose} aria-label="Close">×</button>
      </div>
      <div class="script-import-form">
        <label>
          What{" "}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as ExportKind)} data-testid="export-kind">
            {KINDS.map((k) => (
              <option value={k.kind}>{k.label}</option>
            ))}
          </select>
        </label>
        <label>
          Of{" "}
          <select value={scene ?? ""} onChange={(e) => setScene(e.currentTarget.value ? Number(e.currentTarget.value) : null)} data-testid="export-scene">
            <option value="">the whole film</option>
            {scenes.map((s) => (
              <option value={s.id}>Scene {s.number}</option>
            ))}
          </select>
        </label>
        {kind === "boards_pdf" && (
          <label>
            Panels a page{" "}
            <select value={options.layout} onChange={(e) => setOptions({ ...options, layout: Number(e.currentTarget.value) as Parameters["layout"] })} data-testid="export-layout">
              {LAYOUTS.map((n) => (
                <option value={n}>{n}</option>
              ))}
            </select>
          </label>
        )}
        {(kind === "boards_pdf" || kind === "shot_list_pdf") && (
          <div class="export-paper">
            <select value={options.orientation} onChange={(e) => setOptions({ ...options, orientation: e.currentTarget.value as Parameters["orientation"] })} data-testid="export-orientation">
              <option value="portrait">Portrait</option>
              <option value="landscape">Landscape</option>
            </select>
            <select value={options.paper} onChange={(e) => setOptions({ ...options, paper: e.currentTarget.value as Parameters["paper"] })} data-testid="export-paper">
              <option value="a4">A4</option>
              <option value="letter">Letter</option>
            </select>
          </div>
        )}
        {kind === "animatic" && (
          <div class="export-paper">
            <select value={movie.resolution} onChange={(e) => setMovie({ ...movie, resolution: e.currentTarget.value as Parameters["resolution"] })} data-testid="export-resolution" aria-label="Resolution">
              <option value="1080p">1080p</option>
              <option value="720p">720p</option>
            </select>
            <select value={movie.source} onChange={(e) => setMovie({ ...movie, source: e.currentTarget.value as Parameters["source"] })} data-testid="export-source" aria-label="Pictures">
              <option value="panels">Panels</option>
              <option value="clips">Latest clips</option>
            </select>
            <label>
              <input type="checkbox" checked={movie.burn_ins} onChange={(e) => setMovie({ ...movie, burn_ins: e.currentTarget.checked })} data-testid="export-burn-ins" /> Burn-ins
            </label>
            <input
              type="text"
              maxLength={80}
              placeholder="Watermark (who it is for)"
              aria-label="Watermark"
              value={movie.watermark}
              onInput={(e) => setMovie({ ...movie, watermark: e.currentTarget.value })}
              data-testid="export-watermark"
            />
          </div>
        )}
        <button class="btn btn-primary btn-small" onClick={make} disabled={!!current && WORKING.has(current.status)} data-testid="export-make">
          Make it
        </button>
      </div>
      {current && <ExportRow item={current} live onCancel={cancel} />}
      {error && <p class="error" data-testid="export-error">{error}</p>}
      {recent.length > 0 && (
        <>
          <h4 class="exports-recent">Made lately</h4>
          <ul class="exports-list" data-testid="exports-recent">
            {recent.map((item) => (
              <li>
                <ExportRow item={item} />
              </li>
            ))}
          </ul>
        </>
      )}
      {canEdit && <CutImport projectId={projectId} scene={scene} />}
      {canEdit && <ShotListImport projectId={projectId} />}
    </div>
  );
}

function ExportRow({ item, live = false, onCancel }: { item: Export; live?: boolean; onCancel?: () => void }) {
  const label = KINDS.find((k) => k.kind === item.kind)?.label ?? item.kind;
  return (
    <div class="export-row" data-testid={live ? "export-current" : undefined} data-status={item.status}>
      {WORKING.has(item.status) ? (
        <>
          <span>{label}: {item.status === "queued" ? "waiting for the worker…" : "making…"}</span>
          <progress max={1} value={item.progress} data-testid="export-progress" />
          {onCancel && (
            <button class="btn btn-small" onClick={onCancel} data-testid="export-cancel">
              Cancel
            </button>
          )}
        </>
      ) : item.status === "cancelled" ? (
        <span class="muted">{label}: cancelled</span>
      ) : item.status === "failed" ? (
        <span class="error">{label} failed: {item.error}</span>
      ) : (
        <>
          {item.output && (
            <a href={item.output.url} download={item.filename} data-testid={live ? "export-download" : undefined}>
              {item.filename}
            </a>
          )}
          <span class="muted"> {item.created_by_name} · {new Date(item.created_at).toLocaleString()}</span>
        </>
      )}
    </div>
  );
}

function ShotListImport({ projectId }: { projectId: number }) {
  const file = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [errors, setErrors] = useState<string[]>([]);

  const send = async (apply: boolean) => {
    const picked = file.current?.files?.[0];
    if (!picked) return setErrors(["Choose a shot-list CSV."]);
    setErrors([]);
    const form = new FormData();
    form.append("project", String(projectId));
    form.append("file", picked);
    form.append("apply", apply ? "true" : "false");
    const answer = await settle(
      api.POST("/api/shot-list/import/", {
        // The schema types the file part as a string; FormData carries the real file.
        body: form as unknown as components["schemas"]["ShotListImportRequest"],
        bodySerializer: (body) => body as unknown as FormData,
      }),
    );
    if (answer.ok) setResult(answer.data);
    else {
      setResult(null);
      setErrors(answer.kind === "invalid" ? answer.errors.file ?? [firstError(answer.errors)] : [refusal(answer)]);
    }
  };

  const changed = result?.rows.filter((r) => r.action !== "unchanged") ?? [];
  return (
    <div class="shot-list-import">
      <h4 class="exports-recent">Bring a shot list back in</h4>
      <input ref={file} type="file" accept=".csv,text/csv" data-testid="shot-list-file" onChange={() => setResult(null)} />
      <button class="btn btn-small" onClick={() => send(false)} data-testid="shot-list-preview">Preview</button>
      {errors.length > 0 && (
        <ul class="error" data-testid="shot-list-errors">
          {errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      {result && (
        <div data-testid="shot-list-plan">
          <p>
            {result.applied ? "Applied: " : ""}
            {result.rows.filter((r) => r.action === "create").length} new · {result.rows.filter((r) => r.action === "update").length} changed ·{" "}
            {result.rows.filter((r) => r.action === "unchanged").length} unchanged
          </p>
          <ol class="script-plan">
            {changed.map((r) => (
              <li class={r.action === "create" ? "plan-added" : "plan-changed"}>
                <span class="plan-action">{r.action}</span> {r.scene} / {r.shot}{" "}
                <span class="muted">{Object.keys(r.changes).join(", ")}</span>
              </li>
            ))}
          </ol>
          {!result.applied && changed.length > 0 && (
            <button class="btn btn-primary btn-small" onClick={() => send(true)} data-testid="shot-list-apply">Apply these changes</button>
          )}
        </div>
      )}
    </div>
  );
}

function seconds(value: number): string {
  return `${Math.round(value * 100) / 100} s`;
}

/** The editor's cut (OTIO, EDL, FCP 7 XML) of the chosen scene, previewed before it is applied. */
function CutImport({ projectId, scene }: { projectId: number; scene: number | null }) {
  const file = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<CutResult | null>(null);
  const [errors, setErrors] = useState<string[]>([]);

  const send = async (apply: boolean) => {
    const picked = file.current?.files?.[0];
    if (!picked) return setErrors(["Choose the editor's cut (.otio, .edl or .xml)."]);
    setErrors([]);
    const form = new FormData();
    form.append("project", String(projectId));
    if (scene !== null) form.append("scene", String(scene));
    form.append("file", picked);
    form.append("apply", apply ? "true" : "false");
    const answer = await settle(
      api.POST("/api/cuts/import/", {
        body: form as unknown as components["schemas"]["CutImportRequest"],
        bodySerializer: (body) => body as unknown as FormData,
      }),
    );
    if (answer.ok) setResult(answer.data);
    else {
      setResult(null);
      setErrors(answer.kind === "invalid" ? answer.errors.file ?? [firstError(answer.errors)] : [refusal(answer)]);
    }
  };

  return (
    <div class="shot-list-import cut-import">
      <h4 class="exports-recent">Import cut</h4>
      <input ref={file} type="file" accept=".otio,.edl,.xml" data-testid="cut-file" aria-label="The editor's cut" onChange={() => setResult(null)} />
      <button class="btn btn-small" onClick={() => send(false)} data-testid="cut-preview">Preview</button>
      {errors.length > 0 && (
        <ul class="error" data-testid="cut-errors">
          {errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      {result && (
        <div data-testid="cut-plan">
          {result.applied && <p>Applied.</p>}
          {result.converted && <p class="muted" data-testid="cut-note">{result.note}</p>}
          {result.scenes.map((s) => (
            <div>
              <strong>Scene {s.number}</strong>
              <ol class="script-plan">
                {s.shots.map((shot) => (
                  <li class={shot.position !== shot.was_position || shot.from_duration_s !== shot.to_duration_s ? "plan-changed" : undefined}>
                    {shot.number}
                    {shot.position !== shot.was_position && <span class="muted"> (was {shot.was_position})</span>}{" "}
                    {shot.from_duration_s !== shot.to_duration_s ? (
                      <span>
                        {seconds(shot.from_duration_s)} → {seconds(shot.to_duration_s)}
                      </span>
                    ) : (
                      <span class="muted">{seconds(shot.to_duration_s)}</span>
                    )}
                  </li>
                ))}
              </ol>
              {s.dropped.length > 0 && <p class="plan-removed">Not in cut (kept, marked): {s.dropped.map((d) => d.number).join(", ")}</p>}
            </div>
          ))}
          {result.unmatched.length > 0 && (
            <p class="muted" data-testid="cut-unmatched">
              Clips matching no shot: {result.unmatched.map((u) => `${u.index}. ${u.name || u.reel}`).join("; ")}
            </p>
          )}
          {!result.applied && (
            <button class="btn btn-primary btn-small" onClick={() => send(true)} data-testid="cut-apply">Apply the cut</button>
          )}
        </div>
      )}
    </div>
  );
}

/** What to tell the user when the server refused. */
function refusal<T>(result: Exclude<WriteResult<T>, { ok: true }>): string {
  if (result.kind === "invalid") return firstError(result.errors);
  return "message" in result ? result.message : result.detail;
}
