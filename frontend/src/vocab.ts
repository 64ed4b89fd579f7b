// Labels a 1st AD reads, keyed by the generated enum types: if the backend adds a value, the
// Record stops type-checking until it gets a label here (values and order come from the API).
import type {
  AspectRatio, CameraAngle, CameraMove, Framing, FrameRate, Rig, RenderStatus, SceneSetting, Sensor,
  ShotSize, ShotStatus, TimeOfDay,
} from "./api/types";

/** [short code on the sheet, full name in the dropdown] */
export const SHOT_SIZES: Record<ShotSize, [string, string]> = {
  EWS: ["EWS", "Extreme Wide"],
  WS: ["WS", "Wide"],
  FS: ["FS", "Full"],
  MFS: ["MFS", "Medium Full (cowboy)"],
  MS: ["MS", "Medium"],
  MCU: ["MCU", "Medium Close-Up"],
  CU: ["CU", "Close-Up"],
  ECU: ["ECU", "Extreme Close-Up"],
  INSERT: ["INS", "Insert"],
};

export const FRAMINGS: Record<Framing, [string, string]> = {
  single: ["Single", "Single"],
  clean_single: ["Clean single", "Clean single"],
  dirty_single: ["Dirty single", "Dirty single"],
  two_shot: ["2-shot", "Two-shot"],
  three_shot: ["3-shot", "Three-shot"],
  group: ["Group", "Group"],
  ots: ["OTS", "Over-the-shoulder"],
  pov: ["POV", "Point of view"],
};

export const ANGLES: Record<CameraAngle, [string, string]> = {
  eye: ["Eye level", "Eye level"],
  high: ["High", "High"],
  low: ["Low", "Low"],
  overhead: ["Overhead", "Overhead / Bird's eye"],
  worms_eye: ["Worm's eye", "Worm's eye / Ground level"],
  dutch: ["Dutch", "Dutch"],
  shoulder: ["Shoulder", "Shoulder level"],
  hip: ["Hip", "Hip level"],
  knee: ["Knee", "Knee level"],
};

export const MOVES: Record<CameraMove, [string, string]> = {
  static: ["Static", "Static"],
  pan: ["Pan", "Pan"],
  tilt: ["Tilt", "Tilt"],
  pedestal: ["Pedestal", "Pedestal"],
  dolly_in: ["Dolly in", "Dolly in"],
  dolly_out: ["Dolly out", "Dolly out"],
  truck: ["Truck", "Truck"],
  arc: ["Arc", "Arc / Orbit"],
  crane: ["Crane", "Crane / Boom"],
  zoom: ["Zoom", "Zoom"],
  dolly_zoom: ["Dolly zoom", "Dolly zoom"],
  handheld: ["Handheld", "Handheld"],
  steadicam: ["Steadicam", "Steadicam"],
  rack_focus: ["Rack focus", "Rack focus"],
};

export const RIGS: Record<Rig, [string, string]> = {
  sticks: ["Sticks", "Sticks / Tripod"],
  slider: ["Slider", "Slider"],
  dolly: ["Dolly", "Dolly"],
  handheld: ["Handheld", "Handheld"],
  steadicam: ["Steadicam", "Steadicam"],
  gimbal: ["Gimbal", "Gimbal"],
  crane: ["Crane", "Crane"],
  jib: ["Jib", "Jib"],
  drone: ["Drone", "Drone"],
};

export const STATUSES: Record<ShotStatus, [string, string]> = {
  draft: ["Draft", "Draft"],
  ready: ["Ready", "Ready"],
  in_review: ["In review", "In review"],
  changes_requested: ["Changes req.", "Changes requested"],
  approved: ["Approved", "Approved"],
};

export const SENSORS: Record<Sensor, [string, string]> = {
  full_frame: ["FF", "Full frame (36 × 24)"],
  super35: ["S35", "Super 35 (24.89 × 18.66)"],
  alexa_lf_og: ["LF OG", "Alexa LF open gate (36.70 × 25.54)"],
  mft: ["M4/3", "Micro 4/3 (17.3 × 13.0)"],
  super16: ["S16", "Super 16 (12.52 × 7.41)"],
};

export const ASPECT_RATIOS: Record<AspectRatio, [string, string]> = {
  "2.39": ["2.39:1", "2.39:1 (scope)"],
  "2.00": ["2.00:1", "2.00:1"],
  "1.85": ["1.85:1", "1.85:1 (flat)"],
  "1.78": ["16:9", "16:9 (1.78)"],
  "1.33": ["4:3", "4:3 (1.33)"],
  "1.00": ["1:1", "1:1"],
  "0.56": ["9:16", "9:16 (vertical)"],
};

/** Width / height of a delivery aspect ratio (16:9 and 4:3 are exact, not their rounded codes). */
export function aspectValue(ratio: AspectRatio): number {
  const exact: Partial<Record<AspectRatio, number>> = { "1.78": 16 / 9, "1.33": 4 / 3, "0.56": 9 / 16 };
  return exact[ratio] ?? Number(ratio);
}

export const FRAME_RATES: Record<FrameRate, string> = {
  "23.976": "23.976", "24": "24", "25": "25", "29.97": "29.97", "30": "30", "48": "48", "50": "50", "60": "60",
};

export const SETTINGS: Record<SceneSetting, string> = { INT: "INT.", EXT: "EXT.", "INT/EXT": "INT./EXT." };

export const TIMES_OF_DAY: Record<TimeOfDay, string> = {
  DAY: "DAY", NIGHT: "NIGHT", DAWN: "DAWN", DUSK: "DUSK", CONTINUOUS: "CONTINUOUS", LATER: "LATER",
  "MOMENTS LATER": "MOMENTS LATER",
};

export const RENDER_STATUSES: Record<RenderStatus, string> = {
  queued: "Queued", running: "Rendering", succeeded: "Done", failed: "Failed", cancelled: "Cancelled",
};

/** Primes offered first in the lens cell. Any focal length is valid, so this is not an API enum;
 *  it mirrors previs/vocabulary.PRIME_LENSES_MM (the schema does not carry it). */
export const PRIME_LENSES_MM = [12, 14, 16, 18, 21, 24, 27, 32, 35, 40, 50, 65, 75, 85, 100, 135, 150, 200];

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
