// Drawing on the picture: an SVG in the picture's own 0..1 coordinates (viewBox 0 0 1 1, stretched
// over the picture) with the stored annotations of the frame shown, everyone's marks while they
// are being drawn, and this page's tools. Widths are pixels of a 1000-pixel-wide picture (as the
// server's renderer reads them), drawn as non-scaling strokes of width × picture width / 1000.
import { useEffect, useRef, useState } from "preact/hooks";
import { toast } from "../ui/toasts";
import { MAX_MARK_TEXT_CHARS, MAX_POINTS, type Annotation, type Point, type ReviewItem, type Shape, type Tool } from "./protocol";
import type { ReviewSession } from "./session";

export type DrawTool = Tool | "eraser" | "laser" | "none";

const round = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 10_000) / 10_000;

/** Stroke width on screen (px) for a width in pixels of a 1000-pixel-wide picture. */
const strokePx = (width: number, w: number) => Math.max(1, (width * w) / 1000);
/** A text mark's size (px), as the server's renderer sizes it. */
const textPx = (width: number, w: number) => Math.max(10, (width * 4 * w) / 1000);

export function ShapeView({ shape, w, h }: { shape: Shape; w: number; h: number }) {
  const sw = strokePx(shape.width, w);
  const common = { stroke: shape.colour, fill: "none", "stroke-width": sw, "vector-effect": "non-scaling-stroke", "stroke-linecap": "round", "stroke-linejoin": "round" } as const;
  const pts = shape.points;
  switch (shape.tool) {
    case "pen": {
      if (pts.length === 1) return <line {...common} x1={pts[0][0]} y1={pts[0][1]} x2={pts[0][0]} y2={pts[0][1]} />;
      if (pts.some((p) => p.length > 2)) {
        // Pressure thins the line where the stylus was light.
        return (
          <g>
            {pts.slice(1).map((p, i) => (
              <line key={i} {...common} stroke-width={sw * (0.35 + 0.65 * (p[2] ?? 1))} x1={pts[i][0]} y1={pts[i][1]} x2={p[0]} y2={p[1]} />
            ))}
          </g>
        );
      }
      return <polyline {...common} points={pts.map((p) => `${p[0]},${p[1]}`).join(" ")} />;
    }
    case "line":
    case "arrow": {
      const [a, b] = pts;
      if (!b) return null;
      let head = null;
      if (shape.tool === "arrow" && w > 0 && h > 0) {
        // The head is drawn in pixels (so it is not squashed by the picture's aspect) and mapped back.
        const angle = Math.atan2((b[1] - a[1]) * h, (b[0] - a[0]) * w);
        const size = Math.max(8, sw * 4);
        head = [-1, 1].map((side) => {
          const turn = angle + Math.PI - side * (28 * Math.PI) / 180;
          return <line key={side} {...common} x1={b[0]} y1={b[1]} x2={b[0] + (size * Math.cos(turn)) / w} y2={b[1] + (size * Math.sin(turn)) / h} />;
        });
      }
      return (
        <g>
          <line {...common} x1={a[0]} y1={a[1]} x2={b[0]} y2={b[1]} />
          {head}
        </g>
      );
    }
    case "rect": {
      const [a, b] = pts;
      if (!b) return null;
      return <rect {...common} x={Math.min(a[0], b[0])} y={Math.min(a[1], b[1])} width={Math.abs(a[0] - b[0])} height={Math.abs(a[1] - b[1])} />;
    }
    case "ellipse": {
      const [a, b] = pts;
      if (!b) return null;
      return <ellipse {...common} cx={(a[0] + b[0]) / 2} cy={(a[1] + b[1]) / 2} rx={Math.abs(a[0] - b[0]) / 2} ry={Math.abs(a[1] - b[1]) / 2} />;
    }
    default:
      return null; // text marks are laid out as HTML over the picture (see TextMarks)
  }
}

