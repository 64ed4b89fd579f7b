// Fast entry on the shot list (issue 16): type-ahead in coded cells, duplicate and reverse a shot,
// select shots and set a field on all of them, paste rows from a spreadsheet, type a slugline into
// a scene heading, insert and reorder scenes. Every write is an op of the project room (undoable);
// the rules (what a copy or a reverse is, how a slugline is read, how an inserted scene is
// numbered) are the server's (apps/boards/entry.py).
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Scene, Shot } from "../api/types";
import type { Op } from "../state/protocol";
import type { BoardStore } from "../state/store";
import { useStore } from "../state/context";
import { EditCell, lineEditor, type EditorApi, type SaveOutcome } from "../ui/EditCell";
import { toast } from "../ui/toasts";
import { VOCABULARY } from "../vocab";
import { readPaste } from "./paste";
import { matchTerms, type Term } from "./typeahead";

// --- Type-ahead in a coded cell -----------------------------------------------------------------

/** The shot fields whose cells are coded, and the published vocabulary each takes its terms from. */
export const CODED: Record<string, readonly Term[]> = {
  shot_size: VOCABULARY.shot_sizes,
  framing: VOCABULARY.framings,
  angle: VOCABULARY.camera_angles,
  movement: VOCABULARY.camera_moves,
  rig: VOCABULARY.rigs,
  sensor: VOCABULARY.sensors,
  aspect_ratio: VOCABULARY.aspect_ratios,
  fps: VOCABULARY.frame_rates,
  status: VOCABULARY.shot_statuses,
};

/** An editor for a coded cell: type "MCU", "ots" or "dolly" and Enter (or Tab) takes the best
 *  match; ↑/↓ choose among the matches; a click takes one. */
export function codeEditor<K extends string>(terms: readonly Term[]) {
  return (api: EditorApi<K>) => <CodeInput api={api} terms={terms} />;
}

/** A key typed on a coded cell before its editor opened: the editor starts with it. */
let firstKey = "";
let firstKeyCell: HTMLElement | null = null;

/** A letter or digit typed on a focused coded cell opens its type-ahead with that character, so
 *  "M", "C", "U" on a size cell is all it takes. True when the key was taken. */
export function typeIntoCodedCell(event: KeyboardEvent, cell: HTMLElement): boolean {
  const field = cell.dataset.testid?.match(/^shot-\d+-(\w+)$/)?.[1];
  if (!field || !(field in CODED) || field === "status" || event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey || !/[\p{L}\p{N}]/u.test(event.key)) return false;
  if (!cell.classList.contains("cell-editable")) return false;
  event.preventDefault();
  // Keys that arrive before the editor is drawn are kept for it too (fast typists).
  if (firstKeyCell === cell && firstKey) return void (firstKey += event.key), true;
  firstKey = event.key;
  firstKeyCell = cell;
  cell.click();
  return true;
}

function CodeInput<K extends string>({ api, terms }: { api: EditorApi<K>; terms: readonly Term[] }) {
  const [typed, setTyped] = useState(() => {
    const key = firstKey;
    firstKey = "";
    firstKeyCell = null;
    return key;
  });
  const [at, setAt] = useState(0);
  const matches = matchTerms(terms, typed);
  const input = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    if (!typed) return;
    api.setDraft((matches[0]?.value ?? api.draft) as K); // the key that opened the editor
    // After the cell selected its editor's text (its own layout effect, which runs after this
    // child's in the same commit): go on typing after that key, not over it. A microtask runs
    // before the next key event; an effect after the paint let a fast "C" replace the "M".
    queueMicrotask(() => input.current?.setSelectionRange(typed.length, typed.length));
  }, []);
  const choose = (index: number, list = matches) => {
    setAt(index);
    const term = list[index];
    if (term) api.setDraft(term.value as K);
  };
  const current = terms.find((t) => t.value === api.draft);
  return (
    <div class="typeahead" onFocusOut={api.onBlur}>
      <input
        ref={input}
        class="cell-input"
        role="combobox"
        aria-expanded="true"
        aria-autocomplete="list"
        aria-label="Type a code or a name"
        placeholder={current ? `${current.short} — type to change` : "Type a code"}
        value={typed}
        onInput={(e) => {
          const text = e.currentTarget.value;
          setTyped(text);
          choose(0, matchTerms(terms, text));
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            e.stopPropagation();
            choose(Math.max(0, Math.min(matches.length - 1, at + (e.key === "ArrowDown" ? 1 : -1))));
          } else api.onKeyDown(e);
        }}
      />
      <ul class="typeahead-list" role="listbox">
        {matches.slice(0, 8).map((term) => (
          <li key={term.value} role="option" aria-selected={term.value === api.draft} class={term.value === api.draft ? "typeahead-on" : ""}
            onMouseDown={(e) => {
              e.preventDefault(); // keep focus in the input until the commit
              api.commit(term.value as K);
            }}>
            <b>{term.short}</b> {term.label !== term.short && <span class="muted">{term.label}</span>}
          </li>
        ))}
        {matches.length === 0 && <li class="muted">Nothing matches “{typed}”</li>}
      </ul>
    </div>
  );
}

