// The camera plot: the set from above, drawn from camera_spec. North is up, 1 m grid. The camera's
// wedge opens by the horizontal angle of view the server computed (Shot.field_of_view).
// Characters and the camera can be dragged (the camera turns to keep its subject; its handle
// turns it by hand); the drop sends the whole spec.
import type { JSX, TargetedPointerEvent } from "preact";
import { useMemo, useRef, useState } from "preact/hooks";
import type { Shot } from "../api/types";
import { fieldOfView } from "./optics";
import {
  bearingTo, bearingVector, markOf, round, subjectOf, withCamera, withCameraAt, withCharacterAt, type CameraSpec, type Vec2,
} from "./spec";

const W = 640;
const H = 430;
const PAD_M = 1.5;
const MIN_SPAN_M = 8;
const YAW_HANDLE_PX = 46;

interface View {
  scale: number; // px per metre
  ox: number; // px of x = 0
  oy: number; // px of y = 0
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

type Drag = { kind: "camera" } | { kind: "yaw" } | { kind: "character"; id: string };

/** Where the move leaves the camera, as the server keyed it (previs/move.py, the clip's own
 *  path). While the camera is dragged, the end travels with it until the server answers. */
function moveEnd(shot: Shot, stored: CameraSpec, shown: CameraSpec): { position: Vec2; yaw: number } | null {
  const end = shot.move_end;
  if (!end) return null;
  const dx = shown.camera.position[0] - stored.camera.position[0];
  const dy = shown.camera.position[1] - stored.camera.position[1];
  return { position: [end.position[0] + dx, end.position[1] + dy], yaw: end.yaw_deg + shown.camera.yaw_deg - stored.camera.yaw_deg };
}

function pointsOf(shot: Shot, spec: CameraSpec): Vec2[] {
  const points: Vec2[] = [[spec.camera.position[0], spec.camera.position[1]]];
  for (const c of spec.characters) {
    points.push(c.position);
    for (const [, x, y] of c.path ?? []) points.push([x, y]);
  }
  for (const piece of spec.set_pieces) {
    const r = Math.hypot(piece.size[0], piece.size[1]) / 2;
    points.push([piece.position[0] - r, piece.position[1] - r], [piece.position[0] + r, piece.position[1] + r]);
  }
  const end = moveEnd(shot, spec, spec);
  if (end) points.push(end.position);
  return points;
}

/** Fit the spec into the plot, whole metres at the edges, at least MIN_SPAN_M across. */
function fit(shot: Shot, spec: CameraSpec): View {
  const points = pointsOf(shot, spec);
  let minX = Math.min(...points.map((p) => p[0])) - PAD_M;
  let maxX = Math.max(...points.map((p) => p[0])) + PAD_M;
  let minY = Math.min(...points.map((p) => p[1])) - PAD_M;
  let maxY = Math.max(...points.map((p) => p[1])) + PAD_M;
  const grow = (lo: number, hi: number, span: number): [number, number] => {
    const extra = Math.max(0, span - (hi - lo)) / 2;
    return [lo - extra, hi + extra];
  };
  [minX, maxX] = grow(minX, maxX, MIN_SPAN_M);
  [minY, maxY] = grow(minY, maxY, MIN_SPAN_M * (H / W));
  const scale = Math.min(W / (maxX - minX), H / (maxY - minY));
  // Centre the content; the visible range then follows from the plot's size.
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const ox = W / 2 - cx * scale;
  const oy = H / 2 + cy * scale;
  return { scale, ox, oy, minX: -ox / scale, maxX: (W - ox) / scale, minY: (oy - H) / scale, maxY: oy / scale };
}

export function PlanView({ shot, spec, canEdit, onCommit }: { shot: Shot; spec: CameraSpec; canEdit: boolean; onCommit: (spec: CameraSpec) => void }) {
  const svg = useRef<SVGSVGElement>(null);
  const [draft, setDraft] = useState<CameraSpec | null>(null);
  const drag = useRef<{ what: Drag; view: View; moved: boolean; grab: Vec2 } | null>(null);
  const shown = draft ?? spec;
  const fitted = useMemo(() => fit(shot, spec), [shot, spec]);
  // While dragging, the plot does not re-fit under the pointer.
  const view = drag.current?.view ?? fitted;
  const fov = fieldOfView(shot);

  const px = (p: Vec2): Vec2 => [view.ox + p[0] * view.scale, view.oy - p[1] * view.scale];
  const metres = (event: PointerEvent): Vec2 => {
    const matrix = svg.current!.getScreenCTM()!.inverse();
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix);
    return [(point.x - view.ox) / view.scale, (view.oy - point.y) / view.scale];
  };

