import { describe, expect, it } from "vitest";
import { filterFromSearch, findShots, fold, isFiltering, NO_FILTER, searchWithFilter, type FindScene, type FindShot, type ShotFilter } from "./filters";

function shot(id: number, fields: Partial<FindShot> = {}): FindShot {
  return { id, number: String(id), description: "", dialogue: "", props: "", notes: "", characters: [], location: null, status: "draft", lens_mm: 35, shot_size: "ms", ...fields };
}

const SCENES: FindScene[] = [
  {
    id: 1, number: "1", heading: "INT. CAFÉ DU PORT - NIGHT", synopsis: "Mara waits for the ferry.", location: 10,
    shots: [
      shot(11, { description: "Wide on the empty café", lens_mm: 24, shot_size: "ws", status: "approved" }),
      shot(12, { description: "Mara at the window", characters: [100], lens_mm: 50, shot_size: "mcu" }),
      shot(13, { dialogue: "Il est en retard.", characters: [100, 101], lens_mm: 50, shot_size: "cu", status: "approved" }),
    ],
  },
  {
    id: 2, number: "2", heading: "EXT. HARBOUR WALL - DAWN", synopsis: "", location: 20,
    shots: [
      shot(21, { description: "Drone over the breakwater", notes: "Needs the permit from the port authority", shot_size: "ews", lens_mm: 24 }),
      shot(22, { description: "José runs along the wall", characters: [101], location: 10, props: "Red lantern" }),
    ],
  },
  { id: 3, number: "3", heading: "INT. LIGHTHOUSE - NIGHT", synopsis: "The keeper's logbook is found.", location: 30, shots: [] },
];
const CAST = new Map([[100, "Mara"], [101, "José"]]);
const PLACES = new Map([[10, "Café du Port"], [20, "Harbour wall"], [30, "Lighthouse"]]);

const ids = (filter: Partial<ShotFilter>) => findShots(SCENES, { ...NO_FILTER, ...filter }, CAST, PLACES).scenes.flatMap((s) => s.shots.map((x) => x.id));
const sceneIds = (filter: Partial<ShotFilter>) => findShots(SCENES, { ...NO_FILTER, ...filter }, CAST, PLACES).scenes.map((s) => s.scene.id);

describe("fold", () => {
  it("drops case and accents", () => {
    expect(fold("Café JOSÉ Ñandú")).toBe("cafe jose nandu");
  });
});

describe("findShots", () => {
  it("shows every scene and shot without a filter", () => {
    const found = findShots(SCENES, NO_FILTER, CAST, PLACES);
    expect(found.scenes.map((s) => s.scene.id)).toEqual([1, 2, 3]);
    expect([found.shown, found.total]).toEqual([5, 5]);
  });

  it("finds a shot by its action, dialogue, notes and props", () => {
    expect(ids({ query: "breakwater" })).toEqual([21]);
    expect(ids({ query: "en retard" })).toEqual([13]);
    expect(ids({ query: "permit" })).toEqual([21]);
    expect(ids({ query: "lantern" })).toEqual([22]);
  });

  it("finds shots by a character's name, whatever the case and accents", () => {
    expect(ids({ query: "jose" })).toEqual([13, 22]);
    expect(ids({ query: "MARA" })).toEqual(SCENES[0].shots.map((s) => s.id)); // the scene's synopsis names her too
  });

  it("finds a scene by its heading or synopsis, with all its shots", () => {
    expect(ids({ query: "cafe du port" })).toEqual([11, 12, 13, 22]); // shot 22 is at the café (its own location)
    expect(sceneIds({ query: "harbour wall" })).toEqual([2]);
    // A scene with no shots is still found by its synopsis.
    const found = findShots(SCENES, { ...NO_FILTER, query: "logbook" }, CAST, PLACES);
    expect(found.scenes.map((s) => [s.scene.id, s.sceneMatched, s.shots.length])).toEqual([[3, true, 0]]);
  });

  it("needs every word, across the scene's and the shot's text", () => {
    expect(ids({ query: "night window" })).toEqual([12]);
    expect(ids({ query: "dawn window" })).toEqual([]);
  });

  it("filters on status, character, location, lens and shot size", () => {
    expect(ids({ status: "approved" })).toEqual([11, 13]);
    expect(ids({ character: 101 })).toEqual([13, 22]);
    expect(ids({ location: 10 })).toEqual([11, 12, 13, 22]); // a shot's own location overrides its scene's
    expect(ids({ location: 20 })).toEqual([21]);
    expect(ids({ lens: 24 })).toEqual([11, 21]);
    expect(ids({ size: "cu" })).toEqual([13]);
  });

  it("combines filters and search (all must hold) and drops scenes left empty", () => {
    expect(ids({ lens: 50, character: 101 })).toEqual([13]);
    expect(ids({ lens: 24, status: "approved" })).toEqual([11]);
    expect(ids({ query: "wall", character: 101 })).toEqual([22]);
    expect(sceneIds({ character: 100 })).toEqual([1]);
    // A field filter hides a shotless scene even when its heading matches.
    expect(sceneIds({ query: "night", status: "draft" })).toEqual([1]);
    const found = findShots(SCENES, { ...NO_FILTER, size: "cu", status: "draft" }, CAST, PLACES);
    expect([found.scenes.length, found.shown, found.total]).toEqual([0, 0, 5]);
  });
});

describe("the filter in the URL", () => {
  it("round-trips every field", () => {
    const filter: ShotFilter = { query: "café & ferry", status: "approved", character: 101, location: 10, lens: 32.5, size: "mcu" };
    const search = searchWithFilter(filter);
    expect(search.startsWith("?")).toBe(true);
    expect(filterFromSearch(search)).toEqual(filter);
  });

  it("writes nothing for no filter and keeps other parameters", () => {
    expect(searchWithFilter(NO_FILTER)).toBe("");
    expect(isFiltering(NO_FILTER)).toBe(false);
    expect(searchWithFilter({ ...NO_FILTER, lens: 50 }, "?next=%2Fx&q=old")).toBe("?next=%2Fx&lens=50");
    expect(filterFromSearch("?next=%2Fx")).toEqual(NO_FILTER);
  });

  it("reads what it cannot understand as no filter", () => {
    expect(filterFromSearch("?character=abc&lens=-5&location=1.5&status=")).toEqual(NO_FILTER);
    expect(isFiltering(filterFromSearch("?q=%20"))).toBe(false);
  });
});
