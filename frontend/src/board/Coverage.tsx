// "Coverage": the coverage planner's proposals for a scene (apps/scripts/coverage_api.py) as cards
// with a blocking thumbnail: size, lens, move, cast, the lines each covers and its duration. The
// director accepts all, accepts or rejects one, or edits a card's fields before accepting it.
// Accepted proposals become shots through the board services, so they arrive on every open board
// through the room like anyone's edit; the panel re-reads the proposals when the scene's shots change.
import { useEffect, useState } from "preact/hooks";
import { api, firstError, settle, type WriteResult } from "../api/client";
import type { components } from "../api/schema";
import type { AspectRatio, CameraMove, ShotSize } from "../api/types";
import type { CameraSpec } from "../camera/spec";
import { aspectValue, FRAMINGS, LENS_MM, MOVES, optionsOf, RIGS, SHOT_SIZES, shortLabel, VOCABULARY } from "../vocab";

type Proposal = components["schemas"]["CoverageProposal"];
type Edits = components["schemas"]["CoverageEditsRequest"];

const COVERAGE_LABELS: Record<string, string> = {
  establishing: "Establishing", master: "Master", two_shot: "Two-shot", ots: "Over-the-shoulder", single: "Single",
  close_up: "Close-up", reaction: "Reaction", insert: "Insert", tracking: "Tracking", extra: "Assistant's idea",
};

export function CoverageButton({ sceneId, sceneNumber, shotCount, canEdit }: { sceneId: number; sceneNumber: string; shotCount: number; canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button class="btn btn-ghost btn-tiny" data-testid={`scene-${sceneId}-coverage`} aria-expanded={open} onClick={() => setOpen(!open)}
        title={`Proposed coverage for scene ${sceneNumber}: master, two-shot, overs, singles, inserts…`}>
        Coverage
      </button>
      {open && <CoveragePanel sceneId={sceneId} sceneNumber={sceneNumber} shotCount={shotCount} canEdit={canEdit} onClose={() => setOpen(false)} />}
    </>
  );
}

function problem(result: WriteResult<unknown>): string {
  if (result.ok) return "";
  return result.kind === "invalid" ? firstError(result.errors) : result.kind === "conflict" ? result.detail : result.message;
}

function CoveragePanel({ sceneId, sceneNumber, shotCount, canEdit, onClose }: { sceneId: number; sceneNumber: string; shotCount: number; canEdit: boolean; onClose: () => void }) {
  const [proposals, setProposals] = useState<readonly Proposal[] | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const result = await settle(api.GET("/api/coverage-proposals/", { params: { query: { scene: sceneId } } }));
    // The schema types a spec's vectors as plain arrays in answers; they are the spec's tuples.
    if (result.ok) setProposals(result.data as unknown as Proposal[]);
    else setError(problem(result));
  };
  // Read again when the scene's shots change: someone (here or on another board) accepted some.
  useEffect(() => void load(), [sceneId, shotCount]);

  const accept = async (choices?: { id: number; fields?: Edits }[]) => {
    setBusy(true);
    setError("");
    const result = await settle(api.POST("/api/coverage-proposals/accept/", { body: { scene: sceneId, ...(choices ? { proposals: choices } : {}) } }));
    setBusy(false);
    if (!result.ok) return setError(problem(result)), false;
    await load();
    return true;
  };
  const reject = async (id: number) => {
    setError("");
    const result = await settle(api.POST("/api/coverage-proposals/{id}/reject/", { params: { path: { id } } }));
    if (result.ok) setProposals((list) => list?.map((p) => (p.id === id ? (result.data as unknown as Proposal) : p)) ?? null);
    else setError(problem(result));
  };

  const open = proposals?.filter((p) => p.status === "proposed") ?? [];
  return (
    <div class="coverage-panel" role="dialog" aria-label={`Coverage for scene ${sceneNumber}`} data-testid="coverage-panel">
      <div class="coverage-head">
        <strong>Coverage · scene {sceneNumber}</strong>
        {canEdit && open.length > 0 && (
          <button class="btn btn-primary btn-small" disabled={busy} data-testid="coverage-accept-all" onClick={() => void accept()}>
            Accept all ({open.length})
          </button>
        )}
        <span class="spacer" />
        <button class="btn btn-small" onClick={onClose} aria-label="Close">×</button>
      </div>
      {error && <p class="error" role="alert" data-testid="coverage-error">{error}</p>}
      {proposals === null ? <p class="muted">Planning…</p> : proposals.length === 0 ? <p class="muted">Nothing to propose: the scene has no script lines or cast.</p> : (
        <ul class="coverage-cards">
          {proposals.map((p) => <ProposalCard key={p.id} row={p} canEdit={canEdit} busy={busy} onAccept={(fields) => accept([{ id: p.id, ...(fields ? { fields } : {}) }])} onReject={() => void reject(p.id)} />)}
        </ul>
      )}
    </div>
  );
}