  const start = (what: Drag) => (event: TargetedPointerEvent<SVGElement>) => {
    if (!canEdit || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    svg.current!.setPointerCapture(event.pointerId);
    const at = metres(event);
    const origin: Vec2 = what.kind === "character" ? markOf(spec.characters.find((c) => c.id === what.id)!) : [spec.camera.position[0], spec.camera.position[1]];
    drag.current = { what, view: fitted, moved: false, grab: [at[0] - origin[0], at[1] - origin[1]] };
  };

  const move = (event: TargetedPointerEvent<SVGSVGElement>) => {
    const current = drag.current;
    if (!current) return;
    const at = metres(event);
    const to: Vec2 = [at[0] - current.grab[0], at[1] - current.grab[1]];
    current.moved = true;
    if (current.what.kind === "character") setDraft(withCharacterAt(spec, current.what.id, to));
    else if (current.what.kind === "camera") setDraft(withCameraAt(spec, to, true));
    else setDraft(withCamera(spec, { yaw_deg: round(bearingTo([spec.camera.position[0], spec.camera.position[1]], at), 1) }));
  };

  const end = () => {
    const current = drag.current;
    drag.current = null;
    if (current?.moved && draft) onCommit(draft);
    setDraft(null);
  };

  const camera = shown.camera;
  const cam: Vec2 = [camera.position[0], camera.position[1]];
  const camPx = px(cam);
  const hfov = fov?.horizontal_deg ?? null;
  const reach = Math.hypot(W, H) * 1.5;
  const wedgePoint = (bearing: number): Vec2 => {
    const [dx, dy] = bearingVector(bearing);
    return [camPx[0] + dx * reach, camPx[1] - dy * reach];
  };
  const [fx, fy] = bearingVector(camera.yaw_deg);
  const handle: Vec2 = [camPx[0] + fx * YAW_HANDLE_PX, camPx[1] - fy * YAW_HANDLE_PX];
  const subject = subjectOf(shown);
  const subjectDistance = subject ? Math.hypot(markOf(subject)[0] - cam[0], markOf(subject)[1] - cam[1]) : null;
  const endOfMove = moveEnd(shot, spec, shown);

  return (
    <div class="plan-wrap">
      <svg
        ref={svg}
        class={`plan ${drag.current ? "plan-dragging" : ""}`}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Camera plan of shot ${shot.number}`}
        data-testid="camera-plan"
        onPointerMove={move}
        onPointerUp={end}
        onPointerCancel={end}
      >
        <defs>
          <clipPath id="plan-clip"><rect x="0" y="0" width={W} height={H} /></clipPath>
          <linearGradient id="wedge-fill" gradientUnits="userSpaceOnUse" x1={camPx[0]} y1={camPx[1]} x2={camPx[0] + fx * 420} y2={camPx[1] - fy * 420}>
            <stop offset="0" stop-color="#e8a33d" stop-opacity="0.34" />
            <stop offset="1" stop-color="#e8a33d" stop-opacity="0.02" />
          </linearGradient>
        </defs>
        <rect class="plan-floor" x="0" y="0" width={W} height={H} />
        <Grid view={view} />
        <g clip-path="url(#plan-clip)">
          {shown.set_pieces.map((piece, i) => {
            const [x, y] = px([piece.position[0], piece.position[1]]);
            const w = piece.size[0] * view.scale;
            const d = piece.size[1] * view.scale;
            return (
              <g key={i} transform={`rotate(${piece.rotation_deg} ${x} ${y})`} class="plan-piece">
                <rect x={x - w / 2} y={y - d / 2} width={w} height={d} fill={piece.colour} />
                <text x={x} y={y + 4} text-anchor="middle">{piece.name}</text>
              </g>
            );
          })}
          {hfov != null && (
            <g class="plan-wedge" data-testid="plan-wedge" data-hfov={hfov.toFixed(2)} data-yaw={camera.yaw_deg}>
              <polygon points={[camPx, wedgePoint(camera.yaw_deg - hfov / 2), wedgePoint(camera.yaw_deg + hfov / 2)].map((p) => p.join(",")).join(" ")} fill="url(#wedge-fill)" />
              <line class="wedge-edge" x1={camPx[0]} y1={camPx[1]} x2={wedgePoint(camera.yaw_deg - hfov / 2)[0]} y2={wedgePoint(camera.yaw_deg - hfov / 2)[1]} />
              <line class="wedge-edge" x1={camPx[0]} y1={camPx[1]} x2={wedgePoint(camera.yaw_deg + hfov / 2)[0]} y2={wedgePoint(camera.yaw_deg + hfov / 2)[1]} />
              <line class="wedge-axis" x1={camPx[0]} y1={camPx[1]} x2={wedgePoint(camera.yaw_deg)[0]} y2={wedgePoint(camera.yaw_deg)[1]} />
            </g>
          )}
          {endOfMove && <MovePath from={camPx} to={px(endOfMove.position)} end={endOfMove.position} yaw={endOfMove.yaw} hfov={hfov} type={shown.move.type} />}
          {shown.characters.map((c) => {
            const path = c.path?.map(([, x, y]) => px([x, y]).join(",")).join(" ");
            const [x, y] = px(markOf(c));
            const r = Math.max(7, 0.24 * view.scale);
            const [tx, ty] = bearingVector(c.facing_deg);
            return (
              <g key={c.id} class={`plan-char ${canEdit ? "draggable" : ""}`} data-testid={`plan-char-${c.id}`} data-x={c.position[0]} data-y={c.position[1]}
                onPointerDown={start({ kind: "character", id: c.id })}>
                {path && <polyline class="plan-path" points={path} />}
                <line class="plan-facing" x1={x} y1={y} x2={x + tx * r * 2} y2={y - ty * r * 2} stroke={c.colour} />
                <circle cx={x} cy={y} r={r} fill={c.colour} class={subject?.id === c.id ? "plan-subject" : ""} />
                <text x={x} y={y + r + 13} text-anchor="middle" class="plan-label">{c.name}</text>
              </g>
            );
          })}
          <g class={`plan-camera ${canEdit ? "draggable" : ""}`} data-testid="plan-camera" onPointerDown={start({ kind: "camera" })}
            transform={`translate(${camPx[0]} ${camPx[1]}) rotate(${camera.yaw_deg})`}>
            <rect x="-9" y="-2" width="18" height="13" rx="2" />
            <path d="M -5 -2 L -8 -9 L 8 -9 L 5 -2 Z" />
          </g>
          {canEdit && (
            <g class="plan-yaw" data-testid="plan-yaw-handle" onPointerDown={start({ kind: "yaw" })}>
              <line x1={camPx[0]} y1={camPx[1]} x2={handle[0]} y2={handle[1]} />
              <circle cx={handle[0]} cy={handle[1]} r="5.5" />
            </g>
          )}
        </g>
        <Compass />
        <ScaleBar scale={view.scale} />
      </svg>
      <div class="plan-readout">
        <span data-testid="plan-hfov" title="Horizontal angle of view (server-computed)">H {hfov != null ? `${hfov.toFixed(1)}°` : "—"}</span>
        <span>{camera.lens_mm} mm</span>
        <span title="Camera position (x east, y north, height) in metres">cam {cam[0].toFixed(2)}, {cam[1].toFixed(2)} · {camera.position[2].toFixed(2)} m up</span>
        <span title="Bearing the camera looks along (0 = north)">pan {camera.yaw_deg.toFixed(0)}°</span>
        {subject && subjectDistance != null && <span title="Floor distance from camera to the subject's mark">{subject.name} at {subjectDistance.toFixed(2)} m</span>}
        <span class="spacer" />
        <span class="muted">{canEdit ? "Drag marks or the camera · handle turns it" : "View only"}</span>
      </div>
    </div>
  );
}

function Grid({ view }: { view: View }) {
  const lines: JSX.Element[] = [];
  for (let x = Math.ceil(view.minX); x <= view.maxX; x++) {
    const p = view.ox + x * view.scale;
    lines.push(<line key={`x${x}`} class={x === 0 ? "grid-axis" : x % 5 === 0 ? "grid-major" : "grid-minor"} x1={p} y1={0} x2={p} y2={H} />);
  }
  for (let y = Math.ceil(view.minY); y <= view.maxY; y++) {
    const p = view.oy - y * view.scale;
    lines.push(<line key={`y${y}`} class={y === 0 ? "grid-axis" : y % 5 === 0 ? "grid-major" : "grid-minor"} x1={0} y1={p} x2={W} y2={p} />);
  }
  return <g class="plan-grid">{lines}</g>;
}

/** The move's path on the plot; `end` is where it ends, in metres on the floor. */
function MovePath({ from, to, end, yaw, hfov, type }: { from: Vec2; to: Vec2; end: Vec2; yaw: number; hfov: number | null; type: string }) {
  const [fx, fy] = bearingVector(yaw);
  const moves = Math.hypot(to[0] - from[0], to[1] - from[1]) > 2;
  return (
    <g class="plan-move" data-testid="plan-move" data-end={end.map((v) => v.toFixed(2)).join(",")}>
      {moves && <line x1={from[0]} y1={from[1]} x2={to[0]} y2={to[1]} marker-end="" />}
      {moves && <circle cx={to[0]} cy={to[1]} r="4" />}
      {(type === "pan" || type === "arc") && hfov != null && (
        <line class="move-end-axis" x1={to[0]} y1={to[1]} x2={to[0] + fx * 140} y2={to[1] - fy * 140} />
      )}
    </g>
  );
}

function Compass() {
  return (
    <g class="plan-compass" transform={`translate(${W - 26} 30)`}>
      <circle r="15" />
      <path d="M 0 -11 L 5 3 L 0 0 L -5 3 Z" />
      <text y="-18" text-anchor="middle">N</text>
    </g>
  );
}

function ScaleBar({ scale }: { scale: number }) {
  const metres = scale > 60 ? 1 : scale > 25 ? 2 : 5;
  const length = metres * scale;
  return (
    <g class="plan-scale" transform={`translate(14 ${H - 16})`}>
      <line x1="0" y1="0" x2={length} y2="0" />
      <line x1="0" y1="-4" x2="0" y2="4" />
      <line x1={length} y1="-4" x2={length} y2="4" />
      <text x={length + 6} y="4">{metres} m</text>
    </g>
  );
}
