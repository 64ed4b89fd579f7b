// The shared picture: the item's clip (a <video> kept on the session's clock) or its board panels,
// with the annotation overlay, lasers, zoom/pan, the transport and the drawing tools.
import { useEffect, useRef, useState } from "preact/hooks";
import { aspectValue } from "../vocab";
import { useLocalCopy, useSession } from "./context";
import { Overlay, type DrawTool } from "./Overlay";
import { ClipWatermark } from "./Watermark";
import { pictureAt, type ReviewItem, type ZoomPan } from "./protocol";
import type { Position, ReviewSession } from "./session";
import { frameRate, timecode, timecodeTitle } from "../timecode";

const HARD_SEEK_FRAMES = 2; // further off than this, jump; closer, nudge the rate
const NUDGE_PER_FRAME = 0.08; // playbackRate change per frame of drift

/** Keep a video on the session's position; returns the frame it shows. */
function syncVideo(video: HTMLVideoElement, position: Position, fps: number, last: number): number {
  const target = position.frame;
  if (position.playing && position.rate > 0) {
    if (video.ended) return last;
    const drift = target - video.currentTime * fps;
    if (video.paused) {
      if (!video.seeking && Math.abs(drift) > 0.5) video.currentTime = target / fps;
      video.playbackRate = position.rate;
      void video.play().catch(() => undefined);
    } else if (!video.seeking) {
      if (Math.abs(drift) > HARD_SEEK_FRAMES) video.currentTime = (target + 1) / fps; // the seek itself takes a moment
      else {
        const rate = Math.min(position.rate * 1.5, Math.max(position.rate * 0.5, position.rate * (1 + drift * NUDGE_PER_FRAME)));
        if (Math.abs(video.playbackRate - rate) > 0.005) video.playbackRate = rate;
      }
    }
    return Math.max(0, Math.min(last, Math.floor(video.currentTime * fps + 1e-3)));
  }
  // Paused (or stepping backwards): show exactly the frame, from the middle of its interval.
  if (!video.paused) video.pause();
  const want = Math.floor(target + 1e-6);
  if (!video.seeking && Math.floor(video.currentTime * fps + 1e-3) !== want) video.currentTime = (want + 0.5) / fps;
  return want;
}

/** A zoom/pan as a transform of the picture (the view's centre at the frame's centre). */
function zoomTransform(view: ZoomPan): string {
  const z = view.zoom;
  return z <= 1 ? "none" : `translate(${(0.5 - z * view.x) * 100}%, ${(0.5 - z * view.y) * 100}%) scale(${z})`;
}

/** `watermark`: a guest whose link asks for one sees their name over clips (stills come stamped). */
export function Player({ session, watermark }: { session: ReviewSession; watermark?: { guest: string; project: string } | null }) {
  useSession(session);
  const index = session.position().item;
  const item = session.item(index);
  if (!item) return <p class="empty">This review has no shots.</p>;
  return <ItemPlayer key={index} session={session} item={item} index={index} watermark={watermark ?? null} />;
}