function ProposalCard({ row, canEdit, busy, onAccept, onReject }: { row: Proposal; canEdit: boolean; busy: boolean; onAccept: (fields?: Edits) => Promise<boolean>; onReject: () => void }) {
  const p = row.proposal;
  const [editing, setEditing] = useState(false);
  const [edits, setEdits] = useState<Edits>({});
  const shown = { ...p, ...edits };
  const lines = p.elements?.length ?? 0;
  const set = <K extends keyof Edits>(name: K, value: Edits[K]) => setEdits({ ...edits, [name]: value });
  return (
    <li class={`coverage-card coverage-${row.status}`} data-testid={`proposal-${p.key}`} data-status={row.status}>
      <BlockingThumb spec={row.camera_spec as CameraSpec} />
      <div class="coverage-body">
        <div class="coverage-title">
          <b>{COVERAGE_LABELS[p.coverage] ?? p.coverage}</b>
          {row.source === "assistant" && <span class="coverage-tag" title="Suggested by the studio's assistant">assistant</span>}
          {row.status !== "proposed" && <span class={`coverage-tag coverage-tag-${row.status}`}>{row.status}</span>}
        </div>
        <div class="coverage-facts" data-testid={`proposal-${p.key}-facts`}>
          <span title="Shot size">{shortLabel(SHOT_SIZES, shown.shot_size as ShotSize)}</span>
          <span title="Framing">{FRAMINGS[p.framing]?.[0] ?? p.framing}</span>
          <span title="Lens">{shown.lens_mm} mm</span>
          <span title="Camera move">{MOVES[shown.movement as CameraMove]?.[1] ?? shown.movement}</span>
          <span title="Rig">{RIGS[shown.rig as keyof typeof RIGS]?.[0] ?? shown.rig}</span>
          <span title="Estimated from the lines it covers">{shown.duration_s} s</span>
        </div>
        <div class="coverage-cast">{p.characters?.length ? p.characters.join(", ") : <span class="muted">no one</span>} · {lines} {lines === 1 ? "line" : "lines"}</div>
        {editing ? (
          <div class="coverage-edit" data-testid={`proposal-${p.key}-edit`}>
            <label>Size
              <select value={shown.shot_size} data-testid={`proposal-${p.key}-size`} onChange={(e) => set("shot_size", (e.target as HTMLSelectElement).value)}>
                {optionsOf(SHOT_SIZES).map((o) => <option value={o.value}>{o.label}</option>)}
              </select>
            </label>
            <label>Lens (mm)
              <input type="number" min={LENS_MM.min} max={LENS_MM.max} step="1" value={shown.lens_mm} data-testid={`proposal-${p.key}-lens`}
                onInput={(e) => set("lens_mm", Number((e.target as HTMLInputElement).value))} />
            </label>
            <label>Move
              <select value={shown.movement} onChange={(e) => set("movement", (e.target as HTMLSelectElement).value)}>
                {optionsOf(MOVES).map((o) => <option value={o.value}>{o.label}</option>)}
              </select>
            </label>
            <label>Duration (s)
              <input type="number" min="0.1" step="0.1" value={shown.duration_s} onInput={(e) => set("duration_s", Number((e.target as HTMLInputElement).value))} />
            </label>
            <label class="coverage-edit-wide">Description
              <textarea rows={2} value={shown.description} onInput={(e) => set("description", (e.target as HTMLTextAreaElement).value)} />
            </label>
          </div>
        ) : (
          <p class="coverage-description">{p.description}</p>
        )}
        {canEdit && (row.status !== "accepted" || row.shot == null) && (
          <div class="coverage-actions">
            <button class="btn btn-small btn-primary" disabled={busy} data-testid={`proposal-${p.key}-accept`}
              onClick={async () => { if (await onAccept(Object.keys(edits).length ? edits : undefined)) setEditing(false); }}>
              {editing && Object.keys(edits).length ? "Accept edited" : "Accept"}
            </button>
            <button class="btn btn-small" data-testid={`proposal-${p.key}-edit-toggle`} onClick={() => { setEditing(!editing); if (editing) setEdits({}); }}>
              {editing ? "Cancel edit" : "Edit"}
            </button>
            {row.status === "proposed" && <button class="btn btn-small btn-ghost" data-testid={`proposal-${p.key}-reject`} onClick={onReject}>Reject</button>}
          </div>
        )}
        {row.status === "accepted" && <div class="muted" data-testid={`proposal-${p.key}-shot`}>{row.shot != null ? "Shot made" : "Its shot was deleted; accept it again to make another"}</div>}
      </div>
    </li>
  );
}

