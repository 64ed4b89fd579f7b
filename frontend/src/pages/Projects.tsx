import { useEffect, useState } from "preact/hooks";
import { api, settle, type FieldErrors } from "../api/client";
import type { AspectRatio, FrameRate, Project, ProjectCreate, Sensor, SessionUser } from "../api/types";
import { linkClick, navigate, projectPath } from "../router";
import { FieldError, RoleBadge } from "../ui/fields";
import { TopBar } from "../ui/TopBar";
import { ASPECT_RATIOS, FRAME_RATES, optionsOf, SENSORS, shortLabel } from "../vocab";

export function ProjectsPage({ user, onSignOut }: { user: SessionUser; onSignOut: () => void }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    api.GET("/api/projects/").then(({ data }) => setProjects((data ?? []) as Project[]));
  }, []);

  return (
    <div class="page">
      <TopBar user={user} onSignOut={onSignOut}><span class="crumb">Projects</span></TopBar>
      <main class="projects">
        <div class="toolbar">
          <h1>Projects</h1>
          <span class="spacer" />
          <button class="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-project">New project</button>
        </div>
        {creating && <NewProjectForm onCancel={() => setCreating(false)} onCreated={(p) => navigate(projectPath(p.id))} />}
        {projects === null ? (
          <p class="muted">Loading…</p>
        ) : projects.length === 0 ? (
          <p class="empty">No projects yet. Start one with “New project”.</p>
        ) : (
          <table class="grid projects-table">
            <thead>
              <tr><th>Project</th><th>Description</th><th class="num">FPS</th><th>Aspect</th><th>Sensor</th><th>Your role</th><th>Updated</th></tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr key={p.id} class="clickable" onClick={() => navigate(projectPath(p.id))}>
                  <td><a href={projectPath(p.id)} onClick={(e) => { e.stopPropagation(); linkClick(e, projectPath(p.id)); }} class="project-name">{p.name}</a></td>
                  <td class="muted">{p.description}</td>
                  <td class="num">{p.fps}</td>
                  <td>{shortLabel(ASPECT_RATIOS, p.aspect_ratio)}</td>
                  <td>{shortLabel(SENSORS, p.sensor)}</td>
                  <td><RoleBadge role={p.role} /></td>
                  <td class="muted">{new Date(p.updated_at).toLocaleDateString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </div>
  );
}

function NewProjectForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (project: Project) => void }) {
  const [form, setForm] = useState<ProjectCreate>({ name: "", description: "", fps: "24", aspect_ratio: "2.39", sensor: "super35", style_prompt: "" });
  const [seed, setSeed] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = <K extends keyof ProjectCreate>(key: K, value: ProjectCreate[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    // The seed goes as typed: the server says what is wrong with it in words (Number("abc") was
    // sent as null, answered "may not be null").
    const body = { ...form, ...(seed.trim() ? { seed: seed.trim() as unknown as number } : {}) } satisfies ProjectCreate;
    const result = await settle(api.POST("/api/projects/", { body }));
    if (result.ok) onCreated(result.data as Project);
    else if (result.kind === "invalid") setErrors(result.errors);
    else setErrors({ non_field_errors: [result.kind === "conflict" ? result.detail : result.message] });
  };

  return (
    <form class="sheet new-project" onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <h2>New project</h2>
      {errors.non_field_errors && <div class="form-error">{errors.non_field_errors.join(" ")}</div>}
      <div class="form-grid">
        <label class="field span-2"><span>Title</span>
          <input autofocus value={form.name} onInput={(e) => set("name", e.currentTarget.value)} placeholder="Working title" />
          <FieldError messages={errors.name} /></label>
        <label class="field"><span>Frame rate</span>
          <select value={form.fps} onChange={(e) => set("fps", e.currentTarget.value as FrameRate)}>
            {(Object.keys(FRAME_RATES) as FrameRate[]).map((v) => <option value={v}>{v} fps</option>)}
          </select><FieldError messages={errors.fps} /></label>
        <label class="field"><span>Aspect ratio</span>
          <select value={form.aspect_ratio} onChange={(e) => set("aspect_ratio", e.currentTarget.value as AspectRatio)}>
            {optionsOf(ASPECT_RATIOS).map((o) => <option value={o.value}>{o.label}</option>)}
          </select><FieldError messages={errors.aspect_ratio} /></label>
        <label class="field"><span>Sensor</span>
          <select value={form.sensor} onChange={(e) => set("sensor", e.currentTarget.value as Sensor)}>
            {optionsOf(SENSORS).map((o) => <option value={o.value}>{o.label}</option>)}
          </select><FieldError messages={errors.sensor} /></label>
        <label class="field"><span>Look seed (same number = same AI look)</span>
          <input inputMode="numeric" value={seed} onInput={(e) => setSeed(e.currentTarget.value)} placeholder="1234" aria-describedby="seed-help"
            aria-invalid={!!errors.seed} data-testid="project-seed" />
          <span class="muted small" id="seed-help">The starting noise of styled renders: keep it to keep the look, change it for another take. Left empty: 1234.</span>
          <FieldError messages={errors.seed} /></label>
        <label class="field span-3"><span>Description</span>
          <textarea rows={2} value={form.description} onInput={(e) => set("description", e.currentTarget.value)} placeholder="Format, length, what the previs is for" />
          <FieldError messages={errors.description} /></label>
        <label class="field span-3"><span>Look (style prompt for renders)</span>
          <textarea rows={2} value={form.style_prompt} onInput={(e) => set("style_prompt", e.currentTarget.value)} placeholder="e.g. moody cinematic still, cold blue light, 35mm grain" />
          <FieldError messages={errors.style_prompt} /></label>
      </div>
      <div class="form-actions">
        <button type="button" class="btn btn-ghost" onClick={onCancel}>Cancel</button>
        <button type="submit" class="btn btn-primary">Create project</button>
      </div>
    </form>
  );
}
