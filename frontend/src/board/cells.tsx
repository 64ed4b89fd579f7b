// The shot list's special cells: characters (multi-select from the library) and status pills.
import type { Character, ShotStatus } from "../api/types";
import type { EditorApi } from "../ui/EditCell";
import { STATUSES } from "../vocab";

export function CharacterChips({ ids, characters }: { ids: number[]; characters: Character[] }) {
  if (!ids.length) return <span class="placeholder">—</span>;
  return (
    <span class="chips">
      {ids.map((id) => {
        const c = characters.find((x) => x.id === id);
        return c ? (
          <span class="chip" key={id} style={{ "--chip": c.colour }}>{c.name}</span>
        ) : null;
      })}
    </span>
  );
}

export function charactersEditor(characters: Character[]) {
  return ({ draft, setDraft, commit, onKeyDown, onBlur }: EditorApi<number[]>) => (
    <div class="picker" onKeyDown={onKeyDown} onFocusOut={onBlur} role="listbox" aria-multiselectable="true">
      {characters.length === 0 && <div class="muted pad-s">No characters in the library yet.</div>}
      {characters.map((c, index) => (
        <label class="picker-item" key={c.id}>
          <input
            type="checkbox"
            data-autofocus={index === 0 ? "" : undefined}
            checked={draft.includes(c.id)}
            onChange={(e) => setDraft(e.currentTarget.checked ? [...draft, c.id] : draft.filter((id) => id !== c.id))}
          />
          <span class="swatch" style={{ background: c.colour }} />
          {c.name}
        </label>
      ))}
      <div class="picker-foot">
        <button type="button" class="btn btn-small btn-primary" onClick={() => commit()}>Done</button>
        <span class="muted">Space toggles · Enter saves · Esc cancels</span>
      </div>
    </div>
  );
}

export function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",");
}

export function StatusPill({ status }: { status: ShotStatus }) {
  return <span class={`pill pill-${status}`}>{STATUSES[status][0]}</span>;
}
