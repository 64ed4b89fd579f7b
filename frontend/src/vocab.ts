// The trade's words and the camera's numbers, as previs publishes them (previs/published.py):
// the app's page carries them (templates/index.html, "studio-vocabulary"), typed by the generated
// Vocabulary schema. Nothing here is restated: values, order, labels, short labels, lenses,
// sensors, aspect ratios and move parameters all come from the server.
import type { components } from "./api/schema";
import type { AspectRatio, CameraAngle, CameraMove, Framing, FrameRate, Rig, RenderStatus, SceneSetting, Sensor, ShotSize, ShotStatus, TimeOfDay } from "./api/types";

/** The vocabulary with what this studio can do (apps/web/views.py: StudioVocabulary). */
export type Vocabulary = components["schemas"]["StudioVocabulary"];
type Term = components["schemas"]["Term"];
export type MoveParameter = "distance_m" | "degrees" | "end_lens_mm" | "amplitude_deg" | "seed";
export type MoveParameterInfo = components["schemas"]["MoveParameterInfo"] & { name: MoveParameter };

function published(): Vocabulary {
  const element = document.getElementById("studio-vocabulary");
  if (!element?.textContent) throw new Error("The page carries no vocabulary (templates/index.html).");
  return JSON.parse(element.textContent) as Vocabulary;
}

export const VOCABULARY = published();

/** What this studio can render: styled frames need diffusion weights on the server; when there are
 * none, the buttons are disabled and say why (the same words as the API's refusal). */
export const CAPABILITIES = VOCABULARY.capabilities;

/** value → [short form for a narrow cell, full name for a dropdown], in the vocabulary's order. */
function labelled<K extends string>(terms: Term[]): Record<K, [string, string]> {
  return Object.fromEntries(terms.map((t) => [t.value, [t.short, t.label]])) as Record<K, [string, string]>;
}

function named<K extends string>(terms: Term[]): Record<K, string> {
  return Object.fromEntries(terms.map((t) => [t.value, t.label])) as Record<K, string>;
}

export const SHOT_SIZES = labelled<ShotSize>(VOCABULARY.shot_sizes);
export const FRAMINGS = labelled<Framing>(VOCABULARY.framings);
export const ANGLES = labelled<CameraAngle>(VOCABULARY.camera_angles);
export const MOVES = labelled<CameraMove>(VOCABULARY.camera_moves);
export const RIGS = labelled<Rig>(VOCABULARY.rigs);
export const STATUSES = labelled<ShotStatus>(VOCABULARY.shot_statuses);
export const SENSORS = labelled<Sensor>(VOCABULARY.sensors);
export const ASPECT_RATIOS = labelled<AspectRatio>(VOCABULARY.aspect_ratios);
export const FRAME_RATES = named<FrameRate>(VOCABULARY.frame_rates);
export const SETTINGS = named<SceneSetting>(VOCABULARY.scene_settings);
export const TIMES_OF_DAY = named<TimeOfDay>(VOCABULARY.times_of_day);

/** Primes offered first in the lens cell; any focal length in LENS_MM is valid. */
export const PRIME_LENSES_MM = VOCABULARY.prime_lenses_mm;
export const LENS_MM = { min: VOCABULARY.lens_mm_min, max: VOCABULARY.lens_mm_max };

const ASPECT_VALUES = Object.fromEntries(VOCABULARY.aspect_ratios.map((a) => [a.value, a.ratio])) as Record<AspectRatio, number>;

/** Width / height of a delivery aspect ratio (16:9 and 4:3 are exact, not their rounded codes). */
export function aspectValue(ratio: AspectRatio): number {
  return ASPECT_VALUES[ratio] ?? Number(ratio);
}

/** The parameters each camera move uses, in order, with their labels, units and bounds. */
const MOVE_PARAMETER_INFO = Object.fromEntries(VOCABULARY.move_parameters.map((p) => [p.name, p])) as Record<MoveParameter, MoveParameterInfo>;
export function moveParameters(move: CameraMove): MoveParameterInfo[] {
  return (VOCABULARY.move_uses[move] ?? []).map((name) => MOVE_PARAMETER_INFO[name as MoveParameter]);
}

/** How the board words a render job's state (the board's own words, not a shot-list vocabulary). */
export const RENDER_STATUSES: Record<RenderStatus, string> = {
  queued: "Queued", running: "Rendering", succeeded: "Done", failed: "Failed", cancelled: "Cancelled",
};

/** Options for a <select>, in the order the vocabulary declares them. */
export function optionsOf<K extends string>(labels: Record<K, [string, string]> | Record<K, string>): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => {
    const label: [string, string] | string = (labels as Record<K, [string, string] | string>)[value];
    return { value, label: typeof label === "string" ? label : label[1] };
  });
}

export function shortLabel<K extends string>(labels: Record<K, [string, string]>, value: K): string {
  return labels[value]?.[0] ?? value;
}
