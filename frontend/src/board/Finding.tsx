// Finding shots in the shot list: the search box and filters (kept in the URL, so a reload or a
// link shows the same shots), scenes folded away (remembered per project in this browser), and
// the thumbnail cell. The matching itself is filters.ts (pure); the picture is thumbnail.ts.
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { BoardData } from "../state/store";
import { optionsOf, SHOT_SIZES, STATUSES } from "../vocab";
import { filterFromSearch, findShots, isFiltering, NO_FILTER, searchWithFilter, type Found, type ShotFilter } from "./filters";
import type { ShotPicture } from "./thumbnail";

/** The filter the page's URL carries; changing it rewrites the URL in place (no new history entry
 *  per keystroke), and Back/Forward bring the filter of that entry back. */
export function useShotFilter(): [ShotFilter, (filter: ShotFilter) => void] {
  const [filter, setFilter] = useState<ShotFilter>(() => filterFromSearch(location.search));
  useEffect(() => {
    const read = () => setFilter(filterFromSearch(location.search));
    addEventListener("popstate", read);
    return () => removeEventListener("popstate", read);
  }, []);
  const change = (next: ShotFilter) => {
    setFilter(next);
    history.replaceState(history.state, "", `${location.pathname}${searchWithFilter(next, location.search)}${location.hash}`);
  };
  return [filter, change];
}

/** The board as the filter shows it (recomputed when the board or the filter changes). */
export function useFound(data: BoardData, filter: ShotFilter): Found<BoardData["scenes"][number]> {
  return useMemo(() => {
    const cast = new Map(data.characters.map((c) => [c.id, c.name]));
    const places = new Map(data.locations.map((l) => [l.id, l.name]));
    return findShots(data.scenes, filter, cast, places);
  }, [data.scenes, data.characters, data.locations, filter]);
}

const formatLens = (mm: number) => `${Number.isInteger(mm) ? mm : mm.toFixed(1)} mm`;

/** The search box and the filters over the shot list; "/" puts the caret in the search box. */
export function FindBar({ data, filter, onChange, found }: { data: BoardData; filter: ShotFilter; onChange: (filter: ShotFilter) => void; found: Found<BoardData["scenes"][number]> }) {
  const search = useRef<HTMLInputElement>(null);
  useSlashToSearch(search);
  // Lenses as the board uses them (a filter on a focal length no shot has would find nothing).
  const lenses = useMemo(() => [...new Set(data.scenes.flatMap((s) => s.shots.map((shot) => shot.lens_mm)))].sort((a, b) => a - b), [data.scenes]);
  const set = <K extends keyof ShotFilter>(key: K, value: ShotFilter[K]) => onChange({ ...filter, [key]: value });
  const numberOrNull = (text: string) => (text === "" ? null : Number(text));
  const filtering = isFiltering(filter);

  return (
    <div role="search" class="findbar" aria-label="Find shots" data-testid="findbar">
      <input ref={search} type="search" class="find-search" placeholder="Search scenes, shots, dialogue, notes… ( / )" aria-label="Search scenes, shots, dialogue and notes"
        value={filter.query} onInput={(e) => set("query", e.currentTarget.value)} data-testid="find-search"
        onKeyDown={(e) => e.key === "Escape" && filter.query && (e.preventDefault(), set("query", ""))} />
      <FilterSelect label="Status" testid="filter-status" value={filter.status ?? ""} onChange={(v) => set("status", v || null)}
        options={optionsOf(STATUSES).map((o) => ({ value: o.value as string, label: o.label }))} />
      <FilterSelect label="Character" testid="filter-character" value={filter.character == null ? "" : String(filter.character)} onChange={(v) => set("character", numberOrNull(v))}
        options={data.characters.map((c) => ({ value: String(c.id), label: c.name }))} />
      <FilterSelect label="Location" testid="filter-location" value={filter.location == null ? "" : String(filter.location)} onChange={(v) => set("location", numberOrNull(v))}
        options={data.locations.map((l) => ({ value: String(l.id), label: l.name }))} />
      <FilterSelect label="Lens" testid="filter-lens" value={filter.lens == null ? "" : String(filter.lens)} onChange={(v) => set("lens", numberOrNull(v))}
        options={lenses.map((mm) => ({ value: String(mm), label: formatLens(mm) }))} />
      <FilterSelect label="Size" testid="filter-size" value={filter.size ?? ""} onChange={(v) => set("size", v || null)}
        options={optionsOf(SHOT_SIZES).map((o) => ({ value: o.value as string, label: o.label }))} />
      <span class="find-count" role="status" data-testid="find-count">
        {filtering ? <><b>{found.shown}</b> of {found.total} shots</> : null}
      </span>
      {filtering && <button class="btn btn-ghost btn-small" onClick={() => onChange(NO_FILTER)} data-testid="find-clear">Clear</button>}
    </div>
  );
}

