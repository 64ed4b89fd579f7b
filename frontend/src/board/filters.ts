// Finding shots on a loaded board: a search across the scenes' headings and synopses and the
// shots' numbers, action, dialogue, props, notes and cast, and filters on status, character,
// location, lens and shot size. A view concern, worked out here over the board the browser
// already holds (a 500-shot board is loaded whole), so it is pure: no DOM, no store, no
// vocabulary. The filter lives in the page's URL (?q=…&status=…), so a reload, a bookmark or a
// link sent to the 2nd AD shows the same shots.

/** What a filter reads of a scene (a BoardScene has it). */
export interface FindScene {
  id: number;
  number: string;
  heading: string;
  synopsis: string;
  location: number | null;
  shots: readonly FindShot[];
}

/** What a filter reads of a shot (a BoardShot has it). */
export interface FindShot {
  id: number;
  number: string;
  description: string;
  dialogue: string;
  props: string;
  notes: string;
  characters: readonly number[];
  location: number | null;
  status: string;
  lens_mm: number;
  shot_size: string;
}

export interface ShotFilter {
  /** Words typed in the search box; a shot shows when every word is in its text or its scene's. */
  query: string;
  status: string | null;
  character: number | null;
  /** A shot's own location, else its scene's. */
  location: number | null;
  lens: number | null;
  size: string | null;
}

export const NO_FILTER: ShotFilter = { query: "", status: null, character: null, location: null, lens: null, size: null };

export function isFiltering(filter: ShotFilter): boolean {
  return filter.query.trim() !== "" || filter.status != null || filter.character != null || filter.location != null || filter.lens != null || filter.size != null;
}

/** Lower case without accents, so "cafe" finds "Café" and "JOSE" finds "José". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function words(query: string): string[] {
  return fold(query).split(/\s+/).filter(Boolean);
}

export interface SceneFound<S extends FindScene> {
  scene: S;
  shots: S["shots"][number][];
  /** The scene's own text matched the search (its heading shows even with no shot). */
  sceneMatched: boolean;
}

export interface Found<S extends FindScene> {
  scenes: SceneFound<S>[];
  /** Shots shown, of `total`. */
  shown: number;
  total: number;
}

/**
 * The scenes and shots a filter shows, in board order. `characterNames` and `locationNames`
 * (by id) let the search find a shot by its cast and a scene by its location's name. A scene with
 * no shot shown is left out, unless no shot filter is set and its own text matched the search
 * (a scene found by its heading or synopsis, whose shots do not mention the words).
 */
export function findShots<S extends FindScene>(scenes: readonly S[], filter: ShotFilter, characterNames: ReadonlyMap<number, string> = new Map(), locationNames: ReadonlyMap<number, string> = new Map()): Found<S> {
  const terms = words(filter.query);
  const fieldFilters = filter.status != null || filter.character != null || filter.location != null || filter.lens != null || filter.size != null;
  const out: SceneFound<S>[] = [];
  let shown = 0, total = 0;
  for (const scene of scenes) {
    total += scene.shots.length;
    const sceneText = fold([scene.number, scene.heading, scene.synopsis, scene.location != null ? locationNames.get(scene.location) ?? "" : ""].join("\n"));
    const sceneMatched = terms.length > 0 && terms.every((t) => sceneText.includes(t));
    const shots = scene.shots.filter((shot) => {
      if (filter.status != null && shot.status !== filter.status) return false;
      if (filter.character != null && !shot.characters.includes(filter.character)) return false;
      if (filter.location != null && (shot.location ?? scene.location) !== filter.location) return false;
      if (filter.lens != null && shot.lens_mm !== filter.lens) return false;
      if (filter.size != null && shot.shot_size !== filter.size) return false;
      if (!terms.length || sceneMatched) return true;
      const cast = shot.characters.map((id) => characterNames.get(id) ?? "");
      const text = `${sceneText}\n${fold([shot.number, shot.description, shot.dialogue, shot.props, shot.notes, ...cast, shot.location != null ? locationNames.get(shot.location) ?? "" : ""].join("\n"))}`;
      return terms.every((t) => text.includes(t));
    });
    shown += shots.length;
    const keep = shots.length > 0 || (!terms.length && !fieldFilters) || (sceneMatched && !fieldFilters);
    if (keep) out.push({ scene, shots, sceneMatched });
  }
  return { scenes: out, shown, total };
}

// --- In the URL ------------------------------------------------------------------------------

const PARAMS = { query: "q", status: "status", character: "character", location: "location", lens: "lens", size: "size" } as const;

function positiveNumber(text: string | null): number | null {
  if (text == null || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : null;
}

function wholeNumber(text: string | null): number | null {
  const value = positiveNumber(text);
  return value != null && Number.isInteger(value) ? value : null;
}

/** The filter a page's query string carries (`location.search`); what it cannot read is no filter. */
export function filterFromSearch(search: string): ShotFilter {
  const params = new URLSearchParams(search);
  const text = (name: string) => params.get(name)?.trim() || null;
  return {
    query: params.get(PARAMS.query) ?? "",
    status: text(PARAMS.status),
    character: wholeNumber(params.get(PARAMS.character)),
    location: wholeNumber(params.get(PARAMS.location)),
    lens: positiveNumber(params.get(PARAMS.lens)),
    size: text(PARAMS.size),
  };
}

/** The query string of a filter ("" when none, else "?q=…"), keeping other parameters of `search`. */
export function searchWithFilter(filter: ShotFilter, search = ""): string {
  const params = new URLSearchParams(search);
  for (const name of Object.values(PARAMS)) params.delete(name);
  if (filter.query !== "") params.set(PARAMS.query, filter.query);
  if (filter.status != null) params.set(PARAMS.status, filter.status);
  if (filter.character != null) params.set(PARAMS.character, String(filter.character));
  if (filter.location != null) params.set(PARAMS.location, String(filter.location));
  if (filter.lens != null) params.set(PARAMS.lens, String(filter.lens));
  if (filter.size != null) params.set(PARAMS.size, filter.size);
  const text = params.toString();
  return text ? `?${text}` : "";
}
