// The animatic: the board played as a film. A player (picture, burn-ins, captions, scratch
// sound) over a timeline strip of the scene's (or the film's) shots and panels, timed by the one
// rule in ./timeline.ts (previs/animatic.py's twin), read out in frames and SMPTE timecode from
// ../timecode. Dragging a panel's out edge retimes it through the store's ops (live for the room,
// undone with Ctrl+Z); the server makes the shot's duration follow.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, settle } from "../api/client";
import type { Panel, Scene, Shot } from "../api/types";
import { useBoard } from "../state/context";
import type { BoardStore } from "../state/store";
import { frameRate, timecode, timecodeTitle } from "../timecode";
import { toast } from "../ui/toasts";
import { advance, build, clampRange, durationForFrames, itemAt, retimedFrames, type Item, type Mode, type Range, type Timeline } from "./timeline";

const PX_PER_FRAME = 4;
const AUDIO_TYPES = ".wav,.mp3,.m4a,audio/wav,audio/mpeg,audio/mp4,audio/x-m4a";
/** How far (in seconds) scratch sound may drift from the picture before it is put back. */
const AUDIO_SLACK_S = 0.08;

// The rows the board read carries for the animatic (apps/boards/serializers.py).
type AudioRow = { audio?: number | null; audio_url?: string | null };
type TimedShot = Shot & AudioRow & { duration_locked?: boolean };
type TimedScene = Scene & AudioRow;

/** The newest finished clip render of a shot, if the store knows one. */
function latestClip(store: BoardStore, shotId: number): string | null {
  const jobs = [store.jobs.get(shotId), ...store.jobsOf(shotId)];
  for (const job of jobs) {
    if (job?.status !== "succeeded") continue;
    const clip = job.outputs?.find((asset) => asset.kind === "clip");
    if (clip?.url) return clip.url;
  }
  return null;
}

