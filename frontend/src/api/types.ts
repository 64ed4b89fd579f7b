// Names for the generated API types (src/api/schema.d.ts, from the backend's OpenAPI schema).
// Nothing here restates a model: every row type is a view of components["schemas"].
import type { components } from "./schema";

type Schemas = components["schemas"];

// drf-spectacular marks response fields that have model defaults as optional, but DRF always
// sends every field of a row; Required<> restores what the wire actually carries.
export type Project = Required<Schemas["Project"]>;
export type Panel = Required<Schemas["Panel"]>;
export type Shot = Omit<Required<Schemas["BoardShot"]>, "panels"> & { readonly panels: Panel[] };
export type Scene = Omit<Required<Schemas["BoardScene"]>, "shots"> & { readonly shots: Shot[] };
export type Character = Required<Schemas["Character"]>;
export type Location = Required<Schemas["Location"]>;
export type RenderJob = Schemas["RenderJob"];
export type Asset = Schemas["Asset"];
export type SessionUser = Schemas["SessionUser"];
export type Membership = Schemas["Membership"];

// Writable bodies, as the API accepts them.
export type ShotPatch = Schemas["PatchedShotRequest"];
export type ScenePatch = Schemas["PatchedSceneRequest"];
export type PanelPatch = Schemas["PatchedPanelRequest"];
export type CharacterPatch = Schemas["PatchedCharacterRequest"];
export type LocationPatch = Schemas["PatchedLocationRequest"];
export type ProjectCreate = Schemas["ProjectRequest"];

// Vocabularies: taken from the fields that carry them (robust to enum component renames).
export type ShotSize = Shot["shot_size"];
export type Framing = Shot["framing"];
export type CameraAngle = Shot["angle"];
export type CameraMove = Shot["movement"];
export type Rig = Shot["rig"];
export type Sensor = Shot["sensor"];
export type AspectRatio = Shot["aspect_ratio"];
export type FrameRate = Shot["fps"];
export type ShotStatus = Shot["status"];
export type SceneSetting = Scene["setting"];
export type TimeOfDay = Scene["time_of_day"];
export type RenderStatus = RenderJob["status"];

/** The plain-row form of a board shot (PATCH and move answer a Shot, without panels). */
export type ShotRow = Required<Schemas["Shot"]>;
export type SceneRow = Required<Schemas["Scene"]>;
