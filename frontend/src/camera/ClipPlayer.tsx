// A previs clip with frame-accurate stepping. Positions are integer frame numbers (frame 0 is
// 00:00:00:00); a seek lands in the middle of the frame's display interval so float rounding can
// never show the neighbour. The clips carry a keyframe every 12 frames, so seeks are exact.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Asset } from "../api/types";
import { frameRate, framesIn, timecode, timecodeTitle } from "../timecode";

/** The clip's bytes as a local object URL: seeking needs byte ranges, which the studio's asset
 *  view does not serve (a plain 200), so the player holds the whole (small) file instead. */
function useLocalCopy(url: string): string | null {
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made = "";
    setLocal(null);
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setLocal(made);
      })
      .catch(() => live && setLocal(url)); // play it straight from the server, stepping may be coarse
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return local;
}

export function ClipPlayer({ clip, poster, fps, label }: { clip: Asset; poster?: Asset; fps: string; label: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const source = useLocalCopy(clip.url);
  const [frame, setFrame] = useState(0);
  const [count, setCount] = useState(clip.duration_s ? framesIn(clip.duration_s, fps) : 0);
  const [playing, setPlaying] = useState(false);
  const rate = frameRate(fps);
  const last = Math.max(0, count - 1);

  // While playing, follow the frame actually presented.
  useEffect(() => {
    const element = video.current;
    if (!element || !playing) return;
    let handle = 0;
    const withCallback = "requestVideoFrameCallback" in element;
    const tick = (_now: number, meta?: VideoFrameCallbackMetadata) => {
      const time = meta?.mediaTime ?? element.currentTime;
      setFrame(Math.min(last, Math.floor(time * rate + 1e-3)));
      handle = withCallback ? element.requestVideoFrameCallback(tick) : requestAnimationFrame((t) => tick(t));
    };
    handle = withCallback ? element.requestVideoFrameCallback(tick) : requestAnimationFrame((t) => tick(t));
    return () => (withCallback ? element.cancelVideoFrameCallback(handle) : cancelAnimationFrame(handle));
  }, [playing, rate, last]);

  const seek = (to: number) => {
    const element = video.current;
    if (!element) return;
    element.pause();
    const target = Math.max(0, Math.min(last, to));
    setFrame(target);
    element.currentTime = (target + 0.5) / rate;
  };

  const toggle = () => {
    const element = video.current;
    if (!element) return;
    if (element.paused) {
      if (frame >= last) element.currentTime = 0.5 / rate;
      void element.play();
    } else {
      element.pause();
    }
  };

  const onKey = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => seek(frame - 1),
      ArrowRight: () => seek(frame + 1),
      Home: () => seek(0),
      End: () => seek(last),
      " ": toggle,
      k: toggle,
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  };

  return (
    <div class="player" tabIndex={0} onKeyDown={onKey} data-testid="clip-player" aria-label={`${label}: ← → step one frame, space plays`}>
      <div class="player-screen">
        <video
          ref={video}
          src={source ?? undefined}
          poster={poster?.url}
          preload="auto"
          playsInline
          muted
          data-testid="clip-video"
          onLoadedMetadata={(e) => {
            const duration = e.currentTarget.duration;
            if (Number.isFinite(duration)) setCount(framesIn(duration, fps));
          }}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => {
            setPlaying(false);
            setFrame(last);
          }}
          onClick={toggle}
        />
      </div>
      <div class="player-bar">
        <button class="btn btn-small player-btn" onClick={() => seek(frame - 1)} title="Previous frame (←)" aria-label="Previous frame" data-testid="clip-prev">◀︎❙</button>
        <button class="btn btn-small player-btn player-play" onClick={toggle} title="Play / pause (space)" aria-label={playing ? "Pause" : "Play"} data-testid="clip-play">
          {playing ? "❚❚" : "▶︎"}
        </button>
        <button class="btn btn-small player-btn" onClick={() => seek(frame + 1)} title="Next frame (→)" aria-label="Next frame" data-testid="clip-next">❙▶︎</button>
        <input class="player-scrub" type="range" min={0} max={last} step={1} value={frame} aria-label="Frame" onInput={(e) => seek(Number(e.currentTarget.value))} />
        <span class="timecode" title={timecodeTitle(fps)} data-testid="clip-timecode">{timecode(frame, fps)}</span>
        <span class="frame-counter" title="Frame number (frame 0 is 00:00:00:00) of the clip's frame count">
          <b data-testid="clip-frame">{frame}</b><span class="muted"> / {count} fr · {fps} fps</span>
        </span>
      </div>
    </div>
  );
}