function FilterSelect({ label, testid, value, options, onChange }: { label: string; testid: string; value: string; options: { value: string; label: string }[]; onChange: (value: string) => void }) {
  return (
    <label class={`find-filter ${value ? "find-filter-on" : ""}`}>
      <span class="find-filter-label">{label}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={testid}>
        <option value="">All</option>
        {/* A value from the URL that the board no longer has stays selectable, so it can be seen and cleared. */}
        {value && !options.some((o) => o.value === value) && <option value={value}>{value}</option>}
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </label>
  );
}

function useSlashToSearch(input: RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      const origin = event.target as HTMLElement | null;
      if (origin?.closest("input, textarea, select, [contenteditable], .cell-editing, dialog")) return;
      event.preventDefault();
      input.current?.focus();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
}

// --- Folded scenes ---------------------------------------------------------------------------

const foldedKey = (projectId: number) => `previs-folded-scenes:${projectId}`;

function readFolded(projectId: number): Set<number> {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(foldedKey(projectId)) ?? "[]");
    return new Set(Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : []);
  } catch {
    return new Set();
  }
}

/** The scenes folded away in this project, as this browser remembers them. */
export function useFoldedScenes(projectId: number): [ReadonlySet<number>, (sceneId: number) => void] {
  const [folded, setFolded] = useState(() => readFolded(projectId));
  const toggle = (sceneId: number) => {
    const next = new Set(folded);
    if (!next.delete(sceneId)) next.add(sceneId);
    setFolded(next);
    try {
      if (next.size) localStorage.setItem(foldedKey(projectId), JSON.stringify([...next]));
      else localStorage.removeItem(foldedKey(projectId));
    } catch {
      // Storage full or refused (a private window): the fold holds until the page is left.
    }
  };
  return [folded, toggle];
}

export function FoldButton({ sceneId, sceneNumber, folded, onToggle }: { sceneId: number; sceneNumber: string; folded: boolean; onToggle: () => void }) {
  return (
    <button class="btn btn-ghost btn-icon scene-fold" aria-expanded={!folded} aria-label={`${folded ? "Show" : "Fold"} scene ${sceneNumber}'s shots`}
      title={folded ? "Show this scene's shots" : "Fold this scene's shots away"} data-testid={`scene-${sceneId}-fold`} onClick={onToggle}>
      <span aria-hidden="true">{folded ? "▸" : "▾"}</span>
    </button>
  );
}

// --- Thumbnail -------------------------------------------------------------------------------

/** A shot's picture, small and loaded only when its row scrolls near the screen. */
export function ThumbCell({ shotId, shotNumber, picture }: { shotId: number; shotNumber: string; picture: ShotPicture | null }) {
  return (
    <td class="thumb" data-testid={`shot-${shotId}-thumb`}>
      {picture && (
        <img src={picture.url} loading="lazy" decoding="async" width={64} height={36} data-from={picture.from}
          alt={picture.from === "panel" ? `Board of shot ${shotNumber}` : `Rendered frame of shot ${shotNumber}`} />
      )}
    </td>
  );
}