/** Text marks: HTML over the picture (SVG text would be stretched with the viewBox). Text only, never markup. */
function TextMarks({ shapes, w, testid }: { shapes: Shape[]; w: number; testid?: string }) {
  return (
    <>
      {shapes.filter((s) => s.tool === "text").map((s, i) => (
        <span key={i} class="mark-text" data-testid={testid} style={{ left: `${s.points[0][0] * 100}%`, top: `${s.points[0][1] * 100}%`, color: s.colour, fontSize: `${textPx(s.width, w)}px` }}>
          {s.text ?? ""}
        </span>
      ))}
    </>
  );
}

// --- Hit testing (the eraser), in pixels ------------------------------------------------------

function segmentDistance(p: number[], a: number[], b: number[]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length)) : 0;
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

function polylineDistance(p: number[], points: number[][]): number {
  if (points.length === 1) return Math.hypot(p[0] - points[0][0], p[1] - points[0][1]);
  let best = Infinity;
  for (let i = 1; i < points.length; i++) best = Math.min(best, segmentDistance(p, points[i - 1], points[i]));
  return best;
}

export function hits(shape: Shape, point: Point, w: number, h: number): boolean {
  const p = [point[0] * w, point[1] * h];
  const pts = shape.points.map((q) => [q[0] * w, q[1] * h]);
  const tolerance = 8 + strokePx(shape.width, w) / 2;
  if (shape.tool === "text") {
    const size = textPx(shape.width, w);
    const [x, y] = pts[0];
    return p[0] >= x - tolerance && p[0] <= x + (shape.text ?? "").length * size * 0.6 + tolerance && p[1] >= y - tolerance && p[1] <= y + size * 1.3 + tolerance;
  }
  if (shape.tool === "rect" && pts.length === 2) {
    const [[x0, y0], [x1, y1]] = pts;
    return polylineDistance(p, [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]) <= tolerance;
  }
  if (shape.tool === "ellipse" && pts.length === 2) {
    const [[x0, y0], [x1, y1]] = pts;
    const ring = Array.from({ length: 37 }, (_, i) => {
      const t = (i / 36) * 2 * Math.PI;
      return [(x0 + x1) / 2 + (Math.abs(x1 - x0) / 2) * Math.cos(t), (y0 + y1) / 2 + (Math.abs(y1 - y0) / 2) * Math.sin(t)];
    });
    return polylineDistance(p, ring) <= tolerance;
  }
  return polylineDistance(p, pts) <= tolerance;
}

// --- The overlay -----------------------------------------------------------------------------

interface Drag {
  kind: "draw" | "erase" | "pan";
  tool: Tool;
  points: Point[];
  start?: { x: number; y: number; view: { zoom: number; x: number; y: number } };
  /** The pointer drawing: a second finger or the palm does not add to the stroke. */
  pointer?: number;
}