// --- Selection and a field set on every selected shot --------------------------------------------

const selected = new Set<number>();
const selectionListeners = new Set<() => void>();
const changed = () => selectionListeners.forEach((listener) => listener());

function useSelection(): ReadonlySet<number> {
  const [, redraw] = useState(0);
  useEffect(() => {
    const listener = () => redraw((n) => n + 1);
    selectionListeners.add(listener);
    return () => void selectionListeners.delete(listener);
  }, []);
  return selected;
}

/** The checkbox that selects a shot for a change to several at once (Shift-click: a run). */
export function SelectBox({ shot }: { shot: Shot }) {
  useSelection();
  if (shot.id < 0) return null;
  return (
    <input type="checkbox" class="select-shot" data-testid={`shot-${shot.id}-select`} aria-label={`Select shot ${shot.number}`} checked={selected.has(shot.id)}
      onClick={(e) => {
        const on = e.currentTarget.checked;
        if (on) selected.add(shot.id);
        else selected.delete(shot.id);
        changed();
      }} />
  );
}

/** The fields a selection's bar sets on every selected shot. */
const BULK_FIELDS: { field: keyof typeof CODED; label: string }[] = [
  { field: "status", label: "Status" }, { field: "shot_size", label: "Size" }, { field: "framing", label: "Framing" }, { field: "angle", label: "Angle" },
  { field: "movement", label: "Move" }, { field: "rig", label: "Rig" }, { field: "fps", label: "FPS" },
];

export function SelectionBar({ store }: { store: BoardStore }) {
  const chosen = useSelection();
  const [field, setField] = useState<string>("status");
  const [value, setValue] = useState<string>("");
  const ids = [...chosen].filter((id) => store.shot(id));
  if (!ids.length || !store.can.edit) return null;
  const terms = CODED[field];
  const apply = async () => {
    const to = value || terms[0].value;
    const ops = ids.map((id) => ({ kind: "set", entity: "shot", id, fields: { [field]: to } }) as Op);
    const refused = await store.outcomes(store.submitAll(ops));
    if (!refused.length) toast(`${BULK_FIELDS.find((f) => f.field === field)?.label} set on ${ids.length} shots.`, "ok", 2500);
  };
  return (
    <div class="selection-bar" role="region" aria-label="Selected shots" data-testid="selection-bar">
      <b>{ids.length}</b> selected · Set
      <select aria-label="Field" data-testid="bulk-field" value={field} onChange={(e) => { setField(e.currentTarget.value); setValue(""); }}>
        {BULK_FIELDS.map((f) => <option value={f.field}>{f.label}</option>)}
      </select>
      to
      <select aria-label="Value" data-testid="bulk-value" value={value || terms[0].value} onChange={(e) => setValue(e.currentTarget.value)}>
        {terms.map((t) => <option value={t.value}>{t.label}</option>)}
      </select>
      <button class="btn btn-primary btn-small" data-testid="bulk-apply" onClick={() => void apply()}>Set on {ids.length}</button>
      <button class="btn btn-ghost btn-small" data-testid="bulk-clear" onClick={() => { selected.clear(); changed(); }}>Clear</button>
    </div>
  );
}

// --- Duplicate and reverse ----------------------------------------------------------------------

/** Duplicate and reverse, as items of the row's menu (ShotList's RowMenu: the action column has room
 *  for two targets, not four). */
export function ShotCopyButtons({ shot }: { shot: Shot }) {
  const store = useStore();
  if (shot.id < 0) return null;
  return (
    <>
      <button class="btn btn-ghost btn-small" title={`Duplicate shot ${shot.number} (Ctrl+D)`} aria-label={`Duplicate shot ${shot.number}`} data-testid={`shot-${shot.id}-duplicate`}
        onClick={() => void store.shotFrom(shot, "duplicate_of")}>⧉ Duplicate <kbd>Ctrl+D</kbd></button>
      <button class="btn btn-ghost btn-small" title={`Add the reverse of shot ${shot.number}: the same size and lens on the other person`} aria-label={`Add the reverse of shot ${shot.number}`}
        data-testid={`shot-${shot.id}-reverse`} onClick={() => void store.shotFrom(shot, "reverse_of")}>⇄ Reverse</button>
    </>
  );
}

/** Ctrl/Cmd+D on a shot's cell duplicates the shot. True when the key was taken. */
export function duplicateKey(event: KeyboardEvent, store: BoardStore, shotId: number): boolean {
  if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "d" || !store.can.edit) return false;
  const shot = store.shot(shotId);
  if (!shot || shot.id < 0) return false;
  event.preventDefault();
  void store.shotFrom(shot, "duplicate_of");
  return true;
}

// --- Paste from a spreadsheet -------------------------------------------------------------------

