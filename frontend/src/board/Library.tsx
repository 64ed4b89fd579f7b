// The project library: characters (reused in every render so they stay the same) and locations.
import { useState } from "preact/hooks";
import type { CharacterPatch, LocationPatch } from "../api/types";
import { SetPlan } from "../sets/SetPlan";
import { useBoard } from "../state/context";
import { EditCell, lineEditor, numberEditor, textEditor, type EditorApi, type SaveOutcome } from "../ui/EditCell";

export function Library() {
  return (
    <div class="library">
      <Characters />
      <Locations />
    </div>
  );
}

/** Cell props for one field of a library row: its save (a "set" op) and its presence focus. */
function useCells<P>(entity: "character" | "location") {
  const store = useBoard();
  return <K extends keyof P & string>(row: { id: number }, field: K) => ({
    testid: `${entity}-${row.id}-${field}`,
    canEdit: store.can.edit && row.id > 0,
    focus: { entity, id: row.id, field },
    save: (value: P[K]): Promise<SaveOutcome> => store.save(entity, row.id, { [field]: value }),
  });
}

function colourEditor({ draft, setDraft, commit, onKeyDown, onBlur }: EditorApi<string>) {
  return (
    <span class="colour-edit">
      <input type="color" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} onChange={(e) => commit(e.currentTarget.value)} onKeyDown={onKeyDown} onBlur={onBlur} />
    </span>
  );
}

function AddRow({ label, testid, onAdd }: { label: string; testid: string; onAdd: (name: string) => Promise<string | null> }) {
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  return (
    <form
      class="add-inline"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim()) return;
        const problem = await onAdd(name.trim());
        setError(problem ?? "");
        if (!problem) setName("");
      }}
    >
      <input value={name} placeholder={label} onInput={(e) => setName(e.currentTarget.value)} data-testid={testid} />
      <button class="btn btn-small" type="submit">Add</button>
      {error && <span class="field-error">{error}</span>}
    </form>
  );
}

function Characters() {
  const store = useBoard();
  const canEdit = store.can.edit;
  const cells = useCells<CharacterPatch>("character");
  const uses = (id: number) => store.data!.scenes.reduce((n, s) => n + s.shots.filter((shot) => shot.characters.includes(id)).length, 0);
  return (
    <section class="library-section">
      <div class="toolbar">
        <h2>Characters</h2>
        <span class="hint">The description is sent with every render, so a character keeps face and wardrobe from shot to shot.</span>
        <span class="spacer" />
        {canEdit && <AddRow label="New character name" testid="add-character" onAdd={(name) => store.createCharacter(name.toUpperCase())} />}
      </div>
      <table class="grid library-table">
        <colgroup><col style={{ width: "180px" }} /><col style={{ width: "70px" }} /><col style={{ width: "90px" }} /><col /><col style={{ width: "70px" }} /><col style={{ width: "32px" }} /></colgroup>
        <thead><tr><th>Name</th><th>Colour</th><th>Height</th><th>Look and wardrobe</th><th>Shots</th><th /></tr></thead>
        <tbody>
          {store.data!.characters.map((c) => (
            <tr key={c.id} data-testid={`character-${c.id}`}>
              <EditCell {...cells(c, "name")} class="strong" value={c.name} display={c.name} editor={lineEditor()} />
              <EditCell {...cells(c, "colour")} value={c.colour}
                display={<span class="swatch swatch-large" style={{ background: c.colour }} title={c.colour} />} editor={colourEditor} />
              <EditCell {...cells(c, "height_m")} class="num" value={c.height_m}
                display={`${c.height_m.toFixed(2)} m`} editor={numberEditor(0.01)} />
              <EditCell {...cells(c, "description")} class="text-cell" multiline value={c.description}
                display={c.description || <span class="placeholder">Describe face, age, hair, wardrobe…</span>} editor={textEditor(3)} />
              <td class="num muted">{uses(c.id)}</td>
              <td class="actions">
                {canEdit && <button class="btn btn-ghost btn-icon danger" title={`Delete ${c.name}`}
                  onClick={() => confirm(`Delete ${c.name}? They will be removed from ${uses(c.id)} shots.`) && store.remove("character", c)}>×</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {store.data!.characters.length === 0 && <p class="empty">No characters yet.</p>}
    </section>
  );
}

function Locations() {
  const store = useBoard();
  const canEdit = store.can.edit;
  const cells = useCells<LocationPatch>("location");
  const uses = (id: number) => store.data!.scenes.filter((s) => s.location === id).length;
  const [setOf, setSetOf] = useState<number | null>(null);  // the location whose set is on the plan
  const shownSet = store.data!.locations.find((l) => l.id === setOf);
  return (
    <section class="library-section">
      <div class="toolbar">
        <h2>Locations</h2>
        <span class="spacer" />
        {canEdit && <AddRow label="New location name" testid="add-location" onAdd={(name) => store.createLocation(name.toUpperCase())} />}
      </div>
      <table class="grid library-table">
        <colgroup><col style={{ width: "260px" }} /><col /><col style={{ width: "70px" }} /><col style={{ width: "110px" }} /></colgroup>
        <thead><tr><th>Name (as in the slugline)</th><th>Description</th><th>Scenes</th><th /></tr></thead>
        <tbody>
          {store.data!.locations.map((l) => (
            <tr key={l.id} data-testid={`location-${l.id}`}>
              <EditCell {...cells(l, "name")} class="strong" value={l.name} display={l.name} editor={lineEditor()} />
              <EditCell {...cells(l, "description")} class="text-cell" multiline value={l.description}
                display={l.description || <span class="placeholder">What it looks like, light, practicals…</span>} editor={textEditor(3)} />
              <td class="num muted">{uses(l.id)}</td>
              <td class="actions">
                <button class="btn btn-ghost" data-testid={`open-set-${l.id}`} aria-pressed={setOf === l.id}
                  onClick={() => setSetOf(setOf === l.id ? null : l.id)}>Set ({(l.set_pieces ?? []).length})</button>
                {canEdit && <button class="btn btn-ghost btn-icon danger" title={`Delete ${l.name}`}
                  onClick={() => confirm(`Delete ${l.name}? ${uses(l.id)} scenes will show UNKNOWN.`) && store.remove("location", l)}>×</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {store.data!.locations.length === 0 && <p class="empty">No locations yet.</p>}
      {shownSet && <SetPlan location={shownSet} />}
    </section>
  );
}