export function Animatic() {
  const store = useBoard();
  const data = store.data!;
  const fps = data.project.fps;
  const rate = frameRate(fps);
  const scenes = data.scenes as TimedScene[];
  const [scope, setScope] = useState<number | "film">(() => scenes[0]?.id ?? "film");
  const [mode, setMode] = useState<Mode>("panels");
  const [frame, setFrame] = useState(0);
  const [speed, setSpeed] = useState(0); // frames of film per frame of clock: 0 paused, 1 play, -1 reverse…
  const [loop, setLoop] = useState<Range | null>(null);
  const [showAction, setShowAction] = useState(false);
  const [drag, setDrag] = useState<{ panel: number; frames: number } | null>(null);

  const shown = scope === "film" ? scenes : scenes.filter((scene) => scene.id === scope);
  useEffect(() => {
    if (mode === "clips") for (const scene of shown) for (const shot of scene.shots) void store.loadHistory(shot.id);
  }, [mode, scope]);

  const clips = new Map(shown.flatMap((scene) => scene.shots.map((shot) => [shot.id, mode === "clips" ? latestClip(store, shot.id) : null] as const)));
  const timeline: Timeline = useMemo(
    () =>
      build(
        {
          fps,
          scenes: shown.map((scene) => ({
            audio: scene.audio_url,
            shots: (scene.shots as TimedShot[]).map((shot) => ({
              duration_s: shot.duration_s,
              duration_locked: shot.duration_locked,
              clip: clips.get(shot.id),
              audio: shot.audio_url,
              // While an edge is dragged the strip and the picture show the new length at once.
              panels: shot.panels.map((panel) => ({ duration_s: drag?.panel === panel.id ? durationForFrames(drag.frames, fps) : panel.duration_s })),
            })),
          })),
        },
        mode,
      ),
    [data, scope, mode, drag, [...clips.values()].join("|")],
  );
  const length = timeline.length;
  const at = Math.min(frame, Math.max(0, length - 1));
  const index = itemAt(timeline, at);
  const item = index != null ? timeline.items[index] : null;
  const scene = item ? shown[item.scene] : null;
  const shot = item && scene ? (scene.shots[item.shot] as TimedShot) : null;
  const panel = item && shot && item.panel != null ? shot.panels[item.panel] : null;

  // Playback: the frame is worked out from the clock (not counted per animation frame), so a
  // slow paint drops pictures, never time. A layout effect: K (or Pause) cancels the next tick in
  // the same render that stops it; a plain effect is cleaned up only after the paint, so a tick
  // already queued moved the picture one frame past the one shown when K was pressed.
  const clock = useRef({ origin: 0, from: 0 });
  useLayoutEffect(() => {
    if (!speed) return;
    clock.current = { origin: performance.now(), from: at };
    let handle = 0;
    const tick = (now: number) => {
      const elapsed = Math.floor(((now - clock.current.origin) / 1000) * rate * Math.abs(speed));
      const next = advance(clock.current.from, Math.sign(speed) * elapsed, length, loop);
      setFrame(next.frame);
      if (next.ended || (speed < 0 && next.frame === 0 && !loop)) return setSpeed(0);
      handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(handle);
  }, [speed, length, loop?.in, loop?.out]);

  const pause = () => setSpeed(0);
  const step = (by: number) => {
    pause();
    setFrame((current) => Math.max(0, Math.min(length - 1, Math.min(current, length - 1) + by)));
  };

  // J/K/L shuttle as an editor's: L plays (again: faster), J plays backwards, K stops; the
  // arrows step a frame (Shift: a second); I and O set the loop's in and out, X clears it.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const origin = event.target as HTMLElement | null;
      if (origin?.closest("input, textarea, select, [contenteditable]") || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key.toLowerCase();
      const second = Math.round(rate);
      if (key === "l") setSpeed((s) => (s > 0 ? Math.min(s * 2, 8) : 1));
      else if (key === "j") setSpeed((s) => (s < 0 ? Math.max(s * 2, -8) : -1));
      else if (key === "k") pause();
      else if (key === " ") setSpeed((s) => (s ? 0 : 1));
      else if (key === "arrowright") step(event.shiftKey ? second : 1);
      else if (key === "arrowleft") step(event.shiftKey ? -second : -1);
      else if (key === "home") step(-length);
      else if (key === "end") step(length);
      else if (key === "i") setLoop((l) => clampRange({ in: at, out: l && l.out > at ? l.out : length }, length));
      else if (key === "o") setLoop((l) => clampRange({ in: l && l.in <= at ? l.in : 0, out: at + 1 }, length));
      else if (key === "x") setLoop(null);
      else return;
      event.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [at, length, rate]);

  useScratchSound(timeline, shown, at, speed, rate);

  const seek = (target: number) => {
    pause();
    setFrame(Math.max(0, Math.min(length - 1, target)));
  };

  if (!scenes.length) return <p class="empty">No scenes yet: add a scene and shots on the shot list, then play them here.</p>;

  return (
    <section class="animatic" data-testid="animatic" aria-label="Animatic">
      <div class="animatic-bar">
        <label>
          Play{" "}
          <select value={String(scope)} onChange={(e) => { setScope(e.currentTarget.value === "film" ? "film" : Number(e.currentTarget.value)); seek(0); setLoop(null); }} data-testid="animatic-scope">
            <option value="film">The whole film</option>
            {scenes.map((s) => <option value={s.id}>Scene {s.number}</option>)}
          </select>
        </label>
        <span class="animatic-modes" role="radiogroup" aria-label="Show">
          {(["panels", "clips"] as const).map((m) => (
            <button type="button" role="radio" aria-checked={mode === m} class={`btn btn-small ${mode === m ? "btn-primary" : ""}`} onClick={() => setMode(m)} data-testid={`animatic-mode-${m}`} title={m === "clips" ? "Each shot's latest clip in place of its panels" : "The storyboard panels"}>
              {m === "panels" ? "Panels" : "Clips"}
            </button>
          ))}
        </span>
        <label class="check">
          <input type="checkbox" checked={showAction} onChange={(e) => setShowAction(e.currentTarget.checked)} /> Action in captions
        </label>
      </div>

      <div class="animatic-screen" data-testid="animatic-screen">
        {item ? <Picture item={item} shot={shot!} panel={panel} clip={shot ? clips.get(shot.id) ?? null : null} frame={at} rate={rate} playing={speed !== 0} store={store} /> : <div class="animatic-card">Nothing to play</div>}
        {scene && shot && (
          <div class="animatic-burnin" data-testid="animatic-burnin">
            <span>SC {scene.number}</span>
            <span>SH {shot.number}{panel ? ` · P${(item!.panel ?? 0) + 1}` : ""}</span>
            <span class="animatic-burnin-tc">{timecode(at, fps)}</span>
          </div>
        )}
        {shot && (shot.dialogue || (showAction && shot.description)) && (
          <div class="animatic-caption" data-testid="animatic-caption">
            {showAction && shot.description && <p class="animatic-caption-action">{shot.description}</p>}
            {shot.dialogue && <p>{shot.dialogue}</p>}
          </div>
        )}
      </div>

      <div class="animatic-transport">
        <button type="button" class="btn btn-small" onClick={() => step(-1)} title="Back a frame (←)" aria-label="Back a frame">◀︎|</button>
        <button type="button" class="btn btn-small" onClick={() => setSpeed(speed ? 0 : 1)} data-testid="animatic-play" title="Play / pause (Space; J K L shuttle)">{speed ? "Pause" : "Play"}</button>
        <button type="button" class="btn btn-small" onClick={() => step(1)} title="Forward a frame (→)" aria-label="Forward a frame">|▶︎</button>
        <span class="animatic-tc" title={timecodeTitle(fps)} data-testid="animatic-timecode">{timecode(at, fps)}</span>
        <span class="muted" data-testid="animatic-frame" data-frame={at}>frame {at} / {length}</span>
        <span class="muted">{fps} fps{speed && Math.abs(speed) !== 1 ? ` · ${speed}×` : speed < 0 ? " · reverse" : ""}</span>
        <span class="spacer" />
        <span class="muted" data-testid="animatic-loop">{loop ? `Loop ${timecode(loop.in, fps)}–${timecode(loop.out - 1, fps)}` : "I / O set a loop"}</span>
        {loop && <button type="button" class="btn btn-small" onClick={() => setLoop(null)} title="Clear the loop (X)">Clear loop</button>}
      </div>

      <Strip timeline={timeline} scenes={shown} frame={at} loop={loop} onSeek={seek} canEdit={store.can.edit && mode === "panels"} fps={fps}
        onDrag={setDrag}
        onRetime={async (p, frames) => {
          const problems = await store.save("panel", p.id, { duration_s: durationForFrames(frames, fps) });
          setDrag(null);
          if (problems) toast(problems.join(" "), "error");
        }} />

      {scene && shot && store.can.edit && <ScratchSound scene={scene} shot={shot} />}
    </section>
  );
}

function Picture({ item, shot, panel, clip, frame, rate, playing, store }: { item: Item; shot: TimedShot; panel: Panel | null; clip: string | null; frame: number; rate: number; playing: boolean; store: BoardStore }) {
  const video = useRef<HTMLVideoElement>(null);
  const offset = (frame - item.start) / rate;
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    // The clip plays on its own while the film plays; it is put back only when it drifts.
    if (playing) {
      if (Math.abs(element.currentTime - offset) > 0.25) element.currentTime = offset;
      void element.play().catch(() => undefined);
    } else {
      element.pause();
      element.currentTime = offset;
    }
  }, [offset, playing, clip]);
  if (item.kind === "clip" && clip) return <video ref={video} key={clip} src={clip} muted playsInline class="animatic-picture" data-testid="animatic-clip" />;
  const url = panel?.image_url ?? store.latestFrame(shot.id)?.url ?? null;
  if (url) return <img src={url} alt={`Shot ${shot.number}${panel ? `, panel ${(item.panel ?? 0) + 1}` : ""}`} class="animatic-picture" data-testid="animatic-picture" data-panel={panel?.id ?? ""} draggable={false} />;
  return (
    <div class="animatic-card" data-testid="animatic-picture" data-panel={panel?.id ?? ""}>
      <strong>Shot {shot.number}</strong>
      <span>{shot.description || (panel ? `Panel ${(item.panel ?? 0) + 1}` : "No panel yet")}</span>
    </div>
  );
}

