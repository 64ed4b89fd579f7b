// The camera's spec: shot size, angle and lens are shot-list fields (the server re-lays out the
// camera from them unless it was adjusted by hand); height, move parameters and the subject
// live only in camera_spec, so editing them adjusts the camera by hand.
import type { ComponentChildren } from "preact";
import type { CameraAngle, CameraMove, Shot, ShotSize } from "../api/types";
import { useBoard } from "../state/context";
import { toast } from "../ui/toasts";
import { ANGLES, aspectValue, ASPECT_RATIOS, LENS_MM, moveParameters, MOVES, optionsOf, PRIME_LENSES_MM, SENSORS, SHOT_SIZES, shortLabel, type MoveParameter } from "../vocab";
import { saveSpec } from "./CameraDrawer";
import { NumberField } from "./NumberField";
import { fieldOfView } from "./optics";
import { withCamera, type CameraSpec } from "./spec";

export function SpecControls({ shot, spec }: { shot: Shot; spec: CameraSpec | null }) {
  const store = useBoard();
  const canEdit = store.can.edit && shot.id > 0;
  const fov = fieldOfView(shot);

  const setFields = async (fields: Record<string, unknown>) => {
    const problems = await store.save("shot", shot.id, fields);
    if (problems) toast(`Not saved: ${problems.join(" ")}`, "error", 8000);
  };
  // The server carries lens and move into a hand-adjusted spec (apps/boards/services.py), so the
  // browser sends only the field, like any other client.
  const setLens = (mm: number) => setFields({ lens_mm: mm });
  const setMove = (type: CameraMove) => setFields({ movement: type });
  const setHeight = (metres: number) => spec && saveSpec(store, shot, withCamera(spec, { position: [spec.camera.position[0], spec.camera.position[1], metres] }));
  const setMoveParameter = (name: MoveParameter, value: number) => spec && saveSpec(store, shot, { ...spec, move: { ...spec.move, [name]: value } });

  return (
    <div class="cam-controls" data-testid="camera-controls">
      <Row label="Size">
        <div class="seg" role="radiogroup" aria-label="Shot size">
          {optionsOf<ShotSize>(SHOT_SIZES).map((o) => (
            <button key={o.value} role="radio" aria-checked={shot.shot_size === o.value} class={`seg-btn ${shot.shot_size === o.value ? "seg-on" : ""}`}
              disabled={!canEdit} title={o.label} data-testid={`camera-size-${o.value}`} onClick={() => shot.shot_size !== o.value && setFields({ shot_size: o.value })}>
              {shortLabel(SHOT_SIZES, o.value)}
            </button>
          ))}
        </div>
      </Row>
      <Row label="Angle">
        <select class="cam-select" aria-label="Camera angle" data-testid="camera-angle" value={shot.angle} disabled={!canEdit}
          onChange={(e) => setFields({ angle: e.currentTarget.value as CameraAngle })}>
          {optionsOf<CameraAngle>(ANGLES).map((o) => <option value={o.value}>{o.label}</option>)}
        </select>
      </Row>
      <Row label="Lens">
        <div class="lens">
          <div class="primes" role="radiogroup" aria-label="Prime lenses">
            {PRIME_LENSES_MM.map((mm) => (
              <button key={mm} role="radio" aria-checked={shot.lens_mm === mm} class={`prime ${shot.lens_mm === mm ? "prime-on" : ""}`} disabled={!canEdit}
                data-testid={`camera-prime-${mm}`} title={`${mm} mm prime`} onClick={() => shot.lens_mm !== mm && void setLens(mm)}>
                {mm}
              </button>
            ))}
          </div>
          <NumberField label="Focal length (mm)" testid="camera-lens" value={shot.lens_mm} unit="mm" step={1} {...LENS_MM} disabled={!canEdit}
            onCommit={(mm) => void setLens(mm)} title={`Any focal length from ${LENS_MM.min} to ${LENS_MM.max} mm (zooms included)`} />
        </div>
      </Row>
      <Row label="View" title="Horizontal × vertical angle of view of the delivery frame (computed by the server from lens, sensor and aspect ratio)">
        <span class="readout" data-testid="camera-fov">
          {fov ? <>{fov.horizontal_deg.toFixed(1)}° × {fov.vertical_deg.toFixed(1)}°</> : "—"}
          <span class="muted"> · {shortLabel(SENSORS, shot.sensor)} · {shortLabel(ASPECT_RATIOS, shot.aspect_ratio)}</span>
        </span>
      </Row>
      <Row label="Height" title="Lens height above the floor. Editing it adjusts the camera by hand.">
        <NumberField label="Camera height (m)" testid="camera-height" value={spec?.camera.position[2]} unit="m" step={0.05} min={0.01} max={1000}
          disabled={!canEdit || !spec} onCommit={(m) => void setHeight(m)} />
        {spec && <span class="readout muted" title="Tilt (pitch) and dutch (roll) of the camera">tilt {spec.camera.pitch_deg.toFixed(1)}°{spec.camera.roll_deg ? ` · roll ${spec.camera.roll_deg.toFixed(0)}°` : ""}</span>}
      </Row>
      <Row label="Move">
        <select class="cam-select" aria-label="Camera move" data-testid="camera-move" value={shot.movement} disabled={!canEdit}
          onChange={(e) => void setMove(e.currentTarget.value as CameraMove)}>
          {optionsOf<CameraMove>(MOVES).map((o) => <option value={o.value}>{o.label}</option>)}
        </select>
      </Row>
      {spec && moveParameters(spec.move.type).length > 0 && (
        <Row label="">
          <div class="move-params">
            {moveParameters(spec.move.type).map(({ name, label, unit, step, min, max, meaning }) => (
              <label key={name} class="move-param" title={meaning}>
                <span>{label}</span>
                <NumberField label={`Move ${label.toLowerCase()}`} testid={`camera-move-${name}`} value={spec.move[name]} unit={unit} step={step} min={min} max={max}
                  disabled={!canEdit} onCommit={(v) => void setMoveParameter(name, name === "seed" ? Math.max(0, Math.round(v)) : v)} />
              </label>
            ))}
          </div>
        </Row>
      )}
      {spec && spec.characters.length > 1 && (
        <Row label="Subject" title="The character the camera frames and moves around (arc, dolly zoom, crane)">
          <select class="cam-select" aria-label="Subject" data-testid="camera-subject" value={spec.subject_id ?? ""} disabled={!canEdit}
            onChange={(e) => void saveSpec(store, shot, { ...spec, subject_id: e.currentTarget.value || null })}>
            {spec.characters.map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
        </Row>
      )}
      <p class="cam-note">
        {shot.spec_locked
          ? "Adjusted by hand: size, angle and framing changes keep the camera where it is. Reset to re-frame from the shot list."
          : `Size, angle and lens re-frame the camera automatically. Dragging on the plan or editing height or move adjusts it by hand.`}
        {" "}<span class="muted">{aspectValue(shot.aspect_ratio).toFixed(2)}:1 · {shot.fps} fps · {shot.duration_s}s</span>
      </p>
    </div>
  );
}

function Row({ label, title, children }: { label: string; title?: string; children: ComponentChildren }) {
  return (
    <div class="cam-row" title={title}>
      <span class="cam-label">{label}</span>
      <div class="cam-field">{children}</div>
    </div>
  );
}