function ItemPlayer({ session, item, index, watermark }: { session: ReviewSession; item: ReviewItem; index: number; watermark: { guest: string; project: string } | null }) {
  const fps = frameRate(item.shot.fps);
  const last = Math.max(0, item.frames - 1);
  const video = useRef<HTMLVideoElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const source = useLocalCopy(item.clip?.url ?? null);
  const [frame, setFrame] = useState(() => session.currentFrame());
  const [running, setRunning] = useState(false);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [tool, setTool] = useState<DrawTool>("none");
  const [colour, setColour] = useState("#ff3b30");
  const [width, setWidth] = useState(4);

  // Every display frame: where the session says the picture is, and the video brought there.
  useEffect(() => {
    let handle = 0;
    let shown = -1;
    let playing = false;
    const tick = () => {
      handle = requestAnimationFrame(tick);
      const position = session.position();
      if (position.item !== index) return;
      if (position.ended) session.reachedEnd();
      const element = video.current;
      const now = item.clip && element && element.readyState >= 1 ? syncVideo(element, position, fps, last) : Math.floor(position.frame + 1e-6);
      if (now !== shown) setFrame((shown = now));
      if (position.playing !== playing) setRunning((playing = position.playing));
    };
    tick();
    return () => cancelAnimationFrame(handle);
  }, [session, item, index, fps, last]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSize({ w: element.clientWidth, h: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const picture = pictureAt(item, frame);
  // The server compares the spec each render was made from with the shot's current one.
  const outOfDate = item.clip ? item.clip.out_of_date : !!picture.panel?.out_of_date;
  const view = session.view();
  const ratio = aspectValue(item.shot.aspect_ratio);
  const earlier = item.annotations.filter(
    (a) => a.frame === frame && (a.asset !== picture.asset || (!!a.asset_sha256 && !!picture.sha256 && a.asset_sha256 !== picture.sha256)),
  );
  const canDraw = session.canComment;
  const lasers = [...session.lasers.values()];

  return (
    <div class="review-player" data-testid="review-player" data-out-of-date={outOfDate ? "true" : "false"} data-frame={frame} data-item={index} data-shot={item.shot.id} data-playing={running ? "true" : "false"}>
      <div class="review-picture" ref={box} style={{ aspectRatio: String(ratio), width: `min(100%, ${(62 * ratio).toFixed(2)}vh)` }}>
        <div class="review-zoom" style={{ transform: zoomTransform(view) }} data-zoom={view.zoom}>
          {item.clip ? (
            <video ref={video} src={source ?? undefined} preload="auto" playsInline muted data-testid="review-video" />
          ) : picture.url ? (
            <img src={picture.url} alt={`Shot ${item.shot.number}, ${picture.panel?.source === "render" ? "newest frame render" : "panel"}`} draggable={false}
              data-testid="review-panel-image" data-panel={picture.panel?.id ?? undefined} data-source={picture.panel?.source} />
          ) : (
            <div class="review-nopicture">No picture for this shot yet</div>
          )}
          <Overlay session={session} item={item} frame={frame} asset={picture.asset} tool={tool} colour={colour} width={width} w={size.w} h={size.h} canDraw={canDraw} />
          {lasers.map((laser) => (
            <span key={laser.session} class="laser" data-testid="laser" style={{ left: `${laser.x * 100}%`, top: `${laser.y * 100}%`, background: laser.colour, boxShadow: `0 0 12px 4px ${laser.colour}` }} />
          ))}
        </div>
        {item.clip && watermark && <ClipWatermark guest={watermark.guest} project={watermark.project} />}
      </div>
      {outOfDate && (
        <div class="review-out-of-date" role="status" data-testid="review-out-of-date">
          Out of date: this {item.clip ? "clip" : "frame"} was rendered before the shot's camera or blocking last changed. Render it again to see the shot as it is now.
        </div>
      )}
      {earlier.length > 0 && (
        <div class="review-earlier" data-testid="annotation-earlier">
          {earlier.map((a) => <span key={a.id}>{a.author.name}'s drawing on this frame was made on an earlier version of the picture.</span>)}
        </div>
      )}
      <Transport session={session} item={item} index={index} frame={frame} running={running} />
      <Tools session={session} tool={tool} setTool={setTool} colour={colour} setColour={setColour} width={width} setWidth={setWidth} canDraw={canDraw} />
    </div>
  );
}

function Transport({ session, item, index, frame, running }: { session: ReviewSession; item: ReviewItem; index: number; frame: number; running: boolean }) {
  const count = session.content?.items.length ?? 0;
  const last = Math.max(0, item.frames - 1);
  const presenter = session.isPresenter;
  const canPresent = !!session.you?.can_present;
  const live = session.link === "live";

  const onKey = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => session.step(-1),
      ArrowRight: () => session.step(1),
      " ": () => session.togglePlay(),
      k: () => session.togglePlay(),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  return (
    <div class="review-transport" onKeyDown={onKey}>
      <div class="player-bar">
        <button class="btn btn-small player-btn" disabled={index <= 0} onClick={() => session.goItem(index - 1)} title="Previous shot" aria-label="Previous shot" data-testid="review-prev-shot">◀◀</button>
        <button class="btn btn-small player-btn" onClick={() => session.step(-1)} title="Previous frame (←)" aria-label="Previous frame" data-testid="review-prev-frame">◀︎❙</button>
        <button class="btn btn-small player-btn player-play" onClick={() => session.togglePlay()} aria-label={running ? "Pause" : "Play"} title="Play / pause (space)" data-testid="review-play">
          {running ? "❚❚" : "▶︎"}
        </button>
        <button class="btn btn-small player-btn" onClick={() => session.step(1)} title="Next frame (→)" aria-label="Next frame" data-testid="review-next-frame">❙▶︎</button>
        <button class="btn btn-small player-btn" disabled={index >= count - 1} onClick={() => session.goItem(index + 1)} title="Next shot" aria-label="Next shot" data-testid="review-next-shot">▶▶</button>
        <input class="player-scrub" type="range" min={0} max={last} step={1} value={frame} aria-label="Frame" data-testid="review-scrub"
          onInput={(e) => session.act("seek", Number(e.currentTarget.value))} />
        <span class="timecode" data-testid="review-timecode" title={timecodeTitle(item.shot.fps)}>{timecode(frame, item.shot.fps)}</span>
        <span class="frame-counter"><b data-testid="review-frame">{frame}</b><span class="muted"> / {item.frames} fr · {item.shot.fps} fps</span></span>
      </div>
      <div class="review-follow">
        {presenter ? (
          <span class="follow-state follow-presenting" data-testid="review-follow-state">You are presenting: everyone follows your playback</span>
        ) : session.following ? (
          <>
            <span class="follow-state" data-testid="review-follow-state">{session.presenterName ? `Following ${session.presenterName}` : "Waiting for a presenter"}</span>
            <button class="btn btn-ghost btn-tiny" onClick={() => session.follow(false)} data-testid="review-unfollow" title="Look around on your own">Leave</button>
          </>
        ) : (
          <>
            <span class="follow-state follow-alone" data-testid="review-follow-state">On your own</span>
            <button class="btn btn-small" onClick={() => session.follow(true)} data-testid="review-follow" disabled={!session.state}>Follow presenter</button>
          </>
        )}
        <span class="spacer" />
        {!presenter && canPresent && live && (
          <button class="btn btn-small" onClick={() => session.requestControl()} data-testid="review-request-control">Request control</button>
        )}
        {presenter && session.requests.map((request) => (
          <span key={request.session} class="control-request" data-testid="control-request">
            {request.name} asks for control
            <button class="btn btn-primary btn-tiny" onClick={() => session.handOver(request.session)} data-testid="review-hand-over">Hand over</button>
          </span>
        ))}
      </div>
    </div>
  );
}

const TOOLS: { tool: DrawTool; label: string; title: string }[] = [
  { tool: "none", label: "Look", title: "Just look (drag to pan when zoomed)" },
  { tool: "laser", label: "Laser", title: "Laser pointer: others see a dot, nothing is kept" },
  { tool: "pen", label: "Pen", title: "Pen (stylus pressure thins the line)" },
  { tool: "line", label: "Line", title: "Line" },
  { tool: "arrow", label: "Arrow", title: "Arrow" },
  { tool: "rect", label: "Box", title: "Rectangle" },
  { tool: "ellipse", label: "Ellipse", title: "Ellipse" },
  { tool: "text", label: "Text", title: "Text: click where it goes, type, Enter" },
  { tool: "eraser", label: "Eraser", title: "Eraser: removes your own marks it passes over" },
];

function Tools({ session, tool, setTool, colour, setColour, width, setWidth, canDraw }: {
  session: ReviewSession;
  tool: DrawTool;
  setTool: (tool: DrawTool) => void;
  colour: string;
  setColour: (colour: string) => void;
  width: number;
  setWidth: (width: number) => void;
  canDraw: boolean;
}) {
  const view = session.view();
  const zoom = (factor: number) => session.setView({ ...view, zoom: factor === 0 ? 1 : view.zoom * factor });
  return (
    <div class="review-tools">
      {canDraw && (
        <div class="tool-group" role="toolbar" aria-label="Drawing tools">
          {TOOLS.map((t) => (
            <button key={t.tool} class={`btn btn-small tool ${tool === t.tool ? "tool-on" : ""}`} aria-pressed={tool === t.tool} title={t.title}
              onClick={() => {
                if (tool === "laser" && t.tool !== "laser") session.laser(null, null);
                setTool(t.tool);
              }} data-testid={`tool-${t.tool}`}>
              {t.label}
            </button>
          ))}
          <input type="color" class="tool-colour" value={colour} onInput={(e) => setColour(e.currentTarget.value)} aria-label="Colour" data-testid="tool-colour" />
          <select class="tool-width" value={width} onChange={(e) => setWidth(Number(e.currentTarget.value))} aria-label="Line width" data-testid="tool-width">
            {[2, 4, 8, 16].map((w) => <option key={w} value={w}>{w} px</option>)}
          </select>
        </div>
      )}
      <span class="spacer" />
      <div class="tool-group" aria-label="Zoom">
        <button class="btn btn-small" onClick={() => zoom(1 / 1.5)} disabled={view.zoom <= 1} aria-label="Zoom out" data-testid="zoom-out">−</button>
        <span class="zoom-level" data-testid="zoom-level">{Math.round(view.zoom * 100)}%</span>
        <button class="btn btn-small" onClick={() => zoom(1.5)} disabled={view.zoom >= 16} aria-label="Zoom in" data-testid="zoom-in">+</button>
        <button class="btn btn-ghost btn-small" onClick={() => zoom(0)} disabled={view.zoom === 1} data-testid="zoom-reset">Fit</button>
      </div>
    </div>
  );
}