function Strip({ timeline, scenes, frame, loop, onSeek, canEdit, fps, onDrag, onRetime }: {
  timeline: Timeline; scenes: TimedScene[]; frame: number; loop: Range | null; onSeek: (frame: number) => void; canEdit: boolean; fps: string;
  onDrag: (drag: { panel: number; frames: number } | null) => void; onRetime: (panel: Panel, frames: number) => void;
}) {
  const strip = useRef<HTMLDivElement>(null);
  const frameAt = (clientX: number) => {
    const box = strip.current!.getBoundingClientRect();
    return Math.floor((clientX - box.left + strip.current!.scrollLeft) / PX_PER_FRAME);
  };
  const startDrag = (event: PointerEvent, p: Panel, frames: number) => {
    event.stopPropagation();
    event.preventDefault();
    const handle = event.currentTarget as HTMLElement;
    handle.setPointerCapture(event.pointerId);
    const x0 = event.clientX;
    let now = frames;
    const move = (e: PointerEvent) => {
      now = retimedFrames(frames, e.clientX - x0, PX_PER_FRAME);
      onDrag({ panel: p.id, frames: now });
    };
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
      if (now !== frames) onRetime(p, now);
      else onDrag(null);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  };
  return (
    <div class="animatic-strip" ref={strip} data-testid="animatic-strip" onPointerDown={(e) => onSeek(frameAt(e.clientX))} style={{ "--px-per-frame": `${PX_PER_FRAME}px` }}>
      <div class="animatic-track" style={{ width: `${timeline.length * PX_PER_FRAME}px` }}>
        {timeline.items.map((item) => {
          const shot = scenes[item.scene].shots[item.shot];
          const p = item.panel != null ? shot.panels[item.panel] : null;
          const firstOfShot = item.panel == null || item.panel === 0;
          return (
            <div
              class={`animatic-item animatic-item-${item.kind} ${firstOfShot ? "animatic-shot-start" : ""}`}
              style={{ left: `${item.start * PX_PER_FRAME}px`, width: `${item.length * PX_PER_FRAME}px` }}
              data-testid={p ? `strip-panel-${p.id}` : `strip-shot-${shot.id}`}
              data-start={item.start}
              data-length={item.length}
              title={`Shot ${shot.number}${p ? ` panel ${(item.panel ?? 0) + 1}` : ""}: ${item.length} frames from ${timecode(item.start, fps)}`}
            >
              <span class="animatic-item-label">{firstOfShot ? `${scenes[item.scene].number}·${shot.number}` : ""}{p ? ` P${(item.panel ?? 0) + 1}` : item.kind === "clip" ? " clip" : ""}</span>
              {p?.image_url && <img src={p.image_url} alt="" draggable={false} />}
              {canEdit && p && (
                <span
                  class="animatic-edge"
                  role="slider"
                  aria-label={`Length of shot ${shot.number} panel ${(item.panel ?? 0) + 1} in frames`}
                  aria-valuenow={item.length}
                  data-testid={`edge-panel-${p.id}`}
                  onPointerDown={(e) => startDrag(e, p, item.length)}
                  title="Drag to retime (whole frames)"
                />
              )}
            </div>
          );
        })}
        {loop && <div class="animatic-loop" style={{ left: `${loop.in * PX_PER_FRAME}px`, width: `${(loop.out - loop.in) * PX_PER_FRAME}px` }} />}
        <div class="animatic-playhead" style={{ left: `${frame * PX_PER_FRAME}px` }} />
      </div>
    </div>
  );
}