export function Overlay({ session, item, frame, asset, tool, colour, width, w, h, canDraw }: {
  session: ReviewSession;
  item: ReviewItem;
  frame: number;
  /** The picture drawn on now (clip or the panel at this frame). */
  asset: number | null;
  tool: DrawTool;
  colour: string;
  width: number;
  w: number;
  h: number;
  canDraw: boolean;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<Drag | null>(null);
  const [draft, setDraft] = useState<Shape | null>(null);
  /** Marks sent and not yet back as stored annotations (kept on screen meanwhile). */
  const [pending, setPending] = useState<{ key: number; shape: Shape; shot: number; frame: number; id: number | null }[]>([]);
  /** Shapes the eraser has passed over (`annotation:index`), hidden until the server answers. */
  const [erased, setErased] = useState<Set<string>>(new Set());
  const [textAt, setTextAt] = useState<Point | null>(null);
  const pendingKey = useRef(0);

  const shown = item.annotations.filter((a) => a.frame === frame);
  useEffect(() => {
    // A pending mark is done once its stored annotation is here.
    const stored = new Set(item.annotations.map((a) => a.id));
    setPending((list) => (list.some((p) => p.id != null && stored.has(p.id)) ? list.filter((p) => p.id == null || !stored.has(p.id)) : list));
  }, [item.annotations]);
  useEffect(() => {
    setTextAt(null);
  }, [frame, item.shot.id]);

  const at = (event: PointerEvent, pressure: boolean): Point => {
    const rect = svg.current!.getBoundingClientRect();
    const x = round((event.clientX - rect.left) / rect.width);
    const y = round((event.clientY - rect.top) / rect.height);
    return pressure && event.pointerType === "pen" ? [x, y, round(event.pressure)] : [x, y];
  };

  const save = (shape: Shape) => {
    const key = ++pendingKey.current;
    const shot = item.shot.id;
    setPending((list) => [...list, { key, shape, shot, frame, id: null }]);
    void session.annotate(shot, asset, frame, [shape]).then((result) => {
      if (result.ok) setPending((list) => list.map((p) => (p.key === key ? { ...p, id: result.id } : p)));
      else {
        setPending((list) => list.filter((p) => p.key !== key));
        toast(`The mark was not saved: ${result.detail}`, "error");
      }
    });
  };

  const eraseAt = (point: Point) => {
    const found: string[] = [];
    for (const annotation of shown) {
      if (!session.isMine(annotation)) continue;
      annotation.shapes.forEach((shape, index) => {
        const key = `${annotation.id}:${index}`;
        if (!erased.has(key) && hits(shape, point, w, h)) found.push(key);
      });
    }
    if (found.length) setErased((set) => new Set([...set, ...found]));
  };

  const commitErase = () => {
    const byAnnotation = new Map<number, Set<number>>();
    for (const key of erased) {
      const [id, index] = key.split(":").map(Number);
      if (!byAnnotation.has(id)) byAnnotation.set(id, new Set());
      byAnnotation.get(id)!.add(index);
    }
    for (const [id, indexes] of byAnnotation) {
      const annotation: Annotation | undefined = item.annotations.find((a) => a.id === id);
      if (!annotation) continue;
      void session.reshape(annotation, annotation.shapes.filter((_, i) => !indexes.has(i))).then((result) => {
        if (!result.ok) toast(`Could not erase: ${result.detail}`, "error");
        setErased((set) => new Set([...set].filter((key) => !key.startsWith(`${id}:`))));
      });
    }
  };

  /** A stylus was used on this page: from then on a touch is the hand resting on the tablet, not a mark. */
  const penSeen = useRef(false);
  const capture = (event: PointerEvent) => {
    try {
      svg.current?.setPointerCapture(event.pointerId);
    } catch {
      // The pointer is already gone (lifted between the event and here): nothing to follow.
    }
  };

  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    if (event.pointerType === "pen") penSeen.current = true;
    else if (event.pointerType === "touch" && penSeen.current && tool !== "none") return; // palm rejection
    const view = session.view();
    if (tool === "none" || tool === "laser") {
      if (view.zoom > 1 && tool === "none") {
        drag.current = { kind: "pan", tool: "pen", points: [], start: { x: event.clientX, y: event.clientY, view } };
        capture(event);
      }
      return;
    }
    if (!canDraw) return;
    event.preventDefault();
    const point = at(event, tool === "pen");
    if (tool === "text") {
      setTextAt(point);
      return;
    }
    capture(event);
    if (tool === "eraser") {
      drag.current = { kind: "erase", tool: "pen", points: [point] };
      eraseAt(point);
      return;
    }
    drag.current = { kind: "draw", tool, points: tool === "pen" ? [point] : [point, point], pointer: event.pointerId };
    session.beginStroke(item.shot.id, frame, tool, colour, width);
    session.strokePoints(drag.current.points, tool !== "pen");
    setDraft({ tool, colour, width, points: drag.current.points });
  };

  const onPointerMove = (event: PointerEvent) => {
    if (tool === "laser" && canDraw) {
      const [x, y] = at(event, false);
      session.laser(x, y);
    }
    const current = drag.current;
    if (!current) return;
    if (current.kind === "pan" && current.start) {
      const rect = svg.current!.getBoundingClientRect();
      const { view } = current.start;
      session.setView({ zoom: view.zoom, x: view.x - (event.clientX - current.start.x) / rect.width, y: view.y - (event.clientY - current.start.y) / rect.height }, false);
      return;
    }
    if (current.pointer != null && event.pointerId !== current.pointer) return;
    const point = at(event, current.tool === "pen");
    if (current.kind === "erase") return eraseAt(point);
    if (current.tool === "pen") {
      // A stylus reports many more positions (and pressures) than there are frames: take them
      // all, so a quick curve stays a curve and its width follows the pressure along it.
      const samples = event.getCoalescedEvents?.().length ? event.getCoalescedEvents() : [event];
      const added: Point[] = [];
      let last = current.points[current.points.length - 1];
      for (const sample of samples) {
        const next = at(sample, true);
        if (current.points.length + added.length >= MAX_POINTS || Math.hypot(next[0] - last[0], next[1] - last[1]) < 0.0015) continue;
        added.push(next);
        last = next;
      }
      if (!added.length) return;
      current.points = [...current.points, ...added];
      session.strokePoints(added, false);
    } else {
      current.points = [current.points[0], point];
      session.strokePoints(current.points, true);
    }
    setDraft({ tool: current.tool, colour, width, points: current.points });
  };

  const onPointerUp = (event: PointerEvent) => {
    const current = drag.current;
    if (current?.pointer != null && event.pointerId !== current.pointer) return;
    drag.current = null;
    if (!current) return;
    if (current.kind === "pan") return session.setView(session.view(), true);
    if (current.kind === "erase") return commitErase();
    session.endStroke();
    setDraft(null);
    const [a, b] = current.points;
    if (current.tool !== "pen" && b && Math.hypot((a[0] - b[0]) * w, (a[1] - b[1]) * h) < 3) return; // a click, not a shape
    save({ tool: current.tool, colour, width, points: current.points });
  };

  const visiblePending = pending.filter((p) => p.shot === item.shot.id && p.frame === frame);
  const live = [...session.strokes.values()].filter((s) => s.shot === item.shot.id && s.frame === frame && s.tool !== "eraser" && s.points.length);
  const storedShapes = (annotation: Annotation) => annotation.shapes.filter((_, i) => !erased.has(`${annotation.id}:${i}`));

  return (
    <div class={`overlay overlay-${tool}`}>
      <svg
        ref={svg}
        class="overlay-svg"
        viewBox="0 0 1 1"
        preserveAspectRatio="none"
        data-testid="annotation-layer"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => tool === "laser" && session.laser(null, null)}
      >
        {shown.map((annotation) => (
          <g key={annotation.id} data-testid={`annotation-${annotation.id}`} data-author={annotation.author.name} class={session.isMine(annotation) ? "mark-mine" : undefined}>
            {storedShapes(annotation).map((shape, i) => <ShapeView key={i} shape={shape} w={w} h={h} />)}
          </g>
        ))}
        {visiblePending.map((p) => <g key={`p${p.key}`} class="mark-pending" data-testid="pending-mark"><ShapeView shape={p.shape} w={w} h={h} /></g>)}
        {live.map((stroke) => (
          <g key={stroke.key} class="live-stroke" data-testid="live-stroke" data-done={stroke.done ? "true" : "false"}>
            <ShapeView shape={{ tool: stroke.tool as Tool, colour: stroke.colour, width: stroke.width, points: stroke.points }} w={w} h={h} />
          </g>
        ))}
        {draft && <g class="mark-draft" data-testid="draft-mark"><ShapeView shape={draft} w={w} h={h} /></g>}
      </svg>
      {shown.map((annotation) => <TextMarks key={annotation.id} shapes={storedShapes(annotation)} w={w} testid={`annotation-${annotation.id}-text`} />)}
      <TextMarks shapes={visiblePending.map((p) => p.shape)} w={w} />
      {textAt && (
        <input
          class="mark-text-input"
          data-testid="text-mark-input"
          style={{ left: `${textAt[0] * 100}%`, top: `${textAt[1] * 100}%`, color: colour }}
          placeholder="Text, then Enter"
          maxLength={MAX_MARK_TEXT_CHARS}
          ref={(element) => element?.focus()}
          onKeyDown={(event) => {
            if (event.key === "Escape") setTextAt(null);
            if (event.key !== "Enter") return;
            const text = event.currentTarget.value.trim();
            setTextAt(null);
            if (text) save({ tool: "text", colour, width, points: [textAt], text });
          }}
          onBlur={() => setTextAt(null)}
        />
      )}
    </div>
  );
}
