// Renders of one shot: start them, follow their progress, look at the results (frame, depth and
// plan side by side; clips in a frame-accurate player) and pick from the history.
import { useState } from "preact/hooks";
import type { Asset, Shot } from "../api/types";
import { useBoard } from "../state/context";
import type { JobView, RenderBackend, RenderKind } from "../state/store";
import { aspectValue, CAPABILITIES, RENDER_STATUSES } from "../vocab";
import { ClipPlayer } from "./ClipPlayer";
import { DepthView } from "./DepthView";
import { LockedButton } from "../ui/roles";

const output = (job: JobView | undefined, kind: Asset["kind"]) => job?.outputs?.find((o) => o.kind === kind);
const isActive = (job: JobView) => job.status === "queued" || job.status === "running";
const BACKENDS: Record<RenderBackend, string> = { blocking: "Grey-box", diffusion: "Styled" };

export function RenderSection({ shot }: { shot: Shot }) {
  const store = useBoard();
  const jobs = store.jobsOf(shot.id);
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const [frameId, setFrameId] = useState<number | null>(null);
  const [clipId, setClipId] = useState<number | null>(null);

  const done = jobs.filter((j) => j.status === "succeeded" && j.outputs?.length);
  const frameJob = done.find((j) => j.id === frameId) ?? done.find((j) => j.kind === "frame");
  const clipJob = done.find((j) => j.id === clipId) ?? done.find((j) => j.kind === "clip");
  // Unfinished jobs, and failures nothing newer of the same kind has replaced.
  const queue = jobs.filter((j) => j.status !== "succeeded" && !done.some((d) => d.kind === j.kind && d.backend === j.backend && d.id > j.id)).slice(0, 4);

  const render = async (kind: RenderKind, backend: RenderBackend) => {
    setBusy(true);
    setProblem("");
    const refused = await store.startRender(shot, kind, backend);
    setBusy(false);
    if (refused) setProblem(refused);
    else if (kind === "frame") setFrameId(null);
    else setClipId(null);
  };

  return (
    <section class="cam-renders">
      <div class="cam-section-head">
        <h2>Renders</h2>
        {store.can.render && (
          <div class="render-actions">
            <button class="btn btn-primary btn-small" disabled={busy} onClick={() => render("frame", "blocking")} data-testid="camera-render-frame"
              title="Grey-box frame of this camera: colour, depth and camera plot">Render frame</button>
            <button class="btn btn-small" disabled={busy} onClick={() => render("clip", "blocking")} data-testid="camera-render-clip"
              title="Grey-box clip of the camera move at the shot's duration and frame rate (H.264)">Render clip</button>
            <button class="btn btn-small" disabled={busy || !CAPABILITIES.styled_renders} onClick={() => render("frame", "diffusion")} data-testid="camera-render-styled"
              aria-describedby={CAPABILITIES.styled_renders ? undefined : "styled-unavailable"}
              title={CAPABILITIES.styled_renders_reason ?? "Styled frame from the project's look, keeping this framing"}>Styled frame</button>
          </div>
        )}
        {!store.can.render && (
          <div class="render-actions">
            <LockedButton action="render" role={store.data?.project.role} testid="camera-render-locked">Render frame</LockedButton>
          </div>
        )}
      </div>
      {store.can.render && !CAPABILITIES.styled_renders && (
        <p class="muted small styled-unavailable" id="styled-unavailable" data-testid="styled-unavailable">Styled frame is off: {CAPABILITIES.styled_renders_reason}</p>
      )}
      {problem && (
        <div class="render-refused" role="alert" data-testid="camera-render-error">
          <span>{problem}</span>
          <button class="btn btn-ghost btn-icon" aria-label="Dismiss" onClick={() => setProblem("")}>×</button>
        </div>
      )}
      {queue.length > 0 && <div class="job-queue">{queue.map((job) => <JobRow key={job.id} job={job} />)}</div>}
      <div class="outputs">
        <FrameOutputs shot={shot} job={frameJob} />
      </div>
      {clipJob && output(clipJob, "clip") && (
        <div class="clip-block">
          <div class="cam-sub-head">Clip <span class="muted">#{clipJob.id} · {BACKENDS[clipJob.backend ?? "blocking"]}{clipJob.seed != null ? ` · seed ${clipJob.seed}` : ""}</span></div>
          <ClipPlayer key={clipJob.id} clip={output(clipJob, "clip")!} poster={output(clipJob, "poster")} fps={shot.fps} label={`Clip of shot ${shot.number}`} />
        </div>
      )}
      <History shot={shot} jobs={jobs} shownFrame={frameJob?.id} shownClip={clipJob?.id}
        onShow={(job) => (job.kind === "clip" ? setClipId(job.id) : setFrameId(job.id))} />
    </section>
  );
}