/** Scratch sound in sync: each scene's or shot's sound plays from its first frame, is put back
 * when it drifts from the picture, and stops at the end of what it belongs to. Silent without. */
function useScratchSound(timeline: Timeline, scenes: TimedScene[], frame: number, speed: number, rate: number) {
  const players = useRef(new Map<string, HTMLAudioElement>());
  useEffect(() => () => players.current.forEach((audio) => audio.pause()), []);
  useEffect(() => {
    const wanted = new Set<string>();
    for (const span of timeline.audio) {
      const scene = scenes[span.scene];
      const url = span.shot == null ? scene.audio_url : (scene.shots[span.shot] as TimedShot).audio_url;
      if (!url) continue;
      const key = `${span.scene}:${span.shot ?? "scene"}:${url}`;
      wanted.add(key);
      let audio = players.current.get(key);
      if (!audio) {
        audio = new Audio(url);
        audio.preload = "auto";
        audio.dataset.scratch = key;
        players.current.set(key, audio);
      }
      const inside = frame >= span.start && frame < span.start + span.length;
      const offset = (frame - span.start) / rate;
      if (speed === 1 && inside) {
        if (Math.abs(audio.currentTime - offset) > AUDIO_SLACK_S) audio.currentTime = offset;
        if (audio.paused) void audio.play().catch(() => undefined);
      } else if (!audio.paused) audio.pause();
    }
    for (const [key, audio] of players.current) if (!wanted.has(key)) { audio.pause(); players.current.delete(key); }
  }, [timeline, frame, speed]);
}