/** The shot list's fields in the order of its visible columns (the header cells' data-field). */
function visibleFields(table: HTMLTableElement, from: HTMLElement | null): string[] {
  const heads = Array.from(table.querySelectorAll<HTMLElement>("thead th[data-field]")).filter((th) => th.offsetWidth > 0);
  const known = new Set(VOCABULARY.shot_list_columns.map((c) => c.field));
  const fields = heads.map((th) => th.dataset.field!).filter((field) => known.has(field));
  const at = from?.dataset.testid?.match(/^shot-\d+-(\w+)$/)?.[1];
  const start = at ? fields.indexOf(at) : -1;
  return start > 0 ? fields.slice(start) : fields;
}

/** Paste rows from a spreadsheet into the shot list: new shots right after the shot whose cell
 *  has the keyboard (else at the end of the first scene), one undo step. */
export function usePasteRows(grid: { current: HTMLTableElement | null }, store: BoardStore): void {
  useEffect(() => {
    const table = grid.current;
    if (!table) return;
    const onPaste = (event: ClipboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest("input, textarea, select, [contenteditable]") || !store.can.edit || !store.data) return;
      const text = event.clipboardData?.getData("text/plain") ?? "";
      if (!text.trim()) return;
      event.preventDefault();
      const row = target.closest<HTMLElement>("tr[data-shot]");
      const at = row ? store.shot(Number(row.dataset.shot)) : undefined;
      const scene = at ? store.data.scenes.find((s) => s.id === at.scene) : store.data.scenes.find((s) => s.id > 0);
      if (!scene) return void toast("Add a scene first: pasted rows become its shots.", "warn");
      const cell = target.closest<HTMLElement>("[data-cell]");
      const { rows, errors } = readPaste(text, VOCABULARY.shot_list_columns, visibleFields(table, cell), CODED, store.data);
      if (errors.length) toast(errors.slice(0, 4).join(" ") + (errors.length > 4 ? ` (and ${errors.length - 4} more)` : ""), "error", 9000);
      if (!rows.length) return;
      const after = at?.id ?? scene.shots.at(-1)?.id ?? null;
      // Each lands right after the same shot, so the last is sent first and they read in order.
      const ops: Op[] = rows.reverse().map((r) => ({ kind: "create", entity: "shot", parent: scene.id, after, fields: r.fields }));
      void store.outcomes(store.submitAll(ops)).then((refused) => {
        toast(refused.length ? `${rows.length - refused.length} of ${rows.length} pasted rows added.` : `${rows.length} shots pasted into scene ${scene.number}.`, refused.length ? "warn" : "ok", 4000);
      });
    };
    table.addEventListener("paste", onPaste);
    return () => table.removeEventListener("paste", onPaste);
  }, [grid.current, store]);
}

// --- Scenes: a typed slugline, insert, move ------------------------------------------------------

/** Type a scene heading as a slugline ("EXT. JETTY - DAWN"): setting, location (found or made in
 *  the library) and time of day at once. */
export function SluglineCell({ scene, canEdit }: { scene: Scene; canEdit: boolean }) {
  const store = useStore();
  if (!canEdit || scene.id < 0) return null;
  return (
    <EditCell as="span" class="slug-type" testid={`scene-${scene.id}-slugline`} value={scene.heading} canEdit title="Type the heading: EXT. JETTY - DAWN"
      focus={{ entity: "scene", id: scene.id, field: "location" }} display={<span aria-label={`Type scene ${scene.number}'s heading`}>✎</span>}
      save={(text: string): Promise<SaveOutcome> => store.setSlugline(scene, text)} editor={lineEditor("EXT. JETTY - DAWN")} />
  );
}

export function SceneOrderButtons({ scene }: { scene: Scene }) {
  const store = useStore();
  const scenes = store.data?.scenes ?? [];
  const index = scenes.findIndex((s) => s.id === scene.id);
  if (!store.can.edit || scene.id < 0) return null;
  const moveBy = (step: -1 | 1) => {
    const target = index + (step < 0 ? -2 : 1);
    if (target < -1 || target >= scenes.length) return;
    void store.moveScene(scene, target === -1 ? null : scenes[target].id);
  };
  return (
    <span class="scene-order">
      <button class="btn btn-ghost btn-tiny" title={`Move scene ${scene.number} up`} aria-label={`Move scene ${scene.number} up`} data-testid={`scene-${scene.id}-up`} disabled={index <= 0} onClick={() => moveBy(-1)}>↑</button>
      <button class="btn btn-ghost btn-tiny" title={`Move scene ${scene.number} down`} aria-label={`Move scene ${scene.number} down`} data-testid={`scene-${scene.id}-down`} disabled={index >= scenes.length - 1} onClick={() => moveBy(1)}>↓</button>
      <button class="btn btn-ghost btn-tiny" title={`Insert a scene after scene ${scene.number}`} data-testid={`scene-${scene.id}-insert`} onClick={() => void store.insertScene(scene.id)}>+ after</button>
    </span>
  );
}
