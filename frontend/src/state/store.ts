// One project's board in the browser: the rows as last read, the writes the user makes
// (each based on the version they read), and the room's changes applied as they arrive.
import { api, ifMatch, settle, type WriteResult } from "../api/client";
import type {
  Asset, Character, CharacterPatch, Location, LocationPatch, Panel, PanelPatch, Project, RenderJob, Scene, ScenePatch,
  SceneRow, SessionUser, Shot, ShotPatch, ShotRow,
} from "../api/types";
import { toast } from "../ui/toasts";
import { SETTINGS } from "../vocab";
import { LiveRoom, type LinkState } from "./live";
import type { Change, Entity, EntityRows, JobEvent, MoveData, RowData } from "./protocol";

export interface BoardData {
  project: Project;
  scenes: Scene[];
  characters: Character[];
  locations: Location[];
}

/** The latest render of a shot, as far as this browser knows. */
export interface JobView {
  id: number;
  shot: number | null;
  status: RenderJob["status"];
  progress: number;
  error: string;
  outputs: Asset[] | null;
}

type Ranked = { id: number; rank: string };
const byRank = (a: Ranked, b: Ranked) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id);
const byName = (a: { name: string; id: number }, b: { name: string; id: number }) => a.name.localeCompare(b.name) || a.id - b.id;

/** RenderJob.outputs is typed loosely by the schema (a SerializerMethodField); its items are Assets. */
function outputsOf(job: RenderJob): Asset[] {
  return job.outputs as unknown as Asset[];
}

function jobView(job: RenderJob): JobView {
  return { id: job.id, shot: job.shot, status: job.status, progress: job.progress, error: job.error, outputs: outputsOf(job) };
}

export class BoardStore {
  data: BoardData | null = null;
  loadError = "";
  jobs = new Map<number, JobView>();
  link: LinkState = "connecting";
  linkDetail = "";
  private seq = 0;
  private members = new Map<number, string>();
  /** Who last changed each row (from the room), to say who got there first on a conflict. */
  private lastActor = new Map<string, number | null>();
  private listeners = new Set<() => void>();
  private room: LiveRoom;
  private refetchTimer = 0;

  constructor(readonly projectId: number, readonly me: SessionUser) {
    this.room = new LiveRoom(projectId, {
      lastSeq: () => this.seq,
      apply: (change) => this.applyChange(change),
      render: (job) => this.applyRender(job),
      state: (state, detail) => {
        this.link = state;
        this.linkDetail = detail ?? "";
        this.emit();
      },
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }

  private set(update: (data: BoardData) => BoardData): void {
    if (!this.data) return;
    this.data = update(this.data);
    this.emit();
  }

  get can(): { edit: boolean; render: boolean; manage: boolean } {
    const allowed = this.data?.project.allowed ?? [];
    return { edit: allowed.includes("edit"), render: allowed.includes("render"), manage: allowed.includes("manage_project") };
  }

  // --- Loading -------------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.load();
    if (!this.data) return;
    this.room.start();
    void this.loadMembers();
    void this.loadJobs();
  }

  stop(): void {
    this.room.stop();
    window.clearTimeout(this.refetchTimer);
  }

  async load(): Promise<void> {
    const { data, response } = await api.GET("/api/projects/{id}/board/", { params: { path: { id: this.projectId } } }).catch(() => ({ data: undefined, response: null }));
    if (!data) {
      this.loadError = response?.status === 404 ? "This project does not exist or you are not a member." : "Could not load the board.";
      this.emit();
      return;
    }
    // The board read is a consistent snapshot up to project.last_seq; the room replays the rest.
    this.seq = Math.max(this.seq, data.project.last_seq ?? 0);
    this.data = data as BoardData;
    this.loadError = "";
    this.emit();
  }

  /** Re-read the whole board soon (used when a change cannot be applied row by row). */
  private refetchSoon(): void {
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => void this.load(), 150);
  }

  private async loadMembers(): Promise<void> {
    const { data } = await api.GET("/api/projects/{project_pk}/members/", { params: { path: { project_pk: this.projectId } } });
    for (const member of data ?? []) this.members.set(member.user, member.display_name);
  }