/** What to tell the director when the server refused a sound (a 400 names the problem). */
function problem(result: { kind: string; errors?: Record<string, string[]>; message?: string; detail?: string }): string {
  return result.errors ? Object.values(result.errors).flat().join(" ") : result.message ?? result.detail ?? "The sound was not saved.";
}

function ScratchSound({ scene, shot }: { scene: TimedScene; shot: TimedShot }) {
  const [busy, setBusy] = useState(false);
  const upload = async (kind: "scenes" | "shots", id: number, file: File | undefined) => {
    if (!file) return;
    const form = new FormData();
    form.append("audio", file);
    setBusy(true);
    // The room's change brings the new sound to every open animatic, this one included.
    const path = kind === "shots" ? "/api/shots/{id}/audio/" : "/api/scenes/{id}/audio/";
    const result = await settle(
      api.POST(path, { params: { path: { id } }, body: form as unknown as { audio: string }, bodySerializer: (body: unknown) => body as FormData }),
    );
    setBusy(false);
    if (result.ok) toast(`Scratch sound set on ${kind === "shots" ? `shot ${shot.number}` : `scene ${scene.number}`}.`, "ok", 3000);
    else toast(problem(result), "error", 9000);
  };
  const remove = async (kind: "scenes" | "shots", id: number) => {
    const path = kind === "shots" ? "/api/shots/{id}/audio/" : "/api/scenes/{id}/audio/";
    const result = await settle(api.DELETE(path, { params: { path: { id } } }));
    if (!result.ok) toast(problem(result), "error");
  };
  return (
    <div class="animatic-sound" aria-busy={busy}>
      <strong>Scratch sound</strong>
      {([["shots", shot.id, `Shot ${shot.number}`, shot.audio_url], ["scenes", scene.id, `Scene ${scene.number}`, scene.audio_url]] as const).map(([kind, id, label, url]) => (
        <span class="animatic-sound-row">
          {label}: {url ? "has sound" : "silent"}
          <label class="btn btn-small">
            {url ? "Replace" : "Add"} WAV / MP3 / M4A
            <input type="file" accept={AUDIO_TYPES} hidden data-testid={`animatic-audio-${kind}`} onChange={(e) => void upload(kind, id, e.currentTarget.files?.[0])} />
          </label>
          {url && <button type="button" class="btn btn-small" onClick={() => void remove(kind, id)}>Remove</button>}
        </span>
      ))}
    </div>
  );
}
