// A location's set on a plan, seen from above (issue 15, virtual location scouting): drag a piece
// to move it, the round handle turns it, the square corner handle resizes it, the library adds
// pieces (previs/sets.py, published as the vocabulary's set_kinds) and × deletes the selected one.
// Every change is one `set` op of the location's set_pieces through the store, so the other pages
// in the room see it and Ctrl+Z undoes it; while a drag is on, only this page moves the piece.
import { useRef, useState } from "preact/hooks";
import type { components } from "../api/schema";
import type { Location } from "../api/types";
import { useBoard } from "../state/context";
import { VOCABULARY } from "../vocab";

type Piece = components["schemas"]["LocationPiece"];
type Kind = Piece["kind"];
type Drag = { id: string; mode: "move" | "turn" | "size"; startX: number; startY: number; piece: Piece };

const VIEW_M = 24; // the plan shows 24 m × 24 m around the origin
const PX = 20; // pixels per metre
const HALF = (VIEW_M * PX) / 2;

const toSvg = (x: number, y: number): [number, number] => [HALF + x * PX, HALF - y * PX];
const round = (v: number, step = 0.05) => Math.round(v / step) * step;

function newId(pieces: Piece[], kind: string): string {
  let n = pieces.length + 1;
  while (pieces.some((p) => p.id === `${kind}-${n}`)) n += 1;
  return `${kind}-${n}`;
}

export function SetPlan({ location }: { location: Location }) {
  const store = useBoard();
  const canEdit = store.can.edit;
  const pieces = (location.set_pieces ?? []) as Piece[];
  const [selected, setSelected] = useState<string | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [draft, setDraft] = useState<Piece | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [kind, setKind] = useState<Kind>("table");
  const svg = useRef<SVGSVGElement>(null);

  const save = async (next: Piece[]) => {
    const problems = await store.save("location", location.id, { set_pieces: next });
    setProblem(problems ? problems.join(" ") : null);
  };
  const replace = (piece: Piece) => save(pieces.map((p) => (p.id === piece.id ? piece : p)));

  const metres = (event: PointerEvent): [number, number] => {
    const rect = svg.current!.getBoundingClientRect();
    const scale = (VIEW_M * PX) / rect.width;
    return [((event.clientX - rect.left) * scale - HALF) / PX, (HALF - (event.clientY - rect.top) * scale) / PX];
  };

  const start = (event: PointerEvent, piece: Piece, mode: Drag["mode"]) => {
    if (!canEdit) return;
    event.stopPropagation();
    event.preventDefault();
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
    const [x, y] = metres(event);
    setSelected(piece.id);
    setDrag({ id: piece.id, mode, startX: x, startY: y, piece });
    setDraft(piece);
  };

  const move = (event: PointerEvent) => {
    if (!drag) return;
    const [x, y] = metres(event);
    const p = drag.piece;
    if (drag.mode === "move") {
      setDraft({ ...p, position: [round(p.position[0] + x - drag.startX), round(p.position[1] + y - drag.startY)] });
    } else if (drag.mode === "turn") {
      const bearing = (Math.atan2(x - p.position[0], y - p.position[1]) * 180) / Math.PI;
      setDraft({ ...p, rotation_deg: Math.round(bearing / 5) * 5 });
    } else {
      // The corner handle: the distance from the centre, in the piece's own axes, is half the size.
      const theta = ((p.rotation_deg ?? 0) * Math.PI) / 180;
      const dx = x - p.position[0];
      const dy = y - p.position[1];
      const across = Math.abs(dx * Math.cos(theta) - dy * Math.sin(theta)) * 2;
      const deep = Math.abs(dx * Math.sin(theta) + dy * Math.cos(theta)) * 2;
      setDraft({ ...p, size: [Math.max(0.05, round(across)), Math.max(0.05, round(deep)), p.size[2]] });
    }
  };

  const end = () => {
    if (!drag) return;
    const changed = draft && JSON.stringify(draft) !== JSON.stringify(drag.piece);
    setDrag(null);
    if (changed) void replace(draft!).then(() => setDraft(null));
    else setDraft(null);
  };

  const add = () => {
    const info = VOCABULARY.set_kinds.find((k) => k.kind === kind)!;
    const piece: Piece = { id: newId(pieces, kind), kind, name: info.label, size: [...info.size], position: [0, 0], rotation_deg: 0, colour: info.colour, elevation_m: 0 };
    setSelected(piece.id);
    void save([...pieces, piece]);
  };

  const remove = () => {
    if (!selected) return;
    void save(pieces.filter((p) => p.id !== selected));
    setSelected(null);
  };

  const shown = pieces.map((p) => (draft && drag && p.id === draft.id ? draft : p));
  return (
    <div class="set-plan" data-testid={`set-plan-${location.id}`}>
      {canEdit && (
        <div class="set-plan-tools">
          <label>
            Add{" "}
            <select value={kind} data-testid="set-kind" onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
              {VOCABULARY.set_kinds.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
            </select>
          </label>
          <button class="btn" data-testid="set-add" onClick={add}>Add piece</button>
          <button class="btn btn-ghost danger" data-testid="set-delete" disabled={!selected} onClick={remove}>Delete piece</button>
          {problem && <span class="set-plan-problem" role="alert">{problem}</span>}
        </div>
      )}
      <svg ref={svg} class="set-plan-svg" viewBox={`0 0 ${VIEW_M * PX} ${VIEW_M * PX}`} role="img" aria-label={`Plan of ${location.name}'s set`}
        onPointerMove={move} onPointerUp={end} onPointerCancel={end} onPointerDown={() => setSelected(null)}>
        {Array.from({ length: VIEW_M + 1 }, (_, i) => (
          <g key={i} class="set-plan-grid">
            <line x1={i * PX} y1={0} x2={i * PX} y2={VIEW_M * PX} />
            <line x1={0} y1={i * PX} x2={VIEW_M * PX} y2={i * PX} />
          </g>
        ))}
        {shown.map((p) => {
          const [cx, cy] = toSvg(p.position[0], p.position[1]);
          const w = p.size[0] * PX;
          const d = p.size[1] * PX;
          const isSelected = p.id === selected;
          return (
            <g key={p.id} transform={`translate(${cx} ${cy}) rotate(${p.rotation_deg ?? 0})`} class={isSelected ? "set-piece selected" : "set-piece"}
              data-testid={`set-piece-${p.id}`} data-x={p.position[0]} data-y={p.position[1]}>
              <rect x={-w / 2} y={-d / 2} width={w} height={d} fill={p.colour} onPointerDown={(e) => start(e as unknown as PointerEvent, p, "move")} />
              <text y={4} text-anchor="middle">{p.name}</text>
              {isSelected && canEdit && (
                <>
                  <line class="set-handle-stem" x1={0} y1={-d / 2} x2={0} y2={-d / 2 - 14} />
                  <circle class="set-handle" data-testid="set-rotate" cx={0} cy={-d / 2 - 14} r={6} onPointerDown={(e) => start(e as unknown as PointerEvent, p, "turn")} />
                  <rect class="set-handle" data-testid="set-resize" x={w / 2 - 5} y={d / 2 - 5} width={10} height={10} onPointerDown={(e) => start(e as unknown as PointerEvent, p, "size")} />
                </>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