  private async loadJobs(): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/", { params: { query: { project: this.projectId } } });
    for (const job of data ?? []) {
      if (job.shot == null) continue;
      const known = this.jobs.get(job.shot);
      if (!known || known.id < job.id) this.jobs.set(job.shot, jobView(job));
    }
    this.emit();
  }

  // --- Lookups -------------------------------------------------------------------------------

  shot(id: number): Shot | undefined {
    for (const scene of this.data?.scenes ?? []) {
      const shot = scene.shots.find((s) => s.id === id);
      if (shot) return shot;
    }
    return undefined;
  }

  panel(id: number): Panel | undefined {
    for (const scene of this.data?.scenes ?? []) for (const shot of scene.shots) {
      const panel = shot.panels.find((p) => p.id === id);
      if (panel) return panel;
    }
    return undefined;
  }

  private who(entity: Entity, id: number): string {
    const actor = this.lastActor.get(`${entity}:${id}`);
    if (actor == null) return "Someone else";
    if (actor === this.me.id) return "You (in another window)";
    return this.members.get(actor) ?? "Someone else";
  }

  private conflict(entity: Entity, id: number, what: string): void {
    toast(`${this.who(entity, id)} changed ${what} meanwhile — your edit was not applied. The row now shows their version.`, "warn", 9000);
  }

  private failed(result: WriteResult<unknown>): void {
    if (result.ok || result.kind === "invalid" || result.kind === "conflict") return;
    toast(result.message, "error");
    if (result.kind === "gone") this.refetchSoon();
  }

  // --- Local row edits (shared by API answers and room changes) -------------------------------

  private mapScenes(fn: (scene: Scene) => Scene): void {
    this.set((data) => ({ ...data, scenes: data.scenes.map(fn) }));
  }

  private mapShots(fn: (shot: Shot) => Shot): void {
    this.mapScenes((scene) => {
      const shots = scene.shots.map(fn);
      return shots.some((s, i) => s !== scene.shots[i]) ? { ...scene, shots } : scene;
    });
  }

  private mapPanels(fn: (panel: Panel) => Panel): void {
    this.mapShots((shot) => {
      const panels = shot.panels.map(fn);
      return panels.some((p, i) => p !== shot.panels[i]) ? { ...shot, panels } : shot;
    });
  }

  private heading(scene: Pick<Scene, "setting" | "location" | "time_of_day">): string {
    // Same slugline the server builds (Scene.heading), so local edits show it at once.
    const location = this.data?.locations.find((l) => l.id === scene.location);
    return `${SETTINGS[scene.setting]} ${location ? location.name.toUpperCase() : "UNKNOWN"} - ${scene.time_of_day}`;
  }

  private putShotRow(row: ShotRow | Partial<Shot> & { id: number; version: number }): void {
    this.mapShots((shot) => (shot.id === row.id && row.version >= shot.version ? { ...shot, ...row, panels: shot.panels } : shot));
  }

  private putSceneRow(row: SceneRow | Partial<Scene> & { id: number; version: number }): void {
    this.mapScenes((scene) => {
      if (scene.id !== row.id || row.version < scene.version) return scene;
      const merged = { ...scene, ...row, shots: scene.shots };
      return { ...merged, heading: this.heading(merged) };
    });
  }

  private putPanelRow(row: Partial<Panel> & { id: number; version: number }): void {
    this.mapPanels((panel) => (panel.id === row.id && row.version >= panel.version ? { ...panel, ...row } : panel));
  }

  private putCharacter(row: Partial<Character> & { id: number; version: number }): void {
    this.set((data) => ({ ...data, characters: data.characters.map((c) => (c.id === row.id && row.version >= c.version ? { ...c, ...row } : c)).sort(byName) }));
  }

  private putLocation(row: Partial<Location> & { id: number; version: number }): void {
    this.set((data) => ({ ...data, locations: data.locations.map((l) => (l.id === row.id && row.version >= l.version ? { ...l, ...row } : l)).sort(byName) }));
    // A renamed location renames every slugline that uses it.
    this.mapScenes((scene) => (scene.location === row.id ? { ...scene, heading: this.heading(scene) } : scene));
  }

  private removeRow(entity: Entity, id: number): void {
    if (entity === "scene") this.set((data) => ({ ...data, scenes: data.scenes.filter((s) => s.id !== id) }));
    if (entity === "shot") this.mapScenes((scene) => (scene.shots.some((s) => s.id === id) ? { ...scene, shots: scene.shots.filter((s) => s.id !== id) } : scene));
    if (entity === "panel") this.mapShots((shot) => (shot.panels.some((p) => p.id === id) ? { ...shot, panels: shot.panels.filter((p) => p.id !== id) } : shot));
    if (entity === "character") {
      this.set((data) => ({ ...data, characters: data.characters.filter((c) => c.id !== id) }));
      this.mapShots((shot) => (shot.characters.includes(id) ? { ...shot, characters: shot.characters.filter((c) => c !== id) } : shot));
    }
    if (entity === "location") this.set((data) => ({ ...data, locations: data.locations.filter((l) => l.id !== id) }));
  }

  /** Put a shot under `sceneId` with a new rank (from a move answer or a room change). */
  private placeShot(id: number, sceneId: number, rank: string, version: number): boolean {
    const shot = this.shot(id);
    if (!shot || !this.data?.scenes.some((s) => s.id === sceneId)) return false;
    const moved: Shot = { ...shot, scene: sceneId, rank, version: Math.max(version, shot.version) };
    this.mapScenes((scene) => {
      const rest = scene.shots.filter((s) => s.id !== id);
      const shots = scene.id === sceneId ? [...rest, moved].sort(byRank) : rest;
      return { ...scene, shots };
    });
    return true;
  }

  private placePanel(id: number, shotId: number, rank: string, version: number): boolean {
    const panel = this.panel(id);
    if (!panel || !this.shot(shotId)) return false;
    const moved: Panel = { ...panel, shot: shotId, rank, version: Math.max(version, panel.version) };
    this.set((data) => ({
      ...data,
      scenes: data.scenes.map((scene) => ({
        ...scene,
        shots: scene.shots.map((shot) => {
          const rest = shot.panels.filter((p) => p.id !== id);
          if (shot.id === shotId) return { ...shot, panels: [...rest, moved].sort(byRank) };
          return rest.length === shot.panels.length ? shot : { ...shot, panels: rest };
        }),
      })),
    }));
    return true;
  }

  private placeScene(id: number, rank: string, version: number): void {
    this.set((data) => ({
      ...data,
      scenes: data.scenes.map((s) => (s.id === id ? { ...s, rank, version: Math.max(version, s.version) } : s)).sort(byRank),
    }));
  }

  // --- Room changes --------------------------------------------------------------------------

  private applyChange(change: Change): void {
    this.seq = Math.max(this.seq, change.seq);
    this.lastActor.set(`${change.entity}:${change.id}`, change.actor);
    if (!this.data) return;
    try {
      this.applyOne(change);
    } catch (error) {
      console.warn("could not apply change; re-reading the board", change, error);
      this.refetchSoon();
    }
  }

  private applyOne(change: Change): void {
    const { entity, action, id } = change;
    if (entity === "render_job") return this.applyRender(change.data as JobEvent);
    if (entity === "membership") return this.refetchSoon(); // roles and allowed actions may change
    if (action === "delete") {
      if (entity === "project") {
        toast("This project was deleted.", "error");
        return;
      }
      return this.removeRow(entity, id);
    }
    if (action === "move") {
      const data = change.data as MoveData;
      if (entity === "scene") return this.placeScene(id, data.rank, data.version);
      const ok = entity === "shot" ? this.placeShot(id, data.scene!, data.rank, data.version) : entity === "panel" ? this.placePanel(id, data.shot!, data.rank, data.version) : false;
      if (!ok) this.refetchSoon();
      return;
    }
    const data = change.data as RowData<EntityRows[keyof EntityRows]>;
    const row = { ...data.fields, id, version: data.version };
    if (action === "create") return this.insertRow(entity, row);
    switch (entity) {
      case "project":
        return this.set((d) => ({ ...d, project: { ...d.project, ...(data.fields as Partial<Project>), version: data.version } }));
      case "scene":
        return this.putSceneRow(row as Partial<Scene> & { id: number; version: number });
      case "shot":
        return this.putShotRow(row as Partial<Shot> & { id: number; version: number });
      case "panel": {
        this.putPanelRow(row as Partial<Panel> & { id: number; version: number });
        // The change names the new asset id only; its URL comes with the row.
        if ("image" in data.fields && !("image_url" in data.fields)) void this.rereadPanel(id);
        return;
      }
      case "character":
        return this.putCharacter(row as Partial<Character> & { id: number; version: number });
      case "location":
        return this.putLocation(row as Partial<Location> & { id: number; version: number });
    }
  }

  private insertRow(entity: Entity, fields: Record<string, unknown> & { id: number }): void {
    const data = this.data!;
    switch (entity) {
      case "scene": {
        if (data.scenes.some((s) => s.id === fields.id)) return;
        const scene = { ...(fields as unknown as Scene), shots: [] };
        return this.set((d) => ({ ...d, scenes: [...d.scenes, { ...scene, heading: scene.heading ?? this.heading(scene) }].sort(byRank) }));
      }
      case "shot": {
        const shot = { ...(fields as unknown as Shot), panels: [] };
        if (this.shot(shot.id)) return;
        if (!data.scenes.some((s) => s.id === shot.scene)) return this.refetchSoon();
        return this.mapScenes((scene) => (scene.id === shot.scene ? { ...scene, shots: [...scene.shots, shot].sort(byRank) } : scene));
      }
      case "panel": {
        const panel = fields as unknown as Panel;
        if (this.panel(panel.id)) return;
        if (!this.shot(panel.shot)) return this.refetchSoon();
        return this.mapShots((shot) => (shot.id === panel.shot ? { ...shot, panels: [...shot.panels, panel].sort(byRank) } : shot));
      }
      case "character":
        if (data.characters.some((c) => c.id === fields.id)) return;
        return this.set((d) => ({ ...d, characters: [...d.characters, fields as unknown as Character].sort(byName) }));
      case "location":
        if (data.locations.some((l) => l.id === fields.id)) return;
        return this.set((d) => ({ ...d, locations: [...d.locations, fields as unknown as Location].sort(byName) }));
      default:
        return this.refetchSoon();
    }
  }

  private async rereadPanel(id: number): Promise<void> {
    const { data } = await api.GET("/api/panels/{id}/", { params: { path: { id } } });
    if (data) this.putPanelRow(data as Panel);
  }

  private applyRender(event: JobEvent): void {
    if (event.shot == null) return;
    const known = this.jobs.get(event.shot);
    if (known && known.id > event.id) return; // an older job of this shot
    const outputs = known && known.id === event.id ? known.outputs : null;
    this.jobs.set(event.shot, { id: event.id, shot: event.shot, status: event.status, progress: event.progress, error: event.error ?? "", outputs });
    this.emit();
    if (event.status === "succeeded" && !outputs?.length) void this.rereadJob(event.id);
  }

  private async rereadJob(id: number): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/{id}/", { params: { path: { id: id } } });
    if (data?.shot != null) {
      this.jobs.set(data.shot, jobView(data));
      this.emit();
    }
  }

  // --- Writes --------------------------------------------------------------------------------

  /** PATCH a shot based on `baseVersion` (the version shown when the user started editing). */
  async patchShot(shot: Shot, patch: ShotPatch, baseVersion = shot.version): Promise<WriteResult<ShotRow>> {
    const result = await settle(api.PATCH("/api/shots/{id}/", { params: { path: { id: shot.id } }, body: patch, headers: ifMatch(baseVersion) }));
    if (result.ok) this.putShotRow(result.data as ShotRow);
    else if (result.kind === "conflict") {
      this.putShotRow(result.current as ShotRow);
      this.conflict("shot", shot.id, `shot ${shot.number}`);
    } else this.failed(result);
    return result as WriteResult<ShotRow>;
  }

  async patchScene(scene: Scene, patch: ScenePatch, baseVersion = scene.version): Promise<WriteResult<SceneRow>> {
    const result = await settle(api.PATCH("/api/scenes/{id}/", { params: { path: { id: scene.id } }, body: patch, headers: ifMatch(baseVersion) }));
    if (result.ok) this.putSceneRow(result.data as SceneRow);
    else if (result.kind === "conflict") {
      this.putSceneRow(result.current as SceneRow);
      this.conflict("scene", scene.id, `scene ${scene.number}`);
    } else this.failed(result);
    return result as WriteResult<SceneRow>;
  }

  async patchPanel(panel: Panel, patch: PanelPatch, baseVersion = panel.version): Promise<WriteResult<Panel>> {
    const result = await settle(api.PATCH("/api/panels/{id}/", { params: { path: { id: panel.id } }, body: patch, headers: ifMatch(baseVersion) }));
    if (result.ok) this.putPanelRow(result.data as Panel);
    else if (result.kind === "conflict") {
      this.putPanelRow(result.current as Panel);
      this.conflict("panel", panel.id, "this panel");
    } else this.failed(result);
    return result as WriteResult<Panel>;
  }

  async patchCharacter(row: Character, patch: CharacterPatch, baseVersion = row.version): Promise<WriteResult<Character>> {
    const result = await settle(api.PATCH("/api/characters/{id}/", { params: { path: { id: row.id } }, body: patch, headers: ifMatch(baseVersion) }));
    if (result.ok) this.putCharacter(result.data as Character);
    else if (result.kind === "conflict") {
      this.putCharacter(result.current as Character);
      this.conflict("character", row.id, row.name);
    } else this.failed(result);
    return result as WriteResult<Character>;
  }

  async patchLocation(row: Location, patch: LocationPatch, baseVersion = row.version): Promise<WriteResult<Location>> {
    const result = await settle(api.PATCH("/api/locations/{id}/", { params: { path: { id: row.id } }, body: patch, headers: ifMatch(baseVersion) }));
    if (result.ok) this.putLocation(result.data as Location);
    else if (result.kind === "conflict") {
      this.putLocation(result.current as Location);
      this.conflict("location", row.id, row.name);
    } else this.failed(result);
    return result as WriteResult<Location>;
  }

  async uploadPanelImage(panel: Panel, file: File): Promise<boolean> {
    const form = new FormData();
    form.append("image", file);
    const result = await settle(
      api.POST("/api/panels/{id}/image/", {
        params: { path: { id: panel.id } },
        // The schema types the file part as a string; FormData carries the real file.
        body: form as unknown as { image: string },
        bodySerializer: (body) => body as unknown as FormData,
        headers: ifMatch(panel.version),
      }),
    );
    if (result.ok) {
      this.putPanelRow(result.data as Panel);
      return true;
    }
    if (result.kind === "invalid") toast(Object.values(result.errors).flat().join(" "), "error");
    else if (result.kind === "conflict") {
      this.putPanelRow(result.current as Panel);
      this.conflict("panel", panel.id, "this panel");
    } else this.failed(result);
    return false;
  }

  async createScene(): Promise<void> {
    const result = await settle(api.POST("/api/scenes/", { body: { project: this.projectId, setting: "INT", time_of_day: "DAY", synopsis: "" } }));
    if (result.ok) this.insertRow("scene", result.data as unknown as Record<string, unknown> & { id: number });
    else this.report(result);
  }

  async createShot(sceneId: number): Promise<number | null> {
    const result = await settle(api.POST("/api/shots/", { body: { scene: sceneId } }));
    if (result.ok) {
      this.insertRow("shot", result.data as unknown as Record<string, unknown> & { id: number });
      return result.data.id;
    }
    this.report(result);
    return null;
  }

  async createPanel(shot: Shot): Promise<Panel | null> {
    const result = await settle(api.POST("/api/panels/", { body: { shot: shot.id, duration_s: shot.duration_s, caption: "" } }));
    if (result.ok) {
      this.insertRow("panel", result.data as unknown as Record<string, unknown> & { id: number });
      return result.data as Panel;
    }
    this.report(result);
    return null;
  }

  async createCharacter(name: string): Promise<WriteResult<unknown>> {
    const result = await settle(api.POST("/api/characters/", { body: { project: this.projectId, name } }));
    if (result.ok) this.insertRow("character", result.data as unknown as Record<string, unknown> & { id: number });
    return result;
  }

  async createLocation(name: string): Promise<WriteResult<unknown>> {
    const result = await settle(api.POST("/api/locations/", { body: { project: this.projectId, name } }));
    if (result.ok) this.insertRow("location", result.data as unknown as Record<string, unknown> & { id: number });
    return result;
  }

  private report(result: WriteResult<unknown>): void {
    if (result.ok) return;
    if (result.kind === "invalid") toast(Object.values(result.errors).flat().join(" "), "error");
    else this.failed(result);
  }

  async remove(entity: "scene" | "shot" | "panel" | "character" | "location", row: { id: number; version: number }, what: string): Promise<void> {
    const options = { params: { path: { id: row.id } }, headers: ifMatch(row.version) };
    const call =
      entity === "scene" ? api.DELETE("/api/scenes/{id}/", options)
      : entity === "shot" ? api.DELETE("/api/shots/{id}/", options)
      : entity === "panel" ? api.DELETE("/api/panels/{id}/", options)
      : entity === "character" ? api.DELETE("/api/characters/{id}/", options)
      : api.DELETE("/api/locations/{id}/", options);
    const result = await settle(call as Promise<{ data?: unknown; error?: unknown; response: Response }>);
    if (result.ok) this.removeRow(entity, row.id);
    else if (result.kind === "conflict") {
      this.conflict(entity, row.id, what);
      this.refetchSoon();
    } else this.report(result);
  }

  /** Move a shot after `afterId` (null = first) in `sceneId`; shown at once, undone if refused. */
  async moveShot(shot: Shot, afterId: number | null, sceneId: number): Promise<void> {
    const before = this.data;
    this.set((data) => ({
      ...data,
      scenes: data.scenes.map((scene) => {
        const rest = scene.shots.filter((s) => s.id !== shot.id);
        if (scene.id !== sceneId) return rest.length === scene.shots.length ? scene : { ...scene, shots: rest };
        const at = afterId == null ? 0 : rest.findIndex((s) => s.id === afterId) + 1;
        return { ...scene, shots: [...rest.slice(0, at), { ...shot, scene: sceneId }, ...rest.slice(at)] };
      }),
    }));
    const body = sceneId !== shot.scene ? { after: afterId, parent: sceneId } : { after: afterId };
    const result = await settle(api.POST("/api/shots/{id}/move/", { params: { path: { id: shot.id } }, body, headers: ifMatch(shot.version) }));
    if (result.ok) {
      const row = result.data as ShotRow;
      this.placeShot(row.id, row.scene, row.rank, row.version);
      return;
    }
    this.data = before;
    this.emit();
    if (result.kind === "conflict") {
      this.putShotRow(result.current as ShotRow);
      this.conflict("shot", shot.id, `shot ${shot.number}`);
    } else this.report(result);
  }

  async movePanel(panel: Panel, afterId: number | null, shotId: number): Promise<void> {
    const body = shotId !== panel.shot ? { after: afterId, parent: shotId } : { after: afterId };
    const result = await settle(api.POST("/api/panels/{id}/move/", { params: { path: { id: panel.id } }, body, headers: ifMatch(panel.version) }));
    if (result.ok) {
      const row = result.data as Panel;
      this.placePanel(row.id, row.shot, row.rank, row.version);
    } else if (result.kind === "conflict") {
      this.putPanelRow(result.current as Panel);
      this.conflict("panel", panel.id, "this panel");
    } else this.report(result);
  }

  async moveScene(scene: Scene, afterId: number | null): Promise<void> {
    const result = await settle(api.POST("/api/scenes/{id}/move/", { params: { path: { id: scene.id } }, body: { after: afterId }, headers: ifMatch(scene.version) }));
    if (result.ok) {
      const row = result.data as SceneRow;
      this.placeScene(row.id, row.rank, row.version);
    } else if (result.kind === "conflict") {
      this.putSceneRow(result.current as SceneRow);
      this.conflict("scene", scene.id, `scene ${scene.number}`);
    } else this.report(result);
  }

  // --- Renders -------------------------------------------------------------------------------

  /** Blocking = grey-box frame of the shot's camera; diffusion = styled frame (needs weights on the server). */
  async renderFrame(shot: Shot, backend: RenderJob["backend"] = "blocking"): Promise<void> {
    const result = await settle(api.POST("/api/render-jobs/", { body: { shot: shot.id, kind: "frame", backend, parameters: { width: 960 } } }));
    if (result.ok) {
      const job = result.data as RenderJob;
      const known = this.jobs.get(shot.id);
      if (!known || known.id <= job.id) this.jobs.set(shot.id, jobView(job));
      this.emit();
      if (job.status === "succeeded" && !outputsOf(job).length) void this.rereadJob(job.id);
    } else this.report(result);
  }

  async cancelJob(job: JobView): Promise<void> {
    const result = await settle(api.POST("/api/render-jobs/{id}/cancel/", { params: { path: { id: job.id } } }));
    if (result.ok && job.shot != null) {
      this.jobs.set(job.shot, jobView(result.data as RenderJob));
      this.emit();
    } else this.report(result);
  }

  /** Put a rendered frame on a panel (the shot's first panel, made if the shot has none). */
  async useFrame(shot: Shot, asset: Asset, panelId?: number | null): Promise<void> {
    let panel: Panel | null = (panelId != null ? shot.panels.find((p) => p.id === panelId) : undefined) ?? shot.panels[0] ?? null;
    if (!panel) panel = await this.createPanel(shot);
    if (!panel) return;
    const result = await this.patchPanel(panel, { image: asset.id });
    if (result.ok) toast(`Frame set on shot ${shot.number}'s panel.`, "ok", 3000);
    else if (result.kind === "invalid") toast(Object.values(result.errors).flat().join(" "), "error");
  }
}
