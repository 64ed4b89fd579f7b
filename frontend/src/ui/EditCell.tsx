// Spreadsheet-style inline editing used by every editable cell: click or Enter opens the editor,
// Enter or leaving the cell saves, Esc cancels, Tab saves and moves on. A save that the server
// refuses (400) keeps the editor open with what the user typed and the server's message.
import type { ComponentChildren, Ref, TargetedFocusEvent, TargetedKeyboardEvent } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/** What a save returns: messages to show (editor stays open) or null (done). */
export type SaveOutcome = string[] | null;

export interface EditorApi<V> {
  draft: V;
  setDraft: (value: V) => void;
  commit: (value?: V) => void;
  cancel: () => void;
  onKeyDown: (event: TargetedKeyboardEvent<HTMLElement>) => void;
  onBlur: (event: TargetedFocusEvent<HTMLElement>) => void;
}

interface Props<V> {
  testid: string;
  value: V;
  version: number;
  display: ComponentChildren;
  canEdit: boolean;
  save: (value: V, baseVersion: number) => Promise<SaveOutcome>;
  editor: (api: EditorApi<V>) => ComponentChildren;
  as?: "td" | "div" | "span";
  class?: string;
  title?: string;
  /** Multi-line editors take Shift+Enter as a newline, Enter saves. */
  multiline?: boolean;
  equals?: (a: V, b: V) => boolean;
}

const same = <V,>(a: V, b: V) => a === b;

/** Focus the next (or previous) editable cell in reading order. */
export function focusSibling(from: HTMLElement, backwards: boolean): void {
  const cells = Array.from(document.querySelectorAll<HTMLElement>("[data-cell]"));
  const index = cells.indexOf(from);
  const next = cells[index + (backwards ? -1 : 1)];
  next?.focus();
}

export function EditCell<V>({ testid, value, version, display, canEdit, save, editor, as = "td", class: cls = "", title, multiline, equals = same }: Props<V>) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<V>(value);
  const [errors, setErrors] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);
  const base = useRef(version);
  const cell = useRef<HTMLElement>(null);
  const done = useRef(false);
  const moveAfter = useRef<0 | 1 | -1>(0);

  const start = () => {
    if (!canEdit || editing) return;
    // The version shown when editing began: if someone else saves meanwhile, ours is refused (409).
    base.current = version;
    done.current = false;
    setDraft(value);
    setErrors(null);
    setEditing(true);
  };

  const finish = (refocus: boolean) => {
    setEditing(false);
    setErrors(null);
    const el = cell.current;
    if (!el) return;
    const move = moveAfter.current;
    moveAfter.current = 0;
    requestAnimationFrame(() => {
      if (move) focusSibling(el, move < 0);
      else if (refocus) el.focus();
    });
  };

  const commit = async (next: V = draft) => {
    if (done.current) return;
    done.current = true;
    if (equals(next, value)) return finish(true);
    setSaving(true);
    const outcome = await save(next, base.current);
    setSaving(false);
    if (outcome?.length) {
      done.current = false; // still editing: fix and save again
      moveAfter.current = 0;
      setDraft(next);
      setErrors(outcome);
      return;
    }
    finish(true);
  };

  const cancel = () => {
    done.current = true;
    moveAfter.current = 0;
    finish(true);
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    } else if (event.key === "Enter" && !(multiline && event.shiftKey) && !event.isComposing) {
      event.preventDefault();
      event.stopPropagation();
      void commit();
    } else if (event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      moveAfter.current = event.shiftKey ? -1 : 1;
      void commit();
    }
  };

  const onBlur = (event: TargetedFocusEvent<HTMLElement>) => {
    // Leaving the cell saves; moving focus inside it (e.g. a checkbox list) does not.
    const to = event.relatedTarget as Node | null;
    if (to && cell.current?.contains(to)) return;
    void commit();
  };

  // Layout effect, not effect: the editor must hold focus before the next keystroke arrives.
  useLayoutEffect(() => {
    if (!editing) return;
    const el = cell.current?.querySelector<HTMLElement>("input, textarea, select, [data-autofocus]");
    el?.focus();
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.select();
  }, [editing]);

  const Tag = as as "td";
  const classes = `cell ${canEdit ? "cell-editable" : ""} ${editing ? "cell-editing" : ""} ${errors ? "cell-invalid" : ""} ${saving ? "cell-saving" : ""} ${cls}`;
  return (
    <Tag
      ref={cell as Ref<HTMLTableCellElement>}
      class={classes}
      data-testid={testid}
      data-cell=""
      tabIndex={editing ? -1 : 0}
      title={title}
      onClick={start}
      onKeyDown={(event) => {
        if (editing || event.target !== event.currentTarget) return;
        if (event.key === "Enter" || event.key === "F2") {
          event.preventDefault();
          start();
        }
      }}
    >
      {editing ? editor({ draft, setDraft, commit: (v?: V) => void commit(v), cancel, onKeyDown, onBlur }) : display}
      {errors && <div class="cell-error" role="alert" data-testid={`${testid}-error`}>{errors.join(" ")}</div>}
    </Tag>
  );
}

// --- Editors ---------------------------------------------------------------------------------

export function textEditor(rows = 3) {
  return ({ draft, setDraft, onKeyDown, onBlur }: EditorApi<string>) => (
    <textarea class="cell-input" rows={rows} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={onKeyDown} onBlur={onBlur} />
  );
}

export function lineEditor(placeholder = "") {
  return ({ draft, setDraft, onKeyDown, onBlur }: EditorApi<string>) => (
    <input class="cell-input" value={draft} placeholder={placeholder} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={onKeyDown} onBlur={onBlur} />
  );
}

export function numberEditor(step: number, listId?: string) {
  return ({ draft, setDraft, onKeyDown, onBlur }: EditorApi<number>) => (
    <input
      class="cell-input cell-number"
      type="number"
      step={step}
      min={0}
      list={listId}
      value={Number.isFinite(draft) ? String(draft) : ""}
      onInput={(e) => setDraft(e.currentTarget.value === "" ? Number.NaN : Number(e.currentTarget.value))}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    />
  );
}

export function selectEditor<K extends string>(options: { value: K; label: string }[]) {
  return ({ draft, commit, onKeyDown, onBlur }: EditorApi<K>) => (
    <select
      class="cell-input"
      value={draft}
      onChange={(e) => commit(e.currentTarget.value as K)}
      onKeyDown={(e) => (e.key === "Escape" || e.key === "Tab" || e.key === "Enter" ? onKeyDown(e) : undefined)}
      onBlur={onBlur}
    >
      {options.map((o) => <option value={o.value}>{o.label}</option>)}
    </select>
  );
}
