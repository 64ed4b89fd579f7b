// Render jobs as this browser knows them: the rows read over REST, with the room's live events
// laid over them (progress ticks, and the final event, which carries the outputs, so a finished
// job is never read again). The latest job of each shot is what the board draws.
import { api, settle, type WriteResult } from "../api/client";
import type { Asset, RenderJob, Shot } from "../api/types";
import type { JobEvent } from "./protocol";

/** A render job, as far as this browser knows (the row, plus the room's live progress). */
export interface JobView {
  id: number;
  shot: number | null;
  status: RenderJob["status"];
  progress: number;
  error: string;
  outputs: Asset[] | null;
  kind?: RenderJob["kind"];
  backend?: RenderJob["backend"];
  seed?: number | null;
  created_at?: string;
  /** The result is a stored earlier render of the same spec (no worker was used). */
  reused?: boolean;
  /** Frames (or denoising steps) done of total, from the room's progress messages. */
  done?: number;
  total?: number;
  preview?: string;
}

export type RenderKind = RenderJob["kind"];
export type RenderBackend = RenderJob["backend"];

/** RenderJob.outputs is typed loosely by the schema (a SerializerMethodField); its items are Assets. */
function outputsOf(job: RenderJob): Asset[] {
  return job.outputs as unknown as Asset[];
}

export function jobView(job: RenderJob): JobView {
  return {
    id: job.id, shot: job.shot, status: job.status, progress: job.progress, error: job.error, outputs: outputsOf(job),
    kind: job.kind, backend: job.backend, seed: job.seed, created_at: job.created_at, reused: job.reused_from != null,
  };
}

const isActive = (status: RenderJob["status"]) => status === "queued" || status === "running";

/** A room event laid over what is known of the job: the event that says it succeeded carries
 *  its outputs (apps/renders/events.py), so a finished job is never read again over REST. */
export function mergeJob(known: JobView | undefined, event: JobEvent): JobView {
  const same = known && known.id === event.id ? known : undefined;
  const active = isActive(event.status);
  return {
    ...same,
    id: event.id, shot: event.shot, status: event.status, progress: event.progress, error: event.error,
    outputs: event.status === "succeeded" ? event.outputs : same?.outputs ?? null,
    kind: event.kind, backend: event.backend, seed: event.seed, created_at: event.created_at, reused: event.reused_from != null,
    done: active ? event.done ?? same?.done : undefined, total: active ? event.total ?? same?.total : undefined,
    preview: active ? event.preview ?? same?.preview : undefined,
  };
}

export class RenderJobs {
  /** The latest job of each shot (by shot id). */
  readonly latest = new Map<number, JobView>();
  /** Every job this browser has seen (by job id): a shot's render history once loaded. */
  private all = new Map<number, JobView>();
  private historyLoaded = new Set<number>();

  /** `changed`: something to draw; `refused`: a REST answer to report. */
  constructor(
    private readonly projectId: number,
    private readonly changed: () => void,
    private readonly refused: (result: WriteResult<unknown>) => void,
  ) {}

  /** Each shot's newest finished frame render with its picture (by shot id): what the shot shows
   *  where no panel image was chosen (board/thumbnail.ts). */
  readonly frames = new Map<number, { job: number; frame: Asset }>();

  /** Record a job (newer news of it replaces older); the shot's latest job follows. */
  private put(job: JobView): void {
    if (job.shot == null) return;
    this.all.set(job.id, job);
    const latest = this.latest.get(job.shot);
    if (!latest || latest.id <= job.id) this.latest.set(job.shot, job);
    const frame = job.status === "succeeded" && job.kind === "frame" ? job.outputs?.find((o) => o.kind === "frame") : undefined;
    const known = this.frames.get(job.shot);
    if (frame && (!known || known.job <= job.id)) this.frames.set(job.shot, { job: job.id, frame });
  }

  /** A shot's renders, newest first (complete once loadHistory has run). */
  of(shotId: number): JobView[] {
    return [...this.all.values()].filter((j) => j.shot === shotId).sort((a, b) => b.id - a.id);
  }

  historyReady(shotId: number): boolean {
    return this.historyLoaded.has(shotId);
  }

  /** The project's jobs (each shot's latest among them). */
  async load(): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/", { params: { query: { project: this.projectId } } });
    for (const job of data ?? []) this.put(jobView(job));
    this.changed();
  }

  async loadHistory(shotId: number): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/", { params: { query: { shot: shotId } } }).catch(() => ({ data: undefined }));
    if (!data) return;
    for (const job of data) {
      const known = this.all.get(job.id);
      // A live progress tick is newer than the row read: keep it while the job is running.
      if (known && isActive(known.status) && job.status === known.status) this.put({ ...jobView(job), ...known, outputs: outputsOf(job) });
      else this.put(jobView(job));
    }
    this.historyLoaded.add(shotId);
    this.changed();
  }

  /** A job event from the room (a progress tick or a logged change). */
  apply(event: JobEvent): void {
    if (event.shot == null) return;
    const known = this.all.get(event.id) ?? (this.latest.get(event.shot)?.id === event.id ? this.latest.get(event.shot) : undefined);
    this.put(mergeJob(known, event));
    this.changed();
  }

  /** Queue a render of the shot; resolves with the server's reason when it refuses (else null). */
  async start(shot: Shot, kind: RenderKind, backend: RenderBackend): Promise<string | null> {
    const parameters = kind === "frame" ? { width: 960 } : {};
    const result = await settle(api.POST("/api/render-jobs/", { body: { shot: shot.id, kind, backend, parameters } }));
    if (!result.ok) return result.kind === "invalid" ? Object.values(result.errors).flat().join(" ") : result.kind === "conflict" ? result.detail : result.message;
    const job = result.data as RenderJob;
    const known = this.all.get(job.id);
    // The room may have reported progress before this answer arrived.
    this.put(known && known.progress > job.progress ? { ...jobView(job), ...known, kind: job.kind, backend: job.backend, seed: job.seed, created_at: job.created_at } : jobView(job));
    this.changed();
    return null;
  }

  cancel(job: JobView): Promise<void> {
    return this.act(api.POST("/api/render-jobs/{id}/cancel/", { params: { path: { id: job.id } } }));
  }

  retry(job: JobView): Promise<void> {
    return this.act(api.POST("/api/render-jobs/{id}/retry/", { params: { path: { id: job.id } } }));
  }

  private async act(request: Parameters<typeof settle>[0]): Promise<void> {
    const result = await settle(request);
    if (result.ok) {
      this.put(jobView(result.data as RenderJob));
      this.changed();
    } else this.refused(result);
  }
}
