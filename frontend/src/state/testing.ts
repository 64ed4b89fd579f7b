// For the state tests (vitest, in Node): a page that carries a published vocabulary, and a small
// board to run the reducers on. Import this module first in a test file: src/vocab.ts reads the
// vocabulary from the page when it is first imported.
//
// The vocabulary is a stand-in, not a copy of previs/published.py: its labels differ from the
// real ones on purpose ("Inside", not "INT."), so a test sees the code read them from the page.
import type { Character, Location, Panel, Project, Scene, Shot } from "../api/types";
import type { BoardData } from "./board";
import type { Change } from "./protocol";

const STAND_IN_VOCABULARY = {
  ...Object.fromEntries(
    ["shot_sizes", "framings", "camera_angles", "camera_moves", "rigs", "shot_statuses", "times_of_day", "frame_rates", "sensors", "aspect_ratios", "prime_lenses_mm", "move_parameters"].map((name) => [name, []]),
  ),
  move_uses: {},
  scene_settings: [
    { value: "INT", label: "Inside", short: "In" },
    { value: "EXT", label: "Outside", short: "Out" },
  ],
  text_fields: { shot: ["description", "notes"], scene: ["synopsis"] },
};

Object.assign(globalThis, {
  document: {
    getElementById: (id: string) => (id === "studio-vocabulary" ? { textContent: JSON.stringify(STAND_IN_VOCABULARY) } : null),
  },
});

export function panel(id: number, shot: number, rank: string, fields: Partial<Panel> = {}): Panel {
  return { id, shot, rank, version: 1, image: null, image_url: null, duration_s: 2, caption: "", notes: "", ...fields } as Panel;
}

export function shot(id: number, scene: number, rank: string, fields: Partial<Shot> = {}): Shot {
  return {
    id, scene, rank, version: 1, number: String(id), description: "", dialogue: "", props: "", notes: "", characters: [],
    lens_mm: 35, spec_locked: false, camera_spec: { lens_mm: 35 }, field_of_view: 54.4, panels: [], ...fields,
  } as unknown as Shot;
}

export function scene(id: number, rank: string, shots: Shot[], fields: Partial<Scene> = {}): Scene {
  return { id, rank, version: 1, number: String(id), setting: "INT", time_of_day: "DAY", location: null, heading: "", synopsis: "", shots, ...fields } as Scene;
}

/** Project 1: scene 10 (shots 101 "a", 102 "m", 103 "t"; shot 101 has panels 1001, 1002) and
 *  scene 20 (shot 201 "c") at seq 5; characters Ada (7, in shot 101) and Bo (8); location Dock (30). */
export function board(): BoardData {
  return {
    project: { id: 1, name: "Harbour Light", version: 1, last_seq: 5, allowed: ["edit"] } as unknown as Project,
    scenes: [
      scene(10, "a", [
        shot(101, 10, "a", { characters: [7], panels: [panel(1001, 101, "a"), panel(1002, 101, "b")] }),
        shot(102, 10, "m"),
        shot(103, 10, "t"),
      ], { location: 30, heading: "INT. DOCK - DAY" }),
      scene(20, "m", [shot(201, 20, "c")]),
    ],
    characters: [{ id: 7, name: "Ada", version: 1 } as Character, { id: 8, name: "Bo", version: 1 } as Character],
    locations: [{ id: 30, name: "Dock", version: 1 } as Location],
  };
}

/** A room change; `data` as the server logs it for that action (docs/protocol.md). */
export function change(seq: number, action: Change["action"], entity: string, id: number, data: Record<string, unknown>, clientOpId: string | null = null): Change {
  return { seq, action, entity, id, data, actor: 2, client_op_id: clientOpId, at: "2026-12-02T12:00:00Z" };
}

/** The ids of each scene's shots, in the order the board shows them. */
export function shotOrder(data: BoardData): Record<number, number[]> {
  return Object.fromEntries(data.scenes.map((s) => [s.id, s.shots.map((x) => x.id)]));
}