function JobRow({ job }: { job: JobView }) {
  const store = useBoard();
  const percent = Math.round((job.status === "succeeded" ? 1 : job.progress) * 100);
  return (
    <div class={`job job-${job.status}`} data-testid={`job-${job.id}`} data-status={job.status}>
      <span class="job-name">{job.kind === "clip" ? "Clip" : "Frame"} <span class="muted">#{job.id} · {BACKENDS[job.backend ?? "blocking"]}</span></span>
      <div class="progress" role="progressbar" aria-label={`${job.kind === "clip" ? "Clip" : "Frame"} render #${job.id}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} data-testid={`job-${job.id}-progress`}>
        <div class="progress-bar" style={{ width: `${percent}%` }} />
      </div>
      <span class="job-state">
        {RENDER_STATUSES[job.status]}
        {isActive(job) && (job.total ? ` ${job.done ?? 0}/${job.total}` : ` ${percent}%`)}
      </span>
      {store.can.render && isActive(job) && <button class="btn btn-ghost btn-tiny" onClick={() => store.cancelJob(job)} data-testid={`job-${job.id}-cancel`}>Cancel</button>}
      {store.can.render && (job.status === "failed" || job.status === "cancelled") && (
        <button class="btn btn-tiny" onClick={() => store.retryJob(job)} data-testid={`job-${job.id}-retry`}>Retry</button>
      )}
      {job.status === "failed" && job.error && <div class="job-error" data-testid={`job-${job.id}-error`}>{job.error}</div>}
      {job.preview && <img class="job-preview" src={job.preview} alt="Denoising preview" />}
    </div>
  );
}

function FrameOutputs({ shot, job }: { shot: Shot; job: JobView | undefined }) {
  const store = useBoard();
  const ratio = String(aspectValue(shot.aspect_ratio));
  const frame = output(job, "frame");
  const depth = output(job, "depth");
  const plan = output(job, "plan");
  if (!job || !frame) {
    return <p class="outputs-empty muted">No frame rendered yet. “Render frame” draws this camera in grey-box: colour, depth and the camera plot.</p>;
  }
  return (
    <>
      <div class="cam-sub-head">
        Frame <span class="muted">#{job.id} · {BACKENDS[job.backend ?? "blocking"]}{job.seed != null ? ` · seed ${job.seed}` : ""}{job.reused ? " · reused identical render" : ""}</span>
        <span class="spacer" />
        {store.can.edit && (
          <button class="btn btn-tiny" onClick={() => store.useFrame(shot, frame)} data-testid="camera-use-frame">Use as panel image</button>
        )}
      </div>
      <div class="triptych" style={{ "--ratio": ratio }} data-testid="camera-out-frames" data-job={job.id}>
        <figure class="out" data-testid="camera-out-frame">
          <div class="out-frame"><img src={frame.url} alt={`Frame of shot ${shot.number}`} data-testid="camera-frame-image" /></div>
          <figcaption><b>Frame</b> <span class="muted">{frame.width}×{frame.height}</span></figcaption>
        </figure>
        {depth && <DepthView asset={depth} alt={`Depth map of shot ${shot.number}`} />}
        {plan && (
          <figure class="out out-plan" data-testid="camera-out-plan">
            <div class="out-frame"><img src={plan.url} alt={`Camera plot of shot ${shot.number}`} data-testid="camera-plan-image" /></div>
            <figcaption><b>Plan</b> <span class="muted">as rendered</span></figcaption>
          </figure>
        )}
      </div>
    </>
  );
}

function History({ shot, jobs, shownFrame, shownClip, onShow }: {
  shot: Shot; jobs: JobView[]; shownFrame?: number; shownClip?: number; onShow: (job: JobView) => void;
}) {
  const store = useBoard();
  return (
    <div class="history">
      <div class="cam-sub-head">History <span class="muted">{store.historyReady(shot.id) ? `${jobs.length} render${jobs.length === 1 ? "" : "s"}, newest first` : "loading…"}</span></div>
      {jobs.length === 0 && store.historyReady(shot.id) && <p class="muted">Nothing rendered for this shot yet.</p>}
      <ol class="history-list" data-testid="render-history">
        {jobs.map((job) => {
          const thumb = output(job, "frame") ?? output(job, "poster");
          const frame = output(job, "frame");
          const shown = job.id === shownFrame || job.id === shownClip;
          return (
            <li key={job.id} class={`hist ${shown ? "hist-shown" : ""}`} data-testid={`history-${job.id}`} data-kind={job.kind} data-status={job.status}>
              <button class="hist-thumb" style={{ aspectRatio: String(aspectValue(shot.aspect_ratio)) }} disabled={!thumb} onClick={() => onShow(job)}
                title={thumb ? "Show this render above" : RENDER_STATUSES[job.status]}>
                {thumb ? <img src={thumb.url} alt={`Render ${job.id}`} loading="lazy" /> : <span class={`hist-status hist-${job.status}`}>{RENDER_STATUSES[job.status]}</span>}
                {job.kind === "clip" && <span class="hist-kind">▶ clip</span>}
              </button>
              <div class="hist-meta">
                <span><span class={`dot dot-${job.status}`} />{RENDER_STATUSES[job.status]}</span>
                <span class="muted">{BACKENDS[job.backend ?? "blocking"]} {job.kind}{job.seed != null ? ` · seed ${job.seed}` : ""}</span>
                <span class="muted">{job.created_at ? clock(job.created_at) : ""}</span>
              </div>
              {frame && store.can.edit && (
                <button class="btn btn-tiny hist-use" onClick={() => store.useFrame(shot, frame)} data-testid={`history-${job.id}-use`} title="Put this frame on the shot's first panel">
                  Use as panel
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function clock(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : date.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
}
