// "Import script": upload a Fountain or Final Draft draft, follow the worker's import, and for a
// revised draft read the dry run (added / changed / omitted / unchanged, scene by scene) before
// applying it. The scenes themselves arrive on the board through the room, like anyone's edits.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, firstError, settle, type WriteResult } from "../api/client";
import type { components } from "../api/schema";

type ScriptImport = components["schemas"]["ScriptImport"];
type RevisionColour = NonNullable<components["schemas"]["ScriptUploadRequest"]["revision_colour"]>;

// The order productions issue revision colours in (previs/screenplay.py REVISION_COLOURS).
const COLOURS: RevisionColour[] = ["white", "blue", "pink", "yellow", "green", "goldenrod", "buff", "salmon", "cherry", "double_white", "double_blue", "double_pink", "double_yellow", "double_green"];
const WORKING = new Set(["queued", "planning", "applying"]);
// The draft name's length, typed by the server's ScriptLimits (constants): a change there fails tsc.
const DRAFT_NAME_MAX_CHARS: components["schemas"]["ScriptLimits"]["draft_name_max_chars"] = 120;

export function ScriptImportButton({ projectId }: { projectId: number }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button class="btn btn-small" data-testid="import-script" onClick={() => setOpen(!open)} aria-expanded={open}>
        Import script
      </button>
      {open && <ScriptImportPanel projectId={projectId} onClose={() => setOpen(false)} />}
    </>
  );
}

function ScriptImportPanel({ projectId, onClose }: { projectId: number; onClose: () => void }) {
  const [job, setJob] = useState<ScriptImport | null>(null);
  const [error, setError] = useState("");
  const [colour, setColour] = useState<RevisionColour>("white");
  const [draftName, setDraftName] = useState("");
  const file = useRef<HTMLInputElement>(null);

  // Follow the job while the worker has it.
  useEffect(() => {
    if (!job || !WORKING.has(job.status ?? "")) return;
    const timer = setTimeout(async () => {
      const { data } = await api.GET("/api/script-imports/{id}/", { params: { path: { id: job.id } } });
      if (data) setJob(data);
    }, 300);
    return () => clearTimeout(timer);
  }, [job]);

  const upload = async () => {
    const picked = file.current?.files?.[0];
    if (!picked) return setError("Choose a .fountain, .txt or .fdx file.");
    setError("");
    const form = new FormData();
    form.append("project", String(projectId));
    form.append("file", picked);
    form.append("revision_colour", colour);
    form.append("draft_name", draftName);
    const result = await settle(
      api.POST("/api/script-imports/", {
        // The schema types the file part as a string; FormData carries the real file.
        body: form as unknown as components["schemas"]["ScriptUploadRequest"],
        bodySerializer: (body) => body as unknown as FormData,
      }),
    );
    if (result.ok) setJob(result.data);
    else setError(problem(result));
  };

  const apply = async () => {
    if (!job) return;
    const result = await settle(api.POST("/api/script-imports/{id}/apply/", { params: { path: { id: job.id } } }));
    if (result.ok) setJob(result.data);
    else setError(problem(result));
  };

  const counts = job?.plan?.counts;
  return (
    <div class="script-import" role="dialog" aria-label="Import script" data-testid="script-import">
      <div class="script-import-head">
        <strong>Import script</strong>
        <button class="btn btn-small" onClick={onClose} aria-label="Close">×</button>
      </div>
      {!job && (
        <div class="script-import-form">
          <input ref={file} type="file" accept=".fountain,.txt,.fdx,text/plain,application/xml" data-testid="script-file" />
          <label>
            Draft <input value={draftName} onInput={(e) => setDraftName(e.currentTarget.value)} placeholder="e.g. Shooting draft" maxLength={DRAFT_NAME_MAX_CHARS} />
          </label>
          <label>
            Colour{" "}
            <select value={colour} onChange={(e) => setColour(e.currentTarget.value as RevisionColour)} data-testid="script-colour">
              {COLOURS.map((c) => (
                <option value={c}>{c.replace("_", " ")}</option>
              ))}
            </select>
          </label>
          <button class="btn btn-primary btn-small" onClick={upload} data-testid="script-upload">Upload</button>
        </div>
      )}
      {job && (
        <div class="script-import-status" data-testid="script-status" data-status={job.status}>
          <p>
            {job.filename}: {statusText(job)}
          </p>
          {job.status === "failed" && <p class="error">{job.error}</p>}
          {counts && (
            <p data-testid="script-counts">
              {counts.added} added · {counts.changed} changed · {counts.omitted} omitted · {counts.unchanged} unchanged
            </p>
          )}
          {job.status === "planned" && job.plan && (
            <>
              <ol class="script-plan">
                {job.plan.scenes.map((s) => (
                  <li class={`plan-${s.action}`}>
                    <span class="plan-action">{s.action}</span> {s.number} {s.heading}
                    {s.diff && (
                      <details>
                        <summary>what changed</summary>
                        <pre>{s.diff}</pre>
                      </details>
                    )}
                  </li>
                ))}
              </ol>
              <button class="btn btn-primary btn-small" onClick={apply} data-testid="script-apply">Apply this draft</button>
            </>
          )}
          {(job.status === "applied" || job.status === "failed") && (
            <button class="btn btn-small" onClick={() => setJob(null)}>Import another draft</button>
          )}
        </div>
      )}
      {error && <p class="error" data-testid="script-error">{error}</p>}
    </div>
  );
}

function problem(result: WriteResult<ScriptImport>): string {
  if (result.ok) return "";
  if (result.kind === "invalid") return firstError(result.errors);
  return result.kind === "conflict" ? result.detail : result.message;
}

function statusText(job: ScriptImport): string {
  switch (job.status) {
    case "queued":
      return "waiting for the worker…";
    case "planning":
      return "reading the draft…";
    case "planned":
      return "read. Check what this draft changes, then apply it.";
    case "applying":
      return "writing the scenes…";
    case "applied":
      return job.revision ? "merged into the board." : "imported: the scenes are on the board.";
    default:
      return "failed.";
  }
}