/** A top-down plan of the proposal's blocking: the people on their marks, the camera and what its
 *  lens sees (the horizontal angle of view from the spec's lens and frame width). */
function BlockingThumb({ spec }: { spec: CameraSpec }) {
  const camera = spec.camera;
  const people = spec.characters ?? [];
  const points: [number, number][] = [[camera.position[0], camera.position[1]], ...people.map((c) => [c.position[0], c.position[1]] as [number, number])];
  const xs = points.map((q) => q[0]), ys = points.map((q) => q[1]);
  const pad = 1;
  const minX = Math.min(...xs) - pad, maxX = Math.max(...xs) + pad, minY = Math.min(...ys) - pad, maxY = Math.max(...ys) + pad;
  const span = Math.max(maxX - minX, maxY - minY);
  const toSvg = (x: number, y: number): [number, number] => [((x - minX) / span) * 100, 100 - ((y - minY) / span) * 100];
  const [cx, cy] = toSvg(camera.position[0], camera.position[1]);
  // Half the horizontal angle of view: 2·atan(w / 2f), w the delivery frame's width on the sensor.
  const half = Math.atan(frameWidthMm(spec) / (2 * camera.lens_mm));
  const reach = 40;
  const ray = (offset: number): [number, number] => {
    const bearing = (camera.yaw_deg * Math.PI) / 180 + offset;
    return [cx + Math.sin(bearing) * reach, cy - Math.cos(bearing) * reach];
  };
  const [lx, ly] = ray(-half), [rx, ry] = ray(half);
  return (
    <svg class="coverage-thumb" viewBox="0 0 100 100" role="img" aria-label="Blocking plan">
      <polygon points={`${cx},${cy} ${lx},${ly} ${rx},${ry}`} class="coverage-thumb-view" />
      {people.map((c) => {
        const [x, y] = toSvg(c.position[0], c.position[1]);
        return <circle cx={x} cy={y} r="4" fill={c.colour} stroke={c.id === spec.subject_id ? "#fff" : "none"}><title>{c.name}</title></circle>;
      })}
      <rect x={cx - 3} y={cy - 3} width="6" height="6" class="coverage-thumb-camera" />
    </svg>
  );
}

/** Width (mm) of the delivery frame on the spec's sensor (sizes from the published vocabulary),
 *  extracted as previs/camera.py does: the full width when the delivery frame is as wide as the
 *  sensor or wider, else the full height times the aspect. */
function frameWidthMm(spec: CameraSpec): number {
  const sensor = VOCABULARY.sensors.find((s) => s.value === spec.camera.sensor);
  if (!sensor) return 24.89;
  const ratio = aspectValue(spec.camera.aspect as AspectRatio);
  return sensor.width_mm / sensor.height_mm <= ratio ? sensor.width_mm : sensor.height_mm * ratio;
}
